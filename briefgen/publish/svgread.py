"""An inline SVG's text in the order it is seen: line by line, left to right.

The leak guard reads a page's text in the order it is written. In a drawing, where each
piece of text is placed on its own (a <text>, a <tspan x="…">, a translated group, a mirrored
one), the order it is written in need not be the order it is seen in:
``<tspan x="60">annex</tspan><tspan x="10">secret</tspan>`` shows "secret annex". The guard
therefore also reads each drawing in the order of its text's places on the page, which this
module works out from the positions, the transforms of every enclosing element and each
run's anchor (the width of a run is estimated from its letters and font size). A PDF's text,
which the full build also guards, is read in positional order by the PDF reader itself.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, as in SVG
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_FUNCTION = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)", re.I)
_DEFAULT_SIZE = 16.0


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def transform(value: str) -> Matrix:
    """The matrix of an SVG transform list (unknown parts are left out)."""
    m = IDENTITY
    for name, args in _FUNCTION.findall(value or ""):
        v = [float(x) for x in _NUMBER.findall(args)]
        name = name.lower()
        if name == "matrix" and len(v) == 6:
            step: Matrix = (v[0], v[1], v[2], v[3], v[4], v[5])
        elif name == "translate" and v:
            step = (1, 0, 0, 1, v[0], v[1] if len(v) > 1 else 0)
        elif name == "scale" and v:
            step = (v[0], 0, 0, v[1] if len(v) > 1 else v[0], 0, 0)
        elif name == "rotate" and v:
            r = math.radians(v[0])
            cx, cy = (v[1], v[2]) if len(v) == 3 else (0.0, 0.0)
            cos, sin = math.cos(r), math.sin(r)
            step = (cos, sin, -sin, cos, cx - cos * cx + sin * cy, cy - sin * cx - cos * cy)
        elif name == "skewx" and v:
            step = (1, 0, math.tan(math.radians(v[0])), 1, 0, 0)
        elif name == "skewy" and v:
            step = (1, math.tan(math.radians(v[0])), 0, 1, 0, 0)
        else:
            continue
        m = _multiply(m, step)
    return m


def _first(value: str | None) -> float | None:
    found = _NUMBER.search(value or "")
    return float(found.group(0)) if found else None


def _property(attrs: dict[str, str], name: str) -> str | None:
    """A presentation attribute, or the same property in the style attribute (which wins)."""
    style = re.search(rf"(?:^|;)\s*{name}\s*:\s*([^;]+)", attrs.get("style", ""), re.I)
    return style.group(1).strip() if style else attrs.get(name)


def _width(text: str, size: float) -> float:
    """An estimate of the advance of text: wide (CJK) letters an em, others half of one."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.5
               for ch in text)


@dataclass
class _Run:
    x: float
    y: float
    size: float
    anchor: str
    matrix: Matrix
    text: list[str] = field(default_factory=list)

    def placed(self) -> tuple[float, float, float, str]:
        """(line position, start along the line, size on the page, text)."""
        text = "".join(self.text)
        shift = {"middle": 0.5, "end": 1.0}.get(self.anchor, 0.0) * _width(text, self.size)
        a, b, c, d, e, f = self.matrix
        x, y = self.x - shift, self.y
        scale = math.sqrt(abs(a * d - b * c)) or 1.0
        return b * x + d * y + f, a * x + c * y + e, self.size * scale, text


@dataclass
class _Frame:
    matrix: Matrix
    size: float
    anchor: str
    text: bool  # inside a <text>


class Reader:
    """Fed the start tags, end tags and text of one <svg> (tag names as HTMLParser gives
    them, lower case); `order()` gives its text in the order it is seen."""

    def __init__(self) -> None:
        self._stack: list[_Frame] = [_Frame(IDENTITY, _DEFAULT_SIZE, "start", False)]
        self._runs: list[_Run] = []
        self._x = self._y = 0.0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        top = self._stack[-1]
        matrix = _multiply(top.matrix, transform(attrs.get("transform", "")))
        if tag == "svg" and len(self._stack) > 1:  # a nested drawing at its own x, y
            matrix = _multiply(matrix, (1, 0, 0, 1, _first(attrs.get("x")) or 0.0,
                                        _first(attrs.get("y")) or 0.0))
        size = _first(_property(attrs, "font-size")) or top.size
        anchor = (_property(attrs, "text-anchor") or top.anchor).strip().lower()
        in_text = top.text or tag == "text"
        self._stack.append(_Frame(matrix, size, anchor, in_text))
        if tag in ("text", "tspan") and in_text:
            x, y = _first(attrs.get("x")), _first(attrs.get("y"))
            dx, dy = _first(attrs.get("dx")) or 0.0, _first(attrs.get("dy")) or 0.0
            if tag == "text" or x is not None or y is not None or dx or dy:
                self._x = (self._x if x is None else x) + dx
                self._y = (self._y if y is None else y) + dy
                self._runs.append(_Run(self._x, self._y, size, anchor, matrix))

    def end(self) -> None:
        if len(self._stack) > 1:
            self._stack.pop()

    def data(self, text: str) -> None:
        if self._stack[-1].text and self._runs:
            self._runs[-1].text.append(text)
            self._x += _width(text, self._stack[-1].size)

    def order(self) -> str:
        """The runs line by line (top to bottom), each line left to right, joined by spaces."""
        placed = sorted((r.placed() for r in self._runs if "".join(r.text).strip()),
                        key=lambda p: (p[0], p[1]))
        lines: list[list[tuple[float, str]]] = []
        line_at = -math.inf
        for y, x, size, text in placed:
            if not lines or y - line_at > size / 2:
                lines.append([])
                line_at = y
            lines[-1].append((x, text))
        return " ".join(text for line in lines for _, text in sorted(line))
