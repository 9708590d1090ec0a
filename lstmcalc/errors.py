"""Problems as values: every refusal lstmcalc makes is a `Problem`.

A problem knows where it happened (file, line, column, layer) and how to fix
it (`hint`). The CLI prints it in the chosen format and exits with
`EXIT_BAD_INPUT`; the library raises it inside a `SpecError`.
"""

from __future__ import annotations

from lstmcalc.record import Record
from lstmcalc.render.terminal import clip, printable

EXIT_OK = 0
EXIT_DISAGREE = 1
EXIT_BAD_INPUT = 2
EXIT_BUG = 3


class Problem(Record):
    """One refusal: the message, where it happened (file, 1-based line and column, the layer, its
    type and 0-based position in `layers:`) and how to fix it (`hint`)."""

    __slots__ = ("message", "file", "line", "column", "layer", "layer_type", "index", "hint")

    def __init__(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,  # 1-based
        column: int | None = None,  # 1-based
        layer: str | None = None,
        layer_type: str | None = None,
        index: int | None = None,  # position of the layer in `layers:` (0-based)
        hint: str | None = None,
    ):
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.layer = layer
        self.layer_type = layer_type
        self.index = index
        self.hint = hint

    def located(self, **where) -> Problem:
        """Fill in the location fields that are still unknown."""
        fill = {k: v for k, v in where.items() if getattr(self, k) is None and v is not None}
        return self._replace(**fill)

    def where(self) -> str:
        parts = [self.file or "<spec>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def text(self) -> str:
        head = self.where() + ": "
        kind = f" ({self.layer_type})" if self.layer_type else ""
        if self.layer is not None:
            head += f"layer '{self.layer}'{kind}: "
        elif self.index is not None:  # an unnamed layer: its position in layers:
            head += f"layer #{self.index + 1}{kind}: "
        body = clip(self.message)
        if self.hint:
            body += f"; {clip(self.hint)}"
        return printable(head + body)

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "layer": self.layer,
            "layer_type": self.layer_type,
            "index": self.index,
            "message": clip(self.message),
            "hint": None if self.hint is None else clip(self.hint),
        }


class SpecError(Exception):
    """Bad input: a spec, weights or tensor that lstmcalc refuses (exit 2)."""

    def __init__(self, problem: Problem | str, **where):
        if isinstance(problem, str):
            problem = Problem(problem)
        self.problem = problem.located(**where)
        super().__init__(self.problem.text())

    def located(self, **where) -> SpecError:
        return SpecError(self.problem.located(**where))


class ShapeError(Exception):
    """Raised by a layer's shape rule; the builder adds the location."""

    def __init__(self, message: str, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message)
