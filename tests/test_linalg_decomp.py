"""torch.linalg's decompositions and the functions built on them, beyond the op table's rows
(tests/test_ops.py: gradcheck, gradgradcheck and PyTorch's values and gradients): result types
and shapes for every mode, batches, the fields of lstsq for each driver, matrix_rank's
tolerances, cond at singular matrices, eig, and the errors and refused gradients."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import gradcheck

RNG = np.random.default_rng(0)


def pair(torch: Any, *shape: int, dtype: str = "float64") -> tuple[mg.Tensor, Any]:
    """The same random array as a minigrad and a torch tensor."""
    a = RNG.standard_normal(shape).astype(dtype)
    return mg.tensor(a), torch.tensor(a)


def close(mine: mg.Tensor, theirs: Any, **tol: float) -> None:
    assert mine.shape == tuple(theirs.shape)
    assert mine.dtype == np.dtype(str(theirs.dtype).removeprefix("torch."))
    np.testing.assert_allclose(mine.array, theirs.numpy(), **({"rtol": 1e-10, "atol": 1e-12}
                                                             | tol))


# *** result types and shapes ***
@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3), (2, 4, 3), (2, 1, 3, 5)])
@pytest.mark.parametrize("full_matrices", [True, False])
def test_svd_shapes_values_and_reconstruction(shape: tuple, full_matrices: bool,
                                              torch: Any) -> None:
    a, t = pair(torch, *shape)
    mine, theirs = mg.linalg.svd(a, full_matrices), torch.linalg.svd(t, full_matrices)
    assert type(mine).__name__ == "linalg_svd" and mine._fields == ("U", "S", "Vh")
    for m, r in zip(mine, theirs, strict=True):
        assert m.shape == tuple(r.shape)
    close(mine.S, theirs.S)
    k = min(shape[-2:])
    u, vh = mine.U[..., :k], mine.Vh[..., :k, :]
    np.testing.assert_allclose((u * mine.S.unsqueeze(-2) @ vh).array, a.array, atol=1e-12)
    eye_u = (mine.U.mT @ mine.U).array  # full U and Vh are orthogonal
    np.testing.assert_allclose(eye_u, np.broadcast_to(np.eye(eye_u.shape[-1]), eye_u.shape),
                               atol=1e-12)


def test_svdvals_and_old_svd(torch: Any) -> None:
    a, t = pair(torch, 2, 5, 3)
    close(mg.linalg.svdvals(a), torch.linalg.svdvals(t))
    mine, theirs = mg.svd(a), torch.svd(t)
    assert type(mine).__name__ == "svd" and mine._fields == ("U", "S", "V")
    assert mine.V.shape == tuple(theirs.V.shape) == (2, 3, 3)
    np.testing.assert_allclose((mine.U * mine.S.unsqueeze(-2) @ mine.V.mT).array, a.array,
                               atol=1e-12)
    assert [tuple(x.shape) for x in torch.svd(t, some=False)] == [x.shape for x in a.svd(False)]
    for m, r in zip(mg.svd(a, compute_uv=False), torch.svd(t, compute_uv=False), strict=True):
        close(m, r)  # zero U and V, as PyTorch's


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3), (2, 4, 2)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr_modes_match_torch(shape: tuple, mode: str, torch: Any) -> None:
    a, t = pair(torch, *shape)
    mine, theirs = mg.linalg.qr(a, mode), torch.linalg.qr(t, mode)
    assert type(mine).__name__ == "linalg_qr" and mine._fields == ("Q", "R")
    assert mine.Q.shape == tuple(theirs.Q.shape) and mine.R.shape == tuple(theirs.R.shape)
    # LAPACK's Householder QR in both: the same signs, so the same numbers
    close(mine.R, theirs.R, atol=1e-10)
    if mode != "r":
        close(mine.Q, theirs.Q, atol=1e-10)
        np.testing.assert_allclose((mine.Q @ mine.R).array, a.array, atol=1e-12)
    if mode == "reduced":
        q, r = a.qr()
        close(q, theirs.Q, atol=1e-10)


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_reads_one_triangle_as_torch(uplo: str, torch: Any) -> None:
    a, t = pair(torch, 2, 4, 4)  # not symmetric: only the named triangle counts
    mine, theirs = mg.linalg.eigh(a, uplo), torch.linalg.eigh(t, uplo)
    assert type(mine).__name__ == "linalg_eigh"
    assert mine._fields == ("eigenvalues", "eigenvectors")
    close(mine.eigenvalues, theirs.eigenvalues)
    close(mg.linalg.eigvalsh(a, UPLO=uplo), torch.linalg.eigvalsh(t, UPLO=uplo))
    np.testing.assert_allclose(np.abs(mine.eigenvectors.array),
                               np.abs(theirs.eigenvectors.numpy()), atol=1e-10)


def test_float32_stays_float32(torch: Any) -> None:
    a, t = pair(torch, 3, 3, dtype="float32")
    for mine, theirs in [(mg.linalg.svd(a), torch.linalg.svd(t)),
                         (mg.linalg.qr(a), torch.linalg.qr(t)),
                         (mg.linalg.eigh(a), torch.linalg.eigh(t)),
                         (mg.linalg.eig(a), torch.linalg.eig(t))]:
        assert [str(m.dtype) for m in mine] == [str(r.dtype)[6:] for r in theirs]
    assert mg.linalg.matrix_exp(a).dtype == np.float32


# *** eig: complex results without gradient ***
def test_eig_values_and_vectors(torch: Any) -> None:
    a, t = pair(torch, 2, 4, 4)
    w, v = mg.linalg.eig(a)
    assert type(mg.linalg.eig(a)).__name__ == "linalg_eig"
    assert w.dtype == np.complex128 and v.dtype == np.complex128
    ref = torch.linalg.eigvals(t).numpy()
    np.testing.assert_allclose(np.sort_complex(w.array), np.sort_complex(ref), atol=1e-10)
    np.testing.assert_allclose(a.array @ v.array, v.array * w.array[..., None, :], atol=1e-10)
    np.testing.assert_allclose(np.linalg.norm(v.array, axis=-2), 1.0)
    np.testing.assert_allclose(mg.linalg.eigvals(a).array, w.array)
    real = mg.tensor([[2.0, 0.0], [0.0, 1.0]])
    assert mg.linalg.eigvals(real).dtype == np.complex64  # complex even when all are real


def test_eig_gradient_is_refused() -> None:
    a = mg.tensor(RNG.standard_normal((3, 3)), requires_grad=True)
    w, v = mg.linalg.eig(a)  # the forward works on a tensor that requires grad
    with pytest.raises(NotImplementedError, match="gradient of eig.*use linalg.eigh"):
        (w.sum() + v.sum()).backward()
    with pytest.raises(NotImplementedError, match="real: gradients through complex.*eigh"):
        w.real  # noqa: B018  (refused when it is taken: minigrad has no complex autograd)


# *** gradients PyTorch refuses, and where it narrows ***
def test_qr_gradients_refused_as_in_torch(torch: Any) -> None:
    a = mg.tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match="mode='r'"):
        mg.linalg.qr(a, "r").R.sum().backward()
    with pytest.raises(RuntimeError, match="4 by 3 .*mode='complete'"):
        mg.linalg.qr(a, "complete").Q.sum().backward()
    t = torch.tensor(a.array, requires_grad=True)
    with pytest.raises(RuntimeError, match="mode='complete'"):
        torch.linalg.qr(t, "complete").Q.sum().backward()


def test_svd_full_matrices_gradient_ignores_the_complement(torch: Any) -> None:
    """The columns of U past min(m, n) are any basis of the complement: PyTorch gives them no
    gradient, and so does minigrad (the same numbers for a loss that reads them)."""
    a = mg.tensor(RNG.standard_normal((4, 2)), requires_grad=True)
    t = torch.tensor(a.array, requires_grad=True)
    (mg.linalg.svd(a).U[:, 2:] ** 2).sum().backward()
    (torch.linalg.svd(t).U[:, 2:] ** 2).sum().backward()
    np.testing.assert_allclose(a.grad.array, t.grad.numpy(), atol=1e-12)
    assert np.abs(a.grad.array).max() < 1e-12


def test_svd_gradient_of_batched_wide_input(torch: Any) -> None:
    a = mg.tensor(RNG.standard_normal((2, 2, 4)), requires_grad=True)
    assert gradcheck(lambda x: mg.linalg.svd(x, full_matrices=False).S.sum() +
                     (mg.linalg.svd(x, full_matrices=False).U ** 2 * 0.3).sum(), (a,))


# *** lstsq ***
@pytest.mark.parametrize("driver", [None, "gelsy", "gelsd", "gelss", "gels"])
@pytest.mark.parametrize("shapes", [((5, 3), (5, 2)), ((5, 3), (5,)), ((2, 5, 3), (2, 5)),
                                    ((2, 5, 3), (1, 5, 2)), ((3, 5), (3, 2))])
def test_lstsq_fields_match_torch(driver: str | None, shapes: tuple, torch: Any) -> None:
    (a, t), (b, u) = pair(torch, *shapes[0]), pair(torch, *shapes[1])
    mine, theirs = mg.linalg.lstsq(a, b, driver=driver), torch.linalg.lstsq(t, u, driver=driver)
    assert type(mine).__name__ == "linalg_lstsq"
    assert mine._fields == ("solution", "residuals", "rank", "singular_values")
    for m, r in zip(mine, theirs, strict=True):
        close(m, r, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("driver", ["gelsy", "gelsd", "gelss"])
def test_lstsq_rank_deficient_gives_the_least_norm_solution(driver: str, torch: Any) -> None:
    low_rank = RNG.standard_normal((2, 5, 2)) @ RNG.standard_normal((2, 2, 3))
    full = RNG.standard_normal((2, 5, 3))
    full[0] = low_rank[0]  # one of the batch rank 2, the other rank 3
    b = RNG.standard_normal((2, 5, 2))
    mine = mg.linalg.lstsq(mg.tensor(full), mg.tensor(b), driver=driver)
    theirs = torch.linalg.lstsq(torch.tensor(full), torch.tensor(b), driver=driver)
    assert mine.rank.tolist() == theirs.rank.tolist() == [2, 3]
    assert mine.residuals.shape == (0,) == tuple(theirs.residuals.shape)  # not every rank full
    close(mine.solution, theirs.solution, rtol=1e-8, atol=1e-9)
    r = mg.linalg.lstsq(mg.tensor(full), mg.tensor(b), rcond=0.9, driver=driver).rank
    assert r.tolist() == torch.linalg.lstsq(torch.tensor(full), torch.tensor(b), rcond=0.9,
                                            driver="gelsd").rank.tolist()


def test_lstsq_residuals_gradient_matches_torch(torch: Any) -> None:
    a = mg.tensor(RNG.standard_normal((5, 3)), requires_grad=True)
    b = mg.tensor(RNG.standard_normal((5, 2)), requires_grad=True)
    t, u = (torch.tensor(x.array, requires_grad=True) for x in (a, b))
    mg.linalg.lstsq(a, b, driver="gelsd").residuals.sum().backward()
    torch.linalg.lstsq(t, u, driver="gelsd").residuals.sum().backward()
    np.testing.assert_allclose(a.grad.array, t.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(b.grad.array, u.grad.numpy(), atol=1e-10)


def test_lstsq_errors() -> None:
    a, b = mg.randn(5, 3, dtype=mg.float64), mg.randn(5, 2, dtype=mg.float64)
    with pytest.raises(RuntimeError, match="driver must be one of"):
        mg.linalg.lstsq(a, b, driver="gelsx")
    with pytest.raises(RuntimeError, match=r"different numbers of rows \(5 != 4\)"):
        mg.linalg.lstsq(a, mg.randn(4, 2, dtype=mg.float64))
    with pytest.raises(RuntimeError, match="one dtype"):
        mg.linalg.lstsq(a, b.float())
    with pytest.raises(RuntimeError, match="one fewer"):
        mg.linalg.lstsq(a, mg.randn(3, 5, 2, dtype=mg.float64))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        mg.linalg.lstsq(mg.randn(5, dtype=mg.float64), mg.randn(5, dtype=mg.float64))


# *** matrix_rank and cond ***
@pytest.mark.parametrize("kwargs", [{}, {"atol": 0.5}, {"rtol": 0.3}, {"atol": 0.1, "rtol": 0.5},
                                    {"hermitian": True}, {"tol": 0.7}, {"atol": 0.0}])
def test_matrix_rank_matches_torch(kwargs: dict, torch: Any) -> None:
    a = RNG.standard_normal((3, 4, 2)) @ RNG.standard_normal((3, 2, 4))
    a[1] = np.diag([3.0, 1.0, 0.4, 0.1])
    a[2] = 0.0
    mine = mg.linalg.matrix_rank(mg.tensor(a), **kwargs)
    theirs = torch.linalg.matrix_rank(torch.tensor(a), **kwargs)
    assert mine.dtype == np.int64 and mine.tolist() == theirs.tolist()


def test_matrix_rank_takes_tensor_tolerances(torch: Any) -> None:
    a = np.stack([np.diag([3.0, 1.0, 0.4]), np.diag([3.0, 1.0, 0.4])])
    atol = np.array([0.5, 2.0])
    mine = mg.linalg.matrix_rank(mg.tensor(a), atol=mg.tensor(atol))
    assert mine.tolist() == torch.linalg.matrix_rank(torch.tensor(a),
                                                     atol=torch.tensor(atol)).tolist() == [2, 1]


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", np.inf, -np.inf, 1, -1])
def test_cond_matches_torch_and_is_inf_at_singular(p: Any, torch: Any) -> None:
    a = RNG.standard_normal((3, 3, 3))
    a[1] = np.diag([1.0, 0.0, 0.0])
    mine, theirs = mg.linalg.cond(mg.tensor(a), p), torch.linalg.cond(torch.tensor(a), p)
    close(mine, theirs, rtol=1e-9)


def test_cond_of_non_square_needs_p_2(torch: Any) -> None:
    a, t = pair(torch, 2, 3)
    close(mg.linalg.cond(a), torch.linalg.cond(t))
    with pytest.raises(RuntimeError, match=r"square.*\(2, 3\)"):
        mg.linalg.cond(a, "fro")
    with pytest.raises(RuntimeError, match="p must be"):
        mg.linalg.cond(mg.eye(2, dtype=mg.float64), 3)


# *** matrix functions ***
def test_matrix_exp_large_and_zero(torch: Any) -> None:
    a, t = pair(torch, 2, 4, 4)
    close(mg.linalg.matrix_exp(a * 6), torch.linalg.matrix_exp(t * 6), rtol=1e-11)
    close(mg.matrix_exp(a * 0), torch.matrix_exp(t * 0))
    rot = mg.tensor([[0.0, -np.pi], [np.pi, 0.0]])  # exp of a rotation generator: -I
    np.testing.assert_allclose(rot.matrix_exp().array, -np.eye(2), atol=1e-6)


def test_multi_dot_vectors_and_errors(torch: Any) -> None:
    (v, tv), (m, tm), (w, tw) = pair(torch, 3), pair(torch, 3, 4), pair(torch, 4)
    close(mg.linalg.multi_dot([v, m, w]), torch.linalg.multi_dot([tv, tm, tw]))
    close(mg.linalg.multi_dot([m.mT, v]), torch.linalg.multi_dot([tm.mT, tv]))
    with pytest.raises(RuntimeError, match="at least 2 tensors but got 1"):
        mg.linalg.multi_dot([m])
    with pytest.raises(RuntimeError, match=r"tensors 0 and 1 with shapes \(3, 4\) and \(3, 4\)"):
        mg.linalg.multi_dot([m, m])
    with pytest.raises(RuntimeError, match="tensor 1 must be 2D but got 1D"):
        mg.linalg.multi_dot([m, w, w])
    with pytest.raises(RuntimeError, match="one dtype"):
        mg.linalg.multi_dot([m, m.mT.float()])


def test_householder_product_rebuilds_q_of_geqrf(torch: Any) -> None:
    a = torch.randn(5, 3, dtype=torch.float64)
    reflectors, tau = torch.geqrf(a)
    q = mg.linalg.householder_product(mg.tensor(reflectors.numpy()), mg.tensor(tau.numpy()))
    close(q, torch.linalg.qr(a).Q, atol=1e-12)
    close(mg.orgqr(mg.tensor(reflectors.numpy()), mg.tensor(tau.numpy())), torch.orgqr(
        reflectors, tau), atol=1e-12)
    with pytest.raises(RuntimeError, match="m >= n >= k"):
        mg.linalg.householder_product(mg.randn(2, 3, dtype=mg.float64),
                                      mg.randn(2, dtype=mg.float64))


# *** errors ***
FUNCTIONS = {
    "svd": mg.linalg.svd, "svdvals": mg.linalg.svdvals, "qr": mg.linalg.qr,
    "eigh": mg.linalg.eigh, "eigvalsh": mg.linalg.eigvalsh, "eig": mg.linalg.eig,
    "eigvals": mg.linalg.eigvals, "matrix_exp": mg.linalg.matrix_exp,
    "matrix_rank": mg.linalg.matrix_rank, "cond": mg.linalg.cond,
}
SQUARE_ONLY = ("eigh", "eigvalsh", "eig", "eigvals", "matrix_exp")


@pytest.mark.parametrize("name", FUNCTIONS)
def test_bad_inputs_are_refused_naming_them(name: str, torch: Any) -> None:
    fn, ref = FUNCTIONS[name], getattr(torch.linalg, name)
    vector = mg.ones(3, dtype=mg.float64)
    with pytest.raises(RuntimeError, match=r"at least 2 dimensions, got shape \(3,\)"):
        fn(vector)
    with pytest.raises(RuntimeError):
        ref(torch.ones(3, dtype=torch.float64))
    with pytest.raises(RuntimeError, match="floating point.*int64"):
        fn(mg.ones(2, 2, dtype=mg.int64))
    with pytest.raises((RuntimeError, NotImplementedError)):
        ref(torch.ones(2, 2, dtype=torch.int64))
    if name in SQUARE_ONLY:
        with pytest.raises(RuntimeError, match=r"square.*\(2, 3\)"):
            fn(mg.ones(2, 3, dtype=mg.float64))
        with pytest.raises(RuntimeError, match="square"):
            ref(torch.ones(2, 3, dtype=torch.float64))


def test_bad_options_are_refused() -> None:
    a = mg.eye(3, dtype=mg.float64)
    with pytest.raises(RuntimeError, match="UPLO to be 'L' or 'U', got 'X'"):
        mg.linalg.eigh(a, "X")
    with pytest.raises(RuntimeError, match="unrecognized mode 'full'"):
        mg.linalg.qr(a, "full")
    with pytest.raises(ValueError, match="driver"):
        mg.linalg.svd(a, driver="gesvdj")


def test_linalg_names_match_torch(torch: Any) -> None:
    """Every name minigrad.linalg offers is one of torch.linalg's."""
    assert set(mg.linalg.__all__) <= set(dir(torch.linalg))
    for name in ("svd", "qr", "matrix_exp", "orgqr"):
        assert callable(getattr(mg, name)) and hasattr(torch, name)


