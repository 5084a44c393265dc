"""minigrad.viz: the boxes and arrows drawn for graphs of every kind (counted in the DOT source),
module names and collapsed module calls, depth limits on long chains, rendering through
Graphviz, and the DOT source with install advice when Graphviz is missing."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys

import numpy as np
import pytest

import minigrad as mg
from minigrad import Function, nn, viz
from minigrad.nn import functional as F
from models.mlp import TwoLayerMLP
from tests.helpers import NumpySquare


def leaf(values, dtype=np.float64) -> mg.Tensor:
    return mg.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def boxes(d: viz.Drawing) -> dict[str, str]:
    """Box id -> its label, with DOT's escaped line breaks turned back into newlines."""
    found = dict(re.findall(r'^  (n\d+) \[.*label="((?:[^"\\]|\\.)*)"\];$', d.source, re.M))
    return {k: v.replace("\\n", "\n") for k, v in found.items()}


def arrows(d: viz.Drawing) -> list[tuple[str, str, str]]:
    """(from label's first line, to label's first line, arrow label) for every arrow."""
    first = {k: v.split("\n")[0] for k, v in boxes(d).items()}
    return [(first[a], first[b], label) for a, b, label in
            re.findall(r'^  (n\d+) -> (n\d+)(?: \[label="([^"]*)"\])?;$', d.source, re.M)]


def first_lines(d: viz.Drawing) -> list[str]:
    return sorted(v.split("\n")[0] for v in boxes(d).values())


def test_broadcasting_graph_names_shapes_values_and_gradients():
    a, b, c = leaf([[1.0], [2.0], [3.0]]), leaf([[1.0, -1.0, 0.5, 2.0]]), leaf(0.5)
    y = (a * b + c).sum()
    y.backward(retain_graph=True)
    d = viz.draw(y, params={"a": a, "b": b, "c": c})
    assert (d.nodes, d.edges) == (7, 6)
    assert len(boxes(d)) == 7 and len(arrows(d)) == 6
    assert first_lines(d) == ["AddBackward", "MulBackward", "SumBackward", "a (3, 1) float64",
                              "b (1, 4) float64", "c () float64", "output () float64"]
    assert sorted(arrows(d)) == sorted([
        ("a (3, 1) float64", "MulBackward", ""), ("b (1, 4) float64", "MulBackward", ""),
        ("MulBackward", "AddBackward", ""), ("c () float64", "AddBackward", ""),
        ("AddBackward", "SumBackward", ""), ("SumBackward", "output () float64", "")])
    labels = boxes(d).values()
    assert "MulBackward\n(3, 4) float64" in labels  # the op's broadcast output
    # a's gradient is the sum of b over the broadcast dim: 2.5 in every row
    assert "a (3, 1) float64\ndata [[1.], [2.], [3.]]\ngrad [[2.5], [2.5], [2.5]]" in labels
    assert "c () float64\ndata 0.5\ngrad 12." in labels
    assert "output () float64\ndata 21." in labels  # 2.5 * (1 + 2 + 3) + 12 * 0.5


def test_values_and_grads_can_be_hidden_and_big_tensors_show_norms():
    w = leaf(np.arange(12.0).reshape(3, 4))
    y = (w * 2).sum()
    y.backward(retain_graph=True)
    labels = list(boxes(viz.draw(y, params={"w": w})).values())
    assert f"w (3, 4) float64\ndata norm {np.linalg.norm(np.arange(12.0)):.4g}\n" \
           f"grad norm {np.sqrt(12 * 4):.4g}" in labels
    bare = list(boxes(viz.draw(y, params={"w": w}, values=False, grads=False)).values())
    assert "w (3, 4) float64" in bare and "output () float64" in bare


def test_unnamed_leaves_and_constants():
    x = leaf([1.0, 2.0])
    y = (x * mg.tensor([3.0, 4.0], dtype=np.float64)).sum()
    d = viz.draw(y)
    assert first_lines(d) == ["MulBackward", "SumBackward", "leaf (2,) float64",
                              "output () float64"]
    with_constants = viz.draw(y, constants=True)
    assert (with_constants.nodes, with_constants.edges) == (d.nodes + 1, d.edges + 1)
    assert "constant (2,) float64\ndata [3., 4.]" in boxes(with_constants).values()


