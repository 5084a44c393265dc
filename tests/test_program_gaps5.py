"""Gaps found by a fifth batch of PyTorch programs (tests/pytorch_programs/: flows, diffusion,
neural ODEs, HNNs, Gaussian processes, recommenders and more): each fix checked against PyTorch
on the calls those programs make."""

from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F


# *** nn.init keyword names ***
@pytest.mark.parametrize("name", ["uniform_", "normal_", "constant_", "zeros_", "ones_",
                                  "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                                  "kaiming_normal_", "trunc_normal_", "orthogonal_", "eye_",
                                  "dirac_"])
def test_init_functions_take_torch_keyword_names(torch, name):
    ours = list(inspect.signature(getattr(mg.nn.init, name)).parameters)
    assert ours == list(inspect.signature(getattr(torch.nn.init, name)).parameters)


def test_constant_by_keywords(torch):
    for lib in (mg, torch):
        w = lib.nn.Parameter(lib.zeros(2, 3))
        lib.nn.init.constant_(tensor=w, val=0.25)
        assert w.tolist() == [[0.25] * 3] * 2


# *** Embedding max_norm: the rows looked up are renormalised in place ***
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_embedding_max_norm_renormalises_the_rows_looked_up(torch, norm_type):
    values = np.arange(15.0).reshape(5, 3) - 4
    results = []
    for lib in (mg, torch):
        emb = lib.nn.Embedding(5, 3, max_norm=2.0, norm_type=norm_type)
        with lib.no_grad():
            emb.weight.copy_(lib.tensor(values))
        version = emb.weight._version
        out = emb(lib.tensor([[3, 1], [3, 4]]))
        out.pow(2).sum().backward()
        assert emb.weight._version > version
        results.append((out.detach().numpy(), emb.weight.detach().numpy(),
                        emb.weight.grad.numpy()))
    for got, want in zip(*results, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    assert repr(mg.nn.Embedding(3, 2, max_norm=1.0, norm_type=1.0)) == repr(
        torch.nn.Embedding(3, 2, max_norm=1.0, norm_type=1.0))


def test_embedding_bag_and_from_pretrained_take_max_norm(torch):
    values = np.arange(12.0).reshape(4, 3)
    outs = []
    for lib in (mg, torch):
        bag = lib.nn.EmbeddingBag.from_pretrained(lib.tensor(values), max_norm=3.0, mode="sum")
        emb = lib.nn.Embedding.from_pretrained(lib.tensor(values), max_norm=1.0)
        outs.append((bag(lib.tensor([[0, 2], [1, 3]])).numpy(), emb(lib.tensor([2])).numpy(),
                     emb.weight.numpy()))
    for got, want in zip(*outs, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    with pytest.raises(NotImplementedError, match="scale_grad_by_freq"):
        F.embedding(mg.tensor([0]), mg.ones(2, 2), scale_grad_by_freq=True)


# *** TripletMarginWithDistanceLoss ***
_A, _P, _N = (np.sin(np.arange(12.0) * k).reshape(4, 3) for k in (0.3, 0.7, 1.9))


@pytest.mark.parametrize("kwargs", [{}, {"margin": 0.5, "swap": True}, {"reduction": "none"},
                                    {"cosine": True, "margin": 0.3}])
def test_triplet_margin_with_distance_loss_matches_torch(torch, kwargs):
    results = []
    for lib in (mg, torch):
        kw = dict(kwargs)
        if kw.pop("cosine", False):
            kw["distance_function"] = (
                lambda u, v, lib=lib: 1 - lib.nn.functional.cosine_similarity(u, v))
        leaves = [lib.tensor(a, requires_grad=True) for a in (_A, _P, _N)]
        out = lib.nn.functional.triplet_margin_with_distance_loss(*leaves, **kw)
        out.sum().backward()
        module = lib.nn.TripletMarginWithDistanceLoss(**kw)(*leaves)
        results.append([out.detach().numpy(), module.detach().numpy()]
                       + [a.grad.numpy() for a in leaves])
    for got, want in zip(*results, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_triplet_margin_with_distance_loss_module_and_bad_input(torch):
    assert repr(nn.TripletMarginWithDistanceLoss()) == repr(
        torch.nn.TripletMarginWithDistanceLoss())
    with pytest.raises(ValueError, match="greater than 0, got 0"):
        nn.TripletMarginWithDistanceLoss(margin=0)
    with pytest.raises(ValueError, match="same number of dims"):
        F.triplet_margin_with_distance_loss(mg.ones(2, 3), mg.ones(3), mg.ones(2, 3))
    with pytest.raises(ValueError, match="reduction"):
        F.triplet_margin_with_distance_loss(mg.ones(3), mg.ones(3), mg.ones(3), reduction="avg")


# *** OneHotCategorical and RelaxedOneHotCategorical ***
def test_one_hot_categorical_matches_torch(torch):
    probs = np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]])
    value = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    ours = mg.distributions.OneHotCategorical(probs=mg.tensor(probs))
    theirs = torch.distributions.OneHotCategorical(probs=torch.tensor(probs))
    assert repr(ours) == repr(theirs)
    assert ours.batch_shape == theirs.batch_shape and ours.event_shape == theirs.event_shape
    for name in ("mean", "variance", "entropy"):
        got, want = getattr(ours, name), getattr(theirs, name)
        got, want = (got(), want()) if callable(got) else (got, want)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.log_prob(mg.tensor(value)).numpy(),
                               theirs.log_prob(torch.tensor(value)).numpy(), rtol=1e-12)
    draw = ours.sample((5,))
    assert draw.shape == (5, 2, 3) and draw.dtype == mg.float64
    assert draw.sum(-1).tolist() == [[1.0, 1.0]] * 5
    other = (mg.distributions.OneHotCategorical(logits=mg.zeros(3)),
             torch.distributions.OneHotCategorical(logits=torch.zeros(3)))
    np.testing.assert_allclose(mg.distributions.kl_divergence(ours, other[0]).numpy(),
                               torch.distributions.kl_divergence(theirs, other[1]).numpy())
    with pytest.raises(ValueError, match="one-hot"):
        ours.log_prob(mg.tensor([0.5, 0.5, 0.0]))


