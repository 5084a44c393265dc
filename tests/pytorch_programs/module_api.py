# ruff: noqa: E501
# The nn.Module API of larger models: named_modules/children, non-persistent buffers,
# ModuleList append/extend/insert, Sequential from an OrderedDict, slicing, append and del,
# train/eval, requires_grad_, deepcopy, load_state_dict(strict=False), get_parameter,
# get_submodule, dtype moves, and how models print.
import copy
from collections import OrderedDict

import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.bn = nn.BatchNorm2d(2)
        self.register_buffer("scale", torch.ones(1), persistent=False)
        self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(2)])
        self.params = nn.ParameterList([nn.Parameter(torch.zeros(2))])
    def forward(self, x):
        x = self.bn(self.conv(x)) * self.scale
        return x

m = Block()
print(m)
print([n for n, _ in m.named_modules()])
print([type(c).__name__ for c in m.children()], len(list(m.modules())))
print(list(m.state_dict().keys()))
print(sum(p.numel() for p in m.parameters()), [n for n, _ in m.named_buffers()])
m.layers.append(nn.Linear(4, 2))
m.layers.extend([nn.ReLU()])
m.layers.insert(0, nn.Identity())
print(len(m.layers), type(m.layers[-1]).__name__, type(m.layers[0]).__name__)
seq = nn.Sequential(OrderedDict([("fc1", nn.Linear(3, 4)), ("act", nn.ReLU()), ("fc2", nn.Linear(4, 1))]))
print(seq)
print(seq.fc1, type(seq[0:2]).__name__, len(seq[0:2]), type(seq[-1]).__name__)
seq.append(nn.Sigmoid())
del seq[1]
print([n for n, _ in seq.named_children()])
print(m.train(False) is m, m.training, m.bn.training, m.eval().training)
m.requires_grad_(False)
print(any(p.requires_grad for p in m.parameters()))
m.zero_grad(set_to_none=True)
m2 = copy.deepcopy(m)
print(m2.conv.weight.shape, m2.conv.weight is not m.conv.weight)
r = m.load_state_dict(m2.state_dict(), strict=False)
print(r.missing_keys, r.unexpected_keys)
print(m.get_parameter("conv.weight").shape, m.get_submodule("layers.1").in_features)
print(m.double().conv.weight.dtype, m.float().conv.weight.dtype, m.to(torch.float64).bn.running_mean.dtype)
print(isinstance(m, nn.Module), m.conv.extra_repr())
print(nn.Linear(2, 3, bias=False))
print(nn.Sequential(nn.Conv2d(3, 8, kernel_size=(3, 5), stride=2), nn.MaxPool2d(2), nn.Dropout(0.2), nn.Flatten()))
