"""Each fused backward op of minigrad/ops/fused.py against its composed form, the same formula
written with plain Tensor ops: same value, gradient and second derivative; and a network whose
plain ops run with the composed forms instead gets the same derivatives. These tests are what
make the fused ops a pure speed layer (see that module's header)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops import fused
from minigrad.ops.fused import CrossEntropyGrad, LinearGrad, SigmoidGrad
from minigrad.testing import strategies as S
from tests.helpers import assert_same_function

few = settings(max_examples=max(settings().max_examples // 2, 5))


def flat(*tensors: mg.Tensor) -> mg.Tensor:
    """Several outputs as one vector, so a multi-output op compares as one function."""
    return mg.cat([t.reshape(-1) for t in tensors])


# *** the composed forms: each fused op's formula with plain Tensor ops, same arguments ***
class ComposedSigmoidGrad:
    @staticmethod
    def apply(g, s):
        return g * s * (1 - s)


class ComposedLinearGrad:
    @staticmethod
    def apply(g, x, weight):
        """(g^T x, sum of g, g W), leading dims merged into the rows."""
        rows_g, rows_x = g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1])
        grads = (rows_g.mT @ rows_x, rows_g.sum(0))
        return grads if weight is None else (*grads, g @ weight)


class ComposedCrossEntropyGrad:
    @staticmethod
    def apply(logits, target, g, factor, probs):
        """(softmax(logits) sum(y) - y) * g * factor, g one value per example for 'none'."""
        y = target
        if target.dtype.kind in "iu":
            y = mg.Tensor(np.eye(logits.shape[1], dtype=logits.dtype)[target.array])
        scale = (g.reshape(-1, 1) if g.ndim else g) * factor
        return (mg.softmax(logits, 1) * y.sum(1, keepdim=True) - y) * scale


@few
@given(st.data())
def test_sigmoid_grad_equals_its_composition(data):
    g = data.draw(S.arrays(S.shapes(0, 3)))
    s = data.draw(S.arrays(g.shape, st.floats(0.01, 0.99)))
    assert_same_function(SigmoidGrad.apply, ComposedSigmoidGrad.apply, g, s)


@few
@given(st.data(), st.booleans(), st.booleans())
def test_linear_grad_equals_its_composition(data, batched, with_weight):
    """(g^T x, sum of g, g W), leading dims merged into the rows."""
    lead = (2, 3) if batched else (3,)
    n_out, n_in = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    g, x = data.draw(S.arrays((*lead, n_out))), data.draw(S.arrays((*lead, n_in)))
    weight = data.draw(S.arrays((n_out, n_in)))

    def fused(g, x, *weight):
        return flat(*LinearGrad.apply(g, x, weight[0] if weight else None))

    def composed(g, x, *weight):
        return flat(*ComposedLinearGrad.apply(g, x, weight[0] if weight else None))

    assert_same_function(fused, composed, g, x, *([weight] if with_weight else []))


@few
@given(st.data(), st.booleans(), st.sampled_from(["mean", "sum", "none"]))
def test_cross_entropy_grad_equals_its_composition(data, soft, reduction):
    """(softmax(logits) sum(y) - y) * g * factor, g one value per example for 'none'."""
    logits = data.draw(S.arrays(st.tuples(st.integers(1, 4), st.integers(2, 4))))
    n, c = logits.shape
    g = data.draw(S.arrays((n,) if reduction == "none" else ()))
    factor = 1.0 / n if reduction == "mean" else 1.0
    if soft:
        target = data.draw(S.probabilities((n, c)))
    else:
        classes = data.draw(S.class_targets(n, c))

    def fused(logits, g, *soft_target):
        y = soft_target[0] if soft else mg.Tensor(classes)
        return CrossEntropyGrad.apply(logits, y, g, factor, mg.softmax(logits, 1).array)

    def composed(logits, g, *soft_target):
        y = soft_target[0] if soft else mg.Tensor(classes)
        return ComposedCrossEntropyGrad.apply(logits, y, g, factor, None)

    assert_same_function(fused, composed, logits, g, *([target] if soft else []))


def derivatives(soft: bool) -> list[np.ndarray]:
    """Loss, gradients and second derivatives (of a random projection of the gradients) of a
    small sigmoid MLP with cross-entropy: Linear, Sigmoid and CrossEntropy all run backward."""
    rng = np.random.default_rng(5)
    shapes = [(4, 3), (5, 3), (5,), (2, 5), (2,)]
    xs = [mg.Tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    target = rng.dirichlet(np.ones(2), 4) if soft else rng.integers(0, 2, 4)
    x, w1, b1, w2, b2 = xs
    loss = F.cross_entropy(F.linear(F.linear(x, w1, b1).sigmoid(), w2, b2), target)
    grads = mg.grad(loss, xs, create_graph=True)
    inner = sum((d * mg.Tensor(rng.standard_normal(d.shape))).sum() for d in grads)
    second = mg.grad(inner, xs)
    return [loss.array, *(d.array for d in grads), *(d.array for d in second)]


@pytest.mark.parametrize("soft", [False, True])
def test_plain_ops_are_correct_without_the_fused_ops(monkeypatch, soft):
    """Swap each fused op for its composed form: the network's derivatives do not change."""
    with_fused = derivatives(soft)
    monkeypatch.setattr(fused, "SigmoidGrad", ComposedSigmoidGrad)
    monkeypatch.setattr(fused, "LinearGrad", ComposedLinearGrad)
    monkeypatch.setattr(fused, "CrossEntropyGrad", ComposedCrossEntropyGrad)
    without = derivatives(soft)
    for k, (a, b) in enumerate(zip(with_fused, without, strict=True)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"result {k}")


@pytest.mark.parametrize("batch_major", [False, True])
@pytest.mark.parametrize("lead", [(5,), (2, 3)])
def test_linear_gives_torchs_numbers_in_either_layout(monkeypatch, torch, batch_major, lead):
    """Linear computes x W^T directly from ops.linalg.FEATURE_MAJOR_BELOW rows on, as (W x^T)^T
    below: both layouts give torch's values, gradients and second derivatives."""
    from minigrad.ops import linalg

    monkeypatch.setattr(linalg, "FEATURE_MAJOR_BELOW", 1 if batch_major else 10**9)
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in ((*lead, 4), (3, 4), (3,), (2, 3), (2,))]

    def run(lib, wrap):
        x, w1, b1, w2, b2 = (wrap(a) for a in arrays)
        h = lib.sigmoid(lib.nn.functional.linear(x, w1, b1))
        loss = (lib.nn.functional.linear(h, w2, b2) ** 2).sum()
        grads = lib.autograd.grad(loss, [x, w1, b1, w2, b2], create_graph=True)
        second = lib.autograd.grad(sum((g * g).sum() for g in grads), [x, w1])
        return [t.detach().numpy() for t in (loss, *grads, *second)]

    ours = run(mg, lambda a: mg.tensor(a, requires_grad=True))
    theirs = run(torch, lambda a: torch.tensor(a, requires_grad=True))
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
