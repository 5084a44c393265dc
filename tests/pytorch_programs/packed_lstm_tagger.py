# ruff: noqa: E501
# Variable-length sequences through a bidirectional 2-layer LSTM and a GRU: pad_sequence,
# pack_padded_sequence(enforce_sorted=False), pad_packed_sequence, masks, and a few SGD steps.
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

seqs = [torch.tensor([1, 4, 2]), torch.tensor([3, 1, 1, 4, 2]), torch.tensor([2])]
lengths = torch.tensor([len(s) for s in seqs])
padded = pad_sequence(seqs, batch_first=True, padding_value=0)
print(padded, lengths, pad_sequence(seqs).shape)


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(5, 3, padding_idx=0)
        self.lstm = nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)
        self.gru = nn.GRU(8, 2, batch_first=True)
        self.out = nn.Linear(2, 3)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(self.emb(x), lengths, batch_first=True, enforce_sorted=False)
        h, (hn, cn) = self.lstm(packed)
        h2, gn = self.gru(h)
        y, out_lengths = pad_packed_sequence(h2, batch_first=True)
        return self.out(y), hn, cn, gn, out_lengths


model = Tagger()
with torch.no_grad():
    for i, (name, p) in enumerate(model.named_parameters()):
        p.copy_(torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 0.7 + i).view_as(p) * 0.4)
    model.emb.weight[0].zero_()
print([(n, tuple(p.shape)) for n, p in model.named_parameters()][:6])
tags = torch.tensor([[0, 1, 2, 0, 0], [2, 2, 1, 0, 1], [1, 0, 0, 0, 0]])
mask = torch.arange(padded.size(1))[None, :] < lengths[:, None]
opt = torch.optim.SGD(model.parameters(), lr=0.5)
for step in range(3):
    logits, hn, cn, gn, out_lengths = model(padded, lengths)
    loss = nn.functional.cross_entropy(logits[mask], tags[mask])
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_value_(model.parameters(), 0.5)
    opt.step()
    print(step, round(loss.item(), 5), logits.shape, hn.shape, cn.shape, gn.shape, out_lengths)
print(logits[2, 0], logits[0, 2], model.emb.weight.grad[0], hn[-1, 1], gn[0, 2])
with torch.no_grad():
    h, (hn, _) = model.lstm(model.emb(padded[1:2]))
    print(h.shape, torch.allclose(torch.cat([hn[-2], hn[-1]], 1), torch.cat([h[:, -1, :4], h[:, 0, 4:]], 1), atol=1e-6))
    print(logits.argmax(-1)[mask], (logits.argmax(-1) == tags)[mask].float().mean())
