"""The rich renderer, imported only when the rich format is chosen."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lstmcalc.gather.summary import COLUMNS, Row, cost_lines, param_lines


def console() -> Console:
    return Console(highlight=False)


def summary(title: str, rows: list[Row], totals: dict, columns, cost: bool) -> None:
    table = Table(title=f'Model: "{title}"', title_justify="left", show_lines=False)
    table.add_column("Layer (type)", style="bold cyan")
    for c in columns:
        table.add_column(COLUMNS[c], justify="left" if c in ("shape", "connected") else "right",
                         style="green" if c == "params" else None)
    for r in rows:
        label = Text("  " * r.depth + ("└ " if r.depth else "") + r.name)
        label.append(f" ({r.type})", style="dim")
        table.add_row(label, *(r.cell(c) for c in columns), style="dim" if r.depth else None)
    out = console()
    out.print(table)
    for line in param_lines(totals):
        head, _, value = line.partition(": ")
        out.print(Text(head + ": ", style="bold") + Text(value))
    if cost:
        out.print()
        for line in cost_lines(totals):
            out.print(line)


def text_block(lines: list[str], title: str | None = None) -> None:
    out = console()
    if title:
        out.rule(title, align="left")
    for line in lines:
        out.print(Text(line))


SECTIONS = ("Shape", "Weights", "Per gate", "Parameters", "Step equations", "How it works", "Cost")


def explain(lines: list[str]) -> None:
    out = console()
    for i, line in enumerate(lines):
        if i == 0:
            out.print(Text(line, style="bold cyan"))
        elif line.startswith(SECTIONS):
            out.print(Text(line, style="bold"))
        elif line.lstrip().startswith("= "):
            out.print(Text(line, style="green"))
        else:
            out.print(Text(line))
