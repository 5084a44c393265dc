"""State dicts between minigrad and PyTorch, both ways, with a real model."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.interop import from_torch, to_torch


def _models(torch):
    def build(lib):
        nn = lib.nn
        return nn.Sequential(nn.Embedding(10, 6), nn.Flatten(), nn.Linear(18, 16),
                             nn.LayerNorm(16), nn.ReLU(), nn.Linear(16, 8), nn.BatchNorm1d(8),
                             nn.Tanh(), nn.Linear(8, 3))
    return build(mg), build(torch)


def _run_both(ours, theirs, torch):
    ids = np.random.default_rng(0).integers(0, 10, (5, 3))
    ours.train()
    theirs.train()
    a = ours(mg.tensor(ids))
    b = theirs(torch.tensor(ids))
    return a, b


def test_minigrad_weights_load_into_pytorch(torch):
    ours, theirs = _models(torch)
    ours(mg.tensor(np.zeros((4, 3), np.int64)))  # batch norm's running statistics move
    state = to_torch(ours.state_dict())
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    theirs.load_state_dict(state)  # strict: every key and shape matches
    a, b = _run_both(ours, theirs, torch)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(1).integers(0, 10, (4, 3))
    np.testing.assert_allclose(ours(mg.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_pytorch_weights_load_into_minigrad(torch):
    ours, theirs = _models(torch)
    theirs(torch.zeros(4, 3, dtype=torch.int64))
    state = from_torch(theirs.state_dict())
    assert all(isinstance(v, mg.Tensor) and not v.requires_grad for v in state.values())
    assert state["6.num_batches_tracked"].dtype == np.int64
    ours.load_state_dict(state)
    a, b = _run_both(ours, theirs, torch)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)
    a.sum().backward()
    b.sum().backward()
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-5,
                                   err_msg=name)


def test_conversions_copy(torch):
    lin = mg.nn.Linear(2, 2)
    state = lin.state_dict()
    converted = to_torch(state)
    converted["weight"].zero_()
    assert np.abs(state["weight"]).sum() > 0
    back = from_torch(converted)
    back["bias"][:] = 7
    assert not (converted["bias"].numpy() == 7).any()


def test_load_state_dict_takes_pytorch_tensors_directly(torch):
    ours, theirs = _models(torch)
    ours.load_state_dict(theirs.state_dict())
    np.testing.assert_array_equal(ours[2].weight.array, theirs[2].weight.detach().numpy())


def test_non_numbers_are_refused():
    with pytest.raises(TypeError, match="'w' holds <U1 values"):
        from_torch({"w": np.array(["a"])})
