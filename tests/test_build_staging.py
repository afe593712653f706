"""A build stages each file as soon as it is made (it holds no file's bytes, no page once
staged), yet publishes nothing unless everything succeeded: a build that fails or is killed
in a later job leaves the previous build as it was, and no staged file or folder behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import briefgen.build.run as run_module
from briefgen.build.files import Staging, remove_leftovers
from briefgen.build.run import Options, Selection, build
from briefgen.content.project import load_project
from briefgen.errors import BriefError

from conftest import run
from tiny import BODY_LINE, brief_yaml, make_project, translation_yaml

HTML = Selection(formats=("html",))


def tree(out: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under out, hidden ones included."""
    return {p.relative_to(out).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(out.rglob("*"))}


def built(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes | None]]:
    """A project built once (HTML), then edited so that every page changes."""
    root = make_project(tmp_path / "p", "Text.\n")
    out = tmp_path / "out"
    build(load_project(root), Options(out, HTML))
    before = tree(out)
    brief = root / "content/briefs/tiny/brief.yaml"
    brief.write_text(brief_yaml("Text, edited.\n"))
    (brief.parent / "translations").mkdir()  # a new edition: a folder the build makes
    (brief.parent / "translations/ko.yaml").write_text(translation_yaml("본문.\n"))
    return root, out, before


def test_a_build_failing_in_a_later_job_leaves_the_previous_build_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, out, before = built(tmp_path)
    staged: list[Path] = []
    add = Staging.add

    def spy(self: Staging, path: Path, data: bytes) -> None:
        add(self, path, data)
        staged.append(self.staged[-1][0])

    real = run_module.render_edition
    calls = []

    def failing(*args: object, **kwargs: object) -> str:
        calls.append(1)
        if len(calls) == 3:  # the last page: two are staged by now
            raise RuntimeError("a bug in a later job")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Staging, "add", spy)
    monkeypatch.setattr(run_module, "render_edition", failing)
    with pytest.raises(RuntimeError, match="a bug in a later job"):
        build(load_project(root), Options(out, HTML))
    assert len(staged) == 2 and all(p.name.startswith(".") for p in staged)
    assert not any(p.exists() for p in staged)
    assert tree(out) == before  # byte for byte; no staged file, no folder made for one


def test_a_leak_in_a_later_page_publishes_nothing(tmp_path: Path) -> None:
    root, out, before = built(tmp_path)
    brief = root / "content/briefs/tiny/brief.yaml"
    # officials' page is made (and staged) first; pub's, later, leaks
    brief.write_text(brief_yaml("Text about the secret annex.\n"))
    with pytest.raises(BriefError) as exc:
        build(load_project(root), Options(out, HTML))
    assert [(p.code, p.path, p.line) for p in exc.value.problems] == [
        ("BG350", "content/briefs/tiny/brief.yaml", BODY_LINE)]
    assert tree(out) == before
    fresh = tmp_path / "fresh"
    with pytest.raises(BriefError):
        build(load_project(root), Options(fresh, HTML))
    assert not fresh.exists()  # the folder the build made, with what it staged, is gone


_KILL = """
import os, signal, sys
from briefgen.build.files import Staging
from briefgen.build.run import Options, Selection, build
from briefgen.content.project import load_project
add = Staging.add
def add_then_die(self, path, data):
    add(self, path, data)
    if path.name.endswith("-ko.html"):  # staged in a folder this build made
        os.kill(os.getpid(), signal.SIGKILL)
Staging.add = add_then_die
from pathlib import Path
build(load_project(Path(sys.argv[1])), Options(Path(sys.argv[2]), Selection(formats=("html",))))
"""


