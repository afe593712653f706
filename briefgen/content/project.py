"""The project: find every content file, hash what editions are made from, read and
validate each file (validation.py words the errors) and check what spans files (checks.py).
Each value keeps its source file:line."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from briefgen.content import references
from briefgen.content.checks import brief_references, brief_units, check_section_order
from briefgen.content.models import (
    SECTION_TYPES,
    SLUG,
    Audience,
    Brief,
    SectionTypes,
    Terms,
    Translation,
)
from briefgen.content.readers import fields_hash, seen_fields
from briefgen.content.references import References
from briefgen.content.validation import _validate, validation_problems
from briefgen.content.yamlread import Document, Loc, Sourced, cache_for, read_yaml
from briefgen.errors import BriefError, Problem, Problems, display_path
from briefgen.paths import confined, read_roots, refusal
from briefgen.session import Session
from briefgen.theme import Theme


@dataclass
class SourceUnit:
    """A piece of the brief that is translated as one: its text fields and where they live."""

    uid: str
    kind: str
    fields: dict[str, str | list[str]]  # keywords: a list; every other field: Markdown
    loc: Loc
    audiences: set[str]  # which audiences see it
    doc: Document | None = None  # the file it is written in, when not brief.yaml (a chart's)

    @property
    def hash(self) -> str:
        """The hash of every field, whoever sees it (what source_hash recorded before it was
        per language: still fresh while the whole text is unchanged)."""
        return fields_hash(self.fields)

    def fields_for(self, readers: Iterable[str]) -> dict[str, str | list[str]]:
        """The fields as the readers of one language see them (content/readers.py)."""
        return seen_fields(self.fields, readers)

    def hash_for(self, readers: Iterable[str]) -> str:
        """The source_hash a translation read by `readers` records: an edit none of them
        sees leaves it unchanged."""
        return fields_hash(self.fields_for(readers))

    def fresh(self, recorded: str | None, readers: Iterable[str]) -> bool:
        """Whether a translation that recorded this hash translates the current source."""
        return recorded is not None and recorded in (self.hash_for(readers), self.hash)


@dataclass
class BriefSource:
    slug: str
    dir: Path
    doc: Document
    brief: Brief
    translations: dict[str, Sourced[Translation]] = field(default_factory=dict)
    units: dict[str, SourceUnit] = field(default_factory=dict)
    #: charts/NAME.chart.yaml by NAME: their text: entries are translation units
    charts: dict[str, Document] = field(default_factory=dict)
    #: references.json and the citation style (briefgen/content/references.py); None: none
    references: References | None = None

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
        h.update(os.fsencode(path.relative_to(folder).as_posix()) + b"\0" + data + b"\0")
    return h.hexdigest()


#: files a folder's hash lists at most (through links, a few folders can list millions)
MAX_TREE = 20_000


def _tree(folder: Path, roots: tuple[Path, ...], skip: str = "") -> list[Path]:
    """Every file under `folder`, as the loader reaches it: through symbolic links to folders
    too. Each real folder is walked once: another path to it (a second link, a link that
    loops back) is listed as itself, its files' bytes being hashed under the first path. A
    linked folder outside `roots` is listed as itself too (_digest_files hashes it as
    "outside" and reads nothing there). Past MAX_TREE entries (files, folders and links) the
    listing is cut and a path that exists nowhere ends it, so the hash of such a tree never
    matches any cache entry. `skip`: a folder of `folder` itself to leave out."""
    found: list[Path] = []
    walked: set[Path] = set()
    stack, entries = [folder], 0
    while stack:
        here = stack.pop()
        try:
            real = here.resolve()
            if real in walked:
                found.append(here)
                continue
            walked.add(real)
            children = sorted(here.iterdir())
        except (OSError, RuntimeError):
            found.append(here)
            continue
        for child in children:
            entries += 1
            if entries > MAX_TREE:
                return [*found, folder / f"too many files {secrets.token_hex(16)}"]
            if skip and here == folder and child.name == skip and not child.is_symlink():
                continue
            if not child.is_dir():
                if child.is_file() or (child.is_symlink() and not child.exists()):
                    found.append(child)  # a dangling link is hashed as unreadable
                continue
            if child.is_symlink() and refusal(child, roots, "") is not None:
                found.append(child)
                continue
            stack.append(child)
    return found


@dataclass(frozen=True)
class Digests:
    """Hashes of the files editions are made from, taken before any is parsed."""

    shared: str  # content/ outside briefs/, and the templates: every edition depends on them
    briefs: dict[str, str]  # each brief's folder, by slug
    #: the same files' identities and change times (stat), taken before they were read:
    #: a file written while the command ran (even written back as it was) changes it
    stamp: str = ""


def _sources(content: Path, folders: tuple[Path, ...], roots: tuple[Path, ...]
             ) -> tuple[list[tuple[Path, list[Path]]], dict[str, tuple[Path, list[Path]]]]:
    """The shared trees (content/ outside briefs/, each template folder) and each brief's."""
    # any brief may read a file of content/ outside briefs/ (a shared image, say)
    shared = [(content, _tree(content, roots, skip="briefs"))]
    shared += [(folder, _tree(folder, roots)) for folder in folders]
    briefs = {d.name: (d, _tree(d, roots)) for d in sorted((content / "briefs").iterdir())
              if d.is_dir() and refusal(d, roots, "") is None}
    return shared, briefs


