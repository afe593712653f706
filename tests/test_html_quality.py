"""Publication quality of the HTML editions and the catalogue (scripts/check_html.py).

The Nu HTML Checker must report no error, and axe-core in headless Chromium (WCAG 2.0/2.1
A and AA plus best practice) no violation, nor may a page scroll sideways at 320 CSS px,
over an HTML build of tests/data/valid and of the shipped content.

Needs Java, Chromium with chromedriver and npm (for axe-core and vnu-jar, installed by the
script into its cache on first use). Without them the tests are skipped, saying why;
with BRIEFGEN_REQUIRE_HTML_CHECKS=1 set they fail instead.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from briefgen.cli import main

TESTS = Path(__file__).parent
REPO = TESTS.parent
VALID = TESTS / "data" / "valid"


def _load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_html", REPO / "scripts" / "check_html.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("check_html", module)
    spec.loader.exec_module(module)
    return module


check_html = _load_checker()


@pytest.fixture(scope="module")
def tools() -> tuple[Path, Path]:
    """(axe.min.js, vnu.jar), or a skip naming what is missing."""
    try:
        check_html.find_java()
        check_html.find_chromium()
        return check_html.npm_assets()
    except check_html.ToolMissing as exc:
        reason = f"HTML quality checks cannot run: {exc}"
        if os.environ.get("BRIEFGEN_REQUIRE_HTML_CHECKS"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def html_builds(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """HTML-only builds of tests/data/valid and of the shipped briefs."""
    outs = []
    for name, project in (("valid", VALID), ("shipped", REPO)):
        out = tmp_path_factory.mktemp(f"html-{name}") / "build"
        result = CliRunner().invoke(main, ["build", "--project", str(project), "--format",
                                           "html", "--out", str(out), "-q"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert (out / "index.html").is_file()
        outs.append(out)
    return outs


def _failures(findings: list) -> str:
    return "\n" + "\n".join(f.format() for f in findings)


def test_nu_html_checker_finds_no_error(tools: tuple[Path, Path],
                                        html_builds: list[Path]) -> None:
    files = check_html.html_files(html_builds)
    assert len(files) >= 4
    errors, _warnings = check_html.run_nu(files, tools[1], check_html.find_java())
    assert not errors, _failures(errors)


def test_axe_finds_no_violation(tools: tuple[Path, Path], html_builds: list[Path]) -> None:
    files = check_html.html_files(html_builds)
    violations, _review = check_html.run_axe(files, tools[0])
    assert not violations, _failures(violations)


def test_checker_catches_problems(tools: tuple[Path, Path], tmp_path: Path) -> None:
    """Guard against a checker that silently checks nothing."""
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html><head><title>t</title></head><body><main><h1>t</h1>'
        '<p style="color:#aaa">faint</p><img src="x.png"><div><span>x</div>'
        '<pre style="width:900px">wide</pre></main></body></html>', encoding="utf-8")
    report = check_html.check([tmp_path], vnu_jar=tools[1], axe_js=tools[0])
    found = {(f.tool, f.rule) for f in report.errors}
    assert ("nu", "error") in found
    assert {("axe", "image-alt"), ("axe", "color-contrast"), ("axe", "html-has-lang"),
            ("layout", "reflow")} <= found
