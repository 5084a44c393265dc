"""Pooling and resizing: max pools pick one input per window and route its gradient there, the
average pools and `interpolate` are linear maps built from ops that are differentiable again.

A max pool is a gather of the winning positions, found with numpy: its backward is a scatter-add
of the gradient back to those positions, and the scatter's backward is the gather again, so
second derivatives work. Ties go to the first maximum in the window in row-major order, and a
NaN wins over any number (the last NaN when there are several), as PyTorch does on the CPU.
max_unpool is that scatter run forward: each value written at its index.

The same code serves 2-d and 3-d windows (the 1-d pools run as 2-d ones of height 1)."""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.function import Function
from minigrad.ops.conv import (
    _SHAPES,
    IntOrPair,
    Unfold,
    _batched,
    as_tuple,
    output_shape,
    windows,
)
from minigrad.ops.elementwise import _refuse_non_float
from minigrad.ops.linalg import matmul
from minigrad.ops.shape import reshape, unsqueeze
from minigrad.tensor import Tensor


# *** gather and scatter over each (n, c) plane ***
class Gather(Function):
    """out[n, c, ...] = x[n, c].flat[indices[n, c, ...]]; `values`, when given, are these
    elements already found (by the max pool's search)."""

    @staticmethod
    def forward(ctx, x, indices, unique, values=None):
        ctx.in_shape, ctx.batch_last = x.shape, batch_innermost(x.array)
        if values is not None:
            return values
        n, c = x.shape[:2]  # sizes spelled out, not -1: the batch may be empty
        plane = x.array.reshape(n, c, math.prod(x.shape[2:]))
        if not plane.shape[2]:  # an empty plane (max_unpool to size 0): nothing to pick
            return np.zeros_like(plane, shape=indices.shape)
        outside = indices >= plane.shape[2]  # see _max_pool: a window wholly in the padding
        picked = np.take_along_axis(plane, np.where(outside, 0, indices).reshape(
            n, c, math.prod(indices.shape[2:])), 2)
        picked = picked.reshape(indices.shape)
        return np.where(outside, 0, picked) if outside.any() else picked

    @staticmethod
    def backward(ctx, g):
        return (ScatterAdd.apply(g, ctx.inputs[1], ctx.inputs[2], ctx.in_shape, ctx.batch_last),
                None, None, None)


class ScatterAdd(Function):
    """zeros(shape) with g[n, c, ...] added at plane position indices[n, c, ...]. Repeated
    indices (overlapping windows) accumulate through one bincount; unique ones are simply
    assigned (a fast path: three times quicker, the same result). With batch_last the result
    has the batch innermost in memory, as the pooled input had (see _max_pool), so the
    gradient flows back to a conv without changing layout."""

    @staticmethod
    def forward(ctx, g, indices, unique, shape, batch_last=False):
        n, c, size = shape[0], shape[1], math.prod(shape[2:])
        position = indices.reshape(n, c, math.prod(indices.shape[2:]))
        if batch_last:  # memory order (C, *spatial, N)
            flat = (np.arange(c)[:, None] * size + position) * n + np.arange(n)[:, None, None]
        else:
            flat = position + (np.arange(n * c) * size).reshape(n, c, 1)
        flat, values = flat.ravel(), g.array.ravel()
        if indices.size and indices.max() >= size:  # windows wholly in the padding: dropped
            inside = indices.ravel() < size
            flat, values = flat[inside], values[inside]
        if unique:
            out = np.zeros_like(values, shape=n * c * size)  # zeros_like: seen by mg.compile
            out[flat] = values
        else:
            out = np.bincount(flat, values, n * c * size).astype(g.dtype, copy=False)
        if batch_last:
            return np.moveaxis(out.reshape(c, *shape[2:], n), -1, 0)
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, gg):
        return Gather.apply(gg, ctx.inputs[1], ctx.inputs[2], None), None, None, None, None


def batch_innermost(a: np.ndarray) -> bool:
    """Whether a (N, C, ...) array has its batch dim innermost in memory, as conv2d's output."""
    return a.ndim > 2 and a.shape[0] > 1 and a.strides[0] < min(a.strides[1:])


def _first_max(values: np.ndarray, axis: int) -> np.ndarray:
    """Index of the first maximum along axis, or of the last NaN where there is one."""
    best = values.argmax(axis)
    nan = np.isnan(values)
    if nan.any():
        last_nan = values.shape[axis] - 1 - np.flip(nan, axis).argmax(axis)
        best = np.where(nan.any(axis), last_nan, best)
    return best


