"""A PDF carries only the pages briefgen lays out and the files briefgen attaches itself.

The attacks (a review's findings H1 and H2): a project template asks WeasyPrint to embed a
content file, with <link rel="attachment"> (a document attachment) or <a rel="attachment">
(a page's FileAttachment annotation, in the body or in a page margin), in a build's PDF or a
redline's; or loads a content file as a stylesheet or image. Three defences, each tested
alone: the renderer's URL fetcher serves only the theme's stylesheets, fonts and images
(BG407); a page that asks for an attachment is an error naming the template (BG305); a
rendered PDF holding an embedded file briefgen did not attach is an error (BG370), and every
embedded file, wherever it hangs, is a guard surface.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from test_redline import edit, release

from briefgen.build.formats import Texts, pdf_document_surfaces
from briefgen.publish import embedded
from briefgen.publish.pdf import PdfRenderer

from conftest import VALID, run

BASE = "templates/base.html.j2"
REDLINE = "templates/reports/redline.html.j2"
PDF = "build/demo/public/en/demo-public-en.pdf"
HINT = ("(briefgen attaches files itself, to archival PDFs only, made from the edition; "
        "docs/editing.md#what-a-page-may-load)")
EXTENDS = '{% extends "briefgen/base.html.j2" %}\n'
#: a page's body link, and one in a page margin (a running element: an artifact, which the
#: PDF/UA check's Link rule does not see)
BODY_LINK = (EXTENDS + '{% block footer %}{{ super() }}'
             '<p><a rel="attachment" href="../content/briefs/demo/brief.yaml">.</a></p>'
             '{% endblock %}\n')
MARGIN_STYLE = ('<style>.att { position: running(att); } '
                '@page { @bottom-left { content: element(att); } }</style>')
MARGIN_LINK = (EXTENDS + '{% block head_extras %}' + MARGIN_STYLE + '{% endblock %}\n'
               '{% block footer %}{{ super() }}<div class="att">'
               '<a rel="attachment" href="../content/briefs/demo/brief.yaml">.</a></div>'
               '{% endblock %}\n')
HEAD_LINK = (EXTENDS + '{% block head_extras %}<link rel="attachment" '
             'href="../content/briefs/demo/translations/ko.yaml">{% endblock %}\n')


def write(project: Path, rel: str, text: str) -> None:
    path = project / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build(project: Path, *args: str) -> tuple[int, str]:
    result = run("build", "--audience", "public", "--lang", "en", "--format", "pdf", "-j", "1",
                 "-q", *args, project=project)
    return result.exit_code, result.stderr


# -- (2) a page may not ask for an attachment: BG305, naming the template ------------------------


@pytest.mark.parametrize(("template", "variant", "expected"), [
    (BODY_LINK, "pdf/a-3u", 'templates/base.html.j2:2:43: a page may not ask for a file '
     'attachment: <a rel="attachment" href="../content/briefs/demo/brief.yaml"> '),
    (MARGIN_LINK, "pdf/ua-1", 'templates/base.html.j2:3:57: a page may not ask for a file '
     'attachment: <a rel="attachment" href="../content/briefs/demo/brief.yaml"> '),
    (HEAD_LINK, "pdf/ua-1", 'templates/base.html.j2:2:35: a page may not ask for a file '
     'attachment: <link rel="attachment" href="../content/briefs/demo/translations/ko.yaml"> '),
], ids=["body-link-archival", "margin-box-link", "head-link"])
def test_a_template_asking_for_an_attachment_fails_build_and_check(
        project: Path, template: str, variant: str, expected: str) -> None:
    write(project, BASE, template)
    code, stderr = build(project, "--pdf-variant", variant)
    assert code == 1
    assert stderr == expected + HINT + "\nbriefgen: 1 error in 1 file\n"
    assert not (project / "build").exists()
    result = run("check", project=project)  # check renders every page: it says so too
    assert result.exit_code == 1
    assert expected + HINT in result.stderr


@pytest.mark.parametrize("link", [
    '<a REL="Attachment" href="../content/terms.yaml">.</a>',
    '<a rel="nofollow\tATTACHMENT" href="../content/terms.yaml">.</a>',
    '<a rel="&#97;ttachment" href="../content/terms.yaml">.</a>',
    '<span rel="attachment" data-x="../content/terms.yaml">.</span>',
    '<svg><a rel="attachment" href="../content/terms.yaml"><text>.</text></a></svg>',
], ids=["upper-case", "among-others", "character-reference", "other-element", "svg"])
def test_any_spelling_on_any_element_is_refused(project: Path, link: str) -> None:
    write(project, BASE, EXTENDS + "{% block footer %}" + link + "{% endblock %}\n")
    code, stderr = build(project)
    assert code == 1
    assert "a page may not ask for a file attachment: <" in stderr, stderr
    assert stderr.startswith("templates/base.html.j2"), stderr  # at the word, if written
    assert not (project / "build").exists()


def test_an_attachment_the_template_computes_names_the_page_template(project: Path) -> None:
    """No template file holds the word: the page's own template is named, without a line."""
    write(project, BASE, EXTENDS + "{% block footer %}<a rel=\"{{ 'ATTACH' ~ 'MENT' | lower }}"
          "\" href=\"../content/terms.yaml\">.</a>{% endblock %}\n")
    code, stderr = build(project)
    assert code == 1
    assert stderr == ('templates/base.html.j2: a page may not ask for a file attachment: '
                      '<a rel="ATTACHment" href="../content/terms.yaml"> ' + HINT
                      + "\nbriefgen: 1 error in 1 file\n")


