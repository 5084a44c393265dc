"""Vector and matrix norms: `vector_norm`, `matrix_norm` and `linalg_norm` (exported as
minigrad.linalg's vector_norm, matrix_norm and norm), and `norm` (torch.norm's conventions)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad._alias import dim_or_axis
from minigrad.function import Function
from minigrad.ops._common import as_kept, canonical_dim, canonical_dims, keepdim_shape
from minigrad.ops.elementwise import PiecewiseConstant, sign, where
from minigrad.ops.reduce import amax, amin, sum
from minigrad.tensor import Tensor

Ord = float | int | str | None


class PNorm(Function):
    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        a = np.abs(x.array)
        if p == 2:
            out = np.sqrt(np.sum(a * a, axis=dims, keepdims=True))
        else:
            with np.errstate(divide="ignore"):
                out = np.sum(a**p, axis=dims, keepdims=True) ** (1 / p)
        ctx.p, ctx.kept = p, out.shape
        out = np.asarray(out if keepdim else out.reshape(np.delete(x.shape, dims)))
        ctx.save_for_backward(x, out)  # the output itself, for second derivatives
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx_k ||x||_p = sign(x_k) |x_k|^(p-1) / ||x||^(p-1); 0 where the norm is 0, as in
        PyTorch (the denominator is made safe there, so no nan leaks into second derivatives)"""
        x, out = ctx.saved_tensors
        p, out, g = ctx.p, as_kept(out, ctx.kept), as_kept(g, ctx.kept)
        zero = out.array == 0
        if zero.any():
            safe = where(zero, 1.0, out)
            scale = where(zero, 0.0, g / (safe if p == 2 else safe ** (p - 1)))
        else:  # the common case, without the two masks
            scale = g / (out if p == 2 else out ** (p - 1))
        if p == 2:
            return x * scale, None, None, None
        # for p < 1, |x|^(p-1) is infinite at x = 0: PyTorch's gradient there is 0 (sign(0))
        a = where(Tensor._make(x.array == 0), 1.0, x.abs()) if p < 1 else x.abs()
        return sign(x) * a ** (p - 1) * scale, None, None, None


def _floating(x: Tensor, dtype: Any, name: str) -> Tensor:
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: needs a floating point tensor, got {x.dtype} (use .float() "
                        "or dtype=)")
    return x


