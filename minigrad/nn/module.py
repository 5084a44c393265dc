"""Module and Parameter: a module's parameters, buffers and sub-modules are found by walking its
attributes (also inside lists, tuples and dicts), never listed by hand."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from minigrad.device import as_device, check_available
from minigrad.dtypes import as_dtype, get_default_dtype
from minigrad.function import Function, is_grad_enabled, no_grad
from minigrad.tensor import RemovableHandle, Tensor, to_arguments


class Parameter(Tensor):
    """A Tensor that a Module trains: it requires grad unless told otherwise."""

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty(0, get_default_dtype())
        super().__init__(data.array if isinstance(data, Tensor) else data,
                         requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


_ARRAY_SLOT = Tensor.__dict__["array"]
_UNINITIALIZED = ("this parameter of a lazy module (such as nn.LazyLinear) is not initialized "
                  "yet: its shape is known only once the module has been called; call the "
                  "model once on a batch before using its parameters")


class UninitializedTensorMixin:
    """A tensor whose shape is not known yet (a lazy module's parameter or buffer before its
    first call). Its values cannot be read; `materialize(shape)` turns it into an ordinary
    Parameter or Tensor in place, so optimizers made before the first call keep working."""

    __slots__ = ()
    cls_to_become: type = Tensor

    @property
    def array(self) -> np.ndarray:  # so .data, .numpy() and every op refuse too
        raise ValueError(_UNINITIALIZED)

    @array.setter
    def array(self, value: np.ndarray) -> None:
        _ARRAY_SLOT.__set__(self, value)

    @property
    def shape(self) -> tuple[int, ...]:
        raise RuntimeError(_UNINITIALIZED)

    @property
    def dtype(self) -> np.dtype:
        return _ARRAY_SLOT.__get__(self).dtype

    def numel(self) -> int:
        raise ValueError(_UNINITIALIZED)

    def __deepcopy__(self, memo: dict) -> Tensor:
        copy = type(self)(requires_grad=self.requires_grad, dtype=self.dtype)
        memo[id(self)] = copy
        return copy

    def materialize(self, shape: tuple[int, ...], dtype: Any = None) -> None:
        """Give the tensor its shape (values uninitialized) and make it a Parameter (a Tensor,
        for a buffer)."""
        self.array = np.empty(shape, as_dtype(dtype) or self.dtype)
        self.__class__ = self.cls_to_become

    def _retype(self, dtype: np.dtype) -> None:
        self.array = np.empty(0, dtype)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A lazy module's parameter before its first call (see UninitializedTensorMixin)."""

    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        as_device(device)
        Parameter.__init__(self, np.empty(0, as_dtype(dtype) or get_default_dtype()),
                           requires_grad=requires_grad)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A lazy module's buffer (batch norm's running statistics) before its first call."""

    __slots__ = ()  # Tensor's layout, so that materialize can make it a Tensor

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None) -> None:
        as_device(device)
        Tensor.__init__(self, np.empty(0, as_dtype(dtype) or get_default_dtype()),
                        requires_grad=requires_grad)


class LazyModuleMixin:
    """A module whose parameters' shapes come from its first input, as PyTorch's: until then
    they are UninitializedParameters (its buffers UninitializedBuffers). A forward pre-hook runs
    at the first call: `initialize_parameters(*input)` gives them their shapes and initializes
    them as the regular module would, then the module becomes that regular class
    (`cls_to_become`) and the hook is removed."""

    cls_to_become: type | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters,
                                                               with_kwargs=True)

    def has_uninitialized_params(self) -> bool:
        """Whether any of this module's own parameters or buffers still lacks its shape."""
        return any(isinstance(t, UninitializedTensorMixin) for _, t in self._own_state(""))

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        """Shape the uninitialized parameters and buffers after the first call's input."""
        raise NotImplementedError(f"{type(self).__name__} must define initialize_parameters")

    def _infer_parameters(self, module: Any, args: tuple, kwargs: dict) -> None:
        with no_grad():
            self.initialize_parameters(*args, **kwargs)
        if self.has_uninitialized_params():
            raise RuntimeError(f"module {type(self).__name__} has not been fully initialized")
        self._initialize_hook.remove()
        del self._initialize_hook
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become


_HOOK_KEYS = itertools.count()  # hook handles' keys, unique across modules


