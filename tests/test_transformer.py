"""nn.MultiheadAttention and the Transformer stacks against PyTorch (float64): torch's weights
loaded, outputs and every parameter's and input's gradient compared, with masks of both kinds,
both layouts, train mode (dropout 0) and eval mode; plus gradcheck, init and bad arguments."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import functional as F
from minigrad.testing import gradcheck_module, gradgradcheck
from tests.helpers import check_module, module_pair

RNG = np.random.default_rng(0)
# torch warns when a bool padding mask meets a float attn_mask (it still supports the mix)
pytestmark = pytest.mark.filterwarnings("ignore:Support for mismatched")


def _causal(length: int, source: int | None = None) -> np.ndarray:
    """PyTorch's convention: True where attention is NOT allowed (key j > query i)."""
    return ~np.tri(length, source or length, dtype=bool)


# *** MultiheadAttention ***
N, L, S, E, H = 2, 3, 4, 6, 2


def _seq(length: int, dim: int, batch_first: bool, batch: int = N) -> np.ndarray:
    shape = (batch, length, dim) if batch_first else (length, batch, dim)
    return RNG.standard_normal(shape)


MASKS = {
    "none": {},
    "bool_2d": {"attn_mask": np.array([[0, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 0]], bool)},
    "float_3d": {"attn_mask": RNG.standard_normal((N * H, L, S))},
    "padding_bool": {"key_padding_mask": np.array([[0, 0, 0, 1], [0, 1, 0, 0]], bool)},
    "padding_float": {"key_padding_mask": RNG.standard_normal((N, S))},
    "both": {"attn_mask": np.array([[0, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 0]], bool),
             "key_padding_mask": np.array([[0, 0, 0, 1], [1, 0, 0, 0]], bool)},
}


@pytest.mark.parametrize("mask", sorted(MASKS))
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
def test_mha_matches_torch(torch: Any, mask: str, batch_first: bool, need_weights: bool,
                           average: bool) -> None:
    theirs, ours = module_pair(torch, "MultiheadAttention", E, H, batch_first=batch_first)
    q, k, v = _seq(L, E, batch_first), _seq(S, E, batch_first), _seq(S, E, batch_first)
    kwargs = dict(MASKS[mask], need_weights=need_weights, average_attn_weights=average)
    check_module(torch, theirs, ours, [q, k, v], kwargs, index=0)


@pytest.mark.parametrize("options", [
    {"bias": False}, {"kdim": 3, "vdim": 5}, {"add_bias_kv": True}, {"add_zero_attn": True},
    {"add_bias_kv": True, "add_zero_attn": True, "kdim": 4},
])
def test_mha_options_match_torch(torch: Any, options: dict) -> None:
    theirs, ours = module_pair(torch, "MultiheadAttention", E, H, batch_first=True, **options)
    q = _seq(L, E, True)
    k, v = _seq(S, options.get("kdim", E), True), _seq(S, options.get("vdim", E), True)
    masks = MASKS["both"]
    check_module(torch, theirs, ours, [q, k, v], masks, index=0)
    check_module(torch, theirs, ours, [q, k, v], dict(masks, need_weights=False), index=0)


def test_mha_unbatched_matches_torch(torch: Any) -> None:
    theirs, ours = module_pair(torch, "MultiheadAttention", E, H)
    q, k = RNG.standard_normal((L, E)), RNG.standard_normal((S, E))
    masks = {"attn_mask": RNG.standard_normal((H, L, S)),
             "key_padding_mask": np.array([0, -np.inf, 0, 0])}
    check_module(torch, theirs, ours, [q, k, k], dict(masks, average_attn_weights=False),
                 index=0)
    check_module(torch, theirs, ours, [q, k, k], dict(masks, need_weights=False), index=0)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_self_attention_causal_matches_torch(torch: Any, need_weights: bool) -> None:
    theirs, ours = module_pair(torch, "MultiheadAttention", E, H, batch_first=True)
    x = _seq(L, E, True)
    kwargs = {"attn_mask": _causal(L), "is_causal": True, "need_weights": need_weights}
    check_module(torch, theirs, ours, [x, x, x], kwargs, index=0)


