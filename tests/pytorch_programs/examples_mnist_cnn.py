# ruff: noqa: E501
# pytorch/examples' MNIST CNN in its manner, on deterministic images: Conv2d, max_pool2d, Dropout,
# flatten, log_softmax with nll_loss, Adadelta with StepLR, argmax/eq/view_as accuracy,
# device selection, saving the state dict.
import os
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(16 * 12 * 12, 32)
        self.fc2 = nn.Linear(32, 10)
    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output

def train(model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % 2 == 0:
            print(f'Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)} ({100. * batch_idx / len(train_loader):.0f}%)]')

def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction='sum').item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    print(f'Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(test_loader.dataset)} ({100. * correct / len(test_loader.dataset):.0f}%)')

use_cuda = torch.cuda.is_available()
use_mps = torch.backends.mps.is_available()
torch.manual_seed(1)
device = torch.device("cuda" if use_cuda else "mps" if use_mps else "cpu")
train_kwargs = {'batch_size': 8}
test_kwargs = {'batch_size': 16}
if use_cuda:
    train_kwargs.update({'num_workers': 1, 'pin_memory': True, 'shuffle': True})
x = (torch.linspace(0, 1, 24 * 28 * 28).reshape(24, 1, 28, 28) * 13).frac()
y = torch.arange(24) % 10
ds = torch.utils.data.TensorDataset(x, y)
train_loader = torch.utils.data.DataLoader(ds, **train_kwargs)
test_loader = torch.utils.data.DataLoader(ds, **test_kwargs)
model = Net().to(device)
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.linspace(-1, 1, p.numel()).reshape(p.shape).sin() * 0.2)
model.dropout1.p = 0.0
model.dropout2.p = 0.0
optimizer = optim.Adadelta(model.parameters(), lr=1.0)
scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
for epoch in range(1, 3):
    train(model, device, train_loader, optimizer, epoch)
    test(model, device, test_loader)
    scheduler.step()
path = os.path.join(tempfile.mkdtemp(), "mnist_cnn.pt")
torch.save(model.state_dict(), path)
print(sorted(torch.load(path)))
