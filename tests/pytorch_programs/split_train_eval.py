# ruff: noqa: E501
# Train/validation split with random_split, DataLoader(shuffle=False), train()/eval() modes,
# evaluation under no_grad, gradient clipping and early stopping on the validation loss.
import copy

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Subset, TensorDataset, random_split

X = torch.from_numpy(np.linspace(-2, 2, 40, dtype=np.float32).reshape(20, 2))
Y = (X[:, :1] * 1.5 - X[:, 1:] * 0.5 + 0.3).clone()
data = TensorDataset(X, Y)
g = torch.Generator().manual_seed(0)
train_set, val_set = random_split(data, [16, 4], generator=g)
print(len(train_set), len(val_set), type(train_set).__name__, isinstance(val_set, Subset))
print(sorted(train_set.indices + val_set.indices) == list(range(20)))
parts = random_split(range(10), [0.5, 0.3, 0.2], generator=torch.Generator().manual_seed(1))
print([len(p) for p in parts])
train_set, val_set = Subset(data, list(range(16))), Subset(data, list(range(16, 20)))
train_loader = DataLoader(train_set, batch_size=5, shuffle=False)
val_loader = DataLoader(val_set, batch_size=4)
print(len(train_loader), [xb.shape[0] for xb, _ in train_loader])

model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Dropout(0.5), nn.Linear(4, 1))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.linspace(-0.5, 0.5, p.numel()).view_as(p) * (i + 1))
drop = model[2]
drop.p = 0.0
opt = torch.optim.Adam(model.parameters(), lr=0.05)
loss_fn = nn.MSELoss()
best, best_state, patience, bad = float("inf"), None, 2, 0
for epoch in range(30):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
        total += loss.item() * xb.size(0)
    model.eval()
    with torch.no_grad():
        val = sum(loss_fn(model(xb), yb).item() for xb, yb in val_loader) / len(val_loader)
    print(epoch, round(total / len(train_set), 5), round(val, 5), round(float(norm), 5), model.training)
    if val < best - 1e-4:
        best, bad = val, 0
        best_state = copy.deepcopy(model.state_dict())
    else:
        bad += 1
        if bad >= patience:
            print("early stop at", epoch)
            break
model.load_state_dict(best_state)
model.eval()
with torch.no_grad():
    print(round(best, 5), model(X[16:]).squeeze(1), torch.is_grad_enabled())
