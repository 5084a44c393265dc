# ruff: noqa: E501
# A speech-recognition toy with CTC (the torchaudio/DeepSpeech-style tutorials): a small
# Conv1d + GRU acoustic model over feature frames, log_softmax over (T, N, C), nn.CTCLoss with
# padded targets, input/target lengths and zero_infinity, greedy decoding that collapses
# repeats and drops blanks with unique_consecutive, and the CTC loss of a single alignment
# checked against a hand-written forward algorithm.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

T, N, C = 12, 2, 5  # frames, batch, classes (0 = blank)
feats = torch.stack([torch.sin(torch.arange(T * 4, dtype=torch.float32).view(T, 4) * (n + 1) * 0.3) for n in range(N)], dim=0)  # (N, T, 4)
targets = torch.tensor([[1, 2, 2, 3], [4, 1, 0, 0]])
target_lengths = torch.tensor([4, 2])
input_lengths = torch.tensor([12, 9])


class Acoustic(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 8, kernel_size=3, padding=1)
        self.rnn = nn.GRU(8, 8, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(16, C)

    def forward(self, x):
        h = F.relu(self.conv(x.transpose(1, 2))).transpose(1, 2)
        h, _ = self.rnn(h)
        return self.fc(h)


model = Acoustic()
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 0.57 + i).view_as(p) * 0.4)
log_probs = model(feats).log_softmax(2).transpose(0, 1)  # (T, N, C)
ctc = nn.CTCLoss(blank=0, reduction="mean", zero_infinity=True)
loss = ctc(log_probs, targets, input_lengths, target_lengths)
print("ctc", round(loss.item(), 5), "sum", round(F.ctc_loss(log_probs, targets, input_lengths, target_lengths, reduction="sum").item(), 5))
print("none", F.ctc_loss(log_probs, targets, input_lengths, target_lengths, reduction="none").detach().numpy().round(4).tolist())
loss.backward()
print("grad", model.fc.bias.grad.numpy().round(5).tolist())


def ctc_forward(lp, target, blank=0):
    ext = [blank]
    for c in target:
        ext += [int(c), blank]
    S = len(ext)
    alpha = torch.full((S,), -math.inf, dtype=lp.dtype)
    alpha[0] = lp[0, blank]
    alpha[1] = lp[0, ext[1]]
    for t in range(1, lp.shape[0]):
        prev = alpha.clone()
        for s in range(S):
            cands = [prev[s]]
            if s >= 1:
                cands.append(prev[s - 1])
            if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2]:
                cands.append(prev[s - 2])
            alpha[s] = torch.logsumexp(torch.stack(cands), 0) + lp[t, ext[s]]
    return -torch.logsumexp(alpha[-2:], 0)


with torch.no_grad():
    lp0 = log_probs[:, 0]
    mine = ctc_forward(lp0, targets[0, :4])
    ref = F.ctc_loss(lp0.unsqueeze(1), targets[:1, :4], torch.tensor([12]), torch.tensor([4]), reduction="sum")
print("forward algorithm matches:", round(mine.item(), 5), round(ref.item(), 5))

opt = torch.optim.Adam(model.parameters(), lr=0.02)
for step in range(40):
    log_probs = model(feats).log_softmax(-1).permute(1, 0, 2)
    loss = ctc(log_probs, targets, input_lengths, target_lengths)
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    opt.step()
print("trained ctc < 3:", loss.item() < 3.0)


def greedy_decode(lp, length):
    best = lp[:length].argmax(-1)
    collapsed = torch.unique_consecutive(best)
    return collapsed[collapsed != 0].tolist()


with torch.no_grad():
    lp = model(feats).log_softmax(-1)
print("decoded shapes", [len(greedy_decode(lp[n], input_lengths[n])) >= 0 for n in range(N)])
print("unique_consecutive", torch.unique_consecutive(torch.tensor([0, 0, 1, 1, 0, 2, 2, 2, 0])).tolist(), [c.tolist() for c in torch.unique_consecutive(torch.tensor([1, 1, 2, 3, 3]), return_counts=True)])
concat_targets = torch.cat([targets[0, :4], targets[1, :2]])
print("concatenated targets", round(F.ctc_loss(model(feats).log_softmax(-1).transpose(0, 1), concat_targets, input_lengths, target_lengths).item(), 5) > 0)
short = F.ctc_loss(torch.zeros(2, 1, 3).log_softmax(-1), torch.tensor([[1, 2, 1]]), torch.tensor([2]), torch.tensor([3]), reduction="none", zero_infinity=False)
print("impossible alignment", short.tolist(), F.ctc_loss(torch.zeros(2, 1, 3).log_softmax(-1), torch.tensor([[1, 2, 1]]), torch.tensor([2]), torch.tensor([3]), zero_infinity=True).item())
