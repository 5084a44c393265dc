"""Seconds per MNIST epoch of the tutorial's MLP: minigrad vs the hand-written numpy network vs
PyTorch eager, side by side.

    MINIGRAD_DATA=../shared/data python -m benchmarks.bench_mlp            # full table
    MINIGRAD_DATA=../shared/data python -m benchmarks.bench_mlp --quick    # hidden 256, batch 64
    MINIGRAD_DATA=../shared/data python -m benchmarks.bench_mlp --busy     # quiet vs loaded
    MINIGRAD_DATA=../shared/data python -m benchmarks.bench_mlp --compiled --threads 2
                                          # mg.compile vs jax.jit vs numpy, torch, eager

Each repetition times one epoch of every framework (minigrad and the numpy network taking turns
every 20 batches, PyTorch a whole epoch after them), and the table shows medians of the epoch
times and of the per-repetition ratios, so a noisy shared machine slows all of them alike;
compare the ratios, not the seconds. Then: memory per epoch (tracemalloc, numpy allocations)
and time to 98% test accuracy.
Recipe: sigmoid hidden layer, softmax cross-entropy, plain SGD (lr 0.5), float32.

Threads (`--threads auto|N`, default auto): each framework gets its own thread count, fixed or
picked at the start of every epoch by timing its first steps at each count (models/threads.py);
minigrad and the numpy network share numpy's BLAS pool, PyTorch has its own.
`--busy`: hidden 256, batch 64, epochs without and with a background load that keeps every
core busy (one pure-Python loop per core, in processes that stop by themselves after a time
limit), taking turns, and each framework's slowdown against its quiet epoch.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator

import numpy as np

import minigrad as mg
from minigrad import optim
from minigrad.nn import functional as F
from minigrad.ops.linalg import FEATURE_MAJOR_BELOW
from models.cli import positive_int
from models.manual_mlp import ManualMLP, one_hot
from models.mlp import TwoLayerMLP
from models.mnist import load_mnist
from models.threads import ThreadPicker, add_threads_option, candidate_counts
from models.train_mnist import make_step

LR = 0.5
CHUNK = 20  # batches each framework runs before the next takes its turn
SETTLE = 0.5  # seconds of rest before PyTorch and after it, for idle threads to stop spinning

try:
    import torch
except ImportError:
    torch = None


# *** one epoch in each framework; `order` is the shuffled example order ***
def minigrad_runner(hidden: int) -> Callable:
    model = TwoLayerMLP(hidden=hidden)
    opt = optim.SGD(model.parameters(), lr=LR)

    def epoch(X: np.ndarray, y: np.ndarray, batches: list[np.ndarray]) -> None:
        for b in batches:
            loss = F.cross_entropy(model(mg.from_numpy(X[b])), mg.from_numpy(y[b]))
            opt.zero_grad()
            loss.backward()
            opt.step()

    epoch.predict = lambda X: model(mg.from_numpy(X)).argmax(1).numpy()
    return epoch


def numpy_runner(hidden: int) -> Callable:
    net = ManualMLP(hidden=hidden)

    def epoch(X: np.ndarray, y: np.ndarray, batches: list[np.ndarray]) -> None:
        for b in batches:
            Y = one_hot(y[b], 10)
            net.loss(net.forward(X[b].T), Y)  # every runner computes its loss, as training does
            net.step(net.backward(Y), LR)

    epoch.predict = lambda X: net.predict(X.T)
    return epoch


def torch_runner(hidden: int) -> Callable:
    model = torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.Sigmoid(),
                                torch.nn.Linear(hidden, 10))
    for p in model.parameters():
        torch.nn.init.normal_(p, 0, 0.01) if p.ndim == 2 else torch.nn.init.zeros_(p)
    opt = torch.optim.SGD(model.parameters(), lr=LR)

    def epoch(X: np.ndarray, y: np.ndarray, batches: list[np.ndarray]) -> None:
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        for b in batches:
            bt = torch.from_numpy(b)
            loss = torch.nn.functional.cross_entropy(model(Xt[bt]), yt[bt])
            opt.zero_grad()
            loss.backward()
            opt.step()

    def predict(X: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return model(torch.from_numpy(X)).argmax(1).numpy()

    epoch.predict = predict
    return epoch


# *** the compiled contenders: mg.compile and, when installed, jax.jit (--compiled) ***
def compiled_runner(hidden: int) -> Callable:
    """minigrad's step captured once by mg.compile and replayed."""
    model = TwoLayerMLP(hidden=hidden)
    step = make_step(model, optim.SGD(model.parameters(), lr=LR), compiled=True)

    def epoch(X: np.ndarray, y: np.ndarray, batches: list[np.ndarray]) -> None:
        for b in batches:
            step(mg.from_numpy(X[b]), mg.from_numpy(y[b]))

    epoch.predict = lambda X: model(mg.from_numpy(X)).argmax(1).numpy()
    epoch.step = step
    return epoch


