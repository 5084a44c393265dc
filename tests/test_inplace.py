"""In-place ops and version counters (issue 9): PyTorch's mutation semantics, checked against
PyTorch, and the errors that replace silently stale gradients."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import nn
from minigrad.autograd import increment_version
from minigrad.nn import functional as F
from minigrad.testing import gradcheck, gradgradcheck, strategies


def leaf(values, dtype=np.float64) -> mg.Tensor:
    return mg.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


# *** the interface other code relies on ***
def test_version_starts_at_zero_and_every_in_place_write_bumps_it():
    t = mg.zeros(3)
    assert t._version == 0
    t.add_(1)
    t += 1
    t.mul_(2).sub_(1)  # in-place methods return self
    t[0] = 5.0
    assert t._version == 5
    np.testing.assert_array_equal(t.array, [5.0, 3.0, 3.0])


def test_increment_version_bumps_tensors_written_through_data():
    a, b = mg.zeros(2), mg.ones(3)
    a.array[:] = 1.0  # a raw write: not seen...
    assert a._version == 0
    increment_version(a, b)  # ...until the writer says so
    assert (a._version, b._version) == (1, 1)
    with pytest.raises(TypeError, match="expected Tensors"):
        increment_version(np.zeros(2))


def test_detach_and_views_share_the_version_counter():
    x = mg.zeros(2, 3)
    views = [x.detach(), x.reshape(6), x.transpose(0, 1), x[0], x[:, 1:], x.unsqueeze(0)]
    x.add_(1)
    assert [v._version for v in views] == [1] * len(views)
    views[3].fill_(7.0)  # writes through a view are seen by the base and the other views
    assert x._version == 2 and views[0]._version == 2
    np.testing.assert_array_equal(x.array[0], [7.0, 7.0, 7.0])
    copy = x[[0, 1]]  # integer-array indexing copies in numpy: its own counter
    x.add_(1)
    assert copy._version == 0


@pytest.mark.parametrize("name, args, expected", [
    ("add_", (2.0,), [3.0, 4.0]), ("sub_", (2.0,), [-1.0, 0.0]), ("mul_", (2.0,), [2.0, 4.0]),
    ("div_", (2.0,), [0.5, 1.0]), ("fill_", (7.0,), [7.0, 7.0]), ("zero_", (), [0.0, 0.0]),
    ("copy_", (mg.tensor([5.0, 6.0]),), [5.0, 6.0]),
])
def test_basic_in_place_methods_on_a_parameter_under_no_grad(name, args, expected):
    p = nn.Parameter(mg.tensor([1.0, 2.0]))
    array = p.array
    with mg.no_grad():
        assert getattr(p, name)(*args) is p
    assert p.array is array  # the same memory, written in place
    np.testing.assert_allclose(p.array, expected)
    assert p._version == 1 and p.dtype == np.float32 and p.is_leaf


@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/="])
def test_augmented_operators_update_the_object_itself(op):
    p = nn.Parameter(mg.tensor([1.0, 2.0]))
    q = p
    with mg.no_grad():
        exec(f"q {op} 2.0")
    assert q is p and p._version == 1
    expected = {"+=": [3, 4], "-=": [-1, 0], "*=": [2, 4], "/=": [0.5, 1]}[op]
    np.testing.assert_allclose(p.array, expected)


def test_in_place_on_a_leaf_that_requires_grad_is_refused_outside_no_grad():
    p = nn.Parameter(mg.tensor([1.0, 2.0]))
    for write in (lambda: p.add_(1), lambda: p.zero_(), lambda: p.__isub__(1.0),
                  lambda: p.__setitem__(0, 3.0)):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being "
                                               "used in an in-place operation"):
            write()
    assert p._version == 0 and p.array.tolist() == [1.0, 2.0]


def test_in_place_keeps_dtype_and_refuses_what_it_cannot_hold():
    t = mg.tensor([1, 2])
    t += 3
    assert t.dtype == np.int64 and t.array.tolist() == [4, 5]
    with pytest.raises(RuntimeError, match="result type float32 can't be cast to the desired "
                                           "output type int64"):
        t += 0.5
    with pytest.raises(RuntimeError, match=r"output with shape \(2,\) doesn't match the "
                                           r"broadcast shape \(3, 2\)"):
        t.add_(mg.ones(3, 2, dtype=np.int64))
    f = mg.zeros(2)
    f += mg.tensor(np.ones(2))  # float64 into float32: allowed, stays float32
    assert f.dtype == np.float32 and t._version == 1


def test_tutorial_manual_update_trains_a_model():
    """PyTorch's "Learning PyTorch with Examples": p -= lr * p.grad over model.parameters()."""
    mg.manual_seed(0)
    x = mg.tensor(np.linspace(-1, 1, 64, dtype=np.float32).reshape(64, 1))
    y = x * 3.0 - 1.0
    model = nn.Sequential(nn.Linear(1, 1))
    losses = []
    for _ in range(200):
        loss = ((model(x) - y) ** 2).mean()
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with mg.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
    assert losses[-1] < 1e-4 < losses[0]


