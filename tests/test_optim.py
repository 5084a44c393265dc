"""Tests for minigrad.optim: updates and lr schedules against PyTorch, state dicts, errors."""

from __future__ import annotations

import copy
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.optim import SGD, Adam, AdamW, Optimizer
from minigrad.optim.lr_scheduler import CosineAnnealingLR, StepLR

OPTIMIZERS = {"SGD": SGD, "Adam": Adam, "AdamW": AdamW}
CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.5, weight_decay=0.1, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True, maximize=True)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.3)),
    ("AdamW", dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.3, amsgrad=True)),
]
SHAPES = [(3, 4), (5,), ()]
BIG = (200, 180)  # a first layer's size, twice: two parameters of one shape share scratch arrays
TOLERANCE = {np.float32: 1e-6, np.float64: 1e-12}


def gradient_sequence(seed: int, steps: int, dtype: type,
                      shapes: list = SHAPES) -> list[list[np.ndarray | None]]:
    """Per step, one gradient per parameter of `shapes`; the second parameter has none at step
    2, so its state falls one step behind the others'."""
    rng = np.random.default_rng(seed)
    grads = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(steps)]
    grads[2][1] = None
    return grads


def initial_values(seed: int, dtype: type, shapes: list = SHAPES) -> list[np.ndarray]:
    rng = np.random.default_rng(seed + 1000)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


def groups(params: list, kwargs: dict) -> list[dict]:
    """Two parameter groups, the second overriding lr, as both libraries accept them."""
    return [{"params": params[:2]}, {"params": params[2:], "lr": kwargs.get("lr", 1e-3) / 2}]


def run_minigrad(name: str, kwargs: dict, values: list[np.ndarray], grads: list,
                 optimizers: dict | None = None) -> list:
    """The parameters after one step per entry of grads (None: no gradient that step) with
    optimizers[name] (default: this file's), checking that no step writes a gradient."""
    params = [mg.Tensor(v, requires_grad=True) for v in values]
    optimizer = (optimizers or OPTIMIZERS)[name](groups(params, kwargs), **kwargs)
    for step_grads in grads:
        for p, g in zip(params, step_grads, strict=True):
            p.grad = None if g is None else mg.Tensor._make(g)  # the grad wraps g itself
        copies = copy.deepcopy(step_grads)
        optimizer.step()
        for g, before in zip(step_grads, copies, strict=True):
            np.testing.assert_array_equal(g, before)
    return [p.array for p in params]


def run_torch(torch, name: str, kwargs: dict, values: list[np.ndarray], grads: list) -> list:
    params = [torch.tensor(v, requires_grad=True) for v in values]
    optimizer = getattr(torch.optim, name)(groups(params, kwargs), **kwargs)
    for step_grads in grads:
        for p, g in zip(params, step_grads, strict=True):
            p.grad = None if g is None else torch.tensor(g)
        optimizer.step()
    return [p.detach().numpy() for p in params]


