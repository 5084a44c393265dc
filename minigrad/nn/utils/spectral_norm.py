"""torch.nn.utils.spectral_norm (the hook-based API that SNGAN-style discriminators use): a
module's weight becomes `weight_orig`, with buffers `weight_u` and `weight_v` for the power
iteration; before every forward, weight = weight_orig / sigma, sigma = u . (W v), after
n_power_iterations steps in training mode (none in eval mode)."""

from __future__ import annotations

from typing import Any

import minigrad as mg
from minigrad.nn import functional as F
from minigrad.nn.module import Module, Parameter
from minigrad.tensor import Tensor


class _SpectralNorm:
    """The forward pre-hook that sets module.<name> = <name>_orig / sigma."""

    def __init__(self, name: str, n_power_iterations: int, dim: int, eps: float) -> None:
        if n_power_iterations <= 0:
            raise ValueError(f"spectral_norm: n_power_iterations must be positive, got "
                             f"{n_power_iterations}")
        self.name, self.n_power_iterations, self.dim, self.eps = name, n_power_iterations, \
            dim, eps

    def matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.movedim(self.dim, 0)
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        matrix = self.matrix(weight)
        if do_power_iteration:
            with mg.no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(F.normalize(matrix.detach().T @ u, dim=0, eps=self.eps))
                    u.copy_(F.normalize(matrix.detach() @ v, dim=0, eps=self.eps))
            u, v = u.clone(), v.clone()
        return weight / (u @ (matrix @ v))

    def __call__(self, module: Module, inputs: Any) -> None:
        object.__setattr__(module, self.name, self.compute_weight(module, module.training))


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Divide module's parameter `name` by its largest singular value before every forward
    (Miyato et al., 2018), as PyTorch's; dim defaults to 1 for transposed convolutions."""
    if any(isinstance(h, _SpectralNorm) and h.name == name
           for h in module._state("_forward_pre_hooks").values()):
        raise RuntimeError(f"spectral_norm: cannot register two spectral_norm hooks on the "
                           f"same parameter {name}")
    weight = getattr(module, name, None)
    if not isinstance(weight, Parameter):
        raise ValueError(f"spectral_norm: {type(module).__name__} has no parameter {name!r}")
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    fn = _SpectralNorm(name, n_power_iterations, dim % weight.ndim, eps)
    rows, cols = fn.matrix(weight).shape
    delattr(module, name)
    module.register_parameter(name + "_orig", Parameter(weight.detach()))
    module.register_buffer(name + "_u", F.normalize(mg.randn(rows, dtype=weight.dtype), dim=0,
                                                    eps=eps))
    module.register_buffer(name + "_v", F.normalize(mg.randn(cols, dtype=weight.dtype), dim=0,
                                                    eps=eps))
    object.__setattr__(module, name, weight.detach())
    fn.handle = module.register_forward_pre_hook(fn)
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Undo spectral_norm: `name` is one parameter again, holding weight_orig / sigma."""
    fn = next((h for h in module._state("_forward_pre_hooks").values()
               if isinstance(h, _SpectralNorm) and h.name == name), None)
    if fn is None:
        raise ValueError(f"spectral_norm of '{name}' not found in {module}")
    weight = fn.compute_weight(module, False).detach()
    fn.handle.remove()
    object.__delattr__(module, name)
    for suffix in ("_orig", "_u", "_v"):
        delattr(module, name + suffix)
    module.register_parameter(name, Parameter(weight))
    return module
