"""The output formats: the one registry (OUTPUT_FORMATS), and each format's guard surfaces.

An output format is one OutputFormat: its name, the edition it is made from, its file
suffix, how its bytes are made from the edition's HTML page (or that the PDF renderer makes
them, in workers), its content key recipe (keys.py) and its guard surfaces. A project or a
test adds one without touching briefgen, and without changing this module:

    formats = OUTPUT_FORMATS.adding(OutputFormat("txt", "screen", "txt", key=..., ...))
    build(project, Options(out, Selection(formats=formats.names(), registry=formats)))

A guard surface is a text of an artifact that a reader or a machine gets, which the leak
guard checks: each format's `surfaces` function names every one of them, given what is
known of the artifact when it is checked (Texts). The build calls it when it renders a page,
when it renders a PDF (in its worker), when it re-checks a file kept from an earlier build;
`check` and `serve` call it too. Its names are those leak messages print.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefgen.build.keys import html_key, pdf_key
from briefgen.edition import Mode
from briefgen.publish.guard import visible_html_text
from briefgen.publish.pdftext import pdf_surfaces

if TYPE_CHECKING:
    from briefgen.publish.pdf import PdfResult

#: the name of an output format in a registry (briefgen's: html, pdf)
Format = str


@dataclass(frozen=True)
class Texts:
    """What is known of an artifact when the guard checks it: its manifest and index entry,
    the HTML page it is made from (when rendered), its bytes (a file kept from an earlier
    build) or the PDF renderer's result (a PDF just rendered)."""

    title: str | None = None
    page: str | None = None
    data: bytes | None = None
    pdf: PdfResult | None = None


#: surfaces(texts): every text of an artifact the guard checks, by surface name
Surfaces = Callable[[Texts], dict[str, str]]


def _entry(texts: Texts) -> dict[str, str]:
    return {} if texts.title is None else {"manifest and index entry": texts.title}


def html_surfaces(texts: Texts) -> dict[str, str]:
    """An HTML page: what visible_html_text reads in it (rendered, or its file's bytes), and
    its manifest and index entry."""
    page = texts.page if texts.page is not None else \
        (texts.data or b"").decode("utf-8", errors="replace")
    return {"HTML": visible_html_text(page), **_entry(texts)}


def pdf_document_surfaces(texts: Texts) -> dict[str, str]:
    """A PDF: the HTML it is rendered from ("PDF source"); the texts a reader gets from its
    bytes (pdftext.pdf_surfaces: "PDF text", "PDF metadata", "PDF bookmarks", "PDF tags",
    and "PDF attachments", the text of every file embedded in it wherever it hangs:
    publish/archive.py:attached_texts), of a PDF just rendered each joined after the same
    text as WeasyPrint laid it out; and its manifest and index entry. Each as far as it is
    known."""
    surfaces = {} if texts.page is None else {"PDF source": visible_html_text(texts.page)}
    if texts.pdf is not None:
        read = pdf_surfaces(texts.pdf.data)
        for name, laid_out in (("PDF text", [texts.pdf.text]),
                               ("PDF metadata", texts.pdf.metadata),
                               ("PDF bookmarks", texts.pdf.bookmarks)):
            read[name] = "\n".join([*laid_out, read[name]])
        surfaces.update(read)
    elif texts.data is not None:
        surfaces.update(pdf_surfaces(texts.data))
    return {**surfaces, **_entry(texts)}


#: an audience's index files (build/indexes.py) by their name: what a guard message calls them
INDEX_FILES = {"index.html": "index page", "feed.xml": "Atom feed", "sitemap.xml": "sitemap"}


def index_surfaces(page: str, path: str = "index.html") -> dict[str, str]:
    """An audience's index page, Atom feed or sitemap (build/<audience>/…, no artifact of a
    format): the titles, summaries, names and labels it holds (build/indexes.check_indexes);
    XML is read as HTML is, its text and attribute values unescaped."""
    return {INDEX_FILES.get(path.rsplit("/", 1)[-1], path): visible_html_text(page)}


#: key(page, variant, fingerprint): the content key of an artifact made from this HTML page
#: (in this PDF variant, by this renderer: keys.renderer_fingerprint); keys.py's recipes
Key = Callable[[str, str, str], str]


def _html_key(page: str, variant: str, fingerprint: str) -> str:
    return html_key(page)


def _pdf_key(page: str, variant: str, fingerprint: str) -> str:
    return pdf_key(fingerprint, variant, page)


def _encoded(page: str) -> bytes:
    return page.encode()


@dataclass(frozen=True)
class OutputFormat:
    """One output format (see the module docstring)."""

    name: Format
    mode: Mode  # the edition it is rendered from
    suffix: str  # of its file name
    key: Key
    #: its guard surfaces; a module-level function if the PDF workers render it (a worker
    #: receives it pickled, by name)
    surfaces: Surfaces
    #: its bytes from the edition's HTML page; None: the PDF renderer makes them, in this
    #: process or in worker processes (workers.py), in the selection's or audience's variant
    make: Callable[[str], bytes] | None = None
    #: the page links to the edition's file in this format, when the build makes one
    links: Format | None = None

    @property
    def in_workers(self) -> bool:
        return self.make is None


class OutputFormats(Mapping[Format, OutputFormat]):
    """The output formats a build may make, by name, in the order it makes them."""

    def __init__(self, *formats: OutputFormat) -> None:
        self._formats = {f.name: f for f in formats}

    def __getitem__(self, name: Format) -> OutputFormat:
        return self._formats[name]

    def __iter__(self) -> Iterator[Format]:
        return iter(self._formats)

    def __len__(self) -> int:
        return len(self._formats)

    def __hash__(self) -> int:  # immutable: a dataclass's default
        return hash(frozenset(self._formats.items()))

    def names(self) -> tuple[Format, ...]:
        return tuple(self._formats)

    def adding(self, *more: OutputFormat) -> OutputFormats:
        """These formats and more (a name already here is replaced, in its place)."""
        return OutputFormats(*{**self._formats, **{f.name: f for f in more}}.values())


HTML = OutputFormat("html", "screen", "html", _html_key, html_surfaces, make=_encoded,
                    links="pdf")
PDF = OutputFormat("pdf", "print", "pdf", _pdf_key, pdf_document_surfaces)

#: The one registry of output formats, in the order a build makes them: adding a format is
#: adding an entry (OutputFormats.adding), passed to a build as its Selection's registry.
OUTPUT_FORMATS = OutputFormats(HTML, PDF)
FORMATS: tuple[Format, ...] = OUTPUT_FORMATS.names()