# *** updates against PyTorch ***
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=[f"{n}-{k}" for n, k in CONFIGS])
def test_matches_torch(torch, name: str, kwargs: dict, dtype: type) -> None:
    shapes = [*SHAPES, BIG, BIG]
    values = initial_values(0, dtype, shapes)
    grads = gradient_sequence(0, steps=12, dtype=dtype, shapes=shapes)
    ours = run_minigrad(name, kwargs, values, grads)
    theirs = run_torch(torch, name, kwargs, values, grads)
    for a, b, start in zip(ours, theirs, values, strict=True):
        assert a.dtype == dtype
        assert not np.allclose(a, start)  # the parameters did move
        # numpy rounds alpha * g and then the sum; PyTorch may fuse them into one rounding
        np.testing.assert_allclose(a, b, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


@given(seed=st.integers(0, 2**16), lr=st.floats(1e-4, 1.0), momentum=st.floats(0, 0.99),
       dampening=st.floats(0, 0.99), weight_decay=st.floats(0, 0.5), nesterov=st.booleans(),
       maximize=st.booleans())
def test_sgd_matches_torch_hypothesis(torch, seed: int, lr: float, momentum: float,
                                      dampening: float, weight_decay: float, nesterov: bool,
                                      maximize: bool) -> None:
    if nesterov:
        momentum, dampening = max(momentum, 0.1), 0.0
    kwargs = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                  nesterov=nesterov, maximize=maximize)
    values, grads = initial_values(seed, np.float64), gradient_sequence(seed, 6, np.float64)
    ours = run_minigrad("SGD", kwargs, values, grads)
    for a, b in zip(ours, run_torch(torch, "SGD", kwargs, values, grads), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


@given(seed=st.integers(0, 2**16), name=st.sampled_from(["Adam", "AdamW"]),
       lr=st.floats(1e-4, 0.5), beta1=st.floats(0, 0.99), beta2=st.floats(0, 0.999),
       eps=st.sampled_from([1e-8, 1e-6, 1e-3]), weight_decay=st.floats(0, 0.5),
       amsgrad=st.booleans(), maximize=st.booleans())
def test_adam_matches_torch_hypothesis(torch, seed: int, name: str, lr: float, beta1: float,
                                       beta2: float, eps: float, weight_decay: float,
                                       amsgrad: bool, maximize: bool) -> None:
    kwargs = dict(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay,
                  amsgrad=amsgrad, maximize=maximize)
    values, grads = initial_values(seed, np.float64), gradient_sequence(seed, 6, np.float64)
    ours = run_minigrad(name, kwargs, values, grads)
    for a, b in zip(ours, run_torch(torch, name, kwargs, values, grads), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS)
def test_float32_stays_float32_with_float64_gradients(name: str, kwargs: dict) -> None:
    p = mg.Tensor(np.ones(4, np.float32), requires_grad=True)
    optimizer = OPTIMIZERS[name]([p], **kwargs)
    for _ in range(2):
        p._grad = mg.Tensor(np.full(4, 0.5))  # the setter refuses it, as PyTorch: go around
        optimizer.step()
    assert p.array.dtype == np.float32
    assert all(v.dtype == np.float32 for v in optimizer.state[p].values()
               if isinstance(v, np.ndarray))


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS)
def test_steps_allocate_no_array_of_the_parameters_size(name: str, kwargs: dict) -> None:
    """After the first steps have made the state buffers and scratch arrays, a step writes
    every temporary into them: numpy allocates nothing of the parameter's size."""
    peak, size = step_allocation(OPTIMIZERS[name], kwargs)
    assert peak < size / 10, f"a step allocated {peak} bytes"


def step_allocation(optimizer_class: type, kwargs: dict) -> tuple[int, int]:
    """(peak bytes numpy allocates over three steps after two warm-up steps, the bytes of the
    256x784 parameter they update)."""
    p = mg.Tensor(np.ones((256, 784), np.float32), requires_grad=True)
    p.grad = mg.Tensor(np.full((256, 784), 0.5, np.float32))
    optimizer = optimizer_class([p], **kwargs)
    for _ in range(2):
        optimizer.step()
    tracemalloc.start()
    try:
        for _ in range(3):
            optimizer.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, p.array.nbytes


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS)
def test_layout_of_the_parameter_does_not_change_the_update(name: str, kwargs: dict) -> None:
    """A Fortran-ordered parameter gets the same numbers as C-ordered ones, updated in place
    through scratch arrays it shares with a C-ordered parameter of its shape."""
    values = initial_values(3, np.float64, [(6, 5)] * 3)
    grads = gradient_sequence(3, 4, np.float64, [(6, 5)] * 3)
    ours = run_minigrad(name, kwargs, [values[0], np.asfortranarray(values[1]), values[2]], grads)
    assert ours[1].flags.f_contiguous
    reference = run_minigrad(name, kwargs, [np.ascontiguousarray(v) for v in values], grads)
    for a, b in zip(ours, reference, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS)
def test_step_bumps_the_version_of_each_parameter_it_updates(name: str, kwargs: dict) -> None:
    a, b = mg.Tensor([1.0, 2.0], requires_grad=True), mg.Tensor([3.0], requires_grad=True)
    optimizer = OPTIMIZERS[name]([a, b], **kwargs)
    a.grad = mg.Tensor([0.5, -0.5])  # b has no gradient: not updated, not bumped
    versions = a._version, b._version
    optimizer.step()
    optimizer.step()
    assert (a._version, b._version) == (versions[0] + 2, versions[1])


