# ruff: noqa: E501
# Skip-gram with negative sampling as word2vec blog posts write it: a vocabulary and (center,
# context) pairs built by hand from a toy corpus, two nn.Embedding tables, scores by bmm, the
# loss from F.logsigmoid, negatives drawn from the unigram^0.75 table (by a fixed rule, so both
# libraries agree), SGD, and nearest neighbours by cosine similarity and topk.
from collections import Counter

import torch
import torch.nn as nn
import torch.nn.functional as F

corpus = ("the king rules the land . the queen rules the land . a man walks the dog . "
          "a woman walks the dog . the king and the queen walk . the man and the woman walk .").split()
counts = Counter(corpus)
vocab = sorted(counts, key=lambda w: (-counts[w], w))
word_to_ix = {w: i for i, w in enumerate(vocab)}
print("vocab", len(vocab), vocab[:6])

WINDOW, NEG, DIM = 2, 3, 8
pairs = []
for i, w in enumerate(corpus):
    for j in range(max(0, i - WINDOW), min(len(corpus), i + WINDOW + 1)):
        if j != i:
            pairs.append((word_to_ix[w], word_to_ix[corpus[j]]))
print("pairs", len(pairs), pairs[:5])

freq = torch.tensor([counts[w] for w in vocab], dtype=torch.float)
unigram = freq.pow(0.75)
unigram = unigram / unigram.sum()
print("noise distribution", [round(p, 4) for p in unigram[:5].tolist()])
# a fixed "sample" from the noise distribution: quantiles of its cumulative sum
cdf = torch.cumsum(unigram, dim=0)
quantiles = (torch.arange(len(pairs) * NEG, dtype=torch.float) * 0.618034) % 1.0
negatives = torch.searchsorted(cdf, quantiles).clamp(max=len(vocab) - 1).view(len(pairs), NEG)
print("negatives", negatives.shape, negatives[:2].tolist())


class SkipGramNeg(nn.Module):
    def __init__(self, vocab_size, embed_dim):
        super().__init__()
        self.in_embed = nn.Embedding(vocab_size, embed_dim)
        self.out_embed = nn.Embedding(vocab_size, embed_dim)
        initrange = 0.5 / embed_dim
        self.in_embed.weight.data.uniform_(-initrange, initrange)
        self.out_embed.weight.data.uniform_(-0, 0)

    def forward(self, center, context, negative):
        v = self.in_embed(center)                     # (B, D)
        u = self.out_embed(context)                   # (B, D)
        u_neg = self.out_embed(negative)              # (B, K, D)
        pos = F.logsigmoid(torch.sum(u * v, dim=1))   # (B,)
        neg = torch.bmm(u_neg, v.unsqueeze(2)).squeeze(2)
        neg = F.logsigmoid(-neg).sum(1)               # (B,)
        return -(pos + neg).mean()


model = SkipGramNeg(len(vocab), DIM)
with torch.no_grad():  # the same start in both libraries
    k = torch.arange(len(vocab) * DIM, dtype=torch.float).view(len(vocab), DIM)
    model.in_embed.weight.copy_(torch.sin(k * 1.3) * 0.5)
    model.out_embed.weight.copy_(torch.cos(k * 0.9) * 0.1)
print("out_embed zero at start?", bool((model.out_embed.weight == 0).all()))

data = torch.tensor(pairs)
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
BATCH = 16
for epoch in range(15):
    total = 0.0
    for start in range(0, len(data), BATCH):
        batch = data[start:start + BATCH]
        loss = model(batch[:, 0], batch[:, 1], negatives[start:start + BATCH])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch)
    if epoch % 5 == 0 or epoch == 14:
        print(f"epoch {epoch:2d} loss {total / len(data):.5f}")

print("embedding grad", model.in_embed.weight.grad.shape, model.in_embed.weight.grad.dtype)
emb = F.normalize(model.in_embed.weight.detach(), dim=1)
sims = emb @ emb.T
sims.fill_diagonal_(-1.0)
for word in ("king", "man", "walks"):
    values, indices = sims[word_to_ix[word]].topk(3)
    print(word, "->", [vocab[i] for i in indices.tolist()], [round(v, 4) for v in values.tolist()])
print("cosine king/queen", F.cosine_similarity(emb[word_to_ix["king"]], emb[word_to_ix["queen"]], dim=0).item())
