"""Theme assets: message catalogs, languages, print CSS and fonts resolve through the project's
templates/ first, then briefgen's (briefgen/theme.py, edition/i18n.py, publish/pdf.py)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.edition import i18n
from briefgen.errors import BriefError
from briefgen.theme import Theme, bundled

PUA = "\ue000"  # a Private Use Area character: no Noto font has a glyph for it
FONT_NAME = "BriefgenTestGlyph"


def write_font(path: Path) -> None:
    """A tiny TrueType font with one glyph (a square) for U+E000."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    def square(size: int) -> object:
        pen = TTGlyphPen(None)
        if size:
            pen.moveTo((100, 0))
            pen.lineTo((100, size))
            pen.lineTo((100 + size, size))
            pen.lineTo((100 + size, 0))
            pen.closePath()
        return pen.glyph()

    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "pua"])
    builder.setupCharacterMap({0xE000: "pua"})
    builder.setupGlyf({".notdef": square(0), "pua": square(600)})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "pua": (800, 100)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    path.parent.mkdir(parents=True, exist_ok=True)
    builder.save(str(path))


def put_in_brief(project: Path, text: str) -> None:
    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text().replace("Two things lie ahead.",
                                               f"Two things lie ahead {text}."))


# -- fonts ------------------------------------------------------------------------------------

def build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A build in a process of its own: its PDF renderer loads the project's fonts afresh."""
    return subprocess.run([sys.executable, "-m", "briefgen", "build", "--jobs", "1", *args,
                           "--project", str(project)],
                          capture_output=True, text=True)


def test_a_font_in_the_projects_templates_fonts_is_used_by_the_pdf(project: Path) -> None:
    put_in_brief(project, PUA)
    result = build(project, "--audience", "officials", "--format", "pdf")
    assert result.returncode == 1
    assert ("content/briefs/demo/brief.yaml:51:28: sections[outlook].body: no font has "
            "U+E000 <private use>: the PDF would print a blank box") in result.stderr
    assert "(add a font that has it to templates/fonts/" in result.stderr  # BG290, before
    # any PDF is rendered: tests/test_glyphs.py has the whole message

    write_font(project / "templates/fonts/glyph.ttf")  # what the hint says
    result = build(project, "--audience", "officials", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    pdf = project / "build/demo/officials/en/demo-officials-en.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    assert f"+{FONT_NAME} " in fonts
    assert "+Noto-Serif " in fonts  # the bundled fonts are still there for everything else


def test_a_renderer_changes_no_environment_and_importing_changes_nothing(
        tmp_path: Path) -> None:
    script = (
        "import os, sys\n"
        "import briefgen.publish.pdf as pdf, briefgen.edition.i18n\n"
        "assert 'weasyprint' not in sys.modules and 'FONTCONFIG_FILE' not in os.environ\n"
        "from pathlib import Path\n"
        f"r = pdf.PdfRenderer(Path({str(tmp_path / 'content')!r}))\n"
        "assert 'FONTCONFIG_FILE' not in os.environ\n"
        "print(r.render('<html><body><p>x \\ue000</p></body></html>').missing_glyphs)\n")
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, check=True).stdout
    assert out == "['U+E000 \"\\ue000\"']\n"


def test_print_assets_are_the_projects_first(tmp_path: Path) -> None:
    """A file the print HTML or CSS names relative to the templates (img/seal.png) is the
    project's templates/ copy; one outside the project and its theme is refused."""
    from briefgen.publish.pdf import PdfRenderer

    (tmp_path / "content").mkdir()
    (tmp_path / "templates/img").mkdir(parents=True)
    shutil.copy(Path(__file__).parent / "data/valid/content/briefs/demo/chart.png",
                tmp_path / "templates/img/seal.png")
    renderer = PdfRenderer(tmp_path / "content")
    result = renderer.render('<html lang="en"><body><img src="img/seal.png" alt="Seal">'
                             '<img src="file:///etc/hostname" alt="Host"></body></html>')
    assert result.refused == ["file:///etc/hostname"]
    assert not [w for w in result.warnings if "seal.png" in w], result.warnings
    pdf = tmp_path / "out.pdf"
    pdf.write_bytes(result.data)
    listed = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len(listed) == 1  # the seal


