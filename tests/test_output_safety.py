"""What briefgen prints cannot be steered by content (issue #13): no forged CI annotations or
terminal escapes, no data URLs, at most 200 problems; `serve` answers only the local editor;
nothing is printed at exit after a refused @font-face."""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_hardening import edit

from briefgen.errors import Problem
from briefgen.output import SHOWN

from conftest import VALID, run

BRIEF = "content/briefs/demo/brief.yaml"
PUBLIC = "content/audiences/public.yaml"
INJECTION = r'page_size: "a4\n::warning file=README.md::injected\x1b[31m\r::error ::x"'
ANNOTATION = re.compile(r"::(error|warning) file=[^,:]+(,line=\d+(,col=\d+)?)?::[^\r]*")


@pytest.mark.parametrize(("injection", "message"), [
    # a colour escape is not text at all (BG114): refused before anything echoes the value
    (INJECTION, "character U+001B is not text: no page, feed or PDF may carry it (remove the "
                "escape that writes it)"),
    # line breaks and a bidi control are text: the echoed value shows them escaped
    (INJECTION.replace(r"\x1b[31m", r"\u202e"),
     r"page_size: 'a4\n::warning file=README.md::injected\u202e\r::error ::x' is not one of "
     "letter, a4"),
])
def test_content_cannot_forge_an_annotation_or_colour_a_line(project: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            injection: str, message: str
                                                            ) -> None:
    edit(project, PUBLIC, "page_size: a4", injection)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run("check", project=project)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert "\x1b" not in result.stderr and "\r" not in result.stderr
    assert "\u202e" not in result.stderr
    commands = [ln for ln in lines if ln.startswith("::")]
    assert len(commands) == 1 and ANNOTATION.fullmatch(commands[0]), commands
    assert commands[0] == f"::error file=content/audiences/public.yaml,line=6,col=12::{message}"
    assert lines[0] == f"content/audiences/public.yaml:6:12: {message}"


def test_reports_on_stdout_start_no_line_with_content(project: Path) -> None:
    """explain, diff and translations print content to stdout, which the Actions runner
    also reads for workflow commands: a value's line breaks and controls are escaped."""
    terms = project / "content/terms.yaml"
    terms.write_text(terms.read_text().replace(
        "en: the joint plan", 'en: "the joint\\n::warning file=x::injected \\u202e plan"'))
    for args in (["explain", "--audience", "public"], ["diff", "officials", "public"],
                 ["translations"]):
        result = run(*args, project=project)
        assert result.exit_code == 0, result.output
        assert "injected" in result.stdout or args[0] == "translations", args
        assert not [ln for ln in result.stdout.splitlines() if ln.startswith("::")], args
        assert "\u202e" not in result.stdout, args


def test_annotation_escapes_properties_and_is_relative_to_the_workspace(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "repo" / "briefs, 2026: draft"
    shutil.copytree(VALID, project)
    edit(project, BRIEF, "subtitle: Every", "subtitel: Every 100%")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "repo"))
    result = run("check", project=project)
    assert ("::error file=briefs%2C 2026%3A draft/content/briefs/demo/brief.yaml,line=3,col=1::"
            "subtitel: unknown field 'subtitel' (did you mean 'subtitle'?)"
            ) in result.stderr.splitlines()
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "elsewhere"))
    assert "::error file=content/briefs/demo/brief.yaml,line=3" in run(
        "check", project=project).stderr


def test_printed_problems_stop_at_200_then_a_count(project: Path) -> None:
    links = "".join(f"          [x{i}](javascript:alert({i}))\n\n" for i in range(250))
    edit(project, BRIEF, "          Do this quietly.\n", "          Do this quietly.\n\n" + links)
    result = run("check", "--strict", project=project)
    lines = result.stderr.splitlines()
    assert len(lines) == SHOWN + 2 and SHOWN == 200
    assert all("javascript:alert(" in ln for ln in lines[:SHOWN])
    assert lines[-2:] == ["briefgen: … and 50 more", "briefgen: 250 errors in 1 file"]


