"""Function: an op's forward and backward, and its node in the graph; the grad-mode switches."""

from __future__ import annotations

import functools
import os
import traceback
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.tensor import Tensor, VersionCounter, _Inference


# *** grad mode and anomaly mode ***
class _Modes:
    """The two global switches. Only the functions below read or write them."""

    grad_enabled = True
    anomaly = False


def is_grad_enabled() -> bool:
    """True when ops record the graph that backward walks."""
    return _Modes.grad_enabled


def _set_grad_mode(mode: bool) -> bool:
    """Switch recording on or off; return the previous setting."""
    previous, _Modes.grad_enabled = _Modes.grad_enabled, mode
    return previous


def is_anomaly_enabled() -> bool:
    """True inside `detect_anomaly` (PyTorch's `torch.is_anomaly_enabled`)."""
    return _Modes.anomaly


def set_anomaly_enabled(mode: bool) -> bool:
    """Switch anomaly detection on or off; return the previous setting."""
    previous, _Modes.anomaly = _Modes.anomaly, bool(mode)
    return previous


class _GradMode:
    """Context manager and decorator that sets whether ops record the graph."""

    mode: bool

    def __enter__(self) -> None:
        self.prev = _set_grad_mode(self.mode)

    def __exit__(self, *exc: object) -> None:
        _set_grad_mode(self.prev)

    def __call__(self, fn: Callable) -> Callable:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Ops inside record no graph (evaluation, optimizer updates)."""

    mode = False


class enable_grad(_GradMode):
    """Record the graph again inside a `no_grad` region."""

    mode = True


class set_grad_enabled(_GradMode):
    """Switch recording on or off now, or for the `with` block it opens."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev = _set_grad_mode(self.mode)

    def __enter__(self) -> None:
        pass

    def __call__(self, fn: Callable) -> Callable:
        _set_grad_mode(self.prev)  # as a decorator it acts only while fn runs
        return super().__call__(fn)


class AnomalyError(RuntimeError):
    """An op produced NaN while `detect_anomaly` was on."""


class detect_anomaly:
    """Inside it, the first op whose forward or backward makes NaN raises AnomalyError, naming
    the op and the line of user code that created it. Infinities are not anomalies (a -inf
    attention mask is valid), as in PyTorch. Slow: for debugging only."""

    def __enter__(self) -> None:
        self.prev = set_anomaly_enabled(True)

    def __exit__(self, *exc: object) -> None:
        set_anomaly_enabled(self.prev)


# *** the node protocol ***
class Node:
    """What the graph walk (minigrad.autograd) needs from a node, written down once. A Function
    instance is a Node: the op's context during forward, its place in the graph afterwards.

    inputs         forward's positional arguments (Tensors and constants), in order
    next_functions PyTorch's view of the same edges: (node, output index) per input, with an
                   AccumulateGrad for a leaf that requires grad and (None, 0) for a constant
    backward(ctx, *grads)  one gradient (or None) per input
    needs_input_grad       which inputs require grad, as forward saw them
    _sequence_nr   numbers nodes in recording order (an op's inputs are made before it)
    _outputs       (shape, dtype) of each output, to make zeros for an output that got no grad
    _saved         what save_for_backward kept (checked against later in-place writes)
    _replaced      for an in-place op's node: the tensor version its output replaced
    _hooks, _retained  per output index: Tensor.register_hook hooks, retain_grad weakrefs
    _freed         True once backward freed the saved values (retain_graph=False); a node
                   that saved none stays runnable, its inputs hollowed (autograd._free)
    _trace         where the op was created, under detect_anomaly
    """

    inputs: tuple = ()
    needs_input_grad: tuple = ()
    _sequence_nr = -1
    _outputs: tuple = ()
    _saved: tuple = ()
    _saved_outputs = False  # some of _saved are the node's own outputs (see _SavedOutput)
    _replaced: Tensor | None = None
    _hooks: dict | None = None
    _retained: dict | None = None
    _freed = False
    _trace: list | None = None

    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """(node, output index) for each input, as in PyTorch, so graph-drawing code written
        for PyTorch can walk minigrad's graph."""
        return tuple([_edge(a, self) for a in self.inputs])


class AccumulateGrad:
    """The end of a path: the node PyTorch shows for a leaf that requires grad (`.variable`)."""

    next_functions: tuple = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


# one AccumulateGrad per leaf while anyone holds it, keyed by id (it keeps its leaf alive)
_accumulators: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def _edge(t: Any, node: Node) -> tuple[Any, int]:
    """Where a gradient for input t of node goes: (producing node, output index)."""
    if not isinstance(t, Tensor) or not t.requires_grad:
        return None, 0
    t = input_version(t, node._sequence_nr)
    if t.grad_fn is not None:
        return t.grad_fn, t._output_nr
    if not t.requires_grad:
        return None, 0
    node = _accumulators.get(id(t))
    if node is None:
        node = _accumulators[id(t)] = AccumulateGrad(t)
    return node, 0


