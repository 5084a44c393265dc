# ruff: noqa: E501
# Tensor puzzles of the kind people solve on forums and in "tensor puzzles" notebooks, each
# printed as numbers: scatter_add_/index_put_ histograms, repeat_interleave with tensor counts,
# cummax/cummin, kthvalue/mode/median, unique and unique_consecutive with inverse and counts,
# diff, rot90, take_along_dim, masked_scatter, nonzero(as_tuple), triu_indices, cartesian_prod,
# block_diag, diag_embed, kron, scatter_reduce, tensor_split, unflatten, movedim, isin,
# logcumsumexp, histc, lerp/addcmul/baddbmm, and ones that compose several.
import torch

torch.set_printoptions(precision=4)
x = torch.tensor([[3., 1., 4., 1.], [5., 9., 2., 6.], [5., 3., 5., 8.]])
idx = torch.tensor([0, 2, 2, 1, 0, 2])
vals = torch.tensor([1., 2., 3., 4., 5., 6.])

# segment sums three ways
print("scatter_add_", torch.zeros(3).scatter_add_(0, idx, vals))
print("index_add", torch.zeros(3).index_add(0, idx, vals))
acc = torch.zeros(3)
acc.index_put_((idx,), vals, accumulate=True)
print("index_put_ accumulate", acc)
print("bincount weights", torch.bincount(idx, weights=vals, minlength=4))
print("scatter_reduce amax", torch.zeros(3).scatter_reduce(0, idx, vals, reduce="amax", include_self=False))
print("scatter_reduce mean", torch.full((3,), 10.).scatter_reduce(0, idx, vals, reduce="mean"))
print("scatter_reduce prod", torch.ones(3).scatter_reduce(0, idx, vals, reduce="prod"))
# 2-d index_put_ with a mask and with tuples of index tensors
m = torch.zeros(3, 4)
m.index_put_((torch.tensor([0, 2]), torch.tensor([1, 3])), torch.tensor(7.))
m[x > 4] = -1.0
print("index_put_ 2d\n", m)

# lengths -> segment ids, and back
lengths = torch.tensor([2, 0, 3, 1])
seg = torch.repeat_interleave(torch.arange(len(lengths)), lengths)
print("segment ids", seg.tolist(), "total", lengths.sum().item())
print("repeat_interleave int", torch.tensor([[1, 2], [3, 4]]).repeat_interleave(2, dim=0).tolist())
print("repeat_interleave counts only", torch.repeat_interleave(torch.tensor([1, 3])).tolist())
offsets = torch.cumsum(lengths, 0) - lengths
print("offsets", offsets.tolist(), "positions in segment", (torch.arange(len(seg)) - offsets[seg]).tolist())

# running extrema, order statistics
print("cummax", [t.tolist() for t in torch.cummax(torch.tensor([1, 3, 2, 5, 4]), dim=0)])
v, i = x.cummin(dim=1)
print("cummin", v.tolist(), i.tolist())
print("kthvalue", [t.tolist() for t in x.kthvalue(2, dim=1)])
print("mode", [t.tolist() for t in torch.tensor([[1, 2, 2, 3], [4, 4, 1, 1]]).mode(dim=1)])
print("median", [t.tolist() for t in x.median(dim=1)], x.median().item())
print("nanmedian", torch.tensor([1., float("nan"), 3., 2.]).nanmedian().item())
print("quantile", torch.quantile(x, torch.tensor([0.25, 0.5]), dim=1).tolist())
print("logcumsumexp", torch.logcumsumexp(torch.tensor([0., 1., 2.]), dim=0).tolist())
print("cumprod", x.cumprod(dim=1)[:, -1].tolist())

