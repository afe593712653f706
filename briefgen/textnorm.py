"""The guard's one normalisation: text folded to what a reader cannot tell apart.

Phrases and every surface go through the same functions; a phrase is found when one of its
folds occurs in the same fold of the text. Each character folds on its own (every step is
per character), so a fold is one str.translate over a table filled lazily, one entry per
distinct character:

0. a symbol whose Unicode name says it shows a Latin letter or a digit (NEGATIVE SQUARED
   LATIN CAPITAL LETTER S, REGIONAL INDICATOR SYMBOL LETTER S, PARENTHESIZED LATIN SMALL
   LETTER S, DINGBAT NEGATIVE CIRCLED DIGIT ONE) is that letter or digit: many have no
   decomposition, and some decompose with brackets around the letter;
1. Unicode NFKC (full-width, mathematical, circled letters, compatibility jamo, ligatures),
   as its decomposed form NFKD;
2. the confusable skeleton of Unicode TS #39 (ICU, the reference implementation) and case
   folding, repeated until stable; the skeleton decomposes Hangul into jamo, and both sides
   fold alike;
3. removed: Default_Ignorable_Code_Point (zero widths, invisible operators, tags, Hangul
   fillers, variation selectors, soft hyphen), Bidi_Control, other format and control
   characters, White_Space, Dash, Quotation_Mark, combining marks (accents, overlays),
   U+2800 BRAILLE PATTERN BLANK (a blank glyph no Unicode property names), and whatever a
   non-letter's skeleton makes a long dash (U+30FC: box-drawing lines and the like).

Case and look-alikes do not commute, so there are two readings. fold() folds case before
the skeleton (the lower-case reading: "TAIWAN" is "taiwan"); fold_as_written() takes the
skeleton of the characters as written, before folding case (Greek capital Nu is "N", though
its lower case nu looks like "v"; capital I is "l"). A phrase is looked for as written, in
lower and in upper case, in both readings, in logical and in display (bidi) order.

A fold has no spaces, dashes or quotes: "sec-\\nret annex" and "secret annex" fold alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import unquote

import bidi
import icu
import regex
from bidi import get_display

#: What the folds depend on besides this module's code.
DATA = (f"ICU {icu.ICU_VERSION} (Unicode {icu.UNICODE_VERSION}), unicodedata "
        f"{unicodedata.unidata_version}, regex {regex.__version__}, python-bidi {bidi.VERSION}")

_DROP = regex.compile(
    r"[\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\p{Variation_Selector}\p{Cf}\p{Cc}"
    r"\p{White_Space}\p{Dash}\p{Quotation_Mark}\p{Mn}\p{Me}\u2800]")
_LONG_DASH = "\u30fc"  # the skeleton's prototype of em dash, box-drawing line, ㅡ and 一
_RTL = regex.compile(r"[\p{Bidi_Class=R}\p{Bidi_Class=AL}\p{Bidi_Control}]")
# The module's state is memos of pure functions, the same whatever was asked before: the
# ICU checker (it keeps nothing between calls), each character's fold (_Table) and each
# phrase's needles. They depend on DATA alone, so nothing needs resetting while a process
# runs (the mutation tests empty them to record which test builds them).
_SPOOF = icu.SpoofChecker()


#: a symbol that is a Latin letter or a digit in a box, a circle or a flag, by its Unicode
#: name, where no decomposition says so (🆂, 🅢, 🇸 regional indicators, ⒮ parenthesized)
_DIGITS = "ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE".split()
_NAMED = regex.compile(r"(?:LATIN (CAPITAL|SMALL) LETTER|REGIONAL INDICATOR SYMBOL LETTER) "
                       rf"([A-Z])$|DIGIT ({'|'.join(_DIGITS)})$")


def _named_letter(char: str) -> str:
    """The ASCII letter or digit a symbol's name says it shows (its decomposition, if any,
    may hold brackets around it: ⒮ is "(s)"); else the character itself."""
    if char.isascii() or unicodedata.category(char) in ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd"):
        return char  # a letter or digit of its own script (Myanmar ၁ is a one, not a 1)
    found = _NAMED.search(unicodedata.name(char, ""))
    if found is None:
        return char
    if found[3]:
        return str(_DIGITS.index(found[3]))
    return str(found[2]).lower() if found[1] == "SMALL" else str(found[2])


def _fold_char(char: str, as_written: bool = False) -> str:
    if _DROP.match(char):
        return ""
    char = _named_letter(char)
    text = unicodedata.normalize("NFKD", char)
    if not as_written:
        text = unicodedata.normalize("NFKD", text.casefold())
    for _ in range(5):  # stable after three rounds for every character of Unicode 15
        folded = unicodedata.normalize("NFKD", str(_SPOOF.getSkeleton(0, text)).casefold())
        if folded == text:
            break
        text = folded
    if not unicodedata.category(char).startswith("L"):
        text = text.replace(_LONG_DASH, "")
    return str(_DROP.sub("", text))


class _Table(dict[int, str]):
    """The folds of characters, each computed the first time it is met (str.translate)."""

    def __init__(self, as_written: bool) -> None:
        super().__init__()
        self.as_written = as_written

    def __missing__(self, code: int) -> str:
        self[code] = _fold_char(chr(code), self.as_written)
        return self[code]


_LOWERED, _AS_WRITTEN = _Table(as_written=False), _Table(as_written=True)


def fold(text: str) -> str:
    """text as the guard compares it, in the lower-case reading (module docstring)."""
    return text.translate(_LOWERED)


def fold_as_written(text: str) -> str:
    """text as the guard compares it, in the as-written reading (module docstring)."""
    return text.translate(_AS_WRITTEN)


READINGS: tuple[Callable[[str], str], ...] = (fold, fold_as_written)


def display_order(text: str) -> str:
    """text in the order it is displayed (Unicode bidi algorithm, one paragraph per line),
    so that a right-to-left override writing a phrase backwards reads forwards."""
    return get_display(text) if _RTL.search(text) else text


@lru_cache(maxsize=4096)
def needles(phrase: str) -> tuple[tuple[str, ...], ...]:
    """For each reading, the folds to look for: of the phrase as written, in lower and in
    upper case, each in logical and in display order."""
    forms = dict.fromkeys(f for case in (phrase, phrase.lower(), phrase.upper())
                          for f in (case, display_order(case)))
    return tuple(tuple(dict.fromkeys(read(f) for f in forms)) for read in READINGS)


def haystacks(text: str) -> tuple[tuple[str, ...], ...]:
    """For each reading, the folds of text in logical and (if it differs) display order."""
    shown = display_order(text)
    texts = (text,) if shown == text else (text, shown)
    return tuple(tuple(read(t) for t in texts) for read in READINGS)


def occurs(phrase: str, stacks: tuple[tuple[str, ...], ...]) -> bool:
    return any(needle in hay for folds, hays in zip(needles(phrase), stacks, strict=True)
               for needle in folds for hay in hays)


def find(phrases: list[str], text: str) -> list[str]:
    """The phrases that occur in text, by the guard's rules; in an address, also as a
    browser shows it, percent-decoded (secret%20annex reads "secret annex")."""
    stacks = haystacks(text)
    decoded = haystacks(unquote(text)) if "%" in text else None
    return [p for p in phrases
            if occurs(p, stacks) or (decoded is not None and occurs(p, decoded))]
