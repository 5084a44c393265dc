# A custom module with buffers, a ParameterList and a ModuleDict, initialised by apply(fn),
# saved into an io.BytesIO with torch.save and loaded back into a fresh copy.
import io

import torch
import torch.nn as nn


class Scaler(nn.Module):
    def __init__(self, n, k):
        super().__init__()
        self.weights = nn.ParameterList([nn.Parameter(torch.ones(n) * (i + 1)) for i in range(k)])
        self.register_buffer("mean", torch.zeros(n))
        self.register_buffer("scratch", torch.ones(1), persistent=False)
        self.heads = nn.ModuleDict({"a": nn.Linear(n, 2), "b": nn.Linear(n, 1, bias=False)})

    def forward(self, x):
        x = x - self.mean
        for w in self.weights:
            x = x * w
        return self.heads["a"](x).sum(1) + self.heads["b"](x).squeeze(1)


def init_fn(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 0.1)
        if m.bias is not None:
            nn.init.zeros_(m.bias)


model = Scaler(3, 2)
print(model.apply(init_fn) is model)
print([(n, tuple(p.shape)) for n, p in model.named_parameters()])
print([n for n, _ in model.named_buffers()], list(model.state_dict().keys()))
print([n for n, _ in model.named_modules()], len(model.weights), model.weights[1][0].item())
model.mean.fill_(0.5)
model.weights.append(nn.Parameter(torch.full((3,), 0.5)))
x = torch.arange(6.0).view(2, 3)
out = model(x)
out.sum().backward()
print(out, model.weights[2].grad, model.heads.a.weight.grad)
buffer = io.BytesIO()
torch.save(model.state_dict(), buffer)
buffer.seek(0)
clone = Scaler(3, 3)
result = clone.load_state_dict(torch.load(buffer))
print(result.missing_keys, result.unexpected_keys, torch.equal(clone(x), out), clone.mean)
bad = {k: v * 2 for k, v in clone.state_dict().items() if k != "mean"}
r = clone.load_state_dict(bad, strict=False)
print(r.missing_keys, r.unexpected_keys, clone(x), clone.mean)
try:
    clone.load_state_dict(bad)
except RuntimeError as e:
    print("strict load fails:", "mean" in str(e))
buffer = io.BytesIO()
torch.save({"model": model.state_dict(), "step": 7, "names": ["a", "b"]}, buffer)
ckpt = torch.load(io.BytesIO(buffer.getvalue()))
print(ckpt["step"], ckpt["names"], ckpt["model"]["weights.0"])
model.requires_grad_(False)
print(any(p.requires_grad for p in model.parameters()), model.training, model.eval().training)
print(sum(p.numel() for p in model.parameters()), model.heads["a"].extra_repr())
