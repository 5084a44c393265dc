"""The op behind in-place writes: `setitem(x, index, value)` is x with x[index] = value, out of
place. Tensor.__setitem__, fill_, copy_, masked_fill_ and friends record it when they write
into a tensor that is part of a graph (see Tensor._write_in_place)."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.function import Function
from minigrad.ops.indexing import GetItem, Plan, normalize_index
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


def setitem(x: Tensor, index: Any, value: Any) -> Tensor:
    """A copy of x with x[index] = value. A number or array value takes x's dtype; a Tensor
    value must have a dtype x's can hold (float into int is refused, as in PyTorch)."""
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
    try:
        fits = np.broadcast_shapes(value.array.shape, selected) == selected
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"setitem: value of shape {value.shape} does not broadcast to the "
                           f"indexed shape {selected}")
    return SetItem.apply(x, plan, value)
