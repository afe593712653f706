"""briefgen's adjustments to WeasyPrint's tag tree (briefgen/publish/pdftags.py), each on a
small document: the structure a reader navigates, and the checker finding nothing."""

from __future__ import annotations

import io
import re
import subprocess
import tomllib
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any

import pikepdf
import pytest

from briefgen.errors import BriefError
from briefgen.publish import pdftags
from briefgen.publish.pdf import PdfRenderer
from briefgen.publish.pdfua import check

from conftest import REPO, VALID, run

PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>T</title>
<style>
@page {{ size: A6; margin: 18mm 12mm;
  @top-center {{ content: "Running head"; }}
  @bottom-center {{ content: "Page " counter(page) " of " counter(pages); }} }}
.footnote {{ float: footnote; }}
::footnote-call {{ content: counter(footnote); }}
::footnote-marker {{ content: counter(footnote) ". "; }}
nav ol {{ list-style: none; columns: 2; }}
nav a::after {{ content: leader(".") target-counter(attr(href), page); }}
</style></head><body>{body}</body></html>"""


@lru_cache(maxsize=1)
def renderer() -> PdfRenderer:
    return PdfRenderer(VALID / "content")


def render(body: str, lang: str = "en") -> bytes:
    return renderer().render(PAGE.format(lang=lang, body=body)).data


def tree(data: bytes) -> list[tuple[int, str, dict[str, str]]]:
    """The structure tree as (depth, type, {"ID"/"Lang"/"Ref": value}), in order; marked
    content as "mcid", annotations as "OBJR". A Reference's Ref names its notes' IDs."""
    out: list[tuple[int, str, dict[str, str]]] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        ids = {e.objgen: str(e.get("/ID")) for e in _elements(pdf) if e.get("/S") == "/Note"}

        def walk(elem: Any, depth: int) -> None:
            if isinstance(elem, pikepdf.Array):
                for kid in elem:
                    walk(kid, depth)
            elif isinstance(elem, int) or elem.get("/Type") == "/MCR":
                out.append((depth, "mcid", {}))
            elif elem.get("/Type") == "/OBJR":
                out.append((depth, "OBJR", {}))
            else:
                keys = {k[1:]: str(elem[k]) for k in ("/ID", "/Lang") if k in elem}
                if "/Ref" in elem:
                    keys["Ref"] = ",".join(ids.get(r.objgen, "?") for r in elem.Ref)
                out.append((depth, str(elem.S)[1:], keys))
                if "/K" in elem:
                    walk(elem.K, depth + 1)

        walk(pdf.Root.StructTreeRoot.K, 0)
    return out


def _elements(pdf: pikepdf.Pdf) -> list[Any]:
    return [o for o in pdf.objects
            if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/StructElem"]


def types(data: bytes, skip: tuple[str, ...] = ("mcid", "OBJR", "Span")) -> list[str]:
    """The tree as indented type names, leaving out marked content and text spans."""
    return ["  " * d + t + "".join(f" {k}={v}" for k, v in sorted(keys.items()))
            for d, t, keys in tree(data) if t not in skip]


# -- the pin ---------------------------------------------------------------------------------

def test_weasyprint_is_the_version_the_adjustments_are_written_for() -> None:
    """Moving the pin in pyproject.toml fails here: read WeasyPrint's tags.py of the new
    version, adjust pdftags.py, then move WEASYPRINT and VERSION."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    pins = [d for d in pyproject["project"]["dependencies"] if d.startswith("weasyprint")]
    assert pins == [f"weasyprint=={pdftags.WEASYPRINT}"]
    assert version("weasyprint") == pdftags.WEASYPRINT


def test_another_weasyprint_is_refused() -> None:
    other = ModuleType("weasyprint")
    other.__version__ = "71.0"  # type: ignore[attr-defined]
    with pytest.raises(BriefError) as caught:
        pdftags.install(other)
    assert [str(p) for p in caught.value.problems] == [
        "briefgen: briefgen's PDF tagging is written for WeasyPrint 70.0, and 71.0 is "
        "installed (pip install 'weasyprint==70.0'; docs/pdfua.md, Adjustments, says why)"]
    assert caught.value.problems[0].code == "BG341"


