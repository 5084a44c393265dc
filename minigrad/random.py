"""Random number generators, as torch.Generator and torch.manual_seed.

Every random draw minigrad makes (random tensors, nn.init, dropout, DataLoader shuffling,
random_split) comes from a `Generator`: the one passed as `generator=`, else the default one that
`manual_seed` seeds. The numbers are numpy's (PCG64), so they differ from PyTorch's for the same
seed; the same seed gives the same numbers run after run."""

from __future__ import annotations

from typing import Any

import numpy as np


class Generator:
    """A seedable source of random numbers; `numpy` is its numpy Generator."""

    def __init__(self, device: Any = "cpu") -> None:
        from minigrad.device import device as _device

        self.device = _device(device)
        self.seed()

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from seed; returns self, as in PyTorch."""
        try:
            seed = int(seed)  # as PyTorch: 1.5 and "12" are seeds too
        except (TypeError, ValueError) as e:
            raise type(e)(f"manual_seed: seed must be an int, got {seed!r}") from None
        if not -2**63 <= seed < 2**64:
            raise ValueError(f"manual_seed: seed {seed} does not fit in 64 bits")
        self._seed = seed % 2**64  # negative seeds wrap, as in PyTorch
        self.numpy = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns the seed."""
        self.manual_seed(int(np.random.SeedSequence().entropy % 2**63))
        return self._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        """The generator's state (numpy's bit-generator state dict)."""
        return self.numpy.bit_generator.state

    def set_state(self, state: dict) -> Generator:
        self.numpy.bit_generator.state = state
        return self

    def __repr__(self) -> str:
        return f"<minigrad.Generator seed={self._seed}>"


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator, behind every random draw not given its own generator."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the operating system; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> dict:
    return default_generator.get_state()


def set_rng_state(state: dict) -> None:
    default_generator.set_state(state)


def numpy_generator(generator: Generator | None = None, where: str = "") -> np.random.Generator:
    """The numpy Generator to draw from: generator's, else the default one's."""
    if generator is None:
        return default_generator.numpy
    if not isinstance(generator, Generator):
        raise TypeError(f"{where + ': ' if where else ''}generator must be a minigrad.Generator,"
                        f" got {type(generator).__name__}")
    return generator.numpy
