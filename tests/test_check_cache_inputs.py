"""What a brief's editions are made from is what its key covers (content/project.py:Digests):
its own folder, symbolic links to folders followed, and every file of content/ outside
briefs/. A warm check (and an incremental build) must see an edit wherever a brief reads it:
an image shared by briefs, a translation reached through a linked folder. An image in another
brief's folder is refused (BG244). Above all, the class: every file a check or a build opens
under content/ lies in a tree the key hashed (an audit hook records the opens)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.commands.check import check_project
from briefgen.content import project as project_module
from briefgen.paths import read_roots
from tests.conftest import run
from tests.test_check_cache import _edit, _problems

BRIEF = "content/briefs/demo/brief.yaml"
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10">'
       '<text x="1" y="8">{}</text></svg>')


@pytest.fixture(autouse=True)
def warnings_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache's warnings are given once per process: once per test here."""
    from briefgen.content import yamlread

    monkeypatch.setattr(yamlread, "_warned", set())


@pytest.fixture
def cached(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(tmp_path / "cache"))
    return project


def _codes(root: Path, **kwargs: object) -> list[str]:
    """The code and file of each error a check finds."""
    return _problems(root, lambda p: f"{p.code} {p.path}" if p.severity == "error" else "",
                     **kwargs)


def _leaks(root: Path, **kwargs: object) -> int:
    return sum(code.startswith("BG350") for code in _codes(root, **kwargs))


def test_an_edit_of_an_image_shared_from_outside_briefs_is_seen(cached: Path) -> None:
    (cached / "content/images").mkdir()
    (cached / "content/images/map.svg").write_text(SVG.format("Harbour"))
    _edit(cached / BRIEF, "A sentence with", "A sentence with ![a map](../../images/map.svg)")
    assert _codes(cached) == []
    (cached / "content/images/map.svg").write_text(SVG.format("the secret annex"))
    warm = _leaks(cached)
    assert warm > 0 and warm == _leaks(cached, cache=False)


def test_an_edit_through_a_linked_translations_folder_is_seen(cached: Path) -> None:
    brief = cached / "content/briefs/demo"
    (cached / "content/xlat").mkdir()
    shutil.move(brief / "translations", cached / "content/xlat/demo")
    (brief / "translations").symlink_to("../../xlat/demo")
    assert _codes(cached) == []
    ko = cached / "content/xlat/demo/ko.yaml"
    _edit(ko, "“따옴표”와", "secret annex “따옴표”와")
    warm = _codes(cached)
    assert any(c.startswith("BG350") for c in warm) and warm == _codes(cached, cache=False)


def test_an_image_in_another_briefs_folder_is_refused(project: Path) -> None:
    shutil.copytree(project / "content/briefs/demo", project / "content/briefs/other")
    _edit(project / BRIEF, "A sentence with", "A sentence with ![a chart](../other/chart.png)")
    result = run("check", project=project)
    assert result.exit_code == 1
    assert ("image '../other/chart.png' is in another brief's folder (put an image that "
            "briefs share in a folder of content/ outside briefs/, e.g. content/images/)"
            ) in result.stderr
    assert "BG244" in run("check", "--output-format", "json", project=project).stderr


def test_the_tree_follows_linked_folders_once_and_never_leaves_the_roots(
        tmp_path: Path) -> None:
    root = tmp_path / "p"
    brief = root / "content/briefs/b"
    (brief / "real").mkdir(parents=True)
    (brief / "real/a.yaml").write_text("a")
    (brief / "linked").symlink_to("real")
    (brief / "loop").symlink_to(".")
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret/key").write_text("k")
    (brief / "out").symlink_to(tmp_path / "secret")
    os.mkfifo(brief / "fifo")
    found = sorted(p.relative_to(brief).as_posix()
                   for p in project_module._tree(brief, read_roots(root)))
    assert found == ["linked", "loop", "out", "real/a.yaml"]  # each real folder once


def test_a_tree_of_links_is_walked_once_per_real_folder(tmp_path: Path) -> None:
    """Each folder with two links to the next: 2**depth paths, and depth + 1 folders."""
    root = tmp_path / "p"
    folder = root / "content/briefs/b"
    depth = 40
    for n in range(depth):
        (folder / f"d{n}").mkdir(parents=True)
    for n in range(depth - 1):
        for name in ("x", "y"):
            (folder / f"d{n}" / name).symlink_to(folder / f"d{n + 1}")
    (folder / f"d{depth - 1}" / "brief.yaml").write_text("x")
    found = project_module._tree(folder, read_roots(root))
    assert len(found) == 2 * (depth - 1) + 1  # each link listed as itself, and the file


