"""`release`: freeze every edition of a brief at the version its `version:` names.

The editor sets `version:` in brief.yaml (briefgen never edits a content file); `release`
checks it is the version asked for and not released before, builds every edition of the
brief (a build with errors releases nothing), then writes, all or nothing, the release
appended to releases/<brief>.yaml and each edition's page as
releases/<brief>/<version>/<audience>/<lang>.html (content/releases.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from briefgen.build.files import write_all
from briefgen.build.manifest import ManifestEntry
from briefgen.build.plan import Selection
from briefgen.build.run import Options, build
from briefgen.content.project import Project
from briefgen.content.releases import (
    FOLDER,
    EditionRecord,
    Release,
    Released,
    appended,
    read_record,
    record_path,
    shown_path,
    snapshot_path,
)
from briefgen.errors import BriefError, Problem
from briefgen.paths import confined, read_roots


@dataclass(frozen=True)
class Made:
    """What a release wrote."""

    release: Release
    files: tuple[Path, ...]


def release(project: Project, slug: str, version: str, out: Path, date: dt.date,
            jobs: int = 1) -> Made:
    """Release version of the brief `slug`: build it into `out`, then write its record
    and snapshots; raise BriefError (nothing written under releases/) on any problem."""
    src = project.briefs[slug]
    if src.brief.version != version:
        line, col = src.doc.where(("version",)) if src.brief.version else (1, 1)
        says = f"says version {src.brief.version}" if src.brief.version else \
            "has no version:"
        raise BriefError([Problem(
            src.doc.path, line, col, f"the brief {says}, not {version}",
            "version" if src.brief.version else "",
            f"set version: \"{version}\" in the brief, then run briefgen release {slug} "
            f"--version {version}; briefgen never edits content files", code="BG531")])
    record, doc = read_record(project.root, slug)
    for i, old in enumerate(record):
        if old.version == version:
            line, col = doc.where((i, "version")) if doc is not None else (1, 1)
            raise BriefError([Problem(
                shown_path(slug), line, col, f"version {version} of {slug} was released on "
                f"{old.date.isoformat()}; a release is never made again", "",
                "set version: to a new number and release that", code="BG532")])

    report = build(project, Options(out=out, selection=Selection(briefs=(slug,)), jobs=jobs))
    pages = _editions(project, slug, out, report.built + report.skipped)
    revision, dirty = git_revision(project.root)
    made = Release(version=version, date=date, revision=revision, dirty=dirty,
                   editions=[e for e, _ in pages])

    path = confined(record_path(project.root, slug), read_roots(project.root),
                    shown_path(slug))
    before = path.read_bytes() if path.exists() else None
    files = [(path, appended(before, made))]
    files += [(snapshot_path(project.root, slug, version, e.audience, e.lang), page)
              for e, page in pages]
    write_all(files, inside=project.root / FOLDER)
    return Made(made, tuple(p for p, _ in files))


def _editions(project: Project, slug: str, out: Path, entries: list[ManifestEntry]
              ) -> list[tuple[EditionRecord, bytes]]:
    """Each edition's record and HTML page, from the files the build wrote (hashed as
    they are on disk: what is published is what the record names)."""
    found: dict[tuple[str, str, str], tuple[Released, bytes]] = {}
    for entry in entries:
        if entry.brief != slug:
            continue
        data = (out / entry.path).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        found[(entry.audience, entry.language, entry.format)] = (
            Released(path=entry.path, sha256=digest), data)
    editions = []
    for audience, lang in project.editions(slug):
        (html, page), (pdf, _) = found[(audience, lang, "html")], found[(audience, lang, "pdf")]
        editions.append((EditionRecord(audience=audience, lang=lang, html=html, pdf=pdf),
                         page))
    return editions


def git_revision(root: Path) -> tuple[str | None, bool]:
    """The project's git commit, and whether its content or templates differ from it
    (then no revision: the files released are not those of any commit). (None, False)
    outside git."""
    if shutil.which("git") is None:
        return None, False

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        # core.fsmonitor would run a program named by the repository's config
        return subprocess.run(["git", "-c", "core.fsmonitor=false", "-C", str(root), *args],
                              capture_output=True, text=True, timeout=60, check=False)

    try:
        head = git("rev-parse", "--verify", "--quiet", "HEAD")
        if head.returncode != 0:
            return None, False
        status = git("status", "--porcelain", "--untracked-files=all", "--", "content",
                     "templates")
    except (subprocess.TimeoutExpired, OSError):
        return None, True  # git could not say: no revision, and the files may differ
    if status.returncode != 0 or status.stdout.strip():
        return None, True
    return head.stdout.strip(), False
