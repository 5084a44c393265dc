"""The products behind Linear's and LinearGrad's choices (minigrad/ops/linalg.py, fused.py),
timed side by side at the tutorial's shapes: for each batch size, the first layer's forward
product feature-major and batch-major, the output layer's weight gradient from feature-major
activations two ways, and the bias gradient (a sum over the batch) two ways.

    python -m benchmarks.bench_products                 # batch 64, 256, 1024, BLAS threads 2
    python -m benchmarks.bench_products --threads 1

Each variant runs `--repeats` times in turns with the others (so drift on a busy machine hits
all alike); the table shows the median microseconds and each ratio to the first variant.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from minigrad.threads import set_num_threads


def variants(batch: int, hidden: int, classes: int) -> dict[str, dict[str, Callable]]:
    """{product: {variant: zero-argument call}} on random float32 arrays, in the layouts the
    tutorial's network has them: activations and gradients feature-major (F-ordered)."""
    rng = np.random.default_rng(0)
    h = rng.random((hidden, batch), dtype=np.float32).T  # sigmoid's output, (batch, hidden)
    g = rng.random((classes, batch), dtype=np.float32).T  # d loss / d logits, (batch, classes)
    g_hidden = rng.random((hidden, batch), dtype=np.float32).T
    ones = np.ones(batch, np.float32)
    x = rng.random((batch, 784), dtype=np.float32)  # the images
    w = rng.random((hidden, 784), dtype=np.float32)
    return {
        f"first layer x W^T ({batch}x{hidden})": {
            "(W x^T)^T (feature-major)": lambda: (w @ x.T).T,
            "x W^T (batch-major)": lambda: x @ w.T,
        },
        f"output layer dW ({classes}x{hidden})": {
            "g^T h": lambda: g.T @ h,
            "(h^T g)^T, made C-ordered": lambda: np.ascontiguousarray((h.T @ g).T),
        },
        f"hidden layer db ({hidden})": {
            "sum(0)": lambda: g_hidden.sum(0),
            "ones @ g": lambda: ones @ g_hidden,
        },
    }


def time_turns(calls: dict[str, Callable], repeats: int, number: int = 50) -> dict[str, float]:
    """Median seconds per call of each variant, timed in turns."""
    seconds: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            began = time.perf_counter()
            for _ in range(number):
                call()
            seconds[name].append((time.perf_counter() - began) / number)
    return {name: statistics.median(s) for name, s in seconds.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=21)
    args = parser.parse_args(argv)
    set_num_threads(args.threads)
    print(f"hidden 256, 10 classes, float32, {args.threads} BLAS thread(s); median us per call "
          f"of {args.repeats} turns, and ratio to the first variant")
    print(f"{'batch':>6}  {'product':<30}{'variant':<30}{'us':>9}{'ratio':>8}")
    for batch in args.batches:
        for product, calls in variants(batch, 256, 10).items():
            medians = time_turns(calls, args.repeats)
            first = next(iter(medians.values()))
            for name, t in medians.items():
                print(f"{batch:>6}  {product:<30}{name:<30}{t * 1e6:>9.1f}{t / first:>8.2f}")


if __name__ == "__main__":
    main()
