"""The autograd engine: graph walk, gradient accumulation, graph freeing and memory, higher-order
derivatives, mg.grad, grad modes, hooks, custom Functions, anomaly detection, broadcasting and
the errors it raises. Each op's own derivative is tested in test_ops.py."""

from __future__ import annotations

import gc
import inspect
import tracemalloc
import weakref
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import Function, Tensor
from minigrad.ops import cross_entropy, linear
from minigrad.testing import gradcheck, strategies
from tests.helpers import NumpySquare, TensorCube

HERE = Path(__file__).name


def leaf(values, dtype=np.float64) -> Tensor:
    return mg.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def line_below() -> int:
    """The line number just below the caller's line."""
    return inspect.currentframe().f_back.f_lineno + 1


# *** the graph walk ***
def test_chain_of_100000_ops_needs_no_recursion():
    x = mg.tensor(1.0, dtype=np.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.backward()
    assert x.grad.item() == pytest.approx(1.00001**100_000, rel=1e-9)


def test_a_tensor_used_twice_gets_both_gradients():
    x = leaf([1.0, -2.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.array, 2 * x.array)

    a = leaf([0.5, 4.0])
    (a + a).sum().backward()
    np.testing.assert_allclose(a.grad.array, [2.0, 2.0])


def test_diamond_sums_both_paths():
    # d = b * c with b = 2a and c = a^2 + 1, so dd/da = 2c + b * 2a = 6a^2 + 2
    a = leaf([1.0, -0.5, 2.0])
    b, c = a * 2, a * a + 1
    (b * c).sum().backward()
    np.testing.assert_allclose(a.grad.array, 6 * a.array**2 + 2)


def test_wide_shared_node_is_visited_once():
    # h feeds 50 branches; its backward must run once with the sum of their gradients
    x = leaf([1.0, 2.0])
    h = x.exp()
    calls = []
    h.register_hook(lambda g: calls.append(g.array.copy()))
    total = h * 0
    for k in range(50):
        total = total + h * k
    total.sum().backward()
    assert len(calls) == 1
    np.testing.assert_allclose(calls[0], [sum(range(50))] * 2)
    np.testing.assert_allclose(x.grad.array, sum(range(50)) * np.exp(x.array))


def test_leaf_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.array, 3 + 2 * x.array)
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.array, [3.0, 3.0])


def test_non_leaf_keeps_grad_only_after_retain_grad():
    x = leaf([1.0, 2.0])
    h, kept = x * 2, x * 3
    kept.retain_grad()
    (h * kept).sum().backward()
    assert h.grad is None
    np.testing.assert_allclose(kept.grad.array, h.array)
    assert not h.is_leaf and h.grad_fn is not None


def test_retain_grad_on_a_leaf_is_harmless():
    x = leaf([1.0])
    x.retain_grad()
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.array, [2.0])


def test_backward_through_int_and_bool_branches_ignores_them():
    x = leaf([-1.0, 2.0, 3.0])
    mask = (x > 0).float()  # comparisons carry no gradient
    (x * mask).sum().backward()
    np.testing.assert_allclose(x.grad.array, [0.0, 1.0, 1.0])


def test_gradient_argument_weights_the_outputs():
    x = leaf([1.0, 2.0, 3.0])
    y = x * x
    y.backward(np.array([1.0, 0.0, -1.0]))
    np.testing.assert_allclose(x.grad.array, [2.0, 0.0, -6.0])


def test_gradient_in_another_dtype_is_cast_to_the_outputs():
    x = leaf([1.0, 2.0], dtype=np.float32)
    (x * 2).backward(np.ones(2, dtype=np.float64))
    assert x.grad.dtype == np.float32


def test_backward_of_several_roots_at_once():
    x = leaf([1.0, 2.0])
    mg.backward([x * 2, (x * x).sum()], [mg.ones(2, dtype=np.float64), None])
    np.testing.assert_allclose(x.grad.array, 2 + 2 * x.array)


