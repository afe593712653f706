"""An edition's HTML page read as a redline compares it: units (the masthead, a corrections
box, takeaways, summary, each section by its id, notes, sources, about, colophon; any other
text as one more unit), their blocks (paragraphs, headings, list items, table rows) and
each block's tokens (words in Latin and other alphabetic scripts, single characters in Han,
Hangul, Hiragana and Katakana), each with its language.

The page may come from a release snapshot, which is untrusted: it is read by the standard
library's tokenizer (no entities beyond HTML's own, nothing fetched, no scripts run), at most
MAX_PAGE_BYTES, nested at most MAX_DEPTH elements, and walked without recursion, in time
linear in its size: each element is visited a bounded number of times (a queue, not a
list's pop(0); whether an element holds a block is worked out once; an end tag finds its
element through a count of the open ones; text is joined once, not by repeated `+`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser

import regex

from briefgen.errors import BriefError, Problem

MAX_PAGE_BYTES = 8 * 1024 * 1024  # an edition's page is ~100 KB
MAX_DEPTH = 256  # a page nests ~15 elements deep

_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
#: elements that are blocks of text; one that holds another block is split around it
_BLOCKS = frozenset("p li h1 h2 h3 h4 h5 h6 tr dt dd pre figcaption caption summary "
                    "blockquote div section aside figure ul ol dl table thead tbody tfoot "
                    "header footer details article main nav".split())
#: the units of a page other than sections, by their class
UNIT_CLASSES = ("masthead", "corrections", "takeaways", "summary", "notes", "sources", "about",
                "colophon")
_SKIPPED_CLASSES = frozenset({"toc", "skip-link", "backref", "visually-hidden"})
_SKIPPED_TAGS = frozenset({"head", "script", "style", "template", "nav"})
#: Han, Hangul and Kana (with the marks they are written with) are compared character by
#: character; every other letter or digit run is a word.
CJK = r"\p{Han}\p{Hangul}\p{Hiragana}\p{Katakana}\p{Bopomofo}\u30fc\u3005\u3006"
_TOKEN = regex.compile(rf"[{CJK}]|\s+|[[\p{{L}}\p{{M}}\p{{N}}_]--[{CJK}]]+|.", regex.V1 | regex.S)
_WORD = regex.compile(rf"[\p{{L}}\p{{N}}{CJK}]", regex.V1)
_INVISIBLE = regex.compile("[\u00ad\u200b\u2060\ufeff]")  # soft hyphen, joiners: not text
_LANG = regex.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")


def _lang(node: _Node, inherited: str) -> str:
    """The element's language: its lang attribute if it is a language tag, else the one it
    inherits (a snapshot's attribute is only ever written back as a tag)."""
    value = node.attrs.get("lang", "")
    return value if _LANG.fullmatch(value) else inherited


@dataclass(frozen=True)
class Token:
    text: str
    lang: str

    @property
    def word(self) -> bool:
        """Whether it counts as a word (a Latin word, or one CJK character)."""
        return bool(_WORD.match(self.text))


@dataclass(frozen=True)
class Block:
    kind: str  # "h1".."h6", or "p" for any other block
    tokens: tuple[Token, ...]

    @property
    def text(self) -> str:
        return "".join(t.text for t in self.tokens)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.text}"


@dataclass(frozen=True)
class Unit:
    id: str
    blocks: tuple[Block, ...]

    @property
    def title(self) -> str:
        heading = next((b for b in self.blocks if b.kind in ("h1", "h2")), None)
        return heading.text if heading else self.id.capitalize()

    @property
    def text(self) -> str:
        return "\n".join(b.key for b in self.blocks)


@dataclass(frozen=True)
class Page:
    lang: str
    units: tuple[Unit, ...]
    #: the <link> elements of its <head> as (rel, hreflang, href): how a page names itself
    links: tuple[tuple[str, str, str], ...] = ()
    #: the text of each JSON-LD script of its <head>
    json_ld: tuple[str, ...] = ()


@dataclass(slots=True)  # a page may hold millions: no __dict__ each
class _Node:
    tag: str
    attrs: dict[str, str]
    children: list[_Node | str] = field(default_factory=list)
    #: whether a block element or drawing is among its descendants (worked out once)
    inner_block: bool | None = field(default=None, repr=False, compare=False)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


#: shared by every element without attributes, and every void element's (empty) children:
#: the tree is only read once built, and a page of a million <br> needs no million of each
_NO_ATTRS: dict[str, str] = {}
_NO_CHILDREN: list[_Node | str] = []


def _attrs(attrs: list[tuple[str, str | None]]) -> dict[str, str]:
    return {k: v or "" for k, v in attrs} if attrs else _NO_ATTRS


class _TooDeep(Exception):
    """Raised by _Tree to stop parsing a page nested deeper than MAX_DEPTH."""


