"""minigrad.linalg: torch.linalg's norms (vector_norm, matrix_norm, norm), matrix functions
(det, slogdet, inv, pinv, solve, matrix_power, matrix_exp, cross, cholesky, multi_dot,
householder_product, solve_triangular, lu_solve, tensorinv, tensorsolve, vander, vecdot, the
_ex variants), decompositions (svd, svdvals, qr, eigh, eigvalsh, eig, eigvals, lu, lu_factor,
ldl_factor, ldl_solve),
the functions built on them (lstsq, matrix_rank, cond) and LinAlgError (a singular or not
positive-definite matrix)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad import return_types
from minigrad.ops.decomp import (
    _float_matrices,
    _lapack,
    eig,
    eigh,
    eigvals,
    eigvalsh,
    householder_product,
    ldl_factor,
    ldl_factor_ex,
    ldl_solve,
    lu_factor,
    lu_factor_ex,
    matrix_exp,
    multi_dot,
    solve_triangular,
    svdvals,
)
from minigrad.ops.decomp import linalg_lu as lu
from minigrad.ops.decomp import linalg_lu_solve as lu_solve
from minigrad.ops.decomp import linalg_qr as qr
from minigrad.ops.decomp import linalg_svd as svd
from minigrad.ops.elementwise import where
from minigrad.ops.linalg import (
    LinAlgError,
    _square_matrices,
    cholesky,
    det,
    matrix_power,
    solve,
)
from minigrad.ops.linalg import cross as _cross
from minigrad.ops.linalg import inverse as inv
from minigrad.ops.linalg import matmul as _matmul
from minigrad.ops.linalg import pinverse as _pinverse
from minigrad.ops.linalg import slogdet as _slogdet
from minigrad.ops.norms import linalg_norm as norm
from minigrad.ops.norms import matrix_norm, vector_norm
from minigrad.ops.shape import diagonal as _diagonal
from minigrad.ops.shape import stack as _stack
from minigrad.tensor import Tensor

__all__ = ["LinAlgError", "cholesky", "cond", "cross", "det", "eig", "eigh", "eigvals", "eigvalsh",
           "householder_product", "inv", "lstsq", "matrix_exp", "matrix_norm", "matrix_power",
           "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "svd",
           "svdvals", "vector_norm"]
__all__ += ["cholesky_ex", "diagonal", "inv_ex", "matmul", "solve_ex", "solve_triangular",
            "tensorinv", "tensorsolve", "vander", "vecdot"]
__all__ += ["ldl_factor", "ldl_factor_ex", "ldl_solve", "lu", "lu_factor", "lu_factor_ex",
            "lu_solve"]


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
        rtol = _default_rtol(A) if A.dtype.kind == "f" else 0.0
    with _lapack("linalg.pinv"):
        return _pinverse(A, rtol)


def _default_rtol(A: Tensor) -> float:
    """eps * max(m, n): PyTorch's default relative cut for small singular values."""
    return float(np.finfo(A.dtype).eps) * max(A.shape[-2:])


LinalgLstsq = return_types.linalg_lstsq
_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None
          ) -> LinalgLstsq:
    """X minimizing ||A X - B|| (the least-norm one when A is rank deficient), B a matrix or
    a vector (B.ndim == A.ndim - 1), batch dims broadcast. The other fields as PyTorch fills
    them for each LAPACK driver on CPU (default 'gelsy'): rank for all but 'gels', the
    singular values for 'gelsd' and 'gelss', and the squared residuals (sum over rows of
    (A X - B)^2) when m > n for 'gels', and for 'gelsd' and 'gelss' if every A has rank n;
    empty tensors otherwise. Singular values at most rcond times the largest count as 0
    (rcond defaults to eps * max(m, n)). X is pinv(A) @ B, differentiable in A and B; 'gels'
    assumes full rank, and LAPACK's answer for a rank-deficient A (not the least-norm one)
    is not reproduced."""
    op = "linalg.lstsq"
    _float_matrices(op, A)
    if not isinstance(B, Tensor) or B.ndim > A.ndim or A.ndim - B.ndim > 1:
        shape = B.shape if isinstance(B, Tensor) else type(B).__name__
        raise RuntimeError(f"{op}: B must have as many dims as A or one fewer (a vector), got "
                           f"A of shape {A.shape} and B of shape {shape}")
    if B.dtype != A.dtype:
        raise RuntimeError(f"{op}: expected A and B to have one dtype, got {A.dtype} and "
                           f"{B.dtype}")
    driver = "gelsy" if driver is None else driver
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(f"{op}: driver must be one of {', '.join(_LSTSQ_DRIVERS)}, got "
                           f"{driver!r}")
    vector = B.ndim == A.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    m, n = A.shape[-2:]
    if Bm.shape[-2] != m:
        raise RuntimeError(f"{op}: A of shape {A.shape} and B of shape {B.shape} have different "
                           f"numbers of rows ({m} != {Bm.shape[-2]})")
    try:
        batch = np.broadcast_shapes(A.shape[:-2], Bm.shape[:-2])
    except ValueError:
        raise RuntimeError(f"{op}: the batch dims of A {A.shape} and B {B.shape} do not "
                           "broadcast") from None
    A, Bm = A.expand(*batch, m, n), Bm.expand(*batch, *Bm.shape[-2:])
    rcond = _default_rtol(A) if rcond is None else float(rcond)
    with _lapack(op):
        X = _pinverse(A, rcond) @ Bm
        sv = np.linalg.svd(A.array, compute_uv=False)
    rank = (sv > rcond * sv[..., :1]).sum(-1) if sv.shape[-1] else np.zeros(batch, np.int64)
    empty = Tensor._make(np.empty(0, A.dtype))
    full_rank = driver == "gels" or driver != "gelsy" and bool(np.all(rank == n))
    residuals = ((A @ X - Bm) ** 2).sum(-2) if m > n and full_rank else empty
    return LinalgLstsq(X.squeeze(-1) if vector else X, residuals,
                       Tensor._make(np.empty(0, np.int64) if driver == "gels"
                                    else np.asarray(rank, np.int64)),
                       Tensor._make(sv) if driver in ("gelsd", "gelss") else empty)


