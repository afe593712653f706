"""The guard's normalisation (briefgen.textnorm) and what it reads from an HTML page."""

from __future__ import annotations

import unicodedata

import icu
import pytest
import regex
from pydantic import ValidationError

from briefgen.content.models import Audience
from briefgen.publish.guard import visible_html_text
from briefgen.textnorm import _fold_char, display_order, find, fold, fold_as_written

PHRASE = "secret annex"


def hidden(phrase: str, text: str) -> bool:
    return find([phrase], text) == [phrase]


def between(char: str, text: str = "the secret annex follows") -> str:
    """char inside a word and between the words of the phrase."""
    return text.replace("sec", f"sec{char}").replace(" annex", f"{char}annex")


# -- each trick of issue 12, and others of the same kind --------------------------------------

INVISIBLE = {
    # quoted in the issue
    "invisible times": "\u2062", "function application": "\u2061",
    "left-to-right mark": "\u200e", "right-to-left mark": "\u200f",
    "combining grapheme joiner": "\u034f", "Mongolian vowel separator": "\u180e",
    "variation selector 16": "\ufe0f",
    # others of the same classes (Default_Ignorable, Bidi_Control, format characters)
    "zero width space": "\u200b", "zero width joiner": "\u200d", "word joiner": "\u2060",
    "invisible separator": "\u2063", "invisible plus": "\u2064", "byte order mark": "\ufeff",
    "soft hyphen": "\u00ad", "Arabic letter mark": "\u061c",
    "variation selector 17": "\U000e0100", "Mongolian free variation selector": "\u180b",
    "Khmer inherent vowel": "\u17b4", "musical begin beam": "\U0001d173",
    "shorthand format letter overlap": "\U0001bca0", "interlinear annotation anchor": "\ufff9",
    "left-to-right embedding": "\u202a", "pop directional formatting": "\u202c",
    "first strong isolate": "\u2068", "Hangul choseong filler": "\u115f",
    "Hangul jungseong filler": "\u1160", "halfwidth Hangul filler": "\uffa0",
    "delete (a control character)": "\x7f",
}


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_characters_hide_nothing(char: str) -> None:
    assert hidden(PHRASE, between(char))
    assert hidden(PHRASE, between(char * 3))


def test_tag_characters_hide_nothing() -> None:
    tags = "".join(chr(0xE0000 + ord(c)) for c in "hidden text") + "\U000e007f"
    assert hidden(PHRASE, between(tags))
    assert hidden(PHRASE, between("\U000e0020"))


def test_bidi_isolates_hide_nothing() -> None:
    for char in "\u2066\u2067\u2068\u2069":
        assert hidden(PHRASE, between(char))
    assert hidden(PHRASE, "the \u2067secret\u2069 \u2066annex\u2069")


def test_right_to_left_override_writing_the_phrase_backwards_is_caught() -> None:
    text = "see the \u202exenna terces\u202c now"
    assert fold(PHRASE) not in fold(text)  # backwards in the file ...
    assert "secret annex" in display_order(text)  # ... forwards on the screen
    assert hidden(PHRASE, text)
    assert hidden(PHRASE, "see the \u202etercesxenna \u202c now") is False
    # a right-to-left phrase forced into left-to-right display by an LRO, too
    assert hidden("שלום עולם", "x \u202dםלוע םולש\u202c y")
    assert hidden("שלום עולם", "כתוב: שלום עולם.")


def test_display_order_leaves_left_to_right_text_alone() -> None:
    text = "Plain text, (brackets) and 한국어 and 中文."
    assert display_order(text) is text


def test_decomposed_hangul_matches_composed() -> None:
    phrase = "동맹 현대화"
    assert hidden(phrase, unicodedata.normalize("NFD", "한미 동맹 현대화의 과제"))
    assert hidden(unicodedata.normalize("NFD", phrase), "한미 동맹 현대화의 과제")
    # compatibility jamo and half-width jamo are the same letters too
    assert fold("ㄱ") == fold("\u1100") == fold("\uffa1")
    assert not hidden(phrase, "한미 동맹 현황")


