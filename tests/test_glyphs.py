"""A character no font of the PDF has is reported by `check` (and `build`, before any PDF is
made) at the content file:line:col where it is written (edition/glyphs.py, BG290); a font a
project adds to templates/fonts/ is named in every font stack and used; an emoji is drawn
from the colour emoji font the bootstrap installs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTContainer, LTImage, LTItem
from test_fonts import glyph_runs
from test_theme_assets import FONT_NAME, PUA, write_font

from briefgen.edition import glyphs, i18n
from briefgen.theme import Theme

from conftest import REPO, run

BRIEF = "content/briefs/demo/brief.yaml"
KO = "content/briefs/demo/translations/ko.yaml"
EMOJI_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
HINT = ("(add a font that has it to templates/fonts/ (any .ttf or .otf file there is used; "
        "docs/editing.md#fonts), or write another character)")


def replace(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def expected(where: str, what: str, project: Path, field: str, stack: str) -> str:
    n = len(glyphs.faces(Theme.of(project)))  # every face of every font file
    return (f"{where}: {field}: no font has {what}: the PDF would print a blank box (tried "
            f"{stack}, then all {n} fonts of briefgen's fonts.conf and templates/fonts/) "
            + HINT)


EN = "Noto Serif, Noto Sans, Noto Color Emoji"
KO_STACK = "Noto Serif, Noto Serif CJK KR, Noto Sans, Noto Sans CJK KR, Noto Color Emoji"


def test_check_names_each_character_no_font_has_at_its_line_and_column(project: Path) -> None:
    """A private-use character and an unassigned code point in the English source, a CJK
    Extension B ideograph (no Noto CJK face has U+20000) in the Korean translation."""
    replace(project, BRIEF, "Two things lie ahead.", f"Two things {PUA} lie \u0378 ahead.")
    replace(project, KO, "두 가지 과제가 있다.", "두 가지 \U00020000 과제가 있다.")
    result = run("check", project=project)
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "no font has" in line]
    assert lines == [
        expected(f"{BRIEF}:51:18", "U+E000 <private use>", project, "sections[outlook].body",
                 EN),
        expected(f"{BRIEF}:51:24", "U+0378 <unassigned>", project, "sections[outlook].body",
                 EN),
        expected(f"{KO}:46:12", "U+20000 CJK UNIFIED IDEOGRAPH-20000 '\U00020000'", project,
                 "units.outlook.body", KO_STACK),
    ]
    # build says the same, before it renders a PDF
    built = run("build", "-q", "--format", "pdf", project=project)
    assert built.exit_code == 1
    assert [line for line in built.stderr.splitlines() if "no font has" in line] == lines


def test_a_character_in_a_table_cell_is_found_in_its_cell(project: Path) -> None:
    table = ("\n\n      ::: table {#tbl-x}\n      Caption\n\n      | a | b |\n      |---|---|\n"
             "      | x | y@ |\n      :::")
    replace(project, BRIEF, "Two things lie ahead.",
            "Two things lie ahead." + table.replace("@", PUA))
    replace(project, KO, "두 가지 과제가 있다.", "두 가지 과제가 있다." + table.replace("@", ""))
    result = run("check", project=project)
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if "no font has" in line] == [
        expected(f"{BRIEF}:58:14", "U+E000 <private use>", project, "sections[outlook].body",
                 EN)]


@pytest.mark.parametrize("text", [
    "e\u0301 and \u1100\u1161\u11a8",  # a combining acute; a syllable of conjoining jamo only
    "soft\u00adhyphen, word\u2060joiner, zero\u200bwidth, \u200e\u2066bidi\u2069",
    "\U0001F468\u200d\U0001F469\u200d\U0001F467 \u263a\ufe0f \U0001F44D\U0001F3FD",  # emoji
    "\U00013000 \u0e01 \u0628",  # a hieroglyph, Thai, Arabic: Noto fonts outside the stacks
])
def test_what_a_font_draws_or_needs_no_glyph_passes(project: Path, text: str) -> None:
    replace(project, BRIEF, "Two things lie ahead.", f"Two things lie ahead: {text}.")
    result = run("check", project=project)
    assert result.exit_code == 0, result.stderr


def test_the_characters_that_need_no_glyph() -> None:
    assert all(glyphs.NO_GLYPH.match(c) for c in
               " \t\n\u00ad\u200b\u200c\u200d\u200e\u202e\u2060\u2066\ufe0f\U000E0067\u115f")
    assert not any(glyphs.NO_GLYPH.match(c) for c in "a\u0301\u1100\ue000\u0378\u0600")
    assert glyphs.describe("\u0378") == "U+0378 <unassigned>"
    assert glyphs.describe("\U0001F600") == "U+1F600 GRINNING FACE '\U0001F600'"


def test_a_font_the_project_adds_is_named_in_every_stack_and_used(project: Path) -> None:
    """The hint of BG290, followed: the font is added to templates/fonts/, check passes,
    the stacks name its family before the emoji font, and the PDF sets the character in it."""
    replace(project, BRIEF, "Two things lie ahead.", f"Two things lie ahead {PUA}.")
    assert run("check", project=project).exit_code == 1
    write_font(project / "templates/fonts/glyph.ttf")  # what the hint says
    result = run("check", project=project)
    assert result.exit_code == 0, result.stderr
    theme = Theme.of(project)
    assert glyphs.project_families(theme) == (FONT_NAME,)
    css = i18n.language_css(theme) + i18n.page_css("en", theme)
    assert f'"Noto Serif", "{FONT_NAME}", "Noto Color Emoji", serif' in css
    assert f'"Noto Sans", "{FONT_NAME}", "Noto Color Emoji", sans-serif' in css
    assert css.count(f'"{FONT_NAME}", "Noto Color Emoji"') == css.count("font-family")
    built = run("build", "-q", "--audience", "officials", "--format", "pdf", project=project)
    assert built.exit_code == 0, built.stderr
    pdf = project / "build/demo/officials/en/demo-officials-en.pdf"
    runs = glyph_runs(pdf)
    assert [font for _, font, text in runs if PUA in text] == [FONT_NAME]


def test_an_emoji_is_drawn_from_the_colour_emoji_font(project: Path) -> None:
    """scripts/bootstrap.sh installs fonts-noto-color-emoji; WeasyPrint draws its bitmaps as
    images at the text's size (templates/fonts/fonts.conf scales them) and writes the
    characters in a font of its own, so the text reads back."""
    assert EMOJI_FONT.is_file(), "run scripts/bootstrap.sh: fonts-noto-color-emoji"
    grin, flag = "\U0001F600", "\U0001F1F0\U0001F1F7"
    # a thumb with a skin tone and a smiley with VS16: Noto Sans Symbols has both bases in
    # black and white, which fontconfig chose until fonts.conf named the "emoji" family's font
    thumb, smile = "\U0001F44D\U0001F3FD", "\u263a\ufe0f"
    emoji = f"{grin} {flag} {thumb} {smile}"
    replace(project, BRIEF, "Two things lie ahead.", f"Two things lie ahead {emoji} 2026.")
    assert run("check", project=project).exit_code == 0
    built = run("build", "-q", "--audience", "officials", project=project)
    assert built.exit_code == 0, built.stderr
    folder = project / "build/demo/officials/en"
    assert f"Two things lie ahead {emoji} 2026." in (folder / "demo-officials-en.html"
                                                     ).read_text(encoding="utf-8")
    pdf = folder / "demo-officials-en.pdf"
    runs = glyph_runs(pdf)
    assert [(font, text) for _, font, text in runs if "Emoji" in font or "Symbols" in font] \
        == [("Noto-Color-Emoji", f"{grin}"), ("Noto-Color-Emoji", flag),
            ("Noto-Color-Emoji", thumb), ("Noto-Color-Emoji", smile)]
    # nothing else is set in it: digits have emoji glyphs too, the text's fonts keep them
    assert any(font == "Noto-Serif" and " 2026." in text for _, font, text in runs)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert f"{emoji} 2026." in text
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    sizes = {(line.split()[3], line.split()[4]) for line in images if " image " in line}
    assert ("136", "128") in sizes  # the emoji's bitmaps (the fixture's chart is another)
    # drawn at the size of the text (10.5 pt), not at the bitmaps' 109 px
    heights = sorted(round(item.height, 1) for page in extract_pages(pdf)
                     for item in _images(page))
    assert len([h for h in heights if 10 < h < 16]) == 4, heights  # 😀 🇰🇷 👍🏽 ☺️, one each


def _images(item: LTItem) -> list[LTImage]:
    if isinstance(item, LTImage):
        return [item]
    if isinstance(item, LTContainer):
        return [image for child in item for image in _images(child)]
    return []


@pytest.mark.parametrize("name", ["truetype/noto/NotoSerif-Regular.ttf",
                                  "opentype/noto/NotoSansCJK-Bold.ttc",
                                  "truetype/noto/NotoColorEmoji.ttf", "project"])
def test_a_cmap_read_from_its_bytes_is_what_fonttools_reads(name: str, tmp_path: Path) -> None:
    """glyphs._cmap reads formats 12 and 4 itself (fontTools would parse a CJK font's whole
    CFF charset first): the same code points, face by face."""
    from fontTools.ttLib import TTCollection, TTFont

    path = Path("/usr/share/fonts", name)
    if name == "project":
        path = tmp_path / "glyph.ttf"
        write_font(path)
    fonts = TTCollection(str(path)).fonts if path.suffix == ".ttc" else [TTFont(str(path))]
    for index, font in enumerate(fonts):
        expected = {code for code, glyph in font["cmap"].getBestCmap().items()
                    if glyph != ".notdef"}
        assert glyphs._cmap.__wrapped__(path, index, (0, 0)) == expected


def test_a_file_in_templates_fonts_that_is_not_a_font_is_an_error(project: Path) -> None:
    (project / "templates/fonts").mkdir(parents=True)
    (project / "templates/fonts/glyph.ttf").write_bytes(b"not a font at all")
    result = run("check", project=project)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "templates/fonts/glyph.ttf: not a font fontTools can read (Not a TrueType or OpenType "
        "font (bad sfntVersion)) (remove it, or replace it with a .ttf or .otf file)")


def test_a_character_in_a_term_is_found_where_the_term_is_defined(project: Path) -> None:
    replace(project, "content/terms.yaml", "  en: the joint plan", f"  en: the joint {PUA}plan")
    result = run("check", project=project)
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if "no font has" in line] == [
        expected("content/terms.yaml:2:17", "U+E000 <private use>", project, "", EN)
        .replace(": : no font", ": no font")]


def test_a_character_in_a_charts_words_is_found_in_the_chart_file(tmp_path: Path) -> None:
    """The shipped brief's chart, its English word for a column with a private-use
    character: drawn in the chart and written in its data table."""
    project = tmp_path / "p"
    shutil.copytree(REPO / "content", project / "content")
    chart = next((project / "content/briefs").glob("*/charts/sma.chart.yaml"))
    replace(project, str(chart.relative_to(project)), "  agreement: Agreement",
            f"  agreement: Agree{PUA}ment")
    result = run("check", project=project)
    assert result.exit_code == 1
    shown = chart.relative_to(project).as_posix()
    assert [line for line in result.stderr.splitlines() if "no font has" in line] == [
        expected(f"{shown}:11:19", "U+E000 <private use>", project, "", EN)
        .replace(": : no font", ": no font")]
