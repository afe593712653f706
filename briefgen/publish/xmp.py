"""The PDF's XMP metadata beyond what WeasyPrint 70 writes (dc:title, dc:creator,
dc:description, pdfuaid:part): dc:language, dc:date, dc:publisher, dc:identifier, PRISM's
number (the brief's number too) and versionIdentifier, from the print page's <meta>
elements. WeasyPrint's own hook (DocumentMetadata.xmp_metadata) adds a second rdf:RDF
after its own, which XMP readers (pikepdf's among them) do not read; so the written bytes
are opened with pikepdf and saved again, deterministically: the same PDF in gives the
same PDF out."""

from __future__ import annotations

import io
from collections.abc import Mapping

import pikepdf

DC = "http://purl.org/dc/elements/1.1/"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"

#: the print page's <meta name> (WeasyPrint's metadata.custom) -> the XMP property it fills
FROM_META = {"dcterms.publisher": (f"{{{DC}}}publisher",),
             "dcterms.identifier": (f"{{{DC}}}identifier", f"{{{PRISM}}}number"),
             "prism.versionIdentifier": (f"{{{PRISM}}}versionIdentifier",)}


def describe(data: bytes, lang: str | None, date: str | None, custom: Mapping[str, str]
             ) -> bytes:
    """The PDF with its language, date and the FROM_META properties in its XMP packet; the
    document information dictionary and everything else unchanged."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            if lang:
                meta[f"{{{DC}}}language"] = [lang]
            if date:
                meta[f"{{{DC}}}date"] = [date]
            for name, props in FROM_META.items():
                for prop in props if (value := custom.get(name, "").strip()) else ():
                    meta[prop] = [value] if prop.endswith("publisher") else value
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()
