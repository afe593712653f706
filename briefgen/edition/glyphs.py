"""Which characters of an edition no font of its PDF can draw: found from the fonts' cmaps
(fontTools), before any PDF is made, and reported at the content file:line:col of each.

WeasyPrint (Pango over fontconfig) draws a character in the first family of the element's
font-family stack that has it, and failing those in any other font fontconfig sees through
briefgen's fonts.conf: the Noto folders it names and every theme's fonts/ folder. So a
character is drawable when one of those fonts maps it, and `check` reports the others
(BG290), which the PDF would print as blank boxes. The fonts of the edition's language
stacks are looked in first, each font's cmap read once per process and only when a
character is still without a font: text that the stacks cover reads nothing else.

    faces(theme)            every font (one face of a file each) fontconfig would see
    project_families(theme) the families of the theme's own fonts, for the CSS stacks
    problems(edition, text, theme, path)   BG290 for each character without a font
"""

from __future__ import annotations

import struct
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import regex

from briefgen.edition.i18n import Catalogs, font_stack, named_families
from briefgen.edition.markdown import text_position
from briefgen.errors import BriefError, Problem
from briefgen.theme import FONT_SUFFIXES, Theme, bundled

if TYPE_CHECKING:
    from briefgen.edition.resolve import Edition

#: characters Pango lays out without a glyph: white space, controls, and Unicode's default
#: ignorables (soft hyphen, ZWJ and ZWNJ, U+2060, bidi controls, variation selectors, an
#: emoji's tag characters). An emoji sequence is judged by its other characters.
NO_GLYPH = regex.compile(r"[\s\p{Cc}\p{Default_Ignorable_Code_Point}]")
HINT = ("add a font that has it to templates/fonts/ (any .ttf or .otf file there is used; "
        "docs/editing.md#fonts), or write another character")


@dataclass(frozen=True)
class Face:
    """One font: a file (a face of it, for a collection) and its family name."""

    path: Path
    index: int
    family: str
    shown: str  # how messages name it: templates/fonts/x.ttf, or the system path
    stamp: tuple[int, int] = (0, 0)  # the file's modified time and size, when listed

    def covers(self, code: int) -> bool:
        return code in _cmap(self.path, self.index, self.stamp)

    def __str__(self) -> str:
        return self.family


def system_folders() -> tuple[Path, ...]:
    """The folders briefgen's own fonts.conf names (<dir>): Debian's Noto packages."""
    conf = bundled() / "fonts" / "fonts.conf"
    root = ElementTree.parse(conf).getroot()
    return tuple(Path(d.text.strip()) for d in root.iter("dir") if d.text)


def faces(theme: Theme) -> tuple[Face, ...]:
    """Every font the PDF may use: the theme's fonts/ (project's first), then the system
    folders', each folder's files in name order. The system's are listed once a process, as
    a PDF renderer loads them once."""
    return (*_theme_faces(theme), *_system_faces())


def _theme_faces(theme: Theme) -> tuple[Face, ...]:
    files: list[tuple[Path, str]] = []
    for folder in theme.font_folders():
        files += [(p, "templates/fonts/" + p.relative_to(folder).as_posix())
                  for p in sorted(folder.rglob("*"))
                  if p.is_file() and p.suffix.lower() in FONT_SUFFIXES]
    return _listed(tuple(files))


@lru_cache(maxsize=1)
def _system_faces() -> tuple[Face, ...]:
    files: list[tuple[Path, str]] = []
    for folder in system_folders():
        if folder.is_dir():
            files += [(p, str(p)) for p in sorted(folder.rglob("*"))
                      if p.is_file() and p.suffix.lower() in FONT_SUFFIXES]
    return _listed(tuple(files))


def _listed(files: tuple[tuple[Path, str], ...]) -> tuple[Face, ...]:
    found: list[Face] = []
    for path, shown in files:
        stat = path.stat()
        found += _faces(path, shown, (stat.st_mtime_ns, stat.st_size))
    return tuple(found)


