# ruff: noqa: E501
# Fine-tuning as transfer-learning tutorials do it: a "pretrained" backbone saved to a BytesIO
# and loaded back, frozen with requires_grad_(False), a new head, parameter groups with their
# own learning rates, add_param_group when unfreezing, load_state_dict(strict=False) and its
# missing/unexpected keys, and a per-group lr schedule.
import io

import torch
from torch import nn, optim


def fill_(module, scale=0.3):
    with torch.no_grad():
        for i, p in enumerate(module.parameters()):
            p.copy_(scale * torch.cos(torch.arange(p.numel()) * 0.91 + i).view_as(p))


backbone = nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Linear(12, 8), nn.ReLU())
fill_(backbone)
buffer = io.BytesIO()
torch.save(backbone.state_dict(), buffer)
print(buffer.tell() > 0)
buffer.seek(0)
state = torch.load(buffer, weights_only=True)
print(list(state.keys()), state["0.weight"].shape)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Linear(12, 8), nn.ReLU())
        self.classifier = nn.Linear(8, 3)

    def forward(self, x):
        return self.classifier(self.features(x))


model = Net()
fill_(model.classifier, 0.1)
result = model.load_state_dict({"features." + k: v for k, v in state.items()} | {"extra.weight": torch.zeros(1)}, strict=False)
print(result.missing_keys, result.unexpected_keys)
for param in model.features.parameters():
    param.requires_grad_(False)
print([n for n, p in model.named_parameters() if p.requires_grad])
print(sum(p.numel() for p in model.parameters() if p.requires_grad), sum(p.numel() for p in model.parameters()))
optimizer = optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1, momentum=0.9)
x = torch.linspace(-2, 2, 60).reshape(10, 6)
y = torch.arange(10) % 3
criterion = nn.CrossEntropyLoss()
for step in range(5):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    print(step, round(loss.item(), 5), model.features[0].weight.grad)
# unfreeze the last backbone layer with a smaller learning rate
for param in model.features[2].parameters():
    param.requires_grad = True
optimizer.add_param_group({"params": model.features[2].parameters(), "lr": 0.01})
print(len(optimizer.param_groups), [g["lr"] for g in optimizer.param_groups], optimizer.param_groups[1]["momentum"])
scheduler = optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=[lambda e: 0.5 ** e, lambda e: 1.0 / (e + 1)])
for epoch in range(3):
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    scheduler.step()
    print(epoch, round(loss.item(), 5), scheduler.get_last_lr())
print(model.features[2].weight.grad.abs().sum().item() > 0, model.features[0].weight.grad)
# differential learning rates from the start, by parameter groups
opt2 = optim.Adam([{"params": model.features.parameters(), "lr": 1e-4}, {"params": model.classifier.parameters()}], lr=1e-3, weight_decay=1e-4)
print([(len(g["params"]), g["lr"], g["weight_decay"]) for g in opt2.param_groups])
model.eval()
with torch.inference_mode():
    probs = model(x).softmax(dim=1)
print(probs.argmax(1), probs.max(1).values.sum().item(), probs.requires_grad)
