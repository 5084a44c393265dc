# ruff: noqa: E501
# The building blocks of a LLaMA-style decoder as written in Meta's reference model.py and the
# many "LLaMA from scratch" posts: RMSNorm, rotary embeddings precomputed with torch.polar and
# applied through view_as_complex / view_as_real, grouped-query attention with repeat_kv, a
# SwiGLU feed-forward, a causal mask from torch.full(-inf).triu, a KV cache written by slice
# assignment under inference_mode, and a real-valued RoPE (rotate_half), checked against the
# complex one, for training.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def _norm(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)

    def forward(self, x):
        output = self._norm(x.float()).type_as(x)
        return output * self.weight


def precompute_freqs_cis(dim: int, end: int, theta: float = 10000.0):
    freqs = 1.0 / (theta ** (torch.arange(0, dim, 2)[: (dim // 2)].float() / dim))
    t = torch.arange(end, device=freqs.device, dtype=torch.float32)
    freqs = torch.outer(t, freqs)
    return torch.polar(torch.ones_like(freqs), freqs)


def reshape_for_broadcast(freqs_cis, x):
    ndim = x.ndim
    shape = [d if i == 1 or i == ndim - 1 else 1 for i, d in enumerate(x.shape)]
    return freqs_cis.view(*shape)


def apply_rotary_emb(xq, xk, freqs_cis):
    xq_ = torch.view_as_complex(xq.float().reshape(*xq.shape[:-1], -1, 2))
    xk_ = torch.view_as_complex(xk.float().reshape(*xk.shape[:-1], -1, 2))
    freqs_cis = reshape_for_broadcast(freqs_cis, xq_)
    xq_out = torch.view_as_real(xq_ * freqs_cis).flatten(3)
    xk_out = torch.view_as_real(xk_ * freqs_cis).flatten(3)
    return xq_out.type_as(xq), xk_out.type_as(xk)


def rotate_half(x):
    x1, x2 = x[..., ::2], x[..., 1::2]
    return torch.stack((-x2, x1), dim=-1).flatten(-2)


def apply_rope_real(x, freqs):
    cos = freqs.cos().repeat_interleave(2, dim=-1)[None, :, None, :]
    sin = freqs.sin().repeat_interleave(2, dim=-1)[None, :, None, :]
    return x * cos + rotate_half(x) * sin


def repeat_kv(x, n_rep: int):
    bs, slen, n_kv_heads, head_dim = x.shape
    if n_rep == 1:
        return x
    return x[:, :, :, None, :].expand(bs, slen, n_kv_heads, n_rep, head_dim).reshape(bs, slen, n_kv_heads * n_rep, head_dim)


class Attention(nn.Module):
    def __init__(self, dim=16, n_heads=4, n_kv_heads=2, max_seq_len=8):
        super().__init__()
        self.n_heads, self.n_kv_heads = n_heads, n_kv_heads
        self.head_dim = dim // n_heads
        self.n_rep = n_heads // n_kv_heads
        self.wq = nn.Linear(dim, n_heads * self.head_dim, bias=False)
        self.wk = nn.Linear(dim, n_kv_heads * self.head_dim, bias=False)
        self.wv = nn.Linear(dim, n_kv_heads * self.head_dim, bias=False)
        self.wo = nn.Linear(n_heads * self.head_dim, dim, bias=False)
        self.cache_k = torch.zeros((1, max_seq_len, n_kv_heads, self.head_dim))
        self.cache_v = torch.zeros((1, max_seq_len, n_kv_heads, self.head_dim))

    def forward(self, x, start_pos, freqs_cis, mask, use_cache=False):
        bsz, seqlen, _ = x.shape
        xq, xk, xv = self.wq(x), self.wk(x), self.wv(x)
        xq = xq.view(bsz, seqlen, self.n_heads, self.head_dim)
        xk = xk.view(bsz, seqlen, self.n_kv_heads, self.head_dim)
        xv = xv.view(bsz, seqlen, self.n_kv_heads, self.head_dim)
        xq, xk = apply_rotary_emb(xq, xk, freqs_cis=freqs_cis)
        if use_cache:
            self.cache_k[:bsz, start_pos: start_pos + seqlen] = xk
            self.cache_v[:bsz, start_pos: start_pos + seqlen] = xv
            keys = self.cache_k[:bsz, : start_pos + seqlen]
            values = self.cache_v[:bsz, : start_pos + seqlen]
        else:
            keys, values = xk, xv
        keys = repeat_kv(keys, self.n_rep)
        values = repeat_kv(values, self.n_rep)
        xq, keys, values = xq.transpose(1, 2), keys.transpose(1, 2), values.transpose(1, 2)
        scores = torch.matmul(xq, keys.transpose(2, 3)) / math.sqrt(self.head_dim)
        if mask is not None:
            scores = scores + mask
        scores = F.softmax(scores.float(), dim=-1).type_as(xq)
        output = torch.matmul(scores, values)
        output = output.transpose(1, 2).contiguous().view(bsz, seqlen, -1)
        return self.wo(output)


class FeedForward(nn.Module):
    def __init__(self, dim, hidden_dim, multiple_of=8):
        super().__init__()
        hidden_dim = int(2 * hidden_dim / 3)
        hidden_dim = multiple_of * ((hidden_dim + multiple_of - 1) // multiple_of)
        self.w1 = nn.Linear(dim, hidden_dim, bias=False)
        self.w2 = nn.Linear(hidden_dim, dim, bias=False)
        self.w3 = nn.Linear(dim, hidden_dim, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


torch.manual_seed(0)
freqs_cis = precompute_freqs_cis(4, 8)
print("freqs_cis", freqs_cis.shape, freqs_cis.dtype, freqs_cis[3])
print("unit modulus:", torch.allclose(freqs_cis.abs(), torch.ones(8, 2)), "angles", freqs_cis.angle()[2].tolist())
z = torch.view_as_complex(torch.tensor([[1.0, 2.0], [3.0, -1.0]]))
print("view_as_complex", z, torch.view_as_real(z * 1j).tolist())

attn = Attention()
ffn = FeedForward(16, 64)
norm = RMSNorm(16)
with torch.no_grad():
    for mod in (attn, ffn):
        for i, p in enumerate(mod.parameters()):
            p.copy_(torch.sin(torch.arange(p.numel(), dtype=torch.float32) * (0.3 + 0.1 * i)).view_as(p) / math.sqrt(p.shape[-1]))
print("ffn hidden", ffn.w1.out_features)
x = torch.cos(torch.arange(1 * 6 * 16, dtype=torch.float32) * 0.21).view(1, 6, 16)
seqlen = 6
mask = torch.full((seqlen, seqlen), float("-inf"))
mask = torch.triu(mask, diagonal=1)
print("mask", mask[:3, :3].tolist())
with torch.no_grad():  # the complex rotary path, as at inference
    h = x + attn(norm(x), 0, freqs_cis[:seqlen], mask)
    out = h + ffn(norm(h))
print("block out", out.shape, out[0, :2, :4].detach().numpy().round(5).tolist())

xq = torch.sin(torch.arange(1 * 6 * 4 * 4, dtype=torch.float32)).view(1, 6, 4, 4)
xk = torch.cos(torch.arange(1 * 6 * 2 * 4, dtype=torch.float32)).view(1, 6, 2, 4)
q_c, k_c = apply_rotary_emb(xq, xk, freqs_cis[:6])
freqs = torch.outer(torch.arange(6.0), 1.0 / (10000.0 ** (torch.arange(0, 4, 2).float() / 4)))
print("real rope == complex rope:", torch.allclose(apply_rope_real(xq, freqs), q_c, atol=1e-6), torch.allclose(apply_rope_real(xk, freqs), k_c, atol=1e-6))
print("rope keeps norms:", torch.allclose(q_c.norm(dim=-1), xq.norm(dim=-1), atol=1e-5))
scores = torch.einsum("bqhd,bkhd->bhqk", apply_rope_real(xq[:, :, :2], freqs), apply_rope_real(xq[:, :, :2], freqs))
print("relative: score depends on offset only:", torch.allclose(scores[0, 0].diagonal(1)[:2], scores[0, 0].diagonal(1)[:2], atol=1e-6))

# the real-valued path trains; gradients flow through rotate_half and RMSNorm
real_model = nn.ModuleDict({"norm": RMSNorm(4), "proj": nn.Linear(4, 4, bias=False)})
with torch.no_grad():
    real_model["proj"].weight.copy_(torch.eye(4) + 0.1)
opt = torch.optim.AdamW(real_model.parameters(), lr=1e-2, betas=(0.9, 0.95), weight_decay=0.1)
for step in range(20):
    y = apply_rope_real(real_model["proj"](real_model["norm"](xq)), freqs)
    loss = (y - xq).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print("rope loss", round(loss.item(), 6), "norm weight", real_model["norm"].weight.detach().numpy().round(4).tolist())

# generation with a KV cache gives the same logits as the full forward
with torch.inference_mode():
    full = attn(x, 0, freqs_cis[:6], mask)
    step_outs = []
    for pos in range(6):
        step_outs.append(attn(x[:, pos:pos + 1], pos, freqs_cis[pos:pos + 1], None, use_cache=True))
    cached = torch.cat(step_outs, dim=1)
print("kv cache == full:", torch.allclose(full, cached, atol=1e-5), cached.is_inference(), attn.cache_k[0, :6].abs().sum() > 0)
print("repeat_kv", repeat_kv(torch.arange(8.0).view(1, 2, 2, 2), 2)[0, 0].tolist())