@dim_or_axis
def vector_norm(x: Tensor, ord: float = 2, dim: int | Sequence[int] | None = None,
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """(sum |x|^ord)^(1/ord) over dim (all of x when None); ord inf and -inf give max and min
    |x|, ord 0 the number of nonzeros (zero gradient)."""
    x = _floating(x, dtype, "vector_norm")
    if isinstance(ord, str) or isinstance(ord, bool):
        raise ValueError(f"vector_norm: ord must be a number, got {ord!r}")
    dims = canonical_dims(dim, x.ndim, "vector_norm")
    if ord == math.inf:
        return amax(x.abs(), dims, keepdim)
    if ord == -math.inf:
        return amin(x.abs(), dims, keepdim)
    if ord == 0:
        return PiecewiseConstant.apply(
            lambda a: np.count_nonzero(a, axis=dims, keepdims=keepdim).astype(a.dtype), x)
    if ord == 1:
        return sum(x.abs(), dims, keepdim)
    return PNorm.apply(x, float(ord), dims, keepdim)


def matrix_norm(A: Tensor, ord: Ord = "fro", dim: tuple[int, int] = (-2, -1),
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """'fro' (the 2-norm of the entries), or ord 1 / -1 (max / min column sum of |A|) and
    inf / -inf (max / min row sum), 2 / -2 (largest / smallest singular value) and 'nuc'
    (their sum)."""
    A = _floating(A, dtype, "matrix_norm")
    if not isinstance(dim, Sequence) or len(dim) != 2:
        raise ValueError(f"matrix_norm: dim must be a pair of dims, got {dim!r}")
    rows, cols = (canonical_dim(d, A.ndim, "matrix_norm") for d in dim)
    if rows == cols:
        raise ValueError(f"matrix_norm: dim must name two different dims, got {dim!r}")
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        summed, reduced = (rows, cols) if ord in (1, -1) else (cols, rows)
        pick = amax if ord > 0 else amin
        out = pick(sum(A.abs(), summed, keepdim=True), reduced, keepdim=True)
        return out if keepdim else out.squeeze(max(rows, cols)).squeeze(min(rows, cols))
    if ord in (2, -2, "nuc"):
        from minigrad.ops.decomp import svdvals  # decomp builds on ops that import this module

        s = svdvals(A.movedim((rows, cols), (-2, -1)))
        out = sum(s, -1) if ord == "nuc" else (amax if ord == 2 else amin)(s, -1)
        return out.unsqueeze(min(rows, cols)).unsqueeze(max(rows, cols)) if keepdim else out
    raise RuntimeError(f"matrix_norm: ord must be 'fro', 'nuc', 2, -2, 1, -1, inf or -inf, got "
                       f"{ord!r}")


@dim_or_axis
def linalg_norm(A: Tensor, ord: Ord = None, dim: int | Sequence[int] | None = None,
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """torch.linalg.norm: a vector norm over one dim (or all of a 1-d input, or of any input
    when ord and dim are None), a matrix norm over two (ord None means 'fro')."""
    if dim is None:
        if ord is None:
            return vector_norm(A.reshape(-1), 2, 0, keepdim=False, dtype=dtype).reshape(
                keepdim_shape(A.shape, tuple(range(A.ndim))) if keepdim else ())
        if A.ndim not in (1, 2):
            raise ValueError(f"linalg.norm: with ord={ord!r} and dim=None the input must be 1-d "
                             f"or 2-d, got shape {A.shape}")
        dim = tuple(range(A.ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    if len(dims) == 1:
        if isinstance(ord, str):
            raise ValueError(f"linalg.norm: ord={ord!r} is a matrix norm and needs two dims")
        return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    if len(dims) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
    raise ValueError(f"linalg.norm: dim must name one or two dims, got {dim!r}")


@dim_or_axis
def norm(input: Tensor, p: Ord = "fro", dim: int | Sequence[int] | None = None,
         keepdim: bool = False, dtype: Any = None) -> Tensor:
    """torch.norm: the p-norm of input's elements over dim (all when None); 'fro' is the
    2-norm of the elements over those dims."""
    if p == "fro":
        p = 2
    elif p == "nuc":
        if dim is None and input.ndim != 2:
            raise RuntimeError(f"norm: p='nuc' needs a matrix or two dims, got shape "
                               f"{input.shape} and dim=None")
        return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    elif isinstance(p, str):
        raise RuntimeError(f"norm: p must be 'fro', 'nuc' or a number, got {p!r}")
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


# *** distances and renormalization (tmethods) ***
def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of input - other (broadcast together)."""
    return vector_norm(input - other, p)


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along dim whose p-norm exceeds maxnorm scaled down to norm maxnorm:
    x * maxnorm / (norm + 1e-7) there, as PyTorch."""
    d = canonical_dim(dim, input.ndim, "renorm")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0, got {maxnorm}")
    others = tuple(k for k in range(input.ndim) if k != d)
    too_big = Tensor._make(vector_norm(input.detach(), p, others, keepdim=True).array > maxnorm)
    # the norms of the slices left alone are not needed: ones there keep their gradient finite
    norms = vector_norm(where(too_big, input, 1.0), p, others, keepdim=True)
    return input * where(too_big, maxnorm / (norms + 1e-7), 1.0)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The p-norm distance between each row of x1 (..., P, M) and each row of x2 (..., R, M):
    out[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p, of shape (..., P, R)."""
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"cdist: expected (..., P, M) and (..., R, M) tensors, got shapes "
                           f"{x1.shape} and {x2.shape}")
    if p < 0:
        raise RuntimeError(f"cdist: p must be >= 0, got {p}")
    return _distance(x1.unsqueeze(-2) - x2.unsqueeze(-3), p)


def _distance(diff: Tensor, p: float) -> Tensor:
    """||diff||_p over the last dim, as torch.cdist and torch.pdist differentiate it: for p = inf
    every entry tied at the max gets the whole gradient sign(d) g (vector_norm splits it)."""
    if p != math.inf:
        return vector_norm(diff, p, -1)
    top = amax(diff.abs(), -1, keepdim=True).detach()
    ties = Tensor._make(diff.abs().array == top.array)
    # the value is top's; the gradient is that of |d| at each tie
    return (top + sum(where(ties, diff.abs() - top, 0.0), -1, keepdim=True)).squeeze(-1)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The p-norm distance between every pair of rows i < j of input (N, M), in row-major order:
    out[k] = ||input[i] - input[j]||_p, of shape (N (N - 1) / 2,), as torch.pdist."""
    if not isinstance(input, Tensor) or input.ndim != 2:
        got = f"{input.ndim}D" if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"pdist: only supports 2D tensors, got: {got}")
    if input.array.dtype.kind != "f":
        raise RuntimeError(f"pdist: only supports floating-point dtypes, got {input.dtype}")
    if p < 0:
        raise RuntimeError(f"pdist: p must be >= 0, got {p}")
    rows, cols = np.triu_indices(input.shape[0], 1)
    return _distance(input[rows] - input[cols], p)
