"""The edition stage's seams (#14): the resolver hands the Markdown renderer its tables and
is never called back; the parser lives in the Session; every problem carries its code; the
guard names a leak's sources as typed values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import pytest

from briefgen.content.models import SECTION_TYPES, ItemsSection, SectionType
from briefgen.content.project import load_project
from briefgen.edition import markdown, views
from briefgen.edition.markdown import Context, Origin, Tables, Term, Where, render
from briefgen.edition.resolve import resolve, terms_of
from briefgen.errors import Problems
from briefgen.publish import guard
from briefgen.session import Session

from tiny import BODY_LINE, make_project

ORIGIN = Origin("content/briefs/demo/brief.yaml", 38, 7, "sections[background].body", 6)
BRIEF = "content/briefs/tiny/brief.yaml"


def render_with(text: str, tables: Tables, inline: bool = False) -> tuple[str, Context]:
    ctx = Context("pub", ["officials", "pub"], "en", tables, Path("."), Path("."), Problems())
    return render(text, ctx, ORIGIN, inline=inline), ctx


def test_the_renderer_reads_terms_labels_and_counts_from_its_tables() -> None:
    plan = Term("the joint plan", Where("content/terms.yaml", 2))
    html, ctx = render_with("[[Plan]], [[plan]], [[@rec-b]] <of> [[#recs]].",
                            Tables({"plan": plan}, {"rec-b": "Recommendation <2>"},
                                   {"recs": 3}), inline=True)
    assert html == ('The joint plan, the joint plan, <a href="#rec-b">Recommendation &lt;2&gt;'
                    '</a> &lt;of&gt; 3.')
    assert ctx.used == {"plan": plan}  # what `briefgen explain` lists
    assert ctx.problems.items == []


def test_a_missing_term_or_reference_is_reported_where_it_is_written() -> None:
    html, ctx = render_with("Text.\n\nThe [[alliance]] and [[@rec-z]] and [[#recz]].",
                            Tables(labels={"rec-a": "Recommendation 1"}, counts={"recs": 2}))
    assert html == "<p>Text.</p>\n<p>The [[alliance]] and  and .</p>\n"
    assert [(str(p), p.code) for p in ctx.problems.items] == [
        ("content/briefs/demo/brief.yaml:40:11: sections[background].body: term 'alliance' "
         "has no en text for audience pub (add it under terms: in content/audiences/pub.yaml "
         "or content/terms.yaml)", "BG220"),
        ("content/briefs/demo/brief.yaml:40:28: sections[background].body: '[[@rec-z]]' "
         "refers to 'rec-z', which is not in the pub edition (did you mean 'rec-a'?)",
         "BG221"),
        ("content/briefs/demo/brief.yaml:40:43: sections[background].body: '[[#recz]]' "
         "refers to 'recz', which is not in the pub edition (did you mean 'recs'?)", "BG221")]
    assert ctx.used == {}


def test_the_context_holds_tables_and_no_callable() -> None:
    ctx = Context("pub", ["pub"], "en", Tables(), Path("."), Path("."), Problems())
    assert not [name for name, value in vars(ctx).items() if callable(value)]


def test_an_audience_term_comes_before_the_projects_with_where_it_is_defined(
        tmp_path: Path) -> None:
    root = make_project(tmp_path, "The [[annex]] and the [[plan]].\n")
    (root / "content" / "terms.yaml").write_text(
        "annex:\n  en: appendix\nplan:\n  en: joint plan\n  ko: 공동 계획\n", encoding="utf-8")
    path = root / "content" / "audiences" / "pub.yaml"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["terms"] = {"annex": {"en": "Annex"}}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    project = load_project(root)
    assert terms_of(project, "pub", "en") == {
        "annex": Term("Annex", Where("content/audiences/pub.yaml", 1, 161)),
        "plan": Term("joint plan", Where("content/terms.yaml", 4, 7))}
    assert terms_of(project, "pub", "ko") == {
        "plan": Term("공동 계획", Where("content/terms.yaml", 5, 7))}
    edition = resolve(project, "tiny", "pub", "en", "screen", Problems([]))
    assert edition.sections[0].body.html == "<p>The Annex and the joint plan.</p>\n"
    assert edition.terms == terms_of(project, "pub", "en")


def test_cross_references_print_labels_and_titles(tmp_path: Path) -> None:
    root = make_project(tmp_path, "See [[@main-text]] ([[#main-text]] items).\n")
    edition = resolve(load_project(root), "tiny", "pub", "en", "screen", Problems([]))
    assert edition.sections[0].body.html == \
        '<p>See <a href="#main-text">Text</a> (0 items).</p>\n'
    assert edition.view() is edition.for_templates
    section = next(d for d in edition.decisions if d.id == "main-text")
    assert section == views.Decision("section", "main-text", True, "shown to every audience",
                                     Where(BRIEF, BODY_LINE - 4))


def test_the_parser_is_the_sessions(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    session = Session(root)
    project = load_project(root, session=session)
    first = resolve(project, "tiny", "pub", "en", "screen", Problems([]))
    parser = session.parsers["render"]
    second = resolve(project, "tiny", "officials", "en", "print", Problems([]))
    assert session.parsers == {"render": parser}  # built once, for every edition
    assert first.title.html == second.title.html == "A tiny brief"
    assert not hasattr(markdown, "_MD")  # no parser cache of the module's own


def test_a_text_is_located_the_same_whatever_was_rendered_before() -> None:
    """The line index is made per render: no search state is kept from another one."""
    text = "A.\n\n::: audience nobody\nB.\n:::\n\n::: audience nobody\nC.\n:::\n"
    _, alone = render_with(text, Tables())
    for audience in ("officials", "pub"):
        ctx = Context(audience, ["officials", "pub"], "en", Tables(), Path("."), Path("."),
                      Problems())
        render(text, ctx, ORIGIN)
        assert ctx.problems.items == alone.problems.items
    assert [(p.line, p.col) for p in alone.problems.items] == [(40, 20), (44, 20)]


@pytest.mark.parametrize("text, code", [
    (":::\nx\n", "BG201"),
    ("::: audiences officials\nx\n:::", "BG202"),
    ("::: audience\nx\n:::", "BG203"),
    ("::: audience oficials\nx\n:::", "BG204"),
    ("::: audience officials\nx\n", "BG205"),
    (":: audience officials\nx\n::", "BG206"),
    ("\\::: audience officials\nx", "BG206"),
    ("```\n::: audience officials\n```", "BG207"),
    ('[x]{audience="pub" .note}', "BG208"),
    ('[x]{audiences="pub"}', "BG209"),
    ('[x]{lang="“ko”"}', "BG210"),
    ('Text {audience="pub"} here.', "BG211"),
    ("Text ::: here", "BG211"),
    ('[a [x]{audience="pub"}', "BG212"),
    ("See [^a].\n\n[^a]: One.\n[^a]: Two.", "BG213"),
    ("See [^n3].", "BG214"),
    ("See [report].\n\n::: audience officials\n[report]: https://example.org\n:::", "BG215"),
    ("See [^a].\n\n[^a]: One [^b].\n\n[^b]: Two.", "BG216"),
    ("[x](javascript:alert(1))", "BG230"),
    ("![a map](http://example.org/a.png)", "BG231"),
    ("![a map](file:///etc/passwd)", "BG232"),
    ("![a map](/etc/passwd)", "BG232"),
    ("![a map](../../x.png)", "BG233"),
    ("![a map](missing.png)", "BG234"),
])
def test_each_kind_of_problem_has_its_code(text: str, code: str) -> None:
    _, ctx = render_with(text, Tables())
    assert ctx.problems.items and {p.code for p in ctx.problems.items} == {code}, \
        ctx.problems.items


def test_the_guard_names_sources_as_places_and_codes_its_problems(tmp_path: Path) -> None:
    root = make_project(tmp_path, "The [[annex]] is here.\n")
    path = root / "content" / "audiences" / "pub.yaml"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["terms"] = {"annex": {"en": "Secret Annex"}}
    data["marking"]["en"] = "Secret annex release"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    edition = resolve(load_project(root), "tiny", "pub", "en", "screen", Problems([]))
    assert guard.sources(edition, "secret annex") == [
        guard.Source("content/audiences/pub.yaml", 0, "marking"),
        guard.Source("content/audiences/pub.yaml", 1, "term 'annex'"),
        guard.Source(BRIEF, BODY_LINE)]
    assert guard.sources(edition, "nowhere") == [guard.NOWHERE]
    found = guard.problems(edition, [guard.Leak("secret annex", "HTML")], "x.html")
    assert [(p.path, p.line, p.col, p.code) for p in found] == [
        ("content/audiences/pub.yaml (marking)", 0, 0, "BG350"),
        ("content/audiences/pub.yaml", 1, 1, "BG350"),
        (BRIEF, BODY_LINE, 1, "BG350")]


class TimelineSection(ItemsSection):
    """A section type briefgen does not ship, added through the registry."""

    type: Literal["timeline"]


@pytest.mark.parametrize("label, printed", [("", "Second"),
                                            ("recommendation_ref", "Recommendation 2")])
def test_a_section_types_reference_label_comes_from_the_registry(
        tmp_path: Path, label: str, printed: str) -> None:
    root = make_project(tmp_path, "See [[@m-2]].\n")
    brief = root / "content" / "briefs" / "tiny" / "brief.yaml"
    brief.write_text(brief.read_text(encoding="utf-8") + (
        "  - id: milestones\n    type: timeline\n    title: Milestones\n    items:\n"
        "      - id: m-1\n        title: First\n        body: One.\n"
        "      - id: m-2\n        title: Second\n        body: Two.\n"), encoding="utf-8")
    types = SECTION_TYPES.adding(SectionType(TimelineSection, reference_label=label))
    edition = resolve(load_project(root, sections=types), "tiny", "pub", "en", "screen",
                      Problems([]))
    assert edition.sections[0].body.html == f'<p>See <a href="#m-2">{printed}</a>.</p>\n'
    assert [it.label for it in edition.sections[1].items] == \
        (["First", "Second"] if not label else ["Recommendation 1", "Recommendation 2"])