class _HookIdentity(Function):
    """The identity, whose backward hands the gradients to a module's backward hooks: around
    the tensor inputs (grad_input) and the outputs (grad_output) of one call."""

    @staticmethod
    def forward(ctx, hooks, at_inputs, *tensors):
        ctx.hooks, ctx.at_inputs = hooks, at_inputs
        views = tuple(t.array.view() for t in tensors)
        return views if len(views) > 1 else views[0]

    @staticmethod
    def backward(ctx, *grads):
        hooks = ctx.hooks
        grads = hooks.inputs_done(grads) if ctx.at_inputs else hooks.outputs_done(grads)
        return (None, None, *grads)


class _BackwardHooks:
    """One call's full backward hooks, as PyTorch runs them: pre-hooks when grad_output
    arrives, hooks when grad_input is known (at once, with Nones, if no input needs grad)."""

    def __init__(self, module: Module) -> None:
        self.module, self.grad_output, self.inputs = module, (), 0
        self.inputs_need_grad = False

    def wrap_inputs(self, args: tuple) -> tuple:
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.inputs = len(positions)
        self.inputs_need_grad = is_grad_enabled() and any(args[i].requires_grad
                                                          for i in positions)
        if not self.inputs_need_grad:
            return args
        return _replace(args, positions, _HookIdentity.apply(self, True,
                                                             *[args[i] for i in positions]))

    def wrap_outputs(self, output: Any) -> Any:
        single = isinstance(output, Tensor)
        items = (output,) if single else output
        if not isinstance(items, tuple):
            return output
        positions = [i for i, o in enumerate(items) if isinstance(o, Tensor) and o.requires_grad]
        if not positions or not is_grad_enabled():
            return output
        items = _replace(items, positions, _HookIdentity.apply(self, False,
                                                               *[items[i] for i in positions]))
        return items[0] if single else items

    def outputs_done(self, grads: tuple) -> tuple:
        for hook in list(self.module._backward_pre_hooks.values()):
            result = hook(self.module, grads)
            if result is not None:
                grads = tuple(result)
        self.grad_output = grads
        if not self.inputs_need_grad:
            self._call_hooks((None,) * self.inputs)
        return grads

    def inputs_done(self, grads: tuple) -> tuple:
        return self._call_hooks(grads)

    def _call_hooks(self, grad_input: tuple) -> tuple:
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                grad_input = tuple(result)
        return grad_input


def _replace(items: tuple, positions: list[int], new: Any) -> tuple:
    """items with those at positions replaced by new (one Tensor, or a tuple of them)."""
    new = new if isinstance(new, tuple) else (new,)
    out = list(items)
    for i, t in zip(positions, new):
        out[i] = t
    return tuple(out)


class IncompatibleKeys(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        """What `print(model.load_state_dict(sd))` shows, as in PyTorch."""
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"IncompatibleKeys(missing_keys={self.missing_keys!r}, "
                f"unexpected_keys={self.unexpected_keys!r})")

    __str__ = __repr__


