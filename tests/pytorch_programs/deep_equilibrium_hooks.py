# ruff: noqa: E501
# A deep equilibrium layer as in the NeurIPS implicit-layers tutorial: the forward pass finds
# the fixed point z = tanh(W z + x) by iteration under torch.no_grad, one more call re-engages
# autograd, and a tensor hook (register_hook) replaces the incoming gradient by the solution of
# the backward fixed point g = J^T g + grad, computed with torch.autograd.grad(..., grad_outputs,
# retain_graph=True); Anderson acceleration with torch.linalg.solve; checked against unrolled
# backpropagation and finite differences, plus module forward/backward hooks that record shapes.
import math

import torch
import torch.nn as nn


class TanhFixedPointLayer(nn.Module):
    def __init__(self, out_features, tol=1e-6, max_iter=200):
        super().__init__()
        self.linear = nn.Linear(out_features, out_features, bias=False)
        self.tol = tol
        self.max_iter = max_iter

    def forward(self, x):
        z = torch.zeros_like(x)
        self.iterations = 0
        while self.iterations < self.max_iter:
            z_next = torch.tanh(self.linear(z) + x)
            self.err = torch.norm(z - z_next)
            z = z_next
            self.iterations += 1
            if self.err < self.tol:
                break
        return z


def forward_iteration(f, x0, max_iter=100, tol=1e-8):
    f0 = f(x0)
    res = []
    for k in range(max_iter):
        x = f0
        f0 = f(x)
        res.append((f0 - x).norm().item() / (1e-5 + f0.norm().item()))
        if res[-1] < tol:
            break
    return f0, res


def anderson(f, x0, m=5, lam=1e-4, max_iter=50, tol=1e-8, beta=1.0):
    bsz, d = x0.shape
    X = torch.zeros(bsz, m, d, dtype=x0.dtype)
    F_ = torch.zeros(bsz, m, d, dtype=x0.dtype)
    X[:, 0], F_[:, 0] = x0, f(x0)
    X[:, 1], F_[:, 1] = F_[:, 0], f(F_[:, 0])
    H = torch.zeros(bsz, m + 1, m + 1, dtype=x0.dtype)
    H[:, 0, 1:] = H[:, 1:, 0] = 1
    y = torch.zeros(bsz, m + 1, 1, dtype=x0.dtype)
    y[:, 0] = 1
    res = []
    for k in range(2, max_iter):
        n = min(k, m)
        G = F_[:, :n] - X[:, :n]
        H[:, 1:n + 1, 1:n + 1] = torch.bmm(G, G.transpose(1, 2)) + lam * torch.eye(n, dtype=x0.dtype)[None]
        alpha = torch.linalg.solve(H[:, :n + 1, :n + 1], y[:, :n + 1])[:, 1:n + 1, 0]
        X[:, k % m] = beta * (alpha[:, None] @ F_[:, :n])[:, 0] + (1 - beta) * (alpha[:, None] @ X[:, :n])[:, 0]
        F_[:, k % m] = f(X[:, k % m])
        res.append((F_[:, k % m] - X[:, k % m]).norm().item() / (1e-5 + F_[:, k % m].norm().item()))
        if res[-1] < tol:
            break
    return X[:, k % m], res


class DEQFixedPoint(nn.Module):
    def __init__(self, f, solver, **kwargs):
        super().__init__()
        self.f = f
        self.solver = solver
        self.kwargs = kwargs

    def forward(self, x):
        with torch.no_grad():
            z, self.forward_res = self.solver(lambda z: self.f(z, x), torch.zeros_like(x), **self.kwargs)
        z = self.f(z, x)
        z0 = z.clone().detach().requires_grad_()
        f0 = self.f(z0, x)

        def backward_hook(grad):
            g, self.backward_res = self.solver(lambda y: torch.autograd.grad(f0, z0, y, retain_graph=True)[0] + grad, grad, **self.kwargs)
            return g

        z.register_hook(backward_hook)
        return z


