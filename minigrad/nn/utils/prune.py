"""torch.nn.utils.prune: zero out parameter entries through a mask, as PyTorch's pruning
tutorial does. Pruning `weight` turns it into a parameter `weight_orig` and a buffer
`weight_mask`; `module.weight` becomes the tensor weight_orig * weight_mask, recomputed by a
forward pre-hook, so gradients reach weight_orig through the mask. Pruning the same parameter
again combines the masks (a PruningContainer: the new method prunes among the entries still
kept); `remove` makes the pruned values the parameter again."""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import minigrad as mg
from minigrad.function import no_grad
from minigrad.nn.module import Module, Parameter
from minigrad.tensor import Tensor

__all__ = ["BasePruningMethod", "CustomFromMask", "Identity", "L1Unstructured", "LnStructured",
           "PruningContainer", "RandomUnstructured", "custom_from_mask", "global_unstructured",
           "identity", "is_pruned", "l1_unstructured", "ln_structured", "random_unstructured",
           "remove"]


def _pruning_hooks(module: Module) -> dict:
    return {k: hook for k, hook in module._state("_forward_pre_hooks").items()
            if isinstance(hook, BasePruningMethod)}


class BasePruningMethod:
    """A way of computing a mask (subclasses define `compute_mask(t, default_mask)` and
    PRUNING_TYPE: 'unstructured', 'structured' or 'global'). An instance is the forward
    pre-hook that sets module.<name> = <name>_orig * <name>_mask."""

    PRUNING_TYPE: str | None = None
    _tensor_name: str

    def __call__(self, module: Module, inputs: Any) -> None:
        object.__setattr__(module, self._tensor_name, self.apply_mask(module))

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define compute_mask(t, "
                                  "default_mask)")

    def apply_mask(self, module: Module) -> Tensor:
        orig = getattr(module, self._tensor_name + "_orig")
        mask = getattr(module, self._tensor_name + "_mask")
        return mask.to(dtype=orig.dtype) * orig

    @classmethod
    def apply(cls, module: Module, name: str, *args: Any, importance_scores: Any = None,
              **kwargs: Any) -> BasePruningMethod:
        """Prune module's parameter `name` by a new cls(*args, **kwargs), combined with the
        pruning already applied to it; returns the method (the hook)."""
        method = cls(*args, **kwargs)
        method._tensor_name = name
        hooks = {k: h for k, h in _pruning_hooks(module).items() if h._tensor_name == name}
        old = next(iter(hooks.values()), None)
        if old is not None:
            # a new container, so that a method that fails leaves the old one as it was
            container = PruningContainer(*old) if isinstance(old, PruningContainer) else \
                PruningContainer(old)
            container.add_pruning_method(method)
            method = container
        orig = getattr(module, name, None)
        if not isinstance(orig, Tensor):
            raise AttributeError(f"prune: {type(module).__name__} has no parameter {name!r}")
        if importance_scores is None:
            importance_scores = orig
        elif tuple(importance_scores.shape) != tuple(orig.shape):
            raise ValueError(f"prune: importance_scores of shape {tuple(importance_scores.shape)}"
                             f" should match parameter {name!r} of shape {tuple(orig.shape)}")
        if old is None:
            if not isinstance(orig, Parameter):
                raise AttributeError(f"prune: {name!r} of {type(module).__name__} is not a "
                                     "parameter")
            default_mask = mg.ones_like(orig)
        else:
            default_mask = getattr(module, name + "_mask").detach().clone()
        with no_grad():
            mask = method.compute_mask(importance_scores.detach(), default_mask=default_mask)
        if old is None:
            delattr(module, name)
            module.register_parameter(name + "_orig", orig)
        else:
            for k in hooks:
                del module._state("_forward_pre_hooks")[k]
        module.register_buffer(name + "_mask", mask)
        object.__setattr__(module, name, method.apply_mask(module))
        module.register_forward_pre_hook(method)
        return method

    def prune(self, t: Tensor, default_mask: Tensor | None = None,
              importance_scores: Tensor | None = None) -> Tensor:
        """t times the mask this method computes for it (no module involved)."""
        scores = t if importance_scores is None else importance_scores
        mask = self.compute_mask(scores, mg.ones_like(t) if default_mask is None
                                 else default_mask)
        return t * mask.to(dtype=t.dtype)

    def remove(self, module: Module) -> None:
        """Make module.<name> a parameter holding the pruned values again."""
        name = self._tensor_name
        weight = self.apply_mask(module).detach()
        if name in module.__dict__:
            object.__delattr__(module, name)
        orig = getattr(module, name + "_orig")
        with no_grad():
            orig.copy_(weight)
        delattr(module, name + "_orig")
        delattr(module, name + "_mask")  # (Module.__delattr__ unregisters the buffer)
        module.register_parameter(name, orig)


