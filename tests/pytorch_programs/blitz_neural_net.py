# "60 Minute Blitz": define a network (dense part), loss, backprop and update the weights.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        f5 = torch.flatten(input, 1)
        f6 = F.relu(self.fc1(f5))
        f7 = F.relu(self.fc2(f6))
        return self.fc3(f7)


torch.manual_seed(0)
net = Net()
print(net)

params = list(net.parameters())
print(len(params))
print(params[0].size())

input = torch.randn(1, 16, 5, 5)
out = net(input)
print(out.shape)

net.zero_grad()
out.backward(torch.randn(1, 10))

output = net(input)
target = torch.randn(10)
target = target.view(1, -1)
criterion = nn.MSELoss()
loss = criterion(output, target)
print(loss.dim(), loss.shape, loss.requires_grad)
print(type(loss.grad_fn).__name__ != "")
print(len(loss.grad_fn.next_functions) >= 1)

net.zero_grad()
print('fc1.bias.grad before backward', net.fc1.bias.grad)
loss.backward()
print('fc1.bias.grad after backward', net.fc1.bias.grad.shape)

learning_rate = 0.01
with torch.no_grad():
    for f in net.parameters():
        f.sub_(f.grad * learning_rate)

optimizer = optim.SGD(net.parameters(), lr=0.01)
losses = []
for _ in range(50):
    optimizer.zero_grad()
    output = net(input)
    loss = criterion(output, target)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
print(losses[-1] < losses[0])
