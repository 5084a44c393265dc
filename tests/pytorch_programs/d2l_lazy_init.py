# d2l "Lazy Initialization" and "Parameter Initialization": LazyLinear, init functions, and
# writing through `.data` with numpy-compatible indexing (d2l's `.data.abs()` is left out:
# minigrad's `.data` is the numpy array, on purpose).
import torch
from torch import nn

net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))
print(net[0].weight)
print(len(list(net.parameters())))
X = torch.rand(2, 20)
net(X)
print(net[0].weight.shape, net[2].weight.shape, net[0].in_features)


def init_constant(module):
    if type(module) == nn.Linear:
        nn.init.constant_(module.weight, 1)
        nn.init.zeros_(module.bias)


net.apply(init_constant)
print(net[0].weight.data[0][:5], net[0].bias.data[0])
net[0].weight.data[:] += 1
net[0].weight.data[0, 0] = 42
print(net[0].weight.data[0][:5])
print(net(torch.ones(1, 20))[0, :3])


torch.manual_seed(1)
lin = nn.Linear(64, 32)
bound = 1 / 64 ** 0.5
print(bool((lin.weight.abs() <= bound).all()), bool((lin.bias.abs() <= bound).all()))
nn.init.kaiming_normal_(lin.weight, nonlinearity='relu')
nn.init.xavier_normal_(lin.weight)
nn.init.ones_(lin.bias)
print(lin.bias[:4], lin.weight.requires_grad, lin.weight.is_leaf)