def test_no_message_prints_a_data_url() -> None:
    data = "data:image/png;base64," + "A" * 6_400_000
    problem = Problem("demo.pdf", 0, 0, f"WeasyPrint: Failed to load image at '{data}'")
    assert str(problem) == ("demo.pdf: WeasyPrint: Failed to load image at "
                            "'data:image/png;base64,… (4.6 MB)'")
    assert str(Problem("a", message="data:,x and DATA:text/plain,hi%20there")) == \
        "a: data:,… (1 byte) and data:text/plain,… (10 bytes)"


def test_image_limits_read_no_more_than_the_header(project: Path) -> None:
    """The bomb of the corpus case, but the file is 2 GB sparse: refused from its header."""
    bomb = (VALID.parent / "invalid/image-too-many-pixels/case.yaml").read_text()
    header = bytes.fromhex(re.search(r'append_hex: "(\w+)"', bomb).group(1))  # type: ignore
    edit(project, BRIEF, "          Do this quietly.\n",
         "          Do this quietly.\n\n          ![A huge chart](bomb.png)\n")
    (project / "content/briefs/demo/bomb.png").write_bytes(header)
    result = run("check", project=project)
    assert "image 'bomb.png' is 20,000 × 20,000 pixels" in result.stderr
    assert "data:" not in result.stderr


