"""Fused neural-network ops with hand-derived backward passes: softmax, log-softmax,
cross-entropy, and the normalization behind layer norm and batch norm.

Each is one op for speed and numerical stability (no log of a softmax, no overflow for large
logits). Their backward passes recompute what they need with Tensor ops, so they can be
differentiated again; cross-entropy's is the fused CrossEntropyGrad of ops/fused.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.function import Function
from minigrad.ops import fused
from minigrad.ops._common import canonical_dim, canonical_dims, check_reduction, constant
from minigrad.ops.elementwise import _refuse_non_float
from minigrad.tensor import Tensor


def _shifted_exp(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x - max, exp(x - max), sum of that exp) along axis: softmax and log-softmax from these
    cannot overflow. An empty axis gives empty results, as in PyTorch."""
    if x.ndim and x.shape[axis] == 0:
        return x, x, np.ones(x.shape[:axis] + (1,) + x.shape[axis + 1:], x.dtype)
    with np.errstate(invalid="ignore"):  # a row of -inf gives nan, as torch, without a warning
        shifted = x - _max_along(x, axis)
    e = np.exp(shifted)
    return shifted, e, e.sum(axis=axis, keepdims=True)


def _max_along(x: np.ndarray, axis: int) -> np.ndarray:
    """x.max(axis, keepdims=True). numpy reduces many short rows of a C-ordered matrix one row
    at a time (44 us for (1024, 10) logits); down the columns of a transposed copy it takes 4.5
    us, and a max is the same in any order."""
    if x.ndim == 2 and axis in (1, -1) and x.shape[1] <= 32 and x.flags.c_contiguous:
        return np.ascontiguousarray(x.T).max(axis=0)[:, None]
    return x.max(axis=axis, keepdims=True)


def _log_softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
    shifted, _, total = _shifted_exp(x, axis)
    return shifted - np.log(total)


def _softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
    _, e, total = _shifted_exp(x, axis)
    return e / total


class Softmax(Function):
    @staticmethod
    def forward(ctx, x, dim):
        out = np.asarray(_softmax_array(x.array, dim))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        """dx = s * (g - sum(g * s))"""
        (s,) = ctx.saved_tensors
        return s * (g - (g * s).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, x, dim):
        out = np.asarray(_log_softmax_array(x.array, dim))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        """dx = g - softmax(x) * sum(g)"""
        (out,) = ctx.saved_tensors
        return g - out.exp() * g.sum(ctx.dim, keepdim=True), None


class CrossEntropy(Function):
    @staticmethod
    def forward(ctx, logits, target, reduction):
        """loss = log(sum(exp(x))) - x[target] per example, both sides shifted by the row's max
        so exp cannot overflow; softmax is kept for backward."""
        ctx.save_for_backward(logits, target)
        ctx.reduction = reduction
        shifted, e, total = _shifted_exp(logits.array, 1)
        ctx.probs = e / total
        log_total = np.log(total)
        if target.array.dtype.kind in "iu":
            losses = log_total.reshape(-1)
            losses -= _pick(shifted, target.array)  # log_total is a fresh array
        else:
            losses = -(target.array * (shifted - log_total)).sum(axis=1)
        if reduction == "none":
            return losses
        total = losses.sum()  # (ndarray.mean runs Python: 5 us a call)
        if reduction == "mean":  # the mean of no losses is nan, as in torch
            total = total / len(losses) if len(losses) else total * np.nan
        return np.asarray(total)

    @staticmethod
    def backward(ctx, g):
        """d loss / d logits = softmax(logits) - y per example (y one-hot, or probabilities that
        sum to 1), times g, divided by the batch size for reduction='mean'."""
        logits, target = ctx.saved_tensors
        factor = 1.0 / max(len(logits.array), 1) if ctx.reduction == "mean" else 1.0
        grad_target = None
        if ctx.needs_input_grad[1]:
            scale = g.reshape(-1, 1) if g.ndim else g * factor
            grad_target = -logits.log_softmax(1) * scale
        grad_logits = fused.CrossEntropyGrad.apply(logits, target, g, factor, ctx.probs)
        return grad_logits, grad_target, None


