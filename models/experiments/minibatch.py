"""Mini-batches: many cheap, noisy steps per epoch beat one exact full-batch step, per epoch and
per second; and the noise of a mini-batch gradient shrinks like 1/B as the batch grows.

    python -m models.experiments.minibatch --out out

The tutorial's network (784 -> 256 sigmoid -> 10, weights ~ N(0, 0.01^2)) is trained with plain
SGD at one learning rate on the first 5000 MNIST training images: once with the whole set as a
single batch (gradient descent), once with batches of 64 and once with 32.

The spread: a mini-batch of B of the N examples, drawn without replacement, gives the gradient
g_B, an unbiased estimate of the full gradient g, with

    E ||g_B - g||^2 = tr(S) / B * (N - B) / (N - 1)

where S is the covariance of the per-example gradients. So B ||g_B - g||^2 / ((N - B) / (N - 1))
should be the same number, tr(S), for every B.

Wall time depends on the machine: on a busy one, OpenBLAS's threads can make the small matrix
products of batch 32 or 64 many times slower; `--threads auto` (the default) measures which
thread count is fastest and re-checks every epoch.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import DataLoader, TensorDataset
from minigrad.nn import functional as F
from models.experiments._common import integer_ticks, parse_args, pyplot, save_figure, tune
from models.mlp import TwoLayerMLP
from models.mnist import load_mnist

# settings
TRAIN_SIZE = 5000  # the first images of MNIST's training split
LR = 0.5  # the tutorial's learning rate, the same for every batch size
BATCH_SIZES = {"full batch": TRAIN_SIZE, "batch 64": 64, "batch 32": 32}
EPOCHS = {"full batch": 40, "batch 64": 5, "batch 32": 5}  # GD gets more epochs: they are cheap
SPREAD_BATCH_SIZES = (8, 32, 128, 512)
SPREAD_DRAWS = 40  # mini-batches drawn per batch size


@dataclass
class History:
    """A training run: the loss on the whole training set before training and after each
    epoch, the training time (evaluation excluded) at the same points, every step's loss."""

    epoch_loss: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)


