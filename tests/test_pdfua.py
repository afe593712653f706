"""briefgen's PDF/UA checker (briefgen/publish/pdfua.py): each check on a small PDF broken on
purpose, then the shipped and fixture PDFs against the frozen list of defects still open."""

from __future__ import annotations

import io
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from briefgen.publish.pdfua import Finding, check

from conftest import VALID, run
from test_shipped import EDITIONS, artifact

# -- a small tagged PDF, built to order ------------------------------------------------------

Spec = tuple[str, dict[str, Any], list[Any]]  # (structure type, entries, kids: Spec | text)
GLYPHS = {"한": 0x80, "国": 0x81}  # beyond ASCII, the test font draws these two


def el(kind: str, *kids: Spec | str, **entries: Any) -> Spec:
    return (kind, entries, list(kids))


def pdf_value(value: Any) -> Any:
    """Plain data as PDF objects: a dict's keys and a "/Name" as names, other text as strings."""
    if isinstance(value, dict):
        return Dictionary({f"/{k}": pdf_value(v) for k, v in value.items()})
    if isinstance(value, list):
        return Array([pdf_value(v) for v in value])
    if isinstance(value, str):
        return Name(value) if value.startswith("/") else String(value)
    return value


def encode(text: str) -> bytes:
    return bytes(GLYPHS.get(c, ord(c) if " " <= c <= "~" else 0xFF) for c in text)


def font(pdf: pikepdf.Pdf, *, embedded: bool = True, to_unicode: bool = True) -> Dictionary:
    descriptor = Dictionary(Type=Name.FontDescriptor, FontName=Name("/Test"), Flags=32,
                            FontBBox=[0, 0, 500, 700], ItalicAngle=0, Ascent=700,
                            Descent=0, CapHeight=700, StemV=80)
    if embedded:
        descriptor.FontFile2 = pdf.make_stream(b"(a font program)")
    entries = Dictionary(Type=Name.Font, Subtype=Name.TrueType, BaseFont=Name("/Test"),
                         FirstChar=32, LastChar=255, Widths=[500] * 224,
                         FontDescriptor=pdf.make_indirect(descriptor))
    if to_unicode:
        pairs = [f"<{c:02X}> <{c:04X}>" for c in range(0x20, 0x7F)]
        pairs += [f"<{code:02X}> <{ord(char):04X}>" for char, code in GLYPHS.items()]
        entries.ToUnicode = pdf.make_stream(
            ("begincmap\n1 begincodespacerange <00> <FF> endcodespacerange\n"
             f"{len(pairs)} beginbfchar\n" + "\n".join(pairs) + "\nendbfchar\nendcmap\n")
            .encode())
    return pdf.make_indirect(entries)


