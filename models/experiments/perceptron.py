"""Rosenblatt's perceptron learns AND and OR but never XOR: no line separates XOR's points.

    python -m models.experiments.perceptron --out out

The perceptron outputs step(w.x + b) (1 where w.x + b >= 0) and, on each mistake, moves its
line toward the example: w += lr (y - y_hat) x, b += lr (y - y_hat). On linearly separable data
it stops making mistakes after finitely many updates (the perceptron convergence theorem); on
XOR it cycles for ever, because the four inequalities that would classify XOR contradict:

    (0,0) -> 0: b < 0            (0,1) -> 1: w2 + b >= 0
    (1,1) -> 0: w1 + w2 + b < 0  (1,0) -> 1: w1 + b >= 0

Adding the two on the right gives w1 + w2 + 2b >= 0, so w1 + w2 + b >= -b > 0: a contradiction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad.data import xor
from models.experiments._common import parse_args, pyplot, save_figure

# settings
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}
EPOCHS = 100  # passes over the four examples
LR = 0.1
INIT_SCALE = 0.5  # initial weights and bias uniform in +-INIT_SCALE
SEEDS = 100  # runs per gate in the summary (each seed: other initial weights, other orders)
GRID = np.linspace(-2.0, 2.0, 41)  # every w1, w2, b tried when looking for a separating line


@dataclass
class PerceptronRun:
    weight: np.ndarray  # (2,), the final w
    bias: float
    mistakes: list[int]  # mistakes made during each epoch
    best_accuracy: float  # highest accuracy on the four points of any (w, b) visited
    best_line: tuple[np.ndarray, float]  # the first (w, b) that reached it

    @property
    def converged_epoch(self) -> int | None:
        """The first epoch without a mistake (1-based), or None if there was none."""
        return self.mistakes.index(0) + 1 if 0 in self.mistakes else None


def gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The four corners of the unit square and the gate's truth table as float labels."""
    X, _ = xor()
    return X, np.array(GATES[name], dtype=np.float32)


def predict(weight: mg.Tensor, bias: mg.Tensor, X: mg.Tensor) -> mg.Tensor:
    """step(X w + b): 1 where the point is on or above the line, else 0."""
    return mg.heaviside(X @ weight + bias, mg.tensor(1.0))


def accuracy(weight: mg.Tensor, bias: mg.Tensor, X: mg.Tensor, y: mg.Tensor) -> float:
    return (predict(weight, bias, X) == y).float().mean().item()


def train_perceptron(X: np.ndarray, y: np.ndarray, epochs: int = EPOCHS, lr: float = LR,
                     seed: int = 0) -> PerceptronRun:
    """Rosenblatt's rule, one example at a time in a fresh random order each epoch; stops after
    the first epoch without a mistake."""
    rng = np.random.default_rng(seed)
    weight = mg.tensor(rng.uniform(-INIT_SCALE, INIT_SCALE, size=2).astype(np.float32))
    bias = mg.tensor(np.float32(rng.uniform(-INIT_SCALE, INIT_SCALE)))
    inputs, targets = mg.tensor(X), mg.tensor(y)
    mistakes: list[int] = []
    best_accuracy = accuracy(weight, bias, inputs, targets)
    best_line = (weight.numpy().copy(), bias.item())
    for _ in range(epochs):
        n_mistakes = 0
        for i in rng.permutation(len(X)):
            error = targets[i] - predict(weight, bias, inputs[i])
            if error.item() != 0:
                weight = weight + lr * error * inputs[i]
                bias = bias + lr * error
                n_mistakes += 1
                now = accuracy(weight, bias, inputs, targets)
                if now > best_accuracy:
                    best_accuracy = now
                    best_line = (weight.numpy().copy(), bias.item())
        mistakes.append(n_mistakes)
        if n_mistakes == 0:
            break
    return PerceptronRun(weight.numpy().copy(), bias.item(), mistakes, best_accuracy, best_line)


def best_line_accuracy(X: np.ndarray, y: np.ndarray, grid: np.ndarray = GRID) -> float:
    """The highest accuracy of step(w.x + b) over every (w1, w2, b) on grid^3."""
    w1, w2, b = np.meshgrid(grid, grid, grid, indexing="ij")
    lines = np.stack([w1.ravel(), w2.ravel(), b.ravel()], axis=1)  # (n_lines, 3)
    outputs = (lines[:, :2] @ X.T + lines[:, 2:] >= 0).astype(np.float32)  # (n_lines, 4)
    return float((outputs == y).mean(axis=1).max())


