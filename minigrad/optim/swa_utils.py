"""Weight averaging, as torch.optim.swa_utils: AveragedModel keeps a running average of a
model's weights (SWA: the equal-weight mean of the snapshots; EMA: an exponential moving
average), SWALR anneals the learning rate to a constant for SWA, and update_bn recomputes
BatchNorm statistics for the averaged weights.

AveragedModel is an nn.Module; it is made when first used, so that importing minigrad.optim
does not load minigrad.nn (the packages above the engine load only when used)."""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from minigrad.function import no_grad
from minigrad.optim.lr_scheduler import LRScheduler, _check_optimizer, _per_group
from minigrad.optim.optimizer import Optimizer
from minigrad.tensor import Tensor

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn",  # noqa: F822
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]

Tensors = Sequence[Tensor]


# *** averaging functions: (averaged, current, number averaged so far) ***
def _check_decay(decay: float) -> None:
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable[[Tensors, Tensors, Any], None]:
    """EMA in place over lists: ema <- decay ema + (1 - decay) current (a lerp for floats)."""
    _check_decay(decay)

    def ema_update(ema_params: Tensors, current_params: Tensors, _: Any) -> None:
        with no_grad():
            for ema, current in zip(ema_params, current_params, strict=True):
                if ema.dtype.kind in "fc":
                    ema.lerp_(current, 1 - decay)
                else:
                    ema.copy_(ema * decay + current * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> Callable[[Tensors, Tensors, Any], None]:
    """The equal-weight mean in place over lists: avg <- avg + (current - avg) / (n + 1)."""

    def swa_update(averaged_params: Tensors, current_params: Tensors, num_averaged: Any) -> None:
        with no_grad():
            for averaged, current in zip(averaged_params, current_params, strict=True):
                if averaged.dtype.kind in "fc":
                    averaged.lerp_(current, 1 / (float(num_averaged) + 1))
                else:
                    averaged.copy_(averaged + (current - averaged) / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable[[Tensor, Tensor, Any], Tensor]:
    """EMA of one tensor: decay ema + (1 - decay) current."""
    _check_decay(decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable[[Tensor, Tensor, Any], Tensor]:
    """The equal-weight mean of one tensor: avg + (current - avg) / (n + 1)."""

    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


# *** AveragedModel ***
def _update_parameters(self: Any, model: Any) -> None:
    """Fold model's current weights into the average: the first call copies them, later calls
    apply avg_fn to each tensor or multi_avg_fn to all (the equal-weight mean when neither
    was given). Buffers are averaged too with use_buffers, else copied from model."""
    own, theirs = self.module.parameters(), model.parameters()
    if self.use_buffers:
        own = itertools.chain(own, self.module.buffers())
        theirs = itertools.chain(theirs, model.buffers())
    pairs = list(zip(own, theirs))  # (as torch, the shorter list sets the number of pairs)
    own, theirs = [p.detach() for p, _ in pairs], [p.detach() for _, p in pairs]
    with no_grad():
        if int(self.n_averaged) == 0:
            for p_own, p_model in zip(own, theirs):
                p_own.copy_(p_model)
        elif self.avg_fn is not None:
            for p_own, p_model in zip(own, theirs):
                p_own.copy_(self.avg_fn(p_own, p_model, self.n_averaged))
        elif self.multi_avg_fn is not None:
            for group in _by_dtype(own, theirs):
                self.multi_avg_fn(*group, self.n_averaged)
        else:
            average = get_swa_avg_fn()
            for p_own, p_model in zip(own, theirs):
                p_own.copy_(average(p_own, p_model, self.n_averaged))
        if not self.use_buffers:  # keep the buffers in sync with the model
            for b_own, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                b_own.copy_(b_model.detach())
        self.n_averaged.add_(1)


def _by_dtype(own: list[Tensor], theirs: list[Tensor]) -> list[tuple[list, list]]:
    """The pairs grouped by dtype, as torch hands them to multi_avg_fn (one call per group)."""
    groups: dict[Any, tuple[list, list]] = {}
    for p_own, p_model in zip(own, theirs, strict=True):
        mine, other = groups.setdefault(p_own.dtype, ([], []))
        mine.append(p_own)
        other.append(p_model)
    return list(groups.values())


def _make_averaged_model() -> type:
    import minigrad as mg
    from minigrad.nn import Module

    class AveragedModel(Module):
        """A copy of model whose weights are the running average of model's, folded in by
        update_parameters(model): equal-weight (SWA) by default, or avg_fn(averaged, current,
        n_averaged) per tensor, or multi_avg_fn(averaged list, current list, n_averaged) in
        place (get_ema_multi_avg_fn for an EMA). use_buffers averages the buffers too;
        otherwise they are copied from model (recompute BatchNorm statistics with
        update_bn). avg_fn and multi_avg_fn are not saved in the state dict."""

        def __init__(self, model: Module, device: Any = None,
                     avg_fn: Callable[[Tensor, Tensor, Any], Tensor] | None = None,
                     multi_avg_fn: Callable[[Tensors, Tensors, Any], None] | None = None,
                     use_buffers: bool = False) -> None:
            super().__init__()
            if avg_fn is not None and multi_avg_fn is not None:
                raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
            self.module = copy.deepcopy(model)
            if device is not None:
                self.module = self.module.to(device)
            self.register_buffer("n_averaged", mg.tensor(0, dtype=mg.long, device=device))
            self.avg_fn, self.multi_avg_fn, self.use_buffers = avg_fn, multi_avg_fn, use_buffers

        def forward(self, *args: Any, **kwargs: Any) -> Any:
            return self.module(*args, **kwargs)

        update_parameters = _update_parameters

    AveragedModel.__module__, AveragedModel.__qualname__ = __name__, "AveragedModel"
    return AveragedModel


def __getattr__(name: str) -> Any:
    """AveragedModel, made (with minigrad.nn loaded) when first asked for."""
    if name == "AveragedModel":
        globals()["AveragedModel"] = averaged_model = _make_averaged_model()
        return averaged_model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# *** update_bn ***
def update_bn(loader: Iterable[Any], model: Any, device: Any = None) -> None:
    """Recompute every BatchNorm's running statistics as the plain average over one pass of
    loader (each batch a tensor, or a list or tuple whose first item is the input), in
    training mode; the model's mode and the layers' momentum are restored afterwards."""
    from minigrad.nn import BatchNorm1d  # BatchNorm2d (and 3d) derive from it

    momenta = {}
    for module in model.modules():
        if isinstance(module, BatchNorm1d):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None  # the cumulative average of the batches' statistics
    try:
        with no_grad():
            for batch in loader:
                if isinstance(batch, (list, tuple)):
                    batch = batch[0]
                if device is not None:
                    batch = batch.to(device)
                model(batch)
    finally:
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)


# *** SWALR ***
class SWALR(LRScheduler):
    """Anneal each group's lr to swa_lr over anneal_epochs steps ('cos' or 'linear'), then
    keep it there. Each step moves alpha(t) of the way from the lr the schedule started from
    to swa_lr, t = step / anneal_epochs, alpha(t) = t or (1 - cos(pi t)) / 2; the starting lr
    is recovered from the group's current one, so it follows changes made by others."""

    def __init__(self, optimizer: Optimizer, swa_lr: float | Sequence[float],
                 anneal_epochs: int = 10, anneal_strategy: str = "cos",
                 last_epoch: int = -1) -> None:
        _check_optimizer(self, optimizer)
        swa_lrs = _per_group("SWALR", "swa_lr", optimizer, swa_lr)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy!r}")
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got "
                             f"{anneal_epochs!r}")
        for value, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group["swa_lr"] = value
        self.anneal_epochs, self._anneal_strategy = anneal_epochs, anneal_strategy
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, t: float) -> float:
        """alpha(t): how far along to swa_lr at the fraction t of the annealing."""
        return t if self._anneal_strategy == "linear" else (1 - math.cos(math.pi * t)) / 2

    def get_lr(self) -> list[float]:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / span)))
        alpha = self.anneal_func(max(0, min(1, step / span)))
        lrs = []
        for group in self.optimizer.param_groups:
            swa_lr = group["swa_lr"]  # the lr before annealing, from the current one:
            start = swa_lr if prev_alpha == 1 else (group["lr"] - prev_alpha * swa_lr) / (
                1 - prev_alpha)
            lrs.append(swa_lr * alpha + start * (1 - alpha))
        return lrs

