"""Session 6 additions against PyTorch: F.gumbel_softmax, torch.pdist (and cdist's gradient at
ties and zeros), F.conv_transpose1d and nn.ConvTranspose1d."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.creation import generator
from minigrad.testing import gradcheck, gradgradcheck


def _fixed_noise(torch, monkeypatch, seed, shape):
    """The Exp(1) draws minigrad makes after manual_seed(seed), fed to torch's exponential_."""
    mg.manual_seed(seed)
    draws = generator().exponential(size=shape)
    monkeypatch.setattr(torch.Tensor, "exponential_",
                        lambda self, *a, **k: self.copy_(torch.from_numpy(draws)))


# *** gumbel_softmax ***
@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("tau, dim, shape", [(1, -1, (3, 4)), (0.5, 0, (3, 4)),
                                             (2.0, 1, (2, 3, 2)), (1, 0, (5,))])
def test_gumbel_softmax_matches_torch_with_the_same_noise(torch, monkeypatch, hard, tau, dim,
                                                          shape):
    logits = np.random.default_rng(1).normal(size=shape)
    _fixed_noise(torch, monkeypatch, 7, shape)
    t = torch.tensor(logits, requires_grad=True)
    ty = torch.nn.functional.gumbel_softmax(t, tau=tau, hard=hard, dim=dim)
    mg.manual_seed(7)
    x = mg.tensor(logits, requires_grad=True)
    y = F.gumbel_softmax(x, tau=tau, hard=hard, dim=dim)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-15)
    weights = np.random.default_rng(2).normal(size=shape)
    (ty * torch.tensor(weights)).sum().backward()
    (y * mg.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(y.detach().numpy().sum(dim), 1.0)
    if hard:  # one-hot forward, the soft sample's gradient (straight-through)
        assert set(np.unique(y.detach().numpy())) <= {0.0, 1.0}


def test_gumbel_softmax_hard_is_the_argmax_of_the_soft_sample():
    logits = mg.tensor(np.random.default_rng(3).normal(size=(6, 5)))
    mg.manual_seed(4)
    soft = F.gumbel_softmax(logits, tau=0.3).numpy()
    mg.manual_seed(4)
    hard = F.gumbel_softmax(logits, tau=0.3, hard=True).numpy()
    np.testing.assert_array_equal(hard, np.eye(5)[soft.argmax(-1)])


def test_gumbel_softmax_gradients_with_the_noise_seeded():
    """The soft sample passes gradcheck; the hard one's gradient is the soft one's (the true
    gradient of a one-hot is 0: straight-through substitutes the soft sample's)."""
    data = np.random.default_rng(5).normal(size=(2, 3))

    def sample(x, hard=False):
        mg.manual_seed(0)
        return F.gumbel_softmax(x, tau=0.7, hard=hard)
    x = mg.tensor(data, requires_grad=True)
    assert gradcheck(sample, (x,))
    assert gradgradcheck(sample, (x,))
    weights = mg.tensor(np.random.default_rng(6).normal(size=(2, 3)))
    grads = []
    for hard in (False, True):
        x = mg.tensor(data, requires_grad=True)
        (sample(x, hard) * weights).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0])


def test_gumbel_softmax_draws_differ_and_follow_the_generator():
    logits = mg.zeros(1000, 3)
    a, b = F.gumbel_softmax(logits), F.gumbel_softmax(logits)
    assert not np.allclose(a.numpy(), b.numpy())
    mg.manual_seed(11)
    c = F.gumbel_softmax(logits, hard=True).numpy()
    mg.manual_seed(11)
    np.testing.assert_array_equal(c, F.gumbel_softmax(logits, hard=True).numpy())
    # equal logits: each class is picked about a third of the time
    np.testing.assert_allclose(c.mean(0), 1 / 3, atol=0.06)
    assert F.gumbel_softmax(mg.zeros(2, 3, dtype=mg.float32)).dtype == mg.float32
    for hard in (False, True):  # a 0-d sample is 1, as in torch
        assert F.gumbel_softmax(mg.tensor(0.5), hard=hard).shape == ()
        assert F.gumbel_softmax(mg.tensor(0.5), hard=hard).item() == 1.0


