"""The content stage: section types come from one registry that a project or test extends
without editing briefgen; parsed files are remembered in the Session."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Literal

import pytest

from briefgen.content.models import SECTION_TYPES, Brief, ItemsSection, SectionType
from briefgen.content.project import load_project
from briefgen.errors import BriefError
from briefgen.session import Session

from conftest import VALID, run

BRIEF = "content/briefs/demo/brief.yaml"


class TimelineSection(ItemsSection):
    """Dated milestones, in order: a fifth section type, defined outside briefgen."""

    type: Literal["timeline"]


TIMELINE = SECTION_TYPES.adding(SectionType(TimelineSection))

TIMELINE_TEMPLATE = """\
<section class="section timeline" id="{{ s.id }}" aria-labelledby="{{ s.id }}-heading">
    <h2 id="{{ s.id }}-heading">{{ s.title }}</h2>
    <ol class="milestones">
    {%- for it in s.items %}
      <li id="{{ it.id }}"><h3 id="{{ it.id }}-heading">{{ it.title }}</h3>{{ it.body }}</li>
    {%- endfor %}
    </ol>
  </section>
"""

SECTION = """\
  - id: milestones
    type: {type}
    title: Milestones ahead
    audiences: [officials]
    items:
      - id: m-spring
        title: Spring review
        body: The plan is reviewed in spring.
      - id: m-autumn
        title: Autumn vote
        body: The assembly votes in autumn.
"""


def timeline_project(tmp_path: Path, type_: str = "timeline") -> Path:
    """tests/data/valid with a `timeline` section (officials only, so the Korean translation
    needs nothing more) and the project's own templates/sections/timeline.html.j2."""
    root = tmp_path / "project"
    shutil.copytree(VALID, root)
    brief = root / BRIEF
    text = brief.read_text(encoding="utf-8")
    text = text.replace("sections:\n", "sections:\n" + SECTION.format(type=type_), 1)
    brief.write_text(text, encoding="utf-8")
    (root / "templates/sections").mkdir(parents=True)
    (root / "templates/sections/timeline.html.j2").write_text(TIMELINE_TEMPLATE,
                                                              encoding="utf-8")
    return root