def test_backward_through_a_retained_graph_after_step_raises(torch) -> None:
    """The issue's case: x's second gradient would have used the updated weight; as in PyTorch,
    it raises instead, naming the versions."""
    w0, x0 = np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([[1.0, 2.0]])
    w = mg.Tensor(w0, requires_grad=True)
    loss = (mg.tensor(x0, requires_grad=True) @ w).sigmoid().sum()
    loss.backward(retain_graph=True)
    SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*is at version 1; "
                                           r"expected version 0"):
        loss.backward()

    w_t = torch.tensor(w0, requires_grad=True)
    loss_t = (torch.tensor(x0, requires_grad=True) @ w_t).sigmoid().sum()
    loss_t.backward(retain_graph=True)
    torch.optim.SGD([w_t], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss_t.backward()


# *** gradients ***
def test_zero_grad_sets_none() -> None:
    a, b = mg.Tensor([1.0, 2.0], requires_grad=True), mg.Tensor([3.0], requires_grad=True)
    optimizer = SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    (a.sum() * b.sum()).backward()
    assert a.grad is not None and b.grad is not None
    optimizer.zero_grad()
    assert a.grad is None and b.grad is None


def test_zero_grad_to_zeros_writes_in_place_and_accumulates_afresh() -> None:
    a = mg.Tensor([1.0, 2.0], requires_grad=True)
    b = mg.Tensor([3.0], requires_grad=True)  # gets no gradient
    optimizer = SGD([a, b], lr=0.1)
    (a * a).sum().backward()
    old, version = a.grad, a.grad._version
    optimizer.zero_grad(set_to_none=False)
    assert a.grad is old and a.grad._version == version + 1  # in place, as PyTorch
    np.testing.assert_array_equal(a.grad.array, [0.0, 0.0])
    assert a.grad.dtype == np.float32 and b.grad is None
    (3 * a).sum().backward()
    np.testing.assert_array_equal(a.grad.array, [3.0, 3.0])


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS)
def test_shared_gradient_array_is_never_written(name: str, kwargs: dict) -> None:
    """Two parameters whose grads share one array (as the engine may make them)."""
    shared = np.array([0.5, -1.0, 2.0], np.float32)
    a = mg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = mg.Tensor([4.0, 5.0, 6.0], requires_grad=True)
    optimizer = OPTIMIZERS[name]([a, b], **{**kwargs, "weight_decay": 0.1})
    for _ in range(3):
        a.grad, b.grad = mg.Tensor._make(shared), mg.Tensor._make(shared)
        optimizer.step()
        np.testing.assert_array_equal(shared, [0.5, -1.0, 2.0])
    assert not np.allclose(a.array, [1.0, 2.0, 3.0]) and not np.allclose(b.array, [4.0, 5.0, 6.0])


def test_step_skips_parameters_without_grad() -> None:
    a, b = mg.Tensor([1.0], requires_grad=True), mg.Tensor([2.0], requires_grad=True)
    optimizer = Adam([a, b], lr=0.1)
    a.grad = mg.Tensor([1.0])
    optimizer.step()
    assert b.array[0] == 2.0 and b not in optimizer.state
    assert a.array[0] != 1.0 and optimizer.state[a]["step"] == 1


def test_step_closure_returns_loss() -> None:
    w = mg.Tensor([3.0], requires_grad=True)
    optimizer = SGD([w], lr=0.25)

    def closure() -> mg.Tensor:
        optimizer.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with mg.no_grad():
        loss = optimizer.step(closure)
    assert loss.item() == 9.0
    assert w.array[0] == pytest.approx(3.0 - 0.25 * 6.0)


