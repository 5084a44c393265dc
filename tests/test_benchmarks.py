"""The benchmark scripts start as README.md runs them (`python -m benchmarks.<name>` from the
repository root): every import resolves and the arguments parse. Their timings are never tested."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["bench_ops", "bench_mlp", "bench_conv", "compare_revisions"])
def test_benchmark_starts_as_the_readme_runs_it(name):
    run = subprocess.run([sys.executable, "-m", f"benchmarks.{name}", "--help"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "usage:" in run.stdout

