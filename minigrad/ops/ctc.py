"""Connectionist temporal classification loss (Graves et al. 2006), as F.ctc_loss.

A target l = (l1, ..., lL) is read from T frames of class log-probabilities by any path that
emits one class or the blank per frame and collapses to l (repeats merged, blanks dropped).
The loss is -log of the total probability of those paths, summed in log space by the forward
(alpha) recursion over the extended target l' = (blank, l1, blank, ..., lL, blank):

    alpha[t, s] = logsumexp(alpha[t-1, s], alpha[t-1, s-1], alpha[t-1, s-2] if l'_s is a
                  label other than l'_{s-2}) + log_probs[t, l'_s]

The backward (beta) recursion is the same one run on the reversed frames and target. The
gradient is PyTorch's: exp(log_probs) - (the posterior of each class at each frame), which is
the exact gradient when log_probs come from log_softmax (through which it is then passed)."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.function import Function
from minigrad.ops._common import check_reduction
from minigrad.tensor import Tensor


def _extended(target: np.ndarray, blank: int) -> np.ndarray:
    """l' = (blank, l1, blank, l2, ..., lL, blank)."""
    ext = np.full(2 * len(target) + 1, blank, dtype=np.int64)
    ext[1::2] = target
    return ext


def _log_alpha(log_probs: np.ndarray, ext: np.ndarray, blank: int) -> np.ndarray:
    """alpha[t, s]: log of the probability of the paths through frames 0..t that end at l'_s
    having emitted l'_0..l'_s (log_probs: (T, C) for one sequence)."""
    frames, size = len(log_probs), len(ext)
    alpha = np.full((frames, size), -np.inf, log_probs.dtype)
    if frames == 0:
        return alpha
    skip = np.zeros(size, bool)  # s may follow s - 2: a label differing from l'_{s-2}
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    alpha[0, :2] = log_probs[0, ext[:2]]
    shifted = np.full(size + 2, -np.inf, log_probs.dtype)  # alpha[t-1] moved right by 2
    for t in range(1, frames):
        shifted[2:] = alpha[t - 1]
        paths = np.logaddexp(shifted[2:], shifted[1:-1])
        paths[skip] = np.logaddexp(paths[skip], shifted[:-2][skip])
        alpha[t] = paths + log_probs[t, ext]
    return alpha


def _nll(alpha: np.ndarray) -> Any:
    """-log p(l | x): a path ends on the last label or the blank after it."""
    if len(alpha) == 0:
        return np.inf
    return -np.logaddexp.reduce(alpha[-1, -2:])


class CTC(Function):
    """The negative log-likelihood of each sequence: log_probs (T, N, C) and, per sequence, its
    target (an int array), its number of frames, whether an infinite loss becomes 0."""

    @staticmethod
    def forward(ctx, log_probs, targets, input_lengths, blank, zero_infinity):
        lp = log_probs.array
        nll = np.empty(lp.shape[1], lp.dtype)
        ctx.alphas = []
        with np.errstate(invalid="ignore", divide="ignore"):
            for b, (target, frames) in enumerate(zip(targets, input_lengths, strict=True)):
                alpha = _log_alpha(lp[:frames, b], _extended(target, blank), blank)
                ctx.alphas.append(alpha)
                nll[b] = _nll(alpha)
        ctx.save_for_backward(log_probs)
        ctx.nll = nll
        return np.where(np.isinf(nll), 0, nll).astype(lp.dtype) if zero_infinity else nll

    @staticmethod
    def backward(ctx, g):
        """d nll / d log_probs[t, c] = exp(log_probs[t, c]) - sum over s with l'_s = c of
        exp(alpha[t, s] + beta[t, s] - log_probs[t, c] + nll), for t below the input length
        (0 after it); 0 for an infinite loss under zero_infinity."""
        (log_probs,) = ctx.saved_tensors
        _, targets, input_lengths, blank, zero_infinity = ctx.inputs
        lp, g = log_probs.array, g.array
        grad = np.zeros_like(lp)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            for b, (target, frames) in enumerate(zip(targets, input_lengths, strict=True)):
                nll = ctx.nll[b]
                if frames == 0 or zero_infinity and np.isinf(nll):
                    continue
                ext = _extended(target, blank)
                frame_lp = lp[:frames, b]
                beta = _log_alpha(frame_lp[::-1], ext[::-1], blank)[::-1, ::-1]
                both = ctx.alphas[b] + beta  # log prob of the paths through (t, s), lp twice
                per_class = np.full(frame_lp.shape, -np.inf, lp.dtype)
                for c in np.unique(ext):
                    per_class[:, c] = np.logaddexp.reduce(both[:, ext == c], axis=1)
                grad[:frames, b] = (np.exp(frame_lp) - np.exp(per_class + nll - frame_lp)) * g[b]
        return grad, None, None, None, None


