"""A word diff of two versions of a text, marked as `git diff --word-diff` marks one: the
newer text with `[-deleted-]` and `{+inserted+}` runs.

Tokens are words (letters, marks, digits), single characters of Han, Hangul and Kana (the
rule of briefgen/commands/pagetext.py, whose CJK class this shares), single punctuation
characters, and runs of white space. White space is kept as written (a field's line breaks
stay), but compared as Markdown reads it: a run with a blank line in it is a paragraph
break, any other is one space, so rewrapping a paragraph changes nothing here.
(pagetext.tokenize itself does not fit: it folds every run of white space into one space,
drops a trailing `|` and invisible characters, as a rendered page's text wants.)

Lines are aligned first, then the tokens of each changed run of lines: the alignment is
difflib's, O(n·m) at worst, so a run whose token counts multiply to more than MAX_CELLS is
shown replaced whole.
"""

from __future__ import annotations

from difflib import SequenceMatcher

import regex

from briefgen.commands.pagetext import CJK

MAX_CELLS = 4_000_000
_TOKEN = regex.compile(rf"[{CJK}]|\s+|[[\p{{L}}\p{{M}}\p{{N}}_]--[{CJK}]]+|.",
                       regex.V1 | regex.S)

Segment = tuple[str, bool]  # text, and whether it is a marked change


def word_diff(old: str, new: str) -> str:
    """`new`, with what changed since `old` marked `[-deleted-]` and `{+inserted+}`."""
    return "".join(text for text, _ in segments(old, new))


def segments(old: str, new: str) -> list[Segment]:
    """The word diff as pieces of text, each marked change a piece of its own."""
    out: list[Segment] = []
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("".join(b[j1:j2]), False))
        else:
            out += _words("".join(a[i1:i2]), "".join(b[j1:j2]))
    return [s for s in out if s[0]]


def changed_lines(parts: list[Segment]) -> list[str]:
    """The lines of a word diff that hold a change, a run of others as one "…" line; [] when
    nothing but white space changed."""
    lines: list[tuple[str, bool]] = [("", False)]
    for text, changed in parts:
        for n, piece in enumerate(text.split("\n")):
            if n:
                lines.append(("", changed))
            line, touched = lines[-1]
            lines[-1] = (line + piece, touched or changed)
    if not any(changed for _, changed in lines):
        return []
    out: list[str] = []
    skipped = False
    for line, changed in lines:
        if changed:
            if skipped:
                out.append("…")
            out.append(line)
            skipped = False
        elif line.strip():
            skipped = True
    if skipped:
        out.append("…")
    return out


def _key(token: str) -> str:
    if not token.isspace():
        return token
    return "\n\n" if token.count("\n") > 1 else " "


def _words(old: str, new: str) -> list[Segment]:
    ta, tb = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(ta) * len(tb) > MAX_CELLS:
        return _marked(old, new)
    codes = SequenceMatcher(None, [_key(t) for t in ta], [_key(t) for t in tb],
                            autojunk=False).get_opcodes()
    # white space alone between two changes joins them: one deletion and one insertion
    merged: list[tuple[bool, int, int, int, int]] = []  # (equal?, i1, i2, j1, j2)
    for n, (op, i1, i2, j1, j2) in enumerate(codes):
        equal = op == "equal" and not (0 < n < len(codes) - 1
                                       and all(t.isspace() for t in ta[i1:i2]))
        if merged and not equal and not merged[-1][0]:
            merged[-1] = (False, merged[-1][1], i2, merged[-1][3], j2)
        else:
            merged.append((equal, i1, i2, j1, j2))
    out: list[Segment] = []
    for equal, i1, i2, j1, j2 in _slid(merged, ta, tb):
        if equal:
            out.append(("".join(tb[j1:j2]), False))
        else:
            out += _marked("".join(ta[i1:i2]), "".join(tb[j1:j2]))
    return out


def _slid(runs: list[tuple[bool, int, int, int, int]], ta: list[str], tb: list[str]
          ) -> list[tuple[bool, int, int, int, int]]:
    """An insertion or deletion that starts with white space and is followed by the same,
    moved one token on: "The{+ very+} first" and "The {+very+} first" say the same, and the
    second is how git shows it."""
    out = [list(r) for r in runs]
    for k in range(len(out)):
        equal, i1, i2, j1, j2 = out[k]
        if equal or (i1 != i2 and j1 != j2) or k + 1 >= len(out) or not out[k + 1][0]:
            continue
        side, at, end = (tb, j1, j2) if i1 == i2 else (ta, i1, i2)
        nxt = out[k + 1]
        if end < len(side) and nxt[1] < nxt[2] and side[at].isspace() \
                and _key(side[at]) == _key(side[end]):
            if k == 0 or not out[k - 1][0]:
                continue
            out[k - 1][2] += 1
            out[k - 1][4] += 1
            out[k] = [False, i1 + 1, i2 + 1, j1 + 1, j2 + 1]
            nxt[1] += 1
            nxt[3] += 1
    return [(bool(r[0]), r[1], r[2], r[3], r[4]) for r in out if r[1] < r[2] or r[3] < r[4]]


def _marked(old: str, new: str) -> list[Segment]:
    """One change, with the white space around it outside the marks, as git shows one: the
    white space after an insertion or deletion, what both sides of a replacement share."""
    if not old.strip() and not new.strip():
        return [(new, False)]  # spacing only: Markdown reads it the same
    if old and new:
        lead = _common(old, new)
        trail = _common(old[len(lead):][::-1], new[len(lead):][::-1])[::-1]
    else:
        around = new or old
        lead, trail = "", around[len(around.rstrip()):]  # (_slid put it at the end)
    gone = old[len(lead):len(old) - len(trail)] if old else ""
    came = new[len(lead):len(new) - len(trail)] if new else ""
    mark = (f"[-{gone}-]" if gone else "") + (f"{{+{came}+}}" if came else "")
    return [(lead, False), (mark, True), (trail, False)]


def _common(a: str, b: str) -> str:
    """The white space both start with."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n] and a[n].isspace():
        n += 1
    return a[:n]
