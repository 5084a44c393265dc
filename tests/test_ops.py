"""Every differentiable op, from one table: gradient vs central differences (gradcheck), second
derivatives (gradgradcheck), and values, gradients and second derivatives vs PyTorch.

Each row names the minigrad call, the PyTorch call (`SAME` when the one lambda works on both
libraries' tensors) and a strategy drawing the op's numpy inputs; integer and boolean inputs,
and those listed in `const`, are passed as constants without gradient."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.creation import generator
from minigrad.testing import gradcheck, gradgradcheck
from minigrad.testing import strategies as S

SAME = "same"  # the reference is the minigrad lambda applied to torch tensors


@dataclass(frozen=True)
class Op:
    name: str
    fn: Callable[..., Any]
    ref: Callable[..., Any] | str | None  # ref(torch, *inputs), SAME, or None (no torch twin)
    inputs: st.SearchStrategy[tuple[np.ndarray, ...]]
    # False for a backward that can be differentiated only once: skips the second-order checks.
    # Kinked ops (relu, abs, max, ...) stay True: their inputs are drawn away from the kinks.
    smooth: bool = True
    const: tuple[int, ...] = ()
    numpy: Callable[..., np.ndarray] | None = None

    def __str__(self) -> str:
        return self.name


def one(shape: Any = None, elements: Any = None, unique: bool = False) -> st.SearchStrategy:
    return st.tuples(S.arrays(S.shapes(max_side=3) if shape is None else shape, elements,
                              unique))


def pair(a: Any = None, b: Any = None) -> st.SearchStrategy:
    return S.broadcastable_arrays(S.floats() if a is None else a, S.floats() if b is None else b)


matrix = S.shapes(2, 2, max_side=3)
at_least_2d = S.shapes(2, 3, max_side=3)
distinct = S.spaced(0.1, limit=40)  # unique=True: no ties, and a spread of at least 0.1
ties_apart = S.spaced(0.2, 0.0), S.spaced(0.2, 0.1)  # two grids that never meet


@st.composite
def rows(draw: st.DrawFn, min_rows: int = 1, min_cols: int = 2, elements: Any = None,
         unique: bool = False) -> np.ndarray:
    n, c = draw(st.integers(min_rows, 4)), draw(st.integers(min_cols, 4))
    return draw(S.arrays((n, c), elements, unique))


@st.composite
def logits_and_targets(draw: st.DrawFn, soft: bool) -> tuple[np.ndarray, np.ndarray]:
    logits = draw(rows())
    n, c = logits.shape
    return logits, draw(S.probabilities((n, c)) if soft else S.class_targets(n, c))


@st.composite
def probs_and_targets(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    shape = draw(S.shapes(1, 2, max_side=4))
    return draw(S.arrays(shape, S.floats(0.05, 0.95))), draw(S.arrays(shape, S.floats(0, 1)))


@st.composite
def same_shape(draw: st.DrawFn, count: int = 2) -> tuple[np.ndarray, ...]:
    shape = draw(S.shapes(1, 3, max_side=3))
    return tuple(draw(S.arrays(shape)) for _ in range(count))


@st.composite
def cat_inputs(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    n, m = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return tuple(draw(S.arrays((n, draw(st.integers(1, 3)), m))) for _ in range(3))


@st.composite
def linear_inputs(draw: st.DrawFn, bias: bool) -> tuple[np.ndarray, ...]:
    batch = draw(S.shapes(1, 2, max_side=3))
    fan_in, fan_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    arrays = [draw(S.arrays((*batch, fan_in))), draw(S.arrays((fan_out, fan_in)))]
    return tuple(arrays + [draw(S.arrays((fan_out,)))] if bias else arrays)


@st.composite
def norm_inputs(draw: st.DrawFn, shape: Any, channel_dims: tuple[int, ...],
                stats: bool = False) -> tuple[np.ndarray, ...]:
    """x with distinct values (variance well away from 0), weight and bias over channel_dims,
    and for batch norm's evaluation mode the running mean and variance."""
    x = draw(S.arrays(shape, distinct, unique=True))
    param = tuple(x.shape[d] for d in channel_dims)
    weight, bias = draw(S.arrays(param)), draw(S.arrays(param))
    if not stats:
        return x, weight, bias
    return x, weight, bias, draw(S.arrays(param)), draw(S.arrays(param, S.positive(0.2, 2)))


@st.composite
def getitem_inputs(draw: st.DrawFn) -> tuple[np.ndarray]:
    return (draw(S.arrays(S.shapes(2, 3, min_side=2, max_side=3))),)


def torch_standardize(t: Any, x: Any, w: Any, b: Any) -> Any:
    """standardize over dims (0, 2), written out with torch's primitive ops."""
    mean = x.mean((0, 2), keepdim=True)
    var = x.var((0, 2), keepdim=True, correction=0)
    return (x - mean) / (var + 1e-5).sqrt() * w.reshape(1, -1, 1) + b.reshape(1, -1, 1)


def dropout_seeded(x: mg.Tensor) -> mg.Tensor:
    """Dropout that draws the same mask on every call (the generator's state is put back), so
    central differences see one function."""
    bits = generator().bit_generator
    state = bits.state
    try:
        return F.dropout(x, 0.5)
    finally:
        bits.state = state


# *** op library strategies: indexing, shape, linear algebra, padding, losses, attention ***
def ints(shape: Any, low: int, high: int) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.int64, shape, elements=st.integers(low, high))


@st.composite
def along_inputs(draw: st.DrawFn, src: bool = False, unique: bool = False,
                 apart: bool = False, grid: bool = False) -> tuple[np.ndarray, ...]:
    """(x, index, dim[, src]) for gather / scatter: index no larger than x outside dim, values
    in [0, size) (repeats allowed unless unique: then a permutation's prefix per line). src
    has index's shape (PyTorch's backward fails for a larger one); apart draws x and src from
    grids that never meet, so amax and amin never tie; grid draws both from a grid that holds 0
    (prod's zero factors) but no subnormal numbers (torch's prod gradient flushes those)."""
    values = ties_apart if apart else (S.spaced(),) * 2 if grid else (S.floats(), S.floats())
    x = draw(S.arrays(S.shapes(1, 3, max_side=3), values[0], unique=apart))
    d = draw(st.integers(0, x.ndim - 1))
    shape = [draw(st.integers(1, n)) for n in x.shape]
    if unique:
        shape[d] = draw(st.integers(0, x.shape[d]))
        keys = draw(S.arrays((*shape[:d], x.shape[d], *shape[d + 1:]), distinct, unique=True))
        index = np.argsort(keys, axis=d, kind="stable").take(range(shape[d]), axis=d)
    else:
        shape[d] = draw(st.integers(0, 4))
        index = draw(ints(tuple(shape), 0, x.shape[d] - 1))
    out = (x, index.astype(np.int64), np.array(d))
    if src:
        out += (draw(S.arrays(index.shape, values[1], unique=apart)),)
    return out


@st.composite
def take_inputs(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    """(x, indices, dim) for take_along_dim: indices broadcast against x outside dim, and may
    be negative."""
    x = draw(S.arrays(S.shapes(1, 3, max_side=3)))
    d = draw(st.integers(0, x.ndim - 1))
    shape = [draw(st.sampled_from([n, 1])) for n in x.shape]
    shape[d] = draw(st.integers(0, 4))
    return x, draw(ints(tuple(shape), -x.shape[d], x.shape[d] - 1)), np.array(d)


@st.composite
def dim_index_inputs(draw: st.DrawFn, source: bool = False) -> tuple[np.ndarray, ...]:
    """(x, 1-D index with repeats, dim[, source]) for index_select / index_add."""
    x = draw(S.arrays(S.shapes(1, 3, max_side=3)))
    d = draw(st.integers(0, x.ndim - 1))
    index = draw(ints((draw(st.integers(0, 4)),), 0, x.shape[d] - 1))
    out = (x, index, np.array(d))
    if source:
        out += (draw(S.arrays(x.shape[:d] + index.shape + x.shape[d + 1:])),)
    return out


@st.composite
def with_dim(draw: st.DrawFn, min_dims: int = 1, max_side: int = 3, min_side: int = 1
             ) -> tuple[np.ndarray, np.ndarray]:
    x = draw(S.arrays(S.shapes(min_dims, 3, min_side=min_side, max_side=max_side)))
    return x, np.array(draw(st.integers(-x.ndim, x.ndim - 1)))


@st.composite
def masked_inputs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    x = draw(S.arrays(S.shapes(0, 3, max_side=3)))
    mask_shape = draw(st.sampled_from([x.shape, x.shape[1:], ()]))
    return x, draw(hnp.arrays(np.bool_, mask_shape))


@st.composite
def einsum_inputs(draw: st.DrawFn, equation: str) -> tuple[np.ndarray, ...]:
    """Operands for equation, one size per letter, 1 or 2 dims for '...'."""
    sizes = {c: draw(st.integers(1, 3)) for c in set(equation) if c.isalpha()}
    batch = tuple(draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 2))))
    lhs = equation.split("->")[0].split(",")
    return tuple(draw(S.arrays(batch * ("..." in letters)
                               + tuple(sizes[c] for c in letters.replace("...", ""))))
                 for letters in lhs)


@st.composite
def matrices(draw: st.DrawFn, *shapes: str, elements: Any = None) -> tuple[np.ndarray, ...]:
    """Arrays whose shapes are given by letters, e.g. 'nk', 'km': one size per letter."""
    sizes = {c: draw(st.integers(1, 3)) for c in "".join(shapes)}
    return tuple(draw(S.arrays(tuple(sizes[c] for c in s), elements)) for s in shapes)


@st.composite
def nll_inputs(draw: st.DrawFn, kdim: bool = False, ignore: bool = False,
               weight: bool = False, soft: bool = False) -> tuple[np.ndarray, ...]:
    """(input (N, C[, d1, d2]), target[, weight]); with ignore, some targets are -100 (never
    all of them, so 'mean' stays finite)."""
    n, c = draw(st.integers(1, 3)), draw(st.integers(2, 4))
    extra = tuple(draw(st.integers(1, 2)) for _ in range(draw(st.integers(1, 2)))) if kdim else ()
    x = draw(S.arrays((n, c, *extra)))
    if soft:
        target = draw(S.probabilities((n, c, *extra), dim=1))
    else:
        target = draw(ints((n, *extra), 0, c - 1))
        if ignore:
            drop = draw(hnp.arrays(np.bool_, target.shape))
            drop.flat[0] = False
            target = np.where(drop, -100, target)
    out = (x, target)
    return out + (draw(S.arrays((c,), S.floats(0.2, 2))),) if weight else out


def sdpa_inputs(heads: int = 2, kv_heads: int = 2) -> st.SearchStrategy:
    @st.composite
    def draw_them(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
        b, lq, lk = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
        e = draw(st.integers(1, 3))
        q = draw(S.arrays((b, heads, lq, e)))
        k, v = draw(S.arrays((b, kv_heads, lk, e))), draw(S.arrays((b, kv_heads, lk, e)))
        mask = draw(hnp.arrays(np.bool_, (lq, lk)))
        return q, k, v, mask
    return draw_them()


def torch_sdpa(t: Any, *args: Any, **kwargs: Any) -> Any:
    """PyTorch's attention on its math backend, whose backward can be differentiated again."""
    from torch.nn.attention import SDPBackend, sdpa_kernel
    with sdpa_kernel(SDPBackend.MATH):
        return t.nn.functional.scaled_dot_product_attention(*args, **kwargs)


def pair_apart() -> st.SearchStrategy:
    """Two equally shaped arrays on grids that never meet: |a - b| is never 0 or 1."""
    return S.shapes(1, 3, max_side=3).flatmap(
        lambda shape: st.tuples(S.arrays(shape, ties_apart[0]), S.arrays(shape, ties_apart[1])))


def signs(shape: Any) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0]))


# *** op library: math, activations, reductions, sorting ***
def F_(name: str, **kwargs: Any) -> Callable[..., Any]:
    """torch.nn.functional.name(x, **kwargs), as a reference."""
    return lambda t, *xs: getattr(t.nn.functional, name)(*xs, **kwargs)


def lib_F(name: str, **kwargs: Any) -> Callable[..., Any]:
    return lambda *xs: getattr(F, name)(*xs, **kwargs)


off_grid = S.spaced(1.0, 0.33)  # k + 0.33: away from integers and halves (rounding's jumps)
with_zeros = st.one_of(st.just(0.0), S.away_from([0], 0.1, -2, 2))
# distinct powers of two: sums over different elements never tie (the matrix norms' max)
powers_of_two = st.integers(-3, 6).map(lambda k: 2.0**k)
# distinct powers of two: sums over different elements never tie (the matrix norms' max)
powers_of_two = st.integers(-3, 6).map(lambda k: 2.0**k)
apart = S.spaced(0.2, 0.0), S.spaced(0.2, 0.07), S.spaced(0.2, 0.13)  # three grids, never tied


