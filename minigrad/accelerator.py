"""torch.accelerator's queries, answered for a library that computes on the CPU with numpy: no
accelerator is ever available, so the tutorials' `device = torch.accelerator.current_accelerator()
.type if torch.accelerator.is_available() else "cpu"` picks the CPU unchanged."""

from __future__ import annotations

from minigrad.device import device


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False) -> device | None:
    """None: there is no accelerator (as PyTorch answers on a machine without one)."""
    return None


def device_count() -> int:
    return 0