def test_gumbel_softmax_bad_arguments(torch):
    with pytest.raises(TypeError, match="floating point"):
        F.gumbel_softmax(mg.tensor([1, 2, 3]))
    with pytest.raises(IndexError, match="gumbel_softmax"):
        F.gumbel_softmax(mg.zeros(2, 3), dim=2)
    with pytest.warns(UserWarning, match="eps"):
        F.gumbel_softmax(mg.zeros(2, 3), eps=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.gumbel_softmax(mg.zeros(2, 3))


# *** pdist and cdist ***
DISTANCE_POINTS = {  # rows that coincide, differences with a zero entry, ties at the max
    "coincide": [[1.0, 2.0], [1.0, 2.0], [0.0, 1.0]],
    "zero_entry": [[1.0, 2.0], [1.0, 3.0], [0.0, 2.0]],
    "ties": [[1.0, 2.0], [2.0, 3.0], [0.0, 2.0]],
}


@pytest.mark.parametrize("p", [0, 0.5, 1, 1.5, 2, 3, math.inf])
@pytest.mark.parametrize("points", DISTANCE_POINTS)
def test_pdist_and_cdist_values_and_gradients_at_kinks_match_torch(torch, points, p):
    data = np.array(DISTANCE_POINTS[points])
    for name, mg_fn, torch_fn in (("pdist", lambda a: mg.pdist(a, p),
                                   lambda a: torch.pdist(a, p)),
                                  ("cdist", lambda a: mg.cdist(a, a.detach() + 1, p),
                                   lambda a: torch.cdist(a, a.detach() + 1, p)),
                                  ("cdist_self", lambda a: mg.cdist(a, a.detach(), p),
                                   lambda a: torch.cdist(a, a.detach(), p))):
        t = torch.tensor(data, requires_grad=True)
        torch_fn(t).sum().backward()
        x = mg.tensor(data, requires_grad=True)
        out = mg_fn(x)
        out.sum().backward()
        np.testing.assert_allclose(out.detach().numpy(), torch_fn(t).detach().numpy(),
                                   err_msg=name)
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), err_msg=name)


@pytest.mark.parametrize("p", [1, 2, 2.5, math.inf])
def test_pdist_gradcheck_and_torch(torch, p):
    data = np.random.default_rng(6).normal(size=(4, 3))
    x = mg.tensor(data, requires_grad=True)
    assert gradcheck(lambda a: mg.pdist(a, p), (x,))
    np.testing.assert_allclose(F.pdist(x, p).detach().numpy(),
                               torch.pdist(torch.tensor(data), p).numpy())


def test_pdist_shapes_and_bad_arguments(torch):
    assert mg.pdist(mg.zeros(1, 3)).shape == (0,) == tuple(torch.pdist(torch.zeros(1, 3)).shape)
    assert mg.pdist(mg.zeros(5, 2)).shape == (10,)
    assert mg.pdist(mg.zeros(3, 2, dtype=mg.float32)).dtype == mg.float32
    for bad in (mg.zeros(2, 3, 4), mg.zeros(3)):
        with pytest.raises(RuntimeError, match=f"only supports 2D tensors, got: {bad.ndim}D"):
            mg.pdist(bad)
    with pytest.raises(RuntimeError, match="p must be >= 0, got -1"):
        mg.pdist(mg.zeros(3, 2), -1)
    with pytest.raises(RuntimeError, match="floating-point"):
        mg.pdist(mg.tensor([[1, 2], [3, 4]]))


def test_vector_norm_below_one_has_gradient_zero_at_zero_entries(torch):
    data = np.array([[0.0, 2.0], [0.0, 0.0]])
    t = torch.tensor(data, requires_grad=True)
    torch.linalg.vector_norm(t, 0.5, -1).sum().backward()
    x = mg.tensor(data, requires_grad=True)
    mg.linalg.vector_norm(x, 0.5, -1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())


# *** conv_transpose1d ***
CONV_T_CASES = [
    dict(),
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=3, dilation=2, output_padding=2, groups=2),
    dict(stride=(2,), padding=(2,), dilation=(3,), output_padding=(1,)),
]


