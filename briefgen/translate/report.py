"""`briefgen translations`: the units to translate or refresh, as the readers of each
language see them, with the hash to record and, for a stale one, what changed.

The report is YAML (a note for each unit above it): a mapping of each translation file's
path to its units, each as it goes under that file's `units:` (the same indentation), so
a file's block can be pasted there. `yaml()` is that and nothing else, checked by parsing
it back; `text()` is the same for people, the notes as plain lines. What is wrong (a
unit missing or stale) is a Problem for stderr, never part of either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import groupby
from typing import Literal

from ruamel.yaml import YAML

from briefgen.content.project import BriefSource, Project
from briefgen.errors import Problem, printable
from briefgen.translate.history import History, Previous
from briefgen.translate.worddiff import changed_lines, segments

Fields = dict[str, str | list[str]]
State = Literal["missing", "stale"]

HEADER = ("# Units to translate or refresh, under the translation file each belongs in.\n"
          "# Paste a file's units under `units:` in that file (in place of a unit with the\n"
          "# same id), then translate their text and keep their source_hash.\n")


@dataclass(frozen=True)
class Todo:
    """One unit a translation lacks or has out of date."""

    file: str  # the translation file, as shown (translations/LANG.yaml)
    line: int  # of the unit in it; 0: missing
    col: int
    uid: str
    state: State
    source: str  # where the source unit is: file:line
    fields: Fields  # as the language's readers see them
    hash: str  # the source_hash to record
    notes: tuple[str, ...] = ()  # for people: what changed, or why that is not known


@dataclass(frozen=True)
class Report:
    todos: tuple[Todo, ...] = field(default=())

    def problems(self) -> list[Problem]:
        """Each unit to do, as a warning at the translation file (and line, if stale)."""
        out = []
        for t in self.todos:
            message = f"{t.state} (source {t.source})"
            if t.state == "missing":
                out.append(Problem(t.file, 0, 0, message, t.uid, severity="warning",
                                   code="BG601"))
            else:
                out.append(Problem(t.file, t.line, t.col, message, t.uid,
                                   severity="warning", code="BG602"))
        return out

    def text(self) -> str:
        return "".join(line + "\n" for line in _lines(self.todos, ""))

    def yaml(self) -> str:
        out = HEADER + ("".join(line + "\n" for line in _lines(self.todos, "# "))
                        or "{}\n")
        _check_yaml(out, self.todos)
        return out


def languages(project: Project, src: BriefSource) -> list[str]:
    """The languages a brief is read in other than its own."""
    return sorted({lang for aud in project.audiences.values() for lang in aud.value.languages
                   if lang != src.brief.language})


def report(project: Project, briefs: tuple[str, ...] = (), langs: tuple[str, ...] = (),
           limit: int = 200) -> Report:
    """Every unit to translate or refresh, brief by brief, language by language."""
    todos: list[Todo] = []
    for slug in sorted(project.briefs):
        if briefs and slug not in briefs:
            continue
        src = project.briefs[slug]
        history = History(project, src, limit=limit)
        for lang in languages(project, src):
            if not langs or lang in langs:
                todos += _todos(project, src, lang, history)
    return Report(tuple(todos))


def _todos(project: Project, src: BriefSource, lang: str, history: History) -> list[Todo]:
    readers = project.readers(lang)
    sourced = src.translations.get(lang)
    units = dict(sourced.value.units) if sourced else {}
    where = f"{src.dir.relative_to(project.root).as_posix()}/translations/{lang}.yaml"
    out: list[Todo] = []
    for uid, unit in src.units.items():
        if not unit.audiences & readers:
            continue
        have = units.get(uid)
        if have is not None and unit.fresh(have.source_hash, readers):
            continue
        sdoc = unit.doc or src.doc
        source = f"{sdoc.path}:{sdoc.where(unit.loc)[0]}"
        fields = unit.fields_for(readers)
        if have is None or sourced is None:
            out.append(Todo(where, 0, 0, uid, "missing", source, fields,
                            unit.hash_for(readers), (f"{uid}: missing",)))
            continue
        line, col = sourced.doc.where(("units", uid, "<key>"))
        notes = _changes(uid, history.find(uid, readers, have.source_hash), fields)
        out.append(Todo(where, line, col, uid, "stale", source, fields,
                        unit.hash_for(readers), notes))
    return out


def _changes(uid: str, previous: Previous, fields: Fields) -> tuple[str, ...]:
    """The notes on a stale unit: each changed field's lines, word-diffed."""
    if previous.fields is None or previous.version is None:
        return (f"{uid}: stale; the source it was translated from is not found: "
                f"{previous.why}",)
    since = f"commit {previous.version.commit[:10]}, {previous.version.date}"
    notes: list[str] = []
    old = previous.fields
    for name in [*fields, *(n for n in old if n not in fields)]:
        before, after = _flat(old.get(name)), _flat(fields.get(name))
        if before == after:
            continue
        lines = changed_lines(segments(before, after))
        if len(lines) == 1:
            notes.append(f"  {name}: {lines[0]}")
        elif lines:
            notes += [f"  {name}:", *(f"    {ln}" for ln in lines)]
    if not notes:
        return (f"{uid}: stale; since it was translated ({since}) the source changed only in "
                "spacing or paragraph breaks",)
    return (f"{uid}: stale; what changed in the source since the version it translates "
            f"({since}):", *notes)


