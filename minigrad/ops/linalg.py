"""Linear algebra: matmul with numpy's broadcasting rules, nn.Linear's fused affine map, the
checked products of PyTorch (mm, bmm, mv, dot, outer, addmm, tensordot) and einsum."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from minigrad.function import Function, ShapeError
from minigrad.ops import elementwise, fused
from minigrad.ops._common import canonical_dim, check_broadcasts_to, operands
from minigrad.ops.indexing import IndexPutAdd
from minigrad.ops.shape import diagonal, permute, reshape, stack, unsqueeze
from minigrad.return_types import slogdet as SignLogAbsDet
from minigrad.tensor import Tensor


class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a.array @ b.array

    @staticmethod
    def backward(ctx, g):
        """dA = G B^T, dB = A^T G. A 1-D operand is viewed as a matrix, as forward does, and the
        engine sums broadcast batch dims back to each operand's shape."""
        a, b = ctx.saved_tensors
        a2 = unsqueeze(a, 0) if a.ndim == 1 else a
        b2 = unsqueeze(b, -1) if b.ndim == 1 else b
        batched = a2.ndim > 2 or b2.ndim > 2
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]) if batched else ()
        g2 = reshape(g, *batch, a2.shape[-2], b2.shape[-1])
        grad_a = g2 @ b2.mT if ctx.needs_input_grad[0] else None
        grad_b = a2.mT @ g2 if ctx.needs_input_grad[1] else None
        if grad_b is not None and b.ndim == 1:
            grad_b = reshape(grad_b, *grad_b.shape[:-1])
        return grad_a, grad_b


# from this many rows on, Linear computes x W^T directly (batch-major), below as (W x^T)^T
FEATURE_MAJOR_BELOW = 512


class Linear(Function):
    """x W^T + b. Just an optimization: for fewer than FEATURE_MAJOR_BELOW rows it is computed as
    (W x^T)^T, the GEMM OpenBLAS runs faster for the tutorial's first layer at small batches
    (figures in benchmarks/README.md), whose output comes out feature-major, as the hand-written
    network keeps its activations; at large batches x W^T is the quicker one."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        rows = _rows(x.array)
        if len(rows) >= FEATURE_MAJOR_BELOW:
            out = rows @ weight.array.T
        else:
            out = (weight.array @ rows.T).T  # a transposed view of a fresh array
        if bias is not None:
            out += bias.array  # out is fresh: add in place
        return out if x.ndim == 2 else out.reshape(*x.shape[:-1], -1)

    @staticmethod
    def backward(ctx, g):
        """dx = g W, dW = g^T x (summed over every leading dim), db = sum of g, as one fused op
        (ops/fused.py); nothing is computed for an input that needs no gradient (the images of
        the first layer)."""
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        if not (need_w or need_b):  # a frozen layer: only dx = g W
            return MatMul.apply(g, weight), None, None
        grads = fused.LinearGrad.apply(g, x, weight if need_x else None)
        return grads[2] if need_x else None, grads[0], grads[1]


def _rows(t: Any) -> Any:
    """t (Tensor or array) as a matrix whose rows are its last dim: leading dims merged."""
    return t if t.ndim == 2 else t.reshape(-1, t.shape[-1])


# *** functional API ***
def matmul(a: Any, b: Any) -> Tensor:
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.array.dtype != b.array.dtype:
        raise RuntimeError(f"matmul: operands must have the same dtype, got {a.dtype} and "
                           f"{b.dtype}")
    a, b = operands(a, b)
    if a.array.dtype == np.bool_:
        raise TypeError("matmul: not implemented for bool tensors (use .int() or .float())")
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: both operands need at least 1 dim, got shapes {a.shape} and "
                         f"{b.shape}")
    k_a, k_b = a.array.shape[-1], b.array.shape[-2 if b.ndim > 1 else 0]
    if k_a != k_b:
        raise ShapeError(f"matmul: shapes {a.shape} and {b.shape} do not align ({k_a} != {k_b})")
    if a.ndim > 2 or b.ndim > 2:
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise ValueError(f"matmul: batch dims of shapes {a.shape} and {b.shape} do not "
                             "broadcast") from None
    return MatMul.apply(a, b)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x W^T + b, with weight of shape (out_features, in_features) as in PyTorch."""
    try:
        x_shape, w_shape = x.array.shape, weight.array.shape
        one_dtype = x.array.dtype == weight.array.dtype and (
            bias is None or bias.array.dtype == weight.array.dtype)
    except AttributeError:  # not tensors: the check below names them
        one_dtype = False
    if not one_dtype:
        _check_linear_args(x, weight, bias)
    if len(w_shape) != 2 or not x_shape or x_shape[-1] != w_shape[1]:
        if len(w_shape) == 1 and x_shape and x_shape[-1] == w_shape[0]:  # as torch: x @ w
            return matmul(x, weight) if bias is None else matmul(x, weight) + bias
        raise ShapeError(f"linear: input of shape {x.shape} does not fit weight of shape "
                         f"{weight.shape} (expected last dim {weight.shape[-1]})")
    if bias is not None and bias.array.shape != w_shape[:1]:
        check_broadcasts_to(bias.shape, w_shape[:1], (
            f"linear: bias of shape {bias.shape} does not fit weight of shape "
            f"{weight.shape} (expected ({weight.shape[0]},))"))
        return Linear.apply(x, weight, None) + bias
    return Linear.apply(x, weight, bias)


