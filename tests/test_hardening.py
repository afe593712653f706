"""Hardening: failed and interrupted builds, protected folders, no network, sandboxed templates.

The promises tested here (README, "Exit codes"): a build that fails or is interrupted writes
nothing -- every earlier artifact and the manifest stay byte-identical and no temporary file
is left behind; content is never modified; the project, content and templates folders are
never used as output; nothing is fetched from the network; templates run in a sandbox.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

import briefgen.build.workers as build_mod
from briefgen.build.files import remove_leftovers
from briefgen.cli import main
from briefgen.errors import BriefError
from briefgen.theme import bundled as templates_dir

from conftest import VALID, run

COPIES = 5  # the demo brief under 5 more slugs: 18 PDFs, a few seconds with --jobs 1
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de00"
                    "00000c49444154789c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082")
BRIEF = "content/briefs/demo/brief.yaml"


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file under folder (hidden ones too), by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() or p.is_symlink()}


def leftovers(folder: Path) -> list[str]:
    """Temporary files a build may have left: write_atomic's .<name>.<random>.tmp."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.name.endswith(".tmp") or (p.name.startswith(".") and p.is_file()))


def edit(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(project: Path, rel: str, needle: str) -> int:
    """The 1-based line of the file on which needle first appears."""
    lines = (project / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def change_every_edition(project: Path) -> None:
    """A content change that alters every English artifact, so a rebuild would write new bytes."""
    edit(project, "content/audiences/public.yaml", "en: Public release", "en: Public release B")
    edit(project, "content/audiences/officials.yaml", "en: For official discussion",
         "en: For official discussion B")


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test project with the demo brief copied under more slugs, fully built once."""
    root = tmp_path_factory.mktemp("catalogue") / "project"
    shutil.copytree(VALID, root)
    for i in range(1, COPIES + 1):
        shutil.copytree(root / "content/briefs/demo", root / f"content/briefs/demo-copy-{i}")
    result = run("build", "--jobs", "1", "-q", project=root)
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def built(catalogue: Path, tmp_path: Path) -> Path:
    """A private copy of the built catalogue: content/ and a complete build/."""
    dest = tmp_path / "project"
    shutil.copytree(catalogue, dest, symlinks=True)
    return dest


# -- (1) a build that fails late writes nothing ------------------------------------------------


def fails_on_third(real: Callable[..., Any], error: BaseException
                   ) -> tuple[list[object], Callable[..., Any]]:
    """A stand-in for `real` that raises `error` on its third call; and the list of calls."""
    calls: list[object] = []

    def stand_in(*args: Any) -> Any:
        calls.append(args)
        if len(calls) == 3:
            raise error
        return real(*args)
    return calls, stand_in


def test_failure_on_third_pdf_leaves_previous_build_untouched(
        built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = built / "build"
    before = snapshot(out)
    change_every_edition(built)
    calls, third_fails = fails_on_third(build_mod._render_pdf,
                                        BriefError("injected failure while rendering the third "
                                                   "PDF"))
    monkeypatch.setattr(build_mod, "_render_pdf", third_fails)
    result = run("build", "--jobs", "1", "--force", project=built)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "briefgen: injected failure while rendering the third PDF" in result.stderr
    assert len(calls) == 3, "the build must stop at the failing artifact"
    assert snapshot(out) == before
    assert leftovers(built) == []


def test_disk_full_on_third_write_leaves_previous_build_untouched(
        built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = built / "build"
    before = snapshot(out)
    change_every_edition(built)
    real = os.fsync
    # every file briefgen writes is fsynced once
    synced, disk_full_on_third = fails_on_third(real, OSError(errno.ENOSPC,
                                                              "No space left on device"))
    monkeypatch.setattr(os, "fsync", disk_full_on_third)
    result = CliRunner().invoke(main, ["build", "--jobs", "1", "--force", "--project",
                                       str(built)], catch_exceptions=True)
    monkeypatch.setattr(os, "fsync", real)
    assert len(synced) >= 3
    assert not isinstance(result.exception, OSError), "OSError must become exit 1, no traceback"
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert snapshot(out) == before
    assert leftovers(built) == []


# -- (2) real signals --------------------------------------------------------------------------


def _start_build(project: Path, log: Path, jobs: int) -> subprocess.Popen[bytes]:
    with log.open("wb") as err:
        # its own process group, so a "terminal Ctrl-C" can reach the PDF workers too
        return subprocess.Popen(
            [sys.executable, "-m", "briefgen", "build", "--jobs", str(jobs), "--force"],
            cwd=project, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)


def _wait_until_rendering_pdfs(proc: subprocess.Popen[bytes], log: Path, done: int = 2) -> None:
    """Until `done` PDFs are rendered (progress lines on stderr) and more are to come."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        if text.count(".pdf\n") >= done:
            return
        assert proc.poll() is None, f"the build ended before rendering PDFs:\n{text}"
        time.sleep(0.02)
    proc.kill()
    pytest.fail("no PDF progress within 120 s")


@pytest.mark.parametrize(("sig", "jobs", "group"), [
    pytest.param(signal.SIGINT, 1, False, id="SIGINT"),
    pytest.param(signal.SIGKILL, 1, False, id="SIGKILL"),
    pytest.param(signal.SIGINT, 2, True, id="SIGINT-to-group-with-2-workers")])
def test_signal_mid_build_leaves_previous_build_untouched(built: Path, tmp_path: Path,
                                                          sig: signal.Signals, jobs: int,
                                                          group: bool) -> None:
    out = built / "build"
    before = snapshot(out)
    change_every_edition(built)
    log = tmp_path / "stderr.txt"
    proc = _start_build(built, log, jobs)
    try:
        _wait_until_rendering_pdfs(proc, log)
        if group:  # what Ctrl-C in a terminal does: the whole foreground process group
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    stderr = log.read_text(encoding="utf-8", errors="replace")
    assert stderr.count(".pdf\n") < 3 * (COPIES + 1), "the build had finished: signal too late"
    if sig == signal.SIGINT:
        assert code == 130, stderr
        assert "Traceback" not in stderr
        assert stderr.endswith("briefgen: interrupted; nothing was written\n"), stderr
    else:
        assert code == -signal.SIGKILL
        # the pages it staged are hidden; it could not delete them: the next build does
        staged = leftovers(built)
        assert staged and all(re.fullmatch(r"build/(.+/)?\.[^/]+\.tmp", p) for p in staged)
        remove_leftovers(out)
    assert snapshot(out) == before
    assert leftovers(built) == []


# -- (3) content is read-only to a build -------------------------------------------------------


def test_build_never_modifies_content(project: Path) -> None:
    (project / "content/briefs/demo/figure-1px.png").write_bytes(PNG)
    edit(project, BRIEF, "          Do this openly.\n",
         "          Do this openly.\n\n          ![A one-pixel chart](figure-1px.png)\n")
    content, templates = snapshot(project / "content"), snapshot(templates_dir())
    stamps = {p: p.stat().st_mtime_ns for p in (project / "content").rglob("*")}
    for args in (["check"], ["build", "--jobs", "1"], ["build", "--jobs", "1", "--force"]):
        result = run(*args, project=project)
        assert result.exit_code == 0, result.output
    assert snapshot(project / "content") == content
    assert {p: p.stat().st_mtime_ns for p in (project / "content").rglob("*")} == stamps
    assert snapshot(templates_dir()) == templates


# -- (4) protected output folders --------------------------------------------------------------


def _refusal(out: Path, what: str) -> str:
    return (f"briefgen: refusing to build into {out}: it is {what} or contains it; "
            "choose a separate folder such as build/")


@pytest.mark.parametrize("where", ["project", "ancestor", "symlink-to-project"])
def test_out_refused(project: Path, tmp_path: Path, where: str) -> None:
    out = {"project": project, "ancestor": tmp_path, "symlink-to-project": tmp_path / "link"}[
        where]
    if where == "symlink-to-project":
        out.symlink_to(project, target_is_directory=True)
    what = "the project folder"
    before = snapshot(project), snapshot(templates_dir())
    result = run("build", "--jobs", "1", "--out", str(out), project=project)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[0] == _refusal(out.resolve(), what)
    assert (snapshot(project), snapshot(templates_dir())) == before
    assert not (project / "manifest.json").exists() and not (tmp_path / "manifest.json").exists()


@pytest.mark.parametrize("sub", ["content", "content/briefs", "content/briefs/out", "TEMPLATES",
                                 "TEMPLATES/css"])
def test_out_in_content_or_templates_refused(project: Path, sub: str) -> None:
    out = templates_dir() / sub[10:] if sub.startswith("TEMPLATES") else project / sub
    before = snapshot(project), snapshot(templates_dir())
    result = run("build", "--jobs", "1", "--out", str(out), project=project)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"briefgen: refusing to build into {out.resolve()}: ")
    assert (snapshot(project), snapshot(templates_dir())) == before


@pytest.mark.parametrize("what", ["the content folder", "the templates folder"])
def test_out_message_names_the_protected_folder(project: Path, what: str) -> None:
    out = project / "content" if what == "the content folder" else templates_dir()
    result = run("build", "--out", str(out), project=project)
    assert result.stderr.splitlines()[0] == _refusal(out, what)


def test_refusal_is_printed_once(project: Path) -> None:
    result = run("build", "--out", str(project), project=project)
    assert result.stderr == _refusal(project, "the project folder") + "\n"


# -- (5) no network ----------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Any attempt to resolve or connect is recorded and fails."""
    attempts: list[str] = []

    def refuse(name: str) -> Any:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise OSError(errno.ENETUNREACH, "network access in a test")
        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    yield attempts


def test_remote_image_fails_clearly_without_connecting(project: Path,
                                                       no_network: list[str]) -> None:
    edit(project, BRIEF, "          Do this openly.\n",
         "          Do this openly.\n\n          ![A map](https://example.org/map.png)\n")
    result = run("build", "--jobs", "1", project=project)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    line = line_of(project, BRIEF, "https://example.org/map.png")
    assert result.stderr.startswith(f"content/briefs/demo/brief.yaml:{line}:")
    assert ("remote image 'https://example.org/map.png' is never fetched; save it in the "
            "brief's folder and give its relative path") in result.stderr
    assert not (project / "build").exists()
    assert no_network == []


def test_pdf_renderer_fetches_nothing_outside_the_project(no_network: list[str]) -> None:
    from briefgen.publish.pdf import PdfRenderer

    html = """<!doctype html><html lang="en"><head><title>t</title>
      <link rel="stylesheet" href="https://example.org/evil.css">
      <style>@import url("http://example.org/i.css");
        @font-face { font-family: X; src: url("https://example.org/x.woff2"); }
        body { background: url("ftp://example.org/b.png"); }</style></head>
      <body><p>text</p><img alt="a" src="http://example.org/a.png">
      <img alt="b" src="file:///etc/passwd"><img alt="c" src="//example.org/c.png"></body></html>"""
    result = PdfRenderer(VALID / "content").render(html)
    assert result.data.startswith(b"%PDF")
    assert {"https://example.org/evil.css", "http://example.org/a.png",
            "file:///etc/passwd"} <= set(result.refused)
    assert no_network == []


# -- (6) sandboxed templates -------------------------------------------------------------------


def test_templates_are_sandboxed() -> None:
    from briefgen.publish.html import default_folders, environment

    env = environment(default_folders())
    assert isinstance(env, SandboxedEnvironment)
    for probe in ("{{ ''.__class__.__mro__ }}",
                  "{{ ''.__class__.__mro__[1].__subclasses__() }}",
                  "{{ cycler.__init__.__globals__.os }}",
                  "{{ e.__init__.__globals__ }}"):
        with pytest.raises(SecurityError):
            env.from_string(probe).render(e=object())


def test_project_template_errors_name_the_template_and_line(project: Path) -> None:
    """A project's own templates/ overrides briefgen's file by file, inside the same sandbox."""
    own = project / "templates/sections"
    own.mkdir(parents=True)
    prose = own / "prose.html.j2"
    for body, line, message in [
            ("<section>\n{{ s.no_such_field }}\n</section>\n", "2", "no_such_field"),
            ("<section>\n{% if s.title %}\n</section>\n", "", "endif"),
            ("<section>{{ s.__class__.__mro__ }}</section>\n", "1", "unsafe")]:
        prose.write_text(body, encoding="utf-8")
        for args in (["check"], ["build", "--jobs", "1"]):
            result = run(*args, project=project)
            assert result.exit_code == 1, result.output
            assert "Traceback" not in result.output
            first = result.stderr.splitlines()[0]
            assert first.startswith(f"templates/sections/prose.html.j2:{line}"), first
            assert first.split(":")[1].isdigit(), first  # always a line number
            assert "template error: " in first and message in first, first
            assert not (project / "build").exists()


def test_out_project_templates_refused(project: Path) -> None:
    (project / "templates").mkdir()
    result = run("build", "--format", "html", "--out", str(project / "templates"),
                 project=project)
    assert result.exit_code == 1
    assert not (project / "templates/manifest.json").exists()


# -- images that cannot be read, raw HTML ------------------------------------------------------


def _with_chart(project: Path) -> Path:
    chart = project / "content/briefs/demo/unreadable.png"
    chart.write_bytes(PNG)
    edit(project, BRIEF, "          Do this quietly.\n",
         "          Do this quietly.\n\n          ![A chart](unreadable.png)\n")
    return chart


UNREADABLE = ("cannot read image 'unreadable.png': Permission denied (check the file's "
              "permissions)")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode: chmod 000 "
                    "cannot make an image unreadable (test_unreadable_image_simulated covers it)")