# -- margin boxes ----------------------------------------------------------------------------

def test_running_heads_and_page_numbers_are_pagination_artifacts() -> None:
    data = render("<h1>Title</h1><p>Body text.</p>")
    assert check(data) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        content = pdf.pages[0].Contents.read_bytes().decode("latin-1")
    artifacts = re.findall(r"/Artifact\s*<<\s*/Type\s*/Pagination\s*>>\s*BDC", content)
    assert len(artifacts) >= 2  # the running head's text and the page number's
    # still text a reader can copy, just not read aloud as part of the document
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()
    assert "Running head" in text and "Page 1 of 1" in text
    assert [t for t in types(data)] == ["Document", "  H1", "  P"]


# -- footnotes -------------------------------------------------------------------------------

def test_a_footnote_is_a_note_next_to_its_call() -> None:
    data = render('<p>One claim<span class="footnote">First source.</span> and another'
                  '<span class="footnote">Second <a href="https://example.org/">source'
                  "</a>.</span>.</p><p>After.</p>")
    assert check(data) == []
    assert types(data) == [
        "Document",
        "  P",
        "    Reference Ref=note-1",
        "    Note ID=note-1",
        "      Lbl",
        "    Reference Ref=note-2",
        "    Note ID=note-2",
        "      Lbl",
        "      Link",
        "  P"]


def test_notes_on_several_pages_get_unique_ids_and_their_area_goes() -> None:
    body = "".join(f'<p>Claim {n}<span class="footnote">Source {n}.</span></p>'
                   + "<p>Filler text for the page.</p>" * 6 for n in range(1, 7))
    data = render(body)
    assert check(data) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) > 1
        document = pdf.Root.StructTreeRoot.K[0]
        notes = [e for e in _elements(pdf) if e.get("/S") == "/Note"]
        # every note sits in the paragraph of its call, none is left at the document's level
        assert sorted(str(n.ID) for n in notes) == [f"note-{n}" for n in range(1, 7)]
        assert all(n.P.get("/S") == "/P" for n in notes)
        assert all(k.get("/S") != "/NonStruct" for k in document.K)


# -- contents lists, links, nested lists ----------------------------------------------------

CONTENTS = ('<h1>Brief</h1><nav><h2>Contents</h2><ol>'
            + "".join(f'<li><a href="#s{n}">Section {n}</a></li>' for n in range(1, 5))
            + "</ol></nav>"
            + "".join(f'<h2 id="s{n}">Section {n}</h2><p>Text.</p>' for n in range(1, 5)))


def test_a_contents_list_is_a_toc_of_items_with_one_link_each() -> None:
    data = render(CONTENTS)
    assert check(data) == []
    shape = types(data)
    start = shape.index("    TOC")
    assert shape[start:start + 4] == ["    TOC", "      TOCI", "        Reference",
                                      "          Link"]
    assert shape.count("      TOCI") == 4 and shape.count("          Link") == 4
    assert "L" not in {line.strip() for line in shape}  # one TOC, not columns as lists
    # each link holds the annotations of its text, its leader and its page number
    with pikepdf.open(io.BytesIO(data)) as pdf:
        links = [e for e in _elements(pdf) if e.get("/S") == "/Link"]
        annots = [a for p in pdf.pages for a in p.get("/Annots", [])]
        held = [k.Obj.objgen for e in links for k in e.K
                if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]
        assert sorted(held) == sorted(a.objgen for a in annots)


def test_a_nested_list_goes_in_the_body_of_the_item_before_it() -> None:
    data = render("<ul><li>One<ul><li>One a</li><li>One b</li></ul></li><li>Two</li></ul>")
    assert check(data) == []
    assert types(data) == [
        "Document",
        "  L",
        "    LI",
        "      Lbl",
        "      LBody",
        "        L",
        "          LI",
        "            Lbl",
        "            LBody",
        "          LI",
        "            Lbl",
        "            LBody",
        "    LI",
        "      Lbl",
        "      LBody"]


# -- languages -------------------------------------------------------------------------------

