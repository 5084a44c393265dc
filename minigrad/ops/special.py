"""Special functions of torch.special that numpy lacks: the modified Bessel functions of the
first kind I0 and I1, their exponentially scaled forms i0e = e^-|x| I0 and i1e = e^-|x| I1, the
scaled complementary error function erfcx = e^(x^2) erfc(x), the regularized incomplete gamma
functions and Hurwitz's zeta function. Computed in float64 with numpy
alone (power series and asymptotic expansions), then cast to the input's dtype; every backward
is written with these ops, so they differentiate again."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.function import Function
from minigrad.ops.elementwise import abs, exp, log, sign, where
from minigrad.ops.math import (
    _ERFCX,
    _float_operands,
    _floating,
    _horner,
    _lgamma_array,
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


# *** the regularized incomplete gamma functions ***
_TINY = 1e-300
_EPS = float(np.finfo(np.float64).eps)
_MAX_STEPS = 100_000  # both expansions take O(sqrt(a)) steps near x = a


def _igamma_arrays(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P, Q) = (gamma(a, x), Gamma(a, x)) / Gamma(a) in float64, with torch's (Cephes')
    edge values: nan for a < 0, x < 0 or a = x = 0; P = 1 for a = 0 or x = inf; P = 0 for
    x = 0 or a = inf. The power series of P where x < 1 or x < a, else the continued fraction of
    Q (modified Lentz), each times e^(a log x - x - lgamma(a))."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    P, Q = np.full(a.shape, np.nan), np.full(a.shape, np.nan)
    ok = (a >= 0) & (x >= 0)
    for where_, p in (((a == 0) & (x > 0), 1.0), (np.isinf(x) & np.isfinite(a) & (a > 0), 1.0),
                      ((x == 0) & (a > 0), 0.0), (np.isinf(a) & np.isfinite(x), 0.0)):
        P[ok & where_], Q[ok & where_] = p, 1.0 - p
    regular = ok & (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    series = regular & ((x < 1) | (x < a))
    fraction = regular & ~series
    with np.errstate(all="ignore"):
        if series.any():
            aa, xx = a[series], x[series]
            front = np.exp(aa * np.log(xx) - xx - _lgamma_array(aa))
            term, total, r = np.ones_like(aa), np.ones_like(aa), aa.copy()
            for _ in range(_MAX_STEPS):
                r += 1
                term *= xx / r
                total += term
                if (term <= total * _EPS).all():
                    break
            P[series] = front * total / aa
            Q[series] = 1 - P[series]
        if fraction.any():
            aa, xx = a[fraction], x[fraction]
            front = np.exp(aa * np.log(xx) - xx - _lgamma_array(aa))
            b = xx + 1 - aa
            c, d = np.full_like(aa, 1 / _TINY), 1 / b
            h = d.copy()
            for i in range(1, _MAX_STEPS):
                an = -i * (i - aa)
                b += 2
                d = an * d + b
                d = np.where(np.abs(d) < _TINY, _TINY, d)
                c = b + an / c
                c = np.where(np.abs(c) < _TINY, _TINY, c)
                d = 1 / d
                delta = d * c
                h *= delta
                if (np.abs(delta - 1) <= _EPS).all():
                    break
            Q[fraction] = front * h
            P[fraction] = 1 - Q[fraction]
    return P, Q


class Igamma(Function):
    @staticmethod
    def forward(ctx, a, x, upper):
        ctx.save_for_backward(a, x)
        ctx.upper = upper
        P, Q = _igamma_arrays(a.array, x.array)
        return (Q if upper else P).astype(np.result_type(a.array, x.array))

    @staticmethod
    def backward(ctx, g):
        """d/dx P(a, x) = -d/dx Q(a, x) = x^(a-1) e^-x / Gamma(a); no derivative in a (as torch:
        refused)"""
        a, x = ctx.saved_tensors
        name = "gammaincc" if ctx.upper else "gammainc"
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative of {name} for input (a) is not "
                                      f"implemented, as in torch")
        from minigrad.ops.math import lgamma
        slope = exp((a - 1) * log(x) - x - lgamma(a))
        return None, g * (-slope if ctx.upper else slope), None


def gammainc(input: Tensor, other: Tensor) -> Tensor:
    """The regularized lower incomplete gamma function P(a, x) = gamma(a, x) / Gamma(a), with
    a = input and x = other."""
    return Igamma.apply(*_float_operands(input, other), False)


def gammaincc(input: Tensor, other: Tensor) -> Tensor:
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    return Igamma.apply(*_float_operands(input, other), True)


# *** Hurwitz's zeta function ***
def _bernoulli_ratios(count: int) -> np.ndarray:
    """(2k)! / B_2k for k = 1..count (B the Bernoulli numbers), the Euler-Maclaurin divisors."""
    from fractions import Fraction
    numbers = [Fraction(1)]  # B_0, B_1, ... from sum_{j<=n} C(n+1, j) B_j = 0
    for n in range(1, 2 * count + 1):
        numbers.append(-sum(math.comb(n + 1, j) * numbers[j] for j in range(n)) / (n + 1))
    return np.array([float(math.factorial(2 * k) / numbers[2 * k])
                     for k in range(1, count + 1)])


_EULER_MACLAURIN = _bernoulli_ratios(12)


def _zeta_array(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """zeta(s, q) = sum_k (q + k)^-s for s > 1 by Euler-Maclaurin, as Cephes: the terms up to
    the first q + n > 9 with n >= 9, then the integral of the rest and up to 12 Bernoulli
    corrections (until they stop counting). inf at s = 1 and at the poles q = 0, -1, ...; nan
    for s < 1 and for q < 0 with s not an integer."""
    s, q = np.broadcast_arrays(np.asarray(s, np.float64), np.asarray(q, np.float64))
    out = np.full(s.shape, np.nan)
    with np.errstate(all="ignore"):
        pole = (s == 1) | ((q <= 0) & (q == np.floor(q)) & (s > 1))
        regular = (s > 1) & ~pole & ~((q < 0) & (s != np.floor(s))) & np.isfinite(q)
        out[pole] = np.inf
        endless = regular & np.isposinf(s)  # q^-s: 1 at q = 1, inf below; nan above, as torch
        out[endless] = np.where(q[endless] == 1, 1.0, np.where(q[endless] > 1, np.nan, np.inf))
        regular &= ~endless
        x, a = s[regular], q[regular]
        last = np.maximum(9, np.floor(9 - a) + 1)  # the last direct term's k
        total = np.zeros_like(x)
        for k in range(int(last.max()) + 1 if x.size else 0):
            total += np.where(k <= last, (a + k) ** -x, 0.0)
        w = a + last
        b = w ** -x
        total += b * w / (x - 1) - 0.5 * b
        rising, k, active = np.ones_like(x), 0.0, np.ones(x.shape, bool)
        for divisor in _EULER_MACLAURIN:
            rising *= x + k
            b = b / w
            t = rising * b / divisor
            total += np.where(active, t, 0.0)
            active &= np.abs(t) >= np.abs(total) * 1e-17
            k += 1
            rising *= x + k
            b = b / w
            k += 1
        out[regular] = total
    return out


class Zeta(Function):
    @staticmethod
    def forward(ctx, s, q):
        ctx.save_for_backward(s, q)
        return _zeta_array(s.array, q.array).astype(np.result_type(s.array, q.array))

    @staticmethod
    def backward(ctx, g):
        """d/dq zeta(s, q) = -s zeta(s + 1, q); none in s (as torch: refused)"""
        s, q = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative of zeta for input (s) is not "
                                      "implemented, as in torch")
        return None, -g * s * zeta(s + 1, q)


def zeta(input: Tensor, other: Tensor) -> Tensor:
    """Hurwitz's zeta function sum_k (other + k)^-input (Riemann's for other = 1)."""
    return Zeta.apply(*_float_operands(input, other))


def spherical_bessel_j0(input: Tensor) -> Tensor:
    """sin(x) / x (1 at 0), outside the graph as torch's (which has no derivative for it)."""
    x = _floating(input).array
    with np.errstate(all="ignore"):
        values = np.where(x == 0, 1.0, np.sin(x) / np.where(x == 0, 1.0, x))
        values = np.where(np.isinf(x), 0.0, values)
    return Tensor._make(values.astype(x.dtype))


