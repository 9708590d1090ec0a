"""The one-page HTML report (gather/report.py's values in, a self-contained page out).

Inline CSS and SVG, no script, no network; it prints (each layer's section
keeps together, pictures shrink to the page). Notebook views of the model
(`Model._repr_html_`) use `notebook` here too.
"""

from __future__ import annotations

from lstmcalc.gather.report import Report
from lstmcalc.render.svg import PAGE_CSS, esc, figure, page
from lstmcalc.render.text import compare_lines

TABLE_CSS = """
div.scroll { overflow-x: auto; max-width: 100%; }
table.summary { border-collapse: collapse; font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace;
  font-size: 13px; }
table.summary th, table.summary td { padding: .25rem .7rem; border-bottom: 1px solid #e3e6eb; text-align: left;
  vertical-align: top; white-space: pre; }
table.summary td.num { text-align: right; }
table.summary tr.inner td:first-child { padding-left: 1.8rem; color: #5b4a8a; }
pre { background: #f6f7f9; padding: .7rem 1rem; overflow-x: auto; font-size: 12.5px; line-height: 1.35;
  white-space: pre-wrap; }
pre.totals { width: fit-content; max-width: 100%; box-sizing: border-box; }
pre.explain span { display: block; min-height: 1.35em; }
pre.explain span.heading { font-weight: bold; margin-top: .2em; }
"""
CSS = PAGE_CSS + TABLE_CSS + """
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #d5dae1; padding-bottom: .2rem; }
section.layer { break-inside: avoid-page; }
nav a { margin-right: .8rem; }
@media print { body { margin: 0; } nav { display: none; } pre { white-space: pre-wrap; } }
"""
NUMERIC = {"Param #", "Mult-Adds", "Output Size", "Trainable"}


def _lines(cell: str) -> str:
    """A cell of several lines ("Connected to" of a layer with several inputs): each escaped, one per line."""
    return "<br>".join(esc(line) for line in str(cell).split("\n"))


def table(r: Report) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in r.headers)
    out = ['<div class="scroll"><table class="summary">', f"<thead><tr>{head}</tr></thead>", "<tbody>"]
    for cells, depth in zip(r.rows, r.depths):
        tds = "".join(f'<td class="num">{esc(c)}</td>' if h in NUMERIC else f"<td>{_lines(c)}</td>"
                      for h, c in zip(r.headers, cells))
        out.append(f'<tr class="{"inner" if depth else "layer"}">{tds}</tr>')
    out.append("</tbody></table></div>")
    return "\n".join(out) + "\n"


def _pre(lines, cls: str = "totals") -> str:
    text = "\n".join(esc(line) for line in lines)  # each line escaped: printable would show a newline as \\n
    return f'<pre class="{cls}">{text}</pre>\n'


def _explained(lines) -> str:
    """Lines as `explain` prints them, each a block with a hanging indent, so that a line the page wraps
    goes on under its own start (after its bullet), not at the left edge; headings (an unindented line
    after a blank one: Shape, Weights...) in bold."""
    out, after_blank = [], False
    for line in lines:
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        hang = 2 if body.startswith("- ") else 0
        kind = "heading" if body and not indent and after_blank else "line"
        style = f' style="padding-left:{indent + hang}ch;text-indent:-{hang}ch"' if indent or hang else ""
        out.append(f'<span class="{kind}"{style}>{esc(body)}</span>')
        after_blank = not body
    return '<pre class="explain">' + "".join(out) + "</pre>\n"


def report_html(r: Report) -> str:
    body = [f"<h1>{esc(r.title)}</h1>",
            '<nav><a href="#summary">Summary</a><a href="#diagram">Diagram</a><a href="#layers">Layers</a>'
            '<a href="#costs">Costs</a><a href="#compare">PyTorch / Keras</a></nav>',
            '<h2 id="summary">Summary</h2>', table(r), _pre(r.param_lines),
            '<h2 id="diagram">Diagram</h2>', figure(r.diagram, "diagram"),
            '<h2 id="layers">Every layer explained</h2>']
    for k, s in enumerate(r.sections):
        body.append(f'<section class="layer" id="layer-{k}"><h3>{esc(s.name)} ({esc(s.type)})</h3>')
        if s.unrolled is not None:
            body.append(figure(s.unrolled, f"u{k}"))
        heading = f"{s.name} ({s.type})"
        body.append(_explained(s.lines[1:] if s.lines[:1] == (heading,) else s.lines) + "</section>")
    body += ['<h2 id="costs">Costs</h2>', _explained(r.cost_lines),
             '<h2 id="compare">The same model in the other framework</h2>', _explained(compare_lines(r.comparison))]
    return page(f"{r.title}: lstmcalc report", "\n".join(body) + "\n", CSS)


def notebook(r: Report) -> str:
    """The summary table and the diagram, for Jupyter (no page around them)."""
    return (f"<div class=\"lstmcalc\"><style>{TABLE_CSS}</style><strong>{esc(r.title)}</strong>\n{table(r)}"
            f"{_pre(r.param_lines)}{figure(r.diagram, 'nb')}</div>\n")
