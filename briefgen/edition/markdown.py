"""Markdown -> HTML for one edition: terms, audience blocks and spans, safe links and images.

Terms and cross references are looked up in the tables the resolver made before rendering
(Tables, in the Context); the renderer reports a missing one itself and records the terms
it used. Nothing here keeps state between calls but the Context it is given, and a memo of
the parses (_parsed: a parse is a function of the text and the little it reads besides)."""

from __future__ import annotations

import base64
import bisect
import html
import json
import os
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote, unquote, urlsplit

import regex
from markdown_it import MarkdownIt
from markdown_it.rules_block.table import escapedSplit
from markdown_it.token import Token

from briefgen import urls
from briefgen.content.syntax import (
    CLOSE,
    CONTAINERS,
    OPEN,
    SPAN_KEYS,
    Definition,
    Issue,
    block_issues,
    for_everyone,
    numbered_spec,
    parser,
    spec_issues,
    spec_shows,
)
from briefgen.edition import Mode, charts, svg
from briefgen.edition.citations import Citer
from briefgen.edition.i18n import Messages
from briefgen.errors import Problem, Problems, Severity, did_you_mean, short_url
from briefgen.recent import Recent

IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg",
               b"GIF87a": "image/gif", b"GIF89a": "image/gif"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_EDITION_IMAGE_BYTES = 20 * 1024 * 1024  # every use of every image in one edition
MAX_IMAGE_PIXELS = 40_000_000  # read from the header: a small file may decode to gigabytes
ALLOWED_LINK_SCHEMES = ("http", "https", "mailto")


@dataclass
class Origin:
    """Where a piece of Markdown came from: for error messages and the leak guard."""

    path: str
    line: int
    col: int = 1
    field: str = ""
    indent: int = 0  # a block scalar's indentation: file column = indent + column in the text


@dataclass(frozen=True)
class Where:
    """A line of a file: where a term is defined, where an edition's part is written."""

    path: str
    line: int
    col: int = 0  # where the text starts on its line, when known (a one-line value)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Term:
    """A term's text in one language for one audience, and where that text is defined."""

    text: str
    where: Where


@dataclass(frozen=True)
class Tables:
    """What the resolver works out before it renders a text, for the renderer to look up:
    [[term]], [[@id]] and [[#id]] read these and call nothing back."""

    #: lower-case term key -> its text for the audience in the language, and where from
    terms: Mapping[str, Term] = field(default_factory=dict)
    #: [[@id]]: item or section id -> what a cross reference prints (its anchor is the id).
    #: The resolver adds each section's label (its title) once that title has rendered.
    labels: Mapping[str, str] = field(default_factory=dict)
    #: [[#id]]: section id -> how many of its items the edition shows
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass
class Note:
    number: int
    html: str


@dataclass
class Context:
    """Everything Markdown needs to render for one audience in one language, and what the
    renderer gathers while it renders the edition's texts (notes, images, definitions,
    terms used)."""

    audience: str
    audiences: list[str]
    lang: str
    tables: Tables
    brief_dir: Path
    content_root: Path
    problems: Problems
    mode: Mode = "screen"  # "print": footnotes become page footnotes
    #: what a screen reader hears before a note's number (the theme's catalog's note_label)
    note_label: str | None = None
    #: what precedes a figure's source line (the catalog's figure_source)
    source_label: str = "Source: "
    #: the ids of the tables and figures rendered so far: each may appear once per edition
    anchors: set[str] = field(default_factory=set)
    #: the Markdown parsers to use, by kind: a Session's (session.parsers), else this edition's
    parsers: dict[str, MarkdownIt] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    images: dict[str, str] = field(default_factory=dict)  # image file -> its data URL
    image_bytes: int = 0  # embedded so far, counting each use
    svgs: int = 0  # SVG images inlined so far: each one's ids get their own prefix
    #: what a chart (edition/charts.py) needs of this edition: language, font, translations
    chart: charts.Edition | None = None
    documents: Any = None  # the Session's parsed files, for chart files
    #: every word of the charts drawn, and where it is written (for the leak guard)
    chart_words: list[Term] = field(default_factory=list)
    #: each chart drawn: its name and the Vega-Lite spec drawn, as JSON (publish/archive.py)
    charts: list[tuple[str, str]] = field(default_factory=list)
    # footnote and link-reference definitions met while rendering, for `briefgen explain`
    definitions: list[tuple[Definition, Origin]] = field(default_factory=list)
    #: the terms the texts used, by lower-case key (for `briefgen explain` and the guard)
    used: dict[str, Term] = field(default_factory=dict)
    #: the edition's citations ([@key]), formatted in reading order (edition/citations.py)
    citer: Citer | None = None


#: what a link target that is not a valid URL becomes, followed by the target as written
#: (percent-encoded), so that _resolve reports it as written: markdown-it's own normalizing
#: would rewrite some ('https://[::1' as 'https://:1%5B:')
_INVALID = "briefgen-invalid:"


def _build() -> MarkdownIt:
    md = parser()
    normalize = md.normalizeLink

    def normalize_link(url: str) -> str:
        return normalize(url) if urls.problem(url) is None else _INVALID + quote(url, safe="")
    md.normalizeLink = normalize_link  # type: ignore[method-assign]
    md.add_render_rule("term", _render_term)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
    for name in ("citation", "citation_bad"):  # each became a note or was reported
        md.add_render_rule(name, _fixed(""))
    for name, rule in _NUMBERED_RULES.items():
        md.add_render_rule(name, rule)
    return md


def _render_term(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]
                 ) -> str:
    text = html.escape(tokens[idx].meta["value"], quote=False)
    key = tokens[idx].meta["key"]
    if key.startswith("@") and text:
        return f'<a href="#{html.escape(key[1:])}">{text}</a>'
    return text


def _render_footnote_ref(self: Any, tokens: list[Token], idx: int, options: Any,
                         env: dict[str, Any]) -> str:
    note: Note = tokens[idx].meta["note"]
    if env["ctx"].mode == "print":
        return f'<span class="footnote">{note.html}</span>'
    n = note.number
    ctx: Context = env["ctx"]
    label = html.escape(ctx.note_label if ctx.note_label is not None
                        else str(Messages(ctx.lang).note_label))
    return (f'<sup class="noteref"><a href="#note-{n}" id="noteref-{n}">'
            f'<span class="visually-hidden">{label}</span>{n}</a></sup>')


def _parser(ctx: Context) -> MarkdownIt:
    """The rendering parser, built once per Session (or per edition without one)."""
    if "render" not in ctx.parsers:
        ctx.parsers["render"] = _build()
    return ctx.parsers["render"]


