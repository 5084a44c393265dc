"""Pooling and resizing: max pools pick one input per window and route its gradient there, the
average pools and `interpolate` are linear maps built from ops that are differentiable again.

A max pool is a gather of the winning positions, found with numpy: its backward is a scatter-add
of the gradient back to those positions, and the scatter's backward is the gather again, so
second derivatives work. Ties go to the first maximum in the window in row-major order, and a
NaN wins over any number (the last NaN when there are several), as PyTorch does on the CPU."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.function import Function
from minigrad.ops.conv import IntOrPair, Unfold, _batched, as_tuple, output_shape, windows
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
        n, c = x.shape[:2]
        plane = x.array.reshape(n, c, -1)
        outside = indices >= plane.shape[2]  # see _max_pool: a window wholly in the padding
        picked = np.take_along_axis(plane, np.where(outside, 0, indices).reshape(n, c, -1), 2)
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
        position = indices.reshape(n, c, -1)
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
    """Each window's maximum, and its position in the (H, W) plane: the first maximum in
    row-major order, or the last NaN, as PyTorch's CPU kernel picks (it replaces the best so far
    by a larger value or by a NaN). Elementwise steps over contiguous per-tap planes: numpy's
    argmax along a middle axis is several times slower."""
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    kw, taps = kernel[1], kernel[0] * kernel[1]
    if batch_innermost(x):
        # the batch innermost in memory, as conv2d leaves it: keep that layout (the next conv
        # takes it without a copy)
        view = windows(x, kernel, dilation, pads, stride, fill, batch_last=True)
        planes = np.ascontiguousarray(view.transpose(1, 2, 0, 3, 4, 5)).reshape(
            taps, *view.shape[:1], *view.shape[3:]).transpose(0, 4, 1, 2, 3)
    else:
        view = windows(x, kernel, dilation, pads, stride, fill)
        planes = np.ascontiguousarray(view.transpose(2, 3, 0, 1, 4, 5)).reshape(
            taps, *view.shape[:2], *view.shape[4:])
    best = planes[0].copy(order="K")  # planes[t]: (N, C, out_h, out_w), in either layout
    for t in range(1, taps):
        np.maximum(best, planes[t], out=best)  # NaN wins, as in the scan
    h, w = x.shape[2:]
    (top, bottom), (left, right) = pads
    width = w + left + right  # positions are found in the padded plane first
    out_h, out_w = best.shape[2:]
    pos = np.empty_like(best, dtype=np.int64)
    pos[...] = np.arange(out_h)[:, None] * (stride[0] * width) + np.arange(out_w) * stride[1]
    todo = np.ones_like(best, dtype=bool)
    for t in range(taps):
        hit = planes[t] == best
        hit &= todo
        todo ^= hit
        offset = (t // kw) * dilation[0] * width + (t % kw) * dilation[1]
        if offset:
            pos += hit * offset
    if x.dtype.kind == "f" and todo.any():  # NaN windows: the last NaN
        nan_pos = pos.copy()
        for t in range(taps):
            offset = (t // kw) * dilation[0] * width + (t % kw) * dilation[1]
            np.copyto(pos, nan_pos + offset, where=todo & np.isnan(planes[t]))
    if not (top or bottom or left or right):
        return best, pos
    rows, cols = pos // width - top, pos % width - left
    outside = (rows < 0) | (rows >= h) | (cols < 0) | (cols >= w)
    if outside.any():
        # every value in the window is -inf: the first position inside wins; a window wholly in
        # the padding (dilated) points past the plane, as in PyTorch, and gets no gradient
        first_row = _first_inside(out_h, stride[0], top, dilation[0])[:, None]
        first_col = _first_inside(out_w, stride[1], left, dilation[1])
        rows = np.where(outside, first_row, rows)
        cols = np.where(outside, first_col, cols)
    return best, rows * w + cols


def _first_inside(count: int, stride: int, pad: int, dilation: int) -> np.ndarray:
    """The first input position inside each of count windows."""
    start = np.arange(count) * stride - pad
    return start + -(-np.maximum(-start, 0) // dilation) * dilation


def max_pool2d(input: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               padding: IntOrPair = 0, dilation: IntOrPair = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """The largest value in each window, padding counting as -inf; with return_indices also
    each value's position in its input plane (h W + w)."""
    return _max_pool2d("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices)


def _max_pool2d(_op: str, input: Tensor, kernel_size: Any, stride: Any, padding: Any,
                dilation: Any, ceil_mode: bool, return_indices: bool) -> Any:
    x, unbatched = _batched(input, _op, (3, 4), "(N, C, H, W)")
    kernel, stride, padding, dilation = _pool_args(_op, kernel_size, stride, padding, dilation)
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
    result = _max_pool2d(op, unsqueeze(x, 2), one(kernel_size, "kernel_size"),
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


def _adaptive_size(op: str, x: Tensor, output_size: Any) -> tuple[int, int]:
    sizes = (output_size,) * 2 if isinstance(output_size, (int, np.integer)) or \
        output_size is None else tuple(output_size)
    if len(sizes) != 2:
        raise ValueError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    sizes = tuple(x.shape[2 + i] if s is None else s for i, s in enumerate(sizes))
    if min(sizes) < 1:
        raise ValueError(f"{op}: output_size must be at least 1, got {output_size!r}")
    return sizes  # type: ignore[return-value]


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over output_size windows that tile the input, window i along an axis covering
    [floor(i H / out), ceil((i + 1) H / out)). One small numpy step per output cell."""
    op = "adaptive_max_pool2d"
    x, unbatched = _batched(input, op, (3, 4), "(N, C, H, W)")
    (out_h, out_w), (h, w) = _adaptive_size(op, x, output_size), x.shape[2:]
    (top, bottom), (left, right) = _adaptive_bounds(h, out_h), _adaptive_bounds(w, out_w)
    n, c = x.shape[:2]
    indices = np.empty((n, c, out_h, out_w), dtype=np.int64)
    for i in range(out_h):
        for j in range(out_w):
            block = x.array[:, :, top[i]:bottom[i], left[j]:right[j]]
            width = right[j] - left[j]
            tap = _first_max(block.reshape(n, c, -1), 2)
            indices[:, :, i, j] = (top[i] + tap // width) * w + left[j] + tap % width
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
    return _avg_pool2d("avg_pool2d", input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, divisor_override)


def _avg_pool2d(_op: str, input: Tensor, kernel_size: Any, stride: Any, padding: Any,
                ceil_mode: bool, count_include_pad: bool, divisor_override: int | None) -> Tensor:
    if input.array.dtype.kind in "iu":  # integers: the mean rounded toward zero, as PyTorch
        mean = _avg_pool2d(_op, input.to(np.float64), kernel_size, stride, padding, ceil_mode,
                           count_include_pad, divisor_override)
        return Tensor._make(np.trunc(mean.array).astype(input.dtype))
    x, unbatched = _batched(input, _op, (3, 4), "(N, C, H, W)")
    kernel, stride, padding, _ = _pool_args(_op, kernel_size, stride, padding, 1)
    pads = _pool_pads(_op, x.shape[2:], kernel, stride, padding, (1, 1), ceil_mode)
    n, c, h, w = x.shape
    out_h, out_w = output_shape(_op, (h, w), kernel, stride, (1, 1), pads)
    if divisor_override is not None:
        if not isinstance(divisor_override, (int, np.integer)) or divisor_override == 0:
            raise ValueError(f"{_op}: divisor_override must be a nonzero int, got "
                             f"{divisor_override!r}")
        scale = np.full(out_h * out_w, 1.0 / divisor_override)
    else:
        rows, cols = _divisors((h, w), kernel, stride, padding, (out_h, out_w),
                               count_include_pad)
        scale = 1.0 / np.outer(rows, cols).ravel()
    planes = reshape(x, n * c, 1, h, w)
    sums = Unfold.apply(planes, kernel, (1, 1), pads, stride).sum(1)
    out = reshape(sums * Tensor._make(scale.astype(x.dtype)), n, c, out_h, out_w)
    return reshape(out, c, out_h, out_w) if unbatched else out


def avg_pool1d(input: Tensor, kernel_size: int, stride: int | None = None, padding: int = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """avg_pool2d over (N, C, 1, L)."""
    op = "avg_pool1d"
    x, unbatched = _batched(input, op, (2, 3), "(N, C, L)")
    one = lambda v, name, low=1: (1, *as_tuple(v, 1, name, op, low))  # noqa: E731
    out = _avg_pool2d(op, unsqueeze(x, 2), one(kernel_size, "kernel_size"),
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


def _averaging(size: int, out: int) -> np.ndarray:
    """(out, size): row i averages window i of the adaptive pool."""
    start, end = _adaptive_bounds(size, out)
    positions = np.arange(size)
    inside = (positions >= start[:, None]) & (positions < end[:, None])
    return inside / (end - start)[:, None]


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """The mean over output_size windows that tile the input (see adaptive_max_pool2d); a
    window's mean is separable, so this is A_h @ x @ A_w^T with constant averaging matrices."""
    op = "adaptive_avg_pool2d"
    x, unbatched = _batched(input, op, (3, 4), "(N, C, H, W)")
    (out_h, out_w), (h, w) = _adaptive_size(op, x, output_size), x.shape[2:]
    out = _separable(x, _averaging(h, out_h), _averaging(w, out_w))
    return reshape(out, *out.shape[1:]) if unbatched else out


# *** resizing ***
def _resampling(size: int, out: int, scale: float | None, mode: str,
                align_corners: bool) -> np.ndarray:
    """(out, size): row i holds the weights output position i takes from the input. scale is
    the user's scale_factor when the source positions are to use it (else size / out)."""
    matrix = np.zeros((out, size))
    dst = np.arange(out)
    ratio = size / out if scale is None else 1.0 / scale
    if mode == "nearest":  # float32 arithmetic, as PyTorch computes the source index
        src = np.floor(dst.astype(np.float32) * np.float32(ratio)).astype(np.int64)
        matrix[dst, np.minimum(src, size - 1)] = 1.0
        return matrix
    if align_corners:
        src = dst * ((size - 1) / (out - 1)) if out > 1 else np.zeros(out)
    else:
        src = np.maximum((dst + 0.5) * ratio - 0.5, 0.0)
    low = np.minimum(np.floor(src).astype(np.int64), size - 1)
    high = np.minimum(low + 1, size - 1)
    frac = src - low
    np.add.at(matrix, (dst, low), 1.0 - frac)  # low == high at the last position
    np.add.at(matrix, (dst, high), frac)
    return matrix


_MODES = {3: ("nearest", "linear"), 4: ("nearest", "bilinear")}


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None) -> Tensor:
    """Resize (N, C, L) or (N, C, H, W) by nearest-neighbour or (bi)linear interpolation, as
    PyTorch's F.interpolate; a separable linear map with constant weights."""
    op = "interpolate"
    if input.ndim not in _MODES:
        raise ValueError(f"{op}: expected a 3-D (N, C, L) or 4-D (N, C, H, W) input, got shape "
                         f"{input.shape}")
    dims = input.ndim - 2
    if mode not in _MODES[input.ndim]:
        raise ValueError(f"{op}: mode {mode!r} is not supported for {input.ndim}-D input; "
                         f"expected one of {_MODES[input.ndim]}")
    if align_corners is not None and mode == "nearest":
        raise ValueError(f"{op}: align_corners can only be set with the interpolating modes "
                         f"(linear, bilinear), not mode={mode!r}")
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: exactly one of size and scale_factor must be given")
    spatial = input.shape[2:]
    if size is not None:
        sizes, scales = as_tuple(size, dims, "size", op), (None,) * dims
    else:
        factors = tuple(scale_factor) if isinstance(scale_factor, Sequence) else \
            (scale_factor,) * dims
        if len(factors) != dims or min(factors) <= 0:
            raise ValueError(f"{op}: scale_factor must be a positive number or {dims} of "
                             f"them, got {scale_factor!r}")
        sizes = tuple(int(math.floor(n * f)) for n, f in zip(spatial, factors, strict=True))
        scales = (None,) * dims if recompute_scale_factor else factors
        if min(sizes) < 1:
            raise ValueError(f"{op}: input of size {spatial} with scale_factor "
                             f"{scale_factor!r} gives an output of size {sizes}, below 1")
    matrices = [_resampling(n, m, s, mode, bool(align_corners))
                for n, m, s in zip(spatial, sizes, scales, strict=True)]
    return _separable(input, matrices[0] if dims == 2 else None, matrices[-1])
