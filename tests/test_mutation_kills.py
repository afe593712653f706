"""Tests that kill deliberate bugs in the audience-selection, leak-guard and incremental-key
code (issue #12): the hand-made mutants of scripts/hand_mutants.py and the mutants mutmut
made that the rest of the suite let live (docs/mutation.md names each)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from mutation_support import fresh_caches  # noqa: F401 (an autouse fixture)
from pypdf import PdfWriter

from briefgen.build import pdf_guard_surfaces

from conftest import run
from tiny import make_project

# -- translations: the skeleton check reads the whole nesting ------------------------------


def test_a_nested_marker_no_reader_sees_is_named_as_such(tmp_path: Path) -> None:
    """The inner block is for pub, but inside an officials block: no Korean reader sees it,
    and the error says it may stay empty (Marker.shown_to needs every level, not the
    innermost)."""
    source = "Shared.\n\n:::: audience officials\n::: audience pub\nInner.\n:::\n::::\n"
    root = make_project(tmp_path, source, "공유.\n\n:::: audience officials\n::::\n")
    result = run("check", project=root)
    assert result.exit_code == 1
    assert ("the translation lacks the source's '::: audience pub' block (no reader of this "
            "language sees it: keep it with nothing inside)") in result.stderr


# -- translations: the meta unit goes stale like any other -----------------------------------

def _recorded(root: Path) -> str:
    """ko.yaml with the source_hash of every unit that has none, as `check` proposes."""
    ko = root / "content/briefs/tiny/translations/ko.yaml"
    text = ko.read_text(encoding="utf-8")
    result = run("check", project=root)
    for uid, digest in re.findall(r"units\.([\w-]+): warning: no source_hash recorded.*?"
                                  r'add source_hash: "([0-9a-f]{12})"', result.stderr):
        text = re.sub(rf"^  {uid}:\n", f'  {uid}:\n    source_hash: "{digest}"\n', text,
                      flags=re.M)
    ko.write_text(text, encoding="utf-8")
    return text


def test_the_meta_unit_goes_stale_when_title_or_summary_change(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n", "본문.\n")
    assert 'source_hash: "' in _recorded(root).split("  ann:")[0]
    clean = run("check", project=root)
    assert clean.exit_code == 0 and "warning" not in clean.stderr, clean.stderr
    brief = root / "content/briefs/tiny/brief.yaml"
    original = brief.read_text(encoding="utf-8")
    for old, new in (('title: "A tiny brief"', 'title: "A retitled brief"'),
                     ("summary: A small brief.", "summary: A changed summary.")):
        assert old in original
        brief.write_text(original.replace(old, new), encoding="utf-8")
        result = run("check", project=root)
        stale = re.findall(r"units\.([\w-]+): warning: stale", result.stderr)
        assert stale == ["meta"], (old, result.stderr)
    brief.write_text(original.replace("Text.", "Other text."), encoding="utf-8")
    result = run("check", project=root)
    assert re.findall(r"units\.([\w-]+): warning: stale", result.stderr) == ["main-text"]


# -- the guard reads what WeasyPrint laid out, besides the bytes -----------------------------

@dataclass
class _Rendered:
    """A stand-in for pdf.PdfResult: blank PDF bytes, layout texts chosen by the test."""

    data: bytes
    text: str = ""
    metadata: list[str] = field(default_factory=list)
    bookmarks: list[str] = field(default_factory=list)


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_surfaces_join_the_layout_and_the_bytes() -> None:
    result = _Rendered(_blank_pdf(), text="laid out words", metadata=["the layout's title"],
                       bookmarks=["a layout bookmark"])
    surfaces = pdf_guard_surfaces(result)
    assert "laid out words" in surfaces["PDF text"]
    assert "the layout's title" in surfaces["PDF metadata"]
    assert "a layout bookmark" in surfaces["PDF bookmarks"]
    assert set(surfaces) >= {"PDF text", "PDF metadata", "PDF bookmarks", "PDF tags"}