def render(text: str, ctx: Context, origin: Origin, inline: bool = False, heading: int = 3
           ) -> str:
    """Render one Markdown value for ctx's audience and language to an HTML fragment. The
    text's top heading level shows as <h{heading}> (one below the title it sits under)."""
    md = _parser(ctx)
    env: dict[str, Any] = {"ctx": ctx}
    tokens, issues, definitions = _parsed(md, text, inline, ctx.audience,
                                          tuple(ctx.citer.keys) if ctx.citer else ())
    src = _Source.of(text, origin, tokens)
    for issue in [*block_issues(tokens, text), *issues]:
        _report(ctx, origin, _where(src, issue.needle, issue.line), issue.message,
                issue.hint, code=issue.code)
    for d in definitions:
        ctx.definitions.append((d, origin))
    _check_numbered(tokens, ctx, src)
    shown = _select_blocks(tokens, ctx, src)
    _nest_headings(tokens, shown, heading, ctx, src)
    tokens = shown
    notes = _extract_notes(tokens)
    for tok in tokens:
        if tok.children:
            spans = any(c.type == "span_open" for c in tok.children)
            tok.children = _select_inline(tok.children, ctx, src, _line(tok))
            _resolve(tok.children, ctx, src, _line(tok))
            tok.meta["restricted"] = spans
    tokens = _shape_numbered(tokens, ctx, src)
    _number_notes(tokens, notes, ctx, src, md, env)
    out: str = md.renderer.render(tokens, md.options, env)
    if inline and out.startswith("<p>") and out.endswith("</p>\n"):
        out = out[3:-5]
    return out


class _Parse(NamedTuple):
    tokens: tuple[Token, ...]
    issues: tuple[Issue, ...]
    definitions: tuple[Definition, ...]


#: the texts parsed last: an edition is resolved once per mode (screen, print), and a text
#: with no audience block or span parses the same for every audience (for_everyone), so a
#: brief's texts parse once per language instead of once per artifact. Bounded (a brief's
#: texts in all its languages fit), since a large build holds one brief at a time.
_ParseKey = tuple[str, bool, str | None, tuple[str, ...]]
_PARSES: Recent[_ParseKey, _Parse] = Recent(1024)


def _parsed(md: MarkdownIt, text: str, inline: bool, audience: str,
            keys: tuple[str, ...]) -> tuple[list[Token], list[Issue], list[Definition]]:
    """The tokens of a text for an audience (a copy of its own: the renderer changes them),
    with the syntax issues and definitions the parse found. What a parse reads besides the
    text is the audience and the brief's reference keys (content/syntax.py's rules), and
    every render parser is built alike (_build)."""
    everyone: _ParseKey = (text, inline, None, keys)
    own: _ParseKey = (text, inline, audience, keys)
    found = _PARSES.get(everyone)
    if found is None:
        found = _PARSES.get(own)
    if found is None:
        env: dict[str, Any] = {"audience": audience, "bg_cite_keys": keys}
        tokens = md.parseInline(text, env) if inline else md.parse(text, env)
        found = _Parse(tuple(tokens), tuple(env.get("bg_issues", ())),
                       tuple(env.get("bg_definitions", ())))
        _PARSES.put(everyone if for_everyone(*found) else own, found)
    return [_copy(t) for t in found.tokens], list(found.issues), list(found.definitions)


def _copy(t: Token) -> Token:
    """A token and its children, copied down to what the renderer changes (attributes,
    children, meta's keys)."""
    return Token(t.type, t.tag, t.nesting, dict(t.attrs), list(t.map) if t.map else t.map,
                 t.level, None if t.children is None else [_copy(c) for c in t.children],
                 t.content, t.markup, t.info, dict(t.meta), t.block, t.hidden)


NOTE_OPEN = '<span class="footnote">'  # a page footnote, in print (its call and its text)
SPAN_TAG = re.compile(r"<span\b|</span>")
NOTE_CALL = re.compile(r'<sup class="noteref">.*?</sup>', re.S)


def note_end(page: str, start: int) -> int:
    """The end of the page footnote (a span, maybe holding spans) that starts at `start`."""
    depth = 0
    for tag in SPAN_TAG.finditer(page, start):
        depth += 1 if tag[0] == "<span" else -1
        if depth == 0:
            return tag.end()
    return len(page)


def without_notes(fragment: str) -> str:
    """HTML with its note calls and page footnotes taken out."""
    out, at = [], 0
    while (start := fragment.find(NOTE_OPEN, at)) >= 0:
        out.append(fragment[at:start])
        at = note_end(fragment, start)
    return NOTE_CALL.sub("", "".join(out) + fragment[at:])
def _heading_level(tok: Token) -> int:
    """The level a heading is written at: '###' is 3, a setext '===' underline 1, '---' 2."""
    if tok.markup.startswith("#"):
        return len(tok.markup)
    return 1 if tok.markup.startswith("=") else 2


def _skips(heads: list[Token]) -> list[tuple[Token, int, int]]:
    """The headings that go more than one level below the one before them (the first one:
    below the text's top level): (heading, level before it, the text's top level)."""
    if not heads:
        return []
    top = min(_heading_level(t) for t in heads)
    before, out = top - 1, []
    for tok in heads:
        level = _heading_level(tok)
        if level > before + 1:
            out.append((tok, before, top))
        before = level
    return out


def _nest_headings(tokens: list[Token], shown: list[Token], heading: int, ctx: Context,
                   src: _Source) -> None:
    """Retag the headings ctx's audience sees: the text's top level becomes <h{heading}>,
    deeper ones follow. A skipped level (in the text, or only in this edition) and a level
    past <h6> are reported at the heading."""
    heads = [t for t in shown if t.type == "heading_open"]
    if not heads:
        return
    everywhere = {(id(t), before) for t, before, _ in
                  _skips([t for t in tokens if t.type == "heading_open"])}
    for tok, before, top in _skips(heads):
        level, name = _heading_level(tok), _heading_name(tok, shown)
        edition = "" if (id(tok), before) in everywhere else f" in the {ctx.audience} edition"
        if before < top:
            why = (f"it is the text's first heading, so it must be at the text's top level, "
                   f"{top}{edition}")
            want = top
        else:
            why = f"it follows a level-{before} heading, so it may be level {before + 1} at " \
                  f"most{edition}"
            want = before + 1
        _report(ctx, src.origin, _heading_at(tok, name, src),
                f"level-{level} heading '{name}' skips a level: {why}",
                f"write '{'#' * want} {name}', or add a level-{want} heading above it",
                code="BG280")
    top = min(_heading_level(t) for t in heads)
    tag = ""
    for tok in shown:
        if tok.type == "heading_open":
            want = heading + _heading_level(tok) - top
            if want > 6:
                _report(ctx, src.origin, _heading_at(tok, _heading_name(tok, shown), src),
                        f"level-{_heading_level(tok)} heading '{_heading_name(tok, shown)}' "
                        f"would be <h{want}>: this text sits under an <h{heading - 1}> title, "
                        f"so it has {7 - heading} heading levels", "use fewer levels",
                        code="BG281")
            tag = tok.tag = f"h{min(want, 6)}"
        elif tok.type == "heading_close":
            tok.tag = tag


