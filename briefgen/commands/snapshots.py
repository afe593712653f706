"""Reading what `briefgen release` recorded, for a redline: releases/<brief>.yaml (read and
validated by briefgen/content/releases.py:read_record) and the snapshot of each edition's
HTML page, releases/<brief>/<version>/<audience>/<lang>.html (releases.snapshot_path).

Both are untrusted (a pull request can change them): the record is read by the content
reader (size and nesting limits, line numbers) and validated strictly; a snapshot is read
from its place in that layout only, inside the project (no link out of it), never more than
a page's size limit, only if its sha256 is the one the record gives the edition's HTML
page (the snapshot holds the same bytes), and only if the page names the edition it is
recorded for (edition_mismatch): a page made by briefgen's templates links to each of its
language editions, itself included, by file name (<brief>-<audience>-<lang>.html, or a URL
ending in it), has its language in <html lang> and its version in its JSON-LD. So another
audience's page planted as this one's, its sha256 written into the record, is refused before
a redline shows it (the leak guard would catch only the phrases it knows).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from briefgen.commands.pagetext import MAX_PAGE_BYTES, Page, read_page
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
    page: Page  # data, read (pagetext.read_page)


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
    langs = {e.lang for e in release.editions if e.audience == audience}
    page = read_page(data, expected)
    why = edition_mismatch(page, slug, version, audience, lang, langs)
    if why:
        raise BriefError([Problem(expected, 0, 0, f"is not the page of edition {audience}/"
                                  f"{lang} of {slug} {version}: {why}",
                                  hint="restore it from the release's commit: a snapshot is "
                                  "the page the release published for this edition",
                                  code="BG549")])
    return Snapshot(version, expected, data, page)


def edition_mismatch(page: Page, slug: str, version: str, audience: str, lang: str,
                     langs: set[str]) -> str:
    """Why the page is not the edition (audience, lang) of release `version` of `slug`,
    whose audience reads `langs` in that release; "" if it is. Its language links (rel
    alternate, canonical) must all name editions of this brief for this audience, one of
    them this language; its <html lang> is the language (or a tag of it, en-US); its
    JSON-LD names this version."""
    allowed = {f"{slug}-{audience}-{lg}.html" for lg in langs}
    names = []
    for rel, _, href in page.links:
        if {"alternate", "canonical"} & set(rel.lower().split()):
            names.append(href.split("#", 1)[0].split("?", 1)[0].rsplit("/", 1)[-1])
    if not names:
        return "it names no edition (no language link in its <head>)"
    if others := sorted(set(names) - allowed):
        return f"it links to {others[0][:80]} as one of its language editions"
    if f"{slug}-{audience}-{lang}.html" not in names:
        return f"none of its language links is {slug}-{audience}-{lang}.html"
    tag = page.lang.lower()
    if tag != lang.lower() and not tag.startswith(lang.lower() + "-"):
        return f"its <html lang> is {page.lang[:40]!r}"
    versions = []
    for text in page.json_ld:
        try:
            data = json.loads(text)
        except ValueError:
            return "its JSON-LD is not JSON"
        if isinstance(data, dict) and "version" in data:
            versions.append(data["version"])
    if versions != [version]:
        return (f"its JSON-LD names version {str(versions[0])[:40]}" if versions
                else "its JSON-LD names no version")
    return ""


def editions(root: Path, slug: str, version: str) -> list[tuple[str, str]]:
    """(audience, language) of every edition of a release, in the record's order."""
    releases, _ = read_releases(root, slug)
    for release in releases:
        if release.version == version:
            return [(e.audience, e.lang) for e in release.editions]
    raise _unknown(slug, version, releases)
