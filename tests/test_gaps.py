"""Known differences from PyTorch 2.13, closed: each case compared with torch."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

INF = float("inf")


# *** gelu at infinities, nan and huge values ***
GELU_VALUES = [INF, -INF, float("nan"), 1e30, -1e30, 3e38, -3e38, 0.5, -2.0, 0.0]


@pytest.mark.parametrize("approximate", ["none", "tanh"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", ["one", "many", "strided"])
def test_gelu_extremes_match_torch(torch, approximate, dtype, shape):
    """Values, gradient and second derivative as torch's, which (for float32 'none') computes
    a contiguous tensor of several elements with oneDNN: gelu(inf) = nan, gelu(3e38) = inf."""
    values = np.array(GELU_VALUES, dtype=dtype)
    if shape == "one":
        arrays = [values[i:i + 1] for i in range(len(values))]
    elif shape == "many":
        arrays = [values]
    else:
        arrays = [np.stack([values, values])]
    with np.errstate(all="ignore"):
        for a in arrays:
            leaf = mg.tensor(a.copy(), requires_grad=True)
            tleaf = torch.tensor(a.copy(), requires_grad=True)
            # a transposed view is not contiguous: torch then does not use oneDNN
            x, tx = (leaf.t(), tleaf.t()) if shape == "strided" else (leaf, tleaf)
            y = F.gelu(x, approximate=approximate)
            ty = torch.nn.functional.gelu(tx, approximate=approximate)
            (g,) = mg.autograd.grad(y.sum(), leaf, create_graph=True)
            (tg,) = torch.autograd.grad(ty.sum(), tleaf, create_graph=True)
            (gg,) = mg.autograd.grad(g.sum(), leaf)
            (tgg,) = torch.autograd.grad(tg.sum(), tleaf)
            for ours, theirs in [(y, ty), (g, tg), (gg, tgg)]:
                np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(),
                                           rtol=1e-5, atol=1e-7)