# unique
u = torch.tensor([3, 1, 3, 2, 1, 3])
values, inverse, counts = torch.unique(u, return_inverse=True, return_counts=True)
print("unique", values.tolist(), inverse.tolist(), counts.tolist())
print("unique sorted=False", sorted(torch.unique(u, sorted=False).tolist()))
print("unique rows", torch.unique(torch.tensor([[1, 2], [3, 4], [1, 2]]), dim=0).tolist())
uc, uc_counts = torch.unique_consecutive(torch.tensor([1, 1, 2, 2, 3, 1, 1]), return_counts=True)
print("unique_consecutive", uc.tolist(), uc_counts.tolist())
# first occurrence of each unique value (a classic puzzle)
perm = torch.arange(inverse.size(0), dtype=inverse.dtype)
first = torch.full_like(values, inverse.size(0)).scatter_reduce(0, inverse, perm, reduce="amin")
print("first occurrences", first.tolist())

# shape puzzles
print("diff", torch.diff(torch.tensor([1, 4, 9, 16])).tolist(), torch.diff(x, dim=0).tolist())
print("diff prepend", torch.diff(torch.tensor([1, 4, 9]), prepend=torch.tensor([0])).tolist())
print("rot90", torch.rot90(torch.arange(6).view(2, 3), 1, [0, 1]).tolist())
print("flip/fliplr", torch.flip(x, [0, 1])[0].tolist(), torch.fliplr(x)[0].tolist())
print("tensor_split", [t.tolist() for t in torch.tensor_split(torch.arange(7), 3)])
print("tensor_split indices", [t.tolist() for t in torch.arange(7).tensor_split([1, 5])])
print("unflatten", torch.arange(12).unflatten(0, (3, -1)).shape)
print("movedim", torch.zeros(2, 3, 4).movedim(0, -1).shape, torch.zeros(2, 3, 4).moveaxis((0, 1), (2, 0)).shape)
print("swapaxes", torch.zeros(2, 3, 4).swapaxes(0, 2).shape)
print("take_along_dim", torch.take_along_dim(x, x.argsort(dim=1), dim=1)[1].tolist())
print("take", torch.take(x, torch.tensor([0, 5, 11])).tolist())
print("narrow", x.narrow(1, 1, 2).tolist())
print("hstack/vstack", torch.hstack([torch.ones(2), torch.zeros(1)]).tolist(), torch.vstack([torch.ones(2), torch.zeros(2)]).shape)
print("dstack/column_stack", torch.dstack([torch.ones(2), torch.zeros(2)]).shape, torch.column_stack([torch.arange(2), torch.arange(2)]).tolist())

# masks and positions
print("nonzero as_tuple", [t.tolist() for t in torch.nonzero(x > 4, as_tuple=True)])
print("argwhere", torch.argwhere(x == 5).tolist())
print("where 1-arg", [t.tolist() for t in torch.where(x == 1)])
ms = torch.zeros(2, 3).masked_scatter(torch.tensor([[True, False, True], [False, True, True]]), torch.arange(1., 7.).view(2, 3))
print("masked_scatter", ms.tolist())
print("masked_select", x.masked_select(x > 4).tolist())
print("isin", torch.isin(torch.tensor([1, 2, 3, 4]), torch.tensor([2, 4, 6])).tolist())
print("count_nonzero", torch.count_nonzero(x > 3, dim=0).tolist())
print("any/all dims", (x > 2).any(dim=1).tolist(), (x > 0).all().item())

# matrices
print("triu_indices", torch.triu_indices(3, 3, offset=1).tolist())
print("tril_indices", torch.tril_indices(3, 2).tolist())
print("cartesian_prod", torch.cartesian_prod(torch.tensor([1, 2]), torch.tensor([3, 4])).tolist())
print("combinations", torch.combinations(torch.tensor([1, 2, 3]), r=2).tolist())
print("block_diag", torch.block_diag(torch.ones(1, 2), 2 * torch.ones(2, 1)).tolist())
print("diag_embed", torch.diag_embed(torch.tensor([[1., 2.], [3., 4.]])).tolist())
print("diagonal offset", x.diagonal(offset=1).tolist(), torch.diagonal(torch.arange(8).view(2, 2, 2), dim1=1, dim2=2).tolist())
print("kron", torch.kron(torch.eye(2), torch.tensor([[1., 2.], [3., 4.]]))[2:].tolist())
print("outer/trace", torch.outer(torch.arange(3.), torch.arange(2.)).tolist(), x[:, :3].trace().item())
print("cross", torch.linalg.cross(torch.tensor([1., 0., 0.]), torch.tensor([0., 1., 0.])).tolist())
print("histc", torch.histc(x, bins=4, min=0, max=10).tolist())
print("vander", torch.vander(torch.tensor([1, 2, 3]), N=3).tolist())

