"""The output formats and their guard surfaces, each added in one place (build/formats.py):
a third format registered by a test builds, is kept by the next build and is guarded; a guard
surface added to a format's surfaces is read by the guard."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from briefgen.build.formats import HTML, OUTPUT_FORMATS, OutputFormat, Texts, html_surfaces
from briefgen.build.keys import html_key
from briefgen.build.manifest import MANIFEST, read_manifest
from briefgen.build.plan import Selection
from briefgen.build.run import Options, build, guard_pages, plan, reguard
from briefgen.content.project import load_project
from briefgen.errors import BriefError, Problems
from briefgen.publish.guard import visible_html_text

from tiny import BODY_LINE, make_project

HINT = "(reword it, or hide this text from the audience)"


def _text(page: str) -> str:
    return visible_html_text(page)


def text_surfaces(texts: Texts) -> dict[str, str]:
    """A text file's one surface: its text (from the page, or from the file kept)."""
    text = _text(texts.page) if texts.page is not None else (texts.data or b"").decode()
    title = {} if texts.title is None else {"manifest and index entry": texts.title}
    return {"text": text, **title}


#: a plain-text format made from the edition's HTML page: one entry, briefgen untouched
TEXT = OutputFormat("txt", "screen", "txt", key=lambda page, variant, fp: html_key(page),
                    surfaces=text_surfaces, make=lambda page: _text(page).encode())
WITH_TEXT = OUTPUT_FORMATS.adding(TEXT)


def test_a_registered_third_format_builds_is_kept_and_listed(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    out = root / "build"
    selection = Selection(formats=WITH_TEXT.names(), registry=WITH_TEXT)
    first = build(load_project(root), Options(out=out, selection=selection))
    texts = ["tiny/officials/en/tiny-officials-en.txt", "tiny/pub/en/tiny-pub-en.txt"]
    assert [e.path for e in first.built if e.format == "txt"] == texts
    entries = {e.path: e for e in read_manifest(out / MANIFEST, WITH_TEXT.names())}
    assert len(entries) == 6 and entries[texts[1]].format == "txt"
    data = (out / texts[1]).read_bytes()
    assert b"Text." in data and b"<p>" not in data and entries[texts[1]].bytes == len(data)
    # briefgen's own formats are unchanged by the third
    assert b"href=\"tiny-pub-en.pdf\"" in (out / "tiny/pub/en/tiny-pub-en.html").read_bytes()
    assert "tiny-pub-en.txt" in (out / "pub/index.html").read_text()
    second = build(load_project(root), Options(out=out, selection=selection))
    assert second.built == [] and sorted(e.path for e in second.skipped) == sorted(entries)


def test_a_registered_format_is_guarded_when_rendered_and_when_kept(tmp_path: Path) -> None:
    root = make_project(tmp_path, "The secret annex.\n")
    selection = Selection(formats=("txt",), registry=WITH_TEXT)
    with pytest.raises(BriefError) as raised:
        build(load_project(root), Options(out=root / "build", selection=selection))
    assert [str(p) for p in raised.value.problems] == [
        f"content/briefs/tiny/brief.yaml:{BODY_LINE}:1: forbidden phrase 'secret annex' for "
        f"audience pub appears in tiny/pub/en/tiny-pub-en.txt (text) {HINT}"]
    # a text file kept from an earlier build is checked from its bytes, by the same entry
    project = load_project(make_project(tmp_path, "Text.\n"))
    [job] = [j for j in plan(project, selection, Problems([])) if j.audience == "pub"]
    problems = Problems([])
    reguard(project, replace(job, edition=None), b"The Secret Annex", problems)
    assert [str(p) for p in problems.items] == [
        "the rendered page (no single content value contains it): forbidden phrase 'secret "
        f"annex' for audience pub appears in tiny/pub/en/tiny-pub-en.txt (text) {HINT}"]


def with_link_targets(texts: Texts) -> dict[str, str]:
    """HTML's surfaces and one more: the page's source, where relative links (which the
    HTML surface leaves out, as a build's own file names) stand too."""
    page = texts.page if texts.page is not None else (texts.data or b"").decode()
    return {**html_surfaces(texts), "HTML source": page}


def test_a_guard_surface_added_to_a_format_is_read_by_the_guard(tmp_path: Path) -> None:
    root = make_project(tmp_path, "See [the file](secret-annex.html).\n")
    project = load_project(root)
    html = ("html",)
    problems = Problems([])
    guard_pages(plan(project, Selection(formats=html), problems), problems)
    assert problems.items == []  # briefgen's HTML surface: a relative link is no text
    registry = OUTPUT_FORMATS.adding(replace(HTML, surfaces=with_link_targets))
    jobs = plan(project, Selection(formats=html, registry=registry), problems)
    guard_pages(jobs, problems)
    leak = ("the rendered page (no single content value contains it): forbidden phrase "
            "'secret annex' for audience pub appears in tiny/pub/en/tiny-pub-en.html "
            f"(HTML source) {HINT}")
    assert [str(p) for p in problems.items] == [leak]
    [job] = [j for j in jobs if j.audience == "pub"]
    problems = Problems([])
    reguard(project, replace(job, edition=None), job.source.encode(), problems)
    assert [str(p) for p in problems.items] == [leak]
