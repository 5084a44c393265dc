"""torch.nn.utils.parametrizations: weight_norm on top of nn.utils.parametrize (the API that
PyTorch recommends over the hook-based nn.utils.weight_norm): the weight is stored as a
magnitude `original0` (g) and a direction `original1` (v), and computed as g v / ||v||. And
spectral_norm: the weight divided by its largest singular value (power iteration)."""

from __future__ import annotations

import minigrad as mg
from minigrad.nn import functional as F
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


class _SpectralNorm(Module):
    """weight / sigma, sigma the largest singular value of the weight (its dim `dim` as rows,
    the rest flattened as columns), estimated by power iteration: u and v are buffers that one
    step (n_power_iterations) refines at each forward in training mode, as in PyTorch."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if not -ndim <= dim < max(ndim, 1):
            raise IndexError(f"spectral_norm: dim {dim} is out of range for a weight of shape "
                             f"{tuple(weight.shape)}")
        if n_power_iterations <= 0:
            raise ValueError(f"spectral_norm: n_power_iterations must be positive, got "
                             f"{n_power_iterations}")
        self.dim, self.eps, self.n_power_iterations = dim % max(ndim, 1), eps, n_power_iterations
        if ndim > 1:
            matrix = self._matrix(weight.detach())
            rows, cols = matrix.shape
            self.register_buffer("_u", F.normalize(mg.randn(rows, dtype=weight.dtype), dim=0,
                                                   eps=eps))
            self.register_buffer("_v", F.normalize(mg.randn(cols, dtype=weight.dtype), dim=0,
                                                   eps=eps))
            self._power_method(matrix, 15)

    def _matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.movedim(self.dim, 0)
        return weight.flatten(1)

    def _power_method(self, matrix: Tensor, iterations: int) -> None:
        with mg.no_grad():
            for _ in range(iterations):
                self._u.copy_(F.normalize(matrix.detach() @ self._v, dim=0, eps=self.eps))
                self._v.copy_(F.normalize(matrix.detach().T @ self._u, dim=0, eps=self.eps))

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        matrix = self._matrix(weight)
        if self.training:
            self._power_method(matrix, self.n_power_iterations)
        sigma = self._u.clone() @ (matrix @ self._v.clone())
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Reparametrize module.<name> as W / sigma(W) (spectral normalization, Miyato et al.
    2018), sigma by power iteration; dim defaults to 1 for transposed convolutions, else 0."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
