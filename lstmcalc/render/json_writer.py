"""JSON as lstmcalc prints it: exactly `json.dumps(value, indent=2, ensure_ascii=False)`, faster.

Imported only by the commands that print JSON (a rich or plain summary does not load it). It
loads only the C half of `json` (`_json`): the `json` package itself compiles its decoder's regular
expressions at import, which is a visible part of a summary's start-up; it is imported only for a
value this writer hands to json.dumps, or on an interpreter without `_json`.
"""

from __future__ import annotations

try:
    from _json import encode_basestring as _quoted  # what json.dumps uses with ensure_ascii=False
except ImportError:  # an interpreter without json's C accelerator
    from json.encoder import py_encode_basestring as _quoted


def json_indented(value) -> str:
    """Exactly `json.dumps(value, indent=2, ensure_ascii=False)`, in a fraction of its time.

    CPython's C encoder does not indent, so json.dumps with an indent runs the pure-Python
    encoder, which passes every piece up through one generator per level of nesting: for a
    20,000-layer summary that cost as much as building the model. Plain values (dict, list, tuple,
    str, int, float, bool, None, and their subclasses) are written here, each container's text
    joined once from its items' texts; any other value, or a cycle, goes to json.dumps, which
    gives its own output or error.
    """
    try:
        return _text(value, _Level("\n", {}))
    except (_NotPlain, RecursionError):
        import json

        return json.dumps(value, indent=2, ensure_ascii=False)


class _NotPlain(Exception):
    pass


class _Level:
    """One depth of nesting: its line breaks, and the text of each key written at it.

    A summary writes the same few keys and numbers on every row, so each key's text at a
    depth (`,\\n      "params": `) and each int's text is made once per call of json_indented.
    Only exact str keys and exact ints are remembered: True == 1 == 1.0 would share an entry.
    """

    __slots__ = ("newline", "inner", "separator", "dict_end", "list_start", "list_end", "heads", "ints", "_deeper")

    def __init__(self, newline: str, ints: dict[int, str]):
        self.newline = newline  # the line break and indent of the container's own closing bracket
        self.inner = newline + "  "  # ... and of its items
        self.separator = "," + self.inner
        self.dict_end = newline + "}"
        self.list_start = "[" + self.inner
        self.list_end = newline + "]"
        self.heads: dict[str, str] = {}  # key -> its separator, quoted key and ": "
        self.ints = ints  # shared by every depth
        self._deeper: _Level | None = None

    def deeper(self) -> _Level:
        if self._deeper is None:
            self._deeper = _Level(self.inner, self.ints)
        return self._deeper

    def head(self, key) -> str:
        text = f"{self.separator}{_key_json(key)}: "
        if type(key) is str:
            self.heads[key] = text
        return text

    def int_text(self, x: int) -> str:
        text = self.ints[x] = repr(x)
        return text


# The loops below test the exact types a summary holds first, in the order they are most common,
# written out in each loop: a function call per value would cost as much as the rest of the work.
# Any other value (bool, float, a subclass, something json refuses) goes through _text.


def _text(v, level: _Level) -> str:
    """v's JSON text, for any value (no type is both a container and a scalar, so the order is free)."""
    if isinstance(v, (list, tuple)):
        return _list_text(v, level)
    if isinstance(v, dict):
        return _dict_text(v, level)
    return _scalar_json(v)


def _dict_text(v: dict, level: _Level) -> str:
    if not v:
        return "{}"
    heads, ints = level.heads, level.ints
    parts = ["{"]
    for k, x in v.items():
        parts.append(heads.get(k) or level.head(k))
        t = type(x)
        if t is int:
            parts.append(ints.get(x) or level.int_text(x))
        elif t is str:
            parts.append(_quoted(x))
        elif t is list:
            parts.append(_list_text(x, level.deeper()))
        elif x is None:
            parts.append("null")
        elif t is float:
            parts.append(_float_text(x))
        else:
            parts.append(_text(x, level.deeper()))
    parts[1] = parts[1][1:]  # the first item has no comma before it
    parts.append(level.dict_end)
    return "".join(parts)


def _list_text(v: list | tuple, level: _Level) -> str:
    if not v:
        return "[]"
    ints = level.ints
    items = []
    for x in v:
        t = type(x)
        if t is int:
            items.append(ints.get(x) or level.int_text(x))
        elif t is str:
            items.append(_quoted(x))
        elif t is dict:
            items.append(_dict_text(x, level.deeper()))
        elif x is None:
            items.append("null")
        elif t is float:
            items.append(_float_text(x))
        else:
            items.append(_text(x, level.deeper()))
    return f"{level.list_start}{level.separator.join(items)}{level.list_end}"


_INFINITY = float("inf")


def _float_text(x: float) -> str:
    if x != x:
        return "NaN"
    if x in (_INFINITY, -_INFINITY):
        return "Infinity" if x > 0 else "-Infinity"
    return float.__repr__(x)


def _scalar_json(v) -> str:
    """A scalar's JSON text, tested in json's own order (bool before int, str and int subclasses)."""
    if isinstance(v, str):
        return _quoted(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return int.__repr__(v)
    if isinstance(v, float):
        return _float_text(v)
    raise _NotPlain


def _key_json(k) -> str:
    """A key's JSON text: json.dumps writes a float, bool, None or int key as a string."""
    if isinstance(k, str):
        return _quoted(k)
    if isinstance(k, (int, float)) or k is None:
        return _quoted(_scalar_json(k))
    raise _NotPlain
