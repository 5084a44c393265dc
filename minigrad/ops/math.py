"""Elementwise math beyond the basics: trigonometric and hyperbolic functions, other exponentials
and logarithms, erf, rounding, remainders and two-input functions (atan2, hypot, ...); then the
predicates, logical and bitwise ops, which have no gradient.

Integer and bool inputs of the floating point functions are computed in float32, as in PyTorch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.function import Function
from minigrad.ops._common import constant, operands
from minigrad.ops.elementwise import (
    PiecewiseConstant,
    _complex_values,
    _mask,
    _no_grad_op,
    cast,
    exp,
    log,
    where,
)
from minigrad.tensor import Tensor

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _quiet(fn: Callable, *arrays: np.ndarray) -> np.ndarray:
    """fn on arrays with numpy's warnings off: out-of-domain inputs give nan/inf, as in PyTorch."""
    with np.errstate(all="ignore"):
        return np.asarray(fn(*arrays))


# *** erf, computed with numpy alone ***
def _power_coefficients(fn: Callable[[float], float], low: float, high: float,
                        degree: int) -> np.ndarray:
    """Power-basis coefficients in u = (2v - low - high) / (high - low) in [-1, 1] of fn's
    Chebyshev interpolant on [low, high] (fn evaluated at the Chebyshev points)."""
    fit = np.polynomial.Chebyshev.interpolate(
        lambda v: np.array([fn(float(x)) for x in v]), degree, domain=[low, high])
    return np.polynomial.chebyshev.cheb2poly(fit.coef)


# erf(x) / x as a polynomial in t = x^2 on [0, 4] (|x| < 2), and erfcx(x) = e^(x^2) erfc(x) on
# [2, 6]: fitted once at import from the standard library's erf and erfc; relative errors
# below 1e-14 (tests/test_ops_nondiff.py checks against PyTorch over [-27, 27])
_ERF_OVER_X = _power_coefficients(
    lambda t: math.erf(math.sqrt(t)) / math.sqrt(t) if t else 2 / math.sqrt(math.pi), 0, 4, 18)
_ERFCX = _power_coefficients(lambda x: math.exp(x * x) * math.erfc(x), 2, 6, 22)


def _horner(coefficients: np.ndarray, u: np.ndarray) -> np.ndarray:
    out = np.full_like(u, coefficients[-1])
    for c in coefficients[-2::-1]:
        out *= u
        out += c
    return out


def erfcx_fraction(x: np.ndarray) -> np.ndarray:
    """erfcx(x) = e^(x^2) erfc(x) = 1/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) for
    x >= 6, evaluated from the bottom up with 13 terms (relative error below 1e-15 there)."""
    f = x.copy()
    for k in range(13, 0, -1):
        f = x + (k / 2) / f
    return 1 / math.sqrt(math.pi) / f


def _erfc_fraction(x: np.ndarray) -> np.ndarray:
    """erfc(x) for x >= 6: e^(-x^2) erfcx(x)."""
    with np.errstate(over="ignore"):  # x^2 = inf for huge x: erfc is 0
        return np.exp(-x * x) * erfcx_fraction(x)


def _erf_parts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """erf(|x|) where |x| < 2, erfc(|x|) where |x| >= 2, and the mask of the latter."""
    ax = np.abs(x)
    far = ax >= 2
    near_part, far_part = np.zeros_like(ax), np.zeros_like(ax)
    near = ax[~far]
    near_part[~far] = near * _horner(_ERF_OVER_X.astype(x.dtype), near * near / 2 - 1)
    middle, tail = far & (ax < 6), ax >= 6
    mid = ax[middle]
    far_part[middle] = np.exp(-mid * mid) * _horner(_ERFCX.astype(x.dtype), (mid - 4) / 2)
    far_part[tail] = _erfc_fraction(ax[tail])
    return near_part, far_part, far


def erf_array(x: np.ndarray) -> np.ndarray:
    """erf of a float array, with a relative error below 1e-14 (nan stays nan)."""
    near, far_c, far = _erf_parts(x)
    return np.copysign(np.where(far, 1.0 - far_c, near), x)


def erfc_array(x: np.ndarray) -> np.ndarray:
    """erfc = 1 - erf, accurate relative to its size also where it is tiny (x up to ~27)."""
    near, far_c, far = _erf_parts(x)
    positive = np.where(far, far_c, 1.0 - near)  # erfc(|x|)
    return np.where(x < 0, 2.0 - positive, positive)


