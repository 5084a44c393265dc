"""The benchmark scripts start as README.md runs them (`python -m benchmarks.<name>` from the
repository root): every import resolves and the arguments parse. Their timings are never tested."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["bench_ops", "bench_mlp", "bench_conv", "bench_products",
                                  "compare_revisions"])
def test_benchmark_starts_as_the_readme_runs_it(name):
    run = subprocess.run([sys.executable, "-m", f"benchmarks.{name}", "--help"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "usage:" in run.stdout



def test_products_table_compares_variants_that_agree():
    """bench_products times variants of one product: they must compute the same numbers."""
    from benchmarks.bench_products import variants

    for calls in variants(batch=7, hidden=5, classes=3).values():
        results = [call() for call in calls.values()]
        for r in results[1:]:
            np.testing.assert_allclose(r, results[0], rtol=1e-5)
