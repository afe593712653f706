"""The catalogues (build/index.html and each audience's index page) stay small at any size:
PAGE_ROWS editions a page, the pages linked to one another, none left behind."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from briefgen.build import indexes
from briefgen.build.indexes import index_pages
from briefgen.build.manifest import ManifestEntry
from briefgen.build.run import Options, Selection, build
from briefgen.content.project import load_project

VALID = Path(__file__).parent / "data" / "valid"


def entries(briefs: int) -> list[ManifestEntry]:
    """A manifest of a large catalogue: each brief in three audiences' editions, HTML and PDF."""
    out = []
    for n in range(briefs):
        slug = f"brief-{n:04d}"
        for audience, lang in (("officials", "en"), ("public", "en"), ("public", "ko")):
            for fmt in ("html", "pdf"):
                path = f"{slug}/{audience}/{lang}/{slug}-{audience}-{lang}.{fmt}"
                out.append(ManifestEntry(
                    brief=slug, audience=audience, language=lang, format=fmt, path=path,
                    title=f"The alliance in its next stage, part {n}: tasks and contentions",
                    sha256="0" * 64, bytes=123_456, key="k",
                    pages=12 if fmt == "pdf" else None))
    return out


def test_every_page_of_a_1000_brief_catalogue_is_under_200_kb() -> None:
    project = load_project(VALID)
    pages = index_pages(project, entries(1000))
    assert len(pages) == 30  # 3,000 editions, 100 a page
    assert max(len(page.encode()) for page in pages.values()) < 200_000
    own = index_pages(project, [e for e in entries(1000) if e.audience == "public"], "public")
    assert len(own) == 20 and max(len(p.encode()) for p in own.values()) < 200_000
    listed = [title for page in pages.values()
              for title in re.findall(r'<td lang="[^"]+">([^<]*)</td>', page)]
    assert len(listed) == 3000 * 2  # each edition once: its title cell and its language cell


def test_the_pages_link_to_one_another_and_each_edition_is_on_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "p"
    shutil.copytree(VALID, root)
    out = tmp_path / "build"
    monkeypatch.setattr(indexes, "PAGE_ROWS", 2)
    build(load_project(root), Options(out, Selection(formats=("html",))))
    first, second = (out / "index.html").read_text(), (out / "index-2.html").read_text()
    assert not (out / "index-3.html").exists()
    nav = re.compile(r'<nav class="pagination" aria-label="Pages of the catalogue"><ul>'
                     r'(.*?)</ul></nav>')
    assert nav.search(first)[1] == ('<li><a aria-current="page">1</a></li>'  # type: ignore
                                    '<li><a href="index-2.html">2</a></li>')
    assert nav.search(second)[1] == ('<li><a href="index.html">1</a></li>'  # type: ignore
                                     '<li><a aria-current="page">2</a></li>')
    links = re.findall(r'href="(demo/[^"]+\.html)"', first + second)
    assert sorted(links) == sorted({f"demo/{a}/{lang}/demo-{a}-{lang}.html"
                                    for a, lang in (("officials", "en"), ("public", "en"),
                                                    ("public", "ko"))})
    # public reads two editions: one page; its own catalogue has no page navigation
    assert not (out / "public/index-2.html").exists()
    assert "<nav class=\"pagination\"" not in (out / "public/index.html").read_text()
    # a smaller catalogue leaves no page of the larger one behind
    monkeypatch.setattr(indexes, "PAGE_ROWS", 100)
    build(load_project(root), Options(out, Selection(formats=("html",))))
    assert not (out / "index-2.html").exists()
    assert "<nav class=\"pagination\"" not in (out / "index.html").read_text()
