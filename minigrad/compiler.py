"""mg.compile: capture a training step once as a flat list of numpy kernels, then replay it.

Capture. The first calls run `fn` eagerly, as usual, while the arrays it computes with are a
tracing ndarray subclass (`_Traced`). numpy hands every operation on such an array to the
subclass (`__array_ufunc__` for operators, matmul and reductions, `__array_function__` for
np.where, np.copyto, ..., and the few ndarray methods overridden below), which runs it on plain
arrays and appends a kernel to the tape: the numpy callable with its arrays prebound, writing
into the array it produced (`out=`). Those arrays become the tape's buffers, so replay writes
into memory that already exists. Tensors from outside the call (parameters, module buffers) are
adopted when they reach `Function.apply` and are read and written in place. An optimizer's
`step()` and `zero_grad()`, and a learning-rate scheduler's `step()`, are recorded as calls,
since they read or set Python numbers (Adam's step count, the learning rate) that change from
call to call; a random draw (dropout) is a
kernel that draws afresh. While it captures, compile wraps those entry points (`_Patches`).

Guards. A tape is kept per call signature (input shapes and dtypes, Python arguments, grad mode)
and holds while the tensors it adopted keep their arrays, the modules it called keep their
train/eval mode, and each parameter's `.grad` is None where it was None at capture; otherwise the
call is captured again (a small cache, `cache_info()`). A tape is trusted only once a second
capture has recorded the same kernels with the same constants: a value computed outside the
recorded kernels (in Python, or on a plain numpy array) would be frozen into the tape, and
differs between two calls.

Replay runs the kernels in order: no Tensor or Function objects, no graph walk. Elementwise
kernels write in place into an input buffer that nothing reads afterwards (the same numbers,
fewer buffers), and a sum negated next becomes one subtraction from the negated smaller term.
Parameters are written in place and their versions bumped, so eager code afterwards stays
checked; returned tensors are copies of the tape's buffers; `.grad` tensors wrap buffers that
the next call overwrites.

What cannot be captured makes the call run eagerly, with a warning saying why (once), or raises
`CompileError` with `fullgraph=True`: a tensor value that reaches Python (`float()`, `bool()`
after the optimizer stepped, a number from `.item()` that Python uses rather than returns),
hooks, `retain_grad`, seeding the generator, an argument that requires grad, `.grad` carried
over from an earlier call. `bool()` of a tensor before the optimizer steps (a branch, or an
op's check of its arguments) becomes a guard: replay checks it and runs that call eagerly when
it comes out different. Other Python side effects of fn (appending to a list, printing) happen
only while it is captured.
"""

from __future__ import annotations

import contextlib
import functools
import os
import traceback
import warnings
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from minigrad import creation, random
from minigrad.autograd import increment_version
from minigrad.function import Function, is_grad_enabled
from minigrad.nn.module import Module
from minigrad.optim.lr_scheduler import LRScheduler
from minigrad.optim.optimizer import Optimizer
from minigrad.tensor import Tensor


class CompileError(RuntimeError):
    """mg.compile(fullgraph=True) met something it cannot capture."""


# *** the tracing array ***
class _Traced(np.ndarray):
    """An ndarray whose operations are recorded by the active _Recorder (if any)."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return _recorder_or_plain().ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Callable, types: tuple, args: tuple, kwargs: dict) -> Any:
        return _recorder_or_plain().function(func, args, kwargs)

    def __array_finalize__(self, obj: Any) -> None:
        recorder = _Recorder.active
        if recorder is not None and not recorder.inside and self.base is None:
            recorder.refuse("an ndarray method that compile cannot record made a new array")

    def __setitem__(self, key: Any, value: Any) -> None:
        _recorder_or_plain().call(np.ndarray.__setitem__, (self, key, value), {}, writes=self)

    def __getitem__(self, key: Any) -> Any:
        return _recorder_or_plain().method(self, "__getitem__", (key,))

    def _value_to_python(self, kind: str, *args: Any) -> Any:
        """item(), float(), ...: the value leaves the tape, so the capture fails."""
        recorder = _Recorder.active
        if recorder is not None and not recorder.inside:
            name = {"__float__": "float", "__int__": "int", "__index__": "index"}.get(kind, kind)
            recorder.refuse(f"{name}() of a tensor value: the value reaches Python, so later "
                            "code can depend on it")
        return getattr(np.ndarray, kind)(self.view(np.ndarray), *args)

    def __bool__(self) -> bool:
        recorder = _Recorder.active
        if recorder is None or recorder.inside:
            return bool(self.view(np.ndarray))
        return recorder.branch(self)

    def item(self, *args: Any) -> Any:
        recorder = _Recorder.active
        if recorder is None or recorder.inside or args:
            return self._value_to_python("item", *args)
        return recorder.escape(self)

    def tolist(self) -> Any:
        return self._value_to_python("tolist")

    def __float__(self) -> float:
        return self._value_to_python("__float__")

    def __int__(self) -> int:
        return self._value_to_python("__int__")

    def __index__(self) -> int:
        return self._value_to_python("__index__")


def _method(name: str) -> Callable:
    """An ndarray method that numpy's dispatch does not see, recorded when it makes new values."""

    def recorded(self: _Traced, *args: Any, **kwargs: Any) -> Any:
        return _recorder_or_plain().method(self, name, args, kwargs)

    recorded.__name__ = name
    return recorded


for _name in ("astype", "copy", "reshape", "ravel", "flatten", "argmax", "argmin", "repeat",
              "take", "cumsum", "cumprod", "argsort", "nonzero", "dot", "squeeze", "transpose",
              "swapaxes", "diagonal", "round", "fill", "sort", "put"):
    setattr(_Traced, _name, _method(_name))


