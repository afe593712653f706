"""The source a translation was made from, read from git: the newest committed version of a
unit's file (brief.yaml, or the chart file of a chart's words) in which the unit has the
source_hash the translation recorded.

What is read: the commits that changed the file, newest first (`git log --full-history`
from HEAD: a merge whose result differs from its parents is one of them, and so is a
commit of a merged branch; a version only in the working tree or the index is not), at
most `limit` of them. When the oldest of them added the file by renaming another, the
walk goes on under the old name from its parent. Each version is read as a blob, parsed
like a content file (content/yamlread.py) and made into units (content/checks.py:
brief_units) only when it is needed; one that does not parse or validate is skipped.

The repository is untrusted like the content: git runs through briefgen/gitread.py (no
shell, read-only commands only, a timeout, bounded output, and nothing the repository
configures runs: no hook, filter, pager, fsmonitor, signature check or diff driver).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import gitread
from briefgen.content.checks import brief_units
from briefgen.content.validation import _validate
from briefgen.content.yamlread import MAX_BYTES, parse_yaml
from briefgen.errors import BriefError, Problems

if TYPE_CHECKING:
    from briefgen.content.project import BriefSource, Project, SourceUnit

TIMEOUT = 30  # seconds for one git command
MAX_OUTPUT = 4 * 1024 * 1024  # git log's answer for 200 commits is ~20 KB
Fields = dict[str, str | list[str]]


@dataclass(frozen=True)
class Version:
    commit: str
    time: int  # committer time, seconds since 1970
    path: str  # the file's path in that commit, from the repository's top

    @property
    def date(self) -> str:
        return dt.datetime.fromtimestamp(self.time, dt.UTC).date().isoformat()


@dataclass(frozen=True)
class Previous:
    """What History found for a unit: its fields then and the version, or why not."""

    fields: Fields | None
    version: Version | None = None
    why: str = ""  # when not found: a sentence part, e.g. "git is not installed"


class GitError(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class History:
    """Earlier committed versions of one brief's source files (brief.yaml and its chart files)."""

    def __init__(self, project: Project, src: BriefSource, *, limit: int = 200) -> None:
        self.project, self.src, self.limit = project, src, limit
        self._top: Path | str | None = None  # the repository's folder, or why there is none
        self._logs: dict[str, tuple[list[Version], bool] | str] = {}
        # file -> commit -> its blob's oid and size
        self._blobs: dict[str, dict[str, tuple[str, int] | None]] = {}
        self._units: dict[tuple[str, str], dict[str, SourceUnit] | None] = {}

    def previous(self, uid: str, readers: frozenset[str], recorded: str
                 ) -> dict[str, str | list[str]] | None:
        """The unit's fields as `readers` saw them (SourceUnit.fields_for) in the newest
        committed version of its file where its hash_for(readers) -- or its whole-text .hash --
        equals `recorded`; None when none of the last `limit` commits has it, or there is no git
        repository / git, or the file is not committed."""
        return self.find(uid, readers, recorded).fields

    def find(self, uid: str, readers: frozenset[str], recorded: str | None) -> Previous:
        """previous(), with the version found or why none was."""
        unit = self.src.units.get(uid)
        if unit is None:
            return Previous(None, why=f"the brief has no unit {uid}")
        if not recorded:
            return Previous(None, why="no source_hash was recorded")
        shown = unit.doc.path if unit.doc is not None else self.src.doc.path
        try:
            versions, cut = self._versions(shown)
        except GitError as exc:
            return Previous(None, why=exc.why)
        if not versions:
            return Previous(None, why=f"{shown} is not committed")
        for version in versions:
            units = self._units_at(shown, version)
            old = units.get(uid) if units else None
            if old is not None and old.fresh(recorded, readers):
                return Previous(old.fields_for(readers), version)
        if cut:
            return Previous(None, why=f"none of the last {self.limit} commits of {shown} has "
                            f"source_hash {recorded}")
        try:
            shallow = self._git("rev-parse", "--is-shallow-repository", quiet=True)
        except GitError:
            shallow = b""
        return Previous(None, why=f"no commit of {shown} has source_hash {recorded}" + (
            " (the clone is shallow: `git fetch --unshallow` fetches the rest)"
            if shallow.strip() == b"true" else ""))

    # -- git ----------------------------------------------------------------------------

    def _repository(self) -> Path:
        if self._top is None:
            try:
                out = self._git("rev-parse", "--show-toplevel", top=False)
                self._top = Path(os.fsdecode(out.rstrip(b"\n"))).resolve()
                if not self._git("rev-parse", "--verify", "--quiet", "HEAD^{commit}",
                                 quiet=True, top=False).strip():
                    self._top = "the git repository has no commits"
            except GitError as exc:
                self._top = "the project is not in a git repository" \
                    if "not a git repository" in exc.why else exc.why
        if isinstance(self._top, str):
            raise GitError(self._top)
        return self._top

    def _git(self, *args: str, quiet: bool = False, top: bool = True,
             stdin: bytes | None = None) -> bytes:
        """git's output (briefgen/gitread.py: nothing the repository configures runs);
        GitError when it cannot run or (unless quiet: b"") fails."""
        where = self._repository() if top else self.project.root
        try:
            return gitread.git(args, where, stdin=stdin, timeout=TIMEOUT, limit=MAX_OUTPUT)
        except gitread.GitError as exc:
            if quiet and exc.status is not None:
                return b""
            raise GitError(exc.why) from None

    def _versions(self, shown: str) -> tuple[list[Version], bool]:
        """The versions of a file newest first, and whether the limit cut the list short."""
        cached = self._logs.get(shown)
        if cached is None:
            try:
                top = self._repository()
                path = (self.project.root / shown).relative_to(top).as_posix()
            except GitError as exc:
                cached = exc.why
            except ValueError:
                cached = "the project is not in a git repository"
            else:
                try:
                    cached = self._walk(path)
                except GitError as exc:
                    cached = exc.why
            self._logs[shown] = cached
        if isinstance(cached, str):
            raise GitError(cached)
        return cached

    def _walk(self, path: str) -> tuple[list[Version], bool]:
        versions: list[Version] = []
        rev = "HEAD"
        while True:
            wanted = self.limit - len(versions)
            if wanted <= 0:
                return versions, True
            out = self._git("log", f"-n{wanted}", "--full-history", "--no-renames",
                            "--format=%x1e%H %ct", "--name-status", "-z", rev, "--", path)
            records = [_record(r) for r in out.split(b"\x1e")[1:]]
            versions += [Version(commit, time, path) for commit, time, _ in records]
            if len(records) < wanted and records and "A" in records[-1][2]:
                added = records[-1][0]
                older = self._renamed_from(added, path)
                if older is not None:
                    rev, path = f"{added}^", older
                    continue
            return versions, len(versions) >= self.limit

    def _renamed_from(self, commit: str, path: str) -> str | None:
        """The file that `commit` renamed to `path`, if it did."""
        out = self._git("diff-tree", "-M", "-r", "--no-commit-id", "--name-status", "-z",
                        commit)
        items = [os.fsdecode(x) for x in out.split(b"\0")]
        i = 0
        while i < len(items) and items[i]:
            status = items[i]
            if status[:1] in ("R", "C"):
                if status[:1] == "R" and i + 2 < len(items) and items[i + 2] == path:
                    return items[i + 1]
                i += 3
            else:
                i += 2
        return None

    def _blob(self, shown: str, version: Version) -> tuple[str, int] | None:
        """The blob of the file in a commit (its oid and size), looked up for every version
        of the file at once; None when it is not a blob there."""
        found = self._blobs.setdefault(shown, {})
        if version.commit not in found:
            asked = [v for v in self._versions(shown)[0]
                     if v.commit not in found and "\n" not in v.path]
            out = self._git("cat-file", "--batch-check",
                            stdin="".join(f"{v.commit}:{v.path}\n" for v in asked).encode())
            for v, line in zip(asked, out.decode("utf-8", "replace").splitlines(),
                               strict=False):
                parts = line.split(" ")
                ok = len(parts) == 3 and parts[1] == "blob" and parts[2].isdigit()
                found[v.commit] = (parts[0], int(parts[2])) if ok else None
            found.setdefault(version.commit, None)
        return found[version.commit]

    # -- versions as units --------------------------------------------------------------

    def _units_at(self, shown: str, version: Version) -> dict[str, SourceUnit] | None:
        """The units of one version of a file; None when it cannot be read or validated."""
        try:
            blob = self._blob(shown, version)
        except GitError:
            return None
        if blob is None or blob[1] > MAX_BYTES:
            return None
        key = (shown, blob[0])
        if key not in self._units:
            self._units[key] = self._read_units(shown, version, blob[0])
        return self._units[key]

    def _read_units(self, shown: str, version: Version, oid: str
                    ) -> dict[str, SourceUnit] | None:
        from briefgen.content.project import BriefSource

        try:
            raw = self._git("cat-file", "blob", oid)
            doc = parse_yaml(raw, f"{shown}@{version.commit[:10]}")
        except (GitError, BriefError):
            return None
        src, ids = self.src, sorted(self.project.audiences)
        if shown != src.doc.path:  # a chart's file: its words, under its current name
            name = Path(shown).name.removesuffix(".chart.yaml")
            old = BriefSource(src.slug, src.dir, src.doc, src.brief, charts={name: doc})
            return {uid: u for uid, u in brief_units(old, ids).items()
                    if uid.startswith(f"chart.{name}.")}
        brief = _validate(doc, self.project.sections.brief, Problems(),
                          self.project.session.theme.languages())
        if brief is None:
            return None
        return brief_units(BriefSource(src.slug, src.dir, doc, brief), ids)


def _record(raw: bytes) -> tuple[str, int, set[str]]:
    """One commit of `git log --format=%x1e%H %ct --name-status -z`: its hash, committer
    time and the statuses (A, M, D, T) of the file in it."""
    head, _, rest = raw.partition(b"\0")
    commit, _, time = head.decode("ascii", "replace").partition(" ")
    fields = [x for x in rest.lstrip(b"\n").split(b"\0") if x]
    statuses = {fields[i].decode("ascii", "replace")[:1] for i in range(0, len(fields), 2)}
    return commit, int(time) if time.isdigit() else 0, statuses
