# A small regression trained the way many PyTorch scripts are: random_split with a generator,
# Adam with weight decay, StepLR, clip_grad_norm_, early stopping on a deepcopy of the state
# dict, inference_mode, set_grad_enabled, parameters_to_vector.
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset, random_split

torch.manual_seed(0)
x = torch.linspace(-2, 2, 120).unsqueeze(1)
y = torch.sin(2 * x) + 0.1 * torch.cos(7 * x)
ds = TensorDataset(x, y)
train_ds, val_ds = random_split(ds, [100, 20], generator=torch.Generator().manual_seed(1))
print(len(train_ds), len(val_ds))
train_dl = DataLoader(train_ds, batch_size=16, shuffle=True, drop_last=True)
val_dl = DataLoader(val_ds, batch_size=64)

class Net(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, hidden),
                                 nn.GELU(), nn.Linear(hidden, 1))
    def forward(self, x):
        return self.net(x).squeeze(-1)

def init_weights(m):
    if isinstance(m, nn.Linear):
        with torch.no_grad():
            shape = m.weight.shape
            m.weight.copy_(torch.linspace(-1, 1, m.weight.numel()).reshape(shape).sin() * 0.7)
        m.bias.data.fill_(0.01)

model = Net()
model.apply(init_weights)
print(sum(p.numel() for p in model.parameters() if p.requires_grad))
opt = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
best, best_state = float("inf"), None

@torch.no_grad()
def evaluate(m):
    m.eval()
    total = 0.0
    for xb, yb in val_dl:
        total += F.mse_loss(m(xb), yb.view(-1), reduction="sum").item()
    return total / len(val_ds)

full = model(x).detach()
for epoch in range(12):
    model.train()
    for xb, yb in train_dl:
        opt.zero_grad(set_to_none=True)
        loss = nn.MSELoss()(model(xb), yb.view(-1))
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
    sched.step()
    v = evaluate(model)
    if v < best:
        best, best_state = v, copy.deepcopy(model.state_dict())
    print(epoch, sched.get_last_lr(), v < 1.0)
model.load_state_dict(best_state)
print(abs(evaluate(model) - best) < 1e-9)
with torch.inference_mode():
    pred = model(x)
print(pred.shape, pred.detach().cpu().numpy().shape, torch.is_grad_enabled())
with torch.set_grad_enabled(False):
    print(model(x).requires_grad)
vec = torch.nn.utils.parameters_to_vector(model.parameters())
print(vec.shape)
print(torch.cat([x[:2], x[-2:]]).view(-1).tolist())
print(torch.randperm(5).sort().values.tolist())
