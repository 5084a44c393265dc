# d2l "File I/O": save and load tensors, lists and dicts of tensors, and a model's parameters.
import torch
from torch import nn
from torch.nn import functional as F

x = torch.arange(4)
torch.save(x, 'x-file')
x2 = torch.load('x-file')
print(x2)
print(isinstance(x2, torch.Tensor), x2.dtype == torch.int64)

y = torch.zeros(4)
torch.save([x, y], 'x-files')
x2, y2 = torch.load('x-files')
print(x2, y2)
print(isinstance(x2, torch.Tensor), isinstance(y2, torch.Tensor))

mydict = {'x': x, 'y': y}
torch.save(mydict, 'mydict')
mydict2 = torch.load('mydict')
print(mydict2)
print(isinstance(mydict2['y'], torch.Tensor), sorted(mydict2), (mydict2['x'] == x).all())


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)
        self.output = nn.Linear(256, 10)

    def forward(self, x):
        return self.output(F.relu(self.hidden(x)))


net = MLP()
X = torch.randn(size=(2, 20))
Y = net(X)

torch.save(net.state_dict(), 'mlp.params')
clone = MLP()
clone.load_state_dict(torch.load('mlp.params'))
clone.eval()
print(clone)

Y_clone = clone(X)
print(Y_clone == Y)
print(sorted(torch.load('mlp.params').keys()))
