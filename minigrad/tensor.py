"""Tensor: an ndarray that remembers the op that made it, so backward can find its gradient."""

from __future__ import annotations

import builtins
import itertools
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad import device as _device
from minigrad import dtypes as _dtypes
from minigrad._alias import dim_or_axis
from minigrad.printing import tensor_repr
from minigrad.size import Size

_new_tuple = tuple.__new__  # builds a Size from numpy's shape without re-checking its ints

if TYPE_CHECKING:
    from minigrad.function import Function

DTypeLike = Any


def _to_array(data: Any, dtype: DTypeLike = None) -> np.ndarray:
    """PyTorch's rules: Python floats become float32, ints int64; numpy keeps its dtype."""
    if isinstance(data, Tensor):
        data = data.array
    if dtype is not None:
        return np.array(data, dtype=dtype)
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data)
    try:
        array = np.array(data)
    except ValueError as e:
        if isinstance(data, (list, tuple)):
            raise ValueError(f"Tensor: {_ragged(data)}") from None
        raise ValueError(f"Tensor: cannot make a tensor from {type(data).__name__}: {e}") from None
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    elif array.dtype.kind == "U" or array.dtype == object:
        raise TypeError(f"Tensor: cannot make a tensor from {type(data).__name__} {data!r:.60}")
    return array


def _constructor_array(args: tuple, dtype: DTypeLike) -> np.ndarray:
    """The array of Tensor(*args): sizes give zeros, a list or tuple of data the default float
    dtype unless dtype says otherwise, anything else _to_array's rules."""
    sizes = args[0] if len(args) == 1 and isinstance(args[0], Size) else args or (0,)
    if all(type(n) is int for n in sizes):
        return np.zeros(sizes, dtype or _dtypes.get_default_dtype())
    if len(args) != 1:
        raise TypeError(f"Tensor: expected sizes (ints) or one piece of data, got {args!r:.80}")
    data = args[0]
    if dtype is None and isinstance(data, (list, tuple)):
        dtype = _dtypes.get_default_dtype()
    return _to_array(data, dtype)


def _ragged(data: list | tuple) -> str:
    """Where a nested list is ragged: the first depth whose sequences differ in length (or
    mix sequences and numbers), as PyTorch words it."""
    level, depth = [data], 0
    while level:
        depth += 1
        children = [item for seq in level for item in seq]
        nested = [isinstance(c, (list, tuple)) for c in children]
        if any(nested) and not all(nested):
            return (f"the nested list is ragged: at depth {depth} it mixes sequences and "
                    "numbers")
        if not any(nested):
            break
        lengths = [len(c) for c in children]
        for n in lengths:
            if n != lengths[0]:
                return (f"the nested list is ragged: expected sequence of length {lengths[0]} "
                        f"at dim {depth} (got {n})")
        level = children
    return "the nested list has items numpy cannot put in one array"


def _in_place_of(name: str) -> Callable[..., Tensor]:
    """Tensor.<name>_, PyTorch's in-place variant of Tensor.<name>: the out-of-place result
    written into self through Tensor._write_in_place (versioned, and recorded when in a graph).
    A result without a gradient (eq, floor_divide, ...) gets a zero one, as in PyTorch."""

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        keys = list(kwargs)

        def new_value(old: Tensor, *values: Any) -> Tensor:
            out = getattr(old, name)(*values[:len(args)], **dict(zip(keys, values[len(args):])))
            inputs = [v for v in (old, *values) if isinstance(v, Tensor)]
            if out.grad_fn is None and any(v._requires_grad for v in inputs):
                dtype = np.promote_types(out.array.dtype, old.array.dtype)
                out = ops.elementwise.PiecewiseConstant.apply(
                    lambda *_: out.array.astype(dtype), *inputs)
            return out

        return self._write_in_place(name + "_", new_value, *args, *kwargs.values())

    method.__name__, method.__qualname__ = name + "_", f"Tensor.{name}_"
    method.__doc__ = f"In place: self.{name}(...) written into this tensor's memory."
    return method


class VersionCounter:
    """The version of a tensor's memory: how many in-place writes it had through minigrad, and
    when the latest happened, as ticks of `clock`, which also numbers the graph's nodes. So
    backward can tell whether a saved tensor was written after its node was recorded, and
    what its version was then. Tensors that share memory (views, detach()) share one."""

    clock = itertools.count()  # one sequence for recorded nodes and in-place writes
    last_write = -1  # the tick of the latest write to any tensor
    # class-level defaults, so that making a counter costs no __init__ call
    version = 0
    ticks: tuple[int, ...] | list[int] = ()  # of the latest writes (up to 1024)

    def bump(self) -> None:
        tick = next(VersionCounter.clock)
        self.version += 1
        ticks = self.ticks
        if not ticks:
            ticks = self.ticks = []
        ticks.append(tick)
        if len(ticks) > 1024:
            del ticks[:512]
        VersionCounter.last_write = tick

    def written_after(self, tick: int) -> bool:
        return bool(self.ticks) and self.ticks[-1] > tick

    def version_at(self, tick: int) -> int:
        """The version at `tick` (exact unless more than 512 writes came after it)."""
        return self.version - sum(1 for t in self.ticks if t > tick)


