"""The diagram's graph (gather/diagram.py) as text: Graphviz dot and Mermaid.

Same boxes and edges as the SVG, laid out by the tool that reads the text.
Names from the input are quoted for each language: dot's double-quoted
strings escape `"` and `\\`; Mermaid's quoted labels take entity codes
(`#quot;`, `#lt;`, `#gt;`, `#amp;`), and node ids are `b0`, `b1`... so no
name can break the syntax.
"""

from __future__ import annotations

from lstmcalc.gather.diagram import Graph
from lstmcalc.render.terminal import printable

DOT_COLOURS = {"input": "#e7f0fb", "layer": "#ffffff", "output": "#e8f5e6"}


def _dot_str(*lines: str) -> str:
    """A dot string of one or more lines (escaped, then joined with dot's `\\n`)."""
    return '"' + "\\n".join(printable(t).replace("\\", "\\\\").replace('"', '\\"') for t in lines) + '"'


def dot(g: Graph) -> str:
    lines = [f"digraph {_dot_str(g.title)} {{", "  rankdir=TB;",
             '  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=11];',
             '  edge [fontname="monospace", fontsize=10];']
    for b in g.boxes:
        label = _dot_str(*b.lines, *("[" + " | ".join(inner.lines) + "]" for inner in b.inner))
        lines.append(f'  {b.id} [label={label}, fillcolor="{DOT_COLOURS[b.kind]}"];')
    for e in g.edges:
        label = _dot_str(*e.label)
        lines.append(f"  {e.source} -> {e.target} [label={label}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_str(text: str) -> str:
    s = printable(text)
    for c, code in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("`", "#96;")):
        s = s.replace(c, code)
    return s


def mermaid(g: Graph) -> str:
    lines = ["flowchart TD"]
    for b in g.boxes:
        text = "<br/>".join(_mermaid_str(t) for t in b.lines)
        for inner in b.inner:
            text += "<br/>" + " · ".join(_mermaid_str(t) for t in inner.lines)
        lines.append(f'  {b.id}["{text}"]')
    for e in g.edges:
        label = "<br/>".join(_mermaid_str(t) for t in e.label)
        lines.append(f'  {e.source} -->|"{label}"| {e.target}')
    for kind in ("input", "output"):
        ids = [b.id for b in g.boxes if b.kind == kind]
        if ids:
            lines.append(f"  classDef {kind} fill:{DOT_COLOURS[kind]}")
            lines.append(f"  class {','.join(ids)} {kind}")
    return "\n".join(lines) + "\n"
