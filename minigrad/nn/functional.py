"""The functional forms of layers and losses (import as F), with PyTorch's names and arguments."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad._alias import dim_or_axis
from minigrad.autograd import increment_version
from minigrad.creation import generator
from minigrad.function import Function, ShapeError
from minigrad.ops import (
    clamp,
    index_put_add,
    linear,
    log,
    sigmoid,
    standardize,
    tanh,
    vector_norm,
    where,
)
from minigrad.ops import cross_entropy as _cross_entropy
from minigrad.ops import leaky_relu as _leaky_relu
from minigrad.ops import log_softmax as _log_softmax
from minigrad.ops import one_hot as _one_hot
from minigrad.ops import relu as _relu
from minigrad.ops import softmax as _softmax
from minigrad.ops._common import check_broadcasts_to, check_reduction, operands
from minigrad.ops.activation import legacy_softmax_dim
from minigrad.ops.conv import conv1d, conv2d, conv_transpose2d, fold, unfold
from minigrad.ops.elementwise import _refuse_non_float
from minigrad.ops.pool import (
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    interpolate,
    max_pool1d,
    max_pool2d,
)
from minigrad.tensor import Tensor

__all__ = [
    "batch_norm", "binary_cross_entropy", "cross_entropy", "dropout", "embedding", "layer_norm",
    "embedding_bag",
    "leaky_relu",
    "linear", "log_softmax", "mse_loss", "relu", "sigmoid", "softmax", "tanh",
]


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along dim, computed in dtype when given (as torch's F.softmax)."""
    if dim is None:
        dim = legacy_softmax_dim("softmax", input.ndim, _stacklevel)
    if dtype is None:
        _floats_only("softmax", input)
    return _softmax(input if dtype is None else input.to(dtype), dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """x - logsumexp(x) along dim, computed in dtype when given (as torch's F.log_softmax)."""
    if dim is None:
        dim = legacy_softmax_dim("log_softmax", input.ndim, _stacklevel)
    if dtype is None:
        _floats_only("log_softmax", input)
    return _log_softmax(input if dtype is None else input.to(dtype), dim)


def _floats_only(op: str, x: Any) -> None:
    """A TypeError naming x's dtype unless it is a floating point tensor (PyTorch has no
    integer kernel for op)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(x).__name__}")
    _refuse_non_float(op, x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope x otherwise; inplace=True overwrites x, as in PyTorch."""
    if inplace:
        return x._write_in_place("leaky_relu_", lambda old: _leaky_relu(old, negative_slope))
    return _leaky_relu(x, negative_slope)


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0); with inplace=True x itself is overwritten (and returned), as in PyTorch."""
    if not isinstance(x, Tensor):
        raise TypeError(f"relu: input must be a Tensor, got {type(x).__name__}")
    return x.relu_() if inplace else _relu(x)


def _reduce(losses: Tensor, reduction: str, name: str) -> Tensor:
    check_reduction(reduction, name)
    return losses.mean() if reduction == "mean" else losses.sum() if reduction == "sum" else losses


def _same_shape(input: Tensor, target: Any, name: str) -> Tensor:
    if not isinstance(target, Tensor):
        target = Tensor(np.asarray(target), dtype=input.dtype)
    if target.shape != input.shape:
        raise ValueError(f"{name}: input of shape {input.shape} and target of shape "
                         f"{target.shape} differ")
    return target


def _broadcast_target(input: Tensor, target: Any, name: str) -> Tensor:
    """target for a regression loss: of input's shape, or broadcast with it after PyTorch's
    warning (it is most often a (N, 1) against (N,) mistake)."""
    if not isinstance(target, Tensor):
        target = Tensor(np.asarray(target), dtype=input.dtype)
    if target.shape != input.shape:
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ShapeError(f"{name}: input of shape {input.shape} and target of shape "
                             f"{target.shape} differ and do not broadcast") from None
        warnings.warn(f"{name}: target of shape {target.shape} differs from input of shape "
                      f"{input.shape}; they are broadcast together, which is likely wrong "
                      "(as PyTorch warns)", UserWarning, stacklevel=3)
    return target


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """mean((input - target)^2)"""
    diff = input - _broadcast_target(input, target, "mse_loss")
    return _reduce(diff * diff, reduction, "mse_loss")


class BinaryCrossEntropy(Function):
    """-(y log a + (1 - y) log(1 - a)) with each log clamped at -100, and PyTorch's gradients:
    (a - y) / max(a (1 - a), 1e-12) for a (finite where a is 0 or 1) and log(1 - a) - log(a)
    for y."""

    EPS = 1e-12

    @staticmethod
    def forward(ctx, a, y):
        ctx.save_for_backward(a, y)
        with np.errstate(divide="ignore"):
            log_a, log_not_a = np.log(a.array), np.log(1 - a.array)
        return -(y.array * np.maximum(log_a, -100) + (1 - y.array) * np.maximum(log_not_a, -100))

    @staticmethod
    def backward(ctx, g):
        a, y = ctx.saved_tensors
        need_a, need_y = ctx.needs_input_grad
        grad_a = g * (a - y) / clamp((1 - a) * a, min=BinaryCrossEntropy.EPS) if need_a else None
        grad_y = g * (log(1 - a) - log(a)) if need_y else None
        return grad_a, grad_y


def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """-w (y log a + (1 - y) log(1 - a)) for probabilities a; each log is clamped at -100, as in
    PyTorch, so a = 0 or 1 gives a large finite loss rather than inf (see BinaryCrossEntropy)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _same_shape(input, target, "binary_cross_entropy")
    if target.array.dtype != input.array.dtype:
        raise RuntimeError(f"binary_cross_entropy: target dtype {target.dtype} differs from "
                           f"input dtype {input.dtype}")
    # labels are checked as torch does; a target being differentiated (gradcheck moves it by
    # +-eps around 0 and 1) is not
    if not target.requires_grad and not ((target.array >= 0) & (target.array <= 1)).all():
        raise ValueError("binary_cross_entropy: target must hold values in [0, 1] (min "
                         f"{np.nanmin(target.array):.4g}, max {np.nanmax(target.array):.4g})")
    if not ((input.array >= 0) & (input.array <= 1)).all():  # nan fails too, as in PyTorch
        raise ValueError("binary_cross_entropy: input must hold probabilities in [0, 1] "
                         f"(min {np.nanmin(input.array):.4g}, max {np.nanmax(input.array):.4g}"
                         f"{', and nan' if np.isnan(input.array).any() else ''}); "
                         "apply sigmoid first")
    losses = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        losses = losses * _broadcast_weight(weight, input, "binary_cross_entropy")
    return _reduce(losses, reduction, "binary_cross_entropy")


def _check_dropout_p(name: str, p: Any) -> None:
    """A TypeError for a p that is no number, a ValueError for one outside [0, 1]."""
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"{name}: p must be a number in [0, 1], got {p!r}")
    if not 0 <= p <= 1:
        raise ValueError(f"{name}: p must be in [0, 1], got {p}")


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (training only);
    with inplace=True x itself is overwritten (and returned)."""
    _check_dropout_p("dropout", p)
    if not training or p == 0:
        return x
    if p == 1:
        scale = 0.0
    else:
        keep = generator().random(x.shape) >= p
        scale = Tensor._make((keep / (1 - p)).astype(x.dtype))
    return x.mul_(scale) if inplace else x * scale


def layer_norm(x: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize each example over its last dims (normalized_shape), then scale and shift."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if not shape:
        raise ValueError("layer_norm: normalized_shape must hold at least one size, got ()")
    for t in (weight, bias):
        if t is not None and t.array.dtype != x.array.dtype:
            raise RuntimeError(f"layer_norm: input dtype {x.dtype} differs from the weight's "
                               f"{t.dtype} (mixed dtypes)")
    if x.shape[x.ndim - len(shape):] != shape or len(shape) > x.ndim:
        raise ValueError(f"layer_norm: normalized_shape {shape} does not match the last dims of "
                         f"the input's shape {x.shape}")
    dims = tuple(range(x.ndim - len(shape), x.ndim))
    return standardize(x, dims, weight, bias, eps)


def batch_norm(x: Tensor, running_mean: Tensor | np.ndarray | None,
               running_var: Tensor | np.ndarray | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Normalize each channel (dim 1) over the batch and any trailing dims.

    Training normalizes with the batch's biased variance and updates the running statistics in
    place, the variance with the unbiased estimate (PyTorch's semantics); evaluation normalizes
    with the running statistics, so an example's output does not depend on its batch."""
    if x.ndim not in (2, 3, 4, 5):
        raise ValueError(f"batch_norm: expected input of shape (N, C), (N, C, L), "
                         f"(N, C, H, W) or (N, C, D, H, W), got {x.shape}")
    for t in (weight, bias):
        if t is not None and t.array.dtype != x.array.dtype:
            raise RuntimeError(f"batch_norm: input dtype {x.dtype} differs from the weight's "
                               f"{t.dtype} (mixed dtypes)")
    channels = x.shape[1]
    dims = (0,) + tuple(range(2, x.ndim))
    stat_shape = (1, channels) + (1,) * (x.ndim - 2)
    weight = None if weight is None else weight.reshape(stat_shape)
    bias = None if bias is None else bias.reshape(stat_shape)
    if training:
        n = x.array.size // channels
        if n < 2:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                             f"got input of shape {x.shape}")
        if running_mean is not None and running_var is not None:
            mean = x.array.mean(axis=dims)
            var = x.array.var(axis=dims, ddof=1)
            _update_in_place(running_mean, momentum, mean)
            _update_in_place(running_var, momentum, var)
        return standardize(x, dims, weight, bias, eps)
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: evaluation needs running_mean and running_var")
    mean = _array(running_mean).reshape(stat_shape).astype(x.dtype)
    scale = (1 / np.sqrt(_array(running_var) + eps)).reshape(stat_shape).astype(x.dtype)
    y = (x - Tensor._make(mean)) * Tensor._make(scale)
    if weight is not None:
        y = y * weight
    return y if bias is None else y + bias