@pytest.mark.parametrize("kwargs", CONV_T_CASES)
@pytest.mark.parametrize("bias", [False, True])
def test_conv_transpose1d_matches_torch(torch, kwargs, bias):
    rng = np.random.default_rng(8)
    data, w, b = rng.normal(size=(2, 4, 5)), rng.normal(size=(4, 3, 3)), rng.normal(size=6)
    b = b[:3 * kwargs.get("groups", 1)] if bias else None
    args = [mg.tensor(a, requires_grad=True) if a is not None else None for a in (data, w, b)]
    targs = [torch.tensor(a, requires_grad=True) if a is not None else None for a in (data, w, b)]
    out = F.conv_transpose1d(*args, **kwargs)
    tout = torch.nn.functional.conv_transpose1d(*targs, **kwargs)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-10)
    weights = rng.normal(size=tout.shape)
    (out * mg.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    for a, ta in zip(args, targs, strict=True):
        if a is not None:
            np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert gradcheck(lambda *a: F.conv_transpose1d(*a, **kwargs),
                     tuple(a for a in args if a is not None) if bias else tuple(args[:2]))


def test_conv_transpose1d_unbatched_and_top_level(torch):
    rng = np.random.default_rng(9)
    data, w = rng.normal(size=(2, 4)), rng.normal(size=(2, 3, 2))
    out = mg.conv_transpose1d(mg.tensor(data), mg.tensor(w), stride=2)
    ref = torch.conv_transpose1d(torch.tensor(data), torch.tensor(w), stride=2)
    assert out.shape == tuple(ref.shape) == (3, 8)
    np.testing.assert_allclose(out.numpy(), ref.numpy())


def test_conv_transpose1d_bad_arguments():
    x, w = mg.zeros(1, 4, 5), mg.zeros(4, 3, 3)
    with pytest.raises(ValueError, match="conv_transpose1d: expected a 2-D .* or 3-D"):
        F.conv_transpose1d(mg.zeros(1, 1, 4, 5), w)
    with pytest.raises(ValueError, match="conv_transpose1d: expected a 3-D weight"):
        F.conv_transpose1d(x, mg.zeros(4, 3, 3, 3))
    with pytest.raises(ValueError, match="conv_transpose1d: input has 2 channels"):
        F.conv_transpose1d(mg.zeros(1, 2, 5), w)
    with pytest.raises(ValueError, match=r"conv_transpose1d: output_padding \(2,\) must be "
                       r"smaller than either stride \(2,\) or dilation \(1,\)"):
        F.conv_transpose1d(x, w, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="conv_transpose1d: stride"):
        F.conv_transpose1d(x, w, stride=(1, 1))
    with pytest.raises(ValueError, match="conv_transpose1d: bias must have shape"):
        F.conv_transpose1d(x, w, mg.zeros(4))
    with pytest.raises(ValueError, match=r"size \(1,\) .* size \(-1,\), below 1"):
        F.conv_transpose1d(mg.zeros(1, 4, 1), mg.zeros(4, 3, 1), padding=1)


def test_conv_transpose1d_module_matches_torch(torch):
    module = mg.nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2,
                                   dtype=mg.float64)
    ref = torch.nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2,
                                   dtype=torch.float64)
    assert module.weight.shape == tuple(ref.weight.shape) == (4, 3, 3)
    assert set(module.state_dict()) == set(ref.state_dict())
    ref.load_state_dict({k: torch.tensor(v.numpy()) for k, v in module.state_dict().items()})
    data = np.random.default_rng(10).normal(size=(2, 4, 5))
    np.testing.assert_allclose(module(mg.tensor(data)).detach().numpy(),
                               ref(torch.tensor(data)).detach().numpy(), rtol=1e-10)
    assert repr(module) == repr(ref)
    assert repr(mg.nn.ConvTranspose1d(2, 3, 2, bias=False)) == repr(
        torch.nn.ConvTranspose1d(2, 3, 2, bias=False))
    bound = 1 / math.sqrt(3 * 3)
    assert np.abs(module.weight.detach().numpy()).max() <= bound
    with pytest.raises(ValueError, match="ConvTranspose1d: padding must be an int"):
        mg.nn.ConvTranspose1d(2, 3, 2, padding="same")
    with pytest.raises(ValueError, match="ConvTranspose1d: output_padding"):
        mg.nn.ConvTranspose1d(2, 3, 2, output_padding=(1, 1))
    with pytest.raises(ValueError, match="ConvTranspose1d: in_channels"):
        mg.nn.ConvTranspose1d(3, 4, 2, groups=2)
