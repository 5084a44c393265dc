# ruff: noqa: E501
# Batch normalization written from scratch (d2l's batch_norm function and the "build BN
# yourself" homework) and compared with nn.BatchNorm1d/2d: training statistics (biased variance)
# vs running statistics (unbiased, momentum 0.1), eval mode, momentum=None (cumulative average),
# affine=False, track_running_stats=False, num_batches_tracked, the backward formula written by
# hand vs autograd, state_dict round trips with buffers, and freezing BN in a fine-tuned model.
import io

import torch
import torch.nn as nn


def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
    if not torch.is_grad_enabled():
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:
            mean = X.mean(dim=0)
            var = ((X - mean) ** 2).mean(dim=0)
        else:
            mean = X.mean(dim=(0, 2, 3), keepdim=True)
            var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        X_hat = (X - mean) / torch.sqrt(var + eps)
        n = X.numel() / X.shape[1]
        moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
        moving_var = (1.0 - momentum) * moving_var + momentum * var * n / (n - 1)
    Y = gamma * X_hat + beta
    return Y, moving_mean.data, moving_var.data


class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.moving_mean = torch.zeros(shape)
        self.moving_var = torch.ones(shape)

    def forward(self, X):
        if self.moving_mean.device != X.device:
            self.moving_mean = self.moving_mean.to(X.device)
            self.moving_var = self.moving_var.to(X.device)
        Y, self.moving_mean, self.moving_var = batch_norm(X, self.gamma, self.beta, self.moving_mean, self.moving_var, eps=1e-5, momentum=0.1)
        return Y


X = torch.sin(torch.arange(8 * 4, dtype=torch.float32) * 0.7).view(8, 4) * torch.tensor([1.0, 2.0, 0.5, 3.0]) + torch.tensor([0.0, 1.0, -2.0, 5.0])
mine, ref = BatchNorm(4, 2), nn.BatchNorm1d(4)
for step in range(3):
    Xs = X * (step + 1)
    y1, y2 = mine(Xs), ref(Xs)
print("train outputs match:", torch.allclose(y1, y2, atol=1e-5))
print("running mean", ref.running_mean, torch.allclose(mine.moving_mean.squeeze(), ref.running_mean))
print("running var", ref.running_var.numpy().round(4).tolist(), torch.allclose(mine.moving_var.squeeze(), ref.running_var, rtol=1e-5))
print("num_batches_tracked", ref.num_batches_tracked, ref.num_batches_tracked.dtype == torch.long)
ref.eval()
with torch.no_grad():
    print("eval outputs match:", torch.allclose(mine(X), ref(X), atol=1e-5))
print(ref)

cum = nn.BatchNorm1d(4, momentum=None)
for step in range(3):
    cum(X * (step + 1))
print("cumulative mean", cum.running_mean.numpy().round(5).tolist(), (X.mean(0) * 2).numpy().round(5).tolist())
noaffine = nn.BatchNorm1d(4, affine=False)
print("affine=False params", len(list(noaffine.parameters())), noaffine.weight, [n for n, _ in noaffine.named_buffers()])
nostats = nn.BatchNorm1d(4, track_running_stats=False).eval()
out = nostats(X)
print("no running stats in eval uses batch stats:", nostats.running_mean is None, round(out.mean().item(), 6), round(out.var(unbiased=False).item(), 4))

img = torch.cos(torch.arange(2 * 3 * 4 * 4, dtype=torch.float32) * 0.37).view(2, 3, 4, 4) * 3 + 1
bn2, mine2 = nn.BatchNorm2d(3), BatchNorm(3, 4)
print("2d match:", torch.allclose(bn2(img), mine2(img), atol=1e-5), bn2.running_var.numpy().round(4).tolist())

# backward by hand: dx = (g / N) * inv_std * (N * dy - sum(dy) - x_hat * sum(dy * x_hat))
x = X.clone().requires_grad_(True)
gamma = torch.linspace(0.5, 1.5, 4, requires_grad=True)
beta = torch.zeros(4, requires_grad=True)
dy = torch.cos(torch.arange(32.0)).view(8, 4)
y = torch.nn.functional.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-5)
y.backward(dy)
N = X.shape[0]
mu, var = X.mean(0), X.var(0, unbiased=False)
inv_std = (var + 1e-5).rsqrt()
x_hat = (X - mu) * inv_std
dx = gamma.detach() / N * inv_std * (N * dy - dy.sum(0) - x_hat * (dy * x_hat).sum(0))
print("hand dx == autograd:", torch.allclose(dx, x.grad, atol=1e-5), "dgamma", torch.allclose(gamma.grad, (dy * x_hat).sum(0), atol=1e-5), "dbeta", beta.grad.tolist())

# state dict round trip and freezing BN
model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.sin(torch.arange(p.numel()) + i * 0.5).view_as(p))
model(X)
sd = model.state_dict()
print("keys", list(sd.keys()))
buf = io.BytesIO()
torch.save(sd, buf)
buf.seek(0)
clone = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
clone.load_state_dict(torch.load(buf, weights_only=True))
model.eval()
clone.eval()
print("same eval output:", torch.equal(model(X), clone(X)), clone[1].num_batches_tracked.item())
for m in model.modules():
    if isinstance(m, nn.BatchNorm1d):
        m.eval()
        m.weight.requires_grad_(False)
        m.bias.requires_grad_(False)
model[0].train()
before = model[1].running_mean.clone()
model(X).sum().backward()
print("frozen BN running mean unchanged:", torch.equal(before, model[1].running_mean), model[1].weight.grad is None, model[0].weight.grad.shape)
print("trainable", sum(p.numel() for p in model.parameters() if p.requires_grad))
model[1].reset_running_stats()
print("reset", model[1].running_mean.sum().item(), model[1].running_var.sum().item(), model[1].num_batches_tracked.item())
