"""`briefgen redline`: an edition's changes between two releases, or a release and the working
tree, as HTML and PDF; guarded for its audience; the release data read strictly.

Regenerate the golden files with: pytest tests/test_redline.py --update-golden
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from briefgen.commands.pagediff import compare, redline_text
from briefgen.commands.pagetext import Block, read_page, tokenize
from briefgen.publish import pdfua
from briefgen.publish.pdftext import page_text

from conftest import TESTS, run

GOLDEN = TESTS / "golden"
BRIEF = "content/briefs/demo/brief.yaml"
KO = "content/briefs/demo/translations/ko.yaml"


def release(project: Path, version: str, date: str = "2026-12-01") -> None:
    """What `briefgen release` records, made by hand in the layout it writes: the built
    pages copied to releases/demo/<version>/<audience>/<lang>.html, and releases/demo.yaml."""
    out = project.parent / f"build-{version}"
    result = run("build", "--format", "html", "--out", str(out), "-q", project=project)
    assert result.exit_code == 0, result.output
    record = project / "releases" / "demo.yaml"
    lines = record.read_text(encoding="utf-8").splitlines() if record.exists() else \
        ["releases:"]
    lines += [f'  - version: "{version}"', f'    date: "{date}"', "    revision: null",
              "    editions:"]
    for page in sorted(out.glob("demo/*/*/*.html")):
        audience, lang = page.parts[-3], page.parts[-2]
        rel = f"releases/demo/{version}/{audience}/{lang}.html"
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, project / rel)
        sha = hashlib.sha256(page.read_bytes()).hexdigest()
        lines += [f"      - audience: {audience}", f"        lang: {lang}",
                  f"        html: {{path: {rel}, sha256: '{sha}'}}",
                  f"        pdf: {{path: releases/demo/{version}/{audience}/{lang}.pdf, "
                  f"sha256: '{'0' * 64}'}}"]
    record.parent.mkdir(exist_ok=True)
    record.write_text("\n".join(lines) + "\n", encoding="utf-8")


def edit(project: Path, path: str, old: str, new: str) -> None:
    file = project / path
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    file.write_text(text.replace(old, new), encoding="utf-8")


def known_edit(project: Path) -> None:
    """One word changed, a sentence added, a section moved, one Korean phrase changed."""
    edit(project, BRIEF, "Two things lie ahead.", "Two things lie behind.")
    edit(project, BRIEF, "It mentions [[opcon]].\n",
         "It mentions [[opcon]]. It also tests redlines.\n")
    text = (project / BRIEF).read_text(encoding="utf-8")
    issues = text[text.index("  - id: issues\n"):text.index("  - id: recommendations\n")]
    text = text.replace(issues, "") + issues  # Issues now comes after Recommendations
    (project / BRIEF).write_text(text, encoding="utf-8")
    edit(project, KO, "title: 공통 쟁점", "title: 공유 쟁점")


@pytest.fixture
def released(project: Path) -> Path:
    """The test project released as 1.0, edited (known_edit) and released as 1.1."""
    release(project, "1.0")
    known_edit(project)
    release(project, "1.1", "2026-12-02")
    return project


def redline(project: Path, *args: str) -> tuple[int, str, str]:
    result = run("redline", "demo", *args, project=project)
    return result.exit_code, result.stdout, result.stderr


def out_of(project: Path, old: str = "1.0", new: str = "1.1") -> Path:
    return project / "build" / "redlines" / "demo" / f"{old}-{new}"