# *** torch.linalg's other functions ***
def test_linalg_errors_are_linalg_errors(torch: Any) -> None:
    singular = mg.zeros(2, 2, dtype=mg.float64)
    for fn in (mg.linalg.inv, lambda a: mg.linalg.solve(a, mg.ones(2, dtype=mg.float64)),
               lambda a: mg.linalg.cholesky(a - mg.eye(2, dtype=mg.float64))):
        with pytest.raises(mg.linalg.LinAlgError) as info:
            fn(singular)
        assert isinstance(info.value, RuntimeError)  # as torch.linalg.LinAlgError
    assert issubclass(torch.linalg.LinAlgError, RuntimeError)


def test_cond_of_empty_matrices_is_zero(torch: Any) -> None:
    a, t = pair(torch, 2, 0, 0)
    close(mg.linalg.cond(a), torch.linalg.cond(t))


def test_other_functions_refuse_bad_shapes() -> None:
    a = mg.eye(3, dtype=mg.float64)
    with pytest.raises(RuntimeError, match=r"B must have at least 2 dimensions, got shape \(3,\)"):
        mg.linalg.solve_triangular(a, mg.ones(3, dtype=mg.float64), upper=True)
    with pytest.raises(RuntimeError, match=r"not square as a map \(6 != 1\)"):
        mg.linalg.tensorinv(mg.ones(2, 3, dtype=mg.float64))
    with pytest.raises(RuntimeError, match="does not fit B"):
        mg.linalg.tensorsolve(mg.ones(2, 3, 6, dtype=mg.float64), mg.ones(3, 2,
                                                                          dtype=mg.float64))
    with pytest.raises(RuntimeError, match="N must be"):
        mg.linalg.vander(mg.ones(3, dtype=mg.float64), N=0)


