"""mg.compile: replay equals eager bit for bit, guards re-capture, what cannot be captured runs
eagerly with a warning (or raises with fullgraph=True)."""

from __future__ import annotations

import gc
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import nn, optim
from minigrad.compiler import CompileError
from minigrad.nn import functional as F
from models.lenet import LeNet
from models.mlp import TwoLayerMLP
from models.train_mnist import make_step

OPTIMIZERS = {
    "sgd": (optim.SGD, dict(lr=0.1)),
    "momentum": (optim.SGD, dict(lr=0.1, momentum=0.9)),
    "nesterov": (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    "decay": (optim.SGD, dict(lr=0.1, momentum=0.5, dampening=0.1, weight_decay=0.01)),
    "adam": (optim.Adam, dict(lr=0.01)),
    "adam_decay": (optim.Adam, dict(lr=0.01, weight_decay=0.01, amsgrad=True)),
    "adamw": (optim.AdamW, dict(lr=0.01)),
    "rmsprop": (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
    "adagrad": (optim.Adagrad, dict(lr=0.1)),
    "nadam": (optim.NAdam, dict(lr=0.01)),
    "radam": (optim.RAdam, dict(lr=0.01)),
    "adamax": (optim.Adamax, dict(lr=0.01)),
    "adadelta": (optim.Adadelta, dict(lr=1.0)),
    "rprop": (optim.Rprop, dict(lr=0.01)),
    "asgd": (optim.ASGD, dict(lr=0.01, t0=2)),
}  # every optimizer but LBFGS, whose step(closure) runs eagerly (test below)


def batches(n: int, batch: int, features: int, classes: int, seed: int = 1) -> list:
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((batch, features)).astype(np.float32),
             rng.integers(0, classes, batch)) for _ in range(n)]


def train(make_model, optimizer: str, data: list, compiled: bool, seed: int = 0):
    """Losses, final parameters and gradients of a few steps, eager or compiled."""
    mg.manual_seed(seed)
    model = make_model()
    cls, kwargs = OPTIMIZERS[optimizer]
    step = make_step(model, cls(model.parameters(), **kwargs), compiled=False)
    fn = mg.compile(step, fullgraph=True) if compiled else step
    losses = [fn(mg.tensor(x), mg.tensor(y)).array.copy() for x, y in data]
    params = [p.array.copy() for p in model.parameters()]
    grads = [p.grad.array.copy() for p in model.parameters()]
    return losses, params, grads, fn


def assert_bitwise(a, b) -> None:
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
        assert x.dtype == y.dtype


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
@pytest.mark.parametrize("activation", ["sigmoid", "relu", "tanh"])
def test_replay_equals_eager_bitwise(optimizer, activation):
    data = batches(6, 8, 20, 5)
    make = lambda: TwoLayerMLP(20, 16, 5, activation=activation)  # noqa: E731
    eager = train(make, optimizer, data, compiled=False)
    compiled = train(make, optimizer, data, compiled=True)
    for got, want in zip(compiled[:3], eager[:3]):
        assert_bitwise(got, want)
    info = compiled[3].cache_info()
    assert info["replays"] >= 3 and info["tapes"] == 1 and not info["eager"]
    if activation == "sigmoid":  # exp(-x) written in place into -x's buffer, and the like
        assert info["buffers_reused"] >= 1
        assert info["negations_folded"] == 1  # the hidden layer's bias add and sigmoid's -x


def test_a_sum_read_again_after_its_negation_is_not_folded():
    """u = z + b, then -u: folded into (-b) - z only when nothing reads u afterwards."""
    b = mg.tensor(np.array([1.0, -2.0, 3.0], np.float32))

    def f(z):
        u = z + b
        return (-u).exp() + u, -(z + b)

    fn = mg.compile(f)
    data = [mg.tensor(np.full((2, 3), k, np.float32)) for k in range(4)]
    got = [[t.array.copy() for t in fn(z)] for z in data]
    for z, (first, second) in zip(data, got, strict=True):
        np.testing.assert_array_equal(first, ((-(z + b)).exp() + (z + b)).array)
        np.testing.assert_array_equal(second, (-(z + b)).array)
    assert fn.cache_info()["negations_folded"] == 1  # the second, whose sum nothing reads


