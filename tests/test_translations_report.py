"""`briefgen translations`, the report: units as a language's readers see them on stdout (only
YAML with --yaml), what is missing or stale on stderr, and a stale unit's source change as a
word diff against the version it translates, read from git (translate/history.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from briefgen import gitread
from briefgen.content.project import load_project
from briefgen.content.readers import fields_hash
from briefgen.translate.history import History
from briefgen.translate.report import HEADER, report
from briefgen.translate.worddiff import changed_lines, segments, word_diff

from conftest import REPO, run

BRIEF = "content/briefs/demo/brief.yaml"
KO = "content/briefs/demo/translations/ko.yaml"
DATE = "2026-11-20T12:00:00+00:00"


def git(project: Path, *args: str) -> str:
    if shutil.which("git") is None:
        pytest.fail("git is needed to test the report's history")
    env = {**os.environ, "GIT_AUTHOR_DATE": DATE, "GIT_COMMITTER_DATE": DATE}
    return subprocess.run(["git", "-C", str(project), "-c", "user.name=T", "-c",
                           "user.email=t@example.org", "-c", "commit.gpgsign=false", *args],
                          capture_output=True, text=True, check=True, env=env).stdout.strip()


def commit(project: Path, message: str) -> str:
    git(project, "add", "-A", ".")
    git(project, "commit", "-qm", message)
    return git(project, "rev-parse", "HEAD")


def repository(project: Path) -> str:
    """The project as a git repository of one commit, its translations current."""
    git(project, "init", "-q")
    return commit(project, "content")


def edit(project: Path, path: str, old: str, new: str) -> None:
    file = project / path
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new), encoding="utf-8")


def stale_task_a(project: Path) -> str:
    """The first commit's hash: ko.yaml translates task-a as it was there."""
    first = repository(project)
    edit(project, BRIEF, "The first task.", "The very first task.")
    commit(project, "task-a")
    return first


TASK_A = ('  task-a:\n    source_hash: "a9faddecb575"\n    title: "First task"\n'
          '    body: |\n      The very first task.\n')
NOW = fields_hash({"title": "First task", "body": "The very first task, now.\n"})
STALE = ("content/briefs/demo/translations/ko.yaml:49:3: task-a: warning: stale (source "
         "content/briefs/demo/brief.yaml:55)\n")


def test_a_shared_edit_shows_the_stale_unit_with_the_word_diff(project: Path) -> None:
    first = stale_task_a(project)
    edit(project, BRIEF, "The very first task.", "The very first task, now.")  # not committed
    result = run("translations", "--lang", "ko", project=project)
    assert result.exit_code == 0
    assert result.stdout == (
        "content/briefs/demo/translations/ko.yaml:\n"
        "  task-a: stale; what changed in the source since the version it translates "
        f"(commit {first[:10]}, 2026-11-20):\n"
        "    body: The {+very+} first task{+, now+}.\n"
        f'  task-a:\n    source_hash: "{NOW}"\n    title: "First task"\n'
        "    body: |\n      The very first task, now.\n")
    assert result.stderr == STALE + "1 unit(s) to translate or refresh\n"


def test_an_edit_only_officials_see_leaves_korean_current(project: Path) -> None:
    repository(project)
    for old, new in [("Officials-only paragraph about the secret annex.",
                      "Officials-only paragraph, rewritten."),
                     ("[an officials-only span]", "[a longer officials-only span]"),
                     ("The second task.", "The second task, for officials.")]:
        edit(project, BRIEF, old, new)
    commit(project, "officials")
    proj = load_project(project)
    background = proj.briefs["demo"].units["background"]
    assert background.hash != "5872930d37c5"  # the whole text changed
    result = run("translations", "--lang", "ko", project=project)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "", "0 unit(s) to translate or refresh\n")
    assert run("translations", "--yaml", project=project).stdout == HEADER + "{}\n"
    assert run("check", "--strict", project=project).exit_code == 0


