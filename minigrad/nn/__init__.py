"""Neural-network layers, losses and their functional forms (minigrad.nn.functional)."""

from minigrad.nn import functional

