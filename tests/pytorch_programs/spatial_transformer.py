# ruff: noqa: E501
# PyTorch's "Spatial Transformer Networks" tutorial in its manner, on deterministic 28x28
# images: a localization net regressing a 2x3 affine theta (fc_loc's last layer initialised to
# the identity through .data), F.affine_grid and F.grid_sample, then a small classifier.
# Dropout is in the model as in the tutorial, and off (eval mode) so both libraries agree.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 4, kernel_size=5)
        self.conv2 = nn.Conv2d(4, 8, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(128, 16)
        self.fc2 = nn.Linear(16, 10)
        self.localization = nn.Sequential(
            nn.Conv2d(1, 4, kernel_size=7), nn.MaxPool2d(2, stride=2), nn.ReLU(True),
            nn.Conv2d(4, 5, kernel_size=5), nn.MaxPool2d(2, stride=2), nn.ReLU(True))
        self.fc_loc = nn.Sequential(nn.Linear(5 * 3 * 3, 16), nn.ReLU(True), nn.Linear(16, 3 * 2))
        with torch.no_grad():
            for i, p in enumerate(self.parameters()):
                p.copy_(0.2 * torch.sin(torch.arange(p.numel()) * 0.61 + i).view_as(p))
        self.fc_loc[2].weight.data.zero_()
        self.fc_loc[2].bias.data.copy_(torch.tensor([1, 0, 0, 0, 1, 0], dtype=torch.float))

    def stn(self, x):
        xs = self.localization(x)
        xs = xs.view(-1, 5 * 3 * 3)
        theta = self.fc_loc(xs)
        theta = theta.view(-1, 2, 3)
        grid = F.affine_grid(theta, x.size(), align_corners=False)
        return F.grid_sample(x, grid, align_corners=False)

    def forward(self, x):
        x = self.stn(x)
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 128)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, training=self.training)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


model = Net()
# the identity puts every sample exactly on a pixel center, where bilinear interpolation's
# gradient jumps and one rounding decides the side; start from a slight rotation instead
model.fc_loc[2].bias.data.copy_(torch.tensor([0.97, 0.11, 0.031, -0.09, 0.95, 0.017]))
optimizer = optim.SGD(model.parameters(), lr=0.05)
data = (torch.sin(torch.arange(8 * 28 * 28.).view(8, 1, 28, 28) * 0.05) + 1) / 2
target = torch.arange(8) % 10
model.eval()
for step in range(6):
    optimizer.zero_grad()
    output = model(data)
    loss = F.nll_loss(output, target)
    loss.backward()
    optimizer.step()
    print(f"step {step} loss {loss.item():.6f} theta grad {model.fc_loc[2].bias.grad.abs().sum().item():.6f}")
with torch.no_grad():
    theta = model.fc_loc(model.localization(data).view(-1, 45)).view(-1, 2, 3)
    print(theta[0])
    warped = model.stn(data)
    print(warped.shape, warped.mean().item(), (warped - data).abs().max().item())
    shift = torch.tensor([[[1.0, 0.0, 0.5], [0.0, 1.0, 0.0]]])
    moved = F.grid_sample(data[:1], F.affine_grid(shift, [1, 1, 28, 28], align_corners=True), padding_mode="border", align_corners=True)
    print(moved[0, 0, 10, :6], F.grid_sample(data[:1], F.affine_grid(shift, [1, 1, 4, 4], align_corners=False), mode="nearest", align_corners=False).flatten())
