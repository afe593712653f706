"""Find, read and validate every content file; keep each value's source file:line."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from briefgen.content.models import UNIT_FIELDS, Audience, Brief, ItemsSection, Terms, Translation
from briefgen.content.yamlread import Document, Loc, Sourced, cache_dir, read_yaml
from briefgen.errors import BriefError, Problem, Problems, did_you_mean, display_path
from briefgen.paths import confined, read_roots, refusal
from briefgen.session import Session
from briefgen.theme import Theme

TERM_RE = re.compile(r"\[\[([A-Za-z0-9_-]+)\]\]")
ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# The element ids templates/base.html.j2 (and markdown.py's footnotes) give the page itself.
# A section, item or takeaway becomes an element with its id and `<id>-heading`.
TEMPLATE_ANCHORS = frozenset({"main", "sources", "toc-heading", "takeaways-heading",
                              "summary-heading", "notes-heading", "sources-heading",
                              "about-heading"})
NOTE_ANCHOR = re.compile(r"(?:note|noteref)-[0-9]+")


def anchor_clash(uid: str) -> str:
    """The template's own anchor that an element with id `uid` would duplicate, or ''."""
    for anchor in (uid, f"{uid}-heading"):
        if anchor in TEMPLATE_ANCHORS or NOTE_ANCHOR.fullmatch(anchor):
            return anchor
    return ""


@dataclass
class SourceUnit:
    """A piece of the brief that is translated as one: its text fields and where they live."""

    uid: str
    kind: str
    fields: dict[str, str]
    loc: Loc
    audiences: set[str]  # which audiences see it

    @property
    def hash(self) -> str:
        blob = json.dumps(self.fields, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


@dataclass
class BriefSource:
    slug: str
    dir: Path
    doc: Document
    brief: Brief
    translations: dict[str, Sourced[Translation]] = field(default_factory=dict)
    units: dict[str, SourceUnit] = field(default_factory=dict)

    @property
    def languages(self) -> list[str]:
        return [self.brief.language, *sorted(self.translations)]


def _shown(path: Path, root: Path) -> str:
    """A path under the project as the user wrote it: relative, and its symlinks not followed
    (a link out of the project is named by its own path)."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else \
        display_path(path, root)


def template_folders(root: Path) -> tuple[Path, ...]:
    """The project's own templates/ (overriding single files), then briefgen's."""
    return Theme.of(root).folders


def _digest_files(folder: Path, paths: list[Path], roots: tuple[Path, ...]) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        try:
            # a link out of the project is refused by whatever uses the file: never read
            data = path.read_bytes() if refusal(path, roots, "") is None else b"outside"
        except OSError as exc:  # reported, with its file:line, by whatever uses the file
            data = f"unreadable: {exc.errno}".encode()
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + data + b"\0")
    return h.hexdigest()


def _tree(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


@dataclass(frozen=True)
class Digests:
    """Hashes of the files editions are made from, taken before any is parsed."""

    shared: str  # audiences, terms and templates: every edition depends on them
    briefs: dict[str, str]  # each brief's folder, by slug


def source_digests(content: Path, folders: tuple[Path, ...], roots: tuple[Path, ...]
                   ) -> Digests:
    """Hashes of the files editions are made from: the shared ones (audiences, terms,
    templates), and each brief's folder by slug. Nothing outside `roots` is read (or, for a
    brief folder, even listed)."""
    shared = [p for p in (content / "audiences").glob("*.yaml")]
    if (content / "terms.yaml").is_file():
        shared.append(content / "terms.yaml")
    parts = [_digest_files(content, shared, roots)]
    for folder in folders:
        parts.append(_digest_files(folder, _tree(folder), roots))
    briefs = {d.name: _digest_files(d, _tree(d), roots)
              for d in sorted((content / "briefs").iterdir())
              if d.is_dir() and refusal(d, roots, "") is None}
    return Digests(hashlib.sha256("\0".join(parts).encode()).hexdigest(), briefs)


@dataclass
class Project:
    root: Path
    content: Path
    audiences: dict[str, Sourced[Audience]]
    terms: Sourced[Terms] | None  # None: no content/terms.yaml
    briefs: dict[str, BriefSource]
    # Taken before any file is parsed: a file saved while a build runs then makes the next
    # build do more, never record output made from its older text as current.
    sources: Digests
    #: the long-lived caches of the process that loaded it (parsed files, catalogs, …)
    session: Session
    warnings: list[Problem] = field(default_factory=list)

    @property
    def template_folders(self) -> tuple[Path, ...]:
        return template_folders(self.root)

    def editions(self, slug: str) -> list[tuple[str, str]]:
        """(audience, language) pairs that a brief is published in."""
        src = self.briefs[slug]
        return [(aid, lang) for aid, aud in sorted(self.audiences.items())
                for lang in aud.value.languages if lang in src.languages]


# -- pydantic errors -> problems ------------------------------------------------------


def _unwrap(tp: Any, part: str | int) -> Any:
    """The type found one step down `part` from type `tp` (for 'did you mean' lookups)."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        fld = tp.model_fields.get(str(part))
        return fld.annotation if fld else None
    if origin in (list, tuple):
        return typing.get_args(tp)[0]
    if origin is dict:
        return typing.get_args(tp)[1]
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        for arg in typing.get_args(tp):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                tag = arg.model_fields.get("type")
                if tag is not None and part in typing.get_args(tag.annotation):
                    return arg
        for arg in typing.get_args(tp):
            inner = _unwrap(arg, part)
            if inner is not None:
                return inner
    return None


