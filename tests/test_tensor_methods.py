"""PyTorch's Tensor methods beyond the ops' own names: aliases, attributes, shape helpers,
the in-place family (Tensor._in_place_of) and the random fills, each against torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import minigrad as mg

RNG = np.random.default_rng(0)
X = RNG.uniform(0.2, 0.9, (3, 4))  # inside every unary op's domain (acosh aside)
Y = RNG.uniform(-2, 2, (3, 4))
BIG = RNG.uniform(1.5, 3, (3, 4))
SQUARE = RNG.uniform(-1, 1, (4, 4))


def _pair(torch: Any, array: np.ndarray, requires_grad: bool = False) -> tuple[Any, Any]:
    return (mg.tensor(array.copy(), requires_grad=requires_grad),
            torch.tensor(array.copy(), requires_grad=requires_grad))


def _same(mine: Any, theirs: Any) -> None:
    if isinstance(mine, tuple):
        assert isinstance(theirs, tuple) and len(mine) == len(theirs)
        for m, t in zip(mine, theirs, strict=True):
            _same(m, t)
        return
    theirs = theirs.detach().numpy()
    assert mine.shape == theirs.shape and mine.dtype == theirs.dtype
    np.testing.assert_allclose(mine.array, theirs, rtol=1e-12, atol=1e-12)


def _args(lib: Any, args: tuple) -> tuple:
    """Arrays among args as tensors of lib (mg or torch)."""
    return tuple(lib.tensor(a) if isinstance(a, np.ndarray) else a for a in args)


METHODS = [  # (method, input, args, kwargs)
    ("expand_as", X[:1], (X,), {}), ("view_as", X, (X.reshape(2, 6),), {}),
    ("reshape_as", X, (X.reshape(4, 3),), {}), ("where", Y, (Y > 0, X), {}),
    ("neg", Y, (), {}), ("negative", Y, (), {}), ("multiply", Y, (X,), {}),
    ("subtract", Y, (X,), {"alpha": 2}), ("divide", Y, (X,), {}),
    ("divide", Y, (X,), {"rounding_mode": "floor"}), ("true_divide", Y, (X,), {}),
    ("greater", Y, (X,), {}), ("greater_equal", Y, (0.5,), {}), ("less", Y, (X,), {}),
    ("less_equal", Y, (X,), {}), ("not_equal", Y, (Y,), {}), ("absolute", Y, (), {}),
    ("arccos", X, (), {}), ("arcsin", X, (), {}), ("arctan", Y, (), {}),
    ("arccosh", BIG, (), {}), ("arcsinh", Y, (), {}), ("arctanh", X, (), {}), ("sgn", Y, (), {}),
    ("clamp_min", Y, (0.3,), {}), ("clamp_max", Y, (0.3,), {}), ("ravel", X, (), {}),
    ("select", X, (1, -2), {}), ("narrow_copy", X, (1, 1, 2), {}), ("fliplr", X, (), {}),
    ("flipud", X, (), {}), ("rot90", X, (), {}), ("rot90", X, (3, (1, 0)), {}),
    ("tensor_split", X, (3,), {"dim": 1}), ("tensor_split", X, ([1, 3],), {"dim": 1}),
    ("split_with_sizes", X, ([1, 2],), {}), ("hsplit", X, (2,), {}), ("vsplit", X, ([1],), {}),
    ("heaviside", Y, (X,), {}),
]


@pytest.mark.parametrize(("name", "x", "args", "kwargs"), METHODS,
                         ids=[f"{m[0]}{i}" for i, m in enumerate(METHODS)])
def test_method_matches_torch(name: str, x: np.ndarray, args: tuple, kwargs: dict,
                              torch: Any) -> None:
    mine = getattr(mg.tensor(x), name)(*_args(mg, args), **kwargs)
    theirs = getattr(torch.tensor(x), name)(*_args(torch, args), **kwargs)
    _same(mine, theirs)


@pytest.mark.parametrize("name", ["select", "fliplr", "flipud", "rot90", "tensor_split",
                                  "split_with_sizes", "hsplit", "vsplit", "dsplit", "ravel",
                                  "negative", "multiply", "divide", "true_divide", "subtract",
                                  "greater", "less_equal", "not_equal", "absolute", "arccos",
                                  "clamp_min", "clamp_max", "narrow_copy"])
def test_also_a_top_level_function(name: str) -> None:
    assert callable(getattr(mg, name))


def test_top_level_functions_match_torch(torch: Any) -> None:
    _same(mg.rot90(mg.tensor(X), 2, [0, 1]), torch.rot90(torch.tensor(X), 2, [0, 1]))
    _same(mg.dsplit(mg.tensor(X.reshape(1, 3, 4)), 2),
          torch.dsplit(torch.tensor(X.reshape(1, 3, 4)), 2))
    _same(mg.clamp_min(mg.tensor(Y), 0.1), torch.clamp_min(torch.tensor(Y), 0.1))
    _same(mg.true_divide(mg.tensor(Y), mg.tensor(X)),
          torch.true_divide(torch.tensor(Y), torch.tensor(X)))


def test_shape_helper_gradients_match_torch(torch: Any) -> None:
    for fn in (lambda t: t.rot90(1, (1, 0)) * 2, lambda t: t.tensor_split([1, 3], 1)[1] ** 2,
               lambda t: t.select(1, 2).exp(), lambda t: t.fliplr().cumsum(1)):
        a, b = _pair(torch, Y, True)
        fn(a).sum().backward()
        fn(b).sum().backward()
        np.testing.assert_allclose(a.grad.array, b.grad.numpy(), rtol=1e-12)


def test_split_errors_name_the_values() -> None:
    x = mg.tensor(X)
    with pytest.raises(RuntimeError, match="not divisible"):
        x.hsplit(3)
    with pytest.raises(RuntimeError, match="at least 3 dims"):
        x.dsplit(2)
    with pytest.raises(RuntimeError, match="must be larger than 0"):
        x.tensor_split(0)
    with pytest.raises(IndexError, match="index 4 is out of range"):
        x.select(1, 4)
    with pytest.raises(RuntimeError, match="dims must differ"):
        x.rot90(1, (1, 1))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool"])
def test_attributes_match_torch(dtype: str, torch: Any) -> None:
    a = np.arange(24).reshape(2, 3, 4).astype(dtype)
    mine, theirs = mg.tensor(a), torch.tensor(a)
    for name in ("nbytes", "itemsize", "is_cpu", "output_nr", "retains_grad"):
        assert getattr(mine, name) == getattr(theirs, name), name
    for name in ("ndimension", "is_contiguous", "stride", "storage_offset", "get_device",
                 "is_complex", "is_signed"):
        assert getattr(mine, name)() == getattr(theirs, name)(), name
    assert mine.stride(-1) == theirs.stride(-1) == 1


def test_retains_grad_and_output_nr(torch: Any) -> None:
    x = mg.tensor(X, requires_grad=True)
    y = x * 2
    assert not y.retains_grad
    y.retain_grad()
    assert y.retains_grad and not x.retains_grad
    assert [v.output_nr for v in x.max(1)] == [v.output_nr for v in torch.tensor(X).max(1)]


def test_detach_in_place_makes_a_leaf() -> None:
    x = mg.tensor(X, requires_grad=True)
    y = x * 2
    assert y.detach_() is y and y.is_leaf and not y.requires_grad
    np.testing.assert_array_equal(y.array, X * 2)


# *** shape changes in place ***
VIEW_CHANGES = [("t_", ()), ("transpose_", (0, 1)), ("swapaxes_", (1, 0)),
                ("swapdims_", (0, 1)), ("unsqueeze_", (1,)), ("squeeze_", ())]


@pytest.mark.parametrize(("name", "args"), VIEW_CHANGES, ids=[v[0] for v in VIEW_CHANGES])
def test_shape_change_in_place_matches_torch(name: str, args: tuple, torch: Any) -> None:
    array = X[:1] if name == "squeeze_" else X
    (w, tw), v = _pair(torch, array, True), RNG.standard_normal(4)
    y, ty = w * 2, tw * 2
    assert getattr(y, name)(*args) is y
    getattr(ty, name)(*args)
    _same(y, ty)
    (y.exp().sum() + (y * y).sum()).backward()
    (ty.exp().sum() + (ty * ty).sum()).backward()
    np.testing.assert_allclose(w.grad.array, tw.grad.numpy(), rtol=1e-12)
    assert v.shape == (4,)


def test_shape_change_in_place_without_graph_and_refusals() -> None:
    x = mg.tensor(X)
    x.t_()
    assert x.shape == (4, 3) and x._version == 1
    np.testing.assert_array_equal(x.array, X.T)
    w = mg.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w.t_()
    y = w * 2
    z = y * y  # saves y with its old shape
    y.t_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation|version"):
        z.sum().backward()


# *** the in-place family ***
IN_PLACE = [  # (method, input, args, kwargs)
    *[(n, X, (), {}) for n in (
        "abs_", "absolute_", "sqrt_", "log_", "sign_", "sgn_", "floor_", "ceil_", "round_",
        "trunc_", "fix_", "frac_", "sin_", "cos_", "tan_", "asin_", "acos_", "atan_", "arcsin_",
        "arccos_", "arctan_", "sinh_", "cosh_", "asinh_", "atanh_", "arcsinh_", "arctanh_",
        "exp2_", "expm1_", "log2_", "log10_", "log1p_", "square_", "reciprocal_", "rsqrt_",
        "erf_", "erfc_", "negative_")],
    ("acosh_", BIG, (), {}), ("arccosh_", BIG, (), {}), ("round_", Y * 10, (), {"decimals": 1}),
    *[(n, Y, (X,), {}) for n in (
        "eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_",
        "less_equal_", "not_equal_", "multiply_", "divide_", "true_divide_", "hypot_",
        "copysign_", "atan2_", "arctan2_", "fmod_", "remainder_", "floor_divide_")],
    ("subtract_", Y, (X,), {"alpha": 3}), ("divide_", Y, (X,), {"rounding_mode": "trunc"}),
    ("clamp_min_", Y, (0.2,), {}), ("clamp_max_", Y, (0.2,), {}), ("lerp_", Y, (X, 0.3), {}),
    ("lerp_", Y, (X, X), {}), ("cumsum_", Y, (1,), {}), ("cumprod_", Y, (0,), {}),
    ("tril_", Y, (), {}), ("triu_", Y, (1,), {}), ("eq_", Y, (0.5,), {}),
    ("addmm_", Y, (X, SQUARE), {"beta": 0.5, "alpha": 2}),
    ("index_add_", Y, (0, np.array([2, 0]), X[:2]), {}),
    ("scatter_add_", Y, (1, np.array([[0, 0], [1, 3], [2, 2]]), X[:, :2]), {}),
    ("scatter_", Y, (1, np.array([[0, 1], [1, 3], [2, 0]]), X[:, :2]), {}),
    ("addcmul_", Y, (X, X), {"value": 0.5}), ("addcdiv_", Y, (X, X), {"value": -2}),
    ("addmv_", Y[0], (SQUARE, X[0]), {"beta": 2}), ("addr_", Y, (X[:, 0], X[0]), {}),
    ("baddbmm_", Y[None], (X[None], SQUARE[None]), {"alpha": 0.5}),
    ("addbmm_", Y, (X[None], SQUARE[None]), {}), ("deg2rad_", Y, (), {}),
    ("rad2deg_", Y, (), {}), ("erfinv_", X, (), {}), ("logit_", X, (), {}),
    ("logit_", X, (0.3,), {}), ("sinc_", Y, (), {}), ("xlogy_", Y, (X,), {}),
    ("ldexp_", Y, (np.array([1, 3, 2, 0]),), {}), ("nan_to_num_", Y, (), {}),
    ("renorm_", Y, (2, 0, 1.0), {}), ("index_fill_", Y, (1, np.array([3, 0]), -1.0), {}),
    ("index_copy_", Y, (0, np.array([2, 0]), X[:2]), {}),
    ("masked_scatter_", Y, (Y > 0, X), {}), ("float_power_", Y, (2,), {}),
]


@pytest.mark.parametrize(("name", "x", "args", "kwargs"), IN_PLACE,
                         ids=[f"{m[0]}{i}" for i, m in enumerate(IN_PLACE)])
def test_in_place_matches_torch(name: str, x: np.ndarray, args: tuple, kwargs: dict,
                                torch: Any) -> None:
    """The value written, the version bump, and the gradient through the write (to self's old
    values and to a tensor operand) against torch."""
    (w, tw), (o, to) = _pair(torch, x, True), _pair(torch, X, True)
    mine_args = tuple(o if a is X else a for a in _args(mg, args))
    their_args = tuple(to if a is X else a for a in _args(torch, args))
    y, ty = w * 1, tw * 1
    before = y._version
    assert getattr(y, name)(*mine_args, **kwargs) is y
    getattr(ty, name)(*their_args, **kwargs)
    assert y._version == before + 1
    _same(y, ty)
    weights = RNG.standard_normal(y.shape)
    (y * mg.tensor(weights)).sum().backward()
    try:
        (ty * torch.tensor(weights)).sum().backward()
    except (NotImplementedError, RuntimeError):  # torch lacks a few in-place derivatives
        if name != "floor_divide_":  # torch has no derivative of it; minigrad's is zero
            out = getattr(tw * 1, name[:-1])(*their_args, **kwargs)
            (out * torch.tensor(weights)).sum().backward()
    for mine, theirs in ((w, tw), (o, to)):
        expected = np.zeros(mine.shape) if theirs.grad is None else theirs.grad.numpy(force=True)
        got = np.zeros(mine.shape) if mine.grad is None else mine.grad.array
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_in_place_family_outside_the_graph(torch: Any) -> None:
    x, t = mg.tensor([1.0, 4.0, 9.0]), torch.tensor([1.0, 4.0, 9.0])
    x.sqrt_().mul_(2).clamp_max_(5)
    t.sqrt_().mul_(2).clamp_max_(5)
    _same(x, t)
    i, ti = mg.tensor([5, 6, 7]), torch.tensor([5, 6, 7])
    i.bitwise_and_(6).bitwise_left_shift_(1)
    ti.bitwise_and_(6).bitwise_left_shift_(1)
    _same(i, ti)


def test_in_place_refusals_leave_the_tensor_unchanged() -> None:
    i = mg.tensor([1, 4, 9])
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.sqrt_()
    np.testing.assert_array_equal(i.array, [1, 4, 9])
    w = mg.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w.sin_()
    assert w._version == 0


def test_in_place_family_is_complete(torch: Any) -> None:
    """Every PyTorch in-place method of an op minigrad has out of place is there too."""
    wanted = {"abs_", "sqrt_", "exp2_", "floor_", "eq_", "lerp_", "clamp_min_", "sigmoid_",
              "tril_", "cumsum_", "index_add_", "scatter_", "bernoulli_", "random_"}
    missing = sorted(n for n in dir(torch.Tensor) if n.endswith("_") and not n.startswith("_")
                     and hasattr(mg.Tensor, n[:-1]) and not hasattr(mg.Tensor, n))
    assert wanted <= set(dir(mg.Tensor))
    assert not [n for n in missing if n[:-1] in {"sin", "cos", "log", "sign", "round"}], missing


# *** random fills ***
def test_random_fills_draw_from_their_distributions() -> None:
    n = 20000
    x = mg.zeros(n, dtype=mg.float64)
    assert set(x.random_(5).tolist()) == {0, 1, 2, 3, 4}
    assert set(x.random_(2, 4).tolist()) == {2, 3}
    assert 0 <= x.random_().min().item() and x.max().item() <= 2**53
    assert set(mg.zeros(50, dtype=mg.bool).random_().tolist()) == {False, True}
    assert abs(x.bernoulli_(0.3).mean().item() - 0.3) < 0.02
    assert abs(x.exponential_(2.0).mean().item() - 0.5) < 0.02
    assert x.geometric_(0.5).min().item() == 1 and abs(x.mean().item() - 2) < 0.05
    assert abs(x.log_normal_(0.0, 0.25).log().mean().item()) < 0.01
    assert abs(x.cauchy_(1.0, 0.5).array.__array__().__abs__().mean() > 1)
    assert abs(np.median(x.array) - 1) < 0.05
    probs = mg.full((n,), 0.25, dtype=mg.float64)
    assert abs(probs.bernoulli().mean().item() - 0.25) < 0.02


def test_random_fills_follow_the_generator() -> None:
    draws = []
    for _ in range(2):
        g = mg.Generator().manual_seed(7)
        draws.append(mg.zeros(5).exponential_(generator=g).random_(10, generator=g).tolist())
    assert draws[0] == draws[1]
    with pytest.raises(RuntimeError, match="'from' .* less than 'to'"):
        mg.zeros(3).random_(4, 2)
    with pytest.raises(RuntimeError, match=r"\[0, 1\]"):
        mg.zeros(3).bernoulli_(1.5)


def test_ldexp_gradient_for_negative_exponents_is_two_to_the_e() -> None:
    """d/dx x 2^e = 2^e; PyTorch 2.13 gives 0 for negative integer e (it takes 2^e in
    integers), which minigrad does not copy."""
    x = mg.tensor([1.5, -2.0], requires_grad=True)
    x.ldexp(mg.tensor([-1, -3])).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.5, 0.125])
    with pytest.raises(RuntimeError, match="float64"):
        mg.tensor([1.0]).float_power_(2)


def test_real_tensor_identities_and_legacy_methods(torch: Any) -> None:
    x, t = _pair(torch, Y)
    for name in ("conj", "resolve_conj", "resolve_neg", "conj_physical", "adjoint"):
        _same(getattr(x, name)(), getattr(t, name)())
    _same(x.real, t.real)
    _same(x.mH, t.mH)
    for name in ("is_conj", "is_neg", "is_inference"):
        assert getattr(x, name)() == getattr(t, name)() is False
    with pytest.raises(RuntimeError, match="non-complex"):
        _ = x.imag
    assert x.byte().dtype == np.uint8 and x.char().dtype == np.int8
    assert x.data_ptr() == x.array.ctypes.data
    assert x.new(2, 3).shape == (2, 3) and x.new([1, 2]).dtype == x.dtype
    i, ti = mg.tensor([12, 18, 7]), torch.tensor([12, 18, 7])
    i.gcd_(mg.tensor([8, 12, 0])).lcm_(mg.tensor([3, 4, 2]))
    ti.gcd_(torch.tensor([8, 12, 0])).lcm_(torch.tensor([3, 4, 2]))
    assert i.tolist() == ti.tolist()


def test_apply_map_resize_match_torch(torch: Any) -> None:
    for lib in (mg, torch):
        a = lib.tensor([1.0, 2.0, 3.0]).apply_(lambda v: v * v + 1)
        b = lib.tensor([1.0, 2.0]).map_(lib.tensor([3.0, 4.0]), lambda p, q: p - q)
        c = lib.tensor([1.0, 2.0, 3.0, 4.0]).resize_(2, 2)
        d = lib.tensor([1.0, 2.0, 3.0]).resize_as_(lib.zeros(1, 2))
        if lib is mg:
            mine = (a, b, c, d)
    for m, t in zip(mine, (a, b, c, d), strict=True):
        assert m.tolist() == t.tolist()
    with pytest.raises(RuntimeError, match="requires grad"):
        mg.tensor([1.0], requires_grad=True).resize_(2)
    p, tp = _pair(torch, Y)
    p.put_(mg.tensor([0, 5]), mg.tensor([7.0, 8.0]), accumulate=True)
    tp.put_(torch.tensor([0, 5]), torch.tensor([7.0, 8.0], dtype=torch.float64), accumulate=True)
    _same(p, tp)
