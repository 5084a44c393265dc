# ruff: noqa: E501
# A Fashion-MNIST-style CNN trained on synthetic 28x28 images with torchvision-free
# transforms written by hand: scaling to [0, 1], per-dataset normalisation with mean/std
# computed over the training set, random crop by F.pad(reflect/constant) + slicing at offsets
# from torch.randint, horizontal flip with torch.flip on a boolean mask, random erasing, all
# applied batch-wise in a Dataset/DataLoader. Augmentations with random offsets are checked for
# what they preserve (shapes, value ranges, counts); the training itself uses the
# deterministic transforms so the losses can be compared.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

n = 64
labels = torch.arange(n) % 10
yy, xx = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
images = torch.stack([(127.5 * (1 + torch.sin(xx * (0.2 + 0.05 * (k % 10)) + yy * 0.1 * (k % 3)))).round() for k in range(n)]).to(torch.uint8)
print(images.shape, images.dtype, images.max().item(), images.min().item())

x = images.float().div(255).unsqueeze(1)
mean, std = x.mean().item(), x.std().item()
print(round(mean, 5), round(std, 5))


def normalize(t):
    return (t - mean) / std


def random_crop(batch, size=28, padding=4, mode="constant"):
    padded = F.pad(batch, (padding,) * 4, mode=mode) if mode != "constant" else F.pad(batch, (padding,) * 4, value=0.0)
    i = torch.randint(0, 2 * padding + 1, (1,)).item()
    j = torch.randint(0, 2 * padding + 1, (1,)).item()
    return padded[..., i:i + size, j:j + size], padded


def random_hflip(batch, p=0.5):
    flip = torch.rand(batch.shape[0]) < p
    out = batch.clone()
    out[flip] = torch.flip(batch[flip], dims=[-1])
    return out, flip


def random_erase(batch, size=6):
    out = batch.clone()
    i, j = torch.randint(0, 28 - size, (2,)).tolist()
    out[..., i:i + size, j:j + size] = 0.0
    return out


torch.manual_seed(0)
cropped, padded = random_crop(x[:8])
print(cropped.shape, padded.shape, padded[..., :4, :].abs().sum().item())
reflected, rpad = random_crop(x[:8], mode="reflect")
print(reflected.shape, torch.equal(rpad[..., 4, 4:-4], x[:8, ..., 0, :]), torch.equal(rpad[..., 3, 4:-4], x[:8, ..., 1, :]))
flipped, mask = random_hflip(x[:8])
print(flipped.shape, torch.equal(flipped[~mask], x[:8][~mask]), torch.equal(flipped[mask].flip(-1), x[:8][mask]))
print(torch.equal(torch.flip(x[:2], dims=[2, 3]), x[:2].flip(2).flip(3)), torch.fliplr(x[0, 0]).shape, torch.equal(torch.flipud(x[0, 0]), x[0, 0].flip(0)))
erased = random_erase(x[:4])
print((erased == 0).sum().item() >= 4 * 36, torch.rot90(x[0, 0], 1, dims=(0, 1)).shape, torch.equal(torch.rot90(x[0, 0], 2), x[0, 0].flip(0).flip(1)))


class SyntheticFashion(Dataset):
    def __init__(self, images, labels, transform=None):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        img = self.images[i].float().div(255).unsqueeze(0)
        if self.transform is not None:
            img = self.transform(img)
        return img, self.labels[i]


train = SyntheticFashion(images, labels, transform=lambda t: normalize(t.flip(-1)) if t.sum() > 400 else normalize(t))
loader = DataLoader(train, batch_size=16, shuffle=False, drop_last=True)
xb, yb = next(iter(loader))
print(len(loader), xb.shape, yb.tolist(), round(xb.mean().item(), 5))


class FashionCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(inplace=True), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.0), nn.Linear(16 * 7 * 7, 32), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, t):
        return self.classifier(self.features(t))


model = FashionCNN()
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(0.1 * torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 0.37 + i).view_as(p))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
for epoch in range(4):
    model.train()
    running, correct = 0.0, 0
    for xb, yb in loader:
        opt.zero_grad()
        out = model(xb)
        loss = F.cross_entropy(out, yb)
        loss.backward()
        opt.step()
        running += loss.item() * xb.size(0)
        correct += (out.argmax(1) == yb).sum().item()
    sched.step()
    print(epoch, round(running / 64, 4), correct, sched.get_last_lr())
model.eval()
with torch.no_grad():
    logits = torch.cat([model(xb) for xb, _ in loader])
    probs = logits.softmax(-1)
print(logits.shape, round(probs.max(-1).values.mean().item(), 4), model.features[1].running_mean[:3], model.features[1].num_batches_tracked.item())
