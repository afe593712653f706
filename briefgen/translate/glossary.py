"""`briefgen translations glossary`: the terms as a TBX and a CSV glossary per language pair.

A CAT tool proposes a glossary's target term wherever its source term occurs. In briefgen
a term's text depends on the audience (content/audiences/ID.yaml `terms:` over
content/terms.yaml), so the glossary holds one entry per distinct (source text, target text)
of a term, naming the audiences that read the target language and use it (TBX-Basic's
`customerSubset`), with the key and the note that a translation writes `[[key]]`, never
the words. A term no reader of the target language has a text for is listed once, with its
source text only: the translator sees that it exists and that its text is still missing.

Files are deterministic: sorted, no dates, no tool version.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from briefgen.content.project import Project
from briefgen.edition.resolve import terms_of
from briefgen.errors import BriefError, Problem

TBX_NS = "urn:iso:std:iso:30042:ed-2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FORMATS = ("tbx", "csv")
#: where the official schemas of TBX-Basic (DCA style) are published, for a validating editor
SCHEMAS = (("https://raw.githubusercontent.com/LTAC-Global/TBX_Core_RNG/master/"
            "TBXcoreStructV03.rng", "http://relaxng.org/ns/structure/1.0"),
           ("https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/"
            "TBX-Basic_DCA.sch", "http://purl.oclc.org/dsdl/schematron"))
CSV_COLUMNS = ("source", "target", "context", "description")
#: A cell a spreadsheet would read as a formula (OWASP's list) gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Entry:
    """One glossary entry: a term's text in both languages for the audiences named."""

    key: str
    source: str
    target: str | None  # None: no reader of the target language has a text for the term
    audiences: tuple[str, ...]

    @property
    def note(self) -> str:
        if self.target is None:
            return (f"briefgen term [[{self.key}]]: no audience reading this language has a "
                    "text for it yet (add one to content/terms.yaml); the translation writes "
                    f"[[{self.key}]], not these words")
        return (f"briefgen term [[{self.key}]] for {', '.join(self.audiences)}: the "
                f"translation writes [[{self.key}]] (or [[{self.key[:1].upper()}"
                f"{self.key[1:]}]] to capitalise), not these words; briefgen prints the "
                "term each audience uses")


@dataclass(frozen=True)
class Glossary:
    source_lang: str
    target_lang: str
    entries: tuple[Entry, ...]

    @property
    def stem(self) -> str:
        return f"glossary.{self.source_lang}-{self.target_lang}"


def source_languages(project: Project) -> list[str]:
    """The languages the briefs are written in (each one's `language:`)."""
    return sorted({src.brief.language for src in project.briefs.values()})


def glossaries(project: Project, lang: str) -> list[Glossary]:
    """One glossary per source language of the briefs into `lang`; BriefError (BG660,
    BG661) when no audience reads `lang` or every brief is written in it."""
    readers = sorted(project.readers(lang))
    if not readers:
        read = sorted({x for a in project.audiences.values() for x in a.value.languages})
        raise BriefError([Problem("briefgen", 0, 0, f"no audience reads '{lang}', so there is "
                                  "no translation to make a glossary for", field="--lang",
                                  hint="languages the audiences read: " + ", ".join(read),
                                  code="BG660")])
    sources = [s for s in source_languages(project) if s != lang]
    if not sources:
        raise BriefError([Problem("briefgen", 0, 0, f"every brief is written in '{lang}': "
                                  "there is nothing to translate into it", field="--lang",
                                  hint="give a language the briefs are translated into",
                                  code="BG661")])
    return [Glossary(src, lang, tuple(_entries(project, src, lang, readers)))
            for src in sources]


