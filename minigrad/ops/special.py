"""Special functions of torch.special that numpy lacks: the modified Bessel functions of the
first kind I0 and I1, their exponentially scaled forms i0e = e^-|x| I0 and i1e = e^-|x| I1, and
the scaled complementary error function erfcx = e^(x^2) erfc(x). Computed in float64 with numpy
alone (power series and asymptotic expansions), then cast to the input's dtype; every backward
is written with these ops, so they differentiate again."""

from __future__ import annotations

import math

import numpy as np

from minigrad.function import Function
from minigrad.ops.elementwise import abs, sign, where
from minigrad.ops.math import (
    _ERFCX,
    _floating,
    _horner,
    _power_coefficients,
    _quiet,
    erfcx_fraction,
)
from minigrad.tensor import Tensor

# *** the modified Bessel functions, scaled: e^-x I_nu(x) for x >= 0 and nu in {0, 1} ***
_SERIES_LIMIT = 30.0  # the power series below it, the asymptotic expansion above
_SERIES_TERMS = 90  # (x/2)^2k / (k! (k + nu)!) at x = 30 falls below 1e-17 of the sum by then
_ASYMPTOTIC_TERMS = 30  # the k-th term is ~ k! / (2x)^k at x > 30: below 1e-20 by then


def _scaled_bessel(nu: int, x: np.ndarray) -> np.ndarray:
    """e^-x I_nu(x) for x >= 0 in float64: sum_k (x/2)^(2k+nu) / (k! (k+nu)!) e^-x up to 30, the
    asymptotic 1/sqrt(2 pi x) sum_k (-1)^k a_k(nu) / x^k above, where
    a_k(nu) = prod_{j<=k} (4 nu^2 - (2j - 1)^2) / (k! 8^k). nan stays nan, inf gives the limit
    0 (or 1/sqrt(2 pi x) -> 0)."""
    x = np.asarray(x, np.float64)
    near = x <= _SERIES_LIMIT
    out = np.empty_like(x)
    small = x[near]
    quarter = small * small / 4
    term = (small / 2) ** nu / math.factorial(nu)
    total = term.copy()
    for k in range(1, _SERIES_TERMS):
        term = term * quarter / (k * (k + nu))
        total += term
    out[near] = total * np.exp(-small)
    big = x[~near]
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.ones_like(big)
        total = term.copy()
        for k in range(1, _ASYMPTOTIC_TERMS):
            term = term * -(4 * nu * nu - (2 * k - 1) ** 2) / (8 * k * big)  # (-1)^k in it
            total += term
        out[~near] = np.where(np.isinf(big), 0.0, total / np.sqrt(2 * math.pi * big))
    return out


def _bessel_array(nu: int, scaled: bool, x: np.ndarray) -> np.ndarray:
    """I_nu(x), or e^-|x| I_nu(x) when scaled, in x's dtype: I0 is even, I1 odd. Unscaled, as
    torch's e^|x| times the scaled value: inf where e^|x| overflows in x's dtype (float32 for
    float16), nan at +-inf."""
    ax = np.abs(x.astype(np.float64))
    out = _scaled_bessel(nu, ax)
    if not scaled:
        compute = np.float64 if x.dtype == np.float64 else np.float32
        grows = _quiet(lambda a: np.exp(a.astype(compute)), ax)
        out = np.where(np.isinf(grows), np.where(np.isinf(ax), np.nan, np.inf),
                       _quiet(lambda a, s: s * np.exp(a), ax, out))
    if nu == 1:
        out = np.copysign(out, x)
    return _quiet(lambda o: np.where(np.isnan(x), np.nan, o).astype(x.dtype), out)


class ModifiedBessel(Function):
    @staticmethod
    def forward(ctx, x, nu, scaled):
        """I_nu(x) (nu 0 or 1), or e^-|x| I_nu(x) when scaled."""
        ctx.save_for_backward(x)
        ctx.nu, ctx.scaled = nu, scaled
        return _bessel_array(nu, scaled, x.array)

    @staticmethod
    def backward(ctx, g):
        """d/dx I0 = I1, d/dx i0e = i1e - sign(x) i0e; d/dx I1 = I0 - I1 / x and
        d/dx i1e = i0e - i1e (sign(x) + 1/x), both 1/2 at 0"""
        (x,) = ctx.saved_tensors
        if ctx.nu == 0:
            return g * (i1e(x) - sign(x) * i0e(x) if ctx.scaled else i1(x)), None, None
        # near 0, I1(x) / x loses its digits (to 0 for subnormal x): the Taylor series there,
        # 1/2 + 3x^2/16 and 1/2 - |x| + 15x^2/16, exact to rounding for |x| < 1e-5
        near = Tensor._make(np.abs(x.array) < 1e-5)
        safe_x = where(near, 1.0, x)
        if ctx.scaled:
            slope = where(near, 0.5 - abs(x) + 0.9375 * x * x,
                          i0e(x) - i1e(safe_x) * (sign(safe_x) + 1 / safe_x))
        else:
            slope = where(near, 0.5 + 0.1875 * x * x, i0(x) - i1(safe_x) / safe_x)
        return g * slope, None, None


def i0(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind of order 0: sum_k (x/2)^2k / (k!)^2."""
    return ModifiedBessel.apply(_floating(input), 0, False)


def i0e(input: Tensor) -> Tensor:
    """e^-|x| I0(x), finite for every x (I0 overflows past |x| ~ 713)."""
    return ModifiedBessel.apply(_floating(input), 0, True)


def i1(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind of order 1:
    sum_k (x/2)^(2k+1) / (k! (k+1)!)."""
    return ModifiedBessel.apply(_floating(input), 1, False)


def i1e(input: Tensor) -> Tensor:
    """e^-|x| I1(x), finite for every x."""
    return ModifiedBessel.apply(_floating(input), 1, True)


# *** erfcx ***
# e^(x^2) erfc(x) on [0, 2] as a polynomial (fitted once at import from the standard library's
# erfc, as ops.math's erf); ops.math's fit covers [2, 6] and its continued fraction x >= 6
_ERFCX_NEAR = _power_coefficients(lambda x: math.exp(x * x) * math.erfc(x), 0, 2, 26)


def erfcx_array(x: np.ndarray) -> np.ndarray:
    """e^(x^2) erfc(x) without overflow for x >= 0; 2 e^(x^2) - erfcx(-x) below 0 (inf below
    ~ -26.6, as torch)."""
    a = np.abs(x.astype(np.float64))
    out = np.empty_like(a)
    near, middle = a < 2, (a >= 2) & (a < 6)
    far = ~(near | middle)
    out[near] = _horner(_ERFCX_NEAR, a[near] - 1)
    out[middle] = _horner(_ERFCX, (a[middle] - 4) / 2)
    out[far] = erfcx_fraction(a[far])
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.where(x < 0, 2 * np.exp(a * a) - out, out)
        return np.where(np.isnan(x), np.nan, out).astype(x.dtype)


class Erfcx(Function):
    @staticmethod
    def forward(ctx, x):
        out = erfcx_array(x.array)
        ctx.save_for_backward(x)
        return out

    @staticmethod
    def backward(ctx, g):
        """d/dx erfcx = 2 x erfcx(x) - 2 / sqrt(pi)"""
        (x,) = ctx.saved_tensors
        return g * (2 * x * erfcx(x) - 2 / math.sqrt(math.pi))


def erfcx(input: Tensor) -> Tensor:
    """The scaled complementary error function e^(x^2) erfc(x), finite for large x where erfc
    underflows."""
    return Erfcx.apply(_floating(input))
