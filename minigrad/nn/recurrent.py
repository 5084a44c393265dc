"""Recurrent layers with PyTorch's names, arguments, parameter names, shapes and gate order: RNN,
LSTM, GRU and their one-step cells. Each step is one short cell function made of differentiable
ops (linear, sigmoid, tanh, chunk), so gradients, second order too, come from the engine; the
layers loop over time, directions and layers."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.layers import _check_size, _factory_dtype
from minigrad.nn.module import Module, Parameter
from minigrad.nn.utils.rnn import PackedSequence
from minigrad.ops import cat, linear, relu, sigmoid, stack, tanh
from minigrad.tensor import Tensor

State = Tensor | tuple[Tensor, Tensor]  # h, or (h, c) for an LSTM


# *** one time step: x (batch, input_size), state (batch, hidden_size) -> new state ***
def rnn_tanh_cell(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                  b_hh: Tensor | None = None) -> Tensor:
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)"""
    return tanh(linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh))


def rnn_relu_cell(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                  b_hh: Tensor | None = None) -> Tensor:
    """h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)"""
    return relu(linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh))


def lstm_cell(x: Tensor, state: tuple[Tensor, Tensor], w_ih: Tensor, w_hh: Tensor,
              b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """Gates i, f, g, o (in PyTorch's order) from x W_ih^T + b_ih + h W_hh^T + b_hh;
    c' = sigmoid(f) c + sigmoid(i) tanh(g), h' = sigmoid(o) tanh(c')."""
    h, c = state
    i, f, g, o = (linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh)).chunk(4, -1)
    c = sigmoid(f) * c + sigmoid(i) * tanh(g)
    return sigmoid(o) * tanh(c), c


def gru_cell(x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None) -> Tensor:
    """Gates r, z and candidate n as PyTorch computes them: r, z = sigmoid(x W_i^T + b_i +
    h W_h^T + b_h), n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)); h' = (1 - z) n + z h."""
    x_r, x_z, x_n = linear(x, w_ih, b_ih).chunk(3, -1)
    h_r, h_z, h_n = linear(h, w_hh, b_hh).chunk(3, -1)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    n = tanh(x_n + r * h_n)
    return (1 - z) * n + z * h


CELLS = {"RNN_TANH": rnn_tanh_cell, "RNN_RELU": rnn_relu_cell, "LSTM": lstm_cell,
         "GRU": gru_cell}
GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _rnn_mode(nonlinearity: str, name: str) -> str:
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"{name}: unknown nonlinearity {nonlinearity!r}; select from 'tanh' "
                         "or 'relu'")
    return "RNN_" + nonlinearity.upper()


def _init_uniform(module: Module, hidden_size: int) -> None:
    """Every parameter U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch does."""
    bound = 1 / math.sqrt(hidden_size) if hidden_size > 0 else 0
    for p in module.parameters():
        init.uniform_(p, -bound, bound)


