"""GroupNorm, InstanceNorm, RMSNorm, LocalResponseNorm, 1-D pooling, padding, Upsample,
PixelShuffle, Unfold and Fold, PairwiseDistance, Bilinear and the shrinks against PyTorch
(float64): outputs, running statistics and every parameter's and input's gradient; their
functional forms by gradcheck; bad arguments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from minigrad.testing import gradcheck, gradgradcheck
from tests.helpers import check_module, module_pair

RNG = np.random.default_rng(0)

# (module name, constructor args, constructor kwargs, input shapes)
CASES = [
    ("GroupNorm", (2, 4), {}, [(2, 4, 3, 3)]),
    ("GroupNorm", (1, 4), {"affine": False, "eps": 1e-3}, [(2, 4, 5)]),
    ("GroupNorm", (4, 4), {"bias": False}, [(3, 4)]),
    ("InstanceNorm1d", (3,), {}, [(2, 3, 5)]),
    ("InstanceNorm1d", (3,), {"affine": True, "track_running_stats": True}, [(2, 3, 5)]),
    ("InstanceNorm1d", (3,), {"affine": True, "momentum": None, "track_running_stats": True},
     [(3, 4)]),
    ("InstanceNorm2d", (3,), {"affine": True, "bias": False}, [(2, 3, 4, 4)]),
    ("InstanceNorm2d", (3,), {"track_running_stats": True, "momentum": 0.3}, [(3, 2, 5)]),
    ("InstanceNorm3d", (2,), {"affine": True}, [(2, 2, 3, 2, 2)]),
    ("InstanceNorm3d", (2,), {"track_running_stats": True}, [(2, 3, 2, 2)]),
    ("LocalResponseNorm", (3,), {"alpha": 0.1, "beta": 0.6, "k": 2.0}, [(2, 5, 3)]),
    ("LocalResponseNorm", (4,), {}, [(1, 6, 2, 3, 2)]),
    ("RMSNorm", (4,), {}, [(2, 3, 4)]),
    ("RMSNorm", ((3, 4),), {"eps": 1e-3}, [(2, 3, 4)]),
    ("RMSNorm", (4,), {"elementwise_affine": False}, [(4,)]),
    ("MaxPool1d", (2,), {}, [(2, 3, 7)]),
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}, [(3, 8)]),
    ("AvgPool1d", (3, 2, 1), {"count_include_pad": False}, [(2, 3, 7)]),
    ("AdaptiveAvgPool1d", (3,), {}, [(2, 3, 7)]),
    ("ZeroPad1d", (1,), {}, [(2, 3)]),
    ("ZeroPad2d", ((1, 0, 2, 1),), {}, [(1, 2, 3, 3)]),
    ("ConstantPad1d", (2, 1.5), {}, [(2, 3, 4)]),
    ("ConstantPad2d", ((1, 2, 0, -1), -1.0), {}, [(2, 3, 4)]),
    ("ReflectionPad1d", (2,), {}, [(2, 3, 4)]),
    ("ReflectionPad2d", ((1, 1, 2, 0),), {}, [(1, 2, 3, 4)]),
    ("ReplicationPad1d", ((0, 3),), {}, [(2, 3, 4)]),
    ("ReplicationPad2d", (1,), {}, [(2, 3, 3)]),
    ("CircularPad1d", (1,), {}, [(2, 3, 4)]),
    ("CircularPad2d", ((1, 0, 2, 1),), {}, [(1, 2, 3, 4)]),
    ("ZeroPad3d", ((1, 0, 0, 1, 2, 0),), {}, [(2, 2, 3, 2)]),
    ("ConstantPad3d", (1, 0.5), {}, [(1, 1, 2, 2, 2)]),
    ("ReflectionPad3d", (1,), {}, [(1, 2, 2, 3, 3)]),
    ("ReplicationPad3d", ((0, 1, 2, 0, 1, 1),), {}, [(2, 2, 3, 2)]),
    ("CircularPad3d", (1,), {}, [(1, 1, 2, 3, 2)]),
    ("Upsample", (), {"scale_factor": 2}, [(1, 2, 3, 3)]),
    ("Upsample", (), {"size": (5, 7), "mode": "bilinear"}, [(1, 2, 3, 4)]),
    ("Upsample", (), {"scale_factor": 1.5, "mode": "linear", "align_corners": True},
     [(2, 3, 4)]),
    ("UpsamplingNearest2d", (5,), {}, [(1, 2, 3, 3)]),
    ("UpsamplingBilinear2d", (), {"scale_factor": 2}, [(1, 2, 3, 3)]),
    ("PixelShuffle", (2,), {}, [(2, 8, 3, 2)]),
    ("PixelShuffle", (3,), {}, [(2, 1, 9, 2, 2)]),
    ("PixelUnshuffle", (2,), {}, [(1, 2, 4, 6)]),
    ("Unfold", (2,), {"padding": 1, "stride": 2}, [(2, 3, 4, 4)]),
    ("Fold", ((4, 5), 2), {}, [(2, 12, 12)]),
    ("PairwiseDistance", (), {}, [(4, 5), (4, 5)]),
    ("PairwiseDistance", (), {"p": 1.0, "keepdim": True}, [(3, 4, 5), (5,)]),
    ("Bilinear", (3, 4, 5), {}, [(2, 3), (2, 4)]),
    ("Bilinear", (3, 4, 2), {"bias": False}, [(2, 6, 3), (2, 6, 4)]),
    ("Tanhshrink", (), {}, [(3, 4)]),
    ("Softshrink", (0.3,), {}, [(3, 4)]),
    ("Hardshrink", (), {}, [(3, 4)]),
]


def _ids(case: tuple) -> str:
    name, args, kwargs, _ = case
    return f"{name}{args}{kwargs}".replace(" ", "")


def _away_from_kinks(shape: tuple[int, ...]) -> np.ndarray:
    """Normal numbers at least 0.05 from the shrinks' kinks at +-0.3 and +-0.5."""
    x = RNG.standard_normal(shape)
    for kink in (-0.5, -0.3, 0.3, 0.5):
        x = np.where(np.abs(x - kink) < 0.05, kink + 0.1, x)
    return x


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_module_matches_torch(torch: Any, case: tuple) -> None:
    name, args, kwargs, shapes = case
    theirs, ours = module_pair(torch, name, *args, **kwargs)
    arrays = [_away_from_kinks(s) for s in shapes]
    check_module(torch, theirs, ours, arrays)
    check_module(torch, theirs.eval(), ours.eval(), arrays)
    assert repr(ours) == repr(theirs).replace("NonDynamicallyQuantizableLinear", "Linear")