def test_vander_is_increasing_powers(torch: Any) -> None:
    x, t = pair(torch, 2, 3)
    close(mg.linalg.vander(x), torch.linalg.vander(t))


@pytest.mark.parametrize("name", ["svdvals", "svd_S", "eigvalsh", "nuc", "2"])
def test_values_only_gradient_at_repeated_values_matches_torch(name: str, torch: Any) -> None:
    """Differentiating only S (or the eigenvalues) needs no 1 / (s_j^2 - s_i^2): the identity
    and a scaled rotation (repeated values) get a finite gradient, as in PyTorch."""
    def call(lib: Any, x: Any) -> Any:
        linalg = lib.linalg
        return {"svdvals": lambda: linalg.svdvals(x), "svd_S": lambda: linalg.svd(x).S,
                "eigvalsh": lambda: linalg.eigvalsh(x),
                "nuc": lambda: linalg.matrix_norm(x, "nuc"),
                "2": lambda: linalg.matrix_norm(x, 2)}[name]()

    c, s = np.cos(0.3), np.sin(0.3)
    for a in (np.eye(3), 2 * np.array([[c, -s], [s, c]])):
        x = mg.tensor(a, requires_grad=True)
        t = torch.tensor(a, requires_grad=True)
        w = RNG.standard_normal(a.shape[-1])
        (call(mg, x) * mg.tensor(w)).sum().backward()
        (call(torch, t) * torch.tensor(w)).sum().backward()
        assert np.isfinite(x.grad.array).all()
        np.testing.assert_allclose(x.grad.array, t.grad.numpy(), atol=1e-12)


