"""Learning-rate schedulers against torch.optim.lr_scheduler: the lr (and momentum) sequences of
two parameter groups over 30-60 steps, state-dict resume, and invalid arguments."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.optim import SGD, Adam, Optimizer, lr_scheduler


class Halving:
    """A callable object: its attributes go into the state dict (a function's do not)."""

    def __init__(self) -> None:
        self.rate = 0.5

    def __call__(self, epoch: int) -> float:
        return self.rate ** (epoch // 4)


# (name, kwargs): kwargs as both libraries take them
SCHEDULES = [
    ("LambdaLR", dict(lr_lambda=lambda epoch: 0.95**epoch)),
    ("LambdaLR", dict(lr_lambda=[lambda epoch: 1 / (1 + epoch), Halving()])),
    ("MultiplicativeLR", dict(lr_lambda=lambda epoch: 0.9)),
    ("MultiplicativeLR", dict(lr_lambda=[lambda epoch: 0.97, lambda epoch: 1 - epoch / 100])),
    ("StepLR", dict(step_size=7, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[3, 10, 10, 25])),
    ("MultiStepLR", dict(milestones=[5, 20], gamma=0.3)),
    ("ConstantLR", dict()),
    ("ConstantLR", dict(factor=0.25, total_iters=12)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.9, total_iters=17)),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.05, total_iters=30)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("PolynomialLR", dict()),
    ("PolynomialLR", dict(total_iters=25, power=2.0)),
    ("PolynomialLR", dict(total_iters=40, power=0.5)),
    ("CosineAnnealingLR", dict(T_max=10, eta_min=0.001)),
    ("CosineAnnealingWarmRestarts", dict(T_0=5)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2, eta_min=0.01)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4)),
    ("CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=0.2, step_size_up=3, step_size_down=7,
                      mode="triangular2")),
    ("CyclicLR", dict(base_lr=0.001, max_lr=[0.1, 0.05], step_size_up=5, mode="exp_range",
                      gamma=0.95, base_momentum=0.7, max_momentum=0.95)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=6, cycle_momentum=False,
                      scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations")),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=60)),
    ("OneCycleLR", dict(max_lr=[0.1, 0.3], epochs=6, steps_per_epoch=10, pct_start=0.25,
                        anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0)),
    ("OneCycleLR", dict(max_lr=0.2, total_steps=60, three_phase=True, base_momentum=0.8,
                        max_momentum=[0.9, 0.99])),
    ("OneCycleLR", dict(max_lr=0.2, total_steps=45, cycle_momentum=False)),
]
STEPS = 45


def schedule_id(case: tuple) -> str:
    name, kwargs = case
    return f"{name}-" + "-".join(f"{k}={v}" for k, v in kwargs.items() if not callable(v)
                                 and not isinstance(v, list))


def make_optimizer(lib, kind: str = "SGD"):
    """Two parameter groups (lr 0.1 and 0.3), SGD with momentum or Adam."""
    params = [lib.tensor([1.0], requires_grad=True), lib.tensor([2.0], requires_grad=True)]
    groups = [{"params": params[:1]}, {"params": params[1:], "lr": 0.3}]
    if kind == "SGD":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    return lib.optim.Adam(groups, lr=0.1)


def momenta(optimizer) -> list[float]:
    group_keys = optimizer.param_groups
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in group_keys]


def run(lib, optimizer, scheduler, steps: int, metrics: list | None = None) -> list:
    """[lr of each group, momentum of each group] after construction and after each step."""
    seen = [scheduler.get_last_lr() + momenta(optimizer)]
    for i in range(steps):
        optimizer.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[i])
        seen.append(scheduler.get_last_lr() + momenta(optimizer))
        assert seen[-1][:2] == [g["lr"] for g in optimizer.param_groups]
    return seen


def both(torch, name: str, kwargs: dict, kind: str = "SGD", steps: int = STEPS) -> tuple:
    ours = make_optimizer(mg, kind)
    theirs = make_optimizer(torch, kind)
    mine = run(mg, ours, getattr(lr_scheduler, name)(ours, **kwargs), steps)
    reference = run(torch, theirs, getattr(torch.optim.lr_scheduler, name)(theirs, **kwargs),
                    steps)
    return mine, reference


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES, ids=map(schedule_id, SCHEDULES))
def test_schedule_matches_torch(torch, name: str, kwargs: dict) -> None:
    steps = kwargs.get("total_steps", STEPS)
    mine, reference = both(torch, name, kwargs, steps=steps)
    np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-15)
    assert len({tuple(lrs) for lrs in mine}) > 1  # the lr does change