class PruningContainer(BasePruningMethod):
    """Several pruning methods of one parameter, applied in turn: each new one prunes only
    among the entries (unstructured), channels (structured) that the earlier ones kept."""

    def __init__(self, *methods: BasePruningMethod) -> None:
        self._pruning_methods: tuple[BasePruningMethod, ...] = ()
        for method in methods:
            self.add_pruning_method(method)

    def add_pruning_method(self, method: BasePruningMethod) -> None:
        if not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if self._pruning_methods and method._tensor_name != self._tensor_name:
            raise ValueError(f"can only add pruning methods acting on the parameter named "
                             f"'{self._tensor_name}', got '{method._tensor_name}'")
        self._tensor_name = method._tensor_name
        self._pruning_methods += (method,)

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def __iter__(self) -> Any:
        return iter(self._pruning_methods)

    def __getitem__(self, index: int) -> BasePruningMethod:
        return self._pruning_methods[index]

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        """The last method's mask computed on the part of t that default_mask keeps."""
        method = self._pruning_methods[-1]
        keep = default_mask.array == 1
        if method.PRUNING_TYPE == "unstructured":
            index: Any = keep
        elif method.PRUNING_TYPE == "structured":
            dim = method.dim % t.ndim
            others = tuple(d for d in range(t.ndim) if d != dim)
            index = (slice(None),) * dim + (default_mask.array.sum(others) != 0,)
        elif method.PRUNING_TYPE == "global":
            index = (slice(None),) * t.ndim
        else:
            raise ValueError(f"unrecognized PRUNING_TYPE {method.PRUNING_TYPE!r}")
        partial = method.compute_mask(t[index], default_mask=default_mask[index])
        new = default_mask.clone()
        new[index] = partial.to(dtype=new.dtype)
        return new


def _check_amount(amount: Any) -> Any:
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount!r}. Must be int or float.")
    if amount < 0 or (
            not isinstance(amount, numbers.Integral) and amount > 1):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a "
                         "non-negative integer")
    return amount


def _nparams_toprune(amount: Any, size: int) -> int:
    """amount as a count: an int as it is, a float in [0, 1] as a fraction of size (rounded
    half to even, as Python's round and PyTorch)."""
    count = int(amount) if isinstance(amount, numbers.Integral) else round(amount * size)
    if count > size:
        raise ValueError(f"amount={amount} should be smaller than the number of parameters to "
                         f"prune={size}")
    return count


