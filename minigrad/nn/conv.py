"""Convolution, pooling and image-shaped normalization and dropout as Modules, each a thin
wrapper over its functional form, with PyTorch's arguments, initialisation and state_dict keys
(so a PyTorch model's state dict loads into the same architecture built here)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.layers import BatchNorm1d, Dropout, _check_size, _factory_dtype
from minigrad.nn.module import Module, Parameter
from minigrad.ops.conv import as_tuple
from minigrad.tensor import Tensor

# *** convolutions ***
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """Weight (out, in / groups, *kernel) or, transposed, (in, out / groups, *kernel), and bias
    (out,), initialised as PyTorch does: kaiming_uniform_(a=sqrt(5)), i.e. U(+-1/sqrt(fan_in)),
    and the bias U(+-1/sqrt(fan_in)) with fan_in = weight.shape[1] * kernel size."""

    transposed = False
    dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {PADDING_MODES}, got "
                             f"{padding_mode!r}")
        if self.transposed and padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported for transposed "
                             f"convolutions, got {padding_mode!r}")
        for what, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
            _check_size(name, what, channels)
        if not isinstance(groups, int) or groups < 1:
            raise ValueError(f"{name}: groups must be a positive int, got {groups!r}")
        for what, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
            if channels % groups:
                raise ValueError(f"{name}: {what} ({channels}) must be divisible by groups "
                                 f"({groups})")
        if isinstance(padding, str) and padding not in ("valid", "same"):
            raise ValueError(f"{name}: padding must be an int, a tuple, 'valid' or 'same', got "
                             f"{padding!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = as_tuple(kernel_size, self.dims, "kernel_size", name)
        self.stride = as_tuple(stride, self.dims, "stride", name)
        self.dilation = as_tuple(dilation, self.dims, "dilation", name)
        self.padding = padding if isinstance(padding, str) else as_tuple(
            padding, self.dims, "padding", name, 0)
        if padding == "same" and self.stride != (1,) * self.dims:
            raise ValueError(f"{name}: padding='same' is not supported for strided "
                             f"convolutions (stride={self.stride})")
        self.padding_mode = padding_mode
        if padding == "same":  # an odd total puts the extra row at the end, as F.conv*d
            totals = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation, strict=True)]
            pads = [(t // 2, t - t // 2) for t in totals]
        elif padding == "valid":
            pads = [(0, 0)] * self.dims
        else:
            pads = [(p, p) for p in self.padding]
        # for padding_mode: F.pad's order, the last dim first (PyTorch's attribute name)
        self._reversed_padding_repeated_twice = [p for pair in reversed(pads) for p in pair]
        shape = (in_channels, out_channels // groups) if self.transposed else (
            out_channels, in_channels // groups)
        dtype = _factory_dtype(device, dtype)
        self.weight = Parameter(np.empty(shape + self.kernel_size, dtype=dtype))
        self.bias = Parameter(np.empty(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * self.dims:  # padding=valid is shown, as PyTorch does
            text += f", padding={self.padding}"  # PyTorch shows padding=same unquoted
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        if getattr(self, "output_padding", (0,) * self.dims) != (0,) * self.dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        text += "" if self.bias is not None else ", bias=False"
        return text + ("" if self.padding_mode == "zeros" else
                       f", padding_mode={self.padding_mode}")

    def _conv_input(self, x: Tensor) -> tuple[Tensor, Any]:
        """x and the padding for F.conv*d: with a padding_mode other than 'zeros', x padded by
        F.pad in that mode and no further padding (as PyTorch's modules do)."""
        if self.padding_mode == "zeros":
            return x, self.padding
        return F.pad(x, self._reversed_padding_repeated_twice, mode=self.padding_mode), 0


class Conv1d(_ConvNd):
    """1-D convolution over (N, C, L)."""

    dims = 1

    def forward(self, x: Tensor) -> Tensor:
        x, padding = self._conv_input(x)
        padding = padding if isinstance(padding, (str, int)) else padding[0]
        return F.conv1d(x, self.weight, self.bias, self.stride[0], padding, self.dilation[0],
                        self.groups)


class Conv2d(_ConvNd):
    """2-D convolution over (N, C, H, W): out = bias + weight cross-correlated with x."""

    def forward(self, x: Tensor) -> Tensor:
        x, padding = self._conv_input(x)
        return F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)


