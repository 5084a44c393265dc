"""The op library's results that have no gradient to check (predicates, logical and bitwise ops,
indices, integer dtypes, errors), and values at the edges (ties, nan, integer extremes, erf's
tails), compared with PyTorch on drawn inputs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.testing import strategies as S

FEW = settings(max_examples=15)


def as_numpy(x: Any) -> Any:
    """A torch or minigrad result (or a tuple of them) as numpy arrays."""
    if isinstance(x, tuple):
        return tuple(as_numpy(v) for v in x)
    if isinstance(x, mg.Tensor):
        return x.array
    if hasattr(x, "detach"):
        return x.detach().numpy()
    return np.asarray(x)


def assert_same(mine: Any, theirs: Any, exact: bool = True) -> None:
    """Equal values (nan equal to nan), shapes and dtypes."""
    mine, theirs = as_numpy(mine), as_numpy(theirs)
    if isinstance(mine, tuple):
        assert isinstance(theirs, tuple) and len(mine) == len(theirs)
        for m, t in zip(mine, theirs, strict=True):
            assert_same(m, t, exact)
        return
    assert mine.shape == theirs.shape and mine.dtype == theirs.dtype, (mine, theirs)
    if exact:
        np.testing.assert_array_equal(mine, theirs)
    else:
        np.testing.assert_allclose(mine, theirs, rtol=1e-7, atol=0)


def both(torch: Any, fn: Any, *arrays: np.ndarray, exact: bool = True) -> None:
    """fn on minigrad tensors and on torch tensors of the same arrays gives the same result."""
    assert_same(fn(*[mg.tensor(a) for a in arrays]), fn(*[torch.tensor(a) for a in arrays]),
                exact)


INT_TYPES = [np.int32, np.int64, np.uint8, np.bool_]
special_floats = st.one_of(S.floats(-3, 3), st.sampled_from([0.0, -0.0, np.nan, np.inf,
                                                            -np.inf, 1.0, 1.0 + 1e-9]))


def ints(dtype: Any, shape: Any = None) -> st.SearchStrategy[np.ndarray]:
    """Arrays of dtype, its extremes included."""
    if dtype == np.bool_:
        elements = st.booleans()
    else:
        info = np.iinfo(dtype)
        elements = st.one_of(st.integers(-5, 5).filter(lambda v: info.min <= v),
                             st.sampled_from([info.min, info.max]))
    return hnp.arrays(dtype, S.shapes(0, 2) if shape is None else shape, elements=elements)


def int_pairs(dtype: Any) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    return S.broadcastable_shapes(2).flatmap(
        lambda shapes: st.tuples(ints(dtype, shapes[0]), ints(dtype, shapes[1])))


# *** predicates and logical ops ***
@FEW
@given(data=st.data())
def test_predicates(data: st.DataObject, torch: Any) -> None:
    a, b = data.draw(S.broadcastable_arrays(special_floats, special_floats))
    for name in ("isnan", "isinf", "isfinite", "logical_not"):
        both(torch, lambda x, name=name: getattr(x, name)(), a)
    for name in ("logical_and", "logical_or", "logical_xor"):
        both(torch, lambda x, y, name=name: getattr(x, name)(y), a, b)
    for kwargs in ({}, {"rtol": 0.1, "atol": 0.5}, {"equal_nan": True}):
        both(torch, lambda x, y, kwargs=kwargs: x.isclose(y, **kwargs), a, b)
        assert mg.tensor(a).allclose(mg.tensor(b), **kwargs) == torch.tensor(a).allclose(
            torch.tensor(b), **kwargs)


@pytest.mark.parametrize("dtype", INT_TYPES)
def test_predicates_on_integers(dtype: Any, torch: Any) -> None:
    a = np.array([0, 1, 1], dtype)
    for name in ("isnan", "isinf", "isfinite", "logical_not"):
        both(torch, lambda x, name=name: getattr(x, name)(), a)


# *** bitwise ops ***
@pytest.mark.parametrize("dtype", INT_TYPES)
@FEW
@given(data=st.data())
def test_bitwise_ops(dtype: Any, data: st.DataObject, torch: Any) -> None:
    a, b = data.draw(int_pairs(dtype))
    both(torch, lambda x, y: x & y, a, b)
    both(torch, lambda x, y: x | y, a, b)
    both(torch, lambda x, y: x ^ y, a, b)
    both(torch, lambda x: ~x, a)
    both(torch, lambda x, y: x.bitwise_and(y), a, b)
    both(torch, lambda x: x.bitwise_not(), a)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8])
@FEW
@given(data=st.data())
def test_shifts_by_any_count(dtype: Any, data: st.DataObject, torch: Any) -> None:
    """Shift counts beyond the width or negative give 0 (or -1), as in PyTorch."""
    a = data.draw(ints(dtype))
    counts = data.draw(hnp.arrays(dtype, a.shape, elements=st.integers(
        0 if dtype == np.uint8 else -3, 70 if dtype != np.uint8 else 12)))
    both(torch, lambda x, n: x << n, a, counts)
    both(torch, lambda x, n: x >> n, a, counts)
    both(torch, lambda x: x >> 1, a)
    both(torch, lambda x: x.bitwise_left_shift(2), a)


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.bool_])
def test_bitwise_with_python_scalars_keep_the_dtype(dtype: Any, torch: Any) -> None:
    a = np.array([1, 0, 1], dtype)
    for scalar in (True, 1, 6):
        both(torch, lambda x, s=scalar: x & s, a)
        both(torch, lambda x, s=scalar: s | x, a)
        both(torch, lambda x, s=scalar: x ^ s, a)


def test_bitwise_ops_refuse_floats() -> None:
    x = mg.tensor([1.0, 2.0])
    for op in (lambda: x & x, lambda: ~x, lambda: x | 1, lambda: x << 1):
        with pytest.raises(TypeError, match="integer or bool"):
            op()


# *** integer arithmetic and rounding ***
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
@FEW
@given(data=st.data())
def test_integer_division_and_remainders(dtype: Any, data: st.DataObject, torch: Any) -> None:
    a = data.draw(hnp.arrays(dtype, S.shapes(0, 2), elements=st.integers(-20, 20)))
    b = data.draw(hnp.arrays(dtype, a.shape, elements=st.integers(-7, 7).filter(bool)))
    both(torch, lambda x, y: x % y, a, b)
    both(torch, lambda x, y: x // y, a, b)
    both(torch, lambda x, y: x.fmod(y), a, b)
    both(torch, lambda x, y: x.remainder(y), a, b)
    both(torch, lambda x, y: x.div(y, rounding_mode="trunc"), a, b)
    both(torch, lambda x, y: x.div(y, rounding_mode="floor"), a, b)
    both(torch, lambda x, y: x.div(y), a, b)


def test_integer_division_by_zero_raises() -> None:
    a, zero = mg.tensor([5, -5]), mg.tensor([0, 1])
    for op in (lambda: a % zero, lambda: a // zero, lambda: a.fmod(zero),
               lambda: a.div(zero, rounding_mode="trunc")):
        with pytest.raises(ZeroDivisionError):
            op()


@FEW
@given(data=st.data())
def test_float_division_and_remainders_at_the_edges(data: st.DataObject, torch: Any) -> None:
    a, b = data.draw(S.broadcastable_arrays(special_floats, special_floats))
    with np.errstate(all="ignore"):  # a / b overflows (1 / 2e-311): PyTorch's vectorised
        overflows = np.isinf(a / b) & np.isfinite(a) & np.isfinite(b) & (b != 0)
    assume(not overflows.any())  # remainder gives nan there, its scalar path the exact value
    both(torch, lambda x, y: x % y, a, b)
    both(torch, lambda x, y: x.fmod(y), a, b)
    both(torch, lambda x, y: x.div(y, rounding_mode="floor"), a, b)
    both(torch, lambda x, y: x.div(y, rounding_mode="trunc"), a, b)
    both(torch, lambda x, y: x.copysign(y), a, b)
    both(torch, lambda x, y: x.hypot(y), a, b, exact=False)
    both(torch, lambda x, y: x.logaddexp(y), a, b, exact=False)
    both(torch, lambda x, y: x.atan2(y), a, b, exact=False)


def test_div_refuses_an_unknown_rounding_mode() -> None:
    with pytest.raises(ValueError, match="rounding_mode"):
        mg.tensor([1.0]).div(2.0, rounding_mode="round")


@FEW
@given(data=st.data())
def test_rounding(data: st.DataObject, torch: Any) -> None:
    """Half to even, at any number of decimals; the sign of zero and nan kept."""
    halves = st.integers(-40, 40).map(lambda k: k / 2)
    a = data.draw(S.arrays(S.shapes(1, 2), st.one_of(halves, special_floats)))
    for name in ("floor", "ceil", "trunc", "frac", "sign"):
        both(torch, lambda x, name=name: getattr(x, name)(), a)
    for decimals in (0, 1, 2, -1):
        both(torch, lambda x, d=decimals: x.round(decimals=d), a)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_rounding_keeps_integers(dtype: Any, torch: Any) -> None:
    a = np.array([-3, 0, np.iinfo(dtype).max], dtype)
    for name in ("floor", "ceil", "trunc", "round"):
        both(torch, lambda x, name=name: getattr(x, name)(), a)
    both(torch, lambda x: x.sign(), a)
    both(torch, lambda x: x.square(), np.array([-3, 4], dtype))


def test_float_functions_of_integers_are_float32(torch: Any) -> None:
    a = np.array([1, 2, 3])
    for name in ("sin", "exp2", "log1p", "rsqrt", "erf", "reciprocal", "atan"):
        both(torch, lambda x, name=name: getattr(x, name)(), a, exact=False)


# *** erf and erfc: accurate over the whole range ***
def test_erf_and_erfc_match_torch_to_1e_7_relative(torch: Any) -> None:
    x = np.concatenate([np.linspace(-27, 27, 20001), [0.0, -0.0, 1.999999, 2.0, 2.000001,
                                                      np.inf, -np.inf, np.nan, 1e-300]])
    for name in ("erf", "erfc"):
        mine = getattr(mg.tensor(x), name)().array
        ref = getattr(torch, name)(torch.tensor(x)).numpy()
        np.testing.assert_allclose(mine, ref, rtol=1e-7, atol=0)
        tiny = (ref != 0) & (np.abs(ref) < 1e-300)
        assert np.all(np.abs(mine[tiny] - ref[tiny]) <= 1e-7 * np.abs(ref[tiny]) + 1e-320)


def test_erf_in_float32(torch: Any) -> None:
    x = np.linspace(-5, 5, 1001, dtype=np.float32)
    out = mg.tensor(x).erf()
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.array, torch.erf(torch.tensor(x)).numpy(), rtol=1e-6,
                               atol=1e-7)


# *** reductions ***
@pytest.mark.parametrize("dtype", INT_TYPES)
@FEW
@given(data=st.data())
def test_integer_reductions(dtype: Any, data: st.DataObject, torch: Any) -> None:
    a = data.draw(ints(dtype, S.shapes(1, 2, max_side=3)))
    both(torch, lambda x: x.any(), a)
    both(torch, lambda x: x.all(0), a)
    both(torch, lambda x: x.any(-1, keepdim=True), a)
    both(torch, lambda x: x.count_nonzero(), a)
    both(torch, lambda x: x.count_nonzero(0), a)
    both(torch, lambda x: x.amax(), a)
    both(torch, lambda x: x.amin(0), a)
    both(torch, lambda x: x.min(), a)
    both(torch, lambda x: x.max(), a)
    both(torch, lambda x: tuple(x.aminmax(dim=0)), a)
    if dtype != np.bool_:
        both(torch, lambda x: x.prod(0), a)
        both(torch, lambda x: x.cumsum(0), a)
        both(torch, lambda x: x.cumprod(-1), a)
        both(torch, lambda x: tuple(x.cummax(0)), a)
        both(torch, lambda x: tuple(x.cummin(-1)), a)
        both(torch, lambda x: tuple(x.sort(dim=0, stable=True)), a)
        both(torch, lambda x: x.argsort(dim=-1, descending=True, stable=True), a)


def test_sum_dtype(torch: Any) -> None:
    a = np.array([[1, 2], [3, 250]], np.uint8)
    for dtype in ("float32", "float64", "int32", "int64"):
        assert_same(mg.tensor(a).sum(0, dtype=getattr(mg, dtype)),
                    torch.tensor(a).sum(0, dtype=getattr(torch, dtype)))
    assert mg.tensor(a).sum(dtype=mg.float64).dtype == np.float64
    assert_same(mg.tensor(a).mean(1, dtype=mg.float64),
                torch.tensor(a).mean(1, dtype=torch.float64))


def test_reductions_over_empty_dims_refuse_without_identity() -> None:
    with pytest.raises(IndexError, match="size 0"):  # as torch
        mg.tensor(np.zeros((2, 0))).amax(1)
    assert mg.tensor(np.zeros((2, 0))).prod(1).tolist() == [1.0, 1.0]
    assert mg.tensor(np.zeros((2, 0))).any(1).tolist() == [False, False]


def test_amax_ties_share_the_gradient_as_torch(torch: Any) -> None:
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    x, t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    (g,) = mg.grad(x.amax(1).sum() + x.amin().sum(), [x])
    (ref,) = torch.autograd.grad(t.amax(1).sum() + t.amin().sum(), [t])
    np.testing.assert_allclose(g.array, ref.numpy())


@pytest.mark.parametrize("ord", [2, 1, np.inf, -np.inf, 3])
def test_norm_gradient_at_zero_is_zero(ord: float, torch: Any) -> None:
    x, t = mg.zeros(3, dtype=mg.float64).requires_grad_(), torch.zeros(3, dtype=torch.float64)
    t.requires_grad_()
    (g,) = mg.grad(mg.linalg.vector_norm(x, ord), [x])
    (ref,) = torch.autograd.grad(torch.linalg.vector_norm(t, ord), [t])
    assert g.tolist() == ref.tolist()


def test_norms_refuse_what_they_cannot_compute() -> None:
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(RuntimeError, match="ord must be"):
        mg.linalg.matrix_norm(x, 3)
    with pytest.raises(RuntimeError, match="p must be"):
        x.norm("spectral")
    with pytest.raises(TypeError, match="floating point"):
        mg.linalg.vector_norm(mg.tensor([1, 2]))
    with pytest.raises(ValueError, match="two dims"):
        mg.linalg.norm(x, "fro", dim=0)


def test_linalg_norm_defaults_match_torch(torch: Any) -> None:
    a = np.arange(24.0).reshape(2, 3, 4) - 10
    both(torch, lambda x: x.norm(), a, exact=False)
    both(torch, lambda x: x.norm(dim=(1, 2), keepdim=True), a, exact=False)
    both(torch, lambda x: x.norm(np.inf, dim=-1), a, exact=False)
    assert_same(mg.linalg.norm(mg.tensor(a)), torch.linalg.norm(torch.tensor(a)), exact=False)
    assert_same(mg.linalg.norm(mg.tensor(a[0]), np.inf), torch.linalg.norm(torch.tensor(a[0]),
                                                                           np.inf))
    assert_same(mg.linalg.norm(mg.tensor(a[0, 0]), 1), torch.linalg.norm(torch.tensor(a[0, 0]),
                                                                          1))


# *** cumulative ops and sorting: indices, ties and nan ***
tied = st.one_of(st.integers(-2, 2).map(float), st.just(np.nan))


@FEW
@given(data=st.data())
def test_indices_with_ties_and_nan(data: st.DataObject, torch: Any) -> None:
    a = data.draw(S.arrays(S.shapes(1, 2, max_side=5), tied))
    both(torch, lambda x: tuple(x.cummax(-1)), a)
    both(torch, lambda x: tuple(x.cummin(0)), a)
    both(torch, lambda x: tuple(x.sort(dim=-1, stable=True)), a)
    both(torch, lambda x: tuple(x.sort(dim=0, descending=True, stable=True)), a)
    both(torch, lambda x: x.argsort(dim=-1, stable=True), a)
    both(torch, lambda x: x.argsort(dim=0, descending=True, stable=True), a)
    both(torch, lambda x: x.topk(1)[0], a)
    both(torch, lambda x: x.topk(x.shape[-1], largest=False)[0], a)
    both(torch, lambda x: x.kthvalue(1)[0], a)


def test_cummax_gradient_goes_to_the_latest_tie(torch: Any) -> None:
    a = np.array([1.0, 3.0, 3.0, 2.0])
    x, t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    (g,) = mg.grad(x.cummax(0).values.sum(), [x])
    (ref,) = torch.autograd.grad(t.cummax(0).values.sum(), [t])
    assert g.tolist() == ref.tolist() == [1.0, 1.0, 2.0, 0.0]


def test_logcumsumexp_stays_finite_far_apart(torch: Any) -> None:
    a = np.array([-800.0, 0.0, 800.0, -1000.0])
    both(torch, lambda x: x.logcumsumexp(0), a, exact=False)
    x, t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    w = np.array([1.0, -2.0, 0.5, 3.0])
    (g,) = mg.grad((x.logcumsumexp(0) * mg.tensor(w)).sum(), [x])
    (ref,) = torch.autograd.grad((t.logcumsumexp(0) * torch.tensor(w)).sum(), [t])
    np.testing.assert_allclose(g.array, ref.numpy(), rtol=1e-7, atol=1e-300)


def test_selection_checks_k() -> None:
    x = mg.tensor([1.0, 2.0, 3.0])
    with pytest.raises(IndexError, match="k \\(4\\)"):
        x.topk(4)
    with pytest.raises(IndexError, match="k \\(0\\)"):
        x.kthvalue(0)


def test_empty_dims(torch: Any) -> None:
    a = np.zeros((2, 0))
    for fn in (lambda x: tuple(x.cummax(1)), lambda x: tuple(x.sort(1)), lambda x: x.cumsum(1),
               lambda x: tuple(x.topk(0)), lambda x: x.prod(1), lambda x: x.cumprod(0),
               lambda x: x.logcumsumexp(1), lambda x: x.count_nonzero(1), lambda x: x.all(1)):
        both(torch, fn, a)


def test_zero_dim_inputs(torch: Any) -> None:
    a = np.array(2.5)
    both(torch, lambda x: x.cumsum(0), a)
    both(torch, lambda x: tuple(x.cummax(0)), a)
    both(torch, lambda x: tuple(x.sort()), a)
    both(torch, lambda x: x.prod(), a)
    both(torch, lambda x: tuple(x.topk(1)), a)


# *** the axis= alias, and dtype rules ***
def test_axis_is_an_alias_of_dim(torch: Any) -> None:
    a = np.arange(6.0).reshape(2, 3)
    for fn in (lambda x: x.prod(axis=1), lambda x: x.cumsum(axis=0),
               lambda x: x.amax(axis=0), lambda x: x.sort(axis=0).values,
               lambda x: x.logcumsumexp(axis=1), lambda x: x.any(axis=1),
               lambda x: x.sum(axis=1), lambda x: x.mean(axis=0), lambda x: x.var(axis=1),
               lambda x: tuple(x.max(axis=0)), lambda x: tuple(x.min(axis=1, keepdim=True)),
               lambda x: x.argmax(axis=1), lambda x: x.logsumexp(axis=0)):
        both(torch, fn, a, exact=False)
    assert_same(mg.ops.cumsum(mg.tensor(a), axis=1), torch.cumsum(torch.tensor(a), axis=1))
    with pytest.raises(TypeError, match="both dim and axis"):
        mg.ops.cumsum(mg.tensor(a), dim=0, axis=1)


# *** activations: module forms ***
@pytest.mark.parametrize("make", [
    lambda m: m.GELU(), lambda m: m.GELU("tanh"), lambda m: m.SiLU(), lambda m: m.ELU(0.5),
    lambda m: m.SELU(), lambda m: m.CELU(2.0), lambda m: m.Softplus(2, 1), lambda m: m.Mish(),
    lambda m: m.Hardswish(), lambda m: m.Hardsigmoid(), lambda m: m.ReLU6(),
    lambda m: m.Hardtanh(-2, 0.5), lambda m: m.Softsign(), lambda m: m.LogSigmoid(),
    lambda m: m.GLU(1), lambda m: m.Softmin(1), lambda m: m.Softmin(),
    lambda m: m.Threshold(0.1, 20)], ids=lambda f: "")
def test_activation_modules_match_torch(make: Any, torch: Any) -> None:
    a = np.linspace(-4, 4, 24).reshape(2, 4, 3)
    both(torch, lambda x: make(nn if isinstance(x, mg.Tensor) else torch.nn)(x), a,
         exact=False)
    assert repr(make(nn)).split("(")[0] == repr(make(torch.nn)).split("(")[0]


def test_prelu_module_learns_its_slope(torch: Any) -> None:
    layer, ref = nn.PReLU(3), torch.nn.PReLU(3)
    assert layer.weight.tolist() == ref.weight.tolist() == [0.25] * 3
    a = np.linspace(-2, 2, 12, dtype=np.float32).reshape(2, 3, 2)
    layer(mg.tensor(a)).sum().backward()
    ref(torch.tensor(a)).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.array, ref.weight.grad.numpy(), rtol=1e-6)
    assert [n for n, _ in layer.named_parameters()] == ["weight"]


def test_activation_errors() -> None:
    x = mg.tensor([[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="even"):
        F.glu(x)
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(x, approximate="erf")
    y = -x
    assert F.elu(y, inplace=True) is y and y.tolist() == F.elu(-x).tolist()  # written in place
    with pytest.raises(ValueError, match="weight has 2"):
        F.prelu(x, mg.tensor([0.1, 0.2]))


def test_max_and_min_of_two_tensors_are_elementwise(torch: Any) -> None:
    a, b = np.array([[1.0, 5.0], [4.0, -2.0]]), np.array([3.0, 0.0])
    both(torch, lambda x, y: x.max(y), a, b)
    both(torch, lambda x, y: x.min(y), a, b)
    assert_same(mg.ops.max(mg.tensor(a), mg.tensor(b)), torch.max(torch.tensor(a),
                                                                    torch.tensor(b)))


# *** values and gradients far out, where a formula can lose digits ***
WIDE = np.concatenate([np.linspace(-40, 40, 801), [-700.0, -1e-10, 1e-12, 0.0, 25.0, 700.0]])


@pytest.mark.parametrize("name, kwargs, tol", [
    ("elu", {"alpha": 0.5}, {}), ("celu", {"alpha": 0.5}, {}), ("selu", {}, {}),
    ("softplus", {}, {}), ("softplus", {"beta": 2, "threshold": 3}, {}), ("mish", {}, {}),
    ("silu", {}, {}), ("gelu", {}, {}), ("logsigmoid", {}, {}), ("hardswish", {}, {}),
    ("softsign", {}, {}), ("relu6", {}, {}), ("hardtanh", {}, {}),
    # 1 + tanh(z) cancels near z = -4 in both libraries, differently
    ("gelu", {"approximate": "tanh"}, {"atol": 1e-15}),
    ("hardsigmoid", {}, {"rtol": 1e-7})])  # PyTorch's gradient uses a float32 1/6
def test_activations_far_out_match_torch(name: str, kwargs: dict, tol: dict, torch: Any) -> None:
    tol = {"rtol": 1e-10, "atol": 1e-300} | tol
    x, t = mg.tensor(WIDE, requires_grad=True), torch.tensor(WIDE, requires_grad=True)
    y, r = getattr(F, name)(x, **kwargs), getattr(torch.nn.functional, name)(t, **kwargs)
    (g,) = mg.grad((y * y).sum(), [x])
    (ref,) = torch.autograd.grad((r * r).sum(), [t])
    np.testing.assert_allclose(y.array, r.detach().numpy(), **tol)
    np.testing.assert_allclose(g.array, ref.numpy(), **tol)


@pytest.mark.parametrize("name", ["expm1", "exp2", "log1p", "sinh", "cosh", "erf", "erfc",
                                  "atan", "asinh", "reciprocal"])
def test_math_far_out_matches_torch(name: str, torch: Any) -> None:
    values = WIDE[np.abs(WIDE) < 700] if name in ("sinh", "cosh", "exp2") else WIDE
    if name == "expm1":  # below -36 the libraries' e^x - 1 differ in the last bit of -1
        values = values[values > -36]
    if name == "log1p":
        values = np.abs(values)
    x, t = mg.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    y, r = getattr(x, name)(), getattr(t, name)()
    (g,) = mg.grad(y.sum(), [x])
    (ref,) = torch.autograd.grad(r.sum(), [t])
    np.testing.assert_allclose(y.array, r.detach().numpy(), rtol=1e-7, atol=1e-300)
    np.testing.assert_allclose(g.array, ref.numpy(), rtol=1e-7, atol=1e-300)


# *** tmethods: counting, order statistics' indices, nan handling, edges ***
small_ints = hnp.arrays(np.int64, S.shapes(1, 2, max_side=6), elements=st.integers(0, 6))


@FEW
@given(a=small_ints, data=st.data())
def test_unique_matches_torch(a: np.ndarray, data: st.DataObject, torch: Any) -> None:
    inverse, counts = data.draw(st.booleans()), data.draw(st.booleans())
    dim = data.draw(st.sampled_from([None, *range(a.ndim)]))
    both(torch, lambda x: x.unique(return_inverse=inverse, return_counts=counts, dim=dim), a)
    both(torch, lambda x: x.unique(sorted=False), a)


@FEW
@given(a=hnp.arrays(np.int64, st.integers(0, 8), elements=st.integers(0, 6)),
       minlength=st.integers(0, 9), weighted=st.booleans())
def test_bincount_matches_torch(a: np.ndarray, minlength: int, weighted: bool,
                                torch: Any) -> None:
    w = np.linspace(0.5, 2, a.size)
    if weighted:
        both(torch, lambda x, w: x.bincount(w, minlength), a, w)
        both(torch, lambda x, w: x.bincount(w, minlength), a, w.astype(np.float32))
    else:
        both(torch, lambda x: x.bincount(minlength=minlength), a)


def test_bincount_refuses_bad_input() -> None:
    with pytest.raises(RuntimeError, match="non-negative"):
        mg.tensor([1, -2]).bincount()
    with pytest.raises(RuntimeError, match="1-D integer"):
        mg.tensor([[1, 2]]).bincount()


@FEW
@given(a=hnp.arrays(np.float64, st.integers(0, 30), elements=S.spaced(0.25, 0, 12)),
       bins=st.integers(1, 7), bounds=st.sampled_from([(0, 0), (-1, 2), (1, 1), (-3, -3)]))
def test_histc_matches_torch(a: np.ndarray, bins: int, bounds: tuple, torch: Any) -> None:
    both(torch, lambda x: x.histc(bins, *bounds), a)
    both(torch, lambda x: x.histc(bins, *bounds), a.astype(np.float32))


@FEW
@given(a=hnp.arrays(np.float64, S.shapes(1, 3, max_side=4), elements=S.spaced(0.5, 0, 3)),
       data=st.data())
def test_median_mode_with_ties_and_nan_match_torch(a: np.ndarray, data: st.DataObject,
                                                   torch: Any) -> None:
    """Values always; indices where the answer is unique (mode: its last occurrence)."""
    if data.draw(st.booleans()):
        a.flat[data.draw(st.integers(0, a.size - 1))] = np.nan
    d = data.draw(st.integers(0, a.ndim - 1))
    for name in ("median", "nanmedian"):
        both(torch, lambda x, name=name: getattr(x, name)(), a)
        mine, theirs = getattr(mg.tensor(a), name)(d), getattr(torch.tensor(a), name)(d)
        assert_same(mine.values, theirs.values)
    if not np.isnan(a).any():
        both(torch, lambda x: x.mode(d), a)


@FEW
@given(a=hnp.arrays(np.float64, S.shapes(1, 2, max_side=5), elements=S.floats()),
       data=st.data())
def test_quantile_with_nan_matches_torch(a: np.ndarray, data: st.DataObject,
                                         torch: Any) -> None:
    a.flat[:data.draw(st.integers(0, a.size))] = np.nan
    q = data.draw(st.sampled_from([0.0, 0.5, 0.77, 1.0]))
    mode = data.draw(st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"]))
    for name in ("quantile", "nanquantile"):
        for dim in (None, -1):
            both(torch, lambda x, name=name, dim=dim: getattr(x, name)(q, dim, interpolation=mode),
                 a, exact=False)


def test_quantile_refusals_match_torch() -> None:
    x = mg.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"q must be in the range \[0, 1\]"):
        x.quantile(1.5)
    with pytest.raises(RuntimeError, match="float or double"):
        mg.tensor([1, 2]).quantile(0.5)
    with pytest.raises(ValueError, match="interpolation"):
        x.quantile(0.5, interpolation="cubic")


SPECIALS = np.array([[1.5, np.nan, -np.inf], [np.inf, -2.0, 0.25]])


@pytest.mark.parametrize("name", ["nansum", "nanmean", "nan_to_num", "nanmedian"])
def test_nan_skipping_values_and_gradients_match_torch(name: str, torch: Any) -> None:
    x, t = mg.tensor(SPECIALS, requires_grad=True), torch.tensor(SPECIALS, requires_grad=True)
    args = (1,) if name in ("nansum", "nanmean") else ()
    y, r = getattr(x, name)(*args), getattr(t, name)(*args)
    assert_same(y, r)
    (g,) = mg.grad(y, [x], mg.ones_like(y))
    (ref,) = torch.autograd.grad(r, [t], torch.ones_like(r))
    assert_same(g, ref)


def test_xlogy_at_zero_matches_torch(torch: Any) -> None:
    a, b = np.array([0.0, 0.0, 0.0, 2.0]), np.array([0.0, np.nan, 3.0, 0.5])
    x, y = mg.tensor(a, requires_grad=True), mg.tensor(b, requires_grad=True)
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, ref = x.xlogy(y), tx.xlogy(ty)
    assert_same(out, ref)
    assert_same(mg.grad(out.sum(), [x])[0], torch.autograd.grad(ref.sum(), [tx])[0])
    assert_same(mg.xlogy(2, mg.tensor([0.5])), torch.xlogy(2, torch.tensor([0.5])))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erfinv_matches_torch_up_to_the_ends(dtype: Any, torch: Any) -> None:
    tails = 1 - np.logspace(-15 if dtype == np.float64 else -7, -1, 50)
    values = np.concatenate([np.linspace(-1, 1, 2001), tails, -tails, [1.5, -3, np.nan]])
    values = values.astype(dtype)
    mine, theirs = mg.tensor(values).erfinv().array, torch.tensor(values).erfinv().numpy()
    assert mine.dtype == theirs.dtype
    np.testing.assert_allclose(mine, theirs, rtol=1e-13 if dtype == np.float64 else 1e-6,
                               atol=0)


def test_integer_inputs_take_pytorch_dtypes(torch: Any) -> None:
    i = np.array([1, 2, 3])
    for fn in (lambda x: x.deg2rad(), lambda x: x.sinc(), lambda x: x.float_power(2),
               lambda x: x.nan_to_num(), lambda x: x.ldexp(x), lambda x: x.xlogy(x),
               lambda x: x.addcmul(x, x, value=2), lambda x: x.trace() if x.ndim == 2 else x,
               lambda x: x.diff(), lambda x: x.kron(x), lambda x: x.inner(x),
               lambda x: x.cov()):
        both(torch, fn, i, exact=False)
    both(torch, lambda x: x.diff(), np.array([True, False, False]))
    with pytest.raises(RuntimeError, match="integer division"):
        mg.tensor(i).addcdiv(mg.tensor(i), mg.tensor(i))


def test_matrix_function_errors() -> None:
    with pytest.raises(RuntimeError, match="singular"):
        mg.tensor([[1.0, 2.0], [2.0, 4.0]]).inverse()
    with pytest.raises(RuntimeError, match="square matrix"):
        mg.zeros(2, 3).det()
    with pytest.raises(RuntimeError, match="do not align"):
        mg.linalg.solve(mg.eye(3), mg.ones(2, 1))
    with pytest.raises(RuntimeError, match="no dim of size 3"):
        mg.zeros(2, 2).cross(mg.zeros(2, 2))
    a, b = np.arange(6.0).reshape(3, 2), np.ones((3, 2))
    np.testing.assert_array_equal(mg.tensor(a).cross(mg.tensor(b)).array,  # the first dim of 3
                                  np.cross(a, b, axis=0))
    with pytest.raises(NotImplementedError, match="atol"):
        mg.linalg.pinv(mg.eye(2), atol=0.1)
    assert_same(mg.eye(3).matrix_power(0), np.eye(3, dtype=np.float32))


@FEW
@given(a=hnp.arrays(np.float64, S.shapes(1, 2, max_side=5), elements=special_floats),
       data=st.data())
def test_float_predicates_and_steps_match_torch(a: np.ndarray, data: st.DataObject,
                                                torch: Any) -> None:
    b = data.draw(hnp.arrays(np.float64, a.shape, elements=special_floats))
    for name in ("signbit", "isposinf", "isneginf", "isreal", "frexp", "angle"):
        both(torch, lambda x, name=name: getattr(x, name)(), a)
    for name in ("fmax", "fmin", "nextafter"):
        both(torch, lambda x, y, name=name: getattr(x, name)(y), a, b)


@FEW
@given(a=hnp.arrays(np.int64, S.shapes(1, 2, max_side=4), elements=st.integers(-30, 30)),
       b=st.integers(-12, 12))
def test_gcd_lcm_match_torch(a: np.ndarray, b: int, torch: Any) -> None:
    for name in ("gcd", "lcm"):
        both(torch, lambda x, name=name: getattr(x, name)(x.new_tensor([b])), a)


@FEW
@given(a=small_ints, data=st.data())
def test_unique_consecutive_matches_torch(a: np.ndarray, data: st.DataObject,
                                          torch: Any) -> None:
    a = np.sort(a, axis=-1) if data.draw(st.booleans()) else a
    inverse, counts = data.draw(st.booleans()), data.draw(st.booleans())
    dim = data.draw(st.sampled_from([None, *range(a.ndim)]))
    both(torch, lambda x: x.unique_consecutive(return_inverse=inverse, return_counts=counts,
                                               dim=dim), a)


@FEW
@given(seq=hnp.arrays(np.float64, S.shapes(1, 2, max_side=5), elements=S.spaced(0.5, 0, 4)),
       right=st.booleans(), data=st.data())
def test_searchsorted_bucketize_isin_match_torch(seq: np.ndarray, right: bool,
                                                 data: st.DataObject, torch: Any) -> None:
    seq = np.sort(seq, -1)
    values = data.draw(hnp.arrays(np.float64, (*seq.shape[:-1], 3), elements=S.spaced(0.5, 0, 5)))
    both(torch, lambda s, v: mg_or_torch(s).searchsorted(s, v, right=right), seq, values)
    both(torch, lambda s, v: mg_or_torch(s).searchsorted(s, v, side="right", out_int32=True),
         seq, values)
    both(torch, lambda s, v: mg_or_torch(s).bucketize(v, s.reshape(-1).sort().values,
                                                      right=right), seq, values)
    both(torch, lambda s, v: mg_or_torch(s).isin(v, s), seq, values)
    both(torch, lambda s, v: mg_or_torch(s).isin(v, s, invert=True), seq, values)


def mg_or_torch(t: Any) -> Any:
    """The library t belongs to (for functions only offered at the top level)."""
    if isinstance(t, mg.Tensor):
        return mg
    import torch
    return torch


def test_index_grids_and_misc_methods_match_torch(torch: Any) -> None:
    for fn in (lambda lib: lib.tril_indices(3, 4, 1), lambda lib: lib.triu_indices(4, 3, -1),
               lambda lib: lib.tril_indices(3, 3, dtype=lib.int32),
               lambda lib: lib.tensor([[0, 1.5], [0, 0], [2, 0]]).argwhere(),
               lambda lib: lib.tensor([[1.0, 2.0], [3.0, 4.0]]).positive(),
               lambda lib: lib.zeros(3, 4).fill_diagonal_(2.5),
               lambda lib: lib.zeros(7, 3).fill_diagonal_(1, wrap=True),
               lambda lib: lib.zeros(3, 3, 3).fill_diagonal_(-1)):
        assert_same(fn(mg), fn(torch))
    assert mg.tensor([0.5]).is_nonzero() and not mg.tensor([[0.0]]).is_nonzero()
    with pytest.raises(RuntimeError, match="one element"):
        mg.tensor([1.0, 2.0]).is_nonzero()
    assert mg.zeros(2, 3).is_same_size(mg.ones(2, 3))
    assert mg.broadcast_shapes((2, 1), (3,), 1) == tuple(torch.broadcast_shapes((2, 1), (3,), 1))
    with pytest.raises(RuntimeError, match="do not broadcast"):
        mg.broadcast_shapes((2,), (3,))


def test_multinomial_draws_by_weight_and_follows_the_generator() -> None:
    weights = mg.tensor([[0.0, 1.0, 3.0], [5.0, 0.0, 5.0]])
    g = mg.Generator().manual_seed(3)
    draws = weights.multinomial(4000, replacement=True, generator=g)
    assert draws.shape == (2, 4000) and draws.dtype == np.int64
    assert abs((draws[0] == 2).float().mean().item() - 0.75) < 0.03
    assert (draws[1] != 1).all().item()
    without = mg.multinomial(mg.tensor([1.0, 2.0, 3.0, 0.5]), 4)
    assert sorted(without.tolist()) == [0, 1, 2, 3]
    again = mg.tensor([[0.0, 1.0, 3.0]]).multinomial(2, generator=mg.Generator().manual_seed(3))
    assert again.tolist() == mg.tensor([[0.0, 1.0, 3.0]]).multinomial(
        2, generator=mg.Generator().manual_seed(3)).tolist()
    with pytest.raises(RuntimeError, match="without replacement from 3 categories"):
        weights.multinomial(4)
    # as torch: past the nonzero-weight categories come the zero-weight ones (torch's order
    # among those is its topk's order of ties; here it is index order)
    assert weights.multinomial(3)[:, 2].tolist() == [0, 1]
    assert mg.tensor([0.0, 4.0, 0.0, 0.0]).multinomial(4).tolist() == [1, 0, 2, 3]
    with pytest.raises(RuntimeError, match="non-negative"):
        mg.tensor([1.0, -1.0]).multinomial(1)


@pytest.mark.parametrize("n", [None, 0, 1, 2, 3])
def test_gamma_functions_far_out_and_at_poles_match_torch(n: int | None, torch: Any) -> None:
    """lgamma (n None) and polygamma(n) from -20 to 1e5, poles included; PyTorch's own
    trigamma is good to ~5e-10 only, and digamma loses digits near its root at 1.46."""
    x = np.concatenate([np.linspace(-20.5, 30, 801), np.logspace(-6, 5, 60),
                        [0.0, -1.0, -2.0, 1.0, 2.0]])
    t = torch.tensor(x)
    mine = mg.tensor(x).lgamma() if n is None else mg.tensor(x).polygamma(n)
    theirs = t.lgamma() if n is None else t.polygamma(n)
    tol = {None: 1e-12, 0: 1e-9, 1: 1e-8, 2: 1e-11, 3: 1e-12}[n]
    if n == 1:  # PyTorch's trigamma is finite (~1e32) at the negative poles; minigrad's is inf
        poles = (x < 0) & (x == np.floor(x))
        assert np.all(mine.array[poles] == np.inf)
        mine, theirs = mine[mg.tensor(~poles)], theirs[~torch.tensor(poles)]
    np.testing.assert_allclose(mine.array, theirs.numpy(), rtol=tol, atol=1e-12)
    assert mg.tensor([1, 2]).lgamma().dtype == np.float32
    assert mg.tensor([0.5]).mvlgamma(3).item() == torch.tensor([0.5]).mvlgamma(3).item()


def test_index_helpers_match_torch(torch: Any) -> None:
    for fn in (lambda lib: lib.unravel_index(lib.tensor([4, 1, -1]), (2, 3)),
               lambda lib: lib.vander(lib.tensor([1, 2, 3])),
               lambda lib: lib.vander(lib.tensor([1.0, -2.0]), N=3, increasing=True),
               lambda lib: lib.vander(lib.tensor([True, False])),
               lambda lib: lib.combinations(lib.tensor([1, 2, 3]), 3, with_replacement=True),
               lambda lib: lib.combinations(lib.tensor([1.0, 2.0]), 3)):
        assert_same(fn(mg), fn(torch))
    with pytest.raises(RuntimeError, match="integers in"):
        mg.unravel_index(mg.tensor([6]), (2, 3))
