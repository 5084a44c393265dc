"""Activation functions with PyTorch's names, arguments and gradients (also at the kinks).

Most are built from other ops, whose backward is then reused; gelu, the elu family, logsigmoid
and hardtanh are Functions of their own (one node for a common op, or PyTorch's formulas and its
gradient at the kinks)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.function import Function
from minigrad.ops._common import canonical_dim
from minigrad.ops.elementwise import _mask, clamp, exp, sigmoid, tanh, where
from minigrad.ops.math import erf, erf_array, log1p
from minigrad.ops.neural import softmax
from minigrad.tensor import Tensor

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
# SELU's constants (Klambauer et al. 2017), as PyTorch has them
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class Gelu(Function):
    @staticmethod
    def forward(ctx, x):
        cdf = 0.5 * (1 + erf_array(x.array * _SQRT_HALF))
        ctx.save_for_backward(x)
        ctx.cdf = cdf
        out = x.array * cdf
        if out.dtype == np.float32 and out.size > 1 and x.array.flags.c_contiguous and not (
                out.max() < _ONEDNN_OVERFLOW):  # (max is nan or inf when such values occur)
            return _gelu_as_onednn(x.array, cdf)
        return out

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return GeluGrad.apply(g, x, ctx.cdf)


_ONEDNN_OVERFLOW = np.finfo(np.float32).max / 2  # where x (1 + erf) overflows in float32


def _gelu_as_onednn(x: np.ndarray, cdf: np.ndarray) -> np.ndarray:
    """gelu as PyTorch computes a contiguous float32 tensor of several elements (with oneDNN):
    0.5 (x (1 + erf)), where x (1 + erf) overflows to inf above 1.7e38 and gelu(inf) is nan.
    Other tensors (one element, strided, float64) get x Phi(x), with gelu(inf) = inf."""
    with np.errstate(over="ignore"):
        out = x * (cdf * 2) * np.float32(0.5)
    return np.where(x == np.inf, np.float32(np.nan), out)


class GeluGrad(Function):
    """g (Phi(x) + x phi(x)), gelu's gradient (Phi and phi the normal cdf and density), as one op
    that reuses forward's Phi(x): erf is the costly part. Its own backward is written with
    Tensor ops, so gelu has derivatives of every order (the op table checks the second)."""

    @staticmethod
    def forward(ctx, g, x, cdf):
        ctx.save_for_backward(g, x)
        return g.array * (cdf + x.array * np.exp(-0.5 * x.array * x.array) * _INV_SQRT_2PI)

    @staticmethod
    def backward(ctx, gg):
        """d/dg = Phi(x) + x phi(x); d/dx = g phi(x) (2 - x^2)"""
        g, x = ctx.saved_tensors
        need_g, need_x, _ = ctx.needs_input_grad
        pdf = exp(x * x * -0.5) * _INV_SQRT_2PI
        grad_g = gg * ((erf(x * _SQRT_HALF) + 1) * 0.5 + x * pdf) if need_g else None
        grad_x = gg * g * pdf * (2 - x * x) if need_x else None
        return grad_g, grad_x, None


class Elu(Function):
    """scale x for x > 0, else alpha scale (e^(x input_scale) - 1): elu, selu and celu, with
    PyTorch's formulas (expm1 forward, e^x in the gradient, so its numbers far left too)."""

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        ctx.save_for_backward(x)
        ctx.coefficients = alpha, scale, input_scale
        a = x.array
        with np.errstate(over="ignore"):
            negative = np.expm1(np.minimum(a, 0) * input_scale) * (alpha * scale)
        return np.where(a > 0, a * scale, negative)

    @staticmethod
    def backward(ctx, g):
        """d/dx = alpha scale input_scale e^(x input_scale) for x <= 0, else scale (nan too,
        as in PyTorch)"""
        (x,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.coefficients
        slope = exp(clamp(x, max=0) * input_scale) * (alpha * scale * input_scale)
        return g * where(x.array <= 0, slope, scale), None, None, None


class LogSigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = x.array
        return np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a)))  # never overflows

    @staticmethod
    def backward(ctx, g):
        """d/dx log sigmoid(x) = sigmoid(-x)"""
        (x,) = ctx.saved_tensors
        return g * sigmoid(-x)


class Hardtanh(Function):
    """x limited to [min_val, max_val]; unlike clamp, no gradient at the bounds themselves, and
    the gradient passes at nan (as in PyTorch)."""

    @staticmethod
    def forward(ctx, x, min_val, max_val):
        ctx.save_for_backward(x)
        ctx.bounds = min_val, max_val
        return np.clip(x.array, min_val, max_val)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        low, high = ctx.bounds
        return g * _mask(~((x.array <= low) | (x.array >= high)), g), None, None


