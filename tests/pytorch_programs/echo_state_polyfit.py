# ruff: noqa: E501
# Least squares the numerical-methods way in torch: polynomial fitting with torch.vander and
# torch.linalg.lstsq (vs the normal equations and pinv), ridge regression by solve, an echo-state
# network whose reservoir is rescaled by its spectral radius from torch.linalg.eigvals (complex
# eigenvalues, .abs()), a ridge readout fitted in closed form, QR and SVD based solutions,
# condition numbers and matrix norms.
import torch

torch.set_default_dtype(torch.float64)
x = torch.linspace(-1, 1, 21)
y = 0.5 - x + 2 * x ** 3 + 0.05 * torch.sin(9 * x)
V = torch.vander(x, N=4, increasing=True)
print("vander", V.shape, V[1].numpy().round(4).tolist(), torch.vander(torch.tensor([1.0, 2.0, 3.0])).tolist())
coef = torch.linalg.lstsq(V, y.unsqueeze(1)).solution.squeeze(1)
print("lstsq coef", coef.numpy().round(5).tolist())
normal = torch.linalg.solve(V.T @ V, V.T @ y)
print("normal equations agree:", torch.allclose(coef, normal), "pinv agree:", torch.allclose(coef, torch.linalg.pinv(V) @ y))
Q, R = torch.linalg.qr(V)
print("qr agree:", torch.allclose(coef, torch.linalg.solve_triangular(R, (Q.T @ y).unsqueeze(1), upper=True).squeeze(1)), Q.shape, R.shape)
U, S, Vh = torch.linalg.svd(V, full_matrices=False)
print("svd agree:", torch.allclose(coef, Vh.T @ ((U.T @ y) / S)), "singular values", S.numpy().round(4).tolist())
print("cond", round(torch.linalg.cond(V).item(), 4), round((S.max() / S.min()).item(), 4), "fro", round(torch.linalg.norm(V).item(), 4), "2-norm", round(torch.linalg.matrix_norm(V, ord=2).item(), 4), "nuc", round(torch.linalg.matrix_norm(V, ord="nuc").item(), 4))
print("residual", round(torch.linalg.vector_norm(V @ coef - y).item(), 6), "poly at 0.5", round((coef * 0.5 ** torch.arange(4)).sum().item(), 6))
lam = 1e-2
ridge = torch.linalg.solve(V.T @ V + lam * torch.eye(4), V.T @ y)
print("ridge", ridge.numpy().round(5).tolist(), "shrinks:", ridge.norm().item() < coef.norm().item())

# echo state network on a sine-prediction task
n_res = 30
k = torch.arange(n_res * n_res, dtype=torch.float64)
W = (torch.sin(k * 1.37) * torch.cos(k * 0.21)).view(n_res, n_res)
W[torch.sin(k.view(n_res, n_res) * 3.1).abs() < 0.6] = 0.0
eig = torch.linalg.eigvals(W)
print("eigvals", eig.dtype, eig.shape, "is complex:", eig.is_complex())
radius = eig.abs().max()
W = W * (0.9 / radius)
print("spectral radius after scaling", round(torch.linalg.eigvals(W).abs().max().item(), 6))
W_in = torch.cos(torch.arange(n_res, dtype=torch.float64) * 0.77).unsqueeze(1) * 0.5
u = torch.sin(torch.arange(300, dtype=torch.float64) * 0.2)
state = torch.zeros(n_res)
states = []
for t in range(299):
    state = torch.tanh(W @ state + W_in[:, 0] * u[t])
    states.append(state)
Xs = torch.stack(states)[50:]
Y = u[51:300]
W_out = torch.linalg.solve(Xs.T @ Xs + 1e-6 * torch.eye(n_res), Xs.T @ Y)
pred = Xs @ W_out
print("esn train rmse < 1e-3:", (pred - Y).pow(2).mean().sqrt().item() < 1e-3, "states", Xs.shape)
ev, evec = torch.linalg.eigh(Xs.T @ Xs)
print("gram eigh ascending:", bool((ev.diff() >= -1e-9).all()), "orthonormal:", torch.allclose(evec.T @ evec, torch.eye(n_res), atol=1e-8))
print("det/slogdet", round(torch.linalg.det(V.T @ V).item(), 4), [round(v, 4) for v in torch.linalg.slogdet(V.T @ V)[1:][0].reshape(1).tolist()])
print("matrix power", torch.linalg.matrix_power(torch.tensor([[1.0, 1.0], [1.0, 0.0]]), 10).tolist())
