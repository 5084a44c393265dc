# ruff: noqa: E501
# Image-processing operations from vision tutorials: ESPCN super-resolution with PixelShuffle,
# pixel_unshuffle, F.interpolate in nearest / bilinear (align_corners both ways) / bicubic-free
# modes with scale_factor and size, antialias-free area mode, F.pad reflect/replicate/circular,
# Sobel edges with a grouped conv2d, rot90/flip augmentations, ViT patches with unfold/fold and
# Tensor.unfold, affine_grid + grid_sample rotation, and a PSNR metric.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

img = (torch.sin(torch.arange(2 * 3 * 8 * 8, dtype=torch.float32).view(2, 3, 8, 8) * 0.13) + 1) / 2
print("image", img.shape, round(img.mean().item(), 6))
ps = nn.PixelShuffle(2)
x = torch.arange(2 * 8 * 2 * 2, dtype=torch.float32).view(2, 8, 2, 2)
y = ps(x)
print("pixel shuffle", y.shape, y[0, 0].tolist())
print("unshuffle inverts:", torch.equal(F.pixel_unshuffle(y, 2), x), nn.PixelUnshuffle(2)(img).shape)


class ESPCN(nn.Module):
    def __init__(self, scale=2, channels=3):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(channels, 16, 5, padding=2), nn.Tanh(), nn.Conv2d(16, 8, 3, padding=1), nn.Tanh())
        self.tail = nn.Sequential(nn.Conv2d(8, channels * scale ** 2, 3, padding=1), nn.PixelShuffle(scale))

    def forward(self, x):
        return self.tail(self.body(x))


model = ESPCN()
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 0.29 + i).view_as(p) * 0.1)
low = F.avg_pool2d(img, 2)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for step in range(25):
    sr = model(low)
    loss = F.mse_loss(sr, img)
    opt.zero_grad()
    loss.backward()
    opt.step()


def psnr(a, b):
    return 10 * torch.log10(1.0 / F.mse_loss(a, b))


bicubic_free = F.interpolate(low, scale_factor=2, mode="bilinear", align_corners=False)
print("espcn", sr.shape, round(loss.item(), 6), "psnr", round(psnr(sr, img).item(), 4), "bilinear psnr", round(psnr(bicubic_free, img).item(), 4))

t = torch.arange(16.0).view(1, 1, 4, 4)
print("nearest", F.interpolate(t, scale_factor=2, mode="nearest")[0, 0, :2].tolist())
print("nearest size", F.interpolate(t, size=(3, 5), mode="nearest")[0, 0].tolist())
print("bilinear", F.interpolate(t, size=(3, 3), mode="bilinear", align_corners=False)[0, 0].numpy().round(4).tolist())
print("bilinear aligned", F.interpolate(t, size=(3, 3), mode="bilinear", align_corners=True)[0, 0].numpy().round(4).tolist())
print("area", F.avg_pool2d(t, 2)[0, 0].tolist(), F.adaptive_avg_pool2d(t, (3, 3))[0, 0].numpy().round(4).tolist())
print("linear 1d", F.interpolate(torch.tensor([[[0.0, 1.0, 4.0]]]), scale_factor=2, mode="linear")[0, 0].tolist())
print("upsample module", nn.Upsample(scale_factor=2, mode="nearest")(t).shape, nn.Upsample(size=(5, 5), mode="bilinear", align_corners=True)(t)[0, 0, 0].numpy().round(4).tolist())
row = torch.arange(5.0).view(1, 1, 5)
print("pad reflect", F.pad(row, (2, 2), mode="reflect")[0, 0].tolist(), "replicate", F.pad(row, (2, 1), mode="replicate")[0, 0].tolist(), "circular", F.pad(row, (1, 2), mode="circular")[0, 0].tolist())
print("pad 2d reflect", F.pad(t, (1, 1, 1, 1), mode="reflect")[0, 0, 0].tolist(), "constant", F.pad(t, (0, 1, 2, 0), value=-1.0).shape, nn.ReflectionPad2d(1)(t).shape, nn.ZeroPad2d((1, 0, 0, 1))(t)[0, 0, -1].tolist())

gray = img.mean(dim=1, keepdim=True)
sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
kernels = torch.stack([sobel_x, sobel_x.T]).unsqueeze(1)
edges = F.conv2d(F.pad(gray, (1, 1, 1, 1), mode="replicate"), kernels)
magnitude = edges.pow(2).sum(1).sqrt()
print("sobel", edges.shape, round(magnitude.mean().item(), 6), round(magnitude.max().item(), 6))
depthwise = F.conv2d(img, kernels[:1].repeat(3, 1, 1, 1), padding=1, groups=3)
print("depthwise", depthwise.shape, torch.allclose(depthwise[:, 1:2], F.conv2d(img[:, 1:2], kernels[:1], padding=1), atol=1e-6))

print("rot90", torch.rot90(t, 1, dims=(2, 3))[0, 0, 0].tolist(), torch.rot90(t, 2, (2, 3))[0, 0, 0].tolist(), torch.rot90(t, -1, (2, 3))[0, 0, 0].tolist())
print("flips", torch.flip(t, dims=[3])[0, 0, 0].tolist(), t.fliplr if False else "", torch.flipud(t[0, 0])[0].tolist(), torch.fliplr(t[0, 0])[0].tolist())

patches = F.unfold(img, kernel_size=4, stride=4)
print("vit patches", patches.shape, patches.transpose(1, 2).shape)
recon = F.fold(patches, output_size=(8, 8), kernel_size=4, stride=4)
print("fold inverts non-overlapping unfold:", torch.equal(recon, img))
overlap = F.fold(F.unfold(img, kernel_size=3, padding=1), (8, 8), kernel_size=3, padding=1)
divisor = F.fold(F.unfold(torch.ones_like(img), kernel_size=3, padding=1), (8, 8), kernel_size=3, padding=1)
print("overlapping fold / divisor:", torch.allclose(overlap / divisor, img, atol=1e-6), divisor[0, 0, 0, :3].tolist())
p2 = img.unfold(2, 4, 4).unfold(3, 4, 4)
print("tensor unfold patches", p2.shape, torch.equal(p2.reshape(2, 3, 4, 16).permute(0, 1, 3, 2).reshape(2, 48, 4), patches))
embed = nn.Conv2d(3, 6, kernel_size=4, stride=4)
print("patch embedding", embed(img).flatten(2).transpose(1, 2).shape)

angle = math.pi / 2
theta = torch.tensor([[math.cos(angle), -math.sin(angle), 0.0], [math.sin(angle), math.cos(angle), 0.0]]).unsqueeze(0)
grid = F.affine_grid(theta, size=(1, 1, 4, 4), align_corners=False)
rotated = F.grid_sample(t, grid, align_corners=False, mode="nearest")
print("grid_sample rotation", rotated[0, 0].tolist(), torch.equal(rotated, torch.rot90(t, 1, (2, 3))) or torch.equal(rotated, torch.rot90(t, -1, (2, 3))))
ident = F.affine_grid(torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]]), (1, 1, 4, 4), align_corners=True)
print("identity grid", torch.allclose(F.grid_sample(t, ident, align_corners=True), t), ident[0, 0, :2].tolist())
print("channel shuffle", nn.ChannelShuffle(2)(torch.arange(4.0).view(1, 4, 1, 1)).flatten().tolist(), F.channel_shuffle(torch.arange(6.0).view(1, 6, 1, 1), 3).flatten().tolist())
