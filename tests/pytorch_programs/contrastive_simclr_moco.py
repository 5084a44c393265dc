# ruff: noqa: E501
# Self-supervised contrastive learning as SimCLR and MoCo re-implementations write it: the
# NT-Xent loss with a (2N, 2N) cosine-similarity matrix, the diagonal masked by
# masked_fill(torch.eye(...).bool(), -inf) and positives picked by roll; the same loss by the
# "labels = arange" cross-entropy form; a MoCo key encoder made by deepcopy and updated by
# momentum under no_grad (param_k.data.mul_(m).add_(param_q.data, alpha=1 - m)), a queue kept
# as a registered buffer with a pointer, enqueued by slice assignment, logits from
# torch.einsum("nc,nc->n") and ("nc,ck->nk"), and a Siamese contrastive loss on pairs with
# F.pairwise_distance. "Augmentations" are fixed transformations, so both libraries agree.
import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Encoder(nn.Module):
    def __init__(self, dim_in=6, hidden=16, dim_out=8):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(dim_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU())
        self.projector = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, dim_out))

    def forward(self, x):
        return self.projector(self.backbone(x))


def set_weights(model, phase):
    with torch.no_grad():
        for i, (name, p) in enumerate(model.named_parameters()):
            if p.dim() > 1:
                k = torch.arange(p.numel(), dtype=torch.float32)
                p.copy_((torch.sin(k * phase + i) / math.sqrt(p.shape[-1])).reshape(p.shape))
            elif name.endswith("bias"):
                p.zero_()


def nt_xent(z1, z2, temperature=0.5):
    n = z1.size(0)
    z = F.normalize(torch.cat([z1, z2], dim=0), dim=1)
    sim = z @ z.T / temperature
    sim = sim.masked_fill(torch.eye(2 * n, dtype=torch.bool), float("-inf"))
    pos = torch.roll(torch.arange(2 * n), n)
    return F.cross_entropy(sim, pos)


def nt_xent_explicit(z1, z2, temperature=0.5):
    batch_size = z1.shape[0]
    representations = torch.cat([z1, z2], dim=0)
    similarity_matrix = F.cosine_similarity(representations.unsqueeze(1), representations.unsqueeze(0), dim=2)
    sim_ij = torch.diag(similarity_matrix, batch_size)
    sim_ji = torch.diag(similarity_matrix, -batch_size)
    positives = torch.cat([sim_ij, sim_ji], dim=0)
    negatives_mask = (~torch.eye(batch_size * 2, batch_size * 2, dtype=torch.bool)).float()
    nominator = torch.exp(positives / temperature)
    denominator = negatives_mask * torch.exp(similarity_matrix / temperature)
    loss_partial = -torch.log(nominator / torch.sum(denominator, dim=1))
    return torch.sum(loss_partial) / (2 * batch_size)


def augment(x, k):
    """A fixed 'augmentation': a feature permutation, scaling and a shift."""
    perm = torch.roll(torch.arange(x.size(1)), k)
    return x[:, perm] * (1.0 + 0.1 * k) + 0.05 * k


data = torch.sin(torch.arange(8 * 6, dtype=torch.float32).view(8, 6) * 0.41) + torch.cos(torch.arange(8, dtype=torch.float32)).unsqueeze(1)
model = Encoder()
set_weights(model, 0.67)
z1, z2 = model(augment(data, 1)), model(augment(data, 2))
print("nt-xent", round(nt_xent(z1, z2).item(), 5), "explicit form", round(nt_xent_explicit(z1, z2).item(), 5))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
for step in range(10):
    loss = nt_xent(model(augment(data, 1)), model(augment(data, 2)), temperature=0.2)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 3 == 0:
        print(f"simclr step {step} loss {loss.item():.5f}")


class MoCo(nn.Module):
    def __init__(self, dim=8, K=12, m=0.99, T=0.07):
        super().__init__()
        self.K, self.m, self.T = K, m, T
        self.encoder_q = Encoder(dim_out=dim)
        set_weights(self.encoder_q, 0.29)
        self.encoder_k = copy.deepcopy(self.encoder_q)
        for param_k in self.encoder_k.parameters():
            param_k.requires_grad = False
        self.register_buffer("queue", F.normalize(torch.cos(torch.arange(dim * K, dtype=torch.float32).view(dim, K)), dim=0))
        self.register_buffer("queue_ptr", torch.zeros(1, dtype=torch.long))

    @torch.no_grad()
    def _momentum_update_key_encoder(self):
        for param_q, param_k in zip(self.encoder_q.parameters(), self.encoder_k.parameters()):
            param_k.data.mul_(self.m).add_(param_q.data, alpha=1.0 - self.m)

    @torch.no_grad()
    def _dequeue_and_enqueue(self, keys):
        batch_size = keys.shape[0]
        ptr = int(self.queue_ptr)
        assert self.K % batch_size == 0
        self.queue[:, ptr:ptr + batch_size] = keys.T
        ptr = (ptr + batch_size) % self.K
        self.queue_ptr[0] = ptr

    def forward(self, im_q, im_k):
        q = nn.functional.normalize(self.encoder_q(im_q), dim=1)
        with torch.no_grad():
            self._momentum_update_key_encoder()
            k = nn.functional.normalize(self.encoder_k(im_k), dim=1)
        l_pos = torch.einsum("nc,nc->n", [q, k]).unsqueeze(-1)
        l_neg = torch.einsum("nc,ck->nk", [q, self.queue.clone().detach()])
        logits = torch.cat([l_pos, l_neg], dim=1)
        logits /= self.T
        labels = torch.zeros(logits.shape[0], dtype=torch.long)
        self._dequeue_and_enqueue(k)
        return logits, labels


moco = MoCo()
opt = torch.optim.SGD(moco.encoder_q.parameters(), lr=0.05, momentum=0.9)
criterion = nn.CrossEntropyLoss()
for step in range(5):
    batch = data[(step * 4) % 8:(step * 4) % 8 + 4]
    logits, labels = moco(augment(batch, 1), augment(batch, 3))
    loss = criterion(logits, labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    acc = (logits.argmax(1) == labels).float().mean().item()
    print(f"moco step {step} logits {tuple(logits.shape)} loss {loss.item():.5f} acc {acc:.2f} ptr {int(moco.queue_ptr)}")
drift = sum((a - b).abs().sum().item() for a, b in zip(moco.encoder_q.parameters(), moco.encoder_k.parameters()))
print("key encoder lags the query encoder by", round(drift, 5), "; frozen:", not any(p.requires_grad for p in moco.encoder_k.parameters()))
print("queue", tuple(moco.queue.shape), "norms", [round(v, 4) for v in moco.queue.norm(dim=0)[:4].tolist()], "in state_dict:", "queue_ptr" in moco.state_dict())


class ContrastiveLoss(nn.Module):
    def __init__(self, margin=2.0):
        super().__init__()
        self.margin = margin

    def forward(self, output1, output2, label):
        euclidean_distance = F.pairwise_distance(output1, output2, keepdim=True)
        return torch.mean((1 - label) * torch.pow(euclidean_distance, 2) + label * torch.pow(torch.clamp(self.margin - euclidean_distance, min=0.0), 2))


siamese = Encoder()
set_weights(siamese, 0.53)
siamese.eval()
a, b = data[:4], data[4:]
same = torch.tensor([[0.0], [1.0], [0.0], [1.0]])
loss = ContrastiveLoss()(siamese(a), siamese(b), same)
loss.backward()
print("siamese contrastive loss", round(loss.item(), 5), "grad", round(siamese.projector[2].weight.grad.abs().sum().item(), 5))
