# Autograd habits: torch.autograd.grad, retain_graph, higher derivatives, hooks, LazyLinear.
import torch
from torch import nn

x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
y = (x ** 3).sum()
(dy,) = torch.autograd.grad(y, x, create_graph=True)
print(dy)
(d2y,) = torch.autograd.grad(dy.sum(), x)
print(d2y)

z = torch.tanh(x).sum()
z.backward(retain_graph=True)
first = x.grad.clone()
z.backward()
print(first, x.grad, torch.allclose(x.grad, 2 * first))

x.grad = None
w = x * 2
w.register_hook(lambda g: g * 10)
w.sum().backward()
print(x.grad)

a = torch.ones(2, 2, requires_grad=True)
b = a * 3
b.retain_grad()
c = (b * b).mean()
c.backward()
print(b.grad, a.grad, c.grad_fn is not None, a.is_leaf, b.is_leaf)

net = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.Linear(4, 1))
out = net(torch.ones(3, 7))
print(net[0].weight.shape, out.shape, net[0].in_features)

x = torch.linspace(-2, 2, 5, requires_grad=True)
for f in (torch.sigmoid, torch.tanh, torch.relu, torch.exp, nn.functional.softplus,
          nn.functional.gelu, nn.functional.silu):
    x.grad = None
    f(x).sum().backward()
    print(f.__name__, [round(v, 4) for v in x.grad.tolist()])
s = nn.functional.softmax(torch.tensor([[1.0, 2.0, 3.0]]), dim=1)
print(s, s.sum(dim=1))
logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], requires_grad=True)
target = torch.tensor([0, 2])
loss = nn.functional.cross_entropy(logits, target)
loss.backward()
print(loss.item(), logits.grad)
print(torch.argmax(logits, dim=1), logits.max(dim=1).indices, torch.max(logits, 1)[1])