class Halves(Function):
    """Two outputs: the first and second half of x."""

    @staticmethod
    def forward(ctx, x):
        n = len(x.array) // 2
        return x.array[:n].copy(), x.array[n:].copy()

    @staticmethod
    def backward(ctx, g_first, g_second):
        return np.concatenate([g_first.array, g_second.array])


def test_multi_output_op_arrows_say_which_output():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    first, second = Halves.apply(x)
    y = (first * second).sum()
    d = viz.draw(y, params={"x": x})
    assert (d.nodes, d.edges) == (5, 5)
    assert sorted(arrows(d)) == sorted([
        ("x (4,) float64", "HalvesBackward", ""), ("HalvesBackward", "MulBackward", "[0]"),
        ("HalvesBackward", "MulBackward", "[1]"), ("MulBackward", "SumBackward", ""),
        ("SumBackward", "output () float64", "")])
    assert "HalvesBackward\n(2,) float64\n(2,) float64" in boxes(d).values()


def test_a_tensor_used_twice_gets_one_arrow():
    x = leaf([1.0, 2.0])
    d = viz.draw((x * x).sum())
    assert arrows(d).count(("leaf (2,) float64", "MulBackward", "")) == 1
    assert d.edges == 3  # the same arrow drawn once: x -> Mul, Mul -> Sum, Sum -> output


def test_retain_graph_keeps_the_graph_drawable_and_a_freed_one_is_refused():
    x = leaf([1.0, 2.0])
    y = (x.sigmoid() * 3).sum()
    y.backward(retain_graph=True)
    kept = viz.draw(y, params={"x": x})
    assert first_lines(kept) == ["MulBackward", "SigmoidBackward", "SumBackward",
                                 "output () float64", "x (2,) float64"]
    s = 1 / (1 + np.exp(-x.array))
    assert f"grad {np.array2string(3 * s * (1 - s), precision=4, separator=', ')}" in \
        boxes(kept)[next(k for k, v in boxes(kept).items() if v.startswith("x "))]
    y.backward()  # frees what the ops saved; SumBackward saved nothing and is kept, as in torch
    assert first_lines(viz.draw(y)) == ["MulBackward", "SumBackward", "output () float64"]
    assert "MulBackward\n(freed by backward)" in boxes(viz.draw(y)).values()
    m = x.sigmoid()
    m.sum().backward()
    with pytest.raises(RuntimeError, match=r"freed by backward\(\).*retain_graph=True"):
        viz.draw(m)


def test_a_tensor_written_in_place_feeds_each_op_the_version_it_took():
    x = leaf([1.0, 2.0, 3.0])
    h = x * 2
    a = h * 3  # takes h before the write
    h[0] = 5.0  # h is now the output of SetItemBackward
    d = viz.draw((a + h).sum(), params={"x": x})
    assert (d.nodes, d.edges) == (7, 7)
    ids = {v.split("\n")[0]: k for k, v in boxes(d).items() if not v.startswith("Mul")}
    muls = [k for k, v in boxes(d).items() if v.startswith("Mul")]
    first_mul = next(k for k in muls if f"  {ids['x (3,) float64']} -> {k};" in d.source)
    later_mul = next(k for k in muls if k != first_mul)
    setitem = ids["SetItemBackward"]
    assert f"  {first_mul} -> {later_mul};" in d.source  # h = x * 2 feeds a = h * 3
    assert f"  {first_mul} -> {setitem};" in d.source
    assert f"  {setitem} -> {later_mul};" not in d.source
    assert sorted(arrows(d)).count(("SetItemBackward", "AddBackward", "")) == 1


def test_partly_freed_graph_marks_the_freed_ops():
    x = leaf([1.0, 2.0])
    h = x.exp()
    h.sum().backward()  # frees ExpBackward, not the op built on h afterwards
    d = viz.draw((h * 2).sum())
    assert "ExpBackward\n(freed by backward)" in boxes(d).values()
    assert first_lines(d) == ["ExpBackward", "MulBackward", "SumBackward", "output () float64"]


