"""Backpropagation by hand: the matrix rules in numpy give autograd's gradients exactly.

    python -m models.experiments.worked_backprop --out out

The network of the tutorial's forward-propagation section: 2 inputs, two hidden layers of 3
sigmoid units, 2 linear outputs, and the loss F = (l1 + l2)^2 of its two outputs (here the
entries of l3, the output layer's pre-activation, which is also its output). Forward:

    l_k = W_k sigma_{k-1} + b_k,   sigma_k = sigmoid(l_k),   sigma_0 = x,   output l_3

Backward, layer by layer from the top, with the rules of the backprop section:

    dF/dl_3 = 2 (l1 + l2) (1, 1)
    dF/dsigma_k = W_{k+1}^T dF/dl_{k+1}         (the layer above sends its gradient back)
    dF/dl_k = dF/dsigma_k * sigma_k (1 - sigma_k)   (elementwise: sigmoid' = s (1 - s))
    dF/dW_k = dF/dl_k sigma_{k-1}^T,   dF/db_k = dF/dl_k,   dF/dx = W_1^T dF/dl_1
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import minigrad as mg
from models.experiments._common import parse_args, pyplot, save_figure

# settings: readable numbers for the default run
X = np.array([1.0, 2.0])
PARAMS = {
    "W1": np.array([[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]]),
    "b1": np.array([0.1, 0.0, -0.1]),
    "W2": np.array([[0.2, -0.1, 0.3], [0.4, 0.2, -0.2], [-0.5, 0.1, 0.1]]),
    "b2": np.array([0.0, 0.1, 0.2]),
    "W3": np.array([[0.3, -0.2, 0.5], [0.1, -0.4, -0.3]]),
    "b3": np.array([0.5, 0.2]),
}
N_LAYERS = 3  # the last one is linear
Arrays = dict[str, np.ndarray]


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def forward(params: Arrays, x: np.ndarray) -> Arrays:
    """Every intermediate value in numpy: sigma0 = x, l1, sigma1, l2, sigma2, l3 and F."""
    values = {"sigma0": x}
    for k in range(1, N_LAYERS + 1):
        values[f"l{k}"] = params[f"W{k}"] @ values[f"sigma{k - 1}"] + params[f"b{k}"]
        if k < N_LAYERS:
            values[f"sigma{k}"] = sigmoid(values[f"l{k}"])
    values["F"] = np.array((values[f"l{N_LAYERS}"].sum()) ** 2)
    return values


def manual_gradients(params: Arrays, x: np.ndarray) -> Arrays:
    """dF/d(every intermediate, weight, bias and x) by the matrix rules, top layer first."""
    v = forward(params, x)
    top = f"l{N_LAYERS}"
    grads = {top: 2 * v[top].sum() * np.ones_like(v[top])}
    for k in range(N_LAYERS, 0, -1):
        dl = grads[f"l{k}"]
        grads[f"W{k}"] = np.outer(dl, v[f"sigma{k - 1}"])
        grads[f"b{k}"] = dl
        below = params[f"W{k}"].T @ dl
        if k > 1:
            grads[f"sigma{k - 1}"] = below
            s = v[f"sigma{k - 1}"]
            grads[f"l{k - 1}"] = below * s * (1 - s)
        else:
            grads["x"] = below
    return grads


def autograd_gradients(params: Arrays, x: np.ndarray) -> Arrays:
    """The same gradients from minigrad: .grad of the leaves, retain_grad() on the rest."""
    leaves = {name: mg.tensor(value, requires_grad=True) for name, value in params.items()}
    leaves["x"] = mg.tensor(x, requires_grad=True)
    intermediates = {}
    sigma = leaves["x"]
    for k in range(1, N_LAYERS + 1):
        l = leaves[f"W{k}"] @ sigma + leaves[f"b{k}"]
        l.retain_grad()
        intermediates[f"l{k}"] = l
        if k < N_LAYERS:
            sigma = l.sigmoid()
            sigma.retain_grad()
            intermediates[f"sigma{k}"] = sigma
    F = (l[0] + l[1]) ** 2
    F.backward()
    return {name: t.grad.numpy() for name, t in {**intermediates, **leaves}.items()}


def max_difference(params: Arrays, x: np.ndarray) -> float:
    """The largest |manual - autograd| over every gradient."""
    manual, auto = manual_gradients(params, x), autograd_gradients(params, x)
    if manual.keys() != auto.keys():
        raise KeyError(f"gradients of different names: {sorted(manual)} vs {sorted(auto)}")
    return max(float(np.abs(manual[k] - auto[k]).max()) for k in manual)


def side_by_side(left: np.ndarray, right: np.ndarray, gap: str = "   ") -> str:
    """Two arrays printed next to each other, row by row (vectors as columns)."""
    def lines(a: np.ndarray) -> list[str]:
        column = a.reshape(-1, 1) if a.ndim == 1 else a
        return np.array2string(column, precision=8, floatmode="fixed").splitlines()

    a, b = lines(left), lines(right)
    width = max(len(s) for s in a)
    return "\n".join(f"    {s:<{width}}{gap}{t}" for s, t in zip(a, b))


def plot_network(params: Arrays, x: np.ndarray, out: Path) -> Path:
    """The network as a diagram: each unit labelled with its value and dF/dl (backprop's
    signal), each edge coloured by dF/dW (red positive, blue negative, width |dF/dW|)."""
    plt = pyplot()
    v, grads = forward(params, x), manual_gradients(params, x)
    columns = [("x", v["sigma0"], grads["x"])] + [
        (f"l{k}", v[f"l{k}"], grads[f"l{k}"]) for k in range(1, N_LAYERS + 1)]
    heights = [np.linspace(1, -1, len(values)) * len(values) / 3 for _, values, _ in columns]
    fig, ax = plt.subplots(figsize=(11, 5.5))
    dW_max = max(np.abs(grads[f"W{k}"]).max() for k in range(1, N_LAYERS + 1))
    for k in range(1, N_LAYERS + 1):
        dW = grads[f"W{k}"]
        for i, j in np.ndindex(dW.shape):
            ax.plot([k - 1, k], [heights[k - 1][j], heights[k][i]], zorder=1,
                    color="tab:red" if dW[i, j] > 0 else "tab:blue",
                    linewidth=0.5 + 4 * abs(dW[i, j]) / dW_max)
    for col, (name, values, dvalues) in enumerate(columns):
        for i, (value, dvalue) in enumerate(zip(values, dvalues)):
            ax.scatter(col, heights[col][i], s=500, color="white", edgecolors="k", zorder=2)
            label = f"{name}[{i}] = {value:.3f}" if col else f"x[{i}] = {value:.3f}"
            if 0 < col < N_LAYERS:
                label += f", sigma = {v[f'sigma{col}'][i]:.3f}"
            ax.annotate(f"{label}\ndF/d{name}[{i}] = {dvalue:+.5f}", (col, heights[col][i]),
                        xytext=(0, 16), textcoords="offset points", ha="center", fontsize=8,
                        zorder=3, bbox=dict(boxstyle="round", facecolor="white", alpha=0.9))
    ax.set_xticks(range(len(columns)),
                  ["input x", "hidden 1 (sigmoid)", "hidden 2 (sigmoid)", "output (linear)"])
    ax.set_yticks([])
    ax.set_xlim(-0.4, N_LAYERS + 0.4)
    ax.set_ylim(-1.4, 1.5)
    ax.set_title(f"F = (l1 + l2)^2 = {v['F']:.4f}; edges: dF/dW (red > 0, blue < 0); "
                 f"max |manual - autograd| = {max_difference(params, x):.1e}")
    return save_figure(fig, out, "worked_backprop")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(__doc__.splitlines()[0], argv)
    v = forward(PARAMS, X)
    print(f"x = {X}, output l3 = {v['l3']}, F = (l1 + l2)^2 = {v['F']:.10f}\n")
    manual, auto = manual_gradients(PARAMS, X), autograd_gradients(PARAMS, X)
    order = ["l3", "W3", "b3", "sigma2", "l2", "W2", "b2", "sigma1", "l1", "W1", "b1", "x"]
    for name in order:
        diff = np.abs(manual[name] - auto[name]).max()
        print(f"dF/d{name}: matrix rules (left), autograd (right), max |diff| = {diff:.1e}")
        print(side_by_side(manual[name], auto[name]))
    print(f"\nlargest difference over all gradients: {max_difference(PARAMS, X):.1e}")
    plot_network(PARAMS, X, args.out)


if __name__ == "__main__":
    main()