def jax_runner(hidden: int) -> Callable:
    """The same network in JAX, the whole step (loss, gradients, SGD update) under jax.jit,
    with the parameters' buffers donated so the update can be done in place."""
    import jax
    import jax.numpy as jnp

    rng = np.random.default_rng(0)
    params = [rng.normal(0, 0.01, (784, hidden)), np.zeros(hidden),
              rng.normal(0, 0.01, (hidden, 10)), np.zeros(10)]
    state = {"params": [jnp.asarray(p, dtype=jnp.float32) for p in params]}

    def loss_fn(params: list, x: jax.Array, y: jax.Array) -> jax.Array:
        w1, b1, w2, b2 = params
        logits = jax.nn.sigmoid(x @ w1 + b1) @ w2 + b2
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))

    @functools.partial(jax.jit, donate_argnums=0)
    def step(params: list, x: jax.Array, y: jax.Array) -> tuple[list, jax.Array]:
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        return [p - LR * g for p, g in zip(params, grads, strict=True)], loss

    def epoch(X: np.ndarray, y: np.ndarray, batches: list[np.ndarray]) -> None:
        params = state["params"]
        for b in batches:
            params, _ = step(params, X[b], y[b])
        state["params"] = jax.block_until_ready(params)

    def predict(X: np.ndarray) -> np.ndarray:
        w1, b1, w2, b2 = state["params"]
        return np.asarray(jnp.argmax(jax.nn.sigmoid(X @ w1 + b1) @ w2 + b2, axis=1))

    epoch.predict = predict
    return epoch


