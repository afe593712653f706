"""`briefgen redline`: an edition's changes between two releases, or a release and the working
tree, as HTML and PDF; guarded for its audience; the release data read strictly.

Regenerate the golden files with: pytest tests/test_redline.py --update-golden
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from briefgen.commands import pagediff
from briefgen.commands.pagediff import compare, redline_text
from briefgen.commands.pagetext import Page, read_page, tokenize
from briefgen.publish import pdfua
from briefgen.publish.pdftext import page_text

from conftest import REPO, TESTS, run

GOLDEN = TESTS / "golden"
BRIEF = "content/briefs/demo/brief.yaml"
KO = "content/briefs/demo/translations/ko.yaml"


def set_version(project: Path, version: str, brief: str = BRIEF) -> None:
    """The brief's `version:` (quoted), right after its `number:` line."""
    file = project / brief
    lines = [line for line in file.read_text(encoding="utf-8").splitlines(keepends=True)
             if not line.startswith("version:")]
    at = next(i for i, line in enumerate(lines) if line.startswith("number:")) + 1
    lines.insert(at, f'version: "{version}"\n')
    file.write_text("".join(lines), encoding="utf-8")


def release(project: Path, version: str, slug: str = "demo", brief: str = BRIEF) -> None:
    """`briefgen release`, as an editor makes one: the brief's version: set, then the
    command (it writes releases/<slug>.yaml and releases/<slug>/<version>/)."""
    set_version(project, version, brief)
    result = run("release", slug, "--version", version, "-j", "1", "-q", project=project)
    assert result.exit_code == 0, result.stderr


def copy(project: Path, dest: Path) -> Path:
    """A copy of a released project, without its build folder."""
    shutil.copytree(project, dest, symlinks=True,
                    ignore=lambda folder, _: ["build"] if Path(folder) == project else [])
    return dest


def edit(project: Path, path: str, old: str, new: str) -> None:
    file = project / path
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    file.write_text(text.replace(old, new), encoding="utf-8")


def known_edit(project: Path) -> None:
    """One word changed, a sentence added, a section moved, one Korean phrase changed."""
    edit(project, BRIEF, "Two things lie ahead.", "Two things lie behind.")
    edit(project, BRIEF, "It mentions [[opcon]].\n",
         "It mentions [[opcon]]. It also tests redlines.\n")
    text = (project / BRIEF).read_text(encoding="utf-8")
    issues = text[text.index("  - id: issues\n"):text.index("  - id: recommendations\n")]
    text = text.replace(issues, "") + issues  # Issues now comes after Recommendations
    (project / BRIEF).write_text(text, encoding="utf-8")
    edit(project, KO, "title: 공통 쟁점", "title: 공유 쟁점")


@pytest.fixture(scope="module")
def released_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test project released as 1.0, edited (known_edit) and released as 1.1, by the
    release command (once: each test gets a copy)."""
    from conftest import VALID

    project = tmp_path_factory.mktemp("released") / "project"
    shutil.copytree(VALID, project)
    release(project, "1.0")
    known_edit(project)
    release(project, "1.1")
    return project


@pytest.fixture
def released(released_once: Path, tmp_path: Path) -> Path:
    """A writable copy of released_once."""
    return copy(released_once, tmp_path / "project")


def redline(project: Path, *args: str) -> tuple[int, str, str]:
    result = run("redline", "demo", *args, project=project)
    return result.exit_code, result.stdout, result.stderr


def out_of(project: Path, old: str = "1.0", new: str = "1.1") -> Path:
    return project / "build" / "redlines" / "demo" / f"{old}-{new}"


@pytest.fixture(scope="module")
def made(released_once: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The known edit released and redlined once (every edition), for the tests that read
    the redlines."""
    project = copy(released_once, tmp_path_factory.mktemp("redline") / "project")
    code, stdout, stderr = redline(project, "--from", "1.0", "--to", "1.1")
    assert code == 0, stderr
    return project


EDITIONS = [("officials", "en"), ("public", "en"), ("public", "ko")]


