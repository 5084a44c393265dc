"""Gaps found by running PyTorch tutorial-style programs (tests/pytorch_programs/): each fix
checked against PyTorch on the calls those programs make."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from minigrad.testing import gradcheck


# *** Tensor.shape is a Size ***
def test_shape_is_a_size_like_torch_size(torch):
    x = mg.zeros(2, 3, 4)
    assert isinstance(x.shape, mg.Size) and x.shape == (2, 3, 4) == x.size()
    assert x.shape.numel() == 24 == torch.zeros(2, 3, 4).shape.numel()
    assert isinstance(x.shape[1:], mg.Size) and x.shape[1:].numel() == 12
    assert repr(x.shape) == "minigrad.Size([2, 3, 4])"
    assert f"{x.shape}" == "(2, 3, 4)"  # how error messages name shapes
    assert np.zeros(x.shape).shape == (2, 3, 4) and hash(x.shape) == hash((2, 3, 4))


# *** EmbeddingBag ***
BAGS = [  # (input, offsets, keyword arguments)
    ([1, 2, 4, 5, 4, 3, 2, 9], [0, 4], {}),
    ([1, 2, 4, 5, 4, 3, 2, 9], [0, 0, 3, 8], {"mode": "sum"}),  # empty bags
    ([1, 2, 4, 5, 4, 3, 2, 9], [0, 2, 2, 5], {"mode": "max"}),
    ([1, 2, 4, 5, 4, 3], [0, 2, 6], {"include_last_offset": True}),
    ([1, 2, 4, 5, 2, 2], [0, 3, 4], {"padding_idx": 2}),  # a bag of padding only
    ([[1, 2, 4], [4, 3, 9]], None, {"mode": "max"}),
    ([[1, 2, 4], [4, 3, 9]], None, {"mode": "mean", "padding_idx": 4}),
]


@pytest.mark.parametrize("index, offsets, kwargs", BAGS)
def test_embedding_bag_matches_torch_forward_and_backward(torch, index, offsets, kwargs):
    w = np.cos(np.arange(30.0)).reshape(10, 3)
    wm, wt = mg.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    om = None if offsets is None else mg.tensor(offsets)
    ot = None if offsets is None else torch.tensor(offsets)
    out_m = F.embedding_bag(mg.tensor(index), wm, om, **kwargs)
    out_t = torch.nn.functional.embedding_bag(torch.tensor(index), wt, ot, **kwargs)
    np.testing.assert_allclose(out_m.detach().numpy(), out_t.detach().numpy(), atol=1e-12)
    g = np.sin(np.arange(out_t.numel())).reshape(out_t.shape)
    out_m.backward(mg.tensor(g))
    out_t.backward(torch.tensor(g))
    np.testing.assert_allclose(wm.grad.numpy(), wt.grad.numpy(), atol=1e-12)
    assert gradcheck(lambda w: F.embedding_bag(mg.tensor(index), w, om, **kwargs), (wm,))


def test_embedding_bag_per_sample_weights_and_module(torch):
    bag = nn.EmbeddingBag(10, 3, mode="sum")
    ref = torch.nn.EmbeddingBag(10, 3, mode="sum")
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(bag.weight.detach().numpy()))
    psw = np.linspace(0.5, 2, 8)
    pm, pt = mg.tensor(psw, requires_grad=True), torch.tensor(psw, requires_grad=True)
    idx, off = [1, 2, 4, 5, 4, 3, 2, 9], [0, 4]
    out_m = bag(mg.tensor(idx), mg.tensor(off), per_sample_weights=pm.float())
    out_t = ref(torch.tensor(idx), torch.tensor(off), per_sample_weights=pt.float())
    np.testing.assert_allclose(out_m.detach().numpy(), out_t.detach().numpy(), atol=1e-5)
    out_m.sum().backward()
    out_t.sum().backward()
    np.testing.assert_allclose(pm.grad.numpy(), pt.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(bag.weight.grad.numpy(), ref.weight.grad.numpy(), rtol=1e-6)
    assert repr(bag) == repr(ref) == "EmbeddingBag(10, 3, mode='sum')"
    assert repr(nn.EmbeddingBag(5, 2, padding_idx=-1)) == \
        repr(torch.nn.EmbeddingBag(5, 2, padding_idx=-1))
    frozen = nn.EmbeddingBag.from_pretrained(bag.weight.detach(), mode="max")
    assert not frozen.weight.requires_grad and frozen.mode == "max"
    assert list(bag.state_dict()) == list(ref.state_dict()) == ["weight"]


@pytest.mark.parametrize("call, error, match", [
    (lambda w: F.embedding_bag(mg.tensor([1, 2]), w, mg.tensor([1])), ValueError,
     r"offsets\[0\] has to be 0, got 1"),
    (lambda w: F.embedding_bag(mg.tensor([1, 2]), w, mg.tensor([0, 3])), ValueError,
     "at most input's length 2"),
    (lambda w: F.embedding_bag(mg.tensor([1, 2]), w), ValueError, "offsets has to be a 1-D"),
    (lambda w: F.embedding_bag(mg.tensor([[1, 2]]), w, mg.tensor([0])), ValueError,
     "offsets has to be None"),
    (lambda w: F.embedding_bag(mg.tensor([1, 2]), w, mg.tensor([0]), mode="mean",
                               per_sample_weights=mg.ones(2)), NotImplementedError,
     "only supported for mode='sum'"),
    (lambda w: F.embedding_bag(mg.tensor([1, 12]), w, mg.tensor([0])), IndexError,
     "index 12 is out of range"),
    (lambda w: nn.EmbeddingBag(4, 2, mode="median"), ValueError, "'median'"),
    (lambda w: nn.EmbeddingBag(4, 2, sparse=True), NotImplementedError, "sparse=True"),
])
def test_embedding_bag_refuses_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call(mg.ones(10, 3, requires_grad=True))


# *** inplace=True activations (DCGAN's LeakyReLU(0.2, inplace=True)) ***
INPLACE = [("leaky_relu", (0.2,)), ("silu", ()), ("elu", (0.5,)), ("selu", ()), ("celu", (2.0,)),
           ("mish", ()), ("hardtanh", (-0.5, 0.5)), ("relu6", ()), ("hardsigmoid", ()),
           ("hardswish", ()), ("threshold", (0.1, -1.0))]


@pytest.mark.parametrize("name, args", INPLACE)
def test_inplace_activations_write_into_the_input_like_torch(torch, name, args):
    x = np.linspace(-4, 8, 12).reshape(3, 4)
    results = []
    for lib, F_ in ((mg, F), (torch, torch.nn.functional)):
        leaf = lib.tensor(x, requires_grad=True)
        y = leaf * 2  # a non-leaf: in place is allowed on it
        out = getattr(F_, name)(y, *args, inplace=True)
        assert out is y
        (out * lib.tensor(np.cos(x))).sum().backward()
        results.append((y.detach().numpy(), leaf.grad.numpy()))
    # rtol 1e-7: torch's in-place hardsigmoid_ on float64 is float32-accurate only
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-7)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-7)


def test_inplace_activation_modules_and_a_leaf_that_requires_grad(torch):
    assert repr(nn.LeakyReLU(0.2, inplace=True)) == repr(torch.nn.LeakyReLU(0.2, inplace=True))
    assert repr(nn.LeakyReLU()) == repr(torch.nn.LeakyReLU())
    with pytest.raises(RuntimeError, match="leaf"):
        F.leaky_relu(mg.ones(2, requires_grad=True), inplace=True)


def test_batchnorm2d_output_is_not_a_view_so_inplace_relu_follows_it(torch):
    bn, ref = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    x = np.sin(np.arange(2 * 3 * 4 * 5.0)).reshape(2, 3, 4, 5).astype(np.float32)
    xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_m = nn.LeakyReLU(0.2, inplace=True)(bn(xm))
    out_t = torch.nn.LeakyReLU(0.2, inplace=True)(ref(xt))
    (out_m ** 2).sum().backward()
    (out_t ** 2).sum().backward()
    np.testing.assert_allclose(out_m.detach().numpy(), out_t.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), atol=1e-4)
    np.testing.assert_allclose(bn.running_var.numpy(), ref.running_var.numpy(), rtol=1e-5)


# *** torch.autograd.function.once_differentiable ***
def test_once_differentiable_backward_runs_once_and_refuses_a_second_derivative():
    from minigrad.autograd.function import Function, once_differentiable

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            x, = ctx.saved_tensors
            assert not mg.is_grad_enabled()
            return g * 3 * x ** 2

    x = mg.tensor([1.0, -2.0], requires_grad=True)
    (g,) = mg.autograd.grad(Cube.apply(x).sum(), x)
    assert g.tolist() == [3.0, 12.0] and not g.requires_grad
    (g,) = mg.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="differentiated only once"):
        g.sum().backward()


# *** torch.distributions: Normal, Categorical, Bernoulli, kl_divergence ***
def _both(torch, make, methods, *params):
    """make(lib.distributions, *params as leaves) under both libraries; every method's value
    and the gradient of their sum with respect to the parameters agree."""
    results = []
    for lib in (mg, torch):
        leaves = [lib.tensor(p, requires_grad=True) for p in params]
        d = make(lib.distributions, *leaves)
        values = [m(d, lib) for m in methods]
        sum(v.sum() for v in values).backward()
        results.append(([v.detach().numpy() for v in values], [p.grad.numpy() for p in leaves]))
    for got, want in zip(results[0][0] + results[0][1], results[1][0] + results[1][1]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_normal_matches_torch(torch):
    x = np.array([[0.0, -0.8], [2.0, 1.0]])
    _both(torch, lambda D, mu, sigma: D.Normal(mu, sigma),
          [lambda d, lib: d.log_prob(lib.tensor(x)), lambda d, lib: d.entropy(),
           lambda d, lib: d.cdf(lib.tensor(x)), lambda d, lib: d.icdf(lib.tensor([0.3, 0.9])),
           lambda d, lib: d.variance, lambda d, lib: d.stddev],
          np.array([0.5, -1.0]), np.array([1.5, 0.3]))


@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_categorical_and_bernoulli_match_torch(torch, kind):
    table = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    param = table if kind == "probs" else np.log(table) + 1
    _both(torch, lambda D, p: D.Categorical(**{kind: p}),
          [lambda d, lib: d.log_prob(lib.tensor([2, 0])), lambda d, lib: d.entropy(),
           lambda d, lib: d.log_prob(lib.tensor([[1], [0]])), lambda d, lib: d.probs,
           lambda d, lib: d.logits], param)
    param = np.array([0.2, 0.7, 0.5]) if kind == "probs" else np.array([-1.0, 2.0, 0.0])
    _both(torch, lambda D, p: D.Bernoulli(**{kind: p}),
          [lambda d, lib: d.log_prob(lib.tensor(np.array([1.0, 0.0, 1.0]))),
           lambda d, lib: d.entropy(),
           lambda d, lib: d.mean, lambda d, lib: d.variance], param)


def test_kl_divergence_matches_torch(torch):
    pairs = [("Normal", ([0.0, 1.0], [1.0, 2.0]), ([0.5, 0.5], [1.5, 0.2])),
             ("Categorical", ([[0.2, 0.8, 0.0]],), ([[0.5, 0.25, 0.25]],)),
             ("Bernoulli", ([0.3, 0.0, 1.0],), ([0.6, 0.5, 0.2],))]
    for name, p_args, q_args in pairs:
        got, want = (lib.distributions.kl_divergence(
            getattr(lib.distributions, name)(*map(lib.tensor, p_args)),
            getattr(lib.distributions, name)(*map(lib.tensor, q_args))).numpy()
            for lib in (mg, torch))
        np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=name)


def test_samples_have_the_shapes_and_frequencies_asked_for(torch):
    mg.manual_seed(0)
    c = mg.distributions.Categorical(mg.tensor([[0.1, 0.9], [0.7, 0.3]]))
    draws = c.sample((4000,))
    assert draws.shape == (4000, 2) and draws.dtype == mg.int64
    np.testing.assert_allclose(draws.float().mean(0).numpy(), [0.9, 0.3], atol=0.03)
    n = mg.distributions.Normal(mg.tensor([1.0, -2.0], requires_grad=True), 0.5)
    z = n.rsample((3000,))
    assert z.requires_grad and not n.sample().requires_grad
    np.testing.assert_allclose(z.mean(0).detach().numpy(), [1.0, -2.0], atol=0.05)
    b = mg.distributions.Bernoulli(logits=mg.tensor([0.0, 3.0]))
    assert b.sample((5,)).shape == (5, 2) == tuple(torch.distributions.Bernoulli(
        logits=torch.tensor([0.0, 3.0])).sample((5,)).shape)
    for lib in (mg, torch):
        assert repr(lib.distributions.Normal(0.5, 1.5)) == "Normal(loc: 0.5, scale: 1.5)"
    from minigrad.distributions.normal import Normal  # torch's module path
    assert Normal is mg.distributions.Normal


@pytest.mark.parametrize("call, match", [
    (lambda D: D.Normal(0.0, -1.0), "scale"),
    (lambda D: D.Categorical(mg.tensor([0.5, -0.1])), "probs"),
    (lambda D: D.Categorical(), "either probs or logits"),
    (lambda D: D.Bernoulli(probs=mg.tensor([1.5])), "probs"),
    (lambda D: D.Categorical(mg.tensor([0.5, 0.5])).log_prob(mg.tensor([2])), r"\[0, 2\)"),
])
def test_distributions_refuse_bad_parameters(call, match):
    with pytest.raises(ValueError, match=match):
        call(mg.distributions)


# *** older PyTorch: typed tensor classes, Variable, float32 matmul precision ***
def test_typed_tensor_classes_build_and_check_like_torch(torch):
    for name in ("FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "ByteTensor",
                 "BoolTensor", "HalfTensor", "ShortTensor", "CharTensor"):
        ours, theirs = getattr(mg, name), getattr(torch, name)
        assert ours(2, 3).shape == theirs(2, 3).shape and ours().shape == theirs().shape
        assert ours(mg.Size([4])).shape == (4,)
        made, ref = ours([[1, 0], [0, 1]]), theirs([[1, 0], [0, 1]])
        assert str(made.dtype) == str(ref.dtype).removeprefix("torch.")
        assert made.tolist() == ref.tolist()
        assert isinstance(made, ours) and isinstance(ref, theirs)
    assert not isinstance(mg.ones(2), mg.LongTensor) and isinstance(mg.ones(2), mg.FloatTensor)
    assert mg.ones(2).type() == "minigrad.FloatTensor"
    with pytest.raises(TypeError, match="sizes"):
        mg.FloatTensor(2.5)
    with pytest.raises(TypeError, match="dtype int64"):
        mg.LongTensor(mg.ones(2))


def test_variable_is_a_new_leaf_on_the_same_memory(torch):
    from minigrad.autograd import Variable

    x = mg.ones(2)
    v = Variable(x, requires_grad=True)
    assert v is not x and v.requires_grad and v.is_leaf and not x.requires_grad
    x.add_(1)
    assert v.tolist() == [2.0, 2.0] and isinstance(x, Variable)
    y = mg.ones(2, requires_grad=True) * 3
    assert Variable(y).grad_fn is None and not Variable(y).requires_grad
    with pytest.warns(UserWarning, match="volatile"):
        Variable(x, volatile=True)
    with pytest.raises(TypeError, match="has to be a tensor"):
        Variable([1.0])


def test_float32_matmul_precision_is_remembered(torch):
    mg.set_float32_matmul_precision("medium")
    assert mg.get_float32_matmul_precision() == "medium"
    mg.set_float32_matmul_precision("highest")
    with pytest.raises(RuntimeError, match="'low'"):
        mg.set_float32_matmul_precision("low")


# *** losses: triplet margin, Gaussian and Poisson NLL, hinge embedding, soft margins ***
_R = np.random.default_rng(5)
_A, _P, _N = (_R.standard_normal((4, 3)) for _ in range(3))
_SIGNS = np.array([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0], [1.0, 1.0, -1.0], [-1.0, 1.0, 1.0]])
_COUNTS = np.array([[0.0, 1.0, 3.0], [2.0, 5.0, 0.0], [1.0, 1.0, 4.0], [7.0, 0.0, 2.0]])
LOSSES = [  # (name, inputs that get gradients, constants, keyword arguments)
    ("triplet_margin_loss", (_A, _P, _N), (), {}),
    ("triplet_margin_loss", (_A, _P, _N), (), {"margin": 2.0, "p": 1, "swap": True}),
    ("triplet_margin_loss", (_A[0], _P[0], _N[0]), (), {"reduction": "none"}),
    ("gaussian_nll_loss", (_A, _P, np.abs(_N) + 0.1), (), {}),
    ("gaussian_nll_loss", (_A, _P, np.abs(_N[:, 0]) + 0.1), (), {"full": True}),
    ("gaussian_nll_loss", (_A, _P, np.abs(_N[:, :1]) * 1e-7), (), {"reduction": "sum"}),
    ("poisson_nll_loss", (_A,), (_COUNTS,), {}),
    ("poisson_nll_loss", (np.abs(_A) + 0.5,), (_COUNTS,), {"log_input": False, "full": True}),
    ("hinge_embedding_loss", (_A,), (_SIGNS,), {"margin": 0.5}),
    ("soft_margin_loss", (_A,), (_SIGNS,), {"reduction": "sum"}),
    ("multilabel_soft_margin_loss", (_A,), ((_SIGNS > 0) * 1.0,), {}),
    ("multilabel_soft_margin_loss", (_A,), ((_SIGNS > 0) * 1.0,),
     {"weight": np.array([1.0, 2.0, 0.5]), "reduction": "none"}),
    ("multi_margin_loss", (_A,), (np.array([1, 2, 0, 1]),), {}),
    ("multi_margin_loss", (_A,), (np.array([1, 2, 0, 1]),),
     {"p": 2, "margin": 0.5, "weight": np.array([1.0, 2.0, 0.5]), "reduction": "none"}),
    ("multi_margin_loss", (_A[0] * 0.1,), (np.array(2),), {"reduction": "sum"}),
]


@pytest.mark.parametrize("name, inputs, constants, kwargs", LOSSES)
def test_losses_match_torch(torch, name, inputs, constants, kwargs):
    results = []
    for lib, F_ in ((mg, F), (torch, torch.nn.functional)):
        leaves = [lib.tensor(a, requires_grad=True) for a in inputs]
        kw = {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        out = getattr(F_, name)(*leaves, *map(lib.tensor, constants), **kw)
        out.sum().backward()
        results.append([out.detach().numpy()] + [p.grad.numpy() for p in leaves])
    for got, want in zip(*results, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_loss_modules_and_bad_input(torch):
    for name, args in (("TripletMarginLoss", {"margin": 0.5}), ("GaussianNLLLoss", {}),
                       ("PoissonNLLLoss", {"log_input": False}), ("HingeEmbeddingLoss", {}),
                       ("SoftMarginLoss", {}),
                       ("MultiLabelSoftMarginLoss", {}), ("MultiMarginLoss", {"p": 2})):
        assert repr(getattr(nn, name)(**args)) == repr(getattr(torch.nn, name)(**args))
    loss = nn.TripletMarginLoss(margin=1.0)(*(mg.tensor(a) for a in (_A, _P, _N)))
    ref = torch.nn.TripletMarginLoss(margin=1.0)(*(torch.tensor(a) for a in (_A, _P, _N)))
    assert loss.item() == pytest.approx(ref.item(), rel=1e-12)
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(mg.ones(2), mg.ones(2), mg.tensor([1.0, -1.0]))
    with pytest.raises(ValueError, match="does not fit"):
        F.gaussian_nll_loss(mg.ones(2, 3), mg.ones(2, 3), mg.ones(3))
    with pytest.raises(ValueError, match="all be 1-D or all 2-D"):
        F.triplet_margin_loss(mg.ones(2, 3), mg.ones(3), mg.ones(2, 3))
    with pytest.raises(ValueError, match="p=3"):
        F.multi_margin_loss(mg.ones(2, 3), mg.tensor([0, 1]), p=3)
    with pytest.raises(IndexError, match=r"target \[0, 3\] out of range for 3 classes"):
        F.multi_margin_loss(mg.ones(2, 3), mg.tensor([0, 3]))
    with pytest.raises(TypeError, match="must be integers"):
        F.multi_margin_loss(mg.ones(2, 3), mg.tensor([0.0, 1.0]))


# *** torch.amp: autocast (disabled only) and GradScaler ***
def test_grad_scaler_scales_unscales_and_skips_overflow_like_torch(torch):
    runs = []
    for lib in (mg, torch):
        scaler = lib.amp.GradScaler("cpu", init_scale=2.0 ** 8, growth_interval=2)
        w = lib.tensor([1.0, -2.0], requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        trace = []
        for factor in (1.0, 1.0, float("inf"), 1.0, 1.0):
            opt.zero_grad()
            scaler.scale((w ** 2).sum() * factor).backward()
            scaler.unscale_(opt)
            trace.append(w.grad.tolist())
            scaler.step(opt)
            scaler.update()
            trace.append((w.tolist(), scaler.get_scale()))
        runs.append((trace, scaler.state_dict()))
    assert runs[0] == runs[1]


def test_disabled_amp_changes_nothing_and_enabled_autocast_is_refused(torch):
    with pytest.warns(UserWarning, match="CUDA is not available"):
        scaler = mg.cuda.amp.GradScaler()
    assert not scaler.is_enabled() and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
    loss = mg.ones(2, requires_grad=True).sum()
    assert scaler.scale(loss) is loss
    with mg.autocast("cpu", enabled=False):
        assert mg.ones(1).dtype == mg.float32
    with pytest.raises(NotImplementedError, match="enabled=False"):
        mg.autocast("cpu", dtype=mg.bfloat16)
    with pytest.raises(TypeError, match="bfloat16 is not a dtype"):
        mg.zeros(2, dtype=mg.bfloat16)
    enabled = mg.amp.GradScaler("cpu")
    opt = mg.optim.SGD([mg.ones(1, requires_grad=True)], lr=0.1)
    enabled.unscale_(opt)
    with pytest.raises(RuntimeError, match="already been called"):
        enabled.unscale_(opt)


# *** the torch.Tensor constructor ***
@pytest.mark.parametrize("args", [(2, 3), (3,), (), ([1, 2],), ([[1, 2.5]],), ([True, False],),
                                  ((4, 5),), ([],)])
def test_tensor_constructor_follows_torch_tensor(torch, args):
    ours, theirs = mg.Tensor(*args), torch.Tensor(*args)
    assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == "float32"
    if not args or not isinstance(args[0], int):  # sizes give uninitialized values in torch
        assert ours.tolist() == theirs.tolist()
    assert mg.Tensor(mg.Size([2, 1])).shape == (2, 1)
    assert mg.Tensor(np.zeros(2, np.float64)).dtype == mg.float64  # arrays keep their dtype
    with pytest.raises(TypeError, match="sizes"):
        mg.Tensor([1], 2)


# *** affine_grid and grid_sample (the Spatial Transformer tutorial) ***
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("mode, padding_mode", [("bilinear", "zeros"), ("bilinear", "border"),
                                                ("nearest", "zeros"), ("nearest", "border")])
def test_affine_grid_and_grid_sample_match_torch(torch, align_corners, mode, padding_mode):
    rng = np.random.default_rng(0)
    x, theta = rng.standard_normal((2, 3, 5, 6)), rng.standard_normal((2, 2, 3)) * 0.7
    results = []
    for lib, F_ in ((mg, F), (torch, torch.nn.functional)):
        xi, th = lib.tensor(x, requires_grad=True), lib.tensor(theta, requires_grad=True)
        grid = F_.affine_grid(th, [2, 3, 4, 7], align_corners=align_corners)
        out = F_.grid_sample(xi, grid, mode=mode, padding_mode=padding_mode,
                             align_corners=align_corners)
        (out * lib.tensor(np.cos(np.arange(out.numel())).reshape(out.shape))).sum().backward()
        results.append([grid.detach().numpy(), out.detach().numpy(), xi.grad.numpy()]
                       + ([th.grad.numpy()] if mode == "bilinear" else []))
    for got, want in zip(*results, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("size", [1, 2, 7, 28, 97])
def test_identity_grid_is_bit_for_bit_torch(torch, size):
    """On pixel centers bilinear's gradient jumps: the grid must round as PyTorch's does."""
    for ac in (False, True):
        for dtype in ("float32", "float64"):
            eye = [[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]]
            ours = F.affine_grid(mg.tensor(eye, dtype=getattr(mg, dtype)), [1, 1, 2, size], ac)
            with warnings.catch_warnings():  # torch warns about unit-size aligned grids
                warnings.simplefilter("ignore")
                theirs = torch.nn.functional.affine_grid(
                    torch.tensor(eye, dtype=getattr(torch, dtype)), [1, 1, 2, size], ac)
            assert np.array_equal(ours.numpy(), theirs.numpy())


def test_grid_sample_refuses_what_it_does_not_support():
    x, grid = mg.ones(1, 1, 3, 3), mg.zeros(1, 2, 2, 2)
    with pytest.raises(NotImplementedError, match="'bicubic'"):
        F.grid_sample(x, grid, mode="bicubic")
    with pytest.raises(NotImplementedError, match="'reflection'"):
        F.grid_sample(x, grid, padding_mode="reflection")
    with pytest.raises(ValueError, match=r"grid \(N, Ho, Wo, 2\)"):
        F.grid_sample(x, mg.zeros(1, 2, 2, 3))
    with pytest.raises(ValueError, match="theta of shape"):
        F.affine_grid(mg.zeros(1, 3, 3), [1, 1, 2, 2])


# *** nn.utils.weight_norm ***
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_torch_and_is_removable(torch, dim):
    results = []
    for lib in (mg, torch):
        conv = lib.nn.Conv1d(2, 3, 3)
        with lib.no_grad():
            conv.weight.copy_(lib.tensor(np.sin(np.arange(18.0)).reshape(3, 2, 3)))
            conv.bias.zero_()
        with warnings.catch_warnings():  # torch: deprecated for parametrizations.weight_norm
            warnings.simplefilter("ignore")
            conv = lib.nn.utils.weight_norm(conv, dim=dim)
        x = lib.tensor(np.cos(np.arange(14.0)).reshape(1, 2, 7)).float()
        out = conv(x)
        (out ** 2).sum().backward()
        names = [n for n, _ in conv.named_parameters()], list(conv.state_dict())
        values = [out.detach().numpy(), conv.weight_g.detach().numpy(),
                  conv.weight_g.grad.numpy(), conv.weight_v.grad.numpy()]
        lib.nn.utils.remove_weight_norm(conv)
        values.append(conv(x).detach().numpy())
        results.append((names, [n for n, _ in conv.named_parameters()], values))
    assert results[0][:2] == results[1][:2]
    for got, want in zip(results[0][2], results[1][2], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_weight_norm_refuses_twice_and_a_missing_parameter():
    lin = nn.utils.weight_norm(nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="two weight_norm hooks"):
        nn.utils.weight_norm(lin)
    with pytest.raises(ValueError, match="no parameter 'kernel'"):
        nn.utils.weight_norm(nn.Linear(2, 2), name="kernel")
    with pytest.raises(ValueError, match="not found"):
        nn.utils.remove_weight_norm(nn.Linear(2, 2))


# *** cat promotes dtypes as PyTorch does (numpy would make float32 + int64 float64) ***
@pytest.mark.parametrize("dtypes", [("float32", "int64"), ("float16", "int64"),
                                    ("uint8", "int8"), ("bool", "int32"), ("float32", "float64")])
def test_cat_promotes_like_torch(torch, dtypes):
    ours = mg.cat([mg.ones(2, dtype=getattr(mg, d)) for d in dtypes])
    theirs = torch.cat([torch.ones(2, dtype=getattr(torch, d)) for d in dtypes])
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    assert ours.tolist() == theirs.tolist()


def test_loss_and_similarity_modules_print_as_torch_does(torch):
    for make in (lambda nn_: nn_.L1Loss(reduction="sum"), lambda nn_: nn_.CosineSimilarity(),
                 lambda nn_: nn_.MSELoss(reduction="none"), lambda nn_: nn_.CrossEntropyLoss()):
        assert repr(make(nn)) == repr(make(torch.nn))


def test_dropout1d_and_softmax2d(torch):
    x = np.sin(np.arange(24.0)).reshape(2, 3, 4) + 2  # no zeros
    assert np.allclose(nn.Softmax2d()(mg.tensor(x[None])).numpy(),
                       torch.nn.Softmax2d()(torch.tensor(x[None])).numpy())
    drop = nn.Dropout1d(0.5)
    assert repr(drop) == repr(torch.nn.Dropout1d(0.5))
    mg.manual_seed(0)
    out = drop(mg.tensor(x)).numpy()
    kept = np.all(out != 0, axis=-1)  # whole channels are kept (doubled) or zeroed
    assert np.allclose(out[kept], 2 * x[kept]) and np.all(out[~kept] == 0)
    assert drop.eval()(mg.tensor(x)).tolist() == x.tolist()
    assert F.dropout1d(mg.ones(2, 3, 4), 1.0).tolist() == np.zeros((2, 3, 4)).tolist()
    with pytest.raises(ValueError, match="2-D"):
        F.dropout1d(mg.ones(2, 2, 2, 2))


# *** power-average pooling: F.lp_pool1d/2d, nn.LPPool1d/2d ***
@pytest.mark.parametrize("args", [(2, 2), (3, (2, 3), 1), (1.5, 3, 2, True), (math.inf, 2)])
def test_lp_pool_matches_torch(torch, args):
    x = np.abs(np.random.default_rng(0).standard_normal((2, 3, 5, 6))) + 0.1
    for name, data in (("lp_pool2d", x), ("lp_pool1d", x[:, :, 0])):
        if name == "lp_pool1d" and not isinstance(args[1], int):
            continue
        results = []
        for lib in (mg, torch):
            leaf = lib.tensor(data, requires_grad=True)
            out = getattr(lib.nn.functional, name)(leaf, *args)
            out.sum().backward()
            results.append((out.detach().numpy(), leaf.grad.numpy()))
        for got, want in zip(*results, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    for cls in ("LPPool1d", "LPPool2d"):
        assert repr(getattr(nn, cls)(*args)) == repr(getattr(torch.nn, cls)(*args))


# *** F.gumbel_softmax: a differentiable categorical sample ***
def test_gumbel_softmax_samples_the_softmax_and_passes_gradients_straight_through():
    mg.manual_seed(0)
    logits = mg.tensor(np.log([[0.2, 0.5, 0.3]]).repeat(4000, 0), requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.detach().sum(1).numpy(), 1.0, rtol=1e-12)
    hard = F.gumbel_softmax(logits, hard=True)
    assert set(np.unique(hard.detach().numpy())) == {0.0, 1.0}
    np.testing.assert_allclose(hard.detach().numpy().sum(1), 1.0)
    np.testing.assert_allclose(hard.detach().numpy().mean(0), [0.2, 0.5, 0.3], atol=0.03)
    (hard * mg.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert logits.grad is not None and np.abs(logits.grad.numpy()).sum() > 0
    hard_dim0 = F.gumbel_softmax(mg.zeros(3, 2), hard=True, dim=0)
    np.testing.assert_allclose(hard_dim0.numpy().sum(0), [1.0, 1.0])
