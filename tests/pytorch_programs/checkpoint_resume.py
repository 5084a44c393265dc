# Save a training checkpoint (model, optimizer, epoch) with torch.save and resume from it.
import torch
from torch import nn

X = torch.linspace(-1, 1, 40).reshape(20, 2)
y = (X[:, :1] * 3 - X[:, 1:] * 2 + 0.5) ** 2


def make():
    model = nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 1))
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(torch.cos(torch.arange(p.numel(), dtype=torch.float32) + i).reshape(p.shape))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05, betas=(0.8, 0.99))
    return model, optimizer


def train(model, optimizer, epochs):
    loss_fn = nn.MSELoss()
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
    return loss.item()


model, optimizer = make()
print(f"{train(model, optimizer, 10):.6f}")
torch.save({'epoch': 10, 'model_state_dict': model.state_dict(),
            'optimizer_state_dict': optimizer.state_dict(), 'loss': 1.5}, 'checkpoint.pt')
straight = train(model, optimizer, 10)

model2, optimizer2 = make()
checkpoint = torch.load('checkpoint.pt')
model2.load_state_dict(checkpoint['model_state_dict'])
optimizer2.load_state_dict(checkpoint['optimizer_state_dict'])
epoch, loss = checkpoint['epoch'], checkpoint['loss']
model2.train()
resumed = train(model2, optimizer2, 10)
print(epoch, loss, f"{straight:.6f}", f"{resumed:.6f}", straight == resumed)
print(optimizer2.param_groups[0]['betas'], optimizer2.param_groups[0]['lr'])
print(sorted(checkpoint['optimizer_state_dict']['state'][0].keys()))
