"""Convolution, pooling and resizing against PyTorch (float64, hypothesis-drawn geometry), max-pool
ties, the fast paths pinned to the plain ones, the errors, and the modules.

Gradient and second-derivative checks of every op are rows of the op table in test_ops.py; here
each op's values and vector-Jacobian products are compared with PyTorch's over many shapes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.ops.conv import ConvWeightGrad, Geometry, _columns
from minigrad.ops.pool import ScatterAdd
from minigrad.testing import gradgradcheck
from minigrad.testing import strategies as S

TOL = {"rtol": 1e-9, "atol": 1e-10}


def compare(torch: Any, fn: Any, ref: Any, *arrays: np.ndarray, n_outputs: int = 1) -> None:
    """fn on minigrad tensors and ref on torch tensors agree in values (and integer second
    outputs such as indices) and in the vector-Jacobian product with a random vector."""
    mine = [mg.Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = fn(*mine), ref(*theirs)
    if n_outputs == 2:
        np.testing.assert_array_equal(out[1].array, expected[1].numpy())
        out, expected = out[0], expected[0]
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.array, expected.detach().numpy(), **TOL)
    v = np.random.default_rng(0).standard_normal(out.shape)
    grads = mg.grad(out, mine, mg.Tensor(v), allow_unused=True)
    ref_grads = torch.autograd.grad(expected, theirs, torch.tensor(v), allow_unused=True)
    for k, (g, r) in enumerate(zip(grads, ref_grads, strict=True)):
        g = np.zeros(arrays[k].shape) if g is None else g.array
        r = np.zeros(arrays[k].shape) if r is None else r.numpy()
        np.testing.assert_allclose(g, r, **TOL, err_msg=f"gradient {k}")


def _fits(size: int, kernel: int, stride: int, dilation: int, pad: int) -> bool:
    return size + 2 * pad - dilation * (kernel - 1) - 1 >= 0


# *** strategies: geometry that PyTorch accepts, from the tight corners up ***
@st.composite
def conv_case(draw: st.DrawFn, dims: int = 2, max_kernel: int = 4) -> dict:
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, max_kernel)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    padding = draw(st.sampled_from(["ints", "same", "valid"]))
    stride = (1,) * dims if padding == "same" else tuple(draw(st.integers(1, 3))
                                                         for _ in range(dims))
    if padding == "ints":  # up to the reach of the kernel, and beyond it
        padding = tuple(draw(st.integers(0, d * (k - 1) + 1))
                        for k, d in zip(kernel, dilation, strict=True))
    pads = padding if isinstance(padding, tuple) else (0,) * dims
    low = [max(d * (k - 1) + 1 - 2 * p, 1) for k, d, p in zip(kernel, dilation, pads,
                                                             strict=True)]
    spatial = tuple(draw(st.integers(n, n + 4)) for n in low)
    n = draw(st.sampled_from([1, 2, 3]))
    return {"x": draw(S.arrays((n, c_in, *spatial))),
            "w": draw(S.arrays((c_out, c_in // groups, *kernel))),
            "b": draw(S.arrays((c_out,))) if draw(st.booleans()) else None,
            "stride": stride, "padding": padding, "dilation": dilation, "groups": groups}


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's note on its own speed
@settings(max_examples=30)
@given(case=conv_case())
def test_conv2d_matches_torch(case: dict, torch: Any) -> None:
    kw = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    arrays = [case["x"], case["w"]] + ([case["b"]] if case["b"] is not None else [])
    compare(torch, lambda *t: F.conv2d(*t, **kw),
            lambda *t: torch.nn.functional.conv2d(*t, **kw), *arrays)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@settings(max_examples=25)
@given(case=conv_case(dims=1))
def test_conv1d_matches_torch(case: dict, torch: Any) -> None:
    kw = {k: v[0] if isinstance(v, tuple) else v for k, v in case.items() if k in
          ("stride", "padding", "dilation", "groups")}
    arrays = [case["x"], case["w"]] + ([case["b"]] if case["b"] is not None else [])
    compare(torch, lambda *t: F.conv1d(*t, **kw),
            lambda *t: torch.nn.functional.conv1d(*t, **kw), *arrays)


@st.composite
def conv_transpose_case(draw: st.DrawFn, dims: int = 2) -> dict:
    groups = draw(st.integers(1, 2))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    extra = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation,
                                                                        strict=True))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(dims))
    spatial = tuple(draw(st.integers(1, 4)) for _ in range(dims))
    size = [(m - 1) * s - 2 * p + d * (k - 1) + e + 1 for m, s, p, d, k, e in
            zip(spatial, stride, padding, dilation, kernel, extra, strict=True)]
    if min(size) < 1:
        padding = (0,) * dims
    return {"x": draw(S.arrays((draw(st.integers(1, 2)), c_in, *spatial))),
            "w": draw(S.arrays((c_in, c_out // groups, *kernel))),
            "b": draw(S.arrays((c_out,))), "stride": stride, "padding": padding,
            "output_padding": extra, "groups": groups, "dilation": dilation}


@settings(max_examples=20)
@given(case=conv_transpose_case())
def test_conv_transpose2d_matches_torch(case: dict, torch: Any) -> None:
    kw = {k: v for k, v in case.items() if k not in ("x", "w", "b")}
    compare(torch, lambda *t: F.conv_transpose2d(*t, **kw),
            lambda *t: torch.nn.functional.conv_transpose2d(*t, **kw),
            case["x"], case["w"], case["b"])


@st.composite
def unfold_case(draw: st.DrawFn) -> dict:
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(2))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(2))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(2))
    size = tuple(max(d * (k - 1) + 1 - 2 * p, 1) + draw(st.integers(0, 3))
                 for k, d, p in zip(kernel, dilation, padding, strict=True))
    return {"kernel_size": kernel, "dilation": dilation, "padding": padding, "stride": stride,
            "size": size, "n": draw(st.integers(1, 2)), "c": draw(st.integers(1, 3))}


@settings(max_examples=20)
@given(case=unfold_case(), data=st.data())
def test_unfold_and_fold_match_torch(case: dict, data: st.DataObject, torch: Any) -> None:
    size, n, c = case.pop("size"), case.pop("n"), case.pop("c")
    x = data.draw(S.arrays((n, c, *size)))
    compare(torch, lambda t: F.unfold(t, **case),
            lambda t: torch.nn.functional.unfold(t, **case), x)
    blocks = F.unfold(mg.Tensor(x), **case).shape
    cols = data.draw(S.arrays(blocks))
    compare(torch, lambda t: F.fold(t, size, **case),
            lambda t: torch.nn.functional.fold(t, size, **case), cols)


def test_unfold_and_fold_are_adjoint() -> None:
    """<unfold(x), y> = <x, fold(y)>: fold is unfold's transpose, which is why each is the
    other's backward."""
    rng = np.random.default_rng(1)
    x, geometry = rng.standard_normal((2, 3, 7, 6)), {"kernel_size": (3, 2), "padding": 1,
                                                      "stride": (2, 1), "dilation": (1, 2)}
    cols = F.unfold(mg.Tensor(x), **geometry)
    y = rng.standard_normal(cols.shape)
    folded = F.fold(mg.Tensor(y), (7, 6), **geometry)
    assert np.isclose((cols.array * y).sum(), (x * folded.array).sum())


