"""torch.svd_lowrank and torch.pca_lowrank: a rank-q SVD by randomized subspace iteration
(Halko, Martinsson and Tropp, 2011). Built from matmul, QR and SVD, so it differentiates; the
random start comes from minigrad's default generator (mg.manual_seed makes it repeatable)."""

from __future__ import annotations

from numbers import Integral

from minigrad import linalg, ops
from minigrad.creation import randn
from minigrad.tensor import Tensor

__all__ = ["pca_lowrank", "svd_lowrank"]


def _approximate_basis(A: Tensor, q: int, niter: int, M: Tensor | None) -> Tensor:
    """Q with orthonormal columns whose span holds most of A - M's range: the range of
    (A - M) R for a Gaussian R (n, q), refined by niter rounds of (A - M)(A - M)^T."""
    def times(x: Tensor) -> Tensor:
        return A @ x if M is None else A @ x - M @ x

    def transposed_times(x: Tensor) -> Tensor:
        return A.mT @ x if M is None else A.mT @ x - M.mT @ x

    R = randn(A.shape[-1], q, dtype=A.dtype)
    Q = linalg.qr(times(R)).Q
    for _ in range(niter):
        Q = linalg.qr(transposed_times(Q)).Q
        Q = linalg.qr(times(Q)).Q
    return Q


def svd_lowrank(A: Tensor, q: int | None = 6, niter: int | None = 2, M: Tensor | None = None
                ) -> tuple[Tensor, Tensor, Tensor]:
    """(U, S, V) with A - M ~ U diag(S) V^T of rank at most q, for a matrix or a batch of them:
    exact when A - M has rank <= q (up to rounding), else close to the best rank-q
    approximation when the singular values beyond q are small. Random, as torch's."""
    if not isinstance(A, Tensor):
        raise TypeError(f"svd_lowrank(): A must be a Tensor, got {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"svd_lowrank: A must be a matrix or a batch of matrices, got shape "
                           f"{tuple(A.shape)}")
    if A.dtype.kind != "f":
        raise RuntimeError(f"svd_lowrank: A must be floating point, got {A.dtype}")
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    if isinstance(q, bool) or not isinstance(q, Integral) or q < 0:
        raise RuntimeError(f"svd_lowrank: q must be a non-negative int, got {q!r}")
    if M is not None:
        M = ops.broadcast_to(M.to(A.dtype), A.shape)
    m, n = A.shape[-2:]
    if m < n:  # work on the tall transpose
        A, M = A.mT, (None if M is None else M.mT)
    Q = _approximate_basis(A, int(q), int(niter), M)
    B = Q.mT @ (A if M is None else A - M)
    U, S, Vh = linalg.svd(B, full_matrices=False)
    U, V = Q @ U, Vh.mT
    return (V, S, U) if m < n else (U, S, V)


def pca_lowrank(A: Tensor, q: int | None = None, center: bool = True, niter: int = 2
                ) -> tuple[Tensor, Tensor, Tensor]:
    """svd_lowrank of A with each column's mean removed (center): the principal directions are
    V's columns, the data's coordinates along them U diag(S). q defaults to min(6, m, n)."""
    if not isinstance(A, Tensor):
        raise TypeError(f"pca_lowrank(): A must be a Tensor, got {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"pca_lowrank: A must be a matrix or a batch of matrices, got "
                           f"shape {tuple(A.shape)}")
    m, n = A.shape[-2:]
    q = min(6, m, n) if q is None else q
    if isinstance(q, bool) or not isinstance(q, Integral) or not 0 <= q <= min(m, n):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than "
                         f"min(m, n)={min(m, n)}")
    if isinstance(niter, bool) or not isinstance(niter, Integral) or niter < 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if center:
        A = A - A.mean(-2, keepdim=True)
    return svd_lowrank(A, q, niter)
