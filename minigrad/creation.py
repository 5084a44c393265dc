"""Tensor constructors with PyTorch's names and arguments.

Sizes are given as varargs (`zeros(2, 3)`), one sequence (`zeros((2, 3))`) or `size=`; every
constructor takes `dtype=`, `device=` and `requires_grad=`, and the random ones `generator=`
(else they draw from the default generator that `mg.manual_seed` seeds)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Number
from typing import Any

import numpy as np

from minigrad.device import array_module
from minigrad.dtypes import as_dtype, get_default_dtype, scalar_dtype
from minigrad.random import Generator, manual_seed, numpy_generator
from minigrad.tensor import Tensor, _to_array

__all__ = [
    "arange", "as_tensor", "empty", "empty_like", "eye", "from_numpy", "full", "full_like",
    "linspace", "logspace", "manual_seed", "normal", "ones", "ones_like", "rand", "rand_like",
    "randint", "randint_like", "randn", "randn_like", "randperm", "tensor", "zeros",
    "zeros_like",
]


def generator() -> np.random.Generator:
    """The numpy generator behind minigrad's random draws (the default Generator's)."""
    return numpy_generator()


# *** helpers ***
def _size(where: str, size: tuple, size_kw: Any = None) -> tuple[int, ...]:
    """The shape from varargs `size` or the `size=` keyword, checked: ints >= 0."""
    if size_kw is not None:
        if size:
            raise TypeError(f"{where}: give the size as arguments or as size=, not both")
        size = (size_kw,)
    if len(size) == 1 and isinstance(size[0], (Sequence, np.ndarray)):
        size = tuple(size[0])
    for n in size:
        if isinstance(n, bool) or not isinstance(n, (Integral, np.integer)):
            raise TypeError(f"{where}: size must be ints, got {n!r} of type "
                            f"{type(n).__name__} in {tuple(size)}")
        if n < 0:
            raise RuntimeError(f"{where}: negative dimension {n} in size {tuple(size)}")
    return tuple(int(n) for n in size)


def _float_dtype(where: str, dtype: Any) -> np.dtype:
    """dtype, or the default float dtype; random floats need a float dtype."""
    d = as_dtype(dtype, where) or get_default_dtype()
    if d.kind not in "fc":
        raise TypeError(f"{where}: needs a floating point dtype, got {d}")
    return d


def _new(array: np.ndarray, requires_grad: bool, device: Any = None) -> Tensor:
    """Wrap a freshly made array; array_module checks that the device is one minigrad serves."""
    array_module(device)
    t = Tensor._make(array)
    return t.requires_grad_(True) if requires_grad else t


# *** from data ***
def tensor(data: Any, *, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of data (detached, if data is a tensor). Python floats
    take the default dtype, Python ints int64; numpy arrays keep their dtype."""
    d = as_dtype(dtype, "tensor")
    if isinstance(data, Tensor):
        data = data.array
    if isinstance(data, list) and any(isinstance(v, Tensor) and v.array.size != 1 for v in data):
        raise ValueError("tensor: a list of tensors must hold one-element tensors (use "
                         "torch.stack for a list of larger ones)")
    if d is None and isinstance(data, (Number, list, tuple)) and not isinstance(data, np.generic):
        try:
            array = np.array(data)
        except ValueError:
            array = None  # ragged: Tensor() below says so
        if array is not None and array.dtype.kind in "uO":
            _check_int64(data)
        if array is not None and array.dtype.kind in "biufc":  # else Tensor() refuses it
            d = {"f": get_default_dtype(), "c": _default_complex()}.get(array.dtype.kind)
            data = array
    try:
        return _new(_to_array(data, d), requires_grad, device)
    except ValueError as e:
        if "string" in str(e) or "literal" in str(e):  # numpy's words for parsing a str
            raise TypeError(f"tensor: cannot make a {d} tensor from {data!r:.60}") from None
        raise


def _check_int64(data: Any) -> None:
    """A ValueError if data holds a Python int that int64 cannot hold (numpy would make it
    uint64 or an object array)."""
    try:
        np.array(data, dtype=np.int64)
    except OverflowError:
        raise ValueError(f"tensor: an integer in {data!r:.60} overflows int64") from None
    except (TypeError, ValueError):
        pass  # not numbers: Tensor() names the problem


def _default_complex() -> np.dtype:
    """The complex dtype that pairs with the default float dtype (complex64 for float32)."""
    return np.dtype(np.complex128 if get_default_dtype() == np.float64 else np.complex64)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """data as a tensor, sharing memory when it already is one (or a numpy array) of that
    dtype, as torch.as_tensor."""
    dtype = as_dtype(dtype, "as_tensor")
    array_module(device)
    if isinstance(data, Tensor) and dtype in (None, data.dtype):
        return data
    if isinstance(data, np.ndarray) and dtype in (None, data.dtype):
        return Tensor._make(data)
    if isinstance(data, Tensor):
        return data.to(dtype)
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing array's memory, without a copy (as torch.from_numpy)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy array, got {type(array).__name__}")
    return Tensor._make(array)


