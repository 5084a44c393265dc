"""The op behind in-place writes: `setitem(x, index, value)` is x with x[index] = value, out of
place. Tensor.__setitem__, fill_, copy_, masked_fill_ and friends record it when they write
into a tensor that is part of a graph (see Tensor._write_in_place)."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.function import Function
from minigrad.ops._common import canonical_dim
from minigrad.ops.indexing import GetItem, Plan, index_put_add, normalize_index
from minigrad.ops.shape import _diagonal_coords, movedim
from minigrad.tensor import Tensor


class SetItem(Function):
    """x with x[index] = value, index normalized by normalize_index (PyTorch's rules)."""

    @staticmethod
    def forward(ctx, x, plan, value):
        ctx.plan = plan
        out = x.array.copy()
        basic, advanced = plan
        if advanced is None:
            out[basic] = value.array
        else:
            out[basic][advanced] = value.array
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx = g with zeros where index overwrote x; d/dvalue = g[index] (the engine sums
        it back to value's shape when value was broadcast)."""
        need_x, _, need_value = ctx.needs_input_grad
        zero = Tensor._make(np.zeros((), g.dtype))
        return (SetItem.apply(g, ctx.plan, zero) if need_x else None, None,
                GetItem.apply(g, ctx.plan) if need_value else None)


def setitem(x: Tensor, index: Any, value: Any, leading_ones: bool = False) -> Tensor:
    """A copy of x with x[index] = value. A number or array value takes x's dtype; a Tensor
    value must have a dtype x's can hold (float into int is refused, as in PyTorch). With
    leading_ones (t[index] = value), value's leading dims of size 1 beyond the indexed
    shape's rank are dropped first, as PyTorch and numpy do."""
    plan: Plan = normalize_index(x.shape, index)
    if not isinstance(value, Tensor):
        value = Tensor._make(np.asarray(value, dtype=x.array.dtype))
    elif value.array.dtype != x.array.dtype:
        if not np.can_cast(value.array.dtype, x.array.dtype, "same_kind"):
            raise RuntimeError(f"setitem: a value of dtype {value.dtype} can't be written into "
                               f"a tensor of dtype {x.dtype}")
        value = value.to(x.array.dtype)
    basic, advanced = plan
    selected = x.array[basic].shape if advanced is None else x.array[basic][advanced].shape
    extra = value.ndim - len(selected)
    if leading_ones and extra > 0 and all(n == 1 for n in value.shape[:extra]):
        value = value.reshape(value.shape[extra:])
    try:
        fits = np.broadcast_shapes(value.array.shape, selected) == selected
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"setitem: value of shape {value.shape} does not broadcast to the "
                           f"indexed shape {selected}")
    return SetItem.apply(x, plan, value)


# *** ops that write into a copy by index (tmethods) ***
def _dim_index_slot(op: str, x: Tensor, dim: int, index: Any) -> tuple:
    """The index tuple that picks index (1-D, or a 0-d number) along dim of x."""
    d = canonical_dim(dim, x.ndim, op) if x.ndim else 0
    positions = np.asarray(index.array if isinstance(index, Tensor) else index)
    if positions.dtype.kind not in "iu" or positions.ndim > 1:
        raise RuntimeError(f"{op}: index must be a 0-d or 1-D integer tensor, got shape "
                           f"{positions.shape} and dtype {positions.dtype}")
    size = x.shape[d] if x.ndim else 1
    if positions.size and (positions.min() < -size or positions.max() >= size):
        raise IndexError(f"{op}: index {positions.tolist()} is out of range for dim {d} of "
                         f"size {size}")
    return (slice(None),) * d + (positions.reshape(-1),) if x.ndim else (...,)


def index_fill(input: Tensor, dim: int, index: Any, value: Any) -> Tensor:
    """input with the slices at index along dim set to value (a number or a 0-d tensor)."""
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"index_fill: value must be a number or a 0-d tensor, got shape "
                           f"{value.shape}")
    return setitem(input, _dim_index_slot("index_fill", input, dim, index), value)


def index_copy(input: Tensor, dim: int, index: Any, source: Tensor) -> Tensor:
    """input with the slice at index[i] along dim replaced by source's i-th slice."""
    return setitem(input, _dim_index_slot("index_copy", input, dim, index), source)


def masked_scatter(input: Tensor, mask: Any, source: Tensor) -> Tensor:
    """input with the elements where mask (broadcast to input's shape) is True replaced by
    source's first elements, in row-major order."""
    mask = np.asarray(mask.array if isinstance(mask, Tensor) else mask)
    if mask.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter: mask must be a bool tensor, got {mask.dtype}")
    mask = np.broadcast_to(mask, input.shape)
    count = int(mask.sum())
    if source.numel() < count:
        raise RuntimeError(f"masked_scatter: the mask selects {count} elements but source has "
                           f"only {source.numel()}")
    return setitem(input, mask, source.reshape(-1)[:count])


def index_put(input: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
    """input with input[indices] = values (a tuple of index tensors, as x[i, j]); with
    accumulate, values are added there instead, repeated positions adding up."""
    index = tuple(indices)
    if not accumulate:
        return setitem(input, index, values)
    values = values if isinstance(values, Tensor) else Tensor._make(
        np.asarray(values, input.array.dtype))
    basic, advanced = normalize_index(input.shape, index)
    selected = input.array[basic].shape if advanced is None else input.array[basic][advanced].shape
    return input + index_put_add(values.expand(*selected), input.shape, index)


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """input with its slice at index along dim replaced by src (the inverse of select)."""
    d = canonical_dim(dim, input.ndim, "select_scatter")
    return setitem(input, (slice(None),) * d + (int(index),), src)


def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None,
                  end: int | None = None, step: int = 1) -> Tensor:
    """input with input[..., start:end:step, ...] (along dim) replaced by src."""
    d = canonical_dim(dim, input.ndim, "slice_scatter")
    return setitem(input, (slice(None),) * d + (slice(start, end, step),), src)


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0,
                     dim2: int = 1) -> Tensor:
    """input with its offset-th diagonal in dims (dim1, dim2) replaced by src (the inverse of
    diagonal: src's last dim runs along the diagonal)."""
    a, b = (canonical_dim(d, input.ndim, "diagonal_scatter") for d in (dim1, dim2))
    moved = movedim(input, (a, b), (-2, -1))
    rows, cols = _diagonal_coords(input.shape[a], input.shape[b], offset)
    return movedim(setitem(moved, (..., rows, cols), src), (-2, -1), (a, b))


def put(input: Tensor, index: Any, source: Tensor, accumulate: bool = False) -> Tensor:
    """input with the elements at index (into its flattened values) replaced by source's (or,
    with accumulate, increased by them)."""
    positions = Tensor._make(np.asarray(index.array if isinstance(index, Tensor) else index)
                             .reshape(-1))
    flat = index_put(input.reshape(-1), (positions,), source.reshape(-1), accumulate)
    return flat.reshape(*input.shape)
