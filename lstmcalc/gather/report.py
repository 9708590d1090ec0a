"""Everything the one-page HTML report shows, gathered as finished values for `render/report.py`.

The summary rows and totals, the model's diagram, every layer's explanation
(the lines `explain` prints: shapes and why, weights, formula with its
numbers, cost), the unrolled picture of each recurrent layer, the costs and
the comparison with the other framework.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstmcalc.gather import diagram, unroll
from lstmcalc.gather.compare import Comparison, compare
from lstmcalc.gather.explain import explain, explain_lines
from lstmcalc.gather.scene import Scene
from lstmcalc.gather.summary import COLUMNS, Row, cost_lines, param_lines, summary_rows, totals
from lstmcalc.graph.build import INPUT, Model

REPORT_COLUMNS = ("shape", "params", "macs", "memory")


@dataclass(frozen=True)
class Section:
    name: str
    type: str
    lines: tuple[str, ...]  # the explanation, as `explain` prints it
    unrolled: Scene | None


@dataclass(frozen=True)
class Report:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    depths: tuple[int, ...]
    param_lines: tuple[str, ...]
    cost_lines: tuple[str, ...]
    diagram: Scene
    sections: tuple[Section, ...]
    comparison: Comparison


def _cells(r: Row, columns) -> tuple[str, ...]:
    return (r.label, *(r.cell(c) for c in columns))


def report(model: Model) -> Report:
    columns = REPORT_COLUMNS + (("connected",) if model.show_connections else ())
    rows = summary_rows(model, expand=True)
    t = totals(model)
    sections = []
    for r in model.layers:
        if r.type is INPUT:
            continue
        sections.append(Section(r.name, r.display_type, tuple(explain_lines(explain(r, model))),
                                unroll.scene(r) if unroll.unrollable(r) else None))
    return Report(
        title=model.title,
        headers=("Layer (type)", *(COLUMNS[c] for c in columns)),
        rows=tuple(_cells(r, columns) for r in rows),
        depths=tuple(r.depth for r in rows),
        param_lines=tuple(param_lines(t)),
        cost_lines=tuple(cost_lines(t)),
        diagram=diagram.scene(diagram.graph(model, expand=True)),
        sections=tuple(sections),
        comparison=compare(model),
    )
