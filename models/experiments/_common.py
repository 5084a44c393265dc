"""What every experiment shares: its command line, the figure output, and a tiny training loop."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import minigrad as mg
from minigrad import nn, optim


def parse_args(description: str, argv: list[str] | None = None,
               extra: Callable[[argparse.ArgumentParser], None] | None = None
               ) -> argparse.Namespace:
    """--out DIR (where the PNGs go) and --seed, plus any experiment-specific flags."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the figures")
    parser.add_argument("--seed", type=int, default=0)
    if extra is not None:
        extra(parser)
    return parser.parse_args(argv)


def pyplot() -> Any:
    """matplotlib's pyplot on the file-only backend, or a clear error naming the extra."""
    try:
        import matplotlib
    except ImportError:
        raise SystemExit("this experiment draws figures with matplotlib: "
                         'pip install -e ".[plot]"') from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, out: Path, name: str) -> Path:
    """Write fig as out/name.png (creating out) and close it; returns the path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    print(f"wrote {os.fspath(path)}")
    return path


def fit(model: nn.Module, X: np.ndarray, y: np.ndarray, loss_fn: Callable, epochs: int,
        lr: float, optimizer: str = "sgd") -> list[float]:
    """Full-batch training; returns the loss after each step."""
    opt = (optim.SGD if optimizer == "sgd" else optim.Adam)(model.parameters(), lr=lr)
    inputs, targets = mg.tensor(X), mg.tensor(y)
    losses = []
    for _ in range(epochs):
        loss = loss_fn(model(inputs), targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
