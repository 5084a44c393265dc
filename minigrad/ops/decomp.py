"""Matrix decompositions and the matrix functions built on them: torch.linalg's svd, svdvals,
qr, eigh, eigvalsh, eig, eigvals, lu, lu_factor, ldl_factor, matrix_exp, multi_dot and
householder_product, and torch's svd, qr (old APIs), lu_unpack, geqrf, orgqr and ormqr. Forward
runs numpy's LAPACK routines (LU, LDL^T and geqrf: LAPACK's unblocked algorithms written in
numpy) on every matrix of a batch; the
backward passes are written with Tensor ops from the standard perturbation formulas, so they
can be differentiated again."""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator, Sequence

import numpy as np

from minigrad import return_types
from minigrad.function import Function
from minigrad.ops.linalg import LinAlgError, _square_matrices, matmul, solve
from minigrad.ops.shape import cat
from minigrad.tensor import Tensor

# PyTorch's torch.return_types, field for field
LinalgSVD = return_types.linalg_svd
SVDResult = return_types.svd
LinalgQR = return_types.linalg_qr
QRResult = return_types.qr
LinalgEigh = return_types.linalg_eigh
LinalgEig = return_types.linalg_eig


def _float_matrices(op: str, A: Tensor, square: bool = False) -> None:
    """Refuse what op cannot decompose, as PyTorch does (RuntimeError): fewer than 2 dims, a
    non-floating dtype, and (square) a non-square matrix."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}: expected a Tensor as A, got {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{op}: A must have at least 2 dimensions, got shape {A.shape}")
    if A.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point tensor as A, got {A.dtype}")
    if square:
        _square_matrices(op, A)


@contextlib.contextmanager
def _lapack(op: str) -> Iterator[None]:
    """numpy's LinAlgError (non-finite input, no convergence) as torch.linalg's, naming op."""
    try:
        yield
    except np.linalg.LinAlgError as e:
        raise LinAlgError(f"{op}: {e} (does the input hold nan or inf?)") from None


def _off_diagonal_inverse(diff: Tensor) -> Tensor:
    """F with F_ij = 1 / diff_ij off the diagonal and 0 on it (diff's diagonal is 0)."""
    eye = np.eye(diff.shape[-1], dtype=diff.dtype)
    return (1 - eye) / (diff + eye)


# *** singular value decomposition ***
class SVD(Function):
    @staticmethod
    def forward(ctx, a, full_matrices):
        with _lapack("linalg.svd"):
            u, s, vh = np.linalg.svd(a.array, full_matrices=full_matrices)
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, g_u, g_s, g_vh):
        """For A = U S V^T (m x n, k = min(m, n) singular values), with J = U^T gU,
        K = V^T gV and F_ij = 1 / (s_j^2 - s_i^2) off the diagonal (Townsend's formula):
        gA = U [diag(gS) + (F o (J - J^T)) S + S (F o (K - K^T))] V^T
             + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T).
        With full_matrices, the columns of U and rows of Vh past k are any basis of the
        complement and get no gradient (as in PyTorch, which narrows them away too)."""
        u, s, vh = ctx.saved_tensors
        k = s.shape[-1]
        u, vh, g_u, g_vh = u[..., :k], vh[..., :k, :], g_u[..., :k], g_vh[..., :k, :]
        if not (g_u.array.any() or g_vh.array.any()):  # only S used: no F, so repeated
            return u @ (g_s.diag_embed() @ vh), None   # singular values are fine, as in PyTorch
        v = vh.mT
        j, kk = u.mT @ g_u, vh @ g_vh.mT  # U^T gU and V^T gV
        s2 = s * s
        f = _off_diagonal_inverse(s2.unsqueeze(-2) - s2.unsqueeze(-1))
        inner = (f * (j - j.mT)) * s.unsqueeze(-2) + s.unsqueeze(-1) * (f * (kk - kk.mT))
        grad = u @ (inner + g_s.diag_embed()) @ vh
        if u.shape[-2] > k:  # the part of gU outside U's column space
            grad = grad + ((g_u - u @ j) / s.unsqueeze(-2)) @ vh
        if v.shape[-2] > k:  # the part of gV outside V's column space
            grad = grad + (u / s.unsqueeze(-2)) @ (g_vh - kk.mT @ vh)
        return grad, None


def linalg_svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None
               ) -> LinalgSVD:
    """(U, S, Vh) with A = U diag(S) Vh, S descending; U (m, m) and Vh (n, n), or (m, k) and
    (k, n) with k = min(m, n) when full_matrices=False. The signs of U's columns (and Vh's
    rows) are not unique: differentiate only what does not depend on them."""
    _float_matrices("linalg.svd", A)
    if driver is not None:
        raise ValueError(f"linalg.svd: driver={driver!r} is only for CUDA inputs; leave it None")
    return LinalgSVD(*SVD.apply(A, bool(full_matrices)))


