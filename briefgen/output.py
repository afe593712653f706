"""How problems, progress and summaries reach people: terminals, CI logs, GitHub annotations."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from briefgen.errors import BriefError, Problem, human_size, printable

if TYPE_CHECKING:
    from briefgen.build.manifest import ManifestEntry


def setup_logging(verbosity: int) -> None:
    """-q: errors only; default: warnings and results; -v: every step."""
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(
        verbosity, logging.DEBUG if verbosity > 1 else logging.ERROR)
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr, force=True)
    logging.getLogger("weasyprint").setLevel(logging.ERROR if verbosity < 2 else logging.DEBUG)
    logging.getLogger("fontTools").setLevel(logging.ERROR)


SHOWN = 200  # problems printed; then only how many more there are


def _annotation(p: Problem) -> str:
    """A GitHub workflow command that shows p on the pull request, its file relative to the
    repository (GITHUB_WORKSPACE), every value escaped as GitHub documents."""
    kind = "error" if p.severity == "error" else "warning"
    props = f"file={_escape(_repository_path(p.path), ':,')}"
    if p.line:
        props += f",line={p.line}"
        if p.col:
            props += f",col={p.col}"
    text = (f"{p.field}: " if p.field else "") + p.message + (f" ({p.hint})" if p.hint else "")
    return f"::{kind} {props}::{_escape(text)}"


def _escape(value: str, also: str = "") -> str:
    """value for a workflow command: printable, then '%', CR, LF (and also, for a property
    value: ':' and ',') percent-encoded."""
    value = printable(value)
    for char in "%\r\n" + also:
        value = value.replace(char, f"%{ord(char):02X}")
    return value


def _repository_path(path: str) -> str:
    """A problem's path (relative to the project) relative to GITHUB_WORKSPACE, if inside it."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    context = click.get_current_context(silent=True)
    project = context.params.get("project") if context else None
    if not workspace or project is None:
        return path
    full = Path(project, path).resolve()
    return full.relative_to(Path(workspace).resolve()).as_posix() \
        if full.is_relative_to(Path(workspace).resolve()) else path


def _json_output() -> bool:
    """Whether the command was given --output-format json."""
    context = click.get_current_context(silent=True)
    return bool(context and context.find_root().meta.get(OUTPUT_FORMAT) == "json")


OUTPUT_FORMAT = "briefgen.output_format"  # the key in click's context meta


def as_json(p: Problem) -> str:
    """One problem as one line of JSON (ASCII only: nothing in it can drive a terminal)."""
    return json.dumps({"code": p.code, "severity": p.severity, "path": p.path,
                       "line": p.line, "col": p.col, "field": p.field, "message": p.message,
                       "hint": p.hint})


def show_problems(problems: Iterable[Problem], quiet: bool = False) -> None:
    """Each problem on one line (with its annotation under GitHub Actions), the first SHOWN
    of them; then how many more there are. With --output-format json: every problem as a
    line of JSON, with its code, and nothing else."""
    shown = [p for p in problems if not quiet or p.severity == "error"]
    if _json_output():
        for p in shown:
            click.echo(as_json(p), err=True)
        return
    color = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    github = os.environ.get("GITHUB_ACTIONS") == "true"
    for p in shown[:SHOWN]:
        line = str(p)
        if color:
            where, _, rest = line.partition(": ")
            tint = "red" if p.severity == "error" else "yellow"
            line = click.style(where, bold=True) + ": " + click.style(rest, fg=tint)
        click.echo(line, err=True)
        if github:
            click.echo(_annotation(p), err=True)
    if len(shown) > SHOWN:
        click.echo(f"briefgen: … and {len(shown) - SHOWN:,} more", err=True)


def fail(exc: BriefError, quiet: bool = False) -> None:
    """Print every problem, then one summary line."""
    only = exc.problems[0] if len(exc.problems) == 1 else None
    if _json_output():
        show_problems(exc.problems, quiet)
        return
    if only is not None and only.path == "briefgen" and not only.line:
        click.echo(str(only), err=True)  # a usage-level problem: already "briefgen: …"
        return
    show_problems(exc.problems, quiet)
    summary = f"briefgen: {exc.summary()}"
    if sys.stderr.isatty() and "NO_COLOR" not in os.environ:
        summary = click.style(summary, fg="red", bold=True)
    click.echo(summary, err=True)


def summary_table(built: list[ManifestEntry], skipped: list[ManifestEntry],
                  pruned: list[str], seconds: float, unchanged: int | None = None) -> str:
    """One row per artifact (rows for unchanged ones only if given), then the counts."""
    rows = [("built", a) for a in built] + [("skipped", a) for a in skipped]
    rows.sort(key=lambda r: r[1].path)
    width = max([len(a.path) for _, a in rows] + [8])
    lines = [f"{'artifact':<{width}}  {'status':<7}  {'pages':>5}  {'size':>7}"] if rows or \
        pruned else []
    for status, a in rows:
        pages = str(a.pages) if a.pages is not None else "-"
        lines.append(f"{printable(a.path):<{width}}  {status:<7}  {pages:>5}  "
                     f"{human_size(a.bytes):>7}")
    for path in pruned:
        lines.append(f"{printable(path):<{width}}  pruned")
    unchanged = len(skipped) if unchanged is None else unchanged
    lines.append(f"{len(built)} built, {unchanged} unchanged, {len(pruned)} pruned "
                 f"in {seconds:.1f} s")
    return "\n".join(lines)