def test_ex_variants_return_info_and_refuse_failures(torch: Any) -> None:
    a = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    spd, b = a @ a.swapaxes(-1, -2), RNG.standard_normal((2, 3))
    for name, args, field in [("inv_ex", (a,), "inverse"), ("cholesky_ex", (spd,), "L"),
                              ("solve_ex", (a, b), "result")]:
        mine = getattr(mg.linalg, name)(*map(mg.tensor, args))
        theirs = getattr(torch.linalg, name)(*map(torch.tensor, args))
        assert type(mine).__name__ == type(theirs).__name__ and mine._fields == (field, "info")
        close(getattr(mine, field), getattr(theirs, field))
        close(mine.info, theirs.info)
    with pytest.raises(mg.linalg.LinAlgError, match="check_errors=False"):
        mg.linalg.inv_ex(mg.zeros(2, 2, dtype=mg.float64))


# *** LU ***
@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (3, 5), (2, 4, 4), (0, 2)])
def test_lu_factor_matches_lapack(shape: tuple, torch: Any) -> None:
    a, t = pair(torch, *shape)
    mine, theirs = mg.linalg.lu_factor(a), torch.linalg.lu_factor(t)
    assert type(mine).__name__ == "linalg_lu_factor" and mine._fields == ("LU", "pivots")
    close(mine.LU, theirs.LU, atol=1e-12)
    close(mine.pivots, theirs.pivots)  # the same row swaps, int32
    for m, r in zip(mg.linalg.lu(a), torch.linalg.lu(t), strict=True):
        close(m, r, atol=1e-12)
    for m, r in zip(mg.lu_unpack(*mine), torch.lu_unpack(*theirs), strict=True):
        close(m, r, atol=1e-12)


