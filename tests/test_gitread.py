"""briefgen/gitread.py: git run over an untrusted repository (attack report 17, H3).

A repository's config, hooks and attributes name programs that `git status` and other
porcelain run (a clean filter, post-index-change, core.fsmonitor, a pager, an external diff
or textconv, gpg.program). Each test arms one such trap, shows that plain git springs it
(so the trap is real), then shows that briefgen's git calls and the release's revision run
nothing (the marker file never appears) and still record the right thing: the commit and
dirty false for a tree like the commit, dirty true for one that differs.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from briefgen import gitread
from briefgen.commands.release import TRACKED, git_revision
from briefgen.gitread import GitError, Unknown, differs, git, revision

from conftest import VALID, run

ID = ["-c", "user.name=T", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false",
      "-c", "core.hooksPath=/dev/null"]


def sh(repo: Path, *args: str, check: bool = True, **env: str) -> str:
    """Plain git, as a user runs it (the tests' own setup and controls)."""
    done = subprocess.run(["git", *ID, *args], cwd=repo, capture_output=True, text=True,
                          check=check, env={**os.environ, **env}, timeout=60)
    return done.stdout.strip()


@pytest.fixture
def trap(tmp_path: Path) -> tuple[Path, Path]:
    """A program that records each run in a marker file, then passes its input through (or
    the file it is given): usable as a filter, hook, pager, textconv, gpg or fsmonitor."""
    marker = tmp_path / "marker"
    program = tmp_path / "trap.sh"
    program.write_text(f'#!/bin/sh\necho "$0 $*" >> {marker}\n'
                       'if [ $# -ge 1 ] && [ -f "$1" ]; then cat "$1"; else cat; fi\n',
                       encoding="utf-8")
    program.chmod(0o755)
    return program, marker


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """tests/data/valid as a git repository with one commit."""
    project = tmp_path / "repo"
    shutil.copytree(VALID, project)
    sh(project, "init", "-q")
    sh(project, "add", "-A")
    sh(project, "commit", "-qm", "content")
    return project


def copied(project: Path) -> Path:
    """A copy of the repository, as a checkout elsewhere or a CI cache gives: every file's
    stat data differs from the index, so `git status` refreshes the index."""
    dest = project.parent / "copy"
    shutil.copytree(project, dest, symlinks=True)
    return dest


def reads(project: Path) -> None:
    """Every kind of call briefgen makes, and the ones another module may (log with its
    diff, cat-file, rev-list), through gitread.git."""
    head = git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], project).strip()
    listing = git(["ls-tree", "-r", "-z", "HEAD", "--", "content"], project)
    oid = listing.split(b"\0")[0].split(b"\t")[0].split(b" ")[2].decode()
    git(["cat-file", "blob", oid], project)
    git(["cat-file", "--batch-check"], project, stdin=oid.encode() + b"\n")
    git(["rev-list", "-n", "5", "HEAD"], project)
    git(["log", "-p", "-n", "3", "--format=%H %ct", "HEAD"], project)
    git(["diff-tree", "-r", "-p", head.decode(), "--"], project)


ARMED = {
    # name: (how the trap is set, the plain git command that springs it)
    "clean filter (a01)": (["config", "filter.evil.clean", "{trap}"], ["status"]),
    "post-index-change hook (a21)": ([], ["status"]),
    "core.fsmonitor": (["config", "core.fsmonitor", "{trap}"], ["status"]),
    "core.pager": (["config", "core.pager", "{trap}"], ["-p", "log", "-n1"]),
    "textconv": (["config", "diff.evil.textconv", "{trap}"], ["log", "-p", "-n2"]),
    "diff.external": (["config", "diff.external", "{trap}"], ["diff", "HEAD~1", "HEAD"]),
    "gpg.program": (["config", "gpg.program", "{trap}"], ["log", "-n1"]),
}


