"""Releases (#17): `version:`, `briefgen release`, released files that a build never
changes, and the Corrections box of the editions a correction concerns."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from briefgen.commands.release import git_revision
from briefgen.content.releases import read_record
from briefgen.publish.pdftext import page_text

from conftest import run

BRIEF = "content/briefs/demo/brief.yaml"
EDITIONS = [("officials", "en"), ("public", "en"), ("public", "ko")]


def _set(project: Path, before: str, after: str, path: str = BRIEF) -> None:
    file = project / path
    text = file.read_text(encoding="utf-8")
    assert before in text, before
    file.write_text(text.replace(before, after, 1), encoding="utf-8")


def _version(project: Path, version: str) -> None:
    """Give the brief a version: line 6, right after number:."""
    file = project / BRIEF
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [line for line in lines if not line.startswith("version:")]
    assert lines[4].startswith("number:")
    lines.insert(5, f"version: {version}\n")
    file.write_text("".join(lines), encoding="utf-8")


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _errors(result: object) -> list[str]:
    lines = result.stderr.splitlines()  # type: ignore[attr-defined]
    return [line for line in lines if not line.startswith("briefgen: ")]


def _release(project: Path, version: str) -> object:
    return run("release", "demo", "--version", version, "-j", "1", "-q", project=project)


def _build(project: Path, *args: str) -> object:
    return run("build", "-j", "2", "-q", *args, project=project)


def test_a_release_records_every_edition_and_keeps_its_pages(project: Path) -> None:
    _version(project, '"1.0"')
    content = _tree(project / "content")
    result = _release(project, "1.0")
    assert result.exit_code == 0, result.stderr
    assert _tree(project / "content") == content  # briefgen never edits a content file

    record = project / "releases" / "demo.yaml"
    data = YAML(typ="safe").load(record.read_text(encoding="utf-8"))
    assert [r["version"] for r in data] == ["1.0"]
    (released,) = data
    assert released["revision"] is None  # not a git repository
    assert "dirty" not in released
    assert [(e["audience"], e["lang"]) for e in released["editions"]] == EDITIONS
    build = project / "build"
    for e in released["editions"]:
        for fmt in ("html", "pdf"):
            file = build / e[fmt]["path"]
            assert e[fmt]["path"] == (f"demo/{e['audience']}/{e['lang']}/"
                                      f"demo-{e['audience']}-{e['lang']}.{fmt}")
            assert hashlib.sha256(file.read_bytes()).hexdigest() == e[fmt]["sha256"]
        snapshot = project / "releases" / "demo" / "1.0" / e["audience"] / f"{e['lang']}.html"
        assert snapshot.read_bytes() == (build / e["html"]["path"]).read_bytes()
    releases, _ = read_record(project, "demo")  # briefgen's own reader agrees
    assert releases[0].file("public", "ko", "pdf").path == "demo/public/ko/demo-public-ko.pdf"

    again = _release(project, "1.0")
    assert again.exit_code == 1
    assert _errors(again) == [
        "releases/demo.yaml:4:12: version 1.0 of demo was released on "
        f"{released['date']}; a release is never made again (set version: to "
        "a new number and release that)"]


def test_an_edit_of_a_released_version_fails_the_build_until_a_new_version(
        project: Path) -> None:
    _version(project, '"1.0"')
    assert _release(project, "1.0").exit_code == 0
    record = (project / "releases" / "demo.yaml").read_bytes()
    # str(): a date (as ruamel's safe loader usually reads it) or its text (as it read it in
    # one CI run, where an earlier test in the same worker had left it so)
    date = str(YAML(typ="safe").load(record)[0]["date"])

    rebuilt = _build(project, "--force")  # the same inputs make the same bytes
    assert rebuilt.exit_code == 0, rebuilt.stderr

    build = _tree(project / "build")
    _set(project, "Two things lie ahead.", "Three things lie ahead.")
    failed = _build(project)
    assert failed.exit_code == 1
    hint = ("(set version: to a new number and run briefgen release demo --version <it>)")
    assert _errors(failed) == [
        f"content/briefs/demo/brief.yaml:6:10: version: demo/{path} differs from release 1.0 "
        f"of {date} (releases/demo.yaml): a released edition is never changed {hint}"
        for path in ("officials/en/demo-officials-en.html", "officials/en/demo-officials-en.pdf",
                     "public/en/demo-public-en.html", "public/en/demo-public-en.pdf")]
    assert _tree(project / "build") == build  # nothing written
    # a page without its PDF link, or a PDF of another variant, is not the released file
    assert _build(project, "--format", "html").exit_code == 0

    _version(project, '"1.1"')
    assert _build(project).exit_code == 0
    assert _release(project, "1.1").exit_code == 0
    after = (project / "releases" / "demo.yaml").read_bytes()
    assert after.startswith(record)  # the earlier release stays byte-identical
    assert [r["version"] for r in YAML(typ="safe").load(after)] == ["1.0", "1.1"]
    assert (project / "releases" / "demo" / "1.1" / "public" / "ko.html").is_file()


def test_release_refuses_a_version_the_brief_does_not_say(project: Path) -> None:
    none = _release(project, "1.0")
    assert none.exit_code == 1
    assert _errors(none) == [
        "content/briefs/demo/brief.yaml:1:1: the brief has no version:, not 1.0 (set "
        "version: \"1.0\" in the brief, then run briefgen release demo --version 1.0; "
        "briefgen never edits content files)"]
    _version(project, '"1.0"')
    other = _release(project, "1.1")
    assert other.exit_code == 1
    assert _errors(other) == [
        "content/briefs/demo/brief.yaml:6:10: version: the brief says version 1.0, not 1.1 "
        "(set version: \"1.1\" in the brief, then run briefgen release demo --version 1.1; "
        "briefgen never edits content files)"]
    assert not (project / "releases").exists()


def test_release_refuses_a_brief_whose_build_fails(project: Path) -> None:
    _version(project, '"1.0"')
    _set(project, "Two things lie ahead.", "Two things lie ahead, says the secret annex.")
    result = _release(project, "1.0")
    assert result.exit_code == 1
    assert any("BG350" in line or "secret annex" in line for line in _errors(result))
    assert not (project / "releases").exists()


def test_a_damaged_release_record_is_an_error_at_its_line(project: Path) -> None:
    _version(project, '"1.1"')
    (project / "releases").mkdir()
    (project / "releases" / "demo.yaml").write_text(
        '- version: "1.0"\n  date: 2027-13-01\n  revision: null\n  editions: []\n',
        encoding="utf-8")
    result = _release(project, "1.1")
    assert result.exit_code == 1
    assert _errors(result) == [
        "releases/demo.yaml:2:9: [0].date: Input should be a valid date or datetime, month "
        "value is outside expected range of 1-12 (the release record is written by "
        "`briefgen release`: restore it from version control)"]


@pytest.mark.parametrize(("value", "message"), [
    ("1.10", "6:10: version: the version is the number 1.1: write it in quotes, like "
             "version: \"1.0\" (unquoted, YAML reads 1.10 as the number 1.1)"),
    ('"1.a"', "6:10: version: '1.a' is not a version number: digits separated by dots, "
              "like \"1.0\" or \"2.1.3\""),
    ('"v1"', "6:10: version: 'v1' is not a version number: digits separated by dots, "
             "like \"1.0\" or \"2.1.3\""),
])
def test_an_invalid_version_is_an_error_at_its_line(project: Path, value: str,
                                                    message: str) -> None:
    _version(project, value)
    result = run("check", project=project)
    assert result.exit_code == 1
    assert _errors(result) == [f"content/briefs/demo/brief.yaml:{message}"]


CORRECTIONS = """corrections:
  - id: fix-date
    date: 2027-13-01
    text: Fixed.
  - id: fix-who
    date: 2027-03-01
    text: Fixed too.
    audiences: [officals]
  - id: background
    date: 2027-03-01
    text: An id the brief already has.
    audiences: [officials]
