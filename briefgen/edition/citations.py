"""Citations for one edition: each [@key] formatted by citeproc-py in the brief's CSL style
and the edition's locale, in reading order (so the first citation of a reference is full and
later ones short), and the bibliography of what the edition cited.

The Markdown renderer (markdown.py) asks `Citer.problem` whether a citation may print for
its audience (an unknown key, or a reference restricted from the audience, is an error) and
`Citer.cite` for its text, which becomes a note. citeproc-py writes its HTML without
escaping the data, so it formats with tags as private-use characters; the whole text is
escaped afterwards and only those become tags."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, NamedTuple

from briefgen.content.references import FILE, Ref, References
from briefgen.content.syntax import Cite
from briefgen.errors import did_you_mean

#: The CSL locale of each language briefgen ships (terms like "ed." and the form of dates).
CSL_LOCALES = {"en": "en-US", "ko": "ko-KR", "zh-Hans": "zh-CN"}
_OPEN, _CLOSE = "\ue000", "\ue001"  # a tag while citeproc works: \ue000i\ue001
_PRIVATE = re.compile(f"[{_OPEN}{_CLOSE}]")
_TAG = re.compile(f"{_OPEN}(/?)(i|b|sup|sub|span class=\"smallcaps\"|span){_CLOSE}")
_URL = re.compile(r"https?://[^\s<>\"]+?(?=[.,;:]?(?:\s|$|<))")
_QUOTED_PUNCTUATION = re.compile(r"”([.,])")


def csl_locale(lang: str) -> str:
    return CSL_LOCALES.get(lang, "en-US")


def _wrapper(tag: str) -> type[str]:
    name = tag.split()[0]

    class Tag(str):
        def __new__(cls, text: str) -> Tag:
            return super().__new__(cls, f"{_OPEN}{tag}{_CLOSE}{text}{_OPEN}/{name}{_CLOSE}")

    return Tag


#: A citeproc-py formatter (its module interface) that leaves the escaping to us.
_FORMATTER = SimpleNamespace(
    preformat=str, Italic=_wrapper("i"), Oblique=_wrapper("i"), Bold=_wrapper("b"),
    Light=_wrapper("span"), Underline=_wrapper("span"), Superscript=_wrapper("sup"),
    Subscript=_wrapper("sub"), SmallCaps=_wrapper('span class="smallcaps"'))


def _clean(value: Any) -> Any:
    """CSL-JSON with the private-use characters the formatter uses taken out of the data."""
    if isinstance(value, str):
        return _PRIVATE.sub("", value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def to_html(text: str, lang: str) -> str:
    """citeproc's text as safe HTML: data escaped, its own tags restored, URLs linked."""
    out = html.escape(text, quote=False)
    out = _TAG.sub(r"<\1\2>", out)
    out = _URL.sub(lambda m: f'<a href="{html.escape(html.unescape(m[0]))}">{m[0]}</a>', out)
    if csl_locale(lang) == "en-US":  # American usage: the period and comma go inside quotes
        out = _QUOTED_PUNCTUATION.sub(r"\1”", out)
    return out


class Why(NamedTuple):
    """Why a citation may not print: a problem's message, hint and code."""

    message: str
    hint: str
    code: str


@dataclass(frozen=True)
class Entry:
    """One entry of an edition's bibliography: its HTML and the reference it lists."""

    html: str
    ref: Ref


@dataclass
class Citer:
    """The citations of one edition, in the order they are read."""

    references: References | None
    audience: str
    lang: str
    _bib: Any = field(default=None, repr=False)  # citeproc's CitationStylesBibliography
    _in_text: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.references.refs) if self.references else ()

    def problem(self, key: str) -> Why | None:
        """(message, hint, code) if [@key] may not print for this edition's audience."""
        refs = self.references.refs if self.references else {}
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
        self._start()
        return not self._in_text

    def _start(self) -> None:
        if self._bib is not None:
            return
        from citeproc import CitationStylesBibliography, CitationStylesStyle
        from citeproc.source.json import CiteProcJSON

        assert self.references is not None
        style = CitationStylesStyle(str(self.references.style), locale=csl_locale(self.lang),
                                    validate=False)
        self._in_text = style.root.get("class") == "in-text"
        data = [_clean(ref.csl(self.lang)) for ref in self.references.refs.values()]
        self._bib = CitationStylesBibliography(style, CiteProcJSON(data), _FORMATTER)

    def cite(self, cites: list[Cite]) -> str:
        """The HTML of a citation whose keys `problem` passed, in reading order."""
        from citeproc import Citation, CitationItem, Locator

        self._start()
        citation = Citation([CitationItem(c.key.lower(), locator=Locator(c.label, c.locator))
                             if c.locator else CitationItem(c.key.lower()) for c in cites])
        self._bib.register(citation)
        return to_html(str(self._bib.cite(citation, lambda item: None)), self.lang)

    def bibliography(self) -> list[Entry]:
        """What the edition cited, sorted as the style sorts it."""
        if self._bib is None or not self._bib.items:
            return []
        from citeproc import Citation, CitationItem, CitationStylesBibliography

        self._bib.sort()
        assert self.references is not None
        by_key = {k.lower(): ref for k, ref in self.references.refs.items()}
        out = []
        for item in self._bib.items:
            rendered = self._bib.style.render_bibliography([item])
            if not rendered:  # citeproc-py drops e.g. a document with no URL or publisher:
                alone = CitationStylesBibliography(self._bib.style, self._bib.source,
                                                   _FORMATTER)  # its full note instead
                citation = Citation([CitationItem(item.key)])
                alone.register(citation)
                rendered = [alone.cite(citation, lambda item: None)]
            out.append(Entry(to_html(str(rendered[0]), self.lang), by_key[item.key]))
        return out

