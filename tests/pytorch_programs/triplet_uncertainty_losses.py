# ruff: noqa: E501
# Three blog-post losses: a triplet-loss embedding net (TripletMarginLoss, F.normalize), a
# network that predicts its own uncertainty (GaussianNLLLoss with a softplus variance head),
# and Poisson regression of counts (PoissonNLLLoss with log_input), each a few Adam steps.
import torch
import torch.nn as nn
import torch.nn.functional as F


def fill_(module, scale=0.4):
    with torch.no_grad():
        for i, p in enumerate(module.parameters()):
            p.copy_(scale * torch.sin(torch.arange(p.numel()) * 1.3 + i).view_as(p))


class EmbeddingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(4, 16), nn.PReLU(), nn.Linear(16, 3))

    def forward(self, x):
        return F.normalize(self.fc(x), p=2, dim=1)


points = torch.cos(torch.arange(24.).reshape(6, 4) * 0.9)
labels = torch.tensor([0, 0, 1, 1, 2, 2])
anchor_idx, positive_idx, negative_idx = torch.tensor([0, 2, 4]), torch.tensor([1, 3, 5]), torch.tensor([2, 4, 0])
net = EmbeddingNet()
fill_(net)
criterion = nn.TripletMarginLoss(margin=0.5, p=2)
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
for step in range(20):
    emb = net(points)
    loss = criterion(emb[anchor_idx], emb[positive_idx], emb[negative_idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 5 == 0:
        print(f"triplet step {step}: {loss.item():.5f}")
with torch.no_grad():
    emb = net(points)
    dist = torch.cdist(emb, emb)
    print(dist.round(decimals=4), (dist + torch.eye(6) * 10).argmin(1))
    print(nn.HingeEmbeddingLoss(margin=1.0)(dist.flatten(), (labels[:, None] == labels[None]).flatten().float() * 2 - 1).item())


class MeanVarianceNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(1, 16), nn.Tanh())
        self.mean, self.var = nn.Linear(16, 1), nn.Linear(16, 1)

    def forward(self, x):
        h = self.body(x)
        return self.mean(h), F.softplus(self.var(h)) + 1e-6


x = torch.linspace(-2, 2, 32).unsqueeze(1)
y = torch.sin(2 * x) + 0.3 * x * torch.cos(17 * x)
model = MeanVarianceNet()
fill_(model)
gnll = nn.GaussianNLLLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
for step in range(40):
    mean, var = model(x)
    loss = gnll(mean, y, var)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 10 == 9:
        print(f"gaussian nll step {step}: {loss.item():.5f} mean var {var.mean().item():.5f}")
print(F.gaussian_nll_loss(mean, y, var.squeeze(1), full=True).item())

counts = torch.tensor([0., 1., 1., 2., 3., 5., 8., 13.])
features = torch.linspace(0, 1, 8).unsqueeze(1)
poisson = nn.Linear(1, 1)
fill_(poisson)
pnll = nn.PoissonNLLLoss(log_input=True, full=True)
optimizer = torch.optim.Adam(poisson.parameters(), lr=0.1)
for step in range(30):
    log_rate = poisson(features).squeeze(1)
    loss = pnll(log_rate, counts)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"poisson nll {loss.item():.5f}", poisson.weight.item(), poisson.bias.item(), log_rate.exp().round(decimals=3))
print(nn.SoftMarginLoss()(log_rate, torch.sign(counts - 2.5)).item(), nn.MultiLabelSoftMarginLoss()(dist, (labels[:, None] == labels[None]).float()).item())
