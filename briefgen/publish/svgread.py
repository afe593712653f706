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


def _first(value: str | None, size: float = _DEFAULT_SIZE) -> float | None:
    """The first length of an attribute, in px (em: times the font size)."""
    found = _NUMBER.search(value or "")
    if not found:
        return None
    return float(found.group(0)) * (size if (value or "")[found.end():].strip()
                                    .startswith("em") else 1.0)


def _property(attrs: dict[str, str], name: str) -> str | None:
    """A presentation attribute, or the same property in the style attribute (which wins)."""
    style = re.search(rf"(?:^|;)\s*{name}\s*:\s*([^;]+)", attrs.get("style", ""), re.I)
    return style.group(1).strip() if style else attrs.get(name)


_ZERO_WIDTH = re.compile(r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
                         r"\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f"
                         r"\ufeff\uffa0]")


def _width(text: str, size: float) -> float:
    """An estimate of the advance of text: wide (CJK) letters an em, others half of one,
    spaces a quarter, zero-width and combining characters nothing."""
    total = 0.0
    for ch in text:
        if _ZERO_WIDTH.match(ch) or unicodedata.combining(ch) or \
                unicodedata.category(ch) in ("Cf", "Cc", "Mn", "Me"):
            continue
        total += size * (1.0 if unicodedata.east_asian_width(ch) in "WF" else
                         0.25 if ch.isspace() else 0.5)
    return total


@dataclass
class _Run:
    x: float
    y: float
    size: float
    anchor: str
    matrix: Matrix
    text: list[str] = field(default_factory=list)

    def placed(self) -> tuple[int, float, float, float, str]:
        """(its direction in degrees, line position and start along the line in that
        direction, size on the page, text): runs turned alike read along their own
        direction, so labels turned a quarter read bottom to top."""
        text = "".join(self.text)
        shift = {"middle": 0.5, "end": 1.0}.get(self.anchor, 0.0) * _width(text, self.size)
        a, b, c, d, e, f = self.matrix
        x, y = self.x - shift, self.y
        px, py = a * x + c * y + e, b * x + d * y + f
        angle = round(math.degrees(math.atan2(b, a))) % 360
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        scale = math.sqrt(abs(a * d - b * c)) or 1.0
        return angle, -sin * px + cos * py, cos * px + sin * py, self.size * scale, text


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
            x, y = _first(attrs.get("x"), size), _first(attrs.get("y"), size)
            dx, dy = _first(attrs.get("dx"), size) or 0.0, _first(attrs.get("dy"), size) or 0.0
            if tag == "text" or x is not None or y is not None or dx or dy:
                self._x = (self._x if x is None else x) + dx
                self._y = (self._y if y is None else y) + dy
                self._runs.append(_Run(self._x, self._y, size, anchor, matrix))

    def end(self) -> None:
        if len(self._stack) > 1:
            self._stack.pop()

    def data(self, text: str) -> None:
        if self._stack[-1].text and self._runs:
            run = self._runs[-1]
            text = re.sub(r"[ \t\r\n]+", " ", text)  # as the renderer collapses them
            if text.startswith(" ") and (not run.text or run.text[-1].endswith(" ")):
                text = text[1:]
            run.text.append(text)
            self._x += _width(text, self._stack[-1].size)

    def orders(self) -> list[str]:
        """The text line by line in the order it is seen (top to bottom, each line left to
        right, for each direction text is turned in), joined by spaces; and the same without
        its runs of one to three letters, which could be decoys a reader does not see (white
        on white, behind a shape) set between the words of a phrase."""
        placed = sorted((*r.placed()[:3], n, r.placed()[3], r.placed()[4])
                        for n, r in enumerate(self._runs) if "".join(r.text).strip())
        lines: list[list[tuple[float, int, str]]] = []
        at: tuple[int, float] | None = None
        for angle, y, x, n, size, text in placed:  # n: where written, for a tie
            if at is None or angle != at[0] or y - at[1] > size / 2:
                lines.append([])
                at = (angle, y)
            lines[-1].append((x, n, text))
        seen = [text for line in lines for _, _, text in sorted(line)]
        return [" ".join(seen), " ".join(t for t in seen if len(t.strip()) > 3)]