def _array(stat: Tensor | np.ndarray) -> np.ndarray:
    return stat.array if isinstance(stat, Tensor) else stat


def _update_in_place(stat: Tensor | np.ndarray, momentum: float, batch_value: np.ndarray) -> None:
    """running = (1 - momentum) running + momentum batch_value"""
    array = _array(stat)
    array *= 1 - momentum
    array += momentum * batch_value.astype(array.dtype)


# *** op library: losses, normalize, pad, one_hot, attention (issue 11) ***
__all__ += [
    "binary_cross_entropy_with_logits", "cosine_embedding_loss", "cosine_similarity", "huber_loss",
    "kl_div", "l1_loss", "margin_ranking_loss", "nll_loss", "normalize", "one_hot", "pad",
    "scaled_dot_product_attention", "smooth_l1_loss",
]


def _legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """PyTorch's deprecated size_average and reduce arguments, mapped onto reduction."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def _broadcast_weight(weight: Any, input: Tensor, name: str, what: str = "weight") -> Tensor:
    """weight (or a target of signs) as a Tensor of input's dtype that broadcasts to input."""
    weight = weight if isinstance(weight, Tensor) else Tensor._make(np.asarray(weight))
    check_broadcasts_to(weight.shape, input.shape, f"{name}: {what} of shape {weight.shape} "
                        f"does not broadcast to the input's shape {input.shape}")
    return weight.to(input.dtype) if weight.dtype != input.dtype else weight


def _class_weight(weight: Any, classes: int, dtype: Any, name: str) -> np.ndarray | None:
    """weight as a constant array of one value per class (PyTorch does not differentiate it)."""
    if weight is None:
        return None
    w = weight.array if isinstance(weight, Tensor) else np.asarray(weight)
    if isinstance(weight, Tensor) and w.dtype != dtype:
        raise RuntimeError(f"{name}: weight dtype {weight.dtype} differs from the input's "
                           f"{np.dtype(dtype)}")
    if w.shape != (classes,):
        raise ValueError(f"{name}: weight must have one value per class, shape ({classes},), "
                         f"got {w.shape}")
    return w.astype(dtype)


def _class_index_target(input: Tensor, target: Any, name: str) -> np.ndarray:
    """target as an integer array of shape (N, d1, ...) for input (N, C, d1, ...), or () for
    input (C,)."""
    t = target.array if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{name}: class-index target must be integers, got {t.dtype}")
    _int64_target(t, name)
    expected = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if t.shape != expected:
        raise ValueError(f"{name}: target of shape {t.shape} does not fit input of shape "
                         f"{input.shape} (expected {expected})")
    return t


def _int64_target(t: np.ndarray, name: str) -> None:
    """PyTorch takes class indices as int64 (or uint8) only."""
    if t.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"{name}: class-index target must be int64 (or uint8), got {t.dtype} "
                           "(use .long())")


def _classes_last(input: Tensor) -> Tensor:
    """(N, C, d1, ...) as (N d1 ..., C); (C,) as (1, C)."""
    if input.ndim == 1:
        return input.reshape(1, -1)
    return input.movedim(1, -1).reshape(-1, input.shape[1])


def _weighted_mean(total_loss: Tensor, total_weight: Any) -> Tensor:
    """total_loss / total_weight; when every target was ignored (total_weight 0), nan as in
    PyTorch, but with zero gradients rather than 0 / 0's nan."""
    if total_weight == 0:
        return total_loss * 0.0 + Tensor._make(np.asarray(np.nan, total_loss.dtype))
    return total_loss / Tensor._make(np.asarray(total_weight, total_loss.dtype))


def nll_loss(input: Tensor, target: Any, weight: Any = None, size_average: bool | None = None,
             ignore_index: int = -100, reduce: bool | None = None,
             reduction: str = "mean") -> Tensor:
    """-weight[y] input[y] per example, for log-probabilities input (N, C, d1, ...) and class
    indices y (N, d1, ...); 'mean' divides by the sum of the picked weights, and targets equal
    to ignore_index count for nothing."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if input.ndim == 0:
        raise ValueError("nll_loss: input must have a class dim, got a 0-d tensor")
    t = _class_index_target(input, target, "nll_loss")
    classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    w = _class_weight(weight, classes, input.dtype, "nll_loss")
    flat = t.reshape(-1)
    kept = flat != ignore_index
    safe = np.where(kept, flat, 0)
    if safe.size and (safe.min() < 0 or safe.max() >= classes):
        bad = flat[kept & ((flat < 0) | (flat >= classes))][0]
        raise IndexError(f"nll_loss: target {bad} is out of bounds for {classes} classes")
    picked = _classes_last(input)[np.arange(len(safe)), safe]
    scale = (np.ones(len(safe), input.dtype) if w is None else w[safe]) * kept
    losses = -picked * Tensor._make(scale.astype(input.dtype))
    if reduction == "none":
        return losses.reshape(t.shape)
    if reduction == "sum":
        return losses.sum()
    if reduction == "mean":
        return _weighted_mean(losses.sum(), scale.sum())
    raise ValueError(f"nll_loss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def cross_entropy(input: Tensor, target: Any, weight: Any = None,
                  size_average: bool | None = None, ignore_index: int = -100,
                  reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """nll_loss of log_softmax(input) over the class dim (dim 1, or 0 for unbatched input),
    against class indices (N, d1, ...) or class probabilities shaped like input; label_smoothing
    e mixes the target with the uniform distribution: (1 - e) y + e / C."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"cross_entropy: reduction must be 'mean', 'sum' or 'none', got "
                         f"{reduction!r}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got "
                         f"{label_smoothing}")
    t = target.array if isinstance(target, Tensor) else np.asarray(target)
    soft = t.dtype.kind == "f"
    if t.dtype != np.int64 and not soft or input.array.dtype.kind not in "fc":
        _floats_only("cross_entropy", input)
        if t.dtype.kind in "iu":
            _int64_target(t, "cross_entropy")
    if soft and ignore_index != -100:
        raise ValueError(f"cross_entropy: ignore_index ({ignore_index}) is not supported for "
                         "probability targets")
    if input.ndim == 2 and weight is None and label_smoothing == 0:  # the fused op (fast path)
        if soft or not 0 <= ignore_index < input.shape[1]:
            # an ignore_index that is no class (as the default -100) can only be a target that
            # the fused op finds out of range: look for it only then (saves a pass per call)
            try:
                return _cross_entropy(input, target, reduction)
            except IndexError:
                if soft or not (t == ignore_index).any():
                    raise
        elif not (t == ignore_index).any():
            return _cross_entropy(input, target, reduction)
    if input.ndim == 0:
        raise ValueError("cross_entropy: input must have a class dim, got a 0-d tensor")
    class_dim = 1 if input.ndim > 1 else 0
    classes = input.shape[class_dim]
    logp = log_softmax(input, class_dim)
    w = _class_weight(weight, classes, input.dtype, "cross_entropy")
    w_shape = (classes,) + (1,) * (input.ndim - class_dim - 1)
    if soft:
        if t.shape != input.shape:
            raise ValueError(f"cross_entropy: probability target of shape {t.shape} must have "
                             f"the input's shape {input.shape}")
        y = target if isinstance(target, Tensor) else Tensor._make(t.astype(input.dtype))
        if label_smoothing:
            y = y * (1 - label_smoothing) + label_smoothing / classes
        terms = logp * y
        if w is not None:
            terms = terms * Tensor._make(w.reshape(w_shape))
        losses = -terms.sum(class_dim)
        return _reduce(losses, reduction, "cross_entropy")
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if not label_smoothing:
        return nll
    flat = _class_index_target(input, target, "cross_entropy")
    kept = flat != ignore_index
    terms = logp if w is None else logp * Tensor._make(w.reshape(w_shape))
    smooth = -terms.sum(class_dim) * Tensor._make(kept.astype(input.dtype))
    if reduction == "sum":
        smooth = smooth.sum()
    elif reduction == "mean":
        total = kept.sum() if w is None else w[np.where(kept, flat, 0)][kept].sum()
        smooth = _weighted_mean(smooth.sum(), total)
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / classes)