def _pick(values: np.ndarray, target: np.ndarray) -> np.ndarray:
    """values[i, target[i]] for each row i, or an IndexError naming the first target out of
    range. Cast to unsigned, a negative target becomes huge, so one max finds both kinds."""
    classes = values.shape[1]
    unsigned = target.view(np.uint64) if target.itemsize == 8 else target.astype(np.uint64)
    if len(target) and unsigned.max() >= classes:
        bad = target[(target < 0) | (target >= classes)][0]
        raise IndexError(f"cross_entropy: target {bad} is out of range for {classes} classes")
    return values[np.arange(len(values)), target]


def _standardize(x: Tensor, dims: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor]:
    """(x - mean) / sqrt(var + eps) over dims, with the biased variance, and 1/sqrt(var + eps)."""
    centered = x - x.mean(dims, keepdim=True)
    rstd = ((centered * centered).mean(dims, keepdim=True) + eps) ** -0.5
    return centered * rstd, rstd


class Standardize(Function):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, statistics over dims."""

    @staticmethod
    def forward(ctx, x, weight, bias, dims, eps):
        ctx.save_for_backward(x, weight)
        ctx.dims, ctx.eps = dims, eps
        y, _ = _standardize(x, dims, eps)
        y = y.array
        if weight is not None:
            y = y * weight.array
        return y if bias is None else y + bias.array

    @staticmethod
    def backward(ctx, g):
        """With g_hat = g * weight: dx = rstd (g_hat - mean(g_hat) - x_hat mean(g_hat x_hat)),
        dweight = g x_hat and dbias = g (the engine sums them to the parameters' shapes)."""
        x, weight = ctx.saved_tensors
        dims = ctx.dims
        x_hat, rstd = _standardize(x, dims, ctx.eps)
        g_hat = g if weight is None else g * weight
        grad_x = rstd * (g_hat - g_hat.mean(dims, keepdim=True)
                         - x_hat * (g_hat * x_hat).mean(dims, keepdim=True))
        _, need_w, need_b = ctx.needs_input_grad[:3]
        return grad_x, g * x_hat if need_w else None, g if need_b else None, None, None


# *** functional API ***
def softmax(x: Tensor, dim: int) -> Tensor:
    """exp(x) / sum(exp(x)) along dim."""
    _refuse_non_float("softmax", x)
    return Softmax.apply(x, canonical_dim(dim, x.ndim, "softmax"))


def log_softmax(x: Tensor, dim: int) -> Tensor:
    """x - logsumexp(x) along dim: the log of softmax without its underflow."""
    _refuse_non_float("log_softmax", x)
    return LogSoftmax.apply(x, canonical_dim(dim, x.ndim, "log_softmax"))



def cross_entropy(logits: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy of logits (N, C) against class indices (N,) or class
    probabilities / one-hot rows (N, C)."""
    target = constant(target, logits) if not isinstance(target, Tensor) else target
    check_reduction(reduction, "cross_entropy")
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: logits must have shape (N, C), got {logits.shape}")
    n = logits.array.shape[0]
    kind = target.array.dtype.kind
    if kind in "iu":
        if target.array.shape != (n,):
            raise ValueError(f"cross_entropy: class-index target must have shape ({n},) for "
                             f"logits of shape {logits.shape}, got {target.shape}")
    elif kind == "f":
        if target.shape != logits.shape:
            raise ValueError(f"cross_entropy: probability target must have the logits' shape "
                             f"{logits.shape}, got {target.shape}")
    else:
        raise TypeError(f"cross_entropy: target must be integer class indices or float "
                        f"probabilities, got {target.dtype}")
    return CrossEntropy.apply(logits, target, reduction)


def standardize(x: Tensor, dims: int | Sequence[int], weight: Tensor | None = None,
              bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Standardize x over dims (biased variance), then scale and shift; weight and bias must
    broadcast against x. Layer norm and batch norm are this op over different dims."""
    dims = canonical_dims(dims, x.ndim, "standardize")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and np.broadcast_shapes(p.shape, x.shape) != x.shape:
            raise ValueError(f"standardize: {name} of shape {p.shape} does not broadcast to the "
                             f"input's shape {x.shape}")
    return Standardize.apply(x, weight, bias, dims, float(eps))