@lru_cache(maxsize=1024)
def _faces(path: Path, shown: str, stamp: tuple[int, int]) -> tuple[Face, ...]:
    """The faces of a font file and their families (name ID 16, else 1): a font fontTools
    cannot read is an error, as WeasyPrint could not use it either."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            fonts = list(TTCollection(str(path), lazy=True).fonts)
        else:
            fonts = [TTFont(str(path), lazy=True)]
        names = [(f["name"].getDebugName(16) or f["name"].getDebugName(1) or "")
                 for f in fonts]
    except (TTLibError, OSError, KeyError, AssertionError, ValueError) as exc:
        raise BriefError([Problem(shown, 0, 0, f"not a font fontTools can read ({exc})",
                                  hint="remove it, or replace it with a .ttf or .otf file",
                                  code="BG291")]) from None
    return tuple(Face(path, i, name, shown, stamp) for i, name in enumerate(names))


@lru_cache(maxsize=1024)
def _cmap(path: Path, index: int, stamp: tuple[int, int]) -> frozenset[int]:
    """The code points a face maps to a glyph other than .notdef, from its best Unicode
    cmap subtable (fontTools' order). Formats 12 and 4 are read from the table's bytes:
    fontTools' own decoding names every glyph first, which for a CFF font (Noto CJK: 65,535
    glyphs) parses the whole charset, 0.1-0.6 s a face."""
    from fontTools.ttLib import TTCollection, TTFont

    if path.suffix.lower() in (".ttc", ".otc"):
        font = TTCollection(str(path), lazy=True).fonts[index]
    else:
        font = TTFont(str(path), lazy=True)
    if "cmap" not in font.reader:
        return frozenset()
    data = font.reader["cmap"]
    count = struct.unpack_from(">H", data, 2)[0]
    subtables: dict[tuple[int, int], int] = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, 4 + 8 * i)
        subtables.setdefault((platform, encoding), offset)
    for key in ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0)):
        if key in subtables:
            offset = subtables[key]
            kind = struct.unpack_from(">H", data, offset)[0]
            if kind == 12:
                return frozenset(_format12(data, offset))
            if kind == 4:
                return frozenset(_format4(data, offset))
            break
    return frozenset(font["cmap"].getBestCmap() or {})


def _format12(data: bytes, offset: int) -> Iterator[int]:
    """The code points of a format-12 subtable (groups of start, end, first glyph)."""
    groups = struct.unpack_from(">I", data, offset + 12)[0]
    for start, end, glyph in struct.iter_unpack(
            ">III", data[offset + 16:offset + 16 + 12 * groups]):
        yield from range(start + (glyph == 0), end + 1)


def _format4(data: bytes, offset: int) -> Iterator[int]:
    """The code points of a format-4 subtable (segments, with deltas or a glyph array)."""
    segments = struct.unpack_from(">H", data, offset + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", data, offset + 14)
    starts = struct.unpack_from(f">{segments}H", data, offset + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", data, offset + 16 + 4 * segments)
    ranges_at = offset + 16 + 6 * segments
    ranges = struct.unpack_from(f">{segments}H", data, ranges_at)
    for i, (start, end, delta, rng) in enumerate(zip(starts, ends, deltas, ranges,
                                                     strict=True)):
        for code in range(start, min(end, 0xFFFE) + 1):
            if rng == 0:
                glyph = (code + delta) & 0xFFFF
            else:
                at = ranges_at + 2 * i + rng + 2 * (code - start)
                glyph = struct.unpack_from(">H", data, at)[0] if at + 2 <= len(data) else 0
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                yield code


def font_for(char: str, fonts: tuple[Face, ...], prefer: tuple[str, ...] = ()) -> Face | None:
    """The first font that has the character, those of the preferred families first."""
    return _first(ord(char), search_order(fonts, prefer))


def _first(code: int, order: tuple[Face, ...]) -> Face | None:
    return next((face for face in order if face.covers(code)), None)


def search_order(fonts: tuple[Face, ...], prefer: tuple[str, ...]) -> tuple[Face, ...]:
    """The fonts, those of the preferred families first, in the order of the families."""
    rank = {family: i for i, family in enumerate(prefer)}
    first = sorted((f for f in fonts if f.family in rank), key=lambda f: rank[f.family])
    return (*first, *(f for f in fonts if f.family not in rank))


def project_families(theme: Theme) -> tuple[str, ...]:
    """The families of the theme's own fonts (templates/fonts/, project's first), each once."""
    return tuple(dict.fromkeys(f.family for f in _theme_faces(theme) if f.family))


def describe(char: str) -> str:
    """U+XXXX, its Unicode name, and the character itself where a terminal can show it."""
    kind = unicodedata.category(char)
    name = unicodedata.name(char, "") or {"Co": "<private use>", "Cn": "<unassigned>",
                                           "Cs": "<surrogate>"}.get(kind, "<no name>")
    shown = f" '{char}'" if kind not in ("Co", "Cn", "Cs") else ""
    return f"U+{ord(char):04X} {name}{shown}"


def problems(edition: Edition, text: str, theme: Theme, path: str,
             cache: Catalogs | None = None) -> list[Problem]:
    """BG290 for each character of the edition's text (its page's visible text) that no font
    has, at every place of the content it is written; at the artifact's path where no
    content value holds it (a label of a catalog)."""
    needed = sorted(c for c in set(text) if not NO_GLYPH.match(c))
    if not needed:
        return []
    fonts = faces(theme)
    prefer = font_stack(edition.lang, theme, cache)
    # the faces of passages in other languages next: a Korean name in an English edition
    order = search_order(fonts, tuple(dict.fromkeys((*prefer,
                                                     *named_families(theme, cache)))))
    missing = [c for c in needed if _first(ord(c), order) is None]
    found: list[Problem] = []
    for char in missing:
        message = (f"no font has {describe(char)}: the PDF would print a blank box (tried "
                   f"{', '.join(prefer)}, then all {len(fonts)} fonts of briefgen's "
                   "fonts.conf and templates/fonts/)")
        places = list(_places(edition, char)) or [(path, 0, 0, "")]
        found += [Problem(p, line, col, message, field, HINT, code="BG290")
                  for p, line, col, field in places]
    return found


def _places(edition: Edition, char: str) -> Iterator[tuple[str, int, int, str]]:
    """(path, line, col, field) of every place of the content that writes the character."""
    for text in edition.texts():
        origin = text.origin
        if text.source and char in text.source:
            at = text.source.find(char)
            while at >= 0:
                yield (origin.path, *text_position(origin, text.source, at), origin.field)
                at = text.source.find(char, at + 1)
        elif not text.source and char in text.plain:  # a reference in the bibliography
            yield origin.path, origin.line, origin.col, origin.field
    for term in (*edition.terms.values(), *edition.chart_words):
        at = term.text.find(char)
        if at >= 0:  # a one-line value: its column and the offset; else its line
            col = term.where.col + at if term.where.col and "\n" not in term.text else 0
            yield term.where.path, term.where.line, col, ""
    if char in edition.marking:
        yield f"content/audiences/{edition.audience_id}.yaml", 0, 0, "marking"