class BinaryCrossEntropyWithLogits(Function):
    """Elementwise loss (1 - y) x - (1 + (p - 1) y) logsigmoid(x), with PyTorch's gradient
    formula ((p y + 1 - y) sigmoid(x) - p y), so saturated logits give PyTorch's numbers
    (sigmoid(x) - y rounds to 0 where the composed form keeps 1e-9 and the other way round)."""

    @staticmethod
    def forward(ctx, x, y, p):
        ctx.save_for_backward(x, y, p)
        a = x.array
        log_sigmoid = np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a)))
        positive = 1 if p is None else 1 + (p.array - 1) * y.array
        return (1 - y.array) * a - positive * log_sigmoid

    @staticmethod
    def backward(ctx, g):
        """d/dx = (p y + 1 - y) sigmoid(x) - p y;  d/dy = -x - (p - 1) logsigmoid(x)"""
        x, y, p = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad[:2]
        weighted = y if p is None else p * y
        grad_x = g * ((weighted + 1 - y) * x.sigmoid() - weighted) if need_x else None
        grad_y = None
        if need_y:
            grad_y = -x if p is None else -x - (p - 1) * logsigmoid(x)
            grad_y = g * grad_y
        return grad_x, grad_y, None


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Any = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Any = None) -> Tensor:
    """binary_cross_entropy(sigmoid(x), y) without its overflow: w ((1 - y) x - (1 + (p - 1) y)
    logsigmoid(x)), with p = pos_weight scaling the positive term (broadcast over the classes in
    the last dim)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _same_shape(input, target, "binary_cross_entropy_with_logits")
    if target.array.dtype.kind not in "fc":
        raise TypeError("binary_cross_entropy_with_logits: target must be a floating point "
                        f"tensor, got {target.dtype} (use .float())")
    p = None
    if pos_weight is not None:
        p = _broadcast_weight(pos_weight, input, "binary_cross_entropy_with_logits")
    losses = BinaryCrossEntropyWithLogits.apply(input, target, p)
    if weight is not None:
        losses = losses * _broadcast_weight(weight, input, "binary_cross_entropy_with_logits")
    return _reduce(losses, reduction, "binary_cross_entropy_with_logits")


def l1_loss(input: Tensor, target: Any, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """|input - target|"""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    diff = input - _broadcast_target(input, target, "l1_loss")
    return _reduce(diff.abs(), reduction, "l1_loss")


def smooth_l1_loss(input: Tensor, target: Any, size_average: bool | None = None,
                   reduce: bool | None = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    target = _broadcast_target(input, target, "smooth_l1_loss")
    if input.array.dtype.kind not in "fc" and target.array.dtype.kind not in "fc":
        raise TypeError(f"smooth_l1_loss: needs floating point input or target, got {input.dtype}")
    d = (input - target).abs()
    if beta == 0:
        return _reduce(d, reduction, "smooth_l1_loss")
    losses = where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta)
    return _reduce(losses, reduction, "smooth_l1_loss")


def huber_loss(input: Tensor, target: Any, reduction: str = "mean",
               delta: float = 1.0) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta) (d = input - target)."""
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    _floats_only("huber_loss", input)
    target = _broadcast_target(input, target, "huber_loss")
    if target.array.dtype != input.array.dtype:  # torch computes huber in the input's dtype
        target = target.to(input.dtype)
    d = (input - target).abs()
    losses = where(d < delta, d * d * 0.5, (d - 0.5 * delta) * delta)
    return _reduce(losses, reduction, "huber_loss")


def kl_div(input: Tensor, target: Any, size_average: bool | None = None,
           reduce: bool | None = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """target (log target - input) for log-probabilities input, with 0 log 0 = 0; log_target
    takes the target as log-probabilities too. 'batchmean' divides the sum by the batch size,
    the true KL divergence ('mean' divides by the number of elements)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _same_shape(input, target, "kl_div")
    if log_target:
        losses = target.exp() * (target - input)
    else:
        positive = Tensor._make(target.array > 0)
        safe = where(positive, target, 1.0)
        losses = where(positive, target * safe.log(), 0.0) - target * input
    if reduction == "batchmean":
        return losses.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(losses, reduction, "kl_div")


def _norm(x: Tensor, p: float, dim: int) -> Tensor:
    """The p-norm along dim, kept as a size-1 dim (gradient 0 where the norm is 0)."""
    return vector_norm(x, p, dim=dim, keepdim=True)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Tensor:
    """input / max(||input||_p, eps) along dim: each slice scaled to unit p-norm."""
    if out is not None:
        raise NotImplementedError("normalize: out= is not supported")
    if input.ndim == 0:
        raise ValueError("normalize: input must have at least one dim")
    return input / clamp(_norm(input, p, dim), min=eps)


@dim_or_axis
def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 x2) / (max(||x1||, eps) max(||x2||, eps)) along dim, after broadcasting."""
    x1, x2 = _pair(x1, x2, "cosine_similarity")
    n1, n2 = clamp(_norm(x1, 2, dim), min=eps), clamp(_norm(x2, 2, dim), min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def _pair(a: Any, b: Any, name: str) -> tuple[Tensor, Tensor]:
    a, b = operands(a, b)
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"{name}: shapes {a.shape} and {b.shape} do not broadcast") from None
    return a.expand(*shape), b.expand(*shape)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1; cos
    over the last dim as sum(x1 x2) / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12))."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if input1.shape != input2.shape or input1.ndim not in (1, 2):
        raise ValueError(f"cosine_embedding_loss: inputs must be 1-D or 2-D of one shape, got "
                         f"{input1.shape} and {input2.shape}")
    cos = (input1 * input2).sum(-1) / (((input1 * input1).sum(-1) + 1e-12)
                                       * ((input2 * input2).sum(-1) + 1e-12)).sqrt()
    t = _broadcast_weight(target, cos, "cosine_embedding_loss", "target")
    positive = Tensor._make(t.array == 1)
    negative = Tensor._make(t.array == -1)
    losses = where(positive, 1 - cos, where(negative, clamp(cos - margin, min=0), 0.0))
    return _reduce(losses, reduction, "cosine_embedding_loss")


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, -y (x1 - x2) + margin): x1 should rank above x2 where y = 1, below where -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    x1, x2 = _pair(input1, input2, "margin_ranking_loss")
    t = _broadcast_weight(target, x1, "margin_ranking_loss", "target")
    return _reduce(clamp(-t * (x1 - x2) + margin, min=0), reduction, "margin_ranking_loss")


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 rows with a 1 at each class index, shape tensor.shape + (num_classes,)."""
    return _one_hot(tensor, num_classes)


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _pad_positions(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """Which input position each output position along one dim reads."""
    p = np.arange(-before, size + after)
    if mode == "replicate":
        return np.clip(p, 0, size - 1)
    if mode == "circular":  # a negative amount crops first; the kept span then wraps
        start, kept = max(-before, 0), size + min(before, 0) + min(after, 0)
        if kept < max(before, after, 1):
            raise ValueError(f"pad: circular padding ({before}, {after}) of a dim of size "
                             f"{size} wraps more than the {max(kept, 0)} elements it keeps")
        return start + np.arange(-max(before, 0), kept + max(after, 0)) % kept
    period = 2 * (size - 1)  # reflect: ... 2 1 | 0 1 2 3 | 2 1 ...
    q = p % period if period else p * 0
    return np.where(q >= size, period - q, q)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad the last len(pad) // 2 dims: pad = (last_before, last_after, second_last_before,
    ...), as in PyTorch. Negative amounts crop. mode 'constant' fills with value (0); 'reflect'
    mirrors without repeating the edge, 'replicate' repeats the edge, 'circular' wraps
    around."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pad: input must be a Tensor, got {type(input).__name__}")
    if any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) for n in pad):
        raise TypeError(f"pad: pad must be a sequence of ints, got {tuple(pad)}")
    pad = [int(n) for n in pad]
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: pad {tuple(pad)} must have an even length of at most twice the "
                         f"input's {input.ndim} dims")
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {_PAD_MODES}, got {mode!r}")
    k = len(pad) // 2
    dims = [input.ndim - 1 - i for i in range(k)]
    if mode == "constant":
        if value is not None and (isinstance(value, (str, bytes)) or not hasattr(value,
                                                                             "__float__")):
            raise TypeError(f"pad: value must be a number, got {value!r}")
        return _constant_pad(input, pad, dims, 0.0 if value is None else value)
    if value not in (None, 0):
        raise ValueError(f"pad: value={value} is only for mode='constant', not {mode!r}")
    if not 1 <= k <= 3 or input.ndim not in (k + 1, k + 2):
        raise ValueError(f"pad: mode {mode!r} pads the last 1, 2 or 3 dims of a batched or "
                         f"unbatched input ((N, C, ...) or (C, ...)); pad {tuple(pad)} pads {k} "
                         f"dims, which needs {k + 1} or {k + 2} dims, got shape {input.shape}")
    out = input
    for i, d in enumerate(dims):
        before, after, size = pad[2 * i], pad[2 * i + 1], input.shape[d]
        limit = size if mode == "circular" else size - 1 if mode == "reflect" else None
        if size == 0 or size + before + after < 1 or (
                limit is not None and max(before, after) > limit):
            raise ValueError(f"pad: {mode} padding ({before}, {after}) of dim {d} needs "
                             f"{'at most' if mode == 'circular' else 'less than'} its size "
                             f"{size} on each side")
        if before or after:
            out = out.index_select(d, _pad_positions(size, before, after, mode))
    return out


def _constant_pad(input: Tensor, pad: list[int], dims: list[int], value: float) -> Tensor:
    """input cropped by the negative amounts, then placed in a tensor filled with value."""
    crop = [slice(None)] * input.ndim
    place = [slice(None)] * input.ndim
    in_shape = input.array.shape
    shape = list(in_shape)
    for i, d in enumerate(dims):
        before, after = pad[2 * i], pad[2 * i + 1]
        crop[d] = slice(max(-before, 0), in_shape[d] - max(-after, 0))
        kept = max(in_shape[d] - max(-before, 0) - max(-after, 0), 0)
        shape[d] = kept + max(before, 0) + max(after, 0)
        if shape[d] < 0 or in_shape[d] + before + after < 0:
            raise ValueError(f"pad: padding ({before}, {after}) leaves dim {d} of size "
                             f"{in_shape[d]} with a negative size")
        place[d] = slice(max(before, 0), max(before, 0) + kept)
    cropped = input[tuple(crop)]
    placed = index_put_add(cropped, shape, tuple(place))
    if value == 0:
        return placed
    fill = np.full(shape, value, dtype=input.dtype)
    fill[tuple(place)] = 0
    return placed + Tensor._make(fill)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Any = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q K^T scale + mask) V over the last two dims (scale 1/sqrt(E) by default).
    A bool mask keeps where True; a float mask is added; is_causal keeps key j <= query i. A
    query whose keys are all masked attends to nothing and gets 0, as in PyTorch.
    enable_gqa lets several query heads (dim -3) share one key/value head."""
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ValueError(f"scaled_dot_product_attention: query, key and value need at least 2 "
                         f"dims, got {query.shape}, {key.shape}, {value.shape}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: shapes query {query.shape}, key "
                         f"{key.shape}, value {value.shape} do not fit (query and key share E, "
                         "key and value share S)")
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        heads, kv_heads = query.shape[-3], key.shape[-3]
        if heads % kv_heads or value.shape[-3] != kv_heads:
            raise ValueError(f"scaled_dot_product_attention: {heads} query heads cannot share "
                             f"{kv_heads} key heads and {value.shape[-3]} value heads")
        key = key.repeat_interleave(heads // kv_heads, -3)
        value = value.repeat_interleave(heads // kv_heads, -3)
    length, source = query.shape[-2], key.shape[-2]
    factor = 1 / np.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.mT) * factor
    if is_causal:
        if attn_mask is not None:
            raise ValueError("scaled_dot_product_attention: pass attn_mask or is_causal, not both")
        attn_mask = np.tri(length, source, dtype=bool)
    if attn_mask is not None:
        mask = attn_mask.array if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
        try:
            np.broadcast_shapes(mask.shape, scores.shape)
        except ValueError:
            raise ValueError(f"scaled_dot_product_attention: attn_mask of shape {mask.shape} "
                             f"does not broadcast to the scores' shape {scores.shape}") from None
        if mask.dtype == np.bool_:
            scores = scores.masked_fill(Tensor._make(~mask), float("-inf"))
        else:
            scores = scores + (attn_mask if isinstance(attn_mask, Tensor)
                               else Tensor._make(mask.astype(scores.dtype)))
    dead = np.isneginf(scores.array).all(-1, keepdims=True)
    if dead.any():  # rows with no key left: softmax would give nan; PyTorch gives 0
        scores = scores.masked_fill(Tensor._make(dead), 0.0)
        weights = softmax(scores, -1).masked_fill(Tensor._make(dead), 0.0)
    else:
        weights = softmax(scores, -1)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p)
    return weights @ value


