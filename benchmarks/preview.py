"""Instant preview (figure 9): from a save to the new page painted in Chromium, with
`briefgen serve` on a copy of a project, measured with Playwright.

    .venv/bin/python benchmarks/preview.py [PROJECT] [--saves 15] [--edition PATH]

Needs `pip install playwright` (the `bench` extra) and Debian's chromium (no browser is
downloaded: Playwright drives /usr/bin/chromium). Each trial waits for the page to settle,
notes the time, saves a one-word edit of the brief, and waits for the reloaded page; the
figure is the new page's first contentful paint (performance.timeOrigin + its paint entry,
the same clock as the save's time.time()) minus the moment of the save. Prints the median,
the spread and every trial as JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BRIEF = "content/briefs/rok-us-alliance-modernization/brief.yaml"
OLD = "handled in separate channels."
CHROMIUM = "/usr/bin/chromium"
#: the moment the new page was painted: the "briefgen:updated" event of serve's script when it
#: replaced the page in place, or the first contentful paint of a reloaded page
LISTEN = """() => { window.__painted = null; document.addEventListener("briefgen:updated",
  e => { window.__painted = e.detail; }, {once: true}); }"""
PAINTED = """(saved) => {
  if (window.__painted) { return window.__painted; }
  if (performance.timeOrigin < saved) { return null; }
  const p = performance.getEntriesByType("paint").find(e => e.name === "first-contentful-paint");
  return p ? performance.timeOrigin + p.startTime : null;
}"""


def measure(project: Path, saves: int, edition: str) -> list[float]:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-preview-"))
    try:
        for folder in ("content", "templates"):
            if (project / folder).is_dir():
                shutil.copytree(project / folder, work / folder)
        brief = work / BRIEF
        text = brief.read_text()
        assert text.count(OLD) == 1, f"{BRIEF} must hold {OLD!r} once"
        serve = subprocess.Popen([str(Path(sys.executable).with_name("briefgen")), "serve",
                                  "--port", "0"], cwd=work, stderr=subprocess.PIPE, text=True)
        try:
            line = serve.stderr.readline()  # type: ignore[union-attr]
            base = line.split("on ")[1].split(" ")[0].rstrip("/")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{base}{edition}", wait_until="load")
                times = []
                for n in range(saves + 1):  # the first is a warm-up, not counted
                    page.wait_for_timeout(600)  # the page settles; its stream is open
                    page.evaluate(LISTEN)
                    saved = time.time() * 1000
                    brief.write_text(text.replace(OLD, f"handled in channel {n}."))
                    painted = None
                    deadline = time.monotonic() + 10
                    while painted is None and time.monotonic() < deadline:
                        try:
                            painted = page.evaluate(PAINTED, saved)
                        except Exception:  # noqa: BLE001 - a reload under way
                            painted = None
                        if painted is None:
                            page.wait_for_timeout(10)
                    assert painted is not None, "the new page never painted"
                    assert f"handled in channel {n}." in page.inner_text("body")
                    if n:
                        times.append(painted - saved)
                browser.close()
        finally:
            serve.send_signal(signal.SIGINT)
            serve.communicate(timeout=30)
        return times
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", nargs="?", type=Path, default=ROOT)
    parser.add_argument("--saves", type=int, default=15)
    parser.add_argument("--edition", default="/rok-us-alliance-modernization/us-government/en/")
    args = parser.parse_args()
    times = measure(args.project, args.saves, args.edition)
    print(json.dumps({"figure": "9", "what": "save to new page painted, ms (HTML edition)",
                      "median_ms": round(statistics.median(times), 1),
                      "min_ms": round(min(times), 1), "max_ms": round(max(times), 1),
                      "trials_ms": [round(t, 1) for t in times], "target_ms": 250}, indent=2))


if __name__ == "__main__":
    main()
