"""torch.nn.utils.parametrizations: weight_norm on top of nn.utils.parametrize (the API that
PyTorch recommends over the hook-based nn.utils.weight_norm): the weight is stored as a
magnitude `original0` (g) and a direction `original1` (v), and computed as g v / ||v||."""

from __future__ import annotations

from minigrad.nn.module import Module
from minigrad.nn.utils import parametrize
from minigrad.nn.utils.weight_norm import _norm_except_dim
from minigrad.tensor import Tensor


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize module.<name> as g v / ||v|| (norm over every dim but dim; over all of
    them when dim is None), with g and v trained in its place."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module
