"""print(tensor) as PyTorch prints it: a table of tensors and print options, each compared with
torch's str exactly, except that torch writes dtypes as `torch.float64` where minigrad writes
`float64` (its dtypes are numpy's), and numbers its graph nodes (`AddBackward0`)."""

import re

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.printing import get_printoptions, printoptions
from minigrad.testing import strategies

nan, inf = float("nan"), float("inf")
rng = np.random.default_rng(0)
NORMAL = rng.standard_normal((40, 50)).astype(np.float32)
MIXED = (rng.standard_normal(30) * 10.0 ** rng.integers(-3, 3, 30)).tolist()

CASES = {  # name: (tensor from the library L, print options)
    "floats": (lambda L: L.tensor([0.5, 1.0]), {}),
    "ints-2d": (lambda L: L.tensor([[1, 2], [3, 4]]), {}),
    "scalar": (lambda L: L.tensor(3.0), {}),
    "scalar-int": (lambda L: L.tensor(-7), {}),
    "scalar-bool": (lambda L: L.tensor(True), {}),
    "scalar-nan": (lambda L: L.tensor(nan), {}),
    "scalar-small": (lambda L: L.tensor(2.5e-7), {}),
    "sci-ratio": (lambda L: L.tensor([1e-8, 1e5]), {}),
    "sci-small": (lambda L: L.tensor([1e-5, 2e-5]), {}),
    "sci-huge": (lambda L: L.tensor([1e10, -3e12]), {}),
    "sci-whole-ratio": (lambda L: L.tensor([1.0, 2000.0]), {}),
    "sci-whole-huge": (lambda L: L.tensor([1.0, 2e9]), {}),
    "mixed-magnitudes": (lambda L: L.tensor(MIXED), {}),
    "bools": (lambda L: L.tensor([True, False]), {}),
    "float64": (lambda L: L.tensor([1.5, 2.0], dtype=L.float64), {}),
    "float16": (lambda L: L.tensor([1.1, 2.5], dtype=L.float16), {}),
    "int32": (lambda L: L.tensor([1, -20], dtype=L.int32), {}),
    "uint8": (lambda L: L.tensor([[1, 255]], dtype=L.uint8), {}),
    "int64-big": (lambda L: L.tensor([2**62, -1]), {}),
    "complex64": (lambda L: L.tensor([1 + 2j, -3.5 - 1j], dtype=L.complex64), {}),
    "complex128": (lambda L: L.tensor([[1 + 2j, 3 - 0j]], dtype=L.complex128), {}),
    "nan-inf": (lambda L: L.tensor([nan, 1.5, inf, -inf]), {}),
    "nan-inf-whole": (lambda L: L.tensor([nan, 1.0, -inf]), {}),
    "only-nonfinite": (lambda L: L.tensor([nan, inf]), {}),
    "negative-zero": (lambda L: L.tensor([-0.0, 1.0, 0.0]), {}),
    "negative-zero-frac": (lambda L: L.tensor([-0.0, 0.25]), {}),
    "zeros": (lambda L: L.zeros(2, 2), {}),
    "negatives": (lambda L: L.tensor([[-1.25, 3.5], [100.125, -0.5]]), {}),
    "whole-floats": (lambda L: L.tensor([1.0, 2.0]), {}),
    "3d": (lambda L: L.arange(24.0).reshape(2, 3, 4) / 4, {}),
    "4d": (lambda L: L.arange(16).reshape(2, 2, 2, 2), {}),
    "empty": (lambda L: L.zeros(0, 3), {}),
    "empty-1d": (lambda L: L.zeros(0), {}),
    "empty-int": (lambda L: L.zeros(0, dtype=L.int64), {}),
    "empty-float64-grad": (lambda L: L.zeros(2, 0, dtype=L.float64, requires_grad=True), {}),
    "wraps-at-80": (lambda L: L.arange(100.0) / 3, {}),
    "wraps-rows": (lambda L: (L.arange(60.0) / 3).reshape(2, 30), {}),
    "wraps-sci": (lambda L: L.full((1, 12), 1e-8), {}),
    "summarised-1d": (lambda L: L.arange(1001.0), {}),
    "summarised-2d": (lambda L: L.tensor(NORMAL), {}),
    "summarised-3d": (lambda L: L.arange(3000).reshape(10, 15, 20), {}),
    "summarised-short-axis": (lambda L: L.arange(2000).reshape(2, 1000), {}),
    "requires-grad": (lambda L: L.tensor([1.0, 2.0], requires_grad=True), {}),
    "grad-fn": (lambda L: L.tensor([1.0, 2.0], requires_grad=True) * 2, {}),
    "grad-fn-scalar": (lambda L: (L.tensor([1.0, 2.0], requires_grad=True) * 2).sum(), {}),
    "grad-fn-dtype": (lambda L: L.ones(5, 2, dtype=L.float64, requires_grad=True) + 1, {}),
    "suffix-wraps": (lambda L: L.full((1, 9), 1e-8, dtype=L.float64, requires_grad=True), {}),
    "suffix-wraps-as-torch": (lambda L: L.full((4,), 2.2e-313, dtype=L.float64), {}),
    "precision-2": (lambda L: L.tensor([1.23456, 2.0]), dict(precision=2)),
    "precision-6-sci": (lambda L: L.tensor([1e-7, 2.0]), dict(precision=6)),
    "threshold-5": (lambda L: L.arange(10), dict(threshold=5)),
    "threshold-edgeitems-1": (lambda L: L.arange(64.0).reshape(4, 4, 4), dict(threshold=10,
                                                                             edgeitems=1)),
    "edgeitems-0": (lambda L: L.arange(20).reshape(4, 5), dict(threshold=5, edgeitems=0)),
    "edgeitems-0-1d": (lambda L: L.arange(20), dict(threshold=5, edgeitems=0)),
    "linewidth-30": (lambda L: L.arange(20.0) / 7, dict(linewidth=30)),
    "sci-mode-on": (lambda L: L.tensor([1.5, 2.0]), dict(sci_mode=True)),
    "sci-mode-on-whole": (lambda L: L.tensor([1.0, 2.0]), dict(sci_mode=True)),
    "sci-mode-off": (lambda L: L.tensor([1e-8, 1e5]), dict(sci_mode=False)),
    "profile-short": (lambda L: L.arange(2000.0) / 3, dict(profile="short")),
    "profile-full": (lambda L: L.arange(1200), dict(profile="full")),
}


