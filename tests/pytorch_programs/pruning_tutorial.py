# ruff: noqa: E501
# PyTorch's "Pruning Tutorial" in its manner, on a LeNet whose weights come from a formula (no
# ties, so the pruned entries are the same in both libraries): random_unstructured's shapes,
# l1_unstructured on conv1.weight, named_parameters/named_buffers/_forward_pre_hooks after it,
# iterative pruning with ln_structured (a PruningContainer), pruning the bias, remove() to make
# it permanent, pruning many parameters in a loop, global_unstructured with L1Unstructured and
# the resulting sparsity per layer, a custom BasePruningMethod, and a training step through
# the masks.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.prune as prune


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, int(x.nelement() / x.shape[0]))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def make_model():
    model = LeNet()
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            k = torch.arange(p.numel(), dtype=torch.float64)
            p.copy_((torch.sin(k * 0.7071 + i * 1.3) * (1 + k / p.numel()) / math.sqrt(p[0].numel() if p.dim() > 1 else 10)).reshape(p.shape))
    return model


model = make_model()
module = model.conv1
print(list(module.named_parameters())[0][0], list(module.named_buffers()))
prune.random_unstructured(module, name="weight", amount=0.3)
print("after random_unstructured:", [n for n, _ in module.named_parameters()], [n for n, _ in module.named_buffers()])
print("mask zeros", int((module.weight_mask == 0).sum()), "of", module.weight_mask.numel(), "weight is masked orig:", torch.equal(module.weight, module.weight_orig * module.weight_mask))
print("hooks", len(module._forward_pre_hooks))

model = make_model()
module = model.conv1
prune.l1_unstructured(module, name="bias", amount=3)
print("bias mask", module.bias_mask.tolist())
print("pruned bias", [round(v, 5) for v in module.bias.tolist()])
prune.ln_structured(module, name="weight", amount=0.5, n=2, dim=0)
print("channels kept by ln_structured", (module.weight_mask.sum(dim=(1, 2, 3)) > 0).tolist())
prune.l1_unstructured(module, name="weight", amount=0.2)
hook = next(h for h in module._forward_pre_hooks.values() if isinstance(h, prune.BasePruningMethod) and h._tensor_name == "weight")
print("container", type(hook).__name__, [type(m).__name__ for m in hook], "zeros now", int((module.weight_mask == 0).sum()))
print("state_dict keys", list(module.state_dict().keys()))
print("is_pruned", prune.is_pruned(model), prune.is_pruned(model.fc1))
prune.remove(module, "weight")
print("after remove:", [n for n, _ in module.named_parameters()], [n for n, _ in module.named_buffers()], isinstance(module.weight, nn.Parameter), int((module.weight == 0).sum()))

new_model = make_model()
for name, mod in new_model.named_modules():
    if isinstance(mod, torch.nn.Conv2d):
        prune.l1_unstructured(mod, name="weight", amount=0.2)
    elif isinstance(mod, torch.nn.Linear):
        prune.l1_unstructured(mod, name="weight", amount=0.4)
print(dict(new_model.named_buffers()).keys())

model = make_model()
parameters_to_prune = ((model.conv1, "weight"), (model.conv2, "weight"), (model.fc1, "weight"), (model.fc2, "weight"), (model.fc3, "weight"))
prune.global_unstructured(parameters_to_prune, pruning_method=prune.L1Unstructured, amount=0.2)
for name in ("conv1", "conv2", "fc1", "fc2", "fc3"):
    w = getattr(model, name).weight
    print(f"Sparsity in {name}.weight: {100. * float(torch.sum(w == 0)) / float(w.nelement()):.2f}%")
total_zero = sum(float(torch.sum(getattr(model, n).weight == 0)) for n in ("conv1", "conv2", "fc1", "fc2", "fc3"))
total = sum(float(getattr(model, n).weight.nelement()) for n in ("conv1", "conv2", "fc1", "fc2", "fc3"))
print(f"Global sparsity: {100. * total_zero / total:.2f}%")


class FooBarPruningMethod(prune.BasePruningMethod):
    """Prune every other entry in a tensor"""
    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        mask = default_mask.clone()
        mask.view(-1)[::2] = 0
        return mask


def foobar_unstructured(module, name):
    FooBarPruningMethod.apply(module, name)
    return module


model = make_model()
foobar_unstructured(model.fc3, name="bias")
print("foobar bias mask", model.fc3.bias_mask.tolist())

# training through the masks: pruned entries get zero gradient and stay zero
model = make_model()
prune.l1_unstructured(model.fc1, name="weight", amount=0.5)
x = torch.sin(torch.arange(2 * 28 * 28, dtype=torch.float32) * 0.01).view(2, 1, 28, 28)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(3):
    loss = F.cross_entropy(model(x), torch.tensor([3, 7]))
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f"step {step} loss {loss.item():.6f} masked grads zero: {bool((model.fc1.weight_orig.grad[model.fc1.weight_mask == 0] == 0).all())}")
print("pruned entries still zero in weight:", bool((model.fc1.weight[model.fc1.weight_mask == 0] == 0).all()), "orig changed there:", bool((model.fc1.weight_orig[model.fc1.weight_mask == 0] != 0).any()))
