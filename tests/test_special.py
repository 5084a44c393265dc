"""minigrad.special (torch.special): values and gradients against PyTorch, including the
ranges where the naive formulas underflow (log_ndtr far in the tail) or give 0 * log 0."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import gradcheck

POINTS = [-40.0, -12.0, -10.5, -9.5, -3.0, -0.2, 0.0, 0.5, 3.0, 9.0]
CASES = {
    "log_ndtr": (POINTS,),
    "ndtr": (POINTS,),
    "ndtri": ([0.001, 0.1, 0.5, 0.9, 0.999],),
    "entr": ([-1.0, 0.0, 1e-30, 0.5, 1.0, 3.0],),
    "xlog1py": ([0.0, 2.0, 0.0, -1.5, 1.0], [-1.0, 3.0, float("nan"), 0.5, -0.9]),
    "expit": (POINTS,),
    "gammaln": ([0.5, 1.0, 2.5, 10.0],),
    "psi": ([0.5, 1.0, 2.5, 10.0],),
    "xlogy": ([0.0, 2.0, 1.0], [0.0, 3.0, 0.5]),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_special_matches_torch(torch, name: str, dtype: str) -> None:
    args = CASES[name]
    mine = [mg.tensor(a, dtype=getattr(mg, dtype), requires_grad=True) for a in args]
    theirs = [torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=True) for a in args]
    out, expected = getattr(mg.special, name)(*mine), getattr(torch.special, name)(*theirs)
    tol = 1e-5 if dtype == "float32" else 1e-8
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=tol,
                               atol=tol)
    out.sum().backward()
    expected.sum().backward()
    for a, b in zip(mine, theirs):  # torch's float32 gradient far in the tail is 2e-5 off
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=10 * tol, atol=tol)


@pytest.mark.parametrize("name", ["log_ndtr", "ndtr", "ndtri", "entr"])
def test_special_gradcheck(name: str) -> None:
    x = mg.tensor([0.12, 0.35, 0.61, 0.83], dtype=mg.float64, requires_grad=True)
    assert gradcheck(getattr(mg.special, name), (x,))


def test_log_ndtr_gradcheck_in_both_tails() -> None:
    x = mg.tensor([-30.0, -11.0, -4.0, 2.0, 7.0], dtype=mg.float64, requires_grad=True)
    assert gradcheck(mg.special.log_ndtr, (x,))


def test_special_reachable_as_torch_special() -> None:
    import minigrad.special as special
    assert mg.special is special
    assert special.gammaln is mg.lgamma
    assert special.expit(mg.tensor([0.5])).item() == mg.sigmoid(mg.tensor([0.5])).item()


def test_exp_overflow_and_logsumexp_of_minus_inf_do_not_warn() -> None:
    """torch prints no warning for e^1000 = inf or logsumexp over only -inf; neither does numpy
    underneath here."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mg.exp(mg.tensor([1000.0])).item() == float("inf")
        row = mg.tensor([[-float("inf"), -float("inf")], [0.0, -float("inf")]])
        assert mg.logsumexp(row, dim=1).tolist() == [-float("inf"), 0.0]
