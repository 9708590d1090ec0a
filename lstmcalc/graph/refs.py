"""Tensor references: `NAME`, `NAME[i]`, `NAME[n][i]`, the notation of Keras's "Connected to" column.

A reference names a layer (or a model input) and, optionally, which call of
that layer (`n`, its node index) and which of that call's outputs (`i`).
`encoder[1]` is output 1 (the `h` of an LSTM with `return_state`) of the
first call of `encoder`; `shared[1][0]` is output 0 of the second call.
Keras's `keras_history` (layer, node_index, tensor_index) is the same idea.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_REF = re.compile(r"^(?P<name>.+?)(?:\[(?P<a>\d+)\])?(?:\[(?P<b>\d+)\])?$", re.S)


@dataclass(frozen=True)
class Ref:
    """A reference as written: `node` and `index` are None where the text leaves them out."""

    name: str
    node: int | None = None
    index: int | None = None
    text: str = ""
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class TensorRef:
    """A resolved tensor: output `index` of call `node` of layer `layer` (Keras's keras_history)."""

    layer: str
    node: int
    index: int

    def cell(self) -> str:
        """As Keras's summary prints it: `encoder[0][1]`."""
        return f"{self.layer}[{self.node}][{self.index}]"


def parse_ref(text: str, line: int | None = None, column: int | None = None) -> Ref | None:
    """The reference in `text`, or None when it is not one (empty, or only brackets)."""
    if not isinstance(text, str) or not text.strip():
        return None
    m = _REF.match(text.strip())
    if m is None:
        return None
    a, b = m.group("a"), m.group("b")
    if b is not None:
        return Ref(m.group("name"), int(a), int(b), text, line, column)
    return Ref(m.group("name"), None, None if a is None else int(a), text, line, column)