def _renorm_rows_(weight: Tensor, index: np.ndarray, max_norm: float, norm_type: float) -> None:
    """The rows of weight that index picks, scaled in place (outside the graph) to a norm of
    at most max_norm: row *= max_norm / (norm + 1e-7), PyTorch's embedding max_norm."""
    rows = np.unique(index)
    norms = np.linalg.norm(weight.array[rows].astype(np.float64), ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        weight.array[rows[big]] *= (max_norm / (norms[big] + 1e-7))[:, None]
        increment_version(weight)


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of weight picked by the integer indices in input: output shape input.shape +
    (embedding_dim,). The row padding_idx gets no gradient; with max_norm, the rows picked are
    first renormalised in place (as in PyTorch)."""
    for name, value in (("scale_grad_by_freq", scale_grad_by_freq), ("sparse", sparse)):
        if value:
            raise NotImplementedError(f"embedding: {name}=True is not supported")
    index = np.asarray(input.array if isinstance(input, Tensor) else input)
    if index.dtype not in (np.int64, np.int32):
        raise TypeError(f"embedding: indices must be int64 or int32, got {index.dtype}")
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {weight.shape}")
    n = weight.shape[0]
    if index.size and (index.min() < 0 or index.max() >= n):
        bad = index[(index < 0) | (index >= n)].ravel()[0]
        raise IndexError(f"embedding: index {bad} is out of range for {n} embeddings")
    if max_norm is not None:
        _renorm_rows_(weight, index, max_norm, norm_type)
    if padding_idx is not None and weight.requires_grad:
        rows = np.arange(n).reshape(n, 1) != padding_idx % n
        weight = where(Tensor._make(rows), weight, weight.detach())
    return weight[index]


def embedding_bag(input: Any, weight: Tensor, offsets: Any = None, max_norm: float | None = None,
                  norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                  sparse: bool = False, per_sample_weights: Tensor | None = None,
                  include_last_offset: bool = False, padding_idx: int | None = None) -> Tensor:
    """The sum, mean or max of the embedding rows in each bag: the rows of a 2-D input, or the
    runs of a 1-D input that start at `offsets`. An empty bag gives zeros; entries equal to
    padding_idx are left out of their bag. Sum and mean are one product with a (bags, entries)
    matrix of weights: out[b] = sum_i M[b, i] weight[input[i]]."""
    for name, value, default in (("sparse", sparse, False),
                                 ("scale_grad_by_freq", scale_grad_by_freq, False)):
        if value != default:
            raise NotImplementedError(f"embedding_bag: {name}={value!r} is not supported")
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"embedding_bag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights is only supported for "
                                  f"mode='sum' (got mode={mode!r})")
    index = np.asarray(input.array if isinstance(input, Tensor) else input)
    if index.dtype.kind not in "iu":
        raise TypeError(f"embedding_bag: indices must be integers, got {index.dtype}")
    flat = index.reshape(-1)
    if index.ndim == 2:
        if offsets is not None:
            raise ValueError("embedding_bag: if input is 2-D (a batch of bags of one length), "
                             "offsets has to be None")
        bounds = np.arange(index.shape[0] + 1) * index.shape[1]
    elif index.ndim == 1:
        if offsets is None:
            raise ValueError("embedding_bag: offsets has to be a 1-D Tensor when input is 1-D")
        starts = np.asarray(offsets.array if isinstance(offsets, Tensor) else offsets)
        if starts.ndim != 1 or starts.dtype.kind not in "iu":
            raise ValueError(f"embedding_bag: offsets must be a 1-D integer tensor, got shape "
                             f"{starts.shape} of {starts.dtype}")
        if starts.size and starts[0] != 0:
            raise ValueError(f"embedding_bag: offsets[0] has to be 0, got {starts[0]}")
        bounds = starts if include_last_offset else np.append(starts, flat.size)
        if (np.diff(bounds) < 0).any() or (bounds.size and bounds[-1] > flat.size):
            raise ValueError(f"embedding_bag: offsets must be non-decreasing and at most "
                             f"input's length {flat.size}, got {starts.tolist()}")
    else:
        raise ValueError(f"embedding_bag: input must be 1-D or 2-D, got shape {index.shape}")
    positions = np.arange(flat.size)
    member = (bounds[:-1, None] <= positions) & (positions < bounds[1:, None])  # (bags, entries)
    if padding_idx is not None:
        member &= flat != padding_idx % weight.shape[0]
    rows = embedding(flat, weight, max_norm=max_norm, norm_type=norm_type)
    if mode == "max":
        if not flat.size:
            return weight.new_zeros((len(member), weight.shape[1]))
        best = where(Tensor._make(member[:, :, None]), rows, float("-inf")).max(1).values
        return where(Tensor._make(member.any(1, keepdims=True)), best, 0.0)
    weights = member.astype(weight.dtype)
    if mode == "mean":
        weights /= np.maximum(weights.sum(1, keepdims=True), 1)
    if per_sample_weights is not None:
        if tuple(per_sample_weights.shape) != index.shape:
            raise ValueError(f"embedding_bag: per_sample_weights of shape "
                             f"{tuple(per_sample_weights.shape)} does not match input's "
                             f"{index.shape}")
        rows = rows * per_sample_weights.reshape(-1, 1)
    return Tensor._make(weights) @ rows


# *** op library: activations (their ops are in minigrad/ops/activation.py) ***
from minigrad.ops.activation import (  # noqa: E402
    celu,
    elu,
    gelu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    prelu,
    relu6,
    selu,
    silu,
    softmin,
    softplus,
    softsign,
    threshold,
)

__all__ += [
    "celu", "elu", "gelu", "glu", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid", "mish",
    "prelu", "relu6", "selu", "silu", "softmin", "softplus", "softsign", "threshold",
]
# *** convolution, pooling and resizing: minigrad.ops.conv and minigrad.ops.pool ***
__all__ += [
    "adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool1d", "avg_pool2d", "conv1d", "conv2d",
    "conv_transpose2d", "dropout2d", "fold", "interpolate", "max_pool1d", "max_pool2d", "unfold",
    "alpha_dropout", "dropout1d", "dropout3d",
]


def dropout2d(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each whole channel of (N, C, H, W) (or unbatched (C, H, W)) with probability p and
    scale the rest by 1/(1-p) (training only): neighbouring pixels are dropped together."""
    return _channel_dropout("dropout2d", x, p, training, 2)


def _channel_dropout(name: str, x: Tensor, p: float, training: bool, spatial: int,
                     inplace: bool = False) -> Tensor:
    """dropout1d, 2d and 3d: whole channels of (N, C, *spatial) or unbatched (C, *spatial)
    zeroed with probability p, the rest scaled by 1/(1-p) (training only); inplace=True
    overwrites x, as in PyTorch."""
    _check_dropout_p(name, p)
    if x.ndim not in (spatial + 1, spatial + 2):
        raise ValueError(f"{name}: expected a {spatial + 1}-D (C, ...) or {spatial + 2}-D "
                         f"(N, C, ...) input, got shape {x.shape}")
    if not training or p == 0:
        return x
    if inplace:
        return x._write_in_place(f"{name}_", lambda old: _channel_dropout(name, old, p, True,
                                                                          spatial))
    if p == 1:
        return x * 0.0
    keep = generator().random(x.shape[:x.ndim - spatial] + (1,) * spatial) >= p
    return x * Tensor._make((keep / (1 - p)).astype(x.dtype))


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Channel dropout of (N, C, L) or (C, L)."""
    return _channel_dropout("dropout1d", input, p, training, 1, inplace)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Channel dropout of (N, C, D, H, W) or (C, D, H, W)."""
    return _channel_dropout("dropout3d", input, p, training, 3, inplace)


_SELU_NEGATIVE = 1.7580993408473766  # SELU's alpha times its scale: where SELU saturates


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout for SELU networks (training only): dropped elements take SELU's saturation value
    -alpha', and a x + b keeps zero mean and unit variance, with a = ((1 - p)(1 + p alpha'^2))
    ^-1/2 and b = a alpha' p, as PyTorch."""
    _check_dropout_p("alpha_dropout", p)
    if not training or p == 0:
        return input
    if inplace:
        return input._write_in_place("alpha_dropout_", lambda old: alpha_dropout(old, p, True))
    if p == 1:
        return input * 0.0
    alpha = _SELU_NEGATIVE
    a = 1 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    keep = (generator().random(input.shape) >= p).astype(input.dtype)
    shift = (keep - 1) * (alpha * a) + alpha * a * p
    return input * Tensor._make((keep * a).astype(input.dtype)) + Tensor._make(
        shift.astype(input.dtype))


