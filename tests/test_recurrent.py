"""Recurrent layers (minigrad.nn.recurrent): RNN, LSTM, GRU and their cells against PyTorch
(outputs, final states, every gradient, after loading torch's weights), numeric gradients of the
cell functions, errors for bad input, and a small training run."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import nn
from minigrad.interop import from_torch
from minigrad.nn.recurrent import gru_cell, lstm_cell, rnn_relu_cell, rnn_tanh_cell
from minigrad.testing import gradcheck, gradgradcheck

KINDS = {"rnn_tanh": (nn.RNN, {}), "rnn_relu": (nn.RNN, {"nonlinearity": "relu"}),
         "lstm": (nn.LSTM, {}), "gru": (nn.GRU, {})}
CONFIGS = {
    "plain": {},
    "batch_first": {"batch_first": True},
    "two_layers": {"num_layers": 2},
    "bidirectional": {"bidirectional": True},
    "two_layers_bidirectional_batch_first": {"num_layers": 2, "bidirectional": True,
                                             "batch_first": True},
    "no_bias": {"num_layers": 2, "bias": False},
}
INPUT, HIDDEN, LENGTH, BATCH = 3, 4, 5, 2


def pair(torch, kind: str, **kwargs):
    """A float64 torch layer and a minigrad layer holding the same weights."""
    cls, extra = KINDS[kind]
    reference = getattr(torch.nn, cls.__name__)(INPUT, HIDDEN, **extra, **kwargs).double()
    layer = cls(INPUT, HIDDEN, **extra, **kwargs, dtype=mg.float64)
    assert layer.load_state_dict(from_torch(reference.state_dict())) == ([], [])
    return reference, layer


def leaves(torch, *arrays):
    return ([torch.tensor(a, requires_grad=True) for a in arrays],
            [mg.tensor(a, requires_grad=True) for a in arrays])


def states_of(out):
    """The final state as a list of tensors: [h_n] or [h_n, c_n]."""
    return list(out[1]) if isinstance(out[1], tuple) else [out[1]]


def assert_same_run(torch, reference, layer, x: np.ndarray, hx: list[np.ndarray] | None,
                    ) -> None:
    """Forward and backward of both layers on x (and initial state hx) give the same output,
    final state and gradients of every parameter, of x and of hx."""
    (tx, *thx), (mx, *mhx) = leaves(torch, x, *(hx or []))
    lstm = isinstance(layer, nn.LSTM)
    t_out = reference(tx, (tuple(thx) if lstm else thx[0]) if hx else None)
    m_out = layer(mx, (tuple(mhx) if lstm else mhx[0]) if hx else None)
    t_all, m_all = [t_out[0], *states_of(t_out)], [m_out[0], *states_of(m_out)]
    for t, m in zip(t_all, m_all, strict=True):
        assert tuple(m.shape) == tuple(t.shape)
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), atol=1e-12)
    # a loss that weighs every output and final-state element differently
    weights = [np.cos(np.arange(t.numel()).reshape(t.shape)) for t in t_all]
    sum(torch.sum(t * torch.tensor(w)) for t, w in zip(t_all, weights)).backward()
    sum((m * w).sum() for m, w in zip(m_all, weights)).backward()
    named = dict(reference.named_parameters())
    assert [n for n, _ in layer.named_parameters()] == list(named)
    for name, p in layer.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), named[name].grad.numpy(), atol=1e-11,
                                   err_msg=name)
    for t, m in zip([tx, *thx], [mx, *mhx], strict=True):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), atol=1e-11)


# *** multi-layer layers against PyTorch ***
@pytest.mark.parametrize("given_state", [False, True])
@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("kind", KINDS)
def test_layer_matches_torch(torch, kind: str, config: str, given_state: bool) -> None:
    kwargs = CONFIGS[config]
    reference, layer = pair(torch, kind, **kwargs)
    rng = np.random.default_rng(0)
    shape = (BATCH, LENGTH, INPUT) if kwargs.get("batch_first") else (LENGTH, BATCH, INPUT)
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    hx = ([rng.normal(size=(layers, BATCH, HIDDEN)) for _ in range(2 if kind == "lstm" else 1)]
          if given_state else None)
    assert_same_run(torch, reference, layer, rng.normal(size=shape), hx)


@pytest.mark.parametrize("given_state", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_unbatched_input_matches_torch(torch, kind: str, given_state: bool) -> None:
    reference, layer = pair(torch, kind, num_layers=2, bidirectional=True, batch_first=True)
    rng = np.random.default_rng(2)
    hx = ([rng.normal(size=(4, HIDDEN)) for _ in range(2 if kind == "lstm" else 1)]
          if given_state else None)
    assert_same_run(torch, reference, layer, rng.normal(size=(LENGTH, INPUT)), hx)


@pytest.mark.parametrize("given_state", [False, True])
@pytest.mark.parametrize("config", ["plain", "two_layers_bidirectional_batch_first", "no_bias"])
def test_lstm_with_projections_matches_torch(torch, config: str, given_state: bool) -> None:
    """proj_size: h is projected to proj_size features (weight_hr), c keeps hidden_size."""
    kwargs = {**CONFIGS[config], "proj_size": 2}
    reference, layer = pair(torch, "lstm", **kwargs)
    assert repr(layer) == repr(reference)
    rng = np.random.default_rng(1)
    shape = (BATCH, LENGTH, INPUT) if kwargs.get("batch_first") else (LENGTH, BATCH, INPUT)
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    hx = ([rng.normal(size=(layers, BATCH, 2)), rng.normal(size=(layers, BATCH, HIDDEN))]
          if given_state else None)
    assert_same_run(torch, reference, layer, rng.normal(size=shape), hx)


@pytest.mark.parametrize("kind", KINDS)
def test_parameter_names_shapes_and_repr_match_torch(torch, kind: str) -> None:
    cls, extra = KINDS[kind]
    for kwargs in CONFIGS.values():
        reference = getattr(torch.nn, cls.__name__)(INPUT, HIDDEN, **extra, **kwargs)
        layer = cls(INPUT, HIDDEN, **extra, **kwargs)
        assert [(n, tuple(p.shape)) for n, p in layer.named_parameters()] == [
            (n, tuple(p.shape)) for n, p in reference.named_parameters()]
        assert list(layer.state_dict()) == list(reference.state_dict())
        assert repr(layer) == repr(reference)
        assert [[tuple(p.shape) for p in ws] for ws in layer.all_weights] == [
            [tuple(p.shape) for p in ws] for ws in reference.all_weights]


def test_float32_layer_loads_numpy_arrays_and_matches_torch(torch) -> None:
    reference = torch.nn.LSTM(INPUT, HIDDEN, num_layers=2)
    layer = nn.LSTM(INPUT, HIDDEN, num_layers=2)
    layer.load_state_dict({k: v.numpy() for k, v in reference.state_dict().items()})
    x = np.random.default_rng(3).normal(size=(LENGTH, BATCH, INPUT)).astype(np.float32)
    out, (h, c) = layer(mg.tensor(x))
    t_out, (t_h, t_c) = reference(torch.tensor(x))
    assert out.dtype == mg.float32 and h.dtype == mg.float32
    for m, t in [(out, t_out), (h, t_h), (c, t_c)]:
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), atol=1e-6)


def test_init_is_uniform_within_one_over_sqrt_hidden() -> None:
    mg.manual_seed(0)
    hidden = 16
    values = np.concatenate([p.detach().numpy().ravel()
                             for p in nn.GRU(8, hidden, num_layers=2).parameters()])
    bound = 1 / math.sqrt(hidden)
    assert np.abs(values).max() <= bound
    assert np.abs(values).max() > 0.95 * bound
    assert abs(values.mean()) < 0.02
    np.testing.assert_allclose(values.var(), bound**2 / 3, rtol=0.1)  # var of U(-a, a) is a^2/3


def test_dropout_acts_between_layers_in_training_only(torch) -> None:
    reference, layer = pair(torch, "lstm", num_layers=2, dropout=1.0)
    x = mg.tensor(np.random.default_rng(4).normal(size=(LENGTH, BATCH, INPUT)))
    # dropout 1 zeroes the second layer's input, so the output no longer depends on x
    np.testing.assert_allclose(layer(x)[0].detach().numpy(),
                               layer(mg.zeros_like(x))[0].detach().numpy())
    layer.eval()
    reference.eval()
    np.testing.assert_allclose(layer(x)[0].detach().numpy(),
                               reference(torch.tensor(x.numpy()))[0].detach().numpy(),
                               atol=1e-12)


def test_dropout_with_one_layer_warns_as_in_torch() -> None:
    with pytest.warns(UserWarning, match="num_layers=1"):
        nn.GRU(2, 3, dropout=0.5)


# *** cells against PyTorch ***
CELL_KINDS = {"rnn_tanh": (nn.RNNCell, {}), "rnn_relu": (nn.RNNCell, {"nonlinearity": "relu"}),
              "lstm": (nn.LSTMCell, {}), "gru": (nn.GRUCell, {})}


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("given_state", [False, True])
@pytest.mark.parametrize("kind", CELL_KINDS)
def test_cell_matches_torch(torch, kind: str, given_state: bool, batched: bool,
                            bias: bool) -> None:
    cls, extra = CELL_KINDS[kind]
    reference = getattr(torch.nn, cls.__name__)(INPUT, HIDDEN, bias=bias, **extra).double()
    cell = cls(INPUT, HIDDEN, bias=bias, **extra, dtype=mg.float64)
    cell.load_state_dict(from_torch(reference.state_dict()))
    assert [n for n, _ in cell.named_parameters()] == [
        n for n, _ in reference.named_parameters()]
    assert repr(cell) == repr(reference)
    rng = np.random.default_rng(5)
    lead = (BATCH,) if batched else ()
    arrays = [rng.normal(size=lead + (INPUT,))]
    if given_state:
        arrays += [rng.normal(size=lead + (HIDDEN,)) for _ in range(2 if kind == "lstm" else 1)]
    (tx, *ths), (mx, *mhs) = leaves(torch, *arrays)
    lstm = kind == "lstm"
    t_out = reference(tx, (tuple(ths) if lstm else ths[0]) if given_state else None)
    m_out = cell(mx, (tuple(mhs) if lstm else mhs[0]) if given_state else None)
    t_out, m_out = (list(t_out), list(m_out)) if lstm else ([t_out], [m_out])
    for t, m in zip(t_out, m_out, strict=True):
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), atol=1e-12)
    weights = [np.sin(np.arange(t.numel()) + 1.0).reshape(t.shape) for t in t_out]
    sum(torch.sum(t * torch.tensor(w)) for t, w in zip(t_out, weights)).backward()
    sum((m * w).sum() for m, w in zip(m_out, weights)).backward()
    for (name, p), q in zip(cell.named_parameters(), reference.parameters(), strict=True):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=1e-12, err_msg=name)
    for t, m in zip([tx, *ths], [mx, *mhs], strict=True):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), atol=1e-12)


# *** numeric gradients, first and second order ***
@pytest.mark.parametrize("cell", [rnn_tanh_cell, rnn_relu_cell, gru_cell, lstm_cell])
def test_cell_function_gradients_are_numerically_right(cell) -> None:
    rng = np.random.default_rng(6)
    gates = {lstm_cell: 4, gru_cell: 3}.get(cell, 1)
    x, h, c = (rng.normal(size=(2, n)) for n in (3, 2, 2))
    shapes = [(gates * 2, 3), (gates * 2, 2), (gates * 2,), (gates * 2,)]
    weights = [rng.normal(size=s) * 0.7 for s in shapes]
    inputs = tuple(mg.tensor(a, requires_grad=True) for a in (x, h, c, *weights))

    def step(x, h, c, *weights):
        out = cell(x, (h, c) if cell is lstm_cell else h, *weights)
        return out if cell is lstm_cell else (out, c * 0)

    assert gradcheck(step, inputs)
    assert gradgradcheck(step, inputs)


def test_layer_gradients_are_numerically_right() -> None:
    class Flat(nn.Module):
        """The LSTM's output, h_n and c_n as a flat tuple, as gradcheck wants."""

        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(2, 2, num_layers=2, bidirectional=True, dtype=mg.float64)

        def forward(self, x: mg.Tensor) -> tuple[mg.Tensor, ...]:
            out, (h, c) = self.lstm(x)
            return out, h, c

    mg.manual_seed(0)
    x = mg.tensor(np.random.default_rng(7).normal(size=(3, 1, 2)), requires_grad=True)
    assert mg.testing.gradcheck_module(Flat(), (x,))


