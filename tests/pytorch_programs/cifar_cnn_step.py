# ruff: noqa: E501
# A CIFAR-style CNN (conv, batch norm, pooling, dropout) trained a few steps with SGD momentum,
# weight decay and a MultiStepLR; parameters counted and accuracy measured with argmax/topk.
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 6, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(6)
        self.pool = nn.MaxPool2d(2, 2)
        self.drop = nn.Dropout(p=0.0)
        self.fc = nn.Linear(6 * 2 * 2, 5)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.bn2(self.conv2(x))))
        x = torch.flatten(x, 1)
        return self.fc(self.drop(x))


model = Net()
with torch.no_grad():
    for i, (name, p) in enumerate(model.named_parameters()):
        n = p.numel()
        p.copy_(torch.from_numpy(np.sin(np.arange(n) * 0.37 + i).reshape(p.shape).astype(np.float32)) * 0.3)
        print(name, tuple(p.shape), p.requires_grad)
print(sum(p.numel() for p in model.parameters()), sum(b.numel() for b in model.buffers()))
rng = np.random.RandomState(0)
x = torch.tensor(rng.randn(8, 3, 8, 8), dtype=torch.float32)
y = torch.tensor(rng.randint(0, 5, size=8))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[1, 2], gamma=0.5)
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
model.train()
for step in range(3):
    opt.zero_grad()
    out = model(x)
    loss = criterion(out, y)
    loss.backward()
    opt.step()
    sched.step()
    print(step, round(loss.item(), 5), sched.get_last_lr(), opt.param_groups[0]["lr"])
print(model.bn1.running_mean, model.bn1.num_batches_tracked.item())
model.eval()
with torch.no_grad():
    out = model(x)
    pred = torch.argmax(out, dim=1)
    correct = (pred == y).sum().item()
    top2 = out.topk(2, dim=1).indices
    top2_acc = (top2 == y.unsqueeze(1)).any(dim=1).float().mean().item()
    _, predicted = torch.max(out.data, 1)
print(pred.tolist(), correct, 100.0 * correct / y.size(0), top2_acc, predicted.eq(y).sum().item())
print(F.softmax(out, dim=1).max(dim=1).values)
