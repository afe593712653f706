"""Issue #13: nothing outside the project is read, nothing outside the output folder is
written, a planted parse-cache entry cannot change what is published, builds into one
folder are serialised and a build killed while renaming is repaired by the next."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.content import yamlread
from briefgen.paths import confined, refusal

from conftest import run

BRIEF = "content/briefs/demo/brief.yaml"


def built(out: Path) -> dict[str, str]:
    """sha256 of every regular file under out, hidden ones too."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def manifest(out: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    return {a["path"]: a for a in json.loads((out / "manifest.json").read_text())["artifacts"]}


def assert_manifest_matches_disk(out: Path) -> None:
    on_disk = built(out)
    for path, entry in manifest(out).items():
        assert on_disk.get(path) == entry["sha256"], path
    assert not [p for p in out.rglob(".*.tmp")]


# -- paths.confined ---------------------------------------------------------------------


def test_confined_follows_links_and_loops(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "in.txt").write_text("x")
    (root / "sub/link").symlink_to(root / "in.txt")
    (root / "out").symlink_to("/etc/passwd")
    (root / "loop").symlink_to(root / "loop")
    assert confined(root / "sub/link", (root,), "sub/link") == (root / "in.txt").resolve()
    assert refusal(root / "out", (root,), "out") is not None
    assert "loops" in str(refusal(root / "loop", (root,), "loop"))
    assert refusal(root / "sub/../../escape", (root,), "x") is not None


# -- reads ---------------------------------------------------------------------------------


def test_template_linked_to_proc_environ_is_refused(project: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The attack from the issue: the CI environment's secrets published in the HTML."""
    monkeypatch.setenv("BRIEFGEN_TEST_SECRET", "hunter2-do-not-publish")
    (project / "templates/sections").mkdir(parents=True)
    (project / "templates/sections/prose.html.j2").symlink_to("/proc/self/environ")
    result = run("build", "--format", "html", project=project)
    assert result.exit_code == 1, result.output
    assert "templates/sections/prose.html.j2" in result.stderr
    assert "hunter2" not in result.output
    assert not (project / "build").exists()


@pytest.mark.parametrize("rel", ["content/terms.yaml",
                                 "content/briefs/demo/translations/ko.yaml",
                                 "content/audiences/public.yaml", BRIEF])
def test_existing_content_file_replaced_by_a_link_out(project: Path, tmp_path: Path,
                                                      rel: str) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_bytes((project / rel).read_bytes())  # even valid content is refused
    (project / rel).unlink()
    (project / rel).symlink_to(outside)
    result = run("check", project=project)
    assert result.exit_code == 1
    assert f"{rel}: leads outside the project folder through a symbolic link" in result.stderr


def test_links_inside_the_project_are_fine(project: Path) -> None:
    shared = project / "shared-terms.yaml"
    (project / "content/terms.yaml").rename(shared)
    (project / "content/terms.yaml").symlink_to("../shared-terms.yaml")
    assert run("check", project=project).exit_code == 0


# -- writes --------------------------------------------------------------------------------


def test_link_into_content_makes_the_build_write_nothing(project: Path) -> None:
    (project / "build").mkdir()
    (project / "build/demo").symlink_to(project / "content/briefs/demo")
    before = built(project / "content")
    result = run("build", "--format", "html", project=project)
    assert result.exit_code == 1
    assert "leads outside the output folder" in result.stderr
    assert built(project / "content") == before
    assert sorted(p.name for p in (project / "build").iterdir()) == ["demo"]


def test_briefgen_itself_is_no_output_folder(project: Path) -> None:
    import briefgen

    package = Path(briefgen.__file__).parent
    result = run("build", "--out", str(package / "out"), project=project)
    assert result.exit_code == 1
    assert "it is inside briefgen's package folder" in result.stderr
    assert not (package / "out").exists()


def test_pruning_never_follows_a_link_out(project: Path, tmp_path: Path) -> None:
    out = project / "build"
    assert run("build", "--format", "html", "-q", project=project).exit_code == 0
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "demo-public-ko.html").write_text("keep me")
    folder = out / "demo/public/ko"
    for p in folder.iterdir():
        p.unlink()
    folder.rmdir()
    folder.symlink_to(victim)  # the ko edition's folder now leads outside
    (project / "content/briefs/demo/translations/ko.yaml").unlink()  # so ko is pruned
    result = run("build", "--format", "html", "-q", project=project)
    assert result.exit_code == 0, result.output
    assert (victim / "demo-public-ko.html").read_text() == "keep me"
    assert "demo/public/ko/demo-public-ko.html" not in manifest(out)


