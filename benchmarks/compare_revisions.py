"""Before/after: bench_ops' per-op times and bench_mlp's epochs at two git revisions, one run.

Run:  OPENBLAS_NUM_THREADS=1 MINIGRAD_DATA=../shared/data \\
          python -m benchmarks.compare_revisions 7338519 HEAD --rounds 5

Each revision is extracted (`git archive`) into a temporary folder outside the repository, and
every measurement runs in a fresh subprocess inside that folder, so each side imports its own
minigrad and its own benchmark modules. Rounds alternate the revisions (A then B, then B then
A), so load from elsewhere on a shared machine falls on both alike; the table shows medians over
rounds. Each round measures, per revision:
- bench_ops: every case's minigrad and numpy time (process CPU time, `--repeats` interleaved
  repeats inside the round), and the median overhead per op (minigrad minus numpy); last, one
  SGD step on the first layer's weight against numpy's `w -= lr * g` (`--ops update`);
- bench_mlp: one epoch of the tutorial's MLP per batch size at `--hidden`, minigrad and the
  hand-written numpy network taking turns every 20 batches as bench_mlp does (wall time); with
  `--compiled`, the step compiled by mg.compile in minigrad's place (bench_mlp's
  `compiled_runner`), after a warm-up that captures it.
The numpy columns run the same code at both revisions: they show how steady the machine was.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

# Run inside a revision's folder; prints one JSON line. Uses only names that bench_ops and
# bench_mlp had at both revisions compared here.
OPS_WORKER = """
import json, sys
import numpy as np
from benchmarks import bench_ops as b
repeats, wanted = int(sys.argv[1]), set(filter(None, sys.argv[2].split(",")))
rng = np.random.default_rng(0)
out = {}
for case in b.cases():
    if wanted and case.name.split()[0] not in wanted:
        continue
    runners = b.make_runners(case, rng)
    t = b.measure({k: runners[k] for k in ("minigrad", "numpy")}, repeats)
    out[case.name] = {k: v / case.ops_per_call * 1e6 for k, v in t.items()}
if not wanted or "update" in wanted:
    runners = b.update_runners(rng)
    t = b.measure({k: runners[k] for k in ("minigrad", "numpy")}, repeats)
    out[f"SGD update  {b.HIDDEN}x{b.PIXELS}"] = {k: v * 1e6 for k, v in t.items()}
print(json.dumps(out))
"""

MLP_WORKER = """
import inspect, json, sys
from benchmarks import bench_mlp as m
hidden, batches = int(sys.argv[1]), [int(b) for b in sys.argv[2].split(",")]
m.RUNNERS = {k: m.RUNNERS[k] for k in ("minigrad", "numpy")}
X, y = m.load_mnist(train=True)
# later bench_mlp versions take thread pickers: one thread, fixed, as the environment sets
extra = ({"pickers": m.make_pickers(1)}
         if "pickers" in inspect.signature(m.time_epochs).parameters else {})
out = {}
for batch in batches:
    t = m.time_epochs(X, y, hidden, batch, reps=1, **extra)
    out[str(batch)] = {k: v[0] for k, v in t.items()}
print(json.dumps(out))
"""


COMPILED_WORKER = """
import json, sys, time
import numpy as np
from benchmarks import bench_mlp as m
hidden, batches = int(sys.argv[1]), [int(b) for b in sys.argv[2].split(",")]
X, y = m.load_mnist(train=True)
rng = np.random.default_rng(0)
out = {}
for batch in batches:
    runners = {"minigrad": m.compiled_runner(hidden), "numpy": m.numpy_runner(hidden)}
    for run in runners.values():  # warm-up: the captures
        run(X, y, m.batches_of(len(X), batch, rng)[:40])
    order, spent = m.batches_of(len(X), batch, rng), {name: 0.0 for name in runners}
    for start in range(0, len(order), m.CHUNK):
        for name, run in runners.items():
            began = time.perf_counter()
            run(X, y, order[start:start + m.CHUNK])
            spent[name] += time.perf_counter() - began
    out[str(batch)] = spent
print(json.dumps(out))
"""


def extract(revision: str, into: Path) -> str:
    """The revision's tracked files in `into`; returns its short commit id."""
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", revision],
                            check=True, capture_output=True, text=True).stdout.strip()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return commit


