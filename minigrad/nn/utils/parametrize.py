"""torch.nn.utils.parametrize: a parameter computed from another one by a module, as PyTorch.
After `register_parametrization(layer, "weight", P())`, `layer.weight` is P(original) each time
it is read (the training happens on `layer.parametrizations.weight.original`), assigning
`layer.weight = X` stores P.right_inverse(X) in original, and `remove_parametrizations` turns
it back into a plain parameter. The module's class becomes a subclass (`ParametrizedLinear`)
with a property for the name, as in PyTorch, so state_dict keys are PyTorch's too."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from minigrad.function import no_grad
from minigrad.nn.module import Module, ModuleDict, ModuleList, Parameter
from minigrad.tensor import Tensor

_cache: dict[tuple[int, str], Tensor] | None = None  # inside cached(): each value once


@contextlib.contextmanager
def cached() -> Iterator[None]:
    """Inside the block, each parametrized tensor is computed once and then reused."""
    global _cache
    outer = _cache
    _cache = {} if outer is None else outer
    try:
        yield
    finally:
        _cache = outer


def _set_values(original: Parameter, value: Any) -> None:
    """Give original the values (and shape) of value in place, so optimizers holding it keep
    working (PyTorch's original.set_(value))."""
    if not isinstance(value, Tensor):
        raise TypeError(f"right_inverse must return a Tensor or a sequence of Tensors, got "
                        f"{type(value).__name__}")
    with no_grad():
        original.array = value.array.astype(original.dtype, copy=True)


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order to `original`; when the first
    one's right_inverse returns several tensors (weight_norm's g and v), they are `original0`,
    `original1`, ... and its forward takes them all."""

    def __init__(self, modules: list[Module], original: Parameter, unsafe: bool = False
                 ) -> None:
        super().__init__(modules)
        self.unsafe = unsafe
        value = original
        with no_grad():
            for module in reversed(modules):
                if hasattr(module, "right_inverse"):
                    value = module.right_inverse(value)
        self.is_tensor = isinstance(value, Tensor)
        self.ntensors = 1 if self.is_tensor else len(value)
        if self.is_tensor:
            if value is not original:
                _set_values(original, value)
            self.original = original
        else:
            for i, part in enumerate(value):
                setattr(self, f"original{i}", Parameter(part.detach().clone(),
                                                        requires_grad=original.requires_grad))

    def _originals(self) -> list[Parameter]:
        if self.is_tensor:
            return [self.original]
        return [getattr(self, f"original{i}") for i in range(self.ntensors)]

    def right_inverse(self, value: Tensor) -> None:
        """Store the original(s) that the parametrizations map to value."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not "
                                       "implement right_inverse.")
                value = module.right_inverse(value)
        parts = [value] if self.is_tensor else list(value)
        if len(parts) != self.ntensors:
            raise ValueError(f"right_inverse returned {len(parts)} tensors, the "
                             f"parametrization was registered with {self.ntensors}")
        for original, part in zip(self._originals(), parts, strict=True):
            _set_values(original, part)

    def forward(self) -> Tensor:
        first, *rest = list(self)
        x = first(*self._originals())
        for module in rest:
            x = module(x)
        return x


def _property(name: str) -> property:
    def get(module: Module) -> Tensor:
        plist = module.parametrizations[name]
        if _cache is None:
            return plist()
        key = (id(module), name)
        if key not in _cache:
            _cache[key] = plist()
        return _cache[key]

    def set_(module: Module, value: Tensor) -> None:
        module.parametrizations[name].right_inverse(value)

    return property(get, set_)


def _check_output(parametrization: Module, value: Any, like: Tensor, name: str,
                  unsafe: bool) -> None:
    """Before anything changes: parametrization(value) must keep like's shape and dtype."""
    if unsafe:
        return
    with no_grad():
        out = parametrization(*([value] if isinstance(value, Tensor) else value))
    if not isinstance(out, Tensor):
        raise ValueError(f"a parametrization must return a tensor, got {type(out).__name__}")
    if out.shape != like.shape or out.dtype != like.dtype:
        raise ValueError(f"registering a parametrization may not change the shape or dtype of "
                         f"the tensor {name!r} ({tuple(like.shape)} {like.dtype} -> "
                         f"{tuple(out.shape)} {out.dtype}); pass unsafe=True to allow it")


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *,
                             unsafe: bool = False) -> Module:
    """Make module.<tensor_name> parametrization(original); a second registration on the same
    name is applied after the first. On error the module is left as it was."""
    if not isinstance(parametrization, Module):
        raise TypeError(f"parametrization must be an nn.Module, got "
                        f"{type(parametrization).__name__}")
    if is_parametrized(module, tensor_name):
        plist = module.parametrizations[tensor_name]
        with no_grad():
            current = plist()
        _check_output(parametrization, current, current, tensor_name, unsafe or plist.unsafe)
        plist.append(parametrization)
        plist.unsafe = plist.unsafe or unsafe
        return module
    original = module.__dict__.get(tensor_name)
    if not isinstance(original, Parameter):
        raise ValueError(f"register_parametrization: module {type(module).__name__} has no "
                         f"parameter named {tensor_name!r} (parametrizing buffers is not "
                         "supported in minigrad)")
    value = original
    if hasattr(parametrization, "right_inverse"):
        with no_grad():
            value = parametrization.right_inverse(original)
    _check_output(parametrization, value, original, tensor_name, unsafe)
    if not is_parametrized(module):
        cls = type(module)
        module.__class__ = type(f"Parametrized{cls.__name__}", (cls,),
                                {"_type_before_parametrizations": cls})
        module.parametrizations = ModuleDict()
    del module.__dict__[tensor_name]
    module.parametrizations[tensor_name] = ParametrizationList([parametrization], original,
                                                               unsafe)
    setattr(type(module), tensor_name, _property(tensor_name))
    return module


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    plists = module.__dict__.get("parametrizations")
    if not isinstance(plists, ModuleDict):
        return False
    return tensor_name is None or tensor_name in plists


def type_before_parametrizations(module: Module) -> type:
    return getattr(module, "_type_before_parametrizations", type(module))


def remove_parametrizations(module: Module, tensor_name: str, leave_parametrized: bool = True
                            ) -> Module:
    """Make module.<tensor_name> a plain parameter again: the current parametrized value
    (leave_parametrized=True) or the original, in the same Parameter object."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {type(module).__name__} does not have a parametrization on "
                         f"{tensor_name}")
    plist = module.parametrizations[tensor_name]
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with no_grad():
                value = getattr(module, tensor_name)
            _set_values(original, value)
    elif leave_parametrized:  # several originals (weight_norm's): a new Parameter
        with no_grad():
            value = getattr(module, tensor_name)
        original = Parameter(value.detach().clone(),
                             requires_grad=plist.original0.requires_grad)
    else:
        raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor "
                         "that is parametrized in terms of a sequence of tensors.")
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    module.__dict__[tensor_name] = original
    if not len(module.parametrizations):
        del module.__dict__["parametrizations"]
        module.__class__ = module._type_before_parametrizations
    return module