def make(tree: Spec | None = None, *, lang: str | None = "en", title: str | None = "A brief",
         display_title: bool | None = True, ua_id: bool = True, metadata: bool = True,
         embedded: bool = True, to_unicode: bool = True, tabs: str | None = "/S",
         before: bytes = b"", after: bytes = b"", orphans: int = 0,
         role_map: dict[str, str] | None = None) -> bytes:
    """A one-page PDF tagged as `tree` says, each text drawn in its own marked sequence;
    every keyword breaks one thing (`before`/`after`: raw content around the tagged)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(612, 792))
    page = pdf.pages[0]
    page.obj.Resources = Dictionary(Font=Dictionary(F1=font(pdf, embedded=embedded,
                                                            to_unicode=to_unicode)))
    stream: list[bytes] = [before]
    parents: list[pikepdf.Object] = []
    annots: list[pikepdf.Object] = []
    links: list[pikepdf.Object] = []  # the Link element of each annotation
    ids: dict[str, pikepdf.Object] = {}
    refs: list[tuple[pikepdf.Object, list[str]]] = []

    def draw(text: str, tag: str) -> int:
        mcid = len(parents) + orphans
        y = 700 - 14 * mcid
        stream.append(f"/{tag} <</MCID {mcid}>> BDC BT /F1 10 Tf 72 {y} Td <".encode()
                      + encode(text).hex().encode() + b"> Tj ET EMC\n")
        return mcid

    def build(spec: Spec, parent: pikepdf.Object) -> pikepdf.Object:
        kind, entries, kids = spec
        elem = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + kind),
                                            P=parent, Pg=page.obj, K=Array()))
        for key, value in entries.items():
            if key == "Ref":
                refs.append((elem, value))
            elif key not in ("contents", "objr"):
                elem[f"/{key}"] = pdf_value(value)
        if kind == "Note" and "ID" in entries:
            ids.setdefault(entries["ID"], elem)
        for kid in kids:
            if isinstance(kid, str):
                elem.K.append(draw(kid, "Span" if kind == "Link" else kind))
                parents.append(elem)
            else:
                elem.K.append(build(kid, elem))
        if kind == "Link":
            annot = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link,
                                                 Rect=[72, 600, 200, 614],
                                                 StructParent=1 + len(annots)))
            if entries.get("contents", True):
                annot.Contents = String("Go to the summary")
            annots.append(annot)
            links.append(elem)
            if entries.get("objr", True):
                elem.K.append(Dictionary(Type=Name.OBJR, Obj=annot, Pg=page.obj))
        return elem

    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    if tree is not None:
        root.K = Array([build(tree, root)])
        for elem, names in refs:
            elem.Ref = Array([ids[n] for n in names])
        nums = Array([0, Array([None] * orphans + parents)])
        for number, link in enumerate(links, 1):
            nums.extend([number, link])
        root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
        if role_map:
            root.RoleMap = Dictionary({f"/{k}": Name(f"/{v}") for k, v in role_map.items()})
        pdf.Root.StructTreeRoot = root
        pdf.Root.MarkInfo = Dictionary(Marked=True)
    page.obj.StructParents = 0
    if annots:
        page.obj.Annots = Array(annots)
    if tabs:
        page.obj.Tabs = Name(tabs)
    page.obj.Contents = pdf.make_stream(b"".join(stream) + after)
    if lang is not None:
        pdf.Root.Lang = String(lang)
    if display_title is not None:
        pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=display_title)
    if metadata:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            if title:
                meta["dc:title"] = title
            if ua_id:
                meta["pdfuaid:part"] = "1"
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def found(data: bytes) -> list[tuple[str, str]]:
    return [(f.checkpoint, f.message) for f in check(data)]


GOOD = el("Document",
          el("H1", "Allies"),
          el("P", "Text with a ", el("Link", "link"), "."),
          el("L", el("LI", el("Lbl", "1."), el("LBody", "An item",
                                               el("L", el("LI", el("LBody", "nested")))))),
          el("Table", el("TR", el("TH", "Year", A={"O": "/Table", "Scope": "/Column"}),
                         el("TH", "Cost", ID="c", A={"O": "/Table"})),
             el("TR", el("TD", "2024", A={"O": "/Table"}),
                el("TD", "1.4", A={"O": "/Table", "Headers": ["c"]}))),
          el("Figure", "chart", Alt="Costs rose from 2014 to 2024"),
          el("H2", "Notes"),
          el("P", "A claim", el("Reference", "1", Ref=["n1"])),
          el("Note", el("Lbl", "1."), " A source", ID="n1"),
          el("TOC", el("TOCI", el("Reference", el("Link", "Summary")))),
          el("P", "Hangul ", el("Span", "한", Lang="ko"), " in English"))


def test_a_sound_pdf_has_no_findings() -> None:
    assert check(make(GOOD)) == []


def test_a_finding_names_checkpoint_message_and_place() -> None:
    data = make(el("Document", el("H1", "A"), el("Sect", el("H3", "C"))))
    assert check(data) == [Finding("14-003", "heading level skipped: H1 to H3",
                                   "Document>Sect>H3")]


# -- content: tagged, artifact, or neither (01-00x) -------------------------------------------

def test_untagged_content_is_01_005() -> None:
    assert found(make(GOOD, after=b"BT /F1 10 Tf 72 72 Td (loose) Tj ET\n")) == [
        ("01-005", "content neither tagged nor an Artifact")]
    assert found(make(GOOD, after=b"0 0 10 10 re f\n")) == [
        ("01-005", "content neither tagged nor an Artifact")]
    # an artifact, or a path never painted, is fine
    assert found(make(GOOD, after=b"/Artifact BMC 0 0 10 10 re f EMC 0 0 5 5 re n\n")) == []


def rewrite(data: bytes, change: Any) -> bytes:
    """The PDF with `change(pdf)` applied."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def test_parent_tree_naming_another_element_is_01_005() -> None:
    """A reader goes from content to its element through the parent tree: an entry that
    names an element other than the one holding the content (what moving elements without
    updating it gives) is found, for marked content and for a link's annotation."""
    def swap_content(pdf: pikepdf.Pdf) -> None:
        page = pdf.Root.StructTreeRoot.ParentTree.Nums[1]
        page[0], page[1] = page[1], page[0]

    def misplace_annotation(pdf: pikepdf.Pdf) -> None:
        pdf.Root.StructTreeRoot.ParentTree.Nums[3] = pdf.Root.StructTreeRoot.K[0]

    def truncate(pdf: pikepdf.Pdf) -> None:
        del pdf.Root.StructTreeRoot.ParentTree.Nums[1][-1]

    assert found(rewrite(make(GOOD), swap_content)) == [
        ("01-005", "marked content the parent tree maps to another element than the one "
                   "holding it")]
    assert found(rewrite(make(GOOD), truncate)) == [
        ("01-005", "marked content the parent tree maps to another element than the one "
                   "holding it")]
    assert found(rewrite(make(GOOD), misplace_annotation)) == [
        ("01-005", "an annotation the parent tree maps to another element than the one "
                   "holding its OBJR")]