def torch_str(value: object) -> str:
    """torch's str in minigrad's spelling: no `torch.` before dtypes, no node numbers."""
    return re.sub(r"(Backward)\d+>", r"\1>", str(value).replace("torch.", ""))


@pytest.mark.parametrize("name", CASES)
def test_str_matches_torch(torch, name: str) -> None:
    make, options = CASES[name]
    with printoptions(**options):
        ours = str(make(mg))
    torch.set_printoptions(**options)
    try:
        theirs = torch_str(make(torch))
    finally:
        torch.set_printoptions(profile="default")
    assert ours == theirs
    assert repr(make(mg)) == str(make(mg))


FLOAT32 = st.floats(width=32)  # any magnitude, nan, inf, -0.0, subnormals
WHOLE = st.integers(-3000, 3000).map(float)
ARRAYS = st.one_of(
    hnp.arrays(np.float32, strategies.shapes(0, 3, 0, 5), elements=st.one_of(FLOAT32, WHOLE)),
    hnp.arrays(np.float64, strategies.shapes(0, 3, 0, 5), elements=strategies.floats(-1e3, 1e3)),
    hnp.arrays(np.int32, strategies.shapes(0, 3, 0, 5)),
    hnp.arrays(np.float32, strategies.shapes(2, 3, 12, 20), elements=WHOLE))  # summarised


@given(array=ARRAYS)
def test_any_array_prints_as_torch(torch, array: np.ndarray) -> None:
    assert str(mg.tensor(array)) == torch_str(torch.tensor(array))


