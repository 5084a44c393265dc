"""dtypes with PyTorch's names, the default float dtype, and PyTorch's type promotion.

Each dtype is the numpy dtype it stands for (`mg.float32 == np.float32`, `x.dtype is mg.float`),
so numpy and minigrad take each other's dtypes anywhere."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

float16 = half = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
uint8 = np.dtype(np.uint8)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)
complex64 = cfloat = np.dtype(np.complex64)
complex128 = cdouble = np.dtype(np.complex128)


class _UnsupportedDtype:
    """A PyTorch dtype numpy has no counterpart for: the name exists (so a table of dtypes
    such as nanoGPT's builds), and using it raises as_dtype's clear TypeError."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"minigrad.{self.name}"


bfloat16 = _UnsupportedDtype("bfloat16")

# Python's own types as dtypes mean what they mean to numpy and PyTorch: float is float64
_PYTHON_TYPES = {builtins.float: float64, builtins.int: int64, builtins.bool: bool_,
                 builtins.complex: complex128}
_SUPPORTED = "biufc"


class _Default:
    dtype = float32


def get_default_dtype() -> np.dtype:
    """The dtype of tensors made from Python floats and of float factory results (float32)."""
    return _Default.dtype


def set_default_dtype(dtype: Any) -> None:
    """Set the default float dtype: float16, float32 or float64, as torch.set_default_dtype."""
    d = as_dtype(dtype, "set_default_dtype")
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: only floating point dtypes can be the default, "
                        f"got {d}")
    _Default.dtype = d


def as_dtype(dtype: Any, where: str = "dtype") -> np.dtype:
    """dtype as a numpy dtype: mg dtypes, numpy dtypes and types, Python's float/int/bool, or a
    name such as 'float32' or 'torch.float32'. None gives None."""
    if dtype is None:
        return None
    if type(dtype) is type and dtype in _PYTHON_TYPES:
        return _PYTHON_TYPES[dtype]
    if isinstance(dtype, str):
        dtype = dtype.removeprefix("torch.").removeprefix("minigrad.")
        dtype = {"float": "float32", "double": "float64", "half": "float16", "long": "int64",
                 "int": "int32", "short": "int16", "bool": "bool"}.get(dtype, dtype)
    try:
        d = np.dtype(dtype)
    except TypeError:
        d = None
    if d is None or d.kind not in _SUPPORTED or d.byteorder == ">":
        raise TypeError(f"{where}: {dtype!r} is not a dtype minigrad supports (use mg.float32, "
                        "mg.float64, mg.float16, mg.int64, mg.int32, mg.int16, mg.int8, "
                        "mg.uint8, mg.bool, mg.complex64 or mg.complex128)")
    return d


def promote_types(a: Any, b: Any) -> np.dtype:
    """The dtype two tensors of dtypes a and b compute in, as torch.promote_types: the higher
    category wins (bool < integer < float < complex) and keeps its own dtype (float16 with
    int64 is float16); inside a category numpy's rules hold (uint8 with int8 is int16)."""
    a, b = np.dtype(a), np.dtype(b)
    if a is b:
        return a
    rank_a, rank_b = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if rank_a != rank_b:
        return a if rank_a > rank_b else b
    return np.promote_types(a, b)


_CATEGORY = {"b": 0, "i": 1, "u": 1, "f": 2, "c": 3}


def can_cast(from_: Any, to: Any) -> bool:
    """Whether PyTorch's casting rules allow from_ to become to (torch.can_cast): by category
    only (bool < integer < float < complex), never downwards, whatever the sizes."""
    return _CATEGORY[np.dtype(from_).kind] <= _CATEGORY[np.dtype(to).kind]


def _category(dtype: np.dtype) -> int:
    return _CATEGORY[dtype.kind]


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """A dtype of a higher priority class (dimensioned tensors over 0-d tensors over Python
    scalars) wins unless the lower class is of a higher category."""
    if higher is None or lower is None:
        return higher if lower is None else lower
    if _CATEGORY[higher.kind] >= _CATEGORY[lower.kind] and higher.kind != "b":
        return higher
    return promote_types(higher, lower)


def scalar_dtype(value: Any) -> np.dtype:
    """The dtype a Python or numpy scalar counts as in promotion: the default float dtype for
    floats, int64 for ints (numpy scalars count as Python numbers, as in PyTorch)."""
    kind = np.asarray(value).dtype.kind
    if kind == "f":
        return _Default.dtype
    if kind == "c":
        return complex64 if _Default.dtype != float64 else complex128
    return bool_ if kind == "b" else int64


def promote_scalar(dtype: np.dtype, value: Any) -> np.dtype:
    """The dtype of a tensor of dtype (with dims) combined with a Python scalar."""
    return _combine(dtype, scalar_dtype(value))


def result_type(*operands: Any) -> np.dtype:
    """The dtype of an op over these operands (arrays, tensors or scalars), as
    torch.result_type: dimensioned tensors first, then 0-d ones, then Python numbers."""
    if len(operands) == 2:  # the binary ops' case, made short: two dimensioned arrays
        a, b = (getattr(x, "array", x) for x in operands)
        if getattr(a, "ndim", 0) and getattr(b, "ndim", 0):
            return promote_types(a.dtype, b.dtype)
    classes: list[np.dtype | None] = [None, None, None]
    for x in operands:
        array = getattr(x, "array", x)
        if isinstance(array, np.ndarray) and array.ndim:
            k, d = 0, array.dtype
        elif isinstance(array, np.ndarray) and not isinstance(x, np.ndarray):
            k, d = 1, array.dtype  # a 0-d tensor
        else:
            k, d = 2, scalar_dtype(array)
        classes[k] = d if classes[k] is None else promote_types(classes[k], d)
    return _combine(_combine(classes[0], classes[1]), classes[2])


# PyTorch's short names; they shadow Python's types only inside this module's namespace
float, int, bool, short, long = float32, int32, bool_, int16, int64  # noqa: A001

__all__ = [
    "as_dtype", "bool", "bool_", "cdouble", "cfloat", "complex64", "complex128", "double",
    "float", "float16", "float32", "float64", "get_default_dtype", "half", "int", "int8",
    "int16", "int32", "int64", "long", "promote_scalar", "promote_types", "result_type",
    "scalar_dtype", "set_default_dtype", "short", "uint8",
]
__all__ += ["can_cast"]
