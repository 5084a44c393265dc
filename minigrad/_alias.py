"""PyTorch's `axis=` alias for `dim=` (as in `torch.sum(x, axis=0)`), for ops and methods."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


def dim_or_axis(fn: Callable) -> Callable:
    """Let fn, which takes `dim`, also be called with `axis=`."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "axis" in kwargs:
            if "dim" in kwargs:
                raise TypeError(f"{fn.__name__}: got both dim and axis (axis is an alias of dim)")
            kwargs["dim"] = kwargs.pop("axis")
        return fn(*args, **kwargs)

    return wrapper
