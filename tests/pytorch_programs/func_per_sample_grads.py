# ruff: noqa: E501
# torch.func as its tutorials use it: per-sample gradients with vmap(grad(loss)) over
# functional_call on a module's detached parameters (checked against a loop of backward calls),
# per-sample gradient norms for DP-SGD-style clipping, model ensembling with
# stack_module_state + vmap over the stacked weights, Jacobians with jacrev/jacfwd and vmap
# over a batch, a Hessian-vector product with vjp of grad, and grad_and_value with has_aux.
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import (
    functional_call,
    grad,
    grad_and_value,
    hessian,
    jacfwd,
    jacrev,
    stack_module_state,
    vjp,
    vmap,
)


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(5, 8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


def fill_(model, k):
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(0.4 * torch.sin(torch.arange(p.numel(), dtype=torch.float32) * (0.7 + 0.1 * k) + i).view_as(p))


model = SmallNet()
fill_(model, 0)
data = torch.cos(torch.arange(40.0) * 0.37).view(8, 5)
targets = torch.arange(8) % 3
params = {k: v.detach() for k, v in model.named_parameters()}
buffers = {k: v.detach() for k, v in model.named_buffers()}


def loss_one(params, buffers, x, y):
    out = functional_call(model, (params, buffers), (x.unsqueeze(0),))
    return F.cross_entropy(out, y.unsqueeze(0))


per_sample = vmap(grad(loss_one), in_dims=(None, None, 0, 0))(params, buffers, data, targets)
print({k: tuple(v.shape) for k, v in per_sample.items()})
loop = []
for x, y in zip(data, targets):
    model.zero_grad()
    F.cross_entropy(model(x.unsqueeze(0)), y.unsqueeze(0)).backward()
    loop.append(model.fc1.weight.grad.clone())
print(torch.allclose(per_sample["fc1.weight"], torch.stack(loop), atol=1e-6))
print(per_sample["fc2.bias"][:2])
norms = torch.stack([g.flatten(1).norm(dim=1) for g in per_sample.values()], dim=1).norm(dim=1)
print(norms)
clip = (1.0 / (norms + 1e-6)).clamp(max=1.0)
clipped = {k: (g * clip.view(-1, *([1] * (g.dim() - 1)))).mean(0) for k, g in per_sample.items()}
print(round(clipped["fc1.weight"].norm().item(), 6), round(torch.stack([g.flatten(1).norm(dim=1) for g in per_sample.values()], 1).max().item(), 6))

# full-batch gradient from functional_call equals the module's
g_full = grad(lambda p: F.cross_entropy(functional_call(model, p, (data,)), targets))(params)
model.zero_grad()
F.cross_entropy(model(data), targets).backward()
print(torch.allclose(g_full["fc2.weight"], model.fc2.weight.grad, atol=1e-6))


def loss_aux(p):
    out = functional_call(model, p, (data,))
    return F.cross_entropy(out, targets), out.argmax(1)


(grads, (value, preds)) = grad_and_value(loss_aux, has_aux=True)(params)
print(round(value.item(), 6), preds.tolist(), sorted(grads))

# ensembling
models = [SmallNet() for _ in range(4)]
for k, m in enumerate(models):
    fill_(m, k)
stacked_params, stacked_buffers = stack_module_state(models)
print({k: tuple(v.shape) for k, v in stacked_params.items()}, stacked_buffers)
base = copy.deepcopy(models[0])  # the tutorial moves it to "meta", which minigrad refuses


def run(p, b, x):
    return functional_call(base, (p, b), (x,))


ensemble = vmap(run, in_dims=(0, 0, None))(stacked_params, stacked_buffers, data)
print(ensemble.shape, torch.allclose(ensemble[2], models[2](data), atol=1e-6))
print(ensemble.softmax(-1).mean(0).argmax(-1).tolist())

# Jacobians and Hessians
f = lambda x: torch.tanh(model.fc1(x)).sum(-1)  # noqa: E731
J = jacrev(lambda x: torch.tanh(model.fc1(x)))(data[0])
print(J.shape, torch.allclose(J, jacfwd(lambda x: torch.tanh(model.fc1(x)))(data[0]), atol=1e-6))
Jb = vmap(jacrev(f))(data)
print(Jb.shape, Jb[0])
H = hessian(lambda x: (x ** 3).sum() + x.prod())(torch.tensor([1.0, 2.0, 3.0]))
print(H)
_, hvp_fn = vjp(grad(lambda x: (x.sin() * x).sum()), torch.tensor([0.5, 1.0]))
print(hvp_fn(torch.tensor([1.0, 0.0]))[0])
print(vmap(torch.dot)(torch.arange(6.0).view(3, 2), torch.ones(3, 2)), vmap(lambda a: a.sum(), in_dims=1)(torch.arange(6.0).view(2, 3)))
