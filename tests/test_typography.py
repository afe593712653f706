"""Typographic quotes next to anything that is not plain text (#16): a term, a cross reference,
a span, a link or a Korean particle gets the same ’ “ ” ‘ ’ as plain text would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefgen.content.project import load_project
from briefgen.edition.i18n import Messages
from briefgen.edition.markdown import Context, Origin, Tables, Term, Where, render
from briefgen.edition.resolve import resolve
from briefgen.errors import Problems
from briefgen.publish.html import render_edition

ORIGIN = Origin("content/briefs/demo/brief.yaml", 38, 7, "sections[background].body", 6)
TERMS = {"rok": Term("ROK", Where("content/terms.yaml", 3)),
         "usfk": Term("주한미군", Where("content/terms.yaml", 5))}
LABELS = {"r1": "Recommendation 1"}


def rendered(text: str, lang: str = "en") -> str:
    ctx = Context("pub", ["pub"], lang, Tables(TERMS, LABELS), Path("."), Path("."),
                  Problems())
    out = render(text, ctx, ORIGIN, inline=True)
    assert not ctx.problems.items
    return out


@pytest.mark.parametrize("text, expected", [
    ("[[rok]]'s ally and Japan's", "ROK’s ally and Japan’s"),
    ("the [[rok]]' view", "the ROK’ view"),
    ('he said "[[rok]]" twice', "he said “ROK” twice"),
    ("he said '[[rok]]' twice", "he said ‘ROK’ twice"),
    ('"[[rok]] first"', "“ROK first”"),
    ('see "[[@r1]]".', 'see “<a href="#r1">Recommendation 1</a>”.'),
    ("[[@r1]]'s cost", '<a href="#r1">Recommendation 1</a>’s cost'),
    ("[Japan]{lang=en}'s and \"[Seoul]{lang=en}\"",
     '<span lang="en">Japan</span>’s and “<span lang="en">Seoul</span>”'),
    ("[Japan](https://example.org/)'s", '<a href="https://example.org/">Japan</a>’s'),
])
def test_quotes_beside_a_term_a_reference_or_a_span_are_typographic(text: str,
                                                                   expected: str) -> None:
    assert rendered(text) == expected


@pytest.mark.parametrize("text, expected", [
    ('"[[usfk]]"의 역할', "“주한미군”의 역할"),
    ("'[[usfk]]'의 역할", "‘주한미군’의 역할"),
    ('"주한미군"의 역할과 "동맹"은', "“주한미군”의 역할과 “동맹”은"),
    ("'동맹'이란", "‘동맹’이란"),
])
def test_a_closing_quote_before_a_korean_particle_is_typographic(text: str,
                                                                 expected: str) -> None:
    assert rendered(text, "ko") == expected


def test_quotes_in_chinese_text_are_typographic() -> None:
    assert rendered('他说"同盟"很重要', "zh-Hans") == "他说“同盟”很重要"


def test_code_keeps_its_straight_quotes() -> None:
    assert rendered('`"x"` and "[[rok]]"') == "<code>&quot;x&quot;</code> and “ROK”"


@pytest.mark.parametrize("text", ["'[[rok]]", "[[rok]]'", '"[[rok]]', "x\"y'z", "('[x]{lang=en}')",
                                  '[[rok]]"의', "'a\n'b"])
def test_no_straight_quote_is_left_in_text(text: str) -> None:
    out = re.sub(r"<[^>]*>", "", rendered(text, "ko"))
    assert "'" not in out and "&quot;" not in out and '"' not in out


REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("audience, lang, joiner", [
    ("beijing-outreach", "zh-Hans", "，"), ("rok-public", "ko", ", "),
    ("us-government", "en", ", ")])
def test_the_byline_joins_name_and_affiliation_with_the_languages_punctuation(
        audience: str, lang: str, joiner: str) -> None:
    edition = resolve(load_project(REPO), "rok-us-alliance-modernization", audience, lang,
                      "print", Problems([]))
    byline = re.search(r'<p class="byline">.*?</p>', render_edition(edition), re.S)
    assert byline is not None
    assert re.search(f'</span>{joiner}<span class="affiliation">', byline[0])
    assert (", " in re.sub(r"<[^>]*>", "", byline[0])) == (lang != "zh-Hans")


@pytest.mark.parametrize("lang, between", [("en", "; "), ("ko", " · "), ("zh-Hans", "；")])
def test_the_catalogs_say_how_a_byline_joins(lang: str, between: str) -> None:
    m = Messages(lang)
    assert m.byline_authors == between
    assert m.byline_affiliation == ("，" if lang == "zh-Hans" else ", ")