class KernelsOnly:
    """The step's arithmetic as fixed numpy calls into buffers made once per batch size, with
    no framework around them: what numpy's kernels alone take, a floor for compiled minigrad.
    The same layouts as minigrad's nn.Linear (samples as columns below 512 rows, as rows from
    there), sigmoid as 1 / (1 + exp(-(z + b))) with the bias folded into the negation, SGD in
    two passes per parameter (numpy has no fused multiply-add)."""

    def __init__(self, hidden: int) -> None:
        rng = np.random.default_rng(0)
        f32 = np.float32
        self.w1 = rng.normal(0, 0.01, (hidden, 784)).astype(f32)
        self.w2 = rng.normal(0, 0.01, (10, hidden)).astype(f32)
        self.b1, self.b2 = np.zeros(hidden, f32), np.zeros(10, f32)
        self.params = [self.w1, self.b1, self.w2, self.b2]
        self.grads = [np.empty_like(p) for p in self.params]
        self.scratch = [np.empty_like(p) for p in self.params]
        self.neg_b1 = np.empty_like(self.b1)
        self.buffers: dict[int, dict[str, np.ndarray]] = {}

    def _buffers(self, batch: int) -> dict[str, np.ndarray]:
        if batch not in self.buffers:
            hidden, f32 = len(self.b1), np.float32
            columns = batch < FEATURE_MAJOR_BELOW  # (hidden, batch) arrays, seen transposed
            wide = (lambda: np.empty((hidden, batch), f32).T) if columns else (
                lambda: np.empty((batch, hidden), f32))
            self.buffers[batch] = dict(
                h=wide(), dh=wide(), t=wide(), logits=np.empty((batch, 10), f32),
                logits_t=np.empty((10, batch), f32), row=np.empty(batch, f32),
                ones=np.ones(batch, f32), rows=np.arange(batch))
        return self.buffers[batch]

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        b, (w1, b1, w2, b2) = self._buffers(len(x)), self.params
        dw1, db1, dw2, db2 = self.grads
        h, dh, t, logits = b["h"], b["dh"], b["t"], b["logits"]
        np.matmul(w1, x.T, out=h.T) if h.flags.f_contiguous else np.matmul(x, w1.T, out=h)
        np.subtract(np.negative(b1, out=self.neg_b1), h, out=h)  # -(z + b1)
        np.exp(h, out=h)
        np.add(h, 1, out=h)
        np.divide(1, h, out=h)  # sigmoid
        np.matmul(h, w2.T, out=logits)
        logits += b2
        np.copyto(b["logits_t"], logits.T)  # max and sum of short rows: down columns instead
        shift = np.maximum.reduce(b["logits_t"], axis=0, out=b["row"])[:, None]
        np.subtract(logits, shift, out=logits)
        loss = -logits[b["rows"], y].sum()
        np.exp(logits, out=logits)
        np.copyto(b["logits_t"], logits.T)
        total = np.add.reduce(b["logits_t"], axis=0, out=b["row"])[:, None]
        loss = (loss + np.log(total).sum()) / len(x)
        np.divide(logits, total, out=logits)  # softmax, then its gradient in place
        logits[b["rows"], y] -= 1
        logits *= 1 / len(x)
        np.matmul(logits.T, h, out=dw2)
        np.matmul(b["ones"], logits, out=db2)
        np.matmul(logits, w2, out=dh)
        np.subtract(1, h, out=t)
        t *= h
        dh *= t  # sigmoid's backward
        np.matmul(dh.T, x, out=dw1)
        np.matmul(b["ones"], dh, out=db1)
        for p, g, tmp in zip(self.params, self.grads, self.scratch, strict=True):
            p -= np.multiply(g, LR, out=tmp)
        return float(loss)


def kernels_runner(hidden: int) -> Callable:
    net = KernelsOnly(hidden)

    def epoch(X: np.ndarray, y: np.ndarray, batches: list[np.ndarray]) -> None:
        for b in batches:
            net.step(X[b], y[b])

    epoch.predict = lambda X: ((1 / (1 + np.exp(-(X @ net.w1.T + net.b1)))) @ net.w2.T
                               ).argmax(1)
    return epoch


def settle(seconds: float = SETTLE) -> None:
    """Wait for the thread pools of the framework timed last to stop spinning, keeping this
    core busy: after a sleep, the machine's virtual CPUs came back slower (about 1.5x for the
    first epoch after it)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def jax_available() -> bool:
    try:
        import jax  # noqa: F401
    except ImportError:
        return False
    return True


def one_core() -> str:
    """Pin this process to one CPU: XLA's CPU client runs its own thread pool whatever its
    flags say (a jax.jit step limited by --xla_cpu_multi_thread_eigen=false still used about
    1.9 s of CPU per second of wall time here), so --threads 1 holds every contender to one
    core this way. Returns what it did, for the table's header."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here): JAX may use more than one core"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def blas_kernels() -> str:
    """numpy's BLAS and the kernel family it runs (threadpoolctl), and OPENBLAS_CORETYPE if
    set: some machines set it to an older family than the CPU's (see benchmarks/README.md)."""
    from threadpoolctl import threadpool_info

    pools = [f"{pool.get('internal_api')} {pool.get('version')} "
             f"{pool.get('architecture', '?')} kernels"
             for pool in threadpool_info() if pool.get("user_api") == "blas"]
    forced = os.environ.get("OPENBLAS_CORETYPE")
    return (", ".join(pools) or "no BLAS found") + (
        f" (OPENBLAS_CORETYPE={forced})" if forced else "")


