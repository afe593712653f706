"""Publication quality of the HTML editions and the catalogue (scripts/check_html.py).

Over an HTML build of tests/data/valid and of the shipped content, with each edition's PDF
source beside it (scripts/pdf_sources.py: the HTML WeasyPrint renders, with print.css): the
Nu HTML Checker must report no error on the pages; axe-core in headless Chromium (WCAG
2.0/2.1 A and AA plus best practice) no violation, on the pages with screen media at 1280
CSS px and with print media at 794, on the PDF sources with print media; every link in
running text is underlined in each of those; and no page may scroll sideways at 320 CSS px.

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
from typing import Any

import pytest

TESTS = Path(__file__).parent
REPO = TESTS.parent
VALID = TESTS / "data" / "valid"


def _load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


check_html = _load_script("check_html")
pdf_sources = _load_script("pdf_sources")
SCREEN, PRINT = "screen 1280px", f"print {check_html.PRINT_WIDTH}px"


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
    """Builds of tests/data/valid and of the shipped briefs: the HTML editions, each with
    its PDF's HTML beside it (its PDF link points there), and the catalogues."""
    outs = []
    for name, project in (("valid", VALID), ("shipped", REPO)):
        out = tmp_path_factory.mktemp(f"html-{name}") / "build"
        pdf_sources.build_with_sources(project, out)
        assert (out / "index.html").is_file()
        outs.append(out)
    return outs


def _is_source(path: Path | str) -> bool:
    return str(path).endswith(check_html.PDF_SOURCE_SUFFIX)


@pytest.fixture(scope="module")
def axe_run(tools: tuple[Path, Path], html_builds: list[Path]
            ) -> tuple[list[Path], list[Any], list[Any]]:
    """(files, violations, views) of one Chromium session over both builds, every medium."""
    files = check_html.html_files(html_builds)
    views: list[Any] = []
    violations, _review = check_html.run_axe(files, tools[0], checked=views)
    return files, violations, views


def _failures(findings: list[Any]) -> str:
    return "\n" + "\n".join(f.format() for f in findings)


def test_nu_html_checker_finds_no_error(tools: tuple[Path, Path],
                                        html_builds: list[Path]) -> None:
    files = check_html.html_files(html_builds)
    assert len(files) == 8 + 7 + 8  # editions, catalogues, each edition's PDF's HTML
    errors, _warnings = check_html.run_nu(files, tools[1], check_html.find_java())
    assert not errors, _failures(errors)


def test_axe_finds_no_violation_on_screen_in_print_or_in_the_pdfs_html(
        axe_run: tuple[list[Path], list[Any], list[Any]]) -> None:
    files, violations, views = axe_run
    assert not violations, _failures(violations)
    pages = [str(f) for f in files if not _is_source(f)]
    sources = [str(f) for f in files if _is_source(f)]
    editions = [p for p in pages if not p.endswith("index.html")]
    assert len(editions) == 8 and len(sources) == len(editions)  # 5 shipped, 3 of valid
    assert sorted((v.file, v.view) for v in views) == sorted(
        [(p, view) for p in pages for view in (SCREEN, PRINT)] + [(s, PRINT) for s in sources])


def test_every_link_in_running_text_is_underlined_on_screen_and_in_print(
        axe_run: tuple[list[Path], list[Any], list[Any]]) -> None:
    """Colour alone does not tell a link from its text (WCAG 1.4.1): Chromium's computed
    text-decoration-line of every visible link, in body text, notes, references, the
    dateline and the contents, on screen, on a printed page and in the PDF's HTML. Only the
    PDF's contents entries are not underlined: links alone in their lines, with leaders."""
    _files, _violations, views = axe_run
    shipped = [v for v in views if "/rok-us-alliance-modernization/" in v.file]
    assert {(v.view, _is_source(v.file)) for v in shipped} == {
        (SCREEN, False), (PRINT, False), (PRINT, True)}
    for v in views:
        assert v.links["plain"] == [], (v.file, v.view, v.links["plain"])
        if _is_source(v.file):
            assert all(t.startswith("nav.toc ") for t in v.links["exempt"]), v
        else:
            assert v.links["exempt"] == [], v
    for v in shipped:
        holders = {t.split(" a[")[0] for t in v.links["underlined"]}
        contexts = {"body text": "#tasks", "bibliography": "ul.bibliography"}
        contexts.update({"note": "span.footnote"} if _is_source(v.file) else
                        {"note": "#note-1", "dateline": "p.dateline",
                         "note call": "sup.noteref"})
        if v.view == SCREEN:
            contexts["contents"] = "nav.toc"
        assert {k: h for k, h in contexts.items() if h not in holders} == {}, (v, holders)
    # the PDF's contents: every entry there, and not underlined
    tocs = [v for v in shipped if _is_source(v.file)]
    assert tocs and all(len(v.links["exempt"]) >= 4 for v in tocs)