@pytest.mark.parametrize(("name", "kwargs"), [c for c in SCHEDULES
                                              if c[0] in ("CyclicLR", "OneCycleLR")][::2])
def test_cycled_beta1_of_adam_matches_torch(torch, name: str, kwargs: dict) -> None:
    mine, reference = both(torch, name, kwargs, kind="Adam", steps=kwargs.get("total_steps", 30))
    np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-15)


def test_one_cycle_refuses_a_step_past_total_steps_and_changes_nothing() -> None:
    optimizer = make_optimizer(mg)
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=4)
    for _ in range(4):
        scheduler.step()
    lrs = scheduler.get_last_lr()
    with pytest.raises(ValueError, match="tried to step 5 times, but total_steps is 4"):
        scheduler.step()
    assert scheduler.last_epoch == 4 and [g["lr"] for g in optimizer.param_groups] == lrs


PLATEAUS = [
    dict(),
    dict(patience=2, factor=0.5),
    dict(mode="max", patience=1, threshold=0.05, cooldown=2, min_lr=[0.01, 0.05]),
    dict(patience=0, threshold_mode="abs", threshold=0.2, min_lr=0.02, eps=1e-3),
    dict(mode="max", threshold_mode="abs", threshold=0.0, patience=3, cooldown=1),
]


@pytest.mark.parametrize("kwargs", PLATEAUS)
def test_reduce_on_plateau_matches_torch(torch, kwargs: dict) -> None:
    rng = np.random.default_rng(0)
    metrics = list(np.concatenate([np.linspace(2, 1, 10), 1 + 0.1 * rng.random(40)]))
    if kwargs.get("mode") == "max":
        metrics = [-m for m in metrics]
    ours, theirs = make_optimizer(mg), make_optimizer(torch)
    mine = run(mg, ours, lr_scheduler.ReduceLROnPlateau(ours, **kwargs), 50, metrics)
    reference = run(torch, theirs, torch.optim.lr_scheduler.ReduceLROnPlateau(theirs, **kwargs),
                    50, metrics)
    np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-15)
    assert mine[-1] != mine[0]


def test_reduce_on_plateau_takes_a_tensor_metric() -> None:
    optimizer = make_optimizer(mg)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=0)
    scheduler.step(mg.tensor(1.0))
    scheduler.step(mg.tensor([2.0]))
    assert scheduler.get_last_lr() == pytest.approx([0.01, 0.03])


COMBINED = [
    ("SequentialLR", [("LinearLR", dict(start_factor=0.1, total_iters=5)),
                      ("CosineAnnealingLR", dict(T_max=20))], dict(milestones=[5])),
    ("SequentialLR", [("ConstantLR", dict(factor=0.5, total_iters=3)),
                      ("ExponentialLR", dict(gamma=0.9)),
                      ("StepLR", dict(step_size=4))], dict(milestones=[4, 12])),
    ("SequentialLR", [("LambdaLR", dict(lr_lambda=lambda e: (e + 1) / 4)),
                      ("MultiStepLR", dict(milestones=[3, 8]))], dict(milestones=[3])),
    ("ChainedScheduler", [("ConstantLR", dict(factor=0.1, total_iters=2)),
                          ("ExponentialLR", dict(gamma=0.9))], {}),
    ("ChainedScheduler", [("LinearLR", dict(start_factor=0.2, total_iters=6)),
                          ("CosineAnnealingLR", dict(T_max=9)),
                          ("MultiStepLR", dict(milestones=[10, 15], gamma=0.5))], {}),
]


def make_combined(lib, optimizer, name: str, parts: list, kwargs: dict):
    inner = [getattr(lib.optim.lr_scheduler, part)(optimizer, **part_kwargs)
             for part, part_kwargs in parts]
    if name == "SequentialLR":
        return lib.optim.lr_scheduler.SequentialLR(optimizer, inner, **kwargs)
    return lib.optim.lr_scheduler.ChainedScheduler(inner)


