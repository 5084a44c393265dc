"""How many threads numpy's BLAS (the matrix products under every op) may use, with PyTorch's
names: `set_num_threads(n)` and `get_num_threads()`.

On a machine whose cores are taken by other work, a BLAS that splits each small product over all
cores waits for time slices and can run many times slower than on one thread; on a quiet
machine more threads help large products. Nothing changes on import: the count is whatever
numpy's BLAS chose (usually one per core, or `OPENBLAS_NUM_THREADS`) until you set it. The
BLAS libraries are found through `threadpoolctl` at the first call and remembered.
"""

from __future__ import annotations

import functools
import numbers

from threadpoolctl import ThreadpoolController


@functools.cache
def _blas() -> ThreadpoolController:
    """The BLAS thread pools loaded in this process (numpy's among them)."""
    return ThreadpoolController().select(user_api="blas")


def set_num_threads(n: int) -> None:
    """Let numpy's BLAS use at most n threads, from now on, in this process."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"set_num_threads: n must be an int, got {type(n).__name__} {n!r}")
    if n < 1:
        raise ValueError(f"set_num_threads: n must be at least 1, got {n}")
    _blas().limit(limits=int(n))


def get_num_threads() -> int:
    """The number of threads numpy's BLAS may use now (1 when no BLAS pool is found)."""
    return max((pool["num_threads"] for pool in _blas().info()), default=1)