def test_the_yaml_parses_and_its_units_pasted_make_check_strict_clean(project: Path) -> None:
    first = repository(project)
    edit(project, BRIEF, "text: Everyone reads this takeaway about [[plan]].",
         "text: 'Everyone reads this takeaway: [[plan]] # not a comment, \"quoted\".'")
    edit(project, BRIEF, "      Two things lie ahead.\n",
         "      Two things lie ahead:\n\n      - one\n      - two\n")
    commit(project, "shared edits")
    edit(project, BRIEF, "The first task.", "The very first task.")
    ko = project / KO
    ko.write_text(re.sub(r"  issue-c:\n(?:    .*\n|      .*\n)+", "", ko.read_text()))
    result = run("translations", "--yaml", project=project)
    assert result.exit_code == 0
    assert result.stderr == (
        "content/briefs/demo/translations/ko.yaml:24:3: t-shared: warning: stale (source "
        "content/briefs/demo/brief.yaml:25)\n"
        "content/briefs/demo/translations/ko.yaml:42:3: outlook: warning: stale (source "
        "content/briefs/demo/brief.yaml:47)\n" + STALE.replace("55)", "58)") +
        "content/briefs/demo/translations/ko.yaml: issue-c: warning: missing (source "
        "content/briefs/demo/brief.yaml:80)\n"
        "4 unit(s) to translate or refresh\n")
    assert "  # t-shared: stale; what changed in the source since the version it translates " \
        f"(commit {first[:10]}, 2026-11-20):\n" \
        '  #   text: Everyone reads this takeaway[- about-]{+:+} [[plan]]{+ # not a comment, ' \
        '"quoted"+}.\n' in result.stdout
    for line in result.stderr.splitlines():
        assert line not in result.stdout
    data = YAML(typ="rt").load(result.stdout)
    assert list(data) == [KO]
    units = data[KO]
    assert list(units) == ["t-shared", "outlook", "task-a", "issue-c"]
    assert units["t-shared"]["text"] == \
        "Everyone reads this takeaway: [[plan]] # not a comment, \"quoted\"."
    assert units["outlook"]["body"].startswith("Two things lie ahead:\n\n- one\n- two\n")
    # the editor pastes the block under units:, in place of the units of the same ids
    block = result.stdout.split(f"{KO}:\n", 1)[1]
    text = ko.read_text()
    for uid in units:
        text = re.sub(rf"  {uid}:\n(?:    .*\n|      .*\n|\n(?=      ))+", "", text)
    ko.write_text(text + block)
    check = run("check", "--strict", project=project)
    assert check.exit_code == 0, check.stderr
    again = run("translations", "--yaml", project=project)
    assert (again.stdout, again.stderr) == (HEADER + "{}\n", "0 unit(s) to translate or refresh\n")


def test_problems_are_json_lines_with_codes(project: Path) -> None:
    stale_task_a(project)
    result = run("translations", "--output-format", "json", project=project)
    assert [json.loads(line) for line in result.stderr.splitlines()] == [{
        "code": "BG602", "severity": "warning", "path": KO, "line": 49, "col": 3,
        "field": "task-a", "message": "stale (source content/briefs/demo/brief.yaml:55)",
        "hint": ""}]


def test_an_unknown_language_is_a_usage_error(project: Path) -> None:
    result = run("translations", "--lang", "kr", project=project)
    assert result.exit_code == 2
    assert "Invalid value for --lang: no translation language 'kr' (languages: ko)" \
        in result.stderr


def test_a_load_error_fails_with_exit_1(project: Path) -> None:
    edit(project, BRIEF, "title: Background", "titel: Background")
    result = run("translations", "--yaml", project=project)
    assert result.exit_code == 1 and result.stdout == ""


# -- when the version a translation was made from is not found -------------------------------

NOT_FOUND = "  task-a: stale; the source it was translated from is not found: {}\n"


def _report(project: Path, limit: int = 200) -> str:
    return report(load_project(project), langs=("ko",), limit=limit).text()


def _edit_task_a(project: Path) -> None:
    edit(project, BRIEF, "The first task.", "The very first task.")


def test_without_a_repository_it_says_so(project: Path) -> None:
    assert subprocess.run(["git", "-C", str(project), "rev-parse"], capture_output=True
                          ).returncode != 0, "the test's folder must not be in a repository"
    _edit_task_a(project)
    assert NOT_FOUND.format("the project is not in a git repository") in _report(project)


