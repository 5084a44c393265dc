# ruff: noqa: E501
# Code from before PyTorch 0.4, as old tutorials and answers still show it: dtype =
# torch.FloatTensor, tensors built by the typed classes and by torch.Tensor(...),
# Variable(..., requires_grad=True), updates through .data and .grad.data, isinstance checks,
# and .type(dtype).
import torch
from torch.autograd import Variable

dtype = torch.FloatTensor
N, D_in, H, D_out = 8, 5, 6, 2
x = Variable(torch.linspace(-1, 1, N * D_in).view(N, D_in).type(dtype), requires_grad=False)
y = Variable(torch.cos(torch.arange(N * D_out).float()).view(N, D_out).type(dtype), requires_grad=False)
w1 = Variable(torch.sin(torch.arange(D_in * H).float()).view(D_in, H).type(dtype) * 0.5, requires_grad=True)
w2 = Variable(torch.cos(torch.arange(H * D_out).float()).view(H, D_out).type(dtype) * 0.5, requires_grad=True)
print(isinstance(w1, Variable), isinstance(w1, torch.FloatTensor), isinstance(w1, torch.LongTensor), w1.is_leaf)
learning_rate = 1e-2
for t in range(20):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 5 == 0:
        print(t, loss.item())
    loss.backward()
    w1.data -= learning_rate * w1.grad.data
    w2.data -= learning_rate * w2.grad.data
    w1.grad.data.zero_()
    w2.grad.data.zero_()
print(loss.item(), w1.grad.abs().sum().item())

ones = torch.FloatTensor(2, 3).fill_(1)
idx = torch.LongTensor([2, 0])
mask = torch.ByteTensor([1, 0, 1]).bool()
print(ones.shape, ones.sum().item(), idx, torch.DoubleTensor([0.5, 1.5]).dtype, mask)
print(torch.IntTensor(3).zero_(), torch.FloatTensor([[1, 2], [3, 4]]).mean().item(), torch.LongTensor(torch.Size([2])).zero_())
v = Variable(ones)
print(v.requires_grad, v.data.shape, v.type(), x.data.type(), idx.type(torch.FloatTensor).dtype)
frozen = Variable(x * 2)
print(frozen.grad_fn, frozen.requires_grad, Variable(torch.ones(2), requires_grad=True).is_leaf)
t = torch.Tensor([1, 2])  # the constructor: floats from data, zeros-to-be from sizes
print(t / 4, t.dtype, torch.Tensor(2, 3).zero_().shape, torch.Tensor().shape, torch.Tensor(torch.Size([2, 1])).shape)
torch.set_float32_matmul_precision("high")
print(torch.get_float32_matmul_precision())
