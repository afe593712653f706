"""`release`: freeze every edition of a brief at the version its `version:` names.

The editor sets `version:` in brief.yaml (briefgen never edits a content file); `release`
checks it is the version asked for and not released before, builds every edition of the
brief (a build with errors releases nothing), then writes, all or nothing, the release
appended to releases/<brief>.yaml and each edition's page as
releases/<brief>/<version>/<audience>/<lang>.html (content/releases.py).

What is released is made by this process: the build keeps nothing of an earlier build (its
files and manifest are as untrusted as the content), and every file recorded is one it
rendered. The git revision comes from briefgen/gitread.py, which reads objects only and
compares the files itself: no `git status`, so no filter, hook or pager of the repository
runs. The releases folder must not lead into content/, templates/ or the output folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
from briefgen.gitread import revision
from briefgen.paths import confined, read_roots
from briefgen.theme import bundled as templates_dir

#: the folders whose files a release's revision must hold unchanged
TRACKED = ("content", "templates")


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

    folder = release_folder(project, out)
    path = confined(record_path(project.root, slug), read_roots(project.root),
                    shown_path(slug))
    before = path.read_bytes() if path.exists() else None
    # the record must take one more release (BG533): known before anything is built
    probe = Released(path="probe", sha256="ab" * 32)
    appended(before, Release(version=version, date=date, revision=None, editions=[
        EditionRecord(audience="probe", lang="en", html=probe, pdf=probe)]), shown_path(slug))
    # force: keep nothing of an earlier build; every file released is rendered here
    report = build(project, Options(out=out, selection=Selection(briefs=(slug,)), jobs=jobs,
                                    force=True))
    pages = _editions(project, slug, out, report.built, report.skipped)
    commit, dirty = git_revision(project.root)
    made = Release(version=version, date=date, revision=commit, dirty=dirty,
                   editions=[e for e, _ in pages])

    files = [(path, appended(before, made, shown_path(slug)))]
    files += [(snapshot_path(project.root, slug, version, e.audience, e.lang), page)
              for e, page in pages]
    write_all(files, inside=folder)
    return Made(made, tuple(p for p, _ in files))


def release_folder(project: Project, out: Path) -> Path:
    """The releases folder, resolved; BG534 if it leads out of the project or into (or
    around) content/, templates/ or the output folder, where a release would write over
    the files it is made from or the build's own."""
    place = project.root / FOLDER
    try:
        real = place.resolve()
    except (OSError, RuntimeError):
        real = place
    root = project.root.resolve()
    protected = ((project.content.resolve(), "the content folder"),
                 ((project.root / "templates").resolve(), "the templates folder"),
                 (templates_dir().resolve(), "briefgen's templates folder"),
                 (out.resolve(), "the output folder"))
    why = ("to the project folder itself" if real == root else
           "" if real.is_relative_to(root) else "outside the project folder")
    for folder, name in protected:
        if not why and (real.is_relative_to(folder) or folder.is_relative_to(real)):
            why = f"into {name}" if real.is_relative_to(folder) else f"around {name}"
    if why or (real.exists() and not real.is_dir()):
        raise BriefError([Problem(
            FOLDER, 0, 0, f"the releases folder leads {why or 'to no folder'}: a release "
            "writes only into releases/; nothing was written",
            hint="make releases/ an ordinary folder of the project, not a link",
            code="BG534")])
    return real


def _editions(project: Project, slug: str, out: Path, built: list[ManifestEntry],
              skipped: list[ManifestEntry]) -> list[tuple[EditionRecord, bytes]]:
    """Each edition's record and HTML page, from the files the build rendered and wrote
    (each checked against the sha256 of what it rendered: a file changed since, or one
    kept from an earlier build, is no release)."""
    kept = [e.path for e in skipped if e.brief == slug]
    if kept:  # never, with Options.force; a release must not depend on it silently
        raise BriefError(f"the build kept {kept[0]} from an earlier build; a release "
                         "records only files it rendered", code="BG535")
    found: dict[tuple[str, str, str], tuple[Released, bytes]] = {}
    for entry in built:
        if entry.brief != slug:
            continue
        data = (out / entry.path).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != entry.sha256:
            raise BriefError(f"{entry.path} changed after the build wrote it; nothing was "
                             "released (release again)", code="BG535")
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
    outside git. By briefgen/gitread.py:revision: no program of the repository runs."""
    return revision(root, TRACKED)
