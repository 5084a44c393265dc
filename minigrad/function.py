"""Function: an op's forward and backward, and its node in the graph; the grad-mode switches."""

from __future__ import annotations

import functools
import itertools
import os
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.tensor import Tensor


class _State:
    grad_enabled = True
    anomaly = False


def is_grad_enabled() -> bool:
    """True when ops record the graph that backward walks."""
    return _State.grad_enabled


class _GradMode:
    """Context manager and decorator that sets whether ops record the graph."""

    mode: bool

    def __enter__(self) -> None:
        self.prev = _State.grad_enabled
        _State.grad_enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _State.grad_enabled = self.prev

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
        self.prev = _State.grad_enabled
        _State.grad_enabled = self.mode

    def __enter__(self) -> None:
        pass

    def __call__(self, fn: Callable) -> Callable:
        _State.grad_enabled = self.prev  # as a decorator it acts only while fn runs
        return super().__call__(fn)


class AnomalyError(RuntimeError):
    """An op produced NaN or Inf while `detect_anomaly` was on."""


class detect_anomaly:
    """Inside it, the first op whose forward or backward makes NaN/Inf raises AnomalyError,
    naming the op and the line of user code that created it. Slow: for debugging only."""

    def __enter__(self) -> None:
        self.prev = _State.anomaly
        _State.anomaly = True

    def __exit__(self, *exc: object) -> None:
        _State.anomaly = self.prev


class Function:
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
    """

    # what a node holds besides what forward stores on ctx; these defaults cover the common case
    # (no saved values, no hooks) without an assignment per op
    inputs: tuple = ()  # forward's positional arguments, once the node is recorded
    _outputs: tuple = ()  # (shape, dtype) of each output
    _saved: tuple = ()
    _saved_outputs = False  # some of _saved are the node's own outputs (see _SavedOutput)
    _freed = False
    _hooks: dict | None = None  # output index -> hooks, from Tensor.register_hook
    _retained: dict | None = None  # output index -> weakref to the tensor, from retain_grad
    _trace: list | None = None  # where the op was created, under detect_anomaly

    @staticmethod
    def forward(ctx: Function, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define a static forward(ctx, ...)")

    @staticmethod
    def backward(ctx: Function, *grad_outputs: Tensor) -> Any:
        raise NotImplementedError("a Function subclass must define a static backward(ctx, ...)")

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep values that backward needs; freed after backward unless retain_graph=True."""
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        if self._saved_outputs:
            return tuple([s.unpack(self) if type(s) is _SavedOutput else s for s in self._saved])
        return self._saved

    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        ctx = cls.__new__(cls)
        grad_enabled = _State.grad_enabled
        if grad_enabled:
            ctx.needs_input_grad = needs = tuple([isinstance(a, Tensor) and a.requires_grad
                                                  for a in args])
            record = True in needs
            _State.grad_enabled = False
        else:  # under no_grad (and in backward passes): nothing is recorded
            ctx.needs_input_grad = (False,) * len(args)
            record = False
        try:
            raw = cls.forward(ctx, *args, **kwargs)
        except ValueError as e:
            raise_if_not_broadcastable(cls.__name__.lower(), args, e)
            raise
        finally:
            _State.grad_enabled = grad_enabled
        if type(raw) is np.ndarray:  # the common case, made short
            result = Tensor._make(raw)
            outputs = (result,)
            if record:
                ctx.inputs = args
                ctx._outputs = ((raw.shape, raw.dtype),)
                ctx._sequence_nr = next(_recorded)
                if raw.dtype.kind in "fc":
                    result.requires_grad = True
                    result.grad_fn = ctx
                if ctx._saved and True in [v is raw for v in ctx._saved]:
                    _SavedOutput.replace_outputs(ctx, (raw,))
        elif type(raw) is tuple:
            outputs = result = tuple([
                Tensor._make(r) if not record and type(r) is np.ndarray
                else _as_output(r, ctx if record else None, i, args) for i, r in enumerate(raw)])
        else:
            result = _as_output(raw, ctx if record else None, 0, args)
            outputs = (result,)
        if record and type(raw) is not np.ndarray:
            ctx.inputs = args
            ctx._outputs = tuple([(o.data.shape, o.data.dtype) for o in outputs])
            ctx._sequence_nr = next(_recorded)
            if ctx._saved:
                _SavedOutput.replace_outputs(ctx, raw if type(raw) is tuple else (raw,))
        if _State.anomaly:
            ctx._trace = _user_frames()
            for o in outputs:
                _check_finite(o.data, f"{cls.__name__} (forward)", ctx._trace)
        return result


