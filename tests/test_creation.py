"""Creation functions against PyTorch: sizes as varargs, a sequence or size=, dtypes, devices,
requires_grad, and the values of the deterministic ones."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad.testing.strategies import shapes

SIZED = ["zeros", "ones", "empty", "rand", "randn"]


def _dtype_name(dtype) -> str:
    return str(dtype).removeprefix("torch.").replace("bool_", "bool")


@settings(max_examples=15)
@given(shape=shapes(min_dims=0, max_dims=3, min_side=0), name=st.sampled_from(SIZED))
def test_sizes_in_every_spelling(shape, name, torch):
    make, make_t = getattr(mg, name), getattr(torch, name)
    spellings = [((shape,), {}), ((list(shape),), {}), ((), {"size": shape})]
    for args, kwargs in spellings + ([((*shape,), {})] if shape else []):
        ours, theirs = make(*args, **kwargs), make_t(*args, **kwargs)
        assert ours.shape == tuple(theirs.shape)
        assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype)
    ours = make(*shape, dtype=mg.float64, device="cpu", requires_grad=True)
    assert ours.dtype == np.float64 and ours.requires_grad and ours.is_leaf


@settings(max_examples=15)
@given(shape=shapes(min_dims=1, max_dims=3, min_side=0),
       fill=st.sampled_from([2, 2.5, True, -1]))
def test_full_and_like_forms(shape, fill, torch):
    ours, theirs = mg.full(shape, fill), torch.full(shape, fill)
    assert ours.shape == tuple(theirs.shape) and _dtype_name(ours.dtype) == _dtype_name(
        theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    x, xt = mg.ones(shape, dtype=mg.float64), torch.ones(shape, dtype=torch.float64)
    for name in ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"):
        a, b = getattr(mg, name)(x), getattr(torch, name)(xt)
        assert a.shape == tuple(b.shape) and _dtype_name(a.dtype) == _dtype_name(b.dtype), name
    assert mg.full_like(x, 3).dtype == np.float64
    assert mg.zeros_like(x, dtype=mg.int32).dtype == np.int32


@pytest.mark.parametrize("args, kwargs", [
    ((5,), {}), ((2, 7), {}), ((0, 1, 0.25), {}), ((1, 0, -0.3), {}), ((0.5,), {}),
    ((3,), {"dtype": "float64"}), ((-2, 2), {"step": 0.5}),
])
def test_arange_matches_torch(args, kwargs, torch):
    ours = mg.arange(*args, **kwargs)
    kwargs = {k: getattr(torch, v) if k == "dtype" else v for k, v in kwargs.items()}
    theirs = torch.arange(*args, **kwargs)
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("make", [
    lambda lib: lib.linspace(0, 1, 5), lambda lib: lib.linspace(-3, 3, steps=7),
    lambda lib: lib.logspace(0, 2, 3), lambda lib: lib.logspace(0, 3, 4, base=2),
    lambda lib: lib.eye(3), lambda lib: lib.eye(2, 4), lambda lib: lib.eye(3, dtype=lib.int64),
    lambda lib: lib.tensor([[1, 2], [3, 4]]), lambda lib: lib.tensor(2.5),
    lambda lib: lib.as_tensor([1.0, 2.0]), lambda lib: lib.tensor([True, False]),
])
def test_deterministic_constructors_match_torch(make, torch):
    ours, theirs = make(mg), make(torch)
    assert ours.shape == tuple(theirs.shape)
    assert _dtype_name(ours.dtype) == _dtype_name(theirs.dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_random_constructors_have_torch_dtypes_and_ranges(torch):
    for lib in (mg, torch):
        r = lib.randint(3, 7, (500,))
        assert _dtype_name(r.dtype) == "int64" and r.min() >= 3 and r.max() < 7
        assert lib.randint(5, size=(2, 3)).shape == (2, 3)
        assert lib.randint(low=2, high=4, size=(2,)).shape == (2,)
        p = lib.randperm(10)
        assert sorted(p.tolist()) == list(range(10)) and _dtype_name(p.dtype) == "int64"
        n = lib.normal(2.0, 0.5, size=(4000,))
        assert abs(n.mean().item() - 2.0) < 0.05 and abs(n.std().item() - 0.5) < 0.05
        assert lib.normal(lib.zeros(3), 1.0).shape == (3,)
        assert lib.normal(lib.zeros(2, 1), lib.ones(3)).shape == (2, 3)
        u = lib.rand(1000)
        assert u.min() >= 0 and u.max() < 1


def test_from_numpy_and_as_tensor_share_memory(torch):
    a = np.zeros(3, np.float32)
    for lib in (mg, torch):
        t, s = lib.from_numpy(a), lib.as_tensor(a)
        a[0] = 5
        assert t[0].item() == 5 and s[0].item() == 5
        a[0] = 0
    copied = mg.tensor(a)
    a[1] = 7
    assert copied[1].item() == 0


def test_tensor_of_a_tensor_is_a_detached_copy():
    x = mg.ones(2, requires_grad=True)
    y = mg.tensor(x)
    assert not y.requires_grad and y.array is not x.array


@pytest.mark.parametrize("make, error, message", [
    (lambda: mg.zeros(-1, 3), RuntimeError, r"zeros: negative dimension -1 in size \(-1, 3\)"),
    (lambda: mg.ones(2.5), TypeError, "ones: size must be ints, got 2.5"),
    (lambda: mg.randn(2, size=(2,)), TypeError, "not both"),
    (lambda: mg.rand(2, dtype=mg.int64), TypeError, "rand: needs a floating point dtype"),
    (lambda: mg.randint(5, 2, (3,)), RuntimeError, "low must be below high"),
    (lambda: mg.randint(5), TypeError, "needs high and size"),
    (lambda: mg.arange(0, 1, 0), RuntimeError, "step must be nonzero"),
    (lambda: mg.zeros(2, dtype=mg.int64, requires_grad=True), RuntimeError,
     "only Tensors of floating point and complex dtype can require gradients"),
    (lambda: mg.normal(0.0, 1.0), TypeError, "pass size="),
    (lambda: mg.randn(2, generator=3), TypeError, "generator must be a minigrad.Generator"),
])
def test_bad_arguments_are_named(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_errors_have_torch_types(torch):
    for lib in (mg, torch):
        with pytest.raises(RuntimeError):
            lib.zeros(-1)
        with pytest.raises(RuntimeError):
            lib.zeros(2, dtype=lib.int64, requires_grad=True)
        with pytest.raises(RuntimeError):
            lib.arange(0, 1, 0)
