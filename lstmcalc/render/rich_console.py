"""The rich renderer, imported only when the rich format is chosen.

Every value goes in as a `Text` made by `shown` (escaped, never read as
markup). A table that does not fit the terminal falls back to the plain
layout, so that a narrow terminal never hides a number.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lstmcalc.gather.summary import COLUMNS, Row, cost_lines, param_lines
from lstmcalc.render.terminal import printable, rich_file


def shown(value: object, style: str | None = None) -> Text:
    """A value as rich shows it: escaped, and never interpreted as markup; a cell's own lines stay lines."""
    if isinstance(value, str) and "\n" in value:
        return Text("\n").join(Text(printable(part), style=style or "") for part in value.split("\n"))
    return Text(printable(value), style=style or "")


def cell(value: str) -> Text:
    """A table cell: each of its lines escaped (a graph row's "Connected to" holds one reference a line)."""
    return Text("\n".join(printable(part) for part in value.split("\n")))


def console() -> Console:
    """A console that reads no markup and no emoji codes: every value reaches it as a `Text` already
    (so rich's markup and emoji tables are never imported)."""
    options = {"highlight": False, "markup": False, "emoji": False, "file": rich_file(), "soft_wrap": True}
    out = Console(**options)
    if out.width < 1:  # COLUMNS=0 or nonsense: rich would print nothing at all
        out = Console(**options, width=80)
    return out


def summary(title: str, rows: list[Row], totals: dict, columns, cost: bool) -> None:
    out = console()
    if not fits(out, rows, columns):
        from lstmcalc.render.text import summary_plain

        for line in summary_plain(title, rows, totals, columns, cost).splitlines():
            out.print(shown(line))
        return
    table = Table(title=shown(f'Model: "{title}"'), title_justify="left", show_lines=False)
    table.add_column(shown("Layer (type)"), style="bold cyan", overflow="fold")
    for c in columns:
        text = c in TEXT_COLUMNS
        table.add_column(shown(COLUMNS[c]), justify="left" if text else "right", no_wrap=not text, overflow="fold",
                         style="green" if c == "params" else None)
    for r in rows:
        label = shown("  " * r.depth + ("└ " if r.depth else "") + r.name)
        label.append(shown(f" ({r.type})", style="dim"))
        table.add_row(label, *(cell(r.cell(c)) for c in columns), style="dim" if r.depth else None)
    out.print(table)
    for line in param_lines(totals):
        head, _, value = line.partition(": ")
        out.print(shown(head + ": ", style="bold") + shown(value))
    if cost:
        out.print()
        for line in cost_lines(totals):
            out.print(shown(line))


TEXT_COLUMNS = ("shape", "connected")  # wrap between words inside their cells; the others hold numbers


def longest_word(cells) -> int:
    """The longest word of the cells (a cell with several lines, "Connected to", wraps at its line ends too)."""
    return max(len(printable(w)) for c in cells for w in str(c).split() or [""])


def fits(out: Console, rows: list[Row], columns) -> bool:
    """True if the boxed table fits the terminal with every number whole: text cells may wrap
    between words, number cells may not."""
    widths = [longest_word(["Layer (type)", *("  " * r.depth + "└ " + r.label for r in rows)]),
              *(longest_word([COLUMNS[c], *(r.cell(c) for r in rows)]) if c in TEXT_COLUMNS else
                max(len(COLUMNS[c]), *(len(printable(r.cell(c))) for r in rows)) for c in columns)]
    return sum(widths) + 3 * len(widths) + 1 <= out.width


def grid(g) -> None:
    """A `text.Grid` as a rich table whose text cells wrap; numbers never wrap and are never cut.

    If even the numbers and the longest word of each text column cannot fit, the plain layout is
    printed instead (wider than the terminal, but every value whole and the columns aligned)."""
    out = console()
    def narrowest(i: int) -> int:
        """A number column's widest cell; a text column's longest word (the cell wraps between words)."""
        cells = [g.headers[i], *(r[i] for r in g.rows)]
        return max(len(printable(c)) for c in cells) if i in g.right else longest_word(cells)

    words = [narrowest(i) for i in range(len(g.headers))]
    if sum(words) + 3 * len(words) + 1 > out.width:
        from lstmcalc.render.text import grid_lines

        for line in grid_lines(g):
            out.print(shown(line))
        return
    table = Table(title=shown(g.title), title_justify="left", show_lines=False)
    for i, h in enumerate(g.headers):
        number = i in g.right
        table.add_column(shown(h), justify="right" if number else "left", no_wrap=number, overflow="fold",
                         style="bold cyan" if i == 0 else None)
    for r in g.rows:
        table.add_row(*(cell(c) for c in r))
    out.print(table)
    for line in g.footer:
        out.print(shown(line))


SECTIONS = ("Shape", "Weights", "Per gate", "Parameters", "Step equations", "How it works", "Cost")


def explain(lines: list[str]) -> None:
    """explain's lines, styled, wrapped at the terminal's width with their indentation kept (as plain does)."""
    from lstmcalc.render.text import wrap_lines

    out = console()
    for i, line in enumerate(lines):
        style = ("bold cyan" if i == 0 else "bold" if line.startswith(SECTIONS) else
                 "green" if line.lstrip().startswith("= ") else None)
        for part in wrap_lines([line], max(out.width, 20)):
            out.print(shown(part, style=style))
