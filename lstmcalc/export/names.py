"""Python names for layers and tensors in generated code: identifiers, unique, never a keyword."""

from __future__ import annotations

import keyword
import re

RESERVED = {"keras", "layers", "torch", "nn", "self", "build_model", "model", "super"}


class Names:
    def __init__(self, reserved=()):
        self.used: set[str] = set(RESERVED) | set(reserved)

    def take(self, text: str) -> str:
        """A fresh identifier close to `text`."""
        name = re.sub(r"\W", "_", text) or "x"
        if name[0].isdigit():
            name = "x_" + name
        while keyword.iskeyword(name) or name in self.used:
            name += "_"
        self.used.add(name)
        return name


def attributes(model) -> dict[str, str]:
    """The Python name of every layer (the exported module's attributes, its state_dict prefixes)."""
    names = Names()
    return {n: names.take(n) for n in model.names}


def class_name(text: str | None) -> str:
    words = re.findall(r"[A-Za-z0-9]+", text or "model")
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Model"
    return name if not name[0].isdigit() else "Model" + name


def shape_text(shape, batch: str = "N", axis: int = 0, variable: str = "L") -> str:
    """(N, 50, 128): the batch axis named, a variable size as L (Keras's style: None for both)."""
    if isinstance(shape, list):
        return ", ".join(shape_text(s, batch, axis, variable) for s in shape)
    dims = [(batch if i == axis else variable) if d is None else str(d) for i, d in enumerate(shape)]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def code_line(indent: str, code: str, comment: str, width: int = 120) -> list[str]:
    """`code  # comment` on one line when it fits, else the comment above and the call's arguments one a line."""
    one = f"{indent}{code}  # {comment}" if comment else f"{indent}{code}"
    if len(one) <= width:
        return [one]
    lines = [f"{indent}# {comment}"] if comment else []
    return lines + (wrapped(indent, code) if len(indent + code) > width else [indent + code])


def wrapped(indent: str, code: str) -> list[str]:
    """The first call's arguments one a line (split at the commas outside brackets and strings)."""
    start = code.index("(")
    depth, quote, parts, last = 0, None, [], start + 1
    for i in range(start, len(code)):
        c = code[i]
        if quote:
            quote = None if c == quote and code[i - 1] != "\\" else quote
        elif c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                parts.append(code[last:i].strip())
                return ([f"{indent}{code[:start + 1]}"] + [f"{indent}    {p}," for p in parts if p]
                        + [f"{indent}{code[i:]}"])
        elif c == "," and depth == 1:
            parts.append(code[last:i].strip())
            last = i + 1
    return [indent + code]
