"""Known differences from PyTorch 2.13, closed: each case compared with torch."""

from __future__ import annotations

import weakref

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

INF = float("inf")
# importing torch.func warns that torch.jit.script is deprecated (inside torch)
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")


# *** gelu at infinities, nan and huge values ***
GELU_VALUES = [INF, -INF, float("nan"), 1e30, -1e30, 3e38, -3e38, 0.5, -2.0, 0.0]


@pytest.mark.parametrize("approximate", ["none", "tanh"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", ["one", "many", "strided"])
def test_gelu_extremes_match_torch(torch, approximate, dtype, shape):
    """Values, gradient and second derivative as torch's, which (for float32 'none') computes
    a contiguous tensor of several elements with oneDNN: gelu(inf) = nan, gelu(3e38) = inf."""
    values = np.array(GELU_VALUES, dtype=dtype)
    if shape == "one":
        arrays = [values[i:i + 1] for i in range(len(values))]
    elif shape == "many":
        arrays = [values]
    else:
        arrays = [np.stack([values, values])]
    with np.errstate(all="ignore"):
        for a in arrays:
            leaf = mg.tensor(a.copy(), requires_grad=True)
            tleaf = torch.tensor(a.copy(), requires_grad=True)
            # a transposed view is not contiguous: torch then does not use oneDNN
            x, tx = (leaf.t(), tleaf.t()) if shape == "strided" else (leaf, tleaf)
            y = F.gelu(x, approximate=approximate)
            ty = torch.nn.functional.gelu(tx, approximate=approximate)
            (g,) = mg.autograd.grad(y.sum(), leaf, create_graph=True)
            (tg,) = torch.autograd.grad(ty.sum(), tleaf, create_graph=True)
            (gg,) = mg.autograd.grad(g.sum(), leaf)
            (tgg,) = torch.autograd.grad(tg.sum(), tleaf)
            for ours, theirs in [(y, ty), (g, tg), (gg, tgg)]:
                np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(),
                                           rtol=1e-5, atol=1e-7)


# *** a second backward through a graph whose nodes saved nothing ***
def _twice(lib, build, grad_fn=False):
    """build(a) -> scalar; backward through it twice; a's grad (or the two mg.grad results)."""
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = build(a)
    if grad_fn:
        return [lib.autograd.grad(y, a)[0].detach().numpy() for _ in range(2)]
    y.backward()
    y.backward()
    return a.grad.numpy()


def _times_input(lib, save):
    """A user's Function computing x * x whose backward reads x from ctx: stored there directly
    (torch keeps ctx attributes alive, so a second backward works) or with save_for_backward
    (freed by the first backward)."""

    class TimesInput(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            if save:
                ctx.save_for_backward(x)
            else:
                ctx.x = x
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors if save else (ctx.x,)
            return 2 * g * x

    return TimesInput.apply


SECOND_BACKWARD = {  # name -> the graph; torch runs a second backward iff no node saved tensors
    "add-sum": lambda lib, a: (a + 1).sum(),
    "sub-neg-mean": lambda lib, a: (-(a - 2)).mean(),
    "views": lambda lib, a: a.reshape(3, 1).t()[0, 1:].sum(),
    "shared": lambda lib, a: (a + a).sum() + a.sum(),
    "expand-stack-cat": lambda lib, a: lib.cat([lib.stack([a, a]).sum(0), a.expand(2, 3)[1]])
    .sum(),
    "cumsum-flip-repeat": lambda lib, a: a.cumsum(0).flip(0).repeat(2).sum(),
    "pad-clone-to": lambda lib, a: lib.nn.functional.pad(a.clone().double(), (1, 1)).sum(),
    "in-place add": lambda lib, a: (a + 1).add_(a).sum(),
    "mul by a number": lambda lib, a: (a * 2).sum(),
    "sum times a number": lambda lib, a: a.sum() * 0.5,
    "mul by a 0-d tensor": lambda lib, a: (a * lib.tensor(2.0)).sum(),
    "div": lambda lib, a: (a / 2).sum(),
    "exp": lambda lib, a: (a + 1).exp().sum(),
    "square": lambda lib, a: (a * a).sum(),
    "index by a list": lambda lib, a: a[[0, 2]].sum(),
    "where": lambda lib, a: lib.where(lib.tensor([True, False, True]), a, 0.0).sum(),
    "saved after kept": lambda lib, a: (a + 1).sum() + (a * a).sum(),
    "user Function, leaf on ctx": lambda lib, a: _times_input(lib, False)(a).sum(),
    "user Function, non-leaf on ctx": lambda lib, a: _times_input(lib, False)(a + 1).sum(),
    "user Function, saved": lambda lib, a: _times_input(lib, True)(a).sum(),
}


def _second_backward(lib, build, use_grad):
    """The two gradients of a, or the error of the second backward."""
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = build(lib, a)
    found = []
    for _ in range(2):
        try:
            if use_grad:
                found.append(lib.autograd.grad(y, a)[0].detach().numpy().copy())
            else:
                y.backward()
                found.append(a.grad.numpy().copy())
        except RuntimeError as e:
            assert "second time" in str(e)
            found.append("second time")
    return found


@pytest.mark.parametrize("use_grad", [False, True], ids=["backward", "autograd.grad"])
@pytest.mark.parametrize("name", SECOND_BACKWARD)
def test_second_backward_runs_where_torch_runs_it(torch, name, use_grad):
    """A node that saved nothing can be run again (gradients accumulate), one that saved
    values raises torch's 'second time' error: as torch decides, graph by graph."""
    ours = _second_backward(mg, SECOND_BACKWARD[name], use_grad)
    theirs = _second_backward(torch, SECOND_BACKWARD[name], use_grad)
    for a, b in zip(ours, theirs, strict=True):
        if isinstance(b, str):
            assert a == b
        else:
            np.testing.assert_allclose(a, b)


def test_failed_second_backward_changes_no_grad():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([3.0], requires_grad=True)
    y = (a + 1).sum() + (b * b).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [6.0])


def test_hook_on_a_kept_node_runs_again(torch):
    seen = {}
    for lib in (mg, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        h = a + 1
        calls = []
        h.register_hook(lambda g, calls=calls: calls.append(g.numpy().copy()))
        y = h.sum()
        y.backward()
        y.backward()
        seen[lib.__name__] = (len(calls), a.grad.numpy().copy())
    assert seen["minigrad"][0] == seen["torch"][0] == 2
    np.testing.assert_array_equal(seen["minigrad"][1], seen["torch"][1])


def test_a_kept_node_does_not_keep_its_inputs_values():
    """After backward the graph keeps no values: a node kept for another backward holds a
    hollow stand-in of its input, not the input's array."""
    a = mg.ones(1000, requires_grad=True)
    h = a + 1
    ref = weakref.ref(h.array)
    y = h.sum()
    del h
    assert ref() is not None  # the graph holds it until backward
    y.backward()
    assert ref() is None
    y.backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.full(1000, 2.0, np.float32))


# *** optim.swa_utils: AveragedModel, SWALR, update_bn ***
def _swa_run(lib, state, data, averaging, strategy):
    """A few epochs of SGD with SWALR; the averaged model is updated after each epoch from
    the second on, then its BatchNorm statistics recomputed. Returns what to compare."""
    nn, swa = lib.nn, lib.optim.swa_utils
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
    model = model.double()
    model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    kwargs = {"default": {}, "ema-multi": {"multi_avg_fn": swa.get_ema_multi_avg_fn(0.8)},
              "ema": {"avg_fn": swa.get_ema_avg_fn(0.7)},
              "buffers": {"multi_avg_fn": swa.get_ema_multi_avg_fn(0.9), "use_buffers": True},
              "custom": {"avg_fn": lambda avg, cur, n: avg * 0.5 + cur * 0.5 + n * 0.01},
              "swa-buffers": {"use_buffers": True}}
    averaged = swa.AveragedModel(model, **kwargs[averaging])
    opt = lib.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    scheduler = swa.SWALR(opt, swa_lr=0.05, anneal_epochs=3, anneal_strategy=strategy)
    loader = [(lib.tensor(x), lib.tensor(y)) for x, y in data]
    lrs = []
    for epoch in range(5):
        for x, y in loader:
            opt.zero_grad()
            lib.nn.functional.mse_loss(model(x), y).backward()
            opt.step()
        if epoch >= 1:
            averaged.update_parameters(model)
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    before_bn = {k: v.detach().numpy().copy() for k, v in averaged.state_dict().items()}
    swa.update_bn(loader, averaged)
    after = {k: v.detach().numpy().copy() for k, v in averaged.state_dict().items()}
    averaged.eval()
    out = averaged(loader[0][0]).detach().numpy()
    return lrs, before_bn, after, out, averaged.training


@pytest.fixture
def torch_one_thread(torch):
    """torch on one thread: its batch_norm spins for ~70 ms a call on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)


@pytest.mark.parametrize("averaging", ["default", "ema-multi", "ema", "buffers", "custom",
                                       "swa-buffers"])
@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_swa_training_run_matches_torch(torch_one_thread, averaging, strategy):
    torch = torch_one_thread
    torch.manual_seed(0)
    ref = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8),
                              torch.nn.ReLU(), torch.nn.Linear(8, 1)).double()
    state = {k: v.numpy().copy() for k, v in ref.state_dict().items()}
    rng = np.random.default_rng(0)
    data = [(rng.normal(size=(8, 4)), rng.normal(size=(8, 1))) for _ in range(3)]
    ours, theirs = (_swa_run(lib, state, data, averaging, strategy) for lib in (mg, torch))
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    for got, want in zip(ours[1:3], theirs[1:3], strict=True):
        assert list(got) == list(want)  # the same state dict keys, n_averaged included
        for key in want:
            assert got[key].dtype == want[key].dtype, key
            np.testing.assert_allclose(got[key], want[key], rtol=1e-9, atol=1e-12, err_msg=key)
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-9)
    assert ours[4] == theirs[4]


@pytest.mark.parametrize("anneal_epochs", [0, 1, 4])
def test_swalr_lrs_match_torch_with_two_groups(torch, anneal_epochs):
    lrs = {}
    for lib in (mg, torch):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(2, requires_grad=True)
        opt = lib.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.3}], lr=1.0)
        scheduler = lib.optim.swa_utils.SWALR(opt, swa_lr=[0.1, 0.01],
                                              anneal_epochs=anneal_epochs)
        seen = [scheduler.get_last_lr()]
        for _ in range(6):
            opt.step()
            scheduler.step()
            seen.append(scheduler.get_last_lr())
        lrs[lib.__name__] = seen
        assert opt.param_groups[1]["swa_lr"] == 0.01
    np.testing.assert_allclose(lrs["minigrad"], lrs["torch"], rtol=1e-12)


def test_swa_utils_refuse_bad_arguments(torch):
    swa = mg.optim.swa_utils
    for lib in (swa, torch.optim.swa_utils):
        for bad in (-0.1, 1.5):
            with pytest.raises(ValueError, match="Invalid decay value"):
                lib.get_ema_multi_avg_fn(bad)
            with pytest.raises(ValueError, match="Invalid decay value"):
                lib.get_ema_avg_fn(bad)
    model = mg.nn.Linear(2, 1)
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        swa.AveragedModel(model, avg_fn=swa.get_ema_avg_fn(),
                          multi_avg_fn=swa.get_ema_multi_avg_fn())
    opt = mg.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        swa.SWALR(opt, 0.05, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0"):
        swa.SWALR(opt, 0.05, anneal_epochs=-1)
    with pytest.raises(ValueError, match="swa_lr has 2 values"):
        swa.SWALR(opt, [0.05, 0.01])
    assert "swa_lr" not in opt.param_groups[0]  # nothing half-changed by the failures


def test_averaged_model_state_dict_round_trip_and_pytorch_paths():
    from minigrad.optim.swa_utils import AveragedModel, update_bn  # noqa: F401

    model = mg.nn.Linear(3, 2)
    averaged = AveragedModel(model)
    averaged.update_parameters(model)
    assert list(averaged.state_dict()) == ["n_averaged", "module.weight", "module.bias"]
    assert averaged.n_averaged.item() == 1 and averaged.n_averaged.dtype == mg.int64
    again = AveragedModel(model)
    again.load_state_dict(averaged.state_dict())
    assert again.n_averaged.item() == 1
    assert type(averaged).__module__ == "minigrad.optim.swa_utils"
    assert type(averaged).__qualname__ == "AveragedModel"


# *** F.ctc_loss and nn.CTCLoss ***
def _ctc_case(seed, batch=3, frames=7, classes=5, blank=0, max_target=4):
    """log-probability inputs, padded targets (with repeats and no blank), and lengths; one
    sequence may be too short for its target (an infinite loss)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(frames, batch, classes))
    labels = [c for c in range(classes) if c != blank]
    targets = rng.choice(labels, size=(batch, max_target))
    targets[0, 1] = targets[0, 0]  # a repeated label needs a blank between
    target_lengths = rng.integers(0, max_target + 1, size=batch)
    target_lengths[0] = max_target
    input_lengths = rng.integers(1, frames + 1, size=batch)
    input_lengths[0] = frames
    return x, targets, input_lengths, target_lengths