"""


def test_invalid_corrections_are_errors_at_their_lines(project: Path) -> None:
    with (project / BRIEF).open("a", encoding="utf-8") as fh:
        fh.write(CORRECTIONS)
    result = run("check", project=project)
    assert result.exit_code == 1
    assert _errors(result)[0] == (
        "content/briefs/demo/brief.yaml:96:11: corrections[fix-date].date: '2027-13-01' is "
        "not a valid date (use YYYY-MM-DD): month value is outside expected range of 1-12")
    _set(project, "2027-13-01", "2025-03-01")
    result = run("check", project=project)
    assert (
        "content/briefs/demo/brief.yaml:96:11: corrections[fix-date].date: the correction is "
        "dated 2025-03-01, before the brief's date 2026-11-26 (a correction is made after "
        "publication: check the year)") in _errors(result)
    _set(project, "2025-03-01", "2027-12-01")
    _set(project, "    text: Fixed.\n", "    text: Fixed.\n    audiences: [officials]\n")
    result = run("check", project=project)
    assert result.exit_code == 1
    errors = _errors(result)
    assert errors[0] == (
        "content/briefs/demo/brief.yaml:102:17: corrections[fix-who].audiences[0]: unknown "
        "audience 'officals' (did you mean 'officials'?)")
    assert errors[1].startswith(
        "content/briefs/demo/brief.yaml:103:9: corrections[background].id: duplicate id "
        "'background' (first used on line ")


def test_the_leak_guard_reads_a_correction(project: Path) -> None:
    with (project / BRIEF).open("a", encoding="utf-8") as fh:
        fh.write("corrections:\n  - id: fix\n    date: 2027-03-01\n"
                 "    text: The secret annex was misnamed.\n    audiences: [public]\n")
    with (project / "content/briefs/demo/translations/ko.yaml").open("a",
                                                                    encoding="utf-8") as fh:
        fh.write("  fix:\n    text: 비밀 부속서의 이름을 바로잡았다.\n")
    result = run("check", project=project)
    assert result.exit_code == 1
    assert _errors(result) == [
        "content/briefs/demo/brief.yaml:97:1: forbidden phrase 'secret annex' for audience "
        f"public appears in demo/public/en/demo-public-en.{what} (reword it, or hide this "
        "text from the audience)" for what in ("html (HTML)", "pdf (PDF source)")]


def _with_chinese(project: Path) -> None:
    """The public audience reads zh-Hans too (its translation: the Korean one's words,
    which is all a test of labels needs)."""
    _set(project, "languages: [en, ko]", "languages: [en, ko, zh-Hans]",
         "content/audiences/public.yaml")
    _set(project, "  ko: 공개 자료", "  ko: 공개 자료\n  zh-Hans: 公开资料",
         "content/audiences/public.yaml")
    folder = project / "content/briefs/demo/translations"
    text = (folder / "ko.yaml").read_text(encoding="utf-8")
    (folder / "zh-Hans.yaml").write_text(text.replace("language: ko", "language: zh-Hans", 1),
                                         encoding="utf-8")
    terms = project / "content/terms.yaml"
    terms.write_text(terms.read_text(encoding="utf-8").replace(
        "  ko: 공동 계획", "  ko: 공동 계획\n  zh-Hans: 联合计划").replace(
        "  ko: 전시작전통제권", "  ko: 전시작전통제권\n  zh-Hans: 战时作战指挥权"),
        encoding="utf-8")


def test_the_version_line_and_the_corrections_box_in_the_editions_concerned(
        project: Path) -> None:
    _version(project, '"1.1"')
    with (project / BRIEF).open("a", encoding="utf-8") as fh:
        fh.write("corrections:\n"
                 "  - id: fix-officials\n    date: 2027-03-12\n"
                 "    text: The second task was misdated.\n    audiences: [officials]\n"
                 "  - id: fix-public\n    date: 2027-02-01\n"
                 "    text: The plan's name is now spelt out.\n    exclude_audiences: "
                 "[officials]\n")
    _with_chinese(project)
    for lang, words in (("ko", "계획의 이름을 풀어 썼다."), ("zh-Hans", "计划名称已写全。")):
        path = project / f"content/briefs/demo/translations/{lang}.yaml"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"  fix-public:\n    text: {words}\n")
    result = _build(project)
    assert result.exit_code == 0, result.stderr
    expected = {
        ("officials", "en"): ("Version 1.1, corrected March 12, 2027",
                              "The second task was misdated.", "Corrections"),
        ("public", "en"): ("Version 1.1, corrected February 1, 2027",
                           "The plan’s name is now spelt out.", "Corrections"),
        ("public", "ko"): ("버전 1.1, 2027년 2월 1일 정정", "계획의 이름을 풀어 썼다.",
                           "정정 내역"),
        ("public", "zh-Hans"): ("第1.1版，2027年2月1日更正", "计划名称已写全。", "更正说明"),
    }
    others = {"The second task was misdated.", "The plan’s name is now spelt out."}
    for (audience, lang), (line, text, heading) in expected.items():
        stem = project / "build" / "demo" / audience / lang / f"demo-{audience}-{lang}"
        page = stem.with_suffix(".html").read_text(encoding="utf-8")
        assert (f'<p class="version"><data value="1.1">{line}</data></p>') in page
        assert f'<h2 id="corrections-heading">{heading}</h2>' in page
        assert text in page
        assert all(other not in page for other in others - {text})
        pdf = " ".join(page_text(stem.with_suffix(".pdf").read_bytes()).split())
        assert line in pdf.replace(" ,", ",")
        assert (heading.upper() if lang == "en" else heading) in pdf
        assert text in pdf
        assert all(other not in pdf for other in others - {text})


def test_a_brief_without_corrections_has_no_box(project: Path) -> None:
    result = _build(project, "--format", "html")
    assert result.exit_code == 0, result.stderr
    page = (project / "build/demo/public/en/demo-public-en.html").read_text(encoding="utf-8")
    assert 'class="corrections"' not in page
    assert 'class="version"' not in page


def test_the_revision_is_the_git_commit_unless_content_has_changes(project: Path) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is needed to test revisions")

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(project), "-c", "user.name=T", "-c",
                               "user.email=t@example.org", *args], check=True,
                              capture_output=True, text=True).stdout.strip()

    assert git_revision(project) == (None, False)  # not a repository
    git("init", "-q")
    assert git_revision(project) == (None, False)  # no commit yet
    git("add", "content")
    git("commit", "-qm", "content")
    assert git_revision(project) == (git("rev-parse", "HEAD"), False)
    (project / "build").mkdir()
    (project / "build" / "x.html").write_text("not content", encoding="utf-8")
    assert git_revision(project) == (git("rev-parse", "HEAD"), False)
    _set(project, "Two things lie ahead.", "Three things lie ahead.")
    assert git_revision(project) == (None, True)


def test_an_appended_release_reads_back_as_written(tmp_path: Path) -> None:
    """What `release` appends parses back, dirty flag included, after the earlier bytes."""
    import datetime as dt

    from briefgen.content.releases import (
        EditionRecord,
        Release,
        Released,
        appended,
        record_path,
    )

    def made(version: str, dirty: bool) -> Release:
        files = {f: Released(path=f"demo/public/ko/demo-public-ko.{f}", sha256="ab" * 32)
                 for f in ("html", "pdf")}
        return Release(version=version, date=dt.date(2027, 3, 12),
                       revision=None if dirty else "0123456789abcdef" * 2 + "01234567",
                       dirty=dirty, editions=[EditionRecord(audience="public", lang="ko",
                                                            **files)])

    first = appended(None, made("1.0", False))
    both = appended(first, made("1.1", True))
    assert both.startswith(first)
    path = record_path(tmp_path, "demo")
    path.parent.mkdir()
    path.write_bytes(both)
    releases, _ = read_record(tmp_path, "demo")
    assert releases == [made("1.0", False), made("1.1", True)]
    assert b"  dirty: true\n" in both[len(first):] and b"dirty" not in first


def test_release_names_an_unknown_brief(project: Path) -> None:
    result = run("release", "dmeo", "--version", "1.0", project=project)
    assert result.exit_code == 2
    assert "Invalid value for BRIEF: no brief 'dmeo' (did you mean 'demo'?)" in result.stderr


def test_the_shipped_brief_releases_and_rebuilds_identically(tmp_path: Path) -> None:
    """From a copy of the shipped content: every edition is released, and a forced
    rebuild makes the very files released (the build is deterministic)."""
    from conftest import REPO

    project = tmp_path / "shipped"
    shutil.copytree(REPO / "content", project / "content")
    (brief,) = (project / "content" / "briefs").iterdir()
    slug = brief.name
    _set(project, "\ndate: ", '\nversion: "1.0"\ndate: ',
         f"content/briefs/{slug}/brief.yaml")
    made = run("release", slug, "--version", "1.0", "-j", "2", "-q", project=project)
    assert made.exit_code == 0, made.stderr
    (record,) = YAML(typ="safe").load((project / "releases" / f"{slug}.yaml").read_bytes())
    assert {(e["audience"], e["lang"]) for e in record["editions"]} == {
        ("us-government", "en"), ("rok-public", "en"), ("rok-public", "ko"),
        ("beijing-outreach", "en"), ("beijing-outreach", "zh-Hans")}
    snapshot = project / "releases" / slug / "1.0" / "beijing-outreach" / "zh-Hans.html"
    assert '<p class="version"><data value="1.0">第1.0版</data></p>' in snapshot.read_text(
        encoding="utf-8")
    rebuilt = _build(project, "--force")
    assert rebuilt.exit_code == 0, rebuilt.stderr


def test_only_files_made_as_released_are_compared(project: Path) -> None:
    """check_released, on made-up manifest entries: a released file that matches passes;
    one that differs, and one of an edition the release lacks, fail; a page built without
    its PDF and a PDF of another variant are other files, not compared."""
    import datetime as dt

    from briefgen.build.manifest import ManifestEntry
    from briefgen.build.plan import Selection
    from briefgen.build.released import check_released
    from briefgen.content.project import load_project
    from briefgen.content.releases import EditionRecord, Release, Released, appended
    from briefgen.errors import Problems

    _version(project, '"1.0"')

    def path(audience: str, lang: str, fmt: str) -> str:
        return f"demo/{audience}/{lang}/demo-{audience}-{lang}.{fmt}"

    released = Release(version="1.0", date=dt.date(2027, 3, 1), revision=None, editions=[
        EditionRecord(audience="public", lang="en",
                      **{f: Released(path=path("public", "en", f), sha256="aa" * 32)
                         for f in ("html", "pdf")})])
    (project / "releases").mkdir()
    (project / "releases" / "demo.yaml").write_bytes(appended(None, released))

    def entry(audience: str, lang: str, fmt: str, digest: str) -> ManifestEntry:
        return ManifestEntry(brief="demo", audience=audience, language=lang, format=fmt,
                             path=path(audience, lang, fmt), title="t", sha256=digest,
                             bytes=1, key="k")

    entries = [entry("public", "en", "html", "aa" * 32), entry("public", "en", "pdf", "bb" * 32),
               entry("public", "ko", "html", "aa" * 32)]

    def found(selection: Selection) -> list[str]:
        problems = Problems()
        made = [e for e in entries if e.format in selection.formats]  # what a build makes
        check_released(load_project(project), made, selection, problems)
        assert all(p.code == "BG420" for p in problems.items)
        return [p.message.split(" (")[0] for p in problems.items]

    assert found(Selection()) == [
        "demo/public/en/demo-public-en.pdf differs from release 1.0 of 2027-03-01",
        "demo/public/ko/demo-public-ko.html is not part of release 1.0 of 2027-03-01"]
    assert found(Selection(formats=("html",))) == []  # pages that link to no PDF
    assert found(Selection(variant="pdf/a-3u")) == [
        "demo/public/ko/demo-public-ko.html is not part of release 1.0 of 2027-03-01"]
    assert found(Selection(variant="pdf/ua-1")) == found(Selection())  # the audience's own


@pytest.mark.parametrize("stamp", ["x", "1.7e9", "99999999999999999999"])
def test_a_malformed_source_date_epoch_is_an_error_not_a_traceback(
        project: Path, monkeypatch: pytest.MonkeyPatch, stamp: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", stamp)
    result = run("release", "demo", "--version", "1.0", project=project)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"SOURCE_DATE_EPOCH is {stamp!r}, not a whole number of seconds since 1970" \
        in result.output
