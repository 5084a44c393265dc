"""minigrad.special: torch.special's functions. Most are ops of the torch namespace under
another name (expit is sigmoid, gammaln is lgamma, psi is digamma); some (entr, ndtr,
log_ndtr, ndtri, xlog1py, log1p-style helpers) are built from those ops, so they differentiate;
the Bessel functions, erfcx, the incomplete gamma functions, zeta and the orthogonal
polynomials are computed in minigrad/ops/special.py (differentiable where torch's are)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad import ops
from minigrad.creation import full_like, ones_like
from minigrad.function import Function
from minigrad.ops._common import constant
from minigrad.ops.math import _float_operands, _floating, erfc_array, erfinv_array
from minigrad.ops.special import (  # noqa: F401  (torch.special's)
    bessel,
    erfcx,
    gammainc,
    gammaincc,
    i0e,
    i1,
    i1e,
    polynomial,
    spherical_bessel_j0,
    zeta,
)
from minigrad.tensor import Tensor

# torch.special's names for functions of the torch namespace (with its argument names)
from minigrad import (  # noqa: F401  # isort: skip
    digamma, erf, erfc, erfinv, exp2, expm1, log1p, logit, logsumexp, polygamma, sinc, xlogy,
)
from minigrad import i0  # noqa: F401  # isort: skip
from minigrad import mvlgamma as multigammaln  # noqa: F401  # isort: skip
from minigrad import digamma as psi  # noqa: F401  # isort: skip
from minigrad import lgamma as gammaln  # noqa: F401  # isort: skip



def modified_bessel_i0(input: Tensor) -> Tensor:
    """i0's values outside the graph, as torch's (which has no derivative for it)."""
    return i0(input.detach())


def modified_bessel_i1(input: Tensor) -> Tensor:
    """i1's values outside the graph, as torch's (which has no derivative for it)."""
    return i1(input.detach())


_SQRT_HALF = math.sqrt(0.5)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001  (torch's name)
    return ops.round(constant(input), decimals=decimals)


def expit(input: Tensor) -> Tensor:
    """The logistic sigmoid 1 / (1 + exp(-x))."""
    return ops.sigmoid(_floating(input))


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return ops.softmax(input if dtype is None else input.to(dtype), dim)


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    return ops.log_softmax(input if dtype is None else input.to(dtype), dim)


class Entr(Function):
    @staticmethod
    def forward(ctx, x):
        """-x log x for x > 0, 0 at 0, -inf below 0."""
        ctx.save_for_backward(x)
        a = x.array
        with np.errstate(all="ignore"):
            out = np.where(a > 0, -a * np.log(np.where(a > 0, a, 1)), np.where(a == 0, 0, -np.inf))
        return np.where(np.isnan(a), a, out).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        """d/dx (-x log x) = -(1 + log x)"""
        (x,) = ctx.saved_tensors
        return -g * (1 + ops.log(x))


def entr(input: Tensor) -> Tensor:
    """Elementwise entropy term -x log x (0 at x = 0, -inf for x < 0)."""
    return Entr.apply(_floating(input))


class XLog1pY(Function):
    @staticmethod
    def forward(ctx, x, y):
        """x log(1 + y), 0 where x == 0 unless y is nan."""
        ctx.save_for_backward(x, y)
        a, b = x.array, y.array
        with np.errstate(all="ignore"):
            out = np.where((a == 0) & ~np.isnan(b), 0, a * np.log1p(b))
        return out.astype(np.result_type(a, b))

    @staticmethod
    def backward(ctx, g):
        """d/dx = log(1 + y) (0 where x == 0), d/dy = x / (1 + y)"""
        x, y = ctx.saved_tensors
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * xlog1py((x != 0).to(x.dtype), y)
        if ctx.needs_input_grad[1]:
            gy = g * x / (1 + y)
        return gx, gy


def xlog1py(input: Any, other: Any) -> Tensor:
    """input log(1 + other), 0 where input == 0 (unless other is nan)."""
    return XLog1pY.apply(*_float_operands(input, other))


def ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF: (1 + erf(x / sqrt 2)) / 2."""
    return 0.5 * ops.erfc(-_floating(input) * _SQRT_HALF)


def _erfcinv(z: np.ndarray) -> np.ndarray:
    """x with erfc(x) = z for z in (0, 1], in float64: a start from erfinv(1 - z), or for tiny
    z from erfc(x) ~ e^(-x^2) / (x sqrt pi), then Newton on log erfc(x) = log z, which keeps
    its relative accuracy however small z is."""
    with np.errstate(all="ignore"):
        t = np.sqrt(-np.log(np.where(z < 1e-3, z, 0.5)))
        start = np.sqrt(np.maximum(t * t - np.log(t * math.sqrt(math.pi)), 0.0))
        x = np.where(z < 1e-3, start, erfinv_array(1.0 - np.minimum(z, 1.0)))
        for _ in range(5):
            tail = erfc_array(x)
            slope = -2.0 / math.sqrt(math.pi) * np.exp(-x * x) / tail  # d/dx log erfc x
            x = x - (np.log(tail) - np.log(z)) / slope
    return x


def ndtri_array(p: np.ndarray) -> np.ndarray:
    """The standard normal quantile -sqrt 2 erfcinv(2p), through the smaller tail so that
    p near 0 keeps its digits (2p - 1 would round them away); +-inf at 0 and 1, nan
    outside [0, 1]."""
    p64 = p.astype(np.float64)
    lower = p64 < 0.5
    tail = np.where(lower, p64, 1.0 - p64)
    inside = (tail > 0) & (p64 <= 1)
    x = _erfcinv(np.where(inside, 2 * tail, 1.0)) * math.sqrt(2)
    out = np.where(inside, np.where(lower, -x, x), np.where(p64 == 0, -np.inf, np.nan))
    return np.where(p64 == 1, np.inf, out).astype(p.dtype)


