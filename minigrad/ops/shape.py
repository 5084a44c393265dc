"""Shape ops: they move elements around, and their gradients move them back."""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad._alias import dim_or_axis
from minigrad.dtypes import promote_types
from minigrad.function import Function, ViewFunction
from minigrad.ops import elementwise  # a module: elementwise imports this one via fused
from minigrad.ops._common import canonical_dim
from minigrad.ops.indexing import GetItem, IndexPutAdd
from minigrad.tensor import Tensor


class Reshape(ViewFunction):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.array.shape
        return x.array.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return reshape(g, ctx.in_shape), None


class Permute(ViewFunction):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.array.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        inverse = sorted(range(len(ctx.dims)), key=ctx.dims.__getitem__)
        return Permute.apply(g, tuple(inverse)), None


class Expand(ViewFunction):
    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x.array, shape)

    @staticmethod
    def backward(ctx, g):
        return g, None  # the engine sums g back to x's shape


class Cat(Function):
    @staticmethod
    def forward(ctx, *tensors, dim):
        ctx.dim = dim
        ctx.sizes = [t.array.shape[dim] for t in tensors]
        dtype = functools.reduce(promote_types, [t.dtype for t in tensors])  # PyTorch's rule
        return np.concatenate([t.array for t in tensors], axis=dim, dtype=dtype,
                              casting="unsafe")

    @staticmethod
    def backward(ctx, g):
        """Each input gets back its own slice of the gradient."""
        ends = np.cumsum(ctx.sizes)
        lead = (slice(None),) * ctx.dim
        return tuple(
            GetItem.apply(g, (lead + (slice(int(end - size), int(end)),), None)) if need else None
            for size, end, need in zip(ctx.sizes, ends, ctx.needs_input_grad, strict=True)
        )


def _shape_arg(shape: tuple) -> tuple[int, ...]:
    """reshape(2, 3) and reshape((2, 3)) mean the same, as in PyTorch."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple([n if type(n) is int else _size_int(n, shape) for n in shape])


def _size_int(n: Any, shape: tuple) -> int:
    """n as an int, or a TypeError naming it (PyTorch takes no floats, strings or None)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"shape must be ints, got {n!r} of type {type(n).__name__} in {shape}")
    return int(n)