@pytest.mark.parametrize(("name", "parts", "kwargs"), COMBINED)
def test_combined_schedules_match_torch(torch, name: str, parts: list, kwargs: dict) -> None:
    ours, theirs = make_optimizer(mg), make_optimizer(torch)
    mine = run(mg, ours, make_combined(mg, ours, name, parts, kwargs), 30)
    reference = run(torch, theirs, make_combined(torch, theirs, name, parts, kwargs), 30)
    np.testing.assert_allclose(mine, reference, rtol=1e-12, atol=1e-15)


def test_closed_form_step_with_an_epoch_matches_torch(torch) -> None:
    ours, theirs = make_optimizer(mg), make_optimizer(torch)
    mine = lr_scheduler.MultiStepLR(ours, milestones=[2, 6])
    reference = torch.optim.lr_scheduler.MultiStepLR(theirs, milestones=[2, 6])
    for epoch in (3, 7, 1, 4):
        with pytest.warns(UserWarning, match="deprecated"):
            mine.step(epoch)
        with pytest.warns(UserWarning):
            reference.step(epoch)
        np.testing.assert_allclose(mine.get_last_lr(), reference.get_last_lr(), rtol=1e-12)


def test_warm_restarts_with_fractional_epochs_matches_torch(torch) -> None:
    ours, theirs = make_optimizer(mg), make_optimizer(torch)
    mine = lr_scheduler.CosineAnnealingWarmRestarts(ours, T_0=2, T_mult=2)
    reference = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs, T_0=2, T_mult=2)
    for epoch in np.arange(0, 14, 0.25):
        mine.step(float(epoch))
        reference.step(float(epoch))
        np.testing.assert_allclose(mine.get_last_lr(), reference.get_last_lr(), rtol=1e-12)


def test_resuming_with_last_epoch_matches_torch(torch) -> None:
    """A scheduler made with last_epoch=k continues from the optimizer's initial_lr."""
    ours, theirs = make_optimizer(mg), make_optimizer(torch)
    for group in ours.param_groups + theirs.param_groups:
        group["initial_lr"] = group["lr"]
    mine = run(mg, ours, lr_scheduler.CosineAnnealingLR(ours, T_max=10, last_epoch=4), 12)
    reference = run(torch, theirs, torch.optim.lr_scheduler.CosineAnnealingLR(
        theirs, T_max=10, last_epoch=4), 12)
    np.testing.assert_allclose(mine, reference, rtol=1e-12)
    with pytest.raises(KeyError, match=r"param_groups\[0\] has no 'initial_lr'"):
        lr_scheduler.StepLR(make_optimizer(mg), step_size=2, last_epoch=3)


# *** state dicts ***
def fresh(name: str, kwargs: dict):
    optimizer = make_optimizer(mg)
    if name in ("SequentialLR", "ChainedScheduler"):
        parts, kwargs = kwargs["parts"], kwargs["kwargs"]
        return optimizer, make_combined(mg, optimizer, name, parts, kwargs)
    return optimizer, getattr(lr_scheduler, name)(optimizer, **kwargs)


RESUMABLE = SCHEDULES[1::2] + [(name, dict(parts=parts, kwargs=kwargs))
                               for name, parts, kwargs in COMBINED[::2]]


@pytest.mark.parametrize(("name", "kwargs"), RESUMABLE, ids=map(schedule_id, RESUMABLE))
def test_state_dict_resume_gives_the_same_sequence(name: str, kwargs: dict) -> None:
    optimizer, scheduler = fresh(name, kwargs)
    full = run(mg, optimizer, scheduler, 30)
    optimizer, scheduler = fresh(name, kwargs)
    run(mg, optimizer, scheduler, 13)
    for fn in getattr(scheduler, "lr_lambdas", []):
        if isinstance(fn, Halving):
            fn.rate = 0.5  # saved in the state dict; the fresh one below starts at 0.6
    state, optimizer_state = scheduler.state_dict(), optimizer.state_dict()
    optimizer, resumed = fresh(name, kwargs)
    for fn in getattr(resumed, "lr_lambdas", []):
        if isinstance(fn, Halving):
            fn.rate = 0.6
    optimizer.load_state_dict(optimizer_state)
    resumed.load_state_dict(state)
    assert resumed.get_last_lr() == full[13][:2]
    assert run(mg, optimizer, resumed, 17)[1:] == full[14:]