# *** filled ***
def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          **kw: Any) -> Tensor:
    shape = _size("zeros", size, kw.pop("size", None))
    _no_more("zeros", kw)
    d = as_dtype(dtype, "zeros") or get_default_dtype()
    return _new(array_module(device).zeros(shape, d), requires_grad, device)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         **kw: Any) -> Tensor:
    shape = _size("ones", size, kw.pop("size", None))
    _no_more("ones", kw)
    d = as_dtype(dtype, "ones") or get_default_dtype()
    return _new(array_module(device).ones(shape, d), requires_grad, device)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False,
          **kw: Any) -> Tensor:
    """Uninitialized values, as torch.empty (here: zeros, so nothing depends on old memory)."""
    shape = _size("empty", size, kw.pop("size", None))
    _no_more("empty", kw)
    d = as_dtype(dtype, "empty") or get_default_dtype()
    return _new(array_module(device).zeros(shape, d), requires_grad, device)


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Every element fill_value; the dtype follows fill_value (float: the default dtype, int:
    int64, bool: bool) unless given."""
    shape = _size("full", (size,))
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if not isinstance(fill_value, (Number, np.generic)):
        raise TypeError(f"full: fill_value must be a number, got {type(fill_value).__name__} "
                        f"{fill_value!r:.40}")
    d = as_dtype(dtype, "full") or scalar_dtype(fill_value)
    return _new(array_module(device).full(shape, fill_value, d), requires_grad, device)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """The n x m identity (n x n without m)."""
    rows, cols = _size("eye", (n, n if m is None else m))
    d = as_dtype(dtype, "eye") or get_default_dtype()
    return _new(array_module(device).eye(rows, cols, dtype=d), requires_grad, device)


def _no_more(where: str, kw: dict) -> None:
    if kw:
        raise TypeError(f"{where}() got unexpected keyword arguments {sorted(kw)}")


# *** ranges ***
def arange(start: Number = 0, end: Number | None = None, step: Number = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """start, start + step, ... below end (`arange(n)` counts from 0); int64 when every argument
    is an int, else the default float dtype."""
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    for name, v in (("start", start), ("end", end), ("step", step)):
        if isinstance(v, bool) or not isinstance(v, (Number, np.generic)):
            raise TypeError(f"arange: {name} must be a number, got {type(v).__name__} {v!r:.40}")
        if not math.isfinite(v):
            raise RuntimeError(f"arange: unsupported range: {start} -> {end} (step {step})")
    d = as_dtype(dtype, "arange")
    if d is not None and d.kind in "iu":  # torch casts the arguments to the integer dtype first
        if step and not int(step):
            raise ValueError(f"arange: step {step} is 0 as {d}, and step must be nonzero")
        start, end, step = (int(v) for v in (start, end, step))
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: step {step} leads away from end {end} (start {start})")
    integral = all(isinstance(v, (Integral, np.integer)) for v in (start, end, step))
    d = d or (np.dtype(np.int64) if integral else get_default_dtype())
    if integral:
        array = array_module(device).arange(start, end, step, dtype=np.int64)
    else:  # PyTorch's values: start + i * step for i below ceil((end - start) / step)
        count = math.ceil((end - start) / step)
        array = start + step * array_module(device).arange(count, dtype=np.float64)
    return _new(array.astype(d), requires_grad, device)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """steps values evenly spaced from start to end, both included, rounded as PyTorch's:
    step = (end - start) / (steps - 1) in the dtype (in float64 for integer dtypes), then
    start + i step for the first steps // 2 values and end - (steps - 1 - i) step for the
    rest, each rounded once (PyTorch's fused multiply-add; numpy's float64 linspace differs
    in the last bit, which shows in float32: 0 printed as -4.4703e-08)."""
    (steps,) = _size("linspace", (steps,))
    d = np.dtype(as_dtype(dtype, "linspace") or get_default_dtype())
    array_module(device)
    if steps == 1:
        return _new(np.array([start], d), requires_grad, device)
    exact = np.longdouble  # as wide as x86 has: i step is exact, as in a fused multiply-add
    if d.kind == "f":
        first, last = d.type(start), d.type(end)
        step = exact(d.type(last - first) / d.type(steps - 1))
    else:  # start and end become integers first
        first, last = float(d.type(start)), float(d.type(end))
        step = exact((last - first) / (steps - 1))
    i = np.arange(steps)
    values = np.where(i < steps // 2, exact(first) + step * i,
                      exact(last) - step * (steps - 1 - i))
    return _new(values.astype(d), requires_grad, device)


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """base ** linspace(start, end, steps)."""
    (steps,) = _size("logspace", (steps,))
    d = as_dtype(dtype, "logspace") or get_default_dtype()
    array = array_module(device).logspace(float(start), float(end), steps, base=base)
    return _new(array.astype(d), requires_grad, device)


# *** random ***
def rand(*size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False, **kw: Any) -> Tensor:
    """Samples of the uniform distribution on [0, 1)."""
    shape = _size("rand", size, kw.pop("size", None))
    _no_more("rand", kw)
    d = _float_dtype("rand", dtype)
    array = numpy_generator(generator, "rand").random(shape)
    return _new(array.astype(d), requires_grad, device)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False, **kw: Any) -> Tensor:
    """Samples of the standard normal distribution."""
    shape = _size("randn", size, kw.pop("size", None))
    _no_more("randn", kw)
    d = _float_dtype("randn", dtype)
    array = numpy_generator(generator, "randn").standard_normal(shape)
    return _new(array.astype(d), requires_grad, device)


def randint(*args: Any, generator: Generator | None = None, dtype: Any = None,
            device: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    """Integers uniform in [low, high): `randint(high, size)` or `randint(low, high, size)`
    (or as keywords), int64 unless dtype is given."""
    names = ("high", "size") if len(args) + ("low" in kw) < 3 else ("low", "high", "size")
    given = dict(zip(names, args))
    for key in ("low", "high", "size"):
        if key in kw:
            if key in given:
                raise TypeError(f"randint: got {key} twice")
            given[key] = kw.pop(key)
    _no_more("randint", kw)
    if "high" not in given or "size" not in given:
        raise TypeError("randint: needs high and size: randint(high, size) or "
                        "randint(low, high, size)")
    low, high = given.get("low", 0), given["high"]
    for name, v in (("low", low), ("high", high)):
        if isinstance(v, bool) or not isinstance(v, (Integral, np.integer)):
            raise TypeError(f"randint: {name} must be an int, got {v!r}")
    if not low < high:
        raise RuntimeError(f"randint: low must be below high, got low={low}, high={high}")
    shape = _size("randint", (given["size"],))
    d = as_dtype(dtype, "randint") or np.dtype(np.int64)
    array = numpy_generator(generator, "randint").integers(low, high, shape)
    return _new(array.astype(d), requires_grad, device)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0 .. n-1."""
    (n,) = _size("randperm", (n,))
    d = as_dtype(dtype, "randperm") or np.dtype(np.int64)
    array = numpy_generator(generator, "randperm").permutation(n)
    return _new(array.astype(d), requires_grad, device)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *,
           generator: Generator | None = None, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Samples of N(mean, std^2): mean and std are numbers (then size is needed) or tensors
    (broadcast together, giving the shape), as torch.normal."""
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if tensors:
        if size is not None:
            raise TypeError("normal: size is taken from the mean and std tensors; do not pass it")
        shape = np.broadcast_shapes(*(t.shape for t in tensors))
        d = as_dtype(dtype, "normal") or tensors[0].dtype
    else:
        if size is None:
            raise TypeError("normal: with a number for both mean and std, pass size=")
        shape = _size("normal", (size,))
        d = as_dtype(dtype, "normal") or get_default_dtype()
    if d.kind != "f":
        raise TypeError(f"normal: needs floating point mean and std, got {d}")
    std_values = std.array if isinstance(std, Tensor) else std
    if np.any(np.asarray(std_values) < 0):
        raise RuntimeError("normal: std must be >= 0")
    mean_values = mean.array if isinstance(mean, Tensor) else mean
    array = numpy_generator(generator, "normal").normal(mean_values, std_values, shape)
    return _new(np.asarray(array).astype(d), requires_grad, device)


# *** like another tensor ***
def _like(where: str, t: Any, dtype: Any) -> tuple[tuple[int, ...], np.dtype]:
    if not isinstance(t, Tensor):
        raise TypeError(f"{where}: expected a Tensor, got {type(t).__name__}")
    return t.shape, as_dtype(dtype, where) or t.dtype


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    shape, d = _like("zeros_like", input, dtype)
    return zeros(shape, dtype=d, device=device, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    shape, d = _like("ones_like", input, dtype)
    return ones(shape, dtype=d, device=device, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    shape, d = _like("empty_like", input, dtype)
    return empty(shape, dtype=d, device=device, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    shape, d = _like("full_like", input, dtype)
    return full(shape, fill_value, dtype=d, device=device, requires_grad=requires_grad)


def rand_like(input: Tensor, *, generator: Generator | None = None, dtype: Any = None,
              device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, d = _like("rand_like", input, dtype)
    return rand(shape, generator=generator, dtype=d, device=device, requires_grad=requires_grad)


def randn_like(input: Tensor, *, generator: Generator | None = None, dtype: Any = None,
               device: Any = None, requires_grad: bool = False) -> Tensor:
    shape, d = _like("randn_like", input, dtype)
    return randn(shape, generator=generator, dtype=d, device=device, requires_grad=requires_grad)


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *,
                 generator: Generator | None = None, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
    """randint with input's shape: `randint_like(x, high)` or `randint_like(x, low, high)`."""
    shape, d = _like("randint_like", input, dtype)
    low, high = (0, low) if high is None else (low, high)
    return randint(low, high, shape, generator=generator, dtype=d, device=device,
                   requires_grad=requires_grad)
