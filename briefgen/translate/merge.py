"""`briefgen translations import`: returned files checked and merged into
translations/<lang>.yaml, all or nothing.

Only confirmed entries count (XLIFF translated/reviewed/final without briefgen's
needs-review or from-memory subState; PO neither fuzzy nor empty), and a unit only when
every entry of it is confirmed. For each unit imported: the file's source text must give the
source_hash the file carries (else it was tampered with), each segment's Markdown must have
its source's constructs (translate/verify.py; XLIFF codes also in translate/returned.py),
each field the audience skeleton of its source (content/checks.py `_check_markers`). The
merged YAML keeps comments, key order and formatting of what it does not touch (ruamel.yaml
round trip; an untouched file is not rewritten) and must then pass check's checks for that
translation (the project loaded and planned in a scratch copy) before anything is written.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from briefgen.build.files import write_all
from briefgen.content.checks import _check_markers
from briefgen.content.models import Unit
from briefgen.content.project import BriefSource, Project, SourceUnit
from briefgen.content.readers import fields_hash
from briefgen.content.yamlread import Document
from briefgen.edition.scripts import OWN_LETTERS, overlap, script
from briefgen.errors import BriefError, Problem, Problems
from briefgen.translate.history import History
from briefgen.translate.returned import Back, Returned, check_codes, read
from briefgen.translate.segments import Split, split
from briefgen.translate.verify import differences

Fields = dict[str, str | list[str]]


@dataclass
class Outcome:
    imported: int  # units
    skipped: int  # entries not confirmed
    unchanged: int  # units whose translation was already this
    written: list[str]  # files


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def run_import(project: Project, files: list[Path]) -> Outcome:
    problems = Problems()
    outcome = Outcome(0, 0, 0, [])
    edits: dict[tuple[str, str], dict[str, tuple[str, Fields]]] = {}
    for path in files:
        shown = path.as_posix()
        returned = read(path, shown, problems)
        if returned is None:
            continue
        src = _brief(project, returned, problems)
        if src is None:
            continue
        todo = edits.setdefault((src.slug, returned.lang), {})
        _units(project, src, returned, todo, outcome, problems)
    problems.raise_if_errors()
    writes: list[tuple[Path, bytes]] = []
    for (slug, lang), todo in sorted(edits.items()):
        if not todo:
            continue
        src = project.briefs[slug]
        target = src.dir / "translations" / f"{lang}.yaml"
        data = _merged(project, src, lang, target, todo)
        if data is not None:
            _check_merged(project, src, lang, target, data, problems)
            writes.append((target, data))
    problems.raise_if_errors()
    if writes:
        write_all(writes, inside=project.content)
    outcome.written = [p.relative_to(project.root).as_posix() for p, _ in writes]
    return outcome


def _brief(project: Project, returned: Returned, problems: Problems) -> BriefSource | None:
    src = project.briefs.get(returned.brief)
    if src is None:
        problems.error(returned.path, returned.line, 1, f"the file is for brief "
                       f"'{returned.brief}', which this project does not have",
                       hint="briefs: " + ", ".join(sorted(project.briefs)), code="BG622")
        return None
    readers = project.readers(returned.lang)
    if returned.lang == src.brief.language or not readers:
        problems.error(returned.path, returned.line, 1, f"the file translates into "
                       f"'{returned.lang}', which no audience of {src.slug} reads in "
                       "translation", code="BG623")
        return None
    return src


def _units(project: Project, src: BriefSource, returned: Returned,
           todo: dict[str, tuple[str, Fields]], outcome: Outcome, problems: Problems) -> None:
    readers = project.readers(returned.lang)
    by_uid: dict[str, list[Back]] = {}
    for e in returned.entries:
        unit = src.units.get(e.uid)
        if unit is None or not unit.audiences & readers or e.n < 0 or \
                e.field not in unit.fields:
            problems.error(returned.path, e.line, 1, f"{e.id}: no such unit, field or segment "
                           f"in {src.doc.path} for {returned.lang}", code="BG624")
            continue
        by_uid.setdefault(e.uid, []).append(e)
    have = src.translations[returned.lang].value.units if returned.lang in src.translations \
        else {}
    history = History(project, src)  # one for the brief: its git log is read once
    for uid, entries in by_uid.items():
        unit = src.units[uid]
        if not all(e.confirmed for e in entries):
            outcome.skipped += sum(not e.confirmed for e in entries)
            continue
        fields = _fields(unit, entries, returned, readers, problems)
        if fields is None:
            continue
        digest, source, target = fields
        old = have.get(uid)
        if old is not None and old.fields() == target and old.source_hash == digest:
            outcome.unchanged += 1
            continue
        ok = _provenance(history, unit, digest, old, readers, returned, entries, problems)
        ok &= _in_its_script(returned, unit, target, entries, problems)
        for name, text in target.items():
            before = old.fields().get(name) if old is not None else None
            if isinstance(text, str) and text != before:
                ok &= _verify(returned, unit, name, source[name], text, entries, project,
                              readers, problems)
            elif isinstance(text, list) and text != before:  # keywords: plain words
                for word in text:
                    found = differences("x", word)
                    if found or any(c in _NOT_YAML_TEXT for c in word):
                        problems.error(returned.path, entries[0].line, 1,
                                       f"{unit.uid}/{name}: the keyword '{word}' holds "
                                       "Markdown or a character a keyword cannot",
                                       hint="keywords are plain words", code="BG632")
                        ok = False
        if ok:
            todo[uid] = (digest, target)
            outcome.imported += 1


def _provenance(history: History, unit: SourceUnit, digest: str, old: Unit | None,
                readers: frozenset[str], returned: Returned, entries: list[Back],
                problems: Problems) -> bool:
    """The source the file says was translated is this brief's: as it is now, as the
    translation already records it, or as a commit of it was (briefgen/translate/history.py).
    A hash is no secret: a file could carry text the translator never saw, with its hash."""
    if digest in (unit.hash_for(readers), unit.hash) or \
            (old is not None and old.source_hash == digest):
        return True
    if history.previous(unit.uid, readers, digest) is not None:
        return True
    problems.error(returned.path, entries[0].line, 1, f"{unit.uid}: the file's source "
                   f"(source_hash {digest}) is not this brief's, now or in any commit of it",
                   hint="export the file again and translate what it shows", code="BG625")
    return False


def _in_its_script(returned: Returned, unit: SourceUnit, target: Fields,
                   entries: list[Back], problems: Problems) -> bool:
    """The translation is written in the file's language: none of its letters is of a
    script that language does not use (Korean text in a file relabelled zh-Hans)."""
    mine = script(returned.lang)
    if not mine:
        return True
    text = " ".join(t if isinstance(t, str) else " ".join(t) for t in target.values())
    for letters, name in _SCRIPTS.items():
        if letters == mine or overlap(letters, mine) or (letters == "Hani" and mine == "Hang"):
            continue  # Korean may write hanja; Japanese writes kanji
        if (found := _LETTERS[letters].search(text)) is not None:
            problems.error(returned.path, entries[0].line, 1, f"{unit.uid}: the translation "
                           f"holds {name} letters ('{found.group()}'), which "
                           f"{returned.lang} does not use: is the file's language right?",
                           code="BG623")
            return False
    return True


_SCRIPTS = {"Hang": "Hangul", "Hani": "Han", "Kana": "kana"}
_LETTERS = {name: re.compile(f"[{OWN_LETTERS[name]}]+") for name in _SCRIPTS}


def _fields(unit: SourceUnit, entries: list[Back], returned: Returned,
            readers: frozenset[str], problems: Problems
            ) -> tuple[str, Fields, Fields] | None:
    """The unit's hash, and its source and target fields as the file gives them; None (with
    a problem) when the file's source does not give the hash it carries."""
    first = entries[0]
    source: Fields = {}
    target: Fields = {}
    for name in unit.fields:
        mine = sorted((e for e in entries if e.field == name), key=lambda e: e.n)
        if not mine:
            problems.error(returned.path, first.line, 1, f"{unit.uid}/{name}: the file has no "
                           "entry for this field", code="BG624")
            return None
        if isinstance(unit.fields[name], list):  # keywords: one entry, a keyword a line
            source[name] = mine[0].source.split("\n")
            target[name] = [k.strip() for k in (mine[0].target or "").split("\n") if k.strip()]
        elif len(mine) == 1 and mine[0].n == 0:
            source[name], target[name] = mine[0].source, mine[0].target or ""
        elif [e.n for e in mine] == list(range(1, len(mine) + 1)) and \
                len(mine[0].layout) == len(mine) + 1 and \
                all(e.layout == mine[0].layout for e in mine):
            layout = Split([], list(mine[0].layout))
            source[name] = layout.join([e.source for e in mine])
            target[name] = layout.join([e.target or "" for e in mine])
            # cut where briefgen cuts it, or syntax split across two entries would be text
            # in each and syntax once joined (verify compares the joined field too)
            again = split(str(source[name]))
            if again.segments != [e.source for e in mine] or again.layout != list(layout.layout):
                source[name] = "\0"
        else:
            source[name] = "\0"  # no source can be rebuilt: refused below
            target[name] = ""
    digest = first.hash
    if fields_hash(source) != digest or any(e.hash != digest for e in entries):
        problems.error(returned.path, first.line, 1, f"{unit.uid}: the file's source text "
                       f"does not give the source_hash it carries ({digest or 'none'}): it was "
                       "changed outside a translator's tool", hint="export the file again",
                       code="BG625")
        return None
    return digest, source, target


