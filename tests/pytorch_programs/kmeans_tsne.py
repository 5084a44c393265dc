# ruff: noqa: E501
# k-means and t-SNE written in plain torch, as in the "clustering on the GPU with PyTorch" posts
# and course homework: k-means++-free deterministic init, assignment by torch.cdist(...).argmin,
# centroid update with index_add_ / bincount (empty clusters kept), inertia, the same update
# with scatter_reduce(mean) and one_hot matmul; t-SNE's per-point binary search for the Gaussian
# bandwidth matching a perplexity, symmetrised P, Student-t Q with fill_diagonal_, the KL
# gradient written by hand and checked against autograd, early exaggeration, and momentum.
import math

import torch
import torch.nn.functional as F

torch.manual_seed(0)
centers = torch.tensor([[0.0, 0.0], [4.0, 4.0], [0.0, 5.0]], dtype=torch.float64)
k = torch.arange(30, dtype=torch.float64)
X = centers[torch.arange(30) % 3] + 0.6 * torch.stack([torch.sin(k * 1.7), torch.cos(k * 2.3)], dim=1)
print("X", X.shape, X.mean(dim=0))


def kmeans(X, num_clusters, iters=10):
    C = X[:num_clusters * 7:7].clone()
    for it in range(iters):
        dist = torch.cdist(X, C)
        labels = dist.argmin(dim=1)
        counts = torch.bincount(labels, minlength=num_clusters).float()
        sums = torch.zeros_like(C).index_add_(0, labels, X)
        new_C = torch.where(counts[:, None] > 0, sums / counts.clamp(min=1)[:, None], C)
        shift = (new_C - C).norm(dim=1).max()
        C = new_C
        if shift < 1e-6:
            break
    inertia = ((X - C[labels]) ** 2).sum()
    return labels, C, inertia, it


labels, C, inertia, iters = kmeans(X, 3)
print("labels", labels.tolist())
print("centroids", C.numpy().round(4).tolist(), "inertia", round(inertia.item(), 4), "iterations", iters)
print("counts", torch.bincount(labels).tolist(), "unique", torch.unique(labels, return_counts=True)[1].tolist())
C2 = torch.zeros(3, 2, dtype=X.dtype).scatter_reduce(0, labels[:, None].expand(-1, 2), X, reduce="mean", include_self=False)
oh = F.one_hot(labels, 3).to(X.dtype)
C3 = (oh.T @ X) / oh.sum(0, keepdim=True).T
print("scatter_reduce mean == one_hot:", torch.allclose(C2, C3, atol=1e-6), torch.allclose(C, C3, atol=1e-6))
sorted_labels, perm = labels.sort(stable=True)
print("sorted", sorted_labels[:12].tolist(), perm[:6].tolist())


def binary_search_perplexity(D, perplexity=5.0, tol=1e-5, max_iter=50):
    n = D.shape[0]
    P = torch.zeros(n, n, dtype=D.dtype)
    target = math.log(perplexity)
    betas = torch.ones(n, dtype=D.dtype)
    for i in range(n):
        lo, hi = None, None
        beta = 1.0
        d = torch.cat([D[i, :i], D[i, i + 1:]])
        for _ in range(max_iter):
            p = torch.exp(-d * beta)
            sum_p = p.sum().clamp_min(1e-12)
            H = torch.log(sum_p) + beta * (d * p).sum() / sum_p
            diff = H.item() - target
            if abs(diff) < tol:
                break
            if diff > 0:
                lo = beta
                beta = beta * 2 if hi is None else (beta + hi) / 2
            else:
                hi = beta
                beta = beta / 2 if lo is None else (beta + lo) / 2
        row = p / sum_p
        P[i, :i], P[i, i + 1:] = row[:i], row[i:]
        betas[i] = beta
    return P, betas


Xd = X.double()
D = torch.cdist(Xd, Xd).pow(2)
P_cond, betas = binary_search_perplexity(D)
print("row sums", torch.allclose(P_cond.sum(1), torch.ones(30, dtype=torch.float64)), "beta range", round(betas.min().item(), 4), round(betas.max().item(), 4))
P = (P_cond + P_cond.T) / (2 * 30)
P = P.clamp_min(1e-12)
print("P symmetric", torch.equal(P, P.T), "sum", round(P.sum().item(), 6))

Y = torch.stack([torch.sin(k * 0.9), torch.cos(k * 0.4)], dim=1) * 1e-2


def tsne_grad(P, Y):
    num = 1.0 / (1.0 + torch.cdist(Y, Y).pow(2))
    num.fill_diagonal_(0.0)
    Q = (num / num.sum()).clamp_min(1e-12)
    PQ = (P - Q) * num
    grad = 4.0 * (PQ.sum(1, keepdim=True) * Y - PQ @ Y)
    kl = (P * (P / Q).log()).sum()
    return grad, kl


def kl_autograd(P, Y):
    diff = Y.unsqueeze(1) - Y.unsqueeze(0)
    num = 1.0 / (1.0 + (diff ** 2).sum(-1))
    num = num * (1 - torch.eye(len(Y), dtype=Y.dtype))
    Q = (num / num.sum()).clamp_min(1e-12)
    return (P * (P.log() - Q.log())).sum()


Yg = Y.clone().requires_grad_(True)
kl_autograd(P, Yg).backward()
g, kl = tsne_grad(P, Y)
print("hand gradient == autograd:", torch.allclose(g, Yg.grad, atol=1e-10), "kl", round(kl.item(), 6))

velocity = torch.zeros_like(Y)
for it in range(150):
    exaggeration = 4.0 if it < 50 else 1.0
    g, kl = tsne_grad(P * exaggeration, Y)
    momentum = 0.5 if it < 50 else 0.8
    velocity = momentum * velocity - 10.0 * g
    Y = Y + velocity
    Y = Y - Y.mean(0)
    if it % 50 == 49:
        print(f"iter {it + 1} kl {tsne_grad(P, Y)[1].item():.5f}")
emb_labels, _, _, _ = kmeans(Y.float(), 3)
agree = (F.one_hot(emb_labels, 3).T.float() @ F.one_hot(labels, 3).float()).max(dim=1).values.sum()
print("clusters preserved in the embedding:", int(agree), "of 30")
