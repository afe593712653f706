"""Publication quality of the PDFs: structure, fonts, metadata, determinism, no tofu."""

from __future__ import annotations

import hashlib
import html
import io
import re
import subprocess
from pathlib import Path

from pypdf import PdfReader

from conftest import REPO, run
from test_shipped import EDITIONS, artifact


def tool(*args: object) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          check=True).stdout


def test_every_pdf_is_tagged_embedded_and_valid(shipped_build: Path) -> None:
    for audience, lang in EDITIONS:
        pdf = artifact(shipped_build, audience, lang, "pdf")
        info = tool("pdfinfo", pdf)
        assert re.search(r"Tagged:\s+yes", info)
        assert re.search(r"CreationDate:\s+Thu Nov 26 00:00:00 2026", info), info
        assert re.search(r"ModDate:\s+Thu Nov 26 00:00:00 2026", info)
        fonts = tool("pdffonts", pdf).splitlines()[2:]
        assert fonts and all(line.split()[-5] == "yes" and line.split()[-4] == "yes"
                             for line in fonts), fonts  # embedded and subset
        tool("qpdf", "--check", pdf)
        reader = PdfReader(pdf)
        assert reader.metadata.title and reader.metadata.author == {
            "en": "Lee Sung-hoon", "ko": "이성훈", "zh-Hans": "李晟勋"}[lang]
        assert reader.metadata.subject  # the summary
        assert reader.trailer["/Root"]["/Lang"] == ("en-US" if lang == "en" else lang)
        assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]


def test_outline_mirrors_the_audiences_sections(shipped_build: Path) -> None:
    reader = PdfReader(artifact(shipped_build, "beijing-outreach", "en", "pdf"))
    titles: list[str] = []

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            walk(item) if isinstance(item, list) else titles.append(item.title)

    walk(reader.outline)
    html = artifact(shipped_build, "beijing-outreach", "en", "html").read_text()
    sections = [re.sub(r"<[^>]+>", "", h) for h in re.findall(
        r'<section class="section \w+"[^>]*>\s*<h2 id="[\w-]+-heading">(.*?)</h2>', html)]
    assert len(sections) >= 5
    for section in sections:
        assert any(section.replace("’", "'")[:20] in t.replace("’", "'") for t in titles), \
            (section, titles)
    assert not any("What the Changes Mean for Korea" in t for t in titles)


def test_footnote_sits_on_the_page_that_cites_it(shipped_build: Path) -> None:
    reader = PdfReader(artifact(shipped_build, "us-government", "en", "pdf"))
    pages = [p.extract_text() for p in reader.pages]
    cited = [i for i, t in enumerate(pages) if "Joint Space Policy Committee" in t]
    noted = [i for i, t in enumerate(pages) if "existing bilateral" in t.replace("\n", " ")]
    assert noted and noted[0] in cited


def test_two_clean_builds_are_byte_identical(project: Path, tmp_path: Path) -> None:
    hashes = []
    for name in ("one", "two"):
        out = tmp_path / name
        assert run("build", "--out", str(out), "--jobs", "1", project=project).exit_code == 0
        hashes.append({p.relative_to(out): hashlib.sha256(p.read_bytes()).hexdigest()
                       for p in out.rglob("*") if p.is_file()})
    assert hashes[0] == hashes[1]


def test_missing_glyph_fails_naming_character_and_artifact(project: Path) -> None:
    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text().replace("Two things lie ahead.",
                                               "Two things lie ahead \U0010fffd."))
    result = run("build", "--audience", "officials", "--jobs", "1", project=project)
    assert result.exit_code == 1
    # found before any PDF is rendered, where it is written (BG290, tests/test_glyphs.py)
    assert ("content/briefs/demo/brief.yaml:51:28: sections[outlook].body: no font has "
            "U+10FFFD <private use>: the PDF would print a blank box") in result.stderr
    assert not (project / "build" / "demo").exists()


def test_a_glyph_weasyprint_finds_missing_is_still_an_error(project: Path) -> None:
    """The renderer's own report (BG406) stays, in case Pango and the fonts' cmaps ever
    disagree: with the hint that works."""
    from briefgen.build.plan import Selection
    from briefgen.build.run import Rendered, pdf_problems, plan
    from briefgen.content.project import load_project
    from briefgen.errors import Problems
    from briefgen.publish.pdf import PdfResult

    problems = Problems([])
    [job] = plan(load_project(project), Selection(audiences=("officials",), formats=("pdf",)),
                 problems)
    assert isinstance(job, Rendered) and not problems.items
    pdf_problems(job, PdfResult(b"", 1, ['U+10FFFD "\U0010fffd"']), {}, problems)
    assert [str(p) for p in problems.items] == [
        'demo/officials/en/demo-officials-en.pdf: no glyph in the PDF fonts for U+10FFFD '
        '"\U0010fffd" (add a font that has it to templates/fonts/ (any .ttf or .otf file there '
        "is used; docs/editing.md#fonts), or write another character)"]


