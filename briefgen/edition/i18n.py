"""Languages: their message catalogs (templates/messages/<lang>.yaml), what briefgen needs to
know to publish in them, and locale-aware dates.

A language is one catalog file. Its labels are the fixed text of an edition; a `language:`
mapping at its top says the rest (templates/messages/ko.yaml has one; this one is Japanese):

    language:
      locale: ja_JP                  # Babel locale of dates
      keep_words: false              # true: lines break only between words (Hangul words whole)
      serif: [Noto Serif CJK JP]     # print fonts of body text,
      sans: [Noto Sans CJK JP]       #   of headings, marking, byline and contents,
      page: [Noto Sans, Noto Sans CJK JP]  # of the running header and footer (omitted: sans);
                                     #   serif and sans omitted: LATIN_SERIF, LATIN_SANS
      print: {line-height: 1.7}      # more CSS declarations for this language's PDF body
      sample: 同盟                   # a word that loads the fonts when warming up

Catalogs are looked up through the Theme, the project's templates/ first. A project catalog
for a language briefgen ships may hold only the labels it changes: the others, and the keys of
`language:` it leaves out, come from briefgen's catalog of that language. A catalog for a
language briefgen does not ship must be complete: it has every label of briefgen's English one.

Catalogs are read when asked for. Pass a cache (Session.catalogs) to read each once; without
one, a catalog is read again only when one of its files changed (_parsed).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from markupsafe import Markup

from briefgen.content.yamlread import Document, read_yaml
from briefgen.errors import BriefError, Problem
from briefgen.theme import Theme, bundled

#: catalogs by (language, theme folders): Session.catalogs
Catalogs = dict[tuple[str, tuple[Path, ...]], dict[str, object]]

#: the elements print.css sets in its sans-serif family: a language's `sans` fonts go there
SANS_ELEMENTS = ("h1", "h2", "h3", ".marking", ".series", ".byline", ".dateline", ".toc",
                 ".colophon", "figcaption", ".table-scroll thead th", ".chart-data")
#: the print fonts of a language that names none (English), and the Latin face of every one
LATIN_SERIF = ("Noto Serif",)
LATIN_SANS = ("Noto Sans",)
#: the colour emoji font, last in every stack (Debian's fonts-noto-color-emoji): it draws an
#: emoji the faces before it lack, rather than a black-and-white symbol font fontconfig
#: would fall back to
EMOJI = ("Noto Color Emoji",)
#: the CJK faces of a passage in a language the theme has no catalog for (`{lang=ja}` in an
#: English brief): (language range of :lang(), the region of Noto's CJK fonts). A catalog's
#: own fonts, later in language_css, win over these.
CJK_FACES = (("ko", "KR"), ("ja", "JP"), ("zh", "SC"), ("zh-Hans", "SC"), ("zh-Hant", "TC"),
             ("zh-TW", "TC"), ("zh-HK", "HK"))
#: the page's margin boxes that print.css and base.html.j2 fill
MARGIN_BOXES = ("top-left", "top-right", "bottom-center")
# a font family name, and a CSS value, from a catalog: an allowlist of letters, digits and
# the few signs names and plain values use, so nothing can open a string or a comment, end a
# rule, or call url() (an attack got through a blocklist with ', /* and form feed)
_FAMILY = re.compile(r"\w[\w +.-]*")
_VALUE = re.compile(r"[\w .,%#+-]+")
_PROPERTY = re.compile(r"[a-z][a-z-]*")


@dataclass(frozen=True)
class Language:
    """What briefgen needs to know to publish in a language (its catalog's `language:`)."""

    code: str  # as in content files: en, ko, zh-Hans
    name: str  # in the language itself (the label language_name)
    locale: str  # Babel's, for dates
    keep_words: bool = False  # lines break only between words: Hangul words are kept whole
    serif: tuple[str, ...] = ()  # print font families of body text, before the generic one
    sans: tuple[str, ...] = ()  # … and of headings, marking, byline and contents
    page: tuple[str, ...] = ()  # … and of the running header and footer
    declarations: tuple[tuple[str, str], ...] = ()  # more CSS for the PDF's body (`print:`)
    sample: str = ""  # a word in the language, to load its fonts before they are needed


def catalog(lang: str, folder: Path | None = None, *, theme: Theme | None = None,
            cache: Catalogs | None = None) -> dict[str, Any]:
    """The labels of a language (and its `language:` mapping), from the theme's catalogs.
    `folder` is the old way of naming a single templates folder."""
    theme = theme or (Theme((folder.resolve(),)) if folder else Theme.default())
    key = (lang, theme.folders)
    if cache is not None and key in cache:
        return dict(cache[key])
    data = _merged(lang, theme)
    if cache is not None:
        cache[key] = data
    return dict(data)


def _merged(lang: str, theme: Theme) -> dict[str, Any]:
    """The project's catalog over briefgen's of the same language; complete, or an error."""
    shown = f"templates/messages/{lang}.yaml"
    found = [(folder, folder / "messages" / f"{lang}.yaml") for folder in theme.folders]
    found = [(folder, path) for folder, path in found if path.is_file()]
    if not found:
        raise BriefError([Problem(shown, 0, 0, f"no message catalog for the language {lang}",
                                  hint=f"add {shown}", code="BG331")])
    data: dict[str, Any] = {}
    docs = [_read(path, shown, folder) for folder, path in reversed(found)]
    for doc in docs:  # briefgen's first, the project's over it
        if not isinstance(doc.data, dict):
            raise BriefError([Problem(shown, 1, 1, "a message catalog is a mapping of labels",
                                      code="BG332")])
        own = dict(doc.data)
        if isinstance(data.get("language"), dict) and isinstance(own.get("language"), dict):
            own["language"] = {**data["language"], **own["language"]}
        data.update(own)
    doc = docs[-1]
    english = bundled() / "messages" / "en.yaml"
    reference = _read(english, "templates/messages/en.yaml", bundled()).data
    missing = sorted(set(reference) - set(data) - {"language"})  # _language says that one
    if missing:
        raise BriefError([Problem(doc.path, 1, 1, f"missing labels: {', '.join(missing)}",
                                  code="BG330")])
    _language(lang, data, doc)  # a mistake there is reported when the catalog is read
    return data


def _read(path: Path, shown: str, folder: Path) -> Document:
    stat = path.stat()
    return _parsed(path, shown, folder, (stat.st_mtime_ns, stat.st_size, stat.st_ino))


@lru_cache(maxsize=32)
def _parsed(path: Path, shown: str, folder: Path, stamp: tuple[int, int, int]) -> Document:
    """A catalog file parsed, memoised on its path and stamp (modified time, size, inode):
    an edited file is read again. Callers that hold a Session pass its cache instead."""
    return read_yaml(path, shown, roots=(folder.resolve(),))



def language(code: str, theme: Theme | None = None,
             cache: Catalogs | None = None) -> Language:
    """A language as its catalog describes it."""
    theme = theme or Theme.default()
    data = catalog(code, theme=theme, cache=cache)
    return _language(code, data, None)


def _language(code: str, data: dict[str, Any], doc: Document | None) -> Language:
    spec = data.get("language")
    shown = doc.path if doc else f"templates/messages/{code}.yaml"

    def wrong(message: str, *loc: str) -> BriefError:
        line, col = doc.where(("language", *loc)) if doc else (0, 0)
        return BriefError([Problem(shown, line, col, message, field=".".join(
            ("language", *loc)), code="BG332")])

    if not isinstance(spec, dict):
        raise wrong("a mapping with at least the locale is needed (language: {locale: …})")
    unknown = sorted(set(spec) - {"locale", "keep_words", "serif", "sans", "page", "print",
                                  "sample"})
    if unknown:
        raise wrong(f"unknown key {unknown[0]} (known: locale, keep_words, serif, sans, page, "
                    "print, sample)", unknown[0])
    locale = spec.get("locale")
    try:
        Locale.parse(str(locale))
    except (UnknownLocaleError, ValueError, TypeError):
        raise wrong(f"{locale!r} is not a locale Babel knows (e.g. en_US, ko_KR)",
                    "locale") from None
    if not isinstance(spec.get("keep_words", False), bool):
        raise wrong("true or false", "keep_words")
    fonts: dict[str, tuple[str, ...]] = {}
    for kind in ("serif", "sans", "page"):
        families = spec.get(kind, [])
        if not isinstance(families, list) or not all(
                isinstance(f, str) and _FAMILY.fullmatch(f) for f in families):
            raise wrong("a list of font family names", kind)
        fonts[kind] = tuple(families)
    declarations = spec.get("print", {})
    if not isinstance(declarations, dict) or not all(
            isinstance(k, str) and _PROPERTY.fullmatch(k) and _VALUE.fullmatch(str(v))
            for k, v in declarations.items()):
        raise wrong("a mapping of CSS properties to values", "print")
    sample = spec.get("sample", "")
    if not isinstance(sample, str):
        raise wrong("a word in the language", "sample")
    return Language(code, str(data.get("language_name", code)), str(locale),
                    bool(spec.get("keep_words", False)), fonts["serif"], fonts["sans"],
                    fonts["page"],
                    tuple((k, str(v)) for k, v in declarations.items()), sample)


def language_css(theme: Theme | None = None, cache: Catalogs | None = None) -> str:
    """The print stylesheet's font rules for each of the theme's languages, from their
    catalogs: to go before print.css (which may override them).

    Every language gets rules, so that each element is set in the faces of its own language:
    an edition's body and page (html:lang, body:lang), and a passage in another language
    (`[…]{lang=ja}`, `<li lang="en">`: any element with a lang attribute) in that language's
    serif faces in body text, and its sans-serif faces inside the elements print.css sets in
    sans-serif. A language without fonts of its own (English) is set in LATIN_SERIF and
    LATIN_SANS. Every stack ends with the theme's own fonts and EMOJI (_fallback)."""
    theme = theme or Theme.default()
    spans = [Language(code, code, "", serif=(*LATIN_SERIF, f"Noto Serif CJK {region}"),
                      sans=(*LATIN_SANS, f"Noto Sans CJK {region}"))
             for code, region in CJK_FACES]
    editions = [language(code, theme, cache) for code in theme.languages()]
    spans += editions  # later: a catalog's fonts win over CJK_FACES
    last = _fallback(theme)
    rules = []
    for lang in editions:
        serif = _stack(lang.serif or LATIN_SERIF, last)
        sans = _stack(lang.sans or LATIN_SANS, last)
        body = f"body:lang({lang.code})"
        rules.append(f"html:lang({lang.code}) {{ font-family: "
                     f"{_stack(lang.page or lang.sans or LATIN_SANS, last)}, sans-serif; }}")
        declarations = [f"font-family: {serif}, serif",
                        *(f"{k}: {v}" for k, v in lang.declarations)]
        rules.append(f"{body} {{ {'; '.join(declarations)}; }}")
        rules.append(", ".join(f"{body} {e}" for e in SANS_ELEMENTS)
                     + f" {{ font-family: {sans}, sans-serif; }}")
    for outer in editions:  # a passage in another language: its fonts, then the edition's
        for inner in spans:
            rules.extend(_span_rules(outer, inner, last))
    return "".join(rule + "\n" for rule in rules)


def _fallback(theme: Theme) -> tuple[str, ...]:
    """What ends every stack: the families of the theme's own fonts (templates/fonts/),
    which draw what the language's faces lack, then the colour emoji font. A family name
    CSS cannot hold as it is (outside _FAMILY) is left to fontconfig's fallback."""
    from briefgen.edition.glyphs import project_families  # glyphs reads stacks from here

    return (*(f for f in project_families(theme) if _FAMILY.fullmatch(f)), *EMOJI)


def named_families(theme: Theme | None = None, cache: Catalogs | None = None
                   ) -> tuple[str, ...]:
    """Every family language_css names: each language's faces and CJK_FACES' (a passage in
    another language is set in them), then the theme's own fonts and the emoji font."""
    theme = theme or Theme.default()
    found = [f for code, region in CJK_FACES
             for f in (f"Noto Serif CJK {region}", f"Noto Sans CJK {region}")]
    for code in theme.languages():
        lang = language(code, theme, cache)
        found += [*lang.serif, *lang.sans, *lang.page]
    return tuple(dict.fromkeys((*LATIN_SERIF, *LATIN_SANS, *found, *_fallback(theme))))


def font_stack(code: str, theme: Theme | None = None,
               cache: Catalogs | None = None) -> tuple[str, ...]:
    """Every family an edition in this language names: its serif, sans and page faces,
    then the theme's own fonts and the emoji font (what glyphs.py looks in first)."""
    theme = theme or Theme.default()
    lang = language(code, theme, cache)
    return tuple(dict.fromkeys((*(lang.serif or LATIN_SERIF), *(lang.sans or LATIN_SANS),
                                *lang.page, *_fallback(theme))))


def _span_rules(outer: Language, inner: Language, last: tuple[str, ...]) -> list[str]:
    """A passage in the language `inner` in an edition in `outer`: in body text, inner's serif
    faces, in the elements set in sans-serif its sans-serif ones, each followed by outer's
    (a character inner's fonts lack, e.g. Han in a date inside an English citation), then
    `last` (the theme's own fonts and the emoji font)."""
    serif = _stack(inner.serif or LATIN_SERIF, outer.serif or LATIN_SERIF, last)
    sans = _stack(inner.sans or LATIN_SANS, outer.sans or LATIN_SANS, last)
    span = f"body:lang({outer.code}) {{}}[lang]:lang({inner.code})"  # where the language changes
    return [span.format("") + f" {{ font-family: {serif}, serif; }}",
            ", ".join(span.format(f"{e} ") for e in SANS_ELEMENTS)
            + f" {{ font-family: {sans}, sans-serif; }}"]


def _stack(*groups: tuple[str, ...]) -> str:
    """Font families, quoted, each once, in order."""
    return _families(tuple(dict.fromkeys(name for group in groups for name in group)))


def page_css(code: str, theme: Theme | None = None, cache: Catalogs | None = None) -> str:
    """The margin boxes of an edition's pages (running header, marking, "Page n of N") in
    the faces of its language: a page's margin boxes take their font from the page, which
    no :lang() selector reaches."""
    theme = theme or Theme.default()
    lang = language(code, theme, cache)
    family = f"{_stack(lang.page or lang.sans or LATIN_SANS, _fallback(theme))}, sans-serif"
    boxes = " ".join(f"@{box} {{ font-family: {family}; }}" for box in MARGIN_BOXES)
    return f"@page {{ font-family: {family}; {boxes} }}\n"


def _families(names: tuple[str, ...]) -> str:
    return ", ".join(f'"{name}"' for name in names)


class Messages:
    """The labels of one language, for templates: m.key or m('key', n=3)."""

    def __init__(self, lang: str, theme: Theme | None = None,
                 cache: Catalogs | None = None) -> None:
        self.lang = lang
        self._data = catalog(lang, theme=theme, cache=cache)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(key) from None

    def __call__(self, key: str, **values: Any) -> str:
        return str(self._data[key]).format(**values)

    def all_labels(self) -> dict[str, Any]:
        """Every label of the catalog (a copy)."""
        return dict(self._data)

    def ordinal(self, n: int) -> str:
        ordinals = self._data["ordinals"]
        return str(ordinals[n - 1]) if n <= len(ordinals) else str(n)

    def css_page_of(self) -> Markup:
        """'Page {page} of {pages}' as a CSS content value with page counters."""
        parts = re.split(r"(\{page\}|\{pages\})", self._data["page_of"])
        out = []
        for part in parts:
            if part == "{page}":
                out.append("counter(page)")
            elif part == "{pages}":
                out.append("counter(pages)")
            elif part:
                out.append('"' + part.replace('"', '\\"') + '"')
        return Markup(" ".join(out))


def long_date(date: dt.date, lang: str, theme: Theme | None = None,
              cache: Catalogs | None = None) -> str:
    """The date written out in the language's own way (Babel's long format)."""
    return format_date(date, format="long", locale=language(lang, theme, cache).locale)