def test_instance_norm_running_stats_used_in_eval(torch: Any) -> None:
    theirs, ours = module_pair(torch, "InstanceNorm2d", 2, affine=True,
                               track_running_stats=True)
    arrays = [RNG.standard_normal((3, 2, 3, 3)) * 2 + 1]
    for _ in range(2):
        check_module(torch, theirs, ours, arrays)
    assert not np.allclose(ours.running_mean.numpy(), 0)
    check_module(torch, theirs.eval(), ours.eval(), arrays)


def test_init_as_torch() -> None:
    bilinear = nn.Bilinear(4, 3, 2)
    assert bilinear.weight.shape == (2, 4, 3) and bilinear.weight.dtype == np.float32
    for p in (bilinear.weight, bilinear.bias):
        assert np.abs(p.detach().numpy()).max() <= 0.5  # U(+-1/sqrt(in1_features))
    norm = nn.GroupNorm(2, 4)
    np.testing.assert_array_equal(norm.weight.detach().numpy(), np.ones(4))
    np.testing.assert_array_equal(norm.bias.detach().numpy(), np.zeros(4))
    assert list(nn.InstanceNorm1d(3).state_dict()) == []
    assert list(nn.RMSNorm(3).state_dict()) == ["weight"]
    assert nn.InstanceNorm1d(3, affine=True, dtype=mg.float64).weight.dtype == np.float64