# *** functional API ***
def reshape(x: Tensor, *shape: Any) -> Tensor:
    shape = _shape_arg(shape)
    size = x.array.size
    if -1 in shape:  # the one dim that makes the sizes match
        known = math.prod(n for n in shape if n != -1)
        if shape.count(-1) == 1 and known > 0 and size % known == 0:
            shape = tuple([size // known if n == -1 else n for n in shape])
    if shape == x.array.shape:
        return x
    if math.prod(shape) != size or min(shape, default=0) < 0:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} ({size} "
                         f"elements) into {shape}")
    return Reshape.apply(x, shape)



def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims start_dim..end_dim into one."""
    if x.ndim == 0:
        return reshape(x, 1)
    start = canonical_dim(start_dim, x.ndim, "flatten")
    end = canonical_dim(end_dim, x.ndim, "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    return reshape(x, *x.shape[:start], -1, *x.shape[end + 1:]) if x.array.size else x


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
    if isinstance(dim, (tuple, list)):  # several dims, as torch >= 2.0
        dims = {canonical_dim(d, x.ndim, "squeeze") for d in dim}
        return reshape(x, *(n for i, n in enumerate(x.shape) if n != 1 or i not in dims))
    d = canonical_dim(dim, x.ndim, "squeeze")
    shape = x.array.shape
    return reshape(x, *shape[:d], *shape[d + 1:]) if shape and shape[d] == 1 else x


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert a dim of size 1 at dim (negative dims count from the new end)."""
    d = canonical_dim(dim, x.ndim + 1, "unsqueeze")
    shape = x.array.shape
    return reshape(x, *shape[:d], 1, *shape[d:])


def expand(x: Tensor, *shape: Any) -> Tensor:
    """Broadcast x to shape without copying; -1 keeps a dim's size."""
    shape = _shape_arg(shape)
    x_shape = x.array.shape
    offset = len(shape) - len(x_shape)
    if offset < 0:
        raise ValueError(f"expand: cannot expand a tensor of shape {x_shape} to fewer dims "
                         f"{shape}")
    shape = tuple([x_shape[i - offset] if n == -1 and i >= offset else n
                   for i, n in enumerate(shape)])
    if shape == x_shape:
        return x
    old_dims = zip(x_shape, shape[offset:], strict=True)
    if min(shape) < 0 or any(n != 1 and n != m for n, m in old_dims):
        raise ValueError(f"expand: cannot broadcast shape {x.shape} to {shape}")
    return Expand.apply(x, shape)


broadcast_to = expand


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim."""
    if isinstance(tensors, Tensor):
        raise TypeError("cat: expected a sequence of tensors, got a Tensor")
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    if len(tensors) > 1 and any(t.shape == (0,) for t in tensors if isinstance(t, Tensor)):
        tensors = _without_legacy_empty(tensors)
    first = tensors[0]
    if not isinstance(first, Tensor) or not first.ndim:
        _refuse_cat(0, first)
    d = canonical_dim(dim, first.ndim, "cat")
    outside = first.shape[:d] + first.shape[d + 1:]
    dtype = first.array.dtype
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor) or t.ndim != first.ndim or (
                t.shape[:d] + t.shape[d + 1:] != outside):
            _refuse_cat(i, t)
            raise ValueError(f"cat: tensor {i} has shape {t.shape}, which does not match "
                             f"{first.shape} outside dim {d}")
        if t.array.dtype != dtype:
            dtype = promote_types(dtype, t.array.dtype)
    if any(t.array.dtype != dtype for t in tensors):  # mixed dtypes promote, as in PyTorch
        tensors = [t if t.array.dtype == dtype else elementwise.cast(t, dtype) for t in tensors]
    return Cat.apply(*tensors, dim=d)


def _refuse_cat(i: int, t: Any) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"cat: expected a Tensor as element {i}, got {type(t).__name__}")
    if not t.ndim:
        raise ValueError(f"cat: zero-dimensional tensor (at position {i}) cannot be "
                         "concatenated (use stack)")


def _without_legacy_empty(tensors: list) -> list:
    """tensors less those of shape (0,), which PyTorch skips in cat (unless all are such)."""
    kept = [t for t in tensors if not isinstance(t, Tensor) or t.shape != (0,)]
    return kept or tensors[:1]


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty sequence of tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"stack: expected a Tensor as element {i}, got {type(t).__name__}")
        if t.shape != tensors[0].shape:
            raise ValueError(f"stack: tensor {i} has shape {t.shape}, tensor 0 has "
                             f"{tensors[0].shape}; stack needs equal shapes")
    d = canonical_dim(dim, tensors[0].ndim + 1, "stack")
    return cat([unsqueeze(t, d) for t in tensors], d)


# *** more shape ops (PyTorch's names), composed from the ones above and from indexing ***
def _dtype_arg(arg: Any) -> np.dtype | None:
    """The dtype when view() was given one instead of a shape, else None."""
    if isinstance(arg, (int, np.integer, tuple, list)) or isinstance(arg, Tensor):
        return None
    if arg is None:
        raise TypeError("view: expected a shape or a dtype, got None")
    try:
        return np.dtype(arg)
    except TypeError:
        return None


def view(x: Tensor, *shape: Any) -> Tensor:
    """x.view(shape) is reshape; x.view(dtype) reinterprets the bytes as another dtype, as
    PyTorch does: the last dim scales by the ratio of element sizes (not differentiable)."""
    dtype = _dtype_arg(shape[0]) if len(shape) == 1 else None
    if dtype is None:
        return reshape(x, *shape)
    if dtype == x.dtype:
        return x
    old, new = x.dtype.itemsize, dtype.itemsize
    if old != new:
        if x.ndim == 0:
            raise RuntimeError(f"view: a 0-d tensor cannot be viewed as {dtype} from {x.dtype} "
                               "(different element sizes)")
        if x.array.strides[-1] != old and x.shape[-1] != 1:
            raise RuntimeError(f"view: the last dim must be contiguous to view {x.dtype} as "
                               f"{dtype} (different element sizes)")
        if (x.shape[-1] * old) % new:
            raise RuntimeError(f"view: the last dim's size {x.shape[-1]} times {old} bytes is "
                               f"not a multiple of {new}, the size of {dtype}")
    data = np.ascontiguousarray(x.array) if x.array.ndim and x.shape[-1] == 1 else x.array
    return Tensor._make(data.view(dtype))


def movedim(x: Tensor, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor:
    """Move dims at source to positions destination; the others keep their order."""
    src = [source] if isinstance(source, (int, np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if len(src) != len(dst):
        raise ValueError(f"movedim: source {source} and destination {destination} differ in "
                         "length")
    src = [canonical_dim(d, max(x.ndim, 1), "movedim") for d in src]
    dst = [canonical_dim(d, max(x.ndim, 1), "movedim") for d in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError(f"movedim: repeated dim in source {source} or destination "
                         f"{destination}")
    if x.ndim == 0:
        return x
    order = [None] * x.ndim
    for s, d in zip(src, dst, strict=True):
        order[d] = s
    rest = iter(d for d in range(x.ndim) if d not in src)
    return permute(x, *[next(rest) if o is None else o for o in order])


moveaxis = movedim


def swapaxes(x: Tensor, axis0: int, axis1: int) -> Tensor:
    return transpose(x, axis0, axis1)


swapdims = swapaxes


@dim_or_axis
def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The length elements from start along dim (start may be negative)."""
    d = canonical_dim(dim, x.ndim, "narrow")
    size = x.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"narrow: start {start} is out of range for dim {d} of size {size}")
    start %= size if size else 1
    if length < 0 or start + length > size:
        raise ValueError(f"narrow: start {start} + length {length} exceeds dim {d} of size "
                         f"{size}")
    return x[(slice(None),) * d + (slice(start, start + length),)]