def summarize(name: str, seeds: int = SEEDS, epochs: int = EPOCHS) -> dict[str, float]:
    """Over many seeds: how many converged, the latest epoch of convergence, and the best
    accuracy ever reached."""
    X, y = gate(name)
    runs = [train_perceptron(X, y, epochs, seed=seed) for seed in range(seeds)]
    epochs_needed = [r.converged_epoch for r in runs if r.converged_epoch is not None]
    return {"converged": len(epochs_needed), "runs": seeds,
            "max_epochs": max(epochs_needed, default=0),
            "best_accuracy": max(r.best_accuracy for r in runs),
            "best_line_accuracy": best_line_accuracy(X, y)}


def plot_lines(runs: dict[str, PerceptronRun], out: Path) -> Path:
    """The four points and each gate's final line, the side where it outputs 1 shaded; where
    training never converged, also the best line it visited (dashed)."""
    plt = pyplot()
    fig, axes = plt.subplots(1, len(runs), figsize=(4 * len(runs), 4.4))
    xs = np.linspace(-0.5, 1.5, 200)
    grid_x, grid_y = np.meshgrid(xs, xs)
    for ax, (name, run) in zip(axes, runs.items()):
        X, y = gate(name)
        z = run.weight[0] * grid_x + run.weight[1] * grid_y + run.bias
        ax.contourf(grid_x, grid_y, z >= 0, levels=[-0.5, 0.5, 1.5],
                    colors=["white", "tab:orange"], alpha=0.25)
        ax.contour(grid_x, grid_y, z, levels=[0], colors="k")
        title = f"{name}: converged in epoch {run.converged_epoch}, 4/4 correct"
        if run.converged_epoch is None:
            (w1, w2), b = run.best_line
            ax.contour(grid_x, grid_y, w1 * grid_x + w2 * grid_y + b, levels=[0], colors="k",
                       linestyles="dashed")
            correct = int(((X @ run.weight + run.bias >= 0) == y).sum())
            title = (f"{name}: no convergence in {len(run.mistakes)} epochs\n"
                     f"final line {correct}/4 correct, best (dashed) "
                     f"{round(4 * run.best_accuracy)}/4")
        for label, marker in ((0, "o"), (1, "s")):
            ax.scatter(*X[y == label].T, marker=marker, s=150, edgecolors="k",
                       c="tab:orange" if label else "white", label=f"y = {label}", zorder=3)
        ax.set_title(title, fontsize=10)
        ax.set_xlim(-0.5, 1.5)
        ax.set_ylim(-0.5, 1.5)
        ax.set_aspect("equal")
        ax.set_xlabel("x1")
    axes[0].set_ylabel("x2")
    axes[0].legend(loc="upper left")
    fig.suptitle("Perceptron: the line w.x + b = 0 after training (shaded: output 1)", y=0.98)
    return save_figure(fig, out, "perceptron_lines")


def plot_mistakes(runs: dict[str, PerceptronRun], out: Path) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for name, run in runs.items():
        ax.plot(range(1, len(run.mistakes) + 1), run.mistakes, marker=".", label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel("mistakes in the epoch")
    ax.set_xscale("log")
    ax.legend()
    ax.set_title("Perceptron mistakes per epoch: AND and OR reach 0, XOR never does")
    return save_figure(fig, out, "perceptron_mistakes")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(__doc__.splitlines()[0], argv)
    runs = {name: train_perceptron(*gate(name), seed=args.seed) for name in GATES}
    for name, run in runs.items():
        w, b = run.weight, run.bias
        print(f"seed {args.seed} {name:>3}: w = ({w[0]:+.2f}, {w[1]:+.2f}), b = {b:+.2f}, "
              f"epochs run {len(run.mistakes)}, converged epoch {run.converged_epoch}, "
              f"best accuracy {run.best_accuracy:.2f}")
    print(f"\nover {SEEDS} seeds, {EPOCHS} epochs at most:")
    for name in GATES:
        s = summarize(name)
        latest = f" (the latest in epoch {s['max_epochs']})" if s["converged"] else ""
        print(f"  {name:>3}: converged {s['converged']}/{s['runs']}{latest}, best accuracy "
              f"ever {s['best_accuracy']:.2f}; best line on a {len(GRID)}^3 grid of "
              f"(w1, w2, b): {s['best_line_accuracy']:.2f}")
    print("XOR: no line separates (0,1), (1,0) from (0,0), (1,1); at most 3 of 4 are right.")
    plot_lines(runs, args.out)
    plot_mistakes(runs, args.out)


if __name__ == "__main__":
    main()