FUNCTIONS = {
    "group_norm": (lambda x, w, b: F.group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)]),
    "instance_norm": (lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
                      [(2, 3, 4), (3,), (3,)]),
    "rms_norm": (lambda x, w: F.rms_norm(x, (3,), w, 1e-3), [(2, 3), (3,)]),
    "local_response_norm": (lambda x: F.local_response_norm(x, 3, 0.5, 0.75, 1.5), [(2, 4, 3)]),
    "adaptive_avg_pool1d": (lambda x: F.adaptive_avg_pool1d(x, 2), [(2, 5)]),
    "pixel_shuffle": (lambda x: F.pixel_shuffle(x, 2), [(1, 4, 2, 1)]),
    "pixel_unshuffle": (lambda x: F.pixel_unshuffle(x, 2), [(1, 1, 2, 4)]),
    "pairwise_distance": (F.pairwise_distance, [(2, 3), (2, 3)]),
    "bilinear": (F.bilinear, [(2, 3), (2, 2), (4, 3, 2), (4,)]),
    "tanhshrink": (F.tanhshrink, [(5,)]),
    "softshrink": (F.softshrink, [(5,)]),
    "hardshrink": (F.hardshrink, [(5,)]),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_functional_gradcheck_and_gradgradcheck(name: str) -> None:
    fn, shapes = FUNCTIONS[name]
    inputs = [mg.tensor(_away_from_kinks(s), requires_grad=True) for s in shapes]
    assert gradcheck(fn, tuple(inputs))
    assert gradgradcheck(fn, tuple(inputs))


def test_functional_matches_torch(torch: Any) -> None:
    """The functional forms with the running statistics PyTorch updates in place."""
    x = RNG.standard_normal((2, 3, 5))
    mean, var = RNG.standard_normal(3), RNG.random(3) + 0.5
    t_stats, m_stats = [torch.tensor(mean), torch.tensor(var)], [mean.copy(), var.copy()]
    want = torch.nn.functional.instance_norm(torch.tensor(x), *t_stats, momentum=0.2)
    got = F.instance_norm(mg.tensor(x), *m_stats, momentum=0.2)
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-12)
    for a, b in zip(m_stats, t_stats):
        np.testing.assert_allclose(a, b.numpy(), atol=1e-12)
    want = torch.nn.functional.instance_norm(torch.tensor(x), *t_stats, use_input_stats=False)
    got = F.instance_norm(mg.tensor(x), *m_stats, use_input_stats=False)
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-12)
    want = torch.nn.functional.rms_norm(torch.tensor(x, dtype=torch.float32), (3, 5))
    got = F.rms_norm(mg.tensor(x, dtype=mg.float32), (3, 5))  # eps = float32's epsilon
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5)


