"""torch.distributions' everyday ones: Normal, Categorical, OneHotCategorical and its
Gumbel-softmax relaxation, Bernoulli, Uniform, MultivariateNormal, Independent and
MixtureSameFamily, with kl_divergence between two of a kind; and for Bayesian models
Exponential, Laplace, LogNormal, Gamma, Dirichlet, Beta, Poisson, StudentT, Gumbel, Cauchy,
HalfNormal, Geometric and Binomial. log_prob, entropy, cdf and rsample are Tensor ops, so
gradients flow to the parameters (REINFORCE's log_prob, a VAE's rsample and KL term, a mixture
density network's likelihood); sample draws from minigrad's random stream without recording.
Parameters are checked as PyTorch's validate_args does."""

from __future__ import annotations

import copy
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

__all__ = ["Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Dirichlet", "Distribution",
           "Exponential", "Gamma", "Geometric", "Gumbel", "HalfNormal", "Independent",
           "Laplace", "LogNormal", "MixtureSameFamily", "MultivariateNormal", "Normal",
           "OneHotCategorical", "Poisson", "RelaxedOneHotCategorical", "StudentT", "Uniform",
           "kl_divergence"]


def _param(value: Any) -> Tensor:
    """A parameter as a float Tensor (a Python number becomes a 0-d tensor of the default
    dtype), kept as it is when it is one already, so gradients reach it."""
    if isinstance(value, Tensor):
        return value if value.dtype.kind == "f" else value.to(mg.get_default_dtype())
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"distribution parameters and values must be numbers or Tensors, got "
                         f"{type(value).__name__}")
    return mg.tensor(value, dtype=mg.get_default_dtype())


def _validating(validate_args: bool | None) -> bool:
    """validate_args, or the default set by Distribution.set_default_validate_args."""
    return Distribution._validate_default if validate_args is None else bool(validate_args)


def _value(value: Any, validate: bool, method: str) -> Tensor:
    """log_prob's value: with validation on, a Tensor (as PyTorch asks)."""
    if validate and not isinstance(value, Tensor):
        raise ValueError(f"{method}: the value argument must be a Tensor, got "
                         f"{type(value).__name__}")
    return value if isinstance(value, Tensor) else _param(value)


def _check(name: str, value: Tensor, ok: np.ndarray, constraint: str, where: str) -> None:
    if not np.all(ok):
        raise ValueError(f"{where}: expected parameter {name} of shape {tuple(value.shape)} to "
                         f"satisfy the constraint {constraint}, but found invalid values:\n"
                         f"{value.detach()}")


class Distribution:
    """What every distribution has: batch_shape (independent distributions side by side),
    event_shape (the shape of one draw; () for these three), sample and the moments."""

    has_rsample = False
    _validate_default = True

    def __init__(self, batch_shape: Any = (), event_shape: Any = ()) -> None:
        self._batch_shape, self._event_shape = Size(batch_shape), Size(event_shape)

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Whether distributions made without validate_args check their arguments."""
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args: expected True or False, got "
                             f"{value!r}")
        Distribution._validate_default = bool(value)

    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    _params: tuple[str, ...] = ()  # the tensors expand() broadcasts, batch dims first

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """The same distribution with its parameters broadcast to batch_shape (views)."""
        if not self._params:
            raise NotImplementedError(f"{type(self).__name__}.expand is not implemented in "
                                      "minigrad")
        batch_shape = Size(batch_shape)
        new = copy.copy(self)
        for name in self._params:
            value = getattr(self, name)
            value = value.expand(*batch_shape, *value.shape[len(self._batch_shape):])
            setattr(new, name, value)
        Distribution.__init__(new, batch_shape, self._event_shape)
        return new

    def _extended_shape(self, sample_shape: Any = ()) -> Size:
        if not isinstance(sample_shape, (tuple, list)):
            raise TypeError(f"{type(self).__name__}: sample_shape must be a tuple of ints (a "
                            f"torch.Size), got {sample_shape!r}")
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
        shown = ", ".join(f"{name}: {p.item() if p.ndim == 0 else p.shape!r}"
                          for name, p in params)
        return f"{type(self).__name__}({shown})"


class _LocScale(Distribution):
    """A family shifted by loc and scaled by scale > 0 (Normal, Laplace), centred on loc."""

    has_rsample = True
    _shown = _params = ("loc", "scale")

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = mg.broadcast_tensors(_param(loc), _param(scale))
        self._validate = _validating(validate_args)
        if self._validate:
            _check("loc", self.loc, ~np.isnan(self.loc.array), "Real()", "Normal")
            _check("scale", self.scale, self.scale.array > 0, "GreaterThan(lower_bound=0.0)",
                   type(self).__name__)
        super().__init__(self.loc.shape)

    @property
    def mean(self) -> Tensor:
        return self.loc


class Normal(_LocScale):
    """N(loc, scale^2): log p(x) = -(x - loc)^2 / (2 scale^2) - log scale - log sqrt(2 pi)."""

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
        value = _value(value, self._validate, "Normal.log_prob")
        if self._validate:
            _check("value", value, ~np.isnan(value.array), "Real()", "Normal.log_prob")
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

    _shown, _params = ("probs",), ("probs", "logits")

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Categorical: either probs or logits must be given, not both")
        given = _param(probs if logits is None else logits)
        if given.ndim < 1:
            raise ValueError("Categorical: probs or logits must have at least one dim")
        if logits is None:
            self.probs = given / given.sum(-1, keepdim=True)
            if _validating(validate_args):  # the normalized probs must form a simplex
                p = self.probs.array
                ok = (np.all(p >= 0, -1) & (np.abs(p.sum(-1) - 1) < 1e-6)) if p.shape[-1] else \
                    np.zeros(p.shape[:-1], bool)
                _check("probs", given, ok, "IndependentConstraint(Simplex(), 1)",
                       "Categorical")
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


class _ProbsMoments(Distribution):
    """Mean probs and variance probs (1 - probs): Bernoulli and OneHotCategorical."""

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)


def _one_hot_over(dist: Distribution, categorical: Categorical) -> None:
    """Set up a distribution over one-hot vectors of categorical's K categories."""
    dist._categorical, dist.probs, dist.logits = categorical, categorical.probs, categorical.logits
    Distribution.__init__(dist, categorical.batch_shape, categorical.probs.shape[-1:])


