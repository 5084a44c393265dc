# ruff: noqa: E501
# Image captioning as the "Show and Tell" tutorials write it, on 16x16 deterministic images: a
# CNN encoder with AdaptiveAvgPool2d and a Linear embedding under BatchNorm1d, an LSTM decoder
# fed the image feature then the caption embeddings (teacher forcing), targets packed with
# pack_padded_sequence(...)[0], greedy sampling with an explicit (h, c) state, and beam search
# with log_softmax, topk over the flattened beam x vocab scores, integer division for the beam
# index and completed sequences set aside.
import math

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence


class EncoderCNN(nn.Module):
    def __init__(self, embed_size):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)))
        # no bias before BatchNorm: its true gradient is 0, so Adam would turn float32 rounding
        # noise into steps of size lr that the running mean then records
        self.linear = nn.Linear(16, embed_size, bias=False)
        self.bn = nn.BatchNorm1d(embed_size, momentum=0.01)

    def forward(self, images):
        with torch.no_grad():
            features = self.features(images)
        features = features.reshape(features.size(0), -1)
        return self.bn(self.linear(features))


class DecoderRNN(nn.Module):
    def __init__(self, embed_size, hidden_size, vocab_size, num_layers, max_seq_length=8):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.lstm = nn.LSTM(embed_size, hidden_size, num_layers, batch_first=True)
        self.linear = nn.Linear(hidden_size, vocab_size)
        self.max_seg_length = max_seq_length

    def forward(self, features, captions, lengths):
        embeddings = self.embed(captions)
        embeddings = torch.cat((features.unsqueeze(1), embeddings), 1)
        packed = pack_padded_sequence(embeddings, lengths, batch_first=True)
        hiddens, _ = self.lstm(packed)
        return self.linear(hiddens[0])

    def sample(self, features, states=None):
        sampled_ids = []
        inputs = features.unsqueeze(1)
        for i in range(self.max_seg_length):
            hiddens, states = self.lstm(inputs, states)
            outputs = self.linear(hiddens.squeeze(1))
            _, predicted = outputs.max(1)
            sampled_ids.append(predicted)
            inputs = self.embed(predicted).unsqueeze(1)
        return torch.stack(sampled_ids, 1)

    def beam_search(self, feature, k=3, end_token=2):
        """feature: (1, embed). Returns the best sequence and its log-probability."""
        inputs = feature.unsqueeze(1).expand(k, 1, feature.size(1))
        hiddens, states = self.lstm(inputs)
        log_probs = torch.log_softmax(self.linear(hiddens.squeeze(1)), dim=1)
        top_scores, top_words = log_probs[0].topk(k)
        seqs = top_words.unsqueeze(1)
        scores = top_scores
        complete, complete_scores = [], []
        for step in range(self.max_seg_length - 1):
            inputs = self.embed(seqs[:, -1]).unsqueeze(1)
            hiddens, states = self.lstm(inputs, states)
            log_probs = torch.log_softmax(self.linear(hiddens.squeeze(1)), dim=1)
            cand = (scores.unsqueeze(1) + log_probs).view(-1)
            top_scores, top_idx = cand.topk(seqs.size(0))
            prev = torch.div(top_idx, log_probs.size(1), rounding_mode="floor")
            nxt = top_idx % log_probs.size(1)
            seqs = torch.cat([seqs[prev], nxt.unsqueeze(1)], dim=1)
            states = tuple(s[:, prev] for s in states)
            done = nxt == end_token
            for j in torch.nonzero(done).flatten().tolist():
                complete.append(seqs[j].tolist())
                complete_scores.append(top_scores[j].item())
            keep = ~done
            if keep.sum() == 0:
                break
            seqs, scores = seqs[keep], top_scores[keep]
            states = tuple(s[:, keep] for s in states)
        if not complete:
            complete, complete_scores = [s.tolist() for s in seqs], scores.tolist()
        best = max(range(len(complete)), key=lambda i: complete_scores[i] / len(complete[i]))
        return complete[best], complete_scores[best]


def set_weights(model, phase):
    with torch.no_grad():
        for i, (name, p) in enumerate(model.named_parameters()):
            if p.dim() > 1:
                k = torch.arange(p.numel(), dtype=torch.float32)
                p.copy_((torch.sin(k * phase + i) * 1.5 / math.sqrt(p[0].numel())).reshape(p.shape))
            elif "bias" in name:  # bias, and the LSTM's bias_ih_l0 / bias_hh_l0
                p.zero_()


vocab_size, embed_size, hidden_size = 12, 8, 16
encoder, decoder = EncoderCNN(embed_size), DecoderRNN(embed_size, hidden_size, vocab_size, 1)
set_weights(encoder, 0.61)
set_weights(decoder, 0.43)
images = torch.stack([torch.sin(torch.arange(3 * 16 * 16, dtype=torch.float32) * (0.02 + 0.01 * b)).view(3, 16, 16) for b in range(4)])
captions = torch.tensor([[1, 4, 5, 6, 7, 2], [1, 8, 9, 2, 0, 0], [1, 3, 3, 10, 2, 0], [1, 11, 2, 0, 0, 0]])
lengths = [6, 4, 5, 3]
order = sorted(range(4), key=lambda i: -lengths[i])
images, captions, lengths = images[order], captions[order], [lengths[i] for i in order]
targets = pack_padded_sequence(captions, lengths, batch_first=True)[0]
print("lengths", lengths, "targets", targets.shape, targets[:8].tolist())
criterion = nn.CrossEntropyLoss()
params = list(decoder.parameters()) + list(encoder.linear.parameters()) + list(encoder.bn.parameters())
optimizer = torch.optim.Adam(params, lr=0.01)
for step in range(20):
    features = encoder(images)
    outputs = decoder(features, captions[:, :-1], [n - 1 + 1 for n in lengths])
    loss = criterion(outputs, pack_padded_sequence(torch.cat([captions[:, :1], captions[:, 1:]], 1), lengths, batch_first=True)[0])
    decoder.zero_grad()
    encoder.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 5 == 4:
        print(f"step {step + 1} loss {loss.item():.5f} perplexity {math.exp(loss.item()):.4f}")
encoder.eval()
with torch.no_grad():
    feature = encoder(images)
    print("greedy", decoder.sample(feature).tolist())
    for b in range(2):
        seq, score = decoder.beam_search(feature[b:b + 1], k=3)
        print("beam", seq, round(score, 5))