def svdvals(A: Tensor, *, driver: str | None = None) -> Tensor:
    """The singular values of A (or of each matrix of a batch), descending."""
    _float_matrices("linalg.svdvals", A)
    return linalg_svd(A, full_matrices=False, driver=driver).S


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> SVDResult:
    """torch.svd, the old API: (U, S, V) with input = U diag(S) V^T (V, not V^T); some=False
    gives the full square U and V. compute_uv=False returns zero U (m, m) and V (n, n)."""
    _float_matrices("svd", input)
    if not compute_uv:
        m, n = input.shape[-2:]
        zeros = [Tensor._make(np.zeros((*input.shape[:-2], k, k), input.dtype)) for k in (m, n)]
        return SVDResult(zeros[0], svdvals(input), zeros[1])
    u, s, vh = linalg_svd(input, full_matrices=not some)
    return SVDResult(u, s, vh.mT)


# *** QR ***
_QR_MODES = ("reduced", "complete", "r")


class QR(Function):
    @staticmethod
    def forward(ctx, a, mode):
        ctx.mode, ctx.shape = mode, a.shape
        if mode == "r":
            r = np.linalg.qr(a.array, mode="r")
            return np.empty(0, a.dtype), r
        q, r = np.linalg.qr(a.array, mode=mode)
        ctx.save_for_backward(a, q, r)
        return q, r

    @staticmethod
    def backward(ctx, g_q, g_r):
        """Square or tall A = QR: M = R gR^T - gQ^T Q, gA = (gQ + Q sym(M)) R^-T, where
        sym(M) copies M's strict lower triangle onto its upper one. Wide A = Q [X | Y]: the
        formula for its square block X = Q R1, with gQ + Y gR2^T for gQ, beside Q gR2 for Y."""
        m, n = ctx.shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError("linalg.qr: the derivative of linalg.qr depends on Q, which is "
                               "not computed when mode='r'; use mode='reduced' to "
                               "differentiate through linalg.qr")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError(f"linalg.qr: the QR decomposition of a {m} by {n} matrix "
                               "(nrows > ncols) is not differentiable when mode='complete'")
        a, q, r = ctx.saved_tensors
        if m >= n:
            return _qr_square_backward(q, r, g_q, g_r), None
        r1, g_r1, g_r2 = r[..., :m], g_r[..., :m], g_r[..., m:]
        y = a[..., m:]
        g_x = _qr_square_backward(q, r1, g_q + y @ g_r2.mT, g_r1)
        return cat([g_x, q @ g_r2], -1), None


def _qr_square_backward(q: Tensor, r: Tensor, g_q: Tensor, g_r: Tensor) -> Tensor:
    """gA for A = QR with R square and invertible (see QR.backward)."""
    m = r @ g_r.mT - g_q.mT @ q
    sym = m.tril() + m.tril(-1).mT
    return solve(r, (g_q + q @ sym).mT).mT  # X R^-T = (R^-1 X^T)^T


def linalg_qr(A: Tensor, mode: str = "reduced") -> LinalgQR:
    """(Q, R) with A = QR, Q with orthonormal columns and R upper triangular: Q (m, k) and
    R (k, n) for k = min(m, n) (mode 'reduced'), Q (m, m) and R (m, n) ('complete'), or an
    empty Q and R only ('r')."""
    _float_matrices("linalg.qr", A)
    if mode not in _QR_MODES:
        raise RuntimeError(f"linalg.qr: unrecognized mode {mode!r}; expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    return LinalgQR(*QR.apply(A, mode))


def qr(input: Tensor, some: bool = True) -> QRResult:
    """torch.qr, the old API: linalg.qr with mode 'reduced' (some=True) or 'complete'."""
    _float_matrices("qr", input)
    return QRResult(*QR.apply(input, "reduced" if some else "complete"))


# *** eigenvalues ***
class Eigh(Function):
    @staticmethod
    def forward(ctx, a, uplo):
        with _lapack("linalg.eigh"):
            w, v = np.linalg.eigh(a.array, UPLO=uplo)
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, g_w, g_v):
        """For symmetric A = V diag(w) V^T, with F_ij = 1 / (w_j - w_i) off the diagonal:
        gA = V (diag(gw) + F o (V^T gV - gV^T V) / 2) V^T, symmetric as PyTorch's."""
        w, v = ctx.saved_tensors
        if not g_v.array.any():  # only the eigenvalues used: repeated ones are fine
            return v @ (g_w.diag_embed() @ v.mT), None
        m = v.mT @ g_v
        f = _off_diagonal_inverse(w.unsqueeze(-2) - w.unsqueeze(-1))
        return v @ (g_w.diag_embed() + f * (m - m.mT) * 0.5) @ v.mT, None


def _uplo(op: str, UPLO: str) -> str:
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"{op}: expected UPLO to be 'L' or 'U', got {UPLO!r}")
    return UPLO