class _Plain:
    """Stands in for a recorder outside capture (or inside an optimizer's step): operations on
    a _Traced array run on its plain view and return plain arrays."""

    inside = True

    def ufunc(self, ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
        out = kwargs.get("out")
        result = getattr(ufunc, method)(*_plain(inputs), **_plain(kwargs))
        return result if out is None else (out[0] if len(out) == 1 else out)

    def function(self, func: Callable, args: tuple, kwargs: dict) -> Any:
        return func(*_plain(args), **_plain(kwargs))

    def call(self, func: Callable, args: tuple, kwargs: dict, writes: Any) -> Any:
        return func(*_plain(args), **_plain(kwargs))

    def method(self, array: _Traced, name: str, args: tuple, kwargs: dict | None = None) -> Any:
        return getattr(array.view(np.ndarray), name)(*_plain(args), **_plain(kwargs or {}))


_PLAIN = _Plain()


def _recorder_or_plain() -> Any:
    recorder = _Recorder.active
    return _PLAIN if recorder is None or recorder.inside else recorder


def _tree_map(fn: Callable[[Any], Any], value: Any) -> Any:
    """fn applied to every item of nested tuples, lists and dicts (arguments, outputs)."""
    if type(value) in (tuple, list):
        return type(value)([_tree_map(fn, v) for v in value])
    if type(value) is dict:
        return {k: _tree_map(fn, v) for k, v in value.items()}
    return fn(value)


def _tree_items(value: Any) -> list:
    """The items of nested tuples, lists and dicts, in order."""
    if type(value) in (tuple, list):
        return [a for v in value for a in _tree_items(v)]
    if type(value) is dict:
        return [a for v in value.values() for a in _tree_items(v)]
    return [value]


def _plain(value: Any) -> Any:
    """value with every _Traced array replaced by a plain ndarray view of the same memory, and
    every escaped .item() value by a plain number."""
    return _tree_map(lambda a: a.view(np.ndarray) if isinstance(a, _Traced) else
                     a.plain() if isinstance(a, _ESCAPED) else a, value)


class _EscapedFloat(float):
    """A number .item() took from a tensor during capture. Returning it is fine (replay returns
    the new value, copied at the same point of the step); any use of it in Python (arithmetic,
    comparison, formatting) fails the capture, since replay would not run that Python."""

    def __new__(cls, value: Any, recorder: _Recorder, snapshot: np.ndarray) -> Any:
        number = cls.__mro__[1].__new__(cls, value)
        number.value, number.recorder, number.snapshot = value, recorder, snapshot
        return number

    def plain(self) -> Any:
        return self.value


class _EscapedInt(int):
    __doc__ = _EscapedFloat.__doc__
    __new__, plain = _EscapedFloat.__new__, _EscapedFloat.plain


def _used_in_python(name: str) -> Callable:
    def method(self: Any, *args: Any) -> Any:
        recorder = self.recorder
        if recorder is _Recorder.active and not recorder.inside:
            recorder.refuse(f"the number .item() took from a tensor is used in Python ({name}):"
                            " replay would not run that code")
        return getattr(type(self).__mro__[1], name)(self.value, *args)
    return method


_ESCAPED = (_EscapedFloat, _EscapedInt)
for _cls in _ESCAPED:
    for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
                  "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
                  "__rmod__", "__divmod__", "__rdivmod__", "__pow__", "__rpow__", "__neg__",
                  "__pos__", "__abs__", "__lt__", "__le__", "__gt__", "__ge__", "__eq__",
                  "__ne__", "__bool__", "__int__", "__float__", "__index__", "__round__",
                  "__trunc__", "__floor__", "__ceil__", "__format__", "__str__", "__repr__",
                  "__hash__", "__and__", "__rand__", "__or__", "__ror__", "__xor__", "__rxor__",
                  "__lshift__", "__rlshift__", "__rshift__", "__rrshift__", "__invert__",
                  "is_integer", "as_integer_ratio", "bit_length", "hex", "conjugate"):
        if hasattr(_cls.__mro__[1], _name):
            setattr(_cls, _name, _used_in_python(_name))


def _traced_in(value: Any) -> list[_Traced]:
    return [a for a in _tree_items(value) if isinstance(a, _Traced)]


def _arrays_in(value: Any) -> list[np.ndarray]:
    return [a for a in _tree_items(value) if isinstance(a, np.ndarray)]


def _arrays_of(leaves: Any) -> list[np.ndarray]:
    """The arrays of the tensors and arrays a call was given (see _leaves)."""
    return [a.array if isinstance(a, Tensor) else a for a in leaves]


def _leaves(value: Any) -> list:
    """The tensors and arrays in arguments, in the order _traced_argument meets them."""
    return [a for a in _tree_items(value) if isinstance(a, (Tensor, np.ndarray))]


def _move_views(value: Any, old: np.ndarray, new: np.ndarray) -> Any:
    """value with every array on old's memory (old is a whole buffer) replaced by the same view
    of new, a buffer of old's shape, dtype and layout."""
    def moved(a: Any) -> Any:
        if not isinstance(a, np.ndarray) or _root(a) is not old:
            return a
        if _alias(a, old):
            return new
        memory = new.reshape(-1, order="A").view(np.uint8)  # its bytes, in either order
        return np.ndarray(a.shape, a.dtype, buffer=memory, offset=_address(a) - _address(old),
                          strides=a.strides)
    return _tree_map(moved, value)


# *** recording ***
class _Slot:
    """A buffer of the tape, as it appears in a kernel's arguments (compared between captures)."""

    __slots__ = ("number",)

    def __init__(self, number: int) -> None:
        self.number = number

    def __eq__(self, other: object) -> bool:
        return type(other) is _Slot and other.number == self.number

    def __hash__(self) -> int:
        return self.number


class _Kernel:
    """One recorded numpy call: func(*args, **kwargs) with its arrays prebound."""

    __slots__ = ("func", "args", "kwargs", "template", "name")

    def __init__(self, func: Callable, args: tuple, kwargs: dict, template: tuple,
                 name: str) -> None:
        self.func, self.args, self.kwargs, self.template, self.name = (func, args, kwargs,
                                                                       template, name)

    def bound(self) -> Callable[[], Any]:
        return _call(self.func, self.args, self.kwargs)


def _call(func: Callable, args: tuple, kwargs: dict) -> Callable[[], Any]:
    """func(*args, **kwargs) as a call without arguments. An elementwise ufunc whose only
    keyword is out= gets it positionally, and is called itself rather than through its
    __call__: numpy parses that about half a microsecond quicker, on most of a step's kernels."""
    ufunc = getattr(func, "__self__", None)
    if (isinstance(ufunc, np.ufunc) and func.__name__ == "__call__" and len(args) == ufunc.nin
            and kwargs.keys() == {"out"} and type(kwargs["out"]) is tuple):
        if ufunc in (np.maximum, np.minimum):  # numpy 2.4 deprecates their positional out
            return functools.partial(ufunc, *args, out=kwargs["out"])
        return functools.partial(ufunc, *args, *kwargs["out"])
    return functools.partial(func, *args, **kwargs)


def _assign(out: np.ndarray, func: Callable, *args: Any, **kwargs: Any) -> None:
    """out[...] = func(...): for numpy calls that cannot write into `out=` themselves."""
    out[...] = func(*args, **kwargs)


def _copy_reshaped(out: np.ndarray, array: np.ndarray) -> None:
    """out[...] = array.reshape(out.shape) (or ravel(), flatten(), copy()) where that copies:
    straight into out, in the same C order, instead of into a new array first."""
    np.copyto(out.reshape(array.shape), array)


def _method_into(out: np.ndarray, name: str, array: np.ndarray, *args: Any, **kwargs: Any) -> None:
    out[...] = getattr(array, name)(*args, **kwargs)


def _draw(out: np.ndarray, name: str, *args: Any, **kwargs: Any) -> None:
    """A random draw from minigrad's generator, fresh on every replay (the generator is looked
    up each time, so mg.manual_seed between calls is followed)."""
    out[...] = getattr(creation.generator(), name)(*args, **kwargs)


class _BranchGuard(Exception):
    """A bool() that decided a branch during capture came out different in replay."""


def _check_branch(array: np.ndarray, expected: bool) -> None:
    if bool(array) != expected:
        raise _BranchGuard


_FUNCTIONS_WITH_OUT = {np.sum, np.dot, np.concatenate, np.take, np.einsum, np.clip, np.cumsum,
                       np.mean, np.max, np.min, np.amax, np.amin, np.prod, np.stack,
                       np.round, np.around, np.matmul}

# array makers recorded as a fill of their buffer (the value; empty_like's: none)
_FILLS = {np.zeros_like: 0, np.ones_like: 1, np.full_like: None, np.empty_like: None}

# numpy functions whose result depends on shapes, dtypes or memory, never on values
_METADATA = {np.may_share_memory, np.shares_memory, np.shape, np.ndim, np.size, np.result_type,
             np.iscomplexobj, np.isrealobj, np.min_scalar_type, np.can_cast}

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _user_line() -> str:
    """file:line of the innermost frame outside minigrad, for messages."""
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return f" ({os.path.basename(frame.filename)}:{frame.lineno}: {frame.line})"
    return ""


