"""Window functions and the short-time Fourier transform, with torch's names and arguments.

stft and istft are built from minigrad ops (frames by unfold, a product with the DFT's cosine and
sine matrices, overlap-add by fold), so they differentiate, twice. minigrad's autograd has no
complex numbers: a spectrum is the real tensor (..., freq, frames, 2) of real and imaginary parts
that torch's `stft(..., return_complex=False)` gives (torch.view_as_real of its complex result),
and istft takes that form back."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from numbers import Integral
from typing import Any

import numpy as np

from minigrad import ops
from minigrad.creation import _new
from minigrad.dtypes import as_dtype, get_default_dtype, promote_types
from minigrad.ops.conv import fold
from minigrad.tensor import Tensor

__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window", "istft",
           "kaiser_window", "stft"]


# *** windows ***
def _window(name: str, window_length: int, periodic: bool, dtype: Any, device: Any,
            requires_grad: bool, formula: Callable[[np.ndarray, int], np.ndarray]) -> Tensor:
    """formula(n, N) over n = 0..N-1 with N = window_length (+1 when periodic, the last value
    dropped), in float64 and then dtype; lengths 0 and 1 give [] and [1]."""
    if isinstance(window_length, bool) or not isinstance(window_length, Integral):
        raise TypeError(f"{name}(): argument 'window_length' must be int, not "
                        f"{type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    d = as_dtype(dtype, name) or get_default_dtype()
    if d.kind != "f":
        raise RuntimeError(f"{name} expects floating point dtypes, got {d}")
    n = int(window_length)
    if n <= 1:
        values = np.ones(n)
    else:
        size = n + 1 if periodic else n
        values = formula(np.arange(size, dtype=np.float64), size)[:n]
    return _new(values.astype(d), requires_grad, device)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: Any = None, layout: Any = None,
                   device: Any = None, requires_grad: bool = False) -> Tensor:
    """alpha - beta cos(2 pi n / (N - 1))."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: alpha - beta * np.cos(2 * math.pi * n / (N - 1)))


def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """(1 - cos(2 pi n / (N - 1))) / 2, the Hamming window with alpha = beta = 1/2."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: 0.5 - 0.5 * np.cos(2 * math.pi * n / (N - 1)))


def blackman_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None, requires_grad: bool = False
                    ) -> Tensor:
    """0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: 0.42 - 0.5 * np.cos(2 * math.pi * n / (N - 1))
                   + 0.08 * np.cos(4 * math.pi * n / (N - 1)))


def bartlett_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None, requires_grad: bool = False
                    ) -> Tensor:
    """The triangle 1 - |2n / (N - 1) - 1|."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: 1 - np.abs(2 * n / (N - 1) - 1))


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype: Any = None, layout: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
    """I0(beta sqrt(1 - ((n - m) / m)^2)) / I0(beta) with m = (N - 1) / 2 (I0 the modified
    Bessel function of order 0)."""
    def kaiser(n: np.ndarray, N: int) -> np.ndarray:
        m = (N - 1) / 2
        return np.i0(beta * np.sqrt(np.maximum(1 - ((n - m) / m) ** 2, 0))) / np.i0(beta)
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   kaiser)


# *** short-time Fourier transform ***
_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _checked_frame(name: str, n_fft: Any, hop_length: Any, win_length: Any, window: Any
                   ) -> tuple[int, int, int]:
    """n_fft, hop_length (default n_fft // 4) and win_length (default n_fft), checked as torch
    does, and the window's size against win_length."""
    for arg, value in (("n_fft", n_fft), ("hop_length", hop_length), ("win_length", win_length)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, Integral)):
            raise TypeError(f"{name}(): argument '{arg}' must be int, not "
                            f"{type(value).__name__}")
    n_fft = int(n_fft)
    hop = n_fft // 4 if hop_length is None else int(hop_length)
    win = n_fft if win_length is None else int(win_length)
    if hop <= 0:
        raise RuntimeError(f"{name}: expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise RuntimeError(f"{name}: expected 0 < win_length <= n_fft, but got "
                           f"win_length={win} (n_fft={n_fft})")
    if window is not None:
        if not isinstance(window, Tensor):
            raise TypeError(f"{name}(): window must be a Tensor or None, got "
                            f"{type(window).__name__}")
        if window.shape != (win,):
            raise RuntimeError(f"{name}: expected a 1D window tensor of size equal to "
                               f"win_length={win}, but got window with size "
                               f"{list(window.shape)}")
        if window.dtype.kind != "f":
            raise RuntimeError(f"{name}: expected a floating point window, got {window.dtype}")
    return n_fft, hop, win


def _full_window(window: Tensor | None, win: int, n_fft: int, dtype: np.dtype) -> Tensor:
    """The window (ones if None), padded with zeros on both sides to n_fft, centered."""
    if window is None:
        window = Tensor._make(np.ones(win, dtype))
    if win == n_fft:
        return window
    left = (n_fft - win) // 2
    return ops.cat([Tensor._make(np.zeros(left, window.dtype)), window,
                    Tensor._make(np.zeros(n_fft - win - left, window.dtype))])


