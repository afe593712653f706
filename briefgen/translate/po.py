"""PO out (with polib): one entry per segment. msgctxt is the entry's id, msgid the
segment's Markdown as the readers see it (PO has no inline codes: the constructs to keep
are listed in an extracted comment), `#:` the unit's file:line, `#.` the audiences, the
unit's source_hash and the field's layout; a stale entry is fuzzy with the previous source
as `#| msgid`, an offer of the translation memory fuzzy with a comment naming its brief."""

from __future__ import annotations

import json

import polib

from briefgen.translate.exchange import KEYWORDS, STALE, Entry, Export
from briefgen.translate.segments import pieces

HASH, LAYOUT = "source_hash: ", "layout: "


def keep(source: str) -> str:
    """The constructs a translation must keep, as written."""
    seen: list[str] = []
    for p in pieces(source):
        shown = {"ph": p.data, "open": p.data + "…", "close": "…" + p.data}.get(p.role)
        if p.role == "open":
            continue
        if p.role == "close":
            opening = next(o for o in pieces(source) if o.role == "open" and o.pair == p.pair)
            shown = f"{opening.data}…{p.data}"
        if shown and shown not in seen:
            seen.append(shown)
    return ", ".join(seen)


def _comment(e: Entry) -> str:
    lines = [f"read by: {', '.join(e.audiences)}"]
    if e.note != KEYWORDS and (constructs := keep(e.source)):
        lines.append(f"keep: {constructs}")
    if e.note:
        lines.append(e.note)
    if e.memory and e.offer is not None:
        lines.append(f"translation memory: {e.memory} translates this source as: {e.offer}")
    lines.append(HASH + e.hash)
    if e.layout:
        lines.append(LAYOUT + json.dumps(list(e.layout), separators=(",", ":")))
    return "\n".join(lines)


def write(export: Export) -> bytes:
    po = polib.POFile(wrapwidth=0)  # no wrapping: the comments are read back line by line
    po.metadata = {
        "Project-Id-Version": export.brief,
        "Language": export.lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Briefgen-Brief": export.brief,
        "X-Briefgen-Source-Language": export.source_lang,
    }
    po.header = f"{export.brief}: {export.source_lang} -> {export.lang} (briefgen translations " \
        "export)"
    for e in export.entries:
        path, _, line = e.where.rpartition(":")
        fuzzy = e.state == STALE or (e.memory is not None and e.target is not None)
        po.append(polib.POEntry(
            msgctxt=e.id, msgid=e.source, msgstr=e.target or "", comment=_comment(e),
            occurrences=[(path, line)], flags=["fuzzy"] if fuzzy else [],
            previous_msgid=e.previous))
    return str(po).encode()
