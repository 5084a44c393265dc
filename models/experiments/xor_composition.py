"""XOR by composition: NAND and OR in a hidden layer, AND on top; and the same learned by an MLP.

    python -m models.experiments.xor_composition --out out

XOR(a, b) = AND(NAND(a, b), OR(a, b)). Each gate is one step unit step(w.x + b), so a network
of two layers of step units computes XOR exactly, with weights chosen by hand. A sigmoid MLP
trained by gradient descent finds such weights itself: with 4 hidden units on every seed tried,
with 2 (the fewest that can work) only on most seeds, the rest stuck in a local minimum.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.data import xor
from models.experiments._common import fit, parse_args, pyplot, save_figure
from models.experiments._decision import accuracy, classify, plot_decision_regions

# settings
HAND_WEIGHTS = {  # hidden unit 0 is NAND, unit 1 is OR; the output unit is AND
    "0.weight": [[-1.0, -1.0], [1.0, 1.0]], "0.bias": [1.5, -0.5],
    "2.weight": [[1.0, 1.0]], "2.bias": [-1.5],
}
HIDDEN_SIZES = (2, 4)
EPOCHS = 1000
LR = 2.0  # plain full-batch SGD on the binary cross-entropy
SEEDS = 10


class Step(nn.Module):
    """The perceptron's activation: 1 where x >= 0, else 0."""

    def forward(self, x: mg.Tensor) -> mg.Tensor:
        return mg.heaviside(x, mg.tensor(1.0))


def hand_built_xor() -> nn.Sequential:
    """step(AND(step(NAND(x)), step(OR(x)))) with the weights of HAND_WEIGHTS."""
    net = nn.Sequential(nn.Linear(2, 2), Step(), nn.Linear(2, 1), Step())
    net.load_state_dict(HAND_WEIGHTS)
    return net


def truth_table(net: nn.Sequential) -> np.ndarray:
    """Rows (x1, x2, hidden 0, hidden 1, output) for the four corners."""
    X, _ = xor()
    with mg.no_grad():
        hidden = net[1](net[0](mg.tensor(X)))
        output = net[3](net[2](hidden))
    return np.concatenate([X, hidden.numpy(), output.numpy()], axis=1)


def sigmoid_mlp(hidden: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, hidden), nn.Sigmoid(), nn.Linear(hidden, 1), nn.Sigmoid())


def train_mlp(hidden: int, seed: int, epochs: int = EPOCHS, lr: float = LR
              ) -> tuple[nn.Sequential, float]:
    """A 2-hidden-1 sigmoid MLP trained on XOR; returns it and its final loss."""
    mg.manual_seed(seed)
    model = sigmoid_mlp(hidden)
    X, y = xor()
    losses = fit(model, X, y.astype(np.float32)[:, None], nn.BCELoss(), epochs, lr)
    return model, losses[-1]


def success_rate(hidden: int, seeds: range, epochs: int = EPOCHS
                 ) -> tuple[list[int], dict[int, nn.Sequential]]:
    """The seeds whose trained MLP gets all four points right, and every seed's model."""
    X, y = xor()
    models = {seed: train_mlp(hidden, seed, epochs)[0] for seed in seeds}
    solved = [seed for seed, model in models.items() if accuracy(model, X, y) == 1.0]
    return solved, models


def plot_regions(panels: dict[str, nn.Module], out: Path) -> Path:
    plt = pyplot()
    X, y = xor()
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 4), layout="constrained")
    for ax, (title, model) in zip(axes, panels.items()):
        title += f"\naccuracy {accuracy(model, X, y):.0%}"
        plot_decision_regions(ax, lambda points, m=model: classify(m, points), X, y, title)
    fig.suptitle("XOR decision regions (red: output 1)")
    return save_figure(fig, out, "xor_composition")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(__doc__.splitlines()[0], argv)
    net = hand_built_xor()
    print("hand-built network of step units:")
    for name, value in net.state_dict().items():
        print(f"  {name:<9} {value.tolist()}")
    print("\n  x1  x2 | NAND  OR | AND = XOR")
    for x1, x2, nand, or_, out in truth_table(net):
        print(f"  {x1:2.0f}  {x2:2.0f} | {nand:4.0f} {or_:3.0f} | {out:3.0f}")

    seeds = range(args.seed, args.seed + SEEDS)
    panels: dict[str, nn.Module] = {"hand-built (step units)": net}
    print(f"\nlearned sigmoid MLPs, SGD lr {LR}, {EPOCHS} epochs, BCE:")
    for hidden in HIDDEN_SIZES:
        solved, models = success_rate(hidden, seeds)
        stuck = [seed for seed in seeds if seed not in solved]
        print(f"  2-{hidden}-1: 100% accuracy on {len(solved)}/{len(seeds)} seeds"
              + (f"; stuck below 100% (local minimum) on seeds {stuck}" if stuck else ""))
        if solved:
            panels[f"learned 2-{hidden}-1 (seed {solved[0]})"] = models[solved[0]]
        if stuck:
            panels[f"learned 2-{hidden}-1, stuck (seed {stuck[0]})"] = models[stuck[0]]
    plot_regions(panels, args.out)


if __name__ == "__main__":
    main()
