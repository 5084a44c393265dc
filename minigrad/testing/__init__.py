"""Tools for testing ops and layers: `gradcheck` and `gradgradcheck` compare backward with
central differences. `minigrad.testing.strategies` holds hypothesis strategies for tensors; it is
imported on its own, so this package works without hypothesis installed. `assert_close`
compares tensors as torch.testing's."""

from minigrad.testing.compare import assert_close
from minigrad.testing.gradcheck import (
    GradcheckError,
    gradcheck,
    gradcheck_module,
    gradgradcheck,
)

__all__ = ["GradcheckError", "assert_close", "gradcheck", "gradcheck_module", "gradgradcheck"]
