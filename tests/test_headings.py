"""Headings written inside a text nest under the title the text sits under (#16): a text's top
heading level shows one level below that title, deeper ones follow; a skipped level or a
level past <h6> is an error at the heading. The same levels reach the PDF's structure tags and
its outline, in every language."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader

from briefgen.content.project import load_project
from briefgen.edition.markdown import Context, Origin, Tables, render
from briefgen.edition.resolve import resolve
from briefgen.errors import Problems
from briefgen.publish.html import WORD_JOINER, join_korean_words

from conftest import run
from test_shipped import EDITIONS, artifact
from tiny import make_project

ORIGIN = Origin("content/briefs/demo/brief.yaml", 38, 7, "sections[background].body", 6)


def rendered(text: str, heading: int = 3, audience: str = "pub") -> tuple[str, list[str]]:
    ctx = Context(audience, ["officials", "pub"], "en", Tables(), Path("."), Path("."),
                  Problems())
    html = render(text, ctx, ORIGIN, heading=heading)
    return html, [f"{p} [{p.code}]" for p in ctx.problems.items]


@pytest.mark.parametrize("text, html", [
    ("# A\n\n## B\n\n### C\n\n## D\n\n# E\n",
     "<h3>A</h3>\n<h4>B</h4>\n<h5>C</h5>\n<h4>D</h4>\n<h3>E</h3>\n"),
    ("## A\n\n### B\n", "<h3>A</h3>\n<h4>B</h4>\n"),  # the top level used, not '#'
    ("#### A\n\n##### B\n\n#### C\n", "<h3>A</h3>\n<h4>B</h4>\n<h3>C</h3>\n"),
    ("A\n===\n\nB\n---\n", "<h3>A</h3>\n<h4>B</h4>\n"),  # setext headings too
    ("> # A\n>\n> ## B\n", "<blockquote>\n<h3>A</h3>\n<h4>B</h4>\n</blockquote>\n"),
])
def test_a_texts_headings_start_below_its_title(text: str, html: str) -> None:
    assert rendered(text) == (html, [])


def test_an_items_text_starts_one_level_lower() -> None:
    assert rendered("# A\n\n## B\n\n### C\n", heading=4) == \
        ("<h4>A</h4>\n<h5>B</h5>\n<h6>C</h6>\n", [])


def test_a_skipped_level_is_an_error_at_the_heading() -> None:
    html, problems = rendered("# Overview\n\nText.\n\n### Costs\n\nMore.\n")
    assert problems == [
        "content/briefs/demo/brief.yaml:42:7: sections[background].body: level-3 heading "
        "'Costs' skips a level: it follows a level-1 heading, so it may be level 2 at most "
        "(write '## Costs', or add a level-2 heading above it) [BG280]"]
    assert html == "<h3>Overview</h3>\n<p>Text.</p>\n<h5>Costs</h5>\n<p>More.</p>\n"


def test_a_first_heading_below_the_texts_top_level_is_an_error() -> None:
    _, problems = rendered("Intro.\n\n   ## Costs\n\n# Overview\n")
    assert problems == [
        "content/briefs/demo/brief.yaml:40:10: sections[background].body: level-2 heading "
        "'Costs' skips a level: it is the text's first heading, so it must be at the text's "
        "top level, 1 (write '# Costs', or add a level-1 heading above it) [BG280]"]


def test_a_skip_only_one_audience_sees_names_the_audience() -> None:
    text = "# A\n\n::: audience officials\n## B\n:::\n\n### C\n"
    assert rendered(text, audience="officials") == ("<h3>A</h3>\n<h4>B</h4>\n<h5>C</h5>\n",
                                                    [])
    _, problems = rendered(text, audience="pub")
    assert problems == [
        "content/briefs/demo/brief.yaml:44:7: sections[background].body: level-3 heading "
        "'C' skips a level: it follows a level-1 heading, so it may be level 2 at most in the "
        "pub edition (write '## C', or add a level-2 heading above it) [BG280]"]


def test_a_heading_past_h6_is_an_error() -> None:
    html, problems = rendered("# A\n\n## B\n\n### C\n\n#### D\n", heading=4)
    assert problems == [
        "content/briefs/demo/brief.yaml:44:7: sections[background].body: level-4 heading "
        "'D' would be <h7>: this text sits under an <h3> title, so it has 3 heading levels "
        "(use fewer levels) [BG281]"]
    assert html.endswith("<h6>C</h6>\n<h6>D</h6>\n")


def outline(reader: PdfReader) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title))
    walk(reader.outline, 0)
    return out


def heading_tags(path: Path) -> list[str]:
    """The structure elements named H1…H6, in reading order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        kids = node.get("/K")
        if isinstance(node, pikepdf.Dictionary) and str(node.get("/S", "")).startswith("/H"):
            found.append(str(node["/S"])[1:])
        if kids is None:
            return
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(kid, pikepdf.Dictionary):
                walk(kid)
    with pikepdf.open(path) as pdf:
        walk(pdf.Root.StructTreeRoot)
    return found


