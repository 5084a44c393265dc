"""Cumulative ops along one dim (cumsum, cumprod, cummax, cummin, logcumsumexp), and prod, whose
gradient where the input holds zeros is built the same way as cumprod's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad import return_types
from minigrad._alias import dim_or_axis
from minigrad.dtypes import get_default_dtype
from minigrad.function import Function
from minigrad.ops._common import as_kept, canonical_dim
from minigrad.ops.elementwise import cast, exp, log, where
from minigrad.ops.reduce import _along
from minigrad.ops.shape import cat, reshape, transpose, unsqueeze
from minigrad.tensor import Tensor

# what cummax and cummin return, as in PyTorch


def _cumulate(fn: Callable, a: np.ndarray, axis: int, reverse: bool) -> np.ndarray:
    """fn(a, axis) accumulated from the start, or with reverse from the end, of axis."""
    if not reverse:
        return fn(a, axis=axis)
    return np.ascontiguousarray(np.flip(fn(np.flip(a, axis), axis=axis), axis))


class Cumsum(Function):
    @staticmethod
    def forward(ctx, x, dim, reverse):
        ctx.dim, ctx.reverse = dim, reverse
        return _cumulate(np.cumsum, x.array, dim, reverse)

    @staticmethod
    def backward(ctx, g):
        """x_k is in every sum from k on: its gradient is g summed from the other end."""
        return Cumsum.apply(g, ctx.dim, not ctx.reverse), None, None


class Cumprod(Function):
    @staticmethod
    def forward(ctx, x, dim):
        out = np.cumprod(x.array, axis=dim)
        ctx.save_for_backward(x, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, g):
        """d out_i / d x_k = prod_{j <= i, j != k} x_j for i >= k: out_i / x_k when no running
        product is 0 or subnormal (so none lost precision); otherwise the products are formed
        for every k (O(n^2), as PyTorch does where x has zeros)."""
        x, out = ctx.saved_tensors
        if (np.abs(out.array) >= np.finfo(out.dtype).tiny).all():
            return Cumsum.apply(g * out, ctx.dim, True) / x, None
        return _cumprod_grad_with_zeros(x, g, ctx.dim), None


def _without_each(x_last: Tensor) -> Tensor:
    """(..., n, n) from (..., n): row k is x with x_k replaced by 1."""
    n = x_last.shape[-1]
    return where(np.eye(n, dtype=bool), 1.0, unsqueeze(x_last, -2))


def _cumprod_grad_with_zeros(x: Tensor, g: Tensor, dim: int) -> Tensor:
    # row k of without_k's cumprod holds prod_{j <= i, j != k} x_j at column i
    without_k = _without_each(transpose(x, dim, -1))
    n = x.shape[dim]
    later = Tensor._make(np.triu(np.ones((n, n), dtype=x.dtype)))  # column i >= row k
    products = Cumprod.apply(without_k, without_k.ndim - 1)
    grad = (products * unsqueeze(transpose(g, dim, -1), -2) * later).sum(-1)
    return transpose(grad, dim, -1)


class Prod(Function):
    @staticmethod
    def forward(ctx, x, dim, keepdim):
        out = np.prod(x.array, axis=dim, keepdims=True)
        ctx.dim, ctx.kept = dim, out.shape
        out = np.asarray(out if keepdim else out.squeeze(dim))
        ctx.save_for_backward(x, out)  # the output itself, for second derivatives
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx_k prod(x) = the product of the others: out / x_k when the product is a normal
        number (so no x is 0 and nothing lost precision); otherwise each product of the others
        is formed directly (O(n^2), as PyTorch does where x has zeros)."""
        x, out = ctx.saved_tensors
        g, out = as_kept(g, ctx.kept), as_kept(out, ctx.kept)
        if (np.abs(out.array) >= np.finfo(out.dtype).tiny).all():
            return g * out / x, None, None
        without_k = _without_each(transpose(x, ctx.dim, -1))
        others = Prod.apply(without_k, without_k.ndim - 1, False)
        return g * transpose(others, ctx.dim, -1), None, None


class LogCumSumExp(Function):
    @staticmethod
    def forward(ctx, x, dim, reverse):
        with np.errstate(invalid="ignore"):
            out = _cumulate(np.logaddexp.accumulate, x.array, dim, reverse)
        ctx.save_for_backward(x, out)
        ctx.dim, ctx.reverse = dim, reverse
        return out

    @staticmethod
    def backward(ctx, g):
        """d out_i / d x_k = e^(x_k - out_i) for each i that x_k goes into. The sums over i are
        taken in log space, for the positive and the negative parts of g apart, so that no
        e^(-out_i) overflows: grad_k = e^(x_k + logcumsumexp_reversed(log g_i - out_i))."""
        x, out = ctx.saved_tensors

        def part(mask: np.ndarray, sign: float) -> Tensor | None:
            if not mask.any():
                return None
            logs = where(mask, log(where(mask, g * sign, 1.0)) - out, -np.inf)
            return exp(x + LogCumSumExp.apply(logs, ctx.dim, not ctx.reverse))

        positive, negative = part(g.array > 0, 1.0), part(g.array < 0, -1.0)
        if negative is None:
            grad = positive if positive is not None else g * 0.0
        else:
            grad = -negative if positive is None else positive - negative
        return grad, None, None

