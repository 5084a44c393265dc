"""torch.func: function transforms with PyTorch's names and results.

grad, grad_and_value, vjp, jvp, jacrev, jacfwd and hessian differentiate a function at a point and
return plain tensors; they nest (grad of grad, hessian = jacfwd of jacrev), because a transform
differentiates with respect to its own copy of each input and keeps the graph when its inputs
are themselves being differentiated. There is only reverse mode here: jacfwd computes the same
Jacobian as jacrev, one vector-Jacobian product per output element.

vmap maps a function over a batch dimension by calling it once per sample and stacking the
results: the numbers are PyTorch's, but it is as slow as that loop. In-place writes inside the
function are refused (a write into an unbatched tensor would be made once per sample), and so
are random draws unless randomness='different' or 'same' says which is meant.

Inputs and outputs may be pytrees: tensors inside (nested) tuples, lists and dicts."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.autograd import grad as _grad
from minigrad.function import enable_grad, is_grad_enabled
from minigrad.random import default_generator
from minigrad.tensor import Tensor, VersionCounter

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp",
           "stack_module_state", "vjp", "vmap"]

Argnums = int | tuple[int, ...]


# *** pytrees: tensors (or other leaves) in nested tuples, lists and dicts ***
def _flatten(tree: Any) -> tuple[list, Any]:
    """(leaves in order, spec): the spec rebuilds the tree from leaves (see _unflatten)."""
    if isinstance(tree, (tuple, list)):
        leaves, specs = [], []
        for item in tree:
            found, spec = _flatten(item)
            leaves += found
            specs.append(spec)
        return leaves, (type(tree), specs)
    if isinstance(tree, dict):
        leaves, specs = [], {}
        for key, item in tree.items():
            found, specs[key] = _flatten(item)
            leaves += found
        return leaves, (dict, specs)
    return [tree], None


def _unflatten(spec: Any, leaves: Any) -> Any:
    """The tree of spec with the leaves (an iterable, consumed in order)."""
    leaves = iter(leaves)

    def build(spec: Any) -> Any:
        if spec is None:
            return next(leaves)
        kind, specs = spec
        if kind is dict:
            return {key: build(s) for key, s in specs.items()}
        items = [build(s) for s in specs]
        if kind is list or kind is tuple:
            return kind(items)
        return kind(*items) if hasattr(kind, "_fields") else kind(items)  # namedtuple

    return build(spec)


def _tree_map(fn: Callable[[Any], Any], tree: Any) -> Any:
    leaves, spec = _flatten(tree)
    return _unflatten(spec, map(fn, leaves))


# *** differentiating: grad, grad_and_value, vjp, jacrev, jacfwd, hessian ***
def _argnums(argnums: Argnums, count: int, what: str) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums) if isinstance(
        argnums, (tuple, list)) else ()
    if not nums or not all(isinstance(n, int) for n in nums):
        raise RuntimeError(f"{what}: argnums must be an int or a non-empty tuple of ints, got "
                           f"{argnums!r}")
    if len(set(nums)) != len(nums):
        raise RuntimeError(f"{what}: argnums elements must be unique, got {argnums!r}")
    for n in nums:
        if not -count <= n < count:
            raise RuntimeError(f"Got argnum={n}, but only {count} positional inputs")
    return tuple(n % count for n in nums)


def _own_copy(t: Any, keep_graph: bool) -> Tensor:
    """The input a transform differentiates with respect to: a new tensor with t's values that
    still depends on t when the graph is kept (so an outer transform sees through), else a new
    leaf. Differentiating with respect to this copy, not t, keeps nested transforms apart."""
    if not isinstance(t, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(t)}")
    if t.dtype.kind not in "fc":
        raise RuntimeError(f"only Tensors of floating point dtype can require gradients, got "
                           f"{t.dtype}")
    return t.clone() if keep_graph and t.requires_grad else t.detach().requires_grad_()


class _Differentiated:
    """func called on its own copies of the inputs picked by argnums. The results keep their
    graph (`keep_graph`) when those inputs require grad or func used other tensors that do (a
    captured parameter): an outer transform, or the user, may differentiate them."""

    def __init__(self, func: Callable, args: tuple, kwargs: dict, argnums: Argnums,
                 has_aux: bool, what: str) -> None:
        self.nums = _argnums(argnums, len(args), what)
        self.single = isinstance(argnums, int)
        self.keep_graph = is_grad_enabled() and any(
            isinstance(t, Tensor) and t.requires_grad
            for n in self.nums for t in _flatten(args[n])[0])
        args = list(args)
        self.specs, self.counts, self.inputs = [], [], []
        for n in self.nums:
            leaves, spec = _flatten(args[n])
            copies = [_own_copy(t, self.keep_graph) for t in leaves]
            args[n] = _unflatten(spec, copies)
            self.specs.append(spec)
            self.counts.append(len(copies))
            self.inputs += copies
        with enable_grad():
            result = func(*args, **kwargs)
        if not self.keep_graph and is_grad_enabled():
            outputs = _flatten(result[0] if has_aux and isinstance(result, tuple) else result)[0]
            self.keep_graph = _depends_on_others(outputs, {id(t) for t in self.inputs})
        if has_aux:
            if not isinstance(result, tuple) or len(result) != 2:
                raise RuntimeError(f"{what}(f)(*args): output of function f should be a tuple: "
                                   "(output, aux) if has_aux is True")
            result, self.aux = result
            for leaf in _flatten(self.aux)[0]:
                if not isinstance(leaf, Tensor):
                    raise RuntimeError(f"{what}(f)(*args): Expected tensors in aux, got "
                                       f"unsupported type {type(leaf)}")
            self.aux = self.aux if self.keep_graph else _tree_map(_detached, self.aux)
        self.output = result

    def grads(self, output: Tensor | list, cotangent: Any) -> list[Tensor]:
        """d <output, cotangent> / d each input copy (zeros where it is not used)."""
        outs = output if isinstance(output, list) else [output]
        cots = cotangent if isinstance(cotangent, list) else [cotangent]
        pairs = [(o, c) for o, c in zip(outs, cots, strict=True) if o.requires_grad]
        found = [None] * len(self.inputs)
        if pairs:
            with enable_grad():
                found = _grad([o for o, _ in pairs], self.inputs, [c for _, c in pairs],
                              retain_graph=True, create_graph=self.keep_graph,
                              allow_unused=True)
        return [Tensor._make(np.zeros_like(t.array)) if g is None else
                g if self.keep_graph else g.detach() for t, g in zip(self.inputs, found)]

    def by_argnum(self, leaves: list) -> Any:
        """Leaves, one per input copy, back in the shape of the inputs picked by argnums."""
        leaves = iter(leaves)
        trees = tuple(_unflatten(spec, [next(leaves) for _ in range(count)])
                      for spec, count in zip(self.specs, self.counts))
        return trees[0] if self.single else trees

    def value(self, tree: Any) -> Any:
        return tree if self.keep_graph else _tree_map(_detached, tree)


def _depends_on_others(outputs: list, own: set[int]) -> bool:
    """Does an output depend on a tensor that requires grad other than the ones in own?"""
    seen: set = set()
    stack = []
    for t in outputs:
        if isinstance(t, Tensor) and t.requires_grad:
            if t.grad_fn is None:
                if id(t) not in own:
                    return True
            else:
                stack.append(t.grad_fn)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for t in getattr(node, "inputs", ()):
            if isinstance(t, Tensor) and t.requires_grad:
                if t.grad_fn is not None:
                    stack.append(t.grad_fn)
                elif id(t) not in own:
                    return True
    return False


def _detached(value: Any) -> Any:
    return value.detach() if isinstance(value, Tensor) else value


def _check_callable(func: Any, what: str) -> None:
    if not callable(func):
        raise TypeError(f"{what}: expected a function, got {type(func).__name__}")


def _check_chunk_size(chunk_size: Any, what: str) -> None:
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise ValueError(f"{what}: chunk_size should be None or greater than 0, got "
                         f"{chunk_size!r}")


def grad_and_value(func: Callable, argnums: Argnums = 0, has_aux: bool = False) -> Callable:
    """f -> (args -> (d f(args) / d args[argnums], f(args))) for a function returning a scalar
    tensor; with has_aux, f returns (scalar, aux) and the value is (scalar, aux)."""

    _check_callable(func, "grad_and_value")

    @functools.wraps(func)
    def grad_and_value_f(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        run = _Differentiated(func, args, kwargs, argnums, has_aux, "grad_and_value")
        out = run.output
        if not isinstance(out, Tensor):
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, "
                               f"got {type(out)}")
        if out.ndim != 0:
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar "
                               f"Tensor, got tensor with {out.ndim} dims. Maybe you wanted to "
                               "use the vjp or jacrev APIs instead?")
        grads = run.by_argnum(run.grads(out, Tensor._make(np.ones((), out.dtype))))
        value = run.value(out)
        return grads, ((value, run.aux) if has_aux else value)

    return grad_and_value_f


def grad(func: Callable, argnums: Argnums = 0, has_aux: bool = False) -> Callable:
    """f -> (args -> d f(args) / d args[argnums]), for f returning a scalar tensor: a tensor
    shaped like the argument (a tuple for a tuple of argnums, a dict for a dict argument);
    with has_aux, f returns (scalar, aux) and the result is (gradient, aux)."""
    transformed = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def grad_f(*args: Any, **kwargs: Any) -> Any:
        grads, value = transformed(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    return grad_f


def vjp(func: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """(func(*primals), vjp_fn), and aux with has_aux: vjp_fn(cotangents), cotangents shaped
    like the output, returns v^T J for every primal, as a tuple (callable many times)."""
    run = _Differentiated(func, primals, {}, tuple(range(len(primals))), has_aux, "vjp")
    out_leaves, out_spec = _flatten(run.output)
    for leaf in out_leaves:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f"vjp(f, *primals): Expected f to be a function that has only "
                               f"Tensors as outputs, got {type(leaf)}")

    def vjp_fn(cotangents: Any) -> tuple:
        cot_leaves, cot_spec = _flatten(cotangents)
        if cot_spec != out_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as "
                               "pytree structure of outputs to the function")
        for i, (o, c) in enumerate(zip(out_leaves, cot_leaves, strict=True)):
            if not isinstance(c, Tensor) or c.shape != o.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{getattr(c, 'shape', type(c))} and output[{i}] has a "
                                   f"shape of {o.shape}.")
        grads = run.grads(out_leaves, cot_leaves)
        result = run.by_argnum(grads)
        return result if isinstance(result, tuple) else (result,)

    output = run.value(run.output)
    return (output, vjp_fn, run.aux) if has_aux else (output, vjp_fn)


def jvp(func: Callable, primals: Any, tangents: Any, *, strict: bool = False,
        has_aux: bool = False) -> tuple:
    """(func(*primals), J tangents), and aux with has_aux: forward mode's product, computed
    here by reverse mode twice (autograd.functional.jvp's double-vjp trick)."""
    from minigrad.autograd_functional import jvp as double_vjp
    for name, value in (("primals", primals), ("tangents", tangents)):
        if not isinstance(value, tuple):
            raise RuntimeError(f"jvp(f, primals, tangents): Expected {name} to be a tuple. E.g. "
                               f"it should be valid to call f(*{name}).")
    if len(primals) != len(tangents):
        raise RuntimeError(f"jvp(f, primals, tangents): Expected primals and tangents to have "
                           f"the same python structure, got {len(primals)} and "
                           f"{len(tangents)} entries")
    aux = []

    def without_aux(*args: Any) -> Any:
        out = func(*args)
        if has_aux:
            out, extra = out
            aux.append(_detached(extra))
        return out

    output, product = double_vjp(without_aux, primals, tangents, strict=strict)
    return (output, product, aux[0]) if has_aux else (output, product)


def jacrev(func: Callable, argnums: Argnums = 0, *, has_aux: bool = False,
           chunk_size: int | None = None) -> Callable:
    """f -> (args -> the Jacobian of f at args): for each output tensor, d output / d
    args[argnums] of shape output.shape + arg.shape (in the outputs' structure, and within it
    the arguments'), one reverse pass per output element."""
    _check_callable(func, "jacrev")
    _check_chunk_size(chunk_size, "jacrev")

    @functools.wraps(func)
    def jacrev_f(*args: Any, **kwargs: Any) -> Any:
        run = _Differentiated(func, args, kwargs, argnums, has_aux, "jacrev")
        out_leaves, out_spec = _flatten(run.output)
        blocks = []
        for out in out_leaves:
            if not isinstance(out, Tensor):
                raise RuntimeError(f"jacrev(f)(*args): Expected f to return Tensors, got "
                                   f"{type(out)}")
            rows = []
            for k in range(out.numel()):
                one_hot = np.zeros(out.array.size, out.dtype)
                one_hot[k] = 1
                rows.append(run.grads(out, Tensor._make(one_hot.reshape(out.array.shape))))
            blocks.append(run.by_argnum([_stacked(rows, i, out, t)
                                         for i, t in enumerate(run.inputs)]))
        jac = _unflatten(out_spec, blocks)
        return (jac, run.aux) if has_aux else jac

    return jacrev_f


def _stacked(rows: list[list[Tensor]], i: int, out: Tensor, t: Tensor) -> Tensor:
    """Input i's gradient from each row, as the block of shape out.shape + t.shape."""
    from minigrad.ops import stack  # (ops load after the engine)

    if not rows:
        return Tensor._make(np.zeros(out.array.shape + t.array.shape, t.dtype))
    return stack([row[i] for row in rows]).reshape(*out.shape, *t.shape)


def jacfwd(func: Callable, argnums: Argnums = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable:
    """The Jacobian, as jacrev's (computed in reverse mode here: the same numbers)."""
    _check_randomness(randomness)
    transformed = jacrev(func, argnums, has_aux=has_aux)

    @functools.wraps(func)
    def jacfwd_f(*args: Any, **kwargs: Any) -> Any:
        nums = (argnums,) if isinstance(argnums, int) else argnums
        for n in nums if isinstance(nums, (tuple, list)) else ():
            for t in _flatten(args[n])[0] if -len(args) <= n < len(args) else ():
                if isinstance(t, Tensor) and t.dtype.kind not in "fc":  # forward mode's rule
                    raise ValueError(f"jacfwd: expected primal to be floating point or "
                                     f"complex, but got {t.dtype}")
        return transformed(*args, **kwargs)

    return jacfwd_f


def hessian(func: Callable, argnums: Argnums = 0) -> Callable:
    """f -> (args -> the second derivatives of scalar f): jacfwd(jacrev(f)), of shape
    arg.shape + arg.shape."""
    return jacfwd(jacrev(func, argnums), argnums)


# *** functional_call and stack_module_state ***
def functional_call(module: Any, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: dict | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """module(*args, **kwargs) with its parameters and buffers named in the dict(s) (dotted
    names, as in state_dict) replaced by the given tensors for this call only; tied weights
    follow each other (tie_weights). strict=True requires exactly the module's names."""
    dicts = parameter_and_buffer_dicts
    dicts = tuple(dicts) if isinstance(dicts, (tuple, list)) else (dicts,)
    if not all(isinstance(d, dict) for d in dicts):
        raise ValueError(f"functional_call: expected all elements of parameter_and_buffer_dicts "
                         f"to be dictionaries, got {[type(d).__name__ for d in dicts]}")
    given: dict[str, Any] = {}
    for d in dicts:
        repeated = sorted(set(given) & set(d))
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of "
                             "functional call is ambiguous")
        given.update(d)
    slots = dict(module.named_parameters(remove_duplicate=False))
    slots.update(module.named_buffers(remove_duplicate=False))
    if strict:
        _check_strict(module, given, slots)
    if tie_weights:
        given = _with_tied(given, slots)
    swaps = [(name, value) for name, value in given.items() if name in slots]
    args = args if isinstance(args, tuple) else () if args is None else (args,)
    originals = []
    try:
        for name, value in swaps:
            originals.append((name, _swap(module, name, value)))
        return module(*args, **(kwargs or {}))
    finally:
        for name, original in reversed(originals):
            _swap(module, name, original)


def _check_strict(module: Any, given: dict, slots: dict) -> None:
    missing, unexpected = sorted(set(slots) - set(given)), sorted(set(given) - set(slots))
    if missing or unexpected:
        lines = [f"Missing key(s): {', '.join(map(repr, missing))}."] if missing else []
        lines += [f"Unexpected key(s): {', '.join(map(repr, unexpected))}."] if unexpected else []
        raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t"
                           + "\n\t".join(lines))


def _with_tied(given: dict, slots: dict) -> dict:
    """given, extended to every other name of a tensor that is given under one name."""
    names_of: dict[int, list[str]] = {}
    for name, t in slots.items():
        names_of.setdefault(id(t), []).append(name)
    result = dict(given)
    for names in names_of.values():
        values = {name: given[name] for name in names if name in given}
        if len(values) > 1 and len({id(v) for v in values.values()}) > 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(values)}, "
                             "which are tied. Consider using tie_weights=False")
        if values:
            value = next(iter(values.values()))
            result.update({name: value for name in names})
    return result


