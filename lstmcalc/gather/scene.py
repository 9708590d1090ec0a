"""A picture as finished values: boxes, arrows and text placed in pixels.

`gather/diagram.py` (the model as a graph) and `gather/unroll.py` (a
recurrent layer over its timesteps) compute a `Scene`; `render/svg.py` only
writes it out. Text is monospace, so its width is computed, not guessed:
`text_width` counts a character as `CHAR_W` pixels (a little more than the
0.6 em that monospace fonts use, to be safe when a fallback font is wider)
and a wide East Asian character as two.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

FONT_SIZE = 12
CHAR_W = 7.6  # 12 px monospace is 7.2 px a character; a margin for fallback fonts
LINE_H = 16
PAD = 8


def text_width(text: str) -> float:
    return CHAR_W * sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@dataclass(frozen=True)
class Text:
    """One line of text; `x`, `y` are its left end and baseline; `owner` is the box it belongs in."""

    x: float
    y: float
    text: str
    kind: str = "plain"  # name, type, shape, params, edge, note, title
    owner: str | None = None
    anchor: str = "start"  # start | middle

    @property
    def width(self) -> float:
        return text_width(self.text)

    def bbox(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom), conservatively (ascent 0.8 em, descent 0.25 em)."""
        left = self.x - self.width / 2 if self.anchor == "middle" else self.x
        return left, self.y - 0.8 * FONT_SIZE, left + self.width, self.y + 0.25 * FONT_SIZE


@dataclass(frozen=True)
class Rect:
    id: str
    x: float
    y: float
    w: float
    h: float
    kind: str = "layer"  # input, layer, output, wrapped, cell, weight, merge, step, group
    title: str = ""  # a tooltip

    def bbox(self) -> tuple[float, float, float, float]:
        return self.x, self.y, self.x + self.w, self.y + self.h


@dataclass(frozen=True)
class Arrow:
    id: str
    points: tuple[tuple[float, float], ...]
    kind: str = "edge"  # edge, state, output, input
    curved: bool = True  # smooth vertical S-curves between the points


@dataclass(frozen=True)
class Scene:
    title: str
    width: float
    height: float
    rects: tuple[Rect, ...] = ()
    arrows: tuple[Arrow, ...] = ()
    texts: tuple[Text, ...] = ()
    description: tuple[str, ...] = field(default=())  # sentences said under the picture


def overlaps(a: tuple, b: tuple) -> bool:
    """Do two (left, top, right, bottom) boxes share any area?"""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(inner: tuple, outer: tuple) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]
