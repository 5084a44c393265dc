# Everyday tensor habits: sizes, dtypes, inference mode, generators, no_grad decorators.
import torch

x = torch.arange(12.0).reshape(3, 4)
print(x.size(), x.shape, x.size(1), x.size() == torch.Size([3, 4]), x.shape == (3, 4))
print(x.numel(), x.dim(), len(x), tuple(x.shape), list(x.size()))
print(x.dtype == torch.float32, x.long().dtype == torch.int64, x.double().dtype)

with torch.inference_mode():
    y = x * 2
print(y.requires_grad, y.sum().item())


@torch.no_grad()
def doubled(t):
    return t * 2


w = torch.ones(3, requires_grad=True)
print(doubled(w).requires_grad, torch.is_grad_enabled())

g = torch.Generator().manual_seed(42)
a = torch.empty(1000).uniform_(0, 1, generator=g)
b = torch.empty(1000).normal_(0, 1, generator=g)
print(bool(((a >= 0) & (a < 1)).all()), abs(b.mean().item()) < 0.2)
r = torch.randn(4, 5, generator=torch.Generator().manual_seed(1))
print(r.shape)

torch.manual_seed(3)
p = torch.randn(5)
torch.manual_seed(3)
q = torch.randn(5)
print(torch.equal(p, q), torch.allclose(p, q))

z = torch.zeros(2, 3, dtype=torch.int64)
print(z, z.dtype)
print(torch.stack([x[0], x[1]]).shape, torch.cat((x, x)).shape, x.view(-1).shape)
print(x.t().contiguous().shape, x.unsqueeze(0).shape, x[None].shape)
print(x.mean(dim=0), x.sum(1), x.max(), x.argmax(dim=1))
print(torch.where(x > 5, x, torch.zeros_like(x)))
print(x.clamp(min=2, max=9), x.std().item())