# -- the parse cache -----------------------------------------------------------------------


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder and a key folder of this test; the process forgets its key and
    in-memory entries before and after."""
    def forget() -> None:
        yamlread.cache_key.cache_clear()
        yamlread._warned.clear()

    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    forget()
    yield tmp_path / "cache"
    forget()


def _leak(project: Path) -> None:
    """The public now sees 'secret annex', which its audience file forbids."""
    path = project / BRIEF
    text = path.read_text()
    path.write_text(text.replace("takeaway about [[plan]].", "takeaway about the secret annex."))


def _planted(project: Path, key: bytes | None) -> Path:
    """An entry for public.yaml saying it forbids nothing: signed with `key`, or in the
    unsigned format of earlier versions (key None)."""
    path = project / "content/audiences/public.yaml"
    raw = path.read_bytes()
    doc = yamlread.read_yaml(path, "public.yaml")
    doc.data["forbidden_phrases"] = []
    cache = Path(os.environ["BRIEFGEN_CACHE_DIR"])
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:24]
    digest = hashlib.sha256(yamlread._parser_id() + b"\0" + raw).hexdigest()
    entry = yamlread.CacheEntry(cache / "yaml" / f"{name}.json", digest, key or b"k" * 32)
    entry.save(doc)
    if key is None:
        body = entry.file.read_bytes()
        entry.file.write_bytes(b"{" + body[body.index(b'",') + 2:])
    return entry.file


@pytest.mark.parametrize("key", [b"attacker's guess of the key....!", None])
def test_planted_cache_entry_cannot_publish_a_forbidden_phrase(project: Path, fresh_cache: Path,
                                                               key: bytes | None) -> None:
    _leak(project)
    _planted(project, key)
    result = run("build", "--format", "html", project=project)
    assert result.exit_code == 1, result.output
    assert "forbidden phrase 'secret annex'" in result.stderr
    assert ("this machine did not write" in result.stderr) == (key is not None)
    assert not (project / "build").exists()


def test_own_entries_are_used(project: Path, fresh_cache: Path) -> None:
    assert run("check", project=project).exit_code == 0
    entries = list((fresh_cache / "yaml").glob("*.json"))
    assert entries and all(e.read_bytes().startswith(b'{"mac":"') for e in entries)
    key = fresh_cache.parent / "config/briefgen/cache.key"
    assert key.stat().st_mode & 0o777 == 0o600
    result = run("check", project=project)
    assert result.exit_code == 0 and "warning: ignoring" not in result.stderr


def _signed(body: bytes) -> bytes:
    key = yamlread.cache_key()
    assert key is not None
    return b'{"mac":"' + yamlread._mac(key, body) + b'",' + body[1:]


DEEP = b"[" * 200_000 + b"]" * 200_000


@pytest.mark.parametrize("damage", ["deep-unsigned", "deep-signed", "truncated", "wrong-types"])
def test_malformed_cache_entries_are_ignored(project: Path, fresh_cache: Path,
                                             damage: str) -> None:
    assert run("check", project=project).exit_code == 0
    for entry in (fresh_cache / "yaml").glob("*.json"):
        data = entry.read_bytes()
        stored = json.loads(data)
        del stored["mac"]
        stored["positions"] = [[1]]  # the right digest, then a value of the wrong shape
        entry.write_bytes({"deep-unsigned": b'{"digest":' + DEEP + b"}",
                           "deep-signed": _signed(b'{"digest":' + DEEP + b"}"),
                           "truncated": data[:len(data) // 2],
                           "wrong-types": _signed(json.dumps(stored).encode())}[damage])
    result = run("check", project=project)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("problem", ["mode", "malformed", "symlink"])
def test_unusable_key_turns_the_cache_off_with_one_warning(project: Path, fresh_cache: Path,
                                                           tmp_path: Path, problem: str) -> None:
    key = tmp_path / "config/briefgen/cache.key"
    key.parent.mkdir(parents=True)
    if problem == "symlink":
        (tmp_path / "elsewhere").write_text("ab" * 32)
        key.symlink_to(tmp_path / "elsewhere")
    else:
        key.write_text("ab" * 32 if problem == "mode" else "not hex")
        key.chmod(0o644 if problem == "mode" else 0o600)
    result = run("check", project=project)
    assert result.exit_code == 0, result.output
    assert result.stderr.count("warning: parse cache off") == 1, result.stderr
    assert not (fresh_cache / "yaml").exists()


# -- one build at a time, and repair after a crash -----------------------------------------


def _build(project: Path, *args: str, env: dict[str, str] | None = None,
           code: str = "") -> subprocess.Popen[str]:
    """`briefgen build` in a process of its own; `code` runs first (e.g. to set a hook)."""
    script = f"{code}\nfrom briefgen.cli import main\nmain({list(args)!r})"
    return subprocess.Popen([sys.executable, "-c", script, ], cwd=project, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})


def test_concurrent_builds_keep_both_audiences(project: Path) -> None:
    (project / "build").mkdir()  # one empty output folder
    procs = [_build(project, "build", "--audience", aid, "--format", "html", "-q")
             for aid in ("officials", "public")]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    out = project / "build"
    assert {a["audience"] for a in manifest(out).values()} == {"officials", "public"}
    index = (out / "index.html").read_text()
    assert "demo/officials/en/" in index and "demo/public/ko/" in index
    assert_manifest_matches_disk(out)


_HOLD = """
import sys, time
import briefgen.build.run as b
real = b.remove_leftovers
def hold(out):
    print("locked", flush=True)
    time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 4)
    real(out)
