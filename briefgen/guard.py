"""The leak guard: an audience's forbidden phrases must appear nowhere a reader or machine sees."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from .audiences import Edition
from .errors import Problem

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'",
                         "«": '"', "»": '"', "「": '"', "」": '"', "–": "-", "—": "-",
                         "\u2010": "-", "\u2011": "-", "\u00a0": " "})
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_CJK = "\u1100-\u11ff\u3000-\u303f\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff" \
       "\uac00-\ud7a3\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")


def normalize(text: str, joined_hyphens: bool = True) -> str:
    """Fold case, quotes and dashes; undo line-end hyphenation; collapse spaces."""
    text = _INVISIBLE.sub("", text.translate(_QUOTES)).casefold()
    text = re.sub(r"-\s*\n\s*", "" if joined_hyphens else "-", text)
    text = re.sub(r"\s+", " ", text)
    return _CJK_GAP.sub("", text).strip()


def find(phrases: list[str], text: str) -> list[str]:
    """The phrases that occur in text, by the guard's rules."""
    variants = (normalize(text, True), normalize(text, False))
    return [p for p in phrases if any(normalize(p) in v for v in variants)]


class _Visible(HTMLParser):
    ATTRS = ("alt", "title", "aria-label", "content", "placeholder", "aria-description")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        for name, value in attrs:
            if name in self.ATTRS and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_html_text(page: str) -> str:
    """Text and reader-visible attributes of an HTML page, one piece per line."""
    parser = _Visible()
    parser.feed(page)
    return "\n".join(parser.parts)


@dataclass
class Leak:
    phrase: str
    where: str  # "HTML text", "PDF metadata", ...


def scan(edition: Edition, surfaces: dict[str, str]) -> list[Leak]:
    phrases = edition.audience.forbidden_phrases
    if not phrases:
        return []
    return [Leak(p, name) for name, text in surfaces.items() for p in find(phrases, text)]


def sources_of(edition: Edition, phrase: str) -> list[str]:
    """file:line of every content value, term or label that contains the phrase."""
    found = []
    for text in edition.texts():
        if text and find([phrase], visible_html_text(text.html)):
            at = text.source.casefold().find(phrase.casefold().split()[0])
            line = text.origin.line + (text.source.count("\n", 0, at) if at > 0 else 0)
            found.append(f"{text.origin.path}:{line}")
    for key, (value, defined) in edition.terms.items():
        if find([phrase], value):
            found.append(f"{defined} (term '{key}')")
    if find([phrase], edition.marking):
        found.append(f"content/audiences/{edition.audience_id}.yaml (marking)")
    return sorted(set(found)) or ["the rendered page (no single content value contains it)"]


def problems(edition: Edition, leaks: list[Leak], artifact: str) -> list[Problem]:
    out = []
    seen: set[str] = set()
    for leak in leaks:
        if leak.phrase in seen:
            continue
        seen.add(leak.phrase)
        surfaces = sorted({lk.where for lk in leaks if lk.phrase == leak.phrase})
        for source in sources_of(edition, leak.phrase):
            path, _, rest = source.partition(":")
            line = int(rest.split(" ")[0]) if rest[:1].isdigit() else 0
            out.append(Problem(path, line, 1 if line else 0,
                               f"forbidden phrase '{leak.phrase}' for audience "
                               f"{edition.audience_id} appears in {artifact} "
                               f"({', '.join(surfaces)})",
                               hint="reword it, or hide this text from the audience"))
    return out

