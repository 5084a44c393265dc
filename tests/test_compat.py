"""The small pieces of PyTorch's namespace that PyTorch programs use (minigrad/compat.py,
minigrad/size.py) and the Tensor methods they call, against torch."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


# *** Size ***
def test_size_is_a_tuple_as_torch_size(torch) -> None:
    x, tx = mg.zeros(2, 3, 4), torch.zeros(2, 3, 4)
    assert type(x.size()) is mg.Size and x.size() == tuple(tx.size()) == x.shape
    assert x.size() == mg.Size([2, 3, 4]) and tx.size() == torch.Size([2, 3, 4])
    assert x.size()[1:] == tx.size()[1:] and type(x.size()[1:]) is mg.Size
    assert x.size()[-1] == 4 and x.size(1) == tx.size(1) == 3
    assert x.size().numel() == tx.size().numel() == 24
    assert repr(mg.Size([2, 3])) == "minigrad.Size([2, 3])"
    assert mg.zeros(x.size()).shape == (2, 3, 4)


@pytest.mark.parametrize("bad", [[2.5], ["a"], [None]])
def test_size_refuses_non_ints(torch, bad: list) -> None:
    with pytest.raises(TypeError):
        torch.Size(bad)
    with pytest.raises(TypeError, match="sequence of ints"):
        mg.Size(bad)


# *** comparisons by name, equal ***
@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_comparison_methods_match_torch(torch, name: str) -> None:
    a, b = np.array([[1.0, 2.0, 3.0]]), np.array([[2.0], [1.0]])
    ours = getattr(mg.tensor(a), name)(mg.tensor(b))
    theirs = getattr(torch.tensor(a), name)(torch.tensor(b))
    assert ours.dtype == np.bool_
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(getattr(mg.tensor(a), name)(2.0).numpy(),
                                  getattr(torch.tensor(a), name)(2.0).numpy())


def test_equal_as_torch(torch) -> None:
    pairs = [([1.0, 2.0], [1.0, 2.0]), ([1.0, 2.0], [1.0, 3.0]), ([1.0, 1.0], [[1.0, 1.0]])]
    for a, b in pairs:
        assert mg.equal(mg.tensor(a), mg.tensor(b)) == torch.equal(torch.tensor(a),
                                                                   torch.tensor(b))
        assert mg.tensor(a).equal(mg.tensor(b)) is torch.tensor(a).equal(torch.tensor(b))


def test_contiguous_is_the_tensor_itself() -> None:
    x = mg.arange(6.0).reshape(2, 3).t()
    assert x.contiguous() is x and x.contiguous().view(-1).tolist() == [0, 3, 1, 4, 2, 5]


# *** inference_mode ***
def test_inference_mode_records_no_graph() -> None:
    w = mg.ones(3, requires_grad=True)
    with mg.inference_mode():
        y = w * 2
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled() and not y.requires_grad
    with mg.inference_mode(False):
        assert (w * 2).requires_grad


def test_inference_mode_as_decorator_with_and_without_call() -> None:
    w = mg.ones(3, requires_grad=True)

    @mg.inference_mode()
    def called(t):
        return t * 2

    @mg.inference_mode
    def bare(t):
        return t * 2

    assert not called(w).requires_grad and not bare(w).requires_grad
    assert mg.is_grad_enabled()
    assert called(w).is_inference() and bare(w).is_inference() and not (w * 2).is_inference()


@pytest.mark.parametrize("lib", ["mg", "torch"])
def test_inference_tensors_cannot_be_saved_for_backward(lib: str, torch) -> None:
    """As torch: tensors made inside inference_mode are inference tensors; an op that saves one
    for backward raises, one that saves nothing (add) does not, and a clone is a normal tensor."""
    L = mg if lib == "mg" else torch
    w = L.ones(3, requires_grad=True)
    with L.inference_mode():
        assert L.is_inference_mode_enabled()
        z = L.arange(3.0)
        with L.inference_mode(False):
            assert not L.is_inference_mode_enabled() and L.is_grad_enabled()
            assert not L.ones(1).is_inference()
    with L.no_grad(), L.inference_mode(False):
        assert L.is_grad_enabled()
    assert not L.is_inference_mode_enabled() and z.is_inference() and not w.is_inference()
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
        w * z
    (w + z).sum().backward()
    assert (w * z.clone()).requires_grad and not z.clone().is_inference()
    with L.no_grad():
        assert not (w * z).requires_grad
    assert z.detach().is_inference() and z.data.is_inference()
    with pytest.raises(RuntimeError, match="Inplace update to inference tensor outside"):
        z.mul_(2)
    with pytest.raises(RuntimeError, match="Inplace update to inference tensor outside"):
        z[0] = 5.0
    if L is mg:  # torch has written by the time it raises; minigrad changes nothing
        assert z.tolist() == [0.0, 1.0, 2.0]
    before = z.tolist()
    with L.inference_mode():
        z.add_(1)
    assert z.tolist() == [v + 1 for v in before]


# *** default device ***
def test_default_device_is_the_cpu(torch) -> None:
    mg.set_default_device("cpu")
    assert mg.get_default_device() == mg.device("cpu")
    assert str(mg.get_default_device()) == str(torch.get_default_device())
    mg.set_default_device(None)
    with pytest.raises(RuntimeError, match="computes on the CPU with numpy"):
        mg.set_default_device("cuda")
    assert mg.get_default_device() == mg.device("cpu")


# *** generator= on the in-place random fills ***
@pytest.mark.parametrize("name", ["uniform_", "normal_"])
def test_in_place_random_fills_take_a_generator(name: str) -> None:
    a = getattr(mg.empty(50), name)(generator=mg.Generator().manual_seed(7))
    b = getattr(mg.empty(50), name)(generator=mg.Generator().manual_seed(7))
    c = getattr(mg.empty(50), name)(generator=mg.Generator().manual_seed(8))
    assert mg.equal(a, b) and not mg.equal(a, c)
    with pytest.raises(TypeError, match="generator must be a minigrad.Generator"):
        getattr(mg.empty(2), name)(generator=np.random.default_rng(0))


# *** state dicts of shared modules ***
def test_state_dict_lists_a_shared_module_under_each_name(torch) -> None:
    def build(nn_):
        shared = nn_.Linear(4, 4)
        return nn_.Sequential(nn_.Linear(2, 4), shared, nn_.ReLU(), shared, nn_.BatchNorm1d(4),
                              nn_.BatchNorm1d(4))

    ours, theirs = build(nn), build(torch.nn)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert len(list(ours.modules())) == len(list(theirs.modules()))
    assert ([n for n, _ in ours.named_modules(remove_duplicate=False)]
            == [n for n, _ in theirs.named_modules(remove_duplicate=False)])
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    np.testing.assert_array_equal(ours[3].weight.array, theirs[3].weight.detach().numpy())


# *** torch.autograd.gradcheck ***
def test_autograd_offers_gradcheck() -> None:
    x = mg.tensor([0.3, -0.7], dtype=mg.float64, requires_grad=True)
    assert mg.autograd.gradcheck(mg.tanh, (x,)) and mg.autograd.gradgradcheck(mg.tanh, (x,))
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        mg.autograd.nonsense  # noqa: B018


def test_accelerator_queries_match_a_cpu_only_torch(torch) -> None:
    assert mg.accelerator.is_available() is False and mg.accelerator.device_count() == 0
    assert mg.accelerator.current_accelerator() is None


def test_determinism_printoptions_and_machine_limits_as_torch(torch) -> None:
    mg.use_deterministic_algorithms(True, warn_only=True)
    assert mg.are_deterministic_algorithms_enabled()
    assert mg.is_deterministic_algorithms_warn_only_enabled()
    mg.use_deterministic_algorithms(False)
    assert not mg.are_deterministic_algorithms_enabled()
    try:
        mg.set_printoptions(precision=2)
        assert repr(mg.tensor([1.23456])) == "tensor([1.23])"
        mg.set_printoptions(profile="full")
        assert "..." not in repr(mg.zeros(2000))
    finally:
        mg.set_printoptions(profile="default")
    assert repr(mg.tensor([1.23456])) == "tensor([1.2346])"
    assert "..." in repr(mg.zeros(2000))
    with pytest.raises(ValueError, match="profile must be one of"):
        mg.set_printoptions(profile="tiny")
    for dtype in ("float16", "float32", "float64"):
        ours, theirs = mg.finfo(getattr(mg, dtype)), torch.finfo(getattr(torch, dtype))
        assert (ours.eps, ours.max, ours.tiny, ours.bits) == (
            theirs.eps, theirs.max, theirs.tiny, theirs.bits)
    assert mg.finfo().eps == torch.finfo().eps
    for dtype in ("float16", "float32", "float64"):  # Python floats, printed as PyTorch does
        ours, theirs = mg.finfo(getattr(mg, dtype)), torch.finfo(getattr(torch, dtype))
        assert type(ours.eps) is float and ours.max * 2 == theirs.max * 2
        assert repr(ours) == repr(theirs) and ours.dtype == theirs.dtype
    assert mg.iinfo(mg.int32).max == torch.iinfo(torch.int32).max



SHAPE_MISMATCHES = {
    "linear": lambda L: L.nn.Linear(4, 2)(L.ones(3, 5)),
    "broadcast": lambda L: L.ones(3, 8) * L.ones(6, 3),
    "matmul": lambda L: L.ones(2, 3) @ L.ones(2, 3),
    "loss": lambda L: L.nn.functional.l1_loss(L.ones(3), L.ones(4)),
}


@pytest.mark.parametrize("case", sorted(SHAPE_MISMATCHES))
def test_shape_errors_are_runtime_errors_as_torch(case: str, torch) -> None:
    """PyTorch programs catch shape mismatches with `except RuntimeError`; minigrad's are
    RuntimeErrors too (and still ValueErrors)."""
    with pytest.raises(RuntimeError):
        SHAPE_MISMATCHES[case](torch)
    with pytest.raises(RuntimeError) as info:
        SHAPE_MISMATCHES[case](mg)
    assert isinstance(info.value, ValueError)