def test_dtype_shown_unless_default(torch) -> None:
    """A float32 tensor names its dtype once the default dtype is float64, as in torch."""
    try:
        mg.set_default_dtype(mg.float64)
        torch.set_default_dtype(torch.float64)
        for make in (lambda L: L.tensor([1.5, 2.0], dtype=L.float32),
                     lambda L: L.tensor([1.5, 2.0]), lambda L: L.tensor([1j]),
                     lambda L: L.zeros(0, dtype=L.float32)):
            assert str(make(mg)) == torch_str(make(torch))
    finally:
        mg.set_default_dtype(mg.float32)
        torch.set_default_dtype(torch.float32)


def test_parameter_and_format(torch) -> None:
    assert str(mg.nn.Parameter(mg.ones(2))) == torch_str(torch.nn.Parameter(torch.ones(2)))
    assert f"{mg.tensor(0.123456):.3f}" == "0.123"
    assert f"{mg.tensor([1, 2])}" == "tensor([1, 2])"


def test_set_printoptions_profiles_and_reset() -> None:
    before = get_printoptions()
    try:
        mg.set_printoptions(profile="short", precision=3, sci_mode=False)
        assert get_printoptions() == dict(precision=3, threshold=1000, edgeitems=2,
                                          linewidth=80, sci_mode=False)
        mg.set_printoptions(linewidth=100)  # sci_mode goes back to automatic, as in torch
        assert get_printoptions()["sci_mode"] is None
        with pytest.raises(ValueError, match="profile must be one of .* got 'tiny'"):
            mg.set_printoptions(profile="tiny")
    finally:
        mg.set_printoptions(**before)
    assert get_printoptions() == before


# *** named results print as torch.return_types ***
M = [[4.0, 1.0], [1.0, 3.0]]
RESULTS = {
    "max": lambda L: L.max(L.tensor(M), 1),
    "min-keepdim": lambda L: L.tensor(M).min(0, keepdim=True),
    "sort": lambda L: L.tensor(M).sort(descending=True),
    "topk": lambda L: L.tensor([3, 1, 2]).topk(2),
    "kthvalue": lambda L: L.tensor(M).kthvalue(1),
    "median": lambda L: L.tensor(M).median(1),
    "nanmedian": lambda L: L.tensor([[nan, 1.0, 2.0]]).nanmedian(1),
    "mode": lambda L: L.tensor([1, 1, 2]).mode(),
    "cummax": lambda L: L.tensor([1.0, 3.0, 2.0]).cummax(0),
    "cummin": lambda L: L.cummin(L.tensor([3.0, 1.0, 2.0]), 0),
    "aminmax": lambda L: L.aminmax(L.tensor(M)),
    "slogdet": lambda L: L.slogdet(L.tensor(M)),
    "linalg_slogdet": lambda L: L.linalg.slogdet(L.tensor(M)),
    "linalg_eigh": lambda L: L.linalg.eigh(L.tensor([[2.0, 0.0], [0.0, 1.0]])),
    "linalg_inv_ex": lambda L: L.linalg.inv_ex(L.tensor(M)),
    "linalg_cholesky_ex": lambda L: L.linalg.cholesky_ex(L.tensor(M)),
    "linalg_lu_factor": lambda L: L.linalg.lu_factor(L.tensor(M)),
}


@pytest.mark.parametrize("name", RESULTS)
def test_named_results_print_as_torch(torch, name: str) -> None:
    ours, theirs = RESULTS[name](mg), RESULTS[name](torch)
    assert type(ours).__name__ == type(theirs).__name__ and ours._fields == theirs.__match_args__
    assert str(ours).replace("minigrad.", "") == torch_str(theirs)


def test_named_results_are_torch_return_types(torch) -> None:
    """Every minigrad.return_types class has torch's name and fields, and stays a tuple."""
    import pickle

    import minigrad.return_types as ours

    for name in [name for name in vars(ours) if not name.startswith("_")]:
        theirs = getattr(torch.return_types, name)
        assert getattr(ours, name)._fields == theirs.__match_args__, name
    values, indices = mg.tensor(M).max(1)
    assert (values.tolist(), indices.tolist()) == ([4.0, 3.0], [0, 1])
    again = pickle.loads(pickle.dumps(mg.tensor(M).max(1)))
    assert type(again) is ours.max and again.values.tolist() == [4.0, 3.0]