PRINT_ONLY = (
    '<!DOCTYPE html><html lang="en"><head><title>t</title><style>'
    "a { color: #1b3a5c; text-decoration: underline }"
    "nav a { text-decoration: none }"  # links alone in their lines: exempt
    ".n { float: footnote }"  # WeasyPrint's paged media: a Nu error, but in a PDF's HTML
    "@media print { .faint { color: #bbb } p a { text-decoration: none }"
    " .grey a { color: #333 } .same a { color: inherit } }"
    '</style></head><body><main><h1>t</h1>'
    '<nav aria-label="Contents"><ol><li><a href="#a">Alpha</a></li></ol></nav>'
    '<p class="faint">Faint on paper.</p>'
    '<p class="grey" id="a">The plan is set out in <a href="#a">the annex</a>, which the two '
    "governments agreed on in the autumn.</p>"
    '<p class="same" id="b">The text of <a href="#b">the agreement</a> was published by '
    "both foreign ministries on the same day.</p></span></main></body></html>")


def test_checker_catches_problems(tools: tuple[Path, Path], tmp_path: Path) -> None:
    """Guard against a checker that silently checks nothing, and show that the print run
    catches what the screen run does not: a page (and a PDF's HTML) whose print rules make
    text faint and links in text plain passes on screen, and fails in print on contrast, on
    axe's link rule (a link grey against black text) and on the underline check (that link,
    and one in the text's own colour, which axe lets pass); a contents entry passes both.
    Nu checks a PDF's HTML for markup, not for WeasyPrint's CSS."""
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html><head><title>t</title></head><body><main><h1>t</h1>'
        '<p style="color:#aaa">faint</p><img src="x.png"><div><span>x</div>'
        '<pre style="width:900px">wide</pre></main></body></html>', encoding="utf-8")
    (tmp_path / "print.html").write_text(PRINT_ONLY, encoding="utf-8")
    (tmp_path / "print.pdf.html").write_text(PRINT_ONLY, encoding="utf-8")
    report = check_html.check([tmp_path], vnu_jar=tools[1], axe_js=tools[0])
    found = {(Path(f.file).name, f.view, f.tool, f.rule) for f in report.errors}
    assert {("bad.html", "", "nu", "error"), ("bad.html", SCREEN, "axe", "image-alt"),
            ("bad.html", SCREEN, "axe", "color-contrast"),
            ("bad.html", SCREEN, "axe", "html-has-lang"),
            ("bad.html", "screen 320px", "layout", "reflow")} <= found
    nu = sorted((Path(f.file).name, f.message) for f in report.errors
                if f.tool == "nu" and f.file != str(tmp_path / "bad.html"))
    assert nu == [("print.html", "CSS: “float”: “footnote” is not a “float” value."),
                  ("print.html", "Stray end tag “span”."),
                  ("print.pdf.html", "Stray end tag “span”.")], nu
    printed = {f for f in found if f[0] != "bad.html" and f[2] != "nu"}
    assert printed == {(page, PRINT, tool, rule) for page in ("print.html", "print.pdf.html")
                       for tool, rule in (("axe", "color-contrast"),
                                          ("axe", "link-in-text-block"),
                                          ("links", "link-underline"))}, printed
    axe_link = [[t.split(" — ")[0] for t in f.targets] for f in report.errors
                if f.rule == "link-in-text-block"]
    assert axe_link == [['#a > a[href="#a"]']] * 2  # not #b: axe passes a link in text colour
    plain = [f.targets for f in report.errors if f.tool == "links"]
    assert plain == [['#a a[href="#a"] "the annex"', '#b a[href="#b"] "the agreement"']] * 2
    assert sorted((Path(v.file).name, v.view) for v in report.views) == [
        ("bad.html", PRINT), ("bad.html", SCREEN), ("print.html", PRINT),
        ("print.html", SCREEN), ("print.pdf.html", PRINT)]


def _luminance(colour: Any) -> float:
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
              for c in colour.coordinates]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def page_box_colours(css: str) -> list[str]:
    """Each `color` declared in an @page rule (its margin boxes included): the running
    header, marking and page numbers, which only WeasyPrint draws and axe never sees."""
    import tinycss2

    found: list[str] = []

    def walk(content: list[Any]) -> None:
        for node in tinycss2.parse_blocks_contents(content, skip_whitespace=True,
                                                   skip_comments=True):
            if node.type == "at-rule" and node.content is not None:
                walk(node.content)
            elif node.type == "declaration" and node.lower_name == "color":
                found.append(tinycss2.serialize(node.value).strip())
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "page" and rule.content is not None:
            walk(rule.content)
    return found


def test_the_pdfs_running_headers_and_page_numbers_have_aa_contrast(
        html_builds: list[Path]) -> None:
    """WCAG 1.4.3 (4.5:1 against the white page) for what axe cannot check: the margin
    boxes' colours, in each PDF's own stylesheet."""
    import tinycss2.color4

    sources = [f for f in check_html.html_files(html_builds) if _is_source(f)]
    assert len(sources) == 8
    for source in sources:
        page = source.read_text(encoding="utf-8")
        css = "".join(part.split("</style>")[0] for part in page.split("<style>")[1:])
        colours = page_box_colours(css)
        assert len(colours) >= 3, (source, colours)
        for text in colours:
            colour = tinycss2.color4.parse_color(text)
            assert colour is not None and colour.alpha == 1, (source, text)
            contrast = 1.05 / (_luminance(colour.to("srgb")) + 0.05)
            assert contrast >= 4.5, (source, text, round(contrast, 2))
