"""The functions of the torch namespace that `import minigrad as mg` offers: every op in
`minigrad.ops.__all__` under PyTorch's argument names (`mg.matmul(input=a, other=b)`), and the
Tensor methods that PyTorch also offers as functions (`mg.clone(x)`, `mg.relu_(x)`).

Ops are picked up from `minigrad.ops.__all__` as they are, so a new op becomes `mg.<name>`
without being listed again here."""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad import ops
from minigrad.function import is_grad_enabled, no_grad
from minigrad.tensor import Tensor

# minigrad's short argument names and PyTorch's for the same argument
_TORCH_NAMES = {"x": "input", "a": "input", "b": "other"}
# PyTorch's aliases for arguments (numpy's names), accepted wherever the argument is
_ALIASES = {"axis": "dim"}
# helpers that ops exports for other op modules, not functions of PyTorch's namespace
_HELPERS = ("canonical_dim", "canonical_dims", "constant", "operands", "index_put_add",
            "normalize_index")
# Tensor methods that PyTorch also offers as functions and that are not ops; each becomes
# `def name(input, *args, **kwargs): return input.name(*args, **kwargs)`
_METHODS = ("clone", "detach", "is_floating_point", "norm", "numel", "t")
_METHODS += (  # PyTorch's aliases and helpers that are Tensor methods here (tmethods)
    "absolute", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "clamp_max",
    "clamp_min", "divide", "greater", "greater_equal", "is_complex", "is_signed", "less",
    "less_equal", "multiply", "narrow_copy", "negative", "not_equal", "ravel", "sgn",
    "subtract", "true_divide", "get_device", "detach_", "bernoulli", "multinomial", "positive",
    "is_nonzero", "is_same_size", "conj", "resolve_conj", "resolve_neg", "conj_physical",
    "is_conj", "is_neg", "is_inference", "adjoint",
)


# functions of torch.nn.functional that PyTorch also offers at the top level with the same
# signature (torch.cosine_similarity); nn loads lazily, so it is imported at the first call
_FUNCTIONAL = ("cosine_similarity", "pairwise_distance", "pixel_shuffle", "pixel_unshuffle",
               "channel_shuffle")


def with_torch_names(fn: Callable) -> Callable:
    """fn, taking PyTorch's names (input, other) for the arguments it calls x, a and b, the
    alias axis for dim, and PyTorch's `out=` (a tensor the result is written into)."""
    sig = inspect.signature(fn)
    renamed = {name: _TORCH_NAMES[name] for name in sig.parameters if name in _TORCH_NAMES}
    if set(renamed.values()) & set(sig.parameters):
        renamed = {}
    ours = {torch: mine for mine, torch in renamed.items()}
    ours.update({alias: name for alias, name in _ALIASES.items() if name in sig.parameters})
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(*args: Any, out: Tensor | None = None, **kwargs: Any) -> Any:
        result = fn(*args, **{ours.get(k, k): v for k, v in kwargs.items()})
        return result if out is None else write_out(name, result, out)

    params = [p.replace(name=renamed.get(p.name, p.name)) for p in sig.parameters.values()]
    out_param = inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None)
    at = len(params) - (params[-1].kind == inspect.Parameter.VAR_KEYWORD if params else 0)
    wrapper.__signature__ = sig.replace(parameters=[*params[:at], out_param, *params[at:]])
    return wrapper


def write_out(name: str, result: Tensor, out: Tensor) -> Tensor:
    """Write result into out, as PyTorch's `out=`: in place, resized if its shape differs."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): out must be a Tensor, got {type(out).__name__}")
    if result.requires_grad and is_grad_enabled():
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad")
    kinds = result.dtype.kind + out.dtype.kind
    if kinds[0] != kinds[1] and kinds[0] in "fciub" and (
            kinds[1] not in "fc" if kinds[0] == "f" else kinds[1] != "c" if kinds[0] == "c"
            else kinds[1] == "b" and kinds[0] != "b"):
        raise RuntimeError(f"{name}(): result type {result.dtype} can't be cast to the desired "
                           f"output type {out.dtype}")
    if out.shape != result.shape:
        if out.numel():
            warnings.warn(f"{name}(): an output with one or more elements was resized since it "
                          f"had shape {list(out.shape)}, which does not match the required "
                          f"output shape {list(result.shape)}", UserWarning, stacklevel=3)
        out.array = np.empty(result.shape, out.dtype)  # resized, as PyTorch does
    with no_grad():
        out.copy_(result)
    return out


def method_function(name: str) -> Callable:
    """Tensor.<name> as a function of the tensor, `input`, as PyTorch offers it."""
    method = getattr(Tensor, name)

    def function(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be a Tensor, not "
                            f"{type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    sig = inspect.signature(method)
    params = list(sig.parameters.values())
    function.__signature__ = sig.replace(parameters=[params[0].replace(name="input"),
                                                     *params[1:]])
    return function


def functional_function(name: str) -> Callable:
    """nn.functional.<name> as a top-level function."""
    def function(*args: Any, **kwargs: Any) -> Any:
        from minigrad.nn import functional
        return getattr(functional, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    return function


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """input + alpha * other"""
    return ops.add(input, other if alpha == 1 else ops.mul(other, alpha))


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """input - alpha * other"""
    return ops.sub(input, other if alpha == 1 else ops.mul(other, alpha))


def pow(input: Any, exponent: Any) -> Tensor:
    return ops.pow(input, exponent)


def max(input: Tensor, *args: Any, **kwargs: Any) -> Any:
    """max(input), max(input, dim, keepdim) (values and indices), or max(input, other), the
    elementwise maximum of two tensors."""
    if args and isinstance(args[0], Tensor) or "other" in kwargs:
        return ops.maximum(input, args[0] if args else kwargs.pop("other"), **kwargs)
    return ops.max(input, *args, **kwargs)


def min(input: Tensor, *args: Any, **kwargs: Any) -> Any:
    """min(input), min(input, dim, keepdim), or min(input, other), elementwise."""
    if args and isinstance(args[0], Tensor) or "other" in kwargs:
        return ops.minimum(input, args[0] if args else kwargs.pop("other"), **kwargs)
    return ops.min(input, *args, **kwargs)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def functions() -> dict[str, Callable]:
    """{name: function} for the top-level namespace."""
    found = {name: with_torch_names(getattr(ops, name)) for name in ops.__all__
             if name not in _HELPERS}
    in_place = [name for name in dir(Tensor) if name.endswith("_") and not name.startswith("_")
                and callable(getattr(Tensor, name))]
    for name in (*_METHODS, *in_place):
        if hasattr(Tensor, name):
            found.setdefault(name, method_function(name))
    explicit = {"add": add, "sub": sub, "pow": pow, "max": max, "min": min}
    found.update({name: with_torch_names(fn) for name, fn in explicit.items()})
    found["is_tensor"] = is_tensor
    for name in _FUNCTIONAL:
        found.setdefault(name, functional_function(name))
    return found
