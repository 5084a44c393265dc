# ruff: noqa: E501
# A matrix-factorisation recommender as in the "collaborative filtering in PyTorch" tutorials:
# user and item nn.Embedding tables plus biases, a dot-product score with sigmoid_range, MSE on
# explicit ratings with sparse-ish index batches, BPR on implicit feedback with logsigmoid,
# nn.EmbeddingBag (sum/mean/max with offsets, per_sample_weights) for bag-of-items user
# profiles, padding_idx, top-k recommendation that masks seen items, and a state_dict round trip.
import io

import torch
import torch.nn as nn
import torch.nn.functional as F

n_users, n_items, dim = 6, 8, 4
users = torch.tensor([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 0, 2, 4])
items = torch.tensor([0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 7, 0, 3, 6, 2])
ratings = (torch.arange(15) % 5 + 1).float()
print("ratings", ratings.tolist(), "users per item", torch.bincount(items, minlength=n_items).tolist())


def sigmoid_range(x, low, high):
    return torch.sigmoid(x) * (high - low) + low


class DotProductBias(nn.Module):
    def __init__(self, n_users, n_items, n_factors, y_range=(0, 5.5)):
        super().__init__()
        self.user_factors = nn.Embedding(n_users, n_factors)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_factors = nn.Embedding(n_items, n_factors)
        self.item_bias = nn.Embedding(n_items, 1)
        self.y_range = y_range

    def forward(self, u, i):
        dot = (self.user_factors(u) * self.item_factors(i)).sum(dim=1, keepdim=True)
        res = dot + self.user_bias(u) + self.item_bias(i)
        return sigmoid_range(res, *self.y_range).squeeze(-1)


def fill(model, scale=0.5):
    with torch.no_grad():
        for k, (name, p) in enumerate(sorted(model.named_parameters())):
            p.copy_(scale * torch.sin(torch.arange(p.numel()) * (0.9 + 0.1 * k)).view(p.shape))


model = DotProductBias(n_users, n_items, dim)
fill(model)
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
for epoch in range(40):
    for batch in (torch.arange(0, 8), torch.arange(8, 15)):
        pred = model(users[batch], items[batch])
        loss = F.mse_loss(pred, ratings[batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 10 == 9:
        with torch.no_grad():
            rmse = F.mse_loss(model(users, items), ratings).sqrt()
        print(f"epoch {epoch + 1} rmse {rmse:.4f}")
print("grad rows touched", (model.item_factors.weight.grad.abs().sum(1) > 0).int().tolist())

# top-k with already-rated items masked out
with torch.no_grad():
    scores = model.user_factors.weight @ model.item_factors.weight.T + model.item_bias.weight.T
    seen = torch.zeros(n_users, n_items, dtype=torch.bool)
    seen[users, items] = True
    scores = scores.masked_fill(seen, float("-inf"))
    top = scores.topk(2, dim=1)
print("top-2 unseen", top.indices.tolist(), "all unseen:", not seen.gather(1, top.indices).any().item())

# BPR on implicit feedback
pos = items
neg = (items + 3) % n_items
bpr = DotProductBias(n_users, n_items, dim, y_range=(-10, 10))
fill(bpr, 0.3)
opt = torch.optim.Adam(bpr.parameters(), lr=0.05)
for step in range(50):
    diff = bpr(users, pos) - bpr(users, neg)
    loss = -F.logsigmoid(diff).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print("bpr loss", round(loss.item(), 5), "auc", (diff > 0).float().mean().item())

# EmbeddingBag: each user as the bag of items they rated
order = torch.argsort(users, stable=True)
flat_items = items[order]
counts = torch.bincount(users, minlength=n_users)
offsets = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)[:-1]])
print("offsets", offsets.tolist(), "flat", flat_items.tolist())
bag = nn.EmbeddingBag(n_items, 3, mode="mean")
with torch.no_grad():
    bag.weight.copy_(torch.arange(n_items * 3, dtype=torch.float32).view(n_items, 3) / 10)
mean_bags = bag(flat_items, offsets)
manual = torch.stack([bag.weight[flat_items[users[order] == u]].mean(0) for u in range(n_users)])
print("mean bags", mean_bags.shape, torch.allclose(mean_bags, manual), mean_bags[0].tolist())
w = ratings[order] / 5
sum_bag = nn.EmbeddingBag.from_pretrained(bag.weight.detach(), mode="sum", freeze=False)
weighted = sum_bag(flat_items, offsets, per_sample_weights=w)
print("weighted sum", weighted[1].detach().numpy().round(4).tolist())
max_bag = nn.EmbeddingBag.from_pretrained(bag.weight.detach(), mode="max")
print("max", max_bag(flat_items, offsets)[2].tolist())
padded = torch.tensor([[0, 1, 7], [2, 7, 7]])
print("2-D input", F.embedding_bag(padded, bag.weight, mode="sum", padding_idx=7).tolist())
weighted.sum().backward()
print("bag grad", sum_bag.weight.grad[:3].numpy().round(4).tolist())

emb = nn.Embedding(5, 2, padding_idx=0)
print("padding row", emb.weight[0].tolist(), emb(torch.tensor([[0, 3], [3, 0]])).shape)
emb(torch.tensor([0, 3, 3])).sum().backward()
print("padding grad", emb.weight.grad[:, 0].tolist())
pre = nn.Embedding.from_pretrained(torch.eye(3) * 2)
print("pretrained frozen", pre.weight.requires_grad, pre(torch.tensor([2])).tolist())
maxed = nn.Embedding(4, 3, max_norm=1.0)
with torch.no_grad():
    maxed.weight.copy_(torch.arange(12.0).view(4, 3))
out = maxed(torch.tensor([1, 3]))
print("max_norm", out.norm(dim=1).detach().numpy().round(5).tolist(), maxed.weight.norm(dim=1).detach().numpy().round(4).tolist())

buffer = io.BytesIO()
torch.save(model.state_dict(), buffer)
buffer.seek(0)
clone = DotProductBias(n_users, n_items, dim)
print(clone.load_state_dict(torch.load(buffer)))
print("same predictions", torch.equal(clone(users, items), model(users, items)), list(clone.state_dict().keys()))
