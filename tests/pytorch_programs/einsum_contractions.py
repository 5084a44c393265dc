# ruff: noqa: E501
# Tensor contractions the einsum way (the "einsum is all you need" posts, einops-free attention
# code and physics/ML homework): transpose, sums, matrix and batch products, traces and
# diagonals, outer products, bilinear forms against nn.Bilinear, ellipsis broadcasting,
# multi-head attention written with einsum vs scaled_dot_product_attention, tensordot and kron,
# a tensor-train style chain, list-of-operands form, and gradients through einsum.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

a = torch.arange(6.0).reshape(2, 3)
b = torch.arange(15.0).reshape(3, 5)
v = torch.arange(3.0)
print("transpose", torch.einsum("ij->ji", a).tolist())
print("sum", torch.einsum("ij->", a).item(), "col sum", torch.einsum("ij->j", a).tolist(), "row sum", torch.einsum("ij->i", a).tolist())
print("matvec", torch.einsum("ik,k->i", a, v).tolist(), "matmul", torch.equal(torch.einsum("ik,kj->ij", a, b), a @ b))
print("dot", torch.einsum("i,i->", v, v).item(), "hadamard", torch.einsum("ij,ij->ij", a, a).tolist())
print("outer", torch.einsum("i,j->ij", v, torch.arange(2.0)).tolist())
sq = torch.arange(9.0).view(3, 3)
print("trace", torch.einsum("ii", sq).item(), "diag", torch.einsum("ii->i", sq).tolist(), torch.trace(sq).item(), torch.diagonal(sq, offset=1).tolist())

A = torch.sin(torch.arange(2 * 3 * 4, dtype=torch.float32)).view(2, 3, 4)
B = torch.cos(torch.arange(2 * 4 * 5, dtype=torch.float32)).view(2, 4, 5)
print("bmm", torch.allclose(torch.einsum("bij,bjk->bik", A, B), torch.bmm(A, B), atol=1e-6), torch.allclose(torch.einsum("bij,bjk->bik", A, B), A @ B, atol=1e-6))
print("ellipsis", torch.einsum("...ij,...jk->...ik", A, B).shape, torch.einsum("b...->...", A).shape, torch.einsum("...i->...", A).sum().item())
print("batch diag", torch.einsum("bii->bi", torch.arange(18.0).view(2, 3, 3)).tolist())
print("list form", torch.einsum("ij,jk", [a, b]).shape, "implicit output", torch.einsum("ij,jk", a, b).shape, torch.einsum("ba", a).shape)

bil = nn.Bilinear(3, 4, 2)
with torch.no_grad():
    bil.weight.copy_(torch.linspace(-1, 1, 24).view(2, 3, 4))
    bil.bias.copy_(torch.tensor([0.5, -0.5]))
x1 = torch.linspace(0, 1, 6).view(2, 3)
x2 = torch.linspace(1, -1, 8).view(2, 4)
ref = torch.einsum("bi,oij,bj->bo", x1, bil.weight, x2) + bil.bias
print("bilinear", torch.allclose(bil(x1, x2), ref, atol=1e-6), F.bilinear(x1, x2, bil.weight, bil.bias).detach().numpy().round(5).tolist())

B_, H, L, E = 2, 2, 4, 3
q = torch.sin(torch.arange(B_ * H * L * E, dtype=torch.float32) * 0.3).view(B_, H, L, E)
k = torch.cos(torch.arange(B_ * H * L * E, dtype=torch.float32) * 0.7).view(B_, H, L, E)
val = torch.sin(torch.arange(B_ * H * L * E, dtype=torch.float32) * 1.1).view(B_, H, L, E)
scores = torch.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(E)
mask = torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1)
attn = scores.masked_fill(mask, float("-inf")).softmax(dim=-1)
out = torch.einsum("bhqk,bhkd->bhqd", attn, val)
print("einsum attention == sdpa:", torch.allclose(out, F.scaled_dot_product_attention(q, k, val, is_causal=True), atol=1e-6))
merged = torch.einsum("bhld->blhd", out).reshape(B_, L, H * E)
print("merged heads", merged.shape, torch.equal(merged, out.transpose(1, 2).reshape(B_, L, H * E)))

T = torch.arange(24.0).view(2, 3, 4)
M = torch.arange(12.0).view(4, 3)
print("tensordot", torch.tensordot(T, M, dims=([1, 2], [1, 0])).tolist(), torch.tensordot(T, M, dims=1).shape)
print("tensordot ints", torch.tensordot(torch.ones(2, 3), torch.ones(3, 2), dims=0).shape)
print("kron", torch.kron(torch.eye(2), torch.tensor([[1.0, 2.0], [3.0, 4.0]])).tolist())

cores = [torch.linspace(-1, 1, 1 * 2 * 3).view(1, 2, 3), torch.linspace(0, 1, 3 * 2 * 3).view(3, 2, 3), torch.linspace(1, 2, 3 * 2 * 1).view(3, 2, 1)]
full = torch.einsum("aib,bjc,ckd->ijk", *cores)
print("tensor train", full.shape, full.sum().item())
chain = torch.einsum("ij,jk,kl->il", a, b, torch.ones(5, 2))
print("chain", chain.tolist(), torch.allclose(chain, torch.linalg.multi_dot([a, b, torch.ones(5, 2)])))

W = torch.linspace(-1, 1, 12).view(3, 4).requires_grad_()
xg = torch.linspace(0, 2, 8).view(2, 4).requires_grad_()
y = torch.einsum("bi,oi->bo", xg, W).pow(2).sum()
y.backward()
print("grads", W.grad.numpy().round(4).tolist(), xg.grad.numpy().round(4).tolist())
print("einsum int", torch.einsum("ij,j->i", torch.arange(6).view(2, 3), torch.arange(3)).tolist(), torch.einsum("ij,j->i", torch.arange(6).view(2, 3), torch.arange(3)).dtype)
cov = torch.einsum("ni,nj->ij", x1 - x1.mean(0), x1 - x1.mean(0)) / (x1.shape[0] - 1)
print("covariance", torch.allclose(cov, torch.cov(x1.T)))
print("outer via einsum == torch.outer", torch.equal(torch.einsum("i,j->ij", v, v), torch.outer(v, v)), torch.ger(v, v).shape)
