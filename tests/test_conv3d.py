"""Volumes and unpooling against PyTorch: conv3d, conv_transpose3d, the 3-d pools and
max_unpool1d/2d/3d (values, indices and vector-Jacobian products over hypothesis-drawn
geometry, float64), unbatched and empty batches, the errors where PyTorch raises, the modules,
and a compiled Conv3d training step replayed bit for bit.

Gradient and second-derivative checks of every op are rows of the op table in test_ops.py."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.testing import strategies as S
from tests.test_bad_input import raised_by_minigrad, run, same_meaning
from tests.test_compile import assert_bitwise, train
from tests.test_conv import (
    TIES,
    compare,
    conv_case,
    conv_transpose_case,
    pool_case,
    window_in_padding,
)


# *** convolutions ***
@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's note on its own speed
@settings(max_examples=15)
@given(case=conv_case(dims=3, max_kernel=3))
def test_conv3d_matches_torch(case: dict, torch: Any) -> None:
    kw = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    arrays = [case["x"], case["w"]] + ([case["b"]] if case["b"] is not None else [])
    compare(torch, lambda *t: F.conv3d(*t, **kw),
            lambda *t: torch.nn.functional.conv3d(*t, **kw), *arrays)


@settings(max_examples=15)
@given(case=conv_transpose_case(dims=3))
def test_conv_transpose3d_matches_torch(case: dict, torch: Any) -> None:
    kw = {k: v for k, v in case.items() if k not in ("x", "w", "b")}
    compare(torch, lambda *t: F.conv_transpose3d(*t, **kw),
            lambda *t: torch.nn.functional.conv_transpose3d(*t, **kw),
            case["x"], case["w"], case["b"])


# *** pools ***
@settings(max_examples=20)
@given(case=pool_case(values=TIES, dims=3))
def test_max_pool3d_matches_torch_with_ties(case: dict, torch: Any) -> None:
    """Values, indices (flat positions in each volume) and where the gradient goes."""
    assume(not window_in_padding(case))
    x = case.pop("x")
    compare(torch, lambda t: F.max_pool3d(t, **case, return_indices=True),
            lambda t: torch.nn.functional.max_pool3d(t, **case, return_indices=True), x,
            n_outputs=2)


@settings(max_examples=15)
@given(case=pool_case(dilation=False, dims=3), include=st.booleans(),
       override=st.sampled_from([None, 3]))
def test_avg_pool3d_matches_torch(case: dict, include: bool, override: int | None,
                                  torch: Any) -> None:
    """Also where PyTorch's 3-d average pool (unlike the 2-d one) refuses a kernel larger than
    the unpadded input."""
    x = case.pop("x")
    kw = {**case, "count_include_pad": include, "divisor_override": override}
    if any(n < k for n, k in zip(x.shape[2:], case["kernel_size"], strict=True)):
        with pytest.raises(RuntimeError):
            torch.nn.functional.avg_pool3d(torch.tensor(x), **kw)
        with pytest.raises(ValueError, match="avg_pool3d: input of spatial size"):
            F.avg_pool3d(mg.Tensor(x), **kw)
        return
    compare(torch, lambda t: F.avg_pool3d(t, **kw),
            lambda t: torch.nn.functional.avg_pool3d(t, **kw), x)


@settings(max_examples=15)
@given(shape=S.shapes(5, 5, max_side=5), data=st.data())
def test_adaptive_pools3d_match_torch(shape: tuple, data: st.DataObject, torch: Any) -> None:
    size = tuple(data.draw(st.one_of(st.none(), st.integers(1, n + 2))) for n in shape[2:])
    x = data.draw(S.arrays(shape, TIES))
    compare(torch, lambda t: F.adaptive_avg_pool3d(t, size),
            lambda t: torch.nn.functional.adaptive_avg_pool3d(t, size), x)
    compare(torch, lambda t: F.adaptive_max_pool3d(t, size, return_indices=True),
            lambda t: torch.nn.functional.adaptive_max_pool3d(t, size, return_indices=True),
            x, n_outputs=2)


def test_max_pool3d_ties_nan_and_padding_as_torch(torch: Any) -> None:
    """The first maximum in (d, h, w) order, the last NaN, and a window of -inf picks its first
    position inside the volume."""
    nan = np.zeros((1, 1, 2, 2, 2))
    nan[0, 0, 0, 1, 0] = nan[0, 0, 1, 0, 1] = np.nan
    cases = [(np.ones((1, 1, 3, 3, 3)), {"kernel_size": 2, "stride": 1}),
             (nan, {"kernel_size": 2}),
             (np.full((1, 1, 3, 3, 3), -np.inf), {"kernel_size": 2, "padding": 1}),
             (np.full((1, 1, 5, 4, 5), -np.inf), {"kernel_size": 3, "stride": 2, "padding": 1,
                                                  "dilation": 2, "ceil_mode": True})]
    for x, kw in cases:
        out, indices = F.max_pool3d(mg.Tensor(x), **kw, return_indices=True)
        ref, ref_indices = torch.nn.functional.max_pool3d(torch.tensor(x), **kw,
                                                          return_indices=True)
        np.testing.assert_array_equal(indices.array, ref_indices.numpy(), err_msg=str(kw))
        np.testing.assert_array_equal(out.array, ref.numpy())


def test_max_pool3d_of_conv3d_output_equals_the_plain_layout() -> None:
    """conv3d's output keeps the batch innermost in memory, as conv2d's does; max_pool3d gives
    the same values, indices and gradient on it as on a C-ordered copy."""
    rng = np.random.default_rng(0)
    x = mg.Tensor(rng.integers(-2, 3, (3, 2, 5, 5, 5)).astype(float))
    w = mg.Tensor(rng.integers(-1, 2, (2, 2, 2, 2, 2)).astype(float))
    conv = F.conv3d(x, w).array
    assert conv.strides[0] < min(conv.strides[1:])
    results = []
    for array in (conv, np.ascontiguousarray(conv)):
        y = mg.Tensor._make(array).requires_grad_()
        out, indices = F.max_pool3d(y, 3, 2, 1, ceil_mode=True, return_indices=True)
        (out * mg.Tensor(np.arange(out.numel()).reshape(out.shape))).sum().backward()
        results.append((out.array, indices.array, y.grad.array))
    for a, b in zip(*results, strict=True):
        np.testing.assert_array_equal(a, b)


# *** unpooling ***
@settings(max_examples=20)
@given(dims=st.integers(1, 3), data=st.data())
def test_max_unpool_of_max_pool_matches_torch(dims: int, data: st.DataObject,
                                              torch: Any) -> None:
    """minigrad's max_pool indices equal torch's flat indices, and max_unpool scatters the
    pooled values back to them (to the default size, or to the input's size as output_size
    when torch accepts it) with the same values and gradients."""
    case = data.draw(pool_case(dilation=False, dims=dims))
    x = case.pop("x")
    geometry = {k: case[k] for k in ("kernel_size", "stride", "padding")}
    pool, unpool = f"max_pool{dims}d", f"max_unpool{dims}d"
    pooled, indices = getattr(F, pool)(mg.Tensor(x), **case, return_indices=True)
    ref, ref_indices = getattr(torch.nn.functional, pool)(torch.tensor(x), **case,
                                                          return_indices=True)
    np.testing.assert_array_equal(indices.array, ref_indices.numpy())
    sizes = [None, x.shape[2:]] if data.draw(st.booleans()) else [None, x.shape]
    for size in sizes:
        def ref_fn(t: Any, size: Any = size) -> Any:
            return getattr(torch.nn.functional, unpool)(t, ref_indices, **geometry,
                                                        output_size=size)

        expected, error, _ = run(lambda L, f=ref_fn: f(torch.tensor(ref.numpy())), torch)
        if error is not None:  # an index past the default size, or output_size out of range
            with pytest.raises((ValueError, TypeError)):
                getattr(F, unpool)(pooled, indices, **geometry, output_size=size)
            continue
        if not expected.size:  # an empty output (whose backward fails in PyTorch)
            out = getattr(F, unpool)(pooled, indices, **geometry, output_size=size)
            assert out.shape == expected.shape
            continue
        compare(torch, lambda t, size=size: getattr(F, unpool)(t, indices, **geometry,
                                                              output_size=size),
                ref_fn, pooled.array)


def test_max_unpool_of_repeated_indices_gathers_each_values_gradient(torch: Any) -> None:
    """Two values sent to one position: one of them is written (which one PyTorch leaves
    unspecified; minigrad writes the last), and each value's gradient is read from that
    position, as PyTorch's backward does."""
    x, idx = np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), np.array([[[[0, 0], [5, 0]]]])
    g = np.random.default_rng(0).standard_normal((1, 1, 4, 4))
    mine = mg.Tensor(x, requires_grad=True)
    out = F.max_unpool2d(mine, mg.tensor(idx), 2)
    assert out.array[0, 0, 0, 0] == 4.0 and out.array[0, 0, 1, 1] == 3.0
    assert np.count_nonzero(out.array) == 2
    out.backward(mg.Tensor(g))
    theirs = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_unpool2d(theirs, torch.tensor(idx), 2).backward(torch.tensor(g))
    np.testing.assert_array_equal(mine.grad.array, theirs.grad.numpy())