def test_marked_content_no_element_holds_is_01_005() -> None:
    """A running header WeasyPrint tags but leaves out of the tree (margin boxes)."""
    data = make(GOOD, orphans=1, before=b"/P <</MCID 0>> BDC BT /F1 8 Tf 72 770 Td "
                b"(Page 1 of 1) Tj ET EMC\n")
    assert found(data) == [
        ("01-005", "marked content that no element of the structure tree holds")]


def test_an_unstructured_pdf_is_01_005() -> None:
    assert ("01-005", "no structure tree: nothing is tagged") in found(make(None))


def test_artifact_and_tagged_content_do_not_nest() -> None:
    assert found(make(GOOD, after=b"/Artifact BMC /P <</MCID 99>> BDC 0 0 1 1 re f EMC EMC\n")
                 ) == [("01-004", "tagged content inside an Artifact"),
                       ("01-005", "marked content that no element of the structure tree holds")]
    broken = make(el("Document", el("P", "x")),
                  after=b"/P <</MCID 0>> BDC /Artifact BMC 0 0 1 1 re f EMC EMC\n")
    assert found(broken) == [("01-003", "an Artifact inside tagged content")]


def test_structure_types_must_map_to_standard_ones() -> None:
    tree = el("Document", el("Para", "x"), el("Aside", "y"))
    assert found(make(tree, role_map={"Para": "P"})) == [
        ("01-006", "structure type Aside maps to no standard type")]


# -- document: metadata, title, language (06, 07, 11-006) --------------------------------------

@pytest.mark.parametrize(("broken", "finding"), [
    ({"metadata": False}, ("06-001", "no XMP metadata stream")),
    ({"ua_id": False}, ("06-002", "XMP metadata lacks the PDF/UA identifier (pdfuaid:part 1)")),
    ({"title": None}, ("06-003", "XMP metadata has no dc:title")),
    ({"display_title": None}, ("07-001", "ViewerPreferences has no DisplayDocTitle")),
    ({"display_title": False}, ("07-002", "DisplayDocTitle is false: viewers show the file name")),
    ({"lang": None}, ("11-006", "the catalog has no /Lang")),
])
def test_document_level_requirements(broken: dict[str, Any], finding: tuple[str, str]) -> None:
    assert found(make(GOOD, **broken)) == [finding]


def test_suspects_true_is_01_007() -> None:
    pdf = pikepdf.open(io.BytesIO(make(GOOD)))
    pdf.Root.MarkInfo.Suspects = True
    out = io.BytesIO()
    pdf.save(out)
    assert found(out.getvalue()) == [("01-007", "MarkInfo Suspects is true")]


# -- structure: headings, lists, TOC, tables, figures, notes, links ---------------------------

def test_headings_start_at_h1_and_descend_one_level_at_a_time() -> None:
    assert found(make(el("Document", el("H2", "A"), el("H3", "B")))) == [
        ("14-002", "the first heading is H2, not H1")]
    assert found(make(el("Document", el("H1", "A"), el("H2", "B"), el("H4", "C"),
                         el("H2", "D"), el("H3", "E")))) == [
        ("14-003", "heading level skipped: H2 to H4")]