def _check_linear_args(x: Any, weight: Any, bias: Any) -> None:
    """linear's refusals, looked at only when the dtypes differ (off the common path): tensors
    only, and one dtype for all, as torch (which never casts in linear)."""
    for name, t in (("input", x), ("weight", weight), ("bias", bias)):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"linear: {name} must be a Tensor, got {type(t).__name__}")
    for name, t in (("input", x), ("bias", bias)):
        if t is not None and t.dtype != weight.dtype:
            raise RuntimeError(f"linear: {name} dtype {t.dtype} differs from weight dtype "
                               f"{weight.dtype} (cast one, e.g. input.to(weight.dtype))")


# *** more products (PyTorch's names): checked shapes, then matmul or einsum ***
def _checked_matmul(op: str, input: Any, other: Any, names: tuple[str, str],
                    ndims: tuple[int, int]) -> Tensor:
    """input @ other after PyTorch's checks for mm, bmm, mv and dot (RuntimeError, as there):
    each operand's number of dims, one dtype, then equal batch and inner sizes."""
    for name, t, ndim in zip(names, (input, other), ndims, strict=True):
        if not isinstance(t, Tensor) or t.ndim != ndim:
            shape = t.shape if isinstance(t, Tensor) else type(t).__name__
            kind = {1: "a vector (1-D tensor)", 2: "a matrix (2-D tensor)",
                    3: "a batch of matrices (3-D tensor)"}[ndim]
            raise RuntimeError(f"{op}: {name} must be {kind}, got {shape}")
    if input.dtype != other.dtype:
        raise RuntimeError(f"{op}: expected both operands to have one dtype, got {input.dtype} "
                           f"and {other.dtype}")
    inner = input.shape[-1], other.shape[-2 if other.ndim > 1 else 0]
    if op == "dot" and inner[0] != inner[1]:
        raise RuntimeError(f"dot: expected 1-D tensors of one size, got shapes {input.shape} "
                           f"and {other.shape}")
    if inner[0] != inner[1]:
        raise RuntimeError(f"{op}: shapes {input.shape} and {other.shape} do not align "
                           f"({inner[0]} != {inner[1]})")
    if input.ndim == 3 and input.shape[0] != other.shape[0]:
        raise RuntimeError(f"{op}: shapes {input.shape} and {other.shape} have different batch "
                           f"sizes ({input.shape[0]} != {other.shape[0]})")
    return MatMul.apply(input, other)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """The product of two matrices, (n, k) @ (k, m)."""
    return _checked_matmul("mm", input, mat2, ("input", "mat2"), (2, 2))


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix products, (b, n, k) @ (b, k, m), with equal batch sizes."""
    return _checked_matmul("bmm", input, mat2, ("input", "mat2"), (3, 3))


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix times vector, (n, k) @ (k,)."""
    return _checked_matmul("mv", input, vec, ("input", "vec"), (2, 1))


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """The inner product of two 1-D tensors of equal length."""
    return _checked_matmul("dot", input, tensor, ("input", "tensor"), (1, 1))


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """out[i, j] = input[i] vec2[j]."""
    input, vec2 = operands(input, vec2)
    if input.ndim != 1 or vec2.ndim != 1:
        raise ValueError(f"outer: input and vec2 must be 1-D, got shapes {input.shape} and "
                         f"{vec2.shape}")
    return unsqueeze(input, 1) * unsqueeze(vec2, 0)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: float = 1,
          alpha: float = 1) -> Tensor:
    """beta input + alpha (mat1 @ mat2); with beta=0 input is ignored (nan and inf too)."""
    return _scaled_sum("addmm", input, mm(mat1, mat2), beta, alpha)