# *** the other volumetric pieces: resizing, batch norm, power pooling; and 1-d adaptive max ***
@settings(max_examples=15)
@given(shape=S.shapes(5, 5, max_side=4), data=st.data())
def test_interpolate_volumes_matches_torch(shape: tuple, data: st.DataObject,
                                           torch: Any) -> None:
    kw: dict = {"mode": data.draw(st.sampled_from(["nearest", "trilinear"]))}
    if data.draw(st.booleans()):
        kw["size"] = tuple(data.draw(st.integers(1, 6)) for _ in range(3))
    else:
        kw["scale_factor"] = tuple(data.draw(st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]))
                                   for _ in range(3))
        if min(int(n * f) for n, f in zip(shape[2:], kw["scale_factor"], strict=True)) < 1:
            kw["scale_factor"] = 2.0
    if kw["mode"] == "trilinear":
        kw["align_corners"] = data.draw(st.booleans())
    compare(torch, lambda t: F.interpolate(t, **kw),
            lambda t: torch.nn.functional.interpolate(t, **kw), data.draw(S.arrays(shape)))
    compare(torch, lambda t: nn.Upsample(**kw)(t), lambda t: torch.nn.Upsample(**kw)(t),
            data.draw(S.arrays(shape)))


def test_batchnorm3d_matches_torch_in_training_and_evaluation(torch: Any) -> None:
    rng = np.random.default_rng(0)
    mine, theirs = nn.BatchNorm3d(3, momentum=None).double(), torch.nn.BatchNorm3d(
        3, momentum=None).double()
    assert repr(mine) == repr(theirs)
    for step in range(3):
        if step == 2:
            mine.eval(), theirs.eval()
        x = rng.standard_normal((2, 3, 2, 3, 2)) * (step + 1)
        compare(torch, mine, theirs, x)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(mine, name).array, getattr(theirs, name).numpy())


