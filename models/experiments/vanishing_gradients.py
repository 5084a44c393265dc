"""Vanishing, exploding and dead: gradient norms layer by layer in a 10-layer MLP at its start.

    python -m models.experiments.vanishing_gradients --out out

Backpropagation multiplies the gradient, once per layer, by W^T diag(f'(z)). With sigmoid
(f' <= 1/4) and PyTorch's default weights that factor is well below 1, so the gradient shrinks
geometrically toward the input. With large weights the factor can exceed 1 and the gradient
grows toward the input instead, but only if the units stay out of saturation: sigmoid's outputs
average 1/2, so large weights also shift every pre-activation by W 1/2, pushing units into the
flat tails; biases that cancel that shift (b = -W 1/2) let the gradient explode. tanh is
centred already. With ReLU a unit whose pre-activation is negative for every example passes no
gradient at all: a large negative bias kills most units.

Norms of dL/dW for every Linear (input side first) are caught by hooks on the weight tensors,
dead units by forward hooks on the ReLU modules; the models are not edited. One batch of 256
MNIST test images, cross-entropy on their labels.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from models.experiments._common import parse_args, pyplot, save_figure
from models.mnist import load_mnist

# settings
DEPTH = 10  # Linear layers, the last one the output layer
WIDTH = 128
BATCH = 256
LARGE_SIGMOID_GAIN = 16.0  # "large" weights: std gain / sqrt(fan_in)
LARGE_TANH_GAIN = 4.0
BAD_RELU_BIAS = -0.3  # layer 1's pre-activations have std ~0.5 on MNIST


@dataclass
class Measurement:
    grad_norms: list[float]  # ||dL/dW|| of each Linear layer, input side first
    dead_units: list[int]  # per ReLU layer: units that output 0 for every example of the batch


def mlp(activation: type[nn.Module], in_features: int = 784, classes: int = 10,
        depth: int = DEPTH, width: int = WIDTH) -> nn.Sequential:
    """depth Linear layers with an activation after each but the last (PyTorch's init)."""
    sizes = [in_features] + [width] * (depth - 1) + [classes]
    layers: list[nn.Module] = []
    for i in range(depth):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < depth - 1:
            layers.append(activation())
    return nn.Sequential(*layers)


def linears(model: nn.Sequential) -> list[nn.Linear]:
    return [m for m in model if isinstance(m, nn.Linear)]


# *** initialisations ***
def init_large(model: nn.Sequential, gain: float, centre_sigmoid: bool = False) -> None:
    """Weights ~ N(0, gain^2 / fan_in); biases 0, or with centre_sigmoid, b = -W 1/2 for every
    layer after the first, which cancels the mean 1/2 of the sigmoid outputs it receives."""
    for i, layer in enumerate(linears(model)):
        nn.init.normal_(layer.weight, 0.0, gain / math.sqrt(layer.in_features))
        nn.init.zeros_(layer.bias)
        if centre_sigmoid and i > 0:
            layer.bias.array[...] = -0.5 * layer.weight.array.sum(axis=1)


def init_he(model: nn.Sequential, bias: float = 0.0) -> None:
    """He (Kaiming) normal weights, std sqrt(2 / fan_in), and a constant bias."""
    for layer in linears(model):
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        nn.init.constant_(layer.bias, bias)


CASES: dict[str, tuple[type[nn.Module], Callable[[nn.Sequential], None] | None]] = {
    "sigmoid, default init": (nn.Sigmoid, None),
    f"sigmoid, W std {LARGE_SIGMOID_GAIN:g}/sqrt(fan_in)": (
        nn.Sigmoid, partial(init_large, gain=LARGE_SIGMOID_GAIN)),
    f"sigmoid, W std {LARGE_SIGMOID_GAIN:g}/sqrt(fan_in), b = -W/2": (
        nn.Sigmoid, partial(init_large, gain=LARGE_SIGMOID_GAIN, centre_sigmoid=True)),
    f"tanh, W std {LARGE_TANH_GAIN:g}/sqrt(fan_in)": (
        nn.Tanh, partial(init_large, gain=LARGE_TANH_GAIN)),
    "ReLU, He init": (nn.ReLU, init_he),
    "ReLU, default init": (nn.ReLU, None),
    f"ReLU, He init, bias {BAD_RELU_BIAS:g}": (nn.ReLU, partial(init_he, bias=BAD_RELU_BIAS)),
}  # None: nn.Linear's own init, U(+-1/sqrt(fan_in)) for weights and biases


def build(case: str, in_features: int) -> nn.Sequential:
    activation, init = CASES[case]
    model = mlp(activation, in_features)
    if init is not None:
        init(model)
    return model


# *** measuring ***
def measure(model: nn.Sequential, X: np.ndarray, y: np.ndarray) -> Measurement:
    """One forward and backward pass on (X, y), watched by hooks that are removed after."""
    norms: dict[int, float] = {}
    dead: list[int] = []

    def record_norm(i: int) -> Callable[[mg.Tensor], None]:
        def hook(grad: mg.Tensor) -> None:
            norms[i] = float(np.linalg.norm(grad.array))
        return hook

    def count_dead(module: nn.Module, inputs: tuple, output: mg.Tensor) -> None:
        dead.append(int(np.all(output.array <= 0, axis=0).sum()))

    handles = [layer.weight.register_hook(record_norm(i))
               for i, layer in enumerate(linears(model))]
    handles += [m.register_forward_hook(count_dead) for m in model if isinstance(m, nn.ReLU)]
    try:
        F.cross_entropy(model(mg.tensor(X)), mg.tensor(y)).backward()
    finally:
        for handle in handles:
            handle.remove()
    return Measurement([norms.get(i, 0.0) for i in range(len(linears(model)))], dead)


def measure_all(X: np.ndarray, y: np.ndarray, seed: int = 0) -> dict[str, Measurement]:
    results = {}
    for case in CASES:
        mg.manual_seed(seed)
        results[case] = measure(build(case, X.shape[1]), X, y)
    return results


def first_to_last_ratio(m: Measurement) -> float:
    """||dL/dW|| of the first layer over that of the last: << 1 vanishing, >> 1 exploding
    (nan when the last is 0)."""
    first, last = m.grad_norms[0], m.grad_norms[-1]
    return first / last if last > 0 else math.nan


def plot(results: dict[str, Measurement], out: Path) -> Path:
    plt = pyplot()
    fig, (ax_sat, ax_relu, ax_dead) = plt.subplots(1, 3, figsize=(16, 4.5), layout="constrained")
    for name, m in results.items():
        ax = ax_relu if name.startswith("ReLU") else ax_sat
        layers = np.arange(1, len(m.grad_norms) + 1)
        norms = np.array(m.grad_norms)
        zero = layers[norms == 0]
        label = name + (f" (0 in layers {zero[0]}-{zero[-1]})" if zero.size else "")
        ax.plot(layers, np.where(norms > 0, norms, np.nan), "o-", label=label)
        if name.startswith("ReLU"):
            ax_dead.plot(np.arange(1, len(m.dead_units) + 1), m.dead_units, "o-", label=name)
    for ax, title in ((ax_sat, "sigmoid and tanh"), (ax_relu, "ReLU")):
        ax.set(yscale="log", xlabel="layer (1 = input side)", ylabel="||dL/dW||", title=title)
    ax_dead.set(xlabel="ReLU layer", ylabel=f"units dead for all {BATCH} examples (of {WIDTH})",
                title="dead ReLU units")
    for ax in (ax_sat, ax_relu, ax_dead):
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3, which="both")
    return save_figure(fig, out, "vanishing_gradients")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(__doc__.splitlines()[0], argv)
    X, y = load_mnist(train=False, limit=BATCH)
    results = measure_all(X, y, args.seed)
    for name, m in results.items():
        norms = " ".join(f"{v:8.2e}" for v in m.grad_norms)
        print(f"{name}\n  ||dL/dW|| by layer: {norms}\n  first/last: "
              f"{first_to_last_ratio(m):.3g}"
              + (f", dead units by layer: {m.dead_units} ({sum(m.dead_units)} of "
                 f"{WIDTH * len(m.dead_units)})" if m.dead_units else ""))
    plot(results, args.out)


if __name__ == "__main__":
    main()
