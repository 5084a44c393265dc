"""The graph walk behind `Tensor.backward` and `mg.grad`.

It knows only the node protocol of `Function` (`inputs`, `backward`, `needs_input_grad`,
`_sequence_nr`) and visits nodes in reverse topological order without recursion, so a chain of
100,000 ops works. Gradients are summed back to each input's shape here, in one place, so no op
has to undo broadcasting itself."""

from __future__ import annotations

from collections.abc import Sequence
from heapq import heappop, heappush
from typing import Any

import numpy as np

from minigrad.function import _FREED_MESSAGE, Function, _check_finite, _State
from minigrad.ops._common import constant
from minigrad.tensor import Tensor

Tensors = Tensor | Sequence[Tensor]


def backward(tensors: Tensors, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """Accumulate the gradients of tensors into the `.grad` of every leaf they depend on."""
    outputs, grads = _roots(tensors, grad_tensors)
    _walk(outputs, grads, create_graph if retain_graph is None else retain_graph, create_graph,
          None)


def grad(outputs: Tensors, inputs: Tensors, grad_outputs: Any = None,
         retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """The gradients of outputs with respect to inputs, as `torch.autograd.grad`; `.grad`
    attributes are left untouched."""
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
    return tuple(found)


def _roots(tensors: Tensors, grads: Any) -> tuple[list[Tensor], list[Tensor]]:
    """The outputs, and d loss / d output for each; the gradient may be left out for
    one-element outputs."""
    if isinstance(tensors, Tensor):
        tensors, grads = [tensors], [grads]
    else:
        tensors = list(tensors)
        if grads is None or isinstance(grads, (Tensor, np.ndarray)):
            grads = [grads] * len(tensors) if grads is None else [grads]
        grads = list(grads)
    if len(grads) != len(tensors):
        raise ValueError(f"backward: got {len(tensors)} tensors but {len(grads)} gradients")
    checked = []
    for i, (t, g) in enumerate(zip(tensors, grads)):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and has no "
                               "grad_fn: nothing to differentiate")
        if g is None:
            if t.data.size != 1:
                raise RuntimeError(f"backward: a gradient can be created implicitly only for "
                                   f"one-element outputs, this one has shape {t.shape}; pass "
                                   "`gradient` (d loss / d output) with that shape")
            checked.append(Tensor._make(np.array(1, t.data.dtype).reshape(t.data.shape)))
            continue
        g = constant(g, t)
        if g.data.shape != t.data.shape:
            raise ValueError(f"backward: gradient of shape {g.shape} does not match the "
                             f"output's shape {t.shape}")
        checked.append(g if g.data.dtype == t.data.dtype else g.to(t.data.dtype))
    return tensors, checked


def _walk(outputs: list[Tensor], grads: list[Tensor], retain_graph: bool, create_graph: bool,
          capture: list[Tensor] | None) -> list[Tensor | None]:
    """Run the backward of every node that gets a gradient, once; accumulate into leaves, or into
    `capture` (mg.grad).

    Nodes are numbered as they are recorded, and an op's inputs are always made before it, so
    taking the highest-numbered waiting node next (a heap) is a topological order: by then every
    node that could send it a gradient has run. No separate pass over the graph is needed."""
    accumulate = capture is None
    captured: list[Tensor | None] = [None] * len(capture or ())
    # what mg.grad asked for: a leaf itself, or (node, output index) for a non-leaf
    wanted = {(t.grad_fn, t._output_nr) if t.grad_fn else t: i
              for i, t in enumerate(capture)} if capture else {}
    node_grads: dict[Function, list] = {}
    leaf_grads: dict[Tensor, Tensor] = {}
    waiting: list[tuple[int, Function]] = []  # (-sequence number, node), a max-heap
    plain = not (create_graph or _State.anomaly)  # backward results need no extra handling
    grad_enabled, _State.grad_enabled = _State.grad_enabled, create_graph
    try:
        # send gradients to the tensors they are for: first the outputs', then each node's
        node, targets = None, outputs
        while True:
            for i, (t, g) in enumerate(zip(targets, grads)):
                if g is None or not isinstance(t, Tensor) or not t.requires_grad:
                    continue
                if type(g) is not Tensor or g.data.shape != t.data.shape or (
                        g.data.dtype != t.data.dtype):
                    g = _fit(g, t, node, i)
                source = t.grad_fn
                if source is None:
                    leaf_grads[t] = leaf_grads[t] + g if t in leaf_grads else g
                    continue
                slots = node_grads.get(source)
                if slots is None:
                    if source._freed:
                        raise RuntimeError(_FREED_MESSAGE)
                    slots = node_grads[source] = [None] * len(source._outputs)
                    heappush(waiting, (-source._sequence_nr, source))
                k = t._output_nr
                slots[k] = g if slots[k] is None else slots[k] + g
            if not waiting:
                break
            node = heappop(waiting)[1]
            grads = node_grads.pop(node)
            if len(grads) > 1 or node._hooks or node._retained or wanted:
                _visit_outputs(node, grads, accumulate, wanted, captured)
            if plain:
                grads = type(node).backward(node, *grads)
            else:
                grads = _call_backward(node, grads, create_graph)
            if type(grads) is not tuple:
                grads = (grads,)
            targets = node.inputs
            if len(grads) != len(targets):
                raise RuntimeError(f"{type(node).__name__}.backward returned {len(grads)} "
                                   f"gradients, but forward took {len(targets)} inputs")
            if not retain_graph:
                _free(node)
        for leaf, g in leaf_grads.items():
            if not accumulate and leaf not in wanted:
                continue  # mg.grad did not ask for it: no hooks, no .grad
            if leaf._hooks:
                g = _run_hooks(leaf._hooks, g)
            if accumulate:
                _accumulate(leaf, g)
            else:
                captured[wanted[leaf]] = g
    finally:
        _State.grad_enabled = grad_enabled
    return captured


def _visit_outputs(node: Function, grads: list, accumulate: bool, wanted: dict,
                   captured: list) -> None:
    """Complete node's output gradients in place: zeros for outputs that got none, then the
    tensor hooks; keep the results for retain_grad() and mg.grad."""
    for i, g in enumerate(grads):
        if g is None:
            g = Tensor._make(np.zeros(*node._outputs[i]))
        if node._hooks and i in node._hooks:
            g = _run_hooks(node._hooks[i], g)
        if accumulate and node._retained and i in node._retained:
            _accumulate(node._retained[i](), g)
        if (node, i) in wanted:
            captured[wanted[node, i]] = g
        grads[i] = g


def _call_backward(node: Function, grads: list[Tensor], create_graph: bool) -> tuple:
    """node's backward under create_graph or detect_anomaly. With detect_anomaly on, the ops it
    runs are not checked one by one: a NaN or Inf they make is reported as this node's
    backward."""
    anomaly = _State.anomaly
    if anomaly:
        _State.anomaly = False
        try:
            result = type(node).backward(node, *grads)
        finally:
            _State.anomaly = True
    else:
        result = type(node).backward(node, *grads)
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
                _check_finite(np.asarray(r.data if isinstance(r, Tensor) else r),
                              f"{node.name()} (backward)", node._trace)
    return result


def _fit(g: Any, t: Tensor, node: Function, i: int) -> Tensor:
    """g as a Tensor of t's shape and dtype: broadcast dims are summed away here, for every op."""
    if not isinstance(g, Tensor):
        g = Tensor._make(np.asarray(g))
    shape = t.data.shape
    if g.data.shape != shape:
        lead = g.ndim - len(shape)
        if lead < 0 or any(n != 1 and n != m for n, m in zip(shape, g.shape[lead:], strict=True)):
            raise RuntimeError(f"{node.name()} returned a gradient of shape {g.shape} for its "
                               f"input {i} of shape {shape}")
        stretched = [lead + k for k, n in enumerate(shape) if n == 1 and g.shape[lead + k] != 1]
        if stretched:
            g = g.sum((*range(lead), *stretched), keepdim=True).reshape(shape)
        else:  # only new leading dims, as for a bias
            g = g.sum(tuple(range(lead)))
    return g if g.data.dtype == t.data.dtype else g.to(t.data.dtype)


def _run_hooks(hooks: list | None, g: Tensor) -> Tensor:
    for hook in hooks or ():
        result = hook(g)
        if result is not None:
            g = result if isinstance(result, Tensor) else Tensor._make(np.asarray(result))
    return g


def _accumulate(t: Tensor | None, g: Tensor) -> None:
    """t.grad += g. Gradients are never modified in place, so sharing arrays is safe; a
    read-only broadcast view is copied so the user gets an ordinary array."""
    if t is None:
        return
    if g.data.base is not None and not g.data.flags.writeable:
        g = Tensor._make(g.data.copy())
    t.grad = g if t.grad is None else t.grad + g


def _free(node: Function) -> None:
    """Drop what backward saved and what forward stored on ctx; the node can no longer be
    differentiated through."""
    node.__dict__.clear()
    node._freed = True


class _OnceDifferentiable(Function):
    """Stands for a gradient that a numpy-only backward computed: it cannot be differentiated."""

    @staticmethod
    def forward(ctx, value, op_name, *grads):
        ctx.op_name = op_name
        return value.data

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(f"{ctx.op_name}.backward computes with numpy arrays, so its gradient "
                           "can be differentiated only once; write that backward with Tensor "
                           "operations to take a second derivative through it")
