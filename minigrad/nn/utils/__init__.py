"""Gradient utilities; sequence packing and padding in nn.utils.rnn."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from minigrad.nn.utils import rnn  # noqa: F401  (nn.utils.rnn, as in PyTorch)
from minigrad.tensor import Tensor


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float = 2.0) -> float:
    """Scale all gradients together so their joint norm is at most max_norm; returns the norm
    before clipping. Gradients are replaced, not written into (they may share arrays)."""
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p for p in params if p.grad is not None]
    if not grads:
        return 0.0
    if norm_type == float("inf"):
        total = max(float(np.abs(p.grad.array).max()) for p in grads)
    else:
        total = float(sum(np.sum(np.abs(p.grad.array) ** norm_type) for p in grads)
                      ** (1.0 / norm_type))
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for p in grads:
            p.grad = Tensor._make((p.grad.array * scale).astype(p.grad.dtype))
    return total