def test_tutorial_update_of_named_leaves_and_grad_zero():
    mg.manual_seed(0)
    x = mg.randn(32, 3)
    y = x @ mg.tensor([[1.0], [-2.0], [0.5]])
    w1 = mg.zeros(3, 1, requires_grad=True)
    first = None
    for _ in range(100):
        loss = ((x @ w1 - y) ** 2).mean()
        first = first if first is not None else loss.item()
        loss.backward()
        with mg.no_grad():
            w1 -= 0.1 * w1.grad
            w1.grad.zero_()
    assert w1.is_leaf and w1.requires_grad and loss.item() < 1e-3 * first
    w1.grad = None
    assert w1.grad is None


# *** every in-place method against PyTorch ***
# name -> (minigrad call, torch call, operand kind); operands are drawn to broadcast to x
INPLACE = {
    "add_": (lambda t, o: t.add_(o, alpha=0.5), lambda t, o: t.add_(o, alpha=0.5), "tensor"),
    "sub_": (lambda t, o: t.sub_(o), lambda t, o: t.sub_(o), "tensor"),
    "mul_": (lambda t, o: t.mul_(o), lambda t, o: t.mul_(o), "tensor"),
    "div_": (lambda t, o: t.div_(o), lambda t, o: t.div_(o), "positive"),
    "pow_": (lambda t, o: t.pow_(2.0), lambda t, o: t.pow_(2.0), None),
    "neg_": (lambda t, o: t.neg_(), lambda t, o: t.neg_(), None),
    "exp_": (lambda t, o: t.exp_(), lambda t, o: t.exp_(), None),
    "sigmoid_": (lambda t, o: t.sigmoid_(), lambda t, o: t.sigmoid_(), None),
    "tanh_": (lambda t, o: t.tanh_(), lambda t, o: t.tanh_(), None),
    "relu_": (lambda t, o: t.relu_(), lambda t, o: t.relu_(), None),
    "clamp_": (lambda t, o: t.clamp_(-0.5, 0.7), lambda t, o: t.clamp_(-0.5, 0.7), None),
    "fill_": (lambda t, o: t.fill_(o), lambda t, o: t.fill_(o), "scalar_tensor"),
    "zero_": (lambda t, o: t.zero_(), lambda t, o: t.zero_(), None),
    "copy_": (lambda t, o: t.copy_(o), lambda t, o: t.copy_(o), "tensor"),
    "masked_fill_": (lambda t, o: t.masked_fill_(t.array > 0, o),
                     lambda t, o: t.masked_fill_(t.detach() > 0, o), "scalar_tensor"),
    "+=": (lambda t, o: t.__iadd__(o), lambda t, o: t.__iadd__(o), "tensor"),
    "-=": (lambda t, o: t.__isub__(o), lambda t, o: t.__isub__(o), "tensor"),
    "*=": (lambda t, o: t.__imul__(o), lambda t, o: t.__imul__(o), "tensor"),
    "/=": (lambda t, o: t.__itruediv__(o), lambda t, o: t.__itruediv__(o), "positive"),
}


