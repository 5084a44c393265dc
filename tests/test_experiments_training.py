"""The claims of the training experiments (learning rate, mini-batches, vanishing gradients,
normalization), asserted on small sizes through the experiments' own functions."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import nn
from minigrad.data import spiral
from models.experiments import learning_rate, minibatch, normalization, vanishing_gradients
from models.mlp import TwoLayerMLP
from models.mnist import load_mnist


@pytest.fixture(scope="module")
def mnist_small(mnist_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    return load_mnist(mnist_dir, train=True, limit=3000)


# *** learning rate ***
def test_learning_rate_too_small_crawls_right_trains_too_large_diverges(mnist_small):
    X, y = mnist_small
    runs = {name: learning_rate.train_at(lr, X, y, epochs=2)
            for name, lr in learning_rate.RATES.items()}
    small, right, large = (runs[name].epoch_loss for name in learning_rate.RATES)
    assert right[-1] < 0.8 * small[-1]
    assert small[-1] > 0.9 * small[0], "too small a rate should barely move the loss"
    assert not learning_rate.diverged(runs["about right"])
    assert learning_rate.diverged(runs["too large"])
    assert [learning_rate.verdict(run) for run in runs.values()] == [
        "barely moved", "trained", "diverged"]
    assert not math.isfinite(large[-1]) or large[-1] > 2 * right[-1]


def test_verdicts_agree_with_the_plots_names():
    barely = minibatch.History(epoch_loss=[2.305, 2.298])
    assert learning_rate.verdict(barely) == "barely moved"  # lr 0.01: "too small", not trained
    assert learning_rate.verdict(minibatch.History(epoch_loss=[2.305, 0.61])) == "trained"
    assert learning_rate.verdict(minibatch.History(epoch_loss=[2.305, 16.4])) == "diverged"


def test_diverged_criterion():
    history = minibatch.History(epoch_loss=[2.3, 1.0, 2.4])
    assert learning_rate.diverged(history)
    assert learning_rate.diverged(minibatch.History(epoch_loss=[2.3, float("nan")]))
    assert not learning_rate.diverged(minibatch.History(epoch_loss=[2.3, 5.0, 2.2]))


# *** mini-batches ***
def assert_spread_falls_like_one_over_b(spread: dict[int, float], n: int) -> None:
    sizes = sorted(spread)
    assert all(spread[a] > spread[b] for a, b in zip(sizes, sizes[1:])), spread
    variance = minibatch.gradient_variance(spread, n)  # B * spread / finite-sample factor
    assert max(variance.values()) < 2 * min(variance.values()), variance


def test_gradient_spread_falls_like_one_over_batch_size_on_spiral():
    X, y = spiral(100, 3)
    mg.manual_seed(0)
    model = TwoLayerMLP(2, 32, 3, activation="tanh", init_std=None)
    spread = minibatch.gradient_spread(model, X, y, (8, 32, 128), draws=40)
    assert_spread_falls_like_one_over_b(spread, len(X))


def test_gradient_spread_falls_like_one_over_batch_size_on_mnist(mnist_small):
    X, y = mnist_small
    mg.manual_seed(0)
    spread = minibatch.gradient_spread(TwoLayerMLP(), X, y, (8, 32, 128), draws=20)
    assert_spread_falls_like_one_over_b(spread, len(X))


def test_gradient_spread_of_the_whole_set_is_zero():
    X, y = spiral(20, 3)
    mg.manual_seed(0)
    model = TwoLayerMLP(2, 8, 3, init_std=None)
    assert minibatch.gradient_spread(model, X, y, (len(X),), draws=2)[len(X)] < 1e-10


def test_minibatches_lower_the_loss_more_per_epoch_than_full_batch(mnist_small):
    X, y = mnist_small
    final = {}
    for batch_size in (len(X), 32):
        mg.manual_seed(0)
        history = minibatch.train(TwoLayerMLP(), X, y, minibatch.LR, batch_size, epochs=2)
        assert len(history.epoch_loss) == len(history.seconds) == 3
        assert len(history.step_loss) == 2 * (len(X) // batch_size)
        final[batch_size] = history.epoch_loss[-1]
    assert final[32] < 0.8 * final[len(X)]


# *** vanishing and exploding gradients, dead units ***
@pytest.fixture(scope="module")
def gradient_cases() -> dict[str, vanishing_gradients.Measurement]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((128, 784)).astype(np.float32)
    return vanishing_gradients.measure_all(X, rng.integers(0, 10, 128))


def norms(case: vanishing_gradients.Measurement) -> np.ndarray:
    return np.array(case.grad_norms)


def test_sigmoid_gradients_vanish_toward_the_input(gradient_cases):
    case = gradient_cases["sigmoid, default init"]
    assert len(case.grad_norms) == vanishing_gradients.DEPTH
    assert np.all(np.diff(norms(case)) > 0), "each layer's gradient should exceed the one before"
    assert vanishing_gradients.first_to_last_ratio(case) < 1e-4


@pytest.mark.parametrize("name", [
    f"sigmoid, W std {vanishing_gradients.LARGE_SIGMOID_GAIN:g}/sqrt(fan_in), b = -W/2",
    f"tanh, W std {vanishing_gradients.LARGE_TANH_GAIN:g}/sqrt(fan_in)",
])
def test_large_unsaturated_weights_make_gradients_explode_toward_the_input(gradient_cases, name):
    case = gradient_cases[name]
    assert np.all(np.diff(norms(case)) < 0), "each layer's gradient should exceed the next one's"
    assert vanishing_gradients.first_to_last_ratio(case) > 10


def test_large_sigmoid_weights_without_centring_barely_explode(gradient_cases):
    """The qualification: large weights alone push sigmoid units into saturation."""
    gain = vanishing_gradients.LARGE_SIGMOID_GAIN
    plain = gradient_cases[f"sigmoid, W std {gain:g}/sqrt(fan_in)"]
    centred = gradient_cases[f"sigmoid, W std {gain:g}/sqrt(fan_in), b = -W/2"]
    ratio = vanishing_gradients.first_to_last_ratio
    assert ratio(plain) < ratio(centred) / 5


def test_negative_bias_kills_relu_units_and_he_init_keeps_them(gradient_cases):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((128, 784)).astype(np.float32)
    mg.manual_seed(0)
    bad = vanishing_gradients.mlp(nn.ReLU)
    vanishing_gradients.init_he(bad, bias=-1.0)
    dead_bad = vanishing_gradients.measure(bad, X, rng.integers(0, 10, 128)).dead_units
    dead_good = gradient_cases["ReLU, He init"].dead_units
    units = vanishing_gradients.WIDTH * len(dead_good)
    assert sum(dead_bad) > 0.5 * units
    assert dead_good[:2] == [0, 0]
    assert sum(dead_good) < 0.1 * units, "He init: a few dead units, and only in deep layers"


def test_measuring_leaves_no_hooks_behind():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((16, 20)).astype(np.float32), rng.integers(0, 10, 16)
    mg.manual_seed(0)
    model = vanishing_gradients.mlp(nn.ReLU, in_features=20, depth=3, width=8)
    first = vanishing_gradients.measure(model, X, y)
    model.zero_grad()
    second = vanishing_gradients.measure(model, X, y)
    assert first == second
    assert len(second.dead_units) == 2  # one count per ReLU: the first pass's hooks are gone


# *** normalization ***
@given(log_k=st.floats(-3, 3), kind=st.sampled_from(["layer", "batch"]))
def test_norm_makes_next_weight_gradient_independent_of_input_scale(log_k, kind):
    x, labels = normalization.scale_example()
    assert normalization.scale_change(x, labels, kind, 10.0 ** log_k, eps=1e-12) < 1e-5


@pytest.mark.parametrize("kind", ["layer", "batch"])
def test_default_eps_breaks_the_invariance_for_small_scales(kind):
    """The bound: norm(k x) = (x - m) / sqrt(v + eps / k^2), so with v ~ 1 and eps = 1e-5 the
    gradient changes noticeably once k is near sqrt(eps) ~ 3e-3, and hardly for k >= 1."""
    x, labels = normalization.scale_example()
    assert normalization.scale_change(x, labels, kind, 1e-3, eps=1e-5) > 0.1
    assert normalization.scale_change(x, labels, kind, 1e3, eps=1e-5) < 1e-4
    assert normalization.scale_change(x, labels, None, 1e3, eps=0.0) > 100  # no norm: ~k


def test_extreme_feature_explodes_without_norm_and_stays_bounded_with_it():
    peak, grad = {}, {}
    for kind in normalization.KINDS:
        (peak[kind, 1], grad[kind, 1]), (peak[kind, 200], grad[kind, 200]) = (
            normalization.extreme_feature(s, kind) for s in (1.0, 200.0))
    assert peak[None, 200] > 50 * peak[None, 1]
    assert grad[None, 200] > 5 * grad[None, 1]
    for kind in ("batch", "layer"):
        assert peak[kind, 200] < 5, "a normalized pre-activation stays O(1)"
        assert grad[kind, 200] < 3 * grad[kind, 1]


def test_batch_norm_is_noisy_at_small_batches_and_layer_norm_ignores_the_batch():
    rng = np.random.default_rng(0)
    X = (rng.standard_normal((300, 16)) * rng.uniform(0.5, 3, 16) + rng.normal(0, 2, 16))
    table = normalization.batch_dependence_table(X.astype(np.float32), (2, 4, 64), trials=30)
    training = table["batch norm, training"]
    assert training[2] > training[4] > training[64] > 0
    assert training[2] > 0.3
    assert all(v == 0 for v in table["layer norm"].values())
    assert all(v == 0 for v in table["batch norm, eval"].values())


def test_batch_norm_in_eval_mode_gives_an_example_the_same_output_in_any_batch():
    rng = np.random.default_rng(0)
    X = rng.normal(3, 2, (64, 8)).astype(np.float32)
    bn = nn.BatchNorm1d(8)
    normalization.fit_running_stats(bn, X, batch_size=16)
    bn.eval()
    with mg.no_grad():
        alone = bn(mg.tensor(X[:1])).numpy()
        in_batch = bn(mg.tensor(X[:32])).numpy()[:1]
        expected = ((X[:1] - bn.running_mean.numpy())
                    / np.sqrt(bn.running_var.numpy() + bn.eps))
        bn.train()
        in_training_batch = bn(mg.tensor(X[:32])).numpy()[:1]
    np.testing.assert_array_equal(alone, in_batch)
    np.testing.assert_allclose(alone, expected, rtol=1e-5, atol=1e-6)
    assert np.abs(in_training_batch - alone).max() > 1e-3  # training mode: batch statistics