# *** more normalization and small functional forms (modules in nn.normalization, nn.misc) ***
from minigrad.ops import cat, einsum  # noqa: E402

__all__ += [
    "adaptive_avg_pool1d", "bilinear", "group_norm", "hardshrink", "instance_norm",
    "pairwise_distance", "pixel_shuffle", "pixel_unshuffle", "rms_norm", "softshrink",
    "tanhshrink",
]


def _channel_shaped(p: Tensor | None, x: Tensor, name: str, what: str) -> Tensor | None:
    """A per-channel weight or bias (C,) shaped (C, 1, ...) to broadcast over x (N, C, ...)."""
    if p is None:
        return None
    if p.shape != (x.shape[1],):
        raise ValueError(f"{name}: {what} of shape {p.shape} must have one value per channel, "
                         f"({x.shape[1]},), for input of shape {x.shape}")
    return p.reshape(-1, *(1,) * (x.ndim - 2))


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    y = y if weight is None else y * weight
    return y if bias is None else y + bias


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Standardize each example's channels in num_groups groups (over the group's channels and
    all spatial positions, biased variance), then scale and shift each channel."""
    if input.ndim < 2:
        raise ValueError(f"group_norm: expected input of shape (N, C, *), got {input.shape}")
    n, channels = input.shape[:2]
    if num_groups <= 0 or channels % num_groups:
        raise ValueError(f"group_norm: the {channels} channels of input {input.shape} must be "
                         f"divisible by num_groups ({num_groups})")
    grouped = standardize(input.reshape(n, num_groups, -1), 2, eps=eps).reshape(input.shape)
    return _affine(grouped, _channel_shaped(weight, input, "group_norm", "weight"),
                   _channel_shaped(bias, input, "group_norm", "bias"))


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Standardize each channel of each example (N, C, *spatial) over its spatial positions;
    with use_input_stats=False use the running statistics instead. Running statistics given
    with use_input_stats are updated in place with the batch's mean of the per-instance means
    and unbiased variances, as in PyTorch."""
    if input.ndim < 3:
        raise ValueError(f"instance_norm: expected input of shape (N, C, *spatial), got "
                         f"{input.shape}")
    dims = tuple(range(2, input.ndim))
    w = _channel_shaped(weight, input, "instance_norm", "weight")
    b = _channel_shaped(bias, input, "instance_norm", "bias")
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: use_input_stats=False needs running_mean and "
                             "running_var")
        shape = (-1,) + (1,) * len(dims)
        mean = _array(running_mean).reshape(shape).astype(input.dtype)
        scale = (1 / np.sqrt(_array(running_var) + eps)).reshape(shape).astype(input.dtype)
        return _affine((input - Tensor._make(mean)) * Tensor._make(scale), w, b)
    spatial = input.array[0, 0].size if input.array.size else 0
    if spatial <= 1:
        raise ValueError(f"instance_norm: expected more than 1 spatial element when using the "
                         f"input's statistics, got input of shape {input.shape}")
    for stat, value in ((running_mean, input.array.mean(dims)),
                        (running_var, input.array.var(dims, ddof=1))):
        if stat is not None:
            _update_in_place(stat, momentum, value.mean(0))
    return standardize(input, dims, w, b, eps)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """x / (k + alpha/size * sum of x^2 over the `size` channels around each one)^beta, the
    window running from size//2 channels before to (size-1)//2 after, zeros past the ends, as
    in PyTorch (AlexNet's normalization)."""
    if input.ndim < 3:
        raise ValueError(f"local_response_norm: expected input of shape (N, C, *), got "
                         f"{input.shape}")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"local_response_norm: size must be a positive int, got {size!r}")
    squares = input * input
    n, c, *rest = input.shape
    before, after = size // 2, (size - 1) // 2
    padded = cat([Tensor._make(np.zeros((n, before, *rest), input.dtype)), squares,
                  Tensor._make(np.zeros((n, after, *rest), input.dtype))], 1)
    total = padded[:, 0:c]
    for j in range(1, size):
        total = total + padded[:, j:j + c]
    return input / (total * (alpha / size) + k) ** beta


def rms_norm(input: Tensor, normalized_shape: int | Sequence[int],
             weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """x / sqrt(mean(x^2) + eps) over the last dims (normalized_shape), times weight; eps
    defaults to the machine epsilon of input's dtype, as in PyTorch."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if len(shape) > input.ndim or input.shape[input.ndim - len(shape):] != shape:
        raise ValueError(f"rms_norm: normalized_shape {shape} does not match the last dims of "
                         f"the input's shape {input.shape}")
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    eps = float(np.finfo(input.dtype).eps) if eps is None else eps
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y if weight is None else y * weight


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    """adaptive_avg_pool2d over (N, C, 1, L): the mean over output_size windows that tile L."""
    if not isinstance(input, Tensor):
        raise TypeError(f"adaptive_avg_pool1d: input must be a Tensor, got "
                        f"{type(input).__name__}")
    if input.ndim not in (2, 3):
        raise ValueError(f"adaptive_avg_pool1d: expected a 2-D (C, L) or 3-D (N, C, L) input, "
                         f"got shape {input.shape}")
    if isinstance(output_size, (tuple, list)) and len(output_size) != 1:
        raise ValueError(f"adaptive_avg_pool1d: output_size must hold one int, got "
                         f"{output_size!r}")
    size = output_size[0] if isinstance(output_size, (tuple, list)) else output_size
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
        raise TypeError(f"adaptive_avg_pool1d: output_size must be an int, got {output_size!r}")
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)


def _shuffle_factor(input: Tensor, factor: int, name: str, what: str) -> None:
    if input.ndim < 3:
        raise ValueError(f"{name}: expected input of shape (*, C, H, W), got {input.shape}")
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or factor < 1:
        raise ValueError(f"{name}: {what} must be a positive int, got {factor!r}")


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r): each group of r^2 channels becomes an r x r
    block of pixels (sub-pixel convolution)."""
    r = upscale_factor
    _shuffle_factor(input, r, "pixel_shuffle", "upscale_factor")
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise ValueError(f"pixel_shuffle: the channel dim of input {input.shape} ({c}) must "
                         f"be divisible by upscale_factor^2 ({r * r})")
    k = len(batch)
    x = input.reshape(*batch, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return x.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W): the inverse of pixel_shuffle."""
    r = downscale_factor
    _shuffle_factor(input, r, "pixel_unshuffle", "downscale_factor")
    *batch, c, h, w = input.shape
    if h % r or w % r:
        raise ValueError(f"pixel_unshuffle: the height and width of input {input.shape} must "
                         f"be divisible by downscale_factor ({r})")
    k = len(batch)
    x = input.reshape(*batch, c, h // r, r, w // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return x.reshape(*batch, c * r * r, h // r, w // r)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim, after broadcasting (eps keeps the gradient
    finite where x1 = x2)."""
    x1, x2 = _pair(x1, x2, "pairwise_distance")
    if x1.ndim == 0:
        raise ValueError("pairwise_distance: inputs must have at least one dim")
    return vector_norm(x1 - x2 + eps, p, dim=-1, keepdim=keepdim)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None
             ) -> Tensor:
    """y_o = x1^T A_o x2 + b_o for weight A (out, in1, in2), over any leading dims."""
    if weight.ndim != 3 or (input1.shape[-1], input2.shape[-1]) != weight.shape[1:]:
        raise ValueError(f"bilinear: weight of shape {weight.shape} must be (out, in1, in2) = "
                         f"(out, {input1.shape[-1]}, {input2.shape[-1]}) for inputs "
                         f"{input1.shape} and {input2.shape}")
    if input1.shape[:-1] != input2.shape[:-1]:
        raise ValueError(f"bilinear: inputs {input1.shape} and {input2.shape} must agree in all "
                         "but the last dim")
    y = einsum("...i,oij,...j->...o", input1, weight, input2)
    return y if bias is None else y + bias


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)"""
    return input - tanh(input)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd where x > lambd, x + lambd where x < -lambd, 0 in between (nan stays nan, as
    in PyTorch)."""
    if lambd < 0:
        raise ValueError(f"softshrink: lambd must be >= 0, got {lambd}")
    a = input.array
    inside = where(Tensor._make((a >= -lambd) & (a <= lambd)), 0.0, input)
    return where(Tensor._make(a > lambd), input - lambd,
                 where(Tensor._make(a < -lambd), input + lambd, inside))