def _model_at(root: type[BaseModel], loc: Loc) -> Any:
    tp: Any = root
    for part in loc:
        nxt = _unwrap(tp, part)
        if nxt is None:
            # discriminator tags appear in pydantic's loc but not in the data: step over
            continue
        tp = nxt
    while typing.get_origin(tp) is typing.Annotated or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if isinstance(a, type) and issubclass(a, BaseModel)]
        if not args:
            break
        tp = args[0]
    return tp


def _data_loc(data: Any, loc: Loc) -> tuple[Loc, str]:
    """Map pydantic's loc onto the data (dropping union tags); also a readable field path."""
    out: list[str | int] = []
    shown = ""
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            out.append(part)
            shown += ("." if shown else "") + str(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            out.append(part)
            item = node[part]
            label = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) \
                else part
            shown += f"[{label}]"
            node = item
        elif isinstance(node, dict) and isinstance(part, str) and node.get("type") == part:
            continue  # a discriminated-union tag
        else:
            out.append(part)
            shown += ("." if shown else "") + str(part)
            node = None
    return tuple(out), shown


_PLAIN = {
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected a mapping of keys to values",
    "model_type": "expected a mapping of fields",
    "model_attributes_type": "expected a mapping of fields",
    "int_type": "expected a whole number",
    "bool_type": "expected true or false",
}


def validation_problems(doc: Document, exc: ValidationError, model: type[BaseModel]
                        ) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc, shown = _data_loc(doc.data, tuple(err["loc"]))
        kind = err["type"]
        ctx = err.get("ctx", {})
        hint = ""
        line, col = doc.where(loc)
        if kind == "missing":
            message = "required field is missing"
        elif kind == "extra_forbidden":
            line, col = doc.where((*loc, "<key>"))
            parent = _model_at(model, tuple(err["loc"])[:-1])
            allowed = list(getattr(parent, "model_fields", {}))
            message = f"unknown field '{loc[-1]}'"
            hint = did_you_mean(str(loc[-1]), allowed) or (
                "allowed: " + ", ".join(allowed) if allowed else "")
        elif kind == "union_tag_invalid":
            expected = re.findall(r"'([^']+)'", str(ctx.get("expected_tags", "")))
            message = f"unknown section type '{ctx.get('tag')}'; expected one of " \
                      + ", ".join(expected)
            hint = did_you_mean(str(ctx.get("tag")), expected)
            loc2 = (*loc, "type")
            line, col = doc.where(loc2)
            shown += ".type"
        elif kind == "union_tag_not_found":
            message = "section needs a type: prose, tasks, issues or recommendations"
        elif kind == "literal_error":
            expected = re.findall(r"'([^']+)'", str(ctx.get("expected", "")))
            message = f"'{err['input']}' is not one of " + ", ".join(expected)
            hint = did_you_mean(str(err["input"]), expected)
        elif kind.startswith("date") or kind.startswith("datetime"):
            reason = str(ctx.get("error", "")).replace("_", " ")
            message = f"'{err['input']}' is not a valid date (use YYYY-MM-DD)" + (
                f": {reason}" if reason else "")
        elif kind == "string_pattern_mismatch":
            pattern = str(ctx.get("pattern", ""))
            if "https?" in pattern:
                message = f"'{err['input']}' is not an http(s) URL"
            else:
                message = f"'{err['input']}' must be lowercase letters and digits joined " \
                          "by hyphens, like 'policy-recommendations'"
                if "source_hash" in shown:
                    message = "must be the 12-character hash `briefgen translations` prints"
        elif kind == "too_short":
            minimum = ctx.get("min_length", 1)
            message = "must not be empty" if minimum == 1 else f"needs at least {minimum} items"
        elif kind == "string_unicode":
            message = "contains a lone surrogate (an escape such as \\ud800), which is not text"
            hint = "remove the escape, or write the character itself"
        elif kind == "value_error":
            message = str(err["msg"]).removeprefix("Value error, ")
        elif kind in _PLAIN:
            got = type(err["input"]).__name__
            got = {"str": "text", "int": "a number", "float": "a number", "bool": "true/false",
                   "list": "a list", "dict": "a mapping", "NoneType": "nothing"}.get(got, got)
            message = f"{_PLAIN[kind]}, got {got}"
        else:
            message = str(err["msg"])
        problems.append(Problem(doc.path, line, col, message, shown, hint))
    return problems