@mg.no_grad()
def dataset_loss(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy on (X, y), in evaluation mode (batch norm uses running statistics)."""
    model.eval()
    loss = F.cross_entropy(model(mg.tensor(X)), mg.tensor(y)).item()
    model.train()
    return loss


def train(model: nn.Module, X: np.ndarray, y: np.ndarray, lr: float, batch_size: int,
          epochs: int, seed: int = 0) -> History:
    """Plain mini-batch SGD on cross-entropy, reshuffling every epoch; every step sees exactly
    batch_size examples (a last, smaller batch is dropped). Stops early if the loss becomes
    non-finite."""
    opt = optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True,
                        drop_last=True, seed=seed)
    history = History(epoch_loss=[dataset_loss(model, X, y)], seconds=[0.0])
    for _ in range(epochs):
        began = time.perf_counter()
        for images, labels in tune(loader):
            loss = F.cross_entropy(model(images), labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
            history.step_loss.append(loss.item())
        history.seconds.append(history.seconds[-1] + time.perf_counter() - began)
        history.epoch_loss.append(dataset_loss(model, X, y))
        if not math.isfinite(history.epoch_loss[-1]):
            break
    return history


def flat_gradient(model: nn.Module, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d(mean cross-entropy on X)/d(every parameter), concatenated into one vector."""
    params = list(model.parameters())
    loss = F.cross_entropy(model(mg.tensor(X)), mg.tensor(y))
    return np.concatenate([g.array.ravel() for g in mg.grad(loss, params)])


def gradient_spread(model: nn.Module, X: np.ndarray, y: np.ndarray,
                    batch_sizes: tuple[int, ...], draws: int, seed: int = 0) -> dict[int, float]:
    """For each B: the mean over `draws` random mini-batches of ||g_B - g||^2, where g is the
    gradient on all of X and g_B on B examples drawn without replacement."""
    full = flat_gradient(model, X, y)
    rng = np.random.default_rng(seed)
    spread = {}
    for batch_size in batch_sizes:
        distances = []
        for _ in range(draws):
            index = rng.choice(len(X), size=batch_size, replace=False)
            distances.append(np.sum((flat_gradient(model, X[index], y[index]) - full) ** 2))
        spread[batch_size] = float(np.mean(distances))
    return spread


def gradient_variance(spread: dict[int, float], n: int) -> dict[int, float]:
    """tr(S) estimated from each batch size: B * spread / ((n - B) / (n - 1)). Constant in B
    exactly when the spread falls like 1/B (with the correction for drawing from n)."""
    return {b: b * s * (n - 1) / (n - b) for b, s in spread.items()}


def run_all(X: np.ndarray, y: np.ndarray, seed: int) -> dict[str, History]:
    """Train one fresh network per entry of BATCH_SIZES, all from the same initial weights."""
    histories = {}
    for name, batch_size in BATCH_SIZES.items():
        mg.manual_seed(seed)
        histories[name] = train(TwoLayerMLP(), X, y, LR, min(batch_size, len(X)), EPOCHS[name],
                                seed)
    return histories


def plot_curves(histories: dict[str, History], out: Path) -> Path:
    plt = pyplot()
    fig, (ax_epoch, ax_time) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    for name, h in histories.items():
        ax_epoch.plot(range(len(h.epoch_loss)), h.epoch_loss, marker=".", label=name)
        ax_time.plot(h.seconds, h.epoch_loss, marker=".", label=name)
    ax_epoch.set(xlabel="epoch", ylabel="training loss", yscale="log",
                 title=f"loss per epoch (SGD, lr {LR}, {TRAIN_SIZE} MNIST images)")
    integer_ticks(ax_epoch)
    ax_time.set(xlabel="training time (s)", ylabel="training loss", yscale="log",
                title="loss against wall time")
    for ax in (ax_epoch, ax_time):
        ax.legend()
        ax.grid(alpha=0.3, which="both")
    return save_figure(fig, out, "minibatch_curves")


def plot_spread(spread: dict[int, float], out: Path) -> Path:
    plt = pyplot()
    sizes = np.array(list(spread))
    values = np.array(list(spread.values()))
    fig, ax = plt.subplots(figsize=(5.5, 4), layout="constrained")
    ax.plot(sizes, values, "o-", label="measured")
    ax.plot(sizes, values[0] * sizes[0] / sizes, "--", color="gray", label="1/B from the first")
    ax.set(xscale="log", yscale="log", xlabel="batch size B",
           ylabel="mean ||g_B - g||^2", title="mini-batch gradient spread around the full one")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    return save_figure(fig, out, "minibatch_gradient_spread")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(__doc__.splitlines()[0], argv)
    X, y = load_mnist(train=True, limit=TRAIN_SIZE)
    histories = run_all(X, y, args.seed)
    print(f"{'run':>10}  {'epochs':>6}  {'steps':>5}  {'final loss':>10}  {'seconds':>7}")
    for name, h in histories.items():
        print(f"{name:>10}  {len(h.epoch_loss) - 1:6d}  {len(h.step_loss):5d}  "
              f"{h.epoch_loss[-1]:10.4f}  {h.seconds[-1]:7.2f}")
    full, minibatch = histories["full batch"], histories["batch 64"]
    reached = next((t for t, loss in zip(full.seconds, full.epoch_loss)
                    if loss <= minibatch.epoch_loss[1]), None)
    print(f"batch 64 reaches loss {minibatch.epoch_loss[1]:.3f} after 1 epoch "
          f"({minibatch.seconds[1]:.2f} s); full-batch GD "
          + (f"after {reached:.2f} s" if reached is not None else
             f"not within its {len(full.epoch_loss) - 1} epochs ({full.seconds[-1]:.2f} s)"))

    mg.manual_seed(args.seed)
    model = TwoLayerMLP()
    train(model, X, y, LR, 64, 1, args.seed)  # measure the spread a little into training
    spread = gradient_spread(model, X, y, SPREAD_BATCH_SIZES, SPREAD_DRAWS, args.seed)
    variance = gradient_variance(spread, len(X))
    print(f"gradient spread after 1 epoch at batch 64 ({SPREAD_DRAWS} draws per size):")
    for b in spread:
        print(f"  B = {b:4d}: mean ||g_B - g||^2 = {spread[b]:.3e}, "
              f"B * spread / (finite-sample factor) = {variance[b]:.3e}")
    plot_curves(histories, args.out)
    plot_spread(spread, args.out)


if __name__ == "__main__":
    main()