def test_float32_stays_float32_through_backward():
    x = mg.randn(3, 4, requires_grad=True)
    w = mg.randn(4, 2, requires_grad=True)
    loss = ((x @ w).sigmoid() * 0.5 + 1).log().mean()
    loss.backward()
    assert loss.dtype == np.float32
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


# *** freeing the graph, and memory ***
def test_second_backward_raises_unless_the_graph_was_retained():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.array, 2 * np.exp(x.array) * (1 + x.array))
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_mg_grad_frees_the_graph_too():
    x = leaf([1.0])
    y = (x * x).sum()
    mg.grad(y, x)
    with pytest.raises(RuntimeError, match="second time"):
        mg.grad(y, x)


def test_backward_drops_saved_intermediates():
    x = leaf(np.ones(1000))
    h = x.exp()
    loss = (h * x).sum()
    alive = weakref.ref(h)
    del h
    loss.backward(retain_graph=True)
    assert alive() is not None  # saved by the Mul node while the graph is retained
    loss.backward()
    assert alive() is None


def test_graphs_are_freed_without_the_cycle_collector():
    """Ops that save their own output (exp, sigmoid, tanh, softmax...) must not form reference
    cycles, or every forward pass without backward would wait for the garbage collector."""
    steps = [Tensor.exp, Tensor.sigmoid, Tensor.tanh, lambda t: t**2, Tensor.sqrt,
             lambda t: t.softmax(1), lambda t: t.log_softmax(0), lambda t: t.logsumexp(1)]
    x = mg.randn(4, 5, requires_grad=True)
    gc.collect()
    gc.disable()
    try:
        nodes = []
        y = x
        for step in steps:
            y = step(y)
            nodes.append(weakref.ref(y.grad_fn))
        del y
        alive = [n().name() for n in nodes if n() is not None]
        assert alive == []
    finally:
        gc.enable()


def _mlp_step(params: list[Tensor], x: Tensor, y: Tensor, lr: float) -> float:
    w1, b1, w2, b2 = params
    hidden = linear(x, w1, b1).tanh()
    logits = hidden @ w2 + b2
    loss = cross_entropy(logits, y) + 1e-4 * (w1 * w1).sum()
    loss.backward()
    with mg.no_grad():
        for p in params:
            p.array -= lr * p.grad.array
            p.grad = None
    return loss.item()


def _live_functions() -> int:
    gc.collect()
    return sum(isinstance(o, Function) for o in gc.get_objects())


def test_memory_does_not_grow_across_training_steps():
    mg.manual_seed(0)
    params = [mg.randn(32, 20, requires_grad=True), mg.zeros(32, requires_grad=True),
              mg.randn(32, 10, requires_grad=True), mg.zeros(10, requires_grad=True)]
    x, y = mg.randn(16, 20), mg.tensor(np.arange(16) % 10)
    for _ in range(20):  # warm up numpy's and Python's caches
        _mlp_step(params, x, y, 0.1)
    nodes_before = _live_functions()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        losses = [_mlp_step(params, x, y, 0.1) for _ in range(200)]
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert losses[-1] < losses[0]
    assert _live_functions() <= nodes_before
    assert after - before < 50_000, f"{after - before} bytes more after 200 steps"


# *** higher-order derivatives ***
@pytest.mark.parametrize("fn, second", [
    (lambda x: x**3, lambda x: 6 * x),
    (lambda x: (2 * x).exp(), lambda x: 4 * np.exp(2 * x)),
    (lambda x: x.log(), lambda x: -1 / x**2),
    (lambda x: x.sqrt(), lambda x: -0.25 * x**-1.5),
    (lambda x: x.tanh(), lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    (lambda x: x.sigmoid(),
     lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s)),
    (lambda x: 1 / x, lambda x: 2 / x**3),
], ids=["cube", "exp", "log", "sqrt", "tanh", "sigmoid", "reciprocal"])
def test_second_derivatives_match_closed_forms(fn, second):
    x = leaf([0.3, 1.0, 2.5])
    (g,) = mg.grad(fn(x).sum(), x, create_graph=True)
    assert g.requires_grad
    g.sum().backward()
    np.testing.assert_allclose(x.grad.array, second(x.array), rtol=1e-10)


