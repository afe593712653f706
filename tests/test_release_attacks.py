"""`briefgen release` against a hostile project (attack report 17): a build folder planted
with another page (M2), a release record in a form appending would corrupt (L1), a releases
folder leading into content/ (L2). The git revision's traps are in tests/test_gitread.py."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from briefgen.build import files

from conftest import run

BRIEF = "content/briefs/demo/brief.yaml"
PAGE = "demo/public/en/demo-public-en.html"
PLANTED = "<p>Officials-only recommendation: Do this quietly (planted in build/).</p>"


def versioned(project: Path, version: str = "1.0") -> Path:
    file = project / BRIEF
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("number:")) + 1
    file.write_text("".join([*lines[:at], f'version: "{version}"\n', *lines[at:]]),
                    encoding="utf-8")
    return project


def release(project: Path, version: str = "1.0") -> object:
    return run("release", "demo", "--version", version, "-j", "1", "-q", project=project)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# -- M2: a release renders every file it records ----------------------------------------------


def test_a_page_planted_in_the_build_folder_is_not_released(project: Path) -> None:
    """a15: the public page changed in build/ and its manifest entry updated to match: an
    ordinary build would keep it; a release renders it again from the content."""
    result = run("build", "-j", "1", "-q", project=versioned(project))
    assert result.exit_code == 0, result.stderr
    page = project / "build" / PAGE
    text = page.read_text(encoding="utf-8")
    planted = text.replace("<main", PLANTED + "<main", 1)
    assert planted != text
    page.write_text(planted, encoding="utf-8")
    manifest = project / "build" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for entry in data["artifacts"]:
        if entry["path"] == PAGE:
            entry["sha256"] = hashlib.sha256(planted.encode()).hexdigest()
            entry["bytes"] = len(planted.encode())
    manifest.write_text(json.dumps(data), encoding="utf-8")

    result = release(project)
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    snapshot = (project / "releases/demo/1.0/public/en.html").read_text(encoding="utf-8")
    assert "planted in build" not in snapshot
    assert "planted in build" not in page.read_text(encoding="utf-8")
    record = YAML(typ="safe").load((project / "releases/demo.yaml").read_text(encoding="utf-8"))
    (public,) = [e for e in record[0]["editions"] if (e["audience"], e["lang"]) ==
                 ("public", "en")]
    assert public["html"]["sha256"] == hashlib.sha256(page.read_bytes()).hexdigest() == \
        hashlib.sha256(snapshot.encode()).hexdigest()


def test_a_file_changed_after_the_build_wrote_it_is_not_released(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between the build's write and the release's read, the page is changed (another
    process): the release compares it with what it rendered and writes nothing."""
    def tamper(path: Path) -> None:
        if path.as_posix().endswith(PAGE):
            path.write_text(PLANTED, encoding="utf-8")

    monkeypatch.setattr(files, "after_rename", tamper)
    result = release(versioned(project))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr == (  # type: ignore[attr-defined]
        f"briefgen: {PAGE} changed after the build wrote it; nothing was released (release "
        "again)\n")
    assert not (project / "releases").exists()


# -- L1: the record takes one more release, or nothing is written -----------------------------


RECORDS = {
    # style: (the record, the line after which the release would go)
    "flow": ('[{version: "0.9", date: 2026-01-01, revision: null, editions: []}]\n', 1),
    "empty-flow": ("[]\n", 1),
    "indented": ('  - version: "0.9"\n    date: 2026-01-01\n    revision: null\n'
                 "    editions: []\n", 4),
    "docend": ('- version: "0.9"\n  date: 2026-01-01\n  revision: null\n  editions: []\n'
               "...\n", 5),
    "docend-comment": ('- version: "0.9"\n  date: 2026-01-01\n  revision: null\n'
                       "  editions: []\n...\n# the end\n", 5),
}
#: records that are no valid record already: their own error, before the append is tried
INVALID = {
    "next-document": ('- version: "0.9"\n  date: 2026-01-01\n  revision: null\n'
                      "  editions: []\n---\n",
                      "releases/demo.yaml:5:1: YAML syntax error: but found another document"),
}


@pytest.mark.parametrize("style", list(RECORDS))
def test_a_record_appending_would_corrupt_is_refused_at_its_line(project: Path,
                                                                 style: str) -> None:
    """a04's variants: the release stops before building, and the record is unchanged."""
    text, line = RECORDS[style]
    record = project / "releases" / "demo.yaml"
    record.parent.mkdir()
    record.write_text(text, encoding="utf-8")
    result = release(versioned(project))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr == (  # type: ignore[attr-defined]
        f"releases/demo.yaml:{line}:1: release 1.0 cannot be appended after this line: the "
        "record does not parse; nothing was written (keep the record as `briefgen release` "
        "writes it: each release a `- version:` item at column 1, in block style, nothing "
        "after the last one but comments)\nbriefgen: 1 error in 1 file\n")
    assert record.read_text(encoding="utf-8") == text
    assert tree(project / "releases") == {"demo.yaml": text.encode()}
    assert not (project / "build").exists()  # refused before anything was built


