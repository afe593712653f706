"""Citations for one edition: each [@key] formatted by citeproc-py in the brief's CSL style
and the edition's locale, in reading order (so the first citation of a reference is full and
later ones short), and the bibliography of what the edition cited.

The Markdown renderer (markdown.py) asks `Citer.problem` whether a citation may print for
its audience (an unknown key, or a reference restricted from the audience, is an error) and
`Citer.cite` for its text, which becomes a note. citeproc-py writes its HTML without
escaping the data, so it formats with tags as private-use characters; the whole text is
escaped afterwards and only those become tags.

A citation's parts are in two languages: the reference's data as published, and what the
edition's locale adds (dates, terms, quotation marks). Where the two are written in
different scripts, each run of the reference's script in citeproc's finished text becomes
a span in the reference's language (`Citer._parts`, edition/scripts.py); a reference in
another language of the edition's script is marked whole (`Citer._in_language`)."""

from __future__ import annotations

import hashlib
import json
import re
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape, unescape
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

from briefgen.content.references import FILE, Ref, References
from briefgen.content.syntax import Cite
from briefgen.edition import scripts
from briefgen.errors import Problems, did_you_mean

#: The CSL locale of each language briefgen ships (terms like "ed." and the form of dates).
CSL_LOCALES = {"en": "en-US", "ko": "ko-KR", "zh-Hans": "zh-CN"}
#: While citeproc works, each tag is a pair of private-use characters (no letters: its text
#: transforms, title case among them, would change a tag written in letters).
_TAGS = {"i": ("<i>", "</i>"), "b": ("<b>", "</b>"), "sup": ("<sup>", "</sup>"),
         "sub": ("<sub>", "</sub>"), "smallcaps": ('<span class="smallcaps">', "</span>"),
         "span": ("<span>", "</span>"), "lang": ("", "</span>")}  # lang: the edition's
_MARKS = {name: (chr(0xE010 + 2 * n), chr(0xE011 + 2 * n)) for n, name in enumerate(_TAGS)}
#: the parts of a citation in another language than the edition's: the n-th language of
#: the citation is opened and closed by the n-th pair (at most 32 languages)
_FOREIGN = tuple((chr(0xE080 + 2 * n), chr(0xE081 + 2 * n)) for n in range(32))
_PRIVATE = re.compile("[\ue000-\ue0ff]")
_URL = re.compile(r"https?://[^\s<>\"]+?(?=[.,;:]?(?:\s|$|<))")
#: what a run of a reference's language never crosses: citeproc's tags, and links
_STOP = re.compile("[\ue000-\ue0ff]|https?://[^\\s\ue000-\ue0ff]+")
_QUOTED_PUNCTUATION = re.compile(r"”([.,])")
#: citations one edition may hold: each is formatted in every edition, in ~10 ms
MAX_CITATIONS = 500


def csl_locale(lang: str) -> str:
    """The CSL locale of a language: CSL_LOCALES, else citeproc's own for the language's
    likely region (ja: ja-JP), else en-US."""
    if lang in CSL_LOCALES:
        return CSL_LOCALES[lang]
    import citeproc
    from babel.core import get_global

    likely = str(get_global("likely_subtags").get(lang.split("-")[0], ""))  # ja_Jpan_JP
    parts = likely.split("_")
    code = f"{parts[0]}-{parts[-1]}" if len(parts) > 1 else "en-US"
    folder = Path(citeproc.__file__).parent / "data" / "locales"
    return code if (folder / f"locales-{code}.xml").is_file() else "en-US"


def _marked(lang: str) -> Callable[[str], str]:
    """Text in the edition's language inside a reference in another, marked as such."""
    opening, closing = _MARKS["lang"]
    return lambda text: f"{opening}{_unmarked(text)}{closing}"


def _unmarked(text: str) -> str:
    """Text with the private-use characters the formatter uses taken out."""
    return _PRIVATE.sub("", text)


def _wrapper(tag: str) -> type[str]:
    opening, closing = _MARKS[tag]

    class Tag(str):
        def __new__(cls, text: str) -> Tag:
            return super().__new__(cls, f"{opening}{text}{closing}")

    return Tag


#: A citeproc-py formatter (its module interface) that leaves the escaping to us.
_FORMATTER = SimpleNamespace(
    preformat=str, Italic=_wrapper("i"), Oblique=_wrapper("i"), Bold=_wrapper("b"),
    Light=_wrapper("span"), Underline=_wrapper("span"), Superscript=_wrapper("sup"),
    Subscript=_wrapper("sub"), SmallCaps=_wrapper("smallcaps"))