@settings(max_examples=12)
@given(hidden=st.integers(1, 12), batch=st.integers(2, 9), layers=st.integers(1, 3),
       optimizer=st.sampled_from(sorted(OPTIMIZERS)),
       dtype=st.sampled_from(["float32", "float64"]), seed=st.integers(0, 2**16))
def test_replay_equals_eager_on_drawn_mlps(hidden, batch, layers, optimizer, dtype, seed):
    dt = np.dtype(dtype).type

    def make():
        sizes = [6] + [hidden] * layers + [4]
        mods = []
        for i in range(len(sizes) - 1):
            mods += [nn.Linear(sizes[i], sizes[i + 1], dtype=dt), nn.Sigmoid()]
        return nn.Sequential(*mods[:-1])

    data = [(x.astype(dt), y) for x, y in batches(5, batch, 6, 4, seed)]
    eager = train(make, optimizer, data, compiled=False, seed=seed)
    compiled = train(make, optimizer, data, compiled=True, seed=seed)
    for got, want in zip(compiled[:3], eager[:3]):
        assert_bitwise(got, want)


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_lenet_replay_equals_eager_bitwise(optimizer):
    """Convolution, max pooling and their backward passes (strided window views, scatters into
    fresh arrays) are captured too: no fallback, eager's numbers bit for bit."""
    rng = np.random.default_rng(0)
    data = [(rng.standard_normal((4, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, 4))
            for _ in range(4)]
    eager = train(LeNet, optimizer, data, compiled=False)
    compiled = train(LeNet, optimizer, data, compiled=True)  # fullgraph: would raise
    for got, want in zip(compiled[:3], eager[:3]):
        assert_bitwise(got, want)
    assert compiled[3].cache_info()["replays"] == 2


class CroppedConv(nn.Module):
    """A slice of a conv's output, flattened (a copy of a strided view), then a fancy index: the
    slices' backward scatters into fresh zeros, which replay must record."""

    def __init__(self) -> None:
        super().__init__()
        self.conv, self.fc = nn.Conv2d(1, 2, 3), nn.Linear(8, 5)

    def forward(self, x):
        h = self.conv(x)[:, :, 1:3, ::2][..., [0, 1]]
        return self.fc(h.flatten(1))


def test_slices_of_a_conv_output_replay_equals_eager_bitwise():
    rng = np.random.default_rng(0)
    data = [(rng.standard_normal((3, 1, 6, 6)).astype(np.float32), rng.integers(0, 5, 3))
            for _ in range(4)]
    eager = train(CroppedConv, "momentum", data, compiled=False)
    compiled = train(CroppedConv, "momentum", data, compiled=True)  # fullgraph: would raise
    for got, want in zip(compiled[:3], eager[:3]):
        assert_bitwise(got, want)
    assert compiled[3].cache_info()["replays"] == 2


@pytest.mark.parametrize("norm", ["layer", "batch"])
def test_models_with_norm_layers(norm):
    data = batches(6, 8, 20, 5)
    make = lambda: TwoLayerMLP(20, 16, 5, norm=norm)  # noqa: E731
    eager = train(make, "adam", data, compiled=False)
    compiled = train(make, "adam", data, compiled=True)
    for got, want in zip(compiled[:3], eager[:3]):
        assert_bitwise(got, want)
    assert compiled[3].cache_info()["replays"] >= 3


def test_batchnorm_running_statistics_follow_replay():
    def run(compiled):
        mg.manual_seed(0)
        model = TwoLayerMLP(20, 16, 5, norm="batch")
        step = mg.compile(model, fullgraph=True) if compiled else model
        with mg.no_grad():  # training mode, forward only: the statistics still move
            for x, _ in batches(5, 8, 20, 5):
                step(mg.tensor(x))
        return [b.array.copy() for b in model.buffers()]

    assert_bitwise(run(True), run(False))


def test_a_compiled_forward_in_grad_mode_runs_eagerly_so_backward_works():
    """torch.compile(model) outputs can be backpropagated; a replay's output has no graph, so
    a compiled forward whose output requires grad (and no backward inside) runs eagerly."""
    mg.manual_seed(0)
    model = TwoLayerMLP(20, 16, 5)
    forward = mg.compile(model)
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.warns(RuntimeWarning, match="TwoLayerMLP runs eagerly: fn returns a tensor "
                                            "that requires grad, and no backward ran"):
        for x, y in batches(4, 8, 20, 5):
            opt.zero_grad()
            F.cross_entropy(forward(mg.tensor(x)), mg.tensor(y)).backward()
            opt.step()
    assert all(p.grad is not None for p in model.parameters())
    assert forward.cache_info()["replays"] == 0


def test_dropout_draws_fresh_values_on_every_replay():
    def run(compiled):
        mg.manual_seed(3)
        model = nn.Sequential(nn.Linear(10, 10), nn.Dropout(0.5))
        fn = mg.compile(model, fullgraph=True) if compiled else model
        x = mg.ones(4, 10)
        with mg.no_grad():
            return [fn(x).array.copy() for _ in range(5)], fn

    outs, fn = run(True)
    assert fn.cache_info()["replays"] >= 2
    assert not np.array_equal(outs[-1], outs[-2])  # a new mask each call
    assert_bitwise(outs, run(False)[0])  # the same draws as eager, in the same order


def test_forward_of_a_module_under_no_grad():
    mg.manual_seed(0)
    model = TwoLayerMLP(20, 16, 5)
    forward = mg.compile(model)
    with mg.no_grad():
        for x, _ in batches(4, 8, 20, 5):
            out = forward(mg.tensor(x))
            np.testing.assert_array_equal(out.array, model(mg.tensor(x)).array)
    assert forward.cache_info()["replays"] == 2  # captured twice (the second checks)


def test_new_shape_recaptures_and_cache_is_bounded():
    mg.manual_seed(0)
    model = TwoLayerMLP(20, 16, 5)
    forward = mg.compile(model, cache_size=2)
    with mg.no_grad():
        for batch in (8, 8, 8, 3, 3, 3, 8):
            out = forward(mg.ones(batch, 20))
            assert out.shape == (batch, 5)
        assert forward.cache_info()["tapes"] == 2
        with pytest.warns(RuntimeWarning, match="cache_size"):
            forward(mg.ones(5, 20))
    # grad mode is part of the signature
    forward(mg.ones(8, 20))
    assert forward.cache_info()["tapes"] == 2


def test_replayed_tensors_are_copies_and_grads_match():
    data = batches(5, 8, 20, 5)
    eager = train(lambda: TwoLayerMLP(20, 16, 5), "sgd", data, compiled=False)
    compiled = train(lambda: TwoLayerMLP(20, 16, 5), "sgd", data, compiled=True)
    assert len({id(loss) for loss in compiled[0]}) == len(data)
    assert_bitwise(compiled[2], eager[2])


def test_item_in_a_branch_falls_back_with_one_warning():
    mg.manual_seed(0)
    model = TwoLayerMLP(20, 16, 5)
    opt = optim.SGD(model.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        if loss.item() > 100:  # data-dependent Python control flow
            return loss
        loss.backward()
        opt.step()
        return loss

    fn = mg.compile(step)
    with pytest.warns(RuntimeWarning, match=r"\.item\(\) took from a tensor is used in Python "
                                            r"\(__gt__\)"):
        fn(mg.ones(8, 20), mg.zeros(8, dtype=mg.int64))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            fn(mg.ones(8, 20), mg.zeros(8, dtype=mg.int64))
    assert fn.cache_info()["eager_calls"] == 4 and fn.cache_info()["replays"] == 0
    with pytest.raises(CompileError, match="item"):
        mg.compile(step, fullgraph=True)(mg.ones(8, 20), mg.zeros(8, dtype=mg.int64))


@pytest.mark.parametrize("use", ["return", "format", "arithmetic", "tensor op"])
def test_item_values_can_be_returned_but_not_used(use):
    """`return loss.item(), correct.item()` replays (the numbers of this call, as Python float
    and int); using such a number in Python or in a tensor op runs the step eagerly."""
    data = batches(5, 8, 20, 5)

    def run(compiled):
        mg.manual_seed(0)
        model = TwoLayerMLP(20, 16, 5)
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            out = model(x)
            loss = F.cross_entropy(out, y)
            value = loss.item()  # before backward: the copy is taken here
            loss.backward()
            opt.step()
            correct = (out.argmax(1) == y).sum().item()
            if use == "format":
                return f"{value:.4f}", correct
            if use == "arithmetic":
                return value, correct / len(y)
            if use == "tensor op":
                return (out * value).sum(), correct
            return value, correct

        fn = mg.compile(step) if compiled else step
        return [fn(mg.tensor(x), mg.tensor(y)) for x, y in data], fn

    (eager, _), (compiled, fn) = run(False), run(True)
    assert compiled == eager
    if use == "return":
        assert [type(v) for v in compiled[-1]] == [float, int]
        assert fn.cache_info()["replays"] == 3
    else:
        assert fn.cache_info()["replays"] == 0
        assert ".item()" in next(iter(fn.cache_info()["eager"].values()))


def test_bool_before_any_write_is_a_guard():
    w = mg.tensor(np.ones(3, np.float32), requires_grad=True)
    opt = optim.SGD([w], lr=0.5)

    def step(x):
        opt.zero_grad()
        loss = (w * x).sum()
        if x.sum() > 0:  # decided before the step: a guard, checked on every replay
            loss = loss * 2
        loss.backward()
        opt.step()
        return loss

    fn = mg.compile(step, fullgraph=True)
    values = [1, 1, 1, 1, -1, 1]
    got = [fn(mg.full((3,), v)).item() for v in values]
    w2 = mg.tensor(np.ones(3, np.float32), requires_grad=True)
    opt = optim.SGD([w2], lr=0.5)
    w, fn_w = w2, w  # the same step on a fresh parameter, eagerly
    want = [step(mg.full((3,), v)).item() for v in values]
    assert got == want
    np.testing.assert_array_equal(fn_w.array, w2.array)


@pytest.mark.parametrize("what", ["tensor hook", "module hook", "forward pre hook",
                                  "backward hook", "backward pre hook"])
def test_hooks_are_refused(what):
    mg.manual_seed(0)
    model = TwoLayerMLP(20, 16, 5)
    register = {"module hook": model.fc1.register_forward_hook,
                "forward pre hook": model.fc1.register_forward_pre_hook,
                "backward hook": model.fc1.register_full_backward_hook,
                "backward pre hook": model.fc1.register_full_backward_pre_hook}
    if what in register:
        register[what](lambda *args: None)

    def step(x):
        h = model(x)
        if what == "tensor hook":
            h.register_hook(lambda g: g)
        h.sum().backward()
        return h

    with pytest.warns(RuntimeWarning, match="hook"):
        mg.compile(step)(mg.ones(2, 20))


def test_seeding_inside_the_step_runs_eagerly():
    """Replay would not reseed, so the draws after it would differ from eager's."""
    w = mg.tensor(np.ones(4, np.float32), requires_grad=True)

    def f(x):
        mg.manual_seed(3)
        return (F.dropout(w * x, 0.5) ** 2).sum()

    fn = mg.compile(f)
    with pytest.warns(RuntimeWarning, match=r"manual_seed\(\) inside the step"):
        values = [fn(mg.ones(4)).item() for _ in range(4)]
    assert values == [f(mg.ones(4)).item()] * 4
    assert fn.cache_info()["replays"] == 0


def test_lbfgs_step_with_a_closure_runs_eagerly():
    """A closure re-evaluates the loss a data-dependent number of times: not capturable."""
    data = batches(3, 8, 20, 5)

    def run(compiled):
        mg.manual_seed(0)
        model = TwoLayerMLP(20, 16, 5)
        opt = optim.LBFGS(model.parameters(), lr=0.5, max_iter=3)

        def step(x, y):
            def closure():
                opt.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                return loss
            return opt.step(closure)

        fn = mg.compile(step) if compiled else step
        return [fn(mg.tensor(x), mg.tensor(y)).array.copy() for x, y in data], fn

    eager, _ = run(False)
    with pytest.warns(RuntimeWarning, match=r"step\(\) with arguments"):
        compiled, fn = run(True)
    assert_bitwise(compiled, eager)
    assert fn.cache_info()["replays"] == 0


def test_gradient_accumulation_across_calls_is_refused():
    w = mg.tensor(np.ones(3, np.float32), requires_grad=True)

    def accumulate(x):
        (w * x).sum().backward()  # no zero_grad: .grad keeps growing
        return w.grad

    fn = mg.compile(accumulate)
    with pytest.warns(RuntimeWarning, match="adds to .grad"):
        for _ in range(4):
            fn(mg.ones(3))
    np.testing.assert_array_equal(w.grad.array, [4, 4, 4])


def compiled_mlp(optimizer: type, **kwargs) -> tuple:
    """A small TwoLayerMLP and its training step, compiled with fullgraph=True."""
    mg.manual_seed(0)
    model = TwoLayerMLP(20, 16, 5)
    opt = optimizer(model.parameters(), **kwargs)
    return model, mg.compile(make_step(model, opt, compiled=False), fullgraph=True)


def test_versions_are_bumped_and_eager_checks_stay_on():
    model, fn = compiled_mlp(optim.SGD, lr=0.1)
    x, y = mg.ones(8, 20), mg.zeros(8, dtype=mg.int64)
    for _ in range(3):
        fn(x, y)
    loss = F.cross_entropy(model(x), y)  # a graph that saved the weights
    before, replays = model.fc1.weight._version, fn.cache_info()["replays"]
    fn(x, y)
    assert fn.cache_info()["replays"] == replays + 1 and model.fc1.weight._version > before
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_manual_sgd_and_scheduler_and_reseeding_are_followed():
    def run(compiled):
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 8), nn.Dropout(0.2), nn.Linear(8, 3))
        opt = optim.SGD(model.parameters(), lr=0.5)
        sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            with mg.no_grad():  # a manual update on top, recorded as in-place kernels
                for p in model.parameters():
                    p -= 0.01 * p.grad
            return loss

        fn = mg.compile(step, fullgraph=True) if compiled else step
        losses = []
        for i, (x, y) in enumerate(batches(8, 5, 6, 3)):
            if i == 5:
                mg.manual_seed(7)
            losses.append(fn(mg.tensor(x), mg.tensor(y)).array.copy())
            sched.step()
        return losses, [p.array.copy() for p in model.parameters()]

    eager, compiled = run(False), run(True)
    assert_bitwise(compiled[0], eager[0])
    assert_bitwise(compiled[1], eager[1])


