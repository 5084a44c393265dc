"""PyTorch's module path torch.utils.data.dataloader: the DataLoader and its collate functions."""

from minigrad.data.collate import default_collate, default_convert
from minigrad.data.loader import DataLoader

__all__ = ["DataLoader", "default_collate", "default_convert"]
