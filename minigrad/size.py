"""Size: a tensor's shape as torch.Size, the tuple of ints that `Tensor.size()` returns."""

from __future__ import annotations

from typing import Any


class Size(tuple):
    """A shape, as torch.Size: a tuple of ints, equal to the plain tuple of the same ints."""

    def __new__(cls, sizes: Any = ()) -> Size:
        values = tuple(sizes)
        for v in values:
            if not hasattr(v, "__index__"):
                raise TypeError(f"Size: expected a sequence of ints, got {sizes!r}")
        return super().__new__(cls, (v.__index__() for v in values))

    def __getitem__(self, index: Any) -> Any:
        item = super().__getitem__(index)
        return Size(item) if isinstance(index, slice) else item

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        count = 1
        for v in self:
            count *= v
        return count

    def __repr__(self) -> str:
        return f"minigrad.Size({list(self)})"

    def __format__(self, spec: str) -> str:
        """In an f-string, the plain tuple `(2, 3)`: how minigrad's error messages name shapes
        (print and repr still give `minigrad.Size([2, 3])`)."""
        return tuple.__repr__(self) if not spec else format(tuple.__repr__(self), spec)
