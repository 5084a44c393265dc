"""Module and Parameter: a module's parameters, buffers and sub-modules are found by walking its
attributes (also inside lists, tuples and dicts), never listed by hand."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from minigrad.creation import zeros_like
from minigrad.tensor import RemovableHandle, Tensor


class Parameter(Tensor):
    """A Tensor that a Module trains: it requires grad unless told otherwise."""

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        super().__init__(data.data if isinstance(data, Tensor) else data, requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of layers and models: subclass it, create parameters and sub-modules in
    `__init__` (after `super().__init__()`), and write `forward`."""

    def __init__(self) -> None:
        self.training = True
        self._buffer_names: list[str] = []
        self._forward_hooks: dict[int, Callable] = {}

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        output = self.forward(*args, **kwargs)
        hooks = self.__dict__.get("_forward_hooks")
        if not hooks:
            return output if hooks is not None else self._state("_forward_hooks")
        for hook in list(hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def register_forward_hook(self, hook: Callable[[Module, tuple, Any], Any]) -> RemovableHandle:
        """Call hook(module, inputs, output) after every forward; a non-None result replaces the
        output. Experiments use it to watch activations without editing the model."""
        hooks = self._state("_forward_hooks")
        key = max(hooks, default=-1) + 1
        hooks[key] = hook
        return RemovableHandle(hooks, key)

    def register_buffer(self, name: str, tensor: Tensor | np.ndarray | None) -> None:
        """State that is saved in state_dict but not trained (batch norm's running statistics)."""
        if tensor is not None and not isinstance(tensor, Tensor):
            tensor = Tensor(tensor)
        setattr(self, name, tensor)
        if name not in self._state("_buffer_names"):
            self._buffer_names.append(name)

    def _state(self, name: str) -> Any:
        try:
            return self.__dict__[name]
        except KeyError:
            raise RuntimeError(f"{type(self).__name__}.__init__ must call super().__init__() "
                               "before using the module") from None

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
        return ((n, m) for n, m in self._members() if isinstance(m, Module))

    def children(self) -> Iterator[Module]:
        return (m for _, m in self.named_children())

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every module below it, each once."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            stack.extend(reversed([(f"{name}.{n}" if name else n, m)
                                   for n, m in module.named_children()]))

    def modules(self) -> Iterator[Module]:
        return (m for _, m in self.named_modules())

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name (`0.weight`, `encoder.fc1.bias`), each once."""
        seen: set[int] = set()
        for prefix, module in self.named_modules():
            for name, p in module._members():
                if isinstance(p, Parameter) and id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{prefix}.{name}" if prefix else name), p

    def parameters(self) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters())

    def named_buffers(self) -> Iterator[tuple[str, Tensor]]:
        return ((k, t) for k, t in self._named_state() if not isinstance(t, Parameter))

    def buffers(self) -> Iterator[Tensor]:
        return (b for _, b in self.named_buffers())

    # *** modes and gradients ***
    def train(self, mode: bool = True) -> Module:
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """As Optimizer.zero_grad, for every parameter of the module and its children."""
        for p in self.parameters():
            p.grad = None if set_to_none or p.grad is None else zeros_like(p.grad)

    # *** state ***
    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Copies of every parameter and buffer as numpy arrays, under the keys and shapes that
        PyTorch uses for the same architecture."""
        return OrderedDict((key, t.data.copy()) for key, t in self._named_state())

    def _named_state(self) -> Iterator[tuple[str, Tensor]]:
        """Parameters and buffers in PyTorch's order: module by module, parameters first."""
        for prefix, module in self.named_modules():
            dot = prefix + "." if prefix else ""
            for name, p in module._members():
                if isinstance(p, Parameter):
                    yield dot + name, p
            for name in module._state("_buffer_names"):
                if getattr(module, name) is not None:
                    yield dot + name, getattr(module, name)

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True
                        ) -> IncompatibleKeys:
        """Copy values into parameters and buffers. Every problem is listed in one error, and
        on error the module is left unchanged."""
        own = dict(self._named_state())
        values = {k: np.asarray(v.data if isinstance(v, Tensor) else v)
                  for k, v in state_dict.items()}
        missing = [k for k in own if k not in values]
        unexpected = [k for k in values if k not in own]
        wrong = [f"{k}: saved {values[k].shape}, model {own[k].shape}"
                 for k in own if k in values and values[k].shape != own[k].shape]
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        if wrong:
            problems.append("shape mismatches: " + "; ".join(wrong))
        if problems:
            raise RuntimeError(f"load_state_dict for {type(self).__name__} failed (nothing was "
                               "loaded):\n  " + "\n  ".join(problems))
        for key, target in own.items():
            if key in values:
                target.data = values[key].astype(target.dtype, copy=True)
        return IncompatibleKeys(missing, unexpected)

    # *** printing ***
    def extra_repr(self) -> str:
        """The settings shown inside the parentheses of repr."""
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, child in self.named_children():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + ("\n" + "\n".join(lines) + "\n)" if lines else ")")


class ModuleList(Module):
    """A list of modules, registered under the names "0", "1", ..."""

    def __init__(self, modules: list[Module] | None = None) -> None:
        super().__init__()
        for module in modules or ():
            self.append(module)

    def append(self, module: Module) -> ModuleList:
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}: expected a Module, got "
                            f"{type(module).__name__}")
        setattr(self, str(len(self)), module)
        return self

    def __len__(self) -> int:
        return sum(1 for _ in self.named_children())

    def __iter__(self) -> Iterator[Module]:
        return iter([getattr(self, str(i)) for i in range(len(self))])

    def __getitem__(self, index: int) -> Module:
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"{type(self).__name__}: index {index} out of range for {n} modules")
        return getattr(self, str(index % n))


class Sequential(ModuleList):
    """Modules applied one after another."""

    def __init__(self, *modules: Module) -> None:
        super().__init__(list(modules))

    def forward(self, x: Any) -> Any:
        for module in self:
            x = module(x)
        return x