def _ctc_both(torch, x, targets, input_lengths, target_lengths, layout, lengths_as, dtype,
              through_log_softmax=True, **kwargs):
    """(loss, gradient) of minigrad and of torch."""
    if layout == "concatenated":
        targets = np.concatenate([row[:n] for row, n in zip(targets, target_lengths)])
    results = []
    for lib in (mg, torch):
        leaf = lib.tensor(x.astype(dtype), requires_grad=True)
        lp = leaf.log_softmax(-1) if through_log_softmax else leaf
        lengths = [lib.tensor(input_lengths), lib.tensor(target_lengths)]
        if lengths_as == "tuple":
            lengths = [tuple(int(n) for n in input_lengths), tuple(int(n) for n in target_lengths)]
        loss = lib.nn.functional.ctc_loss(lp, lib.tensor(targets), *lengths, **kwargs)
        (grad,) = lib.autograd.grad(loss.sum(), leaf)
        results.append((loss.detach().numpy(), grad.numpy()))
    return results


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("layout", ["padded", "concatenated"])
@pytest.mark.parametrize("lengths_as", ["tuple", "tensor"])
def test_ctc_loss_matches_torch(torch, reduction, zero_infinity, layout, lengths_as):
    for seed in range(3):
        x, targets, input_lengths, target_lengths = _ctc_case(seed)
        if seed == 1:
            input_lengths[1], target_lengths[1] = 1, 3  # cannot be aligned: an infinite loss
        (loss, grad), (t_loss, t_grad) = _ctc_both(
            torch, x, targets, input_lengths, target_lengths, layout, lengths_as, np.float64,
            reduction=reduction, zero_infinity=zero_infinity)
        assert loss.shape == t_loss.shape
        with np.errstate(invalid="ignore"):
            np.testing.assert_allclose(loss, t_loss, rtol=1e-10)
            np.testing.assert_allclose(grad, t_grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("blank", [0, 2, 4])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ctc_loss_blank_dtype_and_raw_log_probs_match_torch(torch, blank, dtype):
    """The gradient with respect to log_probs themselves is torch's (exp(log_probs) minus the
    class posteriors), also for inputs that are not normalized."""
    x, targets, input_lengths, target_lengths = _ctc_case(5, blank=blank)
    tol = {"rtol": 2e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-10}
    for through in (True, False):
        (loss, grad), (t_loss, t_grad) = _ctc_both(
            torch, x, targets, input_lengths, target_lengths, "padded", "tuple", dtype,
            through_log_softmax=through, blank=blank, reduction="none")
        assert loss.dtype == t_loss.dtype and grad.dtype == t_grad.dtype
        np.testing.assert_allclose(loss, t_loss, **tol)
        np.testing.assert_allclose(grad, t_grad, **tol)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_ctc_loss_unbatched_and_module_match_torch(torch, reduction):
    x, targets, _, _ = _ctc_case(3)
    results = []
    for lib in (mg, torch):
        leaf = lib.tensor(x[:, 0], requires_grad=True)
        module = lib.nn.CTCLoss(blank=0, reduction=reduction)
        losses = [module(leaf.log_softmax(-1), lib.tensor(targets[0][:3]), lib.tensor(6),
                         lib.tensor(3)),  # 1-D targets: concatenated, as in torch
                  module(leaf.log_softmax(-1), lib.tensor(targets[:1]), (7,), (3,))]
        grads = lib.autograd.grad(sum(loss.sum() for loss in losses), leaf)
        results.append([loss.detach().numpy() for loss in losses] + [grads[0].numpy()])
    for ours, theirs in zip(*results, strict=True):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_ctc_loss_gradcheck_through_log_softmax():
    from minigrad.testing import gradcheck

    x, targets, input_lengths, target_lengths = _ctc_case(7, batch=2, frames=4, classes=3,
                                                          max_target=2)
    leaf = mg.tensor(x, requires_grad=True)
    for reduction in ("mean", "sum", "none"):
        assert gradcheck(lambda t, r=reduction: F.ctc_loss(
            t.log_softmax(-1), mg.tensor(targets), tuple(input_lengths.tolist()),
            tuple(target_lengths.tolist()), reduction=r), (leaf,))


def test_ctc_loss_second_derivative_is_refused_as_in_torch(torch):
    x, targets, input_lengths, target_lengths = _ctc_case(8)
    for lib in (mg, torch):
        leaf = lib.tensor(x, requires_grad=True)
        loss = lib.nn.functional.ctc_loss(leaf.log_softmax(-1), lib.tensor(targets),
                                          lib.tensor(input_lengths), lib.tensor(target_lengths))
        (g,) = lib.autograd.grad(loss, leaf, create_graph=True)
        with pytest.raises(RuntimeError):
            lib.autograd.grad(g.sum(), leaf)


CTC_BAD = {  # what is wrong -> (changes to the good call, exception type)
    "input longer than the frames": ({"input_lengths": (8, 5)}, (RuntimeError, ValueError)),
    "target longer than padded": ({"target_lengths": (5, 2)}, (RuntimeError, ValueError)),
    "one input length too few": ({"input_lengths": (7,)}, (RuntimeError, ValueError)),
    "one target length too few": ({"target_lengths": (3,)}, (RuntimeError, ValueError)),
    "blank out of range": ({"blank": 5}, (RuntimeError, ValueError)),
    "negative blank": ({"blank": -1}, (RuntimeError, ValueError)),
    "negative target length": ({"target_lengths": (-1, 2)}, (RuntimeError, ValueError)),
    "float lengths": ({"input_lengths": "float"}, (RuntimeError, TypeError)),
    "bad reduction": ({"reduction": "avg"}, ValueError),
    "concatenated too long": ({"targets": [1, 2, 3, 1, 2, 3, 1]}, (RuntimeError, ValueError)),
    "concatenated too short": ({"targets": [1, 2, 3, 1, 2]}, (RuntimeError, ValueError)),
}


@pytest.mark.parametrize("case", CTC_BAD)
def test_ctc_loss_refuses_what_torch_refuses(torch, case):
    changes, error = CTC_BAD[case]
    for lib in (mg, torch):
        args = {"log_probs": lib.zeros(7, 2, 5).log_softmax(-1),
                "targets": lib.tensor([[1, 2, 2, 4], [3, 1, 0, 0]]),
                "input_lengths": (7, 5), "target_lengths": (4, 2)}
        args.update(changes)
        if args["input_lengths"] == "float":
            args["input_lengths"] = lib.tensor([7.0, 5.0])
        if isinstance(args["targets"], list):
            args["targets"] = lib.tensor(args["targets"])
        with pytest.raises(error):
            lib.nn.functional.ctc_loss(**args)


# *** minigrad.func (torch.func) ***
def _np(tree):
    """A pytree of tensors (either library) as numpy arrays, for comparison."""
    if isinstance(tree, (tuple, list)):
        return [_np(t) for t in tree]
    if isinstance(tree, dict):
        return {k: _np(v) for k, v in tree.items()}
    return tree.detach().numpy() if hasattr(tree, "detach") else tree


def _assert_trees_close(ours, theirs, rtol=1e-10, atol=1e-12):
    ours, theirs = _np(ours), _np(theirs)
    if isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            _assert_trees_close(a, b, rtol, atol)
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs)
        for key in theirs:
            _assert_trees_close(ours[key], theirs[key], rtol, atol)
    else:
        assert np.shape(ours) == np.shape(theirs)
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def _both(torch, build):
    """build(lib, tensor) run with minigrad and with torch; tensor(values) makes float64."""
    return [build(lib, lambda v, lib=lib: lib.tensor(np.asarray(v, dtype=np.float64)))
            for lib in (mg, torch)]


