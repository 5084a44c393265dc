# Sequence models in the manner of PyTorch's "Sequence Models and LSTM Networks" tutorial: an
# LSTM part-of-speech tagger, a GRU that predicts the next value of a wave, an RNN classifier
# over a batch_first sequence, an LSTMCell unrolled by hand and a batch of sentences of
# different lengths, padded and packed. Weights are set from sines so
# both libraries start (and so stay) at the same numbers.
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence


def fill_(module, scale=0.4):
    """Every parameter from a sine of its positions: deterministic, varied, small."""
    with torch.no_grad():
        for i, p in enumerate(module.parameters()):
            p.copy_(scale * torch.sin(torch.arange(p.numel()) * 0.731 + i).reshape(p.shape))


# *** an LSTM tagger: words -> embeddings -> LSTM -> tag scores ***
training_data = [
    ("the dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("everybody read that book".split(), ["NN", "V", "DET", "NN"]),
]
word_to_ix = {}
for sentence, _ in training_data:
    for word in sentence:
        word_to_ix.setdefault(word, len(word_to_ix))
tag_to_ix = {"DET": 0, "NN": 1, "V": 2}


def prepare_sequence(seq, to_ix):
    return torch.tensor([to_ix[w] for w in seq], dtype=torch.long)


class LSTMTagger(nn.Module):
    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        return F.log_softmax(tag_space, dim=1)


model = LSTMTagger(6, 6, len(word_to_ix), len(tag_to_ix))
fill_(model)
print([name for name, _ in model.named_parameters()])
loss_function = nn.NLLLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(200):
    total = 0.0
    for sentence, tags in training_data:
        model.zero_grad()
        tag_scores = model(prepare_sequence(sentence, word_to_ix))
        loss = loss_function(tag_scores, prepare_sequence(tags, tag_to_ix))
        loss.backward()
        optimizer.step()
        total += loss.item()
    if epoch % 50 == 49:
        print(f"epoch {epoch + 1}: loss {total:.5f}")
with torch.no_grad():
    scores = model(prepare_sequence(training_data[0][0], word_to_ix))
    print("tags of sentence 0:", scores.argmax(dim=1).tolist())
    print("scores:", [round(v, 4) for v in scores[0].tolist()])

# *** a 2-layer GRU predicts the next value of a wave ***
t = torch.linspace(0, 6, 41)
wave = torch.sin(t).reshape(1, -1, 1)
inputs, targets = wave[:, :-1], wave[:, 1:]


class NextValue(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(1, 8, num_layers=2, batch_first=True)
        self.head = nn.Linear(8, 1)

    def forward(self, x, h=None):
        out, h = self.gru(x, h)
        return self.head(out), h


net = NextValue()
fill_(net, 0.3)
optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
for step in range(40):
    prediction, h_n = net(inputs)
    loss = F.mse_loss(prediction, targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 10 == 9:
        print(f"step {step + 1}: mse {loss.item():.6f}")
print("h_n shape:", tuple(h_n.shape))
with torch.no_grad():  # continue the wave from the last state, one value at a time
    x, h = targets[:, -1:], h_n
    continued = []
    for _ in range(3):
        x, h = net(x, h)
        continued.append(round(x.item(), 4))
print("continued:", continued)

# *** a bidirectional tanh/relu RNN classifier over a batch_first batch ***
rnn = nn.RNN(3, 5, num_layers=2, nonlinearity="relu", batch_first=True, bidirectional=True)
fill_(rnn, 0.5)
batch = torch.cos(torch.arange(2 * 4 * 3).reshape(2, 4, 3) * 0.5)
output, h_n = rnn(batch)
print(tuple(output.shape), tuple(h_n.shape))
print("last step:", [round(v, 4) for v in output[:, -1].sum(dim=1).tolist()])
print("final states:", round(h_n.abs().sum().item(), 4))
output, h_n = rnn(batch[0])  # one unbatched sequence
print("unbatched:", tuple(output.shape), tuple(h_n.shape))

# *** an LSTMCell unrolled by hand, as in the nn.LSTMCell docs ***
cell = nn.LSTMCell(3, 4)
fill_(cell)
hx, cx = torch.zeros(2, 4), torch.zeros(2, 4)
outputs = []
for i in range(batch.shape[1]):
    hx, cx = cell(batch[:, i], (hx, cx))
    outputs.append(hx)
outputs = torch.stack(outputs, dim=0)
print(tuple(outputs.shape), round(outputs.sum().item(), 5), round(cx.pow(2).sum().item(), 5))

# *** sentences of different lengths: pad, pack, run a bidirectional LSTM, unpack ***
sentences = [prepare_sequence(s, word_to_ix) for s in ("the dog ate".split(),
                                                        "everybody read that book".split(),
                                                        "the apple".split())]
lengths = torch.tensor([len(s) for s in sentences])
padded = pad_sequence(sentences, batch_first=True)
print("padded:", padded.tolist())
embedding = nn.Embedding(len(word_to_ix), 3)
encoder = nn.LSTM(3, 4, batch_first=True, bidirectional=True)
fill_(embedding, 0.8)
fill_(encoder)
packed = pack_padded_sequence(embedding(padded), lengths, batch_first=True, enforce_sorted=False)
print("batch_sizes:", packed.batch_sizes.tolist(), "sorted:", packed.sorted_indices.tolist())
out, (h_n, c_n) = encoder(packed)
unpacked, out_lengths = pad_packed_sequence(out, batch_first=True)
print(tuple(unpacked.shape), out_lengths.tolist())
print("padding stays zero:", unpacked[2, 2:].abs().sum().item() == 0)
sentence_vectors = torch.cat([h_n[0], h_n[1]], dim=1)  # last forward and backward states
print("sentence vectors:", [round(v, 4) for v in sentence_vectors.sum(dim=1).tolist()])
sentence_vectors.pow(2).sum().backward()
print("embedding grad:", round(embedding.weight.grad.abs().sum().item(), 5))