class Module:
    """Base class of layers and models: subclass it, create parameters and sub-modules in
    `__init__` (after `super().__init__()`), and write `forward`."""

    def __init__(self) -> None:
        self.training = True
        self._buffer_names: list[str] = []
        self._forward_hooks: dict[int, Callable] = {}  # see the hooks section below
        self._forward_pre_hooks: dict[int, Callable] = {}
        self._backward_hooks: dict[int, Callable] = {}
        self._backward_pre_hooks: dict[int, Callable] = {}

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        d = self.__dict__
        if "_forward_hooks" not in d:
            self._state("_forward_hooks")  # raises: super().__init__() was not called
        if not (d["_forward_hooks"] or d.get("_forward_pre_hooks") or d.get("_backward_hooks")
                or d.get("_backward_pre_hooks")):
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    # *** hooks, as PyTorch's: forward pre-hooks, forward hooks, full backward (pre-)hooks ***
    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        with_kwargs_keys = self.__dict__.get("_forward_pre_hooks_with_kwargs", ())
        for key, hook in list(self._state("_forward_pre_hooks").items()):
            if key in with_kwargs_keys:
                result = hook(self, args, kwargs)
                if result is not None:
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        backward = None
        if self._state("_backward_hooks") or self._state("_backward_pre_hooks"):
            backward = _BackwardHooks(self)
            args = backward.wrap_inputs(args)
        output = self.forward(*args, **kwargs)
        with_kwargs_keys = self.__dict__.get("_forward_hooks_with_kwargs", ())
        for key, hook in list(self._forward_hooks.items()):
            result = (hook(self, args, kwargs, output) if key in with_kwargs_keys
                      else hook(self, args, output))
            if result is not None:
                output = result
        if backward is not None:
            output = backward.wrap_outputs(output)
        return output

    def _add_hook(self, name: str, entry: Any, prepend: bool, with_kwargs: bool = False
                  ) -> RemovableHandle:
        """hooks[name][key] = entry, as PyTorch keeps them (`module._forward_pre_hooks` holds
        the hooks themselves); with_kwargs marks the key in `<name>_with_kwargs`."""
        hooks = self._state(name)
        key = next(_HOOK_KEYS)
        if with_kwargs:
            self.__dict__.setdefault(name + "_with_kwargs", {})[key] = True
        if prepend:
            items = list(hooks.items())
            hooks.clear()
            hooks.update([(key, entry), *items])
        else:
            hooks[key] = entry
        return RemovableHandle(hooks, key)

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call hook(module, args) (with_kwargs: hook(module, args, kwargs)) before every
        forward; a non-None result replaces the arguments (with_kwargs: an (args, kwargs)
        pair)."""
        return self._add_hook("_forward_pre_hooks", hook, prepend, with_kwargs)

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False, always_call: bool = False
                              ) -> RemovableHandle:
        """Call hook(module, args, output) (with_kwargs: hook(module, args, kwargs, output))
        after every forward; a non-None result replaces the output. Experiments use it to
        watch activations without editing the model."""
        return self._add_hook("_forward_hooks", hook, prepend, with_kwargs)

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False
                                    ) -> RemovableHandle:
        """Call hook(module, grad_input, grad_output) once the gradients of the module's tensor
        inputs are known (None for inputs that need none); a non-None result (a tuple) replaces
        grad_input."""
        return self._add_hook("_backward_hooks", hook, prepend)

    def register_full_backward_pre_hook(self, hook: Callable, prepend: bool = False
                                        ) -> RemovableHandle:
        """Call hook(module, grad_output) when the gradients of the outputs arrive; a non-None
        result (a tuple) replaces grad_output."""
        return self._add_hook("_backward_pre_hooks", hook, prepend)

    def register_buffer(self, name: str, tensor: Tensor | np.ndarray | None,
                        persistent: bool = True) -> None:
        """State that is not trained (batch norm's running statistics), saved in state_dict
        unless persistent=False."""
        if tensor is not None and not isinstance(tensor, Tensor):
            if not isinstance(tensor, np.ndarray):
                raise TypeError(f"register_buffer: cannot assign {type(tensor).__name__} to "
                                f"buffer {name!r} (a Tensor or None is required)")
            tensor = Tensor(tensor)
        setattr(self, name, tensor)
        if name not in self._state("_buffer_names"):
            self._buffer_names.append(name)
        transient = self.__dict__.setdefault("_non_persistent_buffers", set())
        (transient.discard if persistent else transient.add)(name)

    def _state(self, name: str) -> Any:
        try:
            return self.__dict__[name]
        except KeyError:
            raise RuntimeError(f"{type(self).__name__}.__init__ must call super().__init__() "
                               "before using the module") from None

    # *** registration ***
    def __setattr__(self, name: str, value: Any) -> None:
        """As PyTorch: over a registered parameter only a Parameter or None may be assigned, over
        a sub-module only a Module or None, so a model never silently loses a member."""
        old = self.__dict__.get(name)
        if value is not None:
            if isinstance(old, Parameter) and not isinstance(value, Parameter):
                raise TypeError(f"cannot assign {type(value).__name__} as parameter {name!r} of "
                                f"{type(self).__name__} (nn.Parameter or None expected); to "
                                f"change its values use `with mg.no_grad(): "
                                f"module.{name}.copy_(value)`")
            if isinstance(old, Module) and not isinstance(value, Module):
                raise TypeError(f"cannot assign {type(value).__name__} as child module {name!r} "
                                f"of {type(self).__name__} (nn.Module or None expected)")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        """As PyTorch: `del module.name` of a buffer also unregisters it (state_dict, buffers)."""
        object.__delattr__(self, name)
        if name in self.__dict__.get("_buffer_names", ()):
            self._buffer_names.remove(name)
            self.__dict__.get("_non_persistent_buffers", set()).discard(name)

    def _check_new_name(self, name: Any, kind: type, what: str) -> None:
        self._state("_buffer_names")
        if not isinstance(name, str):
            raise TypeError(f"{what} name should be a string, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f"{what} name can't be empty or contain \".\", got {name!r}")
        if hasattr(self, name) and not isinstance(getattr(self, name), kind | type(None)):
            raise KeyError(f"attribute {name!r} already exists in {type(self).__name__}")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add param as a parameter named name (None: a slot with no parameter yet)."""
        self._check_new_name(name, Parameter, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign {type(param).__name__} object to parameter {name!r} "
                            "(nn.Parameter or None required)")
        setattr(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add module as a child named name."""
        self._check_new_name(name, Module, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        setattr(self, name, module)

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The module at the dotted path target ('' is this module), as in named_modules()."""
        if target == "":
            return self
        found = dict(self.named_modules()).get(target)
        if found is None:
            raise AttributeError(f"{type(self).__name__} has no submodule {target!r}")
        return found

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path target, e.g. '0.weight'."""
        prefix, _, name = target.rpartition(".")
        module = self.get_submodule(prefix)
        found = dict(module.named_parameters(recurse=False)).get(name)
        if found is None:
            raise AttributeError(f"{type(module).__name__} has no parameter {name!r} "
                                 f"(looked for {target!r})")
        return found

    # *** finding members ***
    def _members(self) -> Iterator[tuple[str, Any]]:
        """(name, value) for every Parameter and sub-Module held directly, lists and dicts
        included, with dotted names for their elements."""
        def walk(name: str, value: Any) -> Iterator[tuple[str, Any]]:
            if isinstance(value, (Module, Parameter)):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    yield from walk(f"{name}.{i}", item)
            elif isinstance(value, dict):
                for key, item in value.items():
                    yield from walk(f"{name}.{key}", item)

        for name, value in vars(self).items():
            yield from walk(name, value)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The sub-modules held directly, each once (a module held under two names comes
        under its first, as in PyTorch)."""
        seen: set[int] = set()
        for name, module in self._child_items():
            if id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def _child_items(self) -> list[tuple[str, Module]]:
        """(name, sub-module) under every name, repeats included (containers' entries)."""
        return [(n, m) for n, m in self._members() if isinstance(m, Module)]

    def children(self) -> Iterator[Module]:
        return (m for _, m in self.named_children())

    def named_modules(self, prefix: str = "", remove_duplicate: bool = True
                      ) -> Iterator[tuple[str, Module]]:
        """This module and every module below it, each once (or, with remove_duplicate=False,
        once under every name it has, as a shared layer in state_dict)."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate and id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            stack.extend(reversed([(f"{name}.{n}" if name else n, m)
                                   for n, m in module._child_items()]))

    def modules(self) -> Iterator[Module]:
        return (m for _, m in self.named_modules())

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name (`0.weight`, `encoder.fc1.bias`), each once;
        with recurse=False only this module's own."""
        seen: set[int] = set()
        modules = self.named_modules(prefix, remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, p in module._members():
                if isinstance(p, Parameter) and not (remove_duplicate and id(p) in seen):
                    seen.add(id(p))
                    yield (f"{module_prefix}.{name}" if module_prefix else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        dot = prefix + "." if prefix else ""
        own = self._named_state(persistent_only=False) if recurse else self._own_state("")
        seen: set[int] = set()  # a shared module's buffers once (unless remove_duplicate=False)
        return ((dot + k, t) for k, t in own if not isinstance(t, Parameter)
                and not (remove_duplicate and (id(t) in seen or seen.add(id(t)))))

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        return (b for _, b in self.named_buffers(recurse=recurse))

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call fn on every sub-module, then on this one (to initialise weights, say)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # *** modes and gradients ***
    def train(self, mode: bool = True) -> Module:
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Each parameter's gradient to None, or with set_to_none=False zeroed in place."""
        with no_grad():
            for p in self.parameters():
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.zero_()

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set requires_grad on every parameter (False freezes the module)."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    # *** dtype and device ***
    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Cast floating point parameters and buffers in place (they stay the same objects, so
        an optimizer made before keeps them): `to(dtype)`, `to(device)`, `to(device, dtype)`,
        `to(tensor)`, or keywords."""
        dtype, _ = to_arguments(args, kwargs)
        if dtype is not None and dtype.kind not in "fc":
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, got {dtype}")
        return self if dtype is None else self._cast_floating(dtype)

    def _cast_floating(self, dtype: np.dtype) -> Module:
        for module in self.modules():
            for _, t in module._own_state(""):
                if isinstance(t, UninitializedTensorMixin):
                    t._retype(dtype)
                elif t.dtype.kind in "fc" and t.dtype != dtype:
                    t.array = t.array.astype(dtype)
                    if t.grad is not None:
                        t.grad = Tensor._make(t.grad.array.astype(dtype))
        return self

    def float(self) -> Module:
        return self._cast_floating(np.dtype(np.float32))

    def double(self) -> Module:
        return self._cast_floating(np.dtype(np.float64))

    def half(self) -> Module:
        return self._cast_floating(np.dtype(np.float16))

    def cpu(self) -> Module:
        return self

    def cuda(self, device: Any = None) -> Module:
        check_available("cuda")
        return self

    # *** state ***
    def state_dict(self, *args: Any, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict[str, Tensor]:
        """Every parameter and buffer under the keys and shapes that PyTorch uses for the same
        architecture: as in PyTorch, detached tensors on the same memory (so later training
        changes them; `copy.deepcopy` or `{k: v.clone() ...}` keeps a snapshot), or the
        Parameters themselves with keep_vars=True. PyTorch's positional (destination, prefix,
        keep_vars) are taken too."""
        if args:
            if len(args) > 3:
                raise TypeError(f"state_dict() takes at most 3 positional arguments "
                                f"(destination, prefix, keep_vars), got {len(args)}")
            destination, prefix, keep_vars = (*args, *(destination, prefix, keep_vars)[
                len(args):])
        out = OrderedDict() if destination is None else destination
        for key, t in self._named_state():
            uninitialized = isinstance(t, UninitializedTensorMixin)  # itself, as PyTorch's
            out[prefix + key] = t if keep_vars or uninitialized else t.detach()
        return out

    def _named_state(self, persistent_only: bool = True) -> Iterator[tuple[str, Tensor]]:
        """Parameters and buffers in PyTorch's order: module by module, parameters first; a
        shared module's under each of its names, as PyTorch. Non-persistent buffers only
        without persistent_only (state_dict leaves them out)."""
        for prefix, module in self.named_modules(remove_duplicate=False):
            yield from module._own_state(prefix + "." if prefix else "", persistent_only)

    def _own_state(self, dot: str, persistent_only: bool = False
                   ) -> Iterator[tuple[str, Tensor]]:
        """This module's own parameters, then its buffers (only those saved in state_dict, with
        persistent_only), with names after dot."""
        for name, p in self._members():
            if isinstance(p, Parameter):
                yield dot + name, p
        transient = self.__dict__.get("_non_persistent_buffers", ()) if persistent_only else ()
        for name in self._state("_buffer_names"):
            if getattr(self, name) is not None and name not in transient:
                yield dot + name, getattr(self, name)

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True
                        ) -> IncompatibleKeys:
        """Copy values into the existing parameters and buffers, keeping each one's dtype (as
        PyTorch's `param.copy_(value)`). Every entry is checked first (keys, shapes, values
        convertible to numbers) and every problem listed in one error; on error nothing is
        changed. Values may be numpy arrays, minigrad tensors or PyTorch tensors."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected a dict-like state_dict, got "
                            f"{type(state_dict).__name__}")
        own = dict(self._named_state())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        problems, converted = [], {}
        for key, target in own.items():
            if key not in state_dict:
                continue
            if isinstance(state_dict[key], UninitializedTensorMixin):
                if not isinstance(target, UninitializedTensorMixin):
                    problems.append(f"{key}: the checkpoint's value is uninitialized (saved "
                                    f"from a lazy module before its first call)")
                continue  # uninitialized into uninitialized: nothing to load
            value, problem = _as_numbers(state_dict[key])
            if problem is None and not isinstance(target, UninitializedTensorMixin):
                if value.shape != target.shape:  # PyTorch's wording, which programs test
                    problems.append(f"size mismatch for {key}: copying a param with shape "
                                    f"{value.shape} from checkpoint, the shape in current "
                                    f"model is {target.shape}.")
                    continue
            if problem is None:
                converted[key] = value.astype(target.dtype)
            else:
                problems.append(f"{key}: {problem}")
        if strict and unexpected:
            problems.insert(0, "Unexpected key(s) in state_dict: "
                            + ", ".join(f'"{k}"' for k in unexpected) + ".")
        if strict and missing:
            problems.insert(0, "Missing key(s) in state_dict: "
                            + ", ".join(f'"{k}"' for k in missing) + ".")
        if problems:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__} "
                               "(nothing was loaded):\n\t" + "\n\t".join(problems))
        for key, value in converted.items():
            target = own[key]
            if isinstance(target, UninitializedTensorMixin):
                target.materialize(value.shape)
            _copy_into(target, value)
        return IncompatibleKeys(missing, unexpected)

    # *** printing ***
    def extra_repr(self) -> str:
        """The settings shown inside the parentheses of repr."""
        return ""

    def __repr__(self) -> str:
        """PyTorch's layout: the extra_repr lines, then one line per child, indented."""
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + repr(child).replace("\n", "\n  ")
                       for name, child in self._child_items()]
        lines = extra_lines + child_lines
        if len(extra_lines) == 1 and not child_lines:
            return f"{type(self).__name__}({extra_lines[0]})"
        body = "\n  " + "\n  ".join(lines) + "\n" if lines else ""
        return f"{type(self).__name__}({body})"


