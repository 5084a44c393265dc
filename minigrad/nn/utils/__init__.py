"""Gradient and parameter utilities, as torch.nn.utils: clip_grad_norm_, clip_grad_value_,
parameters_to_vector, vector_to_parameters; sequence padding and packing in nn.utils.rnn;
pruning masks in nn.utils.prune; parametrized parameters in nn.utils.parametrize(ations)."""

from __future__ import annotations

import functools
from collections.abc import Iterable

import numpy as np

from minigrad.nn.utils import (  # noqa: F401  (nn.utils.prune, .rnn, ... as PyTorch's)
    parametrizations,
    parametrize,
    prune,
    rnn,
)
from minigrad.nn.utils.spectral_norm import (  # noqa: F401  (programs5)
    remove_spectral_norm,
    spectral_norm,
)
from minigrad.nn.utils.weight_norm import remove_weight_norm, weight_norm  # noqa: F401
from minigrad.tensor import Tensor


def _listed(parameters: Iterable[Tensor] | Tensor) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so their joint norm is at most max_norm; returns the norm
    before clipping, as a 0-d tensor. Gradients are replaced, not written into (they may share
    arrays)."""
    grads = [p for p in _listed(parameters) if p.grad is not None]
    if not grads:
        return Tensor._make(np.array(0.0, np.float32))
    norm_type = float(norm_type)
    dtype = grads[0].grad.dtype
    # numpy all the way, no Python float or branch on the values: mg.compile captures it
    if norm_type == float("inf"):
        total = functools.reduce(np.maximum, [np.abs(p.grad.array).max(initial=0.0)
                                              for p in grads])
    else:
        total = sum(np.sum(np.abs(p.grad.array, dtype=np.float64) ** norm_type)
                    for p in grads) ** (1.0 / norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    scale = np.minimum(max_norm / (total + 1e-6), 1.0).astype(dtype)  # x * 1 is x exactly
    for p in grads:
        p.grad = Tensor._make((p.grad.array * scale).astype(p.grad.dtype, copy=False))
    return Tensor._make(np.asarray(total).astype(dtype))


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value]."""
    for p in _listed(parameters):
        if p.grad is not None:
            p.grad = Tensor._make(np.clip(p.grad.array, -clip_value, clip_value))


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened into one vector, in order (differentiable, as in PyTorch)."""
    from minigrad.ops import cat

    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Give each parameter the next slice of vec as its values: a view of vec's memory, as
    PyTorch sets `param.data`."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected vec to be a Tensor, got "
                        f"{type(vec).__name__}")
    params = list(parameters)
    need = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() != need:
        raise ValueError(f"vector_to_parameters: vec has shape {tuple(vec.shape)}; the "
                         f"parameters need a vector of {need} elements")
    start = 0
    for p in params:
        n = p.numel()
        p.array = vec.array[start:start + n].reshape(p.shape)
        start += n
