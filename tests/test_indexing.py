"""Indexing follows PyTorch's rules (checked against torch on drawn indices), through
ops.indexing.normalize_index; and the index-producing ops whose outputs have no gradient
(nonzero, one_hot), masked_select's values, and view(dtype)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops import normalize_index
from minigrad.testing import strategies as S


# *** regressions ***
def test_int_slice_array_keeps_the_array_dim_in_place(torch: Any) -> None:
    """Wrong result 3: numpy's rule counts the 0 as an advanced index and returns (2, 3)."""
    data = np.arange(24.0).reshape(2, 3, 4)
    out = mg.tensor(data)[0, :, mg.tensor([1, 0])]
    ref = torch.tensor(data)[0, :, torch.tensor([1, 0])]
    assert out.shape == (3, 2) == tuple(ref.shape)
    np.testing.assert_array_equal(out.array, ref.numpy())


def test_view_as_dtype_reinterprets_the_bytes(torch: Any) -> None:
    """Wrong result 7: view(int32) read the dtype as a shape and raised a TypeError."""
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = mg.tensor(data).view(mg.int32)
    np.testing.assert_array_equal(out.array, torch.tensor(data).view(torch.int32).numpy())
    halves = mg.tensor(data.astype(np.float64)).view(mg.int32)
    assert halves.shape == tuple(torch.tensor(data, dtype=torch.float64).view(torch.int32).shape)
    assert mg.tensor(data).view(6).shape == (6,)
    assert mg.tensor(data).view(-1, 2).shape == (3, 2)


def test_view_as_dtype_refuses_what_pytorch_refuses() -> None:
    with pytest.raises(RuntimeError, match="0-d"):
        mg.tensor(1.0).view(np.int16)
    with pytest.raises(RuntimeError, match="contiguous"):
        mg.tensor(np.zeros((2, 3), np.float32)).T.view(np.int16)
    with pytest.raises(RuntimeError, match="not a multiple"):
        mg.tensor(np.zeros(3, np.int16)).view(np.int32)


def test_view_as_dtype_is_cut_from_the_graph() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    assert not x.view(np.int32).requires_grad
    assert x.view(x.dtype) is x


# *** the rule, against torch on drawn indices ***
@st.composite
def index_parts(draw: st.DrawFn, shape: tuple[int, ...]) -> tuple:
    """A tuple index mixing ints (some out of range), slices, None, one Ellipsis, integer
    arrays (negative too), bool masks and Python bools, for a tensor of the given shape."""
    parts: list[Any] = []
    dim, used_ellipsis = 0, False
    while dim < len(shape) and draw(st.booleans()):
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis", "array", "mask",
                                     "bool"]))
        size = shape[dim]
        if kind == "int":
            parts.append(draw(st.integers(-size - 1, size)))
        elif kind == "slice":
            parts.append(slice(draw(st.none() | st.integers(-4, 4)),
                               draw(st.none() | st.integers(-4, 4)),
                               draw(st.none() | st.integers(1, 3))))
        elif kind == "none":
            parts.append(None)
            continue
        elif kind == "ellipsis":
            if used_ellipsis:
                continue
            parts.append(Ellipsis)
            used_ellipsis = True
            dim = len(shape) - (len(shape) - dim) // 2  # leave some dims after it
            continue
        elif kind == "array":
            length = draw(st.integers(0, 3))
            arr_shape = draw(st.sampled_from([(length,), (2, length), (1,)]))
            parts.append(np.asarray(draw(st.lists(st.integers(-size, size - 1),
                                                  min_size=int(np.prod(arr_shape)),
                                                  max_size=int(np.prod(arr_shape))
                                                  ))).reshape(arr_shape).astype(np.int64))
        elif kind == "mask":
            parts.append(np.asarray(draw(st.lists(st.booleans(), min_size=size,
                                                  max_size=size)), dtype=bool))
        else:
            parts.append(draw(st.booleans()))
            continue
        dim += 1
    return tuple(parts)


@st.composite
def indexed(draw: st.DrawFn) -> tuple[np.ndarray, tuple]:
    x = draw(S.arrays(S.shapes(1, 3, max_side=3)))
    return x, draw(index_parts(x.shape))


def _torch_index(torch: Any, index: tuple) -> tuple:
    return tuple(torch.tensor(p) if isinstance(p, np.ndarray) else p for p in index)


