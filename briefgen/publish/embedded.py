"""Files a PDF carries besides its pages: what a page asks WeasyPrint to embed, and every
embedded file found in PDF bytes.

WeasyPrint 70 embeds a file when a page asks: a <link rel="attachment"> anywhere in the page
becomes a document attachment, an <a rel="attachment"> a FileAttachment annotation on the
page where the link is laid out (in a page margin too). Only briefgen's own code attaches
files (publish/archive.py, an archival PDF's, at document level), so a page that asks is an
error, checked on the HTML a template renders (publish/html.py, naming the template) and on
WeasyPrint's own parse of the HTML it is handed (publish/pdf.py). After rendering, every
embedded file is read back from the bytes wherever it hangs (the document's name tree, an
annotation, any file specification or embedded file stream): one briefgen did not attach is
an error, and the text of each is a guard surface (publish/archive.py:attached_texts).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.errors import Problem, short_url

#: the word in any letter case: WeasyPrint compares rel's tokens in ASCII lower case; any rel
#: holding it is refused (a superset)
_WORD = re.compile("attachment", re.IGNORECASE)
#: the word in a template's source, not part of a longer name (background-attachment)
_IN_SOURCE = re.compile(r"(?<![-\w])attachment(?![-\w])", re.IGNORECASE)
HINT = ("briefgen attaches files itself, to archival PDFs only, made from the edition; "
        "docs/editing.md#what-a-page-may-load")
FOREIGN_HINT = ("a template or stylesheet made WeasyPrint embed it; briefgen attaches files "
                "only to archival PDFs, made from the edition")


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def asks(root: Any) -> list[str]:
    """Each element under root (an ElementTree element: WeasyPrint's parse of a page, or
    tinyhtml5's) whose rel names an attachment, as a short tag."""
    found = []
    for element in root.iter():
        rel = element.get("rel")
        if isinstance(rel, str) and _WORD.search(rel):
            attrs = [f'rel="{rel}"'] + [f'{name}="{short_url(str(element.get(name)))}"'
                                        for name in ("href", "src", "data")
                                        if element.get(name) is not None]
            found.append(f"<{_local(element.tag)} {' '.join(attrs)}>")
    return found


def page_asks(page: str) -> list[str]:
    """asks() of an HTML page, parsed as WeasyPrint parses it (tinyhtml5); only a page where
    the word appears, character references decoded, is parsed."""
    if not _WORD.search(html.unescape(page)):
        return []
    import tinyhtml5

    return asks(tinyhtml5.parse(page))


def template_problem(found: list[str], name: str, folders: Iterable[Path]) -> Problem:
    """BG305 for a page rendered from the template `name` that asks for attachments
    (found): at the first place a template of the project writes the word (the page's own
    template first), else at the page's template."""
    message = f"a page may not ask for a file attachment: {found[0]}" + \
        (f" and {len(found) - 1} more" if len(found) > 1 else "")
    from briefgen.theme import bundled

    own = [f for f in folders if f.resolve() != bundled().resolve()]
    for folder in own:
        files = [folder / name, *sorted(p for p in folder.rglob("*.j2") if p != folder / name)]
        for path in files:
            if not path.is_file() or not path.resolve().is_relative_to(folder.resolve()):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if m := _IN_SOURCE.search(text):
                line = text.count("\n", 0, m.start()) + 1
                col = m.start() - text.rfind("\n", 0, m.start())
                return Problem(f"templates/{path.relative_to(folder).as_posix()}", line, col,
                               message, hint=HINT, code="BG305")
    return Problem(f"templates/{name}", 0, 0, message, hint=HINT, code="BG305")


@dataclass(frozen=True)
class Embedded:
    """One file embedded in a PDF."""

    name: str
    description: str
    data: bytes
    where: str  # "the document's attachments", "a FileAttachment annotation on page 2", …
    key: tuple[int, int]  # its embedded file stream's object


def files(data: bytes) -> list[Embedded]:
    """Every file embedded in a PDF: the document's attachments, each page's annotations'
    files (one of the document's too), then any other embedded file stream, however it is
    reached."""
    import pikepdf

    out: list[Embedded] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for name, spec in sorted(pdf.attachments.items()):
            out += _files(spec.obj, "the document's attachments", name)
        for number, page in enumerate(pdf.pages, 1):
            for annot in page.obj.get("/Annots", []):
                if isinstance(annot, pikepdf.Dictionary):
                    kind = str(annot.get("/Subtype", "/Annot"))[1:]
                    fs = annot.get("/FS")  # a FileAttachment's file: WeasyPrint's is indirect
                    specs = [fs] if isinstance(fs, pikepdf.Dictionary) else []
                    for spec in [*specs, *_specs(annot)]:
                        out += _files(spec, f"a {kind} annotation on page {number}")
        seen = {f.key for f in out}
        for obj in pdf.objects:
            for spec in _specs(obj):
                out += [f for f in _files(spec, f"object {obj.objgen[0]}")
                        if f.key not in seen]
                seen |= {f.key for f in out}
            if isinstance(obj, pikepdf.Stream) and obj.get("/Type") == "/EmbeddedFile" \
                    and obj.objgen not in seen:
                out.append(Embedded("", "", obj.read_bytes(), f"object {obj.objgen[0]}",
                                    obj.objgen))
                seen.add(obj.objgen)
    return out


def _specs(obj: Any, depth: int = 0) -> Iterator[Any]:
    """The file specifications (dictionaries with /EF) in obj and its direct parts."""
    import pikepdf

    if depth > 32:
        return
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        if "/EF" in obj:
            yield obj
        for key in list(obj.keys()):
            value = obj.get(key)
            if isinstance(value, pikepdf.Object) and not value.is_indirect:
                yield from _specs(value, depth + 1)
    elif isinstance(obj, pikepdf.Array):
        for value in obj:
            if isinstance(value, pikepdf.Object) and not value.is_indirect:
                yield from _specs(value, depth + 1)


def _files(spec: Any, where: str, name: str = "") -> list[Embedded]:
    """The embedded file streams of a file specification (one per platform key)."""
    import pikepdf

    ef = spec.get("/EF")
    if not isinstance(ef, pikepdf.Dictionary):
        return []
    shown = name or str(spec.get("/UF", spec.get("/F", "")))
    streams = {s.objgen: s for key in ("/UF", "/F", "/DOS", "/Mac", "/Unix")
               if isinstance(s := ef.get(key), pikepdf.Stream)}
    return [Embedded(shown, str(spec.get("/Desc", "")), s.read_bytes(), where, objgen)
            for objgen, s in streams.items()]


def foreign(data: bytes, own: Iterable[tuple[str, bytes]]) -> list[Embedded]:
    """The files embedded in a PDF that briefgen did not attach: any but the document
    attachments named and holding what `own` (name, data) lists."""
    mine = set(own)
    return [f for f in files(data)
            if f.where != "the document's attachments" or (f.name, f.data) not in mine]
