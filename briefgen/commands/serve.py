"""`briefgen serve`: render any edition on request, reload the browser when files change.
Its own pages (the list of editions, the error page, the leak guard's banner) are the
theme's templates/preview/*.html.j2, which a project can restyle like any template."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import click

from briefgen.build.formats import OUTPUT_FORMATS, Texts
from briefgen.build.run import leak_problems, rendering_problems
from briefgen.errors import BriefError, Problem, printable
from briefgen.output import SHOWN
from briefgen.publish import archive
from briefgen.publish.html import frozen, render_template
from briefgen.publish.sandbox import Folders, Plain, default_folders
from briefgen.session import Session
from briefgen.theme import Theme
from briefgen.theme import bundled as templates_dir

log = logging.getLogger(__name__)

# Polls the change counter; reloads the page when it moves. Injected only in the preview.
RELOAD = """<script>
(function () {
  var seen = null;
  setInterval(function () {
    fetch("/__changes").then(function (r) { return r.text(); }).then(function (n) {
      if (seen !== null && n !== seen) { location.reload(); }
      seen = n;
    }).catch(function () {});
  }, 400);
})();
</script>"""


def watched(root: Path) -> list[Path]:
    """What an edition is made from: the content, the project's templates, briefgen's."""
    return [p for p in (root / "content", root / "templates", templates_dir()) if p.is_dir()]


def watch(root: Path, rebuild: Callable[[bool], None]) -> None:
    """rebuild(True) now, then rebuild(False) after every burst of saves, until Ctrl-C.
    Saves made while a rebuild runs are seen: the watcher starts first."""
    watcher = Watcher(watched(root))
    watcher.thread.start()
    rebuild(True)
    try:
        while True:
            if watcher.changed.wait(0.2):
                watcher.changed.clear()
                rebuild(False)
    except KeyboardInterrupt:
        click.echo("briefgen: stopped watching", err=True)
    finally:
        watcher.stop.set()


class Watcher:
    """Counts saves under the watched folders (watchfiles, a dependency)."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = [p for p in paths if p.exists()]
        self.changes = 0
        self.changed = threading.Event()  # set at each change; the consumer clears it
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from watchfiles import watch

        for _ in watch(*self.paths, stop_event=self.stop, debounce=100, step=20,
                       raise_interrupt=False):
            self.changes += 1
            self.changed.set()


def _problems(problems: list[Problem]) -> dict[str, object]:
    """What preview/problems.html.j2 shows: the first SHOWN problems, how many in all, and
    how many more there are."""
    more = f"{len(problems) - SHOWN:,}" if len(problems) > SHOWN else ""
    return {"problems": tuple(Plain(p) for p in problems[:SHOWN]), "count": len(problems),
            "more": more}


def _error_page(problems: list[Problem], folders: Folders | None = None,
                session: Session | None = None) -> str:
    """The page shown instead of an edition. If the project's own error page fails,
    briefgen's shows its problems too: the editor always learns what is wrong."""
    try:
        return _with_reload(render_template("preview/error.html.j2", folders, session,
                                            **_problems(problems)))
    except BriefError as exc:
        if folders is None or folders == default_folders():
            raise
        return _error_page([*problems, *exc.problems], None, session)


def _with_reload(page: str) -> str:
    return page.replace("</body>", RELOAD + "</body>", 1)


def _with_banner(page: str, problems: list[Problem], folders: Folders | None = None,
                 session: Session | None = None) -> str:
    """The page with the leak guard's problems in a banner at its top (a build refuses it)."""
    banner = render_template("preview/banner.html.j2", folders, session, **_problems(problems))
    return re.sub(r"<body\b[^>]*>", lambda m: m.group(0) + banner, page, count=1)