@st.composite
def inplace_case(draw, kind):
    """(x, operand) arrays: the operand broadcasts to x's shape and does not grow it."""
    shape = draw(strategies.shapes(min_dims=1, max_dims=3, max_side=3))
    x = draw(strategies.arrays(shape, elements=strategies.away_from([0.0, -0.5, 0.7])))
    if kind is None:
        return x, None
    if kind == "scalar_tensor":
        return x, draw(strategies.arrays(()))
    drop = draw(st.integers(0, len(shape)))
    sub = tuple(draw(st.sampled_from([1, n])) for n in shape[drop:])
    elements = strategies.positive(0.5, 2.0) if kind == "positive" else strategies.floats()
    return x, draw(strategies.arrays(sub, elements=elements))


def _torch_pair(torch, x, o, requires_grad):
    tx = torch.tensor(x, requires_grad=requires_grad)
    to = None if o is None else torch.tensor(o, requires_grad=requires_grad)
    return tx, to


@pytest.mark.parametrize("name", INPLACE)
@given(data=st.data())
@settings(max_examples=15)
def test_in_place_values_match_torch(torch, name, data):
    ours, theirs, kind = INPLACE[name]
    x, o = data.draw(inplace_case(kind))
    t, other = mg.tensor(x), None if o is None else mg.tensor(o)
    tt, tother = _torch_pair(torch, x, o, False)
    assert ours(t, other) is t
    theirs(tt, tother)
    np.testing.assert_allclose(t.array, tt.numpy(), rtol=1e-12, atol=1e-12)
    assert t.dtype == np.float64 and t._version == 1


@pytest.mark.parametrize("name", INPLACE)
@given(data=st.data())
@settings(max_examples=10)
def test_gradients_through_a_recorded_in_place_op_match_torch(torch, name, data):
    """y = x * 1.5, then y.op_(w) in the graph: x's and w's gradients, first and second order."""
    ours, theirs, kind = INPLACE[name]
    x, o = data.draw(inplace_case(kind))
    c = data.draw(strategies.arrays(x.shape))

    def run(lib, x_leaf, o_leaf, call):
        grad = mg.grad if lib is mg else torch.autograd.grad
        y = x_leaf * 1.5
        call(y, o_leaf)
        loss = (y * lib.tensor(c) * y).sum()  # quadratic in y: second derivatives exist
        leaves = [t for t in (x_leaf, o_leaf) if t is not None]
        first = grad(loss, leaves, create_graph=True, allow_unused=True)
        total = sum((g * g).sum() for g in first if g is not None and g.requires_grad)
        if isinstance(total, int):  # nothing depends on the leaves any more
            return first, [None] * len(leaves)
        return first, grad(total, leaves, allow_unused=True)

    x_leaf = mg.tensor(x, requires_grad=True)
    o_leaf = None if o is None else mg.tensor(o, requires_grad=True)
    tx, to = _torch_pair(torch, x, o, True)
    ours_first, ours_second = run(mg, x_leaf, o_leaf, ours)
    torch_first, torch_second = run(torch, tx, to, theirs)
    for mine, ref in zip([*ours_first, *ours_second], [*torch_first, *torch_second],
                         strict=True):
        ref = np.zeros_like(mine.array) if ref is None and mine is not None else ref
        if mine is None:
            assert ref is None or not np.any(ref.detach().numpy())
            continue
        ref = ref if isinstance(ref, np.ndarray) else ref.detach().numpy()
        np.testing.assert_allclose(mine.array, ref, rtol=1e-7, atol=1e-9)


# *** __setitem__ ***
@st.composite
def index_case(draw):
    """A shape and an index into it: basic (ints and slices), boolean mask, or integer array
    (without repeats, whose writes numpy and PyTorch order differently)."""
    shape = draw(strategies.shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    kind = draw(st.sampled_from(["basic", "bool", "int_array"]))
    if kind == "basic":
        parts = []
        for n in shape[:draw(st.integers(1, len(shape)))]:
            if draw(st.booleans()):
                parts.append(draw(st.integers(-n, n - 1)))
            else:
                start = draw(st.integers(0, n - 1))
                parts.append(slice(start, draw(st.integers(start + 1, n))))
        return shape, tuple(parts)
    if kind == "bool":
        mask = np.array(draw(st.lists(st.booleans(), min_size=shape[0], max_size=shape[0])))
        return shape, mask
    rows = draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=shape[0],
                         unique=True))
    return shape, np.array(rows)


