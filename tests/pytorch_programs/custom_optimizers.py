# ruff: noqa: E501
# Optimizers written by subclassing torch.optim.Optimizer, as research code does: a momentum SGD
# with defaults, per-parameter state created lazily, @torch.no_grad() step with a closure under
# torch.enable_grad(); SAM (sharpness-aware minimization) wrapping a base optimizer and sharing
# its param_groups, with first_step/second_step and a grad norm from torch.stack of norms;
# Lookahead keeping slow weights in its own state; add_param_group, state_dict round trips and
# a scheduler on a custom optimizer.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class MomentumSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-2, momentum=0.9, weight_decay=0.0):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        defaults = dict(lr=lr, momentum=momentum, weight_decay=weight_decay)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                d_p = p.grad
                if group["weight_decay"] != 0:
                    d_p = d_p.add(p, alpha=group["weight_decay"])
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = 0
                    state["momentum_buffer"] = torch.clone(d_p).detach()
                else:
                    state["momentum_buffer"].mul_(group["momentum"]).add_(d_p)
                state["step"] += 1
                p.add_(state["momentum_buffer"], alpha=-group["lr"])
        return loss


class SAM(torch.optim.Optimizer):
    def __init__(self, params, base_optimizer, rho=0.05, adaptive=False, **kwargs):
        assert rho >= 0.0, f"Invalid rho, should be non-negative: {rho}"
        defaults = dict(rho=rho, adaptive=adaptive, **kwargs)
        super().__init__(params, defaults)
        self.base_optimizer = base_optimizer(self.param_groups, **kwargs)
        self.param_groups = self.base_optimizer.param_groups
        self.defaults.update(self.base_optimizer.defaults)

    @torch.no_grad()
    def first_step(self, zero_grad=False):
        grad_norm = self._grad_norm()
        for group in self.param_groups:
            scale = group["rho"] / (grad_norm + 1e-12)
            for p in group["params"]:
                if p.grad is None:
                    continue
                self.state[p]["old_p"] = p.data.clone()
                e_w = (torch.pow(p, 2) if group["adaptive"] else 1.0) * p.grad * scale.to(p)
                p.add_(e_w)
        if zero_grad:
            self.zero_grad()

    @torch.no_grad()
    def second_step(self, zero_grad=False):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                p.data = self.state[p]["old_p"]
        self.base_optimizer.step()
        if zero_grad:
            self.zero_grad()

    @torch.no_grad()
    def step(self, closure=None):
        assert closure is not None, "Sharpness Aware Minimization requires closure, but it was not provided"
        closure = torch.enable_grad()(closure)
        self.first_step(zero_grad=True)
        closure()
        self.second_step()

    def _grad_norm(self):
        shared_device = self.param_groups[0]["params"][0].device
        norm = torch.norm(
            torch.stack([
                ((torch.abs(p) if group["adaptive"] else 1.0) * p.grad).norm(p=2).to(shared_device)
                for group in self.param_groups for p in group["params"]
                if p.grad is not None
            ]),
            p=2,
        )
        return norm


class Lookahead:
    def __init__(self, optimizer, k=3, alpha=0.5):
        self.optimizer = optimizer
        self.k, self.alpha = k, alpha
        self.param_groups = self.optimizer.param_groups
        self.state = {}
        self.counter = 0
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = p.detach().clone()

    def zero_grad(self, set_to_none=True):
        self.optimizer.zero_grad(set_to_none=set_to_none)

    def step(self):
        self.optimizer.step()
        self.counter += 1
        if self.counter % self.k == 0:
            with torch.no_grad():
                for group in self.param_groups:
                    for p in group["params"]:
                        slow = self.state[p]
                        slow += self.alpha * (p - slow)
                        p.copy_(slow)


def make_model():
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            k = torch.arange(p.numel(), dtype=torch.float32)
            p.copy_((torch.sin(k * 0.9 + i) / math.sqrt(p.shape[-1])).reshape(p.shape))
    return model


x = torch.stack([torch.sin(torch.arange(24.0) * 0.3), torch.cos(torch.arange(24.0) * 0.2), torch.arange(24.0) / 24], 1)
y = (x[:, :1] * 2 - x[:, 1:2] + 0.5 * x[:, 2:]).tanh()

model = make_model()
opt = MomentumSGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
print("defaults", opt.defaults, "groups", len(opt.param_groups), sorted(k for k in opt.param_groups[0] if k != "params"))
reference = make_model()
ref_opt = torch.optim.SGD(reference.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
for step in range(15):
    def closure():
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        return loss
    loss = opt.step(closure)
    ref_opt.zero_grad()
    F.mse_loss(reference(x), y).backward()
    ref_opt.step()
    if step % 5 == 0:
        print(f"custom sgd step {step} loss {loss.item():.6f}")
print("custom == torch.optim.SGD:", all(torch.allclose(a, b, atol=1e-6) for a, b in zip(model.parameters(), reference.parameters())))
state = opt.state_dict()
print("state keys", sorted(state), "param state", sorted(state["state"][0]), state["state"][0]["step"], state["param_groups"][0]["params"])
fresh = MomentumSGD(make_model().parameters(), lr=1.0)
fresh.load_state_dict(state)
print("loaded lr", fresh.param_groups[0]["lr"], "buffers equal:", torch.equal(fresh.state[fresh.param_groups[0]["params"][0]]["momentum_buffer"], opt.state[opt.param_groups[0]["params"][0]]["momentum_buffer"]))
extra = nn.Parameter(torch.ones(2))
opt.add_param_group({"params": [extra], "lr": 0.5})
print("after add_param_group", len(opt.param_groups), opt.param_groups[1]["lr"], opt.param_groups[1]["momentum"])
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
opt.step()
sched.step()
print("scheduled lrs", [round(g["lr"], 5) for g in opt.param_groups], sched.get_last_lr())

model = make_model()
sam = SAM(model.parameters(), torch.optim.SGD, rho=0.05, lr=0.1, momentum=0.9)
print("sam shares groups:", sam.param_groups is sam.base_optimizer.param_groups, sorted(sam.defaults))
for step in range(6):
    loss = F.mse_loss(model(x), y)
    loss.backward()
    sam.first_step(zero_grad=True)
    F.mse_loss(model(x), y).backward()
    sam.second_step(zero_grad=True)
    if step % 2 == 0:
        print(f"sam step {step} loss {loss.item():.6f}")


def closure():
    loss = F.mse_loss(model(x), y)
    loss.backward()
    return loss


closure()  # SAM.step needs the gradients of a first pass
sam.step(closure)
sam.zero_grad()
print("sam after closure step", round(F.mse_loss(model(x), y).item(), 6))

model = make_model()
look = Lookahead(torch.optim.Adam(model.parameters(), lr=0.02), k=3, alpha=0.5)
for step in range(9):
    look.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    look.step()
print("lookahead loss", round(F.mse_loss(model(x), y).item(), 6), "slow == fast after a sync:", all(torch.equal(look.state[p], p) for p in model.parameters()))