class OneHotCategorical(_ProbsMoments):
    """A Categorical whose draws are one-hot vectors of length K (event_shape (K,)):
    log p(v) = log p(argmax v)."""

    _shown = ()

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        _one_hot_over(self, Categorical(probs, logits, validate_args))

    @property
    def param_shape(self) -> Size:
        return self.probs.shape

    def sample(self, sample_shape: Any = ()) -> Tensor:
        index = self._categorical.sample(sample_shape)
        return mg.nn.functional.one_hot(index, self._event_shape[0]).to(self.probs.dtype)

    def log_prob(self, value: Any) -> Tensor:
        value = _param(value)
        ones = value.array == 1
        if not (np.all(ones | (value.array == 0)) and np.all(ones.sum(-1) == 1)):
            raise ValueError(f"OneHotCategorical.log_prob: values must be one-hot vectors, "
                             f"got {value}")
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self) -> Tensor:
        return self._categorical.entropy()


class RelaxedOneHotCategorical(Distribution):
    """The Gumbel-softmax (concrete) relaxation of a OneHotCategorical at a temperature:
    rsample = softmax((logits + g) / temperature) with g ~ Gumbel(0, 1)."""

    has_rsample = True
    _shown = ()

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        _one_hot_over(self, Categorical(probs, logits, validate_args))
        self.temperature = _param(temperature)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = float(np.finfo(self.logits.dtype).eps)
        uniforms = mg.rand(shape, dtype=self.logits.dtype).clamp(eps, 1 - eps)
        gumbels = -(-uniforms.log()).log()
        return ((self.logits + gumbels) / self.temperature).softmax(-1)

    def log_prob(self, value: Any) -> Tensor:
        """The density of log(value) under the exp-relaxed categorical, minus sum log(value)
        (the change of variables y = exp(x)):
        log (K-1)! + (K-1) log t + sum(logits - t x) - K logsumexp(logits - t x) - sum x."""
        x = _param(value).log()
        k = self._event_shape[0]
        score = self.logits - x * self.temperature
        score = (score - score.logsumexp(-1, keepdim=True)).sum(-1)
        log_scale = math.lgamma(k) + (k - 1) * self.temperature.log()
        return score + log_scale - x.sum(-1)


class Bernoulli(_ProbsMoments):
    """1 with probability probs (or sigmoid(logits)), else 0: log p(x) = -BCE(logits, x)."""

    _shown, _params = ("probs",), ("probs", "logits")

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Bernoulli: either probs or logits must be given, not both")
        self._validate = _validating(validate_args)
        if logits is None:
            self.probs = _param(probs)
            if self._validate:
                _check("probs", self.probs, (self.probs.array >= 0) & (self.probs.array <= 1),
                       "Interval(lower_bound=0.0, upper_bound=1.0)", "Bernoulli")
            eps = float(np.finfo(self.probs.dtype).eps)
            clamped = self.probs.clamp(eps, 1 - eps)
            self.logits = clamped.log() - (-clamped).log1p()
        else:
            self.logits = _param(logits)
            self.probs = self.logits.sigmoid()
        super().__init__(self.probs.shape)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            return mg.bernoulli(self.probs.detach().expand(self._extended_shape(sample_shape)))

    def log_prob(self, value: Any) -> Tensor:
        value = _value(value, self._validate, "Bernoulli.log_prob")
        if self._validate:
            _check("value", value, (value.array == 0) | (value.array == 1), "Boolean()",
                   "Bernoulli.log_prob")
        logits, value = mg.broadcast_tensors(self.logits, _param(value))
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self) -> Tensor:
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")


