# ruff: noqa: E501
# Bayesian modelling with torch.distributions, as in the Pyro-free "probabilistic ML in PyTorch"
# course notebooks: a Beta-Bernoulli coin posterior, Poisson regression fitted by maximum
# likelihood, a Gamma prior on a rate, Laplace priors for a MAP lasso, robust regression with a
# StudentT likelihood, LogNormal and Exponential waiting times, a Dirichlet-Categorical model,
# log_prob / entropy / mean / variance / cdf checked against closed forms, and batch/event shapes.
import math

import torch
from torch.distributions import (
    Beta,
    Binomial,
    Cauchy,
    Dirichlet,
    Exponential,
    Gamma,
    Geometric,
    Gumbel,
    HalfNormal,
    Laplace,
    LogNormal,
    Normal,
    Poisson,
    StudentT,
)

flips = torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0])
prior = Beta(torch.tensor(2.0), torch.tensor(2.0))
post = Beta(prior.concentration1 + flips.sum(), prior.concentration0 + (1 - flips).sum())
print("posterior", post.concentration1.item(), post.concentration0.item(), "mean", round(post.mean.item(), 6), "var", round(post.variance.item(), 6))
print("beta log_prob", post.log_prob(torch.tensor([0.25, 0.5, 0.75])).numpy().round(5).tolist(), "entropy", round(post.entropy().item(), 6))
print("beta batch", Beta(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])).batch_shape, Beta(torch.ones(2), torch.ones(2)).sample((5,)).shape)

x = torch.linspace(0, 2, 20)
counts = torch.tensor([1, 0, 2, 1, 3, 2, 2, 4, 3, 5, 4, 6, 5, 7, 8, 7, 9, 11, 10, 13], dtype=torch.float32)
w = torch.zeros(2, requires_grad=True)
opt = torch.optim.Adam([w], lr=0.1)
for step in range(200):
    rate = torch.exp(w[0] + w[1] * x)
    nll = -Poisson(rate).log_prob(counts).sum()
    opt.zero_grad()
    nll.backward()
    opt.step()
print("poisson regression", w.detach().numpy().round(3).tolist(), "nll", round(nll.item(), 4))
p = Poisson(torch.tensor([0.5, 3.0]))
print("poisson", p.log_prob(torch.tensor([0.0, 2.0])).numpy().round(6).tolist(), p.mean.tolist(), p.variance.tolist())

g = Gamma(concentration=torch.tensor(2.0), rate=torch.tensor(0.5))
print("gamma", round(g.log_prob(torch.tensor(3.0)).item(), 6), g.mean.item(), g.variance.item(), round(g.entropy().item(), 6))
g_post = Gamma(g.concentration + counts.sum(), g.rate + len(counts))
print("gamma-poisson posterior mean", round(g_post.mean.item(), 5))

lap = Laplace(torch.tensor(0.0), torch.tensor(0.5))
print("laplace", lap.log_prob(torch.tensor([0.0, 1.0, -2.0])).numpy().round(6).tolist(), round(lap.entropy().item(), 6), lap.variance.item(), round(lap.cdf(torch.tensor(0.3)).item(), 6))
X = torch.stack([x, x ** 2, torch.sin(5 * x)], dim=1)
y = 1.5 * x - 0.2 + 0.05 * torch.cos(11 * x)
beta = torch.zeros(3, requires_grad=True)
b0 = torch.zeros(1, requires_grad=True)
opt = torch.optim.Adam([beta, b0], lr=0.05)
for step in range(300):
    resid = y - X @ beta - b0
    loss = -Normal(0.0, 0.1).log_prob(resid).sum() - Laplace(0.0, 0.1).log_prob(beta).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()
print("map lasso", beta.detach().numpy().round(2).tolist(), "intercept", round(b0.item(), 2))

t = StudentT(df=torch.tensor(3.0), loc=torch.tensor(0.0), scale=torch.tensor(1.0))
print("studentt", t.log_prob(torch.tensor([0.0, 1.0, 10.0])).numpy().round(6).tolist(), t.mean.item(), t.variance.item(), round(t.entropy().item(), 6))
y_out = y.clone()
y_out[5] += 5.0
coef = torch.zeros(2, requires_grad=True)
opt = torch.optim.Adam([coef], lr=0.05)
for step in range(300):
    loss = -StudentT(2.0, coef[0] + coef[1] * x, 0.1).log_prob(y_out).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
