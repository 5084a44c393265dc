"""The functional forms of layers and losses (import as F), with PyTorch's names and arguments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad._alias import dim_or_axis
from minigrad.creation import generator
from minigrad.ops import (
    clamp,
    index_put_add,
    linear,
    log,
    log_softmax,
    sigmoid,
    softmax,
    stack,
    standardize,
    tanh,
    vector_norm,
    where,
)
from minigrad.ops import cross_entropy as _cross_entropy
from minigrad.ops import leaky_relu as _leaky_relu
from minigrad.ops import one_hot as _one_hot
from minigrad.ops import relu as _relu
from minigrad.ops._common import check_reduction, operands
from minigrad.ops.conv import conv1d, conv2d, conv_transpose2d, fold, unfold
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
    "leaky_relu",
    "linear", "log_softmax", "mse_loss", "relu", "sigmoid", "softmax", "tanh",
]


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return _leaky_relu(x, negative_slope)


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0); with inplace=True x itself is overwritten (and returned), as in PyTorch."""
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


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """mean((input - target)^2)"""
    diff = input - _same_shape(input, target, "mse_loss")
    return _reduce(diff * diff, reduction, "mse_loss")


def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """-w (y log a + (1 - y) log(1 - a)) for probabilities a; each log is clamped at -100, as in
    PyTorch, so a = 0 or 1 gives a large finite loss rather than inf."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _same_shape(input, target, "binary_cross_entropy")
    if ((input.data < 0) | (input.data > 1)).any():
        raise ValueError("binary_cross_entropy: input must hold probabilities in [0, 1] "
                         f"(min {input.data.min():.4g}, max {input.data.max():.4g}); "
                         "apply sigmoid first")
    losses = -(target * clamp(log(input), min=-100) + (1 - target) * clamp(log(1 - input),
                                                                           min=-100))
    if weight is not None:
        losses = losses * _broadcast_weight(weight, input, "binary_cross_entropy")
    return _reduce(losses, reduction, "binary_cross_entropy")


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p) (training only);
    with inplace=True x itself is overwritten (and returned)."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p must be in [0, 1], got {p}")
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
    if x.ndim not in (2, 3, 4):
        raise ValueError(f"batch_norm: expected input of shape (N, C), (N, C, L) or "
                         f"(N, C, H, W), got {x.shape}")
    channels = x.shape[1]
    dims = (0,) + tuple(range(2, x.ndim))
    stat_shape = (1, channels) + (1,) * (x.ndim - 2)
    weight = None if weight is None else weight.reshape(stat_shape)
    bias = None if bias is None else bias.reshape(stat_shape)
    if training:
        n = x.data.size // channels
        if n < 2:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                             f"got input of shape {x.shape}")
        if running_mean is not None and running_var is not None:
            mean = x.data.mean(axis=dims)
            var = x.data.var(axis=dims, ddof=1)
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
    return stat.data if isinstance(stat, Tensor) else stat


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
    try:
        fits = np.broadcast_shapes(weight.shape, input.shape) == input.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{name}: {what} of shape {weight.shape} does not broadcast to the "
                         f"input's shape {input.shape}")
    return weight.to(input.dtype) if weight.dtype != input.dtype else weight


def _class_weight(weight: Any, classes: int, dtype: Any, name: str) -> np.ndarray | None:
    """weight as a constant array of one value per class (PyTorch does not differentiate it)."""
    if weight is None:
        return None
    w = weight.data if isinstance(weight, Tensor) else np.asarray(weight)
    if w.shape != (classes,):
        raise ValueError(f"{name}: weight must have one value per class, shape ({classes},), "
                         f"got {w.shape}")
    return w.astype(dtype)


def _class_index_target(input: Tensor, target: Any, name: str) -> np.ndarray:
    """target as an integer array of shape (N, d1, ...) for input (N, C, d1, ...), or () for
    input (C,)."""
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{name}: class-index target must be integers, got {t.dtype}")
    expected = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if t.shape != expected:
        raise ValueError(f"{name}: target of shape {t.shape} does not fit input of shape "
                         f"{input.shape} (expected {expected})")
    return t


def _classes_last(input: Tensor) -> Tensor:
    """(N, C, d1, ...) as (N d1 ..., C); (C,) as (1, C)."""
    if input.ndim == 1:
        return input.reshape(1, -1)
    return input.movedim(1, -1).reshape(-1, input.shape[1])


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
        return losses.sum() / Tensor._make(np.asarray(scale.sum(), input.dtype))
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
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    soft = t.dtype.kind == "f"
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
        smooth = smooth.sum() / Tensor._make(np.asarray(total, input.dtype))
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / classes)


def _softplus(x: Tensor) -> Tensor:
    """log(1 + exp(x)) = logsumexp(0, x), stable for large |x| and smooth at 0."""
    return stack([Tensor._make(np.zeros_like(x.data)), x]).logsumexp(0)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Any = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Any = None) -> Tensor:
    """binary_cross_entropy(sigmoid(x), y) without its overflow: w ((1 - y) x + (1 + (p - 1) y)
    log(1 + exp(-x))), with p = pos_weight scaling the positive term (broadcast over the
    classes in the last dim)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _same_shape(input, target, "binary_cross_entropy_with_logits")
    softplus_neg = _softplus(-input)
    if pos_weight is None:
        losses = (1 - target) * input + softplus_neg
    else:
        p = _broadcast_weight(pos_weight, input, "binary_cross_entropy_with_logits")
        losses = (1 - target) * input + (1 + (p - 1) * target) * softplus_neg
    if weight is not None:
        losses = losses * _broadcast_weight(weight, input, "binary_cross_entropy_with_logits")
    return _reduce(losses, reduction, "binary_cross_entropy_with_logits")


