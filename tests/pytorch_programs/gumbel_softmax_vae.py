# ruff: noqa: E501
# A categorical VAE with the Gumbel-softmax trick (Jang et al. 2017, as in the popular
# gumbel-softmax-vae notebooks): the relaxed sample written by hand from uniform noise
# (-log(-log(U + eps) + eps)), the straight-through hard version with one_hot(argmax) and
# (y_hard - y).detach() + y, a KL term against a uniform prior, temperature annealing with
# max(tau0 * exp(-r t), tau_min), F.gumbel_softmax's shapes and one-hot property, and
# reconstruction with BCE on binary patterns. Uniform noise is built from sin so both runs agree.
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
latent_dim, categorical_dim = 3, 4


def fake_uniform(shape, seed):
    n = int(np.prod(shape))
    return (0.5 + 0.49 * torch.sin(torch.arange(n, dtype=torch.float32) * 0.83 + seed)).view(*shape)


def sample_gumbel(shape, seed, eps=1e-20):
    U = fake_uniform(shape, seed)
    return -torch.log(-torch.log(U + eps) + eps)


def gumbel_softmax_sample(logits, temperature, seed):
    y = logits + sample_gumbel(logits.size(), seed)
    return F.softmax(y / temperature, dim=-1)


def gumbel_softmax(logits, temperature, seed, hard=False):
    y = gumbel_softmax_sample(logits, temperature, seed)
    if not hard:
        return y.view(-1, latent_dim * categorical_dim)
    shape = y.size()
    _, ind = y.max(dim=-1)
    y_hard = torch.zeros_like(y).view(-1, shape[-1])
    y_hard.scatter_(1, ind.view(-1, 1), 1)
    y_hard = y_hard.view(*shape)
    y_hard = (y_hard - y).detach() + y
    return y_hard.view(-1, latent_dim * categorical_dim)


class VAE_gumbel(nn.Module):
    def __init__(self, temp):
        super().__init__()
        self.fc1 = nn.Linear(8, 32)
        self.fc2 = nn.Linear(32, latent_dim * categorical_dim)
        self.fc3 = nn.Linear(latent_dim * categorical_dim, 32)
        self.fc4 = nn.Linear(32, 8)
        self.relu = nn.ReLU()
        self.sigmoid = nn.Sigmoid()

    def encode(self, x):
        return self.fc2(self.relu(self.fc1(x)))

    def decode(self, z):
        return self.sigmoid(self.fc4(self.relu(self.fc3(z))))

    def forward(self, x, temp, seed, hard):
        q = self.encode(x.view(-1, 8))
        q_y = q.view(q.size(0), latent_dim, categorical_dim)
        z = gumbel_softmax(q_y, temp, seed, hard)
        return self.decode(z), F.softmax(q_y, dim=-1).reshape(*q.size())


def loss_function(recon_x, x, qy):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 8), reduction="sum") / x.shape[0]
    log_ratio = torch.log(qy * categorical_dim + 1e-20)
    KLD = torch.sum(qy * log_ratio, dim=-1).mean()
    return BCE + KLD, BCE, KLD


data = ((torch.arange(16).unsqueeze(1) * torch.tensor([1, 3, 5, 7, 9, 11, 13, 15])) % 5 < 2).float()
print("data", data.shape, data.sum(0).tolist())
model = VAE_gumbel(1.0)
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 0.47 + i).reshape(p.shape) / math.sqrt(p.shape[-1]))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
temp, temp_min, ANNEAL_RATE = 1.0, 0.5, 0.03
for epoch in range(1, 61):
    model.train()
    recon, qy = model(data, temp, epoch, hard=epoch > 30)
    loss, bce, kld = loss_function(recon, data, qy)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 10 == 0:
        temp = np.maximum(temp * np.exp(-ANNEAL_RATE * epoch), temp_min)
        print(f"epoch {epoch} loss {loss.item():.4f} bce {bce.item():.4f} kld {kld.item():.4f} temp {temp:.4f}")

logits = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.0, 0.0, 3.0, 0.0]], requires_grad=True)
soft = gumbel_softmax_sample(logits, 0.5, seed=3)
hard = gumbel_softmax(logits[[0, 1, 0]].view(1, 3, 4), 0.5, seed=3, hard=True)
print("soft sums", soft.sum(-1).tolist(), "hard one-hot", hard.view(3, 4).sum(-1).tolist(), hard.view(3, 4).max(-1).values.tolist())
hard.view(3, 4)[:, 1].sum().backward()
print("straight-through grad", logits.grad.numpy().round(5).tolist())

y = F.gumbel_softmax(torch.zeros(5, 4), tau=0.7, hard=True)
print("F.gumbel_softmax hard", y.shape, y.sum(dim=-1).tolist(), ((y == 0) | (y == 1)).all().item())
y = F.gumbel_softmax(torch.zeros(2, 6, 3), tau=2.0, dim=1)
print("F.gumbel_softmax soft", y.shape, torch.allclose(y.sum(1), torch.ones(2, 3)))
prior = torch.distributions.OneHotCategorical(probs=torch.full((4,), 0.25))
print("one-hot prior entropy", round(prior.entropy().item(), 6), math.log(4))
relaxed = torch.distributions.RelaxedOneHotCategorical(torch.tensor(0.5), logits=torch.zeros(4))
print("relaxed sample shape", relaxed.rsample((3,)).shape)
