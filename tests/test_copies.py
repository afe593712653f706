"""Numbered copies (`briefgen issue`, `briefgen trace`): three recipient copies of each
shipped edition differ from it and from each other only in their stamps, stay PDF/UA-tagged,
pass qpdf --check, and trace names each recipient from the PDF and from pdftotext's text;
the recipients file is read strictly; the stamp is guarded like the edition."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import page
import pikepdf
import pytest

from briefgen.publish import guard
from briefgen.publish.pdftext import page_text, pdf_surfaces
from briefgen.publish.pdfua import check as pdfua_check
from briefgen.publish.stamp import Stamp, check_char, hidden_mark, read_hidden, stamp, valid_serial
from briefgen.publish.stampfont import GlyphSource

from conftest import REPO, run

UA = page.ValidationProfile.PDF_UA_1
BRIEF = "rok-us-alliance-modernization"
EDITIONS = [("beijing-outreach", "en"), ("beijing-outreach", "zh-Hans"), ("rok-public", "en"),
            ("rok-public", "ko"), ("us-government", "en")]
RECIPIENTS = ("name,organisation,email\n"
              "Hong Gil-dong,Ministry of Foreign Affairs,hong@example.org\n"
              "\"Kim, Min-ji\",국가안보전략연구원,\n"
              "王小明,外交部,wang@example.cn\n")
NAMES = ["Hong Gil-dong", "Kim, Min-ji", "王小明"]
STAMP_START = b"Q\nq /Artifact <</Type /Pagination /Subtype /Footer>> BDC\n"


def edition_pdf(build: Path, audience: str, lang: str) -> Path:
    return build / BRIEF / audience / lang / f"{BRIEF}-{audience}-{lang}.pdf"


@pytest.fixture(scope="module")
def issued(shipped_build: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> tuple[Path, Path]:
    """Three copies of each shipped edition: (the build folder, the ledger)."""
    work = tmp_path_factory.mktemp("copies")
    build = work / "build"  # a copy: other tests read every file of the shipped build
    shutil.copytree(shipped_build, build)
    (work / "r.csv").write_text(RECIPIENTS, encoding="utf-8")
    ledger = work / "copies.json"
    for audience, lang in EDITIONS:
        result = run("issue", str(edition_pdf(build, audience, lang)), "--recipients",
                     str(work / "r.csv"), "--ledger", str(ledger), project=REPO)
        assert result.exit_code == 0, result.output + result.stderr
        assert result.stderr.endswith("briefgen: 3 copies written and recorded in the "
                                      "ledger\n")
    return build, ledger


def copies_of(ledger: Path, audience: str, lang: str) -> list[dict[str, str]]:
    data = json.loads(ledger.read_text(encoding="utf-8"))
    return [c for c in data["copies"] if f"/{audience}/{lang}/" in c["edition"]]


def structure(obj: Any, pages: dict[tuple[int, int], int], depth: int = 0) -> Any:
    """A structure element as plain data: its type, texts, language, page and kids."""
    if isinstance(obj, pikepdf.Array):
        return [structure(o, pages, depth + 1) for o in obj]
    if isinstance(obj, pikepdf.Dictionary) and depth < 300:
        out: dict[str, Any] = {}
        for key in ("/S", "/Lang", "/Alt", "/ActualText", "/E", "/T", "/MCID", "/Type"):
            if key in obj:
                out[key] = str(obj[key])
        if "/Pg" in obj:
            out["/Pg"] = pages[obj["/Pg"].objgen]
        if "/K" in obj:
            out["/K"] = structure(obj["/K"], pages, depth + 1)
        return out
    return str(obj)


def streams(page: pikepdf.Page) -> list[bytes]:
    contents = page.obj["/Contents"]
    items = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    return [bytes(s.read_bytes()) for s in items]


def tree(pdf: pikepdf.Pdf) -> Any:
    pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
    return structure(pdf.Root["/StructTreeRoot"]["/K"], pages)


@pytest.mark.parametrize(("audience", "lang"), EDITIONS)
def test_three_copies_differ_from_the_edition_only_in_their_stamps(
        issued: tuple[Path, Path], audience: str, lang: str) -> None:
    build, ledger = issued
    edition = edition_pdf(build, audience, lang).read_bytes()
    copies = copies_of(ledger, audience, lang)
    assert sorted(c["name"] for c in copies) == sorted(NAMES)
    stamps = set()
    with pikepdf.open(io.BytesIO(edition)) as original:
        pages = [streams(p) for p in original.pages]
        structure_tree = tree(original)
        for copy in copies:
            data = (build / copy["file"]).read_bytes()
            assert copy["sha256"] == hashlib.sha256(data).hexdigest()
            with pikepdf.open(io.BytesIO(data)) as pdf:
                assert len(pdf.pages) == len(pages)
                for page, before in zip(pdf.pages, pages, strict=True):
                    after = streams(page)
                    # a q in front, the page's own streams unchanged, the stamp after
                    assert after[0] == b"q\n" and after[1:-1] == before
                    assert after[-1].startswith(STAMP_START)
                    assert after[-1].endswith(b"ET EMC Q\n")
                    stamps.add(after[-1])
                assert tree(pdf) == structure_tree
                assert pdf.docinfo["/BriefgenCopy"] == copy["serial"]
                assert str(pdf.docinfo["/BriefgenRecipient"]).startswith(copy["name"])
                assert copy["serial"] in pdf.open_metadata()["dc:rights"]
    assert len(stamps) == 3  # one stamp per copy, the same on each of its pages


@pytest.mark.parametrize(("audience", "lang"), EDITIONS)
def test_copies_stay_tagged_pass_qpdf_and_are_traced_from_the_pdf_and_its_text(
        issued: tuple[Path, Path], audience: str, lang: str, tmp_path: Path) -> None:
    build, ledger = issued
    edition = edition_pdf(build, audience, lang).read_bytes()
    for copy in copies_of(ledger, audience, lang):
        path = build / copy["file"]
        data = path.read_bytes()
        assert pdfua_check(data) == pdfua_check(edition)
        # page (PyPI page-validation), an independent PDF/UA-1 checker: as the edition
        assert page.validate_pdf_bytes(edition, profile=UA).is_compliant
        assert [str(f) for f in page.validate_pdf_bytes(data, profile=UA).failures] == []
        qpdf = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True,
                              check=False)
        assert qpdf.returncode == 0, qpdf.stdout + qpdf.stderr
        result = run("trace", str(path), "--ledger", str(ledger), project=REPO)
        assert result.exit_code == 0, result.stderr
        assert result.output.startswith(f"{copy['serial']}: {copy['name']} "
                                        f"({copy['organisation']})")
        assert "(found in: metadata, footer, hidden mark); the file is the copy as " \
               "issued" in result.output
        text = page_text(data)
        pasted = tmp_path / "pasted.txt"
        pasted.write_text(text, encoding="utf-8")
        result = run("trace", str(pasted), "--ledger", str(ledger), project=REPO)
        assert result.exit_code == 0, result.stderr
        assert result.output.startswith(f"{copy['serial']}: {copy['name']} ")
        assert "(found in: footer, hidden mark)" in result.output
        # the footer lines deleted by hand: the hidden mark still names the recipient
        pasted.write_text("\n".join(line for line in text.split("\n") if "№" not in line),
                          encoding="utf-8")
        result = run("trace", str(pasted), "--ledger", str(ledger), project=REPO)
        assert result.exit_code == 0, result.stderr
        assert "(found in: hidden mark)" in result.output


def test_issuing_again_keeps_serials_and_bytes(issued: tuple[Path, Path],
                                               tmp_path: Path) -> None:
    build, ledger = issued
    before = ledger.read_bytes()
    files = {c["file"]: (build / c["file"]).read_bytes()
             for c in copies_of(ledger, "us-government", "en")}
    csv = tmp_path / "r.csv"
    csv.write_text(RECIPIENTS, encoding="utf-8")
    result = run("issue", str(edition_pdf(build, "us-government", "en")), "--recipients",
                 str(csv), "--ledger", str(ledger), "-q", project=REPO)
    assert result.exit_code == 0, result.stderr
    assert ledger.read_bytes() == before
    assert {f: (build / f).read_bytes() for f in files} == files


def test_the_same_serial_gives_the_same_bytes() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    buffer = io.BytesIO()
    pdf.save(buffer)
    source = GlyphSource("ko")
    mark = Stamp("K7M2-Q9XD-" + check_char("K7M2Q9XD"), "홍길동", "외교부")
    assert stamp(buffer.getvalue(), mark, source) == stamp(buffer.getvalue(), mark,
                                                           GlyphSource("ko"))


def test_trace_of_an_edition_that_is_no_copy_fails(shipped_build: Path) -> None:
    path = edition_pdf(shipped_build, "us-government", "en")
    result = run("trace", str(path), project=REPO)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path.as_posix()}: no copy serial found: neither the footer '№ …' of a numbered "
        "copy, nor its hidden mark, nor its metadata (not a numbered copy, or its marks were "
        "removed)\nbriefgen: 1 error in 1 file\n")


def test_trace_names_a_serial_missing_from_the_ledger(issued: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    build, ledger = issued
    copy = copies_of(ledger, "rok-public", "ko")[0]
    result = run("trace", str(build / copy["file"]), "--ledger", str(tmp_path / "none.json"),
                 project=REPO)
    assert result.exit_code == 1
    assert f"serial {copy['serial']} (metadata, footer, hidden mark) is in no ledger of " \
           "copies (give the ledger with --ledger)" in result.stderr


def test_text_of_two_copies_is_reported(issued: tuple[Path, Path], tmp_path: Path) -> None:
    build, ledger = issued
    a, b = copies_of(ledger, "rok-public", "en")[:2]
    text = page_text((build / a["file"]).read_bytes()) + page_text(
        (build / b["file"]).read_bytes())
    pasted = tmp_path / "two.txt"
    pasted.write_text(text, encoding="utf-8")
    result = run("trace", str(pasted), "--ledger", str(ledger), project=REPO)
    assert result.exit_code == 1
    assert "marks of 2 different copies" in result.stderr


def test_a_serial_with_one_wrong_character_is_refused() -> None:
    body = "K7M2Q9XD"
    serial = f"{body[:4]}-{body[4:]}-{check_char(body)}"
    assert valid_serial(serial)
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    for i in [0, 1, 2, 3, 5, 6, 7, 8, 10]:
        for c in alphabet:
            if c != serial[i]:
                changed = serial[:i] + c + serial[i + 1:]
                value = alphabet.index(c) - alphabet.index(serial[i])
                if i == 10 or abs(value) != 31:
                    assert not valid_serial(changed), changed
    assert read_hidden("x" + hidden_mark(serial) + "y") == [serial]


# -- the recipients file -----------------------------------------------------------------------

CSV_CASES = [
    ("name,org\nA,B\n", "r.csv:1:1: the header is 'name,org'; it must be 'name,organisation' or "
     "'name,organisation,email'"),
    ("", "r.csv:1:1: no header: the first line must be 'name,organisation' or "
     "'name,organisation,email'"),
    ("name,organisation\n", "r.csv:1:1: no recipients after the header"),
    ("name,organisation\nA,B,C\n", "r.csv:2:1: 3 fields; the header names 2 "
     "(name,organisation)"),
    ("name,organisation\n ,B\n", "r.csv:2:1: name is empty"),
    ("name,organisation\nA,\n", "r.csv:2:1: organisation is empty"),
    ("name,organisation\nA\u202eB,C\n", "r.csv:2:1: name holds the character U+202E at "
     "position 2 (only visible characters and spaces)"),
    ("name,organisation\nA,B\u200bC\n", "r.csv:2:1: organisation holds the character U+200B "
     "at position 2 (only visible characters and spaces)"),
    ("name,organisation\n\"A\nB\",C\nD,E\n", "r.csv:2:1: a quoted field runs on to line 3 (a "
     "field may not hold a line break)"),
    ("name,organisation\nA № K7M2-Q9XD-4,C\n", "r.csv:2:1: name holds the character U+2116 "
     "at position 3 (only visible characters and spaces)"),
    ("name,organisation\n" + "A" * 81 + ",C\n", "r.csv:2:1: name is 81 characters long; at "
     "most 80"),
    ("name,organisation,email\nA,B,not-an-address\n", "r.csv:2:1: 'not-an-address' is not an "
     "email address"),
    ("name,organisation\nHong Gil-dong,MOFA\nx,y\nHONG  GIL-DONG,ｍｏｆａ\n",
     "r.csv:4:1: HONG  GIL-DONG (ｍｏｆａ) is listed twice (first on line 2)"),
    ("name,organisation\n\"A\"B,C\n", "r.csv:2:1: not valid CSV: ',' expected after '\"' "
     "(quote a field that holds a comma with double quotes)"),
]


@pytest.mark.parametrize(("text", "message"), CSV_CASES)
def test_recipients_file_errors(shipped_build: Path, tmp_path: Path, text: str,
                                message: str) -> None:
    csv = tmp_path / "r.csv"
    csv.write_text(text, encoding="utf-8")
    ledger = tmp_path / "copies.json"
    result = run("issue", str(edition_pdf(shipped_build, "us-government", "en")),
                 "--recipients", str(csv), "--ledger", str(ledger), project=REPO)
    assert result.exit_code == 1
    shown = csv.as_posix()
    assert result.stderr.splitlines()[0] == message.replace("r.csv", shown, 1)
    assert not ledger.exists()


def test_recipients_file_that_is_not_utf8(shipped_build: Path, tmp_path: Path) -> None:
    csv = tmp_path / "r.csv"
    csv.write_bytes(b"name,organisation\nJos\xe9,B\n")
    result = run("issue", str(edition_pdf(shipped_build, "us-government", "en")),
                 "--recipients", str(csv), "--ledger", str(tmp_path / "l.json"), project=REPO)
    assert result.exit_code == 1
    assert f"{csv.as_posix()}:2:1: not valid UTF-8 (byte 0xe9) (save the file as UTF-8)" \
        in result.stderr


def test_a_name_without_glyphs_is_refused_at_its_line(shipped_build: Path,
                                                      tmp_path: Path) -> None:
    csv = tmp_path / "r.csv"
    csv.write_text("name,organisation\nA,B\n\u0645\u0631\u064a\u0645,C\n", encoding="utf-8")
    result = run("issue", str(edition_pdf(shipped_build, "us-government", "en")),
                 "--recipients", str(csv), "--ledger", str(tmp_path / "l.json"), project=REPO)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{csv.as_posix()}:3:1: no glyph for U+0631 'ر', U+0645 'م', U+064A 'ي' in the "
        "stamp's font (write the name in Latin, Hangul, Han or Kana letters)\n"
        "briefgen: 1 error in 1 file\n")


# -- the guard ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Alliance Modernization Office", "ALLIANCE-modernization",
                                  "동맹  현대화 연구회", "Alliance Ｍodernization"])
def test_a_forbidden_phrase_in_a_stamp_is_refused_and_nothing_written(
        shipped_build: Path, tmp_path: Path, name: str) -> None:
    """rok-public must never read 'alliance modernization': not in a recipient's stamp
    either, however it is cased, spaced or width-varied."""
    csv = tmp_path / "r.csv"
    csv.write_text(f"name,organisation\nA,B\n{name},C\n", encoding="utf-8")
    ledger = tmp_path / "copies.json"
    before = sorted(p for p in shipped_build.rglob("*") if "copies" in p.parts)
    result = run("issue", str(edition_pdf(shipped_build, "rok-public", "ko")),
                 "--recipients", str(csv), "--ledger", str(ledger), project=REPO)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{csv.as_posix()}:3:1: forbidden phrase ")
    assert "for audience rok-public would appear in this recipient's stamp" in result.stderr
    assert not ledger.exists()
    assert sorted(p for p in shipped_build.rglob("*") if "copies" in p.parts) == before


def test_the_guard_reads_the_stamp_of_a_copy(shipped_build: Path) -> None:
    """The copy's own text is guarded too: a stamp that got past the recipients check
    would be found in the PDF text a reader gets."""
    data = edition_pdf(shipped_build, "rok-public", "en").read_bytes()
    copy = stamp(data, Stamp("K7M2-Q9XD-" + check_char("K7M2Q9XD"), "Alliance Modernization",
                             "C"), GlyphSource("en"))
    from briefgen.content.project import load_project
    from briefgen.edition.resolve import resolve
    from briefgen.errors import Problems

    edition = resolve(load_project(REPO), BRIEF, "rok-public", "en", "print", Problems())
    assert guard.scan(edition, pdf_surfaces(data)) == []
    leaks = guard.scan(edition, pdf_surfaces(copy))
    assert {(leak.phrase, leak.where) for leak in leaks} >= {
        ("alliance modernization", "PDF text"), ("alliance modernization", "PDF metadata")}


# -- the edition -------------------------------------------------------------------------------

def test_a_changed_edition_is_not_stamped(shipped_build: Path, tmp_path: Path) -> None:
    build = tmp_path / "build"
    shutil.copytree(shipped_build, build)
    pdf = edition_pdf(build, "us-government", "en")
    data = bytearray(pdf.read_bytes())
    data[-10] ^= 1
    pdf.write_bytes(bytes(data))
    csv = tmp_path / "r.csv"
    csv.write_text(RECIPIENTS, encoding="utf-8")
    result = run("issue", str(pdf), "--recipients", str(csv), "--ledger",
                 str(tmp_path / "l.json"), project=REPO)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{pdf.as_posix()}: its sha256 is ")
    assert "of manifest.json: it changed since it was built; nothing was issued (run " \
           "briefgen build)" in result.stderr
    assert not (build / "copies").exists()


def test_a_file_outside_a_build_is_refused(tmp_path: Path, shipped_build: Path) -> None:
    pdf = tmp_path / "some.pdf"
    shutil.copy(edition_pdf(shipped_build, "us-government", "en"), pdf)
    csv = tmp_path / "r.csv"
    csv.write_text(RECIPIENTS, encoding="utf-8")
    result = run("issue", str(pdf), "--recipients", str(csv), project=REPO)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{pdf.as_posix()}: not an edition of a build: no "
                                    "manifest.json above it lists it")


def test_a_copy_cannot_be_stamped_again(issued: tuple[Path, Path]) -> None:
    build, ledger = issued
    copy = (build / copies_of(ledger, "us-government", "en")[0]["file"]).read_bytes()
    from briefgen.publish.stamp import StampError

    with pytest.raises(StampError, match="it is a stamped copy, not an edition"):
        stamp(copy, Stamp("K7M2-Q9XD-" + check_char("K7M2Q9XD"), "A", "B"), GlyphSource("en"))


def test_a_stale_edition_is_not_stamped(project: Path, tmp_path: Path) -> None:
    """The content changed after the build: the built PDF is no longer the edition."""
    out = tmp_path / "build"
    result = run("build", "--out", str(out), "--audience", "officials", "--format", "pdf",
                 "-q", project=project)
    assert result.exit_code == 0, result.stderr
    brief = project / "content" / "briefs" / "demo" / "brief.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "subtitle: Every construct", "subtitle: Each construct", 1), encoding="utf-8")
    csv = tmp_path / "r.csv"
    csv.write_text(RECIPIENTS, encoding="utf-8")
    pdf = out / "demo" / "officials" / "en" / "demo-officials-en.pdf"
    result = run("issue", str(pdf), "--recipients", str(csv), "--ledger",
                 str(tmp_path / "l.json"), project=project)
    assert result.exit_code == 1
    assert result.stderr == (
        "demo/officials/en/demo-officials-en.pdf: stale: the content or templates changed "
        "since this edition was built; nothing was issued (run briefgen build first)\n"
        "briefgen: 1 error in 1 file\n")
    assert not (out / "copies").exists()


def test_a_serial_read_from_paper_is_traced_from_standard_input(
        issued: tuple[Path, Path]) -> None:
    from click.testing import CliRunner

    from briefgen.cli import main

    _, ledger = issued
    copy = copies_of(ledger, "beijing-outreach", "zh-Hans")[0]
    result = CliRunner().invoke(main, ["trace", "-", "--ledger", str(ledger), "--project",
                                       str(REPO)], input=f"№ {copy['serial']}\n")
    assert result.exit_code == 0, result.stderr
    assert result.output == (f"{copy['serial']}: {copy['name']} ({copy['organisation']})"
                             + (f" <{copy['email']}>" if copy["email"] else "")
                             + f", copy of {copy['edition']} issued {copy['issued']} "
                             "(found in: footer)\n")
    typo = copy["serial"][:-1] + ("0" if copy["serial"][-1] != "0" else "1")
    result = CliRunner().invoke(main, ["trace", "-", "--ledger", str(ledger), "--project",
                                       str(REPO)], input=f"№ {typo}\n")
    assert result.exit_code == 1
    assert "no copy serial found" in result.stderr
