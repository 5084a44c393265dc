"""Adam's relatives, as in torch.optim: NAdam (Nesterov momentum), RAdam (a rectified warm-up of
the adaptive step) and Adamax (an infinity norm in place of the squared average)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.optim.adam import _lerp_
from minigrad.optim.optimizer import Optimizer, Params, refuse_options, scalar_state
from minigrad.tensor import Tensor


class _AdamFamily(Optimizer):
    """Shared first step: the state buffers, the weight decay (added to g, or with
    decoupled_weight_decay p *= 1 - lr * weight_decay), m = lerp(m, g, 1 - beta1) and
    (second_moment) v = beta2 * v + (1 - beta2) * g * g. Returns g in scratch 0 or grad."""

    _buffers = ("exp_avg", "exp_avg_sq")

    def _moments(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                 group: dict[str, Any]) -> np.ndarray:
        if not state:
            state["step"] = 0
            state.update(self._extra_state())
            state.update({key: np.zeros_like(p.array) for key in self._buffers})
        state["step"] += 1
        beta1, beta2 = group["betas"]
        if group.get("decoupled_weight_decay") and group["weight_decay"] != 0:
            p.array *= 1 - group["lr"] * group["weight_decay"]
            g = self._direction(p, grad, {**group, "weight_decay": 0})
        else:
            g = self._direction(p, grad, group)
        other = self._scratch(p.array, 1)
        _lerp_(state["exp_avg"], g, 1 - beta1, other)
        if "exp_avg_sq" in state:
            exp_avg_sq = state["exp_avg_sq"]
            exp_avg_sq *= beta2
            exp_avg_sq += np.multiply(np.multiply(g, 1 - beta2, out=other), g, out=other)
        return g

    def _extra_state(self) -> dict[str, Any]:
        return {}


class NAdam(_AdamFamily):
    """Adam with Nesterov momentum, as torch.optim.NAdam. At step t, mu_t = beta1 (1 - 0.96 **
    (t momentum_decay) / 2) and P_t = mu_1 ... mu_t; with m, v as Adam's and
    s = sqrt(v / (1 - beta2^t)) + eps:
    p -= lr (1 - mu_t) / (1 - P_t) * g / s + lr mu_{t+1} / (1 - P_t mu_{t+1}) * m / s.
    P_t (state 'mu_product') is kept in the default float dtype, as PyTorch keeps it."""

    def __init__(self, params: Params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        refuse_options("NAdam", foreach, capturable, differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize))

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        if not group["momentum_decay"] >= 0:
            raise ValueError(f"NAdam: invalid momentum_decay {group['momentum_decay']!r} "
                             "(must be >= 0)")

    def _extra_state(self) -> dict[str, Any]:
        return {"mu_product": scalar_state(1.0)}

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        g = self._moments(p, grad, state, group)
        lr, (beta1, beta2), step = group["lr"], group["betas"], state["step"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * group["momentum_decay"]))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * group["momentum_decay"]))
        state["mu_product"] = mu_product = state["mu_product"] * scalar_state(mu)
        mu_product_next = float(mu_product) * mu_next
        denom = np.divide(state["exp_avg_sq"], 1 - beta2**step, out=self._scratch(p.array, 2))
        np.sqrt(denom, out=denom)
        denom += group["eps"]
        other = self._scratch(p.array, 1)
        p.array -= np.multiply(np.divide(g, denom, out=other),
                               lr * (1.0 - mu) / (1.0 - float(mu_product)), out=other)
        p.array -= np.multiply(np.divide(state["exp_avg"], denom, out=other),
                               lr * mu_next / (1.0 - mu_product_next), out=other)


class RAdam(_AdamFamily):
    """Rectified Adam, as torch.optim.RAdam. With m, v as Adam's, rho_inf = 2 / (1 - beta2) - 1
    and rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t): while rho_t <= 5 the step is SGD with
    momentum, p -= lr m / (1 - beta1^t); after, Adam's step times the rectification
    r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t)):
    p -= lr m / (1 - beta1^t) * r sqrt(1 - beta2^t) / (sqrt(v) + eps)."""

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        refuse_options("RAdam", foreach, capturable, differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        self._moments(p, grad, state, group)
        lr, (beta1, beta2), step = group["lr"], group["betas"], state["step"]
        bias_correction1, bias_correction2 = 1 - beta1**step, 1 - beta2**step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2**step / bias_correction2
        update = np.divide(state["exp_avg"], bias_correction1, out=self._scratch(p.array, 0))
        update *= lr
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                             / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            denom = np.sqrt(state["exp_avg_sq"], out=self._scratch(p.array, 1))
            denom += group["eps"]
            update *= np.divide(bias_correction2**0.5, denom, out=denom)
            update *= rect
        p.array -= update


class Adamax(_AdamFamily):
    """Adam with the infinity norm, as torch.optim.Adamax: m = lerp(m, g, 1 - beta1);
    u = max(beta2 * u, |g| + eps);  p -= lr / (1 - beta1^t) * m / u."""

    _buffers = ("exp_avg", "exp_inf")

    def __init__(self, params: Params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        refuse_options("Adamax", foreach, capturable, differentiable)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        g = self._moments(p, grad, state, group)
        beta1, beta2 = group["betas"]
        exp_inf = state["exp_inf"]
        exp_inf *= beta2
        norm = np.abs(g, out=self._scratch(p.array, 1))
        norm += group["eps"]
        np.maximum(exp_inf, norm, out=exp_inf)
        step = np.divide(state["exp_avg"], exp_inf, out=norm)
        p.array -= np.multiply(step, group["lr"] / (1 - beta1 ** state["step"]), out=step)
