"""The graph walk behind `Tensor.backward` and `mg.grad`.

It knows only the node protocol written down in `minigrad.function.Node` and visits nodes in
reverse topological order without recursion, so a chain of 100,000 ops works. Gradients are
summed back to each input's shape here, in one place (`_sum_to_shape`), so no op has to undo
broadcasting itself."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from heapq import heappop, heappush
from typing import Any

import numpy as np

from minigrad import function
from minigrad.function import (
    _FREED_MESSAGE,
    Function,
    Node,
    _check_not_nan,
    _set_grad_mode,
    input_version,
    is_anomaly_enabled,
    set_anomaly_enabled,
)
from minigrad.tensor import Tensor, _checked_grad

Tensors = Tensor | Sequence[Tensor]


def backward(tensors: Tensors, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """Accumulate the gradients of tensors into the `.grad` of every leaf they depend on."""
    outputs, grads = _roots(tensors, grad_tensors)
    _walk(outputs, grads, create_graph if retain_graph is None else retain_graph, create_graph,
          None)


def grad(outputs: Tensors, inputs: Tensors, grad_outputs: Any = None,
         retain_graph: bool | None = None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False
         ) -> tuple[Tensor | None, ...]:
    """The gradients of outputs with respect to inputs, as `torch.autograd.grad`; `.grad`
    attributes are left untouched. materialize_grads gives zeros instead of None for inputs
    the outputs do not depend on."""
    if is_grads_batched:
        raise NotImplementedError("grad: is_grads_batched=True is not supported; loop over "
                                  "the grad_outputs instead")
    if allow_unused is None:
        allow_unused = materialize_grads
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    outputs, grads = _roots(outputs, grad_outputs)
    unique = list({id(t): t for t in inputs}.values())  # a tensor listed twice gets its grad twice
    found = _walk(outputs, grads, create_graph if retain_graph is None else retain_graph,
                  create_graph, unique)
    by_id = {id(t): g for t, g in zip(unique, found, strict=True)}
    found = [by_id[id(t)] for t in inputs]
    for i, g in enumerate(found):
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} (shape {inputs[i].shape}) was not used to "
                               "compute the outputs; pass allow_unused=True to get None for it")
    if materialize_grads:
        found = [Tensor._make(np.zeros_like(t.array)) if g is None else g
                 for t, g in zip(inputs, found)]
    return tuple(found)


def increment_version(*tensors: Tensor) -> None:
    """Bump the version of each tensor's memory, as every in-place method does: call it after
    writing into `t.array` directly (optimizer steps, init functions, load_state_dict), so that
    backward through a graph that saved t raises instead of using the new values."""
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"increment_version: expected Tensors, got {type(t).__name__}")
        t._shared_version_counter().bump()


def _roots(tensors: Tensors, grads: Any) -> tuple[list[Tensor], list[Tensor]]:
    """The outputs, and d loss / d output for each; the gradient may be left out for
    one-element outputs."""
    if isinstance(tensors, Tensor):
        return [tensors], [_root_grad(tensors, grads, 0)]
    tensors = list(tensors)
    if grads is None or isinstance(grads, (Tensor, np.ndarray)):
        grads = [grads] * len(tensors) if grads is None else [grads]
    grads = list(grads)
    if len(grads) != len(tensors):
        raise ValueError(f"backward: got {len(tensors)} tensors but {len(grads)} gradients")
    return tensors, [_root_grad(t, g, i) for i, (t, g) in enumerate(zip(tensors, grads))]


def _root_grad(t: Tensor, g: Any, i: int) -> Tensor:
    """d loss / d t for output number i, checked: g as given, or 1 for a one-element t."""
    if not t.requires_grad:
        raise RuntimeError(f"element {i} of tensors does not require grad and has no "
                           "grad_fn: nothing to differentiate")
    if g is None:
        if t.array.size != 1:
            raise RuntimeError(f"backward: a gradient can be created implicitly only for "
                               f"one-element outputs, this one has shape {t.shape}; pass "
                               "`gradient` (d loss / d output) with that shape")
        return Tensor._make(np.array(1, t.array.dtype).reshape(t.array.shape))
    if not isinstance(g, Tensor):
        g = Tensor._make(np.asarray(g, dtype=t.array.dtype))
    if g.array.shape != t.array.shape:
        raise ValueError(f"backward: gradient of shape {g.shape} does not match the "
                         f"output's shape {t.shape}")
    return g if g.array.dtype == t.array.dtype else g.to(t.array.dtype)


def _walk(outputs: list[Tensor], grads: list[Tensor], retain_graph: bool, create_graph: bool,
          capture: list[Tensor] | None) -> list[Tensor | None]:
    """Run the backward of every node that gets a gradient, once; accumulate into leaves, or into
    `capture` (mg.grad).

    Nodes are numbered as they are recorded, and an op's inputs are always made before it, so
    taking the highest-numbered waiting node next (a heap) is a topological order: by then every
    node that could send it a gradient has run. No separate pass over the graph is needed."""
    # what mg.grad asked for: a leaf itself, or (node, output index) for a non-leaf
    wanted = {(t.grad_fn, t._output_nr) if t.grad_fn else t: i
              for i, t in enumerate(capture)} if capture else {}
    captured: list[Tensor | None] = [None] * len(capture) if capture else []
    node_grads: dict[Node, list] = {}  # gradients received so far, one slot per output
    leaf_grads: dict[Tensor, Tensor] = {}
    waiting: list[tuple[int, Node]] = []  # (-sequence number, node), a max-heap
    # mg.grad runs only the nodes between the outputs and what it asked for, as PyTorch does:
    # a non-leaf input's own node, and the graph below it, are neither run nor freed
    needed = _needed(outputs, wanted) if capture else None
    checked = create_graph or is_anomaly_enabled()
    grad_enabled = _set_grad_mode(create_graph)  # backward's ops record only for create_graph
    try:
        _send(outputs, grads, None, node_grads, leaf_grads, waiting, needed)
        while waiting:
            node = heappop(waiting)[1]
            grads = node_grads.pop(node)
            if len(grads) > 1 or node._hooks or node._retained or wanted:
                _visit_outputs(node, grads, capture is None, wanted, captured)
            if needed is not None and node not in needed:
                continue
            _send(node.inputs, _call_backward(node, grads, checked, create_graph), node,
                  node_grads, leaf_grads, waiting, needed)
            if not retain_graph:
                _free(node)
        for leaf, g in leaf_grads.items():  # the leaves' hooks, then .grad or mg.grad's result
            if capture is not None and leaf not in wanted:
                continue  # mg.grad did not ask for it: no hooks, no .grad
            if leaf._hooks:
                g = _run_hooks(leaf._hooks, g, leaf.array.shape)
            if capture is None:
                _accumulate(leaf, g)
            else:
                captured[wanted[leaf]] = g
    finally:
        _set_grad_mode(grad_enabled)
    return captured


def _needed(outputs: list[Tensor], wanted: dict) -> set[Node]:
    """The nodes from which an input that mg.grad asked for (a leaf, or (node, output index)
    in `wanted`) can be reached through their inputs: the only ones it must run (a node that
    backward freed counts as needed). Nodes are numbered so that inputs come first, so one
    pass in that order decides each node after the nodes below it."""
    seen: set[Node] = set()
    stack = [t.grad_fn for t in outputs if t.grad_fn is not None]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for t in _input_versions(node):
            if t.grad_fn is not None and t.grad_fn not in seen:
                stack.append(t.grad_fn)
    needed: set[Node] = set()
    for node in sorted(seen, key=lambda n: n._sequence_nr):
        if node._freed:  # its edges are gone: count it as needed, so that using it raises
            needed.add(node)
            continue
        for t in _input_versions(node):
            source = t.grad_fn
            if (t in wanted) if source is None else (
                    (source, t._output_nr) in wanted or source in needed):
                needed.add(node)
                break
    return needed


def _input_versions(node: Node) -> list[Tensor]:
    """node's inputs that require grad, each as the version node took (see input_version)."""
    found = []
    for t in node.inputs:
        if isinstance(t, Tensor) and t.requires_grad:
            t = input_version(t, node._sequence_nr)
            if t.requires_grad:
                found.append(t)
    return found


