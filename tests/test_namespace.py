"""`import minigrad as mg` gives PyTorch's namespace: packages as attributes, ops and Tensor
methods as top-level functions with PyTorch's argument names."""

from __future__ import annotations

import inspect
import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg


@pytest.mark.parametrize("path", [
    "nn", "nn.functional", "nn.init", "optim", "optim.lr_scheduler", "data", "utils.data",
    "autograd", "testing", "cuda", "backends", "random",
])
def test_packages_resolve_as_attributes(path):
    obj = mg
    for part in path.split("."):
        obj = getattr(obj, part)
    assert obj is not None


def test_packages_above_the_engine_load_only_when_used():
    code = ("import sys, minigrad as mg; print(any(m.startswith(('minigrad.nn', "
            "'minigrad.optim', 'minigrad.data')) for m in sys.modules)); mg.optim.SGD; "
            "print('minigrad.optim' in sys.modules and 'minigrad.nn' not in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]


def test_pytorch_paths():
    import minigrad.utils.data as data
    from minigrad.utils.data import DataLoader, TensorDataset, random_split

    assert data is mg.data and DataLoader is mg.data.DataLoader
    assert TensorDataset and random_split
    assert mg.autograd.grad is mg.grad and mg.autograd.Function is mg.Function
    assert mg.autograd.backward is mg.backward
    assert mg.nn.functional.relu and mg.nn.init.xavier_uniform_
    assert mg.optim.lr_scheduler.StepLR and mg.testing.gradcheck


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        mg.nonexistent  # noqa: B018


def test_every_tensor_method_torch_has_as_a_function_is_one(torch):
    methods = [name for name in dir(mg.Tensor) if not name.startswith("_")
               and callable(getattr(mg.Tensor, name))]
    wanted = [name for name in methods if callable(getattr(torch, name, None))]
    assert len(wanted) > 40
    missing = [name for name in wanted if not callable(getattr(mg, name, None))]
    assert not missing, f"Tensor methods torch offers as functions but mg does not: {missing}"


def test_every_public_op_is_a_top_level_function():
    from minigrad import ops
    from minigrad.toplevel import _HELPERS

    for name in ops.__all__:
        if name not in _HELPERS:
            assert callable(getattr(mg, name)), name
            assert name in mg.__all__


def test_unary_and_binary_ops_take_pytorch_argument_names(torch):
    for name in ("matmul", "maximum", "minimum", "add", "sub", "mul", "div", "lt", "eq"):
        params = list(inspect.signature(getattr(mg, name)).parameters)
        assert params[:2] == ["input", "other"], (name, params)
    for name in ("exp", "log", "sigmoid", "tanh", "relu", "sum", "mean", "softmax", "flatten",
                 "clone", "t", "numel"):
        assert next(iter(inspect.signature(getattr(mg, name)).parameters)) == "input", name


def test_keyword_forms_match_torch(torch):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.ones((3, 2), np.float32)
    cases = [
        lambda lib, x, y: lib.matmul(input=x, other=y),
        lambda lib, x, y: lib.mm(x, mat2=y),
        lambda lib, x, y: lib.add(x, x, alpha=2),
        lambda lib, x, y: lib.sub(input=x, other=x * 3, alpha=0.5),
        lambda lib, x, y: lib.sum(input=x, dim=1, keepdim=True),
        lambda lib, x, y: lib.flatten(x, start_dim=0),
        lambda lib, x, y: lib.transpose(x, 0, 1),
        lambda lib, x, y: lib.clamp(x, min=1.0, max=4.0),
        lambda lib, x, y: lib.where(x > 2, x, lib.zeros_like(x)),
        lambda lib, x, y: lib.softmax(x, dim=-1),
        lambda lib, x, y: lib.dot(lib.flatten(x), lib.flatten(x)),
        lambda lib, x, y: lib.t(x),
        lambda lib, x, y: lib.norm(x),
        lambda lib, x, y: lib.clone(x),
        lambda lib, x, y: lib.pow(x, exponent=2),
        lambda lib, x, y: lib.cat([x, x], dim=0),
        lambda lib, x, y: lib.stack((x, x), dim=1),
    ]
    for i, case in enumerate(cases):
        ours = case(mg, mg.tensor(a), mg.tensor(b))
        theirs = case(torch, torch.tensor(a), torch.tensor(b))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, err_msg=str(i))
    assert mg.numel(mg.tensor(a)) == torch.numel(torch.tensor(a)) == 6
    assert mg.is_tensor(mg.tensor(a)) and not mg.is_tensor(a)


