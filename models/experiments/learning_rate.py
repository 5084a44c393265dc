"""Learning rate: too small crawls, about right converges, too large blows the loss up.

    python -m models.experiments.learning_rate --out out

The tutorial's network (784 -> 256 sigmoid -> 10, weights ~ N(0, 0.01^2)) trained with plain
SGD, batch 64, for a few epochs on the first 5000 MNIST training images, from the same initial
weights at each learning rate. A run *diverged* when its final training loss is non-finite or
higher than the loss it started from (ln 10 = 2.30 for the untrained network): training made
the network worse than doing nothing.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

import minigrad as mg
from models.experiments._common import parse_args, pyplot, save_figure
from models.experiments.minibatch import History, train
from models.mlp import TwoLayerMLP
from models.mnist import load_mnist

# settings
TRAIN_SIZE = 5000  # the first images of MNIST's training split
EPOCHS = 2
BATCH_SIZE = 64
RATES = {"too small": 0.01, "about right": 0.5, "too large": 50.0}
SWEEP = (0.001, 0.01, 0.1, 0.5, 2.0, 10.0, 50.0, 200.0)
SMOOTHING = 10  # steps averaged in the plotted mini-batch loss
BARELY = 0.05  # a run whose loss fell by less than this fraction of its start barely moved


def train_at(lr: float, X: np.ndarray, y: np.ndarray, epochs: int, seed: int = 0) -> History:
    """A fresh tutorial network trained at one learning rate (same seed: same initial weights
    and batches for every rate)."""
    mg.manual_seed(seed)
    return train(TwoLayerMLP(), X, y, lr, BATCH_SIZE, epochs, seed)


def diverged(history: History) -> bool:
    """The final loss is non-finite or above the starting loss."""
    final = history.epoch_loss[-1]
    return not math.isfinite(final) or final > history.epoch_loss[0]


def verdict(history: History) -> str:
    """diverged; barely moved (the loss fell by less than BARELY of its start); or trained."""
    if diverged(history):
        return "diverged"
    start, final = history.epoch_loss[0], history.epoch_loss[-1]
    return "barely moved" if final > start * (1 - BARELY) else "trained"


def sweep(rates: tuple[float, ...], X: np.ndarray, y: np.ndarray, epochs: int,
          seed: int = 0) -> dict[float, History]:
    return {lr: train_at(lr, X, y, epochs, seed) for lr in rates}


def moving_average(values: list[float], width: int) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if len(values) < width:
        return values
    return np.convolve(values, np.ones(width) / width, mode="valid")


def plot(runs: dict[float, History], out: Path) -> Path:
    plt = pyplot()
    fig, (ax_steps, ax_sweep) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    for name, lr in RATES.items():
        smooth = moving_average(runs[lr].step_loss, SMOOTHING)
        ax_steps.plot(np.arange(len(smooth)) + SMOOTHING, smooth, label=f"{name} (lr {lr:g})")
    ax_steps.axhline(runs[RATES["about right"]].epoch_loss[0], color="gray", linestyle=":",
                     label="loss before training")
    ax_steps.set(xlabel="SGD step", ylabel=f"mini-batch loss ({SMOOTHING}-step mean)",
                 yscale="log", title=f"loss curves, batch {BATCH_SIZE}")
    rates = sorted(runs)
    finals = [runs[lr].epoch_loss[-1] for lr in rates]
    ax_sweep.plot(rates, finals, "o-")
    for name, lr in RATES.items():
        ax_sweep.annotate(name, (lr, runs[lr].epoch_loss[-1]), textcoords="offset points",
                          xytext=(4, 6), fontsize=9)
    ax_sweep.axhline(runs[rates[0]].epoch_loss[0], color="gray", linestyle=":",
                     label="loss before training (above: diverged)")
    ax_sweep.set(xscale="log", yscale="log", xlabel="learning rate",
                 ylabel=f"training loss after {EPOCHS} epochs", title="final loss against lr")
    for ax in (ax_steps, ax_sweep):
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3, which="both")
    return save_figure(fig, out, "learning_rate")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(__doc__.splitlines()[0], argv)
    X, y = load_mnist(train=True, limit=TRAIN_SIZE)
    runs = sweep(tuple(sorted(set(SWEEP) | set(RATES.values()))), X, y, EPOCHS, args.seed)
    print(f"{'lr':>7}  {'start':>6}  {'final':>8}  {'worst step':>10}  verdict")
    for lr, h in runs.items():
        names = [name for name, rate in RATES.items() if rate == lr]
        line = (f"{lr:7g}  {h.epoch_loss[0]:6.3f}  {h.epoch_loss[-1]:8.3f}  "
                f"{max(h.step_loss):10.3g}  {verdict(h):<12}")
        print(f"{line}  <- the plot's {names[0]!r}" if names else line.rstrip())
    plot(runs, args.out)


if __name__ == "__main__":
    main()
