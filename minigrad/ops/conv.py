"""Convolution as im2col: `unfold` copies every kernel-sized window of the input into a column,
`fold` adds columns back onto an image (its adjoint), and a convolution is one matrix product
of the flattened kernels with the columns.

Unfold's backward is fold and fold's backward is unfold, so the ops built from them (F.unfold,
F.fold, the average pools) can be differentiated any number of times. The convolution is the
same idea as three ops whose backward passes are each other (the convolution, its adjoint in
the input and its gradient in the weight), so conv1d/2d/3d and conv_transpose1d/2d/3d can be
too. The same code serves any number of spatial dims (1-D runs as 2-D of height 1). The windows
are
read through a numpy stride-tricks view (no Python loop over output pixels), and folding adds
one strided slice per kernel position (no np.add.at).

Speed (labelled where it is done): conv2d's columns keep the batch innermost, (C kh kw, out_h
out_w N), so the copy and the fold's sums run over contiguous rows of N values, and its output
is a (N, O, h, w) view of an (O, h, w, N) array, which the next max pool and conv keep."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from minigrad.function import Function
from minigrad.ops.shape import cat, reshape, unsqueeze
from minigrad.tensor import Tensor

Pair = tuple[int, int]
Sizes = tuple[int, ...]  # one int per spatial dim
Pads = tuple[Pair, ...]  # (before, after) per spatial dim: ((top, bottom), (left, right)) in 2-D
IntOrPair = int | Sequence[int]


# *** geometry: every helper takes any number of spatial dims (1-D ops run as 2-D ones) ***
def as_tuple(value: Any, n: int, name: str, op: str, minimum: int = 1) -> tuple[int, ...]:
    """An int or a sequence of n ints as an n-tuple, each at least minimum, else a ValueError
    naming op, the argument and its value."""
    if isinstance(value, (int, np.integer)):
        values = (value,) * n
    elif isinstance(value, Sequence) and not isinstance(value, str):
        values = tuple(value)
    else:
        raise TypeError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    if len(values) != n or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                   for v in values):
        raise ValueError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    if min(values) < minimum:
        raise ValueError(f"{op}: {name} must be at least {minimum}, got {value!r}")
    return tuple(int(v) for v in values)


def out_size(size: int, kernel: int, stride: int, dilation: int, pad_before: int,
             pad_after: int) -> int:
    """floor((size + pads - dilation (kernel - 1) - 1) / stride) + 1 windows fit along an axis."""
    return (size + pad_before + pad_after - dilation * (kernel - 1) - 1) // stride + 1


def output_shape(op: str, spatial: Sequence[int], kernel: Sequence[int], stride: Sequence[int],
                 dilation: Sequence[int], pads: Sequence[Pair]) -> tuple[int, ...]:
    """The output's spatial sizes, or a ValueError naming every size when one is below 1."""
    sizes = tuple(out_size(n, k, s, d, *p)
                  for n, k, s, d, p in zip(spatial, kernel, stride, dilation, pads, strict=True))
    if min(sizes) < 1:
        padded = tuple(n + a + b for n, (a, b) in zip(spatial, pads, strict=True))
        reach = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
        raise ValueError(f"{op}: input of spatial size {tuple(spatial)} (padded {padded}) is "
                         f"smaller than the dilated kernel {reach}: the output size would be "
                         f"{sizes}, below 1")
    return sizes


def _padded(x: np.ndarray, pads: Pads, fill: float, axis: int) -> np.ndarray:
    """x with pads added around the len(pads) dims from axis on, filled with fill."""
    if not any(before or after for before, after in pads):
        return x
    shape, inside = list(x.shape), []
    for k, (before, after) in enumerate(pads):
        shape[axis + k] += before + after
        inside.append(slice(before, before + x.shape[axis + k]))
    out = np.full_like(x, fill, shape=shape, order="C")  # full_like: seen by mg.compile
    out[(slice(None),) * axis + tuple(inside)] = x
    return out


