# ruff: noqa: E501, E731
# PyTorch's "Text classification with the torchtext library" tutorial in its manner, without
# torchtext: a vocabulary built by hand, an nn.EmbeddingBag over flat token ids with offsets,
# a collate_batch that builds the offsets with cumsum, SGD with StepLR and clip_grad_norm_.
import torch
from torch import nn
from torch.utils.data import DataLoader

train_iter = [(1, "the match ended with a late goal"), (2, "stocks fell as markets closed"),
              (1, "the team won the cup final"), (2, "the bank raised interest rates"),
              (3, "new phone has a faster chip"), (3, "the chip maker shows a new laptop"),
              (1, "a goal in the final minute"), (2, "markets rose on bank news")]
vocab = {"<unk>": 0}
for _, text in train_iter:
    for token in text.split():
        vocab.setdefault(token, len(vocab))
text_pipeline = lambda x: [vocab.get(token, 0) for token in x.split()]
label_pipeline = lambda x: int(x) - 1


def collate_batch(batch):
    label_list, text_list, offsets = [], [], [0]
    for _label, _text in batch:
        label_list.append(label_pipeline(_label))
        processed_text = torch.tensor(text_pipeline(_text), dtype=torch.int64)
        text_list.append(processed_text)
        offsets.append(processed_text.size(0))
    label_list = torch.tensor(label_list, dtype=torch.int64)
    offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
    text_list = torch.cat(text_list)
    return label_list, text_list, offsets


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super(TextClassificationModel, self).__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        with torch.no_grad():
            w = self.embedding.weight
            w.copy_(torch.linspace(-initrange, initrange, w.numel()).reshape(w.shape).sin())
            self.fc.weight.copy_(torch.linspace(-initrange, initrange, self.fc.weight.numel()).reshape(self.fc.weight.shape))
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        embedded = self.embedding(text, offsets)
        return self.fc(embedded)


model = TextClassificationModel(len(vocab), 8, 3)
print(model.embedding)
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=5.0)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1, gamma=0.5)
dataloader = DataLoader(train_iter, batch_size=4, shuffle=False, collate_fn=collate_batch)
label, text, offsets = next(iter(dataloader))
print(label, text.shape, offsets)
for epoch in range(1, 6):
    model.train()
    total_acc, total_count = 0, 0
    for idx, (label, text, offsets) in enumerate(dataloader):
        optimizer.zero_grad()
        predicted_label = model(text, offsets)
        loss = criterion(predicted_label, label)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        optimizer.step()
        total_acc += (predicted_label.argmax(1) == label).sum().item()
        total_count += label.size(0)
    scheduler.step()
    print(f"| epoch {epoch:3d} | accuracy {total_acc / total_count:8.3f} | loss {loss.item():.5f} | lr {scheduler.get_last_lr()[0]:.4f}")
model.eval()
with torch.no_grad():
    text = torch.tensor(text_pipeline("a new chip and a goal"))
    output = model(text, torch.tensor([0]))
    print(output, output.argmax(1).item() + 1)
# the other modes and per_sample_weights, as the docs show them
bag = nn.EmbeddingBag(10, 3, mode="max")
with torch.no_grad():
    bag.weight.copy_(torch.arange(30.).reshape(10, 3).cos())
inp = torch.tensor([[1, 2, 4], [4, 3, 9]])
print(bag(inp))
bag_sum = nn.EmbeddingBag.from_pretrained(bag.weight.detach(), mode="sum", freeze=False)
print(bag_sum(torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]), torch.tensor([0, 4]),
              per_sample_weights=torch.linspace(0.5, 2, 8)))
out = nn.functional.embedding_bag(torch.tensor([1, 2, 4, 5]), bag.weight, torch.tensor([0, 2]), mode="mean")
out.sum().backward()
print(out, bag.weight.grad[:6])