def test_lu_of_singular_matrices(torch: Any) -> None:
    a = np.array([[[1.0, 2.0], [2.0, 4.0]], [[1.0, 0.0], [0.0, 1.0]]])
    mine, theirs = mg.linalg.lu_factor_ex(mg.tensor(a)), torch.linalg.lu_factor_ex(
        torch.tensor(a))
    for m, r in zip(mine, theirs, strict=True):
        close(m, r)
    assert mine.info.tolist() == [2, 0]
    with pytest.raises(RuntimeError, match=r"U\[2,2\] is zero"):
        mg.linalg.lu_factor(mg.tensor(a))
    for m, r in zip(mg.linalg.lu(mg.tensor(a)), torch.linalg.lu(torch.tensor(a)), strict=True):
        close(m, r)


def test_lu_errors() -> None:
    a = mg.eye(3, dtype=mg.float64)
    with pytest.raises(RuntimeError, match="without pivoting is not implemented"):
        mg.linalg.lu(a, pivot=False)
    lu, pivots = mg.linalg.lu_factor(a)
    with pytest.raises(RuntimeError, match=r"B must have at least 2 dimensions, got shape \(3,\)"):
        mg.linalg.lu_solve(lu, pivots, mg.ones(3, dtype=mg.float64))
    with pytest.raises(RuntimeError, match="between 1 and 3"):
        mg.lu_unpack(lu, pivots * 0)
    with pytest.raises(RuntimeError, match="pivots must be integers"):
        mg.lu_unpack(lu, pivots.double())