def _tolerance(value: Any) -> np.ndarray:
    return np.asarray(value.array if isinstance(value, Tensor) else value, np.float64)


def matrix_rank(A: Tensor, tol: float | None = None, hermitian: bool = False, *,
                atol: Any = None, rtol: Any = None) -> Tensor:
    """The number of singular values (|eigenvalues| when hermitian, read from the lower
    triangle) above max(atol, rtol * the largest), as int64 per matrix. rtol defaults to
    eps * max(m, n), or 0 when a positive atol is given; tol is the old name of atol (with
    rtol 0)."""
    _float_matrices("linalg.matrix_rank", A, square=hermitian)
    if tol is not None:
        if atol is not None or rtol is not None:
            raise RuntimeError("linalg.matrix_rank: give tol or atol and rtol, not both")
        atol, rtol = tol, 0.0
    atol_a = _tolerance(0.0 if atol is None else atol)
    if rtol is None:
        rtol = _default_rtol(A) if atol is None or np.all(atol_a <= 0) else 0.0
    with _lapack("linalg.matrix_rank"):
        values = (np.abs(np.linalg.eigvalsh(A.array)) if hermitian
                  else np.linalg.svd(A.array, compute_uv=False))
    if values.shape[-1] == 0:
        return Tensor._make(np.zeros(A.shape[:-2], np.int64))
    largest = values.max(-1, keepdims=True)
    cut = np.maximum(atol_a[..., None], _tolerance(rtol)[..., None] * largest)
    return Tensor._make(np.asarray((values > cut).sum(-1), np.int64))


def cond(A: Tensor, p: Any = None) -> Tensor:
    """The condition number: for p None or 2 the ratio of the largest singular value to the
    smallest (-2: its inverse), any shape; for 'fro', 'nuc', 1, -1, inf and -inf,
    matrix_norm(A, p) * matrix_norm(inv(A), p) of a square A, inf where A is singular."""
    _float_matrices(f"linalg.cond(ord={p})", A)
    if p in (None, 2, -2):
        s = svdvals(A)
        if s.shape[-1] == 0:  # empty matrices: 0, as PyTorch
            return Tensor._make(np.zeros(s.shape[:-1], A.dtype))
        largest, smallest = s[..., 0], s[..., -1]
        with np.errstate(divide="ignore"):
            return largest / smallest if p != -2 else smallest / largest
    if p not in ("fro", "nuc", 1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.cond: p must be None, 'fro', 'nuc', 2, -2, 1, -1, inf or "
                           f"-inf, got {p!r}")
    _square_matrices(f"linalg.cond(ord={p})", A)
    singular = Tensor._make(_singular(A.array))
    eye = np.eye(A.shape[-1], dtype=A.dtype)
    safe = where(singular.unsqueeze(-1).unsqueeze(-1), eye, A)  # singular A: inf, below
    value = matrix_norm(safe, p) * matrix_norm(inv(safe), p)
    return where(singular, math.inf, value)


def _singular(a: np.ndarray) -> np.ndarray:
    """Which matrices of a stack LAPACK's LU finds singular (exactly zero pivots)."""
    try:
        np.linalg.inv(a)
        return np.zeros(a.shape[:-2], bool)
    except np.linalg.LinAlgError:
        if a.ndim == 2:
            return np.array(True)
        return np.array([_singular(m) for m in a.reshape(-1, *a.shape[-2:])]).reshape(
            a.shape[:-2])


