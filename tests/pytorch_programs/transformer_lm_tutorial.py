# ruff: noqa: E501
# PyTorch's "Language Modeling with nn.Transformer" tutorial in its manner, on a toy corpus: a
# TransformerModel (Embedding * sqrt(d_model), the sinusoidal PositionalEncoding registered as
# a (max_len, 1, d_model) buffer, a sequence-first TransformerEncoder with the causal mask from
# nn.Transformer.generate_square_subsequent_mask), batchify/get_batch with bptt, SGD with
# StepLR, clip_grad_norm_, evaluate() with the perplexity, and the best model kept by deepcopy.
# Then a small nn.Transformer encoder-decoder with tgt_mask, tgt_is_causal and memory key
# padding masks, and nn.MultiheadAttention's weights per head.
import copy
import math

import torch
from torch import Tensor, nn
from torch.nn import TransformerEncoder, TransformerEncoderLayer


class TransformerModel(nn.Module):
    def __init__(self, ntoken: int, d_model: int, nhead: int, d_hid: int, nlayers: int, dropout: float = 0.5):
        super().__init__()
        self.model_type = "Transformer"
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        encoder_layers = TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = TransformerEncoder(encoder_layers, nlayers, enable_nested_tensor=False)
        self.embedding = nn.Embedding(ntoken, d_model)
        self.d_model = d_model
        self.linear = nn.Linear(d_model, ntoken)
        self.init_weights()

    def init_weights(self) -> None:
        initrange = 0.1
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.linear.bias.data.zero_()
        self.linear.weight.data.uniform_(-initrange, initrange)

    def forward(self, src: Tensor, src_mask: Tensor = None) -> Tensor:
        src = self.embedding(src) * math.sqrt(self.d_model)
        src = self.pos_encoder(src)
        if src_mask is None:
            src_mask = nn.Transformer.generate_square_subsequent_mask(len(src)).to(src.device)
        output = self.transformer_encoder(src, src_mask)
        return self.linear(output)


class PositionalEncoding(nn.Module):
    def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.pe[:x.size(0)]
        return self.dropout(x)


def set_weights(model, phase):
    with torch.no_grad():
        for i, (name, p) in enumerate(model.named_parameters()):
            if p.dim() > 1:
                k = torch.arange(p.numel(), dtype=torch.float32)
                p.copy_((torch.sin(k * phase + i) / math.sqrt(p.shape[-1])).reshape(p.shape))
            elif "norm" in name and name.endswith("weight"):
                p.fill_(1.0)
            else:
                p.zero_()


text = ("the cat sat on the mat . the dog sat on the log . a cat and a dog met on a mat . " * 6).split()
vocab = {w: i for i, w in enumerate(sorted(set(text)))}
data = torch.tensor([vocab[w] for w in text], dtype=torch.long)


def batchify(data: Tensor, bsz: int) -> Tensor:
    seq_len = data.size(0) // bsz
    data = data[:seq_len * bsz]
    data = data.view(bsz, seq_len).t().contiguous()
    return data


bptt = 7


def get_batch(source: Tensor, i: int):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].reshape(-1)
    return data, target


n = len(data)
train_data = batchify(data[:int(n * 0.8)], 4)
val_data = batchify(data[int(n * 0.8):], 2)
print("vocab", len(vocab), "train_data", tuple(train_data.shape), "val_data", tuple(val_data.shape))

ntokens = len(vocab)
model = TransformerModel(ntokens, 16, 2, 32, 2, dropout=0.0)
set_weights(model, 0.71)
pe = model.pos_encoder.pe
print("pe buffer", tuple(pe.shape), [round(v, 5) for v in pe[3, 0, :4].tolist()], "in state_dict:", "pos_encoder.pe" in model.state_dict())
mask = nn.Transformer.generate_square_subsequent_mask(4)
print("causal mask", mask.tolist())

criterion = nn.CrossEntropyLoss()
lr = 0.5
optimizer = torch.optim.SGD(model.parameters(), lr=lr)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)


def train(model: nn.Module) -> float:
    model.train()
    total_loss = 0.
    num_batches = len(train_data) // bptt
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i)
        output = model(data)
        output_flat = output.view(-1, ntokens)
        loss = criterion(output_flat, targets)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        total_loss += loss.item()
    return total_loss / num_batches


def evaluate(model: nn.Module, eval_data: Tensor) -> float:
    model.eval()
    total_loss = 0.
    with torch.no_grad():
        for i in range(0, eval_data.size(0) - 1, bptt):
            data, targets = get_batch(eval_data, i)
            seq_len = data.size(0)
            output = model(data)
            output_flat = output.view(-1, ntokens)
            total_loss += seq_len * criterion(output_flat, targets).item()
    return total_loss / (len(eval_data) - 1)


best_val_loss = float("inf")
best_model = None
for epoch in range(1, 5):
    train_loss = train(model)
    val_loss = evaluate(model, val_data)
    val_ppl = math.exp(val_loss)
    print(f"| end of epoch {epoch:3d} | lr {scheduler.get_last_lr()[0]:02.4f} | train loss {train_loss:5.3f} | valid loss {val_loss:5.3f} | valid ppl {val_ppl:8.3f}")
    if val_loss < best_val_loss:
        best_val_loss = val_loss
        best_model = copy.deepcopy(model)
    scheduler.step()
print("best", round(best_val_loss, 5), "same as evaluating the copy:", abs(evaluate(best_model, val_data) - best_val_loss) < 1e-6)

# nn.Transformer end to end, batch_first, with masks
tf = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16, dropout=0.0, batch_first=True)
set_weights(tf, 0.53)
src = torch.sin(torch.arange(2 * 5 * 8, dtype=torch.float32) * 0.3).view(2, 5, 8)
tgt = torch.cos(torch.arange(2 * 4 * 8, dtype=torch.float32) * 0.2).view(2, 4, 8)
src_pad = torch.tensor([[False] * 5, [False, False, False, True, True]])
tgt_mask = tf.generate_square_subsequent_mask(4)
out = tf(src, tgt, tgt_mask=tgt_mask, src_key_padding_mask=src_pad, memory_key_padding_mask=src_pad, tgt_is_causal=True)
print("transformer out", tuple(out.shape), [round(v, 4) for v in out[1, -1, :4].tolist()])
(out * torch.arange(8.0)).sum().backward()
print("decoder grad", round(tf.decoder.layers[0].multihead_attn.in_proj_weight.grad.abs().sum().item(), 4))
# changing a future target token leaves earlier outputs alone
tgt2 = tgt.clone()
tgt2[:, -1] += 1.0
out2 = tf(src, tgt2, tgt_mask=tgt_mask, src_key_padding_mask=src_pad, memory_key_padding_mask=src_pad)
print("causal:", torch.allclose(out[:, :-1], out2[:, :-1], atol=1e-6), torch.allclose(out[:, -1], out2[:, -1]))

mha = nn.MultiheadAttention(8, 2, batch_first=True)
set_weights(mha, 0.29)
q = torch.sin(torch.arange(2 * 3 * 8, dtype=torch.float32)).view(2, 3, 8)
attn_out, weights = mha(q, src, src, key_padding_mask=src_pad, need_weights=True, average_attn_weights=False)
print("mha", tuple(attn_out.shape), tuple(weights.shape), [round(v, 4) for v in weights[1, 0, 0].tolist()])
_, avg = mha(q, src, src, key_padding_mask=src_pad)
print("averaged weights", tuple(avg.shape), torch.allclose(avg, weights.mean(1)))
