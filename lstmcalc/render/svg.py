"""SVG and HTML writers for a `Scene` (gather/scene.py): finished values in, markup out.

The SVG is self-contained (inline style, no script, no external reference)
and deterministic: the same scene gives the same bytes. Every piece of text
from the input (layer names, types) passes `esc`: characters that could act
on a terminal or are not allowed in XML are shown as escapes (`printable`),
then `& < > " '` become entities, so a layer named `<script>` shows as text.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from lstmcalc.gather.scene import FONT_SIZE, Scene
from lstmcalc.render.terminal import printable

FONT = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace"
STYLE = f"""
text {{ font-family: {FONT}; font-size: {FONT_SIZE}px; fill: #1d2330; }}
text.name {{ font-weight: bold; }}
text.type {{ fill: #5b4a8a; }}
text.params, text.note {{ fill: #555d6b; }}
text.edge {{ fill: #3d4757; }}
text.title {{ font-size: 14px; font-weight: bold; }}
rect {{ stroke-width: 1.2; }}
rect.layer {{ fill: #ffffff; stroke: #5f6b7d; }}
rect.input {{ fill: #e7f0fb; stroke: #3d6fb0; }}
rect.output {{ fill: #e8f5e6; stroke: #3b8a3b; stroke-width: 2; }}
rect.wrapped {{ fill: #f5f3fb; stroke: #8a7cb8; stroke-dasharray: 4 3; }}
rect.cell {{ fill: #fff7e8; stroke: #b8860b; }}
rect.merge {{ fill: #eef3f8; stroke: #5f6b7d; }}
rect.value {{ fill: #ffffff; stroke: #9aa3b0; }}
rect.group {{ fill: none; stroke: #c9ced6; stroke-dasharray: 2 3; }}
path {{ fill: none; stroke: #6b7585; stroke-width: 1.4; }}
path.state {{ stroke: #b8660b; stroke-width: 1.8; }}
path.output {{ stroke: #3b8a3b; }}
path.input {{ stroke: #3d6fb0; }}
"""
MARK_COLOURS = {"edge": "#6b7585", "state": "#b8660b", "output": "#3b8a3b", "input": "#3d6fb0"}


def esc(text: object) -> str:
    """Text from the input, safe inside an XML element or a quoted attribute."""
    return escape(printable(text), {'"': "&quot;", "'": "&#39;"})


def _n(v: float) -> str:
    s = f"{round(v, 1):.1f}"
    return s[:-2] if s.endswith(".0") else s


def _path(points, curved: bool) -> str:
    (x0, y0), parts = points[0], []
    parts.append(f"M{_n(x0)} {_n(y0)}")
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        if curved and ax != bx and ay != by:
            my = (ay + by) / 2
            parts.append(f"C{_n(ax)} {_n(my)} {_n(bx)} {_n(my)} {_n(bx)} {_n(by)}")
        else:
            parts.append(f"L{_n(bx)} {_n(by)}")
    return " ".join(parts)


def svg(scene: Scene, prefix: str = "d") -> str:
    """The scene as one `<svg>` element; `prefix` keeps ids unique when a page holds several."""
    w, h = _n(scene.width), _n(scene.height)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="lstmcalc-diagram" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" role="img" aria-labelledby="{prefix}-title">',
           f'<title id="{prefix}-title">{esc(scene.title)}</title>', f"<style>{STYLE}</style>", "<defs>"]
    for kind, colour in MARK_COLOURS.items():
        out.append(f'<marker id="{prefix}-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                   f'markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" '
                   f'style="fill:{colour};stroke:none"/></marker>')
    out.append("</defs>")
    out.append('<g class="edges">')
    for a in scene.arrows:
        out.append(f'<path id="{prefix}-{a.id}" class="{a.kind}" d="{_path(a.points, a.curved)}" '
                   f'marker-end="url(#{prefix}-{a.kind})"/>')
    out.append("</g>")
    out.append('<g class="boxes">')
    for r in scene.rects:
        out.append(f'<rect id="{prefix}-{r.id}" class="{r.kind}" data-name="{esc(r.title)}" x="{_n(r.x)}" '
                   f'y="{_n(r.y)}" width="{_n(r.w)}" height="{_n(r.h)}" rx="5"><title>{esc(r.title)}</title></rect>')
    out.append("</g>")
    out.append('<g class="labels">')
    for t in scene.texts:
        anchor = ' text-anchor="middle"' if t.anchor == "middle" else ""
        out.append(f'<text class="{t.kind}" x="{_n(t.x)}" y="{_n(t.y)}"{anchor}>{esc(t.text)}</text>')
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


PAGE_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 1.5rem; color: #1d2330; }
.picture { overflow-x: auto; max-width: 100%; margin: 1rem 0; }
.picture svg { max-width: none; }  /* on a narrow screen: scroll sideways, never shrink text */
p.note { color: #555d6b; max-width: 60rem; }
@media print { .picture { overflow: visible; } .picture svg { max-width: 100%; height: auto; } }
"""


def page(title: str, body: str, css: str = PAGE_CSS) -> str:
    """A self-contained HTML page: inline CSS, no script, no network."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n{body}</body>\n</html>\n")


def figure(scene: Scene, prefix: str = "d") -> str:
    """The picture and, under it, the sentences of its description that it does not already show."""
    drawn = {t.text for t in scene.texts}
    notes = "".join(f'<p class="note">{esc(s)}</p>\n' for s in scene.description if s not in drawn)
    return f'<figure class="picture">\n{svg(scene, prefix)}</figure>\n{notes}'


def html(scene: Scene) -> str:
    """One picture as a page."""
    return page(scene.title, f"<h1>{esc(scene.title)}</h1>\n{figure(scene)}")
