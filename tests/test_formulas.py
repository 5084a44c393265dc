"""Gradients against closed forms derived by hand (written out in numpy), and each fused op against
the same function composed from primitive ops."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.testing import strategies as S
from tests.helpers import assert_same_function

EPS = 1e-5  # the normalizations' default eps
distinct = S.spaced(0.1, limit=40)


def vjp(fn: Callable[..., mg.Tensor], *arrays: np.ndarray, g: np.ndarray | None = None,
        **kwargs: Any) -> tuple[np.ndarray, ...]:
    """The gradients of sum(fn(*arrays) * g) (g defaults to ones) as numpy arrays."""
    xs = [mg.Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*xs, **kwargs)
    grads = mg.grad(out, xs, mg.Tensor(np.ones(out.shape) if g is None else g))
    return tuple(t.array for t in grads)


def np_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


@st.composite
def with_upstream(draw: st.DrawFn, shape: Any = None, elements: Any = None) -> tuple:
    """An array and an upstream gradient g of the same shape."""
    x = draw(S.arrays(shape, elements))
    return x, draw(S.arrays(x.shape))


@st.composite
def rows(draw: st.DrawFn, min_rows: int = 1, min_cols: int = 2) -> np.ndarray:
    n, c = draw(st.integers(min_rows, 5)), draw(st.integers(min_cols, 5))
    return draw(S.arrays((n, c), distinct, unique=True))


# *** closed-form derivatives ***
@given(with_upstream(elements=S.floats(-8, 8)))
def test_sigmoid_derivative_is_s_times_one_minus_s(xg):
    x, g = xg
    s = 1 / (1 + np.exp(-x))
    (dx,) = vjp(mg.sigmoid, x, g=g)
    np.testing.assert_allclose(dx, g * s * (1 - s), rtol=1e-12, atol=1e-15)


@given(with_upstream(elements=S.floats(-5, 5)))
def test_tanh_derivative_is_one_minus_t_squared(xg):
    x, g = xg
    t = np.tanh(x)
    (dx,) = vjp(mg.tanh, x, g=g)
    np.testing.assert_allclose(dx, g * (1 - t * t), rtol=1e-12, atol=1e-15)


@given(st.data())
def test_cross_entropy_gradient_is_softmax_minus_onehot_over_m(data):
    logits = data.draw(S.arrays(st.tuples(st.integers(1, 6), st.integers(2, 5))))
    m, c = logits.shape
    target = data.draw(S.class_targets(m, c))
    (dlogits,) = vjp(lambda x: F.cross_entropy(x, target), logits)
    expected = (np_softmax(logits) - np.eye(c)[target]) / m
    np.testing.assert_allclose(dlogits, expected, rtol=1e-10, atol=1e-14)


@given(st.data())
def test_matmul_gradients_are_g_bt_and_at_g(data):
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    a, b = data.draw(S.arrays((n, k))), data.draw(S.arrays((k, m)))
    g = data.draw(S.arrays((n, m)))
    da, db = vjp(mg.matmul, a, b, g=g)
    np.testing.assert_allclose(da, g @ b.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(db, a.T @ g, rtol=1e-12, atol=1e-12)


@given(st.data())
def test_batched_matmul_gradient_sums_over_broadcast_batch(data):
    """A (2, n, k) @ B (k, m): B is shared by the batch, so dB = sum_b A_b^T G_b."""
    n, k, m = (data.draw(st.integers(1, 3)) for _ in range(3))
    a, b = data.draw(S.arrays((2, n, k))), data.draw(S.arrays((k, m)))
    g = data.draw(S.arrays((2, n, m)))
    da, db = vjp(mg.matmul, a, b, g=g)
    np.testing.assert_allclose(da, g @ b.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(db, np.einsum("bnk,bnm->km", a, g), rtol=1e-12, atol=1e-12)


def normalization_backward(x: np.ndarray, w: np.ndarray, g: np.ndarray,
                           axis: int) -> tuple[np.ndarray, ...]:
    """Textbook backward of y = x_hat w + b, x_hat = (x - mu) / sqrt(var + eps) over axis
    (N values each):
    dx = rstd / N (N dx_hat - sum(dx_hat) - x_hat sum(dx_hat x_hat)), with dx_hat = g w."""
    n = x.shape[axis]
    mu = x.mean(axis, keepdims=True)
    rstd = 1 / np.sqrt(((x - mu) ** 2).mean(axis, keepdims=True) + EPS)
    x_hat = (x - mu) * rstd
    dx_hat = g * w
    dx = rstd / n * (n * dx_hat - dx_hat.sum(axis, keepdims=True)
                     - x_hat * (dx_hat * x_hat).sum(axis, keepdims=True))
    return dx, x_hat


@given(st.data())
def test_layer_norm_backward_formula(data):
    x = data.draw(rows())
    d = x.shape[1]
    w, b, g = data.draw(S.arrays((d,))), data.draw(S.arrays((d,))), data.draw(S.arrays(x.shape))
    dx, dw, db = vjp(lambda x, w, b: F.layer_norm(x, d, w, b), x, w, b, g=g)
    expected_dx, x_hat = normalization_backward(x, w, g, axis=1)
    np.testing.assert_allclose(dx, expected_dx, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(dw, (g * x_hat).sum(0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db, g.sum(0), rtol=1e-12, atol=1e-12)


@given(st.data())
def test_batch_norm_train_backward_formula(data):
    x = data.draw(rows(min_rows=2))
    c = x.shape[1]
    w, b, g = data.draw(S.arrays((c,))), data.draw(S.arrays((c,))), data.draw(S.arrays(x.shape))
    dx, dw, db = vjp(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                     x, w, b, g=g)
    expected_dx, x_hat = normalization_backward(x, w, g, axis=0)
    np.testing.assert_allclose(dx, expected_dx, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(dw, (g * x_hat).sum(0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db, g.sum(0), rtol=1e-12, atol=1e-12)


def test_batch_norm_train_updates_running_stats_with_unbiased_variance():
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 7.0]])
    mean, var = np.zeros(2), np.ones(2)
    F.batch_norm(mg.Tensor(x), mean, var, training=True, momentum=0.1)
    np.testing.assert_allclose(mean, 0.1 * x.mean(0))
    np.testing.assert_allclose(var, 0.9 + 0.1 * x.var(0, ddof=1))


# *** fused ops equal their composition from primitive ops ***
def composed_log_softmax(x: mg.Tensor, dim: int = -1) -> mg.Tensor:
    shifted = x - x.max(dim, keepdim=True).values
    return shifted - shifted.exp().sum(dim, keepdim=True).log()


def composed_softmax(x: mg.Tensor, dim: int = -1) -> mg.Tensor:
    e = (x - x.max(dim, keepdim=True).values).exp()
    return e / e.sum(dim, keepdim=True)


def composed_cross_entropy(x: mg.Tensor, target: np.ndarray) -> mg.Tensor:
    onehot = np.eye(x.shape[1])[target] if target.dtype.kind == "i" else target
    return -(composed_log_softmax(x, 1) * onehot).sum(1).mean()


def composed_normalize(x: mg.Tensor, w: mg.Tensor, b: mg.Tensor, dims: Any) -> mg.Tensor:
    mean = x.mean(dims, keepdim=True)
    var = x.var(dims, keepdim=True, correction=0)
    return (x - mean) / (var + EPS).sqrt() * w + b


@settings(max_examples=max(settings().max_examples // 2, 5))
@given(S.arrays(S.shapes(1, 3, max_side=4)))
def test_softmax_and_log_softmax_equal_their_composition(x):
    assert_same_function(lambda t: mg.softmax(t, -1), composed_softmax, x)
    assert_same_function(lambda t: mg.log_softmax(t, -1), composed_log_softmax, x)


@settings(max_examples=max(settings().max_examples // 2, 5))
@given(st.data(), st.booleans())
def test_cross_entropy_equals_its_composition(data, soft):
    logits = data.draw(S.arrays(st.tuples(st.integers(1, 5), st.integers(2, 5))))
    m, c = logits.shape
    target = data.draw(S.probabilities((m, c)) if soft else S.class_targets(m, c))
    assert_same_function(lambda x: F.cross_entropy(x, target),
                         lambda x: composed_cross_entropy(x, target), logits)


@settings(max_examples=max(settings().max_examples // 2, 5))
@given(st.data())
def test_layer_norm_equals_its_composition(data):
    x = data.draw(S.arrays(S.shapes(2, 3, min_side=2, max_side=3), distinct, unique=True))
    d = x.shape[-1]
    w, b = data.draw(S.arrays((d,))), data.draw(S.arrays((d,)))
    assert_same_function(lambda x, w, b: F.layer_norm(x, d, w, b),
                         lambda x, w, b: composed_normalize(x, w, b, -1), x, w, b)


@settings(max_examples=max(settings().max_examples // 2, 5))
@given(st.data())
def test_batch_norm_train_equals_its_composition(data):
    x = data.draw(S.arrays(S.shapes(2, 3, min_side=2, max_side=3), distinct, unique=True))
    c = x.shape[1]
    w, b = data.draw(S.arrays((c,))), data.draw(S.arrays((c,)))
    dims = (0,) + tuple(range(2, x.ndim))
    stat = (1, c) + (1,) * (x.ndim - 2)
    assert_same_function(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                         lambda x, w, b: composed_normalize(x, w.reshape(stat), b.reshape(stat),
                                                            dims), x, w, b)


# *** numerical stability ***
HUGE_LOGITS = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 0.0], [-1e4, -1e4, -1e4]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_softmax_and_cross_entropy_are_stable_for_huge_logits(dtype, torch):
    x = mg.Tensor(HUGE_LOGITS.astype(dtype), requires_grad=True)
    target = np.array([1, 0, 2])
    logp = mg.log_softmax(x, 1)
    loss = F.cross_entropy(x, target)
    loss.backward()
    assert np.isfinite(logp.array).all() and np.isfinite(loss.array)
    assert np.isfinite(x.grad.array).all() and x.grad.dtype == dtype

    ref_x = torch.tensor(HUGE_LOGITS.astype(dtype), requires_grad=True)
    ref_loss = torch.nn.functional.cross_entropy(ref_x, torch.tensor(target))
    ref_loss.backward()
    tol = {"rtol": 1e-6, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 0}
    np.testing.assert_allclose(logp.array, torch.log_softmax(ref_x, 1).detach().numpy(), **tol)
    np.testing.assert_allclose(loss.array, ref_loss.detach().numpy(), **tol)
    np.testing.assert_allclose(x.grad.array, ref_x.grad.numpy(), **tol)
    assert loss.item() == pytest.approx(1e4 / 3 + np.log(2) / 3 + np.log(3) / 3, rel=1e-6)


def test_softmax_and_logsumexp_are_stable_for_huge_logits(torch):
    x = mg.Tensor(HUGE_LOGITS, requires_grad=True)
    s, lse = mg.softmax(x, 1), mg.logsumexp(x, 1)
    (s[:, 0].sum() + lse.sum()).backward()
    assert np.isfinite(s.array).all() and np.isfinite(lse.array).all()
    assert np.isfinite(x.grad.array).all()
    ref = torch.tensor(HUGE_LOGITS)
    np.testing.assert_allclose(s.array, torch.softmax(ref, 1).numpy(), rtol=1e-12)
    np.testing.assert_allclose(lse.array, torch.logsumexp(ref, 1).numpy(), rtol=1e-12)
