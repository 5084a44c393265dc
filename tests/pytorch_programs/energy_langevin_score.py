# ruff: noqa: E501
# Energy-based models and score matching on a 2-D toy (the "EBMs in PyTorch" tutorials and
# score-based generative modelling notebooks): the score of a Gaussian mixture by autograd.grad
# on the input, Langevin dynamics with in-place updates under no_grad, denoising score matching
# loss for a small score network, sliced score matching with Hutchinson-style random projections
# and create_graph, the exact trace of the Jacobian with torch.func-free loops, and contrastive
# divergence for an MLP energy with a replay buffer.
import math

import torch
import torch.nn as nn

torch.manual_seed(0)
means = torch.tensor([[-1.5, 0.0], [1.5, 0.5]])
weights = torch.tensor([0.3, 0.7])


def log_density(x):
    d = x.unsqueeze(-2) - means
    log_comp = -0.5 * (d ** 2).sum(-1) - math.log(2 * math.pi)
    return torch.logsumexp(log_comp + weights.log(), dim=-1)


def score(x):
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(log_density(x).sum(), x)
    return g


grid = torch.stack(torch.meshgrid(torch.linspace(-3, 3, 5), torch.linspace(-2, 2, 3), indexing="ij"), -1).reshape(-1, 2)
s = score(grid)
print("score", s.shape, s[:3].numpy().round(5).tolist())
x = grid.clone()
with torch.no_grad():
    for i in range(200):
        noise = 0.05 * torch.sin(torch.arange(x.numel(), dtype=torch.float32) * 1.7 + i).view_as(x)
        x.add_(0.01 * score(x) + math.sqrt(2 * 0.01) * noise)
print("langevin samples near modes:", (torch.cdist(x, means).min(dim=1).values < 1.5).float().mean().item(), "x.requires_grad", x.requires_grad)


class ScoreNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(3, 32), nn.Softplus(), nn.Linear(32, 32), nn.Softplus(), nn.Linear(32, 2))

    def forward(self, x, sigma):
        return self.net(torch.cat([x, sigma.log().expand(x.shape[0], 1)], dim=1)) / sigma


net = ScoreNet()
with torch.no_grad():
    for i, p in enumerate(net.parameters()):
        p.copy_(torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 0.91 + i).view_as(p) / math.sqrt(p.shape[-1]))
data = means[torch.arange(64) % 2] + 0.4 * torch.stack([torch.sin(torch.arange(64.0)), torch.cos(torch.arange(64.0) * 1.3)], 1)
opt = torch.optim.Adam(net.parameters(), lr=3e-3)
sigma = torch.tensor([[0.5]])
for step in range(60):
    z = torch.stack([torch.sin(torch.arange(64.0) * 2.1 + step), torch.cos(torch.arange(64.0) * 0.7 + step)], 1)
    noisy = data + sigma * z
    target = -z / sigma
    loss = 0.5 * ((net(noisy, sigma) - target) ** 2).sum(dim=-1).mean() * sigma.item() ** 2
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 20 == 0:
        print(f"dsm step {step} loss {loss.item():.5f}")

# sliced score matching: v^T J v + 0.5 (v^T s)^2, with fixed projection vectors
xs = data[:16].clone().requires_grad_(True)
sm = net(xs, sigma)
v = torch.stack([torch.ones(16), -torch.ones(16)], 1) / math.sqrt(2)
vs = (sm * v).sum()
gv = torch.autograd.grad(vs, xs, create_graph=True)[0]
ssm = ((gv * v).sum(-1) + 0.5 * ((sm * v).sum(-1)) ** 2).mean()
ssm.backward()
print("sliced sm", round(ssm.item(), 5), "grad reaches params:", net.net[0].weight.grad is not None)
# exact divergence (trace of the Jacobian) by one grad per dimension
xe = data[:4].clone().requires_grad_(True)
se = net(xe, sigma)
div = sum(torch.autograd.grad(se[:, i].sum(), xe, retain_graph=True)[0][:, i] for i in range(2))
jac = torch.autograd.functional.jacobian(lambda z: net(z, sigma).sum(0), xe)
print("divergence", div.detach().numpy().round(4).tolist(), torch.allclose(div, torch.einsum("ibi->b", jac), atol=1e-5))


class Energy(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(nn.Linear(2, 16), nn.SiLU(), nn.Linear(16, 1))

    def forward(self, x):
        return self.f(x).squeeze(-1)


E = Energy()
with torch.no_grad():
    for i, p in enumerate(E.parameters()):
        p.copy_(torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 1.3 + i).view_as(p) * 0.5)
buffer = torch.stack([torch.linspace(-2, 2, 32), torch.linspace(1, -1, 32)], 1)
opt_e = torch.optim.Adam(E.parameters(), lr=1e-2, betas=(0.0, 0.999))
for it in range(20):
    neg = buffer.clone().requires_grad_(True)
    for k in range(10):
        gE = torch.autograd.grad(E(neg).sum(), neg)[0]
        neg = (neg - 0.05 * gE).detach().requires_grad_(True)
    buffer = neg.detach()
    loss = E(data[:32]).mean() - E(buffer).mean() + 0.1 * (E(data[:32]) ** 2 + E(buffer) ** 2).mean()
    opt_e.zero_grad()
    loss.backward()
    opt_e.step()
print("cd loss", round(loss.item(), 5), "data energy < sample energy:", E(data).mean().item() < E(buffer).mean().item() + 1.0)
