"""The engine's own structure (issue 12) and the checks it does for the user (issues 9, 13):
Function.apply's fast path pinned to its general path, the node protocol and PyTorch's
next_functions, grad and anomaly modes behind functions, checked gradient assignment and hook
results, second derivatives through custom Functions that keep raw arrays, ragged lists."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad import Function, Tensor, nn
from minigrad.function import (
    AccumulateGrad,
    Node,
    is_anomaly_enabled,
    is_grad_enabled,
    set_anomaly_enabled,
)
from minigrad.ops.elementwise import Exp
from minigrad.testing import gradgradcheck
from tests.helpers import TensorCube

ENGINE = Path(mg.__file__).parent


def leaf(values) -> Tensor:
    return mg.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


# *** Function.apply: the fast path is only an optimization ***
class ExpTensor(Exp):
    """Exp returning (and saving) a Tensor it made, not an array: Function.apply's general
    path, where Exp itself takes the fast path."""

    @staticmethod
    def forward(ctx, x):
        out = Tensor._make(np.exp(x.array))
        ctx.save_for_backward(out)
        return out


def test_the_single_array_fast_path_records_what_the_general_path_records():
    results = []
    for op in (Exp, ExpTensor):
        x = leaf([0.5, -1.0])
        y = op.apply(x)
        node = y.grad_fn
        record = (type(y), y.requires_grad, y._output_nr, node.inputs[0] is x,
                  [(s, str(d)) for s, d in node._outputs], node._saved_outputs,
                  node.needs_input_grad, y.array.tolist())
        (first,) = mg.grad(y.sum(), x, create_graph=True)
        (second,) = mg.grad(first.sum(), x)
        with mg.no_grad():
            plain = op.apply(x)
        results.append((record, first.array.tolist(), second.array.tolist(),
                        plain.requires_grad, plain.grad_fn))
    assert results[0] == results[1]
    assert results[0][2] == pytest.approx(np.exp([0.5, -1.0]).tolist())


def test_integer_outputs_get_no_grad_fn_on_either_path():
    class Floor(Function):
        @staticmethod
        def forward(ctx, x):
            return np.floor(x.array).astype(np.int64)

    class FloorTensor(Function):
        @staticmethod
        def forward(ctx, x):
            return (Tensor._make(np.floor(x.array).astype(np.int64)), x.array * 2)

    out = Floor.apply(leaf([1.5]))
    ints, floats = FloorTensor.apply(leaf([1.5]))
    assert not out.requires_grad and out.grad_fn is None
    assert not ints.requires_grad and floats.grad_fn.name() == "FloorTensorBackward"
    assert floats._output_nr == 1


# *** the node protocol ***
def test_function_nodes_follow_the_documented_protocol():
    x = leaf([1.0, 2.0])
    y = x * 3.0
    node = y.grad_fn
    assert isinstance(node, Node) and isinstance(node, Function)
    for name in ("inputs", "next_functions", "needs_input_grad", "_sequence_nr", "_outputs",
                 "_saved", "_replaced", "_hooks", "_retained", "_freed", "_trace"):
        assert name in Node.__doc__, name
        getattr(node, name)
    assert node.inputs[0] is x and node._sequence_nr > 0


def _graph(fn, strip_digits=False) -> object:
    """fn's graph as nested (name, [children]) from next_functions, constants left out."""
    name = type(fn).__name__ if fn.__class__.__name__ == "AccumulateGrad" else fn.name()
    if strip_digits:
        name = name.rstrip("0123456789")
    return (name, [_graph(f, strip_digits) for f, _ in fn.next_functions if f is not None])


def test_next_functions_walk_like_pytorch(torch):
    structures = []
    for lib in (mg, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        y = ((x * w + 1.0).exp() * x).sum()
        structures.append(_graph(y.grad_fn, strip_digits=lib is torch))
    assert structures[0] == structures[1]


def test_next_functions_name_leaves_and_output_indices():
    x, w = leaf([1.0]), leaf([2.0])
    y = x * w
    (a, ia), (b, ib) = y.grad_fn.next_functions
    assert isinstance(a, AccumulateGrad) and a.variable is x and (ia, ib) == (0, 0)
    assert b.variable is w
    assert y.grad_fn.next_functions[0][0] is a  # the same node each time, as PyTorch
    const = x * mg.tensor([5.0])
    assert const.grad_fn.next_functions[1] == (None, 0)


def test_next_functions_of_a_node_keep_the_version_it_took():
    x = leaf([1.0])
    y = x * 2.0
    z = y + 1.0
    before = y.grad_fn
    y.mul_(3.0)
    assert z.grad_fn.next_functions[0] == (before, 0)
    assert y.grad_fn.next_functions[0][0] is before


# *** modes behind functions; the engine imports no op module ***
def test_grad_and_anomaly_modes_are_read_and_set_through_functions():
    assert is_grad_enabled() and not is_anomaly_enabled()
    with mg.no_grad():
        assert not is_grad_enabled()
    with mg.detect_anomaly():
        assert is_anomaly_enabled()
    assert set_anomaly_enabled(True) is False
    assert set_anomaly_enabled(False) is True


@pytest.mark.parametrize("module", ["function.py", "autograd.py"])
def test_the_engine_does_not_import_op_modules(module):
    tree = ast.parse((ENGINE / module).read_text())
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for a in node.names]
    assert not [m for m in imported if m and m.startswith("minigrad.ops")]


def test_no_module_writes_another_modules_mode_state():
    for path in ENGINE.rglob("*.py"):
        if path.name != "function.py":
            assert "_Modes" not in path.read_text(), path