FUNC_CASES = {
    "grad": lambda lib, T: lib.func.grad(lambda x: (x.sin() * x).sum())(T([0.5, -1.0, 2.0])),
    "grad argnums tuple": lambda lib, T: lib.func.grad(
        lambda x, y: (x * y.exp()).sum(), argnums=(0, 1))(T([1.0, 2.0]), T([0.3, -0.2])),
    "grad argnum 1": lambda lib, T: lib.func.grad(
        lambda x, y: (x * y ** 2).sum(), argnums=1)(T([1.0, 2.0]), T([0.3, -0.2])),
    "grad dict": lambda lib, T: lib.func.grad(lambda p, x: (p["w"] * x + p["b"]).tanh().sum())(
        {"w": T([0.5, 1.5]), "b": T(0.1)}, T([1.0, -2.0])),
    "grad has_aux": lambda lib, T: lib.func.grad(lambda x: ((x ** 2).sum(), x.cos()),
                                                 has_aux=True)(T([1.0, 2.0])),
    "grad_and_value": lambda lib, T: lib.func.grad_and_value(
        lambda x, y: (x @ y).sum(), argnums=(0, 1))(T([[1.0, 2.0]]), T([[3.0], [4.0]])),
    "grad_and_value has_aux": lambda lib, T: lib.func.grad_and_value(
        lambda x: (x.sum() ** 2, {"m": x.mean()}), has_aux=True)(T([1.0, 2.0])),
    "grad of grad": lambda lib, T: lib.func.grad(lib.func.grad(
        lambda x: x.sin() * x ** 3))(T(0.7)),
    "nested, no confusion": lambda lib, T: lib.func.grad(
        lambda x: lib.func.grad(lambda y: (x * y).sum())(x).sum() * x.sum())(T([1.0, 2.0])),
    "vjp": lambda lib, T: (lambda r: (r[0], r[1](T([1.0, -1.0])), r[1](T([2.0, 0.5]))))(
        lib.func.vjp(lambda x, y: x * y.sin(), T([1.0, 2.0]), T([0.5, 0.25]))),
    "vjp tuple output": lambda lib, T: (lambda r: (r[0], r[1]((T([1.0, 2.0]), T(3.0)))))(
        lib.func.vjp(lambda x: (x.exp(), x.sum()), T([0.1, 0.2]))),
    "vjp has_aux": lambda lib, T: (lambda r: (r[0], r[1](T([1.0, 1.0])), r[2]))(
        lib.func.vjp(lambda x: (x ** 2, x.sum()), T([0.1, 0.2]), has_aux=True)),
    "jacrev": lambda lib, T: lib.func.jacrev(lambda x: x.sin().outer(x))(T([0.1, 0.2, 0.3])),
    "jacrev argnums": lambda lib, T: lib.func.jacrev(lambda x, y: x * y, argnums=(0, 1))(
        T([1.0, 2.0]), T([3.0, 4.0])),
    "jacrev dict output": lambda lib, T: lib.func.jacrev(
        lambda x: {"a": x.sin(), "b": x.sum()})(T([1.0, 2.0])),
    "jacrev has_aux": lambda lib, T: lib.func.jacrev(lambda x: (x.exp(), x.sum()),
                                                     has_aux=True)(T([1.0, 2.0])),
    "jacfwd": lambda lib, T: lib.func.jacfwd(lambda x: (x[:, None] * x).tanh())(T([1.0, 0.5])),
    "jacfwd of jacrev": lambda lib, T: lib.func.jacfwd(lib.func.jacrev(
        lambda x: x.sin().prod()))(T([0.4, 0.9, 1.3])),
    "hessian": lambda lib, T: lib.func.hessian(lambda x: (x.exp() * x).sum() * x[0])(
        T([[0.1, 0.2], [0.3, 0.4]])),
    "hessian argnum 1": lambda lib, T: lib.func.hessian(lambda x, y: (x * y ** 3).sum(), 1)(
        T([1.0, 2.0]), T([0.5, 0.7])),
}