@pytest.mark.parametrize("extra", ["scheduler", "clip", "both"])
def test_scheduler_step_and_gradient_clipping_inside_the_step(extra):
    """A scheduler's step() inside fn is replayed as a call (the lr keeps changing), and
    clip_grad_norm_ is captured (no value reaches Python): eager's numbers, no fallback."""
    data = batches(6, 8, 20, 5)

    def run(compiled):
        mg.manual_seed(0)
        model = TwoLayerMLP(20, 16, 5, activation="relu")
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

        def step(x, y):
            opt.zero_grad()
            out = model(x)
            loss = F.cross_entropy(out, y)
            loss.backward()
            norm = None
            if extra != "scheduler":
                norm = nn.utils.clip_grad_norm_(model.parameters(), 0.05)
            opt.step()
            if extra != "clip":
                sched.step()
            return loss, norm, (out.argmax(1) == y).float().mean()

        fn = mg.compile(step, fullgraph=True) if compiled else step
        outs = []
        for x, y in data:
            loss, norm, accuracy = fn(mg.tensor(x), mg.tensor(y))
            lr = np.float64(opt.param_groups[0]["lr"])
            outs += [loss.array.copy(), accuracy.array.copy(), lr]
            outs += [] if norm is None else [norm.array.copy()]
        return outs + [p.array.copy() for p in model.parameters()], fn

    (eager, _), (compiled, fn) = run(False), run(True)
    assert_bitwise(compiled, eager)
    assert fn.cache_info()["replays"] == 4