COMPATIBLE = {
    "full-width": "ｓｅｃｒｅｔ　ａｎｎｅｘ",
    "mathematical bold": "𝐬𝐞𝐜𝐫𝐞𝐭 𝐚𝐧𝐧𝐞𝐱",
    "mathematical double-struck": "𝕤𝕖𝕔𝕣𝕖𝕥 𝕒𝕟𝕟𝕖𝕩",
    "mathematical sans-serif bold italic": "𝙨𝙚𝙘𝙧𝙚𝙩 𝙖𝙣𝙣𝙚𝙭",
    "circled": "ⓢⓔⓒⓡⓔⓣ ⓐⓝⓝⓔⓧ",
    "upper case": "SECRET ANNEX",
    "Cyrillic": "ѕесrеt аnnех",
    "Cyrillic capitals": "ЅЕСRЕТ АNNЕХ",
    "Greek capitals": "SΕCRΕΤ ΑΝΝΕΧ",
    "Cherokee and Lisu": "\u13daEC\ua4e3E\u13a2 ANNEX",
    "Latin small capitals": "\ua731e\u1d04ret annex",
    # found by an attack on charts: none of these decomposes to its letter
    "negative squared": "🆂🅴🅲🆁🅴🆃 🅰🅽🅽🅴🆇",
    "negative circled": "🅢🅔🅒🅡🅔🅣 🅐🅝🅝🅔🅧",
    "regional indicators": "🇸🇪🇨🇷🇪🇹 🇦🇳🇳🇪🇽",
    "parenthesized": "⒮⒠⒞⒭⒠⒯ ⒜⒩⒩⒠⒳",
    "parenthesized capitals": "🄢🄔🄒🄡🄔🄣 🄐🄝🄝🄔🄧",
}


@pytest.mark.parametrize("text", COMPATIBLE.values(), ids=COMPATIBLE.keys())
def test_look_alike_letters_are_caught(text: str) -> None:
    assert hidden(PHRASE, text), fold(text)


def test_look_alike_digits_and_capitals() -> None:
    assert hidden("alliance", "the aI1iance")  # capital I, digit one
    assert hidden("taiwan", "TA\u0399WAN")  # Greek capital iota
    assert hidden("oil", "0IL")
    # a Greek capital among Latin capitals: the phrase is also looked for in upper case ...
    assert hidden("taiwan", "\u03a4AIWAN")
    # ... and in lower case
    assert hidden("TAIWAN", "\u03a4aiwan")


def test_look_alikes_in_the_phrase_match_plain_text() -> None:
    assert hidden("ѕесrеt аnnех", "the secret annex")
    assert hidden("ＴＡＩＷＡＮ", "Taiwan")
    assert hidden("Ταiwan", "TAIWAN")


SPACES = {
    # quoted in the issue
    "Hangul filler": "\u3164", "braille blank": "\u2800",
    # others: every White_Space character, and none at all
    "no-break space": "\u00a0", "figure space": "\u2007", "narrow no-break space": "\u202f",
    "thin space": "\u2009", "hair space": "\u200a", "ideographic space": "\u3000",
    "Ogham space mark": "\u1680", "medium mathematical space": "\u205f",
    "line separator": "\u2028", "paragraph separator": "\u2029", "tab": "\t",
    "newline and indent": "\n    ", "no space": "",
}


@pytest.mark.parametrize("char", SPACES.values(), ids=SPACES.keys())
def test_space_look_alikes_between_words(char: str) -> None:
    assert hidden(PHRASE, f"the secret{char}annex")


DASHES = {
    # quoted in the issue
    "figure dash": "\u2012", "minus sign": "\u2212", "horizontal bar": "\u2015",
    "small hyphen-minus": "\ufe63", "full-width hyphen-minus": "\uff0d",
    "hyphen bullet": "\u2043",
    # others: Dash characters, and what the skeleton maps to a dash
    "hyphen": "\u2010", "non-breaking hyphen": "\u2011", "en dash": "\u2013",
    "em dash": "\u2014", "two-em dash": "\u2e3a", "double oblique hyphen": "\u2e17",
    "Armenian hyphen": "\u058a", "Hebrew maqaf": "\u05be", "Mongolian todo hyphen": "\u1806",
    "katakana double hyphen": "\u30a0", "modifier minus": "\u02d7",
    "heavy minus sign": "\u2796", "box drawing horizontal": "\u2500",
    "superscript minus": "\u207b", "wave dash": "\u301c",
}


