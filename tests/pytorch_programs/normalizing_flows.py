# ruff: noqa: E501
# Normalizing flows as in the "flows from scratch" blog posts and the RealNVP/planar-flow course
# notebooks: an affine coupling layer with a checkerboard mask (log|det J| = sum of the scales),
# a planar flow u*tanh(w.z + b) with the u-hat reparametrisation that keeps it invertible, the
# change-of-variables log-likelihood under a standard Normal base, the log-det checked against
# torch.autograd.functional.jacobian and torch.linalg.slogdet, exact inversion, and a few steps
# of maximum likelihood on a two-moons-like data set built from sin/cos.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import MultivariateNormal, Normal

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def make_moons(n):
    t = torch.linspace(0, math.pi, n // 2)
    upper = torch.stack([torch.cos(t), torch.sin(t)], dim=1)
    lower = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], dim=1)
    x = torch.cat([upper, lower]) + 0.05 * torch.sin(torch.arange(n, dtype=torch.float64) * 7.3).unsqueeze(1)
    return (x - x.mean(0)) / x.std(0)


def init_deterministic(module, scale=0.3):
    with torch.no_grad():
        for i, p in enumerate(module.parameters()):
            p.copy_(scale * torch.sin(torch.arange(p.numel()) * 1.7 + i).view_as(p) / math.sqrt(p.shape[-1]))


class AffineCoupling(nn.Module):
    def __init__(self, dim, mask, hidden=16):
        super().__init__()
        self.register_buffer("mask", mask)
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 2 * dim))

    def forward(self, x):
        x_masked = x * self.mask
        s, t = self.net(x_masked).chunk(2, dim=-1)
        s = torch.tanh(s) * (1 - self.mask)
        t = t * (1 - self.mask)
        y = x_masked + (1 - self.mask) * (x * torch.exp(s) + t)
        return y, s.sum(dim=-1)

    def inverse(self, y):
        y_masked = y * self.mask
        s, t = self.net(y_masked).chunk(2, dim=-1)
        s = torch.tanh(s) * (1 - self.mask)
        t = t * (1 - self.mask)
        return y_masked + (1 - self.mask) * (y - t) * torch.exp(-s)


class PlanarFlow(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.u = nn.Parameter(torch.full((dim,), 0.4))
        self.w = nn.Parameter(torch.linspace(-0.5, 0.8, dim))
        self.b = nn.Parameter(torch.tensor(0.1))

    def u_hat(self):
        wu = self.w @ self.u
        m = -1 + F.softplus(wu)
        return self.u + (m - wu) * self.w / self.w.norm() ** 2

    def forward(self, z):
        u = self.u_hat()
        lin = z @ self.w + self.b
        f = z + u * torch.tanh(lin).unsqueeze(-1)
        psi = (1 - torch.tanh(lin) ** 2).unsqueeze(-1) * self.w
        log_det = torch.log(torch.abs(1 + psi @ u) + 1e-8)
        return f, log_det


class RealNVP(nn.Module):
    def __init__(self, dim=2, n_layers=4):
        super().__init__()
        masks = [torch.tensor([1.0, 0.0]) if i % 2 == 0 else torch.tensor([0.0, 1.0]) for i in range(n_layers)]
        self.layers = nn.ModuleList([AffineCoupling(dim, m) for m in masks])
        self.base = MultivariateNormal(torch.zeros(dim), torch.eye(dim))

    def forward(self, x):
        log_det = torch.zeros(x.shape[0])
        for layer in self.layers:
            x, ld = layer(x)
            log_det += ld
        return x, log_det

    def inverse(self, z):
        for layer in reversed(self.layers):
            z = layer.inverse(z)
        return z

    def log_prob(self, x):
        z, log_det = self(x)
        return self.base.log_prob(z) + log_det


data = make_moons(128)
print("data", data.shape, f"mean {data.mean().item():.4f} std {data.std(0).tolist()}")

flow = RealNVP()
init_deterministic(flow)
z, log_det = flow(data[:5])
print("z", z.detach().numpy().round(4).tolist())
print("log det", log_det.detach().round(decimals=5).tolist())

# the coupling log-det equals log|det J| from autograd's Jacobian
x0 = data[3]
J = torch.autograd.functional.jacobian(lambda v: flow(v.unsqueeze(0))[0].squeeze(0), x0)
sign, logabs = torch.linalg.slogdet(J)
print("jacobian", J.shape, "sign", sign.item(), "logabsdet", round(logabs.item(), 6), "matches", torch.isclose(logabs, flow(x0[None])[1][0]).item())
print("inverse recovers x:", torch.allclose(flow.inverse(z), data[:5], atol=1e-10))

print("log p(x) mean", round(flow.log_prob(data).mean().item(), 5))
optimizer = torch.optim.Adam(flow.parameters(), lr=3e-3)
for step in range(61):
    optimizer.zero_grad()
    loss = -flow.log_prob(data).mean()
    loss.backward()
    optimizer.step()
    if step % 20 == 0:
        print(f"step {step:2d} nll {loss.item():.5f}")

# planar flow: log-det against slogdet of the Jacobian, and the invertibility constraint w.u_hat >= -1
planar = PlanarFlow(2)
pts = torch.stack([torch.linspace(-1, 1, 4), torch.linspace(0.5, -0.5, 4)], dim=1)
f, ld = planar(pts)
for i in range(2):
    Ji = torch.autograd.functional.jacobian(lambda v: planar(v.unsqueeze(0))[0][0], pts[i])
    print("planar log det", round(ld[i].item(), 6), round(torch.logdet(Ji).item(), 6), round(torch.det(Ji).log().item(), 6))
print("w.u_hat =", round((planar.w @ planar.u_hat()).item(), 6), ">= -1")
base = Normal(torch.zeros(2), torch.ones(2))
log_q = base.log_prob(pts).sum(-1) - ld
print("log q(f(z))", log_q.detach().tolist())
log_q.sum().backward()
print("grads", planar.u.grad.tolist(), planar.w.grad.tolist(), round(planar.b.grad.item(), 6))

torch.set_default_dtype(torch.float32)
print("default dtype restored:", torch.get_default_dtype())
