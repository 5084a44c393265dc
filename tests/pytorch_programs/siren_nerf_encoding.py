# ruff: noqa: E501
# SIREN and NeRF building blocks, as in the SIREN colab and the tiny-NeRF notebooks: a sine layer
# with SIREN's uniform initialisation (first layer 1/in, others sqrt(6/in)/omega_0), fitting an
# image built from sin with coordinates from torch.meshgrid, the image gradient via autograd.grad
# on the coordinates, NeRF's positional encoding (sin/cos at 2^k frequencies), volume rendering
# along rays with an exclusive cumprod of transmittance, and inverse-CDF hierarchical sampling
# with torch.searchsorted.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class SineLayer(nn.Module):
    def __init__(self, in_features, out_features, bias=True, is_first=False, omega_0=30):
        super().__init__()
        self.omega_0 = omega_0
        self.is_first = is_first
        self.in_features = in_features
        self.linear = nn.Linear(in_features, out_features, bias=bias)
        self.init_weights()

    def init_weights(self):
        with torch.no_grad():
            bound = 1 / self.in_features if self.is_first else math.sqrt(6 / self.in_features) / self.omega_0
            self.linear.weight.uniform_(-bound, bound)
            # deterministic values inside the same bound, so both runs agree
            k = torch.arange(self.linear.weight.numel(), dtype=torch.float32)
            self.linear.weight.copy_((torch.sin(k * 2.3) * bound).view_as(self.linear.weight))
            self.linear.bias.copy_(torch.cos(torch.arange(self.linear.bias.numel()) * 0.9) * bound)

    def forward(self, input):
        return torch.sin(self.omega_0 * self.linear(input))


class Siren(nn.Module):
    def __init__(self, in_features, hidden_features, hidden_layers, out_features, first_omega_0=30, hidden_omega_0=30.0):
        super().__init__()
        net = [SineLayer(in_features, hidden_features, is_first=True, omega_0=first_omega_0)]
        for i in range(hidden_layers):
            net.append(SineLayer(hidden_features, hidden_features, omega_0=hidden_omega_0))
        final_linear = nn.Linear(hidden_features, out_features)
        with torch.no_grad():
            bound = math.sqrt(6 / hidden_features) / hidden_omega_0
            final_linear.weight.copy_(torch.sin(torch.arange(hidden_features, dtype=torch.float32) * 1.3).view(1, -1) * bound)
            final_linear.bias.zero_()
        net.append(final_linear)
        self.net = nn.Sequential(*net)

    def forward(self, coords):
        coords = coords.clone().detach().requires_grad_(True)
        output = self.net(coords)
        return output, coords


def get_mgrid(sidelen, dim=2):
    tensors = tuple(dim * [torch.linspace(-1, 1, steps=sidelen)])
    mgrid = torch.stack(torch.meshgrid(*tensors, indexing="ij"), dim=-1)
    return mgrid.reshape(-1, dim)


coords = get_mgrid(12)
img = (torch.sin(3 * coords[:, :1]) * torch.cos(2 * coords[:, 1:])).float()
print("coords", coords.shape, coords[:2].tolist(), "img", img.shape)
xs, ys = torch.meshgrid(torch.arange(3), torch.arange(2), indexing="xy")
print("meshgrid xy", xs.shape, xs.tolist(), ys.tolist())

siren = Siren(2, 24, 2, 1, first_omega_0=10, hidden_omega_0=10.0)
optim = torch.optim.Adam(lr=1e-3, params=siren.parameters())
for step in range(40):
    model_output, _ = siren(coords)
    loss = ((model_output - img) ** 2).mean()
    optim.zero_grad()
    loss.backward()
    optim.step()
    if step % 13 == 0:
        print(f"step {step} loss {loss.item():.6f}")

out, c = siren(coords[:5])
grad = torch.autograd.grad(out, [c], grad_outputs=torch.ones_like(out), create_graph=True)[0]
laplace = sum(torch.autograd.grad(grad[..., i], c, torch.ones_like(grad[..., i]), create_graph=True)[0][..., i:i + 1] for i in range(2))
print("gradient", grad.shape, "laplacian", laplace.shape, bool(torch.isfinite(laplace).all()))