def test_a_change_of_language_carries_lang() -> None:
    data = render('<p>한국어 문장 <span lang="en">in English <span lang="en">still'
                  '</span></span>.</p><ul><li lang="en">An English item</li></ul>'
                  '<p lang="ko">다시 한국어</p>', lang="ko")
    assert check(data) == []
    langs = [(t, keys.get("Lang")) for _, t, keys in tree(data) if "Lang" in keys]
    # one /Lang where the language changes; none repeating what is inherited
    assert langs == [("Span", "en"), ("LI", "en")]


@pytest.mark.parametrize("value", ["en) /S /Link (", "x", "en_US", "a" * 9, "en-"])
def test_a_malformed_lang_is_not_written(value: str) -> None:
    data = render(f'<p>Text <span lang="{value}">words</span>.</p>')
    assert all("Lang" not in keys for _, _t, keys in tree(data))


def test_the_structure_is_deterministic() -> None:
    assert render(CONTENTS) == render(CONTENTS)


def test_shipped_pdfs_have_notes_for_every_citation(shipped_build: Path) -> None:
    """Every page footnote of a shipped edition is a Note that a Reference points to."""
    for pdf_path in sorted(shipped_build.glob("*/*/*/*.pdf")):
        with pikepdf.open(pdf_path) as pdf:
            elements = _elements(pdf)
            notes = {e.objgen for e in elements if e.get("/S") == "/Note"}
            refs = {r.objgen for e in elements if e.get("/S") == "/Reference"
                    for r in e.get("/Ref", [])}
            assert notes and notes == refs, pdf_path.name


# -- what an attack found: unusual or hostile HTML and CSS ----------------------------------

HELD = {
    # margin content with boxes drawn as absolute (a list's outside marker, a positioned
    # span, an image): they are artifacts too (they crashed the adjustment: "assert not tags")
    "running list": ("<style>#h{position:running(hd)} @page{@top-left{content:element(hd)}}"
                     '</style><div id="h"><ul><li>Run</li></ul></div><h1>T</h1>'),
    "running absolute": ("<style>#h{position:running(hd)} @page{@top-left{content:element(hd)}}"
                         "#h span{position:absolute}</style>"
                         '<div id="h">A <span>B</span></div><h1>T</h1>'),
    # a list in hundreds of columns is merged in one pass (recursion, quadratic time)
    "many columns": ("<style>ul{columns:1100;column-gap:0}</style><h1>T</h1><ul>"
                     + "<li>x</li>" * 1100 + "</ul>"),
    # the part of an item that runs on to the next page gets a body of its own
    "item across pages": ("<h1>T</h1><ul><li>" + "Long item text. " * 400
                          + "<ul><li>nested</li></ul></li></ul>"),
    # a footnote call inside a link: the note goes after the link, not into its text
    "call in a link": ('<h1>T</h1><p>See <a href="https://example.org/">the source'
                       '<span class="footnote">Note text.</span></a> here.</p>'),
    # a footnote that is a list, a link or an image is wrapped in a Note, not renamed
    "list footnote": ('<h1>T</h1><p>Claim<ul class="footnote"><li>a</li><li>b</li></ul>'
                      "</p>"),
    "link footnote": ('<h1>T</h1><p>Claim<a class="footnote" href="https://example.org/">'
                      "source</a>.</p>"),
    "image footnote": ('<h1>T</h1><p>Claim<img class="footnote" alt="A seal" '
                       'src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfF'
                       'cSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="></p>'),
    # a footnote inside a footnote is referred to from inside the outer note
    "note in a note": ('<h1>T</h1><p>Claim<span class="footnote">Outer'
                       '<span class="footnote">Inner.</span>.</span></p>'),
    # inline footnotes are notes too
    "inline footnotes": ("<style>.footnote{footnote-display:inline}</style><h1>T</h1><p>A"
                         '<span class="footnote">one.</span> B<span class="footnote">two.'
                         "</span></p>"),
    # a list that starts with a list
    "list in a list": "<h1>T</h1><ul><ul><li>inner</li></ul><li>outer</li></ul>",
    # an a::after that is a block: the folded link's annotation goes to the link
    "block link part": ('<style>a{display:block} a::after{display:block;content:"p. 2"}'
                        '</style><h1>T</h1><a href="#s">Go</a><h2 id="s">S</h2>'),
    # an image inside a link (WeasyPrint gives the image its own annotation)
    "image in a link": ('<h1>T</h1><p><a href="https://example.org/"><img alt="Logo" '
                        'src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAf'
                        'FcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="></a></p>'),
    # a link in the running head: its annotation is dropped, its text is an artifact
    "link in a margin": ("<style>#h{position:running(hd)} @page{@top-left{content:element(hd)}}"
                         '</style><div id="h"><a href="https://example.org/">Home</a></div>'
                         "<h1>T</h1>"),
    # a nav entry with no link is a paragraph, not a reference to nothing
    "nav without links": "<h1>T</h1><nav><ol><li>Plain entry</li></ol></nav>",
}


