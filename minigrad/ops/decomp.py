"""Matrix decompositions and the matrix functions built on them: torch.linalg's svd, svdvals,
qr, eigh, eigvalsh, eig, eigvals, matrix_exp, multi_dot and householder_product, and the old
torch.svd and torch.qr. Forward runs numpy's LAPACK routines on every matrix of a batch; the
backward passes are written with Tensor ops from the standard perturbation formulas, so they
can be differentiated again."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence

import numpy as np

from minigrad.function import Function
from minigrad.ops.linalg import _square_matrices, matmul, solve
from minigrad.ops.shape import cat
from minigrad.tensor import Tensor

# PyTorch's torch.return_types, field for field
LinalgSVD = namedtuple("linalg_svd", ["U", "S", "Vh"])
SVDResult = namedtuple("svd", ["U", "S", "V"])
LinalgQR = namedtuple("linalg_qr", ["Q", "R"])
QRResult = namedtuple("qr", ["Q", "R"])
LinalgEigh = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
LinalgEig = namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])


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


def _off_diagonal_inverse(diff: Tensor) -> Tensor:
    """F with F_ij = 1 / diff_ij off the diagonal and 0 on it (diff's diagonal is 0)."""
    eye = np.eye(diff.shape[-1], dtype=diff.dtype)
    return (1 - eye) / (diff + eye)


# *** singular value decomposition ***
class SVD(Function):
    @staticmethod
    def forward(ctx, a, full_matrices):
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
    s = max(0, int(np.ceil(np.log2(norm / 0.5)))) if norm > 0 else 0
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
    """The product of a chain of matrices, left to right; the first may be a (row) vector
    and the last a (column) vector, whose dim is then dropped from the result."""
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
    out = tensors[0].unsqueeze(0) if tensors[0].ndim == 1 else tensors[0]
    for i, t in enumerate(tensors[1:], 1):
        rows = t.shape[0]
        if out.shape[-1] != rows:
            raise RuntimeError(f"multi_dot(): tensors {i - 1} and {i} with shapes "
                               f"{tensors[i - 1].shape} and {t.shape} cannot be multiplied")
        out = matmul(out, t)
    return out.squeeze(0) if tensors[0].ndim == 1 else out


def householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """The first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T, where v_i is column i
    of A below the diagonal with a 1 on it (how geqrf stores Q): torch.linalg's
    householder_product, or torch.orgqr. Written with Tensor ops, so differentiable."""
    op = "linalg.householder_product"
    _float_matrices(op, A)
    if not isinstance(tau, Tensor) or tau.ndim != A.ndim - 1 or tau.shape[:-1] != A.shape[:-2]:
        shape = tau.shape if isinstance(tau, Tensor) else type(tau).__name__
        raise RuntimeError(f"{op}: tau must have A's batch dims {A.shape[:-2]} and one more, "
                           f"got shape {shape} for A of shape {A.shape}")
    m, n = A.shape[-2:]
    k = tau.shape[-1]
    if m < n or n < k:
        raise RuntimeError(f"{op}: expected A's shape (m, n) and tau's (k,) with m >= n >= k, "
                           f"got A of shape {A.shape} and tau of shape {tau.shape}")
    if tau.dtype != A.dtype:
        raise RuntimeError(f"{op}: A and tau must have one dtype, got {A.dtype} and {tau.dtype}")
    reflectors = A.tril(-1) + np.eye(m, n, dtype=A.dtype)
    q = Tensor._make(np.broadcast_to(np.eye(m, n, dtype=A.dtype), A.shape).copy())
    for i in range(k - 1, -1, -1):  # Q = H_1 (H_2 (... (H_k I)))
        v = reflectors[..., i:i + 1]
        q = q - tau[..., i, None, None] * (v @ (v.mT @ q))
    return q


def orgqr(input: Tensor, tau: Tensor) -> Tensor:
    """torch.orgqr: householder_product under its LAPACK name."""
    return householder_product(input, tau)
