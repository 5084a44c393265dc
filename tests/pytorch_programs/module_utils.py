# ruff: noqa: E501
# Module utilities met in training scripts: deterministic nn.init, parameters_to_vector,
# hooks, Sequential slicing and insertion, param groups, zero_grad(set_to_none) and deepcopy.
import copy

import torch
import torch.nn as nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters

net = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2), nn.Sigmoid())
nn.init.eye_(net[0].weight)
nn.init.constant_(net[0].bias, 0.1)
nn.init.ones_(net[2].weight)
nn.init.zeros_(net[2].bias)
print(nn.init.calculate_gain("relu"), nn.init.calculate_gain("tanh"), nn.init.calculate_gain("leaky_relu", 0.2), nn.init.calculate_gain("linear"))
w = torch.empty(2, 2, 3)
nn.init.dirac_(w)
print(w.sum(), w[1, 1], nn.init.eye_(torch.empty(2, 3)))
vec = parameters_to_vector(net.parameters())
print(vec.shape, vec[:4], vec.sum())
vector_to_parameters(vec * 2, net.parameters())
print(net[0].bias, net[2].weight.sum(), len(net), net[:2], type(net[1:]).__name__, net[-1])
seen = []
h1 = net[0].register_forward_hook(lambda m, inp, out: seen.append(("fwd", tuple(out.shape), round(out.sum().item(), 4))))
h2 = net[2].register_forward_pre_hook(lambda m, inp: (inp[0] * 0.5,))
h3 = net[2].register_full_backward_hook(lambda m, gin, gout: seen.append(("bwd", tuple(gout[0].shape))))
x = torch.tensor([[1.0, -2.0, 3.0], [0.5, 0.5, 0.5]])
y = net(x)
y.sum().backward()
print(y, seen)
for h in (h1, h2, h3):
    h.remove()
print(torch.equal(net(x), y), net[0].weight.grad)
net.zero_grad(set_to_none=True)
print(net[0].weight.grad, [n for n, _ in net.named_children()], sum(1 for _ in net.modules()))
net.insert(2, nn.Dropout(0.0))
net.append(nn.Flatten(0))
net.add_module("scale", nn.Identity())
print(len(net), [type(m).__name__ for m in net], net(x).shape)
opt = torch.optim.SGD([{"params": net[0].parameters(), "lr": 0.1}, {"params": net[3].parameters()}], lr=0.01, momentum=0.5)
print([g["lr"] for g in opt.param_groups], [len(g["params"]) for g in opt.param_groups], opt.defaults["momentum"])
twin = copy.deepcopy(net)
for _ in range(2):
    opt.zero_grad()
    loss = net(x).pow(2).mean()
    loss.backward()
    opt.step()
    print(round(loss.item(), 6), net[0].weight[0], net[3].bias)
print(torch.equal(twin[0].weight, net[0].weight), twin[0].weight.requires_grad, twin[0].weight is not net[0].weight)
opt.param_groups[1]["lr"] = 0.2
opt.add_param_group({"params": [nn.Parameter(torch.ones(1))], "lr": 1.0})
print([g["lr"] for g in opt.param_groups], len(opt.state_dict()["param_groups"]), sorted(opt.state_dict()["state"].keys()))