def test_state_dict_keys_match_torch(torch) -> None:
    for name, kwargs in SCHEDULES[::3]:
        ours, theirs = make_optimizer(mg), make_optimizer(torch)
        mine = getattr(lr_scheduler, name)(ours, **kwargs).state_dict()
        reference = getattr(torch.optim.lr_scheduler, name)(theirs, **kwargs).state_dict()
        assert set(mine) == set(reference) - {"_get_lr_called_within_step"}, name
    mine = lr_scheduler.ReduceLROnPlateau(make_optimizer(mg)).state_dict()
    reference = torch.optim.lr_scheduler.ReduceLROnPlateau(make_optimizer(torch)).state_dict()
    assert mine == reference
    for name, parts, kwargs in COMBINED[:1] + COMBINED[3:4]:
        mine = make_combined(mg, make_optimizer(mg), name, parts, kwargs).state_dict()
        reference = make_combined(torch, make_optimizer(torch), name, parts, kwargs).state_dict()
        assert set(mine) == set(reference)


def test_state_dict_survives_save_and_load(tmp_path) -> None:
    optimizer, scheduler = fresh("MultiStepLR", dict(milestones=[3, 10, 10]))
    run(mg, optimizer, scheduler, 11)
    plateau = lr_scheduler.ReduceLROnPlateau(make_optimizer(mg))
    mg.save({"multistep": scheduler.state_dict(), "plateau": plateau.state_dict(),
             "optimizer": optimizer.state_dict()}, tmp_path / "ckpt.pt")
    loaded = mg.load(tmp_path / "ckpt.pt")
    optimizer, resumed = fresh("MultiStepLR", dict(milestones=[3, 10, 10]))
    optimizer.load_state_dict(loaded["optimizer"])
    resumed.load_state_dict(loaded["multistep"])
    with pytest.warns(UserWarning, match="deprecated"):
        resumed.step(12)  # the closed form reads the milestones loaded back as a dict
    assert resumed.get_last_lr() == pytest.approx([0.1 * 0.001, 0.3 * 0.001])
    lr_scheduler.ReduceLROnPlateau(make_optimizer(mg)).load_state_dict(loaded["plateau"])


def test_one_cycle_groups_load_into_a_fresh_optimizer() -> None:
    optimizer = make_optimizer(mg)
    lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
    again = make_optimizer(mg)
    again.load_state_dict(optimizer.state_dict())
    assert again.param_groups[0]["max_lr"] == 0.1 and again.param_groups[0]["momentum"] == 0.95


# *** errors ***
def sgd() -> SGD:
    return make_optimizer(mg)