class Uniform(Distribution):
    """Uniform on [low, high): log p(x) = -log(high - low) inside, and values outside the
    support refused (as PyTorch's validate_args does)."""

    has_rsample = True
    _shown = _params = ("low", "high")

    def __init__(self, low: Any, high: Any, validate_args: bool | None = None) -> None:
        self.low, self.high = mg.broadcast_tensors(_param(low), _param(high))
        self._validate = _validating(validate_args)
        if self._validate:
            _check("low", self.low, self.low.array < self.high.array,
                   "LessThan(upper_bound=high)", "Uniform")
        super().__init__(self.low.shape)

    @property
    def mean(self) -> Tensor:
        return (self.high + self.low) / 2

    @property
    def variance(self) -> Tensor:
        return (self.high - self.low) ** 2 / 12

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """low + u (high - low) with u ~ U[0, 1): differentiable in low and high."""
        u = mg.rand(self._extended_shape(sample_shape), dtype=self.low.dtype)
        return self.low + u * (self.high - self.low)

    def _inside(self, value: Tensor, method: str) -> np.ndarray:
        inside = (self.low.array <= value.array) & (value.array < self.high.array)
        if self._validate and not np.all(inside):
            raise ValueError(f"Uniform.{method}: expected values within the support "
                             f"[low, high), but found invalid values:\n{value.detach()}")
        return inside

    def log_prob(self, value: Any) -> Tensor:
        value = _param(value)
        inside = self._inside(value, "log_prob")
        return mg.log(mg.tensor(inside.astype(value.dtype))) - (self.high - self.low).log()

    def cdf(self, value: Any) -> Tensor:
        value = _param(value)
        self._inside(value, "cdf")
        return ((value - self.low) / (self.high - self.low)).clamp(0, 1)

    def icdf(self, value: Any) -> Tensor:
        return value * (self.high - self.low) + self.low

    def entropy(self) -> Tensor:
        return (self.high - self.low).log()


def _sum_rightmost(value: Tensor, n: int) -> Tensor:
    return value.sum(tuple(range(-n, 0))) if n else value


class Independent(Distribution):
    """base_dist with its rightmost reinterpreted_batch_ndims batch dims read as one event:
    log_prob and entropy sum over them (a diagonal Gaussian from a batch of Normals)."""

    def __init__(self, base_distribution: Distribution, reinterpreted_batch_ndims: int,
                 validate_args: bool | None = None) -> None:
        if not isinstance(base_distribution, Distribution):
            raise TypeError(f"Independent: base_distribution must be a Distribution, got "
                            f"{type(base_distribution).__name__}")
        n, shape = reinterpreted_batch_ndims, base_distribution.batch_shape
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= len(shape):
            raise ValueError(f"Independent: reinterpreted_batch_ndims must be an int in [0, "
                             f"{len(shape)}] (the base's batch dims {tuple(shape)}), got {n!r}")
        self.base_dist, self.reinterpreted_batch_ndims = base_distribution, n
        self.has_rsample = base_distribution.has_rsample
        cut = len(shape) - n
        super().__init__(shape[:cut], (*shape[cut:], *base_distribution.event_shape))

    mean = property(lambda self: self.base_dist.mean)
    variance = property(lambda self: self.base_dist.variance)
    stddev = property(lambda self: self.base_dist.stddev)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value: Any) -> Tensor:
        return _sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self) -> Tensor:
        return _sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def __repr__(self) -> str:
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"