def _heading_name(tok: Token, tokens: list[Token]) -> str:
    """A heading's text as written (cut at 40 characters), for a message."""
    i = next(i for i, t in enumerate(tokens) if t is tok)
    text = tokens[i + 1].content if i + 1 < len(tokens) else ""
    return text if len(text) <= 40 else text[:39] + "…"


def _heading_at(tok: Token, name: str, src: _Source) -> tuple[int, int]:
    """Where a heading is written: its '#' marks, or a setext heading's first word."""
    return _where(src, tok.markup if tok.markup.startswith("#") else name[:20], _line(tok))


def plain(fragment: str) -> str:
    """Visible text of an HTML fragment (for <title>, PDF metadata and file listings),
    without its notes: a note's call or text is no part of a title."""
    text = re.sub(r"<[^>]+>", "", without_notes(fragment))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


@dataclass
class _Source:
    """The Markdown value being rendered: where it came from, and where its lines and blocks
    start and end (for _where). One per render: it remembers how far each block has been
    searched."""

    origin: Origin
    text: str
    starts: list[int]  # the offset of each line
    ends: dict[int, int] = field(default_factory=dict)  # block start line -> end line
    searched: dict[int, int] = field(default_factory=dict)  # block start line -> offset

    @classmethod
    def of(cls, text: str, origin: Origin, tokens: list[Token]) -> _Source:
        src = cls(origin, text, [0, *(m.end() for m in re.finditer("\n", text))])
        for tok in tokens:
            if tok.map:
                src.ends[tok.map[0]] = max(src.ends.get(tok.map[0], 0), tok.map[1])
        return src

    def block(self, line: int) -> tuple[int, int]:
        """The offsets where the block starting on this line starts and ends."""
        def offset(n: int) -> int:
            return self.starts[n] if n < len(self.starts) else len(self.text)
        return offset(line), offset(self.ends.get(line, len(self.starts)))


def _where(src: _Source, needle: str, start_line: int = 0, or_else: str = ""
           ) -> tuple[int, int]:
    """File line and column of needle (or else of or_else) in the text, looked for in the
    block that starts on line start_line of the text, after what was found there last;
    anywhere in the text when the block does not contain it. Each search stays in its block
    and moves on: locating every problem of a text takes time in proportion to its length."""
    text, origin = src.text, src.origin
    start, end = src.block(start_line)
    at = -1
    for word in filter(None, (needle, or_else)):
        at = text.find(word, max(start, src.searched.get(start_line, 0)), end)
        if at < 0:
            at = text.find(word, start, end)
        if at >= 0:
            src.searched[start_line] = at + len(word)
            break
    if at < 0 and needle:
        at = text.find(needle)
    if at < 0:
        return origin.line, origin.col
    return _position(origin, src.starts, at)


def _position(origin: Origin, starts: list[int], at: int) -> tuple[int, int]:
    """File line and column of the offset `at` into a text from origin, whose lines start
    at the offsets `starts`."""
    line = bisect.bisect_right(starts, at) - 1
    if line == 0:
        return origin.line, origin.col + at
    return origin.line + line, origin.indent + at - starts[line] + 1


def text_position(origin: Origin, text: str, at: int) -> tuple[int, int]:
    """File line and column of the character at offset `at` of a text from origin."""
    return _position(origin, [0, *(m.end() for m in re.finditer("\n", text))], at)


def _report(ctx: Context, origin: Origin, at: tuple[int, int], message: str, hint: str = "",
            severity: Severity = "error", *, code: str) -> None:
    """Add a problem once: every edition renders the same text, and says the same thing."""
    ctx.problems.add(Problem(origin.path, at[0], at[1], message, origin.field, hint, severity,
                             code))


def _selected(spec: str, ctx: Context, src: _Source, start_line: int = 0) -> bool:
    """Whether a block or span with this spec ('audience a b') is in ctx's edition; what is
    wrong with the spec is reported (once), and a wrong spec shows it to nobody."""
    for issue in spec_issues(spec, ctx.audiences, start_line):
        _report(ctx, src.origin, _where(src, issue.needle, start_line), issue.message,
                issue.hint, code=issue.code)
    return spec_shows(spec, ctx.audience)


def _select_blocks(tokens: list[Token], ctx: Context, src: _Source) -> list[Token]:
    """The block tokens ctx's audience sees; a table or figure block's own lines become
    numbered_open / numbered_close tokens (a wrong one hides all it holds)."""
    out: list[Token] = []
    shown: list[bool] = []
    numbered: list[Token | None] = []
    skip: int | None = None  # the level of a pipe table outside a table block
    for tok in tokens:
        if skip is not None:
            if tok.type == "table_close" and tok.level == skip:
                skip = None
            continue
        if tok.type == "table_open" and tok.meta.get("bad"):
            skip = tok.level
            continue
        if tok.type == OPEN:
            spec = numbered_spec(tok.info)
            shown.append(_selected(tok.info.strip(), ctx, src, _line(tok))
                         and not tok.meta.get("bad"))
            numbered.append(tok if spec else None)
            if spec and all(shown):
                kind, anchor = spec
                empty = bool(tok.meta.get("empty"))
                tok.type, tok.meta = "numbered_open", {"kind": kind, "id": anchor,
                                                       "empty": empty}
                out.append(tok)
            continue
        if tok.type == CLOSE and not shown:  # its opening line sat in a footnote definition
            _report(ctx, src.origin, _where(src, ":::", _line(tok)), "this ':::' closes an "
                    "audience block that opens inside a footnote definition", "put the "
                    "block around the whole definition, or the definition around the whole "
                    "block", code="BG201")
            continue
        if tok.type == CLOSE:
            opening = numbered.pop()
            if opening is not None and all(shown):
                tok.type, tok.meta = "numbered_close", dict(opening.meta)
                out.append(tok)
            shown.pop()
            continue
        if all(shown):
            out.append(tok)
    return out


# -- tables and figures ----------------------------------------------------------------------

#: what a table block and a figure block hold, in order, at their top level
_TABLE_SHAPE = ["paragraph", "table"]
_FIGURE_SHAPES = (["paragraph", "paragraph"], ["paragraph", "paragraph", "paragraph"])
_TABLE_WORDS = "a table block holds a caption paragraph, then one pipe table, and nothing else"
_FIGURE_WORDS = ("a figure block holds a caption paragraph, then a paragraph that is one "
                 "image ![alt](file), then an optional source line, and nothing else")