from minigrad.ops.activation import hardshrink  # noqa: E402  (also torch.hardshrink)

# *** multi-head attention (the module is nn.MultiheadAttention, minigrad/nn/transformer.py) ***
__all__ += ["multi_head_attention_forward"]


def _attention_mask(mask: Any, dtype: Any, name: str) -> Tensor | None:
    """A bool mask (True = masked out, PyTorch's convention for these masks) as 0 / -inf of
    dtype; a float mask as it is (cast to dtype), so a mask that requires grad keeps its
    gradient."""
    if mask is None:
        return None
    t = mask if isinstance(mask, Tensor) else Tensor._make(np.asarray(mask))
    if t.dtype == np.bool_:
        return Tensor._make(np.where(t.array, -np.inf, 0.0).astype(dtype))
    if t.dtype.kind != "f":
        raise TypeError(f"multi_head_attention_forward: {name} must be bool or floating, got "
                        f"{t.dtype}")
    return t if t.dtype == dtype else t.to(dtype)


def _one_more_key(mask: Tensor | None) -> Tensor | None:
    """mask with one more key column of 0 (attended), for an appended bias or zero key."""
    return None if mask is None else pad(mask, (0, 1))


def _check_attention_inputs(query: Tensor, key: Tensor, value: Tensor,
                            dims: tuple[int, int, int]) -> bool:
    """Whether (L, N, E) query, (S, N, kdim) key and (S, N, vdim) value are batched, after
    checking that their shapes agree with each other and with dims (embed_dim, kdim, vdim)."""
    shapes = f"query {query.shape}, key {key.shape}, value {value.shape}"
    name = "multi_head_attention_forward"
    if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
        raise ValueError(f"{name}: query, key and value must all be 3-D (batched) or all 2-D "
                         f"(unbatched), got {shapes}")
    if (query.shape[-1], key.shape[-1], value.shape[-1]) != dims:
        raise ValueError(f"{name}: expected last dims (embed_dim, kdim, vdim) = {dims}, got "
                         f"{shapes}")
    if query.ndim == 3 and query.shape[1] != key.shape[1]:
        raise ValueError(f"{name}: query has batch size {query.shape[1]} and key "
                         f"{key.shape[1]} ({shapes})")
    if key.shape[:-1] != value.shape[:-1]:
        raise ValueError(f"{name}: key and value must have the same shape except the last "
                         f"dim, got {shapes}")
    return query.ndim == 3


def _attention_masks(attn_mask: Any, key_padding_mask: Any, batched: bool, n: int, heads: int,
                     length: int, source: int, dtype: Any) -> tuple[Tensor | None, ...]:
    """attn_mask (L, S) or (N heads, L, S) as float (L, S) or (N, heads, L, S), and
    key_padding_mask (N, S) (or (S,) unbatched) as float (N, S), after checking shapes."""
    name = "multi_head_attention_forward"
    padding = _attention_mask(key_padding_mask, dtype, "key_padding_mask")
    if padding is not None:
        expected = (n, source) if batched else (source,)
        if padding.shape != expected:
            raise ValueError(f"{name}: key_padding_mask of shape {padding.shape} does not fit "
                             f"{n} batches of {source} keys (expected {expected})")
        padding = padding if batched else padding.unsqueeze(0)
    mask = _attention_mask(attn_mask, dtype, "attn_mask")
    if mask is not None and mask.shape != (length, source):
        if mask.shape != (n * heads, length, source):
            raise ValueError(f"{name}: attn_mask of shape {mask.shape} must be "
                             f"{(length, source)} or {(n * heads, length, source)} (batch {n} "
                             f"x num_heads {heads}, target length {length}, source length "
                             f"{source})")
        mask = mask.reshape(n, heads, length, source)
    return mask, padding


def _check_static(static_k: Tensor, static_v: Tensor | None, bias_k: Tensor | None,
                  batch_heads: int, head_dim: int) -> int:
    """The source length of static keys and values (N heads, S, head_dim), after checks."""
    name = "multi_head_attention_forward"
    if bias_k is not None:
        raise ValueError(f"{name}: bias_k cannot be added to static keys")
    for what, t in (("static_k", static_k), ("static_v", static_v)):
        if t is not None and (t.ndim != 3 or t.shape[0] != batch_heads
                              or t.shape[2] != head_dim or t.shape[1] != static_k.shape[1]):
            raise ValueError(f"{name}: {what} of shape {t.shape} must be (N * num_heads, S, "
                             f"head_dim) = ({batch_heads}, {static_k.shape[1]}, {head_dim})")
    return static_k.shape[1]


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True, key_padding_mask: Any = None,
        need_weights: bool = True, attn_mask: Any = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """nn.MultiheadAttention's computation on query (L, N, E), key (S, N, kdim), value
    (S, N, vdim) (or unbatched (L, E), ...): per head h, softmax(Q_h K_h^T / sqrt(E / heads) +
    mask) V_h, heads concatenated and projected by out_proj. Bool masks are True where
    attention is NOT allowed. Returns (output (L, N, E), weights (N, L, S) averaged over heads,
    (N, heads, L, S) if not average_attn_weights, or None if not need_weights)."""
    e, heads = embed_dim_to_check, num_heads
    if e % heads:
        raise ValueError(f"multi_head_attention_forward: embed_dim ({e}) must be divisible by "
                         f"num_heads ({heads})")
    weights = ([q_proj_weight, k_proj_weight, v_proj_weight] if use_separate_proj_weight
               else [in_proj_weight[i * e:(i + 1) * e] for i in range(3)])
    biases = [None] * 3 if in_proj_bias is None else [in_proj_bias[i * e:(i + 1) * e]
                                                      for i in range(3)]
    batched = _check_attention_inputs(query, key, value,
                                      (e, weights[1].shape[1], weights[2].shape[1]))
    if is_causal and attn_mask is None:
        raise RuntimeError("multi_head_attention_forward: is_causal=True needs attn_mask too "
                           "(it is a hint that attn_mask is causal), as in PyTorch; use "
                           "nn.Transformer.generate_square_subsequent_mask")
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
    length, n, _ = query.shape
    hd = e // heads
    source = key.shape[0] if static_k is None else _check_static(static_k, static_v, bias_k,
                                                                 n * heads, hd)
    mask, padding = _attention_masks(attn_mask, key_padding_mask, batched, n, heads, length,
                                     source, query.dtype)
    q, k, v = (linear(x.transpose(0, 1), w, b) for x, w, b in zip((query, key, value), weights,
                                                                   biases))
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.reshape(1, 1, e).expand(n, 1, e)], 1)
        v = cat([v, bias_v.reshape(1, 1, e).expand(n, 1, e)], 1)
        mask, padding = _one_more_key(mask), _one_more_key(padding)
    q, k, v = (t.reshape(n, -1, heads, hd).transpose(1, 2) for t in (q, k, v))
    k = k if static_k is None else static_k.reshape(n, heads, -1, hd)
    v = v if static_v is None else static_v.reshape(n, heads, -1, hd)
    if add_zero_attn:
        zeros = Tensor._make(np.zeros((n, heads, 1, hd), q.dtype))
        k, v = cat([k, zeros], 2), cat([v, zeros], 2)
        mask, padding = _one_more_key(mask), _one_more_key(padding)
    if padding is not None:
        padding = padding.reshape(n, 1, 1, -1)
        mask = padding if mask is None else mask + padding
    p = dropout_p if training else 0.0
    attention = None
    if need_weights:  # PyTorch's explicit path: a query with every key masked gives nan
        scores = (q * np.sqrt(1 / hd)) @ k.mT
        attention = softmax(scores if mask is None else scores + mask, -1)
        if p > 0:
            attention = dropout(attention, p)
        out = attention @ v
        attention = attention.mean(1) if average_attn_weights else attention
        attention = attention if batched else attention.squeeze(0)
    elif is_causal and key_padding_mask is None:  # the hint is taken: attn_mask is not read
        out = scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
    else:  # (a query with every key masked gives 0 here, as in PyTorch)
        out = scaled_dot_product_attention(q, k, v, mask, dropout_p=p)
    out = linear(out.permute(2, 0, 1, 3).reshape(length, n, e), out_proj_weight, out_proj_bias)
    return (out if batched else out.squeeze(1)), attention


