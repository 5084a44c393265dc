"""Helpers shared by several test files (import as `from tests.helpers import ...`): toy custom
Functions, a check that two implementations are the same function, and one that a module
matches its PyTorch twin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import minigrad as mg
from minigrad import nn


def assert_same_function(fused: Callable, composed: Callable, *arrays: np.ndarray) -> None:
    """Same values, gradients and second derivatives (of a random projection of the
    gradients) for fused(*xs) and composed(*xs)."""
    rng = np.random.default_rng(0)
    results = []
    for fn in (fused, composed):
        xs = [mg.Tensor(a, requires_grad=True) for a in arrays]
        out = fn(*xs)
        g = mg.Tensor(rng.standard_normal(out.shape))
        grads = mg.grad(out, xs, g, create_graph=True)
        inner = sum((d * mg.Tensor(rng.standard_normal(d.shape))).sum() for d in grads)
        second = mg.grad(inner, xs, allow_unused=True)
        second = [np.zeros(x.shape) if s is None else s.array for s, x in zip(second, xs,
                                                                             strict=True)]
        results.append([out.array, *(d.array for d in grads), *second])
        rng = np.random.default_rng(0)  # the same g and projection for both
    for k, (f, c) in enumerate(zip(*results, strict=True)):
        np.testing.assert_allclose(f, c, rtol=1e-9, atol=1e-10, err_msg=f"result {k}")


# *** toy custom Functions ***
class NumpySquare(mg.Function):
    """x^2 with a numpy backward: right, but differentiable only once."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.array**2

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x.array * g.array


class TensorCube(mg.Function):
    """x^3 with a backward made of Tensor ops: differentiable again."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.array**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


# *** modules against their PyTorch twins (float64) ***
def module_pair(torch: Any, name: str, *args: Any, **kwargs: Any) -> tuple[Any, nn.Module]:
    """The torch module and the minigrad one of the same class and arguments, with torch's
    (float64) weights loaded into minigrad's."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    ours = getattr(nn, name)(*args, **kwargs).double()
    state = theirs.state_dict()
    assert list(ours.state_dict()) == list(state)
    for key, value in ours.state_dict().items():
        assert value.shape == tuple(state[key].shape), key
    ours.load_state_dict({k: v.numpy() for k, v in state.items()})
    return theirs, ours


def _torch_and_ours(torch: Any, *arrays: np.ndarray) -> tuple[list, list]:
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours = [mg.tensor(a, requires_grad=True) for a in arrays]
    return theirs, ours


def _as_torch(torch: Any, value: Any) -> Any:
    return torch.tensor(value) if isinstance(value, np.ndarray) else value


def check_module(torch: Any, theirs: Any, ours: nn.Module, arrays: list[np.ndarray],
                 kwargs: dict | None = None, index: int | None = None,
                 atol: float = 1e-10) -> None:
    """ours(*arrays, **kwargs) against theirs (output `index` of a tuple, the other compared
    too): outputs, and gradients of sum(out * g) for a random g, of every parameter and input."""
    kwargs = kwargs or {}
    t_in, m_in = _torch_and_ours(torch, *arrays)
    t_out = theirs(*t_in, **{k: _as_torch(torch, v) for k, v in kwargs.items()})
    m_out = ours(*m_in, **kwargs)
    if index is not None:
        if t_out[1] is None:
            assert m_out[1] is None
        else:
            np.testing.assert_allclose(m_out[1].detach().numpy(), t_out[1].detach().numpy(),
                                       atol=atol)
        t_out, m_out = t_out[index], m_out[index]
    np.testing.assert_allclose(m_out.detach().numpy(), t_out.detach().numpy(), atol=atol)
    g = np.random.default_rng(1).standard_normal(t_out.shape)
    (t_out * torch.tensor(g)).sum().backward()
    (m_out * mg.tensor(g)).sum().backward()
    state = ours.state_dict()
    for name, b in theirs.named_buffers():
        np.testing.assert_allclose(state[name], b.numpy(), atol=atol, err_msg=name)
    for (name, p), (_, q) in zip(theirs.named_parameters(), ours.named_parameters()):
        np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), atol=atol, err_msg=name)
    for i, (a, b) in enumerate(zip(t_in, m_in)):
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), atol=atol, err_msg=f"in {i}")