def _children_blocks(tokens: list[Token], start: int) -> list[tuple[str, int]]:
    """The top-level blocks inside the container opened at tokens[start]: (type, index)."""
    level = tokens[start].level + 1
    blocks = []
    for i in range(start + 1, len(tokens)):
        tok = tokens[i]
        if tok.type == CLOSE and tok.level == level - 1:
            break
        if tok.level == level and tok.nesting >= 0 and tok.block:
            blocks.append((tok.type.removesuffix("_open"), i))
    return blocks


def _check_numbered(tokens: list[Token], ctx: Context, src: _Source) -> None:
    """A table block holds a caption paragraph and one pipe table; a figure block a caption,
    a paragraph that is one image, and an optional source line; a pipe table stands in a
    table block. A wrong one is an error and is hidden from every edition (meta "bad")."""
    inside: list[str | None] = []
    for i, tok in enumerate(tokens):
        if tok.type == CLOSE and inside:
            inside.pop()
        elif tok.type == "table_open" and (not inside or inside[-1] != "table"):
            _report(ctx, src.origin, _where(src, "|", _line(tok)), "a pipe table must stand in "
                    "a '::: table {#tbl-ID}' block, after its caption", "write '::: table "
                    "{#tbl-ID}', a caption line, a blank line, the table, then ':::'",
                    code="BG252")
            tok.meta["bad"] = True
        if tok.type == "inline" and (not inside or inside[-1] != "figure"):
            charts_outside_figures(tok, ctx, src)
        if tok.type != OPEN:
            continue
        spec = numbered_spec(tok.info)
        inside.append(spec[0] if spec else None)
        if spec is None:
            continue
        kind, anchor = spec
        blocks = _children_blocks(tokens, i)
        shape = [b for b, _ in blocks]
        wrong = ""
        if not shape:  # kept empty for a translation's skeleton: an error only if shown
            tok.meta["empty"] = True
        elif kind == "table" and shape != _TABLE_SHAPE:
            wrong = _TABLE_WORDS
        elif kind == "figure" and (shape not in _FIGURE_SHAPES or not _one_image(tokens,
                                                                               blocks[1][1])):
            wrong = _FIGURE_WORDS
        if wrong:
            _report(ctx, src.origin, _where(src, anchor, _line(tok)), f"'{anchor}': {wrong}",
                    "separate the parts with blank lines", code="BG251")
            tok.meta["bad"] = True
        elif kind == "table" and shape and not _rows_fit(tokens, blocks[1][1], ctx, src):
            tok.meta["bad"] = True


def charts_outside_figures(tok: Token, ctx: Context, src: _Source) -> None:
    """A chart stands in a figure block (it is numbered, captioned, and its data table is a
    block under it): one anywhere else is an error, and is not drawn."""
    for i, child in enumerate(tok.children or []):
        name = unquote(str(child.attrs.get("src", ""))) if child.type == "image" else ""
        if charts.is_chart(urlsplit(name).path):
            _report(ctx, src.origin, _where(src, name[:30], _line(tok)), f"chart '{name}' "
                    "must stand in a '::: figure {#fig-ID}' block, after its caption",
                    "write '::: figure {#fig-ID}', a caption line, a blank line, the chart "
                    "![alt](charts/NAME.chart.yaml), then ':::'", code="BG267")
            tok.children[i] = Token("text", "", 0, content="")  # type: ignore[index]


def _rows_fit(tokens: list[Token], start: int, ctx: Context, src: _Source) -> bool:
    """Whether every row of the pipe table at tokens[start] has at most as many cells as its
    header: markdown-it drops the cells beyond, silently, and with them what a '|' slipped
    into an audience span would leave outside it."""
    lines = src.text.split("\n")
    columns = 0
    fits = True
    for tok in tokens[start:]:
        if tok.type == "table_close":
            break
        if tok.type == "th_open":
            columns += 1
        if tok.type == "tr_open" and tok.map and tok.map[0] < len(lines):
            cells = escapedSplit(lines[tok.map[0]].strip())
            cells = cells[1:] if cells and not cells[0].strip() else cells
            cells = cells[:-1] if cells and not cells[-1].strip() else cells
            if columns and len(cells) > columns:
                _report(ctx, src.origin, (src.origin.line + tok.map[0], src.origin.indent + 1
                                          if tok.map[0] else src.origin.col),
                        f"this table row has {len(cells)} cells but the table has {columns} "
                        "columns: the cells beyond would be dropped", "write &#124; for a "
                        "'|' inside a cell, or add the column to the header row", code="BG256")
                fits = False
    return fits


def _one_image(tokens: list[Token], paragraph: int) -> bool:
    inline = tokens[paragraph + 1]
    kids = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())]
    return len(kids) == 1 and kids[0].type == "image"


_ALIGN = re.compile(r"text-align:(left|right|center)")