# *** unary ops ***
class Sin(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.sin, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx sin x = cos x"""
        (x,) = ctx.saved_tensors
        return g * cos(x)


class Cos(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.cos, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx cos x = -sin x"""
        (x,) = ctx.saved_tensors
        return -(g * sin(x))


class Tan(Function):
    @staticmethod
    def forward(ctx, x):
        out = _quiet(np.tan, x.array)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx tan x = 1 + tan^2 x"""
        (t,) = ctx.saved_tensors
        return g * (1 + t * t)


class Asin(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.arcsin, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx asin x = 1 / sqrt(1 - x^2)"""
        (x,) = ctx.saved_tensors
        return g * rsqrt(1 - x * x)


class Acos(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.arccos, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx acos x = -1 / sqrt(1 - x^2)"""
        (x,) = ctx.saved_tensors
        return -(g * rsqrt(1 - x * x))


class Atan(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.arctan, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx atan x = 1 / (1 + x^2)"""
        (x,) = ctx.saved_tensors
        return g / (1 + x * x)


class Sinh(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.sinh, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx sinh x = cosh x"""
        (x,) = ctx.saved_tensors
        return g * cosh(x)


class Cosh(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.cosh, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx cosh x = sinh x"""
        (x,) = ctx.saved_tensors
        return g * sinh(x)


class Asinh(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.arcsinh, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx asinh x = 1 / sqrt(x^2 + 1)"""
        (x,) = ctx.saved_tensors
        return g * rsqrt(x * x + 1)


class Acosh(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.arccosh, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx acosh x = 1 / sqrt(x^2 - 1)"""
        (x,) = ctx.saved_tensors
        return g * rsqrt(x * x - 1)


class Atanh(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.arctanh, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx atanh x = 1 / (1 - x^2)"""
        (x,) = ctx.saved_tensors
        return g / (1 - x * x)


class Exp2(Function):
    @staticmethod
    def forward(ctx, x):
        out = _quiet(np.exp2, x.array)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx 2^x = 2^x ln 2"""
        (out,) = ctx.saved_tensors
        return g * out * _LN2


class Expm1(Function):
    @staticmethod
    def forward(ctx, x):
        out = _quiet(np.expm1, x.array)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx (e^x - 1) = e^x = out + 1 (PyTorch's formula, so its numbers)"""
        (out,) = ctx.saved_tensors
        return g * (out + 1)


class Log2(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.log2, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx log2 x = 1 / (x ln 2)"""
        (x,) = ctx.saved_tensors
        return g / (x * _LN2)


class Log10(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.log10, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx log10 x = 1 / (x ln 10)"""
        (x,) = ctx.saved_tensors
        return g / (x * _LN10)


class Log1p(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.log1p, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx log(1 + x) = 1 / (1 + x)"""
        (x,) = ctx.saved_tensors
        return g / (x + 1)


class Rsqrt(Function):
    @staticmethod
    def forward(ctx, x):
        out = _quiet(lambda a: 1 / np.sqrt(a), x.array)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx x^(-1/2) = -x^(-3/2) / 2 = -out^3 / 2"""
        (out,) = ctx.saved_tensors
        return g * (out * out * out) * -0.5


class Reciprocal(Function):
    @staticmethod
    def forward(ctx, x):
        out = _quiet(np.reciprocal, x.array)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx 1/x = -1/x^2 = -out^2"""
        (out,) = ctx.saved_tensors
        return -(g * out * out)


class Erf(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf_array(x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx erf x = 2/sqrt(pi) e^(-x^2)"""
        (x,) = ctx.saved_tensors
        return g * exp(-(x * x)) * _TWO_OVER_SQRT_PI


class Erfc(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erfc_array(x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx erfc x = -2/sqrt(pi) e^(-x^2)"""
        (x,) = ctx.saved_tensors
        return g * exp(-(x * x)) * -_TWO_OVER_SQRT_PI


# *** binary ops ***
class Atan2(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _quiet(np.arctan2, a.array, b.array)

    @staticmethod
    def backward(ctx, g):
        """atan2(a, b) is the angle of (b, a): d/da = b / r^2, d/db = -a / r^2; 0 at the origin,
        as in PyTorch"""
        a, b = ctx.saved_tensors
        r2 = a * a + b * b
        scale = where(r2.array == 0, 0.0, g / r2)
        need_a, need_b = ctx.needs_input_grad
        return scale * b if need_a else None, -(scale * a) if need_b else None


class Hypot(Function):
    @staticmethod
    def forward(ctx, a, b):
        out = np.asarray(np.hypot(a.array, b.array))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d/da sqrt(a^2 + b^2) = a / out"""
        a, b, out = ctx.saved_tensors
        scale = g / out
        need_a, need_b = ctx.needs_input_grad
        return scale * a if need_a else None, scale * b if need_b else None


class LogAddExp(Function):
    @staticmethod
    def forward(ctx, a, b):
        out = _quiet(np.logaddexp, a.array, b.array)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d/da log(e^a + e^b) = e^(a - out)"""
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return g * exp(a - out) if need_a else None, g * exp(b - out) if need_b else None


class Copysign(Function):
    @staticmethod
    def forward(ctx, a, b):
        out = np.asarray(np.copysign(a.array, b.array))
        # d/da |a| sign(b) = out / a, taken as 0 at a = 0 (PyTorch's value); b gets 0
        ctx.slope = _quiet(lambda o, x: np.where(x == 0, 0.0, o / x), out, a.array)
        ctx.b_like = b.shape, b.dtype
        return out

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        return (g * _mask(ctx.slope, g) if need_a else None,
                Tensor._make(np.zeros(*ctx.b_like)) if need_b else None)


class Remainder(Function):
    """a - floor(a / b) b (the sign of b, Python's %), or with np.fmod a - trunc(a / b) b (the
    sign of a, C's fmod): d/da = 1, d/db = -floor(a / b) (or -trunc(a / b))."""

    @staticmethod
    def forward(ctx, a, b, fn):
        ctx.save_for_backward(a, b)
        ctx.rounding = np.floor if fn is np.remainder else np.trunc
        return _quiet(fn, a.array, b.array)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b, _ = ctx.needs_input_grad
        quotient = _quiet(lambda x, y: ctx.rounding(x / y), a.array, b.array) if need_b else None
        return g if need_a else None, -(g * _mask(quotient, g)) if need_b else None, None


class ClampTensor(Function):
    """clamp with tensor bounds: min(max(x, low), high). x's gradient passes where
    low <= x <= high; a bound gets it where it is the result (high also where high < low), with
    PyTorch's rules at ties."""

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x, low, high)
        out = x.array
        if low is not None:
            out = np.maximum(out, low.array)
        return out if high is None else np.minimum(out, high.array)

    @staticmethod
    def backward(ctx, g):
        x, low, high = ctx.saved_tensors
        x_in = np.ones(x.shape, dtype=bool)
        if low is not None:
            x_in = x_in & (x.array >= low.array)
        if high is not None:
            x_in = x_in & (x.array <= high.array)
        need_x, need_low, need_high = ctx.needs_input_grad
        grad_low = grad_high = None
        if need_low:
            takes = x.array < low.array
            if high is not None:
                takes = takes & (low.array < high.array)
            grad_low = g * _mask(takes, g)
        if need_high:
            takes = x.array > high.array
            if low is not None:
                takes = takes | (high.array < low.array)
            grad_high = g * _mask(takes, g)
        return g * _mask(x_in, g) if need_x else None, grad_low, grad_high


# *** functional API ***
def _floating(x: Any) -> Tensor:
    """x as a floating point Tensor: integers and bools become float32, as in PyTorch."""
    x = constant(x)
    return cast(x, np.float32) if x.dtype.kind in "biu" else x


def _float_operands(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    a, b = operands(a, b)
    if a.dtype.kind in "biu" and b.dtype.kind in "biu":
        a, b = operands(cast(a, np.float32), b)
    return a, b


def sin(input: Tensor) -> Tensor:
    return Sin.apply(_floating(input))


def cos(input: Tensor) -> Tensor:
    return Cos.apply(_floating(input))


def tan(input: Tensor) -> Tensor:
    return Tan.apply(_floating(input))


def asin(input: Tensor) -> Tensor:
    return Asin.apply(_floating(input))


def acos(input: Tensor) -> Tensor:
    return Acos.apply(_floating(input))


def atan(input: Tensor) -> Tensor:
    return Atan.apply(_floating(input))


def sinh(input: Tensor) -> Tensor:
    return Sinh.apply(_floating(input))


def cosh(input: Tensor) -> Tensor:
    return Cosh.apply(_floating(input))


def asinh(input: Tensor) -> Tensor:
    return Asinh.apply(_floating(input))


def acosh(input: Tensor) -> Tensor:
    return Acosh.apply(_floating(input))


def atanh(input: Tensor) -> Tensor:
    return Atanh.apply(_floating(input))


def exp2(input: Tensor) -> Tensor:
    return Exp2.apply(_floating(input))


def expm1(input: Tensor) -> Tensor:
    return Expm1.apply(_floating(input))


def log2(input: Tensor) -> Tensor:
    return Log2.apply(_floating(input))


def log10(input: Tensor) -> Tensor:
    return Log10.apply(_floating(input))


def log1p(input: Tensor) -> Tensor:
    return Log1p.apply(_floating(input))


def rsqrt(input: Tensor) -> Tensor:
    return Rsqrt.apply(_floating(input))


def reciprocal(input: Tensor) -> Tensor:
    return Reciprocal.apply(_floating(input))


def erf(input: Tensor) -> Tensor:
    return Erf.apply(_floating(input))


def erfc(input: Tensor) -> Tensor:
    return Erfc.apply(_floating(input))


def square(input: Tensor) -> Tensor:
    """x * x (integers stay integers)."""
    return input * input


def atan2(input: Any, other: Any) -> Tensor:
    """The angle of the point (other, input), in (-pi, pi]."""
    return Atan2.apply(*_float_operands(input, other))


arctan2 = atan2


def hypot(input: Any, other: Any) -> Tensor:
    """sqrt(input^2 + other^2) without overflow."""
    return Hypot.apply(*_float_operands(input, other))


def logaddexp(input: Any, other: Any) -> Tensor:
    """log(e^input + e^other) without overflow."""
    return LogAddExp.apply(*_float_operands(input, other))


def copysign(input: Any, other: Any) -> Tensor:
    """|input| with the sign of other (its sign bit, so -0.0 counts as negative)."""
    return Copysign.apply(*_float_operands(input, other))


def lerp(input: Any, end: Any, weight: Any) -> Tensor:
    """input + weight (end - input), computed from the nearer end as PyTorch does (exact at
    weight 0 and 1)."""
    input, end = operands(input, end)
    weight = constant(weight, input)
    diff = end - input
    return where(np.abs(weight.array) < 0.5, input + weight * diff, end - diff * (1 - weight))


# *** rounding and remainders: zero gradient, integers keep their dtype ***
def _rounding(name: str, fn: Callable, x: Tensor) -> Tensor:
    if x.dtype.kind in "biu":
        if x.dtype == np.bool_:
            raise TypeError(f"{name}: not defined for bool tensors")
        return Tensor._make(x.array.copy())
    return PiecewiseConstant.apply(fn, x)


def floor(input: Tensor) -> Tensor:
    return _rounding("floor", np.floor, input)


def ceil(input: Tensor) -> Tensor:
    return _rounding("ceil", np.ceil, input)


def trunc(input: Tensor) -> Tensor:
    """Round toward zero."""
    return _rounding("trunc", np.trunc, input)


fix = trunc


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Round half to even, at `decimals` decimal places (negative: to tens, hundreds, ...)."""
    if decimals and input.dtype.kind in "biu":
        raise TypeError(f"round: decimals={decimals} needs a floating point tensor, "
                        f"got {input.dtype}")
    return _rounding("round", lambda a: np.round(a, decimals), input)


def frac(input: Tensor) -> Tensor:
    """x - trunc(x): the fractional part, with x's sign; gradient 1."""
    if input.dtype.kind != "f":
        raise TypeError(f"frac: needs a floating point tensor, got {input.dtype}")
    with np.errstate(invalid="ignore"):  # inf - inf: frac(inf) is nan, as in PyTorch
        return input - trunc(input)


class IntegerDivisionByZero(ZeroDivisionError, RuntimeError):
    """Python's error for it, and the RuntimeError torch raises (`except RuntimeError`)."""


def _check_int_divisor(name: str, a: Tensor, b: Tensor) -> None:
    if a.dtype.kind in "biu" and b.dtype.kind in "biu" and (b.array == 0).any():
        raise IntegerDivisionByZero(f"{name}: integer division by zero")


def remainder(input: Any, other: Any) -> Tensor:
    """input - floor(input / other) other: the result has other's sign (Python's %)."""
    a, b = operands(input, other)
    _check_int_divisor("remainder", a, b)
    return Remainder.apply(a, b, np.remainder)


def fmod(input: Any, other: Any) -> Tensor:
    """input - trunc(input / other) other: the result has input's sign (C's fmod)."""
    a, b = operands(input, other)
    _check_int_divisor("fmod", a, b)
    return Remainder.apply(a, b, np.fmod)


def _trunc_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "f":
        return np.trunc(a / b)
    quotient = np.floor_divide(a, b)  # integers: floor, then step toward zero where inexact
    return quotient + ((quotient < 0) & (quotient * b != a))


def rounded_div(input: Any, other: Any, rounding_mode: str) -> Tensor:
    """input / other rounded as rounding_mode says ('trunc' or 'floor'); zero gradient."""
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got "
                         f"{rounding_mode!r}")
    a, b = operands(input, other)
    _check_int_divisor("div", a, b)
    fn = np.floor_divide if rounding_mode == "floor" else _trunc_divide
    return PiecewiseConstant.apply(fn, a, b)


def floor_divide(input: Any, other: Any) -> Tensor:
    """input // other, rounded down (Python's //); zero gradient."""
    return rounded_div(input, other, "floor")


def clamp_tensor(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """clamp with tensor bounds (see ClampTensor); use `clamp`, which sends tensors here."""
    low = None if min is None else operands(input, min)[1]
    high = None if max is None else operands(input, max)[1]
    return ClampTensor.apply(input, low, high)


# *** predicates and comparisons: no gradient, bool results ***
def isnan(input: Tensor) -> Tensor:
    return _no_grad_op("isnan", np.isnan, input)


def isinf(input: Tensor) -> Tensor:
    return _no_grad_op("isinf", np.isinf, input)


def isfinite(input: Tensor) -> Tensor:
    return _no_grad_op("isfinite", np.isfinite, input)


def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """|input - other| <= atol + rtol |other|, elementwise (tensors of one dtype, as torch)."""
    if isinstance(input, Tensor) and isinstance(other, Tensor) and input.dtype != other.dtype:
        raise RuntimeError(f"isclose: input ({input.dtype}) and other ({other.dtype}) must have "
                           "the same dtype")
    return _no_grad_op("isclose", lambda a, b: np.isclose(a, b, rtol, atol, equal_nan),
                       *operands(input, other))


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True when isclose holds for every element."""
    return bool(isclose(input, other, rtol, atol, equal_nan).array.all())


def logical_not(input: Tensor) -> Tensor:
    return _no_grad_op("logical_not", np.logical_not, input)


def logical_and(input: Any, other: Any) -> Tensor:
    return _no_grad_op("logical_and", np.logical_and, *operands(input, other))


def logical_or(input: Any, other: Any) -> Tensor:
    return _no_grad_op("logical_or", np.logical_or, *operands(input, other))


def logical_xor(input: Any, other: Any) -> Tensor:
    return _no_grad_op("logical_xor", np.logical_xor, *operands(input, other))


# *** bitwise ops: integer and bool tensors only ***
def _integer_operands(name: str, a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Both operands as integer or bool tensors; a Python int or bool meeting a tensor takes its
    dtype (a bool tensor meeting an int becomes int64), as in PyTorch."""
    tensors = [x for x in (a, b) if isinstance(x, Tensor)]
    if tensors:
        like = tensors[0].dtype
        if like == np.bool_ and not all(isinstance(x, (bool, Tensor)) for x in (a, b)):
            like = np.dtype(np.int64)
        a, b = (x if isinstance(x, Tensor) else Tensor._make(np.asarray(x, dtype=like))
                for x in (a, b))
    a, b = operands(a, b)
    for x in (a, b):
        if x.dtype.kind not in "biu":
            raise TypeError(f"{name}: needs integer or bool tensors, got {x.dtype}")
    return a, b


def bitwise_not(input: Tensor) -> Tensor:
    if input.dtype.kind not in "biu":
        raise TypeError(f"bitwise_not (~): needs an integer or bool tensor, got {input.dtype}")
    return _no_grad_op("bitwise_not", np.invert, input)


def bitwise_and(input: Any, other: Any) -> Tensor:
    return _no_grad_op("bitwise_and", np.bitwise_and, *_integer_operands("bitwise_and", input,
                                                                          other))


def bitwise_or(input: Any, other: Any) -> Tensor:
    return _no_grad_op("bitwise_or", np.bitwise_or, *_integer_operands("bitwise_or", input,
                                                                        other))


def bitwise_xor(input: Any, other: Any) -> Tensor:
    return _no_grad_op("bitwise_xor", np.bitwise_xor, *_integer_operands("bitwise_xor", input,
                                                                          other))


def _shift(name: str, a: Tensor, b: Tensor, left: bool) -> Tensor:
    """Shifts by a negative count or by the type's width or more give 0 (-1 for a right shift
    of a negative number), as in PyTorch, where numpy's result depends on the machine."""
    a, b = _integer_operands(name, a, b)
    if a.dtype == np.bool_ or b.dtype == np.bool_:
        a, b = operands(cast(a, np.int64) if a.dtype == np.bool_ else a,
                        cast(b, np.int64) if b.dtype == np.bool_ else b)

    def fn(x: np.ndarray, n: np.ndarray) -> np.ndarray:
        dtype = np.result_type(x, n)
        bits = np.dtype(dtype).itemsize * 8
        out_of_range = (n < 0) | (n >= bits)
        safe = np.where(out_of_range, 0, n).astype(dtype)
        shifted = np.left_shift(x, safe) if left else np.right_shift(x, safe)
        overflow = 0 if left else np.where(x < 0, -1, 0)
        return np.where(out_of_range, overflow, shifted).astype(dtype)

    return _no_grad_op(name, fn, a, b)


def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    return _shift("bitwise_left_shift", input, other, left=True)


def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    """Arithmetic shift: negative numbers stay negative."""
    return _shift("bitwise_right_shift", input, other, left=False)


# *** more of PyTorch's elementwise functions (tmethods) ***
class XLogY(Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with np.errstate(all="ignore"):
            out = x.array * np.log(y.array)
        return np.where((x.array == 0) & ~np.isnan(y.array), 0, out).astype(out.dtype)

    @staticmethod
    def backward(ctx, g):
        """d/dx x log y = log y, as xlogy(g, y), and 0 where x == 0 and y <= 0 (PyTorch's
        choice at the edge); d/dy = x / y"""
        x, y = ctx.saved_tensors
        grad_x = None
        if ctx.needs_input_grad[0]:
            edge = Tensor._make((x.array == 0) & (y.array <= 0))
            grad_x = where(edge, 0.0, XLogY.apply(g, y))
        return grad_x, g * x / y if ctx.needs_input_grad[1] else None


class Sinc(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _quiet(np.sinc, x.array).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        """d/dx sin(pi x) / (pi x) = (cos(pi x) - sinc x) / x, 0 at x = 0"""
        (x,) = ctx.saved_tensors
        at_zero = Tensor._make(x.array == 0)
        safe_x = where(at_zero, 1.0, x)
        return g * where(at_zero, 0.0, (cos(safe_x * math.pi) - sinc(safe_x)) / safe_x)


# Giles (2010), "Approximating the erfinv function": erfinv(y) ~ y p(w), w = -log(1 - y^2),
# relative error ~1e-7 for |y| < 1 - 6e-8 (a start for Newton's method beyond); Newton steps
# on erf (on log erfc near +-1) then bring it to float64 accuracy
_ERFINV_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                   0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
                0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def erfinv_array(y: np.ndarray) -> np.ndarray:
    """The inverse of erf on [-1, 1] (+-inf at +-1, nan outside), float64 accurate."""
    y64 = y.astype(np.float64)
    a = np.abs(y64)
    with np.errstate(all="ignore"):
        w = -np.log((1 - a) * (1 + a))
        central = np.polyval(_ERFINV_CENTRAL, w - 2.5)
        tail = np.polyval(_ERFINV_TAIL, np.sqrt(w) - 3)
        x = a * np.where(w < 5, central, tail)
        inside = a < 1
        for _ in range(4):  # Newton on erf(x) = a, or on log erfc(x) = log(1 - a) if a > 1/2
            xs = np.where(inside, x, 0.0)
            slope = _TWO_OVER_SQRT_PI * np.exp(-xs * xs)  # d/dx erf x
            erfc_x = erfc_array(xs)
            step = np.where(a > 0.5, (np.log(1 - a) - np.log(erfc_x)) * erfc_x,
                            erf_array(xs) - a) / slope
            x = np.where(inside, xs - step, x)
        x = np.where(a == 1, np.inf, np.where(a > 1, np.nan, x))
    return np.copysign(x, y64).astype(y.dtype)


class Erfinv(Function):
    @staticmethod
    def forward(ctx, y):
        out = erfinv_array(y.array)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dy erfinv y = sqrt(pi) / 2 e^(erfinv(y)^2)"""
        (x,) = ctx.saved_tensors
        return g * exp(x * x) / _TWO_OVER_SQRT_PI


def xlogy(input: Any, other: Any) -> Tensor:
    """input log(other), 0 where input == 0 (unless other is nan)."""
    return XLogY.apply(*_float_operands(input, other))


def sinc(input: Tensor) -> Tensor:
    """sin(pi x) / (pi x), 1 at x = 0."""
    return Sinc.apply(_floating(input))


def erfinv(input: Tensor) -> Tensor:
    """The inverse of erf: erfinv(erf(x)) = x; +-inf at +-1, nan outside [-1, 1]."""
    return Erfinv.apply(_floating(input))


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""
    p = _floating(input)
    if eps is not None and eps > 0.5:  # bounds crossed: below eps reads eps, as PyTorch
        a = p.array
        fill = np.where(a < eps, eps, np.where(a > 1 - eps, 1 - eps, np.nan))
        kept = np.isnan(fill)
        p = p * Tensor._make(kept.astype(a.dtype)) + Tensor._make(
            np.where(kept, 0, fill).astype(a.dtype))
    elif eps is not None:
        p = p.clamp(eps, 1 - eps)
    with np.errstate(all="ignore"):
        return log(p / (1 - p))


def logaddexp2(input: Any, other: Any) -> Tensor:
    """log2(2^input + 2^other) without overflow."""
    a, b = _float_operands(input, other)
    return logaddexp(a * _LN2, b * _LN2) / _LN2


def float_power(input: Any, exponent: Any) -> Tensor:
    """input ** exponent computed in float64 (PyTorch's double precision power)."""
    return constant(input).to(np.float64) ** constant(exponent).to(np.float64)


def deg2rad(input: Tensor) -> Tensor:
    """Degrees to radians: x pi / 180."""
    return _floating(input) * (math.pi / 180)


def rad2deg(input: Tensor) -> Tensor:
    """Radians to degrees: x 180 / pi."""
    return _floating(input) * (180 / math.pi)


def ldexp(input: Any, other: Any) -> Tensor:
    """input 2^other."""
    a, b = _float_operands(input, other)
    return a * exp2(cast(b, a.dtype))


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """nan, +inf and -inf replaced (by 0 and the dtype's largest and lowest finite values
    unless given); the gradient is zero at the replaced elements."""
    if input.dtype.kind != "f":
        return input.clone()
    info = np.finfo(input.dtype)
    x = where(Tensor._make(np.isnan(input.array)), nan, input)
    x = where(Tensor._make(np.isposinf(input.array)), info.max if posinf is None else posinf, x)
    return where(Tensor._make(np.isneginf(input.array)), info.min if neginf is None else neginf,
                 x)


def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
    """input + value tensor1 tensor2."""
    product = constant(tensor1) * tensor2
    return input + (product if value == 1 else product * value)


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
    """input + value tensor1 / tensor2 (integer tensors are refused, as in PyTorch)."""
    t1, t2 = constant(tensor1), constant(tensor2)
    if t1.dtype.kind in "biu" and t2.dtype.kind in "biu":
        raise RuntimeError("addcdiv: integer division is not supported; use "
                           "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype)")
    quotient = t1 / t2
    return input + (quotient if value == 1 else quotient * value)


def fmax(input: Any, other: Any) -> Tensor:
    """The elementwise maximum, ignoring nan (nan only where both are nan)."""
    a, b = operands(input, other)
    return where(Tensor._make(np.isnan(b.array) | (a.array >= b.array)), a, b)


def fmin(input: Any, other: Any) -> Tensor:
    """The elementwise minimum, ignoring nan (nan only where both are nan)."""
    a, b = operands(input, other)
    return where(Tensor._make(np.isnan(b.array) | (a.array <= b.array)), a, b)


def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set (negative numbers and -0.0)."""
    return _no_grad_op("signbit", np.signbit, input)


def isposinf(input: Tensor) -> Tensor:
    return _no_grad_op("isposinf", np.isposinf, input)


def isneginf(input: Tensor) -> Tensor:
    return _no_grad_op("isneginf", np.isneginf, input)


def isreal(input: Tensor) -> Tensor:
    """True where the imaginary part is 0: everywhere for real tensors."""
    return _no_grad_op("isreal", np.isreal, input)


def gcd(input: Any, other: Any) -> Tensor:
    """The greatest common divisor of integers (non-negative)."""
    return _no_grad_op("gcd", np.gcd, *_integer_operands("gcd", input, other))


def lcm(input: Any, other: Any) -> Tensor:
    """The least common multiple of integers (non-negative)."""
    return _no_grad_op("lcm", np.lcm, *_integer_operands("lcm", input, other))


def frexp(input: Tensor) -> tuple[Tensor, Tensor]:
    """(mantissa, exponent) with input = mantissa 2^exponent, |mantissa| in [0.5, 1); the
    exponent as int32. No gradient."""
    if input.dtype.kind != "f":
        raise RuntimeError(f"frexp: expected a floating point tensor, got {input.dtype}")
    mantissa, exponent = np.frexp(input.array)
    return Tensor._make(mantissa), Tensor._make(exponent.astype(np.int32))


def nextafter(input: Any, other: Any) -> Tensor:
    """The next floating point value after input towards other."""
    return _no_grad_op("nextafter", np.nextafter, *operands(input, other))


def angle(input: Tensor) -> Tensor:
    """The argument of a real number: pi where input < 0, else 0 (nan stays nan); no gradient,
    as in PyTorch for real tensors. A complex input gives its arguments in (-pi, pi]."""
    if input.array.dtype.kind == "c":
        return _complex_values("angle", np.angle, input)
    return _no_grad_op("angle", lambda a: np.where(a < 0, np.pi, np.where(np.isnan(a), a, 0))
                       .astype(a.dtype), _floating(input))


# *** log-gamma and its derivatives, with numpy and the standard library (tmethods) ***
# the Bernoulli numbers B_2, B_4, ..., B_16 of the asymptotic series of digamma and Hurwitz zeta
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)
_SHIFT_TO = 12.0  # the series are used from here on, where 8 terms give float64 accuracy


def _lgamma_array(x: np.ndarray) -> np.ndarray:
    """log|Gamma(x)| elementwise with math.lgamma (inf at the poles 0, -1, -2, ...)."""
    def one(v: float) -> float:
        try:
            return math.lgamma(v)
        except ValueError:
            return math.inf
    return np.asarray(np.frompyfunc(one, 1, 1)(x)).astype(x.dtype)


def _shift_count(x: np.ndarray) -> int:
    """The integer n that moves every element of x up to at least _SHIFT_TO; the recurrences
    then add the terms at x, x + 1, ..., x + n - 1."""
    finite = x[np.isfinite(x)]
    low = finite.min() if finite.size else _SHIFT_TO
    return int(max(0.0, math.ceil(_SHIFT_TO - low)))


def _digamma_array(x: np.ndarray) -> np.ndarray:
    """psi(x) = d/dx log Gamma(x): psi(x) = psi(x + n) - sum_k 1/(x + k) (reflection
    psi(1 - x) - pi cot(pi x) first for x < 0), then log y - 1/(2y) - sum B_2k/(2k y^2k);
    -inf at 0, nan at the negative integers, as PyTorch."""
    x64 = x.astype(np.float64)
    with np.errstate(all="ignore"):
        negative = x64 < 0
        y = np.where(negative, 1 - x64, x64)
        n = _shift_count(y)
        total = np.zeros_like(y)
        for k in range(n):
            total -= 1 / (y + k)
        y = y + n
        inv2 = 1 / (y * y)
        series = np.zeros_like(y)
        for k, b in reversed(list(enumerate(_BERNOULLI, start=1))):
            series = (series + b / (2 * k)) * inv2
        out = total + np.log(y) - 0.5 / y - series
        out = np.where(negative, out - np.pi / np.tan(np.pi * x64), out)
        out = np.where(x64 == 0, -np.inf, np.where(negative & (x64 == np.floor(x64)), np.nan,
                                                    out))
    return out.astype(x.dtype)


def _polygamma_array(order: int, x: np.ndarray) -> np.ndarray:
    """psi^(m)(x) = (-1)^(m+1) m! zeta(m + 1, x) for m >= 1, the Hurwitz zeta summed up to
    x + n and then by its Euler-Maclaurin series."""
    s = order + 1
    x64 = x.astype(np.float64)
    with np.errstate(all="ignore"):
        n = _shift_count(x64)
        zeta = np.zeros_like(x64)
        for k in range(n):
            zeta += (x64 + k) ** -s
        y = x64 + n
        zeta += y ** (1 - s) / (s - 1) + 0.5 * y**-s
        rising, power, factorial = float(s), y ** (-s - 1), 1.0
        for j, b in enumerate(_BERNOULLI, start=1):  # B_2j / (2j)! s (s+1) ... (s+2j-2)
            factorial *= (2 * j - 1) * 2 * j
            zeta += b * rising / factorial * power
            rising *= (s + 2 * j - 1) * (s + 2 * j)
            power = power / (y * y)
        out = (-1) ** (order + 1) * math.factorial(order) * zeta
        out = np.where((x64 <= 0) & (x64 == np.floor(x64)), np.inf if order % 2 else -np.inf,
                       out)
    return out.astype(x.dtype)


class Lgamma(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _lgamma_array(x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx log Gamma(x) = digamma(x)"""
        (x,) = ctx.saved_tensors
        return g * digamma(x)


class Polygamma(Function):
    """psi^(order)(x); order 0 is digamma."""

    @staticmethod
    def forward(ctx, x, order):
        ctx.save_for_backward(x)
        ctx.order = order
        return _digamma_array(x.array) if order == 0 else _polygamma_array(order, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx psi^(m)(x) = psi^(m+1)(x)"""
        (x,) = ctx.saved_tensors
        return g * Polygamma.apply(x, ctx.order + 1), None


def lgamma(input: Tensor) -> Tensor:
    """log|Gamma(x)| (inf at 0, -1, -2, ...)."""
    return Lgamma.apply(_floating(input))


def digamma(input: Tensor) -> Tensor:
    """psi(x) = d/dx log Gamma(x)."""
    return Polygamma.apply(_floating(input), 0)


def polygamma(n: int, input: Tensor) -> Tensor:
    """The n-th derivative of digamma."""
    if isinstance(n, Tensor) and n.ndim == 0 and n.dtype.kind in "iu":
        n = int(n.item())
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"polygamma: n must be an int, got {n!r}")
    if n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n, got {n}")
    return Polygamma.apply(_floating(input), int(n))


def mvlgamma(input: Tensor, p: int) -> Tensor:
    """The multivariate log-gamma of dimension p: p(p-1)/4 log pi + sum_j lgamma(x - j/2)
    (inf or nan where an element is not above (p - 1) / 2, as PyTorch 2.13)."""
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
        raise TypeError(f"mvlgamma: p must be an int, got {p!r}")
    if p < 1:
        raise RuntimeError(f"mvlgamma: p has to be greater than or equal to 1, got {p}")
    x = _floating(input)
    terms = lgamma(x.unsqueeze(-1) - Tensor._make(np.arange(p, dtype=x.dtype) / 2)).sum(-1)
    return terms + p * (p - 1) / 4 * math.log(math.pi)


def rsub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """other - alpha input (subtraction with the operands swapped)."""
    return constant(other) - (input if alpha == 1 else constant(input) * alpha)
