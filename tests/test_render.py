"""Rendering: golden HTML of the test project, and the rules behind it.

Regenerate the golden files with: pytest tests/test_render.py --update-golden
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.content.project import load_project
from briefgen.edition.resolve import resolve
from briefgen.errors import Problems
from briefgen.publish.html import render_edition

from conftest import TESTS, VALID

GOLDEN = TESTS / "golden"
EDITIONS = [("officials", "en"), ("public", "en"), ("public", "ko")]


def page(audience: str, lang: str, mode: str = "screen", root: Path = VALID) -> str:
    problems = Problems()
    edition = resolve(load_project(root), "demo", audience, lang, mode, problems)
    assert not problems.errors, problems.errors
    return render_edition(edition, pdf_href=f"demo-{audience}-{lang}.pdf")


@pytest.mark.parametrize(("audience", "lang"), EDITIONS)
def test_golden_html(audience: str, lang: str, update_golden: bool) -> None:
    html = page(audience, lang)
    golden = GOLDEN / f"demo-{audience}-{lang}.html"
    if update_golden:
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8"), \
        "HTML changed; if intended, regenerate: pytest tests/test_render.py --update-golden"


def test_raw_html_is_text_never_markup() -> None:
    html = page("public", "en")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(“x”)&lt;/script&gt;" in html


def test_typography_terms_and_references() -> None:
    html = page("public", "en")
    assert "“Quotes” – and dashes — become typographic." in html
    assert "about the joint plan." in html          # default term
    assert "about the combined plan." in page("officials", "en")  # audience term
    assert "A Demonstration Brief on The joint plan" in html  # [[Plan]] capitalises
    # counts and cross references are computed after filtering
    assert "There are\n1 recommendations" in html
    assert '<a href="#rec-b">Recommendation 1</a>' in html
    assert '<a href="#rec-b">Recommendation 2</a>' in page("officials", "en")


def test_selection_and_numbering_follow_the_audience() -> None:
    public, officials = page("public", "en"), page("officials", "en")
    assert "secret annex" not in public and "secret annex" in officials
    assert "an officials-only span" in officials and "an officials-only span" not in public
    assert "a public-only span" in public and "a public-only span" not in officials
    assert '<span class="ordinal">First, </span>Shared issue' in public
    assert '<span class="ordinal">Second, </span>Shared issue' in officials
    assert "Second task" not in public


def test_section_order_comes_from_the_audience() -> None:
    public = page("public", "en")
    assert public.index('id="outlook"') < public.index('id="background"')
    officials = page("officials", "en")
    assert officials.index('id="background"') < officials.index('id="outlook"')


def test_print_mode_makes_page_footnotes_and_page_rules() -> None:
    html = page("officials", "en", "print")
    assert '<span class="footnote">A footnote on wartime operational control (OPCON).</span>' \
        in html
    assert "@page { size: letter;" in html
    assert '"Page " counter(page) " of " counter(pages)' in html
    assert "size: A4" in page("public", "en", "print")


def test_korean_print_binds_syllables_but_not_head() -> None:
    html = page("public", "ko", "print")
    body = html[html.index("<body"):]
    assert "배\u2060경" in body                      # 배경 joined inside the body
    assert "\u2060" not in html[:html.index("<body")]  # <title> and metadata untouched
    assert "\u2060" not in page("public", "ko", "screen")


def test_print_puts_note_calls_after_closing_punctuation() -> None:
    from briefgen.publish.html import bind_note_punctuation
    assert bind_note_punctuation('组<span class="footnote">注。</span>，未来') == \
        '组，<span class="footnote">注。</span>未来'
    assert bind_note_punctuation('typographic<span class="footnote">n</span>. There') == \
        'typographic.<span class="footnote">n</span> There'