def _shape_numbered(tokens: list[Token], ctx: Context, src: _Source) -> list[Token]:
    """Each shown table or figure block as it renders: numbered_open, its caption (with the
    label the resolver numbered it by), the table in its scroll box, or the image then the
    caption and source line. Table rows whose every cell an audience span emptied go."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type != "numbered_open":
            out.append(tok)
            i += 1
            continue
        kind, anchor = tok.meta["kind"], tok.meta["id"]
        end = next(j for j in range(i + 1, len(tokens)) if tokens[j].type == "numbered_close"
                   and tokens[j].level == tok.level)
        body = tokens[i + 1:end]
        if tok.meta["empty"]:
            shape = _TABLE_WORDS if kind == "table" else _FIGURE_WORDS
            _report(ctx, src.origin, _where(src, anchor, _line(tok)), f"'{anchor}' is empty: "
                    f"{shape}", code="BG251")
            i = end + 1
            continue
        if anchor in ctx.anchors:
            _report(ctx, src.origin, _where(src, anchor, _line(tok)), f"'{anchor}' is the id "
                    "of another table or figure of this edition", "give each its own id",
                    code="BG253")
        ctx.anchors.add(anchor)
        label = ctx.tables.labels.get(anchor, "")
        if not label:
            _report(ctx, src.origin, _where(src, anchor, _line(tok)), f"'{anchor}' is not "
                    "numbered: tables and figures belong in a section's body, an item's body "
                    "or a section's closing", "move it into the text of a section",
                    code="BG255")
        paragraphs = [j for j, t in enumerate(body) if t.type == "paragraph_open"
                      and t.level == tok.level + 1]
        caption = body[paragraphs[0] + 1]
        caption_open = Token("caption_open", "figcaption", 1)
        caption_open.meta = {"id": anchor, "label": label}
        caption_close = Token("caption_close", "figcaption", -1)
        out.append(tok)
        if kind == "table":
            table = _drop_hidden_rows(body[paragraphs[0] + 3:])
            for cell in table:
                if cell.type == "inline" and cell.children:
                    cell.children = _breakable(cell.children)
            scroll = Token("table_scroll_open", "div", 1)
            scroll.meta = {"id": anchor}
            out += [caption_open, caption, caption_close, scroll, *table,
                    Token("table_scroll_close", "div", -1)]
        else:
            media = body[paragraphs[1] + 1]
            media_open = Token("figure_media_open", "div", 1)
            source = []
            if len(paragraphs) > 2:
                source_open = Token("figure_source_open", "span", 1)
                source_open.meta = {"label": ctx.source_label}
                source = [source_open, body[paragraphs[2] + 1],
                          Token("figure_source_close", "span", -1)]
            out += [media_open, media, Token("figure_media_close", "div", -1),
                    caption_open, caption, *source, caption_close]
        out.append(tokens[end])
        i = end + 1
    return out


def _drop_hidden_rows(table: list[Token]) -> list[Token]:
    """The table's tokens without the body rows an audience span emptied entirely, with
    header cells scoped and alignment as classes."""
    out: list[Token] = []
    row: list[Token] = []
    for tok in table:
        if tok.type in ("th_open", "td_open"):
            align = _ALIGN.search(str(tok.attrs.get("style", "")))
            tok.attrs = {"scope": "col"} if tok.type == "th_open" else {}
            if align:
                tok.attrs["class"] = f"align-{align.group(1)}"
        if tok.type == "tr_open":
            row = [tok]
            continue
        if row:
            row.append(tok)
            if tok.type == "tr_close":
                cells = [t for t in row if t.type == "inline"]
                emptied = all(_empty_cell(c) for c in cells) and \
                    any(c.meta.get("restricted") for c in cells)
                if not (emptied and _in_body(out)):
                    out += row
                row = []
            continue
        out.append(tok)
    return out


#: a word of a table cell longer than this gets places to break (<wbr>)
LONG_WORD = 14
_BREAK_AFTER = re.compile(r"(?<=[-/_.:@=&?])(?=.)")


def _pieces(word: str) -> list[str]:
    """A long word cut after - / _ . : @ = & ?, and its pieces still longer than LONG_WORD
    cut every 8 letters (user-perceived characters, never inside one)."""
    out = []
    for piece in _BREAK_AFTER.split(word):
        letters = regex.findall(r"\X", piece)  # a letter with its accents, an emoji sequence
        while len(letters) > LONG_WORD:
            out.append("".join(letters[:8]))
            letters = letters[8:]
        out.append("".join(letters))
    return out


def _breakable(children: list[Token]) -> list[Token]:
    """A cell's inline tokens with <wbr> inside its long words (after - / _ . : and the like,
    else every 8 letters): a table lays out by the narrowest its cells can be, so a cell that
    may break anywhere squeezes a column of short words ("Sta|ge"), and one that may break
    nowhere pushes the table off the page. Short words never break."""
    out: list[Token] = []
    for tok in children:
        if tok.type != "text" or not any(len(w) > LONG_WORD for w in tok.content.split()):
            out.append(tok)
            continue
        for n, part in enumerate(re.split(r"(\s+)", tok.content)):
            pieces = _pieces(part) if n % 2 == 0 and len(part) > LONG_WORD else [part]
            for i, piece in enumerate(pieces):
                if i:
                    out.append(Token("html_inline", "", 0, content="<wbr>"))
                out.append(Token("text", "", 0, content=piece))
    return out


def _in_body(tokens: list[Token]) -> bool:
    return any(t.type == "tbody_open" for t in tokens)


def _empty_cell(tok: Token) -> bool:
    """Whether a cell's inline token shows nothing (after audience selection)."""
    kids = tok.children or []
    return not any(c.type in ("image", "html_inline", "footnote_ref") for c in kids) and \
        not "".join(c.content for c in kids if c.type in ("text", "term", "code_inline")
                    ).strip()


def _render_numbered_open(self: Any, tokens: list[Token], idx: int, options: Any,
                          env: dict[str, Any]) -> str:
    meta = tokens[idx].meta
    return f'<figure class="{meta["kind"]}" id="{html.escape(meta["id"])}">\n'


def _render_numbered_close(self: Any, tokens: list[Token], idx: int, options: Any,
                           env: dict[str, Any]) -> str:
    return "</figure>\n"


def _render_caption_open(self: Any, tokens: list[Token], idx: int, options: Any,
                         env: dict[str, Any]) -> str:
    meta = tokens[idx].meta
    return (f'<figcaption id="{html.escape(meta["id"])}-caption"><span class="caption-label">'
            f'{html.escape(meta["label"])}</span> ')


def _render_table_scroll_open(self: Any, tokens: list[Token], idx: int, options: Any,
                              env: dict[str, Any]) -> str:
    anchor = html.escape(tokens[idx].meta["id"])
    return (f'<div class="table-scroll" role="region" tabindex="0" '
            f'aria-labelledby="{anchor}-caption">\n')


def _render_source_open(self: Any, tokens: list[Token], idx: int, options: Any,
                        env: dict[str, Any]) -> str:
    label = html.escape(tokens[idx].meta["label"])
    return f'<span class="figure-source"><span class="source-label">{label}</span>'


def _fixed(text: str) -> Any:
    def rule(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]
             ) -> str:
        return text
    return rule


_NUMBERED_RULES = {
    "numbered_open": _render_numbered_open, "numbered_close": _render_numbered_close,
    "caption_open": _render_caption_open, "caption_close": _fixed("</figcaption>\n"),
    "table_scroll_open": _render_table_scroll_open, "table_scroll_close": _fixed("</div>\n"),
    "figure_media_open": _fixed('<div class="figure-media">'),
    "figure_media_close": _fixed("</div>\n"),
    "figure_source_open": _render_source_open, "figure_source_close": _fixed("</span>"),
}


def _line(tok: Token | None) -> int:
    """The line of the Markdown text a block token starts on (0 when unknown)."""
    return tok.map[0] if tok is not None and tok.map else 0


