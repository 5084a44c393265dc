"""Normalization: layer norm and batch norm undo the scale of their input, tame an extreme
feature, differ in how they depend on the batch, and speed up the tutorial's training.

    python -m models.experiments.normalization --out out

(a) Scale: with mean m and variance v of what is normalized, norm(k x) = (x - m) /
    sqrt(v + eps / k^2), so the gradient of the Linear after the norm is the same for x and
    k x when eps / k^2 is negligible against v: the invariance is exact only for eps = 0. With
    PyTorch's default eps = 1e-5 and inputs of unit variance it breaks for k below ~1e-2.
(b) An extreme feature: one input feature 200 times larger than the other (the tutorial's
    x2 = 200) makes the first layer's pre-activations grow in proportion, and its weight
    gradient grow too, though much less (saturated sigmoid units pass little gradient); a norm
    after the first Linear keeps both bounded.
(c) Batches: batch norm (training) normalizes an example with its batch's statistics, noisy at
    batch sizes 2 or 4; layer norm uses only the example itself; batch norm in evaluation mode
    uses running statistics, so an example's output does not depend on the rest of the batch.
(d) Training: the tutorial's network (784 -> 256 -> [norm] -> sigmoid -> 10, weights
    ~ N(0, 0.01^2)) on an MNIST subset with plain SGD, without a norm, with batch norm and with
    layer norm, each from a few seeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.data import moons
from minigrad.nn import functional as F
from models.experiments._common import integer_ticks, parse_args, pyplot, save_figure
from models.experiments.minibatch import History, train
from models.mlp import NORMS, TwoLayerMLP
from models.mnist import load_mnist
from models.train_mnist import evaluate

# settings
SCALES = (1e-3, 1e-2, 1e-1, 1e1, 1e2, 1e3)  # (a) the k in k x
EPS = {"PyTorch's default eps": 1e-5, "tiny eps": 1e-12}
FEATURE_SCALES = (1.0, 10.0, 100.0, 200.0, 1000.0)  # (b) the size of the second feature
HIDDEN = 64  # (b) hidden units of the small network on the two features
SPREAD_BATCH_SIZES = (2, 4, 16, 64)  # (c)
SPREAD_TRIALS = 50  # (c) random batches that each hold the watched example
TRAIN_SIZE, TEST_SIZE = 4000, 2000  # (d)
EPOCHS, BATCH_SIZE, LR = 4, 64, 0.5  # (d) the tutorial's batch size and learning rate
SEEDS = 3  # (d) runs per network, from other initial weights and batch orders
KINDS = (None, "batch", "layer")  # no norm, nn.BatchNorm1d, nn.LayerNorm


def kind_name(kind: str | None) -> str:
    return "no norm" if kind is None else f"{kind} norm"


# *** (a) invariance to the input's scale ***
def weight_grad_after_norm(x: np.ndarray, labels: np.ndarray, kind: str | None, eps: float,
                           seed: int = 0) -> np.ndarray:
    """dL/dW of a Linear that follows a norm of x (batch norm in training mode), float64,
    L the cross-entropy of its outputs; the same seed gives the same Linear."""
    mg.manual_seed(seed)
    norm = nn.Identity() if kind is None else NORMS[kind](x.shape[1], eps=eps, dtype=np.float64)
    linear = nn.Linear(x.shape[1], int(labels.max()) + 1, dtype=np.float64)
    F.cross_entropy(linear(norm(mg.tensor(x, dtype=np.float64))), mg.tensor(labels)).backward()
    return linear.weight.grad.array


def scale_change(x: np.ndarray, labels: np.ndarray, kind: str | None, k: float,
                 eps: float) -> float:
    """max |G(k x) - G(x)| / max |G(x)|, G the weight gradient of the Linear after the norm."""
    reference = weight_grad_after_norm(x, labels, kind, eps)
    scaled = weight_grad_after_norm(k * x, labels, kind, eps)
    return float(np.abs(scaled - reference).max() / np.abs(reference).max())


def scale_example(n: int = 32, features: int = 16, seed: int = 0
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Inputs with unit variance per example and per feature (roughly), and class labels."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, features)), rng.integers(0, 3, n)


# *** (b) one extreme input feature ***
def extreme_feature(scale: float, kind: str | None, n: int = 256, seed: int = 0
                    ) -> tuple[float, float]:
    """(max |input of the sigmoid|, ||dL/dW1||) of a fresh 2 -> HIDDEN -> [norm] -> sigmoid -> 2
    network (PyTorch's init) on the moons data with the second feature multiplied by scale."""
    X, y = moons(n, seed=seed)
    X[:, 1] *= scale
    mg.manual_seed(seed)
    model = TwoLayerMLP(2, HIDDEN, 2, norm=kind, init_std=None)
    seen = {}
    handle = model.norm.register_forward_hook(
        lambda module, inputs, output: seen.update(peak=float(np.abs(output.array).max())))
    F.cross_entropy(model(mg.tensor(X)), mg.tensor(y)).backward()
    handle.remove()
    return seen["peak"], float(np.linalg.norm(model.fc1.weight.grad.array))


# *** (c) dependence on the rest of the batch ***
@mg.no_grad()
def batch_dependence(layer: nn.Module, X: np.ndarray, batch_size: int, trials: int,
                     seed: int = 0) -> float:
    """How much the output for example X[0] moves when the other batch_size - 1 examples of its
    batch are drawn anew: the standard deviation over `trials` batches, averaged over features."""
    rng = np.random.default_rng(seed)
    outputs = []
    for _ in range(trials):
        others = 1 + rng.choice(len(X) - 1, size=batch_size - 1, replace=False)
        batch = np.concatenate([X[:1], X[others]])
        outputs.append(layer(mg.tensor(batch)).array[0])
    return float(np.std(np.array(outputs, dtype=np.float64), axis=0).mean())


@mg.no_grad()
def fit_running_stats(bn: nn.BatchNorm1d, X: np.ndarray, batch_size: int = 64,
                      passes: int = 3) -> None:
    """Update batch norm's running mean and variance over X in training mode."""
    bn.train()
    for _ in range(passes):
        for start in range(0, len(X) - batch_size + 1, batch_size):
            bn(mg.tensor(X[start:start + batch_size]))


def batch_dependence_table(X: np.ndarray, batch_sizes: tuple[int, ...], trials: int,
                           seed: int = 0) -> dict[str, dict[int, float]]:
    """batch_dependence for batch norm in training mode, in evaluation mode (after fitting its
    running statistics on X) and layer norm, at each batch size."""
    features = X.shape[1]
    bn_train, bn_eval = nn.BatchNorm1d(features), nn.BatchNorm1d(features)
    fit_running_stats(bn_eval, X)
    bn_eval.eval()
    layers = {"batch norm, training": bn_train, "batch norm, eval": bn_eval,
              "layer norm": nn.LayerNorm(features)}
    return {name: {b: batch_dependence(layer, X, b, trials, seed) for b in batch_sizes}
            for name, layer in layers.items()}


@mg.no_grad()
def hidden_preactivations(images: np.ndarray, hidden: int = 256, seed: int = 0) -> np.ndarray:
    """What the norm of the tutorial's network sees: fc1(images) for a fresh nn.Linear."""
    mg.manual_seed(seed)
    return nn.Linear(images.shape[1], hidden)(mg.tensor(images)).numpy()


# *** (d) training the tutorial's network ***
def train_with_norm(kind: str | None, X: np.ndarray, y: np.ndarray, epochs: int,
                    seed: int = 0) -> tuple[TwoLayerMLP, History]:
    mg.manual_seed(seed)
    model = TwoLayerMLP(norm=kind)
    return model, train(model, X, y, LR, BATCH_SIZE, epochs, seed)


# *** figures ***
def plot_invariance(changes: dict[str, dict[float, float]], out: Path) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
    for name, by_k in changes.items():
        ax.plot(list(by_k), list(by_k.values()), "o-", label=name)
    ax.set(xscale="log", yscale="log", xlabel="k (input scaled to k x)",
           ylabel="max |G(kx) - G(x)| / max |G(x)|",
           title="(a) change of the next layer's weight gradient")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, which="both")
    return save_figure(fig, out, "normalization_scale")


