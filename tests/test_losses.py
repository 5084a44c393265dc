"""Losses, F.normalize, F.pad and attention beyond the op table: the module forms against
torch's, the fused cross-entropy path pinned to the composed one, edge cases (all targets
ignored, fully masked attention rows) and the errors PyTorch users expect."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.testing import gradcheck

RNG = np.random.default_rng(0)


def _close(mine: mg.Tensor, ref: Any) -> None:
    assert mine.shape == tuple(ref.shape)
    np.testing.assert_allclose(mine.array, ref.detach().numpy(), rtol=1e-7, atol=1e-10)


# *** wrong result 5 ***
def test_normalize_divides_by_the_p_norm(torch: Any) -> None:
    """F.normalize(x, 1) used to standardise like layer norm; now it is PyTorch's."""
    x = RNG.standard_normal((3, 4))
    for args in [(1,), (2,), (3.0, 0), (float("inf"), -1)]:
        _close(F.normalize(mg.tensor(x), *args), torch.nn.functional.normalize(torch.tensor(x),
                                                                               *args))


def test_normalize_of_a_zero_row_is_zero_with_zero_gradient(torch: Any) -> None:
    x = mg.tensor(np.zeros((2, 3)), requires_grad=True)
    out = F.normalize(x)
    assert not np.isnan(out.array).any() and (out.array == 0).all()
    out.sum().backward()
    ref_x = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.normalize(ref_x).sum().backward()
    np.testing.assert_array_equal(x.grad.array, ref_x.grad.numpy())


def test_layer_norm_still_standardises(torch: Any) -> None:
    x = RNG.standard_normal((2, 5))
    _close(nn.LayerNorm(5, dtype=np.float64)(mg.tensor(x)),
           torch.nn.LayerNorm(5, dtype=torch.float64)(torch.tensor(x)))


# *** cross-entropy and nll ***
def test_fused_cross_entropy_path_matches_the_composed_one() -> None:
    """The fast path (2-D input, class indices, no options) is pinned to the general one
    (forced here by a weight of ones)."""
    x = RNG.standard_normal((5, 4))
    target = mg.tensor(RNG.integers(0, 4, 5))
    for reduction in ("mean", "sum", "none"):
        a, b = mg.tensor(x, requires_grad=True), mg.tensor(x, requires_grad=True)
        fast = F.cross_entropy(a, target, reduction=reduction)
        slow = F.cross_entropy(b, target, mg.ones(4, dtype=np.float64), reduction=reduction)
        np.testing.assert_allclose(fast.array, slow.array, rtol=1e-12)
        fast.sum().backward()
        slow.sum().backward()
        np.testing.assert_allclose(a.grad.array, b.grad.array, rtol=1e-12, atol=1e-15)


def test_default_ignore_index_is_honoured_on_the_fast_path(torch: Any) -> None:
    x = RNG.standard_normal((3, 4))
    target = np.array([1, -100, 2])
    _close(F.cross_entropy(mg.tensor(x), mg.tensor(target)),
           torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(target)))


def test_all_targets_ignored_gives_nan_as_torch(torch: Any) -> None:
    x = RNG.standard_normal((2, 3))
    target = np.array([-100, -100])
    out = F.nll_loss(mg.tensor(x), mg.tensor(target))
    ref = torch.nn.functional.nll_loss(torch.tensor(x), torch.tensor(target))
    assert np.isnan(out.item()) and np.isnan(ref.item())


@pytest.mark.parametrize("target, error, message", [
    ([0, 3], IndexError, "target 3 is out of bounds for 3 classes"),
    ([[0, 1]], ValueError, "target of shape"),
    ([0.5, 0.5], ValueError, "probability target"),
])
def test_cross_entropy_refuses_bad_targets(target: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        F.cross_entropy(mg.zeros(2, 3), mg.tensor(target), weight=mg.ones(3))


@pytest.mark.filterwarnings("error")
def test_rows_of_infinities_give_nan_without_a_warning(torch: Any) -> None:
    """A row of -inf (or one with +inf) has no finite shift: torch gives nan there, silently,
    and the other rows as usual."""
    rows = np.array([[-np.inf] * 3, [1, 2, 3], [np.inf, 1, 2]], np.float32)
    x, xt, target = mg.tensor(rows), torch.tensor(rows), [0, 1, 2]
    for mine, theirs in [(x.softmax(1), xt.softmax(1)), (x.log_softmax(1), xt.log_softmax(1)),
                         (F.cross_entropy(x, mg.tensor(target), reduction="none"),
                          torch.nn.functional.cross_entropy(xt, torch.tensor(target),
                                                            reduction="none"))]:
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-6)