BODY = "# Background\n\nText.\n\n## Detail\n\nMore.\n"
KO_BODY = "# 배경\n\n본문.\n\n## 세부\n\n더.\n"
ITEMS = ("  - id: steps\n    type: tasks\n    title: Steps\n    items:\n"
         "      - id: first\n        title: First step\n        body: |\n"
         "          # How\n\n          Text.\n")
KO_ITEMS = ("  steps:\n    title: 단계\n  first:\n    title: 첫 단계\n    body: |\n"
            "      # 방법\n\n      본문.\n")


def test_html_pdf_structure_and_outline_nest_alike(tmp_path: Path) -> None:
    root = make_project(tmp_path, BODY, KO_BODY)
    brief = root / "content" / "briefs" / "tiny" / "brief.yaml"
    brief.write_text(brief.read_text(encoding="utf-8") + ITEMS, encoding="utf-8")
    ko_yaml = brief.parent / "translations" / "ko.yaml"
    ko_yaml.write_text(ko_yaml.read_text(encoding="utf-8") + KO_ITEMS, encoding="utf-8")
    edition = resolve(load_project(root), "tiny", "pub", "en", "screen", Problems([]))
    assert edition.sections[0].body.html == \
        "<h3>Background</h3>\n<p>Text.</p>\n<h4>Detail</h4>\n<p>More.</p>\n"
    assert edition.sections[1].items[0].body.html == "<h4>How</h4>\n<p>Text.</p>\n"
    result = run("build", "--jobs", "1", "-q", project=root)
    assert result.exit_code == 0, result.output
    out = root / "build" / "tiny" / "pub"
    en, ko = out / "en" / "tiny-pub-en.pdf", out / "ko" / "tiny-pub-ko.pdf"
    assert heading_tags(en) == ["H1", "H2", "H2", "H3", "H4", "H2", "H3", "H4", "H2"]
    assert outline(PdfReader(en)) == [
        (0, "A tiny brief"), (1, "Text"), (2, "Background"), (3, "Detail"), (1, "Steps"),
        (2, "First step"), (3, "How"), (1, "About the author")]
    ko_outline = outline(PdfReader(ko))
    assert [d for d, _ in ko_outline] == [0, 1, 2, 3, 1, 2, 3, 1]
    assert [t for _, t in ko_outline][1:7] == ["본문", "배경", "세부", "단계", "첫 단계", "방법"]
    assert heading_tags(ko) == heading_tags(en)
    html = (out / "ko" / "tiny-pub-ko.html").read_text(encoding="utf-8")
    assert "<h3>배경</h3>" in html.replace("\u2060", "") and "<h4>세부</h4>" in \
        html.replace("\u2060", "")


def test_korean_headings_keep_their_text_as_bookmark_labels() -> None:
    """Word joiners bind Korean words for line breaking (publish/html.py); the outline a
    reader navigates by is the heading's text without them."""
    page = ('<html><head><title>t</title></head><body><h2 id="a"><span class="number">1.'
            '</span> 한미 &amp; 동맹</h2><p>한미 동맹</p><h3>Alliance</h3></body></html>')
    joined = join_korean_words(page)
    assert '<h2 id="a" data-bookmark="1. 한미 &amp; 동맹">' in joined
    assert f"<p>한{WORD_JOINER}미 동{WORD_JOINER}맹</p>" in joined
    assert "<h3>Alliance</h3>" in joined  # nothing joined, nothing to relabel
    assert "[data-bookmark] { bookmark-label: attr(data-bookmark); }" in joined.split(
        "<body")[0]


def test_every_shipped_bookmark_is_a_heading_as_it_reads(shipped_build: Path) -> None:
    for audience, lang in EDITIONS:
        pdf = artifact(shipped_build, audience, lang, "pdf")
        page = artifact(shipped_build, audience, lang, "html").read_text(encoding="utf-8")
        headings = {" ".join(html.unescape(re.sub(r"<[^>]+>", "", h)).split())
                    for h in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", page, re.S)}
        titles = [t for _, t in outline(PdfReader(pdf))]
        assert len(titles) >= 6
        assert not [t for t in titles if WORD_JOINER in t], (audience, lang)
        assert not [t for t in titles if " ".join(t.split()) not in headings], \
            (audience, lang, titles, headings)
