# d2l "Multilayer Perceptrons" from scratch and concise, on synthetic 28x28 "images".
import torch
from torch import nn
from torch.utils import data

torch.manual_seed(0)
n, num_classes = 512, 10
centers = torch.randn(num_classes, 1, 28, 28)
y_all = torch.randint(0, num_classes, (n,))
X_all = centers[y_all] + 0.5 * torch.randn(n, 1, 28, 28)
train_iter = data.DataLoader(data.TensorDataset(X_all, y_all), batch_size=64, shuffle=True)

num_inputs, num_outputs, num_hiddens = 784, 10, 256
W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, requires_grad=True) * 0.01)
b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, requires_grad=True) * 0.01)
b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))
params = [W1, b1, W2, b2]


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X @ W1 + b1)
    return (H @ W2 + b2)


loss = nn.CrossEntropyLoss(reduction='none')


def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def train(net, updater, num_epochs):
    for epoch in range(num_epochs):
        total, correct = 0.0, 0.0
        for X, y in train_iter:
            y_hat = net(X)
            l = loss(y_hat, y)
            updater.zero_grad()
            l.mean().backward()
            updater.step()
            correct += accuracy(y_hat, y)
            total += y.numel()
    with torch.no_grad():
        acc = accuracy(net(X_all), y_all) / len(y_all)
    return acc


updater = torch.optim.SGD(params, lr=0.1)
print('scratch accuracy > 0.9:', train(net, updater, 3) > 0.9)

net = nn.Sequential(nn.Flatten(),
                    nn.Linear(784, 256),
                    nn.ReLU(),
                    nn.Linear(256, 10))


def init_weights(m):
    if type(m) == nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)
print(net)
trainer = torch.optim.SGD(net.parameters(), lr=0.1)
print('concise accuracy > 0.9:', train(net, trainer, 3) > 0.9)
print(net(X_all[:3]).shape, loss(net(X_all[:3]), y_all[:3]).shape)
