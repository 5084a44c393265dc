# ruff: noqa: E501
# Bayes by backprop (Blundell et al.) as blog posts implement it: a Bayesian linear layer with
# mean and rho parameters, sigma = softplus(rho), weights sampled by the reparameterisation trick,
# the closed-form KL to a Gaussian prior, the ELBO minimised with Adam. The noise is drawn once,
# up front and deterministically, so the two libraries see the same samples; torch.randn is only
# used where its values are not printed (shapes and KL, which does not depend on the draw).
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def noise(shape, k):
    n = math.prod(shape)
    return 1.7 * torch.sin(torch.arange(n, dtype=torch.float32) * 2.3 + k * 0.37).reshape(shape)


class BayesLinear(nn.Module):
    def __init__(self, n_in, n_out, prior_sigma=1.0):
        super().__init__()
        self.w_mu = nn.Parameter(torch.empty(n_out, n_in))
        self.w_rho = nn.Parameter(torch.full((n_out, n_in), -3.0))
        self.b_mu = nn.Parameter(torch.zeros(n_out))
        self.b_rho = nn.Parameter(torch.full((n_out,), -3.0))
        self.prior_sigma = prior_sigma
        with torch.no_grad():
            self.w_mu.copy_(0.3 * torch.cos(torch.arange(n_out * n_in, dtype=torch.float32)).view(n_out, n_in))

    def kl(self):
        total = 0.0
        for mu, rho in ((self.w_mu, self.w_rho), (self.b_mu, self.b_rho)):
            sigma = F.softplus(rho)
            total = total + (torch.log(self.prior_sigma / sigma) + (sigma ** 2 + mu ** 2) / (2 * self.prior_sigma ** 2) - 0.5).sum()
        return total

    def forward(self, x, eps_w=None, eps_b=None):
        if eps_w is None:
            eps_w, eps_b = torch.randn_like(self.w_mu), torch.randn_like(self.b_mu)
        w = self.w_mu + F.softplus(self.w_rho) * eps_w
        b = self.b_mu + F.softplus(self.b_rho) * eps_b
        return F.linear(x, w, b)


class BayesNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = BayesLinear(1, 16)
        self.l2 = BayesLinear(16, 1)

    def forward(self, x, eps=None):
        if eps is None:
            return self.l2(torch.tanh(self.l1(x)))
        return self.l2(torch.tanh(self.l1(x, *eps[0])), *eps[1])

    def kl(self):
        return sum(m.kl() for m in self.modules() if isinstance(m, BayesLinear))


x = torch.linspace(-2, 2, 32).unsqueeze(1)
y = torch.sin(2 * x) + 0.1 * torch.cos(7 * x)
net = BayesNet()
print(sum(p.numel() for p in net.parameters()), [n for n, _ in net.named_parameters()])
print(round(net.kl().item(), 4))
opt = torch.optim.Adam(net.parameters(), lr=0.02)
n_samples = 3
for step in range(150):
    opt.zero_grad()
    nll = 0.0
    for s in range(n_samples):
        k = step * n_samples + s
        eps = [(noise((16, 1), k), noise((16,), k + 0.5)), (noise((1, 16), k + 0.25), noise((1,), k + 0.75))]
        pred = net(x, eps)
        nll = nll + F.gaussian_nll_loss(pred, y, torch.full_like(pred, 0.05), reduction="sum") / n_samples
    kl = net.kl() / len(x)
    loss = nll / len(x) + 0.1 * kl
    loss.backward()
    opt.step()
    if step % 30 == 0:
        print(step, round(loss.item(), 4), round(kl.item(), 4))
sig = F.softplus(net.l1.w_rho).detach()
print("sigma range", round(sig.min().item(), 5), round(sig.max().item(), 5))
with torch.no_grad():
    means = net(x, [(torch.zeros(16, 1), torch.zeros(16)), (torch.zeros(1, 16), torch.zeros(1))])
    print("fit mse", round(F.mse_loss(means, y).item(), 5))
    samples = torch.stack([net(x) for _ in range(5)])
print(samples.shape, samples.std(dim=0).shape, bool((samples.std(dim=0) >= 0).all()))
# the KL term in closed form agrees with torch.distributions
q = torch.distributions.Normal(net.l1.w_mu, F.softplus(net.l1.w_rho))
p = torch.distributions.Normal(torch.zeros_like(net.l1.w_mu), torch.ones_like(net.l1.w_mu))
kl_w = torch.distributions.kl_divergence(q, p).sum()
print(round(kl_w.item(), 4), round((net.l1.kl() - torch.distributions.kl_divergence(torch.distributions.Normal(net.l1.b_mu, F.softplus(net.l1.b_rho)), torch.distributions.Normal(0.0, 1.0)).sum()).item(), 4))
print(torch.distributions.Normal(0.0, 1.0).log_prob(torch.tensor([0.0, 1.0])), q.rsample().shape, q.entropy().sum().item() > 0)
