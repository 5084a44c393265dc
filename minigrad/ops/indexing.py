"""Indexing with PyTorch's rules, and the ops that pick or place elements by index: gather,
scatter, index_select, index_add, masked_fill, masked_select, take_along_dim, nonzero.

PyTorch and numpy differ in one place: an integer mixed with index arrays. numpy counts the
integer as an advanced index (so `x[0, :, idx]` moves idx's dim to the front); PyTorch applies
integers first, as basic indexing, and only then the arrays (so `x[0, :, idx]` keeps idx's dim
where it was). `normalize_index` turns a PyTorch index into two numpy indices applied one after
the other, which numpy then evaluates with PyTorch's result. Everything that indexes (getitem,
and any in-place assignment) goes through it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad._alias import dim_or_axis
from minigrad.function import Function, ViewFunction
from minigrad.ops import elementwise  # a module: elementwise imports this one via fused
from minigrad.ops._common import canonical_dim, check_broadcasts_to, constant
from minigrad.tensor import Tensor

# a normalized index: `basic` (ints, slices, None) selects a view, then `advanced` (full slices
# and integer arrays), or None when there is none, picks from that view
Plan = tuple[tuple, tuple | None]


# *** the index rule ***
def normalize_index(shape: Sequence[int], index: Any) -> Plan:
    """PyTorch's meaning of `x[index]` for a tensor of shape `shape`, as (basic, advanced):
    `a[basic][advanced]` (or `a[basic]` when advanced is None) on the ndarray gives PyTorch's
    result, and `a[basic][advanced] = v` PyTorch's assignment. Bounds are checked here, so an
    out-of-range index raises IndexError naming the index, the dim and its size."""
    simple = index if type(index) is tuple else (index,)
    if len(simple) <= len(shape) and all(type(p) is slice or type(p) is int for p in simple):
        for dim, p in enumerate(simple):  # the common case, ints and slices only, made short
            if type(p) is int and not -shape[dim] <= p < shape[dim]:
                raise IndexError(f"index {p} is out of bounds for dimension {dim} with size "
                                 f"{shape[dim]}")
            if type(p) is slice and p.step is not None and p.step <= 0:
                _index_parts(p)  # names the step
        return simple, None
    parts = _index_parts(index)
    consumed = sum(_dims_taken(p) for p in parts)
    ndim = len(shape)
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim} (got {consumed})")
    basic, advanced, has_array, dim = [], [], False, 0
    for p in parts:
        if p is Ellipsis:
            fill = ndim - consumed
            basic += [slice(None)] * fill
            advanced += [slice(None)] * fill
            dim += fill
        elif p is None:
            basic.append(None)
            advanced.append(slice(None))
        elif isinstance(p, bool):  # a new dim of size 1, indexed by [0] (True) or [] (False)
            basic.append(None)
            advanced.append(np.zeros(int(p), dtype=np.intp))
            has_array = True
        elif isinstance(p, int):
            size = shape[dim]
            if not -size <= p < size:
                raise IndexError(f"index {p} is out of bounds for dimension {dim} with size "
                                 f"{size}")
            basic.append(p)
            dim += 1
        elif isinstance(p, slice):
            basic.append(p)
            advanced.append(slice(None))
            dim += 1
        elif p.dtype == np.bool_:
            dims = shape[dim:dim + p.ndim]
            if p.shape != tuple(dims):
                raise IndexError(f"the shape of the mask {list(p.shape)} at index {dim} does "
                                 f"not match the shape of the indexed tensor {list(shape)}")
            basic += [slice(None)] * p.ndim
            advanced += list(np.nonzero(p))
            has_array = True
            dim += p.ndim
        else:
            _check_bounds(p, shape[dim], dim)
            basic.append(slice(None))
            advanced.append(p)
            has_array = True
            dim += 1
    if not has_array:
        return tuple(basic), None
    while advanced and type(advanced[-1]) is slice:  # trailing full slices change nothing
        advanced.pop()
    return tuple(basic), tuple(advanced)


def _index_parts(index: Any) -> list:
    """The index as a list of ints, bools, slices, None, Ellipsis and integer or bool arrays.
    0-d integer tensors and arrays count as ints, as in PyTorch."""
    parts = list(index) if isinstance(index, tuple) else [index]
    out = []
    for p in parts:
        if isinstance(p, Tensor):
            p = p.array
        elif isinstance(p, (list, range)):
            p = np.asarray(p)
            if p.size == 0:
                p = p.astype(np.int64)
        if isinstance(p, (np.ndarray, np.generic)):
            if p.dtype.kind not in "biu":
                raise IndexError(f"tensors used as indices must be integer or bool tensors, "
                                 f"got {p.dtype}")
            if p.ndim == 0:
                p = bool(p) if p.dtype == np.bool_ else int(p)
        elif isinstance(p, slice) and p.step is not None and p.step <= 0:
            raise ValueError(f"slice step must be greater than zero, got {p.step} (PyTorch has "
                             "no negative steps: use flip)")
        elif not (p is None or p is Ellipsis or isinstance(p, (int, slice))):
            error = TypeError if isinstance(p, str) else IndexError  # PyTorch's classes
            raise error(f"only integers, slices, None, ..., and integer or bool tensors are "
                        f"valid indices, got {type(p).__name__}")
        out.append(p)
    if sum(p is Ellipsis for p in out) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    return out


def _dims_taken(part: Any) -> int:
    if part is None or part is Ellipsis or isinstance(part, bool):
        return 0
    if isinstance(part, np.ndarray) and part.dtype == np.bool_:
        return part.ndim
    return 1


def _check_bounds(index: np.ndarray, size: int, dim: int, negative: bool = True) -> None:
    """Indices in [-size, size), or in [0, size) for ops that take no negative index."""
    low = -size if negative else 0
    if index.size and (index.min() < low or index.max() >= size):
        bad = index[(index < low) | (index >= size)].flat[0]
        raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _is_basic(plan: Plan) -> bool:
    return plan[1] is None


# *** the two primitives: pick at an index, and add into zeros at an index ***
class GetItem(ViewFunction):
    """x[index] with a normalized index (see normalize_index); a view of x when numpy's result
    is one (basic indexing)."""

    @staticmethod
    def forward(ctx, x, plan):
        ctx.in_shape, ctx.plan = x.array.shape, plan
        basic, advanced = plan
        out = x.array[basic]
        if type(out) is not np.ndarray:  # an int for every dim: numpy copies out a scalar,
            out = x.array[(*basic, Ellipsis)]  # PyTorch gives a 0-d view
        return out if advanced is None else out[advanced]

    @staticmethod
    def backward(ctx, g):
        return IndexPutAdd.apply(g, ctx.in_shape, ctx.plan), None


class IndexPutAdd(Function):
    """zeros(shape) with g added at a normalized index; repeated indices accumulate. The
    gradient of x[index], and the op that scatter_add and index_add are built from."""

    @staticmethod
    def forward(ctx, g, shape, plan):
        ctx.plan = plan
        out = np.zeros_like(g.array, shape=shape)  # (made from g: mg.compile records it)
        basic, advanced = plan
        if advanced is None:
            out[basic] = g.array
        else:
            np.add.at(out[basic], advanced, g.array)
        return out

    @staticmethod
    def backward(ctx, gg):
        return GetItem.apply(gg, ctx.plan), None, None


def getitem(input: Tensor, index: Any) -> Tensor:
    """input[index] with PyTorch's rules (see normalize_index)."""
    return GetItem.apply(input, normalize_index(input.array.shape, index))


