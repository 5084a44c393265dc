"""RMSprop: steps scaled by a running root mean square of the gradient; Adagrad: by the root
of the sum of all squared gradients so far; Adadelta: RMSprop with the step's own running root
mean square in place of the learning rate."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.optim.optimizer import Optimizer, Params, refuse_options
from minigrad.tensor import Tensor


def _direction(p: Tensor, grad: np.ndarray, group: dict[str, Any]) -> np.ndarray:
    """g = -grad if maximizing else grad, plus weight_decay * p: a new array, grad unchanged."""
    g = -grad if group["maximize"] else np.array(grad)
    if group["weight_decay"] != 0:
        g += group["weight_decay"] * p.array
    return g


class RMSprop(Optimizer):
    """v = alpha * v + (1 - alpha) * g * g;  s = sqrt(v) + eps, or with centered
    sqrt(v - m * m) + eps where m = alpha * m + (1 - alpha) * g;  p -= lr * g / s, or with
    momentum b = momentum * b + g / s, p -= lr * b.  As torch.optim.RMSprop, where g is the
    gradient plus weight_decay * p (negated first when maximizing)."""

    def __init__(self, params: Params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        if not 0 <= group["alpha"]:
            raise ValueError(f"RMSprop: invalid alpha {group['alpha']!r} (must be >= 0)")

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        alpha, momentum = group["alpha"], group["momentum"]
        if not state:
            state.update(step=0, square_avg=np.zeros_like(p.array))
            if momentum > 0:
                state["momentum_buffer"] = np.zeros_like(p.array)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(p.array)
        state["step"] += 1
        g = _direction(p, grad, group)
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * g * g
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg += (1 - alpha) * (g - grad_avg)
            avg = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg += group["eps"]
        if momentum > 0:
            buf = state["momentum_buffer"]
            buf *= momentum
            buf += g / avg
            p.array -= group["lr"] * buf
        else:
            p.array -= group["lr"] * (g / avg)


class Adagrad(Optimizer):
    """s = s + g * g;  p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps) at step t,
    with s starting at initial_accumulator_value.  As torch.optim.Adagrad, where g is the
    gradient plus weight_decay * p (negated first when maximizing)."""

    def __init__(self, params: Params, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps, maximize=maximize))

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        for key in ("lr_decay", "initial_accumulator_value"):
            if not group[key] >= 0:
                raise ValueError(f"Adagrad: invalid {key} {group[key]!r} (must be >= 0)")

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            state.update(step=0, sum=np.full_like(p.array, group["initial_accumulator_value"]))
        state["step"] += 1
        g = _direction(p, grad, group)
        state["sum"] += g * g
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        p.array -= lr * (g / (np.sqrt(state["sum"]) + group["eps"]))


class Adadelta(Optimizer):
    """v = rho * v + (1 - rho) * g * g;  d = sqrt(u + eps) / sqrt(v + eps) * g;
    u = rho * u + (1 - rho) * d * d;  p -= lr * d.  As torch.optim.Adadelta, where g is the
    gradient plus weight_decay * p (negated first when maximizing)."""

    def __init__(self, params: Params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        refuse_options("Adadelta", foreach, capturable, differentiable)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        if not 0 <= group["rho"] <= 1:
            raise ValueError(f"Adadelta: invalid rho {group['rho']!r} (must be in [0, 1])")

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            state.update(step=0, square_avg=np.zeros_like(p.array),
                         acc_delta=np.zeros_like(p.array))
        state["step"] += 1
        rho, eps = group["rho"], group["eps"]
        g = self._direction(p, grad, group)
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        other, delta = self._scratch(p.array, 1), self._scratch(p.array, 2)
        square_avg *= rho
        square_avg += np.multiply(np.multiply(g, 1 - rho, out=other), g, out=other)
        std = np.sqrt(np.add(square_avg, eps, out=other), out=other)
        np.sqrt(np.add(acc_delta, eps, out=delta), out=delta)
        delta /= std
        delta *= g
        acc_delta *= rho
        acc_delta += np.multiply(np.multiply(delta, 1 - rho, out=other), delta, out=other)
        p.array -= np.multiply(delta, group["lr"], out=delta)
