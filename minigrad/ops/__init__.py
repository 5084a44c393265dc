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
from minigrad.ops.neural import cross_entropy, log_softmax, normalize, softmax
from minigrad.ops.reduce import argmax, argmin, logsumexp, max, mean, min, std, sum, var
from minigrad.ops.shape import (
    broadcast_to,
    cat,
    expand,
    flatten,
    getitem,
    permute,
    reshape,
    squeeze,
    stack,
    transpose,
    unsqueeze,
    view,
)

__all__ = [
    "abs", "add", "argmax", "argmin", "broadcast_to", "cast", "cat", "clamp", "clip",
    "cross_entropy", "div", "eq", "exp", "expand", "flatten", "ge", "getitem", "gt", "heaviside",
    "le", "leaky_relu", "linear", "log", "log_softmax", "logsumexp", "lt", "matmul", "max",
    "maximum", "mean", "min", "minimum", "mul", "ne", "neg", "normalize", "permute", "pow", "relu",
    "reshape", "sigmoid", "sign", "softmax", "sqrt", "squeeze", "stack", "std", "sub", "sum",
    "tanh", "transpose", "unsqueeze", "var", "view", "where",
]
