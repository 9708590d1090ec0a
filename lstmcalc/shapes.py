"""Shapes as Keras prints them: `(None, 50, 128)`, `(None, 5,)`... Used by messages and renderers alike.

A shape is a tuple with the batch axis first; `None` is a variable size. A
layer with several outputs has a list of such tuples.
"""

from __future__ import annotations


def fmt_shape(shape) -> str:
    if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
        return "[" + ", ".join(fmt_shape(s) for s in shape) + "]"
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"