def compiled_table(X: np.ndarray, y: np.ndarray, batch_sizes: list[int], reps: int,
                   threads: int) -> None:
    """Seconds per epoch at hidden 256 of compiled minigrad, JAX, the numpy network, PyTorch
    and eager minigrad: one warm-up epoch each (capture, compilation), then `reps` rounds of
    one epoch each in a rotating order, after a rest in which the thread pools of the one
    before stop spinning (without it, whoever followed PyTorch ran about 8% slower); ratios
    are medians of the per-round ratios. On a busy
    machine a second line shows each framework's quickest 20 batches scaled to an epoch: what
    it does when it gets a core to itself."""
    makers = {"compiled": compiled_runner}
    pinned = one_core() if threads == 1 else ""
    if jax_available():
        makers["jax"] = jax_runner
    makers.update(kernels=kernels_runner, numpy=numpy_runner, minigrad=minigrad_runner)
    if torch is not None:
        makers["torch"] = torch_runner
        torch.set_num_threads(threads)
    mg.set_num_threads(threads)
    names = list(makers)
    print(f"hidden 256, {threads} thread(s){', ' + pinned if pinned else ''}, seconds per epoch "
          f"(median of {reps} rounds); compiled/x: median of the per-round ratios (min-max)")
    print(f"numpy {np.__version__}: {blas_kernels()}"
          + (f"; jax {sys.modules['jax'].__version__}" if "jax" in makers else ""))
    print(f"{'batch':>6}" + "".join(f"{n:>10}" for n in names)
          + "".join(f"{'c/' + n:>20}" for n in names[1:]) + "   load")
    for batch in batch_sizes:
        rng = np.random.default_rng(0)
        runners = {name: make(256) for name, make in makers.items()}
        first = {}
        for name, run in runners.items():  # warm-up: capture and compilation happen here
            began = time.perf_counter()
            run(X, y, batches_of(len(X), batch, rng))
            first[name] = time.perf_counter() - began
        seconds: dict[str, list[float]] = {name: [] for name in names}
        quickest: dict[str, float] = {name: float("inf") for name in names}  # per batch
        for rep in range(reps):
            batches = batches_of(len(X), batch, rng)
            for k in range(len(names)):
                name = names[(k + rep) % len(names)]
                settle()  # the last one's threads (PyTorch's, XLA's) go idle
                spent = 0.0
                for start in range(0, len(batches), CHUNK):  # timed by chunks of 20 batches
                    part = batches[start:start + CHUNK]
                    began = time.perf_counter()
                    runners[name](X, y, part)
                    took = time.perf_counter() - began
                    spent += took
                    if len(part) == CHUNK:
                        quickest[name] = min(quickest[name], took / CHUNK)
                seconds[name].append(spent)
        cells = "".join(f"{statistics.median(seconds[n]):>10.3f}" for n in names)
        ratios = ""
        for n in names[1:]:
            per_round = [a / b for a, b in zip(seconds["compiled"], seconds[n], strict=True)]
            ratios += (f"{statistics.median(per_round):>8.2f} "
                       f"({min(per_round):.2f}-{max(per_round):.2f})")
        print(f"{batch:>6}{cells}{ratios}   {os.getloadavg()[0]:.1f}")
        steps = len(batches_of(len(X), batch, rng))
        print(f"{'quiet':>6}" + "".join(f"{quickest[n] * steps:>10.3f}" for n in names)
              + "".join(f"{quickest['compiled'] / quickest[n]:>20.2f}" for n in names[1:])
              + "   (the quickest 20 batches of each, as an epoch)")
        if "jax" in names:
            floor = [a / b for a, b in zip(seconds["kernels"], seconds["jax"], strict=True)]
            print(f"{'':>6} kernels alone / jax: {statistics.median(floor):.2f} "
                  f"({min(floor):.2f}-{max(floor):.2f}), quiet "
                  f"{quickest['kernels'] / quickest['jax']:.2f}")
        info = runners["compiled"].step.cache_info()
        median = statistics.median(seconds["compiled"])
        print(f"{'':>6} first epoch (warm-up) minus a timed one: compiled "
              f"{first['compiled'] - median:+.3f} s"
              + (f", jax {first['jax'] - statistics.median(seconds['jax']):+.3f} s"
                 if "jax" in first else "")
              + f"; compiled: {info['captures']} captures, {info['tapes']} tapes, "
              f"{info['buffer_bytes'] / 2**20:.2f} MB of buffers")


