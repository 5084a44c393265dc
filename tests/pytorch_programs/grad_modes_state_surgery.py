# ruff: noqa: E501
# Grad modes and checkpoint surgery as fine-tuning scripts mix them: torch.no_grad,
# torch.inference_mode (and the error when an inference tensor is saved for backward),
# set_grad_enabled, enable_grad inside no_grad, freezing with requires_grad_(False) and
# unfreezing later; parameter groups (no weight decay on biases and norms, a smaller lr for the
# backbone); and state-dict surgery: stripping a DataParallel "module." prefix, dropping a head
# whose shape changed, strict=True errors naming missing/unexpected keys and size mismatches,
# strict=False results, and loading only the keys whose shapes match.
import collections

import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        self.backbone = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU())
        self.head = nn.Linear(8, n_classes)

    def forward(self, x):
        return self.head(self.backbone(x))


def fill_(model, scale):
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(scale * torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 0.61 + i).view_as(p))


x = torch.linspace(-1, 1, 24).view(6, 4)
net = Net()
fill_(net, 0.4)

with torch.no_grad():
    y = net(x)
print(y.requires_grad, torch.is_grad_enabled())
with torch.inference_mode():
    z = net(x)
    print(torch.is_inference_mode_enabled(), z.requires_grad, z.is_inference())
print(torch.is_inference_mode_enabled(), z.is_inference(), y.is_inference())
try:
    (net.head.bias * z).sum().backward()
except RuntimeError as e:
    print("RuntimeError", "inference" in str(e).lower())
z2 = z.clone()
print(z2.is_inference(), torch.allclose(z2, y))
with torch.no_grad():
    with torch.enable_grad():
        w = net(x).sum()
    print(w.requires_grad, torch.is_grad_enabled())
with torch.set_grad_enabled(False):
    print(net(x).requires_grad)
torch.set_grad_enabled(True)
print(torch.is_grad_enabled())


@torch.no_grad()
def evaluate(model):
    return model(x).argmax(1).tolist()


@torch.inference_mode()
def predict(model):
    return model(x).softmax(-1).sum().item()


print(evaluate(net), round(predict(net), 5))

# freeze the backbone, train the head, then unfreeze with a smaller lr
net.backbone.requires_grad_(False)
print([n for n, p in net.named_parameters() if p.requires_grad])
decay, no_decay = [], []
for name, p in net.named_parameters():
    (no_decay if name.endswith("bias") or ".1." in name else decay).append(p)
print(len(decay), len(no_decay))
opt = torch.optim.AdamW([{"params": [p for p in decay if p.requires_grad], "weight_decay": 0.1},
                         {"params": [p for p in no_decay if p.requires_grad], "weight_decay": 0.0}], lr=0.05)
target = torch.arange(6) % 3
for step in range(4):
    loss = nn.functional.cross_entropy(net(x), target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 5), net.backbone[0].weight.grad is None)
net.backbone.requires_grad_(True)
opt.add_param_group({"params": list(net.backbone.parameters()), "lr": 0.005, "weight_decay": 0.0})
print([(len(g["params"]), g["lr"], g["weight_decay"]) for g in opt.param_groups])
for step in range(3):
    loss = nn.functional.cross_entropy(net(x), target)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
print(round(loss.item(), 5), net.backbone[0].weight.grad.shape)

# checkpoint surgery
ckpt = collections.OrderedDict(("module." + k, v.clone()) for k, v in net.state_dict().items())
print(list(ckpt)[:3])
stripped = {k.removeprefix("module."): v for k, v in ckpt.items()}
new = Net(n_classes=5)
fill_(new, 0.1)
try:
    new.load_state_dict(ckpt)
except RuntimeError as e:
    msg = str(e)
    print("Missing key(s)" in msg, "Unexpected key(s)" in msg, "backbone.0.weight" in msg)
try:
    new.load_state_dict(stripped)
except RuntimeError as e:
    print("size mismatch" in str(e), "head.weight" in str(e), "copying a param with shape" in str(e))
own = new.state_dict()
compatible = {k: v for k, v in stripped.items() if k in own and v.shape == own[k].shape}
print(sorted(set(stripped) - set(compatible)))
result = new.load_state_dict(compatible, strict=False)
print(result.missing_keys, result.unexpected_keys, result)
print(torch.equal(new.backbone[3].weight, net.backbone[3].weight), new.head.weight.shape)
extra = dict(compatible, **{"head.scale": torch.ones(1)})
res = new.load_state_dict(extra, strict=False)
print(res.missing_keys, res.unexpected_keys)
sd = new.state_dict()
sd["backbone.1.weight"].fill_(2.0)  # state_dict tensors share memory with the parameters
print(new.backbone[1].weight[:3].tolist(), sd["backbone.1.weight"].requires_grad)
sd = new.state_dict(keep_vars=True)
print(sd["backbone.1.weight"].requires_grad, isinstance(sd["head.bias"], nn.Parameter))