def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dim into sizes (one of them may be -1)."""
    d = canonical_dim(dim, x.ndim, "unflatten")
    sizes = tuple(int(n) for n in sizes)
    known = math.prod(n for n in sizes if n != -1)
    if sizes.count(-1) > 1 or (-1 not in sizes and known != x.shape[d]) or (
            -1 in sizes and (known == 0 or x.shape[d] % known)):
        raise ValueError(f"unflatten: sizes {sizes} do not multiply to dim {d}'s size "
                         f"{x.shape[d]}")
    return reshape(x, *x.shape[:d], *sizes, *x.shape[d + 1:])


def repeat(x: Tensor, *sizes: Any) -> Tensor:
    """Tile x: dim k repeats sizes[k] times (leading sizes add new dims)."""
    sizes = _shape_arg(sizes)
    if len(sizes) < x.ndim:
        raise ValueError(f"repeat: {len(sizes)} repeat counts for a tensor of {x.ndim} dims "
                         f"(shape {x.shape}); give at least {x.ndim}")
    if min(sizes, default=0) < 0:
        raise ValueError(f"repeat: repeat counts must be non-negative, got {sizes}")
    shape = (1,) * (len(sizes) - x.ndim) + x.shape
    spread = reshape(x, *[n for s in shape for n in (1, s)])
    tiled = expand(spread, *[n for r, s in zip(sizes, shape, strict=True) for n in (r, s)])
    return reshape(tiled, *[r * s for r, s in zip(sizes, shape, strict=True)])


def tile(x: Tensor, dims: Sequence[int]) -> Tensor:
    """repeat, with missing leading counts taken as 1."""
    dims = _shape_arg((dims,) if isinstance(dims, int) else tuple(dims))
    return repeat(x, *((1,) * (x.ndim - len(dims)) + dims))


def split(x: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple:
    """Pieces along dim: of split_size each (the last may be shorter), or of the listed
    sizes."""
    d = canonical_dim(dim, x.ndim, "split")
    size = x.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step <= 0 and size:
            raise ValueError(f"split: split_size must be positive, got {step}")
        sizes = [min(step, size - s) for s in range(0, size, step)] if size else [0]
    elif not isinstance(split_size_or_sections, Sequence):
        raise TypeError(f"split: split_size_or_sections must be an int or a list of ints, got "
                        f"{split_size_or_sections!r}")
    else:
        sizes = [int(n) for n in split_size_or_sections]
        if sum(sizes) != size or min(sizes, default=0) < 0:
            raise ValueError(f"split: sections {sizes} do not add up to dim {d}'s size {size}")
    lead = (slice(None),) * d
    ends = np.cumsum(sizes)
    return tuple(GetItem.apply(x, (lead + (slice(int(e - n), int(e)),), None))
                 for n, e in zip(sizes, ends, strict=True))


@dim_or_axis
def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple:
    """At most chunks pieces of ceil(size / chunks) along dim, as PyTorch splits them."""
    if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)):
        raise TypeError(f"chunk: chunks must be an int, got {chunks!r}")
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    d = canonical_dim(dim, x.ndim, "chunk")
    size = x.shape[d]
    if not size:
        return split(x, [0] * chunks, d)
    return split(x, -(-size // chunks), d)


@dim_or_axis
def unbind(x: Tensor, dim: int = 0) -> tuple:
    """The slices along dim, each without that dim."""
    d = canonical_dim(dim, x.ndim, "unbind")
    lead = (slice(None),) * d
    return tuple(GetItem.apply(x, (lead + (i,), None)) for i in range(x.shape[d]))


def flip(x: Tensor, dims: int | Sequence[int]) -> Tensor:
    """x reversed along dims."""
    dims = [dims] if isinstance(dims, (int, np.integer)) else list(dims)
    index = [slice(None)] * x.ndim
    for d in dims:
        d = canonical_dim(d, max(x.ndim, 1), "flip")
        if x.ndim and index[d] != slice(None):
            raise ValueError(f"flip: dim {d} appears more than once in dims {tuple(dims)}")
        index[d] = slice(None, None, -1)
    return GetItem.apply(x, (tuple(index[:x.ndim]), None))


class Roll(Function):
    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x.array, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        return Roll.apply(g, tuple(-s for s in ctx.shifts), ctx.dims), None, None


def roll(x: Tensor, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None
         ) -> Tensor:
    """Shift elements along dims, wrapping around (dims=None: over the flattened tensor)."""
    if dims is None:
        if not isinstance(shifts, (int, np.integer)):
            raise ValueError(f"roll: shifts {shifts} needs dims")
        return reshape(Roll.apply(reshape(x, -1), (int(shifts),), (0,)), *x.shape)
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(shifts) != len(dims):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} differ in length")
    dims = tuple(canonical_dim(d, max(x.ndim, 1), "roll") for d in dims)
    return Roll.apply(x, tuple(int(s) for s in shifts), dims) if x.ndim else x


def _triangle(x: Tensor, diagonal: int, lower: bool, op: str) -> Tensor:
    if x.ndim < 2:
        raise ValueError(f"{op}: input must have at least 2 dims, got shape {x.shape}")
    n, m = x.shape[-2:]
    keep = np.tri(n, m, diagonal, dtype=bool)
    if not lower:
        keep = ~np.tri(n, m, diagonal - 1, dtype=bool)
    return elementwise.where(Tensor._make(keep), x, Tensor._make(np.zeros((), x.dtype)))


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    """x with the elements above the diagonal-th diagonal set to 0 (last two dims)."""
    return _triangle(x, diagonal, True, "tril")


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    """x with the elements below the diagonal-th diagonal set to 0 (last two dims)."""
    return _triangle(x, diagonal, False, "triu")


def _diagonal_coords(n: int, m: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the offset-th diagonal of an n x m matrix."""
    length = max(min(n, m - offset) if offset >= 0 else min(n + offset, m), 0)
    rows = np.arange(length) + max(-offset, 0)
    return rows, rows + offset


