"""The leak guard: an audience's forbidden phrases must appear nowhere a reader or machine sees."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from itertools import accumulate

import regex
import tinycss2

from briefgen.edition.resolve import Edition
from briefgen.errors import Problem
from briefgen.publish import svgread
from briefgen.textnorm import DATA, READINGS, fold, haystacks, needles, occurs
from briefgen.textnorm import find as find  # part of the guard's API

#: The guard's version, an input of every artifact's guard fingerprint (build/keys.py): a change
#: of its rules (bump the number) or of the Unicode data it folds with re-guards every
#: artifact kept from an earlier build.
VERSION = f"10; {DATA}"


def normalize(text: str) -> str:
    """fold() word by word, keeping one space between words (to compare texts by word)."""
    return " ".join(filter(None, map(fold, text.split())))


#: Elements laid out inline: their text continues the line (``*sec*ret`` reads "secret");
#: an SVG <tspan> continues its <text>.
_INLINE = frozenset("a abbr b bdi bdo cite code data del dfn em i ins kbd mark q s samp small "
                    "span strong sub sup time u var wbr tspan".split())
#: Between two readings of the same text: the guard's folds drop spaces and line breaks, so
#: without it the last word of one reading and the first of the next would make a phrase
#: the page never shows. U+FFFC folds to itself and is in no phrase.
SEPARATOR = "\n\ufffc\n"
#: around a drawing's text, read where it is seen: scan() also reads it as a bag of words.
#: Format characters, which the folds drop, so they change nothing else.
DRAWING_OPEN, DRAWING_CLOSE = "\ufff9", "\ufffb"
_DRAWING = regex.compile("\ufff9([^\ufffb]*)\ufffb")
_ABSOLUTE = regex.compile(r"\s*(?:[a-z][a-z0-9+.-]*:|//)", regex.I)


def _is_data_url(value: str) -> bool:
    """A real data: URL (a media type, parameters, a comma, no spaces), not text that
    happens to begin "Data: …"."""
    return bool(_DATA_URL.match(value.lstrip()))


_DATA_URL = regex.compile(r"data:(?:[\w.+-]+/[\w.+-]+)?(?:;[\w.+-]+(?:=[\w.+-]+)?)*,", regex.I)


def _is_text(name: str, value: str) -> bool:
    """Whether an attribute value is text to guard: all are but data: URLs and the relative
    links between a build's own files (named by brief slug and audience id, like the
    artifact's own path, which no guard can check)."""
    if name in ("href", "src"):
        return bool(_ABSOLUTE.match(value)) and not _is_data_url(value)
    return not _is_data_url(value)


@lru_cache(maxsize=256)
def _css_strings(css: str) -> tuple[str, ...]:
    """Every string literal in a stylesheet or style attribute, unescaped (``"\\3C "`` is
    "<"), except data: URLs. Memoised: every page of an edition carries the theme's
    stylesheet, which takes tinycss2 ~40 ms to read."""
    found = []
    stack = [tinycss2.parse_component_value_list(css)]
    while stack:
        for token in stack.pop():
            if token.type == "string" and not _is_data_url(token.value):
                found.append(token.value)
            stack.append(getattr(token, "content", None) or getattr(token, "arguments", None)
                         or [])
    return tuple(found)


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []  # text, with attribute values and CSS strings where met
        self.text: list[str] = []  # the text alone: no value splits a phrase in it
        self._style: list[str] | None = None
        self._script = 0
        self._scripted: list[str] | None = None  # the text of a data block being read
        self._svg: svgread.Reader | None = None  # the drawing being read, and how deep in it
        self._svg_depth = 0

    def _line(self, text: str) -> None:
        self.parts += ["\n", text.replace("\n", " "), "\n"]

    def _flow(self, text: str) -> None:
        self.parts.append(text)
        self.text.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg" and self._svg is None:
            self._svg = svgread.Reader()
        if self._svg is not None:
            self._svg_depth += 1
            self._svg.start(tag, {k: v or "" for k, v in attrs})
        if tag not in _INLINE:
            self._flow("\n")
        for name, value in attrs:
            if value and name == "style":
                for string in _css_strings(value):
                    self._line(string)
            elif value and _is_text(name, value):
                self._line(value)
        if tag == "bdo" and dict(attrs).get("dir") == "rtl":
            self._flow("\u202e")  # its text is displayed right to left
        if tag == "style":
            self._style = []
        elif tag == "script":
            self._script += 1
            if _data_block(dict(attrs).get("type")):
                self._scripted = []

    def handle_endtag(self, tag: str) -> None:
        if self._svg is not None:
            self._svg.end()
            self._svg_depth -= 1
            if self._svg_depth == 0:  # the drawing once more, in the orders it is seen in
                seen, without_short = self._svg.orders()
                self.parts += [SEPARATOR, DRAWING_OPEN, seen, DRAWING_CLOSE, SEPARATOR,
                               without_short, SEPARATOR]
                self._svg = None
        if tag == "style" and self._style is not None:
            for string in _css_strings("".join(self._style)):
                self._line(string)
            self._style = None
        elif tag == "script" and self._script:
            self._script -= 1
            if not self._script and self._scripted is not None:
                self._read_data("".join(self._scripted))
                self._scripted = None
        self._flow("\n" if tag not in _INLINE else "\u202c" if tag == "bdo" else "")

    def handle_data(self, data: str) -> None:
        if self._style is not None:
            self._style.append(data)
        elif self._script:
            if self._scripted is not None:
                self._scripted.append(data)
        else:
            self._flow(data.replace("\n", " "))
            if self._svg is not None:
                self._svg.data(data.replace("\n", " "))


    def _read_data(self, code: str) -> None:
        """A data block is read by machines (JSON-LD by search engines): its text as
        written, and, when it is JSON, every string in it unescaped ("\\u003c" is "<")."""
        self._line(code)
        try:
            data = json.loads(code)
        except ValueError:
            return
        stack = [data]
        while stack:
            value = stack.pop()
            if isinstance(value, str):
                self._line(value)
            elif isinstance(value, dict):
                stack += [*value.keys(), *value.values()]
            elif isinstance(value, list):
                stack += value