_recorded = itertools.count()  # numbers nodes in the order they are recorded (see autograd._walk)


class _SavedOutput:
    """A saved output of the node itself, kept as its array only: the output Tensor holds the
    node as grad_fn, so saving the Tensor would make a reference cycle that only the garbage
    collector frees. `saved_tensors` rebuilds it, grad_fn included, so a backward that uses it
    can be differentiated again."""

    __slots__ = ("data", "index")

    def __init__(self, data: np.ndarray, index: int) -> None:
        self.data, self.index = data, index

    @staticmethod
    def replace_outputs(node: Function, returned: tuple) -> None:
        """Swap every saved value that is one of node's outputs (an output Tensor, or an array
        that forward returned) for a _SavedOutput."""
        saved = list(node._saved)
        for k, s in enumerate(saved):
            if isinstance(s, Tensor) and s.grad_fn is node:
                saved[k] = _SavedOutput(s.data, s._output_nr)
            elif type(s) is np.ndarray:
                saved[k] = next((_SavedOutput(s, i) for i, r in enumerate(returned) if r is s), s)
        node._saved_outputs = True in [type(s) is _SavedOutput for s in saved]
        node._saved = tuple(saved)

    def unpack(self, node: Function) -> Tensor:
        t = Tensor._make(self.data)
        if self.data.dtype.kind in "fc":  # as forward's output was: integers get no grad_fn
            t.requires_grad, t.grad_fn, t._output_nr = True, node, self.index
        return t


_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to read saved values after they were "
    "freed). The graph's saved values are freed by .backward() and mg.grad(); pass "
    "retain_graph=True to the first call if you need to backward through it again."
)


def _as_output(value: Any, node: Function | None, index: int, args: tuple) -> Tensor:
    """Wrap what forward returned as a Tensor and, when recording, make it an output of node."""
    if isinstance(value, Tensor):
        if value.grad_fn is not None or True in [value is a for a in args]:
            value = Tensor._make(value.data)  # never re-parent an input or an existing node
    elif isinstance(value, np.ndarray):
        value = Tensor._make(value)
    else:
        value = Tensor._make(np.asarray(value))
    if node is not None and value.data.dtype.kind in "fc":
        value.requires_grad = True
        value.grad_fn = node
        value._output_nr = index
    return value


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _user_frames() -> list[traceback.FrameSummary]:
    """The call stack up to the first frame inside the minigrad package itself."""
    frames = traceback.extract_stack()
    while frames and os.path.abspath(frames[-1].filename).startswith(_PACKAGE_DIR):
        frames.pop()
    return frames


def raise_if_not_broadcastable(op: str, args: Any, error: ValueError) -> None:
    """Turn numpy's broadcasting error into one that names the op and the tensors' shapes."""
    shapes = [a.shape for a in args if isinstance(a, Tensor)]
    if "broadcast" not in str(error) or len(shapes) < 2:
        return
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        listed = ", ".join(map(str, shapes[:-1])) + f" and {shapes[-1]}"
        raise ValueError(f"{op}: shapes {listed} do not broadcast") from None


def _check_finite(array: np.ndarray, what: str, trace: list | None) -> None:
    if array.dtype.kind != "f" or np.isfinite(array).all():
        return
    kind = "nan" if np.isnan(array).any() else "inf"
    where = ""
    if trace:
        where = "\nThe op was created at:\n" + "".join(traceback.format_list(trace[-3:]))
    raise AnomalyError(f"{what} produced {kind} values.{where}")
