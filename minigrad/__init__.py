"""minigrad: a small, readable reverse-mode automatic differentiation framework on numpy."""

import numpy as np

from minigrad.tensor import Tensor  # first: the modules below build on it

# isort: split
from minigrad.autograd import backward, grad
from minigrad.creation import (
    arange,
    eye,
    from_numpy,
    full,
    manual_seed,
    ones,
    ones_like,
    rand,
    randn,
    zeros,
    zeros_like,
)
from minigrad.function import (
    AnomalyError,
    Function,
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from minigrad.ops import (
    abs,
    argmax,
    argmin,
    cat,
    clamp,
    clip,
    exp,
    heaviside,
    log,
    log_softmax,
    logsumexp,
    matmul,
    maximum,
    mean,
    minimum,
    relu,
    sigmoid,
    softmax,
    sqrt,
    stack,
    step,  # noqa: F401  (deprecated for heaviside, so not in __all__)
    sum,
    tanh,
    where,
)
from minigrad.serialization import load, save
from minigrad.threads import get_num_threads, set_num_threads

float16, float32, float64 = np.float16, np.float32, np.float64
int32, int64, bool_ = np.int32, np.int64, np.bool_


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """A new leaf tensor holding a copy of data (same as `Tensor(...)`)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


__version__ = "0.1.0"
__all__ = [
    "AnomalyError", "Function", "Tensor", "abs", "arange", "argmax", "argmin", "backward", "cat",
    "clamp", "clip", "detect_anomaly", "enable_grad", "exp", "eye", "float16", "float32",
    "float64", "from_numpy", "full", "grad", "int32", "int64", "is_grad_enabled", "load", "log",
    "log_softmax", "logsumexp", "manual_seed", "matmul", "maximum", "mean", "minimum", "no_grad",
    "ones", "ones_like", "rand", "randn", "relu", "save", "set_grad_enabled", "sigmoid", "softmax",
    "sqrt", "stack", "heaviside", "sum", "tanh", "tensor", "where", "zeros", "zeros_like",
]
__all__ += ["get_num_threads", "set_num_threads"]

from minigrad.compile import compile  # noqa: E402  (compile: captured, replayed steps)

__all__ += ["compile"]