def test_second_order_graph_of_a_gradient():
    x = leaf([1.0, 2.0])
    (g,) = mg.grad((x**3).sum(), x, create_graph=True)
    d = viz.draw(g, params={"x": x})
    names = first_lines(d)
    assert "x (2,) float64" in names and "output (2,) float64" in names
    assert "PowBackward" in names  # the backward of x^3 is built from x^2, itself on the graph
    assert "output (2,) float64\ndata [ 3., 12.]" in boxes(d).values()
    (gg,) = mg.grad(g.sum(), x, create_graph=True)
    assert viz.draw(gg).nodes > 2


def test_custom_function_is_drawn_by_its_backward_name():
    x = leaf([1.0, -2.0])
    y = NumpySquare.apply(x).sum()
    y.backward(retain_graph=True)
    d = viz.draw(y, params={"x": x})
    assert first_lines(d) == ["NumpySquareBackward", "SumBackward", "output () float64",
                              "x (2,) float64"]
    assert "x (2,) float64\ndata [ 1., -2.]\ngrad [ 2., -4.]" in boxes(d).values()
    assert NumpySquare.apply(x).grad_fn.name() == "NumpySquareBackward"


def test_op_names_match_pytorch_grad_fn_names(torch):
    a, b = leaf([[1.0], [2.0]]), leaf([[0.5, -1.0, 2.0]])
    y = ((a * b + 1).sigmoid().exp() - a).sum()
    ours = [n for n in first_lines(viz.draw(y)) if n.endswith("Backward")]
    ta = torch.tensor(a.array, requires_grad=True)
    tb = torch.tensor(b.array, requires_grad=True)
    ty = ((ta * tb + 1).sigmoid().exp() - ta).sum()
    theirs, stack = set(), [ty.grad_fn]
    while stack:
        node = stack.pop()
        if node is not None and type(node).__name__ != "AccumulateGrad":
            theirs.add(node.name().rstrip("0123456789"))
            stack.extend(n for n, _ in node.next_functions)
    assert sorted(ours) == sorted(theirs)


# *** modules ***
def small_mlp() -> tuple[TwoLayerMLP, mg.Tensor, mg.Tensor]:
    mg.manual_seed(0)
    model = TwoLayerMLP(in_features=6, hidden=5, out_features=3)
    x = mg.tensor(np.random.default_rng(0).random((4, 6)).astype(np.float32))
    return model, x, mg.tensor(np.array([0, 2, 1, 2]))


def test_module_parameters_are_drawn_under_their_dotted_names():
    model, x, labels = small_mlp()
    loss = F.cross_entropy(model(x), labels)
    loss.backward(retain_graph=True)
    d = viz.draw(loss, modules=model)
    assert first_lines(d) == [
        "CrossEntropyBackward", "LinearBackward", "LinearBackward", "SigmoidBackward",
        "fc1.bias (5,) float32", "fc1.weight (5, 6) float32", "fc2.bias (3,) float32",
        "fc2.weight (3, 5) float32", "output () float32"]
    assert d.edges == 8
    grad = np.linalg.norm(model.fc1.weight.grad.array.astype(np.float64))
    assert any(v.startswith("fc1.weight") and f"grad norm {grad:.4g}" in v
               for v in boxes(d).values())
    with_data = viz.draw(loss, modules=model, constants=True)
    assert "constant (4, 6) float32" in first_lines(with_data)
    assert "constant (4,) int64\ndata [0, 2, 1, 2]" in boxes(with_data).values()


def test_notes_are_added_to_the_named_leaf_and_unknown_names_refused():
    model, x, labels = small_mlp()
    loss = F.cross_entropy(model(x), labels)
    d = viz.draw(loss, modules=model, notes={"fc2.bias": "hand-derived: same"})
    assert any(v.startswith("fc2.bias") and v.endswith("\nhand-derived: same")
               for v in boxes(d).values())
    with pytest.raises(ValueError, match="fc3.bias"):
        viz.draw(loss, modules=model, notes={"fc3.bias": "?"})


