"""Moving weights between minigrad and PyTorch. minigrad's state dicts use PyTorch's keys and
shapes, so converting is one call each way:

    torch_model.load_state_dict(to_torch(model.state_dict()))
    model.load_state_dict(from_torch(torch_model.state_dict()))

PyTorch is imported only when `to_torch` is called."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from minigrad.tensor import Tensor


def to_torch(state_dict: Mapping[str, Any]) -> OrderedDict:
    """A copy of a minigrad state dict with torch.Tensor values (same keys, shapes, dtypes)."""
    try:
        import torch
    except ImportError:
        raise ImportError("to_torch needs PyTorch: pip install torch") from None
    return OrderedDict((key, torch.from_numpy(np.array(_array(value, key), copy=True)))
                       for key, value in state_dict.items())


def from_torch(state_dict: Mapping[str, Any]) -> OrderedDict:
    """A copy of a PyTorch state dict with minigrad Tensor values, ready for load_state_dict."""
    out = OrderedDict()
    for key, value in state_dict.items():
        if hasattr(value, "detach") and hasattr(value, "numpy"):
            value = value.detach().cpu().numpy()
        out[key] = Tensor._make(np.array(_array(value, key), copy=True))
    return out


def _array(value: Any, key: str) -> np.ndarray:
    array = np.asarray(value.array if isinstance(value, Tensor) else value)
    if array.dtype.kind not in "biufc":
        raise TypeError(f"state dict entry {key!r} holds {array.dtype} values, not numbers")
    return array
