# ruff: noqa: E501
# PyTorch's "What is torch.nn really?" in its manner, on deterministic 28x28 "digits": the
# model from scratch (weights / sqrt(784), requires_grad_(), a hand log_softmax, the loss by
# input[range(n), target]), then refactored step by step into nn.Module, nn.Linear, optim,
# TensorDataset, DataLoader, a CNN with a Lambda module, AdaptiveAvgPool2d and a
# WrappedDataLoader, with fit() computing validation loss weighted by batch sizes in numpy.
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

n, c = 64, 10
grid = np.arange(n * 784, dtype=np.float32).reshape(n, 784)
x_train, y_train, x_valid, y_valid = map(torch.tensor, ((np.sin(grid * 0.37) + 1) / 2, np.arange(n) % c, (np.cos(grid[:32] * 0.11) + 1) / 2, np.arange(32) % c))
print(x_train.shape, y_train.min(), y_train.max(), x_train.dtype, y_train.dtype)
weights = torch.sin(torch.arange(784 * 10.)).reshape(784, 10) / math.sqrt(784)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


bs, lr, epochs = 16, 0.5, 2
loss_func = nll
xb, yb = x_train[0:bs], y_train[0:bs]
preds = model(xb)
print(preds[0], preds.shape, loss_func(preds, yb), accuracy(preds, yb))
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb, yb = x_train[start_i:end_i], y_train[start_i:end_i]
        loss = loss_func(model(xb), yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
print(loss_func(model(xb), yb), accuracy(model(xb), yb), F.cross_entropy(xb @ weights + bias, yb))


class Lambda(nn.Module):
    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, x):
        return self.func(x)


def preprocess(x, y):
    return x.view(-1, 1, 28, 28), y


class WrappedDataLoader:
    def __init__(self, dl, func):
        self.dl, self.func = dl, func

    def __len__(self):
        return len(self.dl)

    def __iter__(self):
        for b in self.dl:
            yield (self.func(*b))


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)
        model.eval()
        with torch.no_grad():
            losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
        print(epoch, f"{val_loss:.6f}")


train_ds, valid_ds = TensorDataset(x_train, y_train), TensorDataset(x_valid, y_valid)
train_dl = WrappedDataLoader(DataLoader(train_ds, batch_size=bs, shuffle=False), preprocess)
valid_dl = WrappedDataLoader(DataLoader(valid_ds, batch_size=bs * 2), preprocess)
cnn = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(),
    nn.Conv2d(8, 8, kernel_size=3, stride=2, padding=1), nn.ReLU(),
    nn.Conv2d(8, 10, kernel_size=3, stride=2, padding=1), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), Lambda(lambda x: x.view(x.size(0), -1)))
with torch.no_grad():
    for i, p in enumerate(cnn.parameters()):
        p.copy_(0.3 * torch.cos(torch.arange(p.numel()) * 0.53 + i).view_as(p))
opt = optim.SGD(cnn.parameters(), lr=0.1, momentum=0.9)
print(len(train_dl), len(valid_dl))
fit(3, cnn, F.cross_entropy, opt, train_dl, valid_dl)
