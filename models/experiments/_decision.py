"""Decision regions of 2-D classifiers: what the experiments on XOR and the spiral draw."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import minigrad as mg
from minigrad import nn


def classify(model: nn.Module, X: np.ndarray) -> np.ndarray:
    """Class labels: argmax of several outputs, or output >= 0.5 for one (a probability or a
    step unit's 0/1). X is cast to the model's dtype, as linear layers take no other."""
    dtype = next((p.dtype for p in model.parameters()), None)
    with mg.no_grad():
        out = model(mg.tensor(X, dtype=dtype)).numpy()
    return out.argmax(axis=1) if out.shape[1] > 1 else (out[:, 0] >= 0.5).astype(np.int64)


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of examples classified correctly (y holds integer labels)."""
    return float((classify(model, X) == np.asarray(y).reshape(-1)).mean())


def plot_decision_regions(ax: Any, predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray,
                          y: np.ndarray, title: str, margin: float = 0.5,
                          resolution: int = 300) -> None:
    """Colour the plane by predict(points) -> labels and draw the examples on top."""
    y = np.asarray(y).reshape(-1)
    n_classes = int(max(y.max(), 1)) + 1
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs = np.linspace(low[0], high[0], resolution)
    ys = np.linspace(low[1], high[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype(np.float32)
    labels = predict(points).reshape(grid_x.shape)
    levels = np.arange(n_classes + 1) - 0.5
    cmap = "coolwarm" if n_classes == 2 else "viridis"
    ax.contourf(grid_x, grid_y, labels, levels=levels, cmap=cmap, alpha=0.35)
    size = 120 if len(y) <= 8 else 25
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=0, vmax=n_classes - 1, s=size,
               edgecolors="k", linewidths=0.8)
    ax.set_title(title)
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_aspect("equal")
