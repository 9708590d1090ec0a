"""The model as a graph to draw: boxes, edges labelled with the shapes that flow, and their layout.

`graph(model)` gathers what the picture says (one box per layer with its
name, type, output shape and parameters; one edge per tensor a call reads,
labelled with its shape; a shared layer is one box with each call's edges;
`expand` opens wrappers into their inner layers). `scene(graph)` places it
with the layered method of `gather/layout.py` (Graphviz dot's method in pure
Python, no Graphviz) and returns a `Scene` that `render/svg.py` writes out;
`render/dot.py` writes the same graph as Graphviz or Mermaid text.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstmcalc.gather.layout import layout
from lstmcalc.gather.scene import LINE_H, PAD, Rect, Scene, Text, text_width
from lstmcalc.gather.scene import Arrow as SceneArrow
from lstmcalc.graph.build import INPUT, LayerRecord, Model
from lstmcalc.graph.refs import TensorRef
from lstmcalc.shapes import fmt_shape

CHILD_GAP = 10.0


@dataclass(frozen=True)
class Inner:
    """A layer inside a wrapper (Bidirectional's forward and backward layers), shown with --expand."""

    role: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Box:
    id: str
    name: str
    kind: str  # input | layer | output
    lines: tuple[str, ...]  # name, type, output shape(s), parameters
    inner: tuple[Inner, ...] = ()


@dataclass(frozen=True)
class Edge:
    source: str  # box ids
    target: str
    label: tuple[str, ...]  # one line per tensor: `[1] (None, 256)`, `initial_state [2] (None, 256)`


@dataclass(frozen=True)
class Graph:
    title: str
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]


def _shape_lines(r: LayerRecord) -> list[str]:
    if isinstance(r.output_shape, list):
        return [f"[{i}] {fmt_shape(s)}" for i, s in enumerate(r.output_shape)]
    return [fmt_shape(r.output_shape)]


def _params(r: LayerRecord) -> str:
    frozen = f" ({r.non_trainable_params:,} frozen)" if r.non_trainable_params else ""
    return f"params: {r.params:,}{frozen}"


def _box(k: int, r: LayerRecord, outputs: set[str], expand: bool) -> Box:
    kind = "input" if r.type is INPUT else "output" if r.name in outputs else "layer"
    lines = [r.name, r.display_type, *_shape_lines(r)]
    if r.type is not INPUT:
        lines.append(_params(r))
    if len(r.nodes) > 1:
        lines.append(f"shared: called {len(r.nodes)} times")
    if r.children and r.args.get("merge_mode", "-") != "-":
        lines.append(f"merge_mode: {r.args.merge_mode}")
    inner = ()
    if expand and r.children:
        inner = tuple(Inner(c.role or "", (c.role or "", c.name, c.display_type, *_shape_lines(c), _params(c)))
                      for c in r.children)
    return Box(f"b{k}", r.name, kind, tuple(lines), inner)


def _label(model: Model, x: TensorRef, keyword: str, calls: int, call: int) -> str:
    source = model.get(x.layer)
    index = f"[{x.index}] " if len(source.outputs) > 1 else ""
    prefix = f"{keyword} " if keyword else ""
    suffix = f" (call {call})" if calls > 1 else ""
    return f"{prefix}{index}{fmt_shape(model.tensor_shape(x))}{suffix}"


def graph(model: Model, expand: bool = False) -> Graph:
    """Boxes in the order the model runs (inputs first), edges in call order; parallel edges merged."""
    used = {n.layer for n in model.nodes} | set(model.inputs)
    order = list(model.inputs) + [n.layer for n in model.nodes]
    names = list(dict.fromkeys(n for n in order if n in used))
    outputs = {t.layer for t in model.outputs}
    boxes = [_box(k, model.get(n), outputs, expand) for k, n in enumerate(names)]
    ids = {b.name: b.id for b in boxes}
    labels: dict = {}
    for node in model.nodes:
        calls = len(model.get(node.layer).nodes)
        tensors = [("", x) for x in node.inputs] + [
            (kw, x) for kw in sorted(node.call)
            for x in (node.call[kw] if isinstance(node.call[kw], tuple) else (node.call[kw],))
            if isinstance(x, TensorRef)]
        for kw, x in tensors:
            key = (ids[x.layer], ids[node.layer])
            labels.setdefault(key, []).append(_label(model, x, kw, calls, node.index))
    edges = tuple(Edge(s, d, tuple(dict.fromkeys(lines))) for (s, d), lines in labels.items())
    return Graph(model.title, tuple(boxes), edges)


