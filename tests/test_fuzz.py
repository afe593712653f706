"""Property tests: no input makes briefgen crash or emit active content.

Bounded so the whole file runs in well under a minute: ~200 examples per property, no
deadline (the first example pays for imports and the Jinja/markdown-it set-up).

1. Any text written as a content file (brief, audience, terms, translation) makes
   load_project either succeed or raise BriefError -- never another exception.
2. Any Markdown rendered by briefgen.edition.markdown.render raises nothing and never yields a
   <script> element, an on...= event attribute or a javascript: (or data:/vbscript:) URL.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.content.project import load_project
from briefgen.edition.markdown import Context, Origin, Tables, Term, Where, render
from briefgen.errors import BriefError, Problems

from conftest import VALID

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])

# -- YAML-ish text -------------------------------------------------------------------------

# Pieces that steer random text into YAML's interesting corners: indentation, flow and block
# collections, block scalars, anchors and aliases, tags, directives, documents, quoting.
YAML_PIECES = [
    "\n", "\n  ", "\n    ", "  ", "\t", ": ", ":", "- ", "-", "? ", "[", "]", "{", "}", ",",
    "|", "|-", ">", ">+", "|2", "&a ", "*a", "&b ", "*b", "<<: *a", "!!str ", "!!int ",
    "!!binary ", "!!set ", "!!omap ", "!!python/object:os.system ", "!foo ", "%YAML 1.1\n",
    "---\n", "...\n", "#", "'", '"', "\\", "~", "null", "true", "no", "0x1F", "1e3", ".inf",
    "2026-02-30", "2026-11-26", "title", "id", "sections", "items", "type", "prose", "body",
    "audiences", "exclude_audiences", "languages", "marking", "units", "source_hash", "en",
    "ko", "zh-Hans", "[[plan]]", "[[#x]]", "[[@y]]", "::: audience public\n", "\ufeff",
    "\u2028", "\x00", "\x85", "é", "한국어",
]
yamlish = st.lists(st.sampled_from(YAML_PIECES) | st.text(max_size=6), max_size=40).map(
    "".join)

FILES = {
    "brief": "content/briefs/demo/brief.yaml",
    "audience": "content/audiences/public.yaml",
    "terms": "content/terms.yaml",
    "translation": "content/briefs/demo/translations/ko.yaml",
}


@st.composite
def mutated(draw: st.DrawFn, base: str) -> str:
    """The valid file with a few random splices: keeps most of it meaningful."""
    text = base
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 40))
        text = text[:at] + draw(yamlish) + text[at + cut:]
    return text


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """One project copy for all examples; each example rewrites one file and restores it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        shutil.copytree(VALID, root)
        yield root


def _load_only_brief_errors(root: Path, rel: str, data: bytes) -> None:
    target = root / rel
    original = (VALID / rel).read_bytes()
    target.write_bytes(data)
    try:
        load_project(root)
    except BriefError as exc:
        assert exc.problems, "a BriefError must carry at least one problem"
        for p in exc.problems:
            str(p)  # every problem can be printed
    finally:
        target.write_bytes(original)


@pytest.mark.parametrize("kind", sorted(FILES))
@SETTINGS
@given(data=st.data())
def test_any_content_file_raises_only_brief_error(scratch: Path, kind: str,
                                                  data: st.DataObject) -> None:
    rel = FILES[kind]
    base = (VALID / rel).read_text(encoding="utf-8")
    text = data.draw(yamlish | mutated(base) | st.text(max_size=200), label="text")
    _load_only_brief_errors(scratch, rel, text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_any_bytes_as_a_brief_raise_only_brief_error(scratch: Path, raw: bytes) -> None:
    _load_only_brief_errors(scratch, FILES["brief"], raw)


# -- Markdown ------------------------------------------------------------------------------

MD_PIECES = [
    "\n", "\n\n", "  ", "    ", "*", "_", "**", "`", "```\n", "~~~", "#", "> ", "- ", "1. ",
    "[", "]", "(", ")", "![", "](", "<", ">", "&", "&#x09;", "&lt;", "&#106;", "\\", '"', "'",
    "[[plan]]", "[[Plan]]", "[[#recommendations]]", "[[@rec-b]]", "[[", "]]",
    "[^1]", "[^1]: ", "[^2]", "[^2]: ", "{", "}", '{audience="public"}',
    '{audience="officials"}', '{exclude-audience="public"}', '{lang="ko"}', '{onclick="x"}',
    '{audience="nobody"}', "::: audience public\n", "::: audience officials\n",
    "::: exclude-audience public\n", "::: audience\n", ":::\n", "::: audience x y\n",
    "<script>", "</script>", "<script src=x>", "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>", "<svg onload=alert(1)>", "<!--", "-->", "<?php",
    "<style>", "javascript:", "JaVaScRiPt:", "java\tscript:", "vbscript:", "data:text/html,",
    "data:image/png;base64,AAAA", "file:///etc/passwd", "http://example.org/a.png",
    "mailto:a@b.c", "//example.org", "../../../../etc/passwd", "missing.png", "chart.bmp",
    "%00", "%2e%2e/", "\x00", "\u202e", "\ufeff", "한국어", "“", "--", "---", "...",
    " onmouseover=", "\"onerror=\"", "[x]: javascript:alert(1)\n", "<javascript:alert(1)>",
]
markdownish = st.lists(st.sampled_from(MD_PIECES) | st.text(max_size=5), max_size=50).map(
    "".join)

TERM_VALUES = ["the joint plan", "<script>alert(1)</script>", '" onmouseover="x', "",
               "javascript:alert(1)"]


class _Active(HTMLParser):
    """Collects what a browser would treat as active content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "style", "base", "form", "meta"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value:
                url = "".join(value.split()).lower()
                if url.startswith(("javascript:", "vbscript:", "file:")) or (
                        url.startswith("data:") and not url.startswith("data:image/")):
                    self.found.append(f"{tag} {name}={value[:40]}")

    handle_startendtag = handle_starttag


def _context(mode: str, term: str) -> Context:
    """Every term and cross reference of MD_PIECES prints `term`; counts are numbers."""
    content = VALID / "content"
    tables = Tables({"plan": Term(term, Where("content/terms.yaml", 1))},
                    {"rec-b": term, "y": term}, {"recommendations": 2, "x": 1})
    return Context("public", ["officials", "public"], "en", tables,
                   content / "briefs" / "demo", content, Problems(), mode)


@SETTINGS
@given(text=markdownish | st.text(max_size=200), mode=st.sampled_from(["screen", "print"]),
       inline=st.booleans(), term=st.sampled_from(TERM_VALUES))
def test_any_markdown_renders_without_active_content(text: str, mode: str, inline: bool,
                                                     term: str) -> None:
    ctx = _context(mode, term)
    out = render(text, ctx, Origin("content/briefs/demo/brief.yaml", 10, 5, "body", 6),
                 inline=inline)
    notes = "".join(n.html for n in ctx.notes)
    for html in (out, notes):
        assert "<script" not in html.lower()
        parser = _Active()
        parser.feed(html)
        parser.close()
        assert not parser.found, (parser.found, html)
    for p in ctx.problems.items:
        assert p.line >= 10 and p.col >= 1, p  # every problem points into the text