# *** pools ***
@st.composite
def pool_case(draw: st.DrawFn, dilation: bool = True, values: Any = None,
              dims: int = 2) -> dict:
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dil = tuple(draw(st.integers(1, 2)) for _ in range(dims)) if dilation else (1,) * dims
    # PyTorch allows padding up to half the kernel: draw up to that limit
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    size = tuple(max(d * (k - 1) + 1 - 2 * p, 1) + draw(st.integers(0, 3))
                 for k, d, p in zip(kernel, dil, padding, strict=True))
    n, c = draw(st.sampled_from([1, 2, 3])), draw(st.integers(1, 2))
    case = {"x": draw(S.arrays((n, c, *size), values)), "kernel_size": kernel,
            "stride": stride, "padding": padding, "ceil_mode": draw(st.booleans())}
    if dilation:
        case["dilation"] = dil
    return case


def window_in_padding(case: dict) -> bool:
    """Whether some dilated window has no tap inside the input (only on tiny inputs)."""
    for axis in range(case["x"].ndim - 2):
        size = case["x"].shape[2 + axis]
        k, s, p = case["kernel_size"][axis], case["stride"][axis], case["padding"][axis]
        d = case.get("dilation", (1,) * (case["x"].ndim - 2))[axis]
        count = -(-(size + 2 * p - d * (k - 1) - 1) // s) + 1 if case["ceil_mode"] else \
            (size + 2 * p - d * (k - 1) - 1) // s + 1
        for o in range(count):
            if not any(0 <= o * s - p + i * d < size for i in range(k)):
                return True
    return False


# values on a coarse grid, so windows often hold equal maxima
TIES = st.integers(-2, 2).map(float)


@settings(max_examples=30)
@given(case=pool_case(values=TIES))
def test_max_pool2d_matches_torch_with_ties(case: dict, torch: Any) -> None:
    """Values, indices and where the gradient goes, ties included."""
    assume(not window_in_padding(case))  # see test_max_pool_window_wholly_in_padding
    x = case.pop("x")
    compare(torch, lambda t: F.max_pool2d(t, **case, return_indices=True),
            lambda t: torch.nn.functional.max_pool2d(t, **case, return_indices=True), x,
            n_outputs=2)


@settings(max_examples=25)
@given(case=pool_case(dilation=False), include=st.booleans(),
       override=st.sampled_from([None, 3]))
def test_avg_pool2d_matches_torch(case: dict, include: bool, override: int | None,
                                  torch: Any) -> None:
    x = case.pop("x")
    kw = {**case, "count_include_pad": include, "divisor_override": override}
    compare(torch, lambda t: F.avg_pool2d(t, **kw),
            lambda t: torch.nn.functional.avg_pool2d(t, **kw), x)


@settings(max_examples=20)
@given(case=pool_case(values=TIES), include=st.booleans())
def test_pool1d_matches_torch(case: dict, include: bool, torch: Any) -> None:
    """The 1-D pools on the last row of the drawn geometry."""
    assume(not window_in_padding(case))
    x = case.pop("x")[:, :, 0]
    kw = {k: v[1] if isinstance(v, tuple) else v for k, v in case.items()}
    compare(torch, lambda t: F.max_pool1d(t, **kw, return_indices=True),
            lambda t: torch.nn.functional.max_pool1d(t, **kw, return_indices=True), x,
            n_outputs=2)
    del kw["dilation"]
    compare(torch, lambda t: F.avg_pool1d(t, **kw, count_include_pad=include),
            lambda t: torch.nn.functional.avg_pool1d(t, **kw, count_include_pad=include), x)


@settings(max_examples=20)
@given(shape=S.shapes(4, 4, max_side=7), data=st.data())
def test_adaptive_pools_match_torch(shape: tuple, data: st.DataObject, torch: Any) -> None:
    h, w = shape[2:]
    size = (data.draw(st.integers(1, h + 2)), data.draw(st.one_of(st.none(),
                                                                    st.integers(1, w + 2))))
    x = data.draw(S.arrays(shape, TIES))
    compare(torch, lambda t: F.adaptive_avg_pool2d(t, size),
            lambda t: torch.nn.functional.adaptive_avg_pool2d(t, size), x)
    compare(torch, lambda t: F.adaptive_max_pool2d(t, size, return_indices=True),
            lambda t: torch.nn.functional.adaptive_max_pool2d(t, size, return_indices=True),
            x, n_outputs=2)


@settings(max_examples=25)
@given(shape=S.shapes(4, 4, max_side=5), data=st.data())
def test_interpolate_matches_torch(shape: tuple, data: st.DataObject, torch: Any) -> None:
    mode = data.draw(st.sampled_from(["nearest", "bilinear", "linear"]))
    x = data.draw(S.arrays(shape))
    if mode == "linear":
        x = x[:, :, 0]
    dims = x.ndim - 2
    kw: dict = {"mode": mode}
    if data.draw(st.booleans()):
        kw["size"] = tuple(data.draw(st.integers(1, 9)) for _ in range(dims))
    else:
        factor = st.sampled_from([0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0])
        kw["scale_factor"] = tuple(data.draw(factor) for _ in range(dims))
        if min(int(n * f) for n, f in zip(x.shape[2:], kw["scale_factor"], strict=True)) < 1:
            kw["scale_factor"] = (2.0,) * dims
        kw["recompute_scale_factor"] = data.draw(st.sampled_from([None, True]))
    if mode != "nearest":
        kw["align_corners"] = data.draw(st.booleans())
    compare(torch, lambda t: F.interpolate(t, **kw),
            lambda t: torch.nn.functional.interpolate(t, **kw), x)


def test_max_pool_ties_nan_and_padding_as_torch(torch: Any) -> None:
    """Ties go to the first maximum in row-major order, the last NaN wins, and a window that
    holds only -inf (padding included) picks its first position inside the input."""
    tf = torch.nn.functional
    cases = [
        (np.ones((1, 1, 4, 4)), {"kernel_size": 2, "stride": 1}),
        (np.zeros((1, 1, 3, 3)), {"kernel_size": 3, "stride": 2, "padding": 1}),
        (np.array([[[[np.nan, 1.0], [np.nan, 1.0]]]]), {"kernel_size": 2}),
        (np.array([[[[2.0, np.nan, 5.0], [np.nan, 1.0, 3.0]]]]), {"kernel_size": (2, 2),
                                                                  "stride": 1}),
        (np.full((1, 1, 3, 3), -np.inf), {"kernel_size": 2, "stride": 2, "padding": 1}),
        (np.full((1, 1, 5, 5), -np.inf), {"kernel_size": 3, "stride": 2, "padding": 1,
                                          "dilation": 2, "ceil_mode": True}),
        # the first window lies wholly in the padding: -inf, pointing past the plane
        (np.zeros((1, 1, 1, 1)), {"kernel_size": (2, 1), "padding": (1, 0),
                                  "dilation": (2, 1), "stride": 1}),
        (np.ones((1, 1, 2, 1)), {"kernel_size": (2, 1), "padding": (1, 0),
                                 "dilation": (2, 1), "stride": 1}),
    ]
    for x, kw in cases:
        out, indices = F.max_pool2d(mg.Tensor(x), **kw, return_indices=True)
        ref, ref_indices = tf.max_pool2d(torch.tensor(x), **kw, return_indices=True)
        np.testing.assert_array_equal(indices.array, ref_indices.numpy(), err_msg=str(kw))
        np.testing.assert_array_equal(out.array, ref.numpy())


def test_max_pool_window_wholly_in_padding(torch: Any) -> None:
    """A dilated window with no tap inside the input gives -inf and, as in PyTorch, an index
    past its plane. Its gradient goes nowhere: PyTorch's CPU kernel adds it to an element of
    the next plane (here channel 1 gets channel 0's), which minigrad does not copy."""
    x = mg.Tensor(np.zeros((1, 2, 1, 1)), requires_grad=True)
    kw = {"kernel_size": (2, 1), "stride": 1, "padding": (1, 0), "dilation": (2, 1)}
    out, indices = F.max_pool2d(x, **kw, return_indices=True)
    ref, ref_indices = torch.nn.functional.max_pool2d(torch.zeros(1, 2, 1, 1), **kw,
                                                      return_indices=True)
    np.testing.assert_array_equal(out.array, ref.numpy())
    np.testing.assert_array_equal(indices.array, ref_indices.numpy())
    assert (out.array == -np.inf).all() and (indices.array == 1).all()
    out.backward(mg.ones(out.shape))
    assert (x.grad.array == 0).all()


def test_pool_indices_are_int64_and_unbatched_input_works(torch: Any) -> None:
    x = np.random.default_rng(0).standard_normal((2, 5, 5))
    out, indices = F.max_pool2d(mg.Tensor(x), 2, return_indices=True)
    ref, ref_indices = torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)
    assert indices.dtype == np.int64 and out.shape == tuple(ref.shape) == (2, 2, 2)
    np.testing.assert_array_equal(indices.array, ref_indices.numpy())


