# ruff: noqa: E501
# The "Neural Tangent Kernels" and "Jacobians, Hessians, hvp, vhp, and more" torch.func
# tutorials: functional_call over a dict of parameters, jacrev vmapped over the batch for the
# empirical NTK (the Jacobian-contraction and einsum forms), jacfwd vs jacrev, hessian of a
# small function, grad with has_aux, vjp and jvp, and the per-sample Jacobian shapes.
import math

import torch
import torch.nn as nn
from torch.func import functional_call, grad, hessian, jacfwd, jacrev, jvp, vjp, vmap


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x):
        x = torch.tanh(self.conv1(x))
        return self.fc(x.flatten(1))


net = CNN()
with torch.no_grad():
    for i, p in enumerate(net.parameters()):
        p.copy_(torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 0.41 + i).view_as(p) / math.sqrt(p[0].numel() if p.ndim > 1 else p.numel()))
x_train = torch.cos(torch.arange(5 * 36, dtype=torch.float32) * 0.23).view(5, 1, 6, 6)
x_test = torch.sin(torch.arange(2 * 36, dtype=torch.float32) * 0.19).view(2, 1, 6, 6)
params = {k: v.detach() for k, v in net.named_parameters()}


def fnet_single(params, x):
    return functional_call(net, params, (x.unsqueeze(0),)).squeeze(0)


print("functional_call == module:", torch.allclose(fnet_single(params, x_train[0]), net(x_train[:1])[0]))


def empirical_ntk_jacobian_contraction(fnet_single, params, x1, x2):
    jac1 = vmap(jacrev(fnet_single), (None, 0))(params, x1)
    jac1 = jac1.values()
    jac1 = [j.flatten(2) for j in jac1]
    jac2 = vmap(jacrev(fnet_single), (None, 0))(params, x2)
    jac2 = jac2.values()
    jac2 = [j.flatten(2) for j in jac2]
    result = torch.stack([torch.einsum("Naf,Mbf->NMab", j1, j2) for j1, j2 in zip(jac1, jac2)])
    return result.sum(0)


ntk = empirical_ntk_jacobian_contraction(fnet_single, params, x_train, x_test)
print("ntk", ntk.shape, ntk[0, 0].numpy().round(4).tolist())
jac = vmap(jacrev(fnet_single), (None, 0))(params, x_train)
print("per-sample jacobian shapes", {k: tuple(v.shape) for k, v in jac.items()})
flat = torch.cat([j.flatten(2) for j in jac.values()], dim=2)
trace_ntk = torch.einsum("naf,maf->nm", flat, flat)
print("ntk trace kernel symmetric:", torch.allclose(trace_ntk, trace_ntk.T, atol=1e-5), "psd:", bool((torch.linalg.eigvalsh(trace_ntk) > -1e-4).all()))


def f(x):
    return torch.sin(x).sum() * x.pow(2).sum()


x = torch.linspace(-1, 1, 4)
print("jacfwd == jacrev:", torch.allclose(jacfwd(torch.sin)(x), jacrev(torch.sin)(x)), torch.allclose(jacrev(torch.sin)(x), torch.diag(torch.cos(x))))
H = hessian(f)(x)
print("hessian", H.shape, torch.allclose(H, H.T, atol=1e-6), H[0].numpy().round(5).tolist())


def loss_with_aux(w, x, y):
    pred = x @ w
    loss = ((pred - y) ** 2).mean()
    return loss, pred


w = torch.tensor([0.5, -0.25])
X = torch.stack([torch.linspace(0, 1, 5), torch.ones(5)], 1)
Y = 2 * torch.linspace(0, 1, 5) + 1
g, pred = grad(loss_with_aux, has_aux=True)(w, X, Y)
print("grad with aux", g.numpy().round(5).tolist(), pred.shape)
per_sample = vmap(grad(lambda w, x, y: ((x @ w - y) ** 2)), in_dims=(None, 0, 0))(w, X, Y)
print("per-sample grads", per_sample.shape, torch.allclose(per_sample.mean(0), g))
out, vjp_fn = vjp(torch.sin, x)
print("vjp", torch.allclose(vjp_fn(torch.ones(4))[0], torch.cos(x)))
out, tangent = jvp(torch.sin, (x,), (torch.ones(4),))
print("jvp", torch.allclose(tangent, torch.cos(x)), out.shape)
batched = vmap(lambda a, b: a @ b)(torch.arange(12.0).view(3, 2, 2), torch.ones(3, 2))
print("vmap matmul", batched.tolist())
print("vmap in_dims/out_dims", vmap(torch.sum, in_dims=1)(torch.arange(6.0).view(2, 3)).tolist(), vmap(lambda r: r * 2, out_dims=1)(torch.arange(6.0).view(3, 2)).shape)
