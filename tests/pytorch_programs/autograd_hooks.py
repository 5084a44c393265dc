# Autograd beyond backward(): tensor hooks, module forward pre-hooks, forward hooks and full
# backward hooks, torch.autograd.functional's jacobian and hessian, higher-order grad,
# allow_unused and materialize_grads, a Function with mark_non_differentiable, gradcheck,
# retain_graph.
import torch
import torch.nn as nn

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = x.register_hook(lambda g: g * 2)
(x ** 2).sum().backward()
print(x.grad.tolist())
h.remove()
x.grad = None
(x ** 2).sum().backward()
print(x.grad.tolist())

model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.linspace(-1, 1, p.numel()).reshape(p.shape))
acts = {}
def fwd_hook(module, inputs, output):
    acts[type(module).__name__] = output.detach().clone()
handles = [m.register_forward_hook(fwd_hook) for m in model]
def pre_hook(module, inputs):
    return (inputs[0] * 1.0,)
model[0].register_forward_pre_hook(pre_hook)
grads = []
model[2].register_full_backward_hook(lambda m, gin, gout: grads.append([g.shape for g in gout]))
out = model(torch.tensor([[0.5, -0.5, 1.0]]))
out.sum().backward()
print(sorted(acts), acts["Linear"].tolist(), grads)
for hnd in handles:
    hnd.remove()

def f(x):
    return (x ** 3).sum()
print(torch.autograd.functional.jacobian(lambda v: v ** 2, torch.tensor([1.0, 2.0])).tolist())
print(torch.autograd.functional.hessian(f, torch.tensor([1.0, 2.0])).tolist())

y = torch.tensor([2.0], requires_grad=True)
z = y * y
g1, = torch.autograd.grad(z, y, create_graph=True)
g2, = torch.autograd.grad(g1, y)
print(g1.item(), g2.item())
a = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(2.0, requires_grad=True)
print(torch.autograd.grad(a * 3, [a, b], allow_unused=True))
print(torch.autograd.grad(a * 3, [a, b], allow_unused=True, materialize_grads=True))

class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inp):
        ctx.save_for_backward(inp)
        idx = inp > 0
        ctx.mark_non_differentiable(idx)
        return inp.clamp(min=0), idx
    @staticmethod
    def backward(ctx, grad, _):
        inp, = ctx.saved_tensors
        return grad * (inp > 0).float()
t = torch.tensor([-1.0, 2.0], requires_grad=True)
o, idx = MyReLU.apply(t)
o.sum().backward()
print(t.grad.tolist(), idx.requires_grad)
point = torch.rand(3, dtype=torch.double, requires_grad=True)
print(torch.autograd.gradcheck(lambda v: (v.sin() * v).sum(), (point,)))
w = torch.ones(2, requires_grad=True)
loss = (w * 3).sum()
loss.backward(retain_graph=True)
loss.backward()
print(w.grad.tolist())
