"""Elementwise ops. Binary ops broadcast as numpy does; the engine sums each gradient back to its
input's shape, so no op here undoes broadcasting itself."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from minigrad.function import Function, raise_if_not_broadcastable
from minigrad.ops import fused
from minigrad.ops._common import constant, operands
from minigrad.tensor import Tensor


# *** binary ops ***
class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a.data + b.data

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a.data - b.data

    @staticmethod
    def backward(ctx, g):
        return g, -g if ctx.needs_input_grad[1] else None


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad  # save only what backward uses (in-place checks)
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return a.data * b.data

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return g * b if need_a else None, g * a if need_b else None


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.asarray(a.data / b.data)
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
            out = np.asarray(a.data ** b.data)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d(a^b) = b a^(b-1) da + a^b log(a) db"""
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (g * b * a ** (b - 1) if need_a else None,
                g * out * log(a) if need_b else None)


class Maximum(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a.data, b.data)

    @staticmethod
    def backward(ctx, g):
        """The gradient goes to the larger input; a tie splits it in half, as in PyTorch."""
        a, b = ctx.saved_tensors
        share_a = (a.data > b.data) + 0.5 * (a.data == b.data)
        share_a = Tensor._make(share_a.astype(g.dtype))
        return g * share_a, g * (1 - share_a)


class Where(Function):
    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        return np.where(condition.data, a.data, b.data)

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
        return -x.data

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        out = np.asarray(np.exp(x.data))
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
            return np.log(x.data)

    @staticmethod
    def backward(ctx, g):
        """d/dx log x = 1 / x"""
        (x,) = ctx.saved_tensors
        return g / x


class Sqrt(Function):
    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            out = np.asarray(np.sqrt(x.data))
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
            s = np.asarray(np.exp(-x.data))
        s += 1
        out = np.reciprocal(s, out=s)  # 1 / (1 + e^-x), in one buffer
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
        out = np.asarray(np.tanh(x.data))
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
        return np.maximum(x.data, 0)

    @staticmethod
    def backward(ctx, g):
        """d/dx relu(x) = 1 where x > 0, else 0"""
        (x,) = ctx.saved_tensors
        return g * _mask(x.data > 0, g)


class LeakyRelu(Function):
    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return np.where(x.data > 0, x.data, x.data * negative_slope)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        slope = np.where(x.data > 0, 1.0, ctx.negative_slope)
        return g * _mask(slope, g), None


class Clamp(Function):
    @staticmethod
    def forward(ctx, x, min, max):
        ctx.save_for_backward(x)
        ctx.bounds = min, max
        return np.clip(x.data, min, max)

    @staticmethod
    def backward(ctx, g):
        """The gradient passes where min <= x <= max, as in PyTorch."""
        (x,) = ctx.saved_tensors
        low, high = ctx.bounds
        inside = np.ones(x.shape, dtype=bool)
        if low is not None:
            inside &= x.data >= low
        if high is not None:
            inside &= x.data <= high
        return g * _mask(inside, g), None, None


class Cast(Function):
    @staticmethod
    def forward(ctx, x, dtype):
        ctx.source_dtype = x.dtype
        return x.data.astype(dtype)

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
    return Sub.apply(*operands(a, b))


def mul(a: Any, b: Any) -> Tensor:
    return Mul.apply(*operands(a, b))


def div(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    if a.dtype.kind in "biu" and b.dtype.kind in "biu":  # true division of ints gives floats
        a, b = operands(cast(a, np.float32), b)
    return Div.apply(a, b)


def pow(a: Any, b: Any) -> Tensor:
    return Pow.apply(*operands(a, b))


def maximum(a: Any, b: Any) -> Tensor:
    return Maximum.apply(*operands(a, b))


def minimum(a: Any, b: Any) -> Tensor:
    """min(a, b) = -max(-a, -b)"""
    a, b = operands(a, b)
    return -maximum(-a, -b)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """a where condition holds, else b (broadcast together)."""
    a, b = operands(a, b)
    return Where.apply(constant(condition), a, b)


def neg(x: Tensor) -> Tensor:
    return Neg.apply(x)


def exp(x: Tensor) -> Tensor:
    return Exp.apply(x)


def log(x: Tensor) -> Tensor:
    return Log.apply(x)


def sqrt(x: Tensor) -> Tensor:
    return Sqrt.apply(x)


def abs(x: Tensor) -> Tensor:
    """|x| = x sign(x); the gradient at 0 is 0, as in PyTorch."""
    return x * sign(x)


def sigmoid(x: Tensor) -> Tensor:
    return Sigmoid.apply(x)


def tanh(x: Tensor) -> Tensor:
    return Tanh.apply(x)


def relu(x: Tensor) -> Tensor:
    return Relu.apply(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return LeakyRelu.apply(x, negative_slope)


def clamp(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    return Clamp.apply(x, min, max)


clip = clamp


def cast(x: Tensor, dtype: Any) -> Tensor:
    dtype = np.dtype(dtype)
    return x if x.dtype == dtype else Cast.apply(x, dtype)


# *** ops with no gradient ***
def _no_grad_op(name: str, fn: Any, *args: Tensor) -> Tensor:
    try:
        return Tensor._make(np.asarray(fn(*[a.data for a in args])))
    except ValueError as e:
        raise_if_not_broadcastable(name, args, e)
        raise


def sign(x: Tensor) -> Tensor:
    return _no_grad_op("sign", np.sign, x)


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
    return Tensor._make((x.data >= 0).astype(x.dtype if x.dtype.kind == "f" else np.float32))


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
