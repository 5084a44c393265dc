"""The Tensor API: construction and dtype rules, constructors, mixing with numpy arrays and Python
numbers, attributes, conversion, comparisons, and repr. Autograd itself is in test_autograd.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import Tensor
from minigrad.testing import strategies


# *** construction and dtypes ***
@pytest.mark.parametrize("data, dtype", [
    (1.5, np.float32), ([1.0, 2.0], np.float32), ([[1, 2.5]], np.float32),
    (3, np.int64), ([1, 2], np.int64), (True, np.bool_), ([True, False], np.bool_),
    (np.float64(2.0), np.float64), (np.zeros(2, np.float64), np.float64),
    (np.zeros(2, np.float16), np.float16), (np.zeros(2, np.int32), np.int32),
    (np.int32(4), np.int32),
])
def test_dtype_follows_pytorch_rules(data, dtype):
    assert mg.tensor(data).dtype == dtype
    if not isinstance(data, (int, list)) or isinstance(data, bool):  # see test_program_gaps
        assert Tensor(data).dtype == dtype


@pytest.mark.parametrize("data", [1.5, [1.0, 2.0], 3, [1, 2], True, [[1, 2.5]]])
def test_inferred_dtype_matches_pytorch(data, torch):
    expected = str(torch.tensor(data).dtype).removeprefix("torch.")
    assert str(mg.tensor(data).dtype).replace("bool_", "bool") == expected


def test_explicit_dtype_and_requires_grad():
    t = mg.tensor([1, 2], dtype=mg.float64, requires_grad=True)
    assert t.dtype == np.float64 and t.requires_grad and t.is_leaf and t.grad is None
    assert mg.tensor([1.5], dtype=mg.int64).dtype == np.int64


def test_construction_copies_the_data():
    source = np.array([1.0, 2.0])
    t = mg.tensor(source)
    source[0] = 100.0
    u = Tensor(t)
    t.array[1] = -5.0
    assert t.array[0] == 1.0 and u.array[1] == 2.0


def test_strings_and_objects_are_refused():
    with pytest.raises(TypeError, match="cannot make a tensor from str"):
        mg.tensor("abc")
    with pytest.raises(TypeError, match="cannot make a tensor"):
        mg.tensor([object()])


# *** constructors ***
@pytest.mark.parametrize("make", [mg.zeros, mg.ones, mg.randn, mg.rand])
def test_shape_constructors(make):
    for t in (make(2, 3), make((2, 3)), make([2, 3])):
        assert t.shape == (2, 3) and t.dtype == np.float32 and not t.requires_grad
    t = make(4, dtype=mg.float64, requires_grad=True)
    assert t.shape == (4,) and t.dtype == np.float64 and t.requires_grad
    assert make().shape == ()


def test_constructor_values():
    np.testing.assert_array_equal(mg.zeros(2, 2).array, np.zeros((2, 2)))
    np.testing.assert_array_equal(mg.ones(3).array, np.ones(3))
    np.testing.assert_array_equal(mg.full((2, 3), 7.5).array, np.full((2, 3), 7.5))
    assert mg.full(3, 2.0, requires_grad=True).requires_grad
    np.testing.assert_array_equal(mg.eye(3).array, np.eye(3))
    np.testing.assert_array_equal(mg.eye(2, 3).array, np.eye(2, 3))
    u = mg.rand(1000)
    assert 0 <= u.array.min() and u.array.max() < 1
    n = mg.randn(10_000)
    assert abs(n.array.mean()) < 0.05 and abs(n.array.std() - 1) < 0.05


def test_like_constructors_keep_shape_and_dtype():
    x = mg.randn(2, 3, dtype=mg.float64)
    for make, value in ((mg.zeros_like, 0.0), (mg.ones_like, 1.0)):
        t = make(x)
        assert t.shape == (2, 3) and t.dtype == np.float64 and (t.array == value).all()
        assert make(x, dtype=mg.float32).dtype == np.float32
        assert make(x, requires_grad=True).requires_grad


def test_arange_dtypes_and_values():
    np.testing.assert_array_equal(mg.arange(4).array, [0, 1, 2, 3])
    assert mg.arange(4).dtype == np.int64
    np.testing.assert_array_equal(mg.arange(2, 8, 3).array, [2, 5])
    f = mg.arange(0, 1, 0.25)
    assert f.dtype == np.float32
    np.testing.assert_allclose(f.array, [0, 0.25, 0.5, 0.75])
    assert mg.arange(3, dtype=mg.float64, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        mg.arange(3, requires_grad=True)


def test_manual_seed_makes_random_tensors_reproducible():
    mg.manual_seed(123)
    first = mg.randn(5).array, mg.rand(5).array
    mg.manual_seed(123)
    second = mg.randn(5).array, mg.rand(5).array
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(mg.randn(5).array, first[0])


# *** mixing with numpy and Python numbers ***
@pytest.mark.parametrize("scalar", [2, 2.5, True, np.float64(2.5), np.int64(3), np.float16(2),
                                    np.array(2.5)])
def test_scalars_never_promote_a_float32_tensor(scalar):
    x = mg.tensor([1.0, 2.0])
    for out in (x + scalar, scalar + x, x * scalar, scalar * x, x / scalar, scalar / x,
                x**scalar, x.maximum(scalar), mg.where(x > 1, x, scalar)):
        assert out.dtype == np.float32
    if scalar is not True:  # subtracting a bool is an error, as in PyTorch
        assert (x - scalar).dtype == np.float32 and (scalar - x).dtype == np.float32


def test_int_meeting_float_takes_the_float_dtype_as_in_pytorch():
    assert (mg.arange(3) * 0.5).dtype == np.float32
    assert (mg.arange(3) / 2).dtype == np.float32
    assert (mg.arange(3) + 1).dtype == np.int64
    assert (mg.ones(3) + mg.arange(3)).dtype == np.float32
    assert (mg.arange(3) - mg.ones(3, dtype=mg.float64)).dtype == np.float64
    assert (mg.ones(2) * mg.tensor([True, False])).dtype == np.float32
    x = mg.ones(3, requires_grad=True)
    (x * mg.arange(3)).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [0.0, 1.0, 2.0]


def test_numpy_arrays_mix_in_as_constants_on_either_side():
    x = mg.tensor([1.0, 2.0, 3.0], dtype=mg.float64, requires_grad=True)
    ones, m = np.ones(3), np.arange(6.0).reshape(2, 3)
    results = [x * ones, ones * x, 2 - x, ones - x, ones + x, ones / x, m @ x, x @ m.T,
               x**ones, ones**x]
    assert all(isinstance(r, Tensor) and r.requires_grad for r in results)
    np.testing.assert_allclose((m @ x).array, m @ x.array)
    (m @ x).sum().backward()
    np.testing.assert_allclose(x.grad.array, m.sum(0))


def test_a_float64_array_meeting_a_float32_tensor_follows_numpy():
    # arrays are not scalars: float32 tensor * float64 array is float64, as torch does for
    # a float64 tensor made from that array
    assert (mg.ones(3) * np.ones(3)).dtype == np.float64
    assert (mg.ones(3) * np.ones(3, np.float32)).dtype == np.float32


def test_float64_is_fully_supported():
    x = mg.randn(3, 4, dtype=mg.float64, requires_grad=True)
    w = mg.randn(4, 2, dtype=mg.float64, requires_grad=True)
    y = ((x @ w).relu() + 1).log().softmax(1).sum() * 0.5 + x.tanh().mean()
    assert y.dtype == np.float64
    y.backward()
    assert x.grad.dtype == np.float64 and w.grad.dtype == np.float64


# *** attributes ***
def test_attributes():
    x = mg.randn(2, 3, 4)
    assert x.shape == (2, 3, 4) and x.ndim == 3 and x.dim() == 3 and x.numel() == 24
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4
    assert len(x) == 2 and isinstance(x.array, np.ndarray)
    assert x.T.shape == (4, 3, 2) and x.mT.shape == (2, 4, 3)
    np.testing.assert_array_equal(x.T.array, x.array.T)
    np.testing.assert_array_equal(x.mT.array, np.swapaxes(x.array, -1, -2))
    with pytest.raises(IndexError, match=r"range of \[-3, 2\], but got 3"):
        x.size(3)
    with pytest.raises(TypeError, match="0-d"):
        len(mg.tensor(1.0))


def test_leaf_and_grad_fn():
    x = mg.ones(2, requires_grad=True)
    y = x * 2
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.requires_grad and y.grad_fn.name() == "MulBackward"
    assert mg.ones(2).is_leaf and (mg.ones(2) * 2).is_leaf  # nothing to record
    assert y.requires_grad_() is y  # already requires grad: allowed, as in PyTorch
    with pytest.raises(RuntimeError, match="only leaf tensors"):
        y.requires_grad_(False)


def test_requires_grad_can_be_switched_on_and_off_for_leaves():
    x = mg.ones(2)
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad and not (x * 2).requires_grad


# *** conversion ***
def test_numpy_item_and_python_numbers():
    x = mg.tensor([[2.5]])
    assert x.item() == 2.5 and float(x) == 2.5 and int(x) == 2 and bool(x)
    assert isinstance(mg.tensor(3).item(), int)
    assert x.numpy() is x.array and x.tolist() == [[2.5]]
    np.testing.assert_array_equal(np.asarray(x), x.array)
    with pytest.raises(ValueError, match=r"only one-element tensors.*\(2,\)"):
        mg.ones(2).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(mg.ones(2))


def test_numpy_of_a_tensor_that_requires_grad_needs_detach():
    x = mg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        x.numpy()
    assert x.detach().numpy() is x.array


def test_dtype_conversions_are_differentiable():
    x = mg.tensor([1.5, -2.5], requires_grad=True)
    d = x.double()
    assert d.dtype == np.float64 and x.float() is x
    (d * d).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.array, 2 * x.array)
    assert x.long().dtype == np.int64 and x.to(mg.float16).dtype == np.float16


def test_iteration_gives_rows():
    rows = list(mg.arange(6).reshape(3, 2))
    assert len(rows) == 3 and rows[2].tolist() == [4, 5]


# *** comparisons, step and max ***
@pytest.mark.parametrize("compare", [
    lambda a, b: a < b, lambda a, b: a <= b, lambda a, b: a > b, lambda a, b: a >= b,
    lambda a, b: a == b, lambda a, b: a != b,
])
def test_comparisons_return_tensors_without_gradient(compare):
    a = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = mg.tensor([3.0, 2.0, 1.0])
    out = compare(a, b)
    assert isinstance(out, Tensor) and out.dtype == np.bool_
    assert not out.requires_grad and out.grad_fn is None
    np.testing.assert_array_equal(out.array, compare(a.array, b.array))
    np.testing.assert_array_equal(compare(a, 2.0).array, compare(a.array, 2.0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_heaviside_matches_torch(torch, dtype):
    x = np.array([[-1.5, -0.0, 0.0, 2.0], [np.nan, -np.inf, np.inf, 0.0]])
    if dtype == np.int64:
        x = np.array([[-2, 0, 3, 0], [1, 0, -1, 5]])
    x = x.astype(dtype)
    for values in (np.array(0.5 if dtype != np.int64 else 7, dtype), np.arange(4).astype(dtype)):
        ours = mg.heaviside(mg.tensor(x, requires_grad=dtype != np.int64), mg.tensor(values))
        theirs = torch.heaviside(torch.tensor(x), torch.tensor(values))
        assert ours.dtype == dtype and not ours.requires_grad
        np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_heaviside_refuses_what_torch_refuses():
    x = mg.tensor([-1.0, 0.0, 1.0])
    with pytest.raises(TypeError, match="heaviside: values must be a Tensor, got float"):
        mg.heaviside(x, 1.0)
    with pytest.raises(RuntimeError, match=r"input \(float32\) and values \(float64\)"):
        mg.heaviside(x, mg.tensor(1.0, dtype=np.float64))
    with pytest.raises(ValueError, match="heaviside"):
        mg.heaviside(x, mg.tensor([1.0, 2.0]))


def test_step_is_deprecated_for_heaviside_and_unchanged():
    x = mg.tensor([-1.0, -0.0, 0.0, 2.0], requires_grad=True)
    with pytest.warns(DeprecationWarning, match=r"use minigrad.heaviside\(x, "):
        s = mg.step(x)
    np.testing.assert_array_equal(s.array, [0.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(s.array, mg.heaviside(x, mg.ones_like(x)).array)
    assert s.dtype == np.float32 and not s.requires_grad
    with pytest.warns(DeprecationWarning):
        assert x.step().tolist() == s.tolist()
        assert mg.step(mg.tensor([-2, 0, 3])).tolist() == [0.0, 1.0, 1.0]
    assert "step" not in mg.__all__ and "heaviside" in mg.__all__


def test_max_with_dim_returns_values_and_indices():
    x = mg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.5]], requires_grad=True)
    values, indices = x.max(1)
    assert x.max(dim=1).values is not None and x.min(1).indices.tolist() == [0, 1]
    np.testing.assert_array_equal(values.array, [5.0, 7.5])
    np.testing.assert_array_equal(indices.array, [1, 2])
    assert indices.dtype == np.int64 and not indices.requires_grad
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[0, 1, 0], [0, 0, 1]])
    assert x.max().item() == 7.5 and x.max(0, keepdim=True).values.shape == (1, 3)


def test_max_and_min_match_pytorch(torch):
    data = np.array([[1.0, 5.0, 2.0], [7.0, -1.0, 7.5]])
    ours, theirs = mg.tensor(data), torch.tensor(data)
    for dim in (0, 1, -1):
        for name in ("max", "min"):
            v, i = getattr(ours, name)(dim)
            tv, ti = getattr(theirs, name)(dim)
            np.testing.assert_array_equal(v.array, tv.numpy())
            np.testing.assert_array_equal(i.array, ti.numpy())


# *** repr ***
def test_repr():
    assert repr(mg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(mg.tensor([1.5], requires_grad=True)) == "tensor([1.5000], requires_grad=True)"
    assert repr(mg.tensor([1.0], dtype=mg.float64)) == "tensor([1.], dtype=float64)"
    assert repr(mg.tensor([1, 2])) == "tensor([1, 2])"
    y = mg.tensor([1.0], requires_grad=True) * 2
    assert repr(y) == "tensor([2.], grad_fn=<MulBackward>)"
    assert "\n" in repr(mg.zeros(2, 2))


# *** property-based: elementwise arithmetic agrees with numpy ***
@given(arrays=strategies.broadcastable_arrays(strategies.floats(), strategies.floats()),
       op=st.sampled_from(["__add__", "__sub__", "__mul__", "__rsub__", "__radd__"]))
def test_arithmetic_with_arrays_and_tensors_agrees_with_numpy(arrays, op):
    a, b = arrays
    expected = getattr(a, op)(b)
    for right in (mg.tensor(b), b):
        out = getattr(mg.tensor(a), op)(right)
        assert out.shape == expected.shape
        np.testing.assert_allclose(out.array, expected)


@pytest.mark.parametrize("reduce", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_along_a_dim_send_tied_gradients_to_the_returned_index(torch, reduce, keepdim):
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [0.0, 0.0, 0.0]])
    ours = mg.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    values, indices = getattr(ours, reduce)(1, keepdim=keepdim)
    t_values, t_indices = getattr(theirs, reduce)(1, keepdim=keepdim)
    weights = np.arange(1.0, 4.0).reshape(values.shape)
    (values * weights).sum().backward()
    (t_values * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(indices.numpy(), t_indices.numpy())
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    getattr(ours, reduce)().backward()  # a full reduction shares the gradient among ties
    getattr(theirs, reduce)().backward()
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


def test_a_one_element_integer_tensor_is_an_index_as_in_pytorch(torch):
    classes = ("plane", "car", "bird")
    for lib in (mg, torch):
        predicted = lib.tensor([2, 0])
        assert classes[predicted[0]] == "bird" and list(range(lib.tensor(2))) == [0, 1]
        assert [10, 11, 12][lib.tensor([1]):] == [11, 12]
        for bad in (lib.tensor(1.0), lib.tensor([1, 2])):
            with pytest.raises(TypeError, match="only integer tensors of a single element"):
                classes[bad]
