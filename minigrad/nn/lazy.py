"""Lazy convolutions and normalizations, as PyTorch's: in_channels (num_features) is taken from
the first input, until which the parameters are UninitializedParameters and the running
statistics UninitializedBuffers; the first call makes the module the regular class (LazyConv2d
becomes Conv2d). nn.LazyLinear is in layers.py; the machinery (LazyModuleMixin) in module.py."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.nn.conv import (
    BatchNorm2d,
    BatchNorm3d,
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    ConvTranspose3d,
)
from minigrad.nn.layers import BatchNorm1d, _check_size
from minigrad.nn.module import LazyModuleMixin, UninitializedBuffer, UninitializedParameter
from minigrad.nn.normalization import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from minigrad.tensor import Tensor


# *** convolutions ***
class _LazyConvXdMixin(LazyModuleMixin):
    """in_channels from the input's channel dim (dim 1, or dim 0 when unbatched)."""

    def _lazy_init(self, out_channels: int, bias: bool, device: Any, dtype: Any) -> None:
        """After the regular __init__ with no channels: the parameters wait for the input."""
        name = type(self).__name__
        _check_size(name, "out_channels", out_channels)
        if out_channels % self.groups:
            raise ValueError(f"{name}: out_channels ({out_channels}) must be divisible by "
                             f"groups ({self.groups})")
        self.out_channels = out_channels
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.bias = UninitializedParameter(device=device, dtype=dtype) if bias else None

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any, **kwargs: Any) -> None:
        name = type(self).__name__
        if not isinstance(input, Tensor) or input.ndim not in (self.dims + 1, self.dims + 2):
            shape = tuple(input.shape) if isinstance(input, Tensor) else type(input).__name__
            raise RuntimeError(f"Expected {self.dims + 1}D (unbatched) or {self.dims + 2}D "
                               f"(batched) input to {name}, but got input of size: {shape}")
        self.in_channels = input.shape[0 if input.ndim == self.dims + 1 else 1]
        if self.in_channels % self.groups:
            raise ValueError(f"{name}: in_channels ({self.in_channels}) must be divisible by "
                             f"groups ({self.groups})")
        if self.has_uninitialized_params():
            channels = ((self.in_channels, self.out_channels // self.groups) if self.transposed
                        else (self.out_channels, self.in_channels // self.groups))
            self.weight.materialize(channels + self.kernel_size)
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()


def _lazy_conv(regular: type) -> type:
    """LazyConv<k>d for the regular Conv<k>d: (out_channels, kernel_size, ...) as Conv<k>d's
    arguments without in_channels."""

    class LazyConv(_LazyConvXdMixin, regular):
        cls_to_become = regular

        def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1,
                     padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                     padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
            super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False,
                             padding_mode, device, dtype)
            self._lazy_init(out_channels, bias, device, dtype)

    LazyConv.__name__ = LazyConv.__qualname__ = "Lazy" + regular.__name__
    LazyConv.__doc__ = f"{regular.__name__} with in_channels taken from the first input."
    return LazyConv


def _lazy_conv_transpose(regular: type) -> type:
    """LazyConvTranspose<k>d: ConvTranspose<k>d's arguments without in_channels."""

    class LazyConvTranspose(_LazyConvXdMixin, regular):
        cls_to_become = regular

        def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     bias: bool = True, dilation: Any = 1, padding_mode: str = "zeros",
                     device: Any = None, dtype: Any = None) -> None:
            super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False,
                             dilation, padding_mode, device, dtype)
            self._lazy_init(out_channels, bias, device, dtype)

    LazyConvTranspose.__name__ = LazyConvTranspose.__qualname__ = "Lazy" + regular.__name__
    LazyConvTranspose.__doc__ = f"{regular.__name__} with in_channels taken from the first input."
    return LazyConvTranspose


LazyConv1d = _lazy_conv(Conv1d)
LazyConv2d = _lazy_conv(Conv2d)
LazyConv3d = _lazy_conv(Conv3d)
LazyConvTranspose1d = _lazy_conv_transpose(ConvTranspose1d)
LazyConvTranspose2d = _lazy_conv_transpose(ConvTranspose2d)
LazyConvTranspose3d = _lazy_conv_transpose(ConvTranspose3d)


# *** normalizations ***
class _LazyNormBase(LazyModuleMixin):
    """num_features from the input's channel dim; weight 1, bias 0, running mean 0 and running
    variance 1 once shaped. torch's defaults for every lazy norm: affine and running stats."""

    batched_dims: tuple[int, ...] = (2, 3)  # the input dims the regular class takes

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(0, eps=eps, momentum=momentum, affine=False, track_running_stats=False,
                         device=device, dtype=dtype, bias=False)
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            self.bias = UninitializedParameter(device=device, dtype=dtype) if bias else None
        if track_running_stats:
            self.register_buffer("running_mean", UninitializedBuffer(device=device, dtype=dtype))
            self.register_buffer("running_var", UninitializedBuffer(device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))

    def initialize_parameters(self, input: Tensor, *args: Any, **kwargs: Any) -> None:
        if not isinstance(input, Tensor) or input.ndim not in self.batched_dims:
            raise ValueError(f"{type(self).__name__}: expected "
                             f"{' or '.join(f'{d}D' for d in self.batched_dims)} input (got "
                             f"{getattr(input, 'ndim', type(input).__name__)}D input)")
        self.num_features = input.shape[self._channel_dim(input)]
        if not self.has_uninitialized_params():
            return
        n = self.num_features
        for name, fill in (("weight", 1.0), ("bias", 0.0), ("running_mean", 0.0),
                           ("running_var", 1.0)):
            t = getattr(self, name, None)
            if t is not None:
                t.materialize((n,))
                t.array[...] = fill

    def _channel_dim(self, input: Tensor) -> int:
        return 1


def _lazy_norm(regular: type, dims: tuple[int, ...], unbatched: int | None = None) -> type:
    """Lazy<Norm> for a regular norm class taking inputs of dims; with unbatched (instance
    norms), an input of that many dims has its channels first."""

    class LazyNorm(_LazyNormBase, regular):
        cls_to_become = regular
        batched_dims = dims

        def _channel_dim(self, input: Tensor) -> int:
            return 0 if input.ndim == unbatched else 1

    LazyNorm.__name__ = LazyNorm.__qualname__ = "Lazy" + regular.__name__
    LazyNorm.__doc__ = f"{regular.__name__} with num_features taken from the first input."
    return LazyNorm


LazyBatchNorm1d = _lazy_norm(BatchNorm1d, (2, 3))
LazyBatchNorm2d = _lazy_norm(BatchNorm2d, (4,))
LazyBatchNorm3d = _lazy_norm(BatchNorm3d, (5,))
LazyInstanceNorm1d = _lazy_norm(InstanceNorm1d, (2, 3), unbatched=2)
LazyInstanceNorm2d = _lazy_norm(InstanceNorm2d, (3, 4), unbatched=3)
LazyInstanceNorm3d = _lazy_norm(InstanceNorm3d, (4, 5), unbatched=4)
