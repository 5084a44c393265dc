"""Multi-head attention and the Transformer's encoder and decoder stacks, with PyTorch's
constructor arguments, defaults, initialisation, state_dict keys and masking conventions.

PyTorch's masks for these modules are the opposite of scaled_dot_product_attention's: a bool
attn_mask or key_padding_mask is True where attention is NOT allowed; a float mask is added to
the scores. The attention itself is F.multi_head_attention_forward; everything is built from
differentiable ops (linear, matmul, softmax, layer_norm)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.function import is_grad_enabled
from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.activation import GELU
from minigrad.nn.layers import Dropout, LayerNorm, Linear, ReLU, _factory_dtype
from minigrad.nn.module import Module, ModuleList, Parameter
from minigrad.tensor import Tensor

__all__ = ["MultiheadAttention", "Transformer", "TransformerDecoder", "TransformerDecoderLayer",
           "TransformerEncoder", "TransformerEncoderLayer"]


class MultiheadAttention(Module):
    """Attention with num_heads heads: softmax(Q_h K_h^T / sqrt(head_dim) + mask) V_h for each
    head h, concatenated and projected by out_proj. Q, K, V are linear projections of query,
    key and value by in_proj_weight (3 embed_dim, embed_dim) (or q/k/v_proj_weight when kdim or
    vdim differ from embed_dim), initialised Xavier-uniform with zero biases, as PyTorch."""

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False,
                 kdim: int | None = None, vdim: int | None = None, batch_first: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be greater than "
                             f"0, got embed_dim={embed_dim} and num_heads={num_heads}")
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible by "
                             f"num_heads ({num_heads})")
        if not 0 <= dropout <= 1:
            raise ValueError(f"MultiheadAttention: dropout must be in [0, 1], got {dropout}")
        dtype = _factory_dtype(device, dtype)
        self.embed_dim = embed_dim
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads, self.dropout, self.batch_first = num_heads, dropout, batch_first
        self.head_dim = embed_dim // num_heads
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * embed_dim, embed_dim), dtype))
            self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        else:
            self.q_proj_weight = Parameter(np.empty((embed_dim, embed_dim), dtype))
            self.k_proj_weight = Parameter(np.empty((embed_dim, self.kdim), dtype))
            self.v_proj_weight = Parameter(np.empty((embed_dim, self.vdim), dtype))
            self.in_proj_weight = None
        self.in_proj_bias = Parameter(np.empty(3 * embed_dim, dtype)) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(np.empty((1, 1, embed_dim), dtype))
            self.bias_v = Parameter(np.empty((1, 1, embed_dim), dtype))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        for w in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight,
                  self.v_proj_weight):
            if w is not None:
                init.xavier_uniform_(w)
        for b in (self.in_proj_bias, self.out_proj.bias):
            if b is not None:
                init.zeros_(b)
        for b in (self.bias_k, self.bias_v):
            if b is not None:
                init.xavier_normal_(b)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Any = None, need_weights: bool = True, attn_mask: Any = None,
                average_attn_weights: bool = True, is_causal: bool = False
                ) -> tuple[Tensor, Tensor | None]:
        """(attn_output, attn_weights) for query (L, N, E) (or (N, L, E) with batch_first, or
        unbatched (L, E)) attending to key and value (S, N, kdim / vdim); attn_weights are
        (N, L, S), or (N, num_heads, L, S) without averaging, or None if not need_weights.
        See F.multi_head_attention_forward."""
        batch_first = self.batch_first and query.ndim == key.ndim == value.ndim == 3
        if batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        out, weights = F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight, average_attn_weights=average_attn_weights,
            is_causal=is_causal)
        return (out.transpose(0, 1) if batch_first else out), weights

    def extra_repr(self) -> str:
        return ""  # PyTorch prints only out_proj


def _activation(activation: str | Callable[[Tensor], Tensor], layer: str
                ) -> Callable[[Tensor], Tensor]:
    if callable(activation):
        return activation
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"{layer}: activation should be 'relu', 'gelu' or a callable, not "
                       f"{activation!r}")


class _TransformerLayer(Module):
    """The parts shared by the encoder and decoder layers, created in PyTorch's order (so
    state_dict keys come in its order): the attention blocks named in `attentions`, linear1,
    dropout, linear2, then one LayerNorm and one Dropout per residual block."""

    attentions: tuple[str, ...] = ()

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable[[Tensor], Tensor] = F.relu,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        if not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout must be in [0, 1], got {dropout}")
        kw = {"device": device, "dtype": dtype}
        for attention in self.attentions:
            setattr(self, attention, MultiheadAttention(d_model, nhead, dropout=dropout,
                                                        bias=bias, batch_first=batch_first,
                                                        **kw))
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        blocks = range(1, len(self.attentions) + 2)
        for i in blocks:
            setattr(self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw))
        for i in blocks:
            setattr(self, f"dropout{i}", Dropout(dropout))
        self.activation = _activation(activation, name)

    def _residual(self, x: Tensor, i: int, block: Callable[[Tensor], Tensor]) -> Tensor:
        """x + block(norm_i(x)) with norm_first, else norm_i(x + block(x))."""
        norm = getattr(self, f"norm{i}")
        return x + block(norm(x)) if self.norm_first else norm(x + block(x))

    def _attend(self, i: int, x: Tensor, memory: Tensor | None, attn_mask: Any,
                key_padding_mask: Any, is_causal: bool) -> Tensor:
        """Block i: attention of x to memory (to itself if None), then dropout_i."""
        kv = x if memory is None else memory
        x = getattr(self, self.attentions[i - 1])(
            x, kv, kv, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
            need_weights=False, is_causal=is_causal)[0]
        return getattr(self, f"dropout{i}")(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        last = getattr(self, f"dropout{len(self.attentions) + 1}")
        return last(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerEncoderLayer(_TransformerLayer):
    """Self-attention then a feed-forward network (linear1, activation, linear2), each in a
    residual connection with a LayerNorm: after it (x = norm(x + block(x)), the default) or,
    with norm_first, before it (x = x + block(norm(x)))."""

    attentions = ("self_attn",)

    def forward(self, src: Tensor, src_mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool = False) -> Tensor:
        x = self._residual(src, 1, lambda x: self._attend(1, x, None, src_mask,
                                                           src_key_padding_mask, is_causal))
        return self._residual(x, 2, self._ff_block)


class TransformerDecoderLayer(_TransformerLayer):
    """Self-attention over the target, attention to the encoder's output (memory), then a
    feed-forward network, each in a residual connection with a LayerNorm (after it by
    default, before it with norm_first)."""

    attentions = ("self_attn", "multihead_attn")

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Any = None,
                memory_mask: Any = None, tgt_key_padding_mask: Any = None,
                memory_key_padding_mask: Any = None, tgt_is_causal: bool = False,
                memory_is_causal: bool = False) -> Tensor:
        x = self._residual(tgt, 1, lambda x: self._attend(1, x, None, tgt_mask,
                                                           tgt_key_padding_mask, tgt_is_causal))
        x = self._residual(x, 2, lambda x: self._attend(2, x, memory, memory_mask,
                                                         memory_key_padding_mask,
                                                         memory_is_causal))
        return self._residual(x, 3, self._ff_block)


def _clones(layer: Module, n: int, stack: str) -> ModuleList:
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"{stack}: num_layers must be a non-negative int, got {n!r}")
    return ModuleList([copy.deepcopy(layer) for _ in range(n)])


class TransformerEncoder(Module):
    """num_layers deep copies of encoder_layer applied in turn, then norm (if given).

    PyTorch's inference path (enable_nested_tensor) computes only the unpadded positions and
    returns 0 at the padded ones (before norm); its results are reproduced here: where PyTorch
    would take that path (see _zeroes_padding) the padded positions are set to 0."""

    def __init__(self, encoder_layer: Module, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers, "TransformerEncoder")
        self.num_layers, self.norm = num_layers, norm
        self.enable_nested_tensor, self.mask_check = enable_nested_tensor, mask_check
        self.use_nested_tensor = enable_nested_tensor and _nested_tensor_layer(encoder_layer)

    def forward(self, src: Tensor, mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool | None = None) -> Tensor:
        out = src
        for layer in self.layers:
            out = layer(out, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                        is_causal=bool(is_causal))
        if self._zeroes_padding(src, mask, src_key_padding_mask):
            keep = ~np.asarray(_array_of(src_key_padding_mask), bool)
            out = out * Tensor._make(keep[..., None].astype(out.dtype))
        return out if self.norm is None else self.norm(out)

    def _zeroes_padding(self, src: Tensor, mask: Any, padding: Any) -> bool:
        """Whether PyTorch's nested-tensor path applies: a bool or float padding mask and no
        attn mask, for a batched input in evaluation with nothing to differentiate, and
        (with mask_check) every sequence's padding at its end."""
        if (not self.use_nested_tensor or not self.layers or self.layers[0].training
                or src.ndim != 3 or padding is None or mask is not None):
            return False
        first = self.layers[0]
        tensors = [src, first.self_attn.in_proj_weight, first.self_attn.in_proj_bias,
                   first.self_attn.out_proj.weight, first.self_attn.out_proj.bias,
                   first.norm1.weight, first.norm1.bias, first.norm2.weight, first.norm2.bias,
                   first.linear1.weight, first.linear1.bias, first.linear2.weight,
                   first.linear2.bias]
        if is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors):
            return False
        pad = np.asarray(_array_of(padding))
        pad = pad != 0 if pad.dtype != np.bool_ else pad
        return not self.mask_check or bool((np.sort(pad, axis=-1) == pad).all())


