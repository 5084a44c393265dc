"""Learning-rate schedules: each step() sets every parameter group's lr for the next epoch.

As torch.optim.lr_scheduler, most schedules are chainable: get_lr() computes the next lr from the
group's current one (lr *= factor), so that several schedulers can act on one optimizer (see
ChainedScheduler) and the sequences match PyTorch's to the last bit. `_closed_form_lr()` gives the
lr at `last_epoch` from `base_lrs` directly, for step(epoch) and SequentialLR's milestones.
"""

from __future__ import annotations

import math
import types
import warnings
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from numbers import Real
from typing import Any

from minigrad.optim.optimizer import Optimizer

_EPOCH_WARNING = ("passing an epoch to scheduler.step() is deprecated (as in PyTorch): the lr "
                  "is then taken from the closed form where there is one; call step() instead")


class LRScheduler:
    """Base class. Subclasses define `get_lr()`: each group's lr at epoch `last_epoch`, usually
    from the group's current lr; `base_lrs` are the groups' 'initial_lr' (their lr when the first
    scheduler was made). last_epoch != -1 resumes a schedule, which needs 'initial_lr' in every
    group (from the optimizer's state dict)."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        _check_optimizer(self, optimizer)
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"{type(self).__name__}: param_groups[{i}] has no 'initial_lr', "
                               f"which resuming with last_epoch={last_epoch} needs (load the "
                               "optimizer's state dict first, or use last_epoch=-1)")
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """The step made by the constructor: epoch 0 (or last_epoch + 1 when resuming)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or, deprecated, go to `epoch`) and set the groups' lr for it."""
        if epoch is not None:
            warnings.warn(_EPOCH_WARNING, UserWarning, stacklevel=2)
        self._step_count += 1
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        """Set last_epoch and the groups' lr; on an error nothing has changed."""
        previous = self.last_epoch
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed_form = getattr(self, "_closed_form_lr", self.get_lr)
                values = closed_form()
        except Exception:
            self.last_epoch = previous
            raise
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = _current(self.optimizer, "lr")

    def get_last_lr(self) -> list[float]:
        """The lr of each group, as set by the last step()."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Every attribute but the optimizer (whose own state dict holds the lr)."""
        return {key: value for key, value in vars(self).items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what state_dict() returned; checked first, so a bad one changes nothing."""
        if not isinstance(state_dict, dict):
            raise TypeError(f"{type(self).__name__}.load_state_dict: expected a dict, got "
                            f"{type(state_dict).__name__}")
        mine = self.state_dict()
        if set(state_dict) != set(mine):
            raise KeyError(f"{type(self).__name__}.load_state_dict: expected the keys "
                           f"{sorted(mine)}, got {sorted(state_dict)}")
        if "base_lrs" in mine and len(state_dict["base_lrs"]) != len(mine["base_lrs"]):
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state dict has "
                             f"{len(state_dict['base_lrs'])} base lrs, the optimizer "
                             f"{len(mine['base_lrs'])} parameter groups")
        vars(self).update(state_dict)


class _LambdaScheduler(LRScheduler):
    """LambdaLR and MultiplicativeLR: one function of the epoch for every group, or one per
    group. Their state dict saves no function (None), but a callable object's attributes (as
    PyTorch does)."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | list,
                 last_epoch: int = -1) -> None:
        _check_optimizer(self, optimizer)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(f"{type(self).__name__}: expected "
                                 f"{len(optimizer.param_groups)} lr_lambdas (one per parameter "
                                 f"group), got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"{type(self).__name__}: lr_lambda should be a function, got "
                                f"{type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        state = {key: value for key, value in vars(self).items()
                 if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else dict(vars(fn))
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        functions, saved = self.lr_lambdas, state_dict.get("lr_lambdas")
        if not isinstance(saved, list) or len(saved) != len(functions):
            raise ValueError(f"{type(self).__name__}.load_state_dict: expected a list of "
                             f"{len(functions)} lr_lambdas states, got {saved!r:.80}")
        super().load_state_dict(state_dict)
        self.lr_lambdas = functions
        for fn, attributes in zip(functions, saved, strict=True):
            if attributes is not None:
                vars(fn).update(attributes)


class LambdaLR(_LambdaScheduler):
    """lr = base_lr * lr_lambda(epoch), one function for every group or one per group."""

    def get_lr(self) -> list[float]:
        return [base_lr * _factor(self, fn) for fn, base_lr in zip(self.lr_lambdas,
                                                                    self.base_lrs, strict=True)]


class MultiplicativeLR(_LambdaScheduler):
    """lr = lr * lr_lambda(epoch) at every step after the first."""

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return _current(self.optimizer, "lr")
        return [group["lr"] * _factor(self, fn)
                for fn, group in zip(self.lr_lambdas, self.optimizer.param_groups, strict=True)]


def _factor(scheduler: _LambdaScheduler, fn: Callable[[int], float]) -> Any:
    """fn(epoch), which must be a number (or a one-element tensor)."""
    factor = fn(scheduler.last_epoch)
    if isinstance(factor, (str, bytes)) or not hasattr(factor, "__float__"):
        raise TypeError(f"{type(scheduler).__name__}: lr_lambda({scheduler.last_epoch}) must "
                        f"return a number, got {factor!r}")
    return factor


class StepLR(LRScheduler):
    """lr = base_lr * gamma ** (epoch // step_size): times gamma every step_size epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, Real) or step_size <= 0:
            raise ValueError(f"StepLR: step_size must be a positive number, got {step_size!r}")
        # a float step_size works as in PyTorch (the torchtext tutorial passes 1.0)
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return _current(self.optimizer, "lr")
        return _scaled(self.optimizer, self.gamma)

    def _closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """lr = base_lr * gamma ** (number of milestones <= epoch); a milestone listed twice counts
    twice."""

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if not isinstance(milestones, Iterable):
            raise TypeError(f"MultiStepLR: milestones must be a list of ints, got "
                            f"{milestones!r}")
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return _current(self.optimizer, "lr")
        return _scaled(self.optimizer, self.gamma ** self.milestones[self.last_epoch])

    def _closed_form_lr(self) -> list[float]:
        passed = sum(count for milestone, count in self.milestones.items()
                     if milestone <= self.last_epoch)
        return [base_lr * self.gamma ** passed for base_lr in self.base_lrs]


class ConstantLR(LRScheduler):
    """lr = base_lr * factor for the first total_iters epochs, then base_lr."""

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if not 0 <= factor <= 1:
            raise ValueError(f"ConstantLR: factor must be in [0, 1], got {factor!r}")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return _scaled(self.optimizer, self.factor)
        if self.last_epoch != self.total_iters:
            return _current(self.optimizer, "lr")
        if self.factor == 0:
            raise ZeroDivisionError(f"ConstantLR: factor=0 cannot be undone at epoch "
                                    f"{self.total_iters} (the lr would be divided by it)")
        return _scaled(self.optimizer, 1.0 / self.factor)

    def _closed_form_lr(self) -> list[float]:
        factor = self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)
        return [base_lr * factor for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """lr = base_lr * (start_factor + (end_factor - start_factor) * min(epoch, total_iters) /
    total_iters): a linear ramp over total_iters epochs (a warm-up with the defaults)."""

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor!r}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor!r}")
        _check_positive_int("LinearLR", "total_iters", total_iters)
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return _scaled(self.optimizer, self.start_factor)
        if self._is_initial or self.last_epoch > self.total_iters:
            return _current(self.optimizer, "lr")
        change = self.end_factor - self.start_factor
        return _scaled(self.optimizer, 1.0 + change / (
            self.total_iters * self.start_factor + (self.last_epoch - 1) * change))

    def _closed_form_lr(self) -> list[float]:
        done = min(self.total_iters, self.last_epoch) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * done
        return [base_lr * factor for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma ** epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return _current(self.optimizer, "lr")
        return _scaled(self.optimizer, self.gamma)

    def _closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    """lr = base_lr * (1 - min(epoch, total_iters) / total_iters) ** power."""

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        _check_positive_int("PolynomialLR", "total_iters", total_iters)
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial or self.last_epoch > self.total_iters:
            return _current(self.optimizer, "lr")
        left = 1.0 - self.last_epoch / self.total_iters
        if left == 0 and self.power < 0:
            raise ZeroDivisionError(f"PolynomialLR: power={self.power} is negative, and the "
                                    f"schedule reaches 0 at epoch {self.total_iters}")
        decay = (left / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return _scaled(self.optimizer, decay)

    def _closed_form_lr(self) -> list[float]:
        left = 1.0 - min(self.total_iters, self.last_epoch) / self.total_iters
        return [base_lr * left**self.power for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2: down to eta_min
    at T_max, then back up (period 2 * T_max), computed step by step as PyTorch does."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        _check_positive_int("CosineAnnealingLR", "T_max", T_max)
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        epoch, T_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return _current(self.optimizer, "lr")
        if self._step_count == 1 and epoch > 0:
            return self._closed_form_lr()
        groups = self.optimizer.param_groups
        if (epoch - 1 - T_max) % (2 * T_max) == 0:  # the lowest point: the ratio below is 0/0
            return [group["lr"] + (base_lr - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
                    for base_lr, group in zip(self.base_lrs, groups, strict=True)]
        ratio = ((1 + math.cos(math.pi * epoch / T_max))
                 / (1 + math.cos(math.pi * (epoch - 1) / T_max)))
        return [ratio * (group["lr"] - eta_min) + eta_min for group in groups]

    def _closed_form_lr(self) -> list[float]:
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * cosine for base_lr in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2, where T_cur counts
    the epochs since the last restart and the i-th period lasts T_i = T_0 * T_mult ** i epochs.
    step(epoch) accepts fractional epochs (epoch + batch / batches), as in PyTorch."""

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        _check_positive_int("CosineAnnealingWarmRestarts", "T_0", T_0)
        _check_positive_int("CosineAnnealingWarmRestarts", "T_mult", T_mult)
        if not isinstance(eta_min, Real):
            raise ValueError(f"CosineAnnealingWarmRestarts: eta_min must be a number, got "
                             f"{eta_min!r}")
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        cosine = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * cosine for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to `epoch` (which may be fractional)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur, self.T_i = self.T_cur % self.T_i, self.T_i * self.T_mult
        elif epoch < 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: epoch must be >= 0, got {epoch!r}")
        elif epoch < self.T_0:
            self.T_i, self.T_cur = self.T_0, epoch
        elif self.T_mult == 1:
            self.T_cur = epoch % self.T_0
        else:  # restarts at T_0 (T_mult^n - 1) / (T_mult - 1)
            n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
            self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
            self.T_i = self.T_0 * self.T_mult**n
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = _current(self.optimizer, "lr")


class CyclicLR(LRScheduler):
    """The lr goes from base_lr up to max_lr in step_size_up steps and back down in
    step_size_down (default step_size_up); the height of a cycle is scaled by 1 (triangular),
    1 / 2 ** (cycle - 1) (triangular2), gamma ** step (exp_range) or scale_fn. With
    cycle_momentum the momentum (SGD's, or beta1 of the Adam family) moves the other way,
    between max_momentum and base_momentum. The lr changes every step (call it per batch)."""

    def __init__(self, optimizer: Optimizer, base_lr: float | list[float],
                 max_lr: float | list[float], step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular", gamma: float = 1.0,
                 scale_fn: Callable[[float], float] | None = None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum: float | list[float] = 0.8,
                 max_momentum: float | list[float] = 0.9, last_epoch: int = -1) -> None:
        _check_optimizer(self, optimizer)
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(f"CyclicLR: mode {mode!r} is not one of 'triangular', "
                             "'triangular2', 'exp_range', and no scale_fn is given")
        if scale_fn is not None and scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"CyclicLR: scale_mode must be 'cycle' or 'iterations', got "
                             f"{scale_mode!r}")
        for name, size in (("step_size_up", step_size_up), ("step_size_down", step_size_down)):
            if size is not None and not (isinstance(size, Real) and size > 0):
                raise ValueError(f"CyclicLR: {name} must be a positive number, got {size!r}")
        base_lrs = _per_group("CyclicLR", "base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                group["lr"] = lr
        self.max_lrs = _per_group("CyclicLR", "max_lr", optimizer, max_lr)
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        self.mode, self.gamma = mode, gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else (
            "iterations" if mode == "exp_range" else "cycle")
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_kind("CyclicLR", optimizer)
            self.base_momentums = _per_group("CyclicLR", "base_momentum", optimizer,
                                             base_momentum)
            self.max_momentums = _per_group("CyclicLR", "max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                for high, low, group in zip(self.max_momentums, self.base_momentums,
                                            optimizer.param_groups, strict=True):
                    _set_momentum(group, self.use_beta1, high)
                    group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        """The height of cycle x (or at step x, in scale_mode 'iterations')."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[float]:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle  # the position in the cycle, [0, 1)
        if x <= self.step_ratio:
            rise = x / self.step_ratio
        else:
            rise = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base_lr + (max_lr - base_lr) * rise * scale
               for base_lr, max_lr in zip(self.base_lrs, self.max_lrs, strict=True)]
        if self.cycle_momentum:
            for low, high, group in zip(self.base_momentums, self.max_momentums,
                                        self.optimizer.param_groups, strict=True):
                _set_momentum(group, self.use_beta1, high - (high - low) * rise * scale)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """As PyTorch: a scale_fn function is not saved (None), a callable object's
        attributes are."""
        state = super().state_dict()
        fn = state["_scale_fn_custom"]
        state["_scale_fn_custom"] = (None if fn is None or isinstance(fn, types.FunctionType)
                                     else dict(vars(fn)))
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        fn, saved = self._scale_fn_custom, state_dict.get("_scale_fn_custom")
        super().load_state_dict(state_dict)
        self._scale_fn_custom = fn
        if fn is not None and saved is not None:
            vars(fn).update(saved)


class OneCycleLR(LRScheduler):
    """The 1cycle policy: the lr rises from max_lr / div_factor to max_lr over pct_start of
    total_steps, then falls to max_lr / (div_factor * final_div_factor) (cosine or linear
    annealing); three_phase first comes back down to the start before the final fall. With
    cycle_momentum, the momentum (or beta1) moves the other way between max_momentum and
    base_momentum. Step it after every batch, total_steps times at most."""

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float],
                 total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.85,
                 max_momentum: float | list[float] = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        _check_optimizer(self, optimizer)
        if total_steps is not None:
            _check_positive_int("OneCycleLR", "total_steps", total_steps)
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            _check_positive_int("OneCycleLR", "epochs", epochs)
            _check_positive_int("OneCycleLR", "steps_per_epoch", steps_per_epoch)
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("OneCycleLR: give either total_steps or both epochs and "
                             f"steps_per_epoch (got total_steps={total_steps}, epochs={epochs}, "
                             f"steps_per_epoch={steps_per_epoch})")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"OneCycleLR: pct_start must be a float in [0, 1], got "
                             f"{pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got "
                             f"{anneal_strategy!r}")
        up = float(pct_start * self.total_steps) - 1
        phases = [(up, "initial_lr", "max_lr", "max_momentum", "base_momentum")]
        if three_phase:
            phases += [(float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr",
                        "base_momentum", "max_momentum"),
                       (self.total_steps - 1, "initial_lr", "min_lr", "max_momentum",
                        "max_momentum")]
        else:
            phases += [(self.total_steps - 1, "max_lr", "min_lr", "base_momentum",
                        "max_momentum")]
        keys = ("end_step", "start_lr", "end_lr", "start_momentum", "end_momentum")
        self._schedule_phases = [dict(zip(keys, phase, strict=True)) for phase in phases]
        self._anneal_func_type = anneal_strategy
        max_lrs = _per_group("OneCycleLR", "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for lr, group in zip(max_lrs, optimizer.param_groups, strict=True):
                group["initial_lr"] = lr / div_factor
                group["max_lr"] = lr
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_kind("OneCycleLR", optimizer)
            highs = _per_group("OneCycleLR", "max_momentum", optimizer, max_momentum)
            lows = _per_group("OneCycleLR", "base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for high, low, group in zip(highs, lows, optimizer.param_groups, strict=True):
                    _set_momentum(group, self.use_beta1, high)
                    group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        """cos: end + (start - end) (1 + cos(pi pct)) / 2;  linear: start + (end - start) pct."""
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {step} times, but total_steps is "
                             f"{self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end = phase["end_step"]
                if step <= end or i == len(self._schedule_phases) - 1:
                    pct = (step - start) / (end - start)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]],
                                            pct))
                    if self.cycle_momentum:
                        _set_momentum(group, self.use_beta1, self._anneal(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct))
                    break
                start = end
        return lrs


class ReduceLROnPlateau(LRScheduler):
    """step(metric): when the metric has not improved (by threshold, relative or absolute) for
    more than `patience` steps, lr = max(lr * factor, min_lr) (a change under eps is skipped),
    then wait `cooldown` steps before counting again. mode 'max' for metrics that grow."""

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | list[float] = 0, eps: float = 1e-8) -> None:
        if not factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor should be < 1.0, got {factor!r}")
        _check_optimizer(self, optimizer)
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got "
                             f"{threshold_mode!r}")
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            self.default_min_lr = None
            self.min_lrs = _per_group("ReduceLROnPlateau", "min_lr", optimizer, list(min_lr))
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience, self.cooldown, self.eps = patience, cooldown, eps
        self.last_epoch = 0
        self._last_lr = _current(optimizer, "lr")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.best, self.cooldown_counter, self.num_bad_epochs = self.mode_worse, 0, 0

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        """a < best * (1 - threshold) ('min', 'rel'), a < best - threshold ('min', 'abs'),
        and the mirror images for 'max'."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metrics: Any, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this epoch's metric (a number or a one-element tensor)."""
        if isinstance(metrics, (str, bytes)) or not hasattr(metrics, "__float__"):
            raise (TypeError if metrics is None else ValueError)(
                f"ReduceLROnPlateau.step: metrics must be a number, got {metrics!r}")
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(_EPOCH_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self.is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = _current(self.optimizer, "lr")

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"ReduceLROnPlateau: the optimizer has {len(groups)} "
                                   f"parameter groups, but min_lr lists {len(self.min_lrs)} "
                                   "(a group was added since); set min_lrs to match")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs, strict=True):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new