def input_version(t: Tensor, taken_at: float) -> Tensor:
    """t as the node numbered taken_at took it as input. An in-place op recorded later made t
    the output of a newer node; each such node keeps the version it replaced (`_replaced`), so
    walk back to the one made before."""
    source = t.grad_fn
    while source is not None and source._sequence_nr > taken_at:
        t = source._replaced
        source = t.grad_fn
    return t


# *** Function ***
class Function(Node):
    """Base class of every op. Subclass it with static `forward(ctx, *args)` returning an ndarray
    (or Tensor, or a tuple of them) and static `backward(ctx, *grad_outputs)` returning one
    gradient per forward argument (None where there is none), and call `MyOp.apply(...)`.

    An instance is the op's context (`ctx`) during forward and its node in the graph
    (`tensor.grad_fn`) afterwards. `forward` always runs without recording; `backward` runs
    without recording unless `create_graph=True`, so a backward written with Tensor ops can be
    differentiated again, while one written with numpy arrays is differentiable once.

    A backward that needs the op's own output saves it: `ctx.save_for_backward(out)` with the
    array (or Tensor) that forward returns. `saved_tensors` gives it back as that output
    Tensor, so a second derivative sees how it depends on the inputs.

    PyTorch 2's other style works too: a static `forward(*args)` without ctx and a static
    `setup_context(ctx, inputs, output)` that saves what backward needs.
    """

    returns_view = False  # see ViewFunction
    # minigrad's own ops free what forward kept on ctx after backward, as torch frees its saved
    # tensors; a user's Function keeps its ctx attributes (only save_for_backward's are freed),
    # as in torch, where a second backward through ctx.x = x works
    _frees_ctx = False
    _non_differentiable: frozenset[int] | None = None  # see mark_non_differentiable
    _dirty: tuple = ()  # see mark_dirty
    _materialize_grads = True  # see set_materialize_grads

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._frees_ctx = cls.__module__.split(".")[0] == "minigrad"

    @staticmethod
    def forward(ctx: Function, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define a static forward(ctx, ...)")

    @staticmethod
    def backward(ctx: Function, *grad_outputs: Tensor) -> Any:
        raise NotImplementedError("a Function subclass must define a static backward(ctx, ...)")

    @staticmethod
    def setup_context(ctx: Function, inputs: tuple, output: Any) -> None:
        """Defined by a subclass whose forward takes no ctx (PyTorch 2's style)."""
        raise NotImplementedError

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep values that backward needs; freed after backward unless retain_graph=True.
        Tensors saved here are checked not to have been modified in place before backward."""
        self._saved = tensors

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Outputs of forward that get no gradient (indices, masks): they come out not
        requiring grad, and backward receives zeros for them, as in PyTorch."""
        self._non_differentiable = frozenset(id(getattr(o, "array", o)) for o in outputs)

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward receives None (not zeros) for outputs that got no gradient."""
        self._materialize_grads = bool(value)

    def mark_dirty(self, *tensors: Any) -> None:
        """An input that forward wrote in place and returns: it comes out as that same tensor,
        now the output of this node (as a recorded in-place op's output is). One at most."""
        if len(tensors) > 1:
            raise NotImplementedError("mark_dirty: minigrad records one tensor written in "
                                      f"place per Function, got {len(tensors)}")
        self._dirty = tensors

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        if VersionCounter.last_write > self._sequence_nr:  # something was written since
            self._check_saved_versions()
        if self._saved_outputs:
            return tuple([s.unpack(self) if type(s) is _SavedOutput else s for s in self._saved])
        return self._saved

    def _check_saved_versions(self) -> None:
        """Raise if a saved tensor was written in place after this node was recorded."""
        for saved in self._saved:
            counter = _version_counter_of(saved)
            if counter is not None and counter.written_after(self._sequence_nr):
                expected = counter.version_at(self._sequence_nr)
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: the tensor of shape {saved.array.shape} "
                    f"({saved.array.dtype}) saved by {self.name()} is at version "
                    f"{counter.version}; expected version {expected} instead. Make the "
                    "in-place change after backward, or write it out of place (y = y + 1 "
                    "rather than y += 1).")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward without recording, wrap what it returns as Tensors, and record the node
        when grad mode is on and an input requires grad."""
        ctx = cls.__new__(cls)
        grad_enabled = _Modes.grad_enabled
        if grad_enabled:
            needs = []
            for a in args:
                needs.append(isinstance(a, Tensor) and a._requires_grad)
            ctx.needs_input_grad = tuple(needs)
            record = any(needs)
            _Modes.grad_enabled = False  # forward itself records nothing
        else:  # under no_grad (and in backward passes): nothing is recorded
            ctx.needs_input_grad = (False,) * len(args)
            record = False
        try:
            if cls.setup_context is Function.setup_context:
                raw = cls.forward(ctx, *args, **kwargs)
            else:  # PyTorch 2's style: forward without ctx, then setup_context
                raw = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, raw)
        except ValueError as e:
            raise_if_not_broadcastable(cls.__name__.lower(), args, e)
            raise
        finally:
            _Modes.grad_enabled = grad_enabled
        if type(raw) is np.ndarray:  # just an optimization of _as_output for the common case
            result = Tensor._make(raw)  # (test_engine pins both paths to the same result)
            outputs, returned = (result,), (raw,)
        else:
            returned = raw if type(raw) is tuple else (raw,)
            outputs = tuple([_as_output(r, args) for r in returned])
            result = outputs if type(raw) is tuple else outputs[0]
        if cls.returns_view and outputs[0].array.base is not None:
            base = args[0]
            outputs[0]._base = base if base._base is None else base._base
        old = None
        if ctx._dirty:
            args, outputs, result, old = _dirty_output(ctx._dirty[0], args, outputs, returned,
                                                       raw, record)
        if record:
            if _Inference.made:
                _check_no_inference_tensor_saved(ctx._saved)
            _record(ctx, args, outputs, returned)
            if old is not None:  # earlier nodes that took the dirty tensor walk back to old
                ctx._replaced = old
            if ctx._non_differentiable:
                _unmark(ctx._non_differentiable, outputs, returned)
        if _Modes.anomaly:
            ctx._trace = _user_frames()
            for o in outputs:
                _check_not_nan(o.array, f"{cls.__name__} (forward)", ctx._trace)
        return result


def _check_no_inference_tensor_saved(saved: tuple) -> None:
    """As torch: a tensor made inside inference_mode cannot take part in a recorded graph where
    backward would need its values."""
    if any(isinstance(t, Tensor) and t._inference for t in saved):
        raise RuntimeError("Inference tensors cannot be saved for backward. To work around you "
                           "can make a clone to get a normal tensor and use it in autograd.")


def once_differentiable(backward: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator for a Function's backward that is not itself differentiable (PyTorch's): it
    runs without recording, and its gradients are handed on as arrays, so a second derivative
    through them (create_graph=True) raises instead of silently missing a term."""

    @functools.wraps(backward)
    def backward_once(ctx: Function, *grad_outputs: Any) -> Any:
        with no_grad():
            result = backward(ctx, *grad_outputs)
        if type(result) is not tuple:
            return result.array if isinstance(result, Tensor) else result
        return tuple(r.array if isinstance(r, Tensor) else r for r in result)

    return backward_once


class ViewFunction(Function):
    """A Function whose output may be a numpy view of its first input (reshape, transpose,
    indexing, expand). When numpy's result is not a fresh array (its `.base` is set),
    Function.apply marks it as a view of the input's memory (`_base`), so the two share one
    version counter. That is exact for transpose, expand and basic indexing, and errs on the
    safe side for the rare reshape or integer-array index that numpy computes through a
    temporary: such a copy is then also treated as a view (a write to it counts as a write
    to the input, and is not recorded while grad mode is on)."""

    returns_view = True


_next_tick = VersionCounter.clock.__next__


def _record(node: Function, args: tuple, outputs: tuple[Tensor, ...], returned: tuple) -> None:
    """Make node part of the graph: remember its inputs, number it, and make each float output
    one of its outputs (integer and bool outputs have no gradient). `returned` is what forward
    returned, one value per output."""
    node.inputs = args
    node._sequence_nr = _next_tick()
    described = ()
    for o in outputs:
        data = o.array
        if data.dtype.kind in "fc":
            o._requires_grad, o.grad_fn, o._output_nr = True, node, len(described)
        described += ((data.shape, data.dtype),)
    node._outputs = described
    if node._saved:  # did forward save a value it returned? (see _SavedOutput)
        for r in returned:
            for s in node._saved:
                if s is r:
                    _SavedOutput.replace_outputs(node, returned, outputs)
                    return


def _dirty_output(dirty: Any, args: tuple, outputs: tuple[Tensor, ...], returned: tuple,
                  raw: Any, record: bool) -> tuple[tuple, tuple, Any, Tensor | None]:
    """For a Function whose forward wrote input `dirty` in place (mark_dirty) and returned it:
    the output is `dirty` itself; when recording, the node's input is `old`, a stand-in
    holding dirty's place in the graph before the write (its grad_fn), as _write_in_place
    does. Returns (args, outputs, result, old)."""
    if not any(a is dirty for a in args):
        raise RuntimeError("mark_dirty: only inputs of forward can be marked dirty")
    if not any(r is dirty for r in returned):
        raise RuntimeError("mark_dirty: a tensor marked dirty must be returned by forward")
    old = None
    if record:
        dirty._check_recordable("mark_dirty")
        old = dirty._stand_in(dirty.array)
        args = tuple([old if a is dirty else a for a in args])
    outputs = tuple([dirty if r is dirty else o for r, o in zip(returned, outputs)])
    return args, outputs, outputs if type(raw) is tuple else outputs[0], old


def _unmark(marked: frozenset[int], outputs: tuple[Tensor, ...], returned: tuple) -> None:
    """Outputs that forward marked non-differentiable leave the graph."""
    for o, r in zip(outputs, returned):
        if id(getattr(r, "array", r)) in marked or id(o.array) in marked:
            o._requires_grad, o.grad_fn = False, None


def _version_counter_of(saved: Any) -> VersionCounter | None:
    if type(saved) is _SavedOutput:
        return saved.version_counter
    return saved._shared_version_counter() if isinstance(saved, Tensor) else None


class _SavedOutput:
    """A saved output of the node itself, kept as its array only: the output Tensor holds the
    node as grad_fn, so saving the Tensor would make a reference cycle that only the garbage
    collector frees. `saved_tensors` rebuilds it, grad_fn included, so a backward that uses it
    can be differentiated again. It keeps the output's version counter (the array outlives
    the output Tensor)."""

    __slots__ = ("array", "index", "version_counter")

    def __init__(self, output: Tensor) -> None:
        self.array, self.index = output.array, output._output_nr
        self.version_counter = output._shared_version_counter()

    @staticmethod
    def replace_outputs(node: Function, returned: tuple, outputs: tuple[Tensor, ...]) -> None:
        """Swap every saved value that forward returned (an array, or a Tensor it made) for a
        _SavedOutput of the output Tensor that wraps it."""
        node._saved = tuple([next((_SavedOutput(o) for r, o in zip(returned, outputs)
                                   if r is s), s) for s in node._saved])
        node._saved_outputs = True

    def unpack(self, node: Function) -> Tensor:
        t = Tensor._make(self.array)
        if self.array.dtype.kind in "fc":  # as forward's output was: integers get no grad_fn
            t._requires_grad, t.grad_fn, t._output_nr = True, node, self.index
        return t


_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to read saved values after they were "
    "freed). The graph's saved values are freed by .backward() and mg.grad(); pass "
    "retain_graph=True to the first call if you need to backward through it again."
)