# *** errors ***
def test_bad_input_shapes_name_the_expected_size() -> None:
    lstm = nn.LSTM(10, 20, num_layers=2)
    with pytest.raises(ValueError, match="expected input to be 2-D or 3-D, got 4-D"):
        lstm(mg.zeros(4, 3, 2, 10))
    with pytest.raises(ValueError, match="input_size: expected 10, got 5"):
        lstm(mg.zeros(4, 3, 5))
    with pytest.raises(ValueError, match=r"expected h_0 of shape \(2, 3, 20\), got \(1, 3, 20\)"):
        lstm(mg.zeros(4, 3, 10), (mg.zeros(1, 3, 20), mg.zeros(2, 3, 20)))
    with pytest.raises(ValueError, match=r"expected c_0 of shape \(2, 3, 20\), got \(2, 2, 20\)"):
        lstm(mg.zeros(4, 3, 10), (mg.zeros(2, 3, 20), mg.zeros(2, 2, 20)))
    with pytest.raises(ValueError, match="unbatched 2-D input, h_0 should also be 2-D"):
        lstm(mg.zeros(4, 10), (mg.zeros(2, 1, 20), mg.zeros(2, 1, 20)))
    with pytest.raises(ValueError, match="sequence length to be larger than 0"):
        lstm(mg.zeros(0, 3, 10))
    with pytest.raises(TypeError, match=r"hx must be a tuple \(h_0, c_0\), got Tensor"):
        lstm(mg.zeros(4, 3, 10), mg.zeros(2, 3, 20))
    gru = nn.GRU(10, 20)
    with pytest.raises(ValueError, match=r"expected hx of shape \(1, 3, 20\), got \(1, 2, 20\)"):
        gru(mg.zeros(4, 3, 10), mg.zeros(1, 2, 20))
    with pytest.raises(ValueError, match="input dtype float64 does not match"):
        gru(mg.zeros(4, 3, 10, dtype=mg.float64))
    cell = nn.LSTMCell(10, 20)
    with pytest.raises(ValueError, match="expected input to be 1-D or 2-D, got 3-D"):
        cell(mg.zeros(3, 2, 10))
    with pytest.raises(ValueError, match="input_size: expected 10, got 5"):
        cell(mg.zeros(3, 5))
    with pytest.raises(ValueError, match=r"expected h_0 of shape \(3, 20\), got \(3, 21\)"):
        cell(mg.zeros(3, 10), (mg.zeros(3, 21), mg.zeros(3, 20)))
    with pytest.raises(ValueError, match=r"expected hx of shape \(20,\), got \(1, 20\)"):
        nn.GRUCell(10, 20)(mg.zeros(10), mg.zeros(1, 20))


