# ruff: noqa: E501
# Pieces of modern LLM fine-tuning code on a toy scale: a top-k gated mixture of experts (noisy
# gating off), dispatch with torch.topk, index bookkeeping with nonzero/where and index_add_, the
# Switch-style load-balancing loss; LoRA adapters on a frozen nn.Linear (A kaiming, B zeros,
# scale alpha/r), merging the adapter into the weight; an EMA of the weights with lerp_ and
# torch.optim.swa_utils-free code; gradient accumulation and clip_grad_value_.
import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def fill(module, scale=0.5, phase=0.0):
    with torch.no_grad():
        for i, p in enumerate(module.parameters()):
            p.copy_(scale * torch.sin(torch.arange(p.numel(), dtype=p.dtype) * 0.37 + i + phase).view_as(p) / math.sqrt(p.shape[-1]))


class Expert(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.w1, self.w2 = nn.Linear(d, h), nn.Linear(h, d)

    def forward(self, x):
        return self.w2(F.gelu(self.w1(x), approximate="tanh"))


class MoE(nn.Module):
    def __init__(self, d=6, h=12, n_experts=4, k=2):
        super().__init__()
        self.k, self.n_experts = k, n_experts
        self.gate = nn.Linear(d, n_experts, bias=False)
        self.experts = nn.ModuleList(Expert(d, h) for _ in range(n_experts))

    def forward(self, x):
        logits = self.gate(x)
        probs = logits.softmax(dim=-1)
        topk_probs, topk_idx = probs.topk(self.k, dim=-1)
        topk_probs = topk_probs / topk_probs.sum(dim=-1, keepdim=True)
        out = torch.zeros_like(x)
        for e, expert in enumerate(self.experts):
            token_idx, slot = torch.where(topk_idx == e)
            if token_idx.numel() == 0:
                continue
            y = expert(x[token_idx]) * topk_probs[token_idx, slot].unsqueeze(-1)
            out.index_add_(0, token_idx, y)
        # load balancing (Switch Transformer): fraction routed * mean gate prob, per expert
        mask = F.one_hot(topk_idx[:, 0], self.n_experts).float()
        aux = self.n_experts * (mask.mean(0) * probs.mean(0)).sum()
        return out, aux, topk_idx


tokens = torch.stack([torch.sin(torch.arange(6.0) * (t + 1) * 0.5) for t in range(10)])
moe = MoE()
fill(moe)
out, aux, idx = moe(tokens)
print("moe out", out.shape, "aux", round(aux.item(), 6), "routing", idx[:, 0].tolist())
print("expert load", torch.bincount(idx.flatten(), minlength=4).tolist(), idx.unique(sorted=True).tolist())
dense = torch.zeros_like(tokens)
probs = moe.gate(tokens).softmax(-1)
tp, ti = probs.topk(2, -1)
for t in range(10):
    for s in range(2):
        dense[t] += tp[t, s] / tp[t].sum() * moe.experts[int(ti[t, s])](tokens[t])
print("dispatch == per-token loop:", torch.allclose(out, dense, atol=1e-6))
(out.pow(2).mean() + 0.01 * aux).backward()
print("gate grad", moe.gate.weight.grad.abs().sum().item() > 0, [e.w1.weight.grad is not None for e in moe.experts])
nz = idx.eq(3).nonzero()
print("tokens using expert 3", nz.shape, nz[:, 0].tolist(), torch.nonzero(idx == 3, as_tuple=True)[1].tolist())


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, r=2, alpha=4):
        super().__init__()
        self.base = base
        self.base.weight.requires_grad_(False)
        if self.base.bias is not None:
            self.base.bias.requires_grad = False
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        with torch.no_grad():
            self.lora_A.copy_(torch.cos(torch.arange(r * base.in_features, dtype=torch.float32)).view(r, -1) * 0.3)
        self.scaling = alpha / r

    def forward(self, x):
        return self.base(x) + (x @ self.lora_A.T @ self.lora_B.T) * self.scaling

    @torch.no_grad()
    def merge(self):
        merged = nn.Linear(self.base.in_features, self.base.out_features)
        merged.weight.copy_(self.base.weight + self.scaling * self.lora_B @ self.lora_A)
        merged.bias.copy_(self.base.bias)
        return merged


base = nn.Linear(6, 3)
fill(base, 1.0, 0.3)
lora = LoRALinear(copy.deepcopy(base))
print("zero-init adapter keeps the base:", torch.equal(lora(tokens), base(tokens)))
trainable = [n for n, p in lora.named_parameters() if p.requires_grad]
print("trainable", trainable, sum(p.numel() for p in lora.parameters() if p.requires_grad), "frozen", sum(p.numel() for p in lora.parameters() if not p.requires_grad))
target = tokens[:, :3].flip(-1)
opt = torch.optim.AdamW(filter(lambda p: p.requires_grad, lora.parameters()), lr=0.05, weight_decay=0.0)
ema = copy.deepcopy(lora)
for p in ema.parameters():
    p.requires_grad_(False)
accum = 2
for step in range(40):
    for micro in range(accum):
        chunk = tokens[micro::accum]
        loss = F.mse_loss(lora(chunk), target[micro::accum]) / accum
        loss.backward()
    torch.nn.utils.clip_grad_value_(lora.parameters(), clip_value=0.5)
    opt.step()
    opt.zero_grad(set_to_none=True)
    with torch.no_grad():
        for pe, pm in zip(ema.parameters(), lora.parameters()):
            pe.lerp_(pm, 0.1)
    if step % 13 == 0:
        print(f"step {step} loss {F.mse_loss(lora(tokens), target).item():.6f}")
print("base untouched:", torch.equal(lora.base.weight, base.weight))
merged = lora.merge()
print("merged == adapter:", torch.allclose(merged(tokens), lora(tokens), atol=1e-5), "rank of delta", torch.linalg.matrix_rank(lora.lora_B @ lora.lora_A).item())
print("ema lags:", F.mse_loss(ema(tokens), target).item() > F.mse_loss(lora(tokens), target).item())
print("state keys", list(lora.state_dict().keys()))
