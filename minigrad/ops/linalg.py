"""Linear algebra: matmul with numpy's broadcasting rules, and nn.Linear's fused affine map."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.function import Function
from minigrad.ops import fused
from minigrad.ops._common import operands
from minigrad.ops.shape import reshape, unsqueeze
from minigrad.tensor import Tensor


class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a.data @ b.data

    @staticmethod
    def backward(ctx, g):
        """dA = G B^T, dB = A^T G. A 1-D operand is viewed as a matrix, as forward does, and the
        engine sums broadcast batch dims back to each operand's shape."""
        a, b = ctx.saved_tensors
        a2 = unsqueeze(a, 0) if a.ndim == 1 else a
        b2 = unsqueeze(b, -1) if b.ndim == 1 else b
        batched = a2.ndim > 2 or b2.ndim > 2
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]) if batched else ()
        g2 = reshape(g, *batch, a2.shape[-2], b2.shape[-1])
        grad_a = g2 @ b2.mT if ctx.needs_input_grad[0] else None
        grad_b = a2.mT @ g2 if ctx.needs_input_grad[1] else None
        if grad_b is not None and b.ndim == 1:
            grad_b = reshape(grad_b, *grad_b.shape[:-1])
        return grad_a, grad_b


class Linear(Function):
    """x W^T + b. Just an optimization: computed as (W x^T)^T, the GEMM OpenBLAS runs faster for
    the tutorial's first layer (figures in benchmarks/README.md), whose output comes out
    feature-major, as the hand-written network keeps its activations."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        out = weight.data @ _rows(x.data).T
        if bias is not None:
            out += bias.data[:, None]  # out is a fresh array: add in place
        return out.T if x.ndim == 2 else out.T.reshape(*x.shape[:-1], len(out))

    @staticmethod
    def backward(ctx, g):
        """dx = g W, dW = g^T x (summed over every leading dim), db = sum of g, as one fused op
        (ops/fused.py); nothing is computed for an input that needs no gradient (the images of
        the first layer)."""
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        if not (need_w or need_b):  # a frozen layer: only dx = g W
            return MatMul.apply(g, weight), None, None
        grads = fused.LinearGrad.apply(g, x, weight if need_x else None)
        return grads[2] if need_x else None, grads[0], grads[1]


def _rows(t: Any) -> Any:
    """t (Tensor or array) as a matrix whose rows are its last dim: leading dims merged."""
    return t if t.ndim == 2 else t.reshape(-1, t.shape[-1])


# *** functional API ***
def matmul(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: both operands need at least 1 dim, got shapes {a.shape} and "
                         f"{b.shape}")
    k_a, k_b = a.shape[-1], b.shape[-2 if b.ndim > 1 else 0]
    if k_a != k_b:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align ({k_a} != {k_b})")
    if a.ndim > 2 or b.ndim > 2:
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise ValueError(f"matmul: batch dims of shapes {a.shape} and {b.shape} do not "
                             "broadcast") from None
    return MatMul.apply(a, b)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x W^T + b, with weight of shape (out_features, in_features) as in PyTorch."""
    x_shape, w_shape = x.data.shape, weight.data.shape
    if len(w_shape) != 2 or not x_shape or x_shape[-1] != w_shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} does not fit weight of shape "
                         f"{weight.shape} (expected last dim {weight.shape[-1]})")
    if bias is not None and bias.data.shape != w_shape[:1]:
        raise ValueError(f"linear: bias of shape {bias.shape} does not fit weight of shape "
                         f"{weight.shape} (expected ({weight.shape[0]},))")
    return Linear.apply(x, weight, bias)
