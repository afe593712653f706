"""Markdown -> HTML for one edition: terms, audience blocks and spans, safe links and images."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .errors import Problems, did_you_mean
from .i18n import Messages

TERM = re.compile(r"\[\[([#@]?[A-Za-z0-9_-]+)\]\]")
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg",
               b"GIF87a": "image/gif", b"GIF89a": "image/gif"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
ALLOWED_LINK_SCHEMES = ("http", "https", "mailto")


@dataclass
class Origin:
    """Where a piece of Markdown came from: for error messages and the leak guard."""

    path: str
    line: int
    col: int = 1
    field: str = ""


@dataclass
class Note:
    number: int
    html: str


@dataclass
class Context:
    """Everything Markdown needs to render for one audience in one language."""

    audience: str
    audiences: list[str]
    lang: str
    term: Callable[[str, Origin], str]
    brief_dir: Path
    content_root: Path
    problems: Problems
    mode: str = "screen"  # or "print": footnotes become page footnotes
    notes: list[Note] = field(default_factory=list)
    images: dict[str, str] = field(default_factory=dict)


def _term_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    m = TERM.match(state.src, state.pos)
    if not m:
        return False
    if not silent:
        token = state.push("term", "", 0)
        token.meta = {"key": m.group(1)}
        token.content = m.group(0)
    state.pos = m.end()
    return True


def _build(lang: str) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True, "linkify": False})
    md.enable(["replacements", "smartquotes"])
    md.options["quotes"] = "“”‘’"
    md.validateLink = lambda url: True  # links are checked (and reported) in _links below
    md.use(footnote_plugin)
    md.use(attrs_plugin, spans=True, after=(), allowed=("audience", "exclude-audience", "lang"))
    md.use(container_plugin, "audience",
           validate=lambda params, *a: params.strip().split(" ")[0]
           in ("audience", "exclude-audience"))
    md.inline.ruler.before("link", "term", _term_rule)
    md.add_render_rule("term", _render_term)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
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
    label = html.escape(Messages(env["ctx"].lang).note_label)
    return (f'<sup class="noteref"><a href="#note-{n}" id="noteref-{n}">'
            f'<span class="visually-hidden">{label}</span>{n}</a></sup>')


_MD: dict[str, MarkdownIt] = {}


def _md(lang: str) -> MarkdownIt:
    if lang not in _MD:
        _MD[lang] = _build(lang)
    return _MD[lang]


def render(text: str, ctx: Context, origin: Origin, inline: bool = False) -> str:
    """Render one Markdown value for ctx's audience and language to an HTML fragment."""
    md = _md(ctx.lang)
    env: dict[str, Any] = {"ctx": ctx}
    tokens = md.parseInline(text, env) if inline else md.parse(text, env)
    tokens = _select_blocks(tokens, ctx, origin, text)
    notes = _extract_notes(tokens)
    for tok in tokens:
        if tok.children:
            tok.children = _select_inline(tok.children, ctx, origin, text)
            _resolve(tok.children, ctx, origin, text)
    _number_notes(tokens, notes, ctx, origin, text, md, env)
    out = md.renderer.render(tokens, md.options, env)
    if inline and out.startswith("<p>") and out.endswith("</p>\n"):
        out = out[3:-5]
    return out


def plain(fragment: str) -> str:
    """Visible text of an HTML fragment (for <title>, PDF metadata and file listings)."""
    text = re.sub(r"<[^>]+>", "", fragment)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def _where(origin: Origin, text: str, needle: str) -> tuple[int, int]:
    at = text.find(needle)
    if at < 0:
        return origin.line, origin.col
    lines_before = text.count("\n", 0, at)
    if lines_before == 0:
        return origin.line, origin.col + at
    return origin.line + lines_before, at - text.rfind("\n", 0, at)


def _selected(spec: str, ctx: Context, origin: Origin, text: str) -> bool:
    words = spec.split()
    kind, ids = (words[0], words[1:]) if words else ("audience", [])
    if not ids:
        line, col = _where(origin, text, spec)
        ctx.problems.error(origin.path, line, col, f"'{kind}' needs at least one audience id",
                           field=origin.field)
    for aid in ids:
        if aid not in ctx.audiences:
            line, col = _where(origin, text, aid)
            ctx.problems.error(origin.path, line, col, f"unknown audience '{aid}'",
                               field=origin.field, hint=did_you_mean(aid, ctx.audiences))
    inside = ctx.audience in ids
    return inside if kind == "audience" else not inside


