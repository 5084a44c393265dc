# ruff: noqa: E501, B008
# A PPO update as CleanRL-style scripts write it, on a fixed rollout: an Agent with orthogonal
# layer_init (then weights from a formula), Categorical(logits=...) for actions, log_prob and
# entropy, generalized advantage estimation by a reversed loop over steps with next-value
# bootstrapping, advantage normalisation, minibatches from a fixed permutation, the clipped
# surrogate objective, a clipped value loss, approx_kl / clipfrac diagnostics, Adam with eps,
# an annealed learning rate and clip_grad_norm_. Plus a continuous Normal policy with a
# state-independent log-std Parameter.
import math

import numpy as np
import torch
import torch.nn as nn
from torch.distributions.categorical import Categorical
from torch.distributions.normal import Normal


def layer_init(layer, std=np.sqrt(2), bias_const=0.0):
    torch.nn.init.orthogonal_(layer.weight, std)
    torch.nn.init.constant_(layer.bias, bias_const)
    return layer


class Agent(nn.Module):
    def __init__(self, obs_dim, n_actions):
        super().__init__()
        self.critic = nn.Sequential(layer_init(nn.Linear(obs_dim, 16)), nn.Tanh(), layer_init(nn.Linear(16, 16)), nn.Tanh(), layer_init(nn.Linear(16, 1), std=1.0))
        self.actor = nn.Sequential(layer_init(nn.Linear(obs_dim, 16)), nn.Tanh(), layer_init(nn.Linear(16, 16)), nn.Tanh(), layer_init(nn.Linear(16, n_actions), std=0.01))

    def get_value(self, x):
        return self.critic(x)

    def get_action_and_value(self, x, action=None):
        logits = self.actor(x)
        probs = Categorical(logits=logits)
        if action is None:
            action = probs.sample()
        return action, probs.log_prob(action), probs.entropy(), self.critic(x)


def set_weights(model, phase):
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            k = torch.arange(p.numel(), dtype=torch.float32)
            p.copy_((torch.sin(k * phase + i) / math.sqrt(p.shape[-1]) if p.dim() > 1 else torch.zeros(p.shape)).reshape(p.shape))


num_steps, num_envs, obs_dim, n_actions = 8, 2, 4, 3
gamma, gae_lambda, clip_coef, ent_coef, vf_coef, max_grad_norm = 0.99, 0.95, 0.2, 0.01, 0.5, 0.5
agent = Agent(obs_dim, n_actions)
W = agent.actor[0].weight
print("orthogonal init:", torch.allclose(W @ W.T, 2.0 * torch.eye(16)[:16, :16], atol=1e-4) if W.shape[0] <= W.shape[1] else torch.allclose(W.T @ W, 2.0 * torch.eye(obs_dim), atol=1e-4))
set_weights(agent, 0.77)
optimizer = torch.optim.Adam(agent.parameters(), lr=2.5e-4, eps=1e-5)

# a fixed rollout
t = torch.arange(num_steps * num_envs * obs_dim, dtype=torch.float32)
obs = torch.sin(t * 0.31).view(num_steps, num_envs, obs_dim)
actions = (torch.arange(num_steps * num_envs) % n_actions).view(num_steps, num_envs)
rewards = torch.cos(torch.arange(num_steps * num_envs, dtype=torch.float32)).view(num_steps, num_envs)
dones = torch.zeros(num_steps, num_envs)
dones[5, 0] = 1.0
next_obs = torch.cos(torch.arange(num_envs * obs_dim, dtype=torch.float32)).view(num_envs, obs_dim)
next_done = torch.tensor([0.0, 1.0])
with torch.no_grad():
    _, logprobs, _, values = agent.get_action_and_value(obs.view(-1, obs_dim), actions.view(-1))
    logprobs, values = logprobs.view(num_steps, num_envs), values.view(num_steps, num_envs)
    next_value = agent.get_value(next_obs).reshape(1, -1)
    advantages = torch.zeros_like(rewards)
    lastgaelam = 0
    for t in reversed(range(num_steps)):
        if t == num_steps - 1:
            nextnonterminal = 1.0 - next_done
            nextvalues = next_value
        else:
            nextnonterminal = 1.0 - dones[t + 1]
            nextvalues = values[t + 1]
        delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t]
        advantages[t] = lastgaelam = delta + gamma * gae_lambda * nextnonterminal * lastgaelam
    returns = advantages + values