# *** orthogonal polynomials (values only, outside the graph, as torch's) ***
def _recurrence(x: np.ndarray, n: np.ndarray, first: np.ndarray,
                step: Any) -> np.ndarray:
    """p_n(x) from p_0 = 1, p_1 = first and p_{k+1} = step(k, p_k, p_{k-1}), for each
    element's own n >= 0 (0 for n < 0)."""
    out = np.where(n == 0, 1.0, np.where(n == 1, first, 0.0))
    previous, current = np.ones_like(x), first
    for k in range(1, int(n.max(initial=0))):
        previous, current = current, step(k, current, previous)
        out = np.where(n == k + 1, current, out)
    return np.where(n < 0, 0.0, out)


def _chebyshev(kind: str, x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Chebyshev polynomials T, U, V, W by p_{k+1} = 2x p_k - p_{k-1}; at |x| = 1 their exact
    values, and for |x| < 1 past degree 6 (T) or 8 the trigonometric forms, as torch's."""
    first = {"t": x, "u": 2 * x, "v": 2 * x - 1, "w": 2 * x + 1}[kind]
    out = _recurrence(x, n, first, lambda k, p, q: 2 * x * p - q)
    odd = n % 2 == 1
    if kind == "t":
        edge = np.where((x > 0) | ~odd, 1.0, -1.0)
    elif kind == "u":
        edge = np.where((x > 0) | ~odd, n + 1.0, -(n + 1.0))
    elif kind == "v":
        edge = np.where(x > 0, 1.0, np.where(odd, -(2.0 * n + 1), 2.0 * n + 1))
    else:
        edge = np.where(x > 0, 2.0 * n + 1, np.where(odd, -1.0, 1.0))
    theta = np.arccos(np.clip(x, -1, 1))
    with np.errstate(all="ignore"):
        trig = {"t": np.cos(n * theta),
                "u": np.sin((n + 1) * theta) / np.sin(theta),
                "v": np.cos((n + 0.5) * theta) / np.cos(theta / 2),
                "w": np.sin((n + 0.5) * theta) / np.sin(theta / 2)}[kind]
    inside = (np.abs(x) < 1) & (n > (6 if kind == "t" else 8))
    out = np.where(inside & np.isfinite(trig), trig, out)
    return np.where((np.abs(x) == 1) & (n >= 0), edge, out)


_POLYNOMIALS = {
    "chebyshev_polynomial_t": lambda x, n: _chebyshev("t", x, n),
    "chebyshev_polynomial_u": lambda x, n: _chebyshev("u", x, n),
    "chebyshev_polynomial_v": lambda x, n: _chebyshev("v", x, n),
    "chebyshev_polynomial_w": lambda x, n: _chebyshev("w", x, n),
    "shifted_chebyshev_polynomial_t": lambda x, n: _chebyshev("t", 2 * x - 1, n),
    "shifted_chebyshev_polynomial_u": lambda x, n: _chebyshev("u", 2 * x - 1, n),
    "shifted_chebyshev_polynomial_v": lambda x, n: _chebyshev("v", 2 * x - 1, n),
    "shifted_chebyshev_polynomial_w": lambda x, n: _chebyshev("w", 2 * x - 1, n),
    # H_{k+1} = 2x H_k - 2k H_{k-1}, He_{k+1} = x He_k - k He_{k-1}
    "hermite_polynomial_h": lambda x, n: _recurrence(
        x, n, 2 * x, lambda k, p, q: 2 * x * p - 2 * k * q),
    "hermite_polynomial_he": lambda x, n: _recurrence(
        x, n, x, lambda k, p, q: x * p - k * q),
    # (k + 1) L_{k+1} = (2k + 1 - x) L_k - k L_{k-1}; (k + 1) P_{k+1} = (2k + 1) x P_k - k P_{k-1}
    "laguerre_polynomial_l": lambda x, n: _recurrence(
        x, n, 1 - x, lambda k, p, q: ((2 * k + 1 - x) * p - k * q) / (k + 1)),
    "legendre_polynomial_p": lambda x, n: np.where(
        (np.abs(x) == 1) & (n >= 0), np.where((x > 0) | (n % 2 == 0), 1.0, -1.0),
        _recurrence(x, n, x, lambda k, p, q: ((2 * k + 1) * x * p - k * q) / (k + 1))),
}


def polynomial(name: str, input: Any, n: Any) -> Tensor:
    """torch.special's polynomial `name` of degree n (truncated to an integer; 0 below 0) at
    input, elementwise with broadcasting; values only (torch's have no derivative)."""
    x, degree = _float_operands(input, n)
    xs, ns = np.broadcast_arrays(x.array.astype(np.float64),
                                 np.trunc(degree.array.astype(np.float64)))
    with np.errstate(all="ignore"):
        values = _POLYNOMIALS[name](xs, ns.astype(np.int64))
    return Tensor._make(np.asarray(values).astype(np.result_type(x.array, degree.array)))


# *** Bessel functions J0, J1, Y0, Y1 and K0, K1 (values only, outside the graph, as torch's) ***
_EULER_GAMMA = 0.5772156649015329
_HANKEL_FROM = 25.0  # above it the asymptotic (Hankel) expansions, below quadratures or series
_GAUSS_T, _GAUSS_W = np.polynomial.legendre.leggauss(80)  # nodes and weights on [-1, 1]


def _gauss(f: Any, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """int_low^high f(t) dt per element, by 80-point Gauss-Legendre."""
    half, mid = (high - low)[:, None] / 2, (high + low)[:, None] / 2
    return (f(mid + half * _GAUSS_T) * _GAUSS_W).sum(-1) * half[:, 0]


def _hankel(nu: float, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(J_nu, Y_nu) for x > 25: sqrt(2 / (pi x)) (P cos c - Q sin c, P sin c + Q cos c) with
    c = x - (nu / 2 + 1/4) pi and P, Q the even and odd parts of sum_k i^k a_k(nu) / x^k."""
    P, Q, term = np.ones_like(x), np.zeros_like(x), np.ones_like(x)
    for k in range(1, 40):
        term = term * (4 * nu * nu - (2 * k - 1) ** 2) / (8 * k * x)
        sign = -1.0 if k % 4 in (2, 3) else 1.0
        if k % 2:
            Q += sign * term
        else:
            P += sign * term
    phase = x - (nu / 2 + 0.25) * math.pi
    scale = np.sqrt(2 / (math.pi * x))
    return (scale * (P * np.cos(phase) - Q * np.sin(phase)),
            scale * (P * np.sin(phase) + Q * np.cos(phase)))


def _harmonic(count: int) -> np.ndarray:
    """H_0 .. H_{count-1} (H_k = 1 + 1/2 + ... + 1/k)."""
    return np.concatenate([[0.0], np.cumsum(1 / np.arange(1, count))])


def _bessel_j(nu: int, x: np.ndarray) -> np.ndarray:
    """J_nu(x) = (1 / 2pi) int_0^2pi cos(nu t - x sin t) dt (the trapezoid rule is exact to
    rounding on this periodic integrand with 128 points while |x| <= 25), Hankel above; J0 even,
    J1 odd, nan at +-inf and nan as torch."""
    ax = np.abs(x)
    out = np.full(x.shape, np.nan)
    near = ax <= _HANKEL_FROM
    t = 2 * math.pi * np.arange(128) / 128
    out[near] = np.cos(nu * t - ax[near, None] * np.sin(t)).mean(-1)
    far = (ax > _HANKEL_FROM) & np.isfinite(ax)
    out[far] = _hankel(nu, ax[far])[0]
    return np.where(x < 0, out * (-1) ** nu, out)


def _bessel_y(nu: int, x: np.ndarray) -> np.ndarray:
    """Y_nu(x) for x > 0: the series in J_nu log(x/2) up to x = 3; to 25
    (1/pi) int_0^pi sin(x sin t - nu t) dt - (1/pi) int_0^inf (e^(nu t) + (-1)^nu e^(-nu t))
    e^(-x sinh t) dt by Gauss-Legendre; Hankel above. -inf at 0, nan below 0."""
    out = np.full(x.shape, np.nan)
    out[x == 0] = -np.inf
    small = (x > 0) & (x <= 3)
    xs = x[small]
    quarter = xs * xs / 4
    harmonic = _harmonic(41)
    term = np.ones_like(xs)  # (x^2/4)^k / (k! (k + nu)!)
    if nu == 0:  # (2/pi) [(log(x/2) + gamma) J0 - sum_{k>=1} (-x^2/4)^k H_k / k!^2]
        total = np.zeros_like(xs)
        for k in range(1, 40):
            term = term * -quarter / (k * k)
            total -= term * harmonic[k]
        out[small] = 2 / math.pi * ((np.log(xs / 2) + _EULER_GAMMA) * _bessel_j(0, xs) + total)
    else:  # -2/(pi x) + (2/pi) log(x/2) J1 - (x/2pi) sum (-x^2/4)^k (psi(k+1) + psi(k+2)) / ..
        total = np.zeros_like(xs)
        for k in range(40):
            if k:
                term = term * -quarter / (k * (k + 1))
            total += term * (harmonic[k] + harmonic[k + 1] - 2 * _EULER_GAMMA)
        out[small] = (-2 / (math.pi * xs) + 2 / math.pi * np.log(xs / 2) * _bessel_j(1, xs)
                      - xs / (2 * math.pi) * total)
    middle = (x > 3) & (x <= _HANKEL_FROM)
    xm = x[middle]
    if xm.size:
        oscillating = _gauss(lambda t: np.sin(xm[:, None] * np.sin(t) - nu * t),
                             np.zeros_like(xm), np.full_like(xm, math.pi))
        decaying = _gauss(lambda t: (np.exp(nu * t) + (-1) ** nu * np.exp(-nu * t))
                          * np.exp(-xm[:, None] * np.sinh(t)),
                          np.zeros_like(xm), np.arcsinh(60 / xm))
        out[middle] = (oscillating - decaying) / math.pi
    far = (x > _HANKEL_FROM) & np.isfinite(x)
    out[far] = _hankel(nu, x[far])[1]
    return out


def _bessel_k_scaled(nu: int, x: np.ndarray) -> np.ndarray:
    """e^x K_nu(x) for x > 0: the series in I_nu log(x/2) up to x = 2, above it
    int_0^inf e^(-x (cosh t - 1)) cosh(nu t) dt by the trapezoid rule (exponentially accurate
    on this smooth, fast-decaying integrand) up to x (cosh T - 1) = 60. inf at 0, nan below,
    0 at inf."""
    out = np.full(x.shape, np.nan)
    out[x == 0] = np.inf
    out[np.isposinf(x)] = 0.0
    small = (x > 0) & (x <= 2)
    xs = x[small]
    quarter = xs * xs / 4
    harmonic = _harmonic(41)
    term = np.ones_like(xs)
    total = np.zeros_like(xs)
    if nu == 0:  # -(log(x/2) + gamma) I0 + sum_{k>=1} H_k (x^2/4)^k / k!^2
        for k in range(1, 40):
            term = term * quarter / (k * k)
            total += term * harmonic[k]
        value = -(np.log(xs / 2) + _EULER_GAMMA) * _bessel_array(0, False, xs) + total
    else:  # 1/x + log(x/2) I1 - (x/4) sum (psi(k+1) + psi(k+2)) (x^2/4)^k / (k! (k+1)!)
        for k in range(40):
            if k:
                term = term * quarter / (k * (k + 1))
            total += term * (harmonic[k] + harmonic[k + 1] - 2 * _EULER_GAMMA)
        value = 1 / xs + np.log(xs / 2) * _bessel_array(1, False, xs) - xs / 4 * total
    out[small] = value * np.exp(xs)
    big = (x > 2) & np.isfinite(x)
    out[big] = _k_scaled_integral(nu, x[big])
    return out


def _k_scaled_integral(nu: float, x: np.ndarray) -> np.ndarray:
    """e^x K_nu(x) = int_0^inf e^(-x (cosh t - 1)) cosh(nu t) dt for x >= ~2: the trapezoid
    rule with 65 points up to x (cosh T - 1) = 60 (its error falls exponentially with the
    step, which stays below 0.1 and below 0.7 / sqrt(x))."""
    t = np.arccosh(1 + 60 / x)[:, None] * np.linspace(0, 1, 65)
    f = np.exp(-x[:, None] * (np.cosh(t) - 1)) * np.cosh(nu * t)
    return (t[:, 1] - t[:, 0]) * (f.sum(-1) - f[:, 0] / 2)


def _j_integral(nu: float, x: np.ndarray) -> np.ndarray:
    """J_nu(x) for any real order, 2 <= x <= 25: (1/pi) int_0^pi cos(nu t - x sin t) dt
    - (sin(nu pi) / pi) int_0^inf e^(-x sinh t - nu t) dt, by Gauss-Legendre."""
    oscillating = _gauss(lambda t: np.cos(nu * t - x[:, None] * np.sin(t)),
                         np.zeros_like(x), np.full_like(x, math.pi))
    decaying = _gauss(lambda t: np.exp(-x[:, None] * np.sinh(t) - nu * t),
                      np.zeros_like(x), np.arcsinh(60 / x))
    return (oscillating - math.sin(nu * math.pi) * decaying) / math.pi


_AIRY_AT_0 = 0.3550280538878172  # Ai(0) = 1 / (3^(2/3) Gamma(2/3))
_AIRY_SLOPE_AT_0 = 0.2588194037928068  # -Ai'(0) = 1 / (3^(1/3) Gamma(1/3))


def _airy_ai(x: np.ndarray) -> np.ndarray:
    """Ai(x): its Maclaurin series for |x| <= 2; above, (1/pi) sqrt(x/3) K_{1/3}(z); below,
    sqrt(-x) (J_{1/3}(z) + J_{-1/3}(z)) / 3, with z = (2/3) |x|^(3/2). 0 beyond x = 103.892 and
    nan at +-inf, as torch's."""
    out = np.full(x.shape, np.nan)
    near = np.abs(x) <= 2
    xn = x[near]
    cube = xn ** 3
    f, g = np.ones_like(xn), xn.copy()
    tf, tg = f.copy(), g.copy()
    for k in range(1, 30):
        tf = tf * cube / ((3 * k) * (3 * k - 1))
        tg = tg * cube / ((3 * k + 1) * (3 * k))
        f += tf
        g += tg
    out[near] = _AIRY_AT_0 * f - _AIRY_SLOPE_AT_0 * g
    right = (x > 2) & (x <= 103.892)
    xr = x[right]
    z = 2 / 3 * xr ** 1.5
    out[right] = np.sqrt(xr / 3) / math.pi * np.exp(-z) * _k_scaled_integral(1 / 3, z)
    out[x > 103.892] = 0.0
    out[np.isposinf(x)] = np.nan
    left = (x < -2) & np.isfinite(x)
    y = -x[left]
    z = 2 / 3 * y ** 1.5
    js = np.zeros_like(y)
    for nu in (1 / 3, -1 / 3):
        middle = z <= _HANKEL_FROM
        part = np.empty_like(y)
        part[middle] = _j_integral(nu, z[middle])
        part[~middle] = _hankel(nu, z[~middle])[0]
        js += part
    out[left] = np.sqrt(y) / 3 * js
    return out


_BESSELS = {
    "bessel_j0": lambda x: _bessel_j(0, x), "bessel_j1": lambda x: _bessel_j(1, x),
    "bessel_y0": lambda x: _bessel_y(0, x), "bessel_y1": lambda x: _bessel_y(1, x),
    "modified_bessel_k0": lambda x: _bessel_k_scaled(0, x) * np.exp(-x),
    "modified_bessel_k1": lambda x: _bessel_k_scaled(1, x) * np.exp(-x),
    "scaled_modified_bessel_k0": lambda x: _bessel_k_scaled(0, x),
    "scaled_modified_bessel_k1": lambda x: _bessel_k_scaled(1, x),
    "airy_ai": _airy_ai,
}


def bessel(name: str, input: Any) -> Tensor:
    """torch.special's Bessel function `name` at input, computed in float64; values only
    (torch's have no derivative)."""
    x = _floating(input).array
    with np.errstate(all="ignore"):
        values = _BESSELS[name](x.astype(np.float64))
        return Tensor._make(np.asarray(values).astype(x.dtype))