# *** geometry of the pools ***
def _check_input(op: str, x: Tensor, first: int = 1) -> None:
    """PyTorch's pools refuse bools, and inputs with an empty dim from `first` on (the batch
    alone may be empty)."""
    if x.array.dtype == np.bool_:
        raise TypeError(f"{op}: not implemented for bool tensors (use .float())")
    if 0 in x.shape[first:]:
        raise ValueError(f"{op}: expected the input's non-batch dims from dim {first} on to "
                         f"have positive sizes, got shape {tuple(x.shape)}")


def _pool_args(op: str, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
               n: int = 2) -> tuple[tuple[int, ...], ...]:
    kernel = as_tuple(kernel_size, n, "kernel_size", op)
    stride = kernel if stride is None or stride == () else as_tuple(stride, n, "stride", op)
    padding = as_tuple(padding, n, "padding", op, 0)
    dilation = as_tuple(dilation, n, "dilation", op)
    if any(p > k // 2 for p, k in zip(padding, kernel, strict=True)):
        raise ValueError(f"{op}: padding should be at most half of the kernel size, got "
                         f"padding={padding} and kernel_size={kernel}")
    return kernel, stride, padding, dilation


def _pool_pads(op: str, spatial: Sequence[int], kernel: Sequence[int], stride: Sequence[int],
               padding: Sequence[int], dilation: Sequence[int], ceil_mode: bool) -> tuple:
    """(top, bottom) and (left, right) pads; with ceil_mode the bottom and right get what a last,
    partial window needs, as long as that window starts inside the input or its left padding."""
    pads = []
    for size, k, s, p, d in zip(spatial, kernel, stride, padding, dilation, strict=True):
        extra = 0
        if ceil_mode:
            span = size + 2 * p - d * (k - 1) - 1
            count = -(-span // s) + 1
            if (count - 1) * s >= size + p:
                count -= 1
            extra = max((count - 1) * s - span, 0)
        pads.append((p, p + extra))
    output_shape(op, spatial, kernel, stride, dilation, pads)
    return tuple(pads)


# *** max pools ***
def _max_pool(x: np.ndarray, kernel: Sequence[int], stride: Sequence[int],
              dilation: Sequence[int], pads: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Each window's maximum, and its flat position in the (*spatial) plane: the first maximum
    in row-major order, or the last NaN, as PyTorch's CPU kernel picks (it replaces the best so
    far by a larger value or by a NaN). Elementwise steps over contiguous per-tap planes:
    numpy's argmax along a middle axis is several times slower."""
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    dims, taps = len(kernel), math.prod(kernel)
    if batch_innermost(x):
        # the batch innermost in memory, as the convolution leaves it: keep that layout (the
        # next conv takes it without a copy)
        view = windows(x, kernel, dilation, pads, stride, fill, batch_last=True)
        tap_major = view.transpose(*range(1, dims + 1), 0, *range(dims + 1, view.ndim))
        planes = np.ascontiguousarray(tap_major).reshape(taps, *tap_major.shape[dims:])
        planes = planes.transpose(0, planes.ndim - 1, *range(1, planes.ndim - 1))
    else:
        view = windows(x, kernel, dilation, pads, stride, fill)
        tap_major = view.transpose(*range(2, dims + 2), 0, 1, *range(dims + 2, view.ndim))
        planes = np.ascontiguousarray(tap_major).reshape(taps, *tap_major.shape[dims:])
    best = planes[0].copy(order="K")  # planes[t]: (N, C, *out), in either layout
    for t in range(1, taps):
        np.maximum(best, planes[t], out=best)  # NaN wins, as in the scan
    # positions are found in the padded plane first: element strides of its axes
    padded = [n + before + after for n, (before, after) in zip(x.shape[2:], pads, strict=True)]
    steps = [math.prod(padded[a + 1:]) for a in range(dims)]
    outs = best.shape[2:]
    pos = np.empty_like(best, dtype=np.int64)
    pos[...] = functools.reduce(np.add.outer, [  # each window's start, on the (*out) grid
        np.arange(o) * (s * step) for o, s, step in zip(outs, stride, steps, strict=True)])
    offsets = [0]  # each tap's offset from its window's start, taps in row-major order
    for k, d, step in zip(kernel, dilation, steps, strict=True):
        offsets = [o + i * d * step for o in offsets for i in range(k)]
    todo = np.ones_like(best, dtype=bool)
    for t in range(taps):
        hit = planes[t] == best
        hit &= todo
        todo ^= hit
        if offsets[t]:
            pos += hit * offsets[t]
    if x.dtype.kind == "f" and todo.any():  # NaN windows: the last NaN
        nan_pos = pos.copy()
        for t in range(taps):
            np.copyto(pos, nan_pos + offsets[t], where=todo & np.isnan(planes[t]))
    if not any(before or after for before, after in pads):
        return best, pos
    coords, outside = [], None
    for a, (step, size, (before, _)) in enumerate(zip(steps, padded, pads, strict=True)):
        coord = pos // step if step > 1 else pos  # the last axis has step 1
        coord = (coord % size if a else coord) - before  # the first needs no modulo
        coords.append(coord)
        out_of_range = (coord < 0) | (coord >= x.shape[2 + a])
        outside = out_of_range if outside is None else outside | out_of_range
    if outside.any():
        # every value in the window is -inf: the first position inside wins; a window wholly in
        # the padding (dilated) points past the plane, as in PyTorch, and gets no gradient
        coords = [np.where(outside, _along(_first_inside(o, s, before, d), a, dims), coord)
                  for a, (coord, o, s, (before, _), d)
                  in enumerate(zip(coords, outs, stride, pads, dilation, strict=True))]
    flat = coords[0]
    for coord, size in zip(coords[1:], x.shape[3:], strict=True):
        flat = flat * size + coord
    return best, flat


def _along(values: np.ndarray, axis: int, dims: int) -> np.ndarray:
    """A 1-D array shaped to broadcast along spatial axis `axis` of dims (the last dims)."""
    return values.reshape((-1,) + (1,) * (dims - 1 - axis))


def _first_inside(count: int, stride: int, pad: int, dilation: int) -> np.ndarray:
    """The first input position inside each of count windows."""
    start = np.arange(count) * stride - pad
    return start + -(-np.maximum(-start, 0) // dilation) * dilation


def max_pool2d(input: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               padding: IntOrPair = 0, dilation: IntOrPair = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """The largest value in each window, padding counting as -inf; with return_indices also
    each value's position in its input plane (h W + w)."""
    return _max_pool_nd("max_pool2d", 2, input, kernel_size, stride, padding, dilation,
                        ceil_mode, return_indices)


def max_pool3d(input: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               padding: IntOrPair = 0, dilation: IntOrPair = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """max_pool2d over (N, C, D, H, W): indices are positions in the volume, (d H + h) W + w."""
    return _max_pool_nd("max_pool3d", 3, input, kernel_size, stride, padding, dilation,
                        ceil_mode, return_indices)


def _max_pool_nd(_op: str, dims: int, input: Tensor, kernel_size: Any, stride: Any,
                 padding: Any, dilation: Any, ceil_mode: bool, return_indices: bool) -> Any:
    x, unbatched = _batched(input, _op, (dims + 1, dims + 2), _SHAPES[dims])
    _check_input(_op, x)
    kernel, stride, padding, dilation = _pool_args(_op, kernel_size, stride, padding, dilation,
                                                   dims)
    pads = _pool_pads(_op, x.shape[2:], kernel, stride, padding, dilation, ceil_mode)
    values, indices = _max_pool(x.array, kernel, stride, dilation, pads)
    unique = all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation, strict=True))
    return _picked(x, indices, unique, unbatched, return_indices, values)


def _picked(x: Tensor, indices: np.ndarray, unique: bool, unbatched: bool,
            return_indices: bool, values: np.ndarray | None = None) -> Any:
    out = Gather.apply(x, indices, unique, values)
    if unbatched:
        out, indices = reshape(out, *out.shape[1:]), indices[0]
    return (out, Tensor._make(indices)) if return_indices else out


def max_pool1d(input: Tensor, kernel_size: int, stride: int | None = None, padding: int = 0,
               dilation: int = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """max_pool2d over (N, C, 1, L)."""
    op = "max_pool1d"
    x, unbatched = _batched(input, op, (2, 3), "(N, C, L)")
    one = lambda v, name, low=1: (1, *as_tuple(v, 1, name, op, low))  # noqa: E731
    result = _max_pool_nd(op, 2, unsqueeze(x, 2), one(kernel_size, "kernel_size"),
                          None if stride is None else one(stride, "stride"),
                          (0, *as_tuple(padding, 1, "padding", op, 0)),
                          one(dilation, "dilation"), ceil_mode, True)
    out, indices = (reshape(t, t.shape[0], t.shape[1], t.shape[3]) for t in result)
    if unbatched:
        out, indices = reshape(out, *out.shape[1:]), reshape(indices, *indices.shape[1:])
    return (out, indices) if return_indices else out


def _adaptive_bounds(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """Window i covers [floor(i size / out), ceil((i + 1) size / out))."""
    i = np.arange(out)
    return (i * size) // out, -(-((i + 1) * size) // out)


def _adaptive_size(op: str, x: Tensor, output_size: Any, dims: int = 2) -> tuple[int, ...]:
    sizes = (output_size,) * dims if isinstance(output_size, (int, np.integer)) or \
        output_size is None else tuple(output_size)
    if len(sizes) != dims:
        raise ValueError(f"{op}: output_size must be an int or a tuple of {dims}, got "
                         f"{output_size!r}")
    if dims == 1 and None in sizes:  # None keeps an axis's size only in 2-d and 3-d
        raise TypeError(f"{op}: output_size must be an int, got {output_size!r}")
    sizes = tuple(x.shape[2 + i] if s is None else s for i, s in enumerate(sizes))
    if min(sizes) < 0:
        raise ValueError(f"{op}: output_size must be at least 0, got {output_size!r}")
    return sizes


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """adaptive_max_pool2d over (N, C, L)."""
    return _adaptive_max_pool("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over output_size windows that tile the input, window i along an axis covering
    [floor(i H / out), ceil((i + 1) H / out)). One small numpy step per output cell."""
    return _adaptive_max_pool("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """adaptive_max_pool2d over (N, C, D, H, W); indices are positions in the volume."""
    return _adaptive_max_pool("adaptive_max_pool3d", 3, input, output_size, return_indices)


def _adaptive_max_pool(op: str, dims: int, input: Tensor, output_size: Any,
                       return_indices: bool) -> Any:
    x, unbatched = _batched(input, op, (dims + 1, dims + 2), _SHAPES[dims])
    _refuse_non_float(op, x)
    _check_input(op, x)
    outs, spatial = _adaptive_size(op, x, output_size, dims), tuple(x.shape[2:])
    if 0 in outs:  # an empty output: nothing to pick
        return _picked(x, np.zeros((*x.shape[:2], *outs), np.int64), True, unbatched,
                       return_indices)
    bounds = [_adaptive_bounds(n, o) for n, o in zip(spatial, outs, strict=True)]
    n, c = x.shape[:2]
    cells = []  # each cell's (N, C) positions, stacked (not assigned: seen by mg.compile)
    for cell in itertools.product(*map(range, outs)):
        window = tuple(slice(start[i], end[i]) for (start, end), i in zip(bounds, cell,
                                                                          strict=True))
        block = x.array[(slice(None), slice(None)) + window]
        tap = _first_max(block.reshape(n, c, math.prod(block.shape[2:])), 2)
        flat = 0
        for a, (part, size) in enumerate(zip(window, spatial, strict=True)):
            coord = tap // math.prod(block.shape[3 + a:]) % block.shape[2 + a]
            flat = flat * size + part.start + coord
        cells.append(flat)
    indices = np.stack(cells, axis=-1).reshape(n, c, *outs)
    return _picked(x, indices, False, unbatched, return_indices)


# *** average pools ***
def _divisors(spatial: Sequence[int], kernel: Sequence[int], stride: Sequence[int],
              padding: Sequence[int], counts: Sequence[int], count_include_pad: bool) -> list:
    """Per axis, how many positions each window averages: up to the padded input's end, and
    inside the input only when padding is not counted."""
    result = []
    for size, k, s, p, count in zip(spatial, kernel, stride, padding, counts, strict=True):
        start = np.arange(count) * s - p
        end = np.minimum(start + k, size + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, size)
        result.append(end - start)
    return result


def avg_pool2d(input: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               padding: IntOrPair = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each window: the sum of unfold's column over the window's size (padding
    counted unless count_include_pad=False, or divisor_override)."""
    return _avg_pool_nd("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                        count_include_pad, divisor_override)


def avg_pool3d(input: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               padding: IntOrPair = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """avg_pool2d over (N, C, D, H, W)."""
    return _avg_pool_nd("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                        count_include_pad, divisor_override)


def _avg_pool_nd(_op: str, dims: int, input: Tensor, kernel_size: Any, stride: Any,
                 padding: Any, ceil_mode: bool, count_include_pad: bool,
                 divisor_override: int | None) -> Tensor:
    _check_input(_op, input, input.ndim - dims - 1)
    if input.array.dtype.kind in "iu":  # integers: the mean rounded toward zero, as PyTorch
        mean = _avg_pool_nd(_op, dims, input.to(np.float64), kernel_size, stride, padding,
                            ceil_mode, count_include_pad, divisor_override)
        return Tensor._make(np.trunc(mean.array).astype(input.dtype))
    x, unbatched = _batched(input, _op, (dims + 1, dims + 2), _SHAPES[dims])
    ones = (1,) * dims
    kernel, stride, padding, _ = _pool_args(_op, kernel_size, stride, padding, 1, dims)
    pads = _pool_pads(_op, x.shape[2:], kernel, stride, padding, ones, ceil_mode)
    (n, c), spatial = x.shape[:2], tuple(x.shape[2:])
    if dims == 3 and any(m < k for m, k in zip(spatial, kernel, strict=True)):
        # PyTorch's 3-d average pool (only) wants the kernel to fit the unpadded input
        raise ValueError(f"{_op}: input of spatial size {spatial} is smaller than kernel_size "
                         f"{kernel} (the padding does not count here)")
    outs = output_shape(_op, spatial, kernel, stride, ones, pads)
    if divisor_override is not None:
        if not isinstance(divisor_override, (int, np.integer)) or divisor_override == 0:
            raise ValueError(f"{_op}: divisor_override must be a nonzero int, got "
                             f"{divisor_override!r}")
        scale = np.full(math.prod(outs), 1.0 / divisor_override)
    else:
        counts = _divisors(spatial, kernel, stride, padding, outs, count_include_pad)
        scale = 1.0 / functools.reduce(np.multiply.outer, counts).ravel()
    planes = reshape(x, n * c, 1, *spatial)
    sums = Unfold.apply(planes, kernel, ones, pads, stride).sum(1)
    out = reshape(sums * Tensor._make(scale.astype(x.dtype)), n, c, *outs)
    return reshape(out, c, *outs) if unbatched else out


def avg_pool1d(input: Tensor, kernel_size: int, stride: int | None = None, padding: int = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """avg_pool2d over (N, C, 1, L)."""
    op = "avg_pool1d"
    x, unbatched = _batched(input, op, (2, 3), "(N, C, L)")
    one = lambda v, name, low=1: (1, *as_tuple(v, 1, name, op, low))  # noqa: E731
    out = _avg_pool_nd(op, 2, unsqueeze(x, 2), one(kernel_size, "kernel_size"),
                       None if stride is None else one(stride, "stride"),
                       (0, *as_tuple(padding, 1, "padding", op, 0)), ceil_mode,
                       count_include_pad, None)
    out = reshape(out, out.shape[0], out.shape[1], out.shape[3])
    return reshape(out, *out.shape[1:]) if unbatched else out


def _separable(x: Tensor, rows: np.ndarray | None, cols: np.ndarray) -> Tensor:
    """rows @ x @ cols^T over the last two dims (the last one only when rows is None): a linear
    map that acts on each axis separately, as averaging and interpolating do."""
    dtype = x.dtype
    if rows is not None:
        x = matmul(Tensor._make(rows.astype(dtype)), x)
    return matmul(x, Tensor._make(np.ascontiguousarray(cols.T, dtype=dtype)))


def _separable_nd(x: Tensor, matrices: Sequence[np.ndarray]) -> Tensor:
    """matrices[k] applied along the k-th of the last len(matrices) dims: the leading ones as
    products with the later dims flattened, the last two by _separable."""
    for k, matrix in enumerate(matrices[:-2]):
        axis = x.ndim - len(matrices) + k
        lead, rest = x.shape[:axis], x.shape[axis + 1:]
        flat = matmul(Tensor._make(matrix.astype(x.dtype)),
                      reshape(x, *lead, x.shape[axis], math.prod(rest)))
        x = reshape(flat, *lead, matrix.shape[0], *rest)
    return _separable(x, *matrices[-2:])


def _averaging(size: int, out: int) -> np.ndarray:
    """(out, size): row i averages window i of the adaptive pool."""
    start, end = _adaptive_bounds(size, out)
    positions = np.arange(size)
    inside = (positions >= start[:, None]) & (positions < end[:, None])
    return inside / (end - start)[:, None]


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """The mean over output_size windows that tile the input (see adaptive_max_pool2d); a
    window's mean is separable, so this is A_h @ x @ A_w^T with constant averaging matrices."""
    return _adaptive_avg_pool("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """adaptive_avg_pool2d over (N, C, D, H, W): one averaging matrix per spatial axis."""
    return _adaptive_avg_pool("adaptive_avg_pool3d", 3, input, output_size)


def _adaptive_avg_pool(op: str, dims: int, input: Tensor, output_size: Any) -> Tensor:
    x, unbatched = _batched(input, op, (dims + 1, dims + 2), _SHAPES[dims])
    _refuse_non_float(op, x)
    _check_input(op, x, 2)
    outs = _adaptive_size(op, x, output_size, dims)
    out = _separable_nd(x, [_averaging(n, o) for n, o in zip(x.shape[2:], outs, strict=True)])
    return reshape(out, *out.shape[1:]) if unbatched else out


# *** unpooling: max pooling's indices scattered back ***
def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: IntOrPair,
                 stride: IntOrPair | None = None, padding: IntOrPair = 0,
                 output_size: Sequence[int] | None = None) -> Tensor:
    """Zeros with input[n, c, l] written at position indices[n, c, l] of each (n, c) row:
    the partial inverse of max_pool1d(return_indices=True)."""
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding,
                       output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: IntOrPair,
                 stride: IntOrPair | None = None, padding: IntOrPair = 0,
                 output_size: Sequence[int] | None = None) -> Tensor:
    """Zeros with each value written at its flat position h W + w in its (n, c) plane: the
    partial inverse of max_pool2d(return_indices=True)."""
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding,
                       output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: IntOrPair,
                 stride: IntOrPair | None = None, padding: IntOrPair = 0,
                 output_size: Sequence[int] | None = None) -> Tensor:
    """max_unpool2d over volumes: the partial inverse of max_pool3d(return_indices=True)."""
    return _max_unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding,
                       output_size)


def _unpool_size(op: str, spatial: Sequence[int], kernel: Sequence[int], stride: Sequence[int],
                 padding: Sequence[int], output_size: Any) -> tuple[int, ...]:
    """(in - 1) stride - 2 padding + kernel per axis, or output_size (its spatial part) when it
    lies strictly within a stride of that, as PyTorch checks."""
    default = tuple((n - 1) * s - 2 * p + k
                    for n, k, s, p in zip(spatial, kernel, stride, padding, strict=True))
    if output_size is None:
        sizes = default
    else:
        sizes = tuple(output_size)
        dims = len(kernel)
        if len(sizes) == dims + 2:
            sizes = sizes[2:]
        if len(sizes) != dims or not all(isinstance(v, (int, np.integer)) for v in sizes):
            raise ValueError(f"{op}: output_size must hold {dims} or {dims + 2} ints, got "
                             f"{output_size!r}")
        for axis, (size, base, s) in enumerate(zip(sizes, default, stride, strict=True)):
            if not base - s < size < base + s:
                raise ValueError(f"{op}: invalid output_size {tuple(output_size)} (dim {axis} "
                                 f"must be between {base - s} and {base + s}, exclusive)")
    if min(sizes) < 0:
        raise ValueError(f"{op}: input of spatial size {tuple(spatial)} with kernel_size "
                         f"{tuple(kernel)}, stride {tuple(stride)} and padding "
                         f"{tuple(padding)} gives an output of size {sizes}, below 0")
    return tuple(int(v) for v in sizes)


def _max_unpool(op: str, dims: int, input: Tensor, indices: Tensor, kernel_size: Any,
                stride: Any, padding: Any, output_size: Any) -> Tensor:
    x, unbatched = _batched(input, op, (dims + 1, dims + 2), _SHAPES[dims])
    _refuse_non_float(op, x)
    if not isinstance(indices, Tensor) or indices.dtype != np.int64:
        raise TypeError(f"{op}: indices must be an int64 tensor (as max_pool returns them), "
                        f"got {getattr(indices, 'dtype', type(indices).__name__)}")
    if indices.shape != input.shape:
        raise ValueError(f"{op}: indices of shape {tuple(indices.shape)} must have the "
                         f"input's shape {tuple(input.shape)}")
    kernel = as_tuple(kernel_size, dims, "kernel_size", op)
    stride = kernel if stride is None else as_tuple(stride, dims, "stride", op)
    padding = as_tuple(padding, dims, "padding", op, 0)
    size = _unpool_size(op, x.shape[2:], kernel, stride, padding, output_size)
    positions, volume = indices.array.reshape(x.shape), math.prod(size)
    bad = (positions < 0) | (positions >= volume)
    if not volume:  # an empty output, whatever the indices say (as PyTorch): all dropped
        positions = np.zeros_like(positions)
    elif bad.any():
        raise ValueError(f"{op}: index {int(positions[bad][0])} is outside the output of "
                         f"spatial size {size} (indices run from 0 to {volume - 1})")
    out = ScatterAdd.apply(x, positions, True, (*x.shape[:2], *size), False)  # unique: written
    return reshape(out, *out.shape[1:]) if unbatched else out


# *** resizing ***
def _resampling(size: int, out: int, scale: float | None, mode: str,
                align_corners: bool) -> np.ndarray:
    """(out, size): row i holds the weights output position i takes from the input. scale is
    the user's scale_factor when the source positions are to use it (else size / out)."""
    matrix = np.zeros((out, size))
    dst = np.arange(out)
    ratio = size / out if scale is None else 1.0 / scale
    if mode in ("nearest", "nearest-exact"):  # float32 arithmetic, as PyTorch's source index
        offset = np.float32(0.5 if mode == "nearest-exact" else 0.0)  # exact: pixel centers
        src = np.floor((dst.astype(np.float32) + offset) * np.float32(ratio)).astype(np.int64)
        matrix[dst, np.minimum(src, size - 1)] = 1.0
        return matrix
    if align_corners:
        src = dst * ((size - 1) / (out - 1)) if out > 1 else np.zeros(out)
    else:
        src = (dst + 0.5) * ratio - 0.5
    if mode == "bicubic":
        _cubic_taps(matrix, dst, src, size)
        return matrix
    src = np.maximum(src, 0.0)
    low = np.minimum(np.floor(src).astype(np.int64), size - 1)
    high = np.minimum(low + 1, size - 1)
    frac = src - low
    np.add.at(matrix, (dst, low), 1.0 - frac)  # low == high at the last position
    np.add.at(matrix, (dst, high), frac)
    return matrix


def _cubic_taps(matrix: np.ndarray, dst: np.ndarray, src: np.ndarray, size: int) -> None:
    """Keys' cubic convolution with A = -0.75, as PyTorch's bicubic: output i takes inputs
    floor(src) - 1 .. floor(src) + 2 (clamped to the border) with weights
    far(t + 1), near(t), near(1 - t), far(2 - t), t = src - floor(src), where
    near(d) = ((A + 2) d - (A + 3)) d^2 + 1 and far(d) = ((A d - 5A) d + 8A) d - 4A."""
    a = -0.75
    base = np.floor(src)
    t = src - base

    def near(d: np.ndarray) -> np.ndarray:
        return ((a + 2) * d - (a + 3)) * d * d + 1

    def far(d: np.ndarray) -> np.ndarray:
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a

    for offset, weight in zip((-1, 0, 1, 2), (far(t + 1), near(t), near(1 - t), far(2 - t)),
                              strict=True):
        np.add.at(matrix, (dst, np.clip(base.astype(np.int64) + offset, 0, size - 1)), weight)


def _antialiased(size: int, out: int, scale: float | None, mode: str,
                 align_corners: bool) -> np.ndarray:
    """(out, size) weights of antialias=True, as PyTorch's (after PIL's resampling): output i
    is centered at c = s (i + 1/2) with s = size / out (or 1 / scale_factor, or
    (size - 1) / (out - 1) with align_corners); it takes the inputs j within support
    r = (2 for bilinear, 4 for bicubic, 6 for lanczos) / 2 * max(s, 1) of c, weighted by the
    triangle (Keys' cubic with A = -0.5, sinc(x) sinc(x / 3)) at (j + 1/2 - c) / max(s, 1),
    normalized to sum 1. Downsampling thus averages over each output pixel's footprint."""
    if align_corners:
        s = (size - 1) / (out - 1) if out > 1 else 0.0
    else:
        s = size / out if scale is None else 1.0 / scale
    stretch = max(s, 1.0)
    support = {"bilinear": 2.0, "bicubic": 4.0, "lanczos": 6.0}[mode] / 2 * stretch
    width = int(math.ceil(support)) * 2 + 1

    def kernel(x: np.ndarray) -> np.ndarray:
        x = np.abs(x)
        if mode == "bilinear":
            return np.maximum(1 - x, 0.0)
        if mode == "lanczos":  # sinc(x) sinc(x / 3) inside |x| < 3
            return np.where(x < 3, np.sinc(x) * np.sinc(x / 3), 0.0)
        a = -0.5
        near = ((a + 2) * x - (a + 3)) * x * x + 1
        far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        return np.where(x < 1, near, np.where(x < 2, far, 0.0))

    center = s * (np.arange(out) + 0.5)
    low = np.maximum((center - support + 0.5).astype(np.int64), 0)
    count = np.clip(np.minimum((center + support + 0.5).astype(np.int64), size) - low, 0, width)
    taps = np.arange(width)
    weights = kernel((taps + low[:, None] - center[:, None] + 0.5) / stretch)
    weights = np.where(taps < count[:, None], weights, 0.0)
    total = weights.sum(1, keepdims=True)
    weights = np.divide(weights, total, out=np.zeros_like(weights), where=total != 0)
    matrix = np.zeros((out, size))
    columns = np.minimum(low[:, None] + taps, size - 1)
    np.add.at(matrix, (np.repeat(np.arange(out), width), columns.ravel()), weights.ravel())
    return matrix


_MODES = {3: ("nearest", "linear"), 4: ("nearest", "bilinear", "bicubic", "lanczos"),
          5: ("nearest", "trilinear")}
_MODES = {rank: (*modes, "nearest-exact", "area") for rank, modes in _MODES.items()}


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize (N, C, L), (N, C, H, W) or (N, C, D, H, W) by nearest-neighbour, (bi/tri)linear
    or (for 4-D input) bicubic interpolation, antialiased or not, or Lanczos resampling, as
    PyTorch's F.interpolate; a separable linear map with constant weights. 'nearest-exact'
    takes the pixel whose centre is nearest; 'area' is adaptive average pooling to the output
    size."""
    op = "interpolate"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in _MODES:
        raise ValueError(f"{op}: expected a 3-D (N, C, L), 4-D (N, C, H, W) or 5-D "
                         f"(N, C, D, H, W) input, got shape {input.shape}")
    _refuse_non_float(op, input)  # PyTorch has no integer kernels (the weights are fractions)
    dims = input.ndim - 2
    modes = _MODES[input.ndim]
    if mode not in modes:
        raise ValueError(f"{op}: mode {mode!r} is not supported for {input.ndim}-D input; "
                         f"expected one of {modes}")
    if align_corners is not None and mode in ("nearest", "nearest-exact", "area"):
        raise ValueError(f"{op}: align_corners can only be set with the interpolating modes "
                         f"(linear, bilinear, bicubic, trilinear), not mode={mode!r}")
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError(f"{op}: the anti-alias option is restricted to bilinear, bicubic and "
                         f"lanczos modes and requires a 4-D tensor as input, got mode={mode!r} "
                         f"and {input.ndim}-D input")
    if mode == "lanczos" and (not antialias or align_corners):
        raise ValueError(f"{op}: lanczos mode requires antialias=True and does not support "
                         f"align_corners=True")
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: exactly one of size and scale_factor must be given")
    spatial = input.shape[2:]
    if isinstance(size, Sequence):  # sizes may be 0-d int tensors, as torch's
        size = tuple(int(v.item()) if isinstance(v, Tensor) and v.ndim == 0 and
                     v.array.dtype.kind in "iu" else v for v in size)
    minimum = 0 if mode == "area" else 1  # area pools to an empty output, as PyTorch
    if size is not None:
        sizes, scales = as_tuple(size, dims, "size", op, minimum), (None,) * dims
    else:
        factors = tuple(scale_factor) if isinstance(scale_factor, Sequence) else \
            (scale_factor,) * dims
        if len(factors) != dims or min(factors) < 0 or (min(factors) == 0 and mode != "area"):
            raise ValueError(f"{op}: scale_factor must be a positive number or {dims} of "
                             f"them, got {scale_factor!r}")
        sizes = tuple(int(math.floor(n * f)) for n, f in zip(spatial, factors, strict=True))
        scales = (None,) * dims if recompute_scale_factor else factors
        if min(sizes) < minimum:
            raise RuntimeError(f"{op}: input of size {spatial} with scale_factor "
                               f"{scale_factor!r} gives an output of size {sizes}, below 1")
    if mode == "area":
        if dims == 1:
            return _adaptive_avg_pool(op, 2, unsqueeze(input, 2), (1, *sizes)).squeeze(2)
        return _adaptive_avg_pool(op, dims, input, sizes)
    weights = _antialiased if antialias else _resampling
    matrices = [weights(n, m, s, mode, bool(align_corners))
                for n, m, s in zip(spatial, sizes, scales, strict=True)]
    return _separable(input, None, matrices[0]) if dims == 1 else _separable_nd(input, matrices)