# *** fast paths, pinned to the plain ones ***
def test_scatter_of_unique_indices_equals_the_bincount_path() -> None:
    rng = np.random.default_rng(0)
    indices = np.stack([rng.permutation(12)[:5] for _ in range(6)]).reshape(2, 3, 5)
    g = mg.Tensor(rng.standard_normal((2, 3, 5)))
    plain = ScatterAdd.apply(g, indices, False, (2, 3, 3, 4))
    for unique, batch_last in ((True, False), (True, True), (False, True)):
        fast = ScatterAdd.apply(g, indices, unique, (2, 3, 3, 4), batch_last)
        np.testing.assert_array_equal(fast.array, plain.array)
        assert batch_last == (fast.array.strides[0] < fast.array.strides[1])


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1,
                                                    "ceil_mode": True}])
def test_max_pool_of_batch_innermost_input_equals_the_plain_layout(kw: dict) -> None:
    """conv2d's output keeps the batch innermost in memory, and max_pool2d keeps that layout:
    the same values, indices and gradient as on a C-ordered copy, ties and NaN included."""
    rng = np.random.default_rng(0)
    batch_last = rng.integers(-2, 3, (3, 7, 7, 4)).astype(float).transpose(3, 0, 1, 2)
    batch_last[1, 2, 3, 3] = np.nan
    results = []
    for array in (batch_last, np.ascontiguousarray(batch_last)):
        x = mg.Tensor._make(array).requires_grad_()
        out, indices = F.max_pool2d(x, **kw, return_indices=True)
        (out * mg.Tensor(np.arange(out.numel()).reshape(out.shape))).sum().backward()
        results.append((out.array, indices.array, x.grad.array))
    for a, b in zip(*results, strict=True):
        np.testing.assert_array_equal(a, b)