def test_list_structure() -> None:
    tree = el("Document", el("L", el("L", el("LI", el("LBody", "a"))),
                             el("LI", el("Lbl", "-"), el("P", "b"))),
              el("LBody", "c"))
    assert found(make(tree)) == [
        ("09-005", "L directly inside L"),
        ("09-005", "P directly inside LI"),
        ("09-005", "LI without LBody"),
        ("09-005", "LBody inside Document")]


def test_toc_structure() -> None:
    tree = el("Document", el("TOC", el("L", el("LI", el("LBody", "a")))), el("TOCI", "b"))
    assert found(make(tree)) == [("09-006", "L directly inside TOC"),
                                 ("09-006", "TOCI inside Document")]
    # an item holds a label, a reference, a paragraph or a sub-list: not a list body
    tree = el("Document", el("TOC", el("TOCI", el("LBody", el("Link", "a"))),
                             el("TOCI", el("Lbl", "2"), el("P", "b"), el("TOC"))))
    assert found(make(tree)) == [("09-006", "LBody directly inside TOCI"),
                                 ("09-005", "LBody inside TOCI")]


def test_a_label_belongs_to_an_item_a_note_or_an_entry() -> None:
    tree = el("Document", el("P", el("Lbl", "1."), "text"), el("Note", el("Lbl", "2."), "n",
                                                                 ID="n"),
              el("Reference", "2", Ref=["n"]), el("BibEntry", el("Lbl", "[3]"), "Author"))
    assert found(make(tree)) == [("09-005", "Lbl inside P")]


def test_table_structure_and_header_scope() -> None:
    tree = el("Document", el("Table", el("TD", "loose"),
                             el("TR", el("TH", "Year"), el("TH", "Cost", ID="c")),
                             el("TR", el("TD", "2024"), el("TD", "1"))))
    assert found(make(tree)) == [
        ("09-004", "TD directly inside Table"), ("09-004", "TD inside Table"),
        ("15-003", "TH without /Scope, and no cell names it in /Headers"),
        ("15-003", "TH without /Scope, and no cell names it in /Headers")]


def test_a_table_has_header_cells() -> None:
    tree = el("Document", el("Table", el("TR", el("TD", "2024"), el("TD", "1.4"))))
    assert found(make(tree)) == [("15-005", "Table without TH: no cell's header can be "
                                            "determined")]


def test_figure_needs_alt() -> None:
    assert found(make(el("Document", el("Figure", "x")))) == [
        ("13-004", "Figure without /Alt or /ActualText")]
    assert found(make(el("Document", el("Figure", "x", ActualText="A map")))) == []


def test_notes_have_unique_ids_and_a_reference_from_their_call() -> None:
    tree = el("Document", el("P", "a", el("Reference", "1", Ref=["n1"])),
              el("Note", "1. first", ID="n1"), el("Note", "2. second", ID="n1"),
              el("Note", "3. third"))
    assert found(make(tree)) == [
        ("19-004", "Note /ID is not unique"),
        ("19-004", "Note /ID is not unique"),
        ("19-002", "Note that no Reference (its call) points to by /Ref"),
        ("19-003", "Note without /ID"),
        ("19-002", "Note that no Reference (its call) points to by /Ref")]


def test_links_have_contents_an_objr_and_do_not_nest() -> None:
    assert found(make(el("Document", el("Link", "a", contents=False)))) == [
        ("28-012", "link annotation without /Contents")]
    assert found(make(el("Document", el("Link", "a", objr=False)))) == [
        ("28-011", "Link element without an OBJR to its annotation"),
        ("28-011", "link annotation that no Link element holds by OBJR")]
    assert found(make(el("Document", el("Link", "a", el("Link", "b"))))) == [
        ("09-001", "Link inside a Link")]
    assert found(make(el("Document", el("Link", "a")), tabs=None)) == [
        ("28-008", "a page with annotations whose /Tabs is not /S")]
    assert found(make(el("Document", el("Link", "a")), tabs="/R")) == [
        ("28-009", "a page with annotations whose /Tabs is not /S")]


# -- language of passages (11-001) ------------------------------------------------------------