def test_collapse_draws_each_child_call_as_one_box_with_its_parameters():
    model, x, labels = small_mlp()
    with viz.record(model):
        loss = F.cross_entropy(model(x), labels)
    loss.backward(retain_graph=True)
    d = viz.draw(loss, modules=model, collapse=True)
    assert first_lines(d) == ["CrossEntropyBackward", "act: Sigmoid", "fc1: Linear",
                              "fc2: Linear", "output () float32"]
    assert sorted(arrows(d)) == sorted([
        ("fc1: Linear", "act: Sigmoid", ""), ("act: Sigmoid", "fc2: Linear", ""),
        ("fc2: Linear", "CrossEntropyBackward", ""),
        ("CrossEntropyBackward", "output () float32", "")])
    fc1 = next(v for v in boxes(d).values() if v.startswith("fc1"))
    ops, weight, bias = fc1.split("\n")[1:]
    assert ops == "(LinearBackward)"
    assert weight == (f"weight (5, 6) float32, "
                      f"data norm {np.linalg.norm(model.fc1.weight.array):.4g}, "
                      f"grad norm {np.linalg.norm(model.fc1.weight.grad.array):.4g}")
    assert bias.startswith("bias (5,) float32, data [0., 0., 0., 0., 0.], grad [")
    # the hooks are gone once the block ends: a new forward is not recorded
    assert not model.fc1._forward_hooks


def test_collapse_keeps_ops_outside_the_children_and_numbers_repeated_calls():
    layer = nn.Linear(3, 3, dtype=np.float64)
    model = nn.Sequential(layer, nn.Tanh())
    x = leaf(np.ones((2, 3)))
    with viz.record(model):
        h = model(x)
        y = (model(h * 2) + x).sum()  # called twice; *2, + and sum are outside its children
    d = viz.draw(y, modules=model, collapse=True)
    assert first_lines(d) == ["0 #2: Linear", "0: Linear", "1 #2: Tanh", "1: Tanh",
                              "AddBackward", "MulBackward", "SumBackward", "leaf (2, 3) float64",
                              "output () float64"]
    # the shared parameters are listed in the first call's box, which feeds the second
    assert ("0: Linear", "0 #2: Linear", "") in arrows(d)
    assert "weight (3, 3) float64" in next(v for v in boxes(d).values() if v.startswith("0:"))
    assert "1 #2: Tanh\n(TanhBackward)" in boxes(d).values()
    assert ("leaf (2, 3) float64", "AddBackward", "") in arrows(d)


def test_collapse_needs_a_recording():
    model, x, labels = small_mlp()
    loss = F.cross_entropy(model(x), labels)
    with pytest.raises(ValueError, match=r"viz.record\(model\)"):
        viz.draw(loss, modules=TwoLayerMLP(6, 5, 3), collapse=True)
    with pytest.raises(ValueError, match="modules=model"):
        viz.draw(loss, collapse=True)
    with pytest.raises(TypeError, match="nn.Module"):
        viz.draw(loss, modules={"w": model.fc1.weight})
    with pytest.raises(TypeError, match="expected a Tensor"):
        viz.draw(np.ones(3))


# *** big graphs ***
def chain(n: int) -> tuple[mg.Tensor, mg.Tensor]:
    x = leaf([1.0, 2.0])
    y = x
    for _ in range(n):
        y = y * 1.0001
    return x, y.sum()