@given(case=index_case(), data=st.data())
@settings(max_examples=40)
def test_setitem_gradcheck_and_torch(torch, case, data):
    shape, index = case
    selected = np.zeros(shape)[index].shape
    value_shape = data.draw(st.sampled_from([selected, selected[1:], ()]))
    x = data.draw(strategies.arrays(shape))
    v = data.draw(strategies.arrays(value_shape))

    def fn(x_leaf, v_leaf):
        y = x_leaf * 2.0
        y[index] = v_leaf
        return y * y  # so the gradients depend on the values written

    assert gradcheck(fn, (mg.tensor(x, requires_grad=True), mg.tensor(v, requires_grad=True)))
    assert gradgradcheck(fn, (mg.tensor(x, requires_grad=True),
                              mg.tensor(v, requires_grad=True)))
    xs = [mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)]
    vs = [mg.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)]
    index_t = torch.tensor(index) if isinstance(index, np.ndarray) else index
    for xl, vl, idx in zip(xs, vs, [index, index_t], strict=True):
        y = xl * 2.0
        y[idx] = vl
        (y * y).sum().backward()
    np.testing.assert_allclose(xs[0].grad.array, xs[1].grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(vs[0].grad.array, vs[1].grad.numpy(), rtol=1e-12)


def test_setitem_writes_numbers_and_tensors_in_place():
    t = mg.zeros(2, 3)
    array = t.array
    t[0] = 1.0
    t[1, 1:] = mg.tensor([2.0, 3.0])
    t[t > 2.5] = -1.0
    t[[0, 1], [0, 0]] = mg.tensor([7.0, 8.0])
    assert t.array is array and t._version == 4
    np.testing.assert_array_equal(t.array, [[7, 1, 1], [8, 2, -1]])
    with pytest.raises(RuntimeError, match=r"value of shape \(3,\) does not broadcast to the "
                                           r"indexed shape \(2,\)"):
        t[0, 1:] = mg.tensor([1.0, 2.0, 3.0])
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 2"):
        t[5] = 1.0
    assert t._version == 4


def test_in_place_on_a_view_writes_the_base_and_is_recorded_there():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 1.0
    with mg.no_grad():
        y[0].fill_(0.0)
    np.testing.assert_array_equal(y.array[0], [0.0, 0.0])
    y[1].mul_(2.0)  # recorded on the base, as y[1] = y[1] * 2.0
    y.sum().backward()  # the write under no_grad is invisible to autograd, as in PyTorch
    np.testing.assert_array_equal(x.grad.array, [[1.0, 1.0], [2.0, 2.0]])


def test_a_node_recorded_before_an_in_place_op_keeps_the_old_version():
    """z = y + 3 took y before y *= 5: z's gradient must not go through the multiplication."""
    x = leaf([1.0, 2.0])
    y = x * 2.0
    z = y + 3.0
    y.mul_(5.0)
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0])
    x2 = leaf([1.0, 2.0])
    y2 = x2 * 2.0
    z2 = y2 + 3.0
    y2.mul_(5.0)
    (y2 + z2).sum().backward()
    np.testing.assert_array_equal(x2.grad.array, [12.0, 12.0])


def test_a_view_made_before_its_base_changed_is_refused_in_backward():
    x = leaf([1.0, 2.0])
    y = x * 2.0
    v = y[0:1]
    y.mul_(3.0)
    with pytest.raises(RuntimeError, match="a view made by GetItemBackward was used after "
                                           "its base was modified in place by MulBackward"):
        (v + 1.0).sum().backward()
    w = y[0:1] * 2.0  # used before the write: fine, and the gradient is the old values'
    y.add_(1.0)
    w.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [12.0, 0.0])


def test_relu_and_dropout_inplace_options():
    x = leaf([-1.0, 2.0])
    h = x * 1.0
    out = F.relu(h, inplace=True)
    assert out is h and h.grad_fn.name() == "ReluBackward"
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 1.0])
    relu = nn.ReLU(inplace=True)
    assert repr(relu) == "ReLU(inplace=True)" and repr(nn.ReLU()) == "ReLU()"
    t = mg.tensor([-1.0, 3.0])
    assert relu(t) is t and t.array.tolist() == [0.0, 3.0]
    mg.manual_seed(0)
    drop = nn.Dropout(0.5, inplace=True)
    t = mg.ones(1000)
    assert drop(t) is t and set(np.unique(t.array)) == {0.0, 2.0} and t._version == 1
    drop.eval()
    assert drop(t) is t