b.remove_leftovers = hold
"""


def test_second_build_waits_or_fails_with_no_wait(project: Path) -> None:
    first = _build(project, "build", "--format", "html", "-q", code=_HOLD)
    assert first.stdout is not None and first.stdout.readline() == "locked\n"
    refused = run("build", "--format", "html", "--no-wait", project=project)
    assert refused.exit_code == 1
    assert "another build is writing to" in refused.stderr and "--no-wait" in refused.stderr
    waited = run("build", "--format", "html", project=project)
    assert waited.exit_code == 0, waited.output
    assert waited.stderr.count("another build is writing to") == 1
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert_manifest_matches_disk(project / "build")


_KILL_AFTER = """
import os, signal, sys
import briefgen.build.files as b
renames = []
def after(path):
    renames.append(path)
    if len(renames) == int(os.environ["KILL_AFTER"]):
        os.kill(os.getpid(), signal.SIGKILL)
b.after_rename = after
"""


@pytest.mark.parametrize("kill_after", [1, 3, 7])
@pytest.mark.parametrize("narrowed", [False, True])
def test_build_killed_between_renames_is_repaired(project: Path, kill_after: int,
                                                  narrowed: bool) -> None:
    out = project / "build"
    assert run("build", "-q", project=project).exit_code == 0
    text = (project / BRIEF).read_text()
    (project / BRIEF).write_text(text.replace("The first task.", "The first task, edited."))
    proc = _build(project, "build", "-q", code=_KILL_AFTER, env={"KILL_AFTER": str(kill_after)})
    proc.communicate(timeout=300)
    assert proc.returncode == -9  # killed between two renames
    # the next build, even one asked for another audience only, repairs what does not match
    args = ("--audience", "officials") if narrowed else ()
    result = run("build", *args, project=project)
    assert result.exit_code == 0, result.output
    assert_manifest_matches_disk(out)
    assert len(manifest(out)) == 6
    page = (out / "demo/public/en/demo-public-en.html").read_text()
    assert "edited" in page or narrowed  # a narrowed build keeps other audiences' intact files
    assert "edited" in (out / "demo/officials/en/demo-officials-en.html").read_text()


@pytest.mark.parametrize("linked", ["content/briefs", "content/audiences"])
def test_new_writes_nothing_through_a_link_out_of_the_project(tmp_path: Path,
                                                              linked: str) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    (project / "content" / "briefs").mkdir(parents=True)
    (project / "content" / "audiences").mkdir(parents=True)
    outside.mkdir()
    (project / linked).rmdir()
    (project / linked).symlink_to(outside, target_is_directory=True)
    kind, ident = ("brief", "x") if linked.endswith("briefs") else ("audience", "x")
    result = run("new", kind, ident, project=project)
    assert result.exit_code == 1
    assert "leads outside the project folder through a symbolic link" in result.stderr
    assert list(outside.rglob("*")) == []
