# ruff: noqa: E501
# Training-loop tricks from competition and research code, and a resume that must reproduce an
# uninterrupted run exactly: a Dataset with a collate_fn that pads variable-length rows and
# returns a dict, gradient accumulation (loss / accum_steps), mixup with a fixed lambda and a
# flip permutation, label smoothing and soft-target cross entropy, an EMA of the weights kept
# by hand (mul_/add_ with alpha) in a deepcopy, warmup then cosine through SequentialLR,
# clip_grad_norm_ with error_if_nonfinite, and a checkpoint dict (model, optimizer, scheduler,
# EMA, step) written with torch.save to a BytesIO and loaded with weights_only=True.
import copy
import io
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


class Rows(Dataset):
    """Row i: a variable-length sequence of features and a class."""

    def __init__(self, n):
        self.items = []
        for i in range(n):
            length = 2 + i % 4
            x = torch.sin(torch.arange(length * 3, dtype=torch.float32) * (0.3 + 0.07 * i)).view(length, 3)
            self.items.append((x, i % 3))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, idx):
        return self.items[idx]


def collate(batch):
    xs, ys = zip(*batch)
    lengths = torch.tensor([len(x) for x in xs])
    padded = torch.nn.utils.rnn.pad_sequence(list(xs), batch_first=True)
    mask = torch.arange(padded.size(1))[None, :] < lengths[:, None]
    return {"x": padded, "mask": mask, "y": torch.tensor(ys), "lengths": lengths}


class Pooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(3, 16)
        self.norm = nn.LayerNorm(16)
        self.head = nn.Linear(16, 3)

    def forward(self, x, mask):
        h = F.silu(self.norm(self.proj(x)))
        h = h.masked_fill(~mask.unsqueeze(-1), 0.0)
        pooled = h.sum(1) / mask.sum(1, keepdim=True)
        return self.head(pooled)


def make_model():
    model = Pooler()
    with torch.no_grad():
        for i, (name, p) in enumerate(model.named_parameters()):
            if p.dim() > 1:
                k = torch.arange(p.numel(), dtype=torch.float32)
                p.copy_((torch.cos(k * 0.57 + i) / math.sqrt(p.shape[-1])).reshape(p.shape))
            elif name.endswith("bias"):
                p.zero_()
    return model


loader = DataLoader(Rows(24), batch_size=4, shuffle=False, collate_fn=collate)
first = next(iter(loader))
print("batch keys", sorted(first), tuple(first["x"].shape), first["mask"].sum(1).tolist(), first["y"].tolist())
ACCUM, EPOCHS, LAM, EMA_DECAY = 2, 4, 0.7, 0.9
steps_per_epoch = len(loader) // ACCUM
print("optimizer steps per epoch", steps_per_epoch)


def build(model):
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-2, weight_decay=0.01)
    warmup = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: (step + 1) / 3)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS * steps_per_epoch - 3, eta_min=1e-3)
    scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[3])
    return optimizer, scheduler


def loss_of(model, batch):
    logits = model(batch["x"], batch["mask"])
    perm = torch.arange(batch["x"].size(0) - 1, -1, -1)  # mixup partner: the batch reversed
    mixed_x = LAM * batch["x"] + (1 - LAM) * batch["x"][perm]
    mixed_mask = batch["mask"] | batch["mask"][perm]
    mixed_logits = model(mixed_x, mixed_mask)
    y_a, y_b = batch["y"], batch["y"][perm]
    mix = LAM * F.cross_entropy(mixed_logits, y_a, label_smoothing=0.1) + (1 - LAM) * F.cross_entropy(mixed_logits, y_b, label_smoothing=0.1)
    soft = LAM * F.one_hot(y_a, 3).float() + (1 - LAM) * F.one_hot(y_b, 3).float()
    soft_ce = F.cross_entropy(mixed_logits, soft)
    return F.cross_entropy(logits, batch["y"]) + 0.5 * mix + 0.5 * soft_ce


def run(model, optimizer, scheduler, ema, start_step, stop_step, log):
    step = start_step
    for epoch in range(EPOCHS):
        for i, batch in enumerate(loader):
            global_micro = epoch * len(loader) + i
            if global_micro // ACCUM < start_step:
                continue
            if step >= stop_step:
                return step
            loss = loss_of(model, batch) / ACCUM
            loss.backward()
            if (i + 1) % ACCUM == 0:
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0, error_if_nonfinite=True)
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                scheduler.step()
                with torch.no_grad():
                    for e, p in zip(ema.parameters(), model.parameters()):
                        e.mul_(EMA_DECAY).add_(p.detach(), alpha=1 - EMA_DECAY)
                step += 1
                if log and step % 3 == 0:
                    print(f"step {step:2d} loss {loss.item() * ACCUM:.5f} norm {norm.item():.5f} lr {scheduler.get_last_lr()[0]:.6f}")
    return step


# uninterrupted
model = make_model()
ema = copy.deepcopy(model).requires_grad_(False)
optimizer, scheduler = build(model)
run(model, optimizer, scheduler, ema, 0, 10**9, log=True)

# interrupted after 5 optimizer steps, checkpointed, resumed in fresh objects
model2 = make_model()
ema2 = copy.deepcopy(model2).requires_grad_(False)
opt2, sched2 = build(model2)
step = run(model2, opt2, sched2, ema2, 0, 5, log=False)
buffer = io.BytesIO()
torch.save({"model": model2.state_dict(), "optimizer": opt2.state_dict(), "scheduler": sched2.state_dict(), "ema": ema2.state_dict(), "step": step}, buffer)
buffer.seek(0)
checkpoint = torch.load(buffer, weights_only=True)
print("checkpoint", sorted(checkpoint), "step", checkpoint["step"], "optimizer state keys", sorted(checkpoint["optimizer"]["state"][0]))
model3 = make_model()
ema3 = copy.deepcopy(model3).requires_grad_(False)
opt3, sched3 = build(model3)
model3.load_state_dict(checkpoint["model"])
ema3.load_state_dict(checkpoint["ema"])
opt3.load_state_dict(checkpoint["optimizer"])
sched3.load_state_dict(checkpoint["scheduler"])
print("resumed lr", round(sched3.get_last_lr()[0], 6), round(opt3.param_groups[0]["lr"], 6))
run(model3, opt3, sched3, ema3, checkpoint["step"], 10**9, log=False)
same = all(torch.allclose(a, b, atol=1e-6) for a, b in zip(model.parameters(), model3.parameters()))
same_ema = all(torch.allclose(a, b, atol=1e-6) for a, b in zip(ema.parameters(), ema3.parameters()))
print("resumed run == uninterrupted run:", same, "EMA too:", same_ema)

ema.eval()
model.eval()
with torch.no_grad():
    batch = collate([Rows(24)[i] for i in range(24)])
    for name, m in (("model", model), ("ema", ema)):
        logits = m(batch["x"], batch["mask"])
        acc = (logits.argmax(1) == batch["y"]).float().mean().item()
        print(name, "accuracy", round(acc, 4), "loss", round(F.cross_entropy(logits, batch["y"]).item(), 5))
bad = make_model()
bad(first["x"], first["mask"]).sum().mul(float("inf")).backward()
try:
    torch.nn.utils.clip_grad_norm_(bad.parameters(), 1.0, error_if_nonfinite=True)
except RuntimeError as e:
    print("non-finite gradient norm refused:", type(e).__name__)