def test_cross_entropy_checks_its_options() -> None:
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(mg.zeros(2, 3), mg.tensor([0, 1]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="weight must have one value per class"):
        F.cross_entropy(mg.zeros(2, 3), mg.tensor([0, 1]), weight=mg.ones(2))
    with pytest.raises(ValueError, match="reduction"):
        F.nll_loss(mg.zeros(2, 3), mg.tensor([0, 1]), reduction="avg")


# *** module forms ***
def _weights() -> np.ndarray:
    return np.array([0.5, 1.0, 2.0])


MODULES = [
    ("CrossEntropyLoss", {"weight": _weights(), "ignore_index": 1, "label_smoothing": 0.1},
     "classes"),
    ("CrossEntropyLoss", {"reduction": "sum"}, "classes"),
    ("NLLLoss", {"weight": _weights(), "reduction": "none"}, "classes"),
    ("BCELoss", {"weight": _weights()}, "probabilities"),
    ("BCEWithLogitsLoss", {"pos_weight": _weights()}, "probabilities"),
    ("L1Loss", {}, "pair"),
    ("SmoothL1Loss", {"beta": 0.5}, "pair"),
    ("HuberLoss", {"delta": 0.5, "reduction": "sum"}, "pair"),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True}, "pair"),
    ("CosineEmbeddingLoss", {"margin": 0.2}, "signed"),
    ("MarginRankingLoss", {"margin": 0.1}, "ranked"),
    ("CosineSimilarity", {"dim": 0}, "pair"),
]


def _module_inputs(kind: str) -> tuple[np.ndarray, ...]:
    x = RNG.standard_normal((4, 3))
    if kind == "classes":
        return x, np.array([0, 2, 1, 2])
    if kind == "probabilities":
        return 1 / (1 + np.exp(-x)), RNG.uniform(0, 1, (4, 3))
    if kind == "pair":
        return x, RNG.standard_normal((4, 3))
    if kind == "signed":
        return x, RNG.standard_normal((4, 3)), np.array([1.0, -1.0, -1.0, 1.0])
    return x[:, 0], x[:, 1], np.array([1.0, -1.0, 1.0, -1.0])


@pytest.mark.parametrize("name, kwargs, kind", MODULES, ids=[m[0] for m in MODULES])
def test_loss_modules_match_torch(name: str, kwargs: dict, kind: str, torch: Any) -> None:
    arrays = _module_inputs(kind)
    mine_kwargs = {k: mg.tensor(v) if isinstance(v, np.ndarray) else v
                   for k, v in kwargs.items()}
    ref_kwargs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                  for k, v in kwargs.items()}
    inputs = [mg.tensor(a, requires_grad=a.dtype == np.float64 and i == 0)
              for i, a in enumerate(arrays)]
    ref_inputs = [torch.tensor(a, requires_grad=a.dtype == np.float64 and i == 0)
                  for i, a in enumerate(arrays)]
    out = getattr(nn, name)(**mine_kwargs)(*inputs)
    ref = getattr(torch.nn, name)(**ref_kwargs)(*ref_inputs)
    _close(out, ref)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(inputs[0].grad.array, ref_inputs[0].grad.numpy(), rtol=1e-7,
                               atol=1e-10)


