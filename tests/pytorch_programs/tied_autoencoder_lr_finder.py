# ruff: noqa: E501
# An autoencoder with tied weights (the decoder uses the encoder's weight transposed through
# F.linear(h, W.t(), b)) as in denoising/sparse autoencoder tutorials, with a KL sparsity
# penalty on mean activations and an L1 penalty, followed by a learning-rate range test
# ("LR finder", as fastai popularised): the lr grows exponentially each batch through
# LambdaLR, the loss is smoothed with a bias-corrected moving average, the run stops when the
# loss blows up, and the model and optimizer are restored from deep-copied state dicts.
import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class TiedAutoencoder(nn.Module):
    def __init__(self, n_in=20, n_hidden=6):
        super().__init__()
        self.encoder = nn.Linear(n_in, n_hidden)
        self.decoder_bias = nn.Parameter(torch.zeros(n_in))

    def forward(self, x):
        h = torch.sigmoid(self.encoder(x))
        return F.linear(h, self.encoder.weight.t(), self.decoder_bias), h


def kl_sparsity(h, rho=0.1):
    rho_hat = h.mean(0).clamp(1e-6, 1 - 1e-6)
    return (rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()


t = torch.linspace(0, 1, 20)
data = torch.stack([torch.sin(2 * math.pi * (t * (1 + k % 4) + k / 16)) for k in range(48)])
model = TiedAutoencoder()
with torch.no_grad():
    model.encoder.weight.copy_(0.2 * torch.sin(torch.arange(120.0) * 0.53).view(6, 20))
    model.encoder.bias.fill_(-0.1)
print([n for n, _ in model.named_parameters()], sum(p.numel() for p in model.parameters()))
recon, h = model(data)
print(recon.shape, h.shape, round(F.mse_loss(recon, data).item(), 5), round(kl_sparsity(h).item(), 5))
(F.mse_loss(recon, data)).backward()
print(model.encoder.weight.grad.shape, round(model.encoder.weight.grad.norm().item(), 5), round(model.decoder_bias.grad.abs().sum().item(), 5))
model.zero_grad()

opt = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(60):
    for i in range(0, 48, 16):
        xb = data[i:i + 16]
        noisy = xb + 0.1 * torch.cos(xb * 13 + epoch)  # deterministic "noise" for the denoising AE
        recon, h = model(noisy)
        loss = F.mse_loss(recon, xb) + 0.01 * kl_sparsity(h) + 1e-4 * model.encoder.weight.abs().sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 15 == 0:
        print(epoch, round(loss.item(), 5))
with torch.no_grad():
    recon, h = model(data)
print("final", round(F.mse_loss(recon, data).item(), 5), round(h.mean().item(), 5))

# learning-rate range test on a fresh classifier
clf = nn.Sequential(nn.Linear(20, 16), nn.Tanh(), nn.Linear(16, 4))
with torch.no_grad():
    for i, p in enumerate(clf.parameters()):
        p.copy_(0.3 * torch.cos(torch.arange(p.numel(), dtype=torch.float32) + i).view_as(p))
targets = torch.arange(48) % 4
opt = torch.optim.SGD(clf.parameters(), lr=1e-4, momentum=0.9)
saved_model = copy.deepcopy(clf.state_dict())
saved_opt = copy.deepcopy(opt.state_dict())
start_lr, end_lr, num_iter = 1e-4, 10.0, 40
gamma = (end_lr / start_lr) ** (1 / num_iter)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda it: gamma ** it)
lrs, losses = [], []
avg, beta, best = 0.0, 0.9, float("inf")
for it in range(num_iter):
    xb, yb = data[(it * 8) % 48:(it * 8) % 48 + 8], targets[(it * 8) % 48:(it * 8) % 48 + 8]
    loss = F.cross_entropy(clf(xb), yb)
    avg = beta * avg + (1 - beta) * loss.item()
    smoothed = avg / (1 - beta ** (it + 1))
    lrs.append(opt.param_groups[0]["lr"])
    losses.append(smoothed)
    if smoothed > 4 * best or math.isnan(smoothed):
        print("stopped at", it)
        break
    best = min(best, smoothed)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
print(len(lrs), f"{lrs[0]:.2e}", f"{lrs[-1]:.3e}", round(min(losses), 4))
best_i = min(range(len(losses)), key=losses.__getitem__)
grads = [(losses[i + 1] - losses[i]) / (math.log10(lrs[i + 1]) - math.log10(lrs[i])) for i in range(len(losses) - 1)]
steepest = min(range(len(grads)), key=grads.__getitem__)
print("min loss lr", f"{lrs[best_i]:.3e}", "steepest lr", f"{lrs[steepest]:.3e}")
clf.load_state_dict(saved_model)
opt.load_state_dict(saved_opt)
print(opt.param_groups[0]["lr"], len(opt.state), torch.equal(clf[0].weight, saved_model["0.weight"]))
