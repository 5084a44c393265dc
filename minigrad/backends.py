"""torch.backends' switches that training scripts set or query, for a CPU-only library: no MPS
or CUDA backend is available, and the cuDNN flags are accepted and change nothing."""

from __future__ import annotations


class mps:
    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def is_built() -> bool:
        return False


class cudnn:
    deterministic = False
    benchmark = False
    enabled = True

    @staticmethod
    def is_available() -> bool:
        return False


class cuda:
    @staticmethod
    def is_built() -> bool:
        return False
