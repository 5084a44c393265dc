# ruff: noqa: E501
# Time-series forecasting as blog tutorials write it: min-max scaling by hand, sliding windows
# with Tensor.unfold, TensorDataset/DataLoader(drop_last=True), an LSTMModel whose h0/c0 are
# zeros(...).requires_grad_() passed as .detach(), out[:, -1, :] into a Linear head, a
# 2-layer LSTM with proj_size, a bidirectional GRU whose last hidden states are concatenated
# with torch.cat((hidden[-2], hidden[-1]), dim=1), ReduceLROnPlateau stepped on the validation
# loss, early stopping, and a recursive multi-step forecast. Weights are set from a formula.
import math

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

series = torch.sin(torch.arange(120, dtype=torch.float32) * 0.2) + 0.3 * torch.cos(torch.arange(120, dtype=torch.float32) * 0.05)
lo, hi = series.min(), series.max()
scaled = (series - lo) / (hi - lo)
window = 10
windows = scaled.unfold(0, window + 1, 1)          # (110, 11)
X, y = windows[:, :window].unsqueeze(-1), windows[:, window:]
print("windows", tuple(windows.shape), "X", tuple(X.shape), "y", tuple(y.shape), "scaled range", scaled.min().item(), scaled.max().item())
split = 80
train_loader = DataLoader(TensorDataset(X[:split], y[:split]), batch_size=16, shuffle=False, drop_last=True)
val_X, val_y = X[split:], y[split:]
print("batches", len(train_loader))


class LSTMModel(nn.Module):
    def __init__(self, input_dim, hidden_dim, layer_dim, output_dim):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.layer_dim = layer_dim
        self.lstm = nn.LSTM(input_dim, hidden_dim, layer_dim, batch_first=True)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        h0 = torch.zeros(self.layer_dim, x.size(0), self.hidden_dim).requires_grad_()
        c0 = torch.zeros(self.layer_dim, x.size(0), self.hidden_dim).requires_grad_()
        out, (hn, cn) = self.lstm(x, (h0.detach(), c0.detach()))
        out = self.fc(out[:, -1, :])
        return out


def set_weights(model, phase):
    with torch.no_grad():
        for i, (name, p) in enumerate(model.named_parameters()):
            k = torch.arange(p.numel(), dtype=torch.float32)
            p.copy_((torch.sin(k * phase + i) / math.sqrt(p.shape[-1] if p.dim() > 1 else p.numel())).reshape(p.shape))


model = LSTMModel(1, 12, 2, 1)
set_weights(model, 0.47)
criterion = nn.MSELoss(reduction="mean")
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=1)
best, bad_epochs, patience = float("inf"), 0, 3
for epoch in range(12):
    model.train()
    batch_losses = []
    for x_batch, y_batch in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(x_batch), y_batch)
        loss.backward()
        optimizer.step()
        batch_losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(val_X), val_y).item()
    scheduler.step(val_loss)
    print(f"[{epoch + 1}/12] Training loss: {sum(batch_losses) / len(batch_losses):.5f}\t Validation loss: {val_loss:.5f}\t lr {optimizer.param_groups[0]['lr']:.5f}")
    if val_loss < best - 1e-5:
        best, bad_epochs = val_loss, 0
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print("early stopping at epoch", epoch + 1)
            break

# recursive forecast of the next 5 points, then back to the original scale
history = scaled[-window:].clone()
preds = []
with torch.no_grad():
    for _ in range(5):
        nxt = model(history.view(1, window, 1)).squeeze()
        preds.append(nxt.item())
        history = torch.cat([history[1:], nxt.view(1)])
forecast = torch.tensor(preds) * (hi - lo) + lo
print("forecast", [round(v, 4) for v in forecast.tolist()])

# LSTM with projections and a bidirectional GRU
proj = nn.LSTM(input_size=1, hidden_size=8, num_layers=2, proj_size=3, batch_first=True)
set_weights(proj, 0.31)
out, (h, c) = proj(X[:4])
print("proj lstm", tuple(out.shape), tuple(h.shape), tuple(c.shape), [n for n, _ in proj.named_parameters()][:5])
print("proj out", [round(v, 5) for v in out[0, -1].tolist()], torch.allclose(out[:, -1], h[-1]))
gru = nn.GRU(1, 6, num_layers=1, batch_first=True, bidirectional=True)
set_weights(gru, 0.23)
output, hidden = gru(X[:4])
summary = torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)
print("bigru", tuple(output.shape), tuple(hidden.shape), tuple(summary.shape))
print("forward half of last step == hidden[-2]:", torch.allclose(output[:, -1, :6], hidden[-2]), "backward half of first step == hidden[-1]:", torch.allclose(output[:, 0, 6:], hidden[-1]))
(summary.sum() + out.sum()).backward()
print("grads", round(gru.weight_hh_l0_reverse.grad.abs().sum().item(), 5), round(proj.weight_hr_l0.grad.abs().sum().item(), 5))
