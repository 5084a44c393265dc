"""Shared test setup: hypothesis profiles, and the `torch` and `mnist_dir` fixtures.

Profiles: `dev` (the default) and `ci` (chosen when CI=true); HYPOTHESIS_PROFILE=name overrides
both, e.g. `HYPOTHESIS_PROFILE=ci pytest` to replay CI's fixed examples locally."""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, settings

from minigrad.data import FashionMNIST

# no deadline anywhere: gradchecks of a few ms can take 100x longer on a busy CI machine
settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile("ci", max_examples=30, deadline=None, derandomize=True,
                          database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
_default_profile = "ci" if os.environ.get("CI", "").lower() == "true" else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _default_profile))

REPO = Path(__file__).resolve().parent.parent


def import_torch() -> ModuleType:
    """PyTorch for reference tests, or a skip when it is not installed."""
    return pytest.importorskip(
        "torch", reason="PyTorch is not installed: reference tests need torch==2.13.0")


@pytest.fixture(scope="session")
def torch() -> ModuleType:
    return import_torch()


def data_root() -> Path | None:
    """$MINIGRAD_DATA, else ../shared/data beside the repository if it exists."""
    if os.environ.get("MINIGRAD_DATA"):
        return Path(os.environ["MINIGRAD_DATA"])
    shared = REPO.parent / "shared" / "data"
    return shared if shared.is_dir() else None


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The folder holding MNIST's four IDX .gz files, or a skip when there is none."""
    root = data_root()
    if root is None or not (root / "mnist").is_dir():
        pytest.skip("MNIST not found: set MINIGRAD_DATA to a folder with mnist/ (see README)")
    return root / "mnist"


@pytest.fixture(scope="session")
def fashion_dir() -> Path:
    """The Debian package's Fashion-MNIST folder, or a skip when it is not installed."""
    folder = Path(FashionMNIST.system_dirs[0])
    if not (folder / "t10k-images-idx3-ubyte.gz").exists():
        pytest.skip(f"Fashion-MNIST not in {folder}: apt-get install dataset-fashion-mnist")
    return folder
