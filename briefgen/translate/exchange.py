"""What a translator's file holds: the entries of one brief in one language, each a segment
of a field as that language's readers see it, with its state, the current translation, the
previous source of a stale one, an offer from the translation memory, and where it is.

Ids are stable: `UID/FIELD/N` for the Nth segment of a Markdown field (from 1),
`UID/FIELD` for a field whose translation does not split into the same number of segments
as its source (the whole field is one entry), `UID/keywords/N` for the Nth keyword.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from briefgen.content.project import BriefSource, Project, SourceUnit
from briefgen.translate.segments import split

Fields = dict[str, str | list[str]]
#: history.py's History(project, src).previous(uid, readers, recorded): the unit's fields as
#: the readers saw them when `recorded` was their hash, or None when unknown
Previous = Callable[[str, frozenset[str], str], Fields | None]

NEW, TRANSLATED, STALE = "new", "translated", "stale"
KEYWORDS = "keywords: one a line, as many as the language needs"
MISALIGNED = "the translation's paragraphs do not line up with the source's: the whole " \
    "field is one segment"


@dataclass(frozen=True)
class Entry:
    id: str
    uid: str
    field: str
    n: int  # segment number from 1; 0: the whole field
    source: str
    target: str | None
    state: str  # new, translated, stale
    hash: str  # the unit's source_hash for this language (what an import records)
    audiences: tuple[str, ...]  # the reader audiences that see the unit
    where: str  # file:line of the unit in the brief (or chart file)
    previous: str | None = None  # a stale entry's source when it was translated
    memory: str | None = None  # the other brief whose translation of this is `offer`
    offer: str | None = None  # the translation memory's offer (the target too, when new)
    layout: tuple[str, ...] = ()  # on each segment of a split field: what lies between
    note: str = ""


@dataclass
class Export:
    brief: str
    lang: str
    source_lang: str
    path: str  # the brief's file as shown
    entries: list[Entry] = field(default_factory=list)

    def units(self) -> dict[tuple[str, str], list[Entry]]:
        """The entries of each field, in order."""
        out: dict[tuple[str, str], list[Entry]] = {}
        for e in self.entries:
            out.setdefault((e.uid, e.field), []).append(e)
        return out


def _segments(source: str, target: str | None) -> tuple[list[str], list[str | None], bool]:
    """The source's segments and the target's beside them; whole fields when they do not
    line up (the flag)."""
    s = split(source)
    if target is None:
        return s.segments, [None] * len(s.segments), False
    t = split(target)
    if len(t.segments) == len(s.segments):
        return s.segments, list(t.segments), False
    return [source], [target], True


def _memory(project: Project, slug: str, lang: str) -> dict[str, tuple[str, str]]:
    """Source segment -> (its fresh translation, the brief it comes from), from every other
    brief of the project translated into lang (the first brief in name order wins)."""
    readers = project.readers(lang)
    found: dict[str, tuple[str, str]] = {}
    for other in sorted(project.briefs):
        src = project.briefs[other]
        if other == slug or lang not in src.translations:
            continue
        for uid, tunit in src.translations[lang].value.units.items():
            unit = src.units.get(uid)
            if unit is None or not unit.fresh(tunit.source_hash, readers):
                continue
            theirs = tunit.fields()
            for name, text in unit.fields_for(readers).items():
                target = theirs.get(name)
                if isinstance(text, list) and isinstance(target, list):
                    pairs = [("\n".join(text), "\n".join(target))]
                elif isinstance(text, str) and isinstance(target, str):
                    segs, tsegs, _ = _segments(text, target)
                    pairs = [(s, t) for s, t in zip(segs, tsegs, strict=True) if t]
                else:
                    continue
                for s, t in pairs:
                    found.setdefault(s, (t, other))
    return found


def unit_where(src: BriefSource, unit: SourceUnit, name: str) -> str:
    """file:line of a unit's field in the brief (or chart file)."""
    doc = unit.doc or src.doc
    loc = unit.loc if unit.kind == "chart" else (*unit.loc, name)
    return f"{doc.path}:{doc.where(loc)[0]}"


def build_export(project: Project, slug: str, lang: str, previous: Previous | None = None
                 ) -> Export:
    """Every unit of a brief that a reader of lang sees, as entries."""
    src = project.briefs[slug]
    readers = project.readers(lang)
    have = src.translations[lang].value.units if lang in src.translations else {}
    memory = _memory(project, slug, lang)
    out = Export(slug, lang, src.brief.language, src.doc.path)
    for uid, unit in src.units.items():
        seen_by = unit.audiences & readers
        if not seen_by:
            continue
        tunit = have.get(uid)
        digest = unit.hash_for(readers)
        state = NEW if tunit is None else TRANSLATED if unit.fresh(tunit.source_hash, readers) \
            else STALE
        old: Fields | None = None
        if state == STALE and previous is not None and tunit is not None and \
                tunit.source_hash:
            old = previous(uid, readers, tunit.source_hash)
        theirs = tunit.fields() if tunit is not None else {}
        for name, text in unit.fields_for(readers).items():
            common: dict[str, Any] = dict(hash=digest, audiences=tuple(sorted(seen_by)),
                          where=unit_where(src, unit, name))
            target = theirs.get(name)
            before = old.get(name) if old else None
            if isinstance(text, list):  # keywords: one entry, a keyword a line
                out.entries.append(_entry(
                    f"{uid}/{name}", uid, name, 0, "\n".join(text),
                    "\n".join(target) if isinstance(target, list) else None, state,
                    "\n".join(before) if isinstance(before, list) and before != text else None,
                    memory, (), KEYWORDS, common))
                continue
            segs, tsegs, whole = _segments(text, target if isinstance(target, str) else None)
            layout = () if whole else tuple(split(text).layout)
            prev: list[str | None] = [None] * len(segs)
            if isinstance(before, str) and before != text:
                psegs = split(before).segments
                prev = list(psegs) if len(psegs) == len(segs) and not whole else \
                    [before, *[None] * (len(segs) - 1)]
            for n, (s, t, b) in enumerate(zip(segs, tsegs, prev, strict=True), 1):
                ident = f"{uid}/{name}" if whole else f"{uid}/{name}/{n}"
                out.entries.append(_entry(ident, uid, name, 0 if whole else n, s, t, state,
                                          b if b != s else None, memory, layout,
                                          MISALIGNED if whole else "", common))
    return out


def _entry(ident: str, uid: str, name: str, n: int, source: str, target: str | None,
           state: str, previous: str | None, memory: dict[str, tuple[str, str]],
           layout: tuple[str, ...], note: str, common: dict[str, Any]) -> Entry:
    offer = brief = None
    if state != TRANSLATED and source in memory:
        offer, brief = memory[source]
        target = offer if target is None else target
    return Entry(ident, uid, name, n, source, target, state, previous=previous, memory=brief,
                 offer=offer, layout=layout, note=note, **common)
