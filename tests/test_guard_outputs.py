"""Every file a reader may get is guarded as that reader gets it: the PDFs' written bytes,
each audience's own index page, and the preview that `serve` shows."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from pypdf import PdfReader
from ruamel.yaml import YAML
from test_hardening import edit
from test_leak_corpus import LEAKS

from briefgen.publish import guard
from briefgen.publish.pdf import PdfRenderer
from briefgen.textnorm import fold
from briefgen.theme import bundled as templates_dir

from conftest import REPO, TESTS, VALID, run
from test_invalid import apply_case

BRIEF = "content/briefs/demo/brief.yaml"
PUBLIC = "content/audiences/public.yaml"


# -- the guard reads each PDF as a reader does -------------------------------------------------


def pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data,
                          capture_output=True, check=True).stdout.decode()


def reader_texts(data: bytes) -> list[str]:
    """What poppler and pypdf read from a PDF: its page text, Info values, outline titles."""
    reader = PdfReader(io.BytesIO(data))
    titles: list[str] = []

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            walk(item) if isinstance(item, list) else titles.append(item.title)

    walk(reader.outline)
    return [pdftotext(data), *map(str, (reader.metadata or {}).values()), *titles]


def build_cases() -> list[Path]:
    """Every case of a test corpus (tests/data/*/<case>/case.yaml) whose command is a build
    that may render PDFs."""
    cases = []
    for case in sorted(TESTS.glob("data/*/*/case.yaml")):
        command = YAML(typ="safe").load(case.read_text(encoding="utf-8")).get("command") or []
        if command[:1] == ["build"] and "html" not in command:
            cases.append(case.parent)
    return cases


def guarded_build(project: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
                  ) -> tuple[Result, list[bytes]]:
    """Run a build; check that what a reader gets from each PDF it renders (its pdftotext
    text, Info values and outline titles), once folded, is within some text the guard
    scanned. The build's result, and the PDFs it rendered."""
    rendered: list[bytes] = []
    scanned: list[str] = []
    real_render, real_scan = PdfRenderer.render, guard.scan

    def render(self: PdfRenderer, page: str, variant: str = "pdf/ua-1") -> object:
        result = real_render(self, page, variant)
        rendered.append(result.data)
        return result

    def scan(edition: object, surfaces: dict[str, str]) -> list[guard.Leak]:
        scanned.extend(fold(text) for text in surfaces.values())
        return real_scan(edition, surfaces)  # type: ignore[arg-type]

    monkeypatch.setattr(PdfRenderer, "render", render)
    monkeypatch.setattr(guard, "scan", scan)
    result = run(*args, "--jobs", "1", project=project)
    assert "Traceback" not in result.output
    for data in rendered:
        for text in reader_texts(data):
            assert any(fold(text) in seen for seen in scanned), text[:200]
    return result, rendered


@pytest.mark.parametrize("case", [None, REPO, *build_cases()],
                         ids=["valid", "shipped", *(c.name for c in build_cases())])
def test_guard_checks_the_text_a_reader_gets_from_every_pdf(
        case: Path | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every PDF that a build of tests/data/valid, of the shipped content or of a corpus
    case renders, written or refused (the leak corpus: next test)."""
    out = tmp_path / "build"
    project, args = REPO, ["build", "--out", str(out)]
    if case != REPO:
        project = tmp_path / "project"
        shutil.copytree(VALID, project)
        spec = apply_case(case, project) if case else {}
        args = [str(a) for a in spec.get("command", args)]
        args = [str(project / a) if before == "--out" else a
                for before, a in zip(["", *args], args, strict=False)]
        out = Path(args[args.index("--out") + 1]) if "--out" in args else project / "build"
    result, rendered = guarded_build(project, args, monkeypatch)
    if case in (None, REPO):
        assert result.exit_code == 0, result.output
        assert len(rendered) == (3 if case is None else 5)
    written = [p.read_bytes() for p in out.rglob("*.pdf")] if out.is_dir() else []
    assert all(data in rendered for data in written)


@pytest.mark.parametrize("case", LEAKS, ids=[c.name for c in LEAKS])
def test_the_pdf_guard_alone_refuses_each_leak_of_the_corpus(
        case: Path, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The leak corpus's PDFs: a build refuses them before rendering (their HTML leaks too).
    With the HTML guard off, each is rendered, guarded as a reader gets it, and refused."""
    import briefgen.build.run

    apply_case(case, project)
    monkeypatch.setattr(briefgen.build.run, "guard_pages", lambda jobs, problems: None)
    result, rendered = guarded_build(
        project, ["build", "--format", "pdf", "--audience", "public"], monkeypatch)
    assert result.exit_code == 1 and rendered, result.output
    assert re.search(r"forbidden phrase '.+' for audience public appears in \S+\.pdf \(",
                     result.stderr), result.stderr
    assert not (project / "build").exists()


def test_a_missing_pdftotext_is_an_error_naming_the_package(project: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import briefgen.publish.pdftext

    monkeypatch.setattr(briefgen.publish.pdftext, "PDFTOTEXT", "briefgen-no-such-pdftotext")
    result = run("build", "--jobs", "1", "--audience", "officials", project=project)
    assert result.exit_code == 1
    assert "pdftotext not found" in result.stderr and "poppler-utils" in result.stderr
    assert not (project / "build").exists()


# -- an index page per audience ------------------------------------------------------------


def index_text(path: Path) -> str:
    return html.unescape(path.read_text())


def test_each_audience_index_lists_only_what_that_audience_sees(project: Path) -> None:
    edit(project, BRIEF, "overrides:\n", "overrides:\n  officials:\n"
         "    title: The Secret Annex Edition\n")
    assert run("build", "--jobs", "1", "--format", "html", project=project).exit_code == 0
    out = project / "build"
    editors = index_text(out / "index.html")
    assert "<title>Editors' catalogue — all audiences; not for distribution</title>" in editors
    assert "The Secret Annex Edition" in editors and "demo-public-ko.html" in editors
    public = index_text(out / "public/index.html")
    assert "secret annex" not in public.casefold()
    assert "officials" not in public and "Officials" not in public
    assert "A Demonstration Brief on The joint plan" in public
    assert '<html lang="en">' in public  # public's first language
    assert "The Secret Annex Edition" in index_text(out / "officials/index.html")
    for audience in ("public", "officials"):
        page = (out / audience / "index.html").read_text()
        links = [h for h in page.split('href="')[1:]]
        targets = {h.split('"')[0] for h in links if not h.startswith("#")}
        assert targets and all((out / audience / t).resolve().is_file() for t in targets)
        assert all(t.startswith(f"../demo/{audience}/") for t in targets - {"feed.xml"})
    assert "secret annex" not in (out / "public/feed.xml").read_text().casefold()
    assert "The Secret Annex Edition" in (out / "officials/feed.xml").read_text()


def test_a_phrase_an_audience_index_shows_fails_build_and_check(project: Path) -> None:
    template = project / "templates/index.html.j2"
    template.parent.mkdir(parents=True)
    template.write_text((templates_dir() / "index.html.j2").read_text().replace(
        '<main id="main">', '<main id="main"><p>See also the Secret Annex.</p>'))
    expected = ("public/index.html: forbidden phrase 'secret annex' for audience public appears "
                "in public/index.html (index page)")
    result = run("build", "--jobs", "1", "--format", "html", project=project)
    assert result.exit_code == 1
    assert expected in result.stderr and "officials/index.html" not in result.stderr
    assert not (project / "build").exists()
    checked = run("check", project=project)
    assert checked.exit_code == 1 and expected in checked.stderr


def test_index_of_a_removed_audience_is_pruned(project: Path) -> None:
    press = project / "content/audiences/press.yaml"
    press.write_text("name: Press\nlanguages: [en]\nmarking: {en: Public release}\n")
    assert run("build", "--jobs", "1", "--format", "html", project=project).exit_code == 0
    assert (project / "build/press/index.html").is_file()
    press.unlink()
    result = run("build", "--jobs", "1", "--format", "html", project=project)
    assert result.exit_code == 0, result.output
    assert not (project / "build/press").exists()
    assert (project / "build/public/index.html").is_file()


# -- serve -------------------------------------------------------------------------------------


def test_serve_shows_guard_problems_in_a_banner(project: Path,
                                                preview: Callable[[str], tuple[int, str, str]]
                                                ) -> None:
    assert "briefgen-guard-banner" not in preview("/demo/public/en/")[2]
    edit(project, PUBLIC, "forbidden_phrases: [secret annex]",
         "forbidden_phrases: [secret annex, two things lie ahead]")
    status, kind, page = preview("/demo/public/en/")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    banner = page.split('<div role="alert" class="briefgen-guard-banner"', 1)[1]
    banner = banner.split("</div>", 1)[0]
    assert page.index("briefgen-guard-banner") < page.index("Two things lie ahead.")
    assert page.split("<body", 1)[1].split(">", 1)[1].startswith("<div role=\"alert\"")
    assert html.escape("forbidden phrase 'two things lie ahead' for audience public appears "
                       "in demo/public/en/demo-public-en.html (HTML)") in banner  # escaped
    assert "Two things lie ahead." in page  # the page itself is still shown
    assert "briefgen-guard-banner" not in preview("/demo/officials/en/")[2]


def test_serve_refuses_a_leaking_pdf_with_the_problems(project: Path,
                                                      preview: Callable[[str], tuple[int, str,
                                                                                     str]]
                                                      ) -> None:
    edit(project, PUBLIC, "forbidden_phrases: [secret annex]",
         "forbidden_phrases: [secret annex, page 1 of 2]")
    status, kind, page = preview("/demo/public/en/pdf/demo-public-en.pdf")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert "forbidden phrase &#x27;page 1 of 2&#x27; for audience public appears in " \
           "demo/public/en/demo-public-en.pdf (PDF text)" in page
    status, kind, _ = preview("/demo/officials/en/pdf/demo-officials-en.pdf")
    assert kind == "application/pdf"
