"""Optimizer: parameter groups, per-parameter state and its state dict, in PyTorch's layout.

Updates read `p.grad.array` and write `p.array` in place with numpy's `out=`, through scratch
arrays allocated once per parameter shape, and bump the version of every parameter they change;
gradient arrays are never written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any

import numpy as np

from minigrad.autograd import increment_version
from minigrad.dtypes import get_default_dtype
from minigrad.function import enable_grad, no_grad
from minigrad.tensor import Tensor

Params = Iterable[Tensor] | Iterable[dict[str, Any]]
# what learning-rate schedulers add to a parameter group (OneCycleLR, CyclicLR)
_SCHEDULER_KEYS = {"initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"}


class Optimizer:
    """Base class. `param_groups` is a list of dicts, each with 'params' (a list of tensors) and
    the hyperparameters for them; `state` maps a parameter to its dict of buffers. Subclasses
    define `_update(p, grad, state, group)` for one parameter."""

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(f"{self._name}: params must be an iterable of Tensors or of dicts, "
                            f"got a single Tensor of shape {params.shape}")
        if not isinstance(params, Iterable):
            raise TypeError(f"{self._name}: params must be an iterable of Tensors or of dicts, "
                            f"got {type(params).__name__}")
        groups = list(params)
        if not groups:
            raise ValueError(f"{self._name}: got an empty parameter list")
        self.defaults = defaults
        # a parameter's state is made when first looked up, as torch's (custom optimizers write
        # `state = self.state[p]` before they store anything)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self._scratch_arrays: dict[tuple, np.ndarray] = {}
        self.param_groups: list[dict[str, Any]] = []
        for group in groups if isinstance(groups[0], dict) else [{"params": groups}]:
            self.add_param_group(group)

    def __repr__(self) -> str:
        """The class, then each parameter group's settings by name, as torch prints them."""
        lines = [f"{self._name} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"

    @property
    def _name(self) -> str:
        return type(self).__name__

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group of parameters; hyperparameters it does not set take the defaults."""
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{self._name}: a parameter group must be a dict with a 'params' "
                            f"key, got {group!r:.80}")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        seen = {p for g in self.param_groups for p in g["params"]}
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{self._name}: parameter {i} of group {len(self.param_groups)} "
                                f"is a {type(p).__name__}, not a Tensor")
            if not p.is_leaf:
                raise ValueError(f"{self._name}: cannot optimize a non-leaf tensor (parameter "
                                 f"{i} of group {len(self.param_groups)}, made by {p.grad_fn})")
            if p in seen:
                raise ValueError(f"{self._name}: parameter {i} of group "
                                 f"{len(self.param_groups)} appears more than once")
            seen.add(p)
        group = {**self.defaults, **group, "params": params}
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise ValueError, naming the value, for a hyperparameter out of its range."""
        for key in ("lr", "momentum", "dampening", "weight_decay", "eps"):
            value = group.get(key, 0)
            if not isinstance(value, Real):  # a string, None: TypeError, as PyTorch
                raise TypeError(f"{self._name}: invalid {key} {value!r} (must be a number >= 0)")
            if not value >= 0:
                raise ValueError(f"{self._name}: invalid {key} {value!r} (must be a number >= 0)")
        for i, beta in enumerate(group.get("betas", ())):
            if not isinstance(beta, Real) or not 0 <= beta < 1:
                raise ValueError(f"{self._name}: invalid beta at index {i}: {beta!r} "
                                 "(must be in [0, 1))")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set every parameter's gradient to None (PyTorch's default), or with set_to_none=False
        fill an existing one with zeros in place (bumping its version), as PyTorch does."""
        zero_grads([p for group in self.param_groups for p in group["params"]], set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return closure()'s loss if given one."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        state, updated = self.state, []
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is not None:
                    grad = p._grad.array
                    if grad.dtype != p.array.dtype:
                        grad = grad.astype(p.array.dtype)
                    self._update(p, grad, state[p], group)
                    updated.append(p)
        increment_version(*updated)  # a graph that saved a parameter now refuses backward
        return loss

    def _update(self, p: Tensor, grad: np.ndarray, state: dict[str, Any],
               group: dict[str, Any]) -> None:
        """Update p.array in place from grad (read only) and the parameter's state."""
        raise NotImplementedError(f"{self._name} must define _update(p, grad, state, group)")

    def _direction(self, p: Tensor, grad: np.ndarray, group: dict[str, Any],
                   k: int = 0) -> np.ndarray:
        """g = grad (-grad when maximizing) + weight_decay * p: grad itself when nothing
        changes it, else scratch array k (grad is never written)."""
        weight_decay = group.get("weight_decay", 0)
        if weight_decay != 0:
            decayed = np.multiply(p.array, weight_decay, out=self._scratch(p.array, k))
            return (np.subtract if group["maximize"] else np.add)(decayed, grad, out=decayed)
        if group["maximize"]:
            return np.negative(grad, out=self._scratch(p.array, k))
        return grad

    def _scratch(self, like: np.ndarray, k: int = 0) -> np.ndarray:
        """Scratch array number k of like's shape and dtype, made once and reused by every step
        (its contents are whatever the last user left): updates write their temporaries here
        with `out=` instead of allocating them anew."""
        key = (like.shape, like.dtype, k)
        array = self._scratch_arrays.get(key)
        if array is None:
            array = self._scratch_arrays[key] = np.empty_like(like)
        return array

    def state_dict(self) -> dict[str, Any]:
        """{'state': {index: {name: array or number}}, 'param_groups': [{hyperparameters...,
        'params': [indices]}]}, indices counting the parameters in group order. The arrays are
        copies: later steps do not change a state dict already taken."""
        index: dict[Tensor, int] = {}
        groups = [{**group, "params": [index.setdefault(p, len(index)) for p in group["params"]]}
                  for group in self.param_groups]
        state = {index[p]: {key: np.copy(v) if isinstance(v, np.ndarray) else v
                            for key, v in values.items()}
                 for p, values in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and state from `state_dict()`'s layout. Everything is checked
        before anything changes, so on error the optimizer is left as it was."""
        missing = {"state", "param_groups"} - set(state_dict)
        if missing:
            raise KeyError(f"{self._name}.load_state_dict: the state dict has no "
                           f"{sorted(missing)} entry")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{self._name}.load_state_dict: the state dict has "
                             f"{len(saved_groups)} parameter groups, the optimizer "
                             f"{len(self.param_groups)}")
        self._check_same_kind(saved_groups)
        params: dict[Any, Tensor] = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{self._name}.load_state_dict: parameter group {i} has "
                                 f"{len(saved['params'])} parameters in the state dict, "
                                 f"{len(group['params'])} in the optimizer")
            params.update(zip(saved["params"], group["params"], strict=True))
        if len(params) != sum(len(g["params"]) for g in self.param_groups):
            raise ValueError(f"{self._name}.load_state_dict: the state dict lists a parameter "
                             "index more than once")
        # each group's settings become the saved ones, as torch (a scheduler's initial_lr added
        # since is dropped); a setting the saved dict lacks takes the default
        new_groups = [{**self.defaults, **saved, "params": group["params"]}
                      for group, saved in zip(self.param_groups, saved_groups, strict=True)]
        for group in new_groups:
            self._check_group(group)
        new_state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for index, values in state_dict["state"].items():
            if index not in params:
                raise ValueError(f"{self._name}.load_state_dict: state for parameter {index!r}, "
                                 "which no parameter group lists")
            p = params[index]
            new_state[p] = {key: self._loaded(value, p, f"state[{index!r}][{key!r}]")
                            for key, value in values.items()}
        self.param_groups, self.state = new_groups, new_state

    def _check_same_kind(self, saved_groups: list[dict[str, Any]]) -> None:
        """Refuse the state of another optimizer class: its groups hold other settings (SGD's
        momentum where Adam has betas), which this optimizer's step would not know."""
        ours = set(self.defaults)
        for i, saved in enumerate(saved_groups):
            if not isinstance(saved, dict) or "params" not in saved:
                raise ValueError(f"{self._name}.load_state_dict: parameter group {i} of the "
                                 "state dict is not a dict with a 'params' entry")
            extra = sorted(set(saved) - ours - {"params"} - _SCHEDULER_KEYS)
            if extra:
                raise ValueError(
                    f"{self._name}.load_state_dict: the state dict was saved from another kind "
                    f"of optimizer: its parameter group {i} has the settings {extra}, which "
                    f"{self._name} does not use (its own are {sorted(ours)}); load it into the "
                    "optimizer class that saved it")

    def _loaded(self, value: Any, p: Tensor, where: str) -> Any:
        """A copy of a saved state value; float arrays take the parameter's dtype."""
        if not isinstance(value, np.ndarray):
            return value
        if value.shape != p.shape:
            raise ValueError(f"{self._name}.load_state_dict: {where} has shape {value.shape}, "
                             f"but its parameter has shape {p.shape}")
        return value.astype(p.dtype if value.dtype.kind == "f" else value.dtype)


def refuse_options(name: str, foreach: bool | None = None, capturable: bool = False,
                   differentiable: bool = False) -> None:
    """PyTorch's implementation switches, accepted at the values that describe what minigrad
    does (one parameter at a time, on the CPU, outside the graph), refused otherwise."""
    if foreach not in (None, False):
        raise ValueError(f"{name}: foreach={foreach!r} is not supported (minigrad updates one "
                         "parameter at a time); leave foreach=None")
    for option, value in (("capturable", capturable), ("differentiable", differentiable)):
        if value is not False:
            raise ValueError(f"{name}: {option}={value!r} is not supported; leave it False")


def scalar_state(value: float) -> np.floating:
    """A number kept in the optimizer state as PyTorch keeps it: a tensor of the default float
    dtype (float32 unless set_default_dtype(float64)), so it rounds as PyTorch's does."""
    return get_default_dtype().type(value)


def zero_grads(params: list[Tensor], set_to_none: bool) -> None:
    """Optimizer.zero_grad and Module.zero_grad: each gradient to None, or zeroed in place."""
    if set_to_none:
        for p in params:
            p._grad = None  # (None needs none of the grad setter's checks)
        return
    with no_grad():
        for p in params:
            if p._grad is not None:
                p._grad.zero_()