@pytest.fixture
def low_recursion_limit():
    """A stack far shorter than the graphs drawn: walking them recursively would fail."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(300)
    yield
    sys.setrecursionlimit(limit)


def test_a_10000_op_chain_is_refused_with_advice_or_cut_by_max_depth(low_recursion_limit):
    x, y = chain(10_000)
    with pytest.raises(ValueError, match=r"10001 ops.*max_nodes=1000.*max_depth="):
        viz.draw(y)
    d = viz.draw(y, max_depth=20, params={"x": x})
    assert first_lines(d).count("MulBackward") == 19
    assert "9981 more ops\n(max_depth=20)" in boxes(d).values()
    assert "x (2,) float64" not in first_lines(d)
    assert (d.nodes, d.edges) == (22, 21)
    everything = viz.draw(y, max_nodes=None)
    assert (everything.nodes, everything.edges) == (10_003, 10_002)


def test_max_depth_zero_and_bad_values():
    x, y = chain(3)
    d = viz.draw(y, max_depth=0)
    assert first_lines(d) == ["4 more ops", "output () float64"]
    with pytest.raises(ValueError, match="max_depth"):
        viz.draw(y, max_depth=-1)


def test_a_leaf_alone():
    x = leaf([1.0])
    assert first_lines(viz.draw(x, params={"x": x})) == ["output (1,) float64",
                                                         "x (1,) float64"]


# *** rendering ***
needs_graphviz = pytest.mark.skipif(
    shutil.which("dot") is None or importlib.util.find_spec("graphviz") is None,
    reason="Graphviz (dot and the graphviz package) is not installed: apt-get install graphviz")


@needs_graphviz
def test_renders_png_and_svg(tmp_path):
    model, x, labels = small_mlp()
    d = viz.draw(F.cross_entropy(model(x), labels), modules=model)
    png = d.save(tmp_path / "graph.png")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    svg = d.save(tmp_path / "sub" / "graph.svg").read_text()
    assert "<svg" in svg and "fc1.weight" in svg
    assert d._repr_svg_().startswith(svg[:20]) and "fc2.bias" in d._repr_svg_()
    assert d.renderable() is None
    assert repr(d) == f"<minigrad.viz.Drawing: {d.nodes} boxes, {d.edges} arrows>"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["graph.png", "graph.svg", "sub"]


def test_without_dot_the_source_comes_with_install_advice(tmp_path, monkeypatch):
    x = leaf([1.0])
    d = viz.draw((x * 2).sum())
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot program to be found
    with pytest.raises(RuntimeError, match="dot program was not found.*apt-get install graphviz"):
        d.save(tmp_path / "graph.png")
    assert not (tmp_path / "graph.png").exists()
    assert d._repr_svg_() is None  # so Jupyter shows the repr: advice and source
    assert "apt-get install graphviz" in repr(d) and d.source in repr(d)
    assert d.save(tmp_path / "graph.dot").read_text() == d.source
    with pytest.raises(ValueError, match="no suffix"):
        d.save(tmp_path / "graph")


def test_without_the_graphviz_package_the_source_comes_with_install_advice(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz now fails
    d = viz.draw((leaf([1.0]) * 2).sum())
    with pytest.raises(RuntimeError, match=r"pip install graphviz.*minigrad\[viz\]"):
        d.pipe("svg")
    assert "MulBackward" in d.source and "pip install graphviz" in d.renderable()


# *** models.compare --draw ***
def compare_draw(folder) -> None:
    from models import compare

    compare.main(["--batch", "8", "--hidden", "16", "--steps", "1", "--draw", str(folder)])


def test_compare_draws_both_gradients_at_each_parameter(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # without dot: the DOT source, and why
    compare_draw(tmp_path)
    out = capsys.readouterr().out
    assert "apt-get install graphviz" in out and f"wrote {tmp_path / 'graph.dot'}" in out
    labels = boxes(viz.Drawing((tmp_path / "graph.dot").read_text(), 0, 0))
    params = {v.split(" ")[0]: v for v in labels.values() if v.startswith("fc")}
    assert sorted(params) == ["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"]
    for label in params.values():
        autograd = re.search(r"\ngrad norm (\S+)", label).group(1)
        assert f"\nhand-derived grad norm {autograd}\n" in label
        assert float(re.search(r"max \|autograd - hand\| (\S+)$", label).group(1)) < 1e-15
    assert {"images (8, 784) float64", "labels (8,) int64"} <= set(first_lines(
        viz.Drawing((tmp_path / "graph.dot").read_text(), 0, 0)))


@needs_graphviz
def test_compare_writes_the_png(tmp_path):
    compare_draw(tmp_path)
    assert (tmp_path / "graph.png").read_bytes().startswith(b"\x89PNG")
