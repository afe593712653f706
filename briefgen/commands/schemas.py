"""The JSON Schemas of a project's files (schema/*.schema.json): the bytes of each, made
from the models `check` validates with, and the one function that writes them all, for
`briefgen schema` and `briefgen new` (a content file's `# yaml-language-server: $schema=…`
line points at them, so a new project has them from its first file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from briefgen.build.files import write_all
from briefgen.paths import confined
from briefgen.theme import Theme

#: the content files' schemas, by kind (schema/KIND.schema.json), then the build manifest's
CONTENT_KINDS = ("brief", "audience", "translation", "terms", "references", "chart")
KINDS = (*CONTENT_KINDS, "manifest")
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _encode(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()


def schema_bytes(kind: str, languages: tuple[str, ...]) -> bytes:
    """schema/KIND.schema.json; a language field holds one of `languages`."""
    if kind == "chart":
        from briefgen.edition import charts

        return _encode(charts.json_schema())
    if kind == "manifest":
        from briefgen.build import manifest

        return manifest.schema_bytes()
    from briefgen.content.models import schema_for

    data = schema_for(kind, languages)
    data["$schema"] = DRAFT
    data.setdefault("title", f"briefgen {kind} file")
    return _encode(data)


def schema_files(project: Path) -> dict[str, bytes]:
    """Every schema file's name and bytes, for this project (its theme's languages)."""
    languages = Theme.of(project.resolve()).languages()  # the project's catalogs too
    return {f"{kind}.schema.json": schema_bytes(kind, languages) for kind in KINDS}


def schema_writes(project: Path, folder: Path | None = None) -> list[tuple[Path, bytes]]:
    """Every schema file's target in `folder` (default: the project's schema/, which must
    then lie inside the project, links included) and bytes, for write_all."""
    shown = folder if folder is not None else project / "schema"
    writes = []
    for name, data in schema_files(project).items():
        target = shown / name
        if folder is None:  # a linked schema/ must not make `new` write outside the project
            confined(target, (project,), f"schema/{name}")
        writes.append((target, data))
    return writes


def write_schemas(project: Path, folder: Path | None = None) -> list[Path]:
    """Write every schema file (schema_writes) all at once, or none; returns the paths."""
    writes = schema_writes(project, folder)
    write_all(writes)
    return [target for target, _ in writes]
