"""An archival PDF's attachments (`pdf_variant: pdf/a-3u`): what one edition was made from,
as that edition's audience may read it.

The brief's own files hold every audience's material (restricted sections, blocks and
spans, other audiences' terms), so none of them is attached as written. Each attachment is
made from the resolved edition instead, holding only what the edition shows:

    edition.json            the edition's content: every text as the HTML it prints
    charts/NAME.vl.json     each chart drawn: the Vega-Lite spec with its data and words in
                            the edition's language
    references.json         the references it cites (CSL-JSON): of each, its id, type and
                            language and the variables its style can print, never note,
                            abstract nor annote (style_variables, attached_item)
    <style>.csl             the citation style, when it cites something, as citeproc reads
                            it: no comments nor processing instructions, of its <info> only
                            id, title and updated (attached_style)

Not attached: brief.yaml, translations, references.json and chart files as written (other
audiences' material), images (the PDF already carries them as shown; their files may hold
metadata the edition does not show). Each is an associated file of the PDF (PDF/A-3
AFRelationship /Source) dated the brief's date, so that the same edition gives the same
bytes. The leak guard reads every embedded file back from the PDF, wherever it hangs
(attached_texts).

Why the style is attached at all, but rewritten: an archive should be able to format the
references again as the page did, and a style is formatting code; but a .csl file of the
brief's folder is the editors' own file, and its comments and <info> (summary, rights,
authors, links) are text no page prints, like a reference's note or abstract.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

from briefgen.content.project import Project
from briefgen.edition.resolve import Edition
from briefgen.edition.views import Text
from briefgen.publish import embedded
from briefgen.publish.guard import SEPARATOR, visible_html_text

#: the PDF variant whose editions carry their sources
ARCHIVAL = "pdf/a-3u"


@dataclass(frozen=True)
class Attachment:
    """One file embedded in an archival PDF."""

    name: str
    mime: str
    description: str
    data: bytes
    date: str  # ISO 8601: the brief's date, which the file's entry carries


def _html(text: Text) -> str:
    return text.html.strip()


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def edition_content(edition: Edition) -> dict[str, Any]:
    """The edition's content as it prints it: each text as its HTML (terms resolved, other
    audiences' blocks and spans gone), sections in the edition's order and numbering. Not
    the brief's slug nor the audience's id, which the page does not print (the guard reads
    them in the file names of a build only)."""
    e = edition.view()
    return {
        "language": e.lang,
        "title": _html(e.title), "short_title": _html(e.short_title),
        "subtitle": _html(e.subtitle), "series": _html(e.series), "number": e.number,
        "date": e.date, "version": e.version, "institute": e.institute,
        "keywords": list(e.keywords), "marking": e.marking, "credit": _html(e.credit),
        "summary": _html(e.summary),
        "authors": [{"id": a.id, "name": _html(a.name), "honorific": _html(a.honorific),
                     "affiliation": _html(a.affiliation), "bio": _html(a.bio)}
                    for a in e.authors],
        "takeaways": [_html(t) for t in e.takeaways],
        "sections": [{"id": s.id, "type": s.type, "title": _html(s.title),
                      "body": _html(s.body), "closing": _html(s.closing),
                      "items": [{"id": i.id, "label": i.label, "title": _html(i.title),
                                 "body": _html(i.body)} for i in s.items]}
                     for s in e.sections],
        "notes": [{"number": n.number, "html": n.html.strip()} for n in e.notes],
        "sources": [{"text": _html(t), "url": url} for t, url in e.sources],
        "bibliography": [_html(t) for t in e.bibliography],
        "corrections": [{"id": c.id, "date": c.date, "text": _html(c.text)}
                        for c in e.corrections],
    }


def attachments(project: Project, edition: Edition) -> tuple[Attachment, ...]:
    """Every file an archival PDF of the edition carries (see the module docstring)."""
    date = edition.view().date
    out = [Attachment("edition.json", "application/json",
                      "This edition's content as printed, each text as HTML",
                      _json(edition_content(edition)), date)]
    out += [Attachment(f"charts/{name}.vl.json", "application/json",
                       f"Chart {name}: the Vega-Lite spec drawn, with its data",
                       spec.encode() + b"\n", date)
            for name, spec in sorted(edition.charts)]
    refs = project.briefs[edition.slug].references
    cited = [d.id for d in edition.decisions if d.kind == "reference" and d.included]
    if refs is not None and cited:
        style = refs.style.read_bytes()
        printed = style_variables(style)
        items = [attached_item({"id": key, **refs.refs[key].csl(edition.lang)}, printed)
                 for key in cited]
        out.append(Attachment("references.json", "application/json",
                              "The references this edition cites, as CSL-JSON: the "
                              "variables its style can print", _json(items), date))
        out.append(Attachment(refs.style.name, "application/vnd.citationstyles.style+xml",
                              "The citation style (CSL) as citeproc reads it",
                              attached_style(style), date))
    return tuple(out)


# -- the citation style and references, as far as a page can print them -----------------------

CSL = "http://purl.org/net/xbiblio/csl"
#: the elements of a style that print a variable's value (a condition, a sort key or a
#: label reads one but does not print it)
PRINTING = frozenset({"text", "number", "date", "names"})
#: a variable's short form, printed in its place by form="short" when the item has it
SHORT = {"title": "title-short", "container-title": "container-title-short"}
#: what identifies an item, whatever its style: its key, its type (which a style's
#: conditions choose by) and its language (the lang of its citations on the page)
ITEM_KEYS = frozenset({"id", "type", "language"})
#: never attached, even where a style prints them: a reader's notes on a work, kept in
#: references.json for the editors, seldom meant for every audience that cites the work
NEVER = frozenset({"note", "abstract", "annote"})
#: of a style's <info>, the elements CSL requires (the rest describes the style: summary,
#: rights, authors, links, none of which a page shows)
INFO_KEPT = frozenset({"id", "title", "updated"})


def _style_root(style: bytes) -> Any:
    """A style parsed by lxml without its comments and processing instructions, no entity
    resolved, nothing fetched (a style is checked as plain CSL when it is read:
    content/references.py)."""
    from lxml import etree

    parser = etree.XMLParser(remove_comments=True, remove_pis=True, resolve_entities=False,
                             no_network=True, load_dtd=False)
    return etree.fromstring(style, parser=parser)


def style_variables(style: bytes) -> frozenset[str]:
    """The CSL variables a style can print: those its text, number, date and names elements
    name (in its macros too), with the short forms of those that have one."""
    found: set[str] = set()
    for element in _style_root(style).iter():
        if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] in PRINTING:
            found.update(element.get("variable", "").split())
    return frozenset(found | {SHORT[v] for v in found if v in SHORT})


def attached_item(item: dict[str, Any], printed: frozenset[str]) -> dict[str, Any]:
    """A cited reference as an archival PDF carries it: its key, type and language and the
    variables its style can print (printed), never note, abstract nor annote."""
    return {k: v for k, v in item.items() if (k in ITEM_KEYS or k in printed)
            and k not in NEVER}


def attached_style(style: bytes) -> bytes:
    """A citation style as citeproc reads it, written anew: no comments nor processing
    instructions, and of each <info> only what CSL requires of a style's (id, title,
    updated; a locale's <info> is dropped). The same style gives the same bytes."""
    from lxml import etree

    root = _style_root(style)
    for parent in list(root.iter(etree.Element)):
        for child in list(parent):
            if child.tag != f"{{{CSL}}}info":
                continue
            if parent is not root:
                parent.remove(child)
                continue
            for part in list(child):
                if not isinstance(part.tag, str) or \
                        part.tag.rsplit("}", 1)[-1] not in INFO_KEPT:
                    child.remove(part)
    body = str(etree.tostring(root, encoding="unicode"))
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode()


