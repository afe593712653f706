"""`briefgen trace`: whose numbered copy a PDF, or text pasted out of one, is (issue.py
makes the copies).

The marks are read back (publish/stamp.py: the metadata, the footer line and the hidden
mark in pdftotext's text) and each serial is looked up in the ledgers: the one given with
--ledger, or every releases/*/copies.json not reached through a symbolic link. A ledger that
cannot be read is named, and what the others say is still reported. The file is read within
limits (a regular file or standard input, MAX_FILE bytes; a PDF's pages, the content streams
they draw and the bytes of its text), so that a small hostile PDF cannot make trace work for
minutes.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from briefgen.commands.ledger import FOLDER, NAME, TRACE, Copy, read_ledger
from briefgen.commands.recipients import Unreadable, read_limited
from briefgen.errors import BriefError, Problem, Problems
from briefgen.publish.pdftext import pdftotext
from briefgen.publish.stamp import Marks, marks_in_pdf, marks_in_text

#: what trace reads of a file at most: no copy of an edition comes near (a PDF's page count,
#: the content streams its pages draw, counting a stream once for each page that draws it,
#: and the bytes of text pdftotext gives), so a small hostile PDF cannot make it work for long
MAX_FILE = 256 * 1024 * 1024
MAX_PAGES = 1000
MAX_STREAMS = 10_000
MAX_TEXT = 8 * 1024 * 1024
PDFTOTEXT_SECONDS = 300  # a last resort: the limits above bound the work


@dataclass(frozen=True)
class Trace:
    serial: str
    where: tuple[str, ...]  # which marks named it
    copy: Copy | None  # its ledger entry
    intact: bool | None  # whether a traced PDF is the copy's bytes as issued


def error(path: str, message: str, code: str, hint: str = "") -> BriefError:
    """A problem of a file named whole (no line)."""
    return BriefError([Problem(path, message=message, hint=hint, code=code)])


def too_much(shown: str, what: str) -> BriefError:
    return error(shown, f"{what}; not traced", hint=f"no numbered copy of an edition is this "
                 f"large: trace reads at most {MAX_PAGES} pages, {MAX_STREAMS} content "
                 f"streams and {MAX_TEXT} bytes of text", code="BG585")


def bounded_page_text(data: bytes, shown: str) -> str:
    """pdftotext's text of a PDF, within the limits (refused beyond them)."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
            if pages > MAX_PAGES:
                raise too_much(shown, f"has {pages} pages")
            drawn = 0
            for page in pdf.pages:
                contents = page.obj.get("/Contents")
                drawn += len(contents) if isinstance(contents, pikepdf.Array) else 1
            if drawn > MAX_STREAMS:
                raise too_much(shown, f"its pages draw {drawn} content streams")
    except pikepdf.PdfError as exc:
        raise error(shown, f"cannot be read as a PDF ({str(exc).splitlines()[0][:120]})",
                    code="BG585") from None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        proc = subprocess.Popen([pdftotext(), "-q", "-enc", "UTF-8", "-l", str(MAX_PAGES),
                                 file.name, "-"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        timer = threading.Timer(PDFTOTEXT_SECONDS, proc.kill)
        timer.start()
        try:
            assert proc.stdout is not None
            text = proc.stdout.read(MAX_TEXT + 1)
        finally:
            proc.kill()
            proc.wait()
            timer.cancel()
    if len(text) > MAX_TEXT:
        raise too_much(shown, f"its text is more than {MAX_TEXT} bytes")
    return text.decode("utf-8", errors="replace")


def marks_of(data: bytes, shown: str = "") -> Marks:
    """The marks of a PDF (its metadata and pdftotext's text) or of pasted text."""
    if data.startswith(b"%PDF-"):
        return marks_in_pdf(data, bounded_page_text(data, shown))
    return marks_in_text(data.decode("utf-8", errors="replace"))


def trace(data: bytes, shown: str, ledgers: list[Path],
          problems: Problems | None = None) -> list[Trace]:
    """Who the copy in data was issued to, by each serial its marks hold. A ledger that
    cannot be read is a problem (added to problems, or raised) naming it; the others are
    still read."""
    marks = marks_of(data, shown)
    if not marks.serials:
        raise error(shown, "no copy serial found: neither the footer '№ …' of a "
                         "numbered copy, nor its hidden mark, nor its metadata (not a "
                         "numbered copy, or its marks were removed)", code="BG581")
    own = problems is None
    problems = Problems() if problems is None else problems
    copies: dict[str, Copy] = {}
    for path in ledgers:
        try:
            for copy in read_ledger(path, None, path.as_posix(), TRACE).copies:
                copies.setdefault(copy.serial, copy)
        except BriefError as exc:
            for problem in exc.problems:
                problems.add(problem)
    if own:
        problems.raise_if_errors()
    traces = []
    digest = hashlib.sha256(data).hexdigest()
    for serial in marks.serials:
        where = tuple(kind for kind, found in (("metadata", marks.metadata),
                                               ("footer", marks.footer),
                                               ("hidden mark", marks.hidden))
                      if serial in found)
        known = copies.get(serial)
        intact = None if known is None or not data.startswith(b"%PDF-") else \
            known.sha256 == digest
        traces.append(Trace(serial, where, known, intact))
    return traces


def ledgers_of(project: Path, given: Path | None, problems: Problems | None = None
               ) -> list[Path]:
    """The ledgers trace reads: the one given, or every brief's in the project's releases/
    (one a symbolic link leads to, or out of releases/, is a problem, added to problems or
    raised, and is not read)."""
    if given is not None:
        return [given]
    folder = project / FOLDER
    found = []
    own = problems is None
    problems = Problems() if problems is None else problems
    if folder.is_symlink():
        problems.error(f"{FOLDER}/", 0, 0, "is a symbolic link; trace reads the ledgers of "
                       "the project's own releases/ folder only", hint="give the ledger with "
                       "--ledger", code="BG583")
    else:
        for path in sorted(folder.glob(f"*/{NAME}")):
            shown = path.relative_to(project).as_posix()
            if path.is_symlink() or path.parent.is_symlink() or \
                    not path.resolve().is_relative_to(folder.resolve()):
                problems.error(shown, 0, 0, "is, or is reached through, a symbolic link; "
                               "not read", hint="give the ledger with --ledger", code="BG583")
            else:
                found.append(path)
    if own:
        problems.raise_if_errors()
    return found


def read_traced(file: Path) -> tuple[bytes, str]:
    """The bytes of the file trace is given ('-': standard input) and how it is named."""
    shown = "standard input" if str(file) == "-" else file.as_posix()
    try:
        data = (sys.stdin.buffer.read(MAX_FILE + 1) if str(file) == "-"
                else read_limited(file, MAX_FILE))
    except OSError as exc:
        raise error(shown, f"cannot be read: {exc.strerror}", code="BG581") from None
    except Unreadable as exc:
        raise error(shown, f"is {exc}; not read", code="BG581") from None
    if len(data) > MAX_FILE:
        raise error(shown, f"more than {MAX_FILE} bytes; not read", code="BG581")
    return data, shown


def trace_file(project: Path, file: Path, ledger: Path | None) -> tuple[str, list[Problem]]:
    """`briefgen trace`: the lines it prints and its problems."""
    data, shown = read_traced(file)
    problems = Problems()
    ledgers = ledgers_of(project, ledger, problems)
    traces = trace(data, shown, ledgers, problems)
    lines, errors = trace_report(traces, shown)
    return lines, [*problems.errors, *errors]


def trace_report(traces: list[Trace], shown: str) -> tuple[str, list[Problem]]:
    """The lines trace prints, and its errors (a serial in no ledger; marks that disagree)."""
    lines, errors = [], []
    for t in traces:
        found = ", ".join(t.where)
        if t.copy is None:
            errors.append(Problem(shown, message=f"serial {t.serial} ({found}) is in no "
                                  "ledger of copies", hint="give the ledger with --ledger",
                                  code="BG582"))
            continue
        state = {None: "", True: "; the file is the copy as issued",
                 False: "; the file was changed after it was issued"}[t.intact]
        lines.append(f"{t.serial}: {t.copy.describe()}, copy of {t.copy.edition} issued "
                     f"{t.copy.issued} (found in: {found}){state}")
    if len(traces) > 1:
        errors.append(Problem(shown, message=f"marks of {len(traces)} different copies: "
                              + ", ".join(t.serial for t in traces),
                              hint="text from several copies, or a forged mark",
                              code="BG582"))
    return "\n".join(lines), errors
