"""torch.testing.assert_close: tensors (or numbers, or sequences and mappings of them) equal in
shape and dtype, and close in value: |actual - expected| <= atol + rtol |expected|, with
PyTorch's default tolerances for the dtype."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from minigrad.tensor import Tensor

# (rtol, atol) by dtype when neither is given, as PyTorch's
_TOLERANCES = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
               np.dtype(np.float64): (1e-7, 1e-7), np.dtype(np.complex64): (1.3e-6, 1e-5),
               np.dtype(np.complex128): (1e-7, 1e-7)}


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None, equal_nan: bool = False,
                 check_device: bool = True, check_dtype: bool = True, check_layout: bool = True,
                 check_stride: bool = False, msg: Any = None) -> None:
    """Raise AssertionError, saying where and by how much, unless actual is close to expected."""
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            _fail(f"The keys of the mappings do not match: {sorted(map(str, actual))} != "
                  f"{sorted(map(str, expected))}.", msg)
        pairs: list = [(actual[k], expected[k]) for k in actual]
    elif isinstance(actual, Sequence) and isinstance(expected, Sequence) and not isinstance(
            actual, str):
        if len(actual) != len(expected):
            _fail(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                  msg)
        pairs = list(zip(actual, expected))
    else:
        _assert_values_close(actual, expected, rtol, atol, equal_nan, check_dtype, msg)
        return
    for a, e in pairs:
        assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=check_dtype,
                     msg=msg)


def _fail(text: str, msg: Any) -> None:
    raise AssertionError(msg(text) if callable(msg) else text if msg is None else msg)


def _array(value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        return value.detach().array
    if isinstance(value, (bool, int, float, complex, np.ndarray, np.generic)):
        return np.asarray(value)
    raise TypeError(f"assert_close: no comparison for {type(value).__name__}; expected "
                    "tensors, numbers, or sequences or mappings of them")


def _assert_values_close(actual: Any, expected: Any, rtol: float | None, atol: float | None,
                         equal_nan: bool, check_dtype: bool, msg: Any) -> None:
    a, e = _array(actual), _array(expected)
    if a.shape != e.shape:
        _fail(f"The values for attribute 'shape' do not match: {a.shape} != {e.shape}.", msg)
    if check_dtype and a.dtype != e.dtype:
        _fail(f"The values for attribute 'dtype' do not match: {a.dtype} != {e.dtype}.", msg)
    if rtol is None:
        rtol, atol = _TOLERANCES.get(np.promote_types(a.dtype, e.dtype), (0.0, 0.0))
    a64, e64 = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64), \
        e.astype(np.complex128 if e.dtype.kind == "c" else np.float64)
    with np.errstate(invalid="ignore"):
        close = np.isclose(a64, e64, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if close.all():
        return
    bad = ~close
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.where(bad, np.abs(a64 - e64), 0)
        rel = np.where(bad, diff / np.abs(e64), 0)
    where_abs = np.unravel_index(np.nanargmax(diff), diff.shape) if diff.size > 1 else ()
    where_rel = np.unravel_index(np.nanargmax(rel), rel.shape) if rel.size > 1 else ()
    what = "Tensor-likes" if isinstance(actual, Tensor) or isinstance(expected, Tensor) \
        else "Scalars"
    exact = rtol == 0 and atol == 0
    largest = diff[where_abs]
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        largest = int(largest)
    _fail(f"{what} are not {'equal' if exact else 'close'}!\n\nMismatched elements: "
          f"{int(bad.sum())} / {bad.size} ({100 * bad.sum() / bad.size:.1f}%)\n"
          f"Greatest absolute difference: {largest} at index "
          f"{tuple(int(i) for i in where_abs)}{'' if exact else f' (up to {atol} allowed)'}\n"
          f"Greatest relative difference: {rel[where_rel]} at index "
          f"{tuple(int(i) for i in where_rel)}{'' if exact else f' (up to {rtol} allowed)'}",
          msg)