def windows(x: np.ndarray, kernel: Sizes, dilation: Sizes, pads: Pads, stride: Sizes,
            fill: float = 0.0, batch_last: bool = False) -> np.ndarray:
    """A read-only view of every window of the padded x (N, C, *spatial): (N, C, *kernel,
    *out), or with batch_last (C, *kernel, *out, N) over a contiguous copy of x laid out
    (C, *spatial, N); in 2-D view[.., i, j, p, q ..] = padded[.., p stride + i dilation,
    q stride + j dilation ..]."""
    dims, axis = len(kernel), 2
    if batch_last:
        axis, x = 1, x.transpose(*range(1, dims + 2), 0)
    xp = _padded(x, pads, fill, axis)
    if batch_last:
        xp = np.ascontiguousarray(xp)
    spatial, steps = xp.shape[axis:axis + dims], xp.strides[axis:axis + dims]
    outs = tuple(out_size(n, k, s, d, 0, 0)
                 for n, k, s, d in zip(spatial, kernel, stride, dilation, strict=True))
    shape = xp.shape[:axis] + tuple(kernel) + outs + xp.shape[axis + dims:]
    strides = (xp.strides[:axis] + tuple(t * d for t, d in zip(steps, dilation, strict=True))
               + tuple(t * s for t, s in zip(steps, stride, strict=True))
               + xp.strides[axis + dims:])
    return as_strided(xp, shape, strides, subok=True, writeable=False)  # subok: mg.compile


def fold_windows(blocks: np.ndarray, size: Sizes, kernel: Sizes, dilation: Sizes, pads: Pads,
                 stride: Sizes) -> np.ndarray:
    """The adjoint of `windows`: blocks (C, *kernel, *out, N), in any memory layout, added
    onto an (N, C, *size) image, one strided slice per kernel position. The sums run on a
    (C, *size, N) canvas, whose batch-contiguous rows numpy adds several times faster than
    the short image rows of (N, C, *size); the result is a view of it."""
    dims = len(kernel)
    outs = blocks.shape[1 + dims:1 + 2 * dims]
    padded = tuple(m + before + after for m, (before, after) in zip(size, pads, strict=True))
    canvas = np.zeros_like(blocks, shape=(blocks.shape[0], *padded, blocks.shape[-1]),
                           order="C")  # zeros_like: seen by mg.compile
    every = (slice(None),)
    targets = [[slice(i * d, i * d + s * (o - 1) + 1, s) for i in range(k)]
               for k, d, s, o in zip(kernel, dilation, stride, outs, strict=True)]
    for tap, target in zip(itertools.product(*map(range, kernel)), itertools.product(*targets)):
        canvas[every + target] += blocks[every + tap]
    inside = tuple(slice(before, before + m) for m, (before, _) in zip(size, pads, strict=True))
    return canvas[every + inside].transpose(dims + 1, *range(dims + 1))


# *** im2col and its adjoint ***
class Unfold(Function):
    """(N, C, *spatial) -> (N, C prod(kernel), L): column l holds the l-th window,
    channel-major."""

    @staticmethod
    def forward(ctx, x, kernel, dilation, pads, stride):
        ctx.size = x.shape[2:]
        view = windows(x.array, kernel, dilation, pads, stride)
        n, c = x.shape[:2]
        blocks = math.prod(view.shape[2 + len(kernel):])  # not -1: the batch may be empty
        return view.reshape(n, c * math.prod(kernel), blocks)  # the one copy

    @staticmethod
    def backward(ctx, g):
        return Fold.apply(g, ctx.size, *ctx.inputs[1:]), None, None, None, None


class Fold(Function):
    """(N, C prod(kernel), L) -> (N, C, *size): each column added back onto its window (the
    adjoint of unfold)."""

    @staticmethod
    def forward(ctx, cols, size, kernel, dilation, pads, stride):
        outs = tuple(out_size(m, k, s, d, *p)
                     for m, k, s, d, p in zip(size, kernel, stride, dilation, pads, strict=True))
        blocks = cols.array.reshape(cols.shape[0], cols.shape[1] // math.prod(kernel), *kernel,
                                    *outs)  # not -1: the batch may be empty
        return fold_windows(blocks.transpose(*range(1, blocks.ndim), 0), size, kernel,
                            dilation, pads, stride)

    @staticmethod
    def backward(ctx, g):
        return Unfold.apply(g, *ctx.inputs[2:]), None, None, None, None, None


# *** convolution: three ops, each one matrix product per group, whose backward passes are each
# other (the convolution's gradients are its adjoint in the input and its gradient in the
# weight); any number of spatial dims ***
class Geometry(NamedTuple):
    """A convolution's layout: the input's spatial size and the output's, and the window."""

    size: Sizes
    out: Sizes
    kernel: Sizes
    stride: Sizes
    dilation: Sizes
    pads: Pads
    groups: int


