"""torch.distributions' everyday three: Normal, Categorical and Bernoulli, with kl_divergence
between two of a kind. log_prob, entropy, cdf and rsample are Tensor ops, so gradients flow to
the parameters (REINFORCE's log_prob, a VAE's rsample and KL term); sample draws from minigrad's
random stream without recording. Parameters are checked as PyTorch's validate_args does."""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

import minigrad as mg
from minigrad.function import no_grad
from minigrad.nn.functional import binary_cross_entropy_with_logits
from minigrad.ops.activation import softplus
from minigrad.size import Size
from minigrad.tensor import Tensor

__all__ = ["Bernoulli", "Categorical", "Distribution", "Normal", "kl_divergence"]


def _param(value: Any) -> Tensor:
    """A parameter as a float Tensor (a Python number becomes a 0-d tensor of the default
    dtype), kept as it is when it is one already, so gradients reach it."""
    if isinstance(value, Tensor):
        return value if value.dtype.kind == "f" else value.to(mg.get_default_dtype())
    return mg.tensor(value, dtype=mg.get_default_dtype())


def _check(name: str, value: Tensor, ok: np.ndarray, constraint: str, where: str) -> None:
    if not np.all(ok):
        raise ValueError(f"{where}: expected parameter {name} of shape {tuple(value.shape)} to "
                         f"satisfy the constraint {constraint}, but found invalid values:\n"
                         f"{value.detach()}")


class Distribution:
    """What every distribution has: batch_shape (independent distributions side by side),
    event_shape (the shape of one draw; () for these three), sample and the moments."""

    has_rsample = False

    def __init__(self, batch_shape: Any = (), event_shape: Any = ()) -> None:
        self._batch_shape, self._event_shape = Size(batch_shape), Size(event_shape)

    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    def _extended_shape(self, sample_shape: Any = ()) -> Size:
        return Size((*sample_shape, *self._batch_shape, *self._event_shape))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape sample_shape + batch_shape + event_shape, outside the graph."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} has no rsample (it is not "
                                  "reparameterizable); use sample() with log_prob")

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def __repr__(self) -> str:
        """As PyTorch shows it: each parameter's value if it is a scalar, else its shape."""
        params = [(name, getattr(self, name)) for name in self._shown]
        shown = ", ".join(f"{name}: {p.item() if p.ndim == 0 else p.shape}" for name, p in params)
        return f"{type(self).__name__}({shown})"