def _check_input(name: str, input: Any, ndims: tuple[int, int], accepted: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: input must be {accepted}, got {type(input).__name__}")
    if input.ndim not in ndims:
        raise ValueError(f"{name}: expected input to be {ndims[0]}-D or {ndims[1]}-D, got "
                         f"{input.ndim}-D input of shape {tuple(input.shape)}")


def _check_state(name: str, what: str, state: Any, expected: tuple[int, ...],
                 dtype: np.dtype) -> Tensor:
    if not isinstance(state, Tensor):
        raise TypeError(f"{name}: {what} must be a Tensor, got {type(state).__name__}")
    if tuple(state.shape) != expected:
        raise ValueError(f"{name}: expected {what} of shape {expected}, got "
                         f"{tuple(state.shape)}")
    if state.dtype != dtype:
        raise ValueError(f"{name}: {what} has dtype {state.dtype}, but the input has {dtype}")
    return state


def _map(fn: Any, *states: State) -> State:
    """fn applied to a state's tensors: to h, or to h and c alike for an LSTM."""
    if isinstance(states[0], tuple):
        return tuple(fn(*parts) for parts in zip(*states, strict=True))
    return fn(*states)


def _first_rows(state: State, n: int, batch: int) -> State:
    return state if n == batch else _map(lambda s: s[:n], state)


def _update_first_rows(state: State, new: State, n: int, batch: int) -> State:
    """state with its first n rows replaced by new."""
    return new if n == batch else _map(lambda a, s: cat([a, s[n:]], 0), new, state)


def _check_dtype(name: str, input: Tensor, weight: Tensor) -> None:
    if input.dtype != weight.dtype:
        raise ValueError(f"{name}: input dtype {input.dtype} does not match the weights' "
                         f"dtype {weight.dtype}; convert the input (input.to({weight.dtype})) "
                         f"or the model (model.to({input.dtype}))")


# *** multi-layer recurrent layers ***
class RNNBase(Module):
    """The layer loop shared by RNN, LSTM and GRU: for each layer and direction, run the cell
    over time; a bidirectional layer's output at time t joins both directions' h_t, and dropout
    (training only) falls between layers."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        _check_size(name, "input_size", input_size)
        for arg, value in (("hidden_size", hidden_size), ("num_layers", num_layers)):
            if isinstance(value, (int, np.integer)) and not isinstance(value, bool) \
                    and value <= 0:
                raise ValueError(f"{name}: {arg} must be greater than zero, got {value}")
            _check_size(name, arg, value)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float, np.floating)) \
                or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout must be a number in [0, 1] (the probability of "
                             f"zeroing an element), got {dropout!r}")
        if isinstance(proj_size, bool) or not isinstance(proj_size, (int, np.integer)) \
                or proj_size < 0:
            raise ValueError(f"{name}: proj_size should be a positive integer or zero to "
                             f"disable projections, got {proj_size!r}")
        if proj_size:
            if mode != "LSTM":
                raise ValueError(f"{name}: proj_size is only supported for LSTM, not RNN or "
                                 "GRU")
            if proj_size >= hidden_size:
                raise ValueError(f"{name}: proj_size ({proj_size}) has to be smaller than "
                                 f"hidden_size ({hidden_size})")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: dropout={dropout} and num_layers=1: dropout acts only "
                          "between recurrent layers, so it has no effect here", stacklevel=2)
        dtype = _factory_dtype(device, dtype)
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        self.proj_size = int(proj_size)
        out_size = proj_size or hidden_size  # h's size: projected to proj_size when given
        directions = 2 if bidirectional else 1
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else out_size * directions
            for suffix in ("", "_reverse")[:directions]:
                shapes = {"weight_ih": (GATES[mode] * hidden_size, layer_input),
                          "weight_hh": (GATES[mode] * hidden_size, out_size)}
                if bias:
                    shapes.update(bias_ih=(GATES[mode] * hidden_size,),
                                  bias_hh=(GATES[mode] * hidden_size,))
                if proj_size:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                for kind, shape in shapes.items():
                    weight_name = f"{kind}_l{layer}{suffix}"
                    setattr(self, weight_name, Parameter(np.empty(shape, dtype)))
                    self._flat_weights_names.append(weight_name)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _init_uniform(self, self.hidden_size)

    def flatten_parameters(self) -> None:
        """Nothing to do: PyTorch packs weights for cuDNN here; minigrad has no cuDNN."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters of each layer and direction: [w_ih, w_hh(, b_ih, b_hh)(, w_hr)]."""
        per = (4 if self.bias else 2) + (1 if self.proj_size else 0)
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[i:i + per]] for i in range(0, len(names), per)]

    def _weights(self, layer: int, direction: int) -> list[Parameter]:
        return self.all_weights[layer * (2 if self.bidirectional else 1) + direction]

    def forward(self, input: Tensor | PackedSequence, hx: State | None = None
                ) -> tuple[Tensor | PackedSequence, State]:
        """input (L, N, input_size), or (N, L, input_size) with batch_first, or (L, input_size)
        unbatched, or a PackedSequence -> output (same layout, D hidden_size features), final
        state (D num_layers, N, hidden_size), where D is 2 when bidirectional."""
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        name = type(self).__name__
        _check_input(name, input, (2, 3), "a Tensor or a PackedSequence")
        self._check_features(input)
        batched = input.ndim == 3
        if not batched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        if input.shape[0] == 0:
            raise ValueError(f"{name}: expected sequence length to be larger than 0, got input "
                             f"of shape {tuple(input.shape)}")
        length, batch = input.shape[:2]
        states = self._initial_states(hx, batch, input.dtype, batched)
        steps, final = self._run(list(input.unbind(0)), [batch] * length, states)
        output = stack(steps, 0)
        if not batched:
            output = output.squeeze(1)
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, self._final_state(final, batched)

    def _forward_packed(self, input: PackedSequence, hx: State | None
                        ) -> tuple[PackedSequence, State]:
        """As forward, on a PackedSequence: sequence b runs for its own length, and its final
        state is the one after its last step. hx and the final state are in the batch's
        original order, the packed rows in sorted order."""
        data, batch_sizes, sorted_indices, unsorted_indices = input
        if not isinstance(data, Tensor) or data.ndim != 2:
            raise ValueError(f"{type(self).__name__}: a PackedSequence's data must be a 2-D "
                             f"Tensor (steps, input_size), got {getattr(data, 'shape', data)}")
        self._check_features(data)
        sizes = [int(n) for n in np.asarray(batch_sizes.array)]
        states = self._initial_states(hx, sizes[0], data.dtype, True)
        if sorted_indices is not None:
            states = [_map(lambda s: s[sorted_indices], state) for state in states]
        steps, final = self._run(list(data.split(sizes, 0)), sizes, states)
        if unsorted_indices is not None:
            final = [_map(lambda s: s[unsorted_indices], state) for state in final]
        output = PackedSequence(cat(steps, 0), batch_sizes, sorted_indices, unsorted_indices)
        return output, self._final_state(final, True)

    def _check_features(self, input: Tensor) -> None:
        name = type(self).__name__
        if input.shape[-1] != self.input_size:
            raise ValueError(f"{name}: input.size(-1) must be equal to input_size: expected "
                             f"{self.input_size}, got {input.shape[-1]}")
        _check_dtype(name, input, self.weight_ih_l0)

    def _run(self, steps: list[Tensor], sizes: list[int], states: list[State]
             ) -> tuple[list[Tensor], list[State]]:
        """The layers over the inputs of each time step; step t holds the first sizes[t] rows
        of the batch (all of them unless packed). Returns the last layer's outputs per step and
        the final state of each layer and direction."""
        cell, directions = CELLS[self.mode], 2 if self.bidirectional else 1
        final = []
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                steps = [F.dropout(x, self.dropout) for x in steps]
            outputs = []
            for direction in range(directions):
                state = states[layer * directions + direction]
                weights = self._weights(layer, direction)
                projection = weights.pop() if self.proj_size else None
                hs: list[Tensor] = [None] * len(steps)  # type: ignore[list-item]
                times = range(len(steps)) if direction == 0 else reversed(range(len(steps)))
                for t in times:  # rows sizes[t] and on have ended (in reverse: not begun)
                    new = cell(steps[t], _first_rows(state, sizes[t], sizes[0]), *weights)
                    if projection is not None:  # h' = h' W_hr^T
                        new = (linear(new[0], projection), new[1])
                    state = _update_first_rows(state, new, sizes[t], sizes[0])
                    hs[t] = new[0] if self.mode == "LSTM" else new
                final.append(state)
                outputs.append(hs)
            steps = outputs[0] if directions == 1 else [cat(hs, -1) for hs in zip(*outputs)]
        return steps, final

    def _initial_states(self, hx: State | None, batch: int, dtype: np.dtype, batched: bool
                        ) -> list[State]:
        """One state per layer and direction: hx split along its first dim, or zeros."""
        name, size = type(self).__name__, self.num_layers * (2 if self.bidirectional else 1)
        expected = (size, batch, self.hidden_size)
        h_size = self.proj_size or self.hidden_size  # c keeps hidden_size
        lstm = self.mode == "LSTM"
        if hx is None:
            zeros = Tensor._make(np.zeros(expected, dtype)).unbind(0)
            if not self.proj_size:
                return [(h, h) if lstm else h for h in zeros]
            h_zeros = Tensor._make(np.zeros((size, batch, h_size), dtype)).unbind(0)
            return list(zip(h_zeros, zeros))
        if lstm and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(f"{name}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
        if not lstm and not isinstance(hx, Tensor):
            raise TypeError(f"{name}: hx must be a Tensor h_0, got {type(hx).__name__}")
        parts = [("h_0", hx[0]), ("c_0", hx[1])] if lstm else [("hx", hx)]
        checked = []
        for what, state in parts:
            if isinstance(state, Tensor) and state.ndim != (3 if batched else 2):
                raise ValueError(f"{name}: for {'batched 3' if batched else 'unbatched 2'}-D "
                                 f"input, {what} should also be {3 if batched else 2}-D, got "
                                 f"shape {tuple(state.shape)}")
            features = self.hidden_size if what == "c_0" else h_size
            state = _check_state(name, what, state, (size, batch, features) if batched else
                                 (size, features), dtype)
            checked.append(state.unbind(0) if batched else state.unsqueeze(1).unbind(0))
        return list(zip(*checked)) if lstm else list(checked[0])

    def _final_state(self, final: list[State], batched: bool) -> State:
        def join(states: list[Tensor]) -> Tensor:
            return stack(states, 0) if batched else stack(states, 0).squeeze(1)
        if self.mode == "LSTM":
            return join([h for h, _ in final]), join([c for _, c in final])
        return join(final)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        defaults = {"proj_size": 0, "num_layers": 1, "bias": True, "batch_first": False,
                    "dropout": 0.0, "bidirectional": False}
        for key, default in defaults.items():
            if getattr(self, key) != default:
                s += f", {key}={getattr(self, key)}"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh) (or relu) per layer."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(_rnn_mode(nonlinearity, "RNN"), input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, 0, device, dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory (see lstm_cell); forward returns (output, (h_n, c_n))."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit (see gru_cell); forward returns (output, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)