class _Recorder:
    """Records the kernels of one eager call of fn while it runs."""

    active: _Recorder | None = None

    def __init__(self) -> None:
        self.kernels: list[_Kernel] = []
        self.slots: dict[int, int] = {}  # id(traced or written plain array) -> slot number
        self.arrays: list[np.ndarray] = []  # slot number -> plain array (keeps them alive)
        self.traced: dict[int, np.ndarray] = {}  # plain arrays a kernel writes, now buffers
        self.inside = False  # True while running a kernel or an optimizer call
        self.reason: str | None = None  # why this call cannot be captured
        self.mutated = False  # an optimizer stepped (so a failed guard could not be undone)
        # tensors are keyed by id (== on Tensors is elementwise)
        self.adopted: dict[int, tuple[Tensor, np.ndarray]] = {}  # outside tensor, own array
        self.params: list[Tensor] = []  # adopted leaves that require grad
        self.entry_grads: dict[int, Tensor | None] = {}  # their .grad when first seen
        self.written: dict[int, Tensor] = {}  # adopted tensors a kernel writes
        self.created: dict[int, weakref.ref] = {}  # tensors made during the call
        self.alive: list[np.ndarray] = []  # every array given a slot or made a buffer
        self.made: set[int] = set()  # ids of the arrays that own the buffers kernels made
        self.written_roots: set[int] = set()  # ids of the traced arrays' roots kernels write
        self.modules: dict[int, tuple[Module, bool]] = {}  # modules called, and their mode

    @contextlib.contextmanager
    def untraced(self) -> Iterator[None]:
        """Inside, operations on traced arrays run on plain arrays and are not recorded (the
        recorder's own numpy calls, an optimizer's step)."""
        inside, self.inside = self.inside, True
        try:
            yield
        finally:
            self.inside = inside

    # -- what fails the capture
    def refuse(self, why: str) -> None:
        if self.reason is None:
            self.reason = why + _user_line()

    def escape(self, array: _Traced) -> Any:
        """.item() during capture: the number, marked (_EscapedFloat), and a kernel that copies
        the value where replay reads it back when the step returns it."""
        value = np.ndarray.item(array.view(np.ndarray))
        kind = {float: _EscapedFloat, int: _EscapedInt}.get(type(value))
        if kind is None:
            self.refuse(f"item() of a {type(value).__name__} tensor value: the value reaches "
                        "Python, so later code can depend on it")
            return value
        snapshot = self.new_buffer(np.array(array.view(np.ndarray)))
        self.add(np.copyto, (snapshot, array), {}, "item")
        return kind(value, self, snapshot)

    def branch(self, array: _Traced) -> bool:
        value = bool(array.view(np.ndarray))
        if self.mutated:
            self.refuse("bool() of a tensor value after parameters changed (a Python branch "
                        "on data)")
        else:
            self.add(_check_branch, (array, value), {}, "branch guard")
        return value

    # -- slots and templates
    def slot(self, array: np.ndarray) -> int:
        """The slot number of a buffer (a traced array, or a plain one a kernel writes)."""
        key = id(array)
        number = self.slots.get(key)
        if number is None:
            number = self.slots[key] = len(self.arrays)
            self.arrays.append(array.view(np.ndarray) if isinstance(array, _Traced) else array)
            self.alive.append(array)  # ids stay unique while the recorder lives
        return number

    def bind(self, value: Any) -> tuple[Any, Any]:
        """(the value to prebind, its template): arrays the tape tracks become slots; other
        values are constants, compared by value between captures."""
        if isinstance(value, _Traced) or (isinstance(value, np.ndarray) and
                                          id(value) in self.traced):
            number = self.slot(value)
            return self.arrays[number], _Slot(number)
        if type(value) in (tuple, list):
            pairs = [self.bind(v) for v in value]
            return type(value)(p[0] for p in pairs), ("seq", tuple(p[1] for p in pairs))
        if type(value) is dict:
            pairs = {k: self.bind(v) for k, v in value.items()}
            return ({k: p[0] for k, p in pairs.items()},
                    ("dict", tuple((k, p[1]) for k, p in pairs.items())))
        if isinstance(value, np.ndarray):
            return value, ("const", value.copy())
        if isinstance(value, _ESCAPED):
            self.refuse("the number .item() took from a tensor is used in a tensor op")
            value = value.plain()
        return value, ("const", value)

    def add(self, func: Callable, args: tuple, kwargs: dict, name: str) -> None:
        bound_args, args_template = self.bind(args)
        bound_kwargs, kwargs_template = self.bind(kwargs)
        self.kernels.append(_Kernel(func, bound_args, bound_kwargs,
                                    (func, args_template, kwargs_template), name))

    def new_buffer(self, result: Any) -> _Traced:
        """A value a kernel made, as a _Traced array of the tape (a 0-d array for scalars)."""
        array = np.asarray(result) if not isinstance(result, np.ndarray) else result
        if array.base is not None:
            array = array.copy()  # a buffer owns its memory
        self.made.add(id(array))
        with self.untraced():
            traced = array.view(_Traced)
        self.alive.append(traced)
        return traced

    def note_write(self, target: Any) -> None:
        """A kernel writes target: plain arrays become buffers, re-initialised from their
        contents before the first write (a fresh np.zeros inside an op)."""
        if isinstance(target, _Traced):
            self.written_roots.add(id(_root(target)))
            owner = self._owner(target)
            if owner is not None:
                self.written[id(owner)] = owner
            return
        if isinstance(target, np.ndarray) and id(target) not in self.traced:
            self.traced[id(target)] = target  # from now on a buffer of the tape
            self.add(np.copyto, (target, target.copy()), {}, "initial value")

    def _owner(self, array: np.ndarray) -> Tensor | None:
        for t, own in self.adopted.values():
            if np.may_share_memory(array, own):
                return t
        return None

    # -- the dispatch entry points (see _Traced)
    def ufunc(self, ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
        out = kwargs.pop("out", None)
        if method == "at":
            self.note_write(inputs[0])
            self.call(getattr(ufunc, method), inputs, kwargs, writes=None)
            return None
        with self.untraced():
            result = getattr(ufunc, method)(*_plain(inputs), **_plain(kwargs),
                                            **({} if out is None else {"out": _plain(out)}))
        if out is None:
            results = result if type(result) is tuple else (result,)
            out = tuple(self.new_buffer(r) for r in results)
            result = out if type(result) is tuple else out[0]
        else:
            for o in out:
                self.note_write(o)
            result = out[0] if len(out) == 1 else out
        self.add(getattr(ufunc, method), inputs, {**kwargs, "out": out}, ufunc.__name__)
        return result

    def function(self, func: Callable, args: tuple, kwargs: dict) -> Any:
        if func is np.copyto:
            return self.call(func, args, kwargs, writes=args[0])
        with self.untraced():
            result = func(*_plain(args), **_plain(kwargs))
        if not isinstance(result, (np.ndarray, np.generic)):
            if result is not None and func not in _METADATA:
                self.refuse(f"np.{func.__name__} returned a Python value computed from tensors")
            return result
        view = self._as_view(result, (args, kwargs))
        if view is not None:
            return view
        buffer = self.new_buffer(result)
        fill = _FILLS.get(func)
        if fill is not None and (func is not np.full_like or not isinstance(
                args[1] if len(args) > 1 else kwargs.get("fill_value"), np.ndarray)):
            value = fill if func is not np.full_like else (
                args[1] if len(args) > 1 else kwargs["fill_value"])
            if func is not np.empty_like:  # its contents are anything: no kernel
                self.add(np.ndarray.fill, (buffer, value), {}, func.__name__)
        elif func in _FUNCTIONS_WITH_OUT and "out" not in kwargs:
            self.add(func, args, {**kwargs, "out": buffer}, func.__name__)
        else:
            self.add(_assign, (buffer, func, *args), kwargs, func.__name__)
        return buffer

    def method(self, array: _Traced, name: str, args: tuple, kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        if name in ("fill", "sort", "put"):
            return self.call(getattr(np.ndarray, name), (array, *args), kwargs, writes=array)
        with self.untraced():
            result = getattr(array.view(np.ndarray), name)(*_plain(args), **_plain(kwargs))
        if type(result) is tuple:  # nonzero
            buffers = tuple(self.new_buffer(r) for r in result)
            for k, b in enumerate(buffers):
                self.add(_assign, (b, lambda *a, k=k, **kw: np.ndarray.nonzero(*a, **kw)[k],
                                   array), {}, name)
            return buffers
        view = self._as_view(result, (array, args))
        if view is not None:
            return view
        buffer = self.new_buffer(result)
        plain = not kwargs and not any(isinstance(a, str) for a in args)  # no order='F' etc.
        if plain and name in ("reshape", "ravel", "flatten", "copy"):  # one copy, not two
            self.add(_copy_reshaped, (buffer, array), {}, name)
        elif name == "astype" and len(args) == 1 and set(kwargs) <= {"copy", "order"}:
            self.add(np.copyto, (buffer, array), {"casting": "unsafe"}, name)  # cast into it
        else:
            self.add(_method_into, (buffer, name, array, *args), kwargs, name)
        return buffer

    def call(self, func: Callable, args: tuple, kwargs: dict, writes: Any) -> Any:
        """A call that writes into an array it is given (np.copyto, x[i] = v, ufunc.at)."""
        if writes is not None:
            self.note_write(writes)
        with self.untraced():
            result = func(*_plain(args), **_plain(kwargs))
        self.add(func, args, kwargs, getattr(func, "__name__", "call"))
        return result

    def _as_view(self, result: Any, sources: Any) -> _Traced | None:
        """result as a _Traced view when it shares memory with a traced source (no kernel
        needed: the view stays valid because the buffers do)."""
        if not isinstance(result, np.ndarray):
            return None
        for source in _traced_in(sources):
            if np.may_share_memory(result, source):
                return self.traced_view(result)
        return None

    def grad_state(self) -> tuple[tuple, tuple]:
        """Each parameter's .grad now: None, a buffer of the tape, or _KEEP (as it came into
        the call, or made by an optimizer call, which replay runs too), with its template."""
        pairs, template = [], []
        for p in self.params:
            g = p._grad
            if g is self.entry_grads[id(p)]:
                pairs.append((p, _KEEP))
                template.append(_KEEP)
            elif g is None:
                pairs.append((p, None))
                template.append(None)
            elif isinstance(g.array, _Traced):
                array, slot = self.bind(g.array)
                pairs.append((p, array))
                template.append(slot)
            else:
                pairs.append((p, _KEEP))
                template.append(_KEEP)
        return tuple(pairs), tuple(template)

    # -- tensors from outside the call
    def adopt(self, args: tuple) -> None:
        """Give the tensors an op reads from outside the call a traced view of their array."""
        for t in args:
            if not isinstance(t, Tensor) or isinstance(t.array, _Traced):
                continue
            if id(t.array) in self.traced:
                t.array = self.traced_view(t.array)
                continue
            if id(t) in self.created or id(t) in self.adopted:
                continue  # a constant made during the call: compared between captures
            if t._hooks:
                self.refuse("a tensor with hooks (register_hook)")
            if any(t is p._grad for p in self.params):
                self.refuse("fn adds to .grad left by an earlier call (call zero_grad() in fn)")
            self.adopted[id(t)] = (t, t.array)
            if t.requires_grad and t.grad_fn is None:
                self.params.append(t)
                self.entry_grads[id(t)] = t._grad
            t.array = self.traced_view(t.array)

    def traced_view(self, array: np.ndarray) -> _Traced:
        """The same memory as a _Traced array (no kernel: nothing is computed)."""
        with self.untraced():
            return array.view(_Traced)

    def wrap_made(self, data: Any) -> Any:
        """Tensor._make during capture: a plain view of a traced buffer (np.asarray strips the
        subclass) becomes traced again."""
        if type(data) is np.ndarray:
            base = data
            while isinstance(base, np.ndarray):
                if isinstance(base, _Traced) or id(base) in self.traced:
                    return self.traced_view(data)
                base = base.base
        return data

    def restore(self) -> None:
        """Give outside tensors back their own arrays, and plain arrays to what was made."""
        for t, own in self.adopted.values():
            t.array = own
        for ref in self.created.values():
            t = ref()
            if t is None:
                continue
            if isinstance(t.array, _Traced):
                t.array = t.array.view(np.ndarray)
            g = t._grad
            if g is not None and isinstance(g.array, _Traced):
                g.array = g.array.view(np.ndarray)
        for p in self.params:
            g = p._grad
            if g is not None and isinstance(g.array, _Traced):
                g.array = g.array.view(np.ndarray)


# *** optimizer calls, gradients and random draws ***
_KEEP = "keep"  # a parameter's .grad that the call did not change


def _set_grads(pairs: tuple) -> None:
    """Give each parameter the .grad it had at this point of the captured call: None, or a
    Tensor on a buffer of the tape (the same Tensor on every replay, see _grad_tensors)."""
    for p, g in pairs:
        if g is not _KEEP:
            p._grad = g


def _grad_tensors(kernels: list[_Kernel]) -> None:
    """Turn the grad buffers in the kernels that set .grad into Tensors, one per buffer, made
    once here rather than on every replay."""
    made: dict[int, Tensor] = {}
    for k in kernels:
        if k.func in (_set_grads, _optimizer_call):
            pairs = tuple((p, made.setdefault(id(g), Tensor._make(g))
                           if isinstance(g, np.ndarray) else g) for p, g in k.args[0])
            k.args = (pairs, *k.args[1:])


def _optimizer_call(pairs: tuple, method: Callable, optimizer: Optimizer) -> None:
    _set_grads(pairs)
    method(optimizer)


class _RecordingGenerator:
    """Stands for minigrad's generator during capture: each draw is a kernel of the tape."""

    def __init__(self, real: np.random.Generator, recorder: _Recorder) -> None:
        self._real, self._recorder = real, recorder

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._real, name)
        if not callable(attribute) or name.startswith("_") or name == "spawn":
            return attribute

        def draw(*args: Any, **kwargs: Any) -> Any:
            value = attribute(*args, **kwargs)
            if not isinstance(value, np.ndarray):
                self._recorder.refuse(f"a random Python number (generator().{name})")
                return value
            buffer = self._recorder.new_buffer(value)
            self._recorder.add(_draw, (buffer, name, *args), kwargs, f"random.{name}")
            return buffer

        return draw


class _Patches:
    """The entry points compile wraps while it captures, restored afterwards."""

    def __init__(self, recorder: _Recorder) -> None:
        self.recorder = recorder
        self.saved: list[tuple[Any, str, Any]] = []

    def set(self, owner: Any, name: str, value: Any) -> None:
        self.saved.append((owner, name, owner.__dict__[name] if isinstance(owner, type)
                           else getattr(owner, name)))
        setattr(owner, name, value)

    def __enter__(self) -> None:
        recorder = self.recorder
        apply, make = Function.__dict__["apply"], Tensor.__dict__["_make"]

        def recorded_apply(cls: type, *args: Any, **kwargs: Any) -> Any:
            if not recorder.inside:
                recorder.adopt(args)
            return apply.__func__(cls, *args, **kwargs)

        def recorded_make(cls: type, data: Any, requires_grad: bool = False,
                          into: Tensor | None = None) -> Tensor:
            t = make.__func__(cls, recorder.wrap_made(data), requires_grad, into)
            recorder.created[id(t)] = weakref.ref(t)
            return t

        def refused(name: str, what: str, owner: type = Tensor) -> Callable:
            original = getattr(owner, name)

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                recorder.refuse(what)
                return original(*args, **kwargs)
            return wrapper

        module_call = Module.__call__

        def module_call_checked(module: Module, *args: Any, **kwargs: Any) -> Any:
            hooks = module.__dict__
            for kind in ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks",
                         "_backward_pre_hooks"):
                if hooks.get(kind):
                    recorder.refuse(f"a {kind[1:-1].replace('_', ' ')} on "
                                    f"{type(module).__name__}")
            recorder.modules[id(module)] = (module, module.training)
            recorder.adopt(tuple(module.buffers()))  # running statistics are written in place
            return module_call(module, *args, **kwargs)

        self.set(Function, "apply", classmethod(recorded_apply))
        self.set(Tensor, "_make", classmethod(recorded_make))
        self.set(Tensor, "register_hook", refused("register_hook", "a hook (register_hook)"))
        self.set(Tensor, "retain_grad", refused("retain_grad", "retain_grad()"))
        for name in ("manual_seed", "seed", "set_state"):  # replay would not reseed
            self.set(random.Generator, name, refused(name, f"Generator.{name}() inside the "
                                                     "step", random.Generator))
        self.set(Module, "__call__", module_call_checked)
        for cls in _subclasses(Optimizer):
            for name in ("step", "zero_grad"):
                if name in cls.__dict__:
                    self.set(cls, name, self._optimizer_method(cls.__dict__[name]))
        for cls in _subclasses(LRScheduler):
            if "step" in cls.__dict__:
                self.set(cls, "step", self._scheduler_method(cls.__dict__["step"]))
        default = random.default_generator  # behind creation.generator(): dropout, rand, ...
        self.set(default, "numpy", _RecordingGenerator(default.numpy, recorder))
        for name in ("asarray", "array", "ascontiguousarray"):
            self.set(np, name, _keeping_traced(getattr(np, name), copies=name == "array"))

    def _optimizer_method(self, method: Callable) -> Callable:
        recorder = self.recorder

        @functools.wraps(method)
        def recorded(optimizer: Optimizer, *args: Any, **kwargs: Any) -> Any:
            if recorder.inside:
                return method(optimizer, *args, **kwargs)
            if args or kwargs:
                recorder.refuse(f"{method.__name__}() with arguments")
            recorder.adopt(tuple(p for group in optimizer.param_groups for p in group["params"]))
            pairs, template = recorder.grad_state()
            recorder.mutated = recorder.mutated or method.__name__ == "step"
            with recorder.untraced():  # the optimizer runs on plain arrays, unrecorded
                result = method(optimizer, *args, **kwargs)
            recorder.kernels.append(_Kernel(_optimizer_call, (pairs, method, optimizer), {},
                                            (method, template, id(optimizer)),
                                            f"{type(optimizer).__name__}.{method.__name__}"))
            return result
        return recorded

    def _scheduler_method(self, method: Callable) -> Callable:
        """A learning-rate scheduler's step() is Python that sets the groups' lr: recorded as a
        call, which replay makes again."""
        recorder = self.recorder

        @functools.wraps(method)
        def recorded(scheduler: LRScheduler, *args: Any, **kwargs: Any) -> Any:
            if recorder.inside:
                return method(scheduler, *args, **kwargs)
            name = f"{type(scheduler).__name__}.step"
            if any(isinstance(a, (Tensor, np.ndarray)) for a in _tree_items((args, kwargs))):
                recorder.refuse(f"{name}() of a tensor value (the value reaches Python)")
            recorder.mutated = True  # a failed guard after it would rerun fn: a second step
            with recorder.untraced():
                result = method(scheduler, *args, **kwargs)
            recorder.kernels.append(_Kernel(method, (scheduler, *args), kwargs, (
                method, id(scheduler), args, tuple(kwargs.items())), name))
            return result
        return recorded

    def __exit__(self, *exc: object) -> None:
        for owner, name, value in reversed(self.saved):
            setattr(owner, name, value)