class MixtureSameFamily(Distribution):
    """A mixture of the components along component_distribution's last batch dim, weighted
    by a Categorical: log p(x) = logsumexp_k (log w_k + log p_k(x))."""

    def __init__(self, mixture_distribution: Categorical,
                 component_distribution: Distribution,
                 validate_args: bool | None = None) -> None:
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(f"MixtureSameFamily: mixture_distribution must be a Categorical, "
                             f"got {type(mixture_distribution).__name__}")
        mix, comp = mixture_distribution, component_distribution
        if not comp.batch_shape:
            raise ValueError("MixtureSameFamily: component_distribution needs a batch dim for "
                             "the components")
        k = comp.batch_shape[-1]
        if mix._num_events != k:
            raise ValueError(f"MixtureSameFamily: the mixture has {mix._num_events} "
                             f"categories but the components' last batch dim is {k}")
        batch = comp.batch_shape[:-1]
        if np.broadcast_shapes(tuple(mix.batch_shape), tuple(batch)) != tuple(batch):
            raise ValueError(f"MixtureSameFamily: the mixture's batch shape "
                             f"{tuple(mix.batch_shape)} does not fit the components' "
                             f"{tuple(batch)}")
        self.mixture_distribution, self.component_distribution = mix, comp
        self._event_ndims = len(comp.event_shape)
        super().__init__(batch, comp.event_shape)

    def _pad(self, x: Tensor) -> Tensor:
        """x with a component dim before the event dims."""
        return x.unsqueeze(-1 - self._event_ndims)

    def _weights(self) -> Tensor:
        probs = self.mixture_distribution.probs
        return probs.reshape(*probs.shape, *([1] * self._event_ndims))

    @property
    def mean(self) -> Tensor:
        return (self._weights() * self.component_distribution.mean).sum(-1 - self._event_ndims)

    @property
    def variance(self) -> Tensor:
        """E[Var(x | k)] + Var(E[x | k])"""
        w, comp, dim = self._weights(), self.component_distribution, -1 - self._event_ndims
        spread = (comp.mean - self._pad(self.mean)) ** 2
        return (w * comp.variance).sum(dim) + (w * spread).sum(dim)

    def log_prob(self, value: Any) -> Tensor:
        log_p = self.component_distribution.log_prob(self._pad(_param(value)))
        return (log_p + self.mixture_distribution.logits.log_softmax(-1)).logsumexp(-1)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A component drawn by the mixture, then a draw of that component."""
        with no_grad():
            which = self.mixture_distribution.sample(sample_shape)
            draws = self.component_distribution.sample(sample_shape)
            which = which.reshape(*which.shape, 1, *([1] * self._event_ndims))
            index = which.expand(*draws.shape[:-1 - self._event_ndims], 1,
                                 *self.event_shape)
            dim = len(draws.shape) - 1 - self._event_ndims
            return draws.gather(dim, index).squeeze(dim)

    def __repr__(self) -> str:
        return (f"MixtureSameFamily(\n  {self.mixture_distribution!r},\n  "
                f"{self.component_distribution!r})")


class MultivariateNormal(Distribution):
    """N(loc, Sigma) from one of covariance_matrix, precision_matrix or scale_tril (L with
    Sigma = L L^T): log p(x) = -|L^-1 (x - loc)|^2 / 2 - sum log diag L - k/2 log(2 pi)."""

    has_rsample = True
    _shown = ("loc", "covariance_matrix")

    def __init__(self, loc: Any, covariance_matrix: Any = None, precision_matrix: Any = None,
                 scale_tril: Any = None, validate_args: bool | None = None) -> None:
        given = [(n, m) for n, m in (("covariance_matrix", covariance_matrix),
                                     ("precision_matrix", precision_matrix),
                                     ("scale_tril", scale_tril)) if m is not None]
        if len(given) != 1:
            raise ValueError("MultivariateNormal: exactly one of covariance_matrix, "
                             "precision_matrix or scale_tril must be given")
        loc = _param(loc)
        name, matrix = given[0][0], _param(given[0][1])
        if loc.ndim < 1 or matrix.ndim < 2 or matrix.shape[-1] != matrix.shape[-2] or (
                matrix.shape[-1] != loc.shape[-1]):
            raise ValueError(f"MultivariateNormal: {name} of shape {tuple(matrix.shape)} "
                             f"does not fit loc of shape {tuple(loc.shape)} (it must be "
                             f"(..., {loc.shape[-1] if loc.ndim else 'k'}, same))")
        m = matrix.array
        if name == "scale_tril":
            diagonal = np.diagonal(m, axis1=-2, axis2=-1)
            _check(name, matrix, np.all(m == np.tril(m)) & np.all(diagonal > 0),
                   "LowerCholesky()", "MultivariateNormal")
            tril = matrix
        else:
            _check(name, matrix, np.allclose(m, np.swapaxes(m, -1, -2), atol=1e-6),
                   "PositiveDefinite()", "MultivariateNormal")
            try:
                cov = matrix if name == "covariance_matrix" else mg.linalg.inv(matrix)
                tril = mg.linalg.cholesky(cov)
            except mg.linalg.LinAlgError:
                _check(name, matrix, np.zeros(1, bool), "PositiveDefinite()",
                       "MultivariateNormal")
        batch = np.broadcast_shapes(tuple(loc.shape[:-1]), tuple(tril.shape[:-2]))
        k = loc.shape[-1]
        self.loc = loc.expand(*batch, k)
        self._tril = tril
        super().__init__(batch, (k,))

    @property
    def scale_tril(self) -> Tensor:
        return self._tril.expand(*self.batch_shape, *self._tril.shape[-2:])

    @property
    def covariance_matrix(self) -> Tensor:
        return self.scale_tril @ self.scale_tril.mT

    @property
    def precision_matrix(self) -> Tensor:
        return mg.linalg.inv(self.covariance_matrix)

    @property
    def mean(self) -> Tensor:
        return self.loc

    mode = mean

    @property
    def variance(self) -> Tensor:
        return (self._tril ** 2).sum(-1).expand(*self.batch_shape, *self.event_shape)

    def _half_log_det(self) -> Tensor:
        return self._tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def _mahalanobis(self, diff: Tensor) -> Tensor:
        """|L^-1 diff|^2 over the last dim, with L broadcast against diff's batch dims."""
        shape = np.broadcast_shapes(tuple(diff.shape[:-1]), tuple(self._tril.shape[:-2]))
        tril = self._tril.expand(*shape, *self._tril.shape[-2:])
        solved = mg.linalg.solve_triangular(tril, diff.expand(*shape, diff.shape[-1])
                                            .unsqueeze(-1), upper=False)
        return (solved.squeeze(-1) ** 2).sum(-1)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """loc + L eps with eps ~ N(0, I): differentiable in loc and L."""
        eps = mg.randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + (self._tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value: Any) -> Tensor:
        k = self.event_shape[0]
        m = self._mahalanobis(_param(value) - self.loc)
        return -0.5 * (k * math.log(2 * math.pi) + m) - self._half_log_det()

    def entropy(self) -> Tensor:
        k = self.event_shape[0]
        h = 0.5 * k * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return h.expand(*self.batch_shape)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{n}: {t.shape}" for n, t in (
            ("loc", self.loc), ("covariance_matrix", self.scale_tril),
            ("precision_matrix", self.scale_tril), ("scale_tril", self.scale_tril)))
        return f"MultivariateNormal({shapes})"


