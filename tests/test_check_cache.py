"""`check` keeps what it found per brief and audience (commands/checked.py): a second check
renders only what changed, finds exactly what a check from scratch finds, and never trusts
an entry it cannot prove it wrote for these inputs."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from briefgen.commands import check as check_module
from briefgen.commands.check import check_project
from briefgen.content import yamlread
from briefgen.errors import BriefError, Problem
from tests.conftest import run

BRIEF = "content/briefs/demo/brief.yaml"
OTHER = "content/briefs/demo-two/brief.yaml"


@pytest.fixture
def two(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The valid project with a second brief, and a cache folder of its own."""
    shutil.copytree(project / "content/briefs/demo", project / "content/briefs/demo-two")
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(tmp_path / "cache"))
    return project


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(brief, audience) of every brief's editions check renders (not taken from the cache)."""
    calls: list[tuple[str, str]] = []
    real = check_module.plan

    def counting(project, selection, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((selection.briefs[0], selection.audiences[0]))
        return real(project, selection, *args, **kwargs)

    monkeypatch.setattr(check_module, "plan", counting)
    return calls


ALL = [("demo", "officials"), ("demo", "public"), ("demo-two", "officials"),
       ("demo-two", "public")]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(root: Path, show: Callable[[Problem], str] = str, **kwargs: object
              ) -> list[str]:
    """What check_project finds, each problem as `show` puts it ("" leaves it out)."""
    try:
        found = check_project(root, **kwargs)  # type: ignore[arg-type]
    except BriefError as exc:
        found = exc.problems
    return sorted(shown for p in found if (shown := show(p)))


def test_a_second_check_renders_nothing_and_finds_the_same(
        two: Path, rendered: list[tuple[str, str]]) -> None:
    _edit(two / BRIEF, "A sentence with", "A sentence about the secret annex with")
    first = _problems(two)
    assert rendered == ALL and any("secret annex" in p for p in first)
    rendered.clear()
    assert _problems(two) == first and rendered == []  # the errors, found again
    _edit(two / BRIEF, "A sentence about the secret annex with", "A sentence with")
    cold = _problems(two, cache=False)
    rendered.clear()
    warm = _problems(two)
    assert rendered == [("demo", "officials"), ("demo", "public")]  # demo-two was kept
    rendered.clear()
    assert _problems(two) == warm == cold
    assert rendered == []


def test_an_edit_re_renders_only_its_brief(two: Path, rendered: list[tuple[str, str]]
                                           ) -> None:
    check_project(two)
    rendered.clear()
    _edit(two / OTHER, "Officials-only paragraph", "An edited officials-only paragraph")
    check_project(two)
    assert rendered == [("demo-two", "officials"), ("demo-two", "public")]


def test_a_new_forbidden_phrase_is_found_in_every_kept_edition_of_its_audience(
        two: Path, rendered: list[tuple[str, str]]) -> None:
    check_project(two)
    rendered.clear()
    # a phrase every public edition shows: a clean result kept from before must not stand
    _edit(two / "content/audiences/public.yaml", "forbidden_phrases: [secret annex]",
          "forbidden_phrases: [secret annex, public-only span]")
    warm = _problems(two)
    assert set(rendered) == set(ALL)  # an audience file is shared: every brief again
    assert sum("BG350" in p or "forbidden phrase 'public-only span'" in p for p in warm) >= 2
    assert warm == _problems(two, cache=False)


def test_a_template_change_re_renders_every_brief(two: Path, rendered: list[tuple[str, str]]
                                                  ) -> None:
    check_project(two)
    rendered.clear()
    (two / "templates/sections").mkdir(parents=True)
    shutil.copy(Path(check_module.__file__).parents[2] / "templates/sections/prose.html.j2",
                two / "templates/sections/prose.html.j2")
    check_project(two)
    assert sorted(rendered) == ALL


def test_an_entry_this_machine_did_not_sign_is_not_trusted(
        two: Path, tmp_path: Path, rendered: list[tuple[str, str]]) -> None:
    """The attack: a cache restored from elsewhere (or edited) says a leaking brief is
    clean. Unsigned, re-signed with another key, or edited: each is ignored."""
    _edit(two / BRIEF, "A sentence with", "A sentence about the secret annex with")
    leak = _problems(two)
    assert any("secret annex" in p for p in leak)
    files = sorted((tmp_path / "cache/check").glob("*.json"))
    assert len(files) == 2
    for forge in ("unsigned", "other key", "edited"):
        for file in files:
            raw = file.read_bytes()
            body = json.loads(b"{" + raw[len(b'{"mac":"') + 66:])
            for result in body["results"].values():
                result["problems"] = []  # "nothing wrong here"
            data = json.dumps(body, separators=(",", ":")).encode()
            if forge == "unsigned":
                file.write_bytes(data)
            elif forge == "other key":
                mac = yamlread._mac(b"k" * 32, data)
                file.write_bytes(b'{"mac":"' + mac + b'",' + data[1:])
            else:
                file.write_bytes(raw[:len(b'{"mac":"') + 66] + data[1:])
        rendered.clear()
        assert _problems(two) == leak, forge
        assert ("demo", "public") in rendered, forge


def test_no_cache_neither_reads_nor_writes(two: Path, tmp_path: Path,
                                           rendered: list[tuple[str, str]]) -> None:
    check_project(two, cache=False)
    check_project(two, cache=False)
    assert rendered == ALL + ALL
    assert not (tmp_path / "cache/check").exists()


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=root, check=True, capture_output=True)


