"""What `check` validated before, so that a check after a small edit redoes only what the
edit touched; and whether the files are what the next commit holds (`--changed`).

The results are kept per brief and audience: the problems of rendering and guarding that
audience's editions of the brief, and what the index pages need of each (path, title, key,
feed entry). An entry is used only if its key still matches. The key has the build's two
levels, the files every edition is made from (content/ outside briefs/, templates: `shared`)
and the brief's own folder, plus the audience's guard fingerprint (its forbidden phrases),
the code that checks (briefgen's sources, Python, every installed library's version, the
fonts the glyph check reads) and SOURCE_DATE_EPOCH. Nothing is kept when a file was
written while the check read them (project.unchanged_since). So an edit of one brief
re-checks that brief, an edit of an audience file or a template every brief, and a change
of an audience's phrases every edition of that audience, guard included.

The entries live in the user's cache folder (yamlread.cache_for: never in the project),
one file per project and brief, as JSON signed with the machine's cache key: an entry this
machine did not write is ignored (a cache restored from elsewhere could claim anything is
clean). Loading the project and every check across files runs every time."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import distributions
from pathlib import Path
from typing import Any

from briefgen.build.keys import guard_fingerprint
from briefgen.build.plan import Selection
from briefgen.content.project import Project
from briefgen.content.yamlread import cache_for, cache_key, read_signed, write_signed
from briefgen.edition import glyphs
from briefgen.errors import BriefError, Problem
from briefgen.publish import web

#: the format of an entry; a change makes every stored entry a miss
FORMAT = 1


@lru_cache(maxsize=1)
def code_digest() -> str:
    """briefgen's own sources, Python's version (its unicodedata folds the guard's text),
    and every installed distribution with its version: a check runs many libraries (regex,
    PyICU, ada-url, lxml, tinycss2, …), and an upgrade of any may change what it finds."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    h.update(f"{sys.version}\0{unicodedata.unidata_version}\0".encode())
    for name, version in sorted({(str(d.metadata["Name"]).lower(), str(d.version))
                                 for d in distributions()}):
        h.update(f"{name} {version}\0".encode())
    return h.hexdigest()


def fonts_stamp() -> str:
    """The system fonts the glyph check reads: each file's path, size and time."""
    h = hashlib.sha256()
    for folder in glyphs.system_folders():
        if folder.is_dir():
            for p in sorted(folder.rglob("*")):
                if p.is_file():
                    st = p.stat()
                    h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Page:
    """What the index pages need of one artifact a check made: its manifest fields, and
    for a published page, its feed entry."""

    brief: str
    audience: str
    language: str
    format: str
    path: str
    title: str
    key: str
    guard: str
    feed: web.Entry | None


@dataclass
class Result:
    """A brief's editions for one audience, as check found them."""

    problems: list[Problem]
    pages: list[Page]


@dataclass
class Store:
    """The stored results of one project's checks (None from `open` when there is no cache
    folder or key). A brief's file holds what loading it found ("load") and each audience's
    editions ("results")."""

    folder: Path
    secret: bytes
    root: Path
    base: str  # the keys' part shared by every brief: code, fonts, renderer, environment
    project: Project | None = None  # once loaded (bind)
    #: each brief's file as read, then as it will be written
    _read: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def open(cls, root: Path, fingerprint: str) -> Store | None:
        """`fingerprint`: the renderer's (keys.renderer_fingerprint)."""
        folder = cache_for(root)
        secret = cache_key() if folder is not None else None
        if folder is None or secret is None:
            return None
        base = _sha(str(FORMAT), code_digest(), fonts_stamp(), fingerprint,
                    os.environ.get("SOURCE_DATE_EPOCH", "-"))
        return cls(folder / "check", secret, root.resolve(), base)

    def bind(self, project: Project) -> None:
        self.project = project

    # -- loading: a brief found valid before, with the same files, is not read again --------

    def _load_key(self, brief: str, digest: str, shared: str) -> str:
        return _sha(self.base, "load", shared, digest, brief)

    def skip(self, brief: str, digest: str, shared: str) -> tuple[str, ...] | None:
        """load_project's `skip`: the brief's section ids, if an earlier check loaded it from
        the same files (and shared files) without an error and checked all its editions."""
        stored = self._file_data(brief).get("load")
        if not isinstance(stored, dict) or stored.get("key") != self._load_key(
                brief, digest, shared):
            return None
        sections = stored.get("sections")
        if not isinstance(sections, list) or not all(isinstance(x, str) for x in sections):
            return None
        return tuple(sections)

    def loaded(self, brief: str) -> tuple[list[Problem], list[str]] | None:
        """An unloaded brief's warnings and the audiences of its editions, as stored."""
        stored = self._file_data(brief).get("load")
        try:
            assert isinstance(stored, dict)
            return ([Problem(**p) for p in stored["warnings"]],
                    [str(a) for a in stored["audiences"]])
        except (AssertionError, KeyError, TypeError, ValueError):
            return None

    def put_load(self, brief: str, warnings: list[Problem], sections: list[str],
                 audiences: list[str]) -> None:
        assert self.project is not None
        sources = self.project.sources
        self._file_data(brief)["load"] = {
            "key": self._load_key(brief, sources.briefs[brief], sources.shared),
            "warnings": [_fields(p) for p in warnings], "sections": sections,
            "audiences": audiences}

    # -- rendering: each audience's editions of a brief ---------------------------------

    def key(self, brief: str, audience: str, selection: Selection) -> str:
        assert self.project is not None
        fence = guard_fingerprint(self.project.audiences[audience].value)
        sources = self.project.sources
        return _sha(self.base, sources.shared, sources.briefs.get(brief, ""), brief,
                    audience, fence, selection.variant or "", *sorted(selection.formats))

    def _file(self, brief: str) -> Path:
        name = _sha(str(self.root), brief)[:32]
        return self.folder / f"{name}.json"

    def _file_data(self, brief: str) -> dict[str, Any]:
        if brief not in self._read:
            try:
                stored = read_signed(self._file(brief), self.secret) or {}
            except (OSError, ValueError, RecursionError):
                stored = {}
            results = stored.get("results")
            self._read[brief] = {"load": stored.get("load"),
                                 "results": results if isinstance(results, dict) else {}}
        return self._read[brief]

    def _entries(self, brief: str) -> dict[str, Any]:
        entries = self._file_data(brief)["results"]
        assert isinstance(entries, dict)
        return entries

    def get(self, brief: str, audience: str, key: str) -> Result | None:
        """The stored result under this key, or None (missing, stale or unreadable)."""
        stored = self._entries(brief).get(audience)
        if not isinstance(stored, dict) or stored.get("key") != key:
            return None
        try:
            return Result([Problem(**p) for p in stored["problems"]],
                          [Page(**{**p, "feed": web.Entry(**{**p["feed"], "authors": tuple(
                              p["feed"]["authors"])}) if p["feed"] else None})
                           for p in stored["pages"]])
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, brief: str, audience: str, key: str, result: Result) -> None:
        self._entries(brief)[audience] = {
            "key": key,
            "problems": [_fields(p) for p in result.problems],
            "pages": [{**_fields(p), "feed": _fields(p.feed) if p.feed else None}
                      for p in result.pages]}

    def save(self, briefs: Iterable[str]) -> None:
        """Write the files of these briefs (only the audiences still in the project)."""
        assert self.project is not None
        for brief in briefs:
            data = self._file_data(brief)
            kept = {aid: v for aid, v in self._entries(brief).items()
                    if aid in self.project.audiences}
            write_signed(self._file(brief), self.secret, {"load": data["load"],
                                                          "results": kept})