def _validate(doc: Document, model: type[BaseModel], problems: Problems) -> Any:
    if not isinstance(doc.data, dict):
        problems.error(doc.path, 1, 1, "expected a mapping of fields at the top of the file")
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        for p in validation_problems(doc, exc, model):
            problems.add(p)
        return None


def _read(path: Path, root: Path, problems: Problems, session: Session
          ) -> Document | None:
    try:
        return read_yaml(path, _shown(path, root), cache=cache_dir(),
                         roots=read_roots(root), documents=session.documents)
    except BriefError as exc:
        for p in exc.problems:
            problems.add(p)
        return None


def _load(path: Path, root: Path, model: type[BaseModel], problems: Problems,
          session: Session) -> tuple[Document, Any] | None:
    """Read and validate one file; None (with problems recorded) if either step fails."""
    doc = _read(path, root, problems, session)
    value = _validate(doc, model, problems) if doc is not None else None
    return None if doc is None or value is None else (doc, value)


# -- loading ---------------------------------------------------------------------------


def load_project(root: Path, content: Path | None = None, allow_incomplete: bool = False,
                 session: Session | None = None) -> Project:
    """Read and validate every content file; raise BriefError listing every problem.

    Parsed files are remembered in `session` (a new one when none is given), which the
    project keeps: commands that run long (serve, --watch) pass theirs in each time."""
    root = root.resolve()
    session = session if session is not None else Session(root)
    content = confined(content or root / "content", (root,), "content")
    problems = Problems()
    if not (content / "briefs").is_dir():
        raise BriefError([Problem(_shown(content, root), 0, 0,
            "no briefs/ folder here", hint="run briefgen in a project folder, or pass --content")])
    sources = source_digests(content, template_folders(root), read_roots(root))

    audiences: dict[str, Sourced[Audience]] = {}
    for path in sorted((content / "audiences").glob("*.yaml")):
        if not ID_RE.fullmatch(path.stem):
            problems.error(_shown(path, root), 0, 0,
                           "audience file names must be lowercase-with-hyphens")
        if loaded := _load(path, root, Audience, problems, session):
            audiences[path.stem] = Sourced(loaded[1], loaded[0])

    terms: Sourced[Terms] | None = None
    terms_path = content / "terms.yaml"
    if terms_path.exists():
        doc = _read(terms_path, root, problems, session)
        if doc is not None:
            from pydantic import TypeAdapter
            try:
                terms = Sourced(TypeAdapter(Terms).validate_python(doc.data), doc)
            except ValidationError as exc:
                for p in validation_problems(doc, exc, BaseModel):
                    problems.add(p)

    briefs: dict[str, BriefSource] = {}
    for brief_dir in sorted(p for p in (content / "briefs").iterdir() if p.is_dir()):
        if not _brief_folder_ok(brief_dir, root, problems):
            continue
        path = brief_dir / "brief.yaml"
        if not path.exists():
            problems.error(_shown(brief_dir, root), 0, 0, "folder has no brief.yaml")
            continue
        if not (loaded := _load(path, root, Brief, problems, session)):
            continue
        doc, brief = loaded
        src = BriefSource(brief_dir.name, brief_dir, doc, brief)
        for tpath in sorted((brief_dir / "translations").glob("*.yaml")):
            if not (tloaded := _load(tpath, root, Translation, problems, session)):
                continue
            tdoc, translation = tloaded
            if translation.language != tpath.stem:
                line, col = tdoc.where(("language",))
                problems.error(tdoc.path, line, col, f"says '{translation.language}' but the "
                               f"file is named {tpath.name}", field="language")
            elif translation.language == brief.language:
                problems.error(tdoc.path, 1, 1, "translates the brief into its own language")
            else:
                src.translations[translation.language] = Sourced(translation, tdoc)
        briefs[src.slug] = src

    project = Project(root, content, audiences, terms, briefs, sources, session)
    if not problems.errors:
        check_references(project, problems)
    if allow_incomplete:
        problems.items = [p for p in problems.items if "not translated into" not in p.message]
    project.warnings = problems.warnings
    problems.raise_if_errors()
    return project


