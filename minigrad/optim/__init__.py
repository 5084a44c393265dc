"""Optimizers and learning-rate schedules with PyTorch's names and update formulas."""

from minigrad.optim import lr_scheduler, swa_utils  # noqa: F401  (swa_utils: torch's path)
from minigrad.optim.adam import Adam, AdamW
from minigrad.optim.adam_variants import Adamax, NAdam, RAdam
from minigrad.optim.asgd import ASGD
from minigrad.optim.lbfgs import LBFGS
from minigrad.optim.optimizer import Optimizer
from minigrad.optim.rmsprop import Adadelta, Adagrad, RMSprop
from minigrad.optim.rprop import Rprop
from minigrad.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Adagrad", "Optimizer", "RMSprop", "lr_scheduler",
           "NAdam", "RAdam", "Adamax", "Adadelta", "Rprop", "ASGD", "LBFGS"]