@pytest.mark.parametrize("name", ["svd", "svdvals", "eig", "matrix_rank", "cond", "pinv",
                                  "lstsq"])
def test_non_finite_input_raises_linalg_error(name: str, torch: Any) -> None:
    a = np.array([[1.0, np.nan], [0.0, 1.0]])
    args = (a, a) if name == "lstsq" else (a,)
    with pytest.raises(mg.linalg.LinAlgError, match="nan or inf"):
        getattr(mg.linalg, name)(*map(mg.tensor, args))
    if name in ("svd", "svdvals", "matrix_rank"):
        with pytest.raises(torch.linalg.LinAlgError):
            getattr(torch.linalg, name)(*map(torch.tensor, args))


def test_matrix_exp_of_non_finite_input_is_nan(torch: Any) -> None:
    for v in (np.nan, np.inf):
        a = np.eye(2)
        a[0, 1] = v
        close(mg.linalg.matrix_exp(mg.tensor(a)), torch.linalg.matrix_exp(torch.tensor(a)),
              equal_nan=True)


def test_matrix_norm_singular_value_orders_over_dims(torch: Any) -> None:
    a, t = pair(torch, 2, 3, 4)
    for ord in (2, -2, "nuc"):
        close(mg.linalg.matrix_norm(a, ord, dim=(0, 2), keepdim=True),
              torch.linalg.matrix_norm(t, ord, dim=(0, 2), keepdim=True))
        close(mg.linalg.norm(a[0], ord), torch.linalg.norm(t[0], ord))
    close(a[0].norm("nuc"), t[0].norm("nuc"))
    with pytest.raises(RuntimeError, match="'nuc' needs a matrix"):
        a.norm("nuc")


