"""Datasets and mini-batch loading, with PyTorch's names: Dataset, IterableDataset,
TensorDataset, ConcatDataset, ChainDataset, StackDataset, Subset, random_split, DataLoader
(samplers in sampler.py, collation in collate.py)."""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

from minigrad.creation import from_numpy
from minigrad.data._checks import check_positive_int
from minigrad.data.collate import collate, default_collate, default_convert
from minigrad.data.sampler import BatchSampler, RandomSampler, SeedStream, SequentialSampler
from minigrad.tensor import Tensor

__all__ = ["ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "IterableDataset",
           "StackDataset", "Subset", "TensorDataset", "random_split"]


class Dataset:
    """A map-style dataset: ``dataset[i]`` is one example, ``len(dataset)`` how many."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset that is a stream: ``iter(dataset)`` yields the examples (no indexing)."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __len__(self) -> int:
        raise TypeError(f"object of type {type(self).__name__!r} has no len() (a stream "
                        "defines __len__ only if it knows its length)")

    def __add__(self, other: Dataset) -> ChainDataset:
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Examples are the rows of Tensors (or numpy arrays, wrapped without a copy) that share
    their first dimension.

    ``dataset[i]`` is ``tuple(t[i] for t in dataset.tensors)``. DataLoader batches a
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
        self.tensors: tuple[Tensor, ...] = tuple(
            t if isinstance(t, Tensor) else from_numpy(a) for t, a in zip(tensors, arrays))

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return len(self.tensors[0])


class ConcatDataset(Dataset):
    """The examples of several datasets one after the other."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        if index >= len(self):
            raise IndexError(f"ConcatDataset: index {index} is out of range for {len(self)} "
                             "examples")
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset):
    """Several IterableDatasets, streamed one after the other."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)  # type: ignore[arg-type]


class StackDataset(Dataset):
    """Examples made of the same index of several datasets: a tuple (positional datasets) or a
    dict (keyword datasets)."""

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args and kwargs:
            raise ValueError("StackDataset: supported either tuple-like (positional) or "
                             "dict-like (keyword) datasets, not both")
        parts = list(args) or list(kwargs.values())
        if not parts:
            raise ValueError("StackDataset: at least one dataset should be passed")
        lengths = {len(d) for d in parts}
        if len(lengths) > 1:
            raise ValueError(f"StackDataset: size mismatch between datasets, lengths "
                             f"{[len(d) for d in parts]}")
        self.datasets: tuple | dict = args or kwargs
        self._length = lengths.pop()

    def __getitem__(self, index: int) -> Any:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self) -> int:
        return self._length


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
        outside = index[(index < -n) | (index >= n)]  # negative ones count from the end
        if outside.size:
            raise IndexError(f"Subset: indices {outside[:5].tolist()} are outside the "
                             f"dataset's range {-n}..{n - 1}")
        # indices as given (a list from random_split, as in PyTorch); their array for batching
        self.dataset, self.indices, self._index = dataset, indices, (indices, index)

    def index_array(self) -> np.ndarray:
        """self.indices as an int64 array (cached while self.indices is the same object)."""
        source, index = self._index
        if source is not self.indices:
            self._index = source, index = self.indices, np.asarray(self.indices, dtype=np.int64)
        return index

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Dataset, lengths: Sequence[int | float],
                 seed: int | None = None, *, generator: Any = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random Subsets of the given lengths, or of the
    given fractions of its length (as torch.utils.data.random_split: floors, then the
    remainder one at a time from the first). The order is drawn from ``generator`` (a
    minigrad.Generator), else from ``seed``, else from the default generator that
    ``mg.manual_seed`` seeds; the same seed gives the same split."""
    n = len(dataset)
    lengths = list(lengths)
    if any(isinstance(x, bool) or not isinstance(x, Real) for x in lengths):
        raise TypeError(f"random_split: lengths must be ints, or fractions summing to 1, got "
                        f"{lengths}")
    fractions = not all(isinstance(x, Integral) for x in lengths)
    if lengths and fractions and math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        if not all(0 <= x <= 1 for x in lengths):
            raise ValueError(f"random_split: fractions must lie in [0, 1] and sum to 1, got "
                             f"{lengths}")
        lengths = [math.floor(n * x) for x in lengths]
        for i in range(n - sum(lengths)):
            lengths[i % len(lengths)] += 1
    elif fractions:
        if sum(lengths) == n:  # whole numbers as floats: torch's randperm refuses them
            raise TypeError(f"random_split: lengths must be ints, or fractions summing to 1, "
                            f"got {lengths}")
        raise ValueError(f"random_split: fractions must lie in [0, 1] and sum to 1, got "
                         f"{lengths}")
    if any(x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must be ints >= 0 (or fractions summing to "
                         f"1), got {lengths}")
    if sum(lengths) != n:
        raise ValueError(f"random_split: lengths {lengths} sum to {sum(lengths)}, but the "
                         f"dataset has {n} examples")
    order = _rng(seed, generator, "random_split").permutation(n)
    ends = np.cumsum(lengths)
    return [Subset(dataset, order[end - size:end].tolist()) for size, end in zip(lengths, ends)]


def get_worker_info() -> None:
    """None: minigrad makes every batch in this process, as PyTorch's DataLoader does with
    num_workers=0 (so an IterableDataset that shards by worker reads all of its data)."""
    return None


def _check_worker_options(num_workers: Any, timeout: Any, prefetch_factor: Any,
                          persistent_workers: Any, multiprocessing_context: Any = None) -> None:
    """PyTorch's checks of the worker options, which minigrad accepts and ignores."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, Integral) or num_workers < 0:
        raise ValueError(f"DataLoader: num_workers must be an int >= 0, got {num_workers!r}; "
                         "use num_workers=0 to disable multiprocessing")
    if timeout < 0:
        raise ValueError(f"DataLoader: timeout must be >= 0, got {timeout!r}")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("DataLoader: prefetch_factor needs num_workers > 0 (set it to None "
                         "without workers)")
    if num_workers == 0 and persistent_workers:
        raise ValueError("DataLoader: persistent_workers needs num_workers > 0")
    if num_workers == 0 and multiprocessing_context is not None:
        raise ValueError(f"DataLoader: multiprocessing_context can only be used with "
                         f"multi-process loading (num_workers > 0), got "
                         f"multiprocessing_context={multiprocessing_context!r} and num_workers=0")


class DataLoader:
    """Iterate over a dataset in mini-batches of ``minigrad.Tensor``, with PyTorch's arguments.

    Indices come from ``sampler`` (default: SequentialSampler, or RandomSampler with
    ``shuffle=True``), grouped by a BatchSampler of ``batch_size`` (``drop_last`` skips a short
    last batch), or from ``batch_sampler``; ``batch_size=None`` yields single examples.
    ``collate_fn`` (default ``default_collate``) turns each list of examples into a batch:
    tuples give a list with one Tensor per field, dicts a dict. An IterableDataset is streamed.
    Shuffling draws from ``generator`` (a minigrad.Generator), else from
    ``np.random.default_rng(seed)`` made once (minigrad's keyword), else from the default
    generator, so ``mg.manual_seed`` makes the order reproducible. ``num_workers``,
    ``pin_memory``, ``timeout``, ``worker_init_fn``, ``prefetch_factor`` and
    ``persistent_workers`` are accepted for PyTorch's sake and change nothing: batches are
    made in this process.
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1,
                 shuffle: bool | None = None, sampler: Any = None, batch_sampler: Any = None,
                 num_workers: int = 0, collate_fn: Any = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn: Any = None,
                 multiprocessing_context: Any = None, generator: Any = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True,
                 seed: int | None = None) -> None:
        iterable = isinstance(dataset, IterableDataset)
        if not iterable and not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"DataLoader: dataset must have __getitem__ and __len__, "
                            f"got {type(dataset).__name__}")
        if batch_size is not None:
            if isinstance(batch_size, bool) or not isinstance(batch_size, Integral):
                raise ValueError(f"DataLoader: batch_size must be a positive int or None, got "
                                 f"{batch_size!r}")  # torch's ValueError, not a TypeError
            check_positive_int("DataLoader", "batch_size", batch_size)
        for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
            if flag is not None and not isinstance(flag, (bool, np.bool_)):
                raise TypeError(f"DataLoader: {name} must be a bool, got {flag!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral)):
            raise TypeError(f"DataLoader: seed must be an int or None, got {seed!r}")
        if iterable and (shuffle or sampler is not None or batch_sampler is not None):
            raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle, "
                             f"sampler and batch_sampler options, got shuffle={shuffle}, "
                             f"sampler={sampler}, batch_sampler={batch_sampler}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers,
                              multiprocessing_context)
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got "
                            f"{type(collate_fn).__name__}")
        for name, given in (("sampler", sampler), ("batch_sampler", batch_sampler)):
            if given is not None and not isinstance(given, Iterable):
                raise TypeError(f"DataLoader: {name} must be iterable, got "
                                f"{type(given).__name__}")
        if pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", UserWarning, stacklevel=2)
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, bool(drop_last)
        self.shuffle, self.seed, self.generator = bool(shuffle), seed, generator
        self.num_workers, self.pin_memory, self.timeout = num_workers, pin_memory, timeout
        self.worker_init_fn, self.prefetch_factor = worker_init_fn, prefetch_factor
        self.persistent_workers = persistent_workers
        self._auto_collation = batch_size is not None or batch_sampler is not None
        self.collate_fn = collate_fn or (default_collate if self._auto_collation
                                         else default_convert)
        self._default_collate = collate_fn is None
        _rng(None, generator, "DataLoader")  # a wrong type fails here, not at the first epoch
        if iterable:
            self.sampler, self.batch_sampler = None, None
            self._initialized = True
            return
        if sampler is None:
            if shuffle:
                sampler = RandomSampler(dataset, generator=SeedStream(seed, generator))
            else:
                sampler = SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(sampler, self.batch_size, self.drop_last)
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self._initialized = True

    def __setattr__(self, name: str, value: Any) -> None:
        """What shapes the batches is fixed once made, as in PyTorch."""
        if getattr(self, "_initialized", False) and name in (
                "batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                "persistent_workers"):
            raise ValueError(f"DataLoader: {name} attribute should not be set after the "
                             "DataLoader is initialized")
        super().__setattr__(name, value)

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # TypeError when the stream has no length, as in PyTorch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            yield from self._stream()
            return
        if self.batch_sampler is None:
            for i in self.sampler:
                yield self.collate_fn(self.dataset[i])
            return
        for indices in self.batch_sampler:
            yield self._batch(list(indices))

    def _stream(self) -> Iterator[Any]:
        examples = iter(self.dataset)
        if self.batch_size is None:
            yield from map(self.collate_fn, examples)
            return
        while batch := list(itertools.islice(examples, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield self.collate_fn(batch)

    def _batch(self, indices: list[int]) -> Any:
        """The examples at indices, collated. A (Subset of a) TensorDataset with the default
        collation is cut from its whole arrays at once rather than example by example."""
        if self._default_collate:
            dataset, index = self.dataset, np.asarray(indices, dtype=np.int64)
            while type(dataset) is Subset:
                index, dataset = dataset.index_array()[index], dataset.dataset
            if _has_whole_arrays(dataset):
                size = len(dataset)
                if index.size and (index.min() < -size or index.max() >= size):
                    bad = index[(index < -size) | (index >= size)]
                    raise IndexError(f"DataLoader: index {int(bad[0])} is out of range for a "
                                     f"dataset of {size} examples")
                return [_to_tensor(np.take(t.array, index, axis=0)) for t in dataset.tensors]
            return collate([self.dataset[i] for i in indices], indices, "")
        return self.collate_fn([self.dataset[i] for i in indices])

    def __repr__(self) -> str:
        size = len(self.dataset) if hasattr(self.dataset, "__len__") else "?"
        return (f"DataLoader({type(self.dataset).__name__} of {size}, "
                f"batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, seed={self.seed})")


def _has_whole_arrays(dataset: Any) -> bool:
    """True when batches can be cut from ``dataset.tensors`` without calling __getitem__."""
    return (
        isinstance(dataset, TensorDataset)
        and type(dataset).__getitem__ is TensorDataset.__getitem__
    )


def _rng(seed: int | None, generator: Any, where: str) -> np.random.Generator:
    """The numpy generator to shuffle with: from seed, else generator, else the default one."""
    if seed is not None:
        return np.random.default_rng(seed)
    from minigrad.random import numpy_generator

    return numpy_generator(generator, where)


def _as_array(value: Any) -> np.ndarray:
    """A numpy view of an ndarray, a minigrad Tensor (via ``.numpy()``) or a nested list."""
    if isinstance(value, np.ndarray):
        return value
    to_numpy = getattr(value, "numpy", None)
    return np.asarray(to_numpy() if callable(to_numpy) else value)


def _to_tensor(array: np.ndarray) -> Any:
    return from_numpy(np.ascontiguousarray(array))  # a batch is a fresh array: no second copy
