"""One hidden layer of sigmoid units approximates a curve better the more units it has.

    python -m models.experiments.universal_approximation --out out

Four views of the universal approximation theorem:
1. a bumpy curve, sin x + 0.5 sin 3x on [-pi, pi], fit by 1, 2, 4, 8 and 32 hidden sigmoid units:
   the error falls as units grow. (Plain sin x is too easy to show the trend: 8 units already
   reach an MSE near 1e-6 and 32 do no better in the same number of Adam steps.)
2. why: a sigmoid unit with a large weight is a step, so two of them make a two-step staircase,
   and enough steps follow any curve (weights set by hand);
3. the same for a surface: sin(x1) cos(x2) fit by one hidden layer;
4. a 3-arm spiral classified by one hidden layer, with its decision regions.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.data import sine, spiral
from models.experiments._common import fit, parse_args, pyplot, save_figure
from models.experiments._decision import accuracy, classify, plot_decision_regions

# settings
HIDDEN_UNITS = (1, 2, 4, 8, 32)
CURVE_POINTS = 200
CURVE_EPOCHS = 3000
CURVE_SEEDS = 2  # restarts per width; the best one counts (capacity, not a lucky start)
LR = 0.03  # Adam, for every fit here
STEPS_AT = (-1.0, 1.0)  # the staircase: where its two steps are
STEP_HEIGHTS = (1.0, 0.5)
STEEPNESS = (2.0, 10.0, 100.0)  # the hidden weight k of sigmoid(k (x - a))
SURFACE_SIDE = 25  # points per axis on [-pi, pi]^2
SURFACE_UNITS = 32
SURFACE_EPOCHS = 2000
SPIRAL_PER_CLASS = 100
SPIRAL_CLASSES = 3
SPIRAL_UNITS = 64
SPIRAL_EPOCHS = 1000


def bumpy(x: np.ndarray) -> np.ndarray:
    return np.sin(x) + 0.5 * np.sin(3 * x)


def curve_data(n: int = CURVE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """n sorted points on [-pi, pi) (from minigrad.data.sine) and the bumpy curve there."""
    X, _ = sine(n)
    return X, bumpy(X).astype(np.float32)


def one_hidden_layer(n_in: int, hidden: int, n_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(n_in, hidden), nn.Sigmoid(), nn.Linear(hidden, n_out))


def fit_curve(hidden: int, seed: int, epochs: int = CURVE_EPOCHS, n: int = CURVE_POINTS
              ) -> tuple[nn.Sequential, float]:
    """A 1-hidden-1 sigmoid network fit to the bumpy curve; returns it and its final MSE."""
    mg.manual_seed(seed)
    model = one_hidden_layer(1, hidden, 1)
    losses = fit(model, *curve_data(n), nn.MSELoss(), epochs, LR, "adam")
    return model, losses[-1]


def best_fits(units: tuple[int, ...] = HIDDEN_UNITS, seeds: range = range(CURVE_SEEDS),
              epochs: int = CURVE_EPOCHS, n: int = CURVE_POINTS
              ) -> dict[int, tuple[nn.Sequential, float]]:
    """For each width, the lowest-MSE fit over the seeds: {units: (model, mse)}."""
    return {hidden: min((fit_curve(hidden, seed, epochs, n) for seed in seeds),
                        key=lambda fitted: fitted[1])
            for hidden in units}


def staircase(steepness: float, steps_at: tuple[float, float] = STEPS_AT,
              heights: tuple[float, float] = STEP_HEIGHTS) -> nn.Sequential:
    """Two sigmoid units by hand: sum_i height_i sigmoid(k (x - a_i)), which for a large k
    is 0 left of a_1, height_1 between the steps, height_1 + height_2 right of a_2."""
    model = one_hidden_layer(1, 2, 1)
    model.load_state_dict({
        "0.weight": [[steepness], [steepness]],
        "0.bias": [-steepness * a for a in steps_at],
        "2.weight": [list(heights)], "2.bias": [0.0]})
    return model


def staircase_levels(heights: tuple[float, float] = STEP_HEIGHTS) -> list[float]:
    """The three flat levels of the staircase, left to right."""
    return [0.0, heights[0], heights[0] + heights[1]]


def staircase_error(steepness: float, margin: float = 0.25) -> float:
    """max |output - level| on [-3, 3] away from the steps (farther than margin): how far the
    two-unit network is from a piecewise-constant staircase."""
    x = np.linspace(-3, 3, 601)
    x = x[np.all([np.abs(x - a) > margin for a in STEPS_AT], axis=0)]
    level = np.choose(np.searchsorted(STEPS_AT, x), staircase_levels())
    output = evaluate(staircase(steepness), x.astype(np.float32)[:, None])[:, 0]
    return float(np.abs(output - level).max())


def evaluate(model: nn.Module, X: np.ndarray) -> np.ndarray:
    with mg.no_grad():
        return model(mg.tensor(X)).numpy()


def surface_data(side: int = SURFACE_SIDE) -> tuple[np.ndarray, np.ndarray]:
    """A side x side grid on [-pi, pi]^2 and sin(x1) cos(x2) on it."""
    axis = np.linspace(-math.pi, math.pi, side)
    x1, x2 = np.meshgrid(axis, axis)
    X = np.stack([x1.ravel(), x2.ravel()], axis=1).astype(np.float32)
    return X, (np.sin(X[:, :1]) * np.cos(X[:, 1:])).astype(np.float32)


def fit_surface(seed: int = 0, side: int = SURFACE_SIDE, hidden: int = SURFACE_UNITS,
                epochs: int = SURFACE_EPOCHS) -> tuple[nn.Sequential, float]:
    mg.manual_seed(seed)
    model = one_hidden_layer(2, hidden, 1)
    losses = fit(model, *surface_data(side), nn.MSELoss(), epochs, LR, "adam")
    return model, losses[-1]


def fit_spiral(seed: int = 0, per_class: int = SPIRAL_PER_CLASS, classes: int = SPIRAL_CLASSES,
               hidden: int = SPIRAL_UNITS, epochs: int = SPIRAL_EPOCHS
               ) -> tuple[nn.Sequential, float]:
    """One hidden sigmoid layer trained with cross-entropy on the spiral; returns it and its
    training accuracy."""
    mg.manual_seed(seed)
    X, y = spiral(per_class, classes, seed=seed)
    model = one_hidden_layer(2, hidden, classes)
    fit(model, X, y, nn.CrossEntropyLoss(), epochs, LR, "adam")
    return model, accuracy(model, X, y)


def plot_curves(fits: dict[int, tuple[nn.Sequential, float]], out: Path) -> Path:
    plt = pyplot()
    X, y = curve_data()
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
    left.plot(X, y, "k", linewidth=3, alpha=0.3, label="sin x + 0.5 sin 3x")
    for hidden, (model, mse) in fits.items():
        left.plot(X, evaluate(model, X), label=f"{hidden} units (MSE {mse:.1e})")
    left.set_xlabel("x")
    left.legend(fontsize=8)
    left.set_title("one hidden sigmoid layer of n units")
    right.plot(list(fits), [mse for _, mse in fits.values()], "o-")
    right.set_xscale("log", base=2)
    right.set_yscale("log")
    right.set_xlabel("hidden units")
    right.set_ylabel(f"training MSE (best of {CURVE_SEEDS} seeds)")
    right.set_title("the error falls as units grow")
    return save_figure(fig, out, "ua_hidden_units")


def plot_staircase(out: Path) -> Path:
    plt = pyplot()
    x = np.linspace(-3, 3, 600, dtype=np.float32)[:, None]
    fig, ax = plt.subplots(figsize=(7, 4))
    for k in STEEPNESS:
        ax.plot(x, evaluate(staircase(k), x), label=f"k = {k:g}")
    for level in staircase_levels():
        ax.axhline(level, color="gray", linestyle=":", linewidth=0.8)
    ax.set_xlabel("x")
    ax.legend()
    terms = [f"{h:g} sigmoid(k (x {-a:+g}))" for h, a in zip(STEP_HEIGHTS, STEPS_AT)]
    ax.set_title(" + ".join(terms) + ": two steps for large k")
    return save_figure(fig, out, "ua_staircase")


def plot_surface(model: nn.Module, mse: float, out: Path) -> Path:
    plt = pyplot()
    X, y = surface_data()
    shape = (SURFACE_SIDE, SURFACE_SIDE)
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), layout="constrained")
    panels = {"target sin(x1) cos(x2)": y, f"{SURFACE_UNITS} sigmoid units": evaluate(model, X),
              f"error (MSE {mse:.1e})": evaluate(model, X) - y}
    for ax, (title, values) in zip(axes, panels.items()):
        image = ax.contourf(X[:, 0].reshape(shape), X[:, 1].reshape(shape),
                            values.reshape(shape), levels=20, cmap="RdBu_r")
        fig.colorbar(image, ax=ax)
        ax.set_title(title)
        ax.set_aspect("equal")
    return save_figure(fig, out, "ua_surface")


def plot_spiral(model: nn.Module, seed: int, out: Path) -> Path:
    plt = pyplot()
    X, y = spiral(SPIRAL_PER_CLASS, SPIRAL_CLASSES, seed=seed)
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    plot_decision_regions(ax, lambda points: classify(model, points), X, y,
                          f"{SPIRAL_CLASSES}-arm spiral, one hidden layer of {SPIRAL_UNITS} "
                          f"sigmoid units\ntraining accuracy {accuracy(model, X, y):.1%}",
                          margin=0.2)
    return save_figure(fig, out, "ua_spiral")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(__doc__.splitlines()[0], argv)
    seeds = range(args.seed, args.seed + CURVE_SEEDS)
    fits = best_fits(seeds=seeds)
    print(f"sin x + 0.5 sin 3x, {CURVE_EPOCHS} Adam steps, best of seeds {list(seeds)}:")
    for hidden, (_, mse) in fits.items():
        print(f"  {hidden:>2} hidden units: MSE {mse:.2e}")
    plot_curves(fits, args.out)

    print(f"\ntwo-unit staircase with levels {staircase_levels()}, steps at {STEPS_AT}:")
    for k in STEEPNESS:
        print(f"  k = {k:>3g}: max |output - level| farther than 0.25 from a step: "
              f"{staircase_error(k):.1e}")
    plot_staircase(args.out)

    surface, surface_mse = fit_surface(args.seed)
    _, target = surface_data()
    print(f"\nsurface sin(x1) cos(x2), {SURFACE_UNITS} units: MSE {surface_mse:.2e} "
          f"(the target's variance is {target.var():.3f})")
    plot_surface(surface, surface_mse, args.out)
    spiral_model, spiral_accuracy = fit_spiral(args.seed)
    print(f"{SPIRAL_CLASSES}-arm spiral ({SPIRAL_PER_CLASS} points per arm), one hidden layer "
          f"of {SPIRAL_UNITS} sigmoid units: training accuracy {spiral_accuracy:.1%}")
    plot_spiral(spiral_model, args.seed, args.out)


if __name__ == "__main__":
    main()
