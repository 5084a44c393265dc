"""What every experiment shares: its command line, the figure output, and a tiny training loop."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

import minigrad as mg
from minigrad import nn, optim
from models.threads import ThreadPicker, add_threads_option, tutorial_step

T = TypeVar("T")


def parse_args(description: str, argv: list[str] | None = None,
               extra: Callable[[argparse.ArgumentParser], None] | None = None
               ) -> argparse.Namespace:
    """--out DIR (where the PNGs go), --seed and --threads, plus any experiment-specific flags;
    the thread count is set (or, auto, measured) before returning."""
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the figures")
    parser.add_argument("--seed", type=int, default=0, help="initial weights and data")
    add_threads_option(parser)
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    use_threads(args.threads)
    return args


_threads: ThreadPicker | None = None  # set by parse_args, so only when run as a script


def use_threads(setting: int | None) -> None:
    """Set the BLAS thread count; auto times a step of the tutorial's network (batch 64) at
    each count now, and MNIST training loops measure again every epoch through `tune`."""
    global _threads
    _threads = ThreadPicker(setting)
    if _threads.auto:
        _threads.pick(tutorial_step())
    print(f"threads: {_threads.describe()}")


def tune(batches: Iterable[T]) -> Iterable[T]:
    """batches, with the thread count re-measured on the first ones under --threads auto."""
    return batches if _threads is None else _threads.tune(batches)


def integer_ticks(ax: Any) -> None:
    """Whole numbers only on the x axis (epochs)."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


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