@pytest.mark.parametrize("case", FUNC_CASES)
def test_func_transforms_match_torch_func(torch, case):
    import torch.func  # noqa: F401

    ours, theirs = _both(torch, FUNC_CASES[case])
    _assert_trees_close(ours, theirs)


def _mlp(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2)).double()


def test_per_sample_gradients_with_vmap_grad_functional_call(torch):
    import torch.func  # noqa: F401

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(5, 3)), rng.integers(0, 2, size=5)
    theirs_model = _mlp(torch)
    state = {k: v.detach().numpy() for k, v in theirs_model.named_parameters()}
    results = []
    for lib, model in ((mg, _mlp(mg)), (torch, theirs_model)):
        params = {k: lib.tensor(v) for k, v in state.items()}
        own = {k: v.detach().numpy().copy() for k, v in model.named_parameters()}

        def loss(p, xi, yi, model=model, lib=lib):
            out = lib.func.functional_call(model, p, (xi[None],))
            return lib.nn.functional.cross_entropy(out, yi[None])

        per_sample = lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))(
            params, lib.tensor(x), lib.tensor(y))
        results.append(per_sample)
        for k, v in model.named_parameters():  # the module's own parameters are back
            np.testing.assert_array_equal(v.detach().numpy(), own[k])
    _assert_trees_close(*results)
    assert results[0]["0.weight"].shape == (5, 4, 3)