#: the types of a <script> that runs (HTML's classic and module scripts, an import map);
#: any other type makes it a data block, text for machines (JSON-LD)
_CODE_TYPES = frozenset({"", "module", "importmap", "text/javascript", "application/javascript",
                         "text/ecmascript", "application/ecmascript", "text/jscript",
                         "application/x-javascript", "text/x-javascript"})


def _data_block(kind: str | None) -> bool:
    return kind is not None and kind.strip().lower() not in _CODE_TYPES


@lru_cache(maxsize=8)  # a PDF's page is read for its glyphs, then guarded: one parse
def visible_html_text(page: str) -> str:
    """Everything a reader, a copy-paste or a machine reads in an HTML page: its text (inline
    elements joined as text, a line per block), every attribute value but data: URLs, and
    every string in its CSS (``content:`` of running headers), read where they stand; then
    the text once more without them, so that an attribute cannot split a phrase of the
    text (`sec<a href="…">ret annex</a>`); and each inline drawing's text once more in the
    order it is seen (publish/svgread.py). A script's code is skipped; a data block (a
    script of another type: JSON-LD) is read as written and, if JSON, string by string."""
    parser = _Visible()
    parser.feed(page)
    parser.close()
    return "".join(parser.parts) + SEPARATOR + "".join(parser.text)


@dataclass
class Leak:
    phrase: str
    where: str  # "HTML text", "PDF metadata", ...


def in_drawings(phrases: list[str], text: str) -> list[str]:
    """The phrases of several words each of which is somewhere in the text of one drawing.
    A drawing places its words where it likes: in another order than written, over a decoy
    painted like the background, with a shape covering what lies between. No reading of
    the file can tell what is seen, so a drawing may not hold all the words of a phrase."""
    found: list[str] = []
    for drawing in _DRAWING.finditer(text):
        stacks = haystacks(drawing.group(1))
        found += [p for p in phrases if p not in found and len(p.split()) > 1
                  and all(occurs(word, stacks) for word in p.split())]
    return found


_PATH_RUN = regex.compile(r"[\w.-]*/[\w/.-]*")  # a run of path characters with a /
_ANY_RUN = regex.compile(r"[\w/.-]+")


def own_paths(text: str, paths: Iterable[str] | regex.Pattern[str]) -> str:
    """The text without the paths of the build's own files where they are addresses (in an
    absolute URL with a base_url, after its '/', or in a feed's tag: URI, after its ':'):
    named by brief slug and audience id like the relative links _is_text leaves out, and
    like the artifact's own path, which no guard can check. The same path written as text
    (after a space, say) stays, and is guarded like any text."""
    if isinstance(paths, regex.Pattern):
        return str(regex.sub(f"(?<=[/:])(?:{paths.pattern})(?![\\w/.-])", " ", text))
    known = set(paths)  # thousands, for a large catalogue's index page: looked up, not a regex

    def leave_out(run: regex.Match[str]) -> str:
        """A run of path characters with its longest tail that is a known path (starting
        after a '/' or ':') left out."""
        whole, start = str(run.group(0)), int(run.start())
        for at in [0, *(i + 1 for i, ch in enumerate(whole) if ch == "/")]:
            before = whole[at - 1] if at else text[start - 1] if start else ""
            if before in ("/", ":") and whole[at:] in known:
                return whole[:at] + " "
        return whole

    runs = _PATH_RUN if all("/" in p for p in known) else _ANY_RUN
    return str(runs.sub(leave_out, text))