def test_nothing_but_a_tensor_is_accepted_as_input() -> None:
    with pytest.raises(TypeError, match="input must be a Tensor or a PackedSequence, got list"):
        nn.RNN(2, 3)([[1.0, 2.0]])
    with pytest.raises(TypeError, match="input must be a Tensor, got ndarray"):
        nn.GRUCell(2, 3)(np.zeros((1, 2), np.float32))


def test_bad_constructor_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown nonlinearity 'sigmoid'"):
        nn.RNN(10, 20, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="unknown nonlinearity 'x'"):
        nn.RNNCell(10, 20, nonlinearity="x")
    with pytest.raises(ValueError, match="hidden_size must be greater than zero, got 0"):
        nn.LSTM(10, 0)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero, got -2"):
        nn.RNN(10, -2)
    with pytest.raises(ValueError, match="num_layers must be greater than zero, got 0"):
        nn.GRU(10, 20, num_layers=0)
    with pytest.raises(TypeError, match="num_layers must be an int, got 2.0"):
        nn.GRU(10, 20, num_layers=2.0)
    with pytest.raises(ValueError, match="dropout must be a number in"):
        nn.RNN(10, 20, dropout=1.5)
    with pytest.raises(ValueError, match=r"proj_size \(20\) has to be smaller than "
                                         r"hidden_size \(20\)"):
        nn.LSTM(10, 20, proj_size=20)
    with pytest.raises(ValueError, match="proj_size should be a positive integer or zero"):
        nn.LSTM(10, 20, proj_size=-1)
    with pytest.raises(TypeError):
        nn.GRU(10, 20, proj_size=5)