class Ndtri(Function):
    @staticmethod
    def forward(ctx, p):
        out = ndtri_array(p.array)
        ctx.save_for_backward(Tensor._make(out))
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dp ndtri(p) = sqrt(2 pi) e^(x^2 / 2), x = ndtri(p)"""
        (x,) = ctx.saved_tensors
        return g * ops.exp(x * x / 2) * math.sqrt(2 * math.pi)


def ndtri(input: Tensor) -> Tensor:
    """The inverse of ndtr: the standard normal quantile of p."""
    return Ndtri.apply(_floating(input))


def log_ndtr(input: Tensor) -> Tensor:
    """log ndtr(x) without underflow: log(erfc(-x / sqrt 2) / 2) down to x = -10 (-20 in
    float64), below it the asymptotic series
    -x^2/2 - log(-x) - log sqrt(2 pi) + log(1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8);
    log1p(-ndtr(-x)) above 0, where ndtr(x) is close to 1."""
    x = _floating(input)
    low = x < (-20 if x.dtype == np.float64 else -10)
    high = x > 0
    x_low = ops.where(low, x, full_like(x, -40.0))
    x_mid = ops.where(low | high, full_like(x, -1.0), x)
    x_high = ops.where(high, x, ones_like(x))
    r = 1 / (x_low * x_low)
    series = (-0.5 * x_low * x_low - ops.log(-x_low) - _LOG_SQRT_2PI
              + ops.log1p(r * (-1 + r * (3 + r * (-15 + 105 * r)))))
    middle = ops.log(0.5 * ops.erfc(-x_mid * _SQRT_HALF))
    upper = ops.log1p(-0.5 * ops.erfc(x_high * _SQRT_HALF))
    return ops.where(low, series, ops.where(high, upper, middle))


# *** orthogonal polynomials: p(input, n), values only (torch's have no derivative) ***
def _polynomial(name: str, what: str) -> Any:
    def fn(x: Any, n: Any, *, out: Tensor | None = None) -> Tensor:  # torch's names: x, n
        result = polynomial(name, x, n)
        return result if out is None else write_out(name, result, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The {what} of degree n at input (n truncated to an integer; 0 for n < 0)."
    return fn


chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t", "Chebyshev polynomial T")
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u", "Chebyshev polynomial U")
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v", "Chebyshev polynomial V")
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w", "Chebyshev polynomial W")
shifted_chebyshev_polynomial_t = _polynomial("shifted_chebyshev_polynomial_t",
                                             "shifted Chebyshev polynomial T(2x - 1)")
shifted_chebyshev_polynomial_u = _polynomial("shifted_chebyshev_polynomial_u",
                                             "shifted Chebyshev polynomial U(2x - 1)")
shifted_chebyshev_polynomial_v = _polynomial("shifted_chebyshev_polynomial_v",
                                             "shifted Chebyshev polynomial V(2x - 1)")
shifted_chebyshev_polynomial_w = _polynomial("shifted_chebyshev_polynomial_w",
                                             "shifted Chebyshev polynomial W(2x - 1)")
hermite_polynomial_h = _polynomial("hermite_polynomial_h", "physicists' Hermite polynomial H")
hermite_polynomial_he = _polynomial("hermite_polynomial_he",
                                    "probabilists' Hermite polynomial He")
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l", "Laguerre polynomial L")
legendre_polynomial_p = _polynomial("legendre_polynomial_p", "Legendre polynomial P")


# *** Bessel functions of the first and second kind: values only (torch's have no derivative) ***
def _bessel(name: str, what: str) -> Any:
    def fn(input: Any, *, out: Tensor | None = None) -> Tensor:
        result = bessel(name, input)
        return result if out is None else write_out(name, result, out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"The {what} at input, in float64 and cast back."
    return fn


bessel_j0 = _bessel("bessel_j0", "Bessel function of the first kind J0")
bessel_j1 = _bessel("bessel_j1", "Bessel function of the first kind J1")
bessel_y0 = _bessel("bessel_y0", "Bessel function of the second kind Y0")
bessel_y1 = _bessel("bessel_y1", "Bessel function of the second kind Y1")
modified_bessel_k0 = _bessel("modified_bessel_k0", "modified Bessel function K0")
modified_bessel_k1 = _bessel("modified_bessel_k1", "modified Bessel function K1")
scaled_modified_bessel_k0 = _bessel("scaled_modified_bessel_k0", "scaled e^x K0(x)")
scaled_modified_bessel_k1 = _bessel("scaled_modified_bessel_k1", "scaled e^x K1(x)")
airy_ai = _bessel("airy_ai", "Airy function Ai")


# PyTorch's out= for the functions defined here (those of the torch namespace have it already)
from minigrad.toplevel import with_torch_names, write_out  # noqa: E402  # isort: skip

entr, ndtr, ndtri, log_ndtr, xlog1py, expit, round = (  # noqa: A001  (torch's name)
    with_torch_names(fn) for fn in (entr, ndtr, ndtri, log_ndtr, xlog1py, expit, round))
(erfcx, i0e, i1, i1e, gammainc, gammaincc, zeta, spherical_bessel_j0, modified_bessel_i0,
 modified_bessel_i1) = (with_torch_names(fn) for fn in (
    erfcx, i0e, i1, i1e, gammainc, gammaincc, zeta, spherical_bessel_j0, modified_bessel_i0,
    modified_bessel_i1))  # (the Bessel functions and polynomials above take out= themselves)
