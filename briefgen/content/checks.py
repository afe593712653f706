"""Checks that span files: ids unique within a brief and clear of the page's own anchors,
audience ids, term keys, section_order, and translations (every unit, field and audience
marker of the source, and how fresh each is)."""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any

from briefgen.content.models import UNIT_FIELDS, ItemsSection
from briefgen.content.readers import seen_text
from briefgen.content.validation import _data_loc
from briefgen.content.yamlread import Document, Loc
from briefgen.errors import Problem, Problems, did_you_mean

if TYPE_CHECKING:
    from briefgen.content.project import BriefSource, Project, SourceUnit

TERM_RE = re.compile(r"\[\[([A-Za-z0-9_-]+)\]\]")
# The element ids templates/base.html.j2 (and markdown.py's footnotes) give the page itself.
# A section, item or takeaway becomes an element with its id and `<id>-heading`.
TEMPLATE_ANCHORS = frozenset({"main", "sources", "toc-heading", "takeaways-heading",
                              "corrections", "corrections-heading",
                              "summary-heading", "notes-heading", "sources-heading",
                              "about-heading"})
NOTE_ANCHOR = re.compile(r"(?:note|noteref)-[0-9]+")


def anchor_clash(uid: str) -> str:
    """The template's own anchor that an element with id `uid` would duplicate, or ''."""
    for anchor in (uid, f"{uid}-heading"):
        if anchor in TEMPLATE_ANCHORS or NOTE_ANCHOR.fullmatch(anchor):
            return anchor
    return ""



def brief_units(src: BriefSource, audience_ids: list[str]) -> dict[str, SourceUnit]:
    """Every translatable unit of a brief, with the audiences that see it."""
    from briefgen.content.project import SourceUnit  # project.py imports this module

    b = src.brief
    everyone = set(audience_ids)
    units: dict[str, SourceUnit] = {}

    def add(uid: str, kind: str, obj: Any, loc: Loc, who: set[str]) -> None:
        fields = {f: getattr(obj, f) for f in UNIT_FIELDS[kind]
                  if getattr(obj, f, None)}
        units[uid] = SourceUnit(uid, kind, fields, loc, who)

    add("meta", "meta", b, (), everyone)
    for i, author in enumerate(b.authors):
        add(author.id, "author", author, ("authors", i), everyone)
    for aid, override in b.overrides.items():
        add(f"override.{aid}", "override", override, ("overrides", aid), {aid} & everyone)
    for i, t in enumerate(b.takeaways):
        add(t.id, "takeaway", t, ("takeaways", i), {a for a in everyone if t.shown_to(a)})
    for i, s in enumerate(b.sections):
        seen = {a for a in everyone if s.shown_to(a)}
        add(s.id, "section", s, ("sections", i), seen)
        if isinstance(s, ItemsSection):
            for j, item in enumerate(s.items):
                add(item.id, "item", item, ("sections", i, "items", j),
                    {a for a in seen if item.shown_to(a)})
    for i, c in enumerate(b.corrections):
        add(c.id, "correction", c, ("corrections", i), {a for a in everyone if c.shown_to(a)})
    for name, doc in sorted(src.charts.items()):  # a chart's words (edition/charts.py)
        text = doc.data.get("text") if isinstance(doc.data, dict) else None
        for key, words in (text or {}).items() if isinstance(text, dict) else ():
            if isinstance(words, str):
                units[f"chart.{name}.{key}"] = SourceUnit(
                    f"chart.{name}.{key}", "chart", {"text": words}, ("text", key),
                    everyone, doc)
    return units