@pytest.mark.parametrize("body", HELD.values(), ids=HELD.keys())
def test_unusual_html_gives_a_sound_structure(body: str) -> None:
    data = render(body)
    assert check(data) == []
    assert render(body) == data


def test_footnote_shapes() -> None:
    assert types(render(HELD["call in a link"]))[1:] == [
        "  H1", "  P", "    Link", "      Reference Ref=note-1", "    Note ID=note-1",
        "      Lbl"]
    # (the parser closes the <p> before a <ul>: the call sits in an anonymous block)
    assert types(render(HELD["list footnote"]))[3:] == [
        "  NonStruct", "    Reference Ref=note-1", "    Note ID=note-1", "      Lbl",
        "      L", "        LI", "          Lbl", "          LBody", "        LI",
        "          Lbl", "          LBody", "  P"]
    assert types(render(HELD["note in a note"]))[2:] == [
        "  P", "    Reference Ref=note-1", "    Note ID=note-1", "      Lbl",
        "      Reference Ref=note-2", "      Note ID=note-2", "        Lbl"]
    assert [line.strip() for line in types(render(HELD["inline footnotes"]))
            if "Note" in line or "Reference" in line] == [
        "Reference Ref=note-1", "Note ID=note-1", "Reference Ref=note-2", "Note ID=note-2"]
    with pikepdf.open(io.BytesIO(render(HELD["link in a margin"]))) as pdf:
        assert "/Annots" not in pdf.pages[0] or len(pdf.pages[0].Annots) == 0


def test_body_lang_is_the_documents_language() -> None:
    data = renderer().render('<!doctype html><html lang="en"><head><title>T</title></head>'
                             '<body lang="de"><h1>Titel</h1><p>Deutscher Text.</p>'
                             "</body></html>").data
    assert [(t, k["Lang"]) for _, t, k in tree(data) if "Lang" in k] == [("Document", "de")]


@pytest.mark.parametrize(("value", "written"), [("", ""), ("x-private", "x-private"),
                                                ("i-klingon", "i-klingon"),
                                                ("en-Latn-US", "en-Latn-US")])
def test_an_unknown_or_private_language_is_written(value: str, written: str) -> None:
    data = render(f'<p>Text <span lang="{value}">words</span>.</p>')
    assert [k["Lang"] for _, _t, k in tree(data) if "Lang" in k] == [written]


def test_a_build_refuses_a_pdf_its_theme_made_inaccessible(project: Path) -> None:
    """A theme whose stylesheet floats the first takeaway into a footnote makes a note in a
    list: the PDF would declare PDF/UA-1 and not be it, so it is not written (BG410)."""
    css = project / "templates" / "css" / "print.css"
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_text((REPO / "templates" / "css" / "print.css").read_text()
                   + "\n.takeaways li:first-child { float: footnote; }\n")
    result = run("build", "-q", "--audience", "officials", "--format", "pdf", project=project)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "BG410" in line
             or "PDF/UA" in line]
    hint = ("(docs/pdfua.md says what the checkpoint asks; a template or stylesheet of the "
            "theme made this structure)")
    assert lines == [
        f"demo/officials/en/demo-officials-en.pdf: not PDF/UA-1 (Matterhorn 09-005): {kind} "
        f"directly inside L, at Document>Part>Art>NonStruct>L>{kind} {hint}"
        for kind in ("Note", "Reference", "Span")]
    assert not list((project / "build").glob("**/*.pdf"))
