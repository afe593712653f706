"""A Markdown field cut into segments a translator's tool matches one by one, and each
segment cut into text and codes: what the translator writes, and what briefgen's syntax
needs kept (terms, citations, footnote calls, spans, emphasis, links, line structure).

A field splits at its top-level blank lines: a paragraph, a list, a table, a footnote
definition or a whole audience or numbered block (`:::` … `:::`, blank lines and all) is one
segment. What lies between the segments (the blank lines, a final newline) is the field's
layout, kept so the field comes back exactly. Joining the pieces of a segment gives back
its Markdown exactly: the codes are cut out of the text, never rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefgen.content.syntax import _ATTRIBUTES, _LOOKS_CITED, _PREFIX, TERM, is_marker_line

_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
_TABLE_RULE = re.compile(r"[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?[ \t]*)?\|?[ \t]*")
_HEADING = re.compile(r"#{1,6}(?:[ \t]+|$)")
_FOOTNOTE_DEF = re.compile(r"\[\^[^\]\s]+\]:[ \t]*")
_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_AUTOLINK = re.compile(r"<(?:https?|mailto|ftp):[^\s<>]*>")
_URL = re.compile(r"https?://[^\s<>]*[^\s<>.,:;!?\"')\]*_]")
_FOOTNOTE_CALL = re.compile(r"\^[^\]\s]+")
_PIPE = re.compile(r"[ \t]*\|[ \t]*")


@dataclass(frozen=True)
class Piece:
    """Text the translator writes, or a code: role "ph" (a construct standing alone),
    "open"/"close" (the two ends of a paired construct; pair numbers them within a segment)
    or "line" (line structure: newlines, list and heading markers, table pipes, ':::'
    lines; the translator may not move or change it)."""

    role: str  # text, ph, open, close, line
    data: str  # the Markdown it stands for
    kind: str = ""  # term, citation, footnote, code, url, escape, entity, emphasis, link, span
    pair: int = 0


@dataclass(frozen=True)
class Split:
    """A field as segments: layout[0] + segments[0] + layout[1] + … + layout[-1]."""

    segments: list[str]
    layout: list[str]

    def join(self, segments: list[str]) -> str:
        out = [self.layout[0]]
        for seg, after in zip(segments, self.layout[1:], strict=True):
            out += [seg, after]
        return "".join(out)


def split(text: str) -> Split:
    """A Markdown field cut at its top-level blank lines (not inside a ':::' block or a
    fenced code block)."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    depth, fence = 0, ""
    runs: list[tuple[int, int]] = []  # first and last line of each segment
    for i, line in enumerate(lines):
        blank = not line.strip()
        if fence:
            if line.strip().startswith(fence):
                fence = ""
        elif m := _FENCE.match(line):
            fence = m[1]
        elif is_marker_line(line):
            rest = line.strip().lstrip(":").strip()
            depth = depth + 1 if rest else max(depth - 1, 0)
        if blank and not depth and not fence:
            continue
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    segments, layout, at = [], [], 0
    for first, last in runs:
        start, end = offsets[first], offsets[last] + len(lines[last])
        layout.append(text[at:start])
        segments.append(text[start:end])
        at = end
    layout.append(text[at:])
    return Split(segments, layout)


def pieces(segment: str) -> list[Piece]:
    """A segment as text and codes; "".join(p.data for p in pieces(s)) == s."""
    out: list[Piece] = []
    fence = ""
    for i, line in enumerate(segment.split("\n")):
        if i:
            out.append(Piece("line", "\n", "newline"))
        if fence or _FENCE.match(line):
            if fence and line.strip().startswith(fence):
                fence = ""
            elif not fence:
                fence = _FENCE.match(line)[1]  # type: ignore[index]
            out.append(Piece("line", line, "code"))
            continue
        if is_marker_line(line):
            out.append(Piece("line", line, "block"))
            continue
        if "|" in line and _TABLE_RULE.fullmatch(line):
            out.append(Piece("line", line, "table"))
            continue
        at = _PREFIX.match(line).end()  # type: ignore[union-attr]
        for extra in (_HEADING, _FOOTNOTE_DEF):
            if m := extra.match(line, at):
                at = m.end()
        if at:
            out.append(Piece("line", line[:at], "prefix"))
        out.extend(_inline(line[at:], line[at:].lstrip().startswith("|")))
    return _pair_numbers(_merge(out))


