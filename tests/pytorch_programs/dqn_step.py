# ruff: noqa: E501
# PyTorch's "Reinforcement Learning (DQN) Tutorial" in its manner, on a tiny deterministic
# environment instead of gym: a namedtuple Transition, a deque ReplayMemory, policy and target
# nets, epsilon-greedy selection with max(1).indices.view(1, 1), the optimize_model step (a bool
# mask of non-final states, gather on the actions, max(1).values of the target net,
# SmoothL1Loss, clip_grad_value_, AdamW with amsgrad) and the soft update of the target net
# through state_dict. Memory is sampled by a fixed rule instead of random.sample.
import math
from collections import deque, namedtuple
from itertools import count

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
Transition = namedtuple("Transition", ("state", "action", "next_state", "reward"))


class ReplayMemory:
    def __init__(self, capacity):
        self.memory = deque([], maxlen=capacity)

    def push(self, *args):
        self.memory.append(Transition(*args))

    def sample(self, batch_size, step):
        n = len(self.memory)
        return [self.memory[(step * 7 + 3 * i) % n] for i in range(batch_size)]

    def __len__(self):
        return len(self.memory)


class DQN(nn.Module):
    def __init__(self, n_observations, n_actions):
        super().__init__()
        self.layer1 = nn.Linear(n_observations, 32)
        self.layer2 = nn.Linear(32, 32)
        self.layer3 = nn.Linear(32, n_actions)

    def forward(self, x):
        x = F.relu(self.layer1(x))
        x = F.relu(self.layer2(x))
        return self.layer3(x)


class LineWorld:
    """A walker on positions 0..6 that is rewarded for reaching 6; an episode ends there or
    after 12 steps. Observation: (position / 6, one-hot parity)."""

    def reset(self):
        self.pos, self.t = 0, 0
        return self.observe()

    def observe(self):
        return [self.pos / 6.0, float(self.pos % 2 == 0), float(self.pos % 2 == 1)]

    def step(self, action):
        self.t += 1
        self.pos = min(6, self.pos + 1) if action == 1 else max(0, self.pos - 1)
        terminated = self.pos == 6
        reward = 1.0 if terminated else -0.05
        return self.observe(), reward, terminated, self.t >= 12


BATCH_SIZE, GAMMA, EPS_START, EPS_END, EPS_DECAY, TAU, LR = 16, 0.9, 0.9, 0.05, 200, 0.005, 1e-3
env = LineWorld()
n_actions, n_observations = 2, 3
policy_net = DQN(n_observations, n_actions).to(device)
target_net = DQN(n_observations, n_actions).to(device)
with torch.no_grad():  # the same start in both libraries
    for i, p in enumerate(policy_net.parameters()):
        k = torch.arange(p.numel(), dtype=torch.float32)
        p.copy_((torch.sin(k * 0.61 + i) / math.sqrt(p.shape[-1])).reshape(p.shape))
target_net.load_state_dict(policy_net.state_dict())
optimizer = optim.AdamW(policy_net.parameters(), lr=LR, amsgrad=True)
memory = ReplayMemory(1000)
steps_done = 0


def select_action(state):
    global steps_done
    sample = ((steps_done * 0.7548776662) % 1.0)  # a fixed stand-in for random.random()
    eps_threshold = EPS_END + (EPS_START - EPS_END) * math.exp(-1. * steps_done / EPS_DECAY)
    steps_done += 1
    if sample > eps_threshold:
        with torch.no_grad():
            return policy_net(state).max(1).indices.view(1, 1)
    return torch.tensor([[steps_done % 2]], device=device, dtype=torch.long)


def optimize_model(step):
    if len(memory) < BATCH_SIZE:
        return None
    transitions = memory.sample(BATCH_SIZE, step)
    batch = Transition(*zip(*transitions))
    non_final_mask = torch.tensor(tuple(map(lambda s: s is not None, batch.next_state)), device=device, dtype=torch.bool)
    non_final_next_states = torch.cat([s for s in batch.next_state if s is not None])
    state_batch = torch.cat(batch.state)
    action_batch = torch.cat(batch.action)
    reward_batch = torch.cat(batch.reward)
    state_action_values = policy_net(state_batch).gather(1, action_batch)
    next_state_values = torch.zeros(BATCH_SIZE, device=device)
    with torch.no_grad():
        next_state_values[non_final_mask] = target_net(non_final_next_states).max(1).values
    expected_state_action_values = (next_state_values * GAMMA) + reward_batch
    criterion = nn.SmoothL1Loss()
    loss = criterion(state_action_values, expected_state_action_values.unsqueeze(1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_value_(policy_net.parameters(), 100)
    optimizer.step()
    return loss.item()


episode_durations, losses = [], []
for i_episode in range(12):
    state = env.reset()
    state = torch.tensor(state, dtype=torch.float32, device=device).unsqueeze(0)
    for t in count():
        action = select_action(state)
        observation, reward, terminated, truncated = env.step(action.item())
        reward = torch.tensor([reward], device=device)
        done = terminated or truncated
        next_state = None if terminated else torch.tensor(observation, dtype=torch.float32, device=device).unsqueeze(0)
        memory.push(state, action, next_state, reward)
        state = next_state
        loss = optimize_model(steps_done)
        if loss is not None:
            losses.append(loss)
        target_net_state_dict = target_net.state_dict()
        policy_net_state_dict = policy_net.state_dict()
        for key in policy_net_state_dict:
            target_net_state_dict[key] = policy_net_state_dict[key] * TAU + target_net_state_dict[key] * (1 - TAU)
        target_net.load_state_dict(target_net_state_dict)
        if done:
            episode_durations.append(t + 1)
            break

print("durations", episode_durations)
print("memory", len(memory), "steps", steps_done)
print("losses", len(losses), [round(v, 5) for v in losses[:3]], round(losses[-1], 5))
with torch.no_grad():
    states = torch.tensor([[p / 6.0, float(p % 2 == 0), float(p % 2 == 1)] for p in range(7)])
    q = policy_net(states)
    print("Q values", [[round(v, 4) for v in row] for row in q.tolist()])
    print("greedy actions", q.argmax(dim=1).tolist())
    gap = sum((a - b).abs().sum().item() for a, b in zip(policy_net.parameters(), target_net.parameters()))
    print("policy/target distance", round(gap, 4))
durations_t = torch.tensor(episode_durations, dtype=torch.float)
means = durations_t.unfold(0, 4, 1).mean(1).view(-1)
print("running mean of durations", [round(v, 3) for v in means.tolist()])