def _fields(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


def _sha(*parts: str) -> str:
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


# -- what the next commit holds -----------------------------------------------------------------


def as_staged(root: Path) -> None:
    """Nothing, if every file under content/ and templates/ is what git's index holds (so a
    check of the work tree is a check of the next commit); else BG588 naming why. Compared
    by briefgen (blob hashes of the files against `ls-files --stage`): no filter runs. BG587
    when the project is not in a git work tree or git cannot answer."""
    from briefgen.gitread import GitError, Unknown, differs, git

    # a hook of `git commit PATHS` or `commit -a` is given the index that commit records
    index = os.environ.get("GIT_INDEX_FILE") or None
    try:
        git(["rev-parse", "--show-toplevel"], root)
        if differs(root, ("content", "templates"), staged=True,
                   index=os.path.abspath(index) if index else None):
            raise BriefError([Problem(
                "briefgen", message="check --changed: files under content/ or templates/ "
                "differ from what is staged (edited or new files the commit would not hold); "
                "the check reads the files, the commit takes the index", code="BG588",
                hint="stage them, or set them aside with git stash --keep-index "
                     "--include-untracked")])
    except GitError as exc:
        raise BriefError(f"check --changed: cannot read what the commit changes in "
                         f"{root} ({exc.why})", code="BG587") from None
    except (Unknown, OSError, RuntimeError, UnicodeError) as exc:
        why = exc if isinstance(exc, Unknown) else f"{type(exc).__name__}: {exc}"
        raise BriefError(f"check --changed: cannot tell whether the files are what is "
                         f"staged ({why})", code="BG588") from None