def test_refused_font_face_prints_nothing_at_exit(project: Path) -> None:
    css = project / "templates/css/print.css"
    css.parent.mkdir(parents=True)
    css.write_text("@font-face { font-family: R; src: url(https://example.org/x.woff) }\n"
                   "body { font-family: R, serif }\n")
    proc = subprocess.run([sys.executable, "-m", "briefgen", "build", "--format", "pdf",
                           "--jobs", "1", "--audience", "officials", "-q"], cwd=project,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert proc.stderr == ("demo/officials/en/demo-officials-en.pdf: the PDF tried to load "
                           "https://example.org/x.woff; a page loads only the theme's "
                           "stylesheets, fonts and images (templates/), never a content file "
                           "nor anything outside the project\nbriefgen: 1 error in 1 file\n")


# -- serve, through real HTTP requests ---------------------------------------------------------


@pytest.fixture
def served(project: Path) -> Iterator[int]:
    """serve's HTTP server on 127.0.0.1, an ephemeral port, in this process: its port."""
    from briefgen.commands.serve import Watcher, server

    httpd = server(project, 0, Watcher([]))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield httpd.server_port
    finally:
        httpd.shutdown()
        httpd.server_close()


def request(port: int, path: str, host: str | None, method: str = "GET",
            headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.putrequest(method, path, skip_host=True)
        if host is not None:
            conn.putheader("Host", host)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


def test_serve_answers_only_a_local_host(served: int) -> None:
    for host in (f"127.0.0.1:{served}", f"localhost:{served}", f"[::1]:{served}"):
        status, kind, body = request(served, "/demo/public/en/", host)
        assert (status, kind) == (200, "text/html; charset=utf-8"), host
        assert b"Two things lie ahead." in body
    for host in ("evil.example", f"evil.example:{served}", "127.0.0.1", "localhost:1",
                 f"127.0.0.1.evil.example:{served}", None):
        status, kind, body = request(served, "/demo/public/en/", host)
        assert (status, kind) == (421, "text/plain; charset=utf-8"), host
        assert body == (f"briefgen serve answers only http://127.0.0.1:{served}/ and "
                        f"http://localhost:{served}/").encode()


def test_serve_refuses_another_sites_requests(served: int) -> None:
    """Attack report 19, 3: a page on another site (a script, an EventSource, a frame) passes
    the Host check, and could not read the answer, but made serve render for it."""
    host = f"127.0.0.1:{served}"
    for path in ("/demo/public/en/", "/__events?since=-1&path=/demo/public/en/",
                 "/demo/public/en/pdf/demo-public-en.pdf"):
        for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                        {"Origin": f"http://127.0.0.1:{served}.evil.example"},
                        {"Sec-Fetch-Site": "cross-site"}):
            status, _, body = request(served, path, host, headers=headers)
            assert (status, body) == (403, b"briefgen serve answers only its own pages"), \
                (path, headers)
    for headers in ({"Origin": f"http://localhost:{served}"}, {"Sec-Fetch-Site": "same-origin"},
                    {"Sec-Fetch-Site": "none"}):
        assert request(served, "/demo/public/en/", host, headers=headers)[0] == 200, headers


def test_serve_is_not_framed_or_sniffed(served: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served, timeout=60)
    try:
        conn.request("GET", "/", headers={"Host": f"127.0.0.1:{served}"})
        response = conn.getresponse()
        response.read()
        assert response.getheader("X-Content-Type-Options") == "nosniff"
        assert response.getheader("Content-Security-Policy") == "frame-ancestors 'self'"
    finally:
        conn.close()


def test_serve_prepares_each_page_once_whatever_its_spelling(project: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """Attack report 19, 3: each spelling of a path (`//demo///public/en/`) was a page of
    its own, made ahead and kept until the next save: memory without bound."""
    from briefgen.commands import serve

    preview = serve.Preview(project.resolve())
    made: list[str] = []
    real = preview.page

    def counting(path: str) -> tuple[int, str, bytes]:
        made.append(path)
        return real(path)

    monkeypatch.setattr(preview, "page", counting)
    for n in range(1, 40):
        preview.prepare("/" * n + "demo/public/en" + "/" * n, 1)
        preview.prepare(f"/no/such/page-{n}", 1)  # names nothing: not kept
    assert list(preview.ready) == ["/demo/public/en"]
    assert sum("demo" in p for p in made) == 1 and len(made) == 1 + 39  # once; 404s
    for n in range(40):
        preview.prepare(f"/demo/public/en/pdf{'/' * (n % 3 + 1)}", 2)
    assert len(preview.ready) <= serve.MAX_READY
    status, kind, _ = preview.answer("//demo//public//en//", 2)
    assert (status, kind) == (200, "text/html; charset=utf-8")


def test_serve_refuses_other_methods(served: int) -> None:
    host = f"127.0.0.1:{served}"
    assert request(served, "/", host, "HEAD")[:2] == (200, "text/html; charset=utf-8")
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW"):
        status, _, body = request(served, "/", host, method)
        assert (status, body) == (405, f"briefgen serve answers only GET and HEAD, not "
                                        f"{method}".encode()), method


@pytest.mark.parametrize("error", [RecursionError("maximum recursion depth exceeded"),
                                   RuntimeError("boom"), MemoryError()])
def test_serve_answers_an_error_page_when_rendering_fails(
        served: int, monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    def fail(*args: object, **kwargs: object) -> str:
        raise error

    monkeypatch.setattr("briefgen.publish.html.render_edition", fail)
    status, kind, body = request(served, "/demo/public/en/", f"localhost:{served}")
    assert (status, kind) == (500, "text/html; charset=utf-8")
    assert f"this preview failed: {type(error).__name__}: {error}".encode() in body
    assert b"/__events?since=" in body  # it reloads by itself once the template is fixed


@pytest.mark.parametrize("data, mime, size", [
    (bytes.fromhex("89504e470d0a1a0a0000000d49484452000004d2000010e1080200000000000000"),
     "image/png", (1234, 4321)),
    (b"GIF89a" + (1234).to_bytes(2, "little") + (4321).to_bytes(2, "little") + b"\0" * 3,
     "image/gif", (1234, 4321)),
    (bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffffc2001108")
     + (4321).to_bytes(2, "big") + (1234).to_bytes(2, "big") + bytes(12), "image/jpeg",
     (1234, 4321)),  # JFIF segment, a fill byte, then a progressive frame header
    (bytes.fromhex("ffd8ffe00010"), "image/jpeg", None),
    (bytes.fromhex("89504e470d0a1a0a"), "image/png", None),
    (bytes.fromhex("89504e470d0a1a0a0000000d49484452000004d2"), "image/png", None),
])
def test_pixel_size_from_the_header(data: bytes, mime: str, size: tuple[int, int] | None
                                    ) -> None:
    from briefgen.edition.markdown import _pixel_size

    assert _pixel_size(data, mime) == size


def test_serve_error_page_shows_200_problems_then_a_count() -> None:
    from briefgen.commands.serve import _error_page

    page = _error_page([Problem("a.yaml", i, 1, "bad") for i in range(1, 251)])
    assert page.count("<li><code>") == 200 and "<li>… and 50 more</li>" in page