def _as_numbers(value: Any) -> tuple[np.ndarray | None, str | None]:
    """(value as a numpy array, None), or (None, what is wrong with it)."""
    if isinstance(value, Tensor):
        return value.array, None
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a PyTorch tensor
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as e:
        return None, f"cannot convert {type(value).__name__} to an array ({e})"
    if array.dtype.kind not in "biufc":
        return None, f"holds {array.dtype} values, not numbers"
    return array, None


def _copy_into(target: Tensor, value: np.ndarray) -> None:
    """target's values = value, in place (as PyTorch's param.copy_), bumping its version so a
    graph that saved the old values refuses to backward."""
    with no_grad():
        target.copy_(Tensor._make(value))


class ModuleList(Module):
    """A list of modules, registered under the names "0", "1", ..."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        self.extend(modules or ())

    def append(self, module: Module) -> ModuleList:
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}: expected a Module, got "
                            f"{type(module).__name__}")
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for module in modules:
            self.append(module)
        return self

    def _names(self) -> list[str]:
        return [name for name, _ in self._child_items()]

    def _name_at(self, index: int) -> str:
        names = self._names()
        n = len(names)
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"{type(self).__name__} indices must be integers or slices, not "
                            f"{type(index).__name__}")
        if not -n <= index < n:
            raise IndexError(f"{type(self).__name__}: index {index} out of range for {n} modules")
        return names[index]

    def __len__(self) -> int:
        return len(self._child_items())

    def __iter__(self) -> Iterator[Module]:
        return iter([module for _, module in self._child_items()])

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return type(self)(list(self)[index])
        return getattr(self, self._name_at(index))

    def __setitem__(self, index: int, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}: expected a Module, got "
                            f"{type(module).__name__}")
        setattr(self, self._name_at(index), module)

    def __delitem__(self, index: int | slice) -> None:
        """Remove modules; the rest are numbered 0, 1, ... again, as in PyTorch."""
        modules = list(self)
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[self._names().index(self._name_at(index))]
        self._renumber(modules)

    def insert(self, index: int, module: Module) -> None:
        modules = list(self)
        modules.insert(index, module)
        self._renumber(modules)

    def pop(self, index: int = -1) -> Module:
        module = self[index]
        del self[index]
        return module

    def __repr__(self) -> str:
        """As PyTorch's: runs of identical modules print once, as `(0-11): 12 x Block(...)`."""
        runs: list[list] = []  # [first index, last index, repr]
        for i, module in enumerate(self):
            text = repr(module)
            if runs and runs[-1][2] == text:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        if not runs:
            return f"{type(self).__name__}()"
        lines = [(f"({a}): " if a == b else f"({a}-{b}): {b - a + 1} x ") + text.replace(
            "\n", "\n  ") for a, b, text in runs]
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"

    def _renumber(self, modules: list[Module]) -> None:
        for name in self._names():
            delattr(self, name)
        self.extend(modules)