def test_householder_product_batched(torch: Any) -> None:
    (a, t), (tau, u) = pair(torch, 2, 4, 3), pair(torch, 2, 2)
    close(mg.linalg.householder_product(a, tau), torch.linalg.householder_product(t, u))
    with pytest.raises(RuntimeError, match="tau must have A's batch dims"):
        mg.linalg.householder_product(a, tau[0])


# *** geqrf and ormqr ***
@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 5, 2), (3, 1)])
def test_geqrf_matches_lapack(shape: tuple, torch: Any) -> None:
    a, t = pair(torch, *shape)
    mine, theirs = mg.geqrf(a), torch.geqrf(t)
    assert type(mine).__name__ == "geqrf" and mine._fields == ("a", "tau")
    close(mine.a, theirs.a, atol=1e-12)
    close(mine.tau, theirs.tau, atol=1e-12)
    zero_column = np.array([[0.0, 1.0], [0.0, 2.0], [0.0, 3.0]])  # tau 0: H = I
    for m, r in zip(mg.tensor(zero_column).geqrf(), torch.tensor(zero_column).geqrf(),
                    strict=True):
        close(m, r)
    if shape[-2] >= shape[-1]:  # Q from the reflectors: householder_product, ormqr
        q = mg.linalg.householder_product(*mine)
        close(q, torch.linalg.qr(t).Q, atol=1e-12)
        eye = mg.eye(shape[-2], dtype=mg.float64).expand(*shape[:-1], shape[-2])
        close(mg.ormqr(*mine, eye)[..., : shape[-1]], torch.linalg.qr(t).Q, atol=1e-12)


def test_geqrf_gradient_is_refused_and_ormqr_checks_shapes() -> None:
    a = mg.tensor(RNG.standard_normal((3, 2)), requires_grad=True)
    with pytest.raises(NotImplementedError, match="derivative of geqrf"):
        mg.geqrf(a).a.sum().backward()
    reflectors, tau = mg.geqrf(a.detach())
    with pytest.raises(RuntimeError, match=r"do not fit other of shape \(2, 2\)"):
        mg.ormqr(reflectors, tau, mg.ones(2, 2, dtype=mg.float64))


