"""Gaps found by a third batch of PyTorch programs (tests/pytorch_programs/, nanoGPT-, DQN-,
GCN-style and more): each fix checked against PyTorch on the calls those programs make."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

import minigrad as mg


# *** f-strings of tensors ***
@pytest.mark.parametrize("value, spec", [(2.5, ".3f"), (3, "d"), (True, ""), (-1.25, ">9.2e"),
                                         (7, "04d")])
def test_format_of_a_0d_tensor_formats_its_value(torch, value, spec):
    assert format(mg.tensor(value), spec) == format(torch.tensor(value), spec)
    x, y = mg.tensor(value, dtype=mg.float64), torch.tensor(value, dtype=torch.float64)
    assert f"{x:.2f}" == f"{y:.2f}"


def test_format_of_a_larger_tensor_takes_no_spec(torch):
    for lib in (mg, torch):
        with pytest.raises(TypeError):
            format(lib.tensor([1.5]), ".3f")
    assert format(mg.tensor([1.5]), "") == repr(mg.tensor([1.5]))


# *** torch.backends switches ***
def test_backends_switches_set_in_training_scripts(torch):
    for lib in (mg, torch):
        lib.backends.cuda.matmul.allow_tf32 = True
        lib.backends.cudnn.allow_tf32 = True
        assert lib.backends.cuda.matmul.allow_tf32 and lib.backends.cudnn.allow_tf32
        lib.backends.cuda.matmul.allow_tf32 = False
        assert lib.backends.cuda.flash_sdp_enabled() is True
        lib.backends.cuda.enable_flash_sdp(False)
        assert lib.backends.cuda.flash_sdp_enabled() is False
        lib.backends.cuda.enable_flash_sdp(True)
    assert mg.backends.cudnn.version() is torch.backends.cudnn.version() is None


# *** repeat_interleave(counts) and output_size ***
def test_repeat_interleave_of_counts_alone_gives_segment_ids(torch):
    counts = [2, 0, 3, 1]
    assert (mg.repeat_interleave(mg.tensor(counts)).tolist()
            == torch.repeat_interleave(torch.tensor(counts)).tolist() == [0, 0, 2, 2, 2, 3])
    assert mg.repeat_interleave(mg.tensor(counts)).dtype == mg.int64
    got = mg.tensor([1, 2]).repeat_interleave(2, output_size=4)
    assert got.tolist() == torch.tensor([1, 2]).repeat_interleave(2, output_size=4).tolist()
    with pytest.raises(ValueError, match="output_size=3"):
        mg.repeat_interleave(mg.tensor([1, 2]), 2, output_size=3)
    for bad in (mg.tensor([1.0, 2.0]), mg.tensor([[1, 2]])):
        with pytest.raises(ValueError, match="1-D integer"):
            mg.repeat_interleave(bad)


# *** convolutions and PReLU follow set_default_dtype and take device= ***
def test_conv_and_prelu_parameters_follow_the_default_dtype(torch):
    from minigrad import nn
    makers = [lambda lib, **kw: lib.nn.Conv2d(3, 4, 3, **kw),
              lambda lib, **kw: lib.nn.Conv1d(2, 2, 1, **kw),
              lambda lib, **kw: lib.nn.ConvTranspose2d(3, 4, 2, stride=2, **kw),
              lambda lib, **kw: lib.nn.PReLU(**kw)]
    previous = mg.get_default_dtype()
    try:
        for lib in (mg, torch):
            lib.set_default_dtype(lib.float64)
        for make in makers:
            for kw in ({}, {"device": "cpu"}, {"dtype": mg.float32}):
                ours = make(mg, **kw)
                theirs = make(torch, **{k: torch.float32 if k == "dtype" else v
                                        for k, v in kw.items()})
                assert [str(p.dtype).split(".")[-1] for p in ours.parameters()] == [
                    str(p.dtype).split(".")[-1] for p in theirs.parameters()]
    finally:
        mg.set_default_dtype(previous)
        torch.set_default_dtype(torch.float32)
    assert nn.Conv2d(1, 1, 1).weight.dtype == mg.float32
    with pytest.raises(RuntimeError, match="cuda"):
        nn.Conv2d(1, 1, 1, device="cuda")


# *** Sequential slices keep names; a module held twice is one child ***
def test_sequential_slice_keeps_the_names_as_torch(torch):
    from collections import OrderedDict

    def build(lib):
        return lib.nn.Sequential(OrderedDict(norm=lib.nn.Identity(), conv_1=lib.nn.ReLU(),
                                             style_loss_1=lib.nn.Tanh(), relu_1=lib.nn.ReLU()))
    ours, theirs = build(mg), build(torch)
    for index in (slice(None, 3), slice(1, None), slice(None, None, 2), slice(-1, None)):
        assert ([n for n, _ in ours[index].named_children()]
                == [n for n, _ in theirs[index].named_children()])
    assert type(ours[:2]) is mg.nn.Sequential and len(ours[:2]) == 2
    listed = mg.nn.ModuleList([mg.nn.ReLU(), mg.nn.Tanh(), mg.nn.ReLU()])
    assert type(listed[1:]) is mg.nn.ModuleList
    assert [n for n, _ in listed[1:].named_children()] == ["0", "1"]


def test_a_module_held_twice_is_one_child_but_every_entry_of_the_container(torch):
    for lib in (mg, torch):
        relu = lib.nn.ReLU()
        seq = lib.nn.Sequential(relu, lib.nn.Linear(2, 2), relu)
        assert len(seq) == len(list(seq)) == 3 and len(list(seq.children())) == 2
        assert [n for n, _ in seq.named_children()] == ["0", "1"]
        assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]
        assert [n for n, _ in seq.named_modules(remove_duplicate=False)] == ["", "0", "1", "2"]
        assert repr(seq).count("ReLU()") == 2
        calls: list[str] = []
        seq.apply(lambda m, calls=calls: calls.append(type(m).__name__))
        assert calls == ["ReLU", "Linear", "Sequential"]
        both = lib.nn.ModuleDict({"a": relu, "b": relu})
        assert list(both.keys()) == ["a", "b"] and len(list(both.children())) == 1


# *** torch.distributions: Uniform, Independent, MixtureSameFamily, MultivariateNormal ***
def _same(torch, make, methods, *params):
    """make(lib.distributions, *params as float64 leaves) under both libraries: each method's
    value and the gradient of their sum with respect to the parameters agree."""
    results = []
    for lib in (mg, torch):
        leaves = [lib.tensor(p, dtype=lib.float64, requires_grad=True) for p in params]
        d = make(lib.distributions, *leaves)
        values = [m(d, lib) for m in methods]
        sum(v.sum() for v in values).backward()
        results.append(([v.detach().numpy() for v in values],
                        [p.grad.numpy() if p.grad is not None else 0 for p in leaves]))
    for got, want in zip(results[0][0] + results[0][1], results[1][0] + results[1][1]):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def _t(lib, value):
    return lib.tensor(value, dtype=lib.float64)


def test_uniform_matches_torch(torch):
    _same(torch, lambda D, lo, hi: D.Uniform(lo, hi),
          [lambda d, lib: d.log_prob(_t(lib, [1.0, 0.5])), lambda d, lib: d.entropy(),
           lambda d, lib: d.cdf(_t(lib, [[0.5, -1.0], [1.5, 0.0]])), lambda d, lib: d.mean,
           lambda d, lib: d.variance, lambda d, lib: d.stddev,
           lambda d, lib: d.icdf(_t(lib, [0.25, 0.5]))],
          [0.0, -1.0], [2.0, 1.0])
    u = mg.distributions.Uniform(mg.tensor([0.0, -1.0], requires_grad=True), 1.0)
    s = u.rsample((500,))
    assert s.shape == (500, 2) and s.requires_grad and not u.sample().requires_grad
    assert bool(((s >= u.low) & (s < u.high)).all())
    for method in (u.log_prob, u.cdf):
        with pytest.raises(ValueError, match="support"):
            method(mg.tensor([0.5, 1.0]))
    with pytest.raises(ValueError, match="low"):
        mg.distributions.Uniform(1.0, 1.0)
    assert mg.distributions.Uniform(0.0, 1.0, validate_args=False).log_prob(
        mg.tensor(2.0)).item() == -np.inf


def test_independent_and_its_kl_match_torch(torch):
    _same(torch, lambda D, mu, s: D.Independent(D.Normal(mu, s), 1),
          [lambda d, lib: d.log_prob(_t(lib, [[0.1, 0.2], [0.3, -1.0]])),
           lambda d, lib: d.entropy(), lambda d, lib: d.mean, lambda d, lib: d.variance,
           lambda d, lib: lib.distributions.kl_divergence(d, lib.distributions.Independent(
               lib.distributions.Normal(_t(lib, [0.0, 1.0]), _t(lib, 2.0)), 1))],
          [[0.5, -0.5], [0.1, 0.2]], [[0.8, 1.2], [1.0, 0.5]])
    for lib in (mg, torch):
        d = lib.distributions.Independent(lib.distributions.Normal(lib.zeros(4, 3, 2), 1.0), 2)
        assert (tuple(d.batch_shape), tuple(d.event_shape)) == ((4,), (3, 2))
        assert d.has_rsample and tuple(d.rsample((5,)).shape) == (5, 4, 3, 2)
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims"):
        mg.distributions.Independent(mg.distributions.Normal(mg.zeros(2), 1.0), 2)


def test_mixture_same_family_matches_torch(torch):
    def make(D, logits, mu, sigma):
        return D.MixtureSameFamily(D.Categorical(logits=logits),
                                   D.Independent(D.Normal(mu, sigma), 1))
    logits = [[0.1, 1.0, -0.5], [0.0, 0.0, 2.0]]
    mu = np.sin(np.arange(12.0)).reshape(2, 3, 2)
    sigma = 0.5 + np.cos(np.arange(12.0)).reshape(2, 3, 2) ** 2
    _same(torch, make, [lambda d, lib: d.log_prob(_t(lib, [[0.1, 0.2], [0.3, -1.0]])),
                        lambda d, lib: d.log_prob(_t(lib, [[[0.0, 0.5]]])),
                        lambda d, lib: d.mean, lambda d, lib: d.variance],
          logits, mu, sigma)
    scalar = [lib.distributions.MixtureSameFamily(
        lib.distributions.Categorical(probs=lib.tensor([0.3, 0.7], dtype=lib.float64)),
        lib.distributions.Normal(lib.tensor([-1.0, 2.0], dtype=lib.float64), 0.5))
        for lib in (mg, torch)]
    np.testing.assert_allclose(scalar[0].log_prob(mg.tensor([0.0, 2.0])).numpy(),
                               scalar[1].log_prob(torch.tensor([0.0, 2.0])).numpy())
    assert scalar[0].sample((7,)).shape == (7,) and not scalar[0].batch_shape
    mg.manual_seed(0)
    draws = make(mg.distributions, mg.tensor(logits), mg.tensor(mu), mg.tensor(sigma)).sample(
        (4000,))
    assert draws.shape == (4000, 2, 2)
    want = make(torch.distributions, *(torch.tensor(v) for v in (logits, mu, sigma))).mean
    np.testing.assert_allclose(draws.mean(0).numpy(), want.numpy(), atol=0.1)
    with pytest.raises(ValueError, match="3 categories"):
        mg.distributions.MixtureSameFamily(mg.distributions.Categorical(logits=mg.zeros(3)),
                                           mg.distributions.Normal(mg.zeros(4), 1.0))


@pytest.mark.parametrize("which", ["covariance_matrix", "scale_tril", "precision_matrix"])
def test_multivariate_normal_matches_torch(torch, which):
    a = np.array([[[1.0, 0.0], [0.5, 2.0]], [[0.7, 0.0], [-0.3, 0.4]]])
    matrix = {"scale_tril": a, "covariance_matrix": a @ a.transpose(0, 2, 1),
              "precision_matrix": np.linalg.inv(a @ a.transpose(0, 2, 1))}[which]

    def make(D, loc, m):
        return D.MultivariateNormal(loc, **{which: m})
    _same(torch, make, [lambda d, lib: d.log_prob(_t(lib, [[0.1, 0.2], [0.3, -1.0]])),
                        lambda d, lib: d.log_prob(_t(lib, [[[0.0, 0.5]], [[1.0, 1.0]]])),
                        lambda d, lib: d.entropy(), lambda d, lib: d.variance,
                        lambda d, lib: d.covariance_matrix, lambda d, lib: d.scale_tril,
                        lambda d, lib: d.precision_matrix, lambda d, lib: d.mean,
                        lambda d, lib: lib.distributions.kl_divergence(
                            d, lib.distributions.MultivariateNormal(
                                _t(lib, [1.0, 0.0]), scale_tril=2 * lib.eye(2).double()))],
          [0.5, -0.5], matrix)


def test_multivariate_normal_samples_and_refusals():
    L = mg.tensor([[1.0, 0.0], [0.5, 0.5]])
    d = mg.distributions.MultivariateNormal(mg.zeros(3, 2), scale_tril=L)
    assert (d.batch_shape, d.event_shape) == ((3,), (2,))
    mg.manual_seed(0)
    z = d.sample((4000,))
    assert z.shape == (4000, 3, 2)
    np.testing.assert_allclose(np.cov(z[:, 0].numpy().T), (L @ L.T).numpy(), atol=0.08)
    with pytest.raises(ValueError, match="PositiveDefinite"):
        mg.distributions.MultivariateNormal(mg.zeros(2), mg.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="exactly one"):
        mg.distributions.MultivariateNormal(mg.zeros(2))
    with pytest.raises(ValueError, match="does not fit loc"):
        mg.distributions.MultivariateNormal(mg.zeros(3), mg.eye(2))


# *** autograd.Function: ctx.mark_dirty ***
def _dirty_functions(lib):
    class ReluInPlace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x > 0)
            ctx.mark_dirty(x.relu_())
            return x

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.saved_tensors[0]

    class AddInPlace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            x.add_(y)
            ctx.mark_dirty(x)
            return x, y * 2

        @staticmethod
        def backward(ctx, gx, gy2):
            return gx, gx + 2 * gy2
    return ReluInPlace, AddInPlace


def test_mark_dirty_returns_the_input_as_the_node_output_as_torch(torch):
    results = []
    for lib in (mg, torch):
        relu, add = _dirty_functions(lib)
        a = lib.tensor([-0.5, 0.25, 0.75, 1.5], requires_grad=True)
        y = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        b = a * 1.0
        before = b * 2  # took b's version before the write
        out = relu.apply(b)
        assert out is b and b.grad_fn is not None
        (out * lib.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward(retain_graph=True)
        got = [b.tolist(), a.grad.tolist()]
        a.grad = None
        before.sum().backward()
        got.append(a.grad.tolist())
        x = a * 3
        x2, y2 = add.apply(x, y)
        assert x2 is x
        (x2 * y2).sum().backward()
        got += [x.tolist(), y.grad.tolist()]
        fresh = lib.zeros(4)  # not requiring grad: becomes the node's output all the same
        assert add.apply(fresh, y)[0] is fresh and fresh.requires_grad
        results.append(got)
    assert results[0] == results[1]


def test_mark_dirty_refusals_and_version_checks(torch):
    for lib in (mg, torch):
        relu, _ = _dirty_functions(lib)
        a = lib.tensor([-0.5, 0.25], requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf"):
            relu.apply(a)
        b = a * 1.0
        square = b * b  # saved b, which the Function then writes
        relu.apply(b)
        with pytest.raises(RuntimeError, match="inplace|in place"):
            square.sum().backward()
        with lib.no_grad():
            z = lib.tensor([-2.0])
            assert relu.apply(z) is z and z.tolist() == [0.0]

    class NotReturned(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g
    with pytest.raises(RuntimeError, match="returned"):
        NotReturned.apply(mg.tensor([1.0], requires_grad=True) * 1)


# *** t[index] = value drops value's leading size-1 dims, as PyTorch ***
@pytest.mark.parametrize("shape, index, value_shape", [
    ((3, 2), 1, (1, 2)), ((3, 2), 1, (1, 1, 2)), ((3, 2), slice(0, 2), (1, 2, 2)),
    ((2,), Ellipsis, (1, 2)), ((2, 3), "mask", (1, 6)), ((2, 3), "rows", (1, 2, 3))])
def test_setitem_drops_leading_ones_of_the_value_as_torch(torch, shape, index, value_shape):
    got = []
    for lib in (mg, torch):
        base = lib.zeros(*shape, requires_grad=True)
        x = base * 1.0
        at = {"mask": x.detach() > -1, "rows": lib.tensor([0, 1])}.get(index, index) if (
            isinstance(index, str)) else index
        value = lib.arange(1.0, 1.0 + math.prod(value_shape)).reshape(value_shape)
        value.requires_grad_(True)
        x[at] = value * 2
        (x * lib.arange(1.0, 1.0 + x.numel()).reshape(x.shape)).sum().backward()
        got.append((x.tolist(), value.grad.tolist(), base.grad.tolist()))
    assert got[0] == got[1]


def test_setitem_still_refuses_values_that_do_not_fit(torch):
    for value_shape in ((2, 2), (2, 1)):
        for lib in (mg, torch):
            with pytest.raises(RuntimeError):
                lib.zeros(3, 2)[1] = lib.ones(*value_shape)
    for lib in (mg, torch):  # copy_ keeps PyTorch's stricter broadcasting
        with pytest.raises(RuntimeError):
            lib.zeros(3).copy_(lib.ones(1, 3))


# *** torch.cosine_similarity & co. at the top level; Tensor.H; empty tensors' repr ***
def test_functional_functions_at_the_top_level(torch):
    x = np.arange(12.0).reshape(3, 4)
    for name, args in [("cosine_similarity", (x, x + 1)),
                       ("pairwise_distance", (x, x[::-1].copy())),
                       ("pixel_shuffle", (np.arange(16.0).reshape(1, 4, 2, 2), 2)),
                       ("pixel_unshuffle", (np.arange(16.0).reshape(1, 1, 4, 4), 2)),
                       ("channel_shuffle", (np.arange(4.0).reshape(1, 4, 1, 1), 2))]:
        got, want = (getattr(lib, name)(*[lib.tensor(a) if isinstance(a, np.ndarray) else a
                                          for a in args]) for lib in (mg, torch))
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, err_msg=name)
    assert mg.cosine_similarity(mg.tensor(x), mg.tensor(x), dim=0).shape == (4,)


def test_tensor_H_as_torch(torch):
    assert mg.ones(2, 3).H.shape == (3, 2) == tuple(torch.ones(2, 3).H.shape)
    for lib in (mg, torch):
        for shape in ((2,), (2, 3, 4)):
            with pytest.raises(RuntimeError, match="matrices"):
                _ = lib.ones(*shape).H


@pytest.mark.parametrize("shape, dtype", [((0, 3), "float32"), ((2, 0), "float64"),
                                          ((0,), "float32"), ((0,), "int64"),
                                          ((3, 0), "int32"), ((0, 2), "bool")])
def test_empty_tensors_print_their_size_and_dtype_as_torch(torch, shape, dtype):
    ours = repr(mg.zeros(*shape, dtype=getattr(mg, dtype)))
    theirs = repr(torch.zeros(*shape, dtype=getattr(torch, dtype))).replace("torch.", "")
    assert ours == theirs


def test_load_state_dict_result_prints_as_torch(torch):
    for lib in (mg, torch):
        model = lib.nn.Linear(2, 1)
        sd = model.state_dict()
        assert str(model.load_state_dict(sd)) == "<All keys matched successfully>"
        result = model.load_state_dict({"weight": sd["weight"], "x": lib.zeros(1)}, strict=False)
        assert repr(result).endswith(
            "IncompatibleKeys(missing_keys=['bias'], unexpected_keys=['x'])")
        assert result.missing_keys == ["bias"] and not result == ([], [])


def test_get_worker_info_is_none_in_the_main_process(torch):
    assert mg.data.get_worker_info() is None is torch.utils.data.get_worker_info()
    from minigrad.data import get_worker_info
    assert get_worker_info is mg.data.get_worker_info


# *** autograd.grad runs only the nodes between the outputs and the inputs asked for ***
def test_grad_wrt_a_non_leaf_leaves_the_graph_below_it_alone(torch):
    results = []
    for lib in (mg, torch):
        w = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        calls = []
        w.register_hook(lambda g, calls=calls: calls.append("w"))
        h = w.sin()  # saves w: a node that backward would free
        loss = (h * h).sum()
        (g,) = lib.autograd.grad(loss, [h])
        assert calls == []  # h's node did not run
        (h * 2).sum().backward()  # ... and was not freed
        results.append((g.tolist(), w.grad.tolist(), calls))
    assert results[0] == results[1]


def test_first_order_maml_steps_through_non_leaf_fast_weights(torch):
    def run(lib):
        w = lib.tensor([[0.5, -0.3], [0.2, 0.4]], requires_grad=True)
        x = lib.tensor([[1.0, 2.0], [3.0, -1.0]])
        fast = w
        for _ in range(2):
            loss = (x @ fast).tanh().pow(2).sum()
            (g,) = lib.autograd.grad(loss, [fast])  # create_graph=False: first order
            fast = fast - 0.1 * g
        (x @ fast).sin().sum().backward()
        return w.grad.tolist()
    np.testing.assert_allclose(run(mg), run(torch), rtol=1e-6)


def test_grad_through_a_freed_graph_still_raises():
    x = mg.tensor([1.0], requires_grad=True)
    y = (x.exp() * x).sum()
    mg.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="second time"):
        mg.autograd.grad(y, x)


# *** torch.nn.utils.prune ***
def _pruned_pair(torch, steps):
    """steps(lib, module) on the same Linear in both libraries; the masks and names agree."""
    importlib.import_module("torch.nn.utils.prune")  # torch does not import it itself
    out = []
    for lib in (mg, torch):
        m = lib.nn.Linear(4, 3)
        with lib.no_grad():
            k = lib.arange(12, dtype=lib.float32)
            m.weight.copy_((lib.sin(k * 0.77) * (1 + k / 12)).reshape(3, 4))
            m.bias.copy_(lib.tensor([0.3, -0.1, 0.2]))
        steps(lib, m)
        out.append(([n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()],
                    m.weight.detach().numpy().copy(),
                    {k: v.numpy().copy() for k, v in m.state_dict().items()}))
    (names_m, bufs_m, w_m, sd_m), (names_t, bufs_t, w_t, sd_t) = out
    assert names_m == names_t and bufs_m == bufs_t and list(sd_m) == list(sd_t)
    np.testing.assert_allclose(w_m, w_t, rtol=1e-6)
    for key in sd_m:
        np.testing.assert_allclose(sd_m[key], sd_t[key], rtol=1e-6, err_msg=key)


@pytest.mark.parametrize("case", ["l1", "l1_int", "ln", "iterative", "remove", "custom",
                                  "global", "bias_then_weight"])
def test_prune_matches_torch(torch, case):
    others: list = []

    def steps(lib, m):
        P = lib.nn.utils.prune
        if case == "l1":
            P.l1_unstructured(m, "weight", amount=0.25)
        elif case == "l1_int":
            P.l1_unstructured(m, name="weight", amount=5)
        elif case == "ln":
            P.ln_structured(m, "weight", amount=1, n=1, dim=0)
        elif case == "iterative":
            P.ln_structured(m, "weight", amount=0.34, n=2, dim=1)
            P.l1_unstructured(m, "weight", amount=0.5)
        elif case == "remove":
            P.l1_unstructured(m, "weight", amount=0.5)
            P.remove(m, "weight")
            assert isinstance(m.weight, lib.nn.Parameter) and not P.is_pruned(m)
        elif case == "custom":
            P.custom_from_mask(m, "bias", mask=lib.tensor([1.0, 0.0, 1.0]))
        elif case == "global":
            other = lib.nn.Linear(2, 2)
            with lib.no_grad():
                other.weight.copy_(lib.tensor([[0.05, -2.0], [0.5, 0.01]]))
            P.global_unstructured([(m, "weight"), (other, "weight")],
                                  pruning_method=P.L1Unstructured, amount=0.5)
            others.append(other.weight_mask.tolist())
        else:
            P.l1_unstructured(m, "bias", amount=1)
            P.random_unstructured(m, "weight", amount=0.0)
    _pruned_pair(torch, steps)
    assert others[:1] == others[1:]


def test_pruned_weight_trains_through_its_mask_and_refusals():
    P = mg.nn.utils.prune
    m = mg.nn.Linear(3, 2)
    P.l1_unstructured(m, "weight", amount=3)
    assert P.is_pruned(m) and isinstance(next(iter(m._forward_pre_hooks.values())),
                                         P.BasePruningMethod)
    m(mg.ones(4, 3)).sum().backward()
    assert (m.weight_orig.grad.numpy()[m.weight_mask.numpy() == 0] == 0).all()
    with pytest.raises(ValueError, match="amount"):
        P.l1_unstructured(mg.nn.Linear(2, 2), "weight", amount=1.5)
    with pytest.raises(ValueError, match="smaller than the number"):
        P.l1_unstructured(mg.nn.Linear(2, 2), "weight", amount=5)
    with pytest.raises(ValueError, match="has to be pruned"):
        P.remove(mg.nn.Linear(2, 2), "weight")
    from minigrad.nn.utils import prune
    assert prune is P


def test_forward_hooks_are_stored_as_torch_stores_them(torch):
    for lib in (mg, torch):
        m = lib.nn.Linear(2, 2)
        seen = []
        def pre(module, args, kwargs, seen=seen):
            seen.append(sorted(kwargs))
        def post(module, args, output, seen=seen):
            seen.append("post")
        m.register_forward_pre_hook(pre, with_kwargs=True)
        m.register_forward_hook(post)
        assert list(m._forward_pre_hooks.values()) == [pre]
        assert list(m._forward_hooks.values()) == [post]
        m(lib.ones(1, 2))
        assert seen == [[], "post"]
