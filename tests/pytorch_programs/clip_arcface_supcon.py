# ruff: noqa: E501
# Metric-learning losses from open-source training code: CLIP's symmetric contrastive loss with a
# learnable logit_scale = nn.Parameter(torch.ones([]) * log(1 / 0.07)) clamped in place, ArcFace's
# additive angular margin (acos of clamped cosines, one_hot via scatter_, torch.where on
# theta + m > pi), CosFace, and the supervised contrastive (SupCon) loss with its label mask,
# logits_mask built by torch.scatter on arange, and mean log-likelihood over positives.
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def features(n, d, phase):
    k = torch.arange(n * d, dtype=torch.float32).view(n, d)
    return torch.sin(k * 0.37 + phase) + 0.3 * torch.cos(k * 1.1)


class CLIPHead(nn.Module):
    def __init__(self, d_img=8, d_txt=6, d=4):
        super().__init__()
        self.visual = nn.Linear(d_img, d, bias=False)
        self.text = nn.Linear(d_txt, d, bias=False)
        self.logit_scale = nn.Parameter(torch.ones([]) * np.log(1 / 0.07))

    def forward(self, image, text):
        image_features = self.visual(image)
        text_features = self.text(text)
        image_features = image_features / image_features.norm(dim=1, keepdim=True)
        text_features = text_features / text_features.norm(dim=1, keepdim=True)
        logit_scale = self.logit_scale.exp()
        logits_per_image = logit_scale * image_features @ text_features.t()
        return logits_per_image, logits_per_image.t()


clip = CLIPHead()
with torch.no_grad():
    for i, p in enumerate(clip.parameters()):
        if p.ndim == 2:
            p.copy_(torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 0.53 + i).view_as(p))
print("logit_scale", clip.logit_scale.shape, clip.logit_scale.dim(), round(clip.logit_scale.item(), 6), round(clip.logit_scale.exp().item(), 4))
images, texts = features(6, 8, 0.0), features(6, 6, 1.0)
opt = torch.optim.AdamW(clip.parameters(), lr=0.05, weight_decay=0.2)
labels = torch.arange(6)
for step in range(30):
    logits_per_image, logits_per_text = clip(images, texts)
    loss = (F.cross_entropy(logits_per_image, labels) + F.cross_entropy(logits_per_text, labels)) / 2
    opt.zero_grad()
    loss.backward()
    opt.step()
    with torch.no_grad():
        clip.logit_scale.clamp_(0, math.log(100))
    if step % 10 == 0:
        print(f"clip step {step} loss {loss.item():.5f} scale {clip.logit_scale.exp().item():.4f}")
acc = (logits_per_image.argmax(dim=1) == labels).float().mean()
print("retrieval acc", acc.item(), "logits shape", tuple(logits_per_text.shape))


class ArcMarginProduct(nn.Module):
    def __init__(self, in_features, out_features, s=30.0, m=0.50, easy_margin=False):
        super().__init__()
        self.s, self.m = s, m
        self.weight = nn.Parameter(torch.FloatTensor(out_features, in_features))
        nn.init.xavier_uniform_(self.weight)
        with torch.no_grad():
            self.weight.copy_(torch.sin(torch.arange(out_features * in_features, dtype=torch.float32).view(out_features, in_features) * 0.9))
        self.easy_margin = easy_margin
        self.cos_m, self.sin_m = math.cos(m), math.sin(m)
        self.th = math.cos(math.pi - m)
        self.mm = math.sin(math.pi - m) * m

    def forward(self, input, label):
        cosine = F.linear(F.normalize(input), F.normalize(self.weight))
        sine = torch.sqrt((1.0 - torch.pow(cosine, 2)).clamp(0, 1))
        phi = cosine * self.cos_m - sine * self.sin_m
        if self.easy_margin:
            phi = torch.where(cosine > 0, phi, cosine)
        else:
            phi = torch.where(cosine > self.th, phi, cosine - self.mm)
        one_hot = torch.zeros(cosine.size())
        one_hot.scatter_(1, label.view(-1, 1).long(), 1)
        output = (one_hot * phi) + ((1.0 - one_hot) * cosine)
        return output * self.s, cosine


arc = ArcMarginProduct(8, 3, s=10.0, m=0.3)
emb = features(6, 8, 2.0)
y = torch.tensor([0, 1, 2, 0, 1, 2])
out, cosine = arc(emb, y)
theta = torch.acos(cosine.clamp(-1 + 1e-7, 1 - 1e-7))
target_logit = torch.cos(theta.gather(1, y[:, None]) + 0.3) * 10.0
print("arcface", out.shape, torch.allclose(out.gather(1, y[:, None]), torch.where(cosine.gather(1, y[:, None]) > arc.th, target_logit, (cosine.gather(1, y[:, None]) - arc.mm) * 10.0), atol=1e-4))
print("angles (deg)", torch.rad2deg(theta[0]).detach().numpy().round(3).tolist())
arc_loss = F.cross_entropy(out, y)
arc_loss.backward()
print("arcface loss", round(arc_loss.item(), 5), "weight grad norm", round(arc.weight.grad.norm().item(), 5))
cosface = 10.0 * (cosine - 0.2 * F.one_hot(y, 3))
print("cosface loss", round(F.cross_entropy(cosface, y).item(), 5))


class SupConLoss(nn.Module):
    def __init__(self, temperature=0.07, base_temperature=0.07):
        super().__init__()
        self.temperature = temperature
        self.base_temperature = base_temperature

    def forward(self, features, labels):
        batch_size = features.shape[0]
        labels = labels.contiguous().view(-1, 1)
        mask = torch.eq(labels, labels.T).float()
        contrast_count = features.shape[1]
        contrast_feature = torch.cat(torch.unbind(features, dim=1), dim=0)
        anchor_feature, anchor_count = contrast_feature, contrast_count
        anchor_dot_contrast = torch.div(torch.matmul(anchor_feature, contrast_feature.T), self.temperature)
        logits_max, _ = torch.max(anchor_dot_contrast, dim=1, keepdim=True)
        logits = anchor_dot_contrast - logits_max.detach()
        mask = mask.repeat(anchor_count, contrast_count)
        logits_mask = torch.scatter(torch.ones_like(mask), 1, torch.arange(batch_size * anchor_count).view(-1, 1), 0)
        mask = mask * logits_mask
        exp_logits = torch.exp(logits) * logits_mask
        log_prob = logits - torch.log(exp_logits.sum(1, keepdim=True))
        mask_pos_pairs = mask.sum(1)
        mask_pos_pairs = torch.where(mask_pos_pairs < 1e-6, 1, mask_pos_pairs)
        mean_log_prob_pos = (mask * log_prob).sum(1) / mask_pos_pairs
        loss = -(self.temperature / self.base_temperature) * mean_log_prob_pos
        return loss.view(anchor_count, batch_size).mean()


views = F.normalize(torch.stack([features(6, 5, 0.5), features(6, 5, 0.7)], dim=1), dim=-1)
views.requires_grad_(True)
sup = SupConLoss(temperature=0.5)(views, y)
sup.backward()
print("supcon", round(sup.item(), 5), views.grad.shape, round(views.grad.abs().sum().item(), 5))
print("ones([]) is 0-d:", torch.ones([]).shape, torch.zeros(()).ndim, torch.FloatTensor(2, 3).shape)