def _keeping_traced(convert: Callable, copies: bool) -> Callable:
    """np.asarray / np.array / np.ascontiguousarray as minigrad's ops call them during
    capture: a traced array stays traced (they would return a plain view or copy, and what is
    computed on it afterwards would go unrecorded); a copy or a dtype change is a kernel."""

    contiguous = convert is np.ascontiguousarray  # (np's name is the patched one in capture)

    @functools.wraps(convert)
    def converted(a: Any, dtype: Any = None, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(a, _Traced) or args or set(kwargs) - {"copy", "order"}:
            return convert(a, dtype, *args, **kwargs)
        order = "C" if contiguous else kwargs.get("order") or "K"
        fits = {"C": a.flags.c_contiguous, "F": a.flags.f_contiguous}.get(order, True)
        if dtype is None or np.dtype(dtype) == a.dtype:
            return a.copy(order=order) if kwargs.get("copy", copies) or not fits else a
        return a.astype(dtype, order=order)
    return converted


def _subclasses(base: type) -> list[type]:
    classes, todo = [], [base]
    while todo:
        cls = todo.pop()
        classes.append(cls)
        todo.extend(cls.__subclasses__())
    return classes




# *** the tape and the compiled function ***
class _Tape:
    """One captured call: its kernels, buffers and guards."""

    def __init__(self, recorder: _Recorder, inputs: list[np.ndarray], output: Any,
                 entry_grads: dict[Tensor, bool]) -> None:
        pairs, grads_template = recorder.grad_state()
        self.output = _output_spec(output, recorder)
        kernels = [*recorder.kernels, _Kernel(_set_grads, (pairs,), {}, (), "set grads")]
        protected = [*inputs, *_arrays_in(self.output)]
        self.folded = _fold_negations(kernels, recorder.made, protected)
        self.reused = _reuse_buffers(kernels, recorder.made, protected)
        _grad_tensors(kernels)
        self.kernels = [k.bound() for k in kernels]
        # kernels that read an input, to be bound to the caller's arrays (None: always copy)
        # inputs fn writes into: copied in, and back out after the kernels (as eager writes
        # the caller's array), never read in place (a failed guard reruns fn eagerly)
        self.written_inputs = [n for n, b in enumerate(inputs)
                               if id(_root(b)) in recorder.written_roots]
        self.readers = _input_readers(kernels, inputs, self.output, self.written_inputs)
        self.bound = list(inputs)  # the arrays the kernels read the inputs from now
        if recorder.written:
            self.kernels.append(functools.partial(increment_version,
                                                  *recorder.written.values()))
        self.template = ([k.template for k in recorder.kernels], grads_template,
                         list(recorder.adopted))
        self.names = [k.name for k in recorder.kernels]
        self.inputs = inputs
        self.adopted = tuple(recorder.adopted.values())
        self.modes = tuple(recorder.modules.values())
        self.need_none = tuple(p for p, was_none in entry_grads.items() if was_none)
        self.params = list(recorder.params)
        # a failed guard must undo what kernels wrote into outside tensors before it
        guarded = any(k.func is _check_branch for k in recorder.kernels)
        self.undo = [own for t, own in self.adopted if guarded and id(t) in recorder.written]
        roots = {id(r): r for r in map(_root, [*protected, *_arrays_in([(k.args, k.kwargs)
                                                                         for k in kernels])])}
        self.buffers = [r for key, r in roots.items() if key in recorder.made or any(
            r is _root(i) for i in inputs)]  # what the tape allocated (not the parameters)
        self.buffer_ids = {id(b) for b in self.buffers}
        self.verified = False

    def guards_hold(self) -> bool:
        for t, array in self.adopted:
            if t.array is not array:
                return False
        for p in self.need_none:
            if p._grad is not None:
                return False
        for module, training in self.modes:
            if module.training is not training:
                return False
        return True

    def replay(self, arrays: list[np.ndarray]) -> Any:
        """Run the kernels on new inputs; raises _BranchGuard, with outside tensors as they
        were, when a guarded branch goes the other way."""
        self._bind_inputs(arrays)
        saved = [a.copy() for a in self.undo]
        try:
            with np.errstate(all="ignore"):  # eager's ops silence numpy's float warnings
                for kernel in self.kernels:  # where torch has none (exp overflow in sigmoid)
                    kernel()
        except _BranchGuard:
            for own, copy in zip(self.undo, saved):
                np.copyto(own, copy)
            raise
        for n in self.written_inputs:
            np.copyto(arrays[n], self.inputs[n])
        return _build_output(self.output)

    def _bind_inputs(self, arrays: list[np.ndarray]) -> None:
        """Let the kernels read a large input from the caller's array when it has the buffer's
        layout (at batch 1024 the images' copy was a tenth of the step), else copy it into the
        tape's buffer. An array on a buffer of the tape (last call's .grad, say) is copied: the
        kernels overwrite it while they run."""
        for n, (buffer, array, readers) in enumerate(zip(self.inputs, arrays, self.readers)):
            source = (array if readers is not None and array.strides == buffer.strides
                      and id(_root(array)) not in self.buffer_ids else buffer)
            if source is buffer:
                np.copyto(buffer, array)
            if source is not self.bound[n]:
                self.bound[n] = source
                for reader in readers or ():
                    self.kernels[reader.index] = reader.bind(self.bound)

    def nbytes(self) -> int:
        """Bytes of the buffers the tape allocated (inputs and intermediates)."""
        return sum(b.nbytes for b in self.buffers)


# *** inputs read from the caller's arrays ***
class _InputView:
    """Where a kernel reads input number n: a view of it (offset in bytes, shape, strides, dtype),
    rebuilt on whichever array holds the input in this call."""

    __slots__ = ("n", "offset", "shape", "strides", "dtype", "whole")

    def __init__(self, n: int, view: np.ndarray, buffer: np.ndarray) -> None:
        self.n, self.offset = n, _address(view) - _address(buffer)
        self.shape, self.strides, self.dtype = view.shape, view.strides, view.dtype
        self.whole = _alias(view, buffer)

    def on(self, arrays: list[np.ndarray]) -> np.ndarray:
        array = arrays[self.n]
        if self.whole:
            return array
        return np.ndarray(self.shape, self.dtype, buffer=array, offset=self.offset,
                          strides=self.strides)


class _Reader:
    """A kernel that reads an input: its call, made once with _InputViews where the arguments
    hold the input, and rebuilt on each call's arrays (every step, as a new batch comes in)."""

    __slots__ = ("index", "call", "spots", "keys")

    def __init__(self, index: int, kernel: _Kernel, args: tuple, kwargs: dict) -> None:
        self.index, self.call = index, _call(kernel.func, args, kwargs)
        self.spots = [i for i, a in enumerate(self.call.args) if _has_view(a)]
        self.keys = [k for k, v in self.call.keywords.items() if _has_view(v)]

    def bind(self, arrays: list[np.ndarray]) -> Callable[[], Any]:
        call, args = self.call, list(self.call.args)
        for i in self.spots:
            args[i] = _resolve(args[i], arrays)
        if not self.keys:
            return functools.partial(call.func, *args, **call.keywords)
        kwargs = {**call.keywords, **{k: _resolve(call.keywords[k], arrays) for k in self.keys}}
        return functools.partial(call.func, *args, **kwargs)


_READ_IN_PLACE = 1 << 16  # bytes: smaller inputs are copied, quicker than rebinding kernels


def _input_readers(kernels: list[_Kernel], inputs: list[np.ndarray], output: Any,
                   written: list[int]) -> list[list[_Reader] | None]:
    """For each input, the kernels that read it, or None when it is always copied into its
    buffer: a small input, one fn writes into, or one reached some other way (returned, or
    nested deeper than a tuple in a kernel's arguments)."""
    roots = {id(_root(b)): n for n, b in enumerate(inputs)}

    def input_of(a: Any) -> int | None:
        return roots.get(id(_root(a))) if isinstance(a, np.ndarray) else None

    def marked(a: Any) -> Any:
        n = input_of(a)
        if n is not None:
            return _InputView(n, a, inputs[n])
        if type(a) in (tuple, list) and any(input_of(v) is not None for v in a):
            return type(a)(marked(v) for v in a)
        return a

    readers: list[list[_Reader] | None] = [
        [] if b.nbytes >= _READ_IN_PLACE and n not in written else None
        for n, b in enumerate(inputs)]
    for a in _arrays_in(output):
        if input_of(a) is not None:
            readers[input_of(a)] = None
    for index, kernel in enumerate(kernels):
        found = [input_of(a) for a in _arrays_in((kernel.args, kernel.kwargs))]
        if found.count(None) == len(found):
            continue
        args = tuple(marked(a) for a in kernel.args)
        kwargs = {k: marked(v) for k, v in kernel.kwargs.items()}
        views = [v.n for v in _tree_items((args, kwargs)) if type(v) is _InputView]
        reader = _Reader(index, kernel, args, kwargs)
        for n in set(found) - {None}:
            if found.count(n) != views.count(n) or readers[n] is None:
                readers[n] = None  # nested deeper than a tuple: copy
            else:
                readers[n].append(reader)
    return readers


def _has_view(value: Any) -> bool:
    return type(value) is _InputView or (type(value) in (tuple, list) and any(
        type(v) is _InputView for v in value))


def _resolve(value: Any, arrays: list[np.ndarray]) -> Any:
    if type(value) is _InputView:
        return value.on(arrays)
    if type(value) in (tuple, list):
        return type(value)(v.on(arrays) if type(v) is _InputView else v for v in value)
    return value


# *** buffers shared where their lives do not overlap ***
def _reuse_buffers(kernels: list[_Kernel], made: set[int], protected: list[np.ndarray]) -> int:
    """Give a kernel's new result (and every view later kernels take of it) the memory of a
    buffer of the same shape and dtype that nothing reads afterwards: one whose last use came
    before, or, for an elementwise ufunc, one of its own inputs (sigmoid's exp(-x) goes into
    -x's buffer). The numbers do not change:
    numpy computes an elementwise op in place exactly as into another array. Fewer buffers keep
    the step in cache, as eager numpy's allocator does by handing freed memory out again.
    protected arrays (inputs, outputs) keep their own memory. Returns how many buffers it
    saved."""
    uses = [{id(_root(a)) for a in _arrays_in((k.args, k.kwargs))} for k in kernels]
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    roots: dict[int, np.ndarray] = {}
    for i, kernel in enumerate(kernels):
        for a in _arrays_in((kernel.args, kernel.kwargs)):
            roots.setdefault(id(_root(a)), _root(a))
        for r in uses[i]:
            first.setdefault(r, i)
            last[r] = i
    fixed = {id(_root(a)) for a in protected}
    saved = 0
    for i, kernel in enumerate(kernels):
        out = _result(kernel)
        if out is None:
            continue
        o = id(_root(out))
        if o in fixed or first.get(o) != i or not _owned_whole(out, made):
            continue  # not new here
        own_inputs = ({id(a) for a in kernel.args if isinstance(a, np.ndarray)}
                      if _elementwise_out(kernel) is not None else set())
        free = [r for r, root in roots.items() if r != o and r in made and r not in fixed
                and root.shape == out.shape and root.dtype == out.dtype
                and root.strides == out.strides and first[r] < i
                and (last[r] < i or (last[r] == i and any(
                    id(a) in own_inputs and _alias(a, root)
                    for a in _arrays_in(kernel.args)) and not _reads_through_view(kernel, r)))]
        if not free:
            continue
        r = max(free, key=lambda r: last[r])  # the most recently used: likely still in cache
        old = roots[o]
        for k in kernels[i:]:  # every view of the new result moves with it
            k.args, k.kwargs = (_move_views(k.args, old, roots[r]),
                                _move_views(k.kwargs, old, roots[r]))
        last[r] = last.pop(o)
        del first[o], roots[o]
        saved += 1
    return saved


def _fold_negations(kernels: list[_Kernel], made: set[int], protected: list[np.ndarray]) -> int:
    """Rewrite u = a + b followed by v = -u, when nothing reads u afterwards, as v = (-b) - a
    with b the smaller operand: a bias add and sigmoid's negation become one pass over the layer's
    output and one over the bias. Rounding is symmetric, so the values are the same (only a
    zero sum can come out as +0 instead of -0). Returns how many it folded."""
    last: dict[int, int] = {}  # the last kernel that uses each buffer
    for i, kernel in enumerate(kernels):
        for a in _arrays_in((kernel.args, kernel.kwargs)):
            last[id(_root(a))] = i
    fixed = {id(_root(a)) for a in protected}
    folded = 0
    for i, (add, neg) in enumerate(zip(kernels, kernels[1:])):
        u = _elementwise_out(add)  # (u may be a itself: Linear adds its bias in place)
        if (u is None or add.func != np.add.__call__ or neg.func != np.negative.__call__
                or _elementwise_out(neg) is None or neg.args[0] is not u
                or last[id(_root(u))] != i + 1 or id(_root(u)) in fixed):
            continue
        a, b = add.args
        if not (type(a) is np.ndarray and type(b) is np.ndarray and a.dtype == b.dtype == u.dtype):
            continue
        if a.size < b.size:
            a, b = b, a
        if a.shape != u.shape or b.size == a.size:
            continue
        negated = np.empty_like(b)
        made.add(id(negated))
        add.func, add.args, add.kwargs = np.negative.__call__, (b,), {"out": (negated,)}
        neg.func, neg.args = np.subtract.__call__, (negated, a)
        folded += 1
    return folded


def _result(kernel: _Kernel) -> np.ndarray | None:
    """The array a kernel writes whole: a ufunc's out=, or _assign's, _method_into's or
    _draw's first argument."""
    if kernel.func in (_assign, _method_into, _draw, _copy_reshaped, np.ndarray.fill):
        return kernel.args[0]
    if kernel.func is np.copyto and kernel.kwargs.get("casting") == "unsafe":
        return kernel.args[0]  # astype
    ufunc = getattr(kernel.func, "__self__", None)
    if isinstance(ufunc, np.ufunc) and kernel.func.__name__ in ("__call__", "reduce"):
        out = kernel.kwargs.get("out")
        if out is not None and len(out) == 1 and kernel.kwargs.get("where", True) is True:
            return out[0]
    return None


def _reads_through_view(kernel: _Kernel, root: int) -> bool:
    """kernel reads buffer root in another layout than the buffer's own (a transposed view):
    writing its result into that buffer would overwrite values it has yet to read."""
    return any(id(_root(a)) == root and not _alias(a, _root(a))
               for a in _arrays_in(kernel.args))


def _elementwise_out(kernel: _Kernel) -> np.ndarray | None:
    ufunc = getattr(kernel.func, "__self__", None)
    if (not isinstance(ufunc, np.ufunc) or kernel.func.__name__ != "__call__" or ufunc.nout != 1
            or set(kernel.kwargs) != {"out"}):
        return None
    return kernel.kwargs["out"][0]


def _root(array: np.ndarray) -> np.ndarray:
    """The array that owns array's memory (through as_strided's holder of its base, too)."""
    while True:
        base = array.base
        if not isinstance(base, np.ndarray):
            base = getattr(base, "base", None)
            if not isinstance(base, np.ndarray):
                return array
        array = base


def _owned_whole(array: np.ndarray, made: set[int]) -> bool:
    """array is all of a buffer that a kernel made, contiguous in either order (an elementwise
    op on a transposed view makes a column-major result)."""
    root = _root(array)
    return id(root) in made and _alias(array, root) and (
        root.flags.c_contiguous or root.flags.f_contiguous)


def _address(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def _alias(a: np.ndarray, b: np.ndarray) -> bool:
    return (_address(a) == _address(b) and a.shape == b.shape and a.strides == b.strides and
            a.dtype == b.dtype)


def _output_spec(value: Any, recorder: _Recorder) -> Any:
    if isinstance(value, Tensor):
        if isinstance(value.array, _Traced) or id(value.array) in recorder.traced:
            return ("copy", recorder.bind(value.array)[0])
        return ("const", value)
    if isinstance(value, _Traced):
        return ("array", recorder.bind(value)[0])
    if isinstance(value, _ESCAPED) and value.recorder is recorder:
        return ("item", recorder.bind(value.snapshot)[0])
    if type(value) in (tuple, list):
        return ("seq", type(value), [_output_spec(v, recorder) for v in value])
    if type(value) is dict:
        return ("dict", {k: _output_spec(v, recorder) for k, v in value.items()})
    return ("const", value)


def _build_output(spec: tuple) -> Any:
    kind = spec[0]
    if kind == "copy":
        return Tensor._make(spec[1].copy())
    if kind == "array":
        return spec[1].copy()
    if kind == "item":
        return spec[1].item()
    if kind == "seq":
        return spec[1](_build_output(s) for s in spec[2])
    if kind == "dict":
        return {k: _build_output(s) for k, s in spec[1].items()}
    return spec[1]


def _same(a: Any, b: Any) -> bool:
    """Templates equal: same kernels, same slots, constants equal by value."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and a.dtype == b.dtype and bool(
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if type(a) in (tuple, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except Exception:
        return a is b


def _first_difference(a: _Tape, b: _Tape) -> str:
    for k, (x, y) in enumerate(zip(a.template[0], b.template[0])):
        if not _same(x, y):
            return (f"kernel {k} ({b.names[k]}) read a value that changed between calls: it "
                    "was computed outside the recorded kernels (in Python, or on a plain "
                    "numpy array)")
    if len(a.template[0]) != len(b.template[0]):
        return (f"the call ran {len(a.template[0])} kernels, then {len(b.template[0])}: fn "
                "takes different paths from call to call")
    return "the tensors fn reads or the .grad it leaves changed between calls"


def _graph_needed(output: Any, recorder: _Recorder) -> bool:
    """A forward compiled in grad mode (mg.compile(model)): an output requires grad and no
    parameter received a gradient during the call, so the caller will backpropagate through
    the output, as through torch.compile(model)'s."""
    returns_graph = any(isinstance(t, Tensor) and t.requires_grad for t in _tree_items(output))
    return returns_graph and all(p._grad is recorder.entry_grads[id(p)] for p in recorder.params)


_NOT_RUN = object()  # _run_eagerly: the call has not run yet


def _signature(value: Any) -> Any:
    if isinstance(value, (Tensor, np.ndarray)):
        data = value.array if isinstance(value, Tensor) else value
        return (type(value).__name__, data.shape, data.dtype.str,
                isinstance(value, Tensor) and value.requires_grad)
    if type(value) in (tuple, list):
        return (type(value).__name__, tuple(_signature(v) for v in value))
    if type(value) is dict:
        return ("dict", tuple((k, _signature(v)) for k, v in value.items()))
    if value is None or type(value) in (bool, int, float, str):
        return (type(value).__name__, value)
    return ("object", id(value))


class CompiledFunction:
    """fn, captured per input signature and replayed; see the module docstring."""

    def __init__(self, fn: Callable, fullgraph: bool = False, cache_size: int = 8) -> None:
        functools.update_wrapper(self, fn)
        self.fn, self.fullgraph, self.cache_size = fn, fullgraph, cache_size
        self._tapes: dict[Any, _Tape] = {}
        self._eager: dict[Any, str] = {}  # signature -> why it runs eagerly
        self._mismatches: dict[Any, int] = {}
        self._params: list[Tensor] = []  # parameters the last capture read
        self._warned: set[str] = set()
        self.captures = self.replays = self.eager_calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs and all(type(a) is Tensor for a in args):  # the usual call, quicker
            key = (is_grad_enabled(), tuple([(a.array.shape, a.array.dtype.str, a.requires_grad)
                                             for a in args]))
        else:
            key = (is_grad_enabled(), _signature(args), tuple(kwargs), _signature(kwargs))
        if key in self._eager:
            self.eager_calls += 1
            return self.fn(*args, **kwargs)
        tape = self._tapes.get(key)
        if tape is not None and tape.verified and tape.guards_hold():
            arrays = _arrays_of(args if len(key) == 2 else _leaves((args, kwargs)))
            try:
                result = tape.replay(arrays)
            except _BranchGuard:
                self.eager_calls += 1
                return self.fn(*args, **kwargs)
            self.replays += 1
            return result
        if key not in self._tapes and len(self._tapes) >= self.cache_size:
            return self._run_eagerly(key, f"more than {self.cache_size} input signatures "
                                     "(cache_size)", args, kwargs)
        return self._capture(key, args, kwargs, tape)

    def _capture(self, key: Any, args: tuple, kwargs: dict, previous: _Tape | None) -> Any:
        recorder = _Recorder()
        entry_grads = {p: p._grad is None for p in self._params}
        for p in self._params:  # parameters of the last capture are known from the start
            recorder.adopt((p,))
        inputs: list[np.ndarray] = []
        traced_args, traced_kwargs = self._traced_argument((args, kwargs), recorder, inputs)
        self.captures += 1
        _Recorder.active = recorder
        try:
            with _Patches(recorder):
                output = self.fn(*traced_args, **traced_kwargs)
            _Recorder.active = None
            if _graph_needed(output, recorder):
                recorder.refuse("fn returns a tensor that requires grad, and no backward ran "
                                "inside it: backward outside needs its graph, which replay "
                                "does not build (compile the whole step, forward, backward and "
                                "optimizer, or call a compiled forward under no_grad)")
            tape = _Tape(recorder, inputs, output, entry_grads)  # before restore()
        finally:
            _Recorder.active = None
            recorder.restore()
        result = _plain(output)
        if recorder.reason is not None:
            return self._run_eagerly(key, recorder.reason, args, kwargs, ran=result)
        callers = _arrays_of(_leaves((args, kwargs)))
        for buffer, array in zip(inputs, callers, strict=True):  # fn wrote into an input:
            if not np.array_equal(buffer, array, equal_nan=True):  # so do eager and replay
                np.copyto(array, buffer)
        self._params = tape.params
        if previous is not None and _same(previous.template, tape.template):
            tape.verified = True
        elif previous is not None:
            self._mismatches[key] = self._mismatches.get(key, 0) + 1
            if self._mismatches[key] >= 3:
                self._tapes.pop(key, None)
                return self._run_eagerly(key, _first_difference(previous, tape), args, kwargs,
                                         ran=result)
        self._tapes[key] = tape
        return result

    def _traced_argument(self, a: Any, recorder: _Recorder, inputs: list) -> Any:
        if isinstance(a, Tensor):
            if a.requires_grad:
                recorder.refuse("an argument requires grad (its gradient would not reach it)")
                return a
            traced = recorder.new_buffer(np.array(a.array, order="C"))
            inputs.append(recorder.arrays[recorder.slot(traced)])
            return Tensor._make(traced)
        if isinstance(a, np.ndarray):
            traced = recorder.new_buffer(np.array(a, order="C"))
            inputs.append(recorder.arrays[recorder.slot(traced)])
            return traced
        if type(a) in (tuple, list):
            return type(a)(self._traced_argument(v, recorder, inputs) for v in a)
        if type(a) is dict:
            return {k: self._traced_argument(v, recorder, inputs) for k, v in a.items()}
        return a

    def _run_eagerly(self, key: Any, reason: str, args: tuple, kwargs: dict,
                     ran: Any = _NOT_RUN) -> Any:
        """Mark key as eager and warn (or raise, under fullgraph). ran is the call's value when
        it already ran (a failed capture runs fn to the end), else fn runs now."""
        self._eager[key] = reason
        name = getattr(self.fn, "__name__", type(self.fn).__name__)  # a Module: its class
        message = f"mg.compile: {name} runs eagerly: {reason}"
        if self.fullgraph:
            raise CompileError(message + (" (fullgraph=True; this call ran eagerly)"
                                          if ran is not _NOT_RUN else " (fullgraph=True)"))
        if reason not in self._warned:
            self._warned.add(reason)
            warnings.warn(message, RuntimeWarning, stacklevel=3)
        self.eager_calls += 1
        return self.fn(*args, **kwargs) if ran is _NOT_RUN else ran

    def cache_info(self) -> dict[str, Any]:
        """Tapes kept, captures and replays so far, the buffers' bytes (and how many buffers
        elementwise kernels share by writing in place), how many negations were folded into
        the sum before them, and why any input signature runs eagerly."""
        return {"tapes": len(self._tapes), "verified": sum(t.verified for t in
                                                           self._tapes.values()),
                "captures": self.captures, "replays": self.replays,
                "eager_calls": self.eager_calls,
                "kernels": [len(t.kernels) for t in self._tapes.values()],
                "buffer_bytes": sum(t.nbytes() for t in self._tapes.values()),
                "buffers_reused": sum(t.reused for t in self._tapes.values()),
                "negations_folded": sum(t.folded for t in self._tapes.values()),
                "eager": dict(self._eager)}

    def reset(self) -> None:
        """Forget every tape (after replacing parameters or optimizers fn uses)."""
        self._tapes.clear()
        self._eager.clear()
        self._mismatches.clear()
        self._params = []


def compile(fn: Callable | None = None, *, fullgraph: bool = False,
            cache_size: int = 8) -> Any:
    """Capture fn (a training step, or a Module for its forward) on its first calls and replay
    it afterwards without Tensor objects or a graph walk. Usable as `@mg.compile` or
    `mg.compile(fullgraph=True)(fn)`. See the module docstring for what is captured."""
    if fn is None:
        return functools.partial(compile, fullgraph=fullgraph, cache_size=cache_size)
    if not callable(fn):
        raise TypeError(f"compile: expected a function or a Module, got {type(fn).__name__}")
    return CompiledFunction(fn, fullgraph=fullgraph, cache_size=cache_size)
