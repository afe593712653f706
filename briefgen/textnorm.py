"""The guard's one normalisation: text folded to what a reader cannot tell apart.

fold() maps phrases and every surface alike, so a phrase is found when fold(phrase) occurs
in fold(text). Each character folds on its own (every step below is per character), so
fold() is one str.translate over a table filled lazily, one entry per distinct character:

1. Unicode NFKC (full-width, mathematical, circled letters, compatibility jamo, ligatures);
2. the confusable skeleton of Unicode TS #39 (ICU, the reference implementation) and case
   folding, repeated until stable (skeleton first: Greek capital Alpha is "A", but folded
   first it becomes alpha, which is no Latin letter's skeleton); the skeleton decomposes
   Hangul into jamo, consistently on both sides;
3. removed: Default_Ignorable_Code_Point (zero widths, invisible operators, tags, Hangul
   fillers, variation selectors, soft hyphen), Bidi_Control, other format and control
   characters, White_Space, Dash, Quotation_Mark, combining marks, U+2800 BRAILLE PATTERN
   BLANK (a blank glyph with no Unicode property saying so) and U+30FC, the skeleton's
   prototype of long dashes and bars (em dash, horizontal bar, box-drawing line).

The result has no spaces, dashes or quotes: "sec-\\nret annex" and "secret annex" fold alike.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import icu
import regex
from bidi import get_display

_DROP = regex.compile(
    r"[\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\p{Variation_Selector}\p{Cf}\p{Cc}"
    r"\p{White_Space}\p{Dash}\p{Quotation_Mark}\p{Mn}\p{Me}\u2800]")
_LONG_DASH = "\u30fc"  # the skeleton's prototype of em dash, box-drawing line, ㅡ and 一
_RTL = regex.compile(r"[\p{Bidi_Class=R}\p{Bidi_Class=AL}\p{Bidi_Control}]")
_SPOOF = icu.SpoofChecker()


def _fold_char(char: str) -> str:
    if _DROP.match(char):
        return ""
    text = unicodedata.normalize("NFKD", char)
    for _ in range(5):  # stable after three rounds for every character of Unicode 15
        folded = unicodedata.normalize("NFKD", str(_SPOOF.getSkeleton(0, text)).casefold())
        if folded == text:
            break
        text = folded
    if not unicodedata.category(char).startswith("L"):
        text = text.replace(_LONG_DASH, "")
    return str(_DROP.sub("", text))


class _Table(dict[int, str]):
    def __missing__(self, code: int) -> str:
        self[code] = _fold_char(chr(code))
        return self[code]


_TABLE = _Table()


def fold(text: str) -> str:
    """text as the guard compares it: see the module docstring."""
    return text.translate(_TABLE)


def display_order(text: str) -> str:
    """text in the order it is displayed (Unicode bidi algorithm, one paragraph per line),
    so that a right-to-left override writing a phrase backwards reads forwards."""
    return get_display(text) if _RTL.search(text) else text


@lru_cache(maxsize=4096)
def fold_phrase(phrase: str) -> str:
    return fold(phrase)


def find(phrases: list[str], text: str) -> list[str]:
    """The phrases that occur in text, in logical or in display order, once folded."""
    shown = display_order(text)
    variants = [fold(text)] if shown == text else [fold(text), fold(shown)]
    return [p for p in phrases if any(fold_phrase(p) in v for v in variants)]