def test_empty_batch_gives_empty_outputs() -> None:
    out, (h, c) = nn.LSTM(3, 4, num_layers=2)(mg.zeros(5, 0, 3))
    assert out.shape == (5, 0, 4) and h.shape == (2, 0, 4) and c.shape == (2, 0, 4)


# *** training ***
def test_lstm_learns_to_sum_a_sequence() -> None:
    """An LSTM with a linear read-out learns y = sum of the inputs of a sequence."""
    mg.manual_seed(0)
    rng = np.random.default_rng(0)
    lstm, head = nn.LSTM(1, 16, batch_first=True), nn.Linear(16, 1)
    params = list(lstm.parameters()) + list(head.parameters())
    optimizer = mg.optim.Adam(params, lr=0.01)
    losses = []
    for _ in range(150):
        x = rng.uniform(-1, 1, size=(32, 6, 1)).astype(np.float32)
        out, (h, _) = lstm(mg.tensor(x))
        prediction = head(h[-1])
        loss = nn.functional.mse_loss(prediction, mg.tensor(x.sum(axis=1)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    # the sum of 6 U(-1, 1) has variance 2: predicting 0 costs ~2
    assert np.mean(losses[:10]) > 1.0
    assert np.mean(losses[-10:]) < 0.1


# *** sequences of different lengths (nn.utils.rnn) ***
def test_packed_sequence_through_a_layer_matches_torch(torch) -> None:
    """Each sequence runs for its own length in both directions; the final state is taken after
    its last step; hx and h_n are in the batch's order. Gradients reach x, hx and weights."""
    from torch.nn.utils import rnn as torch_rnn

    rng = np.random.default_rng(8)
    lengths = [3, 5, 1, 5, 2]
    for kind in KINDS:
        reference, layer = pair(torch, kind, num_layers=2, bidirectional=True, batch_first=True)
        hx = [rng.normal(size=(4, 5, HIDDEN)) for _ in range(2 if kind == "lstm" else 1)]
        (tx, *thx), (mx, *mhx) = leaves(torch, rng.normal(size=(5, 5, INPUT)), *hx)
        results = []
        for lib, rnn_utils, x, states in [(torch, torch_rnn, tx, thx),
                                          (mg, nn.utils.rnn, mx, mhx)]:
            model = reference if lib is torch else layer
            packed = rnn_utils.pack_padded_sequence(x, lengths, batch_first=True,
                                                    enforce_sorted=False)
            out, h_n = model(packed, tuple(states) if kind == "lstm" else states[0])
            padded, out_lengths = rnn_utils.pad_packed_sequence(out, batch_first=True,
                                                                padding_value=-1.0)
            assert out_lengths.tolist() == lengths
            finals = list(h_n) if kind == "lstm" else [h_n]
            loss = sum((f**2).sum() for f in finals) + (padded * padded.cos()).sum()
            loss.backward()
            results.append([out.data, padded, *finals])
        for t, m in zip(*results, strict=True):
            np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), atol=1e-12)
        for t, m in [*zip([tx, *thx], [mx, *mhx]), *zip(reference.parameters(),
                                                          layer.parameters())]:
            np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), atol=1e-11)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths", [[4, 4, 2, 1], [2, 4, 1, 4]])