class Sequential(ModuleList):
    """Modules applied one after another: `Sequential(a, b, c)`, or with names,
    `Sequential(OrderedDict([("fc1", a), ...]))`."""

    def __init__(self, *modules: Module) -> None:
        if len(modules) == 1 and isinstance(modules[0], Mapping):
            super().__init__()
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            super().__init__(modules)

    def forward(self, x: Any) -> Any:
        for module in self:
            x = module(x)
        return x

    def __getitem__(self, index: int | slice) -> Any:
        """A slice keeps the modules' names (`model[:3]` of named layers), as in PyTorch."""
        if isinstance(index, slice):
            return type(self)(OrderedDict(self._child_items()[index]))
        return super().__getitem__(index)

    __repr__ = Module.__repr__  # PyTorch's Sequential prints every module, also repeated ones


class _Keyed(Module):
    """The dict methods of ModuleDict and ParameterDict: members under string keys, in
    insertion order. Subclasses say which members count (`_entries`) and how one is stored."""

    def _entries(self) -> list[tuple[str, Any]]:
        raise NotImplementedError

    def _store(self, key: str, value: Any) -> None:
        raise NotImplementedError

    def update(self, entries: Mapping[str, Any] | Iterable) -> None:
        for key, value in entries.items() if isinstance(entries, Mapping) else entries:
            self._store(key, value)

    def __getitem__(self, key: str) -> Any:
        if key not in self:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._store(key, value)

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        delattr(self, key)

    def __contains__(self, key: object) -> bool:
        return key in self.keys()

    def __len__(self) -> int:
        return len(self._entries())

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def keys(self) -> list[str]:
        return [key for key, _ in self._entries()]

    def values(self) -> list[Any]:
        return [value for _, value in self._entries()]

    def items(self) -> list[tuple[str, Any]]:
        return self._entries()

    def pop(self, key: str) -> Any:
        value = self[key]
        del self[key]
        return value


