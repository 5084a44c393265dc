"""minigrad: a small, readable reverse-mode automatic differentiation framework on numpy.

`import minigrad as mg` gives PyTorch's namespace: `mg.tensor`, `mg.zeros`, `mg.float32`,
`mg.device`, `mg.manual_seed`, every op as a function (`mg.sin`, `mg.matmul`), and the
packages `mg.nn`, `mg.optim`, `mg.data` (also as `mg.utils.data`), `mg.autograd`,
`mg.testing`, loaded when first used so the engine never imports them."""

import importlib
import math as _math

from minigrad.tensor import Tensor  # first: the modules below build on it

# isort: split
import sys

from minigrad import autograd, autograd_functional, backends, cuda, random
from minigrad.autograd import backward, grad
from minigrad.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from minigrad.device import device
from minigrad.dtypes import (
    bool,
    bool_,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    set_default_dtype,
    short,
    uint8,
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
from minigrad.ops import step  # noqa: F401  (deprecated for heaviside, so not in __all__)
from minigrad.random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from minigrad.serialization import load, save
from minigrad.threads import get_num_threads, set_num_threads
from minigrad.toplevel import functions as _functions

# every op of minigrad.ops, and the Tensor methods PyTorch also offers as functions
_FUNCTIONS = _functions()
globals().update(_FUNCTIONS)

inf, nan, pi, e = _math.inf, _math.nan, _math.pi, _math.e

_LAZY = ("nn", "optim", "data", "utils", "testing", "interop", "distributions",
         "special")


def __getattr__(name: str):
    """Import the packages above the engine (nn, optim, data, ...) and `compile`, which builds
    on them, when first used."""
    if name in _LAZY:
        return importlib.import_module(f"minigrad.{name}")
    if name == "compile":
        return importlib.import_module("minigrad.compiler").compile
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")


def __dir__() -> list:
    return sorted([*globals(), *_LAZY, "compile"])


__version__ = "0.1.0"
__all__ = [
    "AnomalyError", "Function", "Generator", "Tensor", "arange", "as_tensor", "autograd",
    "backends", "backward", "bool", "bool_", "cdouble", "cfloat", "complex64", "complex128",
    "cuda", "default_generator", "detect_anomaly", "device", "double", "e", "empty",
    "empty_like", "enable_grad", "eye", "float", "float16", "float32", "float64", "from_numpy",
    "full", "full_like", "get_default_dtype", "get_rng_state", "grad", "half", "inf",
    "initial_seed", "int", "int8", "int16", "int32", "int64", "is_grad_enabled", "linspace",
    "load", "logspace", "long", "manual_seed", "nan", "no_grad", "normal", "ones", "ones_like",
    "pi", "promote_types", "rand", "rand_like", "randint", "randint_like", "randn",
    "randn_like", "random", "randperm", "result_type", "save", "seed", "set_default_dtype",
    "set_grad_enabled", "set_rng_state", "short", "tensor", "uint8", "zeros", "zeros_like",
]
__all__ += sorted(_FUNCTIONS)

# *** op library: math, activations, reductions, sorting ***
from minigrad import linalg  # noqa: E402  (mg.linalg.norm, as torch.linalg)

__all__ += ["linalg"]
from minigrad.dtypes import can_cast  # noqa: E402  (programs2: torch.can_cast)

__all__ += ["can_cast"]
__all__ += ["get_num_threads", "set_num_threads"]
__all__ += ["compile"]  # minigrad.compiler.compile, loaded on first use (it builds on nn, optim)

# *** small pieces of torch's namespace that PyTorch programs use ***
from minigrad import accelerator  # noqa: E402
from minigrad.compat import (  # noqa: E402
    Size,
    are_deterministic_algorithms_enabled,
    equal,
    finfo,
    get_default_device,
    iinfo,
    inference_mode,
    is_deterministic_algorithms_warn_only_enabled,
    is_inference_mode_enabled,
    set_default_device,
    use_deterministic_algorithms,
)

__all__ += ["Size", "accelerator", "are_deterministic_algorithms_enabled", "equal", "finfo",
            "get_default_device", "iinfo", "inference_mode",
            "is_deterministic_algorithms_warn_only_enabled", "set_default_device",
            "set_printoptions", "use_deterministic_algorithms", "is_inference_mode_enabled"]

from minigrad.printing import set_printoptions  # noqa: E402

sys.modules["minigrad.autograd.functional"] = autograd_functional  # torch's import path

# *** complex tensors from real ones and back, without gradient (minigrad/complex.py), and
# the deprecated set_default_tensor_type (minigrad/legacy.py) ***
from minigrad.complex import complex, polar, view_as_complex, view_as_real  # noqa: E402
from minigrad.legacy import set_default_tensor_type  # noqa: E402

__all__ += ["complex", "polar", "set_default_tensor_type", "view_as_complex", "view_as_real"]

# *** older PyTorch names that tutorials still use (minigrad/legacy.py) ***
from minigrad.legacy import (  # noqa: E402
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    get_float32_matmul_precision,
    set_float32_matmul_precision,
)

__all__ += ["BoolTensor", "ByteTensor", "CharTensor", "DoubleTensor", "FloatTensor",
            "HalfTensor", "IntTensor", "LongTensor", "ShortTensor",
            "get_float32_matmul_precision", "set_float32_matmul_precision"]

# torch.amp (autocast only when disabled; GradScaler), also as torch.cuda.amp
from minigrad import amp  # noqa: E402
from minigrad.amp import autocast  # noqa: E402

cuda.amp = amp
__all__ += ["amp", "autocast"]
from minigrad.dtypes import bfloat16  # noqa: E402  (a name only: using it raises)

__all__ += ["bfloat16"]

# gaps: torch.func (function transforms) and torch.vmap
from minigrad import func  # noqa: E402
from minigrad.func import vmap  # noqa: E402

__all__ += ["func", "vmap"]

# gaps2: window functions and the short-time Fourier transform
from minigrad import signal  # noqa: E402  (torch.signal.windows)
from minigrad.spectral import (  # noqa: E402
    bartlett_window,
    blackman_window,
    hamming_window,
    hann_window,
    istft,
    kaiser_window,
    stft,
)

__all__ += ["bartlett_window", "blackman_window", "hamming_window", "hann_window", "istft",
            "kaiser_window", "signal", "stft"]

# gaps2: randomized low-rank SVD and PCA
from minigrad.lowrank import pca_lowrank, svd_lowrank  # noqa: E402

__all__ += ["pca_lowrank", "svd_lowrank"]
