# The optimizers of torch.optim on one small regression problem, from the same start.
import torch
from torch import nn

X = torch.linspace(-1, 1, 60).reshape(20, 3)
y = torch.sin(3 * X).sum(dim=1, keepdim=True)


def run(make_optimizer, steps=50):
    net = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
    with torch.no_grad():
        for i, p in enumerate(net.parameters()):
            p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape) * (i + 1) / 2)
    opt = make_optimizer(net.parameters())
    loss_fn = nn.MSELoss()
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(net(X), y)
        loss.backward()
        opt.step()
    return loss.item()


print(f"SGD      {run(lambda p: torch.optim.SGD(p, lr=0.1)):.6f}")
print(f"momentum {run(lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True)):.6f}")
print(f"Adam     {run(lambda p: torch.optim.Adam(p, lr=0.01)):.6f}")
print(f"AdamW    {run(lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1)):.6f}")
print(f"RMSprop  {run(lambda p: torch.optim.RMSprop(p, lr=0.01)):.6f}")
loss = run(lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True))
print(f"RMSprop+ {loss:.6f}")
print(f"Adagrad  {run(lambda p: torch.optim.Adagrad(p, lr=0.1)):.6f}")


net = nn.Linear(3, 1)
opt = torch.optim.Adam(net.parameters(), lr=0.01)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
lrs = []
for _ in range(5):
    opt.step()
    sched.step()
    lrs.append(opt.param_groups[0]["lr"])
print(lrs)