def test_a_tree_past_its_limit_never_hashes_the_same_twice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "p/content/briefs/b"
    folder.mkdir(parents=True)
    for n in range(5):
        (folder / f"{n}.yaml").write_text("x")
    roots = read_roots(tmp_path / "p")
    assert project_module._digest_files(folder, project_module._tree(folder, roots), roots) == \
        project_module._digest_files(folder, project_module._tree(folder, roots), roots)
    monkeypatch.setattr(project_module, "MAX_TREE", 3)
    assert project_module._digest_files(folder, project_module._tree(folder, roots), roots) != \
        project_module._digest_files(folder, project_module._tree(folder, roots), roots)


@pytest.fixture
def opened() -> Iterator[list[str]]:
    """Every path the process opens while the test runs (sys.addaudithook: "open")."""
    seen: list[str] = []
    active = [True]

    def hook(event: str, args: tuple[object, ...]) -> None:
        if active[0] and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            seen.append(os.fsdecode(args[0]))

    sys.addaudithook(hook)  # cannot be removed: switched off after the test
    yield seen
    active[0] = False


def test_every_file_a_check_or_build_opens_under_content_is_in_a_hashed_tree(
        project: Path, tmp_path: Path, opened: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The class behind the cases above: whatever a brief reads (images shared or linked,
    translations through a linked folder, charts, references), its key covers."""
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", "")  # every file parsed, none from a cache
    content = project / "content"
    (content / "images").mkdir()
    (content / "images/map.svg").write_text(SVG.format("Harbour"))
    brief = content / "briefs/demo"
    (brief / "pictures").symlink_to("../../images")
    (content / "xlat").mkdir()
    shutil.move(brief / "translations", content / "xlat/demo")
    (brief / "translations").symlink_to("../../xlat/demo")
    _edit(brief / "brief.yaml", "A sentence with",
          "A sentence with ![a map](../../images/map.svg) ![the map](pictures/map.svg) "
          "![a chart](chart.png)")
    check_project(project, cache=False)
    result = run("build", "--format", "html", "--out", str(tmp_path / "out"), project=project)
    assert result.exit_code == 0, result.stderr
    check_project(project, cache=False)  # again, in this process: what the hook records
    roots = read_roots(project)
    covered = {Path(os.path.realpath(p)) for p in [
        *project_module._tree(content, roots, skip="briefs"),
        *(f for d in (content / "briefs").iterdir() for f in project_module._tree(d, roots))]}
    real = Path(os.path.realpath(content))
    read = {Path(os.path.realpath(p)) for p in opened}
    under = {p for p in read if p.is_relative_to(real) and p.is_file()}
    assert {p.name for p in under} >= {"brief.yaml", "ko.yaml", "map.svg", "chart.png",
                                       "public.yaml"}
    assert under - covered == set()


def test_an_incremental_build_sees_an_edit_of_a_shared_image(cached: Path,
                                                              tmp_path: Path) -> None:
    (cached / "content/images").mkdir()
    (cached / "content/images/map.svg").write_text(SVG.format("Harbour"))
    _edit(cached / BRIEF, "A sentence with", "A sentence with ![a map](../../images/map.svg)")
    out = str(tmp_path / "out")
    assert run("build", "--format", "html", "--out", out, project=cached).exit_code == 0
    (cached / "content/images/map.svg").write_text(SVG.format("Harbour, the secret annex"))
    again = run("build", "--format", "html", "--out", out, project=cached)
    assert again.exit_code == 1 and "BG350" in run(
        "build", "--format", "html", "--out", out, "--output-format", "json",
        project=cached).stderr


def test_a_file_written_while_a_check_reads_it_keeps_nothing(
        cached: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files are hashed before they are read: one swapped in between (and put back after)
    must not leave a result for bytes that were never checked."""
    brief = cached / BRIEF
    clean = brief.read_text(encoding="utf-8")
    leaking = clean.replace("A sentence with", "A sentence about the secret annex with", 1)
    brief.write_text(leaking, encoding="utf-8")
    real = project_module.source_digests

    def then_swapped(*args: object) -> project_module.Digests:
        digests = real(*args)  # type: ignore[arg-type]
        brief.write_text(clean, encoding="utf-8")  # what the loader will read
        return digests

    monkeypatch.setattr(project_module, "source_digests", then_swapped)
    assert _codes(cached) == []  # it checked the clean text, under the leaking text's hash
    monkeypatch.setattr(project_module, "source_digests", real)
    brief.write_text(leaking, encoding="utf-8")  # put back: the bytes that were hashed
    assert _leaks(cached) > 0 and _leaks(cached) == _leaks(cached, cache=False)


# -- a cache folder the project could reach -----------------------------------------------------


def test_a_cache_folder_inside_the_project_or_relative_is_not_used(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(project / ".cache"))
    result = run("check", project=project)
    assert result.exit_code == 0
    assert (f"briefgen: warning: cache off: the cache folder {project / '.cache'} is inside "
            f"{project}, which a commit can write") in result.stderr
    monkeypatch.chdir(project)
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", "cache")
    result = run("check", project=project)
    assert "briefgen: warning: cache off: BRIEFGEN_CACHE_DIR=cache is not an absolute path" \
        in result.stderr
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


def test_a_planted_fifo_or_linked_folder_in_the_cache_is_neither_waited_on_nor_written_through(
        project: Path, tmp_path: Path) -> None:
    import subprocess

    cache = tmp_path / "cache"
    env = {**os.environ, "BRIEFGEN_CACHE_DIR": str(cache)}

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "briefgen", "check"], cwd=project,
                              env=env, capture_output=True, text=True, timeout=120)

    assert check().returncode == 0
    entries = sorted((cache / "check").glob("*.json"))
    assert entries
    for entry in entries:  # every entry a FIFO: a reader that opened one would wait forever
        entry.unlink()
        os.mkfifo(entry)
    assert check().returncode == 0
    shutil.rmtree(cache / "check")
    (cache / "check").symlink_to(project / "content/briefs/demo")
    before = sorted(os.listdir(project / "content/briefs/demo"))
    result = check()
    assert result.returncode == 0
    assert sorted(os.listdir(project / "content/briefs/demo")) == before
    assert f"briefgen: warning: cache off: {cache / 'check'} is or passes a symbolic link" \
        in result.stderr