@pytest.mark.parametrize("char", DASHES.values(), ids=DASHES.keys())
def test_dash_look_alikes_inside_and_between_words(char: str) -> None:
    assert hidden(PHRASE, between(char))
    assert hidden("cost-sharing", f"cost{char}sharing")
    assert hidden("modernization", f"modern{char}\nization")


def test_soft_hyphen_and_line_end_hyphenation() -> None:
    assert hidden("modernization", "modern\u00ad\nization")
    assert hidden("modernization", "modern-\n   ization")
    assert hidden("cost-sharing", "cost sharing")


def test_combining_marks_and_accents_hide_nothing() -> None:
    assert hidden(PHRASE, "s\u0336e\u0336c\u0336r\u0336e\u0336t\u0336 annex")  # struck through
    assert hidden(PHRASE, "sécrèt ånnêx")
    assert hidden(PHRASE, "se\u0301cret annex")
    assert hidden(PHRASE, "s\u20ddecret annex")  # enclosing circle


def test_quotes_ligatures_and_case() -> None:
    assert hidden("don't tell", "don’t tell")
    assert hidden("the “plan”", 'The "Plan"')
    assert hidden('the "plan"', "the «plan»")
    assert hidden('the "plan"', "the 「plan」")
    assert hidden("classified", "CLASSIﬁED")
    assert hidden("straße", "STRASSE")


def test_cjk_phrases_across_lines_and_widths() -> None:
    assert hidden("台湾", "台\n湾")
    assert hidden("台湾", "台\u200b湾")
    assert hidden("동맹 현대화", "동맹\n현대화")
    assert hidden("동맹 현대화", "동맹\u3164현대화")


@pytest.mark.parametrize("phrase, text", [
    (PHRASE, "the secretary annexed the file"),
    (PHRASE, "a secret of the annex"),
    ("taiwan", "Thailand"),
    ("alliance modernization", "alliance modernity"),
    ("台湾", "台北和湾区"),
    ("동맹 현대화", "동맹 현황"),
    ("cost-sharing", "cost and sharing"),
])
def test_ordinary_text_without_the_phrase_is_not_flagged(phrase: str, text: str) -> None:
    assert find([phrase], text) == []


def test_find_returns_the_phrases_as_written() -> None:
    assert find(["Secret Annex", "taiwan", "nothing"], "the SECRET ANNEX on Taiwan") == [
        "Secret Annex", "taiwan"]


# -- properties over all of Unicode ------------------------------------------------------------

def test_every_symbol_named_for_a_latin_letter_or_digit_folds_as_it() -> None:
    """The class behind the quoted attack (🆂, 🇸, ⒮): every visible character whose Unicode
    name says it shows a Latin letter or a digit folds as that letter or digit does."""
    named = regex.compile(r"(?:LATIN (CAPITAL|SMALL) LETTER|REGIONAL INDICATOR SYMBOL "
                          r"LETTER) ([A-Z])$|DIGIT (ZERO|ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|"
                          r"EIGHT|NINE)$")
    digits = "ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE".split()
    wrong, seen = [], 0
    for code in range(0x80, 0x110000):
        char = chr(code)
        found = named.search(unicodedata.name(char, ""))
        if found is None or not fold(char) or unicodedata.category(char) in (
                "Lu", "Ll", "Lt", "Lm", "Lo", "Nd"):  # invisible ones (tags) fold to "";
            continue  # letters and digits of their own (fullwidth, Myanmar) fold on their own
        seen += 1
        shown = (str(digits.index(found[3])) if found[3] else
                 found[2].lower() if found[1] == "SMALL" else found[2])
        if fold(char) != fold(shown):
            wrong.append(f"U+{code:04X} {unicodedata.name(char)}: {fold(char)!r}")
    assert seen > 300 and not wrong, (seen, wrong[:20])


