# ruff: noqa: E501
# Writing custom autograd Functions and checking them with torch.autograd.gradcheck and
# gradgradcheck, as the "Extending PyTorch" docs recommend: a Function saving inputs and
# outputs, one with a non-tensor argument (returns None for its gradient), one returning two
# outputs, one with once_differentiable-free double backward, and checks that fail on purpose
# (a wrong backward is caught, raise_exception=False returns False).
import torch
from torch.autograd import Function, gradcheck, gradgradcheck


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x ** 2


class ScaledExp(Function):
    @staticmethod
    def forward(ctx, x, scale):
        out = torch.exp(x) * scale
        ctx.save_for_backward(out)
        ctx.scale = scale
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return grad_output * out, None


class MulAdd(Function):
    """Two inputs, two outputs: (a * b, a + b)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b, a + b

    @staticmethod
    def backward(ctx, g_prod, g_sum):
        a, b = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = g_prod * b + g_sum
        if ctx.needs_input_grad[1]:
            gb = g_prod * a + g_sum
        return ga, gb


class WrongSquare(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x  # forgot the factor 2


class SmoothAbs(Function):
    @staticmethod
    def forward(ctx, x, eps):
        ctx.save_for_backward(x)
        ctx.eps = eps
        return torch.sqrt(x * x + eps)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x / torch.sqrt(x * x + ctx.eps), None


x = torch.linspace(-1.5, 1.3, 6, dtype=torch.double).reshape(2, 3).requires_grad_()
a = torch.linspace(0.2, 1.1, 4, dtype=torch.double, requires_grad=True)
b = torch.linspace(-0.7, 0.9, 4, dtype=torch.double, requires_grad=True)

print(gradcheck(Cube.apply, (x,), eps=1e-6, atol=1e-4))
print(gradgradcheck(Cube.apply, (x,)))
print(gradcheck(ScaledExp.apply, (x, 2.5)))
print(gradcheck(MulAdd.apply, (a, b)))
print(gradgradcheck(MulAdd.apply, (a, b)))
print(gradcheck(lambda v: SmoothAbs.apply(v, 1e-3), (x,)))
print(gradcheck(lambda v: MulAdd.apply(v, b.detach())[0].sum(), (a,)))
print(gradcheck(WrongSquare.apply, (x,), raise_exception=False))
try:
    gradcheck(WrongSquare.apply, (x,))
except RuntimeError as e:
    print("caught", type(e).__name__, "Jacobian mismatch" in str(e))

# the gradients themselves
y = Cube.apply(x)
y.sum().backward()
print(x.grad)
p, s = MulAdd.apply(a, b)
(p * s).sum().backward()
print(a.grad, b.grad)
z = ScaledExp.apply(x.detach().requires_grad_(), 0.5)
print(z.grad_fn is not None, z.requires_grad, round(z.sum().item(), 6))

# a custom Function used inside a module and trained
class CubeLayer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor([0.5, -0.25], dtype=torch.double))

    def forward(self, inp):
        return Cube.apply(inp * self.w).sum(dim=1)


layer = CubeLayer()
opt = torch.optim.Adam(layer.parameters(), lr=0.05)
inp = torch.linspace(-1, 1, 10, dtype=torch.double).reshape(5, 2)
target = torch.linspace(0, 0.5, 5, dtype=torch.double)
for step in range(60):
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(layer(inp), target)
    loss.backward()
    opt.step()
print(round(loss.item(), 6), layer.w.detach())
print(gradcheck(layer, (inp.clone().requires_grad_(),)))
# gradcheck on a built-in composition and on non-double inputs (warns, still compares)
print(gradcheck(lambda t: torch.nn.functional.softplus(t).logsumexp(0), (x,)))
print(gradcheck(torch.nn.functional.gelu, (torch.randn(5, dtype=torch.float64, requires_grad=True),)))