def messages(exc: pytest.ExceptionInfo[BriefError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_briefgen_alone_does_not_know_a_fifth_type(tmp_path: Path) -> None:
    root = timeline_project(tmp_path)
    with pytest.raises(BriefError) as exc:
        load_project(root)
    assert messages(exc) == [
        f"{BRIEF}:32:11: sections[milestones].type: unknown section type 'timeline'; "
        "expected one of prose, tasks, issues, recommendations"]


def test_a_registered_fifth_type_loads_and_builds(tmp_path: Path) -> None:
    from briefgen.build.run import Options, Selection, build

    root = timeline_project(tmp_path)
    project = load_project(root, sections=TIMELINE)
    section = project.briefs["demo"].brief.sections[0]
    assert isinstance(section, TimelineSection) and section.type == "timeline"
    assert [item.id for item in section.items] == ["m-spring", "m-autumn"]
    assert project.sections.get("timeline") == SectionType(TimelineSection)

    build(project, Options(out=root / "build", selection=Selection(formats=("html",))))
    officials = (root / "build/demo/officials/en/demo-officials-en.html").read_text()
    start = officials.index('<section class="section timeline" id="milestones"')
    shown = officials[start:officials.index("</section>", start)]
    assert '<h2 id="milestones-heading">Milestones ahead</h2>' in shown
    assert '<ol class="milestones">' in shown
    assert '<li id="m-spring"><h3 id="m-spring-heading">Spring review</h3>' in shown
    assert "The assembly votes in autumn." in shown
    public = (root / "build/demo/public/en/demo-public-en.html").read_text()
    assert 'id="milestones"' not in public and "Spring review" not in public  # officials only


def test_an_unknown_type_still_gets_did_you_mean(tmp_path: Path) -> None:
    root = timeline_project(tmp_path, "timelin")
    with pytest.raises(BriefError) as exc:
        load_project(root, sections=TIMELINE)
    assert messages(exc) == [
        f"{BRIEF}:32:11: sections[milestones].type: unknown section type 'timelin'; "
        "expected one of prose, tasks, issues, recommendations, timeline "
        "(did you mean 'timeline'?)"]


def test_a_missing_type_lists_the_registered_ones(tmp_path: Path) -> None:
    root = timeline_project(tmp_path)
    brief = root / BRIEF
    brief.write_text(brief.read_text().replace("    type: timeline\n", "", 1))
    with pytest.raises(BriefError) as exc:
        load_project(root, sections=TIMELINE)
    assert messages(exc) == [
        f"{BRIEF}:31:5: sections[milestones]: section needs a type: prose, tasks, issues, "
        "recommendations or timeline"]


def test_registering_a_type_changes_nothing_shared() -> None:
    """No module-level mutation: briefgen's own registry and Brief model stay as they were."""
    assert SECTION_TYPES.names() == ("prose", "tasks", "issues", "recommendations")
    assert TIMELINE.names() == (*SECTION_TYPES.names(), "timeline")
    assert SECTION_TYPES.brief is Brief and TIMELINE.brief is not Brief
    assert TIMELINE.brief is SECTION_TYPES.adding(SectionType(TimelineSection)).brief
    assert Brief.section_types is SECTION_TYPES and TIMELINE.brief.section_types is TIMELINE
    assert [(t.name, t.reference_label) for t in SECTION_TYPES.types] == [
        ("prose", ""), ("tasks", ""), ("issues", "issue_ref"),
        ("recommendations", "recommendation_ref")]


def test_the_session_remembers_parsed_files(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "project"
    shutil.copytree(VALID, root)
    session = Session(root)
    first = load_project(root, session=session)
    assert first.session is session
    assert len(session.documents) == len(list((root / "content").rglob("*.yaml")))
    again = load_project(root, session=session)
    assert again.briefs["demo"].doc.data == first.briefs["demo"].doc.data
    assert load_project(root).session is not session  # each load without one: its own
    session.reset()
    assert session.documents == {}


# -- languages: the theme's catalogs ---------------------------------------------------------

FOURTH = VALID.parent / "fourth-language"


def test_a_project_catalog_is_enough_for_a_language(tmp_path: Path) -> None:
    """tests/data/fourth-language adds Japanese: templates/messages/ja.yaml, an audience, a
    translation and terms that use it. Its catalog alone makes `ja` a language."""
    root = tmp_path / "project"
    shutil.copytree(VALID, root)
    shutil.copytree(FOURTH, root, dirs_exist_ok=True)
    project = load_project(root)
    assert project.audiences["public"].value.languages == ["en", "ja"]
    assert project.briefs["demo"].languages == ["en", "ja", "ko"]
    assert project.editions("demo") == [("officials", "en"), ("public", "en"),
                                        ("public", "ja")]

    (root / "templates/messages/ja.yaml").unlink()  # no catalog: not a language
    with pytest.raises(BriefError) as exc:
        load_project(root)
    not_one = "'ja' is not one of en, ko, zh-Hans"  # as Literal["en", "ko", "zh-Hans"] said
    assert messages(exc) == [
        f"content/audiences/public.yaml:2:17: languages[1]: {not_one}",
        f"content/audiences/public.yaml:5:7: marking.ja.[key]: {not_one}",
        f"content/briefs/demo/references.json:8:23: [test-report].title-glosses.ja.[key]: "
        f"{not_one}",
        f"content/briefs/demo/translations/ja.yaml:1:11: language: {not_one}",
        f"content/terms.yaml:4:7: plan.ja.[key]: {not_one}",
        f"content/terms.yaml:8:7: opcon.ja.[key]: {not_one}"]


def test_the_schema_lists_the_languages_it_is_given() -> None:
    from briefgen.content.models import schema_for

    def enums(kind: str, languages: tuple[str, ...] | None = None) -> list[list[str]]:
        found: list[list[str]] = []

        def walk(node: object) -> None:
            if isinstance(node, dict):
                if "enum" in node and "en" in node["enum"]:
                    found.append(node["enum"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)
        walk(schema_for(kind, languages))
        return found

    assert enums("translation") == [["en", "ko", "zh-Hans"]]
    assert enums("translation", ("en", "ja")) == [["en", "ja"]]
    assert enums("audience", ("en", "ja")) == [["en", "ja"]] * 3  # languages, marking, terms
    assert enums("terms", ("en", "fr", "ja")) == [["en", "fr", "ja"]]


# -- problem codes ---------------------------------------------------------------------------

KO = "content/briefs/demo/translations/ko.yaml"


def codes(exc: pytest.ExceptionInfo[BriefError]) -> list[str]:
    return [p.code for p in exc.value.problems]


def test_allow_incomplete_drops_missing_translations_by_their_code(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(VALID, root)
    ko = root / KO
    ko.write_text(re.sub(r"  issue-c:\n(?:    .*\n|      .*\n)+", "", ko.read_text()))
    with pytest.raises(BriefError) as exc:
        load_project(root)
    assert codes(exc) == ["BG141"]
    assert "issue-c" not in load_project(root, allow_incomplete=True).briefs["demo"] \
        .translations["ko"].value.units
    brief = root / BRIEF
    brief.write_text(brief.read_text().replace("about [[plan]].", "about [[plans]]."))
    with pytest.raises(BriefError) as exc:  # other problems still fail
        load_project(root, allow_incomplete=True)
    assert codes(exc) == ["BG140"]
    assert messages(exc) == [f"{BRIEF}:26:46: takeaways[t-shared].text: unknown term "
                             "'[[plans]]' (did you mean 'plan'?)"]


def test_a_models_own_rules_carry_their_codes(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(VALID, root)
    public = root / "content/audiences/public.yaml"
    public.write_text(public.read_text().replace("forbidden_phrases: [",
                                                 "forbidden_phrases: ['-', "))
    brief = root / BRIEF
    brief.write_text(brief.read_text().replace(
        "    audiences: [officials]\n", "    audiences: [officials]\n    exclude_audiences: []\n",
        1))
    with pytest.raises(BriefError) as exc:
        load_project(root)
    assert [(p.code, p.path) for p in exc.value.problems] == [
        ("BG133", "content/audiences/public.yaml"), ("BG132", BRIEF)]
    assert exc.value.problems[0].message.startswith("the phrase '-' is only spaces, dashes")
    assert exc.value.problems[1].message == \
        "use either audiences or exclude_audiences, not both"


@pytest.mark.parametrize("escape", ["\\x01", "\\x1b", "\\uFFFE", "\\uFFFF", "\\uFDD0",
                                    "\\U0010FFFF", "\\U0001FFFE"])
def test_a_character_no_feed_or_page_may_carry_is_an_error_at_its_value(
        tmp_path: Path, escape: str) -> None:
    # written raw, the YAML reader refuses these (BG106); as an escape they would reach
    # the Atom feed and sitemap, which XML cannot then hold
    root = tmp_path / "p"
    shutil.copytree(Path(__file__).parent / "data/valid", root)
    brief = root / "content/briefs/demo/brief.yaml"
    lines = brief.read_text().split("\n")
    assert lines[0].startswith("title: ")
    lines[0] = f'title: "A Demo {escape} end"'
    brief.write_text("\n".join(lines))
    code = int(escape[2:], 16)
    result = run("check", project=root)
    assert result.exit_code == 1
    assert result.stderr == (
        f"content/briefs/demo/brief.yaml:1:8: character U+{code:04X} is not text: no page, "
        "feed or PDF may carry it (remove the escape that writes it)\n"
        "briefgen: 1 error in 1 file\n")
