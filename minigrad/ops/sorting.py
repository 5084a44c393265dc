"""Sorting and selection along one dim: sort, argsort, topk, kthvalue, median, mode, quantile.
The values are gathered from the input, so their gradient goes back to the elements they were
taken from. Then counting, which has no gradient: unique, bincount, histc."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import return_types
from minigrad._alias import dim_or_axis
from minigrad.ops._common import canonical_dim
from minigrad.ops.math import lerp
from minigrad.ops.reduce import _along
from minigrad.ops.shape import stack
from minigrad.tensor import Tensor

# what the ops return, as in PyTorch


def _sort_indices(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable sort order along axis: equal elements keep their order, also when descending
    (sorted from the end, then read backwards); nan counts as the largest value."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    from_end = np.argsort(np.flip(a, axis), axis=axis, kind="stable")
    return np.flip(a.shape[axis] - 1 - from_end, axis)


def _sorted(x: Tensor, dim: int, descending: bool, name: str) -> tuple[Tensor, int]:
    """The sort order of x along dim (x taken as 1-d when 0-d) and that dim, non-negative."""
    d = canonical_dim(dim, x.ndim, name)
    order = _sort_indices(x.array.reshape(-1) if not x.ndim else x.array, d, descending)
    return Tensor._make(order.astype(np.int64)), d


@dim_or_axis
def sort(input: Tensor, dim: int = -1, descending: bool = False,
         stable: bool = False) -> return_types.sort:
    """(values, indices) of input sorted along dim. Always stable: equal elements keep their
    order (PyTorch's CPU sort gives the same)."""
    order, d = _sorted(input, dim, descending, "sort")
    if not input.ndim:
        return return_types.sort(input.reshape(()), order.reshape(()))
    return return_types.sort(*_along(input, order, d, True))


@dim_or_axis
def argsort(input: Tensor, dim: int = -1, descending: bool = False,
            stable: bool = False) -> Tensor:
    """The indices that sort input along dim (stably); no gradient."""
    order, _ = _sorted(input, dim, descending, "argsort")
    return order if input.ndim else order.reshape(())


def _check_k(name: str, k: int, n: int, low: int) -> None:
    if not low <= k <= n:
        raise IndexError(f"{name}: k ({k}) is out of range for a dimension of size {n} "
                         f"(expected {low} <= k <= {n})")


@dim_or_axis
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True) -> return_types.topk:
    """The k largest (or smallest) elements along dim and their indices, largest first. Among
    equal elements the earlier one comes first (PyTorch leaves the order of ties open)."""
    order, d = _sorted(input, dim, largest, "topk")
    _check_k("topk", k, input.shape[d] if input.ndim else 1, 0)
    if not input.ndim:
        return return_types.topk(input.reshape(()), order.reshape(()))
    first_k = (slice(None),) * d + (slice(0, k),)
    return return_types.topk(*_along(input, order[first_k], d, True))


@dim_or_axis
def kthvalue(input: Tensor, k: int, dim: int = -1,
             keepdim: bool = False) -> return_types.kthvalue:
    """The k-th smallest element along dim (k from 1) and its index. Among equal elements the
    index is that of the one a stable sort puts k-th (PyTorch leaves it open)."""
    order, d = _sorted(input, dim, False, "kthvalue")
    _check_k("kthvalue", k, input.shape[d] if input.ndim else 1, 1)
    if not input.ndim:
        return return_types.kthvalue(input.reshape(()), order.reshape(()))
    kth = (slice(None),) * d + (slice(k - 1, k),)
    return return_types.kthvalue(*_along(input, order[kth], d, keepdim))


# *** order statistics and counting (tmethods) ***
def _flat_or_dim(name: str, x: Tensor, dim: int | None) -> tuple[Tensor, int]:
    """x and the dim to work along: x flattened and dim 0 when dim is None."""
    if dim is None:
        return x.reshape(-1), 0
    if not x.ndim:
        canonical_dim(dim, 0, name)  # a 0-d tensor has dims 0 and -1 only
        return x.reshape(1), 0
    return x, canonical_dim(dim, x.ndim, name)


