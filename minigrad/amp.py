"""torch.amp for training scripts written to run with or without mixed precision: `autocast`
with enabled=False is a no-op, and `GradScaler` scales the loss and unscales the gradients as
PyTorch's does (by powers of two, so the numbers are the same), skipping steps whose gradients
overflow. minigrad computes in float32/float64 only, so an enabled autocast is refused."""

from __future__ import annotations

import functools
import math
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.tensor import Tensor

__all__ = ["GradScaler", "autocast"]


class autocast:
    """Mixed-precision regions; only `enabled=False` (the regions then change nothing) is
    supported. Also a decorator."""

    def __init__(self, device_type: str = "cuda", dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if enabled:
            raise NotImplementedError(
                f"autocast(device_type={device_type!r}): mixed precision is not supported by "
                "minigrad (it computes in float32 or float64); pass enabled=False, or leave "
                "autocast out")
        self.device, self.fast_dtype, self._enabled = device_type, dtype, False

    def __enter__(self) -> autocast:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapped


class GradScaler:
    """Loss scaling: scale(loss) multiplies by the scale, unscale_(optimizer) divides the
    gradients by it in place and notes any inf/NaN, step(optimizer) steps unless one was found,
    update() halves the scale after an overflow and doubles it after growth_interval clean
    steps. A CUDA scaler is disabled with PyTorch's warning, as on a machine without CUDA."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        if enabled and device == "cuda":
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", UserWarning, stacklevel=2)
            enabled = False
        if enabled and not (growth_factor > 1 and 0 < backoff_factor < 1):
            raise ValueError(f"GradScaler: growth_factor ({growth_factor}) must be > 1 and "
                             f"backoff_factor ({backoff_factor}) in (0, 1)")
        self._device, self._enabled = device, enabled
        self._scale, self._growth_tracker = float(init_scale), 0
        self._growth_factor, self._backoff_factor = growth_factor, backoff_factor
        self._growth_interval = growth_interval
        self._found_inf: dict[int, bool] = {}  # per optimizer unscaled since the last update

    def is_enabled(self) -> bool:
        return self._enabled

    def get_scale(self) -> float:
        return self._scale if self._enabled else 1.0

    def scale(self, outputs: Any) -> Any:
        """outputs (a Tensor, or a list/tuple of them) times the scale."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            return outputs * Tensor._make(np.asarray(self._scale, outputs.dtype))
        return type(outputs)(self.scale(o) for o in outputs)

    def unscale_(self, optimizer: Any) -> None:
        """Divide optimizer's gradients by the scale (once per step) and note any inf/NaN."""
        if not self._enabled:
            return
        if id(optimizer) in self._found_inf:
            raise RuntimeError("unscale_() has already been called on this optimizer since the "
                               "last update().")
        found = False
        for group in optimizer.param_groups:
            for p in group["params"]:
                if p.grad is not None:  # a new array: gradients may share theirs
                    g = p.grad.array * np.asarray(1.0 / self._scale, p.grad.dtype)
                    p.grad = Tensor._make(g)
                    found = found or not np.all(np.isfinite(g))
        self._found_inf[id(optimizer)] = found

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """optimizer.step() on the unscaled gradients, skipped if any was inf or NaN."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if id(optimizer) not in self._found_inf:
            self.unscale_(optimizer)
        return None if self._found_inf[id(optimizer)] else optimizer.step(*args, **kwargs)

    def update(self, new_scale: float | Tensor | None = None) -> None:
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale)
        elif any(self._found_inf.values()):
            self._scale *= self._backoff_factor
            self._growth_tracker = 0
        else:
            self._growth_tracker += 1
            if self._growth_tracker == self._growth_interval:
                self._scale *= self._growth_factor
                self._growth_tracker = 0
        if not math.isfinite(self._scale):
            raise RuntimeError(f"GradScaler: the scale became {self._scale}")
        self._found_inf.clear()

    def state_dict(self) -> dict[str, Any]:
        if not self._enabled:
            return {}
        return {"scale": self._scale, "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval, "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        if not self._enabled:
            return
        if not state_dict:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._scale = float(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._growth_tracker = state_dict["_growth_tracker"]


# torch.cuda.amp and torch.cpu.amp hold the same two names
sys.modules["minigrad.cuda.amp"] = sys.modules[__name__]