def _brackets(text: str) -> dict[int, int]:
    """Each '[' that a ']' closes (escapes and code spans skipped): open -> close."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            end = text.find("`" * run, i + run)
            if end > 0:
                i = end + run
                continue
        if ch == "[":
            stack.append(i)
        elif ch == "]" and stack:
            pairs[stack.pop()] = i
        i += 1
    return pairs


def _paren_end(text: str, at: int) -> int:
    """The index after the ')' that closes the '(' at `at`, or -1."""
    depth = 0
    i = at
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return i + 1
        i += 1
    return -1


def _inline(text: str, table: bool) -> list[Piece]:
    out: list[Piece] = []
    closes: dict[int, tuple[str, str]] = {}  # position of ']' -> (its code, kind)
    pairs = _brackets(text)
    i = 0
    while i < len(text):
        ch = text[i]
        if i in closes:
            data, kind = closes.pop(i)
            out.append(Piece("close", data, kind))
            i += len(data)
            continue
        m = None
        for pattern, kind in ((_ESCAPE, "escape"), (_ENTITY, "entity"), (_AUTOLINK, "url"),
                              (_URL, "url"), (TERM, "term")):
            if m := pattern.match(text, i):
                out.append(Piece("ph", m[0], kind))
                i = m.end()
                break
        if m:
            continue
        if ch == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            end = text.find("`" * run, i + run)
            if end > 0:
                out.append(Piece("ph", text[i:end + run], "code"))
                i = end + run
                continue
            out.append(Piece("text", text[i:i + run]))
            i += run
            continue
        bang = ch == "!" and text.startswith("[", i + 1)
        at = i + 1 if bang else i
        if text.startswith("[", at) and at in pairs:
            close = pairs[at]
            inner = text[at + 1:close]
            after = text[close + 1:]
            if not bang and "[" not in inner and _LOOKS_CITED.search(inner):
                out.append(Piece("ph", text[at:close + 1], "citation"))
                i = close + 1
                continue
            if not bang and _FOOTNOTE_CALL.fullmatch(inner):
                out.append(Piece("ph", text[at:close + 1], "footnote"))
                i = close + 1
                continue
            attrs = _ATTRIBUTES.match(text, close + 1)
            end = _paren_end(text, close + 1) if after.startswith("(") else -1
            label = re.match(r"\[[^\]\[]*\]", after)
            if attrs and not bang:
                closes[close] = ("]" + attrs[0], "span")
            elif end > 0:
                closes[close] = (text[close:end], "image" if bang else "link")
            elif label and not bang:
                closes[close] = ("]" + label[0], "link")
            if close in closes:
                out.append(Piece("open", text[i:at + 1], closes[close][1]))
                i = at + 1
                continue
        if ch in "*_~":
            run = len(text[i:]) - len(text[i:].lstrip(ch))
            out.append(Piece("delim", text[i:i + run], _flanking(text, i, run)))
            i += run
            continue
        if table and ch in " \t|" and (p := _PIPE.match(text, i)) and "|" in p[0] and \
                not text[:i].endswith("\\"):
            out.append(Piece("line", p[0], "pipe"))
            i = p.end()
            continue
        out.append(Piece("text", ch))
        i += 1
    return _emphasis(out)


def _flanking(text: str, at: int, run: int) -> str:
    """"o" (may open), "c" (may close), "oc" or "" for a delimiter run (CommonMark's
    flanking rules, simplified: '_' inside a word does neither)."""
    before = text[at - 1] if at else " "
    after = text[at + run] if at + run < len(text) else " "
    punct = r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"""
    left = not after.isspace() and (after not in punct or before.isspace() or before in punct)
    right = not before.isspace() and (before not in punct or after.isspace() or after in punct)
    if text[at] == "_":
        left, right = left and not before.isalnum(), right and not after.isalnum()
    return ("o" if left else "") + ("c" if right else "")


def _emphasis(items: list[Piece]) -> list[Piece]:
    """Delimiter runs paired (same character and length) as open/close codes; the rest
    text."""
    out = list(items)
    stack: list[int] = []
    for n, p in enumerate(items):
        if p.role != "delim":
            continue
        match = next((k for k in reversed(stack) if items[k].data == p.data), None)
        if "c" in p.kind and match is not None:
            del stack[stack.index(match):]
            out[match] = Piece("open", items[match].data, "emphasis")
            out[n] = Piece("close", p.data, "emphasis")
        elif "o" in p.kind:
            stack.append(n)
    return [Piece("text", p.data) if p.role == "delim" else p for p in out]


def _merge(items: list[Piece]) -> list[Piece]:
    out: list[Piece] = []
    for p in items:
        if p.role == "text" and out and out[-1].role == "text":
            out[-1] = Piece("text", out[-1].data + p.data)
        elif p.data:
            out.append(p)
    return out


def _pair_numbers(items: list[Piece]) -> list[Piece]:
    """Number the pairs: each open and the close that ends it share a number."""
    out: list[Piece] = []
    stack: list[tuple[int, str]] = []
    n = 0
    for p in items:
        if p.role == "open":
            n += 1
            stack.append((n, p.kind if p.kind != "emphasis" else p.data))
            out.append(Piece("open", p.data, p.kind, n))
        elif p.role == "close":
            want = p.kind if p.kind != "emphasis" else p.data
            k = next((k for k in reversed(range(len(stack))) if stack[k][1] == want), None)
            out.append(Piece("close", p.data, p.kind, stack.pop(k)[0] if k is not None else 0))
        else:
            out.append(p)
    return out


def nested(items: list[Piece]) -> bool:
    """Whether every pair closes in the order it opened (XLIFF <pc>), else <sc>/<ec>."""
    stack: list[int] = []
    for p in items:
        if p.role == "open":
            stack.append(p.pair)
        elif p.role == "close":
            if not stack or stack.pop() != p.pair:
                return False
    return not stack
