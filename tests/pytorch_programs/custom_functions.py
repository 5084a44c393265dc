# Custom autograd Functions the ways the docs show them: ctx.save_for_backward and
# needs_input_grad, a non-tensor argument, once_differentiable, mark_non_differentiable,
# set_materialize_grads, the forward/setup_context split, and gradcheck in float64.
import torch
from torch.autograd import Function
from torch.autograd.function import once_differentiable


class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


class MulConstant(Function):
    @staticmethod
    def forward(tensor, constant):
        return tensor * constant

    @staticmethod
    def setup_context(ctx, inputs, output):
        tensor, constant = inputs
        ctx.constant = constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


class MyCube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * 3 * x ** 2


class SortWithIndices(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        values, idx = x.sort()
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(idx)
        return values, idx

    @staticmethod
    def backward(ctx, g, _g_idx):
        idx, = ctx.saved_tensors
        if g is None:
            return None
        return torch.zeros_like(g).scatter(0, idx, g)


x = torch.linspace(-1, 1, 12, dtype=torch.double).reshape(4, 3).requires_grad_()
w = torch.linspace(0.5, -0.5, 6, dtype=torch.double).reshape(2, 3).requires_grad_()
b = torch.tensor([0.1, -0.2], dtype=torch.double, requires_grad=True)
out = LinearFunction.apply(x, w, b)
out.pow(2).sum().backward()
print(out, x.grad, w.grad, b.grad, sep="\n")
print(torch.autograd.gradcheck(LinearFunction.apply, (x, w, b), eps=1e-6, atol=1e-4))
y = MulConstant.apply(x, 2.5)
y.sum().backward()
print(y.grad_fn is not None, x.grad[0])
c = MyCube.apply(x)
gx, = torch.autograd.grad(c.sum(), x)
print(gx)
values, idx = SortWithIndices.apply(torch.tensor([3., 1., 2.], requires_grad=True))
print(values, idx, idx.requires_grad)
values.backward(torch.tensor([1., 2., 3.]))
frozen = torch.tensor([1., 2.])
with torch.no_grad():
    print(LinearFunction.apply(frozen.unsqueeze(0), w.detach().float()[:, :2], None).requires_grad)
