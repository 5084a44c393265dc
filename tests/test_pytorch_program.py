"""A small program written for PyTorch runs on minigrad through `import minigrad as torch` alone,
and with torch itself gives the same kind of result."""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROGRAM = textwrap.dedent('''
    import os, sys, tempfile
    import numpy as np
    import {module} as torch
    import {module}.nn as nn
    import {module}.nn.functional as F
    from {module}.utils.data import DataLoader, TensorDataset, random_split

    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    print("device", device, torch.cuda.device_count())

    X = torch.linspace(-1, 1, 200).reshape(-1, 1)
    X = torch.cat([X, X ** 2 - 0.3], dim=1)
    y = (X[:, 0] * X[:, 1] > 0).long()
    train, test = random_split(TensorDataset(X, y), [160, 40],
                               generator=torch.Generator().manual_seed(42))
    loader = DataLoader(train, batch_size=32, shuffle=True)

    model = nn.Sequential(nn.LazyLinear(32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(),
                          nn.Linear(32, 2)).to(device)
    model(torch.zeros(1, 2, device=device))  # dry run: LazyLinear learns in_features
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
    loss_fn = nn.CrossEntropyLoss()

    for epoch in range(20):
        model.train()
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        scheduler.step()

    def accuracy(model, dataset):
        model.eval()
        correct = 0
        with torch.no_grad():
            for xb, yb in DataLoader(dataset, batch_size=64):
                correct += (model(xb).argmax(dim=1) == yb).sum().item()
        return correct / len(dataset)

    acc = accuracy(model, test)
    path = os.path.join(tempfile.mkdtemp(), "model.pt")
    torch.save({{"model": model.state_dict(), "optimizer": optimizer.state_dict()}}, path)

    fresh = nn.Sequential(nn.LazyLinear(32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(),
                          nn.Linear(32, 2))
    checkpoint = torch.load(path)
    fresh.load_state_dict(checkpoint["model"])
    optimizer2 = torch.optim.SGD(fresh.parameters(), lr=0.1, momentum=0.9)
    optimizer2.load_state_dict(checkpoint["optimizer"])
    assert accuracy(fresh, test) == acc
    w = fresh[0].weight
    print("params", n_params, "dtype", w.dtype, "float64", w.double().dtype == torch.float64)
    print("accuracy", acc)
''')


def _run(module: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", PROGRAM.format(module=module)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.split("\n")


def test_pytorch_program_runs_on_minigrad_unchanged():
    out = _run("minigrad")
    assert out[0] == "device cpu 0"
    assert out[1] == "params 1218 dtype float32 float64 True"
    assert float(out[2].split()[1]) >= 0.85  # the quadrant problem is learned


def test_the_same_program_runs_on_pytorch(torch):
    out = _run("torch")
    assert out[0] == "device cpu 0"
    assert out[1] == "params 1218 dtype torch.float32 float64 True"
    assert float(out[2].split()[1]) >= 0.85
