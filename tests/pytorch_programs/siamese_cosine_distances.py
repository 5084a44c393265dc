# ruff: noqa: E501
# Siamese networks and metric learning as in the course notebooks: a shared encoder applied to
# two inputs, F.cosine_similarity (broadcast over a batch and pairwise), F.pairwise_distance,
# torch.cdist and torch.pdist, the classic contrastive loss (Hadsell et al.), nn.CosineEmbeddingLoss,
# nn.MarginRankingLoss, nn.TripletMarginWithDistanceLoss with a cosine distance, hard-negative
# mining with masked min/max, F.normalize, and recall@1 from a similarity matrix.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

x = torch.stack([torch.sin(torch.arange(6.0) * (k + 1) * 0.37) for k in range(8)])
labels = torch.tensor([0, 0, 1, 1, 2, 2, 3, 3])
print("x", x.shape)

a, b = x[:4], x[4:]
print("cosine", F.cosine_similarity(a, b).numpy().round(5).tolist())
print("cosine dim0", F.cosine_similarity(a, b, dim=0).shape, "eps", F.cosine_similarity(torch.zeros(2, 3), torch.ones(2, 3)).tolist())
sim = F.cosine_similarity(x.unsqueeze(1), x.unsqueeze(0), dim=-1)
normed = F.normalize(x, p=2, dim=1)
print("pairwise cosine", sim.shape, torch.allclose(sim, normed @ normed.T, atol=1e-6), sim.diagonal().sum().item())
print("cos module", nn.CosineSimilarity(dim=1, eps=1e-8)(a, b).shape)
print("pairwise distance", F.pairwise_distance(a, b).numpy().round(5).tolist())
print("p=1 keepdim", F.pairwise_distance(a, b, p=1, keepdim=True).shape, nn.PairwiseDistance(p=3)(a, b).numpy().round(4).tolist())
D = torch.cdist(x, x)
print("cdist", D.shape, round(D.max().item(), 5), "pdist", torch.pdist(x).shape, torch.allclose(torch.pdist(x), D[torch.triu_indices(8, 8, 1).unbind()], atol=1e-5))
print("cdist p=1", torch.cdist(a, b, p=1).numpy().round(4)[0].tolist(), "inf", torch.cdist(a, b, p=float("inf"))[1].numpy().round(4).tolist())


class SiameseNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(6, 16), nn.ReLU(inplace=True), nn.Linear(16, 4))

    def forward_once(self, x):
        return self.fc(x)

    def forward(self, input1, input2):
        return self.forward_once(input1), self.forward_once(input2)


def contrastive_loss(z1, z2, same, margin=2.0):
    d = (z1 - z2).pow(2).sum(1).add(1e-9).sqrt()
    return torch.where(same, d.square(), F.relu(margin - d).square()).mean()


net = SiameseNetwork()
with torch.no_grad():
    for i, p in enumerate(net.parameters()):
        p.copy_(torch.cos(torch.arange(p.numel()) * 0.53 + i).reshape(p.shape) / math.sqrt(p.shape[-1]))
i1 = torch.tensor([0, 2, 4, 6, 0, 2, 4, 6])
i2 = torch.tensor([1, 3, 5, 7, 3, 5, 7, 1])
pair_same = labels[i1] == labels[i2]
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
for epoch in range(60):
    o1, o2 = net(x[i1], x[i2])
    loss = contrastive_loss(o1, o2, pair_same)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 20 == 0:
        print(f"epoch {epoch} contrastive {loss.item():.5f}")
with torch.no_grad():
    emb = F.normalize(net.forward_once(x), dim=-1)
    s = emb @ emb.T
    s.fill_diagonal_(-2)
    nn_idx = s.argmax(dim=1)
print("recall@1", (labels[nn_idx] == labels).float().mean().item())

t1 = torch.tensor([1, -1, 1, -1])
print("cosine embedding", round(nn.CosineEmbeddingLoss(margin=0.2)(a, b, t1).item(), 6), F.cosine_embedding_loss(a, b, t1, reduction="none").numpy().round(5).tolist())
s1, s2 = a.sum(1), b.sum(1)
print("margin ranking", round(nn.MarginRankingLoss(margin=0.1)(s1, s2, t1.float()).item(), 6), F.margin_ranking_loss(s1, s2, -t1.float(), reduction="sum").item())
anchor, positive, negative = x[[0, 2, 4]], x[[1, 3, 5]], x[[6, 7, 0]]
cos_dist = nn.TripletMarginWithDistanceLoss(distance_function=lambda u, v: 1.0 - F.cosine_similarity(u, v), margin=0.5)
print("triplet cosine", round(cos_dist(anchor, positive, negative).item(), 6))
print("triplet default", round(nn.TripletMarginWithDistanceLoss()(anchor, positive, negative).item(), 6), round(F.triplet_margin_with_distance_loss(anchor, positive, negative, swap=True).item(), 6))

# batch-hard mining
emb = net.forward_once(x)
dist = torch.cdist(emb, emb)
same = labels.unsqueeze(0) == labels.unsqueeze(1)
hardest_pos = (dist * same.float()).max(dim=1).values
hardest_neg = dist.masked_fill(same, float("inf")).min(dim=1)[0]
loss = F.relu(hardest_pos - hardest_neg + 0.3).mean()
loss.backward()
print("batch hard", round(loss.item(), 5), "grad norm > 0", net.fc[0].weight.grad.norm().item() > 0)
print("eye mask", torch.eye(4, dtype=torch.bool).logical_not().sum().item(), (~torch.eye(3).bool()).tolist())