def _stamp(trees: Iterable[list[Path]]) -> str:
    h = hashlib.sha256()
    for paths in trees:
        for path in sorted(paths):
            h.update(os.fsencode(path) + b"\0")
            try:
                st = path.stat()
                h.update(f"{st.st_dev}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}"
                         f"\0{st.st_ctime_ns}\0".encode())
            except (OSError, ValueError):
                h.update(b"-\0")
    return h.hexdigest()


def source_digests(content: Path, folders: tuple[Path, ...], roots: tuple[Path, ...]
                   ) -> Digests:
    """Hashes of the files editions are made from: the shared ones (every file of content/
    outside briefs/, the templates), and each brief's folder by slug, symbolic links to
    folders followed as the loader follows them. A brief reads nothing else of content/:
    an image in another brief's folder is refused (BG244). Nothing outside `roots` is read
    (or, for a brief folder, even listed)."""
    shared, briefs = _sources(content, folders, roots)
    stamp = _stamp([paths for _, paths in [*shared, *briefs.values()]])  # before reading
    parts = [_digest_files(folder, paths, roots) for folder, paths in shared]
    return Digests(hashlib.sha256("\0".join(parts).encode()).hexdigest(),
                   {slug: _digest_files(folder, paths, roots)
                    for slug, (folder, paths) in briefs.items()}, stamp)


def brief_digest(folder: Path, roots: tuple[Path, ...]) -> str:
    """One brief folder's hash, as source_digests takes it."""
    return _digest_files(folder, _tree(folder, roots), roots)


def unchanged_since(project: Project) -> bool:
    """Whether no file the project's digests cover was written (or added, or removed) since
    they were taken: what was read is what was hashed, so results may be kept under them."""
    shared, briefs = _sources(project.content, project.template_folders,
                              read_roots(project.root))
    return _stamp([paths for _, paths in [*shared, *briefs.values()]]) == project.sources.stamp


class Briefs(Mapping[str, BriefSource]):
    """A project's briefs by slug, each as loaded and validated. A lazy project (a build:
    load_project(lazy=True)) holds only the brief used last, and reads any other again when
    it is used, from the parse cache, refusing it if its files are not the ones validated;
    so its memory does not grow with the catalogue. What is asked of every brief when
    planning (languages, version) is kept for each."""

    def __init__(self, reload: Callable[[str], BriefSource] | None = None) -> None:
        self._reload = reload  # None: every brief held
        self._held: dict[str, BriefSource] = {}
        self._known: dict[str, tuple[list[str], str | None]] = {}  # languages, version

    def add(self, src: BriefSource) -> None:
        if self._reload is not None:
            self._held.clear()
        self._held[src.slug] = src
        self._known[src.slug] = (src.languages, src.brief.version)

    def __getitem__(self, slug: str) -> BriefSource:
        if (src := self._held.get(slug)) is None:
            if self._reload is None or slug not in self._known:
                raise KeyError(slug)
            src = self._reload(slug)
            self._held = {slug: src}
        return src

    def __contains__(self, slug: object) -> bool:
        return slug in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._known)

    def __len__(self) -> int:
        return len(self._known)

    def languages(self, slug: str) -> list[str]:
        return self._known[slug][0]

    def version(self, slug: str) -> str | None:
        return self._known[slug][1]


@dataclass
class Project:
    root: Path
    content: Path
    audiences: dict[str, Sourced[Audience]]
    terms: Sourced[Terms] | None  # None: no content/terms.yaml
    briefs: Briefs
    # Taken before any file is parsed: a file saved while a build runs then makes the next
    # build do more, never record output made from its older text as current.
    sources: Digests
    #: the long-lived caches of the process that loaded it (parsed files, catalogs, …)
    session: Session
    warnings: list[Problem] = field(default_factory=list)
    #: the section types its briefs may use (each renders with sections/<type>.html.j2)
    sections: SectionTypes = SECTION_TYPES
    #: briefs left unloaded (load_project's `skip`), with their section ids
    unloaded: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: each loaded brief's own warnings (found in its folder's files), by slug
    brief_warnings: dict[str, list[Problem]] = field(default_factory=dict)

    @property
    def template_folders(self) -> tuple[Path, ...]:
        return template_folders(self.root)

    def readers(self, lang: str) -> frozenset[str]:
        """The audiences that read a language: all that a translation into it is for."""
        return frozenset(aid for aid, aud in self.audiences.items()
                         if lang in aud.value.languages)

    def editions(self, slug: str) -> list[tuple[str, str]]:
        """(audience, language) pairs that a brief is published in."""
        languages = self.briefs.languages(slug)
        return [(aid, lang) for aid, aud in sorted(self.audiences.items())
                for lang in aud.value.languages if lang in languages]


