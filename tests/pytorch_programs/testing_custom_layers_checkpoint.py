# ruff: noqa: E501
# How people test a layer they wrote: compare it with a reference using torch.testing.assert_close
# (default and explicit tolerances, catching the AssertionError to print its first line),
# torch.autograd.gradcheck / gradgradcheck in float64, a residual MLP stack run with activation
# checkpointing (torch.utils.checkpoint with use_reentrant=False, and checkpoint_sequential) that
# must give the same loss and gradients as the plain run, and old code that switches the default
# type with set_default_tensor_type.
import math
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint, checkpoint_sequential


class MyLayerNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(d))
        self.beta = nn.Parameter(torch.zeros(d))
        self.eps = eps

    def forward(self, x):
        mu = x.mean(-1, keepdim=True)
        var = x.var(-1, keepdim=True, unbiased=False)
        return self.gamma * (x - mu) / torch.sqrt(var + self.eps) + self.beta


x = torch.sin(torch.arange(24, dtype=torch.float32).view(4, 6) * 0.7) * 3 + 1
mine, ref = MyLayerNorm(6), nn.LayerNorm(6)
torch.testing.assert_close(mine(x), ref(x))
print("layer norm matches nn.LayerNorm")
try:
    torch.testing.assert_close(mine(x), ref(x) + 1e-3)
except AssertionError as e:
    print("caught:", str(e).splitlines()[0], "|", str(e).splitlines()[2])
torch.testing.assert_close(mine(x), ref(x) + 1e-3, rtol=0, atol=2e-3)
print("explicit tolerance passes")
try:
    torch.testing.assert_close(torch.tensor([1, 2, 3]), torch.tensor([1, 2, 4]))
except AssertionError as e:
    print("ints:", str(e).splitlines()[0])
try:
    torch.testing.assert_close(torch.ones(2), torch.ones(2, dtype=torch.float64))
except AssertionError as e:
    print("dtype:", str(e))
torch.testing.assert_close(torch.ones(2), torch.ones(2, dtype=torch.float64), check_dtype=False)

xd = x.double().requires_grad_(True)
ln64 = MyLayerNorm(6).double()
print("gradcheck", torch.autograd.gradcheck(lambda t: ln64(t), (xd,), eps=1e-6, atol=1e-4))
print("gradgradcheck", torch.autograd.gradgradcheck(lambda t: ln64(t).pow(2).sum(-1), (xd[:2],)))


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = MyLayerNorm(d)
        self.fc1, self.fc2 = nn.Linear(d, 2 * d), nn.Linear(2 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


class Stack(nn.Module):
    def __init__(self, d=6, depth=3, use_checkpoint=False):
        super().__init__()
        self.blocks = nn.ModuleList(Block(d) for _ in range(depth))
        self.use_checkpoint = use_checkpoint

    def forward(self, x):
        for blk in self.blocks:
            x = checkpoint(blk, x, use_reentrant=False) if self.use_checkpoint else blk(x)
        return x


def fill(model):
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 0.3 + i).view_as(p) / math.sqrt(p.shape[-1]))


plain, ckpt = Stack(), Stack(use_checkpoint=True)
fill(plain)
ckpt.load_state_dict(plain.state_dict())
inp = x.clone().requires_grad_(True)
inp2 = x.clone().requires_grad_(True)
loss_plain = plain(inp).pow(2).mean()
loss_ckpt = ckpt(inp2).pow(2).mean()
loss_plain.backward()
loss_ckpt.backward()
torch.testing.assert_close(loss_plain, loss_ckpt)
torch.testing.assert_close(inp.grad, inp2.grad)
for (n, p), q in zip(plain.named_parameters(), ckpt.parameters()):
    torch.testing.assert_close(p.grad, q.grad, msg=lambda m, n=n: f"{n}: {m}")
print("checkpointed loss", round(loss_ckpt.item(), 6), "grads identical to the plain run")
seq = nn.Sequential(*[Block(6) for _ in range(4)])
fill(seq)
out = checkpoint_sequential(seq, 2, x, use_reentrant=False)
torch.testing.assert_close(out, seq(x))
print("checkpoint_sequential", out.shape)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    torch.set_default_tensor_type(torch.DoubleTensor)
    print("default after set_default_tensor_type:", torch.tensor([1.5]).dtype, torch.get_default_dtype())
    torch.set_default_tensor_type("torch.FloatTensor")
print("restored:", torch.zeros(1).dtype)