def test_numpy_inputs_and_structured_outputs():
    w = mg.tensor(np.arange(3, dtype=np.float32), requires_grad=True)

    def f(x):
        y = w * mg.from_numpy(x)
        return {"y": y, "pair": (y.sum(), None)}

    fn = mg.compile(f, fullgraph=True)
    with mg.no_grad():  # outputs with a graph would run eagerly (see the next tests)
        for k in range(4):
            out = fn(np.full(3, k, np.float32))
    np.testing.assert_array_equal(out["y"].array, [0, 3, 6])
    assert out["pair"][0].item() == 9 and out["pair"][1] is None


def test_inputs_are_read_in_place_or_copied_whatever_their_layout():
    """Replay reads a large contiguous input from the caller's array and copies any other
    layout into its buffer; either way, and switching between them, it computes what eager
    does."""
    data = batches(6, 64, 300, 5)  # 77 kB of images: read in place
    strided = lambda x: np.repeat(x, 2, axis=1)[:, ::2]  # noqa: E731
    layouts = [lambda x: x, strided, lambda x: x, strided, lambda x: x, lambda x: x]
    runs = []
    for compiled in (False, True):
        mg.manual_seed(0)
        model = TwoLayerMLP(300, 16, 5)
        step = make_step(model, optim.SGD(model.parameters(), lr=0.1), compiled=compiled)
        runs.append([])
        for layout, (x, y) in zip(layouts, data, strict=True):
            x = layout(x)
            runs[-1].append(step(mg.from_numpy(x), mg.tensor(y)).array.copy())
            if compiled and step.replays:  # the images' buffer, or x itself
                assert (next(iter(step._tapes.values())).bound[0] is x) == x.flags.c_contiguous
        runs[-1] += [p.array.copy() for p in model.parameters()]
    assert_bitwise(runs[1], runs[0])
    assert step.cache_info()["replays"] >= 3