def eigh(A: Tensor, UPLO: str = "L") -> LinalgEigh:
    """(eigenvalues ascending, eigenvectors as columns) of a symmetric matrix, read from its
    lower (UPLO='L') or upper ('U') triangle. Eigenvector signs are not unique."""
    _float_matrices("linalg.eigh", A, square=True)
    return LinalgEigh(*Eigh.apply(A, _uplo("linalg.eigh", UPLO)))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of a symmetric matrix, ascending (see eigh)."""
    _float_matrices("linalg.eigvalsh", A, square=True)
    return Eigh.apply(A, _uplo("linalg.eigvalsh", UPLO))[0]


class Eig(Function):
    @staticmethod
    def forward(ctx, a):
        with _lapack("linalg.eig"):
            w, v = np.linalg.eig(a.array)
        complex_dtype = np.result_type(a.dtype, np.complex64)
        return w.astype(complex_dtype), v.astype(complex_dtype)

    @staticmethod
    def backward(ctx, g_w, g_v):
        raise NotImplementedError("linalg.eig: the gradient of eig and eigvals (complex "
                                  "outputs) is not supported by minigrad; for a symmetric "
                                  "matrix use linalg.eigh or linalg.eigvalsh")


def eig(A: Tensor) -> LinalgEig:
    """(eigenvalues, eigenvectors as unit columns) of a square matrix, always complex as in
    PyTorch (complex128 for float64). Without gradient: backward raises."""
    _float_matrices("linalg.eig", A, square=True)
    return LinalgEig(*Eig.apply(A))


def eigvals(A: Tensor) -> Tensor:
    """The (complex) eigenvalues of a square matrix; without gradient (see eig)."""
    _float_matrices("linalg.eigvals", A, square=True)
    return Eig.apply(A)[0]


# *** matrix functions ***
def _exp_taylor(a: np.ndarray) -> np.ndarray:
    """exp(A) by scaling and squaring: A / 2^s has 1-norm at most 1/2, where its Taylor series
    to degree 18 is exact in float64 (the next term is below 2^-19 / 19! ~ 1e-23)."""
    norm = np.abs(a).sum(-2).max() if a.size else 0.0
    s = max(0, int(np.ceil(np.log2(norm / 0.5)))) if 0 < norm < np.inf else 0  # nan, inf: 0
    a = a / 2.0**s
    eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)
    out = eye.copy()
    for k in range(18, 0, -1):  # Horner: I + A/1 (I + A/2 (I + ... ))
        out = eye + (a @ out) / k
    for _ in range(s):
        out = out @ out
    return out


class MatrixExp(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore", over="ignore"):  # nan and inf, as in PyTorch
            return _exp_taylor(a.array).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        """gA is the Frechet derivative of exp at A^T applied to g, which is the top right
        block of exp([[A^T, g], [0, A^T]]) (Mathias's block-matrix identity)."""
        (a,) = ctx.saved_tensors
        at = a.mT
        top = cat([at, g], -1)
        bottom = cat([at * 0, at], -1)
        n = a.shape[-1]
        return MatrixExp.apply(cat([top, bottom], -2))[..., :n, n:]


def matrix_exp(A: Tensor) -> Tensor:
    """exp(A) = sum_k A^k / k! of a square matrix (or of each in a batch)."""
    _float_matrices("linalg.matrix_exp", A, square=True)
    return MatrixExp.apply(A)


def multi_dot(tensors: Sequence[Tensor]) -> Tensor:
    """The product of a chain of matrices, in the order of fewest scalar multiplications (as
    PyTorch chooses it); the first may be a (row) vector and the last a (column) vector,
    whose dim is then dropped from the result."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.ndim not in allowed:
            which = ("the first tensor" if i == 0 else "the last tensor"
                     if i == len(tensors) - 1 else f"tensor {i}")
            raise RuntimeError(f"multi_dot(): {which} must be "
                               f"{' or '.join(f'{d}D' for d in allowed)} but got {t.ndim}D "
                               f"(shape {t.shape})")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have one dtype, but tensor 0 is "
                               f"{tensors[0].dtype} and tensor {i} is {t.dtype}")
    first, last = tensors[0].ndim == 1, tensors[-1].ndim == 1
    chain = [t.unsqueeze(0) if i == 0 and first else t.unsqueeze(1)
             if i == len(tensors) - 1 and last else t for i, t in enumerate(tensors)]
    for i in range(1, len(chain)):
        if chain[i - 1].shape[1] != chain[i].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i - 1} and {i} with shapes "
                               f"{tensors[i - 1].shape} and {tensors[i].shape} cannot be "
                               "multiplied")
    split = _chain_order([chain[0].shape[0]] + [t.shape[1] for t in chain])

    def product(i: int, j: int) -> Tensor:
        """chain[i] @ ... @ chain[j], split where split[i][j] says."""
        if i == j:
            return chain[i]
        k = split[i][j]
        return matmul(product(i, k), product(k + 1, j))

    out = product(0, len(chain) - 1)
    out = out.squeeze(0) if first else out
    return out.squeeze(-1) if last else out


def _chain_order(dims: list[int]) -> list[list[int]]:
    """The matrix-chain dynamic programme: matrix i is dims[i] x dims[i + 1]; split[i][j] is
    the k where chain i..j is best split into (i..k)(k+1..j)."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j], split[i][j] = min(
                (cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1], k)
                for k in range(i, j))
    return split


# *** Householder reflectors: geqrf, householder_product (orgqr), ormqr ***
Geqrf = return_types.geqrf


