# ruff: noqa: E501
# Hamiltonian neural networks (Greydanus et al. tutorial style): an MLP outputs a scalar H(q, p),
# torch.autograd.grad with create_graph=True gives dH/dx, and the symplectic gradient
# (dH/dp, -dH/dq) is trained against the true vector field of a mass-spring system; energy
# conservation of a leapfrog rollout, a baseline MLP for comparison, second derivatives (the
# Hessian of H), and the double-backward of a gradient-penalty-like term.
import math

import torch
import torch.nn as nn

torch.manual_seed(0)


def spring_field(coords):
    q, p = coords.chunk(2, dim=-1)
    return torch.cat([p, -q], dim=-1)


def energy(coords):
    return 0.5 * (coords ** 2).sum(-1)


theta = torch.linspace(0, 2 * math.pi, 49)[:-1]
radius = 0.5 + 0.5 * (torch.arange(48) % 4) / 3
x = torch.stack([radius * torch.cos(theta), radius * torch.sin(theta)], dim=1)
dxdt = spring_field(x)
print("data", x.shape, dxdt.shape, "energy range", energy(x).min().item(), energy(x).max().item())


class MLP(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim):
        super().__init__()
        self.linear1 = nn.Linear(input_dim, hidden_dim)
        self.linear2 = nn.Linear(hidden_dim, hidden_dim)
        self.linear3 = nn.Linear(hidden_dim, output_dim, bias=None)
        for i, l in enumerate([self.linear1, self.linear2, self.linear3]):
            with torch.no_grad():
                l.weight.copy_(torch.sin(torch.arange(l.weight.numel()).float() * 0.77 + i).view_as(l.weight) / math.sqrt(l.in_features))
            if l.bias is not None:
                nn.init.zeros_(l.bias)

    def forward(self, x):
        h = torch.tanh(self.linear1(x))
        h = torch.tanh(self.linear2(h))
        return self.linear3(h)


class HNN(nn.Module):
    def __init__(self, input_dim, differentiable_model):
        super().__init__()
        self.differentiable_model = differentiable_model
        self.M = self.permutation_tensor(input_dim)

    def forward(self, x):
        return self.differentiable_model(x)

    def time_derivative(self, x):
        H = self.forward(x).sum()
        dH = torch.autograd.grad(H, x, create_graph=True)[0]
        return dH @ self.M.t()

    def permutation_tensor(self, n):
        M = torch.eye(n)
        return torch.cat([M[n // 2:], -M[:n // 2]])


model = HNN(2, MLP(2, 32, 1))
print("M", model.M.tolist())
optim = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=0)
xr = x.clone().requires_grad_(True)
for step in range(151):
    dxdt_hat = model.time_derivative(xr)
    loss = (dxdt - dxdt_hat).pow(2).mean()
    loss.backward()
    optim.step()
    optim.zero_grad()
    if step % 50 == 0:
        print(f"step {step}, train_loss {loss.item():.4e}")

baseline = MLP(2, 32, 2)
opt_b = torch.optim.Adam(baseline.parameters(), lr=1e-2)
for step in range(151):
    loss_b = nn.MSELoss()(baseline(x), dxdt)
    opt_b.zero_grad()
    loss_b.backward()
    opt_b.step()
print("baseline fits the field too:", loss_b.item() < 1e-2)


def rollout(f, x0, dt=0.1, steps=60):
    xs = [x0]
    for _ in range(steps):
        xs.append(xs[-1] + dt * f(xs[-1]))
    return torch.stack(xs)


x0 = torch.tensor([[1.0, 0.0]], requires_grad=True)
traj = rollout(lambda z: model.time_derivative(z), x0)
e = energy(traj.detach()).squeeze(1)
print("hnn energy drift", round((e[-1] - e[0]).item(), 4), "steps", traj.shape[0])

# second derivatives: Hessian of the learned Hamiltonian at a point, symmetric
point = torch.tensor([0.3, -0.7], requires_grad=True)
g = torch.autograd.grad(model(point).squeeze(), point, create_graph=True)[0]
hess = torch.stack([torch.autograd.grad(g[i], point, retain_graph=True)[0] for i in range(2)])
print("hessian symmetric:", torch.allclose(hess, hess.T, atol=1e-6), "shape", tuple(hess.shape))
H_full = torch.autograd.functional.hessian(lambda z: model(z).squeeze(), point.detach())
print("functional.hessian agrees:", torch.allclose(hess, H_full, atol=1e-6))

# a gradient penalty through create_graph: d/dw of ||dH/dx||^2
model.zero_grad()
xg = x[:8].clone().requires_grad_()
grad_x, = torch.autograd.grad(model(xg).sum(), xg, create_graph=True)
penalty = grad_x.norm(2, dim=1).pow(2).mean()
penalty.backward()
print("penalty", round(penalty.item(), 5), "w1 grad norm > 0:", model.differentiable_model.linear1.weight.grad.norm().item() > 0)
print("x grad untouched:", xg.grad is None)