# -- reading ---------------------------------------------------------------------------


def _read(path: Path, root: Path, problems: Problems, session: Session | None
          ) -> Document | None:
    """A file parsed (remembered in the session's documents, if given)."""
    try:
        return read_yaml(path, _shown(path, root), cache=cache_for(root),
                         roots=read_roots(root),
                         documents=session.documents if session is not None else None)
    except BriefError as exc:
        for p in exc.problems:
            problems.add(p)
        return None


def _load(path: Path, root: Path, model: type[BaseModel], problems: Problems,
          session: Session | None, languages: tuple[str, ...]
          ) -> tuple[Document, Any] | None:
    """Read and validate one file; None (with problems recorded) if either step fails."""
    doc = _read(path, root, problems, session)
    value = _validate(doc, model, problems, languages) if doc is not None else None
    return None if doc is None or value is None else (doc, value)


# -- loading ---------------------------------------------------------------------------


#: skip(slug, brief digest, shared digest): the section ids of a brief that need not be
#: loaded (an earlier check found it valid with the same files), or None to load it
Skip = Callable[[str, str, str], "tuple[str, ...] | None"]


def load_project(root: Path, content: Path | None = None, allow_incomplete: bool = False,
                 session: Session | None = None, sections: SectionTypes = SECTION_TYPES,
                 skip: Skip | None = None, lazy: bool = False) -> Project:
    """Read and validate every content file; raise BriefError listing every problem.

    Parsed files are remembered in `session` (a new one when none is given), which the
    project keeps: commands that run long (serve, --watch) pass theirs in each time.
    `sections` are the section types briefs may use: briefgen's, or those and more.
    With `skip`, a brief it vouches for is not read (Project.unloaded; `check` only).
    `lazy`: each brief is let go once validated and read again when used (Briefs; a
    build), and its files are not remembered in the session."""
    root = root.resolve()
    session = session if session is not None else Session(root)
    content = confined(content or root / "content", (root,), "content")
    problems = Problems()
    if not (content / "briefs").is_dir():
        raise BriefError([Problem(_shown(content, root), 0, 0, "no briefs/ folder here",
                                  hint="run briefgen in a project folder, or pass --project",
                                  code="BG160")])
    theme = session.theme
    sources = source_digests(content, theme.folders, read_roots(root))
    languages = theme.languages()  # a language is a catalog of the theme

    audiences: dict[str, Sourced[Audience]] = {}
    for path in sorted((content / "audiences").glob("*.yaml")):
        if not SLUG.fullmatch(path.stem):
            problems.error(_shown(path, root), 0, 0,
                           "audience file names must be lowercase-with-hyphens", code="BG161")
        if loaded := _load(path, root, Audience, problems, session, languages):
            audiences[path.stem] = Sourced(loaded[1], loaded[0])

    terms: Sourced[Terms] | None = None
    terms_path = content / "terms.yaml"
    if terms_path.exists():
        doc = _read(terms_path, root, problems, session)
        if doc is not None:
            try:
                terms = Sourced(TypeAdapter(Terms).validate_python(
                    doc.data, context={"languages": languages}), doc)
            except ValidationError as exc:
                for p in validation_problems(doc, exc, BaseModel):
                    problems.add(p)

    unloaded: dict[str, tuple[str, ...]] = {}
    briefs = Briefs((lambda slug: _reload(project, slug, languages)) if lazy else None)
    project = Project(root, content, audiences, terms, briefs, sources, session,
                      sections=sections, unloaded=unloaded)
    own: dict[str, Problems] = {}  # each brief's problems, found in its folder's files
    refers: dict[str, list[Problem]] = {}  # what each one's references across files are
    all_sections: set[str] = set()  # every brief's section ids
    for brief_dir in sorted(p for p in (content / "briefs").iterdir() if p.is_dir()):
        if not _brief_folder_ok(brief_dir, root, problems):
            continue
        path = brief_dir / "brief.yaml"
        if not path.exists():
            problems.error(_shown(brief_dir, root), 0, 0, "folder has no brief.yaml",
                           code="BG163")
            continue
        digest = sources.briefs.get(brief_dir.name)
        if skip is not None and digest is not None and \
                (ids := skip(brief_dir.name, digest, sources.shared)) is not None:
            unloaded[brief_dir.name] = ids
            continue
        mine = own.setdefault(brief_dir.name, Problems())
        src = _load_brief(brief_dir, root, sections, mine, None if lazy else session,
                          languages)
        if src is None:
            continue
        briefs.add(src)
        if not problems.errors:  # audiences and terms valid: its references can be checked
            refers[src.slug] = brief_references(project, src)
        all_sections |= {s.id for s in src.brief.sections}
    for found in own.values():
        for problem in found.items:
            problems.add(problem)

    if not problems.errors:  # checks across files, on a project valid file by file
        for slug, refs in refers.items():
            for problem in refs:
                own[slug].add(problem)
                problems.add(problem)
        all_sections |= {sid for ids in unloaded.values() for sid in ids}
        check_section_order(project, all_sections, problems)
        project.brief_warnings = {slug: found.warnings for slug, found in own.items()}
    if allow_incomplete:  # BG141, "not translated into": what `briefgen translations` lists
        problems.items = [p for p in problems.items if p.code != "BG141"]
    project.warnings = problems.warnings
    problems.raise_if_errors()
    return project


