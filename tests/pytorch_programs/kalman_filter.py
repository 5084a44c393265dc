# ruff: noqa: E501
# A Kalman filter and RTS smoother for a constant-velocity model written with torch matrices
# (the filterpy-style tutorials ported to torch): predict/update with the Joseph form, the
# innovation likelihood through MultivariateNormal, a batched filter over several tracks at once
# with @ and mT, torch.linalg.solve instead of inverses, the steady-state gain, and learning the
# process-noise scale by backpropagating the log-likelihood through the whole filter.
import math

import torch
from torch.distributions import MultivariateNormal

torch.set_printoptions(precision=5, sci_mode=False)
dt = 0.1
F_ = torch.tensor([[1.0, dt], [0.0, 1.0]], dtype=torch.float64)
H = torch.tensor([[1.0, 0.0]], dtype=torch.float64)
t = torch.arange(40, dtype=torch.float64) * dt
true_pos = torch.sin(t) * 2
zs = true_pos + 0.3 * torch.cos(t * 13.0)
print("measurements", zs.shape, zs[:4])


def kalman_filter(zs, q, r=0.09, x0=None, P0=None):
    Q = q * torch.tensor([[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]], dtype=torch.float64)
    R = torch.tensor([[r]], dtype=torch.float64)
    x = torch.zeros(2, 1, dtype=torch.float64) if x0 is None else x0
    P = torch.eye(2, dtype=torch.float64) * 10 if P0 is None else P0
    I = torch.eye(2, dtype=torch.float64)
    xs, Ps, xps, Pps = [], [], [], []
    loglik = torch.zeros((), dtype=torch.float64)
    for z in zs:
        x = F_ @ x
        P = F_ @ P @ F_.T + Q
        xps.append(x)
        Pps.append(P)
        y = z.view(1, 1) - H @ x
        S = H @ P @ H.T + R
        K = torch.linalg.solve(S, H @ P).T
        x = x + K @ y
        P = (I - K @ H) @ P @ (I - K @ H).T + K @ R @ K.T
        loglik = loglik + MultivariateNormal(torch.zeros(1, dtype=torch.float64), S).log_prob(y.view(1))
        xs.append(x)
        Ps.append(P)
    return torch.stack(xs), torch.stack(Ps), torch.stack(xps), torch.stack(Pps), loglik, K


xs, Ps, xps, Pps, ll, K = kalman_filter(zs, q=1.0)
print("filtered", xs.shape, xs[-1].squeeze())
print("rmse filtered", round((xs[:, 0, 0] - true_pos).pow(2).mean().sqrt().item(), 5), "raw", round((zs - true_pos).pow(2).mean().sqrt().item(), 5))
print("log likelihood", round(ll.item(), 5), "gain", K.squeeze().tolist())
print("covariance symmetric PSD:", torch.allclose(Ps, Ps.mT), bool((torch.linalg.eigvalsh(Ps) > 0).all()))


def rts_smoother(xs, Ps, xps, Pps):
    n = xs.shape[0]
    x_s, P_s = xs.clone(), Ps.clone()
    for k in range(n - 2, -1, -1):
        C = Ps[k] @ F_.T @ torch.linalg.inv(Pps[k + 1])
        x_s[k] = xs[k] + C @ (x_s[k + 1] - xps[k + 1])
        P_s[k] = Ps[k] + C @ (P_s[k + 1] - Pps[k + 1]) @ C.T
    return x_s, P_s


x_s, P_s = rts_smoother(xs, Ps, xps, Pps)
print("rmse smoothed", round((x_s[:, 0, 0] - true_pos).pow(2).mean().sqrt().item(), 5), "variance shrinks:", bool((P_s[:, 0, 0] <= Ps[:, 0, 0] + 1e-12).all()))

# batched: 3 tracks with different measurement noise, all at once
zb = torch.stack([zs, zs * 0.5, -zs], dim=0).unsqueeze(-1).unsqueeze(-1)  # (3, T, 1, 1)
x = torch.zeros(3, 2, 1, dtype=torch.float64)
P = torch.eye(2, dtype=torch.float64).expand(3, 2, 2) * 10
R = torch.tensor([0.09, 0.02, 0.5], dtype=torch.float64).view(3, 1, 1)
Q = torch.tensor([[dt ** 3 / 3, dt ** 2 / 2], [dt ** 2 / 2, dt]], dtype=torch.float64)
for k in range(zb.shape[1]):
    x = F_ @ x
    P = F_ @ P @ F_.mT + Q
    S = H @ P @ H.mT + R
    Kb = P @ H.mT @ torch.linalg.inv(S)
    x = x + Kb @ (zb[:, k] - H @ x)
    P = P - Kb @ S @ Kb.mT
print("batched final", x.squeeze(-1).numpy().round(5).tolist())
print("batch 0 matches single filter:", torch.allclose(x[0], xs[-1], atol=1e-8))

# steady-state gain by iterating the Riccati equation
P = torch.eye(2, dtype=torch.float64)
for _ in range(500):
    Pp = F_ @ P @ F_.T + Q
    Kss = Pp @ H.T / (H @ Pp @ H.T + 0.09)
    P = (torch.eye(2, dtype=torch.float64) - Kss @ H) @ Pp
print("steady-state gain", Kss.squeeze().numpy().round(6).tolist(), "close to last gain:", torch.allclose(Kss, K, atol=1e-3))

# learn log q by gradient ascent on the log-likelihood
log_q = torch.tensor(math.log(0.1), dtype=torch.float64, requires_grad=True)
opt = torch.optim.Adam([log_q], lr=0.2)
for step in range(15):
    opt.zero_grad()
    nll = -kalman_filter(zs[:20], q=log_q.exp())[4]
    nll.backward()
    opt.step()
print("learned q", round(log_q.exp().item(), 4), "nll", round(nll.item(), 4), "grad", f"{log_q.grad.item():.3e}")
print(torch.tensor([[1.0, 2e-6], [3.14159265, -1.0]]))
torch.set_printoptions(profile="default")
print(torch.tensor([1.0, 2e-6]))
