"""The functional forms of layers and losses (import as F), with PyTorch's names and arguments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.creation import generator
from minigrad.ops import (
    clamp,
    cross_entropy,
    linear,
    log,
    log_softmax,
    normalize,
    sigmoid,
    softmax,
    tanh,
)
from minigrad.ops import leaky_relu as _leaky_relu
from minigrad.ops import relu as _relu
from minigrad.ops._common import check_reduction
from minigrad.tensor import Tensor

__all__ = [
    "batch_norm", "binary_cross_entropy", "cross_entropy", "dropout", "layer_norm", "leaky_relu",
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


def binary_cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """-(y log a + (1 - y) log(1 - a)) for probabilities a; each log is clamped at -100, as in
    PyTorch, so a = 0 or 1 gives a large finite loss rather than inf."""
    target = _same_shape(input, target, "binary_cross_entropy")
    if ((input.data < 0) | (input.data > 1)).any():
        raise ValueError("binary_cross_entropy: input must hold probabilities in [0, 1] "
                         f"(min {input.data.min():.4g}, max {input.data.max():.4g}); "
                         "apply sigmoid first")
    losses = -(target * clamp(log(input), min=-100) + (1 - target) * clamp(log(1 - input),
                                                                           min=-100))
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
    return normalize(x, dims, weight, bias, eps)


def batch_norm(x: Tensor, running_mean: Tensor | np.ndarray | None,
               running_var: Tensor | np.ndarray | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Normalize each channel (dim 1) over the batch and any trailing dims.

    Training normalizes with the batch's biased variance and updates the running statistics in
    place, the variance with the unbiased estimate (PyTorch's semantics); evaluation normalizes
    with the running statistics, so an example's output does not depend on its batch."""
    if x.ndim not in (2, 3):
        raise ValueError(f"batch_norm: expected input of shape (N, C) or (N, C, L), got {x.shape}")
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
        return normalize(x, dims, weight, bias, eps)
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
