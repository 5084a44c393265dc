# ruff: noqa: E501
# A temporal convolutional network as the TCN repository and its blog posts write it: causal
# dilated Conv1d layers wrapped in weight_norm, a Chomp1d that cuts the padding off the end,
# residual blocks with a 1x1 downsample, and a Linear head on the last time step; trained on
# a toy "adding problem" with Adam, then weight_norm removed for inference.
import torch
import torch.nn as nn
from torch.nn.utils import remove_weight_norm, weight_norm


class Chomp1d(nn.Module):
    def __init__(self, chomp_size):
        super(Chomp1d, self).__init__()
        self.chomp_size = chomp_size

    def forward(self, x):
        return x[:, :, :-self.chomp_size].contiguous()


class TemporalBlock(nn.Module):
    def __init__(self, n_inputs, n_outputs, kernel_size, stride, dilation, padding, dropout=0.2):
        super(TemporalBlock, self).__init__()
        self.conv1 = weight_norm(nn.Conv1d(n_inputs, n_outputs, kernel_size, stride=stride, padding=padding, dilation=dilation))
        self.chomp1, self.relu1, self.dropout1 = Chomp1d(padding), nn.ReLU(), nn.Dropout(dropout)
        self.conv2 = weight_norm(nn.Conv1d(n_outputs, n_outputs, kernel_size, stride=stride, padding=padding, dilation=dilation))
        self.chomp2, self.relu2, self.dropout2 = Chomp1d(padding), nn.ReLU(), nn.Dropout(dropout)
        self.net = nn.Sequential(self.conv1, self.chomp1, self.relu1, self.dropout1, self.conv2, self.chomp2, self.relu2, self.dropout2)
        self.downsample = nn.Conv1d(n_inputs, n_outputs, 1) if n_inputs != n_outputs else None
        self.relu = nn.ReLU()

    def forward(self, x):
        out = self.net(x)
        res = x if self.downsample is None else self.downsample(x)
        return self.relu(out + res)


class TCN(nn.Module):
    def __init__(self, input_size, output_size, num_channels, kernel_size=2, dropout=0.2):
        super(TCN, self).__init__()
        layers = []
        for i in range(len(num_channels)):
            dilation_size = 2 ** i
            in_channels = input_size if i == 0 else num_channels[i - 1]
            layers += [TemporalBlock(in_channels, num_channels[i], kernel_size, stride=1, dilation=dilation_size, padding=(kernel_size - 1) * dilation_size, dropout=dropout)]
        self.tcn = nn.Sequential(*layers)
        self.linear = nn.Linear(num_channels[-1], output_size)

    def forward(self, x):
        y1 = self.tcn(x)
        return self.linear(y1[:, :, -1])


model = TCN(2, 1, [6, 6], kernel_size=3)
with torch.no_grad():
    for i, (name, p) in enumerate(model.named_parameters()):
        p.copy_(0.3 * torch.sin(torch.arange(p.numel()) * 0.83 + i).view_as(p) + (0.5 if name.endswith("_g") else 0))
print([name for name, _ in model.named_parameters()][:6], model.tcn[0].conv1.weight_g.shape)
seq_len, n = 12, 8
values = (torch.arange(n * seq_len, dtype=torch.float32).reshape(n, seq_len) * 0.61).sin().abs()
markers = torch.zeros(n, seq_len)
markers[torch.arange(n), torch.arange(n) % 5] = 1
markers[torch.arange(n), 6 + torch.arange(n) % 4] = 1
x = torch.stack([values, markers], dim=1)
y = (values * markers).sum(1, keepdim=True)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
model.eval()  # dropout off, so both libraries train alike
for step in range(15):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    if step % 5 == 0:
        print(step, f"{loss.item():.6f}", model.tcn[1].conv2.weight_v.grad.norm().item())
with torch.no_grad():
    before = model(x)
    for block in model.tcn:
        remove_weight_norm(block.conv1)
        remove_weight_norm(block.conv2)
    after = model(x)
print((before - after).abs().max().item() < 1e-5, [name for name, _ in model.tcn[0].named_parameters()][:3], len(model.state_dict()))