def test_an_input_on_a_buffer_of_the_tape_is_copied_not_read_in_place():
    """Last call's .grad fed back in: the kernels overwrite that buffer while they run, so
    replay copies it first (reading it in place gave other numbers)."""

    def run(compiled):
        mg.manual_seed(0)
        a, b = nn.Linear(300, 300), nn.Linear(300, 300)  # 360 kB inputs: read in place
        opt = optim.SGD([*a.parameters(), *b.parameters()], lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = (a(x) * b(x)).mean()
            loss.backward()
            opt.step()
            return loss

        fn = mg.compile(step, fullgraph=True) if compiled else step
        x, losses = mg.ones(300, 300), []
        for i in range(5):
            losses.append(fn(x).array.copy())
            x = (a if i % 2 else b).weight.grad
        return losses

    assert_bitwise(run(True), run(False))


def test_an_input_written_in_place_changes_the_callers_tensor_as_in_eager():
    w = mg.tensor(np.ones(3, np.float32))

    def f(x):
        x.mul_(2)
        return (w * x).sum()

    fn = mg.compile(f, fullgraph=True)
    for k in range(4):
        x = mg.full((3,), float(k))
        assert fn(x).item() == 6 * k
        np.testing.assert_array_equal(x.array, [2 * k] * 3)


def test_a_value_computed_outside_the_kernels_is_caught():
    w = mg.tensor(np.ones(3, np.float32))

    def f(x):
        scale = mg.tensor(x.array.view(np.ndarray) * 2)  # computed on a plain view
        return w * scale

    fn = mg.compile(f)
    with pytest.warns(RuntimeWarning, match="changed between calls"):
        outs = [fn(mg.full((3,), float(k))).array.copy() for k in range(5)]
    np.testing.assert_array_equal(outs[-1], [8, 8, 8])


class _TransposedPlusOne(mg.autograd.Function):
    """A custom op whose numpy forward writes into np.ascontiguousarray of a transposed view:
    a copy in eager, so the input is untouched."""

    @staticmethod
    def forward(ctx, x):
        y = np.ascontiguousarray(x.array.T)
        y += 1
        return y

    @staticmethod
    def backward(ctx, g):
        return g.T


def test_ascontiguousarray_copies_a_transposed_array_during_capture_too():
    x = mg.arange(6, dtype=mg.float32).reshape(2, 3)
    fn = mg.compile(lambda t: _TransposedPlusOne.apply(t) * 2)
    outs = [fn(x).array.copy() for _ in range(3)]  # capture, then replays
    np.testing.assert_array_equal(x.array, np.arange(6, dtype=np.float32).reshape(2, 3))
    for out in outs:
        np.testing.assert_array_equal(out, (np.arange(6).reshape(2, 3).T + 1) * 2)


def test_replay_warns_no_more_than_eager():
    """Sigmoid of a very negative input overflows exp(-x) on purpose (s = 0, as torch): eager
    silences numpy's warning, and replay runs the same kernels, so it must too."""
    model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid())
    opt = optim.SGD(model.parameters(), lr=0.1)
    with mg.no_grad():
        model[0].weight.fill_(-1.0)

    @mg.compile
    def step(x):
        opt.zero_grad()
        loss = model(x).sum()
        loss.backward()
        opt.step()
        return loss

    x = mg.tensor([[1e4, 1e4], [1.0, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(4):  # capture, capture again to verify, then replays
            step(x)
    assert step.replays == 2


def test_argument_requiring_grad_runs_eagerly():
    x = mg.ones(3, requires_grad=True)
    fn = mg.compile(lambda t: (t * 2).sum())
    with pytest.warns(RuntimeWarning, match="requires grad"):
        fn(x).backward()
    np.testing.assert_array_equal(x.grad.array, [2, 2, 2])


def test_buffers_do_not_grow():
    _, fn = compiled_mlp(optim.Adam, lr=0.01)
    data = batches(4, 8, 20, 5)
    for x, y in data:
        fn(mg.tensor(x), mg.tensor(y))
    size = fn.cache_info()["buffer_bytes"]
    tracemalloc.start()
    for _ in range(3):
        for x, y in data:
            fn(mg.tensor(x), mg.tensor(y))
    gc.collect()  # also empties Python's free lists, whose filling is not growth
    first = tracemalloc.get_traced_memory()[0]
    for _ in range(20):
        for x, y in data:
            fn(mg.tensor(x), mg.tensor(y))
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - first
    tracemalloc.stop()
    assert fn.cache_info()["buffer_bytes"] == size > 0
    assert grown < 20_000


def test_compile_rejects_non_callables():
    with pytest.raises(TypeError, match="expected a function or a Module, got int"):
        mg.compile(3)


def test_train_mnist_compiled_equals_eager(mnist_dir, capsys):
    from models import train_mnist

    argv = ["--data-dir", str(mnist_dir), "--limit", "600", "--epochs", "2", "--quiet",
            "--threads", "1", "--batch-size", "50"]
    for recipe in ("tutorial", "fast"):
        compiled = train_mnist.main(argv + ["--recipe", recipe])
        eager = train_mnist.main(argv + ["--recipe", recipe, "--no-compile"])
        assert compiled["train_loss"] == eager["train_loss"]
        assert compiled["test_acc"] == eager["test_acc"]
    assert "recipe fast, compiled" in capsys.readouterr().out


def test_keyword_arguments_and_a_refused_step_that_returns_nothing_runs_once():
    w = mg.tensor(np.zeros(3, np.float32), requires_grad=True)
    opt = optim.SGD([w], lr=1.0)

    def step(x, *, scale):
        opt.zero_grad()
        (w * x * scale).sum().backward()
        opt.step()

    fn = mg.compile(step, fullgraph=True)
    for _ in range(4):
        assert fn(mg.ones(3), scale=2.0) is None
    np.testing.assert_array_equal(w.array, [-8, -8, -8])
    fn(mg.ones(3), scale=0.5)  # another Python value: captured again
    np.testing.assert_array_equal(w.array, [-8.5, -8.5, -8.5])

    def logged(x):
        opt.zero_grad()
        (w * x).sum().backward()
        opt.step()
        print(float(w.sum()))  # a value reaching Python after the step

    with pytest.warns(RuntimeWarning, match="float"):
        mg.compile(logged)(mg.ones(3))
    np.testing.assert_array_equal(w.array, [-9.5, -9.5, -9.5])  # one step, not two
