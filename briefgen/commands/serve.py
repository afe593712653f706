"""`briefgen serve`: render any edition on request, reload the browser when files change.
Its own pages (the list of editions, the error page, the leak guard's banner) are the
theme's templates/preview/*.html.j2, which a project can restyle like any template."""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

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

# Injected only in the preview. The server pushes the change counter (server-sent events,
# /__events) once the page being viewed is rendered again; the page knows the count it was
# rendered at, so a save made while it loaded is never missed. The new page replaces the old
# in place (no navigation: its stylesheets and fonts are not fetched again and the scroll
# position stays), then the document gets a "briefgen:updated" event once it is painted. A
# page with scripts of its own, which a swap would not run, is reloaded instead, its scroll
# position kept. A PDF view swaps its frame's document.
RELOAD = """<script>
(function () {
  var seen = "%(seen)s", path = location.pathname, key = "briefgen-scroll:" + path;
  var frame = document.getElementById("briefgen-pdf");
  if ("scrollRestoration" in history) { history.scrollRestoration = "manual"; }
  var y = sessionStorage.getItem(key);
  if (y !== null) {
    sessionStorage.removeItem(key);
    var to = function () { window.scrollTo(0, +y); };
    to(); window.addEventListener("load", to);
  }
  function reload() {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  }
  function heads(head) {
    return Array.prototype.map.call(head.children, function (node) {
      return node.tagName === "TITLE" ? "" : node.outerHTML;
    }).join("");
  }
  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    if (doc.scripts.length !== 1) { reload(); return; }
    doc.scripts[0].remove();
    var x = window.scrollX, top = window.scrollY, root = document.documentElement;
    Array.prototype.slice.call(root.attributes).forEach(function (a) {
      root.removeAttribute(a.name);
    });
    Array.prototype.forEach.call(doc.documentElement.attributes, function (a) {
      root.setAttribute(a.name, a.value);
    });
    if (heads(doc.head) !== heads(document.head)) { document.head.replaceWith(doc.head); }
    document.title = doc.title;
    document.body.replaceWith(doc.body);
    window.scrollTo(x, top);
    requestAnimationFrame(function () {
      setTimeout(function () {
        document.dispatchEvent(new CustomEvent("briefgen:updated", {
          detail: performance.timeOrigin + performance.now()}));
      }, 0);
    });
  }
  var events = new EventSource("/__events?since=" + seen + "&path=" +
                               encodeURIComponent(path));
  events.onmessage = function (e) {
    if (e.data === seen) { return; }
    var wanted = seen = e.data;
    if (frame) {
      frame.src = frame.getAttribute("data-src") + "?v=" + seen;
      return;
    }
    fetch(path, {cache: "no-store"}).then(function (r) {
      if ((r.headers.get("Content-Type") || "").indexOf("text/html") !== 0) { throw r; }
      return r.text();
    }).then(function (html) {
      if (wanted === seen) { swap(html); }  /* else a later save's answer is on its way */
    }).catch(function () {
      if (wanted === seen) { events.close(); reload(); }
    });
  };
})();
</script>"""

#: How long an event stream waits before a keep-alive comment (seconds).
KEEP_ALIVE = 15.0
#: answers made ahead at most (each a page, or a PDF of some MB): the oldest go first
MAX_READY = 16
#: event streams open at once at most (each holds a thread)
MAX_STREAMS = 32


def watched(root: Path) -> list[Path]:
    """What an edition is made from: the content, the project's templates, briefgen's."""
    return [p for p in (root / "content", root / "templates", templates_dir()) if p.is_dir()]


def watch(root: Path, rebuild: Callable[[bool, frozenset[Path] | None], None]) -> None:
    """rebuild(True, None) now, then rebuild(False, paths) after every burst of saves, with
    the paths they changed (None if not all are known), until Ctrl-C. Saves made while a
    rebuild runs are seen: the watcher starts first."""
    watcher = Watcher(watched(root))
    watcher.thread.start()
    seen = 0
    rebuild(True, None)
    try:
        while True:
            if watcher.changed.wait(0.2):
                watcher.changed.clear()
                with watcher.moved:
                    now = watcher.changes
                rebuild(False, watcher.touched(seen, now))
                seen = now
    except KeyboardInterrupt:
        click.echo("briefgen: stopped watching", err=True)
    finally:
        watcher.stop.set()


#: the last batches of changed paths a Watcher remembers (an older count's paths: unknown)
BATCHES = 256


