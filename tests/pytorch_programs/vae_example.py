# PyTorch's VAE example in its manner, on deterministic weights and data: binary_cross_entropy
# with reduction='sum', the KL term, randn_like (times 0, so both libraries agree), Adam.
import torch
from torch import nn, optim
from torch.nn import functional as F

torch.manual_seed(1)
class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)
    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)
    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std) * 0
        return mu + eps * std
    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))
    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar

model = VAE()
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.linspace(-1, 1, p.numel()).view(p.shape).mul(i + 1).sin() * 0.01)
optimizer = optim.Adam(model.parameters(), lr=1e-3)
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction='sum')
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD
data = (torch.linspace(0, 1, 16 * 784).view(16, 1, 28, 28) * 7).frac()
model.train()
for epoch in range(3):
    optimizer.zero_grad()
    recon_batch, mu, logvar = model(data)
    loss = loss_function(recon_batch, data, mu, logvar)
    loss.backward()
    train_loss = loss.item()
    optimizer.step()
    print(f'Epoch: {epoch} Average loss: {train_loss / len(data):.4f}')
model.eval()
with torch.no_grad():
    sample = torch.zeros(4, 20)
    sample = model.decode(sample).cpu()
    print(sample.view(4, 1, 28, 28).shape, sample.sum().item())
    comparison = torch.cat([data[:2], recon_batch.view(16, 1, 28, 28)[:2]])
    print(comparison.size())
