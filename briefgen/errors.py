"""The one error type for user mistakes, and the problems it carries."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) at a place in a content file or template."""

    path: str
    line: int = 0
    col: int = 0
    message: str = ""
    field: str = ""
    hint: str = ""
    severity: Severity = "error"
    code: str = ""  # stable, e.g. BG101: docs/problems.md lists each with an example

    @property
    def location(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col or 1}"
        return self.path

    def __str__(self) -> str:
        """'path:line:col: field: [warning: ]message (hint)', as one printable line."""
        warning = "warning: " if self.severity == "warning" else ""
        return printable(f"{self.location}: " + (f"{self.field}: " if self.field else "")
                         + warning + self.message + (f" ({self.hint})" if self.hint else ""))


# Characters that would break a printed line or change how it reads: C0 and C1 controls (line
# feeds, carriage returns, ANSI escapes), line and paragraph separators, bidi controls, BOM and
# lone surrogates.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e"
                          "\u2066-\u2069\ufeff\ud800-\udfff]")
_DATA_URL = re.compile(r"\bdata:([^,\s'\"]*),(?!…)[^\s'\"]*", re.IGNORECASE)


def printable(text: str) -> str:
    """text as one line that shows what it holds: a control character, line break or bidi
    control becomes its escape (\\n, \\x1b, \\u2028), so content can neither start a line (a
    forged CI annotation) nor colour or reorder one; a data URL shrinks to its type and size."""
    text = _DATA_URL.sub(_short_data_url, text)
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def printable_lines(text: str) -> str:
    """A report (explain, diff, translations) as lines of printable text: each line's
    control and bidi characters escaped, its line breaks kept."""
    return "\n".join(printable(line) for line in text.split("\n"))


def _short_data_url(match: re.Match[str]) -> str:
    """'data:image/png;base64,… (4.8 MB)' for a data URL matched by _DATA_URL."""
    meta, payload = match.group(1), match.group().partition(",")[2]
    size = len(payload) * 3 // 4 if meta.lower().endswith(";base64") else len(payload)
    shown = human_size(size) if size >= 1024 else f"{size} byte" + "s" * (size != 1)
    return f"data:{meta},… ({shown})"


def human_size(n: int) -> str:
    """A file size as reports show it: 12 KB, 1.5 MB."""
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def short_url(url: str) -> str:
    """A URL as a message quotes it: a data URL as its type and size, others cut at 60
    characters."""
    return _DATA_URL.sub(_short_data_url, url)[:60]


class BriefError(Exception):
    """Raised for user mistakes: bad content, bad options. Printed without a traceback."""

    def __init__(self, problems: Iterable[Problem] | str, code: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem(path="briefgen", message=problems, code=code)]
        # by file, line, column, …: a key compares in C, Problem's own __lt__ in Python
        self.problems = sorted(set(problems), key=lambda p: (
            p.path, p.line, p.col, p.message, p.field, p.hint, p.severity, p.code))
        super().__init__(self.summary())

    def summary(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"] or self.problems
        files = {p.path for p in errors}
        noun = "error" if len(errors) == 1 else "errors"
        where = "1 file" if len(files) == 1 else f"{len(files)} files"
        return f"{len(errors)} {noun} in {where}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A 'did you mean …' hint for a misspelt key or id, or '' when nothing is close."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def display_path(path: Path, root: Path) -> str:
    """A path as the user should see it: relative to the project root where possible."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass
class Problems:
    """Collects problems while a stage runs, so they are reported once, together."""

    items: list[Problem] = field(default_factory=list)
    seen: set[Problem] = field(default_factory=set, repr=False)  # items, to add each once

    def __post_init__(self) -> None:
        self.seen.update(self.items)

    def add(self, problem: Problem) -> None:
        """Add a problem once: each edition renders the same text and finds the same ones."""
        if problem not in self.seen:
            self.seen.add(problem)
            self.items.append(problem)

    def error(self, path: str, line: int, col: int, message: str, *, field: str = "",
              hint: str = "", code: str = "") -> None:
        self.add(Problem(path, line, col, message, field, hint, "error", code))

    def warn(self, path: str, line: int, col: int, message: str, *, field: str = "",
             hint: str = "", code: str = "") -> None:
        self.add(Problem(path, line, col, message, field, hint, "warning", code))

    def has(self, code: str) -> bool:
        """Whether a problem with this code was found (code paths decide on codes, never on
        the wording of a message)."""
        return any(p.code == code for p in self.items)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self, strict: bool = False) -> None:
        failing = self.items if strict else self.errors
        if failing:
            if strict:
                failing = [Problem(p.path, p.line, p.col, p.message, p.field, p.hint, "error",
                                   p.code) for p in failing]
            raise BriefError(failing)
