"""Adam, and AdamW: Adam with weight decay decoupled from the gradient."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.optim.optimizer import Optimizer, Params
from minigrad.tensor import Tensor


class Adam(Optimizer):
    """m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g;
    p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps).  As torch.optim.Adam:
    weight decay adds weight_decay * p to g, or with decoupled_weight_decay (AdamW) scales p
    by 1 - lr * weight_decay before the update; amsgrad uses the largest v so far in place of
    v; maximize follows +g instead of -g."""

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 maximize: bool = False, decoupled_weight_decay: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        """In place with `out=`: the state buffers are made at the first step, and every
        temporary goes to one of two scratch arrays; grad itself is never written."""
        lr, weight_decay, (beta1, beta2) = group["lr"], group["weight_decay"], group["betas"]
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(p.array), exp_avg_sq=np.zeros_like(p.array))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p.array)
        state["step"] += 1
        scratch, other = self._scratch(p.array), self._scratch(p.array, 1)
        if weight_decay != 0 and group["decoupled_weight_decay"]:
            p.array *= 1 - lr * weight_decay
            if group["maximize"]:
                grad = np.negative(grad, out=scratch)
        elif weight_decay != 0:  # g = wd p + grad (or - grad when maximizing)
            decayed = np.multiply(p.array, weight_decay, out=scratch)
            grad = (np.subtract if group["maximize"] else np.add)(decayed, grad, out=decayed)
        elif group["maximize"]:
            grad = np.negative(grad, out=scratch)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        _lerp_(exp_avg, grad, 1 - beta1, other)
        exp_avg_sq *= beta2
        exp_avg_sq += np.multiply(np.multiply(grad, 1 - beta2, out=other), grad, out=other)
        bias_correction1 = 1 - beta1 ** state["step"]
        bias_correction2 = 1 - beta2 ** state["step"]
        if group["amsgrad"]:
            exp_avg_sq = np.maximum(state["max_exp_avg_sq"], exp_avg_sq,
                                    out=state["max_exp_avg_sq"])
        denom = np.sqrt(exp_avg_sq, out=scratch)  # grad is no longer needed
        denom /= bias_correction2**0.5
        denom += group["eps"]
        step = np.divide(exp_avg, denom, out=scratch)
        p.array -= np.multiply(step, lr / bias_correction1, out=scratch)


class AdamW(Adam):
    """Adam with decoupled weight decay (p *= 1 - lr * weight_decay), as torch.optim.AdamW."""

    def __init__(self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float, scratch: np.ndarray) -> None:
    """start += weight * (end - start) in place, from whichever end is nearer, as torch.lerp:
    with weight 1 (Adam's beta1 = 0) the result is exactly `end`. scratch must not be end."""
    if weight < 0.5:
        step = np.subtract(end, start, out=scratch)
        step *= weight
        start += step
    else:
        start -= end
        start *= 1 - weight
        start += end