RUNNERS = {"minigrad": minigrad_runner, "numpy": numpy_runner}
if torch is not None:
    RUNNERS["torch"] = torch_runner


def batches_of(n: int, batch: int, rng: np.random.Generator) -> list[np.ndarray]:
    order = rng.permutation(n)
    return [order[i:i + batch] for i in range(0, n, batch)]


def make_pickers(threads: int | None) -> dict[str, ThreadPicker]:
    """A thread picker per framework: numpy's BLAS pool for minigrad and the numpy network,
    PyTorch's own pool for PyTorch."""
    pickers = {name: ThreadPicker(threads) for name in ("minigrad", "numpy")}
    if torch is not None:
        pickers["torch"] = ThreadPicker(threads, set_threads=torch.set_num_threads)
    return pickers


def time_epochs(X: np.ndarray, y: np.ndarray, hidden: int, batch: int, reps: int,
                pickers: dict[str, ThreadPicker], chunk: int = CHUNK,
                used: dict[str, list[int]] | None = None) -> dict[str, list[float]]:
    """Seconds of each epoch of each framework, for `reps` epochs each.

    minigrad and the numpy network take turns every `chunk` batches (in alternating order), so
    a burst of load from elsewhere on the machine slows both alike. PyTorch runs whole epochs
    between theirs: after each switch its thread pool and OpenBLAS's spinning threads would
    fight over the two cores for a while, slowing whichever runs next; a short rest before
    and after PyTorch's epochs lets those threads go idle. Each framework's first chunk of an
    epoch goes through its thread picker (`used` collects the counts it kept)."""
    runners = {name: make(hidden) for name, make in RUNNERS.items()}
    paired = ["minigrad", "numpy"]
    rng = np.random.default_rng(0)
    seconds: dict[str, list[float]] = {name: [] for name in runners}
    for rep in range(reps):
        batches = batches_of(len(X), batch, rng)
        spent = [0.0, 0.0]
        time.sleep(SETTLE)
        for turn, start in enumerate(range(0, len(batches), chunk)):
            for i in (0, 1) if (turn + rep) % 2 == 0 else (1, 0):
                picker, part = pickers[paired[i]], batches[start:start + chunk]
                began = time.perf_counter()
                if turn == 0:
                    runners[paired[i]](X, y, picker.tune(part))
                else:
                    picker.apply()  # the two share numpy's BLAS pool
                    runners[paired[i]](X, y, part)
                spent[i] += time.perf_counter() - began
        seconds["minigrad"].append(spent[0])
        seconds["numpy"].append(spent[1])
        for name in set(runners) - {"minigrad", "numpy"}:
            time.sleep(SETTLE)
            began = time.perf_counter()
            runners[name](X, y, pickers[name].tune(batches))
            seconds[name].append(time.perf_counter() - began)
        for name in runners:
            if used is not None:
                used.setdefault(name, []).append(pickers[name].threads)
    return seconds