class Preview:
    """The pages `serve` answers, made from the project as it is on disk at each request."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # parsed files, compiled templates (which check their files), catalogs, the PDF
        # renderer: kept between requests, forgotten when files change
        self.session = Session(root)
        self.changes = 0

    def seen(self, changes: int) -> None:
        """Files changed (the watcher's count moved): forget what was read from them."""
        if changes != self.changes:
            self.changes = changes
            self.session.reset()

    def folders(self) -> Folders:
        """The theme's folders, for the error page too: briefgen's if the project's are
        wrong (its own error is on that page)."""
        try:
            return Theme.of(self.root).folders
        except BriefError:
            return default_folders()

    def page(self, path: str) -> tuple[int, str, bytes]:
        from briefgen.content.project import load_project
        from briefgen.edition.resolve import resolve
        from briefgen.errors import Problems
        from briefgen.publish.html import render_edition

        parts = [p for p in path.strip("/").split("/") if p]
        try:
            project = load_project(self.root, session=self.session)
            folders = project.template_folders
            if not parts:
                editions = [{"slug": s, "audience": a, "lang": lang}
                            for s in sorted(project.briefs) for a, lang in project.editions(s)]
                body = render_template("preview/index.html.j2", folders, self.session,
                                       editions=frozen(editions))
                return 200, "text/html; charset=utf-8", _with_reload(body).encode()
            if len(parts) not in (3, 4) or parts[0] not in project.briefs or \
                    (parts[1], parts[2]) not in project.editions(parts[0]):
                return 404, "text/plain; charset=utf-8", b"no such edition"
            slug, audience, lang = parts[:3]
            problems = Problems()
            # the page, and under pdf/ (any fourth part) its PDF, guarded by their formats'
            # surfaces; the PDF's manifest and index entry is the page's
            output = OUTPUT_FORMATS["pdf" if len(parts) == 4 else "html"]
            edition = resolve(project, slug, audience, lang, output.mode, problems)
            problems.raise_if_errors()
            page = render_edition(edition, "pdf/", folders, self.session)
            artifact = f"{slug}/{audience}/{lang}/{slug}-{audience}-{lang}.{output.suffix}"
            if not output.in_workers:
                leaks = leak_problems(edition, artifact, output.surfaces(
                    Texts(title=edition.title.plain, page=page)))
                page = _with_banner(page, leaks, folders, self.session) if leaks else page
                return 200, "text/html; charset=utf-8", _with_reload(page).encode()
            pdf = self.session.pdf  # its fonts are the theme's: made again after a change
            if pdf is None:
                from briefgen.publish.pdf import PdfRenderer
                pdf = self.session.keep_pdf_renderer(PdfRenderer(project.content,
                                                                 Theme(folders)))
            variant = edition.audience.pdf_variant
            result = pdf.render(page, variant, archive.attachments(project, edition)
                                if variant == archive.ARCHIVAL else ())
            rendering_problems(artifact, result, problems, self.root)  # URLs, files…
            if errors := problems.errors + leak_problems(
                    edition, artifact, output.surfaces(Texts(page=page, pdf=result))):
                return 200, "text/html; charset=utf-8", self.error(errors)
            return 200, "application/pdf", result.data
        except BriefError as exc:
            return 200, "text/html; charset=utf-8", self.error(exc.problems)
        except Exception as exc:  # noqa: BLE001 - recursion, memory: a page, never no reply
            log.debug("the preview of %s failed", path, exc_info=True)
            problem = Problem("briefgen", message=f"this preview failed: {type(exc).__name__}: "
                              f"{exc}", hint="check the templates; run briefgen check",
                              code="BG501")
            return 500, "text/html; charset=utf-8", self.error([problem])

    def error(self, problems: list[Problem]) -> bytes:
        return _error_page(problems, self.folders(), self.session).encode()


HOSTS = ("127.0.0.1", "localhost", "[::1]")  # a Host header serve answers, with its port


def server(root: Path, port: int, watcher: Watcher) -> ThreadingHTTPServer:
    """The preview's HTTP server on 127.0.0.1 (port 0: any free port). It answers only GET and
    HEAD requests for a local Host: a web page whose name resolves to 127.0.0.1 (DNS
    rebinding) cannot read the previews."""
    preview = Preview(root.resolve())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._answer(body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(body=False)

        def __getattr__(self, name: str) -> Any:
            if name.startswith("do_"):  # any other method: POST, PUT, OPTIONS, BREW …
                return lambda: self._send(405, f"briefgen serve answers only GET and HEAD, "
                                          f"not {self.command}", (("Allow", "GET, HEAD"),))
            raise AttributeError(name)

        def _answer(self, body: bool) -> None:
            port = self.connection.getsockname()[1]
            if self.headers.get("Host") not in [f"{host}:{port}" for host in HOSTS]:
                self._send(421, f"briefgen serve answers only http://127.0.0.1:{port}/ and "
                           f"http://localhost:{port}/", send_body=body)
                return
            preview.seen(watcher.changes)
            if self.path == "/__changes":
                status, kind, data = 200, "text/plain", str(watcher.changes).encode()
            else:
                status, kind, data = preview.page(self.path.split("?")[0])
            self._send(status, data, kind=kind, send_body=body)

        def _send(self, status: int, data: bytes | str, headers: tuple[tuple[str, str], ...] = (),
                  kind: str = "text/plain; charset=utf-8", send_body: bool = True) -> None:
            data = data.encode() if isinstance(data, str) else data
            self.send_response(status)
            for name, value in [("Content-Type", kind), ("Cache-Control", "no-store"),
                                ("Content-Length", str(len(data))), *headers]:
                self.send_header(name, value)
            self.end_headers()
            if send_body:
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            log.info("%s", printable(format % args))

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def serve(root: Path, port: int) -> None:
    watcher = Watcher(watched(root))
    watcher.thread.start()
    httpd = server(root, port, watcher)
    click.echo(f"briefgen: previewing on http://127.0.0.1:{httpd.server_port}/ "
               "(Ctrl-C to stop)", err=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        click.echo("briefgen: preview stopped", err=True)
    finally:
        watcher.stop.set()
        httpd.server_close()
