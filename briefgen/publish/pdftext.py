"""What a reader of a written PDF sees, read back from its bytes (never from WeasyPrint).

The leak guard checks these surfaces for every PDF a build writes and every PDF it keeps
from an earlier build, so what it checks is what is in the file: the page text as poppler's
`pdftotext` gives it (the text a viewer's search and copy-paste give), and, read with pypdf,
the document information dictionary, the XMP metadata packet, the outline (bookmarks) and
the tags' alternate texts (what a screen reader says for an image or a formula); and the
text of every file embedded in it, wherever it hangs (archive.attached_texts).
"""

from __future__ import annotations

import html
import io
import shutil
import subprocess
from typing import Any

from briefgen.errors import BriefError
from briefgen.publish.archive import attached_texts

PDFTOTEXT = "pdftotext"


def pdftotext() -> str:
    """The pdftotext program; its absence is an error, never a reason to skip the guard."""
    exe = shutil.which(PDFTOTEXT)
    if exe is None:
        raise BriefError("pdftotext not found: the leak guard reads every PDF with it; install "
                         "the Debian package poppler-utils (scripts/bootstrap.sh does)")
    return exe


def page_text(data: bytes) -> str:
    """The PDF's page text by poppler's pdftotext (UTF-8, reading order)."""
    proc = subprocess.run([pdftotext(), "-enc", "UTF-8", "-", "-"], input=data,
                          capture_output=True, check=False)
    if proc.returncode != 0:
        raise BriefError(f"pdftotext could not read a PDF briefgen wrote: "
                         f"{proc.stderr.decode(errors='replace').strip()[:200]}")
    return proc.stdout.decode("utf-8", errors="replace")


def pdf_surfaces(data: bytes) -> dict[str, str]:
    """Every text a reader of these PDF bytes may see, by where it is; the names are those of
    the surfaces the build also takes from WeasyPrint's layout
    (build/formats.pdf_document_surfaces)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    root: Any = reader.trailer["/Root"]
    metadata = [str(v) for v in (reader.metadata or {}).values()]
    if "/Metadata" in root:
        metadata.append(html.unescape(root["/Metadata"].get_object().get_data().decode(
            "utf-8", errors="replace")))
    bookmarks: list[str] = []
    _outline(reader.outline, bookmarks)
    tags: list[str] = []
    if "/StructTreeRoot" in root:
        _tag_texts(root["/StructTreeRoot"], tags, set())
    surfaces = {"PDF text": page_text(data), "PDF metadata": "\n".join(metadata),
                "PDF bookmarks": "\n".join(bookmarks), "PDF tags": "\n".join(tags)}
    if attached := attached_texts(data):
        surfaces["PDF attachments"] = attached
    return surfaces


def _outline(items: list[Any], titles: list[str]) -> None:
    for item in items:
        if isinstance(item, list):
            _outline(item, titles)
        else:
            titles.append(str(item.title))


def _tag_texts(node: Any, texts: list[str], seen: set[int]) -> None:
    """/Alt, /ActualText, /E and /T of every structure element (a tree; seen guards loops)."""
    obj = node.get_object()
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, list):
        for child in obj:
            _tag_texts(child, texts, seen)
        return
    if not hasattr(obj, "get"):
        return
    texts.extend(str(obj[k]) for k in ("/Alt", "/ActualText", "/E", "/T") if k in obj)
    if "/K" in obj:
        _tag_texts(obj["/K"], texts, seen)
