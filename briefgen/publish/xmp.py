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
from lxml import etree

DC = "http://purl.org/dc/elements/1.1/"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"

#: the print page's <meta name> (WeasyPrint's metadata.custom) -> the XMP property it fills
FROM_META = {"dcterms.publisher": (f"{{{DC}}}publisher",),
             "dcterms.identifier": (f"{{{DC}}}identifier", f"{{{PRISM}}}number"),
             "prism.versionIdentifier": (f"{{{PRISM}}}versionIdentifier",)}

# PRISM is no schema PDF/A predefines: a PDF/A file must declare the properties it uses
# (ISO 19005-1 6.7.8, kept by parts 2 and 3) in a pdfaExtension:schemas description.
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
PRISM_PROPERTIES = {"number": "the report's number in its series",
                    "versionIdentifier": "the version of the edition"}


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
        if any(custom.get(name, "").strip() for name, props in FROM_META.items()
               if any(p.startswith(f"{{{PRISM}}}") for p in props)):
            _declare_prism(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def _declare_prism(pdf: pikepdf.Pdf) -> None:
    """Add the pdfaExtension description of the PRISM properties to the XMP packet."""
    stream = pdf.Root.Metadata
    root = etree.fromstring(stream.read_bytes())
    rdf = root if root.tag == f"{{{RDF}}}RDF" else root.find(f".//{{{RDF}}}RDF")
    if rdf is None:
        return
    description = etree.SubElement(rdf, f"{{{RDF}}}Description",
                                    {f"{{{RDF}}}about": ""},
                                    nsmap={"pdfaExtension": EXTENSION, "pdfaSchema": SCHEMA,
                                           "pdfaProperty": PROPERTY})
    bag = etree.SubElement(etree.SubElement(description, f"{{{EXTENSION}}}schemas"),
                           f"{{{RDF}}}Bag")
    schema = etree.SubElement(bag, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
    for name, text in (("schema", "PRISM Basic Metadata"), ("namespaceURI", PRISM),
                       ("prefix", "prism")):
        etree.SubElement(schema, f"{{{SCHEMA}}}{name}").text = text
    seq = etree.SubElement(etree.SubElement(schema, f"{{{SCHEMA}}}property"), f"{{{RDF}}}Seq")
    for name, text in PRISM_PROPERTIES.items():
        item = etree.SubElement(seq, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
        for key, value in (("name", name), ("valueType", "Text"), ("category", "external"),
                           ("description", text)):
            etree.SubElement(item, f"{{{PROPERTY}}}{key}").text = value
    # the whole document: the <?xpacket?> instructions around the packet stay
    stream.write(etree.tostring(root.getroottree(), encoding="utf-8"))
