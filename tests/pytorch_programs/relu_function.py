# "Learning PyTorch with Examples" (earlier edition): a custom ReLU autograd.Function, used in a
# two-layer net trained by autograd, checked against the built-in relu and by gradcheck.
import torch


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


dtype = torch.float
device = torch.device("cpu")
N, D_in, H, D_out = 64, 100, 50, 10
x = torch.linspace(-1, 1, N * D_in, device=device, dtype=dtype).reshape(N, D_in)
y = torch.cos(torch.arange(N * D_out, device=device, dtype=dtype)).reshape(N, D_out)
w1 = (torch.sin(torch.arange(D_in * H, dtype=dtype)).reshape(D_in, H) * 0.1).requires_grad_()
w2 = (torch.cos(torch.arange(H * D_out, dtype=dtype)).reshape(H, D_out) * 0.1).requires_grad_()

learning_rate = 1e-4
for t in range(200):
    relu = MyReLU.apply
    y_pred = relu(x.mm(w1)).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 20 == 19:
        print(t, f"{loss.item():.5f}")
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()

z = torch.linspace(-2, 2, 9, dtype=torch.float64, requires_grad=True)
print(torch.equal(MyReLU.apply(z), torch.relu(z)))
print(torch.autograd.gradcheck(MyReLU.apply, (z + 0.05,), eps=1e-6, atol=1e-4))
(g,) = torch.autograd.grad(MyReLU.apply(z).sum(), z)
print(g)
