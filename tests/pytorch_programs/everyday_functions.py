# ruff: noqa: E501
# Everyday torch.* calls: determinism switches, printoptions, finfo/iinfo, where/clamp with
# tensors, topk/sort/argsort, one_hot, einsum/bmm, meshgrid, chunk/split, gather/scatter_,
# masked_select/nonzero, tril/roll/cumsum, half precision, interpolate, new_* factories,
# torch.compile on a module, norms.
import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.cuda.manual_seed_all(0)
torch.backends.cudnn.deterministic = True
torch.backends.cudnn.benchmark = False
torch.use_deterministic_algorithms(True)
torch.set_printoptions(precision=3)
print(torch.get_default_dtype(), torch.finfo(torch.float32).eps, torch.iinfo(torch.int32).max)
x = torch.arange(12.0).reshape(3, 4)
print(torch.where(x > 5, x, 0.0).sum().item(), torch.clamp(x, min=torch.tensor(2.0)).sum().item())
v, i = torch.topk(x, 2, dim=1)
print(v.tolist(), i.tolist(), torch.sort(x, descending=True)[1][0].tolist(), torch.argsort(-x[0]).tolist())
print(F.one_hot(torch.tensor([0, 2]), num_classes=3).tolist())
print(torch.einsum("ij,jk->ik", x, x.T).shape, torch.bmm(x[None], x.T[None]).shape)
a, b = torch.meshgrid(torch.arange(2), torch.arange(3), indexing="ij")
print(a.tolist(), b.tolist())
print([c.shape for c in torch.chunk(x, 2, dim=1)], [s.shape for s in torch.split(x, [1, 3], dim=1)])
print(torch.gather(x, 1, torch.tensor([[0], [1], [2]])).tolist())
print(torch.zeros(3, 4).scatter_(1, torch.tensor([[0], [1], [2]]), 1.0).sum().item())
print(torch.masked_select(x, x > 9).tolist(), torch.nonzero(x > 9, as_tuple=True)[1].tolist())
print(torch.tril(x).sum().item(), torch.roll(x, 1, 1)[0].tolist(), torch.cumsum(x, 0)[-1].tolist())
print(x.numel(), x.T.shape, x.mT.shape, torch.logical_and(x > 2, x < 5).sum().item())
print(torch.all(x >= 0).item(), torch.any(x > 100).item(), torch.allclose(x, x + 1e-9), torch.isclose(x, x).all().item())
print(x.to("cpu", non_blocking=True).device, x.half().dtype, (x.half() + 1).float().sum().item())
print(F.interpolate(x[None, None], scale_factor=2, mode="nearest").shape)
print(torch.stack([x, x], dim=2).shape, torch.cat((x, x), 0).shape, x.unsqueeze(0).expand(2, -1, -1).shape)
print(x.max(dim=1).values.tolist(), x.max(dim=1).indices.tolist(), x.argmax().item())
print(x.flatten().view(2, 6).permute(1, 0).contiguous().is_contiguous())
print(torch.tensor([1, 2, 3]).float().mean().item(), torch.tensor([[1, 2], [3, 4]]).sum(dim=0, keepdim=True).tolist())
print(x.std(dim=0, unbiased=False).tolist()[:2], x.var(1, correction=0).tolist())
print(torch.full((2,), 7).dtype, torch.zeros_like(x, dtype=torch.long).dtype, torch.empty(0).shape)
print(x.new_zeros(2).tolist(), x.new_ones((1, 2)).tolist(), x.new_full((2,), 3.0).tolist(), x.new_tensor([1, 2]).dtype)
model = torch.nn.Linear(2, 1)
compiled = torch.compile(model)
print(compiled(torch.ones(3, 2)).shape)
print(torch.nn.functional.softmax(x, dim=-1).sum(-1).tolist())
print(torch.norm(x).item() > 0, torch.linalg.norm(x, dim=1).shape, torch.linalg.vector_norm(x, ord=1).item())
print(torch.is_tensor(x), torch.numel(x), torch.is_floating_point(x))
print(x.masked_fill(x > 5, -1.0).sum().item(), x.where(x > 5, torch.tensor(0.0)).sum().item())