def _select_blocks(tokens: list[Token], ctx: Context, origin: Origin, text: str
                   ) -> list[Token]:
    out: list[Token] = []
    shown: list[bool] = []
    for tok in tokens:
        if tok.type == "container_audience_open":
            shown.append(_selected(tok.info.strip(), ctx, origin, text))
            continue
        if tok.type == "container_audience_close":
            shown.pop()
            continue
        if all(shown):
            out.append(tok)
    return out


def _select_inline(children: list[Token], ctx: Context, origin: Origin, text: str
                   ) -> list[Token]:
    out: list[Token] = []
    stack: list[tuple[bool, bool]] = []  # (shown, keep the span element)
    for tok in children:
        if tok.type == "span_open":
            attrs = dict(tok.attrs)
            show = True
            for kind in ("audience", "exclude-audience"):
                if kind in attrs:
                    show = show and _selected(f"{kind} {attrs.pop(kind)}", ctx, origin, text)
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


def _resolve(children: list[Token], ctx: Context, origin: Origin, text: str) -> None:
    """Terms to text, unsafe links to plain text, images to embedded data."""
    for i, tok in enumerate(children):
        if tok.type == "term":
            tok.meta["value"] = ctx.term(tok.meta["key"], origin)
        elif tok.type == "link_open":
            href = str(tok.attrs.get("href", ""))
            scheme = urlsplit(href).scheme.lower()
            if scheme and scheme not in ALLOWED_LINK_SCHEMES:
                line, col = _where(origin, text, href[:20])
                ctx.problems.warn(origin.path, line, col, f"link to '{href[:60]}' removed: "
                                  "only http, https, mailto and relative links are allowed",
                                  field=origin.field)
                _unlink(children, i)
        elif tok.type == "image":
            _image(tok, ctx, origin, text)
        if tok.children:
            _resolve(tok.children, ctx, origin, text)


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


def _image(tok: Token, ctx: Context, origin: Origin, text: str) -> None:
    src = str(tok.attrs.get("src", ""))
    line, col = _where(origin, text, src[:30] or "![")
    problem: str | None = None
    parts = urlsplit(src)
    alt = "".join(c.content for c in tok.children or [])
    data: bytes = b""
    if src.startswith("//") or parts.scheme.lower() in ("http", "https"):
        problem = f"remote image '{src}' is never fetched; save it in the brief's folder " \
                  "and give its relative path"
    elif parts.scheme:
        problem = f"image source '{src[:60]}' is not allowed; give a path relative to the " \
                  "brief's folder"
    elif src.startswith("/"):
        problem = f"image '{src}' is an absolute path; give a path relative to the brief's folder"
    else:
        path = (ctx.brief_dir / unquote(parts.path)).resolve()
        root = ctx.content_root.resolve()
        if not path.is_relative_to(root):
            problem = f"image '{src}' is outside the content folder"
        elif not path.is_file():
            problem = f"image '{src}' not found"
        else:
            try:
                if path.stat().st_size > MAX_IMAGE_BYTES:
                    problem = f"image '{src}' is larger than 5 MB"
                else:
                    data = path.read_bytes()
            except OSError as exc:
                problem = f"cannot read image '{src}': {exc.strerror}"
    mime = next((m for magic, m in IMAGE_TYPES.items() if data.startswith(magic)), None)
    if problem is None and mime is None:
        kind = Path(parts.path).suffix.lstrip(".") or "unknown"
        problem = f"unsupported image type '{kind}' for '{src}'; use PNG, JPEG or GIF"
    if problem is None and not alt.strip():
        problem = f"image '{src}' has no alt text; describe it in ![…] for readers who " \
                  "cannot see it"
    if problem:
        ctx.problems.error(origin.path, line, col, problem, field=origin.field)
        tok.attrs["src"] = ""
        return
    tok.attrs["src"] = f"data:{mime};base64,{base64.b64encode(data).decode()}"


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
                  origin: Origin, text: str, md: MarkdownIt, env: dict[str, Any]) -> None:
    by_id: dict[int, Note] = {}
    for tok in tokens:
        for child in tok.children or []:
            if child.type != "footnote_ref":
                continue
            fid = child.meta["id"]
            if fid not in by_id:
                body = notes.get(fid, [])
                for t in body:
                    if t.children:
                        t.children = _select_inline(t.children, ctx, origin, text)
                        _resolve(t.children, ctx, origin, text)
                rendered = md.renderer.render(body, md.options, env).strip()
                rendered = re.sub(r"^<p>|</p>$", "", rendered).replace("</p>\n<p>", " ")
                by_id[fid] = Note(len(ctx.notes) + 1, rendered)
                ctx.notes.append(by_id[fid])
            child.meta["note"] = by_id[fid]
