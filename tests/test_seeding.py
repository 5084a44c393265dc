"""mg.manual_seed seeds every random draw; Generators are accepted where PyTorch takes them."""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.data import DataLoader, TensorDataset, random_split


def _draws():
    data = TensorDataset(np.arange(20))
    return {
        "randn": mg.randn(3).tolist(), "rand": mg.rand(2).tolist(),
        "randint": mg.randint(10, (4,)).tolist(), "randperm": mg.randperm(6).tolist(),
        "normal": mg.normal(0.0, 1.0, size=(2,)).tolist(),
        "init": nn.Linear(3, 2).weight.array.tolist(),
        "dropout": nn.Dropout(0.5)(mg.ones(8)).tolist(),
        "loader": [b[0].tolist() for b in DataLoader(data, 5, shuffle=True)],
        "split": [list(s.indices) for s in random_split(data, [15, 5])],
        "uniform_": mg.zeros(3).uniform_().tolist(),
    }


def test_manual_seed_seeds_every_draw():
    mg.manual_seed(123)
    first = _draws()
    mg.manual_seed(123)
    again = _draws()
    mg.manual_seed(124)
    other = _draws()
    assert first == again
    assert all(first[k] != other[k] for k in first), [k for k in first if first[k] == other[k]]


def test_manual_seed_returns_the_default_generator(torch):
    assert mg.manual_seed(0) is mg.default_generator
    assert mg.initial_seed() == 0 and isinstance(torch.manual_seed(0), torch.Generator)


def test_generators_are_independent_of_the_default():
    g = mg.Generator().manual_seed(7)
    a = mg.randn(4, generator=g).tolist()
    mg.manual_seed(0)
    mg.randn(10)  # draws from the default do not move g
    b = mg.randn(4, generator=mg.Generator().manual_seed(7)).tolist()
    assert a == b
    assert mg.Generator().manual_seed(7).initial_seed() == 7


def test_generator_state_round_trips():
    g = mg.Generator().manual_seed(3)
    state = g.get_state()
    a = mg.rand(3, generator=g).tolist()
    g.set_state(state)
    assert mg.rand(3, generator=g).tolist() == a
    mg.manual_seed(5)
    saved = mg.get_rng_state()
    x = mg.randn(2).tolist()
    mg.set_rng_state(saved)
    assert mg.randn(2).tolist() == x


def test_loader_and_split_take_generators():
    data = TensorDataset(np.arange(30))

    def order(seed):
        loader = DataLoader(data, 10, shuffle=True, generator=mg.Generator().manual_seed(seed))
        return [b[0].tolist() for epoch in range(2) for b in loader]

    assert order(1) == order(1) and order(1) != order(2)
    first, second = order(1)[:3], order(1)[3:]
    assert first != second  # each epoch a new order
    split = [list(s.indices) for s in
             random_split(data, [0.5, 0.5], generator=mg.Generator().manual_seed(4))]
    again = [list(s.indices) for s in
             random_split(data, [0.5, 0.5], generator=mg.Generator().manual_seed(4))]
    assert split == again and sorted(split[0] + split[1]) == list(range(30))


def _train(seed: int) -> list[float]:
    mg.manual_seed(seed)
    x = mg.randn(64, 5)
    y = (x.sum(1) > 0).long()
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 2))
    opt = mg.optim.Adam(model.parameters(), lr=0.01)
    loader = DataLoader(TensorDataset(x.numpy(), y.numpy()), batch_size=16, shuffle=True)
    losses = []
    for _ in range(3):
        for xb, yb in loader:
            loss = nn.functional.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses + [float(p.array.sum()) for p in model.parameters()]


def test_two_runs_with_one_seed_train_identically():
    assert _train(11) == _train(11)
    assert _train(11) != _train(12)


def test_init_functions_take_generators_and_bump_versions():
    a, b = mg.zeros(3, 4), mg.zeros(3, 4)
    nn.init.kaiming_uniform_(a, generator=mg.Generator().manual_seed(1))
    nn.init.kaiming_uniform_(b, generator=mg.Generator().manual_seed(1))
    assert a.tolist() == b.tolist() and a._version == 1
    for fn in (nn.init.uniform_, nn.init.normal_, nn.init.xavier_uniform_,
               nn.init.xavier_normal_, nn.init.kaiming_normal_):
        fn(a, generator=mg.Generator())
    assert a._version == 6
