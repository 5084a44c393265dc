"""Every op, one short Function class each, with a lowercase function beside it.

Sections: elementwise (binary, unary, no-gradient), reduce, shape, linalg, neural."""

# Tensor.size calls ops.canonical_dim; the helpers of ops._common stay out of __all__
from minigrad.ops._common import canonical_dim  # noqa: F401
from minigrad.ops.elementwise import (
    abs,
    add,
    cast,
    clamp,
    clip,
    div,
    eq,
    exp,
    ge,
    gt,
    heaviside,
    le,
    leaky_relu,
    log,
    lt,
    maximum,
    minimum,
    mul,
    ne,
    neg,
    pow,
    relu,
    sigmoid,
    sign,
    sqrt,
    step,  # noqa: F401  (deprecated for heaviside, so not in __all__)
    sub,
    tanh,
    where,
)
from minigrad.ops.linalg import linear, matmul
from minigrad.ops.neural import cross_entropy, log_softmax, softmax, standardize
from minigrad.ops.reduce import argmax, argmin, logsumexp, max, mean, min, std, sum, var
from minigrad.ops.shape import (
    broadcast_to,
    cat,
    expand,
    flatten,
    permute,
    reshape,
    squeeze,
    stack,
    transpose,
    unsqueeze,
    view,
)

# isort: split
# convolution and pooling build on the ops above
from minigrad.ops.conv import conv1d, conv2d, conv_transpose2d
from minigrad.ops.pool import (
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    interpolate,
    max_pool1d,
    max_pool2d,
)

__all__ = [
    "abs", "add", "argmax", "argmin", "broadcast_to", "cast", "cat", "clamp", "clip",
    "cross_entropy", "div", "eq", "exp", "expand", "flatten", "ge", "getitem", "gt", "heaviside",
    "le", "leaky_relu", "linear", "log", "log_softmax", "logsumexp", "lt", "matmul", "max",
    "maximum", "mean", "min", "minimum", "mul", "ne", "neg", "permute", "pow", "relu",
    "reshape", "sigmoid", "sign", "softmax", "sqrt", "squeeze", "stack", "std", "sub", "sum",
    "standardize", "tanh", "transpose", "unsqueeze", "var", "view", "where",
]

# *** op library: indexing, shape, linear algebra (issue 11) ***
from minigrad.ops.indexing import (  # noqa: E402
    gather,
    getitem,
    index_add,
    index_put_add,
    index_select,
    masked_fill,
    masked_select,
    nonzero,
    normalize_index,
    one_hot,
    scatter,
    scatter_add,
    scatter_reduce,
    take_along_dim,
)
from minigrad.ops.linalg import (  # noqa: E402
    addmm,
    bmm,
    dot,
    einsum,
    mm,
    mv,
    outer,
    tensordot,
)
from minigrad.ops.shape import (  # noqa: E402
    chunk,
    diag,
    diag_embed,
    diagonal,
    flip,
    meshgrid,
    moveaxis,
    movedim,
    narrow,
    repeat,
    repeat_interleave,
    roll,
    split,
    swapaxes,
    swapdims,
    tile,
    tril,
    triu,
    unbind,
    unflatten,
    unfold,
)

__all__ += [
    "addmm", "bmm", "chunk", "diag", "diag_embed", "diagonal", "dot", "einsum", "flip", "gather",
    "index_add", "index_put_add", "index_select", "masked_fill", "masked_select", "meshgrid",
    "moveaxis", "movedim", "mm", "mv", "narrow", "nonzero", "normalize_index", "one_hot", "outer",
    "repeat", "repeat_interleave", "roll", "scatter", "scatter_add", "scatter_reduce", "split",
    "swapaxes", "swapdims", "take_along_dim", "tensordot", "tile", "tril", "triu", "unbind",
    "unflatten", "unfold",
]