def _select_inline(children: list[Token], ctx: Context, src: _Source, start_line: int = 0
                   ) -> list[Token]:
    out: list[Token] = []
    stack: list[tuple[bool, bool]] = []  # (shown, keep the span element)
    for tok in children:
        if tok.type == "span_open":
            attrs = dict(tok.attrs)
            # an unknown key was reported (syntax.inline_syntax_rule): hide what it marks
            show = all(k in SPAN_KEYS for k in attrs) and not tok.meta.get("insecure_attrs")
            for kind in CONTAINERS:
                if kind in attrs:
                    show = _selected(f"{kind} {attrs.pop(kind)}", ctx, src, start_line) \
                        and show
            tok.attrs = {k: v for k, v in attrs.items() if k == "lang"}
            keep = bool(tok.attrs)
            stack.append((show, keep))
            if all(s for s, _ in stack) and keep:
                out.append(tok)
            continue
        if tok.type == "span_close":
            show, keep = stack.pop()
            if all(s for s, _ in stack) and show and keep:
                out.append(tok)
            continue
        if all(s for s, _ in stack):
            out.append(tok)
    return out


def _resolve(children: list[Token], ctx: Context, src: _Source, start_line: int = 0) -> None:
    """Terms to text, unsafe links to plain text, images to embedded data."""
    for i, tok in enumerate(children):
        if tok.type == "term":
            # the term's own line and column, so "no ko text" points at the [[term]]
            at = _where(src, tok.content, start_line)
            tok.meta["value"] = _look_up(tok.meta["key"], ctx, src.origin, at)
        elif tok.type == "link_open":
            raw = str(tok.attrs.get("href", ""))
            invalid = raw.startswith(_INVALID)  # not a URL: see _build
            href = unquote(raw.removeprefix(_INVALID))  # as the editor typed it
            target = href if invalid else raw
            # the scheme as Python and as a browser (urls.scheme) read it: both allowed
            schemes = {_scheme(target), _scheme(href), urls.scheme(target)} - {""}
            at = _where(src, href[:20], start_line, target[:20])
            why = urls.problem(target)
            following = children[i + 1] if i + 1 < len(children) else None
            if tok.markup in ("linkify", "autolink") and following is not None \
                    and following.type == "text" and why is None:
                following.content = urls.shown(target, following.content)
            if schemes - set(ALLOWED_LINK_SCHEMES):
                _report(ctx, src.origin, at,
                        f"link to '{short_url(href)}' removed: only http, https, mailto and "
                        "relative links are allowed", severity="warning", code="BG230")
                _unlink(children, i)
            elif why is not None:
                _report(ctx, src.origin, at, f"the link to '{short_url(href)}' is not a valid "
                        f"URL: {why}", "write the whole address as a browser shows it, e.g. "
                        "https://example.org/page", code="BG242")
                _unlink(children, i)
        elif tok.type == "text" and "](" in tok.content:
            # the text on from here, a bare URL's too: '[a](http://exa mple.com)' made a link
            # of 'http://exa'
            shown = _LOOKS_LINKED.search("".join(t.content for t in children[i:]
                                                 if t.type == "text"))
            snippet = shown[0] if shown else "]("
            _report(ctx, src.origin, _where(src, "](", start_line),
                    f"'](' is not part of a link, so '{snippet[:60]}' would print as text",
                    "a link's target has no spaces: write %20 for one, or put the target in "
                    "<…>; write &#93; for a literal ]", code="BG243")
        elif tok.type == "image":
            _image(tok, ctx, src, start_line)
        if tok.children:
            _resolve(tok.children, ctx, src, start_line)


#: link syntax in text: what failed to parse as a link, from its '[' to its ')'
_LOOKS_LINKED = re.compile(r"(?:\[[^\[\]]*)?\]\([^()]*\)?")


def _scheme(target: str) -> str:
    """A link target's scheme, lower-case, as Python reads it ('' for none)."""
    try:
        return urlsplit(target).scheme.lower()
    except ValueError:  # a malformed host: reported by urls.problem
        found = re.match(r"[\x00-\x20]*([a-zA-Z][a-zA-Z0-9+.-]*):", target)
        return found[1].lower() if found else ""


def _look_up(key: str, ctx: Context, origin: Origin, at: tuple[int, int]) -> str:
    """What [[key]] prints: a term's text for ctx's audience and language, [[@id]] the label
    of a part of the edition, [[#id]] how many items a section shows; from ctx.tables. A
    missing one is reported at `at` and prints as nothing (a term: as written)."""
    tables, target = ctx.tables, key[1:]
    if key[0] == "#" and target in tables.counts:
        return str(tables.counts[target])
    if key[0] == "@" and target in tables.labels:
        return tables.labels[target]
    if key[0] in "#@":
        _report(ctx, origin, at, f"'[[{key}]]' refers to '{target}', which is not in the "
                f"{ctx.audience} edition",
                did_you_mean(target, [*tables.labels, *tables.counts]), code="BG221")
        return ""
    k = key.lower()
    term = tables.terms.get(k)
    if term is None:
        _report(ctx, origin, at, f"term '{k}' has no {ctx.lang} text for audience "
                f"{ctx.audience}", f"add it under terms: in content/audiences/{ctx.audience}"
                ".yaml or content/terms.yaml", code="BG220")
        return f"[[{key}]]"
    ctx.used[k] = term
    return term.text[0].upper() + term.text[1:] if key[0].isupper() else term.text


def _unlink(children: list[Token], i: int) -> None:
    depth = 0
    for j in range(i, len(children)):
        tok = children[j]
        if tok.type == "link_open":
            depth += 1
        elif tok.type == "link_close":
            depth -= 1
            if depth == 0:
                children[j] = Token("text", "", 0, content="")
                break
    children[i] = Token("text", "", 0, content="")


class _Refused(NamedTuple):
    """Why an image is not embedded: a problem's message, hint and code."""

    message: str
    hint: str = ""
    code: str = ""