def _check_reflectors(op: str, A: Tensor, tau: Tensor) -> None:
    """A (*, m, n) holding reflectors below its diagonal and tau (*, k) their scales."""
    _float_matrices(op, A)
    if not isinstance(tau, Tensor) or tau.ndim != A.ndim - 1 or tau.shape[:-1] != A.shape[:-2]:
        shape = tau.shape if isinstance(tau, Tensor) else type(tau).__name__
        raise RuntimeError(f"{op}: tau must have A's batch dims {A.shape[:-2]} and one more, "
                           f"got shape {shape} for A of shape {A.shape}")
    if tau.dtype != A.dtype:
        raise RuntimeError(f"{op}: A and tau must have one dtype, got {A.dtype} and {tau.dtype}")


def _apply_reflectors(A: Tensor, tau: Tensor, C: Tensor, left: bool, transpose: bool
                      ) -> Tensor:
    """Q C, Q^T C, C Q or C Q^T for Q = H_1 ... H_k, H_i = I - tau_i v_i v_i^T, where v_i is
    column i of A below the diagonal with a 1 on it (how geqrf stores Q). Tensor ops only,
    so differentiable in A (its strict lower triangle), tau and C."""
    m, n = A.shape[-2:]
    reflectors = A.tril(-1) + np.eye(m, n, dtype=A.dtype)
    k = tau.shape[-1]
    order = range(k) if left == transpose else range(k - 1, -1, -1)  # the H nearest C first
    for i in order:
        v, t = reflectors[..., i:i + 1], tau[..., i, None, None]
        C = C - t * (v @ (v.mT @ C)) if left else C - t * ((C @ v) @ v.mT)
    return C


def householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """The first n columns of H_1 ... H_k (see _apply_reflectors): torch.linalg's
    householder_product, or torch.orgqr. Differentiable."""
    op = "linalg.householder_product"
    _check_reflectors(op, A, tau)
    m, n = A.shape[-2:]
    if m < n or n < tau.shape[-1]:
        raise RuntimeError(f"{op}: expected A's shape (m, n) and tau's (k,) with m >= n >= k, "
                           f"got A of shape {A.shape} and tau of shape {tau.shape}")
    eye = Tensor._make(np.broadcast_to(np.eye(m, n, dtype=A.dtype), A.shape).copy())
    return _apply_reflectors(A, tau, eye, left=True, transpose=False)


def orgqr(input: Tensor, tau: Tensor) -> Tensor:
    """torch.orgqr: householder_product under its LAPACK name."""
    return householder_product(input, tau)


def ormqr(input: Tensor, tau: Tensor, other: Tensor, left: bool = True,
          transpose: bool = False) -> Tensor:
    """Q @ other (Q^T with transpose; other @ Q with left=False) for the Q = H_1 ... H_k that
    geqrf packs in input and tau, without forming Q. Differentiable."""
    _check_reflectors("ormqr", input, tau)
    if not isinstance(other, Tensor) or other.ndim != input.ndim:
        raise RuntimeError(f"ormqr: other must be a Tensor with input's number of dims, got "
                           f"{getattr(other, 'shape', type(other).__name__)} for input of "
                           f"shape {input.shape}")
    size = other.shape[-2] if left else other.shape[-1]
    if input.shape[-2] != size or tau.shape[-1] > min(input.shape[-2:]):
        raise RuntimeError(f"ormqr: input of shape {input.shape} and tau of shape {tau.shape} "
                           f"do not fit other of shape {other.shape} (input needs "
                           f"{size} rows and at least as many columns as tau)")
    return _apply_reflectors(input, tau, other, left, transpose)


class GeQRF(Function):
    @staticmethod
    def forward(ctx, a):
        return _geqrf(a.array)

    @staticmethod
    def backward(ctx, g_a, g_tau):
        raise NotImplementedError("geqrf: the derivative of geqrf is not implemented (as in "
                                  "PyTorch); differentiate linalg.qr instead")