# *** argument checks ***
@pytest.mark.parametrize(("make", "error", "message"), [
    (lambda p: SGD([], lr=0.1), ValueError, "empty parameter list"),
    (lambda p: SGD(p, lr=0.1), TypeError, "single Tensor"),
    (lambda p: SGD([p, 3], lr=0.1), TypeError, "parameter 1 of group 0 is a int"),
    (lambda p: SGD([p, p], lr=0.1), ValueError, "parameter 1 of group 0 appears more than once"),
    (lambda p: SGD([{"params": [p]}, {"params": p}]), ValueError, "group 1 appears more"),
    (lambda p: SGD([p * 2], lr=0.1), ValueError, "non-leaf"),
    (lambda p: SGD([{"lr": 0.1}]), TypeError, "'params' key"),
    (lambda p: SGD([p], lr=-0.1), ValueError, "invalid lr -0.1"),
    (lambda p: SGD([p], lr=float("nan")), ValueError, "invalid lr nan"),
    (lambda p: SGD([p], lr="0.1"), TypeError, "invalid lr '0.1'"),  # as torch
    (lambda p: SGD([p], momentum=-0.5), ValueError, "invalid momentum -0.5"),
    (lambda p: SGD([p], weight_decay=-1), ValueError, "invalid weight_decay -1"),
    (lambda p: SGD([p], nesterov=True), ValueError, "nesterov momentum needs momentum > 0"),
    (lambda p: SGD([p], momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "dampening=0.1"),
    (lambda p: SGD([{"params": [p], "lr": -1}]), ValueError, "invalid lr -1"),
    (lambda p: Adam([p], betas=(1.0, 0.999)), ValueError, r"invalid beta at index 0: 1.0"),
    (lambda p: Adam([p], betas=(0.9, -0.1)), ValueError, r"invalid beta at index 1: -0.1"),
    (lambda p: AdamW([p], eps=-1e-8), ValueError, "invalid eps -1e-08"),
])
def test_invalid_arguments(make, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make(mg.Tensor([1.0, 2.0], requires_grad=True))


def test_base_optimizer_needs_update_rule() -> None:
    p = mg.Tensor([1.0], requires_grad=True)
    p.grad = mg.Tensor([1.0])
    with pytest.raises(NotImplementedError, match="_update"):
        Optimizer([p], {"lr": 0.1}).step()


# *** state dicts ***
def train(optimizer: Optimizer, params: list[mg.Tensor], grads: list) -> None:
    for step_grads in grads:
        for p, g in zip(params, step_grads, strict=True):
            p.grad = None if g is None else mg.Tensor(g)
        optimizer.step()


def make(name: str, kwargs: dict, values: list[np.ndarray]) -> tuple[Optimizer, list]:
    params = [mg.Tensor(v, requires_grad=True) for v in values]
    return OPTIMIZERS[name](groups(params, kwargs), **kwargs), params


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS)
def test_state_dict_resume_gives_the_same_trajectory(name: str, kwargs: dict) -> None:
    values, grads = initial_values(1, np.float32), gradient_sequence(1, 10, np.float32)
    uninterrupted, params = make(name, kwargs, values)
    train(uninterrupted, params, grads)

    first, first_params = make(name, kwargs, values)
    train(first, first_params, grads[:5])
    checkpoint = [p.array.copy() for p in first_params], first.state_dict()
    train(first, first_params, grads[5:7])  # later steps must not change the state dict taken
    resumed, resumed_params = make(name, {**kwargs, "lr": 123.0}, checkpoint[0])
    resumed.load_state_dict(checkpoint[1])
    assert resumed.param_groups[1]["lr"] == groups([], kwargs)[1]["lr"]  # the lr came back
    train(resumed, resumed_params, grads[5:])
    for p, q in zip(resumed_params, params, strict=True):
        np.testing.assert_array_equal(p.array, q.array)


def test_state_dict_layout_matches_torch(torch) -> None:
    a, b = mg.Tensor([1.0, 2.0], requires_grad=True), mg.Tensor([3.0], requires_grad=True)
    ta, tb = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([3.0], requires_grad=True)
    ours = SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    theirs = torch.optim.SGD([{"params": [ta]}, {"params": [tb], "lr": 0.5}], lr=0.1,
                             momentum=0.9)
    for p, q in ((a, ta), (b, tb)):
        p.grad, q.grad = mg.Tensor([1.0] * p.numel()), torch.ones(q.shape)
    ours.step()
    theirs.step()
    mine, reference = ours.state_dict(), theirs.state_dict()
    assert [g["params"] for g in mine["param_groups"]] == [[0], [1]]
    assert [g["params"] for g in reference["param_groups"]] == [[0], [1]]
    for key in ("lr", "momentum", "dampening", "weight_decay", "nesterov"):
        assert [g[key] for g in mine["param_groups"]] == [
            g[key] for g in reference["param_groups"]]
    assert mine["state"].keys() == reference["state"].keys()
    for i in mine["state"]:
        np.testing.assert_array_equal(mine["state"][i]["momentum_buffer"],
                                      reference["state"][i]["momentum_buffer"].numpy())


def test_adam_state_keys_match_torch(torch) -> None:
    a, ta = mg.Tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True)
    ours, theirs = Adam([a], amsgrad=True, maximize=True), torch.optim.Adam([ta], amsgrad=True,
                                                                             maximize=True)
    a.grad, ta.grad = mg.Tensor([1.0, -1.0]), torch.tensor([1.0, -1.0])
    ours.step()
    theirs.step()
    mine, reference = ours.state_dict(), theirs.state_dict()
    assert set(mine["state"][0]) == set(reference["state"][0])
    for key in ("amsgrad", "maximize", "betas", "eps", "weight_decay"):
        assert mine["param_groups"][0][key] == reference["param_groups"][0][key]
    for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
        np.testing.assert_allclose(mine["state"][0][key], reference["state"][0][key].numpy())


