"""PyTorch's module path torch.utils.data.dataset: the dataset classes and random_split."""

from minigrad.data.loader import *  # noqa: F403
from minigrad.data.loader import __all__  # noqa: F401
