"""The output folder's files: the one atomic writer (every file briefgen writes into a project
or an output folder goes through write_all: builds, `schema`, `diff --html`, `manifest merge`,
`new`; only the parse cache outside the project, a best-effort shortcut, writes its own), the
checks that keep writes inside the output folder, the lock one build holds on it and the
clean-up after a build."""

from __future__ import annotations

import fcntl
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefgen.content.project import Project
from briefgen.errors import BriefError
from briefgen.paths import refusal
from briefgen.theme import bundled as templates_dir

log = logging.getLogger("briefgen.build")


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written file."""
    write_all([(path, data)])


def _stage(path: Path, data: bytes) -> Path:
    """Write data to a temporary file beside path (fsynced); the caller renames it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def after_rename(path: Path) -> None:
    """Called after each rename of write_all's commit step (tests kill the process here)."""


def confine_writes(paths: list[Path], out: Path) -> None:
    """Raise BriefError unless every path resolves (symlinks included) into out."""
    for path in paths:
        if refusal(path, (out,), "") is not None:
            raise BriefError(f"refusing to write {path}: it leads outside the output folder "
                             f"{out} through a symbolic link; nothing was written (remove "
                             "the link)", code="BG402")


def write_all(files: list[tuple[Path, bytes]], inside: Path | None = None) -> None:
    """Stage every file first; rename them into place only once all are safely written.
    With `inside`, every target must resolve into that folder (symlinks included), or
    nothing at all is written."""
    if inside is not None:
        confine_writes([path for path, _ in files], inside)
    staging = Staging()
    try:
        for path, data in files:
            staging.add(path, data)
    except BaseException:
        staging.discard()
        raise
    staging.commit()


class Staging:
    """Files staged one by one beside their targets (hidden temporary names: nothing is
    visible yet), then all renamed into place (commit) or all deleted, with the folders
    made for them (discard). A build stages each file as soon as it is made, so it holds no
    file's bytes; a killed build's staged files are remove_leftovers' to delete."""

    def __init__(self, inside: Path | None = None) -> None:
        self.inside = inside  # every target must resolve into it (symlinks included)
        self.staged: list[tuple[Path, Path]] = []  # (temporary file, target)
        self.made: list[Path] = []  # folders made for them, outermost first

    def add(self, path: Path, data: bytes) -> None:
        if self.inside is not None:
            confine_writes([path], self.inside)
        missing = []
        folder = path.parent
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        self.made += reversed(missing)
        self.staged.append((_stage(path, data), path))

    def commit(self) -> None:
        for tmp, path in self.staged:
            os.replace(tmp, path)
            after_rename(path)
        self.staged, self.made = [], []

    def discard(self) -> None:
        for tmp, _ in self.staged:
            tmp.unlink(missing_ok=True)
        for folder in reversed(self.made):
            try:
                folder.rmdir()  # only if empty
            except OSError:
                pass
        self.staged, self.made = [], []


def check_out_dir(out: Path, project: Project) -> Path:
    """Refuse an output folder where a build could overwrite or prune the project itself."""
    out = out.resolve()
    advice = "choose a separate folder such as build/"
    inner = ((project.content, "the content folder"),
             ((project.root / "templates").resolve(), "the project's templates folder"),
             (templates_dir().resolve(), "the templates folder"),
             (Path(__file__).resolve().parents[1], "briefgen's package folder"))
    for protected, name in ((project.root, "the project folder"), *inner):
        if out == protected or protected.is_relative_to(out):
            raise BriefError(f"refusing to build into {out}: it is {name} or contains it; "
                             f"{advice}", code="BG401")
    for protected, name in inner:
        if out.is_relative_to(protected):
            raise BriefError(f"refusing to build into {out}: it is inside {name}; {advice}",
                             code="BG401")
    return out


@contextmanager
def output_lock(out: Path, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive flock on the output folder itself while a build reads and writes it.
    A second build waits (saying so once) or, with wait=False, stops. Locking the folder
    leaves no lock file behind; a folder this made is removed again if the build wrote
    nothing into it."""
    made = not out.is_dir()
    out.mkdir(parents=True, exist_ok=True)
    fd = -1
    try:
        while fd < 0:
            fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait:
                    raise BriefError(f"another build is writing to {out}; not waiting "
                                     "(--no-wait)", code="BG403") from None
                log.warning("briefgen: another build is writing to %s; waiting…", out)
                fcntl.flock(fd, fcntl.LOCK_EX)
            out.mkdir(parents=True, exist_ok=True)
            if not os.path.samestat(os.fstat(fd), os.stat(out)):  # removed and made again
                os.close(fd)
                fd = -1
        yield
    finally:
        if fd >= 0:
            os.close(fd)
        if made:
            try:
                out.rmdir()  # only if still empty: a build that failed
            except OSError:
                pass


def remove_leftovers(out: Path) -> None:
    """Delete temporary files a killed build left (`_stage`'s .<name>.<random>.tmp) and the
    folders that leaves empty, never following a symlink out of the output folder."""
    for folder, _, names in os.walk(out):
        for name in names:
            if name.startswith(".") and name.endswith(".tmp"):
                Path(folder, name).unlink(missing_ok=True)
                _remove_empty_parents(Path(folder), out)  # made for the files it staged


def prune(out: Path, paths: set[str]) -> list[str]:
    """Delete these files of the output folder (a link itself, never through a linked
    folder) and the folders they leave empty; the paths deleted."""
    pruned = []
    for path in sorted(paths):
        target = out / path
        if refusal(target.parent, (out,), "") is None and (target.is_file()
                                                           or target.is_symlink()):
            target.unlink()
            pruned.append(path)
            _remove_empty_parents(target.parent, out)
    return pruned


def _remove_empty_parents(folder: Path, out: Path) -> None:
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