def snapshot(optimizer: Optimizer) -> dict:
    return copy.deepcopy(optimizer.state_dict())


def assert_same_state(a: dict, b: dict) -> None:
    assert a["param_groups"] == b["param_groups"]
    assert a["state"].keys() == b["state"].keys()
    for i in a["state"]:
        assert a["state"][i].keys() == b["state"][i].keys()
        for key in a["state"][i]:
            np.testing.assert_array_equal(a["state"][i][key], b["state"][i][key])


def corrupt(state: dict, how: str) -> dict:
    state = copy.deepcopy(state)
    if how == "missing state":
        del state["state"]
    elif how == "group count":
        state["param_groups"].append({"params": [9], "lr": 0.1})
    elif how == "group size":
        state["param_groups"][0]["params"].append(7)
    elif how == "state shape":
        state["state"][1]["exp_avg"] = np.zeros((4,), np.float32)
    elif how == "unknown index":
        state["state"][42] = state["state"].pop(0)
    elif how == "repeated index":
        state["param_groups"][1]["params"] = [0]
    elif how == "bad lr":
        state["param_groups"][1]["lr"] = -0.5
    return state


@pytest.mark.parametrize(("how", "message"), [
    ("missing state", r"no \['state'\] entry"),
    ("group count", "has 3 parameter groups, the optimizer 2"),
    ("group size", "parameter group 0 has 3 parameters in the state dict, 2 in the optimizer"),
    ("state shape", r"state\[1\]\['exp_avg'\] has shape \(4,\), but its parameter has shape"),
    ("unknown index", "state for parameter 42, which no parameter group lists"),
    ("repeated index", "lists a parameter index more than once"),
    ("bad lr", "invalid lr -0.5"),
])
def test_bad_load_raises_and_changes_nothing(how: str, message: str) -> None:
    values, grads = initial_values(2, np.float32), gradient_sequence(2, 4, np.float32)
    source, source_params = make("Adam", {"lr": 0.01}, values)
    train(source, source_params, grads)
    target, target_params = make("Adam", {"lr": 0.02}, values)
    train(target, target_params, grads[:2])
    before = snapshot(target)
    with pytest.raises((KeyError, ValueError), match=message):
        target.load_state_dict(corrupt(source.state_dict(), how))
    assert_same_state(target.state_dict(), before)
    target.load_state_dict(source.state_dict())  # the uncorrupted one loads
    assert_same_state(target.state_dict(), source.state_dict())


def test_load_state_dict_copies_and_casts_the_state() -> None:
    p = mg.Tensor(np.zeros(3, np.float32), requires_grad=True)
    optimizer = SGD([p], lr=0.1, momentum=0.9)
    buffer = np.ones(3)  # float64, as a hand-written state might be
    optimizer.load_state_dict({"state": {0: {"momentum_buffer": buffer}},
                               "param_groups": [{"lr": 0.1, "momentum": 0.9, "params": [0]}]})
    loaded = optimizer.state[p]["momentum_buffer"]
    assert loaded.dtype == np.float32 and loaded is not buffer
    p.grad = mg.Tensor(np.ones(3, np.float32))
    optimizer.step()
    np.testing.assert_array_equal(buffer, np.ones(3))