def test_a_check_after_a_commit_renders_the_briefs_it_touched_and_never_skips_an_unchecked_one(
        two: Path, rendered: list[tuple[str, str]]) -> None:
    """No check is ever narrowed to a list of files: a brief is taken as valid only from a
    check that rendered it with its current files (a narrowed check once passed briefs no
    check had seen, with no cache at all)."""
    assert run("check", "--no-cache", project=two).exit_code == 0
    assert sorted(rendered) == ALL  # no cache: everything, whatever changed
    rendered.clear()
    assert run("check", project=two).exit_code == 0
    assert sorted(rendered) == ALL  # the first check with a cache: everything
    _edit(two / OTHER, "Officials-only paragraph", "An edited officials-only paragraph")
    rendered.clear()
    assert run("check", project=two).exit_code == 0
    assert rendered == [("demo-two", "officials"), ("demo-two", "public")]
    _edit(two / "content/terms.yaml", "\n", "\n# a comment\n")
    rendered.clear()
    assert run("check", project=two).exit_code == 0
    assert sorted(rendered) == ALL  # a shared file: every brief again


def test_changed_checks_only_a_work_tree_that_is_what_the_commit_holds(two: Path) -> None:
    _git(two, "init", "-q")
    _git(two, "add", ".")
    assert run("check", "--changed", project=two).exit_code == 0  # before a first commit
    _git(two, "commit", "-q", "-m", "one")
    assert run("check", "--changed", project=two).exit_code == 0
    message = ("briefgen: check --changed: files under content/ or templates/ differ from what "
               "is staged (edited or new files the commit would not hold); the check reads "
               "the files, the commit takes the index (stage them, or set them aside with git "
               "stash --keep-index --include-untracked)\n")
    # a leak staged, then undone in the work tree only: the commit would hold the leak
    _edit(two / OTHER, "A sentence with", "A sentence about the secret annex with")
    _git(two, "add", OTHER)
    _edit(two / OTHER, "A sentence about the secret annex with", "A sentence with")
    result = run("check", "--changed", project=two)
    assert (result.exit_code, result.stderr) == (1, message)
    _git(two, "add", OTHER)
    assert run("check", "--changed", project=two).exit_code == 0
    (two / "content/briefs/demo-two/translations/draft.yaml").write_text("x: 1\n")
    result = run("check", "--changed", project=two)  # a new file the commit would not hold
    assert (result.exit_code, result.stderr) == (1, message)


def test_changed_outside_a_git_work_tree_is_an_error(two: Path) -> None:
    result = run("check", "--changed", project=two)
    assert result.exit_code == 1
    assert result.stderr == (
        f"briefgen: check --changed: cannot read what the commit changes in {two} (git "
        "failed: fatal: not a git repository (or any of the parent directories): .git)\n")


# -- a brief found valid before, with the same files, is not even loaded ----------------------


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The brief.yaml files load_project reads and validates."""
    from briefgen.content import project as project_module

    calls: list[str] = []
    real = project_module._load

    def counting(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if path.name == "brief.yaml":
            calls.append(path.parent.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(project_module, "_load", counting)
    return calls


def test_an_unchanged_brief_is_not_loaded_and_its_warnings_still_show(
        two: Path, loaded: list[str], rendered: list[tuple[str, str]]) -> None:
    # a warning found in demo-two's own files (a deprecated field)
    _edit(two / OTHER, "\nsections:", "\nsources:\n  - id: old-source\n    text: An old "
          "source.\nsections:")
    cold = _problems(two, cache=False)
    assert any("'sources:' is deprecated" in p for p in cold)
    loaded.clear()
    assert _problems(two) == cold and sorted(loaded) == ["demo", "demo-two"]
    loaded.clear()
    rendered.clear()
    assert _problems(two) == cold
    assert loaded == [] and rendered == []  # nothing read again: found as before
    _edit(two / BRIEF, "Officials-only paragraph", "An edited officials-only paragraph")
    loaded.clear()
    assert _problems(two) == cold
    assert loaded == ["demo"]


def test_a_section_only_an_unloaded_brief_had_is_missed_once_it_is_gone(
        two: Path, loaded: list[str]) -> None:
    """section_order is checked across briefs: the sections of a brief left unloaded count,
    as stored; so does their absence."""
    for brief, new in ((OTHER, "outlook-two"), (BRIEF, "outlook-one")):
        _edit(two / brief, "  - id: outlook\n", f"  - id: {new}\n")
        _edit(two / brief.replace("brief.yaml", "translations/ko.yaml"), "  outlook:",
              f"  {new}:")
        if brief == OTHER:
            assert _problems(two) == []
            loaded.clear()
    found = _problems(two)
    assert loaded == ["demo"]  # demo-two, unchanged, was not read
    assert found == _problems(two, cache=False)
    assert any("no brief has a section 'outlook'" in p for p in found)


def test_the_code_key_changes_with_any_installed_library_and_python(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from briefgen.commands import checked

    def digest(libraries: list[tuple[str, str]], unidata: str = "15.0.0") -> str:
        monkeypatch.setattr(checked, "distributions", lambda: [
            SimpleNamespace(metadata={"Name": n}, version=v) for n, v in libraries])
        monkeypatch.setattr(checked.unicodedata, "unidata_version", unidata)
        checked.code_digest.cache_clear()
        return checked.code_digest()

    try:
        base = digest([("regex", "2024.1"), ("PyICU", "2.13")])
        assert digest([("PyICU", "2.13"), ("regex", "2024.1")]) == base  # order: none
        assert digest([("regex", "2024.2"), ("PyICU", "2.13")]) != base  # any library
        assert digest([("regex", "2024.1"), ("PyICU", "2.13"), ("ada-url", "1.0")]) != base
        assert digest([("regex", "2024.1"), ("PyICU", "2.13")], "16.0.0") != base
    finally:
        monkeypatch.undo()
        checked.code_digest.cache_clear()
