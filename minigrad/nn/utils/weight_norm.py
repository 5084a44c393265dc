"""torch.nn.utils.weight_norm (the hook-based API that TCN and WaveNet code uses): a module's
weight w becomes two parameters, a direction v and a magnitude g, with w = g v / ||v||
recomputed before every forward."""

from __future__ import annotations

from typing import Any

from minigrad.nn.module import Module, Parameter
from minigrad.tensor import Tensor


def _norm_except_dim(v: Tensor, dim: int | None) -> Tensor:
    """||v|| over every dim but dim, kept as size-1 dims (over all dims when dim is None)."""
    if dim is None:
        return (v * v).sum().sqrt()
    if not -v.ndim <= dim < v.ndim:
        raise IndexError(f"weight_norm: dim {dim} is out of range for a weight of shape "
                         f"{tuple(v.shape)} (expected [{-v.ndim}, {v.ndim - 1}])")
    dims = tuple(d for d in range(v.ndim) if d != dim % v.ndim)
    return (v * v).sum(dims, keepdim=True).sqrt()


class _WeightNorm:
    """The forward pre-hook that sets module.<name> = g v / ||v|| from <name>_g and <name>_v."""

    def __init__(self, name: str, dim: int | None) -> None:
        self.name, self.dim = name, dim

    def compute_weight(self, module: Module) -> Tensor:
        g, v = getattr(module, self.name + "_g"), getattr(module, self.name + "_v")
        return v * (g / _norm_except_dim(v, self.dim))

    def __call__(self, module: Module, inputs: Any) -> None:
        object.__setattr__(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Replace module's parameter `name` by `name_g` (its norm over all dims but dim, or over
    all dims when dim is None) and `name_v` (its value), as PyTorch's; returns module."""
    if _hook_of(module, name) is not None:
        raise RuntimeError(f"weight_norm: cannot register two weight_norm hooks on the same "
                           f"parameter {name}")
    weight = getattr(module, name, None)
    if not isinstance(weight, Parameter):
        raise ValueError(f"weight_norm: {type(module).__name__} has no parameter {name!r}")
    fn = _WeightNorm(name, dim)
    norm = Parameter(_norm_except_dim(weight, dim).detach())  # checks dim before any change
    delattr(module, name)
    module.register_parameter(name + "_g", norm)
    module.register_parameter(name + "_v", Parameter(weight.detach()))
    object.__setattr__(module, name, fn.compute_weight(module))
    fn.handle = module.register_forward_pre_hook(fn)
    return module


def _hook_of(module: Module, name: str) -> _WeightNorm | None:
    return next((h for h in module._state("_forward_pre_hooks").values()
                 if isinstance(h, _WeightNorm) and h.name == name), None)


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Undo weight_norm: `name` is one parameter again, holding g v / ||v||."""
    fn = _hook_of(module, name)
    if fn is None:
        raise ValueError(f"remove_weight_norm: weight_norm of {name!r} not found in {module}")
    weight = fn.compute_weight(module).detach()
    fn.handle.remove()
    object.__delattr__(module, name)
    delattr(module, name + "_g")
    delattr(module, name + "_v")
    module.register_parameter(name, Parameter(weight))
    return module