def test_relaxed_one_hot_categorical_matches_torch(torch):
    logits = np.array([[0.5, -1.0, 2.0], [0.0, 0.3, -0.3]])
    y = np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
    results = []
    for lib in (mg, torch):
        t = lib.tensor(0.7, dtype=lib.float64, requires_grad=True)
        lg = lib.tensor(logits, requires_grad=True)
        d = lib.distributions.RelaxedOneHotCategorical(t, logits=lg)
        lp = d.log_prob(lib.tensor(y))
        lp.sum().backward(retain_graph=True)
        results.append((lp.detach().numpy(), t.grad.numpy(), lg.grad.numpy()))
        draw = d.rsample((4,))
        assert tuple(draw.shape) == (4, 2, 3) and d.has_rsample
        np.testing.assert_allclose(draw.sum(-1).detach().numpy(), np.ones((4, 2)))
        draw.sum().backward()
        assert repr(d) == "RelaxedOneHotCategorical()"
    for got, want in zip(*results, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10)


# *** BatchNorm without running statistics has None buffers ***
@pytest.mark.parametrize("name", ["BatchNorm1d", "BatchNorm2d"])
def test_batch_norm_without_running_stats_has_none_buffers(torch, name):
    for lib in (mg, torch):
        bn = getattr(lib.nn, name)(3, track_running_stats=False)
        assert bn.running_mean is bn.running_var is bn.num_batches_tracked is None
        assert list(bn.state_dict()) == ["weight", "bias"] and not list(bn.buffers())
        bn.load_state_dict(bn.state_dict())
    assert repr(getattr(nn, name)(3, track_running_stats=False)) == repr(
        getattr(torch.nn, name)(3, track_running_stats=False))