def _array_of(mask: Any) -> np.ndarray:
    return mask.array if isinstance(mask, Tensor) else np.asarray(mask)


def _nested_tensor_layer(layer: Module) -> bool:
    """Whether PyTorch's TransformerEncoder would use nested tensors for copies of layer."""
    attn = getattr(layer, "self_attn", None)
    return (isinstance(layer, TransformerEncoderLayer) and not layer.norm_first
            and attn.batch_first and attn._qkv_same_embed_dim and attn.in_proj_bias is not None
            and (layer.activation in (F.relu, F.gelu) or isinstance(layer.activation,
                                                                     (ReLU, GELU)))
            and layer.norm1.eps == layer.norm2.eps and attn.num_heads % 2 == 0)


class TransformerDecoder(Module):
    """num_layers deep copies of decoder_layer applied in turn, then norm (if given)."""

    def __init__(self, decoder_layer: Module, num_layers: int,
                 norm: Module | None = None) -> None:
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers, "TransformerDecoder")
        self.num_layers, self.norm = num_layers, norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Any = None,
                memory_mask: Any = None, tgt_key_padding_mask: Any = None,
                memory_key_padding_mask: Any = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        out = tgt
        for layer in self.layers:
            out = layer(out, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                        tgt_key_padding_mask=tgt_key_padding_mask,
                        memory_key_padding_mask=memory_key_padding_mask,
                        tgt_is_causal=bool(tgt_is_causal), memory_is_causal=memory_is_causal)
        return out if self.norm is None else self.norm(out)