def _median(name: str, x: Tensor, dim: int | None, keepdim: bool, skip_nan: bool) -> Any:
    """The lower median along dim and its index: nan (the first nan's index) where a line holds
    nan, unless skip_nan, which takes the median of the other values."""
    if x.array.dtype == np.bool_:
        raise TypeError(f"{name}: not implemented for bool tensors (use .int())")
    line, d = _flat_or_dim(name, x, dim)
    if not line.shape[d]:
        if dim is None:
            return Tensor._make(np.asarray(np.nan, x.dtype))
        raise IndexError(f"{name}: cannot compute the median of an empty dim {d}")
    a = line.array
    order = np.argsort(a, axis=d, kind="stable")  # nan last
    nan = np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, bool)
    valid = a.shape[d] - nan.sum(axis=d, keepdims=True)
    index = np.take_along_axis(order, (np.maximum(valid, 1) - 1) // 2, axis=d)
    if not skip_nan:
        index = np.where(nan.any(axis=d, keepdims=True),
                         np.argmax(nan, axis=d, keepdims=True), index)
    values, indices = _along(line, Tensor._make(index.astype(np.int64)), d, keepdim)
    if dim is None:
        return values.reshape(())
    kind = return_types.nanmedian if skip_nan else return_types.median
    return kind(values.reshape(x.shape) if not x.ndim else values,
                indices.reshape(()) if not x.ndim else indices)


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower of the two middle values (no averaging), nan if there is a nan; with dim,
    (values, indices) along it. Among equal values the index is one a stable sort gives."""
    return _median("median", input, dim, keepdim, skip_nan=False)


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """median of the values that are not nan (nan if all are)."""
    return _median("nanmedian", input, dim, keepdim, skip_nan=True)


@dim_or_axis
def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> return_types.mode:
    """The most frequent value along dim (the smallest if several are), and the index of its
    last occurrence, as PyTorch's CPU mode."""
    line, d = _flat_or_dim("mode", input, dim)
    if not line.shape[d]:
        raise IndexError(f"mode: cannot compute the mode of an empty dim {d}")
    rows = np.moveaxis(line.array, d, -1)
    flat = rows.reshape(-1, rows.shape[-1])
    index = np.empty(len(flat), np.int64)
    for i, row in enumerate(flat):
        values, counts = np.unique(row, return_counts=True)
        index[i] = len(row) - 1 - np.flatnonzero(row[::-1] == values[np.argmax(counts)])[0]
    index = np.moveaxis(index.reshape(rows.shape[:-1] + (1,)), -1, d)
    values, indices = _along(line, Tensor._make(index), d, keepdim)
    if not input.ndim:
        return return_types.mode(values.reshape(()), indices.reshape(()))
    return return_types.mode(values, indices)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name: str, x: Tensor, q: Any, dim: int | None, keepdim: bool,
              interpolation: str, skip_nan: bool) -> Tensor:
    """Quantiles q of x along dim by sorting: between the sorted values at floor and ceil of
    rank = q (n - 1), n counting the values that are not nan when skip_nan (a line with nan
    gives nan otherwise). A 1-D q puts its dim first."""
    if x.dtype.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype, got "
                           f"{x.dtype}")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{name}(): interpolation must be one of {_INTERPOLATIONS}, got "
                         f"{interpolation!r}")
    qs = np.asarray(q.array if isinstance(q, Tensor) else q, np.float64)
    if qs.ndim > 1 or (isinstance(q, Tensor) and q.dtype != x.dtype):
        raise RuntimeError(f"{name}() q must be a scalar or a 1-D tensor of the input's dtype, "
                           f"got shape {qs.shape}")
    if np.any((qs < 0) | (qs > 1)):
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {qs}")
    line, d = _flat_or_dim(name, x, dim)
    if not line.shape[d]:
        raise IndexError(f"{name}() input tensor must be non-empty along dim {d}")
    ordered = sort(line, d).values
    a = line.array
    n = line.shape[d]
    nans = np.isnan(a).sum(axis=d, keepdims=True)
    results = []
    for p in qs.reshape(-1):  # the rank of the quantile among the sorted values (nan last)
        if skip_nan:
            rank = p * np.maximum(n - nans - 1, 0)
        else:
            rank = np.where(nans > 0, n - 1, p * (n - 1))
        if interpolation == "nearest":
            rank = np.round(rank)
        low, high = np.floor(rank).astype(np.int64), np.ceil(rank).astype(np.int64)
        lo = _along(ordered, Tensor._make(low), d, True)[0]
        hi = _along(ordered, Tensor._make(high), d, True)[0]
        weight = {"linear": rank - low, "lower": 0.0, "higher": 1.0, "midpoint": 0.5,
                  "nearest": 0.0}[interpolation]
        results.append(lerp(lo, hi, Tensor._make(np.asarray(weight, x.dtype))))
    out = stack(results) if qs.ndim else results[0]
    kept_dim = d + (1 if qs.ndim else 0)
    if dim is None:
        shape = (1,) * x.ndim if keepdim else ()
        return out.reshape(*out.shape[:kept_dim], *shape)
    return out if keepdim else out.squeeze(kept_dim)


def quantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    """The q-th quantiles along dim (of all values when dim is None); nan if there is a nan."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, skip_nan=False)


def nanquantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    """quantile of the values that are not nan."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, skip_nan=True)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values (or slices along dim), sorted; with return_inverse each element's
    index among them, with return_counts how often each occurs. No gradient."""
    a = input.array
    axis = None if dim is None else canonical_dim(dim, input.ndim, "unique")
    values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=axis)
    out = [Tensor._make(values)]
    if return_inverse:
        out.append(Tensor._make(inverse.reshape(a.shape if axis is None else -1)
                                .astype(np.int64)))
    if return_counts:
        out.append(Tensor._make(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, ..., max occurs in a 1-D tensor of non-negative integers
    (summing weights instead of counting ones). No gradient."""
    a = input.array
    if a.ndim != 1 or a.dtype.kind not in "iub":
        raise RuntimeError(f"bincount: input must be a 1-D integer tensor, got shape {a.shape} "
                           f"and dtype {a.dtype}")
    if a.size and a.min() < 0:
        raise RuntimeError(f"bincount: input must be non-negative, got {a.min()}")
    if weights is None or not a.size:  # PyTorch counts (int64) also for empty weights
        return Tensor._make(np.bincount(a, minlength=minlength).astype(np.int64))
    w = np.asarray(weights.array if isinstance(weights, Tensor) else weights)
    if w.shape != a.shape:
        raise RuntimeError(f"bincount: weights of shape {w.shape} must have input's shape "
                           f"{a.shape}")
    out = np.zeros(max(int(a.max()) + 1, minlength),
                   w.dtype if w.dtype.kind == "f" else np.float64)
    np.add.at(out, a, w)  # in order, in the weights' precision, as PyTorch sums them
    return Tensor._make(out)


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """Counts in bins equal-width bins over [min, max] (the data's range when min == max,
    widened by 1 each way if that is a point); values outside are not counted."""
    a = input.array
    if a.dtype.kind != "f":
        raise RuntimeError(f"histc: expected a floating point tensor, got {a.dtype}")
    if bins <= 0:
        raise RuntimeError(f"histc: bins must be > 0, got {bins}")
    low, high = float(min), float(max)
    if low == high and a.size:
        low, high = float(a.min()), float(a.max())
    if low == high:
        low, high = low - 1, high + 1
    if low > high:
        raise RuntimeError(f"histc: max ({high}) must be larger than min ({low})")
    inside = a[(a >= low) & (a <= high)]
    position = ((inside - low) * bins / (high - low)).astype(np.int64)
    return Tensor._make(np.bincount(np.minimum(position, bins - 1), minlength=bins)
                        .astype(a.dtype))


