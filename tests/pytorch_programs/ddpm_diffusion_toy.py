# ruff: noqa: E501
# A DDPM toy as in "The Annotated Diffusion Model" and the diffusion course notebooks: a linear
# beta schedule, alphas_cumprod with torch.cumprod, an `extract` helper that gathers per-sample
# coefficients and reshapes them for broadcasting, q_sample (forward noising), a sinusoidal time
# embedding, a small noise-prediction MLP trained with MSE, and a reverse sampling loop under
# torch.no_grad. Noise is built from sin so both runs see the same numbers.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

T = 50
betas = torch.linspace(1e-4, 0.02, T)
alphas = 1.0 - betas
alphas_cumprod = torch.cumprod(alphas, axis=0)
alphas_cumprod_prev = F.pad(alphas_cumprod[:-1], (1, 0), value=1.0)
sqrt_recip_alphas = torch.sqrt(1.0 / alphas)
sqrt_alphas_cumprod = torch.sqrt(alphas_cumprod)
sqrt_one_minus_alphas_cumprod = torch.sqrt(1.0 - alphas_cumprod)
posterior_variance = betas * (1.0 - alphas_cumprod_prev) / (1.0 - alphas_cumprod)
print("alphas_cumprod[::10]", alphas_cumprod[::10])
print("posterior variance", posterior_variance[:3], posterior_variance[-1].item())


def extract(a, t, x_shape):
    batch_size = t.shape[0]
    out = a.gather(-1, t.cpu())
    return out.reshape(batch_size, *((1,) * (len(x_shape) - 1))).to(t.device)


def fake_noise(shape, seed):
    n = math.prod(shape)
    k = torch.arange(n, dtype=torch.float32)
    return (torch.sin(k * 0.61 + seed * 1.37) * 1.3 + torch.cos(k * 0.23 + seed) * 0.5).view(shape)


def q_sample(x_start, t, noise):
    return extract(sqrt_alphas_cumprod, t, x_start.shape) * x_start + extract(sqrt_one_minus_alphas_cumprod, t, x_start.shape) * noise


class SinusoidalPositionEmbeddings(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, time):
        half_dim = self.dim // 2
        embeddings = math.log(10000) / (half_dim - 1)
        embeddings = torch.exp(torch.arange(half_dim, device=time.device) * -embeddings)
        embeddings = time[:, None] * embeddings[None, :]
        return torch.cat((embeddings.sin(), embeddings.cos()), dim=-1)


class Denoiser(nn.Module):
    def __init__(self, dim=2, hidden=32, tdim=8):
        super().__init__()
        self.time_mlp = nn.Sequential(SinusoidalPositionEmbeddings(tdim), nn.Linear(tdim, hidden), nn.GELU())
        self.inp = nn.Linear(dim, hidden)
        self.out = nn.Sequential(nn.SiLU(), nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, dim))

    def forward(self, x, t):
        return self.out(self.inp(x) + self.time_mlp(t.float()))


emb = SinusoidalPositionEmbeddings(8)(torch.tensor([0, 1, 25, 49]))
print("time embedding", emb.shape, emb[2].round(decimals=4))

# data: points on a ring
angles = torch.linspace(0, 2 * math.pi, 65)[:-1]
x0 = torch.stack([angles.cos(), angles.sin()], dim=-1) * 1.5
t = torch.arange(64) % T
noise = fake_noise(x0.shape, 1)
xt = q_sample(x0, t, noise)
print("x_t", xt.shape, xt[[0, 10, 49]].tolist())
print("coefficient shape", extract(sqrt_alphas_cumprod, t, (64, 3, 8, 8)).shape)

model = Denoiser()
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(0.4 * torch.cos(torch.arange(p.numel()) * 0.37 + i).reshape(p.shape) / math.sqrt(p.shape[-1]))
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
losses = []
for step in range(80):
    t = (torch.arange(64) * 7 + step * 13) % T
    noise = fake_noise(x0.shape, step)
    x_noisy = q_sample(x0, t, noise)
    loss = F.mse_loss(model(x_noisy, t), noise)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
    losses.append(loss.item())
print("loss first/last", round(losses[0], 5), round(sum(losses[-10:]) / 10, 5))


@torch.no_grad()
def p_sample(model, x, t, t_index):
    betas_t = extract(betas, t, x.shape)
    sqrt_one_minus_alphas_cumprod_t = extract(sqrt_one_minus_alphas_cumprod, t, x.shape)
    sqrt_recip_alphas_t = extract(sqrt_recip_alphas, t, x.shape)
    model_mean = sqrt_recip_alphas_t * (x - betas_t * model(x, t) / sqrt_one_minus_alphas_cumprod_t)
    if t_index == 0:
        return model_mean
    posterior_variance_t = extract(posterior_variance, t, x.shape)
    return model_mean + torch.sqrt(posterior_variance_t) * fake_noise(x.shape, 100 + t_index)


x = fake_noise((16, 2), 999)
traj = []
for i in reversed(range(0, T)):
    x = p_sample(model, x, torch.full((16,), i, dtype=torch.long), i)
    if i % 10 == 0:
        traj.append(x.norm(dim=-1).mean().item())
print("sample", x.shape, x.requires_grad, "radius trajectory", [round(r, 4) for r in traj])
print("final radius", x.norm(dim=1).mean().round(decimals=3))
