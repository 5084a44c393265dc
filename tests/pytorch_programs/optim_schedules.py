# More of torch.optim: NAdam, RAdam, Adamax, Adadelta, Rprop, ASGD and LBFGS on one small
# regression problem from the same start, with the usual learning-rate schedules.
import torch
from torch import nn
from torch.optim import lr_scheduler

X = torch.linspace(-1, 1, 60).reshape(20, 3)
y = torch.sin(3 * X).sum(dim=1, keepdim=True)


def make_net():
    net = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
    with torch.no_grad():
        for i, p in enumerate(net.parameters()):
            p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape) * (i + 1) / 2)
    return net


def run(make_optimizer, make_scheduler=None, steps=40):
    net = make_net()
    opt = make_optimizer(net.parameters())
    sched = make_scheduler(opt) if make_scheduler else None
    loss_fn = nn.MSELoss()
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(net(X), y)
        loss.backward()
        opt.step()
        if isinstance(sched, lr_scheduler.ReduceLROnPlateau):
            sched.step(loss.item())
        elif sched is not None:
            sched.step()
    last_lr = opt.param_groups[0]["lr"]
    return f"{loss.item():.6f} lr {last_lr:.6g}"


print("NAdam   ", run(lambda p: torch.optim.NAdam(p, lr=0.01)))
print("NAdamW  ", run(lambda p: torch.optim.NAdam(p, lr=0.01, weight_decay=0.01,
                                                  decoupled_weight_decay=True)))
print("RAdam   ", run(lambda p: torch.optim.RAdam(p, lr=0.01)))
print("Adamax  ", run(lambda p: torch.optim.Adamax(p, lr=0.02)))
print("Adadelta", run(lambda p: torch.optim.Adadelta(p, lr=1.0)))
print("Rprop   ", run(lambda p: torch.optim.Rprop(p, lr=0.01)))
print("ASGD    ", run(lambda p: torch.optim.ASGD(p, lr=0.05, t0=10)))

print("warm-up + cosine", run(
    lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
    lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.LinearLR(o, 0.1, total_iters=5),
                                            lr_scheduler.CosineAnnealingLR(o, T_max=35)],
                                        milestones=[5])))
print("one cycle", run(lambda p: torch.optim.Adam(p),
                       lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.05, total_steps=40)))
print("cyclic", run(lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
                    lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1, step_size_up=5,
                                                    mode="triangular2")))
print("plateau", run(lambda p: torch.optim.SGD(p, lr=0.2),
                     lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=2, factor=0.5)))
print("exp + multistep", run(
    lambda p: torch.optim.SGD(p, lr=0.1),
    lambda o: lr_scheduler.ChainedScheduler([lr_scheduler.ExponentialLR(o, gamma=0.98),
                                             lr_scheduler.MultiStepLR(o, [10, 30])])))

net = make_net()
opt = torch.optim.LBFGS(net.parameters(), lr=0.5, history_size=5, max_iter=10,
                        line_search_fn="strong_wolfe")


def closure():
    opt.zero_grad()
    loss = nn.functional.mse_loss(net(X), y)
    loss.backward()
    return loss


for step in range(3):
    print("LBFGS", step, f"{opt.step(closure).item():.5f}")
print("LBFGS final", f"{closure().item():.5f}")
