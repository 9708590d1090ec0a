"""`run`'s other files: the weights and the input, read as strict JSON.

The same reader as specs (size bound, directories and FIFOs refused, UTF-8),
and JSON that Python would take loosely is refused: a key given twice, a
number too large for float64, NaN and Infinity.
"""

from __future__ import annotations

import json
import math

from lstmcalc.errors import Problem, SpecError
from lstmcalc.render.terminal import brief
from lstmcalc.sources.yaml_text import FileKind, read_text

MAX_JSON_BYTES = 100 * 1024 * 1024
WEIGHTS_FILE = FileKind("weights", "a .json file", MAX_JSON_BYTES,
                        "the pure-Python reference pass is for small models")
INPUT_FILE = FileKind("input", "a .json file", MAX_JSON_BYTES, "the pure-Python reference pass is for small inputs")


class _Refused(ValueError):
    pass


def _object(pairs: list) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"duplicate key {brief(key)}", "remove one of them")
        out[key] = value
    return out


def _beyond(text: str):
    raise _Refused(f"the number {brief(text)} is beyond float64 (about 1.8e308)", "write a smaller number")


def _float(text: str) -> float:
    value = float(text)
    return value if math.isfinite(value) else _beyond(text)


def _int(text: str) -> int:
    """Integers stay integers (token ids); one past float64's range would only overflow later."""
    return int(text) if len(text.lstrip("-")) <= 308 else _beyond(text)


def _constant(text: str):
    raise _Refused(f"{text} is not a finite number (nor valid JSON)", "write a finite number")


def read_json(path: str, kind: FileKind):
    """The JSON value in the weights or input file at path ('-' for standard input)."""
    name, text = read_text(path, kind)
    what = f"the {kind.noun} file"
    try:
        return json.loads(text, object_pairs_hook=_object, parse_int=_int, parse_float=_float,
                          parse_constant=_constant)
    except json.JSONDecodeError as e:
        raise SpecError(Problem(f"{what} is not valid JSON: {e.msg}", file=name, line=e.lineno,
                                column=e.colno)) from None
    except _Refused as e:
        message, hint = e.args
        raise SpecError(Problem(f"{what}: {message}", file=name, hint=hint)) from None
    except RecursionError:
        raise SpecError(Problem(f"{what} is nested too deeply", file=name)) from None