def text_of(project: Path, audience: str, lang: str, old: str = "1.0",
            new: str = "1.1") -> str:
    folder = project / "releases" / "demo"
    before = read_page((folder / old / audience / f"{lang}.html").read_bytes(), "a")
    after = read_page((folder / new / audience / f"{lang}.html").read_bytes(), "b")
    return redline_text(compare(before, after),
                        f"Redline of demo for {audience} ({lang}): {old} -> {new}")


MARKS = re.compile(r"\[-.*?-\]|\{\+.*?\+\}")


@pytest.mark.parametrize(("audience", "lang"), EDITIONS)
def test_a_known_edit_gives_its_marks_and_nothing_else(made: Path, audience: str, lang: str,
                                                       update_golden: bool) -> None:
    text = text_of(made, audience, lang)
    golden = GOLDEN / f"redline-demo-{audience}-{lang}.txt"
    if update_golden:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), \
        "redline changed; if intended, regenerate: pytest tests/test_redline.py --update-golden"
    # the version line, which a release raises, then the edit (ko: the English edits are
    # not translated)
    expected = {"en": ["[-0-]", "{+1+}", "{+ It also tests redlines.+}", "[-ahead-]",
                       "{+behind+}"],
                "ko": ["[-0-]", "{+1+}", "[-통-]", "{+유+}"]}[lang]
    assert MARKS.findall(text) == expected
    assert {"en": "  p: Version 1.[-0-]{+1+}\n", "ko": "  p: 버전 1.[-0-]{+1+}\n"}[lang] in text
    moved = [line for line in text.splitlines() if "moved" in line and line.startswith("==")]
    assert len(moved) == 1 and "[unchanged; moved, was after " in moved[0]


def test_korean_is_marked_by_character(made: Path) -> None:
    text = text_of(made, "public", "ko")
    assert "h3: 첫째, 공[-통-]{+유+} 쟁점" in text
    assert "Chinese" not in tokenize([("ROK의 정책", "ko")])  # sanity of the import
    assert [t.text for t in tokenize([("ROK의 정책 plan", "ko")])] == \
        ["ROK", "의", " ", "정", "책", " ", "plan"]
    assert [t.text for t in tokenize([("新时代的同盟", "zh-Hans")])] == list("新时代的同盟")
    assert [t.text for t in tokenize([("東京タワーへ", "ja")])] == list("東京タワーへ")