def plot_extreme_and_batch(extreme: dict[str | None, list[tuple[float, float]]],
                           spread: dict[str, dict[int, float]], out: Path) -> Path:
    plt = pyplot()
    fig, (ax_act, ax_grad, ax_spread) = plt.subplots(1, 3, figsize=(16, 4.2), layout="constrained")
    for kind, values in extreme.items():
        peaks, grads = zip(*values)
        ax_act.plot(FEATURE_SCALES, peaks, "o-", label=kind_name(kind))
        ax_grad.plot(FEATURE_SCALES, grads, "o-", label=kind_name(kind))
    ax_act.set(title="(b) max |pre-activation| entering the sigmoid", ylabel="max |z|")
    ax_grad.set(title="(b) first layer's weight gradient", ylabel="||dL/dW1||")
    for ax in (ax_act, ax_grad):
        ax.set(xscale="log", yscale="log", xlabel="scale of the second feature")
    for (name, by_size), style in zip(spread.items(), ("o-", "s--", "^:")):
        ax_spread.plot(list(by_size), list(by_size.values()), style, label=name)
    ax_spread.set(xscale="log", xlabel="batch size", xticks=SPREAD_BATCH_SIZES,
                  xticklabels=[str(b) for b in SPREAD_BATCH_SIZES],
                  ylabel="std of one example's output over batches",
                  title="(c) dependence on the rest of the batch")
    ax_spread.minorticks_off()
    for ax in (ax_act, ax_grad, ax_spread):
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3, which="both")
    return save_figure(fig, out, "normalization_extreme_and_batch")