BUSY_LOOP = ("import sys, time\n"
             "end = time.monotonic() + float(sys.argv[1])\n"
             "while time.monotonic() < end:\n"
             "    pass\n")


@contextlib.contextmanager
def background_load(limit: float) -> Iterator[int]:
    """One busy pure-Python process per core, each stopping by itself after `limit` seconds
    (and stopped on leaving the block); yields how many were started."""
    cores = candidate_counts()[-1]
    procs = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP, str(limit)])
             for _ in range(cores)]
    try:
        time.sleep(0.5)  # let them reach full speed
        yield len(procs)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait()


def busy_table(X: np.ndarray, y: np.ndarray, reps: int, threads: int | None) -> None:
    """Epochs without and with a background load on every core, taking turns (so that load
    from elsewhere on the machine falls on both alike); each framework's slowdown is the
    median of the ratios busy / quiet epoch."""
    hidden, batch = 256, 64
    pickers = {"quiet": make_pickers(threads), "busy": make_pickers(threads)}
    seconds: dict[str, dict[str, list[float]]] = {"quiet": {}, "busy": {}}
    used: dict[str, dict[str, list[int]]] = {"quiet": {}, "busy": {}}
    loaders = 0
    for _ in range(reps):
        for phase in ("quiet", "busy"):
            # the load outlives a crash by at most 20 times the quiet turn, then stops itself
            limit = 20 * sum(times[-1] for times in seconds["quiet"].values()) + 30
            with (background_load(limit) if phase == "busy"
                  else contextlib.nullcontext(0)) as started:
                t = time_epochs(X, y, hidden, batch, 1, pickers[phase], used=used[phase])
                t["python"] = [pure_python()]
                used[phase]["python"] = [1]
            loaders = max(loaders, started)
            for name, times in t.items():
                seconds[phase].setdefault(name, []).extend(times)
    setting = "auto" if threads is None else str(threads)
    print(f"hidden {hidden}, batch {batch}, --threads {setting}: seconds per epoch (median of "
          f"{reps}), quiet and with {loaders} busy processes (one per core) in the background, "
          "taking turns; slowdown: median of the ratios busy / quiet; python: a plain "
          "Python loop, the slowdown of any one-threaded program")
    print(f"{'':>10}{'quiet':>9}{'threads':>9}{'busy':>9}{'threads':>9}{'slowdown':>10}")
    for name, quiet in seconds["quiet"].items():
        busy = seconds["busy"][name]
        print(f"{name:>10}{statistics.median(quiet):>9.3f}{span(used['quiet'][name]):>9}"
              f"{statistics.median(busy):>9.3f}{span(used['busy'][name]):>9}"
              f"{paired_ratio(busy, quiet):>9.2f}x")


def pure_python(n: int = 3_000_000) -> float:
    """Seconds of a plain Python loop: the slowdown any one-threaded program sees, a floor."""
    began = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - began


def span(counts: list[int]) -> str:
    """The thread counts used over the epochs: '1', or '1-2' when they varied."""
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}-{high}"


def paired_ratio(ours: list[float], theirs: list[float]) -> float:
    """Median of the per-repetition ratios: epochs timed side by side share the machine's load,
    so their ratio is steadier than a ratio of medians."""
    return statistics.median(a / b for a, b in zip(ours, theirs, strict=True))


def memory_per_epoch(X: np.ndarray, y: np.ndarray, name: str, epochs: int) -> list[tuple]:
    """(peak MB during the epoch, MB still allocated after it) per epoch, by tracemalloc."""
    epoch = RUNNERS[name](256)
    rng = np.random.default_rng(0)
    rows = []
    tracemalloc.start()
    for _ in range(epochs):
        tracemalloc.reset_peak()
        epoch(X, y, batches_of(len(X), 64, rng))
        current, peak = tracemalloc.get_traced_memory()
        rows.append((peak / 2**20, current / 2**20))
    tracemalloc.stop()
    return rows


