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


def torch_normalize(t: Any, x: Any, w: Any, b: Any) -> Any:
    """normalize over dims (0, 2), written out with torch's primitive ops."""
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


@st.composite
def image_inputs(draw: st.DrawFn, weight: tuple | None = None, rank: int = 4,
                 elements: Any = None, unique: bool = False) -> tuple[np.ndarray, ...]:
    """A small image batch (N, 2, H, W) (or (N, 2, L) for rank 3), and a weight of the given
    shape when there is one (convolutions)."""
    spatial = tuple(draw(st.integers(3, 4)) for _ in range(rank - 2))
    x = draw(S.arrays((draw(st.integers(1, 2)), 2, *spatial), elements, unique))
    return (x,) if weight is None else (x, draw(S.arrays(weight)))


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
    Op("normalize", lambda x, w, b: mg.ops.normalize(x, (0, 2), w.reshape(1, -1, 1),
                                                     b.reshape(1, -1, 1)),
       torch_normalize, norm_inputs(S.shapes(3, 3, min_side=2, max_side=3), (1,))),
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
    Op("unfold", lambda x: F.unfold(x, 2, padding=1, stride=2),
       lambda t, x: t.nn.functional.unfold(x, 2, padding=1, stride=2), image_inputs()),
    Op("fold", lambda x: F.fold(x, (3, 4), 2, padding=1), lambda t, x: t.nn.functional.fold(
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
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


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
        np.testing.assert_allclose(o.data, r.detach().numpy(), **TORCH_TOL)

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
        g = np.zeros(t.shape) if g is None else g.data
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
                 "binary_cross_entropy", "mse_loss", "layer_norm", "batch_norm", "normalize",
                 # convolution and pooling
                 "conv2d", "conv1d", "conv_transpose2d", "unfold", "fold", "max_pool2d",
                 "max_pool1d", "adaptive_max_pool2d", "avg_pool2d", "avg_pool1d",
                 "adaptive_avg_pool2d", "interpolate"):
        assert any(n == name or n.startswith(name + "_") for n in names), name
