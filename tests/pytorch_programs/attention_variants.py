# ruff: noqa: E501
# Attention variants from papers' reference snippets: ALiBi slopes and biases, T5-style relative
# position buckets gathered from an nn.Embedding, a sliding-window (local) causal mask from
# triu/tril, linear attention with the elu+1 feature map (causal via cumsum), the online-softmax
# (flash-attention style) blockwise computation with a running max and rescaling, multi-query
# attention, and nn.MultiheadAttention with key_padding_mask and need_weights / average_attn_weights.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

B, H, L, E = 2, 4, 6, 8
q = torch.sin(torch.arange(B * H * L * E, dtype=torch.float32) * 0.31).view(B, H, L, E)
k = torch.cos(torch.arange(B * H * L * E, dtype=torch.float32) * 0.17).view(B, H, L, E)
v = torch.sin(torch.arange(B * H * L * E, dtype=torch.float32) * 0.73 + 1).view(B, H, L, E)


def get_alibi_slopes(n_heads):
    def get_slopes_power_of_2(n):
        start = 2 ** (-(2 ** -(math.log2(n) - 3)))
        return [start * start ** i for i in range(n)]
    if math.log2(n_heads).is_integer():
        return get_slopes_power_of_2(n_heads)
    closest = 2 ** math.floor(math.log2(n_heads))
    return get_slopes_power_of_2(closest) + get_alibi_slopes(2 * closest)[0::2][: n_heads - closest]


slopes = torch.tensor(get_alibi_slopes(H))
print("alibi slopes", [round(s, 6) for s in slopes.tolist()], [round(s, 5) for s in get_alibi_slopes(6)])
pos = torch.arange(L)
rel = pos[None, :] - pos[:, None]
alibi = slopes[:, None, None] * rel[None].float()
causal = torch.ones(L, L, dtype=torch.bool).tril()
scores = q @ k.transpose(-2, -1) / math.sqrt(E) + alibi
out_alibi = scores.masked_fill(~causal, float("-inf")).softmax(-1) @ v
ref = F.scaled_dot_product_attention(q, k, v, attn_mask=alibi.masked_fill(~causal, float("-inf")))
print("alibi == sdpa with float mask:", torch.allclose(out_alibi, ref, atol=1e-6))


def relative_position_bucket(relative_position, bidirectional=True, num_buckets=8, max_distance=16):
    ret = 0
    n = -relative_position
    if bidirectional:
        num_buckets //= 2
        ret += (n < 0).to(torch.long) * num_buckets
        n = torch.abs(n)
    else:
        n = torch.max(n, torch.zeros_like(n))
    max_exact = num_buckets // 2
    is_small = n < max_exact
    val_if_large = max_exact + (torch.log(n.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)).to(torch.long)
    val_if_large = torch.min(val_if_large, torch.full_like(val_if_large, num_buckets - 1))
    ret += torch.where(is_small, n, val_if_large)
    return ret


long_rel = torch.arange(12)[None, :] - torch.arange(12)[:, None]
buckets = relative_position_bucket(long_rel)
print("t5 buckets row 0", buckets[0].tolist(), "row 11", buckets[11].tolist())
print("unidirectional", relative_position_bucket(long_rel, bidirectional=False)[11].tolist())
bias_table = nn.Embedding(8, H)
with torch.no_grad():
    bias_table.weight.copy_(torch.linspace(-1, 1, 8 * H).view(8, H))
bias = bias_table(relative_position_bucket(rel)).permute(2, 0, 1).unsqueeze(0)
print("t5 bias", bias.shape, bias[0, 1, 2].detach().numpy().round(4).tolist())

window = 3
local = torch.ones(L, L, dtype=torch.bool).tril().triu(diagonal=-(window - 1))
print("sliding window mask", local.int().tolist()[-1], local.sum().item())
out_local = F.scaled_dot_product_attention(q, k, v, attn_mask=local)
manual = (q @ k.mT / math.sqrt(E)).masked_fill(~local, float("-inf")).softmax(-1) @ v
print("local attention:", torch.allclose(out_local, manual, atol=1e-6))


def elu_feature_map(x):
    return F.elu(x) + 1


def causal_linear_attention(q, k, v, eps=1e-6):
    Q, K = elu_feature_map(q), elu_feature_map(k)
    kv = torch.einsum("bhld,bhle->bhlde", K, v).cumsum(dim=2)
    z = 1 / (torch.einsum("bhld,bhld->bhl", Q, K.cumsum(dim=2)) + eps)
    return torch.einsum("bhld,bhlde,bhl->bhle", Q, kv, z)


lin = causal_linear_attention(q, k, v)
Qf, Kf = elu_feature_map(q), elu_feature_map(k)
A = (Qf @ Kf.mT).masked_fill(~causal, 0.0)
print("linear attention == masked kernel attention:", torch.allclose(lin, (A / A.sum(-1, keepdim=True)) @ v, atol=1e-5))


def online_softmax_attention(q, k, v, block=2):
    scale = 1 / math.sqrt(q.shape[-1])
    m = torch.full(q.shape[:-1], float("-inf"))
    l = torch.zeros(q.shape[:-1])
    acc = torch.zeros_like(q)
    for start in range(0, k.shape[-2], block):
        kb, vb = k[..., start:start + block, :], v[..., start:start + block, :]
        s = (q @ kb.transpose(-2, -1)) * scale
        m_new = torch.maximum(m, s.amax(dim=-1))
        p = torch.exp(s - m_new.unsqueeze(-1))
        correction = torch.exp(m - m_new)
        l = l * correction + p.sum(-1)
        acc = acc * correction.unsqueeze(-1) + p @ vb
        m = m_new
    return acc / l.unsqueeze(-1)


print("online softmax == sdpa:", torch.allclose(online_softmax_attention(q, k, v), F.scaled_dot_product_attention(q, k, v), atol=1e-5), torch.allclose(online_softmax_attention(q, k, v, block=4), F.scaled_dot_product_attention(q, k, v), atol=1e-5))

k1, v1 = k[:, :1], v[:, :1]
mqa = F.scaled_dot_product_attention(q, k1.expand(-1, H, -1, -1), v1.expand(-1, H, -1, -1), is_causal=True)
print("multi-query", mqa.shape, torch.allclose(mqa, F.scaled_dot_product_attention(q, k1, v1, is_causal=True), atol=1e-6))

mha = nn.MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True)
with torch.no_grad():
    for i, p in enumerate(mha.parameters()):
        p.copy_(torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 0.21 + i).view_as(p) * 0.3)
x = torch.sin(torch.arange(2 * 5 * 8, dtype=torch.float32) * 0.4).view(2, 5, 8)
pad = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
out, w = mha(x, x, x, key_padding_mask=pad)
print("mha", out.shape, w.shape, "padded keys get no weight:", bool((w[0, :, 3:] == 0).all()), w.sum(-1).allclose(torch.ones(2, 5)))
out2, w2 = mha(x, x, x, key_padding_mask=pad, average_attn_weights=False)
print("per-head weights", w2.shape, torch.allclose(w2.mean(1), w, atol=1e-6))
out3, w3 = mha(x, x, x, attn_mask=torch.ones(5, 5, dtype=torch.bool).triu(1), need_weights=False)
print("causal mha", out3.shape, w3, round(out3.abs().sum().item(), 4))