class TanhNet(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.linear = nn.Linear(d, d)

    def forward(self, z, x):
        return torch.tanh(self.linear(z) + x)


torch.set_default_dtype(torch.float64)
d = 6
x = torch.stack([torch.sin(torch.arange(d) * 0.7 + b) for b in range(3)])
layer = TanhFixedPointLayer(d)
with torch.no_grad():
    layer.linear.weight.copy_(torch.cos(torch.arange(d * d).view(d, d) * 1.3) * 0.3)
z = layer(x)
print("converged:", layer.err.item() < 1e-6, "fixed point:", torch.allclose(z, torch.tanh(layer.linear(z) + x), atol=1e-5))

f = TanhNet(d)
with torch.no_grad():
    f.linear.weight.copy_(torch.cos(torch.arange(d * d).view(d, d) * 1.3) * 0.3)
    f.linear.bias.copy_(torch.linspace(-0.2, 0.2, d))
z_fw, res_fw = forward_iteration(lambda z: f(z, x), torch.zeros_like(x))
z_aa, res_aa = anderson(lambda z: f(z, x), torch.zeros_like(x))
print("forward iterations", len(res_fw), "anderson iterations", len(res_aa), "same point:", torch.allclose(z_fw, z_aa, atol=1e-6), "anderson faster:", len(res_aa) < len(res_fw))

deq = DEQFixedPoint(f, anderson, tol=1e-10, max_iter=100)
xg = x.clone().requires_grad_()
z = deq(xg)
loss = (z ** 2).sum() + z[:, 0].sum()
loss.backward()
implicit_grad_w = f.linear.weight.grad.clone()
implicit_grad_x = xg.grad.clone()
print("backward solver residual small:", deq.backward_res[-1] < 1e-8)

f.zero_grad()
xu = x.clone().requires_grad_()
zu = torch.zeros_like(x)
for _ in range(200):
    zu = f(zu, xu)
((zu ** 2).sum() + zu[:, 0].sum()).backward()
print("implicit == unrolled grads:", torch.allclose(implicit_grad_w, f.linear.weight.grad, atol=1e-6), torch.allclose(implicit_grad_x, xu.grad, atol=1e-6))
print("grad x row 0", implicit_grad_x[0].numpy().round(5).tolist())

eps = 1e-6
xp = x.clone()
xp[1, 2] += eps
with torch.no_grad():
    zp, _ = anderson(lambda z: f(z, xp), torch.zeros_like(x), tol=1e-12, max_iter=100)
    z0, _ = anderson(lambda z: f(z, x), torch.zeros_like(x), tol=1e-12, max_iter=100)
fd = (((zp ** 2).sum() + zp[:, 0].sum()) - ((z0 ** 2).sum() + z0[:, 0].sum())) / eps
print("finite difference", round(fd.item(), 4), round(implicit_grad_x[1, 2].item(), 4))

records = []
h1 = f.register_forward_hook(lambda m, inp, out: records.append(("fwd", tuple(inp[0].shape), tuple(out.shape))))
h2 = f.register_full_backward_hook(lambda m, gin, gout: records.append(("bwd", tuple(gout[0].shape), gin[0] is None)))
h3 = f.register_forward_pre_hook(lambda m, inp: records.append(("pre", len(inp))))
out = f(torch.zeros(3, d, requires_grad=True), x)
out.sum().backward()
for h in (h1, h2, h3):
    h.remove()
f(torch.zeros(3, d), x)
print("hooks", records)
t = torch.ones(3, requires_grad=True)
handle = t.register_hook(lambda g: g * 2)
(t * 3).sum().backward()
handle.remove()
(t * 3).sum().backward()
print("tensor hook doubled then removed:", t.grad.tolist())
print("spectral norm of W", round(torch.linalg.matrix_norm(f.linear.weight, ord=2).item(), 5), "iterations of the first layer", layer.iterations, math.isfinite(layer.err.item()))
