"""Check an op's backward against central differences, as `torch.autograd.gradcheck` does.

    from minigrad.testing import gradcheck, gradcheck_module
    x = mg.randn(3, 4, dtype=mg.float64, requires_grad=True)
    assert gradcheck(my_function, (x,))
    assert gradcheck_module(my_layer, (x,))         # the layer's parameters too

The whole Jacobian is compared: column by column from central differences of the forward, row by
row from one `mg.grad` call per output element. Use float64 inputs: with float32 the rounding
error of the forward swamps a difference taken over eps."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minigrad.autograd import grad
from minigrad.tensor import Tensor


class GradcheckError(RuntimeError, AssertionError):
    """A Jacobian entry from backward differs from its central-difference estimate. A
    RuntimeError as torch's (programs catch that), and an AssertionError for tests."""

    def __init__(self, message: str, input_index: int, output_index: int,
                 element: tuple[int, ...], output_element: tuple[int, ...], numerical: float,
                 analytical: float) -> None:
        super().__init__(message)
        self.input_index, self.output_index = input_index, output_index
        self.element, self.output_element = element, output_element
        self.numerical, self.analytical = numerical, analytical


def _torch_options(name: str, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                   check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                   check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
                   check_backward_ad: bool = True, fast_mode: bool = False,
                   masked: Any = None, **unknown: Any) -> None:
    """torch.autograd.gradcheck's other keywords: those that change no verdict here (every op
    is deterministic; fast_mode only checks less) are accepted, checks minigrad cannot make
    (batched gradients through vmap, forward-mode AD) are refused."""
    for option in unknown:
        raise TypeError(f"{name}() got an unexpected keyword argument {option!r}")
    for option, value in (("check_batched_grad", check_batched_grad),
                          ("check_batched_forward_grad", check_batched_forward_grad),
                          ("check_forward_ad", check_forward_ad)):
        if value:
            raise NotImplementedError(f"{name}: {option}=True is not supported (minigrad has "
                                      "no batched or forward-mode gradients to check)")
    if not check_backward_ad:
        raise NotImplementedError(f"{name}: check_backward_ad=False leaves nothing to check")


def gradcheck(fn: Callable[..., Any], inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, **torch_options: Any) -> bool:
    """True when backward of fn(*inputs) matches central differences for every input that
    requires grad: |numerical - analytical| <= atol + rtol |numerical| for each Jacobian entry.

    inputs is a Tensor or a tuple (non-Tensor items are passed through unchanged); fn returns a
    Tensor or a tuple of them. On a mismatch raise GradcheckError naming the input, the output and
    the element, or return False when raise_exception is False. `.grad` is left untouched.
    torch's other keywords (fast_mode, nondet_tol, ...) are accepted where they change nothing."""
    _torch_options("gradcheck", **torch_options)
    return _check(fn, _as_tuple(inputs), eps, atol, rtol, raise_exception, "gradcheck",
                  "Jacobian", lambda i: f"input {i}", lambda j: f"output {j}")


