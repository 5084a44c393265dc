"""`y += alpha * x` in one pass, through the axpy of the BLAS that numpy itself loaded.

numpy has no in-place multiply-add: `p -= lr * grad` makes a temporary and walks the parameter
twice, on one core. In a training step of the tutorial's network that update of the first
layer's 200,704 weights took about 200 us of 850; OpenBLAS's axpy, one pass on every BLAS
thread, took about 55 us there (`python -m benchmarks.bench_ops --ops update` times both).

Only the OpenBLAS that numpy's PyPI wheels bundle is looked for (its 64-bit-integer interface,
`scipy_cblas_?axpy64_`). With any other numpy, with `MINIGRAD_NUMPY_AXPY=1` in the environment,
or for arrays that do not fit (small, of different dtypes or layouts, not contiguous, read-only
or overlapping), `axpy_` runs the numpy expression instead. numpy rounds the product and then
the sum, BLAS may fuse them into one rounding (as PyTorch does), so the two paths agree to
within a rounding of each element.
"""

from __future__ import annotations

import ctypes
import glob
import os
from collections.abc import Callable

import numpy as np

SMALL = 32_768  # below this many elements numpy is as fast as the foreign call (about 4 µs)


def _numpy_blas_axpy() -> dict[np.dtype, Callable]:
    """{dtype: axpy} from numpy's bundled OpenBLAS, or {} when there is none to be found."""
    if os.environ.get("MINIGRAD_NUMPY_AXPY") == "1":
        return {}
    package = os.path.dirname(np.__file__)
    # Linux and Windows wheels keep their libraries in numpy.libs beside the package, macOS
    # wheels in numpy/.dylibs; the library is loaded already, so this opens the same copy
    candidates = (glob.glob(os.path.join(package, os.pardir, "numpy.libs", "*openblas*"))
                  + glob.glob(os.path.join(package, ".dylibs", "*openblas*")))
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
            found = {}
            for dtype, name, scalar in ((np.float32, "scipy_cblas_saxpy64_", ctypes.c_float),
                                        (np.float64, "scipy_cblas_daxpy64_", ctypes.c_double)):
                axpy = getattr(lib, name)
                axpy.restype = None
                axpy.argtypes = (ctypes.c_int64, scalar, ctypes.c_void_p, ctypes.c_int64,
                                 ctypes.c_void_p, ctypes.c_int64)
                found[np.dtype(dtype)] = axpy
            return found
        except (OSError, AttributeError):
            continue
    return {}


_AXPY = _numpy_blas_axpy()


def axpy_(y: np.ndarray, alpha: float, x: np.ndarray) -> None:
    """y += alpha * x, in place."""
    axpy = _AXPY.get(y.dtype)
    if axpy is None or y.size < SMALL or not _fits(y, x):
        y += alpha * x
    else:
        axpy(y.size, float(alpha), x.ctypes.data, 1, y.ctypes.data, 1)


def _fits(y: np.ndarray, x: np.ndarray) -> bool:
    """x and y can be read as one run of memory each, element i of one matching element i of
    the other, and writing y cannot change x."""
    yf, xf = y.flags, x.flags
    return (x.dtype == y.dtype and x.shape == y.shape and yf.writeable and yf.aligned
            and xf.aligned and ((yf.c_contiguous and xf.c_contiguous)
                                or (yf.f_contiguous and xf.f_contiguous))
            and not np.may_share_memory(x, y))