def test_loss_module_weight_is_a_buffer() -> None:
    loss = nn.CrossEntropyLoss(weight=mg.tensor([1.0, 2.0]))
    assert list(loss.state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []


# *** padding ***
@pytest.mark.parametrize("mode, pad", [("reflect", (3, 0)), ("circular", (0, 4)),
                                       ("replicate", (1, 1, 1, 1, 1, 1))])
def test_pad_refuses_what_torch_refuses(mode: str, pad: tuple, torch: Any) -> None:
    data = np.zeros((1, 2, 3))
    with pytest.raises((RuntimeError, ValueError, NotImplementedError)):
        torch.nn.functional.pad(torch.tensor(data), pad, mode)
    with pytest.raises(ValueError, match="pad"):
        F.pad(mg.tensor(data), pad, mode)


def test_pad_constant_crops_and_fills(torch: Any) -> None:
    data = RNG.standard_normal((2, 3, 4))
    for pad in [(1, -2), (0, 0, -1, 2), (1, 1, 1, 1, 1, 1), (-1, -1)]:
        _close(F.pad(mg.tensor(data), pad, value=-3.0),
               torch.nn.functional.pad(torch.tensor(data), pad, value=-3.0))


# *** attention ***
def test_fully_masked_query_rows_give_zeros_and_zero_gradient(torch: Any) -> None:
    q, k, v = (RNG.standard_normal((1, 2, 3, 4)) for _ in range(3))
    mask = np.ones((3, 3), dtype=bool)
    mask[1] = False
    for m in (mask, np.where(mask, 0.0, -np.inf)):
        tensors = [mg.tensor(a, requires_grad=True) for a in (q, k, v)]
        refs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
        out = F.scaled_dot_product_attention(*tensors, attn_mask=mg.tensor(m))
        ref = torch.nn.functional.scaled_dot_product_attention(*refs, attn_mask=torch.tensor(m))
        _close(out, ref)
        assert (out.array[:, :, 1] == 0).all()
        out.sum().backward()
        ref.sum().backward()
        for mine, theirs in zip(tensors, refs, strict=True):
            np.testing.assert_allclose(mine.grad.array, theirs.grad.numpy(), rtol=1e-7,
                                       atol=1e-10)


def test_attention_with_a_masked_row_passes_gradcheck() -> None:
    q, k, v = (mg.tensor(RNG.standard_normal((2, 3, 2)), requires_grad=True) for _ in range(3))
    mask = mg.tensor(np.array([[True, False, True], [False] * 3, [True] * 3]))
    assert gradcheck(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, mask), (q, k, v))


def test_attention_refuses_mask_with_is_causal_and_bad_shapes() -> None:
    q = mg.zeros(1, 2, 3)
    with pytest.raises(ValueError, match="not both"):
        F.scaled_dot_product_attention(q, q, q, mg.ones(2, 2), is_causal=True)
    with pytest.raises(ValueError, match="do not fit"):
        F.scaled_dot_product_attention(q, mg.zeros(1, 2, 4), q)
    with pytest.raises(ValueError, match="query heads"):
        F.scaled_dot_product_attention(mg.zeros(1, 3, 2, 2), mg.zeros(1, 2, 2, 2),
                                       mg.zeros(1, 2, 2, 2), enable_gqa=True)


def test_attention_dropout_keeps_the_shape_and_zeroes_nothing_at_p0() -> None:
    q = mg.tensor(RNG.standard_normal((2, 3, 4)))
    a = F.scaled_dot_product_attention(q, q, q)
    b = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    assert a.shape == b.shape == (2, 3, 4)
    assert not np.allclose(a.array, b.array)


