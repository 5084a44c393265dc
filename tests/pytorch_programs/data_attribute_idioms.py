# Older tutorials' `.data` idioms: weights initialised through .data, a manual SGD step on
# p.data with p.grad.data, accuracy from torch.max(outputs.data, 1), and .data writes that
# autograd does not see.
import torch
import torch.nn as nn

torch.manual_seed(0)
x = torch.linspace(-1, 1, 24).reshape(8, 3)
labels = torch.tensor([0, 1, 2, 1, 0, 2, 1, 0])

model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 3))
for m in model:
    if isinstance(m, nn.Linear):
        m.weight.data.copy_(torch.arange(m.weight.numel(), dtype=torch.float32)
                            .reshape(m.weight.shape).sin() * 0.5)
        m.bias.data.fill_(0.1)
        m.bias.data.zero_()
        m.bias.data.add_(0.05)
print(model[0].weight.data.sum().item(), model[2].bias.data.tolist())

criterion = nn.CrossEntropyLoss()
lr = 0.5
for step in range(5):
    outputs = model(x)
    loss = criterion(outputs, labels)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad.data
    _, predicted = torch.max(outputs.data, 1)
    correct = (predicted == labels).sum().item()
    print(step, round(loss.item(), 5), correct, outputs.data.max(1)[1].tolist())

for p in model.parameters():
    p.data.add_(p.grad.data, alpha=-lr)
print(model[2].weight.data.numpy().round(4).tolist())

# .data has no history and requires no grad; it shares memory with the tensor
w = torch.ones(3, requires_grad=True)
d = w.data
print(d.requires_grad, d.grad_fn, d.is_leaf)
d.mul_(3)
print(w.tolist())

# a value saved for backward and changed through .data: no error, the changed value is used
a = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
s = a.sigmoid()
s.data.fill_(0.25)
s.sum().backward()
print(a.grad.tolist())

# assigning .data swaps the memory, and may change the shape
p = torch.zeros(2, 2, requires_grad=True)
p.data = torch.arange(6.0).reshape(3, 2)
print(p.shape, p.sum().item(), p.requires_grad)
