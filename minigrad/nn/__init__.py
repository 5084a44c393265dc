"""Neural-network building blocks with PyTorch's names: Module, Parameter, layers, losses,
init, and the functional forms in minigrad.nn.functional."""

from minigrad.nn import functional, init
from minigrad.nn.conv import (
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool2d,
    BatchNorm2d,
    Conv1d,
    Conv2d,
    ConvTranspose2d,
    Dropout2d,
    MaxPool2d,
)
from minigrad.nn.layers import (
    BatchNorm1d,
    BCELoss,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    Identity,
    LayerNorm,
    LeakyReLU,
    Linear,
    MSELoss,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from minigrad.nn.module import Module, ModuleList, Parameter, Sequential
from minigrad.nn.utils import clip_grad_norm_

# isort: split
# PyTorch's Module API beyond the basics
from minigrad.nn.layers import (
    Dropout1d,
    Embedding,
    EmbeddingBag,
    LazyLinear,
    LogSoftmax,
    Softmax2d,
    Unflatten,
)
from minigrad.nn.module import ModuleDict, ParameterDict, ParameterList, UninitializedParameter

__all__ = [
    "BCELoss", "BatchNorm1d", "CrossEntropyLoss", "Dropout", "Flatten", "Identity", "LayerNorm",
    "LeakyReLU", "Linear", "MSELoss", "Module", "ModuleList", "Parameter", "ReLU", "Sequential",
    "Sigmoid", "Softmax", "Tanh", "clip_grad_norm_", "functional", "init",
]
__all__ += [
    "Embedding", "LazyLinear", "LogSoftmax", "ModuleDict", "ParameterDict", "ParameterList",
    "Unflatten", "UninitializedParameter", "EmbeddingBag", "Dropout1d", "Softmax2d",
]

# *** op library: losses (issue 11) ***
from minigrad.nn.loss import (  # noqa: E402
    BCEWithLogitsLoss,
    CosineEmbeddingLoss,
    CosineSimilarity,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    NLLLoss,
    SmoothL1Loss,
)

__all__ += [
    "BCEWithLogitsLoss", "CosineEmbeddingLoss", "CosineSimilarity", "HuberLoss", "KLDivLoss",
    "L1Loss", "MarginRankingLoss", "NLLLoss", "SmoothL1Loss",
]
from minigrad.nn.loss import (  # noqa: E402
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    MultiLabelSoftMarginLoss,
    PoissonNLLLoss,
    SoftMarginLoss,
    TripletMarginLoss,
)

__all__ += ["GaussianNLLLoss", "HingeEmbeddingLoss", "MultiLabelSoftMarginLoss", "PoissonNLLLoss",
            "SoftMarginLoss", "TripletMarginLoss"]
from minigrad.nn.loss import TripletMarginWithDistanceLoss  # noqa: E402

__all__ += ["TripletMarginWithDistanceLoss"]

# *** op library: activation modules ***
from minigrad.nn.activation import (  # noqa: E402
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    Mish,
    PReLU,
    ReLU6,
    SiLU,
    Softmin,
    Softplus,
    Softsign,
    Threshold,
)

__all__ += [
    "CELU", "ELU", "GELU", "GLU", "Hardsigmoid", "Hardswish", "Hardtanh", "LogSigmoid", "Mish",
    "PReLU", "ReLU6", "SELU", "SiLU", "Softmin", "Softplus", "Softsign", "Threshold",
]
__all__ += [  # convolution and pooling (minigrad.nn.conv)
    "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AvgPool2d", "BatchNorm2d", "Conv1d", "Conv2d",
    "ConvTranspose2d", "Dropout2d", "MaxPool2d",
]

# *** recurrent layers (minigrad.nn.recurrent) ***
from minigrad.nn.recurrent import (  # noqa: E402
    GRU,
    LSTM,
    RNN,
    GRUCell,
    LSTMCell,
    RNNBase,
    RNNCell,
    RNNCellBase,
)

__all__ += ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase"]

# *** attention, transformer, more normalization and small modules (branch attn) ***
from minigrad.nn.transformer import (  # noqa: E402
    MultiheadAttention,
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)

__all__ += [
    "MultiheadAttention", "Transformer", "TransformerDecoder", "TransformerDecoderLayer",
    "TransformerEncoder", "TransformerEncoderLayer",
]
from minigrad.nn.misc import (  # noqa: E402
    AdaptiveAvgPool1d,
    AvgPool1d,
    Bilinear,
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    Fold,
    Hardshrink,
    MaxPool1d,
    PairwiseDistance,
    PixelShuffle,
    PixelUnshuffle,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    Softshrink,
    Tanhshrink,
    Unfold,
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)
from minigrad.nn.normalization import GroupNorm, InstanceNorm1d, InstanceNorm2d, RMSNorm  # noqa: E402

__all__ += [
    "AdaptiveAvgPool1d", "AvgPool1d", "Bilinear", "CircularPad1d", "CircularPad2d",
    "ConstantPad1d", "ConstantPad2d", "Fold", "GroupNorm", "Hardshrink", "InstanceNorm1d",
    "InstanceNorm2d", "MaxPool1d", "PairwiseDistance", "PixelShuffle", "PixelUnshuffle",
    "RMSNorm", "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d",
    "Softshrink", "Tanhshrink", "Unfold", "Upsample", "UpsamplingBilinear2d",
    "UpsamplingNearest2d", "ZeroPad1d", "ZeroPad2d",
]
__all__ += ["CircularPad3d", "ConstantPad3d", "ReflectionPad3d", "ReplicationPad3d", "ZeroPad3d"]
from minigrad.nn.misc import AlphaDropout, Dropout3d  # noqa: E402
from minigrad.nn.normalization import InstanceNorm3d, LocalResponseNorm  # noqa: E402

__all__ += ["AlphaDropout", "Dropout3d", "InstanceNorm3d", "LocalResponseNorm"]
from minigrad.nn.conv import ConvTranspose1d  # noqa: E402

__all__ += ["ConvTranspose1d"]

# programs2: the multi-class hinge loss
from minigrad.nn.loss import MultiLabelMarginLoss, MultiMarginLoss  # noqa: E402

__all__ += ["MultiLabelMarginLoss", "MultiMarginLoss"]

# programs2: power-average pooling
from minigrad.nn.conv import LPPool1d, LPPool2d  # noqa: E402

__all__ += ["LPPool1d", "LPPool2d"]

# programs2: randomized leaky ReLU, channel shuffle
from minigrad.nn.activation import ChannelShuffle, RReLU  # noqa: E402

__all__ += ["ChannelShuffle", "RReLU"]

# conv3d: volumes and unpooling
from minigrad.nn.conv import (  # noqa: E402
    AdaptiveAvgPool3d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool3d,
    AvgPool3d,
    BatchNorm3d,
    Conv3d,
    ConvTranspose3d,
    LPPool3d,
    MaxPool3d,
    MaxUnpool1d,
    MaxUnpool2d,
    MaxUnpool3d,
)

__all__ += ["AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool3d", "AvgPool3d",
            "BatchNorm3d", "Conv3d", "ConvTranspose3d", "LPPool3d", "MaxPool3d", "MaxUnpool1d",
            "MaxUnpool2d", "MaxUnpool3d"]

# gaps: connectionist temporal classification
from minigrad.nn.loss import CTCLoss  # noqa: E402

__all__ += ["CTCLoss"]

# gaps2: lazy convolutions and normalizations (nn/lazy.py), UninitializedBuffer, fractional
# max pooling
from minigrad.nn.conv import FractionalMaxPool2d, FractionalMaxPool3d  # noqa: E402
from minigrad.nn.lazy import (  # noqa: E402
    LazyBatchNorm1d,
    LazyBatchNorm2d,
    LazyBatchNorm3d,
    LazyConv1d,
    LazyConv2d,
    LazyConv3d,
    LazyConvTranspose1d,
    LazyConvTranspose2d,
    LazyConvTranspose3d,
    LazyInstanceNorm1d,
    LazyInstanceNorm2d,
    LazyInstanceNorm3d,
)
from minigrad.nn.module import LazyModuleMixin, UninitializedBuffer  # noqa: E402

__all__ += ["LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyConv1d", "LazyConv2d",
            "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d",
            "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d", "LazyModuleMixin",
            "UninitializedBuffer", "FractionalMaxPool2d", "FractionalMaxPool3d"]
