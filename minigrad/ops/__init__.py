"""Every op, one short Function class each, with a lowercase function beside it.

Sections: elementwise (binary, unary, no-gradient), reduce, shape, linalg, neural."""

from minigrad.ops._common import canonical_dim, canonical_dims, constant, operands
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
    step,
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

__all__ = [
    "abs", "add", "argmax", "argmin", "broadcast_to", "canonical_dim", "canonical_dims", "cast",
    "cat", "clamp", "clip", "constant", "cross_entropy", "div", "eq", "exp", "expand", "flatten",
    "ge", "getitem", "gt", "le", "leaky_relu", "linear", "log", "log_softmax", "logsumexp", "lt",
    "matmul", "max", "maximum", "mean", "min", "minimum", "mul", "ne", "neg", "standardize",
    "operands", "permute", "pow", "relu", "reshape", "sigmoid", "sign", "softmax", "sqrt",
    "squeeze", "stack", "std", "step", "sub", "sum", "tanh", "transpose", "unsqueeze", "var",
    "view", "where",
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
