# ruff: noqa: E501
# Entropic optimal transport with the Sinkhorn algorithm (the POT/geomloss-free notebooks and
# "Sinkhorn in 20 lines of PyTorch" posts): the plain scaling iterations with u, v and the Gibbs
# kernel, the log-domain version with torch.logsumexp for small epsilon, marginal errors, the
# transport cost, a Wasserstein barycentre-free gradient flow that moves points by autograd of
# the Sinkhorn loss, and the 1-D closed form (sorted samples) as a check.
import math

import torch

torch.set_default_dtype(torch.float64)
n, m = 7, 5
x = torch.stack([torch.linspace(0, 1, n), torch.sin(torch.linspace(0, 3, n))], dim=1)
y = torch.stack([torch.linspace(0.2, 1.4, m), torch.cos(torch.linspace(0, 2, m))], dim=1)
a = torch.full((n,), 1.0 / n)
b = torch.softmax(torch.linspace(-1, 1, m), dim=0)
C = torch.cdist(x, y, p=2) ** 2
print("cost", C.shape, round(C.min().item(), 6), round(C.max().item(), 6), "b", b.numpy().round(5).tolist())


def sinkhorn(a, b, C, eps=0.1, iters=200):
    K = torch.exp(-C / eps)
    u = torch.ones_like(a)
    v = torch.ones_like(b)
    for _ in range(iters):
        u = a / (K @ v)
        v = b / (K.T @ u)
    return u[:, None] * K * v[None, :]


def sinkhorn_log(a, b, C, eps=0.01, iters=500):
    f = torch.zeros_like(a)
    g = torch.zeros_like(b)
    log_a, log_b = a.log(), b.log()
    for _ in range(iters):
        f = eps * log_a - eps * torch.logsumexp((g[None, :] - C) / eps, dim=1)
        g = eps * log_b - eps * torch.logsumexp((f[:, None] - C) / eps, dim=0)
    return torch.exp((f[:, None] + g[None, :] - C) / eps), f, g


P = sinkhorn(a, b, C)
print("marginals", torch.allclose(P.sum(1), a, atol=1e-8), torch.allclose(P.sum(0), b, atol=1e-8), "cost", round((P * C).sum().item(), 6))
P_log, f, g = sinkhorn_log(a, b, C, eps=0.1, iters=200)
print("log domain == scaling:", torch.allclose(P, P_log, atol=1e-10))
P_small, f, g = sinkhorn_log(a, b, C, eps=0.005)
print("small eps cost", round((P_small * C).sum().item(), 5), "dual", round((f @ a + g @ b).item(), 5), "nonzeros > 1e-6:", int((P_small > 1e-6).sum()))
print("row argmax", P_small.argmax(dim=1).tolist())
print("entropy", round(-(P * P.clamp_min(1e-300).log()).sum().item(), 6), torch.special.entr(P).sum().item() > 0)

# gradient flow: move the x cloud towards y by the Sinkhorn loss
xs = x.clone().requires_grad_(True)
opt = torch.optim.SGD([xs], lr=1.0)
for step in range(30):
    Cx = ((xs[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    P_, _, _ = sinkhorn_log(a, b, Cx, eps=0.05, iters=100)
    loss = (P_.detach() * Cx).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 10 == 0:
        print(f"flow step {step} loss {loss.item():.6f}")
barycentric = (P_ / P_.sum(1, keepdim=True)) @ y
print("points near their barycentric targets:", torch.allclose(xs.detach(), barycentric.detach(), atol=0.05))

# 1-D: W2^2 between equal-size empirical measures is the sorted matching
s = torch.sin(torch.arange(9.0) * 1.3)
t = torch.cos(torch.arange(9.0) * 0.7) + 0.5
w1d = ((s.sort().values - t.sort().values) ** 2).mean()
P1 = sinkhorn_log(torch.full((9,), 1 / 9), torch.full((9,), 1 / 9), (s[:, None] - t[None, :]) ** 2, eps=1e-3, iters=2000)[0]
print("1-D W2^2", round(w1d.item(), 6), round((P1 * (s[:, None] - t[None, :]) ** 2).sum().item(), 4))
print("argsort matching", s.argsort().tolist(), t.argsort().tolist(), torch.argsort(s, descending=True)[:3].tolist())
print("log(n)", round(math.log(n), 6))
