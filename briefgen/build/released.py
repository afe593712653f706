"""A released edition is never changed: every file a build makes of a brief whose
`version:` is in its release record (content/releases.py) must have the SHA-256 recorded
there, or the build fails and writes nothing.

Only files made the way `briefgen release` made them are compared: a page built without
its PDF (`--format html`) links to no PDF, and a PDF built with another `--pdf-variant`
than its audience's is another file; neither is the released file, so neither is checked.
`check` renders no PDF and compares nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from briefgen.build.manifest import ManifestEntry
from briefgen.build.plan import Selection
from briefgen.content.project import Project
from briefgen.content.releases import Release, read_record, shown_path
from briefgen.errors import BriefError, Problems


def check_released(project: Project, entries: Iterable[ManifestEntry], selection: Selection,
                   problems: Problems) -> None:
    """A problem (BG420) for each entry of a released version whose bytes are not the
    released ones; the record's own problems if it cannot be read (BG181)."""
    releases: dict[str, Release | None] = {}
    for entry in sorted(entries, key=lambda e: e.path):
        # (a lazy project's brief is read again only if it has a version)
        version = project.briefs.version(entry.brief) if entry.brief in project.briefs \
            else None
        if version is None or not _as_released(project, entry, selection):
            continue
        if entry.brief not in releases:
            releases[entry.brief] = _release(project, entry.brief, version, problems)
        release = releases[entry.brief]
        if release is None:
            continue
        released = release.file(entry.audience, entry.language, entry.format)
        if released is not None and released.sha256 == entry.sha256:
            continue
        what = "differs from" if released is not None else "is not part of"
        doc = project.briefs[entry.brief].doc
        line, col = doc.where(("version",))
        problems.error(
            doc.path, line, col,
            f"{entry.path} {what} release {release.version} of {release.date.isoformat()} "
            f"({shown_path(entry.brief)}): a released edition is never changed",
            field="version", code="BG420",
            hint=f"set version: to a new number and run briefgen release {entry.brief} "
                 "--version <it>")


def _as_released(project: Project, entry: ManifestEntry, selection: Selection) -> bool:
    """Whether the entry was made as `release` makes it (the module docstring)."""
    output = selection.registry[entry.format]
    if output.links is not None and output.links not in selection.formats:
        return False
    audience = project.audiences[entry.audience].value
    return not output.in_workers or selection.variant in (None, audience.pdf_variant)


def _release(project: Project, slug: str, version: str, problems: Problems
             ) -> Release | None:
    try:
        record, _ = read_record(project.root, slug)
    except BriefError as exc:
        for p in exc.problems:
            problems.add(p)
        return None
    return next((r for r in record if r.version == version), None)
