"""The ledger of numbered copies: who was given which serial of which edition.

One JSON file per brief, by default `releases/<brief>/copies.json` in the project:

    {"format": 1, "brief": "demo", "copies": [
      {"serial": "K7M2-Q9XD-K", "name": "Hong Gil-dong", "organisation": "MOFA",
       "email": "hong@example.org", "issued": "2026-12-01T16:30:00Z",
       "edition": "demo/officials/en/demo-officials-en.pdf", "edition_sha256": "…",
       "file": "copies/demo/officials/en/demo-officials-en-K7M2-Q9XD-K.pdf",
       "sha256": "…"}]}

JSON rather than CSV: names are kept exactly, and nothing in it is a formula when opened in
a spreadsheet. Copies are sorted by edition, then serial; the file is written atomically
(build/files.py). It names people: keep it where the recipients list may be kept (a private
repository, or --ledger outside the project), never with the published files: `issue`
refuses a ledger inside the build's output folder, a ledger file that is a symbolic link,
and a default ledger that a link leads out of the project's releases/ folder
(ledger_location).

The ledger is read whole and checked before anything is used (read_ledger): at most
MAX_BYTES of a regular file, every entry well-formed (a serial with its check character,
the recipients file's rules for name, organisation and email, sha256s, an issue time, the
edition's path and the copy's file that issue names after them), no serial twice and no
recipient twice for the same edition bytes. A ledger that fails is refused whole, each
problem named by its entry (`copies[2]`); nothing is issued or traced from it.

A project kept in git of its own would commit the ledger with `git add releases`: `briefgen
new brief` adds IGNORE_RULE to the project's .gitignore, and `issue` warns (BG586) when the
ledger is in a git work tree and no .gitignore rule ignores it (git_unignored). The rules
are read here, without running git (a repository's config can make git run programs), by a
small subset of gitignore: the .gitignore files from the work tree's top down to the
ledger's folder and .git/info/exclude; `#` comments, `!` negation, a leading or inner `/`
anchoring, a trailing `/` for folders, `*`, `?`, `[...]` and `**`; the last matching rule
decides, and an ignored folder ignores all below it. A global core.excludesFile is not
read: the warning may be given where git would ignore the file, never the other way round.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, ValidationError

from briefgen.commands.recipients import Unreadable, field_issue, identity, read_limited
from briefgen.errors import BriefError, Problem, Problems
from briefgen.publish.stamp import valid_serial

MAX_BYTES = 50 * 1024 * 1024
FOLDER = "releases"
NAME = "copies.json"
HEX = re.compile(r"[0-9a-f]{64}")
ISSUED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
#: the end of a message about a bad ledger, by the command that read it
IGNORE_RULE = "/releases/*/copies.json"
ISSUE = "nothing was issued; restore the ledger from its backup"
TRACE = "restore the ledger from its backup, or give another with --ledger"


class Copy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

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
    model_config = ConfigDict(extra="forbid", strict=True)

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


def copy_file(edition: str, serial: str) -> str:
    """Where the copy with this serial of the edition at this path is written, relative to
    the output folder: copies/<brief>/<audience>/<lang>/<file>-<serial>.pdf."""
    path = PurePosixPath(edition)
    return f"copies/{path.parent.as_posix()}/{path.stem}-{serial}.pdf"


def entry_issues(copy: Copy, brief: str) -> list[str]:
    """What is wrong with one entry of the ledger of brief."""
    issues = []
    if not valid_serial(copy.serial):
        issues.append(f"serial {json.dumps(copy.serial)} is not a copy serial (XXXX-XXXX-C, "
                      "Crockford's base 32 and its check character)")
    for name in ("name", "organisation", "email"):
        if (issue := field_issue(name, getattr(copy, name))) is not None:
            issues.append(issue[0])
    if not ISSUED.fullmatch(copy.issued):
        issues.append(f"issued {json.dumps(copy.issued)} is not a UTC time "
                      "(YYYY-MM-DDTHH:MM:SSZ)")
    parts = copy.edition.split("/")
    if (len(parts) != 4 or parts[0] != brief or not copy.edition.endswith(".pdf")
            or any(p in ("", ".", "..") or "\\" in p for p in parts)):
        issues.append(f"edition {json.dumps(copy.edition)} is not the path of a PDF edition "
                      f"of {brief} (<brief>/<audience>/<lang>/<file>.pdf)")
    elif valid_serial(copy.serial) and copy.file != copy_file(copy.edition, copy.serial):
        issues.append(f"file {json.dumps(copy.file)} is not where issue writes this copy "
                      f"({copy_file(copy.edition, copy.serial)})")
    for name in ("edition_sha256", "sha256"):
        if not HEX.fullmatch(getattr(copy, name)):
            issues.append(f"{name} is not a sha256 (64 lower-case hex digits)")
    return issues


def read_ledger(path: Path, brief: str | None, shown: str, then: str = ISSUE) -> Ledger:
    """The ledger at path (of this brief, or of any with None), or an empty one if there is
    none; a ledger that is unreadable or has any malformed entry is an error (`then` ends
    its messages)."""
    if not path.exists() and not path.is_symlink():
        return Ledger(brief=brief or "")
    try:
        data = read_limited(path, MAX_BYTES)
        ledger = Ledger.model_validate(json.loads(data.decode("utf-8")))
    except ValidationError as exc:
        raise BriefError([Problem(shown, message="not a ledger of copies: " + _where(error)
                                  + f" {error['msg'].lower()}", hint=then, code="BG577")
                          for error in exc.errors()[:10]]) from None
    except (OSError, Unreadable, ValueError) as exc:
        first = (exc.strerror if isinstance(exc, OSError) else str(exc).splitlines()[0]) \
            or type(exc).__name__
        raise BriefError([Problem(shown, message=f"not a readable ledger of copies ({first})",
                                  hint=then, code="BG577")]) from None
    if brief is not None and ledger.brief != brief:
        raise BriefError([Problem(shown, message=f"is the ledger of {ledger.brief}, not of "
                                  f"{brief}", hint=then, code="BG577")])
    problems = Problems()
    if ledger.format != 1:
        problems.add(Problem(shown, message=f"format {ledger.format}: this briefgen reads "
                             "ledgers of format 1", hint=then, code="BG577"))
    serials: dict[str, int] = {}
    people: dict[tuple[str, str, str], int] = {}
    for i, copy in enumerate(ledger.copies):
        issues = entry_issues(copy, ledger.brief)
        if (twin := serials.setdefault(copy.serial, i)) != i:
            issues.append(f"serial {copy.serial} is that of copies[{twin}] too")
        if (same := people.setdefault((copy.edition, copy.edition_sha256, copy.who), i)) != i:
            issues.append(f"the same recipient as copies[{same}], of the same edition bytes")
        for issue in issues:
            problems.add(Problem(shown, message=f"copies[{i}]: {issue}", hint=then,
                                 code="BG577"))
    problems.raise_if_errors()
    return ledger


def _where(error: object) -> str:
    """A pydantic error's place in the JSON: copies[1].serial:"""
    loc = error["loc"] if isinstance(error, dict) else ()
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    return f"{where}:" if where else ""


