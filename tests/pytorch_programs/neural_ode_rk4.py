# ruff: noqa: E501
# A neural ODE with a hand-written fixed-step RK4 solver (the torchdiffeq README / "neural ODEs
# from scratch" notebooks): an odeint that stacks the trajectory, a known linear ODE solved and
# compared with torch.matrix_exp, fitting the dynamics of a damped spiral by backpropagating
# through the solver, gradient of the final state w.r.t. the initial state checked against the
# matrix exponential, and a time-dependent ODE func with a parameter count.
import math

import torch
import torch.nn as nn

torch.manual_seed(0)


def rk4_step(func, t, y, dt):
    k1 = func(t, y)
    k2 = func(t + dt / 2, y + dt * k1 / 2)
    k3 = func(t + dt / 2, y + dt * k2 / 2)
    k4 = func(t + dt, y + dt * k3)
    return y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def odeint(func, y0, t, substeps=4):
    ys = [y0]
    y = y0
    for t0, t1 in zip(t[:-1], t[1:]):
        dt = (t1 - t0) / substeps
        for k in range(substeps):
            y = rk4_step(func, t0 + k * dt, y, dt)
        ys.append(y)
    return torch.stack(ys)


true_A = torch.tensor([[-0.1, 2.0], [-2.0, -0.1]])


class Lambda(nn.Module):
    def forward(self, t, y):
        return y @ true_A.T


t = torch.linspace(0.0, 2.5, 26)
y0 = torch.tensor([[2.0, 0.0]])
with torch.no_grad():
    true_y = odeint(Lambda(), y0, t)
print("trajectory", true_y.shape, true_y[-1])
exact = y0 @ torch.matrix_exp(true_A * t[-1]).T
print("rk4 matches matrix_exp:", torch.allclose(true_y[-1], exact, atol=1e-4), (true_y[-1] - exact).abs().max().item() < 1e-4)


class ODEFunc(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 2))
        for m in self.net.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0, std=0.1)
                nn.init.constant_(m.bias, val=0)
        self.nfe = 0

    def forward(self, t, y):
        self.nfe += 1
        return self.net(y ** 3)


func = ODEFunc()
with torch.no_grad():
    for i, p in enumerate(func.parameters()):
        p.copy_(0.3 * torch.sin(torch.arange(p.numel()) * 0.61 + i).reshape(p.shape))
optimizer = torch.optim.RMSprop(func.parameters(), lr=1e-3)
batch_t = t[:10]
for itr in range(1, 31):
    optimizer.zero_grad()
    batch_y0 = true_y[[0, 5, 10, 15]]                 # (4, 1, 2)
    pred_y = odeint(func, batch_y0, batch_t, substeps=1)  # (10, 4, 1, 2)
    batch_y = torch.stack([true_y[s:s + 10] for s in (0, 5, 10, 15)], dim=1)
    loss = torch.mean(torch.abs(pred_y - batch_y))
    loss.backward()
    optimizer.step()
    if itr % 10 == 0:
        with torch.no_grad():
            full = odeint(func, y0, t, substeps=1)
            print(f"Iter {itr:04d} | Total Loss {torch.mean(torch.abs(full - true_y)).item():.6f}")
print("function evaluations", func.nfe)

# d y(T) / d y0 through the solver equals the matrix exponential
y0_var = torch.tensor([[1.0, -0.5]], dtype=torch.float64, requires_grad=True)
A64 = true_A.double()
yT = odeint(lambda t, y: y @ A64.T, y0_var, torch.linspace(0, 1, 11, dtype=torch.float64))[-1]
rows = [torch.autograd.grad(yT[0, i], y0_var, retain_graph=True)[0][0] for i in range(2)]
print("sensitivity", torch.stack(rows).numpy().round(6).tolist())
print("expm", torch.linalg.matrix_exp(A64).numpy().round(6).tolist())


class TimeODE(nn.Module):
    def __init__(self, dim=3):
        super().__init__()
        self.lin = nn.Linear(dim + 1, dim)
        nn.init.zeros_(self.lin.bias)
        nn.init.eye_(self.lin.weight[:, :dim])
        with torch.no_grad():
            self.lin.weight[:, dim].fill_(0.5)

    def forward(self, t, y):
        tt = torch.ones_like(y[..., :1]) * t
        return -self.lin(torch.cat([y, tt], dim=-1))


tf = TimeODE()
print("params", sum(p.numel() for p in tf.parameters() if p.requires_grad), tf.lin.weight.tolist()[0])
out = odeint(tf, torch.ones(2, 3), torch.linspace(0, 1, 5))
print("time-dependent solution", out[-1, 0].tolist(), "decays:", bool((out[-1] < out[0]).all()))
print("exp(-1) check", round(math.exp(-1), 5))
