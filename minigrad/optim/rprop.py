"""Rprop: each weight has its own step size, grown while its gradient keeps its sign and shrunk
when the sign flips; only the sign of the gradient is used."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.optim.optimizer import Optimizer, Params, refuse_options
from minigrad.tensor import Tensor


class Rprop(Optimizer):
    """As torch.optim.Rprop: s = g * g_prev;  step_size *= etaplus where s > 0, etaminus where
    s < 0, then clipped to step_sizes = (min, max);  where s < 0, g = 0 (no move, and no sign
    to compare at the next step);  p -= sign(g) * step_size;  g_prev = g. Step sizes start at
    lr; g is the gradient, negated when maximizing."""

    def __init__(self, params: Params, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        refuse_options("Rprop", foreach, capturable, differentiable)
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes,
                                      maximize=maximize))

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        etaminus, etaplus = group["etas"]
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(f"Rprop: invalid etas ({etaminus!r}, {etaplus!r}) (need "
                             "0 < etaminus < 1 < etaplus)")

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            state.update(step=0, prev=np.zeros_like(p.array),
                         step_size=np.full_like(p.array, group["lr"]))
        state["step"] += 1
        (etaminus, etaplus), (smallest, largest) = group["etas"], group["step_sizes"]
        g = self._direction(p, grad, group)
        prev, step_size = state["prev"], state["step_size"]
        sign = np.sign(np.multiply(g, prev, out=self._scratch(p.array, 1)), out=self._scratch(
            p.array, 1))
        flipped = sign < 0
        factor = np.where(sign > 0, p.array.dtype.type(etaplus), p.array.dtype.type(1))
        factor[flipped] = etaminus
        step_size *= factor
        np.clip(step_size, smallest, largest, out=step_size)
        np.copyto(prev, g)
        prev[flipped] = 0
        p.array -= np.multiply(np.sign(prev, out=sign), step_size, out=sign)