class _Nested(LRScheduler):
    """SequentialLR and ChainedScheduler: their state dict holds each scheduler's own in
    '_schedulers'."""

    _schedulers: list[LRScheduler]

    def state_dict(self) -> dict[str, Any]:
        state = {key: value for key, value in vars(self).items()
                 if key not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        mine = self.state_dict()
        if set(state_dict) != set(mine):
            raise KeyError(f"{type(self).__name__}.load_state_dict: expected the keys "
                           f"{sorted(mine)}, got {sorted(state_dict)}")
        saved = state_dict["_schedulers"]
        if not isinstance(saved, list) or len(saved) != len(self._schedulers):
            raise ValueError(f"{type(self).__name__}.load_state_dict: expected a list of "
                             f"{len(self._schedulers)} scheduler states in '_schedulers', got "
                             f"{saved!r:.80}")
        for scheduler, state in zip(self._schedulers, saved, strict=True):
            scheduler.load_state_dict(state)
        vars(self).update({k: v for k, v in state_dict.items() if k != "_schedulers"})


class SequentialLR(_Nested):
    """Run schedulers one after the other: schedulers[i] from milestones[i - 1] on, restarted
    at its milestone from epoch 0 (with its closed form where it has one, as PyTorch)."""

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler],
                 milestones: list[int], last_epoch: int = -1) -> None:
        _check_schedulers(self, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: expected {len(schedulers) - 1} milestones (one "
                             f"fewer than the {len(schedulers)} schedulers), got "
                             f"{len(milestones)}")
        self._schedulers = list(schedulers)
        self._milestones = list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:  # undo the constructors' initial steps
            group["lr"] = group["initial_lr"]
        _undo_initial_steps(self)
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self) -> None:  # type: ignore[override]
        self.last_epoch += 1
        i = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Nested):
    """Step every scheduler in turn at each step(): their (chainable) factors multiply."""

    def __init__(self, schedulers: Sequence[LRScheduler],
                 optimizer: Optimizer | None = None) -> None:
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler: expected at least one scheduler, got none")
        optimizer = optimizer or getattr(schedulers[0], "optimizer", None)
        _check_schedulers(self, optimizer, schedulers)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = _current(optimizer, "lr")

    def step(self) -> None:  # type: ignore[override]
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = _current(self.optimizer, "lr")


