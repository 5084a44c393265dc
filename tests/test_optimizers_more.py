"""NAdam, RAdam, Adamax, Adadelta, Rprop, ASGD (and LBFGS) against torch.optim: updates from
given gradients (two parameter groups, a parameter skipping a step) and on a small model,
state keys, state-dict resume (also through save/load), options refused, invalid arguments."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.optim import ASGD, Adadelta, Adamax, NAdam, RAdam, Rprop
from tests.test_optim import (
    gradient_sequence,
    groups,
    initial_values,
    run_torch,
    step_allocation,
)
from tests.test_optim import run_minigrad as run_optimizer
from tests.test_optim_more import state_keys_after_one_step

OPTIMIZERS = {"NAdam": NAdam, "RAdam": RAdam, "Adamax": Adamax, "Adadelta": Adadelta,
              "Rprop": Rprop, "ASGD": ASGD}
CONFIGS = [
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.2, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, betas=(0.5, 0.6), weight_decay=0.1)),  # rectified from step 3
    ("RAdam", dict(lr=0.01, weight_decay=0.3, decoupled_weight_decay=True, maximize=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3, weight_decay=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-4, weight_decay=0.1, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=4, weight_decay=0.1)),
    ("ASGD", dict(lr=0.02, t0=0, maximize=True)),
]
IDS = [f"{name}-{'-'.join(map(str, kwargs.values()))}" for name, kwargs in CONFIGS]
TOLERANCE = {np.float32: 1e-6, np.float64: 1e-12}
SHAPES = [(3, 4), (5,), (), (20, 30)]


def run_minigrad(name: str, kwargs: dict, values: list, grads: list) -> list:
    return run_optimizer(name, kwargs, values, grads, OPTIMIZERS)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=IDS)
def test_matches_torch(torch, name: str, kwargs: dict, dtype: type) -> None:
    values = initial_values(0, dtype, SHAPES)
    grads = gradient_sequence(0, steps=15, dtype=dtype, shapes=SHAPES)
    copies = [[None if g is None else g.copy() for g in step] for step in grads]
    ours = run_minigrad(name, kwargs, values, grads)
    theirs = run_torch(torch, name, kwargs, values, grads)
    for a, b, start in zip(ours, theirs, values, strict=True):
        assert a.dtype == dtype and a.shape == start.shape
        assert not np.allclose(a, start)
        np.testing.assert_allclose(a, b, rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])
    for step, before in zip(grads, copies, strict=True):  # gradients are never written
        for g, g0 in zip(step, before, strict=True):
            np.testing.assert_array_equal(g, g0)


def small_model(lib, dtype: type):
    """Parameters, and a loss closure of a 4-8-1 tanh network on fixed data, in `lib`."""
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(s).astype(dtype) * 0.5 for s in [(4, 8), (8,), (8, 1), (1,)]]
    x, y = rng.standard_normal((16, 4)).astype(dtype), rng.standard_normal((16, 1)).astype(dtype)
    params = [lib.tensor(a, requires_grad=True) for a in arrays]
    x, y = lib.tensor(x), lib.tensor(y)

    def loss_fn():
        w1, b1, w2, b2 = params
        return (((x @ w1 + b1).tanh() @ w2 + b2 - y) ** 2).mean()
    return params, loss_fn


def train(lib, name: str, kwargs: dict, dtype: type, steps: int) -> tuple[list, list]:
    params, loss_fn = small_model(lib, dtype)
    optimizer = getattr(lib.optim, name)(params, **kwargs)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return [p.detach().numpy() if lib is not mg else p.array for p in params], losses


MODEL_CONFIGS = [CONFIGS[i] for i in (0, 2, 3, 5, 6, 8, 9, 10, 13)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("name", "kwargs"), MODEL_CONFIGS,
                         ids=[f"{n}-{'-'.join(map(str, k.values()))}" for n, k in MODEL_CONFIGS])
def test_small_model_trains_as_in_torch(torch, name: str, kwargs: dict, dtype: type) -> None:
    ours, our_losses = train(mg, name, kwargs, dtype, 15)
    theirs, their_losses = train(torch, name, kwargs, dtype, 15)
    tol = 10 * TOLERANCE[dtype]  # the gradients themselves differ in the last bits
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
    np.testing.assert_allclose(our_losses, their_losses, rtol=tol)
    if not kwargs.get("maximize"):
        assert our_losses[-1] < our_losses[0]


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS[1::2], ids=IDS[1::2])
def test_state_keys_match_torch(torch, name: str, kwargs: dict) -> None:
    ours_group, theirs_group = state_keys_after_one_step(torch, OPTIMIZERS[name], name, kwargs)
    assert {k: ours_group[k] for k in ours_group if k != "params"} == {
        k: theirs_group[k] for k in ours_group if k != "params"}


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=IDS)
def test_state_dict_resume_gives_the_same_trajectory(tmp_path, name: str, kwargs: dict) -> None:
    values = initial_values(1, np.float64, SHAPES)
    grads = gradient_sequence(1, steps=10, dtype=np.float64, shapes=SHAPES)
    straight = run_minigrad(name, kwargs, values, grads)
    params = [mg.Tensor(v, requires_grad=True) for v in values]
    first = OPTIMIZERS[name](groups(params, kwargs), **kwargs)
    for i, step_grads in enumerate(grads):
        if i == 5:  # a new optimizer takes over from the saved state, through a file
            mg.save(first.state_dict(), tmp_path / "optimizer.pt")
            first = OPTIMIZERS[name](groups(params, kwargs), **kwargs)
            first.load_state_dict(mg.load(tmp_path / "optimizer.pt"))
        for p, g in zip(params, step_grads, strict=True):
            p.grad = None if g is None else mg.tensor(g)
        first.step()
    for a, b in zip(straight, [p.array for p in params], strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=IDS)
def test_float32_stays_float32_and_versions_are_bumped(name: str, kwargs: dict) -> None:
    p = mg.Tensor(np.ones(4, np.float32), requires_grad=True)
    q = mg.Tensor(np.ones(2, np.float32), requires_grad=True)
    optimizer = OPTIMIZERS[name]([p, q], **kwargs)
    versions = p._version, q._version
    for _ in range(2):
        p.grad = mg.Tensor(np.full(4, 0.5, np.float32))
        optimizer.step()
    assert (p._version, q._version) == (versions[0] + 2, versions[1])
    assert p.array.dtype == np.float32
    assert all(v.dtype == np.float32 for v in optimizer.state[p].values()
               if isinstance(v, np.ndarray))


@pytest.mark.parametrize(("name", "kwargs"), [c for c in CONFIGS if c[0] != "Rprop"],
                         ids=[i for i in IDS if not i.startswith("Rprop")])
def test_steps_allocate_no_array_of_the_parameters_size(name: str, kwargs: dict) -> None:
    peak, size = step_allocation(OPTIMIZERS[name], kwargs)
    assert peak < size / 10, f"a step allocated {peak} bytes"


def test_one_cycle_moves_beta1_of_nadam(torch) -> None:
    values = initial_values(2, np.float64, SHAPES[:2])
    grads = gradient_sequence(2, steps=12, dtype=np.float64, shapes=SHAPES[:2])
    results = []
    for lib in (mg, torch):
        params = [lib.tensor(v, requires_grad=True) for v in values]
        optimizer = lib.optim.NAdam(params)
        scheduler = lib.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.05, total_steps=12)
        for step_grads in grads:
            for p, g in zip(params, step_grads, strict=True):
                p.grad = None if g is None else lib.tensor(g)
            optimizer.step()
            scheduler.step()
        results.append([p.detach().numpy() if lib is torch else p.array for p in params])
    for a, b in zip(*results, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# *** errors ***
@pytest.mark.parametrize(("make", "message"), [
    (lambda p: NAdam(p, lr=-1), "NAdam: invalid lr -1"),
    (lambda p: NAdam(p, betas=(1.0, 0.9)), "NAdam: invalid beta at index 0: 1.0"),
    (lambda p: NAdam(p, momentum_decay=-0.1), "invalid momentum_decay -0.1"),
    (lambda p: RAdam(p, eps=-1e-8), "RAdam: invalid eps -1e-08"),
    (lambda p: RAdam(p, betas=(0.9, -0.1)), "invalid beta at index 1: -0.1"),
    (lambda p: Adamax(p, weight_decay=-0.5), "Adamax: invalid weight_decay -0.5"),
    (lambda p: Adadelta(p, rho=1.5), r"Adadelta: invalid rho 1.5 \(must be in \[0, 1\]\)"),
    (lambda p: Adadelta(p, lr=-0.1), "invalid lr -0.1"),
    (lambda p: Rprop(p, etas=(1.5, 1.2)), r"Rprop: invalid etas \(1.5, 1.2\)"),
    (lambda p: Rprop(p, lr=-1e-3), "invalid lr -0.001"),
    (lambda p: ASGD(p, weight_decay=-1), "ASGD: invalid weight_decay -1"),
    (lambda p: NAdam(p, foreach=True), "NAdam: foreach=True is not supported"),
    (lambda p: Adamax(p, capturable=True), "Adamax: capturable=True is not supported"),
    (lambda p: ASGD(p, differentiable=True), "ASGD: differentiable=True is not supported"),
])
def test_invalid_arguments(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make([mg.tensor([1.0], requires_grad=True)])


def test_torch_rejects_the_same_arguments(torch) -> None:
    """The values refused above are refused by PyTorch too."""
    p = [torch.tensor([1.0], requires_grad=True)]
    for make in (lambda: torch.optim.NAdam(p, momentum_decay=-0.1),
                 lambda: torch.optim.Adadelta(p, rho=1.5),
                 lambda: torch.optim.Rprop(p, etas=(1.5, 1.2)),
                 lambda: torch.optim.ASGD(p, weight_decay=-1)):
        with pytest.raises(ValueError):
            make()


def test_default_foreach_values_are_accepted() -> None:
    p = [mg.tensor([1.0], requires_grad=True)]
    for cls in OPTIMIZERS.values():
        cls(p, foreach=None)
        cls(p, foreach=False)


def test_namespace() -> None:
    for name, cls in OPTIMIZERS.items():
        assert getattr(mg.optim, name) is cls and name in mg.optim.__all__


# *** LBFGS ***
A = np.diag([1.0, 2.0, 4.0, 8.0, 16.0]) + 0.5  # f = x'Ax / 2 - b'x + sum(x^4) / 10: convex
B = np.array([1.0, -2.0, 3.0, -4.0, 5.0])


def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
    x = x.astype(np.float64)
    return 0.5 * x @ A @ x - B @ x + 0.1 * (x**4).sum(), A @ x - B + 0.4 * x**3


def lbfgs_run(lib, kwargs: dict, dtype: type, steps: int) -> tuple[np.ndarray, list, dict]:
    """LBFGS on `objective` from (3, -3, 3, -3, 3), its gradient computed in numpy so that both
    libraries see the same numbers."""
    x = lib.tensor(np.array([3.0, -3.0, 3.0, -3.0, 3.0], dtype), requires_grad=True)
    optimizer = lib.optim.LBFGS([x], **kwargs)

    def closure():
        loss, grad = objective(x.detach().numpy() if lib is not mg else x.array)
        x.grad = lib.tensor(grad.astype(dtype))
        return lib.tensor(np.array(loss, dtype))

    losses = [float(optimizer.step(closure)) for _ in range(steps)]
    state = optimizer.state[x]
    counts = {k: state[k] for k in ("func_evals", "n_iter")}
    return (x.detach().numpy() if lib is not mg else x.array), losses, counts


LBFGS_CONFIGS = [
    dict(),
    dict(lr=0.5, max_iter=7, history_size=3),
    dict(line_search_fn="strong_wolfe"),
    dict(line_search_fn="strong_wolfe", max_iter=10, max_eval=12, history_size=2),
    dict(lr=0.1, tolerance_change=1e-5, tolerance_grad=1e-3),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", LBFGS_CONFIGS)
def test_lbfgs_matches_torch(torch, kwargs: dict, dtype: type) -> None:
    ours, our_losses, our_counts = lbfgs_run(mg, kwargs, dtype, 4)
    theirs, their_losses, their_counts = lbfgs_run(torch, kwargs, dtype, 4)
    tol = {np.float32: 1e-6, np.float64: 1e-12}[dtype]
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)
    np.testing.assert_allclose(our_losses, their_losses, rtol=tol, atol=tol)
    assert our_counts == their_counts
    assert our_losses[-1] < our_losses[0]


@pytest.mark.parametrize("kwargs", [dict(history_size=4, max_iter=6),
                                    dict(line_search_fn="strong_wolfe", max_iter=8)])
def test_lbfgs_small_model_matches_torch(torch, kwargs: dict) -> None:
    results = []
    for lib in (mg, torch):
        params, loss_fn = small_model(lib, np.float64)
        optimizer = lib.optim.LBFGS(params, **kwargs)

        def closure(optimizer=optimizer, loss_fn=loss_fn):
            optimizer.zero_grad()
            loss = loss_fn()
            loss.backward()
            return loss

        losses = [float(optimizer.step(closure).detach()) for _ in range(3)]
        results.append(([p.detach().numpy() if lib is torch else p.array for p in params],
                         losses))
    (ours, our_losses), (theirs, their_losses) = results
    for a, b in zip(ours, theirs, strict=True):  # the gradients differ in their last bits
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-8)
    assert our_losses[-1] < our_losses[0] / 2


def test_lbfgs_state_dict_resume(tmp_path) -> None:
    straight, _, _ = lbfgs_run(mg, dict(history_size=3, max_iter=4), np.float64, 4)
    x = mg.tensor([3.0, -3.0, 3.0, -3.0, 3.0], dtype=mg.float64, requires_grad=True)

    def closure():
        loss, grad = objective(x.array)
        x.grad = mg.tensor(grad)
        return mg.tensor(loss)

    optimizer = mg.optim.LBFGS([x], history_size=3, max_iter=4)
    for _ in range(2):
        optimizer.step(closure)
    mg.save(optimizer.state_dict(), tmp_path / "lbfgs.pt")
    optimizer = mg.optim.LBFGS([x], history_size=3, max_iter=4)
    optimizer.load_state_dict(mg.load(tmp_path / "lbfgs.pt"))
    for _ in range(2):
        optimizer.step(closure)
    np.testing.assert_array_equal(x.array, straight)


def test_lbfgs_state_keys_match_torch(torch) -> None:
    keys = []
    for lib in (mg, torch):
        x = lib.tensor([0.5, 0.5, 0.5, 0.5, 0.5], requires_grad=True)
        optimizer = lib.optim.LBFGS([x], max_iter=3)

        def closure(x=x, lib=lib):
            loss, grad = objective(x.detach().numpy() if lib is torch else x.array)
            x.grad = lib.tensor(grad.astype(np.float32))
            return lib.tensor(loss)

        optimizer.step(closure)
        keys.append(sorted(optimizer.state_dict()["state"][0]))
    assert keys[0] == keys[1]


def test_lbfgs_bumps_versions_and_refuses_what_it_does_not_support() -> None:
    xy = mg.tensor([1.0, 2.0], requires_grad=True)
    optimizer = mg.optim.LBFGS([xy], max_iter=2)
    before = xy._version

    def closure():
        xy.grad = mg.tensor([0.5, 0.5])
        return mg.tensor(1.0)

    optimizer.step(closure)
    assert xy._version > before
    with pytest.raises(ValueError, match="line_search_fn must be None or 'strong_wolfe', got "
                                         "'backtracking'"):
        mg.optim.LBFGS([xy], line_search_fn="backtracking")
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        mg.optim.LBFGS([{"params": [xy]}, {"params": [mg.zeros(1, requires_grad=True)]}])
    with pytest.raises(ValueError, match="history_size must be a positive int, got 0"):
        mg.optim.LBFGS([xy], history_size=0)
    with pytest.raises(ValueError, match="LBFGS: invalid lr -1"):
        mg.optim.LBFGS([xy], lr=-1)
    with pytest.raises(ValueError, match="needs a closure"):
        optimizer.step(None)