def digest(files: tuple[Attachment, ...]) -> str:
    """What the attachments add to their PDF's content key ('' for none)."""
    if not files:
        return ""
    h = hashlib.sha256()
    for a in files:
        for part in (a.name, a.mime, a.description, a.date):
            h.update(part.encode() + b"\0")
        h.update(hashlib.sha256(a.data).digest())
    return f"\0attachments {h.hexdigest()}"


def attached_texts(data: bytes) -> str:
    """The text of every file embedded in a PDF, wherever it hangs (the document's
    attachments, a page's annotation, any other file specification: embedded.files), for
    the leak guard (files_text)."""
    return files_text([(f.name, f.description, f.data) for f in embedded.files(data)])


def files_text(files: list[tuple[str, str, bytes]]) -> str:
    """The text of files (name, description, data) for the leak guard: each as written
    and, for JSON, each string once more as a reader of its HTML would read it."""
    parts: list[str] = []
    for name, description, data in files:
        text = data.decode("utf-8", errors="replace")
        parts += [name, description, text]
        if name.endswith(".json"):
            try:
                parts += [visible_html_text(s) for s in _strings(json.loads(text))]
            except ValueError:
                pass  # read as written above
    return SEPARATOR.join(parts)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [*_strings(k), *_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def moment(date: str) -> dt.datetime:
    """An attachment's date as its file entry carries it: midnight UTC (not the build's)."""
    return dt.datetime.combine(dt.date.fromisoformat(date), dt.time(), tzinfo=dt.UTC)


def conform(data: bytes) -> bytes:
    """A PDF/A-3u that WeasyPrint 70 wrote, made conforming: its XMP metadata stream
    uncompressed (ISO 19005-3 6.6.2.1: no Filter on it; WeasyPrint compresses it), each
    associated file listed once in the catalog's /AF (WeasyPrint lists each twice), no
    stream whose data ends in a carriage return (_unambiguous_end). Saved
    with qpdf's deterministic /ID: the same input gives the same bytes."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.Root.get("/Metadata")
        if meta is not None and "/Filter" in meta:
            meta.write(meta.read_bytes())  # unfiltered: write() drops /Filter
        if "/AF" in pdf.Root:
            seen: dict[tuple[int, int], Any] = {}
            for spec in pdf.Root.AF:
                seen.setdefault(spec.objgen, spec)
            pdf.Root.AF = pikepdf.Array(list(seen.values()))
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.read_raw_bytes().endswith(b"\r"):
                _unambiguous_end(obj)
        out = io.BytesIO()
        # every stream's data as it is (qpdf would decode and recompress them otherwise)
        pdf.save(out, deterministic_id=True, compress_streams=False,
                 stream_decode_level=pikepdf.StreamDecodeLevel.none,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)
        return out.getvalue()


def _unambiguous_end(stream: Any) -> None:
    """A stream whose encoded data ends in CR, written before "LF endstream", reads to a
    validator as ending in a CR LF end of line, one byte short of its /Length (the page
    validator's PDFA3U-STREAM-LENGTH-001; about one stream in 256, by the last byte of a
    zlib checksum). Its encoded data once more in ASCII85, which ends in "~>"."""
    import base64

    import pikepdf

    filters = stream.get("/Filter")
    chain = [] if filters is None else list(filters) if isinstance(filters, pikepdf.Array) \
        else [filters]
    parms = stream.get("/DecodeParms")
    encoded = base64.a85encode(stream.read_raw_bytes()) + b"~>"
    if parms is None:
        stream.write(encoded, filter=pikepdf.Array([pikepdf.Name.ASCII85Decode, *chain]))
    else:
        listed = list(parms) if isinstance(parms, pikepdf.Array) else [parms]
        stream.write(encoded, filter=pikepdf.Array([pikepdf.Name.ASCII85Decode, *chain]),
                     decode_parms=pikepdf.Array([None, *listed]))