def _send(targets: Sequence, grads: Sequence, node: Node | None, node_grads: dict,
          leaf_grads: dict, waiting: list, needed: set[Node] | None = None) -> None:
    """_walk's step: add each gradient to its tensor's total, a leaf's (in leaf_grads) or a slot
    of the node that made the tensor (in node_grads), which then waits its turn (in waiting).
    targets are node's inputs, or the roots when node is None. With `needed` (mg.grad), a
    freed node that is not needed only passes on what was asked of its outputs."""
    newest = math.inf if node is None else node._sequence_nr
    for i, (t, g) in enumerate(zip(targets, grads)):
        if g is None or not isinstance(t, Tensor) or not t.requires_grad:
            continue
        source = t.grad_fn
        if source is not None and source._sequence_nr > newest:
            t = input_version(t, newest)  # t was overwritten in place after node took it
            if not t.requires_grad:
                continue
            source = t.grad_fn
        if type(g) is not Tensor or g.array.shape != t.array.shape or (
                g.array.dtype != t.array.dtype):  # (only a shortcut: a fitting g is kept)
            g = _sum_to_shape(g, t, node, i)
        if source is None:
            leaf_grads[t] = leaf_grads[t] + g if t in leaf_grads else g
            continue
        base = t._base
        if base is not None and base.grad_fn is not None and (
                base.grad_fn._sequence_nr > source._sequence_nr):
            _refuse_stale_view(t, newest)  # the base was overwritten after t was made
        slots = node_grads.get(source)
        if slots is None:
            if source._freed and (needed is None or source in needed):
                raise RuntimeError(_FREED_MESSAGE)
            slots = node_grads[source] = [None] * len(source._outputs)
            heappush(waiting, (-source._sequence_nr, source))
        k = t._output_nr
        slots[k] = g if slots[k] is None else slots[k] + g


