# ruff: noqa: E501
# Two architectures as their popular re-implementations write them. PointNet: a T-Net that
# predicts a 3x3 transform (identity added via torch.eye(3).repeat / flatten and view), Conv1d
# with kernel 1 and BatchNorm1d over (B, C, N), torch.max(x, 2, keepdim=True)[0] as the
# symmetric function, bmm, and the feature-transform regulariser ||I - A A^T||. PixelCNN: a
# MaskedConv2d subclass of nn.Conv2d with a registered mask buffer (types "A" and "B") applied
# by self.weight.data *= self.mask in forward, 256-way logits, F.cross_entropy over (B, C, H, W),
# and a check that the receptive field never sees the current or future pixels.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# float64: the convolution biases in front of BatchNorm have a true gradient of 0, so Adam turns
# their float32 rounding noise into steps of size lr, which the running means then record
torch.set_default_dtype(torch.float64)


class STN3d(nn.Module):
    def __init__(self, k=3):
        super().__init__()
        self.k = k
        self.conv1 = torch.nn.Conv1d(k, 16, 1)
        self.conv2 = torch.nn.Conv1d(16, 32, 1)
        self.fc1 = nn.Linear(32, 16)
        self.fc2 = nn.Linear(16, k * k)
        self.relu = nn.ReLU()
        self.bn1 = nn.BatchNorm1d(16)
        self.bn2 = nn.BatchNorm1d(32)
        self.bn3 = nn.BatchNorm1d(16)

    def forward(self, x):
        batchsize = x.size()[0]
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = torch.max(x, 2, keepdim=True)[0]
        x = x.view(-1, 32)
        x = F.relu(self.bn3(self.fc1(x)))
        x = self.fc2(x)
        iden = torch.eye(self.k).flatten().view(1, self.k * self.k).repeat(batchsize, 1)
        if x.is_cuda:
            iden = iden.cuda()
        x = x + iden
        x = x.view(-1, self.k, self.k)
        return x


class PointNetCls(nn.Module):
    def __init__(self, k=2, feature_transform=True):
        super().__init__()
        self.stn = STN3d()
        self.conv1 = torch.nn.Conv1d(3, 16, 1)
        self.conv2 = torch.nn.Conv1d(16, 32, 1)
        self.bn1 = nn.BatchNorm1d(16)
        self.bn2 = nn.BatchNorm1d(32)
        self.feature_transform = feature_transform
        if self.feature_transform:
            self.fstn = STN3d(k=16)
        self.fc = nn.Linear(32, k)

    def forward(self, x):
        n_pts = x.size()[2]
        trans = self.stn(x)
        x = x.transpose(2, 1)
        x = torch.bmm(x, trans)
        x = x.transpose(2, 1)
        x = F.relu(self.bn1(self.conv1(x)))
        trans_feat = None
        if self.feature_transform:
            trans_feat = self.fstn(x)
            x = x.transpose(2, 1)
            x = torch.bmm(x, trans_feat)
            x = x.transpose(2, 1)
        pointfeat = x
        x = self.bn2(self.conv2(x))
        x = torch.max(x, 2, keepdim=True)[0].view(-1, 32)
        return F.log_softmax(self.fc(x), dim=1), trans, trans_feat, pointfeat.shape, n_pts


def feature_transform_regularizer(trans):
    d = trans.size()[1]
    I = torch.eye(d)[None, :, :]  # noqa: E741
    return torch.mean(torch.norm(torch.bmm(trans, trans.transpose(2, 1)) - I, dim=(1, 2)))


def set_weights(model, phase, scale=1.0):
    with torch.no_grad():
        for i, (name, p) in enumerate(model.named_parameters()):
            if p.dim() > 1:
                k = torch.arange(p.numel())
                p.copy_((torch.sin(k * phase + i) * scale / math.sqrt(p[0].numel())).reshape(p.shape))
            elif name.endswith("bias"):
                p.zero_()


