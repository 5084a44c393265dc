"""torch.cuda's queries, answered for a library that computes on the CPU with numpy: no CUDA
device is ever available, so code that checks first (`"cuda" if mg.cuda.is_available() else
"cpu"`) runs on the CPU unchanged."""

from __future__ import annotations


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Does nothing: there is no CUDA generator to seed (as in PyTorch without a GPU)."""


def manual_seed_all(seed: int) -> None:
    """Does nothing: there is no CUDA generator to seed (as in PyTorch without a GPU)."""


def empty_cache() -> None:
    """Does nothing: there is no CUDA memory to free."""
