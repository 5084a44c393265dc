"""argparse types shared by the scripts: numbers checked when the command line is parsed, so a
bad value is named by the parser instead of failing deep inside numpy."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def _number(kind: type, low: float, inclusive: bool, what: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {what}, got {text!r}") from None
        if not math.isfinite(value) or value < low or (value == low and not inclusive):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text}")
        return value

    parse.__name__ = what  # argparse names the type in some messages
    return parse


positive_int = _number(int, 1, True, "a positive integer")
positive_float = _number(float, 0.0, False, "a positive finite number")
nonnegative_float = _number(float, 0.0, True, "a finite number >= 0")