# *** version errors instead of silently stale gradients ***
VERSION_ERROR = ("one of the variables needed for gradient computation has been modified by an "
                 "inplace operation")


def test_second_backward_after_a_manual_update_raises():
    mg.manual_seed(0)
    lin = nn.Linear(3, 2)
    v = lin.weight._version  # 1, as in PyTorch: the init functions wrote into it
    loss = lin(mg.randn(4, 3)).sum()
    loss.backward(retain_graph=True)
    with mg.no_grad():
        for p in lin.parameters():
            p -= 0.1 * p.grad
    with pytest.raises(RuntimeError) as info:
        loss.backward()
    message = str(info.value)
    assert VERSION_ERROR in message and "LinearBackward" in message
    assert "shape (2, 3)" in message and f"is at version {v + 1}; expected version {v}" in message


def test_copying_new_weights_in_before_backward_raises():
    """What load_state_dict does (copy into the parameter) must not change a pending backward."""
    lin = nn.Linear(3, 2)
    y = lin(mg.randn(4, 3, requires_grad=True))
    with mg.no_grad():
        lin.weight.copy_(mg.zeros(2, 3))
    with pytest.raises(RuntimeError, match=VERSION_ERROR):
        y.sum().backward()


def test_writing_a_detached_output_raises_in_backward():
    x = leaf([0.5, -1.0])
    h = x.sigmoid()
    h.detach().zero_()
    with pytest.raises(RuntimeError) as info:
        (h * 2.0).sum().backward()
    assert "SigmoidBackward is at version 1; expected version 0" in str(info.value)
    assert "shape (2,)" in str(info.value)


def test_several_writes_report_the_versions_before_and_after():
    x = leaf([1.0, 2.0])
    y = x * 1.0
    y.add_(1.0)  # version 1, then y is saved by the multiplication
    z = y * y
    y.add_(1.0)
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="is at version 3; expected version 1"):
        z.sum().backward()


def test_writes_through_data_stay_unchecked_as_in_pytorch():
    x = leaf([1.0, 2.0])
    y = x * x
    x.array[:] = 10.0  # the raw array: no version bump, no error (documented)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [20.0, 20.0])