# *** one-step cells ***
class RNNCellBase(Module):
    """A single step of a recurrent layer, with parameters weight_ih, weight_hh, bias_ih,
    bias_hh; input (N, input_size) or unbatched (input_size,)."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        _check_size(name, "input_size", input_size)
        _check_size(name, "hidden_size", hidden_size)
        dtype = _factory_dtype(device, dtype)
        self.mode, self.input_size, self.hidden_size, self.bias = (mode, input_size, hidden_size,
                                                                   bias)
        gates = GATES[mode] * hidden_size
        self.weight_ih = Parameter(np.empty((gates, input_size), dtype))
        self.weight_hh = Parameter(np.empty((gates, hidden_size), dtype))
        self.bias_ih = Parameter(np.empty(gates, dtype)) if bias else None
        self.bias_hh = Parameter(np.empty(gates, dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _init_uniform(self, self.hidden_size)

    def forward(self, input: Tensor, hx: State | None = None) -> State:
        name = type(self).__name__
        _check_input(name, input, (1, 2), "a Tensor")
        if input.shape[-1] != self.input_size:
            raise ValueError(f"{name}: input has inconsistent input_size: expected "
                             f"{self.input_size}, got {input.shape[-1]}")
        _check_dtype(name, input, self.weight_ih)
        batched = input.ndim == 2
        expected = (input.shape[0], self.hidden_size) if batched else (self.hidden_size,)
        lstm = self.mode == "LSTM"
        if hx is None:
            zeros = Tensor._make(np.zeros(expected, input.dtype))
            hx = (zeros, zeros) if lstm else zeros
        elif lstm and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(f"{name}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
        parts = list(hx) if lstm else [hx]
        for i, state in enumerate(parts):
            what = ("h_0", "c_0")[i] if lstm else "hx"
            parts[i] = _check_state(name, what, state, expected, input.dtype)
        if not batched:
            input, parts = input.unsqueeze(0), [s.unsqueeze(0) for s in parts]
        weights = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        out = CELLS[self.mode](input, tuple(parts) if lstm else parts[0], *weights)
        if batched:
            return out
        return (out[0].squeeze(0), out[1].squeeze(0)) if lstm else out.squeeze(0)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity=relu"
        return s


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        super().__init__(_rnn_mode(nonlinearity, "RNNCell"), input_size, hidden_size, bias,
                         device, dtype)
        self.nonlinearity = nonlinearity


class LSTMCell(RNNCellBase):
    """One LSTM step (see lstm_cell): (h, c) -> (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)


class GRUCell(RNNCellBase):
    """One GRU step (see gru_cell): h -> h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)
