# ruff: noqa: E501
# One training step of a tiny segmentation net the way Kaggle notebooks write it: targets made
# one-hot with F.one_hot and permuted to channels-first, a soft Dice loss over spatial dims, a
# multi-class focal loss from log_softmax and gather, a binary focal loss with
# binary_cross_entropy_with_logits(reduction="none") and pos_weight, IoU per class with
# bincount on a confusion matrix, and class weights from inverse frequency.
import torch
import torch.nn as nn
import torch.nn.functional as F

N, C, H, W = 2, 3, 8, 8
yy, xx = torch.meshgrid(torch.arange(H), torch.arange(W), indexing="ij")
mask = ((xx + yy) // 5).clamp(max=C - 1)
target = torch.stack([mask, mask.flip(1)])  # (N, H, W) int64
print(target.dtype, target.shape, torch.bincount(target.flatten(), minlength=C))
one_hot = F.one_hot(target, num_classes=C).permute(0, 3, 1, 2).float()
print(one_hot.shape, one_hot.sum(dim=(0, 2, 3)), one_hot.contiguous().is_contiguous())


class TinySeg(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(2, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.down = nn.MaxPool2d(2)
        self.mid = nn.Conv2d(8, 8, 3, padding=1)
        self.up = nn.ConvTranspose2d(8, 8, 2, stride=2)
        self.head = nn.Conv2d(16, C, 1)

    def forward(self, x):
        e = self.enc(x)
        m = F.relu(self.mid(self.down(e)))
        return self.head(torch.cat([e, self.up(m)], dim=1))


def init_(model):
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(0.2 * torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 1.3 + i).view_as(p))


def dice_loss(logits, one_hot, eps=1e-6):
    probs = logits.softmax(dim=1)
    dims = (0, 2, 3)
    inter = (probs * one_hot).sum(dims)
    card = probs.sum(dims) + one_hot.sum(dims)
    dice = (2 * inter + eps) / (card + eps)
    return 1 - dice.mean(), dice


def focal_loss(logits, target, gamma=2.0, alpha=None):
    logp = F.log_softmax(logits, dim=1)
    logp_t = logp.gather(1, target.unsqueeze(1)).squeeze(1)
    p_t = logp_t.exp()
    loss = -((1 - p_t) ** gamma) * logp_t
    if alpha is not None:
        loss = alpha[target] * loss
    return loss.mean()


def binary_focal(logits, targets, gamma=2.0, pos_weight=None):
    bce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none", pos_weight=pos_weight)
    p_t = torch.exp(-bce)
    return ((1 - p_t) ** gamma * bce).mean()


x = torch.stack([torch.stack([xx.float() / W, yy.float() / H])] * N)
x[1] = x[1].flip(-1)
model = TinySeg()
init_(model)
counts = torch.bincount(target.flatten(), minlength=C).float()
class_weights = counts.sum() / (C * counts)
print("class weights", class_weights)
opt = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=1e-2)
for step in range(8):
    opt.zero_grad()
    logits = model(x)
    d_loss, per_class = dice_loss(logits, one_hot)
    f_loss = focal_loss(logits, target, alpha=class_weights)
    ce = F.cross_entropy(logits, target, weight=class_weights, label_smoothing=0.05)
    loss = d_loss + f_loss + 0.5 * ce
    loss.backward()
    gnorm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
    opt.step()
    print(step, round(d_loss.item(), 5), round(f_loss.item(), 5), round(ce.item(), 5), round(gnorm.item(), 4))
print(per_class.detach())
print(round(focal_loss(logits, target, gamma=0.0).item(), 5), round(F.cross_entropy(logits, target).item(), 5))

# evaluation: argmax over channels, confusion matrix, IoU per class
model.eval()
with torch.no_grad():
    pred = model(x).argmax(dim=1)
conf = torch.bincount(target.flatten() * C + pred.flatten(), minlength=C * C).reshape(C, C)
print(conf)
tp = conf.diag().float()
iou = tp / (conf.sum(0) + conf.sum(1) - tp).float().clamp(min=1)
print("iou", iou, "miou", round(iou.mean().item(), 5), "acc", round((pred == target).float().mean().item(), 5))

# binary segmentation of class 1 with pos_weight
bin_logits = model.head(torch.cat([model.enc(x), model.up(F.relu(model.mid(model.down(model.enc(x)))))], 1))[:, 1]
bin_target = (target == 1).float()
pw = ((1 - bin_target).sum() / bin_target.sum()).reshape(1)
print(round(binary_focal(bin_logits, bin_target).item(), 5), round(binary_focal(bin_logits, bin_target, pos_weight=pw).item(), 5))
back = one_hot.permute(0, 2, 3, 1).argmax(-1)
print(torch.equal(back, target), F.one_hot(torch.tensor([0, 2]), 4).tolist(), F.one_hot(torch.tensor([[1], [3]])).shape)