# arithmetic helpers
a, b = torch.tensor([1., 2., 3.]), torch.tensor([4., 6., 8.])
print("lerp", torch.lerp(a, b, 0.25).tolist(), torch.lerp(a, b, torch.tensor([0., 0.5, 1.])).tolist())
print("addcmul/addcdiv", torch.addcmul(a, a, b, value=0.5).tolist(), torch.addcdiv(a, b, a, value=2).tolist())
print("baddbmm", torch.baddbmm(torch.ones(2, 2, 2), torch.ones(2, 2, 3), torch.ones(2, 3, 2), beta=0.5, alpha=2).tolist())
print("addmm/addmv", torch.addmm(torch.zeros(2, 2), torch.eye(2), torch.ones(2, 2), alpha=3).tolist(), torch.addmv(torch.ones(2), torch.eye(2), torch.tensor([2., 3.])).tolist())
print("clamp tensors", torch.clamp(b, min=a, max=a + 2).tolist())
print("floor_divide/fmod/remainder", torch.floor_divide(torch.tensor([-7, 7]), 2).tolist(), torch.fmod(torch.tensor([-7., 7.]), 3).tolist(), torch.remainder(torch.tensor([-7., 7.]), 3).tolist())
print("copysign/sign/frac", torch.copysign(a, torch.tensor([-1., 1., -0.])).tolist(), torch.sign(torch.tensor([-2., 0., 3.])).tolist(), torch.frac(torch.tensor([1.5, -2.25])).tolist())
print("nan_to_num", torch.nan_to_num(torch.tensor([float("nan"), float("inf"), -float("inf"), 1.]), nan=0.0, posinf=9.0, neginf=-9.0).tolist())
print("amax/aminmax", x.amax(dim=(0, 1)).item(), [t.tolist() for t in torch.aminmax(x, dim=0)])
print("std/var unbiased", x.std(dim=1).tolist(), x.var(dim=1, unbiased=False).tolist(), [t.tolist() for t in torch.var_mean(x, dim=0)])

# composed: top-2 per row mask, sliding window sums, pairwise argmin, one-hot by scatter
y = x + 0.01 * torch.arange(12.).view(3, 4)  # no ties: topk's order among equals is unspecified
top2 = torch.zeros_like(y, dtype=torch.bool).scatter_(1, y.topk(2, dim=1).indices, True)
print("top-2 mask", top2.int().tolist())
print("window sums", torch.arange(6.).unfold(0, 3, 1).sum(-1).tolist())
pts = torch.tensor([[0., 0.], [1., 1.], [3., 0.]])
d = (pts[:, None, :] - pts[None, :, :]).pow(2).sum(-1)
d.fill_diagonal_(float("inf"))
print("nearest neighbour", d.argmin(dim=1).tolist())
onehot = torch.zeros(4, 3).scatter_(1, torch.tensor([[0], [2], [1], [2]]), 1.0)
print("one-hot by scatter_", onehot.tolist())
print("einsum batch outer", torch.einsum("bi,bj->bij", torch.ones(2, 2), torch.arange(6.).view(2, 3)).sum().item())
print("einsum trace/diag", torch.einsum("ii", torch.arange(9.).view(3, 3)).item(), torch.einsum("ii->i", torch.arange(9.).view(3, 3)).tolist())
print("einsum ellipsis", torch.einsum("...ij,...jk->...ik", torch.ones(2, 2, 3), torch.ones(2, 3, 2)).shape)
