# ruff: noqa: E501
# Probabilistic models with torch.distributions as blog posts build them: a mixture density
# network (Bishop's inverse problem) whose loss is -MixtureSameFamily(Categorical(logits),
# Independent(Normal(mu, sigma), 1)).log_prob(y), checked against a hand logsumexp; a Gaussian
# mixture fitted by EM with MultivariateNormal(covariance_matrix=...) and scale_tril; Uniform's
# support, cdf and entropy; KL between diagonal Gaussians through Independent; and shapes of
# samples (the values are random and differ between libraries).
import math

import torch
import torch.distributions as D
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
K = 3

# --- mixture density network on x = y + 0.3 sin(2 pi y) (a one-to-many inverse) ---
y_data = torch.linspace(0, 1, 40).unsqueeze(1)
x_data = y_data + 0.3 * torch.sin(2 * math.pi * y_data) + 0.02 * torch.cos(37 * y_data)


class MDN(nn.Module):
    def __init__(self, hidden=16, k=K):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(1, hidden), nn.Tanh())
        self.pi = nn.Linear(hidden, k)
        self.mu = nn.Linear(hidden, k)
        self.log_sigma = nn.Linear(hidden, k)

    def forward(self, x):
        h = self.body(x)
        return self.pi(h), self.mu(h).unsqueeze(-1), self.log_sigma(h).clamp(-5, 3).exp().unsqueeze(-1)

    def distribution(self, x):
        logits, mu, sigma = self(x)
        return D.MixtureSameFamily(D.Categorical(logits=logits), D.Independent(D.Normal(mu, sigma), 1))


mdn = MDN()
with torch.no_grad():
    for i, (name, p) in enumerate(mdn.named_parameters()):
        k = torch.arange(p.numel(), dtype=torch.float32)
        p.copy_((torch.sin(k * 1.7 + i) * (1.5 if p.dim() > 1 else 0.5)).reshape(p.shape))
dist = mdn.distribution(x_data)
print("mixture", dist.batch_shape, dist.event_shape, dist.mixture_distribution.logits.shape, dist.component_distribution.batch_shape)
logits, mu, sigma = mdn(x_data)
by_hand = torch.logsumexp(F.log_softmax(logits, -1) + D.Normal(mu.squeeze(-1), sigma.squeeze(-1)).log_prob(y_data), dim=-1)
print("log_prob == hand logsumexp:", torch.allclose(dist.log_prob(y_data), by_hand, atol=1e-5), [round(v, 4) for v in dist.log_prob(y_data)[:3].tolist()])
optimizer = torch.optim.Adam(mdn.parameters(), lr=0.02)
for step in range(150):
    loss = -mdn.distribution(x_data).log_prob(y_data).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 50 == 0 or step == 149:
        print(f"mdn step {step:3d} nll {loss.item():.5f}")
with torch.no_grad():
    d = mdn.distribution(torch.tensor([[0.2], [0.5], [0.8]]))
    print("mixture mean", [round(v, 4) for v in d.mean.flatten().tolist()], "variance", [round(v, 5) for v in d.variance.flatten().tolist()])
    print("weights", [[round(v, 4) for v in row] for row in d.mixture_distribution.probs.tolist()])
    print("samples", d.sample((5,)).shape, d.sample().shape)

# --- Gaussian mixture by EM with MultivariateNormal ---
centers = torch.tensor([[0.0, 0.0], [3.0, 3.0], [0.0, 4.0]])
t = torch.arange(60, dtype=torch.float32)
points = centers[t.long() % 3] + 0.6 * torch.stack([torch.sin(t * 1.3), torch.cos(t * 0.7)], dim=1)
means = torch.tensor([[1.0, 0.5], [2.0, 2.0], [0.5, 3.0]])
covs = torch.eye(2).repeat(K, 1, 1)
weights = torch.full((K,), 1.0 / K)
for it in range(6):
    comp = D.MultivariateNormal(means, covariance_matrix=covs)
    log_r = comp.log_prob(points.unsqueeze(1)) + weights.log()       # (N, K)
    loglik = torch.logsumexp(log_r, dim=1)
    resp = (log_r - loglik.unsqueeze(1)).exp()
    nk = resp.sum(0)
    weights = nk / nk.sum()
    means = resp.T @ points / nk.unsqueeze(1)
    diff = points.unsqueeze(1) - means.unsqueeze(0)                   # (N, K, 2)
    covs = torch.einsum("nk,nki,nkj->kij", resp, diff, diff) / nk.view(-1, 1, 1) + 1e-4 * torch.eye(2)
    print(f"em {it} log-likelihood {loglik.sum().item():.4f}")
