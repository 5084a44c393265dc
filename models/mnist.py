"""MNIST (or Fashion-MNIST, in the same format) as flat arrays for the models: images (N, 784)
float32 in [0, 1], labels int64."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from minigrad.data import MNIST, FashionMNIST

DATASETS = {"mnist": MNIST, "fashion-mnist": FashionMNIST}
CLOTHES = FashionMNIST.classes  # Fashion-MNIST's label names, in label order


def load_mnist(data_dir: str | os.PathLike | None = None, train: bool = True,
               limit: int | None = None, name: str = "mnist") -> tuple[np.ndarray, np.ndarray]:
    """The first `limit` examples (all when None) of the training or test split of `name`
    (a key of DATASETS). data_dir, when given, is the only folder read; by default
    $MINIGRAD_DATA/<name>, the cache and (Fashion-MNIST) the Debian package's folder are
    searched."""
    images, labels, _ = load_split(data_dir, train, limit, name)
    return images, labels


def load_split(data_dir: str | os.PathLike | None = None, train: bool = True,
               limit: int | None = None, name: str = "mnist"
               ) -> tuple[np.ndarray, np.ndarray, Path]:
    """As load_mnist, and the folder the files were read from."""
    dataset = DATASETS[name](root=data_dir, train=train)
    images, labels = dataset.data.numpy(), dataset.targets.numpy()
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return images.reshape(len(images), -1), labels, dataset.folder