class Conv3d(_ConvNd):
    """3-D convolution over (N, C, D, H, W)."""

    dims = 3

    def forward(self, x: Tensor) -> Tensor:
        x, padding = self._conv_input(x)
        return F.conv3d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)


class _ConvTransposeNd(_ConvNd):
    """The adjoint of the convolution with the same weight (sometimes called deconvolution):
    upsamples by stride; output_padding adds rows past the last window to pick among the
    output sizes that the forward convolution maps to the same input size."""

    transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        name = type(self).__name__
        if isinstance(padding, str):
            raise ValueError(f"{name}: padding must be an int or a tuple, got {padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)
        self.output_padding = as_tuple(output_padding, self.dims, "output_padding", name, 0)

    def _output_padding(self, x: Tensor, output_size: Any) -> tuple[int, ...]:
        """self.output_padding, or the one that makes the output's spatial size output_size
        (its last dims), which must lie within a stride of the smallest size, as PyTorch."""
        if output_size is None:
            return self.output_padding
        name, dims = type(self).__name__, self.dims
        sizes = [int(v) for v in output_size]
        if len(sizes) not in (dims, x.ndim):
            raise ValueError(f"{name}: for {x.ndim}-D input, output_size must have {dims} or "
                             f"{x.ndim} elements, got {tuple(output_size)}")
        sizes, spatial = sizes[-dims:], x.shape[-dims:]
        smallest = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in zip(
            spatial, self.stride, self.padding, self.dilation, self.kernel_size, strict=True)]
        if not all(lo <= v < lo + s for v, lo, s in zip(sizes, smallest, self.stride,
                                                         strict=True)):
            raise ValueError(f"{name}: requested an output size of {tuple(sizes)}, but valid "
                             f"sizes range from {smallest} to "
                             f"{[lo + s - 1 for lo, s in zip(smallest, self.stride)]} (for an "
                             f"input of spatial size {tuple(spatial)})")
        return tuple(v - lo for v, lo in zip(sizes, smallest, strict=True))


class ConvTranspose1d(_ConvTransposeNd):
    """The adjoint of Conv1d over (N, C, L)."""

    dims = 1

    def forward(self, x: Tensor, output_size: Any = None) -> Tensor:
        return F.conv_transpose1d(x, self.weight, self.bias, self.stride[0], self.padding[0],
                                  self._output_padding(x, output_size)[0], self.groups,
                                  self.dilation[0])


class ConvTranspose2d(_ConvTransposeNd):
    """The adjoint of Conv2d over (N, C, H, W)."""

    def forward(self, x: Tensor, output_size: Any = None) -> Tensor:
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(x, output_size), self.groups, self.dilation)


class ConvTranspose3d(_ConvTransposeNd):
    """The adjoint of Conv3d over (N, C, D, H, W)."""

    dims = 3

    def forward(self, x: Tensor, output_size: Any = None) -> Tensor:
        return F.conv_transpose3d(x, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(x, output_size), self.groups, self.dilation)


# *** pooling ***
class MaxPool2d(Module):
    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size, self.stride = kernel_size, kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x: Tensor) -> Any:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size, self.stride = kernel_size, kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average over a grid of output_size windows, whatever the input's size."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(AdaptiveAvgPool2d):
    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, x: Tensor) -> Any:
        return F.adaptive_max_pool2d(x, self.output_size, self.return_indices)


class MaxPool3d(MaxPool2d):
    def forward(self, x: Tensor) -> Any:
        return F.max_pool3d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)


