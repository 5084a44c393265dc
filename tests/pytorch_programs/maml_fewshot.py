# ruff: noqa: E501
# MAML as the few-shot learning repositories write it: a model run functionally from a list of
# weights (F.linear, F.conv2d, F.batch_norm with training=True and no running stats,
# F.max_pool2d, F.relu), an inner loop of SGD steps whose gradients come from
# torch.autograd.grad(create_graph=True) so the outer Adam step differentiates through them
# (second order), the first-order variant (create_graph=False), sine-wave regression tasks and a
# 3-way image task. Tasks are generated from fixed formulas, so both libraries agree.
import math

import torch
import torch.nn.functional as F


def init_mlp(sizes, phase):
    params = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        k = torch.arange(n_out * n_in, dtype=torch.float32)
        params.append((torch.sin(k * phase + i) * math.sqrt(2.0 / n_in)).view(n_out, n_in).requires_grad_())
        params.append(torch.zeros(n_out, requires_grad=True))
    return params


def mlp(x, params):
    for i in range(0, len(params) - 2, 2):
        x = F.relu(F.linear(x, params[i], params[i + 1]))
    return F.linear(x, params[-2], params[-1])


def sine_task(t, k_shot=10):
    amplitude, phase = 0.5 + (t * 0.37) % 4.5, (t * 1.13) % math.pi
    x = torch.linspace(-5, 5, 2 * k_shot).view(-1, 1)
    x = torch.cat([x[0::2], x[1::2]])
    y = amplitude * torch.sin(x + phase)
    return x[:k_shot], y[:k_shot], x[k_shot:], y[k_shot:]


def adapt(params, x, y, forward, loss_fn, inner_lr, steps, first_order=False):
    fast = list(params)
    for _ in range(steps):
        loss = loss_fn(forward(x, fast), y)
        grads = torch.autograd.grad(loss, fast, create_graph=not first_order)
        fast = [w - inner_lr * g for w, g in zip(fast, grads)]
    return fast


for first_order in (False, True):
    params = init_mlp([1, 20, 20, 1], 0.77)
    meta_opt = torch.optim.Adam(params, lr=1e-3)
    for it in range(6):
        meta_opt.zero_grad()
        meta_loss = 0.0
        for t in range(4):
            xs, ys, xq, yq = sine_task(it * 4 + t)
            fast = adapt(params, xs, ys, mlp, F.mse_loss, 0.01, 2, first_order)
            meta_loss = meta_loss + F.mse_loss(mlp(xq, fast), yq)
        meta_loss = meta_loss / 4
        meta_loss.backward()
        meta_opt.step()
        if it % 2 == 0 or it == 5:
            print(f"{'fomaml' if first_order else 'maml'} iteration {it} meta loss {meta_loss.item():.6f} grad norm {params[0].grad.norm().item():.6f}")

# the second-order term: the meta-gradient differs from the first-order one
params = init_mlp([1, 20, 20, 1], 0.77)
xs, ys, xq, yq = sine_task(3)
g2 = torch.autograd.grad(F.mse_loss(mlp(xq, adapt(params, xs, ys, mlp, F.mse_loss, 0.01, 1)), yq), params)
g1 = torch.autograd.grad(F.mse_loss(mlp(xq, adapt(params, xs, ys, mlp, F.mse_loss, 0.01, 1, True)), yq), params)
print("second-order correction", round(sum((a - b).abs().sum() for a, b in zip(g2, g1)).item(), 6))


def conv_params(phase, n_way=3):
    shapes = [(4, 1, 3, 3), (4,), (4,), (4,), (4, 4, 3, 3), (4,), (4,), (4,), (n_way, 4 * 2 * 2), (n_way,)]
    out = []
    for i, s in enumerate(shapes):
        if len(s) > 1:
            k = torch.arange(math.prod(s), dtype=torch.float32)
            out.append((torch.sin(k * phase + i) * math.sqrt(2.0 / math.prod(s[1:]))).view(s).requires_grad_())
        elif i in (2, 6):  # batch-norm scales
            out.append(torch.ones(s, requires_grad=True))
        else:
            out.append(torch.zeros(s, requires_grad=True))
    return out


def conv_net(x, p):
    for i in (0, 4):
        x = F.conv2d(x, p[i], p[i + 1], padding=1)
        x = F.batch_norm(x, None, None, weight=p[i + 2], bias=p[i + 3], training=True)
        x = F.max_pool2d(F.relu(x), 2)
    return F.linear(x.view(x.size(0), -1), p[8], p[9])


images = torch.stack([torch.sin(torch.arange(64, dtype=torch.float32).view(1, 8, 8) * (0.2 + 0.15 * c) + s) for c in range(3) for s in range(4)])
labels = torch.arange(3).repeat_interleave(4)
support, query = torch.arange(12) % 2 == 0, torch.arange(12) % 2 == 1
p = conv_params(0.61)
opt = torch.optim.Adam(p, lr=5e-3)
for it in range(4):
    fast = adapt(p, images[support], labels[support], conv_net, F.cross_entropy, 0.4, 3)
    logits = conv_net(images[query], fast)
    loss = F.cross_entropy(logits, labels[query])
    opt.zero_grad()
    loss.backward()
    opt.step()
    acc = (logits.argmax(1) == labels[query]).float().mean().item()
    print(f"3-way conv maml {it} query loss {loss.item():.6f} acc {acc:.3f} bn-scale grad {p[2].grad.abs().sum().item():.6f}")