def test_pack_and_pad_match_torch(torch, lengths: list[int], batch_first: bool) -> None:
    from torch.nn.utils import rnn as torch_rnn

    x = np.arange(4 * 4 * 2, dtype=np.float64).reshape(4, 4, 2)
    enforce = lengths == sorted(lengths, reverse=True)
    ours = nn.utils.rnn.pack_padded_sequence(mg.tensor(x), mg.tensor(lengths), batch_first,
                                             enforce_sorted=enforce)
    theirs = torch_rnn.pack_padded_sequence(torch.tensor(x), torch.tensor(lengths), batch_first,
                                            enforce_sorted=enforce)
    for m, t in zip(ours, theirs, strict=True):
        assert (m is None) == (t is None)
        if m is not None:
            np.testing.assert_array_equal(m.numpy(), t.numpy())
            assert m.dtype == mg.from_numpy(t.numpy()).dtype
    padded, out_lengths = nn.utils.rnn.pad_packed_sequence(ours, batch_first, 7.0, 6)
    t_padded, t_lengths = torch_rnn.pad_packed_sequence(theirs, batch_first, 7.0, 6)
    np.testing.assert_array_equal(padded.numpy(), t_padded.numpy())
    assert out_lengths.tolist() == t_lengths.tolist() == lengths
    assert [s.tolist() for s in nn.utils.rnn.unpack_sequence(ours)] == [
        s.tolist() for s in torch_rnn.unpack_sequence(theirs)]