#: what a translation may not hold: YAML reads a line or paragraph separator (and NEL) as a
#: line break, and cannot write a lone surrogate
_NOT_YAML_TEXT = frozenset("\u2028\u2029\x85") | {chr(c) for c in range(0xD800, 0xE000)}


def _verify(returned: Returned, unit: SourceUnit, name: str, source: str | list[str],
            target: str, entries: list[Back], project: Project, readers: frozenset[str],
            problems: Problems) -> bool:
    """The field's audience skeleton, then its constructs segment by segment."""
    mine = [e for e in entries if e.field == name]
    if isinstance(source, str):
        found = Problems()
        doc = Document(returned.path, {}, {(): (mine[0].line, 1)})
        # the file showed the translator only what the readers see (its source_hash is
        # theirs): markers none of them sees may be left out, as check allows then
        _check_markers(doc, unit.uid, name, source, target, unit.audiences & readers,
                       sorted(project.audiences), found, shown_whole=False)
        for p in found.errors:
            problems.error(returned.path, mine[0].line, 1, f"{unit.uid}/{name}: the audience "
                           f"skeleton differs from the source: {p.message}", hint=p.hint,
                           code="BG633")
        if found.errors:
            return False
    ok = True
    bad = next((c for c in target if c in _NOT_YAML_TEXT), None)
    if bad is not None:
        problems.error(returned.path, mine[0].line, 1, f"{unit.uid}/{name}: the translation "
                       f"holds U+{ord(bad):04X}, which YAML reads as a line break or cannot "
                       "hold", hint="delete it", code="BG632")
        return False
    for e in mine:
        if e.codes is not None:
            before = len(problems.errors)
            check_codes(*e.codes, returned.path, e.line, e.id, problems)
            if len(problems.errors) > before:
                ok = False
                continue
        for code, message in differences(e.source, e.target or ""):
            problems.error(returned.path, e.line, 1, f"{e.id}: {message}", code=code)
            ok = False
    if ok and isinstance(source, str):  # the field whole: what its entries make, joined
        for code, message in differences(source, target):
            problems.error(returned.path, mine[0].line, 1, f"{unit.uid}/{name}: {message}",
                           code=code)
            ok = False
    return ok


