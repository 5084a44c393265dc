# ruff: noqa: E501
# Gradient tricks from research code: a VQ-VAE's vector quantizer (codebook distances by the
# expanded square, argmin, F.embedding / one-hot matmul, the straight-through estimator
# x + (q - x).detach(), commitment loss, perplexity, and the EMA codebook update with
# index_add_ / bincount and Laplace smoothing); a gradient reversal layer (DANN) as an
# autograd.Function with a non-tensor argument; straight-through rounding as a Function with
# set_materialize_grads(False); an in-place Function with mark_dirty; and tensor hooks
# that clip and record gradients, retain_grad, and autograd.grad with allow_unused and
# materialize_grads.
import torch
import torch.nn as nn
import torch.nn.functional as F


class VectorQuantizerEMA(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, commitment_cost, decay, epsilon=1e-5):
        super().__init__()
        self._embedding_dim = embedding_dim
        self._num_embeddings = num_embeddings
        self._embedding = nn.Embedding(self._num_embeddings, self._embedding_dim)
        self._embedding.weight.data.normal_()
        self._commitment_cost = commitment_cost
        self.register_buffer("_ema_cluster_size", torch.zeros(num_embeddings))
        self._ema_w = nn.Parameter(torch.Tensor(num_embeddings, self._embedding_dim))
        self._ema_w.data.normal_()
        self._decay = decay
        self._epsilon = epsilon

    def forward(self, inputs):
        inputs = inputs.permute(0, 2, 3, 1).contiguous()
        input_shape = inputs.shape
        flat_input = inputs.view(-1, self._embedding_dim)
        distances = (torch.sum(flat_input ** 2, dim=1, keepdim=True)
                     + torch.sum(self._embedding.weight ** 2, dim=1)
                     - 2 * torch.matmul(flat_input, self._embedding.weight.t()))
        encoding_indices = torch.argmin(distances, dim=1).unsqueeze(1)
        encodings = torch.zeros(encoding_indices.shape[0], self._num_embeddings, device=inputs.device)
        encodings.scatter_(1, encoding_indices, 1)
        quantized = torch.matmul(encodings, self._embedding.weight).view(input_shape)
        if self.training:
            self._ema_cluster_size = self._ema_cluster_size * self._decay + (1 - self._decay) * torch.sum(encodings, 0)
            n = torch.sum(self._ema_cluster_size.data)
            self._ema_cluster_size = ((self._ema_cluster_size + self._epsilon) / (n + self._num_embeddings * self._epsilon) * n)
            dw = torch.matmul(encodings.t(), flat_input)
            self._ema_w = nn.Parameter(self._ema_w * self._decay + (1 - self._decay) * dw)
            self._embedding.weight = nn.Parameter(self._ema_w / self._ema_cluster_size.unsqueeze(1))
        e_latent_loss = F.mse_loss(quantized.detach(), inputs)
        loss = self._commitment_cost * e_latent_loss
        quantized = inputs + (quantized - inputs).detach()
        avg_probs = torch.mean(encodings, dim=0)
        perplexity = torch.exp(-torch.sum(avg_probs * torch.log(avg_probs + 1e-10)))
        return loss, quantized.permute(0, 3, 1, 2).contiguous(), perplexity, encodings


def quantize(z, codebook, beta=0.25):
    """The non-EMA quantizer: codebook and commitment losses, indices by cdist."""
    flat = z.reshape(-1, codebook.size(1))
    idx = torch.cdist(flat, codebook).argmin(dim=1)
    q = F.embedding(idx, codebook).view_as(z)
    loss = F.mse_loss(q, z.detach()) + beta * F.mse_loss(z, q.detach())
    return z + (q - z).detach(), loss, idx


vq = VectorQuantizerEMA(num_embeddings=6, embedding_dim=4, commitment_cost=0.25, decay=0.9)
with torch.no_grad():
    k = torch.arange(24, dtype=torch.float32).view(6, 4)
    vq._embedding.weight.copy_(torch.sin(k * 0.9))
    vq._ema_w.copy_(torch.sin(k * 0.9))
z = torch.cos(torch.arange(2 * 4 * 3 * 3, dtype=torch.float32) * 0.37).view(2, 4, 3, 3).requires_grad_(True)
loss, quantized, perplexity, encodings = vq(z)
print("vq loss", round(loss.item(), 5), "perplexity", round(perplexity.item(), 4), "codes used", encodings.sum(0).tolist())
(quantized.sum() + loss).backward()
print("straight-through grad", [round(v, 5) for v in z.grad.flatten()[:4].tolist()], "codebook is a leaf:", vq._embedding.weight.is_leaf)
print("ema cluster size", [round(v, 4) for v in vq._ema_cluster_size.tolist()])
print("new codebook row 0", [round(v, 4) for v in vq._embedding.weight[0].tolist()])
vq.eval()
_, _, perplexity, enc = vq(z.detach())
print("eval perplexity", round(perplexity.item(), 4))

