"""Autograd against the tutorial's hand-derived backprop, number by number.

    python -m models.compare                    # one MNIST batch of 64, float64, 10 SGD steps
    python -m models.compare --dtype float32 --batch 256 --steps 50
    python -m models.compare --draw docs        # also docs/graph.png: both gradients drawn

Loads the same weights into TwoLayerMLP (minigrad autograd) and ManualMLP (numpy, gradients by
hand), runs the same batch through both, and prints per parameter the largest absolute and
relative difference of the gradients, then of the weights after N SGD steps on each.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import optim, viz
from minigrad.data import DatasetNotFoundError
from minigrad.nn import functional as F
from models.cli import positive_float, positive_int
from models.manual_mlp import NAMES, ManualMLP, one_hot
from models.mlp import TwoLayerMLP
from models.mnist import load_mnist
from models.threads import ThreadPicker, add_threads_option

Rows = list[tuple[str, str, float, float]]


def make_pair(hidden: int, dtype: type, seed: int) -> tuple[TwoLayerMLP, ManualMLP]:
    """The two networks, holding the same weights."""
    manual = ManualMLP(hidden=hidden, seed=seed, dtype=dtype)
    model = TwoLayerMLP(hidden=hidden, dtype=dtype)
    model.load_state_dict(manual.state_dict())
    return model, manual


def autograd_gradients(model: TwoLayerMLP, X: np.ndarray, labels: np.ndarray
                       ) -> dict[str, np.ndarray]:
    """d loss / d parameter by backward(), keyed by TwoLayerMLP's parameter names."""
    model.zero_grad()
    F.cross_entropy(model(mg.tensor(X)), mg.tensor(labels)).backward()
    return {name: p.grad.numpy() for name, p in model.named_parameters()}


def manual_gradients(manual: ManualMLP, X: np.ndarray, labels: np.ndarray
                     ) -> dict[str, np.ndarray]:
    """The tutorial's formulas (samples as columns), under TwoLayerMLP's names and shapes."""
    Y = one_hot(labels, manual.params["b2"].shape[0], X.dtype)
    manual.forward(X.T)
    grads = manual.backward(Y)
    return {key: grads[name].reshape(-1) if name[0] == "b" else grads[name]
            for key, name in NAMES.items()}


def differences(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> Rows:
    """Per name: (name, shape, max |a - b|, max |a - b| / max |b|)."""
    rows = []
    for name in a:
        gap = float(np.abs(a[name] - b[name]).max())
        scale = float(np.abs(b[name]).max())
        rows.append((name, str(a[name].shape), gap, gap / scale if scale else gap))
    return rows


def train_both(model: TwoLayerMLP, manual: ManualMLP, X: np.ndarray, labels: np.ndarray,
               steps: int, lr: float) -> Rows:
    """Plain SGD on the same batch in each network; the weights' differences afterwards."""
    opt = optim.SGD(model.parameters(), lr=lr)
    Y = one_hot(labels, manual.params["b2"].shape[0], X.dtype)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(mg.tensor(X)), mg.tensor(labels)).backward()
        opt.step()
        manual.forward(X.T)
        manual.step(manual.backward(Y), lr)
    return differences(model.state_dict(), manual.state_dict())


def draw_graph(model: TwoLayerMLP, manual: ManualMLP, X: np.ndarray, labels: np.ndarray,
               folder: Path) -> Path:
    """folder/graph.png: the network's graph, each parameter's box holding its autograd gradient
    and the hand-derived one (folder/graph.dot when Graphviz is not installed)."""
    images, targets = mg.tensor(X), mg.tensor(labels)
    model.zero_grad()
    loss = F.cross_entropy(model(images), targets)
    loss.backward(retain_graph=True)
    hand = manual_gradients(manual, X, labels)
    notes = {name: f"hand-derived grad norm {np.linalg.norm(hand[name]):.4g}\n"
                   f"max |autograd - hand| {gap:.1e}"
             for name, _, gap, _ in differences({n: p.grad.numpy() for n, p in
                                                 model.named_parameters()}, hand)}
    drawing = viz.draw(loss, modules=model, params={"images": images, "labels": targets},
                       constants=True, notes=notes)
    try:
        return drawing.save(folder / "graph.png")
    except RuntimeError as e:
        print(e)
        return drawing.save(folder / "graph.dot")


def batch(size: int, dtype: type, seed: int) -> tuple[np.ndarray, np.ndarray, str]:
    """The first MNIST training images, or random images when MNIST is not found."""
    try:
        X, labels = load_mnist(limit=size)
        source = f"the first {size} MNIST training images"
    except DatasetNotFoundError:
        rng = np.random.default_rng(seed)
        X, labels = rng.random((size, 784)), rng.integers(0, 10, size)
        source = f"{size} random images (MNIST not found: set MINIGRAD_DATA to use it)"
    return X.astype(dtype), labels, source


def print_table(title: str, rows: Rows) -> None:
    print(f"\n{title}")
    print(f"{'parameter':<12}{'shape':<14}{'max abs diff':>14}{'max rel diff':>14}")
    for name, shape, gap, rel in rows:
        print(f"{name:<12}{shape:<14}{gap:>14.3e}{rel:>14.3e}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--batch", type=positive_int, default=64, help="images in the batch")
    parser.add_argument("--hidden", type=positive_int, default=256, help="hidden units")
    parser.add_argument("--steps", type=positive_int, default=10, help="SGD steps in each")
    parser.add_argument("--lr", type=positive_float, default=0.5, help="SGD learning rate")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float64",
                        help="of weights and images")
    parser.add_argument("--seed", type=int, default=0, help="initial weights")
    parser.add_argument("--draw", type=Path, metavar="DIR",
                        help="also write DIR/graph.png: the graph with both gradients")
    add_threads_option(parser)
    args = parser.parse_args(argv)
    dtype = np.dtype(args.dtype).type

    X, labels, source = batch(args.batch, dtype, args.seed)
    model, manual = make_pair(args.hidden, dtype, args.seed)
    threads = ThreadPicker(args.threads)
    threads.pick(lambda: autograd_gradients(model, X, labels))
    print(f"threads: {threads.describe()}")
    print(f"Same weights, same batch ({source}), {args.dtype}.")
    print("Relative difference = max |autograd - manual| / max |manual|.")
    print_table("Gradients: autograd (minigrad) vs hand-derived (ManualMLP)",
                differences(autograd_gradients(model, X, labels),
                            manual_gradients(manual, X, labels)))
    if args.draw is not None:
        print(f"\nwrote {draw_graph(model, manual, X, labels, args.draw)}")
    print_table(f"Weights after {args.steps} SGD steps (lr {args.lr}) in each network",
                train_both(model, manual, X, labels, args.steps, args.lr))


if __name__ == "__main__":
    main()