def _as_output(value: Any, args: tuple) -> Tensor:
    """What forward returned, as a new Tensor (never an input, nor a tensor in a graph)."""
    if type(value) is np.ndarray:
        return Tensor._make(value)
    if isinstance(value, Tensor):
        if value.requires_grad or any(value is a for a in args):
            return Tensor._make(value.array)
        return value
    return Tensor._make(value if isinstance(value, np.ndarray) else np.asarray(value))


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _user_frames() -> list[traceback.FrameSummary]:
    """The call stack up to the first frame inside the minigrad package itself."""
    frames = traceback.extract_stack()
    while frames and os.path.abspath(frames[-1].filename).startswith(_PACKAGE_DIR):
        frames.pop()
    return frames


class ShapeError(ValueError, RuntimeError):
    """Shapes that do not fit together: a ValueError (Python's class for a bad value), and a
    RuntimeError as torch raises, so `except RuntimeError` in a PyTorch program catches it."""


class DTypeError(TypeError, RuntimeError):
    """A dtype an op has no kernel for (mean of integers): a TypeError, and a RuntimeError as
    torch raises, so `except RuntimeError` in a PyTorch program catches it."""


def raise_if_not_broadcastable(op: str, args: Any, error: ValueError) -> None:
    """Turn numpy's broadcasting error into one that names the op and the tensors' shapes."""
    shapes = [a.array.shape for a in args if isinstance(a, Tensor)]
    if "broadcast" not in str(error) or len(shapes) < 2:
        return
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        listed = ", ".join(map(str, shapes[:-1])) + f" and {shapes[-1]}"
        raise ShapeError(f"{op}: shapes {listed} do not broadcast") from None


def _check_not_nan(array: np.ndarray, what: str, trace: list | None) -> None:
    """detect_anomaly's test: NaN is an anomaly, an infinity is not (as in PyTorch)."""
    if array.dtype.kind not in "fc" or not np.isnan(array).any():
        return
    where = ""
    if trace:
        where = "\nThe op was created at:\n" + "".join(traceback.format_list(trace[-3:]))
    raise AnomalyError(f"{what} produced nan values.{where}")
