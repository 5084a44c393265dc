# ruff: noqa: E501
# MADE (Germain et al. 2015) as in Karpathy's pytorch-made and the MAF course notebooks: a
# MaskedLinear layer whose mask is a registered buffer set by set_mask, degrees assigned to
# hidden units, an autoregressive check through the Jacobian (its upper triangle is zero),
# binary MADE trained with BCE-with-logits, and a Gaussian MADE used as a masked autoregressive
# flow (MAF) layer with its log-det and sequential inverse.
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class MaskedLinear(nn.Linear):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__(in_features, out_features, bias)
        self.register_buffer("mask", torch.ones(out_features, in_features))

    def set_mask(self, mask):
        self.mask.data.copy_(torch.from_numpy(mask.astype(np.uint8).T))

    def forward(self, input):
        return F.linear(input, self.mask * self.weight, self.bias)


class MADE(nn.Module):
    def __init__(self, nin, hidden_sizes, nout):
        super().__init__()
        self.nin, self.nout, self.hidden_sizes = nin, nout, hidden_sizes
        assert self.nout % self.nin == 0, "nout must be integer multiple of nin"
        self.net = []
        hs = [nin] + hidden_sizes + [nout]
        for h0, h1 in zip(hs, hs[1:]):
            self.net.extend([MaskedLinear(h0, h1), nn.ReLU()])
        self.net.pop()
        self.net = nn.Sequential(*self.net)
        self.m = {}
        self.update_masks()

    def update_masks(self):
        L = len(self.hidden_sizes)
        self.m[-1] = np.arange(self.nin)
        for l in range(L):
            # deterministic degrees (instead of rng.randint) cycling over 0..nin-2
            self.m[l] = np.arange(self.hidden_sizes[l]) % (self.nin - 1)
        masks = [self.m[l - 1][:, None] <= self.m[l][None, :] for l in range(L)]
        masks.append(self.m[L - 1][:, None] < self.m[-1][None, :])
        if self.nout > self.nin:
            k = int(self.nout / self.nin)
            masks[-1] = np.concatenate([masks[-1]] * k, axis=1)
        layers = [l for l in self.net.modules() if isinstance(l, MaskedLinear)]
        for l, m in zip(layers, masks):
            l.set_mask(m)

    def forward(self, x):
        return self.net(x)


def fill(model, scale=1.0):
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(scale * torch.sin(torch.arange(p.numel()) * 0.71 + 0.3 * i).view_as(p) / math.sqrt(p.shape[-1]))


D = 5
made = MADE(D, [16, 16], D)
fill(made)
print("mask dtype", made.net[0].mask.dtype, "mask sums", [int(l.mask.sum()) for l in made.net if isinstance(l, MaskedLinear)])
print("buffers", [n for n, _ in made.named_buffers()])

x = torch.linspace(-1, 1, D)
J = torch.autograd.functional.jacobian(made, x)
print("jacobian", J.shape, "strictly lower triangular:", torch.equal(J.triu(), torch.zeros(D, D)), "nonzero", (J != 0).sum().item())
conn = (J.abs() > 0).int()
print(conn)

# binary MADE on patterns built from bit tricks
data = ((torch.arange(32).unsqueeze(1) >> torch.arange(D)) & 1).float()
print("data", data.shape, data[:4].tolist())
opt = torch.optim.Adam(made.parameters(), lr=1e-2)
for epoch in range(60):
    logits = made(data)
    loss = F.binary_cross_entropy_with_logits(logits, data, reduction="sum") / data.size(0)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if epoch % 20 == 0:
        print(f"epoch {epoch} nll {loss.item():.5f}")
print("masked weights stay masked in the product:", bool(((made.net[0].weight * made.net[0].mask)[made.net[0].mask == 0] == 0).all()))
print("weight grad zero where masked:", made.net[0].weight.grad[made.net[0].mask == 0].abs().max().item())


class MAFLayer(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.made = MADE(dim, [hidden], 2 * dim)
        fill(self.made, 0.3)

    def forward(self, x):
        mu, alpha = self.made(x).chunk(2, dim=1)
        u = (x - mu) * torch.exp(-alpha)
        return u, -alpha.sum(dim=1)

    def inverse(self, u):
        x = torch.zeros_like(u)
        for i in range(u.shape[1]):
            mu, alpha = self.made(x).chunk(2, dim=1)
            x[:, i] = mu[:, i] + u[:, i] * torch.exp(alpha[:, i])
        return x


maf = MAFLayer(3, 12)
xs = torch.stack([torch.linspace(-1, 1, 6), torch.cos(torch.arange(6.0)), torch.sin(torch.arange(6.0) * 2)], dim=1)
u, log_det = maf(xs)
print("u", u.shape, "log det", log_det.detach().numpy().round(5).tolist())
with torch.no_grad():
    back = maf.inverse(u)
print("inverse exact:", torch.allclose(back, xs, atol=1e-5))
log_prob = (-0.5 * u.pow(2) - 0.5 * math.log(2 * math.pi)).sum(1) + log_det
print("log prob", round(log_prob.mean().item(), 5))
Jm = torch.autograd.functional.jacobian(lambda v: maf(v.unsqueeze(0))[0][0], xs[2])
print("log|det| matches:", round(torch.linalg.slogdet(Jm)[1].item(), 5), round(log_det[2].item(), 5))
