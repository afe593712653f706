"""The one error type for user mistakes, and the problems it carries."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) at a place in a content file or template."""

    path: str
    line: int = 0
    col: int = 0
    message: str = ""
    field: str = ""
    hint: str = ""
    severity: str = "error"  # "error" or "warning"

    @property
    def location(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col or 1}"
        return self.path

    def __str__(self) -> str:
        text = f"{self.location}: "
        if self.field:
            text += f"{self.field}: "
        if self.severity == "warning":
            text += "warning: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class BriefError(Exception):
    """Raised for user mistakes: bad content, bad options. Printed without a traceback."""

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(path="briefgen", message=problems)]
        self.problems = sorted(set(problems))
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

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def error(self, path: str, line: int, col: int, message: str, *, field: str = "",
              hint: str = "") -> None:
        self.items.append(Problem(path, line, col, message, field, hint))

    def warn(self, path: str, line: int, col: int, message: str, *, field: str = "",
             hint: str = "") -> None:
        self.items.append(Problem(path, line, col, message, field, hint, "warning"))

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
                failing = [Problem(p.path, p.line, p.col, p.message, p.field, p.hint, "error")
                           for p in failing]
            raise BriefError(failing)
