"""PyTorch's `torch.utils.data` path: `minigrad.utils.data` is `minigrad.data`; and
`torch.utils.checkpoint` (which recomputes nothing here)."""

import sys

from minigrad import data
from minigrad.utils import checkpoint

sys.modules[__name__ + ".data"] = data

__all__ = ["checkpoint", "data"]