def _flat(value: str | list[str] | None) -> str:
    if value is None:
        return ""
    return ", ".join(value) if isinstance(value, list) else value


# -- YAML, written by hand so that every value is quoted or a block as intended -------------

_PLAIN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-._/][A-Za-z0-9]+)*")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf"}
# characters a literal block cannot hold as they are: controls other than the line feed,
# YAML 1.1's line breaks, bidi controls, BOM, surrogates, non-characters; a quoted scalar
# escapes them, and its quote, backslash and line feeds
_ESCAPE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e"
                     "\u2066-\u2069\ufeff\ud800-\udfff\ufffe\uffff]")
_QUOTE = re.compile('[\\\\"\n]|' + _ESCAPE.pattern)
_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


def _lines(todos: tuple[Todo, ...], note: str) -> list[str]:
    out: list[str] = []
    for file, group in groupby(todos, key=lambda t: t.file):
        out.append(f"{_key(file)}:")
        for t in group:
            out += [_ESCAPE.sub(_escape, printable(f"  {note}{n}")) for n in t.notes]
            out += [f"  {_key(t.uid)}:", f"    source_hash: {_quoted(t.hash)}"]
            for name, value in t.fields.items():
                out += _field(name, value)
    return out


def _field(name: str, value: str | list[str]) -> list[str]:
    """A field as the source wrote it: a text ending in a line break (or of several lines)
    as a literal block, when one can hold it exactly; any other text quoted."""
    if isinstance(value, list):  # keywords
        return [f"    {name}: [{', '.join(map(_quoted, value))}]"]
    body = value.rstrip("\n")
    lines = body.split("\n")
    first = next((ln for ln in lines if ln.strip()), " ")
    if body == value and len(lines) == 1 or _ESCAPE.search(value) or first[:1] == " " \
            or any(ln != ln.rstrip(" ") for ln in lines):
        return [f"    {name}: {_quoted(value)}"]  # (a block would need an indentation hint)
    trailing = len(value) - len(body)
    chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
    lines += [""] * max(trailing - 1, 0)
    return [f"    {name}: |{chomp}", *(f"      {ln}" if ln else "" for ln in lines)]


def _key(text: str) -> str:
    return text if _PLAIN_KEY.fullmatch(text) and text.lower() not in _YAML_WORDS \
        else _quoted(text)


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar that shows every character it holds as printable text."""
    return '"' + _QUOTE.sub(_escape, text) + '"'


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _SHORT:
        return _SHORT[ch]
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def _check_yaml(text: str, todos: tuple[Todo, ...]) -> None:
    """The YAML says exactly what was meant, or this is a bug: fail, never print it."""
    want: dict[str, dict[str, Fields]] = {}
    for t in todos:
        want.setdefault(t.file, {})[t.uid] = {"source_hash": t.hash, **t.fields}
    if YAML(typ="safe", pure=True).load(text) != want:
        raise RuntimeError("the report's YAML does not read back as its units (a bug)")
