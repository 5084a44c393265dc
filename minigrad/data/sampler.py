"""Samplers, with PyTorch's names: which dataset indices a DataLoader visits, and in which
order (SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler), and how
they are grouped into batches (BatchSampler). Random ones draw from a minigrad.Generator when
given one, else from the default generator that mg.manual_seed seeds."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sized
from numbers import Integral
from typing import Any

import numpy as np


class SeedStream:
    """What a DataLoader made with minigrad's seed= shuffles with: one numpy generator for all
    its epochs (or, without a seed, its generator= as given)."""

    def __init__(self, seed: int | None, generator: Any) -> None:
        self.generator = generator
        self.numpy = None if seed is None else np.random.default_rng(seed)


def _numpy_rng(generator: Any, where: str) -> np.random.Generator:
    from minigrad.random import numpy_generator

    if isinstance(generator, SeedStream):
        return generator.numpy or numpy_generator(generator.generator, where)
    return numpy_generator(generator, where)


def _check_options(owner: str, count_name: str, count: Any, flag_name: str, flag: Any) -> None:
    """A positive int count and a bool flag, or PyTorch's ValueError naming the bad one."""
    if isinstance(count, bool) or not isinstance(count, Integral) or count <= 0:
        raise ValueError(f"{owner}: {count_name} should be a positive integer value, but got "
                         f"{count_name}={count!r}")
    if not isinstance(flag, bool):
        raise ValueError(f"{owner}: {flag_name} should be a boolean value, but got "
                         f"{flag_name}={flag!r}")


class Sampler:
    """Yields dataset indices; subclasses define __iter__ (and __len__ when they can)."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A new random permutation on every pass; with replacement, num_samples independent
    draws; without it, num_samples larger than the dataset strings permutations together."""

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None, generator: Any = None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement should be a boolean value, but got "
                            f"replacement={replacement!r}")
        self.data_source, self.replacement = data_source, replacement
        self._num_samples, self.generator = num_samples, generator
        count = self.num_samples
        if isinstance(count, bool) or not isinstance(count, Integral) or count <= 0:
            raise ValueError(f"RandomSampler: num_samples should be a positive integer value, "
                             f"but got num_samples={count!r}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, rng = len(self.data_source), _numpy_rng(self.generator, "RandomSampler")
        if self.replacement:
            yield from rng.integers(0, n, self.num_samples).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from rng.permutation(n).tolist()
        yield from rng.permutation(n)[:self.num_samples % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a new random order on every pass."""

    def __init__(self, indices: Iterable[int], generator: Any = None) -> None:
        self.indices, self.generator = list(indices), generator

    def __iter__(self) -> Iterator[int]:
        order = _numpy_rng(self.generator, "SubsetRandomSampler").permutation(len(self.indices))
        return (self.indices[i] for i in order.tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """num_samples indices drawn with probabilities proportional to weights (with or without
    replacement), as torch.multinomial draws them."""

    def __init__(self, weights: Any, num_samples: int, replacement: bool = True,
                 generator: Any = None) -> None:
        _check_options("WeightedRandomSampler", "num_samples", num_samples, "replacement",
                       replacement)
        w = np.asarray(getattr(weights, "array", weights), dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"WeightedRandomSampler: weights should be a 1d sequence but "
                             f"given weights have shape {w.shape}")
        if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise RuntimeError("WeightedRandomSampler: weights must be finite, non-negative "
                               "and not all zero")
        if not replacement and num_samples > np.count_nonzero(w):
            raise RuntimeError(f"WeightedRandomSampler: cannot draw {num_samples} samples "
                               f"without replacement from {np.count_nonzero(w)} non-zero "
                               "weights")
        self.weights, self.num_samples = w, int(num_samples)
        self.replacement, self.generator = replacement, generator

    def __iter__(self) -> Iterator[int]:
        rng = _numpy_rng(self.generator, "WeightedRandomSampler")
        drawn = rng.choice(len(self.weights), self.num_samples, replace=self.replacement,
                           p=self.weights / self.weights.sum())
        return iter(drawn.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of batch_size indices from sampler; the last may be shorter unless drop_last."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        _check_options("BatchSampler", "batch_size", batch_size, "drop_last", drop_last)
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