@pytest.mark.parametrize("style", list(INVALID))
def test_a_record_that_is_no_record_is_its_own_error(project: Path, style: str) -> None:
    text, message = INVALID[style]
    record = project / "releases" / "demo.yaml"
    record.parent.mkdir()
    record.write_text(text, encoding="utf-8")
    result = release(versioned(project))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr == f"{message}\nbriefgen: 1 error in 1 file\n"  # type: ignore
    assert record.read_text(encoding="utf-8") == text


def test_a_record_reading_back_otherwise_is_refused() -> None:
    """The result must be the old releases and the new one: a record whose text would
    swallow the new entry (an open block scalar) is refused though it parses."""
    import datetime as dt

    from briefgen.content.releases import EditionRecord, Release, Released, appended
    from briefgen.errors import BriefError

    files_ = {f: Released(path=f"demo/public/en/demo-public-en.{f}", sha256="ab" * 32)
              for f in ("html", "pdf")}
    new = Release(version="1.1", date=dt.date(2027, 3, 12), revision=None,
                  editions=[EditionRecord(audience="public", lang="en", **files_)])
    old = b'- version: "1.0"\n  date: 2027-03-01\n  revision: null\n  editions: []\n'
    assert appended(old, new, "releases/demo.yaml").startswith(old)  # the ordinary case
    with pytest.raises(BriefError) as caught:
        appended(old.replace(b"editions: []", b"editions: []\n  note: |"), new,
                 "releases/demo.yaml")
    (problem,) = caught.value.problems
    assert (problem.path, problem.line, problem.col, problem.code) == (
        "releases/demo.yaml", 5, 1, "BG533")
    assert problem.message.startswith("release 1.1 cannot be appended after this line: "
                                      "the record ")


def test_a_record_with_comments_and_crlf_lines_still_takes_a_release(project: Path) -> None:
    record = project / "releases" / "demo.yaml"
    record.parent.mkdir()
    old = ('# our releases\r\n- version: "0.9"\r\n  date: 2026-01-01\r\n  revision: null\r\n'
           "  editions: []\r\n# last line, no newline")
    record.write_bytes(old.encode())
    result = release(versioned(project))
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    assert record.read_bytes().startswith(old.encode())
    data = YAML(typ="safe").load(record.read_text(encoding="utf-8"))
    assert [r["version"] for r in data] == ["0.9", "1.0"]


# -- L2: a release writes into releases/ only -------------------------------------------------


@pytest.mark.parametrize(("target", "why"), [
    ("content/audiences", "into the content folder"),  # a23
    ("content", "into the content folder"),
    ("templates", "into the templates folder"),
    ("build", "into the output folder"),
    (".", "to the project folder itself"),
    ("..", "outside the project folder"),
    ("docs/..", "to the project folder itself"),
])
def test_a_releases_folder_leading_into_the_project_s_own_folders_is_refused(
        project: Path, target: str, why: str) -> None:
    (project / "templates").mkdir(exist_ok=True)
    (project / "build").mkdir(exist_ok=True)
    (project / "docs").mkdir(exist_ok=True)
    (project / "releases").symlink_to(target)
    before = tree(versioned(project))
    result = release(project)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr == (  # type: ignore[attr-defined]
        f"releases: the releases folder leads {why}: a release writes only into releases/; "
        "nothing was written (make releases/ an ordinary folder of the project, not a "
        "link)\nbriefgen: 1 error in 1 file\n")
    after = tree(project)
    assert after == before  # content/ untouched; nothing built


def test_a_link_inside_releases_leading_into_content_is_refused(project: Path) -> None:
    (project / "releases").mkdir()
    (project / "releases" / "demo").symlink_to("../content/briefs/demo")
    before = tree(versioned(project) / "content")
    result = release(project)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr.startswith(  # type: ignore[attr-defined]
        f"briefgen: refusing to write {project.resolve()}/releases/demo/1.0/")
    assert "it leads outside the output folder" in result.stderr  # type: ignore[attr-defined]
    assert tree(project / "content") == before


def test_a_release_never_records_a_file_its_build_kept(project: Path) -> None:
    """Defence in depth behind Options(force=True): an entry the build kept is refused."""
    from briefgen.build.manifest import read_manifest
    from briefgen.build.plan import FORMATS
    from briefgen.commands.release import _editions
    from briefgen.content.project import load_project
    from briefgen.errors import BriefError

    result = run("build", "-j", "1", "-q", project=project)
    assert result.exit_code == 0, result.stderr
    entries = read_manifest(project / "build" / "manifest.json", FORMATS)
    with pytest.raises(BriefError) as caught:
        _editions(load_project(project), "demo", project / "build", [], entries)
    (problem,) = caught.value.problems
    assert (problem.code, problem.message) == (
        "BG535", "the build kept demo/officials/en/demo-officials-en.html from an earlier "
        "build; a release records only files it rendered")
