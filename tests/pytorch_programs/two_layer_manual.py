# "Learning PyTorch with Examples" (earlier edition): a two-layer net on random data, with
# the backward pass computed by hand on tensors.
import torch

dtype = torch.float
device = torch.device("cpu")

N, D_in, H, D_out = 64, 100, 50, 10
x = torch.linspace(-1, 1, N * D_in, device=device, dtype=dtype).reshape(N, D_in)
y = torch.cos(torch.arange(N * D_out, device=device, dtype=dtype)).reshape(N, D_out)
w1 = torch.sin(torch.arange(D_in * H, dtype=dtype)).reshape(D_in, H).to(device) * 0.1
w2 = torch.cos(torch.arange(H * D_out, dtype=dtype)).reshape(H, D_out).to(device) * 0.1

learning_rate = 1e-4
for t in range(200):
    h = x.mm(w1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2)

    loss = (y_pred - y).pow(2).sum().item()
    if t % 20 == 19:
        print(t, f"{loss:.5f}")

    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.t().mm(grad_y_pred)
    grad_h_relu = grad_y_pred.mm(w2.t())
    grad_h = grad_h_relu.clone()
    grad_h[h < 0] = 0
    grad_w1 = x.t().mm(grad_h)

    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2

print(w1.shape, w2.shape, f"{w1.abs().sum().item():.4f}", f"{w2.abs().sum().item():.4f}")