# -- the YAML ---------------------------------------------------------------------------------


def _scalar(text: str) -> Any:
    return LiteralScalarString(text) if "\n" in text.rstrip("\n") or text.endswith("\n") \
        else text


def _value(text: str | list[str]) -> Any:
    if isinstance(text, list):
        seq = CommentedSeq(text)
        seq.fa.set_flow_style()
        return seq
    return _scalar(text)


def _merged(project: Project, src: BriefSource, lang: str, path: Path,
            todo: dict[str, tuple[str, Fields]]) -> bytes | None:
    """The translation file with todo merged in, or None when nothing changes."""
    yaml = _yaml()
    raw = path.read_text(encoding="utf-8") if path.exists() else \
        f"language: {lang}\nunits: {{}}\n"
    data = yaml.load(raw)
    units = data.get("units")
    if not isinstance(units, CommentedMap):
        units = data["units"] = CommentedMap()
        units.fa.set_block_style()
    if units.fa.flow_style():
        units.fa.set_block_style()
    order = list(src.units)
    for uid, (digest, fields) in todo.items():
        if uid in units:
            node = units[uid]
            node["source_hash"] = DoubleQuotedScalarString(digest)
            for name, text in fields.items():
                if node.get(name) != text:
                    node[name] = _value(text)
            continue
        node = CommentedMap()
        node["source_hash"] = DoubleQuotedScalarString(digest)
        for name, text in fields.items():
            node[name] = _value(text)
        later = [k for k in units if k in order and order.index(k) > order.index(uid)]
        units.insert(list(units).index(later[0]) if later else len(units), uid, node)
    out = io.StringIO()
    yaml.dump(data, out)
    text = out.getvalue()
    return None if text == raw else text.encode()


def _check_merged(project: Project, src: BriefSource, lang: str, target: Path, data: bytes,
                  problems: Problems) -> None:
    """The checks of `briefgen check` for this translation, on a scratch copy of the project
    with the merged file in place."""
    from briefgen.build.plan import Selection
    from briefgen.build.run import guard_pages, plan
    from briefgen.content.project import load_project

    shown = target.relative_to(project.root).as_posix()
    found = Problems()
    with tempfile.TemporaryDirectory(prefix="briefgen-import-") as tmp:
        root = Path(tmp)
        shutil.copytree(project.content, root / "content", symlinks=True)
        if (project.root / "templates").is_dir():
            shutil.copytree(project.root / "templates", root / "templates", symlinks=True)
        (root / shown).write_bytes(data)
        try:
            copy = load_project(root, allow_incomplete=True)
            jobs = plan(copy, Selection(briefs=(src.slug,), languages=(lang,)), found)
            guard_pages(jobs, found)
        except BriefError as exc:
            found.items.extend(exc.problems)
    # every error the merge brings, wherever it is reported (a leak the guard finds on the
    # rendered page names no single file): those the project already had are not its
    before = Problems()
    try:
        guard_pages(plan(project, Selection(briefs=(src.slug,), languages=(lang,)), before),
                    before)
    except BriefError as exc:
        before.items.extend(exc.problems)
    had = {(p.code, p.path, p.message) for p in before.errors}
    mine: list[Problem] = [p for p in found.errors if (p.code, p.path, p.message) not in had]
    for p in mine:
        problems.error(p.path, p.line, p.col, f"after the import: {p.message}", field=p.field,
                       hint=p.hint, code="BG634")
