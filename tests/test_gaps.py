"""Known differences from PyTorch 2.13, closed: each case compared with torch."""

from __future__ import annotations

import weakref

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

INF = float("inf")


# *** gelu at infinities, nan and huge values ***
GELU_VALUES = [INF, -INF, float("nan"), 1e30, -1e30, 3e38, -3e38, 0.5, -2.0, 0.0]


@pytest.mark.parametrize("approximate", ["none", "tanh"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", ["one", "many", "strided"])
def test_gelu_extremes_match_torch(torch, approximate, dtype, shape):
    """Values, gradient and second derivative as torch's, which (for float32 'none') computes
    a contiguous tensor of several elements with oneDNN: gelu(inf) = nan, gelu(3e38) = inf."""
    values = np.array(GELU_VALUES, dtype=dtype)
    if shape == "one":
        arrays = [values[i:i + 1] for i in range(len(values))]
    elif shape == "many":
        arrays = [values]
    else:
        arrays = [np.stack([values, values])]
    with np.errstate(all="ignore"):
        for a in arrays:
            leaf = mg.tensor(a.copy(), requires_grad=True)
            tleaf = torch.tensor(a.copy(), requires_grad=True)
            # a transposed view is not contiguous: torch then does not use oneDNN
            x, tx = (leaf.t(), tleaf.t()) if shape == "strided" else (leaf, tleaf)
            y = F.gelu(x, approximate=approximate)
            ty = torch.nn.functional.gelu(tx, approximate=approximate)
            (g,) = mg.autograd.grad(y.sum(), leaf, create_graph=True)
            (tg,) = torch.autograd.grad(ty.sum(), tleaf, create_graph=True)
            (gg,) = mg.autograd.grad(g.sum(), leaf)
            (tgg,) = torch.autograd.grad(tg.sum(), tleaf)
            for ours, theirs in [(y, ty), (g, tg), (gg, tgg)]:
                np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(),
                                           rtol=1e-5, atol=1e-7)


# *** a second backward through a graph whose nodes saved nothing ***
def _twice(lib, build, grad_fn=False):
    """build(a) -> scalar; backward through it twice; a's grad (or the two mg.grad results)."""
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = build(a)
    if grad_fn:
        return [lib.autograd.grad(y, a)[0].detach().numpy() for _ in range(2)]
    y.backward()
    y.backward()
    return a.grad.numpy()


SAVED_NOTHING = {
    "add-sum": lambda a: (a + 1).sum(),
    "sub-neg-mean": lambda a: (-(a - 2)).mean(),
    "views": lambda a: a.reshape(3, 1).t()[0, 1:].sum(),
    "shared": lambda a: (a + a).sum() + a.sum(),
}


@pytest.mark.parametrize("name", SAVED_NOTHING)
def test_second_backward_through_ops_that_saved_nothing_accumulates(torch, name):
    build = SAVED_NOTHING[name]
    np.testing.assert_allclose(_twice(mg, build), _twice(torch, build))
    for ours, theirs in zip(_twice(mg, build, True), _twice(torch, build, True), strict=True):
        np.testing.assert_allclose(ours, theirs)


@pytest.mark.parametrize("build", [lambda a: (a * a).sum(), lambda a: (a + 1).exp().sum(),
                                   lambda a: (a + 1).sum() + (a * a).sum()])
def test_second_backward_through_an_op_that_saved_values_raises(torch, build):
    for lib in (mg, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        y = build(a)
        y.backward()
        with pytest.raises(RuntimeError, match="second time"):
            y.backward()


def test_failed_second_backward_changes_no_grad():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([3.0], requires_grad=True)
    y = (a + 1).sum() + (b * b).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [6.0])


def test_hook_on_a_kept_node_runs_again(torch):
    seen = {}
    for lib in (mg, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        h = a + 1
        calls = []
        h.register_hook(lambda g, calls=calls: calls.append(g.numpy().copy()))
        y = h.sum()
        y.backward()
        y.backward()
        seen[lib.__name__] = (len(calls), a.grad.numpy().copy())
    assert seen["minigrad"][0] == seen["torch"][0] == 2
    np.testing.assert_array_equal(seen["minigrad"][1], seen["torch"][1])


def test_a_kept_node_does_not_keep_its_inputs_values():
    """After backward the graph keeps no values: a node kept for another backward holds a
    hollow stand-in of its input, not the input's array."""
    a = mg.ones(1000, requires_grad=True)
    h = a + 1
    ref = weakref.ref(h.array)
    y = h.sum()
    del h
    assert ref() is not None  # the graph holds it until backward
    y.backward()
    assert ref() is None
    y.backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.full(1000, 2.0, np.float32))