def test_a_killed_builds_staged_files_are_hidden_and_removed_by_the_next(
        tmp_path: Path) -> None:
    root, out, before = built(tmp_path)
    killed = subprocess.run([sys.executable, "-c", _KILL, str(root), str(out)],
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert killed.returncode == -9, killed.stderr
    left = {p: d for p, d in tree(out).items() if p not in before}
    assert left and all(d is None or p.rsplit("/", 1)[-1].startswith(".") and
                        p.endswith(".tmp") for p, d in left.items())
    assert {p: d for p, d in tree(out).items() if p in before} == before  # untouched
    remove_leftovers(out)  # what the next build does first
    assert tree(out) == before
    build(load_project(root), Options(out, HTML))
    assert (out / "tiny/pub/ko/tiny-pub-ko.html").is_file()
    assert not [p for p in tree(out) if p.endswith(".tmp")]


def two_briefs(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "p", "Text.\n", "본문.\n")
    briefs = root / "content/briefs"
    shutil.copytree(briefs / "tiny", briefs / "other")
    (briefs / "other/brief.yaml").write_text(brief_yaml("Other text.\n", "Another brief"))
    return root


def test_a_lazy_project_holds_one_brief_and_reads_the_others_again_as_validated(
        tmp_path: Path) -> None:
    root = two_briefs(tmp_path)
    eager, lazy = load_project(root), load_project(root, lazy=True)
    assert list(lazy.briefs) == list(eager.briefs) == ["other", "tiny"]
    assert list(lazy.briefs._held) == ["tiny"]  # the last one loaded
    for slug in ("other", "tiny"):
        again, first = lazy.briefs[slug], eager.briefs[slug]
        assert list(lazy.briefs._held) == [slug]
        assert (again.brief, again.translations.keys(), again.units.keys(), again.doc.data) \
            == (first.brief, first.translations.keys(), first.units.keys(), first.doc.data)
        assert lazy.editions(slug) == eager.editions(slug)
    # nothing of a brief is kept in the session either (the audiences are)
    assert sorted(doc.path for _, doc in lazy.session.documents.values()) == [
        "content/audiences/officials.yaml", "content/audiences/pub.yaml"]
    out_eager, out_lazy = tmp_path / "eager", tmp_path / "lazy"
    build(eager, Options(out_eager, HTML))
    build(lazy, Options(out_lazy, HTML))
    assert tree(out_lazy) == tree(out_eager) and len(tree(out_lazy)) > 10


def test_a_brief_changed_after_it_was_validated_is_not_built(tmp_path: Path) -> None:
    root = two_briefs(tmp_path)
    project = load_project(root, lazy=True)
    # saved after validation: what would be built is not what was checked
    (root / "content/briefs/other/brief.yaml").write_text(
        brief_yaml("Text about the secret annex.\n", "Another brief"))
    with pytest.raises(BriefError) as exc:
        build(project, Options(tmp_path / "out", HTML))
    assert [(p.code, p.path, p.line, p.message, p.hint) for p in exc.value.problems] == [
        ("BG166", "content/briefs/other", 0,
         "its files changed while briefgen was building; nothing was written", "build again")]
    assert not (tmp_path / "out").exists()


def test_a_brief_changed_and_put_back_around_its_read_again_is_not_built(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A, B, A: the file is B while the lazy build reads it again, A before and after, so
    its digest is the one validated. B never passed validation (an exclusion of a
    misspelt audience, BG142): found by an attacker helper, built with exit 0."""
    import briefgen.content.project as project_module

    root = two_briefs(tmp_path)
    path = root / "content/briefs/other/brief.yaml"
    a = path.read_text()
    b = a.replace("Other text.", "UNVALIDATED text.")
    assert b != a
    project = load_project(root, lazy=True)
    real = project_module._load_brief

    def swapped(folder: Path, *args: object, **kwargs: object) -> object:
        if folder.name != "other":
            return real(folder, *args, **kwargs)  # type: ignore[arg-type]
        path.write_text(b)
        try:
            return real(folder, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            path.write_text(a)

    monkeypatch.setattr(project_module, "_load_brief", swapped)
    with pytest.raises(BriefError) as exc:
        build(project, Options(tmp_path / "out", HTML))
    assert [p.code for p in exc.value.problems] == ["BG166"]
    assert not (tmp_path / "out").exists()


def test_a_page_that_fails_the_guard_is_never_staged(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Staged files are hidden but on disk: a killed build would leave a leaking one."""
    from briefgen.build import files

    staged: list[tuple[str, bytes]] = []
    real = files.Staging.add

    def recording(self, path, data):  # type: ignore[no-untyped-def]
        staged.append((str(path), data))
        return real(self, path, data)

    monkeypatch.setattr(files.Staging, "add", recording)
    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "A sentence with", "A sentence about the secret annex with", 1), encoding="utf-8")
    result = run("build", "--format", "html", "--out", str(tmp_path / "out"), project=project)
    assert result.exit_code == 1
    assert staged  # the officials' pages, made before the public one leaked
    assert not any(b"secret annex" in data and "/public/" in path for path, data in staged)
