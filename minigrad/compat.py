"""Small pieces of PyTorch's namespace that everyday PyTorch programs use: `Size`, `equal`,
`inference_mode`, `set_default_device` / `get_default_device`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from minigrad.device import as_device, device
from minigrad.function import _GradMode
from minigrad.size import Size  # noqa: F401  (mg.Size is exported from here)
from minigrad.tensor import Tensor, _Inference


def equal(input: Tensor, other: Tensor) -> bool:
    """True if the two tensors have the same shape and values, as torch.equal."""
    return input.equal(other)


class inference_mode(_GradMode):
    """As torch.inference_mode: ops inside record no graph, like `no_grad`, and the tensors
    made inside are inference tensors (`is_inference()`), which backward cannot save; with
    mode=False both are off inside (grad mode on, as torch). Also a decorator, with or without
    the call."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # bare @inference_mode
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.active = bool(mode)

    @property
    def mode(self) -> bool:  # type: ignore[override]
        """Grad mode inside: off, or on with mode=False (also inside no_grad, as torch)."""
        return not self.active

    def __enter__(self) -> None:
        super().__enter__()
        self.prev_inference, _Inference.enabled = _Inference.enabled, self.active

    def __exit__(self, *exc: object) -> None:
        _Inference.enabled = self.prev_inference
        super().__exit__(*exc)

    def __call__(self, fn: Callable) -> Callable:
        active = self.active

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(active):
                return fn(*args, **kwargs)

        return wrapper


def is_inference_mode_enabled() -> bool:
    """True inside a torch.inference_mode block (not one with mode=False)."""
    return _Inference.enabled


_default_device = as_device(None)


def set_default_device(device: Any) -> None:
    """Where factory functions put tensors by default: only the CPU exists in minigrad, so
    "cpu" (or None) is accepted and anything else raises the device error."""
    global _default_device
    _default_device = as_device(device)


def get_default_device() -> device:
    return _default_device


_deterministic = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Accepted as in PyTorch: every minigrad op is already deterministic on the CPU (numpy
    kernels, one process), so this only records the setting."""
    _deterministic.update(mode=bool(mode), warn_only=bool(warn_only))


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _deterministic["warn_only"]


class finfo:  # noqa: N801  (PyTorch's name)
    """Machine limits of a float dtype (default: the default dtype): eps, max, min, tiny,
    smallest_normal, resolution as Python floats (as torch.finfo, so `finfo.max * 2` is a
    float, not a float32 overflow), bits, and dtype as its name."""

    def __init__(self, type: Any = None) -> None:
        import numpy as np

        from minigrad.dtypes import as_dtype, get_default_dtype

        info = np.finfo(get_default_dtype() if type is None else as_dtype(type))
        self.bits, self.dtype = int(info.bits), info.dtype.name
        self.eps, self.max, self.min = float(info.eps), float(info.max), float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


def iinfo(type: Any) -> Any:
    """Machine limits of an integer dtype (max, min, bits), as torch.iinfo."""
    import numpy as np

    from minigrad.dtypes import as_dtype

    return np.iinfo(as_dtype(type))
