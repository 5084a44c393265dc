"""nn.utils.parametrize against PyTorch: values, gradients, state_dict keys, assignment through
right_inverse, caching, removal, and the errors for a parametrization that changes the shape or
lacks right_inverse."""

import numpy as np
import pytest

import minigrad as mg


def _modules(L):
    class Symmetric(L.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(0, 1)

        def right_inverse(self, A):
            return A.triu()

    class Double(L.nn.Module):
        def forward(self, X):
            return 2 * X

    class Row(L.nn.Module):
        def forward(self, X):
            return X[0]

    return Symmetric, Double, Row


def _layer(L):
    layer = L.nn.Linear(3, 3)
    with L.no_grad():
        layer.weight.copy_(L.arange(9.0).view(3, 3) / 10 - 0.3)
        layer.bias.fill_(0.5)
    return layer


@pytest.mark.parametrize("lib", ["mg", "torch"])
def test_parametrized_weight_trains_through_original(lib, torch) -> None:
    L = mg if lib == "mg" else torch
    Symmetric, Double, _ = _modules(L)
    layer = _layer(L)
    original = layer.weight
    L.nn.utils.parametrize.register_parametrization(layer, "weight", Symmetric())
    L.nn.utils.parametrize.register_parametrization(layer, "weight", Double())
    assert type(layer).__name__ == "ParametrizedLinear" and isinstance(layer, L.nn.Linear)
    assert layer.parametrizations.weight.original is original
    assert list(layer.state_dict()) == ["bias", "parametrizations.weight.original"]
    x = L.linspace(-1, 1, 6).view(2, 3)
    layer(x).pow(2).sum().backward()
    expected = np.array([[0.0, 0.1, 0.2], [0.1, 0.4, 0.5], [0.2, 0.5, 0.8]]) - 0.3
    np.testing.assert_allclose(layer.weight.detach().numpy(), 2 * np.triu(expected)
                               + 2 * np.triu(expected, 1).T, atol=1e-6)
    grad = original.grad.numpy()
    assert np.allclose(np.tril(grad, -1), 0) and not np.allclose(grad, 0)
    with L.nn.utils.parametrize.cached():
        assert layer.weight is layer.weight
    assert layer.weight is not layer.weight
    L.nn.utils.parametrize.remove_parametrizations(layer, "weight")
    assert type(layer) is L.nn.Linear and layer.weight is original
    assert not L.nn.utils.parametrize.is_parametrized(layer)
    np.testing.assert_allclose(original.detach().numpy(), 2 * np.triu(expected)
                               + 2 * np.triu(expected, 1).T, atol=1e-6)


@pytest.mark.parametrize("lib", ["mg", "torch"])
def test_assignment_uses_right_inverse_and_errors(lib, torch) -> None:
    L = mg if lib == "mg" else torch
    Symmetric, Double, Row = _modules(L)
    P = L.nn.utils.parametrize
    layer = _layer(L)
    P.register_parametrization(layer, "weight", Symmetric())
    sym = L.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 5.0], [3.0, 5.0, 6.0]])
    layer.weight = sym
    assert L.equal(layer.weight, sym)
    assert L.equal(layer.parametrizations.weight.original, sym.triu())
    P.register_parametrization(layer, "weight", Double())
    with pytest.raises(RuntimeError, match="right_inverse"):
        layer.weight = sym
    other = _layer(L)
    with pytest.raises(ValueError):
        P.register_parametrization(other, "weight", Row())
    P.register_parametrization(other, "weight", Row(), unsafe=True)
    assert tuple(other.weight.shape) == (3,)
    fresh = _layer(L)
    with pytest.raises(ValueError, match="does not have a parametrization"):
        P.remove_parametrizations(fresh, "weight")
    P.register_parametrization(fresh, "weight", Symmetric())
    before = fresh.parametrizations.weight.original.detach().clone()
    P.remove_parametrizations(fresh, "weight", leave_parametrized=False)
    assert L.equal(fresh.weight, before)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_parametrizations_weight_norm_matches_torch(dim, torch) -> None:
    """weight = g v / ||v|| with g, v as original0, original1; gradients and removal."""
    results = []
    for L in (mg, torch):
        layer = _layer(L)
        L.nn.utils.parametrizations.weight_norm(layer, dim=dim)
        keys = list(layer.state_dict())
        out = layer(L.linspace(-1, 1, 12).view(4, 3)).pow(2).sum()
        out.backward()
        plist = layer.parametrizations.weight
        grads = [plist.original0.grad.numpy().copy(), plist.original1.grad.numpy().copy()]
        L.nn.utils.parametrize.remove_parametrizations(layer, "weight")
        results.append((keys, out.item(), grads, layer.weight.detach().numpy().copy(),
                        list(layer.state_dict())))
    (k1, o1, g1, w1, s1), (k2, o2, g2, w2, s2) = results
    assert k1 == k2 == ["bias", "parametrizations.weight.original0",
                        "parametrizations.weight.original1"]
    assert s1 == s2 == ["bias", "weight"]
    np.testing.assert_allclose(o1, o2, rtol=1e-5)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w1, w2, rtol=1e-6)
