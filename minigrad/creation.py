"""Tensor constructors with PyTorch's names; random ones draw from one seedable generator."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.tensor import Tensor

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed the generator behind randn, rand, nn.init and dropout, for reproducible runs."""
    global _rng
    _rng = np.random.default_rng(seed)


def generator() -> np.random.Generator:
    """The generator that minigrad's random functions draw from."""
    return _rng


def _shape(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(n) for n in size)


def _new(array: np.ndarray, dtype: Any, requires_grad: bool) -> Tensor:
    return Tensor(array, requires_grad=requires_grad, dtype=dtype or array.dtype)


def zeros(*size: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(_shape(size)), dtype, requires_grad)


def ones(*size: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    return _new(np.ones(_shape(size)), dtype, requires_grad)


def full(size: Any, fill_value: float, dtype: Any = np.float32,
         requires_grad: bool = False) -> Tensor:
    return _new(np.full(_shape((size,)), fill_value), dtype, requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(np.zeros(t.shape), dtype or t.dtype, requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _new(np.ones(t.shape), dtype or t.dtype, requires_grad)


def randn(*size: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """Samples of the standard normal distribution."""
    return _new(_rng.standard_normal(_shape(size)), dtype, requires_grad)


def rand(*size: Any, dtype: Any = np.float32, requires_grad: bool = False) -> Tensor:
    """Samples of the uniform distribution on [0, 1)."""
    return _new(_rng.random(_shape(size)), dtype, requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """start, start + step, ... below end; int64 for integer arguments, else float32."""
    if end is None:
        start, end = 0, start
    integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    dtype = dtype or (np.int64 if integral else np.float32)
    return _new(np.arange(start, end, step), dtype, requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = np.float32,
        requires_grad: bool = False) -> Tensor:
    return _new(np.eye(n, m), dtype, requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing array's memory, without a copy (as torch.from_numpy)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy array, got {type(array).__name__}")
    return Tensor._make(array)