def _markdown_fields(src: BriefSource) -> list[tuple[Document, Loc, str]]:
    """Every text value of a brief and its translations, with where it sits."""
    found: list[tuple[Document, Loc, str]] = []

    def walk(doc: Document, node: Any, loc: Loc) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in ("id", "type", "audiences", "exclude_audiences", "url", "date",
                             "language", "source_hash"):
                    walk(doc, v, (*loc, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(doc, v, (*loc, i))
        elif isinstance(node, str):
            found.append((doc, loc, node))

    walk(src.doc, src.doc.data, ())
    for tr in src.translations.values():
        walk(tr.doc, tr.doc.data, ())
    return found


def term_position(doc: Document, loc: Loc, text: str, offset: int) -> tuple[int, int]:
    """file line/col of a character offset inside a (possibly block) scalar value."""
    line = doc.text_line(loc) + text.count("\n", 0, offset)
    if text.count("\n", 0, offset) == 0 and loc not in doc.block:
        return line, doc.where(loc)[1] + offset
    return line, doc.indent.get(tuple(loc), 0) + offset - (text.rfind("\n", 0, offset) + 1) + 1


def brief_references(project: Project, src: BriefSource) -> list[Problem]:
    """What a brief's files refer to across files (ids, audiences, term keys) and its
    translations, checked; its translation units set (src.units)."""
    ids = sorted(project.audiences)
    all_terms = set(project.terms.value) if project.terms else set()
    for aud in project.audiences.values():
        all_terms |= set(aud.value.terms)
    mine = Problems()
    _check_brief(project, src, ids, mine)
    for doc, loc, text in _markdown_fields(src):
        for m in TERM_RE.finditer(text):
            key = m.group(1)
            if key.lower() not in all_terms:
                line, col = term_position(doc, loc, text, m.start())
                hint = did_you_mean(key.lower(), all_terms) or \
                    "define it in content/terms.yaml or an audience's terms"
                mine.error(doc.path, line, col, f"unknown term '[[{key}]]'",
                           field=field_path(doc, loc), hint=hint, code="BG140")
    return mine.items


def check_section_order(project: Project, all_sections: set[str], problems: Problems) -> None:
    """Each audience's section_order names sections some brief has (all_sections)."""
    for sourced in project.audiences.values():
        doc, wanted = sourced.doc, sourced.value
        for i, sid in enumerate(wanted.section_order):
            if sid not in all_sections:
                line, col = doc.where(("section_order", i))
                problems.error(doc.path, line, col, f"no brief has a section '{sid}'",
                               field=f"section_order[{i}]",
                               hint=did_you_mean(sid, all_sections), code="BG143")


def field_path(doc: Document, loc: Loc) -> str:
    """A readable field path, naming list items by their id: sections[tasks].items[a].title."""
    return _data_loc(doc.data, loc)[1]


def _check_brief(project: Project, src: BriefSource, ids: list[str], problems: Problems
                 ) -> None:
    doc, b = src.doc, src.brief

    def check_ids(values: list[str] | None, loc: Loc) -> None:
        for i, aid in enumerate(values or []):
            if aid not in project.audiences:
                line, col = doc.where((*loc, i))
                problems.error(doc.path, line, col, f"unknown audience '{aid}'",
                               field=field_path(doc, (*loc, i)), hint=did_you_mean(aid, ids)
                               or "audiences: " + ", ".join(ids), code="BG142")

    def selectable(obj: Any, loc: Loc) -> None:
        check_ids(obj.audiences, (*loc, "audiences"))
        check_ids(obj.exclude_audiences, (*loc, "exclude_audiences"))

    seen: dict[str, int] = {}

    def unique(uid: str, loc: Loc, anchor: bool = True) -> None:
        line, col = doc.where((*loc, "id"))
        if anchor and (clash := anchor_clash(uid)):
            problems.error(doc.path, line, col, f"id '{uid}' would repeat the page's own "
                           f"anchor '{clash}'", field=field_path(doc, (*loc, "id")),
                           hint=f"choose another id, e.g. '{uid}-part'", code="BG144")
        if uid in seen:
            problems.error(doc.path, line, col, f"duplicate id '{uid}' (first used on line "
                           f"{seen[uid]})", field=field_path(doc, (*loc, "id")),
                           hint="ids must be unique within a brief", code="BG145")
        else:
            seen[uid] = line

    for aid in b.overrides:
        if aid not in project.audiences:
            line, col = doc.where(("overrides", aid, "<key>"))
            problems.error(doc.path, line, col, f"unknown audience '{aid}'",
                           field=f"overrides.{aid}", hint=did_you_mean(aid, ids), code="BG142")
    for i, a in enumerate(b.authors):
        unique(a.id, ("authors", i), anchor=False)
    for i, t in enumerate(b.takeaways):
        unique(t.id, ("takeaways", i))
        selectable(t, ("takeaways", i))
    for i, s in enumerate(b.sections):
        unique(s.id, ("sections", i))
        selectable(s, ("sections", i))
        if isinstance(s, ItemsSection):
            for j, item in enumerate(s.items):
                unique(item.id, ("sections", i, "items", j))
                selectable(item, ("sections", i, "items", j))
    for i, c in enumerate(b.corrections):
        unique(c.id, ("corrections", i))
        selectable(c, ("corrections", i))
        if c.date < b.date:
            line, col = doc.where(("corrections", i, "date"))
            problems.error(doc.path, line, col, f"the correction is dated {c.date.isoformat()}, "
                           f"before the brief's date {b.date.isoformat()}",
                           field=field_path(doc, ("corrections", i, "date")),
                           hint="a correction is made after publication: check the year",
                           code="BG182")
    for i, source in enumerate(b.sources):
        unique(source.id, ("sources", i), anchor=False)
        selectable(source, ("sources", i))
    if "meta" in seen:
        line, col = doc.where(("meta",))
        problems.error(doc.path, line, col, "'meta' is reserved; choose another id", code="BG146")

    src.units = brief_units(src, ids)
    _check_translations(project, src, problems)


def _check_markers(tdoc: Document, uid: str, name: str, source: str, translated: str,
                   readers: set[str], ids: list[str], problems: Problems,
                   shown_whole: bool = True) -> None:
    """A translation keeps every audience block and span of its source, with the same
    audience lists, in the same order. One that none of its readers sees may be left empty,
    not out: text that lost its markers cannot be told from text the translator dropped.
    Unless the translator was never shown it (`shown_whole` False: the translation records
    the hash of what its readers see, content/readers.py, and that text is not the whole):
    then such a block or span may be left out, since none of its text can come back."""
    from briefgen.content.syntax import audience_markers, block_shape, spec_issues

    theirs, ours = audience_markers(source), audience_markers(translated)
    if any(spec_issues(m.spec, ids, 0) for m in [*theirs, *ours]):
        return  # rendering reports the unknown audience or block name itself
    want, have = list(theirs), list(ours)
    if not shown_whole:
        want = [m for m in theirs if any(m.shown_to(r) for r in readers)]
        have = [m for m in ours if any(m.shown_to(r) for r in readers)]
    loc: Loc = ("units", uid, name)
    field_ = f"units.{uid}.{name}"
    matcher = difflib.SequenceMatcher(a=[m.path for m in want], b=[m.path for m in have],
                                      autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        for m in want[a0:a1] if op != "equal" else []:
            line, col = term_position(tdoc, loc, translated, 0)
            unseen = not any(m.shown_to(r) for r in readers)
            problems.error(tdoc.path, line, col, f"the translation lacks the source's {m}",
                           field=field_, hint="no reader of this language sees it: keep it "
                           "with nothing inside" if unseen else "keep every audience block "
                           "and span of the source, with the same audiences", code="BG147")
        for m in have[b0:b1] if op != "equal" else []:
            offset = sum(len(t) + 1 for t in translated.split("\n")[:m.line])
            line, col = term_position(tdoc, loc, translated, offset)
            problems.error(tdoc.path, line, col, f"the translation has a {m} that the source "
                           "does not have", field=field_,
                           hint="audience blocks and spans must match the source's", code="BG147")
    if [m.path for m in want] != [m.path for m in have]:
        return
    # More blocks than the source shows a reader may be text moved out of a block hidden
    # from it; fewer is a merge or a stale translation, which the source hash reports.
    for reader in sorted(readers):
        shown, source_shown = len(block_shape(translated, reader)), len(block_shape(source,
                                                                                   reader))
        if shown > source_shown:
            line, col = term_position(tdoc, loc, translated, 0)
            problems.error(tdoc.path, line, col, f"{reader} sees {shown} blocks (paragraphs, "
                           f"lists, headings) of the translation but {source_shown} of the "
                           "source", field=field_, hint="keep the source's blocks one for "
                           "one: text left outside the ::: lines of an audience block would "
                           "show it to audiences the source hides it from", code="BG148")
            return


def term_words(project: Project, lang: str, source_lang: str) -> dict[str, set[str]]:
    """Each term's words a translation into `lang` must not write out: its text in `lang`
    for every audience reading it, and every text of it in the source's language."""
    default = project.terms.value if project.terms else {}
    words: dict[str, set[str]] = {}
    for aud in project.audiences.values():
        own = aud.value.terms
        for key in {*default, *own}:
            texts = {**default.get(key, {}), **own.get(key, {})}
            found = words.setdefault(key, set())
            if lang in aud.value.languages and lang in texts:
                found.add(texts[lang])
            if source_lang in own.get(key, {}):
                found.add(own[key][source_lang])
    for key, texts in default.items():
        if source_lang in texts:
            words.setdefault(key, set()).add(texts[source_lang])
    return words


def _check_term_words(tdoc: Document, uid: str, name: str, source: str, translated: str,
                      words: dict[str, set[str]], problems: Problems) -> None:
    """A translation writes [[key]] where its source does, never the term's words (BG155)."""
    from briefgen.content.termwords import written_out

    for hit in written_out(source, translated, words):
        line, col = term_position(tdoc, ("units", uid, name), translated, hit.offset)
        problems.warn(tdoc.path, line, col, f"writes out '{hit.words}' where the source has "
                      f"[[{hit.key}]]", field=f"units.{uid}.{name}",
                      hint=f"write [[{hit.key}]]: briefgen prints the term each audience uses",
                      code="BG155")


def _check_translations(project: Project, src: BriefSource, problems: Problems) -> None:
    for lang, sourced in sorted(src.translations.items()):
        tdoc, tr = sourced.doc, sourced.value
        readers = project.readers(lang)
        words = term_words(project, lang, src.brief.language)
        for uid, unit in tr.units.items():
            line, col = tdoc.where(("units", uid, "<key>"))
            source = src.units.get(uid)
            if source is None:
                problems.error(tdoc.path, line, col, f"no unit '{uid}' in the source brief",
                               field=f"units.{uid}", hint=did_you_mean(uid, src.units),
                               code="BG149")
                continue
            have, want = set(unit.fields()), set(source.fields)
            for extra in sorted(have - want):
                fl, fc = tdoc.where(("units", uid, extra, "<key>"))
                problems.error(tdoc.path, fl, fc, f"the source has no {extra} to translate",
                               field=f"units.{uid}.{extra}", code="BG150")
            for missing in sorted(want - have):
                problems.error(tdoc.path, line, col, f"{missing} is not translated",
                               field=f"units.{uid}", code="BG151")
            # made from what its readers see, without the rest (the report and the export
            # show only that): blocks and spans none of them sees may be left out
            seen = source.hash_for(readers)
            shown_whole = unit.source_hash != seen or seen == source.hash
            for name in sorted(have & want):
                theirs, ours = source.fields[name], unit.fields()[name]
                if isinstance(theirs, str) and isinstance(ours, str):  # not keywords
                    _check_markers(tdoc, uid, name, theirs, ours,
                                   source.audiences & readers, sorted(project.audiences),
                                   problems, shown_whole)
                    _check_term_words(tdoc, uid, name,
                                      seen_text(theirs, source.audiences & readers), ours,
                                      words, problems)
            if unit.source_hash is None:
                problems.warn(tdoc.path, line, col, "no source_hash recorded, so a change to "
                              "the source cannot be detected", field=f"units.{uid}",
                              hint=f"add source_hash: \"{source.hash_for(readers)}\"",
                              code="BG152")
            elif not source.fresh(unit.source_hash, readers):
                problems.warn(tdoc.path, line, col, f"stale: the {src.brief.language} source "
                              "changed after this was translated", field=f"units.{uid}",
                              hint="`briefgen translations` shows what to refresh", code="BG153")
        for uid, source in src.units.items():
            if uid not in tr.units and source.audiences & readers:
                sdoc = source.doc or src.doc
                line, col = sdoc.where(source.loc)
                problems.error(sdoc.path, line, col, f"not translated into {lang} "
                               f"({tdoc.path})", field=uid or "meta",
                               hint="`briefgen translations` prints it to translate",
                               code="BG141")
    for aid, aud in sorted(project.audiences.items()):
        for lang in aud.value.languages:
            if lang not in src.languages:
                problems.warn(src.doc.path, 1, 1, f"no {lang} translation, so {aid}'s {lang} "
                              "edition of this brief is not built", code="BG154")