def ctc_loss(log_probs: Tensor, targets: Any, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """CTC loss of log_probs (T, N, C), or (T, C) for one sequence, against targets padded to
    (N, S) or concatenated into one 1-D tensor; input_lengths and target_lengths are tuples or
    lists of ints, or integer tensors, one per sequence. 'mean' divides each loss by its
    target length (at least 1), then averages over the batch."""
    name = "ctc_loss"
    check_reduction(reduction, name)
    if not isinstance(log_probs, Tensor) or log_probs.dtype.kind != "f":
        raise TypeError(f"{name}: log_probs must be a floating point tensor, got "
                        f"{getattr(log_probs, 'dtype', type(log_probs).__name__)}")
    if log_probs.ndim not in (2, 3):
        raise ValueError(f"{name}: log_probs must be (T, N, C) or (T, C), got shape "
                         f"{log_probs.shape}")
    if 0 in log_probs.shape:
        raise ValueError(f"{name}: log_probs must not be empty, got shape {log_probs.shape}")
    unbatched = log_probs.ndim == 2
    frames, batch, classes = log_probs.shape[0], 1 if unbatched else log_probs.shape[1], \
        log_probs.shape[-1]
    if not 0 <= blank < classes:
        raise ValueError(f"{name}: blank must be in label range [0, {classes}), got {blank}")
    inputs = _lengths(input_lengths, "input_lengths", batch, unbatched)
    lengths = _lengths(target_lengths, "target_lengths", batch, unbatched)
    if (inputs > frames).any():
        raise ValueError(f"{name}: input_lengths {inputs.tolist()} exceed the {frames} frames "
                         "of log_probs")
    sequences = _targets(targets, lengths, batch, unbatched, classes)
    for b, seq in enumerate(sequences):  # torch reads such a target as it comes: refused
        if (seq == blank).any():
            raise ValueError(f"{name}: target {b} {seq.tolist()} holds the blank label {blank}")
    x = log_probs.unsqueeze(1) if unbatched else log_probs
    losses = CTC.apply(x, sequences, tuple(inputs.tolist()), blank, bool(zero_infinity))
    if unbatched:
        losses = losses[0]
    if reduction == "sum":
        return losses.sum()
    if reduction == "mean":
        divisors = np.maximum(lengths, 1).astype(log_probs.dtype)
        return (losses / Tensor._make(divisors[0] if unbatched else divisors)).mean()
    return losses


def _lengths(value: Any, name: str, batch: int, unbatched: bool) -> np.ndarray:
    """input_lengths or target_lengths as an int64 array of one length per sequence."""
    if isinstance(value, Tensor):
        array = value.array
        if array.dtype.kind not in "iu":
            raise TypeError(f"ctc_loss: {name} must be integral, got a {array.dtype} tensor")
    elif isinstance(value, (tuple, list)) and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        array = np.array(value, dtype=np.int64)
    else:
        raise TypeError(f"ctc_loss: {name} must be a tuple or list of ints or an integer "
                        f"tensor, got {type(value).__name__}")
    array = array.reshape(-1).astype(np.int64) if unbatched and array.ndim == 0 else array
    if array.shape != (batch,):
        raise ValueError(f"ctc_loss: {name} must hold one length per sequence ({batch}), got "
                         f"shape {tuple(array.shape)}")
    if (array < 0).any():
        raise ValueError(f"ctc_loss: {name} must not be negative, got {array.tolist()}")
    return array


def _targets(targets: Any, lengths: np.ndarray, batch: int, unbatched: bool,
             classes: int) -> tuple[np.ndarray, ...]:
    """Each sequence's target as an int array: row b of padded (N, S) targets cut to its
    length, or the next target_lengths[b] entries of concatenated 1-D targets."""
    array = targets.array if isinstance(targets, Tensor) else np.asarray(targets)
    if array.dtype.kind == "f" and np.array_equal(array, np.trunc(array)):
        array = array.astype(np.int64)  # PyTorch takes float targets too
    if array.dtype.kind not in "iu":
        raise TypeError(f"ctc_loss: targets must be class indices (integers), got "
                        f"{array.dtype}")
    if array.ndim == 2:
        if array.shape[0] != batch:
            raise ValueError(f"ctc_loss: padded targets must be (N, S) with N = {batch}, got "
                             f"shape {array.shape}")
        if (lengths > array.shape[1]).any():
            raise ValueError(f"ctc_loss: target_lengths {lengths.tolist()} exceed the "
                             f"{array.shape[1]} columns of the padded targets")
        sequences = tuple(row[:n] for row, n in zip(array, lengths, strict=True))
    elif array.ndim == 1:
        if len(array) != lengths.sum():
            raise ValueError(f"ctc_loss: concatenated targets hold {len(array)} labels, but "
                             f"target_lengths {lengths.tolist()} sum to {lengths.sum()}")
        sequences = tuple(np.split(array, np.cumsum(lengths)[:-1]))
    else:
        raise ValueError(f"ctc_loss: targets must be padded (N, S) with N = {batch} or "
                         f"concatenated (sum of target_lengths,), got shape {array.shape}")
    for b, seq in enumerate(sequences):
        if len(seq) and (seq.min() < 0 or seq.max() >= classes):
            raise IndexError(f"ctc_loss: target {b} {seq.tolist()} holds a class outside "
                             f"[0, {classes})")
    return tuple(seq.astype(np.int64) for seq in sequences)
