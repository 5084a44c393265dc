# A small classification pipeline: a Dataset subclass, random_split, DataLoaders, ModuleList,
# Dropout with train()/eval(), BCEWithLogitsLoss, gradient clipping and a learning-rate schedule.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, random_split


class Spiral(Dataset):
    def __init__(self, n):
        t = torch.linspace(0, 3 * math.pi, n)
        self.labels = (torch.arange(n) % 2).float()
        sign = 2 * self.labels - 1
        self.points = torch.stack([sign * t * torch.cos(t), sign * t * torch.sin(t)], dim=1) / 10

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return self.points[idx], self.labels[idx]


class Net(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        self.dropout = nn.Dropout(p=0.1)

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.dropout(F.relu(layer(x)))
        return self.layers[-1](x).squeeze(-1)


torch.manual_seed(0)
dataset = Spiral(400)
train_set, test_set = random_split(dataset, [300, 100])
print(len(dataset), len(train_set), len(test_set))
x0, y0 = dataset[3]
print(x0.shape, y0.item())
train_loader = DataLoader(train_set, batch_size=32, shuffle=True)
test_loader = DataLoader(test_set, batch_size=50)
xb, yb = next(iter(train_loader))
print(xb.shape, yb.shape, len(train_loader), len(test_loader))

model = Net([2, 32, 32, 1])
print(model)
print(sum(p.numel() for p in model.parameters()))
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
for epoch in range(30):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
    scheduler.step()
print(scheduler.get_last_lr())

model.eval()
correct = 0
with torch.no_grad():
    out1 = model(dataset.points)
    out2 = model(dataset.points)
    print(torch.equal(out1, out2))
    for xb, yb in test_loader:
        predicted = (torch.sigmoid(model(xb)) > 0.5).float()
        correct += (predicted == yb).sum().item()
print('accuracy > 0.8:', correct / len(test_set) > 0.8)
print(float(norm) >= 0)
