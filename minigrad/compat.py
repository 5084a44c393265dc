"""Small pieces of PyTorch's namespace that everyday PyTorch programs use: `Size`, `equal`,
`inference_mode`, `set_default_device` / `get_default_device`."""

from __future__ import annotations

from typing import Any

from minigrad.device import as_device, device
from minigrad.function import _GradMode, is_grad_enabled
from minigrad.size import Size  # noqa: F401  (mg.Size is exported from here)
from minigrad.tensor import Tensor


def equal(input: Tensor, other: Tensor) -> bool:
    """True if the two tensors have the same shape and values, as torch.equal."""
    return input.equal(other)


class inference_mode(_GradMode):
    """As torch.inference_mode: ops inside record no graph, like `no_grad` (minigrad has no
    separate inference tensors, so this is `no_grad` under PyTorch's name); with mode=False
    it changes nothing. Also a decorator, with or without the call."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # bare @inference_mode
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.active = bool(mode)

    @property
    def mode(self) -> bool:  # type: ignore[override]
        return False if self.active else is_grad_enabled()


_default_device = as_device(None)


def set_default_device(device: Any) -> None:
    """Where factory functions put tensors by default: only the CPU exists in minigrad, so
    "cpu" (or None) is accepted and anything else raises the device error."""
    global _default_device
    _default_device = as_device(device)


def get_default_device() -> device:
    return _default_device