def arm(project: Path, name: str, program: Path) -> None:
    if name in ("clean filter (a01)", "textconv"):
        attribute = "filter=evil" if name.startswith("clean") else "diff=evil"
        (project / ".gitattributes").write_text(f"content/** {attribute}\n", encoding="utf-8")
        sh(project, "add", ".gitattributes")
        sh(project, "commit", "-qm", "attributes")
    setting, _ = ARMED[name]
    if setting:
        sh(project, *[a.replace("{trap}", str(program)) for a in setting])
    if name.startswith("post-index-change"):
        hook = project / ".git" / "hooks" / "post-index-change"
        shutil.copy(program, hook)
        hook.chmod(0o755)
    if name in ("textconv", "diff.external"):  # a second commit changing a content file
        brief = project / "content/briefs/demo/brief.yaml"
        brief.write_text(brief.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
        sh(project, "commit", "-qam", "edit")
    if name == "gpg.program":  # a commit with a signature to check
        sh(project, "config", "log.showSignature", "true")
        body = sh(project, "cat-file", "commit", "HEAD")
        header, _, message = body.partition("\n\n")
        signed = (header + "\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n "
                  "-----END PGP SIGNATURE-----\n\n" + message + "\n")
        oid = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin"],
                             cwd=project, input=signed, capture_output=True, text=True,
                             check=True).stdout.strip()
        sh(project, "update-ref", "HEAD", oid)


@pytest.mark.parametrize("name", list(ARMED))
def test_nothing_the_repository_names_runs(repo: Path, trap: tuple[Path, Path],
                                           name: str) -> None:
    program, marker = trap
    arm(repo, name, program)
    project = copied(repo)
    control = copied_again(project)
    plain = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "PAGER"}
    leader, terminal = os.openpty()  # a pager runs only for a terminal
    try:
        subprocess.run(["git", *ARMED[name][1]], cwd=control, stdout=terminal,
                       stderr=subprocess.DEVNULL, env=plain, timeout=60, check=False)
    finally:
        os.close(terminal)
        os.close(leader)
    assert marker.exists(), f"the {name} trap is not armed: plain git did not run it"
    marker.unlink()

    reads(project)
    found = revision(project, TRACKED)
    assert not marker.exists(), marker.read_text(encoding="utf-8")
    try:  # check --changed's comparison with the index
        assert differs(project, TRACKED, staged=True) is False
    except Unknown:
        assert name.startswith("clean filter")
    assert not marker.exists(), marker.read_text(encoding="utf-8")
    head = sh(project, "rev-parse", "HEAD")
    if name.startswith("clean filter"):  # git would filter content/: cannot be told
        assert found == (None, True)
    else:
        assert found == (head, False)
    assert not marker.exists()


def copied_again(project: Path) -> Path:
    dest = project.parent / "control"
    shutil.copytree(project, dest, symlinks=True)
    return dest


def test_a_release_in_a_trapped_repository_runs_nothing_and_records_the_commit(
        repo: Path, trap: tuple[Path, Path]) -> None:
    """a01 and a21 end to end: `briefgen release` in a copied repository with a hook, an
    fsmonitor and a pager armed; then with a clean filter."""
    program, marker = trap
    brief = repo / "content/briefs/demo/brief.yaml"
    lines = brief.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("number:")) + 1
    brief.write_text("".join([*lines[:at], 'version: "1.0"\n', *lines[at:]]), encoding="utf-8")
    sh(repo, "commit", "-qam", "version 1.0")
    for name in ("post-index-change hook (a21)", "core.fsmonitor", "core.pager"):
        arm(repo, name, program)
    marker.unlink(missing_ok=True)
    project = copied(repo)
    result = run("release", "demo", "--version", "1.0", "-j", "1", "-q", project=project)
    assert result.exit_code == 0, result.stderr
    assert not marker.exists(), marker.read_text(encoding="utf-8")
    record = (project / "releases/demo.yaml").read_text(encoding="utf-8")
    assert f"  revision: {sh(project, 'rev-parse', 'HEAD')}\n" in record
    assert "dirty" not in record

    arm(project, "clean filter (a01)", program)  # commits .gitattributes: still no change
    marker.unlink(missing_ok=True)
    shutil.rmtree(project / "releases")
    again = copied_again(project)
    result = run("release", "demo", "--version", "1.0", "-j", "1", "-q", project=again)
    assert result.exit_code == 0, result.stderr
    assert not marker.exists(), marker.read_text(encoding="utf-8")
    record = (again / "releases/demo.yaml").read_text(encoding="utf-8")
    assert "  revision: null\n  dirty: true\n" in record
    assert result.stderr == ("briefgen: warning: content/ or templates/ differs from the last "
                             "commit (or git cannot tell briefgen), so the release records no "
                             "revision (dirty: true)\n")