def _load_brief(folder: Path, root: Path, sections: SectionTypes, problems: Problems,
                session: Session | None, languages: tuple[str, ...]) -> BriefSource | None:
    """A brief's folder read and validated file by file; None if brief.yaml is not valid."""
    if not (loaded := _load(folder / "brief.yaml", root, sections.brief, problems, session,
                            languages)):
        return None
    doc, brief = loaded
    src = BriefSource(folder.name, folder, doc, brief)
    for tpath in sorted((folder / "translations").glob("*.yaml")):
        if not (tloaded := _load(tpath, root, Translation, problems, session, languages)):
            continue
        tdoc, translation = tloaded
        if translation.language != tpath.stem:
            line, col = tdoc.where(("language",))
            problems.error(tdoc.path, line, col, f"says '{translation.language}' but the "
                           f"file is named {tpath.name}", field="language", code="BG164")
        elif translation.language == brief.language:
            problems.error(tdoc.path, 1, 1, "translates the brief into its own language",
                           code="BG165")
        else:
            src.translations[translation.language] = Sourced(translation, tdoc)
    for cpath in sorted((folder / "charts").glob("*.chart.yaml")):
        if SLUG.fullmatch(cpath.name.removesuffix(".chart.yaml")) and not \
                cpath.is_symlink() and (cdoc := _read(cpath, root, problems, session)):
            src.charts[cpath.name.removesuffix(".chart.yaml")] = cdoc
    references.load(src, root, languages, problems)
    return src


def _reload(project: Project, slug: str, languages: tuple[str, ...]) -> BriefSource:
    """A brief of a lazy project read again, with the files it was validated with (their
    digest, taken before they were first read, unchanged), or BriefError. The folder's
    stamp (each file's identity, size and times) is taken before the read and after the
    hash: a file changed and put back around the read (A, B, A) leaves the digest as it
    was but not the change time, and what was read could be B."""
    folder = project.content / "briefs" / slug
    roots = read_roots(project.root)
    problems = Problems()
    before = _stamp([_tree(folder, roots)])
    src = _load_brief(folder, project.root, project.sections, problems, None, languages)
    digest = brief_digest(folder, roots)
    if src is None or problems.errors or digest != project.sources.briefs.get(slug) or \
            _stamp([_tree(folder, roots)]) != before:
        raise BriefError([Problem(_shown(folder, project.root), 0, 0,
                                  "its files changed while briefgen was building; nothing "
                                  "was written", hint="build again", code="BG166")])
    src.units = brief_units(src, sorted(project.audiences))
    return src


def _brief_folder_ok(brief_dir: Path, root: Path, problems: Problems) -> bool:
    """A brief folder stays inside the project and is named like an id (it is the slug in
    every output path and link)."""
    shown = _shown(brief_dir, root)
    if (problem := refusal(brief_dir, (root,), shown)) is not None:
        problems.add(problem)
        return False
    if not SLUG.fullmatch(brief_dir.name):
        suggestion = "-".join(re.findall(r"[a-z0-9]+", brief_dir.name.lower())) or "brief-1"
        problems.error(shown, 0, 0, f"brief folder name '{brief_dir.name}' is not an id: "
                       "lowercase letters and digits joined by hyphens",
                       hint=f"rename the folder, e.g. to '{suggestion}'", code="BG162")
        return False
    return True
