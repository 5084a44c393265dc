"""Argument checks shared by the loaders and the synthetic datasets."""

from __future__ import annotations

import numbers


def check_positive_int(where: str, name: str, value: object) -> None:
    """Raise a TypeError/ValueError naming ``where`` and ``name`` unless value is an int >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be a positive int, got {value!r}")
    if value < 1:
        raise ValueError(f"{where}: {name} must be a positive int, got {value}")


def check_non_negative(where: str, name: str, value: object) -> None:
    """Raise a TypeError/ValueError naming ``where`` and ``name`` unless value is a real >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number >= 0, got {value!r}")
    if not value >= 0:
        raise ValueError(f"{where}: {name} must be >= 0, got {value}")