def test_third_derivative_through_backward_create_graph():
    x = leaf([0.5, -2.0])
    (x**4).sum().backward(create_graph=True)
    first = x.grad
    assert first.grad_fn is not None
    (second,) = mg.grad(first.sum(), x, create_graph=True)
    (third,) = mg.grad(second.sum(), x)
    np.testing.assert_allclose(first.array, 4 * x.array**3)
    np.testing.assert_allclose(second.array, 12 * x.array**2)
    np.testing.assert_allclose(third.array, 24 * x.array)


def test_hessian_vector_product_matches_closed_form():
    # f(x) = 1/2 x^T A x + sum(exp(x)): H = (A + A^T) / 2 + diag(exp(x))
    rng = np.random.default_rng(0)
    a_np, v_np = rng.standard_normal((4, 4)), rng.standard_normal(4)
    x, a = leaf(rng.standard_normal(4)), mg.tensor(a_np)
    f = 0.5 * (x @ (a @ x)) + x.exp().sum()
    (g,) = mg.grad(f, x, create_graph=True)
    (hv,) = mg.grad((g * mg.tensor(v_np)).sum(), x)
    hessian = (a_np + a_np.T) / 2 + np.diag(np.exp(x.array))
    np.testing.assert_allclose(hv.array, hessian @ v_np, rtol=1e-10)


def test_cross_entropy_hessian_is_diag_p_minus_p_p_transpose():
    logits = leaf([[0.2, -1.0, 2.0, 0.5]])
    p = np.exp(logits.array[0]) / np.exp(logits.array[0]).sum()
    (g,) = mg.grad(cross_entropy(logits, mg.tensor([2])), logits, create_graph=True)
    rows = [mg.grad(g[0, i], logits, retain_graph=True)[0].array[0] for i in range(4)]
    np.testing.assert_allclose(np.stack(rows), np.diag(p) - np.outer(p, p), atol=1e-12)


def test_gradient_penalty_matches_pytorch(torch):
    rng = np.random.default_rng(1)
    x_np, w_np = rng.standard_normal((5, 3)), rng.standard_normal((3, 4))

    x, w = leaf(x_np), leaf(w_np)
    (gx,) = mg.grad((x @ w).tanh().sum(), x, create_graph=True)
    (gx * gx).sum().backward()

    xt = torch.tensor(x_np, requires_grad=True)
    wt = torch.tensor(w_np, requires_grad=True)
    (gxt,) = torch.autograd.grad((xt @ wt).tanh().sum(), xt, create_graph=True)
    (gxt * gxt).sum().backward()

    np.testing.assert_allclose(gx.array, gxt.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(w.grad.array, wt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), rtol=1e-10)


# *** mg.grad ***
def test_grad_returns_gradients_and_leaves_dot_grad_alone():
    x, w = leaf([1.0, 2.0]), leaf([3.0, -1.0])
    gx, gw = mg.grad((x * w).sum(), [x, w])
    np.testing.assert_allclose(gx.array, w.array)
    np.testing.assert_allclose(gw.array, x.array)
    assert x.grad is None and w.grad is None


def test_grad_of_an_unused_input_needs_allow_unused():
    x, unused = leaf([1.0]), leaf([2.0])
    with pytest.raises(RuntimeError, match="input 1 .*allow_unused=True"):
        mg.grad((x * 2).sum(), [x, unused], retain_graph=True)
    gx, gu = mg.grad((x * 2).sum(), [x, unused], allow_unused=True)
    np.testing.assert_allclose(gx.array, [2.0])
    assert gu is None


def test_grad_with_respect_to_an_intermediate_and_with_grad_outputs():
    x = leaf([1.0, 2.0])
    h = x * 3
    y = h * h
    (gh,) = mg.grad(y, h, grad_outputs=mg.tensor([1.0, 0.5], dtype=np.float64))
    np.testing.assert_allclose(gh.array, 2 * h.array * [1.0, 0.5])
    assert x.grad is None and h.grad is None