@settings(max_examples=15)
@given(case=pool_case(dilation=False, dims=3, values=S.positive(0.1, 2)),
       p=st.sampled_from([1, 2, 3.5]))
def test_lp_pool3d_matches_torch(case: dict, p: float, torch: Any) -> None:
    x = case.pop("x")
    kw = {k: case[k] for k in ("kernel_size", "stride", "ceil_mode")}
    assume(all(n >= k for n, k in zip(x.shape[2:], kw["kernel_size"], strict=True)))
    compare(torch, lambda t: nn.LPPool3d(p, **kw)(t), lambda t: torch.nn.LPPool3d(p, **kw)(t),
            x)


@settings(max_examples=15)
@given(shape=S.shapes(2, 3, max_side=7), data=st.data())
def test_adaptive_max_pool1d_matches_torch(shape: tuple, data: st.DataObject,
                                           torch: Any) -> None:
    size = data.draw(st.integers(1, shape[-1] + 2))
    compare(torch, lambda t: nn.AdaptiveMaxPool1d(size, return_indices=True)(t),
            lambda t: torch.nn.AdaptiveMaxPool1d(size, return_indices=True)(t),
            data.draw(S.arrays(shape, TIES)), n_outputs=2)


# *** unbatched input and empty batches, as PyTorch takes them ***
CALLS = {
    "conv3d": lambda L, x: L.nn.functional.conv3d(x, L.ones(3, 2, 2, 1, 2, dtype=L.float64),
                                                  padding=(1, 0, 0), stride=(2, 1, 1)),
    "conv_transpose3d": lambda L, x: L.nn.functional.conv_transpose3d(
        x, L.ones(2, 3, 2, 1, 2, dtype=L.float64), stride=2, output_padding=(1, 0, 0)),
    "max_pool3d": lambda L, x: L.nn.functional.max_pool3d(x, 2, 1, 1, return_indices=True),
    "avg_pool3d": lambda L, x: L.nn.functional.avg_pool3d(x, (2, 3, 2), ceil_mode=True),
    "adaptive_avg_pool3d": lambda L, x: L.nn.functional.adaptive_avg_pool3d(x, (2, 1, 3)),
    "adaptive_max_pool3d": lambda L, x: L.nn.functional.adaptive_max_pool3d(
        x, (1, 2, 2), return_indices=True),
    "max_unpool3d": lambda L, x: L.nn.functional.max_unpool3d(
        *L.nn.functional.max_pool3d(x, 2, return_indices=True), 2, output_size=x.shape[-3:]),
    "max_unpool2d": lambda L, x: L.nn.functional.max_unpool2d(
        *L.nn.functional.max_pool2d(x[..., 0, :, :], 2, return_indices=True), 2,
        output_size=x.shape[-2:]),
    "max_unpool1d": lambda L, x: L.nn.functional.max_unpool1d(
        *L.nn.functional.max_pool1d(x[..., 0, 0, :], 2, return_indices=True), 2),
}


