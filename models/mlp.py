"""The tutorial's two-layer fully connected network, built from minigrad.nn modules."""

from __future__ import annotations

import numpy as np

from minigrad import Tensor, nn

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh}
NORMS = {"layer": nn.LayerNorm, "batch": nn.BatchNorm1d}


class TwoLayerMLP(nn.Module):
    """Linear -> [norm] -> activation -> Linear, returning logits (softmax lives in the loss).

    init_std=0.01 is the tutorial's initialisation (weights ~ N(0, 0.01^2), biases 0);
    init_std=None keeps PyTorch's default for nn.Linear."""

    def __init__(self, in_features: int = 784, hidden: int = 256, out_features: int = 10,
                 activation: str = "sigmoid", norm: str | None = None,
                 init_std: float | None = 0.01, dtype: type = np.float32) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"TwoLayerMLP: activation must be one of {sorted(ACTIVATIONS)}, "
                             f"got {activation!r}")
        if norm is not None and norm not in NORMS:
            raise ValueError(f"TwoLayerMLP: norm must be None or one of {sorted(NORMS)}, "
                             f"got {norm!r}")
        self.fc1 = nn.Linear(in_features, hidden, dtype=dtype)
        self.norm = NORMS[norm](hidden, dtype=dtype) if norm else nn.Identity()
        self.act = ACTIVATIONS[activation]()
        self.fc2 = nn.Linear(hidden, out_features, dtype=dtype)
        if init_std is not None:
            for layer in (self.fc1, self.fc2):
                nn.init.normal_(layer.weight, 0.0, init_std)
                nn.init.zeros_(layer.bias)

    def forward(self, x: Tensor) -> Tensor:
        x = x.flatten(1) if x.ndim > 2 else x
        return self.fc2(self.act(self.norm(self.fc1(x))))