def test_grad_of_an_input_that_does_not_require_grad_raises():
    x = mg.tensor([1.0])
    with pytest.raises(RuntimeError, match="input 0 does not require grad"):
        mg.grad((leaf([1.0]) * 2).sum(), x)


def test_backward_of_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.tensor([1.0]).sum().backward()


# *** grad modes ***
def test_no_grad_records_nothing_and_restores_the_mode():
    x = leaf([1.0])
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        y = x * 2
        with mg.enable_grad():
            assert mg.is_grad_enabled()
            z = x * 2
    assert mg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(KeyError), mg.no_grad():
        raise KeyError("inside no_grad")
    assert mg.is_grad_enabled()


def test_grad_modes_as_decorators():
    @mg.no_grad()
    def double(t: Tensor) -> Tensor:
        return t * 2

    @mg.set_grad_enabled(False)
    def triple(t: Tensor) -> Tensor:
        return t * 3

    assert mg.is_grad_enabled()  # decorating does not switch the mode
    x = leaf([1.0])
    assert not double(x).requires_grad and not triple(x).requires_grad
    assert double.__name__ == "double"
    assert mg.is_grad_enabled()

    with mg.no_grad():
        @mg.enable_grad()
        def quadruple(t: Tensor) -> Tensor:
            return t * 4

        assert quadruple(x).requires_grad


def test_set_grad_enabled_as_a_call_and_a_context():
    mg.set_grad_enabled(False)
    try:
        assert not mg.is_grad_enabled()
        with mg.set_grad_enabled(True):
            assert mg.is_grad_enabled()
        assert not mg.is_grad_enabled()
    finally:
        mg.set_grad_enabled(True)
    assert mg.is_grad_enabled()


def test_detach_cuts_the_graph_and_shares_data():
    x = leaf([1.0, 2.0])
    d = (x * 2).detach()
    assert d.is_leaf and not d.requires_grad
    (x * d).sum().backward()
    np.testing.assert_allclose(x.grad.array, d.array)  # d is a constant
    e = x.detach()
    assert np.shares_memory(e.array, x.array)


# *** hooks ***
def test_leaf_hook_sees_the_gradient_and_can_replace_it():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.array.copy()))
    x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward()
    np.testing.assert_allclose(seen[0], [3.0, 3.0])
    np.testing.assert_allclose(x.grad.array, [30.0, 30.0])


def test_non_leaf_hook_changes_what_flows_upstream():
    x = leaf([1.0, 2.0])
    h = x * 2
    seen = []
    h.register_hook(lambda g: seen.append(g.array.copy()))
    h.register_hook(lambda g: g * 0.5)
    (h * h).sum().backward()
    np.testing.assert_allclose(seen[0], 2 * h.array)
    np.testing.assert_allclose(x.grad.array, 2 * (0.5 * 2 * h.array))
    assert h.grad is None


def test_removed_hooks_are_not_called():
    x = leaf([1.0])
    h = x * 1
    calls = []
    handles = [t.register_hook(lambda g: calls.append(g)) for t in (x, h)]
    for handle in handles:
        handle.remove()
    handles[0].remove()  # removing twice is harmless
    (h * 2).sum().backward()
    assert calls == []


def test_hooks_apply_to_mg_grad_and_to_retained_grads():
    x = leaf([1.0])
    h = x * 2
    h.retain_grad()
    h.register_hook(lambda g: g + 100)
    (gx,) = mg.grad((h * 3).sum(), x, retain_graph=True)
    np.testing.assert_allclose(gx.array, [2 * 103.0])
    (h * 3).sum().backward()
    np.testing.assert_allclose(h.grad.array, [103.0])


def test_mg_grad_runs_no_hooks_of_leaves_it_was_not_asked_about():
    x, other = leaf([1.0]), leaf([2.0])
    calls = []
    other.register_hook(lambda g: calls.append(g))
    mg.grad((x * other).sum(), x)
    assert calls == [] and other.grad is None


