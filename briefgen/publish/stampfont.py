"""The font a copy's stamp is drawn in: a small TrueType font made for each copy from the
glyphs of its stamp, taken from the system's Noto Sans CJK (Latin, Hangul, Han, Kana and
common punctuation in one face) and embedded as a Type0/CIDFontType2 font with a ToUnicode
map.

Why not a font of the edition: WeasyPrint embeds only the glyphs its text uses, so a
recipient's name may need glyphs no embedded subset has. Noto Sans CJK ships as CFF
outlines in a collection; each glyph the stamp needs is converted to TrueType quadratic
outlines (fontTools' cu2qu) and a font of exactly those glyphs is built with FontBuilder,
without a clock (fixed head dates), so the same stamp gives the same bytes.

Codes 1, 2, … of the embedded font are the stamp's distinct characters in order of first
use (Identity-H, two bytes each; CIDToGIDMap Identity). A few characters are never drawn
(zero-width marks of the hidden fingerprint, stamp.py): they get an empty glyph.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from briefgen.errors import BriefError

#: the face of Noto Sans CJK whose Han glyphs suit the edition's language
FACES = {"ko": "Noto Sans CJK KR", "ja": "Noto Sans CJK JP", "zh-Hant": "Noto Sans CJK TC",
         "zh-Hans": "Noto Sans CJK SC", "zh": "Noto Sans CJK SC"}
DEFAULT_FACE = "Noto Sans CJK KR"
#: characters drawn as nothing (the hidden fingerprint); their text is kept by ToUnicode
EMPTY = frozenset("\u200b\u200c\u200d\u2060")
FIXED_DATE = 0  # head.created/modified, in seconds since 1904: no clock in the output
#: the advance of an undrawn character: pdftotext drops characters drawn on top of each other
ZERO_ADVANCE = 250


@cache
def face_file(lang: str) -> tuple[str, int]:
    """(file, index in its collection) of the Noto Sans CJK face for a language, by
    fontconfig; missing is an error, never a fallback to a font without the glyphs."""
    family = FACES.get(lang, FACES.get(lang.split("-")[0], DEFAULT_FACE))
    exe = shutil.which("fc-match")
    out = "" if exe is None else subprocess.run(
        [exe, "-f", "%{family}|%{file}|%{index}", f"{family}:style=Regular"],
        capture_output=True, text=True, check=False).stdout
    parts = out.split("|")
    if len(parts) != 3 or family not in parts[0].split(","):
        raise BriefError(f"the font '{family}' was not found: copies are stamped with it; "
                         "install the Debian package fonts-noto-cjk (scripts/bootstrap.sh "
                         "does)", code="BG578")
    return parts[1], int(parts[2] or 0)


@dataclass
class GlyphSource:
    """One Noto Sans CJK face, loaded once; its glyphs as TrueType outlines, by character
    (a memo of a pure function: the same character gives the same glyph)."""

    lang: str
    font: Any = None
    glyphs: dict[str, tuple[Any, int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from fontTools.ttLib import TTFont

        path, index = face_file(self.lang)
        self.font = TTFont(path, fontNumber=index, lazy=True)
        self.cmap = self.font.getBestCmap()

    def missing(self, text: str) -> list[str]:
        """The characters of text this face has no glyph for."""
        return sorted({c for c in text if c not in EMPTY and ord(c) not in self.cmap})

    def glyph(self, char: str) -> tuple[Any, int, int]:
        """(TrueType glyph, advance, left side bearing) of a character."""
        if char not in self.glyphs:
            from fontTools.pens.cu2quPen import Cu2QuPen
            from fontTools.pens.ttGlyphPen import TTGlyphPen

            pen = TTGlyphPen(None)
            if char in EMPTY:
                self.glyphs[char] = (pen.glyph(), ZERO_ADVANCE, 0)
            else:
                name = self.cmap[ord(char)]
                self.font.getGlyphSet()[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
                advance, lsb = self.font["hmtx"][name]
                self.glyphs[char] = (pen.glyph(), advance, lsb)
        return self.glyphs[char]


@dataclass(frozen=True)
class StampFont:
    """A font program of the stamp's characters: code i+1 is chars[i]."""

    chars: str
    program: bytes  # a TrueType font
    widths: tuple[int, ...]  # advance of each code, in 1/1000 em
    ascent: int
    descent: int
    bbox: tuple[int, int, int, int]

    def encode(self, text: str) -> bytes:
        """text as the font's two-byte codes."""
        return b"".join((self.chars.index(c) + 1).to_bytes(2, "big") for c in text)

    def width(self, text: str, size: float) -> float:
        """The advance of text at a font size, in points."""
        return sum(self.widths[self.chars.index(c)] for c in text) * size / 1000


def build_font(source: GlyphSource, text: str) -> StampFont:
    """A TrueType font holding exactly the glyphs of text's characters."""
    from fontTools.fontBuilder import FontBuilder

    chars = "".join(dict.fromkeys(text))
    missing = source.missing(chars)
    if missing:
        raise ValueError(f"no glyph for {missing}")  # callers check missing() first
    upm = source.font["head"].unitsPerEm
    order = [".notdef", *(f"c{i + 1}" for i in range(len(chars)))]
    outlines = {".notdef": source.glyph("\u200b")[0]}
    metrics = {".notdef": (0, 0)}
    for name, char in zip(order[1:], chars, strict=True):
        glyph, advance, lsb = source.glyph(char)
        outlines[name] = glyph
        metrics[name] = (advance, lsb)
    hhea = source.font["hhea"]
    builder = FontBuilder(upm, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap({ord(c): n for n, c in zip(order[1:], chars, strict=True)
                               if c not in EMPTY})
    builder.setupGlyf(outlines)
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
    builder.setupNameTable({"familyName": "BriefgenStamp", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=hhea.ascent, sTypoDescender=hhea.descent,
                     usWinAscent=hhea.ascent, usWinDescent=-hhea.descent)
    builder.setupPost()
    head = builder.font["head"]
    head.created = head.modified = FIXED_DATE
    builder.font.recalcTimestamp = False
    buffer = io.BytesIO()
    builder.font.save(buffer)
    head = builder.font["head"]
    scale = 1000 / upm
    return StampFont(chars, buffer.getvalue(),
                     tuple(round(metrics[n][0] * scale) for n in order[1:]),
                     round(hhea.ascent * scale), round(hhea.descent * scale),
                     (round(head.xMin * scale), round(head.yMin * scale),
                      round(head.xMax * scale), round(head.yMax * scale)))