def test_fonts_conf_names_the_theme_fonts_folders(tmp_path: Path) -> None:
    from briefgen.publish.pdf import font_folders, fonts_conf

    (tmp_path / "templates/fonts").mkdir(parents=True)
    theme = Theme.of(tmp_path)
    assert font_folders(theme) == []  # no font file: nothing to add
    write_font(tmp_path / "templates/fonts/glyph.ttf")
    conf = fonts_conf(theme)
    assert f"<include>{bundled() / 'fonts/fonts.conf'}</include>" in conf
    assert f"<dir>{(tmp_path / 'templates/fonts').resolve()}</dir>" in conf


# -- the bundled templates, from a checkout and from a wheel ----------------------------------

def test_an_installed_wheel_finds_its_templates_the_same_way(tmp_path: Path) -> None:
    """The wheel carries templates/ inside the package (pyproject's force-include): catalogs,
    languages and the font configuration come from there, with no checkout around."""
    site = tmp_path / "site"
    shutil.copytree(bundled().parent / "briefgen", site / "briefgen",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(bundled(), site / "briefgen" / "templates")
    script = ("from briefgen.theme import bundled\n"
              "from briefgen.edition.i18n import Messages, language\n"
              "from briefgen.publish.pdf import fonts_conf\n"
              "from briefgen.theme import Theme\n"
              "print(bundled())\n"
              "print(Messages('ko').contents, language('zh-Hans').locale)\n"
              "print('<include>' + str(bundled() / 'fonts/fonts.conf') in fonts_conf("
              "Theme.default()))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(site)}).stdout
    assert out == f"{site / 'briefgen' / 'templates'}\n목차 zh_Hans_CN\nTrue\n"


# -- catalogs ---------------------------------------------------------------------------------

def test_a_project_catalog_overrides_single_labels(tmp_path: Path) -> None:
    (tmp_path / "templates/messages").mkdir(parents=True)
    (tmp_path / "templates/messages/en.yaml").write_text("key_takeaways: In brief\n")
    theme = Theme.of(tmp_path)
    m = i18n.Messages("en", theme)
    assert m.key_takeaways == "In brief"
    assert m.contents == "Contents"  # the rest from briefgen's English catalog
    assert i18n.Messages("en").key_takeaways == "Key takeaways"


def test_catalogs_are_read_once_per_cache_and_again_when_edited(tmp_path: Path) -> None:
    (tmp_path / "templates/messages").mkdir(parents=True)
    own = tmp_path / "templates/messages/en.yaml"
    own.write_text("contents: One\n")
    theme, cache = Theme.of(tmp_path), {}
    assert i18n.Messages("en", theme, cache).contents == "One"
    own.write_text("contents: Two, edited\n")
    assert i18n.Messages("en", theme, cache).contents == "One"  # the session's copy
    assert i18n.Messages("en", theme).contents == "Two, edited"  # no cache: the file
    cache.clear()  # Session.reset()
    assert i18n.Messages("en", theme, cache).contents == "Two, edited"


def test_a_new_language_needs_every_label(tmp_path: Path) -> None:
    (tmp_path / "templates/messages").mkdir(parents=True)
    (tmp_path / "templates/messages/fr.yaml").write_text(
        "language: {locale: fr_FR}\ncontents: Sommaire\n")
    with pytest.raises(BriefError) as caught:
        i18n.Messages("fr", Theme.of(tmp_path))
    problem, = caught.value.problems
    assert str(problem).startswith("templates/messages/fr.yaml:1:1: missing labels: "
                                   "about_the_author, about_the_authors, back_to_reference,")
    assert problem.code == "BG330"


def test_a_missing_catalog_and_a_wrong_language_mapping_are_reported(tmp_path: Path) -> None:
    with pytest.raises(BriefError) as caught:
        i18n.Messages("fr")
    assert [(str(p), p.code) for p in caught.value.problems] == [
        ("templates/messages/fr.yaml: no message catalog for the language fr "
         "(add templates/messages/fr.yaml)", "BG331")]
    (tmp_path / "templates/messages").mkdir(parents=True)
    (tmp_path / "templates/messages/ko.yaml").write_text(
        "# 한국어\nlanguage:\n  locale: xx_NOPE\n")
    with pytest.raises(BriefError) as caught:
        i18n.language("ko", Theme.of(tmp_path))
    assert [(str(p), p.code) for p in caught.value.problems] == [
        ("templates/messages/ko.yaml:3:11: language.locale: 'xx_NOPE' is not a locale Babel "
         "knows (e.g. en_US, ko_KR)", "BG332")]
    english = (bundled() / "messages/en.yaml").read_text()
    (tmp_path / "templates/messages/fr.yaml").write_text(  # every label, no language:
        "skip_to_content:" + english.split("\nskip_to_content:")[1])
    with pytest.raises(BriefError) as caught:
        i18n.Messages("fr", Theme.of(tmp_path))
    assert [str(p) for p in caught.value.problems] == [
        "templates/messages/fr.yaml:1:1: language: a mapping with at least the locale is "
        "needed (language: {locale: …})"]
    (tmp_path / "templates/messages/fr.yaml").unlink()
    (tmp_path / "templates/messages/ko.yaml").write_text(
        'language:\n  serif: ["Evil\\"; } body { color: red"]\n')
    with pytest.raises(BriefError) as caught:
        i18n.language_css(Theme.of(tmp_path))
    assert str(caught.value.problems[0]).endswith(
        "language.serif: a list of font family names")


def test_languages_as_their_catalogs_describe_them() -> None:
    ko = i18n.language("ko")
    assert (ko.locale, ko.keep_words, ko.serif, ko.sans, ko.sample) == (
        "ko_KR", True, ("Noto Serif", "Noto Serif CJK KR"), ("Noto Sans", "Noto Sans CJK KR"),
        "동맹")
    assert i18n.language("en") == i18n.Language("en", "English", "en_US", sample="Alliance")
    assert i18n.long_date(dt.date(2026, 11, 26), "zh-Hans") == "2026年11月26日"
    assert i18n.long_date(dt.date(2026, 11, 26), "ko") == "2026년 11월 26일"


def test_the_print_rules_of_each_language_come_from_its_catalog() -> None:
    sans = ("h1", "h2", "h3", ".marking", ".series", ".byline", ".dateline", ".toc",
            ".colophon", "figcaption", ".table-scroll thead th", ".chart-data")
    css = i18n.language_css().splitlines()
    for code, serif, sans_faces, align in (
            ("ko", '"Noto Serif", "Noto Serif CJK KR", "Noto Color Emoji"',
             '"Noto Sans", "Noto Sans CJK KR", "Noto Color Emoji"', "left"),
            ("zh-Hans", '"Noto Serif CJK SC", "Noto Color Emoji"',
             '"Noto Sans CJK SC", "Noto Color Emoji"', "justify")):
        assert f"html:lang({code}) {{ font-family: {sans_faces}, sans-serif; }}" in css
        assert (f"body:lang({code}) {{ font-family: {serif}, serif; line-height: 1.7; "
                f"hyphens: manual; text-align: {align}; }}") in css
        assert (", ".join(f"body:lang({code}) {e}" for e in sans)
                + f" {{ font-family: {sans_faces}, sans-serif; }}") in css
    # a passage in another language: its faces, then the edition's, serif or sans-serif;
    # the colour emoji font ends every stack
    assert ('body:lang(zh-Hans) [lang]:lang(ko) { font-family: "Noto Serif", '
            '"Noto Serif CJK KR", "Noto Serif CJK SC", "Noto Color Emoji", serif; }') in css
    assert ('body:lang(en) [lang]:lang(ja) { font-family: "Noto Serif", "Noto Serif CJK JP", '
            '"Noto Color Emoji", serif; }') in css  # ja has no catalog here: CJK_FACES
    assert ", ".join(f"body:lang(ko) {e} [lang]:lang(en)" for e in sans) + (
        ' { font-family: "Noto Sans", "Noto Sans CJK KR", "Noto Color Emoji", sans-serif; }') in css
    # the margin boxes, per edition
    assert i18n.page_css("zh-Hans") == (
        '@page { font-family: "Noto Sans CJK SC", "Noto Color Emoji", sans-serif; '
        '@top-left { font-family: "Noto Sans CJK SC", "Noto Color Emoji", sans-serif; } '
        '@top-right { font-family: "Noto Sans CJK SC", "Noto Color Emoji", sans-serif; } '
        '@bottom-center { font-family: "Noto Sans CJK SC", "Noto Color Emoji", sans-serif; } }\n')
    assert ":lang(" not in (bundled() / "css/print.css").read_text()  # in the catalogs only
    ja = i18n.language("ja", Theme.of(FOURTH))
    assert ja.page == ("Noto Sans", "Noto Sans CJK JP")
    assert ('\nhtml:lang(ja) { font-family: "Noto Sans", "Noto Sans CJK JP", "Noto Color Emoji", '
            'sans-serif; }\n'
            in i18n.language_css(Theme.of(FOURTH)))


# -- a fourth language ------------------------------------------------------------------------

FOURTH = Path(__file__).parent / "data" / "fourth-language"


def test_a_fourth_language_is_one_catalog_file(project: Path) -> None:
    """tests/data/fourth-language adds Japanese to a copy of tests/data/valid: its catalog in
    the project's templates/messages/, an audience that lists it, a brief's translation and
    the terms in it. Nothing in briefgen changes."""
    shutil.copytree(FOURTH, project, dirs_exist_ok=True)
    assert "ja" in Theme.of(project).languages()
    result = build(project, "--audience", "public")
    assert result.returncode == 0, result.stderr
    page = (project / "build/demo/public/ja/demo-public-ja.html").read_text()
    assert '<html lang="ja">' in page
    assert "2026年11月26日" in page  # Babel's ja_JP long date
    for label in ("要点", "目次", "参考資料"):
        assert label in page
    assert '<h1 class="title">共同計画に関する実演報告書</h1>' in page

    pdf = project / "build/demo/public/ja/demo-public-ja.pdf"
    assert pdf.is_file()
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    # body, headings, running header and footer in the catalog's fonts, not the KR or SC
    # fallbacks print.css has for the languages without page fonts of their own
    assert "+Noto-Serif-CJK-JP " in fonts and "+Noto-Sans-CJK-JP-Bold " in fonts
    assert "-KR" not in fonts and "-SC" not in fonts


def test_a_project_fonts_conf_is_never_loaded(tmp_path: Path) -> None:
    """A project's fonts.conf could <include> or <dir> any file of the machine, which
    fontconfig would open (found by an attack: /etc walked, /etc/passwd parsed): the renderer
    loads briefgen's own, plus the project's fonts folder."""
    from briefgen.publish.pdf import fonts_conf

    (tmp_path / "templates/fonts").mkdir(parents=True)
    (tmp_path / "templates/fonts/fonts.conf").write_text(
        "<fontconfig><include>/etc/passwd</include><dir>/etc</dir></fontconfig>")
    write_font(tmp_path / "templates/fonts/glyph.ttf")
    conf = fonts_conf(Theme.of(tmp_path))
    assert f"<include>{bundled() / 'fonts/fonts.conf'}</include>" in conf
    assert "/etc" not in conf and str(tmp_path / "templates/fonts/fonts.conf") not in conf


@pytest.mark.parametrize("target", ["/etc", "/usr/share/fonts"])
def test_a_link_out_of_the_project_fonts_folder_is_refused(tmp_path: Path, target: str
                                                           ) -> None:
    """fontconfig follows links in a font folder: one out of the project is an error."""
    from briefgen.errors import BriefError
    from briefgen.publish.pdf import font_folders

    write_font(tmp_path / "templates/fonts/glyph.ttf")
    (tmp_path / "templates/fonts/more").symlink_to(target)
    with pytest.raises(BriefError) as refused:
        font_folders(Theme.of(tmp_path))
    [problem] = refused.value.problems
    assert (problem.path, problem.code) == ("templates/fonts/more", "BG001")
    assert problem.message == "leads outside the templates folder through a symbolic link"



@pytest.mark.parametrize("spec, field", [
    # found by an attack: each passed the old check (no ; { } < > " \ or line break) and
    # left the `body:lang(ko)` rule open, swallowing print.css and the page's marking
    ("print: {line-height: \"1.7 'x\"}", "print"),
    ("print: {line-height: \"1.7 /*\"}", "print"),
    ('serif: ["Noto\\fSerif"]', "serif"),
    ("serif: [\"Noto' Serif\"]", "serif"),
    ('sans: ["Noto /* Sans"]', "sans"),
    ("print: {color: \"url(x)\"}", "print"),
    ('page: ["Noto\\u2028Sans"]', "page"),
])
def test_a_catalog_value_that_could_break_the_stylesheet_is_refused(
        tmp_path: Path, spec: str, field: str) -> None:
    (tmp_path / "templates/messages").mkdir(parents=True)
    (tmp_path / "templates/messages/ko.yaml").write_text(
        f"language:\n  locale: ko_KR\n  {spec}\n", encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        i18n.language_css(Theme.of(tmp_path))
    if "\\f" in spec:  # a form feed is no text at all: refused when the file is read
        assert str(caught.value.problems[0]) == (
            "templates/messages/ko.yaml:3:11: character U+000C is not text: no page, feed or "
            "PDF may carry it (remove the escape that writes it)")
        return
    assert str(caught.value.problems[0]).endswith(
        "a mapping of CSS properties to values" if field == "print" else
        "a list of font family names"), str(caught.value.problems[0])
    assert f"language.{field}" in str(caught.value.problems[0])