# *** functional API ***
def _cumulative_input(x: Tensor, dtype: Any) -> Tensor:
    """x in dtype if given; integers and bools accumulate in int64, as in PyTorch."""
    if dtype is not None:
        return cast(x, dtype)
    return cast(x, np.int64) if x.dtype.kind in "biu" else x


def _scalar_safe(fn: Callable, x: Tensor, dim: int, name: str, *args: Any) -> Any:
    """fn on x along dim, with a 0-d x treated as one element (as PyTorch does)."""
    d = canonical_dim(dim, x.ndim, name)
    if x.ndim:
        return fn(x, d, *args)
    result = fn(reshape(x, 1), 0, *args)
    if isinstance(result, tuple):
        return type(result)(*[reshape(r, ()) for r in result])
    return reshape(result, ())


@dim_or_axis
def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sums along dim."""
    return _scalar_safe(lambda x, d: Cumsum.apply(x, d, False), _cumulative_input(input, dtype),
                        dim, "cumsum")


@dim_or_axis
def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running products along dim (the gradient is right also where the input holds zeros)."""
    return _scalar_safe(Cumprod.apply, _cumulative_input(input, dtype), dim, "cumprod")


@dim_or_axis
def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """The product of all elements, or of those along dim (the gradient is right also where
    the input holds zeros)."""
    x = _cumulative_input(input, dtype)
    if dim is None:
        x, dim, keepdim = reshape(x, -1), 0, False
    d = canonical_dim(dim, x.ndim, "prod")
    if not x.ndim:
        return x
    if x.dtype.kind != "f":
        return Tensor._make(np.asarray(np.prod(x.array, axis=d, keepdims=keepdim)))
    return Prod.apply(x, d, keepdim)


def _cumulative_extreme(name: str, x: Tensor, dim: int, largest: bool) -> Any:
    def along(x: Tensor, d: int) -> Any:
        a = x.array
        values = (np.maximum if largest else np.minimum).accumulate(a, axis=d)
        is_new = a == values  # a tie moves the index on to the later element, as in PyTorch
        if a.dtype.kind == "f":
            is_new |= np.isnan(a)  # nan propagates, with the index of the latest nan
        position = np.arange(a.shape[d]).reshape((-1,) + (1,) * (a.ndim - d - 1))
        indices = np.maximum.accumulate(np.where(is_new, position, 0), axis=d)
        kind = return_types.cummax if largest else return_types.cummin
        return kind(*_along(x, Tensor._make(indices.astype(np.int64)), d, True))

    return _scalar_safe(along, x, dim, name)


@dim_or_axis
def cummax(input: Tensor, dim: int) -> return_types.cummax:
    """Running maximum along dim and where it was found: (values, indices). The gradient goes
    to the element each value came from."""
    return _cumulative_extreme("cummax", input, dim, True)


@dim_or_axis
def cummin(input: Tensor, dim: int) -> return_types.cummin:
    """Running minimum along dim, as cummax."""
    return _cumulative_extreme("cummin", input, dim, False)


@dim_or_axis
def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """log(cumsum(exp(x))) along dim, without overflow."""
    if input.dtype.kind != "f":
        raise TypeError(f"logcumsumexp: needs a floating point tensor, got {input.dtype}")
    return _scalar_safe(lambda x, d: LogCumSumExp.apply(x, d, False), input, dim,
                        "logcumsumexp")


# *** differences (tmethods) ***
@dim_or_axis
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The n-th forward difference along dim, out[i] = x[i + 1] - x[i] applied n times, after
    putting prepend and append at the ends (bool tensors give x[i + 1] != x[i])."""
    d = canonical_dim(dim, input.ndim, "diff")
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, d) if len(parts) > 1 else input
    if n < 0:
        raise RuntimeError(f"diff: order must be non-negative, got {n}")
    lead = (slice(None),) * d
    for _ in range(n):
        later, earlier = x[lead + (slice(1, None),)], x[lead + (slice(None, -1),)]
        x = later != earlier if x.dtype == np.bool_ else later - earlier
    return x


def _trapezoid_parts(name: str, y: Tensor, x: Tensor | None, dx: float | None, dim: int
                     ) -> tuple[Tensor, int]:
    """The trapezoids' areas along dim: (y[i] + y[i+1]) / 2 times the spacing."""
    d = canonical_dim(dim, y.ndim, name)
    lead = (slice(None),) * d
    mean = (y[lead + (slice(1, None),)] + y[lead + (slice(None, -1),)]) / 2
    if x is None:
        return mean * (1.0 if dx is None else dx), d
    if dx is not None:
        raise RuntimeError(f"{name}: give x or dx, not both")
    spacing = diff(x, dim=-1 if x.ndim == 1 else d)
    if x.ndim == 1:
        spacing = reshape(spacing, *([-1] + [1] * (y.ndim - d - 1)))
    return mean * spacing, d


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None, dim: int = -1
              ) -> Tensor:
    """The trapezoidal rule's integral of y along dim, at points x (or spaced dx, default 1)."""
    parts, d = _trapezoid_parts("trapezoid", y, x, dx, dim)
    return parts.sum(d)


