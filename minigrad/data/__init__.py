"""Data for minigrad: IDX files, MNIST-style datasets, mini-batch loading, toy datasets."""

from minigrad.data.datasets import MNIST, DatasetNotFoundError, FashionMNIST
from minigrad.data.idx import IDXError, read_idx, write_idx
from minigrad.data.loader import DataLoader, Dataset, Subset, TensorDataset, random_split
from minigrad.data.synthetic import moons, sine, spiral, xor

__all__ = [
    "read_idx",
    "write_idx",
    "IDXError",
    "MNIST",
    "FashionMNIST",
    "DatasetNotFoundError",
    "Dataset",
    "TensorDataset",
    "Subset",
    "random_split",
    "DataLoader",
    "xor",
    "spiral",
    "moons",
    "sine",
]