def test_archival_variant_on_request(project: Path) -> None:
    result = run("build", "--audience", "officials", "--format", "pdf", "--pdf-variant",
                 "pdf/a-3u", "--jobs", "1", project=project)
    assert result.exit_code == 0, result.output
    reader = PdfReader(project / "build/demo/officials/en/demo-officials-en.pdf")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="U"' in xmp


def test_readme_shows_a_rendered_page() -> None:
    readme = (REPO / "README.md").read_text()
    for image in re.findall(r"\]\((docs/images/[^)]+\.png)\)", readme):
        assert (REPO / image).is_file()


NOTE = re.compile(r'<li id="note-(\d+)">(.*?) <a href="#noteref-\1"', re.S)
CALL = re.compile(r'<sup class="noteref"><a href="#note-(\d+)".*?</sup>', re.S)


def visible(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def loose(text: str) -> str:
    """A pattern for text as a PDF page's text may hold it: broken across lines anywhere."""
    return r"\s*".join(re.escape(c) for c in text if not c.isspace())


def test_every_footnote_sits_on_its_citing_page(shipped_build: Path) -> None:
    """Each note's body is printed on the page whose text holds its call. The published HTML
    gives every note's text and the words before its call; in the PDF the call follows those
    words and any punctuation moved in front of it (render.bind_note_punctuation)."""
    checked, wrong = 0, []
    for audience, lang in EDITIONS:
        page = artifact(shipped_build, audience, lang, "html").read_text()
        pdf = artifact(shipped_build, audience, lang, "pdf")
        pages = [p.extract_text() or "" for p in PdfReader(pdf).pages]
        notes = dict(NOTE.findall(page))
        calls = list(CALL.finditer(page))
        assert notes and set(notes) == {m.group(1) for m in calls}, (audience, lang)
        for m in calls:
            n = m.group(1)
            before = "".join(visible(CALL.sub("", page[:m.start()])).split())[-6:]
            call = re.compile(loose(before) + r"[^\w\s]*\s*" + n + r"(?!\d)")
            note = re.compile(rf"(?<!\d){n}\.\s*" + loose(visible(notes[n])[:40]))
            cited = [i for i, text in enumerate(pages, 1) if call.search(text)]
            printed = [i for i, text in enumerate(pages, 1) if note.search(text)]
            assert len(cited) == 1 and printed, (audience, lang, n, cited, printed)
            if cited[0] not in printed:
                wrong.append(f"{audience}/{lang}: note {n} cited on page {cited[0]}, "
                             f"printed on {printed}")
            checked += 1
    assert not wrong
    assert checked >= len(EDITIONS)


def test_notes_stay_on_their_citing_page_wherever_the_page_breaks() -> None:
    """Any brief, not just the shipped one: the text before two notes grows a few lines at a
    time, moving their calls past the foot of page 1. Left to itself, WeasyPrint keeps a call
    at the foot and moves its note on, or moves a page's notes on to fit one more line of a
    later paragraph."""
    from briefgen.publish.html import default_folders, stylesheet
    from briefgen.publish.pdf import PdfRenderer

    css = stylesheet(default_folders(), "print.css")
    words = ("the allies have set up a joint committee and a working group whose work bolsters "
             "deterrence").split()

    def text(n: int, start: int = 0) -> str:
        return " ".join(words[(start + i) % len(words)] for i in range(n))

    def note(name: str) -> str:
        return f'<span class="footnote">{name} note, long enough for two lines: {text(24)}.</span>'

    # the first call early in a long paragraph; then in the last line, before a heading
    first = [f"<p>{text(k)}</p><p>{text(12)} Zed{note('Quokka')} {text(70, 3)}</p>"
             for k in range(540, 590, 10)]
    first += [f"<p>{text(k)}</p><p>{text(60, 3)} Zed{note('Quokka')}.</p><h3>A heading</h3>"
              for k in (648, 656)]
    renderer = PdfRenderer(REPO / "content")
    for case, start in enumerate(first):
        body = f"{start}<p>{text(15, 5)} Yew{note('Yak')} {text(150, 7)}</p><p>{text(150, 2)}</p>"
        result = renderer.render(f'<!DOCTYPE html><html lang="en"><head><title>Notes</title>'
                                 f"<style>{css}</style></head><body>{body}</body></html>")
        pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(result.data)).pages]
        for call, n, name in (("Zed", 1, "Quokka"), ("Yew", 2, "Yak")):
            cited = [i for i, t in enumerate(pages, 1) if re.search(rf"{call}\s*{n}", t)]
            printed = [i for i, t in enumerate(pages, 1) if re.search(rf"{n}\.\s*{name} note", t)]
            assert len(cited) == 1 and cited == printed, (case, call, cited, printed)
        assert not [w for w in result.warnings if w.startswith("footnote")], result.warnings
