"""PyTorch's Module API: dtype and device moves, apply, registration rules, containers, lazy and
embedding layers, and state loading that copies into the existing parameters."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.data import DataLoader, Dataset


def _net(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(),
                             lib.nn.Linear(4, 2))


# *** dtype and device ***
@pytest.mark.parametrize("move, dtype", [
    (lambda m: m.double(), np.float64), (lambda m: m.to(mg.float64), np.float64),
    (lambda m: m.half(), np.float16), (lambda m: m.double().float(), np.float32),
    (lambda m: m.to("cpu", mg.float64), np.float64),
    (lambda m: m.to(device="cpu", dtype=mg.float64), np.float64),
    (lambda m: m.to(mg.zeros(1, dtype=mg.float64)), np.float64),
])
def test_module_casts_floating_state_in_place(move, dtype):
    model = _net(mg)
    params = list(model.parameters())
    opt = mg.optim.SGD(model.parameters(), lr=0.1)
    assert move(model) is model
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]
    assert all(p.dtype == dtype for p in model.parameters())
    assert model[1].running_mean.dtype == dtype
    assert model[1].num_batches_tracked.dtype == np.int64  # integers stay
    out = model(mg.randn(5, 3, dtype=dtype))
    assert out.dtype == dtype
    out.sum().backward()
    opt.step()


def test_double_model_passes_gradcheck():
    from minigrad.testing import gradcheck

    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1)).double()
    x = mg.randn(2, 3, dtype=mg.float64, requires_grad=True)
    assert gradcheck(lambda x: model(x), (x,))


def test_module_to_refuses_integer_dtypes_and_other_devices(torch):
    for lib in (mg, torch):
        with pytest.raises(TypeError):
            lib.nn.Linear(2, 2).to(lib.int64)
    with pytest.raises(RuntimeError, match="computes on the CPU"):
        nn.Linear(2, 2).cuda()
    lin = nn.Linear(2, 2)
    assert lin.cpu() is lin and lin.to("cpu") is lin


def test_layers_take_device_and_dtype(torch):
    for lib in (mg, torch):
        kw = {"device": "cpu", "dtype": lib.float64}
        for layer in (lib.nn.Linear(2, 3, **kw), lib.nn.LayerNorm(3, **kw),
                      lib.nn.BatchNorm1d(3, **kw), lib.nn.Embedding(4, 3, **kw)):
            assert all(p.dtype == lib.float64 for p in layer.parameters())


# *** apply, requires_grad_, parameters ***
def test_apply_visits_children_then_self(torch):
    def order(lib):
        seen = []
        model = lib.nn.Sequential(lib.nn.Linear(1, 1), lib.nn.Sequential(lib.nn.ReLU()))
        assert model.apply(lambda m: seen.append(type(m).__name__)) is model
        return seen

    assert order(mg) == order(torch)


def test_apply_initialises_weights():
    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
            nn.init.zeros_(m.bias)

    model = _net(mg).apply(init)
    assert (model[0].weight.array == 0.5).all() and (model[3].bias.array == 0).all()


def test_requires_grad_freezes(torch):
    model = _net(mg)
    assert model.requires_grad_(False) is model
    assert not any(p.requires_grad for p in model.parameters())
    model[3].requires_grad_()
    assert [p.requires_grad for p in model.parameters()] == [False] * 4 + [True] * 2


def test_parameter_names_and_recurse_match_torch(torch):
    ours, theirs = _net(mg), _net(torch)
    for kwargs in ({}, {"prefix": "model"}, {"recurse": False}, {"prefix": "m", "recurse": True}):
        assert [n for n, _ in ours.named_parameters(**kwargs)] == [
            n for n, _ in theirs.named_parameters(**kwargs)], kwargs
    assert len(list(ours[0].parameters(recurse=False))) == 2
    assert list(ours.parameters(recurse=False)) == []
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]


# *** registration ***
def test_assigning_over_a_parameter_or_module_needs_the_same_kind(torch):
    for lib in (mg, torch):
        lin = lib.nn.Linear(3, 2)
        with pytest.raises(TypeError, match="weight"):
            lin.weight = lib.zeros(2, 3)
        lin.weight = lib.nn.Parameter(lib.zeros(2, 3))
        lin.bias = None
        net = lib.nn.Sequential(lib.nn.Linear(1, 1))
        net.fc = lib.nn.Linear(1, 1)
        with pytest.raises(TypeError, match="fc"):
            net.fc = 3
        net.fc = None


def test_register_and_get(torch):
    for lib in (mg, torch):
        m = lib.nn.Module()
        m.register_parameter("w", lib.nn.Parameter(lib.ones(2)))
        m.add_module("child", lib.nn.Linear(2, 1))
        m.register_module("other", lib.nn.Sequential(lib.nn.Linear(1, 1)))
        assert [n for n, _ in m.named_parameters()] == [
            "w", "child.weight", "child.bias", "other.0.weight", "other.0.bias"]
        assert m.get_submodule("other.0") is m.other[0]
        assert m.get_parameter("child.bias") is m.child.bias
        assert m.get_submodule("") is m
        with pytest.raises(AttributeError):
            m.get_submodule("nope")
        with pytest.raises(AttributeError):
            m.get_parameter("child.nope")
        with pytest.raises(TypeError):
            m.register_parameter("t", lib.ones(2))
        with pytest.raises(TypeError):
            m.add_module("x", 3)
        with pytest.raises(KeyError):
            m.add_module("a.b", lib.nn.ReLU())
        with pytest.raises(KeyError):
            m.add_module("training", lib.nn.ReLU())


# *** containers ***
def test_containers_match_torch_state_keys(torch):
    def build(lib):
        m = lib.nn.Module()
        m.blocks = lib.nn.ModuleDict({"enc": lib.nn.Linear(2, 3), "dec": lib.nn.Linear(3, 2)})
        m.scales = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2)), lib.zeros(3)])
        m.extra = lib.nn.ParameterDict({"a": lib.nn.Parameter(lib.ones(1))})
        m.seq = lib.nn.Sequential(OrderedDict([("fc", lib.nn.Linear(2, 2)),
                                               ("act", lib.nn.ReLU())]))
        return m

    ours, theirs = build(mg), build(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert all(p.requires_grad for p in ours.scales)
    assert list(ours.blocks.keys()) == ["enc", "dec"] and "enc" in ours.blocks
    assert len(ours.blocks) == 2 and len(ours.scales) == 2 and len(ours.extra) == 1
    assert isinstance(ours.seq.fc, nn.Linear) and ours.seq[1] is ours.seq.act
    del ours.blocks["dec"]
    assert list(ours.blocks) == ["enc"]
    ours.scales.append(mg.ones(4))
    assert ours.scales[-1].shape == (4,)
    assert isinstance(ours.seq[0:1], nn.Sequential)


# *** layers ***
def test_lazy_linear_infers_in_features_and_becomes_linear(torch):
    model = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(2))
    opt = mg.optim.SGD(model.parameters(), lr=0.1)  # before the first call, as PyTorch allows
    assert isinstance(model[0].weight, nn.UninitializedParameter)
    assert repr(model[0].weight) == "<UninitializedParameter>"
    with pytest.raises(RuntimeError, match="not initialized yet"):
        model[0].weight.shape  # noqa: B018
    with pytest.raises(ValueError, match="not initialized yet"):
        model[0].weight + 1  # noqa: B018
    out = model(mg.randn(5, 3))
    assert out.shape == (5, 2) and type(model[0]) is nn.Linear
    assert model[0].weight.shape == (4, 3) and model[0].in_features == 3
    assert type(model[0].weight) is nn.Parameter
    before = model[0].weight.array.copy()
    out.sum().backward()
    opt.step()
    assert not np.array_equal(before, model[0].weight.array)
    lazy = torch.nn.LazyLinear(4)
    lazy(torch.zeros(5, 3))
    assert type(lazy) is torch.nn.Linear


def test_lazy_model_loads_a_state_dict_and_casts():
    trained = nn.Sequential(nn.LazyLinear(3))
    trained(mg.randn(2, 5))
    fresh = nn.Sequential(nn.LazyLinear(3)).double()
    fresh.load_state_dict(trained.state_dict())
    assert fresh[0].weight.shape == (3, 5) and fresh[0].weight.dtype == np.float64
    x = mg.randn(2, 5)
    np.testing.assert_allclose(fresh(x.double()).detach().numpy(),
                               trained(x).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_linear_with_no_inputs_outputs_its_bias(torch):
    ours, theirs = nn.Linear(0, 3), torch.nn.Linear(0, 3)
    np.testing.assert_array_equal(ours(mg.zeros(2, 0)).detach().numpy(),
                                  theirs(torch.zeros(2, 0)).detach().numpy())


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Linear(-1, 3), "Linear: in_features must be >= 0, got -1"),
    (lambda: nn.Linear(2, -3), "Linear: out_features must be >= 0, got -3"),
    (lambda: nn.Embedding(-2, 3), "Embedding: num_embeddings must be >= 0, got -2"),
    (lambda: nn.LazyLinear(-1), "LazyLinear: out_features must be >= 0"),
])
def test_negative_sizes_are_named(make, message, torch):
    with pytest.raises(RuntimeError, match=message):
        make()
    with pytest.raises(RuntimeError):
        torch.nn.Linear(-1, 3)


def test_flatten_unflatten_match_torch(torch):
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    for make in (lambda lib: lib.nn.Flatten(), lambda lib: lib.nn.Flatten(0, 2),
                 lambda lib: lib.nn.Flatten(start_dim=2), lambda lib: lib.nn.Unflatten(1, (3, 1)),
                 lambda lib: lib.nn.Unflatten(-1, (5, 1))):
        assert make(mg)(mg.tensor(x)).shape == tuple(make(torch)(torch.tensor(x)).shape)


def test_embedding_matches_torch(torch):
    ours = nn.Embedding(6, 3, padding_idx=1)
    theirs = torch.nn.Embedding(6, 3, padding_idx=1)
    assert (ours.weight.array[1] == 0).all()
    theirs.load_state_dict({"weight": torch.tensor(ours.weight.array)})
    ids = np.array([[0, 1, 5], [1, 1, 2]])
    a, b = ours(mg.tensor(ids)), theirs(torch.tensor(ids))
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy())
    (a * a).sum().backward()
    (b * b).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-6)
    with pytest.raises(IndexError, match="index 6 is out of range for 6 embeddings"):
        ours(mg.tensor([6]))
    frozen = nn.Embedding.from_pretrained(mg.ones(2, 2))
    assert not frozen.weight.requires_grad


def test_log_softmax_module(torch):
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    np.testing.assert_allclose(nn.LogSoftmax(dim=1)(mg.tensor(x)).numpy(),
                               torch.nn.LogSoftmax(dim=1)(torch.tensor(x)).numpy(), rtol=1e-6)


# *** state loading ***
def test_load_state_dict_copies_into_the_parameters(torch):
    lin = nn.Linear(2, 2, dtype=mg.float64)
    weight, version = lin.weight, lin.weight._version
    data = lin.weight.array
    lin.load_state_dict({"weight": np.ones((2, 2), np.float32), "bias": [1, 2]})
    assert lin.weight is weight and lin.weight.array is data  # same array, written in place
    assert lin.weight.dtype == np.float64 and lin.weight._version == version + 1
    np.testing.assert_array_equal(lin.bias.array, [1.0, 2.0])


def test_backward_after_load_state_dict_refuses_stale_weights():
    lin = nn.Linear(2, 2)
    x = mg.randn(3, 2, requires_grad=True)
    y = lin(x)
    lin.load_state_dict(nn.Linear(2, 2).state_dict())
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


@pytest.mark.parametrize("state, message", [
    ({"weight": np.ones((2, 2)), "bias": np.array(["a", "b"])}, "bias: holds <U1 values"),
    ({"weight": np.ones((2, 2)), "bias": np.ones(3)},
     r"size mismatch for bias: copying a param with shape \(3,\) from checkpoint, "
     r"the shape in current model is \(2,\)"),
    ({"weight": np.ones((2, 2))}, r'Missing key\(s\) in state_dict: "bias"'),
    ({"weight": np.ones((2, 2)), "bias": np.ones(2), "x": 1},
     r'Unexpected key\(s\) in state_dict: "x"'),
    ({"weight": np.ones((2, 2)), "bias": object()}, "bias: holds object values"),
])
def test_bad_state_changes_nothing(state, message):
    lin = nn.Linear(2, 2)
    before = {k: v.clone() for k, v in lin.state_dict().items()}
    versions = [p._version for p in lin.parameters()]
    with pytest.raises(RuntimeError, match=message):
        lin.load_state_dict(state)
    for key, value in lin.state_dict().items():
        np.testing.assert_array_equal(value, before[key])
    assert [p._version for p in lin.parameters()] == versions


def test_state_dict_values_are_detached_tensors_as_in_pytorch(torch):
    for lib in (mg, torch):
        state = _net(lib).state_dict()
        assert all(type(v) is lib.Tensor and not v.requires_grad for v in state.values())


# *** optimizer state ***
def test_optimizer_refuses_another_optimizers_state():
    params = [nn.Parameter(mg.zeros(3))]
    adam = mg.optim.Adam(params, lr=0.1)
    before = [dict(g) for g in adam.param_groups]
    with pytest.raises(ValueError, match="saved from another kind of optimizer.*momentum"):
        adam.load_state_dict(mg.optim.SGD(params, lr=0.5).state_dict())
    assert adam.param_groups[0]["lr"] == 0.1 and adam.param_groups == before
    with pytest.raises(ValueError, match="parameter group 0 has 2 parameters in the state dict"):
        mg.optim.Adam(params).load_state_dict(
            mg.optim.Adam([nn.Parameter(mg.zeros(1)), nn.Parameter(mg.zeros(1))]).state_dict())
    with pytest.raises(ValueError, match="2 parameter groups"):
        mg.optim.Adam(params).load_state_dict(mg.optim.Adam(
            [{"params": [nn.Parameter(mg.zeros(1))]},
             {"params": [nn.Parameter(mg.zeros(1))]}]).state_dict())


def test_zero_grad_in_place(torch):
    model = _net(mg)
    model(mg.randn(4, 3)).sum().backward()
    grads = [p.grad for p in model.parameters()]
    model.zero_grad(set_to_none=False)
    assert all(p.grad is g and not g.array.any() for p, g in zip(model.parameters(), grads))
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


# *** data ***
class Ragged(Dataset):
    def __getitem__(self, i):
        return np.zeros(3 if i != 2 else 4), i

    def __len__(self):
        return 4


def test_loader_names_items_of_different_shapes():
    with pytest.raises(RuntimeError, match=r"field 0 of item 0 has shape \(3,\), field 0 of "
                                           r"item 2 has shape \(4,\)"):
        list(DataLoader(Ragged(), batch_size=4))
    batches = list(DataLoader(Ragged(), batch_size=4, collate_fn=lambda items: len(items)))
    assert batches == [4]


def test_non_persistent_buffers_list_insert_delete_and_repr_as_in_pytorch(torch):
    for lib in (mg, torch):
        m = lib.nn.Module()
        m.register_buffer("scale", lib.ones(1), persistent=False)
        m.register_buffer("kept", lib.zeros(2))
        assert list(m.state_dict()) == ["kept"]
        assert [n for n, _ in m.named_buffers()] == ["scale", "kept"]
        assert m.load_state_dict({"kept": lib.ones(2)}).missing_keys == []
        layers = lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)])
        layers.insert(1, lib.nn.ReLU())
        assert [type(x).__name__ for x in layers] == ["Linear", "ReLU", "Linear", "Linear"]
        assert type(layers.pop(1)).__name__ == "ReLU"
        del layers[0]
        assert [n for n, _ in layers.named_children()] == ["0", "1"]
        seq = lib.nn.Sequential(lib.nn.Linear(1, 1), lib.nn.Tanh(), lib.nn.Linear(1, 1))
        del seq[1:]
        assert len(seq) == 1
    ours = repr(mg.nn.ModuleList([mg.nn.Linear(2, 2), mg.nn.Linear(2, 2), mg.nn.ReLU()]))
    theirs = repr(torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.Linear(2, 2),
                                       torch.nn.ReLU()]))
    assert ours == theirs and "(0-1): 2 x Linear" in ours
