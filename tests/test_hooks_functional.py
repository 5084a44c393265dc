"""Module hooks (forward pre-hooks, forward hooks with kwargs, full backward hooks and
pre-hooks), torch.autograd.functional and ctx.mark_non_differentiable, next to PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad as mg


def _both(torch):
    return (mg, torch)


def _model(lib):
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2)).double()
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.linspace(-1, 1, p.numel(), dtype=lib.float64).reshape(p.shape).sin())
    return model


def test_forward_pre_hooks_and_hooks_in_pytorchs_order(torch):
    results = []
    for lib in _both(torch):
        model, calls = _model(lib), []
        first = model[0]
        first.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
        first.register_forward_pre_hook(
            lambda m, args, calls=calls: calls.append("pre-prepended"), prepend=True)
        first.register_forward_hook(
            lambda m, args, kwargs, out, calls=calls: calls.append(sorted(kwargs)),
            with_kwargs=True)
        handle = first.register_forward_hook(lambda m, args, out: out + 1)
        x = lib.tensor([[0.5, -1.0, 2.0]], dtype=lib.float64)
        results.append((model(x).detach().numpy(), calls))
        handle.remove()
        results.append((model(x).detach().numpy(), None))
    np.testing.assert_allclose(results[0][0], results[2][0], rtol=1e-12)
    np.testing.assert_allclose(results[1][0], results[3][0], rtol=1e-12)
    assert results[0][1] == results[2][1] == ["pre-prepended", []] * 2


@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_full_backward_hooks_see_and_replace_gradients_as_in_pytorch(torch, input_requires_grad):
    seen = {}
    for lib in _both(torch):
        model, log = _model(lib), []
        layer = model[2]

        def hook(module, grad_input, grad_output, log=log):
            log.append(("hook", [None if g is None else g.detach().numpy().copy()
                                 for g in grad_input],
                        [g.detach().numpy().copy() for g in grad_output]))
            return tuple(None if g is None else g * 3 for g in grad_input)

        def pre_hook(module, grad_output, log=log):
            log.append(("pre", [g.detach().numpy().copy() for g in grad_output]))
            return (grad_output[0] * 0.5,)

        layer.register_full_backward_hook(hook)
        layer.register_full_backward_pre_hook(pre_hook)
        model[0].register_full_backward_hook(lambda m, gi, go, log=log: log.append(
            ("first", [g is None for g in gi])))
        x = lib.tensor([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]], dtype=lib.float64,
                       requires_grad=input_requires_grad)
        with warnings.catch_warnings():  # torch: "hook is firing ... no inputs require grad"
            warnings.simplefilter("ignore")
            (model(x) * lib.tensor([1.0, -2.0], dtype=lib.float64)).sum().backward()
        seen[lib.__name__] = (log, [p.grad.numpy() for p in model.parameters()],
                              x.grad.numpy() if input_requires_grad else None)
    ours, theirs = seen["minigrad"], seen["torch"]
    assert [entry[0] for entry in ours[0]] == [entry[0] for entry in theirs[0]]
    for a, b in zip(ours[0], theirs[0]):
        for x, y in zip(a[1:], b[1:]):
            for u, v in zip(x, y):
                if isinstance(u, np.ndarray):
                    np.testing.assert_allclose(u, v, rtol=1e-12)
                else:
                    assert u == v
    for a, b in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    if input_requires_grad:
        np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-12)


def _functions(lib):
    def f(x):
        return (x ** 3).sin().sum()

    def g(x, y):
        return x * y.exp(), (x ** 2).sum() + y.sum()

    return f, g


def test_autograd_functional_matches_pytorch(torch):
    a = np.array([0.3, -1.2, 0.7])
    b = np.array([0.5, 2.0, -0.1])
    results = []
    for lib in _both(torch):
        F = lib.autograd.functional
        f, g = _functions(lib)
        x, y = lib.tensor(a), lib.tensor(b)
        v = lib.tensor([1.0, -1.0, 2.0], dtype=lib.float64)
        out = [F.jacobian(f, x), F.hessian(f, x), F.jacobian(g, (x, y)), F.hessian(
            lambda x, y: (x * y).sin().sum(), (x, y)), F.vjp(f, x)[1], F.jvp(f, x, v)[1],
            F.hvp(f, x, v)[1], F.vhp(f, x, v)[1], F.vjp(g, (x, y), (v, lib.tensor(1.0,
                                                                            dtype=lib.float64)))[1],
            F.jacobian(lambda x: x * 2, x, create_graph=True)]
        results.append(out)

    def flat(value):
        if isinstance(value, (tuple, list)):
            return [z for item in value for z in flat(item)]
        return [value.detach().numpy()]

    for ours, theirs in zip(*results):
        for u, w in zip(flat(ours), flat(theirs), strict=True):
            assert u.shape == w.shape
            np.testing.assert_allclose(u, w, rtol=1e-10, atol=1e-12)


def test_grad_materialize_grads_and_strict_jacobian(torch):
    a = mg.tensor(1.0, requires_grad=True)
    b = mg.tensor(2.0, requires_grad=True)
    assert mg.autograd.grad(a * 3, [a, b], allow_unused=True)[1] is None
    assert mg.autograd.grad(a * 3, [a, b], materialize_grads=True)[1].item() == 0.0
    with pytest.raises(RuntimeError, match="independent of input 1"):
        mg.autograd.functional.jacobian(lambda x, y: x * 2, (a, b), strict=True)
    from minigrad.autograd.functional import jacobian  # PyTorch's import path

    assert jacobian(lambda x: x * 2, a).item() == 2.0


def test_mark_non_differentiable_outputs_get_no_gradient(torch):
    for lib in _both(torch):
        class SortWithKeys(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                values = x * 2
                keys = x.detach() * 10  # a float output marked as non-differentiable
                ctx.mark_non_differentiable(keys)
                return values, keys

            @staticmethod
            def backward(ctx, grad, grad_keys):
                assert grad_keys is None or float(abs(grad_keys).sum()) == 0.0
                return grad * 2

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        values, keys = SortWithKeys.apply(x)
        assert not keys.requires_grad and keys.grad_fn is None and values.requires_grad
        values.sum().backward()
        assert x.grad.tolist() == [2.0, 2.0]


@pytest.mark.parametrize("materialize", [True, False])
def test_set_materialize_grads_false_passes_none_as_torch(torch, materialize):
    """A two-output Function whose second output is unused: its backward gets zeros, or None
    after ctx.set_materialize_grads(False), in both libraries."""
    def run(lib):
        seen = []

        class Split(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(materialize)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                seen.append(g2 is None)
                return g1 * 2 + (0 if g2 is None else g2 * 3)

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        Split.apply(x)[0].sum().backward()
        return seen, x.grad.tolist()

    assert run(mg) == run(torch) == ([not materialize], [2.0, 2.0])