class Transformer(Module):
    """The encoder-decoder model of "Attention Is All You Need": a TransformerEncoder and a
    TransformerDecoder, each ending in a LayerNorm, every weight matrix Xavier-uniform."""

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str | Callable[[Tensor], Tensor] = F.relu,
                 custom_encoder: Module | None = None, custom_decoder: Module | None = None,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        kw = {"dropout": dropout, "activation": activation, "layer_norm_eps": layer_norm_eps,
              "batch_first": batch_first, "norm_first": norm_first, "bias": bias,
              "device": device, "dtype": dtype}
        norm = {"eps": layer_norm_eps, "bias": bias, "device": device, "dtype": dtype}
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, dim_feedforward, **kw)
            self.encoder = TransformerEncoder(layer, num_encoder_layers,
                                              LayerNorm(d_model, **norm))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, **kw)
            self.decoder = TransformerDecoder(layer, num_decoder_layers,
                                              LayerNorm(d_model, **norm))
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Any = None, tgt_mask: Any = None,
                memory_mask: Any = None, src_key_padding_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        batch_dim = 0 if self.batch_first else 1
        if src.ndim == 3 and tgt.ndim == 3 and src.shape[batch_dim] != tgt.shape[batch_dim]:
            raise RuntimeError(f"Transformer: the batch size of src ({src.shape[batch_dim]}) "
                               f"and tgt ({tgt.shape[batch_dim]}) must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError(f"Transformer: the feature number of src and tgt must be equal "
                               f"to d_model ({self.d_model}), got {src.shape} and {tgt.shape}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None,
                                        dtype: Any = None) -> Tensor:
        """A float (sz, sz) mask: 0 where key j <= query i, -inf above the diagonal."""
        dtype = _factory_dtype(device, dtype)
        return Tensor._make(np.triu(np.full((sz, sz), -np.inf, dtype), 1))