# *** continuous and count distributions of Bayesian models (log_prob, moments, entropy) ***
def _positive(where: str, **params: Any) -> list[Tensor]:
    """The parameters as float tensors broadcast together, each checked to be > 0."""
    values = mg.broadcast_tensors(*[_param(v) for v in params.values()])
    for name, value in zip(params, values):
        _check(name, value, value.array > 0, "GreaterThan(lower_bound=0.0)", where)
    return list(values)


def _draw(dist: Distribution, sample_shape: Any, draw: Any, *params: Tensor) -> Tensor:
    """A sample (outside the graph) drawn by draw(rng, *param arrays, shape) from minigrad's
    random stream."""
    from minigrad.random import numpy_generator
    shape = tuple(dist._extended_shape(sample_shape))
    arrays = [np.broadcast_to(p.detach().array, shape) for p in params]
    values = draw(numpy_generator(None, type(dist).__name__), *arrays, shape)
    return mg.tensor(np.asarray(values), dtype=params[0].dtype)


def _no_rsample(dist: Distribution) -> None:
    raise NotImplementedError(f"{type(dist).__name__}.rsample is not supported by minigrad "
                              "(its reparameterized gradient is not implemented); use sample()")


class Exponential(Distribution):
    """rate exp(-rate x) for x >= 0."""

    has_rsample = True
    _shown = ("rate",)

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = _positive("Exponential", rate=rate)
        super().__init__(self.rate.shape)

    @property
    def mean(self) -> Tensor:
        return 1 / self.rate

    @property
    def variance(self) -> Tensor:
        return self.rate ** -2

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """E / rate with E ~ Exp(1): differentiable in rate."""
        return _draw(self, sample_shape, lambda rng, r, shape: rng.exponential(1.0, shape),
                     self.rate) / self.rate

    def log_prob(self, value: Any) -> Tensor:
        return self.rate.log() - self.rate * value

    def cdf(self, value: Any) -> Tensor:
        return 1 - mg.exp(-self.rate * value)

    def entropy(self) -> Tensor:
        return 1.0 - self.rate.log()


class Laplace(_LocScale):
    """exp(-|x - loc| / scale) / (2 scale)."""

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale ** 2

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """loc - scale sign(u) log(1 - |u|) with u ~ U(-1, 1): differentiable."""
        u = _draw(self, sample_shape, lambda rng, loc, shape: rng.uniform(-1.0, 1.0, shape),
                  self.loc)
        return self.loc - self.scale * u.sign() * mg.log1p(-u.abs())

    def log_prob(self, value: Any) -> Tensor:
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Any) -> Tensor:
        z = value - self.loc
        return 0.5 - 0.5 * z.sign() * mg.expm1(-z.abs() / self.scale)

    def entropy(self) -> Tensor:
        return 1 + (2 * self.scale).log()