def test_ensembling_with_stack_module_state_and_vmap(torch):
    import torch.func  # noqa: F401

    x = np.random.default_rng(1).normal(size=(6, 3))
    outs = []
    for lib in (mg, torch):
        models = []
        for seed in range(3):
            lib.manual_seed(seed)
            models.append(lib.nn.Linear(3, 2).double())
        params, buffers = lib.func.stack_module_state(models)
        assert params["weight"].shape == (3, 2, 3) and params["weight"].requires_grad
        base = models[0]

        def run(p, b, xs, base=base, lib=lib):
            return lib.func.functional_call(base, (p, b), (xs,))

        outs.append((lib.func.vmap(run, in_dims=(0, 0, None))(params, buffers, lib.tensor(x)),
                     [{k: v.detach().numpy() for k, v in m.state_dict().items()}
                      for m in models], params))
    # the generators draw other weights: each library against a loop over its own models
    for out, states, params in outs:
        expected = np.stack([x @ s["weight"].T + s["bias"] for s in states])
        np.testing.assert_allclose(_np(out), expected, rtol=1e-12)
        out.sum().backward()
        np.testing.assert_allclose(_np(params["bias"].grad), np.full((3, 2), 6.0))


VMAP_CASES = {
    "sum": (lambda lib: lib.vmap(lambda x: x.sum()), [np.ones((2, 3))]),
    "in_dims tuple with None": (lambda lib: lib.vmap(lambda x, y: x * y, in_dims=(0, None)),
                                [np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0])]),
    "in_dim 1 and negative": (lambda lib: lib.vmap(lambda x, y: x @ y, in_dims=(1, -1)),
                              [np.arange(12.0).reshape(3, 4), np.arange(12.0).reshape(3, 4)]),
    "out_dims 1": (lambda lib: lib.vmap(lambda x: x.outer(x), out_dims=1),
                   [np.arange(6.0).reshape(2, 3)]),
    "tuple out_dims": (lambda lib: lib.vmap(lambda x: (x * 2, x.sum()), out_dims=(1, 0)),
                       [np.arange(6.0).reshape(2, 3)]),
    "out_dims None": (lambda lib: lib.vmap(lambda x, y: (x + y, y * 2), in_dims=(0, None),
                                           out_dims=(0, None)),
                      [np.ones((2, 3)), np.arange(3.0)]),
    "nested": (lambda lib: lib.vmap(lib.vmap(lambda x, y: x * y, in_dims=(0, None)),
                                    in_dims=(None, 0)),
               [np.arange(3.0), np.arange(4.0)]),
    "nested in_dims and dict": (
        lambda lib: lib.vmap(lambda d, s: {"out": d["a"] * s + d["b"]},
                             in_dims=({"a": 0, "b": None}, None)),
        [{"a": np.arange(6.0).reshape(3, 2), "b": np.array([1.0, -1.0])}, 2.0]),
    "list input": (lambda lib: lib.vmap(lambda xs: xs[0] - xs[1]),
                   [[np.arange(4.0), np.ones(4)]]),
    "vmap of jacrev": (lambda lib: lib.vmap(lib.func.jacrev(lambda x: x.sin() * x.sum())),
                       [np.arange(6.0).reshape(2, 3) / 5]),
    "kwargs unmapped": (lambda lib: lambda x: lib.vmap(lambda x, scale: x * scale)(
        x, scale=3.0), [np.arange(4.0)]),
}