# *** in-place ops on views, recorded on the base (out[t] += y, h[1:].add_(...), x.T[0] *= w) ***
def _view_writes(lib):
    w = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    dense = lib.zeros(3, 3, dtype=lib.float64)
    for t in range(3):
        dense[t] += w * (t + 1)  # a 1-d view of a tensor that does not require grad
    dense.T[1].mul_(w)  # a strided view of a view
    h = w * 2
    early = h * 1  # took h before the writes: keeps the old values
    h[1:].add_(w[:2] ** 2)
    h.view(3, 1)[0, 0] = 7.0  # a 0-d view of a reshaped view
    h[2].mul_(w[0])
    v = h[:2]
    v.sub_(w[1:])
    loss = dense.sum() + (dense * dense).sum() + (h * lib.arange(3.0)).sum() + (v ** 3).sum()
    (loss + (early ** 2).sum()).backward()
    return [dense.detach().numpy(), h.detach().numpy(), v.detach().numpy(), w.grad.numpy()]


def test_in_place_ops_on_views_are_recorded_as_torch_does(torch):
    for got, want in zip(_view_writes(mg), _view_writes(torch), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_an_int_index_gives_a_0d_view(torch):
    for lib in (mg, torch):
        x = lib.zeros(2, 3)
        x[1, 2].fill_(5)
        x[0][1] += 2
        x[0, 0].add_(lib.tensor(1.5))
        assert x.tolist() == [[1.5, 2.0, 0.0], [0.0, 0.0, 5.0]]


def test_views_of_a_leaf_and_stale_views_are_refused():
    w = mg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="add_: a view of a leaf Variable that requires grad"):
        w[0].add_(1)
    assert w.tolist() == [1.0, 1.0, 1.0]
    x = w * 1
    sibling = x[1:]
    x[:2].add_(w[:2])
    with pytest.raises(RuntimeError, match="was used after its base was modified in place"):
        (sibling * x[1:]).sum().backward()


# *** the parts of complex eigenvalues: abs, real, imag, angle, conj ***
def test_complex_eigenvalues_give_real_parts_as_torch(torch):
    a = np.array([[0.0, 1.0], [-2.0, 0.3]])
    ours, theirs = mg.linalg.eigvals(mg.tensor(a)), torch.linalg.eigvals(torch.tensor(a))
    for name in ("abs", "angle", "conj"):
        got, want = getattr(ours, name)(), getattr(theirs, name)()
        assert str(got.dtype) == str(want.dtype).replace("torch.", "")
        np.testing.assert_allclose(got.numpy(), want.resolve_conj().numpy(), rtol=1e-12)
    for name in ("real", "imag"):
        got, want = getattr(ours, name), getattr(theirs, name)
        assert got.dtype == mg.float64
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
    assert mg.abs(mg.tensor([3 + 4j], dtype=mg.complex64)).tolist() == [5.0]
    assert mg.abs(mg.tensor([3 + 4j], dtype=mg.complex64)).dtype == mg.float32
    with pytest.raises(NotImplementedError, match="complex"):
        mg.tensor([1 + 1j], requires_grad=True).abs()