class LogNormal(Distribution):
    """exp(X) for X ~ Normal(loc, scale)."""

    has_rsample = True
    _shown = ()

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.base_dist = Normal(loc, scale, validate_args)
        self.loc, self.scale = self.base_dist.loc, self.base_dist.scale
        super().__init__(self.loc.shape)

    @property
    def mean(self) -> Tensor:
        return (self.loc + self.scale ** 2 / 2).exp()

    @property
    def variance(self) -> Tensor:
        return mg.expm1(self.scale ** 2) * (2 * self.loc + self.scale ** 2).exp()

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape).exp()

    def log_prob(self, value: Any) -> Tensor:
        log_value = _param(value).log()
        return self.base_dist.log_prob(log_value) - log_value

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() + self.loc


class Gamma(Distribution):
    """rate^k x^(k-1) exp(-rate x) / Gamma(k), k = concentration."""

    _shown = ("concentration", "rate")

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None
                 ) -> None:
        self.concentration, self.rate = _positive("Gamma", concentration=concentration,
                                                  rate=rate)
        super().__init__(self.rate.shape)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate ** 2

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return _draw(self, sample_shape, lambda rng, k, r, shape: rng.gamma(k, 1 / r, shape),
                     self.concentration, self.rate)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        _no_rsample(self)

    def log_prob(self, value: Any) -> Tensor:
        k = self.concentration
        return (mg.xlogy(k, self.rate) + mg.xlogy(k - 1, value) - self.rate * value
                - k.lgamma())

    def entropy(self) -> Tensor:
        k = self.concentration
        return k - self.rate.log() + k.lgamma() + (1 - k) * k.digamma()


class Dirichlet(Distribution):
    """Probability vectors x with density prod x_i^(c_i - 1) / B(c), c = concentration."""

    _shown = ("concentration",)

    def __init__(self, concentration: Any, validate_args: bool | None = None) -> None:
        self.concentration = _param(concentration)
        if self.concentration.ndim < 1:
            raise ValueError("Dirichlet: concentration must have at least one dim")
        _check("concentration", self.concentration, self.concentration.array > 0,
               "IndependentConstraint(GreaterThan(lower_bound=0.0), 1)", "Dirichlet")
        super().__init__(self.concentration.shape[:-1], self.concentration.shape[-1:])

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def variance(self) -> Tensor:
        c = self.concentration
        total = c.sum(-1, keepdim=True)
        return c * (total - c) / (total ** 2 * (total + 1))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        draws = _draw(self, sample_shape, lambda rng, c, shape: rng.gamma(c, 1.0, shape),
                      self.concentration)
        return draws / draws.sum(-1, keepdim=True)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        _no_rsample(self)

    def log_prob(self, value: Any) -> Tensor:
        c = self.concentration
        return (mg.xlogy(c - 1, value).sum(-1) + c.sum(-1).lgamma() - c.lgamma().sum(-1))

    def entropy(self) -> Tensor:
        c = self.concentration
        k, total = c.shape[-1], c.sum(-1)
        return (c.lgamma().sum(-1) - total.lgamma() - (k - total) * total.digamma()
                - ((c - 1) * c.digamma()).sum(-1))


class Beta(Distribution):
    """x^(c1-1) (1-x)^(c0-1) / B(c1, c0): a Dirichlet over (x, 1 - x), as PyTorch's."""

    _shown = ()

    def __init__(self, concentration1: Any, concentration0: Any,
                 validate_args: bool | None = None) -> None:
        self.concentration1, self.concentration0 = _positive(
            "Beta", concentration1=concentration1, concentration0=concentration0)
        self._dirichlet = Dirichlet(mg.stack([self.concentration1, self.concentration0], -1))
        super().__init__(self.concentration1.shape)

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def variance(self) -> Tensor:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total ** 2 * (total + 1))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return self._dirichlet.sample(sample_shape)[..., 0]

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        _no_rsample(self)

    def log_prob(self, value: Any) -> Tensor:
        value = _param(value)
        return self._dirichlet.log_prob(mg.stack([value, 1 - value], -1))

    def entropy(self) -> Tensor:
        return self._dirichlet.entropy()