class Normal(Distribution):
    """N(loc, scale^2): log p(x) = -(x - loc)^2 / (2 scale^2) - log scale - log sqrt(2 pi)."""

    has_rsample = True
    _shown = ("loc", "scale")

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = mg.broadcast_tensors(_param(loc), _param(scale))
        if validate_args is not False:
            _check("scale", self.scale, self.scale.array > 0, "GreaterThan(lower_bound=0.0)",
                   "Normal")
        super().__init__(self.loc.shape)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.scale ** 2

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """loc + eps scale with eps ~ N(0, 1): differentiable in loc and scale."""
        eps = mg.randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value: Any) -> Tensor:
        return (-((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log()
                - math.log(math.sqrt(2 * math.pi)))

    def entropy(self) -> Tensor:
        """1/2 + 1/2 log(2 pi) + log scale"""
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()

    def cdf(self, value: Any) -> Tensor:
        return 0.5 * (1 + mg.erf((value - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value: Any) -> Tensor:
        return self.loc + self.scale * mg.erfinv(2 * value - 1) * math.sqrt(2)


class Categorical(Distribution):
    """One of K categories, from probs (normalized along the last dim) or from logits
    (log-probabilities up to a constant): log p(k) = logits[k] - logsumexp(logits)."""

    _shown = ("probs",)

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Categorical: either probs or logits must be given, not both")
        given = _param(probs if logits is None else logits)
        if given.ndim < 1:
            raise ValueError("Categorical: probs or logits must have at least one dim")
        if logits is None:
            if validate_args is not False:
                _check("probs", given, (given.array >= 0) & np.isfinite(given.array),
                       "IndependentConstraint(Simplex(), 1)", "Categorical")
            self.probs = given / given.sum(-1, keepdim=True)
            eps = float(np.finfo(given.dtype).eps)
            self.logits = self.probs.clamp(eps, 1 - eps).log()
        else:
            self.logits = given - given.logsumexp(-1, keepdim=True)
            self.probs = self.logits.softmax(-1)
        self._num_events = given.shape[-1]
        super().__init__(given.shape[:-1])

    @property
    def param_shape(self) -> Size:
        return self.probs.shape

    def sample(self, sample_shape: Any = ()) -> Tensor:
        count = math.prod(sample_shape)
        rows = self.probs.detach().reshape(-1, self._num_events)
        drawn = rows.multinomial(count, replacement=True).T  # (count, rows)
        return drawn.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value: Any) -> Tensor:
        value = value if isinstance(value, Tensor) else mg.tensor(value)
        index = value.array
        if index.dtype.kind not in "iu" and not np.all(index == np.round(index)):
            raise ValueError(f"Categorical.log_prob: values must be category indices, got "
                             f"{value}")
        if index.size and (index.min() < 0 or index.max() >= self._num_events):
            raise ValueError(f"Categorical.log_prob: values must lie in [0, "
                             f"{self._num_events}), got {value}")
        value, log_pmf = mg.broadcast_tensors(value.long().unsqueeze(-1), self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self) -> Tensor:
        """-sum_k p_k log p_k (a category of probability 0 adds 0)."""
        logits = self.logits.clamp(min=float(np.finfo(self.logits.dtype).min))
        return -(logits * self.probs).sum(-1)


class Bernoulli(Distribution):
    """1 with probability probs (or sigmoid(logits)), else 0: log p(x) = -BCE(logits, x)."""

    _shown = ("probs",)

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Bernoulli: either probs or logits must be given, not both")
        if logits is None:
            self.probs = _param(probs)
            if validate_args is not False:
                _check("probs", self.probs, (self.probs.array >= 0) & (self.probs.array <= 1),
                       "Interval(lower_bound=0.0, upper_bound=1.0)", "Bernoulli")
            eps = float(np.finfo(self.probs.dtype).eps)
            clamped = self.probs.clamp(eps, 1 - eps)
            self.logits = clamped.log() - (-clamped).log1p()
        else:
            self.logits = _param(logits)
            self.probs = self.logits.sigmoid()
        super().__init__(self.probs.shape)

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            return mg.bernoulli(self.probs.detach().expand(self._extended_shape(sample_shape)))

    def log_prob(self, value: Any) -> Tensor:
        logits, value = mg.broadcast_tensors(self.logits, _param(value))
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self) -> Tensor:
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p || q) = E_p[log p - log q], in closed form for two of one kind."""
    if isinstance(p, Normal) and isinstance(q, Normal):
        var_ratio = (p.scale / q.scale) ** 2
        t1 = ((p.loc - q.loc) / q.scale) ** 2
        return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())
    if isinstance(p, Categorical) and isinstance(q, Categorical):
        t = p.probs * (p.logits - q.logits)
        t = mg.where(mg.broadcast_tensors(q.probs, t)[0].array == 0, math.inf, t)
        return mg.where(mg.broadcast_tensors(p.probs, t)[0].array == 0, 0.0, t).sum(-1)
    if isinstance(p, Bernoulli) and isinstance(q, Bernoulli):
        t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
        t1 = mg.where(p.probs.array == 0, 0.0, mg.where(q.probs.array == 0, math.inf, t1))
        t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
        t2 = mg.where(p.probs.array == 1, 0.0, mg.where(q.probs.array == 1, math.inf, t2))
        return t1 + t2
    raise NotImplementedError(f"kl_divergence: no closed form for {type(p).__name__} and "
                              f"{type(q).__name__}")


# torch's module paths: torch.distributions.normal.Normal, torch.distributions.kl, ...
for _name in ("normal", "categorical", "bernoulli", "kl", "distribution"):
    sys.modules[f"{__name__}.{_name}"] = sys.modules[__name__]