def _refuse_complex(name: str, return_complex: Any) -> None:
    if return_complex:
        raise RuntimeError(f"{name}: return_complex=True needs complex tensors, which minigrad's "
                           "autograd does not have; pass return_complex=False for the real "
                           "tensor (..., 2) of real and imaginary parts (torch.view_as_real of "
                           "torch's complex result)")


def _dft_angles(count: int, n_fft: int) -> np.ndarray:
    """2 pi k n / n_fft for k < count, n < n_fft, from the exact k n mod n_fft."""
    k, n = np.arange(count)[:, None], np.arange(n_fft)
    return 2 * math.pi * ((k * n) % n_fft) / n_fft


def _pad_signal(x: Tensor, pad: int, mode: str) -> Tensor:
    """x padded by pad samples on both ends of its last dim, as F.pad's modes do."""
    length = x.shape[-1]
    limit = {"reflect": length - 1, "circular": length}.get(mode)
    if limit is not None and pad > limit:
        raise RuntimeError(f"stft: {mode} padding of n_fft // 2 = {pad} on each side needs at "
                           f"{'least' if mode == 'circular' else 'more than'} {pad} input "
                           f"samples, got {length}")
    if mode == "constant":
        zeros = Tensor._make(np.zeros((*x.shape[:-1], pad), x.dtype))
        return ops.cat([zeros, x, zeros], -1)
    at = np.arange(-pad, length + pad)
    if mode == "reflect":
        at = np.abs(at)
        at = np.where(at > length - 1, 2 * (length - 1) - at, at)
    elif mode == "replicate":
        at = np.clip(at, 0, length - 1)
    else:
        at = at % length
    return ops.index_select(x, -1, at)


