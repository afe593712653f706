"""Audience tailoring: selection, terms, numbering, the leak guard, explain and diff."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.content.project import load_project
from briefgen.edition.resolve import resolve
from briefgen.errors import BriefError, Problems
from briefgen.publish.guard import normalize
from briefgen.publish.html import render_edition

from conftest import REPO, VALID, run
from test_shipped import SLUG, artifact, pdf_text

BRIEF = "content/briefs/demo/brief.yaml"


def edit(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# -- the shipped brief really is tailored ------------------------------------------------


def test_us_government_gets_the_full_analysis(shipped_build: Path) -> None:
    text = pdf_text(artifact(shipped_build, "us-government", "en", "pdf"))
    flat = " ".join(text.split())
    for phrase in ("Taiwan", "South China Sea", "cost-sharing", "strategic flexibility",
                   "alliance modernization"):
        assert phrase in flat, phrase


def test_rok_public_leads_with_opcon_and_never_says_alliance_modernization(
        shipped_build: Path) -> None:
    for fmt in ("html", "pdf"):
        path = artifact(shipped_build, "rok-public", "en", fmt)
        text = pdf_text(path) if fmt == "pdf" else path.read_text()
        flat = " ".join(text.split()).lower()
        assert "alliance modernization" not in flat
        assert "upgraded alliance vision" in flat
    html = artifact(shipped_build, "rok-public", "en", "html").read_text()
    sections = re.findall(r'<section class="section \w+" id="([\w-]+)"', html)
    assert sections[0] == "opcon-first"
    ko = pdf_text(artifact(shipped_build, "rok-public", "ko", "pdf"))
    assert "동맹 현대화" not in ko


def test_beijing_outreach_has_no_countering_china_or_taiwan(shipped_build: Path) -> None:
    for lang in ("en", "zh-Hans"):
        for fmt in ("html", "pdf"):
            path = artifact(shipped_build, "beijing-outreach", lang, fmt)
            text = pdf_text(path) if fmt == "pdf" else path.read_text()
            flat = " ".join(text.split()).lower()
            for phrase in ("countering china", "taiwan", "south china sea", "台湾", "南海"):
                assert phrase not in flat, (path.name, phrase)
    en = " ".join(pdf_text(artifact(shipped_build, "beijing-outreach", "en", "pdf")).split())
    assert "transparen" in en and "peace" in en


def test_us_only_block_reaches_no_other_audience(shipped_build: Path) -> None:
    marker = "burden-sharing implications deserve care"
    assert marker in artifact(shipped_build, "us-government", "en", "html").read_text()
    for path in shipped_build.rglob("*"):
        if path.is_file() and "/us-government/" not in str(path):
            data = pdf_text(path) if path.suffix == ".pdf" else path.read_text()
            assert marker not in " ".join(data.split()), path


def test_us_only_table_reaches_no_other_audience_and_numbers_count_only_what_is_shown(
        shipped_build: Path) -> None:
    """The table of #15's shipped brief read only by us-government: its caption, its cells
    and its id reach no other edition's HTML or PDF, and the tables each edition shows are
    numbered 1, 2, … without a gap where it was left out."""
    marks = ["One possible order of work", "an early settlement builds trust", "tbl-sequence"]
    page = artifact(shipped_build, "us-government", "en", "html").read_text()
    assert all(m in page for m in marks)
    assert re.findall(r'caption-label">Table (\d+)<', page) == ["1", "2"]  # and Figure 1
    assert '<a href="#tbl-sequence">Table 2</a> sketches' in page
    pdf = " ".join(pdf_text(artifact(shipped_build, "us-government", "en", "pdf")).split())
    assert "Table 2 One possible order of work" in pdf
    others = [p for p in shipped_build.rglob("*.*") if "/us-government/" not in str(p)
              and p.suffix in (".html", ".pdf")]
    assert len([p for p in others if p.name.startswith(SLUG)]) == 8  # and the index pages
    for path in others:
        data = pdf_text(path) if path.suffix == ".pdf" else path.read_text()
        flat = " ".join(data.split())
        assert not [m for m in marks if m in flat], path
        if path.suffix == ".html" and path.name.startswith(SLUG):
            tables = re.findall(r'<figure class="table" id="[^"]+">\n<figcaption[^>]*>'
                                r'<span class="caption-label">([^<]*)<', data)
            assert len(tables) == 1 and tables[0].endswith("1"), (path, tables)


# -- the leak guard -----------------------------------------------------------------------


def test_forbidden_shared_phrase_fails_the_build_and_writes_nothing(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(REPO / "content", project / "content")
    first = run("build", "--jobs", "1", project=project)
    assert first.exit_code == 0, first.output
    before = {p: p.read_bytes() for p in (project / "build").rglob("*") if p.is_file()}
    # "combined defense posture" is in the shared introduction
    edit(project, "content/audiences/rok-public.yaml", "  - 동맹 현대화",
         "  - 동맹 현대화\n  - Combined Defense Posture")
    brief = project / "content/briefs" / SLUG / "brief.yaml"
    result = run("build", "--jobs", "1", project=project)
    assert result.exit_code == 1
    lines = brief.read_text().splitlines()
    reported = re.findall(rf"^{re.escape(str(brief.relative_to(project)))}:(\d+):1: forbidden "
                          rf"phrase 'Combined Defense Posture' for audience rok-public appears "
                          rf"in {SLUG}/rok-public/en/", result.stderr, re.M)
    assert reported
    for line in reported:
        assert "combined defense posture" in lines[int(line) - 1].lower()
    after = {p: p.read_bytes() for p in (project / "build").rglob("*") if p.is_file()}
    assert after == before


def test_guard_sees_through_case_quotes_line_breaks_and_hyphenation() -> None:
    from briefgen.publish.guard import find
    assert find(["secret annex"], "the Secret\n   Annex") == ["secret annex"]
    assert find(["don't tell"], "don’t tell") == ["don't tell"]
    assert find(["modernization"], "modern-\nization") == ["modernization"]
    assert find(["cost-sharing"], "cost-\nsharing") == ["cost-sharing"]
    assert find(["台湾"], "台\n湾") == ["台湾"]
    assert find(["동맹 현대화"], "동맹\n현대화") == ["동맹 현대화"]
    assert find(["taiwan"], "Thailand") == []


def test_guard_checks_titles_metadata_and_index_entries(project: Path) -> None:
    edit(project, "content/audiences/public.yaml", "[secret annex]",
         "[secret annex, demonstration]")
    result = run("check", project=project)
    assert result.exit_code == 1
    assert "forbidden phrase 'demonstration' for audience public" in result.stderr
    assert "HTML" in result.stderr and "manifest and index entry" in result.stderr


def test_guard_checks_image_alt_text(project: Path) -> None:
    edit(project, "content/audiences/public.yaml", "[secret annex]",
         "[secret annex, plan's milestones]")
    result = run("check", project=project)
    assert result.exit_code == 1
    assert ("content/briefs/demo/brief.yaml:53:1: forbidden phrase 'plan's milestones' for "
            "audience public appears in demo/public/en/demo-public-en.html (HTML)") \
        in result.stderr



def test_guard_reads_text_that_only_the_pdf_shows(project: Path) -> None:
    """Generated content (here a running header from the print stylesheet) is in no HTML
    text; the guard finds it in the print HTML's CSS strings, before any PDF is laid out
    (so `check` finds it too), and the PDF guard would find it in the laid-out text."""
    css = (REPO / "templates/css/print.css").read_text()
    (project / "templates/css").mkdir(parents=True)
    (project / "templates/css/print.css").write_text(
        css + '\n@page { @bottom-left { content: "Draft: secret annex follows"; } }\n')
    result = run("build", "--jobs", "1", "--format", "pdf", project=project)
    assert result.exit_code == 1, result.output
    assert ("forbidden phrase 'secret annex' for audience public appears in "
            "demo/public/en/demo-public-en.pdf (PDF source)") in result.stderr
    assert not (project / "build").exists()
    assert run("check", project=project).exit_code == 1


def test_guard_pdf_text_holds_every_word_of_the_text_layer(shipped_build: Path) -> None:
    """The guard reads the text from WeasyPrint's layout, not from the PDF file: all that
    poppler's pdftotext extracts from each shipped PDF must be in it."""
    from briefgen.build.run import Selection, plan
    from briefgen.publish.pdf import PdfRenderer

    project = load_project(REPO)
    jobs = plan(project, Selection(formats=("pdf",)), Problems([]))
    assert len(jobs) == 5
    renderer = PdfRenderer(project.content)
    for job in jobs:
        result = renderer.render(job.source, job.variant)
        extracted = normalize(subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=result.data, capture_output=True,
            check=True).stdout.decode())
        assert len(extracted) > 4000
        # every character poppler finds (CJK lines are merged differently, so count them) ...
        chars = Counter(extracted.replace(" ", "")) - Counter(normalize(result.text))
        assert not chars, (job.path, chars)
        # ... and every word of the English editions, as a word (leaders aside: ". . ."),
        # or a word hyphenated at a line end, which pdftotext joins ("democ-" "racy")
        if job.language == "en":
            def words(text: str) -> set[str]:
                return set(re.sub(r"\.{2,}", " ", text).split())
            joined = re.sub(r"(?<=[^\W\d_])-\n(?=[a-z])", "", result.text)
            assert not words(extracted) - words(normalize(result.text)) \
                - words(normalize(joined)), job.path