def ledger_location(root: Path, brief: str, given: Path | None, out: Path | None) -> Path:
    """The ledger `issue` writes: releases/<brief>/copies.json, or the file given. Refused:
    a ledger file that is a symbolic link; one inside the output folder (published files);
    for the default place, a releases/ (or releases/<brief>/) that is a link, or a path
    that resolves out of the project's releases/ folder."""
    path = given if given is not None else root / FOLDER / brief / NAME
    shown = path.as_posix() if given is not None else f"{FOLDER}/{brief}/{NAME}"
    problems = Problems()
    hint = ("a ledger names every recipient: keep it in releases/<brief>/ or, with "
            "--ledger, in a private place outside the build")
    if path.is_symlink():
        problems.error(shown, 0, 0, "is a symbolic link; a ledger is written only as a "
                       "file of its own", hint=hint, code="BG583")
    elif given is None:
        folder = root / FOLDER
        for link in (folder, folder / brief):
            if link.is_symlink():
                problems.error(shown, 0, 0, f"{FOLDER}/"
                               f"{'' if link == folder else brief + '/'} is a symbolic link; "
                               "the ledger is written only into the project's own releases/ "
                               "folder", hint=hint, code="BG583")
                break
        else:
            if not path.resolve().is_relative_to(folder.resolve()):
                problems.error(shown, 0, 0, "leads out of the project's releases/ folder",
                               hint=hint, code="BG583")
    if not problems.errors and out is not None and path.resolve().is_relative_to(
            out.resolve()):
        problems.error(shown, 0, 0, "is inside the output folder, whose files are "
                       "published; a ledger names every recipient", hint=hint, code="BG583")
    problems.raise_if_errors()
    return path