def stft(input: Tensor, n_fft: int, hop_length: int | None = None,
         win_length: int | None = None, window: Tensor | None = None, center: bool = True,
         pad_mode: str = "reflect", normalized: bool = False, onesided: bool | None = None,
         return_complex: bool | None = None, align_to_window: bool | None = None) -> Tensor:
    """Short-time Fourier transform of a signal (L,) or batch (B, L):
    X[f, t, :] = sum_n w[n] x[t hop + n] (cos, -sin)(2 pi f n / n_fft), as (B?, N, T, 2) with
    N = n_fft // 2 + 1 frequencies (onesided) or n_fft. center pads n_fft // 2 samples on both
    sides (pad_mode) so that frame t is centered at t hop; normalized scales by n_fft^-1/2.
    return_complex must be False (see the module docstring)."""
    if return_complex is None:
        raise RuntimeError("stft requires the return_complex parameter be given for real "
                           "inputs (minigrad supports return_complex=False)")
    _refuse_complex("stft", return_complex)
    if not isinstance(input, Tensor):
        raise TypeError(f"stft(): input must be a Tensor, got {type(input).__name__}")
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, got shape {tuple(input.shape)}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"stft: expected a tensor of floating point values, got "
                           f"{input.dtype}")
    if pad_mode not in _PAD_MODES:
        raise NotImplementedError(f"stft: unrecognised padding mode {pad_mode!r} (one of "
                                  f"{', '.join(_PAD_MODES)})")
    n_fft, hop, win = _checked_frame("stft", n_fft, hop_length, win_length, window)
    dtype = input.dtype if window is None else promote_types(input.dtype, window.dtype)
    if dtype == np.float16:
        raise RuntimeError("stft: float16 is not supported (torch's FFT refuses it too)")
    if window is None:
        warnings.warn("stft: no window given, so a rectangular one is used (known for spectral "
                      "leakage); pass window=torch.hann_window(n_fft) or, to keep it, "
                      "window=torch.ones(n_fft)", UserWarning, stacklevel=2)
    x = input if input.ndim == 2 else ops.unsqueeze(input, 0)
    if center:
        x = _pad_signal(x, n_fft // 2, pad_mode)
    elif align_to_window:
        left = (n_fft - win) // 2
        x = ops.cat([Tensor._make(np.zeros((x.shape[0], left), x.dtype)), x,
                     Tensor._make(np.zeros((x.shape[0], n_fft - win - left), x.dtype))], -1)
    if not 0 < n_fft <= x.shape[-1]:
        raise RuntimeError(f"stft: expected 0 < n_fft <= {x.shape[-1]} (the signal's length"
                           f"{' after padding' if center else ''}), but got n_fft={n_fft}")
    frames = ops.unfold(x.to(dtype), -1, n_fft, hop)  # (B, T, n_fft)
    frames = frames * _full_window(window, win, n_fft, dtype).to(dtype)
    count = n_fft // 2 + 1 if onesided is None or onesided else n_fft
    angles = _dft_angles(count, n_fft)
    basis = np.concatenate([np.cos(angles), -np.sin(angles)]).T  # (n_fft, 2 N)
    if normalized:
        basis = basis / math.sqrt(n_fft)
    spectrum = ops.matmul(frames, Tensor._make(basis.astype(dtype)))  # (B, T, 2 N)
    out = ops.permute(ops.reshape(spectrum, (*spectrum.shape[:2], 2, count)), (0, 3, 1, 2))
    return out if input.ndim == 2 else ops.squeeze(out, 0)


def istft(input: Tensor, n_fft: int, hop_length: int | None = None,
          win_length: int | None = None, window: Tensor | None = None, center: bool = True,
          normalized: bool = False, onesided: bool | None = None, length: int | None = None,
          return_complex: bool = False) -> Tensor:
    """The inverse of stft, from its real form (B?, N, T, 2): each frame's inverse real DFT
    (only the first n_fft // 2 + 1 frequencies count, as in an inverse rfft), times the window,
    overlap-added and divided by the overlap-added squared window (least squares, Griffin and
    Lim); center drops n_fft // 2 samples at both ends, length trims or zero-pads the end.
    minigrad's extension of torch's form: torch takes the complex spectrum (see stft)."""
    _refuse_complex("istft", return_complex)
    if not isinstance(input, Tensor):
        raise TypeError(f"istft(): input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (3, 4) or input.shape[-1] != 2 or input.dtype.kind != "f":
        raise RuntimeError(f"istft: expected the real form (B?, N, T, 2) of a spectrum, as "
                           f"stft(..., return_complex=False) gives (minigrad has no complex "
                           f"tensors), got shape {tuple(input.shape)} of {input.dtype}")
    n_fft, hop, win = _checked_frame("istft", n_fft, hop_length, win_length, window)
    if window is None:
        warnings.warn("istft: no window given, so a rectangular one is used; pass the window "
                      "that stft used", UserWarning, stacklevel=2)
    spec = input if input.ndim == 4 else ops.unsqueeze(input, 0)
    count, frame_count = spec.shape[1], spec.shape[2]
    onesided = count != n_fft if onesided is None else onesided
    expected = n_fft // 2 + 1 if onesided else n_fft
    if count != expected:
        raise RuntimeError(f"istft: expected the frequency dimension (3rd to the last) of the "
                           f"input to be {expected} (n_fft={n_fft}, onesided={onesided}), but "
                           f"got {count}")
    if frame_count == 0:
        raise RuntimeError("istft: the input has no frames")
    dtype = input.dtype if window is None else promote_types(input.dtype, window.dtype)
    half = n_fft // 2 + 1
    spec = spec[:, :half].to(dtype)
    # inverse rfft: x[n] = sum_k c_k (Re X_k cos - Im X_k sin)(2 pi k n / N) / N, c_k = 2 but
    # 1 at k = 0 and k = N / 2; the imaginary parts there do not count (sin vanishes)
    weight = np.full(half, 2.0)
    weight[0] = 1.0
    if n_fft % 2 == 0:
        weight[-1] = 1.0
    angles = _dft_angles(half, n_fft)
    basis = np.concatenate([weight[:, None] * np.cos(angles), -weight[:, None] * np.sin(angles)])
    basis /= math.sqrt(n_fft) if normalized else n_fft  # (2 N, n_fft)
    parts = ops.reshape(ops.permute(spec, (0, 2, 3, 1)), (spec.shape[0], frame_count, 2 * half))
    frames = ops.matmul(parts, Tensor._make(basis.astype(dtype)))  # (B, T, n_fft)
    w = _full_window(window, win, n_fft, dtype).to(dtype)
    full = n_fft + hop * (frame_count - 1)

    def overlap_add(columns: Tensor) -> Tensor:
        """(B, T, n_fft) frames summed into (B, full): frame t starts at t hop."""
        out = fold(ops.transpose(columns, 1, 2), (1, full), (1, n_fft), stride=(1, hop))
        return ops.reshape(out, (columns.shape[0], full))

    signal = overlap_add(frames * w)
    envelope = overlap_add(ops.expand(ops.reshape(w * w, (1, 1, n_fft)), (1, frame_count, n_fft)))
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else full - n_fft // 2 if center else full
    signal, envelope = signal[:, start:end], envelope[:, start:end]
    if envelope.numel() and np.abs(envelope.array).min() < 1e-11:
        raise RuntimeError(f"istft: the overlap-added squared window falls to "
                           f"{np.abs(envelope.array).min():.3g} (below 1e-11): this window and "
                           f"hop_length={hop} do not overlap enough to invert (the NOLA "
                           f"condition)")
    signal = signal / envelope
    if end > full:
        zeros = Tensor._make(np.zeros((signal.shape[0], end - full), signal.dtype))
        signal = ops.cat([signal, zeros], -1)
    return signal if input.ndim == 4 else ops.squeeze(signal, 0)
