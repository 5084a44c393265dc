"""Elementwise ops. Binary ops broadcast as numpy does; the engine sums each gradient back to its
input's shape, so no op here undoes broadcasting itself."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from minigrad.dtypes import get_default_dtype
from minigrad.function import (
    DTypeError,
    Function,
    is_grad_enabled,
    raise_if_not_broadcastable,
)
from minigrad.ops import fused
from minigrad.ops._common import constant, operands
from minigrad.tensor import Tensor


# *** binary ops ***
class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a.array + b.array

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a.array - b.array

    @staticmethod
    def backward(ctx, g):
        return g, -g if ctx.needs_input_grad[1] else None


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad  # save only what backward uses (in-place checks)
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return a.array * b.array

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return g * b if need_a else None, g * a if need_b else None


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.asarray(a.array / b.array)
        ctx.save_for_backward(b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d(a/b) = da / b - (a/b) db / b"""
        b, out = ctx.saved_tensors
        g_a = g / b
        return g_a, -(g_a * out) if ctx.needs_input_grad[1] else None


class Pow(Function):
    @staticmethod
    def forward(ctx, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.asarray(a.array ** b.array)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d(a^b) = b a^(b-1) da + a^b log(a) db"""
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        # PyTorch's values where the base is 0: no gradient to a where b == 0 (a^0 is 1 for every
        # a), none to b where a == 0 and b >= 0 (0^b stays 0 or 1), so no 0 * inf = nan
        grad_a = grad_b = None
        with np.errstate(invalid="ignore"):  # the 0 * inf = nan that the masks then replace
            if need_a:
                grad_a = _zero_where(b.array == 0, g * b * a ** (b - 1))
            if need_b:
                grad_b = _zero_where((a.array == 0) & (b.array >= 0), g * out * log(a))
        return grad_a, grad_b


def _zero_where(mask: np.ndarray, grad: Tensor) -> Tensor:
    """grad with zeros where mask holds (skipped when it holds nowhere, the common case)."""
    return where(mask, 0.0, grad) if mask.any() else grad


class Maximum(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a.array, b.array)

    @staticmethod
    def backward(ctx, g):
        """The gradient goes to the larger input; a tie splits it in half, as in PyTorch."""
        a, b = ctx.saved_tensors
        share_a = (a.array > b.array) + 0.5 * (a.array == b.array)
        share_a = Tensor._make(share_a.astype(g.dtype))
        return g * share_a, g * (1 - share_a)


class Where(Function):
    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        return np.where(condition.array, a.array, b.array)

    @staticmethod
    def backward(ctx, g):
        (condition,) = ctx.saved_tensors
        _, need_a, need_b = ctx.needs_input_grad
        return (None, where(condition, g, 0.0) if need_a else None,
                where(condition, 0.0, g) if need_b else None)


# *** unary ops ***
class Neg(Function):
    @staticmethod
    def forward(ctx, x):
        return -x.array

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):  # e^x = inf beyond float range, as torch (no warning)
            out = np.asarray(np.exp(x.array))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx e^x = e^x"""
        (out,) = ctx.saved_tensors
        return g * out


class Log(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx log x = 1 / x"""
        (x,) = ctx.saved_tensors
        return g / x


class Sqrt(Function):
    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            out = np.asarray(np.sqrt(x.array))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx sqrt(x) = 1 / (2 sqrt(x))"""
        (out,) = ctx.saved_tensors
        return g / (2 * out)


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):  # exp(-x) = inf for very negative x gives s = 0
            s = np.asarray(np.exp(-x.array))
        s += 1
        out = np.divide(1, s, out=s)  # 1 / (1 + e^-x), in one buffer (numpy's reciprocal
        # gives the same bits but is not vectorized: 42 against 22 us at (1024, 256) float32)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx sigmoid(x) = s (1 - s), as one fused op (ops/fused.py)"""
        (s,) = ctx.saved_tensors
        return fused.SigmoidGrad.apply(g, s)


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        out = np.asarray(np.tanh(x.array))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx tanh(x) = 1 - t^2"""
        (t,) = ctx.saved_tensors
        return g * (1 - t * t)


class Relu(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.maximum(x.array, 0)

    @staticmethod
    def backward(ctx, g):
        """d/dx relu(x) = 0 where x <= 0, else 1 (nan too, as in PyTorch)"""
        (x,) = ctx.saved_tensors
        return g * _mask(~(x.array <= 0), g)


class LeakyRelu(Function):
    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return np.where(x.array > 0, x.array, x.array * negative_slope)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        slope = np.where(x.array > 0, 1.0, ctx.negative_slope)
        return g * _mask(slope, g), None


class Clamp(Function):
    @staticmethod
    def forward(ctx, x, min, max):
        ctx.save_for_backward(x)
        ctx.bounds = min, max
        return np.clip(x.array, min, max)

    @staticmethod
    def backward(ctx, g):
        """The gradient passes where min <= x <= max, as in PyTorch."""
        (x,) = ctx.saved_tensors
        low, high = ctx.bounds
        inside = np.ones(x.shape, dtype=bool)
        if low is not None:
            inside &= x.array >= low
        if high is not None:
            inside &= x.array <= high
        return g * _mask(inside, g), None, None


class Cast(Function):
    @staticmethod
    def forward(ctx, x, dtype):
        ctx.source_dtype = x.dtype
        return x.array.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return cast(g, ctx.source_dtype), None


def _mask(values: np.ndarray, like: Tensor) -> Tensor:
    """A constant (not differentiated) factor in like's dtype."""
    return Tensor._make(np.asarray(values, dtype=like.dtype))


# *** functional API ***
def add(a: Any, b: Any) -> Tensor:
    return Add.apply(*operands(a, b))


def sub(a: Any, b: Any) -> Tensor:
    if _is_bool(a) or _is_bool(b):
        raise RuntimeError("sub: subtraction with a bool tensor or value is not supported, as in "
                           "PyTorch; to invert a mask use ~ or logical_not(), for xor use ^")
    return Sub.apply(*operands(a, b))


def _is_bool(value: Any) -> bool:
    if isinstance(value, Tensor):
        return value.array.dtype.kind == "b"
    return isinstance(value, (bool, np.bool_)) or (
        isinstance(value, np.ndarray) and value.dtype.kind == "b")


def mul(a: Any, b: Any) -> Tensor:
    return Mul.apply(*operands(a, b))


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """input / other; rounding_mode 'trunc' or 'floor' rounds the quotient (zero gradient)."""
    if rounding_mode is not None:
        from minigrad.ops.math import rounded_div  # math builds on this module

        return rounded_div(input, other, rounding_mode)
    a, b = operands(input, other)
    if a.dtype.kind in "biu" and b.dtype.kind in "biu":  # true division of ints gives floats
        a, b = operands(cast(a, get_default_dtype()), b)
    return Div.apply(a, b)


def pow(a: Any, b: Any) -> Tensor:
    if isinstance(b, int) and b < 0 and isinstance(a, Tensor) and a.array.dtype.kind in "iu":
        raise RuntimeError(f"pow: integers to negative integer powers are not allowed, got "
                           f"exponent {b} (use a float base or exponent)")
    a, b = operands(a, b)
    if a.array.dtype.kind in "biu":
        if a.array.dtype == np.bool_:
            raise TypeError("pow: not implemented for bool tensors (use .int() or .float())")
        if (b.array < 0).any():
            return _no_grad_op("pow", _int_pow, a, b)
    return Pow.apply(a, b)


def _int_pow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a ** b for integer tensors where some b < 0, as PyTorch: 1 and -1 keep their powers,
    every other base gives 0 (the integer part of 1 / a^|b|)."""
    odd = (b % 2).astype(bool)
    negative = np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0)).astype(a.dtype)
    return np.where(b < 0, negative, a ** np.maximum(b, 0))


def maximum(a: Any, b: Any) -> Tensor:
    return Maximum.apply(*operands(a, b))


def minimum(a: Any, b: Any) -> Tensor:
    """min(a, b) = -max(-a, -b) for floats; integers and bools, which have no gradient and
    whose negation overflows (or does not exist), go to numpy directly."""
    a, b = operands(a, b)
    if a.dtype.kind not in "fc" or b.dtype.kind not in "fc":
        return _no_grad_op("minimum", np.minimum, a, b)
    return -maximum(-a, -b)


def where(condition: Any, a: Any = None, b: Any = None) -> Any:
    """a where condition holds, else b (broadcast together); `where(condition)` alone is
    `condition.nonzero(as_tuple=True)`, the indices where it holds, as in PyTorch."""
    if a is None and b is None and isinstance(condition, Tensor):
        return condition.nonzero(as_tuple=True)
    if a is None or b is None:
        raise TypeError("where() takes a condition tensor and either both of input and other "
                        f"or neither, got input={a!r}, other={b!r}")
    if isinstance(condition, Tensor) and condition.array.dtype.kind in "fc":
        raise TypeError(f"where: condition must be a bool tensor, got {condition.dtype}")
    a, b = operands(a, b)
    return Where.apply(constant(condition), a, b)


def neg(x: Tensor) -> Tensor:
    if x.array.dtype == np.bool_:
        raise TypeError("neg: negation, the `-` operator, is not supported on bool tensors; "
                        "to invert a mask use `~` or logical_not()")
    return Neg.apply(x)


def _floating(x: Tensor) -> Tensor:
    """x, or x cast to the default float dtype when it holds integers or bools (as PyTorch
    computes exp, log, ... of them)."""
    return x if x.array.dtype.kind in "fc" else cast(x, get_default_dtype())


def exp(x: Tensor) -> Tensor:
    return Exp.apply(_floating(x))


def log(x: Tensor) -> Tensor:
    return Log.apply(_floating(x))


def sqrt(x: Tensor) -> Tensor:
    return Sqrt.apply(_floating(x))


def abs(x: Tensor) -> Tensor:
    """|x| = x sign(x); the gradient at 0 is 0, as in PyTorch. A complex x gives its real
    magnitudes."""
    if x.array.dtype.kind == "c":
        return _complex_values("abs", np.abs, x)
    return x * sign(x)


def sigmoid(x: Tensor) -> Tensor:
    return Sigmoid.apply(_floating(x))


def tanh(x: Tensor) -> Tensor:
    return Tanh.apply(_floating(x))


def relu(x: Tensor) -> Tensor:
    return Relu.apply(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    if x.array.dtype.kind not in "fc" or not isinstance(negative_slope, (int, float)):
        _refuse_non_float("leaky_relu", x)
        raise TypeError(f"leaky_relu: negative_slope must be a number, got {negative_slope!r}")
    return LeakyRelu.apply(x, negative_slope)


def _refuse_non_float(op: str, x: Tensor) -> None:
    """A TypeError (and RuntimeError, as torch's) naming the dtype unless x is a floating
    point tensor (PyTorch has no integer kernel for op)."""
    if x.array.dtype.kind not in "fc":
        raise DTypeError(f"{op}: needs a floating point tensor, got {x.dtype} (use .float())")


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """x limited to [min, max]; the bounds are numbers or tensors that broadcast with x."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        from minigrad.ops.math import clamp_tensor  # math builds on this module

        return clamp_tensor(x, min, max)
    if x.array.dtype.kind in "biu" and (isinstance(min, float) or isinstance(max, float)):
        x = cast(x, get_default_dtype())  # an int tensor clamped to a float bound: as torch
    return Clamp.apply(x, min, max)


clip = clamp


def cast(x: Tensor, dtype: Any) -> Tensor:
    dtype = np.dtype(dtype)
    return x if x.dtype == dtype else Cast.apply(x, dtype)


# *** ops with no gradient ***
def _complex_values(name: str, fn: Any, x: Tensor) -> Tensor:
    """fn of a complex tensor's values (abs, real, imag, angle, conj), outside the graph:
    minigrad has no complex autograd, so a complex tensor that requires grad is refused."""
    if x.requires_grad and is_grad_enabled():
        raise NotImplementedError(f"{name}: gradients through complex tensors (such as "
                                  "linalg.eig's) are not supported by minigrad; for a "
                                  "symmetric matrix use linalg.eigh or linalg.eigvalsh")
    return Tensor._make(np.asarray(fn(x.array)))


def _no_grad_op(name: str, fn: Any, *args: Tensor) -> Tensor:
    try:
        return Tensor._make(np.asarray(fn(*[a.array for a in args])))
    except ValueError as e:
        raise_if_not_broadcastable(name, args, e)
        raise


class PiecewiseConstant(Function):
    """fn(*inputs) for a piecewise-constant fn (sign, floor, round, ...): it stays in the graph
    with a zero gradient, as in PyTorch, so a loss that uses it can still be differentiated."""

    @staticmethod
    def forward(ctx, fn, *inputs):
        ctx.inputs_like = [(x.shape, x.dtype) for x in inputs]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(fn(*[x.array for x in inputs]))

    @staticmethod
    def backward(ctx, g):
        needs = ctx.needs_input_grad[1:]
        return (None, *[Tensor._make(np.zeros(shape, dtype)) if need else None
                         for (shape, dtype), need in zip(ctx.inputs_like, needs, strict=True)])


def sign(x: Tensor) -> Tensor:
    """-1, 0 or 1 (0 for nan, as in PyTorch; bools are their own sign); zero gradient."""
    if x.dtype == np.bool_:
        return Tensor._make(x.array.copy())
    return PiecewiseConstant.apply(_sign, x)


def _sign(a: np.ndarray) -> np.ndarray:
    signs = np.sign(a)
    return np.where(np.isnan(a), 0, signs).astype(a.dtype) if a.dtype.kind == "f" else signs


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """The unit step, as torch.heaviside: 0 where input < 0 (or nan), values where input == 0,
    1 where input > 0, in input's dtype (no gradient)."""
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside: values must be a Tensor, got {type(values).__name__}")
    if values.dtype != input.dtype:
        raise RuntimeError(f"heaviside: input ({input.dtype}) and values ({values.dtype}) must "
                           "have the same dtype")
    return _no_grad_op("heaviside", _heaviside, input, values)


def _heaviside(x: np.ndarray, values: np.ndarray) -> np.ndarray:
    return np.where(x == 0, values, x > 0).astype(x.dtype)  # np.heaviside keeps nan


def step(x: Tensor) -> Tensor:
    """Deprecated: 1 where x >= 0, else 0, as float; `heaviside(x, values=one)` under PyTorch's
    name gives the same for float input."""
    warnings.warn("minigrad.step is deprecated and will be removed: use "
                  "minigrad.heaviside(x, minigrad.ones_like(x)), PyTorch's name for the unit step",
                  DeprecationWarning, stacklevel=2)
    return Tensor._make((x.array >= 0).astype(x.dtype if x.dtype.kind == "f" else np.float32))


def lt(a: Any, b: Any) -> Tensor:
    return _no_grad_op("lt", np.less, *operands(a, b))


def le(a: Any, b: Any) -> Tensor:
    return _no_grad_op("le", np.less_equal, *operands(a, b))


def gt(a: Any, b: Any) -> Tensor:
    return _no_grad_op("gt", np.greater, *operands(a, b))


def ge(a: Any, b: Any) -> Tensor:
    return _no_grad_op("ge", np.greater_equal, *operands(a, b))


def eq(a: Any, b: Any) -> Tensor:
    return _no_grad_op("eq", np.equal, *operands(a, b))


def ne(a: Any, b: Any) -> Tensor:
    return _no_grad_op("ne", np.not_equal, *operands(a, b))