print("robust fit ignores the outlier:", abs(coef[1].item() - 1.5) < 0.1, abs(coef[0].item() + 0.2) < 0.1)

ln = LogNormal(torch.tensor(0.5), torch.tensor(0.25))
print("lognormal", round(ln.log_prob(torch.tensor(2.0)).item(), 6), round(ln.mean.item(), 6), round(ln.variance.item(), 6), round(ln.entropy().item(), 6))
e = Exponential(rate=torch.tensor([0.5, 2.0]))
print("exponential", e.log_prob(torch.tensor([1.0, 1.0])).tolist(), e.mean.tolist(), e.cdf(torch.tensor([1.0, 1.0])).numpy().round(6).tolist(), e.entropy().numpy().round(6).tolist())
waits = torch.tensor([0.3, 1.2, 0.7, 2.5, 0.1])
print("exponential mle rate", round((1 / waits.mean()).item(), 6), round(Exponential(1 / waits.mean()).log_prob(waits).sum().item(), 6))

d = Dirichlet(torch.tensor([1.0, 2.0, 3.0]))
print("dirichlet", d.batch_shape, d.event_shape, d.mean.numpy().round(6).tolist(), round(d.log_prob(torch.tensor([0.2, 0.3, 0.5])).item(), 6), round(d.entropy().item(), 6))
obs = torch.tensor([0, 2, 2, 1, 2, 0, 2])
d_post = Dirichlet(d.concentration + torch.bincount(obs, minlength=3).float())
print("dirichlet posterior mean", d_post.mean.numpy().round(6).tolist(), d_post.sample().sum().item() > 0.999)
print("rsample shapes", Normal(torch.zeros(3), 1.0).rsample((2,)).shape, Laplace(0.0, 1.0).rsample((4,)).shape, Exponential(torch.ones(2)).rsample().shape, math.isclose(1.0, 1.0))

# binomial regression (successes out of trials), a half-normal prior on a scale, Gumbel-max
trials = torch.full((20,), 10.0)
successes = torch.round(trials * torch.sigmoid(3 * (x - 1)))
ab = torch.zeros(2, requires_grad=True)
log_sigma = torch.tensor(0.0, requires_grad=True)
opt = torch.optim.Adam([ab, log_sigma], lr=0.05)
for step in range(200):
    nll = -Binomial(trials, logits=ab[0] + ab[1] * x).log_prob(successes).sum() - HalfNormal(1.0).log_prob(log_sigma.exp()) - Normal(0.0, log_sigma.exp()).log_prob(ab).sum()
    opt.zero_grad()
    nll.backward()
    opt.step()
print("binomial glm", ab.detach().numpy().round(2).tolist(), "prior scale", round(log_sigma.exp().item(), 2))
print("binomial", Binomial(10, torch.tensor([0.2, 0.7])).log_prob(torch.tensor([2.0, 7.0])).numpy().round(6).tolist(), Binomial(10, probs=torch.tensor(0.3)).mean.item())
print("geometric", Geometric(torch.tensor([0.25, 0.5])).log_prob(torch.tensor([3.0, 0.0])).numpy().round(6).tolist(), Geometric(probs=torch.tensor(0.25)).mean.item())
gumbel = Gumbel(torch.tensor([0.0, 1.0, 0.5]), torch.tensor(1.0))
print("gumbel", gumbel.log_prob(torch.tensor([0.2, 0.2, 0.2])).numpy().round(6).tolist(), round(gumbel.entropy().mean().item(), 6))
logits = torch.log(torch.tensor([0.2, 0.5, 0.3]))
picks = (logits + Gumbel(0.0, 1.0).sample((4000, 3))).argmax(-1)
print("gumbel-max frequencies close to probs:", torch.allclose(torch.bincount(picks, minlength=3) / 4000.0, logits.exp(), atol=0.05))
c = Cauchy(torch.tensor(0.0), torch.tensor(2.0))
print("cauchy", round(c.log_prob(torch.tensor(1.0)).item(), 6), round(c.cdf(torch.tensor(2.0)).item(), 6), c.mean.isnan().item(), c.variance.isinf().item())