def test_every_difference_from_the_commit_is_dirty(repo: Path) -> None:
    project = copied(repo)
    head = sh(project, "rev-parse", "HEAD")
    assert git_revision(project) == (head, False)
    brief = project / "content/briefs/demo/brief.yaml"
    text = brief.read_bytes()

    brief.write_bytes(text.replace(b"Two things lie ahead.", b"Two things lie behind."))
    assert git_revision(project) == (None, True)  # a changed file
    brief.write_bytes(text)
    assert git_revision(project) == (head, False)

    extra = project / "templates" / "base.html.j2"
    extra.parent.mkdir(exist_ok=True)
    extra.write_text("{% extends 'briefgen/base.html.j2' %}\n", encoding="utf-8")
    assert git_revision(project) == (None, True)  # an added file
    (project / ".gitignore").write_text("templates/\n", encoding="utf-8")
    assert git_revision(project) == (None, True)  # ignored by git, read by briefgen
    extra.unlink()
    assert git_revision(project) == (head, False)

    brief.chmod(brief.stat().st_mode | stat.S_IXUSR)
    assert git_revision(project) == (None, True)  # its executable bit
    brief.chmod(brief.stat().st_mode & ~stat.S_IXUSR)
    assert git_revision(project) == (head, False)

    brief.unlink()
    assert git_revision(project) == (None, True)  # a removed file
    brief.symlink_to("translations/ko.yaml")
    assert git_revision(project) == (None, True)  # a link in its place
    brief.unlink()
    brief.write_bytes(text)

    (project / "build").mkdir()
    (project / "build" / "x.html").write_text("not content", encoding="utf-8")
    (project / "README.md").write_text("not content either", encoding="utf-8")
    assert git_revision(project) == (head, False)  # only content/ and templates/ count


def test_replace_objects_do_not_change_what_the_commit_holds(repo: Path) -> None:
    """refs/replace could show an older commit's tree under HEAD's id: not read."""
    brief = repo / "content/briefs/demo/brief.yaml"
    text = brief.read_bytes()
    brief.write_bytes(text + b"# second\n")
    sh(repo, "commit", "-qam", "second")
    sh(repo, "replace", "HEAD", "HEAD~1")
    brief.write_bytes(text)  # as the first commit
    assert sh(repo, "diff", "--name-only", "HEAD") == ""  # the trap: git sees no change
    assert git_revision(repo) == (None, True)
    assert git_revision(repo) != (sh(repo, "rev-parse", "HEAD"), False)