def _geqrf(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LAPACK's geqrf, unblocked: for each column j, the reflector H = I - tau v v^T (v_0 = 1)
    with H x = (beta, 0, ...), beta = -sign(x_0) |x| (tau = 0 when x is 0 below x_0), stored
    below the diagonal; R on and above it."""
    m, n = a.shape[-2:]
    k = min(m, n)
    r = a.reshape(math.prod(a.shape[:-2]), m, n).copy()
    tau = np.zeros((len(r), k), a.dtype)
    for j in range(k):
        alpha, below = r[:, j, j], r[:, j + 1:, j]
        active = np.linalg.norm(below, axis=1) != 0
        beta = -np.copysign(np.sqrt(alpha**2 + (below**2).sum(1)), alpha)
        beta = np.where(active, beta, alpha)
        with np.errstate(invalid="ignore", divide="ignore"):
            tau[:, j] = np.where(active, (beta - alpha) / beta, 0)
            r[:, j + 1:, j] = np.where(active[:, None], below / (alpha - beta)[:, None], below)
        r[:, j, j] = beta
        v = np.concatenate([np.ones((len(r), 1), a.dtype), r[:, j + 1:, j]], axis=1)
        w = np.einsum("bi,bik->bk", v, r[:, j:, j + 1:])
        r[:, j:, j + 1:] -= tau[:, j, None, None] * v[:, :, None] * w[:, None, :]
    return r.reshape(a.shape), tau.reshape(*a.shape[:-2], k)


def geqrf(input: Tensor) -> Geqrf:
    """torch.geqrf: (a, tau), R on and above a's diagonal and the Householder reflectors of Q
    below it, as LAPACK stores a QR decomposition (see householder_product, ormqr)."""
    _float_matrices("geqrf", input)
    return Geqrf(*GeQRF.apply(input))


# *** LU with partial pivoting ***
LinalgLUFactor = return_types.linalg_lu_factor
LinalgLUFactorEx = return_types.linalg_lu_factor_ex
LinalgLU = return_types.linalg_lu
LUUnpack = return_types.lu_unpack


def _getrf(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LAPACK's getrf, unblocked, on every matrix of a stack: L (unit diagonal, not stored)
    and U packed in one array, and the 1-based row swaps (int32). Each column's pivot is its
    entry of largest size; a zero pivot is left in place and its column not divided."""
    m, n = a.shape[-2:]
    lu = a.reshape(math.prod(a.shape[:-2]), m, n).copy()
    pivots = np.zeros((len(lu), min(m, n)), np.int32)
    batch = np.arange(len(lu))
    for j in range(min(m, n)):
        p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)
        pivots[:, j] = p + 1
        lu[batch, [j], :], lu[batch, p, :] = lu[batch, p, :], lu[batch, j, :].copy()
        pivot = lu[:, j, j]
        safe = np.where(pivot == 0, 1, pivot)
        lu[:, j + 1:, j] /= safe[:, None]
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, None, j, j + 1:]
    return lu.reshape(a.shape), pivots.reshape(*a.shape[:-2], min(m, n))


def _permutation(pivots: np.ndarray, m: int) -> np.ndarray:
    """perm with A[..., perm, :] = L U, from the 1-based row swaps made in order."""
    swaps = pivots.reshape(math.prod(pivots.shape[:-1]), pivots.shape[-1]).astype(np.int64) - 1
    perm = np.tile(np.arange(m), (len(swaps), 1))
    batch = np.arange(len(swaps))
    for j in range(swaps.shape[-1]):
        perm[batch, j], perm[batch, swaps[:, j]] = perm[batch, swaps[:, j]], perm[batch, j]
    return perm.reshape(*pivots.shape[:-1], m)


def _permutation_matrix(pivots: np.ndarray, m: int, dtype: np.dtype) -> np.ndarray:
    """P with A = P L U: P[i, j] = 1 where perm[j] = i."""
    perm = _permutation(pivots, m)
    return (perm[..., None, :] == np.arange(m)[:, None]).astype(dtype)


class LUFactor(Function):
    @staticmethod
    def forward(ctx, a):
        lu, pivots = _getrf(a.array)
        ctx.save_for_backward(lu, pivots)
        return lu, pivots

    @staticmethod
    def backward(ctx, g_lu, g_pivots):
        """With P^T A = L U and L^-T, U^-T solves: for a square A,
        gA = P L^-T [tril(L^T gL, -1) + triu(gU U^T)] U^-T. A tall A = P [L1; L2] U adds
        gA2 = gL2 U^-T and takes gU - L2^T gA2 for U; a wide A = P L [U1 U2] adds
        gA2 = L^-T gU2 and takes gL - gA2 U2^T for L."""
        lu, pivots = ctx.saved_tensors
        m, n = lu.shape[-2:]
        k = min(m, n)
        P = _permutation_matrix(pivots.array, m, lu.dtype)
        L = lu[..., :, :k].tril(-1) + np.eye(m, k, dtype=lu.dtype)
        U = lu[..., :k, :].triu()
        g_l, g_u = g_lu[..., :, :k].tril(-1), g_lu[..., :k, :].triu()
        if m > n:
            g_low = solve(U.mT, g_l[..., n:, :], left=False)
            g_top = _lu_square_backward(L[..., :n, :], U, g_l[..., :n, :],
                                        g_u - L[..., n:, :].mT @ g_low)
            g = cat([g_top, g_low], -2)
        elif m < n:
            g_right = solve(L.mT, g_u[..., :, m:])
            g_left = _lu_square_backward(L, U[..., :, :m], g_l - g_right @ U[..., :, m:].mT,
                                         g_u[..., :, :m])
            g = cat([g_left, g_right], -1)
        else:
            g = _lu_square_backward(L, U, g_l, g_u)
        return P @ g


def _lu_square_backward(L: Tensor, U: Tensor, g_l: Tensor, g_u: Tensor) -> Tensor:
    """The gradient for P^T A = L U, both square (see LUFactor.backward)."""
    inner = (L.mT @ g_l).tril(-1) + (g_u @ U.mT).triu()
    return solve(L.mT, solve(U.mT, inner, left=False))


