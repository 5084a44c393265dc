"""Helpers shared by several test files (import as `from tests.helpers import ...`): toy custom
Functions, and a check that two implementations are the same function."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import minigrad as mg


def assert_same_function(fused: Callable, composed: Callable, *arrays: np.ndarray) -> None:
    """Same values, gradients and second derivatives (of a random projection of the
    gradients) for fused(*xs) and composed(*xs)."""
    rng = np.random.default_rng(0)
    results = []
    for fn in (fused, composed):
        xs = [mg.Tensor(a, requires_grad=True) for a in arrays]
        out = fn(*xs)
        g = mg.Tensor(rng.standard_normal(out.shape))
        grads = mg.grad(out, xs, g, create_graph=True)
        inner = sum((d * mg.Tensor(rng.standard_normal(d.shape))).sum() for d in grads)
        second = mg.grad(inner, xs, allow_unused=True)
        second = [np.zeros(x.shape) if s is None else s.array for s, x in zip(second, xs,
                                                                             strict=True)]
        results.append([out.array, *(d.array for d in grads), *second])
        rng = np.random.default_rng(0)  # the same g and projection for both
    for k, (f, c) in enumerate(zip(*results, strict=True)):
        np.testing.assert_allclose(f, c, rtol=1e-9, atol=1e-10, err_msg=f"result {k}")


# *** toy custom Functions ***
class NumpySquare(mg.Function):
    """x^2 with a numpy backward: right, but differentiable only once."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.array**2

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x.array * g.array


class TensorCube(mg.Function):
    """x^3 with a backward made of Tensor ops: differentiable again."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.array**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x