def test_data_is_a_tensor_on_the_same_memory_outside_the_graph_as_in_pytorch(torch):
    for lib in (mg, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        d = x.data
        assert isinstance(d, lib.Tensor) and not d.requires_grad and d.grad_fn is None
        d.mul_(10.0)  # through .data: x changes, no version bump, no error at backward
        assert x._version == 0 and x.tolist() == [10.0, 20.0]
        y.sum().backward()
        assert x.grad.tolist() == [20.0, 40.0]
    x, t = mg.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    for lib_x in (x, t):  # the same write through detach() shares the counter: refused
        y = lib_x * lib_x
        lib_x.detach().mul_(2.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_assigning_data_swaps_the_memory_and_refuses_non_tensors(torch):
    for lib in (mg, torch):
        p = lib.zeros(2, 2, requires_grad=True)
        new = lib.arange(6.0).reshape(3, 2)
        p.data = new
        assert tuple(p.shape) == (3, 2) and p.requires_grad and p.is_leaf
        new[0, 0] = 7.0  # p now holds new's memory
        assert p[0, 0].item() == 7.0
    with pytest.raises(TypeError, match="has to be a Tensor, got ndarray"):
        mg.zeros(3, 2).data = np.zeros((3, 2))
    with pytest.raises(TypeError):
        torch.zeros(2).data = np.zeros(2)


def test_an_uninitialized_parameter_refuses_to_show_its_data():
    lazy = mg.nn.LazyLinear(3)
    for read in (lambda: lazy.weight.data, lambda: lazy.weight.array, lazy.weight.detach):
        with pytest.raises(ValueError, match="not initialized yet"):
            read()


# *** property: random programs with in-place writes ***
STEPS = {
    # name: (arity, in place?, the step on minigrad or torch tensors)
    "sigmoid": (1, False, lambda a, b: a.sigmoid()),
    "tanh": (1, False, lambda a, b: a.tanh()),
    "scale": (1, False, lambda a, b: a * 0.9),
    "mul": (2, False, lambda a, b: a * b),
    "add": (2, False, lambda a, b: a + b),
    "sigmoid_": (1, True, lambda a, b: a.sigmoid_()),
    "tanh_": (1, True, lambda a, b: a.tanh_()),
    "mul_const_": (1, True, lambda a, b: a.mul_(0.9)),
    "mul_": (2, True, lambda a, b: a.mul_(b)),
    "add_": (2, True, lambda a, b: a.add_(b)),
    "sub_": (2, True, lambda a, b: a.sub_(b)),
    "setitem": (2, True, None),
}
MASK = [True, False, True]


def _run_program(lib, leaves, steps, weights):
    """Apply steps to a pool that starts with the leaves; in-place steps write into a non-leaf.
    Returns sum_k (pool[k] * weights[k]).sum()."""
    pool = list(leaves)
    mask = np.array(MASK) if lib is mg else torch_module().tensor(MASK)
    for name, i, j in steps:
        arity, in_place, fn = STEPS[name]
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        if not in_place:
            pool.append(fn(a, b))
            continue
        targets = pool[len(leaves):]
        if not targets:
            continue
        a = targets[i % len(targets)]
        if name == "setitem":
            a[mask] = b[mask] * 0.5
        else:
            fn(a, b)
    total = 0.0
    for k, t in enumerate(pool):
        total = total + (t * weights[k % len(weights)]).sum()
    return total


def torch_module():
    import torch
    return torch


def _numeric_gradient(leaves_np, steps, weights, eps=1e-6):
    grads = []
    for n, x in enumerate(leaves_np):
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            values = []
            for sign in (1, -1):
                shifted = [v.copy() for v in leaves_np]
                shifted[n][idx] += sign * eps
                with mg.no_grad():
                    values.append(_run_program(mg, [mg.tensor(v) for v in shifted], steps,
                                               weights).item())
            g[idx] = (values[0] - values[1]) / (2 * eps)
        grads.append(g)
    return grads


@given(steps=st.lists(st.tuples(st.sampled_from(sorted(STEPS)), st.integers(0, 30),
                                st.integers(0, 30)), min_size=1, max_size=8),
       leaves_np=st.lists(strategies.arrays((3,)), min_size=2, max_size=2),
       weights=st.lists(st.floats(-2, 2), min_size=1, max_size=4))
@settings(max_examples=60)
def test_random_programs_with_in_place_writes_raise_or_match_torch(torch, steps, leaves_np,
                                                                   weights):
    """Either backward refuses (a saved tensor or a used view was overwritten), or the
    gradients equal PyTorch's for the same program (numerical ones where PyTorch refuses)."""
    leaves = [mg.tensor(v, requires_grad=True) for v in leaves_np]
    try:
        _run_program(mg, leaves, steps, weights).backward()
    except RuntimeError as e:
        assert VERSION_ERROR in str(e) or "was used after its base was modified" in str(e)
        return
    ours = [np.zeros(3) if t.grad is None else t.grad.array for t in leaves]
    torch_leaves = [torch.tensor(v, requires_grad=True) for v in leaves_np]
    try:
        _run_program(torch, torch_leaves, steps, weights).backward()
        reference = [np.zeros(3) if t.grad is None else t.grad.numpy() for t in torch_leaves]
        rtol, atol = 1e-10, 1e-12
    except RuntimeError:  # PyTorch refuses where minigrad saved a copy: check numerically
        reference = _numeric_gradient(leaves_np, steps, weights)
        rtol, atol = 1e-5, 1e-7
    for mine, ref in zip(ours, reference, strict=True):
        np.testing.assert_allclose(mine, ref, rtol=rtol, atol=atol)


def test_an_operand_that_is_the_tensor_itself_means_its_old_value():
    x = leaf([1.0, -2.0])
    y = x * 3.0
    y.add_(y)  # y = 2 (3x)
    y.mul_(y)  # y = (6x)^2; PyTorch refuses this one (MulBackward's saved self changed)
    y.sum().backward()
    np.testing.assert_allclose(y.array, (6 * x.array) ** 2)
    np.testing.assert_allclose(x.grad.array, 72 * x.array)