class Hardsigmoid(Function):
    """(x + 3) / 6 limited to [0, 1]; gradient 1/6 strictly inside (-3, 3), else 0 (nan too,
    as in PyTorch, unlike hardtanh)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.clip((x.array + 3) / 6, 0.0, 1.0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _mask((x.array > -3) & (x.array < 3), g) / 6


class Hardswish(Function):
    """x min(max(x + 3, 0), 6) / 6, PyTorch's formula; the gradient is 0 up to -3, x/3 + 1/2
    strictly between -3 and 3, and 1 from 3 on and at nan (as in PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.array * np.clip(x.array + 3, 0.0, 6.0) / 6

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        slope = where(x.array < 3, x / 3 + 0.5, 1.0)
        return g * where(x.array <= -3, 0.0, slope)


def _in_place(name: str, input: Tensor, out_of_place: Callable[[Tensor], Tensor]) -> Tensor:
    """inplace=True: input overwritten with out_of_place(input) and returned, recorded for
    autograd like any in-place op (refused on a leaf that requires grad, as in PyTorch)."""
    return input._write_in_place(f"{name}_", out_of_place)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x Phi(x) (Phi the standard normal cdf); approximate='tanh' uses
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    if input.array.dtype.kind not in "fc":
        raise TypeError(f"gelu: needs a floating point tensor, got {input.dtype} (use .float())")
    if approximate == "none":
        return Gelu.apply(input)
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2 / math.pi)
        return input * 0.5 * (tanh(inner) + 1)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x sigmoid(x) (also called swish)."""
    if inplace:
        return _in_place("silu", input, silu)
    return input * sigmoid(input)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha (e^x - 1) otherwise."""
    if inplace:
        return _in_place("elu", input, lambda x: elu(x, alpha))
    return Elu.apply(input, alpha, 1.0, 1.0)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale elu(x, alpha) with the self-normalizing constants."""
    if inplace:
        return _in_place("selu", input, selu)
    return Elu.apply(input, SELU_ALPHA, SELU_SCALE, 1.0)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha (e^(x/alpha) - 1) otherwise."""
    if inplace:
        return _in_place("celu", input, lambda x: celu(x, alpha))
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0")
    return Elu.apply(input, alpha, 1.0, 1.0 / alpha)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + e^(beta x)) / beta, and x itself where beta x > threshold."""
    scaled = input * beta
    smooth = log1p(exp(clamp(scaled, max=threshold))) / beta  # clamped: e^big never overflows
    return where(scaled.array > threshold, input, smooth)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x tanh(softplus(x))."""
    if inplace:
        return _in_place("mish", input, mish)
    return input * tanh(softplus(input))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    if inplace:
        return _in_place("hardtanh", input, lambda x: hardtanh(x, min_val, max_val))
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    return Hardtanh.apply(input, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)"""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """(x + 3) / 6, limited to [0, 1]."""
    if inplace:
        return _in_place("hardsigmoid", input, hardsigmoid)
    return Hardsigmoid.apply(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x hardsigmoid(x)"""
    if inplace:
        return _in_place("hardswish", input, hardswish)
    return Hardswish.apply(input)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)"""
    return input / (input.abs() + 1)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), without overflow."""
    return LogSigmoid.apply(input)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a sigmoid(b), a and b the two halves of input along dim."""
    d = canonical_dim(dim, input.ndim, "glu")
    n = input.shape[d]
    if n % 2:
        raise ValueError(f"glu: halving dimension {dim} needs an even size, got {n}")
    before = (slice(None),) * d
    return input[(*before, slice(0, n // 2))] * sigmoid(input[(*before, slice(n // 2, n))])


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, weight x otherwise; weight has one element, or one per channel (dim 1)."""
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.array.size not in (1, channels):
        raise ValueError(f"prelu: weight has {weight.array.size} elements; expected 1 or the "
                         f"number of channels, {channels}")
    if weight.array.size > 1:
        weight = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    elif weight.ndim:
        weight = weight.reshape(())
    return where(input.array > 0, input, weight * input)


def legacy_softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    """The dim PyTorch picks when softmax is called without one (0 for 0-, 1- and 3-d input,
    else 1), with its deprecation warning."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """softmax(-x) along dim; dim=None takes PyTorch's legacy choice, with its warning."""
    if dim is None:
        dim = legacy_softmax_dim("softmin", input.ndim, _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, dim)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """value where x <= threshold, else x (nan included, as in PyTorch)."""
    if inplace:
        return _in_place("threshold", input,
                         lambda x: where(x.array <= threshold, value, x))
    return where(input.array <= threshold, value, input)



def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """0 where |x| <= lambd, else x (nan too, as in PyTorch)."""
    return where(Tensor._make(np.abs(input.array) <= lambd), 0.0, input)
