"""XLIFF 2.1 out and back in.

Out: one <file> (id = the brief's slug) per file; one <unit> per field (id `UID:FIELD`, name
`UID/FIELD`: XLIFF ids are NMTOKENs, which cannot hold '/'), one <segment> per segment
(id N, or `all` for a whole field). briefgen's constructs are inline codes whose Markdown is
in <originalData>: <ph> for one that stands alone (terms, with the term's words in this
language as `disp`; citations, footnote calls, code, URLs, escapes), <pc> (or <sc>/<ec> when
two pairs overlap) for emphasis, links and audience or lang spans, and <ph> with
canReorder="firstNo"/"no" for line structure (newlines, list and heading markers, table
pipes, ':::' lines). Every code has canDelete="no" and canCopy="no".

States: new = "initial" (target empty, or the translation memory's offer with subState
"briefgen:from-memory"); translated = "translated"; needs review = "initial" with the old
translation as target, subState "briefgen:needs-review" and the previous source in a note.
XLIFF 2 has no needs-review state; a tool that confirms the segment sets state "translated"
and, being conformant, drops or updates the subState. The unit's source_hash and the field's
layout are <mda:meta> of the unit.

In: parsed by defusedxml (no DTD, no entities) within a size limit, each element's line
kept for the problems.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from xml.etree.ElementTree import Element, TreeBuilder
from xml.sax.saxutils import escape, quoteattr

from defusedxml.ElementTree import DefusedXMLParser

from briefgen.translate.exchange import KEYWORDS, NEW, STALE, TRANSLATED, Entry, Export
from briefgen.translate.segments import Piece, nested, pieces

XLIFF = "urn:oasis:names:tc:xliff:document:2.0"
MDA = "urn:oasis:names:tc:xliff:metadata:2.0"
NEEDS_REVIEW, FROM_MEMORY = "briefgen:needs-review", "briefgen:from-memory"
_KIND_TYPE = {"emphasis": "fmt", "link": "link", "image": "image", "url": "link"}


def _a(**attrs: str) -> str:
    return "".join(f" {k.replace('_', ':', 1) if k.startswith('xml_') else k}={quoteattr(v)}"
                   for k, v in attrs.items())


@dataclass
class _Codes:
    """The codes of one unit: ids, and the <data> each stands for."""

    data: list[tuple[str, str]]
    n: int = 0

    def add(self, markdown: str) -> str:
        self.data.append((f"d{len(self.data) + 1}", markdown))
        return self.data[-1][0]

    def next_id(self) -> str:
        self.n += 1
        return str(self.n)


def _ids(source: list[Piece], codes: _Codes) -> list[str]:
    """An id for each code of the source (pairs share theirs); '' for text."""
    ids: list[str] = []
    pair_ids: dict[int, str] = {}
    for p in source:
        if p.role == "text":
            ids.append("")
        elif p.role == "close" and p.pair in pair_ids:
            ids.append(pair_ids[p.pair])
        else:
            ids.append(codes.next_id())
            if p.role == "open":
                pair_ids[p.pair] = ids[-1]
    return ids


def _pairs(items: list[Piece]) -> dict[int, tuple[str, str]]:
    """Each pair's number -> (its opening Markdown, its closing Markdown)."""
    opens = {p.pair: p.data for p in items if p.role == "open"}
    return {p.pair: (opens.get(p.pair, ""), p.data) for p in items if p.role == "close"}


def _match(source: list[Piece], ids: list[str], target: list[Piece], codes: _Codes
           ) -> list[str]:
    """The target's codes given the ids of the source's codes that are the same Markdown
    (a pair: the same opening and closing); a code the source lacks gets an id of its own."""
    spairs, tpairs = _pairs(source), _pairs(target)
    free: list[tuple[str, object, str]] = []
    for p, i in zip(source, ids, strict=True):
        if p.role in ("ph", "line"):
            free.append((p.role, p.data, i))
        elif p.role == "open":
            free.append(("pair", spairs.get(p.pair), i))
    out: list[str] = []
    pair_ids: dict[int, str] = {}
    for p in target:
        if p.role == "text":
            out.append("")
            continue
        if p.role == "close":
            out.append(pair_ids.get(p.pair) or codes.next_id())
            continue
        want = ("pair", tpairs.get(p.pair)) if p.role == "open" else (p.role, p.data)
        hit = next((f for f in free if (f[0], f[1]) == want), None)
        if hit is not None:
            free.remove(hit)
            out.append(hit[2])
        else:
            out.append(codes.next_id())
        if p.role == "open":
            pair_ids[p.pair] = out[-1]
    return out


