# ruff: noqa: E501
# PyTorch's Parametrizations tutorial, on deterministic weights: a symmetric weight via
# register_parametrization, a skew-symmetric one, stacking a matrix exponential on it to get an
# orthogonal matrix, right_inverse so that assigning to layer.weight works, parametrize.cached(),
# training through the parametrization (the optimizer holds parametrizations.weight.original),
# state_dict keys, and remove_parametrizations with leave_parametrized True and False.
import torch
import torch.nn as nn
import torch.nn.utils.parametrize as P


class Symmetric(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(0, 1)

    def right_inverse(self, A):
        return A.triu()


class Skew(nn.Module):
    def forward(self, X):
        A = X.triu(1)
        return A - A.T


class MatrixExponential(nn.Module):
    def forward(self, X):
        return torch.matrix_exp(X)


def fill_(layer, k=0):
    with torch.no_grad():
        layer.weight.copy_(0.3 * torch.sin(torch.arange(layer.weight.numel(), dtype=torch.float32) * 0.9 + k).view_as(layer.weight))
        layer.bias.fill_(0.1)


layer = nn.Linear(3, 3)
fill_(layer)
P.register_parametrization(layer, "weight", Symmetric())
A = layer.weight
print(torch.allclose(A, A.T), A)
print(type(layer).__name__, P.is_parametrized(layer), P.is_parametrized(layer, "weight"), P.is_parametrized(layer, "bias"))
print(P.type_before_parametrizations(layer).__name__, isinstance(layer, nn.Linear))
print([n for n, _ in layer.named_parameters()], list(layer.state_dict().keys()))
print(layer.parametrizations.weight.original)
print(layer)

skew = nn.Linear(3, 3)
fill_(skew, 1)
P.register_parametrization(skew, "weight", Skew())
print(torch.allclose(skew.weight, -skew.weight.T))
P.register_parametrization(skew, "weight", MatrixExponential())
Q = skew.weight
print(torch.allclose(Q.T @ Q, torch.eye(3), atol=1e-5), len(skew.parametrizations.weight), round(torch.linalg.det(Q).item(), 5))

# assigning goes through right_inverse
X = torch.tensor([[1.0, 2.0, 3.0], [2.0, 5.0, 6.0], [3.0, 6.0, 9.0]])
layer.weight = X
print(torch.equal(layer.weight, X), layer.parametrizations.weight.original)
try:
    skew.weight = torch.eye(3)
except RuntimeError as e:
    print("RuntimeError", "right_inverse" in str(e))

# training: gradients land on original, the weight stays symmetric
with torch.no_grad():
    layer.parametrizations.weight.original.copy_(0.2 * torch.cos(torch.arange(9.0)).view(3, 3))
opt = torch.optim.SGD(layer.parameters(), lr=0.1)
x = torch.linspace(-1, 1, 12).view(4, 3)
target = x.flip(1)
for step in range(20):
    loss = ((layer(x) - target) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print(round(loss.item(), 6), torch.allclose(layer.weight, layer.weight.T), layer.parametrizations.weight.original.grad.triu(1).abs().sum().item() > 0)
print(layer.parametrizations.weight.original.grad)

with P.cached():
    w1 = layer.weight
    w2 = layer.weight
    print(w1 is w2)
print(layer.weight is layer.weight)

# removing
sd = layer.state_dict()
print(sorted(sd.keys()))
fresh = nn.Linear(3, 3)
P.register_parametrization(fresh, "weight", Symmetric())
fresh.load_state_dict(sd)
print(torch.equal(fresh.weight, layer.weight))
orig = layer.parametrizations.weight.original
kept = layer.weight.detach().clone()
P.remove_parametrizations(layer, "weight")
print(type(layer).__name__, P.is_parametrized(layer), layer.weight is orig, torch.equal(layer.weight, kept), isinstance(layer.weight, nn.Parameter))
P.remove_parametrizations(fresh, "weight", leave_parametrized=False)
print(torch.equal(fresh.weight, fresh.weight.triu()), list(fresh.state_dict().keys()))
try:
    P.remove_parametrizations(fresh, "weight")
except ValueError as e:
    print("ValueError", "does not have a parametrization" in str(e))

# weight norm through parametrizations (what torch.nn.utils.weight_norm's deprecation points to)
from torch.nn.utils.parametrizations import weight_norm  # noqa: E402

wn = nn.Linear(3, 2)
fill_(wn, 3)
weight_norm(wn)
print(list(wn.state_dict()), wn.parametrizations.weight.original0.squeeze(1), wn.parametrizations.weight.original1.shape)
opt = torch.optim.Adam(wn.parameters(), lr=0.05)
for step in range(10):
    loss = (wn(x) - target[:, :2]).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print(round(loss.item(), 6), wn.parametrizations.weight.original0.detach().squeeze(1), torch.allclose(wn.weight.norm(dim=1), wn.parametrizations.weight.original0.squeeze(1)))
P.remove_parametrizations(wn, "weight")
print(list(wn.state_dict()))