@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pad_sequence_matches_torch(torch, batch_first: bool, padding_side: str) -> None:
    from torch.nn.utils import rnn as torch_rnn

    arrays = [np.full((n, 2), n, np.float32) for n in (2, 4, 3)]
    ours = nn.utils.rnn.pad_sequence([mg.tensor(a) for a in arrays], batch_first, -1.0,
                                     padding_side)
    theirs = torch_rnn.pad_sequence([torch.tensor(a) for a in arrays], batch_first, -1.0,
                                    padding_side)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    packed = nn.utils.rnn.pack_sequence([mg.tensor(a) for a in arrays], enforce_sorted=False)
    t_packed = torch_rnn.pack_sequence([torch.tensor(a) for a in arrays], enforce_sorted=False)
    np.testing.assert_array_equal(packed.data.numpy(), t_packed.data.numpy())
    back = nn.utils.rnn.unpad_sequence(ours, mg.tensor([2, 4, 3]), batch_first)
    if padding_side == "right":
        assert [s.tolist() for s in back] == [a.tolist() for a in arrays]


@settings(max_examples=10)
@given(lengths=st.lists(st.integers(1, 4), min_size=1, max_size=4), kind=st.sampled_from(
    ["lstm", "gru", "rnn_tanh"]), seed=st.integers(0, 2**16))
