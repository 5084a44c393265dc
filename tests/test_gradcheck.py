"""gradcheck and gradgradcheck themselves: they pass correct ops and catch wrong ones, with a
message that points at the entry."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.testing import GradcheckError, gradcheck, gradgradcheck
from tests.helpers import NumpySquare, TensorCube


def leaf(*shape: int, seed: int = 0) -> mg.Tensor:
    return mg.Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


class Square(mg.Function):
    """x^2 with a backward that is right except for an error of `bump` at one element."""

    @staticmethod
    def forward(ctx, x, bump_at):
        ctx.save_for_backward(x)
        ctx.bump_at = bump_at
        return x.array**2

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        bump = np.zeros(x.shape)
        if ctx.bump_at is not None:
            bump[ctx.bump_at] = 0.5
        return g * (2 * x + mg.Tensor(bump)), None


class CubeDetached(TensorCube):
    """x^3 whose backward treats x^2 as a constant: the first derivative is right, the second
    (6x) comes out as 0."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * mg.Tensor(x.array**2)


@pytest.mark.parametrize("fn, inputs", [
    (lambda a, b: (a * b).sum(1).tanh(), (leaf(3, 4), leaf(4, seed=1))),
    (lambda a, b: a @ b, (leaf(2, 3), leaf(3, 2, seed=1))),
    (lambda x: Square.apply(x, None), leaf(2, 3)),
    (lambda x: x.reshape(-1), leaf(2, 3)),  # the output is a view of the input's array
    (lambda x: (*x.max(1), x.exp()), leaf(3, 4)),  # several outputs; int indices are skipped
    (lambda x, k: x * k, (leaf(2), 3.0)),  # non-Tensor inputs pass through
    (lambda x, y: x * 2, (leaf(2), leaf(2, seed=1))),  # y unused: its Jacobian is zero
    (lambda x: x.sum(), leaf()),  # 0-d input
    (lambda a, b: a * b, (leaf(3),) * 2),  # one tensor passed twice: total derivatives
])
def test_gradcheck_and_gradgradcheck_pass_correct_ops(fn, inputs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # float64: no warning
        assert gradcheck(fn, inputs)
        assert gradgradcheck(fn, inputs)


def test_wrong_backward_is_caught_at_its_element():
    x = leaf(3, 4)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: Square.apply(x, (1, 2)), x)
    err = info.value
    assert isinstance(err, AssertionError)
    assert (err.input_index, err.output_index) == (0, 0)
    assert err.element == (1, 2) and err.output_element == (1, 2)
    assert err.numerical == pytest.approx(2 * x.array[1, 2], abs=1e-6)
    assert err.analytical == pytest.approx(2 * x.array[1, 2] + 0.5)
    message = str(err)
    assert message.startswith("gradcheck: Jacobian mismatch for input 0, output 0 at element "
                              "(1, 2) (output element (1, 2)): numerical ")
    assert re.search(r"numerical -?[\d.]+ vs analytical -?[\d.]+ \(atol 1e-05, rtol 0.001\)",
                     message)
    assert "1 of 144 entries differ" in message


def test_error_names_the_input_and_output_that_are_wrong():
    a, b = leaf(2), leaf(3, seed=1)
    with pytest.raises(GradcheckError, match=r"for input 1, output 1 at element \(2,\)") as info:
        gradcheck(lambda a, b: (a * 2, Square.apply(b, (2,))), (a, b))
    assert (info.value.input_index, info.value.output_index) == (1, 1)


def test_scalar_output_omits_the_output_element():
    x = leaf(2, 2)
    with pytest.raises(GradcheckError, match=r"at element \(0, 1\): numerical"):
        gradcheck(lambda x: Square.apply(x, (0, 1)).sum(), x)


def test_raise_exception_false_returns_false():
    assert gradcheck(lambda x: Square.apply(x, (0,)), leaf(3), raise_exception=False) is False


def test_tolerances_are_atol_plus_rtol_times_numerical():
    x = leaf(3)
    wrong = lambda x: Square.apply(x, (0,))  # noqa: E731  (off by 0.5 at one element)
    assert gradcheck(wrong, x, atol=0.6, raise_exception=False)
    assert not gradcheck(wrong, x, atol=0.4, raise_exception=False)


def test_float32_inputs_warn():
    x = mg.Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    with pytest.warns(UserWarning, match="input 0 has dtype float32, not float64"):
        gradcheck(lambda x: x * 2, x, eps=1e-3)
    with pytest.warns(UserWarning, match="gradgradcheck: input 0 has dtype float32"):
        gradgradcheck(lambda x: x * x, x, eps=1e-3, atol=1e-2)


def test_gradgradcheck_catches_a_wrong_second_derivative():
    x = leaf(2, 2)
    assert gradcheck(CubeDetached.apply, x)  # the first derivative is right
    with pytest.raises(GradcheckError, match=r"^gradgradcheck: second-derivative mismatch for "
                                             r"input 0, output 0 \(the gradient of input 0\)"):
        gradgradcheck(CubeDetached.apply, x)
    assert not gradgradcheck(CubeDetached.apply, x, raise_exception=False)


def test_gradgradcheck_reports_a_numpy_backward():
    x = leaf(2)
    assert gradcheck(NumpySquare.apply, x)
    with pytest.raises(RuntimeError, match="differentiated only once"):
        gradgradcheck(NumpySquare.apply, x)


def test_gradgradcheck_takes_grad_outputs():
    x = leaf(3)
    g = mg.Tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
    assert gradgradcheck(lambda x: x.sigmoid(), x, grad_outputs=g)
    with pytest.raises(ValueError, match="returned 1 outputs but 2 grad_outputs"):
        gradgradcheck(lambda x: x.sigmoid(), x, grad_outputs=(g, g))


