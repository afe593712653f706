"""The recipients file of `briefgen issue`: a CSV read strictly, every problem at file:line.

    name,organisation,email
    Hong Gil-dong,Ministry of Foreign Affairs,hong@example.org
    "Kim, Min-ji",국가안보전략연구원,

The header is required and exactly `name,organisation` or `name,organisation,email`; each
row has as many fields; name and organisation are required, email optional. A field may
not hold control, format (zero-width, bidi) or private-use characters, nor '№' (it would
forge a copy's footer serial), and is limited in length. Two rows for the same person (the
same name and organisation, compared case- and width-blind) are an error, and so are two
that look alike (compared as the leak guard folds text, textnorm.py: Greek capital Eta for
H, full-width or mathematical letters), whose stamps no reader could tell apart. The file
is untrusted (it may come from a mail merge): it is read as data only, a regular file (not
a FIFO or a device), at most MAX_BYTES.
"""

from __future__ import annotations

import csv
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from briefgen import textnorm
from briefgen.errors import BriefError, Problem, Problems

MAX_BYTES = 1024 * 1024
MAX_ROWS = 10_000
LIMITS = {"name": 80, "organisation": 120, "email": 254}
HEADERS = (("name", "organisation"), ("name", "organisation", "email"))
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
FORBIDDEN = frozenset("№")


@dataclass(frozen=True)
class Recipient:
    name: str
    organisation: str
    email: str
    line: int  # in the recipients file

    @property
    def key(self) -> str:
        """Who this is, for finding duplicates and earlier copies: case-, width- and
        space-blind."""
        return identity(self.name, self.organisation)

    @property
    def looks(self) -> tuple[str, str]:
        """How this recipient reads, in both of the guard's folds (textnorm.py): two
        recipients alike in either look the same on a copy."""
        return (f"{textnorm.fold(self.name)}\n{textnorm.fold(self.organisation)}",
                f"{textnorm.fold_as_written(self.name)}\n"
                f"{textnorm.fold_as_written(self.organisation)}")


class Unreadable(Exception):
    """A file that read_limited refuses (the message says why)."""


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at path, if it has at most limit of them. Anything else
    (a FIFO, a device such as /dev/zero, a folder, a larger file) is refused without waiting
    for or reading more than limit + 1 bytes: OSError, or Unreadable."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Unreadable("not a regular file")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise Unreadable(f"more than {limit} bytes")
    return data


def identity(name: str, organisation: str) -> str:
    def fold(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return f"{fold(name)}\n{fold(organisation)}"


def read_recipients(path: Path, shown: str) -> list[Recipient]:
    """The recipients of the file at path (`shown` is how messages name it)."""
    try:
        data = read_limited(path, MAX_BYTES)
    except OSError as exc:
        raise _fail(shown, 0, f"cannot read the recipients file: {exc.strerror}",
                    code="BG571") from None
    except Unreadable as exc:
        raise _fail(shown, 0, f"the recipients file is {exc}; at most {MAX_BYTES} bytes of "
                    "a regular file are read", code="BG571") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise _fail(shown, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                    code="BG571", hint="save the file as UTF-8") from None
    problems = Problems()
    rows = list(_rows(text, shown, problems))
    problems.raise_if_errors()
    if not rows:
        raise _fail(shown, 1, "no header: the first line must be 'name,organisation' or "
                    "'name,organisation,email'", code="BG572")
    (line, header), body = rows[0], rows[1:]
    if tuple(h.strip().lower() for h in header) not in HEADERS:
        raise _fail(shown, line, f"the header is '{','.join(header)}'; it must be "
                    "'name,organisation' or 'name,organisation,email'", code="BG572")
    names = ("name", "organisation", "email")[:len(header)]
    if not body:
        problems.error(shown, line, 1, "no recipients after the header", code="BG572")
    if len(body) > MAX_ROWS:
        problems.error(shown, body[MAX_ROWS][0], 1, f"more than {MAX_ROWS} recipients",
                       code="BG573")
    recipients: list[Recipient] = []
    first: dict[str, int] = {}
    alike: dict[str, int] = {}  # each of a recipient's looks -> its line
    for line, row in body[:MAX_ROWS]:
        if len(row) != len(names):
            problems.error(shown, line, 1, f"{len(row)} fields; the header names "
                           f"{len(names)} ({','.join(names)})", code="BG573")
            continue
        values = dict(zip(names, (v.strip() for v in row), strict=True))
        if all(_field(shown, line, name, value, problems) for name, value in values.items()):
            person = Recipient(values["name"], values["organisation"],
                               values.get("email", ""), line)
            if person.key in first:
                problems.error(shown, line, 1, f"{person.name} ({person.organisation}) is "
                               f"listed twice (first on line {first[person.key]})",
                               code="BG574")
                continue
            seen = next((alike[look] for look in person.looks if look in alike), None)
            if seen is not None:
                problems.error(shown, line, 1, f"{person.name} ({person.organisation}) looks "
                               f"the same as the recipient on line {seen}: no one could tell "
                               "their copies' stamps apart", hint="write each name as the "
                               "person writes it, in one script", code="BG574")
                continue
            first[person.key] = line
            alike.update(dict.fromkeys(person.looks, line))
            recipients.append(person)
    problems.raise_if_errors()
    return recipients


def _fail(shown: str, line: int, message: str, *, code: str, hint: str = "") -> BriefError:
    return BriefError([Problem(shown, line, 1 if line else 0, message, hint=hint, code=code)])


def _rows(text: str, shown: str, problems: Problems) -> list[tuple[int, list[str]]]:
    """(line, fields) of each non-blank record; a field may not span lines."""
    rows = []
    reader = csv.reader(text.split("\n"), strict=True)  # only \n ends a line
    start = 1
    try:
        for fields in reader:
            if reader.line_num != start:
                problems.error(shown, start, 1, f"a quoted field runs on to line "
                               f"{reader.line_num}", hint="a field may not hold a line break",
                               code="BG573")
            elif fields and any(f.strip() for f in fields):
                rows.append((reader.line_num, fields))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.error(shown, reader.line_num, 1, f"not valid CSV: {exc}",
                       hint="quote a field that holds a comma with double quotes",
                       code="BG573")
    return rows


def _field(shown: str, line: int, name: str, value: str, problems: Problems) -> bool:
    """Whether a field's value is acceptable (its problems are added)."""
    issue = field_issue(name, value)
    if issue is not None:
        message, hint = issue
        problems.error(shown, line, 1, message, hint=hint, code="BG573")
    return issue is None


def field_issue(name: str, value: str) -> tuple[str, str] | None:
    """What is wrong with a recipient's field (name, organisation or email) as (message,
    hint), or None: the rules of the recipients file, which the ledger's entries keep too."""
    if not value and name != "email":
        return f"{name} is empty", ""
    for i, char in enumerate(value):
        if unicodedata.category(char) in BAD_CATEGORIES or char in FORBIDDEN:
            return (f"{name} holds the character U+{ord(char):04X} at position {i + 1}",
                    "only visible characters and spaces")
    if len(value) > LIMITS[name]:
        return f"{name} is {len(value)} characters long; at most {LIMITS[name]}", ""
    if name == "email" and value and not EMAIL.fullmatch(value):
        return f"'{value}' is not an email address", ""
    if value != value.strip():
        return f"{name} begins or ends with a space", ""
    return None