class Poisson(Distribution):
    """rate^k exp(-rate) / k! for counts k."""

    _shown = ("rate",)

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        self.rate = _param(rate)
        _check("rate", self.rate, self.rate.array >= 0, "GreaterThanEq(lower_bound=0.0)",
               "Poisson")
        super().__init__(self.rate.shape)

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return _draw(self, sample_shape, lambda rng, r, shape: rng.poisson(r, shape),
                     self.rate)

    def log_prob(self, value: Any) -> Tensor:
        value = _param(value)
        return mg.xlogy(value, self.rate) - self.rate - (value + 1).lgamma()


class StudentT(Distribution):
    """Student's t with df degrees of freedom, shifted by loc and scaled by scale."""

    _shown = ("df", "loc", "scale")

    def __init__(self, df: Any, loc: Any = 0.0, scale: Any = 1.0,
                 validate_args: bool | None = None) -> None:
        self.df, self.loc, self.scale = mg.broadcast_tensors(_param(df), _param(loc),
                                                             _param(scale))
        for name in ("df", "scale"):
            value = getattr(self, name)
            _check(name, value, value.array > 0, "GreaterThan(lower_bound=0.0)", "StudentT")
        super().__init__(self.df.shape)

    @property
    def mean(self) -> Tensor:
        return mg.where(self.df.array > 1, self.loc, math.nan)

    @property
    def variance(self) -> Tensor:
        df = self.df.array
        var = self.scale ** 2 * self.df / (self.df - 2)
        return mg.where(df > 2, var, mg.where(df > 1, math.inf, math.nan))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        t = _draw(self, sample_shape, lambda rng, df, shape: rng.standard_t(df, shape), self.df)
        return self.loc.detach() + self.scale.detach() * t

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        _no_rsample(self)

    def log_prob(self, value: Any) -> Tensor:
        y = (value - self.loc) / self.scale
        z = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi)
             + (0.5 * self.df).lgamma() - (0.5 * (self.df + 1)).lgamma())
        return -0.5 * (self.df + 1) * mg.log1p(y ** 2 / self.df) - z

    def entropy(self) -> Tensor:
        half = 0.5 * self.df
        lbeta = half.lgamma() + math.lgamma(0.5) - (half + 0.5).lgamma()
        return (self.scale.log() + (half + 0.5) * ((half + 0.5).digamma() - half.digamma())
                + 0.5 * self.df.log() + lbeta)


class Gumbel(_LocScale):
    """exp(-(z + exp(-z))) / scale with z = (x - loc) / scale (the max of many draws)."""

    @property
    def mean(self) -> Tensor:
        return self.loc + self.scale * _EULER_GAMMA

    @property
    def variance(self) -> Tensor:
        return (math.pi ** 2 / 6) * self.scale ** 2

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """loc - scale log(-log u), u ~ U(0, 1): differentiable."""
        u = _draw(self, sample_shape, lambda rng, loc, shape: rng.uniform(
            np.finfo(loc.dtype).tiny, 1.0, shape), self.loc)
        return self.loc - self.scale * (-u.log()).log()

    def log_prob(self, value: Any) -> Tensor:
        z = (value - self.loc) / self.scale
        return -(self.scale.log() + z + mg.exp(-z))

    def entropy(self) -> Tensor:
        return self.scale.log() + (1 + _EULER_GAMMA)


_EULER_GAMMA = 0.5772156649015329


class Cauchy(_LocScale):
    """1 / (pi scale (1 + z^2)), z = (x - loc) / scale: no mean, no variance."""

    @property
    def mean(self) -> Tensor:
        return mg.full(self.loc.shape, math.nan, dtype=self.loc.dtype)

    @property
    def variance(self) -> Tensor:
        return mg.full(self.loc.shape, math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """loc + scale tan(pi (u - 1/2)), u ~ U(0, 1): differentiable."""
        u = _draw(self, sample_shape, lambda rng, loc, shape: rng.uniform(0.0, 1.0, shape),
                  self.loc)
        return self.loc + self.scale * mg.tan(math.pi * (u - 0.5))

    def log_prob(self, value: Any) -> Tensor:
        z = (value - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - mg.log1p(z ** 2)

    def cdf(self, value: Any) -> Tensor:
        return mg.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def entropy(self) -> Tensor:
        return math.log(4 * math.pi) + self.scale.log()


class HalfNormal(Distribution):
    """|X| for X ~ Normal(0, scale): twice the normal density on x >= 0."""

    has_rsample = True
    _shown = ()

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        self.base_dist = Normal(0.0, scale, validate_args)
        self.scale = self.base_dist.scale
        super().__init__(self.scale.shape)

    @property
    def mean(self) -> Tensor:
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self) -> Tensor:
        return self.scale ** 2 * (1 - 2 / math.pi)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape).abs()

    def log_prob(self, value: Any) -> Tensor:
        return self.base_dist.log_prob(value) + math.log(2)

    def cdf(self, value: Any) -> Tensor:
        return 2 * self.base_dist.cdf(value) - 1

    def entropy(self) -> Tensor:
        return 0.5 * (math.pi * self.scale ** 2 / 2).log() + 0.5