# *** torch.linalg's other functions, built from the ops above ***
def slogdet(A: Tensor) -> return_types.linalg_slogdet:
    """(sign, log|det|) as torch.slogdet, under torch.linalg's result name."""
    return return_types.linalg_slogdet(*_slogdet(A))


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """torch.linalg.matmul: the same as `input @ other`."""
    return _matmul(input, other)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """torch.linalg.diagonal: A's diagonal over its last two dims by default."""
    return _diagonal(A, offset, dim1, dim2)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """The dot product of x and y (broadcast together) along dim."""
    return (x * y).sum(dim)


def vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """The Vandermonde matrix of the last dim of x, powers increasing: out[..., i, j] =
    x[..., i]^j for j < N (N defaults to x's length)."""
    if not isinstance(x, Tensor) or x.ndim < 1:
        raise RuntimeError(f"linalg.vander: x must have at least 1 dimension, got "
                           f"{getattr(x, 'shape', type(x).__name__)}")
    N = x.shape[-1] if N is None else N
    if N < 1:
        raise RuntimeError(f"linalg.vander: N must be greater than 1, got {N}")
    powers = [Tensor._make(np.ones_like(x.array))]
    for _ in range(N - 1):
        powers.append(powers[-1] * x)
    return _stack(powers, -1)


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:
    """The inverse of A seen as a linear map from its last dims to its first ind dims: of
    shape A.shape[ind:] + A.shape[:ind]."""
    if ind <= 0:
        raise RuntimeError(f"linalg.tensorinv: expected a strictly positive integer for ind, "
                           f"got {ind}")
    rows, cols = math.prod(A.shape[:ind]), math.prod(A.shape[ind:])
    if rows != cols:
        raise RuntimeError(f"linalg.tensorinv: A of shape {A.shape} with ind={ind} is not "
                           f"square as a map ({rows} != {cols})")
    return inv(A.reshape(rows, cols)).reshape(*A.shape[ind:], *A.shape[:ind])


def tensorsolve(A: Tensor, B: Tensor, dims: tuple[int, ...] | None = None) -> Tensor:
    """X with tensordot(A, X, X.ndim) = B; dims names dims of A moved to the end first."""
    if dims is not None:
        A = A.movedim(tuple(dims), tuple(range(A.ndim - len(dims), A.ndim)))
    rows, cols = B.numel(), math.prod(A.shape[B.ndim:])
    if A.shape[:B.ndim] != B.shape or rows != cols:
        raise RuntimeError(f"linalg.tensorsolve: A of shape {A.shape} does not fit B of shape "
                           f"{B.shape} (A must be B's shape followed by dims of {rows} "
                           "elements)")
    return solve(A.reshape(rows, cols), B.reshape(rows)).reshape(*A.shape[B.ndim:])


# *** the _ex variants: (result, info) ***
LinalgInvEx = return_types.linalg_inv_ex
LinalgCholeskyEx = return_types.linalg_cholesky_ex
LinalgSolveEx = return_types.linalg_solve_ex


def _with_info(op: str, compute: Any, A: Tensor) -> tuple[Tensor, Tensor]:
    """compute() and info = 0 (int32, one per matrix). Where LAPACK fails, PyTorch returns its
    partial result with a positive info unless check_errors; minigrad cannot reproduce that
    partial result, so it raises LinAlgError either way."""
    try:
        result = compute()
    except LinAlgError as e:
        raise LinAlgError(f"{op}: {e} (minigrad raises even with check_errors=False: it does "
                          "not return LAPACK's partial result and info code)") from None
    return result, Tensor._make(np.zeros(A.shape[:-2], np.int32))


def inv_ex(A: Tensor, *, check_errors: bool = False) -> LinalgInvEx:
    """(inv(A), info) with info 0; a singular A raises LinAlgError (see _with_info)."""
    return LinalgInvEx(*_with_info("linalg.inv_ex", lambda: inv(A), A))


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False
                ) -> LinalgCholeskyEx:
    """(cholesky(A, upper), info) with info 0; an A that is not positive-definite raises
    LinAlgError (see _with_info)."""
    return LinalgCholeskyEx(*_with_info("linalg.cholesky_ex", lambda: cholesky(A, upper), A))


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False
             ) -> LinalgSolveEx:
    """(solve(A, B, left=left), info) with info 0; a singular A raises LinAlgError."""
    return LinalgSolveEx(*_with_info("linalg.solve_ex", lambda: solve(A, B, left=left), A))