def _image(tok: Token, ctx: Context, src: _Source, start_line: int = 0) -> None:
    raw = str(tok.attrs.get("src", ""))
    name = unquote(raw)  # as the editor typed it
    where = _where(src, name[:30] or "![", start_line, raw[:30])
    refused: _Refused | None = None
    parts = urlsplit(raw)
    rel = unquote(parts.path)
    alt = "".join(c.content for c in tok.children or [])
    data: bytes = b""
    if charts.is_chart(rel) and not parts.scheme and not name.startswith("/"):
        _chart(tok, name, rel, alt, ctx, src, where)
        return
    if name.startswith("//") or parts.scheme.lower() in ("http", "https"):
        refused = _Refused(f"remote image '{short_url(name)}' is never fetched; save "
                           "it in the brief's folder and give its relative path", code="BG231")
    elif parts.scheme:
        refused = _Refused(f"image source '{short_url(name)}' is not allowed; give a "
                           "path relative to the brief's folder", code="BG232")
    elif name.startswith("/"):
        refused = _Refused(f"image '{name}' is an absolute path; give a path relative "
                           "to the brief's folder", code="BG232")
    else:
        try:
            refused, data = _read_image(name, rel, ctx)
        except (OSError, ValueError) as exc:  # e.g. a name too long, or with a NUL byte
            refused = _Refused(f"cannot read image '{name[:60]}': "
                               f"{getattr(exc, 'strerror', None) or exc}", code="BG235")
    mime = next((m for magic, m in IMAGE_TYPES.items() if data.startswith(magic)), None)
    if refused is None and mime is None and svg.is_svg(data, rel):
        if not alt.strip():
            refused = _Refused(f"image '{name}' has no alt text; describe it in ![…] for "
                               "readers who cannot see it", code="BG237")
        else:
            refused = _inline_svg(tok, name, data, alt, ctx)
        if refused:
            _report(ctx, src.origin, where, refused.message, refused.hint, code=refused.code)
            tok.attrs["src"] = ""
        return
    if refused is None and mime is None:
        kind = Path(rel).suffix.lstrip(".") or "unknown"
        refused = _Refused(f"unsupported image type '{kind}' for '{name}'; use PNG, "
                           "JPEG, GIF or SVG", code="BG236")
    if refused is None and not alt.strip():
        refused = _Refused(f"image '{name}' has no alt text; describe it in ![…] for "
                           "readers who cannot see it", code="BG237")
    if refused is None and mime is not None:
        refused = _too_big(name, data, mime, ctx)
    if refused:
        _report(ctx, src.origin, where, refused.message, refused.hint, code=refused.code)
        tok.attrs["src"] = ""
        return
    ctx.image_bytes += len(data)
    key = str((ctx.brief_dir / rel).resolve())
    if key not in ctx.images:
        ctx.images[key] = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    tok.attrs["src"] = ctx.images[key]


def _inline_svg(tok: Token, name: str, data: bytes, alt: str, ctx: Context
                ) -> _Refused | None:
    """Turn an SVG image into its sanitised inline markup (edition/svg.py), or say why not."""
    if ctx.image_bytes + len(data) > MAX_EDITION_IMAGE_BYTES:
        return _Refused(f"image '{name}' takes the images of this edition over "
                        f"{MAX_EDITION_IMAGE_BYTES // 1024 // 1024} MB",
                        "each use of an image embeds it again: use fewer or smaller images",
                        code="BG240")
    ctx.svgs += 1
    try:
        markup = svg.sanitised(data, alt, f"svg{ctx.svgs}-")
    except svg.Refused as why:
        return _Refused(f"SVG image '{name}' is refused: {why}", "briefgen embeds only "
                        "self-contained drawings: no scripts, event handlers, links to other "
                        "files, embedded images or HTML, CSS url() or @import, DOCTYPE or "
                        "entities; and text seen where it is written: not hidden, cut, "
                        "shrunk, restyled or drawn elsewhere (docs/editing.md)", code="BG254")
    ctx.image_bytes += len(data)
    tok.type, tok.tag, tok.content, tok.children = "html_inline", "", markup, None
    tok.attrs = {}
    return None


def _chart(tok: Token, name: str, rel: str, alt: str, ctx: Context, src: _Source,
           where: tuple[int, int]) -> None:
    """A chart file drawn as inline SVG with its data table (edition/charts.py), or its
    problems reported at the chart file's lines (and the image dropped)."""
    if not alt.strip():
        _report(ctx, src.origin, where, f"chart '{name}' has no alt text; describe what it "
                "shows in ![…] for readers who cannot see it", code="BG237")
        tok.attrs["src"] = ""
        return
    edition = ctx.chart or charts.Edition(ctx.lang, ctx.lang, "en_US", "sans-serif")
    try:
        chart = charts.read(rel, ctx.brief_dir, ctx.content_root, ctx.documents)
        ctx.svgs += 1
        markup = charts.draw(chart, edition, alt, f"svg{ctx.svgs}-")
    except charts.Refused as why:
        for p in why.problems:
            if p.path:
                ctx.problems.add(p)
            else:
                _report(ctx, src.origin, where, p.message, p.hint, code=p.code)
        tok.attrs["src"] = ""
        return
    except (charts.DrawingFailed, svg.Refused) as why:
        _report(ctx, src.origin, where, f"chart '{name}' could not be drawn: {why}",
                "check its spec against docs/editing.md#charts", code="BG266")
        tok.attrs["src"] = ""
        return
    if ctx.image_bytes + len(markup) > MAX_EDITION_IMAGE_BYTES:
        _report(ctx, src.origin, where, f"chart '{name}' takes the images of this edition "
                f"over {MAX_EDITION_IMAGE_BYTES // 1024 // 1024} MB", "each use of a chart "
                "embeds it again: use fewer or smaller charts", code="BG240")
        tok.attrs["src"] = ""
        return
    ctx.image_bytes += len(markup)
    ctx.charts.append((chart.name, json.dumps(charts.localised(chart, edition),
                                              ensure_ascii=False, sort_keys=True, indent=1)))
    ctx.chart_words += [Term(text, Where(path, line, col))
                        for text, path, line, col in charts.words_of(chart, edition)]
    tok.type, tok.tag, tok.content, tok.children = "html_inline", "", markup, None
    tok.attrs = {}


def _too_big(name: str, data: bytes, mime: str, ctx: Context) -> _Refused | None:
    """Why not, if the image has too many pixels, or would take the edition's embedded images
    over MAX_EDITION_IMAGE_BYTES."""
    size = _pixel_size(data, mime)
    if size is None:
        return _Refused(f"image '{name}' is damaged: its header gives no size",
                        "save it again from an image editor", code="BG238")
    if size[0] * size[1] > MAX_IMAGE_PIXELS:
        return _Refused(f"image '{name}' is {size[0]:,} × {size[1]:,} pixels; images "
                        f"are limited to {MAX_IMAGE_PIXELS // 1_000_000} million pixels",
                        "scale it down: a full page at 300 dpi is about 2,500 × 3,500 pixels",
                        code="BG239")
    if ctx.image_bytes + len(data) > MAX_EDITION_IMAGE_BYTES:
        return _Refused(f"image '{name}' takes the images of this edition over "
                        f"{MAX_EDITION_IMAGE_BYTES // 1024 // 1024} MB",
                        "each use of an image embeds it again: use fewer or smaller images",
                        code="BG240")
    return None


_JPEG_FRAMES = {*range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC), *range(0xCD, 0xD0)}


