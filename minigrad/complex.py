"""Complex tensors from real ones and back, outside the graph: torch.polar, torch.complex,
torch.view_as_complex and torch.view_as_real (LLaMA's rotary embeddings at inference). minigrad
has no complex autograd, so a tensor that requires grad is refused, naming the op."""

from __future__ import annotations

import numpy as np

from minigrad.function import is_grad_enabled
from minigrad.tensor import Tensor

_COMPLEX = {np.dtype(np.float32): np.dtype(np.complex64),
            np.dtype(np.float64): np.dtype(np.complex128)}


def _no_grad_inputs(name: str, *tensors: Tensor) -> None:
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}: expected Tensors, got {type(t).__name__}")
        if t.requires_grad and is_grad_enabled():
            raise NotImplementedError(f"{name}: gradients through complex tensors are not "
                                      "supported by minigrad (use it under torch.no_grad() or "
                                      "inference_mode, or the real-valued form)")


def _complex_dtype(name: str, *tensors: Tensor) -> np.dtype:
    dtypes = {t.array.dtype for t in tensors}
    if len(dtypes) != 1 or next(iter(dtypes)) not in _COMPLEX:
        raise TypeError(f"{name}: expected float32 or float64 tensors of one dtype, got "
                        f"{', '.join(str(t.dtype) for t in tensors)}")
    return _COMPLEX[dtypes.pop()]


def complex(real: Tensor, imag: Tensor) -> Tensor:
    """real + i imag, complex64 for float32 parts and complex128 for float64."""
    _no_grad_inputs("complex", real, imag)
    dtype = _complex_dtype("complex", real, imag)
    return Tensor._make((real.array + 1j * imag.array).astype(dtype))


def polar(abs: Tensor, angle: Tensor) -> Tensor:
    """abs (cos angle + i sin angle)."""
    _no_grad_inputs("polar", abs, angle)
    dtype = _complex_dtype("polar", abs, angle)
    values = abs.array * np.cos(angle.array) + 1j * (abs.array * np.sin(angle.array))
    return Tensor._make(values.astype(dtype))


def view_as_complex(input: Tensor) -> Tensor:
    """The (..., 2) real tensor read as (...) complex numbers (real, imaginary), sharing its
    memory when its layout allows."""
    _no_grad_inputs("view_as_complex", input)
    dtype = _complex_dtype("view_as_complex", input)
    a = input.array
    if a.ndim == 0 or a.shape[-1] != 2:
        raise RuntimeError(f"view_as_complex: Tensor must have a last dimension of size 2, got "
                           f"shape {tuple(a.shape)}")
    if a.strides[-1] != a.itemsize or any(s % (2 * a.itemsize) for s in a.strides[:-1]):
        a = np.ascontiguousarray(a)  # minigrad's memory layouts differ from PyTorch's: copy
    return Tensor._make(a.view(dtype)[..., 0])


def view_as_real(input: Tensor) -> Tensor:
    """The complex tensor as a real one with a last dim of 2 (real, imaginary)."""
    _no_grad_inputs("view_as_real", input)
    a = input.array
    if a.dtype.kind != "c":
        raise RuntimeError(f"view_as_real is only supported for complex tensors, got "
                           f"{input.dtype}")
    return Tensor._make(np.stack([a.real, a.imag], axis=-1))