class Geometric(Distribution):
    """The number of failures before the first success: (1 - p)^k p."""

    _shown = ("probs",)

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._bernoulli = Bernoulli(probs, logits, validate_args)
        self.probs, self.logits = self._bernoulli.probs, self._bernoulli.logits
        super().__init__(self.probs.shape)

    @property
    def mean(self) -> Tensor:
        return 1 / self.probs - 1

    @property
    def variance(self) -> Tensor:
        return (1 / self.probs - 1) / self.probs

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return _draw(self, sample_shape, lambda rng, p, shape: rng.geometric(p, shape) - 1,
                     self.probs)

    def log_prob(self, value: Any) -> Tensor:
        eps = float(np.finfo(self.probs.dtype).tiny)
        p = self.probs.clamp(min=eps, max=1 - float(np.finfo(self.probs.dtype).eps))
        return _param(value) * mg.log1p(-p) + self.probs.clamp(min=eps).log()

    def entropy(self) -> Tensor:
        return self._bernoulli.entropy() / self.probs


class Binomial(Distribution):
    """The number of successes in total_count trials of probability probs."""

    _shown = ("total_count", "probs")

    def __init__(self, total_count: Any = 1, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._bernoulli = Bernoulli(probs, logits, validate_args)
        self.total_count, self.probs = mg.broadcast_tensors(
            _param(total_count).to(self._bernoulli.probs.dtype), self._bernoulli.probs)
        self.logits = self._bernoulli.logits.expand(*self.probs.shape)
        super().__init__(self.probs.shape)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return _draw(self, sample_shape, lambda rng, n, p, shape: rng.binomial(
            n.astype(np.int64), p, shape), self.total_count, self.probs)

    def log_prob(self, value: Any) -> Tensor:
        """log C(n, k) + k log p + (n - k) log(1 - p), with the log-probabilities from the
        logits (log p = -softplus(-logits))."""
        k, n = _param(value), self.total_count
        log_choose = (n + 1).lgamma() - (k + 1).lgamma() - (n - k + 1).lgamma()
        return log_choose - k * softplus(-self.logits) - (n - k) * softplus(self.logits)


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p || q) = E_p[log p - log q], in closed form for two of one kind."""
    if isinstance(p, Normal) and isinstance(q, Normal):
        var_ratio = (p.scale / q.scale) ** 2
        t1 = ((p.loc - q.loc) / q.scale) ** 2
        return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())
    if isinstance(p, OneHotCategorical) and isinstance(q, OneHotCategorical):
        p, q = p._categorical, q._categorical
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
    if isinstance(p, Independent) and isinstance(q, Independent):
        if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
            raise NotImplementedError("kl_divergence: Independent distributions with different "
                                      "reinterpreted_batch_ndims")
        return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist),
                              p.reinterpreted_batch_ndims)
    if isinstance(p, MultivariateNormal) and isinstance(q, MultivariateNormal):
        if p.event_shape != q.event_shape:
            raise ValueError(f"kl_divergence: MultivariateNormals of event shapes "
                             f"{tuple(p.event_shape)} and {tuple(q.event_shape)}")
        # 1/2 (tr(Sq^-1 Sp) + |Lq^-1 (mq - mp)|^2 - k) + log det Lq - log det Lp
        shape = np.broadcast_shapes(tuple(p._tril.shape), tuple(q._tril.shape))
        ratio = mg.linalg.solve_triangular(q._tril.expand(*shape), p._tril.expand(*shape),
                                           upper=False)
        term = (ratio ** 2).sum((-2, -1)) + q._mahalanobis(q.loc - p.loc) - p.event_shape[0]
        return q._half_log_det() - p._half_log_det() + 0.5 * term
    raise NotImplementedError(f"kl_divergence: no closed form for {type(p).__name__} and "
                              f"{type(q).__name__}")


# torch's module paths: torch.distributions.normal.Normal, torch.distributions.kl, ...
for _name in ("normal", "categorical", "bernoulli", "kl", "distribution", "uniform",
              "independent", "mixture_same_family", "multivariate_normal",
              "one_hot_categorical", "relaxed_categorical", "beta", "dirichlet", "exponential",
              "gamma", "laplace", "log_normal", "poisson", "studentT", "gumbel", "cauchy",
              "half_normal", "geometric", "binomial"):
    sys.modules[f"{__name__}.{_name}"] = sys.modules[__name__]