class _Tree(HTMLParser):
    """The element tree of a page, built forgivingly: an end tag closes up to its element,
    a stray one is ignored. Parsing stops at the first element nested too deep."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {})
        self.stack = [self.root]
        self.open: dict[str, int] = {}  # tag -> how many elements of the stack have it

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, _attrs(attrs), [] if tag not in _VOID else _NO_CHILDREN)
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)
            self.open[tag] = self.open.get(tag, 0) + 1
            if len(self.stack) > MAX_DEPTH:
                raise _TooDeep

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, _attrs(attrs), _NO_CHILDREN))

    def handle_endtag(self, tag: str) -> None:
        if not self.open.get(tag):
            return  # a stray end tag: found without looking through the stack
        while True:  # pops what it closes: each element is pushed and popped once
            node = self.stack.pop()
            self.open[node.tag] -= 1
            if node.tag == tag:
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _unreadable(shown: str, why: str) -> BriefError:
    return BriefError([Problem(shown, 0, 0, f"cannot be read as an edition's page: {why}",
                               hint="restore the file as the release wrote it",
                               code="BG547")])


def read_page(data: bytes, shown: str) -> Page:
    """The units of an edition's HTML page (see the module docstring)."""
    if len(data) > MAX_PAGE_BYTES:
        raise _unreadable(shown, f"more than {MAX_PAGE_BYTES:,} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _unreadable(shown, f"not UTF-8 (byte {exc.start})") from None
    tree = _Tree()
    try:
        tree.feed(text)
        tree.close()
    except _TooDeep:
        raise _unreadable(shown, f"elements nested more than {MAX_DEPTH} deep") from None
    html = _find(tree.root, "html")
    body = _find(tree.root, "body")
    if html is None or body is None:
        raise _unreadable(shown, "no <html> and <body>")
    lang = _lang(html, "")
    units: list[Unit] = []
    stray: list[Block] = []
    seen: dict[str, int] = {}
    for node, blocks in _units(body, lang):
        if node is None:
            stray += blocks
            continue
        uid = _unit_id(node)
        seen[uid] = seen.get(uid, 0) + 1
        units.append(Unit(uid if seen[uid] == 1 else f"{uid}~{seen[uid]}", tuple(blocks)))
    if stray:  # text outside every unit is compared too: a redline leaves nothing out
        units.append(Unit("other text", tuple(stray)))
    head = _find(html, "head")
    links: list[tuple[str, str, str]] = []
    scripts: list[str] = []
    for item in head.children if head is not None else ():
        if not isinstance(item, _Node):
            continue
        if item.tag == "link":
            links.append((item.attrs.get("rel", ""), item.attrs.get("hreflang", ""),
                          item.attrs.get("href", "")))
        elif item.tag == "script" and item.attrs.get("type") == "application/ld+json":
            scripts.append("".join(c for c in item.children if isinstance(c, str)))
    return Page(lang, tuple(u for u in units if u.blocks), tuple(links), tuple(scripts))


def _find(root: _Node, tag: str) -> _Node | None:
    """The first element with this tag, breadth first."""
    todo: deque[_Node] = deque([root])
    while todo:
        node = todo.popleft()
        if node.tag == tag:
            return node
        todo.extend(c for c in node.children if isinstance(c, _Node))
    return None


def _unit_id(node: _Node) -> str:
    if "section" in node.classes and node.attrs.get("id"):
        return node.attrs["id"]
    return next(c for c in UNIT_CLASSES if c in node.classes)


def _is_unit(node: _Node) -> bool:
    return ("section" in node.classes and bool(node.attrs.get("id"))) or \
        any(c in node.classes for c in UNIT_CLASSES)


def _skipped(node: _Node) -> bool:
    return node.tag in _SKIPPED_TAGS or bool(node.classes & _SKIPPED_CLASSES)


def _units(body: _Node, lang: str) -> list[tuple[_Node | None, list[Block]]]:
    """Each unit's node and blocks in page order; None for blocks outside every unit."""
    out: list[tuple[_Node | None, list[Block]]] = []
    todo: deque[tuple[_Node, str]] = deque([(body, lang)])
    while todo:
        node, node_lang = todo.popleft()
        node_lang = _lang(node, node_lang)
        if _is_unit(node):
            out.append((node, _blocks(node, node_lang)))
            continue
        loose: list[_Node | str] = []
        for child in node.children:
            if isinstance(child, _Node) and _skipped(child):
                continue
            if isinstance(child, _Node) and (child.tag in ("main", "article") or
                                             _is_unit(child)):
                if loose:
                    out.append((None, _blocks(_Node("div", {}, loose), node_lang)))
                    loose = []
                out += _units(child, node_lang)
            else:
                loose.append(child)
        if loose:
            out.append((None, _blocks(_Node("div", {}, loose), node_lang)))
    return out


def _has_block(node: _Node) -> bool:
    """Whether a block element or a drawing is among node's descendants: worked out for
    every element of its subtree at once (after its children, without recursion) and kept
    on each, so a page's elements are each looked at once however often this is asked."""
    if node.inner_block is not None:
        return node.inner_block
    todo: list[tuple[_Node, bool]] = [(node, False)]
    while todo:
        item, children_done = todo.pop()
        if item.inner_block is not None:
            continue
        kids = [c for c in item.children if isinstance(c, _Node)]
        if children_done:
            item.inner_block = any(c.tag in _BLOCKS or c.tag == "svg" or bool(c.inner_block)
                                   for c in kids)
        else:
            todo.append((item, True))
            todo += [(c, False) for c in kids if c.inner_block is None]
    return bool(node.inner_block)


def _blocks(root: _Node, lang: str) -> list[Block]:
    """The blocks under root, in order: a block element that holds no other is one block;
    one that does is split, the text around its inner blocks a block of its own."""
    out: list[Block] = []
    stack: list[tuple[_Node, str]] = [(root, lang)]
    while stack:
        node, node_lang = stack.pop()
        node_lang = _lang(node, node_lang)
        kind = node.tag if node.tag in ("h1", "h2", "h3", "h4", "h5", "h6") else "p"
        if not _has_block(node) and node.tag != "svg":
            _add(out, kind, _inline(node, node_lang))
            continue
        if node.tag == "svg":
            label = node.attrs.get("aria-label", "")
            _add(out, "p", [(f"[{label}]", node_lang)] if label else [])
            continue
        later: list[tuple[_Node, str]] = []
        run: list[_Node | str] = []
        for child in node.children:
            if isinstance(child, _Node) and _skipped(child):
                continue
            if isinstance(child, _Node) and (child.tag in _BLOCKS or child.tag == "svg"
                                             or _has_block(child)):
                if run:
                    later.append((_Node("span", {}, run), node_lang))
                    run = []
                later.append((child, node_lang))
            else:
                run.append(child)
        if run:
            later.append((_Node("span", {}, run), node_lang))
        # a run of inline text becomes a "p" block through the same path
        stack += [(n if n.tag != "span" else _Node("p", {}, n.children), lg)
                  for n, lg in reversed(later)]
    return out


def _inline(node: _Node, lang: str) -> list[tuple[str, str]]:
    """The text of an inline subtree as (text, language) pieces: a footnote call as [n],
    an image as [its alt text], table cells apart."""
    pieces: list[tuple[str, str]] = []
    todo: list[tuple[_Node | str, str]] = [(node, lang)]
    while todo:
        item, item_lang = todo.pop()
        if isinstance(item, str):
            pieces.append((item, item_lang))
            continue
        if _skipped(item):
            continue
        inner = _lang(item, item_lang)
        if item.tag == "img":
            alt = item.attrs.get("alt", "")
            if alt:
                pieces.append((f" [{alt}] ", inner))
            continue
        if item.tag == "br":
            pieces.append((" ", inner))
            continue
        after = {"sup": "]", "td": " | ", "th": " | "}.get(item.tag)
        if after:
            todo.append((after if item.tag == "sup" else " | ", item_lang))
        todo += [(c, inner) for c in reversed(item.children)]
        if item.tag == "sup":
            todo.append(("[", item_lang))
    return pieces


def _add(out: list[Block], kind: str, pieces: list[tuple[str, str]]) -> None:
    tokens = tokenize(pieces)
    if tokens:
        out.append(Block(kind, tokens))


def tokenize(pieces: list[tuple[str, str]]) -> tuple[Token, ...]:
    """Tokens of text pieces (each with its language): spaces collapsed and trimmed, a cell
    separator at either end dropped, pieces of one language joined before splitting."""
    runs: list[tuple[list[str], str]] = []  # joined once: `+` in a loop is quadratic
    for text, lang in pieces:
        text = _INVISIBLE.sub("", text)
        if runs and runs[-1][1] == lang:
            runs[-1][0].append(text)
        elif text:
            runs.append(([text], lang))
    tokens: list[Token] = []
    for parts, lang in runs:
        text = "".join(parts)
        for match in _TOKEN.finditer(text):
            piece = match.group()
            if piece.isspace():
                if tokens and not tokens[-1].text.isspace():
                    tokens.append(Token(" ", lang))
            else:
                tokens.append(Token(piece, lang))
    while tokens and tokens[-1].text.isspace():
        tokens.pop()
    if tokens and tokens[0].text.isspace():  # spaces are collapsed: one at most
        del tokens[0]
    # a row's last cell ends in " | ": not part of its text
    while tokens and tokens[-1].text == "|":
        tokens.pop()
        while tokens and tokens[-1].text.isspace():
            tokens.pop()
    return tuple(tokens)