def test_without_git_it_says_so(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale_task_a(project)
    monkeypatch.setattr(gitread.shutil, "which", lambda name: None)
    assert NOT_FOUND.format("git is not installed") in _report(project)


def test_a_file_never_committed_or_a_repository_without_commits(project: Path) -> None:
    git(project, "init", "-q")
    _edit_task_a(project)
    assert NOT_FOUND.format("the git repository has no commits") in _report(project)
    git(project, "add", "content/audiences")
    git(project, "commit", "-qm", "audiences only")
    assert NOT_FOUND.format("content/briefs/demo/brief.yaml is not committed") \
        in _report(project)


def test_a_version_beyond_the_limit_or_a_hash_no_version_had(project: Path) -> None:
    stale_task_a(project)
    for n in range(2):
        edit(project, BRIEF, "Do this openly" + (f" ({n - 1})" if n else ""),
             f"Do this openly ({n})")
        commit(project, f"rec-b {n}")
    # four commits changed the brief; the first is the one ko.yaml translates
    assert NOT_FOUND.format("none of the last 3 commits of content/briefs/demo/brief.yaml "
                            "has source_hash 7395949790e6") in _report(project, limit=3)
    assert "    body: The {+very+} first task.\n" in _report(project, limit=4)
    edit(project, KO, '"7395949790e6"', '"0123456789ab"')
    assert NOT_FOUND.format("no commit of content/briefs/demo/brief.yaml has source_hash "
                            "0123456789ab") in _report(project)
    edit(project, KO, '    source_hash: "0123456789ab"\n', "")
    assert NOT_FOUND.format("no source_hash was recorded") in _report(project)


# -- history: renames, merges, versions that do not validate ---------------------------------


def test_a_renamed_file_is_followed_to_its_old_name(project: Path) -> None:
    first = repository(project)
    git(project, "mv", "content/briefs/demo", "content/briefs/demo-two")
    edit(project, "content/briefs/demo-two/brief.yaml", "The first task.",
         "The very first task.")
    commit(project, "renamed and edited")
    text = _report(project)
    assert f"(commit {first[:10]}, 2026-11-20):\n    body: The {{+very+}} first task.\n" in text


def test_a_merge_commit_is_a_version_and_an_invalid_version_is_skipped(project: Path) -> None:
    repository(project)
    git(project, "branch", "-M", "main")
    git(project, "checkout", "-qb", "side")
    edit(project, BRIEF, "The first task.", "The side's first task.")
    commit(project, "side")
    git(project, "checkout", "-q", "main")
    edit(project, BRIEF, "Do this openly.", "Do this openly, now.")
    commit(project, "main")
    git(project, "merge", "-q", "--no-ff", "--no-commit", "side")
    edit(project, BRIEF, "The side's first task.", "The merged first task.")
    merged = commit(project, "merge")
    # the next version has the merge's task-a, but does not validate: it is skipped
    edit(project, BRIEF, "title: Background", "titel: Background")
    commit(project, "broken")
    edit(project, BRIEF, "titel: Background", "title: Background")
    edit(project, BRIEF, "The merged first task.", "The final first task.")
    commit(project, "fixed")
    proj = load_project(project)
    src = proj.briefs["demo"]
    readers = proj.readers("ko")
    old = History(proj, src)
    found = old.find("task-a", readers, fields_hash(
        {"title": "First task", "body": "The merged first task.\n"}))
    assert found.version is not None and found.version.commit == merged
    assert found.fields == {"title": "First task", "body": "The merged first task.\n"}
    side = old.find("task-a", readers, fields_hash(
        {"title": "First task", "body": "The side's first task.\n"}))
    assert side.fields is not None and side.fields["body"] == "The side's first task.\n"


# -- a hostile repository ---------------------------------------------------------------------


def test_a_hostile_repository_config_runs_nothing(project: Path, tmp_path: Path) -> None:
    stale_task_a(project)
    marker = tmp_path / "ran"
    script = tmp_path / "evil.sh"
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> {marker}\nexit 1\n')
    script.chmod(0o755)
    # a commit with a signature, which `git log` verifies when log.showSignature is set
    raw = git(project, "cat-file", "commit", "HEAD")
    head, _, message = raw.partition("\n\n")
    signed = (f"{head}\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n "
              f"-----END PGP SIGNATURE-----\n\n{message}\n")
    oid = subprocess.run(["git", "-C", str(project), "hash-object", "-t", "commit", "-w",
                          "--stdin"], input=signed, capture_output=True, text=True,
                         check=True).stdout.strip()
    git(project, "update-ref", "HEAD", oid)
    for key, value in [("log.showSignature", "true"), ("gpg.program", str(script)),
                       ("core.fsmonitor", str(script)), ("core.pager", str(script)),
                       ("core.hooksPath", str(tmp_path)), ("diff.external", str(script)),
                       ("diff.evil.textconv", str(script)), ("filter.evil.smudge", str(script)),
                       ("filter.evil.clean", str(script)), ("alias.log", f"!{script}"),
                       ("alias.cat-file", f"!{script}"), ("alias.rev-parse", f"!{script}"),
                       ("pager.log", str(script)), ("core.sshCommand", str(script)),
                       ("remote.origin.url", f"ext::{script}"),
                       ("protocol.ext.allow", "always")]:
        git(project, "config", key, value)
    (project / ".gitattributes").write_text("* diff=evil filter=evil\n")
    for hook in ("post-checkout", "post-index-change", "reference-transaction"):
        shutil.copy(script, tmp_path / hook)
    # the attack is real: git's own log runs the repository's program
    subprocess.run(["git", "-C", str(project), "log", "-1"], capture_output=True, check=False)
    assert marker.exists()
    marker.unlink()
    result = run("translations", "--lang", "ko", project=project)
    assert not marker.exists(), marker.read_text()
    assert "    body: The {+very+} first task.\n" in result.stdout


# -- the word diff -----------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "marked"), [
    ("The first task.", "The very first task.", "The {+very+} first task."),
    ("The very first task.", "The first task.", "The [-very-] first task."),
    ("The first task.", "The second task.", "The [-first-]{+second+} task."),
    ("a b c", "x y z", "[-a b c-]{+x y z+}"),
    ("its own agenda.", "its own.", "its own[- agenda-]."),
    ("its own.", "its own agenda.", "its own{+ agenda+}."),
    ("첫 번째 과제다.", "두 번째 과제였다.", "[-첫-]{+두+} 번째 과제{+였+}다."),
    ("韩美同盟的未来", "韩美同盟的过去", "韩美同盟的[-未来-]{+过去+}"),
    ("カタカナの文", "ひらがなの文", "[-カタカナ-]{+ひらがな+}の文"),
    ("one\ntwo three\n", "one two\nthree\n", "one two\nthree\n"),  # rewrapped: no change
    ("[[plan]] and [@key]", "[[plan]] or [@key]", "[[plan]] [-and-]{+or+} [@key]"),
])
def test_word_diff_marks_words_and_cjk_characters(old: str, new: str, marked: str) -> None:
    assert word_diff(old, new) == marked


