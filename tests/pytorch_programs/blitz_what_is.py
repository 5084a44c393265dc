# "60 Minute Blitz" (earlier edition), "What is PyTorch?": construction, operations, numpy.
import numpy as np
import torch

x = torch.empty(5, 3)
print(x.shape)
x = torch.zeros(5, 3, dtype=torch.long)
print(x)
x = torch.tensor([5.5, 3])
print(x)
x = x.new_ones(5, 3, dtype=torch.double)
print(x, x.dtype == torch.float64)
x = torch.randn_like(x, dtype=torch.float)
print(x.size(), x.dtype)

x = torch.arange(15, dtype=torch.float32).reshape(5, 3) / 10
y = torch.ones(5, 3)
print(x + y)
print(torch.add(x, y))
result = torch.empty(5, 3)
torch.add(x, y, out=result)
print(result)
y.add_(x)
print(y)
print(x[:, 1])

x = torch.arange(16.0).reshape(4, 4)
y = x.view(16)
z = x.view(-1, 8)
print(x.size(), y.size(), z.size())
x = torch.tensor([0.25])
print(x, x.item())

a = torch.ones(5)
b = a.numpy()
a.add_(1)
print(a, b)
a = np.ones(5)
b = torch.from_numpy(a)
np.add(a, 1, out=a)
print(a, b)

if torch.cuda.is_available():
    device = torch.device("cuda")
else:
    device = torch.device("cpu")
y = torch.ones_like(x, device=device)
x = x.to(device)
z = x + y
print(z, z.to("cpu", torch.double))
print(torch.cuda.is_available(), torch.cuda.device_count(), str(device), z.device.type)
