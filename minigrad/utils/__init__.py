"""PyTorch's `torch.utils.data` path: `minigrad.utils.data` is `minigrad.data`."""

import sys

from minigrad import data

sys.modules[__name__ + ".data"] = data

__all__ = ["data"]
