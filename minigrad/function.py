"""Function: an op's forward and backward, and its node in the graph; the grad-mode switches."""

from __future__ import annotations

import functools
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
    """

    __slots__ = ("inputs", "needs_input_grad", "_saved", "_freed", "_outputs", "_hooks",
                 "_retained", "_trace", "__dict__", "__weakref__")

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
        return self._saved

    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        ctx = cls.__new__(cls)
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        record = _State.grad_enabled and any(needs)
        ctx.needs_input_grad = needs
        ctx._saved = ()
        ctx._freed = False
        prev, _State.grad_enabled = _State.grad_enabled, False
        try:
            raw = cls.forward(ctx, *args, **kwargs)
        finally:
            _State.grad_enabled = prev
        many = isinstance(raw, tuple)
        outputs = tuple(
            _as_output(r, ctx if record else None, i, args) for i, r in enumerate(raw if many else (raw,))
        )
        if record:
            ctx.inputs = args
            ctx._outputs = tuple((o.shape, o.dtype) for o in outputs)
            ctx._hooks = None
            ctx._retained = None
            ctx._trace = _user_frames() if _State.anomaly else None
        if _State.anomaly:
            for o in outputs:
                _check_finite(o.data, f"{cls.__name__} (forward)", ctx._trace if record else None)
        return outputs if many else outputs[0]


_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to read saved values after they were "
    "freed). The graph's saved values are freed by .backward() and mg.grad(); pass "
    "retain_graph=True to the first call if you need to backward through it again."
)


def _as_output(value: Any, node: Function | None, index: int, args: tuple) -> Tensor:
    """Wrap what forward returned as a Tensor and, when recording, make it an output of node."""
    if isinstance(value, Tensor):
        if any(value is a for a in args) or value.grad_fn is not None:
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


def _user_frames() -> list[traceback.FrameSummary]:
    """The call stack up to the first frame inside minigrad itself."""
    frames = traceback.extract_stack()
    inside = "/minigrad/"
    while frames and inside in frames[-1].filename.replace("\\", "/"):
        frames.pop()
    return frames


def _check_finite(array: np.ndarray, what: str, trace: list | None) -> None:
    if array.dtype.kind != "f" or np.isfinite(array).all():
        return
    kind = "nan" if np.isnan(array).any() else "inf"
    where = ""
    if trace:
        where = "\nThe op was created at:\n" + "".join(traceback.format_list(trace[-3:]))
    raise AnomalyError(f"{what} produced {kind} values.{where}")
