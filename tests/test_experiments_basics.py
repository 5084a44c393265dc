"""The claims of the two-layer-network experiments, asserted on small, fast versions of each:
perceptron, xor_composition, linear_collapse, universal_approximation, worked_backprop."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import nn
from minigrad.testing.strategies import arrays
from models.experiments import (
    linear_collapse,
    perceptron,
    universal_approximation,
    worked_backprop,
    xor_composition,
)
from models.experiments._decision import accuracy


# *** perceptron ***
@pytest.mark.parametrize("gate", ["AND", "OR"])
def test_perceptron_converges_on_linearly_separable_gates(gate):
    X, y = perceptron.gate(gate)
    for seed in range(20):
        run = perceptron.train_perceptron(X, y, epochs=100, seed=seed)
        assert run.converged_epoch is not None and run.converged_epoch <= 30, (gate, seed)
        assert np.array_equal((X @ run.weight + run.bias >= 0).astype(np.float32), y)


def test_perceptron_never_gets_all_of_xor():
    X, y = perceptron.gate("XOR")
    for seed in range(40):
        run = perceptron.train_perceptron(X, y, epochs=100, seed=seed)
        assert run.converged_epoch is None
        assert run.best_accuracy <= 0.75, seed


def test_no_line_separates_xor_but_lines_separate_and_or():
    assert perceptron.best_line_accuracy(*perceptron.gate("XOR")) == 0.75
    assert perceptron.best_line_accuracy(*perceptron.gate("AND")) == 1.0
    assert perceptron.best_line_accuracy(*perceptron.gate("OR")) == 1.0


# *** xor_composition ***
def test_hand_built_step_network_computes_nand_or_and_xor():
    table = xor_composition.truth_table(xor_composition.hand_built_xor())
    a, b = table[:, 0].astype(bool), table[:, 1].astype(bool)
    assert np.array_equal(table[:, 2], ~(a & b))
    assert np.array_equal(table[:, 3], a | b)
    assert np.array_equal(table[:, 4], a ^ b)


def test_learned_2_4_1_sigmoid_mlp_solves_xor_on_every_seed_tried():
    solved, _ = xor_composition.success_rate(hidden=4, seeds=range(3), epochs=700)
    assert solved == [0, 1, 2]


# *** linear_collapse ***
@given(sizes=st.lists(st.integers(1, 5), min_size=3, max_size=5), batch=st.integers(1, 4),
       seed=st.integers(0, 2**16))
def test_stacked_linear_layers_equal_one_collapsed_layer(sizes, batch, seed):
    mg.manual_seed(seed)
    layers = [nn.Linear(n_in, n_out, dtype=np.float64)
              for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    x = mg.tensor(np.random.default_rng(seed).normal(size=(batch, sizes[0])))
    single = linear_collapse.collapse(layers)
    if len(layers) == 2:  # the formula, spelled out
        (w1, b1), (w2, b2) = [(l.weight.array, l.bias.array) for l in layers]
        np.testing.assert_allclose(single.weight.array, w2 @ w1, rtol=0, atol=1e-12)
        np.testing.assert_allclose(single.bias.array, w2 @ b1 + b2, rtol=0, atol=1e-12)
    with mg.no_grad():
        stacked = nn.Sequential(*layers)(x).numpy()
        np.testing.assert_allclose(single(x).numpy(), stacked, rtol=0, atol=1e-12)


def test_deep_linear_network_cannot_beat_the_constant_guess_on_xor():
    """No linear model does better on XOR than p = 0.5 everywhere (BCE ln 2, gradient zero
    there), so no classification it makes is more than a tie."""
    model, losses = linear_collapse.train_on_xor(None, seed=0, epochs=400)
    assert min(losses) >= math.log(2) - 1e-12
    assert linear_collapse.distance_from_half(model) < 1e-6


@pytest.mark.parametrize("activation", [nn.Sigmoid, nn.ReLU])
def test_same_depth_with_an_activation_fits_xor(activation):
    model, losses = linear_collapse.train_on_xor(activation, seed=0, epochs=400)
    assert accuracy(model, *linear_collapse.xor_data()) == 1.0
    assert losses[-1] < 0.05


# *** universal_approximation ***
def test_error_falls_as_hidden_units_grow():
    fits = universal_approximation.best_fits(units=(1, 4, 32), seeds=range(1), epochs=1500,
                                             n=100)
    mse = {hidden: error for hidden, (_, error) in fits.items()}
    assert mse[32] < mse[4] < mse[1]
    assert mse[32] < 1e-2 * mse[1]


def test_two_steep_sigmoid_units_make_a_two_step_staircase():
    ua = universal_approximation
    assert ua.staircase_error(steepness=100.0) < 1e-3
    assert ua.staircase_error(steepness=2.0) > 0.1  # a gentle slope is no staircase
    x = np.linspace(-3, 3, 601, dtype=np.float32)
    output = ua.evaluate(ua.staircase(100.0), x[:, None])[:, 0]
    assert np.all(np.diff(output) >= 0)
    levels = ua.staircase_levels()
    for low, high, step_at in zip(levels, levels[1:], ua.STEPS_AT):
        crossing = x[np.argmax(output >= (low + high) / 2)]  # the first point past halfway
        assert crossing == pytest.approx(step_at, abs=0.02)


def test_one_hidden_layer_fits_a_surface():
    _, mse = universal_approximation.fit_surface(side=12, epochs=800)
    _, target = universal_approximation.surface_data(12)
    assert mse < 0.05 * target.var()


def test_one_hidden_layer_learns_the_spiral():
    _, train_accuracy = universal_approximation.fit_spiral(per_class=30, epochs=1000)
    assert train_accuracy >= 0.95


# *** worked_backprop ***
def backprop_params() -> st.SearchStrategy[dict[str, np.ndarray]]:
    shapes = {name: value.shape for name, value in worked_backprop.PARAMS.items()}
    return st.fixed_dictionaries({name: arrays(shape) for name, shape in shapes.items()})


@given(params=backprop_params(), x=arrays((2,)))
def test_matrix_rules_agree_with_autograd(params, x):
    assert worked_backprop.max_difference(params, x) < 1e-12


def test_matrix_rules_agree_with_numerical_differences():
    params, x = worked_backprop.PARAMS, worked_backprop.X
    grads = worked_backprop.manual_gradients(params, x)
    h = 1e-6
    for name, value in params.items():
        for index in np.ndindex(value.shape):
            up, down = dict(params), dict(params)
            up[name], down[name] = value.copy(), value.copy()
            up[name][index] += h
            down[name][index] -= h
            numeric = (worked_backprop.forward(up, x)["F"] - worked_backprop.forward(down, x)["F"])
            assert numeric / (2 * h) == pytest.approx(grads[name][index], abs=1e-8), name


def test_worked_backprop_default_run_writes_its_figure(tmp_path, capsys):
    worked_backprop.main(["--out", str(tmp_path)])
    assert (tmp_path / "worked_backprop.png").stat().st_size > 0
    assert "largest difference over all gradients" in capsys.readouterr().out
