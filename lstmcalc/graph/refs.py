"""Tensor references: `NAME`, `NAME[i]`, `NAME[n][i]`, the notation of Keras's "Connected to" column.

A reference names a layer (or a model input) and, optionally, which call of
that layer (`n`, its node index) and which of that call's outputs (`i`).
`encoder[1]` is output 1 (the `h` of an LSTM with `return_state`) of the
first call of `encoder`; `shared[1][0]` is output 0 of the second call.
Keras's `keras_history` (layer, node_index, tensor_index) is the same idea.
"""

from __future__ import annotations

import re
from functools import cache

from lstmcalc.record import Record

# compiled on first use (re caches it): a chain never reads a reference
_REF = r"^(?P<name>.+?)(?:\[(?P<a>\d+)\])?(?:\[(?P<b>\d+)\])?$"


class Ref(Record):
    """A reference as written: `node` and `index` are None where the text leaves them out;
    `line`/`column` locate it in the file."""

    __slots__ = ("name", "node", "index", "text", "line", "column")

    def __init__(self, name: str, node: int | None = None, index: int | None = None, text: str = "",
                 line: int | None = None, column: int | None = None):
        self.name, self.node, self.index, self.text, self.line, self.column = name, node, index, text, line, column


class TensorRef:
    """A resolved tensor: output `index` of call `node` of layer `layer` (Keras's keras_history).

    Equal and hashable by its three fields, written out: resolving a graph hashes many of them.
    """

    __slots__ = ("layer", "node", "index")

    def __init__(self, layer: str, node: int, index: int):
        self.layer, self.node, self.index = layer, node, index

    def __eq__(self, other) -> bool:
        return type(other) is TensorRef and (self.layer, self.node, self.index) == (other.layer, other.node,
                                                                                  other.index)

    def __hash__(self) -> int:
        return hash((self.layer, self.node, self.index))

    def __repr__(self) -> str:
        return f"TensorRef({self.layer!r}, {self.node}, {self.index})"

    def cell(self) -> str:
        """As Keras's summary prints it: `encoder[0][1]`."""
        return f"{self.layer}[{self.node}][{self.index}]"


@cache
def _ref_pattern() -> re.Pattern:
    return re.compile(_REF, re.S)


def parse_ref(text: str, line: int | None = None, column: int | None = None) -> Ref | None:
    """The reference in `text`, or None when it is not one (empty, or only brackets)."""
    if not isinstance(text, str) or not text.strip():
        return None
    m = _ref_pattern().match(text.strip())
    if m is None:
        return None
    a, b = m.group("a"), m.group("b")
    if b is not None:
        return Ref(m.group("name"), int(a), int(b), text, line, column)
    return Ref(m.group("name"), None, None if a is None else int(a), text, line, column)