@st.composite
def quotients(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) with a / b at least 0.2 from an integer: remainder and floor division jump there."""
    shape_a, shape_b = draw(S.broadcastable_shapes(2))
    b = draw(S.arrays(shape_b, S.away_from([0], 0.5)))
    q = draw(S.arrays(np.broadcast_shapes(shape_a, shape_b), S.spaced(1.0, 0.3)))
    fraction = draw(S.arrays(q.shape, S.floats(0, 0.4)))
    a = (q + fraction) * b
    return a, b


def bounds(*elements: Any) -> st.SearchStrategy[tuple[np.ndarray, ...]]:
    """x and clamp bounds that broadcast to x's shape (torch's backward needs that)."""
    return S.broadcastable_arrays(*elements).map(lambda arrays: (
        np.broadcast_to(arrays[0], np.broadcast_shapes(*[a.shape for a in arrays])).copy(),
        *arrays[1:]))


@st.composite
def prelu_inputs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    x = draw(S.arrays(S.shapes(2, 3, max_side=3), S.away_from([0])))
    channels = draw(st.sampled_from([1, x.shape[1]]))
    return x, draw(S.arrays((channels,)))


@st.composite
def even_last(draw: st.DrawFn) -> tuple[np.ndarray]:
    shape = draw(S.shapes(1, 3, max_side=3))
    return (draw(S.arrays(shape[:-1] + (2 * shape[-1],))),)


def unary(name: str, elements: Any = None, smooth: bool = True, numpy: Any = None) -> Op:
    """A row for the Tensor method `name`, which torch has too."""
    return Op(name, lambda x: getattr(x, name)(), SAME, one(elements=elements), smooth,
              numpy=numpy)


distinct_2d = one(at_least_2d, distinct, unique=True)
LIBRARY_OPS = [
    # elementwise math
    unary("sin", numpy=np.sin), unary("cos", numpy=np.cos),
    unary("tan", S.floats(-1.3, 1.3), numpy=np.tan),
    unary("asin", S.floats(-0.9, 0.9), numpy=np.arcsin),
    unary("acos", S.floats(-0.9, 0.9), numpy=np.arccos),
    unary("atan", numpy=np.arctan), unary("sinh", numpy=np.sinh), unary("cosh", numpy=np.cosh),
    unary("asinh", numpy=np.arcsinh), unary("acosh", S.floats(1.1, 3), numpy=np.arccosh),
    unary("atanh", S.floats(-0.9, 0.9), numpy=np.arctanh), unary("exp2", numpy=np.exp2),
    unary("expm1", numpy=np.expm1), unary("log2", S.positive(), numpy=np.log2),
    unary("log10", S.positive(), numpy=np.log10), unary("log1p", S.floats(-0.9, 3),
                                                        numpy=np.log1p),
    unary("rsqrt", S.positive()), unary("square", numpy=np.square),
    unary("reciprocal", S.away_from([0], 0.3), numpy=np.reciprocal),
    unary("erf", S.floats(-6, 6)), unary("erfc", S.floats(-6, 27)),
    # piecewise constant: zero gradient (smooth=False: the gradient is a constant zero)
    unary("floor", off_grid, False, np.floor), unary("ceil", off_grid, False, np.ceil),
    unary("trunc", off_grid, False, np.trunc), unary("frac", off_grid),
    unary("sign", S.away_from([0]), False, np.sign), unary("round", off_grid, False, np.round),
    Op("round_decimals", lambda x: x.round(decimals=1), SAME, one(elements=off_grid), False),
    Op("round_decimals_negative", lambda x: (x * 100).round(decimals=-1), SAME,
       one(elements=S.floats(-3, 3).map(lambda v: np.floor(v * 10) / 10 + 0.033)), False),
    Op("atan2", lambda a, b: a.atan2(b), SAME, pair(S.away_from([0]), S.away_from([0])),
       numpy=np.arctan2),
    Op("hypot", lambda a, b: a.hypot(b), SAME, pair(S.away_from([0]), S.away_from([0])),
       numpy=np.hypot),
    Op("logaddexp", lambda a, b: a.logaddexp(b), SAME, pair(S.floats(-30, 30)),
       numpy=np.logaddexp),
    Op("copysign", lambda a, b: a.copysign(b), SAME, pair(S.away_from([0]), S.away_from([0])),
       numpy=np.copysign),
    Op("lerp", lambda a, b, w: a.lerp(b, w), SAME,
       S.broadcastable_arrays(S.floats(), S.floats(), S.floats(-1, 2))),
    Op("lerp_scalar_weight", lambda a, b: a.lerp(b, 0.75), SAME, pair()),
    Op("remainder", lambda a, b: a % b, SAME, quotients(), numpy=np.remainder),
    Op("remainder_scalar", lambda a: a.remainder(-1.5), SAME, one(elements=off_grid)),
    Op("fmod", lambda a, b: a.fmod(b), SAME, quotients(), numpy=np.fmod),
    Op("floor_divide", lambda a, b: a // b, lambda t, a, b: t.div(a, b, rounding_mode="floor"),
       quotients(), False, numpy=np.floor_divide),
    Op("div_trunc", lambda a, b: a.div(b, rounding_mode="trunc"), SAME, quotients(), False),
    Op("clamp_tensor", lambda x, lo, hi: x.clamp(lo, hi), SAME, bounds(*apart)),
    Op("clamp_tensor_min", lambda x, lo: x.clamp(min=lo), SAME, bounds(*apart[:2])),
    Op("clamp_tensor_max", lambda x, hi: mg.clamp(x, max=hi), lambda t, x, hi: t.clamp(x, max=hi),
       bounds(*apart[:2])),
    # activations
    Op("gelu", F.gelu, F_("gelu"), one(elements=S.floats(-6, 6))),
    Op("gelu_tanh", lib_F("gelu", approximate="tanh"), F_("gelu", approximate="tanh"), one()),
    Op("silu", F.silu, F_("silu"), one()),
    Op("elu", lib_F("elu", alpha=0.7), F_("elu", alpha=0.7), one(elements=S.away_from([0]))),
    Op("selu", F.selu, F_("selu"), one(elements=S.away_from([0]))),
    Op("celu", lib_F("celu", alpha=0.5), F_("celu", alpha=0.5),
       one(elements=S.away_from([0]))),
    Op("softplus", F.softplus, F_("softplus"),  # away from the switch to x at threshold 20
       one(elements=S.away_from([20.0], min_value=-30, max_value=30))),
    Op("softplus_beta_threshold", lib_F("softplus", beta=2, threshold=3),
       F_("softplus", beta=2, threshold=3), one(elements=S.away_from([1.5]))),
    Op("mish", F.mish, F_("mish"), one()),
    Op("hardswish", F.hardswish, F_("hardswish"), one(elements=S.away_from([-3, 3], 0.1, -5, 5))),
    Op("hardsigmoid", F.hardsigmoid, F_("hardsigmoid"),  # torch has no second derivative
       one(elements=S.away_from([-3, 3], 0.1, -5, 5)), smooth=False),
    Op("relu6", F.relu6, F_("relu6"), one(elements=S.away_from([0, 6], 0.1, -3, 8))),
    Op("hardtanh", lib_F("hardtanh", min_val=-0.5, max_val=2.0),
       F_("hardtanh", min_val=-0.5, max_val=2.0), one(elements=S.away_from([-0.5, 2]))),
    Op("softsign", F.softsign, F_("softsign"), one(elements=S.away_from([0]))),
    Op("logsigmoid", F.logsigmoid, F_("logsigmoid"), one(elements=S.floats(-40, 40))),
    Op("glu", F.glu, F_("glu"), even_last()),
    Op("glu_dim0", lib_F("glu", dim=0), F_("glu", dim=0),
       one(S.shapes(1, 3, max_side=2).map(lambda s: (2 * s[0],) + s[1:]))),
    Op("prelu", F.prelu, F_("prelu"), prelu_inputs()),
    Op("softmin", lib_F("softmin", dim=-1), F_("softmin", dim=-1), one(S.shapes(1, 3))),
    Op("threshold", lib_F("threshold", threshold=0.5, value=-2.0),
       F_("threshold", threshold=0.5, value=-2.0), one(elements=S.away_from([0.5]))),
    # reductions
    Op("prod", lambda x: x.prod(), SAME, one(elements=with_zeros), numpy=np.prod),
    Op("prod_dim_keepdim", lambda x: x.prod(1, keepdim=True), SAME,
       one(at_least_2d, with_zeros)),
    Op("prod_axis", lambda x: x.prod(axis=-1), lambda t, x: x.prod(-1),
       one(at_least_2d, S.away_from([0], 0.1))),
    Op("amax", lambda x: x.amax(), SAME, one(elements=distinct, unique=True), numpy=np.max),
    Op("amax_dims_keepdim", lambda x: x.amax((0, -1), keepdim=True), SAME, distinct_2d),
    Op("amin", lambda x: x.amin(0), SAME, distinct_2d),
    Op("aminmax", lambda x: x.aminmax(dim=1), SAME, distinct_2d),
    Op("aminmax_all", lambda x: x.aminmax(), SAME, distinct_2d),
    Op("var_mean", lambda x: mg.ops.var_mean(x, 1), lambda t, x: t.var_mean(x, 1),
       st.tuples(rows())),
    Op("std_mean", lambda x: mg.ops.std_mean(x, (0, 1), keepdim=True, correction=0),
       lambda t, x: t.std_mean(x, (0, 1), keepdim=True, correction=0),
       st.tuples(rows(1, 2, distinct, True))),
    Op("vector_norm", lambda x: mg.linalg.vector_norm(x), lambda t, x: t.linalg.vector_norm(x),
       one(elements=S.away_from([0]))),
    *[Op(f"vector_norm_{name}", lambda x, o=o: mg.linalg.vector_norm(x, o, dim=-1),
         lambda t, x, o=o: t.linalg.vector_norm(x, o, dim=-1),
         one(at_least_2d, S.away_from([0]) if o != np.inf else distinct, o == np.inf),
         smooth=o not in (1, np.inf, 0))
      for name, o in [("1", 1), ("3", 3), ("inf", np.inf), ("0", 0), ("half", 0.5)]],
    Op("vector_norm_zero_vector", lambda x: mg.linalg.vector_norm(x * 0, dim=1),
       lambda t, x: t.linalg.vector_norm(x * 0, dim=1), one(at_least_2d), smooth=False),
    Op("matrix_norm_fro", lambda x: mg.linalg.matrix_norm(x), lambda t, x: t.linalg.matrix_norm(x),
       one(at_least_2d, S.away_from([0]))),
    *[Op(f"matrix_norm_{name}", lambda x, o=o: mg.linalg.matrix_norm(x, o),
         lambda t, x, o=o: t.linalg.matrix_norm(x, o), one(at_least_2d, powers_of_two, True))
      for name, o in [("1", 1), ("inf", np.inf), ("minus_1", -1), ("minus_inf", -np.inf)]],
    Op("linalg_norm", lambda x: mg.linalg.norm(x), lambda t, x: t.linalg.norm(x),
       one(elements=S.away_from([0]))),
    Op("linalg_norm_dim", lambda x: mg.linalg.norm(x, 3, dim=0, keepdim=True),
       lambda t, x: t.linalg.norm(x, 3, dim=0, keepdim=True), one(at_least_2d,
                                                                   S.away_from([0]))),
    Op("norm", lambda x: x.norm(), SAME, one(elements=S.away_from([0]))),
    Op("norm_p_dim", lambda x: x.norm(1, dim=(0, 1)), SAME, one(at_least_2d, S.away_from([0]))),
    # cumulative
    Op("cumsum", lambda x: x.cumsum(0), SAME, one(S.shapes(1, 3)),
       numpy=lambda x: np.cumsum(x, 0)),
    Op("cumsum_last", lambda x: x.cumsum(-1), SAME, one(at_least_2d)),
    Op("cumprod", lambda x: x.cumprod(-1), SAME, one(elements=with_zeros)),
    Op("cumprod_dim0", lambda x: x.cumprod(0), SAME, one(at_least_2d, with_zeros)),
    Op("cummax", lambda x: x.cummax(-1), SAME, one(elements=distinct, unique=True)),
    Op("cummin", lambda x: x.cummin(0), SAME, distinct_2d),
    Op("logcumsumexp", lambda x: x.logcumsumexp(-1), SAME, one(elements=S.floats(-40, 40))),
    Op("logcumsumexp_dim0", lambda x: x.logcumsumexp(0), SAME, one(at_least_2d)),
    # sorting
    Op("sort", lambda x: x.sort(), SAME, one(elements=distinct, unique=True)),
    Op("sort_descending", lambda x: x.sort(0, descending=True), SAME, distinct_2d),
    Op("topk", lambda x: x.topk(min(2, x.shape[-1])), SAME,
       one(S.shapes(1, 3), distinct, unique=True)),
    Op("topk_smallest", lambda x: x.topk(1, 0, largest=False), SAME, distinct_2d),
    Op("kthvalue", lambda x: x.kthvalue(x.shape[1], 1, keepdim=True), SAME, distinct_2d),
]


@st.composite
def image_inputs(draw: st.DrawFn, weight: tuple | None = None, rank: int = 4,
                 elements: Any = None, unique: bool = False,
                 sides: tuple[int, int] = (3, 4)) -> tuple[np.ndarray, ...]:
    """A small image batch (N, 2, H, W) (or (N, 2, L) for rank 3), and a weight of the given
    shape when there is one (convolutions)."""
    spatial = tuple(draw(st.integers(*sides)) for _ in range(rank - 2))
    x = draw(S.arrays((draw(st.integers(1, 2)), 2, *spatial), elements, unique))
    return (x,) if weight is None else (x, draw(S.arrays(weight)))


# at most 2 x 2 x 3^3 = 108 distinct values, from a grid of 401 (`distinct` has 81)
volume_unique = image_inputs(rank=5, elements=S.spaced(0.1, limit=200), unique=True,
                             sides=(2, 3))


@st.composite
def unpool_inputs(draw: st.DrawFn, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """x (N, 2, *spatial) and, as a max pool with kernel 2 and stride 2 would return them,
    the flat index of one position in each 2 x ... x 2 window of the (2 spatial) output."""
    spatial = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    x = draw(S.arrays((draw(st.integers(1, 2)), 2, *spatial)))
    offsets = draw(hnp.arrays(np.int64, (dims, *x.shape), elements=st.integers(0, 1)))
    index = np.zeros(x.shape, np.int64)
    for axis, n in enumerate(spatial):
        cells = np.arange(n).reshape((-1,) + (1,) * (dims - 1 - axis))
        index = index * 2 * n + 2 * cells + offsets[axis]
    return x, index


OPS = [
    # *** binary ops, broadcasting ***
    Op("add", lambda a, b: a + b, SAME, pair(), numpy=np.add),
    Op("sub", lambda a, b: a - b, SAME, pair(), numpy=np.subtract),
    Op("mul", lambda a, b: a * b, SAME, pair(), numpy=np.multiply),
    Op("div", lambda a, b: a / b, SAME, pair(None, S.away_from([0], 0.5)), numpy=np.divide),
    # exponents avoid 0, where torch masks the base's gradient with where(b == 0, 0, ...) and so
    # loses the mixed second derivative d2(a^b)/da db = 1/a there
    Op("pow", lambda a, b: a**b, SAME, pair(S.positive(0.5, 2), S.away_from([0], 0.1, -2, 2)),
       numpy=np.power),
    Op("maximum", lambda a, b: a.maximum(b), SAME, pair(*ties_apart), numpy=np.maximum),
    Op("minimum", lambda a, b: a.minimum(b), SAME, pair(*ties_apart), numpy=np.minimum),
    Op("where", mg.where, lambda t, c, a, b: t.where(c, a, b),
       S.broadcastable_arrays(st.booleans(), S.floats(), S.floats()).map(
           lambda arrays: (arrays[0].astype(bool), *arrays[1:]))),
    Op("scalar_ops", lambda x: (2.5 * x - 1) / 4 + 3, SAME, one()),
    Op("rsub_rdiv", lambda x: 1 - 2 / x, SAME, one(elements=S.away_from([0], 0.5))),
    Op("pow_int", lambda x: x**3, SAME, one()),
    Op("pow_fraction", lambda x: x**-1.5, SAME, one(elements=S.positive())),
    Op("rpow", lambda x: 2.0**x, SAME, one()),
    # *** unary ops ***
    Op("neg", lambda x: -x, SAME, one(), numpy=np.negative),
    Op("exp", lambda x: x.exp(), SAME, one(), numpy=np.exp),
    Op("log", lambda x: x.log(), SAME, one(elements=S.positive()), numpy=np.log),
    Op("sqrt", lambda x: x.sqrt(), SAME, one(elements=S.positive()), numpy=np.sqrt),
    Op("abs", lambda x: x.abs(), SAME, one(elements=S.away_from([0])), numpy=np.abs),
    Op("sigmoid", lambda x: x.sigmoid(), SAME, one(), numpy=lambda x: 1 / (1 + np.exp(-x))),
    Op("tanh", lambda x: x.tanh(), SAME, one(), numpy=np.tanh),
    Op("relu", lambda x: x.relu(), SAME, one(elements=S.away_from([0])),
       numpy=lambda x: np.maximum(x, 0)),
    Op("leaky_relu", lambda x: F.leaky_relu(x, 0.1),
       lambda t, x: t.nn.functional.leaky_relu(x, 0.1), one(elements=S.away_from([0]))),
    Op("clamp", lambda x: x.clamp(-1, 0.5), SAME, one(elements=S.away_from([-1, 0.5])),
       numpy=lambda x: np.clip(x, -1, 0.5)),
    Op("clamp_min", lambda x: x.clamp(min=0.5), SAME, one(elements=S.away_from([0.5]))),
    Op("clamp_max", lambda x: x.clamp(max=-0.5), SAME, one(elements=S.away_from([-0.5]))),
    # *** reductions ***
    Op("sum", lambda x: x.sum(), SAME, one(), numpy=np.sum),
    Op("sum_dim", lambda x: x.sum(1), SAME, one(at_least_2d), numpy=lambda x: x.sum(1)),
    Op("sum_dims_keepdim", lambda x: x.sum((0, -1), keepdim=True), SAME, one(at_least_2d)),
    Op("mean", lambda x: x.mean(), SAME, one(), numpy=np.mean),
    Op("mean_dim_keepdim", lambda x: x.mean(-1, keepdim=True), SAME, one(at_least_2d)),
    Op("mean_dims", lambda x: x.mean((0, 1)), SAME, one(at_least_2d)),
    Op("max", lambda x: x.max(), SAME, one(elements=distinct, unique=True), numpy=np.max),
    Op("max_dim", lambda x: x.max(1), SAME, one(at_least_2d, distinct, unique=True)),
    Op("max_dim_keepdim", lambda x: x.max(-1, keepdim=True), SAME,
       one(at_least_2d, distinct, unique=True)),
    Op("min", lambda x: x.min(), SAME, one(elements=distinct, unique=True), numpy=np.min),
    Op("min_dim", lambda x: x.min(0), SAME, one(at_least_2d, distinct, unique=True)),
    Op("var", lambda x: x.var(), SAME, one(S.shapes(1, 3, min_side=2, max_side=3)),
       numpy=lambda x: x.var(ddof=1)),
    Op("var_dim_biased", lambda x: x.var(1, unbiased=False), SAME, one(at_least_2d),
       numpy=lambda x: x.var(1)),
    Op("var_correction_keepdim", lambda x: x.var(-1, keepdim=True, correction=2), SAME,
       st.tuples(rows(min_cols=3))),
    Op("var_dims", lambda x: x.var((0, 1)), SAME, st.tuples(rows(min_rows=2))),
    Op("std", lambda x: x.std(), SAME, one(elements=distinct, unique=True).filter(
        lambda xs: xs[0].size > 1)),
    Op("std_dim", lambda x: x.std(1, correction=0), SAME, st.tuples(rows(1, 2, distinct, True))),
    Op("logsumexp", lambda x: x.logsumexp(1), SAME, one(at_least_2d)),
    Op("logsumexp_dims_keepdim", lambda x: x.logsumexp((0, -1), keepdim=True), SAME,
       one(at_least_2d)),
    # *** linear algebra ***
    Op("matmul", lambda a, b: a @ b, SAME, S.matmul_arrays(), numpy=np.matmul),
    Op("linear", mg.ops.linear, lambda t, *a: t.nn.functional.linear(*a), linear_inputs(True)),
    Op("linear_no_bias", F.linear, lambda t, *a: t.nn.functional.linear(*a),
       linear_inputs(False)),
    # *** shape ops ***
    Op("reshape", lambda x: x.reshape(x.shape[1], x.shape[0]), SAME, one(matrix)),
    Op("reshape_flat", lambda x: x.reshape(-1), SAME, one()),
    Op("flatten", lambda x: x.flatten(1), SAME, one(S.shapes(3, 3, max_side=3))),
    Op("flatten_range", lambda x: x.flatten(0, 1), SAME, one(S.shapes(3, 3, max_side=3))),
    Op("transpose", lambda x: x.transpose(0, 2), SAME, one(S.shapes(3, 3, max_side=3))),
    Op("mT", lambda x: x.mT, SAME, one(at_least_2d)),
    Op("permute", lambda x: x.permute(2, 0, 1), SAME, one(S.shapes(3, 3, max_side=3))),
    Op("squeeze", lambda x: x.squeeze(), SAME, one(S.shapes(1, 3, max_side=2))),
    Op("squeeze_dim", lambda x: x.unsqueeze(1).squeeze(1), SAME, one(matrix)),
    Op("unsqueeze", lambda x: x.unsqueeze(-1), SAME, one()),
    Op("expand", lambda x: x.expand(2, x.shape[0], 3), SAME,
       one(S.shapes(1, 1, max_side=3).map(lambda s: (s[0], 1)))),
    Op("getitem_slices", lambda x: x[1:, ::2], SAME, getitem_inputs()),
    Op("getitem_ellipsis_none", lambda x: x[None, ..., -1], SAME, getitem_inputs()),
    Op("getitem_int", lambda x: x[1, 0], SAME, getitem_inputs()),
    Op("getitem_repeated", lambda x: x[[0, 1, 0, 0]], SAME, getitem_inputs()),
    Op("getitem_pairs", lambda x: x[[1, 0, 1], [0, 1, 1]], SAME, getitem_inputs()),
    Op("getitem_mixed", lambda x: x[:, [1, 1, 0]], SAME, getitem_inputs()),
    Op("cat", lambda a, b, c: mg.cat([a, b, c], 1), lambda t, *a: t.cat(a, 1), cat_inputs()),
    Op("stack", lambda a, b, c: mg.stack([a, b, c]), lambda t, *a: t.stack(a),
       same_shape(3)),
    Op("stack_last", lambda a, b: mg.stack([a, b], -1), lambda t, *a: t.stack(a, -1),
       same_shape(2)),
    # *** neural-network ops ***
    Op("softmax", lambda x: x.softmax(-1), SAME, one(S.shapes(1, 3, max_side=3))),
    Op("softmax_dim0", lambda x: mg.softmax(x, 0), lambda t, x: t.softmax(x, 0), one(matrix)),
    Op("log_softmax", lambda x: x.log_softmax(-1), SAME, one(S.shapes(1, 3, max_side=3))),
    Op("log_softmax_dim0", lambda x: mg.log_softmax(x, 0), lambda t, x: t.log_softmax(x, 0),
       one(matrix)),
    *[Op(f"cross_entropy_{kind}_{r}", lambda x, y, r=r: F.cross_entropy(x, y, reduction=r),
         lambda t, x, y, r=r: t.nn.functional.cross_entropy(x, y, reduction=r),
         logits_and_targets(kind == "probs"))
      for kind in ("index", "probs") for r in ("mean", "sum", "none")],
    *[Op(f"binary_cross_entropy_{r}",
         lambda a, y, r=r: F.binary_cross_entropy(a, y, reduction=r),
         lambda t, a, y, r=r: t.nn.functional.binary_cross_entropy(a, y, reduction=r),
         probs_and_targets()) for r in ("mean", "sum", "none")],
    *[Op(f"mse_loss_{r}", lambda a, y, r=r: F.mse_loss(a, y, reduction=r),
         lambda t, a, y, r=r: t.nn.functional.mse_loss(a, y, reduction=r), same_shape(2))
      for r in ("mean", "sum", "none")],
    Op("layer_norm", lambda x, w, b: F.layer_norm(x, x.shape[-1], w, b),
       lambda t, x, w, b: t.nn.functional.layer_norm(x, x.shape[-1:], w, b),
       norm_inputs(S.shapes(2, 3, min_side=2, max_side=3), (-1,))),
    Op("layer_norm_2d_no_affine", lambda x: F.layer_norm(x, x.shape[-2:]),
       lambda t, x: t.nn.functional.layer_norm(x, x.shape[-2:]),
       one(S.shapes(3, 3, min_side=2, max_side=3), distinct, unique=True)),
    Op("batch_norm_train", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
       lambda t, x, w, b: t.nn.functional.batch_norm(x, None, None, w, b, training=True),
       norm_inputs(S.shapes(2, 3, min_side=2, max_side=3), (1,))),
    Op("batch_norm_eval",
       lambda x, w, b, m, v: F.batch_norm(x, m, v, w, b, training=False),
       lambda t, x, w, b, m, v: t.nn.functional.batch_norm(x, m, v, w, b, training=False),
       norm_inputs(S.shapes(2, 3, max_side=3), (1,), stats=True), const=(3, 4)),
    Op("standardize", lambda x, w, b: mg.ops.standardize(x, (0, 2), w.reshape(1, -1, 1),
                                                         b.reshape(1, -1, 1)),
       torch_standardize, norm_inputs(S.shapes(3, 3, min_side=2, max_side=3), (1,))),
    Op("dropout", dropout_seeded, None, one()),
    # *** convolution and pooling (ops/conv.py, ops/pool.py) ***
    Op("conv2d", lambda x, w: F.conv2d(x, w, stride=(1, 2), padding=1, groups=2),
       lambda t, x, w: t.nn.functional.conv2d(x, w, stride=(1, 2), padding=1, groups=2),
       image_inputs((4, 1, 2, 2))),
    Op("conv1d", lambda x, w: F.conv1d(x, w, padding="same", dilation=2),
       lambda t, x, w: t.nn.functional.conv1d(x, w, padding="same", dilation=2),
       image_inputs((3, 2, 2), rank=3)),
    Op("conv_transpose2d", lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1,
                                                           output_padding=1),
       lambda t, x, w: t.nn.functional.conv_transpose2d(x, w, stride=2, padding=1,
                                                        output_padding=1),
       image_inputs((2, 3, 2, 2))),
    Op("conv_transpose1d", lambda x, w: F.conv_transpose1d(x, w, stride=2, padding=1,
                                                           output_padding=1, groups=2),
       lambda t, x, w: t.nn.functional.conv_transpose1d(x, w, stride=2, padding=1,
                                                        output_padding=1, groups=2),
       image_inputs((2, 2, 3), rank=3)),
    Op("unfold_im2col", lambda x: F.unfold(x, 2, padding=1, stride=2),
       lambda t, x: t.nn.functional.unfold(x, 2, padding=1, stride=2), image_inputs()),
    Op("fold_col2im", lambda x: F.fold(x, (3, 4), 2, padding=1), lambda t, x: t.nn.functional.fold(
        x, (3, 4), 2, padding=1), one(st.integers(1, 2).map(lambda n: (n, 8, 20)))),
    Op("max_pool2d", lambda x: F.max_pool2d(x, 2, 1, padding=1, ceil_mode=True),
       lambda t, x: t.nn.functional.max_pool2d(x, 2, 1, padding=1, ceil_mode=True),
       image_inputs(elements=distinct, unique=True)),
    Op("max_pool1d", lambda x: F.max_pool1d(x, 3, 2, padding=1, dilation=1),
       lambda t, x: t.nn.functional.max_pool1d(x, 3, 2, padding=1, dilation=1),
       image_inputs(rank=3, elements=distinct, unique=True)),
    Op("adaptive_max_pool2d", lambda x: F.adaptive_max_pool2d(x, 2),
       lambda t, x: t.nn.functional.adaptive_max_pool2d(x, 2),
       image_inputs(elements=distinct, unique=True)),
    Op("avg_pool2d", lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
       lambda t, x: t.nn.functional.avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                               count_include_pad=False), image_inputs()),
    Op("avg_pool1d", lambda x: F.avg_pool1d(x, 2, 1, padding=1),
       lambda t, x: t.nn.functional.avg_pool1d(x, 2, 1, padding=1), image_inputs(rank=3)),
    Op("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
       lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, (2, 3)), image_inputs()),
    Op("interpolate_nearest", lambda x: F.interpolate(x, scale_factor=1.5),
       lambda t, x: t.nn.functional.interpolate(x, scale_factor=1.5), image_inputs()),
    Op("interpolate_bilinear", lambda x: F.interpolate(x, size=(5, 2), mode="bilinear"),
       lambda t, x: t.nn.functional.interpolate(x, size=(5, 2), mode="bilinear"),
       image_inputs()),
    # *** volumes and unpooling (conv3d branch: ops/conv.py, ops/pool.py) ***
    Op("conv3d", lambda x, w: F.conv3d(x, w, stride=(1, 2, 1), padding=(1, 0, 1), groups=2),
       lambda t, x, w: t.nn.functional.conv3d(x, w, stride=(1, 2, 1), padding=(1, 0, 1),
                                              groups=2),
       image_inputs((2, 1, 2, 1, 2), rank=5)),
    Op("conv_transpose3d", lambda x, w: F.conv_transpose3d(x, w, stride=2, padding=(1, 0, 0),
                                                           output_padding=(1, 0, 1)),
       lambda t, x, w: t.nn.functional.conv_transpose3d(x, w, stride=2, padding=(1, 0, 0),
                                                        output_padding=(1, 0, 1)),
       image_inputs((2, 1, 2, 1, 2), rank=5)),
    Op("max_pool3d", lambda x: F.max_pool3d(x, 2, (1, 2, 2), padding=1, ceil_mode=True),
       lambda t, x: t.nn.functional.max_pool3d(x, 2, (1, 2, 2), padding=1, ceil_mode=True),
       volume_unique),
    Op("adaptive_max_pool3d", lambda x: F.adaptive_max_pool3d(x, (2, 1, 3)),
       lambda t, x: t.nn.functional.adaptive_max_pool3d(x, (2, 1, 3)), volume_unique),
    Op("avg_pool3d", lambda x: F.avg_pool3d(x, (3, 2, 2), 2, (1, 0, 1), ceil_mode=True,
                                            count_include_pad=False),
       lambda t, x: t.nn.functional.avg_pool3d(x, (3, 2, 2), 2, (1, 0, 1), ceil_mode=True,
                                               count_include_pad=False), image_inputs(rank=5)),
    Op("adaptive_avg_pool3d", lambda x: F.adaptive_avg_pool3d(x, (2, 3, 1)),
       lambda t, x: t.nn.functional.adaptive_avg_pool3d(x, (2, 3, 1)), image_inputs(rank=5)),
    Op("adaptive_max_pool1d", lambda x: F.adaptive_max_pool1d(x, 2),
       lambda t, x: t.nn.functional.adaptive_max_pool1d(x, 2),
       image_inputs(rank=3, elements=distinct, unique=True)),
    Op("interpolate_trilinear", lambda x: F.interpolate(x, size=(2, 5, 3), mode="trilinear"),
       lambda t, x: t.nn.functional.interpolate(x, size=(2, 5, 3), mode="trilinear"),
       image_inputs(rank=5)),
    Op("lp_pool3d", lambda x: F.lp_pool3d(x, 2, (2, 1, 2), 1),
       lambda t, x: t.nn.functional.lp_pool3d(x, 2, (2, 1, 2), 1),
       image_inputs(rank=5, elements=S.positive(0.5, 2))),
    Op("batch_norm_3d", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
       lambda t, x, w, b: t.nn.functional.batch_norm(x, None, None, w, b, training=True),
       norm_inputs(st.tuples(st.integers(2, 3), st.just(2), st.integers(1, 2), st.just(2),
                             st.integers(1, 2)), (1,))),
    *(Op(f"max_unpool{d}d", lambda x, i, d=d: getattr(F, f"max_unpool{d}d")(x, i, 2),
         lambda t, x, i, d=d: getattr(t.nn.functional, f"max_unpool{d}d")(x, i, 2),
         unpool_inputs(d)) for d in (1, 2, 3)),
    # *** op library: indexing, shape, linear algebra, padding, losses, attention ***
    Op("getitem_int_slice_array", lambda x: x[0, :, [1, 0, 1]], SAME,
       one(S.shapes(3, 3, min_side=2, max_side=3))),
    Op("getitem_bool_mask", lambda x, m: x[m], SAME, one().flatmap(
        lambda xs: st.tuples(st.just(xs[0]), hnp.arrays(np.bool_, xs[0].shape)))),
    Op("getitem_int_bool_slice", lambda x, m: x[1, m, 1:], SAME,
       one(S.shapes(3, 3, min_side=2, max_side=3)).flatmap(
           lambda xs: st.tuples(st.just(xs[0]), hnp.arrays(np.bool_, xs[0].shape[1:2])))),
    Op("getitem_array_slice_array", lambda x: x[[1, 0], :, [0, 0]], SAME,
       one(S.shapes(3, 3, min_side=2, max_side=3))),
    Op("getitem_negative_array", lambda x: x[..., [-1, 0, -1]], SAME, one(at_least_2d)),
    Op("gather", lambda x, i, d: x.gather(int(d), i), SAME, along_inputs()),
    Op("scatter_add", lambda x, i, d, s: x.scatter_add(int(d), i, s), SAME,
       along_inputs(src=True)),
    Op("scatter", lambda x, i, d, s: x.scatter(int(d), i, s), SAME,
       along_inputs(src=True, unique=True)),
    Op("scatter_value", lambda x, i, d: x.scatter(int(d), i, value=1.5), SAME,
       along_inputs(unique=True)),
    *[Op(f"scatter_reduce_{r}_{'self' if inc else 'noself'}",
         lambda x, i, d, s, r=r, inc=inc: x.scatter_reduce(int(d), i, s, r, include_self=inc),
         SAME, along_inputs(src=True, apart=r in ("amax", "amin"), grid=r == "prod"),
         smooth=r != "prod")
      for r in ("sum", "mean", "prod", "amax", "amin") for inc in (True, False)],
    Op("index_select", lambda x, i, d: x.index_select(int(d), i), SAME, dim_index_inputs()),
    Op("index_add", lambda x, i, d, s: x.index_add(int(d), i, s, alpha=2.0), SAME,
       dim_index_inputs(source=True)),
    Op("masked_fill", lambda x, m: x.masked_fill(m, -2.0), SAME, masked_inputs()),
    Op("masked_select", lambda x, m: x.masked_select(m), SAME, masked_inputs()),
    Op("take_along_dim", lambda x, i, d: x.take_along_dim(i, int(d)), SAME, take_inputs()),
    Op("take_along_dim_flat", lambda x: x.take_along_dim(mg.tensor([0, x.numel() - 1, 0])),
       lambda t, x: x.take_along_dim(t.tensor([0, x.numel() - 1, 0])), one()),
    Op("repeat", lambda x: x.repeat(2, *[1 + k % 2 for k in range(x.ndim)]), SAME, one()),
    Op("tile", lambda x: x.tile((2,)), SAME, one()),
    Op("split", lambda x, d: x.split(2, int(d)), SAME, with_dim()),
    Op("split_sections", lambda x: x.split([1, x.shape[0] - 1]), SAME, one(at_least_2d)),
    Op("chunk", lambda x, d: x.chunk(2, int(d)), SAME, with_dim()),
    Op("unbind", lambda x, d: x.unbind(int(d)), SAME, with_dim()),
    Op("flip", lambda x: x.flip(0, -1), SAME, one(at_least_2d)),
    Op("roll", lambda x, d: x.roll(2, int(d)), SAME, with_dim()),
    Op("roll_flat", lambda x: x.roll(-1), SAME, one()),
    Op("roll_dims", lambda x: x.roll((1, -2), (0, 1)), SAME, one(at_least_2d)),
    Op("tril", lambda x: x.tril(), SAME, one(at_least_2d)),
    Op("triu", lambda x: x.triu(1), SAME, one(at_least_2d)),
    Op("unflatten", lambda x: x.unflatten(0, (1, -1)), SAME, one(S.shapes(1, 3, max_side=3))),
    Op("diag_vector", lambda x: x.diag(1), SAME, one(S.shapes(1, 1))),
    Op("diag_matrix", lambda x: x.diag(-1), SAME, one(matrix)),
    Op("diagonal", lambda x: x.diagonal(1, 0, -1), SAME, one(S.shapes(2, 3, max_side=3))),
    Op("diag_embed", lambda x: x.diag_embed(-1, -1, 0), SAME, one(S.shapes(1, 2, max_side=3))),
    Op("repeat_interleave", lambda x, d: x.repeat_interleave(2, int(d)), SAME, with_dim()),
    Op("repeat_interleave_counts",
       lambda x: x.repeat_interleave(mg.tensor(np.arange(x.shape[0]) % 3), 0),
       lambda t, x: x.repeat_interleave(t.tensor(np.arange(x.shape[0]) % 3), 0),
       one(at_least_2d)),
    *[Op(f"meshgrid_{ix}", lambda a, b, ix=ix: mg.ops.meshgrid(a, b, indexing=ix),
         lambda t, a, b, ix=ix: t.meshgrid(a, b, indexing=ix),
         st.tuples(S.arrays(S.shapes(1, 1)), S.arrays(S.shapes(1, 1)))) for ix in ("ij", "xy")],
    Op("movedim", lambda x: x.movedim((0, 1), (2, 0)), SAME, one(S.shapes(3, 3, max_side=3))),
    Op("swapaxes", lambda x: x.swapaxes(0, -1), SAME, one(at_least_2d)),
    Op("swapdims", lambda x: x.swapdims(-2, 0), SAME, one(at_least_2d)),
    Op("narrow", lambda x: x.narrow(-1, 1, 1), SAME, one(S.shapes(1, 3, min_side=2,
                                                                 max_side=3))),
    Op("unfold", lambda x: x.unfold(-1, 2, 1), SAME, one(S.shapes(1, 3, min_side=2,
                                                                 max_side=4))),
    Op("unfold_step", lambda x: x.unfold(0, 1, 2), SAME, one(S.shapes(1, 3, max_side=4))),
    *[Op(f"einsum_{name}", lambda *a, eq=eq: mg.ops.einsum(eq, *a),
         lambda t, *a, eq=eq: t.einsum(eq, *a), einsum_inputs(eq))
      for name, eq in (("matmul", "ij,jk->ik"), ("trace", "ii->"), ("diagonal", "ii->i"),
                       ("batched", "...ij,...jk->...ik"), ("implicit", "ij,kj"),
                       ("outer_sum", "i,j->"), ("three", "ij,jk,k->i"),
                       ("repeated_pair", "iij,j->ij"))],
    Op("mm", lambda a, b: a.mm(b), SAME, matrices("nk", "km")),
    Op("bmm", lambda a, b: a.bmm(b), SAME, matrices("bnk", "bkm")),
    Op("mv", lambda a, b: a.mv(b), SAME, matrices("nk", "k")),
    Op("dot", lambda a, b: a.dot(b), SAME, matrices("k", "k")),
    Op("outer", lambda a, b: a.outer(b), SAME, matrices("n", "m")),
    Op("addmm", lambda c, a, b: c.addmm(a, b, beta=0.5, alpha=-2.0), SAME,
       matrices("m", "nk", "km")),
    Op("tensordot", lambda a, b: mg.ops.tensordot(a, b, ([0, 2], [1, 0])),
       lambda t, a, b: t.tensordot(a, b, ([0, 2], [1, 0])), matrices("ijk", "kil")),
    Op("tensordot_int", lambda a, b: mg.ops.tensordot(a, b, 1),
       lambda t, a, b: t.tensordot(a, b, 1), matrices("ij", "jk")),
    *[Op(f"pad_{mode}", lambda x, mode=mode: F.pad(x, (2, 1, 0, 1), mode),
         lambda t, x, mode=mode: t.nn.functional.pad(x, (2, 1, 0, 1), mode),
         one(S.shapes(3, 4, min_side=3, max_side=3)))
      for mode in ("constant", "reflect", "replicate", "circular")],
    Op("pad_constant_crop", lambda x: F.pad(x, (-1, 2), value=0.5),
       lambda t, x: t.nn.functional.pad(x, (-1, 2), value=0.5),
       one(S.shapes(1, 3, min_side=2, max_side=3))),
    Op("pad_reflect_1d", lambda x: F.pad(x, (2, 2), "reflect"),
       lambda t, x: t.nn.functional.pad(x, (2, 2), "reflect"),
       one(S.shapes(2, 3, min_side=3, max_side=4))),
    *[Op(f"nll_loss_{name}_{r}",
         lambda x, *a, r=r: F.nll_loss(x, *a[:1], *a[1:], reduction=r, ignore_index=-100),
         lambda t, x, *a, r=r: t.nn.functional.nll_loss(x, *a[:1], *a[1:], reduction=r),
         strategy, const=(2,))
      for name, strategy, reductions in (
          ("plain", nll_inputs(), ("mean",)),
          ("weighted_ignore", nll_inputs(ignore=True, weight=True), ("mean", "sum", "none")),
          ("kdim", nll_inputs(kdim=True, ignore=True), ("mean", "none")))
      for r in reductions],
    *[Op(f"cross_entropy_{name}_{r}",
         lambda x, *a, r=r, kw=kw: F.cross_entropy(x, *a, reduction=r, **kw),
         lambda t, x, *a, r=r, kw=kw: t.nn.functional.cross_entropy(x, *a, reduction=r, **kw),
         strategy, const=(2,))
      for name, strategy, kw, reductions in (
          ("weighted_ignore", nll_inputs(ignore=True, weight=True), {}, ("mean", "none")),
          ("kdim_smoothing", nll_inputs(kdim=True, ignore=True, weight=True),
           {"label_smoothing": 0.2}, ("mean", "sum", "none")),
          ("smoothing", nll_inputs(), {"label_smoothing": 0.3}, ("mean", "sum")),
          ("soft_kdim_smoothing", nll_inputs(kdim=True, soft=True, weight=True),
           {"label_smoothing": 0.1}, ("mean", "none")))
      for r in reductions],
    Op("cross_entropy_unbatched", lambda x: F.cross_entropy(x, mg.tensor(1)),
       lambda t, x: t.nn.functional.cross_entropy(x, t.tensor(1)), one((3,))),
    *[Op(f"binary_cross_entropy_weight_{r}",
         lambda a, y, w, r=r: F.binary_cross_entropy(a, y, w, reduction=r),
         lambda t, a, y, w, r=r: t.nn.functional.binary_cross_entropy(a, y, w, reduction=r),
         probs_and_targets().flatmap(lambda ay: st.tuples(
             st.just(ay[0]), st.just(ay[1]), S.arrays(ay[0].shape[-1:], S.floats(0, 2)))),
         const=(2,)) for r in ("mean", "none")],
    *[Op(f"binary_cross_entropy_with_logits_{r}",
         lambda x, y, w, p, r=r: F.binary_cross_entropy_with_logits(x, y, w, reduction=r,
                                                                    pos_weight=p),
         lambda t, x, y, w, p, r=r: t.nn.functional.binary_cross_entropy_with_logits(
             x, y, w, reduction=r, pos_weight=p),
         same_shape(2).flatmap(lambda xy: st.tuples(
             st.just(xy[0]), st.just(xy[1]), S.arrays(xy[0].shape, S.floats(0, 2)),
             S.arrays(xy[0].shape[-1:], S.floats(0.1, 3)))), const=(2, 3))
      for r in ("mean", "none")],
    Op("binary_cross_entropy_with_logits_plain",
       lambda x, y: F.binary_cross_entropy_with_logits(x, y),
       lambda t, x, y: t.nn.functional.binary_cross_entropy_with_logits(x, y), same_shape(2)),
    *[Op(f"{name}_{r}", lambda a, b, r=r, fn=fn, kw=kw: getattr(F, fn)(a, b, reduction=r, **kw),
         lambda t, a, b, r=r, fn=fn, kw=kw: getattr(t.nn.functional, fn)(a, b, reduction=r, **kw),
         pair_apart())
      for name, fn, kw, r in (("l1_loss", "l1_loss", {}, "mean"),
                              ("l1_loss", "l1_loss", {}, "none"),
                              ("smooth_l1_loss", "smooth_l1_loss", {}, "mean"),
                              ("smooth_l1_loss_beta", "smooth_l1_loss", {"beta": 0.6}, "sum"),
                              ("huber_loss", "huber_loss", {}, "none"),
                              ("huber_loss_delta", "huber_loss", {"delta": 0.6}, "mean"))],
    *[Op(f"kl_div_{r}{'_log_target' if lt else ''}",
         lambda x, y, r=r, lt=lt: F.kl_div(x, y, reduction=r, log_target=lt),
         lambda t, x, y, r=r, lt=lt: t.nn.functional.kl_div(x, y, reduction=r, log_target=lt),
         same_shape(2) if lt else probs_and_targets().map(
             lambda ay: (np.log(ay[0]), ay[1] * 0.9 + 0.05)))
      for r, lt in (("mean", False), ("batchmean", False), ("none", True), ("sum", True))],
    Op("kl_div_zero_target", lambda x, y: F.kl_div(x, y, reduction="sum"),
       lambda t, x, y: t.nn.functional.kl_div(x, y, reduction="sum"),
       same_shape(2).map(lambda xy: (xy[0], np.maximum(xy[1], 0))), const=(1,)),
    Op("cosine_similarity", lambda a, b: F.cosine_similarity(a, b, dim=-1),
       lambda t, a, b: t.nn.functional.cosine_similarity(a, b, dim=-1),
       pair(S.away_from([0], 0.3), S.away_from([0], 0.3))),
    *[Op(f"cosine_embedding_loss_{r}",
         lambda a, b, y, r=r: F.cosine_embedding_loss(a, b, y, 0.1, reduction=r),
         lambda t, a, b, y, r=r: t.nn.functional.cosine_embedding_loss(a, b, y, 0.1,
                                                                        reduction=r),
         matrices("nd", "nd", "n", elements=S.away_from([0], 0.3)).map(
             lambda a: (a[0], a[1], np.sign(a[2]))),
         const=(2,)) for r in ("mean", "none")],
    *[Op(f"margin_ranking_loss_{r}",
         lambda a, b, y, r=r: F.margin_ranking_loss(a, b, y, reduction=r),
         lambda t, a, b, y, r=r: t.nn.functional.margin_ranking_loss(a, b, y, reduction=r),
         pair_apart().flatmap(lambda ab: st.tuples(st.just(ab[0]), st.just(ab[1]),
                                                   signs(ab[0].shape))), const=(2,))
      for r in ("mean", "none")],
    *[Op(f"normalize_p{p}", lambda x, p=p: F.normalize(x, p, dim=-1),
         lambda t, x, p=p: t.nn.functional.normalize(x, p, dim=-1),
         one(at_least_2d, S.away_from([0], 0.2))) for p in (1, 2, 3)],
    Op("normalize_default", F.normalize, lambda t, x: t.nn.functional.normalize(x),
       one(at_least_2d, S.away_from([0], 0.2))),
    Op("scaled_dot_product_attention", F.scaled_dot_product_attention,
       torch_sdpa,
       sdpa_inputs().map(lambda a: a[:3])),
    Op("scaled_dot_product_attention_bool_mask",
       lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m),
       torch_sdpa,
       sdpa_inputs()),
    Op("scaled_dot_product_attention_float_mask",
       lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m, scale=0.3),
       lambda t, q, k, v, m: torch_sdpa(t, q, k, v, m, scale=0.3),
       sdpa_inputs().map(lambda a: (*a[:3], np.where(a[3], 0.5, -np.inf))), const=(3,)),
    Op("scaled_dot_product_attention_causal_gqa",
       lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                                      enable_gqa=True),
       lambda t, q, k, v: torch_sdpa(t, q, k, v, is_causal=True, enable_gqa=True),
       sdpa_inputs(4, 2).map(lambda a: a[:3])),
    *LIBRARY_OPS,
]


# *** tmethods: PyTorch's other Tensor methods and torch functions ***
@st.composite
def conditioned(draw: st.DrawFn, square: bool = True, positive_definite: bool = False,
                rhs: str | None = None) -> tuple[np.ndarray, ...]:
    """A (batch of) matrix 2I + noise, far from singular: square, or (m, n); A A^T + I when
    positive_definite; with rhs a right-hand side matrix or vector for solve."""
    batch = draw(st.sampled_from([(), (2,)]))
    n = draw(st.integers(1, 3))
    m = n if square else draw(st.integers(1, 3))
    a = draw(S.arrays((*batch, m, n), S.floats(-0.5, 0.5))) + 2 * np.eye(m, n)
    if positive_definite:
        a = a @ np.swapaxes(a, -1, -2) + np.eye(n)
    if rhs is None:
        return (a,)
    return a, draw(S.arrays((*batch, n, draw(st.integers(1, 2))) if rhs == "matrix"
                            else (*batch, n)))


def pair_rows() -> st.SearchStrategy:
    """(x1, x2) of shapes (P, M) and (R, M), on grids that never meet (no zero distances)."""
    return matrices("pm", "rm").flatmap(lambda a: st.tuples(
        S.arrays(a[0].shape, ties_apart[0]), S.arrays(a[1].shape, ties_apart[1])))


def distinct_index(arrays: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """(x, index, dim, source) with the repeats dropped from index (and source's slices)."""
    x, index, d, source = arrays
    keep = np.sort(np.unique(index, return_index=True)[1])
    return x, index[keep], d, np.take(source, keep, axis=int(d))

TMETHODS_OPS = [
    Op("rot90", lambda x: x.rot90(), SAME, one(at_least_2d)),
    Op("rot90_k3_dims", lambda x: x.rot90(3, (-1, 0)), SAME, one(at_least_2d)),
    Op("fliplr", lambda x: x.fliplr(), SAME, one(at_least_2d)),
    Op("flipud", lambda x: x.flipud(), SAME, one(S.shapes(1, 3, max_side=3))),
    Op("tensor_split", lambda x, d: x.tensor_split(2, int(d)), SAME, with_dim()),
    Op("tensor_split_indices", lambda x, d: x.tensor_split([1, -1], dim=int(d)), SAME,
       with_dim()),
    Op("split_with_sizes", lambda x: x.split_with_sizes([1, x.shape[0] - 1]), SAME,
       one(S.shapes(1, 3, min_side=2, max_side=3))),
    Op("hsplit", lambda x: x.hsplit([1]), SAME, one(at_least_2d)),
    Op("vsplit", lambda x: x.vsplit([1]), SAME, one(at_least_2d)),
    Op("dsplit", lambda x: x.dsplit([1]), SAME, one(S.shapes(3, 3, max_side=3))),
    Op("select", lambda x, d: x.select(int(d), -1), SAME, with_dim()),
    # products
    Op("addcmul", lambda a, b, c: a.addcmul(b, c, value=0.5), SAME,
       S.broadcastable_arrays(S.floats(), S.floats(), S.floats())),
    Op("addcdiv", lambda a, b, c: a.addcdiv(b, c, value=-2), SAME,
       S.broadcastable_arrays(S.floats(), S.floats(), S.away_from([0], 0.3))),
    Op("addmv", lambda c, a, b: c.addmv(a, b, beta=0.5, alpha=2), SAME,
       matrices("n", "nk", "k")),
    Op("addr", lambda c, a, b: c.addr(a, b, alpha=-1), SAME, matrices("nm", "n", "m")),
    Op("baddbmm", lambda c, a, b: c.baddbmm(a, b, beta=2), SAME,
       matrices("bnm", "bnk", "bkm")),
    Op("addbmm", lambda c, a, b: c.addbmm(a, b, beta=0), SAME, matrices("nm", "bnk", "bkm")),
    Op("inner", lambda a, b: a.inner(b), SAME, matrices("nk", "mk")),
    Op("inner_vectors", lambda a, b: a.inner(b), SAME, matrices("k", "k")),
    Op("vdot", lambda a, b: a.vdot(b), SAME, matrices("k", "k")),
    Op("kron", lambda a, b: a.kron(b), SAME, matrices("ab", "cd")),
    Op("kron_mixed_dims", lambda a, b: a.kron(b), SAME, matrices("a", "bcd")),
    Op("trace", lambda x: x.trace(), SAME, one(matrix)),
    Op("cross", lambda a, b: a.cross(b, 1), SAME, st.tuples(S.arrays((2, 3)), S.arrays((2, 3)))),
    Op("cross_broadcast", lambda a, b: mg.linalg.cross(a, b),
       lambda t, a, b: t.linalg.cross(a, b), st.tuples(S.arrays((2, 3)), S.arrays((1, 3)))),
    Op("cross_dim0", lambda a, b: mg.linalg.cross(a, b, dim=0),
       lambda t, a, b: t.linalg.cross(a, b, dim=0),
       st.tuples(S.arrays((3, 2)), S.arrays((3, 2)))),
    # matrix functions, of well conditioned matrices (2I + noise)
    Op("det", lambda x: x.det(), SAME, conditioned()),
    Op("slogdet", lambda x: x.slogdet(), SAME, conditioned()),
    Op("logdet", lambda x: x.logdet(), SAME, conditioned(positive_definite=True)),
    Op("inverse", lambda x: x.inverse(), SAME, conditioned()),
    Op("linalg_inv", mg.linalg.inv, lambda t, x: t.linalg.inv(x), conditioned()),
    Op("pinverse", lambda x: x.pinverse(), SAME, conditioned(square=False)),
    Op("linalg_pinv", mg.linalg.pinv, lambda t, x: t.linalg.pinv(x), conditioned(square=False)),
    Op("matrix_power", lambda x: x.matrix_power(3), SAME, conditioned()),
    Op("matrix_power_negative", lambda x: x.matrix_power(-2), SAME, conditioned()),
    Op("linalg_solve", mg.linalg.solve, lambda t, a, b: t.linalg.solve(a, b),
       conditioned(rhs="matrix")),
    Op("linalg_solve_vector", mg.linalg.solve, lambda t, a, b: t.linalg.solve(a, b),
       conditioned(rhs="vector")),
    Op("linalg_solve_right", lambda a, b: mg.linalg.solve(a, b.mT, left=False),
       lambda t, a, b: t.linalg.solve(a, b.mT, left=False), conditioned(rhs="matrix")),
    Op("linalg_det", mg.linalg.det, lambda t, x: t.linalg.det(x), conditioned()),
    # elementwise
    Op("xlogy", lambda a, b: a.xlogy(b), SAME, pair(with_zeros, S.positive())),
    Op("sinc", lambda x: x.sinc(), SAME, one(elements=S.away_from([0]))),
    Op("erfinv", lambda x: x.erfinv(), SAME, one(elements=S.floats(-0.95, 0.95))),
    Op("logit", lambda x: x.logit(), SAME, one(elements=S.floats(0.05, 0.95))),
    Op("logit_eps", lambda x: x.logit(0.2), SAME,
       one(elements=S.away_from([0.2, 0.8], 0.05, 0.01, 0.99))),
    Op("logaddexp2", lambda a, b: a.logaddexp2(b), SAME, pair()),
    Op("float_power", lambda a, b: a.float_power(b), SAME,
       pair(S.positive(), S.away_from([0]))),
    Op("deg2rad", lambda x: x.deg2rad(), SAME, one()),
    Op("rad2deg", lambda x: x.rad2deg(), SAME, one()),
    # exponents >= 0: torch's gradient for negative ones is 0 (it takes 2^e in integers)
    Op("ldexp", lambda x, e: x.ldexp(e), SAME,
       one().flatmap(lambda a: st.tuples(st.just(a[0]), ints(a[0].shape, 0, 3)))),
    Op("nan_to_num", lambda x: x.nan_to_num(posinf=5.0), SAME, one()),  # nan: test_tensor_methods
    # statistics
    Op("nansum", lambda x: x.nansum(-1), SAME, one(at_least_2d)),
    Op("nanmean", lambda x: x.nanmean(), SAME, one()),
    Op("median", lambda x: x.median(), SAME, one(elements=distinct, unique=True)),
    Op("median_dim", lambda x: x.median(1, keepdim=True), SAME, distinct_2d),
    Op("nanmedian", lambda x: x.nanmedian(0), SAME, distinct_2d),
    Op("mode", lambda x: x.mode(0), SAME, distinct_2d),
    Op("quantile", lambda x: x.quantile(0.3, dim=1), SAME, distinct_2d),
    Op("quantile_all_lower", lambda x: x.quantile(0.6, interpolation="midpoint"), SAME,
       distinct_2d),
    Op("quantile_q_tensor",
       lambda x: x.quantile(mg.tensor([0.25, 0.9], dtype=mg.float64), 0, keepdim=True),
       lambda t, x: x.quantile(t.tensor([0.25, 0.9], dtype=t.float64), 0, keepdim=True),
       distinct_2d),
    Op("nanquantile", lambda x: x.nanquantile(0.7, dim=-1), SAME, distinct_2d),
    Op("diff", lambda x: x.diff(), SAME, one(S.shapes(1, 3))),
    Op("diff_n2_prepend", lambda x, p: x.diff(2, 0, prepend=p), SAME,
       one(at_least_2d).flatmap(lambda a: st.tuples(st.just(a[0]),
                                                     S.arrays((1, *a[0].shape[1:]))))),
    Op("dist", lambda a, b: a.dist(b), SAME, pair_apart()),
    Op("dist_p3", lambda a, b: a.dist(b, 3), SAME, pair_apart()),
    Op("cov", lambda x: x.cov(), SAME, one(S.shapes(2, 2, min_side=2, max_side=3))),
    Op("cov_vector", lambda x: x.cov(correction=0), SAME, one(S.shapes(1, 1, min_side=2))),
    Op("cov_weights", lambda x, a: mg.cov(x, correction=0, aweights=a),
       lambda t, x, a: t.cov(x, correction=0, aweights=a),
       one(S.shapes(2, 2, min_side=2, max_side=3)).flatmap(
           lambda a: st.tuples(st.just(a[0]), S.arrays((a[0].shape[1],), S.positive())))),
    Op("corrcoef", lambda x: x.corrcoef(), SAME,
       one(S.shapes(2, 2, min_side=2, max_side=4), distinct, unique=True)),
    # maxnorm 1.2345, off the round values hypothesis favours: a row of norm maxnorm is a kink
    Op("renorm", lambda x: x.renorm(2, 0, 1.2345), SAME, one(at_least_2d, S.away_from([0], 0.3))),
    # writes into a copy
    Op("index_fill", lambda x, i, d: x.index_fill(int(d), i, -1.5), SAME, dim_index_inputs()),
    Op("index_copy", lambda x, i, d, s: x.index_copy(int(d), i, s), SAME,
       dim_index_inputs(source=True).map(distinct_index)),
    Op("masked_scatter", lambda x, m, s: x.masked_scatter(m, s), SAME,
       masked_inputs().flatmap(lambda a: st.tuples(st.just(a[0]), st.just(a[1]),
                                                   S.arrays(a[0].shape)))),
    Op("index_put", lambda x, v: x.index_put((mg.tensor([0, -1]),), v),
       lambda t, x, v: x.index_put((t.tensor([0, -1]),), v),
       one(S.shapes(2, 3, min_side=2, max_side=3)).flatmap(lambda a: st.tuples(st.just(a[0]),
                                                     S.arrays(a[0].shape[1:])))),
    Op("index_put_accumulate",
       lambda x, v: x.index_put((mg.tensor([1, 0, 1]), mg.tensor([0, 0, 0])), v, True),
       lambda t, x, v: x.index_put((t.tensor([1, 0, 1]), t.tensor([0, 0, 0])), v, True),
       one(S.shapes(2, 3, min_side=2, max_side=3)).flatmap(
           lambda a: st.tuples(st.just(a[0]), S.arrays((3, *a[0].shape[2:]))))),
    Op("take", lambda x: x.take(mg.tensor([[0, -1], [0, 0]])),
       lambda t, x: x.take(t.tensor([[0, -1], [0, 0]])), one()),
    Op("fmax", lambda a, b: a.fmax(b), SAME, pair(*ties_apart)),
    Op("fmin", lambda a, b: a.fmin(b), SAME, pair(*ties_apart)),
    Op("msort", lambda x: x.msort(), SAME, distinct_2d),
    # torch.cdist has no second derivative: the smooth row compares with the norm it computes
    Op("cdist", lambda a, b: mg.cdist(a, b), lambda t, a, b: t.cdist(a, b), pair_rows(),
       smooth=False),
    Op("cdist_p1", lambda a, b: mg.cdist(a, b, 1), lambda t, a, b: t.cdist(a, b, 1),
       pair_rows(), smooth=False),
    Op("cdist_p3", lambda a, b: mg.cdist(a, b, 3),
       lambda t, a, b: t.linalg.vector_norm(a[:, None] - b[None], 3, -1), pair_rows()),
    Op("pdist", lambda x: mg.pdist(x), lambda t, x: t.pdist(x),
       one(S.shapes(2, 2, max_side=3), ties_apart[0], unique=True),
       smooth=False),
    Op("pdist_p3", lambda x: mg.pdist(x, 3),
       lambda t, x: (lambda i, j: t.linalg.vector_norm(x[i] - x[j], 3, -1))(
           *t.triu_indices(x.shape[0], x.shape[0], 1)),
       one(S.shapes(2, 2, max_side=3), ties_apart[0], unique=True)),
    # stacking and broadcasting
    *[Op(name, lambda a, b, name=name: getattr(mg, name)([a, b]),
         lambda t, a, b, name=name: getattr(t, name)([a, b]), same_shape(2))
      for name in ("hstack", "vstack", "dstack", "column_stack", "concat")],
    *[Op(name, lambda x, name=name: getattr(mg, name)(x),
         lambda t, x, name=name: getattr(t, name)(x), one())
      for name in ("atleast_1d", "atleast_2d", "atleast_3d")],
    Op("broadcast_tensors", lambda a, b: mg.broadcast_tensors(a, b),
       lambda t, a, b: t.broadcast_tensors(a, b), pair()),
    Op("block_diag", lambda a, b, c: mg.block_diag(a, b, c),
       lambda t, a, b, c: t.block_diag(a, b, c), matrices("ab", "c", "")),
    Op("cartesian_prod", lambda a, b: mg.cartesian_prod(a, b),
       lambda t, a, b: t.cartesian_prod(a, b), matrices("a", "b")),
    Op("diagflat", lambda x: x.diagflat(-1), SAME, one()),
    Op("sum_to_size", lambda x: x.sum_to_size(x.shape[-1]), SAME, one(S.shapes(1, 3))),
    Op("select_scatter", lambda x, s: x.select_scatter(s, 1, -1), SAME,
       one(at_least_2d).flatmap(lambda a: st.tuples(
           st.just(a[0]), S.arrays(a[0].shape[:1] + a[0].shape[2:])))),
    Op("slice_scatter", lambda x, s: x.slice_scatter(s, 0, 0, None, 2), SAME,
       one(S.shapes(1, 3, max_side=4)).flatmap(lambda a: st.tuples(
           st.just(a[0]), S.arrays(((a[0].shape[0] + 1) // 2,) + a[0].shape[1:])))),
    Op("diagonal_scatter", lambda x, s: x.diagonal_scatter(s, 1, 0, -1), SAME,
       one(S.shapes(2, 3, min_side=2, max_side=3)).flatmap(lambda a: st.tuples(
           st.just(a[0]), S.arrays(a[0].shape[1:-1] + (min(a[0].shape[0],
                                                             a[0].shape[-1] - 1),))))),
    Op("put", lambda x, s: x.put(mg.tensor([0, -1]), s),
       lambda t, x, s: x.put(t.tensor([0, x.numel() - 1]), s),
       one(S.shapes(1, 3, min_side=2)).map(lambda a: (a[0], np.array([1.5, -2.0]))),
       const=(1,)),
    Op("put_accumulate", lambda x, s: x.put(mg.tensor([1, 1, 0]), s, accumulate=True),
       lambda t, x, s: x.put(t.tensor([1, 1, 0]), s, accumulate=True),
       one(S.shapes(1, 3, min_side=2)).flatmap(lambda a: st.tuples(st.just(a[0]),
                                                                   S.arrays((3,))))),
    Op("lgamma", lambda x: x.lgamma(), SAME, one(elements=S.away_from([-3, -2, -1, 0], 0.2))),
    Op("digamma", lambda x: x.digamma(), SAME, one(elements=S.away_from([-3, -2, -1, 0], 0.2))),
    Op("polygamma", lambda x: x.polygamma(2), SAME, one(elements=S.positive(0.2, 20))),
    Op("mvlgamma", lambda x: x.mvlgamma(3), SAME, one(elements=S.positive(1.1, 5))),
    Op("cholesky", lambda x: (x @ x.mT + mg.eye(x.shape[-1])).cholesky(),
       lambda t, x: t.linalg.cholesky(x @ x.mT + t.eye(x.shape[-1])), conditioned()),
    Op("linalg_cholesky_upper",
       lambda x: mg.linalg.cholesky(x @ x.mT + mg.eye(x.shape[-1]), True),
       lambda t, x: t.linalg.cholesky(x @ x.mT + t.eye(x.shape[-1]), upper=True),
       conditioned()),
    Op("cholesky_solve", lambda a, b: b.cholesky_solve(a.tril()), SAME,
       conditioned(rhs="matrix")),
    Op("cholesky_inverse", lambda x: x.triu().cholesky_inverse(True), SAME, conditioned()),
    Op("chain_matmul", lambda a, b, c: mg.chain_matmul(a, b, c),
       lambda t, a, b, c: t.linalg.multi_dot([a, b, c]), matrices("ab", "bc", "cd")),
    Op("ger", lambda a, b: a.ger(b), lambda t, a, b: t.outer(a, b), matrices("a", "b")),
    # torch.vander's backward fails (an in-place write it saved); its values: test_ops_nondiff
    Op("vander", lambda x: mg.vander(x, 4), lambda t, x: t.stack([x**3, x**2, x, x**0], 1),
       one(S.shapes(1, 1))),
    Op("combinations", lambda x: mg.combinations(x, 2), lambda t, x: t.combinations(x, 2),
       one(S.shapes(1, 1))),
    Op("trapezoid", lambda y, x: mg.trapezoid(y, x), lambda t, y, x: t.trapezoid(y, x),
       matrices("nk", "k")),
    Op("trapezoid_dx", lambda y: mg.trapezoid(y, dx=0.5, dim=0),
       lambda t, y: t.trapezoid(y, dx=0.5, dim=0), one(S.shapes(1, 3))),
    Op("cumulative_trapezoid", lambda y, x: mg.cumulative_trapezoid(y, x, dim=0),
       lambda t, y, x: t.cumulative_trapezoid(y, x, dim=0), matrices("nk", "nk")),
    Op("rsub", lambda a, b: mg.rsub(a, b, alpha=2), lambda t, a, b: t.rsub(a, b, alpha=2),
       pair()),
    Op("hardshrink", lambda x: x.hardshrink(0.7), SAME,
       one(elements=S.away_from([-0.7, 0.7]))),
    # programs5: torch.gradient, uniform steps (coordinates: tests/test_program_gaps5.py)
    Op("gradient", lambda x: mg.gradient(x, spacing=0.5), lambda t, x: t.gradient(x, spacing=0.5),
       one(S.shapes(1, 3, min_side=3))),
    Op("gradient_edge2", lambda x: mg.gradient(x, dim=-1, edge_order=2),
       lambda t, x: t.gradient(x, dim=-1, edge_order=2), one(S.shapes(1, 3, min_side=3))),
]
OPS += TMETHODS_OPS


# *** decompositions (linalg2): inputs with distinct singular values, gauge-free outputs ***
@st.composite
def spread(draw: st.DrawFn, shape: str = "square") -> tuple[np.ndarray]:
    """A (batch of) matrix D + E, D's diagonal +-1, +-3, +-5 and |E_ij| <= 0.3, so (Weyl) its
    singular values, and the eigenvalues of A + A^T, are at least 0.2 apart and 0.1 from 0.
    shape: 'square', 'tall' (m > n), 'wide' (m < n) or 'any'."""
    batch = draw(st.sampled_from([(), (2,)]))
    if shape == "any":
        shape = draw(st.sampled_from(["square", "tall", "wide"]))
    k = draw(st.integers(1, 3))
    extra = 0 if shape == "square" else draw(st.integers(1, 2))
    m, n = (k, k + extra) if shape == "wide" else (k + extra, k)
    signs = draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=k, max_size=k))
    diagonal = np.zeros((m, n))
    diagonal[range(k), range(k)] = np.array(signs) * (1 + 2 * np.arange(k))
    return (draw(S.arrays((*batch, m, n), S.floats(-0.3, 0.3))) + diagonal,)


def svd_gauge_free(r: Any) -> tuple:
    """What does not depend on the signs of the singular vectors: their squares, S, and the
    polar factor U Vh (flipping u_i and v_i together cancels)."""
    u, s, vh = r
    k = s.shape[-1]
    u, vh = u[..., :k], vh[..., :k, :]
    return u**2, s, vh**2, u @ vh


def old_svd_as_new(r: Any) -> tuple:
    """torch.svd's (U, S, V) as linalg.svd's (U, S, Vh)."""
    return r.U, r.S, r.V.mT


def qr_gauge_free(r: Any) -> tuple:
    """Q and R up to the signs LAPACK picks: their squares, and Q's columns times R's
    diagonal."""
    q, r = r
    return q**2, r**2, q * r.diagonal(0, -2, -1).unsqueeze(-2)


def eigh_gauge_free(r: Any) -> tuple:
    """The eigenvalues, the eigenvectors' squares and the projector on the first one."""
    w, v = r
    return w, v**2, v[..., :1] @ v[..., :1].mT


@st.composite
def householder_inputs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """A (m, n) and tau (k,) with m >= n >= k. tau stays below 1/5, so that no reflector
    H_i = I - tau_i v_i v_i^T (|v_i|^2 <= 5) is singular: torch's gradient is nan there (input
    [[0]], tau [1]) where ours is finite, as for ormqr below."""
    n = draw(st.integers(1, 3))
    m, k = n + draw(st.integers(0, 2)), draw(st.integers(1, n))
    return draw(S.arrays((m, n), S.floats(-1, 1))), draw(S.arrays((k,), S.floats(-1, 0.19)))


def lstsq_inputs() -> st.SearchStrategy:
    """A tall full-rank A (with distinct singular values) and a right-hand side matrix."""
    return spread("tall").flatmap(lambda a: st.tuples(
        st.just(a[0]), S.arrays((*a[0].shape[:-1], 2))))


DECOMP_OPS = [
    Op("linalg_svd", lambda x: svd_gauge_free(mg.linalg.svd(x, full_matrices=False)),
       lambda t, x: svd_gauge_free(t.linalg.svd(x, full_matrices=False)), spread("any")),
    Op("linalg_svd_full", lambda x: svd_gauge_free(mg.linalg.svd(x)),
       lambda t, x: svd_gauge_free(t.linalg.svd(x)), spread("any")),
    Op("svd", lambda x: svd_gauge_free(old_svd_as_new(x.svd())),
       lambda t, x: svd_gauge_free(old_svd_as_new(x.svd())), spread("any")),
    Op("svdvals", mg.linalg.svdvals, lambda t, x: t.linalg.svdvals(x), spread("any")),
    Op("linalg_qr", lambda x: qr_gauge_free(mg.linalg.qr(x)),
       lambda t, x: qr_gauge_free(t.linalg.qr(x)), spread("any")),
    Op("linalg_qr_complete", lambda x: qr_gauge_free(mg.linalg.qr(x, "complete")),
       lambda t, x: qr_gauge_free(t.linalg.qr(x, "complete")), spread("wide")),
    Op("qr", lambda x: qr_gauge_free(x.qr()), lambda t, x: qr_gauge_free(t.linalg.qr(x)),
       spread("tall")),
    Op("linalg_eigh", lambda x: eigh_gauge_free(mg.linalg.eigh(x + x.mT)),
       lambda t, x: eigh_gauge_free(t.linalg.eigh(x + x.mT)), spread()),
    Op("linalg_eigh_upper", lambda x: eigh_gauge_free(mg.linalg.eigh(x + x.mT, "U")),
       lambda t, x: eigh_gauge_free(t.linalg.eigh(x + x.mT, "U")), spread()),
    Op("linalg_eigvalsh", lambda x: mg.linalg.eigvalsh(x + x.mT),
       lambda t, x: t.linalg.eigvalsh(x + x.mT), spread()),
    Op("matrix_exp", lambda x: x.matrix_exp(), SAME,
       one(S.shapes(2, 3, max_side=3).map(lambda s: (*s[:-1], s[-2])), S.floats(-1, 1))),
    Op("linalg_matrix_exp", mg.linalg.matrix_exp, lambda t, x: t.linalg.matrix_exp(x),
       spread()),
    Op("multi_dot", lambda a, b, c, d: mg.linalg.multi_dot([a, b, c, d]),
       lambda t, a, b, c, d: t.linalg.multi_dot([a, b, c, d]), matrices("a", "ab", "bc", "c")),
    Op("multi_dot_matrices", lambda a, b: mg.linalg.multi_dot((a, b)),
       lambda t, a, b: t.linalg.multi_dot((a, b)), matrices("ab", "bc")),
    Op("householder_product", mg.linalg.householder_product,
       lambda t, a, tau: t.linalg.householder_product(a, tau), householder_inputs()),
    Op("orgqr", lambda a, tau: a.orgqr(tau), SAME, householder_inputs()),
    Op("linalg_lstsq", lambda a, b: mg.linalg.lstsq(a, b).solution,
       lambda t, a, b: t.linalg.lstsq(a, b).solution, lstsq_inputs()),
    Op("linalg_lstsq_gelsd", lambda a, b: mg.linalg.lstsq(a, b, driver="gelsd")[:2],
       lambda t, a, b: t.linalg.lstsq(a, b, driver="gelsd")[:2], lstsq_inputs()),
    Op("linalg_cond", mg.linalg.cond, lambda t, x: t.linalg.cond(x), spread("any")),
    Op("linalg_cond_minus2", lambda x: mg.linalg.cond(x, -2), lambda t, x: t.linalg.cond(x, -2),
       spread("any")),
    Op("linalg_cond_nuc", lambda x: mg.linalg.cond(x, "nuc"),
       lambda t, x: t.linalg.cond(x, "nuc"), spread()),
    # torch 2.13's backward of cond for 'fro', 1 and inf fails (an in-place write it saved)
    Op("linalg_cond_fro", lambda x: mg.linalg.cond(x, "fro"), None, spread()),
    *[Op(f"matrix_norm_{name}", lambda x, o=o: mg.linalg.matrix_norm(x, o),
         lambda t, x, o=o: t.linalg.matrix_norm(x, o), spread("any"))
      for name, o in [("2", 2), ("minus2", -2), ("nuc", "nuc")]],
]


def well_conditioned_4x4() -> st.SearchStrategy:
    """A 4 x 4 matrix 2I + noise, for tensorinv and tensorsolve (as a (2, 2, 4) tensor). Noise
    below 1/4 keeps it diagonally dominant, so never singular (-0.5 everywhere would be)."""
    return one((4, 4), S.floats(-0.25, 0.25)).map(lambda a: (a[0] + 2 * np.eye(4),))


DECOMP_OPS += [
    *[Op(f"solve_triangular_{name}",
         lambda a, b, k=kwargs: mg.linalg.solve_triangular(a, b if k["left"] else b.mT, **k),
         lambda t, a, b, k=kwargs: t.linalg.solve_triangular(a, b if k["left"] else b.mT, **k),
         conditioned(rhs="matrix"))
      for name, kwargs in [("upper", {"upper": True, "left": True}),
                           ("lower_right", {"upper": False, "left": False}),
                           ("unitriangular", {"upper": False, "left": True,
                                              "unitriangular": True})]],
    Op("tensorinv", lambda x: mg.linalg.tensorinv(x.reshape(2, 2, 4)),
       lambda t, x: t.linalg.tensorinv(x.reshape(2, 2, 4)), well_conditioned_4x4()),
    # dims=(1,) moves the size-4 dim last again: the system's matrix is the well-conditioned a
    Op("tensorsolve", lambda a, b: mg.linalg.tensorsolve(a.reshape(2, 2, 4).permute(0, 2, 1),
                                                         b, dims=(1,)),
       lambda t, a, b: t.linalg.tensorsolve(a.reshape(2, 2, 4).permute(0, 2, 1), b, dims=(1,)),
       well_conditioned_4x4().map(lambda a: (a[0], np.arange(4.0).reshape(2, 2) - 1.5))),
    Op("linalg_vander", lambda x: mg.linalg.vander(x, N=4),
       lambda t, x: t.linalg.vander(x, N=4),  # torch's gradient is wrong at x ~ 1e-40
       one(S.shapes(1, 2, max_side=3), S.away_from([0], 0.1))),
    Op("linalg_vecdot", lambda a, b: mg.linalg.vecdot(a, b, dim=0),
       lambda t, a, b: t.linalg.vecdot(a, b, dim=0), matrices("nk", "nk")),
    Op("linalg_matmul", mg.linalg.matmul, lambda t, a, b: t.linalg.matmul(a, b),
       matrices("bnk", "km")),
    Op("linalg_diagonal", lambda x: mg.linalg.diagonal(x, offset=1),
       lambda t, x: t.linalg.diagonal(x, offset=1), one(at_least_2d)),
]


@st.composite
def row_permuted(draw: st.DrawFn, shape: str = "any") -> tuple[np.ndarray]:
    """A spread matrix with its rows shuffled: LU's pivots are real swaps, and stay the same
    under the small changes of central differences (each column has one dominant entry)."""
    (a,) = draw(spread(shape))
    order = draw(st.permutations(range(a.shape[-2])))
    return (a[..., list(order), :],)


DECOMP_OPS += [
    Op("linalg_lu_factor", lambda x: mg.linalg.lu_factor(x).LU,
       lambda t, x: t.linalg.lu_factor(x).LU, row_permuted()),
    Op("linalg_lu", mg.linalg.lu, lambda t, x: t.linalg.lu(x), row_permuted()),
    *[Op(f"linalg_lu_solve_{name}",
         lambda a, b, k=kwargs: mg.linalg.lu_solve(*mg.linalg.lu_factor(a),
                                                   b if k["left"] else b.mT, **k),
         lambda t, a, b, k=kwargs: t.linalg.lu_solve(*t.linalg.lu_factor(a),
                                                     b if k["left"] else b.mT, **k),
         row_permuted("square").flatmap(lambda a: st.tuples(
             st.just(a[0]), S.arrays((*a[0].shape[:-1], 2)))))
      for name, kwargs in [("left", {"left": True}), ("adjoint", {"left": True, "adjoint": True}),
                           ("right", {"left": False})]],
]


@st.composite
def ormqr_inputs(draw: st.DrawFn, left: bool) -> tuple[np.ndarray, ...]:
    """input (m, k) of reflectors, tau (k,) and other (m, c), or (c, m) when not left. tau stays
    below 1/3, so that no H_i = I - tau_i v_i v_i^T (|v_i|^2 <= 3) is singular: torch's
    gradient for tau is wrong there (nan for input [[0]], tau [1]), where ours is -v v^T C."""
    m = draw(st.integers(1, 3))
    k, c = draw(st.integers(1, m)), draw(st.integers(1, 3))
    return (draw(S.arrays((m, k), S.floats(-1, 1))), draw(S.arrays((k,), S.floats(-1, 0.3))),
            draw(S.arrays((m, c) if left else (c, m))))


DECOMP_OPS += [
    Op(f"ormqr_{'left' if left else 'right'}{'_transpose' * transpose}",
       lambda a, tau, c, lt=(left, transpose): a.ormqr(tau, c, *lt), SAME, ormqr_inputs(left))
    for left in (True, False) for transpose in (False, True)
]
OPS += DECOMP_OPS

# gaps: CTC loss, through log_softmax (its gradient, torch's, is exact for normalized input);
# torch's has no second derivative. Padded and concatenated targets, with a repeated label.
CTC_TARGETS = {"padded": [[1, 1, 2], [2, 0, 0]], "concatenated": [1, 1, 2, 2]}
OPS += [
    Op(f"ctc_loss_{layout}_{r}",
       lambda x, r=r, tg=tg: F.ctc_loss(x.log_softmax(2), mg.tensor(tg), (5, 3), (3, 1),
                                        reduction=r),
       lambda t, x, r=r, tg=tg: t.nn.functional.ctc_loss(x.log_softmax(2), t.tensor(tg),
                                                         (5, 3), (3, 1), reduction=r),
       one((5, 2, 3)), smooth=False)
    for layout, tg in CTC_TARGETS.items() for r in ("mean", "none")
]

# gaps2: bicubic interpolation (A = -0.75, border taps clamped), by size and by scale_factor
OPS += [
    Op(f"interpolate_bicubic_{'corners' if corners else 'centers'}_{how}",
       lambda x, k=kw, c=corners: F.interpolate(x, mode="bicubic", align_corners=c, **k),
       lambda t, x, k=kw, c=corners: t.nn.functional.interpolate(x, mode="bicubic",
                                                                 align_corners=c, **k),
       image_inputs())
    for corners in (False, True)
    for how, kw in (("size", {"size": (5, 2)}), ("scale", {"scale_factor": (1.7, 0.6)}))
]
OPS += [  # the other modes: nearest at pixel centers, and area (adaptive average pooling)
    Op("interpolate_nearest_exact", lambda x: F.interpolate(x, scale_factor=1.7,
                                                            mode="nearest-exact"),
       lambda t, x: t.nn.functional.interpolate(x, scale_factor=1.7, mode="nearest-exact"),
       image_inputs()),
    Op("interpolate_area", lambda x: F.interpolate(x, size=(2, 3), mode="area"),
       lambda t, x: t.nn.functional.interpolate(x, size=(2, 3), mode="area"), image_inputs()),
]
OPS += [  # antialias=True (PIL's resampling), downscaling one axis and upscaling the other
    Op(f"interpolate_antialias_{mode}",
       lambda x, m=mode: F.interpolate(x, size=(2, 5), mode=m, antialias=True),
       lambda t, x, m=mode: t.nn.functional.interpolate(x, size=(2, 5), mode=m, antialias=True),
       image_inputs())
    for mode in ("bilinear", "bicubic", "lanczos")
]

# gaps2: fractional max pooling with fixed offsets (_random_samples, one per (n, c) and axis)
FRACTIONAL_SAMPLES = np.array([[[0.3, 0.8, 0.55], [0.9, 0.1, 0.2]], [[0.05, 0.6, 0.7],
                                                                     [0.45, 0.35, 0.95]]])
OPS += [
    Op("fractional_max_pool2d",
       lambda x: F.fractional_max_pool2d(x, 2, (2, 1), _random_samples=mg.tensor(
           FRACTIONAL_SAMPLES[:x.shape[0], :, :2])),
       lambda t, x: t.nn.functional.fractional_max_pool2d(x, 2, (2, 1), _random_samples=(
           t.tensor(FRACTIONAL_SAMPLES[:x.shape[0], :, :2]))),
       image_inputs(elements=distinct, unique=True)),
    Op("fractional_max_pool3d",  # torch's 3-d windows leave a position spare: sides of 3
       lambda x: F.fractional_max_pool3d(x, (2, 1, 2), (1, 2, 1), _random_samples=mg.tensor(
           FRACTIONAL_SAMPLES[:x.shape[0]])),
       lambda t, x: t.nn.functional.fractional_max_pool3d(x, (2, 1, 2), (1, 2, 1),
                                                          _random_samples=t.tensor(
                                                              FRACTIONAL_SAMPLES[:x.shape[0]])),
       image_inputs(rank=5, elements=S.spaced(0.1, limit=200), unique=True, sides=(3, 3))),
]

# gaps2: torch.special's modified Bessel functions and erfcx (ops/special.py); the scaled ones
# reach their asymptotic expansion (|x| > 30), and are kinked at 0 (e^-|x|)
OPS += [
    Op("i0", lambda x: x.i0(), SAME, one(elements=S.floats(-8, 8))),
    Op("i1", lambda x: mg.special.i1(x), lambda t, x: t.special.i1(x),
       one(elements=S.floats(-8, 8))),
    Op("i0e", lambda x: mg.special.i0e(x), lambda t, x: t.special.i0e(x),
       one(elements=S.away_from([0], 0.1, -40, 40))),
    Op("i1e", lambda x: mg.special.i1e(x), lambda t, x: t.special.i1e(x),
       one(elements=S.away_from([0], 0.1, -40, 40))),
    Op("erfcx", lambda x: mg.special.erfcx(x), lambda t, x: t.special.erfcx(x),
       one(elements=S.floats(-4, 12))),
    # differentiable in x (other) only, as torch's: a and s are constants
    Op("gammainc", lambda a, x: mg.special.gammainc(a, x),
       lambda t, a, x: t.special.gammainc(a, x), pair(S.positive(0.5, 8), S.positive(0.2, 12)),
       const=(0,)),
    Op("gammaincc", lambda a, x: mg.special.gammaincc(a, x),
       lambda t, a, x: t.special.gammaincc(a, x), pair(S.positive(0.5, 8), S.positive(0.2, 12)),
       const=(0,)),
    Op("zeta", lambda s, q: mg.special.zeta(s, q), lambda t, s, q: t.special.zeta(s, q),
       pair(S.floats(1.5, 6), S.positive(0.3, 20)), const=(0,)),
]


def _leaves(arrays: tuple[np.ndarray, ...], const: tuple[int, ...]) -> tuple[mg.Tensor, ...]:
    return tuple(mg.Tensor(a, requires_grad=a.dtype.kind == "f" and i not in const)
                 for i, a in enumerate(arrays))


def _torch_leaves(torch: Any, arrays: tuple[np.ndarray, ...], const: tuple[int, ...]) -> tuple:
    return tuple(torch.tensor(a, requires_grad=a.dtype.kind == "f" and i not in const)
                 for i, a in enumerate(arrays))


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, tuple) else (x,)


def _call_ref(op: Op, torch: Any, inputs: tuple) -> tuple:
    return _as_tuple(op.fn(*inputs) if op.ref == SAME else op.ref(torch, *inputs))


# every row gets the profile's examples for gradcheck, a third of them for the costlier checks
FEWER = max(settings().max_examples // 3, 5)


@pytest.mark.parametrize("op", OPS, ids=str)
@given(data=st.data())
def test_gradcheck(op: Op, data: st.DataObject) -> None:
    inputs = _leaves(data.draw(op.inputs, label="inputs"), op.const)
    assert gradcheck(op.fn, inputs)
    assert all(t.grad is None for t in inputs)


@pytest.mark.parametrize("op", [op for op in OPS if op.smooth], ids=str)
@settings(max_examples=FEWER)
@given(data=st.data())
def test_gradgradcheck(op: Op, data: st.DataObject) -> None:
    inputs = _leaves(data.draw(op.inputs, label="inputs"), op.const)
    assert gradgradcheck(op.fn, inputs)


@pytest.mark.parametrize("op", [op for op in OPS if op.numpy], ids=str)
@settings(max_examples=FEWER)
@given(data=st.data())
def test_forward_matches_numpy(op: Op, data: st.DataObject) -> None:
    arrays = data.draw(op.inputs, label="inputs")
    out = op.fn(*_leaves(arrays, op.const))
    expected = op.numpy(*arrays)
    assert out.shape == np.shape(expected) and out.dtype == np.float64
    np.testing.assert_allclose(out.array, expected, rtol=1e-12, atol=1e-12)


TORCH_TOL = {"rtol": 1e-7, "atol": 1e-10}


@pytest.mark.parametrize("op", [op for op in OPS if op.ref], ids=str)
@settings(max_examples=FEWER)
@given(data=st.data())
def test_matches_torch(op: Op, data: st.DataObject, torch: Any) -> None:
    """Values, then vector-Jacobian products, then (for smooth ops) the derivative of
    <vjp, w> with respect to the inputs and the vector."""
    arrays = data.draw(op.inputs, label="inputs")
    mine, theirs = _leaves(arrays, op.const), _torch_leaves(torch, arrays, op.const)
    out, ref = _as_tuple(op.fn(*mine)), _call_ref(op, torch, theirs)
    assert len(out) == len(ref)
    for o, r in zip(out, ref, strict=True):
        assert o.shape == tuple(r.shape)
        np.testing.assert_allclose(o.array, r.detach().numpy(), **TORCH_TOL)

    rng = np.random.default_rng(0)
    idx = [k for k, o in enumerate(out) if o.requires_grad]
    wrt = [i for i, t in enumerate(mine) if t.requires_grad]
    vs = [rng.standard_normal(out[k].shape) for k in idx]
    v_mine = [mg.Tensor(v, requires_grad=True) for v in vs]
    v_theirs = [torch.tensor(v, requires_grad=True) for v in vs]
    grads = mg.grad([out[k] for k in idx], [mine[i] for i in wrt], v_mine, create_graph=True,
                    allow_unused=True)
    ref_grads = torch.autograd.grad([ref[k] for k in idx], [theirs[i] for i in wrt], v_theirs,
                                    create_graph=True, allow_unused=True)
    _assert_grads_match(grads, ref_grads, [mine[i] for i in wrt])
    if not op.smooth:
        return

    ws = [rng.standard_normal(mine[i].shape) for i in wrt]
    pairs = [(g, r, w) for g, r, w in zip(grads, ref_grads, ws, strict=True) if g is not None]
    inner = sum((g * w).sum() for g, _, w in pairs)
    ref_inner = sum((r * torch.tensor(w)).sum() for _, r, w in pairs)
    second_wrt = [mine[i] for i in wrt] + v_mine
    second = mg.grad(inner, second_wrt, allow_unused=True)
    ref_second = torch.autograd.grad(ref_inner, [theirs[i] for i in wrt] + v_theirs,
                                     allow_unused=True)
    _assert_grads_match(second, ref_second, second_wrt)


def _assert_grads_match(grads: tuple, ref_grads: tuple, like: list[mg.Tensor]) -> None:
    for k, (g, r, t) in enumerate(zip(grads, ref_grads, like, strict=True)):
        g = np.zeros(t.shape) if g is None else g.array
        r = np.zeros(t.shape) if r is None else r.detach().numpy(force=True)
        assert g.shape == r.shape, f"gradient {k}: shape {g.shape} vs torch {r.shape}"
        np.testing.assert_allclose(g, r, **TORCH_TOL, err_msg=f"gradient {k}")


def test_every_public_op_is_in_the_table() -> None:
    """A new differentiable op must get a row (names as they appear in `Op.name`)."""
    names = [op.name for op in OPS]
    for name in ("add", "sub", "mul", "div", "pow", "maximum", "minimum", "where", "exp", "log",
                 "sqrt", "abs", "sigmoid", "tanh", "relu", "leaky_relu", "clamp", "sum", "mean",
                 "max", "min", "var", "std", "logsumexp", "matmul", "linear", "reshape",
                 "flatten", "transpose", "permute", "squeeze", "unsqueeze", "expand", "getitem",
                 "cat", "stack", "softmax", "log_softmax", "cross_entropy",
                 "binary_cross_entropy", "mse_loss", "layer_norm", "batch_norm", "standardize",
                 # convolution and pooling
                 "conv2d", "conv1d", "conv_transpose2d", "unfold", "fold", "max_pool2d",
                 "max_pool1d", "adaptive_max_pool2d", "avg_pool2d", "avg_pool1d",
                 "adaptive_avg_pool2d", "interpolate",
                 # volumes and unpooling
                 "conv3d", "conv_transpose3d", "max_pool3d", "avg_pool3d",
                 "adaptive_max_pool3d", "adaptive_avg_pool3d", "max_unpool1d", "max_unpool2d",
                 "max_unpool3d", "adaptive_max_pool1d", "lp_pool3d"):
        assert any(n == name or n.startswith(name + "_") for n in names), name


def test_every_indexing_shape_linalg_loss_op_is_in_the_table() -> None:
    """The indexing, shape, linear algebra, padding, loss and attention ops each have a row."""
    names = [op.name for op in OPS]
    for name in ("gather", "scatter", "scatter_add", "scatter_reduce", "index_select",
                 "index_add", "masked_fill", "masked_select", "take_along_dim", "repeat", "tile",
                 "split", "chunk", "unbind", "flip", "roll", "tril", "triu", "unflatten",
                 "diag", "diagonal", "diag_embed", "repeat_interleave", "meshgrid", "movedim",
                 "swapaxes", "swapdims", "narrow", "unfold", "einsum", "mm", "bmm", "mv", "dot",
                 "outer", "addmm", "tensordot", "pad", "nll_loss", "cross_entropy",
                 "binary_cross_entropy_with_logits", "l1_loss", "smooth_l1_loss", "huber_loss",
                 "kl_div", "cosine_similarity", "cosine_embedding_loss", "margin_ranking_loss",
                 "normalize", "scaled_dot_product_attention"):
        assert any(n == name or n.startswith(name + "_") for n in names), name


# *** op library: math, activations, reductions, sorting ***
LIBRARY_MODULES = ("minigrad.ops.math", "minigrad.ops.activation", "minigrad.ops.cumulative",
                   "minigrad.ops.sorting", "minigrad.ops.norms")
LIBRARY_REDUCTIONS = ("amax", "amin", "aminmax", "var_mean", "std_mean")
NO_GRADIENT = (  # checked in tests/test_ops_nondiff.py instead
    "isnan", "isinf", "isfinite", "isclose", "allclose", "logical_and", "logical_or",
    "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "bitwise_left_shift", "bitwise_right_shift", "argsort", "any", "all", "count_nonzero")
NO_GRADIENT += (  # tmethods: in test_ops_nondiff.py
    "bincount", "histc", "unique", "unique_consecutive", "searchsorted", "bucketize", "isin",
    "signbit", "isposinf", "isneginf", "isreal", "gcd", "lcm", "frexp", "nextafter", "angle")
NO_GRADIENT += ("histogram",)  # programs5: tests/test_program_gaps5.py


def test_every_op_library_op_is_in_the_table() -> None:
    """Every op of the library's modules in minigrad.ops.__all__ has a row, or is listed as
    having no gradient (aliases such as fix and arctan2 count under their op's name)."""
    names = [op.name for op in OPS]
    public = [getattr(mg.ops, name) for name in mg.ops.__all__]
    library = {fn.__name__ for fn in public if fn.__module__ in LIBRARY_MODULES}
    library |= set(LIBRARY_REDUCTIONS)
    assert len(library) > 80
    for name in sorted(library - set(NO_GRADIENT)):
        assert any(n == name or n.startswith(name + "_") for n in names), name
