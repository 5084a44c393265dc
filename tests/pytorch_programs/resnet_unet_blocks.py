# ruff: noqa: E501
# Vision building blocks as torchvision-style code writes them: a ResNet BasicBlock with a 1x1
# downsample shortcut, conv3x3/conv1x1 helpers, kaiming_normal_(mode="fan_out") and zero-init of
# the last BN's gamma via modules(), AdaptiveAvgPool2d((1, 1)) and torch.flatten(x, 1); and a
# small U-Net with DoubleConv, MaxPool2d, ConvTranspose2d upsampling, F.pad to match sizes,
# torch.cat skips and a soft Dice + BCE loss. SGD with nesterov, BatchNorm running statistics
# checked in eval mode, and the BN buffers in the state dict. Weights set from a formula.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups, bias=False, dilation=dilation)


def conv1x1(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = self.relu(out)
        return out


class TinyResNet(nn.Module):
    def __init__(self, layers=(1, 1), num_classes=3, zero_init_residual=False):
        super().__init__()
        self.inplanes = 8
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(BasicBlock, 8, layers[0])
        self.layer2 = self._make_layer(BasicBlock, 16, layers[1], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(16 * BasicBlock.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride), nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer2(self.layer1(x))
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


class DoubleConv(nn.Module):
    def __init__(self, in_channels, out_channels, mid_channels=None):
        super().__init__()
        if not mid_channels:
            mid_channels = out_channels
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(mid_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )

    def forward(self, x):
        return self.double_conv(x)


class Up(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
        self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x1, x2):
        x1 = self.up(x1)
        diffY = x2.size()[2] - x1.size()[2]
        diffX = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2, diffY // 2, diffY - diffY // 2])
        x = torch.cat([x2, x1], dim=1)
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, n_channels=1, n_classes=1):
        super().__init__()
        self.inc = DoubleConv(n_channels, 4)
        self.down1 = nn.Sequential(nn.MaxPool2d(2), DoubleConv(4, 8))
        self.up1 = Up(8, 4)
        self.outc = nn.Conv2d(4, n_classes, kernel_size=1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        return self.outc(self.up1(x2, x1))


def set_weights(model):
    with torch.no_grad():
        for i, (name, p) in enumerate(model.named_parameters()):
            if p.dim() > 1:
                k = torch.arange(p.numel(), dtype=torch.float32)
                fan_in = p[0].numel()
                p.copy_((torch.sin(k * 0.77 + i) * math.sqrt(3.0 / fan_in)).reshape(p.shape))
            elif name.endswith("bias"):
                p.zero_()


def dice_loss(logits, target, eps=1.0):
    probs = torch.sigmoid(logits)
    dims = (1, 2, 3)
    intersection = (probs * target).sum(dims)
    union = probs.sum(dims) + target.sum(dims)
    return (1 - (2 * intersection + eps) / (union + eps)).mean()


images = torch.stack([torch.sin(torch.arange(3 * 9 * 9, dtype=torch.float32) * (0.1 + 0.03 * b)).view(3, 9, 9) for b in range(6)])
labels = torch.tensor([0, 1, 2, 0, 1, 2])
net = TinyResNet(zero_init_residual=True)
print("zero-init gammas:", [m.bn2.weight.abs().sum().item() for m in net.modules() if isinstance(m, BasicBlock)])
set_weights(net)
print("parameters", sum(p.numel() for p in net.parameters()), "buffers", [n for n, _ in net.named_buffers()][:3])
print("downsample", net.layer2[0].downsample)
optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4)
for step in range(8):
    net.train()
    loss = F.cross_entropy(net(images), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 3 == 0 or step == 7:
        print(f"resnet step {step} loss {loss.item():.5f}")
print("bn1 running_mean", [round(v, 5) for v in net.bn1.running_mean[:4].tolist()], "batches", net.bn1.num_batches_tracked.item())
net.eval()
with torch.no_grad():
    logits = net(images)
    print("eval logits", [round(v, 4) for v in logits[0].tolist()], "pred", logits.argmax(1).tolist())
    feats = torch.flatten(net.avgpool(net.layer2(net.layer1(net.maxpool(net.relu(net.bn1(net.conv1(images))))))), 1)
    print("features", feats.shape, torch.allclose(net.fc(feats), logits, atol=1e-5))
sd = net.state_dict()
print("state dict has", len(sd), "entries;", "layer1.0.bn1.running_var" in sd, sd["layer2.0.downsample.1.num_batches_tracked"].item())

unet = UNet()
set_weights(unet)
masks_in = torch.cos(torch.arange(2 * 7 * 7, dtype=torch.float32) * 0.3).view(2, 1, 7, 7)
target = (masks_in > 0).float()
opt = torch.optim.Adam(unet.parameters(), lr=1e-2)
for step in range(6):
    out = unet(masks_in)
    loss = F.binary_cross_entropy_with_logits(out, target) + dice_loss(out, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f"unet step {step} out {tuple(out.shape)} loss {loss.item():.5f}")
unet.eval()
with torch.no_grad():
    pred = (torch.sigmoid(unet(masks_in)) > 0.5).float()
    iou = (pred * target).sum() / ((pred + target) > 0).float().sum()
    print("IoU", round(iou.item(), 4), "up weight", tuple(unet.up1.up.weight.shape))
