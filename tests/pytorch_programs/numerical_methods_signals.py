# ruff: noqa: E501
# Numerical-methods and signal-processing homework done in torch: trapezoid and cumulative
# trapezoid integration, torch.gradient finite differences (spacing, edge_order), torch.diff
# with prepend/append, moving averages by cumsum and by conv1d and by Tensor.unfold, linear
# interpolation with searchsorted, histograms with histc / bincount / bucketize, nan handling
# (nan_to_num, nanmean, nansum, isnan masks), logaddexp/hypot/atan2, and Newton's method with
# autograd for roots.
import math

import torch
import torch.nn.functional as F

x = torch.linspace(0, math.pi, 101, dtype=torch.float64)
y = torch.sin(x)
print("trapezoid", round(torch.trapezoid(y, x).item(), 8), round(torch.trapz(y, dx=x[1] - x[0]).item(), 8) if hasattr(torch, "trapz") else "", "exact 2")
cum = torch.cumulative_trapezoid(y, x)
print("cumulative", cum.shape, round(cum[-1].item(), 8), round(cum[49].item(), 8))
dy, = torch.gradient(y, spacing=(x,))
print("gradient vs cos", round((dy - torch.cos(x)).abs().max().item(), 6), round((torch.gradient(y, spacing=x[1].item() - x[0].item(), edge_order=2)[0] - torch.cos(x)).abs().max().item(), 8))
g2 = torch.gradient(torch.arange(12.0).view(3, 4) ** 2, dim=1)
print("gradient 2-d", g2[0].tolist())
print("diff", torch.diff(torch.tensor([1, 4, 9, 16])).tolist(), torch.diff(torch.tensor([1, 4, 9, 16]), n=2).tolist(), torch.diff(torch.tensor([1.0, 2.0]), prepend=torch.tensor([0.0]), append=torch.tensor([5.0])).tolist())

signal = torch.sin(torch.arange(40.0) * 0.3) + 0.3 * torch.cos(torch.arange(40.0) * 2.1)
k = 5
c = torch.cumsum(F.pad(signal, (1, 0)), 0)
ma_cumsum = (c[k:] - c[:-k]) / k
ma_conv = F.conv1d(signal.view(1, 1, -1), torch.full((1, 1, k), 1.0 / k)).view(-1)
ma_unfold = signal.unfold(0, k, 1).mean(-1)
print("moving averages agree:", torch.allclose(ma_cumsum, ma_conv, atol=1e-6), torch.allclose(ma_conv, ma_unfold, atol=1e-6), ma_unfold.shape, signal.unfold(0, 4, 2).shape)
ema = torch.zeros_like(signal)
ema[0] = signal[0]
for t in range(1, 40):
    ema[t] = 0.8 * ema[t - 1] + 0.2 * signal[t]
print("ema", round(ema[-1].item(), 6), "smoothed var smaller:", ema.var().item() < signal.var().item())


def interp(xq, xp, fp):
    idx = torch.searchsorted(xp, xq).clamp(1, len(xp) - 1)
    x0, x1 = xp[idx - 1], xp[idx]
    w = (xq - x0) / (x1 - x0)
    return torch.lerp(fp[idx - 1], fp[idx], w)


xp = torch.tensor([0.0, 1.0, 2.5, 4.0])
fp = torch.tensor([0.0, 2.0, 1.0, 3.0])
print("interp", interp(torch.tensor([0.5, 1.0, 2.0, 3.9]), xp, fp).numpy().round(5).tolist())
print("bucketize", torch.bucketize(torch.tensor([0.5, 1.0, 3.0]), xp).tolist(), torch.bucketize(torch.tensor([0.5, 1.0, 3.0]), xp, right=True).tolist(), torch.searchsorted(xp, torch.tensor([1.0]), side="right").tolist())
data = torch.cos(torch.arange(200.0) * 0.37) * 2
print("histc", torch.histc(data, bins=8, min=-2, max=2).tolist(), torch.histc(torch.tensor([1.0, 2, 1]), bins=4, min=0, max=3).tolist())
edges = torch.linspace(-2, 2, 9)
counts = torch.bincount(torch.bucketize(data, edges[1:-1]), minlength=8)
print("bucketize counts", counts.tolist(), int(counts.sum()))
hist, bin_edges = torch.histogram(data, bins=4, range=(-2.0, 2.0))
print("histogram", hist.tolist(), bin_edges.tolist())

z = torch.tensor([1.0, float("nan"), 3.0, float("inf"), -float("inf")])
print("nan_to_num", torch.nan_to_num(z).tolist()[:3], torch.nan_to_num(z, nan=0.0, posinf=9.0, neginf=-9.0).tolist())
print("nanmean", torch.nanmean(z[:3]).item(), torch.nansum(z[:3]).item(), z.isnan().sum().item(), z.isfinite().tolist(), z[~z.isnan()].tolist())
print("nanmedian", torch.tensor([1.0, float("nan"), 3.0, 2.0]).nanmedian().item(), torch.tensor([[1.0, float("nan")], [2.0, 5.0]]).nanmean(dim=1).tolist())
a, b = torch.tensor([-1000.0, 0.0, 3.0]), torch.tensor([-1000.0, 1.0, -2.0])
print("logaddexp", torch.logaddexp(a, b).tolist(), torch.logaddexp2(torch.tensor([1.0]), torch.tensor([1.0])).item())
print("hypot atan2", torch.hypot(torch.tensor([3.0]), torch.tensor([4.0])).item(), torch.atan2(torch.tensor([1.0, -1.0]), torch.tensor([-1.0, -1.0])).tolist(), torch.rad2deg(torch.tensor([math.pi])).item(), torch.deg2rad(torch.tensor([180.0])).item())
print("heaviside", torch.heaviside(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([0.5])).tolist(), torch.sinc(torch.tensor([0.0, 0.5])).tolist(), torch.xlogy(torch.tensor([0.0, 2.0]), torch.tensor([0.0, 3.0])).tolist())


def newton(f, x0, iters=8):
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    for _ in range(iters):
        fx = f(x)
        (dfx,) = torch.autograd.grad(fx, x)
        with torch.no_grad():
            x -= fx / dfx
    return x.detach()


root = newton(lambda v: v ** 3 - 2 * v - 5, 2.0)
print("newton root", round(root.item(), 10), "f(root) ~ 0:", abs((root ** 3 - 2 * root - 5).item()) < 1e-12)
print("kepler", round(newton(lambda E: E - 0.3 * torch.sin(E) - 1.0, 1.0).item(), 10))
print("cummax", torch.cummax(signal[:8], 0).values.numpy().round(4).tolist(), torch.cummin(signal[:8], 0).indices.tolist(), torch.cumprod(torch.tensor([1.0, 2.0, 3.0]), 0).tolist(), torch.logcumsumexp(torch.tensor([0.0, 0.0]), 0).tolist())
print("aminmax", [v.item() for v in torch.aminmax(signal)], torch.std_mean(signal, unbiased=False)[0].item() > 0, torch.var_mean(signal)[1].item())
print("kthvalue median mode", torch.kthvalue(torch.tensor([3.0, 1.0, 2.0, 5.0]), 2).values.item(), torch.median(torch.tensor([3.0, 1.0, 2.0, 5.0])).item(), torch.mode(torch.tensor([1, 2, 2, 3, 3])).values.item(), torch.quantile(torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([0.25, 0.75])).tolist())
