"""Pictures of computation graphs: `draw(loss)` shows every leaf and op that produced `loss`.

    from minigrad import viz
    viz.draw(loss, modules=model)              # in Jupyter it displays itself
    viz.draw(loss).save("graph.png")           # or .svg, .pdf; .dot needs no Graphviz

One box per leaf (its parameter name, shape, dtype, value and gradient), one per op node (the
backward's name, as `grad_fn.name()`), arrows from inputs to outputs. The graph is walked through
the node protocol only (`tensor.grad_fn`, `node.inputs`, `tensor._output_nr`, and
`input_version` for tensors written in place), breadth-first
without recursion, so graphs of any depth can be drawn or cut with `max_depth`.

To collapse each part of a model into one box, record its calls while the forward runs:

    with viz.record(model):
        loss = F.cross_entropy(model(x), y)
    viz.draw(loss, modules=model, collapse=True)

The DOT source is built here; only rendering it needs Graphviz (the `dot` program and the
`graphviz` Python package, `pip install "minigrad[viz]"`).
"""

from __future__ import annotations

import os
import tempfile
import weakref
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad.function import input_version
from minigrad.tensor import Tensor

if TYPE_CHECKING:
    from minigrad.function import Function
    from minigrad.nn import Module

__all__ = ["Drawing", "draw", "record"]

INSTALL = ("Graphviz is needed to render the graph: install its dot program (apt-get install "
           "graphviz, brew install graphviz or conda install graphviz) and the Python package "
           "(pip install graphviz, or pip install \"minigrad[viz]\")")
SMALL = 8  # tensors with at most this many elements show their values, larger ones their norm
MAX_NODES = 1000  # beyond this many ops dot takes long and the picture cannot be read

# the look of each kind of box
_STYLE = {
    "param": 'shape=box, style=filled, fillcolor="#cfe2f3"',
    "constant": 'shape=box, style=dashed',
    "op": 'shape=box, style="rounded,filled", fillcolor="#eeeeee"',
    "freed": 'shape=box, style="rounded,dashed"',
    "module": 'shape=box3d, style=filled, fillcolor="#fff2cc"',
    "output": 'shape=box, style=filled, fillcolor="#d9ead3"',
    "cut": 'shape=box, style=dotted',
}


class Drawing:
    """A drawn graph: its DOT `source`, rendered by Graphviz on demand (`save`, `pipe`, and
    `_repr_svg_`, which Jupyter calls to show it inline)."""

    def __init__(self, source: str, nodes: int, edges: int) -> None:
        self.source, self.nodes, self.edges = source, nodes, edges
        self._svg: str | None = None

    def pipe(self, format: str = "svg") -> bytes:
        """The rendered image (svg, png, pdf, ...), or a RuntimeError saying how to install
        Graphviz when it is missing."""
        try:
            import graphviz
        except ImportError:
            raise RuntimeError(f"the graphviz Python package is not installed. {INSTALL}. "
                               "The DOT source is in .source.") from None
        try:
            return graphviz.Source(self.source).pipe(format=format)
        except graphviz.ExecutableNotFound:
            raise RuntimeError(f"Graphviz's dot program was not found on PATH. {INSTALL}. "
                               "The DOT source is in .source.") from None

    def save(self, path: str | os.PathLike) -> Path:
        """Write the picture in the format its suffix names (.png, .svg, .pdf), or the DOT source
        for .dot/.gv, atomically; returns the path."""
        path = Path(path)
        fmt = path.suffix.lstrip(".").lower()
        if not fmt:
            raise ValueError(f"save: {os.fspath(path)!r} has no suffix; use .png, .svg, .pdf or "
                             ".dot")
        data = self.source.encode() if fmt in ("dot", "gv") else self.pipe(fmt)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        return path

    def renderable(self) -> str | None:
        """None when Graphviz can render, else the message saying what to install."""
        if self._svg is None:
            try:
                self._svg = self.pipe("svg").decode()
            except RuntimeError as e:
                return str(e)
        return None

    def _repr_svg_(self) -> str | None:
        """The picture for Jupyter; None without Graphviz, so Jupyter shows __repr__ (the
        install advice and the source) instead."""
        return None if self.renderable() else self._svg

    def __repr__(self) -> str:
        head = f"<minigrad.viz.Drawing: {self.nodes} boxes, {self.edges} arrows>"
        problem = self.renderable()
        return head if problem is None else f"{head}\n{problem}\n{self.source}"


