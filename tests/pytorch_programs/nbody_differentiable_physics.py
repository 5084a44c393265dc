# ruff: noqa: E501
# Differentiable physics on a toy scale: an n-body simulation with softened gravity from
# pairwise differences (forces by hand and as -grad of the potential via autograd), symplectic
# leapfrog vs explicit Euler energy drift, momentum conservation, a pendulum whose length is
# recovered by backpropagating through the integrator (optimizing a parameter with LBFGS), and
# a spring-mass chain using torch.diff and index_put_ boundary conditions.
import math

import torch

torch.set_default_dtype(torch.float64)
n = 5
ang = torch.arange(n) * (2 * math.pi / n)
pos = torch.stack([ang.cos(), ang.sin()], 1) * torch.linspace(1.0, 1.4, n)[:, None]
vel = torch.stack([-ang.sin(), ang.cos()], 1) * 0.6
mass = torch.linspace(1.0, 2.0, n)
G, eps = 1.0, 0.1


def potential(pos):
    diff = pos[:, None, :] - pos[None, :, :]
    dist = torch.sqrt((diff ** 2).sum(-1) + eps ** 2)
    pair = -G * mass[:, None] * mass[None, :] / dist
    return 0.5 * (pair.sum() - pair.diagonal().sum())


def forces(pos):
    diff = pos[None, :, :] - pos[:, None, :]
    inv3 = ((diff ** 2).sum(-1) + eps ** 2) ** -1.5
    inv3 = inv3 * (1 - torch.eye(n))
    return G * mass[:, None] * (mass[None, :, None] * diff * inv3[..., None]).sum(1)


p = pos.clone().requires_grad_(True)
auto_f = -torch.autograd.grad(potential(p), p)[0]
print("autograd forces == hand forces:", torch.allclose(auto_f, forces(pos), atol=1e-10), "net force ~0:", forces(pos).sum(0).abs().max().item() < 1e-12)


def energy(pos, vel):
    return 0.5 * (mass[:, None] * vel ** 2).sum() + potential(pos)


def simulate(pos, vel, dt, steps, method):
    for _ in range(steps):
        if method == "euler":
            acc = forces(pos) / mass[:, None]
            pos, vel = pos + dt * vel, vel + dt * acc
        else:
            vel = vel + 0.5 * dt * forces(pos) / mass[:, None]
            pos = pos + dt * vel
            vel = vel + 0.5 * dt * forces(pos) / mass[:, None]
    return pos, vel


e0 = energy(pos, vel).item()
for method in ("euler", "leapfrog"):
    pT, vT = simulate(pos, vel, 0.005, 100, method)
    drift = abs(energy(pT, vT).item() - e0) / abs(e0)
    print(f"{method}: relative energy drift {drift:.2e}", "momentum conserved:", torch.allclose((mass[:, None] * vT).sum(0), (mass[:, None] * vel).sum(0), atol=1e-10))
print("initial energy", round(e0, 6), "centre of mass", ((mass[:, None] * pos).sum(0) / mass.sum()).numpy().round(6).tolist())


def pendulum(theta0, length, steps=40, dt=0.03, g=9.81):
    theta, omega = theta0, torch.zeros_like(theta0)
    traj = []
    for _ in range(steps):
        omega = omega - dt * g / length * torch.sin(theta)
        theta = theta + dt * omega
        traj.append(theta)
    return torch.stack(traj)


observed = pendulum(torch.tensor(0.4), torch.tensor(1.3)).detach()
log_len = torch.tensor(0.0, requires_grad=True)
opt = torch.optim.LBFGS([log_len], lr=0.5, max_iter=15, line_search_fn="strong_wolfe")


def closure():
    opt.zero_grad()
    loss = (pendulum(torch.tensor(0.4), log_len.exp()) - observed).pow(2).mean()
    loss.backward()
    return loss


opt.step(closure)
print("recovered length", round(log_len.exp().item(), 3), "loss < 1e-8:", closure().item() < 1e-8)

# a spring-mass chain with fixed ends: x'' = k (x[i+1] - 2 x[i] + x[i-1])
x = torch.sin(torch.linspace(0, math.pi, 9))
x.index_put_((torch.tensor([0, 8]),), torch.tensor([0.0, 0.0]))
v = torch.zeros(9)
for _ in range(100):
    lap = torch.diff(x, n=2)
    acc = torch.zeros_like(x)
    acc[1:-1] = 4.0 * lap
    v = v + 0.01 * acc
    x = x + 0.01 * v
print("chain ends fixed:", x[0].item(), x[-1].item(), "symmetric:", torch.allclose(x, x.flip(0), atol=1e-12), "middle", round(x[4].item(), 6))
