"""RMSprop and Adagrad against torch.optim: updates over several steps (parameter groups, a
parameter skipping a step), state keys, state-dict resume and invalid arguments."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.optim import Adagrad, RMSprop
from tests.test_optim import gradient_sequence, groups, initial_values, run_torch
from tests.test_optim import run_minigrad as run_optimizer

CONFIGS = [
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, maximize=True)),
    ("RMSprop", dict(lr=0.001, centered=True, weight_decay=0.2)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6, maximize=True)),
]
OPTIMIZERS = {"RMSprop": RMSprop, "Adagrad": Adagrad}
TOLERANCE = {np.float32: 2e-6, np.float64: 1e-12}
SHAPES = [(3, 4), (5,), (), (20, 30)]


def run_minigrad(name: str, kwargs: dict, values: list, grads: list) -> list:
    return run_optimizer(name, kwargs, values, grads, OPTIMIZERS)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=[f"{n}-{k}" for n, k in CONFIGS])
def test_matches_torch(torch, name: str, kwargs: dict, dtype: type) -> None:
    values = initial_values(0, dtype, SHAPES)
    grads = gradient_sequence(0, steps=12, dtype=dtype, shapes=SHAPES)
    ours = run_minigrad(name, kwargs, values, grads)
    theirs = run_torch(torch, name, kwargs, values, grads)
    for a, b, start in zip(ours, theirs, values, strict=True):
        assert a.dtype == dtype and a.shape == start.shape
        assert not np.allclose(a, start)
        np.testing.assert_allclose(a, b, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=[f"{n}-{k}" for n, k in CONFIGS])
def test_gradients_are_not_written(name: str, kwargs: dict) -> None:
    p = mg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    g = np.array([0.5, 0.25, -1.0], np.float32)
    p.grad = mg.Tensor._make(g)
    OPTIMIZERS[name]([p], **kwargs).step()
    np.testing.assert_array_equal(g, [0.5, 0.25, -1.0])


@pytest.mark.parametrize(("name", "kwargs"), [CONFIGS[3], CONFIGS[6]])
def test_state_keys_match_torch(torch, name: str, kwargs: dict) -> None:
    state_keys_after_one_step(torch, OPTIMIZERS[name], name, kwargs)


def state_keys_after_one_step(torch, optimizer_class: type, name: str, kwargs: dict
                              ) -> tuple[dict, dict]:
    """One step of ours and of torch.optim's name with the same settings: asserts that the
    per-parameter state has torch's keys and the group no key torch lacks; returns both
    groups of settings."""
    p, tp = mg.tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0],
                                                                     requires_grad=True)
    ours, theirs = optimizer_class([p], **kwargs), getattr(torch.optim, name)([tp], **kwargs)
    p.grad, tp.grad = mg.tensor([0.1, -0.2]), torch.tensor([0.1, -0.2])
    ours.step()
    theirs.step()
    assert sorted(ours.state_dict()["state"][0]) == sorted(theirs.state_dict()["state"][0])
    ours_group, theirs_group = (o.state_dict()["param_groups"][0] for o in (ours, theirs))
    assert ours_group.keys() <= theirs_group.keys()
    return ours_group, theirs_group


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=[f"{n}-{k}" for n, k in CONFIGS])
def test_state_dict_resume_gives_the_same_trajectory(name: str, kwargs: dict) -> None:
    values = initial_values(1, np.float64, SHAPES)
    grads = gradient_sequence(1, steps=8, dtype=np.float64, shapes=SHAPES)
    straight = run_minigrad(name, kwargs, values, grads)
    params = [mg.Tensor(v, requires_grad=True) for v in values]
    first = OPTIMIZERS[name](groups(params, kwargs), **kwargs)
    for i, step_grads in enumerate(grads):
        if i == 4:  # a new optimizer takes over from the saved state
            saved = first.state_dict()
            first = OPTIMIZERS[name](groups(params, kwargs), **kwargs)
            first.load_state_dict(saved)
        for p, g in zip(params, step_grads, strict=True):
            p.grad = None if g is None else mg.tensor(g)
        first.step()
    for a, b in zip(straight, [p.array for p in params], strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: RMSprop(p, lr=-1), "invalid lr -1"),
    (lambda p: RMSprop(p, alpha=-0.5), "invalid alpha -0.5"),
    (lambda p: RMSprop(p, momentum=-0.1), "invalid momentum -0.1"),
    (lambda p: Adagrad(p, lr_decay=-1), "invalid lr_decay -1"),
    (lambda p: Adagrad(p, initial_accumulator_value=-1), "invalid initial_accumulator_value"),
    (lambda p: Adagrad(p, eps=-1), "invalid eps -1"),
])
def test_invalid_arguments(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make([mg.tensor([1.0], requires_grad=True)])


def test_namespace() -> None:
    assert mg.optim.RMSprop is RMSprop and mg.optim.Adagrad is Adagrad


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_printed_optimizer_and_lazy_state_as_torch(torch, name: str) -> None:
    """print(optimizer) lists each group's settings, torch's lines (torch has a few settings
    more: foreach, fused, ...); state[p] is made when first looked up, as custom optimizers
    expect."""
    def build(lib):
        w, b = lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(1))
        opt = getattr(lib.optim, name)([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
        return opt, w

    (ours, w), (theirs, _) = build(mg), build(torch)
    our_lines, their_lines = repr(ours).splitlines(), repr(theirs).splitlines()
    assert our_lines[0] == their_lines[0] == f"{name} ("
    assert [line for line in their_lines if line in our_lines] == our_lines
    assert ours.state[w] == {} and w in ours.state


def test_load_state_dict_replaces_group_settings_as_torch(torch) -> None:
    """Settings added since the state dict was saved (a scheduler's initial_lr) are dropped,
    and a setting the saved groups lack takes its default, as in torch."""
    def run(lib):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(2))], lr=0.1)
        saved = opt.state_dict()
        lib.optim.lr_scheduler.LambdaLR(opt, lambda epoch: 0.5)
        opt.load_state_dict(saved)
        first = ("initial_lr" in opt.param_groups[0], opt.param_groups[0]["lr"])
        del saved["param_groups"][0]["maximize"]
        opt.load_state_dict(saved)
        return first, opt.param_groups[0]["maximize"]

    assert run(mg) == run(torch) == ((False, 0.1), False)
