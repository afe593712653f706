"""Reading what `briefgen release` recorded, for a redline: releases/<brief>.yaml (read and
validated by briefgen/content/releases.py:read_record) and the snapshot of each edition's
HTML page, releases/<brief>/<version>/<audience>/<lang>.html (releases.snapshot_path).

Both are untrusted (a pull request can change them): the record is read by the content
reader (size and nesting limits, line numbers) and validated strictly; a snapshot is read
from its place in that layout only, inside the project (no link out of it), never more than
a page's size limit, and only if its sha256 is the one the record gives the edition's HTML
page (the snapshot holds the same bytes).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from briefgen.commands.pagetext import MAX_PAGE_BYTES
from briefgen.content.releases import Release, read_record, shown_path, snapshot_path
from briefgen.content.yamlread import Document
from briefgen.errors import BriefError, Problem
from briefgen.paths import confined

#: the name of the working tree's side of a redline
WORKING = "working"


@dataclass(frozen=True)
class Snapshot:
    """An edition's page as released: its bytes, checked against the record."""

    version: str
    path: str  # as shown, relative to the project
    data: bytes


def read_releases(root: Path, slug: str) -> tuple[list[Release], Document]:
    """The brief's releases, validated (BG181 at file:line); BG541 if there is none."""
    releases, doc = read_record(root, slug)
    if doc is None or not releases:
        raise BriefError([Problem(shown_path(slug), 0, 0, f"no release of {slug} is recorded",
                                  hint=f"release it first: briefgen release {slug} "
                                  "--version 1.0", code="BG541")])
    return releases, doc


def _unknown(slug: str, version: str, releases: list[Release]) -> BriefError:
    known = ", ".join(r.version for r in releases)
    return BriefError([Problem(shown_path(slug), 0, 0, f"no release {version} of {slug} "
                               f"(recorded: {known})", code="BG543")])


def snapshot(root: Path, slug: str, version: str, audience: str, lang: str) -> Snapshot:
    """The released page of one edition, its sha256 checked (BG543-BG547)."""
    releases, doc = read_releases(root, slug)
    shown = shown_path(slug)
    index = next((i for i, r in enumerate(releases) if r.version == version), None)
    if index is None:
        raise _unknown(slug, version, releases)
    release = releases[index]
    where = next((i for i, e in enumerate(release.editions)
                  if (e.audience, e.lang) == (audience, lang)), None)
    if where is None:
        line, col = doc.where((index, "editions"))
        raise BriefError([Problem(shown, line, col, f"release {version} of {slug} has no "
                                  f"edition {audience}/{lang}", code="BG544")])
    entry = release.editions[where]
    place = snapshot_path(root, slug, version, audience, lang)
    expected = place.relative_to(root).as_posix()
    path = confined(place, (root.resolve(),), expected)
    sha_line, _ = doc.where((index, "editions", where, "html", "sha256"))
    try:
        data = None
        if path.is_file():  # not a FIFO or a device, which could block
            with path.open("rb") as fh:
                data = fh.read(MAX_PAGE_BYTES + 1)  # never more: a bigger file is refused
    except OSError:
        data = None
    if data is None:
        raise BriefError([Problem(expected, 0, 0, f"the snapshot of release {version} is "
                                  f"missing (recorded at {shown}:{sha_line})",
                                  hint="restore it from the release's commit", code="BG545")])
    if len(data) > MAX_PAGE_BYTES:
        raise BriefError([Problem(expected, 0, 0, "cannot be read as an edition's page: more "
                                  f"than {MAX_PAGE_BYTES:,} bytes", code="BG547")])
    if hashlib.sha256(data).hexdigest() != entry.html.sha256:
        raise BriefError([Problem(expected, 0, 0, "does not match the sha256 recorded for "
                                  f"release {version} at {shown}:{sha_line}: it was changed "
                                  "after the release", hint="restore it from the release's "
                                  "commit; a changed edition is a new release",
                                  code="BG546")])
    return Snapshot(version, expected, data)


def editions(root: Path, slug: str, version: str) -> list[tuple[str, str]]:
    """(audience, language) of every edition of a release, in the record's order."""
    releases, _ = read_releases(root, slug)
    for release in releases:
        if release.version == version:
            return [(e.audience, e.lang) for e in release.editions]
    raise _unknown(slug, version, releases)