def test_outside_a_repository_and_before_a_first_commit(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(VALID, project)
    assert git_revision(project) == (None, False)
    sh(project, "init", "-q")
    assert git_revision(project) == (None, False)


def test_the_callers_git_environment_is_not_passed_on(repo: Path, trap: tuple[Path, Path],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    program, marker = trap
    for name, value in {"GIT_EXTERNAL_DIFF": str(program), "GIT_PAGER": str(program),
                        "GIT_DIR": "/nonexistent", "GIT_CONFIG_COUNT": "1",
                        "GIT_CONFIG_KEY_0": "core.fsmonitor",
                        "GIT_CONFIG_VALUE_0": str(program)}.items():
        monkeypatch.setenv(name, value)
    project = copied(repo)
    reads(project)
    assert git_revision(project) == (sh(project, "rev-parse", "HEAD", GIT_DIR=".git"), False)
    assert not marker.exists()


@pytest.mark.parametrize(("args", "why"), [
    (["status"], "briefgen does not run git status"),
    (["add", "content"], "briefgen does not run git add"),
    (["evil-alias"], "briefgen does not run git evil-alias"),
    (["-c", "core.pager=x", "log"], "briefgen does not run git -c"),
    ([], "briefgen does not run git"),
    (["cat-file", "--textconv", "HEAD:content/x"], "briefgen does not run git with --textconv"),
    (["cat-file", "--filters", "HEAD:content/x"], "briefgen does not run git with --filters"),
    (["log", "--show-signature"], "briefgen does not run git with --show-signature"),
    (["log", "--ext-diff", "-p"], "briefgen does not run git with --ext-diff"),
    (["log", "--format=%H %GS"], "briefgen does not run git with --format=%H %GS"),
    (["log", "-p", "--output=/tmp/x"], "briefgen does not run git with --output=/tmp/x"),
    (("config", "-z", "--get", "--file=/etc/passwd", "x"),
     "briefgen does not run git with --file=/etc/passwd"),
    (["rev-list", "--pretty=%G?", "HEAD"], "briefgen does not run git with --pretty=%G?"),
    (["config", "core.pager", "x"], "briefgen runs git config only to --get a value"),
    (["diff-index", "HEAD"], "briefgen runs git diff-index only with --cached"),
    (["diff-index", "-p", "--cached", "HEAD"],
     "briefgen runs git diff-index only with --cached"),
    (["config", "--get", "--global", "user.name"], "briefgen does not run git with --global"),
    (["ls-files", "-m"], "briefgen runs git ls-files only with --stage -z"),
    (["ls-files", "-o", "--stage", "-z"], "briefgen runs git ls-files only with --stage -z"),
])
def test_only_reading_commands_are_run(repo: Path, args: list[str] | tuple[str, ...],
                                      why: str) -> None:
    with pytest.raises(GitError) as caught:
        git(args, repo)
    assert caught.value.why == why


@pytest.fixture
def fake_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `git` first on PATH, whose script the test writes."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return folder / "git"


def test_a_git_that_does_not_answer_is_stopped(repo: Path, fake_git: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A hung git (a network file system, a lock): killed at the timeout; the release
    records no revision and says its files may differ from any commit."""
    fake_git.write_text("#!/bin/sh\nexec sleep 30\n", encoding="utf-8")
    fake_git.chmod(0o755)
    monkeypatch.setattr(gitread, "TIMEOUT", 0.3)
    with pytest.raises(GitError) as caught:
        git(["rev-parse", "HEAD"], repo)
    assert caught.value.why == "git did not answer within 0.3 s"
    assert caught.value.status is None
    assert git_revision(repo) == (None, True)


def test_a_git_that_says_too_much_is_stopped(repo: Path, fake_git: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    fake_git.write_text("#!/bin/sh\nexec yes\n", encoding="utf-8")  # never stops talking
    fake_git.chmod(0o755)
    monkeypatch.setattr(gitread, "MAX_OUTPUT", 100_000)
    with pytest.raises(GitError) as caught:
        git(["rev-parse", "HEAD"], repo)
    assert caught.value.why == "git's answer was longer than 100,000 bytes"
    assert git_revision(repo) == (None, True)


def test_a_failing_git_says_why(repo: Path) -> None:
    with pytest.raises(GitError) as caught:
        git(["cat-file", "blob", "0" * 40], repo)
    assert caught.value.why == "git failed: fatal: git cat-file " + "0" * 40 + \
        ": bad file"
    assert caught.value.status == 128


@pytest.mark.parametrize(("attributes", "config", "converts"), [
    ("* text=auto\n*.png -text\n*.pdf binary\n", {}, False),  # common, and harmless
    ("content/** !filter eol=lf\n", {}, False),
    ("* filter=lfs\n", {}, True),
    ("content/** ident\n", {}, True),
    ("*.yaml working-tree-encoding=UTF-16\n", {}, True),
    ("* eol=crlf\n", {}, True),
    ("[attr]quiet filter=evil\ncontent/** quiet\n", {}, True),  # a macro
    ("* text\n", {"core.eol": "crlf"}, True),
    ("", {"core.autocrlf": "true"}, True),
    ("", {"core.autocrlf": "2"}, True),  # git reads any number but 0 as true
    ("", {"core.autocrlf": "input"}, False),  # converts on commit, not on checkout
    ("", {"core.attributesFile": "/dev/null"}, True),
])
def test_a_checkout_that_would_convert_files_is_dirty(repo: Path, attributes: str,
                                                      config: dict[str, str],
                                                      converts: bool) -> None:
    """Equal blobs are equal files only if a checkout writes the blobs as they are."""
    for where in (".gitattributes", "content/.gitattributes", ".git/info/attributes"):
        project = repo.parent / where.replace("/", "_")
        shutil.copytree(repo, project, symlinks=True)
        for name, value in config.items():
            sh(project, "config", name, value)
        if attributes:
            (project / where).parent.mkdir(exist_ok=True)
            (project / where).write_text(attributes, encoding="utf-8")
            if not where.startswith(".git/"):
                sh(project, "add", where)
                sh(project, "commit", "-qm", "attributes")
        head = sh(project, "rev-parse", "HEAD")
        assert git_revision(project) == ((None, True) if converts else (head, False)), where


def test_a_link_to_a_file_no_commit_holds_is_dirty(repo: Path) -> None:
    """Attack report 19, 1: a committed link (its blob is the target's name) leads to a file
    outside content/ and templates/, .git/ included, that the build reads and git never
    tracks: the commit does not hold what was built, however the file changes."""
    ko = repo / "content/briefs/demo/translations/ko.yaml"
    for hidden in (".git/ko.yaml", "drafts/ko.yaml"):
        project = repo.parent / hidden.replace("/", "_")
        shutil.copytree(repo, project, symlinks=True)
        target = project / hidden
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(ko.read_bytes())
        link = project / "content/briefs/demo/translations/ko.yaml"
        link.unlink()
        link.symlink_to(os.path.relpath(target, link.parent))
        sh(project, "add", "-A", "content")
        sh(project, "commit", "-qm", "a link")
        assert sh(project, "status", "--porcelain", "--", "content") == ""  # git: clean
        assert git_revision(project) == (None, True), hidden
    inside = repo.parent / "inside"
    shutil.copytree(repo, inside, symlinks=True)
    link = inside / "content/briefs/demo/translations/ko-link.yaml"
    link.symlink_to("ko.yaml")  # a link to a file compared too: the commit holds both
    sh(inside, "add", "-A")
    sh(inside, "commit", "-qm", "an inner link")
    assert git_revision(inside) == (sh(inside, "rev-parse", "HEAD"), False)


def test_content_that_is_itself_a_link_is_dirty(repo: Path) -> None:
    (repo / "content").rename(repo / "src")
    (repo / "content").symlink_to("src")
    sh(repo, "add", "-A")
    sh(repo, "commit", "-qm", "content is a link")
    assert git_revision(repo) == (None, True)


def test_a_bare_repository_planted_in_the_project_is_not_read(repo: Path) -> None:
    """Attack report 19, 4: a pull request commits HEAD, objects/, refs/ and a config into the
    project folder (a subfolder of the repository): git would take it for the repository
    and answer with a commit of the attacker's choosing."""
    top = repo.parent / "top"
    (top / "proj").parent.mkdir()
    shutil.copytree(VALID, top / "proj")
    sh(top, "init", "-q")
    sh(top, "add", "-A")
    sh(top, "commit", "-qm", "real")
    planted = repo.parent / "planted"
    sh(repo.parent, "init", "-q", "--bare", str(planted))
    sh(repo, "push", "-q", str(planted), "HEAD:refs/heads/master")
    for name in ("HEAD", "objects", "refs"):
        src = planted / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, top / "proj" / name)
    (top / "proj/config").write_text("[core]\n\trepositoryformatversion = 0\n\tbare = false\n"
                                     "\tworktree = .\n",
                                     encoding="utf-8")
    sh(top, "add", "-A")
    sh(top, "commit", "-qm", "planted")
    planted_head = sh(repo, "rev-parse", "HEAD")
    assert sh(top / "proj", "rev-parse", "HEAD") == planted_head  # the trap is real
    assert git_revision(top / "proj")[0] != planted_head