def _mg_index(index: tuple) -> tuple:
    return tuple(mg.tensor(p) if isinstance(p, np.ndarray) else p for p in index)


@settings(max_examples=100)
@given(case=indexed())
def test_getitem_matches_torch(case: tuple, torch: Any) -> None:
    """Shape, values and gradient of x[index], or an IndexError when torch raises one."""
    data, index = case
    ref_x = torch.tensor(data, requires_grad=True)
    try:
        ref = ref_x[_torch_index(torch, index)]
    except IndexError:
        with pytest.raises(IndexError):
            mg.tensor(data)[_mg_index(index)]
        return
    x = mg.tensor(data, requires_grad=True)
    out = x[_mg_index(index)]
    assert out.shape == tuple(ref.shape), index
    np.testing.assert_array_equal(out.array, ref.detach().numpy())
    weights = np.arange(out.array.size, dtype=np.float64).reshape(out.shape)
    (out * mg.tensor(weights)).sum().backward()
    (ref * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(x.grad.array, ref_x.grad.numpy())


@settings(max_examples=60)
@given(case=indexed())
def test_normalized_index_assigns_as_torch_does(case: tuple, torch: Any) -> None:
    """`a[basic][advanced] = v` (the recipe for __setitem__) gives torch's x[index] = v."""
    data, index = case
    ref = torch.tensor(data)
    try:
        target = ref[_torch_index(torch, index)]
    except IndexError:
        return
    value = np.arange(target.numel(), dtype=np.float64).reshape(tuple(target.shape)) + 100
    positions = torch.arange(data.size).reshape(data.shape)[_torch_index(torch, index)]
    if len(positions.unique()) < positions.numel():
        value = np.full(tuple(target.shape), 7.0)  # repeated positions: any write order agrees
    ref[_torch_index(torch, index)] = torch.tensor(value)
    basic, advanced = normalize_index(data.shape, index)
    mine = data.copy()
    if advanced is None:
        mine[basic] = value
    else:
        mine[basic][advanced] = value
    np.testing.assert_array_equal(mine, ref.numpy())


def test_zero_dim_integer_tensor_counts_as_an_int(torch: Any) -> None:
    data = np.arange(24.0).reshape(2, 3, 4)
    out = mg.tensor(data)[mg.tensor(0), :, mg.tensor([1, 0])]
    assert out.shape == tuple(torch.tensor(data)[torch.tensor(0), :, torch.tensor([1, 0])].shape)


@pytest.mark.parametrize("index, message", [
    ((5,), "index 5 is out of bounds for dimension 0 with size 2"),
    ((0, -4), "index -4 is out of bounds for dimension 1 with size 3"),
    ((slice(None), [0, 3]), "index 3 is out of bounds for dimension 1 with size 3"),
    ((0, 0, 0, 0), "too many indices for tensor of dimension 3"),
    ((Ellipsis, 0, Ellipsis), "single ellipsis"),
    ((np.array([True, False, True]),), "shape of the mask"),
    ((np.array([0.5]),), "integer or bool"),
    ((1.5,), "only integers, slices"),
])
def test_bad_indices_raise_index_error_naming_them(index: tuple, message: str) -> None:
    with pytest.raises(IndexError, match=message):
        mg.zeros(2, 3, 4)[index]


def test_a_string_index_is_a_type_error_as_in_torch() -> None:
    with pytest.raises(TypeError, match="only integers, slices.*got str"):
        mg.zeros(2, 3, 4)["a"]


# *** index-producing ops and non-differentiable outputs ***
@given(data=S.arrays(S.shapes(0, 3, max_side=3), st.sampled_from([0.0, 1.0, -2.0])))
@settings(max_examples=30)
def test_nonzero_matches_torch(data: np.ndarray, torch: Any) -> None:
    ref = torch.nonzero(torch.tensor(data))
    out = mg.tensor(data).nonzero()
    assert out.dtype == np.int64 and out.shape == tuple(ref.shape)
    np.testing.assert_array_equal(out.array, ref.numpy())
    for mine, theirs in zip(mg.ops.nonzero(mg.tensor(data), as_tuple=True),
                            torch.nonzero(torch.tensor(data), as_tuple=True), strict=True):
        np.testing.assert_array_equal(mine.array, theirs.numpy())


def test_one_hot_matches_torch(torch: Any) -> None:
    labels = np.array([[0, 2], [1, 1]])
    for classes in (-1, 4):
        out = F.one_hot(mg.tensor(labels), classes)
        ref = torch.nn.functional.one_hot(torch.tensor(labels), classes)
        assert out.dtype == np.int64
        np.testing.assert_array_equal(out.array, ref.numpy())
    assert F.one_hot(mg.tensor(np.zeros(0, np.int64)), 3).shape == (0, 3)


@pytest.mark.parametrize("labels, classes, error, message", [
    ([0, 3], 3, ValueError, "smaller than num_classes"),
    ([-1, 0], 3, ValueError, "non-negative"),
    ([0.5], 3, TypeError, "integer"),
])
def test_one_hot_refuses_bad_labels(labels: list, classes: int, error: type,
                                    message: str) -> None:
    with pytest.raises(error, match=message):
        F.one_hot(mg.tensor(labels), classes)


def test_masked_select_values_and_broadcasting(torch: Any) -> None:
    data = np.arange(6.0).reshape(2, 3)
    mask = np.array([True, False, True])
    out = mg.tensor(data).masked_select(mg.tensor(mask))
    np.testing.assert_array_equal(out.array, torch.tensor(data).masked_select(
        torch.tensor(mask)).numpy())


def test_index_ops_refuse_out_of_range_indices() -> None:
    x = mg.zeros(2, 3)
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 1"):
        x.gather(1, mg.tensor([[3]]))
    with pytest.raises(IndexError, match="index -1 is out of bounds"):
        x.scatter_add(1, mg.tensor([[-1]]), mg.ones(1, 1))
    with pytest.raises(IndexError, match="index 2 is out of bounds for dimension 0"):
        x.index_select(0, mg.tensor([2]))
    with pytest.raises(ValueError, match="index of shape"):
        x.gather(1, mg.tensor([[0], [0], [0]]))
    with pytest.raises(ValueError, match="source of shape"):
        x.index_add(0, mg.tensor([0]), mg.ones(2, 3))


def test_scatter_with_a_larger_src_reads_its_leading_block(torch: Any) -> None:
    src = np.arange(12.0).reshape(3, 4)
    index = np.array([[1, 0], [0, 1]])
    for name in ("scatter", "scatter_add"):
        out = getattr(mg.zeros(2, 3, dtype=np.float64), name)(1, mg.tensor(index),
                                                              mg.tensor(src))
        ref = getattr(torch.zeros(2, 3, dtype=torch.float64), name)(1, torch.tensor(index),
                                                                    torch.tensor(src))
        np.testing.assert_array_equal(out.array, ref.numpy())


def test_scatter_reduce_prod_gradient_with_zeros(torch: Any) -> None:
    """The product's gradient without dividing by a zero factor."""
    x = np.array([0.0, 2.0, 3.0, 0.0])
    src = np.array([0.0, 5.0, 4.0, 0.0, 2.0])
    index = np.array([0, 1, 1, 3, 2])
    for include_self in (True, False):
        a, b = mg.tensor(x, requires_grad=True), mg.tensor(src, requires_grad=True)
        out = a.scatter_reduce(0, mg.tensor(index), b, "prod", include_self=include_self)
        ta, tb = torch.tensor(x, requires_grad=True), torch.tensor(src, requires_grad=True)
        ref = ta.scatter_reduce(0, torch.tensor(index), tb, "prod", include_self=include_self)
        np.testing.assert_array_equal(out.array, ref.detach().numpy())
        out.sum().backward()
        ref.sum().backward()
        np.testing.assert_allclose(a.grad.array, ta.grad.numpy())
        np.testing.assert_allclose(b.grad.array, tb.grad.numpy())


TRICKY = [
    (0, slice(None), [1, 0]),
    ([1, 0], slice(None), 0),
    (slice(None), 0, [1, 2]),
    ([1, 0], 0, [0, 3]),
    (None, [1], 0, [2]),
    (Ellipsis, [0, 0], 1),
    (0, True, slice(None), [1, 0]),
    (1, np.array([True, False, True]), slice(1, 3)),
    ([[0, 1]], slice(None), [[1], [2]]),
    (False,),
    (True, 0),
    (slice(None, None, 2), None, [-1, 0], None),
]


@pytest.mark.parametrize("index", TRICKY, ids=repr)
def test_tricky_indices_match_torch(index: tuple, torch: Any) -> None:
    data = np.arange(24.0).reshape(2, 3, 4)
    ref = torch.tensor(data)[tuple(torch.tensor(p) if isinstance(p, (list, np.ndarray)) else p
                                   for p in index)]
    out = mg.tensor(data)[index]
    assert out.shape == tuple(ref.shape)
    np.testing.assert_array_equal(out.array, ref.numpy())


def test_axis_is_an_alias_of_dim_where_pytorch_accepts_it(torch: Any) -> None:
    data = np.arange(6.0).reshape(2, 3)
    x, ref = mg.tensor(data), torch.tensor(data)
    index = np.array([[0], [2]])
    pairs = [
        (x.gather(axis=1, index=mg.tensor(index)), ref.gather(axis=1, index=torch.tensor(index))),
        (x.index_select(axis=1, index=mg.tensor([2, 0])),
         ref.index_select(axis=1, index=torch.tensor([2, 0]))),
        (x.narrow(axis=1, start=1, length=2), ref.narrow(axis=1, start=1, length=2)),
        (x.repeat_interleave(2, axis=0), ref.repeat_interleave(2, axis=0)),
        (x.chunk(2, axis=1)[0], ref.chunk(2, axis=1)[0]),
    ]
    for mine, theirs in pairs:
        np.testing.assert_array_equal(mine.array, theirs.numpy())
    with pytest.raises(TypeError, match="both dim and axis"):
        x.gather(1, dim=1, axis=1)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_integer_scatter_reduce_matches_torch(reduce: str, include_self: bool,
                                              torch: Any) -> None:
    x = np.arange(-3, 9, dtype=np.int64).reshape(3, 4)
    index, src = np.array([[0, 0, 3], [1, 1, 1]]), np.array([[5, -2, 7], [3, 4, -6]])
    out = mg.tensor(x).scatter_reduce(1, mg.tensor(index), mg.tensor(src), reduce,
                                      include_self=include_self)
    ref = torch.tensor(x).scatter_reduce(1, torch.tensor(index), torch.tensor(src), reduce,
                                         include_self=include_self)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.array, ref.numpy())