@pytest.mark.parametrize("make,message", [
    (lambda: nn.GroupNorm(3, 4), r"num_channels \(4\) must be divisible by num_groups \(3\)"),
    (lambda: nn.GroupNorm(2, 4)(mg.randn(2, 6, 3)), r"weight of shape \(4,\)"),
    (lambda: F.group_norm(mg.randn(2, 6), 4), r"6 channels .* num_groups \(4\)"),
    (lambda: nn.InstanceNorm1d(3, affine=True)(mg.randn(2, 4, 5)),
     r"size at dim=1 to match num_features \(3\), got 4"),
    (lambda: nn.InstanceNorm2d(3)(mg.randn(3, 4)), r"3-D \(unbatched\) or 4-D input"),
    (lambda: F.instance_norm(mg.randn(2, 3, 1)), "more than 1 spatial element"),
    (lambda: nn.InstanceNorm3d(2)(mg.randn(2, 2, 3)), r"4-D \(unbatched\) or 5-D input"),
    (lambda: F.local_response_norm(mg.randn(2, 3), 2), r"\(N, C, \*\), got \(2, 3\)"),
    (lambda: nn.LocalResponseNorm(0)(mg.randn(2, 3, 4)), "size must be a positive int, got 0"),
    (lambda: F.instance_norm(mg.randn(2, 3, 4), use_input_stats=False), "needs running_mean"),
    (lambda: nn.RMSNorm(4)(mg.randn(2, 3)), r"normalized_shape \(4,\) does not match"),
    (lambda: F.pixel_shuffle(mg.randn(1, 6, 2, 2), 2), r"\(6\) must be divisible by "
                                                       r"upscale_factor\^2 \(4\)"),
    (lambda: F.pixel_unshuffle(mg.randn(1, 1, 3, 4), 2), r"downscale_factor \(2\)"),
    (lambda: F.pixel_shuffle(mg.randn(4, 2), 2), r"\(\*, C, H, W\)"),
    (lambda: nn.ConstantPad2d((1, 2, 3), 0.0), "tuple of 4 ints"),
    (lambda: nn.ReflectionPad1d(4)(mg.randn(1, 2, 3)), "reflect padding"),
    (lambda: F.softshrink(mg.randn(3), -1.0), "lambd must be >= 0, got -1.0"),
    (lambda: nn.Bilinear(3, 4, 2)(mg.randn(2, 3), mg.randn(2, 5)), r"\(out, 3, 5\)"),
    (lambda: nn.Bilinear(3, 4, 2)(mg.randn(2, 3), mg.randn(3, 4)), "must agree"),
    (lambda: F.pairwise_distance(mg.randn(2, 3), mg.randn(4, 3)), "do not broadcast"),
])
def test_bad_arguments(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_instance_norm_without_affine_warns_on_channel_mismatch() -> None:
    with pytest.warns(UserWarning, match="num_features is unused"):
        out = nn.InstanceNorm1d(3)(mg.randn(2, 4, 5))
    assert out.shape == (2, 4, 5)


# *** Dropout1d, Dropout3d, AlphaDropout ***
@pytest.mark.parametrize("name,shape", [("Dropout1d", (4, 6, 5)), ("Dropout1d", (6, 5)),
                                        ("Dropout3d", (3, 4, 2, 2, 3)),
                                        ("Dropout3d", (4, 2, 2, 3))])
def test_channel_dropouts_zero_whole_channels(name: str, shape: tuple, torch: Any) -> None:
    layer, reference = getattr(nn, name)(0.5), getattr(torch.nn, name)(0.5)
    assert repr(layer) == repr(reference)
    spatial = 1 if name == "Dropout1d" else 3
    out = layer(mg.ones(*shape)).numpy()
    channels = out.reshape(*shape[:len(shape) - spatial], -1)
    assert set(np.unique(channels)) <= {0.0, 2.0}
    assert (channels.min(-1) == channels.max(-1)).all()  # a channel is dropped whole or kept
    assert 0 < (channels[..., 0] == 0).mean() < 1
    layer.eval()
    np.testing.assert_array_equal(layer(mg.ones(*shape)).numpy(), np.ones(shape))
    with pytest.raises(ValueError, match=f"expected a {spatial + 1}-D"):
        layer.train()(mg.ones(*shape[-spatial:]))


def test_alpha_dropout_keeps_a_selu_networks_mean_and_variance(torch: Any) -> None:
    """Dropped elements take -a alpha' (1 - p), kept ones a x + a alpha' p, as torch's: the two
    libraries' outputs take the same two forms, and standard normal input keeps mean 0 and
    variance 1."""
    p, x = 0.2, RNG.standard_normal(200_000)
    ours = F.alpha_dropout(mg.tensor(x), p, training=True).numpy()
    theirs = torch.nn.functional.alpha_dropout(torch.tensor(x), p, training=True).numpy()
    alpha = 1.7580993408473766
    a = 1 / np.sqrt((alpha * alpha * p + 1) * (1 - p))
    for out in (ours, theirs):
        dropped = np.isclose(out, -a * alpha * (1 - p))
        np.testing.assert_allclose(out[~dropped], a * x[~dropped] + a * alpha * p)
        assert abs(dropped.mean() - p) < 0.01
    assert abs(ours.mean()) < 0.01 and abs(ours.var() - 1) < 0.02
    assert repr(nn.AlphaDropout(0.2)) == repr(torch.nn.AlphaDropout(0.2))
    np.testing.assert_array_equal(nn.AlphaDropout(0.2).eval()(mg.tensor(x)).numpy(), x)
    np.testing.assert_array_equal(F.alpha_dropout(mg.tensor(x), p).numpy(), x)  # training=False
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\], got 1.5"):
        nn.AlphaDropout(1.5)
