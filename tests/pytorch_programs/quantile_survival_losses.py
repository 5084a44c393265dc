# ruff: noqa: E501
# Quantile regression and survival analysis losses written in torch, as in the forecasting and
# DeepSurv-style notebooks: the pinball loss for several quantiles at once (torch.max of two
# products), monotone quantiles via cumsum of softplus, coverage of an interval, the Cox partial
# log-likelihood with risk sets from a descending argsort and logcumsumexp, a concordance index
# from pairwise comparisons, Weibull log-likelihood with censoring, and PoissonNLL / Huber /
# SmoothL1 / GaussianNLL losses on the same predictions.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

x = torch.linspace(0, 1, 40).unsqueeze(1)
y = (2 * x + 0.3 * torch.sin(17 * x) * (1 + x)).squeeze(1)
quantiles = torch.tensor([0.1, 0.5, 0.9])


def pinball_loss(preds, target, quantiles):
    errors = target.unsqueeze(-1) - preds
    return torch.max((quantiles - 1) * errors, quantiles * errors).mean()


def pinball_loss_where(preds, target, quantiles):
    e = target[:, None] - preds
    return torch.where(e >= 0, quantiles * e, (quantiles - 1) * e).sum(-1).mean() / len(quantiles)


class QuantileNet(nn.Module):
    def __init__(self, n_q=3):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(1, 16), nn.Tanh())
        self.base = nn.Linear(16, 1)
        self.deltas = nn.Linear(16, n_q - 1)

    def forward(self, x):
        h = self.body(x)
        return torch.cat([self.base(h), self.base(h) + torch.cumsum(F.softplus(self.deltas(h)), dim=-1)], dim=-1)


net = QuantileNet()
with torch.no_grad():
    for i, p in enumerate(net.parameters()):
        p.copy_(torch.sin(torch.arange(p.numel()) * 1.1 + i).view_as(p))
preds = net(x)
print("pinball", round(pinball_loss(preds, y, quantiles).item(), 6), round(pinball_loss_where(preds, y, quantiles).item(), 6))
opt = torch.optim.Adam(net.parameters(), lr=0.02)
for step in range(150):
    loss = pinball_loss(net(x), y, quantiles)
    opt.zero_grad()
    loss.backward()
    opt.step()
with torch.no_grad():
    q = net(x)
print("final pinball", round(loss.item(), 5), "monotone:", bool((q.diff(dim=-1) >= 0).all()))
covered = ((y >= q[:, 0]) & (y <= q[:, 2])).float().mean()
print("coverage of [q10, q90]", round(covered.item(), 3), "median mae", round((q[:, 1] - y).abs().mean().item(), 4))
print("torch.quantile", torch.quantile(y, quantiles).numpy().round(5).tolist(), torch.quantile(y, 0.5, interpolation="lower").item(), y.nanquantile(0.25).item())

# survival: times, events (1 = death observed, 0 = censored), risk scores
time = torch.tensor([5.0, 8.0, 3.0, 12.0, 7.0, 9.0, 2.0, 15.0])
event = torch.tensor([1, 0, 1, 1, 0, 1, 1, 0])
risk = torch.tensor([0.8, -0.2, 1.5, -1.0, 0.1, 0.0, 2.0, -1.5], requires_grad=True)


def cox_ph_loss(log_h, durations, events, eps=1e-7):
    idx = durations.sort(descending=True)[1]
    events = events[idx].float()
    log_h = log_h[idx]
    gamma = log_h.max()
    log_cumsum_h = log_h.sub(gamma).exp().cumsum(0).add(eps).log().add(gamma)
    return -log_h.sub(log_cumsum_h).mul(events).sum().div(events.sum())


def cox_logcumsumexp(risk, time, event):
    order = torch.argsort(time, descending=True)
    r, e = risk[order], event[order].bool()
    return -(r - torch.logcumsumexp(r, dim=0))[e].mean()


l1 = cox_ph_loss(risk, time, event)
l2 = cox_logcumsumexp(risk, time, event)
print("cox", round(l1.item(), 5), round(l2.item(), 5))
l2.backward()
print("cox grad", risk.grad.numpy().round(5).tolist())


def concordance_index(time, event, risk):
    t_i, t_j = time.unsqueeze(1), time.unsqueeze(0)
    comparable = (t_i < t_j) & event.bool().unsqueeze(1)
    concordant = (risk.unsqueeze(1) > risk.unsqueeze(0)) & comparable
    ties = (risk.unsqueeze(1) == risk.unsqueeze(0)) & comparable
    return (concordant.sum() + 0.5 * ties.sum()) / comparable.sum()


print("c-index", round(concordance_index(time, event, risk.detach()).item(), 5))

log_k = torch.tensor(0.3, requires_grad=True)
log_lam = torch.tensor(2.0, requires_grad=True)


def weibull_nll(t, e, log_k, log_lam):
    k, lam = log_k.exp(), log_lam.exp()
    z = (t / lam) ** k
    log_f = log_k - log_lam + (k - 1) * torch.log(t / lam) - z
    log_s = -z
    return -(e * log_f + (1 - e) * log_s).sum()


opt = torch.optim.LBFGS([log_k, log_lam], lr=0.5, max_iter=40, line_search_fn="strong_wolfe")


def closure():
    opt.zero_grad()
    loss = weibull_nll(time, event.float(), log_k, log_lam)
    loss.backward()
    return loss


opt.step(closure)
print("weibull k, lambda", round(log_k.exp().item(), 4), round(log_lam.exp().item(), 4), "nll", round(weibull_nll(time, event.float(), log_k, log_lam).item(), 5))

counts = torch.tensor([0.0, 1.0, 3.0, 2.0, 7.0])
rate_log = torch.tensor([0.1, 0.2, 1.0, 0.5, 2.0])
print("poisson nll", round(nn.PoissonNLLLoss()(rate_log, counts).item(), 6), round(F.poisson_nll_loss(rate_log.exp(), counts, log_input=False, full=True).item(), 6))
pred, tgt = torch.linspace(-2, 2, 9), torch.zeros(9)
print("huber", nn.HuberLoss(delta=0.5, reduction="none")(pred, tgt).tolist())
print("smooth l1", round(F.smooth_l1_loss(pred, tgt, beta=0.5).item(), 6), "l1", F.l1_loss(pred, tgt, reduction="sum").item())
var = torch.full((9,), 0.5)
print("gaussian nll", round(F.gaussian_nll_loss(pred, tgt, var).item(), 6), round(nn.GaussianNLLLoss(full=True, reduction="sum")(pred, tgt, var).item(), 6))
print("log(2 pi)/2", round(0.5 * math.log(2 * math.pi), 6))