def _to(lib, value):
    if isinstance(value, dict):
        return {k: _to(lib, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to(lib, v) for v in value]
    return lib.tensor(value) if isinstance(value, np.ndarray) else value


@pytest.mark.parametrize("case", VMAP_CASES)
def test_vmap_matches_torch(torch, case):
    import torch.func  # noqa: F401

    make, inputs = VMAP_CASES[case]
    ours = make(mg)(*[_to(mg, v) for v in inputs])
    theirs = make(torch)(*[_to(torch, v) for v in inputs])
    _assert_trees_close(ours, theirs)


def test_vmap_gradient_flows_back_to_the_batched_input(torch):
    results = []
    for lib in (mg, torch):
        x = lib.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
        w = lib.tensor([1.0, -2.0, 0.5], requires_grad=True)
        lib.vmap(lambda xi, w=w: (xi * w).tanh().sum() * xi[0])(x).sum().backward()
        results.append((x.grad, w.grad))
    _assert_trees_close(*results)


VMAP_BAD = {
    "sizes differ": (lambda lib: lib.vmap(lambda x, y: x * y)(lib.ones(2, 3), lib.ones(3)),
                     "same size in the mapped dimension"),
    "not a tensor": (lambda lib: lib.vmap(lambda x: x, in_dims=1)(3), "non-Tensor arguments"),
    "in_dims None": (lambda lib: lib.vmap(lambda x: x, in_dims=None)(lib.ones(2)), "in_dims"),
    "in_dim too big": (lambda lib: lib.vmap(lambda x: x, in_dims=2)(lib.ones(2, 3)),
                       "dimensionality 2"),
    "in_dims too many": (lambda lib: lib.vmap(lambda x: x, in_dims=(0, 0))(lib.ones(2, 3)),
                         "structure"),
    "returns a number": (lambda lib: lib.vmap(lambda x: 3)(lib.ones(2)), "must only return"),
    # (minigrad cannot tell what depends on the batch: it refuses values that differ)
    "batched out_dim None": (lambda lib: lib.vmap(lambda x: x, out_dims=None)(lib.arange(2.0)),
                             "out_dim is None"),
    "random": (lambda lib: lib.vmap(lambda x: lib.rand(2))(lib.ones(2, 3)), "randomness"),
}


@pytest.mark.parametrize("case", VMAP_BAD)
def test_vmap_refuses_what_torch_refuses(torch, case):
    make, message = VMAP_BAD[case]
    for lib in (mg, torch):
        with pytest.raises((ValueError, RuntimeError), match=message):
            make(lib)


def test_vmap_refuses_in_place_writes_and_handles_randomness_modes():
    y = mg.zeros(3)
    with pytest.raises(RuntimeError, match="in place"):
        mg.vmap(lambda x: y.add_(x))(mg.ones(2, 3))
    with pytest.raises(RuntimeError, match="in place"):
        mg.vmap(lambda x: x.mul_(2))(mg.ones(2, 3))
    mg.manual_seed(0)
    same = mg.vmap(lambda x: x + mg.rand(2), randomness="same")(mg.zeros(3, 2))
    assert np.array_equal(same[0].numpy(), same[1].numpy())
    different = mg.vmap(lambda x: x + mg.rand(2), randomness="different")(mg.zeros(3, 2))
    assert not np.array_equal(different[0].numpy(), different[1].numpy())
    with pytest.raises(RuntimeError, match="randomness are 'error', 'different', or 'same'"):
        mg.vmap(lambda x: x, randomness="some")


GRAD_BAD = {
    "non-scalar": (lambda lib: lib.func.grad(lambda x: x.sum(0))(lib.ones(2, 2)),
                   "scalar Tensor, got tensor with 1 dims"),
    "integer input": (lambda lib: lib.func.grad(lambda x: x.sum())(lib.ones(2, dtype=lib.long)),
                      "floating point"),
    "argnum too big": (lambda lib: lib.func.grad(lambda x: x.sum(), argnums=1)(lib.ones(2)),
                       "argnum=1, but only 1 positional inputs"),
    "has_aux without aux": (lambda lib: lib.func.grad(lambda x: x.sum(), has_aux=True)(
        lib.ones(2)), "should be a tuple"),
    "vjp cotangent shape": (lambda lib: lib.func.vjp(lambda x: x.sin(), lib.ones(2))[1](
        lib.ones(3)), "Mismatch in shape"),
}


@pytest.mark.parametrize("case", GRAD_BAD)
def test_func_refuses_what_torch_refuses(torch, case):
    import torch.func  # noqa: F401

    make, message = GRAD_BAD[case]
    for lib in (mg, torch):
        with pytest.raises(RuntimeError, match=message):
            make(lib)


def test_functional_call_options_match_torch(torch):
    import torch.func  # noqa: F401

    results = []
    for lib in (mg, torch):
        model = lib.nn.Linear(2, 1).double()
        x = lib.ones(3, 2, dtype=lib.float64)
        w = lib.tensor([[1.0, 2.0]], dtype=lib.float64)
        out = lib.func.functional_call(model, {"weight": w, "bias": lib.zeros(1).double()}, x)
        with pytest.raises(RuntimeError, match="Missing key\\(s\\): 'bias'"):
            lib.func.functional_call(model, {"weight": w}, (x,), strict=True)
        with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
            lib.func.functional_call(model, ({"weight": w}, {"weight": w}), (x,))
        assert model.weight is dict(model.named_parameters())["weight"]  # restored
        results.append(out)
    _assert_trees_close(*results)


def test_functional_call_ties_weights_and_swaps_buffers():
    class Tied(mg.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = mg.nn.Linear(2, 2, bias=False)
            self.b = mg.nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    model, x, w = Tied(), mg.ones(1, 2), mg.eye(2) * 2
    out = mg.func.functional_call(model, {"a.weight": w}, (x,))
    np.testing.assert_array_equal(out.detach().numpy(), [[4.0, 4.0]])  # b follows a
    with pytest.raises(ValueError, match="tied"):
        mg.func.functional_call(model, {"a.weight": w, "b.weight": w * 3}, (x,))
    bn = mg.nn.BatchNorm1d(2).eval()
    out = mg.func.functional_call(bn, {"running_mean": mg.ones(2)}, (mg.zeros(3, 2),))
    np.testing.assert_allclose(out.detach().numpy(), -np.ones((3, 2)) / np.sqrt(1 + 1e-5),
                               rtol=1e-6)
    np.testing.assert_array_equal(bn.running_mean.numpy(), [0.0, 0.0])


def test_vmap_is_at_the_top_level_as_in_torch(torch):
    from minigrad.func import vmap

    assert mg.vmap is vmap is mg.func.vmap and torch.vmap is torch.func.vmap


def test_grad_inside_no_grad_still_differentiates_as_torch(torch):
    import torch.func  # noqa: F401

    results = []
    for lib in (mg, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        with lib.no_grad():
            results.append(lib.func.grad(lambda x, lib=lib: (x ** 3).sum())(x))
        assert not results[-1].requires_grad
    _assert_trees_close(*results)


def test_functional_call_through_module_lists_and_dicts_and_refusing_parameter_lists():
    model = mg.nn.Module()
    model.layers = mg.nn.ModuleList([mg.nn.Linear(2, 2), mg.nn.Linear(2, 1)])
    model.heads = mg.nn.ModuleDict({"a": mg.nn.Linear(1, 1)})
    model.forward = lambda x: model.heads["a"](model.layers[1](model.layers[0](x)))
    zeros = {name: mg.zeros_like(p) for name, p in model.named_parameters()}
    zeros["heads.a.bias"] = mg.tensor([5.0])
    out = mg.func.functional_call(model, zeros, (mg.ones(3, 2),))
    np.testing.assert_array_equal(out.detach().numpy(), np.full((3, 1), 5.0))
    model.extra = mg.nn.ParameterList([mg.nn.Parameter(mg.ones(1))])
    with pytest.raises(NotImplementedError, match="ParameterList"):
        mg.func.functional_call(model, {"layers.0.bias": mg.ones(2), "extra.0": mg.zeros(1)},
                                (mg.ones(3, 2),))
    assert isinstance(model.layers[0].bias, mg.nn.Parameter)  # put back


def test_grad_keeps_the_graph_to_captured_parameters_as_torch(torch):
    """A gradient penalty: grad of a critic at x, which closes over its parameters; the penalty's
    backward reaches the parameters through that gradient."""
    import torch.func  # noqa: F401

    results = []
    for lib in (mg, torch):
        critic = lib.nn.Linear(3, 1).double()
        with lib.no_grad():
            critic.weight.copy_(lib.tensor([[0.5, -1.0, 2.0]], dtype=lib.float64))
            critic.bias.copy_(lib.tensor([0.1], dtype=lib.float64))
        x = lib.tensor(np.arange(6.0).reshape(2, 3) / 5)
        penalty = lib.func.grad(lambda x, critic=critic: (critic(x) ** 3).sum())(x)
        assert penalty.requires_grad
        ((penalty.norm() - 1) ** 2).backward()
        results.append((penalty, critic.weight.grad, critic.bias.grad))
    _assert_trees_close(*results)
    plain = mg.func.grad(lambda x: (x ** 3).sum())(mg.ones(2))
    assert not plain.requires_grad  # nothing outside requires grad: a plain tensor, as torch