def _columns(x: np.ndarray, geo: Geometry) -> np.ndarray:
    """im2col for a GEMM: (groups, C / groups prod(kernel), L N), rows channel-major, the batch
    innermost in the columns, so that one matrix product per group applies every kernel to
    every window, and the copy reads contiguous runs of N values."""
    view = windows(x, geo.kernel, geo.dilation, geo.pads, geo.stride, batch_last=True)
    rows = x.shape[1] // geo.groups * math.prod(geo.kernel)  # not -1: N may be 0
    return view.reshape(geo.groups, rows, x.shape[0] * math.prod(geo.out))


def _per_group(g: np.ndarray, groups: int) -> np.ndarray:
    """(N, O, *out) -> (groups, O / groups, prod(out) N), the layout _columns' product has."""
    columns = g.shape[0] * math.prod(g.shape[2:])  # not -1: there may be no channels
    return g.transpose(*range(1, g.ndim), 0).reshape(groups, g.shape[1] // groups, columns)


class Conv(Function):
    """out = W columns(x) + b per group, returned as (N, O, *out)."""

    @staticmethod
    def forward(ctx, x, weight, bias, geo):
        ctx.save_for_backward(x, weight)
        ctx.columns = cols = _columns(x.array, geo)  # kept for the weight's gradient
        kernels = weight.array.reshape(geo.groups, weight.shape[0] // geo.groups, cols.shape[1])
        out = (kernels @ cols).reshape(weight.shape[0], cols.shape[2])  # sizes: O may be 0
        if bias is not None:
            out += bias.array[:, None]
        out = out.reshape(weight.shape[0], *geo.out, x.shape[0])
        return out.transpose(out.ndim - 1, *range(out.ndim - 1))

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        geo = ctx.inputs[3]
        return (ConvInputGrad.apply(g, weight, geo) if need_x else None,
                ConvWeightGrad.apply(x, g, geo, ctx.columns) if need_w else None,
                g.sum((0, *range(2, g.ndim))) if need_b else None, None)


class ConvInputGrad(Function):
    """fold(W^T g): the convolution's adjoint in its input (the gradient it sends back to x),
    which is also the transposed convolution."""

    @staticmethod
    def forward(ctx, g, weight, geo):
        ctx.save_for_backward(g, weight)
        kernels = weight.array.reshape(geo.groups, weight.shape[0] // geo.groups,
                                       math.prod(weight.shape[1:]))
        cols = kernels.transpose(0, 2, 1) @ _per_group(g.array, geo.groups)
        n = g.shape[0]
        blocks = cols.reshape(weight.shape[1] * geo.groups, *geo.kernel, *geo.out, n)
        return fold_windows(blocks, geo.size, geo.kernel, geo.dilation, geo.pads, geo.stride)

    @staticmethod
    def backward(ctx, gg):
        """<gg, fold(W^T g)> = <columns(gg), W^T g>: d/dg = conv(gg, W), d/dW = g columns^T."""
        g, weight = ctx.saved_tensors
        geo = ctx.inputs[2]
        need_g, need_w = ctx.needs_input_grad[:2]
        return (Conv.apply(gg, weight, None, geo) if need_g else None,
                ConvWeightGrad.apply(gg, g, geo, None) if need_w else None, None)


class ConvWeightGrad(Function):
    """g columns(x)^T per group, in the weight's shape: the convolution's gradient in its
    weight. columns, when given, is columns(x) already computed by the convolution's forward."""

    @staticmethod
    def forward(ctx, x, g, geo, columns=None):
        ctx.save_for_backward(x, g)
        cols = _columns(x.array, geo) if columns is None else columns
        grad = _per_group(g.array, geo.groups) @ cols.transpose(0, 2, 1)
        return grad.reshape(g.shape[1], x.shape[1] // geo.groups, *geo.kernel)

    @staticmethod
    def backward(ctx, gw):
        """<gw, g columns(x)^T>: d/dx = fold(gw^T g), d/dg = conv(x, gw)."""
        x, g = ctx.saved_tensors
        geo = ctx.inputs[2]
        need_x, need_g = ctx.needs_input_grad[:2]
        return (ConvInputGrad.apply(g, gw, geo) if need_x else None,
                Conv.apply(x, gw, None, geo) if need_g else None, None, None)


# *** functional API ***
def _symmetric(padding: Sequence[int]) -> Pads:
    return tuple((p, p) for p in padding)


_SHAPES = {1: "(N, C, L)", 2: "(N, C, H, W)", 3: "(N, C, D, H, W)"}  # for error messages


def _batched(x: Tensor, op: str, ranks: tuple[int, int], what: str) -> tuple[Tensor, bool]:
    """x with a batch dim (added when x is unbatched), and whether one was added."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(x).__name__}")
    if x.ndim not in ranks:
        raise ValueError(f"{op}: expected a {ranks[0]}-D (unbatched) or {ranks[1]}-D (batched) "
                         f"input of shape {what}, got shape {x.shape}")
    return (unsqueeze(x, 0), True) if x.ndim == ranks[0] else (x, False)


def unfold(input: Tensor, kernel_size: IntOrPair, dilation: IntOrPair = 1,
           padding: IntOrPair = 0, stride: IntOrPair = 1) -> Tensor:
    """Every sliding window of input (N, C, H, W) as a column: (N, C kh kw, L)."""
    x, unbatched = _batched(input, "unfold", (3, 4), _SHAPES[2])
    kernel = as_tuple(kernel_size, 2, "kernel_size", "unfold")
    dilation = as_tuple(dilation, 2, "dilation", "unfold")
    stride = as_tuple(stride, 2, "stride", "unfold")
    pads = _symmetric(as_tuple(padding, 2, "padding", "unfold", 0))
    output_shape("unfold", x.shape[2:], kernel, stride, dilation, pads)
    out = Unfold.apply(x, kernel, dilation, pads, stride)
    return reshape(out, *out.shape[1:]) if unbatched else out


def fold(input: Tensor, output_size: IntOrPair, kernel_size: IntOrPair, dilation: IntOrPair = 1,
         padding: IntOrPair = 0, stride: IntOrPair = 1) -> Tensor:
    """Sum columns (N, C kh kw, L) back into an image (N, C, H, W): the adjoint of unfold."""
    cols, unbatched = _batched(input, "fold", (2, 3), "(N, C kh kw, L)")
    size = as_tuple(output_size, 2, "output_size", "fold")
    kernel = as_tuple(kernel_size, 2, "kernel_size", "fold")
    dilation = as_tuple(dilation, 2, "dilation", "fold")
    stride = as_tuple(stride, 2, "stride", "fold")
    pads = _symmetric(as_tuple(padding, 2, "padding", "fold", 0))
    blocks = output_shape("fold", size, kernel, stride, dilation, pads)
    k = kernel[0] * kernel[1]
    if cols.shape[1] % k:
        raise ValueError(f"fold: input's dim 1 ({cols.shape[1]}) must be divisible by the "
                         f"kernel's size {kernel[0]} x {kernel[1]} = {k}")
    if cols.shape[2] != blocks[0] * blocks[1]:
        raise ValueError(f"fold: input has {cols.shape[2]} blocks but output_size {size} with "
                         f"this kernel, padding, stride and dilation makes {blocks[0]} x "
                         f"{blocks[1]} = {blocks[0] * blocks[1]}")
    out = Fold.apply(cols, size, kernel, dilation, pads, stride)
    return reshape(out, *out.shape[1:]) if unbatched else out


def _check_weight(op: str, x: Tensor, weight: Tensor, bias: Tensor | None, groups: int,
                  in_dim: int, rank: int) -> None:
    if weight.ndim != rank:
        raise ValueError(f"{op}: expected a {rank}-D weight, got shape {weight.shape}")
    if x.array.dtype == np.bool_:
        raise TypeError(f"{op}: not implemented for bool tensors (use .float())")
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    if weight.shape[0] == 0 or (in_dim == 0 and weight.shape[1] == 0):
        raise ValueError(f"{op}: weight of shape {weight.shape} has no channels (its dim "
                         f"{0 if weight.shape[0] == 0 else 1} is 0)")
    channels = x.shape[1]
    if in_dim == 1 and channels != weight.shape[1] * groups:
        raise ValueError(f"{op}: input has {channels} channels but weight of shape "
                         f"{weight.shape} with groups={groups} expects {weight.shape[1]} x "
                         f"{groups} = {weight.shape[1] * groups}")
    if in_dim == 0 and channels != weight.shape[0]:
        raise ValueError(f"{op}: input has {channels} channels but weight of shape "
                         f"{weight.shape} expects {weight.shape[0]}")
    if weight.shape[0] % groups:
        raise ValueError(f"{op}: weight's dim 0 ({weight.shape[0]}) is not divisible by "
                         f"groups={groups}")
    out_channels = weight.shape[1] * groups if in_dim == 0 else weight.shape[0]
    if bias is not None and bias.shape != (out_channels,):
        raise ValueError(f"{op}: bias must have shape ({out_channels},), got {bias.shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.dtype != x.dtype:
            raise TypeError(f"{op}: input ({x.dtype}) and {name} ({t.dtype}) must have the same "
                            "dtype; convert one with .to(dtype)")


def _conv_pads(op: str, padding: Any, kernel: Sizes, stride: Sizes, dilation: Sizes) -> Pads:
    """padding as ints, 'valid' (none) or 'same' (output size = input size, stride 1 only; an
    odd total puts the extra row or column at the end, as PyTorch does)."""
    if padding == "valid":
        return ((0, 0),) * len(kernel)
    if padding == "same":
        if stride != (1,) * len(kernel):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                             f"(stride={stride})")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
        return tuple((t // 2, t - t // 2) for t in totals)  # type: ignore[return-value]
    if isinstance(padding, str):
        raise ValueError(f"{op}: padding must be an int, a tuple, 'valid' or 'same', got "
                         f"{padding!r}")
    return _symmetric(as_tuple(padding, len(kernel), "padding", op, 0))


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrPair = 1,
           padding: IntOrPair | str = 0, dilation: IntOrPair = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation: out[n, o] = bias[o] + sum over c, i, j of
    weight[o, c, i, j] input[n, g c, p s + i d, q s + j d], computed as W @ unfold(input)."""
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrPair = 1,
           padding: IntOrPair | str = 0, dilation: IntOrPair = 1, groups: int = 1) -> Tensor:
    """3-D cross-correlation over (N, C, D, H, W), weight (O, C / groups, kd, kh, kw):
    conv2d's formula with one more spatial index, computed as W @ columns(input)."""
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _conv(_op: str, dims: int, input: Tensor, weight: Tensor, bias: Tensor | None,
          stride: IntOrPair, padding: IntOrPair | str, dilation: IntOrPair,
          groups: int) -> Tensor:
    """The convolution over dims spatial dims, its errors naming _op (conv1d runs through it
    with dims=2)."""
    x, unbatched = _batched(input, _op, (dims + 1, dims + 2), _SHAPES[dims])
    _check_weight(_op, x, weight, bias, groups, 1, dims + 2)
    kernel = weight.shape[2:]
    stride = as_tuple(stride, dims, "stride", _op)
    dilation = as_tuple(dilation, dims, "dilation", _op)
    pads = _conv_pads(_op, padding, kernel, stride, dilation)
    outs = output_shape(_op, x.shape[2:], kernel, stride, dilation, pads)
    out = Conv.apply(x, weight, bias, Geometry(x.shape[2:], outs, kernel, stride, dilation,
                                               pads, groups))
    return reshape(out, *out.shape[1:]) if unbatched else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int = 1,
           padding: int | str = 0, dilation: int = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation over (N, C, L): conv2d on (N, C, 1, L)."""
    x, unbatched = _batched(input, "conv1d", (2, 3), "(N, C, L)")
    if weight.ndim != 3:
        raise ValueError(f"conv1d: expected a 3-D weight, got shape {weight.shape}")
    padding = padding if isinstance(padding, str) else (0, *as_tuple(padding, 1, "padding",
                                                                     "conv1d", 0))
    out = _conv("conv1d", 2, unsqueeze(x, 2), unsqueeze(weight, 2), bias,
                (1, *as_tuple(stride, 1, "stride", "conv1d")), padding,
                (1, *as_tuple(dilation, 1, "dilation", "conv1d")), groups)
    out = reshape(out, out.shape[0], out.shape[1], out.shape[3])
    return reshape(out, *out.shape[1:]) if unbatched else out


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: IntOrPair = 1, padding: IntOrPair = 0,
                     output_padding: IntOrPair = 0, groups: int = 1,
                     dilation: IntOrPair = 1) -> Tensor:
    """The adjoint of conv2d with the same weight (C_in, C_out / groups, kh, kw): each input
    pixel spreads W^T x over a window of the output, fold(W^T @ x)."""
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: IntOrPair = 1, padding: IntOrPair = 0,
                     output_padding: IntOrPair = 0, groups: int = 1,
                     dilation: IntOrPair = 1) -> Tensor:
    """The adjoint of conv3d with the same weight (C_in, C_out / groups, kd, kh, kw) over
    (N, C, D, H, W): fold(W^T @ x), as conv_transpose2d."""
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


def _conv_transpose(op: str, dims: int, input: Tensor, weight: Tensor, bias: Tensor | None,
                    stride: IntOrPair, padding: IntOrPair, output_padding: IntOrPair,
                    groups: int, dilation: IntOrPair, shown: int | None = None) -> Tensor:
    """The transposed convolution over dims spatial dims, its errors naming op and showing the
    last `shown` spatial dims (conv_transpose1d runs through it with dims=2 and a unit
    height)."""
    shown = dims if shown is None else shown
    x, unbatched = _batched(input, op, (dims + 1, dims + 2), _SHAPES[dims])
    _check_weight(op, x, weight, bias, groups, 0, dims + 2)
    kernel = weight.shape[2:]
    stride = as_tuple(stride, dims, "stride", op)
    dilation = as_tuple(dilation, dims, "dilation", op)
    padding = as_tuple(padding, dims, "padding", op, 0)
    extra = as_tuple(output_padding, dims, "output_padding", op, 0)
    for e, s, d in zip(extra, stride, dilation, strict=True):
        if e >= max(s, d):
            raise ValueError(f"{op}: output_padding {extra[-shown:]} must be smaller than "
                             f"either stride {stride[-shown:]} or dilation {dilation[-shown:]}")
    spatial = tuple(x.shape[2:])
    size = tuple((m - 1) * s - 2 * p + d * (k - 1) + e + 1 for m, s, p, d, k, e in
                 zip(spatial, stride, padding, dilation, kernel, extra, strict=True))
    if min(size) < 1:
        raise ValueError(f"{op}: input of spatial size {spatial[-shown:]} with this kernel "
                         f"{kernel[-shown:]}, stride, padding and dilation gives an output of "
                         f"size {size[-shown:]}, below 1")
    # the output_padding rows and columns past the last window get no input: zeros, added last
    missing = tuple(max(e - p, 0) for e, p in zip(extra, padding, strict=True))
    folded = tuple(m - miss for m, miss in zip(size, missing, strict=True))
    pads = tuple((p, p - e + miss) for p, e, miss in zip(padding, extra, missing, strict=True))
    geo = Geometry(folded, spatial, kernel, stride, dilation, pads, groups)
    out = ConvInputGrad.apply(x, weight, geo)
    out_channels = weight.shape[1] * groups
    for axis, miss in enumerate(missing, 2):
        if miss:
            shape = list(out.shape)
            shape[axis] = miss
            out = cat([out, Tensor._make(np.zeros(shape, out.dtype))], axis)
    if bias is not None:
        out = out + reshape(bias, out_channels, *(1,) * dims)
    return reshape(out, *out.shape[1:]) if unbatched else out


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: int = 1, padding: int = 0, output_padding: int = 0,
                     groups: int = 1, dilation: int = 1) -> Tensor:
    """The adjoint of conv1d over (N, C, L) with weight (C_in, C_out / groups, k):
    conv_transpose2d on (N, C, 1, L)."""
    op = "conv_transpose1d"
    x, unbatched = _batched(input, op, (2, 3), "(N, C, L)")
    if weight.ndim != 3:
        raise ValueError(f"{op}: expected a 3-D weight, got shape {weight.shape}")
    out = _conv_transpose(op, 2, unsqueeze(x, 2), unsqueeze(weight, 2), bias,
                          (1, *as_tuple(stride, 1, "stride", op)),
                          (0, *as_tuple(padding, 1, "padding", op, 0)),
                          (0, *as_tuple(output_padding, 1, "output_padding", op, 0)), groups,
                          (1, *as_tuple(dilation, 1, "dilation", op)), shown=1)
    out = reshape(out, out.shape[0], out.shape[1], out.shape[3])
    return reshape(out, *out.shape[1:]) if unbatched else out
