# Second-order autograd: Hessian-vector products with autograd.grad(create_graph=True), a full
# Hessian built row by row, gradcheck, and grads of a gradient penalty.
import torch


def f(x):
    return (x ** 3).sum() + (x[0] * x[1]) ** 2 + torch.sin(x).prod()


x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
v = torch.tensor([1.0, 0.0, -1.0])
(g,) = torch.autograd.grad(f(x), x, create_graph=True)
print(g, g.requires_grad)
(hv,) = torch.autograd.grad(g, x, grad_outputs=v, retain_graph=True)
print(hv)
(hv2,) = torch.autograd.grad(g @ v, x, retain_graph=True)
print(torch.allclose(hv, hv2), hv2)
rows = [torch.autograd.grad(g[i], x, retain_graph=True)[0] for i in range(3)]
H = torch.stack(rows)
print(H, torch.allclose(H, H.T), H @ v)
print(torch.autograd.functional.hessian(f, x.detach()))
_, hvp = torch.autograd.functional.hvp(f, x.detach(), v)
print(hvp)
_, vjp = torch.autograd.functional.vjp(lambda t: t ** 2, x.detach(), v)
print(vjp, torch.autograd.functional.jacobian(lambda t: t.exp() * 2, x.detach()).diagonal())
w = torch.tensor([[0.2, -0.3], [0.4, 0.1]], requires_grad=True)
inp = torch.tensor([[1.0, 2.0], [-1.0, 0.5]], requires_grad=True)
out = torch.tanh(inp @ w).sum()
(gi,) = torch.autograd.grad(out, inp, create_graph=True)
penalty = ((gi.norm(2, dim=1) - 1) ** 2).mean()
penalty.backward()
print(round(penalty.item(), 6), w.grad, inp.grad)
x64 = torch.tensor([0.3, 0.7], dtype=torch.float64, requires_grad=True)
print(torch.autograd.gradcheck(lambda t: (t.sin() * t.exp()).sum(), (x64,)))
print(torch.autograd.gradgradcheck(lambda t: (t ** 3 * t.cos()).sum(), (x64,)))
y = x.detach().requires_grad_()
z = (y * y).sum()
g1 = torch.autograd.grad(z, y, create_graph=True)[0]
g2 = torch.autograd.grad(g1.sum(), y, allow_unused=True)[0]
print(g1, g2, torch.autograd.grad((y * 2).sum(), [y, w], allow_unused=True)[1])