# *** losses of metric learning, counts and uncertainty (tutorial programs use them) ***
from minigrad.ops import minimum  # noqa: E402


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                        size_average: bool | None = None, reduce: bool | None = None,
                        reduction: str = "mean") -> Tensor:
    """max(d(a, p) - d(a, n) + margin, 0) with d = pairwise_distance; swap=True uses
    min(d(a, n), d(p, n)) as the negative distance."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if not (anchor.ndim == positive.ndim == negative.ndim) or anchor.ndim not in (1, 2):
        raise ValueError(f"triplet_margin_loss: anchor, positive and negative must all be 1-D "
                         f"or all 2-D, got shapes {anchor.shape}, {positive.shape} and "
                         f"{negative.shape}")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce(clamp(margin + d_pos - d_neg, min=0), reduction, "triplet_margin_loss")


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Any = None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """max(d(a, p) - d(a, n) + margin, 0) for any distance d(x, y) (pairwise_distance by
    default); swap=True uses min(d(a, n), d(p, n)) as the negative distance."""
    name = "triplet_margin_with_distance_loss"
    check_reduction(reduction, name)
    if margin <= 0:
        raise ValueError(f"{name}: margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise ValueError(f"{name}: anchor, positive and negative must have the same number of "
                         f"dims, got shapes {anchor.shape}, {positive.shape} and "
                         f"{negative.shape}")
    distance = pairwise_distance if distance_function is None else distance_function
    d_pos, d_neg = distance(anchor, positive), distance(anchor, negative)
    if swap:
        d_neg = minimum(d_neg, distance(positive, negative))
    return _reduce(clamp(margin + d_pos - d_neg, min=0), reduction, name)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Any, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """1/2 (log var + (input - target)^2 / var) (+ 1/2 log 2 pi if full), with var clamped to
    at least eps for the value only (the gradient passes as if unclamped, as in PyTorch). var
    has input's shape, or it without its last dim, or 1 there (one variance per row)."""
    var = var if isinstance(var, Tensor) else Tensor._make(np.asarray(var, input.dtype))
    if var.shape != input.shape:
        if var.shape == input.shape[:-1]:
            var = var.unsqueeze(-1)
        elif not (var.shape[:-1] == input.shape[:-1] and var.shape[-1:] == (1,)):
            raise ValueError(f"gaussian_nll_loss: var of shape {var.shape} does not fit input "
                             f"of shape {input.shape}")
    if np.any(var.array < 0):
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    check_reduction(reduction, "gaussian_nll_loss")
    var = var + (clamp(var, min=eps) - var).detach()
    losses = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        losses = losses + 0.5 * float(np.log(2 * np.pi))
    return _reduce(losses, reduction, "gaussian_nll_loss")


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: bool | None = None, eps: float = 1e-8,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """exp(input) - target input (log_input), or input - target log(input + eps); full adds
    Stirling's term target log target - target + 1/2 log(2 pi target) where target > 1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    losses = (input.exp() - target * input if log_input else
              input - target * (input + eps).log())
    if full:
        t = target if isinstance(target, Tensor) else Tensor._make(np.asarray(target))
        safe = where(t.array > 1, t, 1.0)
        stirling = safe * safe.log() - safe + 0.5 * (2 * np.pi * safe).log()
        losses = losses + where(t.array > 1, stirling, 0.0)
    return _reduce(losses, reduction, "poisson_nll_loss")


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """input where target is 1, max(0, margin - input) where it is -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    t = _broadcast_weight(target, input, "hinge_embedding_loss", "target").array
    losses = (where(t != 1, clamp(margin - input, min=0), 0.0)
              + where(t != -1, input, 0.0))
    return _reduce(losses, reduction, "hinge_embedding_loss")


