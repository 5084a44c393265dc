"""Small synthetic datasets for quick experiments, deterministic from ``seed``.

Each returns ``(X, y)`` as numpy: ``X`` float32 of shape (n, d); ``y`` int64 class labels of
shape (n,) for classification, float32 targets of shape (n, 1) for regression.
"""

from __future__ import annotations

import math

import numpy as np

from minigrad.data._checks import check_non_negative, check_positive_int

XOR_POINTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)


def xor(n: int | None = None, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """XOR of two bits: X float32 (n, 2), y int64 (n,) with y = x0 xor x1.

    ``n=None`` gives the four exact corners with labels 0, 1, 1, 0; otherwise ``n`` corners
    drawn at random, moved by Gaussian noise of standard deviation ``noise``.
    """
    if n is None:
        return XOR_POINTS.copy(), np.array([0, 1, 1, 0], dtype=np.int64)
    check_positive_int("xor", "n", n)
    check_non_negative("xor", "noise", noise)
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(n, 2))
    X = corners + noise * rng.standard_normal((n, 2))
    return X.astype(np.float32), (corners[:, 0] ^ corners[:, 1]).astype(np.int64)


def spiral(
    n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms (CS231n): X float32 (n_per_class * n_classes, 2) within about
    [-1, 1], y int64 with ``n_per_class`` examples of each class, ordered by class.

    Arm k is ``r * (sin t, cos t)`` for r in [0, 1] and t in [4k, 4k + 4] plus noise on t.
    """
    check_positive_int("spiral", "n_per_class", n_per_class)
    check_positive_int("spiral", "n_classes", n_classes)
    check_non_negative("spiral", "noise", noise)
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    y = np.repeat(np.arange(n_classes, dtype=np.int64), n_per_class)
    start = np.linspace(0.0, 4.0, n_per_class)
    theta = np.tile(start, n_classes) + 4.0 * y + noise * rng.standard_normal(y.shape)
    X = radius[:, None] * np.stack([np.sin(theta), np.cos(theta)], axis=1)
    return X.astype(np.float32), y


def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: X float32 (n, 2), y int64 (n,), class 0 the upper moon
    (n - n // 2 points), class 1 the lower (n // 2), Gaussian noise of std ``noise``."""
    check_positive_int("moons", "n", n)
    check_non_negative("moons", "noise", noise)
    rng = np.random.default_rng(seed)
    n_lower = n // 2
    n_upper = n - n_lower
    t_upper = np.linspace(0.0, math.pi, n_upper)
    t_lower = np.linspace(0.0, math.pi, n_lower)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)
    lower = np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n_upper, np.int64), np.ones(n_lower, np.int64)])
    return X.astype(np.float32), y


def sine(
    n: int = 200,
    low: float = -math.pi,
    high: float = math.pi,
    noise: float = 0.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Regression of y = sin(x) + noise: X float32 (n, 1) drawn uniformly from [low, high)
    and sorted, y float32 (n, 1)."""
    check_positive_int("sine", "n", n)
    check_non_negative("sine", "noise", noise)
    if not low < high:
        raise ValueError(f"sine: low must be < high, got low={low}, high={high}")
    rng = np.random.default_rng(seed)
    X = np.sort(rng.uniform(low, high, size=(n, 1)), axis=0)
    y = np.sin(X) + noise * rng.standard_normal((n, 1))
    return X.astype(np.float32), y.astype(np.float32)