class Watcher:
    """Counts saves under the watched folders (watchfiles, a dependency), and remembers
    which paths the last BATCHES of them touched."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = [p for p in paths if p.exists()]
        self.changes = 0
        self.batches: deque[tuple[int, frozenset[Path]]] = deque(maxlen=BATCHES)
        self.changed = threading.Event()  # set at each change; the consumer clears it
        self.moved = threading.Condition()  # notified at each change, and at the stop
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from watchfiles import watch

        for batch in watch(*self.paths, stop_event=self.stop, debounce=100, step=20,
                           raise_interrupt=False):
            with self.moved:
                self.changes += 1
                self.batches.append((self.changes, frozenset(Path(p) for _, p in batch)))
                self.moved.notify_all()
            self.changed.set()
        with self.moved:
            self.moved.notify_all()

    def wait(self, since: int, timeout: float) -> int:
        """The count once it differs from `since` (or at the timeout, or the stop)."""
        with self.moved:
            self.moved.wait_for(lambda: self.changes != since or self.stop.is_set(),
                                timeout)
            return self.changes

    def touched(self, since: int, until: int) -> frozenset[Path] | None:
        """The paths changed after count `since` up to `until`; None if not all are known."""
        with self.moved:
            found = {n: paths for n, paths in self.batches if since < n <= until}
        if since > until or len(found) != until - since:
            return None
        return frozenset().union(*found.values())


def _problems(problems: list[Problem]) -> dict[str, object]:
    """What preview/problems.html.j2 shows: the first SHOWN problems, how many in all, and
    how many more there are."""
    more = f"{len(problems) - SHOWN:,}" if len(problems) > SHOWN else ""
    return {"problems": tuple(Plain(p) for p in problems[:SHOWN]), "count": len(problems),
            "more": more}


def _error_page(problems: list[Problem], folders: Folders | None = None,
                session: Session | None = None, seen: int = 0) -> str:
    """The page shown instead of an edition. If the project's own error page fails,
    briefgen's shows its problems too: the editor always learns what is wrong."""
    try:
        return _with_reload(render_template("preview/error.html.j2", folders, session,
                                            **_problems(problems)), seen)
    except BriefError as exc:
        if folders is None or folders == default_folders():
            raise
        return _error_page([*problems, *exc.problems], None, session, seen)


def _with_reload(page: str, seen: int) -> str:
    """The page with the script that reloads it when the files change after `seen`."""
    return page.replace("</body>", RELOAD % {"seen": seen} + "</body>", 1)


def _with_banner(page: str, problems: list[Problem], folders: Folders | None = None,
                 session: Session | None = None) -> str:
    """The page with the leak guard's problems in a banner at its top (a build refuses it)."""
    banner = render_template("preview/banner.html.j2", folders, session, **_problems(problems))
    return re.sub(r"<body\b[^>]*>", lambda m: m.group(0) + banner, page, count=1)


class Preview:
    """The pages `serve` answers, made from the project as it is on disk at each request."""

    def __init__(self, root: Path,
                 touched: Callable[[int, int], frozenset[Path] | None] | None = None) -> None:
        self.root = root
        # parsed files, compiled templates (which check their files), catalogs, the PDF
        # renderer: kept between requests, forgotten when files change
        self.session = Session(root)
        self.changes = 0
        #: touched(since, until): the paths changed between two counts (Watcher.touched)
        self.touched = touched or (lambda since, until: None)
        self.lock = threading.Lock()  # one render at a time: they share the Session
        #: answers made ahead by the event stream, by canonical path, with the change
        #: count they were made at (at most MAX_READY, the oldest dropped)
        self.ready: OrderedDict[str, tuple[int, tuple[int, str, bytes]]] = OrderedDict()

    def seen(self, changes: int) -> None:
        """Files changed (the watcher's count moved): forget what was read from them."""
        if changes != self.changes:
            changed = self.touched(self.changes, changes)
            self.changes = changes
            self.session.reset(changed)
            self.ready.clear()

    def answer(self, path: str, changes: int) -> tuple[int, str, bytes]:
        """The answer to a path, made from the files as they are now; or the one the event
        stream made ahead at this change count for the reload it announced (used once: a
        save the watcher has not counted yet is still read at the next request)."""
        with self.lock:
            self.seen(changes)
            kept = self.ready.pop(canonical(path), None)
            if kept is not None and kept[0] == changes:
                return kept[1]
            return self.page(path)

    def prepare(self, path: str, changes: int) -> None:
        """Make the answer to a path ahead, for the reload the event stream will announce:
        once per page and change count, however many streams (or spellings of its path)
        ask; a path that names nothing is not kept."""
        key = canonical(path)
        with self.lock:
            self.seen(changes)
            if key in self.ready and self.ready[key][0] == changes:
                return
            answer = self.page(path)
            if answer[0] == 404:
                return
            self.ready[key] = (changes, answer)
            while len(self.ready) > MAX_READY:
                self.ready.popitem(last=False)

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
                return 200, "text/html; charset=utf-8", \
                    _with_reload(body, self.changes).encode()
            if len(parts) not in (3, 4, 5) or parts[0] not in project.briefs or \
                    (parts[1], parts[2]) not in project.editions(parts[0]):
                return 404, "text/plain; charset=utf-8", b"no such edition"
            slug, audience, lang = parts[:3]
            name = f"{slug}-{audience}-{lang}.pdf"
            if parts[3:] == ["pdf"]:  # the PDF in a frame the reload script refreshes
                viewer = render_template("preview/pdf.html.j2", folders, self.session,
                                         title=f"{slug} · {audience} · {lang}",
                                         src=f"/{slug}/{audience}/{lang}/pdf/{name}",
                                         seen=self.changes)
                return 200, "text/html; charset=utf-8", \
                    _with_reload(viewer, self.changes).encode()
            if parts[3:] not in ([], ["pdf", name]):
                return 404, "text/plain; charset=utf-8", b"no such edition"
            problems = Problems()
            # the page, and under pdf/ its PDF, guarded by their formats' surfaces; the
            # PDF's manifest and index entry is the page's
            output = OUTPUT_FORMATS["pdf" if parts[3:] else "html"]
            edition = resolve(project, slug, audience, lang, output.mode, problems)
            problems.raise_if_errors()
            page = render_edition(edition, "pdf/", folders, self.session)
            artifact = f"{slug}/{audience}/{lang}/{slug}-{audience}-{lang}.{output.suffix}"
            if not output.in_workers:
                leaks = leak_problems(edition, artifact, output.surfaces(
                    Texts(title=edition.title.plain, page=page)))
                page = _with_banner(page, leaks, folders, self.session) if leaks else page
                return 200, "text/html; charset=utf-8", \
                    _with_reload(page, self.changes).encode()
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
        return _error_page(problems, self.folders(), self.session, self.changes).encode()


