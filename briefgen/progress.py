"""A progress bar on a terminal; one plain line per artifact in CI logs."""

from __future__ import annotations

import logging
import sys
from types import TracebackType
from typing import Any

import click

log = logging.getLogger("briefgen")


class Progress:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.count = 0

    def __enter__(self) -> Progress:
        return self

    def step(self, job: Any) -> None:
        self.count += 1
        if self.quiet:
            return
        if self.tty:
            click.echo(f"\r\033[K[{self.count}] {job.path}", err=True, nl=False)
        else:
            click.echo(f"[{self.count}] {job.path}", err=True)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.tty and not self.quiet and self.count:
            click.echo("\r\033[K", err=True, nl=False)
