"""Batches of sequences of different lengths, with PyTorch's names: pad_sequence, PackedSequence,
pack_padded_sequence, pad_packed_sequence, pack_sequence, unpad_sequence, unpack_sequence.

A PackedSequence holds a batch time step by time step with the padding left out: the sequences
are sorted longest first, so at step t the first batch_sizes[t] of them are still running, and
those rows of step t follow one another in data, of shape (sum of lengths, *features)."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.ops import cat, stack
from minigrad.tensor import Tensor


class PackedSequence(namedtuple("PackedSequence_",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """(data, batch_sizes, sorted_indices, unsorted_indices), as pack_padded_sequence makes it;
    sorted_indices[i] is the batch position of the i-th longest sequence (None when the batch
    came sorted), unsorted_indices its inverse."""

    def __new__(cls, data: Tensor, batch_sizes: Tensor, sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _int64(np.argsort(_numbers(sorted_indices)))
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The data moved or cast by Tensor.to; batch_sizes and the indices stay as they are."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, *self[1:])

    def double(self) -> PackedSequence:
        return self.to(np.float64)

    def float(self) -> PackedSequence:
        return self.to(np.float32)

    def half(self) -> PackedSequence:
        return self.to(np.float16)

    def cpu(self) -> PackedSequence:
        return self

    @property
    def is_cuda(self) -> bool:
        return False


def _int64(array: Any) -> Tensor:
    return Tensor._make(np.asarray(array, dtype=np.int64))


def _numbers(value: Any) -> np.ndarray:
    return np.asarray(value.array if isinstance(value, Tensor) else value)


def _lengths(lengths: Any, batch: int, steps: int) -> np.ndarray:
    """lengths (a list or 1-D tensor of whole numbers) checked against the padded batch."""
    array = _numbers(lengths)
    if array.ndim != 1 or array.dtype.kind not in "iuf" or np.any(array != np.round(array)):
        raise TypeError(f"pack_padded_sequence: lengths must be a 1-D list or tensor of whole "
                        f"numbers, got {lengths!r}")
    array = array.astype(np.int64)
    if batch == 0:
        raise ValueError("pack_padded_sequence: the batch is empty (no sequence to pack)")
    if len(array) != batch:
        raise ValueError(f"pack_padded_sequence: expected len(lengths) to be equal to the batch "
                         f"size {batch}, got {len(array)}")
    if np.any(array <= 0):
        raise ValueError(f"pack_padded_sequence: every length must be greater than 0, got "
                         f"{array.tolist()}")
    if np.any(array > steps):
        raise ValueError(f"pack_padded_sequence: lengths {array.tolist()} exceed the padded "
                         f"length {steps}")
    return array


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) ((B, T, *) with batch_first) whose sequence b has
    lengths[b] steps; with enforce_sorted, lengths must be in decreasing order."""
    if not isinstance(input, Tensor) or input.ndim < 2:
        raise ValueError("pack_padded_sequence: input must be a Tensor of at least 2 dims "
                         f"(time and batch), got {getattr(input, 'shape', type(input).__name__)}")
    if batch_first:
        input = input.transpose(0, 1)
    lengths = _lengths(lengths, input.shape[1], input.shape[0])
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise ValueError(f"pack_padded_sequence: lengths {lengths.tolist()} must be sorted "
                             "in decreasing order when enforce_sorted is True; pass "
                             "enforce_sorted=False to have them sorted")
        order, sorted_indices = np.arange(len(lengths)), None
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_indices = _int64(order)
    running = np.arange(lengths.max())[:, None] < lengths[order][None, :]  # (step, sorted b)
    steps, rows = np.nonzero(running)  # in packed order: step by step, longest first
    return PackedSequence(input[steps, order[rows]], _int64(running.sum(1)), sorted_indices)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None
                        ) -> tuple[Tensor, Tensor]:
    """The inverse of pack_padded_sequence: (padded batch in the original order, lengths);
    total_length pads the time dim to that many steps."""
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got "
                        f"{type(sequence).__name__}")
    data, batch_sizes, _, unsorted_indices = sequence
    batch_sizes = _numbers(batch_sizes)
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"pad_packed_sequence: expected total_length to be at least the "
                             f"length of the longest sequence ({steps}), got {total_length}")
        steps = total_length
    sizes = np.pad(batch_sizes, (0, steps - len(batch_sizes)))  # no one runs past the end
    running = np.arange(batch_sizes[0])[None, :] < sizes[:, None]  # (step, sorted b)
    index = np.full(running.shape, len(data))  # the padding row appended below
    index[running] = np.arange(len(data))
    lengths = running.sum(0)
    if unsorted_indices is not None:
        order = _numbers(unsorted_indices)
        index, lengths = index[:, order], lengths[order]
    padding = Tensor._make(np.full((1, *data.shape[1:]), padding_value, data.dtype))
    padded = cat([data, padding], 0)[index]
    return (padded.transpose(0, 1) if batch_first else padded), _int64(lengths)


def pad_sequence(sequences: Sequence[Tensor] | Tensor, batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes (L_i, *) into (T, B, *) ((B, T, *) with batch_first), T the
    longest L_i, filling the rest of each with padding_value (after it, or before it with
    padding_side='left')."""
    if padding_side not in ("right", "left"):
        raise ValueError(f"pad_sequence: padding_side must be 'right' or 'left', got "
                         f"{padding_side!r}")
    sequences = list(sequences)
    if not sequences:
        raise ValueError("pad_sequence: expected a non-empty sequence of tensors")
    for i, s in enumerate(sequences):
        if not isinstance(s, Tensor):
            raise TypeError(f"pad_sequence: expected Tensors, got {type(s).__name__} as "
                            f"sequence {i}")
    trailing, dtype = sequences[0].shape[1:], sequences[0].dtype
    sequences = [s if s.dtype == dtype else s.to(dtype) for s in sequences]  # the first's
    for i, s in enumerate(sequences):
        if not isinstance(s, Tensor) or s.ndim == 0 or s.shape[1:] != trailing:
            raise ValueError(f"pad_sequence: sequence {i} has shape "
                             f"{getattr(s, 'shape', type(s).__name__)}, expected (*, "
                             f"{', '.join(map(str, trailing))}) as sequence 0's trailing dims")
    longest = max(len(s) for s in sequences)

    def padded(s: Tensor) -> Tensor:
        if len(s) == longest:
            return s
        fill = Tensor._make(np.full((longest - len(s), *trailing), padding_value, s.dtype))
        return cat([s, fill] if padding_side == "right" else [fill, s], 0)

    return stack([padded(s) for s in sequences], 0 if batch_first else 1)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences of shapes (L_i, *) (longest first, unless enforce_sorted=False)."""
    return pack_padded_sequence(pad_sequence(sequences), [len(s) for s in sequences],
                                enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Any, batch_first: bool = False
                   ) -> list[Tensor]:
    """The inverse of pad_sequence: the list of sequences, sequence b cut to lengths[b]."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[b, :int(n)] for b, n in enumerate(_numbers(lengths))]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The inverse of pack_sequence: the list of sequences, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
