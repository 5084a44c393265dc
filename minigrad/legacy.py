"""Names from older PyTorch that tutorials and blog posts still use: the typed tensor classes
(`torch.FloatTensor(2, 3)`, `torch.LongTensor([1, 2])`, `isinstance(x, torch.FloatTensor)`)
and `torch.autograd.Variable`, which since PyTorch 0.4 just returns a Tensor."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from minigrad import creation
from minigrad.size import Size
from minigrad.tensor import Tensor


class _TypedTensorClass(type):
    """The metaclass of FloatTensor and its kin: calling one makes a Tensor of its dtype (from
    sizes, or from data), and isinstance checks a Tensor's dtype."""

    dtype: np.dtype

    def __call__(cls, *args: Any) -> Tensor:
        if not args:
            return creation.empty(0, dtype=cls.dtype)
        sizes = args[0] if len(args) == 1 and isinstance(args[0], Size) else args
        if all(isinstance(n, int) and not isinstance(n, bool) for n in sizes):
            return creation.empty(*sizes, dtype=cls.dtype)  # uninitialized in PyTorch
        if len(args) != 1 or np.ndim(args[0]) == 0:
            raise TypeError(f"{cls.__name__}: expected sizes (ints) or one sequence of data, "
                            f"got {args!r}")
        data = args[0]
        if isinstance(data, Tensor):
            if data.dtype != cls.dtype:
                raise TypeError(f"{cls.__name__}: expected a tensor of dtype {cls.dtype}, got "
                                f"{data.dtype}; use .to() to convert")
            return data
        return Tensor(np.asarray(data, dtype=cls.dtype))

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'minigrad.{cls.__name__}'>"


def _typed(name: str, dtype: Any) -> _TypedTensorClass:
    return _TypedTensorClass(name, (), {"dtype": np.dtype(dtype), "__module__": __name__,
                                        "__doc__": f"A Tensor of dtype {np.dtype(dtype)}."})


FloatTensor = _typed("FloatTensor", np.float32)
DoubleTensor = _typed("DoubleTensor", np.float64)
HalfTensor = _typed("HalfTensor", np.float16)
LongTensor = _typed("LongTensor", np.int64)
IntTensor = _typed("IntTensor", np.int32)
ShortTensor = _typed("ShortTensor", np.int16)
CharTensor = _typed("CharTensor", np.int8)
ByteTensor = _typed("ByteTensor", np.uint8)
BoolTensor = _typed("BoolTensor", np.bool_)


class _VariableClass(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableClass):
    """torch.autograd.Variable, as PyTorch >= 0.4 keeps it: `Variable(t, requires_grad)` is a
    new leaf on t's memory (t.detach(), requiring grad if asked); every Tensor is a Variable
    for isinstance."""

    def __new__(cls, data: Tensor, requires_grad: bool = False, volatile: bool = False) -> Any:
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "torch.no_grad():` instead.", UserWarning, stacklevel=2)
        leaf = data.detach()
        return leaf.requires_grad_(True) if requires_grad else leaf


_matmul_precision = ["highest"]


def set_default_tensor_type(t: Any) -> None:
    """Deprecated in PyTorch for set_default_dtype: torch.DoubleTensor (or the string
    'torch.DoubleTensor') makes float64 the default dtype, and so on for the float types."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    name = t if isinstance(t, str) else getattr(t, "__name__", repr(t))
    cls = {c.__name__: c for c in (FloatTensor, DoubleTensor, HalfTensor, LongTensor,
                                   IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor)
           }.get(name.rpartition(".")[2])
    if cls is None:
        raise TypeError(f"set_default_tensor_type: expected a tensor type such as "
                        f"torch.DoubleTensor or 'torch.DoubleTensor', got {t!r}")
    if cls.dtype.kind != "f":
        raise TypeError("only floating-point types are supported as the default type")
    from minigrad.dtypes import set_default_dtype
    set_default_dtype(cls.dtype)


def set_float32_matmul_precision(precision: str) -> None:
    """Accepted for PyTorch's sake: numpy's float32 products are always computed in full
    float32 ("highest"); the setting is remembered for get_float32_matmul_precision."""
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"set_float32_matmul_precision: precision must be 'highest', "
                           f"'high' or 'medium', got {precision!r}")
    _matmul_precision[0] = precision


def get_float32_matmul_precision() -> str:
    return _matmul_precision[0]