# *** PyTorch's deprecated spellings ***
@pytest.mark.filterwarnings("ignore:torch.triangular_solve is deprecated")
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("transpose", [True, False])
def test_triangular_solve_matches_torch(upper: bool, transpose: bool, torch: Any) -> None:
    a = mg.tensor(RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3), requires_grad=True)
    b = mg.tensor(RNG.standard_normal((2, 3, 2)), requires_grad=True)
    t, u = (torch.tensor(x.array, requires_grad=True) for x in (a, b))
    with pytest.warns(UserWarning, match="deprecated in favor of torch.linalg.solve_triangular"):
        mine = b.triangular_solve(a, upper, transpose)
    theirs = torch.triangular_solve(u, t, upper, transpose)
    assert type(mine).__name__ == "triangular_solve"
    close(mine.solution, theirs.solution.detach())
    close(mine.cloned_coefficient, theirs.cloned_coefficient.detach())
    w = RNG.standard_normal((2, 3, 2))
    (mine.solution * mg.tensor(w)).sum().backward()
    (theirs.solution * torch.tensor(w)).sum().backward()
    close(a.grad, t.grad)
    close(b.grad, u.grad)


@pytest.mark.filterwarnings("ignore:torch.lu")
def test_old_lu_and_lu_solve(torch: Any) -> None:
    a, t = pair(torch, 2, 3, 3)
    (b, u) = pair(torch, 2, 3, 2)
    with pytest.warns(UserWarning, match="torch.lu is deprecated"):
        mine = mg.lu(a, get_infos=True)
    for m, r in zip(mine, torch.lu(t, get_infos=True), strict=True):
        close(m, r)
    assert len(a.lu()) == 2
    close(b.lu_solve(*mine[:2]), torch.lu_solve(u, *torch.linalg.lu_factor(t)))


def test_multi_dot_multiplies_in_the_cheapest_order() -> None:
    """(10x100)(100x5)(5x50): (AB)C costs 7500 multiplications, A(BC) 75000."""
    from minigrad.ops.decomp import _chain_order

    assert _chain_order([10, 100, 5, 50])[0][2] == 1  # split after B: (A B) C
    assert _chain_order([50, 5, 100, 10])[0][2] == 0  # A (B C)
    a, b, c = (mg.tensor(RNG.standard_normal(s)) for s in [(10, 100), (100, 5), (5, 50)])
    np.testing.assert_array_equal(mg.linalg.multi_dot([a, b, c]).array,
                                  ((a @ b) @ c).array)


# *** LDL^T ***
def ldl_cases() -> list[np.ndarray]:
    """Symmetric matrices that take each of Bunch-Kaufman's branches: no swap, a 1x1 swap,
    2x2 blocks (a zero diagonal), small diagonals, a batch."""
    rng = np.random.default_rng(5)
    cases = [np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[0.0, 1, 2], [1, 0, 3], [2, 3, 0]]),
             rng.standard_normal((2, 5, 5))]
    for _ in range(20):
        n = rng.integers(1, 7)
        a = rng.standard_normal((n, n))
        a[np.diag_indices(n)] *= rng.choice([0, 1e-3, 1], n)
        cases.append(a)
    return [a + np.swapaxes(a, -1, -2) for a in cases]


def test_ldl_factor_and_solve_match_lapack(torch: Any) -> None:
    two_by_two = 0
    for s in ldl_cases():
        mine = mg.linalg.ldl_factor_ex(mg.tensor(s))
        theirs = torch.linalg.ldl_factor_ex(torch.tensor(s))
        assert type(mine).__name__ == "linalg_ldl_factor_ex"
        close(mine.LD, theirs.LD, atol=1e-10)
        close(mine.pivots, theirs.pivots)
        close(mine.info, theirs.info)
        two_by_two += int((mine.pivots.array < 0).any())
        b = RNG.standard_normal((*s.shape[:-1], 2))
        close(mg.linalg.ldl_solve(*mine[:2], mg.tensor(b)),
              torch.linalg.ldl_solve(*theirs[:2], torch.tensor(b)), rtol=1e-8, atol=1e-9)
    assert two_by_two >= 3


def test_ldl_refuses_singular_input_and_gradients() -> None:
    with pytest.raises(mg.linalg.LinAlgError, match=r"D\[1, 1\] is zero"):
        mg.linalg.ldl_factor(mg.zeros(2, 2, dtype=mg.float64))
    assert mg.linalg.ldl_factor_ex(mg.zeros(2, 2, dtype=mg.float64)).info.item() == 1
    a = mg.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
    with pytest.raises(NotImplementedError, match="derivative of ldl_factor"):
        mg.linalg.ldl_factor(a).LD.sum().backward()
    ld, pivots = mg.linalg.ldl_factor(a.detach())
    with pytest.raises(RuntimeError, match=r"B must be \(\*, 2, k\)"):
        mg.linalg.ldl_solve(ld, pivots, mg.ones(3, 1, dtype=mg.float64))
