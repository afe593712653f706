"""The ledger of numbered copies: who was given which serial of which edition.

One JSON file per brief, by default `releases/<brief>/copies.json` in the project:

    {"format": 1, "brief": "demo", "copies": [
      {"serial": "K7M2-Q9XD-4", "name": "Hong Gil-dong", "organisation": "MOFA",
       "email": "hong@example.org", "issued": "2026-12-01T16:30:00Z",
       "edition": "demo/officials/en/demo-officials-en.pdf", "edition_sha256": "…",
       "file": "copies/demo/officials/en/demo-officials-en-K7M2-Q9XD-4.pdf",
       "sha256": "…"}]}

JSON rather than CSV: names are kept exactly, and nothing in it is a formula when opened in
a spreadsheet. Copies are sorted by edition, then serial; the file is written atomically
(build/files.py). It names people: keep it where the recipients list may be kept (a private
repository, or --ledger outside the project), never with the published files.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from briefgen.commands.recipients import identity
from briefgen.errors import BriefError

MAX_BYTES = 50 * 1024 * 1024


class Copy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    serial: str
    name: str
    organisation: str
    email: str = ""
    issued: str  # UTC, ISO 8601, the first time this copy was issued
    edition: str  # the edition's path in the build output
    edition_sha256: str
    file: str  # the copy, relative to the build output folder
    sha256: str

    @property
    def who(self) -> str:
        return identity(self.name, self.organisation)

    def describe(self) -> str:
        email = f" <{self.email}>" if self.email else ""
        return f"{self.name} ({self.organisation}){email}"


class Ledger(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: int = 1
    brief: str
    copies: list[Copy] = []

    def find(self, serial: str) -> Copy | None:
        return next((c for c in self.copies if c.serial == serial), None)

    def issued(self, edition: str, edition_sha256: str, who: str) -> Copy | None:
        """The copy of this edition (these very bytes) already issued to this person."""
        return next((c for c in self.copies if c.edition == edition
                     and c.edition_sha256 == edition_sha256 and c.who == who), None)

    def record(self, copy: Copy) -> None:
        self.copies = sorted([c for c in self.copies if c.serial != copy.serial] + [copy],
                             key=lambda c: (c.edition, c.serial))


def read_ledger(path: Path, brief: str | None, shown: str) -> Ledger:
    """The ledger at path (of this brief, or of any with None), or an empty one if there is
    none; anything else is an error."""
    if not path.exists():
        return Ledger(brief=brief or "")
    try:
        data = path.read_bytes()
        if len(data) > MAX_BYTES:
            raise ValueError(f"{len(data)} bytes; at most {MAX_BYTES}")
        ledger = Ledger.model_validate(json.loads(data.decode("utf-8")))
    except (OSError, ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BriefError(f"{shown}: not a readable ledger of copies ({first}); nothing was "
                         "issued (restore it from its backup)", code="BG577") from None
    if brief is not None and ledger.brief != brief:
        raise BriefError(f"{shown}: is the ledger of {ledger.brief}, not of {brief}",
                         code="BG577")
    return ledger


def ledger_bytes(ledger: Ledger) -> bytes:
    """The ledger as its file holds it (written with the copies, by build/files.write_all)."""
    return (json.dumps(ledger.model_dump(), indent=2, ensure_ascii=False) + "\n").encode()