def test_unreadable_image_chmod_000(project: Path) -> None:
    _with_chart(project).chmod(0)
    result = run("check", project=project)
    assert result.exit_code == 1
    line = line_of(project, BRIEF, "unreadable.png")
    assert result.stderr.startswith(f"content/briefs/demo/brief.yaml:{line}:")
    assert UNREADABLE in result.stderr


def test_unreadable_image_simulated(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same failure for any user (root included): reading the image raises EACCES."""
    chart = _with_chart(project)
    real = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self.name == chart.name:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    result = run("check", project=project)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    line = line_of(project, BRIEF, "unreadable.png")
    assert result.stderr.startswith(f"content/briefs/demo/brief.yaml:{line}:")
    assert UNREADABLE in result.stderr


class _Active(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=...>")


#: the one script a page holds: JSON-LD (templates/web.html.j2), a data block no browser
#: runs, whose text holds no "<" (publish/web.py:script_json) and is JSON
JSON_LD = re.compile(r'<script type="application/ld\+json">([^<]*)</script>')


def without_json_ld(page: str) -> str:
    for block in JSON_LD.findall(page):
        json.loads(block)
    return JSON_LD.sub("", page)


def test_raw_html_never_reaches_the_output(project: Path) -> None:
    edit(project, BRIEF, "          Do this openly.\n",
         "          Do this openly. <b onmouseover=\"alert(1)\">bold</b> "
         "<img src=x onerror=alert(1)>\n\n          <script>alert(document.cookie)</script>\n\n"
         "          <SCRIPT SRC=//example.org/x.js></SCRIPT> <iframe src=\"javascript:alert(1)\">"
         "</iframe>\n")
    result = run("build", "--format", "html", "--out", str(project / "build"), project=project)
    assert result.exit_code == 0, result.output
    pages = sorted((project / "build").rglob("*.html"))
    assert len(pages) == 6  # three editions, the editors' index, one index per audience
    for page in pages:
        text = without_json_ld(page.read_text(encoding="utf-8"))
        assert "<script" not in text.lower(), page
        parser = _Active()
        parser.feed(text)
        assert parser.found == [], (page, parser.found)
    shared = (project / "build/demo/public/en/demo-public-en.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in shared


def test_repository_templates_have_no_scripts() -> None:
    """The guarantee above also needs the templates themselves to stay script-free."""
    for path in sorted(templates_dir().rglob("*.j2")):
        text = path.read_text(encoding="utf-8")
        if path.name == "web.html.j2":  # JSON-LD, escaped by publish/web.py:script_json
            text = text.replace('<script type="application/ld+json">{{ web.json_ld }}'
                                "</script>", "", 1)
        assert "<script" not in text.lower(), path
