"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.optim.optimizer import Optimizer, Params
from minigrad.tensor import Tensor


class SGD(Optimizer):
    """g = grad + weight_decay * p;  b = momentum * b + (1 - dampening) * g (b = g at the first
    step);  g = g + momentum * b if nesterov else b;  p -= lr * g.  As torch.optim.SGD;
    maximize starts from g = -grad."""

    def __init__(self, params: Params, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize))

    def _check_group(self, group: dict[str, Any]) -> None:
        super()._check_group(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"SGD: nesterov momentum needs momentum > 0 and dampening 0, got "
                             f"momentum={group['momentum']} and dampening={group['dampening']}")

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        """Two passes over p for plain SGD (numpy has no fused multiply-add), two more over the
        momentum buffer; temporaries go to scratch arrays, and grad itself is never written."""
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        maximize = group["maximize"]
        if weight_decay != 0:  # g = wd p + grad (or - grad when maximizing): one scratch array
            decayed = np.multiply(p.array, weight_decay, out=self._scratch(p.array))
            grad = (np.subtract if maximize else np.add)(decayed, grad, out=decayed)
        elif maximize:
            grad = np.negative(grad, out=self._scratch(p.array))
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(grad)  # a copy, 0-d arrays included
            else:
                buf *= momentum
                dampening = group["dampening"]
                buf += grad if dampening == 0 else np.multiply(grad, 1 - dampening,
                                                               out=self._scratch(p.array, 1))
            if group["nesterov"]:  # g + momentum b
                step = np.multiply(buf, momentum, out=self._scratch(p.array, 1))
                grad = np.add(grad, step, out=step)
            else:
                grad = buf
        p.array -= np.multiply(grad, group["lr"], out=self._scratch(p.array, 1))
