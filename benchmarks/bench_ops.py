"""Per-op forward+backward time of minigrad next to the same computation in raw numpy (and in
PyTorch when it is installed).

Run:  python -m benchmarks.bench_ops            (about a minute)
      python -m benchmarks.bench_ops --repeats 5 --ops mul,matmul

For every case each implementation runs the op forward and then backward from a given output
gradient; the numpy column is that same forward and backward written by hand with numpy arrays,
following minigrad's numerics. `overhead` is minigrad's time minus numpy's: what the framework
costs per op. Each minigrad call includes a whole `.backward()` (finding the graph, accumulating
into the leaves' .grad); the `chain` rows run 20 ops before one backward and report the time per
op, which is the cost inside a real graph. A last line times one SGD update of the first layer's
weight (`--ops update`).

The machine is shared and noisy, so implementations are interleaved within every repeat, the
median over repeats is reported, time is the process's CPU time (not wall time), and numpy's
BLAS and PyTorch run on the same number of threads: `--threads auto` (the default) picks the
count at which a training step is fastest now, `--threads 1` gives the steadiest CPU times.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.nn import functional as F
from minigrad.ops import cross_entropy, linear
from minigrad.ops.math import erf_array
from models.threads import ThreadPicker, add_threads_option, plural, tutorial_step

try:
    import torch
except ImportError:  # PyTorch is optional
    torch = None

REPEATS = 15  # interleaved rounds; the median is reported
ROUND_SECONDS = 0.02  # time each implementation gets per round (sets the inner loop count)
TARGET_OVERHEAD_US = 10.0

SMALL, ROWS, HIDDEN, PIXELS, CLASSES = 16, 64, 256, 784, 10


@dataclass
class Case:
    """One op at one size. `op` runs on minigrad (and on torch unless `torch_op` is given);
    `numpy` takes the input arrays and the output gradient and does forward and backward."""

    name: str
    shapes: list[tuple[int, ...]]
    op: Callable[..., Any]
    numpy: Callable[..., Any]
    torch_op: Callable[..., Any] | None = None
    positive: bool = False  # inputs drawn in [0.5, 1.5) (for log, div)
    int_target: bool = False  # last input holds class indices, not floats
    ops_per_call: int = 1  # the chain cases run several ops per call; times are per op


# *** numpy references: forward, then the gradient of every input ***
def np_add(a, b, g):
    out = a + b
    return out, g, g if b.shape == g.shape else g.sum(0)


def np_mul(a, b, g):
    return a * b, g * b, g * a


def np_div(a, b, g):
    out = a / b
    grad_a = g / b
    return out, grad_a, -grad_a * a / b


def np_matmul(a, b, g):
    return a @ b, g @ b.T, a.T @ g


def np_exp(a, g):
    out = np.exp(a)
    return out, g * out


def np_log(a, g):
    return np.log(a), g / a


def np_tanh(a, g):
    t = np.tanh(a)
    return t, g * (1 - t * t)


def np_sigmoid(a, g):
    with np.errstate(over="ignore"):  # exp(-a) = inf for very negative a gives s = 0
        s = 1 / (1 + np.exp(-a))
    return s, g * s * (1 - s)


def np_relu(a, g):
    return np.maximum(a, 0), g * (a > 0).astype(a.dtype)


def np_sum(a, g):
    return a.sum(), np.broadcast_to(g, a.shape)


def np_mean(a, g):
    return a.mean(), np.broadcast_to(g * (1.0 / a.size), a.shape)


def np_softmax(a, g):
    e = np.exp(a - a.max(1, keepdims=True))
    s = e / e.sum(1, keepdims=True)
    return s, s * (g - (g * s).sum(1, keepdims=True))


def np_log_softmax(a, g):
    shifted = a - a.max(1, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    return out, g - np.exp(out) * g.sum(1, keepdims=True)


def np_cross_entropy(logits, target, g):
    n = len(logits)
    shifted = logits - logits.max(1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))
    loss = -logp[np.arange(n), target].mean()
    grad = np.exp(logp)
    grad[np.arange(n), target] -= 1
    return loss, grad * (g / n)


def np_linear(x, w, b, g):
    return x @ w.T + b, g @ w, g.T @ x, g.sum(0)


def np_reshape(a, g):
    return a.reshape(-1), g.reshape(a.shape)


def np_transpose(a, g):
    return a.T, g.T


def np_getitem(a, g):
    grad = np.zeros_like(a)
    grad[:, : a.shape[1] // 2] = g
    return a[:, : a.shape[1] // 2], grad


CHAIN = 20


def chain(a):
    for _ in range(CHAIN):
        a = a * 1.01
    return a


def np_chain(a, g):
    outs = [a]
    for _ in range(CHAIN):
        outs.append(outs[-1] * np.float32(1.01))
    for _ in range(CHAIN):
        g = g * np.float32(1.01)
    return outs[-1], g


def torch_cross_entropy(logits, target):
    return torch.nn.functional.cross_entropy(logits, target)


def torch_linear(x, w, b):
    return torch.nn.functional.linear(x, w, b)


# *** op library (issue 11): a few indexing, linear algebra and padding ops ***
def op_library_cases(n: int, m: int) -> list[Case]:
    """gather, index_select, masked_fill, einsum and pad at one size; indices are fixed."""
    rng = np.random.default_rng(1)
    picks = rng.integers(0, m, size=(n, m // 2))
    rows = rng.integers(0, n, size=n // 2)
    mask = rng.random((n, m)) < 0.5
    lib = {"mg": (mg.tensor(picks), mg.tensor(rows), mg.tensor(mask)),
           "torch": (torch.tensor(picks), torch.tensor(rows), torch.tensor(mask))
           if torch is not None else None}

    def np_gather(a, g):
        grad = np.zeros_like(a)
        np.add.at(grad, (np.arange(n)[:, None], picks), g)
        return np.take_along_axis(a, picks, 1), grad

    def np_index_select(a, g):
        grad = np.zeros_like(a)
        np.add.at(grad, rows, g)
        return a[rows], grad

    def np_masked_fill(a, g):
        return np.where(mask, np.float32(0), a), np.where(mask, np.float32(0), g)

    def np_pad(a, g):
        return np.pad(a, 1), g[1:-1, 1:-1]

    def both(fn: Callable[..., Any]) -> tuple[Callable[..., Any], Callable[..., Any] | None]:
        torch_fn = (lambda *a: fn(*a, *lib["torch"])) if torch is not None else None
        return (lambda *a: fn(*a, *lib["mg"])), torch_fn

    gather_mg, gather_torch = both(lambda a, p, r, k: a.gather(1, p))
    select_mg, select_torch = both(lambda a, p, r, k: a.index_select(0, r))
    fill_mg, fill_torch = both(lambda a, p, r, k: a.masked_fill(k, 0.0))
    return [
        Case("gather", [(n, m)], gather_mg, np_gather, torch_op=gather_torch),
        Case("index_select", [(n, m)], select_mg, np_index_select, torch_op=select_torch),
        Case("masked_fill", [(n, m)], fill_mg, np_masked_fill, torch_op=fill_torch),
        Case("einsum (ij,jk)", [(n, m), (m, n)], lambda a, b: mg.ops.einsum("ij,jk->ik", a, b),
             np_matmul, torch_op=lambda a, b: torch.einsum("ij,jk->ik", a, b)),
        Case("pad", [(n, m)], lambda a: F.pad(a, (1, 1, 1, 1)), np_pad,
             torch_op=lambda a: torch.nn.functional.pad(a, (1, 1, 1, 1))),
    ]


# *** op library: math, activations, reductions, sorting ***
def np_sin(a, g):
    return np.sin(a), g * np.cos(a)


def np_erf(a, g):
    return erf_array(a), g * (2 / np.sqrt(np.pi)) * np.exp(-a * a)


def np_gelu(a, g):
    cdf = 0.5 * (1 + erf_array(a * np.float32(np.sqrt(0.5))))
    return a * cdf, g * (cdf + a * np.exp(-0.5 * a * a) / np.float32(np.sqrt(2 * np.pi)))


def np_silu(a, g):
    s = 1 / (1 + np.exp(-a))
    return a * s, g * (s + a * s * (1 - s))


def np_cumsum(a, g):
    return np.cumsum(a, 1), np.flip(np.cumsum(np.flip(g, 1), 1), 1)


def np_prod(a, g):
    out = np.prod(a, 1)
    return out, (g * out)[:, None] / a


def np_amax(a, g):
    out = a.max(1, keepdims=True)
    winners = a == out
    return out, g * winners / winners.sum(1, keepdims=True)


def np_norm(a, g):
    out = np.sqrt((a * a).sum())
    return out, a * (g / out)


def np_sort(a, g):
    order = np.argsort(a, 1, kind="stable")
    grad = np.zeros_like(a)
    np.put_along_axis(grad, order, g, 1)
    return np.take_along_axis(a, order, 1), grad


def library(n: int, m: int) -> list[Case]:
    """A few of the op library's ops, to compare their overhead with the basic ops'."""
    shape = [(n, m)]
    return [
        Case("sin", shape, lambda a: a.sin(), np_sin),
        Case("erf", shape, lambda a: a.erf(), np_erf),
        Case("gelu", shape, F.gelu, np_gelu, torch_op=lambda a: torch.nn.functional.gelu(a)),
        Case("silu", shape, F.silu, np_silu, torch_op=lambda a: torch.nn.functional.silu(a)),
        Case("cumsum", shape, lambda a: a.cumsum(1), np_cumsum),
        Case("prod", shape, lambda a: a.prod(1), np_prod, positive=True),
        Case("amax", shape, lambda a: a.amax(1, keepdim=True), np_amax),
        Case("norm", shape, lambda a: a.norm(), np_norm),
        Case("sort", shape, lambda a: a.sort(1).values, np_sort),
    ]


def cases() -> list[Case]:
    def elementwise(n: int, m: int) -> list[Case]:
        shape = [(n, m)]
        return [
            Case("add", shape * 2, lambda a, b: a + b, np_add),
            Case("add (bias)", [(n, m), (m,)], lambda a, b: a + b, np_add),
            Case("mul", shape * 2, lambda a, b: a * b, np_mul),
            Case("div", shape * 2, lambda a, b: a / b, np_div, positive=True),
            Case("exp", shape, lambda a: a.exp(), np_exp),
            Case("log", shape, lambda a: a.log(), np_log, positive=True),
            Case("tanh", shape, lambda a: a.tanh(), np_tanh),
            Case("sigmoid", shape, lambda a: a.sigmoid(), np_sigmoid),
            Case("relu", shape, lambda a: a.relu(), np_relu),
            Case("sum", shape, lambda a: a.sum(), np_sum),
            Case("mean", shape, lambda a: a.mean(), np_mean),
            Case("softmax", shape, lambda a: a.softmax(1), np_softmax),
            Case("log_softmax", shape, lambda a: a.log_softmax(1), np_log_softmax),
            Case("reshape", shape, lambda a: a.reshape(-1), np_reshape),
            Case("transpose", shape, lambda a: a.T, np_transpose),
            Case("getitem", shape, lambda a: a[:, : m // 2], np_getitem),
        ]

    small = [Case("matmul", [(SMALL, SMALL)] * 2, lambda a, b: a @ b, np_matmul)]
    small += elementwise(SMALL, SMALL)
    small += library(SMALL, SMALL)
    small += [Case(f"chain (of {CHAIN} mul)", [(SMALL, SMALL)], chain, np_chain,
                   ops_per_call=CHAIN)]
    mnist = [
        Case("matmul", [(ROWS, PIXELS), (PIXELS, HIDDEN)], lambda a, b: a @ b, np_matmul),
        Case("linear", [(ROWS, PIXELS), (HIDDEN, PIXELS), (HIDDEN,)], linear, np_linear,
             torch_op=torch_linear),
        Case("cross_entropy", [(ROWS, CLASSES), (ROWS,)], cross_entropy, np_cross_entropy,
             torch_op=torch_cross_entropy, int_target=True),
    ]
    mnist += elementwise(ROWS, HIDDEN)
    mnist += op_library_cases(ROWS, HIDDEN)
    mnist += library(ROWS, HIDDEN)
    for c in small:
        c.name += f"  {SMALL}x{SMALL}"
    for c in mnist:
        c.name += f"  {'x'.join(map(str, c.shapes[0]))}"
    return small + mnist


# *** one forward+backward per implementation ***
def make_runners(case: Case, rng: np.random.Generator) -> dict[str, Callable[[], Any]]:
    arrays = []
    for shape in case.shapes:
        if case.int_target and shape == case.shapes[-1]:
            arrays.append(rng.integers(0, case.shapes[0][-1], size=shape))
        elif case.positive:
            arrays.append(rng.random(shape, dtype=np.float32) + np.float32(0.5))
        else:
            arrays.append(rng.standard_normal(shape, dtype=np.float32))

    leaves = [mg.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    out_shape = case.op(*leaves).shape
    grad_np = np.ones(out_shape, dtype=np.float32)
    grad_mg = mg.tensor(grad_np)

    def run_minigrad() -> None:
        for t in leaves:
            t.grad = None
        case.op(*leaves).backward(grad_mg)

    def run_numpy() -> None:
        case.numpy(*arrays, grad_np)

    runners = {"minigrad": run_minigrad, "numpy": run_numpy}
    if torch is not None:
        torch_leaves = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
        grad_torch = torch.tensor(grad_np)
        torch_op = case.torch_op or case.op

        def run_torch() -> None:
            for t in torch_leaves:
                t.grad = None
            torch_op(*torch_leaves).backward(grad_torch)

        runners["torch"] = run_torch
    return runners


def seconds_per_call(fn: Callable[[], Any], loops: int) -> float:
    start = time.process_time()
    for _ in range(loops):
        fn()
    return (time.process_time() - start) / loops


def update_runners(rng: np.random.Generator) -> dict[str, Callable[[], Any]]:
    """One SGD update of the tutorial's first-layer weight: numpy's `w -= lr * g`, minigrad's
    SGD.step() (the same two passes over w, into a scratch array) and PyTorch's."""
    w, g = (rng.standard_normal((HIDDEN, PIXELS), dtype=np.float32) for _ in "wg")
    param = nn.Parameter(w.copy())
    param.grad = mg.tensor(g)
    runners = {"minigrad": optim.SGD([param], lr=1e-6).step,
               "numpy": lambda: np.subtract(w, 1e-6 * g, out=w)}
    if torch is not None:
        torch_param = torch.nn.Parameter(torch.tensor(w))
        torch_param.grad = torch.tensor(g)
        runners["torch"] = torch.optim.SGD([torch_param], lr=1e-6).step
    return runners