def _refuse_stale_view(view: Tensor, used_at: float) -> None:
    """A view's values change with its base's. If the base was overwritten in place, in the
    graph, after the view was made and before the node numbered used_at took the view, that
    node saw values the view's own node does not describe: refuse rather than differentiate
    the old ones."""
    made = view.grad_fn._sequence_nr
    writer = view._base.grad_fn
    while writer is not None and writer._sequence_nr > made:
        if writer._sequence_nr < used_at:
            raise RuntimeError(f"a view made by {view.grad_fn.name()} was used after its base "
                               f"was modified in place by {writer.name()}; minigrad cannot "
                               "follow the view's new values. Make the view after the "
                               "in-place op, or modify a copy.")
        writer = writer._replaced.grad_fn


def _visit_outputs(node: Node, grads: list, accumulate: bool, wanted: dict,
                   captured: list) -> None:
    """Complete node's output gradients in place: zeros for outputs that got none, then the
    tensor hooks; keep the results for retain_grad() and mg.grad. After
    ctx.set_materialize_grads(False), an output that got none keeps None."""
    for i, g in enumerate(grads):
        if g is None:
            if not getattr(node, "_materialize_grads", True):
                continue
            g = Tensor._make(np.zeros(*node._outputs[i]))
        if node._hooks and i in node._hooks:
            g = _run_hooks(node._hooks[i], g, node._outputs[i][0])
        if accumulate and node._retained and i in node._retained:
            _accumulate(node._retained[i](), g)
        if (node, i) in wanted:
            captured[wanted[node, i]] = g
        grads[i] = g


def _call_backward(node: Node, grads: list[Tensor], checked: bool, create_graph: bool) -> tuple:
    """node's backward, as a tuple of one gradient per input; `checked` (create_graph or
    detect_anomaly) adds the checks of _checked_backward."""
    if checked:
        result = _checked_backward(node, grads, create_graph)
    else:
        result = type(node).backward(node, *grads)
    result = result if type(result) is tuple else (result,)
    if len(result) != len(node.inputs):
        raise RuntimeError(f"{type(node).__name__}.backward returned {len(result)} gradients, "
                           f"but forward took {len(node.inputs)} inputs")
    return result


