"""Data for minigrad: IDX files, MNIST-style datasets, mini-batch loading, toy datasets."""

from minigrad.data.collate import default_collate, default_convert
from minigrad.data.datasets import MNIST, DatasetNotFoundError, FashionMNIST
from minigrad.data.idx import IDXError, read_idx, write_idx
from minigrad.data.loader import (
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    get_worker_info,
    random_split,
)
from minigrad.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
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
    "IterableDataset",
    "ConcatDataset",
    "ChainDataset",
    "StackDataset",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "Sampler",
    "SequentialSampler",
    "RandomSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "BatchSampler",
    "xor",
    "spiral",
    "moons",
    "sine",
]