def test_weight_gradient_from_forwards_columns_equals_recomputed() -> None:
    rng = np.random.default_rng(0)
    x, g = mg.Tensor(rng.standard_normal((2, 4, 6, 5))), mg.Tensor(rng.standard_normal(
        (2, 6, 3, 4)))
    geo = Geometry((6, 5), (3, 4), (2, 2), (2, 1), (1, 1), ((1, 0), (0, 0)), 2)
    cached = ConvWeightGrad.apply(x, g, geo, _columns(x.array, geo))
    np.testing.assert_array_equal(cached.array, ConvWeightGrad.apply(x, g, geo, None).array)


# *** second derivatives through the conv ops' mutual backward passes ***
@pytest.mark.parametrize("fn", [
    lambda x, w: F.conv2d(x, w, stride=2, padding=1, groups=2),
    lambda x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1, groups=2),
    lambda x, w: F.avg_pool2d(x * w.sum(), 3, 2, 1, ceil_mode=True, count_include_pad=False),
], ids=["conv2d", "conv_transpose2d", "avg_pool2d"])
def test_gradgradcheck_conv_ops(fn: Any) -> None:
    rng = np.random.default_rng(0)
    x = mg.Tensor(rng.standard_normal((1, 2, 5, 4)), requires_grad=True)
    w = mg.Tensor(rng.standard_normal((2, 1, 2, 3)), requires_grad=True)
    assert gradgradcheck(fn, (x, w))