def _checked_backward(node: Node, grads: list[Tensor], create_graph: bool) -> tuple:
    """node's backward under create_graph or detect_anomaly. Under create_graph, a gradient
    computed with numpy is marked as not differentiable again. With detect_anomaly on, the ops
    backward runs are not checked one by one: a NaN they make is reported as this node's."""
    if create_graph:
        _refuse_saved_input_arrays(node)
    anomaly = set_anomaly_enabled(False)
    try:
        result = type(node).backward(node, *grads)
    finally:
        set_anomaly_enabled(anomaly)
    result = result if type(result) is tuple else (result,)
    if create_graph and any(r is not None and not isinstance(r, Tensor) for r in result):
        # computed with numpy: it depends on the incoming gradients and the inputs in a way
        # that cannot be followed, so differentiating it again must fail
        followed = [t for t in (*grads, *node.inputs) if isinstance(t, Tensor) and t.requires_grad]
        result = tuple(r if r is None or isinstance(r, Tensor) else
                       _OnceDifferentiable.apply(Tensor._make(np.asarray(r)), type(node).__name__,
                                                 *followed)
                       for r in result)
    if anomaly:
        for r in result:
            if r is not None:
                _check_not_nan(np.asarray(r.array if isinstance(r, Tensor) else r),
                               f"{node.name()} (backward)", node._trace)
    return result


def _refuse_saved_input_arrays(node: Node) -> None:
    """A custom Function that kept an input's raw array (`ctx.save_for_backward(x.array)` or
    `ctx.x = x.array`) computes its backward from a constant copy of that input, so the second
    derivative would silently miss how the gradient depends on it: refuse."""
    arrays = [a.array for a in node.inputs if isinstance(a, Tensor) and a.requires_grad]
    kept = [*node._saved, *vars(node).values()]
    for value in kept:
        if type(value) is np.ndarray and any(np.may_share_memory(value, a) for a in arrays):
            raise RuntimeError(
                f"{type(node).__name__} saved the numpy array of an input that requires grad, "
                "so its backward treats that input as a constant and a second derivative "
                "(create_graph=True) would be wrong; save the Tensors themselves "
                "(ctx.save_for_backward(x)) and compute the backward with Tensor operations")


def _sum_to_shape(g: Any, t: Tensor, node: Node | None, i: int) -> Tensor:
    """g as a Tensor of t's shape and dtype: dims that forward broadcast are summed away here,
    for every op."""
    if not isinstance(g, Tensor):
        g = Tensor._make(np.asarray(g))
    shape = t.array.shape
    g_shape = g.array.shape
    if g_shape != shape:
        lead = len(g_shape) - len(shape)
        if lead < 0 or any(n != 1 and n != m for n, m in zip(shape, g_shape[lead:], strict=True)):
            raise RuntimeError(f"{node.name() if node else 'backward'} returned a gradient of "
                               f"shape {g.shape} for its input {i} of shape {shape}")
        stretched = [lead + k for k, n in enumerate(shape) if n == 1 and g_shape[lead + k] != 1]
        if stretched:
            g = g.sum((*range(lead), *stretched), keepdim=True).reshape(shape)
        else:  # only new leading dims, as for a bias
            g = g.sum(tuple(range(lead)))
    return g if g.array.dtype == t.array.dtype else g.to(t.array.dtype)


def _run_hooks(hooks: list | None, g: Tensor, shape: tuple[int, ...]) -> Tensor:
    for hook in hooks or ():
        result = hook(g)
        if result is not None:
            name = getattr(hook, "__name__", type(hook).__name__)
            g = _checked_grad(result, shape, f"the value returned by hook {name!r}")
    return g


def _accumulate(t: Tensor | None, g: Tensor) -> None:
    """t.grad += g. Gradients are never modified in place, so sharing arrays is safe; a
    read-only broadcast view is copied so the user gets an ordinary array."""
    if t is None:
        return
    if g.array.base is not None and not g.array.flags.writeable:
        g = Tensor._make(g.array.copy())
    t._grad = g if t._grad is None else t._grad + g