def test_only_the_changed_lines_of_a_long_field_are_shown() -> None:
    old = "P1 line.\n\nP2 has a word.\n\nP3 ok.\n\nP4 fine.\n"
    new = "P1 line.\n\nP2 has a new word.\n\nP3 ok.\n\nP4 fine!\n"
    assert changed_lines(segments(old, new)) == ["…", "P2 has a {+new+} word.", "…",
                                                 "P4 fine[-.-]{+!+}"]
    assert changed_lines(segments("a\nb\n", "a b\n")) == []


# -- the shipped brief: audiences that read Korean and Chinese, a chart's words --------------

SHIPPED = "content/briefs/rok-us-alliance-modernization"


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped project's content in a repository of one commit."""
    dest = tmp_path / "shipped"
    shutil.copytree(REPO / "content", dest / "content")
    repository(dest)
    return dest


def test_a_us_government_only_edit_changes_no_korean_or_chinese_hash(shipped: Path) -> None:
    edit(shipped, f"{SHIPPED}/brief.yaml",
         "For U.S. planners, the burden-sharing implications deserve care.",
         "For U.S. planners, the burden-sharing implications deserve great care.")
    commit(shipped, "us-government only")
    result = run("translations", project=shipped)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "", "0 unit(s) to translate or refresh\n")
    edit(shipped, f"{SHIPPED}/brief.yaml", "each brings its own agenda",
         "each brings an agenda of its own")
    result = run("translations", project=shipped)
    diff = "    summary: Washington and Seoul have both signed up to \"[[modernization]],\" " \
        "but each brings {+an agenda of+} its own[- agenda-]. The United States"
    for lang in ("ko", "zh-Hans"):
        assert f"{SHIPPED}/translations/{lang}.yaml:4:3: meta: warning: stale (source " \
            f"{SHIPPED}/brief.yaml:1)" in result.stderr
        section = result.stdout.split(f"{SHIPPED}/translations/{lang}.yaml:\n")[1]
        assert diff in section.split("  meta:\n")[0]


def test_a_charts_words_are_diffed_from_the_charts_history(shipped: Path) -> None:
    chart = f"{SHIPPED}/charts/sma.chart.yaml"
    first = git(shipped, "rev-parse", "HEAD")
    edit(shipped, chart, "  amount: ROK contribution (KRW)", "  amount: ROK contribution in KRW")
    result = run("translations", "--lang", "ko", project=shipped)
    assert "  chart.sma.amount: stale; what changed in the source since the version it " \
        f"translates (commit {first[:10]}, 2026-11-20):\n" \
        "    text: ROK contribution [-(-]{+in +}KRW[-)-]\n" \
        '  chart.sma.amount:\n    source_hash: "4f0f4982c42c"\n' \
        '    text: "ROK contribution in KRW"\n' in result.stdout


def test_characters_that_would_change_a_terminal_or_break_yaml_are_escaped(project: Path
                                                                           ) -> None:
    repository(project)
    # (a control or noncharacter written as an escape is refused when the file is read,
    # BG114; a bidi control, a C1 control and a tab are text, and come out escaped)
    edit(project, BRIEF, "    text: Everyone reads this takeaway about [[plan]].",
         r'    text: "Everyone \u202e reads \x85 this\ttab red"')
    result = run("translations", "--yaml", project=project)
    assert "  #   text: Everyone {+\\u202e+} reads \\x85 this\\t[-takeaway about " \
        "[[plan]].-]{+tab red+}\n" in result.stdout, result.stdout
    assert '    text: "Everyone \\u202e reads \\x85 this\\ttab red"\n' \
        in result.stdout
    units = YAML(typ="rt").load(result.stdout)[KO]
    assert units["t-shared"]["text"] == "Everyone \u202e reads \x85 this\ttab red"
