# A WGAN-GP-style loop: two Adam optimizers, BCEWithLogitsLoss with saturating logits,
# detach(), requires_grad_ toggling, and a gradient penalty through autograd.grad with
# create_graph=True.
import torch
import torch.nn as nn

torch.manual_seed(0)
G = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 2))
D = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
for m in list(G) + list(D):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.bias, 0.0)
        with torch.no_grad():
            values = torch.linspace(-1, 1, m.weight.numel()).view(m.weight.shape)
            m.weight.copy_(values.cos() * 0.5)
opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))
bce = nn.BCEWithLogitsLoss()
real = torch.stack([torch.linspace(-1, 1, 32), torch.linspace(-1, 1, 32) ** 2], dim=1)
z = torch.stack([torch.linspace(0, 1, 32).sin(), torch.linspace(0, 1, 32).cos()], dim=1)
for step in range(5):
    fake = G(z)
    d_real, d_fake = D(real), D(fake.detach())
    loss_d = bce(d_real, torch.ones_like(d_real)) + bce(d_fake, torch.zeros_like(d_fake))
    alpha = torch.full((32, 1), 0.3)
    mix = (alpha * real + (1 - alpha) * fake.detach()).requires_grad_(True)
    grads = torch.autograd.grad(D(mix).sum(), mix, create_graph=True)[0]
    gp = ((grads.norm(2, dim=1) - 1) ** 2).mean()
    opt_d.zero_grad()
    (loss_d + 10 * gp).backward()
    opt_d.step()
    for p in D.parameters():
        p.requires_grad_(False)
    loss_g = bce(D(fake), torch.ones_like(d_fake))
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    for p in D.parameters():
        p.requires_grad_(True)
    print(step, round(loss_d.item(), 5), round(gp.item(), 5), round(loss_g.item(), 5))
print(G(z).mean(0).tolist())