def _free(node: Node) -> None:
    """Drop the values node kept for its backward, as PyTorch frees saved tensors: a second
    backward through it then raises. A node that kept none (add, sum, reshape, ...) stays
    runnable, as in PyTorch, with its inputs swapped for hollow stand-ins that hold no values.
    An in-place op's freed node keeps its number and the version it replaced: nodes recorded
    before it may still need them to find their input's version."""
    if not _keeps_values(node):  # leaves (which get .grad) and constants are kept as they are
        inputs = node.inputs
        for a in inputs:
            if type(a) is Tensor and a.grad_fn is not None:
                node.inputs = tuple([_hollow(a) if type(a) is Tensor and a.grad_fn is not None
                                     else a for a in inputs])
                break
        return
    replaced = node._replaced
    if replaced is None:
        node.__dict__.clear()
    else:
        number = node._sequence_nr
        node.__dict__.clear()
        node._sequence_nr, node._replaced = number, replaced
    node._freed = True


# what the engine itself keeps on a node (the Node protocol); anything else is forward's
_NODE_FIELDS = frozenset(("inputs", "needs_input_grad", "_sequence_nr", "_outputs", "_saved",
                          "_saved_outputs", "_replaced", "_hooks", "_retained", "_trace",
                          "_non_differentiable"))


def _keeps_values(node: Node) -> bool:
    """Did forward keep values for backward that backward frees: with save_for_backward, as an
    array or Tensor on the ctx of one of minigrad's ops (also inside tuples and lists), or as a
    numpy array taken as a constant input?"""
    for value in node._saved:
        if value is not None:
            return True
    if not type(node)._frees_ctx:  # a user's Function: its ctx attributes stay, as in torch
        return _takes_arrays(node.inputs)
    for name, value in vars(node).items():
        if name in _NODE_FIELDS:
            continue  # the engine's own; the rest is what forward stored on ctx
        kind = type(value)
        if kind is int or value is None:
            continue
        if kind in _SEQUENCES:
            if _holds_values(value):
                return True
        elif isinstance(value, (Tensor, np.ndarray)):
            return True
    return _takes_arrays(node.inputs)


_SEQUENCES = (tuple, list)


def _holds_values(items: tuple | list) -> bool:
    """Is there an array or Tensor in items, or in a tuple or list inside them?"""
    for item in items:
        kind = type(item)
        if kind is int or kind is slice or item is None:  # shapes, dims, index plans
            continue
        if kind in _SEQUENCES:
            if _holds_values(item):
                return True
        elif isinstance(item, (Tensor, np.ndarray)):
            return True
    return False


def _takes_arrays(inputs: tuple) -> bool:
    for a in inputs:
        if type(a) is np.ndarray:
            return True
    return False


# hollow arrays by (shape, dtype): read-only, zero-strided over one zero, so they hold no values
_HOLLOW: dict[tuple, np.ndarray] = {}


def _hollow(t: Tensor) -> Tensor:
    """A non-leaf input's place in the graph (grad_fn, output number, shape, dtype) without its
    values: what a later backward needs of it."""
    a = t.array
    key = a.shape, a.dtype
    array = _HOLLOW.get(key)
    if array is None:
        if len(_HOLLOW) > 1000:
            _HOLLOW.clear()
        zero = np.zeros(1, a.dtype)
        zero.flags.writeable = False
        array = _HOLLOW[key] = np.ndarray(a.shape, a.dtype, zero, 0, (0,) * a.ndim)
    return t._stand_in(array)  # t requires grad: it has a grad_fn


class _OnceDifferentiable(Function):
    """Stands for a gradient that a numpy-only backward computed: it cannot be differentiated."""

    @staticmethod
    def forward(ctx, value, op_name, *grads):
        ctx.op_name = op_name
        return value.array

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(f"{ctx.op_name}.backward computes with numpy arrays, so its gradient "
                           "can be differentiated only once; write that backward with Tensor "
                           "operations to take a second derivative through it")


# torch.autograd.function (Function, once_differentiable) is importable by that path
sys.modules[__name__ + ".function"] = function
from minigrad.legacy import Variable  # noqa: E402, F401  (torch.autograd.Variable)


def __getattr__(name: str) -> Any:
    """torch.autograd.gradcheck and gradgradcheck: minigrad.testing's, loaded when first used
    (the engine does not import the testing package)."""
    if name in ("gradcheck", "gradgradcheck"):
        from minigrad import testing

        return getattr(testing, name)
    if name == "functional":  # torch.autograd.functional (also importable by that path)
        from minigrad import autograd_functional

        return autograd_functional
    raise AttributeError(f"module 'minigrad.autograd' has no attribute {name!r}")
