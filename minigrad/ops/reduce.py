"""Reductions over dims (`dim` and `keepdim` as in PyTorch; dim=None reduces everything)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad import return_types
from minigrad._alias import dim_or_axis
from minigrad.dtypes import get_default_dtype
from minigrad.function import DTypeError, Function
from minigrad.ops._common import canonical_dim, canonical_dims, constant, count, keepdim_shape
from minigrad.ops.elementwise import maximum, minimum, where
from minigrad.ops.shape import expand, reshape
from minigrad.tensor import Tensor

Dims = int | Sequence[int] | None

# what max(dim=...) and min(dim=...) return, as in PyTorch


class Sum(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        shape = x.array.shape
        ctx.shapes = shape, keepdim_shape(shape, dims)
        return x.array.sum(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        """Every input element gets the gradient of the sum it went into."""
        shape, kept = ctx.shapes
        return expand(reshape(g, kept), *shape), None, None


class Mean(Sum):
    """sum(x) * scale (1/n), as one node that keeps no values, as PyTorch's: a second backward
    through it can run."""

    @staticmethod
    def forward(ctx, x, dims, keepdim, scale):
        return Sum.forward(ctx, x, dims, keepdim) * np.asarray(scale, x.array.dtype)

    @staticmethod
    def backward(ctx, g):
        return Sum.backward(ctx, g * ctx.inputs[3])[0], None, None, None


class Max(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        out = np.max(x.array, axis=dims, keepdims=True)
        ctx.save_for_backward(x)
        ctx.out, ctx.dims = out, dims
        return out if keepdim else out.reshape(np.delete(x.shape, dims))

    @staticmethod
    def backward(ctx, g):
        """The gradient goes to the maximal elements, shared equally among ties."""
        (x,) = ctx.saved_tensors
        winners = x.array == ctx.out
        share = winners / winners.sum(axis=ctx.dims, keepdims=True)
        g = reshape(g, ctx.out.shape)
        return g * Tensor._make(share.astype(g.dtype)), None, None


class LogSumExp(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        peak = np.max(x.array, axis=dims, keepdims=True, initial=-np.inf)  # -inf if empty
        peak = np.where(np.isfinite(peak), peak, 0)
        with np.errstate(divide="ignore"):  # log 0 = -inf where every value is -inf
            out = np.log(np.sum(np.exp(x.array - peak), axis=dims, keepdims=True)) + peak
        ctx.kept = out.shape
        # save the returned array itself: backward gets it as the op's output, so a second
        # derivative sees that it depends on x
        out = np.asarray(out if keepdim else out.reshape(np.delete(x.shape, dims)))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx logsumexp(x) = softmax(x) = exp(x - logsumexp(x))"""
        x, out = ctx.saved_tensors
        return reshape(g, ctx.kept) * (x - reshape(out, ctx.kept)).exp(), None, None