def index_put_add(src: Tensor, shape: Sequence[int], index: Any) -> Tensor:
    """zeros(shape) with src added at input[index]'s positions (repeats accumulate)."""
    plan = normalize_index(tuple(shape), index)
    return IndexPutAdd.apply(src, tuple(shape), plan)


# *** picking and placing along a dim ***
def _along(dim: int, index: np.ndarray) -> tuple[np.ndarray, ...]:
    """The full index that pairs every position of `index` with its own coordinates except along
    dim, where it takes index's value: `a[_along(d, i)]` is torch.gather(a, d, i)."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def _index_array(index: Any, op: str) -> np.ndarray:
    array = index.array if isinstance(index, Tensor) else np.asarray(index)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must be an integer tensor, got {array.dtype}")
    return array


def _check_along(op: str, input: Tensor, dim: int, index: np.ndarray,
                 src: Tensor | None = None) -> int:
    """dim as a non-negative int, after PyTorch's checks: index has input's number of dims, is
    no larger than input outside dim (nor than src anywhere), and lies in [-size, size)."""
    d = canonical_dim(dim, max(input.ndim, 1), op)
    if index.ndim != max(input.ndim, 1) and index.size:
        raise ValueError(f"{op}: index has {index.ndim} dims but input has {input.ndim} "
                         f"(shapes {index.shape} and {input.shape})")
    in_shape = input.shape or (1,)
    for k, n in enumerate(index.shape):
        if k != d and n > in_shape[k]:
            raise ValueError(f"{op}: index of shape {index.shape} is larger than input of "
                             f"shape {input.shape} in dim {k}")
        if src is not None and n > (src.shape or (1,))[k]:
            raise ValueError(f"{op}: index of shape {index.shape} is larger than src of shape "
                             f"{src.shape} in dim {k}")
    _check_bounds(index, in_shape[d], d, negative=False)
    return d


def _leading(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    """t's leading block of the given shape (torch's scatter and gather read only that)."""
    if t.shape == shape:
        return t
    return GetItem.apply(t, (tuple(slice(0, n) for n in shape), None))


@dim_or_axis
def gather(input: Tensor, dim: int, index: Any) -> Tensor:
    """out[i][j][k] = input[i][index[i][j][k]][k] (for dim=1): values picked along dim."""
    index = _index_array(index, "gather")
    if input.ndim == 0 and index.ndim == 0:
        return gather(input.reshape(1), 0, index.reshape(1)).reshape(())
    d = _check_along("gather", input, dim, index)
    return GetItem.apply(input, ((), _along(d, index)))


@dim_or_axis
def scatter_add(input: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:
    """input with src[i][j][k] added at input[i][index[i][j][k]][k] (for dim=1); repeated
    indices accumulate."""
    index = _index_array(index, "scatter_add")
    if isinstance(src, Tensor) and src.dtype != input.dtype:
        raise RuntimeError(f"scatter_add: src dtype {src.dtype} differs from input dtype "
                           f"{input.dtype}")
    src = constant(src, input)
    d = _check_along("scatter_add", input, dim, index, src)
    if not index.size:
        return input + 0
    placed = IndexPutAdd.apply(_leading(src, index.shape), input.shape, ((), _along(d, index)))
    return input + placed


class Scatter(Function):
    """input with src written at input[i][index[i][j][k]][k] (for dim=1). Where an index
    repeats, one of the writes wins (numpy's last), as PyTorch leaves it unspecified."""

    @staticmethod
    def forward(ctx, input, src, along):
        ctx.along = along
        out = input.array.copy()
        out[along] = src.array
        return out

    @staticmethod
    def backward(ctx, g):
        """d input = g with the written places zeroed; d src = g gathered from them."""
        grad_input = None
        if ctx.needs_input_grad[0]:
            keep = np.ones(g.shape, dtype=g.dtype)
            keep[ctx.along] = 0
            grad_input = g * Tensor._make(keep)
        grad_src = GetItem.apply(g, ((), ctx.along)) if ctx.needs_input_grad[1] else None
        return grad_input, grad_src, None


@dim_or_axis
def scatter(input: Tensor, dim: int, index: Any, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """input with src (or the scalar value) written at the places index names along dim.
    reduce='add' or 'multiply' combines with what is there instead (see scatter_reduce)."""
    if (src is None) == (value is None):
        raise TypeError("scatter: pass exactly one of src and value")
    index = _index_array(index, "scatter")
    if src is None or not isinstance(src, Tensor) and np.ndim(src) == 0:
        fill = value if src is None else src
        src = Tensor._make(np.full(index.shape, fill, dtype=input.dtype))
    src = constant(src, input)
    if reduce is not None:
        modes = {"add": "sum", "multiply": "prod"}
        if reduce not in modes:
            raise ValueError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
        return scatter_reduce(input, dim, index, src, modes[reduce])
    d = _check_along("scatter", input, dim, index, src)
    if not index.size:
        return input + 0
    return Scatter.apply(input, _leading(src, index.shape), _along(d, index))


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


class ScatterReduce(Function):
    """input with src combined into the places index names (sum, prod, mean, amax, amin);
    include_self=False leaves input's own value out of every place that is written."""

    @staticmethod
    def forward(ctx, input, src, along, reduce, include_self):
        ctx.save_for_backward(input, src)
        ctx.along, ctx.reduce, ctx.include_self = along, reduce, include_self
        x, s = input.array, src.array
        out = x.copy()
        if not include_self:
            start = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}[reduce]
            if out.dtype.kind in "iub" and reduce in ("amax", "amin"):
                info = np.iinfo(out.dtype)
                start = info.min if reduce == "amax" else info.max
            out[along] = start
        ufunc = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
                 "amin": np.minimum}[reduce]
        ufunc.at(out, along, s)
        if reduce == "mean":
            ctx.count = count = _counts(x.shape, along, include_self)
            out = (out / count).astype(x.dtype) if x.dtype.kind == "f" else (
                out // count.astype(x.dtype))
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        """sum: g to input, gathered g to src. mean: both over the place's count. prod: g times
        the product of the place's other factors. amax/amin: g shared evenly by every value
        equal to the result."""
        input, src = ctx.saved_tensors
        along, reduce, include_self = ctx.along, ctx.reduce, ctx.include_self
        written = np.zeros(g.shape, dtype=bool)
        written[along] = True
        own = np.ones(g.shape) if include_self else ~written  # where input's value took part
        own = Tensor._make(own.astype(g.dtype))
        if reduce in ("sum", "mean"):
            if reduce == "mean":
                g = g / Tensor._make(ctx.count.astype(g.dtype))
            return g * own, GetItem.apply(g, ((), along)), None, None, None
        if reduce == "prod":
            return _prod_grads(ctx, g.array, input.array, src.array, own.array) + (None,) * 3
        out = ctx.out
        self_ties = (input.array == out) * own.array
        src_ties = (src.array == out[along]).astype(g.dtype)
        ties = self_ties.copy()
        np.add.at(ties, along, src_ties)
        share = g / Tensor._make(np.maximum(ties, 1))
        return (share * Tensor._make(self_ties),
                GetItem.apply(share, ((), along)) * Tensor._make(src_ties), None, None, None)


def _counts(shape: tuple[int, ...], along: tuple, include_self: bool) -> np.ndarray:
    """How many values each place of a scatter_reduce combines (at least 1)."""
    count = np.ones(shape) if include_self else np.zeros(shape)
    np.add.at(count, along, 1)
    return np.maximum(count, 1)


def _prod_grads(ctx: Any, g: np.ndarray, x: np.ndarray, s: np.ndarray,
                own: np.ndarray) -> tuple[Tensor, Tensor]:
    """The product of each factor's companions, without dividing by a zero factor: the
    product of the place's nonzero factors, zeroed where another factor is zero."""
    along = ctx.along
    x_used = np.where(own > 0, x, 1.0)
    nonzero_prod = np.where(x_used != 0, x_used, 1.0)
    np.multiply.at(nonzero_prod, along, np.where(s != 0, s, 1.0))
    zeros = (x_used == 0).astype(np.int64)
    np.add.at(zeros, along, (s == 0).astype(np.int64))

    def others(values: np.ndarray, place_zeros: np.ndarray, place_prod: np.ndarray):
        is_zero = values == 0
        divided = place_prod / np.where(is_zero, 1.0, values)
        other_zeros = place_zeros - is_zero
        return np.where(other_zeros > 0, 0.0, divided)

    grad_x = g * others(x_used, zeros, nonzero_prod) * own
    grad_s = g[along] * others(s, zeros[along], nonzero_prod[along])
    return (Tensor._make(grad_x.astype(g.dtype)) if ctx.needs_input_grad[0] else None,
            Tensor._make(grad_s.astype(g.dtype)) if ctx.needs_input_grad[1] else None)


@dim_or_axis
def scatter_reduce(input: Tensor, dim: int, index: Any, src: Tensor, reduce: str,
                   *, include_self: bool = True) -> Tensor:
    """input with each src value combined into the place index names along dim, by reduce in
    'sum', 'prod', 'mean', 'amax', 'amin'."""
    if reduce not in _REDUCTIONS:
        raise ValueError(f"scatter_reduce: reduce must be one of {_REDUCTIONS}, got {reduce!r}")
    index = _index_array(index, "scatter_reduce")
    src = constant(src, input)
    d = _check_along("scatter_reduce", input, dim, index, src)
    if not index.size:
        return input + 0
    return ScatterReduce.apply(input, _leading(src, index.shape), _along(d, index), reduce,
                               bool(include_self))


def _dim_index(op: str, input: Tensor, dim: int, index: Any) -> tuple[int, np.ndarray]:
    index = _index_array(index, op)
    if index.ndim > 1:
        raise IndexError(f"{op}: index must be 1-D, got shape {index.shape}")
    d = canonical_dim(dim, max(input.ndim, 1), op)
    _check_bounds(index, (input.shape or (1,))[d], d, negative=False)
    return d, index.reshape(-1)


@dim_or_axis
def index_select(input: Tensor, dim: int, index: Any) -> Tensor:
    """The slices of input at the positions index names along dim, in that order."""
    d, index = _dim_index("index_select", input, dim, index)
    if input.ndim == 0:
        if index.size != 1:
            raise IndexError(f"index_select: indexing a 0-d tensor takes one index, got "
                             f"{index.size}")
        return input + 0
    return GetItem.apply(input, ((), (slice(None),) * d + (index,)))


@dim_or_axis
def index_add(input: Tensor, dim: int, index: Any, source: Tensor, *, alpha: float = 1) -> Tensor:
    """input with alpha * source's slices added at the positions index names along dim;
    repeated positions accumulate."""
    d, index = _dim_index("index_add", input, dim, index)
    source = constant(source, input)
    expected = input.shape[:d] + (len(index),) + input.shape[d + 1:]
    if source.shape != expected and not (input.ndim == 0 and source.numel() == len(index)):
        raise ValueError(f"index_add: source of shape {source.shape} does not fit input of shape "
                         f"{input.shape} with {len(index)} indices along dim {d} (expected "
                         f"{expected})")
    if input.ndim == 0:
        return input + (source.sum() * alpha if len(index) else 0)
    placed = IndexPutAdd.apply(source, input.shape, ((), (slice(None),) * d + (index,)))
    return input + (placed if alpha == 1 else placed * alpha)


@dim_or_axis
def take_along_dim(input: Tensor, indices: Any, dim: int | None = None) -> Tensor:
    """gather along dim after broadcasting input and indices outside dim (dim=None: from the
    flattened input)."""
    indices = _index_array(indices, "take_along_dim")
    if dim is None:
        _check_bounds(indices, input.numel(), 0, negative=False)  # PyTorch's rule here
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = canonical_dim(dim, max(input.ndim, 1), "take_along_dim")
    _check_bounds(indices, (input.shape or (1,))[d], d)
    indices = indices % max((input.shape or (1,))[d], 1)  # negative indices count from the end
    if input.ndim != indices.ndim:
        raise ValueError(f"take_along_dim: input and indices must have the same number of dims, "
                         f"got shapes {input.shape} and {indices.shape}")
    outer_in = input.shape[:d] + (1,) + input.shape[d + 1:]
    outer_ix = indices.shape[:d] + (1,) + indices.shape[d + 1:]
    try:
        shape = list(np.broadcast_shapes(outer_in, outer_ix))
    except ValueError:
        raise ValueError(f"take_along_dim: shapes {input.shape} and {indices.shape} do not "
                         f"broadcast outside dim {d}") from None
    in_shape = tuple(shape[:d] + [input.shape[d]] + shape[d + 1:])
    ix_shape = tuple(shape[:d] + [indices.shape[d]] + shape[d + 1:])
    return gather(input.expand(*in_shape), d, np.broadcast_to(indices, ix_shape))


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    """input with value wherever mask (broadcast to input) is True."""
    mask = mask.array if isinstance(mask, Tensor) else np.asarray(mask)
    if mask.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor, got {mask.dtype}")
    check_broadcasts_to(mask.shape, input.shape, (
        f"masked_fill: mask of shape {mask.shape} does not broadcast to the input's shape "
        f"{input.shape}"))
    if isinstance(value, Tensor) and value.ndim:
        raise ValueError(f"masked_fill: value must be a 0-d tensor or a number, got shape "
                         f"{value.shape}")
    value = constant(value, input)
    if value.dtype != input.dtype:
        value = value.to(input.dtype)
    return elementwise.where(Tensor._make(mask), value, input)


def masked_select(input: Tensor, mask: Any) -> Tensor:
    """The elements of input where mask is True, as a 1-D tensor (both broadcast first)."""
    mask = mask.array if isinstance(mask, Tensor) else np.asarray(mask)
    if mask.dtype != np.bool_:
        raise TypeError(f"masked_select: mask must be a bool tensor, got {mask.dtype}")
    try:
        shape = np.broadcast_shapes(mask.shape, input.shape)
    except ValueError:
        raise ValueError(f"masked_select: mask of shape {mask.shape} and input of shape "
                         f"{input.shape} do not broadcast") from None
    return getitem(input.expand(*shape), np.broadcast_to(mask, shape))


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:
    """The indices of input's nonzero elements: an (n, ndim) int64 tensor, or with as_tuple one
    1-D tensor per dim."""
    data = input.array if isinstance(input, Tensor) else np.asarray(input)
    if as_tuple:
        found = np.nonzero(data.reshape(1) if data.ndim == 0 else data)
        return tuple(Tensor._make(i.astype(np.int64)) for i in found)
    return Tensor._make(np.argwhere(data).astype(np.int64))


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 rows with a 1 at each class index: shape tensor.shape + (num_classes,); -1 takes
    max + 1."""
    data = tensor.array if isinstance(tensor, Tensor) else np.asarray(tensor)
    if data.dtype.kind not in "iu":
        raise TypeError(f"one_hot: class values must be an integer tensor, got {data.dtype}")
    if data.size and data.min() < 0:
        raise ValueError(f"one_hot: class values must be non-negative, got {data.min()}")
    if num_classes == -1:
        if not data.size:
            raise ValueError("one_hot: cannot infer the number of classes from an empty tensor; "
                             "pass num_classes")
        num_classes = int(data.max()) + 1
    if data.size and data.max() >= num_classes:
        raise ValueError(f"one_hot: class values must be smaller than num_classes "
                         f"({num_classes}), got {data.max()}")
    return Tensor._make(np.eye(num_classes, dtype=np.int64)[data])


# *** more of PyTorch's picking (tmethods) ***
def take(input: Tensor, index: Any) -> Tensor:
    """input's elements at index into its flattened values (negative counts from the end);
    the result has index's shape."""
    positions = _index_array(index, "take")
    _check_bounds(positions, input.numel(), 0)
    return getitem(input.reshape(-1), (positions,))


def argwhere(input: Tensor) -> Tensor:
    """The coordinates of the nonzero elements, one row each (nonzero(input))."""
    return nonzero(input)