trapz = trapezoid


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None,
                         dim: int = -1) -> Tensor:
    """The running trapezoidal integrals of y along dim (one element fewer than y)."""
    parts, d = _trapezoid_parts("cumulative_trapezoid", y, x, dx, dim)
    return cumsum(parts, d)


def gradient(input: Tensor, *, spacing: Any = 1, dim: Any = None, edge_order: int = 1
             ) -> tuple[Tensor, ...]:
    """d input / d x along each dim by finite differences, as numpy.gradient and PyTorch:
    central differences inside, one-sided ones (of order edge_order) at the ends. spacing is
    one step for every dim, a step per dim, or a 1-D tensor of coordinates per dim."""
    name = "gradient"
    if edge_order not in (1, 2):
        raise RuntimeError(f"{name}: only edge_order=1 and edge_order=2 are supported, got "
                           f"{edge_order}")
    dims = list(range(input.ndim)) if dim is None else [dim] if isinstance(dim, int) else \
        list(dim)
    dims = [canonical_dim(d, input.ndim, name) for d in dims]
    steps = list(spacing) if isinstance(spacing, (list, tuple)) else [spacing] * len(dims)
    if len(steps) != len(dims):
        raise RuntimeError(f"{name}: spacing must be a scalar or one entry per dim "
                           f"({len(dims)}), got {len(steps)} entries")
    if input.dtype.kind not in "fc":  # integers differentiate in the default float dtype
        input = input.to(get_default_dtype())
    return tuple(_gradient_along(input, d, step, edge_order, name)
                 for d, step in zip(dims, steps))


def _gradient_along(f: Tensor, d: int, step: Any, edge_order: int, name: str) -> Tensor:
    """One dim of gradient(): PyTorch's formulas, for a uniform step or coordinates."""
    if f.shape[d] < edge_order + 1:
        raise RuntimeError(f"{name}: expected each dimension size to be at least "
                           f"edge_order+1 ({edge_order + 1}), got size {f.shape[d]} at dim {d}")
    lead = (slice(None),) * d

    def part(start: int | None, stop: int | None = None) -> Tensor:
        return f[lead + (slice(start, stop),)]

    if not isinstance(step, Tensor):  # uniform: (f[i+1] - f[i-1]) / 2h inside
        center = (part(2) - part(0, -2)) / step / 2
        if edge_order == 1:
            first, last = (part(1, 2) - part(0, 1)) / step, (part(-1) - part(-2, -1)) / step
        else:
            first = (-1.5 * part(0, 1) + 2 * part(1, 2) - 0.5 * part(2, 3)) / step
            last = (0.5 * part(-3, -2) - 2 * part(-2, -1) + 1.5 * part(-1)) / step
        return cat([first, center, last], d)
    if step.ndim != 1 or step.shape[0] != f.shape[d]:
        raise RuntimeError(f"{name}: coordinates along dim {d} must be 1-D of size "
                           f"{f.shape[d]}, got shape {tuple(step.shape)}")
    h = diff(step.to(f.dtype), 1, 0)
    shape = [1] * f.ndim
    shape[d] = -1
    h1, h2 = h[:-1], h[1:]
    a = reshape(-h2 / (h1 * (h1 + h2)), *shape)
    b = reshape((h2 - h1) / (h1 * h2), *shape)
    c = reshape(h1 / (h2 * (h1 + h2)), *shape)
    center = a * part(0, -2) + b * part(1, -1) + c * part(2)
    if edge_order == 1:
        first, last = (part(1, 2) - part(0, 1)) / h[0], (part(-1) - part(-2, -1)) / h[-1]
    else:
        first = (-(2.0 * h[0] + h[1]) / (h[0] * (h[0] + h[1])) * part(0, 1)
                 + (h[0] + h[1]) / (h[0] * h[1]) * part(1, 2)
                 - h[0] / (h[1] * (h[0] + h[1])) * part(2, 3))
        last = (h[-1] / (h[-2] * (h[-1] + h[-2])) * part(-3, -2)
                - (h[-1] + h[-2]) / (h[-1] * h[-2]) * part(-2, -1)
                + (2 * h[-1] + h[-2]) / (h[-1] * (h[-1] + h[-2])) * part(-1))
    return cat([first, center, last], d)
