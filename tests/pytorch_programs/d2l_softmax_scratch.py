# d2l "Softmax Regression Implementation from Scratch", on a small deterministic data set.
import torch

X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(X.sum(0, keepdim=True), X.sum(1, keepdim=True))


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition


X_prob = softmax(torch.linspace(-1, 1, 10).reshape(2, 5))
print(X_prob, X_prob.sum(1))

y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])


def cross_entropy(y_hat, y):
    return - torch.log(y_hat[range(len(y_hat)), y])


print(cross_entropy(y_hat, y))


def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


print(accuracy(y_hat, y) / len(y))

num_inputs, num_outputs, n = 12, 3, 60
features = torch.sin(torch.arange(n * num_inputs, dtype=torch.float32).reshape(n, num_inputs))
labels = torch.arange(n) % num_outputs
features[range(n), labels] += 2.0
W = torch.zeros((num_inputs, num_outputs), requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


lr, batch_size = 0.1, 10
for epoch in range(5):
    for i in range(0, n, batch_size):
        X, y = features[i:i + batch_size], labels[i:i + batch_size]
        l = cross_entropy(net(X), y)
        l.mean().backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
            W.grad.zero_()
            b.grad.zero_()
    with torch.no_grad():
        print(epoch + 1, f"{cross_entropy(net(features), labels).mean().item():.6f}",
              accuracy(net(features), labels) / n)
print(net(features[:2]).argmax(axis=1), labels[:2])