def test_grad_and_data_are_left_untouched():
    x, y = leaf(2, 3), leaf(3, seed=1)
    earlier = mg.Tensor(np.full((2, 3), 7.0))
    x.grad = earlier
    data = x.array.copy()
    assert gradcheck(lambda x, y: (x * y).sum(), (x, y))
    assert gradgradcheck(lambda x, y: (x * y).sum(), (x, y))
    with pytest.raises(GradcheckError):
        gradcheck(lambda x, y: Square.apply(x, (0, 0)) * y, (x, y))
    assert x.grad is earlier and y.grad is None
    np.testing.assert_array_equal(x.array, data)


def test_fn_that_calls_backward_leaves_grad_untouched():
    x = leaf(3)

    def fn(x):
        out = (x * x).sum()
        out.backward(retain_graph=True)
        return out

    assert gradcheck(fn, x)
    assert x.grad is None


def test_nothing_to_check_is_an_error():
    with pytest.raises(ValueError, match="no input requires grad"):
        gradcheck(lambda x: x * 2, mg.Tensor(np.ones(2)))
    with pytest.raises(ValueError, match="no input requires grad"):
        gradgradcheck(lambda x: x * 2, mg.Tensor(np.ones(2)))


def test_non_tensor_output_is_an_error():
    with pytest.raises(TypeError, match="output 0 is ndarray"):
        gradcheck(lambda x: x.array, leaf(2))


def test_output_index_counts_integer_outputs_too():
    x = leaf(2, 3)
    with pytest.raises(GradcheckError, match="for input 0, output 2 at element") as info:
        gradcheck(lambda x: (*x.max(1), Square.apply(x, (1, 1))), x)
    assert info.value.output_index == 2


def test_minigrad_testing_imports_without_hypothesis():
    code = ("import sys; sys.modules['hypothesis'] = None; "
            "from minigrad.testing import gradcheck, gradgradcheck")
    repo = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], cwd=repo, check=True)


# *** gradcheck_module: a layer's parameters as well as its inputs ***


def _double_linear(seed: int = 0) -> nn.Linear:
    mg.manual_seed(seed)
    return nn.Linear(3, 2, dtype=mg.float64)


class _WrongScale(mg.Function):
    """y = x * w with a backward for w that is off by a factor of 2."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return x.array * w.array

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        return grad * w, (grad * x * 2).sum(0)


class _Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = _double_linear()
        self.scale = nn.Parameter(mg.tensor(np.array([1.5, -0.5])))

    def forward(self, x):
        return _WrongScale.apply(self.inner(x), self.scale)


def test_gradcheck_module_checks_parameters_and_leaves_them_as_they_were():
    from minigrad.testing import gradcheck_module

    layer = _double_linear()
    weight, bias = layer.weight.array.copy(), layer.bias.array.copy()
    x = mg.randn(4, 3, dtype=mg.float64, requires_grad=True)
    assert gradcheck_module(layer, (x,))
    net = nn.Sequential(layer, nn.Sigmoid(), nn.Linear(2, 2, dtype=mg.float64))
    assert gradcheck_module(net, mg.randn(4, 3, dtype=mg.float64))  # an input without grad
    np.testing.assert_array_equal(layer.weight.array, weight)
    np.testing.assert_array_equal(layer.bias.array, bias)
    assert layer.weight.grad is None and x.grad is None


def test_gradcheck_module_names_the_wrong_parameter():
    from minigrad.testing import gradcheck_module

    x = mg.randn(4, 3, dtype=mg.float64)
    with pytest.raises(GradcheckError, match=r"mismatch for parameter scale, output 0") as info:
        gradcheck_module(_Scaled(), (x,))
    assert info.value.analytical == pytest.approx(2 * info.value.numerical)
    assert not gradcheck_module(_Scaled(), (x,), raise_exception=False)


def test_gradcheck_module_warns_about_float32_parameters_and_needs_some():
    from minigrad.testing import gradcheck_module

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gradcheck_module(nn.Linear(2, 2), (mg.randn(1, 2),), atol=1e-1, rtol=1e-1,
                         raise_exception=False)
    messages = [str(w.message) for w in caught]
    for name in ("weight", "bias"):
        assert any(f"parameter {name} has dtype float32" in m for m in messages), messages
    with pytest.raises(ValueError, match="Sigmoid has no parameter that requires grad"):
        gradcheck_module(nn.Sigmoid(), (mg.randn(2, dtype=mg.float64),))


def test_gradcheck_error_is_a_runtime_error_as_torch() -> None:
    """Programs written for torch catch RuntimeError from a failing gradcheck."""
    x = mg.tensor([0.5, -1.0], dtype=mg.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradcheck(lambda v: mg.tensor([1.0, 1.0], dtype=mg.float64) + v.detach(), (x,))


def test_gradcheck_accepts_torchs_keywords_that_change_nothing() -> None:
    x = mg.tensor([0.5, -1.0], dtype=mg.float64, requires_grad=True)
    assert gradcheck(mg.sin, (x,), fast_mode=True, nondet_tol=0.0, check_undefined_grad=True,
                     check_grad_dtypes=True, masked=None)
    assert gradgradcheck(mg.sin, (x,), fast_mode=True, gen_non_contig_grad_outputs=True,
                         check_rev_over_rev=True)
    with pytest.raises(NotImplementedError, match="check_forward_ad=True"):
        gradcheck(mg.sin, (x,), check_forward_ad=True)
    with pytest.raises(NotImplementedError, match="check_fwd_over_rev=True"):
        gradgradcheck(mg.sin, (x,), check_fwd_over_rev=True)
    with pytest.raises(TypeError, match=r"gradcheck\(\) got an unexpected keyword .*'bogus'"):
        gradcheck(mg.sin, (x,), bogus=1)
