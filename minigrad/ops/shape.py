"""Shape ops: they move elements around, and their gradients move them back."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.function import Function, ViewFunction
from minigrad.ops._common import canonical_dim
from minigrad.tensor import Tensor


class Reshape(ViewFunction):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.data.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return reshape(g, ctx.in_shape), None


class Permute(ViewFunction):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.data.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        inverse = sorted(range(len(ctx.dims)), key=ctx.dims.__getitem__)
        return Permute.apply(g, tuple(inverse)), None


class Expand(ViewFunction):
    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x.data, shape)

    @staticmethod
    def backward(ctx, g):
        return g, None  # the engine sums g back to x's shape


class GetItem(ViewFunction):
    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape, ctx.index = x.shape, index
        return x.data[index]

    @staticmethod
    def backward(ctx, g):
        return IndexAdd.apply(g, ctx.in_shape, ctx.index), None


class IndexAdd(Function):
    """zeros(shape) with g added at index: the gradient of x[index]."""

    @staticmethod
    def forward(ctx, g, shape, index):
        ctx.index = index
        out = np.zeros(shape, dtype=g.dtype)
        if _is_basic(index):
            out[index] = g.data
        else:
            np.add.at(out, index, g.data)  # repeated indices accumulate
        return out

    @staticmethod
    def backward(ctx, gg):
        return getitem(gg, ctx.index), None, None


class Cat(Function):
    @staticmethod
    def forward(ctx, *tensors, dim):
        ctx.dim = dim
        ctx.sizes = [t.shape[dim] for t in tensors]
        return np.concatenate([t.data for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, g):
        """Each input gets back its own slice of the gradient."""
        ends = np.cumsum(ctx.sizes)
        lead = (slice(None),) * ctx.dim
        return tuple(
            getitem(g, lead + (slice(int(end - size), int(end)),)) if need else None
            for size, end, need in zip(ctx.sizes, ends, ctx.needs_input_grad, strict=True)
        )


def _is_basic(index: Any) -> bool:
    """True for ints, slices, None and Ellipsis only: such an index never repeats an element."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis
               for p in parts)


def _shape_arg(shape: tuple) -> tuple[int, ...]:
    """reshape(2, 3) and reshape((2, 3)) mean the same, as in PyTorch."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple([int(n) for n in shape])


def _index_arg(index: Any) -> Any:
    """Tensors and lists inside an index become integer or boolean arrays."""
    def convert(part: Any) -> Any:
        if isinstance(part, Tensor):
            return part.data
        if isinstance(part, list):
            return np.asarray(part)
        return part
    return tuple(convert(p) for p in index) if isinstance(index, tuple) else convert(index)


# *** functional API ***
def reshape(x: Tensor, *shape: Any) -> Tensor:
    shape = _shape_arg(shape)
    size = x.data.size
    if -1 in shape:  # the one dim that makes the sizes match
        known = math.prod(n for n in shape if n != -1)
        if shape.count(-1) == 1 and known > 0 and size % known == 0:
            shape = tuple([size // known if n == -1 else n for n in shape])
    if shape == x.data.shape:
        return x
    if math.prod(shape) != size or min(shape, default=0) < 0:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} ({size} "
                         f"elements) into {shape}")
    return Reshape.apply(x, shape)


view = reshape


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims start_dim..end_dim into one."""
    if x.ndim == 0:
        return reshape(x, 1)
    start = canonical_dim(start_dim, x.ndim, "flatten")
    end = canonical_dim(end_dim, x.ndim, "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    return reshape(x, *x.shape[:start], -1, *x.shape[end + 1:]) if x.data.size else x


def permute(x: Tensor, *dims: Any) -> Tensor:
    dims = tuple([canonical_dim(d, x.ndim, "permute") for d in _shape_arg(dims)])
    if len(dims) != x.ndim or len(set(dims)) != x.ndim:
        raise ValueError(f"permute: {dims} is not an ordering of the {x.ndim} dims of a tensor "
                         f"of shape {x.shape}")
    return Permute.apply(x, dims)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    dims = list(range(x.ndim))
    a, b = canonical_dim(dim0, x.ndim, "transpose"), canonical_dim(dim1, x.ndim, "transpose")
    dims[a], dims[b] = dims[b], dims[a]
    return Permute.apply(x, tuple(dims)) if x.ndim > 1 else x


def squeeze(x: Tensor, dim: int | None = None) -> Tensor:
    """Drop dims of size 1 (only dim, when given and of size 1)."""
    if dim is None:
        return reshape(x, *(n for n in x.shape if n != 1))
    d = canonical_dim(dim, x.ndim, "squeeze")
    return reshape(x, *x.shape[:d], *x.shape[d + 1:]) if x.ndim and x.shape[d] == 1 else x


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert a dim of size 1 at dim (negative dims count from the new end)."""
    d = canonical_dim(dim, x.ndim + 1, "unsqueeze")
    return reshape(x, *x.shape[:d], 1, *x.shape[d:])


def expand(x: Tensor, *shape: Any) -> Tensor:
    """Broadcast x to shape without copying; -1 keeps a dim's size."""
    shape = _shape_arg(shape)
    offset = len(shape) - x.ndim
    if offset < 0:
        raise ValueError(f"expand: cannot expand a tensor of shape {x.shape} to fewer dims "
                         f"{shape}")
    shape = tuple([x.shape[i - offset] if n == -1 and i >= offset else n
                   for i, n in enumerate(shape)])
    if shape == x.shape:
        return x
    new_dims, old_dims = shape[:offset], zip(x.shape, shape[offset:], strict=True)
    if any(n < 0 for n in new_dims) or any(n != 1 and n != m for n, m in old_dims):
        raise ValueError(f"expand: cannot broadcast shape {x.shape} to {shape}")
    return Expand.apply(x, shape)


broadcast_to = expand


def getitem(x: Tensor, index: Any) -> Tensor:
    """x[index] with numpy's basic and integer-array indexing."""
    index = _index_arg(index)
    try:
        return GetItem.apply(x, index)
    except IndexError as e:
        raise IndexError(f"getitem: index {index!r:.80} does not fit shape {x.shape}: {e}") from e


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    first = tensors[0]
    d = canonical_dim(dim, first.ndim, "cat")
    outside = first.shape[:d] + first.shape[d + 1:]
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim or t.shape[:d] + t.shape[d + 1:] != outside:
            raise ValueError(f"cat: tensor {i} has shape {t.shape}, which does not match "
                             f"{first.shape} outside dim {d}")
    return Cat.apply(*tensors, dim=d)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty sequence of tensors")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise ValueError(f"stack: tensor {i} has shape {t.shape}, tensor 0 has "
                             f"{tensors[0].shape}; stack needs equal shapes")
    d = canonical_dim(dim, tensors[0].ndim + 1, "stack")
    return cat([unsqueeze(t, d) for t in tensors], d)