def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The offset-th diagonal of the matrices in dims (dim1, dim2), as a new last dim."""
    a = canonical_dim(dim1, x.ndim, "diagonal")
    b = canonical_dim(dim2, x.ndim, "diagonal")
    if a == b:
        raise ValueError(f"diagonal: dim1 and dim2 must differ, both are {a}")
    moved = movedim(x, (a, b), (-2, -1))
    rows, cols = _diagonal_coords(x.shape[a], x.shape[b], offset)
    return GetItem.apply(moved, ((), (Ellipsis, rows, cols)))


def diag_embed(x: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices with x's last dim on their offset-th diagonal, in new dims (dim1, dim2)."""
    out_ndim = x.ndim + 1
    a = canonical_dim(dim1, out_ndim, "diag_embed")
    b = canonical_dim(dim2, out_ndim, "diag_embed")
    if a == b:
        raise ValueError(f"diag_embed: dim1 and dim2 must differ, both are {a}")
    n = (x.shape[-1] if x.ndim else 1) + abs(offset)
    rows, cols = _diagonal_coords(n, n, offset)
    batch = x.shape[:-1]
    placed = IndexPutAdd.apply(x, batch + (n, n), ((), (Ellipsis, rows, cols)))
    return movedim(placed, (-2, -1), (a, b))


