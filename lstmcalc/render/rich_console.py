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


def console() -> Console:
    out = Console(highlight=False, file=rich_file(), soft_wrap=True)
    if out.width < 1:  # COLUMNS=0 or nonsense: rich would print nothing at all
        out = Console(highlight=False, file=rich_file(), soft_wrap=True, width=80)
    return out


def summary(title: str, rows: list[Row], totals: dict, columns, cost: bool) -> None:
    out = console()
    if not fits(out, rows, columns):
        from lstmcalc.render.text import summary_plain

        for line in summary_plain(title, rows, totals, columns, cost).splitlines():
            out.print(shown(line))
        return
    table = Table(title=shown(f'Model: "{title}"'), title_justify="left", show_lines=False)
    table.add_column("Layer (type)", style="bold cyan", overflow="fold")
    for c in columns:
        if c in TEXT_COLUMNS:  # text wraps inside its cell
            table.add_column(COLUMNS[c], justify="left", overflow="fold", min_width=min(_width(rows, c), MIN_TEXT))
        else:  # a number is never squeezed or wrapped
            table.add_column(COLUMNS[c], justify="right", no_wrap=True, min_width=_width(rows, c),
                             style="green" if c == "params" else None)
    for r in rows:
        label = shown("  " * r.depth + ("└ " if r.depth else "") + r.name)
        label.append(shown(f" ({r.type})", style="dim"))
        table.add_row(label, *(shown(r.cell(c)) for c in columns), style="dim" if r.depth else None)
    out.print(table)
    for line in param_lines(totals):
        head, _, value = line.partition(": ")
        out.print(shown(head + ": ", style="bold") + shown(value))
    if cost:
        out.print()
        for line in cost_lines(totals):
            out.print(shown(line))


TEXT_COLUMNS = ("shape", "connected")
MIN_TEXT = 12  # the narrowest a wrapped text column (name, shape, connections) stays readable


def _width(rows: list[Row], c: str) -> int:
    return max(len(COLUMNS[c]), *(len(printable(r.cell(c))) for r in rows))


def fits(out: Console, rows: list[Row], columns) -> bool:
    """True if the boxed table fits the terminal with every number whole (text columns may wrap)."""
    label = max(len(printable("  " * r.depth + "└ " + r.label)) for r in rows)
    widths = [min(label, MIN_TEXT), *(min(_width(rows, c), MIN_TEXT) if c in TEXT_COLUMNS else _width(rows, c)
                                      for c in columns)]
    return sum(widths) + 3 * len(widths) + 1 <= out.width


def text_block(lines: list[str], title: str | None = None) -> None:
    out = console()
    if title:
        out.rule(shown(title), align="left")
    for line in lines:
        out.print(shown(line))


SECTIONS = ("Shape", "Weights", "Per gate", "Parameters", "Step equations", "How it works", "Cost")


def explain(lines: list[str]) -> None:
    out = console()
    for i, line in enumerate(lines):
        if i == 0:
            out.print(shown(line, style="bold cyan"))
        elif line.startswith(SECTIONS):
            out.print(shown(line, style="bold"))
        elif line.lstrip().startswith("= "):
            out.print(shown(line, style="green"))
        else:
            out.print(shown(line))
