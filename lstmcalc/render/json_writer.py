"""JSON as lstmcalc prints it: exactly `json.dumps(value, indent=2, ensure_ascii=False)`, faster.

Imported only by the commands that print JSON (a rich or plain summary does not load `json`).
"""

from __future__ import annotations

import json


def json_indented(value) -> str:
    """Exactly `json.dumps(value, indent=2, ensure_ascii=False)`, in a fraction of its time.

    CPython's C encoder does not indent, so json.dumps with an indent runs the pure-Python
    encoder, which passes every piece up through one generator per level of nesting: for a
    20,000-layer summary that cost as much as building the model. Plain values (dict, list, tuple,
    str, int, float, bool, None) are written here; any other value, or a cycle, goes to json.dumps,
    which gives its own output or error.
    """
    parts: list[str] = []
    try:
        _write_json(value, "\n", parts)
    except (_NotPlain, RecursionError):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return "".join(parts)


class _NotPlain(Exception):
    pass


def _float_text(x: float) -> str:
    if x != x:
        return "NaN"
    if x in (_INFINITY, -_INFINITY):
        return "Infinity" if x > 0 else "-Infinity"
    return float.__repr__(x)


_INFINITY = float("inf")
# a scalar's JSON text by its exact type (a subclass, as IntEnum, takes the slower path below)
_SCALARS = {
    str: json.encoder.encode_basestring,  # what json.dumps uses with ensure_ascii=False
    int: int.__repr__,
    float: _float_text,
    bool: lambda b: "true" if b else "false",
    type(None): lambda _: "null",
}


def _scalar_json(v) -> str:
    """A scalar's JSON text, tested in json's own order (bool before int, str and int subclasses)."""
    if isinstance(v, str):
        return _SCALARS[str](v)
    if v is None or v is True or v is False:
        return _SCALARS[type(v)](v)
    if isinstance(v, int):
        return int.__repr__(v)
    if isinstance(v, float):
        return _float_text(v)
    raise _NotPlain


def _key_json(k) -> str:
    """A key's JSON text: json.dumps writes a float, bool, None or int key as a string."""
    if isinstance(k, (str, int, float)) or k is None:
        return _SCALARS[str](k if isinstance(k, str) else _scalar_json(k))
    raise _NotPlain


def _write_json(v, newline: str, parts: list[str]) -> None:
    """Append v's indented JSON text to parts; `newline` is a line break and the current indent.

    Each item is written after "," and the next indent; the first item's comma is taken off afterwards.
    """
    scalar = _SCALARS.get(type(v))
    if scalar is not None:
        parts.append(scalar(v))
        return
    if not isinstance(v, (dict, list, tuple)):
        parts.append(_scalar_json(v))
        return
    if not v:
        parts.append("{}" if isinstance(v, dict) else "[]")
        return
    inner = newline + "  "
    separator = "," + inner
    first = len(parts)
    if isinstance(v, dict):
        parts.append("{")
        for k, x in v.items():
            key = _SCALARS[str](k) if type(k) is str else _key_json(k)
            scalar = _SCALARS.get(type(x))
            if scalar is not None:
                parts.append(f"{separator}{key}: {scalar(x)}")
            else:
                parts.append(f"{separator}{key}: ")
                _write_json(x, inner, parts)
        closing = newline + "}"
    else:
        parts.append("[")
        for x in v:
            scalar = _SCALARS.get(type(x))
            if scalar is not None:
                parts.append(separator + scalar(x))
            else:
                parts.append(separator)
                _write_json(x, inner, parts)
        closing = newline + "]"
    parts[first + 1] = parts[first + 1][1:]  # the first item has no comma before it
    parts.append(closing)


# -- encodings that cannot show everything ----------------------------------------
