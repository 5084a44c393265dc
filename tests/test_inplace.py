"""In-place ops and version counters (issue 9): PyTorch's mutation semantics, checked against
PyTorch, and the errors that replace silently stale gradients."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.autograd import increment_version


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
    np.testing.assert_array_equal(t.data, [5.0, 3.0, 3.0])


def test_increment_version_bumps_tensors_written_through_data():
    a, b = mg.zeros(2), mg.ones(3)
    a.data[:] = 1.0  # a raw write: not seen...
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
    np.testing.assert_array_equal(x.data[0], [7.0, 7.0, 7.0])
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
    array = p.data
    with mg.no_grad():
        assert getattr(p, name)(*args) is p
    assert p.data is array  # the same memory, written in place
    np.testing.assert_allclose(p.data, expected)
    assert p._version == 1 and p.dtype == np.float32 and p.is_leaf


@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/="])
def test_augmented_operators_update_the_object_itself(op):
    p = nn.Parameter(mg.tensor([1.0, 2.0]))
    q = p
    with mg.no_grad():
        exec(f"q {op} 2.0")
    assert q is p and p._version == 1
    expected = {"+=": [3, 4], "-=": [-1, 0], "*=": [2, 4], "/=": [0.5, 1]}[op]
    np.testing.assert_allclose(p.data, expected)


def test_in_place_on_a_leaf_that_requires_grad_is_refused_outside_no_grad():
    p = nn.Parameter(mg.tensor([1.0, 2.0]))
    for write in (lambda: p.add_(1), lambda: p.zero_(), lambda: p.__isub__(1.0),
                  lambda: p.__setitem__(0, 3.0)):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being "
                                               "used in an in-place operation"):
            write()
    assert p._version == 0 and p.data.tolist() == [1.0, 2.0]


def test_in_place_keeps_dtype_and_refuses_what_it_cannot_hold():
    t = mg.tensor([1, 2])
    t += 3
    assert t.dtype == np.int64 and t.data.tolist() == [4, 5]
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
