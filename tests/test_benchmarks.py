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


@pytest.mark.parametrize("batch", [7, 600])  # both of nn.Linear's layouts
def test_kernels_only_floor_trains_as_minigrad_does(batch):
    """bench_mlp's floor (the step as bare numpy calls) must do the arithmetic of the network it
    is a floor for: same loss and same parameters after three SGD steps."""
    import minigrad as mg
    from benchmarks.bench_mlp import LR, KernelsOnly
    from minigrad import optim
    from minigrad.nn import functional as F
    from models.mlp import TwoLayerMLP

    rng = np.random.default_rng(0)
    x, y = rng.random((batch, 784), dtype=np.float32), rng.integers(0, 10, batch)
    model, floor = TwoLayerMLP(hidden=16), KernelsOnly(16)
    opt = optim.SGD(model.parameters(), lr=LR)
    for mine, p in zip(floor.params, model.parameters(), strict=True):
        np.copyto(mine, p.array)
    for _ in range(3):
        loss = F.cross_entropy(model(mg.from_numpy(x)), mg.from_numpy(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        assert floor.step(x, y) == pytest.approx(loss.item(), rel=1e-5)
    for mine, p in zip(floor.params, model.parameters(), strict=True):
        np.testing.assert_allclose(mine, p.array, rtol=1e-5, atol=1e-7)