def git_unignored(path: Path) -> Path | None:
    """The top of the git work tree the file at path is in, if no ignore rule (module
    docstring) keeps it out of commits; None outside a work tree or when ignored."""
    folder = path.absolute().parent
    top = next((f for f in (folder, *folder.parents) if (f / ".git").exists()), None)
    if top is None:
        return None
    rel = path.absolute().relative_to(top).parts
    sources: list[tuple[tuple[str, ...], str]] = []  # (the rules' folder, their text)
    exclude = top / ".git" / "info" / "exclude"
    for base, file in [((), exclude),
                       *((rel[:i], top.joinpath(*rel[:i], ".gitignore"))
                         for i in range(len(rel)))]:
        try:
            sources.append((base, read_limited(file, 1024 * 1024).decode("utf-8", "replace")))
        except (OSError, Unreadable):
            continue
    for depth in range(1, len(rel) + 1):  # each folder above the file, then the file
        target, is_dir = rel[:depth], depth < len(rel)
        ignored = False
        for base, text in sources:
            if target[:len(base)] == base and len(target) > len(base):
                ignored = _last_match(text, "/".join(target[len(base):]), is_dir, ignored)
        if ignored:
            return None
    return top


def _last_match(text: str, rel: str, is_dir: bool, ignored: bool) -> bool:
    """Whether rel (relative to the rules' folder) is ignored after these rules."""
    for raw in text.splitlines():
        rule = raw.rstrip()  # git keeps a trailing space only when escaped: rare, not read
        if not rule or rule.startswith("#"):
            continue
        negated = rule.startswith("!")
        rule = rule[1:] if negated else rule
        dir_only = rule.endswith("/")
        rule = rule.rstrip("/")
        if not rule or (dir_only and not is_dir):
            continue
        anchored = "/" in rule
        rule = rule.lstrip("/")
        if _matches(rule, rel if anchored else rel.rsplit("/", 1)[-1]):
            ignored = not negated
    return ignored


def _matches(rule: str, path: str) -> bool:
    """gitignore's wildcards: * and ? within a name, [...], ** across folders."""
    pattern = ""
    for part in re.split(r"(\*\*/|/\*\*|\*\*)", rule):
        if part == "**/":
            pattern += "(?:.*/)?"
        elif part in ("/**", "**"):
            pattern += "(?:/.*)?" if part == "/**" else ".*"
        else:
            pattern += _name_pattern(part)
    try:
        return re.fullmatch(pattern, path) is not None
    except re.error:  # a [...] git reads otherwise: not taken as ignoring the ledger
        return False


def _name_pattern(text: str) -> str:
    """A gitignore pattern without ** as a regular expression: * and ? never match /."""
    out, i = "", 0
    while i < len(text):
        char = text[i]
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[" and (end := text.find("]", i + 2)) != -1:
            body = text[i + 1:end]
            body = "^" + body[1:] if body.startswith("!") else body
            out += "[" + body.replace("\\", "\\\\") + "]"
            i = end
        elif char == "\\" and i + 1 < len(text):
            i += 1
            out += re.escape(text[i])
        else:
            out += re.escape(char)
        i += 1
    return out


def ledger_bytes(ledger: Ledger) -> bytes:
    """The ledger as its file holds it (written with the copies, by build/files.write_all)."""
    return (json.dumps(ledger.model_dump(), indent=2, ensure_ascii=False) + "\n").encode()