print("means", [[round(v, 3) for v in row] for row in means.tolist()])
print("weights", [round(v, 4) for v in weights.tolist()])
mvn = D.MultivariateNormal(means[0], covariance_matrix=covs[0])
tril = torch.linalg.cholesky(covs[0])
mvn_tril = D.MultivariateNormal(means[0], scale_tril=tril)
x = torch.tensor([0.5, -0.25])
diff = x - means[0]
manual = -0.5 * (diff @ torch.linalg.inv(covs[0]) @ diff) - 0.5 * torch.logdet(2 * math.pi * covs[0])
print("mvn log_prob", round(mvn.log_prob(x).item(), 5), round(mvn_tril.log_prob(x).item(), 5), round(manual.item(), 5))
print("mvn entropy", round(mvn.entropy().item(), 5), "scale_tril", [[round(v, 5) for v in r] for r in mvn.scale_tril.tolist()])
print("mvn shapes", mvn.batch_shape, mvn.event_shape, comp.batch_shape, mvn.sample((4,)).shape, mvn.mean.tolist() == means[0].tolist())
print("kl mvn", round(D.kl_divergence(mvn, D.MultivariateNormal(torch.zeros(2), scale_tril=torch.eye(2) * 2)).item(), 5))
loc = torch.tensor([0.3, -0.2], requires_grad=True)
nll = -D.MultivariateNormal(loc, scale_tril=tril).log_prob(points[:5]).sum()
nll.backward()
print("mvn grad wrt loc", [round(v, 5) for v in loc.grad.tolist()])

# --- Uniform ---
u = D.Uniform(torch.tensor([0.0, -1.0]), torch.tensor([2.0, 1.0]))
print("uniform", u.batch_shape, u.mean.tolist(), [round(v, 5) for v in u.variance.tolist()], [round(v, 5) for v in u.entropy().tolist()])
print("uniform log_prob", [round(v, 5) for v in u.log_prob(torch.tensor([1.0, 0.5])).tolist()], "cdf", u.cdf(torch.tensor([0.5, 0.0])).tolist())
s = u.sample((1000,))
print("uniform samples inside:", s.shape, bool(((s >= u.low) & (s < u.high)).all()))
try:
    u.log_prob(torch.tensor([3.0, 0.0]))
except ValueError:
    print("value outside the support refused: ValueError")

# --- KL between diagonal Gaussians, as a VAE's prior term ---
q = D.Independent(D.Normal(torch.tensor([[0.5, -0.5], [0.1, 0.2]]), torch.tensor([[0.8, 1.2], [1.0, 0.5]])), 1)
p = D.Independent(D.Normal(torch.zeros(2, 2), torch.ones(2, 2)), 1)
kl = D.kl_divergence(q, p)
closed = 0.5 * (q.base_dist.scale ** 2 + q.base_dist.loc ** 2 - 1 - 2 * q.base_dist.scale.log()).sum(-1)
print("kl independent", [round(v, 5) for v in kl.tolist()], torch.allclose(kl, closed), q.batch_shape, q.event_shape)
print("independent entropy", [round(v, 5) for v in q.entropy().tolist()], "log_prob", [round(v, 5) for v in q.log_prob(torch.zeros(2, 2)).tolist()])
print("rsample", q.rsample().shape, q.rsample((3,)).shape, q.has_rsample)