_diagonal = diagonal  # diag's argument `diagonal` (PyTorch's name) hides the function


def diag(x: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D x as a square matrix with x on its diagonal-th diagonal; a 2-D x's diagonal."""
    if x.ndim == 1:
        return diag_embed(x, diagonal)
    if x.ndim == 2:
        return _diagonal(x, diagonal)
    raise ValueError(f"diag: input must be 1-D or 2-D, got shape {x.shape}")


@dim_or_axis
def repeat_interleave(x: Tensor, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Each element (dim=None: of the flattened x) or slice along dim repeated repeats times;
    repeats is one count or one per slice. With x alone, x holds the counts and the result is
    arange(len(x)) repeated by them (lengths -> segment ids)."""
    if repeats is None:
        if x.ndim != 1 or x.dtype.kind not in "iu":
            raise ValueError(f"repeat_interleave: counts alone must be a 1-D integer tensor, got "
                             f"shape {tuple(x.shape)} of {x.dtype}")
        x, repeats = Tensor._make(np.arange(len(x))), x
    if output_size is not None:
        result = repeat_interleave(x, repeats, dim)
        expected = result.shape[0 if dim is None else dim]
        if output_size != expected:
            raise ValueError(f"repeat_interleave: output_size={output_size}, but the repeats "
                             f"give {expected}")
        return result
    if dim is None:
        x, dim = reshape(x, -1), 0
    d = canonical_dim(dim, max(x.ndim, 1), "repeat_interleave")
    counts = repeats.array if isinstance(repeats, Tensor) else np.asarray(repeats)
    size = (x.shape or (1,))[d]
    if counts.ndim > 1 or counts.ndim == 1 and len(counts) not in (1, size):
        raise ValueError(f"repeat_interleave: repeats of shape {counts.shape} does not fit dim "
                         f"{d} of size {size}")
    if counts.dtype.kind not in "iu" or counts.size and counts.min() < 0:
        raise ValueError("repeat_interleave: repeats must be non-negative integers")
    index = np.repeat(np.arange(size), counts.reshape(-1) if counts.ndim else int(counts))
    if x.ndim == 0:
        x = reshape(x, 1)
    return GetItem.apply(x, ((), (slice(None),) * d + (index,)))


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple:
    """Coordinate grids from 1-D tensors: output k varies along dim k ('ij') or, for the
    first two, along dims 1 and 0 ('xy')."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for i, t in enumerate(tensors):
        if t.ndim > 1:
            raise ValueError(f"meshgrid: tensor {i} must be 0-D or 1-D, got shape {t.shape}")
    sizes = [t.numel() for t in tensors]
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, t in enumerate(tensors):
        k = {0: 1, 1: 0}.get(i, i) if swap else i
        shape = [1] * len(tensors)
        shape[k] = sizes[k]
        grids.append(expand(reshape(t, *shape), *sizes))
    return tuple(grids)


def unfold(x: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Every window of size elements along dimension, step apart, as a new last dim."""
    d = canonical_dim(dimension, max(x.ndim, 1), "unfold")
    length = (x.shape or (1,))[d]
    if size < 0 or size > length:
        raise ValueError(f"unfold: size {size} exceeds dim {d}'s size {length}")
    if step <= 0:
        raise ValueError(f"unfold: step must be positive, got {step}")
    if x.ndim == 0:
        x = reshape(x, 1)
    count = (length - size) // step + 1
    windows = np.arange(count)[:, None] * step + np.arange(size)
    picked = GetItem.apply(movedim(x, d, -1), ((), (Ellipsis, windows)))
    return movedim(picked, -2, d)


# *** Tensor methods PyTorch programs use: flips, rotations, splits, select ***
def fliplr(x: Tensor) -> Tensor:
    """x reversed along dim 1 (left/right), for tensors of at least 2 dims."""
    if x.ndim < 2:
        raise RuntimeError(f"fliplr: input must be >= 2-d, got shape {x.shape}")
    return flip(x, 1)


def flipud(x: Tensor) -> Tensor:
    """x reversed along dim 0 (up/down), for tensors of at least 1 dim."""
    if x.ndim < 1:
        raise RuntimeError("flipud: input must be >= 1-d, got a 0-d tensor")
    return flip(x, 0)


def rot90(x: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """x rotated k quarter turns in the plane of dims, from dims[0] towards dims[1]."""
    dims = tuple(dims)
    if len(dims) != 2 or x.ndim < 2:
        raise RuntimeError(f"rot90: expected 2 dims and an input of at least 2 dims, got dims "
                           f"{dims} for shape {x.shape}")
    d0, d1 = (canonical_dim(d, x.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"rot90: the two dims must differ, got {dims}")
    k %= 4
    if k == 1:
        return transpose(flip(x, d1), d0, d1)
    if k == 2:
        return flip(x, (d0, d1))
    return transpose(flip(x, d0), d0, d1) if k == 3 else x[...]


@dim_or_axis
def tensor_split(x: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple:
    """Pieces along dim: n nearly equal sections (the first size % n one longer), or the
    pieces between the listed indices (numpy's array_split)."""
    d = canonical_dim(dim, x.ndim, "tensor_split")
    size = x.shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, (int, np.integer)):
        n = int(indices_or_sections)
        if n <= 0:
            raise RuntimeError(f"tensor_split: number of sections must be larger than 0, got {n}")
        sizes = [size // n + (i < size % n) for i in range(n)]
        bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    else:
        cuts = [int(i) for i in indices_or_sections]
        bounds = [0, *[min(max(i + size if i < 0 else i, 0), size) for i in cuts], size]
    lead = (slice(None),) * d
    return tuple(GetItem.apply(x, (lead + (slice(a, max(a, b)),), None))
                 for a, b in zip(bounds[:-1], bounds[1:], strict=True))


def _split_along(name: str, x: Tensor, sections: Any, dim: int, min_dims: int) -> tuple:
    """hsplit, vsplit, dsplit: tensor_split along dim, an int count must divide the size."""
    if x.ndim < min_dims:
        raise RuntimeError(f"{name}: requires a tensor with at least {min_dims} dims, but got "
                           f"shape {x.shape}")
    if isinstance(sections, (int, np.integer)) and (sections <= 0 or x.shape[dim] % sections):
        raise RuntimeError(f"{name}: dim {dim} of size {x.shape[dim]} is not divisible by the "
                           f"split count {sections}")
    return tensor_split(x, sections, dim)


def hsplit(x: Tensor, indices_or_sections: Any) -> tuple:
    """Split along dim 1 (dim 0 for a 1-D tensor)."""
    return _split_along("hsplit", x, indices_or_sections, 0 if x.ndim == 1 else 1, 1)


def vsplit(x: Tensor, indices_or_sections: Any) -> tuple:
    """Split along dim 0 of a tensor of at least 2 dims."""
    return _split_along("vsplit", x, indices_or_sections, 0, 2)


def dsplit(x: Tensor, indices_or_sections: Any) -> tuple:
    """Split along dim 2 of a tensor of at least 3 dims."""
    return _split_along("dsplit", x, indices_or_sections, 2, 3)


def split_with_sizes(x: Tensor, split_sizes: Sequence[int], dim: int = 0) -> tuple:
    """split with a list of sizes that add up to the size of dim."""
    return split(x, list(split_sizes), dim)


@dim_or_axis
def select(x: Tensor, dim: int, index: int) -> Tensor:
    """The slice at index along dim, without that dim (`x.select(1, 2)` is `x[:, 2]`)."""
    d = canonical_dim(dim, x.ndim, "select")
    size = x.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select: index {index} is out of range for dim {d} of size {size}")
    return x[(slice(None),) * d + (int(index),)]


# *** stacking, broadcasting and index grids (tmethods) ***
def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least 1 dim (a 0-d one becomes shape (1,)); one tensor in, one out."""
    return _atleast(tensors, 1)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least 2 dims: (n,) becomes (1, n)."""
    return _atleast(tensors, 2)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least 3 dims: (n,) becomes (1, n, 1), (m, n) becomes (m, n, 1)."""
    return _atleast(tensors, 3)


def _atleast(tensors: tuple, ndim: int) -> Any:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return _as_tuple(_atleast(tuple(tensors[0]), ndim))
    out = tuple(reshape(t, *_padded_shape(t.shape, ndim)) if t.ndim < ndim else t
                for t in tensors)
    return out[0] if len(out) == 1 else out


def _padded_shape(shape: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    """numpy's atleast_nd: () -> ones, (n,) -> (1, n) or (1, n, 1), (m, n) -> (m, n, 1)."""
    if not shape:
        return (1,) * ndim
    if len(shape) == 1:
        return (1, *shape) if ndim == 2 else (1, *shape, 1)
    return (*shape, 1)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """cat along dim 1 (dim 0 for 1-D tensors)."""
    if not tensors:
        raise ValueError("hstack: expected a non-empty sequence of tensors")
    tensors = _as_tuple(atleast_1d(*tensors))
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """cat along dim 0 of the tensors made at least 2-D."""
    return cat(_as_tuple(atleast_2d(*tensors)), 0)


row_stack = vstack


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """cat along dim 2 of the tensors made at least 3-D."""
    return cat(_as_tuple(atleast_3d(*tensors)), 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """The tensors as columns: 0-d and 1-D ones become (n, 1), then hstack."""
    return hstack([reshape(t, -1, 1) if t.ndim < 2 else t for t in tensors])


def _as_tuple(value: Any) -> tuple:
    return value if isinstance(value, tuple) else (value,)


concat = concatenate = cat


def broadcast_shapes(*shapes: Any) -> tuple[int, ...]:
    """The shape the given shapes broadcast to."""
    try:
        return tuple(np.broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s)
                                           for s in shapes]))
    except ValueError:
        raise RuntimeError(f"broadcast_shapes: shapes {shapes} do not broadcast "
                           "together") from None


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape."""
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(expand(t, *shape) for t in tensors)


def block_diag(*tensors: Tensor) -> Tensor:
    """A block diagonal matrix of the tensors (0-d and 1-D ones as 1-row matrices)."""
    blocks = [reshape(t, 1, -1) if t.ndim < 2 else t for t in tensors]
    if any(b.ndim > 2 for b in blocks):
        raise RuntimeError("block_diag: tensors must have 2 or fewer dims")
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        right = width - left - b.shape[1]
        rows.append(cat([b.new_zeros(b.shape[0], left), b, b.new_zeros(b.shape[0], right)], 1))
        left += b.shape[1]
    return cat(rows, 0) if rows else Tensor._make(np.zeros((0, 0), np.float32))


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of the 1-D tensors' elements, one per row (itertools.product order)."""
    if len(tensors) == 1:
        return tensors[0]
    return stack([reshape(g, -1) for g in meshgrid(*tensors, indexing="ij")], 1)


def _triangle_indices(name: str, row: int, col: int, offset: int, lower: bool) -> Tensor:
    rows, cols = np.tril_indices(row, offset, col) if lower else np.triu_indices(row, offset, col)
    return Tensor._make(np.stack([rows, cols]).astype(np.int64))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None) -> Tensor:
    """The (2, N) coordinates of the lower triangle of a row x col matrix, row by row."""
    out = _triangle_indices("tril_indices", row, col, offset, True)
    return out if dtype is None else out.to(dtype)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None) -> Tensor:
    """The (2, N) coordinates of the upper triangle of a row x col matrix, row by row."""
    out = _triangle_indices("triu_indices", row, col, offset, False)
    return out if dtype is None else out.to(dtype)


