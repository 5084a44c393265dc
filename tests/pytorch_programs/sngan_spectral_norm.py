# ruff: noqa: E501
# A spectrally normalized GAN on 2-D data, as in SNGAN-style code: a discriminator built with
# nn.utils.spectral_norm around every Linear (weight_orig, weight_u, weight_v), the newer
# nn.utils.parametrizations.spectral_norm on a conv critic, hinge losses for D and G, the
# largest singular value of every normalized weight checked to be ~1 after training steps, and
# remove_spectral_norm for export. Random draws (the power-iteration vectors, noise) differ
# between libraries, so only facts the seed cannot change are printed.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm
from torch.nn.utils.parametrizations import spectral_norm as sn_param

torch.manual_seed(0)


def sn_linear(i, o):
    return spectral_norm(nn.Linear(i, o))


D = nn.Sequential(sn_linear(2, 32), nn.LeakyReLU(0.2), sn_linear(32, 32), nn.LeakyReLU(0.2), sn_linear(32, 1))
G = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 2))
print("D keys", [k for k in D.state_dict().keys()][:4])
print("D parameters", [n for n, _ in D.named_parameters()][:3], sum(p.numel() for p in D.parameters()))
angles = torch.linspace(0, 2 * math.pi, 65)[:-1]
real = torch.stack([angles.cos(), angles.sin()], 1) * 2
z = torch.stack([torch.sin(torch.arange(64.0) * (k + 1) * 0.37) for k in range(4)], 1)
opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.0, 0.9))
opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.0, 0.9))
for step in range(30):
    fake = G(z)
    d_loss = F.relu(1.0 - D(real)).mean() + F.relu(1.0 + D(fake.detach())).mean()
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    g_loss = -D(G(z)).mean()
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
print("losses finite:", math.isfinite(d_loss.item()), math.isfinite(g_loss.item()))
for _ in range(20):  # more power iterations on the trained weights
    D(real)
sigmas = [torch.linalg.matrix_norm(m.weight.detach(), ord=2).item() for m in D if isinstance(m, nn.Linear)]
print("largest singular values ~1:", all(abs(s - 1) < 1e-2 for s in sigmas), len(sigmas))
print("u and v are unit vectors:", all(abs(m.weight_u.norm().item() - 1) < 1e-5 and abs(m.weight_v.norm().item() - 1) < 1e-5 for m in D if isinstance(m, nn.Linear)))
D.eval()
with torch.no_grad():
    before = D(real)
    again = D(real)
print("eval mode does not iterate:", torch.equal(before, again))
for m in D:
    if isinstance(m, nn.Linear):
        nn.utils.remove_spectral_norm(m)
print("after removal", [k for k in D.state_dict().keys()][:2], torch.allclose(D(real), before, atol=1e-6))

critic = nn.Sequential(sn_param(nn.Conv2d(1, 4, 3, padding=1)), nn.LeakyReLU(0.2), nn.Flatten(), sn_param(nn.Linear(4 * 6 * 6, 1)))
print("parametrized keys", [k for k in critic.state_dict().keys()][:4])
imgs = torch.sin(torch.arange(2 * 36, dtype=torch.float32) * 0.3).view(2, 1, 6, 6)
for _ in range(10):
    out = critic(imgs)
print("critic", out.shape, "conv sigma ~1:", abs(torch.linalg.matrix_norm(critic[0].weight.detach().flatten(1), ord=2).item() - 1) < 1e-2)
out.sum().backward()
print("grad reaches original:", critic[0].parametrizations.weight.original.grad.shape)
