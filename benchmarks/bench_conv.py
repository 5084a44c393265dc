"""Convolution speed: minigrad vs PyTorch CPU eager, side by side, one thread each.

    MINIGRAD_DATA=../shared/data python -m benchmarks.bench_conv              # full table
    MINIGRAD_DATA=../shared/data python -m benchmarks.bench_conv --batches 200   # a part epoch

1. A LeNet-5 training epoch on MNIST (batch 64, Adam, float32): the two frameworks take turns
   every 20 batches on the same batches, so a noisy shared machine slows both alike; with
   --batches N only the first N batches run, and the table scales them to a whole epoch.
2. One conv2d forward + backward (input, weight and bias gradients) at a few sizes, and conv3d
   at two volume sizes: the median of --conv-repeats timings each.

BLAS and PyTorch are held to --threads threads (default 1) for a like-for-like comparison;
compare the ratio column, not the seconds.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable

import numpy as np

import minigrad as mg
from minigrad import optim
from minigrad.nn import functional as F
from models.lenet import LeNet
from models.mnist import load_mnist

CHUNK = 20  # batches each framework runs before the other takes its turn
BATCH = 64

try:
    import torch
except ImportError:
    torch = None


# *** a LeNet training step in each framework ***
def minigrad_lenet() -> Callable:
    model = LeNet()
    opt = optim.Adam(model.parameters(), lr=1e-3)

    def run(X: np.ndarray, y: np.ndarray, batches: list[np.ndarray]) -> None:
        for b in batches:
            loss = F.cross_entropy(model(mg.from_numpy(X[b])), mg.from_numpy(y[b]))
            opt.zero_grad()
            loss.backward()
            opt.step()

    return run


def torch_lenet() -> Callable:
    tnn = torch.nn
    model = tnn.Sequential(tnn.Conv2d(1, 6, 5, padding=2), tnn.ReLU(), tnn.MaxPool2d(2),
                           tnn.Conv2d(6, 16, 5), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                           tnn.Linear(400, 120), tnn.ReLU(), tnn.Linear(120, 84), tnn.ReLU(),
                           tnn.Linear(84, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def run(X: np.ndarray, y: np.ndarray, batches: list[np.ndarray]) -> None:
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        for b in batches:
            idx = torch.from_numpy(b)
            loss = torch.nn.functional.cross_entropy(model(Xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()

    return run


def lenet_epoch(batches: int | None, repeats: int) -> dict[str, float]:
    """Seconds per (scaled) epoch of each framework, and the ratio minigrad / PyTorch: medians
    over repeats, the ratio of epochs timed side by side."""
    X, y = load_mnist(train=True)
    X = X.reshape(-1, 1, 28, 28).astype(np.float32)
    order = np.random.default_rng(0).permutation(len(X))
    all_batches = [order[i:i + BATCH] for i in range(0, len(X), BATCH)]
    used = all_batches[:batches] if batches else all_batches
    scale = len(all_batches) / len(used)
    runners = {"minigrad": minigrad_lenet()}
    if torch is not None:
        runners["PyTorch"] = torch_lenet()
    seconds: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(repeats):
        spent = dict.fromkeys(runners, 0.0)
        for start in range(0, len(used), CHUNK):
            for name, run in runners.items():
                began = time.perf_counter()
                run(X, y, used[start:start + CHUNK])
                spent[name] += time.perf_counter() - began
        for name in runners:
            seconds[name].append(spent[name] * scale)
    result = {name: statistics.median(s) for name, s in seconds.items()}
    if torch is not None:
        result["ratio"] = statistics.median(
            m / t for m, t in zip(seconds["minigrad"], seconds["PyTorch"], strict=True))
    return result


# *** single conv2d (conv3d for a 5-d shape) forward + backward ***
SIZES = [  # (N, C, H, W) or (N, C, D, H, W), out channels, kernel, padding
    ((64, 1, 28, 28), 6, 5, 2),  # LeNet's first layer
    ((64, 6, 14, 14), 16, 5, 0),  # LeNet's second layer
    ((32, 16, 32, 32), 32, 3, 1),
    ((8, 64, 32, 32), 64, 3, 1),
    ((8, 4, 16, 16, 16), 8, 3, 1),
    ((2, 16, 16, 16, 16), 16, 3, 1),
]


def time_call(fn: Callable, repeats: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def conv_step(shape: tuple, out: int, kernel: int, padding: int, repeats: int) -> tuple:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape, dtype=np.float32)
    w = rng.standard_normal((out, shape[1]) + (kernel,) * (len(shape) - 2), dtype=np.float32)
    b = rng.standard_normal(out, dtype=np.float32)
    xm, wm, bm = (mg.Tensor(a, requires_grad=True) for a in (x, w, b))
    name = f"conv{len(shape) - 2}d"

    def ours() -> None:
        getattr(F, name)(xm, wm, bm, padding=padding).sum().backward()

    result = [time_call(ours, repeats)]
    if torch is not None:
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))

        def theirs() -> None:
            getattr(torch.nn.functional, name)(xt, wt, bt, padding=padding).sum().backward()

        result.append(time_call(theirs, repeats))
    return tuple(result)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="minigrad's convolution vs PyTorch CPU eager.")
    p.add_argument("--batches", type=int, default=None,
                   help="time only the first N batches of the epoch (scaled to a whole epoch)")
    p.add_argument("--repeats", type=int, default=3, help="LeNet epochs per framework")
    p.add_argument("--conv-repeats", type=int, default=20)
    p.add_argument("--threads", type=int, default=1, help="BLAS and PyTorch threads")
    p.add_argument("--skip-epoch", action="store_true",
                   help="only the single conv2d and conv3d timings")
    args = p.parse_args(argv)
    mg.set_num_threads(args.threads)
    if torch is not None:
        torch.set_num_threads(args.threads)
    print(f"threads: {args.threads}; numpy {np.__version__}"
          + (f", torch {torch.__version__}" if torch is not None else " (no PyTorch)"))
    if not args.skip_epoch:
        part = f"first {args.batches} batches, scaled" if args.batches else "whole epoch"
        print(f"\nLeNet-5 epoch on MNIST, batch {BATCH}, Adam ({part}; median of "
              f"{args.repeats})")
        epoch = lenet_epoch(args.batches, args.repeats)
        print(f"{'minigrad':>9} {'PyTorch':>9} {'minigrad / PyTorch':>19}   (s / epoch)")
        theirs = f"{epoch['PyTorch']:9.2f}" if "ratio" in epoch else f"{'-':>9}"
        ratio = f"{epoch['ratio']:18.2f}x" if "ratio" in epoch else f"{'-':>19}"
        print(f"{epoch['minigrad']:9.2f} {theirs} {ratio}")
    print(f"\nconv2d and conv3d forward + backward, float32 (median of {args.conv_repeats}), ms")
    print(f"{'input':<22} {'out':>4} {'k':>2} {'minigrad':>9} {'PyTorch':>9} "
          f"{'minigrad / PyTorch':>19}")
    for shape, out, kernel, padding in SIZES:
        times = conv_step(shape, out, kernel, padding, args.conv_repeats)
        ratio = f"{times[0] / times[1]:18.2f}x" if len(times) > 1 else f"{'-':>19}"
        theirs = f"{times[1] * 1e3:9.2f}" if len(times) > 1 else f"{'-':>9}"
        print(f"{str(shape):<22} {out:>4} {kernel:>2} {times[0] * 1e3:9.2f} {theirs} {ratio}")
    shape, out, kernel, _ = SIZES[-1]
    flops = 2 * math.prod(shape) * out * kernel ** (len(shape) - 2) * 3
    print(f"(the last size is {flops / 1e9:.1f} GFLOP per forward + backward)")


if __name__ == "__main__":
    main()