def _scaled_sum(op: str, input: Any, product: Tensor, beta: float, alpha: float) -> Tensor:
    """beta input + alpha product, for addmm and its relatives; with beta=0 input's values are
    not read (nan and inf too)."""
    input = operands(input, product)[0]
    check_broadcasts_to(input.shape, product.shape, f"{op}: input of shape {input.shape} does "
                        f"not broadcast to the product's shape {product.shape}")
    product = product if alpha == 1 else product * alpha
    if beta == 0:  # input's values are not read, but it gets a zero gradient as in PyTorch
        return elementwise.where(Tensor._make(np.zeros((), bool)), input, product)
    return (input if beta == 1 else input * beta) + product


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Sum of products over a's last dims and b's first dims (dims an int), or over the listed
    pairs (dims = (dims_a, dims_b))."""
    a, b = operands(a, b)
    if isinstance(dims, (int, np.integer)):
        if dims < 0 or dims > min(a.ndim, b.ndim):
            raise ValueError(f"tensordot: cannot contract {dims} dims of shapes {a.shape} and "
                             f"{b.shape}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, (int, np.integer)) else list(d) for d in dims)
    dims_a = [canonical_dim(d, a.ndim, "tensordot") for d in dims_a]
    dims_b = [canonical_dim(d, b.ndim, "tensordot") for d in dims_b]
    if len(dims_a) != len(dims_b) or any(a.shape[i] != b.shape[j]
                                         for i, j in zip(dims_a, dims_b)):
        raise ValueError(f"tensordot: dims {dims_a} of shape {a.shape} and {dims_b} of shape "
                         f"{b.shape} do not pair up")
    free_a = [d for d in range(a.ndim) if d not in dims_a]
    free_b = [d for d in range(b.ndim) if d not in dims_b]
    k = math.prod(a.shape[d] for d in dims_a)
    left = reshape(permute(a, *free_a, *dims_a), -1, k) if a.ndim else reshape(a, 1, 1)
    right = reshape(permute(b, *dims_b, *free_b), k, -1) if b.ndim else reshape(b, 1, 1)
    out_shape = [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]
    return reshape(MatMul.apply(left, right), *out_shape)


class Einsum(Function):
    """numpy's einsum on explicit subscripts (no ellipsis): `inputs` holds each operand's
    letters, `output` the result's. The gradient for an operand is another einsum of the output
    gradient with the other operands, spread over the letters it lacks and put on the
    diagonal where its letters repeat ('ii')."""

    @staticmethod
    def forward(ctx, inputs, output, *operands):
        ctx.save_for_backward(*operands)
        ctx.subscripts, ctx.output = inputs, output
        arrays = [t.array for t in operands]
        if len(arrays) == 2 and all(len(set(s)) == len(s) for s in inputs):
            return _contract_pair(arrays[0], inputs[0], arrays[1], inputs[1], output)
        equation = ",".join(inputs) + "->" + output
        return np.asarray(np.einsum(equation, *arrays, optimize=len(arrays) > 1))

    @staticmethod
    def backward(ctx, g):
        operands = ctx.saved_tensors
        subscripts, output = ctx.subscripts, ctx.output
        grads = []
        for k, (letters, t) in enumerate(zip(subscripts, operands, strict=True)):
            if not ctx.needs_input_grad[k + 2]:
                grads.append(None)
                continue
            others = [i for i in range(len(operands)) if i != k]
            known = set(output).union(*[subscripts[i] for i in others])
            unique = "".join(dict.fromkeys(letters))
            sizes = {c: n for c, n in zip(letters, t.shape, strict=True)}
            found = "".join(c for c in unique if c in known)
            partial = Einsum.apply((output, *[subscripts[i] for i in others]), found, g,
                                   *[operands[i] for i in others])
            spread = reshape(partial, *[sizes[c] if c in known else 1 for c in unique])
            spread = spread.expand(*[sizes[c] for c in unique])
            if len(unique) < len(letters):  # repeated letters: place on the diagonal
                grids = np.indices([sizes[c] for c in unique], sparse=True)
                index = tuple(grids[unique.index(c)] for c in letters)
                spread = IndexPutAdd.apply(spread, t.shape, ((), index))
            grads.append(spread)
        return (None, None, *grads)


def _contract_pair(a: np.ndarray, a_letters: str, b: np.ndarray, b_letters: str,
                   output: str) -> np.ndarray:
    """Two-operand einsum as one batched matmul, as PyTorch computes it (np.einsum's own
    contraction costs tens of microseconds more per call): letters in both operands and the
    output are batch dims, in both but not the output are summed by the matmul, and a letter
    of one operand only is summed first unless the output keeps it."""
    a_only = tuple(i for i, c in enumerate(a_letters) if c not in b_letters and c not in output)
    b_only = tuple(i for i, c in enumerate(b_letters) if c not in a_letters and c not in output)
    if a_only:
        a, a_letters = a.sum(a_only), "".join(c for i, c in enumerate(a_letters)
                                             if i not in a_only)
    if b_only:
        b, b_letters = b.sum(b_only), "".join(c for i, c in enumerate(b_letters)
                                             if i not in b_only)
    sizes = dict(zip(a_letters, a.shape)) | dict(zip(b_letters, b.shape))
    batch = [c for c in a_letters if c in b_letters and c in output]
    summed = [c for c in a_letters if c in b_letters and c not in output]
    left = [c for c in a_letters if c not in b_letters]
    right = [c for c in b_letters if c not in a_letters]

    def block(array: np.ndarray, letters: str, order: list[str], *groups: list[str]):
        """array's dims in order, merged into one dim per group (no batch dim if none)."""
        array = array.transpose([letters.index(c) for c in order])
        return array.reshape([math.prod(sizes[c] for c in g) for g in groups[not batch:]])

    product = (block(a, a_letters, batch + left + summed, batch, left, summed)
               @ block(b, b_letters, batch + summed + right, batch, summed, right))
    letters = batch + left + right
    product = product.reshape([sizes[c] for c in letters])
    return product.transpose([letters.index(c) for c in output])


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sums of products named by subscripts, e.g. 'ij,jk->ik' (matmul), 'ii->' (trace),
    'ii->i' (diagonal), 'b...i,b...i->b...' (ellipsis for any further dims, broadcast)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    tensors = [t if isinstance(t, Tensor) else Tensor._make(np.asarray(t)) for t in operands]
    explicit, output, full = _einsum_plan(equation, tuple(t.array.shape for t in tensors))
    same = [t if shape == t.shape else t.expand(*shape) for t, shape in zip(tensors, full)]
    return Einsum.apply(explicit, output, *same)