codebook = nn.Parameter(torch.sin(torch.arange(20, dtype=torch.float32).view(5, 4) * 1.1))
z2 = torch.cos(torch.arange(24, dtype=torch.float32) * 0.5).view(6, 4).requires_grad_(True)
q, qloss, idx = quantize(z2, codebook)
(q.pow(2).sum() + qloss).backward()
print("indices", idx.tolist(), "bincount", torch.bincount(idx, minlength=5).tolist())
print("codebook grad rows", [round(v, 5) for v in codebook.grad.sum(1).tolist()])
print("encoder grad", [round(v, 5) for v in z2.grad[0].tolist()])


class GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, alpha):
        ctx.alpha = alpha
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.neg() * ctx.alpha, None


def grad_reverse(x, alpha=1.0):
    return GradReverse.apply(x, alpha)


features = nn.Linear(3, 4)
label_head, domain_head = nn.Linear(4, 2), nn.Linear(4, 2)
for i, m in enumerate((features, label_head, domain_head)):
    with torch.no_grad():
        m.weight.copy_(torch.sin(torch.arange(m.weight.numel(), dtype=torch.float32) + i).view_as(m.weight))
        m.bias.zero_()
x = torch.cos(torch.arange(15, dtype=torch.float32)).view(5, 3)
h = features(x)
label_loss = F.cross_entropy(label_head(h), torch.tensor([0, 1, 0, 1, 1]))
domain_loss = F.cross_entropy(domain_head(grad_reverse(h, 0.5)), torch.tensor([0, 0, 1, 1, 1]))
(label_loss + domain_loss).backward()
g_rev = features.weight.grad.clone()
features.zero_grad()
(label_loss.detach() * 0 + F.cross_entropy(label_head(features(x)), torch.tensor([0, 1, 0, 1, 1])) - 0.5 * F.cross_entropy(domain_head(features(x)), torch.tensor([0, 0, 1, 1, 1]))).backward()
print("gradient reversal == minus alpha times the domain gradient:", torch.allclose(g_rev, features.weight.grad, atol=1e-6))


class RoundSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return torch.round(x)

    @staticmethod
    def backward(ctx, grad_output):
        if grad_output is None:
            return None
        return grad_output


w = torch.tensor([0.4, 1.6, -2.5, 2.5], requires_grad=True)
y = RoundSTE.apply(w * 2)
(y * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
print("rounded", y.tolist(), "ste grad", w.grad.tolist())


class ClampInPlace(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        mask = (x > 0) & (x < 1)
        x.clamp_(0, 1)
        ctx.mark_dirty(x)
        ctx.save_for_backward(mask)
        return x

    @staticmethod
    def backward(ctx, grad_output):
        (mask,) = ctx.saved_tensors
        return grad_output * mask


a = torch.tensor([-0.5, 0.25, 0.75, 1.5], requires_grad=True)
b = a * 1.0
out = ClampInPlace.apply(b)
print("in place:", out is b, b.tolist(), type(b.grad_fn).__name__.startswith("ClampInPlace"))
(out * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
print("mark_dirty grad", a.grad.tolist())

# hooks: clip each gradient as it flows, record norms, keep a non-leaf's grad
recorded = []
p = torch.tensor([3.0, -4.0], requires_grad=True)
handle = p.register_hook(lambda g: g.clamp(-1.0, 1.0))
mid = p * torch.tensor([10.0, 0.05])
mid.retain_grad()
mid.register_hook(lambda g: recorded.append(g.norm().item()))
(mid ** 2).sum().backward()
print("clipped grad", p.grad.tolist(), "mid grad", mid.grad.tolist(), "recorded", [round(v, 4) for v in recorded])
handle.remove()
p.grad = None
(p * 3).sum().backward()
print("after remove", p.grad.tolist())
u, v = torch.tensor(2.0, requires_grad=True), torch.tensor(5.0, requires_grad=True)
gu, gv = torch.autograd.grad(u ** 3, (u, v), allow_unused=True)
print("allow_unused", gu.item(), gv)
gu, gv = torch.autograd.grad(u ** 3, (u, v), allow_unused=True, materialize_grads=True)
print("materialize_grads", gu.item(), gv.item())
t = torch.randn(3, dtype=torch.double, requires_grad=True)
print("gradcheck of the reversal (wrong on purpose):", torch.autograd.gradcheck(lambda t: GradReverse.apply(t, 1.0), (t,), raise_exception=False))
print("gradcheck of the STE (not the true gradient):", torch.autograd.gradcheck(lambda t: RoundSTE.apply(t) - torch.round(t).detach() + t.detach() * 0, (t,), raise_exception=False))