def test_hook_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.tensor([1.0]).register_hook(lambda g: g)


# *** custom Functions ***
class ScaledProduct(Function):
    """a * b * scale, with a non-tensor argument, recording which gradients were asked for."""

    asked: tuple = ()

    @staticmethod
    def forward(ctx, a, b, scale):
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        return a.array * b.array * scale

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ScaledProduct.asked = ctx.needs_input_grad
        need_a, need_b, _ = ctx.needs_input_grad
        return (g * b * ctx.scale if need_a else None, g * a * ctx.scale if need_b else None,
                None)


class DoubleAndSquare(Function):
    """Two outputs: (2x, x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.array * 2, x.array**2

    @staticmethod
    def backward(ctx, g_double, g_square):
        (x,) = ctx.saved_tensors
        return 2 * g_double + 2 * x * g_square


def test_custom_function_with_numpy_backward():
    x = leaf([1.0, -3.0])
    y = NumpySquare.apply(x)
    assert y.grad_fn.name() == "NumpySquareBackward" and repr(y.grad_fn) == "<NumpySquareBackward>"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, 2 * x.array)
    assert gradcheck(NumpySquare.apply, (leaf([0.5, 2.0]),))


def test_numpy_backward_is_differentiable_only_once():
    x = leaf([1.0, 2.0])
    (g,) = mg.grad(NumpySquare.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.array, 2 * x.array)  # the first derivative is still right
    assert g.requires_grad
    with pytest.raises(RuntimeError, match="once"):
        g.sum().backward()


def test_tensor_backward_is_differentiable_again():
    x = leaf([1.0, -2.0])
    (g,) = mg.grad(TensorCube.apply(x).sum(), x, create_graph=True)
    (gg,) = mg.grad(g.sum(), x)
    np.testing.assert_allclose(g.array, 3 * x.array**2)
    np.testing.assert_allclose(gg.array, 6 * x.array)


def test_needs_input_grad_and_non_tensor_arguments():
    a, b = leaf([2.0]), mg.tensor([5.0], dtype=np.float64)
    ScaledProduct.apply(a, b, 3.0).sum().backward()
    assert ScaledProduct.asked == (True, False, False)
    np.testing.assert_allclose(a.grad.array, [15.0])
    assert b.grad is None


def test_multi_output_function():
    x = leaf([1.0, 3.0])
    double, square = DoubleAndSquare.apply(x)
    assert double.grad_fn is square.grad_fn
    (double.sum() + (square * 10).sum()).backward()
    np.testing.assert_allclose(x.grad.array, 2 + 20 * x.array)

    x.grad = None
    _, square = DoubleAndSquare.apply(x)
    square.sum().backward()  # the unused output gets a zero gradient
    np.testing.assert_allclose(x.grad.array, 2 * x.array)


def test_forward_may_return_a_tensor_and_apply_never_reparents_its_input():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = leaf([1.0])
    y = Identity.apply(x)
    assert y is not x and x.is_leaf and y.grad_fn is not None
    (y * 2).sum().backward()
    np.testing.assert_allclose(x.grad.array, [2.0])


def test_backward_returning_a_wrong_shape_names_the_op_and_both_shapes():
    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x.array * 2

        @staticmethod
        def backward(ctx, g):
            return np.ones(3)

    x = leaf([[1.0, 2.0]])
    with pytest.raises(RuntimeError, match=r"BadShapeBackward.*\(3,\).*\(1, 2\)"):
        BadShape.apply(x).sum().backward()


def test_backward_returning_a_broadcast_gradient_is_summed_to_the_input_shape():
    class AddRowVector(Function):
        @staticmethod
        def forward(ctx, m, v):
            return m.array + v.array

        @staticmethod
        def backward(ctx, g):
            return g, g  # g has the (3, 2) shape of m; the engine reduces it for v

    m, v = leaf(np.zeros((3, 2))), leaf([[1.0, 2.0]])
    AddRowVector.apply(m, v).sum().backward()
    assert v.grad.shape == (1, 2)
    np.testing.assert_allclose(v.grad.array, [[3.0, 3.0]])


def test_backward_returning_the_wrong_number_of_gradients_raises():
    class TooMany(Function):
        @staticmethod
        def forward(ctx, x):
            return x.array

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match="TooMany.backward returned 2 gradients.*1 input"):
        TooMany.apply(leaf([1.0])).sum().backward()


def test_function_without_forward_or_backward_says_so():
    class Empty(Function):
        pass

    with pytest.raises(NotImplementedError, match="static forward"):
        Empty.apply(leaf([1.0]))


# *** anomaly detection ***
def test_anomaly_in_forward_names_the_op_and_the_line():
    x = leaf([1.0, -1.0])
    with mg.detect_anomaly(), pytest.raises(mg.AnomalyError) as info:
        line = line_below()
        x.log()
    message = str(info.value)
    assert "Log (forward) produced nan" in message
    assert HERE in message and f"line {line}" in message


def test_anomaly_in_backward_names_the_op_and_the_line_that_created_it():
    x = leaf([0.0, 4.0])
    with mg.detect_anomaly():
        line = line_below()
        y = x.sqrt()  # finite forward, infinite derivative at 0; times 0 it is nan
        with pytest.raises(mg.AnomalyError) as info, np.errstate(invalid="ignore"):
            (y * 0.0).sum().backward()
    message = str(info.value)
    assert "SqrtBackward (backward) produced nan" in message
    assert HERE in message and f"line {line}" in message


def test_anomaly_in_a_custom_backward_and_without_recording():
    class NanBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x.array.copy()

        @staticmethod
        def backward(ctx, g):
            return g.array * np.nan

    with mg.detect_anomaly():
        with pytest.raises(mg.AnomalyError, match="NanBackwardBackward"):
            NanBackward.apply(leaf([1.0])).sum().backward()
        with mg.no_grad(), pytest.raises(mg.AnomalyError) as info:
            line = line_below()
            mg.tensor([-1.0]).log()
    assert f"line {line}" in str(info.value)
    assert isinstance(info.value, RuntimeError)


def test_without_detect_anomaly_nan_just_propagates():
    x = leaf([-1.0])
    with np.errstate(invalid="ignore"):
        x.log().sum().backward()
    assert np.isnan(x.log().array).all() and x.grad.array[0] == -1.0


# *** broadcasting ***
BINARY_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": lambda a, b: a.maximum(b),
    "minimum": lambda a, b: a.minimum(b),
    "where": lambda a, b: mg.where(a > b, a * 2, b),
}
SHAPE_PAIRS = [((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)), ((), (2, 3)),
               ((2, 1, 3), (4, 1))]


@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
@pytest.mark.parametrize("name", BINARY_OPS)
def test_binary_op_gradients_are_reduced_to_each_input_shape(name, shapes):
    rng = np.random.default_rng(0)
    a, b = (leaf(rng.uniform(0.5, 2.0, s)) for s in shapes)
    out = BINARY_OPS[name](a, b)
    out.backward(mg.tensor(rng.standard_normal(out.shape)))
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    assert gradcheck(BINARY_OPS[name], (a.detach().requires_grad_(), b.detach().requires_grad_()))


@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
def test_broadcast_gradients_match_pytorch(shapes, torch):
    rng = np.random.default_rng(1)
    arrays = [rng.uniform(0.5, 2.0, s) for s in shapes]
    g = rng.standard_normal(np.broadcast_shapes(*shapes))

    def expression(a, b):
        return (a * b + a / b - b) ** 2

    a, b = (leaf(x) for x in arrays)
    expression(a, b).backward(mg.tensor(g))
    at, bt = (torch.tensor(x, requires_grad=True) for x in arrays)
    expression(at, bt).backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.array, at.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(b.grad.array, bt.grad.numpy(), rtol=1e-10)


@given(shapes=strategies.broadcastable_shapes(3, max_dims=4), data=st.data())
def test_where_and_add_reduce_any_broadcast(shapes, data):
    cond, a, b = (data.draw(strategies.arrays(s)) for s in shapes)
    a, b = leaf(a), leaf(b)
    out = mg.where(mg.tensor(cond > 0), a, b) + a * b
    out.sum().backward()
    full = np.broadcast_shapes(*shapes)
    chosen = np.broadcast_to(cond > 0, full)
    expect_a = np.where(chosen, 1.0, 0.0) + np.broadcast_to(b.array, full)
    expect_b = np.where(chosen, 0.0, 1.0) + np.broadcast_to(a.array, full)

    def reduce_to(g, shape):
        g = g.sum(tuple(range(g.ndim - len(shape))))
        return g.sum(tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)

    # atol: sums that cancel to ~1e-16 in one order may give exactly 0 in another
    np.testing.assert_allclose(a.grad.array, reduce_to(expect_a, a.shape), atol=1e-12)
    np.testing.assert_allclose(b.grad.array, reduce_to(expect_b, b.shape), atol=1e-12)


def test_batched_matmul_broadcasts_and_reduces_the_batch():
    rng = np.random.default_rng(2)
    a, b = leaf(rng.standard_normal((2, 1, 3, 4))), leaf(rng.standard_normal((5, 4, 2)))
    assert (a @ b).shape == (2, 5, 3, 2)
    assert gradcheck(lambda x, y: x @ y, (a, b))


# *** errors for bad input ***
@pytest.mark.parametrize("op, name", [
    (lambda a, b: a + b, "add"), (lambda a, b: a - b, "sub"), (lambda a, b: a * b, "mul"),
    (lambda a, b: a / b, "div"), (lambda a, b: a**b, "pow"), (lambda a, b: a < b, "lt"),
    (lambda a, b: a == b, "eq"), (lambda a, b: a.maximum(b), "maximum"),
])
def test_shapes_that_do_not_broadcast_name_the_op_and_both_shapes(op, name):
    with pytest.raises(ValueError, match=rf"^{name}: shapes \(2, 3\) and \(4,\) do not broadcast"):
        op(mg.ones(2, 3), mg.ones(4))
    with pytest.raises(ValueError, match=r"shapes \(2, 3\) and \(4,\) do not broadcast"):
        op(mg.ones(2, 3), np.ones(4))


def test_where_names_all_three_shapes():
    with pytest.raises(ValueError, match=r"where: shapes \(2,\), \(3,\) and \(4,\)"):
        mg.where(mg.ones(2) > 0, mg.ones(3), mg.ones(4))


def test_where_of_a_condition_alone_is_its_nonzero_indices(torch):
    """torch.where(condition) is condition.nonzero(as_tuple=True), on bool or number tensors;
    input without other is a TypeError."""
    for values in ([[True, False], [True, True]], [0.0, 1.0, 2.0]):
        ours, theirs = mg.where(mg.tensor(values)), torch.where(torch.tensor(values))
        assert type(ours) is tuple and [t.tolist() for t in ours] == [t.tolist() for t in theirs]
    with pytest.raises(TypeError, match="both of input and other or neither"):
        mg.where(mg.tensor([True]), mg.ones(1))


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(64, 784\) and \(256, 10\) do not "
                                         r"align \(784 != 256\)"):
        mg.zeros(64, 784) @ mg.zeros(256, 10)
    with pytest.raises(ValueError, match=r"matmul: batch dims of shapes \(2, 3, 4\) and "
                                         r"\(5, 4, 1\)"):
        mg.zeros(2, 3, 4) @ mg.zeros(5, 4, 1)
    with pytest.raises(ValueError, match="at least 1 dim"):
        mg.zeros(3) @ mg.tensor(2.0)


def test_backward_on_a_non_scalar_needs_a_gradient():
    with pytest.raises(RuntimeError, match=r"one-element outputs.*shape \(2, 3\)"):
        (mg.ones(2, 3, requires_grad=True) * 2).backward()
    with pytest.raises(ValueError, match=r"gradient of shape \(3,\).*shape \(2, 3\)"):
        (mg.ones(2, 3, requires_grad=True) * 2).backward(mg.ones(3))
    with pytest.raises(ValueError, match="got 2 tensors but 1 gradients"):
        mg.backward([leaf([1.0]) * 2, leaf([1.0]) * 2], [mg.ones(1)])


def test_unknown_dim_names_the_range():
    x = mg.ones(2, 3)
    for call in (lambda: x.sum(2), lambda: x.softmax(-3), lambda: x.size(5),
                 lambda: x.max(dim=7), lambda: x.transpose(0, 2)):
        with pytest.raises(IndexError, match=r"dimension out of range.*\[-2, 1\]"):
            call()


def test_requires_grad_needs_a_floating_point_tensor():
    with pytest.raises(RuntimeError, match="only Tensors of floating point.*int64"):
        mg.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        mg.arange(3).requires_grad_()


def test_reshape_to_an_incompatible_shape_names_both_shapes():
    with pytest.raises(ValueError, match=r"shape \(2, 3\) \(6 elements\) into \(4, 2\)"):
        mg.ones(2, 3).reshape(4, 2)
    with pytest.raises(ValueError, match=r"into \(4, -1\)"):
        mg.ones(2, 3).reshape(4, -1)


def test_cross_entropy_target_out_of_range():
    with pytest.raises(IndexError, match="target 3 is out of range for 3 classes"):
        cross_entropy(mg.zeros(2, 3), mg.tensor([0, 3]))
    with pytest.raises(IndexError, match="target -1"):
        cross_entropy(mg.zeros(2, 3), mg.tensor([-1, 0]))


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint8, np.uint64])
def test_cross_entropy_checks_targets_of_every_integer_dtype(dtype):
    bad = [0, 3] if np.dtype(dtype).kind == "u" else [-1, 0]
    with pytest.raises(IndexError, match=f"target {bad[0] or bad[1]} is out of range"):
        cross_entropy(mg.zeros(2, 3), mg.tensor(np.array(bad, dtype=dtype)))
    loss = cross_entropy(mg.zeros(2, 3), mg.tensor(np.array([2, 0], dtype=dtype)))
    assert loss.item() == pytest.approx(np.log(3), rel=1e-6)


@pytest.mark.parametrize("trained", ["all", "frozen", "bias_only"])
def test_linear_gradients_for_each_set_of_trained_inputs(trained):
    """Linear's backward takes a different path when the weight is frozen; each gives g W to the
    input and is differentiable again."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((5, 4)), requires_grad=trained == "all")
    b = Tensor(rng.standard_normal(5), requires_grad=trained != "frozen")
    assert gradcheck(lambda x: linear(x, w, b), (x,))
    assert mg.testing.gradgradcheck(lambda x: linear(x, w, b).tanh(), (x,))
    g = rng.standard_normal((2, 3, 5))
    linear(x, w, b).backward(g)
    np.testing.assert_allclose(x.grad.numpy(), g @ w.array, rtol=1e-12)


def test_a_saved_output_comes_back_as_the_output_tensor():
    """forward may save the array it returns; backward gets the op's output Tensor back, a
    float one wired to the node (so second derivatives see it) and an integer one plain."""
    seen = {}

    class Split(Function):
        @staticmethod
        def forward(ctx, x):
            values, indices = x.array * 2, np.arange(len(x.array))
            ctx.save_for_backward(values, indices)
            return values, indices

        @staticmethod
        def backward(ctx, g_values, g_indices):
            seen["values"], seen["indices"] = ctx.saved_tensors
            return g_values * 2

    x = Tensor(np.ones(3), requires_grad=True)
    values, indices = Split.apply(x)
    values.sum().backward()
    assert seen["values"].grad_fn is values.grad_fn and seen["values"].requires_grad
    assert seen["indices"].grad_fn is None and not seen["indices"].requires_grad
    np.testing.assert_array_equal(seen["indices"].array, [0, 1, 2])
    np.testing.assert_array_equal(x.grad.array, [2, 2, 2])