def test_a_passage_in_another_script_needs_its_lang() -> None:
    english = "Ministry of Foreign Affairs, Republic of Korea"
    assert found(make(el("Document", el("P", "한한", el("Span", english))), lang="ko")) == [
        ("11-001", "a Latin-script passage where /Lang is ko")]
    assert found(make(el("Document", el("P", "한한 ", el("Span", english, Lang="en"))),
                      lang="ko")) == []
    # a few acronyms in Korean text are Korean text
    korean = "한" * 14 + " OPCON USFK CFC"
    assert found(make(el("Document", el("P", korean)), lang="ko")) == []
    assert found(make(el("Document", el("P", "the ", el("Span", "한国")), el("P", "x")))) == [
        ("11-001", "CJK text where /Lang is en")]
    # an address is in no language
    assert found(make(el("Document", el("P", "한한 https://www.defense.gov/news x@mail.org")),
                      lang="ko")) == []
    assert found(make(el("Document", el("P", "한한 see the news https://www.defense.gov/")),
                      lang="ko")) == [("11-001", "a Latin-script passage where /Lang is ko")]


# -- fonts (10-001, 31-009) -------------------------------------------------------------------

def test_fonts_are_embedded_and_map_every_code_to_unicode() -> None:
    assert found(make(GOOD, embedded=False)) == [("31-009", "font Test is not embedded")]
    assert found(make(GOOD, to_unicode=False)) == [
        ("10-001", "font Test has no ToUnicode map"),
        ("10-001", "font Test draws a character code its ToUnicode does not map")]
    assert found(make(el("Document", el("P", "a\u00e9b")))) == [
        ("10-001", "font Test draws a character code its ToUnicode does not map")]


def test_a_structure_tree_that_loops_is_walked_once() -> None:
    pdf = pikepdf.open(io.BytesIO(make(GOOD)))
    document = pdf.Root.StructTreeRoot.K[0]
    document.K.append(document)
    out = io.BytesIO()
    pdf.save(out)
    assert check(out.getvalue()) == []


# -- what briefgen ships today: the frozen list of open defects -------------------------------

# Each entry: (checkpoint, message) -> how many times. A defect fixed, or a new one, fails the
# test: update this list and docs/pdfua.md ("Open today") in the same commit. None is open.
SHIPPED_OPEN: dict[tuple[str, str], dict[tuple[str, str], int]] = {
    ("us-government", "en"): {},
    ("rok-public", "en"): {},
    ("rok-public", "ko"): {},
    ("beijing-outreach", "en"): {},
    ("beijing-outreach", "zh-Hans"): {},
}


def counted(data: bytes) -> dict[tuple[str, str], int]:
    return dict(Counter((f.checkpoint, f.message) for f in check(data)))


@pytest.mark.parametrize(("audience", "lang"), EDITIONS)
def test_shipped_pdfs_have_exactly_the_known_open_defects(
        shipped_build: Path, audience: str, lang: str) -> None:
    data = artifact(shipped_build, audience, lang, "pdf").read_bytes()
    assert counted(data) == SHIPPED_OPEN[audience, lang]


FIXTURES_OPEN: dict[str, dict[tuple[str, str], int]] = {
    "officials/en": {},
    "public/en": {},
    "public/ko": {},
    "public/ja": {},
}


def test_fixture_pdfs_have_exactly_the_known_open_defects(project: Path) -> None:
    """tests/data/valid, then with tests/data/fourth-language over it (a Japanese edition)."""
    def found_per_edition() -> dict[str, dict[tuple[str, str], int]]:
        return {f"{p.parent.parent.name}/{p.parent.name}": counted(p.read_bytes())
                for p in sorted((project / "build/demo").glob("*/*/*.pdf"))}

    assert run("build", "-q", project=project).exit_code == 0
    editions = found_per_edition()
    shutil.copytree(VALID.parent / "fourth-language", project, dirs_exist_ok=True)
    assert run("build", "-q", "--audience", "public", project=project).exit_code == 0
    editions["public/ja"] = found_per_edition()["public/ja"]
    assert editions == FIXTURES_OPEN


# -- a maintained checker from PyPI, when installed ------------------------------------------

def test_page_validation_finds_nothing(shipped_build: Path) -> None:
    """`page` (PyPI: page-validation), a validator said to pass the veraPDF corpus, with its
    PDF/UA-1 profile (docs/pdfua.md). Its one failure, the takeaways' LI>Lbl+P, is fixed: it
    finds nothing."""
    page = pytest.importorskip(
        "page", reason="page-validation is not installed (pip install 'page-validation>=0.11')")
    for audience, lang in EDITIONS:
        report = page.validate_pdf(str(artifact(shipped_build, audience, lang, "pdf")),
                                   profile="ua1")
        assert {f.rule_id for f in report.failures} == set(), \
            (audience, lang, [(f.rule_id, f.message) for f in report.failures])
