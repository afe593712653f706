"""A progress bar on a terminal; one plain line per artifact in CI logs."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from briefgen.build.plan import Job


class Progress:
    def __init__(self, quiet: bool, total: int = 0) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.count = 0
        self.total = total

    def __enter__(self) -> Progress:
        return self

    def step(self, job: Job, total: int | None = None) -> None:
        self.count += 1
        if total:
            self.total = total
        if self.quiet:
            return
        of = f"/{self.total}" if self.total else ""
        if self.tty:
            width = 24
            done = width * self.count // self.total if self.total else 0
            bar = "#" * done + "-" * (width - done)
            click.echo(f"\r\033[K[{bar}] {self.count}{of} {job.path}", err=True, nl=False)
        else:
            click.echo(f"[{self.count}{of}] {job.path}", err=True)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.tty and not self.quiet and self.count:
            click.echo("\r\033[K", err=True, nl=False)