ERRORS = [
    (lambda: lr_scheduler.ExponentialLR({"lr": 0.1}, gamma=0.5), TypeError,
     "ExponentialLR: expected an Optimizer, got dict"),
    (lambda: lr_scheduler.LambdaLR(sgd(), [lambda e: 1.0]), ValueError,
     r"expected 2 lr_lambdas \(one per parameter group\), got 1"),
    (lambda: lr_scheduler.MultiplicativeLR(sgd(), 0.9), TypeError,
     "lr_lambda should be a function, got float"),
    (lambda: lr_scheduler.ConstantLR(sgd(), factor=1.5), ValueError,
     r"ConstantLR: factor must be in \[0, 1\], got 1.5"),
    (lambda: lr_scheduler.LinearLR(sgd(), start_factor=0), ValueError,
     r"start_factor must be in \(0, 1\], got 0"),
    (lambda: lr_scheduler.LinearLR(sgd(), end_factor=-0.5), ValueError,
     r"end_factor must be in \[0, 1\], got -0.5"),
    (lambda: lr_scheduler.PolynomialLR(sgd(), total_iters=0), ValueError,
     "total_iters must be a positive int, got 0"),
    (lambda: lr_scheduler.CosineAnnealingWarmRestarts(sgd(), T_0=0), ValueError,
     "T_0 must be a positive int, got 0"),
    (lambda: lr_scheduler.CosineAnnealingWarmRestarts(sgd(), T_0=2, T_mult=1.5), ValueError,
     "T_mult must be a positive int, got 1.5"),
    (lambda: lr_scheduler.CyclicLR(sgd(), 0.01, 0.1, mode="sawtooth"), ValueError,
     "mode 'sawtooth' is not one of"),
    (lambda: lr_scheduler.CyclicLR(sgd(), [0.01, 0.02, 0.03], 0.1), ValueError,
     "base_lr has 3 values, but the optimizer has 2 parameter groups"),
    (lambda: lr_scheduler.CyclicLR(Optimizer([mg.zeros(1, requires_grad=True)], {"lr": 0.1}),
                                   0.01, 0.1), ValueError,
     "cycle_momentum needs an optimizer with momentum or betas"),
    (lambda: lr_scheduler.OneCycleLR(sgd(), max_lr=0.1), ValueError,
     "give either total_steps or both epochs and steps_per_epoch"),
    (lambda: lr_scheduler.OneCycleLR(sgd(), max_lr=0.1, total_steps=-3), ValueError,
     "total_steps must be a positive int, got -3"),
    (lambda: lr_scheduler.OneCycleLR(sgd(), max_lr=0.1, total_steps=9, pct_start=1.2),
     ValueError, r"pct_start must be a float in \[0, 1\], got 1.2"),
    (lambda: lr_scheduler.OneCycleLR(sgd(), max_lr=0.1, total_steps=9, anneal_strategy="exp"),
     ValueError, "anneal_strategy must be 'cos' or 'linear', got 'exp'"),
    (lambda: lr_scheduler.ReduceLROnPlateau(sgd(), factor=1.0), ValueError,
     r"factor should be < 1.0, got 1.0"),
    (lambda: lr_scheduler.ReduceLROnPlateau(sgd(), mode="up"), ValueError,
     "mode must be 'min' or 'max', got 'up'"),
    (lambda: lr_scheduler.ReduceLROnPlateau(sgd(), threshold_mode="pct"), ValueError,
     "threshold_mode must be 'rel' or 'abs', got 'pct'"),
    (lambda: lr_scheduler.ReduceLROnPlateau(sgd(), min_lr=[0.1]), ValueError,
     "min_lr has 1 values, but the optimizer has 2 parameter groups"),
    (lambda: lr_scheduler.ChainedScheduler([]), ValueError, "expected at least one scheduler"),
    (lambda: lr_scheduler.ChainedScheduler([sgd()]), TypeError,
     r"schedulers\[0\] is a SGD, not a learning-rate scheduler"),
    (lambda: lr_scheduler.SequentialLR(sgd(), [lr_scheduler.ExponentialLR(sgd(), 0.9)], []),
     ValueError, r"schedulers\[0\] \(ExponentialLR\) belongs to another optimizer"),
]


@pytest.mark.parametrize(("make", "error", "message"), ERRORS)
def test_invalid_arguments(make, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make()


def test_combined_schedulers_refuse_plateau_and_wrong_milestones() -> None:
    optimizer = sgd()
    plateau = lr_scheduler.ReduceLROnPlateau(optimizer)
    with pytest.raises(ValueError, match=r"schedulers\[0\] is a ReduceLROnPlateau"):
        lr_scheduler.ChainedScheduler([plateau])
    exponential = lr_scheduler.ExponentialLR(optimizer, 0.9)
    with pytest.raises(ValueError, match=r"expected 0 milestones .* got 1"):
        lr_scheduler.SequentialLR(optimizer, [exponential], milestones=[3])


def test_bad_state_dict_changes_nothing() -> None:
    optimizer, scheduler = fresh("LambdaLR", SCHEDULES[1][1])
    before = scheduler.state_dict()
    with pytest.raises(ValueError, match="expected a list of 2 lr_lambdas states"):
        scheduler.load_state_dict({**before, "lr_lambdas": [None], "last_epoch": 9})
    assert scheduler.state_dict() == before
    chained = make_combined(mg, optimizer, *COMBINED[3])
    with pytest.raises(ValueError, match="expected a list of 2 scheduler states"):
        chained.load_state_dict({**chained.state_dict(), "_schedulers": []})
    assert math.isclose(chained.get_last_lr()[0], optimizer.param_groups[0]["lr"])


def test_adam_betas_follow_one_cycle() -> None:
    optimizer = Adam([mg.zeros(2, requires_grad=True)], lr=0.1, betas=(0.9, 0.99))
    lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
    assert optimizer.param_groups[0]["betas"] == (0.95, 0.99)