print("advantages", [round(v, 5) for v in advantages[:, 0].tolist()])
print("returns", [round(v, 5) for v in returns[-1].tolist()])

b_obs = obs.reshape((-1, obs_dim))
b_logprobs, b_actions = logprobs.reshape(-1), actions.reshape(-1)
b_advantages, b_returns, b_values = advantages.reshape(-1), returns.reshape(-1), values.reshape(-1)
batch_size, minibatch_size = num_steps * num_envs, 4
b_inds = np.arange(batch_size)
clipfracs = []
for iteration in range(1, 4):
    frac = 1.0 - (iteration - 1.0) / 3
    optimizer.param_groups[0]["lr"] = frac * 2.5e-4 * 40
    for epoch in range(2):
        b_inds = (b_inds * 5 + 3) % batch_size  # a fixed shuffle instead of np.random.shuffle
        for start in range(0, batch_size, minibatch_size):
            mb_inds = b_inds[start:start + minibatch_size]
            _, newlogprob, entropy, newvalue = agent.get_action_and_value(b_obs[mb_inds], b_actions.long()[mb_inds])
            logratio = newlogprob - b_logprobs[mb_inds]
            ratio = logratio.exp()
            with torch.no_grad():
                old_approx_kl = (-logratio).mean()
                approx_kl = ((ratio - 1) - logratio).mean()
                clipfracs += [((ratio - 1.0).abs() > clip_coef).float().mean().item()]
            mb_advantages = b_advantages[mb_inds]
            mb_advantages = (mb_advantages - mb_advantages.mean()) / (mb_advantages.std() + 1e-8)
            pg_loss1 = -mb_advantages * ratio
            pg_loss2 = -mb_advantages * torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef)
            pg_loss = torch.max(pg_loss1, pg_loss2).mean()
            newvalue = newvalue.view(-1)
            v_loss_unclipped = (newvalue - b_returns[mb_inds]) ** 2
            v_clipped = b_values[mb_inds] + torch.clamp(newvalue - b_values[mb_inds], -clip_coef, clip_coef)
            v_loss_clipped = (v_clipped - b_returns[mb_inds]) ** 2
            v_loss = 0.5 * torch.max(v_loss_unclipped, v_loss_clipped).mean()
            entropy_loss = entropy.mean()
            loss = pg_loss - ent_coef * entropy_loss + v_loss * vf_coef
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(agent.parameters(), max_grad_norm)
            optimizer.step()
    y_pred, y_true = b_values.cpu().numpy(), b_returns.cpu().numpy()
    var_y = np.var(y_true)
    explained_var = np.nan if var_y == 0 else 1 - np.var(y_true - y_pred) / var_y
    print(f"iteration {iteration} lr {optimizer.param_groups[0]['lr']:.6f} pg {pg_loss.item():.5f} v {v_loss.item():.5f} ent {entropy_loss.item():.5f} kl {approx_kl.item():.6f} old_kl {old_approx_kl.item():.6f} clipfrac {np.mean(clipfracs):.4f} ev {explained_var:.4f}")

# a continuous policy with a state-independent log-std
actor_mean = nn.Sequential(nn.Linear(obs_dim, 8), nn.Tanh(), nn.Linear(8, 2))
set_weights(actor_mean, 0.45)
actor_logstd = nn.Parameter(torch.zeros(1, 2))
mean = actor_mean(b_obs)
std = torch.exp(actor_logstd.expand_as(mean))
dist = Normal(mean, std)
act = torch.tanh(torch.arange(batch_size * 2, dtype=torch.float32).view(batch_size, 2) * 0.1)
logp = dist.log_prob(act).sum(1)
(-(logp * b_advantages).mean() - 0.01 * dist.entropy().sum(1).mean()).backward()
print("continuous logp", [round(v, 5) for v in logp[:3].tolist()], "logstd grad", [round(v, 5) for v in actor_logstd.grad.flatten().tolist()])
print("sampled action shape", dist.sample().shape, "batch", dist.batch_shape)
