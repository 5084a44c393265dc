# ruff: noqa: E501
# A physics-informed neural network as PINN tutorials write it: solve u'' = -pi^2 sin(pi x) on
# [0, 1] with u(0) = u(1) = 0 and the heat equation's residual u_t - k u_xx on a (x, t) grid.
# Collocation points with requires_grad_(True), derivatives by torch.autograd.grad with
# grad_outputs=torch.ones_like and create_graph=True, Tanh networks initialised by
# xavier_normal_ (then set from a formula), Adam then LBFGS(line_search_fn="strong_wolfe"),
# meshgrid/stack/cat of inputs, and the error against the exact solution. Float64 throughout.
import math

import numpy as np
import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)


class PINN(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.activation = nn.Tanh()
        self.linears = nn.ModuleList([nn.Linear(layers[i], layers[i + 1]) for i in range(len(layers) - 1)])
        for i in range(len(layers) - 1):
            nn.init.xavier_normal_(self.linears[i].weight.data, gain=1.0)
            nn.init.zeros_(self.linears[i].bias.data)

    def forward(self, x):
        if torch.is_tensor(x) is not True:
            x = torch.from_numpy(x)
        a = x.float() if x.dtype == torch.float32 else x
        for i in range(len(self.linears) - 1):
            a = self.activation(self.linears[i](a))
        return self.linears[-1](a)


def set_weights(model, phase):
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            k = torch.arange(p.numel(), dtype=torch.float64)
            fan = sum(p.shape) if p.dim() > 1 else 1
            p.copy_((torch.sin(k * phase + i) * math.sqrt(2.0 / fan)).reshape(p.shape) * (1.0 if p.dim() > 1 else 0.1))


def derivative(u, x, order=1):
    for _ in range(order):
        u = torch.autograd.grad(u, x, grad_outputs=torch.ones_like(u), create_graph=True, retain_graph=True)[0]
    return u


# --- 1-D Poisson problem ---
model = PINN([1, 16, 16, 1])
set_weights(model, 0.9)
x_f = torch.linspace(0, 1, 25).view(-1, 1).requires_grad_(True)
x_b = torch.tensor([[0.0], [1.0]])
u_b = torch.zeros(2, 1)
mse = nn.MSELoss()


def loss_fn():
    u = model(x_f)
    u_xx = derivative(u, x_f, order=2)
    f = u_xx + math.pi ** 2 * torch.sin(math.pi * x_f)
    return mse(f, torch.zeros_like(f)) + mse(model(x_b), u_b)


optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(200):
    optimizer.zero_grad()
    loss = loss_fn()
    loss.backward()
    optimizer.step()
    if epoch % 50 == 0:
        print(f"adam {epoch:3d} loss {loss.item():.6e}")

lbfgs = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=20, tolerance_grad=1e-9, tolerance_change=1e-12, line_search_fn="strong_wolfe")


def closure():
    lbfgs.zero_grad()
    loss = loss_fn()
    loss.backward()
    return loss


for it in range(2):
    loss = lbfgs.step(closure)
    print(f"lbfgs {it} loss {loss.item():.6e}")
state = lbfgs.state_dict()["state"][0]
print("lbfgs evaluations", state["func_evals"], "iterations", state["n_iter"])

x_test = np.linspace(0, 1, 11).reshape(-1, 1)
with torch.no_grad():
    u_pred = model(x_test).numpy()
u_exact = np.sin(np.pi * x_test)
print("max error", round(float(np.abs(u_pred - u_exact).max()), 5))
print("u(0.5)", round(float(u_pred[5, 0]), 5))

# --- 1-D heat equation residual on a grid ---
net = PINN([2, 12, 12, 1])
set_weights(net, 0.4)
x = torch.linspace(0, 1, 6)
t = torch.linspace(0, 0.5, 4)
X, T = torch.meshgrid(x, t, indexing="ij")
xt = torch.stack([X.flatten(), T.flatten()], dim=1).requires_grad_(True)
u = net(xt)
grads = torch.autograd.grad(u.sum(), xt, create_graph=True)[0]
u_x, u_t = grads[:, 0:1], grads[:, 1:2]
u_xx = torch.autograd.grad(u_x, xt, torch.ones_like(u_x), create_graph=True)[0][:, 0:1]
residual = u_t - 0.1 * u_xx
ic = net(torch.cat([x.unsqueeze(1), torch.zeros(6, 1)], dim=1)) - torch.sin(math.pi * x).unsqueeze(1)
bc = net(torch.stack([torch.zeros(4), t], 1)).pow(2).mean() + net(torch.stack([torch.ones(4), t], 1)).pow(2).mean()
loss = residual.pow(2).mean() + ic.pow(2).mean() + bc
print("heat residual", residual.shape, round(residual.abs().max().item(), 6), "loss", round(loss.item(), 6))
loss.backward()
print("first layer grad norm", round(net.linears[0].weight.grad.norm().item(), 6))
print("input grad kept:", xt.grad is None, xt.requires_grad)