def _swap(module: Any, path: str, value: Any) -> Any:
    """Put value at the dotted path (through sub-modules, lists and dicts) and return what was
    there; written directly, so a plain tensor may stand in for a Parameter."""
    *parents, last = path.split(".")
    owner = module
    for part in parents:
        owner = owner[int(part)] if isinstance(owner, list) else owner[part] if isinstance(
            owner, dict) else vars(owner)[part]
    from minigrad.nn import ParameterDict, ParameterList  # (module is an nn.Module)

    if isinstance(owner, (ParameterList, ParameterDict)):
        raise NotImplementedError(f"functional_call: {path!r} is in a "
                                  f"{type(owner).__name__}, which finds its entries by type, "
                                  "so minigrad cannot stand a plain tensor in for it")
    if isinstance(owner, (list, dict)):
        key = int(last) if isinstance(owner, list) else last
        old, owner[key] = owner[key], value
    else:
        old = vars(owner)[last]
        vars(owner)[last] = value
    return old


def stack_module_state(models: Any) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """(parameters, buffers) of same-class models stacked along a new first dimension, for
    vmap over functional_call (model ensembling); the stacked parameters are new leaves that
    require grad."""
    from minigrad.ops import stack  # (ops load after the engine)

    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({m.training for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to have the same "
                           "training/eval mode.")
    if len({type(m) for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    params = {name: stack([dict(m.named_parameters())[name].detach() for m in models])
              .requires_grad_() for name, _ in models[0].named_parameters()}
    buffers = {name: stack([dict(m.named_buffers())[name] for m in models])
               for name, _ in models[0].named_buffers()}
    return params, buffers


# *** vmap ***
def _check_randomness(randomness: str) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")


def vmap(func: Callable, in_dims: Any = 0, out_dims: Any = 0, randomness: str = "error", *,
         chunk_size: int | None = None) -> Callable:
    """f -> a function of batched arguments: f is called on each sample (each argument sliced
    at its in_dim, None for an argument passed whole) and the results are stacked at out_dims.
    in_dims is one int for all arguments or one entry per argument (matching its pytree);
    out_dims one int, or one entry per output. randomness: 'error' refuses random draws,
    'different' draws anew per sample, 'same' gives every sample the same draws."""
    _check_randomness(randomness)
    _check_callable(func, "vmap")
    _check_chunk_size(chunk_size, "vmap")
    name = getattr(func, "__name__", type(func).__name__)

    @functools.wraps(func)
    def vmapped(*args: Any, **kwargs: Any) -> Any:
        where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
        leaves, spec = _flatten(args)
        dims = _leaf_dims(in_dims, args, where)
        size = _batch_size(leaves, dims, where)
        results = []
        start = default_generator.get_state()
        for i in range(size):
            if randomness == "same":
                default_generator.set_state(start)
            sample = [t if d is None else t.select(d, i) for t, d in zip(leaves, dims)]
            results.append(_call_once(func, _unflatten(spec, sample), kwargs, randomness))
        return _stack_results(results, out_dims, name)

    return vmapped


def _leaf_dims(in_dims: Any, args: tuple, where: str) -> list[int | None]:
    """The in_dim of each leaf of args, checked: ints within each tensor's dims."""
    if isinstance(in_dims, int):
        spread = [in_dims] * len(_flatten(args)[0])
    elif isinstance(in_dims, (tuple, list)):
        if len(in_dims) != len(args):
            raise ValueError(f"{where}: in_dims is not compatible with the structure of "
                             f"`inputs`: {len(in_dims)} in_dims for {len(args)} inputs")
        spread = []
        for arg, dim in zip(args, in_dims):
            count = len(_flatten(arg)[0])
            if dim is None or isinstance(dim, int):
                spread += [dim] * count
                continue
            dim_leaves, dim_spec = _flatten(dim)
            if dim_spec != _flatten(arg)[1]:
                raise ValueError(f"{where}: in_dims is not compatible with the structure of "
                                 f"`inputs`: {dim!r} for an input {type(arg).__name__}")
            spread += dim_leaves
    else:
        raise ValueError(f"{where}: expected `in_dims` to be int or a (potentially nested) "
                         f"tuple matching the structure of inputs, got: {type(in_dims)}.")
    for t, d in zip(_flatten(args)[0], spread):
        if d is None:
            continue
        if not isinstance(d, int):
            raise ValueError(f"{where}: in_dims must be ints or None, got {d!r}")
        if not isinstance(t, Tensor):
            raise ValueError(f"{where}: Got in_dim={d} for an input but the input is of type "
                             f"{type(t)}. We cannot vmap over non-Tensor arguments, please "
                             "use None as the respective in_dim")
        if not -t.ndim <= d < t.ndim:
            raise ValueError(f"{where}: Got in_dim={d} for some input, but that input is a "
                             f"Tensor of dimensionality {t.ndim} so expected in_dim to satisfy "
                             f"-{t.ndim} <= in_dim < {t.ndim}.")
    return [None if d is None else d % t.ndim for t, d in zip(_flatten(args)[0], spread)]


def _batch_size(leaves: list, dims: list, where: str) -> int:
    sizes = [t.shape[d] for t, d in zip(leaves, dims) if d is not None]
    if not sizes:
        raise ValueError(f"{where}: at least one input must be batched (an in_dim that is not "
                         "None for a Tensor)")
    if len(set(sizes)) > 1:
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    if sizes[0] == 0:
        raise NotImplementedError("vmap: a batch of size 0 is not supported (minigrad's vmap "
                                  "calls the function once per sample)")
    return sizes[0]


def _call_once(func: Callable, args: tuple, kwargs: dict, randomness: str) -> Any:
    """func(*args) for one sample, refusing in-place writes and (randomness='error') draws."""
    written, drawn = VersionCounter.last_write, default_generator.get_state()
    result = func(*args, **kwargs)
    if VersionCounter.last_write != written:
        raise RuntimeError("vmap: the function wrote a tensor in place (an in-place op or "
                           "out=). minigrad's vmap calls it once per sample, so a write into a "
                           "tensor shared by the samples would be repeated; write it out of "
                           "place (the write has been made)")
    if randomness == "error" and default_generator.get_state() != drawn:
        raise RuntimeError("vmap: called random operation while in randomness error mode. "
                           "Please either use the 'same' or 'different' randomness flags on "
                           "vmap or perform the randomness operation out of vmap")
    return result


def _stack_results(results: list, out_dims: Any, name: str) -> Any:
    """The per-sample outputs stacked at out_dims (an output with out_dim None must be the
    same for every sample, and is returned once)."""
    from minigrad.ops import stack  # (ops load after the engine)

    flat = [_flatten(r) for r in results]
    leaves, spec = flat[0]
    if any(s != spec for _, s in flat):
        raise ValueError(f"vmap({name}, ...): `{name}` returned outputs of different structure "
                         "for different samples")
    dims = _out_dims(out_dims, results[0], len(leaves), name)
    stacked = []
    for k, dim in enumerate(dims):
        column = [leaf_list[k] for leaf_list, _ in flat]
        if dim is None:
            first = column[0]
            if any(not _same(first, other) for other in column[1:]):
                raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor "
                                 "when out_dim is None")
            stacked.append(first)
            continue
        if not isinstance(column[0], Tensor):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                             f"{type(column[0])}. Did you mean to set out_dims= to None for "
                             "output?")
        ndim = column[0].ndim + 1
        if not isinstance(dim, int) or not -ndim <= dim < ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, "
                             f"{ndim - 1}], but got {dim})")
        stacked.append(stack(column, dim % ndim))
    return _unflatten(spec, stacked)


def _out_dims(out_dims: Any, first: Any, count: int, name: str) -> list:
    """The out_dim of each output leaf: one for all, or one per output of a tuple."""
    if out_dims is None or isinstance(out_dims, int):
        return [out_dims] * count
    if isinstance(out_dims, (tuple, list)) and isinstance(first, (tuple, list)) and len(
            out_dims) == len(first):
        dims = []
        for out, dim in zip(first, out_dims):
            dims += [dim] * len(_flatten(out)[0]) if dim is None or isinstance(dim, int) else \
                _flatten(dim)[0]
        if len(dims) == count:
            return dims
    raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): out_dims is not compatible "
                     "with the structure of the outputs")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return a.shape == b.shape and bool(np.array_equal(a.array, b.array, equal_nan=True))
    return a is b or type(a) is type(b) and not isinstance(a, np.ndarray) and bool(a == b)
