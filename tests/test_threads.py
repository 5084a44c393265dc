"""mg.set_num_threads / mg.get_num_threads (numpy's BLAS pool through threadpoolctl), and the
scripts' `--threads auto|N` picker."""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from threadpoolctl import threadpool_info

import minigrad as mg
from models.threads import ThreadPicker, candidate_counts, threads_option

REPO = Path(__file__).resolve().parents[1]


def blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


@pytest.fixture
def restore_threads():
    before = mg.get_num_threads()
    yield
    mg.set_num_threads(before)


def test_set_num_threads_sets_numpys_blas_pool(restore_threads):
    for n in (1, 2, 1):
        mg.set_num_threads(n)
        assert mg.get_num_threads() == n
        assert blas_threads() == {n}  # what threadpoolctl itself reads from the library


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-2, ValueError), (1.5, TypeError),
                                        ("2", TypeError), (True, TypeError)])
def test_set_num_threads_refuses_what_is_not_a_positive_int(bad, error, restore_threads):
    before = mg.get_num_threads()
    with pytest.raises(error, match="set_num_threads: n must be"):
        mg.set_num_threads(bad)
    assert mg.get_num_threads() == before


def test_importing_minigrad_changes_no_threads_and_no_environment():
    script = ("import os, json; from threadpoolctl import threadpool_info; import numpy\n"
              "before = [p['num_threads'] for p in threadpool_info()], dict(os.environ)\n"
              "import minigrad as mg\n"
              "after = [p['num_threads'] for p in threadpool_info()], dict(os.environ)\n"
              "mg.set_num_threads(1)\n"
              "print(json.dumps([before == after, dict(os.environ) == before[1]]))")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[true, true]"


def test_threads_option_parses_auto_and_positive_counts():
    assert threads_option("auto") is None
    assert threads_option("3") == 3
    for bad in ("0", "-1", "two", "1.5"):
        with pytest.raises(argparse.ArgumentTypeError):
            threads_option(bad)


def test_candidate_counts_cover_one_to_all_cores():
    assert candidate_counts(1) == [1]
    assert candidate_counts(2) == [1, 2]
    assert candidate_counts(6) == [1, 2, 4, 6]


class FakeClock:
    """A clock that a fake job advances by what each step 'costs': timing without sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def fake_picker(current: list[int], rounds: int, clock: FakeClock) -> ThreadPicker:
    return ThreadPicker(None, set_threads=current.append, counts=[1, 2], rounds=rounds, steps=2,
                        clock=clock)


def test_auto_keeps_the_count_whose_steps_were_fastest():
    """A fake job that is slow at 2 threads: auto times its first steps and settles on 1."""
    current, clock = [], FakeClock()
    picker = fake_picker(current, 3, clock)
    seen = []
    for item in picker.tune(range(20)):
        seen.append((item, current[-1]))
        clock.now += 0.004 if current[-1] == 2 else 0.0005
    assert [item for item, _ in seen] == list(range(20))  # every step runs, once, in order
    assert [count for _, count in seen[:8]] == [1, 1, 2, 2, 1, 1, 1, 1]  # 2: 8x slower, dropped
    assert {count for _, count in seen[8:]} == {1}
    assert picker.threads == 1 and picker.step_ms[2] > picker.step_ms[1]
    assert picker.describe().startswith("1 thread (auto; ms per step: 1 thread ")


def fake_job(rounds: int, n: int, cost) -> tuple[ThreadPicker, list[int]]:
    """n steps through an auto picker, step k at count c costing cost(k, c) seconds; returns
    the picker and the count of each step."""
    current, clock = [], FakeClock()
    picker = fake_picker(current, rounds, clock)
    used = []
    for step in picker.tune(range(n)):
        used.append(current[-1])
        clock.now += cost(step, current[-1])
    return picker, used


def test_more_threads_must_win_by_a_margin():
    picker, used = fake_job(2, 12, lambda step, count: 0.010 if count == 1 else 0.0097)
    assert set(used[8:]) == {1} and picker.threads == 1  # 3% faster is not enough


def test_auto_measures_again_when_the_chosen_count_slows_down():
    """Load arrives mid-pass: two threads, fastest at first, become 10x slower at step 30."""
    def cost(step, count):
        return 0.002 if count == 1 else (0.001 if step < 30 else 0.02)

    picker, used = fake_job(1, 110, cost)
    assert used[4:30] == [2] * 26
    assert used[-10:] == [1] * 10 and picker.threads == 1 and picker.changed


def test_a_hopeless_count_is_not_timed_again_and_no_step_is_lost():
    picker, used = fake_job(3, 12, lambda step, count: 0.001 if count == 1 else 0.01)
    assert used == [1, 1, 2, 2, 1, 1, 1, 1] + [1] * 4  # 12 steps: none skipped
    assert picker.step_ms == pytest.approx({1: 1.0, 2: 10.0})


def test_a_fixed_count_is_set_and_never_measured():
    current = []
    picker = ThreadPicker(3, set_threads=current.append)
    assert list(picker.tune(range(5))) == list(range(5))
    assert set(current) == {3} and picker.describe() == "3 threads"


def test_pick_times_a_step_at_each_count(restore_threads):
    picker = ThreadPicker(None, counts=[1, 2], rounds=1, steps=1)
    calls = []
    assert picker.pick(lambda: calls.append(mg.get_num_threads())) in (1, 2)
    assert calls == [1, 2]
    assert mg.get_num_threads() == picker.threads


def test_the_busy_benchmarks_background_load_is_bounded():
    """bench_mlp --busy's load: one process per core, each stopping by itself at its time
    limit, and all stopped when the measurement ends."""
    from benchmarks.bench_mlp import BUSY_LOOP, background_load

    began = time.monotonic()
    alone = subprocess.run([sys.executable, "-c", BUSY_LOOP, "0.2"], timeout=60)
    assert alone.returncode == 0 and time.monotonic() - began < 30
    with background_load(limit=60) as started:
        assert started == candidate_counts()[-1]
    assert time.monotonic() - began < 30  # left the block long before the 60 s limit
