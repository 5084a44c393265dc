"""Regression tests for results that silently differed from PyTorch (issue 11, items 1, 2, 4 and
6): each failed before the fix."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import minigrad as mg

INT32_MIN, INT64_MIN = np.iinfo(np.int32).min, np.iinfo(np.int64).min


# *** 1: min and minimum at the integer type's minimum, and on bools ***
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_minimum_at_the_integer_minimum(dtype: Any, torch: Any) -> None:
    low = np.iinfo(dtype).min
    a, b = np.array([5, -3, low], dtype), np.array([low, 0, 7], dtype)
    out = mg.ops.minimum(mg.tensor(a), mg.tensor(b))
    ref = torch.minimum(torch.tensor(a), torch.tensor(b)).numpy()
    assert out.dtype == ref.dtype and out.tolist() == ref.tolist() == [low, -3, low]


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_min_at_the_integer_minimum(dtype: Any) -> None:
    low = np.iinfo(dtype).min
    x = mg.tensor(np.array([0, low], dtype))
    assert x.min().item() == low and x.amin().item() == low
    assert x.aminmax().min.item() == low


def test_min_and_minimum_on_bools(torch: Any) -> None:
    a, b = np.array([True, True, False]), np.array([True, False, False])
    assert mg.ops.minimum(mg.tensor(a), mg.tensor(b)).tolist() == [True, False, False]
    assert mg.tensor(a).min().item() is False
    assert mg.tensor(a).min().item() == torch.tensor(a).min().item()
    assert mg.tensor(np.array([True])).min().dtype == np.bool_


# *** 2: pow's gradients where the base is 0 ***
def _pow_grads(lib: Any, a: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
    ta, tb = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
    grads = (mg.grad if lib is mg else lib.autograd.grad)((ta**tb).sum(), [ta, tb])
    return [np.asarray(g.detach().numpy() if lib is not mg else g.array) for g in grads]


def test_pow_gradients_at_base_zero_match_torch(torch: Any) -> None:
    a = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0])
    b = np.array([0.0, 1.0, 2.0, 0.5, -1.0, 3.0, 0.0, -0.5])
    mine, theirs = _pow_grads(mg, a, b), _pow_grads(torch, a, b)
    for m, t in zip(mine, theirs, strict=True):
        np.testing.assert_array_equal(m, t)
    assert mine[0][0] == 0 and mine[1][:3].tolist() == [0, 0, 0]  # the cases


def test_pow_of_relu_outputs_has_no_nan() -> None:
    x = mg.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    (g,) = mg.grad((x.relu() ** 0.0).sum() + (0.0 ** x.relu()).sum(), [x])
    assert np.isfinite(g.array).all() and g.tolist() == [0.0, 0.0, 0.0]


# *** 4: var and std with correction >= the number of elements ***
@pytest.mark.parametrize("values, correction", [
    ([1.0, 2.0], 2), ([1.0, 2.0], 3), ([1.0, 1.0], 2), ([1.0], 1), ([3.0], 5), ([], 1)])
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_with_no_degrees_of_freedom_match_torch(values: list, correction: int,
                                                        name: str, torch: Any) -> None:
    x = np.array(values)
    out = getattr(mg.tensor(x), name)(correction=correction).item()
    with pytest.warns(UserWarning):
        ref = getattr(torch.tensor(x), name)(correction=correction).item()
    np.testing.assert_equal(out, ref)
    assert np.isinf(out) or np.isnan(out)


def test_var_with_correction_n_is_inf_per_row(torch: Any) -> None:
    x = np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]])
    out = mg.tensor(x).var(1, correction=3)
    with pytest.warns(UserWarning):
        ref = torch.tensor(x).var(1, correction=3).numpy()
    np.testing.assert_equal(out.array, ref)  # [inf, nan]


# *** 6: sign and the rounding ops stay in the graph, with a zero gradient ***
@pytest.mark.parametrize("name", ["sign", "floor", "ceil", "round", "trunc"])
def test_piecewise_constant_ops_have_zero_gradient(name: str, torch: Any) -> None:
    values = np.array([-1.5, -0.2, 0.0, 0.7, 2.5])
    x = mg.tensor(values, requires_grad=True)
    (g,) = mg.grad(getattr(x, name)().sum(), [x])
    t = torch.tensor(values, requires_grad=True)
    (ref,) = torch.autograd.grad(getattr(t, name)().sum(), [t])
    assert g.tolist() == ref.tolist() == [0.0] * 5


def test_sign_in_a_loss_backpropagates_through_the_rest() -> None:
    x = mg.tensor([-2.0, 3.0], requires_grad=True)
    (x * x.sign()).sum().backward()  # |x| written with sign: the gradient is sign(x)
    assert x.grad.tolist() == [-1.0, 1.0]


# *** activations at nan and at the infinities: PyTorch's values and gradients ***
EDGES = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 3.0, -3.0, 0.5, -0.5, 50.0,
                  -50.0], np.float32)
ACTIVATIONS = {
    "relu": lambda F, x: F.relu(x), "relu6": lambda F, x: F.relu6(x),
    "elu": lambda F, x: F.elu(x), "selu": lambda F, x: F.selu(x),
    "celu": lambda F, x: F.celu(x, 2.0), "hardtanh": lambda F, x: F.hardtanh(x),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x), "hardswish": lambda F, x: F.hardswish(x),
    "hardshrink": lambda F, x: F.hardshrink(x), "softshrink": lambda F, x: F.softshrink(x),
    "threshold": lambda F, x: F.threshold(x, 0.5, -2.0),
    "leaky_relu": lambda F, x: F.leaky_relu(x),
    "silu": lambda F, x: F.silu(x), "softplus": lambda F, x: F.softplus(x),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_values_and_gradients_at_nan_and_infinities(name: str, torch: Any) -> None:
    """relu, elu, hardtanh, hardswish, the shrinks and threshold let the gradient through at nan
    (and hardswish at inf) as PyTorch does; they gave 0 or nan."""
    fn = ACTIVATIONS[name]
    ours, theirs = mg.tensor(EDGES, requires_grad=True), torch.tensor(EDGES, requires_grad=True)
    with np.errstate(all="ignore"):
        out = fn(mg.nn.functional, ours)
        out.backward(mg.ones_like(out))
    ref = fn(torch.nn.functional, theirs)
    ref.backward(torch.ones_like(ref))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("soft", [False, True])
def test_cross_entropy_of_an_empty_batch_matches_torch(reduction: str, soft: bool,
                                                       torch: Any) -> None:
    """An empty batch (the last, short one of some loaders): nan for the mean, 0 for the sum,
    an empty gradient; it raised ZeroDivisionError in backward."""
    def loss(lib: Any) -> tuple:
        x = lib.zeros(0, 10, requires_grad=True)
        target = lib.zeros(0, 10) if soft else lib.zeros(0, dtype=lib.long)
        out = lib.nn.functional.cross_entropy(x, target, reduction=reduction)
        out.sum().backward()
        return out.detach().numpy(), x.grad.numpy()

    (ours, our_grad), (theirs, their_grad) = loss(mg), loss(torch)
    np.testing.assert_array_equal(ours, theirs)
    assert our_grad.shape == their_grad.shape == (0, 10)
