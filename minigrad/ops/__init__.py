"""Every op, one short Function class each, with a lowercase function beside it.

Sections: elementwise (binary, unary, no-gradient), reduce, shape, linalg, neural."""

from minigrad.ops._common import canonical_dim, canonical_dims, constant, operands
from minigrad.ops.conv import conv1d, conv2d, conv_transpose2d, fold, unfold
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
from minigrad.ops.neural import cross_entropy, log_softmax, normalize, softmax
from minigrad.ops.pool import (
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    interpolate,
    max_pool1d,
    max_pool2d,
)
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
    "abs", "add", "argmax", "argmin", "broadcast_to", "canonical_dim", "canonical_dims", "cast",
    "cat", "clamp", "clip", "constant", "cross_entropy", "div", "eq", "exp", "expand", "flatten",
    "ge", "getitem", "gt", "le", "leaky_relu", "linear", "log", "log_softmax", "logsumexp", "lt",
    "matmul", "max", "maximum", "mean", "min", "minimum", "mul", "ne", "neg", "normalize",
    "operands", "permute", "pow", "relu", "reshape", "sigmoid", "sign", "softmax", "sqrt",
    "squeeze", "stack", "std", "step", "sub", "sum", "tanh", "transpose", "unsqueeze", "var",
    "view", "where",
]
__all__ += [  # convolution and pooling (ops/conv.py, ops/pool.py)
    "adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool1d", "avg_pool2d", "conv1d", "conv2d",
    "conv_transpose2d", "fold", "interpolate", "max_pool1d", "max_pool2d", "unfold",
]
