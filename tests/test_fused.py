"""Each fused backward op of minigrad/ops/fused.py against its composed form, the same formula
written with plain Tensor ops: same value, gradient and second derivative. These tests are what
make the fused ops a pure speed layer (see that module's header)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad.ops.fused import CrossEntropyGrad, LinearGrad, SigmoidGrad
from minigrad.testing import strategies as S
from tests.helpers import assert_same_function

few = settings(max_examples=max(settings().max_examples // 2, 5))


def flat(*tensors: mg.Tensor) -> mg.Tensor:
    """Several outputs as one vector, so a multi-output op compares as one function."""
    return mg.cat([t.reshape(-1) for t in tensors])


@few
@given(st.data())
def test_sigmoid_grad_equals_its_composition(data):
    g = data.draw(S.arrays(S.shapes(0, 3)))
    s = data.draw(S.arrays(g.shape, st.floats(0.01, 0.99)))
    assert_same_function(SigmoidGrad.apply, lambda g, s: g * s * (1 - s), g, s)


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
        rows_g, rows_x = g.reshape(-1, n_out), x.reshape(-1, n_in)
        return flat(rows_g.mT @ rows_x, rows_g.sum(0), *(g @ w for w in weight))

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
        onehot = mg.Tensor(np.eye(c)[classes])

    def fused(logits, g, *soft_target):
        y = soft_target[0] if soft else mg.Tensor(classes)
        probs = mg.softmax(logits, 1).data
        return CrossEntropyGrad.apply(logits, y, g, factor, probs)

    def composed(logits, g, *soft_target):
        y = soft_target[0] if soft else onehot
        scale = (g.reshape(-1, 1) if g.ndim else g) * factor
        return (mg.softmax(logits, 1) * y.sum(1, keepdim=True) - y) * scale

    assert_same_function(fused, composed, logits, g, *([target] if soft else []))