def soft_margin_loss(input: Tensor, target: Any, size_average: bool | None = None,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """log(1 + exp(-target input)) for targets of 1 and -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    t = _broadcast_weight(target, input, "soft_margin_loss", "target")
    return _reduce(softplus(-t * input), reduction, "soft_margin_loss")


def multilabel_soft_margin_loss(input: Tensor, target: Any, weight: Tensor | None = None,
                                size_average: bool | None = None, reduce: bool | None = None,
                                reduction: str = "mean") -> Tensor:
    """-(y log sigmoid(x) + (1 - y) log sigmoid(-x)), weighted per class, averaged over the
    classes (the last dim) of each sample."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    y = _broadcast_weight(target, input, "multilabel_soft_margin_loss", "target")
    losses = -(y * logsigmoid(input) + (1 - y) * logsigmoid(-input))
    if weight is not None:
        losses = losses * _broadcast_weight(weight, input, "multilabel_soft_margin_loss")
    return _reduce(losses.mean(-1), reduction, "multilabel_soft_margin_loss")


def multi_margin_loss(input: Tensor, target: Any, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average: bool | None = None,
                      reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss of input (N, C) or (C,) and class indices target:
    sum over j != y of w[y] max(0, margin - x[y] + x[j])^p, divided by C."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    name = "multi_margin_loss"
    if p not in (1, 2):
        raise ValueError(f"{name}: only p == 1 and p == 2 are supported, got p={p!r}")
    if input.ndim not in (1, 2):
        raise ValueError(f"{name}: input must be (N, C) or (C,), got shape {input.shape}")
    t = _class_index_target(input, target, name).reshape(-1)
    x = _classes_last(input)
    classes = x.shape[1]
    if t.size and (t.min() < 0 or t.max() >= classes):
        raise IndexError(f"{name}: target {t.tolist()} out of range for {classes} classes")
    rows = np.arange(len(t))
    others = np.ones(x.shape, dtype=x.array.dtype)
    others[rows, t] = 0
    z = clamp(margin - x[rows, t].unsqueeze(1) + x, min=0) * Tensor._make(others)
    losses = (z if p == 1 else z * z).sum(1) / classes
    w = _class_weight(weight, classes, x.array.dtype, name)
    if w is not None:
        losses = losses * Tensor._make(w[t])
    return _reduce(losses.reshape(input.shape[:-1]), reduction, name)


def _lp_norm_type(name: str, norm_type: Any, input: Any = None) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__}")
    if norm_type == 0:  # the root 1/p would divide by zero
        raise ValueError(f"{name}: norm_type must be nonzero, got {norm_type!r}")


def _lp_root(mean: Tensor, size: int, norm_type: float) -> Tensor:
    """(size mean)^(1/p), 0 with gradient 0 where the window's sum of x^p is 0 (as PyTorch's
    relu there), not the root's infinite slope: the root is taken of 1 there, then zeroed."""
    zero = mean.array == 0
    safe = mean + Tensor._make(zero.astype(mean.array.dtype))
    return (safe * size) ** (1.0 / norm_type) * Tensor._make((~zero).astype(mean.array.dtype))


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """The p-norm of each window, (sum of x^p)^(1/p): avg_pool2d of x^p times the window's
    size, to the power 1/p (p = inf is max pooling, as PyTorch's limit)."""
    _lp_norm_type("lp_pool2d", norm_type, input)
    if norm_type == math.inf:
        return max_pool2d(input, kernel_size, stride, 0, ceil_mode=ceil_mode)
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    out = avg_pool2d(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    return _lp_root(out, kh * kw, norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: int | None = None,
              ceil_mode: bool = False) -> Tensor:
    """The p-norm of each window of (N, C, L) or (C, L): (sum of x^p)^(1/p) (max at inf)."""
    _lp_norm_type("lp_pool1d", norm_type, input)
    if norm_type == math.inf:
        return max_pool1d(input, kernel_size, stride, 0, ceil_mode=ceil_mode)
    out = avg_pool1d(input ** norm_type, kernel_size, stride, 0, ceil_mode)
    return _lp_root(out, kernel_size, norm_type)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """x for x > 0, a x otherwise, with a drawn uniformly from [lower, upper] for each element
    while training (from the default generator), and (lower + upper) / 2 in evaluation."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    slopes = generator().uniform(lower, upper, input.shape)
    scale = Tensor._make(np.where(input.array > 0, 1.0, slopes).astype(input.array.dtype))
    if inplace:
        return input._write_in_place("rrelu_", lambda old: old * scale)
    return input * scale


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Interleave the channels of (N, C, ...) from `groups` groups: the channel at (g, i) of the
    (groups, C / groups) grid moves to (i, g)."""
    if input.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, got shape "
                           f"{input.shape}")
    n, c = input.shape[:2]
    if groups <= 0 or c % groups:
        raise RuntimeError(f"channel_shuffle: the number of channels must be divisible by "
                           f"groups; got {c} channels and {groups} groups")
    grid = input.reshape(n, groups, c // groups, *input.shape[2:])
    return grid.transpose(1, 2).reshape(input.shape)


def multilabel_margin_loss(input: Tensor, target: Any, size_average: bool | None = None,
                           reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """Multi-label hinge loss: target lists each sample's classes (ended by the first -1);
    sum over listed j and unlisted i of max(0, 1 - (x[j] - x[i])), divided by C."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    name = "multilabel_margin_loss"
    if input.ndim not in (1, 2):
        raise ValueError(f"{name}: input must be (N, C) or (C,), got shape {input.shape}")
    t = target.array if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{name}: target must be class indices (integers), got {t.dtype}")
    _int64_target(t, name)
    if t.shape != input.shape:
        raise ValueError(f"{name}: target of shape {t.shape} differs from input of shape "
                         f"{input.shape}")
    x, t = _classes_last(input), t.reshape(-1, input.shape[-1])
    classes = x.shape[1]
    listed = np.cumprod(t != -1, axis=1).astype(bool)  # entries before the first -1
    if (t[listed] < 0).any() or (t[listed] >= classes).any():
        raise IndexError(f"{name}: target {t.tolist()} out of range for {classes} classes")
    counts = np.zeros(x.shape, dtype=x.array.dtype)  # how often each class is listed
    np.add.at(counts, (np.nonzero(listed)[0], t[listed]), 1.0)
    pairs = Tensor._make(counts[:, :, None] * (counts[:, None, :] == 0))  # (n, j listed, i not)
    z = clamp(1 - x.unsqueeze(2) + x.unsqueeze(1), min=0) * pairs
    losses = z.sum((1, 2)) / classes
    return _reduce(losses.reshape(input.shape[:-1]), reduction, name)


def relu_(input: Tensor) -> Tensor:
    """relu written into input."""
    return input.relu_()


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


# *** spatial transformers: affine_grid and grid_sample ***
from fractions import Fraction  # noqa: E402


def _grid_coordinates(size: int, align_corners: bool, dtype: np.dtype) -> np.ndarray:
    """The normalized coordinates in [-1, 1] of size pixels: the centers of the corner pixels
    at -1 and 1 (align_corners), else the pixel centers, linspace(-1, 1) * (size - 1) / size.
    Computed in dtype in PyTorch's order (its linspace fills each half from its own end), so
    a grid that lands on pixel centers lands on the same side of them as PyTorch's does."""
    if size <= 1:
        return np.zeros(1, dtype)
    step = Fraction(float(dtype.type(2) / dtype.type(size - 1)))  # rounded to dtype
    # each value is one fused multiply-add (exact, then rounded once), as PyTorch's kernel
    coords = np.array([float(-1 + step * i) if i < size // 2 else
                       float(1 - step * (size - 1 - i)) for i in range(size)]).astype(dtype)
    return coords if align_corners else coords * dtype.type(size - 1) / dtype.type(size)


def affine_grid(theta: Tensor, size: Sequence[int], align_corners: bool | None = None
                ) -> Tensor:
    """The sampling grid (N, H, W, 2) of 2-D affine maps theta (N, 2, 3): grid[n, i, j] =
    theta[n] (x_j, y_i, 1), with (x, y) the normalized pixel coordinates of the output."""
    align_corners = bool(align_corners)
    if len(size) != 4 or theta.ndim != 3 or theta.shape[1:] != (2, 3):
        raise ValueError(f"affine_grid: expected theta of shape (N, 2, 3) and a 4-D size "
                         f"(N, C, H, W), got theta {theta.shape} and size {list(size)}")
    n, _, h, w = size
    if theta.shape[0] != n:
        raise ValueError(f"affine_grid: theta holds {theta.shape[0]} maps for a batch of {n}")
    xs, ys = (_grid_coordinates(k, align_corners, theta.dtype) for k in (w, h))
    base = np.stack(np.broadcast_arrays(xs[None, :], ys[:, None], 1.0), -1)  # (H, W, 3)
    base = Tensor._make(base.reshape(1, h * w, 3).astype(theta.dtype))
    return (base @ theta.transpose(1, 2)).reshape(n, h, w, 2)


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """input (N, C, H, W) read at grid's (N, Ho, Wo, 2) normalized (x, y) positions: bilinear
    weights of the four nearest pixels (or the nearest one), zeros outside the input (or the
    border pixel's value). Differentiable in input and, for bilinear, in grid."""
    align_corners = bool(align_corners)
    if mode not in ("bilinear", "nearest"):
        raise NotImplementedError(f"grid_sample: mode {mode!r} is not supported (use "
                                  "'bilinear' or 'nearest')")
    if padding_mode not in ("zeros", "border"):
        raise NotImplementedError(f"grid_sample: padding_mode {padding_mode!r} is not "
                                  "supported (use 'zeros' or 'border')")
    if input.ndim != 4 or grid.ndim != 4 or grid.shape[-1] != 2 or grid.shape[0] != \
            input.shape[0]:
        raise ValueError(f"grid_sample: expected input (N, C, H, W) and grid (N, Ho, Wo, 2), "
                         f"got {input.shape} and {grid.shape}")
    n, c, h, w = input.shape
    ho, wo = grid.shape[1:3]

    def pixel(coord: Tensor, size: int) -> Tensor:  # normalized -> pixel coordinate
        pos = (coord + 1) / 2 * (size - 1) if align_corners else ((coord + 1) * size - 1) / 2
        return pos.clamp(0, size - 1) if padding_mode == "border" else pos

    ix, iy = pixel(grid[..., 0], w), pixel(grid[..., 1], h)  # (N, Ho, Wo)
    flat = input.reshape(n, c, h * w)

    def corner(x: np.ndarray, y: np.ndarray) -> Tensor:  # input at integer (x, y), 0 outside
        inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
        index = (np.clip(y, 0, h - 1) * w + np.clip(x, 0, w - 1)).reshape(n, 1, ho * wo)
        picked = flat.gather(2, Tensor._make(np.broadcast_to(index, (n, c, ho * wo)).copy()))
        return where(Tensor._make(inside.reshape(n, 1, ho * wo)), picked, 0.0)

    if mode == "nearest":
        x, y = np.rint(ix.array).astype(np.int64), np.rint(iy.array).astype(np.int64)
        return corner(x, y).reshape(n, c, ho, wo)
    x0, y0 = np.floor(ix.array).astype(np.int64), np.floor(iy.array).astype(np.int64)
    wx1, wy1 = ix - Tensor._make(x0.astype(ix.dtype)), iy - Tensor._make(y0.astype(iy.dtype))
    wx0, wy0 = 1 - wx1, 1 - wy1
    out = 0
    for x, y, weight in ((x0, y0, wx0 * wy0), (x0 + 1, y0, wx1 * wy0), (x0, y0 + 1, wx0 * wy1),
                         (x0 + 1, y0 + 1, wx1 * wy1)):
        out = out + corner(x, y) * weight.reshape(n, 1, ho * wo)
    return out.reshape(n, c, ho, wo)


# *** session 6: conv_transpose1d, pdist, gumbel_softmax ***
from minigrad.ops import conv_transpose1d, pdist  # noqa: E402
from minigrad.ops._common import canonical_dim  # noqa: E402

__all__ += ["conv_transpose1d", "gumbel_softmax", "pdist"]


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """softmax((logits + g) / tau) along dim, g = -log(E) ~ Gumbel(0, 1) for E ~ Exp(1) drawn
    from minigrad's generator; hard=True returns its one-hot argmax in the forward pass and the
    soft sample's gradient (straight-through: y_hard - y_soft.detach() + y_soft), as PyTorch.
    eps is deprecated and unused, as in PyTorch."""
    _floats_only("gumbel_softmax", logits)
    if eps != 1e-10:
        warnings.warn("gumbel_softmax: `eps` parameter is deprecated and has no effect.",
                      stacklevel=2)
    d = canonical_dim(dim, logits.ndim, "gumbel_softmax")
    noise = -np.log(generator().exponential(size=logits.shape))
    y_soft = _softmax((logits + Tensor._make(noise.astype(logits.array.dtype))) / tau, d)
    if not hard:
        return y_soft
    soft = np.atleast_1d(y_soft.array)  # a 0-d sample is its own one-hot
    y_hard = np.zeros_like(soft)
    np.put_along_axis(y_hard, np.expand_dims(np.argmax(soft, axis=d), d), 1.0, axis=d)
    return Tensor._make(y_hard.reshape(logits.shape)) - y_soft.detach() + y_soft


# *** conv3d: volumes and unpooling (ops/conv.py, ops/pool.py) ***
from minigrad.ops import (  # noqa: E402
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool3d,
    avg_pool3d,
    conv3d,
    conv_transpose3d,
    max_pool3d,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
)
from minigrad.ops.conv import as_tuple  # noqa: E402

__all__ += ["adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool3d", "avg_pool3d",
            "conv3d", "conv_transpose3d", "lp_pool3d", "max_pool3d", "max_unpool1d",
            "max_unpool2d", "max_unpool3d"]


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """The p-norm of each window of (N, C, D, H, W): avg_pool3d of x^p times the window's
    size, to the power 1/p (max pooling at p = inf, as lp_pool2d)."""
    _lp_norm_type("lp_pool3d", norm_type, input)
    if norm_type == math.inf:
        return max_pool3d(input, kernel_size, stride, 0, ceil_mode=ceil_mode)
    kernel = as_tuple(kernel_size, 3, "kernel_size", "lp_pool3d")
    out = avg_pool3d(input ** norm_type, kernel, stride, 0, ceil_mode)
    return _lp_root(out, math.prod(kernel), norm_type)

# gaps: connectionist temporal classification
from minigrad.ops.ctc import ctc_loss  # noqa: E402

__all__ += ["ctc_loss"]

# gaps2: fractional max pooling (random windows; ops/fractional_pool.py)
from minigrad.ops.fractional_pool import (  # noqa: E402
    fractional_max_pool2d,
    fractional_max_pool3d,
)

__all__ += ["fractional_max_pool2d", "fractional_max_pool3d"]