@functools.lru_cache(maxsize=512)
def _einsum_plan(equation: str, shapes: tuple[tuple[int, ...], ...]
                 ) -> tuple[tuple[str, ...], str, tuple[tuple[int, ...], ...]]:
    """The equation with '...' written out as letters and the output made explicit, and the
    shape each operand is broadcast to (size-1 dims of a letter, as PyTorch broadcasts).
    Cached: a model calls einsum with the same equation and shapes on every step."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    inputs = lhs.split(",")
    listed = ", ".join(map(str, shapes))
    if len(inputs) != len(shapes):
        raise ValueError(f"einsum: equation {equation!r} names {len(inputs)} operands, got "
                         f"{len(shapes)}")
    used = set(equation) - set(".,->")
    if not all(c.isalpha() for c in used):
        raise ValueError(f"einsum: subscripts must be letters, got {equation!r}")
    spare = iter(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                 if c not in used)
    ellipsis_len = 0
    for letters, shape in zip(inputs, shapes, strict=True):
        named = len(letters.replace("...", ""))
        if named > len(shape) or ("..." not in letters and named != len(shape)):
            raise ValueError(f"einsum: subscripts {letters!r} do not fit an operand of shape "
                             f"{shape}")
        if "..." in letters:
            ellipsis_len = max(ellipsis_len, len(shape) - named)
    batch = "".join(next(spare) for _ in range(ellipsis_len))
    explicit = []
    for letters, shape in zip(inputs, shapes, strict=True):
        count = len(shape) - len(letters.replace("...", ""))
        explicit.append(letters.replace("...", batch[ellipsis_len - count:]))
    if not arrow:
        counts = "".join(inputs).replace("...", "")
        rhs = "..." * bool(batch) + "".join(sorted(c for c in set(counts)
                                                   if counts.count(c) == 1))
    output = rhs.replace("...", batch)
    for c in output:
        if output.count(c) > 1 or c not in "".join(explicit):
            raise ValueError(f"einsum: output subscript {c!r} repeats or names no input dim in "
                             f"{equation!r}")
    sizes: dict[str, int] = {}
    for letters, shape in zip(explicit, shapes, strict=True):
        for c, n in zip(letters, shape, strict=True):
            if sizes.get(c, 1) not in (1, n) and n != 1:
                raise ValueError(f"einsum: subscript {c!r} has sizes {sizes[c]} and {n} "
                                 f"(operand shapes {listed})")
            sizes[c] = max(sizes.get(c, 1), n)
    full = tuple(tuple(sizes[c] for c in letters) if len(set(letters)) == len(letters)
                 else shape for letters, shape in zip(explicit, shapes, strict=True))
    return tuple(explicit), output, full


# *** more of PyTorch's products and matrix functions (tmethods) ***
def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: float = 1, alpha: float = 1
          ) -> Tensor:
    """beta input + alpha (mat @ vec)."""
    return _scaled_sum("addmv", input, mv(mat, vec), beta, alpha)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: float = 1, alpha: float = 1
         ) -> Tensor:
    """beta input + alpha outer(vec1, vec2)."""
    return _scaled_sum("addr", input, outer(vec1, vec2), beta, alpha)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: float = 1,
            alpha: float = 1) -> Tensor:
    """beta input + alpha (batch1 @ batch2), batch by batch."""
    return _scaled_sum("baddbmm", input, bmm(batch1, batch2), beta, alpha)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: float = 1,
           alpha: float = 1) -> Tensor:
    """beta input + alpha sum_b batch1[b] @ batch2[b]."""
    return _scaled_sum("addbmm", input, bmm(batch1, batch2).sum(0), beta, alpha)


def inner(input: Tensor, other: Tensor) -> Tensor:
    """Sum of products over the last dims: out[i.., j..] = sum_k input[i.., k] other[j.., k];
    a product if either is 0-d."""
    input, other = operands(input, other)
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner: the last dims of shapes {input.shape} and {other.shape} "
                           f"differ ({input.shape[-1]} != {other.shape[-1]})")
    return tensordot(input, other, ([-1], [-1]))


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """The inner product of two 1-D tensors (conjugating input, which real tensors skip)."""
    return _checked_matmul("vdot", input, other, ("input", "other"), (1, 1))


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: out[i * m + k, ...] = input[i, ...] other[k, ...] in each dim
    (the shorter shape padded with leading 1s)."""
    input, other = operands(input, other)
    n = max(input.ndim, other.ndim)
    a_shape = (1,) * (n - input.ndim) + input.shape
    b_shape = (1,) * (n - other.ndim) + other.shape
    a = reshape(input, *[s for d in a_shape for s in (d, 1)])
    b = reshape(other, *[s for d in b_shape for s in (1, d)])
    return reshape(a * b, *[p * q for p, q in zip(a_shape, b_shape, strict=True)])


