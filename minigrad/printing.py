"""How tensors print: PyTorch's layout, so output can be compared with tutorials line by line.

One width for every element of a tensor, chosen from its nonzero finite values: whole floats
print as `1.`, others with `precision` decimals, and scientific notation is used when the
largest magnitude is over 1e8, the smallest under 1e-4, or they are more than 1000x apart.
Tensors of more than `threshold` elements show `edgeitems` rows at each end of every long
axis, around `...`; rows wrap at `linewidth` characters."""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.dtypes import get_default_dtype

if TYPE_CHECKING:
    from minigrad.tensor import Tensor


@dataclasses.dataclass
class PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None  # None: chosen per tensor


OPTIONS = PrintOptions()
PROFILES = {"default": PrintOptions(), "short": PrintOptions(precision=2, edgeitems=2),
            "full": PrintOptions(threshold=math.inf)}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """How tensors print, as torch.set_printoptions: a profile ('default', 'short' or 'full')
    first, then the options given; sci_mode is reset to None (automatic) unless given."""
    if profile is not None:
        if profile not in PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(PROFILES)}, "
                             f"got {profile!r}")
        for key in ("precision", "threshold", "edgeitems", "linewidth"):
            setattr(OPTIONS, key, getattr(PROFILES[profile], key))
    for key, value in (("precision", precision), ("edgeitems", edgeitems)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 0):
            raise ValueError(f"set_printoptions: {key} must be an int >= 0, got {value!r}")
    given = dict(precision=precision, threshold=threshold, edgeitems=edgeitems,
                 linewidth=linewidth)
    for key, value in given.items():
        if value is not None:
            setattr(OPTIONS, key, value)
    OPTIONS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments for set_printoptions."""
    return dataclasses.asdict(OPTIONS)


@contextlib.contextmanager
def printoptions(**options: Any) -> Iterator[None]:
    """Print with these options inside the block, then restore the previous ones."""
    old = get_printoptions()
    set_printoptions(**options)
    try:
        yield
    finally:
        set_printoptions(**old)


class Formatter:
    """Writes each element of one tensor right-aligned to a common width, in the mode chosen
    from `values` (the elements that will be shown)."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        if not self.floating:
            self.width = max([1] + [len(str(v)) for v in values.ravel().tolist()])
            return
        shown = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if shown.size == 0:
            return
        smallest, largest = float(np.abs(shown).min()), float(np.abs(shown).max())
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        self.sci_mode = (largest / smallest > 1000 or largest > 1e8 or smallest < 1e-4
                         if OPTIONS.sci_mode is None else OPTIONS.sci_mode)
        self.width = max(len(self.text(v)) for v in shown.tolist())

    def text(self, value: Any) -> str:
        if not self.floating:
            return str(value)
        if self.sci_mode:
            return f"{value:.{OPTIONS.precision}e}"
        if self.int_mode:  # a dot tells a whole float from an integer (not after nan or inf)
            return f"{value:.0f}" + ("." if math.isfinite(value) else "")
        return f"{value:.{OPTIONS.precision}f}"

    def format(self, value: Any) -> str:
        return self.text(value).rjust(self.width)


class ComplexFormatter:
    """A complex element as real and imaginary parts, each formatted over its own values."""

    def __init__(self, values: np.ndarray) -> None:
        self.real, self.imag = Formatter(values.real), Formatter(values.imag)
        self.width = self.real.width + self.imag.width + 1  # and the "j"

    def format(self, value: complex) -> str:
        imag = (self.imag.format(value.imag) + "j").lstrip()
        sign = "" if imag[0] in "+-" else "+"
        return self.real.format(value.real) + sign + imag


def summarized(array: np.ndarray) -> np.ndarray:
    """The elements shown when the tensor is summarised: `edgeitems` at both ends of each
    axis longer than twice that."""
    edge = OPTIONS.edgeitems
    for axis, n in enumerate(array.shape):
        if n > 2 * edge:
            array = np.take(array, [*range(edge), *range(n - edge, n)], axis=axis)
    return array


def body(array: np.ndarray, formatter: Formatter | ComplexFormatter, indent: int,
         summarize: bool) -> str:
    """The nested brackets, rows wrapped to the line width and indented under their '['."""
    edge = OPTIONS.edgeitems
    long = summarize and array.ndim > 0 and array.shape[0] > 2 * edge
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        if not long:
            items = [formatter.format(v) for v in array.tolist()]
        elif edge:
            items = [formatter.format(v) for v in array[:edge].tolist()] + [" ..."] + [
                formatter.format(v) for v in array[-edge:].tolist()]
        else:
            items = ["..."]
        per_line = max(1, (OPTIONS.linewidth - indent) // (formatter.width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(edge) if long else range(len(array))
    parts = [body(array[i], formatter, indent + 1, summarize) for i in rows]
    if long:
        parts += ["..."] + [body(array[i], formatter, indent + 1, summarize)
                            for i in range(len(array) - edge, len(array))]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def tensor_repr(tensor: Tensor, prefix: str = "tensor(") -> str:
    """`tensor([...], dtype=..., grad_fn=<...>)` as PyTorch prints it. The dtype is written
    as `str(dtype)` (minigrad's dtypes are numpy's: `float64` where PyTorch has
    `torch.float64`), and left out when it is the default one for its values. A suffix that
    does not fit goes on a new line where PyTorch's would, so lines break as in tutorials."""
    array, indent, extras = tensor.array, len(prefix), []
    default_float = get_default_dtype()
    default_complex = np.complex128 if default_float == np.float64 else np.complex64
    if array.size == 0:
        text = "[]"
        if array.ndim != 1:
            extras.append(f"size={tuple(array.shape)}")
        if array.dtype != default_float:
            extras.append(f"dtype={array.dtype}")
    else:
        if not OPTIONS.edgeitems:
            extras.append(f"size={tuple(array.shape)}")
        if array.dtype not in (default_float, default_complex, np.int64, np.bool_):
            extras.append(f"dtype={array.dtype}")
        summarize = array.size > OPTIONS.threshold
        shown = summarized(array) if summarize else array
        kind = ComplexFormatter if array.dtype.kind == "c" else Formatter
        text = body(array, kind(shown), indent, summarize)
    if tensor.grad_fn is not None:
        extras.append(f"grad_fn={tensor.grad_fn!r}")
    elif tensor.requires_grad:
        extras.append("requires_grad=True")
    text = prefix + text
    line = len(text) - text.rfind("\n") + 1  # as PyTorch counts the last line
    for extra in extras:  # each on the same line while it fits, else on a new one
        torch_length = len(extra) + len("torch.") * extra.startswith("dtype=")
        if line + torch_length + 2 > OPTIONS.linewidth:
            text += ",\n" + " " * indent + extra
            line = indent + len(extra)
        else:
            text += ", " + extra
            line += len(extra) + 2
    return text + ")"