def _inline(items: list[Piece], ids: list[str], codes: _Codes, refs: dict[str, str],
            pc: bool, disp: dict[str, str]) -> str:
    out: list[str] = []
    line_before = False
    for p, i in zip(items, ids, strict=True):
        if p.role == "text":  # text does not end a sequence of codes that may not move
            out.append(escape(p.data))
            continue
        key = f"{i}:{p.role}:{p.data}"
        if key not in refs:
            refs[key] = codes.add(p.data)
        ref = refs[key]
        if p.role == "line":
            out.append(f"<ph{_a(id=i, dataRef=ref, canCopy='no', canDelete='no')}"
                       f"{_a(canReorder='no' if line_before else 'firstNo')}"
                       f"{_a(type='other', subType='briefgen:line')}/>")
            line_before = True
            continue
        line_before = False
        kind = {"type": _KIND_TYPE.get(p.kind, "other"), "subType": f"briefgen:{p.kind}"}
        if p.role == "ph":
            shown = {"disp": disp[p.data]} if p.data in disp else {}
            out.append(f"<ph{_a(id=i, dataRef=ref, canCopy='no', canDelete='no')}"
                       f"{_a(**kind, **shown)}/>")
        elif p.role == "open" and pc:
            close = next(q for q in items[items.index(p):] if q.role == "close" and
                         q.pair == p.pair)
            end_key = f"{i}:close:{close.data}"
            if end_key not in refs:
                refs[end_key] = codes.add(close.data)
            out.append(f"<pc{_a(id=i, dataRefStart=ref, dataRefEnd=refs[end_key])}"
                       f"{_a(canCopy='no', canDelete='no', **kind)}>")
        elif p.role == "close" and pc:
            out.append("</pc>")
        elif p.role == "open":
            out.append(f"<sc{_a(id=i, dataRef=ref, canCopy='no', canDelete='no', **kind)}/>")
        else:
            out.append(f"<ec{_a(startRef=i, dataRef=ref, canCopy='no', canDelete='no')}/>")
    return "".join(out)


def _segment_state(e: Entry) -> dict[str, str]:
    if e.state == TRANSLATED:
        return {"state": "translated"}
    if e.state == STALE:
        return {"state": "initial", "subState": NEEDS_REVIEW}
    if e.state == NEW and e.memory and e.target is not None:
        return {"state": "initial", "subState": FROM_MEMORY}
    return {"state": "initial"}


def write(export: Export, disp: dict[str, str]) -> bytes:
    """The XLIFF 2.1 document of one brief in one language (deterministic)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f"<xliff{_a(xmlns=XLIFF)} xmlns:mda={quoteattr(MDA)}"
             f"{_a(version='2.1', srcLang=export.source_lang, trgLang=export.lang)}"
             ' xml:space="preserve">',
             f"  <file{_a(id=export.brief, original=export.path)}>"]
    for (uid, name), entries in export.units().items():
        lines.append(f"    <unit{_a(id=f'{uid}:{name}', name=f'{uid}/{name}')}>")
        meta = [("source_hash", entries[0].hash)]
        if entries[0].layout:
            meta.append(("layout", json.dumps(list(entries[0].layout))))
        lines.append('      <mda:metadata><mda:metaGroup category="briefgen">' + "".join(
            f"<mda:meta{_a(type=k)}>{escape(v)}</mda:meta>" for k, v in meta)
            + "</mda:metaGroup></mda:metadata>")
        notes = [("audiences", "read by " + ", ".join(entries[0].audiences)),
                 ("location", entries[0].where)]
        for e in entries:
            seg = "" if e.n == 0 or len(entries) == 1 else f"segment {e.n}: "
            if e.note:
                notes.append(("briefgen", e.note))
            if e.previous is not None:
                notes.append(("previous-source", f"{seg}the source was: {e.previous}"))
            if e.memory and e.offer is not None:
                notes.append(("translation-memory",
                              f"{seg}{e.memory} translates this source as: {e.offer}"))
        lines.append("      <notes>" + "".join(
            f"<note{_a(category=c)}>{escape(t)}</note>" for c, t in notes) + "</notes>")
        codes = _Codes([])
        segs: list[str] = []
        for e in entries:
            plain = e.note == KEYWORDS
            src = [Piece("text", e.source)] if plain else pieces(e.source)
            ids = _ids(src, codes)
            tgt = [] if e.target is None else [Piece("text", e.target)] if plain else \
                pieces(e.target)
            tids = _match(src, ids, tgt, codes)
            pc = nested(src) and nested(tgt)
            refs: dict[str, str] = {}
            body = f"<source>{_inline(src, ids, codes, refs, pc, disp)}</source>"
            if e.target is not None:
                body += f"<target>{_inline(tgt, tids, codes, refs, pc, disp)}</target>"
            segs.append(f"      <segment{_a(id=str(e.n) if e.n else 'all')}"
                        f"{_a(**_segment_state(e))}>{body}</segment>")
        if codes.data:
            lines.append("      <originalData>" + "".join(
                f"<data{_a(id=i)}>{escape(d)}</data>" for i, d in codes.data)
                + "</originalData>")
        lines.extend(segs)
        lines.append("    </unit>")
    lines += ["  </file>", "</xliff>", ""]
    return "\n".join(lines).encode()


# -- reading ---------------------------------------------------------------------------------


class _LinedParser(DefusedXMLParser):  # type: ignore[misc]
    """defusedxml's parser (no DTD, no entities, no external references) that records the
    line each element starts on."""

    def __init__(self) -> None:
        super().__init__(target=TreeBuilder(), forbid_dtd=True)
        self.lines: dict[int, int] = {}

    def _start(self, tag: str, attr_list: list[str]) -> Element:
        el: Element = super()._start(tag, attr_list)
        self.lines[id(el)] = self.parser.CurrentLineNumber
        return el


def parse(raw: bytes) -> tuple[Element, dict[int, int]]:
    """The document's root and each element's line (by id()); raises ParseError and
    defusedxml's DefusedXmlException on a malformed or unsafe document."""
    parser = _LinedParser()
    parser.feed(raw)
    root: Element = parser.close()
    return root, parser.lines


def q(name: str) -> str:
    return f"{{{XLIFF}}}{name}"