def test_packed_batch_runs_each_sequence_as_if_alone(lengths: list[int], kind: str,
                                                     seed: int) -> None:
    """Packing changes nothing about one sequence: its outputs and final state in a packed
    batch equal those of the sequence run on its own, unbatched."""
    mg.manual_seed(seed)
    cls, extra = KINDS[kind]
    layer = cls(2, 3, num_layers=2, bidirectional=True, **extra, dtype=mg.float64)
    sequences = [mg.tensor(np.random.default_rng(seed + i).normal(size=(n, 2)))
                 for i, n in enumerate(lengths)]
    with mg.no_grad():
        out, final = layer(nn.utils.rnn.pack_sequence(sequences, enforce_sorted=False))
        outputs = nn.utils.rnn.unpack_sequence(out)
        alone = [layer(sequence) for sequence in sequences]
    for b, (alone_out, alone_final) in enumerate(alone):
        np.testing.assert_allclose(outputs[b].numpy(), alone_out.numpy(), atol=1e-12)
        finals = zip(final, alone_final) if kind == "lstm" else [(final, alone_final)]
        for batch_state, state in finals:
            np.testing.assert_allclose(batch_state[:, b].numpy(), state.numpy(), atol=1e-12)


def test_packing_gradients_are_numerically_right() -> None:
    x = mg.tensor(np.random.default_rng(9).normal(size=(3, 2, 2)), requires_grad=True)

    def round_trip(x):
        packed = nn.utils.rnn.pack_padded_sequence(x, [2, 3], enforce_sorted=False)
        return nn.utils.rnn.pad_packed_sequence(packed, padding_value=0.5)[0] * 2

    assert gradcheck(round_trip, (x,))


def test_bad_lengths_and_sequences_are_refused() -> None:
    utils, x = nn.utils.rnn, mg.zeros(4, 3, 2)
    with pytest.raises(ValueError, match=r"lengths \[2, 4, 2\] must be sorted in decreasing"):
        utils.pack_padded_sequence(x, [2, 4, 2])
    with pytest.raises(ValueError, match=r"every length must be greater than 0, got \[2, 0, 2\]"):
        utils.pack_padded_sequence(x, [2, 0, 2], enforce_sorted=False)
    with pytest.raises(ValueError, match=r"lengths \[5, 4, 2\] exceed the padded length 4"):
        utils.pack_padded_sequence(x, [5, 4, 2])
    with pytest.raises(ValueError, match="equal to the batch size 3, got 2"):
        utils.pack_padded_sequence(x, [2, 2])
    with pytest.raises(ValueError, match="the batch is empty"):
        utils.pack_padded_sequence(mg.zeros(4, 0, 2), [])
    with pytest.raises(TypeError, match="whole numbers"):
        utils.pack_padded_sequence(x, [2.5, 2, 2])
    packed = utils.pack_padded_sequence(x, [3, 2, 2])
    with pytest.raises(ValueError, match=r"at least the length of the longest sequence \(3\), "
                                         "got 2"):
        utils.pad_packed_sequence(packed, total_length=2)
    with pytest.raises(ValueError, match=r"sequence 1 has shape \(3, 2\), expected \(\*, 3\)"):
        utils.pad_sequence([mg.zeros(2, 3), mg.zeros(3, 2)])
    with pytest.raises(ValueError, match=r"expected hx of shape \(1, 3, 5\), got \(1, 2, 5\)"):
        nn.GRU(2, 5)(packed, mg.zeros(1, 2, 5))
    with pytest.raises(ValueError, match="input_size: expected 4, got 2"):
        nn.GRU(4, 5)(packed)


def test_sequence_utilities_import_as_in_torch() -> None:
    from minigrad.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_sequence

    assert nn.utils.rnn.pad_sequence is pad_sequence
    packed = pack_padded_sequence(mg.ones(2, 1, 1), [2])
    assert isinstance(packed, PackedSequence) and packed.batch_sizes.tolist() == [1, 1]
    assert packed.sorted_indices is None and packed.unsorted_indices is None
    data, batch_sizes, _, _ = packed
    assert PackedSequence(data, batch_sizes, mg.tensor([0])).unsorted_indices.tolist() == [0]