def test_mha_eval_matches_torch_fast_path(torch: Any) -> None:
    """In eval mode without grad PyTorch takes its fused inference path: same numbers."""
    theirs, ours = module_pair(torch, "MultiheadAttention", E, H, dropout=0.5, batch_first=True)
    theirs.eval(), ours.eval()
    x = _seq(L, E, True)
    padding = np.array([[0, 0, 1], [0, 1, 0]], bool)
    with torch.no_grad():
        want, _ = theirs(*[torch.tensor(x)] * 3, key_padding_mask=torch.tensor(padding))
    with mg.no_grad():
        got, _ = ours(*[mg.tensor(x)] * 3, key_padding_mask=padding)
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-10)
    check_module(torch, theirs, ours, [x, x, x], {"key_padding_mask": padding}, index=0)


def test_mha_dropout_only_in_training() -> None:
    mha = nn.MultiheadAttention(E, H, dropout=0.5, batch_first=True, dtype=mg.float64)
    x = mg.tensor(_seq(L, E, True))
    mg.manual_seed(1)
    _, weights = mha(x, x, x, average_attn_weights=False)
    assert (weights.detach().numpy() == 0).any()  # dropped weights are returned as PyTorch
    mha.eval()
    a, b = mha(x, x, x)[0], mha(x, x, x)[0]
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_mha_fully_masked_query_as_torch(torch: Any) -> None:
    """A batch whose keys are all padding: nan with need_weights (softmax of -inf), the output
    projection's bias without (PyTorch's fused attention gives 0 attention), as in PyTorch."""
    theirs, ours = module_pair(torch, "MultiheadAttention", E, H, batch_first=True)
    with torch.no_grad():
        theirs.out_proj.bias.fill_(0.5)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = _seq(L, E, True)
    padding = np.array([[0, 0, 0], [1, 1, 1]], bool)
    for need_weights in (True, False):
        want = theirs(*[torch.tensor(x)] * 3, key_padding_mask=torch.tensor(padding),
                      need_weights=need_weights)[0].detach().numpy()
        got = ours(*[mg.tensor(x)] * 3, key_padding_mask=padding,
                   need_weights=need_weights)[0].detach().numpy()
        np.testing.assert_allclose(got, want, atol=1e-10)


