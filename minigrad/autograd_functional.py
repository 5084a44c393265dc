"""torch.autograd.functional: derivatives of a whole function at a point, built on grad():
jacobian, hessian, vjp, jvp, vhp and hvp. Each Jacobian row is one reverse pass."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.autograd import grad
from minigrad.function import enable_grad
from minigrad.tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _as_tuple(value: Any, what: str) -> tuple[bool, tuple[Tensor, ...]]:
    """(was it a tuple, the tensors as a tuple), checking they are Tensors."""
    is_tuple = isinstance(value, (tuple, list))
    items = tuple(value) if is_tuple else (value,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"The {what} given to the function must be either a Tensor or a "
                            f"tuple of Tensors but the value at index {i} has type "
                            f"{type(t).__name__}")
    return is_tuple, items


def _prepared(inputs: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    """Inputs that require grad: the given ones (create_graph) or detached copies."""
    if create_graph:
        return tuple(t if t.requires_grad else t.detach().requires_grad_() for t in inputs)
    return tuple(t.detach().requires_grad_() for t in inputs)


def _grads(outputs: Tensor, inputs: tuple[Tensor, ...], v: Tensor, create_graph: bool,
           strict: bool, what: str) -> tuple[Tensor, ...]:
    found = grad(outputs, inputs, v, retain_graph=True, create_graph=create_graph,
                 allow_unused=True) if outputs.requires_grad else (None,) * len(inputs)
    result = []
    for i, (t, g) in enumerate(zip(inputs, found)):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent "
                                   f"of input {i}. This is not allowed in strict mode ({what}).")
            g = Tensor._make(np.zeros_like(t.array))
        result.append(g if create_graph else g.detach())
    return tuple(result)


def jacobian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """d func(inputs) / d inputs: for one output and one input a tensor of shape
    output.shape + input.shape; tuples of them for tuple outputs and inputs, as PyTorch."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f"jacobian: strategy must be 'reverse-mode' or 'forward-mode', got "
                         f"{strategy!r}")
    from minigrad.ops import stack  # (ops load after this module, at package import)

    inputs_tuple, inputs = _as_tuple(inputs, "inputs")
    with enable_grad():
        inputs = _prepared(inputs, create_graph)
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function")
        blocks = []
        for out in outputs:
            rows: list[list[Tensor]] = [[] for _ in inputs]
            for k in range(out.numel()):
                v = np.zeros(out.shape, out.dtype)
                v.reshape(-1)[k] = 1
                for i, g in enumerate(_grads(out, inputs, Tensor._make(v), create_graph,
                                             strict, "jacobian")):
                    rows[i].append(g)
            blocks.append(tuple(
                stack(r).reshape(*out.shape, *t.shape) if r
                else Tensor._make(np.zeros(out.shape + t.shape, t.dtype))
                for r, t in zip(rows, inputs)))
    if not outputs_tuple:
        return blocks[0] if inputs_tuple else blocks[0][0]
    return tuple(b if inputs_tuple else b[0] for b in blocks)


def hessian(func: Callable, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The matrix of second derivatives of a scalar func: shape input.shape + input.shape
    (tuples of tuples for several inputs)."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs")
    gradient = _gradient_of(func, strict, "hessian")
    h = jacobian(gradient, inputs, create_graph=create_graph, strict=strict)
    return h if inputs_tuple else h[0][0]


def vjp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), v^T J): the vector-Jacobian product; v may be omitted for a one-element
    output."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs")
    with enable_grad():
        inputs = _prepared(inputs, create_graph)
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function")
        if v is None:
            if len(outputs) != 1 or outputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided "
                                   "function returns a single Tensor with a single element.")
            vs: tuple = (Tensor._make(np.ones(outputs[0].shape, outputs[0].dtype)),)
        else:
            vs = _as_tuple(v, "v")[1]
        total = None
        for out, vec in zip(outputs, vs, strict=True):
            g = _grads(out, inputs, vec, create_graph, strict, "vjp")
            total = g if total is None else tuple(a + b for a, b in zip(total, g))
    out = outputs if outputs_tuple else outputs[0]
    out = out if create_graph else _detached(out)
    return out, total if inputs_tuple else total[0]


def jvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), J v): the Jacobian-vector product, by the double-vjp trick (reverse mode
    twice), as PyTorch's reverse-mode jvp."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs")
    vs = _as_tuple(v, "v")[1] if v is not None else None
    if vs is None:
        if len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the "
                               "user-provided function is a single Tensor with a single "
                               "element.")
        vs = (Tensor._make(np.ones(inputs[0].shape, inputs[0].dtype)),)
    with enable_grad():
        inputs = _prepared(inputs, True)
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function")
        results = []
        for out in outputs:
            u = Tensor._make(np.zeros(out.shape, out.dtype)).requires_grad_()
            g = _grads(out, inputs, u, True, strict, "jvp")
            pairs = [(gi, vi) for gi, vi in zip(g, vs) if gi.requires_grad]
            if not pairs:
                results.append(Tensor._make(np.zeros(out.shape, out.dtype)))
                continue
            found = grad([p[0] for p in pairs], u, [p[1] for p in pairs],
                         create_graph=create_graph, allow_unused=True)[0]
            results.append(Tensor._make(np.zeros(out.shape, out.dtype)) if found is None
                           else found)
    out = outputs if outputs_tuple else outputs[0]
    results = tuple(results if create_graph else [r.detach() for r in results])
    return (out if create_graph else _detached(out)), results if outputs_tuple else results[0]


def vhp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), v^T H) for a scalar func."""
    return _hessian_product(func, inputs, v, create_graph, strict)


def hvp(func: Callable, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), H v) for a scalar func; H is symmetric, so it equals vhp."""
    return _hessian_product(func, inputs, v, create_graph, strict)


def _hessian_product(func: Callable, inputs: Any, v: Any, create_graph: bool,
                     strict: bool) -> tuple[Any, Any]:
    inputs_tuple, inputs = _as_tuple(inputs, "inputs")
    gradient = _gradient_of(func, strict, "vhp/hvp")
    _, product = vjp(gradient, inputs, v, create_graph=create_graph, strict=strict)
    value = gradient.value if create_graph else gradient.value.detach()
    return value, product if inputs_tuple else product[0]  # vjp was given a tuple


def _gradient_of(func: Callable, strict: bool, what: str) -> Callable:
    """The gradient of a scalar func, as a function of its inputs, differentiable again; the
    value of func at the last call is kept as its `value`."""

    def gradient(*xs: Tensor) -> tuple[Tensor, ...]:
        out = func(*xs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError(f"The function given to {what} should return a single Tensor "
                               "with a single element")
        gradient.value = out
        return _grads(out.reshape(()), xs, None, True, strict, what)

    return gradient


def _detached(value: Any) -> Any:
    return tuple(t.detach() for t in value) if isinstance(value, tuple) else value.detach()
