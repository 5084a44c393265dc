"""Devices, as torch.device. minigrad computes on the CPU with numpy; `BACKENDS` maps a device
type to the array module that serves it, so a second backend (say CuPy for "cuda") would be one
more entry there, with no change to user code."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

BACKENDS: dict[str, ModuleType] = {"cpu": np}

# device types PyTorch knows; asking for one of these says minigrad cannot serve it
_TORCH_TYPES = ("cuda", "mps", "xpu", "xla", "meta", "hip", "ipu", "hpu", "vulkan", "mtia",
                "privateuseone", "lazy", "mkldnn", "opengl", "opencl", "ideep", "ve", "fpga",
                "maia")


class device:
    """Where a tensor's data lives: `device("cpu")`, `device("cpu", 0)` or `device("cpu:0")`."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError(f"device({type}): an integer names a CUDA device; minigrad "
                               "computes on the CPU with numpy, use 'cpu'")
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {type!r}")
        name, _, number = type.partition(":")
        if number:
            if index is not None or not number.isdigit():
                raise RuntimeError(f"device: invalid device string {type!r}")
            index = int(number)
        check_available(name)
        self.type, self.index = name, index

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, TypeError):
                return False
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{index})"


def check_available(name: str) -> None:
    """Raise a RuntimeError unless a backend serves device type name."""
    if name in BACKENDS:
        return
    if name in _TORCH_TYPES:
        raise RuntimeError(f"device {name!r} is not available: minigrad computes on the CPU with "
                           "numpy; use device='cpu' (mg.cuda.is_available() is False)")
    raise RuntimeError(f"device: unknown device type {name!r}; minigrad has "
                       f"{', '.join(repr(n) for n in BACKENDS)}")


CPU = device("cpu")


def as_device(value: Any) -> device:
    """value (a device, a string such as 'cpu' or 'cpu:0', or None for the CPU) as a device."""
    if value is None or value is CPU:
        return CPU
    return value if isinstance(value, device) else device(value)


def array_module(value: Any = None) -> ModuleType:
    """The array module (numpy for the CPU) that computes on device value."""
    return BACKENDS[as_device(value).type]


def is_device_like(value: Any) -> bool:
    """True for a device, or a string naming one (available or not): what `.to()` accepts as a
    device rather than a dtype."""
    if isinstance(value, device):
        return True
    if not isinstance(value, str):
        return False
    name = value.partition(":")[0]
    return name in BACKENDS or name in _TORCH_TYPES