def l1_loss(input: Tensor, target: Any, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """|input - target|"""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    diff = input - _same_shape(input, target, "l1_loss")
    return _reduce(diff.abs(), reduction, "l1_loss")


def smooth_l1_loss(input: Tensor, target: Any, size_average: bool | None = None,
                   reduce: bool | None = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    d = (input - _same_shape(input, target, "smooth_l1_loss")).abs()
    if beta == 0:
        return _reduce(d, reduction, "smooth_l1_loss")
    losses = where(d < beta, d * d * (0.5 / beta), d - 0.5 * beta)
    return _reduce(losses, reduction, "smooth_l1_loss")


def huber_loss(input: Tensor, target: Any, reduction: str = "mean",
               delta: float = 1.0) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta) (d = input - target)."""
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    d = (input - _same_shape(input, target, "huber_loss")).abs()
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
        positive = Tensor._make(target.data > 0)
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
        raise ValueError(f"{name}: shapes {a.shape} and {b.shape} do not broadcast") from None
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
    positive = Tensor._make(t.data == 1)
    negative = Tensor._make(t.data == -1)
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
    if mode == "circular":
        return p % size
    period = 2 * (size - 1)  # reflect: ... 2 1 | 0 1 2 3 | 2 1 ...
    q = p % period if period else p * 0
    return np.where(q >= size, period - q, q)


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad the last len(pad) // 2 dims: pad = (last_before, last_after, second_last_before,
    ...), as in PyTorch. Negative amounts crop. mode 'constant' fills with value (0); 'reflect'
    mirrors without repeating the edge, 'replicate' repeats the edge, 'circular' wraps
    around."""
    pad = [int(n) for n in pad]
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: pad {tuple(pad)} must have an even length of at most twice the "
                         f"input's {input.ndim} dims")
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of {_PAD_MODES}, got {mode!r}")
    k = len(pad) // 2
    dims = [input.ndim - 1 - i for i in range(k)]
    if mode == "constant":
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
        if size == 0 or (limit is not None and max(before, after) > limit):
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
    shape = list(input.shape)
    for i, d in enumerate(dims):
        before, after = pad[2 * i], pad[2 * i + 1]
        crop[d] = slice(max(-before, 0), input.shape[d] - max(-after, 0))
        kept = max(input.shape[d] - max(-before, 0) - max(-after, 0), 0)
        shape[d] = kept + max(before, 0) + max(after, 0)
        if shape[d] < 0 or input.shape[d] + before + after < 0:
            raise ValueError(f"pad: padding ({before}, {after}) leaves dim {d} of size "
                             f"{input.shape[d]} with a negative size")
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
        mask = attn_mask.data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
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
    dead = np.isneginf(scores.data).all(-1, keepdims=True)
    if dead.any():  # rows with no key left: softmax would give nan; PyTorch gives 0
        scores = scores.masked_fill(Tensor._make(dead), 0.0)
        weights = softmax(scores, -1).masked_fill(Tensor._make(dead), 0.0)
    else:
        weights = softmax(scores, -1)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p)
    return weights @ value


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of weight picked by the integer indices in input: output shape input.shape +
    (embedding_dim,). The row padding_idx gets no gradient."""
    index = np.asarray(input.data if isinstance(input, Tensor) else input)
    if index.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got {index.dtype}")
    n = weight.shape[0]
    if index.size and (index.min() < 0 or index.max() >= n):
        bad = index[(index < 0) | (index >= n)].ravel()[0]
        raise IndexError(f"embedding: index {bad} is out of range for {n} embeddings")
    if padding_idx is not None and weight.requires_grad:
        rows = np.arange(n).reshape(n, 1) != padding_idx % n
        weight = where(Tensor._make(rows), weight, weight.detach())
    return weight[index]


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
]


def dropout2d(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each whole channel of (N, C, H, W) (or unbatched (C, H, W)) with probability p and
    scale the rest by 1/(1-p) (training only): neighbouring pixels are dropped together."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout2d: p must be in [0, 1], got {p}")
    if x.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got "
                         f"shape {x.shape}")
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0.0
    keep = generator().random(x.shape[:-2] + (1, 1)) >= p
    return x * Tensor._make((keep / (1 - p)).astype(x.dtype))