# *** linspace rounds as PyTorch's (0 printed as -4.4703e-08 in float32) ***
@pytest.mark.parametrize("start, end, steps", [(-1, 1, 15), (0, 1, 7), (0, 2 * math.pi, 65),
                                               (1e-4, 0.02, 50), (3, -1, 9), (-2.7, 9.9, 7),
                                               (0, 1, 1), (0, 1, 0), (5, 5, 3)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32"])
def test_linspace_matches_torch_bit_for_bit(torch, start, end, steps, dtype):
    got = mg.linspace(start, end, steps, dtype=getattr(mg, dtype))
    want = torch.linspace(start, end, steps, dtype=getattr(torch, dtype))
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


# *** errors that torch raises as RuntimeError can be caught as one ***
@pytest.mark.parametrize("call", [lambda lib: lib.tensor([1, 2]).mean(),
                                  lambda lib: lib.tensor([1, 2]).var(),
                                  lambda lib: lib.tensor([1, 2]) // 0,
                                  lambda lib: lib.remainder(lib.tensor([1]), lib.tensor([0]))])
def test_int_mean_and_division_by_zero_are_runtime_errors(torch, call):
    for lib in (mg, torch):
        with pytest.raises(RuntimeError):
            call(lib)
    with pytest.raises((TypeError, ZeroDivisionError)):  # and still Python's own classes
        call(mg)


# *** polar, complex, view_as_complex, view_as_real (LLaMA's rotary embeddings) ***
def test_complex_from_real_matches_torch(torch):
    pairs = np.sin(np.arange(12.0)).reshape(2, 3, 2).astype(np.float32)
    angle, radius = np.linspace(0, 3, 4), np.linspace(1, 2, 4)
    for lib in (mg, torch):
        z = lib.view_as_complex(lib.tensor(pairs))
        assert tuple(z.shape) == (2, 3) and str(z.dtype).endswith("complex64")
        np.testing.assert_allclose(z.numpy(), pairs[..., 0] + 1j * pairs[..., 1])
        np.testing.assert_allclose(lib.view_as_real(z * 1j).numpy(),
                                   np.stack([-pairs[..., 1], pairs[..., 0]], -1))
        p = lib.polar(lib.tensor(radius), lib.tensor(angle))
        assert str(p.dtype).endswith("complex128")
        np.testing.assert_allclose(p.numpy(), radius * np.exp(1j * angle))
        np.testing.assert_allclose(lib.complex(lib.tensor(radius), lib.tensor(angle)).numpy(),
                                   radius + 1j * angle)
    with pytest.raises(NotImplementedError, match="view_as_complex: gradients through complex"):
        mg.view_as_complex(mg.ones(3, 2, requires_grad=True))
    with mg.no_grad():
        assert mg.view_as_complex(mg.ones(3, 2, requires_grad=True)).shape == (3,)
    with pytest.raises(RuntimeError, match="last dimension of size 2"):
        mg.view_as_complex(mg.ones(3, 3))
    with pytest.raises(TypeError, match="float32 or float64"):
        mg.polar(mg.ones(2), mg.ones(2, dtype=mg.float64))


# *** torch.gradient ***
@pytest.mark.parametrize("kwargs", [{}, {"spacing": 2.0}, {"spacing": [2.0, 0.5]},
                                    {"dim": 1, "edge_order": 2},
                                    {"dim": 1, "spacing": ([0.0, 1.0, 3.0, 4.5, 5.0],)},
                                    {"dim": [0, 1], "edge_order": 2,
                                     "spacing": ([0.0, 0.5, 2.0], [0.0, 1.0, 3.0, 4.5, 5.0])}])
def test_gradient_matches_torch(torch, kwargs):
    values = np.sin(np.arange(15.0)).reshape(3, 5) * 3
    results = []
    for lib in (mg, torch):
        kw = dict(kwargs)
        if isinstance(kw.get("spacing"), tuple):
            kw["spacing"] = tuple(lib.tensor(c, dtype=lib.float64) for c in kw["spacing"])
        x = lib.tensor(values, requires_grad=True)
        out = lib.gradient(x, **kw)
        sum((o * (k + 1)).sum() for k, o in enumerate(out)).backward()
        results.append([o.detach().numpy() for o in out] + [x.grad.numpy()])
    for got, want in zip(*results, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_gradient_of_ints_and_bad_input(torch):
    for lib in (mg, torch):
        (g,) = lib.gradient(lib.tensor([1, 4, 9, 16]))
        assert g.tolist() == [3.0, 4.0, 6.0, 7.0] and g.dtype == lib.float32
    with pytest.raises(RuntimeError, match="at least edge_order\\+1"):
        mg.gradient(mg.tensor([1.0, 2.0]), edge_order=2)
    with pytest.raises(RuntimeError, match="edge_order=1 and edge_order=2"):
        mg.gradient(mg.tensor([1.0, 2.0, 3.0]), edge_order=3)
    with pytest.raises(RuntimeError, match="one entry per dim"):
        mg.gradient(mg.ones(3, 3), spacing=[1.0, 2.0, 3.0])


# *** torch.histogram ***
_DATA = np.concatenate([np.cos(np.arange(50.0) * 0.37) * 2, [2.0, -2.0, 5.0]])


@pytest.mark.parametrize("bins, kwargs", [(4, {"range": (-2.0, 2.0)}), (7, {}),
                                          ([-3.0, -1.0, 0.5, 2.0], {"density": True}),
                                          (3, {"weight": True, "density": True}), (2, {})])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_histogram_matches_torch(torch, bins, kwargs, dtype):
    results = []
    for lib in (mg, torch):
        x = lib.tensor(_DATA if bins != 2 else [2.0, 2.0], dtype=getattr(lib, dtype))
        kw = dict(kwargs)
        if kw.get("weight"):
            kw["weight"] = lib.linspace(0.5, 2.0, x.numel(), dtype=getattr(lib, dtype))
        b = lib.tensor(bins, dtype=getattr(lib, dtype)) if isinstance(bins, list) else bins
        out = lib.histogram(x, b, **kw) if lib is torch else x.histogram(b, **kw)
        assert out.hist.dtype == x.dtype and out.bin_edges.dtype == x.dtype
        results.append((out.hist.numpy(), out.bin_edges.numpy()))
    for got, want in zip(*results, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    with pytest.raises(RuntimeError, match="bins must be > 0"):
        mg.histogram(mg.ones(2), 0)
    with pytest.raises(RuntimeError, match="min should not exceed max"):
        mg.histogram(mg.ones(2), 2, range=(1.0, 0.0))
    with pytest.raises(NotImplementedError, match="int64"):
        mg.histogram(mg.tensor([1, 2]), 2)


# *** distributions of Bayesian models ***
_DISTS = [  # (name, parameters, values, methods with a closed form in both libraries)
    ("Exponential", ([0.5, 2.0],), [1.0, 0.3], ("mean", "variance", "entropy", "cdf")),
    ("Laplace", ([0.0, 1.0], [0.5, 2.0]), [0.3, -1.0], ("mean", "variance", "entropy", "cdf")),
    ("LogNormal", ([0.5, -1.0], [0.25, 1.5]), [2.0, 0.1], ("mean", "variance", "entropy")),
    ("Gamma", ([2.0, 0.7], [0.5, 3.0]), [3.0, 0.2], ("mean", "variance", "entropy")),
    ("Beta", ([2.0, 0.7], [5.0, 1.5]), [0.25, 0.9], ("mean", "variance", "entropy")),
    ("Dirichlet", ([[1.0, 2.0, 3.0], [0.5, 0.5, 4.0]],), [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]],
     ("mean", "variance", "entropy")),
    ("Poisson", ([0.5, 3.0],), [0.0, 4.0], ("mean", "variance")),
    ("StudentT", ([3.0, 1.5, 0.8], [0.0, 1.0, -1.0], [1.0, 2.0, 0.5]), [0.0, 4.0, -1.0],
     ("mean", "variance", "entropy")),
    ("Gumbel", ([0.0, 1.0], [0.5, 2.0]), [0.3, -1.0], ("mean", "variance", "entropy")),
    ("Cauchy", ([0.0, 1.0], [0.5, 2.0]), [0.3, -1.0], ("mean", "variance", "entropy", "cdf")),
    ("HalfNormal", ([0.5, 2.0],), [0.3, 1.0], ("mean", "variance", "entropy", "cdf")),
    ("Geometric", ([0.3, 0.8],), [0.0, 3.0], ("mean", "variance", "entropy")),
    ("Binomial", ([5.0, 10.0], [0.3, 0.75]), [2.0, 9.0], ("mean", "variance")),
]


@pytest.mark.parametrize("name, params, values, methods", _DISTS)
def test_bayesian_distributions_match_torch(torch, name, params, values, methods):
    results = []
    for lib in (mg, torch):
        leaves = [lib.tensor(p, dtype=lib.float64, requires_grad=True) for p in params]
        d = getattr(lib.distributions, name)(*leaves)
        value = lib.tensor(values, dtype=lib.float64)
        out = [d.log_prob(value)]
        for method in methods:
            got = getattr(d, method)
            out.append(got(value) if method == "cdf" else got() if callable(got) else got)
        sum(o.sum() for o in out if o.isfinite().all()).backward()
        results.append([o.detach().numpy() for o in out] + [p.grad.numpy() for p in leaves]
                       + [tuple(d.batch_shape), tuple(d.event_shape),
                          tuple(d.sample((4,)).shape)])
    for got, want in zip(*results, strict=True):  # torch's trigamma is good to ~1e-9 only
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-12)


def test_bayesian_distributions_refuse_bad_parameters_and_rsample():
    D = mg.distributions
    for make in (lambda: D.Gamma(mg.tensor(-1.0), mg.tensor(1.0)),
                 lambda: D.Beta(mg.tensor(1.0), mg.tensor(0.0)),
                 lambda: D.StudentT(mg.tensor(0.0)), lambda: D.Exponential(mg.tensor(-2.0)),
                 lambda: D.Poisson(mg.tensor(-0.5)), lambda: D.Dirichlet(mg.tensor([1.0, -1.0]))):
        with pytest.raises(ValueError, match="expected parameter"):
            make()
    with pytest.raises(NotImplementedError, match="Gamma.rsample"):
        D.Gamma(mg.tensor(2.0), mg.tensor(1.0)).rsample()
    draw = D.Laplace(mg.tensor(0.0, requires_grad=True), mg.tensor(1.0)).rsample((3,))
    assert draw.shape == (3,) and draw.requires_grad
    assert abs(float(D.Dirichlet(mg.ones(4)).sample().sum()) - 1) < 1e-6


# *** torch.utils.checkpoint (nothing recomputed: the same values and gradients) ***
def test_checkpoint_gives_the_plain_values_and_gradients(torch):
    results = []
    for lib in (mg, torch):
        lib.manual_seed(0)
        layers = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
        with lib.no_grad():
            for i, p in enumerate(layers.parameters()):
                p.copy_(lib.linspace(-1, 1, p.numel()).view(p.shape) * (i + 1))
        x = lib.linspace(-2, 2, 6).view(2, 3).requires_grad_()
        y = lib.utils.checkpoint.checkpoint(layers, x, use_reentrant=False)
        z = lib.utils.checkpoint.checkpoint_sequential(layers, 2, x, use_reentrant=False)
        (y.sum() + 2 * z.sum()).backward()
        results.append((y.detach().numpy(), z.detach().numpy(), x.grad.numpy(),
                        layers[0].weight.grad.numpy()))
    for got, want in zip(*results, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    with pytest.warns(UserWarning, match="use_reentrant"):
        mg.utils.checkpoint.checkpoint(lambda t: t * 2, mg.ones(2))


# *** torch.testing.assert_close ***
def test_assert_close_as_torch(torch):
    for lib in (mg, torch):
        close = lib.testing.assert_close
        close(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0 + 1e-6]))
        close(lib.tensor([1.0, float("nan")]), lib.tensor([1.0, float("nan")]), equal_nan=True)
        close({"w": [lib.ones(2)]}, {"w": [lib.ones(2)]})
        close(1.0, 1.0 + 1e-9)
        for a, b, kw, text in [
                (lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.1]), {}, "Mismatched elements: 1 / 2"),
                (lib.tensor([1.0]), lib.tensor([1.0], dtype=lib.float64), {}, "'dtype' do not"),
                (lib.tensor([1.0, 2.0]), lib.tensor([1.0]), {}, "'shape' do not match"),
                (lib.tensor([float("nan")]), lib.tensor([float("nan")]), {}, "not close"),
                (lib.tensor([1, 2]), lib.tensor([1, 3]), {}, "(?s)not equal!.*difference: 1 at"),
                (lib.tensor([1.0]), lib.tensor([1.5]), {"rtol": 0.1, "atol": 0.1}, "not close")]:
            with pytest.raises(AssertionError, match=text):
                close(a, b, **kw)
        close(lib.tensor([1.0]), lib.tensor([1.5]), rtol=0.5, atol=0.0)
        with pytest.raises(ValueError, match="Both 'rtol' and 'atol'"):
            close(lib.ones(1), lib.ones(1), rtol=0.1)


