"""Without activations, depth buys nothing: stacked linear layers are one linear layer.

    python -m models.experiments.linear_collapse --out out

W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2), so any stack of nn.Linear layers computes the
same function as the single layer with W' = W2 W1 and b' = W2 b1 + b2. Its decision boundary is
a line, and no line separates XOR: a deep network with no activation cannot fit XOR, while the
same depth with sigmoid or ReLU between the layers can.

What we measure: trained with the binary cross-entropy, the linear network ends at the best a
linear model can do on XOR, p = 0.5 at all four points (loss ln 2 = 0.693). Its outputs then sit
within rounding error of 0.5, so which side of 0.5 each lands on, and with it the "accuracy", is
rounding noise: we saw 25% to 75% across seeds, and once, in float32, even 100%. In exact
arithmetic an affine f has f(0,1) + f(1,0) = f(0,0) + f(1,1), so at most 3 of the 4 points are
classified right. We train in float64 to keep that noise small.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.data import xor
from models.experiments._common import fit, parse_args, pyplot, save_figure
from models.experiments._decision import accuracy, classify, plot_decision_regions

# settings
DEPTH = 4  # nn.Linear layers: 2 -> 8 -> 8 -> 8 -> 1
WIDTH = 8
ACTIVATIONS: dict[str, type[nn.Module] | None] = {
    "none": None, "sigmoid": nn.Sigmoid, "relu": nn.ReLU}
EPOCHS = 1000
LR = 0.01  # Adam
SEEDS = 5
DTYPE = np.float64


def collapse(layers: list[nn.Linear]) -> nn.Linear:
    """The single nn.Linear equal to applying layers in order: fold W' = W2 W1, b' = W2 b1 + b2
    from the first layer up."""
    weight = layers[0].weight.array
    bias = layers[0].bias.array
    for layer in layers[1:]:
        weight = layer.weight.array @ weight
        bias = layer.weight.array @ bias + layer.bias.array
    single = nn.Linear(layers[0].in_features, layers[-1].out_features, dtype=weight.dtype)
    single.load_state_dict({"weight": weight, "bias": bias})
    return single


def linear_layers(model: nn.Sequential) -> list[nn.Linear]:
    return [m for m in model if isinstance(m, nn.Linear)]


def deep_mlp(activation: type[nn.Module] | None, depth: int = DEPTH, width: int = WIDTH
             ) -> nn.Sequential:
    """depth nn.Linear layers from 2 inputs to 1 output, the activation (if any) after each
    hidden one, and a sigmoid on the output so that it is a probability."""
    sizes = [2] + [width] * (depth - 1)
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers.append(nn.Linear(n_in, n_out, dtype=DTYPE))
        if activation is not None:
            layers.append(activation())
    layers += [nn.Linear(sizes[-1], 1, dtype=DTYPE), nn.Sigmoid()]
    return nn.Sequential(*layers)


def xor_data() -> tuple[np.ndarray, np.ndarray]:
    X, y = xor()
    return X.astype(DTYPE), y


def train_on_xor(activation: type[nn.Module] | None, seed: int, epochs: int = EPOCHS
                 ) -> tuple[nn.Sequential, list[float]]:
    """A deep_mlp trained on XOR's four points; returns it and its loss after each step."""
    mg.manual_seed(seed)
    model = deep_mlp(activation)
    X, y = xor_data()
    losses = fit(model, X, y.astype(DTYPE)[:, None], nn.BCELoss(), epochs, LR, "adam")
    return model, losses


def distance_from_half(model: nn.Module) -> float:
    """max |p - 0.5| over the four points: 0 for a network that outputs 0.5 everywhere."""
    X, _ = xor_data()
    with mg.no_grad():
        return float(np.abs(model(mg.tensor(X)).numpy() - 0.5).max())


def plot_results(models: dict[str, nn.Sequential], losses: dict[str, list[float]],
                 out: Path) -> Path:
    """Decision regions of each network (seed 0) and the loss curves of every seed."""
    plt = pyplot()
    X, y = xor_data()
    fig, axes = plt.subplots(1, len(models) + 1, figsize=(4 * (len(models) + 1), 4),
                             layout="constrained")
    for ax, (name, model) in zip(axes, models.items()):
        title = f"activation: {name}\naccuracy {accuracy(model, X, y):.0%}"
        if name == "none":
            title = (f"activation: none, p = 0.5 +- {distance_from_half(model):.0e}\n"
                     f"everywhere: its accuracy {accuracy(model, X, y):.0%} is rounding noise")
        plot_decision_regions(ax, lambda points, m=model: classify(m, points), X, y, title)
    ax = axes[-1]
    for (name, curves), color in zip(losses.items(), ["k", "tab:green", "tab:purple"]):
        for i, curve in enumerate(curves):
            ax.plot(curve, color=color, alpha=0.7, label=name if i == 0 else None)
    ax.axhline(math.log(2), color="gray", linestyle=":", label="ln 2 (p = 0.5 everywhere)")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("BCE loss")
    ax.set_title(f"{DEPTH} layers, {len(curves)} seeds each")
    ax.legend()
    fig.suptitle(f"XOR with {DEPTH} stacked nn.Linear layers: only an activation between "
                 "them helps")
    return save_figure(fig, out, "linear_collapse")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(__doc__.splitlines()[0], argv)
    X, y = xor_data()
    seeds = range(args.seed, args.seed + SEEDS)
    first_models, all_losses = {}, {}
    print(f"{DEPTH} nn.Linear layers of width {WIDTH}, Adam lr {LR}, {EPOCHS} epochs, BCE, "
          f"seeds {list(seeds)}:")
    for name, activation in ACTIVATIONS.items():
        runs = [train_on_xor(activation, seed) for seed in seeds]
        accuracies = [accuracy(model, X, y) for model, _ in runs]
        final_losses = [losses[-1] for _, losses in runs]
        print(f"  activation {name:>7}: accuracy {[f'{a:.0%}' for a in accuracies]}, "
              f"final loss {min(final_losses):.4f} to {max(final_losses):.4f}")
        first_models[name] = runs[0][0]
        all_losses[name] = [losses for _, losses in runs]

    linear_net = first_models["none"]
    single = collapse(linear_layers(linear_net))
    with mg.no_grad():
        stacked = nn.Sequential(*linear_layers(linear_net))(mg.tensor(X)).numpy()
        folded = single(mg.tensor(X)).numpy()
    print(f"\nthe trained linear network (seed {args.seed}) is one nn.Linear with "
          f"W' = {np.array2string(single.weight.array, precision=1)}, "
          f"b' = {np.array2string(single.bias.array, precision=1)}\n"
          f"  (on the four points the two differ by {np.abs(stacked - folded).max():.1e}).")
    print(f"  Its outputs differ from 0.5 by at most {distance_from_half(linear_net):.1e}: it "
          f"predicts p = 0.5 everywhere (loss ln 2 = {math.log(2):.4f}),\n  the best a linear "
          "model can do on XOR. The accuracy of such a tie is rounding noise; in exact\n"
          "  arithmetic no line gets more than 3 of the 4 points right (at most 75%).")
    plot_results(first_models, all_losses, args.out)


if __name__ == "__main__":
    main()
