# ruff: noqa: E501
# Linear regression three ways, as statistics-minded tutorials compare them: the normal
# equations with torch.linalg.solve, torch.linalg.lstsq (and pinv, QR, SVD), and gradient descent
# on the mean squared error with nn.Linear; ridge regression in closed form; polynomial features
# with torch.vander; R^2 and residuals; then the same fit by autograd with a hand-written update.
import torch
from torch import nn

n = 40
x = torch.linspace(-1, 1, n, dtype=torch.float64)
X = torch.stack([x, x ** 2, torch.sin(3 * x)], dim=1)
true_w = torch.tensor([1.5, -2.0, 0.5], dtype=torch.float64)
y = X @ true_w + 0.7 + 0.05 * torch.cos(17 * x)

A = torch.cat([X, torch.ones(n, 1, dtype=torch.float64)], dim=1)
w_normal = torch.linalg.solve(A.T @ A, A.T @ y)
print("normal", w_normal)
sol = torch.linalg.lstsq(A, y.unsqueeze(1))
print("lstsq", sol.solution.squeeze(1), sol.solution.shape)
w_pinv = torch.linalg.pinv(A) @ y
Q, R = torch.linalg.qr(A)
w_qr = torch.linalg.solve_triangular(R, (Q.T @ y).unsqueeze(1), upper=True).squeeze(1)
U, S, Vh = torch.linalg.svd(A, full_matrices=False)
w_svd = Vh.T @ ((U.T @ y) / S)
print(Q.shape, R.shape, U.shape, S.shape, Vh.shape)
print(torch.allclose(w_normal, w_pinv), torch.allclose(w_normal, w_qr), torch.allclose(w_normal, w_svd))
print("cond", round(torch.linalg.cond(A).item(), 4), torch.linalg.matrix_rank(A).item())
residuals = y - A @ w_normal
ss_res = (residuals ** 2).sum()
ss_tot = ((y - y.mean()) ** 2).sum()
print("R^2", round((1 - ss_res / ss_tot).item(), 6), "rmse", round(residuals.pow(2).mean().sqrt().item(), 6))

# ridge: (A^T A + lambda I)^-1 A^T y, not penalising the bias
for lam in (0.0, 0.1, 1.0, 10.0):
    penalty = lam * torch.eye(4, dtype=torch.float64)
    penalty[-1, -1] = 0
    w_ridge = torch.linalg.solve(A.T @ A + penalty, A.T @ y)
    print("ridge", lam, w_ridge.norm().item(), torch.linalg.vector_norm(w_ridge[:3], ord=1).item())

# polynomial fit with a Vandermonde matrix, batched lstsq over several targets
V = torch.vander(x, N=4)
targets = torch.stack([torch.sin(2 * x), torch.exp(x), x.abs()], dim=1)
coef = torch.linalg.lstsq(V, targets).solution
print("poly", coef.shape, coef.T)
print(((V @ coef - targets) ** 2).mean(dim=0))

# gradient descent with nn.Linear on float32 data should approach the closed form
model = nn.Linear(3, 1)
with torch.no_grad():
    model.weight.zero_()
    model.bias.fill_(0.0)
Xf, yf = X.float(), y.float().unsqueeze(1)
opt = torch.optim.SGD(model.parameters(), lr=0.3)
loss_fn = nn.MSELoss()
for epoch in range(2001):
    opt.zero_grad()
    loss = loss_fn(model(Xf), yf)
    loss.backward()
    opt.step()
    if epoch % 500 == 0:
        print(epoch, round(loss.item(), 6))
print("gd", model.weight.detach().squeeze(), model.bias.item())
print(torch.allclose(model.weight.detach().double().squeeze(), w_normal[:3], atol=1e-2))

# the same by hand with autograd and an explicit update
w = torch.zeros(4, dtype=torch.float64, requires_grad=True)
for step in range(300):
    loss = ((A @ w - y) ** 2).mean()
    (g,) = torch.autograd.grad(loss, w)
    with torch.no_grad():
        w -= 0.5 * g
print("manual", w.detach(), round(loss.item(), 8))
# Newton's method converges in one step on a quadratic
w2 = torch.zeros(4, dtype=torch.float64, requires_grad=True)
loss = ((A @ w2 - y) ** 2).mean()
H = torch.autograd.functional.hessian(lambda v: ((A @ v - y) ** 2).mean(), w2.detach())
(g,) = torch.autograd.grad(loss, w2)
newton = w2.detach() - torch.linalg.solve(H, g)
print("newton", torch.allclose(newton, w_normal), H.shape)