class _Inference:
    """Whether torch.inference_mode is on (compat.inference_mode switches it), and how many
    inference tensors (made while it is on) there have been: until the first, the engine skips
    checking that none is saved for backward."""

    enabled = False
    made = 0


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation.

    `array` is the numpy array that holds the values (minigrad's own name: ops compute with it),
    `grad` the accumulated gradient (a Tensor, or None) and `grad_fn` the Function node that
    produced it (None for leaves, which the user creates). In-place methods write into `array`
    and bump `_version` (see _write_in_place). `data` is PyTorch's: a Tensor on the same memory,
    outside the graph and its version checks.
    """

    # every field, each set in _make (the grad property checks what is assigned to _grad)
    __slots__ = ("array", "_grad", "_requires_grad", "grad_fn", "_output_nr", "_hooks",
                 "_version_counter", "_base", "__weakref__", "_inference")
    array: np.ndarray
    grad_fn: Function | None
    # `ndarray * tensor` defers to Tensor.__rmul__ (a Tensor), while `np.abs(tensor)` reads the
    # tensor through __array__ and gives an ndarray: both as in PyTorch
    __array_priority__ = 1000
    __hash__ = object.__hash__  # tensors are dict keys by identity, as in PyTorch

    def __init__(self, *data: Any, requires_grad: bool = False, dtype: DTypeLike = None
                 ) -> None:
        """torch.Tensor's constructor: `Tensor(2, 3)` or `Tensor(Size)` makes zeros of that
        shape (uninitialized in PyTorch) and `Tensor([1, 2])` floats, in the default dtype; a
        numpy array or a Tensor keeps its dtype (how minigrad itself wraps arrays)."""
        Tensor._make(_constructor_array(data, dtype), into=self)
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool = False, into: Tensor | None = None
              ) -> Tensor:
        """Wrap an ndarray without copying or converting it (the engine's fast path). Every
        field of a Tensor is set here, also for __init__ (which passes `into`)."""
        t = object.__new__(Tensor) if into is None else into
        t.array = data
        t._grad = None
        t._requires_grad = requires_grad  # unchecked: the engine's write (the property checks)
        t.grad_fn = None  # the node that made it; None for a leaf
        t._output_nr = 0  # which output of grad_fn it is
        t._hooks = None  # a leaf's register_hook hooks
        t._version_counter = None  # a VersionCounter, made on the first in-place write or view
        t._base = None  # the tensor whose memory it views (made by a view op), if any
        t._inference = False  # made inside inference_mode (see is_inference)
        if _Inference.enabled:
            t._inference = True
            _Inference.made += 1
        return t

    # *** attributes ***
    @property
    def shape(self) -> Size:
        """The shape as a Size (torch.Size): a tuple of ints with `numel()`."""
        return _new_tuple(Size, self.array.shape)  # the ints are numpy's, already checked

    @property
    def dtype(self) -> np.dtype:
        return self.array.dtype

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by backward: a Tensor of this tensor's shape, or None."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        value = _checked_grad(value, self.array.shape, "assigned grad")
        if value is not None and value.array.dtype != self.array.dtype:
            raise RuntimeError(f"assigned grad has data of a different type: {value.dtype}, "
                               f"where the tensor is {self.dtype} (as PyTorch refuses it)")
        self._grad = value

    @property
    def _version(self) -> int:
        """How many times this tensor's memory was written in place through minigrad (shared
        with views and detach()); backward compares it with the version it saved."""
        return self._shared_version_counter().version

    def _shared_version_counter(self) -> VersionCounter:
        """The counter of this tensor's memory, made when first needed; a view uses its
        base's."""
        if self._version_counter is None:
            base = self._base
            self._version_counter = (VersionCounter() if base is None
                                     else base._shared_version_counter())
        return self._version_counter

    def size(self, dim: int | None = None) -> Size | int:
        """The shape as a Size, or the length of one dim (PyTorch's `Tensor.size`)."""
        return self.shape if dim is None else self.array.shape[ops.canonical_dim(dim, self.ndim)]

    def numel(self) -> int:
        return self.array.size

    def dim(self) -> int:
        return self.array.ndim

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __repr__(self) -> str:
        """As PyTorch prints it (minigrad/printing.py)."""
        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        """f"{loss:.4f}" formats a 0-d tensor's value, as PyTorch does; any other tensor only
        takes the empty spec (its repr)."""
        if self.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    # *** autograd ***
    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's `.grad` (`gradient` is needed unless
        self holds one element). The graph's saved values are freed unless retain_graph."""
        if gradient is not None and not isinstance(gradient, (Tensor, np.ndarray)):
            raise TypeError(f"backward: gradient must be a Tensor (or numpy array) or None, got "
                            f"{type(gradient).__name__}")
        autograd.backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not self.is_leaf:
            if requires_grad:
                return self  # an op's output already requires grad
            raise RuntimeError("requires_grad_: only leaf tensors can change requires_grad; "
                               "use .detach() to make a leaf from this one")
        if type(requires_grad) is not bool:
            raise TypeError(f"requires_grad_(): argument 'requires_grad' must be bool, not "
                            f"{type(requires_grad).__name__}")
        if requires_grad and self.dtype.kind not in "fc":
            raise RuntimeError(f"only Tensors of floating point and complex dtype can require "
                               f"gradients (this one is {self.dtype})")
        self._requires_grad = requires_grad
        return self

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        """`t.requires_grad = flag`, with torch's checks: a bool, on a leaf, of a float dtype."""
        if type(value) is not bool:
            raise RuntimeError(f"requires_grad must be a bool, not {type(value).__name__}")
        if not self.is_leaf:
            raise RuntimeError("you can only change requires_grad flags of leaf variables; "
                               "use .detach() to make a leaf from this one")
        self.requires_grad_(value)

    @property
    def data(self) -> Tensor:
        """PyTorch's `.data`: a Tensor on the same memory that autograd does not see. Unlike
        detach(), it has a version counter of its own, so writes through it (`w.data.zero_()`,
        `p.data -= lr * p.grad.data`) are not checked against saved tensors."""
        t = Tensor._make(self.array)
        if self._inference:
            t._inference = True
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        """`t.data = other` makes t hold other's memory (its shape and dtype may differ)."""
        if not isinstance(value, Tensor):
            raise TypeError(f"Tensor.data: the new data has to be a Tensor, got "
                            f"{type(value).__name__} (to put a numpy array in, assign "
                            "`t.array`)")
        self.array = value.array

    def detach(self) -> Tensor:
        """The same data (and version counter), cut from the graph."""
        t = Tensor._make(self.array)
        t._version_counter = self._shared_version_counter()
        t._inference = self._inference  # as torch: an inference tensor's detach is one too
        return t

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor after backward (leaves always keep it)."""
        if self.is_leaf:
            return
        if not self.requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad")
        node = self.grad_fn
        node._retained = node._retained or {}
        node._retained[self._output_nr] = weakref.ref(self)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call hook(grad) when this tensor's gradient is computed; a Tensor it returns replaces
        the gradient."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not "
                               "require grad")
        if self.is_leaf:
            self._hooks = self._hooks or []
            hooks = self._hooks
        else:
            node = self.grad_fn
            node._hooks = node._hooks or {}
            hooks = node._hooks.setdefault(self._output_nr, [])
        hooks.append(hook)
        return RemovableHandle(hooks, hook)

    # *** conversion ***
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The values as a numpy array sharing memory; force=True allows a tensor that
        requires grad (as detach().numpy())."""
        if self.requires_grad and not force:
            raise RuntimeError("numpy(): call .detach().numpy() on a tensor that requires grad")
        return self.array

    def item(self) -> float | int | bool:
        if self.array.size != 1:
            raise ValueError(f"item(): only one-element tensors convert to Python scalars, "
                             f"this one has shape {self.shape}")
        return self.array.item()

    def tolist(self) -> Any:
        return self.array.tolist()

    def __array__(self, dtype: DTypeLike = None, copy: bool | None = None) -> np.ndarray:
        return self.array if dtype is None else self.array.astype(dtype)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __abs__(self) -> Tensor:
        return self.abs()

    def __pos__(self) -> Tensor:
        return self

    def __contains__(self, element: Any) -> bool:
        """`x in t`: whether any element of t equals x (a number or a tensor), as PyTorch."""
        if not isinstance(element, (Tensor, int, float, bool, np.number)):
            raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you "
                               f"passed in a {type(element).__name__}.")
        return bool((self == element).any())

    def __reversed__(self) -> Tensor:
        return self.flip(0) if self.ndim else self

    def __ipow__(self, other: Any) -> Tensor:
        return self.pow_(other)

    def __index__(self) -> int:
        """A one-element integer tensor as an index (`classes[predicted[j]]`, `range(n)`)."""
        if self.array.dtype.kind not in "iub" or self.array.size != 1:
            raise TypeError(f"only integer tensors of a single element can be converted to an "
                            f"index, got dtype {self.dtype} and shape {self.shape}")
        return int(self.array.reshape(()))

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise RuntimeError(f"the truth value of a tensor of shape {self.shape} is ambiguous")
        return bool(self.array)

    # *** elementwise ***
    def __add__(self, other: Any) -> Tensor:
        return ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return ops.div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return ops.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return ops.pow(other, self)

    def __neg__(self) -> Tensor:
        return ops.neg(self)

    def __matmul__(self, other: Any) -> Tensor:
        return ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return ops.matmul(other, self)

    def __lt__(self, other: Any) -> Tensor:
        return ops.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return ops.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return ops.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return ops.ge(self, other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return ops.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return ops.ne(self, other)

    def exp(self) -> Tensor:
        return ops.exp(self)

    def log(self) -> Tensor:
        return ops.log(self)

    def sqrt(self) -> Tensor:
        return ops.sqrt(self)

    def abs(self) -> Tensor:
        return ops.abs(self)

    def sign(self) -> Tensor:
        return ops.sign(self)

    def sigmoid(self) -> Tensor:
        return ops.sigmoid(self)

    def tanh(self) -> Tensor:
        return ops.tanh(self)

    def relu(self) -> Tensor:
        return ops.relu(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        return ops.leaky_relu(self, negative_slope)

    def step(self) -> Tensor:
        return ops.step(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        return ops.clamp(self, min, max)

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        return ops.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return ops.minimum(self, other)

    def pow(self, exponent: Any) -> Tensor:
        return ops.pow(self, exponent)

    def matmul(self, other: Any) -> Tensor:
        return ops.matmul(self, other)

    # *** reductions ***
    @dim_or_axis
    def sum(self, dim: int | Sequence[int] | None = None, keepdim: bool = False, *,
            dtype: DTypeLike = None) -> Tensor:
        return ops.sum(self, dim, keepdim, dtype=dtype)

    @dim_or_axis
    def mean(self, dim: int | Sequence[int] | None = None, keepdim: bool = False, *,
             dtype: DTypeLike = None) -> Tensor:
        return ops.mean(self, dim, keepdim, dtype=dtype)

    @dim_or_axis
    def max(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return ops.max(self, dim, keepdim)

    @dim_or_axis
    def min(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return ops.min(self, dim, keepdim)

    @dim_or_axis
    def var(self, dim: int | Sequence[int] | None = None, unbiased: bool | None = None,
            keepdim: bool = False, *, correction: int | None = None) -> Tensor:
        return ops.var(self, dim, unbiased, keepdim, correction=correction)

    @dim_or_axis
    def std(self, dim: int | Sequence[int] | None = None, unbiased: bool | None = None,
            keepdim: bool = False, *, correction: int | None = None) -> Tensor:
        return ops.std(self, dim, unbiased, keepdim, correction=correction)

    @dim_or_axis
    def logsumexp(self, dim: int | Sequence[int], keepdim: bool = False) -> Tensor:
        return ops.logsumexp(self, dim, keepdim)

    @dim_or_axis
    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return ops.argmax(self, dim, keepdim)

    @dim_or_axis
    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return ops.argmin(self, dim, keepdim)

    def softmax(self, dim: int) -> Tensor:
        return ops.softmax(self, dim)

    def log_softmax(self, dim: int) -> Tensor:
        return ops.log_softmax(self, dim)

    # *** shape ***
    def reshape(self, *shape: Any) -> Tensor:
        return ops.reshape(self, *shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return ops.flatten(self, start_dim, end_dim)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return ops.transpose(self, dim0, dim1)

    def permute(self, *dims: Any) -> Tensor:
        return ops.permute(self, *dims)

    @property
    def T(self) -> Tensor:
        return ops.permute(self, *reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        return ops.transpose(self, -2, -1)

    def squeeze(self, dim: int | None = None) -> Tensor:
        return ops.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return ops.unsqueeze(self, dim)

    def expand(self, *shape: Any) -> Tensor:
        return ops.expand(self, *shape)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        return ops.expand(self, *shape)

    def __getitem__(self, index: Any) -> Tensor:
        return ops.getitem(self, index)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # *** op library: indexing, shape, linear algebra ***
    def view(self, *shape: Any) -> Tensor:
        """Reshape (`view(2, 3)`), or reinterpret the bytes as another dtype (`view(int32)`)."""
        return ops.view(self, *shape)

    @dim_or_axis
    def gather(self, dim: int, index: Any) -> Tensor:
        return ops.gather(self, dim, index)

    @dim_or_axis
    def scatter(self, dim: int, index: Any, src: Any = None, *, value: Any = None,
                reduce: str | None = None) -> Tensor:
        return ops.scatter(self, dim, index, src, value=value, reduce=reduce)

    @dim_or_axis
    def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor:
        return ops.scatter_add(self, dim, index, src)

    @dim_or_axis
    def scatter_reduce(self, dim: int, index: Any, src: Any, reduce: str, *,
                       include_self: bool = True) -> Tensor:
        return ops.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    @dim_or_axis
    def index_select(self, dim: int, index: Any) -> Tensor:
        return ops.index_select(self, dim, index)

    @dim_or_axis
    def index_add(self, dim: int, index: Any, source: Any, *, alpha: float = 1) -> Tensor:
        return ops.index_add(self, dim, index, source, alpha=alpha)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        return ops.masked_fill(self, mask, value)

    def masked_select(self, mask: Any) -> Tensor:
        return ops.masked_select(self, mask)

    @dim_or_axis
    def take_along_dim(self, indices: Any, dim: int | None = None) -> Tensor:
        return ops.take_along_dim(self, indices, dim)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return ops.nonzero(self, as_tuple=as_tuple)

    def repeat(self, *sizes: Any) -> Tensor:
        return ops.repeat(self, *sizes)

    def tile(self, *dims: Any) -> Tensor:
        return ops.tile(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int)
                        else dims)

    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return ops.split(self, split_size, dim)

    @dim_or_axis
    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return ops.chunk(self, chunks, dim)

    @dim_or_axis
    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return ops.unbind(self, dim)

    def flip(self, *dims: Any) -> Tensor:
        return ops.flip(self, dims[0] if len(dims) == 1 else dims)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return ops.roll(self, shifts, dims)

    def tril(self, diagonal: int = 0) -> Tensor:
        return ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        return ops.triu(self, diagonal)

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        return ops.unflatten(self, dim, sizes)

    def diag(self, diagonal: int = 0) -> Tensor:
        return ops.diag(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return ops.diagonal(self, offset, dim1, dim2)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        return ops.diag_embed(self, offset, dim1, dim2)

    @dim_or_axis
    def repeat_interleave(self, repeats: Any = None, dim: int | None = None, *,
                          output_size: int | None = None) -> Tensor:
        return ops.repeat_interleave(self, repeats, dim, output_size=output_size)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return ops.movedim(self, source, destination)

    moveaxis = movedim

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return ops.swapaxes(self, axis0, axis1)

    def swapdims(self, dim0: int, dim1: int) -> Tensor:
        return ops.swapdims(self, dim0, dim1)

    @dim_or_axis
    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        return ops.narrow(self, dim, start, length)

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        return ops.unfold(self, dimension, size, step)

    def bmm(self, mat2: Any) -> Tensor:
        return ops.bmm(self, mat2)

    def mv(self, vec: Any) -> Tensor:
        return ops.mv(self, vec)

    def outer(self, vec2: Any) -> Tensor:
        return ops.outer(self, vec2)

    def addmm(self, mat1: Any, mat2: Any, *, beta: float = 1, alpha: float = 1) -> Tensor:
        return ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    # *** dtype and device ***
    # (one block for PyTorch's dtype, device and construction methods; the rest lives above)
    @property
    def device(self) -> _device.device:
        return _device.CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """This tensor with another dtype and/or on another device: `to(dtype)`, `to(device)`,
        `to(device, dtype)`, `to(other)` (other's dtype), `to(dtype=..., device=...)`. Returns
        self when nothing changes (unless copy=True); differentiable."""
        dtype, copy = to_arguments(args, kwargs)
        if dtype is None or dtype == self.dtype:
            return self.clone() if copy else self
        return ops.cast(self, dtype)

    def type(self, dtype: DTypeLike = None, non_blocking: bool = False) -> Any:
        """With no dtype the type's name ('minigrad.FloatTensor'); else `to(dtype)`."""
        if dtype is None:
            return "minigrad." + _TYPE_NAMES.get(self.dtype.name, self.dtype.name + "Tensor")
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            names = {v: k for k, v in _TYPE_NAMES.items()}
            dtype = names.get(dtype.rpartition(".")[2], dtype)
        try:
            d = _dtypes.as_dtype(dtype, "type")
        except TypeError as e:
            if isinstance(dtype, str):  # an unknown type name: torch's ValueError
                raise ValueError(str(e)) from None
            raise
        return self.to(d)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def float(self) -> Tensor:
        return self.to(np.float32)

    def double(self) -> Tensor:
        return self.to(np.float64)

    def half(self) -> Tensor:
        return self.to(np.float16)

    def int(self) -> Tensor:
        return self.to(np.int32)

    def long(self) -> Tensor:
        return self.to(np.int64)

    def short(self) -> Tensor:
        return self.to(np.int16)

    def bool(self) -> Tensor:
        return self.to(np.bool_)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, device: Any = None) -> Tensor:
        _device.check_available("cuda")

    def is_floating_point(self) -> bool:
        return self.dtype.kind == "f"

    def element_size(self) -> int:
        return self.dtype.itemsize

    def nelement(self) -> int:
        return self.array.size

    def new_tensor(self, data: Any, dtype: DTypeLike = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
        """A new leaf holding a copy of data, in this tensor's dtype unless told otherwise."""
        return creation.tensor(data, dtype=dtype or self.dtype, device=device,
                               requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: DTypeLike = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return creation.zeros(*size, dtype=dtype or self.dtype, device=device,
                              requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: DTypeLike = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return creation.ones(*size, dtype=dtype or self.dtype, device=device,
                             requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: DTypeLike = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return creation.empty(*size, dtype=dtype or self.dtype, device=device,
                              requires_grad=requires_grad)

    def new_full(self, size: Sequence[int], fill_value: Any, dtype: DTypeLike = None,
                 device: Any = None, requires_grad: bool = False) -> Tensor:
        return creation.full(size, fill_value, dtype=dtype or self.dtype, device=device,
                             requires_grad=requires_grad)

    def clone(self) -> Tensor:
        """A copy with its own memory; the gradient flows back to self."""
        return ops.elementwise.Cast.apply(self, self.dtype)  # astype copies

    def t(self) -> Tensor:
        """The transpose of a matrix (a tensor of 0 or 1 dims is returned as is)."""
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                               f"{self.ndim}D (shape {self.shape}); use transpose or mT")
        return ops.transpose(self, 0, 1) if self.ndim == 2 else self

    def mm(self, mat2: Tensor) -> Tensor:
        """Matrix product of two 2-D tensors (matmul without broadcasting)."""
        return ops.mm(self, mat2)

    def dot(self, tensor: Tensor) -> Tensor:
        """sum_i self_i tensor_i of two 1-D tensors of one length and dtype."""
        return ops.dot(self, tensor)

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self + alpha * other"""
        return ops.add(self, other if alpha == 1 else ops.mul(other, alpha))

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """self - alpha * other"""
        return ops.sub(self, other if alpha == 1 else ops.mul(other, alpha))

    def mul(self, other: Any) -> Tensor:
        return ops.mul(self, other)



    # *** op library: math, activations, reductions, sorting ***
    def sin(self) -> Tensor:
        return ops.sin(self)

    def cos(self) -> Tensor:
        return ops.cos(self)

    def tan(self) -> Tensor:
        return ops.tan(self)

    def asin(self) -> Tensor:
        return ops.asin(self)

    def acos(self) -> Tensor:
        return ops.acos(self)

    def atan(self) -> Tensor:
        return ops.atan(self)

    def sinh(self) -> Tensor:
        return ops.sinh(self)

    def cosh(self) -> Tensor:
        return ops.cosh(self)

    def asinh(self) -> Tensor:
        return ops.asinh(self)

    def acosh(self) -> Tensor:
        return ops.acosh(self)

    def atanh(self) -> Tensor:
        return ops.atanh(self)

    def exp2(self) -> Tensor:
        return ops.exp2(self)

    def expm1(self) -> Tensor:
        return ops.expm1(self)

    def log2(self) -> Tensor:
        return ops.log2(self)

    def log10(self) -> Tensor:
        return ops.log10(self)

    def log1p(self) -> Tensor:
        return ops.log1p(self)

    def rsqrt(self) -> Tensor:
        return ops.rsqrt(self)

    def square(self) -> Tensor:
        return ops.square(self)

    def reciprocal(self) -> Tensor:
        return ops.reciprocal(self)

    def erf(self) -> Tensor:
        return ops.erf(self)

    def erfc(self) -> Tensor:
        return ops.erfc(self)

    def floor(self) -> Tensor:
        return ops.floor(self)

    def ceil(self) -> Tensor:
        return ops.ceil(self)

    def round(self, *, decimals: int = 0) -> Tensor:
        return ops.round(self, decimals=decimals)

    def trunc(self) -> Tensor:
        return ops.trunc(self)

    fix = trunc

    def frac(self) -> Tensor:
        return ops.frac(self)

    def atan2(self, other: Any) -> Tensor:
        return ops.atan2(self, other)

    arctan2 = atan2

    def hypot(self, other: Any) -> Tensor:
        return ops.hypot(self, other)

    def logaddexp(self, other: Any) -> Tensor:
        return ops.logaddexp(self, other)

    def copysign(self, other: Any) -> Tensor:
        return ops.copysign(self, other)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        return ops.lerp(self, end, weight)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return ops.div(self, other, rounding_mode=rounding_mode)

    def remainder(self, other: Any) -> Tensor:
        return ops.remainder(self, other)

    def fmod(self, other: Any) -> Tensor:
        return ops.fmod(self, other)

    def floor_divide(self, other: Any) -> Tensor:
        return ops.floor_divide(self, other)

    def __mod__(self, other: Any) -> Tensor:
        return ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return ops.remainder(other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        return ops.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return ops.floor_divide(other, self)

    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> Tensor:
        return ops.isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        return ops.allclose(self, other, rtol, atol, equal_nan)

    def isnan(self) -> Tensor:
        return ops.isnan(self)

    def isinf(self) -> Tensor:
        return ops.isinf(self)

    def isfinite(self) -> Tensor:
        return ops.isfinite(self)

    def logical_not(self) -> Tensor:
        return ops.logical_not(self)

    def logical_and(self, other: Any) -> Tensor:
        return ops.logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        return ops.logical_or(self, other)

    def logical_xor(self, other: Any) -> Tensor:
        return ops.logical_xor(self, other)

    def bitwise_not(self) -> Tensor:
        return ops.bitwise_not(self)

    def bitwise_and(self, other: Any) -> Tensor:
        return ops.bitwise_and(self, other)

    def bitwise_or(self, other: Any) -> Tensor:
        return ops.bitwise_or(self, other)

    def bitwise_xor(self, other: Any) -> Tensor:
        return ops.bitwise_xor(self, other)

    def bitwise_left_shift(self, other: Any) -> Tensor:
        return ops.bitwise_left_shift(self, other)

    def bitwise_right_shift(self, other: Any) -> Tensor:
        return ops.bitwise_right_shift(self, other)

    def __invert__(self) -> Tensor:
        return ops.bitwise_not(self)

    def __and__(self, other: Any) -> Tensor:
        return ops.bitwise_and(self, other)

    def __rand__(self, other: Any) -> Tensor:
        return ops.bitwise_and(other, self)

    def __or__(self, other: Any) -> Tensor:
        return ops.bitwise_or(self, other)

    def __ror__(self, other: Any) -> Tensor:
        return ops.bitwise_or(other, self)

    def __xor__(self, other: Any) -> Tensor:
        return ops.bitwise_xor(self, other)

    def __rxor__(self, other: Any) -> Tensor:
        return ops.bitwise_xor(other, self)

    def __lshift__(self, other: Any) -> Tensor:
        return ops.bitwise_left_shift(self, other)

    def __rlshift__(self, other: Any) -> Tensor:
        return ops.bitwise_left_shift(other, self)

    def __rshift__(self, other: Any) -> Tensor:
        return ops.bitwise_right_shift(self, other)

    def __rrshift__(self, other: Any) -> Tensor:
        return ops.bitwise_right_shift(other, self)

    def prelu(self, weight: Tensor) -> Tensor:
        return ops.prelu(self, weight)

    @dim_or_axis
    def prod(self, dim: int | None = None, keepdim: bool = False, *,
             dtype: DTypeLike = None) -> Tensor:
        return ops.prod(self, dim, keepdim, dtype=dtype)

    @dim_or_axis
    def any(self, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Tensor:
        return ops.any(self, dim, keepdim)

    @dim_or_axis
    def all(self, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Tensor:
        return ops.all(self, dim, keepdim)

    @dim_or_axis
    def amax(self, dim: int | Sequence[int] = (), keepdim: bool = False) -> Tensor:
        return ops.amax(self, dim, keepdim)

    @dim_or_axis
    def amin(self, dim: int | Sequence[int] = (), keepdim: bool = False) -> Tensor:
        return ops.amin(self, dim, keepdim)

    @dim_or_axis
    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> Any:
        return ops.aminmax(self, dim=dim, keepdim=keepdim)

    @dim_or_axis
    def count_nonzero(self, dim: int | Sequence[int] | None = None) -> Tensor:
        return ops.count_nonzero(self, dim)

    @dim_or_axis
    def norm(self, p: Any = "fro", dim: int | Sequence[int] | None = None,
             keepdim: bool = False, dtype: DTypeLike = None) -> Tensor:
        return ops.norm(self, p, dim, keepdim, dtype)

    @dim_or_axis
    def cumsum(self, dim: int, *, dtype: DTypeLike = None) -> Tensor:
        return ops.cumsum(self, dim, dtype=dtype)

    @dim_or_axis
    def cumprod(self, dim: int, *, dtype: DTypeLike = None) -> Tensor:
        return ops.cumprod(self, dim, dtype=dtype)

    @dim_or_axis
    def cummax(self, dim: int) -> Any:
        return ops.cummax(self, dim)

    @dim_or_axis
    def cummin(self, dim: int) -> Any:
        return ops.cummin(self, dim)

    @dim_or_axis
    def logcumsumexp(self, dim: int) -> Tensor:
        return ops.logcumsumexp(self, dim)

    @dim_or_axis
    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        return ops.sort(self, dim, descending, stable)

    @dim_or_axis
    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        return ops.argsort(self, dim, descending, stable)

    @dim_or_axis
    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        return ops.topk(self, k, dim, largest, sorted)

    @dim_or_axis
    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        return ops.kthvalue(self, k, dim, keepdim)

    # *** comparisons by name, as torch's x.eq(y) ***
    def eq(self, other: Any) -> Tensor:
        return ops.eq(self, other)

    def ne(self, other: Any) -> Tensor:
        return ops.ne(self, other)

    def lt(self, other: Any) -> Tensor:
        return ops.lt(self, other)

    def le(self, other: Any) -> Tensor:
        return ops.le(self, other)

    def gt(self, other: Any) -> Tensor:
        return ops.gt(self, other)

    def ge(self, other: Any) -> Tensor:
        return ops.ge(self, other)

    def contiguous(self) -> Tensor:
        """self: minigrad's results are numpy arrays, which need no re-layout before view()."""
        return self

    def equal(self, other: Tensor) -> bool:
        """True if other has this shape and the same values, as torch.equal."""
        return self.shape == other.shape and builtins.bool(ops.eq(self, other).all())

    # *** PyTorch's other Tensor methods: aliases, shape helpers, in-place variants ***
    # (one block; each method is a one-line call of an op or of another method)
    def expand_as(self, other: Tensor) -> Tensor:
        return ops.expand(self, *other.shape)

    def view_as(self, other: Tensor) -> Tensor:
        return ops.view(self, *other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return ops.reshape(self, *other.shape)

    def where(self, condition: Any, other: Any) -> Tensor:
        """self where condition, else other (torch.where(condition, self, other))."""
        return ops.where(condition, self, other)

    def neg(self) -> Tensor:
        return ops.neg(self)

    negative = neg

    def multiply(self, other: Any) -> Tensor:
        return ops.mul(self, other)

    def subtract(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self.sub(other, alpha=alpha)

    def divide(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return ops.div(self, other, rounding_mode=rounding_mode)

    true_divide = divide

    def heaviside(self, values: Tensor) -> Tensor:
        return ops.heaviside(self, values)

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
    absolute, arccos, arcsin, arctan = abs, acos, asin, atan
    arccosh, arcsinh, arctanh = acosh, asinh, atanh
    sgn = sign

    def clamp_min(self, min: Any) -> Tensor:
        return self.clamp(min=min)

    def clamp_max(self, max: Any) -> Tensor:
        return self.clamp(max=max)

    def ravel(self) -> Tensor:
        return ops.reshape(self, -1)

    def ndimension(self) -> int:
        return self.array.ndim

    @property
    def nbytes(self) -> int:
        return self.array.nbytes

    @property
    def itemsize(self) -> int:
        return self.array.itemsize

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """True: minigrad presents every tensor as contiguous (contiguous() returns self, and
        view() works on any tensor), so its stride() is the row-major one of its shape."""
        return True

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The row-major strides of the shape, in elements (see is_contiguous)."""
        strides = tuple(int(np.prod(self.shape[d + 1:])) for d in range(self.ndim))
        return strides if dim is None else strides[ops.canonical_dim(dim, self.ndim)]

    def storage_offset(self) -> int:
        return 0

    @property
    def is_cpu(self) -> bool:
        return True

    def get_device(self) -> int:
        """-1, PyTorch's number for the CPU."""
        return -1

    def is_complex(self) -> bool:
        return self.dtype.kind == "c"

    def is_signed(self) -> bool:
        return self.dtype.kind in "fic"

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf tensor after retain_grad()."""
        retained = None if self.grad_fn is None else self.grad_fn._retained
        return bool(retained) and self._output_nr in retained

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @dim_or_axis
    def select(self, dim: int, index: int) -> Tensor:
        return ops.select(self, dim, index)

    @dim_or_axis
    def narrow_copy(self, dim: int, start: int, length: int) -> Tensor:
        return ops.narrow(self, dim, start, length).clone()

    def fliplr(self) -> Tensor:
        return ops.fliplr(self)

    def flipud(self) -> Tensor:
        return ops.flipud(self)

    def rot90(self, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
        return ops.rot90(self, k, dims)

    @dim_or_axis
    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return ops.tensor_split(self, indices_or_sections, dim)

    @dim_or_axis
    def split_with_sizes(self, split_sizes: Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
        return ops.split_with_sizes(self, split_sizes, dim)

    def hsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return ops.hsplit(self, indices_or_sections)

    def vsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return ops.vsplit(self, indices_or_sections)

    def dsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return ops.dsplit(self, indices_or_sections)

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place: it becomes a leaf that needs no grad."""
        self.grad_fn, self._output_nr, self._requires_grad = None, 0, False
        return self

    def _change_view(self, op: str, view: Callable[[Tensor], Tensor]) -> Tensor:
        """t_, transpose_, squeeze_, ...: self takes view(self)'s shape, in place. In a graph,
        self becomes view's output (as _write_in_place does for values); the version bump makes
        backward refuse nodes that saved self with its old shape."""
        if function.is_grad_enabled() and self.requires_grad:
            self._check_recordable(op)
            old = self._stand_in(self.array)
            new = view(old)
            self.grad_fn, self._output_nr = new.grad_fn, new._output_nr
        else:
            new = view(self)
        self.array = new.array
        self._shared_version_counter().bump()
        return self

    def t_(self) -> Tensor:
        return self._change_view("t_", Tensor.t)

    def transpose_(self, dim0: int, dim1: int) -> Tensor:
        return self._change_view("transpose_", lambda t: ops.transpose(t, dim0, dim1))

    def swapaxes_(self, axis0: int, axis1: int) -> Tensor:
        return self._change_view("swapaxes_", lambda t: ops.transpose(t, axis0, axis1))

    def swapdims_(self, dim0: int, dim1: int) -> Tensor:
        return self._change_view("swapdims_", lambda t: ops.transpose(t, dim0, dim1))

    def squeeze_(self, dim: int | None = None) -> Tensor:
        return self._change_view("squeeze_", lambda t: ops.squeeze(t, dim))

    def unsqueeze_(self, dim: int) -> Tensor:
        return self._change_view("unsqueeze_", lambda t: ops.unsqueeze(t, dim))

    # in-place variants: the out-of-place method's result written into self (_in_place_of)
    abs_, absolute_, sqrt_, log_, sign_, sgn_ = (_in_place_of(n) for n in (
        "abs", "absolute", "sqrt", "log", "sign", "sgn"))
    floor_, ceil_, round_, trunc_, fix_, frac_ = (_in_place_of(n) for n in (
        "floor", "ceil", "round", "trunc", "fix", "frac"))
    sin_, cos_, tan_, asin_, acos_, atan_ = (_in_place_of(n) for n in (
        "sin", "cos", "tan", "asin", "acos", "atan"))
    arcsin_, arccos_, arctan_, sinh_, cosh_, asinh_, acosh_, atanh_ = (_in_place_of(n) for n in (
        "arcsin", "arccos", "arctan", "sinh", "cosh", "asinh", "acosh", "atanh"))
    arcsinh_, arccosh_, arctanh_ = (_in_place_of(n) for n in ("arcsinh", "arccosh", "arctanh"))
    exp2_, expm1_, log2_, log10_, log1p_, square_ = (_in_place_of(n) for n in (
        "exp2", "expm1", "log2", "log10", "log1p", "square"))
    reciprocal_, rsqrt_, erf_, erfc_, negative_ = (_in_place_of(n) for n in (
        "reciprocal", "rsqrt", "erf", "erfc", "negative"))
    eq_, ne_, lt_, le_, gt_, ge_ = (_in_place_of(n) for n in ("eq", "ne", "lt", "le", "gt", "ge"))
    greater_, greater_equal_, less_, less_equal_, not_equal_ = (_in_place_of(n) for n in (
        "greater", "greater_equal", "less", "less_equal", "not_equal"))
    multiply_, subtract_, divide_, true_divide_ = (_in_place_of(n) for n in (
        "multiply", "subtract", "divide", "true_divide"))
    clamp_min_, clamp_max_, lerp_, hypot_, copysign_ = (_in_place_of(n) for n in (
        "clamp_min", "clamp_max", "lerp", "hypot", "copysign"))
    atan2_, arctan2_, fmod_, remainder_, floor_divide_ = (_in_place_of(n) for n in (
        "atan2", "arctan2", "fmod", "remainder", "floor_divide"))
    logical_not_, logical_and_, logical_or_, logical_xor_ = (_in_place_of(n) for n in (
        "logical_not", "logical_and", "logical_or", "logical_xor"))
    bitwise_not_, bitwise_and_, bitwise_or_, bitwise_xor_ = (_in_place_of(n) for n in (
        "bitwise_not", "bitwise_and", "bitwise_or", "bitwise_xor"))
    bitwise_left_shift_, bitwise_right_shift_, heaviside_ = (_in_place_of(n) for n in (
        "bitwise_left_shift", "bitwise_right_shift", "heaviside"))
    cumsum_, cumprod_, tril_, triu_, index_add_, scatter_add_ = (_in_place_of(n) for n in (
        "cumsum", "cumprod", "tril", "triu", "index_add", "scatter_add"))
    scatter_, scatter_reduce_, addmm_ = (_in_place_of(n) for n in (
        "scatter", "scatter_reduce", "addmm"))

    def addcmul(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return ops.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
        return ops.addcdiv(self, tensor1, tensor2, value=value)

    def addmv(self, mat: Any, vec: Any, *, beta: float = 1, alpha: float = 1) -> Tensor:
        return ops.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def addr(self, vec1: Any, vec2: Any, *, beta: float = 1, alpha: float = 1) -> Tensor:
        return ops.addr(self, vec1, vec2, beta=beta, alpha=alpha)

    def addbmm(self, batch1: Any, batch2: Any, *, beta: float = 1, alpha: float = 1) -> Tensor:
        return ops.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1: Any, batch2: Any, *, beta: float = 1, alpha: float = 1) -> Tensor:
        return ops.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def inner(self, other: Any) -> Tensor:
        return ops.inner(self, other)

    def vdot(self, other: Any) -> Tensor:
        return ops.vdot(self, other)

    def kron(self, other: Any) -> Tensor:
        return ops.kron(self, other)

    def trace(self) -> Tensor:
        return ops.trace(self)

    def cross(self, other: Any, dim: int | None = None) -> Tensor:
        return ops.cross(self, other, dim)

    def det(self) -> Tensor:
        return ops.det(self)

    def logdet(self) -> Tensor:
        return ops.logdet(self)

    def slogdet(self) -> Any:
        return ops.slogdet(self)

    def inverse(self) -> Tensor:
        return ops.inverse(self)

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        return ops.pinverse(self, rcond)

    def matrix_power(self, n: int) -> Tensor:
        return ops.matrix_power(self, n)

    def xlogy(self, other: Any) -> Tensor:
        return ops.xlogy(self, other)

    def sinc(self) -> Tensor:
        return ops.sinc(self)

    def erfinv(self) -> Tensor:
        return ops.erfinv(self)

    def logit(self, eps: float | None = None) -> Tensor:
        return ops.logit(self, eps)

    def logaddexp2(self, other: Any) -> Tensor:
        return ops.logaddexp2(self, other)

    def float_power(self, exponent: Any) -> Tensor:
        return ops.float_power(self, exponent)

    def deg2rad(self) -> Tensor:
        return ops.deg2rad(self)

    def rad2deg(self) -> Tensor:
        return ops.rad2deg(self)

    def ldexp(self, other: Any) -> Tensor:
        return ops.ldexp(self, other)

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None,
                   neginf: float | None = None) -> Tensor:
        return ops.nan_to_num(self, nan, posinf, neginf)

    @dim_or_axis
    def nansum(self, dim: int | Sequence[int] | None = None, keepdim: bool = False, *,
               dtype: DTypeLike = None) -> Tensor:
        return ops.nansum(self, dim, keepdim, dtype=dtype)

    @dim_or_axis
    def nanmean(self, dim: int | Sequence[int] | None = None, keepdim: bool = False, *,
                dtype: DTypeLike = None) -> Tensor:
        return ops.nanmean(self, dim, keepdim, dtype=dtype)

    @dim_or_axis
    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return ops.median(self, dim, keepdim)

    @dim_or_axis
    def nanmedian(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return ops.nanmedian(self, dim, keepdim)

    @dim_or_axis
    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        return ops.mode(self, dim, keepdim)

    @dim_or_axis
    def quantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *,
                 interpolation: str = "linear") -> Tensor:
        return ops.quantile(self, q, dim, keepdim, interpolation=interpolation)

    @dim_or_axis
    def nanquantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *,
                    interpolation: str = "linear") -> Tensor:
        return ops.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    @dim_or_axis
    def diff(self, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
             append: Tensor | None = None) -> Tensor:
        return ops.diff(self, n, dim, prepend, append)

    def dist(self, other: Any, p: float = 2) -> Tensor:
        return ops.dist(self, other, p)

    def renorm(self, p: float, dim: int, maxnorm: float) -> Tensor:
        return ops.renorm(self, p, dim, maxnorm)

    def cov(self, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:
        return ops.cov(self, correction=correction, fweights=fweights, aweights=aweights)

    def corrcoef(self) -> Tensor:
        return ops.corrcoef(self)

    def unique(self, sorted: bool = True, return_inverse: bool = False,
               return_counts: bool = False, dim: int | None = None) -> Any:
        return ops.unique(self, sorted, return_inverse, return_counts, dim)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Tensor:
        return ops.bincount(self, weights, minlength)

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
        return ops.histc(self, bins, min, max)

    def histogram(self, bins: Any = 100, *, range: Any = None, weight: Tensor | None = None,
                  density: bool = False) -> Any:
        return ops.histogram(self, bins, range=range, weight=weight, density=density)

    @dim_or_axis
    def index_fill(self, dim: int, index: Any, value: Any) -> Tensor:
        return ops.index_fill(self, dim, index, value)

    @dim_or_axis
    def index_copy(self, dim: int, index: Any, source: Any) -> Tensor:
        return ops.index_copy(self, dim, index, source)

    def masked_scatter(self, mask: Any, source: Any) -> Tensor:
        return ops.masked_scatter(self, mask, source)

    def float_power_(self, exponent: Any) -> Tensor:
        """In place: self ** exponent in float64, so self must be float64 (as in PyTorch)."""
        if self.dtype != np.float64:
            raise RuntimeError(f"float_power_: the base has dtype {self.dtype} but the result "
                               "requires float64")
        return self._write_in_place("float_power_", ops.float_power, exponent)

    addcmul_, addcdiv_, addmv_, addr_, addbmm_, baddbmm_ = (_in_place_of(n) for n in (
        "addcmul", "addcdiv", "addmv", "addr", "addbmm", "baddbmm"))
    deg2rad_, rad2deg_, erfinv_, logit_, sinc_, xlogy_, ldexp_ = (_in_place_of(n) for n in (
        "deg2rad", "rad2deg", "erfinv", "logit", "sinc", "xlogy", "ldexp"))
    nan_to_num_, renorm_, index_fill_, index_copy_, masked_scatter_ = (_in_place_of(n) for n in (
        "nan_to_num", "renorm", "index_fill", "index_copy", "masked_scatter"))

    def take(self, index: Any) -> Tensor:
        return ops.take(self, index)

    def argwhere(self) -> Tensor:
        return ops.argwhere(self)

    def index_put(self, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
        return ops.index_put(self, indices, values, accumulate)

    def fmax(self, other: Any) -> Tensor:
        return ops.fmax(self, other)

    def fmin(self, other: Any) -> Tensor:
        return ops.fmin(self, other)

    def signbit(self) -> Tensor:
        return ops.signbit(self)

    def isposinf(self) -> Tensor:
        return ops.isposinf(self)

    def isneginf(self) -> Tensor:
        return ops.isneginf(self)

    def isreal(self) -> Tensor:
        return ops.isreal(self)

    def gcd(self, other: Any) -> Tensor:
        return ops.gcd(self, other)

    def lcm(self, other: Any) -> Tensor:
        return ops.lcm(self, other)

    def frexp(self) -> tuple[Tensor, Tensor]:
        return ops.frexp(self)

    def nextafter(self, other: Any) -> Tensor:
        return ops.nextafter(self, other)

    def msort(self) -> Tensor:
        return ops.msort(self)

    def unique_consecutive(self, return_inverse: bool = False, return_counts: bool = False,
                           dim: int | None = None) -> Any:
        return ops.unique_consecutive(self, return_inverse, return_counts, dim)

    def diagflat(self, offset: int = 0) -> Tensor:
        return ops.diagflat(self, offset)

    def sum_to_size(self, *size: Any) -> Tensor:
        return ops.sum_to_size(self, *size)

    def positive(self) -> Tensor:
        """self (torch.positive returns its input)."""
        if self.dtype == np.bool_:
            raise TypeError("positive: not defined for bool tensors")
        return self

    def is_nonzero(self) -> bool:
        """The truth of a one-element tensor (an error for any other)."""
        if self.array.size != 1:
            raise RuntimeError(f"is_nonzero: the tensor must have one element, got shape "
                               f"{self.shape}")
        return builtins.bool(self.array.reshape(()) != 0)

    def is_same_size(self, other: Tensor) -> bool:
        return self.shape == other.shape

    def fill_diagonal_(self, fill_value: Any, wrap: bool = False) -> Tensor:
        """fill_value on the main diagonal (all indices equal); for a tall matrix, wrap starts
        the diagonal again every ncols + 1 rows, as numpy's fill_diagonal."""
        if self.ndim < 2 or (self.ndim > 2 and len(set(self.shape)) != 1):
            raise RuntimeError(f"fill_diagonal_: needs a matrix, or a tensor with all dims of "
                               f"one size, got shape {self.shape}")
        mask = np.zeros(self.shape, bool)
        np.fill_diagonal(mask, True, wrap=wrap)
        return self.masked_fill_(mask, fill_value)

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator: Any = None) -> Tensor:
        """num_samples category indices per row of self's (unnormalized, non-negative)
        weights, without replacement unless replacement=True; int64."""
        weights = self.array.astype(np.float64).reshape(-1, self.shape[-1] if self.ndim else 1)
        if self.ndim not in (1, 2) or np.any(weights < 0) or not np.all(np.isfinite(weights)):
            raise RuntimeError("multinomial: expects a 1-D or 2-D tensor of finite, "
                               "non-negative weights")
        if np.any(weights.sum(1) <= 0):
            raise RuntimeError("multinomial: every row of weights must have a positive sum")
        if not replacement and num_samples > weights.shape[1]:
            raise RuntimeError(f"multinomial: cannot take {num_samples} samples without "
                               f"replacement from {weights.shape[1]} categories")
        rng = numpy_generator(generator, "multinomial")
        if replacement:
            rows = [rng.choice(len(w), num_samples, p=w / w.sum()) for w in weights]
        else:  # as torch: once the nonzero-weight categories are used up, the zero-weight
            # ones follow (in index order; torch's order among them is its topk's for ties)
            rows = [np.concatenate([
                rng.choice(len(w), min(num_samples, np.count_nonzero(w)), replace=False,
                           p=w / w.sum()),
                np.flatnonzero(w == 0)])[:num_samples] for w in weights]
        out = np.array(rows, np.int64).reshape(*self.shape[:-1], num_samples)
        return Tensor._make(out)

    index_put_ = _in_place_of("index_put")

    # real tensors: the complex-number methods are identities, the flags False; complex ones
    # (from linalg.eig) give their parts, outside the graph
    def conj(self) -> Tensor:
        return self._complex_part("conj", np.conj) if self.is_complex() else self

    resolve_conj = resolve_neg = conj_physical = conj

    @property
    def real(self) -> Tensor:
        return self._complex_part("real", np.real) if self.is_complex() else self

    @property
    def imag(self) -> Tensor:
        if not self.is_complex():
            raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
        return self._complex_part("imag", np.imag)

    def _complex_part(self, name: str, fn: Callable[[np.ndarray], np.ndarray]) -> Tensor:
        from minigrad.ops.elementwise import _complex_values
        return _complex_values(name, fn, self)

    def is_conj(self) -> bool:
        return False

    is_neg = is_conj

    def is_inference(self) -> bool:
        """True for a tensor made inside torch.inference_mode: it cannot be saved for backward
        (clone it outside the block to get a normal tensor)."""
        return self._inference

    @property
    def mH(self) -> Tensor:
        return self.mT

    @property
    def H(self) -> Tensor:
        """The conjugate transpose of a matrix (real values here: its transpose)."""
        if self.ndim not in (0, 2):
            raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{self.ndim}-D tensor.")
        return self.T

    def adjoint(self) -> Tensor:
        return self.mT

    def angle(self) -> Tensor:
        return ops.angle(self)

    def hardshrink(self, lambd: float = 0.5) -> Tensor:
        return ops.hardshrink(self, lambd)

    def byte(self) -> Tensor:
        return self.to(np.uint8)

    def char(self) -> Tensor:
        return self.to(np.int8)

    def data_ptr(self) -> int:
        """The address of the first element."""
        return self.array.ctypes.data

    @dim_or_axis
    def select_scatter(self, src: Any, dim: int, index: int) -> Tensor:
        return ops.select_scatter(self, src, dim, index)

    @dim_or_axis
    def slice_scatter(self, src: Any, dim: int = 0, start: int | None = None,
                      end: int | None = None, step: int = 1) -> Tensor:
        return ops.slice_scatter(self, src, dim, start, end, step)

    def diagonal_scatter(self, src: Any, offset: int = 0, dim1: int = 0, dim2: int = 1
                         ) -> Tensor:
        return ops.diagonal_scatter(self, src, offset, dim1, dim2)

    def put(self, index: Any, source: Any, accumulate: bool = False) -> Tensor:
        return ops.put(self, index, source, accumulate)

    def new(self, *args: Any) -> Tensor:
        """The legacy constructor: new(sizes...) is new_empty, new(data) new_tensor."""
        if all(isinstance(a, (int, np.integer)) for a in args):
            return self.new_empty(*args)
        return self.new_tensor(args[0])

    def apply_(self, callable: Callable[[Any], Any]) -> Tensor:
        """Each element replaced by callable(element), in Python (slow; no gradient)."""
        if self.requires_grad:
            raise RuntimeError("apply_: can't call it on a tensor that requires grad")
        values = [callable(v) for v in self.array.reshape(-1).tolist()]
        return self.copy_(np.asarray(values).reshape(self.shape))

    def map_(self, tensor: Tensor, callable: Callable[[Any, Any], Any]) -> Tensor:
        """Each element replaced by callable(element, tensor's element), tensor broadcast."""
        if self.requires_grad:
            raise RuntimeError("map_: can't call it on a tensor that requires grad")
        other = np.broadcast_to(tensor.array, self.shape).reshape(-1).tolist()
        values = [callable(a, b) for a, b in zip(self.array.reshape(-1).tolist(), other,
                                                  strict=True)]
        return self.copy_(np.asarray(values).reshape(self.shape))

    def resize_(self, *sizes: Any) -> Tensor:
        """Change the shape in place, keeping the first elements (new ones are zero here,
        uninitialized in PyTorch)."""
        if self.requires_grad:
            raise RuntimeError("resize_: cannot resize a tensor that requires grad")
        shape = sizes[0] if len(sizes) == 1 and not isinstance(sizes[0], int) else sizes
        new = np.zeros(tuple(shape), self.dtype)
        count = min(new.size, self.array.size)
        new.reshape(-1)[:count] = self.array.reshape(-1)[:count]
        self.array = new
        self._shared_version_counter().bump()
        return self

    def resize_as_(self, tensor: Tensor) -> Tensor:
        return self.resize_(tensor.shape)

    gcd_, lcm_, nextafter_, put_ = (_in_place_of(n) for n in ("gcd", "lcm", "nextafter", "put"))

    def lgamma(self) -> Tensor:
        return ops.lgamma(self)

    def digamma(self) -> Tensor:
        return ops.digamma(self)

    def polygamma(self, n: int) -> Tensor:
        return ops.polygamma(n, self)

    def mvlgamma(self, p: int) -> Tensor:
        return ops.mvlgamma(self, p)

    lgamma_, digamma_, polygamma_, mvlgamma_ = (_in_place_of(n) for n in (
        "lgamma", "digamma", "polygamma", "mvlgamma"))

    def cholesky(self, upper: bool = False) -> Tensor:
        return ops.cholesky(self, upper)

    def cholesky_solve(self, input2: Tensor, upper: bool = False) -> Tensor:
        return ops.cholesky_solve(self, input2, upper)

    def cholesky_inverse(self, upper: bool = False) -> Tensor:
        return ops.cholesky_inverse(self, upper)

    def ger(self, vec2: Any) -> Tensor:
        return ops.ger(self, vec2)

    # decompositions (torch.svd and torch.qr's old APIs; linalg's are in minigrad.linalg)
    def svd(self, some: bool = True, compute_uv: bool = True) -> Any:
        return ops.svd(self, some, compute_uv)

    def qr(self, some: bool = True) -> Any:
        return ops.qr(self, some)

    def matrix_exp(self) -> Tensor:
        return ops.matrix_exp(self)

    def orgqr(self, input2: Tensor) -> Tensor:
        return ops.orgqr(self, input2)

    def ormqr(self, input2: Tensor, input3: Tensor, left: bool = True,
              transpose: bool = False) -> Tensor:
        return ops.ormqr(self, input2, input3, left, transpose)

    def geqrf(self) -> Any:
        return ops.geqrf(self)

    def lu(self, pivot: bool = True, get_infos: bool = False) -> Any:
        return ops.lu(self, pivot, get_infos)

    def lu_solve(self, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
        return ops.lu_solve(self, LU_data, LU_pivots)

    def triangular_solve(self, A: Tensor, upper: bool = True, transpose: bool = False,
                         unitriangular: bool = False) -> Any:
        return ops.triangular_solve(self, A, upper, transpose, unitriangular)

    # random fills (generator=: a minigrad.Generator, else the default one)
    def _fill_drawn(self, op: str, draw: Callable[[np.random.Generator], Any],
                    generator: Any) -> Tensor:
        values = np.asarray(draw(numpy_generator(generator, op)))
        return self._write_in_place(op, lambda old: setitem(old, ..., values.astype(old.dtype)))

    def random_(self, from_: int = 0, to: int | None = None, *, generator: Any = None) -> Tensor:
        """Integers uniform in [from_, to); random_(to) is [0, to); with neither, [0, the
        largest integer the dtype holds exactly] (2^24 for float32), as in PyTorch."""
        low, high = (0, from_) if to is None and from_ != 0 else (from_, to)
        if high is None:
            kind = self.dtype
            high = (2 ** (np.finfo(kind).nmant + 1) + 1 if kind.kind == "f"
                    else 2 if kind == np.bool_ else int(np.iinfo(kind).max) + 1)
        if low >= high:
            raise RuntimeError(f"random_: expects 'from' ({low}) to be less than 'to' ({high})")
        return self._fill_drawn("random_", lambda rng: rng.integers(low, high - 1, self.shape,
                                                                    endpoint=True), generator)

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        """1 with probability p (a number or a tensor broadcast to this shape), else 0."""
        p = p.array if isinstance(p, Tensor) else p
        if np.any((np.asarray(p) < 0) | (np.asarray(p) > 1)):
            raise RuntimeError("bernoulli_: p must be in [0, 1]")
        return self._fill_drawn("bernoulli_", lambda rng: rng.random(self.shape) < p, generator)

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> Tensor:
        """0 or 1 per element, 1 with probability self (or p); no gradient."""
        probs = self.array if p is None else np.broadcast_to(np.asarray(p), self.shape)
        if np.any((probs < 0) | (probs > 1)):
            raise RuntimeError("bernoulli: all probabilities must be in [0, 1]")
        return Tensor._make(np.zeros(self.shape, self.dtype)).bernoulli_(probs,
                                                                         generator=generator)

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
        """Draws from the exponential distribution of rate lambd (density lambd e^(-lambd x))."""
        return self._fill_drawn("exponential_", lambda rng: rng.exponential(1 / lambd,
                                                                            self.shape), generator)

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator: Any = None
                    ) -> Tensor:
        """exp of draws from N(mean, std^2)."""
        return self._fill_drawn("log_normal_", lambda rng: rng.lognormal(mean, std, self.shape),
                                generator)

    def geometric_(self, p: float, *, generator: Any = None) -> Tensor:
        """The number of trials up to the first success (1, 2, ...), success probability p."""
        return self._fill_drawn("geometric_", lambda rng: rng.geometric(p, self.shape),
                                generator)

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None
                ) -> Tensor:
        return self._fill_drawn("cauchy_", lambda rng: median + sigma
                                * rng.standard_cauchy(self.shape), generator)

    # *** in-place ops ***
    # Each returns self. Under no_grad, or when nothing involved requires grad, it just writes
    # into self.array; otherwise the write is recorded in the graph (see _write_in_place).
    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._write_in_place("add_", lambda old, o: old + _scaled(o, alpha), other)

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._write_in_place("sub_", lambda old, o: old - _scaled(o, alpha), other)

    def mul_(self, other: Any) -> Tensor:
        return self._write_in_place("mul_", lambda old, o: old * o, other)

    def div_(self, other: Any) -> Tensor:
        return self._write_in_place("div_", lambda old, o: old / o, other)

    def pow_(self, exponent: Any) -> Tensor:
        return self._write_in_place("pow_", lambda old, e: old**e, exponent)

    def neg_(self) -> Tensor:
        return self._write_in_place("neg_", lambda old: -old)

    def exp_(self) -> Tensor:
        return self._write_in_place("exp_", ops.exp)

    def sigmoid_(self) -> Tensor:
        return self._write_in_place("sigmoid_", ops.sigmoid)

    def tanh_(self) -> Tensor:
        return self._write_in_place("tanh_", ops.tanh)

    def relu_(self) -> Tensor:
        return self._write_in_place("relu_", ops.relu)

    def clamp_(self, min: float | None = None, max: float | None = None) -> Tensor:
        return self._write_in_place("clamp_", lambda old: ops.clamp(old, min, max))

    clip_ = clamp_

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        """Every element becomes value (a number, or a 0-d tensor)."""
        if isinstance(value, Tensor) and value.ndim:
            raise RuntimeError(f"fill_: value must be a number or a 0-d tensor, got a tensor of "
                               f"shape {value.shape}")
        if not isinstance(value, (Tensor, int, float, complex, np.generic)):
            raise TypeError(f"fill_: value must be a number or a 0-d tensor, got "
                            f"{type(value).__name__}")
        return self._write_in_place("fill_", lambda old, v: setitem(old, ..., v), value)

    def copy_(self, src: Any) -> Tensor:
        """Copy src's values in (broadcast to this shape, converted to this dtype)."""
        src = src if isinstance(src, Tensor) else Tensor(src)
        if src.dtype != self.dtype:
            src = src.to(self.dtype)
        return self._write_in_place("copy_", lambda old, v: setitem(old, ..., v), src)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """value where mask (a bool tensor broadcast to this shape) is True."""
        mask = mask.array if isinstance(mask, Tensor) else np.asarray(mask)
        if mask.dtype != np.bool_:
            raise RuntimeError(f"masked_fill_: mask must be a bool tensor, got {mask.dtype}")
        try:
            mask = np.broadcast_to(mask, self.shape)
        except ValueError:
            raise RuntimeError(f"masked_fill_: mask of shape {mask.shape} does not broadcast to "
                               f"the tensor's shape {self.shape}") from None
        return self._write_in_place("masked_fill_", lambda old, v: setitem(old, mask, v), value)

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        """Values drawn uniformly from [a, b) with generator, else minigrad's default one."""
        values = numpy_generator(generator, "uniform_").uniform(a, b, self.shape)
        return self._write_in_place("uniform_", lambda old: setitem(old, ..., values))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        values = numpy_generator(generator, "normal_").normal(mean, std, self.shape)
        return self._write_in_place("normal_", lambda old: setitem(old, ..., values))

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __setitem__(self, index: Any, value: Any) -> None:
        """t[index] = value (a number or a tensor broadcast to t[index]'s shape), in place;
        differentiable to t's old values (zero where overwritten) and to value."""
        self._write_in_place("__setitem__", lambda old, v: setitem(old, index, v, True), value)

    def _write_in_place(self, op: str, new_value: Callable[..., Tensor],
                        *operands: Any) -> Tensor:
        """Write new_value(self, *operands), computed out of place, into self's memory, keeping
        its shape and dtype, and bump its version. When grad mode is on and self or an operand
        requires grad, the write is recorded: new_value runs on `old`, a copy of self that takes
        self's place in the graph (so whatever the new node saves stays valid, and an operand
        that is self itself means old), and self becomes the new node's output. The node keeps
        `old` as `_replaced`, for the nodes recorded before that took self's previous version as
        input."""
        if self._inference and not _Inference.enabled:
            raise RuntimeError(f"{op}: Inplace update to inference tensor outside InferenceMode "
                               "is not allowed. You can make a clone to get a normal tensor "
                               "before doing inplace update.")
        recording = function.is_grad_enabled() and (self.requires_grad or any(
            isinstance(o, Tensor) and o.requires_grad for o in operands))
        if recording and self._base is not None and not (self.is_leaf and self.requires_grad):
            return self._write_view_in_place(op, new_value, *operands)
        if recording:
            self._check_recordable(op)
            old = self._stand_in(self.array.copy())
            new = new_value(old, *[old if o is self else o for o in operands])
        else:
            old, new = None, new_value(self, *operands)
        new = _fit_in_place(new, self, op, recording)
        if not self.array.flags.writeable:
            raise RuntimeError(f"{op}: this tensor's memory is read-only (an expand() or a "
                               "numpy read-only array); write into a copy")
        np.copyto(self.array, new.array, casting="unsafe")
        self._shared_version_counter().bump()
        if recording:
            self.grad_fn, self._output_nr, self._requires_grad = new.grad_fn, new._output_nr, True
            new.grad_fn._replaced = old
        return self

    def _write_view_in_place(self, op: str, new_value: Callable[..., Tensor],
                             *operands: Any) -> Tensor:
        """_write_in_place, recorded, for a view: the new values, computed on a stand-in for
        the view's old version, are written into the base as base[index] = new (recorded on
        the base), and the view becomes base[index] read again (its node keeps the old
        version as `_replaced`). index holds the base positions of the view's elements, found
        from the memory layout."""
        if self._base.is_leaf and self._base.requires_grad:
            raise RuntimeError(f"{op}: a view of a leaf Variable that requires grad is being "
                               "used in an in-place operation (update parameters inside `with "
                               "mg.no_grad():`)")
        index = self._index_in_base()
        if index is None or not self.array.flags.writeable:
            self._check_recordable(op)  # refuses, naming the reason
        old = self._stand_in(self.array.copy())
        new = new_value(old, *[old if o is self else o for o in operands])
        new = _fit_in_place(new, self, op, True)
        self._base[index] = new
        fresh = self._base[index]
        self.grad_fn, self._output_nr, self._requires_grad = fresh.grad_fn, fresh._output_nr, True
        fresh.grad_fn._replaced = old
        return self

    def _index_in_base(self) -> tuple[np.ndarray, ...] | None:
        """For a view of a C-contiguous base of its dtype: integer arrays (one per base dim,
        each of the view's shape) that pick the view's elements out of the base; None when
        the layout does not allow it."""
        base, view = self._base.array, self.array
        if base.dtype != view.dtype or not base.flags.c_contiguous:
            return None
        size = view.itemsize
        offset = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        if offset % size or any(stride % size for stride in view.strides):
            return None
        flat = np.full(view.shape, offset // size, dtype=np.int64)
        for d, (n, stride) in enumerate(zip(view.shape, view.strides)):
            flat += (np.arange(n) * (stride // size)).reshape((n,) + (1,) * (view.ndim - d - 1))
        if flat.size and (flat.min() < 0 or flat.max() >= base.size):
            return None
        return np.unravel_index(flat, base.shape)

    def _stand_in(self, array: np.ndarray) -> Tensor:
        """A new Tensor on array that holds self's place in the graph (grad_fn, output number):
        the version an in-place write replaces, or a freed node's input without its values."""
        t = Tensor._make(array, self.requires_grad)
        t.grad_fn, t._output_nr = self.grad_fn, self._output_nr
        return t

    def _check_recordable(self, op: str) -> None:
        if self.is_leaf and self.requires_grad:
            raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an "
                               "in-place operation (update parameters inside `with "
                               "mg.no_grad():`)")
        if self._base is not None:
            raise RuntimeError(f"{op}: this tensor is a view of another tensor's memory (made "
                               "by indexing, reshape, transpose, ...); minigrad records in-place "
                               "ops only on the base tensor, so write into it instead (e.g. "
                               "base[index] = value), or write into a .clone()")

    # *** gaps2: short-time Fourier transform (minigrad/spectral.py), the Bessel function I0 ***
    def stft(self, *args: Any, **kwargs: Any) -> Tensor:
        return spectral.stft(self, *args, **kwargs)

    def istft(self, *args: Any, **kwargs: Any) -> Tensor:
        return spectral.istft(self, *args, **kwargs)

    def i0(self) -> Tensor:
        return ops.i0(self)

    i0_ = _in_place_of("i0")


class RemovableHandle:
    """Returned by register_hook and register_forward_hook; `remove()` unregisters."""

    def __init__(self, hooks: list | dict, hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if isinstance(self._hooks, dict):
            self._hooks.pop(self._hook, None)
        elif self._hook in self._hooks:
            self._hooks.remove(self._hook)


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def to_arguments(args: tuple, kwargs: dict) -> tuple[np.dtype | None, bool]:
    """The dtype (None: unchanged) and copy flag that `.to(...)` of a Tensor or Module asks
    for: a dtype, a device, a tensor (its dtype), or keywords; the device is checked."""
    kwargs = dict(kwargs)
    dtype, device = kwargs.pop("dtype", None), kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif _device.is_device_like(arg):
            device = arg
        elif isinstance(arg, builtins.bool):
            copy = arg  # to(dtype, non_blocking, copy) positional flags: the last one wins
        else:
            dtype = arg
    _device.as_device(device)
    return _dtypes.as_dtype(dtype, "to"), copy


def _scaled(other: Any, alpha: float) -> Any:
    return other if alpha == 1 else other * alpha


def _fit_in_place(new: Tensor, t: Tensor, op: str, recording: bool) -> Tensor:
    """new, checked to fit into t's memory: the same shape, and a dtype t's dtype can take
    (float into int is refused, as in PyTorch); cast to that dtype when recording."""
    if new.array.shape != t.array.shape:
        raise RuntimeError(f"{op}: output with shape {t.shape} doesn't match the broadcast "
                           f"shape {new.shape}")
    if new.array.dtype != t.array.dtype:
        if not np.can_cast(new.array.dtype, t.array.dtype, "same_kind"):
            raise RuntimeError(f"{op}: result type {new.dtype} can't be cast to the desired "
                               f"output type {t.dtype}")
        if recording:
            new = new.to(t.array.dtype)
    return new


def _checked_grad(g: Any, shape: tuple[int, ...], what: str) -> Tensor | None:
    """g if it can be the gradient of a tensor of that shape: None, or a floating point Tensor
    of the shape."""
    if g is None:
        return None
    if not isinstance(g, Tensor):
        raise TypeError(f"{what} expected to be a Tensor or None but got grad of type "
                        f"{type(g).__name__}")
    if g.array.shape != shape:
        raise RuntimeError(f"{what} has shape {g.shape}, but the tensor has shape {shape}; "
                           "a gradient must have its tensor's shape")
    if g.array.dtype.kind not in "fc":
        raise RuntimeError(f"{what} has dtype {g.dtype}; a gradient must be floating point")
    return g


# Tensor's methods delegate to the ops, the autograd walk and the creation helpers, which all
# build on Tensor, so they are imported last. The engine's own logic (function.py, autograd.py)
# imports no op module: where the walk needs a sum or a cast, it calls these Tensor methods.
from minigrad import autograd, creation, function, ops  # noqa: E402
from minigrad.ops.inplace import setitem  # noqa: E402
from minigrad.random import numpy_generator  # noqa: E402

# isort: split
from minigrad import spectral  # noqa: E402  (gaps2: Tensor.stft and istft; it builds on ops)