def test_in_place_functions(torch):
    for lib in (mg, torch):
        x = lib.tensor([-1.0, 2.0])
        assert lib.relu_(x) is x and x.tolist() == [0.0, 2.0]


def test_methods_differentiable(torch):
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    xt = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    for lib, t in ((mg, x), (torch, xt)):
        y = t.t().mm(t).sum() + t.clone().norm() + lib.dot(t[0], t[1]) + t.norm(p=1)
        y = y + t.norm(p=float("inf")) + t.norm(dim=1).sum()
        y.backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-5)


def test_shape_checks_of_matrix_methods():
    with pytest.raises(RuntimeError, match="mm: mat2 must be a matrix"):
        mg.ones(2, 3).mm(mg.ones(3))
    with pytest.raises(RuntimeError, match="dot: expected 1-D tensors of one size"):
        mg.dot(mg.ones(2), mg.ones(3))
    with pytest.raises(RuntimeError, match=r"t\(\) expects a tensor with <= 2 dimensions"):
        mg.ones(2, 3, 4).t()
    assert mg.ones(3).t().shape == (3,)


def test_norm_of_zero_has_gradient_zero_as_in_torch(torch):
    for p in (2, "fro", 3, 1):
        x = mg.zeros(3, requires_grad=True)
        xt = torch.zeros(3, requires_grad=True)
        x.norm(p=p).backward()
        xt.norm(p=p).backward()
        np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())
        assert x.norm(p=p).item() == 0


@pytest.mark.filterwarnings("ignore:An output with one or more elements was resized")
def test_out_argument_as_torch(torch):
    for lib in (mg, torch):
        result = lib.empty(2)
        assert lib.add(lib.ones(2), lib.ones(2), out=result) is result
        assert result.tolist() == [2.0, 2.0]
        assert lib.exp(lib.zeros(2), out=result) is result and result.tolist() == [1.0, 1.0]
        bigger = lib.empty(3)  # resized to the result's shape
        lib.matmul(lib.ones(2, 2), lib.ones(2), out=bigger)
        assert tuple(bigger.shape) == (2,) and bigger.tolist() == [2.0, 2.0]
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="out=... arguments don't support automatic"):
            lib.mul(x, x, out=lib.empty(2))


def test_max_and_min_of_two_tensors_are_elementwise(torch):
    a, b = [1.0, 5.0, -2.0], [3.0, 2.0, -1.0]
    for name in ("max", "min"):
        ours = getattr(mg, name)(mg.tensor(a), mg.tensor(b))
        theirs = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
        assert ours.tolist() == theirs.tolist()
        assert getattr(mg, name)(mg.tensor(a), other=mg.tensor(b)).tolist() == theirs.tolist()
        values, indices = getattr(mg, name)(mg.tensor([a, b]), 1)
        t_values, t_indices = getattr(torch, name)(torch.tensor([a, b]), 1)
        assert values.tolist() == t_values.tolist() and indices.tolist() == t_indices.tolist()
        assert getattr(mg, name)(mg.tensor(a)).item() == getattr(torch, name)(
            torch.tensor(a)).item()


def test_axis_is_an_alias_of_dim(torch):
    x = np.arange(6.0).reshape(2, 3)
    for name in ("sum", "mean", "argmax", "softmax"):
        ours = getattr(mg, name)(mg.tensor(x), axis=1)
        theirs = getattr(torch, name)(torch.tensor(x), axis=1)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), err_msg=name)
