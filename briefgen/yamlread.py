"""Read one YAML file into plain data, keeping the line and column of every key and value."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from .errors import BriefError, Problem

MAX_BYTES = 2 * 1024 * 1024  # a brief is ~20 KB; anything near this is a mistake

Loc = tuple[str | int, ...]


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that leaves timestamps as text: pydantic validates dates."""


_Constructor.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda self, node: self.construct_scalar(node),
)


@dataclass
class Document:
    """A parsed file: plain data plus where each value came from."""

    path: str  # as shown to the user
    data: Any
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    block: set[Loc] = field(default_factory=set)  # values written as | or > block scalars

    def where(self, loc: Loc) -> tuple[int, int]:
        """Line and column (1-based) of the value at loc, or of its nearest ancestor."""
        loc = tuple(loc)
        while loc:
            if loc in self.positions:
                return self.positions[loc]
            loc = loc[:-1]
        return self.positions.get((), (1, 1))

    def text_line(self, loc: Loc) -> int:
        """The file line on which the text of a (possibly block) scalar starts."""
        line, _ = self.where(loc)
        return line + 1 if tuple(loc) in self.block else line


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    return yaml


def _plain(node: Any, loc: Loc, doc: Document) -> Any:
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            child = (*loc, str(key))
            try:
                kline, kcol = node.lc.key(key)
                vline, vcol = node.lc.value(key)
            except (KeyError, TypeError, AttributeError):  # pragma: no cover - defensive
                kline, kcol = vline, vcol = node.lc.line, node.lc.col
            # Errors about a key point at the key; about a scalar, at its value.
            is_scalar = not isinstance(value, (CommentedMap, CommentedSeq))
            doc.positions[child] = (vline + 1, vcol + 1) if is_scalar else (kline + 1, kcol + 1)
            doc.positions[(*child, "<key>")] = (kline + 1, kcol + 1)
            if isinstance(value, (LiteralScalarString, FoldedScalarString)):
                doc.block.add(child)
            out[str(key) if not isinstance(key, (int, bool)) else key] = _plain(value, child, doc)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, value in enumerate(node):
            child = (*loc, i)
            line, col = node.lc.item(i)
            doc.positions[child] = (line + 1, col + 1)
            if isinstance(value, (LiteralScalarString, FoldedScalarString)):
                doc.block.add(child)
            items.append(_plain(value, child, doc))
        return items
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def _line_col(text: bytes, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count(b"\n") + 1
    col = offset - (before.rfind(b"\n") + 1) + 1
    return line, col


def read_yaml(path: Path, shown: str) -> Document:
    """Parse a YAML file; raise BriefError with file:line:col for anything unreadable."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise BriefError([Problem(shown, 0, 0,
                f"file is {size / 1_000_000:.1f} MB; content files are limited to "
                f"{MAX_BYTES // (1024 * 1024)} MB", hint="split it or remove pasted data")])
        raw = path.read_bytes()
    except OSError as exc:
        raise BriefError([Problem(shown, 0, 0, f"cannot read file: {exc.strerror}")]) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a BOM from Windows editors is harmless
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw, exc.start)
        raise BriefError([Problem(shown, line, col,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            hint="save the file with UTF-8 encoding")]) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip() or all(
            not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise BriefError([Problem(shown, 1, 1, "file is empty")])
    doc = Document(shown, None)
    try:
        node = _yaml().load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = _duplicate_key(exc)
        first = _first_line(text, key, mark.line, mark.column)
        raise BriefError([Problem(shown, mark.line + 1, mark.column + 1,
            f"duplicate key '{key}'" + (f" (first defined on line {first})" if first else ""),
            hint="each key may appear only once")]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "\\t" in problem or "\t" in problem:
            problem = "tab character: indent with spaces, YAML does not allow tabs"
        raise BriefError([Problem(shown, line, col, f"YAML syntax error: {problem}")]) from None
    except YAMLError as exc:
        raise BriefError([Problem(shown, 0, 0, f"YAML error: {exc}")]) from None
    if not isinstance(node, (CommentedMap, CommentedSeq)) and node is None:
        raise BriefError([Problem(shown, 1, 1, "file is empty")])
    doc.positions[()] = (1, 1)
    doc.data = _plain(node, (), doc)
    return doc


def _duplicate_key(exc: DuplicateKeyError) -> str:
    problem = exc.problem or ""
    if '"' in problem:
        return problem.split('"')[1]
    return problem


def _first_line(text: str, key: str, before: int, col: int) -> int:
    """Line of the earlier definition of a duplicated key at the same indentation."""
    pattern = re.compile(rf"^\s{{{col}}}['\"]?{re.escape(key)}['\"]?\s*:")
    for number, line in enumerate(text.split("\n")[:before], 1):
        if pattern.match(line):
            return number
    return 0
