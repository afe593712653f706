"""A term written out: a translation field with a term's words where its source has [[key]].

The check looks only at the keys the source field uses more often than the translation
does, so prose that merely mentions Korea is never a hit, and searches for the words those
terms print: each one's text in the translation's language for every audience reading it,
and its texts in the source's language. Latin-script words match at word boundaries, case
ignored; Hangul words at the start of a word (a particle may follow); Han and Kana words
anywhere. Text in code spans, URLs, link targets, attribute braces, ::: lines and [[...]]
or [@...] itself is never searched. Where words of two terms overlap, the longest wins.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from briefgen.content.syntax import TERM

_CJK = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af"
                  r"\uf900-\ufaff]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LATIN_WORD = r"0-9A-Za-z\u00c0-\u024f"
# what is never the words of a term: `code`, URLs, (link targets), {attributes}, ::: lines,
# [[terms]], [@citations], [^notes]
_HIDDEN = re.compile(r"`+[^`]*`+|https?://\S+|\]\([^)]*\)|\{[^}\n]*\}|^[ \t]*:::.*$"
                     r"|\[\[[^\]]*\]\]|\[[@^][^\]]*\]", re.MULTILINE)


@dataclass(frozen=True)
class Hit:
    key: str
    words: str  # as the translation writes them
    offset: int


def term_keys(text: str) -> Counter[str]:
    """How often a text uses each term ([[key]] and [[Key]]; not [[#id]] or [[@id]])."""
    return Counter(m.group(1).lower() for m in TERM.finditer(text)
                   if not m.group(1).startswith(("#", "@")))


def _pattern(words: str) -> re.Pattern[str]:
    body = re.escape(words)
    if _HANGUL.match(words):
        return re.compile(r"(?<![\u1100-\u11ff\u3130-\u318f\uac00-\ud7af])" + body)
    if _CJK.match(words):
        return re.compile(body)
    tail = "" if _CJK.search(words[-1:]) else rf"(?![{_LATIN_WORD}])"
    return re.compile(rf"(?<![{_LATIN_WORD}])" + body + tail, re.IGNORECASE)


def written_out(source: str, translated: str, words: dict[str, set[str]]) -> list[Hit]:
    """Where `translated` writes the words (`words`: key -> texts) of a term its source uses
    as [[key]] more often than it does; sorted by offset, no two overlapping."""
    want, have = term_keys(source), term_keys(translated)
    keys = sorted(k for k, n in want.items() if n > have.get(k, 0) and words.get(k))
    if not keys:
        return []
    masked = _HIDDEN.sub(lambda m: " " * len(m.group(0)), translated)
    found = [(m.start(), m.end(), key) for key in keys for text in sorted(words[key])
             if text.strip() for m in _pattern(text).finditer(masked)]
    hits: list[Hit] = []
    end = -1
    for start, stop, key in sorted(found, key=lambda f: (f[0], -f[1], f[2])):
        if start >= end:
            hits.append(Hit(key, translated[start:stop], start))
            end = stop
    return hits