def _undo_initial_steps(scheduler: Any) -> None:
    """Take one epoch back from every scheduler nested in `scheduler`."""
    for inner in scheduler._schedulers:
        if hasattr(inner, "_schedulers"):
            _undo_initial_steps(inner)
        else:
            inner.last_epoch -= 1


def _check_optimizer(scheduler: object, optimizer: object) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(scheduler).__name__}: expected an Optimizer, got "
                        f"{type(optimizer).__name__}")


def _check_schedulers(self: LRScheduler, optimizer: Optimizer,
                      schedulers: Sequence[LRScheduler]) -> None:
    name = type(self).__name__
    if len(schedulers) < 1:
        raise ValueError(f"{name}: expected at least one scheduler, got none")
    for i, scheduler in enumerate(schedulers):
        if not isinstance(scheduler, LRScheduler):
            raise TypeError(f"{name}: schedulers[{i}] is a {type(scheduler).__name__}, not a "
                            "learning-rate scheduler")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{name}: schedulers[{i}] is a ReduceLROnPlateau, whose step() "
                             "needs the metric; step it yourself")
        if scheduler.optimizer is not optimizer:
            raise ValueError(f"{name}: schedulers[{i}] ({type(scheduler).__name__}) belongs to "
                             "another optimizer; all must share one")


def _current(optimizer: Optimizer, key: str) -> list[Any]:
    return [group[key] for group in optimizer.param_groups]


def _scaled(optimizer: Optimizer, factor: float) -> list[float]:
    return [group["lr"] * factor for group in optimizer.param_groups]


def _per_group(scheduler: str, name: str, optimizer: Optimizer, value: Any) -> list[Any]:
    """One value per parameter group: a list or tuple of that length, or one value for all."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"{scheduler}: {name} has {len(value)} values, but the optimizer "
                             f"has {len(optimizer.param_groups)} parameter groups")
        return list(value)
    return [value] * len(optimizer.param_groups)


def _momentum_kind(scheduler: str, optimizer: Optimizer) -> bool:
    """True if the optimizer's momentum is beta1 of its betas, False for its 'momentum'."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(f"{scheduler}: cycle_momentum needs an optimizer with momentum or "
                         f"betas, and {type(optimizer).__name__} has neither (pass "
                         "cycle_momentum=False)")
    return "betas" in optimizer.defaults


def _set_momentum(group: dict[str, Any], use_beta1: bool, momentum: float) -> None:
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def _check_positive_int(scheduler: str, name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{scheduler}: {name} must be a positive int, got {value!r}")
