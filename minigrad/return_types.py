"""The named tuples ops return, as torch.return_types: same names and fields
(`values, indices = x.max(1)`), and printed as PyTorch prints them, a field a line:

    minigrad.return_types.max(
    values=tensor([2., 4.]),
    indices=tensor([1, 1]))
"""

from collections import namedtuple as _namedtuple


def _named(name: str, fields: str) -> type:
    """A namedtuple class called `name` that prints as torch.return_types.<name>."""

    def __repr__(self: tuple) -> str:
        items = ",\n".join(f"{field}={value!r}" for field, value in zip(self._fields, self))
        return f"minigrad.return_types.{name}(\n{items})"

    base = _namedtuple(name, fields)

    def __new__(cls: type, *args: object) -> tuple:
        """From the fields, or from one sequence of them as torch.return_types.<name>((a, b))."""
        if len(args) == 1 and isinstance(args[0], (tuple, list)):
            args = tuple(args[0])
        if len(args) != len(base._fields):
            raise TypeError(f"return_types.{name}: expected {len(base._fields)} fields "
                            f"{base._fields}, got {len(args)}")
        return base.__new__(cls, *args)

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__new__": __new__,
                                "__module__": __name__})


# *** reductions, sorting and cumulative ops ***
max = _named("max", "values indices")
min = _named("min", "values indices")
aminmax = _named("aminmax", "min max")
sort = _named("sort", "values indices")
topk = _named("topk", "values indices")
kthvalue = _named("kthvalue", "values indices")
median = _named("median", "values indices")
nanmedian = _named("nanmedian", "values indices")
mode = _named("mode", "values indices")
cummax = _named("cummax", "values indices")
cummin = _named("cummin", "values indices")
histogram = _named("histogram", "hist bin_edges")

# *** linear algebra ***
slogdet = _named("slogdet", "sign logabsdet")
linalg_slogdet = _named("linalg_slogdet", "sign logabsdet")
linalg_svd = _named("linalg_svd", "U S Vh")
svd = _named("svd", "U S V")
linalg_qr = _named("linalg_qr", "Q R")
qr = _named("qr", "Q R")
linalg_eigh = _named("linalg_eigh", "eigenvalues eigenvectors")
linalg_eig = _named("linalg_eig", "eigenvalues eigenvectors")
geqrf = _named("geqrf", "a tau")
linalg_lu_factor = _named("linalg_lu_factor", "LU pivots")
linalg_lu_factor_ex = _named("linalg_lu_factor_ex", "LU pivots info")
linalg_lu = _named("linalg_lu", "P L U")
lu_unpack = _named("lu_unpack", "P L U")
triangular_solve = _named("triangular_solve", "solution cloned_coefficient")
linalg_ldl_factor = _named("linalg_ldl_factor", "LD pivots")
linalg_ldl_factor_ex = _named("linalg_ldl_factor_ex", "LD pivots info")
linalg_lstsq = _named("linalg_lstsq", "solution residuals rank singular_values")
linalg_inv_ex = _named("linalg_inv_ex", "inverse info")
linalg_cholesky_ex = _named("linalg_cholesky_ex", "L info")
linalg_solve_ex = _named("linalg_solve_ex", "result info")