def _no_pivot(op: str, pivot: bool) -> None:
    if not pivot:
        raise RuntimeError(f"{op}: LU without pivoting is not implemented on the CPU")


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False
                 ) -> LinalgLUFactorEx:
    """(LU, pivots, info): A = P L U packed as LAPACK's getrf packs it (L's unit diagonal
    not stored, pivots 1-based int32 row swaps), info the 1-based index of U's first zero
    diagonal entry (0 if none). Differentiable in LU."""
    _float_matrices("linalg.lu_factor_ex", A)
    _no_pivot("linalg.lu_factor_ex", pivot)
    lu, pivots = LUFactor.apply(A)
    k = min(A.shape[-2:])
    zero = np.diagonal(lu.array[..., :k, :k], 0, -2, -1) == 0
    first = zero.argmax(-1) if k else np.zeros(zero.shape[:-1], np.int64)
    info = np.where(zero.any(-1), first + 1, 0).astype(np.int32)
    if check_errors and info.any():
        raise RuntimeError(f"linalg.lu_factor_ex: U[{info.max()},{info.max()}] is zero")
    return LinalgLUFactorEx(lu, pivots, Tensor._make(info))


def lu_factor(A: Tensor, *, pivot: bool = True) -> LinalgLUFactor:
    """(LU, pivots) of lu_factor_ex; a zero on U's diagonal (singular A) is refused, as lu_solve
    would divide by it."""
    lu, pivots, info = lu_factor_ex(A, pivot=pivot)
    if info.array.any():
        i = int(info.array.max())
        raise RuntimeError(f"linalg.lu_factor: U[{i},{i}] is zero and using it on lu_solve "
                           "would divide by zero; use linalg.lu or linalg.lu_factor_ex to get "
                           "the factorization anyway")
    return LinalgLUFactor(lu, pivots)


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True,
              unpack_pivots: bool = True) -> LUUnpack:
    """(P, L, U) with A = P L U from lu_factor's packed (LU, pivots); what is not unpacked
    comes back empty. Differentiable in LU_data."""
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    if LU_pivots.shape != (*LU_data.shape[:-2], k) or LU_pivots.dtype.kind not in "iu":
        raise RuntimeError(f"lu_unpack: pivots must be integers of shape "
                           f"{(*LU_data.shape[:-2], k)} for LU of shape {LU_data.shape}, got "
                           f"{LU_pivots.dtype} of shape {LU_pivots.shape}")
    if LU_pivots.numel() and (LU_pivots.array.min() < 1 or LU_pivots.array.max() > m):
        raise RuntimeError(f"lu_unpack: pivots must be between 1 and {m}")
    empty = Tensor._make(np.empty(0, LU_data.dtype))
    P = (Tensor._make(_permutation_matrix(LU_pivots.array, m, LU_data.dtype)) if unpack_pivots
         else empty)
    if not unpack_data:
        return LUUnpack(P, empty, empty)
    L = LU_data[..., :, :k].tril(-1) + np.eye(m, k, dtype=LU_data.dtype)
    return LUUnpack(P, L, LU_data[..., :k, :].triu())


def linalg_lu(A: Tensor, *, pivot: bool = True) -> LinalgLU:
    """(P, L, U) with A = P L U: P a permutation, L (m, k) unit lower triangular, U (k, n)
    upper triangular, k = min(m, n). A singular A is fine (U has a zero on its diagonal)."""
    _float_matrices("linalg.lu", A)
    _no_pivot("linalg.lu", pivot)
    return LinalgLU(*lu_unpack(*LUFactor.apply(A)))


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False) -> Tensor:
    """X with A X = B (left=False: X A = B) reading only A's upper or lower triangle (and
    taking its diagonal as ones if unitriangular); B a matrix (*, n, k), batches broadcast.
    The gradient for A lies in that triangle, as PyTorch's."""
    _square_matrices("linalg.solve_triangular", A)
    if not isinstance(B, Tensor) or B.ndim < 2:
        raise RuntimeError(f"linalg.solve_triangular: B must have at least 2 dimensions, got "
                           f"shape {getattr(B, 'shape', type(B).__name__)}")
    triangle = A.triu(1 if unitriangular else 0) if upper else A.tril(-1 if unitriangular
                                                                      else 0)
    if unitriangular:
        triangle = triangle + np.eye(A.shape[-1], dtype=A.dtype)
    return solve(triangle, B, left=left)


def linalg_lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True,
             adjoint: bool = False) -> Tensor:
    """X with A X = B from A's lu_factor (A^T X = B with adjoint; X A = B with left=False):
    X = U^-1 L^-1 P^T B by two triangular solves. Differentiable in LU and B."""
    if not isinstance(B, Tensor) or B.ndim < 2:
        raise RuntimeError(f"linalg.lu_solve: B must have at least 2 dimensions, got shape "
                           f"{getattr(B, 'shape', type(B).__name__)}")
    _square_matrices("linalg.lu_solve", LU)
    if not left:  # X A = B is A^T X^T = B^T
        return linalg_lu_solve(LU, pivots, B.mT, adjoint=not adjoint).mT
    P, L, U = lu_unpack(LU, pivots)
    if adjoint:  # A^T = U^T L^T P^T
        y = solve_triangular(U.mT, B, upper=False)
        return P @ solve_triangular(L.mT, y, upper=True, unitriangular=True)
    y = solve_triangular(L, P.mT @ B, upper=False, unitriangular=True)
    return solve_triangular(U, y, upper=True)