# *** op library: math, activations, reductions, sorting ***
from minigrad.ops.activation import (  # noqa: E402
    celu,
    elu,
    gelu,
    glu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    prelu,
    relu6,
    selu,
    silu,
    softmin,
    softplus,
    softsign,
    threshold,
)
from minigrad.ops.cumulative import cummax, cummin, cumprod, cumsum, logcumsumexp, prod  # noqa: E402
from minigrad.ops.math import (  # noqa: E402
    acos,
    acosh,
    allclose,
    arctan2,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    bitwise_and,
    bitwise_left_shift,
    bitwise_not,
    bitwise_or,
    bitwise_right_shift,
    bitwise_xor,
    ceil,
    copysign,
    cos,
    cosh,
    erf,
    erfc,
    exp2,
    expm1,
    fix,
    floor,
    floor_divide,
    fmod,
    frac,
    hypot,
    isclose,
    isfinite,
    isinf,
    isnan,
    lerp,
    log1p,
    log2,
    log10,
    logaddexp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    reciprocal,
    remainder,
    round,
    rsqrt,
    sin,
    sinh,
    square,
    tan,
    trunc,
)
from minigrad.ops.norms import linalg_norm, matrix_norm, norm, vector_norm  # noqa: E402
from minigrad.ops.reduce import (  # noqa: E402
    all,
    amax,
    amin,
    aminmax,
    any,
    count_nonzero,
    std_mean,
    var_mean,
)
from minigrad.ops.sorting import argsort, kthvalue, sort, topk  # noqa: E402

__all__ += [
    "acos", "acosh", "all", "allclose", "amax", "amin", "aminmax", "any", "arctan2", "argsort",
    "asin", "asinh", "atan", "atan2", "atanh", "bitwise_and", "bitwise_left_shift",
    "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "ceil", "celu",
    "copysign", "cos", "cosh", "count_nonzero", "cummax", "cummin", "cumprod", "cumsum", "elu",
    "erf", "erfc", "exp2", "expm1", "fix", "floor", "floor_divide", "fmod", "frac", "gelu", "glu",
    "hardsigmoid", "hardswish", "hardtanh", "hypot", "isclose", "isfinite", "isinf", "isnan",
    "kthvalue", "lerp", "linalg_norm", "log10", "log1p", "log2", "logaddexp", "logcumsumexp",
    "logical_and", "logical_not", "logical_or", "logical_xor", "logsigmoid", "matrix_norm",
    "mish", "norm", "prelu", "prod", "reciprocal", "relu6", "remainder", "round", "rsqrt",
    "selu", "silu", "sin", "sinh", "softmin", "softplus", "softsign", "sort", "square",
    "std_mean", "tan", "threshold", "topk", "trunc", "var_mean", "vector_norm",
]
__all__ += [  # convolution and pooling (ops/conv.py, ops/pool.py)
    "adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool1d", "avg_pool2d", "conv1d", "conv2d",
    "conv_transpose2d", "interpolate", "max_pool1d", "max_pool2d",
]

# *** Tensor methods PyTorch programs use (tmethods): shape helpers ***
from minigrad.ops.shape import (  # noqa: E402
    dsplit,
    fliplr,
    flipud,
    hsplit,
    rot90,
    select,
    split_with_sizes,
    tensor_split,
    vsplit,
)

__all__ += [
    "dsplit", "fliplr", "flipud", "hsplit", "rot90", "select", "split_with_sizes",
    "tensor_split", "vsplit",
]

# *** tmethods: products, matrix functions, elementwise math, statistics, counting ***
from minigrad.ops.cumulative import diff  # noqa: E402
from minigrad.ops.inplace import index_copy, index_fill, masked_scatter  # noqa: E402
from minigrad.ops.linalg import (  # noqa: E402
    addbmm,
    addmv,
    addr,
    baddbmm,
    cross,
    det,
    inner,
    inverse,
    kron,
    logdet,
    matrix_power,
    pinverse,
    slogdet,
    trace,
    vdot,
)
from minigrad.ops.math import (  # noqa: E402
    addcdiv,
    addcmul,
    deg2rad,
    erfinv,
    float_power,
    ldexp,
    logaddexp2,
    logit,
    nan_to_num,
    rad2deg,
    sinc,
    xlogy,
)
from minigrad.ops.norms import dist, renorm  # noqa: E402
from minigrad.ops.reduce import corrcoef, cov, nanmean, nansum  # noqa: E402
from minigrad.ops.sorting import (  # noqa: E402
    bincount,
    histc,
    median,
    mode,
    nanmedian,
    nanquantile,
    quantile,
    unique,
)

__all__ += [
    "addbmm", "addcdiv", "addcmul", "addmv", "addr", "baddbmm", "bincount", "corrcoef", "cov",
    "cross", "deg2rad", "det", "diff", "dist", "erfinv", "float_power", "histc", "index_copy",
    "index_fill", "inner", "inverse", "kron", "ldexp", "logaddexp2", "logdet", "logit",
    "masked_scatter", "matrix_power", "median", "mode", "nan_to_num", "nanmean", "nanmedian",
    "nanquantile", "nansum", "pinverse", "quantile", "rad2deg", "renorm", "sinc", "slogdet",
    "trace", "unique", "vdot", "xlogy",
]