def test_fold_over_every_code_point() -> None:
    """In both readings, for every character: folding is idempotent; what Unicode calls
    invisible, space, dash or quote folds to nothing, and so does every non-letter that
    TS #39 says looks like a dash or a space; and the lower-case reading ignores case."""
    drop = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\p{White_Space}"
                         r"\p{Dash}\p{Quotation_Mark}\p{Variation_Selector}]")
    dashlike = regex.compile(r"[-\s\u30fc]+")
    skeleton = icu.SpoofChecker().getSkeleton
    wrong = []
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        if category in ("Cs", "Co", "Cn") and not drop.match(char):
            continue  # surrogates, private use, unassigned (but for reserved invisibles)
        for as_written, read in ((False, fold), (True, fold_as_written)):
            folded = _fold_char(char, as_written)
            if read(folded) != folded or (folded and drop.match(char)) or (
                    folded and category[0] != "L" and dashlike.fullmatch(skeleton(0, char))
                    ) or (category[0] == "L" and not as_written
                          and folded != read(char.upper())):
                wrong.append(f"U+{code:04X} -> {folded!r} ({as_written=})")
    assert not wrong, wrong[:20]


def test_fold_is_one_pass_per_character() -> None:
    text = "Sécret ＡＮＮＥＸ 동맹 — 台湾\u200b " * 3
    assert fold(text) == "".join(fold(c) for c in text)


# -- forbidden phrases that fold to nothing ----------------------------------------------------

@pytest.mark.parametrize("phrase", [" ", "\u200b", "-", "\u3164", "— –", '""', "\u00ad"])
def test_a_phrase_that_folds_to_nothing_is_refused(phrase: str) -> None:
    with pytest.raises(ValidationError, match="only spaces, dashes, quotes or invisible"):
        Audience(name="A", languages=["en"], marking={"en": "M"},
                 forbidden_phrases=["fine", phrase])


def test_odd_but_foldable_phrases_are_accepted() -> None:
    audience = Audience(name="A", languages=["en"], marking={"en": "M"},
                        forbidden_phrases=["x-y", " secret ", "!!", "一"])
    assert audience.forbidden_phrases == ["x-y", " secret ", "!!", "一"]


# -- what the guard reads from a page ----------------------------------------------------------

def test_inline_elements_join_as_text() -> None:
    text = visible_html_text("<p><em>sec</em>ret <code>an</code>nex <a href='#x'>a</a>b</p>"
                             "<p>next</p>")
    assert "secret annex ab" in text
    assert "ab\n" in text and "\nnext" in text  # blocks are lines


@pytest.mark.parametrize("tag", [
    '<meta name="keywords" content="secret annex">',
    '<img alt="secret annex" src="data:image/png;base64,AAAA">',
    '<span aria-label="secret annex">x</span>',
    '<div aria-description="secret annex"></div>',
    '<div data-note="secret annex"></div>',
    '<input value="secret annex">',
    '<abbr title="secret annex">SA</abbr>',
    '<a href="https://example.org/secret-annex">x</a>',
    '<p style="--x: &quot;secret annex&quot;">x</p>',
    "<style>@page { @top-left { content: \"secret annex\"; } }</style>",
    '<style>p::before { content: "\\73 ecret \\61nnex" }</style>',
    "<title>Secret Annex</title>",
    "<bdo dir='rtl'>xenna terces</bdo>",
])
def test_every_surface_of_a_page_is_read(tag: str) -> None:
    page = f"<!DOCTYPE html><html><head>{tag}</head><body><p>Text</p></body></html>"
    assert hidden(PHRASE, visible_html_text(page)), visible_html_text(page)


@pytest.mark.parametrize("tag", [
    '<img alt="" src="data:text/plain,secret%20annex">',
    '<a href="secret-annex.pdf">PDF</a>',  # a link between the build's own files
    "<script>var x = 'secret annex';</script>",
    '<style>@font-face { src: url("data:font/woff2,secret annex") }</style>',
])
def test_what_is_not_text(tag: str) -> None:
    page = f"<!DOCTYPE html><html><head></head><body>{tag}<p>Text</p></body></html>"
    assert not hidden(PHRASE, visible_html_text(page))