# *** PyTorch's deprecated spellings: torch.lu, torch.lu_solve, torch.triangular_solve ***
TriangularSolve = return_types.triangular_solve


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"{old} is deprecated in favor of {new} (as in PyTorch)", UserWarning,
                  stacklevel=3)


def lu(A: Tensor, pivot: bool = True, get_infos: bool = False) -> tuple:
    """torch.lu: (LU, pivots), with info too when get_infos: linalg.lu_factor_ex's."""
    _deprecated("torch.lu", "torch.linalg.lu_factor / lu_factor_ex")
    factors = lu_factor_ex(A, pivot=pivot)
    return tuple(factors) if get_infos else tuple(factors[:2])


def lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
    """torch.lu_solve: linalg.lu_solve with b first."""
    _deprecated("torch.lu_solve", "torch.linalg.lu_solve")
    return linalg_lu_solve(LU_data, LU_pivots, b)


def triangular_solve(b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False) -> TriangularSolve:
    """torch.triangular_solve: (X, a copy of A) with A X = b (A^T X = b with transpose)."""
    _deprecated("torch.triangular_solve", "torch.linalg.solve_triangular")
    triangle = A.mT if transpose else A
    x = solve_triangular(triangle, b, upper=upper != transpose, unitriangular=unitriangular)
    return TriangularSolve(x, A.clone())


# *** LDL^T with Bunch-Kaufman pivoting (no derivative, as in PyTorch) ***
LinalgLDLFactor = return_types.linalg_ldl_factor
LinalgLDLFactorEx = return_types.linalg_ldl_factor_ex
_BUNCH_KAUFMAN = (1 + math.sqrt(17)) / 8


