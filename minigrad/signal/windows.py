"""torch.signal.windows: window functions of length M, symmetric (sym=True, for filter design)
or periodic (sym=False, for spectral analysis), in float32 or float64. As torch's, each is
computed with tensor ops from a linspace that takes requires_grad, so with requires_grad=True
the window is the output of those ops (not a leaf)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from minigrad import ops
from minigrad.creation import linspace, ones, tensor, zeros
from minigrad.dtypes import as_dtype, get_default_dtype
from minigrad.ops.special import i0
from minigrad.tensor import Tensor

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
           "general_hamming", "hamming", "hann", "kaiser", "nuttall"]


def _checked(name: str, M: int, dtype: Any) -> np.dtype:
    """The dtype (default: the default dtype), after torch's checks on M and the dtype."""
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    d = as_dtype(dtype, name) or get_default_dtype()
    if d not in (np.float32, np.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {d}")
    return d


def _grid(start: float, step: float, M: int, dtype: np.dtype, device: Any,
          requires_grad: bool) -> Tensor:
    """start, start + step, ..., start + (M - 1) step."""
    return linspace(start, start + (M - 1) * step, M, dtype=dtype, device=device,
                    requires_grad=requires_grad)


def _trivial(M: int, dtype: np.dtype, device: Any, requires_grad: bool) -> Tensor | None:
    """The window for M = 0 (empty) and M = 1 ([1]), else None."""
    if M > 1:
        return None
    make = zeros if M == 0 else ones
    return make(M, dtype=dtype, device=device, requires_grad=requires_grad)


def exponential(M: int, *, center: float | None = None, tau: float = 1.0, sym: bool = True,
                dtype: Any = None, layout: Any = None, device: Any = None,
                requires_grad: bool = False) -> Tensor:
    """exp(-|n - center| / tau); center (M - 1) / 2, or M / 2 when periodic."""
    d = _checked("exponential", M, dtype)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if M == 0:
        return _trivial(M, d, device, requires_grad)
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    k = _grid(-center / tau, 1 / tau, M, d, device, requires_grad)
    return ops.exp(-ops.abs(k))


def cosine(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """sin(pi (n + 1/2) / M), over M + 1 points when periodic."""
    d = _checked("cosine", M, dtype)
    if M == 0:
        return _trivial(M, d, device, requires_grad)
    step = math.pi / (M + 1 if not sym and M > 1 else M)
    return ops.sin(_grid(0.5 * step, step, M, d, device, requires_grad))


def gaussian(M: int, *, std: float = 1.0, sym: bool = True, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """exp(-(n - c)^2 / (2 std^2)) around the center c."""
    d = _checked("gaussian", M, dtype)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    if M == 0:
        return _trivial(M, d, device, requires_grad)
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    step = 1 / (std * math.sqrt(2))
    k = _grid(start * step, step, M, d, device, requires_grad)
    return ops.exp(-(k * k))


def kaiser(M: int, *, beta: float = 12.0, sym: bool = True, dtype: Any = None,
           layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """I0(sqrt(beta^2 - k^2)) / I0(beta) for k from -beta to beta (to beta - 2 beta / M when
    periodic)."""
    d = _checked("kaiser", M, dtype)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    trivial = _trivial(M, d, device, requires_grad)
    if trivial is not None:
        return trivial
    b = tensor(beta, dtype=d)
    step = 2.0 * float(b.array) / (M if not sym else M - 1)
    end = min(float(b.array), -float(b.array) + (M - 1) * step)
    k = linspace(-float(b.array), end, M, dtype=d, device=device, requires_grad=requires_grad)
    return i0(ops.sqrt(b * b - k * k)) / i0(b)


def general_cosine(M: int, *, a: Iterable, sym: bool = True, dtype: Any = None,
                   layout: Any = None, device: Any = None, requires_grad: bool = False
                   ) -> Tensor:
    """sum_i (-1)^i a_i cos(2 pi i n / (M - 1)) (M instead of M - 1 when periodic)."""
    d = _checked("general_cosine", M, dtype)
    trivial = _trivial(M, d, device, requires_grad)
    if trivial is not None:
        return trivial
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    if not a:
        raise ValueError("Coefficients cannot be empty")
    k = _grid(0.0, 2 * math.pi / (M if not sym else M - 1), M, d, device, requires_grad)
    signed = tensor([(-1) ** i * w for i, w in enumerate(a)], dtype=d,
                    requires_grad=requires_grad)
    i = Tensor._make(np.arange(signed.shape[0], dtype=d))
    return (ops.unsqueeze(signed, -1) * ops.cos(ops.unsqueeze(i, -1) * k)).sum(0)


def general_hamming(M: int, *, alpha: float = 0.54, sym: bool = True, dtype: Any = None,
                    layout: Any = None, device: Any = None, requires_grad: bool = False
                    ) -> Tensor:
    """alpha - (1 - alpha) cos(2 pi n / (M - 1))."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, device=device,
                          requires_grad=requires_grad)


def hamming(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    return general_hamming(M, sym=sym, dtype=dtype, device=device, requires_grad=requires_grad)


def hann(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, device=device,
                           requires_grad=requires_grad)


def blackman(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    _checked("blackman", M, dtype)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, device=device,
                          requires_grad=requires_grad)


def nuttall(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, device=device, requires_grad=requires_grad)


def bartlett(M: int, *, sym: bool = True, dtype: Any = None, layout: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """1 - |k| for k from -1 in steps of 2 / (M - 1) (2 / M when periodic)."""
    d = _checked("bartlett", M, dtype)
    trivial = _trivial(M, d, device, requires_grad)
    if trivial is not None:
        return trivial
    return 1 - ops.abs(_grid(-1.0, 2 / (M if not sym else M - 1), M, d, device, requires_grad))