# *** linear algebra errors name the shapes ***
@pytest.mark.parametrize("call, message", [
    (lambda: mg.ops.mm(mg.zeros(2, 3), mg.zeros(4, 5)), r"mm: shapes \(2, 3\) and \(4, 5\)"),
    (lambda: mg.ops.bmm(mg.zeros(2, 3, 4), mg.zeros(3, 4, 5)), r"bmm: shapes \(2, 3, 4\)"),
    (lambda: mg.ops.mv(mg.zeros(2, 3), mg.zeros(2)), r"mv: shapes \(2, 3\) and \(2,\)"),
    (lambda: mg.ops.dot(mg.zeros(2), mg.zeros(3)), r"dot: .* shapes \(2,\) and \(3,\)"),
    (lambda: mg.ops.mm(mg.zeros(2), mg.zeros(2, 2)), r"mm: input must be a matrix"),
    (lambda: mg.ops.mm(mg.zeros(2, 2), mg.zeros(2, 2, dtype=np.float64)), "one dtype"),
])
def test_matrix_products_refuse_like_pytorch_naming_the_shapes(call: Any, message: str) -> None:
    with pytest.raises(RuntimeError, match=message):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: mg.ops.einsum("ij,jk->ik", mg.zeros(2, 3), mg.zeros(4, 5)), "subscript 'j'"),
    (lambda: mg.ops.einsum("ij->ijk", mg.zeros(2, 3)), "output subscript 'k'"),
    (lambda: mg.ops.einsum("ijk->i", mg.zeros(2, 3)), "do not fit"),
    (lambda: mg.ops.tensordot(mg.zeros(2, 3), mg.zeros(2, 3), 1), "do not pair up"),
])
def test_einsum_and_tensordot_errors_name_the_shapes(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_einsum_accepts_a_list_and_broadcasts_ellipsis(torch: Any) -> None:
    a, b = RNG.standard_normal((2, 1, 3, 4)), RNG.standard_normal((5, 4, 2))
    _close(mg.ops.einsum("...ij,...jk", [mg.tensor(a), mg.tensor(b)]),
           torch.einsum("...ij,...jk", [torch.tensor(a), torch.tensor(b)]))


def test_bce_with_logits_saturated_gradients_are_pytorchs(torch):
    """sigmoid(x) - y rounds to 0 for large x in float32 (and is 2e-9 at x = -20 with y = 0):
    the same numbers as PyTorch, not those of the composed formula."""
    x = np.array([5.0, 17.0, 20.0, 90.0, -20.0, -90.0], dtype=np.float32)
    for target in (np.ones_like(x), np.zeros_like(x)):
        for pos_weight in (None, np.array([2.0], np.float32)):
            grads = []
            for lib in (mg, torch):
                t = lib.tensor(x, requires_grad=True)
                extra = {} if pos_weight is None else {"pos_weight": lib.tensor(pos_weight)}
                loss = lib.nn.functional.binary_cross_entropy_with_logits(
                    t, lib.tensor(target), **extra)
                loss.backward()
                grads.append((loss.item(), t.grad.numpy()))
            assert grads[0][0] == pytest.approx(grads[1][0], rel=1e-6)
            np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-6, atol=0)


def test_bce_at_probabilities_zero_and_one_has_pytorchs_finite_gradients(torch):
    p = np.array([0.0, 1.0, 0.5, 1e-30, 1 - 1e-8, 0.0, 1.0], np.float32)
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0], np.float32)
    results = []
    for lib in (mg, torch):
        a, t = lib.tensor(p, requires_grad=True), lib.tensor(y, requires_grad=True)
        loss = lib.nn.functional.binary_cross_entropy(a, t, reduction="none")
        loss.sum().backward()
        results.append([loss.detach().numpy(), a.grad.numpy(), t.grad.numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_every_target_ignored_gives_nan_loss_and_zero_gradients(torch, smoothing):
    logp = np.log(np.array([[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]], np.float32))
    for lib in (mg, torch):
        x = lib.tensor(logp, requires_grad=True)
        for loss in (lib.nn.functional.nll_loss(x, lib.tensor([1, 1]), ignore_index=1),
                     lib.nn.functional.cross_entropy(x, lib.tensor([1, 1]), ignore_index=1,
                                                     label_smoothing=smoothing)):
            loss.backward()
            assert np.isnan(loss.item()) and (x.grad.numpy() == 0).all()


def test_atan2_gradient_at_the_origin_is_zero_as_in_pytorch(torch):
    for lib in (mg, torch):
        a = lib.tensor([0.0, 1.0, 0.0], requires_grad=True)
        b = lib.tensor([0.0, 0.0, 2.0], requires_grad=True)
        lib.atan2(a, b).sum().backward()
        assert a.grad.tolist() == [0.0, 0.0, 0.5] and b.grad.tolist() == [0.0, -1.0, 0.0]


def test_bce_refuses_nan_probabilities_as_pytorch_does():
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\].*and nan"):
        mg.nn.functional.binary_cross_entropy(mg.tensor([0.5, float("nan")]),
                                              mg.tensor([1.0, 0.0]))
