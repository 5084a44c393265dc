"""Fused backward ops: a speed layer, nothing more.

Why they exist: the backward passes of sigmoid, of nn.Linear and of cross-entropy are the hot path
of the tutorial's MLP (`benchmarks/bench_mlp.py`). Written with Tensor ops, each would be several
ops, each with its own Function.apply and temporary arrays; fused, each is one op that computes
the whole gradient in numpy. Their own backward passes are written with Tensor ops, so second
derivatives still work.

The plain ops are correct without them: each fused op returns exactly its composed form, the
formula in its docstring written with plain Tensor ops, and a plain op's backward could use
that composed form instead (slower, same numbers). Tests pin each one to its composed form
(value, gradient and second derivative) in `tests/test_fused.py`:
- `SigmoidGrad`      `test_sigmoid_grad_equals_its_composition`       (Sigmoid's backward)
- `LinearGrad`       `test_linear_grad_equals_its_composition`        (Linear's backward)
- `CrossEntropyGrad` `test_cross_entropy_grad_equals_its_composition` (CrossEntropy's backward)
and `test_plain_ops_are_correct_without_the_fused_ops` swaps all three for their composed forms
in a small network and gets the same derivatives.

Measured gains are in benchmarks/README.md, not here.
"""

from __future__ import annotations

import numpy as np

from minigrad.function import Function
from minigrad.ops.linalg import Linear, MatMul, _rows
from minigrad.tensor import Tensor


class SigmoidGrad(Function):
    """g s (1 - s), sigmoid's gradient from its output s, differentiable in g and s."""

    @staticmethod
    def forward(ctx, g, s):
        ctx.save_for_backward(g, s)
        out = 1 - s.array
        out *= s.array
        out *= g.array
        return out

    @staticmethod
    def backward(ctx, gg):
        """d/dg = s (1 - s), d/ds = g (1 - 2 s)"""
        g, s = ctx.saved_tensors
        need_g, need_s = ctx.needs_input_grad
        return gg * s * (1 - s) if need_g else None, gg * g * (1 - 2 * s) if need_s else None


class LinearGrad(Function):
    """nn.Linear's backward from the output gradient g: (g^T x, sum of g's rows), summed over every
    leading dim, and when the weight is given also g W, the input's gradient, in the layout of
    Linear's output."""

    @staticmethod
    def forward(ctx, g, x, weight):
        ctx.save_for_backward(g, x, weight)
        rows, inputs = _rows(g.array), _rows(x.array)
        if inputs.flags.f_contiguous and not inputs.flags.c_contiguous and rows.shape[1] <= 32:
            # a thin layer after a feature-major one (the tutorial's output layer): OpenBLAS
            # computes (x^T g)^T up to 1.9x quicker than g^T x here (benchmarks/README.md)
            grad_w = np.ascontiguousarray((inputs.T @ rows).T)
        else:
            grad_w = rows.T @ inputs
        grad_b = np.ones(len(rows), rows.dtype) @ rows  # BLAS's sum of rows: 3.4-4.8x quicker
        if weight is None:
            return grad_w, grad_b
        # in the layout of Linear's output (and so of g): batch-major or feature-major
        grad_x = rows @ weight.array if rows.flags.c_contiguous else (weight.array.T @ rows.T).T
        return grad_w, grad_b, grad_x if g.ndim == 2 else grad_x.reshape(*g.shape[:-1], -1)

    @staticmethod
    def backward(ctx, gg_w, gg_b, gg_x=None):
        """From d(g^T x) = dg^T x + g^T dx, d(sum g) = sum dg and d(g W) = dg W + g dW:
        dg = x gg_w^T + gg_b + gg_x W^T, dx = g gg_w and dW = g^T gg_x."""
        g, x, weight = ctx.saved_tensors
        need_g, need_x, need_weight = ctx.needs_input_grad
        grad_g = Linear.apply(x, gg_w, gg_b) if need_g else None
        if need_g and gg_x is not None:
            grad_g = grad_g + Linear.apply(gg_x, weight, None)
        return (grad_g, MatMul.apply(g, gg_w) if need_x else None,
                LinearGrad.apply(g, gg_x, None)[0] if need_weight else None)


class CrossEntropyGrad(Function):
    """(p sum(y) - y) * g * factor with p = softmax(logits), the gradient of cross-entropy; y is
    one-hot for class-index targets (sum(y) = 1), g has one value per example for
    reduction='none', and probs is p, which the forward pass kept. Differentiable again in logits,
    target and g."""

    @staticmethod
    def forward(ctx, logits, target, g, factor, probs):
        ctx.save_for_backward(logits, target, g)
        ctx.factor = factor
        c = (g.array.reshape(-1, 1) if g.ndim else g.array) * factor
        if target.dtype.kind in "iu":
            grad = probs * c
            np.subtract.at(grad, (np.arange(len(grad)), target.array),
                           c.reshape(-1) if c.ndim else c)  # one kernel where -= is three
            return grad
        return (probs * target.array.sum(axis=1, keepdims=True) - target.array) * c

    @staticmethod
    def backward(ctx, gg):
        """With p = softmax(logits), s = sum(y), c = g * factor and h = gg c s:
        d/dlogits = p (h - sum(h p)) (softmax's backward), d/dy = c (sum(gg p) - gg),
        d/dg = factor sum((p s - y) gg) over each example's classes."""
        logits, target, g = ctx.saved_tensors
        need_logits, need_target, need_g = ctx.needs_input_grad[:3]
        y = target
        if target.dtype.kind in "iu":
            y = Tensor._make(np.eye(logits.shape[1], dtype=logits.dtype)[target.array])
        c = (g.reshape(-1, 1) if g.ndim else g) * ctx.factor
        p, total = logits.softmax(1), y.sum(1, keepdim=True)
        h = gg * c * total
        return (p * (h - (h * p).sum(1, keepdim=True)) if need_logits else None,
                c * ((gg * p).sum(1, keepdim=True) - gg) if need_target else None,
                ((p * total - y) * gg).sum(1) * ctx.factor if need_g else None, None, None)