def plot_training(histories: dict[str | None, list[History]],
                  accuracies: dict[str | None, list[float]], out: Path) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    for (kind, runs), color in zip(histories.items(), ("tab:blue", "tab:orange", "tab:green")):
        label = (f"{kind_name(kind)} (test accuracy "
                 + ", ".join(f"{a:.1f}" for a in accuracies[kind]) + "%)")
        for i, h in enumerate(runs):
            ax.plot(range(len(h.epoch_loss)), h.epoch_loss, "o-", color=color, alpha=0.8,
                    label=label if i == 0 else None)
    ax.set(yscale="log", xlabel="epoch", ylabel="training loss",
           title=f"(d) sigmoid MLP, {TRAIN_SIZE} MNIST images, SGD lr {LR}, batch {BATCH_SIZE}, "
                 f"{SEEDS} seeds")
    integer_ticks(ax)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    return save_figure(fig, out, "normalization_training")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(__doc__.splitlines()[0], argv)

    x, labels = scale_example(seed=args.seed)
    changes = {f"{kind_name(kind)}, {eps_name} ({eps:g})":
               {k: scale_change(x, labels, kind, k, eps) for k in SCALES}
               for kind in ("layer", "batch") for eps_name, eps in EPS.items()}
    changes["no norm"] = {k: scale_change(x, labels, None, k, 0.0) for k in SCALES}
    print("(a) relative change of the next Linear's weight gradient when x becomes k x:")
    print(f"{'':>44}" + "".join(f"{k:>9g}" for k in SCALES))
    for name, by_k in changes.items():
        print(f"{name:>44}" + "".join(f"{c:9.1e}" for c in by_k.values()))

    extreme = {kind: [extreme_feature(s, kind, seed=args.seed) for s in FEATURE_SCALES]
               for kind in KINDS}
    print("(b) second feature scaled by s: max |pre-activation| / ||dL/dW1||")
    print(f"{'':>12}" + "".join(f"{s:>18g}" for s in FEATURE_SCALES))
    for kind, values in extreme.items():
        print(f"{kind_name(kind):>12}" + "".join(f"{p:9.3g} /{g:7.3g}" for p, g in values))

    train_x, train_y = load_mnist(train=True, limit=TRAIN_SIZE)
    test_x, test_y = load_mnist(train=False, limit=TEST_SIZE)
    spread = batch_dependence_table(hidden_preactivations(train_x, seed=args.seed),
                                    SPREAD_BATCH_SIZES, SPREAD_TRIALS, args.seed)
    print("(c) std of one example's normalized output over random batches (MNIST fc1 outputs):")
    print(f"{'batch size':>22}" + "".join(f"{b:>9d}" for b in SPREAD_BATCH_SIZES))
    for name, by_size in spread.items():
        print(f"{name:>22}" + "".join(f"{v:9.3f}" for v in by_size.values()))

    histories: dict[str | None, list[History]] = {kind: [] for kind in KINDS}
    accuracies: dict[str | None, list[float]] = {kind: [] for kind in KINDS}
    for kind in KINDS:
        for seed in range(args.seed, args.seed + SEEDS):
            model, history = train_with_norm(kind, train_x, train_y, EPOCHS, seed)
            histories[kind].append(history)
            accuracies[kind].append(evaluate(model, test_x, test_y))
    print(f"(d) after {EPOCHS} epochs on {TRAIN_SIZE} images, seeds {args.seed}.."
          f"{args.seed + SEEDS - 1}: training loss / accuracy on {TEST_SIZE} test images")
    for kind, runs in histories.items():
        print(f"{kind_name(kind):>12}: " + ", ".join(
            f"{h.epoch_loss[-1]:.3f} / {a:.1f}%" for h, a in zip(runs, accuracies[kind])))

    plot_invariance(changes, args.out)
    plot_extreme_and_batch(extreme, spread, args.out)
    plot_training(histories, accuracies, args.out)


if __name__ == "__main__":
    main()
