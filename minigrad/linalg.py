"""minigrad.linalg: torch.linalg's norms (vector_norm, matrix_norm, norm) and matrix functions
(det, slogdet, inv, pinv, solve, matrix_power, cross, cholesky)."""

from __future__ import annotations

import numpy as np

from minigrad.ops.linalg import cholesky, det, matrix_power, slogdet, solve
from minigrad.ops.linalg import cross as _cross
from minigrad.ops.linalg import inverse as inv
from minigrad.ops.linalg import pinverse as _pinverse
from minigrad.ops.norms import linalg_norm as norm
from minigrad.ops.norms import matrix_norm, vector_norm
from minigrad.tensor import Tensor

__all__ = ["cholesky", "cross", "det", "inv", "matrix_norm", "matrix_power", "norm", "pinv",
           "slogdet", "solve", "vector_norm"]


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along dim (the last by default)."""
    return _cross(input, other, dim)


def pinv(A: Tensor, *, atol: float | None = None, rtol: float | None = None,
         hermitian: bool = False) -> Tensor:
    """The pseudo-inverse; singular values below rtol times the largest count as 0 (rtol
    defaults to eps * max(m, n), as in PyTorch). atol is not supported."""
    if atol:
        raise NotImplementedError("linalg.pinv: atol is not supported; give rtol")
    if rtol is None:
        rtol = float(np.finfo(A.dtype).eps) * max(A.shape[-2:]) if A.dtype.kind == "f" else 0.0
    return _pinverse(A, rtol)
