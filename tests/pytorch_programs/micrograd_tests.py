# micrograd's tests against PyTorch: values and gradients of small expressions in float64.
import torch


def sanity_check():
    x = torch.Tensor([-4.0]).double()
    x.requires_grad = True
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    xpt, ypt = x, y
    print(ypt.data.item(), xpt.grad.item())


def more_ops():
    a = torch.Tensor([-4.0]).double()
    b = torch.Tensor([2.0]).double()
    a.requires_grad = True
    b.requires_grad = True
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    apt, bpt, gpt = a, b, g
    tol = 1e-6
    print(f"{gpt.data.item():.10f}", f"{apt.grad.item():.10f}", f"{bpt.grad.item():.10f}")
    print(abs(gpt.data.item() - 24.70408163265306) < tol)


def mlp_check():
    x = torch.tensor([[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]],
                     dtype=torch.float64)
    ys = torch.tensor([1.0, -1.0, -1.0, 1.0], dtype=torch.float64)
    w1 = torch.linspace(-1, 1, 12, dtype=torch.float64).reshape(3, 4).requires_grad_()
    w2 = torch.linspace(1, -0.5, 4, dtype=torch.float64).reshape(4, 1).requires_grad_()
    for k in range(20):
        ypred = torch.tanh(torch.tanh(x @ w1) @ w2).squeeze(1)
        loss = ((ypred - ys) ** 2).sum()
        w1.grad = None
        w2.grad = None
        loss.backward()
        with torch.no_grad():
            w1 -= 0.1 * w1.grad
            w2 -= 0.1 * w2.grad
        if k % 5 == 0:
            print(k, f"{loss.item():.10f}")


sanity_check()
more_ops()
mlp_check()
