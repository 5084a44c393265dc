# d2l "Weight Decay": an L2 penalty by hand, then weight_decay in the optimizer's param groups.
import torch
from torch import nn
from torch.utils import data

n_train, num_inputs, batch_size = 20, 200, 5
true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05
# deterministic "noisy" data, so that both libraries see the same numbers
X = torch.sin(torch.arange(n_train * num_inputs, dtype=torch.float32).reshape(n_train, -1) * 0.37)
y = torch.matmul(X, true_w) + true_b + 0.01 * torch.cos(torch.arange(n_train * 1.0)).reshape(-1, 1)
train_iter = data.DataLoader(data.TensorDataset(X, y), batch_size, shuffle=False)


def init_params():
    w = torch.full((num_inputs, 1), 0.02, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return [w, b]


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def train(lambd):
    w, b = init_params()
    net, loss = lambda X: linreg(X, w, b), squared_loss
    num_epochs, lr = 20, 0.003
    for epoch in range(num_epochs):
        for X, y in train_iter:
            l = loss(net(X), y) + lambd * l2_penalty(w)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
    print('L2 norm of w:', f"{torch.norm(w).item():.6f}", f"{b.item():.6f}")


train(lambd=0)
train(lambd=3)


def train_concise(wd):
    net = nn.Sequential(nn.Linear(num_inputs, 1))
    nn.init.constant_(net[0].weight, 0.02)
    nn.init.zeros_(net[0].bias)
    loss = nn.MSELoss(reduction='none')
    num_epochs, lr = 20, 0.003
    trainer = torch.optim.SGD([
        {"params": net[0].weight, 'weight_decay': wd},
        {"params": net[0].bias}], lr=lr)
    for epoch in range(num_epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            l = loss(net(X), y)
            l.mean().backward()
            trainer.step()
    print('L2 norm of w:', f"{net[0].weight.norm().item():.6f}", f"{net[0].bias.item():.6f}")


train_concise(0)
train_concise(3)