def gradcheck_module(module: Any, inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
                     rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """gradcheck of module(*inputs) with respect to every parameter of the module that requires
    grad (and every input that does); a failure names the parameter, `parameter fc.weight`.

    Use a float64 module (its parameters are perturbed in place and put back) and eval() for
    one with dropout, whose forward must give the same values every time it is called."""
    inputs = _as_tuple(inputs)
    named = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
    if not named:
        raise ValueError(f"gradcheck_module: {type(module).__name__} has no parameter that "
                         "requires grad")
    n = len(inputs)

    def name_input(i: int) -> str:
        return f"input {i}" if i < n else f"parameter {named[i - n][0]}"

    return _check(lambda *args: module(*args[:n]), inputs + tuple(p for _, p in named), eps,
                  atol, rtol, raise_exception, "gradcheck_module", "Jacobian", name_input,
                  lambda j: f"output {j}")


def gradgradcheck(fn: Callable[..., Any], inputs: Any, grad_outputs: Any = None,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, seed: int = 0, **torch_options: Any) -> bool:
    """Check second derivatives: gradcheck the map (inputs, grad_outputs) -> mg.grad(fn(inputs),
    inputs, grad_outputs, create_graph=True), which is how a backward is differentiated.

    grad_outputs (one per output of fn) default to standard normal float64 tensors drawn from a
    generator seeded with seed; they are checked as inputs too."""
    torch_options.pop("gen_non_contig_grad_outputs", None)  # layouts do not exist here
    torch_options.pop("check_rev_over_rev", None)  # what this checks
    if torch_options.pop("check_fwd_over_rev", False):
        raise NotImplementedError("gradgradcheck: check_fwd_over_rev=True is not supported "
                                  "(minigrad has no forward-mode gradients)")
    _torch_options("gradgradcheck", **torch_options)
    inputs = _as_tuple(inputs)
    wrt = [i for i, t in enumerate(inputs) if _needs_grad(t)]
    if not wrt:
        raise ValueError("gradgradcheck: no input requires grad, so there is nothing to check")
    outputs = _as_tuple(fn(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = tuple(Tensor(rng.standard_normal(o.shape), requires_grad=True)
                             for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"gradgradcheck: fn returned {len(outputs)} outputs but "
                         f"{len(grad_outputs)} grad_outputs were given")
    n = len(inputs)

    def first_derivatives(*args: Any) -> tuple[Tensor, ...]:
        xs, gs = args[:n], args[n:]
        outs = _as_tuple(fn(*xs))
        used = [k for k, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not used:
            return tuple(Tensor(np.zeros(xs[i].shape, xs[i].dtype)) for i in wrt)
        grads = grad([outs[k] for k in used], [xs[i] for i in wrt], [gs[k] for k in used],
                     create_graph=True, allow_unused=True)
        return tuple(g if g is not None else Tensor(np.zeros(xs[i].shape, xs[i].dtype))
                     for g, i in zip(grads, wrt, strict=True))

    def name_input(i: int) -> str:
        return f"input {i}" if i < n else f"grad_outputs[{i - n}]"

    return _check(first_derivatives, inputs + grad_outputs, eps, atol, rtol, raise_exception,
                  "gradgradcheck", "second-derivative", name_input,
                  lambda j: f"output {j} (the gradient of input {wrt[j]})")


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _needs_grad(x: Any) -> bool:
    return isinstance(x, Tensor) and x.requires_grad


def _check(fn: Callable[..., Any], inputs: tuple, eps: float, atol: float, rtol: float,
           raise_exception: bool, caller: str, what: str, name_input: Callable[[int], str],
           name_output: Callable[[int], str]) -> bool:
    wrt = [i for i, t in enumerate(inputs) if _needs_grad(t)]
    if not wrt:
        raise ValueError(f"{caller}: no input requires grad, so there is nothing to check")
    for i in wrt:
        if inputs[i].dtype != np.float64:
            warnings.warn(f"{caller}: {name_input(i)} has dtype {inputs[i].dtype}, not float64; "
                          f"rounding error over eps={eps} makes the numerical derivatives "
                          "unreliable, so a failure may be a false alarm", UserWarning,
                          stacklevel=3)
    saved = [(t, t.grad) for t in inputs if isinstance(t, Tensor)]
    try:
        outputs = _outputs(fn, inputs, caller)
        analytical = _analytical(list(outputs.values()), [inputs[i] for i in wrt])
        sizes = [o.array.size for o in outputs.values()]
        for k, i in enumerate(wrt):
            numerical = _numerical(fn, inputs, i, sizes, eps, caller)
            for j, num, ana in zip(outputs, numerical, analytical[k], strict=True):
                bad = ~(np.abs(num - ana) <= atol + rtol * np.abs(num))
                if not bad.any():
                    continue
                if not raise_exception:
                    return False
                # entries are indexed [output element, input element]; report the worst
                excess = np.where(bad, np.nan_to_num(np.abs(num - ana), nan=np.inf), -1)
                out_flat, in_flat = np.unravel_index(np.argmax(excess), excess.shape)
                element = _index(in_flat, inputs[i].shape)
                out_element = _index(out_flat, outputs[j].shape)
                n_val, a_val = float(num[out_flat, in_flat]), float(ana[out_flat, in_flat])
                at = f" at element {element}"
                if outputs[j].array.size > 1:
                    at += f" (output element {out_element})"
                raise GradcheckError(
                    f"{caller}: {what} mismatch for {name_input(i)}, {name_output(j)}{at}: "
                    f"numerical {n_val:.6g} vs analytical {a_val:.6g} (atol {atol:g}, "
                    f"rtol {rtol:g}); {int(bad.sum())} of {bad.size} entries differ",
                    i, j, element, out_element, n_val, a_val)
        return True
    finally:
        for t, g in saved:
            t.grad = g


def _index(flat: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(e) for e in np.unravel_index(flat, shape))


def _outputs(fn: Callable[..., Any], inputs: tuple, caller: str) -> dict[int, Tensor]:
    """fn's floating point outputs (the ones that can have a derivative) by their position."""
    outputs = _as_tuple(fn(*inputs))
    for j, o in enumerate(outputs):
        if not isinstance(o, Tensor):
            raise TypeError(f"{caller}: fn must return Tensors, output {j} is "
                            f"{type(o).__name__}")
    return {j: o for j, o in enumerate(outputs) if o.dtype.kind == "f"}


def _analytical(outputs: Sequence[Tensor], wrt: list[Tensor]) -> list[list[np.ndarray]]:
    """[input][output] Jacobian blocks of shape (output size, input size), one mg.grad call per
    output element; an input an output does not depend on gets zeros."""
    blocks = [[np.zeros((o.array.size, t.array.size)) for o in outputs] for t in wrt]
    for j, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        for row in range(out.array.size):
            seed = np.zeros(out.array.size, dtype=out.dtype)
            seed[row] = 1
            grads = grad(out, wrt, Tensor(seed.reshape(out.shape)), retain_graph=True,
                         allow_unused=True)
            for k, g in enumerate(grads):
                if g is not None:
                    blocks[k][j][row] = g.array.reshape(-1)
    return blocks


def _numerical(fn: Callable[..., Any], inputs: tuple, i: int, sizes: list[int], eps: float,
               caller: str) -> list[np.ndarray]:
    """Jacobian blocks (output size, input size) of each output with respect to inputs[i], by
    central differences. The input's array is swapped for a perturbed copy and put back, so
    arrays that share its memory are never written."""
    t = inputs[i]
    original = t.array
    blocks = [np.zeros((n, original.size)) for n in sizes]
    try:
        for flat in range(original.size):
            plus, minus = original.copy(), original.copy()
            plus.flat[flat] += eps
            minus.flat[flat] -= eps
            step = float(plus.flat[flat]) - float(minus.flat[flat])  # what the dtype could hold
            if step == 0:
                raise ValueError(f"{caller}: eps={eps} is too small to change element "
                                 f"{_index(flat, original.shape)} of input {i} "
                                 f"({original.flat[flat]!r}, {original.dtype})")
            t.array = plus
            f_plus = _flat_outputs(fn, inputs, caller)
            t.array = minus
            f_minus = _flat_outputs(fn, inputs, caller)
            for block, p, m in zip(blocks, f_plus, f_minus, strict=True):
                block[:, flat] = (p - m) / step
    finally:
        t.array = original
    return blocks


def _flat_outputs(fn: Callable[..., Any], inputs: tuple, caller: str) -> list[np.ndarray]:
    """fn's floating point outputs as flat float64 copies (an output may be a view of an input)."""
    return [o.array.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs, caller).values()]