def _inner_size(inner: Inner) -> tuple[float, float]:
    return max(text_width(t) for t in inner.lines) + 2 * PAD, len(inner.lines) * LINE_H + 2 * PAD


def _size(b: Box) -> tuple[float, float]:
    w = max(text_width(t) for t in b.lines) + 2 * PAD
    h = len(b.lines) * LINE_H + 2 * PAD
    if b.inner:
        sizes = [_inner_size(i) for i in b.inner]
        w = max(w, sum(s[0] for s in sizes) + CHILD_GAP * (len(sizes) - 1) + 2 * PAD)
        h += max(s[1] for s in sizes) + PAD
    return round(w, 1), round(h, 1)


def _lines(x: float, y: float, lines, kinds, owner: str) -> list[Text]:
    return [Text(x, y + PAD + 12 + i * LINE_H, t, k, owner, "middle") for i, (t, k) in enumerate(zip(lines, kinds))]


def _kinds(lines: tuple[str, ...], first: str = "name") -> list[str]:
    return [first, "type"] + ["shape"] * (len(lines) - 2)


def scene(g: Graph) -> Scene:
    """Place the graph's boxes, edges and labels (see `gather/layout.py`)."""
    sizes = {b.id: _size(b) for b in g.boxes}
    label_sizes = [(max(text_width(t) for t in e.label), len(e.label) * LINE_H + 4) for e in g.edges]
    placed = layout([(b.id, *sizes[b.id]) for b in g.boxes],
                    [(e.source, e.target, *ls) for e, ls in zip(g.edges, label_sizes)])
    rects, texts = [], []
    for b in g.boxes:
        x, y, w, h = placed.boxes[b.id]
        rects.append(Rect(b.id, x, y, w, h, b.kind, b.name))
        kinds = ["name", "type"] + ["params" if t.startswith(("params", "shared", "merge")) else "shape"
                                    for t in b.lines[2:]]
        texts += _lines(x + w / 2, y, b.lines, kinds, b.id)
        if b.inner:
            sizes_in = [_inner_size(i) for i in b.inner]
            total = sum(s[0] for s in sizes_in) + CHILD_GAP * (len(sizes_in) - 1)
            cx, cy = x + (w - total) / 2, y + len(b.lines) * LINE_H + 2 * PAD
            for k, (inner, (iw, ih)) in enumerate(zip(b.inner, sizes_in)):
                rid = f"{b.id}i{k}"
                rects.append(Rect(rid, round(cx, 1), round(cy, 1), iw, ih, "wrapped", inner.lines[1]))
                texts += _lines(cx + iw / 2, cy, inner.lines, ["type", "name", "type"] +
                                ["shape"] * (len(inner.lines) - 4) + ["params"], rid)
                cx += iw + CHILD_GAP
    arrows = []
    for k, (e, pts, at) in enumerate(zip(g.edges, placed.edges, placed.labels)):
        arrows.append(SceneArrow(f"e{k}", pts, "edge"))
        if at is not None:
            texts += [Text(at[0], at[1] + 14 + i * LINE_H, t, "edge", f"l{k}") for i, t in enumerate(e.label)]
    return Scene(g.title, placed.width, placed.height, tuple(rects), tuple(arrows), tuple(texts))


__all__ = ["Box", "Edge", "Graph", "Inner", "graph", "scene"]
