# d2l "Custom Layers": a layer without parameters and one with its own parameters.
import torch
import torch.nn.functional as F
from torch import nn


class CenteredLayer(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, X):
        return X - X.mean()


layer = CenteredLayer()
print(layer(torch.tensor([1.0, 2, 3, 4, 5])))

net = nn.Sequential(nn.Linear(8, 128), CenteredLayer())
Y = net(torch.rand(4, 8))
print(abs(Y.mean().item()) < 1e-6)


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))

    def forward(self, X):
        linear = torch.matmul(X, self.weight) + self.bias
        return F.relu(linear)


linear = MyLinear(5, 3)
print(linear.weight.shape, linear.bias.shape)
print(bool((linear(torch.rand(2, 5)) >= 0).all()))

net = nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))
print(net(torch.rand(2, 64)).shape)

with torch.no_grad():
    linear.weight.copy_(torch.arange(15.0).reshape(5, 3) / 10 - 0.7)
    linear.bias.fill_(0.1)
print(linear(torch.ones(2, 5)))
out = linear(torch.linspace(-1, 1, 10).reshape(2, 5)).sum()
out.backward()
print(linear.weight.grad, linear.bias.grad)