def test_a_key_or_cache_in_the_checkout_outside_the_project_is_not_used(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The project in docs/ of a repository: the whole work tree is the pull request's."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    shutil.move(project, repo / "docs")
    docs = repo / "docs"
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(repo / "scripts"))
    result = run("check", project=docs)
    assert result.exit_code == 0 and not (repo / "scripts").exists()
    assert (f"cache off: the cache folder {repo / 'scripts'} is inside {repo}, which a "
            "commit can write") in result.stderr
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(repo / ".config"))
    result = run("check", project=docs)
    assert result.exit_code == 0
    assert not (repo / ".config").exists() and not (tmp_path / "cache").exists()
    assert (f"cache off: the cache key {repo / '.config/briefgen/cache.key'} is inside "
            f"{repo}, which a commit can write") in result.stderr


def test_changed_reads_the_index_a_partial_commit_records(project: Path) -> None:
    """A hook of `git commit PATHS` gets GIT_INDEX_FILE: the index of that commit."""
    import subprocess

    def git(*args: str, env: dict[str, str] | None = None) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                       cwd=project, check=True, capture_output=True, env=env)

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "one")
    _edit(project / BRIEF, "A sentence with", "A sentence, edited, with")
    git("add", BRIEF)
    assert run("check", "--changed", project=project).exit_code == 0
    other = project.parent / "partial-index"  # what `git commit content/terms.yaml` stages
    git("read-tree", "HEAD", env={**os.environ, "GIT_INDEX_FILE": str(other)})
    os.environ["GIT_INDEX_FILE"] = str(other)
    try:
        result = run("check", "--changed", project=project)
    finally:
        del os.environ["GIT_INDEX_FILE"]
    assert result.exit_code == 1 and "differ from what is staged" in result.stderr


def test_a_file_name_that_is_not_utf8_is_no_traceback(project: Path) -> None:
    name = os.fsdecode(b"notes-\xff.txt")
    (project / "content/briefs/demo" / name).write_bytes(b"x")
    (project / "content" / name).write_bytes(b"x")
    result = run("check", project=project)
    assert result.exit_code == 0 and "Traceback" not in result.stderr
