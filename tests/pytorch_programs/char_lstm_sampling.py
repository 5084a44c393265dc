# ruff: noqa: E501
# A character-level LSTM language model in the style of min-char-rnn ports: vocabulary from
# sorted(set(text)), an Embedding + nn.LSTM(batch_first) + Linear, truncated BPTT with the
# hidden state detached between chunks, gradient clipping, perplexity, then generation with
# temperature and top-k sampling via torch.multinomial under torch.manual_seed, and greedy
# decoding. The random draws of the two libraries differ, so only what the seed cannot change
# is printed for the sampled text (its length, that it uses the vocabulary, that the same seed
# gives the same text); greedy decoding is deterministic and printed in full.
import torch
import torch.nn as nn
import torch.nn.functional as F

text = "hello world. hello there. the world is wide. " * 4
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
itos = {i: c for c, i in stoi.items()}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
print(len(chars), data.shape, data[:12].tolist())


class CharLSTM(nn.Module):
    def __init__(self, vocab, emb=12, hidden=32):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, num_layers=2, batch_first=True, dropout=0.0)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, idx, state=None):
        h, state = self.lstm(self.embed(idx), state)
        return self.out(h), state


model = CharLSTM(len(chars))
with torch.no_grad():
    for i, (name, p) in enumerate(model.named_parameters()):
        p.copy_(0.15 * torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 0.77 + i).view_as(p))
print([(n, tuple(p.shape)) for n, p in model.named_parameters()][:6])
opt = torch.optim.Adam(model.parameters(), lr=0.01)
seq_len, batch = 16, 4
starts = torch.arange(batch) * (len(data) // batch)
for epoch in range(6):
    state = None
    total, count = 0.0, 0
    for offset in range(0, len(data) // batch - seq_len - 1, seq_len):
        idx = torch.stack([data[s + offset: s + offset + seq_len] for s in starts.tolist()])
        tgt = torch.stack([data[s + offset + 1: s + offset + seq_len + 1] for s in starts.tolist()])
        if state is not None:
            state = tuple(s.detach() for s in state)
        logits, state = model(idx, state)
        loss = F.cross_entropy(logits.reshape(-1, len(chars)), tgt.reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        total, count = total + loss.item() * tgt.numel(), count + tgt.numel()
    print(epoch, round(total / count, 4), "ppl", round(torch.exp(torch.tensor(total / count)).item(), 3))


@torch.no_grad()
def generate(prompt, n, temperature=1.0, top_k=None, greedy=False):
    model.eval()
    idx = torch.tensor([[stoi[c] for c in prompt]])
    logits, state = model(idx)
    out = list(prompt)
    for _ in range(n):
        last = logits[:, -1, :] / temperature
        if top_k is not None:
            v, _ = torch.topk(last, top_k)
            last = last.masked_fill(last < v[:, [-1]], float("-inf"))
        probs = F.softmax(last, dim=-1)
        nxt = probs.argmax(dim=-1, keepdim=True) if greedy else torch.multinomial(probs, num_samples=1)
        out.append(itos[nxt.item()])
        logits, state = model(nxt, state)
    return "".join(out)


print(repr(generate("hel", 20, greedy=True)))
torch.manual_seed(0)
s1 = generate("the ", 30, temperature=0.8, top_k=5)
torch.manual_seed(0)
s2 = generate("the ", 30, temperature=0.8, top_k=5)
s3 = generate("the ", 30, temperature=1e-3)
print(len(s1), s1 == s2, set(s1) <= set(chars), s3 == generate("the ", 30, greedy=True))
probs = torch.tensor([[0.0, 0.2, 0.8], [1.0, 0.0, 0.0]])
draws = torch.multinomial(probs, num_samples=2)
print(draws.shape, draws.dtype, draws[1, 0].item(), bool((draws[0] != 0).all()))
draws = torch.multinomial(probs[0], 50, replacement=True)
print(draws.shape, bool((draws > 0).all()), torch.bincount(draws, minlength=3)[0].item())
g = torch.Generator().manual_seed(3)
a = torch.multinomial(probs[0], 10, replacement=True, generator=g)
g.manual_seed(3)
print(torch.equal(a, torch.multinomial(probs[0], 10, replacement=True, generator=g)))