def _entries(project: Project, src: str, tgt: str, readers: list[str]) -> list[Entry]:
    keys = set(project.terms.value) if project.terms else set()
    for aud in project.audiences.values():
        keys |= set(aud.value.terms)
    tables = {aid: (terms_of(project, aid, src), terms_of(project, aid, tgt))
              for aid in readers}
    entries: list[Entry] = []
    for key in sorted(keys):
        used: dict[tuple[str, str], list[str]] = {}
        for aid in readers:
            source, target = tables[aid][0].get(key), tables[aid][1].get(key)
            if source is not None and target is not None:
                used.setdefault((source.text, target.text), []).append(aid)
        if used:
            entries.extend(Entry(key, s, t, tuple(aids)) for (s, t), aids in sorted(used.items()))
        elif project.terms and (text := project.terms.value.get(key, {}).get(src)):
            entries.append(Entry(key, text, None, ()))
    return entries


# -- TBX v3 (ISO 30042:2019), dialect TBX-Basic, data categories as attributes (dca) --------


def tbx_bytes(glossary: Glossary) -> bytes:
    """The glossary as a TBX-Basic document (ISO 30042:2019, style dca)."""
    ET.register_namespace("", TBX_NS)

    def el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{TBX_NS}}}{tag}", attrs)
        node.text = text
        return node

    root = ET.Element(f"{{{TBX_NS}}}tbx", {XML_LANG: glossary.source_lang,
                                          "type": "TBX-Basic", "style": "dca"})
    desc = el(el(root, "tbxHeader"), "fileDesc")
    title = el(desc, "titleStmt")
    el(title, "title", f"briefgen terms, {glossary.source_lang} to {glossary.target_lang}")
    el(el(desc, "sourceDesc"), "p", "Made by briefgen from content/terms.yaml and the "
       "terms: of each file in content/audiences/")
    text = el(root, "text")
    body = el(text, "body") if glossary.entries else None
    counts: dict[str, int] = {}
    for entry in glossary.entries:
        assert body is not None
        counts[entry.key] = counts.get(entry.key, 0) + 1
        concept = el(body, "conceptEntry", id=f"term-{entry.key}-{counts[entry.key]}")
        for aid in entry.audiences:
            el(concept, "admin", aid, type="customerSubset")
        el(concept, "note", entry.note)
        for lang, words in ((glossary.source_lang, entry.source),
                            (glossary.target_lang, entry.target)):
            if words is not None:
                el(el(el(concept, "langSec", **{XML_LANG: lang}), "termSec"), "term", words)
    ET.indent(root, space="  ")
    tree: bytes = ET.tostring(root, encoding="utf-8")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + "".join(
        f'<?xml-model href="{href}" type="application/xml" schematypens="{kind}"?>\n'
        for href, kind in SCHEMAS)).encode() + tree + b"\n"


# -- CSV (RFC 4180, UTF-8): the columns glossary imports of CAT tools map ------------------


def csv_cell(text: str) -> str:
    """A cell no spreadsheet runs as a formula: an apostrophe before = + - @ tab or CR."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(glossary: Glossary) -> bytes:
    """The glossary as CSV: source, target, context (key and audiences), description."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for entry in glossary.entries:
        context = entry.key + (f" ({' '.join(entry.audiences)})" if entry.audiences else "")
        writer.writerow([csv_cell(entry.source), csv_cell(entry.target or ""),
                         csv_cell(context), csv_cell(entry.note)])
    return str(buf.getvalue()).encode("utf-8")


def glossary_files(project: Project, lang: str, formats: tuple[str, ...], out: Path
                   ) -> list[tuple[Path, bytes]]:
    """The files `translations glossary` writes: per source language, one per format."""
    render = {"tbx": tbx_bytes, "csv": csv_bytes}
    return [(out / f"{g.stem}.{fmt}", render[fmt](g))
            for g in glossaries(project, lang) for fmt in formats]


def write_glossary(project: Project, lang: str, formats: tuple[str, ...], out: Path | None
                   ) -> list[Path]:
    """Make every file in memory, then write them all at once into `out` (default
    build/translations/ in the project); the paths written."""
    from briefgen.build.files import check_out_dir, write_all

    folder = check_out_dir(out if out is not None else project.root / "build" / "translations",
                           project)
    files = glossary_files(project, lang, formats, folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_all(files, inside=folder)
    return [path for path, _ in files]