def test_float32_inputs_give_float32_outputs() -> None:
    x = mg.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    index = mg.tensor([[0, 0, 1]])
    outputs = [x.scatter_reduce(1, index, x[:1], "mean"), x.scatter_add(1, index, x[:1]),
               x.index_add(0, mg.tensor([1]), x[:1], alpha=2), x.masked_fill(x > 2, 1),
               x.tril(), x.unfold(1, 2, 1), mg.ops.einsum("ij->j", x),
               mg.ops.addmm(x[:, :2], x, x.T, beta=0.5, alpha=2), F.pad(x, (1, 1), value=2),
               F.normalize(x), F.cross_entropy(x, mg.tensor([0, 2]), label_smoothing=0.1),
               F.scaled_dot_product_attention(x, x, x)]
    assert [o.dtype for o in outputs] == [np.float32] * len(outputs)


def test_setitem_follows_pytorchs_rule_and_differentiates(torch: Any) -> None:
    """Tensor.__setitem__ (engine) goes through normalize_index: x[0, :, idx] = v writes a
    (3, 2) block, as in PyTorch; gradients flow to the old values and to v."""
    data, value = np.arange(24.0).reshape(2, 3, 4), np.arange(6.0).reshape(3, 2) - 10
    base, v = mg.tensor(data, requires_grad=True), mg.tensor(value, requires_grad=True)
    ref_base = torch.tensor(data, requires_grad=True)
    ref_v = torch.tensor(value, requires_grad=True)
    x, ref = base * 1, ref_base * 1
    x[0, :, [1, 0]] = v
    ref[0, :, torch.tensor([1, 0])] = ref_v
    np.testing.assert_array_equal(x.array, ref.detach().numpy())
    weights = np.arange(24.0).reshape(2, 3, 4)
    (x * mg.tensor(weights)).sum().backward()
    (ref * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(base.grad.array, ref_base.grad.numpy())
    np.testing.assert_array_equal(v.grad.array, ref_v.grad.numpy())
