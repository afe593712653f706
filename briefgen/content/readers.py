"""What the readers of one language see of a Markdown text.

A translation into a language is read only by the audiences that read it. Its source is
therefore the text with every audience block and span that none of them sees taken out:
that is what its hash covers (an edit visible only to other audiences leaves it unchanged),
what a translator is shown, and what a translation's markers are compared with.

The cut is proved, not assumed: for every reader the text left must parse to the same
visible tokens as the whole text (runs of white space count as one). If it does not (a
construct the scan misread), the whole text is kept, which can only make a unit stale when
it is not, never fresh when it is not.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from briefgen.content.syntax import _ATTRIBUTES, _PAIR, CLOSE, CONTAINERS, OPEN, spec_shows, tokens

Readers = frozenset[str]
_SPAN_END = re.compile(r"\]\{")


def seen_text(text: str, readers: Iterable[str]) -> str:
    """`text` without the audience blocks and spans none of `readers` sees."""
    who = frozenset(readers)
    if ":::" not in text and "]{" not in text:
        return text
    if "\r" in text:  # the parser reads a lone CR as a line break: its lines are not ours
        return text
    return _seen(text, who)


@lru_cache(maxsize=4096)
def _seen(text: str, readers: Readers) -> str:
    cuts = _hidden(text, readers)
    if not cuts:
        return text
    out, at = [], 0
    for start, end, filler in cuts:
        out.append(text[at:start] + filler)
        at = end
    kept = "".join(out) + text[at:]
    if all(_visible(kept, r) == _visible(text, r) for r in readers):
        return kept
    return text


def seen_fields(fields: dict[str, str | list[str]], readers: Iterable[str]
                ) -> dict[str, str | list[str]]:
    """A unit's fields as these readers see them (keywords are never marked up)."""
    who = frozenset(readers)
    return {k: seen_text(v, who) if isinstance(v, str) else v for k, v in fields.items()}


def fields_hash(fields: dict[str, str | list[str]]) -> str:
    """The 12-character hash a translation records as source_hash."""
    blob = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _shows(path: list[str], readers: Readers) -> bool:
    return any(all(spec_shows(s, r) for s in path) for r in readers)


def _hidden(text: str, readers: Readers) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of each outermost block or span no reader sees, in order."""
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    last = len(text)
    cuts: list[tuple[int, int, str]] = []
    # the audience blocks around each line, outermost first
    around: list[list[str]] = [[] for _ in starts]
    stack: list[tuple[str, int]] = []
    for tok in tokens(text, None):
        if tok.type == OPEN and tok.map:
            spec = tok.info.strip()
            first, close = tok.map[0], tok.map[1]
            path = [s for s, _ in stack] + [spec]
            for ln in range(first, min(close + 1, len(around))):
                around[ln] = list(path)
            stack.append((spec, first))
            if not _shows(path, readers) and not any(c[0] <= starts[first] < c[1]
                                                     for c in cuts):
                lines = text.split("\n")
                top, bottom = first, min(close, len(lines) - 1)  # lines, inclusive
                # with the blank line that set it apart, as if it had never been written
                if top > 0 and not lines[top - 1].strip(" \t>"):
                    top -= 1
                elif bottom + 1 < len(lines) and not lines[bottom + 1].strip(" \t>"):
                    bottom += 1
                start, end = starts[top], min(starts[bottom + 1], last)
                cuts.append((start, end, ""))
        elif tok.type == CLOSE and stack:
            stack.pop()
    for m in _SPAN_END.finditer(text):
        attrs = _ATTRIBUTES.match(text, m.end() - 1)
        if attrs is None:
            continue
        spec = _span_spec(attrs.group(0))
        if not spec:
            continue
        begin = _opening(text, m.start())
        if begin is None:
            continue
        row = bisect.bisect_right(starts, m.start()) - 1
        path = around[row] + [outer for _, _, outer in _spans_around(text, begin)] + [spec]
        if not _shows(path, readers) and not any(c[0] <= begin < c[1] for c in cuts):
            end = attrs.end()
            if begin > 0 and text[begin - 1] == " " and text[end:end + 1] in ("", " ", "\n"):
                begin -= 1  # no double space left behind
            cuts.append((begin, end, ""))
    cuts.sort()
    merged: list[tuple[int, int, str]] = []
    for cut in cuts:
        if merged and cut[0] < merged[-1][1]:  # inside one already cut, or sharing a line
            merged[-1] = (merged[-1][0], max(merged[-1][1], cut[1]), "")
            continue
        merged.append(cut)
    return merged


def _span_spec(attrs: str) -> str:
    pairs = [(k, v.strip('"')) for k, v in _PAIR.findall(attrs) if k in CONTAINERS]
    if len(pairs) != 1:
        return ""  # none, or a spec the checks refuse: left for them to report
    key, value = pairs[0]
    return " ".join([key, *sorted(set(value.split()))])


def _opening(text: str, close: int) -> int | None:
    """The '[' that the ']' at `close` ends, or None."""
    depth = 0
    i = close
    while i >= 0:
        ch = text[i]
        escaped = (len(text[:i]) - len(text[:i].rstrip("\\"))) % 2 == 1
        if not escaped:
            if ch == "]":
                depth += 1
            elif ch == "[":
                depth -= 1
                if depth == 0:
                    return i
        i -= 1
    return None


def _spans_around(text: str, at: int) -> list[tuple[int, int, str]]:
    """The audience spans that enclose position `at`, outermost first."""
    out = []
    for m in _SPAN_END.finditer(text):
        attrs = _ATTRIBUTES.match(text, m.end() - 1)
        if attrs is None or not (spec := _span_spec(attrs.group(0))):
            continue
        start = _opening(text, m.start())
        if start is not None and start < at < m.start():
            out.append((start, attrs.end(), spec))
    return sorted(out)


def _visible(text: str, reader: str) -> list[Any]:
    """What one reader sees of a text, token by token, with text runs joined."""
    out: list[Any] = []
    shown: list[bool] = []

    def add_text(s: str) -> None:
        if out and isinstance(out[-1], str):
            out[-1] = " ".join((out[-1] + s).split())
        else:
            out.append(" ".join(s.split()))

    for tok in tokens(text, reader):
        if tok.type == OPEN:
            shown.append(spec_shows(tok.info.strip(), reader))
            continue
        if tok.type == CLOSE:
            if shown:
                shown.pop()
            continue
        if not all(shown):
            continue
        if tok.type != "inline":  # a code block's or HTML block's text is its content
            out.append((tok.type, tok.tag, tok.info, tok.content,
                        tuple(sorted(tok.attrs.items()))))
            continue
        spans: list[bool] = []
        for child in tok.children or []:
            if child.type == "span_open":
                spec = " ".join(f"{k} {v}" for k, v in child.attrs.items() if k in CONTAINERS)
                spans.append(not spec or spec_shows(spec, reader))
                if spans[-1] and all(spans):
                    out.append(("span", tuple(sorted(child.attrs.items()))))
                continue
            if child.type == "span_close":
                if spans:
                    if spans[-1] and all(spans):
                        out.append(("/span",))
                    spans.pop()
                continue
            if not all(spans):
                continue
            if child.type == "text":
                add_text(child.content if child.content.strip() else " ")
            else:
                out.append((child.type, child.content, tuple(sorted(child.attrs.items()))))
    return out