def test_mha_gradcheck() -> None:
    mha = nn.MultiheadAttention(4, 2, batch_first=True, dtype=mg.float64)
    q = mg.tensor(RNG.standard_normal((1, 2, 4)), requires_grad=True)
    kv = mg.tensor(RNG.standard_normal((1, 3, 4)), requires_grad=True)
    mask = np.array([[0, 0, 1], [0, 1, 0]], bool)

    class First(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.mha = mha

        def forward(self, q: mg.Tensor, kv: mg.Tensor) -> mg.Tensor:
            return self.mha(q, kv, kv, attn_mask=mask)[0]

    assert gradcheck_module(First(), (q, kv))


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_gradgradcheck(need_weights: bool) -> None:
    """Second derivatives (a gradient penalty, say) flow through attention too."""
    mha = nn.MultiheadAttention(4, 2, batch_first=True, dtype=mg.float64)
    q = mg.tensor(RNG.standard_normal((1, 2, 4)), requires_grad=True)
    kv = mg.tensor(RNG.standard_normal((1, 3, 4)), requires_grad=True)
    padding = np.array([[0, 0, 1]], bool)
    assert gradgradcheck(lambda q, kv: mha(q, kv, kv, key_padding_mask=padding,
                                           need_weights=need_weights)[0], (q, kv))


def test_mha_init_as_torch() -> None:
    mha = nn.MultiheadAttention(8, 2, add_bias_kv=True)
    w = mha.in_proj_weight.detach().numpy()
    bound = np.sqrt(6 / (8 + 24))  # xavier_uniform_ of (3E, E)
    assert w.shape == (24, 8) and np.abs(w).max() <= bound and np.abs(w).max() > bound / 2
    assert not mha.in_proj_bias.detach().numpy().any()
    assert not mha.out_proj.bias.detach().numpy().any()
    assert np.abs(mha.out_proj.weight.detach().numpy()).max() <= 1 / np.sqrt(8)
    assert mha.bias_k.shape == (1, 1, 8) and mha.in_proj_weight.dtype == np.float32
    assert mha.head_dim == 4 and mha.q_proj_weight is None


@pytest.mark.parametrize("args,kwargs,message", [
    ((6, 4), {}, r"embed_dim \(6\) must be divisible by num_heads \(4\)"),
    ((0, 1), {}, "embed_dim=0"),
    ((4, 2), {"dropout": 1.5}, "dropout must be in"),
])
def test_mha_bad_arguments(args: tuple, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nn.MultiheadAttention(*args, **kwargs)


@pytest.mark.parametrize("kwargs,error,message", [
    ({"attn_mask": np.zeros((3, 3), bool)}, ValueError,
     r"attn_mask of shape \(3, 3\) must be \(3, 4\) or \(4, 3, 4\)"),
    ({"attn_mask": np.zeros((3, 3, 4), bool)}, ValueError, r"attn_mask of shape \(3, 3, 4\)"),
    ({"key_padding_mask": np.zeros((2, 3), bool)}, ValueError,
     r"key_padding_mask of shape \(2, 3\) does not fit 2 batches of 4 keys"),
    ({"attn_mask": np.zeros((3, 4), np.int64)}, TypeError, "attn_mask must be bool or floating"),
    ({"is_causal": True}, RuntimeError, "is_causal=True needs attn_mask"),
])
def test_mha_bad_masks(kwargs: dict, error: type, message: str) -> None:
    mha = nn.MultiheadAttention(4, 2, batch_first=True)
    q, kv = mg.randn(2, 3, 4), mg.randn(2, 4, 4)
    with pytest.raises(error, match=message):
        mha(q, kv, kv, **kwargs)


def test_mha_bad_inputs() -> None:
    mha = nn.MultiheadAttention(4, 2, batch_first=True)
    with pytest.raises(ValueError, match=r"\(embed_dim, kdim, vdim\) = \(4, 4, 4\)"):
        mha(mg.randn(2, 3, 5), mg.randn(2, 3, 5), mg.randn(2, 3, 5))
    with pytest.raises(ValueError, match="all be 3-D"):
        mha(mg.randn(2, 3, 4), mg.randn(3, 4), mg.randn(3, 4))
    with pytest.raises(ValueError, match="query has batch size 2 and key 1"):
        mha(mg.randn(2, 3, 4), mg.randn(1, 3, 4), mg.randn(1, 3, 4))
    with pytest.raises(ValueError, match="key and value must have the same shape"):
        mha(mg.randn(2, 3, 4), mg.randn(2, 3, 4), mg.randn(2, 2, 4))


# *** encoder and decoder ***
D, F_FF = 8, 12


def _activation(torch: Any, name: str) -> tuple[Any, Any]:
    if name == "module":
        return torch.nn.GELU(approximate="tanh"), nn.GELU(approximate="tanh")
    return name, name


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu", "module"])
def test_encoder_layer_matches_torch(torch: Any, norm_first: bool, batch_first: bool,
                                     activation: str) -> None:
    a_theirs, a_ours = _activation(torch, activation)
    torch.manual_seed(0)
    kwargs = {"dim_feedforward": F_FF, "dropout": 0.0, "batch_first": batch_first,
              "norm_first": norm_first, "layer_norm_eps": 1e-6}
    theirs = torch.nn.TransformerEncoderLayer(D, 2, activation=a_theirs, **kwargs).double()
    ours = nn.TransformerEncoderLayer(D, 2, activation=a_ours, **kwargs, dtype=mg.float64)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = _seq(L, D, batch_first)
    masks = {"src_mask": RNG.standard_normal((L, L)),
             "src_key_padding_mask": np.array([[0, 0, 1], [0, 0, 0]], bool)}
    check_module(torch, theirs, ours, [x], masks)
    theirs.eval(), ours.eval()
    check_module(torch, theirs, ours, [x], {"src_mask": _causal(L), "is_causal": True})


def test_encoder_stack_matches_torch(torch: Any) -> None:
    layer_kwargs = {"dim_feedforward": F_FF, "dropout": 0.0, "batch_first": True}
    torch.manual_seed(0)
    t_layer = torch.nn.TransformerEncoderLayer(D, 2, **layer_kwargs)
    theirs = torch.nn.TransformerEncoder(t_layer, 2, norm=torch.nn.LayerNorm(D),
                                         enable_nested_tensor=False).double()
    m_layer = nn.TransformerEncoderLayer(D, 2, **layer_kwargs)
    ours = nn.TransformerEncoder(m_layer, 2, norm=nn.LayerNorm(D)).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = _seq(L, D, True)
    masks = {"mask": _causal(L), "src_key_padding_mask": np.array([[0, 0, 1], [0, 0, 0]], bool)}
    check_module(torch, theirs, ours, [x], masks)
    theirs.eval(), ours.eval()
    with torch.no_grad():
        want = theirs(torch.tensor(x), mask=torch.tensor(_causal(L)))
    with mg.no_grad():
        got = ours(mg.tensor(x), mask=_causal(L))
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-10)


def test_encoder_layers_are_independent_copies() -> None:
    layer = nn.TransformerEncoderLayer(D, 2, dim_feedforward=F_FF)
    encoder = nn.TransformerEncoder(layer, 3)
    weights = [m.linear1.weight for m in encoder.layers]
    assert len({id(w) for w in weights}) == 3 and all(w is not layer.linear1.weight
                                                      for w in weights)
    np.testing.assert_array_equal(weights[0].detach().numpy(), weights[2].detach().numpy())
    assert len(list(encoder.parameters())) == 3 * len(list(layer.parameters()))


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer_matches_torch(torch: Any, norm_first: bool, batch_first: bool) -> None:
    kwargs = {"dim_feedforward": F_FF, "dropout": 0.0, "batch_first": batch_first,
              "norm_first": norm_first}
    theirs, ours = module_pair(torch, "TransformerDecoderLayer", D, 2, **kwargs)
    tgt, memory = _seq(L, D, batch_first), _seq(S, D, batch_first)
    masks = {"tgt_mask": _causal(L), "memory_mask": RNG.standard_normal((L, S)),
             "tgt_key_padding_mask": np.array([[0, 0, 1], [0, 0, 0]], bool),
             "memory_key_padding_mask": np.array([[0, 1, 0, 0], [0, 0, 0, 1]], bool)}
    check_module(torch, theirs, ours, [tgt, memory], masks)
    theirs.eval(), ours.eval()
    check_module(torch, theirs, ours, [tgt, memory],
                 {"tgt_mask": _causal(L), "tgt_is_causal": True})


def test_transformer_matches_torch(torch: Any) -> None:
    theirs, ours = module_pair(torch, "Transformer", D, 2, num_encoder_layers=2,
                         num_decoder_layers=1, dim_feedforward=F_FF, dropout=0.0,
                         batch_first=True)
    src, tgt = _seq(S, D, True), _seq(L, D, True)
    mask = nn.Transformer.generate_square_subsequent_mask(L, dtype=mg.float64)
    np.testing.assert_array_equal(
        mask.numpy(), torch.nn.Transformer.generate_square_subsequent_mask(L).numpy())
    masks = {"tgt_mask": mask.numpy(), "src_key_padding_mask": np.array([[0, 0, 0, 1]] * 2, bool),
             "memory_key_padding_mask": np.array([[0, 0, 0, 1]] * 2, bool)}
    check_module(torch, theirs, ours, [src, tgt], masks)


def test_transformer_init_and_errors() -> None:
    model = nn.Transformer(8, 2, 1, 1, dim_feedforward=16)
    w = model.encoder.layers[0].linear1.weight.detach().numpy()  # Xavier, not Linear's default
    assert np.abs(w).max() <= np.sqrt(6 / (8 + 16)) and np.abs(w).max() > 1 / np.sqrt(8)
    with pytest.raises(RuntimeError, match="batch size of src"):
        model(mg.randn(5, 2, 8), mg.randn(4, 3, 8))
    with pytest.raises(RuntimeError, match="d_model"):
        model(mg.randn(5, 2, 8), mg.randn(4, 2, 6))
    with pytest.raises(RuntimeError, match="activation should be"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(ValueError, match="num_layers"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2), -1)


def test_encoder_layer_gradcheck() -> None:
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0,
                                       activation="gelu", batch_first=True).double()
    x = mg.tensor(RNG.standard_normal((1, 3, 4)), requires_grad=True)
    assert gradcheck_module(layer, (x,))