# *** learning-rate schedules ***
SCHEDULES = [
    ("StepLR", dict(step_size=3)),
    ("StepLR", dict(step_size=1, gamma=0.5)),
    ("StepLR", dict(step_size=4, gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=5)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01)),
    ("CosineAnnealingLR", dict(T_max=1, eta_min=0.05)),
]
SCHEDULERS = {"StepLR": StepLR, "CosineAnnealingLR": CosineAnnealingLR}


def lr_sequence(optimizer, scheduler, steps: int) -> list[list[float]]:
    lrs = [scheduler.get_last_lr()]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert lrs[-1] == [g["lr"] for g in optimizer.param_groups]
    return lrs


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES)
def test_schedule_matches_torch(torch, name: str, kwargs: dict) -> None:
    p, q = mg.Tensor([1.0], requires_grad=True), mg.Tensor([2.0], requires_grad=True)
    tp, tq = torch.tensor([1.0], requires_grad=True), torch.tensor([2.0], requires_grad=True)
    ours = SGD([{"params": [p]}, {"params": [q], "lr": 0.3}], lr=0.1)
    theirs = torch.optim.SGD([{"params": [tp]}, {"params": [tq], "lr": 0.3}], lr=0.1)
    mine = lr_sequence(ours, SCHEDULERS[name](ours, **kwargs), 25)
    reference = lr_sequence(theirs, getattr(torch.optim.lr_scheduler, name)(theirs, **kwargs), 25)
    np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-15)
    assert len({tuple(lrs) for lrs in mine}) > 1  # the lr does change


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES)
def test_schedule_state_dict_resumes(name: str, kwargs: dict) -> None:
    def fresh():
        optimizer = SGD([mg.Tensor([1.0], requires_grad=True)], lr=0.1)
        return optimizer, SCHEDULERS[name](optimizer, **kwargs)

    optimizer, scheduler = fresh()
    full = lr_sequence(optimizer, scheduler, 12)
    optimizer, scheduler = fresh()
    lr_sequence(optimizer, scheduler, 5)
    state, optimizer_state = scheduler.state_dict(), optimizer.state_dict()
    optimizer, resumed = fresh()
    optimizer.load_state_dict(optimizer_state)  # the lr lives there; schedules chain from it
    resumed.load_state_dict(state)
    assert resumed.get_last_lr() == full[5]
    assert lr_sequence(optimizer, resumed, 7)[1:] == full[6:]


def test_scheduler_errors() -> None:
    optimizer = SGD([mg.Tensor([1.0], requires_grad=True)], lr=0.1)
    with pytest.raises(TypeError, match="expected an Optimizer, got dict"):
        StepLR({"lr": 0.1}, step_size=2)
    with pytest.raises(ValueError, match="step_size must be a positive number, got 0"):
        StepLR(optimizer, step_size=0)
    stepped = StepLR(SGD([mg.Tensor([1.0], requires_grad=True)], lr=1.0), 2.5, gamma=0.5)
    lrs = [stepped.step() or stepped.get_last_lr()[0] for _ in range(6)]
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5]  # a float step_size, as PyTorch (5 % 2.5 == 0)
    with pytest.raises(ValueError, match="T_max must be a positive int, got 2.5"):
        CosineAnnealingLR(optimizer, T_max=2.5)
    scheduler = StepLR(optimizer, step_size=2)
    cosine_state = CosineAnnealingLR(SGD([mg.Tensor([1.0], requires_grad=True)]), 3).state_dict()
    with pytest.raises(KeyError, match="expected the keys"):
        scheduler.load_state_dict(cosine_state)
    with pytest.raises(ValueError, match="has 2 base lrs, the optimizer 1 parameter groups"):
        scheduler.load_state_dict({**scheduler.state_dict(), "base_lrs": [0.1, 0.2]})
