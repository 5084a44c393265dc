"""dtypes and devices with PyTorch's names, and PyTorch's type promotion, checked against torch."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import minigrad as mg

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
ALIASES = {"float": "float32", "double": "float64", "half": "float16", "long": "int64",
           "int": "int32", "short": "int16"}


def values(name: str, shape: tuple) -> np.ndarray:
    """Small positive values of dtype name (so every op below is defined for them)."""
    return (np.arange(1, 1 + int(np.prod(shape))).reshape(shape) % 3 + 1).astype(name)


@pytest.fixture
def default_float32():
    yield
    mg.set_default_dtype(mg.float32)


# *** dtype objects ***
@pytest.mark.parametrize("name", NAMES)
def test_dtypes_equal_the_numpy_dtypes(name, torch):
    assert getattr(mg, name) == np.dtype(name)
    assert mg.zeros(2, dtype=getattr(mg, name)).dtype is getattr(mg, name)
    assert str(getattr(torch, name)) == "torch." + name


@pytest.mark.parametrize("alias, name", ALIASES.items())
def test_short_names_alias_the_dtypes(alias, name, torch):
    assert getattr(mg, alias) is getattr(mg, name)
    assert getattr(torch, alias) is getattr(torch, name)


def test_builtins_are_not_shadowed_outside_the_namespace():
    assert float("1.5") == 1.5 and int("3") == 3 and bool(1) is True
    assert isinstance(mg.float, np.dtype)


@pytest.mark.parametrize("dtype, expected", [
    (float, np.float64), (int, np.int64), (bool, np.bool_), ("float32", np.float32),
    ("torch.float64", np.float64), (np.float16, np.float16), (mg.long, np.int64),
])
def test_dtype_spellings(dtype, expected):
    assert mg.zeros(1, dtype=dtype).dtype == expected


def test_unknown_dtype_is_refused_by_name():
    with pytest.raises(TypeError, match="'float33' is not a dtype"):
        mg.zeros(2, dtype="float33")
    with pytest.raises(TypeError, match="is not a dtype"):
        mg.tensor([1], dtype=str)


# *** the default dtype ***
def test_default_dtype(default_float32, torch):
    assert mg.get_default_dtype() is mg.float32
    mg.set_default_dtype(mg.float64)
    assert mg.tensor([1.5]).dtype == np.float64 and mg.zeros(2).dtype == np.float64
    assert mg.randn(2).dtype == np.float64 and mg.arange(0, 1, 0.5).dtype == np.float64
    assert (mg.tensor([1, 2]) / 2).dtype == np.float64
    assert mg.tensor([1]).dtype == np.int64  # ints stay int64
    assert mg.tensor([0.1]).item() == 0.1  # no detour through float32
    with pytest.raises(TypeError, match="only floating point"):
        mg.set_default_dtype(mg.int64)
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)


# *** conversions ***
@pytest.mark.parametrize("method, name", [
    ("float", "float32"), ("double", "float64"), ("half", "float16"), ("int", "int32"),
    ("long", "int64"), ("bool", "bool"), ("short", "int16"),
])
def test_conversion_methods_match_torch(method, name, torch):
    data = [[0.0, 1.5], [-2.5, 3.0]]
    got = getattr(mg.tensor(data), method)()
    expected = getattr(torch.tensor(data), method)()
    assert got.dtype == np.dtype(name) and str(expected.dtype) == "torch." + name
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_to_accepts_dtype_device_tensor_and_keywords():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    assert x.to("cpu") is x and x.to(mg.device("cpu")) is x and x.to(mg.float32) is x
    assert x.to(mg.float64).dtype == np.float64
    assert x.to("cpu", mg.float16).dtype == np.float16
    assert x.to(mg.zeros(1, dtype=mg.int32)).dtype == np.int32
    assert x.to(device="cpu", dtype=mg.float64).dtype == np.float64
    assert x.to(mg.float32, copy=True) is not x
    assert x.cpu() is x and x.device == mg.device("cpu") and x.device == "cpu"
    y = x.double()
    (y * y).sum().backward()  # differentiable, gradient in x's dtype
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_type_names_and_conversion(torch):
    x = mg.tensor([1, 2])
    assert x.type() == "minigrad.LongTensor" and torch.tensor([1, 2]).type() == "torch.LongTensor"
    assert mg.tensor([1.0]).type() == "minigrad.FloatTensor"
    assert x.type(mg.float64).dtype == np.float64
    assert x.type("torch.DoubleTensor").dtype == np.float64
    assert x.type_as(mg.zeros(1)).dtype == np.float32


def test_new_tensor_methods_follow_the_tensor(torch):
    for lib in (mg, torch):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64)
        assert x.new_zeros(2, 3).shape == (2, 3) and x.new_zeros((2, 3)).dtype == lib.float64
        assert x.new_ones(2).dtype == lib.float64
        assert x.new_full((2,), 3).dtype == lib.float64
        assert x.new_tensor([1, 2]).dtype == lib.float64
        assert x.new_empty(4).shape == (4,)
        assert x.new_zeros(2, dtype=lib.int64).dtype == lib.int64


# *** devices ***
def test_device_objects(torch):
    for lib in (mg, torch):
        d = lib.device("cpu")
        assert d.type == "cpu" and d.index is None and str(d) == "cpu"
        assert lib.device("cpu:0").index == 0 and lib.device("cpu", 0) == lib.device("cpu:0")
        assert lib.zeros(2, device="cpu").device == d
        assert lib.zeros(2, device=d).device.type == "cpu"
        assert lib.cuda.is_available() is False and lib.cuda.device_count() == 0
    assert repr(mg.device("cpu")) == repr(torch.device("cpu"))


@pytest.mark.parametrize("make", [
    lambda: mg.zeros(2, device="cuda"), lambda: mg.tensor([1.0], device="cuda:0"),
    lambda: mg.ones(2).to("cuda"), lambda: mg.ones(2).cuda(), lambda: mg.device("mps"),
    lambda: mg.randn(2, device=mg.device("cuda")), lambda: mg.nn.Linear(2, 3, device="cuda"),
    lambda: mg.nn.Linear(2, 3).to("cuda"),
])
def test_other_devices_say_minigrad_is_cpu_only(make):
    with pytest.raises(RuntimeError, match="minigrad computes on the CPU with numpy"):
        make()


def test_unknown_device_type():
    with pytest.raises(RuntimeError, match="unknown device type 'gpu'"):
        mg.device("gpu")


def test_device_maps_to_its_array_module():
    from minigrad.device import BACKENDS, array_module

    assert array_module("cpu") is np and array_module(None) is np and BACKENDS["cpu"] is np


def test_cuda_seed_functions_run(torch):
    for lib in (mg, torch):
        lib.cuda.manual_seed_all(0)
        lib.cuda.manual_seed(0)
        assert lib.backends.mps.is_available() is False


# *** type promotion against PyTorch ***
OPS = {
    "add": lambda a, b: a + b, "mul": lambda a, b: a * b, "div": lambda a, b: a / b,
    "sub": lambda a, b: a - b, "lt": lambda a, b: a < b, "maximum": lambda a, b: a.maximum(b),
}


def _pairs() -> list[tuple[str, str]]:
    return list(itertools.product(NAMES, NAMES))


def _check(op: str, a_mg, b_mg, a_t, b_t, torch) -> None:
    fn = OPS[op]
    try:
        expected = fn(a_t, b_t)
    except RuntimeError:
        with pytest.raises((RuntimeError, TypeError)):
            fn(a_mg, b_mg)
        return
    got = fn(a_mg, b_mg)
    assert str(got.dtype).replace("bool_", "bool") == str(expected.dtype)[len("torch."):], (
        op, a_t.dtype, b_t.dtype)
    rtol = 1e-3 if "float16" in (str(got.dtype), str(expected.dtype)) else 1e-6
    np.testing.assert_allclose(got.numpy().astype(np.float64),
                               expected.numpy().astype(np.float64), rtol=rtol)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("a, b", _pairs())
def test_tensor_tensor_promotion_matches_torch(a, b, op, torch):
    x, y = values(a, (2, 3)), values(b, (3,))
    _check(op, mg.tensor(x), mg.tensor(y), torch.tensor(x), torch.tensor(y), torch)


@pytest.mark.parametrize("a, b", _pairs())
def test_zero_dim_tensors_count_less_than_dimensioned_ones(a, b, torch):
    x, y = values(a, (3,)), values(b, ())
    for op in ("add", "mul", "div"):
        _check(op, mg.tensor(x), mg.tensor(y), torch.tensor(x), torch.tensor(y), torch)
        _check(op, mg.tensor(y), mg.tensor(x), torch.tensor(y), torch.tensor(x), torch)


@pytest.mark.parametrize("scalar", [2, 2.5, True, np.float64(2.5), np.int32(3)])
@pytest.mark.parametrize("a", NAMES)
def test_tensor_scalar_promotion_matches_torch(a, scalar, torch):
    x = values(a, (3,))
    for op in ("add", "mul", "div", "sub"):
        _check(op, mg.tensor(x), scalar, torch.tensor(x), scalar, torch)
        _check(op, scalar, mg.tensor(x), scalar, torch.tensor(x), torch)


def test_promotion_keeps_gradients_through_the_cast():
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    w = mg.tensor(3.0, requires_grad=True)  # 0-d float32
    y = (x * w).sum()  # computed in float64: w is cast, differentiably
    assert y.dtype == np.float64
    y.backward()
    assert w.grad.dtype == np.float32 and w.grad.item() == pytest.approx(3.0)
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


def test_can_cast_matches_torch(torch):
    for a, b in _pairs():
        assert mg.can_cast(getattr(mg, a), getattr(mg, b)) == torch.can_cast(
            getattr(torch, a), getattr(torch, b)), (a, b)


def test_result_type_and_promote_types_match_torch(torch):
    for a, b in _pairs():
        expected = str(torch.promote_types(getattr(torch, a), getattr(torch, b)))
        assert "torch." + str(mg.promote_types(getattr(mg, a), getattr(mg, b))).replace(
            "bool_", "bool") == expected.replace("bool_", "bool")
    assert mg.result_type(mg.tensor([1, 2]), 1.5) == np.float32
    assert str(torch.result_type(torch.tensor([1, 2]), 1.5)) == "torch.float32"
