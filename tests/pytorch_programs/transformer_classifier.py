# A tiny Transformer sequence classifier in the manner of PyTorch's nn.TransformerEncoder
# tutorials: embeddings plus learned positions, a 2-layer batch_first encoder with a key padding
# mask, masked mean pooling and a linear head, trained with SGD. Every weight is set from a
# formula, so both libraries start from the same model and print the same numbers.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB, LENGTH, D_MODEL, BATCH = 8, 6, 16, 12


class TransformerClassifier(nn.Module):
    def __init__(self, vocab, d_model, nhead, num_layers, num_classes):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model, padding_idx=0)
        self.pos = nn.Parameter(torch.zeros(1, LENGTH, d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=32, dropout=0.0,
                                           activation="gelu", batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, norm=nn.LayerNorm(d_model),
                                             enable_nested_tensor=False)
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, tokens, padding_mask):
        x = self.embed(tokens) * math.sqrt(D_MODEL) + self.pos
        x = self.encoder(x, src_key_padding_mask=padding_mask)
        keep = (~padding_mask).float().unsqueeze(-1)
        return self.head((x * keep).sum(1) / keep.sum(1))


def set_weights(model):
    """Weights from a formula, sin(0.7 k + i) / sqrt(fan_in) for element k of matrix i; biases
    0 and LayerNorm scales 1, as PyTorch initialises them."""
    with torch.no_grad():
        for i, (name, p) in enumerate(model.named_parameters()):
            if p.dim() > 1:
                k = torch.arange(p.numel(), dtype=torch.float32)
                p.copy_((torch.sin(k * 0.7 + i) / math.sqrt(p.shape[-1])).reshape(p.shape))
            elif name.startswith("encoder") and "norm" in name and name.endswith("weight"):
                p.fill_(1.0)
            else:
                p.zero_()


# sequences of tokens 1..7 padded with 0 after 3 to 6 tokens; class: does token 3 occur?
tokens = (torch.arange(BATCH * LENGTH).reshape(BATCH, LENGTH) * 5 + 2) % 7 + 1
lengths = 3 + torch.arange(BATCH) % 4
padding_mask = torch.arange(LENGTH).unsqueeze(0) >= lengths.unsqueeze(1)
tokens = tokens.masked_fill(padding_mask, 0)
labels = (tokens == 3).any(1).long()
print("tokens", tokens.shape, "labels", labels.tolist())

model = TransformerClassifier(VOCAB, D_MODEL, nhead=2, num_layers=2, num_classes=2)
set_weights(model)
print(len(list(model.parameters())), "parameter tensors,",
      sum(p.numel() for p in model.parameters()), "numbers")
print([name for name, _ in model.named_parameters()][:8])

optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for step in range(30):
    logits = model(tokens, padding_mask)
    loss = F.cross_entropy(logits, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 10 == 0 or step == 29:
        accuracy = (logits.argmax(1) == labels).float().mean()
        print(f"step {step:2d} loss {loss.item():.5f} accuracy {accuracy.item():.3f}")

model.eval()
with torch.no_grad():
    logits = model(tokens, padding_mask)
    print("eval logits", [round(v, 4) for v in logits[:3].flatten().tolist()])
    attention = model.encoder.layers[0].self_attn
    x = model.embed(tokens[:2]) * math.sqrt(D_MODEL) + model.pos
    _, weights = attention(x, x, x, key_padding_mask=padding_mask[:2])
    print("attention weights", weights.shape, [round(v, 4) for v in weights[0, 0].tolist()])
    causal = nn.Transformer.generate_square_subsequent_mask(4)
    print("causal mask row 1", causal[1].tolist())