def _sytf2(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """LAPACK's sytf2 on the lower triangle of one symmetric matrix: A = L D L^T with row
    swaps, D of 1x1 and 2x2 blocks; returns (LD packed in the lower triangle, 1-based pivots,
    negative for a 2x2 block, as ipiv; info, the first zero pivot or 0)."""
    n = a.shape[0]
    a = np.tril(a)
    a = a + np.tril(a, -1).T  # a full symmetric copy: the updates below read both halves
    pivots, info, k = np.zeros(n, np.int32), 0, 0
    while k < n:
        step, absakk = 1, abs(a[k, k])
        imax = k + 1 + int(np.argmax(np.abs(a[k + 1:, k]))) if k < n - 1 else k
        colmax = abs(a[imax, k]) if k < n - 1 else 0.0
        if max(absakk, colmax) == 0 or np.isnan(absakk):
            info = info or k + 1
            kp = k
        elif absakk >= _BUNCH_KAUFMAN * colmax:
            kp = k
        else:
            rowmax = max(np.abs(a[imax, k:imax]).max(), np.abs(a[imax + 1:, imax]).max(
                initial=0.0))
            if absakk >= _BUNCH_KAUFMAN * colmax * (colmax / rowmax):
                kp = k
            elif abs(a[imax, imax]) >= _BUNCH_KAUFMAN * rowmax:
                kp = imax
            else:
                kp, step = imax, 2
        kk = k + step - 1
        if kp != kk:  # swap rows and columns kk and kp of the trailing matrix
            a[[kk, kp], k:] = a[[kp, kk], k:]
            a[k:, [kk, kp]] = a[k:, [kp, kk]]
        if step == 1 and k < n - 1 and a[k, k] != 0:
            x = a[k + 1:, k].copy()
            a[k + 1:, k + 1:] -= np.outer(x, x) / a[k, k]
            a[k + 1:, k] = a[k, k + 1:] = x / a[k, k]
        elif step == 2 and k < n - 2:
            d21 = a[k + 1, k]
            d11, d22 = a[k + 1, k + 1] / d21, a[k, k] / d21
            t = 1 / (d11 * d22 - 1) / d21
            x0, x1 = a[k + 2:, k].copy(), a[k + 2:, k + 1].copy()
            wk, wkp1 = t * (d11 * x0 - x1), t * (d22 * x1 - x0)
            a[k + 2:, k + 2:] -= np.outer(x0, wk) + np.outer(x1, wkp1)
            a[k + 2:, k] = a[k, k + 2:] = wk
            a[k + 2:, k + 1] = a[k + 1, k + 2:] = wkp1
        pivots[k:k + step] = kp + 1 if step == 1 else -(kp + 1)
        k += step
    return np.tril(a), pivots, info


class LDLFactor(Function):
    @staticmethod
    def forward(ctx, a):
        n = a.shape[-1]
        flat = a.array.reshape(math.prod(a.shape[:-2]), n, n)
        ld, pivots = np.empty_like(flat), np.empty(flat.shape[:-1], np.int32)
        info = np.empty(len(flat), np.int32)
        for i, matrix in enumerate(flat):
            ld[i], pivots[i], info[i] = _sytf2(matrix)
        return ld.reshape(a.shape), pivots.reshape(a.shape[:-1]), info.reshape(a.shape[:-2])

    @staticmethod
    def backward(ctx, g_ld, g_pivots, g_info):
        raise NotImplementedError("linalg.ldl_factor: the derivative of ldl_factor is not "
                                  "implemented (as in PyTorch)")


def ldl_factor_ex(A: Tensor, *, hermitian: bool = False, check_errors: bool = False
                  ) -> LinalgLDLFactorEx:
    """(LD, pivots, info): A = L D L^T with Bunch-Kaufman row swaps, packed as LAPACK's sytrf
    packs it from A's lower triangle (pivots 1-based, negative for D's 2x2 blocks; info the
    first zero pivot). hermitian changes nothing for real A."""
    _float_matrices("linalg.ldl_factor_ex", A, square=True)
    ld, pivots, info = LDLFactor.apply(A)
    if check_errors:
        _check_ldl_info("linalg.ldl_factor_ex", info)
    return LinalgLDLFactorEx(ld, pivots, info)


def _check_ldl_info(op: str, info: Tensor) -> None:
    if info.array.any():
        i = int(info.array.max())
        raise LinAlgError(f"{op}: D[{i}, {i}] is zero (the matrix is singular)")


def ldl_factor(A: Tensor, *, hermitian: bool = False) -> LinalgLDLFactor:
    """(LD, pivots) of ldl_factor_ex; a singular A is refused (LinAlgError)."""
    _float_matrices("linalg.ldl_factor", A, square=True)
    ld, pivots, info = ldl_factor_ex(A, hermitian=hermitian)
    _check_ldl_info("linalg.ldl_factor", info)
    return LinalgLDLFactor(ld, pivots)


def _sytrs(ld: np.ndarray, pivots: np.ndarray, b: np.ndarray) -> np.ndarray:
    """LAPACK's sytrs (lower): X with A X = B from one matrix's packed LDL^T factors."""
    n, b = ld.shape[0], b.copy()
    k = 0
    while k < n:  # L D Y = B
        if pivots[k] > 0:
            kp = pivots[k] - 1
            b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= np.outer(ld[k + 1:, k], b[k])
            b[k] /= ld[k, k]
            k += 1
        else:
            kp = -pivots[k] - 1
            b[[k + 1, kp]] = b[[kp, k + 1]]
            b[k + 2:] -= np.outer(ld[k + 2:, k], b[k]) + np.outer(ld[k + 2:, k + 1], b[k + 1])
            akm1k = ld[k + 1, k]
            akm1, ak = ld[k, k] / akm1k, ld[k + 1, k + 1] / akm1k
            bkm1, bk = b[k] / akm1k, b[k + 1] / akm1k
            denom = akm1 * ak - 1
            b[k], b[k + 1] = (ak * bkm1 - bk) / denom, (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T X = Y
        if pivots[k] > 0:
            b[k] -= ld[k + 1:, k] @ b[k + 1:]
            kp = pivots[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            b[k] -= ld[k + 1:, k] @ b[k + 1:]
            b[k - 1] -= ld[k + 1:, k - 1] @ b[k + 1:]
            kp = -pivots[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


class LDLSolve(Function):
    @staticmethod
    def forward(ctx, ld, pivots, b):
        batch = np.broadcast_shapes(ld.shape[:-2], b.shape[:-2])
        count, (n, k) = math.prod(batch), b.shape[-2:]
        lds = np.broadcast_to(ld.array, (*batch, n, n)).reshape(count, n, n)
        pvs = np.broadcast_to(pivots.array, (*batch, n)).reshape(count, n)
        bs = np.broadcast_to(b.array, (*batch, n, k)).reshape(count, n, k)
        out = np.empty_like(bs)
        for i in range(count):
            out[i] = _sytrs(lds[i], pvs[i], bs[i])
        return out.reshape(*batch, n, k)

    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError("linalg.ldl_solve: the derivative of ldl_solve is not "
                                  "implemented (as in PyTorch)")


def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *, hermitian: bool = False) -> Tensor:
    """X with A X = B from A's ldl_factor (LD, pivots); B (*, n, k), batches broadcast."""
    _float_matrices("linalg.ldl_solve", LD, square=True)
    if not isinstance(B, Tensor) or B.ndim < 2 or B.shape[-2] != LD.shape[-1]:
        raise RuntimeError(f"linalg.ldl_solve: B must be (*, {LD.shape[-1]}, k) for LD of shape "
                           f"{LD.shape}, got {getattr(B, 'shape', type(B).__name__)}")
    if pivots.shape != LD.shape[:-1] or pivots.dtype.kind not in "iu":
        raise RuntimeError(f"linalg.ldl_solve: pivots must be integers of shape "
                           f"{LD.shape[:-1]}, got {pivots.dtype} of shape {pivots.shape}")
    if B.dtype != LD.dtype:
        raise RuntimeError(f"linalg.ldl_solve: LD and B must have one dtype, got {LD.dtype} "
                           f"and {B.dtype}")
    return LDLSolve.apply(LD, pivots, B)