# *** tmethods: stacking, picking, comparisons, search ***
from minigrad.ops.indexing import argwhere, take  # noqa: E402
from minigrad.ops.inplace import index_put  # noqa: E402
from minigrad.ops.math import (  # noqa: E402
    fmax,
    fmin,
    frexp,
    gcd,
    isneginf,
    isposinf,
    isreal,
    lcm,
    nextafter,
    signbit,
)
from minigrad.ops.norms import cdist  # noqa: E402
from minigrad.ops.shape import (  # noqa: E402
    atleast_1d,
    atleast_2d,
    atleast_3d,
    block_diag,
    broadcast_shapes,
    broadcast_tensors,
    cartesian_prod,
    column_stack,
    concat,
    concatenate,
    diagflat,
    dstack,
    hstack,
    row_stack,
    sum_to_size,
    tril_indices,
    triu_indices,
    vstack,
)
from minigrad.ops.sorting import (  # noqa: E402
    bucketize,
    isin,
    msort,
    searchsorted,
    unique_consecutive,
)

__all__ += [
    "argwhere", "atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_shapes",
    "broadcast_tensors", "bucketize", "cartesian_prod", "cdist", "column_stack", "concat",
    "concatenate", "diagflat", "dstack", "fmax", "fmin", "frexp", "gcd", "hstack", "index_put",
    "isin", "isneginf", "isposinf", "isreal", "lcm", "msort", "nextafter", "row_stack",
    "searchsorted", "signbit", "sum_to_size", "take", "tril_indices", "triu_indices",
    "unique_consecutive", "vstack",
]
from minigrad.ops.activation import hardshrink  # noqa: E402
from minigrad.ops.inplace import diagonal_scatter, put, select_scatter, slice_scatter  # noqa: E402
from minigrad.ops.math import angle  # noqa: E402

__all__ += ["angle", "diagonal_scatter", "hardshrink", "put", "select_scatter", "slice_scatter"]
from minigrad.ops.math import digamma, lgamma, mvlgamma, polygamma  # noqa: E402

__all__ += ["digamma", "lgamma", "mvlgamma", "polygamma"]
from minigrad.ops.cumulative import cumulative_trapezoid, trapezoid, trapz  # noqa: E402
from minigrad.ops.linalg import (  # noqa: E402
    chain_matmul,
    cholesky,
    cholesky_inverse,
    cholesky_solve,
    ger,
)
from minigrad.ops.math import rsub  # noqa: E402
from minigrad.ops.shape import combinations, unravel_index, vander  # noqa: E402

__all__ += [
    "chain_matmul", "cholesky", "cholesky_inverse", "cholesky_solve", "combinations",
    "cumulative_trapezoid", "ger", "rsub", "trapezoid", "trapz", "unravel_index", "vander",
]

# programs5: torch.gradient (finite differences, beside trapezoid) and torch.histogram
from minigrad.ops.cumulative import gradient  # noqa: E402
from minigrad.ops.sorting import histogram  # noqa: E402

__all__ += ["gradient", "histogram"]

# *** decompositions: torch.svd, torch.qr (old APIs), matrix_exp, orgqr (torch.linalg's in
# minigrad.linalg) ***
from minigrad.ops.decomp import (  # noqa: E402
    geqrf,
    lu,
    lu_solve,
    lu_unpack,
    matrix_exp,
    orgqr,
    ormqr,
    qr,
    svd,
    triangular_solve,
)

__all__ += ["geqrf", "lu", "lu_solve", "lu_unpack", "matrix_exp", "orgqr", "ormqr", "qr", "svd",
            "triangular_solve"]

from minigrad.ops.conv import conv_transpose1d  # noqa: E402
from minigrad.ops.norms import pdist  # noqa: E402

__all__ += ["conv_transpose1d", "pdist"]

# conv3d: volumes and unpooling (ops/conv.py, ops/pool.py)
from minigrad.ops.conv import conv3d, conv_transpose3d  # noqa: E402
from minigrad.ops.pool import (  # noqa: E402
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool3d,
    avg_pool3d,
    max_pool3d,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
)

__all__ += ["adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool3d", "avg_pool3d",
            "conv3d", "conv_transpose3d", "max_pool3d", "max_unpool1d", "max_unpool2d",
            "max_unpool3d"]

# gaps2: torch.i0 (torch.special's i0e, i1, i1e and erfcx are beside it in ops/special.py)
from minigrad.ops.special import i0  # noqa: E402

__all__ += ["i0"]
