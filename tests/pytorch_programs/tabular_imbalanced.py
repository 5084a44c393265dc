# ruff: noqa: E501
# Tabular classification as Kaggle notebooks write it: categorical columns through a ModuleList
# of nn.Embedding (sizes by the fastai rule of thumb), continuous columns through BatchNorm1d,
# torch.cat, class weights from inverse frequencies in CrossEntropyLoss(weight=...), a focal
# loss built from cross_entropy(reduction="none") and exp(-ce), BCEWithLogitsLoss(pos_weight=...)
# for a multi-label head, a WeightedRandomSampler's weights, and precision/recall/F1/ROC-AUC
# computed by hand with torch ops.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

N = 48
i = torch.arange(N)
cat_cols = torch.stack([i % 3, (i * 7) % 5, (i // 4) % 2], dim=1)          # 3 categorical columns
cont_cols = torch.stack([torch.sin(i * 0.3), torch.cos(i * 0.11) * 10, (i % 7).float()], dim=1)
labels = ((cat_cols[:, 0] == 1) | ((cont_cols[:, 0] > 0.8) & (cat_cols[:, 2] == 1))).long()
multi = torch.stack([labels.float(), (cat_cols[:, 1] == 0).float(), (cont_cols[:, 2] > 4).float()], dim=1)
cat_szs = [int(cat_cols[:, j].max()) + 1 for j in range(3)]
emb_szs = [(c, min(50, (c + 1) // 2)) for c in cat_szs]
print("embedding sizes", emb_szs, "class counts", torch.bincount(labels).tolist())


class TabularModel(nn.Module):
    def __init__(self, emb_szs, n_cont, out_sz, layers, p=0.0):
        super().__init__()
        self.embeds = nn.ModuleList([nn.Embedding(ni, nf) for ni, nf in emb_szs])
        self.emb_drop = nn.Dropout(p)
        self.bn_cont = nn.BatchNorm1d(n_cont)
        layerlist = []
        n_emb = sum(nf for ni, nf in emb_szs)
        n_in = n_emb + n_cont
        for width in layers:
            layerlist.append(nn.Linear(n_in, width))
            layerlist.append(nn.ReLU(inplace=True))
            layerlist.append(nn.BatchNorm1d(width))
            layerlist.append(nn.Dropout(p))
            n_in = width
        self.layers = nn.Sequential(*layerlist)
        self.head = nn.Linear(layers[-1], out_sz)
        self.multi_head = nn.Linear(layers[-1], 3)

    def forward(self, x_cat, x_cont):
        embeddings = []
        for k, e in enumerate(self.embeds):
            embeddings.append(e(x_cat[:, k]))
        x = torch.cat(embeddings, 1)
        x = self.emb_drop(x)
        x_cont = self.bn_cont(x_cont)
        x = torch.cat([x, x_cont], 1)
        x = self.layers(x)
        return self.head(x), self.multi_head(x)


model = TabularModel(emb_szs, 3, 2, [16, 8])
with torch.no_grad():
    for k, (name, p) in enumerate(model.named_parameters()):
        if p.dim() > 1:
            t = torch.arange(p.numel(), dtype=torch.float32)
            p.copy_((torch.sin(t * 0.53 + k) / math.sqrt(p.shape[-1])).reshape(p.shape))
        elif name.endswith("bias"):
            p.zero_()
print(model.embeds)

counts = torch.bincount(labels).float()
class_weights = counts.sum() / (len(counts) * counts)
criterion = nn.CrossEntropyLoss(weight=class_weights)
pos = multi.sum(0)
pos_weight = (N - pos) / pos
bce = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
print("class weights", [round(v, 4) for v in class_weights.tolist()], "pos_weight", [round(v, 4) for v in pos_weight.tolist()])


def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    ce = F.cross_entropy(logits, targets, reduction="none")
    pt = torch.exp(-ce)
    return (alpha * (1 - pt) ** gamma * ce).mean()


sample_weights = class_weights[labels]
print("sampler weights", [round(v, 4) for v in sample_weights[:6].tolist()], "sums", round(sample_weights.sum().item(), 4))
sampler = torch.utils.data.WeightedRandomSampler(sample_weights, num_samples=N, replacement=True)
print("sampler draws", len(list(iter(sampler))))

optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3)
for epoch in range(25):
    model.train()
    logits, multi_logits = model(cat_cols, cont_cols)
    loss = criterion(logits, labels) + focal_loss(logits, labels) + bce(multi_logits, multi)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 8 == 0 or epoch == 24:
        print(f"epoch {epoch:2d} loss {loss.item():.5f}")

model.eval()
with torch.no_grad():
    logits, multi_logits = model(cat_cols, cont_cols)
    probs = F.softmax(logits, dim=1)[:, 1]
    preds = logits.argmax(1)
    tp = ((preds == 1) & (labels == 1)).sum().item()
    fp = ((preds == 1) & (labels == 0)).sum().item()
    fn = ((preds == 0) & (labels == 1)).sum().item()
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"precision {precision:.4f} recall {recall:.4f} f1 {f1:.4f}")
    # ROC-AUC by ranking: the probability a positive outranks a negative
    order = probs.argsort()
    ranks = torch.empty_like(order, dtype=torch.float)
    ranks[order] = torch.arange(1, N + 1, dtype=torch.float)
    n_pos, n_neg = (labels == 1).sum(), (labels == 0).sum()
    auc = (ranks[labels == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    print("roc auc", round(auc.item(), 5))
    multi_pred = (torch.sigmoid(multi_logits) > 0.5).float()
    print("multi-label accuracy per column", [round(v, 4) for v in (multi_pred == multi).float().mean(0).tolist()])
    print("weighted CE (eval)", round(criterion(logits, labels).item(), 5), "unweighted", round(F.cross_entropy(logits, labels).item(), 5))
    print("CE ignore_index with weights", round(F.cross_entropy(logits, torch.where(i % 5 == 0, -100, labels), weight=class_weights).item(), 5))