@pytest.mark.parametrize("batch", [None, 0, 2], ids=["unbatched", "empty", "batched"])
@pytest.mark.parametrize("name", sorted(CALLS))
def test_unbatched_and_empty_batches_match_torch(name: str, batch: int | None,
                                                 torch: Any) -> None:
    shape = (2, 4, 5, 5) if batch is None else (batch, 2, 4, 5, 5)
    x = np.random.default_rng(0).standard_normal(shape)
    mine, theirs = CALLS[name](mg, mg.tensor(x)), CALLS[name](torch, torch.tensor(x))
    mine = mine if isinstance(mine, tuple) else (mine,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    for m, t in zip(mine, theirs, strict=True):
        assert m.shape == tuple(t.shape) and m.dtype == t.numpy().dtype
        np.testing.assert_allclose(m.array, t.numpy(), rtol=1e-12, atol=1e-12)


# *** bad input: where PyTorch raises, minigrad raises its own error naming the values ***
def vol(L: Any, *shape: int, dtype: Any = None) -> Any:
    return L.ones(*shape, dtype=L.float32 if dtype is None else dtype)


def idx(L: Any, *shape: int) -> Any:
    return L.zeros(*shape, dtype=L.int64)


BAD = [
    ("conv3d-4d-weight", lambda L: L.nn.functional.conv3d(
        vol(L, 1, 2, 4, 4, 4), vol(L, 1, 2, 2, 2)),
     r"conv3d: expected a 5-D weight, got shape \(1, 2, 2, 2\)"),
    ("conv3d-3d-input", lambda L: L.nn.functional.conv3d(
        vol(L, 4, 4, 4), vol(L, 1, 4, 2, 2, 2)),
     r"conv3d: expected a 4-D \(unbatched\) or 5-D \(batched\) input of shape "
     r"\(N, C, D, H, W\), got shape \(4, 4, 4\)"),
    ("conv3d-kernel-too-big", lambda L: L.nn.functional.conv3d(
        vol(L, 1, 1, 4, 4, 4), vol(L, 1, 1, 5, 2, 2)),
     r"conv3d: input of spatial size \(4, 4, 4\) \(padded \(4, 4, 4\)\) is smaller than the "
     r"dilated kernel \(5, 2, 2\)"),
    ("conv3d-stride-0", lambda L: L.nn.functional.conv3d(
        vol(L, 1, 1, 4, 4, 4), vol(L, 1, 1, 2, 2, 2), stride=0),
     r"conv3d: stride must be at least 1, got 0"),
    ("conv3d-stride-pair", lambda L: L.nn.functional.conv3d(
        vol(L, 1, 1, 4, 4, 4), vol(L, 1, 1, 2, 2, 2), stride=(1, 1)),
     r"conv3d: stride must be an int or a tuple of 3 ints, got \(1, 1\)"),
    ("conv3d-groups", lambda L: L.nn.functional.conv3d(
        vol(L, 1, 4, 4, 4, 4), vol(L, 3, 2, 2, 2, 2), groups=2),
     r"conv3d: weight's dim 0 \(3\) is not divisible by groups=2"),
    ("conv3d-channels", lambda L: L.nn.functional.conv3d(
        vol(L, 1, 3, 4, 4, 4), vol(L, 4, 2, 2, 2, 2), groups=2),
     r"conv3d: input has 3 channels but weight of shape \(4, 2, 2, 2, 2\) with groups=2 "
     r"expects 2 x 2 = 4"),
    ("conv3d-same-strided", lambda L: L.nn.functional.conv3d(
        vol(L, 1, 1, 4, 4, 4), vol(L, 1, 1, 2, 2, 2), stride=2, padding="same"),
     r"conv3d: padding='same' is not supported for strided convolutions"),
    ("conv3d-dtypes", lambda L: L.nn.functional.conv3d(
        vol(L, 1, 1, 4, 4, 4), vol(L, 1, 1, 2, 2, 2, dtype=L.float64)),
     r"conv3d: input \(float32\) and weight \(float64\) must have the same dtype"),
    ("Conv3d-groups", lambda L: L.nn.Conv3d(3, 4, 2, groups=2),
     r"Conv3d: in_channels \(3\) must be divisible by groups \(2\)"),
    ("conv_transpose3d-channels", lambda L: L.nn.functional.conv_transpose3d(
        vol(L, 1, 3, 3, 3, 3), vol(L, 2, 1, 2, 2, 2)),
     r"conv_transpose3d: input has 3 channels but weight of shape \(2, 1, 2, 2, 2\) "
     r"expects 2"),
    ("conv_transpose3d-output-padding", lambda L: L.nn.functional.conv_transpose3d(
        vol(L, 1, 2, 3, 3, 3), vol(L, 2, 1, 2, 2, 2), stride=2, output_padding=2),
     r"conv_transpose3d: output_padding \(2, 2, 2\) must be smaller than either stride "
     r"\(2, 2, 2\) or dilation \(1, 1, 1\)"),
    ("max_pool3d-2d-input", lambda L: L.nn.functional.max_pool3d(vol(L, 4, 4), 2),
     r"max_pool3d: expected a 4-D \(unbatched\) or 5-D \(batched\) input"),
    ("max_pool3d-kernel-too-big", lambda L: L.nn.functional.max_pool3d(
        vol(L, 1, 2, 4, 4, 4), 5),
     r"max_pool3d: input of spatial size \(4, 4, 4\) \(padded \(4, 4, 4\)\) is smaller than "
     r"the dilated kernel \(5, 5, 5\)"),
    ("max_pool3d-stride-0", lambda L: L.nn.functional.max_pool3d(
        vol(L, 1, 2, 4, 4, 4), 2, stride=0),
     r"max_pool3d: stride must be at least 1, got 0"),
    ("avg_pool3d-padding", lambda L: L.nn.functional.avg_pool3d(
        vol(L, 1, 1, 4, 4, 4), 2, padding=2),
     r"avg_pool3d: padding should be at most half of the kernel size, got "
     r"padding=\(2, 2, 2\) and kernel_size=\(2, 2, 2\)"),
    ("avg_pool3d-divisor-0", lambda L: L.nn.functional.avg_pool3d(
        vol(L, 1, 1, 4, 4, 4), 2, divisor_override=0),
     r"avg_pool3d: divisor_override must be a nonzero int, got 0"),
    ("adaptive_avg_pool3d-3d-input", lambda L: L.nn.functional.adaptive_avg_pool3d(
        vol(L, 4, 4, 4), 2), r"adaptive_avg_pool3d: expected a 4-D"),
    ("adaptive_max_pool3d-pair", lambda L: L.nn.functional.adaptive_max_pool3d(
        vol(L, 1, 1, 4, 4, 4), (2, 2)),
     r"adaptive_max_pool3d: output_size must be an int or a tuple of 3, got \(2, 2\)"),
    ("adaptive_avg_pool3d-int", lambda L: L.nn.functional.adaptive_avg_pool3d(
        vol(L, 1, 1, 4, 4, 4, dtype=L.int64), 2),
     r"adaptive_avg_pool3d: needs a floating point tensor, got int64"),
    ("max_unpool2d-index-past-end", lambda L: L.nn.functional.max_unpool2d(
        vol(L, 1, 1, 2, 2), L.tensor([[[[0, 1], [2, 30]]]]), 2),
     r"max_unpool2d: index 30 is outside the output of spatial size \(4, 4\) \(indices run "
     r"from 0 to 15\)"),
    ("max_unpool2d-negative-index", lambda L: L.nn.functional.max_unpool2d(
        vol(L, 1, 1, 2, 2), L.tensor([[[[0, 1], [2, -1]]]]), 2),
     r"max_unpool2d: index -1 is outside"),
    ("max_unpool2d-int32-indices", lambda L: L.nn.functional.max_unpool2d(
        vol(L, 1, 1, 2, 2), idx(L, 1, 1, 2, 2).int(), 2),
     r"max_unpool2d: indices must be an int64 tensor .* got int32"),
    ("max_unpool2d-indices-shape", lambda L: L.nn.functional.max_unpool2d(
        vol(L, 1, 1, 2, 2), idx(L, 1, 1, 4), 2),
     r"max_unpool2d: indices of shape \(1, 1, 4\) must have the input's shape \(1, 1, 2, 2\)"),
    ("max_unpool2d-output-size-range", lambda L: L.nn.functional.max_unpool2d(
        vol(L, 1, 1, 2, 2), idx(L, 1, 1, 2, 2), 2, output_size=(6, 6)),
     r"max_unpool2d: invalid output_size \(6, 6\) \(dim 0 must be between 2 and 6, "
     r"exclusive\)"),
    ("max_unpool2d-output-size-length", lambda L: L.nn.functional.max_unpool2d(
        vol(L, 1, 1, 2, 2), idx(L, 1, 1, 2, 2), 2, output_size=(1, 5, 5)),
     r"max_unpool2d: output_size must hold 2 or 4 ints, got \(1, 5, 5\)"),
    ("max_unpool2d-2d-input", lambda L: L.nn.functional.max_unpool2d(
        vol(L, 2, 2), idx(L, 2, 2), 2), r"max_unpool2d: expected a 3-D"),
    ("max_unpool3d-3d-input", lambda L: L.nn.functional.max_unpool3d(
        vol(L, 2, 2, 2), idx(L, 2, 2, 2), 2), r"max_unpool3d: expected a 4-D"),
    ("max_unpool1d-1d-input", lambda L: L.nn.functional.max_unpool1d(
        vol(L, 2), idx(L, 2), 2), r"max_unpool1d: expected a 2-D"),
    ("BatchNorm3d-4d-input", lambda L: L.nn.BatchNorm3d(2)(vol(L, 2, 2, 3, 3)),
     r"BatchNorm3d\(2\): expected input of shape \(N, 2, D, H, W\), got \(2, 2, 3, 3\)"),
    ("lp_pool3d-kernel-pair", lambda L: L.nn.functional.lp_pool3d(vol(L, 1, 1, 4, 4, 4), 2,
                                                                  (2, 2)),
     r"lp_pool3d: kernel_size must be an int or a tuple of 3 ints, got \(2, 2\)"),
    ("Conv3d-reflect-too-big", lambda L: L.nn.Conv3d(1, 1, 3, padding=3, padding_mode="reflect")(
        vol(L, 1, 1, 3, 3, 3)), r"pad"),
    ("Conv3d-padding-mode", lambda L: L.nn.Conv3d(1, 1, 3, padding_mode="mirror"),
     r"Conv3d: padding_mode must be one of \('zeros', 'reflect', 'replicate', 'circular'\), "
     r"got 'mirror'"),
    ("ConvTranspose3d-padding-mode", lambda L: L.nn.ConvTranspose3d(1, 1, 3,
                                                                    padding_mode="reflect"),
     r"ConvTranspose3d: only padding_mode='zeros' is supported for transposed convolutions"),
    ("interpolate-int-input", lambda L: L.nn.functional.interpolate(
        vol(L, 1, 1, 2, 2, 2, dtype=L.int64), scale_factor=2, mode="trilinear"),
     r"interpolate: needs a floating point tensor, got int64"),
    ("max_unpool2d-int-input", lambda L: L.nn.functional.max_unpool2d(
        vol(L, 1, 1, 2, 2, dtype=L.int64), idx(L, 1, 1, 2, 2), 2),
     r"max_unpool2d: needs a floating point tensor, got int64"),
]


@pytest.mark.parametrize("call, message", [pytest.param(c, m, id=n) for n, c, m in BAD])
def test_bad_input_is_refused_where_torch_refuses_it(call: Any, message: str,
                                                     torch: Any) -> None:
    _, theirs, _ = run(call, torch)
    _, mine, _ = run(call, mg)
    assert theirs is not None, "torch accepts this call"
    assert mine is not None and same_meaning(mine, theirs), (mine, theirs)
    assert raised_by_minigrad(mine), mine
    assert re.search(message, str(mine)), str(mine)


# *** modules ***
def test_modules_match_torch_with_its_state_dict(torch: Any) -> None:
    """Conv3d and ConvTranspose3d load PyTorch's state dict and give the same outputs; the
    pools and unpools as modules, and every repr, as PyTorch's."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 5, 6, 5)).astype(np.float32)
    pairs = [
        (nn.Conv3d(4, 6, (2, 3, 2), stride=(1, 2, 1), padding=1, dilation=(2, 1, 1), groups=2),
         torch.nn.Conv3d(4, 6, (2, 3, 2), stride=(1, 2, 1), padding=1, dilation=(2, 1, 1),
                         groups=2)),
        (nn.Conv3d(4, 2, 3, padding="same", bias=False),
         torch.nn.Conv3d(4, 2, 3, padding="same", bias=False)),
        (nn.ConvTranspose3d(4, 2, 3, stride=2, padding=1, output_padding=(1, 0, 1)),
         torch.nn.ConvTranspose3d(4, 2, 3, stride=2, padding=1, output_padding=(1, 0, 1))),
        (nn.MaxPool3d(2, 1, 1, ceil_mode=True), torch.nn.MaxPool3d(2, 1, 1, ceil_mode=True)),
        (nn.AvgPool3d(3, 2, 1, count_include_pad=False),
         torch.nn.AvgPool3d(3, 2, 1, count_include_pad=False)),
        (nn.AdaptiveAvgPool3d((2, None, 1)), torch.nn.AdaptiveAvgPool3d((2, None, 1))),
        (nn.AdaptiveMaxPool3d(2), torch.nn.AdaptiveMaxPool3d(2)),
    ]
    for mine, theirs in pairs:
        assert repr(mine) == repr(theirs)
        state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
        mine.load_state_dict({k: mg.tensor(v) for k, v in state.items()})
        out, ref = mine(mg.tensor(x)), theirs(torch.tensor(x))
        np.testing.assert_allclose(out.array, ref.detach().numpy(), rtol=1e-5, atol=1e-5)
    for dims in (1, 2, 3):
        pool = getattr(torch.nn, f"MaxPool{dims}d")(2, return_indices=True)
        mine_unpool = getattr(nn, f"MaxUnpool{dims}d")(2)
        theirs_unpool = getattr(torch.nn, f"MaxUnpool{dims}d")(2)
        assert repr(mine_unpool) == repr(theirs_unpool)
        sample = torch.tensor(x[(0,) * (3 - dims)])
        pooled, indices = pool(sample)
        ref = theirs_unpool(pooled, indices, output_size=sample.shape)
        out = mine_unpool(mg.tensor(pooled.numpy()), mg.tensor(indices.numpy()),
                          output_size=sample.shape)
        np.testing.assert_array_equal(out.array, ref.numpy())


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("dims", [1, 2, 3])
def test_conv_padding_modes_match_torch(dims: int, mode: str, torch: Any) -> None:
    """padding_mode pads the input with F.pad in that mode, then convolves without padding:
    asymmetric 'same' padding, unbatched input and the input's gradient included."""
    rng = np.random.default_rng(dims)
    for kw in ({"padding": "same", "dilation": 2, "kernel_size": 2},
               {"padding": tuple(range(1, dims + 1)), "stride": 2, "kernel_size": 3}):
        theirs = getattr(torch.nn, f"Conv{dims}d")(2, 3, padding_mode=mode, **kw).double()
        mine = getattr(nn, f"Conv{dims}d")(2, 3, padding_mode=mode, **kw).double()
        mine.load_state_dict({k: mg.tensor(v.detach().numpy())
                              for k, v in theirs.state_dict().items()})
        assert repr(mine) == repr(theirs)
        x = rng.standard_normal((2, 2) + (5,) * dims)
        compare(torch, mine, theirs, x)
        compare(torch, mine, theirs, x[0])


def test_conv3d_init_matches_pytorchs_bounds() -> None:
    """kaiming_uniform_(a=sqrt(5)): weight and bias within 1/sqrt(fan_in), fan_in =
    in_channels / groups * kd * kh * kw."""
    mg.manual_seed(0)
    for layer in (nn.Conv3d(4, 6, (2, 3, 2), groups=2), nn.ConvTranspose3d(4, 6, 3)):
        bound = 1 / np.sqrt(layer.weight.shape[1] * np.prod(layer.kernel_size))
        for p in (layer.weight, layer.bias):
            assert np.abs(p.array).max() <= bound and np.abs(p.array).max() > bound / 2
            assert p.dtype == np.float32


# *** mg.compile ***
def tiny_volume_net() -> nn.Module:
    """(N, 1, 4, 4, 4) -> conv (2, 4, 4, 4) -> max pool (2, 2, 2, 2) -> conv (2, 3, 1, 1)
    -> average pool (2, 2, 1, 1) -> 3 logits."""
    return nn.Sequential(nn.Conv3d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool3d(2),
                         nn.Conv3d(2, 2, 2, padding=(1, 0, 0)),
                         nn.AvgPool3d((2, 1, 1), ceil_mode=True), nn.Flatten(),
                         nn.Linear(4, 3))


def test_compiled_conv3d_step_replays_eager_bit_for_bit() -> None:
    """The 3-d window views and folds are captured as conv2d's are: no fallback (fullgraph
    would raise), eager's losses, parameters and gradients bit for bit."""
    rng = np.random.default_rng(0)
    data = [(rng.standard_normal((3, 1, 4, 4, 4)).astype(np.float32), rng.integers(0, 3, 3))
            for _ in range(4)]
    eager = train(tiny_volume_net, "adam", data, compiled=False)
    compiled = train(tiny_volume_net, "adam", data, compiled=True)
    for got, want in zip(compiled[:3], eager[:3]):
        assert_bitwise(got, want)
    assert compiled[3].cache_info()["replays"] == 2


class VolumeNet(nn.Module):
    """Every new volume op in one step: circular padding, max pool with indices and unpool,
    average pool, transposed conv with output_padding, batch norm, trilinear resizing and an
    adaptive max pool."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv3d(1, 2, 3, padding=1, padding_mode="circular")
        self.pool, self.unpool = nn.MaxPool3d(2, return_indices=True), nn.MaxUnpool3d(2)
        self.up = nn.ConvTranspose3d(2, 2, 2, stride=2, padding=1, output_padding=1)
        self.norm, self.head = nn.BatchNorm3d(2), nn.Linear(2, 3)

    def forward(self, x: mg.Tensor) -> mg.Tensor:
        pooled, indices = self.pool(self.conv(x).relu())
        y = self.unpool(pooled, indices, output_size=x.shape[-3:])
        y = self.norm(self.up(F.avg_pool3d(y, 2)))
        y = F.interpolate(y, scale_factor=2, mode="trilinear")
        return self.head(F.adaptive_max_pool3d(y, 1).flatten(1))


def test_compiled_step_through_every_volume_op_replays_eager_bit_for_bit() -> None:
    rng = np.random.default_rng(1)
    data = [(rng.standard_normal((3, 1, 4, 4, 4)).astype(np.float32), rng.integers(0, 3, 3))
            for _ in range(4)]
    eager = train(VolumeNet, "adam", data, compiled=False)
    compiled = train(VolumeNet, "adam", data, compiled=True)
    for got, want in zip(compiled[:3], eager[:3]):
        assert_bitwise(got, want)
    assert compiled[3].cache_info()["replays"] == 2
