"""minigrad.nn: module mechanics, state dicts, layers against PyTorch, init, gradient clipping."""

from __future__ import annotations

import copy
import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F


class Block(nn.Module):
    """Parameters held directly, in a list, in a dict, and in a sub-module."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(np.ones(3, dtype=np.float32))
        self.layers = [nn.Linear(3, 4), nn.Linear(4, 3)]
        self.heads = {"a": nn.Linear(3, 2)}
        self.norm = nn.BatchNorm1d(3)

    def forward(self, x: mg.Tensor) -> mg.Tensor:
        x = self.norm(x * self.scale)
        for layer in self.layers:
            x = layer(x).relu()
        return self.heads["a"](x)


# *** finding members ***
def test_parameters_are_found_in_attributes_lists_dicts_and_submodules():
    names = [name for name, _ in Block().named_parameters()]
    assert names == ["scale", "layers.0.weight", "layers.0.bias", "layers.1.weight",
                     "layers.1.bias", "heads.a.weight", "heads.a.bias", "norm.weight",
                     "norm.bias"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in Block().parameters())


def test_a_shared_parameter_is_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias"]


def test_children_modules_buffers():
    model = Block()
    assert [type(m).__name__ for m in model.children()] == ["Linear", "Linear", "Linear",
                                                            "BatchNorm1d"]
    assert len(list(model.modules())) == 5
    assert [name for name, _ in model.named_buffers()] == [
        "norm.running_mean", "norm.running_var", "norm.num_batches_tracked"]


def test_train_and_eval_reach_every_submodule():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5), nn.BatchNorm1d(2)))
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_clears_every_gradient():
    model = Block()
    F.mse_loss(model(mg.randn(5, 3)), mg.zeros(5, 2)).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_zero_grad_can_leave_zeros_instead():
    model = Block()
    F.mse_loss(model(mg.randn(5, 3)), mg.zeros(5, 2)).backward()
    model.zero_grad(set_to_none=False)
    for p in model.parameters():
        assert p.grad.shape == p.shape and not p.grad.array.any()


def test_forgetting_super_init_is_a_clear_error():
    class Broken(nn.Module):
        def __init__(self) -> None:
            self.fc = nn.Linear(2, 2)

        def forward(self, x):
            return self.fc(x)

    with pytest.raises(RuntimeError, match="super"):
        Broken()(mg.zeros(1, 2))


# *** hooks and printing ***
def test_forward_hooks_see_and_replace_outputs_and_can_be_removed():
    layer = nn.Linear(2, 3)
    seen = []
    handle = layer.register_forward_hook(lambda m, inputs, out: seen.append(out.shape))
    layer(mg.zeros(4, 2))
    replace = layer.register_forward_hook(lambda m, inputs, out: out * 0)
    assert np.all(layer(mg.ones(4, 2)).array == 0)
    handle.remove()
    replace.remove()
    layer(mg.zeros(1, 2))
    assert seen == [(4, 3), (4, 3)]


def test_repr_prints_the_tree_as_pytorch_does(torch):
    ours = nn.Sequential(nn.Linear(784, 256), nn.Sigmoid(), nn.Linear(256, 10),
                         nn.LayerNorm(10), nn.BatchNorm1d(10), nn.Flatten())
    theirs = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.Sigmoid(),
                                 torch.nn.Linear(256, 10), torch.nn.LayerNorm(10),
                                 torch.nn.BatchNorm1d(10), torch.nn.Flatten())
    assert repr(ours) == repr(theirs)
    assert repr(nn.Dropout(0.1)) == repr(torch.nn.Dropout(0.1))


# *** state dicts ***
def test_state_dict_round_trip_restores_outputs():
    source, target = Block(), Block()
    x = mg.randn(6, 3)
    source(x)  # moves the batch-norm running statistics
    source.eval()
    target.load_state_dict(source.state_dict())
    target.eval()
    np.testing.assert_array_equal(source(x).array, target(x).array)


def test_state_dict_shares_the_parameters_memory_as_in_pytorch(torch):
    for lib in (mg, torch):
        model = lib.nn.Linear(2, 2)
        state, snapshot = model.state_dict(), copy.deepcopy(model.state_dict())
        assert not state["weight"].requires_grad and state["weight"].grad_fn is None
        with lib.no_grad():
            model.weight += 1  # training moves the state dict's values too, not the deepcopy
        assert lib.equal(state["weight"], model.weight)
        assert lib.equal(snapshot["weight"] + 1, model.weight)
        assert model.state_dict(keep_vars=True)["weight"] is model.weight
        assert list(model.state_dict(prefix="fc.")) == ["fc.weight", "fc.bias"]
        assert {k: v.clone() for k, v in state.items()}.keys() == state.keys()


@pytest.mark.parametrize("change, message", [
    (lambda s: s.pop("layers.0.bias"), re.escape('Missing key(s) in state_dict: "layers.0.bias"')),
    (lambda s: s.update(extra=np.zeros(1)), re.escape('Unexpected key(s) in state_dict: "extra"')),
    (lambda s: s.update({"heads.a.weight": np.zeros((3, 3))}),
     re.escape("size mismatch for heads.a.weight: copying a param with shape (3, 3) from "
               "checkpoint, the shape in current model is (2, 3).")),
])
def test_strict_load_lists_the_problem_and_changes_nothing(change, message):
    model = Block()
    before = model.state_dict()
    state = Block().state_dict()
    change(state)
    with pytest.raises(RuntimeError, match=message):
        model.load_state_dict(state)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[key])


def test_non_strict_load_reports_missing_and_unexpected_keys():
    model = nn.Linear(2, 2)
    result = model.load_state_dict({"weight": np.ones((2, 2)), "other": np.ones(1)},
                                   strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["other"]
    assert np.all(model.weight.array == 1) and model.weight.dtype == np.float32


def test_state_dict_moves_both_ways_with_pytorch(torch):
    ours = nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 3),
                         nn.LayerNorm(3))
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.BatchNorm1d(4),
                                 torch.nn.Tanh(), torch.nn.Linear(4, 3), torch.nn.LayerNorm(3))
    state = ours.state_dict()
    assert list(state) == list(theirs.state_dict())
    assert all(state[k].shape == tuple(v.shape) for k, v in theirs.state_dict().items())
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in state.items()})
    x = np.random.default_rng(0).standard_normal((7, 5)).astype(np.float32)
    np.testing.assert_allclose(ours(mg.tensor(x)).array,
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    theirs.train()
    theirs(torch.tensor(x))  # new running statistics, then back into minigrad
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(ours(mg.tensor(x)).array,
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


# *** layers against PyTorch ***
@pytest.mark.parametrize("momentum", [0.1, None])  # None: the cumulative average
@pytest.mark.parametrize("training", [True, False])
@given(batch=st.integers(2, 9), features=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_batchnorm1d_matches_pytorch_over_several_steps(torch, training, momentum, batch,
                                                        features, seed):
    rng = np.random.default_rng(seed)
    ours = nn.BatchNorm1d(features, momentum=momentum)
    theirs = torch.nn.BatchNorm1d(features, momentum=momentum)
    weight, bias = rng.standard_normal(features), rng.standard_normal(features)
    ours.weight.array[:], ours.bias.array[:] = weight, bias
    theirs.weight.data[:], theirs.bias.data[:] = torch.tensor(weight), torch.tensor(bias)
    for _ in range(3):  # training steps move the running statistics
        x = (rng.standard_normal((batch, features)) * 3 + 1).astype(np.float32)
        ours.train(training)
        theirs.train(training)
        xt = torch.tensor(x, requires_grad=True)
        xm = mg.tensor(x, requires_grad=True)
        g = rng.standard_normal((batch, features)).astype(np.float32)
        ours_out, out = ours(xm), theirs(xt)
        ours_out.backward(g)
        out.backward(torch.tensor(g))
        np.testing.assert_allclose(ours_out.array, out.detach().numpy(), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(xm.grad.array, xt.grad.numpy(), rtol=1e-3, atol=1e-4)
        np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(),
                                   rtol=1e-3, atol=1e-4)
        theirs.weight.grad = theirs.bias.grad = None
        ours.zero_grad()
    np.testing.assert_allclose(ours.running_mean.array, theirs.running_mean.numpy(), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(ours.running_var.array, theirs.running_var.numpy(), rtol=1e-5,
                               atol=1e-6)
    assert int(ours.num_batches_tracked.array) == int(theirs.num_batches_tracked)


def test_batchnorm_eval_output_does_not_depend_on_the_batch():
    norm = nn.BatchNorm1d(3)
    norm(mg.randn(16, 3) * 4 + 2)
    norm.eval()
    one = norm(mg.tensor(np.ones((1, 3), np.float32))).array
    many = norm(mg.tensor(np.vstack([np.ones((1, 3)), np.random.randn(7, 3) * 10])
                          .astype(np.float32))).array
    np.testing.assert_allclose(one[0], many[0], rtol=1e-6)


@given(shape=st.sampled_from([(4, 6), (2, 3, 5)]), seed=st.integers(0, 2**16))
def test_layernorm_matches_pytorch(torch, shape, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 5).astype(np.float32)
    ours, theirs = nn.LayerNorm(shape[-1]), torch.nn.LayerNorm(shape[-1])
    ours.weight.array[:] = theirs.weight.data.numpy()[:] = rng.standard_normal(shape[-1])
    xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours(xm).sum().backward()
    out = theirs(xt)
    out.sum().backward()
    np.testing.assert_allclose(ours(xm).array, out.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(xm.grad.array, xt.grad.numpy(), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(ours.weight.grad.array, theirs.weight.grad.numpy(), rtol=1e-4,
                               atol=1e-5)


@pytest.mark.parametrize("name", ["CrossEntropyLoss", "MSELoss", "BCELoss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_match_pytorch(torch, name, reduction):
    rng = np.random.default_rng(1)
    if name == "CrossEntropyLoss":
        inputs, target = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    elif name == "MSELoss":
        inputs, target = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    else:
        inputs, target = rng.uniform(0.05, 0.95, (6, 4)), rng.integers(0, 2, (6, 4)) * 1.0
    ours = getattr(nn, name)(reduction=reduction)(mg.tensor(inputs), mg.tensor(target))
    theirs = getattr(torch.nn, name)(reduction=reduction)(torch.tensor(inputs),
                                                          torch.tensor(target))
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-10)


def test_activation_and_shape_layers():
    x = mg.tensor(np.array([[-2.0, 0.5], [3.0, -0.1]], np.float32))
    np.testing.assert_allclose(nn.ReLU()(x).array, np.maximum(x.array, 0))
    np.testing.assert_allclose(nn.Tanh()(x).array, np.tanh(x.array), rtol=1e-6)
    np.testing.assert_allclose(nn.LeakyReLU(0.2)(x).array, np.where(x.array > 0, x.array,
                                                                    0.2 * x.array))
    np.testing.assert_allclose(nn.Softmax(1)(x).array.sum(1), 1, rtol=1e-6)
    assert nn.Identity()(x) is x
    assert nn.Flatten()(mg.zeros(2, 3, 4)).shape == (2, 12)


def test_dropout_scales_kept_units_and_is_identity_in_eval():
    mg.manual_seed(0)
    drop = nn.Dropout(0.25)
    out = drop(mg.ones(200, 50)).array
    kept = out != 0
    assert abs(kept.mean() - 0.75) < 0.02
    np.testing.assert_allclose(out[kept], 1 / 0.75, rtol=1e-6)
    drop.eval()
    assert np.all(drop(mg.ones(3, 3)).array == 1)
    with pytest.raises(ValueError, match="p must be in"):
        nn.Dropout(1.5)


# *** initialisation ***
def test_linear_default_init_is_uniform_within_one_over_sqrt_fan_in():
    mg.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert p.dtype == np.float32
        assert np.abs(p.array).max() <= bound
        assert np.abs(p.array).max() > 0.95 * bound
    assert layer.weight.array.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


@pytest.mark.parametrize("init, expected_std", [
    (lambda t: nn.init.xavier_uniform_(t), math.sqrt(2 / (300 + 200))),
    (lambda t: nn.init.glorot_normal_(t), math.sqrt(2 / (300 + 200))),
    (lambda t: nn.init.kaiming_normal_(t, nonlinearity="relu"), math.sqrt(2 / 300)),
    (lambda t: nn.init.he_uniform_(t, nonlinearity="relu"), math.sqrt(2 / 300)),
    (lambda t: nn.init.normal_(t, 0.0, 0.01), 0.01),
    (lambda t: nn.init.uniform_(t, -1, 1), 1 / math.sqrt(3)),
])
def test_init_functions_give_the_documented_spread(init, expected_std):
    mg.manual_seed(1)
    weight = mg.zeros(200, 300)  # fan_in 300, fan_out 200
    init(weight)
    assert weight.array.std() == pytest.approx(expected_std, rel=0.03)
    assert abs(weight.array.mean()) < 0.1 * expected_std


@pytest.mark.parametrize("init", [
    nn.init.uniform_, nn.init.normal_, nn.init.zeros_, nn.init.ones_,
    lambda t: nn.init.constant_(t, 0.5), nn.init.xavier_uniform_, nn.init.xavier_normal_,
    nn.init.kaiming_uniform_, nn.init.kaiming_normal_,
])
def test_init_functions_bump_the_version_so_a_stale_graph_refuses_backward(init, torch):
    """As in PyTorch (whose init functions write under no_grad): the layer's output saved the
    old weight, so backward after re-initialising it raises instead of mixing old and new."""
    layer = nn.Linear(3, 2)
    before = layer.weight._version
    x = mg.tensor(np.ones((4, 3)), dtype=np.float32, requires_grad=True)
    y = layer(x)
    assert init(layer.weight) is layer.weight
    assert layer.weight._version == before + 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()

    ref = torch.nn.Linear(3, 2)
    assert (before, nn.Linear(3, 2).bias._version) == (ref.weight._version, ref.bias._version)
    ref_y = ref(torch.ones(4, 3, requires_grad=True))
    with torch.no_grad():
        ref.weight.normal_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        ref_y.sum().backward()


def test_init_errors_name_the_problem():
    with pytest.raises(ValueError, match="at least 2 dims"):
        nn.init.xavier_uniform_(mg.zeros(3))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.init.calculate_gain("swish")


# *** gradient clipping ***
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_matches_pytorch(torch, norm_type):
    rng = np.random.default_rng(3)
    grads = [rng.standard_normal((4, 5)) * 3, rng.standard_normal(5)]
    ours = [mg.tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = mg.tensor(g), torch.tensor(g)
    kept = ours[0].grad.array.copy()
    total = nn.clip_grad_norm_(ours, 1.5, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.5, norm_type)
    assert isinstance(total, mg.Tensor) and total.dtype == np.float64
    assert total.item() == pytest.approx(expected.item(), rel=1e-10)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.array, q.grad.numpy(), rtol=1e-10)
    np.testing.assert_array_equal(kept, grads[0])  # the old gradient array was not written


def test_clip_grad_value_and_parameter_vectors_match_pytorch(torch):
    rng = np.random.default_rng(4)
    values = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    models = {lib: [lib.tensor(v, requires_grad=True) for v in values] for lib in (mg, torch)}
    for lib, params in models.items():
        for p in params:
            p.grad = lib.tensor(p.detach().numpy() * 3)
        lib.nn.utils.clip_grad_value_(params, 1.0)
        vec = lib.nn.utils.parameters_to_vector(params)
        (vec * lib.arange(10.0, dtype=lib.float64)).sum().backward()  # differentiable
    for p, q in zip(models[mg], models[torch]):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
    for lib, params in models.items():
        lib.nn.utils.vector_to_parameters(lib.arange(10.0, dtype=lib.float64), params)
    for p, q in zip(models[mg], models[torch]):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    with pytest.raises(ValueError, match="need a vector of 10 elements"):
        mg.nn.utils.vector_to_parameters(mg.zeros(9), models[mg])
    with pytest.raises(RuntimeError, match="non-finite"):
        models[mg][0].grad = mg.full((3, 2), float("nan"), dtype=mg.float64)
        mg.nn.utils.clip_grad_norm_(models[mg], 1.0, error_if_nonfinite=True)


@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 3, 4), (2, 3, 2, 2)])
def test_softmax_without_dim_takes_pytorchs_legacy_dim_and_warns(torch, shape):
    x = np.random.default_rng(0).standard_normal(shape)
    cases = [("softmax", lambda lib, t: lib.nn.functional.softmax(t)),
             ("log_softmax", lambda lib, t: lib.nn.functional.log_softmax(t)),
             ("softmin", lambda lib, t: lib.nn.functional.softmin(t)),
             ("softmax", lambda lib, t: lib.nn.Softmax()(t)),
             ("log_softmax", lambda lib, t: lib.nn.LogSoftmax()(t)),
             ("softmin", lambda lib, t: lib.nn.Softmin()(t))]
    for name, call in cases:
        with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name}"):
            ours = call(mg, mg.tensor(x))
        with pytest.warns(UserWarning):
            theirs = call(torch, torch.tensor(x))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_functional_softmax_takes_pytorchs_keywords(torch):
    x = np.random.default_rng(1).standard_normal((2, 3)).astype(np.float32)
    for name in ("softmax", "log_softmax"):
        ours = getattr(mg.nn.functional, name)(input=mg.tensor(x), dim=0, dtype=mg.float64)
        theirs = getattr(torch.nn.functional, name)(input=torch.tensor(x), dim=0,
                                                    dtype=torch.float64)
        assert ours.dtype == np.float64
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_more_init_functions_as_in_pytorch(torch):
    for name in ("linear", "selu", "conv2d", "conv_transpose1d", "tanh", "relu"):
        assert nn.init.calculate_gain(name) == torch.nn.init.calculate_gain(name)
    for shape in ((30, 50), (50, 30), (8, 3, 2, 2)):
        w = mg.empty(*shape)
        assert nn.init.orthogonal_(w, gain=2.0) is w
        flat = w.numpy().reshape(shape[0], -1)
        gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
        np.testing.assert_allclose(gram, 4 * np.eye(len(gram)), atol=1e-5)
    w = nn.init.trunc_normal_(mg.empty(200, 100), std=0.02, a=-0.03, b=0.04)
    assert w.numpy().min() >= -0.03 and w.numpy().max() <= 0.04
    for shape, groups in (((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((4, 4, 1, 3, 3), 1)):
        ours, theirs = mg.empty(*shape), torch.empty(*shape)
        nn.init.dirac_(ours, groups)
        torch.nn.init.dirac_(theirs, groups)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ours, theirs = mg.empty(3, 5), torch.empty(3, 5)
    np.testing.assert_array_equal(nn.init.eye_(ours).numpy(), torch.nn.init.eye_(theirs).numpy())
    lin = nn.Linear(3, 2)
    nn.init.orthogonal_(lin.weight.data)  # through .data, as older code does
    weight = lin.weight.detach().numpy()
    np.testing.assert_allclose(weight @ weight.T, np.eye(2), atol=1e-6)
    with pytest.raises(ValueError, match="only 2-d tensors"):
        nn.init.eye_(mg.empty(2, 2, 2))
