"""Reading what `briefgen release` recorded, for a redline: releases/<brief>.yaml and the
snapshot of each edition's HTML page, releases/<brief>/<version>/<audience>/<lang>.html.

Both are untrusted (a pull request can change them): the record is read by the content
reader (size and nesting limits, line numbers) and validated strictly; a snapshot must lie
at its place in that layout, inside the project (no link out of it), and have the sha256
the record gives, or it is not read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from briefgen.commands.pagetext import MAX_PAGE_BYTES
from briefgen.content.validation import validation_problems
from briefgen.content.yamlread import Document, read_yaml
from briefgen.errors import BriefError, Problem
from briefgen.paths import confined

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Version = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,39}$")]
#: the name of the working tree's side of a redline
WORKING = "working"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FileRecord(_Strict):
    path: str
    sha256: Sha256


class EditionRecord(_Strict):
    audience: str
    lang: str
    html: FileRecord
    pdf: FileRecord


class ReleaseRecord(_Strict):
    version: Version
    date: str
    revision: str | None
    editions: list[EditionRecord]


class ReleaseFile(_Strict):
    releases: list[ReleaseRecord] = Field(min_length=1)


@dataclass(frozen=True)
class Snapshot:
    """An edition's page as released: its bytes, checked against the record."""

    version: str
    path: str  # as shown, relative to the project
    data: bytes


def record_path(slug: str) -> str:
    return f"releases/{slug}.yaml"


def read_releases(root: Path, slug: str) -> tuple[ReleaseFile, Document]:
    """The brief's release record, validated; BG541 if there is none."""
    shown = record_path(slug)
    path = root / shown
    if not path.exists() and not path.is_symlink():
        raise BriefError([Problem(shown, 0, 0, f"no release of {slug} is recorded",
                                  hint=f"release it first: briefgen release {slug} "
                                  "--version 1.0", code="BG541")])
    doc = read_yaml(path, shown, roots=(root.resolve(),))
    try:
        record = ReleaseFile.model_validate(doc.data)
    except ValidationError as exc:
        raise BriefError(validation_problems(doc, exc, ReleaseFile)) from None
    versions = [r.version for r in record.releases]
    for i, version in enumerate(versions):
        if version in versions[:i]:
            line, col = doc.where(("releases", i, "version"))
            raise BriefError([Problem(shown, line, col, f"release {version} is recorded twice",
                                      code="BG542")])
    return record, doc


def snapshot(root: Path, slug: str, version: str, audience: str, lang: str) -> Snapshot:
    """The released page of one edition, its sha256 checked (BG543-BG546)."""
    record, doc = read_releases(root, slug)
    shown = record_path(slug)
    known = [r.version for r in record.releases]
    if version not in known:
        raise BriefError([Problem(shown, 0, 0, f"no release {version} of {slug} "
                                  f"(recorded: {', '.join(known)})", code="BG543")])
    index = known.index(version)
    release = record.releases[index]
    where = next((i for i, e in enumerate(release.editions)
                  if (e.audience, e.lang) == (audience, lang)), None)
    if where is None:
        line, col = doc.where(("releases", index, "editions"))
        raise BriefError([Problem(shown, line, col, f"release {version} of {slug} has no "
                                  f"edition {audience}/{lang}", code="BG544")])
    entry = release.editions[where]
    loc = ("releases", index, "editions", where, "html")
    expected = f"releases/{slug}/{version}/{audience}/{lang}.html"
    if entry.html.path != expected:
        line, col = doc.where((*loc, "path"))
        raise BriefError([Problem(shown, line, col, f"the snapshot of {audience}/{lang} in "
                                  f"release {version} must be {expected}, not "
                                  f"{entry.html.path!r}", code="BG545")])
    path = confined(root / expected, (root.resolve(),), expected)
    sha_line, _ = doc.where((*loc, "sha256"))
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
    record, _ = read_releases(root, slug)
    for release in record.releases:
        if release.version == version:
            return [(e.audience, e.lang) for e in release.editions]
    known = ", ".join(r.version for r in record.releases)
    raise BriefError([Problem(record_path(slug), 0, 0,
                              f"no release {version} of {slug} (recorded: {known})",
                              code="BG543")])