# *** errors name the sizes ***
@pytest.mark.parametrize("call, message", [
    (lambda: F.conv2d(mg.randn(1, 1, 4, 4), mg.randn(1, 1, 5, 5)),
     r"conv2d: input of spatial size \(4, 4\) \(padded \(4, 4\)\) is smaller than the dilated "
     r"kernel \(5, 5\): the output size would be \(0, 0\), below 1"),
    (lambda: F.conv2d(mg.randn(1, 3, 4, 4), mg.randn(4, 2, 1, 1), groups=2),
     r"conv2d: input has 3 channels but weight of shape \(4, 2, 1, 1\) with groups=2 "
     r"expects 2 x 2 = 4"),
    (lambda: F.conv2d(mg.randn(1, 4, 4, 4), mg.randn(3, 2, 1, 1), groups=2),
     r"conv2d: weight's dim 0 \(3\) is not divisible by groups=2"),
    (lambda: F.conv2d(mg.randn(4, 4), mg.randn(1, 1, 1, 1)),
     r"conv2d: expected a 3-D \(unbatched\) or 4-D \(batched\) input of shape \(N, C, H, W\), "
     r"got shape \(4, 4\)"),
    (lambda: F.conv1d(mg.randn(1, 2, 3, 4), mg.randn(1, 2, 1)), r"conv1d: expected a 2-D"),
    (lambda: F.conv2d(mg.randn(1, 1, 4, 4), mg.randn(1, 1, 3, 3), stride=2, padding="same"),
     r"padding='same' is not supported for strided convolutions"),
    (lambda: F.conv2d(mg.randn(1, 1, 4, 4), mg.randn(1, 1, 3, 3), bias=mg.randn(2)),
     r"conv2d: bias must have shape \(1,\), got \(2,\)"),
    (lambda: F.conv2d(mg.randn(1, 1, 4, 4), mg.randn(1, 1, 3, 3), stride=0),
     r"conv2d: stride must be at least 1, got 0"),
    (lambda: F.max_pool2d(mg.randn(1, 1, 5, 5), 7),
     r"max_pool2d: input of spatial size \(5, 5\) \(padded \(5, 5\)\) is smaller than the "
     r"dilated kernel \(7, 7\)"),
    (lambda: F.max_pool2d(mg.randn(1, 1, 5, 5), 3, padding=2),
     r"max_pool2d: padding should be at most half of the kernel size, got "
     r"padding=\(2, 2\) and kernel_size=\(3, 3\)"),
    (lambda: F.avg_pool2d(mg.randn(5), 2), r"avg_pool2d: expected a 3-D"),
    (lambda: F.max_pool1d(mg.randn(2, 2, 2, 2), 2), r"max_pool1d: expected a 2-D"),
    (lambda: F.conv_transpose2d(mg.randn(1, 2, 3, 3), mg.randn(2, 1, 3, 3), stride=2,
                                output_padding=2),
     r"output_padding \(2, 2\) must be smaller than either stride \(2, 2\) or dilation"),
    (lambda: F.fold(mg.randn(1, 4, 5), (3, 3), 2),
     r"fold: input has 5 blocks but output_size \(3, 3\) .* makes 2 x 2 = 4"),
    (lambda: F.interpolate(mg.randn(1, 1, 3, 3), size=4, align_corners=True),
     r"align_corners can only be set with the interpolating modes"),
    (lambda: F.adaptive_avg_pool2d(mg.randn(1, 1, 3, 3), -1), r"output_size must be at least 0"),
    (lambda: nn.Conv2d(3, 4, 3, groups=2), r"Conv2d: in_channels \(3\) must be divisible by "
                                           r"groups \(2\)"),
])
def test_impossible_geometry_is_refused_with_the_sizes(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_mixed_dtypes_are_refused_as_in_pytorch() -> None:
    x, w = mg.randn(1, 1, 3, 3), mg.randn(1, 1, 2, 2)
    with pytest.raises(TypeError, match=r"conv2d: input \(float64\) and weight \(float32\)"):
        F.conv2d(x.double(), w)
    with pytest.raises(TypeError, match=r"conv_transpose2d: input \(float32\) and bias"):
        F.conv_transpose2d(x, w, mg.randn(1).double())


# *** modules ***
def test_conv_init_matches_pytorchs_bounds() -> None:
    """kaiming_uniform_(a=sqrt(5)) gives U(+-1/sqrt(fan_in)), the bias the same bound."""
    mg.manual_seed(0)
    conv = nn.Conv2d(6, 16, 5)
    bound = 1 / np.sqrt(6 * 25)
    for p in (conv.weight, conv.bias):
        assert p.dtype == np.float32 and np.abs(p.array).max() <= bound
    assert np.abs(conv.weight.array).max() > 0.9 * bound
    transposed = nn.ConvTranspose2d(4, 6, 3, groups=2)  # fan_in = weight.shape[1] * 9 = 27
    assert transposed.weight.shape == (4, 3, 3, 3)
    assert np.abs(transposed.bias.array).max() <= 1 / np.sqrt(27)


def torch_lenet(torch: Any) -> Any:
    tnn = torch.nn

    class LeNet(tnn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1, self.conv2 = tnn.Conv2d(1, 6, 5, padding=2), tnn.Conv2d(6, 16, 5)
            self.pool = tnn.MaxPool2d(2)
            self.fc1, self.fc2, self.fc3 = (tnn.Linear(400, 120), tnn.Linear(120, 84),
                                            tnn.Linear(84, 10))

        def forward(self, x: Any) -> Any:
            x = self.pool(self.conv1(x).relu())
            x = self.pool(self.conv2(x).relu())
            return self.fc3(self.fc2(self.fc1(x.flatten(1)).relu()).relu())

    return LeNet()


def test_pytorch_lenet_state_dict_loads_and_gives_the_same_logits(torch: Any) -> None:
    from models.lenet import LeNet

    theirs = torch_lenet(torch).double()
    ours = LeNet(dtype=np.float64)
    state = {k: v.numpy() for k, v in theirs.state_dict().items()}
    assert list(state) == list(ours.state_dict())
    ours.load_state_dict(state)
    x = np.random.default_rng(0).random((3, 1, 28, 28))
    np.testing.assert_allclose(ours(mg.Tensor(x)).array, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    assert sum(p.numel() for p in ours.parameters()) == 61706


def test_module_forms_match_functional(torch: Any) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 6, 6))
    tnn = torch.nn
    pairs = [(nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2, dtype=np.float64),
              tnn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2).double()),
             (nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1, dtype=np.float64),
              tnn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1).double()),
             (nn.MaxPool2d(3, 2, 1, ceil_mode=True), tnn.MaxPool2d(3, 2, 1, ceil_mode=True)),
             (nn.AvgPool2d(2, count_include_pad=False), tnn.AvgPool2d(2,
                                                                      count_include_pad=False)),
             (nn.AdaptiveAvgPool2d((2, 3)), tnn.AdaptiveAvgPool2d((2, 3))),
             (nn.AdaptiveMaxPool2d(4), tnn.AdaptiveMaxPool2d(4))]
    for ours, theirs in pairs:
        if ours.state_dict():
            ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
        np.testing.assert_allclose(ours(mg.Tensor(x)).array,
                                   theirs(torch.tensor(x)).detach().numpy(), **TOL)
    conv1d, ref1d = nn.Conv1d(4, 3, 3, padding="same", dtype=np.float64), tnn.Conv1d(
        4, 3, 3, padding="same").double()
    conv1d.load_state_dict({k: v.numpy() for k, v in ref1d.state_dict().items()})
    np.testing.assert_allclose(conv1d(mg.Tensor(x[:, :, 0])).array,
                               ref1d(torch.tensor(x[:, :, 0])).detach().numpy(), **TOL)


def test_batchnorm2d_matches_torch_in_training_and_evaluation(torch: Any) -> None:
    rng = np.random.default_rng(0)
    ours, theirs = nn.BatchNorm2d(3, dtype=np.float64), torch.nn.BatchNorm2d(3).double()
    for _ in range(2):
        x = rng.standard_normal((4, 3, 5, 5)) * 2 + 1
        np.testing.assert_allclose(ours(mg.Tensor(x)).array,
                                   theirs(torch.tensor(x)).detach().numpy(), **TOL)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), **TOL)
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(ours(mg.Tensor(x)).array, theirs(torch.tensor(x)).detach().numpy(),
                               **TOL)
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\): expected input of shape"):
        ours(mg.randn(4, 3, 5))


def test_dropout2d_zeroes_whole_channels() -> None:
    mg.manual_seed(0)
    layer = nn.Dropout2d(0.5)
    out = layer(mg.ones(8, 16, 3, 3)).array
    per_channel = out.reshape(8, 16, 9)
    assert ((per_channel == 0).all(-1) | (per_channel == 2).all(-1)).all()
    assert 0.3 < (per_channel[..., 0] == 0).mean() < 0.7
    layer.eval()
    assert (layer(mg.ones(2, 3, 2, 2)).array == 1).all()
