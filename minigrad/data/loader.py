"""Datasets and mini-batch loading, with PyTorch's names: Dataset, TensorDataset, Subset,
random_split, DataLoader."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

from minigrad.creation import from_numpy
from minigrad.data._checks import check_positive_int


class Dataset:
    """A map-style dataset: ``dataset[i]`` is one example, ``len(dataset)`` how many."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")


class TensorDataset(Dataset):
    """Examples are the rows of numpy arrays (or Tensors) that share their first dimension.

    ``dataset[i]`` is ``tuple(a[i] for a in dataset.tensors)``. DataLoader batches a
    TensorDataset by indexing whole arrays at once instead of example by example.
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one array")
        arrays = tuple(_as_array(t) for t in tensors)
        shapes = [a.shape for a in arrays]
        if any(len(shape) == 0 for shape in shapes):
            raise ValueError(f"TensorDataset: arrays must have a first dimension, got {shapes}")
        if len({shape[0] for shape in shapes}) > 1:
            lengths = [shape[0] for shape in shapes]
            raise ValueError(
                f"TensorDataset: arrays must have the same first dimension, got lengths "
                f"{lengths} (shapes {shapes})"
            )
        self.tensors: tuple[np.ndarray, ...] = arrays

    def __getitem__(self, index: int) -> tuple[np.ndarray, ...]:
        return tuple(a[index] for a in self.tensors)

    def __len__(self) -> int:
        return len(self.tensors[0])


class Subset(Dataset):
    """The examples of ``dataset`` at ``indices``, in that order: ``subset[i]`` is
    ``dataset[indices[i]]``."""

    def __init__(self, dataset: Dataset, indices: Sequence[int] | np.ndarray) -> None:
        index = np.asarray(indices)
        if index.size == 0:
            index = index.astype(np.int64)
        if index.ndim != 1 or index.dtype.kind not in "iu":
            raise TypeError(f"Subset: indices must be a 1-D sequence of ints, got "
                            f"{index.dtype} values of shape {index.shape}")
        n = len(dataset)
        outside = index[(index < 0) | (index >= n)]
        if outside.size:
            raise IndexError(f"Subset: indices {outside[:5].tolist()} are outside the "
                             f"dataset's range 0..{n - 1}")
        self.dataset, self.indices = dataset, index

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Dataset, lengths: Sequence[int | float],
                 seed: int | None = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random Subsets of the given lengths, or of the
    given fractions of its length (as torch.utils.data.random_split: floors, then the
    remainder one at a time from the first). The same seed gives the same split."""
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(isinstance(x, Real) and not isinstance(x, Integral) for x in lengths):
        if not all(0 <= x <= 1 for x in lengths) or not math.isclose(sum(lengths), 1):
            raise ValueError(f"random_split: fractions must lie in [0, 1] and sum to 1, got "
                             f"{lengths}")
        lengths = [math.floor(n * x) for x in lengths]
        for i in range(n - sum(lengths)):
            lengths[i % len(lengths)] += 1
    if any(isinstance(x, bool) or not isinstance(x, Integral) or x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must be ints >= 0 (or fractions summing to "
                         f"1), got {lengths}")
    if sum(lengths) != n:
        raise ValueError(f"random_split: lengths {lengths} sum to {sum(lengths)}, but the "
                         f"dataset has {n} examples")
    order = np.random.default_rng(seed).permutation(n)
    ends = np.cumsum(lengths)
    return [Subset(dataset, order[end - size:end]) for size, end in zip(lengths, ends)]


class DataLoader:
    """Iterate over a dataset in mini-batches of ``minigrad.Tensor``.

    Each batch is a tuple with one Tensor per field of the examples (a single Tensor when
    examples are bare arrays), stacked along a new first axis; dtypes are kept (MNIST:
    float32 images, int64 labels). With ``shuffle`` every epoch draws a new permutation from
    ``np.random.default_rng(seed)``, so two loaders with the same seed yield the same batches
    epoch after epoch. ``drop_last`` skips a final batch smaller than ``batch_size``.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
    ) -> None:
        if not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(
                f"DataLoader: dataset must have __getitem__ and __len__, "
                f"got {type(dataset).__name__}"
            )
        check_positive_int("DataLoader", "batch_size", batch_size)
        for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not isinstance(flag, (bool, np.bool_)):
                raise TypeError(f"DataLoader: {name} must be a bool, got {flag!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral)):
            raise TypeError(f"DataLoader: seed must be an int or None, got {seed!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self._rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        n, size = len(self.dataset), self.batch_size
        return n // size if self.drop_last else -(-n // size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            batch = self._fetch(order[start : start + self.batch_size])
            if isinstance(batch, tuple):
                yield tuple(_to_tensor(array) for array in batch)
            else:
                yield _to_tensor(batch)

    def _fetch(self, index: np.ndarray) -> tuple[np.ndarray, ...] | np.ndarray:
        """The examples at ``index`` stacked into arrays, one per field. Subsets become index
        arithmetic, so a Subset of a TensorDataset is cut from the whole arrays too."""
        dataset = self.dataset
        while type(dataset) is Subset:
            index, dataset = dataset.indices[index], dataset.dataset
        if _has_whole_arrays(dataset):
            return tuple(np.take(array, index, axis=0) for array in dataset.tensors)
        return _collate([dataset[int(i)] for i in index])

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, "
            f"batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"drop_last={self.drop_last}, seed={self.seed})"
        )


def _has_whole_arrays(dataset: Any) -> bool:
    """True when batches can be cut from ``dataset.tensors`` without calling __getitem__."""
    return (
        isinstance(dataset, TensorDataset)
        and type(dataset).__getitem__ is TensorDataset.__getitem__
    )


def _collate(items: Sequence[Any]) -> tuple[np.ndarray, ...] | np.ndarray:
    """Stack examples field by field: [(x0, y0), (x1, y1)] -> (stack(x), stack(y))."""
    if isinstance(items[0], (tuple, list)):
        fields = len(items[0])
        return tuple(np.stack([np.asarray(item[k]) for item in items]) for k in range(fields))
    return np.stack([np.asarray(item) for item in items])


def _as_array(value: Any) -> np.ndarray:
    """A numpy view of an ndarray, a minigrad Tensor (via ``.numpy()``) or a nested list."""
    if isinstance(value, np.ndarray):
        return value
    to_numpy = getattr(value, "numpy", None)
    return np.asarray(to_numpy() if callable(to_numpy) else value)


def _to_tensor(array: np.ndarray) -> Any:
    return from_numpy(np.ascontiguousarray(array))  # a batch is a fresh array: no second copy
