# ruff: noqa: E501
# Mixup, CutMix and label smoothing as in the timm-style training recipes and the "bag of tricks"
# course notebooks: F.cross_entropy with label_smoothing= and with probability targets, a
# hand-written label-smoothing loss checked against it, one_hot soft targets mixed with lerp,
# mixup of inputs by a fixed lambda with a flipped batch, CutMix's random box computed from
# lambda and pasted with slice assignment (lambda corrected by the box area), ignore_index with
# smoothing, KLDivLoss(batchmean) of soft targets, and a short training run.
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

num_classes = 5
logits = torch.stack([torch.linspace(-1, 1, num_classes) * (k + 1) for k in range(4)]) + torch.eye(4, num_classes)
target = torch.tensor([0, 3, 4, 1])
for ls in (0.0, 0.1, 0.3):
    print(f"label_smoothing={ls}", round(F.cross_entropy(logits, target, label_smoothing=ls).item(), 6))


class LabelSmoothingCrossEntropy(nn.Module):
    def __init__(self, smoothing=0.1):
        super().__init__()
        self.smoothing = smoothing
        self.confidence = 1.0 - smoothing

    def forward(self, x, target):
        logprobs = F.log_softmax(x, dim=-1)
        nll_loss = -logprobs.gather(dim=-1, index=target.unsqueeze(1)).squeeze(1)
        smooth_loss = -logprobs.mean(dim=-1)
        loss = self.confidence * nll_loss + self.smoothing * smooth_loss
        return loss.mean()


print("hand-written matches:", torch.allclose(LabelSmoothingCrossEntropy(0.1)(logits, target), nn.CrossEntropyLoss(label_smoothing=0.1)(logits, target)))
soft = F.one_hot(target, num_classes).float() * 0.9 + 0.1 / num_classes
print("probability targets == label_smoothing:", torch.allclose(F.cross_entropy(logits, soft), F.cross_entropy(logits, target, label_smoothing=0.1)))
print("SoftTargetCrossEntropy", round(torch.sum(-soft * F.log_softmax(logits, dim=-1), dim=-1).mean().item(), 6))
t_ign = torch.tensor([0, -100, 4, 1])
print("ignore_index + smoothing", round(F.cross_entropy(logits, t_ign, label_smoothing=0.2).item(), 6), round(F.cross_entropy(logits, t_ign, label_smoothing=0.2, reduction="sum").item(), 6))
print("none", F.cross_entropy(logits, t_ign, label_smoothing=0.2, reduction="none").numpy().round(5).tolist())
w = torch.tensor([1.0, 2.0, 1.0, 0.5, 1.0])
print("weighted + smoothing", round(F.cross_entropy(logits, target, weight=w, label_smoothing=0.1).item(), 6))
print("weighted prob targets", round(F.cross_entropy(logits, soft, weight=w).item(), 6))
print("kl batchmean", round(nn.KLDivLoss(reduction="batchmean")(F.log_softmax(logits, 1), soft).item(), 6), round(F.kl_div(F.log_softmax(logits, 1), soft.log(), reduction="sum", log_target=True).item(), 6))

# images: 4 x 3 x 8 x 8 built from sin
x = torch.sin(torch.arange(4 * 3 * 8 * 8, dtype=torch.float32) * 0.05).view(4, 3, 8, 8)
y = torch.tensor([0, 1, 2, 3])


def mixup_data(x, y, lam):
    index = torch.arange(x.size(0) - 1, -1, -1)
    mixed_x = lam * x + (1 - lam) * x[index, :]
    return mixed_x, y, y[index], lam


def mixup_criterion(criterion, pred, y_a, y_b, lam):
    return lam * criterion(pred, y_a) + (1 - lam) * criterion(pred, y_b)


def rand_bbox(size, lam, cx, cy):
    W, H = size[2], size[3]
    cut_rat = np.sqrt(1.0 - lam)
    cut_w = int(W * cut_rat)
    cut_h = int(H * cut_rat)
    bbx1 = np.clip(cx - cut_w // 2, 0, W)
    bby1 = np.clip(cy - cut_h // 2, 0, H)
    bbx2 = np.clip(cx + cut_w // 2, 0, W)
    bby2 = np.clip(cy + cut_h // 2, 0, H)
    return bbx1, bby1, bbx2, bby2


mx, ya, yb, lam = mixup_data(x, y, 0.7)
print("mixup", mx.shape, round(mx[0, 0, 0, :3].sum().item(), 6), ya.tolist(), yb.tolist())
soft_mix = torch.lerp(F.one_hot(yb, 4).float(), F.one_hot(ya, 4).float(), lam)
print("mixed one-hot", soft_mix[0].tolist())

lam = 0.6
bbx1, bby1, bbx2, bby2 = rand_bbox(x.size(), lam, cx=3, cy=5)
rand_index = torch.tensor([2, 3, 0, 1])
cut = x.clone()
cut[:, :, bbx1:bbx2, bby1:bby2] = x[rand_index, :, bbx1:bbx2, bby1:bby2]
lam = 1 - ((bbx2 - bbx1) * (bby2 - bby1) / (x.size()[-1] * x.size()[-2]))
print("box", int(bbx1), int(bby1), int(bbx2), int(bby2), "lam", round(float(lam), 6), "changed", (cut != x).sum().item())


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.head = nn.Linear(4, 4)

    def forward(self, x):
        return self.head(F.adaptive_avg_pool2d(F.relu(self.conv(x)), 1).flatten(1))


net = Net()
with torch.no_grad():
    for i, p in enumerate(net.parameters()):
        p.copy_(torch.cos(torch.arange(p.numel()) * 0.41 + i).view_as(p) * 0.3)
criterion = nn.CrossEntropyLoss(label_smoothing=0.05)
opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True)
for step in range(30):
    lam_s = 0.5 + 0.4 * math.cos(step)
    inputs, ta, tb, lam_s = mixup_data(x, y, lam_s)
    loss = mixup_criterion(criterion, net(inputs), ta, tb, lam_s)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 10 == 9:
        with torch.no_grad():
            acc = (net(x).argmax(1) == y).float().mean()
        print(f"step {step + 1} loss {loss.item():.5f} acc {acc.item():.2f}")