def time_to_accuracy(data: tuple, name: str, target: float, max_epochs: int) -> tuple:
    """(epochs, seconds of training) until test accuracy reaches target percent."""
    X, y, X_test, y_test = data
    epoch = RUNNERS[name](256)
    rng = np.random.default_rng(0)
    spent = 0.0
    for n in range(1, max_epochs + 1):
        began = time.perf_counter()
        epoch(X, y, batches_of(len(X), 64, rng))
        spent += time.perf_counter() - began
        if 100 * np.mean(epoch.predict(X_test) == y_test) >= target:
            return n, spent
    return None, spent


def main() -> None:
    parser = argparse.ArgumentParser(description="Seconds per MNIST epoch, side by side.",
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only hidden 256, batch 64")
    parser.add_argument("--busy", action="store_true",
                        help="hidden 256, batch 64, quiet and under a background load on every "
                             "core: each framework's slowdown")
    parser.add_argument("--reps", type=positive_int, default=7, help="epochs timed per framework")
    parser.add_argument("--no-accuracy", action="store_true", help="skip the time to 98%%")
    parser.add_argument("--max-epochs", type=positive_int, default=40)
    parser.add_argument("--compiled", type=positive_int, nargs="*", metavar="BATCH",
                        help="compiled minigrad vs JAX (when installed), numpy, PyTorch and "
                             "eager minigrad at hidden 256 and these batch sizes (default: 64 "
                             "256 1024), with a fixed --threads (auto means every core)")
    add_threads_option(parser)
    args = parser.parse_args()

    X, y = load_mnist(train=True)
    if args.compiled is not None:
        compiled_table(X, y, args.compiled or [64, 256, 1024], args.reps,
                       args.threads or candidate_counts()[-1])
        return
    if args.busy:
        busy_table(X, y, args.reps, args.threads)
        return
    X_test, y_test = load_mnist(train=False)
    names = list(RUNNERS)
    sizes = [(256, 64)] if args.quick else [(h, b) for h in (128, 256) for b in (32, 64, 256)]
    print(f"seconds per epoch (median of {args.reps}, interleaved), 60,000 images, float32; "
          "ratios are medians of the per-repetition ratios")
    print(f"numpy {np.__version__}: {blas_kernels()}")
    head = "".join(f"{n:>10}" for n in names)
    ratios = "".join(f"{'mg/' + n:>12}" for n in names[1:])
    print(f"{'hidden':>6} {'batch':>6}{head}{ratios}  threads")
    for hidden, batch in sizes:
        used: dict[str, list[int]] = {}
        t = time_epochs(X, y, hidden, batch, args.reps, make_pickers(args.threads), used=used)
        cells = "".join(f"{statistics.median(t[n]):>10.3f}" for n in names)
        ratio_cells = "".join(f"{paired_ratio(t['minigrad'], t[n]):>12.2f}" for n in names[1:])
        print(f"{hidden:>6} {batch:>6}{cells}{ratio_cells}  "
              + "/".join(span(used[n]) for n in names))

    print("\nmemory by epoch, hidden 256, batch 64 (tracemalloc: peak / left after, MB)")
    for name in ("minigrad", "numpy"):
        rows = memory_per_epoch(X, y, name, 3)
        print(f"{name:>10}: " + "  ".join(f"{peak:.1f} / {left:.1f}" for peak, left in rows))

    if not args.no_accuracy:
        print("\nepochs and training seconds to 98% test accuracy (hidden 256, batch 64)")
        for name in names:
            n, spent = time_to_accuracy((X, y, X_test, y_test), name, 98.0, args.max_epochs)
            reached = f"epoch {n}" if n else f"not within {args.max_epochs} epochs"
            print(f"{name:>10}: {reached}, {spent:.1f} s")


if __name__ == "__main__":
    main()
