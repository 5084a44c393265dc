# ruff: noqa: E501
# A convolutional autoencoder as blog posts write it: nn.Flatten and nn.Unflatten around a
# bottleneck, Upsample and ConvTranspose2d in the decoder, MSELoss, Adam, a denoising step
# with clamp, and the encoder reused on its own under torch.no_grad().
import torch
from torch import nn


class AutoEncoder(nn.Module):
    def __init__(self, latent=6):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(4, 8, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(8 * 4 * 4, latent))
        self.decoder = nn.Sequential(
            nn.Linear(latent, 8 * 4 * 4), nn.ReLU(),
            nn.Unflatten(1, (8, 4, 4)),
            nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(4, 1, 3, padding=1), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


model = AutoEncoder()
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(0.3 * torch.cos(torch.arange(p.numel()) * 0.37 + i).view_as(p))
print(model.decoder[2], sum(p.numel() for p in model.parameters() if p.requires_grad))
images = (torch.arange(8 * 16 * 16.).reshape(8, 1, 16, 16) / 97).sin().abs()
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-5)
for epoch in range(5):
    noisy = (images + 0.1 * torch.cos(images * 50)).clamp(0., 1.)
    recon = model(noisy)
    loss = criterion(recon, images)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print(f"epoch {epoch + 1}, loss {loss.item():.6f}")
with torch.no_grad():
    codes = model.encoder(images)
    print(codes.shape, codes.norm(dim=1))
    up = nn.functional.interpolate(images[:2], scale_factor=0.5, mode="bilinear", align_corners=False)
    print(up.shape, up.sum().item())
flat = nn.Flatten(0, 1)(images)
print(flat.shape, nn.Unflatten(0, torch.Size([2, 4]))(flat).shape)
