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
    folders', each folder's files in name order."""
    files: list[tuple[Path, str]] = []
    for folder in theme.font_folders():
        files += [(p, "templates/fonts/" + p.relative_to(folder).as_posix())
                  for p in sorted(folder.rglob("*"))
                  if p.is_file() and p.suffix.lower() in FONT_SUFFIXES]
    for folder in system_folders():
        if folder.is_dir():
            files += [(p, str(p)) for p in sorted(folder.rglob("*"))
                      if p.is_file() and p.suffix.lower() in FONT_SUFFIXES]
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
    """The code points a face maps to a glyph (its best cmap)."""
    from fontTools.ttLib import TTCollection, TTFont

    if path.suffix.lower() in (".ttc", ".otc"):
        font = TTCollection(str(path), lazy=True).fonts[index]
    else:
        font = TTFont(str(path), lazy=True)
    return frozenset(font["cmap"].getBestCmap() or {})


def font_for(char: str, fonts: tuple[Face, ...], prefer: tuple[str, ...] = ()) -> Face | None:
    """The first font that has the character, those of the preferred families first."""
    code = ord(char)
    return next((face for face in _ordered(fonts, prefer) if face.covers(code)), None)


@lru_cache(maxsize=64)
def _ordered(fonts: tuple[Face, ...], prefer: tuple[str, ...]) -> tuple[Face, ...]:
    first = sorted((f for f in fonts if f.family in prefer), key=lambda f: prefer.index(f.family))
    return (*first, *(f for f in fonts if f.family not in prefer))


def project_families(theme: Theme) -> tuple[str, ...]:
    """The families of the theme's own fonts (templates/fonts/, project's first), each once."""
    return tuple(dict.fromkeys(f.family for f in faces(theme)
                               if f.family and f.shown.startswith("templates/fonts/")))


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
    needed = sorted({c for c in text if not NO_GLYPH.match(c)})
    if not needed:
        return []
    fonts = faces(theme)
    prefer = font_stack(edition.lang, theme, cache)
    # the faces of passages in other languages next: a Korean name in an English edition
    order = tuple(dict.fromkeys((*prefer, *named_families(theme, cache))))
    missing = [c for c in needed if font_for(c, fonts, order) is None]
    found: list[Problem] = []
    for char in missing:
        message = (f"no font has {describe(char)}: the PDF would print a blank box (tried "
                   f"{', '.join(prefer)} and the {len(fonts) - len(prefer)} other fonts of "
                   "briefgen's fonts.conf and templates/fonts/)")
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
        if char in term.text:
            yield term.where.path, term.where.line, 0, ""
    if char in edition.marking:
        yield f"content/audiences/{edition.audience_id}.yaml", 0, 0, "marking"
