"""Tools for testing ops and layers: `gradcheck` and `gradgradcheck` compare backward with
central differences. `minigrad.testing.strategies` holds hypothesis strategies for tensors; it is
imported on its own, so this package works without hypothesis installed."""

from minigrad.testing.gradcheck import (
    GradcheckError,
    gradcheck,
    gradcheck_module,
    gradgradcheck,
)

__all__ = ["GradcheckError", "gradcheck", "gradcheck_module", "gradgradcheck"]
