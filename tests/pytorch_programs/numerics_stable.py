# ruff: noqa: E501
# Numerically careful code as people write it after their first NaN: logsumexp against the
# naive log(sum(exp)), log1p / expm1 for small arguments, softplus written three ways, a stable
# binary cross-entropy from logits, clamp_min before a log or a sqrt, the torch.where NaN-gradient
# trap and its "double where" fix, nan_to_num / isfinite / isnan checks, torch.finfo limits, and
# the gradient of a norm at zero.
import torch
import torch.nn.functional as F

x = torch.tensor([1000.0, 1001.0, 1002.0])
naive = torch.log(torch.exp(x).sum())
print(naive.item(), torch.isinf(naive).item())
print(round(torch.logsumexp(x, dim=0).item(), 4))
shifted = x.max() + torch.log(torch.exp(x - x.max()).sum())
print(round(shifted.item(), 4))
print(torch.logsumexp(torch.tensor([[-float("inf"), -float("inf")], [0.0, -float("inf")]]), dim=1))

small = torch.tensor([1e-10, 1e-7, 1e-4, 0.5], dtype=torch.float64)
print(torch.log1p(small).tolist())
print((torch.log(1 + small) == torch.log1p(small)).tolist())
print(torch.expm1(small).tolist())
print(torch.expm1(torch.tensor([1e-8])).item() > 0, (torch.exp(torch.tensor([1e-8])) - 1).item())

z = torch.linspace(-30, 30, 7, requires_grad=True)
sp1 = F.softplus(z)
sp2 = torch.log1p(torch.exp(-z.abs())) + z.clamp_min(0)
sp3 = torch.logaddexp(torch.zeros_like(z), z)
print(torch.allclose(sp1, sp2), torch.allclose(sp1, sp3, atol=1e-6))
sp2.sum().backward()
print(z.grad)
print(F.softplus(z, beta=2.0, threshold=5.0).detach())

logits = torch.tensor([-100.0, -5.0, 0.0, 5.0, 100.0], requires_grad=True)
target = torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0])
manual = (logits.clamp_min(0) - logits * target + torch.log1p(torch.exp(-logits.abs()))).mean()
builtin = F.binary_cross_entropy_with_logits(logits, target)
print(round(manual.item(), 4), round(builtin.item(), 4))
manual.backward()
print(logits.grad)
p = torch.sigmoid(logits.detach())
print(F.binary_cross_entropy(p, target).item())  # log is clamped at -100

# sqrt/log of something that may be zero
d = torch.tensor([0.0, 1e-12, 4.0], requires_grad=True)
torch.sqrt(d.clamp_min(1e-8)).sum().backward()
print(d.grad)
d.grad = None
torch.log(torch.clamp(d, min=1e-6)).sum().backward()
print(d.grad)

# torch.where does not stop NaN gradients flowing from the branch not taken
a = torch.tensor([-1.0, 0.0, 4.0], requires_grad=True)
bad = torch.where(a > 0, torch.sqrt(a), torch.zeros_like(a))
bad.sum().backward()
print(bad.detach(), a.grad, torch.isnan(a.grad).tolist())
a.grad = None
safe_a = torch.where(a > 0, a, torch.ones_like(a))
good = torch.where(a > 0, torch.sqrt(safe_a), torch.zeros_like(a))
good.sum().backward()
print(good.detach(), a.grad)

# gradient of the norm at zero
v = torch.zeros(3, requires_grad=True)
torch.linalg.vector_norm(v).backward()
print(v.grad)
w = torch.zeros(3, requires_grad=True)
torch.sqrt((w ** 2).sum() + 1e-12).backward()
print(w.grad)

# checks and repairs
t = torch.tensor([1.0, float("nan"), float("inf"), -float("inf"), -2.0])
print(torch.isfinite(t).tolist(), torch.isnan(t).tolist(), torch.isinf(t).tolist(), torch.isposinf(t).tolist())
print(torch.nan_to_num(t).tolist()[:2], torch.nan_to_num(t, nan=0.0, posinf=1e4, neginf=-1e4).tolist())
print(torch.isnan(t).any().item(), torch.isfinite(t).all().item(), torch.isnan(t).sum().item())
print(t[torch.isfinite(t)].mean().item(), torch.nanmean(torch.tensor([1.0, float("nan"), 3.0])).item(), torch.nansum(t[:2]).item())
fi = torch.finfo(torch.float32)
print(fi.eps, fi.max, fi.tiny, fi.bits, torch.finfo(torch.float64).eps, torch.iinfo(torch.int64).max)
print(torch.tensor(fi.max) * 2, torch.tensor(1e-45) / 2, torch.tensor(0.0) / 0.0)
m = torch.tensor([[1.0, float("-inf")], [float("-inf"), float("-inf")]])
sm = torch.softmax(m, dim=-1)
print(sm, torch.nan_to_num(sm, nan=0.0))
print(torch.special.xlogy(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 3.0])), torch.xlogy(torch.tensor([0.0]), torch.tensor([0.0])))
print(torch.special.entr(torch.tensor([0.0, 0.5, 1.0])), torch.special.log_ndtr(torch.tensor([-10.0, 0.0])))
