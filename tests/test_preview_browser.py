"""`briefgen serve` in a real browser (headless Chromium over chromedriver, as the HTML checks
use it): every save reaches the page, however soon after the page loaded it is made; the
new page replaces the old in place, keeping the scroll position (a page with scripts of its
own is reloaded, keeping it too); a PDF view is refreshed in place.

Needs chromium and chromedriver (Debian packages). Without them the tests are skipped,
saying why; with BRIEFGEN_REQUIRE_HTML_CHECKS=1 set (CI) they fail instead."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_html_quality import check_html

from briefgen.publish.pdftext import page_text

VALID = Path(__file__).parent / "data" / "valid"
BRIEF = "content/briefs/demo/brief.yaml"
PARAGRAPH = "Two things lie ahead."


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        check_html.find_chromium()
        with check_html.chromium_session(local=True) as wd:
            yield wd
    except check_html.ToolMissing as exc:
        reason = f"the browser tests of serve cannot run: {exc}"
        if os.environ.get("BRIEFGEN_REQUIRE_HTML_CHECKS"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    project = tmp_path / "p"
    shutil.copytree(VALID, project)
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "serve", "--port", "0"],
                            cwd=project, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()  # type: ignore[union-attr]
        yield project, line.split("on ")[1].split(" ")[0].rstrip("/")
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, err


def wait_for(browser: Any, script: str, seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := browser.execute(script):
            return value
        time.sleep(0.05)
    return None


def test_no_save_is_lost_however_soon_after_the_page_loads(browser: Any,
                                                           served: tuple[Path, str]) -> None:
    project, base = served
    brief = project / BRIEF
    text = brief.read_text()
    assert text.count(PARAGRAPH) == 1
    missed = []
    for n, delay in enumerate(range(0, 501, 50)):
        browser.get(f"{base}/demo/public/en/")  # returns once the page has loaded
        time.sleep(delay / 1000)
        brief.write_text(text.replace(PARAGRAPH, f"Edit {n} lies ahead."))
        if not wait_for(browser, f"return document.body.innerText.includes('Edit {n} lies')"):
            missed.append(delay)
    assert missed == [], f"saves made this many ms after the page loaded were never shown: " \
                         f"{missed}"


def test_an_error_fixed_while_the_error_page_loads_is_shown_fixed(
        browser: Any, served: tuple[Path, str]) -> None:
    project, base = served
    brief = project / BRIEF
    good = brief.read_text()
    brief.write_text(good.replace("subtitle: Every", "subtitel: Every"))
    time.sleep(0.5)  # let the watcher see the error before the page asks
    browser.get(f"{base}/demo/public/en/")
    assert "subtitel" in browser.execute("return document.body.innerText")
    brief.write_text(good.replace(PARAGRAPH, "Fixed, and then some."))
    assert wait_for(browser, "return document.body.innerText.includes('Fixed, and then')")


def test_a_save_replaces_the_page_in_place_keeping_the_scroll_position(
        browser: Any, served: tuple[Path, str]) -> None:
    project, base = served
    brief = project / BRIEF
    browser.set_width(1280, 700)
    browser.get(f"{base}/demo/public/en/")
    browser.execute("window.scrollTo(0, 600)")
    y = browser.execute("return window.scrollY")
    assert y > 300  # the page is long enough to scroll
    browser.execute("window.briefgenMarker = 1; window.briefgenUpdated = 0; "
                    "document.addEventListener('briefgen:updated', "
                    "function () { window.briefgenUpdated += 1; });")
    brief.write_text(brief.read_text().replace(PARAGRAPH, "Scrolled lies ahead."))
    assert wait_for(browser, "return document.body.innerText.includes('Scrolled lies')")
    assert wait_for(browser, "return window.briefgenUpdated === 1", 5)
    assert browser.execute("return window.briefgenMarker") == 1  # no navigation
    # the new page's copy of the script was never run: the old one's listener goes on
    assert browser.execute("return document.scripts.length") == 0
    assert browser.execute("return document.documentElement.lang") == "en"
    assert abs(browser.execute("return window.scrollY") - y) <= 2
    brief.write_text(brief.read_text().replace("Scrolled lies ahead.", "Again lies ahead."))
    assert wait_for(browser, "return document.body.innerText.includes('Again lies')")
    assert browser.execute("return window.briefgenMarker") == 1
    # a change of the head (here the description, from the summary) replaces the head too
    brief.write_text(brief.read_text().replace("summary: |\n  ", "summary: |\n  Headed. "))
    assert wait_for(browser, "return document.querySelector('meta[name=description]')"
                             ".content.startsWith('Headed. ')")
    assert browser.execute("return window.briefgenMarker") == 1


def test_a_page_with_scripts_of_its_own_is_reloaded_keeping_the_scroll_position(
        browser: Any, served: tuple[Path, str]) -> None:
    project, base = served
    (project / "templates").mkdir(exist_ok=True)
    (project / "templates/base.html.j2").write_text(
        '{% extends "briefgen/base.html.j2" %}{% block head_extras %}'
        '<script>window.ownScript = 1;</script>{% endblock %}')
    brief = project / BRIEF
    browser.set_width(1280, 700)
    browser.get(f"{base}/demo/public/en/")
    assert browser.execute("return window.ownScript") == 1
    browser.execute("window.scrollTo(0, 600)")
    y = browser.execute("return window.scrollY")
    assert y > 300
    browser.execute("window.briefgenMarker = 1")
    brief.write_text(brief.read_text().replace(PARAGRAPH, "Reloaded lies ahead."))
    assert wait_for(browser, "return document.body.innerText.includes('Reloaded lies')")
    assert browser.execute("return window.briefgenMarker") is None  # it did reload
    assert browser.execute("return window.ownScript") == 1  # and its script ran
    assert wait_for(browser, f"return Math.abs(window.scrollY - {y}) <= 2", 5), \
        browser.execute("return window.scrollY")


def test_a_pdf_view_is_refreshed_in_place(browser: Any, served: tuple[Path, str]) -> None:
    project, base = served
    brief = project / BRIEF
    browser.get(f"{base}/demo/public/en/pdf/")
    frame = "document.getElementById('briefgen-pdf')"
    first = browser.execute(f"return {frame}.src")
    assert first.endswith("/demo/public/en/pdf/demo-public-en.pdf?v=0")
    browser.execute("window.briefgenMarker = 1")
    brief.write_text(brief.read_text().replace(PARAGRAPH, "A new PDF lies ahead."))
    assert wait_for(browser, f"return {frame}.src !== '{first}'", 60)
    assert browser.execute("return window.briefgenMarker") == 1  # the page stayed
    src = browser.execute(f"return {frame}.src")
    with urllib.request.urlopen(src, timeout=60) as r:  # noqa: S310
        data = r.read()
    assert data.startswith(b"%PDF-")
    assert "A new PDF lies ahead." in page_text(data)  # what a reader of the new PDF reads