def test_the_html_marks_collapses_and_keeps_languages(made: Path) -> None:
    page = (out_of(made) / "public-ko.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    assert '<div class="unit-body" lang="ko">' in page
    assert "공<del>통</del><ins>유</ins> 쟁점" in page
    # unchanged sections (and the moved, unchanged one) are collapsed, the changed one open
    summaries = re.findall(r"<summary><h2>(.*?)</h2></summary>", page)
    assert summaries[:2] == ['Unchanged: <span lang="ko">핵심 요약</span>',
                             'Unchanged: <span lang="ko">개요</span>']
    assert 'Moved, unchanged: <span lang="ko">정책 제언</span> (was after <span lang="ko">' \
        '쟁점</span>)' in summaries
    assert not any("쟁점</span>" in s and s.startswith("Unchanged") for s in summaries)
    assert re.findall(r'<section class="unit changed">\n<h2><span lang="ko">(.*?)</span>',
                      page) == ["공동 계획에 관한 시연 보고서", "쟁점"]  # its version line
    # headings nest: h1, then h2s, an h3 only under an h2
    levels = [int(n) for n in re.findall(r"<h([1-6])", page)]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    # the summary counts
    assert "<li>Words: 2 inserted, 2 deleted.</li>" in page
    assert "<li>Sections: 2 changed, 1 moved, 0 added, 0 removed.</li>" in page


@pytest.mark.parametrize(("audience", "lang"), EDITIONS)
def test_the_pdf_is_pdf_ua_and_shows_the_marks(made: Path, audience: str, lang: str) -> None:
    data = (out_of(made) / f"{audience}-{lang}.pdf").read_bytes()
    assert pdfua.check(data) == []
    text = page_text(data)
    if lang == "en":
        assert "Two things lie [-ahead-]{+behind+}." in text
        assert "{+ It also tests redlines.+}" in text
        assert "Unchanged: Background" in text
    else:
        assert "공[-통-]{+유+} 쟁점" in text
        assert "Unchanged: 배경" in text
    assert "Moved, unchanged:" in text
    assert "Unchanged: " in text and "Summary of changes" in text


def test_the_redline_is_deterministic(made: Path, tmp_path: Path) -> None:
    code, _, stderr = redline(made, "--from", "1.0", "--to", "1.1", "--audience", "public",
                              "--lang", "ko", "--out", str(tmp_path / "again"))
    assert code == 0, stderr
    assert sorted(p.name for p in (tmp_path / "again").iterdir()) == ["public-ko.html",
                                                                      "public-ko.pdf"]
    for name in ("public-ko.html", "public-ko.pdf"):
        assert (tmp_path / "again" / name).read_bytes() == \
            (out_of(made) / name).read_bytes()


def test_a_release_against_the_working_tree(released: Path) -> None:
    # the working tree's page is rendered as a build makes it (it links to its PDF, as the
    # released page does), at the version released last: only the edit shows
    edit(released, BRIEF, "Two things lie behind.", "Three things lie behind.")
    code, stdout, stderr = redline(released, "--from", "1.1", "--audience", "public",
                                   "--lang", "en")
    assert code == 0, stderr
    assert stdout == "public/en: Words: 1 inserted, 1 deleted. Sections: 1 changed, 0 moved, " \
        "0 added, 0 removed.\n"
    page = (out_of(released, "1.1", "working") / "public-en.html").read_text(encoding="utf-8")
    assert "<del>Two</del><ins>Three</ins> things lie behind." in page
    assert "compared with the working tree" in page


def retamper(project: Path, rel: str, data: bytes) -> None:
    """Change a snapshot and its recorded sha256 with it, as a pull request could."""
    path = project / rel
    old = hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_bytes(data)
    edit(project, "releases/demo.yaml", old, hashlib.sha256(data).hexdigest())


SNAPSHOT = "releases/demo/1.0/public/en.html"


def test_a_snapshot_holding_another_audiences_phrase_stops_the_redline(released: Path
                                                                       ) -> None:
    page = (released / SNAPSHOT).read_text(encoding="utf-8")
    # officials' text put into the public edition as released, the record updated to match
    retamper(released, SNAPSHOT, page.replace("Two things lie ahead.",
                                              "Two things lie ahead of the secret annex.")
             .encode())
    code, stdout, stderr = redline(released, "--from", "1.0", "--to", "1.1")
    assert code == 1
    assert f"{SNAPSHOT}: forbidden phrase 'secret annex' for audience public appears in the " \
        "page released as 1.0 (a snapshot holds only what the release published: restore " \
        "it from the release's commit)\n" in stderr
    # shown as deleted text in the redline, which is guarded too
    assert "appears in public-en.html (HTML)" in stderr
    assert "appears in public-en.pdf (" in stderr
    assert not (released / "build" / "redlines").exists()  # nothing written, no edition


def test_a_phrase_hidden_where_the_redline_does_not_show_it_is_caught(released: Path) -> None:
    page = (released / SNAPSHOT).read_text(encoding="utf-8")
    retamper(released, SNAPSHOT, page.replace(
        "</head>", '<meta name="x" content="the secret annex"></head>').encode())
    code, _, stderr = redline(released, "--from", "1.0", "--to", "1.1", "--audience",
                              "public")
    assert code == 1
    assert f"{SNAPSHOT}: forbidden phrase 'secret annex' for audience public" in stderr
    assert not (released / "build" / "redlines").exists()


def problems(project: Path, *args: str) -> list[tuple[str, int, int, str, str]]:
    """The problems a redline reports (its JSON output): path, line, col, message, code."""
    code, _, stderr = redline(project, *args, "--output-format", "json")
    assert code == 1
    found = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [(p["path"], p["line"], p["col"], p["message"], p["code"]) for p in found]


@pytest.mark.parametrize(("args", "problem"), [
    (("--from", "1.2", "--to", "1.1"),
     ("releases/demo.yaml", 0, 0, "no release 1.2 of demo (recorded: 1.0, 1.1)", "BG543")),
    (("--from", "1.0", "--to", "2.0"),
     ("releases/demo.yaml", 0, 0, "no release 2.0 of demo (recorded: 1.0, 1.1)", "BG543")),
    (("--from", "working"),
     ("briefgen", 0, 0, "--from must be a release: the working tree is the newer side",
      "BG543")),
    (("--from", "1.0", "--to", "1.1", "--lang", "fr"),
     ("briefgen", 0, 0, "release 1.0 of demo has no edition */fr", "BG544")),
])
def test_an_unknown_version_or_edition_is_an_error(released: Path, args: tuple[str, ...],
                                                   problem: tuple[str, int, int, str, str]
                                                   ) -> None:
    assert problems(released, *args) == [problem]


def test_an_edition_missing_from_the_newer_release_is_an_error(released: Path) -> None:
    text = (released / "releases" / "demo.yaml").read_text(encoding="utf-8")
    second = text.index('- version: "1.1"')
    ko = text.index('    - audience: public\n      lang: "ko"', second)
    assert text[ko:].count("\n") == 8  # the last edition of the last release
    (released / "releases" / "demo.yaml").write_text(text[:ko], encoding="utf-8")
    # (public/en of 1.1 links to a ko edition its record no longer has: --lang ko, so that
    # only the missing edition is read)
    assert problems(released, "--from", "1.0", "--to", "1.1", "--lang", "ko") == [
        ("releases/demo.yaml", 35, 3, "release 1.1 of demo has no edition public/ko",
         "BG544")]


def test_a_tampered_snapshot_is_refused(released: Path) -> None:
    path = released / SNAPSHOT
    path.write_bytes(path.read_bytes().replace(b"Two things", b"Ten things"))
    assert problems(released, "--from", "1.0", "--to", "1.1") == [
        (SNAPSHOT, 0, 0, "does not match the sha256 recorded for release 1.0 at "
         "releases/demo.yaml:20: it was changed after the release", "BG546")]
    assert not (released / "build" / "redlines").exists()


def test_a_missing_snapshot_is_refused(released: Path) -> None:
    (released / SNAPSHOT).unlink()
    assert problems(released, "--from", "1.0", "--to", "1.1") == [
        (SNAPSHOT, 0, 0, "the snapshot of release 1.0 is missing (recorded at "
         "releases/demo.yaml:20)", "BG545")]


def test_the_records_build_path_is_not_what_is_read(released: Path) -> None:
    # html.path names the built file; the snapshot is read from its place in the layout
    record = released / "releases" / "demo.yaml"
    text = record.read_text(encoding="utf-8")
    assert 'path: "demo/public/en/demo-public-en.html"' in text
    record.write_text(text.replace('path: "demo/public/en/demo-public-en.html"',
                                   'path: "../../etc/passwd"', 1), encoding="utf-8")
    code, _, stderr = redline(released, "--from", "1.0", "--to", "1.1", "--audience",
                              "public", "--lang", "en")
    assert code == 0, stderr
    page = (out_of(released) / "public-en.html").read_text(encoding="utf-8")
    assert "<del>ahead</del><ins>behind</ins>" in page


def test_a_snapshot_linking_out_of_the_project_is_refused(released: Path,
                                                          tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.html"
    outside.write_bytes((released / SNAPSHOT).read_bytes())
    (released / SNAPSHOT).unlink()
    (released / SNAPSHOT).symlink_to(outside)
    assert problems(released, "--from", "1.0", "--to", "1.1") == [
        (SNAPSHOT, 0, 0, "leads outside the project folder through a symbolic link", "BG001")]


def test_a_snapshot_that_is_no_page_is_refused(released: Path) -> None:
    retamper(released, SNAPSHOT, b"<p>\xff</p>")
    assert problems(released, "--from", "1.0", "--to", "1.1") == [
        (SNAPSHOT, 0, 0, "cannot be read as an edition's page: not UTF-8 (byte 3)", "BG547")]
    retamper(released, SNAPSHOT, b"<html><body>" + b"<div>" * 300 + b"</body></html>")
    assert problems(released, "--from", "1.0", "--to", "1.1") == [
        (SNAPSHOT, 0, 0, "cannot be read as an edition's page: elements nested more than "
         "256 deep", "BG547")]


def test_the_record_is_read_strictly(released: Path) -> None:
    """The record is read by briefgen.content.releases.read_record (BG181 at file:line)."""
    record = released / "releases" / "demo.yaml"
    edit(released, "releases/demo.yaml", 'version: "1.1"', "version: 1.1")
    assert problems(released, "--from", "1.0", "--to", "1.1") == [
        ("releases/demo.yaml", 32, 12, "Input should be a valid string", "BG181")]
    edit(released, "releases/demo.yaml", "version: 1.1", 'version: "1.0"')
    assert problems(released, "--from", "1.0", "--to", "1.1") == [
        ("releases/demo.yaml", 32, 12, "version 1.0 is listed twice (first as release 1)",
         "BG181")]
    record.write_text("- version: '1.0'\n  dat: x\n", encoding="utf-8")
    assert problems(released, "--from", "1.0", "--to", "1.1") == [
        ("releases/demo.yaml", 1, 3, "Field required", "BG181")] * 3 + [
        ("releases/demo.yaml", 2, 8, "Extra inputs are not permitted", "BG181")]
    record.write_text("[]\n", encoding="utf-8")  # a record that lists no release
    assert problems(released, "--from", "1.0", "--to", "1.1") == [
        ("releases/demo.yaml", 0, 0, "no release of demo is recorded", "BG541")]
    record.unlink()
    assert problems(released, "--from", "1.0", "--to", "1.1") == [
        ("releases/demo.yaml", 0, 0, "no release of demo is recorded", "BG541")]


def test_an_edition_the_working_tree_no_longer_makes_cannot_be_guarded(released: Path
                                                                      ) -> None:
    edit(released, "content/audiences/public.yaml", "languages: [en, ko]", "languages: [en]")
    assert problems(released, "--from", "1.0", "--to", "1.1", "--lang", "ko") == [
        ("briefgen", 0, 0, "public/ko is no longer an edition of demo: a redline is guarded "
         "with its audience's rules, so it cannot be made", "BG548")]


def test_the_shipped_brief_in_chinese(tmp_path: Path) -> None:
    """From the shipped content: a Chinese phrase changed is marked by character, the PDF
    passes the PDF/UA check, the audience's phrases are guarded."""
    project = tmp_path / "shipped"
    shutil.copytree(REPO / "content", project / "content")
    slug = "rok-us-alliance-modernization"
    only = ("--audience", "beijing-outreach", "--lang", "zh-Hans")
    release(project, "1.0", slug, f"content/briefs/{slug}/brief.yaml")
    edit(project, f"content/briefs/{slug}/translations/zh-Hans.yaml",
         'title: "首尔、华盛顿与新阶段同盟', 'title: "首尔、华盛顿与新时代同盟')
    result = run("redline", slug, "--from", "1.0", *only, project=project)
    assert result.exit_code == 0, result.stderr
    folder = project / "build" / "redlines" / slug / "1.0-working"
    page = (folder / "beijing-outreach-zh-Hans.html").read_text(encoding="utf-8")
    assert "新<del>阶段</del><ins>时代</ins>同盟" in page
    data = (folder / "beijing-outreach-zh-Hans.pdf").read_bytes()
    assert pdfua.check(data) == []
    assert "[-阶段-]{+时代+}" in page_text(data).replace("\n", "")


def page_of(units: dict[str, str]) -> bytes:
    sections = "".join(f'<section class="section" id="{uid}"><h2>{uid.title()}</h2>{body}'
                       "</section>" for uid, body in units.items())
    return f'<html lang="en"><body><main>{sections}</main></body></html>'.encode()


def test_sections_added_removed_and_renamed() -> None:
    old = read_page(page_of({"a": "<p>Alpha.</p>", "b": "<p>Beta.</p>",
                             "c": "<p>Gamma.</p>"}), "old")
    # b removed, d added, c renamed (same text, new id): not a deletion and an insertion
    new = read_page(page_of({"a": "<p>Alpha.</p>", "d": "<p>Delta.</p>"}).replace(
        b"</main>", b'<section class="section" id="c2"><h2>C</h2><p>Gamma.</p></section>'
        b"</main>"), "new")
    text = redline_text_of(old, new)
    assert text.splitlines()[1:] == [
        "Words: 2 inserted, 2 deleted. Sections: 0 changed, 0 moved, 1 added, 1 removed.", "",
        "== A [unchanged]",
        "== B [deleted]", "  h2: [-B-]", "  p: [-Beta.-]",
        "== D [inserted]", "  h2: {+D+}", "  p: {+Delta.+}",
        "== C [unchanged]"]


def redline_text_of(old: Page, new: Page) -> str:
    return redline_text(compare(old, new), "H")


def test_a_long_block_is_replaced_whole_beyond_the_limit(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    old = read_page(page_of({"a": "<p>one two three four</p>"}), "old")
    new = read_page(page_of({"a": "<p>one two three five</p>"}), "new")
    assert "  p: one two three [-four-]{+five+}" in redline_text_of(old, new)
    monkeypatch.setattr(pagediff, "MAX_CELLS", 10)
    assert "  p: [-one two three four-]\n  p: {+one two three five+}" in \
        redline_text_of(old, new)


def test_a_snapshots_markup_is_text_in_the_redline(released: Path) -> None:
    page = (released / SNAPSHOT).read_text(encoding="utf-8")
    retamper(released, SNAPSHOT, page.replace(
        "<p>Two things lie ahead.</p>",
        "<p lang='en\" onmouseover=\"alert(1)'>Two things lie &lt;script&gt;ahead.</p>"
        '<p lang="ko"><img src=x onerror="alert(2)" alt="&quot;><b>bold</b>"></p>').encode())
    code, _, stderr = redline(released, "--from", "1.0", "--to", "1.1", "--audience",
                              "public", "--lang", "en")
    assert code == 0, stderr
    html = (out_of(released) / "public-en.html").read_text(encoding="utf-8")
    assert "onmouseover" not in html and "onerror" not in html and "<b>" not in html
    assert "<script>" not in html
    assert "<del>&lt;script&gt;ahead</del>" in html
    assert '<del lang="ko">[&quot;&gt;&lt;b&gt;bold&lt;/b&gt;]</del>' in html


def test_the_redline_pages_pass_the_html_checkers(made: Path, tmp_path: Path) -> None:
    """The Nu HTML Checker and axe-core (scripts/check_html.py, as tests/test_html_quality.py
    runs them) on each redline page and the HTML its PDF is rendered from."""
    from test_html_quality import check_html

    from briefgen.commands.redline import redline as make_redlines
    from briefgen.content.project import load_project

    try:
        check_html.find_java()
        check_html.find_chromium()
        axe, vnu = check_html.npm_assets()
    except check_html.ToolMissing as exc:
        pytest.skip(f"HTML quality checks cannot run: {exc}")
    pages, _ = make_redlines(load_project(made), "demo", "1.0", "1.1", out=tmp_path / "out")
    for stem, m in pages:
        (tmp_path / f"{stem.name}{check_html.PDF_SOURCE_SUFFIX}").write_text(
            m.source, encoding="utf-8")
        (tmp_path / f"{stem.name}.html").write_text(m.html, encoding="utf-8")
    files = sorted(tmp_path.glob("*.html"))
    assert len(files) == 6
    errors, _warnings = check_html.run_nu(files, vnu, check_html.find_java())
    assert not errors, [e.format() for e in errors]
    violations, _review = check_html.run_axe(files, axe)
    assert not violations, [v.format() for v in violations]


def test_a_snapshot_too_big_is_refused_unread(released: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from briefgen.commands import snapshots

    monkeypatch.setattr(snapshots, "MAX_PAGE_BYTES", 1000)
    assert problems(released, "--from", "1.0", "--to", "1.1", "--audience", "public",
                    "--lang", "en") == [
        (SNAPSHOT, 0, 0, "cannot be read as an edition's page: more than 1,000 bytes",
         "BG547")]


def test_text_outside_every_unit_is_compared_too() -> None:
    old = read_page(b'<html lang="en"><body><main><p>Loose words.</p></main></body></html>',
                    "old")
    new = read_page(b'<html lang="en"><body><main><p>Loose word.</p></main></body></html>',
                    "new")
    assert redline_text_of(old, new).splitlines()[3:] == [
        "== Other text [changed]", "  p: Loose [-words-]{+word+}."]


# -- a snapshot is the page of the edition it is recorded for (attack report 17, M3) ----------


def planted(project: Path, rel: str, data: bytes, symlink: str | None = None) -> None:
    """The snapshot at rel replaced (by data, or by a link), its sha256 in the record with it."""
    path = project / rel
    old = hashlib.sha256(path.read_bytes()).hexdigest()
    path.unlink()
    if symlink:
        path.symlink_to(symlink)
    else:
        path.write_bytes(data)
    edit(project, "releases/demo.yaml", old, hashlib.sha256(path.read_bytes()).hexdigest())


OFFICIALS = "releases/demo/1.0/officials/en.html"


@pytest.mark.parametrize("variant", ["copy", "symlink", "reworded"])
def test_another_audiences_page_planted_as_a_snapshot_is_refused(released: Path,
                                                                 variant: str) -> None:
    """a06: officials' page as public's 1.0 snapshot, copied, linked, or with its forbidden
    phrase reworded so that the guard cannot know it."""
    page = (released / OFFICIALS).read_bytes()
    if variant == "reworded":
        page = page.replace(b"secret annex", b"sealed appendix")
        assert b"secret annex" not in page
    planted(released, SNAPSHOT, page, "../officials/en.html" if variant == "symlink" else None)
    assert problems(released, "--from", "1.0", "--to", "1.1", "--audience", "public") == [
        (SNAPSHOT, 0, 0, "is not the page of edition public/en of demo 1.0: it links to "
         "demo-officials-en.html as one of its language editions", "BG549")]
    assert not (released / "build" / "redlines").exists()


def test_a_snapshot_naming_another_language_is_refused(released: Path) -> None:
    ko = (released / "releases/demo/1.0/public/ko.html").read_bytes()
    planted(released, SNAPSHOT, ko)  # its links name public's editions, en among them
    assert problems(released, "--from", "1.0", "--to", "1.1", "--audience", "public",
                    "--lang", "en") == [
        (SNAPSHOT, 0, 0, "is not the page of edition public/en of demo 1.0: its <html lang> "
         "is 'ko'", "BG549")]


def test_a_snapshot_naming_another_version_is_refused(released: Path) -> None:
    newer = (released / "releases/demo/1.1/public/en.html").read_bytes()
    planted(released, SNAPSHOT, newer)
    assert problems(released, "--from", "1.0", "--to", "1.1", "--audience", "public",
                    "--lang", "en") == [
        (SNAPSHOT, 0, 0, "is not the page of edition public/en of demo 1.0: its JSON-LD "
         "names version 1.1", "BG549")]


@pytest.mark.parametrize(("change", "why"), [
    (lambda p: re.sub(r'<link rel="alternate"[^>]*>\n?', "", p),
     "it names no edition (no language link in its <head>)"),
    (lambda p: p.replace('href="demo-public-en.html"', 'href="https://x.example/demo-public-'
                         'x.html"'), "it links to demo-public-x.html as one of its language "
     "editions"),
    (lambda p: p.replace('hreflang="en" href="demo-public-en.html"',
                         'hreflang="en" href="../ko/demo-public-ko.html"').replace(
                             'hreflang="x-default" href="demo-public-en.html"',
                             'hreflang="x-default" href="../ko/demo-public-ko.html"'),
     "none of its language links is demo-public-en.html"),
    (lambda p: p.replace('"version": "1.0"', '"versions": "1.0"'),
     "its JSON-LD names no version"),
    (lambda p: p.replace('"@context"', '"@context" "'), "its JSON-LD is not JSON"),
])
def test_a_snapshot_that_does_not_name_its_edition_is_refused(
        released: Path, change: Any, why: str) -> None:
    page = (released / SNAPSHOT).read_text(encoding="utf-8")
    changed = change(page)
    assert changed != page
    planted(released, SNAPSHOT, changed.encode())
    assert problems(released, "--from", "1.0", "--to", "1.1", "--audience", "public",
                    "--lang", "en") == [
        (SNAPSHOT, 0, 0, f"is not the page of edition public/en of demo 1.0: {why}",
         "BG549")]


def test_a_page_at_its_base_url_names_its_edition_by_url() -> None:
    from briefgen.commands.snapshots import edition_mismatch

    page = read_page(b'<html lang="en-US"><head>'
                     b'<link rel="canonical" href="https://b.example/demo/public/en/'
                     b'demo-public-en.html?x#top">'
                     b'<link rel="alternate" hreflang="en-US" href="https://b.example/demo/'
                     b'public/en/demo-public-en.html">'
                     b'<link rel="alternate" hreflang="ko" href="https://b.example/demo/'
                     b'public/ko/demo-public-ko.html">'
                     b'<link rel="stylesheet" href="../../other.css">'
                     b'<script type="application/ld+json">{"version": "2.0"}</script>'
                     b'</head><body><p>x</p></body></html>', "p")
    assert edition_mismatch(page, "demo", "2.0", "public", "en", {"en", "ko"}) == ""
    assert edition_mismatch(page, "demo", "2.0", "public", "en", {"en"}) == (
        "it links to demo-public-ko.html as one of its language editions")
    assert edition_mismatch(page, "demo", "2.0", "public", "ko", {"en", "ko"}) == (
        "its <html lang> is 'en-US'")


# -- the snapshot reader is linear in the page's size (attack report 17, L4) ------------------


def _line_events(data: bytes) -> int:
    """How many lines of briefgen's page reader and of the standard library's HTML
    tokenizer run to read a page: a count of work done that no clock affects."""
    import html.parser
    import sys

    from briefgen.commands import pagetext

    files = {pagetext.__file__, html.parser.__file__}
    count = 0

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        if frame.f_code.co_filename not in files:
            return None
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        read_page(data, "p")
    finally:
        sys.settrace(None)
    return count


HOSTILE = {
    # a14: void elements before <html>; the others, each shape a quadratic step could take
    "before <html>": lambda n: b"<br>" * n + b'<html lang="en"><body><p>x</p></body></html>',
    "stray end tags": lambda n: (b'<html lang="en"><body>' + b"<div>" * 250 + b"</x>" * n
                                 + b"<p>x</p></body></html>"),
    "inline runs": lambda n: (b'<html lang="en"><body><main><p>' + b"<b>x</b> " * n
                              + b"</p></main></body></html>"),
    "blocks deep": lambda n: (b'<html lang="en"><body>' + b"<div>" * 250 + b"<p>x</p>" * n
                              + b"</body></html>"),
    "siblings": lambda n: (b'<html lang="en"><body><main>' + b"<span>a</span>" * n
                           + b"</main></body></html>"),
}


@pytest.mark.parametrize("shape", list(HOSTILE))
def test_reading_a_page_takes_work_linear_in_its_size(shape: str) -> None:
    """Four times the elements, about four times the work (a quadratic reader does sixteen
    times). Counted in lines run, which misses work done inside C (list.pop(0) moves the
    whole list; `+` copies a whole string): the reader uses neither in a loop (checked
    below), and reads 200,000 elements before <html> (a14's 0.8 MB) at once."""
    make = HOSTILE[shape]
    small, large = _line_events(make(2_000)), _line_events(make(8_000))
    assert large <= 4.4 * small, (small, large)


def test_the_page_reader_has_no_quadratic_list_or_string_step() -> None:
    import ast

    from briefgen.commands import pagetext

    tree = ast.parse(Path(pagetext.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            first = node.args[0] if node.args else None
            at_front = isinstance(first, ast.Constant) and first.value == 0
            assert not (node.func.attr in ("pop", "insert") and at_front), ast.unparse(node)
        if isinstance(node, ast.Delete):
            for target in node.targets:  # del x[0] shifts the list too: allowed once, not
                assert not isinstance(target, ast.Subscript) or ast.unparse(target) == \
                    "tokens[0]", ast.unparse(target)  # in a loop (tokenize's one space)


def test_a_page_with_200000_elements_before_html_is_read() -> None:
    body = b'<html lang="en"><body><main><section class="section" id="a"><h2>A</h2>' \
        b"<p>Two things lie ahead.</p></section></main></body></html>"
    read = read_page(b"<br>" * 200_000 + body, "p")
    assert read == read_page(body, "p")
    assert [u.id for u in read.units] == ["a"]