def _pixel_size(data: bytes, mime: str) -> tuple[int, int] | None:
    """(width, height) read from a PNG, GIF or JPEG header, without decoding the image; None
    when the header is damaged."""
    if mime == "image/png":
        return struct.unpack(">II", data[16:24]) if data[12:16] == b"IHDR" and \
            len(data) >= 24 else None
    if mime == "image/gif":
        return struct.unpack("<HH", data[6:10]) if len(data) >= 10 else None
    at = 2  # JPEG: the segments after SOI, up to a start of frame
    while at + 9 <= len(data) and data[at] == 0xFF:
        marker, length = data[at + 1], int.from_bytes(data[at + 2:at + 4], "big")
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 1 if marker == 0xFF else 2 + length
    return None


def _read_image(name: str, rel: str, ctx: Context) -> tuple[_Refused | None, bytes]:
    """(why not, bytes) for an image path relative to the brief's folder."""
    path = (ctx.brief_dir / rel).resolve()
    root = ctx.content_root.resolve()
    if not path.is_relative_to(root):
        hint = "copy the image into the brief's folder"
        if Path(os.path.normpath(ctx.brief_dir.resolve() / rel)).is_relative_to(root):
            return _Refused(f"image '{name}' is a symbolic link to a file outside "
                            "the content folder", hint, code="BG233"), b""
        return _Refused(f"image '{name}' is outside the content folder", hint, code="BG233"), b""
    briefs, own = root / "briefs", ctx.brief_dir.resolve()
    if path.is_relative_to(briefs) and not path.is_relative_to(own):
        # a brief's hash covers its own folder and content/ outside briefs/, nothing else
        return _Refused(f"image '{name}' is in another brief's folder",
                        "put an image that briefs share in a folder of content/ outside "
                        "briefs/, e.g. content/images/", code="BG244"), b""
    if not path.is_file():
        return _Refused(f"image '{name}' not found", f"looked for {_shown(path, root)}; "
                        "paths are relative to the brief's folder", code="BG234"), b""
    try:
        if path.stat().st_size > MAX_IMAGE_BYTES:
            return _Refused(f"image '{name}' is larger than 5 MB", code="BG241"), b""
        return None, path.read_bytes()
    except OSError as exc:
        return _Refused(f"cannot read image '{name}': {exc.strerror or exc}",
                        "check the file's permissions", code="BG235"), b""


_shown = charts.shown_path  # a path inside the content folder as the editor sees it


def _extract_notes(tokens: list[Token]) -> dict[int, list[Token]]:
    """Take the footnote block out of the stream; return each note's tokens by id."""
    notes: dict[int, list[Token]] = {}
    if not any(t.type == "footnote_block_open" for t in tokens):
        return notes
    start = next(i for i, t in enumerate(tokens) if t.type == "footnote_block_open")
    current: int | None = None
    for tok in tokens[start:]:
        if tok.type == "footnote_open":
            current = tok.meta["id"]
            notes[current] = []
        elif tok.type == "footnote_close":
            current = None
        elif current is not None and tok.type != "footnote_anchor":
            notes[current].append(tok)
    del tokens[start:]
    return notes


def _number_notes(tokens: list[Token], notes: dict[int, list[Token]], ctx: Context,
                  src: _Source, md: MarkdownIt, env: dict[str, Any]) -> None:
    by_id: dict[int, Note] = {}
    for tok in tokens:
        for at, child in enumerate(tok.children or []):
            if child.type == "citation":
                _citation_note(tok.children or [], at, ctx, src, _line(tok))
                continue
            if child.type != "footnote_ref":
                continue
            fid = child.meta["id"]
            if fid not in by_id:
                body = notes.get(fid, [])
                for t in body:
                    if t.children:
                        t.children = _select_inline(t.children, ctx, src, _line(t))
                        _resolve(t.children, ctx, src, _line(t))
                        _no_nested_notes(t.children, ctx, src, _line(t))
                        _citations_in_note(t.children, ctx, src, _line(t))
                rendered = md.renderer.render(body, md.options, env).strip()
                rendered = re.sub(r"^<p>|</p>$", "", rendered).replace("</p>\n<p>", " ")
                by_id[fid] = Note(len(ctx.notes) + 1, rendered)
                ctx.notes.append(by_id[fid])
            child.meta["note"] = by_id[fid]


def _no_nested_notes(children: list[Token], ctx: Context, src: _Source, start_line: int
                     ) -> None:
    """A footnote inside a footnote has nowhere to go on the page: report it, drop the mark."""
    for i, child in enumerate(children):
        if child.type == "footnote_ref":
            label = f"[^{child.meta.get('label', child.meta.get('id', ''))}]"
            _report(ctx, src.origin, _where(src, label, start_line),
                    f"footnote {label} is referred to inside another footnote",
                    hint="footnotes cannot contain footnotes; put the text in the note itself",
                    code="BG216")
            children[i] = Token("text", "", 0, content="")


def _cited(tok: Token, ctx: Context, src: _Source, start_line: int) -> str | None:
    """The HTML of a citation this edition may print, or None (its problem reported)."""
    citer = ctx.citer if ctx.citer is not None else Citer(None, ctx.audience, ctx.lang)
    wrong = [p for p in map(citer.problem, [c.key for c in tok.meta["cites"]]) if p]
    at = _where(src, tok.content, start_line)
    for message, hint, code in wrong:
        _report(ctx, src.origin, at, message, hint, code=code)
    if wrong:
        return None
    return citer.cite(tok.meta["cites"])


def _citation_note(children: list[Token], at: int, ctx: Context, src: _Source,
                   start_line: int) -> None:
    """A citation in the text becomes a note (as a footnote call, the space before it
    gone: 'a claim [@key].' reads 'a claim.¹'), or its text in the line for an author-date
    style; one that may not print, nothing."""
    tok = children[at]
    cited = _cited(tok, ctx, src, start_line)
    before = children[at - 1] if at else None
    if cited is not None and (ctx.citer is None or ctx.citer.notes) and \
            before is not None and before.type == "text":
        before.content = before.content.rstrip(" \t")
    if cited is None:
        tok.type, tok.content = "text", ""
    elif ctx.citer is not None and not ctx.citer.notes:
        tok.type, tok.content = "html_inline", cited
    else:
        note = Note(len(ctx.notes) + 1, cited)
        ctx.notes.append(note)
        tok.type, tok.meta = "footnote_ref", {"note": note}


def _citations_in_note(children: list[Token], ctx: Context, src: _Source, start_line: int
                       ) -> None:
    """A citation inside a footnote prints in the note's own text (a note has no notes);
    its closing period gives way to the sentence's own."""
    for i, child in enumerate(children):
        if child.type != "citation":
            continue
        cited = _cited(child, ctx, src, start_line) or ""
        after = children[i + 1] if i + 1 < len(children) else None
        if cited.endswith(".") and after is not None and after.type == "text" and \
                after.content.startswith("."):
            cited = cited[:-1]
        child.type, child.content = "html_inline", cited
