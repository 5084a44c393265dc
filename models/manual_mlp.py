"""The tutorial's hand-written numpy network, kept as the reference for autograd.

Samples are columns: X is (784, m), Y one-hot (10, m), W1 (hidden, 784), b1 (hidden, 1).
    forward   Z1 = W1 X + b1, A1 = sigmoid(Z1), Z2 = W2 A1 + b2, A2 = softmax(Z2)
    loss      -(1/m) sum(Y log(A2 + 1e-9))
    backward  dZ2 = A2 - Y, dW2 = dZ2 A1^T / m, db2 = sum(dZ2) / m,
              dA1 = W2^T dZ2, dZ1 = dA1 * A1 (1 - A1), dW1 = dZ1 X^T / m, db1 = sum(dZ1) / m
    update    plain SGD
"""

from __future__ import annotations

import numpy as np

# The same parameter under minigrad/PyTorch's name (TwoLayerMLP) and the tutorial's.
NAMES = {"fc1.weight": "W1", "fc1.bias": "b1", "fc2.weight": "W2", "fc2.bias": "b2"}


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def softmax(z: np.ndarray) -> np.ndarray:
    """Column-wise softmax, shifted by each column's max so exp cannot overflow."""
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def one_hot(labels: np.ndarray, classes: int, dtype: type = np.float32) -> np.ndarray:
    """(classes, m) with a 1 in each column at its label."""
    Y = np.zeros((classes, len(labels)), dtype=dtype)
    Y[labels, np.arange(len(labels))] = 1
    return Y


class ManualMLP:
    def __init__(self, in_features: int = 784, hidden: int = 256, out_features: int = 10,
                 init_std: float = 0.01, seed: int = 0, dtype: type = np.float32) -> None:
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": (rng.standard_normal((hidden, in_features)) * init_std).astype(dtype),
            "b1": np.zeros((hidden, 1), dtype),
            "W2": (rng.standard_normal((out_features, hidden)) * init_std).astype(dtype),
            "b2": np.zeros((out_features, 1), dtype),
        }

    def forward(self, X: np.ndarray) -> np.ndarray:
        p = self.params
        self.X = X
        self.A1 = sigmoid(p["W1"] @ X + p["b1"])
        self.A2 = softmax(p["W2"] @ self.A1 + p["b2"])
        return self.A2

    @staticmethod
    def loss(A2: np.ndarray, Y: np.ndarray) -> float:
        return float(-np.sum(Y * np.log(A2 + 1e-9)) / Y.shape[1])

    def backward(self, Y: np.ndarray) -> dict[str, np.ndarray]:
        m = Y.shape[1]
        dZ2 = self.A2 - Y
        dW2 = dZ2 @ self.A1.T / m
        db2 = dZ2.sum(axis=1, keepdims=True) / m
        dA1 = self.params["W2"].T @ dZ2
        dZ1 = dA1 * self.A1 * (1 - self.A1)
        dW1 = dZ1 @ self.X.T / m
        db1 = dZ1.sum(axis=1, keepdims=True) / m
        return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    def step(self, grads: dict[str, np.ndarray], lr: float) -> None:
        for name, g in grads.items():
            self.params[name] -= lr * g

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X).argmax(axis=0)

    # *** moving weights to and from TwoLayerMLP ***
    def state_dict(self) -> dict[str, np.ndarray]:
        """The weights under TwoLayerMLP's keys and shapes (biases flattened)."""
        return {key: self.params[name].copy().reshape(-1 if name[0] == "b" else
                                                      self.params[name].shape)
                for key, name in NAMES.items()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        for key, name in NAMES.items():
            self.params[name] = np.array(state[key], dtype=self.params[name].dtype).reshape(
                self.params[name].shape)
