"""Hypothesis strategies for testing ops: small float64 arrays and tensors, shapes that broadcast
or multiply, values kept away from the kinks where a derivative jumps, and class targets.

Everything is small on purpose (sides up to 4, at most 3 dims): a gradcheck costs two forward
passes per input element, so tests stay fast."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minigrad.tensor import Tensor

Shape = tuple[int, ...]
Strategy = st.SearchStrategy


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
           max_side: int = 4) -> Strategy[Shape]:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def floats(min_value: float = -3.0, max_value: float = 3.0) -> Strategy[float]:
    """Finite float64 values in a range where every op here is well conditioned."""
    return st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)


def away_from(points: Sequence[float], margin: float = 0.1, min_value: float = -3.0,
              max_value: float = 3.0) -> Strategy[float]:
    """Values at least margin from each point: relu at 0, clamp at its bounds."""
    return floats(min_value, max_value).filter(
        lambda v: all(abs(v - p) >= margin for p in points))


def positive(min_value: float = 0.1, max_value: float = 3.0) -> Strategy[float]:
    """For log, sqrt, and the bases of pow."""
    return floats(min_value, max_value)


def spaced(step: float = 0.25, offset: float = 0.0, limit: int = 12) -> Strategy[float]:
    """Values on the grid offset + k step, |k| <= limit. Drawn with unique=True they never tie
    (max, min); two grids with different offsets never meet (maximum, minimum)."""
    return st.integers(-limit, limit).map(lambda k: offset + k * step)


def arrays(shape: Shape | Strategy[Shape] | None = None,
           elements: Strategy[float] | None = None, unique: bool = False) -> Strategy[np.ndarray]:
    """float64 arrays of the given (or drawn) shape."""
    return hnp.arrays(np.float64, shapes() if shape is None else shape,
                      elements=floats() if elements is None else elements, unique=unique)


def tensors(shape: Shape | Strategy[Shape] | None = None,
            elements: Strategy[float] | None = None, unique: bool = False,
            requires_grad: bool = True) -> Strategy[Tensor]:
    """float64 leaf tensors, requiring grad by default."""
    return arrays(shape, elements, unique).map(
        lambda a: Tensor(a, requires_grad=requires_grad))


def broadcastable_shapes(num_shapes: int = 2, min_dims: int = 0, max_dims: int = 3,
                         max_side: int = 3) -> Strategy[tuple[Shape, ...]]:
    """Shapes that broadcast together, such as (3, 1) and (2, 1, 4)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, max_side=max_side,
    ).map(lambda b: b.input_shapes)


@st.composite
def matmul_shapes(draw: st.DrawFn, max_side: int = 3) -> tuple[Shape, Shape]:
    """Shape pairs that matmul accepts: 1-D and 2-D operands in every mix, and batches whose
    leading dims broadcast, such as (2, 1, 3, 4) @ (3, 4, 2)."""
    side = st.integers(1, max_side)
    n, k, m = draw(side), draw(side), draw(side)
    kind = draw(st.sampled_from(["vv", "vm", "mv", "mm", "batched", "vb", "bv"]))
    if kind == "vv":
        return (k,), (k,)
    if kind == "vm":
        return (k,), (k, m)
    if kind == "mv":
        return (n, k), (k,)
    if kind == "mm":
        return (n, k), (k, m)
    batch_a, batch_b = draw(broadcastable_shapes(2, min_dims=0, max_dims=2, max_side=2))
    if kind == "vb":
        return (k,), (*batch_b, k, m) if batch_b else (2, k, m)
    if kind == "bv":
        return (*batch_a, n, k) if batch_a else (2, n, k), (k,)
    if not batch_a and not batch_b:
        batch_a = (2,)
    return (*batch_a, n, k), (*batch_b, k, m)


@st.composite
def broadcastable_arrays(draw: st.DrawFn, *elements: Strategy[float],
                         max_dims: int = 3) -> tuple[np.ndarray, ...]:
    """One array per elements strategy, with shapes that broadcast together."""
    shape_list = draw(broadcastable_shapes(len(elements), max_dims=max_dims))
    return tuple(draw(arrays(s, e)) for s, e in zip(shape_list, elements, strict=True))


@st.composite
def matmul_arrays(draw: st.DrawFn, max_side: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """An (a, b) pair of arrays for a @ b, with shapes from matmul_shapes."""
    shape_a, shape_b = draw(matmul_shapes(max_side))
    return draw(arrays(shape_a)), draw(arrays(shape_b))


def class_targets(n: int, classes: int) -> Strategy[np.ndarray]:
    """int64 class indices in [0, classes), as cross_entropy takes them."""
    return hnp.arrays(np.int64, (n,), elements=st.integers(0, classes - 1))


def probabilities(shape: Shape, dim: int = -1) -> Strategy[np.ndarray]:
    """Rows (along dim) of positive probabilities that sum to 1: soft cross-entropy targets."""
    return arrays(shape, positive(0.1, 1.0)).map(lambda a: a / a.sum(dim, keepdims=True))
