"""Which script a language is written in, and where a text holds runs of a script.

A citation formatted in a Korean or Chinese edition mixes two languages: the reference's
data (names, titles, publisher) as published, and what the edition's locale adds (dates,
terms like 검색일 or 页, quotation marks). citations.py marks the reference's parts with the
reference's language by their script, which citeproc's transforms (title case, initials,
sorting, punctuation at the seams) cannot change: `runs` finds them.
"""

from __future__ import annotations

import re
from functools import lru_cache

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
#: the letters of each script a language is told apart by: Korean by Hangul (Hanja in a
#: Korean text breaks its run), Chinese by Han, Japanese by kana and kanji
LETTERS = {
    "Latn": "A-Za-z\u00c0-\u024f\u1e00-\u1eff",
    "Hang": "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff",
    "Hani": _HAN,
    "Kana": "\u3040-\u30ff\u31f0-\u31ff" + _HAN,
}
#: the letters only each script has (kana without the kanji Japanese shares with Chinese):
#: a text holding some is written in that script
OWN_LETTERS = {"Hang": LETTERS["Hang"], "Hani": _HAN, "Kana": "\u3040-\u30ff\u31f0-\u31ff"}
#: a language's script (CLDR's likely script) -> the letters its runs are made of
_BY_SCRIPT = {"Latn": "Latn", "Kore": "Hang", "Hans": "Hani", "Hant": "Hani",
              "Jpan": "Kana"}


@lru_cache(maxsize=64)
def script(lang: str) -> str:
    """The script whose letters tell `lang`'s text apart ('Latn', 'Hang', 'Hani', 'Kana'),
    or '' for a script briefgen does not tell apart (its text is never split out)."""
    parts = lang.split("-")
    explicit = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), "")
    if explicit:
        return _BY_SCRIPT.get(explicit, "")
    from babel.core import get_global

    likely = str(get_global("likely_subtags").get(parts[0].lower(), ""))  # ko_Kore_KR
    found = likely.split("_")
    return _BY_SCRIPT.get(found[1], "") if len(found) > 2 else ""


def overlap(a: str, b: str) -> bool:
    """Whether two scripts share letters (the same script, or Japanese and Chinese)."""
    return a == b or {a, b} == {"Kana", "Hani"}


def runs(text: str, letters: str, stop: re.Pattern[str]) -> list[tuple[int, int]]:
    """Where `text` holds runs of the script `letters` names: from a letter of it to the
    last letter of it before a letter of another script, or a character `stop` matches
    (tags, links), or a bracket it did not open; spaces, digits and punctuation between its
    letters belong to the run, a period closing an initial ('D.C.') too, and the brackets
    closing those it opened ('(INSS)'). As (start, end) offsets; in one pass (a reference's
    text is untrusted: no quadratic work)."""
    own = re.compile(f"[{LETTERS[letters]}]")
    blocked = {i for m in stop.finditer(text) for i in range(m.start(), m.end())}
    out: list[tuple[int, int]] = []
    start = last = -1
    depth: dict[str, int] = {}  # brackets the run opened and has not closed, by opening
    at_last: dict[str, int] = {}  # the same at its last letter
    for i, ch in enumerate(text):
        if i not in blocked and own.match(ch):
            start, last, at_last = (i if start < 0 else start), i, dict(depth)
        elif i in blocked or ch.isalpha() or not ch.isprintable() and not ch.isspace() \
                or start >= 0 and ch in _PAIRS and not depth.get(_PAIRS[ch]):
            if start >= 0:
                out.append((start, _closed(text, last, at_last, blocked)))
            start, depth = -1, {}
        elif start >= 0 and ch in _OPENING:
            depth[ch] = depth.get(ch, 0) + 1
        elif start >= 0 and ch in _PAIRS:
            depth[_PAIRS[ch]] -= 1
    if start >= 0:
        out.append((start, _closed(text, last, at_last, blocked)))
    return out


_PAIRS = {")": "(", "]": "[", "”": "“", "》": "《"}  # not ’: it is an apostrophe too
_OPENING = set(_PAIRS.values())


def _closed(text: str, last: int, depth: dict[str, int], blocked: set[int]) -> int:
    """The end of a run whose last letter is at `last`, with `depth` brackets open there:
    after it, after a period that closes an initial ('U.S.', 'D.C.'), and after the
    brackets that close those the run opened."""
    end = last + 1
    if (last == 0 or not text[last - 1].isalpha()) and text[end:end + 1] == ".":
        end += 1
    depth = dict(depth)
    while end < len(text) and end not in blocked and depth.get(_PAIRS.get(text[end], ""), 0):
        depth[_PAIRS[text[end]]] -= 1
        end += 1
    return end
