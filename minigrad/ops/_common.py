"""Helpers every op module shares: turning constants into tensors, and checking dims."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.dtypes import promote_scalar, result_type
from minigrad.tensor import Tensor, _to_array

_SCALARS = (bool, int, float, np.generic)


def constant(value: Any, like: Tensor | None = None) -> Tensor:
    """A constant operand as a Tensor. A Python or numpy scalar meeting a tensor takes the dtype
    PyTorch gives their result (`x32 * 0.5` stays float32, `int_tensor * 0.5` is float32)."""
    if isinstance(value, Tensor):
        return value
    scalar = isinstance(value, _SCALARS) or isinstance(value, np.ndarray) and value.ndim == 0
    if like is not None and scalar:
        dtype = like.array.dtype
        if dtype.kind == "f" and type(value) in (float, int):  # the common case, made short
            return Tensor._make(np.asarray(value, dtype=dtype))
        return Tensor._make(np.asarray(value).astype(promote_scalar(dtype, value)))
    return Tensor._make(_to_array(value))


def operands(a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Both operands of a binary op as Tensors, in the dtype PyTorch computes them in
    (minigrad.dtypes.result_type; numpy would make `int64 * float32` float64)."""
    if isinstance(a, Tensor):
        if not isinstance(b, Tensor):
            b = constant(b, a)
    elif isinstance(b, Tensor):
        a = constant(a, b)
    else:
        a, b = constant(a), constant(b)
    if a.array.dtype is not b.array.dtype:
        dtype = result_type(a, b)
        a, b = _cast(a, dtype), _cast(b, dtype)
    return a, b


def _cast(t: Tensor, dtype: np.dtype) -> Tensor:
    if t.array.dtype == dtype:
        return t
    return t.to(dtype) if t.requires_grad else Tensor._make(t.array.astype(dtype))


def canonical_dim(dim: int, ndim: int, op: str = "") -> int:
    """dim in [-ndim, ndim) as a non-negative index, or an IndexError naming the range."""
    if type(dim) is int and -ndim <= dim < ndim:
        return dim % ndim
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op or 'dim'}: dim must be an int, got {type(dim).__name__}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op + ': ' if op else ''}dimension out of range (expected to be in "
                         f"range of [{-n}, {n - 1}], but got {dim})")
    return int(dim) % n


def canonical_dims(dim: int | Sequence[int] | None, ndim: int, op: str = "") -> tuple[int, ...]:
    """A reduction's dims as a sorted tuple of non-negative ints (None means all)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        dims = (dim,)
    elif isinstance(dim, Sequence):
        dims = tuple(dim)
    else:
        raise TypeError(f"{op or 'dim'}: dim must be an int or a sequence of ints, got "
                        f"{type(dim).__name__} {dim!r}")
    out = tuple(sorted({canonical_dim(d, ndim, op) for d in dims}))
    if len(out) != len(dims):
        raise ValueError(f"{op}: dim {dim} repeats a dimension")
    return out if ndim else ()


def keepdim_shape(shape: tuple[int, ...], dims: tuple[int, ...]) -> tuple[int, ...]:
    """The shape a reduction over dims has with keepdim=True."""
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def count(shape: tuple[int, ...], dims: tuple[int, ...]) -> int:
    """How many elements a reduction over dims combines."""
    return math.prod(shape[d] for d in dims)


def check_reduction(reduction: str, op: str) -> None:
    """A ValueError naming the value unless reduction is one a loss takes."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def as_kept(t: Tensor, kept: tuple[int, ...]) -> Tensor:
    """A reduction's output (or its gradient) in its keepdim shape, so it broadcasts against the
    input; a 0-d one already does, and is left as it is (one op fewer)."""
    return t if t.ndim == 0 or t.array.shape == kept else t.reshape(kept)


def check_broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...], message: str) -> None:
    """Raise ValueError(message) unless shape broadcasts to exactly target."""
    try:
        fits = np.broadcast_shapes(shape, target) == target
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(message)
