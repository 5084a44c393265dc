"""`--threads auto|N` for the scripts: a fixed BLAS thread count, or the count that is fastest
now, found by timing real steps at each count and taking the quickest.

On a quiet machine every core helps the large matrix products; when other programs hold the
cores, a BLAS that splits each product over all of them waits for time slices and runs many
times slower than on one thread. `auto` measures instead of guessing, and measures again at
every pass over the data, since the load of a shared machine comes and goes.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import statistics
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import TypeVar

import numpy as np

import minigrad as mg
from minigrad.nn import functional as F

T = TypeVar("T")
ROUNDS = 4  # turns each count takes while auto measures
STEPS = 3  # steps timed per turn
MARGIN = 0.1  # more threads are chosen only when at least this much faster (mean step time)
HOPELESS = 3  # a count this many times slower than the best stops being timed
WATCH = 20  # steps between checks that the chosen count has not become slow


def threads_option(text: str) -> int | None:
    """argparse type of --threads: None for 'auto', else a positive count."""
    if text == "auto":
        return None
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected 'auto' or a number of threads, got {text!r}") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"the number of threads must be at least 1, got {count}")
    return count


def add_threads_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=threads_option, default="auto",
                        help="BLAS threads: a number (runs repeat bit for bit), or auto (time "
                             "a few steps at each count, again every epoch, and keep the "
                             "fastest) (default: %(default)s)")


def candidate_counts(cores: int | None = None) -> list[int]:
    """1, 2, 4, ... up to the cores this process may run on, and that number itself."""
    if cores is None:
        affinity = getattr(os, "sched_getaffinity", None)
        cores = len(affinity(0)) if affinity else os.cpu_count()
    cores = max(1, cores or 1)
    counts = [c for c in (2 ** k for k in range(cores.bit_length())) if c < cores]
    return counts + [cores]


_END = object()


def hopeless(mine: list[float], times: dict[int, list[float]], turn: int) -> bool:
    """A count whose steps, after a whole turn, took over HOPELESS times the best count's mean
    is not timed further in this measurement: on a loaded machine those are costly steps."""
    if len(mine) < turn:
        return False
    return statistics.fmean(mine) > HOPELESS * min(statistics.fmean(t) for t in times.values()
                                                  if t)


def plural(count: int) -> str:
    return f"{count} thread" + ("" if count == 1 else "s")


class ThreadPicker:
    """Sets a fixed thread count, or (threads=None) picks the fastest of `counts` by timing the
    first steps of each pass: the counts take turns, `steps` steps at a time for `rounds`
    rounds, and the count with the smallest mean step time is kept. The mean, not the median:
    on a loaded machine a multi-threaded product is usually quick and sometimes very slow, and
    the slow ones are what a pass costs. More threads must win by MARGIN to be chosen, since
    a wrong pick costs far more on a loaded machine than on a quiet one. If the steps then get
    twice as slow as measured (load arrived), the counts are timed again. The timed steps are
    the job's own, so measuring wastes nothing but the slower counts' extra time."""

    def __init__(self, threads: int | None,
                 set_threads: Callable[[int], None] = mg.set_num_threads,
                 counts: list[int] | None = None, rounds: int = ROUNDS,
                 steps: int = STEPS, clock: Callable[[], float] = time.perf_counter) -> None:
        self.auto = threads is None
        self.set_threads = set_threads
        self.counts = counts or candidate_counts()
        self.plan = [c for _ in range(rounds) for c in self.counts for _ in range(steps)]
        self.steps = steps
        self.clock = clock
        self.threads = threads if threads is not None else self.counts[-1]
        self.step_ms: dict[int, float] = {}  # mean milliseconds per step at each count, auto
        self.changed = True  # the last pass ended on another count than the one before it
        if not self.auto:
            set_threads(self.threads)

    def apply(self) -> None:
        """Set the current count again (another job in this process may have changed it)."""
        self.set_threads(self.threads)

    def tune(self, steps: Iterable[T]) -> Iterator[T]:
        """Yield the items of steps; with auto, the loop body run on the first ones is timed at
        each count, then the fastest count is set for the rest (and timed again if the steps
        slow down to twice the measured time)."""
        if not self.auto:
            self.apply()
            yield from steps
            return
        items = iter(steps)
        before = self.threads if self.step_ms else None  # the count of the previous pass
        while True:
            times: dict[int, list[float]] = {c: [] for c in self.counts}
            ended = False
            for count in self.plan:
                if hopeless(times[count], times, self.steps):
                    continue
                item = next(items, _END)
                if item is _END:
                    ended = True
                    break
                self.set_threads(count)
                began = self.clock()
                yield item  # the caller's loop body runs here
                times[count].append(self.clock() - began)
            self._choose(times)
            self.changed = self.threads != before
            if ended or not (yield from self._watch(items)):
                return

    def _watch(self, items: Iterator[T]) -> Generator[T, None, bool]:
        """Yield items at the chosen count; True (measure again) when WATCH steps in a row took
        twice as long as measured and fewer threads are possible."""
        limit = 2 * self.step_ms.get(self.threads, math.inf) / 1000
        spent, count = 0.0, 0
        for item in items:
            began = self.clock()
            yield item
            spent += self.clock() - began
            count += 1
            if count == WATCH:
                if spent / count > limit and self.threads > self.counts[0]:
                    return True
                spent, count = 0.0, 0
        return False

    def pick(self, step: Callable[[], object]) -> int:
        """Run step at each count as tune() would and keep the fastest; returns the count."""
        for _ in self.tune(itertools.repeat(None, len(self.plan))):
            step()
        return self.threads

    def _choose(self, times: dict[int, list[float]]) -> None:
        means = {c: 1000 * statistics.fmean(t) for c, t in times.items() if t}
        if not means:  # the pass had no steps: keep the count
            self.apply()
            return
        fastest = min(means.values())
        best = min(c for c, ms in means.items() if ms * (1 - MARGIN) <= fastest)
        self.threads, self.step_ms = best, means
        self.apply()

    def describe(self) -> str:
        """What is set, and for auto the timings behind the choice."""
        if not self.auto:
            return plural(self.threads)
        if not self.step_ms:
            return f"{plural(self.threads)} (auto, not measured yet)"
        timings = ", ".join(f"{plural(c)} {ms:.2f}" for c, ms in self.step_ms.items())
        return f"{plural(self.threads)} (auto; ms per step: {timings})"


def tutorial_step() -> Callable[[], None]:
    """One SGD-sized forward and backward of a 784-256-10 sigmoid network on 64 random images
    (its own numpy generator: the experiments' seeded draws are not disturbed)."""
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.random((64, 784), dtype=np.float32))
    w1 = mg.tensor(rng.normal(0, 0.01, (784, 256)).astype(np.float32), requires_grad=True)
    w2 = mg.tensor(rng.normal(0, 0.01, (256, 10)).astype(np.float32), requires_grad=True)
    labels = mg.tensor(rng.integers(0, 10, 64))

    def step() -> None:
        F.cross_entropy((x @ w1).sigmoid() @ w2, labels).backward()

    return step
