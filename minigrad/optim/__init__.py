"""Optimizers and learning-rate schedules with PyTorch's names and update formulas."""

from minigrad.optim import lr_scheduler
from minigrad.optim.adam import Adam, AdamW
from minigrad.optim.optimizer import Optimizer
from minigrad.optim.rmsprop import Adagrad, RMSprop
from minigrad.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Adagrad", "Optimizer", "RMSprop", "lr_scheduler"]