def run_worker(folder: Path, code: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(folder), "PYTHONDONTWRITEBYTECODE": "1"}
    for name in THREAD_VARIABLES:
        env.setdefault(name, "1")
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=folder, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"worker failed in {folder}:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def median_of(rounds: list[dict], *keys: str) -> float:
    values = []
    for r in rounds:
        for key in keys:
            r = r[key]
        values.append(r)
    return statistics.median(values)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5, help="bench_ops repeats per round")
    parser.add_argument("--ops", default="", help="comma-separated op names (default: all)")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--batches", default="64,256,1024")
    parser.add_argument("--skip-mlp", action="store_true")
    parser.add_argument("--compiled", action="store_true",
                        help="time the compiled step (mg.compile) in bench_mlp's place")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="minigrad-compare-") as tmp:
        folders, commits = [], []
        for name, revision in (("before", args.before), ("after", args.after)):
            folder = Path(tmp) / name
            folder.mkdir()
            commits.append(extract(revision, folder))
            folders.append(folder)
        ops: list[list[dict]] = [[], []]
        mlp: list[list[dict]] = [[], []]
        for r in range(args.rounds):
            for i in (0, 1) if r % 2 == 0 else (1, 0):
                ops[i].append(run_worker(folders[i], OPS_WORKER, str(args.repeats), args.ops))
                if not args.skip_mlp:
                    mlp[i].append(run_worker(folders[i], COMPILED_WORKER if args.compiled
                                             else MLP_WORKER, str(args.hidden), args.batches))
            print(f"round {r + 1} of {args.rounds} done", file=sys.stderr, flush=True)

    threads = ", ".join(f"{v}={os.environ.get(v, '1')}" for v in THREAD_VARIABLES[:1])
    print(f"before = {args.before} ({commits[0]}), after = {args.after} ({commits[1]}); "
          f"medians of {args.rounds} alternating rounds; {threads}")
    print(f"\nbench_ops (us per op, process CPU time, {args.repeats} repeats per round)")
    head = (f"{'op  input shape':<28}{'np before':>10}{'np after':>10}{'mg before':>11}"
            f"{'mg after':>10}{'after/before':>13}{'ovh before':>11}{'ovh after':>10}")
    print(head + "\n" + "-" * len(head))
    overheads = [[], []]
    for case in ops[0][0]:
        if case.startswith("SGD update"):
            print("-" * len(head))
        np_t = [median_of(ops[i], case, "numpy") for i in (0, 1)]
        mg_t = [median_of(ops[i], case, "minigrad") for i in (0, 1)]
        ovh = [statistics.median(o[case]["minigrad"] - o[case]["numpy"] for o in ops[i])
               for i in (0, 1)]
        for i in (0, 1):
            if not case.startswith("SGD update"):
                overheads[i].append(ovh[i])
        print(f"{case:<28}{np_t[0]:>10.1f}{np_t[1]:>10.1f}{mg_t[0]:>11.1f}{mg_t[1]:>10.1f}"
              f"{mg_t[1] / mg_t[0]:>13.3f}{ovh[0]:>11.1f}{ovh[1]:>10.1f}")
    if overheads[0]:  # not when --ops names only the update
        med = [statistics.median(o) for o in overheads]
        print(f"median overhead per op: before {med[0]:.1f} us, after {med[1]:.1f} us "
              f"(after/before {med[1] / med[0]:.3f})")

    if not args.skip_mlp:
        print(f"\nbench_mlp (seconds per epoch, hidden {args.hidden}, wall time; mg/np is the "
              "median of each round's ratio to the numpy network run beside it"
              + ("; mg is the compiled step)" if args.compiled else ")"))
        head = (f"{'batch':>6}{'np before':>10}{'np after':>10}{'mg before':>11}{'mg after':>10}"
                f"{'after/before':>13}{'mg/np before':>13}{'mg/np after':>12}")
        print(head + "\n" + "-" * len(head))
        for batch in args.batches.split(","):
            np_t = [median_of(mlp[i], batch, "numpy") for i in (0, 1)]
            mg_t = [median_of(mlp[i], batch, "minigrad") for i in (0, 1)]
            rel = [statistics.median(m[batch]["minigrad"] / m[batch]["numpy"] for m in mlp[i])
                   for i in (0, 1)]
            print(f"{batch:>6}{np_t[0]:>10.3f}{np_t[1]:>10.3f}{mg_t[0]:>11.3f}{mg_t[1]:>10.3f}"
                  f"{mg_t[1] / mg_t[0]:>13.3f}{rel[0]:>13.3f}{rel[1]:>12.3f}")


if __name__ == "__main__":
    main()