# *** checked gradients ***
def test_assigning_grad_checks_type_shape_and_dtype():
    p = nn.Parameter(mg.zeros(3, 4))
    with pytest.raises(RuntimeError, match=r"assigned grad has shape \(4,\), but the tensor has "
                                           r"shape \(3, 4\)"):
        p.grad = mg.ones(4)
    with pytest.raises(TypeError, match="assigned grad expected to be a Tensor or None but got "
                                        "grad of type ndarray"):
        p.grad = np.ones(3)
    with pytest.raises(RuntimeError, match="has dtype int64; a gradient must be floating point"):
        p.grad = mg.tensor(np.zeros((3, 4), dtype=np.int64))
    assert p.grad is None
    p.grad = mg.ones(3, 4)
    p.grad = None
    assert p.grad is None


def test_a_hook_returning_another_shape_is_refused():
    x = leaf([[1.0, 2.0]])
    x.register_hook(lambda g: mg.ones(2))
    with pytest.raises(RuntimeError, match=r"the value returned by hook '<lambda>' has shape "
                                           r"\(2,\), but the tensor has shape \(1, 2\)"):
        (x * 2.0).sum().backward()
    h = leaf([1.0, 2.0]) * 1.0
    h.register_hook(lambda g: g.array)
    with pytest.raises(TypeError, match="hook '<lambda>' expected to be a Tensor or None"):
        h.sum().backward()


# *** detect_anomaly: NaN is an anomaly, an infinity is not ***
def test_an_infinite_attention_mask_is_not_an_anomaly():
    q = leaf(np.random.default_rng(0).standard_normal((3, 4)))
    mask = mg.tensor(np.triu(np.full((3, 3), -np.inf), k=1))
    with mg.detect_anomaly():
        scores = q @ q.T / 2.0 + mask  # Add makes -inf: valid
        (scores.softmax(-1) @ q).sum().backward()
    assert np.isfinite(q.grad.array).all()
    with mg.detect_anomaly(), pytest.raises(mg.AnomalyError, match="produced nan"), \
            np.errstate(invalid="ignore"):
        (mask * 0.0).sum()


# *** second derivatives through custom Functions (issue 13) ***
Cube = TensorCube  # the right way: save the Tensor, write backward with Tensor ops


class CubeSavesArray(Cube):
    """The silent case: saves x.array, so backward's 3 x^2 is a constant to a 2nd derivative."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x.array)
        return x.array**3


class CubeKeepsArrayOnCtx(Cube):
    @staticmethod
    def forward(ctx, x):
        ctx.x = x.array
        return x.array**3

    @staticmethod
    def backward(ctx, g):
        return g * 3 * ctx.x * ctx.x


class CubeNumpyBackward(Cube):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g.array * 3 * x.array**2


def _second_derivative(op) -> np.ndarray:
    """d^2/dx^2 of cube(x)^2 = x^6 at x = 1, 2: 30 x^4 = 30, 480 (a constant 3 x^2 would give
    18 x^4 = 18, 288)."""
    x = leaf([1.0, 2.0])
    (first,) = mg.grad((op.apply(x) ** 2).sum(), x, create_graph=True)
    (second,) = mg.grad(first.sum(), x)
    return second.array


def test_second_derivative_through_a_custom_function_that_saves_tensors():
    np.testing.assert_allclose(_second_derivative(Cube), [30.0, 480.0])
    assert gradgradcheck(lambda x: Cube.apply(x), (leaf([0.5, -1.5]),))


@pytest.mark.parametrize("op", [CubeSavesArray, CubeKeepsArrayOnCtx])
def test_a_custom_function_that_kept_an_input_array_refuses_a_second_derivative(op):
    with pytest.raises(RuntimeError) as info:
        _second_derivative(op)
    message = str(info.value)
    assert op.__name__ in message and "save the Tensors themselves" in message
    x = leaf([1.0, 2.0])
    (op.apply(x) ** 2).sum().backward()  # first derivatives are right, and still allowed
    np.testing.assert_allclose(x.grad.array, 6 * x.array**5)


def test_a_numpy_backward_refuses_a_second_derivative():
    with pytest.raises(RuntimeError, match="CubeNumpyBackward.backward computes with numpy "
                                           "arrays, so its gradient can be differentiated "
                                           "only once"):
        _second_derivative(CubeNumpyBackward)


# *** clear errors for bad input ***
@pytest.mark.parametrize("data, message", [
    ([[1, 2], [3]], "expected sequence of length 2 at dim 1 (got 1)"),
    ([[[1, 2], [3, 4]], [[5, 6], [7]]], "expected sequence of length 2 at dim 2 (got 1)"),
    ([[1, 2], 3], "at depth 1 it mixes sequences and numbers"),
])
def test_a_ragged_nested_list_is_named_with_its_depth(data, message):
    with pytest.raises(ValueError) as info:
        mg.tensor(data)
    assert "the nested list is ragged" in str(info.value) and message in str(info.value)


def _setup_context_cube(lib):
    """x^3 k as a Function in PyTorch 2's style: forward without ctx, then setup_context."""

    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(x, k):
            return x ** 3 * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, k = inputs
            ctx.save_for_backward(x)
            ctx.k = k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * ctx.k * x * x, None

    return Cube


def test_a_function_with_setup_context_matches_torch(torch):
    results = []
    for lib in (mg, torch):
        x = lib.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
        y = _setup_context_cube(lib).apply(x, 2.0)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        g.sum().backward()
        results.append([y.detach().numpy(), g.detach().numpy(), x.grad.numpy()])
    for mine, theirs in zip(*results, strict=True):
        np.testing.assert_allclose(mine, theirs)