def _edition_paths(edition: Edition) -> regex.Pattern[str]:
    """The paths of an edition's page and PDF and its language editions' pages, as
    publish/web.py writes them in absolute URLs (build/plan.py's Artifact.path:
    <slug>/<audience>/<lang>/<slug>-<audience>-<lang>.<html|pdf>): nothing but the slug and
    audience id is free in them, so no other text can hide in what is left out."""
    slug, aid = regex.escape(edition.slug), regex.escape(edition.audience_id)
    lang = "|".join(map(regex.escape, edition.audience.languages))
    # .pdf.html: the PDF's own page, which scripts/pdf_sources.py writes for the HTML checks
    return regex.compile(f"{slug}/{aid}/(?:{lang})/{slug}-{aid}-(?:{lang})"
                         "\\.(?:pdf\\.html|html|pdf)")


def scan(edition: Edition, surfaces: dict[str, str]) -> list[Leak]:
    phrases = edition.audience.forbidden_phrases
    if not phrases:
        return []
    leaks = []
    mine = _edition_paths(edition)
    for name, text in surfaces.items():
        text = own_paths(text, mine)
        found = find(phrases, text)
        leaks += [Leak(p, name) for p in found]
        leaks += [Leak(p, f"{name}: a drawing holds each of its words")
                  for p in in_drawings(phrases, text) if p not in found]
    return leaks


_LINK_TARGET = regex.compile(r"\]\([^)]*\)")
_MARKUP = regex.compile(r"[\p{P}\p{S}]")


def _unmarked(folded: str) -> str:
    return str(_MARKUP.sub("", _LINK_TARGET.sub("", folded)))


def _line_of(source: str, phrase: str) -> int:
    """The line of source (from 0) where the phrase begins, by the guard's folds; failing
    that, with Markdown markup and link targets left out (``*sec*ret``); failing that, 0."""
    lines = source.split("\n")
    cleaners: tuple[Callable[[str], str], ...] = (str, _unmarked)
    for clean in cleaners:
        for read, folds in zip(READINGS, needles(phrase), strict=True):
            folded = [clean(read(line)) for line in lines]
            starts, joined = list(accumulate(map(len, folded), initial=0)), "".join(folded)
            for needle in filter(None, map(clean, folds)):
                if (at := joined.find(needle)) >= 0:
                    return bisect_right(starts, at) - 1
    return 0


@dataclass(frozen=True)
class Source:
    """Where a leaked phrase comes from: a line of a content file, or a place named whole
    (line 0), with what it is there (a term, the marking) when that is worth saying."""

    path: str
    line: int = 0
    what: str = ""  # e.g. "term 'annex'", "marking"

    def __str__(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else self.path
        return f"{place} ({self.what})" if self.what else place


#: Where a phrase that no content value, term or marking holds comes from.
NOWHERE = Source("the rendered page", what="no single content value contains it")


def sources(edition: Edition, phrase: str) -> list[Source]:
    """Every content value, term or marking that contains the phrase, by where it is."""
    found = []
    for text in edition.texts():
        seen = visible_html_text(f"{text.html}\n{text.notes}") if text else ""
        if text and (find([phrase], seen) or in_drawings([phrase], seen)):
            found.append(Source(text.origin.path,
                                text.origin.line + _line_of(text.source, phrase)))
    for key, term in edition.terms.items():
        if find([phrase], term.text):
            found.append(Source(term.where.path, term.where.line, f"term '{key}'"))
    for words in edition.chart_words:
        if find([phrase], words.text):
            found.append(Source(words.where.path, words.where.line, "chart text"))
    if find([phrase], edition.marking):
        found.append(Source(f"content/audiences/{edition.audience_id}.yaml", what="marking"))
    # in the order of their printed form, as the guard has always listed them
    return sorted(set(found), key=str) or [NOWHERE]


def sources_of(edition: Edition, phrase: str) -> list[str]:
    """file:line of every content value, term or label that contains the phrase."""
    return [str(source) for source in sources(edition, phrase)]


def problems(edition: Edition, leaks: list[Leak], artifact: str) -> list[Problem]:
    out = []
    seen: set[str] = set()
    for leak in leaks:
        if leak.phrase in seen:
            continue
        seen.add(leak.phrase)
        surfaces = sorted({lk.where for lk in leaks if lk.phrase == leak.phrase})
        for source in sources(edition, leak.phrase):
            # a line of a file is a place to jump to; a place without one is named whole
            path, line = (source.path, source.line) if source.line else (str(source), 0)
            out.append(Problem(path, line, 1 if line else 0,
                               f"forbidden phrase '{leak.phrase}' for audience "
                               f"{edition.audience_id} appears in {artifact} "
                               f"({', '.join(surfaces)})",
                               hint="reword it, or hide this text from the audience",
                               code="BG350"))
    return out