def diagflat(x: Tensor, offset: int = 0) -> Tensor:
    """A matrix with x's elements (flattened) on its offset-th diagonal."""
    return diag(reshape(x, -1), offset)


def sum_to_size(x: Tensor, *size: Any) -> Tensor:
    """x summed over the dims where it was broadcast from size (the gradient of expand)."""
    size = _shape_arg(size)
    if np.broadcast_shapes(size, x.shape) != x.shape:
        raise RuntimeError(f"sum_to_size: size {size} is not expandable to the tensor's shape "
                           f"{x.shape}")
    lead = x.ndim - len(size)
    dims = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(size)
                                      if n == 1 and x.shape[lead + i] != 1)
    return reshape(x.sum(dims, keepdim=True), *size) if dims else x


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The r-element combinations of a 1-D tensor's elements, one per row (itertools order)."""
    if input.ndim != 1:
        raise RuntimeError(f"combinations: expected a 1-D tensor, got shape {input.shape}")
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = np.array(list(pick(range(input.shape[0]), r)), np.int64).reshape(-1, r)
    return input[(rows,)]


def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    """The coordinates in shape of flat indices (one tensor per dim)."""
    flat = np.asarray(indices.array if isinstance(indices, Tensor) else indices)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    size = math.prod(shape)
    if flat.dtype.kind not in "iu" or flat.size and (flat.min() < -size or flat.max() >= size):
        raise RuntimeError(f"unravel_index: indices must be integers in [-{size}, {size}) for "
                           f"shape {shape}")
    return tuple(Tensor._make(c.astype(np.int64)) for c in np.unravel_index(flat % size, shape))


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """Columns of powers of a 1-D x: x^(N-1), ..., x, 1 (the other way when increasing)."""
    if x.ndim != 1:
        raise RuntimeError(f"vander: x must be 1-D, got shape {x.shape}")
    n = x.shape[0] if N is None else N
    column = x.unsqueeze(1) if x.dtype.kind != "b" else x.unsqueeze(1).to(np.int64)
    powers = [column.new_ones(x.shape[0], 1)] if n else []
    for _ in range(n - 1):  # x^k = x^(k-1) x: smooth also at x = 0, unlike x ** k
        powers.append(powers[-1] * column)
    return cat(powers[::1 if increasing else -1], 1) if n else column.new_zeros(x.shape[0], 0)
