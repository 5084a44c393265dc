"""ASGD: stochastic gradient descent with a decaying step and a running average of the
parameters (Polyak-Ruppert averaging), which is kept in the state as 'ax'."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.optim.optimizer import Optimizer, Params, refuse_options, scalar_state
from minigrad.tensor import Tensor


class ASGD(Optimizer):
    """As torch.optim.ASGD: p *= 1 - lambd * eta;  p -= eta * g;  ax += mu * (p - ax) (ax = p
    while mu = 1);  then for step t, eta = lr / (1 + lambd lr t) ** alpha and
    mu = 1 / max(1, t - t0): averaging starts after t0 steps. g is the gradient plus
    weight_decay * p (negated first when maximizing); eta and mu are kept in the default float
    dtype, as PyTorch keeps them."""

    def __init__(self, params: Params, lr: float = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        refuse_options("ASGD", foreach, capturable, differentiable)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0,
                                      weight_decay=weight_decay, maximize=maximize))

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr, lambd = group["lr"], group["lambd"]
        if not state:
            state.update(step=0, eta=scalar_state(lr), mu=scalar_state(1.0),
                         ax=np.zeros_like(p.array))
        state["step"] += 1
        g = self._direction(p, grad, group)
        eta = float(state["eta"])
        p.array *= 1 - lambd * eta
        p.array -= np.multiply(g, eta, out=self._scratch(p.array, 1))
        ax = state["ax"]
        if state["mu"] != 1:
            ax += np.multiply(np.subtract(p.array, ax, out=self._scratch(p.array, 1)),
                              state["mu"], out=self._scratch(p.array, 1))
        else:
            np.copyto(ax, p.array)
        step = state["step"]
        state["eta"] = scalar_state(lr / (1 + lambd * lr * step) ** group["alpha"])
        state["mu"] = scalar_state(1 / max(1, step - group["t0"]))