HOSTS = ("127.0.0.1", "localhost", "[::1]")  # a Host header serve answers, with its port
#: sent with every answer: no sniffing, no framing by another site
SAFE_HEADERS = (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "SAMEORIGIN"),
                ("Content-Security-Policy", "frame-ancestors 'self'"))


def canonical(path: str) -> str:
    """A request path as the preview routes it: one slash between parts (`//a///b/` is
    `/a/b`), so that no two spellings of one page are two pages."""
    return "/" + "/".join(p for p in path.split("/") if p)


def server(root: Path, port: int, watcher: Watcher) -> ThreadingHTTPServer:
    """The preview's HTTP server on 127.0.0.1 (port 0: any free port). It answers only GET and
    HEAD requests for a local Host: a web page whose name resolves to 127.0.0.1 (DNS
    rebinding) cannot read the previews."""
    preview = Preview(root.resolve(), watcher.touched)
    streams = threading.BoundedSemaphore(MAX_STREAMS)

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
            local = [f"{host}:{port}" for host in HOSTS]
            if self.headers.get("Host") not in local:
                self._send(421, f"briefgen serve answers only http://127.0.0.1:{port}/ and "
                           f"http://localhost:{port}/", send_body=body)
                return
            origin = self.headers.get("Origin")
            if (origin is not None and origin not in [f"http://{h}" for h in local]) or \
                    self.headers.get("Sec-Fetch-Site") == "cross-site":
                # another site's page (a script, an EventSource, a frame, a link): it
                # could not read the answer, but could make serve render for it
                self._send(403, "briefgen serve answers only its own pages", send_body=body)
                return
            path, _, query = self.path.partition("?")
            if path == "/__changes":
                status, kind, data = 200, "text/plain", str(watcher.changes).encode()
            elif path == "/__events" and body:
                if not streams.acquire(blocking=False):
                    self._send(503, f"briefgen serve keeps at most {MAX_STREAMS} pages "
                               "updated at once; close some tabs")
                    return
                try:
                    self._events(parse_qs(query))
                finally:
                    streams.release()
                return
            else:
                status, kind, data = preview.answer(path, watcher.changes)
            self._send(status, data, kind=kind, send_body=body)

        def _events(self, query: dict[str, list[str]]) -> None:
            """Server-sent events: the change count, each time files change after `since`,
            once the page at `path` is made again (so the reload finds it ready)."""
            try:
                since = int(query.get("since", ["-1"])[0])
            except ValueError:
                since = -1
            viewed = query.get("path", [""])[0]
            if viewed.rstrip("/").endswith("/pdf"):  # the frame's document is what changes
                parts = viewed.strip("/").split("/")
                viewed = viewed.rstrip("/") + "/" + "-".join(parts[:3]) + ".pdf"
            self.send_response(200)
            for name, value in (("Content-Type", "text/event-stream"),
                                ("Cache-Control", "no-store"), *SAFE_HEADERS):
                self.send_header(name, value)
            self.end_headers()
            try:
                while not watcher.stop.is_set():
                    count = watcher.wait(since, KEEP_ALIVE)
                    if count == since:
                        self.wfile.write(b": still watching\n\n")
                    else:
                        if viewed.startswith("/"):
                            preview.prepare(viewed, count)
                        self.wfile.write(f"data: {count}\n\n".encode())
                        since = count
                    self.wfile.flush()
            except OSError:  # the page went away
                return

        def _send(self, status: int, data: bytes | str, headers: tuple[tuple[str, str], ...] = (),
                  kind: str = "text/plain; charset=utf-8", send_body: bool = True) -> None:
            data = data.encode() if isinstance(data, str) else data
            self.send_response(status)
            for name, value in [("Content-Type", kind), ("Cache-Control", "no-store"),
                                ("Content-Length", str(len(data))), *SAFE_HEADERS, *headers]:
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
        with watcher.moved:
            watcher.moved.notify_all()
        httpd.server_close()