def _brief_folder_ok(brief_dir: Path, root: Path, problems: Problems) -> bool:
    """A brief folder stays inside the project and is named like an id (it is the slug in
    every output path and link)."""
    shown = _shown(brief_dir, root)
    if (problem := refusal(brief_dir, (root,), shown)) is not None:
        problems.add(problem)
        return False
    if not ID_RE.fullmatch(brief_dir.name):
        suggestion = "-".join(re.findall(r"[a-z0-9]+", brief_dir.name.lower())) or "brief-1"
        problems.error(shown, 0, 0, f"brief folder name '{brief_dir.name}' is not an id: "
                       "lowercase letters and digits joined by hyphens",
                       hint=f"rename the folder, e.g. to '{suggestion}'")
        return False
    return True


# -- cross-file checks -------------------------------------------------------------------


def brief_units(src: BriefSource, audience_ids: list[str]) -> dict[str, SourceUnit]:
    """Every translatable unit of a brief, with the audiences that see it."""
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


def check_references(project: Project, problems: Problems) -> None:
    """Ids, audience references, term keys and translations across files."""
    ids = sorted(project.audiences)
    all_terms = set(project.terms.value) if project.terms else set()
    for aud in project.audiences.values():
        all_terms |= set(aud.value.terms)

    all_sections: set[str] = set()
    for src in project.briefs.values():
        _check_brief(project, src, ids, problems)
        all_sections |= {s.id for s in src.brief.sections}
        for doc, loc, text in _markdown_fields(src):
            for m in TERM_RE.finditer(text):
                key = m.group(1)
                if key.lower() not in all_terms:
                    line, col = term_position(doc, loc, text, m.start())
                    hint = did_you_mean(key.lower(), all_terms) or \
                        "define it in content/terms.yaml or an audience's terms"
                    problems.error(doc.path, line, col, f"unknown term '[[{key}]]'",
                                   field=field_path(doc, loc), hint=hint)

    for sourced in project.audiences.values():
        doc, wanted = sourced.doc, sourced.value
        for i, sid in enumerate(wanted.section_order):
            if sid not in all_sections:
                line, col = doc.where(("section_order", i))
                problems.error(doc.path, line, col, f"no brief has a section '{sid}'",
                               field=f"section_order[{i}]",
                               hint=did_you_mean(sid, all_sections))


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
                               or "audiences: " + ", ".join(ids))

    def selectable(obj: Any, loc: Loc) -> None:
        check_ids(obj.audiences, (*loc, "audiences"))
        check_ids(obj.exclude_audiences, (*loc, "exclude_audiences"))

    seen: dict[str, int] = {}

    def unique(uid: str, loc: Loc, anchor: bool = True) -> None:
        line, col = doc.where((*loc, "id"))
        if anchor and (clash := anchor_clash(uid)):
            problems.error(doc.path, line, col, f"id '{uid}' would repeat the page's own "
                           f"anchor '{clash}'", field=field_path(doc, (*loc, "id")),
                           hint=f"choose another id, e.g. '{uid}-part'")
        if uid in seen:
            problems.error(doc.path, line, col, f"duplicate id '{uid}' (first used on line "
                           f"{seen[uid]})", field=field_path(doc, (*loc, "id")),
                           hint="ids must be unique within a brief")
        else:
            seen[uid] = line

    for aid in b.overrides:
        if aid not in project.audiences:
            line, col = doc.where(("overrides", aid, "<key>"))
            problems.error(doc.path, line, col, f"unknown audience '{aid}'",
                           field=f"overrides.{aid}", hint=did_you_mean(aid, ids))
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
    for i, source in enumerate(b.sources):
        unique(source.id, ("sources", i), anchor=False)
        selectable(source, ("sources", i))
    if "meta" in seen:
        line, col = doc.where(("meta",))
        problems.error(doc.path, line, col, "'meta' is reserved; choose another id")

    src.units = brief_units(src, ids)
    _check_translations(project, src, problems)