# *** functional API ***
@dim_or_axis
def sum(input: Tensor, dim: Dims = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The sum over dim (all dims when None), in dtype if given (before summing)."""
    if keepdim is not False and keepdim is not True:
        raise TypeError(f"sum: keepdim must be a bool, got {keepdim!r}")
    dims = canonical_dims(dim, input.ndim, "sum")
    if dtype is not None:
        input = input.to(dtype)
    if input.array.dtype.kind in "bu":  # bools and uint8 sum to int64, as in PyTorch
        input = Tensor._make(input.array.astype(np.int64))
    out = Sum.apply(input, dims, keepdim)
    return out if dtype is None or out.dtype == dtype else out.to(dtype)  # numpy widens ints


@dim_or_axis
def mean(input: Tensor, dim: Dims = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """The mean over dim (all dims when None), in dtype if given (before averaging)."""
    if dtype is not None:
        input = input.to(dtype)
    if input.dtype.kind != "f":
        raise DTypeError(f"mean: needs a floating point tensor, got {input.dtype} (use "
                         ".float())")
    dims = canonical_dims(dim, input.ndim, "mean")
    n = count(input.shape, dims)
    return Mean.apply(input, dims, keepdim, 1.0 / n if n else float("nan"))


@dim_or_axis
def max(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The largest element (ties share the gradient equally), or with dim the named tuple
    (values, indices) along dim, whose gradient goes to the returned index, as in PyTorch."""
    if isinstance(dim, Tensor):  # torch.max(input, other): the elementwise maximum
        return maximum(input, dim)
    if dim is None:
        _nonempty(input, (), "max")
        return Max.apply(input, canonical_dims(None, input.ndim), False)
    return return_types.max(*_along(input, _arg(np.argmax, input, dim, True), dim, keepdim))


@dim_or_axis
def min(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """min(x) = -max(-x) for floats (integers and bools, whose negation overflows or does not
    exist, go to numpy); with dim, the named tuple (values, indices), as max."""
    if isinstance(dim, Tensor):  # torch.min(input, other): the elementwise minimum
        return minimum(input, dim)
    if dim is None:
        _nonempty(input, (), "min")
        if input.dtype.kind not in "fc":
            return Tensor._make(np.asarray(np.min(input.array)))
        return -max(-input)
    return return_types.min(*_along(input, _arg(np.argmin, input, dim, True), dim, keepdim))


def _along(x: Tensor, indices: Tensor, dim: int, keepdim: bool) -> tuple[Tensor, Tensor]:
    """x's elements at indices (of keepdim shape) along dim, as numpy's take_along_axis."""
    d = canonical_dim(dim, x.ndim)
    if not x.ndim:  # a 0-d tensor is its own max and min, at index 0
        return x * 1 if x.dtype.kind in "fc" else x.clone(), indices.reshape(())
    grid = list(np.ogrid[tuple(slice(n) for n in indices.shape)])
    grid[d] = indices.array
    values = x[tuple(grid)]
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return values, indices


@dim_or_axis
def var(input: Tensor, dim: Dims = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int | None = None) -> Tensor:
    """sum((x - mean)^2) / (n - correction); correction defaults to 1 (unbiased), as in PyTorch."""
    if unbiased is not None and correction is not None:
        raise ValueError("var: give unbiased or correction, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    dims = canonical_dims(dim, input.ndim, "var")
    if input.dtype.kind not in "fc":
        raise DTypeError(f"var/std: need a floating point tensor, got {input.dtype} (use "
                         ".float())")
    centered = input - mean(input, dims, keepdim=True)
    # as PyTorch, no degrees of freedom left (correction >= n) divides by 0: inf, or nan for a
    # zero sum of squares, with PyTorch's warning
    dof = count(input.shape, dims) - correction
    squares = sum(centered * centered, dims, keepdim)
    if dof > 0:
        return squares * (1.0 / dof)
    warnings.warn(f"var/std: degrees of freedom is <= 0 ({count(input.shape, dims)} values, "
                  f"correction {correction}): the result is inf or nan", UserWarning,
                  stacklevel=3)
    return squares / 0.0


@dim_or_axis
def std(input: Tensor, dim: Dims = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: int | None = None) -> Tensor:
    return var(input, dim, unbiased, keepdim, correction=correction).sqrt()


@dim_or_axis
def logsumexp(input: Tensor, dim: Dims, keepdim: bool = False) -> Tensor:
    """log(sum(exp(x))) over dim, computed without overflow."""
    dims = canonical_dims(dim, input.ndim, "logsumexp")
    if input.array.dtype.kind not in "fc":  # integers and bools give floats, as in PyTorch
        input = input.to(get_default_dtype())
    return LogSumExp.apply(input, dims, keepdim)


def _arg(fn: Any, x: Tensor, dim: int | None, keepdim: bool) -> Tensor:
    axis = None if dim is None else canonical_dim(dim, x.ndim, fn.__name__)
    if not x.array.size and (axis is None or x.ndim == 0 or x.shape[axis] == 0):
        raise IndexError(f"{fn.__name__}: cannot reduce an empty tensor (shape {x.shape})")
    if axis is None:
        return Tensor._make(np.asarray(fn(x.array), dtype=np.int64))
    if not x.array.size:  # empty elsewhere: an empty result, the reduced dim dropped or 1
        shape = list(x.shape)
        shape[axis] = 1
        out = np.zeros(shape if keepdim else shape[:axis] + shape[axis + 1:], np.int64)
        return Tensor._make(out)
    return Tensor._make(fn(x.array, axis=axis, keepdims=keepdim).astype(np.int64))


@dim_or_axis
def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the largest element (of the flattened tensor when dim is None); no gradient."""
    if input.array.dtype == np.bool_:
        raise TypeError("argmax: does not support bool input (use .int())")
    return _arg(np.argmax, input, dim, keepdim)


@dim_or_axis
def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if input.array.dtype == np.bool_:
        raise TypeError("argmin: does not support bool input (use .int())")
    return _arg(np.argmin, input, dim, keepdim)


# *** more reductions: amax, amin, aminmax, any, all, count_nonzero, var_mean, std_mean ***


def _dims(x: Tensor, dim: Dims, name: str) -> tuple[int, ...]:
    """canonical dims, where dim=() means every dim (PyTorch's amax/amin convention)."""
    return canonical_dims(None if dim == () else dim, x.ndim, name)


def _nonempty(x: Tensor, dims: tuple[int, ...], name: str) -> None:
    """An error unless every dim in dims (every element, for dims ()) is non-empty: an
    IndexError naming the dim, or a ValueError for a whole empty tensor (as PyTorch's
    IndexError and RuntimeError)."""
    if x.array.size:
        return
    empty = [d for d in dims if x.shape[d] == 0]
    if empty:
        raise IndexError(f"{name}: cannot reduce over dim {empty[0]} of size 0 (input shape "
                         f"{x.shape}); the result has no identity element")
    raise ValueError(f"{name}: cannot reduce the empty tensor of shape {x.shape} without a dim "
                     "(give dim=)")


@dim_or_axis
def amax(input: Tensor, dim: Dims = (), keepdim: bool = False) -> Tensor:
    """The largest value over dim (all dims by default); ties share the gradient equally."""
    dims = _dims(input, dim, "amax")
    _nonempty(input, dims, "amax")
    return Max.apply(input, dims, keepdim)


@dim_or_axis
def amin(input: Tensor, dim: Dims = (), keepdim: bool = False) -> Tensor:
    """The smallest value over dim, as amax: -amax(-x) for floats; integers and bools (no
    gradient, and negation overflows) go to numpy."""
    dims = _dims(input, dim, "amin")
    _nonempty(input, dims, "amin")
    if input.dtype.kind != "f":
        return Tensor._make(np.asarray(np.min(input.array, axis=dims, keepdims=keepdim)))
    return -Max.apply(-input, dims, keepdim)


@dim_or_axis
def aminmax(input: Tensor, *, dim: int | None = None,
            keepdim: bool = False) -> return_types.aminmax:
    """(min, max) over dim, or over everything when dim is None."""
    dims = () if dim is None else canonical_dim(dim, input.ndim, "aminmax")
    return return_types.aminmax(amin(input, dims, keepdim), amax(input, dims, keepdim))


def _logical_reduction(name: str, fn: Any, x: Tensor, dim: Dims, keepdim: bool) -> Tensor:
    out = np.asarray(fn(x.array, axis=canonical_dims(dim, x.ndim, name), keepdims=keepdim))
    return Tensor._make(out.astype(np.uint8) if x.dtype == np.uint8 else out)


@dim_or_axis
def any(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:
    """True where any element over dim is nonzero (uint8 inputs give uint8, as in PyTorch)."""
    return _logical_reduction("any", np.any, input, dim, keepdim)


@dim_or_axis
def all(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:
    """True where every element over dim is nonzero."""
    return _logical_reduction("all", np.all, input, dim, keepdim)


@dim_or_axis
def count_nonzero(input: Tensor, dim: Dims = None) -> Tensor:
    """How many elements over dim are nonzero (int64)."""
    dims = canonical_dims(dim, input.ndim, "count_nonzero")
    return Tensor._make(np.asarray(np.count_nonzero(input.array, axis=dims), dtype=np.int64))


@dim_or_axis
def var_mean(input: Tensor, dim: Dims = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: int | None = None) -> tuple[Tensor, Tensor]:
    """(var, mean) over dim, as var and mean give them."""
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


@dim_or_axis
def std_mean(input: Tensor, dim: Dims = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: int | None = None) -> tuple[Tensor, Tensor]:
    """(std, mean) over dim, as std and mean give them."""
    return (std(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim, keepdim))


# *** reductions that skip nan, covariance (tmethods) ***
def _without_nan(x: Tensor) -> Tensor:
    """x with nan replaced by 0 (whose gradient is then 0)."""
    if x.dtype.kind != "f":
        return x
    return where(Tensor._make(np.isnan(x.array)), 0.0, x)


@dim_or_axis
def nansum(input: Tensor, dim: Dims = None, keepdim: bool = False, *, dtype: Any = None
           ) -> Tensor:
    """sum of the values that are not nan."""
    return sum(_without_nan(input), dim, keepdim, dtype=dtype)


@dim_or_axis
def nanmean(input: Tensor, dim: Dims = None, keepdim: bool = False, *, dtype: Any = None
            ) -> Tensor:
    """mean of the values that are not nan (nan where all are)."""
    if input.dtype.kind != "f" and dtype is None:
        raise RuntimeError(f"nanmean(): expected input to have floating point dtype but got "
                           f"{input.dtype}")
    present = Tensor._make((~np.isnan(input.array)).astype(input.dtype))
    return nansum(input, dim, keepdim, dtype=dtype) / sum(present, dim, keepdim, dtype=dtype)


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """The covariance matrix of the variables in input's rows (a 1-D input is one variable),
    observations in its columns weighted by fweights (counts) and aweights:
    sum_k w_k (x_ik - avg_i)(x_jk - avg_j) / (sum w - correction sum(w a) / sum w)."""
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got "
                           f"shape {input.shape}")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    x = x if x.dtype.kind == "f" else x.to(np.float32)
    n = x.shape[1]
    for name, w in (("fweights", fweights), ("aweights", aweights)):
        values = None if w is None else np.asarray(w.array if isinstance(w, Tensor) else w)
        if values is not None and (values.shape != (n,) or values.min(initial=0) < 0):
            raise RuntimeError(f"cov(): {name} must be 1-D, one non-negative weight per "
                               f"observation ({n}), got {values.tolist()}")
        if name == "fweights" and values is not None and values.dtype.kind not in "iu":
            raise RuntimeError(f"cov(): fweights must be integers, got {values.dtype}")
    fw = None if fweights is None else constant(fweights).to(x.dtype)
    aw = None if aweights is None else constant(aweights).to(x.dtype)
    w = fw * aw if fw is not None and aw is not None else fw if fw is not None else aw
    if w is None:
        total, norm, centered = n, n - correction, x - x.mean(1, keepdim=True)
        weighted = centered
    else:
        total = w.sum()
        norm = total - (correction * (w * aw).sum() / total if aw is not None else correction)
        centered = x - (x * w).sum(1, keepdim=True) / total
        weighted = centered * w
    with np.errstate(divide="ignore", invalid="ignore"):
        c = weighted @ centered.mT / maximum(constant(norm, x), 0.0)
    return c.reshape(()) if input.ndim < 2 or x.shape[0] == 1 else c


def corrcoef(input: Tensor) -> Tensor:
    """Pearson's correlation coefficients of the rows: cov_ij / (std_i std_j), clipped to
    [-1, 1]."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    return (c / std.reshape(-1, 1) / std.reshape(1, -1)).clamp(-1, 1)
