# ruff: noqa: E501
# A modern training loop as nanoGPT-style scripts write it, run on the CPU: the device picked
# by torch.cuda.is_available(), autocast and a GradScaler that are no-ops without CUDA,
# gradient accumulation over micro-batches, scaler.unscale_ before clip_grad_norm_, a warmup
# plus cosine learning rate set by hand in param_groups, an @torch.no_grad() estimate_loss
# with eval()/train(), and a CPU GradScaler that really scales (and skips an overflowing step).
import math
from contextlib import nullcontext

import torch
import torch.nn as nn
import torch.nn.functional as F

device = "cuda" if torch.cuda.is_available() else "cpu"
device_type = "cuda" if "cuda" in device else "cpu"
dtype = "bfloat16" if torch.cuda.is_available() else "float32"
ptdtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]
ctx = nullcontext() if device_type == "cpu" else torch.amp.autocast(device_type=device_type, dtype=ptdtype)
torch.manual_seed(1337)
model = nn.Sequential(nn.Embedding(16, 8), nn.Flatten(), nn.Linear(32, 32), nn.GELU(), nn.Dropout(0.1), nn.Linear(32, 16)).to(device)
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(0.2 * torch.sin(torch.arange(p.numel()) * 0.37 + i).view_as(p))
data = torch.arange(200) * 7 % 16
learning_rate, min_lr, warmup_iters, lr_decay_iters, max_iters = 1e-2, 1e-3, 3, 12, 12
gradient_accumulation_steps, grad_clip = 2, 1.0


def get_batch(i):
    ix = (torch.arange(4) * 13 + i * 5) % (len(data) - 5)
    x = torch.stack([data[j:j + 4] for j in ix.tolist()])
    y = torch.stack([data[j + 4] for j in ix.tolist()])
    return x.to(device), y.to(device)


def get_lr(it):
    if it < warmup_iters:
        return learning_rate * (it + 1) / (warmup_iters + 1)
    decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
    coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
    return min_lr + coeff * (learning_rate - min_lr)


@torch.no_grad()
def estimate_loss():
    model.eval()
    losses = torch.zeros(3)
    for k in range(3):
        X, Y = get_batch(100 + k)
        with ctx:
            losses[k] = F.cross_entropy(model(X), Y).item()
    model.train()
    return losses.mean()


optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, betas=(0.9, 0.95), weight_decay=0.1)
scaler = torch.amp.GradScaler(device_type, enabled=(dtype == "float16"))
print(device, scaler.is_enabled(), scaler.get_scale())
model.eval()  # dropout off, so both libraries train alike
for it in range(max_iters):
    lr = get_lr(it)
    for param_group in optimizer.param_groups:
        param_group["lr"] = lr
    for micro_step in range(gradient_accumulation_steps):
        X, Y = get_batch(it * gradient_accumulation_steps + micro_step)
        with torch.autocast(device_type=device_type, enabled=False):
            logits = model(X)
            loss = F.cross_entropy(logits, Y) / gradient_accumulation_steps
        scaler.scale(loss).backward()
    scaler.unscale_(optimizer)
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    scaler.step(optimizer)
    scaler.update()
    optimizer.zero_grad(set_to_none=True)
    if it % 4 == 0:
        print(f"iter {it}: loss {loss.item() * gradient_accumulation_steps:.4f}, lr {lr:.5f}, norm {norm.item():.4f}")
print(f"val loss {estimate_loss().item():.4f}", model.training)

cpu_scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 10, growth_interval=2)
w = torch.tensor([1.0, -2.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
for step, factor in enumerate([1.0, 1.0, float("inf"), 1.0]):
    opt.zero_grad()
    scaled = cpu_scaler.scale((w ** 2).sum() * factor)
    scaled.backward()
    print(step, scaled.item(), w.grad)
    cpu_scaler.step(opt)
    cpu_scaler.update()
    print(w, cpu_scaler.get_scale())
print(cpu_scaler.state_dict())