def histogram(input: Tensor, bins: Any = 100, *, range: Any = None, weight: Tensor | None = None,
              density: bool = False) -> Any:
    """(hist, bin_edges): the (weighted) counts of input's values in bins, equal-width bins
    over range (the data's min and max by default; the edges from linspace) or the edges
    given as a 1-D tensor; each bin holds [edge, next edge), the last one its right edge too.
    density=True divides by the total and by each bin's width."""
    a = input.array
    if a.dtype.kind != "f":
        raise NotImplementedError(f"histogram: not implemented for {input.dtype} (use a "
                                  "floating point tensor)")
    if isinstance(bins, Tensor):
        edges = bins.array.astype(a.dtype)
        if edges.ndim != 1 or edges.size < 1:
            raise RuntimeError(f"histogram: bins must be a 1-D tensor of edges, got shape "
                               f"{tuple(edges.shape)}")
    else:
        if int(bins) <= 0:
            raise RuntimeError(f"histogram: bins must be > 0, got {bins}")
        if range is not None:
            low, high = (float(v) for v in range)
        else:
            low, high = (float(a.min()), float(a.max())) if a.size else (0.0, 1.0)
        if low > high:
            raise RuntimeError(f"histogram: min should not exceed max, got min {low} and max "
                               f"{high}")
        if low == high:
            low, high = low - 0.5, high + 0.5
        from minigrad.creation import linspace
        edges = linspace(low, high, int(bins) + 1, dtype=a.dtype).array
    flat = a.reshape(-1)
    nbins = edges.size - 1
    position = np.searchsorted(edges, flat, side="right") - 1
    position[flat == edges[-1]] = nbins - 1  # the last bin holds its right edge
    inside = (position >= 0) & (position < nbins) & (flat >= edges[0]) & (flat <= edges[-1])
    counts = np.bincount(position[inside], None if weight is None else
                         weight.array.reshape(-1)[inside], minlength=max(nbins, 0))
    counts = counts[:max(nbins, 0)].astype(a.dtype)
    if density:
        counts = counts / (counts.sum() * np.diff(edges))
    return return_types.histogram(Tensor._make(counts.astype(a.dtype)),
                                  Tensor._make(edges.copy()))


def msort(input: Tensor) -> Tensor:
    """input sorted along dim 0 (the values of sort(input, 0))."""
    return sort(input, 0).values


def unique_consecutive(input: Tensor, return_inverse: bool = False,
                       return_counts: bool = False, dim: int | None = None) -> Any:
    """Each run of equal consecutive values (or slices along dim) kept once; with
    return_inverse each element's run number, with return_counts each run's length."""
    if dim is None:
        slices = input.array.reshape(-1, 1)
        axis = 0
    else:
        axis = canonical_dim(dim, input.ndim, "unique_consecutive")
        moved = np.moveaxis(input.array, axis, 0)
        slices = moved.reshape(moved.shape[0], -1)
    starts = np.ones(len(slices), bool)
    starts[1:] = np.any(slices[1:] != slices[:-1], axis=1)
    first = np.flatnonzero(starts)
    values = (input.array.reshape(-1)[first] if dim is None
              else np.take(input.array, first, axis=axis))
    out = [Tensor._make(values)]
    if return_inverse:
        runs = np.cumsum(starts) - 1
        out.append(Tensor._make(runs.reshape(input.shape if dim is None else -1)
                                .astype(np.int64)))
    if return_counts:
        out.append(Tensor._make(np.diff(np.append(first, len(slices))).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter: Any = None) -> Tensor:
    """Where each value of input would go in sorted_sequence's last dim to keep it sorted
    (the first such place, or the last with right=True or side='right'). No gradient."""
    if side is not None:
        if side not in ("left", "right") or (right and side == "left"):
            raise RuntimeError(f"searchsorted: side must be 'left' or 'right' and agree with "
                               f"right, got side={side!r}, right={right}")
        right = side == "right"
    seq = sorted_sequence.array
    values = np.asarray(input.array if isinstance(input, Tensor) else input)
    if sorter is not None:
        seq = np.take_along_axis(seq, np.asarray(sorter.array if isinstance(sorter, Tensor)
                                                 else sorter), -1)
    if seq.ndim > 1 and seq.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(f"searchsorted: the leading dims of sorted_sequence {seq.shape} and "
                           f"input {values.shape} must match")
    how = "right" if right else "left"
    if seq.ndim <= 1:
        found = np.searchsorted(seq.reshape(-1), values, how)
    else:
        rows, cols = seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1])
        found = np.stack([np.searchsorted(r, c, how) for r, c in zip(rows, cols, strict=True)])
        found = found.reshape(values.shape)
    return Tensor._make(np.asarray(found, np.int32 if out_int32 else np.int64))


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    """The bucket of each value of input among the 1-D sorted boundaries: i with
    boundaries[i-1] < x <= boundaries[i] (< on the right when right=True)."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries must be 1-D, got shape {boundaries.shape}")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """True where an element of elements is among test_elements (False with invert)."""
    a = np.asarray(elements.array if isinstance(elements, Tensor) else elements)
    b = np.asarray(test_elements.array if isinstance(test_elements, Tensor) else test_elements)
    return Tensor._make(np.isin(a, b, assume_unique=assume_unique, invert=invert))
