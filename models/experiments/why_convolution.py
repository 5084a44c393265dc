"""Why convolution: a CNN with a third of the MLP's parameters, more robust to shifted digits.

A CNN with under a third of the two-layer MLP's parameters beats it on MNIST, and keeps much
more of its accuracy when the test digits are shifted by a few pixels.

    python -m models.experiments.why_convolution --out out

Both networks train on the same images with the same optimizer (Adam, lr 1e-3, batch 64):
the tutorial's two-layer MLP (784 -> 256 relu -> 10, 203,530 parameters) and LeNet
(conv-pool-conv-pool-dense, 61,706 parameters). Then each is tested on the test digits as they
are and moved by 1 to 4 pixels (left, right, up and down, the accuracy averaged over the four;
the pixels that come in are blank).

Why the gap under shifts: a dense layer gives every pixel its own weight, so a digit moved by
two pixels meets weights that never saw it there; a convolution applies the same small filter
at every position (a shifted input gives a shifted feature map), and max pooling forgets
where within its 2x2 window a feature was. The MLP has to learn each position separately from
the examples it saw; the CNN has the shift built in.

Figures: accuracy against shift (why_convolution_shift.png) and the CNN's six learned
first-layer 5x5 filters next to six of the MLP's 28x28 first-layer weight images
(why_convolution_filters.png).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import DataLoader, TensorDataset
from minigrad.nn import functional as F
from models.experiments._common import parse_args, pyplot, save_figure, tune
from models.lenet import LeNet
from models.mlp import TwoLayerMLP
from models.mnist import load_mnist
from models.train_mnist import evaluate

# settings
TRAIN_SIZE, TEST_SIZE = 20_000, 10_000
EPOCHS, BATCH_SIZE, LR = 3, 64, 1e-3
SHIFTS = (0, 1, 2, 3, 4)  # pixels
DIRECTIONS = ((0, 1), (0, -1), (1, 0), (-1, 0))  # (rows, columns): right, left, down, up


def make_networks(seed: int) -> dict[str, nn.Module]:
    mg.manual_seed(seed)
    return {"MLP": TwoLayerMLP(hidden=256, activation="relu", init_std=None), "CNN": LeNet()}


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def train(model: nn.Module, images: np.ndarray, labels: np.ndarray, epochs: int = EPOCHS,
          seed: int = 0) -> nn.Module:
    """Adam on mini-batches of the flat images (N, 784); both networks take that shape."""
    opt = optim.Adam(model.parameters(), lr=LR)
    for epoch in range(epochs):
        loader = DataLoader(TensorDataset(images, labels), batch_size=BATCH_SIZE, shuffle=True,
                            seed=seed * 1000 + epoch)
        for x, y in tune(loader):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model


def shifted(images: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Flat 28x28 images moved by (rows, cols) pixels, blank where nothing moved in."""
    square = images.reshape(-1, 28, 28)
    out = np.zeros_like(square)
    h, w = 28 - abs(rows), 28 - abs(cols)
    out[:, max(rows, 0):max(rows, 0) + h, max(cols, 0):max(cols, 0) + w] = \
        square[:, max(-rows, 0):max(-rows, 0) + h, max(-cols, 0):max(-cols, 0) + w]
    return out.reshape(images.shape)


def accuracy_under_shift(model: nn.Module, images: np.ndarray, labels: np.ndarray,
                         pixels: int) -> float:
    """Test accuracy (%) with every image moved by `pixels`, averaged over the four directions."""
    if pixels == 0:
        return evaluate(model, images, labels)
    return float(np.mean([evaluate(model, shifted(images, r * pixels, c * pixels), labels)
                          for r, c in DIRECTIONS]))


@dataclass
class Result:
    parameters: dict[str, int]
    accuracy: dict[str, list[float]]  # network -> accuracy at each of SHIFTS
    networks: dict[str, nn.Module]


def run(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray,
        epochs: int = EPOCHS, seed: int = 0) -> Result:
    networks = make_networks(seed)
    for model in networks.values():
        train(model, train_x, train_y, epochs, seed)
    return Result({name: parameter_count(m) for name, m in networks.items()},
                  {name: [accuracy_under_shift(m, test_x, test_y, s) for s in SHIFTS]
                   for name, m in networks.items()}, networks)


def plot_shift(result: Result, out: Path) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for name, values in result.accuracy.items():
        ax.plot(SHIFTS, values, marker="o",
                label=f"{name} ({result.parameters[name]:,} parameters)")
    ax.set(xlabel="shift of the test digits (pixels)", ylabel="test accuracy (%)",
           title="Accuracy on shifted test digits", xticks=SHIFTS, ylim=(0, 100))
    ax.legend()
    ax.grid(alpha=0.3)
    return save_figure(fig, out, "why_convolution_shift")


def plot_filters(result: Result, out: Path) -> Path:
    """The CNN's first-layer filters and, for contrast, six of the MLP's first-layer weights."""
    plt = pyplot()
    filters = result.networks["CNN"].conv1.weight.array[:, 0]
    dense = result.networks["MLP"].fc1.weight.array[:len(filters)].reshape(-1, 28, 28)
    fig, axes = plt.subplots(2, len(filters), figsize=(1.6 * len(filters), 3.6))
    for ax, image in zip(axes[0], filters, strict=True):
        limit = np.abs(image).max()
        ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.axis("off")
    for ax, image in zip(axes[1], dense, strict=True):
        limit = np.abs(image).max()
        ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.axis("off")
    axes[0][0].set_title("CNN: 5x5 filters, each applied at every position", loc="left",
                         fontsize=9)
    axes[1][0].set_title("MLP: 28x28 weights of six hidden units, one per pixel", loc="left",
                         fontsize=9)
    return save_figure(fig, out, "why_convolution_filters")


def main(argv: list[str] | None = None) -> Result:
    args = parse_args(__doc__.splitlines()[0], argv)
    train_x, train_y = load_mnist(train=True, limit=TRAIN_SIZE)
    test_x, test_y = load_mnist(train=False, limit=TEST_SIZE)
    result = run(train_x, train_y, test_x, test_y, seed=args.seed)
    print(f"{EPOCHS} epochs on {len(train_x)} training images; accuracy (%) on {len(test_x)} "
          "test images shifted by k pixels (mean of 4 directions)")
    print(f"{'network':<8}{'parameters':>12}" + "".join(f"{f'k={s}':>8}" for s in SHIFTS))
    for name, values in result.accuracy.items():
        print(f"{name:<8}{result.parameters[name]:>12,}" + "".join(f"{v:8.2f}" for v in values))
    plot_shift(result, args.out)
    plot_filters(result, args.out)
    return result


if __name__ == "__main__":
    main()
