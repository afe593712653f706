"""The recipients file of `briefgen issue`: a CSV read strictly, every problem at file:line.

    name,organisation,email
    Hong Gil-dong,Ministry of Foreign Affairs,hong@example.org
    "Kim, Min-ji",국가안보전략연구원,

The header is required and exactly `name,organisation` or `name,organisation,email`; each
row has as many fields; name and organisation are required, email optional. A field may
not hold control, format (zero-width, bidi) or private-use characters, nor '№' (it would
forge a copy's footer serial), and is limited in length. Two rows for the same person (the
same name and organisation, compared case- and width-blind) are an error. The file is
untrusted (it may come from a mail merge): it is read as data only, at most MAX_BYTES.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

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


def identity(name: str, organisation: str) -> str:
    def fold(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return f"{fold(name)}\n{fold(organisation)}"


def read_recipients(path: Path, shown: str) -> list[Recipient]:
    """The recipients of the file at path (`shown` is how messages name it)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(shown, 0, f"cannot read the recipients file: {exc.strerror}",
                    code="BG571") from None
    if len(data) > MAX_BYTES:
        raise _fail(shown, 0, f"the recipients file is {len(data)} bytes; at most "
                    f"{MAX_BYTES} are read", code="BG571")
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
            first[person.key] = line
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
    if not value and name != "email":
        problems.error(shown, line, 1, f"{name} is empty", code="BG573")
        return False
    for i, char in enumerate(value):
        if unicodedata.category(char) in BAD_CATEGORIES or char in FORBIDDEN:
            problems.error(shown, line, 1, f"{name} holds the character U+{ord(char):04X} "
                           f"at position {i + 1}", hint="only visible characters and spaces",
                           code="BG573")
            return False
    if len(value) > LIMITS[name]:
        problems.error(shown, line, 1, f"{name} is {len(value)} characters long; at most "
                       f"{LIMITS[name]}", code="BG573")
        return False
    if name == "email" and value and not EMAIL.fullmatch(value):
        problems.error(shown, line, 1, f"'{value}' is not an email address", code="BG573")
        return False
    return True
