# ruff: noqa: E501
# Gaussian-process regression written in torch (the GPyTorch-free course notebooks and "GPs from
# scratch" posts): an RBF kernel from torch.cdist, the posterior by Cholesky (cholesky_solve and
# triangular solves), the log marginal likelihood with logdet from the Cholesky diagonal,
# hyperparameters in log space fitted by Adam, predictive variance clamped at 0, a comparison with
# torch.linalg.solve / inv, and batched kernels for several length scales at once.
import math

import torch

torch.set_default_dtype(torch.float64)

X = torch.linspace(-3, 3, 20).unsqueeze(-1)
y = torch.sin(2 * X).squeeze(-1) + 0.1 * torch.cos(7 * X).squeeze(-1)
Xs = torch.linspace(-3.5, 3.5, 9)[:, None]


def rbf(A, B, lengthscale, variance):
    d2 = torch.cdist(A / lengthscale, B / lengthscale, p=2.0).pow(2)
    return variance * torch.exp(-0.5 * d2)


def rbf_manual(A, B, lengthscale, variance):
    sq = (A ** 2).sum(1, keepdim=True) + (B ** 2).sum(1) - 2 * A @ B.T
    return variance * (-0.5 * sq.clamp_min(0) / lengthscale ** 2).exp()


K = rbf(X, X, 0.8, 1.3)
print("kernel", K.shape, "symmetric", torch.allclose(K, K.T), "matches manual", torch.allclose(K, rbf_manual(X, X, 0.8, 1.3)))
print("K diag", K.diagonal()[:3].tolist(), "K[0,1]", round(K[0, 1].item(), 8))


def posterior(X, y, Xs, lengthscale, variance, noise):
    K = rbf(X, X, lengthscale, variance) + noise * torch.eye(len(X))
    L = torch.linalg.cholesky(K)
    alpha = torch.cholesky_solve(y.unsqueeze(-1), L)
    Ks = rbf(X, Xs, lengthscale, variance)
    mean = (Ks.T @ alpha).squeeze(-1)
    v = torch.linalg.solve_triangular(L, Ks, upper=False)
    var = rbf(Xs, Xs, lengthscale, variance).diagonal() - (v * v).sum(0)
    return mean, var.clamp(min=0.0), L, alpha


mean, var, L, alpha = posterior(X, y, Xs, 0.8, 1.3, 1e-2)
print("mean", mean.numpy().round(5).tolist())
print("std", var.sqrt().numpy().round(5).tolist())
Kn = rbf(X, X, 0.8, 1.3) + 1e-2 * torch.eye(20)
print("L lower:", torch.equal(L, L.tril()), "L L^T = K:", torch.allclose(L @ L.mT, Kn))
print("cholesky_solve == solve:", torch.allclose(alpha.squeeze(), torch.linalg.solve(Kn, y)), torch.allclose(alpha.squeeze(), torch.linalg.inv(Kn) @ y))
z = torch.triangular_solve(y.unsqueeze(-1), L, upper=False).solution
print("triangular_solve == solve_triangular:", torch.allclose(z, torch.linalg.solve_triangular(L, y[:, None], upper=False)))
U = torch.linalg.cholesky(Kn, upper=True)
print("upper factor", torch.allclose(U, L.T), torch.allclose(torch.cholesky_solve(y[:, None], U, upper=True), alpha))
print("logdet", round(torch.logdet(Kn).item(), 6), round(2 * L.diagonal().log().sum().item(), 6), round(torch.linalg.slogdet(Kn).logabsdet.item(), 6))


class GP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.log_lengthscale = torch.nn.Parameter(torch.tensor(0.0))
        self.log_variance = torch.nn.Parameter(torch.tensor(0.0))
        self.log_noise = torch.nn.Parameter(torch.tensor(-2.0))

    def neg_log_marginal_likelihood(self, X, y):
        n = X.shape[0]
        K = rbf(X, X, self.log_lengthscale.exp(), self.log_variance.exp())
        K = K + (self.log_noise.exp() + 1e-6) * torch.eye(n)
        L = torch.linalg.cholesky(K)
        alpha = torch.cholesky_solve(y.view(-1, 1), L)
        return 0.5 * (y.view(1, -1) @ alpha).squeeze() + L.diagonal().log().sum() + 0.5 * n * math.log(2 * math.pi)


gp = GP()
opt = torch.optim.Adam(gp.parameters(), lr=0.05)
for it in range(100):
    opt.zero_grad()
    nll = gp.neg_log_marginal_likelihood(X, y)
    nll.backward()
    opt.step()
    if it % 25 == 0:
        print(f"iter {it:3d} nll {nll.item():.6f} ls {gp.log_lengthscale.exp().item():.5f} noise {gp.log_noise.exp().item():.6f}")
print({k: round(v.item(), 5) for k, v in gp.state_dict().items()})

# gradient of the NLL w.r.t. the data through cholesky: finite-difference check
Xg = X.clone().requires_grad_(True)
gp.neg_log_marginal_likelihood(Xg, y).backward()
eps = 1e-6
Xp = X.clone()
Xp[4, 0] += eps
with torch.no_grad():
    fd = (gp.neg_log_marginal_likelihood(Xp, y) - gp.neg_log_marginal_likelihood(X, y)) / eps
print("dNLL/dX[4]", round(Xg.grad[4, 0].item(), 4), round(fd.item(), 4))

# batched kernels: three length scales in one go
ls = torch.tensor([0.3, 1.0, 3.0]).view(3, 1, 1)
Kb = torch.exp(-0.5 * (X - X.T).unsqueeze(0).pow(2) / ls ** 2) + 1e-4 * torch.eye(20)
Lb = torch.linalg.cholesky(Kb)
print("batched", Lb.shape, (2 * Lb.diagonal(dim1=-2, dim2=-1).log().sum(-1)).numpy().round(4).tolist())
Lb_ex, info = torch.linalg.cholesky_ex(Kb)
print("cholesky_ex info", info.tolist())