class ModuleDict(_Keyed):
    """Modules under string keys, in insertion order; `md[key]`, `md.items()`, ..."""

    def __init__(self, modules: Mapping[str, Module] | Iterable | None = None) -> None:
        super().__init__()
        self.update(modules or {})

    def _entries(self) -> list[tuple[str, Module]]:
        return self._child_items()

    def _store(self, key: str, module: Module) -> None:
        self.add_module(key, module)


class ParameterDict(_Keyed):
    """Parameters under string keys, in insertion order; tensors stored are made Parameters."""

    def __init__(self, parameters: Mapping[str, Any] | Iterable | None = None) -> None:
        super().__init__()
        self.update(parameters or {})

    def _entries(self) -> list[tuple[str, Parameter]]:
        return list(self.named_parameters(recurse=False))

    def _store(self, key: str, value: Any) -> None:
        self.register_parameter(key, _as_parameter(value))


class ParameterList(Module):
    """A list of parameters, registered under the names "0", "1", ...; tensors appended are
    made Parameters."""

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        for value in values or ():
            self.append(value)

    def append(self, value: Any) -> ParameterList:
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values: Iterable[Any]) -> ParameterList:
        for value in values:
            self.append(value)
        return self

    def __len__(self) -> int:
        return sum(1 for _ in self.named_parameters(recurse=False))

    def __iter__(self) -> Iterator[Parameter]:
        return iter([p for _, p in self.named_parameters(recurse=False)])

    def _name_at(self, index: int) -> str:
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ParameterList: index {index} out of range for {n} parameters")
        return str(index % n)

    def __getitem__(self, index: int) -> Parameter:
        return getattr(self, self._name_at(index))

    def __setitem__(self, index: int, value: Any) -> None:
        setattr(self, self._name_at(index), _as_parameter(value))

    def extra_repr(self) -> str:
        return "\n".join(f"  ({k}): Parameter containing: [{p.dtype} of size "
                         f"{'x'.join(map(str, p.shape))}]" for k, p in enumerate(self))


def _as_parameter(value: Any) -> Parameter:
    return value if isinstance(value, Parameter) else Parameter(value)
