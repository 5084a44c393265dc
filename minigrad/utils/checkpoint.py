"""torch.utils.checkpoint: PyTorch recomputes a checkpointed function's activations in backward
to save memory. minigrad runs the function once and keeps its activations: the same values and
gradients, without the memory saving."""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["checkpoint", "checkpoint_sequential"]


def _ask_for_use_reentrant(use_reentrant: bool | None) -> None:
    if use_reentrant is None:  # as PyTorch 2.x warns
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed "
                      "explicitly; use_reentrant=False is recommended", stacklevel=3)


def checkpoint(function: Any, *args: Any, use_reentrant: bool | None = None,
               context_fn: Any = None, determinism_check: str = "default",
               debug: bool = False, early_stop: bool = True, **kwargs: Any) -> Any:
    """function(*args, **kwargs), differentiable as usual."""
    _ask_for_use_reentrant(use_reentrant)
    return function(*args, **kwargs)


def checkpoint_sequential(functions: Any, segments: int, input: Any,
                          use_reentrant: bool | None = None, **kwargs: Any) -> Any:
    """The functions (a list, or an nn.Sequential's children) applied in turn to input."""
    _ask_for_use_reentrant(use_reentrant)
    if hasattr(functions, "children"):
        functions = list(functions.children())
    if not 0 < segments <= max(len(functions), 1):
        raise ValueError(f"checkpoint_sequential: segments must be in 1..{len(functions)}, got "
                         f"{segments}")
    for function in functions:
        input = function(input)
    return input
