"""Plain-text and Markdown renderers (no colour, no box drawing, no rich import).

They turn finished values from `report.py` into text and compute nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lstmcalc.gather.summary import COLUMNS, Row, cost_lines, param_lines
from lstmcalc.render.terminal import printable
from lstmcalc.shapes import fmt_shape

INDENT = "  "
LEFT = ("shape", "connected")  # columns of text; the others hold numbers and align right


def text_table(headers: list[str], rows: list[list[str]], right: set[int], prose_last: bool = False) -> list[str]:
    """Fixed-width columns separated by two spaces; `right` holds right-aligned columns. Cells are escaped.
    With `prose_last` the last column is free text (a reason) and the rules end with its header.

    A cell with several lines (a graph row's "Connected to") continues on the
    following lines, the other columns left blank there.
    """
    lines_of = [[[printable(part) for part in c.split("\n")] for c in r] for r in rows]
    widths = [max([len(h), *(len(part) for r in lines_of for part in r[i])]) for i, h in enumerate(headers)]

    def line(cells):
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(parts).rstrip()

    body = []
    for r in lines_of:
        for k in range(max(len(c) for c in r)):
            body.append(line([c[k] if k < len(c) else "" for c in r]))
    rule = "=" * (len(line(headers)) if prose_last else sum(widths) + 2 * (len(widths) - 1))
    return [line(headers), rule, *body, rule]


def _cells(rows: list[Row], columns) -> list[list[str]]:
    return [[INDENT * r.depth + r.label, *(r.cell(c) for c in columns)] for r in rows]


def summary_plain(title: str, rows: list[Row], totals: dict, columns, cost: bool) -> str:
    headers = ["Layer (type)", *(COLUMNS[c] for c in columns)]
    right = {i + 1 for i, c in enumerate(columns) if c not in LEFT}
    out = [printable(f'Model: "{title}"'), *text_table(headers, _cells(rows, columns), right), *param_lines(totals)]
    if cost:
        out += ["", *cost_lines(totals)]
    return "\n".join(out) + "\n"


def summary_markdown(title: str, rows: list[Row], totals: dict, columns, cost: bool) -> str:
    headers = ["Layer (type)", *(COLUMNS[c] for c in columns)]
    out = [printable(f"**Model: {title}**"), "", "| " + " | ".join(headers) + " |",
           "|" + "|".join("---:" if i and c not in LEFT else "---" for i, c in enumerate(("", *columns))) + "|"]
    for cells in _cells(rows, columns):
        cells[0] = cells[0].replace(INDENT, "&nbsp;&nbsp;")
        out.append("| " + " | ".join("<br>".join(printable(part).replace("|", "\\|") for part in c.split("\n"))
                                     for c in cells) + " |")
    out += ["", *(f"- {line}" for line in param_lines(totals))]
    if cost:
        out += [f"- {line}" for line in cost_lines(totals)]
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class Grid:
    """A finished table: title, header, rows of cell texts, the right-aligned (numeric) columns, and
    the lines under it. `grid_lines` prints it as plain text, `rich_console.grid` as a rich table."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    right: set[int]
    footer: list[str] = field(default_factory=list)
    prose_last: bool = False  # the last column is free text (see text_table)


def grid_lines(g: Grid) -> list[str]:
    return [printable(g.title), *text_table(g.headers, g.rows, g.right, g.prose_last),
            *(printable(line) for line in g.footer)]


def verify_grid(checks, ok: bool, seed: int, batch: int) -> Grid:
    headers = ["Layer", "Shape rule", "Forward pass", "Formula", "Weights", "OK"]
    rows = [[c.name, fmt_shape(c.expected_shape), fmt_shape(c.actual_shape), f"{c.expected_params:,}",
             f"{c.actual_params:,}", "ok" if c.ok else "FAIL"] for c in checks]
    footer = [f"{c.name}: {p}" for c in checks for p in c.problems]
    footer.append("all layers agree" if ok else "DISAGREEMENT: see above")
    return Grid(f"verify: seed {seed}, batch {batch}", headers, rows, {3, 4}, footer)


def verify_lines(checks, ok: bool, seed: int, batch: int) -> list[str]:
    return grid_lines(verify_grid(checks, ok, seed, batch))


LABEL = {"keras": "Keras", "pytorch": "PyTorch"}


def compare_grid(c) -> Grid:
    """A `gather.compare.Comparison` as a table: one row per layer, then the totals."""
    this, other = LABEL[c.framework], LABEL[c.other]
    headers = ["Layer (type)", this, other, f"{other} equivalent", "Difference"]
    rows = [[f"{r.name} ({r.type})", f"{r.params:,}", "—" if r.other_params is None else f"{r.other_params:,}",
             r.other_type, r.reason] for r in c.rows]
    total = f"{c.other_total:,}" + ("" if c.complete else " (+ layers without an equivalent)")
    return Grid(f"{c.title}: {this} vs {other}, layer by layer", headers, rows, {1, 2},
                [f"Total params: {c.total:,} ({this}) vs {total} ({other})"], prose_last=True)


def compare_lines(c) -> list[str]:
    return grid_lines(compare_grid(c))


def tensor_text(y) -> str:
    """A nested list, one innermost vector per line, numbers to 8 significant digits."""
    lines = []

    def walk(v, depth):
        if v and isinstance(v[0], list):
            lines.append("  " * depth + "[")
            for item in v:
                walk(item, depth + 1)
            lines.append("  " * depth + "]")
        else:
            lines.append("  " * depth + "[" + ", ".join(f"{e:.8g}" for e in v) + "]")

    walk(y if isinstance(y, list) else [y], 0)
    return "\n".join(lines)


def wrap_lines(lines: list[str], width: int = 80) -> list[str]:
    """Wrap long prose lines at word boundaries, keeping their indentation."""
    import textwrap

    out = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        hang = indent + ("  " if line.lstrip().startswith(("- ", "why:")) else "    ")
        out += textwrap.wrap(line, width, initial_indent="", subsequent_indent=hang,
                             break_long_words=False, break_on_hyphens=False) or [line]
    return out
