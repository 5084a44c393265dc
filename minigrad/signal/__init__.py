"""minigrad.signal: torch.signal's window functions (minigrad.signal.windows)."""

from minigrad.signal import windows

__all__ = ["windows"]