def measure(runners: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Median seconds per call of each implementation, interleaved."""
    loops = {}
    for name, fn in runners.items():
        fn()  # warm up
        once = seconds_per_call(fn, 3)
        loops[name] = max(1, int(ROUND_SECONDS / max(once, 1e-7)))
    times: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(repeats):
        for name, fn in runners.items():
            times[name].append(seconds_per_call(fn, loops[name]))
    return {name: statistics.median(ts) for name, ts in times.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--ops", default="", help="comma-separated op names (default: all)")
    add_threads_option(parser)
    args = parser.parse_args(argv)
    threads = ThreadPicker(args.threads)
    if threads.auto:
        threads.pick(tutorial_step())
    if torch is not None:  # one thread: the times are process CPU time, and the idle spinning
        torch.set_num_threads(1)  # of PyTorch's worker threads was charged to the runner after it
    print(f"threads: {threads.describe()} for numpy's BLAS, 1 for PyTorch")
    wanted = {s.strip() for s in args.ops.split(",") if s.strip()}

    rng = np.random.default_rng(0)
    chosen = [case for case in cases() if not wanted or case.name.split()[0] in wanted]
    header = f"{'op  input shape':<28}{'numpy us':>10}{'minigrad us':>13}{'overhead us':>13}"
    header += f"{'mg/np':>8}" + (f"{'torch us':>10}{'torch/np':>10}" if torch else "")
    if chosen:
        print(header)
        print("-" * len(header))
    overheads = []
    with_torch = " and torch " + torch.__version__ if torch else ""
    for case in chosen:
        t = {k: v / case.ops_per_call
             for k, v in measure(make_runners(case, rng), args.repeats).items()}
        numpy_us, mg_us = t["numpy"] * 1e6, t["minigrad"] * 1e6
        overheads.append(mg_us - numpy_us)
        row = f"{case.name:<28}{numpy_us:>10.1f}{mg_us:>13.1f}{mg_us - numpy_us:>13.1f}"
        row += f"{mg_us / numpy_us:>8.2f}"
        if torch:
            row += f"{t['torch'] * 1e6:>10.1f}{t['torch'] / t['numpy']:>10.2f}"
        print(row, flush=True)
    if overheads:
        print(f"\nmedian overhead per op: {statistics.median(overheads):.1f} us "
              f"(target < {TARGET_OVERHEAD_US:.0f} us); numpy {np.__version__}{with_torch}, "
              f"python {sys.version.split()[0]}, {args.repeats} interleaved repeats, "
              f"{plural(threads.threads)}")
    if not wanted or "update" in wanted:
        t = measure(update_runners(rng), args.repeats)
        print(f"\nSGD update of a {HIDDEN}x{PIXELS} weight (--ops update): numpy "
              f"{t['numpy'] * 1e6:.1f} us, minigrad {t['minigrad'] * 1e6:.1f} us"
              + (f", torch {t['torch'] * 1e6:.1f} us" if torch else ""))


if __name__ == "__main__":
    main()