def draw(tensor: Tensor, *, modules: Module | None = None,
         params: Mapping[str, Tensor] | None = None, values: bool = True, grads: bool = True,
         constants: bool = False, collapse: bool = False, notes: Mapping[str, str] | None = None,
         max_depth: int | None = None, max_nodes: int | None = MAX_NODES) -> Drawing:
    """The graph that produced `tensor`, from its leaves to it.

    modules/params name the leaves (`fc1.weight`: from `modules.named_parameters()`, or a
    {name: tensor} mapping); values/grads show each leaf's data and `.grad` (the values of
    tensors with at most SMALL elements, else the norm); constants draws inputs that need no
    gradient (data, labels, constants); collapse draws each call of a child of `modules`, as
    recorded by `record(modules)`, as one box; notes adds lines to the box of the leaf of that
    name. Ops more than max_depth steps from the output are left out (one box counts them), and
    a drawing of more than max_nodes ops is refused: dot would take minutes to lay it out."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"draw: expected a Tensor, got {type(tensor).__name__}")
    if max_depth is not None and (type(max_depth) is not int or max_depth < 0):
        raise ValueError(f"draw: max_depth must be a non-negative int or None, got {max_depth!r}")
    names = _leaf_names(modules, params)
    unknown = sorted(set(notes or ()) - set(names.values()))
    if unknown:
        raise ValueError(f"draw: notes name {', '.join(unknown)}, which are not leaves named by "
                         "modules= or params=")
    calls = _recording_of(modules) if collapse else None
    root = tensor.grad_fn
    if root is not None and getattr(root, "_freed", False):
        raise RuntimeError("draw: the graph behind this tensor was freed by backward(); draw it "
                           "before backward, or call backward(retain_graph=True) to keep it")
    depths = _depths(root)
    drawn = [n for n, d in depths.items() if max_depth is None or d < max_depth]
    if max_nodes is not None and len(drawn) > max_nodes:
        deepest = max(depths.values())
        raise ValueError(
            f"draw: the graph has {len(drawn)} ops to draw (ops up to {deepest + 1} steps from "
            f"the output), more than max_nodes={max_nodes}; pass max_depth=50 to draw only the "
            "ops nearest the output (the rest become one box), or max_nodes=None to draw them "
            "all (dot may take minutes)")
    return _Builder(names, values, grads, constants, calls, notes or {}).build(
        tensor, drawn, len(depths) - len(drawn), max_depth)


def _leaf_names(modules: Module | None, params: Mapping[str, Tensor] | None) -> dict[int, str]:
    """id(tensor) -> its name, for parameters and buffers of modules and for params."""
    names: dict[int, str] = {}
    if modules is not None:
        if not hasattr(modules, "named_parameters"):
            raise TypeError(f"draw: modules must be an nn.Module, got {type(modules).__name__}")
        for name, t in [*modules.named_parameters(), *modules.named_buffers()]:
            names.setdefault(id(t), name)
    for name, t in (params or {}).items():
        if not isinstance(t, Tensor):
            raise TypeError(f"draw: params[{name!r}] is a {type(t).__name__}, not a Tensor")
        names[id(t)] = name
    return names


def _tensor_inputs(node: Function) -> Iterator[Tensor]:
    """The Tensors among the forward arguments of node (the node protocol's `inputs`), each as
    node took it: an in-place write made later gives the tensor a newer grad_fn."""
    return (input_version(a, node._sequence_nr) for a in node.inputs if isinstance(a, Tensor))


def _depths(root: Function | None) -> dict[Function, int]:
    """Every op node behind root, breadth-first, with its distance in ops from root (0)."""
    if root is None:
        return {}
    depths = {root: 0}
    queue = [root]
    for node in queue:  # the list grows as it is read: a queue without recursion
        for t in _tensor_inputs(node):
            source = t.grad_fn
            if source is not None and source not in depths:
                depths[source] = depths[node] + 1
                queue.append(source)
    return depths


class _Builder:
    """Writes the DOT source: boxes first, then arrows, in the order they were found."""

    def __init__(self, names: dict[int, str], values: bool, grads: bool, constants: bool,
                 calls: ModuleCalls | None, notes: Mapping[str, str]) -> None:
        self.names, self.values, self.grads, self.constants = names, values, grads, constants
        self.calls, self.notes = calls, notes
        self.boxes: dict[Any, tuple[str, str]] = {}  # key -> (id, DOT attributes)
        self.arrows: dict[tuple[str, str, str], None] = {}  # ordered set of (from, to, label)
        self.module_lines: dict[int, list[str]] = {}  # call index -> its leaves' lines
        self.listed: set[int] = set()  # ids of the leaves already listed in a module's box
        self.module_ops: dict[int, dict[str, None]] = {}  # call index -> its ops' names, in order

    def build(self, root: Tensor, drawn: list[Function], cut: int,
              max_depth: int | None) -> Drawing:
        drawn_set = set(drawn)
        for node in drawn:  # boxes numbered from the output back
            self._op_box(node)

        def arrow(t: Tensor, target: str) -> None:
            """From the box that makes t (a leaf, an op, or the cut-off rest) to target."""
            source = t.grad_fn
            if source is None:
                start = self._leaf_box(t)
            elif source in drawn_set:
                start = self._op_box(source)
            else:
                start = self._box("cut", "cut", f"{cut} more ops\n(max_depth={max_depth})")
            if start is not None and start != target:
                self.arrows[start, target, self._output_label(t)] = None

        for node in drawn:
            if not getattr(node, "_freed", False):
                target = self._op_box(node)
                for t in _tensor_inputs(node):
                    arrow(t, target)
        arrow(root, self._box("output", "output",
                              self._tensor_lines("output", root, show_grad=False)))
        for k, lines in self.module_lines.items():
            box_id = self.boxes["module", k][0]
            kind = type(self.calls.modules[k]).__name__
            ops = list(self.module_ops[k])
            ops_line = ", ".join(ops[:3]) + (f" and {len(ops) - 3} more" if len(ops) > 3 else "")
            head = [f"{self.calls.names[k]}: {kind}"] + ([f"({ops_line})"] if ops else [])
            label = "\n".join(head + lines)
            self.boxes["module", k] = box_id, f"{_STYLE['module']}, label={_quote(label)}"
        return self._source()

    def _box(self, key: Any, kind: str, label: str) -> str:
        if key not in self.boxes:
            self.boxes[key] = (f"n{len(self.boxes)}", f"{_STYLE[kind]}, label={_quote(label)}")
        return self.boxes[key][0]

    def _op_box(self, node: Function) -> str:
        call = self.calls.call_of_node(node) if self.calls else None
        if call is not None:
            box = self._module_box(call)
            self.module_ops[call].setdefault(node.name(), None)
            return box
        if getattr(node, "_freed", False):
            return self._box(("op", id(node)), "freed", f"{node.name()}\n(freed by backward)")
        shapes = [f"{_shape(shape)} {np.dtype(dtype).name}"
                  for shape, dtype in getattr(node, "_outputs", ())]
        return self._box(("op", id(node)), "op", "\n".join([node.name(), *shapes]))

    def _module_box(self, call: int) -> str:
        self.module_lines.setdefault(call, [])
        self.module_ops.setdefault(call, {})
        return self._box(("module", call), "module", "")

    def _leaf_box(self, t: Tensor) -> str | None:
        if not t.requires_grad and not self.constants:
            return None
        name = self.names.get(id(t))
        call = self.calls.call_of_leaf(t) if self.calls else None
        if call is None:
            kind = "param" if t.requires_grad else "constant"
            label = self._tensor_lines(name or ("leaf" if t.requires_grad else "constant"), t,
                                       show_grad=True)
            return self._box(("leaf", id(t)), kind, label)
        box = self._module_box(call)
        if id(t) not in self.listed:  # each leaf once in its module's box, by its short name
            self.listed.add(id(t))
            prefix = self.calls.names[call] + "."
            short = name[len(prefix):] if name and name.startswith(prefix) else name or "tensor"
            lines = self._tensor_lines(short, t, show_grad=True)
            self.module_lines[call].append(lines.replace("\n", ", "))
        return box

    def _tensor_lines(self, name: str, t: Tensor, show_grad: bool) -> str:
        lines = [f"{name} {_shape(t.shape)} {t.dtype.name}"]
        if self.values:
            lines.append("data " + _summary(t.array))
        if show_grad and self.grads and t.grad is not None:
            lines.append("grad " + _summary(t.grad.array))
        if name in self.notes:
            lines.append(self.notes[name])
        return "\n".join(lines)

    @staticmethod
    def _output_label(t: Tensor) -> str:
        """Which output of a multi-output op an arrow carries."""
        node = t.grad_fn
        many = node is not None and len(getattr(node, "_outputs", ())) > 1
        return f"[{t._output_nr}]" if many else ""

    def _source(self) -> Drawing:
        lines = ["digraph minigrad {", '  graph [rankdir=TB, fontname="Helvetica"];',
                 '  node [fontname="Helvetica", fontsize=11];',
                 '  edge [fontname="Helvetica", fontsize=9];']
        lines += [f"  {i} [{attrs}];" for i, attrs in self.boxes.values()]
        for start, end, label in self.arrows:
            lines.append(f"  {start} -> {end}" + (f" [label={_quote(label)}];" if label else ";"))
        return Drawing("\n".join([*lines, "}"]) + "\n", len(self.boxes), len(self.arrows))


def _shape(shape: tuple[int, ...]) -> str:
    return str(tuple(shape))


def _summary(a: np.ndarray) -> str:
    """All values of a small array (on one line), else its norm."""
    if a.size <= SMALL:
        return np.array2string(a, precision=4, separator=", ").replace("\n", "")
    if a.dtype.kind not in "fc":
        return f"min {a.min()} max {a.max()}"
    return f"norm {float(np.linalg.norm(a.astype(np.float64).ravel())):.4g}"


def _quote(text: str) -> str:
    """A DOT string: backslashes and quotes escaped, lines centred."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# *** module calls ***
class ModuleCalls:
    """The calls of a model's children recorded by `record(model)`: which ops and leaves each
    call made. A call holds the ops between its tensor arguments and its output, found by walking
    back from the output when the call returns (a forward hook) and stopping at the arguments
    and at ops an earlier call already holds."""

    def __init__(self, model: Module) -> None:
        self.model = model
        self.names: list[str] = []  # per call: the child's name (`fc1`, `fc1 #2` when repeated)
        self.modules: list[Module] = []  # per call: the child
        self._nodes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # node -> call
        self._leaves: dict[int, tuple[weakref.ref, int]] = {}  # id(leaf) -> (leaf, call)
        self._handles: list = []

    def call_of_node(self, node: Function) -> int | None:
        return self._nodes.get(node)

    def call_of_leaf(self, t: Tensor) -> int | None:
        ref, call = self._leaves.get(id(t), (None, None))
        return call if ref is not None and ref() is t else None

    def __enter__(self) -> ModuleCalls:
        for name, child in self.model.named_children():
            self._handles.append(child.register_forward_hook(self._hook(name)))
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def _hook(self, name: str) -> Any:
        def hook(module: Module, args: tuple, output: Any) -> None:
            repeat = sum(n == name or n.startswith(name + " #") for n in self.names)
            self.names.append(f"{name} #{repeat + 1}" if repeat else name)
            self.modules.append(module)
            self._claim(len(self.names) - 1, args, output)
        return hook

    def _claim(self, call: int, args: tuple, output: Any) -> None:
        stops = {_tensor_key(a) for a in args if isinstance(a, Tensor)}
        outputs = output if isinstance(output, (tuple, list)) else (output,)
        stack = [t for t in outputs if isinstance(t, Tensor)]
        while stack:
            t = stack.pop()
            if _tensor_key(t) in stops:
                continue
            node = t.grad_fn
            if node is None:
                if id(t) not in self._leaves:
                    self._leaves[id(t)] = (weakref.ref(t), call)
            elif node not in self._nodes:
                self._nodes[node] = call
                stack.extend(_tensor_inputs(node))


def _tensor_key(t: Tensor) -> Any:
    """A tensor as the graph knows it: its (node, output index), or itself for a leaf."""
    return (t.grad_fn, t._output_nr) if t.grad_fn is not None else id(t)


_recordings: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> ModuleCalls


def record(model: Module) -> ModuleCalls:
    """A context manager recording the calls of model's children while a forward runs, so
    `draw(..., modules=model, collapse=True)` can draw each call as one box."""
    if not hasattr(model, "named_children"):
        raise TypeError(f"record: expected an nn.Module, got {type(model).__name__}")
    _recordings[model] = calls = ModuleCalls(model)
    return calls


def _recording_of(modules: Module | None) -> ModuleCalls:
    if modules is None:
        raise ValueError("draw: collapse=True needs modules=model, with the forward run inside "
                         "`with viz.record(model):`")
    if modules not in _recordings:
        raise ValueError(f"draw: collapse=True needs the calls of the {type(modules).__name__}'s "
                         "children: run its forward inside `with viz.record(model):` first")
    return _recordings[modules]