# -- rules and their messages -------------------------------------------------------------


def test_audiences_and_exclude_audiences_together_is_an_error(project: Path) -> None:
    edit(project, BRIEF, "    audiences: [officials]\nsections:",
         "    audiences: [officials]\n    exclude_audiences: [public]\nsections:")
    result = run("check", project=project)
    assert result.exit_code == 1
    assert "takeaways[t-officials]: use either audiences or exclude_audiences, not both" \
        in result.stderr


def test_term_missing_for_a_language_names_the_place(project: Path) -> None:
    edit(project, "content/terms.yaml", "  ko: 공동 계획\n", "")
    result = run("check", project=project)
    assert result.exit_code == 1
    assert "content/briefs/demo/translations/ko.yaml:" in result.stderr
    assert "term 'plan' has no ko text for audience public" in result.stderr


def test_duplicate_term_definition_is_an_error(project: Path) -> None:
    edit(project, "content/terms.yaml", "  ko: 공동 계획\n", "  ko: 공동 계획\n  en: again\n")
    result = run("check", project=project)
    assert result.exit_code == 1
    assert "duplicate key 'en' (first defined on line 2)" in result.stderr


def test_dangling_cross_reference_is_an_error(project: Path) -> None:
    edit(project, BRIEF, "see [[@rec-b]]", "see [[@rec-a]]")
    result = run("check", project=project)
    assert result.exit_code == 1
    assert "'[[@rec-a]]' refers to 'rec-a', which is not in the public edition" in result.stderr