def test_encoder_layer_deepcopy_and_train_step() -> None:
    """A deep-copied layer trains on its own; a step lowers a simple loss."""
    mg.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
    twin = copy.deepcopy(layer)
    x = mg.randn(4, 5, 8)
    opt = mg.optim.SGD(layer.parameters(), lr=0.1)
    losses = []
    for _ in range(3):
        loss = (layer(x) - x.flip(1)).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert twin.linear1.weight.grad is None
    assert not np.allclose(twin.linear1.weight.detach().numpy(),
                           layer.linear1.weight.detach().numpy())


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True",
                            "ignore:The PyTorch API of nested")
@pytest.mark.parametrize("layer_kwargs", [{}, {"norm_first": True}, {"activation": "gelu"}])
@pytest.mark.parametrize("padding", [[[0, 0, 1], [0, 0, 0]], [[1, 0, 0], [0, 0, 0]]])
def test_encoder_inference_path_as_torch(torch: Any, layer_kwargs: dict,
                                         padding: list) -> None:
    """In evaluation without grad, PyTorch's nested-tensor path gives 0 at padded positions
    (where the padding is at the sequences' ends and the layer suits that path): so here."""
    kwargs = dict(layer_kwargs, dim_feedforward=F_FF, dropout=0.0, batch_first=True)
    torch.manual_seed(0)
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(D, 2, **kwargs), 2,
                                         norm=torch.nn.LayerNorm(D)).double().eval()
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(D, 2, **kwargs), 2,
                                 norm=nn.LayerNorm(D)).double().eval()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x, pad = _seq(L, D, True), np.array(padding, bool)
    with torch.no_grad():
        want = theirs(torch.tensor(x), src_key_padding_mask=torch.tensor(pad)).numpy()
    with mg.no_grad():
        got = ours(mg.tensor(x), src_key_padding_mask=pad).numpy()
    np.testing.assert_allclose(got, want, atol=1e-10)
    check_module(torch, theirs, ours, [x], {"src_key_padding_mask": pad})  # grad: no zeros


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_float_masks_get_gradients_as_torch(torch: Any, need_weights: bool) -> None:
    """A float attn_mask or key_padding_mask that requires grad is differentiated through."""
    theirs, ours = module_pair(torch, "MultiheadAttention", 4, 2, batch_first=True)
    x, attn, padding = _seq(L, 4, True), RNG.standard_normal((L, L)), RNG.standard_normal((N, L))
    t_masks = [torch.tensor(a, requires_grad=True) for a in (attn, padding)]
    m_masks = [mg.tensor(a, requires_grad=True) for a in (attn, padding)]
    theirs(*[torch.tensor(x)] * 3, attn_mask=t_masks[0], key_padding_mask=t_masks[1],
           need_weights=need_weights)[0].square().sum().backward()
    ours(*[mg.tensor(x)] * 3, attn_mask=m_masks[0], key_padding_mask=m_masks[1],
         need_weights=need_weights)[0].square().sum().backward()
    for a, b in zip(t_masks, m_masks):
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("static", [False, True])
def test_functional_mha_separate_weights_as_torch(torch: Any, static: bool) -> None:
    """F.multi_head_attention_forward as CLIP's attention pooling calls it: separate q, k, v
    projections (kdim 3, vdim 5), one concatenated bias; optionally static keys and values."""
    tf = torch.nn.functional
    arrays = {"query": (L, N, E), "key": (S, N, 3), "value": (S, N, 5), "q_proj_weight": (E, E),
              "k_proj_weight": (E, 3), "v_proj_weight": (E, 5), "in_proj_bias": (3 * E,),
              "out_proj_weight": (E, E), "out_proj_bias": (E,)}
    if static:
        arrays.update(static_k=(N * H, S + 1, E // H), static_v=(N * H, S + 1, E // H))
    values = {k: RNG.standard_normal(shape) for k, shape in arrays.items()}
    theirs = {k: torch.tensor(v, requires_grad=True) for k, v in values.items()}
    ours = {k: mg.tensor(v, requires_grad=True) for k, v in values.items()}
    padding = np.array([[0, 0, 1, 0, 0], [0, 0, 0, 0, 1]], bool)[:, :S + static]
    results = []
    for lib, f, t in ((torch, tf, theirs), (mg, F, ours)):
        args = {k: t[k] for k in arrays if k not in ("query", "key", "value")}
        out, weights = f.multi_head_attention_forward(
            t["query"], t["key"], t["value"], E, H, None, bias_k=None, bias_v=None,
            add_zero_attn=False, dropout_p=0.0, training=True, use_separate_proj_weight=True,
            key_padding_mask=lib.tensor(padding), average_attn_weights=False, **args)
        (out.square().sum() + weights.sum()).backward()
        results.append((out.detach().numpy(), weights.detach().numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(b, a, atol=1e-10)
    for k in arrays:
        if theirs[k].grad is None:  # static keys and values replace the projected ones
            assert static and ours[k].grad is None, k
        else:
            np.testing.assert_allclose(ours[k].grad.numpy(), theirs[k].grad.numpy(),
                                       atol=1e-10, err_msg=k)


def test_functional_mha_bad_static_keys() -> None:
    q, w = mg.randn(3, 2, 4), mg.randn(12, 4)
    common = dict(embed_dim_to_check=4, num_heads=2, in_proj_weight=w, in_proj_bias=None,
                  bias_k=None, bias_v=None, add_zero_attn=False, dropout_p=0.0,
                  out_proj_weight=mg.randn(4, 4), out_proj_bias=None)
    with pytest.raises(ValueError, match=r"static_k of shape \(4, 5, 3\) must be .* = "
                                         r"\(4, 5, 2\)"):
        F.multi_head_attention_forward(q, q, q, static_k=mg.randn(4, 5, 3), **common)
    with pytest.raises(ValueError, match="bias_k cannot be added to static keys"):
        F.multi_head_attention_forward(q, q, q, **dict(common, bias_k=mg.randn(1, 1, 4),
                                                       bias_v=mg.randn(1, 1, 4)),
                                       static_k=mg.randn(4, 5, 2))
    with pytest.raises(ValueError, match=r"embed_dim \(4\) must be divisible by num_heads "
                                         r"\(3\)"):
        F.multi_head_attention_forward(q, q, q, **dict(common, num_heads=3))