def positional_encoding(x, L=4, include_input=True):
    freq = 2.0 ** torch.arange(L, dtype=x.dtype)
    xb = x[..., None, :] * freq[:, None] * math.pi
    enc = torch.cat([torch.sin(xb), torch.cos(xb)], dim=-1).flatten(-2)
    return torch.cat([x, enc], dim=-1) if include_input else enc


def positional_encoding_loop(tensor, num_encoding_functions=4):
    encoding = [tensor]
    frequency_bands = 2.0 ** torch.linspace(0.0, num_encoding_functions - 1, num_encoding_functions)
    for freq in frequency_bands:
        for func in [torch.sin, torch.cos]:
            encoding.append(func(tensor * freq * math.pi))
    return torch.cat(encoding, dim=-1)


pts = torch.tensor([[0.1, -0.4, 0.25], [0.5, 0.0, -1.0]])
pe = positional_encoding(pts)
print("encoding", pe.shape, positional_encoding_loop(pts).shape, pe[0, 3:9].numpy().round(5).tolist())
print("same features (sorted):", torch.allclose(pe.sort(dim=-1).values, positional_encoding_loop(pts).sort(dim=-1).values, atol=1e-6))


def render_rays(sigma, rgb, z_vals):
    dists = torch.cat([z_vals[..., 1:] - z_vals[..., :-1], torch.full_like(z_vals[..., :1], 1e10)], dim=-1)
    alpha = 1.0 - torch.exp(-F.relu(sigma) * dists)
    trans = torch.cumprod(torch.cat([torch.ones_like(alpha[..., :1]), 1.0 - alpha + 1e-10], dim=-1), dim=-1)[..., :-1]
    weights = alpha * trans
    rgb_map = (weights[..., None] * rgb).sum(dim=-2)
    depth_map = (weights * z_vals).sum(dim=-1)
    acc_map = weights.sum(-1)
    return rgb_map, depth_map, acc_map, weights


n_rays, n_samples = 3, 8
z_vals = torch.linspace(2.0, 6.0, n_samples).expand(n_rays, n_samples).contiguous()
sigma = torch.stack([torch.exp(-(z_vals[r] - 3.0 - r) ** 2 * 4) * 5 for r in range(n_rays)])
rgb = torch.sigmoid(torch.stack([z_vals, -z_vals, z_vals * 0.5], dim=-1))
rgb_map, depth, acc, weights = render_rays(sigma, rgb, z_vals)
print("rgb", rgb_map.numpy().round(4).tolist())
print("depth", depth.numpy().round(4).tolist(), "acc", acc.numpy().round(5).tolist())


def sample_pdf(bins, weights, u):
    weights = weights + 1e-5
    pdf = weights / torch.sum(weights, -1, keepdim=True)
    cdf = torch.cumsum(pdf, -1)
    cdf = torch.cat([torch.zeros_like(cdf[..., :1]), cdf], -1)
    u = u.expand(list(cdf.shape[:-1]) + [u.shape[-1]]).contiguous()
    inds = torch.searchsorted(cdf, u, right=True)
    below = torch.max(torch.zeros_like(inds - 1), inds - 1)
    above = torch.min((cdf.shape[-1] - 1) * torch.ones_like(inds), inds)
    inds_g = torch.stack([below, above], -1)
    matched_shape = [inds_g.shape[0], inds_g.shape[1], cdf.shape[-1]]
    cdf_g = torch.gather(cdf.unsqueeze(1).expand(matched_shape), 2, inds_g)
    bins_g = torch.gather(bins.unsqueeze(1).expand(matched_shape), 2, inds_g)
    denom = cdf_g[..., 1] - cdf_g[..., 0]
    denom = torch.where(denom < 1e-5, torch.ones_like(denom), denom)
    t = (u - cdf_g[..., 0]) / denom
    return bins_g[..., 0] + t * (bins_g[..., 1] - bins_g[..., 0])


z_mid = 0.5 * (z_vals[..., 1:] + z_vals[..., :-1])
u = torch.linspace(0.0, 1.0, steps=6)
z_fine = sample_pdf(z_mid, weights[..., 1:-1].detach(), u)
print("fine samples", z_fine.shape, z_fine.numpy().round(4).tolist()[0])
z_all, _ = torch.sort(torch.cat([z_vals, z_fine], -1), -1)
print("sorted", z_all.shape, bool((z_all.diff(dim=-1) >= 0).all()))