def test_unknown_audience_in_block(project: Path) -> None:
    edit(project, BRIEF, "::: audience officials", "::: audience oficials")
    result = run("check", project=project)
    assert result.exit_code == 1
    assert "unknown audience 'oficials' (did you mean 'officials'?)" in result.stderr


# -- explain and diff ----------------------------------------------------------------------


def test_explain_lists_decisions_and_terms(project: Path) -> None:
    result = run("explain", "--audience", "public", project=project)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert re.search(r"OUT  item     task-b +exclude_audiences: \[public\]", out)
    assert re.search(r"in   item     issue-b +shown to every audience", out)
    assert "[[plan]] = the joint plan  (content/terms.yaml:2)" in out
    assert "terms (ko):" in out


def test_diff_reports_items_and_term_differences(project: Path, tmp_path: Path) -> None:
    report = tmp_path / "diff.html"
    result = run("diff", "officials", "public", "--html", str(report), project=project)
    assert result.exit_code == 0, result.output
    assert "== rec-a: only in officials" in result.stdout
    assert "== t-shared" not in result.stdout or "combined plan" in result.stdout
    assert "-Everyone reads this takeaway about the combined plan." in result.stdout
    assert "+Everyone reads this takeaway about the joint plan." in result.stdout
    html = report.read_text()
    assert "<del>combined</del>" in html and "<ins>joint</ins>" in html


# -- property: excluded text never leaks, numbering stays contiguous -------------------------

AUDIENCES = ["officials", "public"]
selection = st.sampled_from([None, ["officials"], ["public"], ["officials", "public"]])


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(assignments=st.lists(selection, min_size=4, max_size=4),
       term_officials=st.text(alphabet="abcdefghij", min_size=3, max_size=8),
       term_public=st.text(alphabet="klmnopqrst", min_size=3, max_size=8))
def test_excluded_items_never_leak(tmp_path_factory, assignments, term_officials,  # type: ignore[no-untyped-def]
                                   term_public) -> None:
    root = tmp_path_factory.mktemp("prop")
    shutil.copytree(VALID / "content", root / "content")
    shutil.rmtree(root / "content/briefs/demo/translations")
    (root / "content/audiences/public.yaml").write_text(
        "name: P\nlanguages: [en]\nmarking: {en: Public}\n"
        f"terms: {{plan: {{en: zz{term_public}zz}}}}\n")
    (root / "content/audiences/officials.yaml").write_text(
        "name: O\nlanguages: [en]\nmarking: {en: Official}\n"
        f"terms: {{plan: {{en: yy{term_officials}yy}}}}\n")
    items = []
    for i, sel in enumerate(assignments):
        extra = f"\n        audiences: [{', '.join(sel)}]" if sel else ""
        items.append(f"      - id: rec-{i}\n        title: Rec {i}\n        body: |\n"
                     f"          Uniquemarker{i} about [[plan]].{extra}")
    brief = (VALID / "content/briefs/demo/brief.yaml").read_text()
    head = brief[:brief.index("  - id: recommendations")]
    (root / "content/briefs/demo/brief.yaml").write_text(
        head + "  - id: recommendations\n    type: recommendations\n    title: Recs\n"
        "    items:\n" + "\n".join(items) + "\n")
    try:
        project = load_project(root)
    except BriefError as exc:
        # every item hidden from everyone is a legitimate outcome only if items exist
        raise AssertionError(exc.problems) from None
    for audience in AUDIENCES:
        problems = Problems()
        pages = [render_edition(resolve(project, "demo", audience, "en", mode, problems))
                 for mode in ("screen", "print")]
        visible = [i for i, sel in enumerate(assignments) if sel is None or audience in sel]
        for page in pages:
            for i in range(len(assignments)):
                assert (f"Uniquemarker{i}" in page) == (i in visible)
            numbers = [int(n) for n in re.findall(r'<span class="number">(\d+)\.</span>', page)]
            assert numbers == list(range(1, len(visible) + 1))
            mine, other = (f"zz{term_public}zz", f"yy{term_officials}yy") \
                if audience == "public" else (f"yy{term_officials}yy", f"zz{term_public}zz")
            assert other not in page and mine in page
