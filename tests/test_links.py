"""Every link target is a URL a browser parses the way its author meant (#16): by the WHATWG
URL standard (ada-url) with a valid host, or an error at the link; relative links stay."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import weasyprint

from briefgen import urls
from briefgen.content.project import load_project
from briefgen.edition.markdown import Context, Origin, Tables, render
from briefgen.edition.resolve import resolve
from briefgen.errors import Problems
from briefgen.publish.html import render_edition

from conftest import run
from tiny import make_project

ORIGIN = Origin("content/briefs/demo/brief.yaml", 38, 7, "sections[background].body", 6)


def rendered(text: str) -> tuple[str, list[str]]:
    ctx = Context("pub", ["pub"], "en", Tables(), Path("."), Path("."), Problems())
    html = render(text, ctx, ORIGIN)
    return html, [f"{p} [{p.code}]" for p in ctx.problems.items]


@pytest.mark.parametrize("target, why", [
    ("https://../", "its host '..' is not a domain name (labels of letters, digits and "
                    "hyphens, separated by single dots)"),
    ("https://x..y/", "its host 'x..y' is not a domain name (labels of letters, digits and "
                      "hyphens, separated by single dots)"),
    ("https://a_b.example/", "its host 'a_b.example' is not a domain name (labels of "
                             "letters, digits and hyphens, separated by single dots)"),
    ("http://xn--a/", "its host 'xn--a' is not a domain name (labels of letters, digits and "
                      "hyphens, separated by single dots)"),
    ("http://exa mple.com", "a browser cannot parse it"),
    ("https://[::1", "a browser cannot parse it"),
    ("http://999.1.1.1/", "a browser cannot parse it"),
    ("http:/example.org/", "'http:' is not followed by '//'"),
    ("https://user:pw@example.org/", "it holds a user name or password"),
    ("https://" + "a" * 64 + ".example/", "its host '" + "a" * 64 + ".example' is not a "
     "domain name (labels of letters, digits and hyphens, separated by single dots)"),
])
def test_a_malformed_url_is_refused_with_the_reason(target: str, why: str) -> None:
    assert urls.problem(target) == why


@pytest.mark.parametrize("target", [
    "https://example.org/", "https://example.org./a?b=c#d", "https://例え.jp/",
    "https://xn--r8jz45g.jp/", "https://[::1]/", "http://192.0.2.1:8080/x",
    "https://example.org/a%20b", "mailto:someone@example.org", "relative/page.html",
    "../up.html", "#section", "?q=1", "//example.org/x", "https://-a.example/",
])
def test_a_wellformed_url_or_a_relative_link_passes(target: str) -> None:
    assert urls.problem(target) is None


@pytest.mark.parametrize("text, col", [
    ("See [the plan](https://../) now.", 22),
    ("See [the plan](<http://exa mple.com>) now.", 23),
    ("See [the plan](https://[::1) now.", 22),
    ("See <https://[::1> now.", 12),
])
def test_a_link_to_a_malformed_url_is_an_error_at_the_link(text: str, col: int) -> None:
    html, problems = rendered(text)
    assert len(problems) == 1 and problems[0].startswith(
        f"content/briefs/demo/brief.yaml:38:{col}: sections[background].body: the link to "), \
        problems
    assert problems[0].endswith("[BG242]")
    assert "href" not in html


def test_the_message_names_the_target_as_written() -> None:
    """markdown-it would rewrite 'https://[::1' as 'https://:1%5B:': the message shows what
    the editor wrote."""
    _, problems = rendered("See [the plan](https://[::1) now.")
    assert problems == [
        "content/briefs/demo/brief.yaml:38:22: sections[background].body: the link to "
        "'https://[::1' is not a valid URL: a browser cannot parse it (write the whole "
        "address as a browser shows it, e.g. https://example.org/page) [BG242]"]


def test_the_message_names_the_target_and_the_reason() -> None:
    assert rendered("Text.\n\n[a](https://x..y/)") == ("<p>Text.</p>\n<p>a</p>\n", [
        "content/briefs/demo/brief.yaml:40:11: sections[background].body: the link to "
        "'https://x..y/' is not a valid URL: its host 'x..y' is not a domain name (labels of "
        "letters, digits and hyphens, separated by single dots) (write the whole address "
        "as a browser shows it, e.g. https://example.org/page) [BG242]"])


def test_a_reference_definition_to_a_malformed_url_is_an_error() -> None:
    _, problems = rendered("See [the plan][p].\n\n[p]: https://../\n")
    assert [p.split(": ")[0] for p in problems] == ["content/briefs/demo/brief.yaml:40:12"]
    assert problems[0].endswith("[BG242]")


def test_link_syntax_that_prints_as_text_is_an_error() -> None:
    html, problems = rendered("See [the plan](http://exa mple.com) now.")
    assert problems == [
        "content/briefs/demo/brief.yaml:38:20: sections[background].body: '](' is not part "
        "of a link, so '[the plan](http://exa mple.com)' would print as text (a link's "
        "target has no spaces: write %20 for one, or put the target in <…>; write &#93; for "
        "a literal ]) [BG243]"]


def test_wellformed_and_relative_links_are_kept() -> None:
    assert rendered("[a](https://example.org/x) [b](other.html#s) [c](mailto:a@b.org)") == (
        '<p><a href="https://example.org/x">a</a> <a href="other.html#s">b</a> '
        '<a href="mailto:a@b.org">c</a></p>\n', [])


def test_a_sources_url_that_is_not_valid_is_an_error_at_the_field(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    brief = root / "content" / "briefs" / "tiny" / "brief.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "sections:\n", "sources:\n  - id: plan\n    text: The plan.\n    url: https://../\n"
        "sections:\n"), encoding="utf-8")
    result = run("check", project=root)
    assert result.exit_code == 1
    assert ("content/briefs/tiny/brief.yaml:13:10: sources[plan].url: 'https://../' is not a "
            "valid URL: its host '..' is not a domain name (labels of letters, digits and "
            "hyphens, separated by single dots)") in result.output, result.output


def link_decorations(page: str, media: str) -> dict[str, set[str]]:
    """Each link's text, as WeasyPrint lays the page out for the medium, and the
    decorations (underline, …) its boxes are drawn with."""
    found: dict[str, set[str]] = {}

    def walk(box: Any, link: str | None) -> None:
        if getattr(box, "element_tag", None) == "a" and box.element is not None and \
                box.element.get("href") is not None:
            link = "".join(box.element.itertext()).strip()
            decoration = box.style["text_decoration_line"]
            found.setdefault(link, set()).update(
                decoration if isinstance(decoration, (set, frozenset)) else {decoration})
        for child in getattr(box, "children", []):
            walk(child, link)
    for page_ in weasyprint.HTML(string=page, media_type=media).render().pages:
        walk(page_._page_box, None)
    return found


@pytest.mark.parametrize("mode, media", [("print", "print"), ("screen", "screen"),
                                         ("screen", "print")])
def test_every_link_in_text_is_underlined(tmp_path: Path, mode: str, media: str) -> None:
    """Colour alone does not tell a link from text (WCAG 1.4.1): in the PDF, on screen, and
    when the web page is printed. The PDF's contents list is a list of links and nothing
    else, with leaders to page numbers: it needs no underline."""
    root = make_project(tmp_path, "See [the plan](https://example.org/plan) and "
                        "[[@main-text]].\n")
    edition = resolve(load_project(root), "tiny", "pub", "en", mode, Problems([]))  # type: ignore[arg-type]
    page = render_edition(edition, pdf_href="tiny.pdf" if mode == "screen" else None)
    found = link_decorations(page, media)
    assert {"the plan", "Text"} <= set(found)
    assert not [(text, d) for text, d in found.items() if "underline" not in d], found


def rendered_with_notes(text: str) -> tuple[str, list[str]]:
    ctx = Context("pub", ["pub"], "en", Tables(), Path("."), Path("."), Problems())
    html = render(text, ctx, ORIGIN)
    return html + "".join(n.html for n in ctx.notes), [f"{p} [{p.code}]"
                                                        for p in ctx.problems.items]


@pytest.mark.parametrize("text, link", [
    ("See https://example.org/report.", "https://example.org/report"),
    ("At http://example.org/a?b=c#d, then", "http://example.org/a?b=c#d"),
    ("(https://例え.jp/)", "https://xn--r8jz45g.jp/"),
    ("Write to mailto:someone@example.org today", "mailto:someone@example.org"),
])
def test_a_bare_url_becomes_a_link(text: str, link: str) -> None:
    html, problems = rendered(text)
    assert f'<a href="{link}">' in html and not problems


def test_a_bare_url_in_a_note_becomes_a_link() -> None:
    html, problems = rendered_with_notes("Text.[^1]\n\n[^1]: Online at https://example.org/x.")
    assert 'Online at <a href="https://example.org/x">https://example.org/x</a>.' in html
    assert not problems


@pytest.mark.parametrize("text", [
    "www.example.org", "someone@example.org", "ftp://example.org/file",
    "`https://example.org/`", "//example.org/x", "example.org/page",
])
def test_only_a_url_with_an_allowed_scheme_becomes_a_link(text: str) -> None:
    html, problems = rendered(text)
    assert "<a " not in html and not problems


def test_a_bare_url_obeys_the_rules_of_a_written_link() -> None:
    html, problems = rendered("Log in at https://user:pw@example.org/ now.")
    assert "<a " not in html
    assert problems == ["content/briefs/demo/brief.yaml:38:17: sections[background].body: "
                        "the link to 'https://user:pw@example.org/' is not a valid URL: it "
                        "holds a user name or password (write the whole address as a browser "
                        "shows it, e.g. https://example.org/page) [BG242]"]


def test_a_written_link_and_an_autolink_are_unchanged() -> None:
    html, _ = rendered("[the report](https://example.org/r) and <https://example.org/a>")
    assert html == ('<p><a href="https://example.org/r">the report</a> and '
                    '<a href="https://example.org/a">https://example.org/a</a></p>\n')


# The PDF as drawn: each link annotation and whether a line is stroked under its text.

Matrix = tuple[float, float, float, float, float, float]


def _times(a: Matrix, b: Matrix) -> Matrix:
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


def horizontal_strokes(page: Any) -> list[tuple[float, float, float]]:
    """(x0, x1, y) in user space of each horizontal line the page's content stream strokes
    (WeasyPrint draws an underline as one: draw/border.py draw_line)."""
    import pikepdf

    ctm: Matrix = (1, 0, 0, 1, 0, 0)
    saved: list[Matrix] = []
    path: list[tuple[tuple[float, float], tuple[float, float]]] = []
    at = (0.0, 0.0)
    found = []

    def point(x: Any, y: Any) -> tuple[float, float]:
        x, y = float(x), float(y)
        return ctm[0] * x + ctm[2] * y + ctm[4], ctm[1] * x + ctm[3] * y + ctm[5]
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "q":
            saved.append(ctm)
        elif op == "Q":
            ctm = saved.pop()
        elif op == "cm":
            ctm = _times(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
        elif op == "m":
            at = point(*operands)
        elif op == "l":
            path.append((at, to := point(*operands)))
            at = to
        elif op == "S":
            found += [(min(a[0], b[0]), max(a[0], b[0]), a[1]) for a, b in path
                      if abs(a[1] - b[1]) < 0.01]
            path = []
        elif op in ("n", "f", "F", "f*", "B", "B*", "b", "b*", "s"):
            path = []
    return found


def drawn_links(pdf: bytes) -> list[tuple[int, str, bool]]:
    """(page number, "URI" or "internal", underlined) of each link annotation: underlined if
    a stroked line runs under at least 80% of its width, between the bottom of its box and
    its middle."""
    import io

    import pikepdf

    links = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages, 1):
            lines = horizontal_strokes(page)
            for annot in page.get("/Annots", []):
                if annot.get("/Subtype") != "/Link":
                    continue
                x0, x1 = sorted(float(annot.Rect[i]) for i in (0, 2))
                y0, y1 = sorted(float(annot.Rect[i]) for i in (1, 3))
                under = any(y0 - 1 <= y <= (y0 + y1) / 2
                            and min(x1, right) - max(x0, left) >= 0.8 * (x1 - x0)
                            for left, right, y in lines)
                action = annot.get("/A")
                kind = "URI" if action is not None and action.get("/S") == "/URI" \
                    else "internal"
                links.append((number, kind, under))
    return links


def test_drawn_links_tells_an_underlined_link_from_a_plain_one() -> None:
    page = ('<html><body><p>See <a href="https://example.org/a">one</a> and <a '
            'style="text-decoration: none" href="https://example.org/b">two</a>, and '
            '<a href="#x">three</a>.</p><p id="x" style="border-bottom: 1px solid">x</p>'
            '</body></html>')
    assert drawn_links(weasyprint.HTML(string=page).write_pdf()) == [
        (1, "URI", True), (1, "URI", False), (1, "internal", True)]


@pytest.mark.parametrize("edition", ["us-government/en", "rok-public/en", "rok-public/ko",
                                     "beijing-outreach/en", "beijing-outreach/zh-Hans"])
def test_every_link_in_the_shipped_pdfs_text_is_drawn_underlined(shipped_build: Path,
                                                                  edition: str) -> None:
    """In the PDF as drawn, not as styled: a line under every link (notes, references, body
    text), except the contents list's, which is links only, on the page that says so."""
    from pypdf import PdfReader

    audience, lang = edition.split("/")
    pdf = shipped_build / "rok-us-alliance-modernization" / audience / lang / \
        f"rok-us-alliance-modernization-{audience}-{lang}.pdf"
    links = drawn_links(pdf.read_bytes())
    underlined = [(n, kind) for n, kind, under in links if under]
    plain = [(n, kind) for n, kind, under in links if not under]
    assert sum(kind == "URI" for _n, kind in underlined) >= 5, links
    assert plain, "the contents list is gone, or underlined: change this test"
    [contents] = {n for n, _kind in plain}
    assert {kind for _n, kind in plain} == {"internal"}
    label = {"en": "Contents", "ko": "목차", "zh-Hans": "目录"}[lang]
    assert label.upper() in PdfReader(pdf).pages[contents - 1].extract_text().upper()


@pytest.mark.parametrize("text, misread", [
    # a host a reader could take for another shows as the punycode the link goes to
    ("https://аpple.com/x", True),       # Cyrillic а among Latin letters
    ("<https://gοogle.com/>", True),     # Greek ο, in an autolink
    ("https://аррӏе.com/", True),        # all Cyrillic look-alikes
    ("https://xn--pple-43d.com/", True),  # written as punycode: shown as written
    ("https://한국ア.kr/", True),          # Hangul with Kana: no UTS #39 mix allows it
    # Latin, or Han with Kana or Hangul (UTS #39 "highly restrictive"), shows as written
    ("https://한국.kr/", False),
    ("https://münchen.de/", False),
    ("https://例え.jp/", False),
    ("https://example.org/", False),
])
def test_a_bare_urls_host_shows_as_written_only_when_it_cannot_be_misread(
        text: str, misread: bool) -> None:
    html, problems = rendered(text)
    href = re.search(r'<a href="([^"]+)">([^<]*)</a>', html)
    assert href is not None and not problems
    assert href[1].startswith("https://") and href[1].isascii()
    assert href[2] == (href[1] if misread else text.strip("<>"))
