# ruff: noqa: E501
# torch.distributions as RL and VAE code uses it: a REINFORCE policy whose actions come from
# Categorical(probs=...) (log_prob, entropy), a Gaussian policy with Normal (log_prob, rsample
# through the reparameterisation, entropy), Bernoulli, and kl_divergence between two Normals.
# Samples depend on the random stream, so only what they do not change is printed.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Bernoulli, Categorical, Normal, kl_divergence


class Policy(nn.Module):
    def __init__(self):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(4, 16)
        self.affine2 = nn.Linear(16, 2)
        self.saved_log_probs, self.rewards = [], []

    def forward(self, x):
        x = F.relu(self.affine1(x))
        return F.softmax(self.affine2(x), dim=1)


torch.manual_seed(0)
policy = Policy()
with torch.no_grad():
    for i, p in enumerate(policy.parameters()):
        p.copy_(0.3 * torch.sin(torch.arange(p.numel()) * 0.7 + i).view_as(p))
optimizer = torch.optim.Adam(policy.parameters(), lr=1e-2)
gamma, eps = 0.99, 1e-6
states = torch.linspace(-1, 1, 20).reshape(5, 4)
fixed_actions = torch.tensor([0, 1, 1, 0, 1])
for episode in range(3):
    for t in range(5):
        probs = policy(states[t].unsqueeze(0))
        m = Categorical(probs)
        action = m.sample()
        assert action.shape == (1,) and 0 <= action.item() < 2
        policy.saved_log_probs.append(m.log_prob(fixed_actions[t:t + 1]))
        policy.rewards.append(float(t % 2))
    R, returns = 0, []
    for r in policy.rewards[::-1]:
        R = r + gamma * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + eps)
    policy_loss = torch.cat([-log_prob * R for log_prob, R in zip(policy.saved_log_probs, returns)]).sum()
    optimizer.zero_grad()
    policy_loss.backward()
    optimizer.step()
    del policy.rewards[:], policy.saved_log_probs[:]
    print(f"episode {episode} loss {policy_loss.item():.5f} entropy {m.entropy().item():.5f}")

logits = torch.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], requires_grad=True)
c = Categorical(logits=logits)
print(c.probs, c.logits, c.log_prob(torch.tensor([2, 0])), c.entropy())
c.log_prob(torch.tensor([1, 2])).sum().backward()
print(logits.grad, c.sample((4,)).shape, c.batch_shape, c.event_shape)

mu = torch.tensor([0.5, -1.0], requires_grad=True)
sigma = torch.tensor([1.5, 0.3], requires_grad=True)
n = Normal(mu, sigma)
x = torch.tensor([0.0, -0.8])
print(n.log_prob(x), n.entropy(), n.mean, n.stddev, n.variance, n.cdf(x), n.icdf(torch.tensor([0.3, 0.9])))
z = n.rsample((3,))
print(z.shape, z.requires_grad, n.sample().requires_grad)
(n.log_prob(x).sum() + n.entropy().sum()).backward()
print(mu.grad, sigma.grad)
q, p = Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0])), Normal(0.5, 1.5)
print(kl_divergence(q, p), torch.distributions.kl_divergence(q, q))
b = Bernoulli(probs=torch.tensor([0.2, 0.7]))
print(b.log_prob(torch.tensor([1.0, 0.0])), b.entropy(), b.mean, b.sample((5,)).shape)
bl = Bernoulli(logits=torch.tensor([-1.0, 2.0]))
print(bl.probs, bl.log_prob(torch.tensor([0.0, 1.0])))
