"""minigrad.special: torch.special's functions. Most are ops of the torch namespace under
another name (expit is sigmoid, gammaln is lgamma, psi is digamma); the others (entr, ndtr,
log_ndtr, ndtri, xlog1py, log1p-style helpers) are built from those ops, so they differentiate."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad import ops
from minigrad.creation import full_like, ones_like
from minigrad.function import Function
from minigrad.ops._common import constant
from minigrad.ops.math import _float_operands, _floating
from minigrad.tensor import Tensor

# torch.special's names for functions of the torch namespace (with its argument names)
from minigrad import (  # noqa: F401  # isort: skip
    digamma, erf, erfc, erfinv, exp2, expm1, log1p, logit, logsumexp, polygamma, sinc, xlogy,
)
from minigrad import mvlgamma as multigammaln  # noqa: F401  # isort: skip
from minigrad import digamma as psi  # noqa: F401  # isort: skip
from minigrad import lgamma as gammaln  # noqa: F401  # isort: skip

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


def ndtri(input: Tensor) -> Tensor:
    """The inverse of ndtr: sqrt 2 erfinv(2p - 1)."""
    return ops.erfinv(2 * _floating(input) - 1) / _SQRT_HALF


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
