"""Sorting and selection along one dim: sort, argsort, topk, kthvalue. The values are gathered
from the input, so their gradient goes back to the elements they were taken from."""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from minigrad._alias import dim_or_axis
from minigrad.ops._common import canonical_dim
from minigrad.ops.reduce import _along
from minigrad.tensor import Tensor

# what the ops return, as in PyTorch
Sorted = namedtuple("Sorted", ["values", "indices"])


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
def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Sorted:
    """(values, indices) of input sorted along dim. Always stable: equal elements keep their
    order (PyTorch's CPU sort gives the same)."""
    order, d = _sorted(input, dim, descending, "sort")
    if not input.ndim:
        return Sorted(input.reshape(()), order.reshape(()))
    return Sorted(*_along(input, order, d, True))


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
         sorted: bool = True) -> Sorted:
    """The k largest (or smallest) elements along dim and their indices, largest first. Among
    equal elements the earlier one comes first (PyTorch leaves the order of ties open)."""
    order, d = _sorted(input, dim, largest, "topk")
    _check_k("topk", k, input.shape[d] if input.ndim else 1, 0)
    if not input.ndim:
        return Sorted(input.reshape(()), order.reshape(()))
    first_k = (slice(None),) * d + (slice(0, k),)
    return Sorted(*_along(input, order[first_k], d, True))


@dim_or_axis
def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Sorted:
    """The k-th smallest element along dim (k from 1) and its index. Among equal elements the
    index is that of the one a stable sort puts k-th (PyTorch leaves it open)."""
    order, d = _sorted(input, dim, False, "kthvalue")
    _check_k("kthvalue", k, input.shape[d] if input.ndim else 1, 1)
    if not input.ndim:
        return Sorted(input.reshape(()), order.reshape(()))
    kth = (slice(None),) * d + (slice(k - 1, k),)
    return Sorted(*_along(input, order[kth], d, keepdim))