def _check_markers(tdoc: Document, uid: str, name: str, source: str, translated: str,
                   readers: set[str], ids: list[str], problems: Problems) -> None:
    """A translation keeps every audience block and span of its source, with the same
    audience lists, in the same order. One that none of its readers sees may be left empty,
    not out: text that lost its markers cannot be told from text the translator dropped."""
    from briefgen.content.syntax import audience_markers, block_shape, spec_issues

    want, have = audience_markers(source), audience_markers(translated)
    if any(spec_issues(m.spec, ids, 0) for m in [*want, *have]):
        return  # rendering reports the unknown audience or block name itself
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
                           "and span of the source, with the same audiences")
        for m in have[b0:b1] if op != "equal" else []:
            offset = sum(len(t) + 1 for t in translated.split("\n")[:m.line])
            line, col = term_position(tdoc, loc, translated, offset)
            problems.error(tdoc.path, line, col, f"the translation has a {m} that the source "
                           "does not have", field=field_,
                           hint="audience blocks and spans must match the source's")
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
                           "show it to audiences the source hides it from")
            return


def _check_translations(project: Project, src: BriefSource, problems: Problems) -> None:
    for lang, sourced in sorted(src.translations.items()):
        tdoc, tr = sourced.doc, sourced.value
        readers = {aid for aid, aud in project.audiences.items() if lang in aud.value.languages}
        for uid, unit in tr.units.items():
            line, col = tdoc.where(("units", uid, "<key>"))
            source = src.units.get(uid)
            if source is None:
                problems.error(tdoc.path, line, col, f"no unit '{uid}' in the source brief",
                               field=f"units.{uid}", hint=did_you_mean(uid, src.units))
                continue
            have, want = set(unit.fields()), set(source.fields)
            for extra in sorted(have - want):
                fl, fc = tdoc.where(("units", uid, extra, "<key>"))
                problems.error(tdoc.path, fl, fc, f"the source has no {extra} to translate",
                               field=f"units.{uid}.{extra}")
            for missing in sorted(want - have):
                problems.error(tdoc.path, line, col, f"{missing} is not translated",
                               field=f"units.{uid}")
            for name in sorted(have & want):
                _check_markers(tdoc, uid, name, source.fields[name], unit.fields()[name],
                               source.audiences & readers, sorted(project.audiences),
                               problems)
            if unit.source_hash is None:
                problems.warn(tdoc.path, line, col, "no source_hash recorded, so a change to "
                              "the source cannot be detected", field=f"units.{uid}",
                              hint=f"add source_hash: \"{source.hash}\"")
            elif unit.source_hash != source.hash:
                problems.warn(tdoc.path, line, col, f"stale: the {src.brief.language} source "
                              "changed after this was translated", field=f"units.{uid}",
                              hint="`briefgen translations` shows what to refresh")
        for uid, source in src.units.items():
            if uid not in tr.units and source.audiences & readers:
                line, col = src.doc.where(source.loc)
                problems.error(src.doc.path, line, col, f"not translated into {lang} "
                               f"({tdoc.path})", field=uid or "meta",
                               hint="`briefgen translations` prints it to translate")
    for aid, aud in sorted(project.audiences.items()):
        for lang in aud.value.languages:
            if lang not in src.languages:
                problems.warn(src.doc.path, 1, 1, f"no {lang} translation, so {aid}'s {lang} "
                              "edition of this brief is not built")