class Identity(BasePruningMethod):
    """Prunes nothing: a mask of ones."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        return default_mask


class _Unstructured(BasePruningMethod):
    """Prunes the `amount` entries of lowest score (`_scores` of the tensor)."""

    PRUNING_TYPE = "unstructured"

    def __init__(self, amount: Any) -> None:
        self.amount = _check_amount(amount)

    def _scores(self, t: Tensor) -> Tensor:
        raise NotImplementedError

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        count = _nparams_toprune(self.amount, t.numel())
        mask = default_mask.clone()
        if count:
            drop = mg.topk(self._scores(t).reshape(-1), count, largest=False).indices
            mask.view(-1)[drop] = 0
        return mask


class RandomUnstructured(_Unstructured):
    """Prunes `amount` entries picked at random (from minigrad's random stream)."""

    def _scores(self, t: Tensor) -> Tensor:
        return mg.rand(t.numel())


class L1Unstructured(_Unstructured):
    """Prunes the `amount` entries of smallest absolute value."""

    def _scores(self, t: Tensor) -> Tensor:
        return t.abs()


class LnStructured(BasePruningMethod):
    """Prunes the `amount` slices along dim with the smallest L`n` norm."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount: Any, n: Any, dim: int = -1) -> None:
        self.amount, self.n, self.dim = _check_amount(amount), n, dim

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        if t.ndim < 2:
            raise ValueError(f"Structured pruning can only be applied to multidimensional "
                             f"tensors, got shape {tuple(t.shape)}")
        if not -t.ndim <= self.dim < t.ndim:
            raise IndexError(f"ln_structured: dim {self.dim} is out of range for a tensor of "
                             f"shape {tuple(t.shape)}")
        dim = self.dim % t.ndim
        size = t.shape[dim]
        count = _nparams_toprune(self.amount, size)
        if count == 0:
            return default_mask
        others = tuple(d for d in range(t.ndim) if d != dim)
        p = {"fro": 2}.get(self.n, self.n)
        norms = mg.linalg.vector_norm(t, p, dim=others) if others else t.abs()
        keep = mg.topk(norms, size - count).indices
        mask = mg.zeros_like(t)
        mask[(slice(None),) * dim + (keep,)] = 1
        return mask * default_mask.to(dtype=mask.dtype)


class CustomFromMask(BasePruningMethod):
    """Prunes where a given mask is 0."""

    PRUNING_TYPE = "global"

    def __init__(self, mask: Tensor) -> None:
        self.mask = mask

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        if tuple(default_mask.shape) != tuple(self.mask.shape):
            raise ValueError(f"custom_from_mask: mask of shape {tuple(self.mask.shape)} does "
                             f"not match the parameter's {tuple(default_mask.shape)}")
        return default_mask * self.mask.to(dtype=default_mask.dtype)


def identity(module: Module, name: str) -> Module:
    Identity.apply(module, name)
    return module


def random_unstructured(module: Module, name: str, amount: Any) -> Module:
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module: Module, name: str, amount: Any,
                    importance_scores: Tensor | None = None) -> Module:
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def ln_structured(module: Module, name: str, amount: Any, n: Any, dim: int,
                  importance_scores: Tensor | None = None) -> Module:
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module: Module, name: str, mask: Tensor) -> Module:
    CustomFromMask.apply(module, name, mask)
    return module


def global_unstructured(parameters: Iterable[tuple[Module, str]], pruning_method: type,
                        importance_scores: dict | None = None, **kwargs: Any) -> None:
    """Prune the parameters together: pruning_method(**kwargs) picks among all their entries
    at once (L1Unstructured: the smallest over all of them), and each gets its share."""
    if not isinstance(parameters, Iterable):
        raise TypeError(f"global_unstructured: parameters must be an iterable of (module, name) "
                        f"pairs, got {type(parameters).__name__}")
    parameters = list(parameters)
    if not parameters:
        raise ValueError("global_unstructured: parameters must be a non-empty iterable of "
                         "(module, name) pairs")
    scores = importance_scores or {}
    flat, masks = [], []
    for module, name in parameters:
        if not isinstance(getattr(module, name, None), Tensor):
            raise AttributeError(f"global_unstructured: {type(module).__name__} has no "
                                 f"parameter {name!r}")
        t = scores.get((module, name), getattr(module, name))
        flat.append(t.detach().reshape(-1))
        mask = getattr(module, name + "_mask", None)
        masks.append(mg.ones_like(t).reshape(-1) if mask is None else mask.reshape(-1))
    method = pruning_method(**kwargs)
    method._tensor_name = "global"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(f"global_unstructured: only unstructured methods can prune globally, "
                        f"got PRUNING_TYPE {method.PRUNING_TYPE!r}")
    with no_grad():  # the method picks among the entries that earlier pruning kept
        final = PruningContainer(method).compute_mask(mg.cat(flat), mg.cat(masks))
    start = 0
    for (module, name), m in zip(parameters, masks, strict=True):
        size = m.numel()
        t = getattr(module, name)
        custom_from_mask(module, name, final[start:start + size].reshape(t.shape))
        start += size


def remove(module: Module, name: str) -> Module:
    """Make the pruning of `name` permanent: a parameter `name` holds the pruned values, and
    `name_orig`, `name_mask` and the hook are gone."""
    for key, hook in _pruning_hooks(module).items():
        if hook._tensor_name == name:
            hook.remove(module)
            del module._state("_forward_pre_hooks")[key]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning "
                     "can be removed")


def is_pruned(module: Module) -> bool:
    """Does module, or a module inside it, hold a pruning hook?"""
    return any(_pruning_hooks(m) for m in module.modules())