def trace(input: Tensor) -> Tensor:
    """The sum of a matrix's diagonal."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix (2-D tensor), got shape {input.shape}")
    return diagonal(input).sum()


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along dim (default: the first dim of size 3, as
    torch.cross; torch.linalg.cross defaults to -1), the shapes broadcast together."""
    input, other = operands(input, other)
    shape = np.broadcast_shapes(input.shape, other.shape)
    input, other = input.expand(*shape), other.expand(*shape)
    if dim is None:
        dim = next((d for d, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError(f"cross: no dim of size 3 in shape {shape}")
    d = canonical_dim(dim, len(shape), "cross")
    if shape[d] != 3:
        raise RuntimeError(f"cross: dim {d} of shape {shape} must have size 3, got {shape[d]}")
    a, b = input.unbind(d), other.unbind(d)
    return stack([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                  a[0] * b[1] - a[1] * b[0]], d)


def _square_matrices(op: str, x: Tensor) -> None:
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"{op}: expected a square matrix or a batch of them, got shape "
                           f"{x.shape}")
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point tensor, got {x.dtype}")


class LinAlgError(RuntimeError):
    """A matrix the op cannot handle: singular, not positive-definite (torch.linalg's)."""


def _solve_arrays(op: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"{op}: the matrix is singular (not invertible)") from None


class Inverse(Function):
    @staticmethod
    def forward(ctx, a):
        out = _solve_arrays("inverse", a.array, np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype),
                                                                a.shape))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d(A^-1) = -A^-1 dA A^-1, so dL/dA = -A^-T g A^-T"""
        (inv,) = ctx.saved_tensors
        inv_t = inv.mT
        return -(inv_t @ g @ inv_t)


class Det(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.asarray(np.linalg.det(a.array), a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        """d det A / dA = det(A) A^-T (Jacobi's formula; a singular A is refused)"""
        a, det_a = ctx.saved_tensors
        return unsqueeze(unsqueeze(g * det_a, -1), -1) * inverse(a).mT


class LogAbsDet(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.asarray(np.linalg.slogdet(a.array)[1], a.dtype)

    @staticmethod
    def backward(ctx, g):
        """d log|det A| / dA = A^-T"""
        (a,) = ctx.saved_tensors
        return unsqueeze(unsqueeze(g, -1), -1) * inverse(a).mT


class Pinverse(Function):
    @staticmethod
    def forward(ctx, a, rcond):
        out = np.linalg.pinv(a.array, rcond).astype(a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        """For A of constant rank, with P = A+: dL/dA = -P^T g P^T + (I - A P) g^T P P^T
        + P^T P g^T (I - P A) (Golub and Pereyra's derivative of the pseudo-inverse)."""
        a, p = ctx.saved_tensors
        pt, gt = p.mT, g.mT
        left = gt @ p @ pt - a @ (p @ (gt @ (p @ pt)))
        right = pt @ (p @ gt) - ((pt @ p) @ gt @ p) @ a
        return -(pt @ g @ pt) + left + right, None


class Solve(Function):
    @staticmethod
    def forward(ctx, a, b):
        out = _solve_arrays("linalg.solve", a.array, b.array)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        """X = A^-1 B: dL/dB = A^-T g, dL/dA = -(dL/dB) X^T"""
        a, x = ctx.saved_tensors
        g_b = Solve.apply(a.mT, g)
        return -(g_b @ x.mT) if ctx.needs_input_grad[0] else None, g_b


def inverse(input: Tensor) -> Tensor:
    """The inverse of a square matrix (or of each in a batch); a singular one is refused."""
    _square_matrices("inverse", input)
    return Inverse.apply(input)


def det(input: Tensor) -> Tensor:
    """The determinant of a square matrix (or of each in a batch)."""
    _square_matrices("det", input)
    return Det.apply(input)


def slogdet(input: Tensor) -> SignLogAbsDet:
    """(sign, log|det|) of a square matrix: the log of the determinant's size without its
    overflow; sign (-1, 0 or 1) has no gradient."""
    _square_matrices("slogdet", input)
    sign = Tensor._make(np.asarray(np.linalg.slogdet(input.array)[0], input.dtype))
    return SignLogAbsDet(sign, LogAbsDet.apply(input))


def logdet(input: Tensor) -> Tensor:
    """log det: nan where the determinant is negative, -inf where it is 0."""
    sign, logabsdet = slogdet(input)
    with np.errstate(divide="ignore", invalid="ignore"):
        return logabsdet + Tensor._make(np.log(sign.array))


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """The Moore-Penrose pseudo-inverse (singular values below rcond times the largest are
    taken as 0); its gradient assumes the rank does not change nearby."""
    if input.ndim < 2 or input.dtype.kind != "f":
        raise RuntimeError(f"pinverse: expected a floating point matrix or a batch of them, got "
                           f"shape {input.shape} and dtype {input.dtype}")
    return Pinverse.apply(input, rcond)


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (left=False: X A = B), for a square A (or a batch); B a matrix, or a
    vector (B.ndim == 1, or a batch of vectors of shape A.shape[:-1])."""
    _square_matrices("linalg.solve", A)
    A, B = operands(A, B)
    if not left:
        return solve(A.mT, B.mT).mT
    vector = B.ndim == 1 or B.ndim == A.ndim - 1 and B.shape == A.shape[:-1]
    B = unsqueeze(B, -1) if vector else B
    if B.ndim < 2 or B.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: A of shape {A.shape} and B of shape {B.shape} do not "
                           "align")
    batch = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    X = Solve.apply(A.expand(*batch, *A.shape[-2:]), B.expand(*batch, *B.shape[-2:]))
    return X.squeeze(-1) if vector else X


def matrix_power(input: Tensor, n: int) -> Tensor:
    """A^n by repeated squaring: the identity for n = 0, powers of the inverse for n < 0."""
    if n < 0:
        _square_matrices("matrix_power", input)  # and floating point, for the inverse
    elif input.ndim < 2 or input.shape[-1] != input.shape[-2]:
        raise RuntimeError(f"matrix_power: expected a square matrix or a batch of them, got "
                           f"shape {input.shape}")
    base = inverse(input) if n < 0 else input
    result = None
    n = abs(int(n))
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    if result is None:
        eye = np.broadcast_to(np.eye(input.shape[-1], dtype=input.dtype), input.shape)
        return Tensor._make(eye.copy())
    return result


class Cholesky(Function):
    @staticmethod
    def forward(ctx, a):
        try:
            out = np.linalg.cholesky(a.array)
        except np.linalg.LinAlgError:
            raise LinAlgError("cholesky: the input is not positive-definite") from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        """With A = L L^T: P = Phi(L^T g) (lower triangle, diagonal halved), S = L^-T P L^-1,
        dL/dA = (S + S^T) / 2"""
        (low,) = ctx.saved_tensors
        p = (low.mT @ g.tril()).tril()
        p = p - 0.5 * p.diagonal(0, -2, -1).diag_embed()
        inv = inverse(low)
        s = inv.mT @ p @ inv
        return 0.5 * (s + s.mT)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """L, lower triangular with a positive diagonal, such that input = L L^T (upper: U = L^T,
    input = U^T U), for a symmetric positive-definite input. Only the lower triangle is read;
    the gradient is the symmetric one, as PyTorch's."""
    _square_matrices("cholesky", input)
    low = Cholesky.apply(input)
    return low.mT if upper else low


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:
    """X with A X = B, given A's Cholesky factor L (A = L L^T, or U^T U with upper)."""
    A = L.mT @ L if upper else L @ L.mT
    return solve(A, B)


def cholesky_inverse(L: Tensor, upper: bool = False) -> Tensor:
    """A^-1 from A's Cholesky factor L (A = L L^T, or U^T U with upper)."""
    return inverse(L.mT @ L if upper else L @ L.mT)


def chain_matmul(*matrices: Tensor) -> Tensor:
    """The product of 2-D matrices, left to right."""
    if not matrices:
        raise RuntimeError("chain_matmul: expected at least one matrix")
    out = matrices[0]
    for m in matrices[1:]:
        out = mm(out, m)
    return out


ger = outer
