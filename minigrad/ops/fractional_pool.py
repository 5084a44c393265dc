"""Fractional max pooling (Graham, 2014), as PyTorch's: output_size windows of kernel_size per
spatial axis, whose starts advance by a fractional step alpha = (size - kernel) / (out - 1)
from a random offset u in [0, 1) per (n, c) plane and axis: start_i = int((i + u) alpha) -
int(u alpha), and the last window ends at the input's end. The offsets are the `_random_samples`
(N, C, dims), drawn from minigrad's generator unless given; with torch's they give torch's
windows exactly. The maximum of each window is picked with `gather`, so the gradient goes to
it and differentiates again."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.creation import rand
from minigrad.ops.conv import _SHAPES, _batched, as_tuple
from minigrad.ops.elementwise import _refuse_non_float
from minigrad.ops.indexing import gather
from minigrad.ops.shape import reshape
from minigrad.tensor import Tensor


def _starts(sample: np.ndarray, size: int, out: int, kernel: int) -> np.ndarray:
    """(N, C, out) window starts along one axis, computed in the samples' dtype as torch."""
    starts = np.empty((*sample.shape, out), np.int64)
    if out > 1:
        alpha = sample.dtype.type(size - kernel) / sample.dtype.type(out - 1)
        steps = np.arange(out - 1, dtype=sample.dtype)
        starts[..., :-1] = (((steps + sample[..., None]) * alpha).astype(np.int64)
                            - (sample * alpha).astype(np.int64)[..., None])
    if out > 0:
        starts[..., -1] = size - kernel
    return starts


def _output_size(op: str, spatial: tuple[int, ...], output_size: Any, output_ratio: Any
                 ) -> tuple[int, ...]:
    dims = len(spatial)
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if output_size is not None:
        return as_tuple(output_size, dims, "output_size", op, 0)
    ratios = tuple(output_ratio) if isinstance(output_ratio, Sequence) else (output_ratio,) * dims
    if len(ratios) != dims or not all(isinstance(r, (int, float)) and 0 < r < 1 for r in ratios):
        raise ValueError(f"{op}: output_ratio must be between 0 and 1 (got {output_ratio!r})")
    return tuple(int(n * r) for n, r in zip(spatial, ratios, strict=True))


def _samples(op: str, x: Tensor, dims: int, given: Any) -> np.ndarray:
    """The (N, C, dims) offsets: given (checked as torch does), else uniform draws."""
    if given is None:
        return rand(x.shape[0], x.shape[1], dims, dtype=x.dtype).array
    samples = given.array if isinstance(given, Tensor) else np.asarray(given)
    if samples.ndim != 3:
        raise RuntimeError(f"{op}: expect _random_samples to have 3 dimensions (N, C, {dims}), "
                           f"got shape {samples.shape}")
    if samples.shape[0] < x.shape[0] or samples.shape[1] != x.shape[1]:
        raise RuntimeError(f"{op}: expect _random_samples.size(0) no less than the input's batch "
                           f"size {x.shape[0]} and size(1) equal to its channels {x.shape[1]}, "
                           f"got shape {samples.shape}")
    if samples.shape[2] != dims:
        raise RuntimeError(f"{op}: expect _random_samples.size(2) equals to {dims}; got "
                           f"{samples.shape[2]}.")
    if samples.dtype != x.dtype:
        raise RuntimeError(f"{op}: expect _random_samples to have the same dtype as input "
                           f"({x.dtype}), got {samples.dtype}")
    return samples[:x.shape[0]]


def _window_maxima(values: np.ndarray) -> np.ndarray:
    """The position in each window (last axis) that torch's loop picks: the first maximum, or
    the last nan when there is one."""
    nan = np.isnan(values)
    last_nan = values.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
    return np.where(nan.any(-1), last_nan, np.argmax(values, axis=-1))


def fractional_max_pool(op: str, dims: int, input: Tensor, kernel_size: Any, output_size: Any,
                        output_ratio: Any, return_indices: bool, _random_samples: Any) -> Any:
    """The maximum over each fractional window; with return_indices also its flat position in
    the (*spatial) plane (as max_pool's)."""
    x, unbatched = _batched(input, op, (dims + 1, dims + 2), _SHAPES[dims])
    _refuse_non_float(op, x)
    kernel = as_tuple(kernel_size, dims, "kernel_size", op)
    spatial = tuple(x.shape[2:])
    outs = _output_size(op, spatial, output_size, output_ratio)
    names = ("time", "height", "width")[-dims:]
    limit = 0 if dims == 2 else 1  # torch's 3-d check leaves at least one position spare
    for name, size, out, k in zip(names, spatial, outs, kernel, strict=True):
        if out + k - 1 > size - limit:
            raise RuntimeError(f"{op}(): pool {name} {k} too large relative to input {name} "
                               f"{size} (for an output {name} of {out})")
    samples = _samples(op, x, dims, _random_samples)
    order = (1, 0) if dims == 2 else tuple(range(dims))  # torch: (W, H) in 2-d, (T, H, W) in 3-d
    n, c = x.shape[:2]
    strides = [math.prod(spatial[d + 1:]) for d in range(dims)]
    flat = np.zeros((n, c, *outs, *kernel), np.int64)  # every window's every tap, as a flat index
    for d in range(dims):
        starts = _starts(samples[..., order[d]], spatial[d], outs[d], kernel[d])
        taps = starts[..., None] + np.arange(kernel[d])  # (N, C, out_d, k_d)
        shape = [n, c] + [1] * (2 * dims)
        shape[2 + d], shape[2 + dims + d] = outs[d], kernel[d]
        flat += (taps * strides[d]).reshape(shape)
    flat = flat.reshape(n, c, -1, math.prod(kernel))
    plane = x.array.reshape(n, c, -1)
    values = np.take_along_axis(plane, flat.reshape(n, c, -1), 2).reshape(flat.shape)
    picked = np.take_along_axis(flat, _window_maxima(values)[..., None], -1)[..., 0]
    out = reshape(gather(reshape(x, n, c, -1), 2, Tensor._make(picked)), n, c, *outs)
    indices = Tensor._make(picked.reshape(n, c, *outs))
    if unbatched:
        out, indices = reshape(out, *out.shape[1:]), reshape(indices, *indices.shape[1:])
    return (out, indices) if return_indices else out


def fractional_max_pool2d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Any = None) -> Any:
    """Fractional max pooling over (N, C, H, W) (see the module docstring)."""
    return fractional_max_pool("fractional_max_pool2d", 2, input, kernel_size, output_size,
                               output_ratio, return_indices, _random_samples)


def fractional_max_pool3d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Any = None) -> Any:
    """Fractional max pooling over (N, C, D, H, W) (see the module docstring)."""
    return fractional_max_pool("fractional_max_pool3d", 3, input, kernel_size, output_size,
                               output_ratio, return_indices, _random_samples)
