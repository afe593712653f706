"""`check` catches every leak `build` catches: the leak corpus (the cases of
tests/data/invalid whose problems are the guard's) through both, with the same problems."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import run
from test_invalid import CASES, apply_case

LEAKS = [c for c in CASES if "forbidden phrase" in (c / "expected.txt").read_text("utf-8")]
PROBLEM = re.compile(r"^(.+?): forbidden phrase '(.+)' for audience (\S+) appears in (\S+) \(",
                     re.M)


def leaks(output: str) -> set[tuple[str, ...]]:
    """(place, phrase, audience, artifact) of every guard problem."""
    return set(PROBLEM.findall(output))


def test_the_corpus_has_the_tricks_of_issue_12() -> None:
    names = {c.name for c in LEAKS}
    assert len(LEAKS) >= 15
    for name in ("leak-split-by-emphasis", "leak-split-by-code", "leak-split-by-link",
                 "leak-running-header", "leak-meta-keywords", "leak-image-alt-cyrillic",
                 "leak-rlo-backwards", "leak-hangul-decomposed"):
        assert name in names


@pytest.mark.parametrize("case", LEAKS, ids=[c.name for c in LEAKS])
def test_check_and_build_report_the_same_leaks(case: Path, project: Path) -> None:
    apply_case(case, project)
    checked = run("check", project=project)
    assert checked.exit_code == 1, checked.output
    expected = leaks(checked.stderr)
    assert expected

    html = run("build", "--format", "html", "--out", str(project / "b1"), project=project)
    audiences = [f"--audience={a}" for a in sorted({leak[2] for leak in expected})]
    pdf = run("build", "--format", "pdf", *audiences, "--jobs", "1",
              "--out", str(project / "b2"), project=project)
    assert 1 in (html.exit_code, pdf.exit_code)
    assert {html.exit_code, pdf.exit_code} <= {0, 1}, html.output + pdf.output
    assert leaks(html.stderr) | leaks(pdf.stderr) == expected
    # what build refuses it does not publish
    assert not (project / "b1").exists() or html.exit_code == 0
    assert not (project / "b2").exists()


ON_THE_PAGE = [c for c in LEAKS if c.name not in ("leak-meta-keywords", "leak-image-alt-cyrillic")]


@pytest.mark.parametrize("case", ON_THE_PAGE, ids=[c.name for c in ON_THE_PAGE])
def test_the_leak_is_in_the_pdf_and_the_guard_reads_it_there(case: Path, project: Path) -> None:
    """Rendered all the same, each leak's PDF shows the phrase: pdftotext's text (what a
    viewer's search and copy-paste give), folded, holds it."""
    from briefgen.build.run import Selection, plan
    from briefgen.content.project import load_project
    from briefgen.errors import Problems
    from briefgen.publish.guard import find
    from briefgen.publish.pdf import PdfRenderer

    apply_case(case, project)
    loaded = load_project(project)
    [job] = [j for j in plan(loaded, Selection(formats=("pdf",)), Problems([]))
             if j.path == "demo/public/en/demo-public-en.pdf"]
    assert job.edition is not None
    phrases = job.edition.audience.forbidden_phrases
    data = PdfRenderer(loaded.content).render(job.source, job.variant).data
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data,
                          capture_output=True, check=True).stdout.decode()
    assert find(phrases, text), text