B, N = 4, 20
t = torch.arange(B * N)
points = torch.stack([torch.sin(t * 0.13), torch.cos(t * 0.29), torch.sin(t * 0.07 + 1)], 0).view(3, B, N).transpose(0, 1).contiguous()
labels = torch.tensor([0, 1, 1, 0])
classifier = PointNetCls(k=2, feature_transform=True)
set_weights(classifier, 0.61, scale=0.5)
optimizer = torch.optim.Adam(classifier.parameters(), lr=0.001, betas=(0.9, 0.999))
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
for epoch in range(4):
    classifier.train()
    optimizer.zero_grad()
    pred, trans, trans_feat, featshape, n_pts = classifier(points)
    loss = F.nll_loss(pred, labels) + feature_transform_regularizer(trans_feat) * 0.001
    loss.backward()
    optimizer.step()
    scheduler.step()
    pred_choice = pred.data.max(1)[1]
    correct = pred_choice.eq(labels.data).cpu().sum()
    print(f"[{epoch}] train loss: {loss.item():f} accuracy: {correct.item() / float(B):f}")
print("trans", tuple(trans.shape), "feat trans", tuple(trans_feat.shape), "pointfeat", tuple(featshape), n_pts)
classifier.eval()
with torch.no_grad():
    pred, trans, _, _, _ = classifier(points)
    perm = torch.arange(N - 1, -1, -1)
    pred_perm, _, _, _, _ = classifier(points[:, :, perm])
    print("eval log-probs", [round(v, 5) for v in pred[:, 0].tolist()])
    print("permutation invariant:", torch.allclose(pred, pred_perm, atol=1e-5))
    print("regulariser", round(feature_transform_regularizer(trans).item(), 5))


class MaskedConv2d(nn.Conv2d):
    def __init__(self, mask_type, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assert mask_type in {"A", "B"}
        self.register_buffer("mask", self.weight.data.clone())
        _, _, kH, kW = self.weight.size()
        self.mask.fill_(1)
        self.mask[:, :, kH // 2, kW // 2 + (mask_type == "B"):] = 0
        self.mask[:, :, kH // 2 + 1:] = 0

    def forward(self, x):
        self.weight.data *= self.mask
        return super().forward(x)


fm = 8
net = nn.Sequential(
    MaskedConv2d("A", 1, fm, 5, 1, 2, bias=False), nn.BatchNorm2d(fm), nn.ReLU(True),
    MaskedConv2d("B", fm, fm, 3, 1, 1, bias=False), nn.BatchNorm2d(fm), nn.ReLU(True),
    nn.Conv2d(fm, 256, 1))
set_weights(net, 0.83)
print("mask A row 2", net[0].mask[0, 0, 2].tolist(), "mask B row 1", net[3].mask[0, 0, 1].tolist())
print("buffers", [n for n, _ in net.named_buffers()][:2])
img = ((torch.sin(torch.arange(2 * 7 * 7) * 0.7) + 1) / 2).view(2, 1, 7, 7)
target = (img[:, 0] * 255).long()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
for step in range(3):
    out = net(img)
    loss = F.cross_entropy(out, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f"pixelcnn step {step} {tuple(out.shape)} loss {loss.item():.5f} bits/dim {loss.item() / math.log(2):.4f}")
net.eval()
x = img.clone().requires_grad_(True)
net(x)[0, :, 3, 3].sum().backward()
seen = x.grad[0, 0].abs() > 0
print("pixel (3, 3) sees only earlier pixels:", not seen[3, 3:].any().item() and not seen[4:].any().item(), int(seen.sum()))
with torch.no_grad():
    sample = torch.zeros(1, 1, 4, 4)
    for i in range(4):
        for j in range(4):
            out = net(sample)
            probs = F.softmax(out[:, :, i, j], dim=1)
            sample[:, :, i, j] = torch.argmax(probs, dim=1).float() / 255.0
    print("greedy sample", [round(v, 4) for v in sample[0, 0, 0].tolist()])
