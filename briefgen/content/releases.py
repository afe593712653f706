"""Release records: releases/<brief>.yaml, the list of a brief's releases (`briefgen
release` appends one; `briefgen build` refuses to change a released file). Read like any
content file (confined, size-limited, at file:line); written as text, so that appending a
release leaves the earlier ones byte-identical.

    - version: "1.0"
      date: 2027-03-01
      revision: 5f3c…        # the project's git commit; null outside git or when dirty
      dirty: true            # only when content/ or templates/ differed from the commit
      editions:
        - audience: public
          lang: en
          html: {path: demo/public/en/demo-public-en.html, sha256: …}
          pdf: {path: demo/public/en/demo-public-en.pdf, sha256: …}

Each edition's page is also kept as releases/<brief>/<version>/<audience>/<lang>.html
(snapshot_path), the exact bytes released, which `redline` compares.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, TypeAdapter, ValidationError

from briefgen.content.models import VERSION_PATTERN, Slug
from briefgen.content.yamlread import Document, _parse, read_yaml
from briefgen.errors import BriefError, Problem, Problems
from briefgen.paths import read_roots

FOLDER = "releases"
HINT = "the release record is written by `briefgen release`: restore it from version control"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Released(_Model):
    """One released file: where the build wrote it, and its SHA-256."""

    path: str
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class EditionRecord(_Model):
    audience: Slug
    lang: str
    html: Released
    pdf: Released


class Release(_Model):
    version: Annotated[str, StringConstraints(pattern=VERSION_PATTERN)]
    date: dt.date
    revision: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40,64}$")] | None
    dirty: bool = False
    editions: list[EditionRecord]

    def file(self, audience: str, lang: str, format: str) -> Released | None:
        """The released file of one edition in one format, if this release has it."""
        for e in self.editions:
            if (e.audience, e.lang) == (audience, lang) and format in ("html", "pdf"):
                return e.html if format == "html" else e.pdf
        return None


_RECORD = TypeAdapter(list[Release])


def record_path(root: Path, slug: str) -> Path:
    return root / FOLDER / f"{slug}.yaml"


def shown_path(slug: str) -> str:
    return f"{FOLDER}/{slug}.yaml"


def snapshot_path(root: Path, slug: str, version: str, audience: str, lang: str) -> Path:
    """Where a released edition's HTML page is kept (the redline's input)."""
    return root / FOLDER / slug / version / audience / f"{lang}.html"


def read_record(root: Path, slug: str) -> tuple[list[Release], Document | None]:
    """A brief's releases, oldest first, and the file's document (None: no file yet);
    raises BriefError at file:line if the file is not a valid record."""
    path, shown = record_path(root, slug), shown_path(slug)
    if not path.exists() and not path.is_symlink():
        return [], None
    doc = read_yaml(path, shown, roots=read_roots(root))
    if doc.data is None:
        return [], doc
    try:
        releases = _RECORD.validate_python(doc.data)
    except ValidationError as exc:
        problems = Problems()
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            line, col = doc.where(loc)
            field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
            problems.error(shown, line, col, str(err["msg"]), field=field.lstrip("."),
                           hint=HINT, code="BG181")
        raise BriefError(problems.items) from None
    seen: dict[str, int] = {}
    for i, release in enumerate(releases):
        if release.version in seen:
            line, col = doc.where((i, "version"))
            raise BriefError([Problem(shown, line, col, f"version {release.version} is "
                                      f"listed twice (first as release {seen[release.version]})",
                                      hint=HINT, code="BG181")])
        seen[release.version] = i + 1
    return releases, doc


def entry_text(release: Release) -> str:
    """One release as the YAML text appended to the record (a list item)."""
    def q(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML string

    lines = [f"- version: {q(release.version)}",
             f"  date: {release.date.isoformat()}",
             f"  revision: {release.revision or 'null'}"]
    if release.dirty:
        lines.append("  dirty: true")
    lines.append("  editions:")
    for e in release.editions:
        lines += [f"    - audience: {e.audience}", f"      lang: {q(e.lang)}"]
        for name, f in (("html", e.html), ("pdf", e.pdf)):
            lines += [f"      {name}:", f"        path: {q(f.path)}",
                      f"        sha256: {f.sha256}"]
    return "\n".join(lines) + "\n"


HEADER = ("# Releases of this brief, oldest first: written by `briefgen release`, committed\n"
          "# with the content. Never edit a release: `briefgen build` compares every built\n"
          "# file of a released version with the sha256 recorded here.\n")


def appended(old: bytes | None, release: Release, shown: str = "releases/<brief>.yaml"
             ) -> bytes:
    """The record with one more release: the old bytes unchanged, then the new entry.
    Proved by parsing the result: unless it reads back as the old record's releases and
    this one (a flow-style list, indented items or a `...` after them would not), BG533 at
    the old record's last line, and nothing is to be written."""
    text = old.decode("utf-8") if old else HEADER
    if text and not text.endswith("\n"):
        text += "\n"
    new = (text + entry_text(release)).encode("utf-8")
    before = [] if old is None else _releases(old, shown)
    after = _releases(new, shown)
    if before is None or after != [*before, release]:
        lines = text.splitlines()
        last = max((i + 1 for i, line in enumerate(lines)
                    if line.strip() and not line.lstrip().startswith("#")), default=1)
        got = ("does not parse" if after is None else
               f"would read as {len(after)} release{'s' if len(after) != 1 else ''}, not "
               f"{len(before or [])} and {release.version}")
        raise BriefError([Problem(
            shown, last, 1, f"release {release.version} cannot be appended after this line: "
            f"the record {got}; nothing was written",
            hint="keep the record as `briefgen release` writes it: each release a "
            "`- version:` item at column 1, in block style, nothing after the last one but "
            "comments", code="BG533")])
    return new


def _releases(raw: bytes, shown: str) -> list[Release] | None:
    """The releases a record's bytes read as, or None if they are not a valid record."""
    try:
        data = _parse(raw, shown).data
        return _RECORD.validate_python(data if data is not None else [])
    except (BriefError, ValidationError):
        return None
