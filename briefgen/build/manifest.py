"""The manifest: build/manifest.json lists every artifact of the output folder with its
hashes and keys. It is briefgen's public contract with the tools that publish a build
(docs/manifest.md; its JSON Schema, schema/manifest.schema.json, is generated from the models
here). Reading, writing and merging the shards' manifests."""

from __future__ import annotations

import builtins
import hashlib
import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema

from briefgen import __version__
from briefgen.build.formats import FORMATS, Format
from briefgen.build.plan import Job
from briefgen.errors import BriefError, Problem

MANIFEST = "manifest.json"
HEX = "^[0-9a-f]{64}$"  # a SHA-256, as lower-case hex
SHARD = "^[1-9][0-9]*/[1-9][0-9]*$"  # K/N


class FeedInfo(BaseModel):
    """What an audience's feed and sitemap say of a published page besides its path and
    title (so that a build keeping the page, or a merge of shards, writes them unresolved)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    summary: str = Field(description="the edition's summary as plain text")
    authors: tuple[str, ...] = Field(description="its authors' names as plain text")
    date: str = Field(description="the brief's date, ISO 8601")
    lang: str = Field(description="the edition's BCP 47 language tag")


class ManifestEntry(BaseModel):
    """One artifact of a build, as manifest.json lists it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    brief: str = Field(description="the brief's slug (its folder under content/briefs)")
    audience: str = Field(description="the audience's id (its file under content/audiences)")
    language: str = Field(description="the edition's language, e.g. en, ko, zh-Hans")
    # a format of the build's registry (read_manifest); the schema documents briefgen's
    format: Annotated[Format, WithJsonSchema({"enum": list(FORMATS), "title": "Format",
                                              "type": "string"})] = Field(
        description="html (the published page) or pdf")
    path: str = Field(description="the file, relative to the output folder, with / "
                                  "separators: <brief>/<audience>/<language>/<file>")
    title: str = Field(description="the edition's title as plain text")
    sha256: str = Field(pattern=HEX, description="SHA-256 of the file's bytes, lower-case hex")
    bytes: int = Field(ge=0, description="the file's size in bytes")
    key: str = Field(description="hash of what the file contains (its HTML, or the HTML, "
                                 "PDF variant and renderer of a PDF): equal keys, equal file")
    inputs: str = Field("", description="hash of the files and options the artifact was "
                                        "made from; empty when not recorded")
    guard: str = Field("", description="hash of the audience's forbidden phrases and the "
                                       "leak guard's version it was checked against")
    pages: Annotated[int, Field(ge=0)] | SkipJsonSchema[None] = Field(
        None, description="page count (PDF only; HTML entries have none)")
    feed: FeedInfo | SkipJsonSchema[None] = Field(
        None, description="what the audience's feed and sitemap list of a published page "
                          "(HTML only)")

    @classmethod
    def of(cls, job: Job, data: builtins.bytes, pages: int | None) -> ManifestEntry:
        """The entry of a job's artifact, whose file holds data."""
        return cls(brief=job.brief, audience=job.audience, language=job.language,
                   format=job.format, path=job.path, title=job.title,
                   sha256=hashlib.sha256(data).hexdigest(), bytes=len(data), key=job.key,
                   inputs=job.inputs, guard=job.guard, pages=pages, feed=None)

    def as_json(self) -> dict[str, object]:
        """The entry as manifest.json holds it (no pages for HTML)."""
        return self.model_dump(mode="json", exclude_none=True)

    def __getitem__(self, name: str) -> object:
        """A field by name, as in the JSON (entry["path"])."""
        return self.as_json()[name]


class Manifest(BaseModel):
    """The document: manifest.json, or a shard's manifest.shard-K-of-N.json."""

    model_config = ConfigDict(extra="ignore", title="briefgen build manifest")

    generator: str = Field(description="'briefgen' and the version that wrote it")
    format: Literal[1] = Field(description="the manifest format's version; changes only "
                                           "when a field changes meaning or goes")
    shard: Annotated[str, Field(pattern=SHARD)] | SkipJsonSchema[None] = Field(
        None, description="K/N, in the manifest of the K-th of N shards of a build")
    artifacts: list[ManifestEntry] = Field(description="every artifact, sorted by path")


def manifest_entry(job: Job, data: bytes, pages: int | None) -> dict[str, object]:
    """The entry of a job's artifact as written to manifest.json."""
    return ManifestEntry.of(job, data, pages).as_json()


def read_manifest(path: Path, formats: tuple[Format, ...] = FORMATS) -> list[ManifestEntry]:
    """The entries of the manifest at path; none if it is missing or unreadable, without
    those that do not parse or are in none of these formats (their artifacts are rebuilt)."""
    try:
        artifacts = json.loads(path.read_text(encoding="utf-8"))["artifacts"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    if not isinstance(artifacts, list):
        return []
    entries = []
    for artifact in artifacts:
        try:
            entry = ManifestEntry.model_validate(artifact)
        except ValidationError:
            continue
        if entry.format in formats:
            entries.append(entry)
    return entries


def manifest_bytes(artifacts: list[ManifestEntry], shard: str | None = None) -> bytes:
    doc = Manifest(generator=f"briefgen {__version__}", format=1, shard=shard,
                   artifacts=sorted(artifacts, key=lambda a: a.path))
    data = doc.model_dump(exclude_none=True)
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def merge_manifests(paths: list[Path]) -> bytes:
    """Join shard manifests into one; the same path twice must agree."""
    return manifest_bytes(merged_entries(paths))


def merged_entries(paths: list[Path]) -> list[ManifestEntry]:
    """The entries of shard manifests, joined; the same path twice must agree."""
    merged: dict[str, ManifestEntry] = {}
    for path in paths:
        if not path.is_file():
            raise BriefError(f"{path}: no such manifest", code="BG404")
        for entry in read_manifest(path):
            old = merged.get(entry.path)
            if old is not None and old.sha256 != entry.sha256:
                raise BriefError([Problem(str(path), 0, 0,
                                          f"{entry.path} differs from another shard's copy",
                                          code="BG405")])
            merged[entry.path] = entry
    return list(merged.values())


def schema() -> dict[str, object]:
    """The JSON Schema of manifest.json (schema/manifest.schema.json)."""
    data: dict[str, object] = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                               **Manifest.model_json_schema()}
    return data


def schema_bytes() -> bytes:
    """schema/manifest.schema.json as `briefgen schema` writes it."""
    return (json.dumps(schema(), indent=2, ensure_ascii=False) + "\n").encode()