def _clean(value: Any) -> Any:
    """CSL-JSON with the private-use characters the formatter uses taken out of the data."""
    if isinstance(value, str):
        return _PRIVATE.sub("", value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _clean_ref(ref: Ref) -> Ref:
    return Ref(ref.key, ref.model, _clean(ref.data), ref.line)


#: a URL longer than this gets places to break, as Chicago breaks them: after // and /,
#: before a . (a shorter one moves to the next line whole)
LONG_URL = 40


def _breakable_url(url: str) -> str:
    if len(url) <= LONG_URL:
        return url
    return re.sub(r"(?<=[^/]/)(?=[^/])|(?<=//)|(?<=\w)(?=\.\w)", "<wbr>", url)


class Unbalanced(ValueError):
    """citeproc's text whose tags do not nest (a private-use character not from our
    formatter, or a tag opened and not closed): never printed."""


_CLOSING = {opening: closing for opening, closing in (*_MARKS.values(), *_FOREIGN)}


def _check_balanced(text: str) -> None:
    expected: list[str] = []
    for ch in _PRIVATE.findall(text):
        if ch in _CLOSING:
            expected.append(_CLOSING[ch])
        elif not expected or expected.pop() != ch:
            raise Unbalanced(f"a tag closed that is not open (U+{ord(ch):04X})")
    if expected:
        raise Unbalanced(f"a tag never closed (U+{ord(expected[-1]):04X})")


def to_html(text: str, lang: str, foreign: tuple[str, ...] = ()) -> str:
    """citeproc's text as safe HTML: data escaped, its own tags restored (they must nest:
    else Unbalanced), the parts marked with the n-th pair of _FOREIGN as spans in the n-th
    language of `foreign`, URLs linked."""
    _check_balanced(text)
    out = escape(text, quote=False)
    for name, (opening, closing) in _TAGS.items():
        opening = opening or f'<span lang="{escape(lang)}">'
        out = out.replace(_MARKS[name][0], opening).replace(_MARKS[name][1], closing)
    for other, (opening, closing) in zip(foreign, _FOREIGN, strict=False):
        out = out.replace(opening, f'<span lang="{escape(other)}">').replace(closing,
                                                                             "</span>")
    out = _PRIVATE.sub("", out)  # none is left; should one be, it must not print
    out = _URL.sub(lambda m: f'<a href="{escape(unescape(m[0]))}">'
                   f'{_breakable_url(m[0])}</a>', out)
    if csl_locale(lang) == "en-US":  # American usage: the period and comma go inside quotes
        out = _QUOTED_PUNCTUATION.sub(r"\1”", out)
    return out


#: each style's macros by name: citeproc-py looks a macro up by XPath at every call,
#: which made each citation cost ~14 ms
_MACROS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def _cache_macros(style: Any) -> None:
    """Look up `style`'s macros in a table built once (citeproc-py patched once)."""
    from citeproc.model import CitationStylesElement

    ns = {"cs": "http://purl.org/net/xbiblio/csl"}
    _MACROS[style.root] = {}
    for macro in style.root.xpath("cs:macro", namespaces=ns):
        _MACROS[style.root].setdefault(macro.get("name"), macro)
    if getattr(CitationStylesElement.get_macro, "briefgen", False):
        return
    uncached = CitationStylesElement.get_macro

    def get_macro(self: Any, name: str) -> Any:
        table = _MACROS.get(self.get_root())
        return table[name] if table is not None and name in table else uncached(self, name)

    get_macro.briefgen = True  # type: ignore[attr-defined]
    CitationStylesElement.get_macro = get_macro


class Why(NamedTuple):
    """Why a citation may not print: a problem's message, hint and code."""

    message: str
    hint: str
    code: str


@dataclass(frozen=True)
class Entry:
    """One entry of an edition's bibliography: its HTML (each part in its language) and
    the reference it lists."""

    html: str
    ref: Ref


@dataclass
class Citer:
    """The citations of one edition, in the order they are read."""

    references: References | None
    audience: str
    lang: str
    #: where a style failing while it formats is reported (None: it raises)
    problems: Problems | None = field(default=None, repr=False)
    _bib: Any = field(default=None, repr=False)  # citeproc's CitationStylesBibliography
    _count: int = 0  # citations formatted
    _failed: bool = False  # the style failed: nothing more is formatted
    #: what citeproc's output depends on: the style, locale and data (_base), and the
    #: citations so far (_history, digested in _chain); _replayed: how many of them _bib saw
    _base: str = ""
    _chain: str = ""
    _history: list[tuple[tuple[str, str, str], ...]] = field(default_factory=list,
                                                             repr=False)
    _replayed: int = 0

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.references.refs) if self.references else ()

    def problem(self, key: str) -> Why | None:
        """(message, hint, code) if [@key] may not print for this edition's audience."""
        refs = self.references.refs if self.references else {}
        if self._count == MAX_CITATIONS:
            self._count += 1  # reported once; later citations are not formatted
            return Why(f"more than {MAX_CITATIONS} citations in one edition",
                       "cite a reference once per paragraph at most; each citation is "
                       "formatted in every edition", code="BG273")
        ref = refs.get(key)
        if ref is None:
            if self.references is None:
                return Why(f"'@{key}' is cited but the brief has no {FILE}", "put the "
                           f"brief's references in its folder as {FILE} (CSL-JSON, as Zotero "
                           "exports it)", code="BG271")
            return Why(f"unknown reference '@{key}'", did_you_mean(key, refs) or
                       f"references: {', '.join(sorted(refs)[:8])}", code="BG271")
        if not ref.shown_to(self.audience):
            return Why(f"reference '@{key}' is restricted from {self.audience} "
                       f"({self.references.path if self.references else FILE}:{ref.line}) "
                       f"but is cited in text {self.audience} sees",
                       "cite it only inside a block or span for the audiences it is shown "
                       "to", code="BG272")
        return None

    @property
    def notes(self) -> bool:
        """Whether citations are notes (a note style) rather than text in the line."""
        key = (self._key(), "in-text")
        if key not in _FORMATTED:
            self._start()
            _remember(key, self._bib.style.root.get("class") == "in-text")
        return not _FORMATTED[key]

    def _data(self) -> list[dict[str, Any]]:
        assert self.references is not None
        return [ref.csl(self.lang, _marked(self.lang) if self._foreign(ref) else _unmarked)
                for ref in map(_clean_ref, self.references.refs.values())]

    def _key(self) -> str:
        """The digest of what every output of this edition's citeproc depends on besides
        the citations: the style's bytes, the locale and the references' data."""
        if not self._base:
            assert self.references is not None
            self._base = _digest(Path(self.references.style).read_bytes(),
                                 csl_locale(self.lang).encode(),
                                 json.dumps(self._data(), sort_keys=True).encode())
            self._chain = self._base
        return self._base

    def _start(self) -> None:
        if self._bib is not None:
            return
        from citeproc import CitationStylesBibliography, CitationStylesStyle
        from citeproc.source.json import CiteProcJSON

        assert self.references is not None
        style = CitationStylesStyle(str(self.references.style), locale=csl_locale(self.lang),
                                    validate=False)
        _cache_macros(style)
        with warnings.catch_warnings():  # "arguments … unsupported": CSL 1.0.2 variables
            warnings.simplefilter("ignore", UserWarning)  # it does not print, on stderr
            source = CiteProcJSON(self._data())
        self._bib = CitationStylesBibliography(style, source, _FORMATTER)

    def _replay(self, upto: int) -> None:
        """Bring citeproc's state to the first `upto` citations of the edition (each
        registered and formatted, as the first time: a later one's form depends on them)."""
        self._start()
        for items in self._history[self._replayed:upto]:
            citation = _citation(items)
            self._bib.register(citation)
            self._bib.cite(citation, lambda item: None)
        self._replayed = max(self._replayed, upto)

    def _language_of(self, ref: Ref) -> str:
        """The language a reference's data is written in: its own, else the brief's."""
        return ref.language or (self.references.language if self.references else "")

    def _split(self, ref: Ref) -> bool:
        """Whether a reference's parts are told from the edition's by their script (an
        English reference in a Korean edition, a Chinese one in an English edition)."""
        theirs, ours = scripts.script(self._language_of(ref)), scripts.script(self.lang)
        return bool(theirs and ours) and not scripts.overlap(theirs, ours)

    def _foreign(self, ref: Ref) -> bool:
        """A reference in another language of the edition's script (a French one in an
        English edition): marked whole, its translated title in the edition's language."""
        lang = self._language_of(ref)
        return bool(lang) and lang != self.lang and not self._split(ref)

    def _in_language(self, html: str, keys: list[str]) -> str:
        """html marked with the language of the references it cites, if each is in the
        same language of the edition's script (else its parts are marked by `_parts`)."""
        assert self.references is not None
        refs = [self.references.refs[k] for k in keys]
        langs = {self._language_of(ref) for ref in refs}
        lang = langs.pop() if len(langs) == 1 else ""
        if not lang or not all(map(self._foreign, refs)):
            return html
        return f'<span lang="{escape(lang)}">{html}</span>'

    def _parts(self, text: str, keys: list[str]) -> tuple[str, tuple[str, ...]]:
        """citeproc's text with the runs of each cited reference's script marked in its
        language (for `to_html`), where that script is not the edition's: the reference's
        data as published (names, titles, publisher), apart from what the edition's locale
        added (dates, terms, quotation marks). Two languages of one script in a citation
        are not told apart: neither is marked."""
        assert self.references is not None
        by_script: dict[str, set[str]] = {}
        for ref in (self.references.refs[k] for k in keys):
            if self._split(ref):
                lang = self._language_of(ref)
                by_script.setdefault(scripts.script(lang), set()).add(lang)
        spans = [(start, end, lang) for letters, langs in sorted(by_script.items())
                 if len(langs) == 1 for lang in langs
                 for start, end in scripts.runs(text, letters, _STOP)]
        foreign = tuple(sorted({lang for _, _, lang in spans}))[:len(_FOREIGN)]
        for start, end, lang in sorted(spans, reverse=True):
            if lang in foreign:
                opening, closing = _FOREIGN[foreign.index(lang)]
                text = f"{text[:start]}{opening}{text[start:end]}{closing}{text[end:]}"
        return text, foreign

    def _html(self, text: str, keys: list[str]) -> str:
        """citeproc's text of a citation or entry citing `keys` as HTML, in its languages."""
        marked, foreign = self._parts(text, keys)
        return self._in_language(to_html(marked, self.lang, foreign), keys)

    def _failure(self, exc: Exception, what: str) -> None:
        """The style failed while formatting: an error at the style file (once), or
        raised when there is nowhere to report it."""
        self._failed = True
        if self.problems is None:
            raise exc
        assert self.references is not None
        self.problems.error(self.references.style_shown, 0, 0,
                            f"citation style '{self.references.style_name}' failed while "
                            f"formatting {what} ({type(exc).__name__}: {exc})",
                            hint="check the style with a CSL validator; a style of the CSL "
                            "styles repository works", code="BG174")

    def cite(self, cites: list[Cite]) -> str:
        """The HTML of a citation whose keys `problem` passed, in reading order."""
        self._count += 1
        if self._failed or self._count > MAX_CITATIONS:
            return ""
        try:
            items = tuple((c.key.lower(), c.label or "", c.locator or "") for c in cites)
            self._key()
            self._history.append(items)
            self._chain = _digest(self._chain.encode(), json.dumps(items).encode())
            key = (self._chain, "cite")
            if key not in _FORMATTED:
                self._replay(len(self._history) - 1)
                citation = _citation(items)
                self._bib.register(citation)
                _remember(key, str(self._bib.cite(citation, lambda item: None)))
                self._replayed += 1
            return self._html(str(_FORMATTED[key]), [c.key for c in cites])
        except Exception as exc:  # noqa: BLE001  # a style citeproc cannot follow
            self._failure(exc, "a citation")
            return ""

    def bibliography(self) -> list[Entry]:
        """What the edition cited, sorted as the style sorts it."""
        if not self._history or self._failed:
            return []
        try:
            key = (self._chain, "bibliography")
            if key not in _FORMATTED:
                _remember(key, self._entries())
            entries = _FORMATTED[key]
            assert isinstance(entries, tuple) and self.references is not None
            by_key = {k.lower(): ref for k, ref in self.references.refs.items()}
            return [Entry(self._html(text, [by_key[k].key]), by_key[k]) for text, k in entries]
        except Exception as exc:  # noqa: BLE001  # a style citeproc cannot follow
            self._failure(exc, "the bibliography")
            return []

    def _entries(self) -> tuple[tuple[str, str], ...]:
        """citeproc's text of each bibliography entry, with its (lower-case) key."""
        from citeproc import Citation, CitationItem, CitationStylesBibliography

        self._replay(len(self._history))
        self._bib.sort()
        out = []
        for item in self._bib.items:
            rendered = self._bib.style.render_bibliography([item])
            if not rendered:  # citeproc-py drops e.g. a document with no URL or publisher:
                alone = CitationStylesBibliography(self._bib.style, self._bib.source,
                                                   _FORMATTER)  # its full note instead
                citation = Citation([CitationItem(item.key)])
                alone.register(citation)
                rendered = [alone.cite(citation, lambda item: None)]
            out.append((str(rendered[0]), item.key))
        return tuple(out)


#: citeproc's outputs, by the digest of all they depend on (Citer._key, and the citations
#: before and at each): a pure function memoised, so an edition's page and PDF, and each
#: audience that reads the same citations, have each citation formatted once per process.
#: Bounded: the oldest entries go first.
_FORMATTED: OrderedDict[tuple[str, str], object] = OrderedDict()
MAX_FORMATTED = 20_000


def _remember(key: tuple[str, str], value: object) -> None:
    _FORMATTED[key] = value
    while len(_FORMATTED) > MAX_FORMATTED:
        _FORMATTED.popitem(last=False)


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()


def _citation(items: tuple[tuple[str, str, str], ...]) -> Any:
    """citeproc's Citation of (key, locator label, locator) items."""
    from citeproc import Citation, CitationItem, Locator

    return Citation([CitationItem(key, locator=Locator(label, locator)) if locator
                     else CitationItem(key) for key, label, locator in items])