def test_the_renderer_refuses_a_page_that_asks_for_an_attachment() -> None:
    """The renderer checks the HTML it is handed too (WeasyPrint's own parse of it)."""
    from briefgen.errors import BriefError

    page = ('<html lang="en"><body><p>x</p><a rel="attachment" href="css/print.css">.</a>'
            '</body></html>')
    with pytest.raises(BriefError) as refused:
        PdfRenderer(VALID / "content").render(page)
    [problem] = refused.value.problems
    assert (problem.code, str(problem)) == ("BG305", (
        'templates: a page may not ask for a file attachment: <a rel="attachment" '
        'href="css/print.css"> ' + HINT))


# -- the same through a redline's template ---------------------------------------------------


@pytest.fixture(scope="module")
def released_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("embeds") / "project"
    shutil.copytree(VALID, project)
    release(project, "1.0")
    edit(project, "content/briefs/demo/brief.yaml", "Everyone reads this takeaway",
         "Everybody reads this takeaway")
    return project


@pytest.fixture
def released(released_base: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(released_base, dest, symlinks=True)
    return dest


def redline_template(**changes: str) -> str:
    text = (Path(__file__).parents[1] / REDLINE).read_text(encoding="utf-8")
    for old, new in changes.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def test_a_redline_template_asking_for_an_attachment_writes_nothing(released: Path) -> None:
    head = '<link rel="attachment" href="../content/briefs/demo/translations/ko.yaml">'
    source = redline_template(**{"{% block head_extras %}{% endblock %}": head})
    write(released, REDLINE, source)
    line = source[:source.index("attachment")].count("\n") + 1
    col = source.index("attachment") - source.rfind("\n", 0, source.index("attachment"))
    result = run("redline", "demo", "--from", "1.0", "--audience", "public", "--lang", "en",
                 project=released)
    assert result.exit_code == 1
    assert result.stderr == (
        f'templates/reports/redline.html.j2:{line}:{col}: a page may not ask for a file '
        f'attachment: {head} {HINT}\nbriefgen: 1 error in 1 file\n')
    assert not (released / "build/redlines").exists()


def test_a_redline_margin_attachment_writes_nothing(released: Path) -> None:
    link = ('<div class="att"><a rel="attachment" href="../content/briefs/demo/brief.yaml">.'
            '</a></div>')
    write(released, REDLINE, redline_template(**{
        "{% block head_extras %}{% endblock %}": MARGIN_STYLE, "<main>": "<main>" + link}))
    result = run("redline", "demo", "--from", "1.0", "--audience", "public", "--lang", "en",
                 project=released)
    assert result.exit_code == 1
    assert ('a page may not ask for a file attachment: <a rel="attachment" '
            'href="../content/briefs/demo/brief.yaml"> ') in result.stderr
    assert result.stderr.startswith("templates/reports/redline.html.j2:")
    assert not (released / "build/redlines").exists()


def test_a_redline_whose_pdf_loads_a_content_file_writes_nothing(released: Path) -> None:
    """A refused URL stops a redline as it stops a build (it was silently dropped)."""
    write(released, REDLINE, redline_template(**{
        "<main>": '<main><img alt="x" src="../content/briefs/demo/chart.png">'}))
    result = run("redline", "demo", "--from", "1.0", "--audience", "public", "--lang", "en",
                 project=released)
    assert result.exit_code == 1
    assert result.stderr == (
        "public-en.pdf: the PDF tried to load content/briefs/demo/chart.png; a page loads "
        "only the theme's stylesheets, fonts and images (templates/), never a content file "
        "nor anything outside the project\nbriefgen: 1 error in 1 file\n")
    assert not (released / "build/redlines").exists()


# -- (1) the renderer's fetcher serves the theme's assets only: BG407 -------------------------


def test_the_fetcher_serves_only_theme_stylesheets_fonts_and_images(tmp_path: Path) -> None:
    """By location (the theme's folders, never content/) and by type (its name and its
    first bytes): a content file, a catalog, fonts.conf, a template, a YAML file named .png,
    a data: URL of text are each refused; the theme's image is drawn."""
    shutil.copytree(VALID, tmp_path, dirs_exist_ok=True)
    png = (VALID / "content/briefs/demo/chart.png").read_bytes()
    write(tmp_path, "templates/img/seal.png", "")
    (tmp_path / "templates/img/seal.png").write_bytes(png)
    write(tmp_path, "templates/img/fake.png", "secret: annex\n")
    write(tmp_path, "templates/css/extra.css", "p { color: black }\n")
    (tmp_path / "templates/link").symlink_to(tmp_path / "content")
    urls = ["../content/briefs/demo/brief.yaml", "../content/briefs/demo/chart.png",
            "messages/en.yaml", "fonts/fonts.conf", "base.html.j2", "img/fake.png",
            "link/briefs/demo/chart.png", "data:text/plain,secret%20annex"]
    page = ('<html lang="en"><head><link rel="stylesheet" href="css/extra.css">'
            f'<link rel="stylesheet" href="{urls[0]}"></head><body><p>x</p>'
            '<img alt="seal" src="img/seal.png">'
            + "".join(f'<img alt="i" src="{u}">' for u in urls[1:]) + "</body></html>")
    result = PdfRenderer(tmp_path / "content").render(page)
    templates, bundled = tmp_path / "templates", Path(__file__).parents[1] / "templates"
    assert result.refused == [
        (tmp_path / "content/briefs/demo/brief.yaml").as_uri(),
        (tmp_path / "content/briefs/demo/chart.png").as_uri(),
        (bundled / "messages/en.yaml").as_uri(), (bundled / "fonts/fonts.conf").as_uri(),
        (bundled / "base.html.j2").as_uri(), (templates / "img/fake.png").as_uri(),
        (tmp_path / "content/briefs/demo/chart.png").as_uri(),
        "data:text/plain,secret%20annex"]
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        images = [k for page in pdf.pages for k in page.get_images()]
    assert len(images) == 1  # the seal


@pytest.mark.parametrize(("name", "data", "served"), [
    ("seal.png", (VALID / "content/briefs/demo/chart.png").read_bytes(), True),
    ("seal.png", b"secret: annex\n", False),
    ("clip.webp", b"RIFF\x10\x00\x00\x00WAVEfmt ", False),
    ("page.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", True),
    ("print.css", b"p { color: black }\n", True),
    ("print.css", b"p {}\0\x01binary", False),
    ("house.woff2", b"wOF2\x00\x01", True),
    ("notes.yaml", b"a: b\n", False),
    ("refs.json", b"[]", False),
    ("style.csl", b"<style/>", False),
    ("base.html.j2", b"<html>", False),
])
def test_an_asset_is_known_by_its_name_and_first_bytes(tmp_path: Path, name: str, data: bytes,
                                                       served: bool) -> None:
    from briefgen.publish.pdf import is_asset

    (tmp_path / name).write_bytes(data)
    assert is_asset(tmp_path / name) is served


def test_a_stylesheet_loading_a_content_file_fails_the_build(project: Path) -> None:
    write(project, "templates/css/print.css",
          (Path(__file__).parents[1] / "templates/css/print.css").read_text(encoding="utf-8")
          + '\n@font-face { font-family: X; src: url("../content/briefs/demo/brief.yaml") }\n')
    code, stderr = build(project)
    assert code == 1
    assert stderr == ("demo/public/en/demo-public-en.pdf: the PDF tried to load "
                      "content/briefs/demo/brief.yaml; a page loads only the theme's "
                      "stylesheets, fonts and images (templates/), never a content file nor "
                      "anything outside the project\nbriefgen: 1 error in 1 file\n")
    assert not (project / "build").exists()


# -- (3) a PDF holding a file briefgen did not attach: BG370; every embedded file guarded -------


@pytest.fixture
def no_page_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page check (2) off, to show the check of the rendered PDF (3) alone."""
    monkeypatch.setattr(embedded, "asks", lambda root: [])


@pytest.mark.parametrize(("template", "variant", "where"), [
    (EXTENDS + '{% block footer %}<a rel="attachment" href="css/print.css">.</a>'
     '{% endblock %}\n', "pdf/ua-1", "a FileAttachment annotation on page 2"),
    (EXTENDS + '{% block footer %}{{ super() }}<div class="att"><a rel="attachment" '
     'href="css/print.css">.</a></div>{% endblock %}{% block head_extras %}' + MARGIN_STYLE
     + "{% endblock %}\n", "pdf/ua-1", "a FileAttachment annotation on page 2"),
    (EXTENDS + '{% block head_extras %}<link rel="attachment" href="css/print.css">'
     '{% endblock %}\n', "pdf/a-3u", "the document's attachments"),
], ids=["body", "margin", "document"])
def test_a_pdf_embedding_a_file_briefgen_did_not_attach_is_not_written(
        project: Path, no_page_check: None, template: str, variant: str, where: str) -> None:
    """A stylesheet of the theme is what the fetcher would serve: embedded all the same,
    it is found in the rendered PDF."""
    write(project, BASE, template)
    code, stderr = build(project, "--pdf-variant", variant)
    assert code == 1
    assert (f"demo/public/en/demo-public-en.pdf: the PDF embeds a file briefgen did not "
            f"attach: print.css ({where}) (a template or stylesheet made WeasyPrint embed it; "
            "briefgen attaches files only to archival PDFs, made from the edition)"
            ) in stderr, stderr
    assert not (project / "build").exists()


def with_annotation_file(data: bytes, name: str, content: bytes) -> bytes:
    """A PDF with a FileAttachment annotation on its first page, as WeasyPrint writes one."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        stream = pdf.make_stream(content, Type=pikepdf.Name.EmbeddedFile)
        spec = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Filespec, F=pikepdf.String(name), UF=pikepdf.String(name),
            EF=pikepdf.Dictionary(F=stream)))
        annot = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment,
            Rect=[0, 0, 10, 10], FS=spec))
        page = pdf.pages[0].obj
        page.Annots = pikepdf.Array([*page.get("/Annots", []), annot])
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def test_every_embedded_file_is_read_and_guarded(project: Path) -> None:
    """A kept PDF is guarded from its bytes: a page's FileAttachment annotation is a surface
    as the document's attachments are, and the guard's version changed with it."""
    code, stderr = build(project)
    assert code == 0, stderr
    data = (project / PDF).read_bytes()
    tampered = with_annotation_file(data, "brief.yaml", b"text: the secret annex\n")
    surfaces = pdf_document_surfaces(Texts(data=tampered))
    assert "the secret annex" in surfaces["PDF attachments"]
    assert "PDF attachments" not in pdf_document_surfaces(Texts(data=data))
    [found] = embedded.foreign(tampered, ())
    assert (found.name, found.where, found.data) == (
        "brief.yaml", "a FileAttachment annotation on page 1", b"text: the secret annex\n")
    assert embedded.foreign(data, ()) == []
    # a kept file is re-guarded when the guard changes: its new surface is read then
    (project / PDF).write_bytes(tampered)
    manifest = project / "build/manifest.json"
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    [entry] = [a for a in entries["artifacts"] if a["path"] == PDF.removeprefix("build/")]
    entry.update(sha256=hashlib.sha256(tampered).hexdigest(), bytes=len(tampered),
                 guard="an older guard")
    manifest.write_text(json.dumps(entries), encoding="utf-8")
    code, stderr = build(project)
    assert code == 1
    assert ("forbidden phrase 'secret annex' for audience public appears in "
            "demo/public/en/demo-public-en.pdf (PDF attachments)") in stderr, stderr


# -- serve's PDF preview ------------------------------------------------------------------------


def test_serve_refuses_a_pdf_asking_for_an_attachment(
        project: Path, preview: Callable[[str], tuple[int, str, str]]) -> None:
    write(project, BASE, MARGIN_LINK)
    status, kind, page = preview("/demo/public/en/pdf/demo-public-en.pdf")  # the frame's
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert html.escape('a page may not ask for a file attachment: <a rel="attachment" '
                       'href="../content/briefs/demo/brief.yaml">') in page


def test_serve_refuses_a_pdf_loading_a_content_file(
        project: Path, preview: Callable[[str], tuple[int, str, str]]) -> None:
    write(project, BASE, EXTENDS + '{% block footer %}<img alt="x" '
          'src="../content/briefs/demo/chart.png">{% endblock %}\n')
    status, kind, page = preview("/demo/public/en/pdf/demo-public-en.pdf")  # the frame's
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert html.escape("the PDF tried to load content/briefs/demo/chart.png; a page loads "
                       "only the theme's stylesheets, fonts and images") in page