class AvgPool3d(AvgPool2d):
    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool3d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AdaptiveAvgPool3d(AdaptiveAvgPool2d):
    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool3d(x, self.output_size)


class AdaptiveMaxPool3d(AdaptiveMaxPool2d):
    def forward(self, x: Tensor) -> Any:
        return F.adaptive_max_pool3d(x, self.output_size, self.return_indices)


class _MaxUnpoolNd(Module):
    """Scatter a max pool's output back to its indices (zeros elsewhere); forward takes the
    indices and, optionally, the output_size to pick among the sizes that pool to the input."""

    dims = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        name = type(self).__name__
        self.kernel_size = as_tuple(kernel_size, self.dims, "kernel_size", name)
        self.stride = self.kernel_size if stride is None else as_tuple(
            stride, self.dims, "stride", name)
        self.padding = as_tuple(padding, self.dims, "padding", name, 0)

    def forward(self, input: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        unpool = (F.max_unpool1d, F.max_unpool2d, F.max_unpool3d)[self.dims - 1]
        return unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    dims = 1


class MaxUnpool2d(_MaxUnpoolNd):
    dims = 2


class MaxUnpool3d(_MaxUnpoolNd):
    dims = 3


# *** normalization and dropout over channels ***
class BatchNorm2d(BatchNorm1d):
    """Normalize each channel of (N, C, H, W) over the batch and both spatial dims."""

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm2d({self.num_features}): expected input of shape "
                             f"(N, {self.num_features}, H, W), got {x.shape}")
        return self._normalize(x)


class BatchNorm3d(BatchNorm1d):
    """Normalize each channel of (N, C, D, H, W) over the batch and the three spatial dims."""

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 5 or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm3d({self.num_features}): expected input of shape "
                             f"(N, {self.num_features}, D, H, W), got {x.shape}")
        return self._normalize(x)


class Dropout2d(Dropout):
    """Zero whole channels with probability p while training."""

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout2d(x, self.p, self.training)


class LPPool2d(Module):
    """The p-norm of each window (F.lp_pool2d)."""

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size, self.stride = norm_type, kernel_size, stride
        self.ceil_mode = ceil_mode

    def forward(self, x: Tensor) -> Tensor:
        return F.lp_pool2d(x, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(LPPool2d):
    """The p-norm of each window of (N, C, L) (F.lp_pool1d)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.lp_pool1d(x, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool3d(LPPool2d):
    """The p-norm of each window of (N, C, D, H, W) (F.lp_pool3d)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.lp_pool3d(x, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """Max over output_size windows that tile L (F.adaptive_max_pool1d)."""

    def forward(self, x: Tensor) -> Any:
        return F.adaptive_max_pool1d(x, self.output_size, self.return_indices)


# *** gaps2: fractional max pooling ***
class _FractionalMaxPoolNd(Module):
    """Max pooling over pseudo-random windows (F.fractional_max_pool2d/3d), to output_size or
    to output_ratio (in (0, 1)) of the input's size; _random_samples (N, C, dims) fixes the
    windows, else each call draws new ones."""

    dims = 2

    def __init__(self, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                 return_indices: bool = False, _random_samples: Any = None) -> None:
        super().__init__()
        name, dims = type(self).__name__, self.dims
        self.kernel_size = as_tuple(kernel_size, dims, "kernel_size", name)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling "
                             "ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        self.output_size = None if output_size is None else as_tuple(
            output_size, dims, "output_size", name, 0)
        self.output_ratio = None
        if output_ratio is not None:
            ratios = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else (
                (output_ratio,) * dims)
            if len(ratios) != dims or not all(0 < r < 1 for r in ratios):
                raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")
            self.output_ratio = ratios

    def forward(self, input: Tensor) -> Any:
        pool = F.fractional_max_pool2d if self.dims == 2 else F.fractional_max_pool3d
        return pool(input, self.kernel_size, self.output_size, self.output_ratio,
                    self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    dims = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    dims = 3