def test_set_default_tensor_type(torch):
    for lib in (mg, torch):
        with warnings.catch_warnings(record=True) as caught:  # torch warns once per process
            warnings.simplefilter("always")
            lib.set_default_tensor_type("torch.DoubleTensor")
            try:
                assert lib.ones(1).dtype == lib.float64
                with pytest.raises(TypeError, match="floating-point"):
                    lib.set_default_tensor_type(lib.LongTensor)
            finally:
                lib.set_default_tensor_type(lib.FloatTensor)
        assert lib.get_default_dtype() == lib.float32
        if lib is mg:
            assert "deprecated" in str(caught[0].message)


# *** nn.utils.parametrizations.spectral_norm ***
@pytest.mark.parametrize("make", [lambda lib: lib.nn.Linear(5, 4),
                                  lambda lib: lib.nn.Conv2d(2, 3, 3),
                                  lambda lib: lib.nn.ConvTranspose2d(3, 2, 3)])
def test_spectral_norm_matches_torch_from_the_same_vectors(torch, make):
    results, vectors = [], None
    for lib in (torch, mg):
        layer = make(lib)
        with lib.no_grad():
            for i, p in enumerate(layer.parameters()):
                p.copy_(lib.cos(lib.arange(p.numel(), dtype=lib.float64) * 0.7 + i).view(p.shape))
        layer = layer.double()
        lib.nn.utils.parametrizations.spectral_norm(layer)
        sn = layer.parametrizations.weight[0]
        if vectors is None:
            vectors = sn._u.numpy().copy(), sn._v.numpy().copy()
        else:  # start from torch's random vectors
            with lib.no_grad():
                sn._u.copy_(lib.tensor(vectors[0]))
                sn._v.copy_(lib.tensor(vectors[1]))
        x = lib.ones((2, 5) if isinstance(layer, lib.nn.Linear) else (1, layer.in_channels, 5, 5),
                     dtype=lib.float64)
        out = layer(x)
        out.pow(2).sum().backward()
        layer.eval()
        results.append([out.detach().numpy(), layer(x).detach().numpy(), sn._u.numpy(),
                        layer.parametrizations.weight.original.grad.numpy()])
        assert sorted(layer.state_dict()) == sorted(
            ["bias", "parametrizations.weight.original", "parametrizations.weight.0._u",
             "parametrizations.weight.0._v"])
    for got, want in zip(results[1], results[0], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_spectral_norm_converges_to_the_largest_singular_value():
    mg.manual_seed(0)
    layer = nn.Linear(6, 4, dtype=mg.float64)
    with mg.no_grad():  # singular values 3, 1, 0.5, 0.2: the power iteration gains 3x a step
        layer.weight.copy_(mg.eye(4, 6, dtype=mg.float64) * mg.tensor([3.0, 1.0, 0.5, 0.2],
                                                                      dtype=mg.float64)[:, None])
    nn.utils.parametrizations.spectral_norm(layer)
    for _ in range(5):
        weight = layer.weight
    assert float(mg.linalg.matrix_norm(weight.detach(), ord=2)) == pytest.approx(1.0, rel=1e-6)
    with pytest.raises(ValueError, match="no parameter or buffer with name 'kernel'"):
        nn.utils.parametrizations.spectral_norm(nn.Linear(2, 2), name="kernel")


# *** the hook-based nn.utils.spectral_norm (SNGAN discriminators) ***
@pytest.mark.parametrize("make", [lambda lib: lib.nn.Conv2d(2, 3, 3),
                                  lambda lib: lib.nn.ConvTranspose2d(3, 2, 3),
                                  lambda lib: lib.nn.Linear(5, 4)])
def test_hook_spectral_norm_matches_torch_from_the_same_vectors(torch, make):
    results, vectors = [], None
    for lib in (torch, mg):
        m = make(lib).double()
        with lib.no_grad():
            for i, p in enumerate(m.parameters()):
                p.copy_(lib.cos(lib.arange(p.numel(), dtype=lib.float64) * 0.7 + i).view(p.shape))
        lib.nn.utils.spectral_norm(m, n_power_iterations=2)
        if vectors is None:
            vectors = m.weight_u.numpy().copy(), m.weight_v.numpy().copy()
        else:
            with lib.no_grad():
                m.weight_u.copy_(lib.tensor(vectors[0]))
                m.weight_v.copy_(lib.tensor(vectors[1]))
        x = lib.ones((2, 5) if isinstance(m, lib.nn.Linear) else (1, m.in_channels, 5, 5),
                     dtype=lib.float64)
        out = m(x)
        out.pow(2).sum().backward()
        m.eval()
        evaluated = m(x)
        keys = sorted(m.state_dict())
        grad = m.weight_orig.grad.numpy()
        lib.nn.utils.remove_spectral_norm(m)
        results.append([out.detach().numpy(), evaluated.detach().numpy(), grad,
                        m.weight.detach().numpy()])
        assert keys == ["bias", "weight_orig", "weight_u", "weight_v"]
        assert [n for n, _ in m.named_parameters()] == ["bias", "weight"]
    for got, want in zip(results[1], results[0], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        nn.utils.remove_spectral_norm(nn.Linear(2, 2))


def test_deleting_a_buffer_unregisters_it(torch):
    for lib in (mg, torch):
        m = lib.nn.Linear(2, 2)
        m.register_buffer("scale", lib.ones(2))
        m.register_buffer("cache", lib.zeros(1), persistent=False)
        del m.scale
        del m.cache
        assert sorted(m.state_dict()) == ["bias", "weight"] and not list(m.buffers())
        m.register_buffer("scale", lib.ones(3))
        assert sorted(m.state_dict()) == ["bias", "scale", "weight"]
        lib.nn.utils.spectral_norm(m)
        lib.nn.utils.remove_spectral_norm(m)
        assert sorted(m.state_dict()) == ["bias", "scale", "weight"]


# *** torch.func.jvp ***
def test_func_jvp_matches_torch(torch):
    x, y = np.linspace(-1, 1, 4), np.linspace(0.5, 2, 4)
    results = []
    for lib in (mg, torch):
        def f(a, b, lib=lib):
            return (lib.sin(a) * b, (a * b).sum()), a.mean()
        primals = (lib.tensor(x), lib.tensor(y))
        tangents = (lib.ones(4, dtype=lib.float64), lib.tensor(y[::-1].copy()))
        (out, value), (t_out, t_value), aux = lib.func.jvp(f, primals, tangents, has_aux=True)
        single = lib.func.jvp(lib.sin, (primals[0],), (tangents[0],))
        results.append([out.numpy(), value.numpy(), t_out.numpy(), t_value.numpy(), aux.numpy(),
                        single[0].numpy(), single[1].numpy()])
    for got, want in zip(*results, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    with pytest.raises(RuntimeError, match="Expected primals to be a tuple"):
        mg.func.jvp(mg.sin, mg.ones(2), (mg.ones(2),))


@pytest.mark.parametrize("name, params", [(n, p) for n, p, _, _ in _DISTS])
def test_bayesian_distributions_print_as_torch(torch, name, params):
    shown = [getattr(lib.distributions, name)(*(lib.tensor(p[0] if isinstance(p[0], float)
                                                            else p) for p in params))
             for lib in (mg, torch)]
    assert repr(shown[0]).replace("minigrad.", "torch.") == repr(shown[1])
