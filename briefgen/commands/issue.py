"""`briefgen issue` (numbered copies of a built edition, one per recipient) and `briefgen
trace` (whose copy a PDF, or text pasted out of one, is).

issue: the edition is a PDF of a build output folder, found in that folder's manifest.json;
its bytes must be those the manifest lists, and the content must not have changed since it
was built (planned as the build would: kept, or rendered to the same key), else nothing is
issued. Each recipient's copy is the edition stamped (publish/stamp.py), then guarded like
every edition of its audience (the stamp's own words too: a forbidden phrase in a name is
refused at its line of the recipients file, and the copy's text is guarded again) and
checked for PDF/UA. The copies and the ledger (ledger.py) are written together, atomically,
only when every copy passed. A recipient already in the ledger for these very edition bytes
keeps their serial and gets the same bytes again; a new recipient gets a new serial.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from briefgen import clock
from briefgen.build.files import check_out_dir, confine_writes, output_lock, write_all
from briefgen.build.keys import Previous
from briefgen.build.manifest import MANIFEST, ManifestEntry, read_manifest
from briefgen.build.plan import Kept, Selection
from briefgen.commands.ledger import Copy, Ledger, ledger_bytes, read_ledger
from briefgen.commands.recipients import Recipient, read_recipients
from briefgen.content.project import Project
from briefgen.edition.resolve import Edition, resolve
from briefgen.errors import BriefError, Problem, Problems, display_path
from briefgen.publish import guard
from briefgen.publish.pdftext import page_text, pdf_surfaces
from briefgen.publish.pdfua import check as pdfua_check
from briefgen.publish.stamp import (
    Marks,
    Stamp,
    StampError,
    marks_in_pdf,
    marks_in_text,
    new_serial,
    stamp,
)
from briefgen.publish.stampfont import GlyphSource

#: the PDF variants an edition may have been built in (None: its audience's)
VARIANTS = (None, "pdf/ua-1", "pdf/a-3u")


def error(path: str, message: str, code: str) -> BriefError:
    """A problem of a file named whole (no line)."""
    return BriefError([Problem(path, message=message, code=code)])


def ledger_path(project: Project, brief: str) -> Path:
    """Where a brief's ledger is kept unless --ledger says otherwise."""
    return project.root / "releases" / brief / "copies.json"


@dataclass(frozen=True)
class Located:
    out: Path  # the build output folder
    entry: ManifestEntry
    data: bytes


def locate(edition_pdf: Path) -> Located:
    """The edition a PDF path names: its build folder, manifest entry and bytes, which must
    be those the manifest lists."""
    shown = edition_pdf.as_posix()
    path = edition_pdf.resolve()
    for folder in path.parents:
        if (folder / MANIFEST).is_file():
            rel = path.relative_to(folder).as_posix()
            entry = next((e for e in read_manifest(folder / MANIFEST) if e.path == rel), None)
            if entry is not None:
                break
    else:
        raise error(shown, "not an edition of a build: no manifest.json above it "
                         "lists it (give the PDF briefgen build wrote, e.g. "
                         "build/<brief>/<audience>/<lang>/<file>.pdf)", code="BG575")
    if entry.format != "pdf":
        raise error(shown, f"is the {entry.format} edition; copies are made of the "
                         "PDF", code="BG575")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry.sha256:
        raise error(shown, f"its sha256 is {digest[:12]}…, not the {entry.sha256[:12]}… "
                         "of manifest.json: it changed since it was built; nothing was issued "
                         "(run briefgen build)", code="BG575")
    return Located(folder, entry, data)


def current_edition(project: Project, located: Located) -> Edition:
    """The edition as the content makes it now, which must be the one built (in the
    audience's PDF variant, or the one `build --pdf-variant` asked for)."""
    entry = located.entry
    problems = Problems()
    previous = Previous(located.out, [entry])
    from briefgen.build.run import plan

    for variant in VARIANTS:
        selection = Selection((entry.brief,), (entry.audience,), (entry.language,), ("pdf",),
                              variant)
        job = next((j for j in plan(project, selection, problems, previous.reuse)
                    if j.path == entry.path), None)
        problems.raise_if_errors()
        if job is not None and (isinstance(job, Kept)
                                or previous.same(entry.path, job.key) is not None):
            if job.edition is not None:
                return job.edition
            return resolve(project, entry.brief, entry.audience, entry.language, "print",
                           problems)
    raise error(entry.path, "stale: the content or templates changed since this edition was "
                "built; nothing was issued (run briefgen build first)", code="BG575")


def now() -> str:
    """The time a copy is issued (UTC), or SOURCE_DATE_EPOCH's."""
    return clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Issued:
    copy: Copy
    reused: bool  # the recipient already had this serial


def issue(project: Project, edition_pdf: Path, recipients_csv: Path,
          ledger_file: Path | None = None) -> list[Issued]:
    """Stamp, guard and check one copy per recipient; write them and the ledger."""
    shown = display_path(recipients_csv, project.root)
    recipients = read_recipients(recipients_csv, shown)
    located = locate(edition_pdf)
    out = check_out_dir(located.out, project)
    with output_lock(out):
        located = locate(edition_pdf)  # as it is now that no build writes
        edition = current_edition(project, located)
        entry = located.entry
        ledger_file = ledger_file or ledger_path(project, entry.brief)
        ledger = read_ledger(ledger_file, entry.brief, display_path(ledger_file, project.root))
        glyphs = GlyphSource(entry.language)
        _check_stamps(edition, recipients, glyphs, shown)
        issued, files = _stamp_all(edition, located, recipients, ledger, glyphs, out)
        for item in issued:
            ledger.record(item.copy)
        confine_writes([path for path, _ in files], out)
        write_all([*files, (ledger_file, ledger_bytes(ledger))])
    return issued


def _check_stamps(edition: Edition, recipients: list[Recipient], glyphs: GlyphSource,
                  shown: str) -> None:
    """Each recipient's stamp has glyphs and no forbidden phrase, at its line."""
    problems = Problems()
    phrases = edition.audience.forbidden_phrases
    for person in recipients:
        words = Stamp("0000-0000-0", person.name, person.organisation).footer
        missing = glyphs.missing(words)
        if missing:
            problems.error(shown, person.line, 1, "no glyph for " + ", ".join(
                f"U+{ord(c):04X} {c!r}" for c in missing) + " in the stamp's font",
                hint="write the name in Latin, Hangul, Han or Kana letters", code="BG579")
        for phrase in guard.find(phrases, words) if phrases else []:
            problems.error(shown, person.line, 1, f"forbidden phrase '{phrase}' for audience "
                           f"{edition.audience_id} would appear in this recipient's stamp",
                           hint="an audience's forbidden phrases are refused in its copies "
                           "too", code="BG576")
    problems.raise_if_errors()


def _stamp_all(edition: Edition, located: Located, recipients: list[Recipient],
               ledger: Ledger, glyphs: GlyphSource, out: Path
               ) -> tuple[list[Issued], list[tuple[Path, bytes]]]:
    entry = located.entry
    taken = {c.serial for c in ledger.copies}
    folder = Path("copies") / Path(entry.path).parent
    issued: list[Issued] = []
    files: list[tuple[Path, bytes]] = []
    problems = Problems()
    when = now()
    before = set(pdfua_check(located.data))  # the edition's own (heuristic) warnings
    for person in recipients:
        old = ledger.issued(entry.path, entry.sha256, person.key)
        serial = old.serial if old else _fresh(taken)
        taken.add(serial)
        try:
            data = stamp(located.data, Stamp(serial, person.name, person.organisation), glyphs)
        except StampError as exc:
            raise error(entry.path, f"cannot be stamped: {exc}", code="BG580") from None
        rel = (folder / f"{Path(entry.path).stem}-{serial}.pdf").as_posix()
        for problem in guard.problems(edition, guard.scan(edition, pdf_surfaces(data)), rel):
            problems.add(problem)
        for finding in [f for f in pdfua_check(data) if f not in before][:1]:
            problems.error(rel, 0, 0, f"the stamped copy is not PDF/UA-1 (Matterhorn "
                           f"{finding.checkpoint}): {finding.message}, at {finding.where}",
                           code="BG580")
        copy = Copy(serial=serial, name=person.name, organisation=person.organisation,
                    email=person.email, issued=old.issued if old else when,
                    edition=entry.path, edition_sha256=entry.sha256, file=rel,
                    sha256=hashlib.sha256(data).hexdigest())
        issued.append(Issued(copy, old is not None))
        files.append((out / rel, data))
    problems.raise_if_errors()
    return issued, files


def _fresh(taken: set[str]) -> str:
    while (serial := new_serial()) in taken:
        pass
    return serial


# -- trace ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trace:
    serial: str
    where: tuple[str, ...]  # which marks named it
    copy: Copy | None  # its ledger entry
    intact: bool | None  # whether a traced PDF is the copy's bytes as issued


def marks_of(data: bytes) -> Marks:
    """The marks of a PDF (its metadata and pdftotext's text) or of pasted text."""
    if data.startswith(b"%PDF-"):
        return marks_in_pdf(data, page_text(data))
    return marks_in_text(data.decode("utf-8", errors="replace"))


def trace(data: bytes, shown: str, ledgers: list[Path]) -> list[Trace]:
    """Who the copy in data was issued to, by each serial its marks hold."""
    marks = marks_of(data)
    if not marks.serials:
        raise error(shown, "no copy serial found: neither the footer '№ …' of a "
                         "numbered copy, nor its hidden mark, nor its metadata (not a "
                         "numbered copy, or its marks were removed)", code="BG581")
    copies: dict[str, Copy] = {}
    for path in ledgers:
        for copy in read_ledger(path, None, path.as_posix()).copies:
            copies.setdefault(copy.serial, copy)
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


def ledgers_of(project: Path, given: Path | None) -> list[Path]:
    """The ledgers trace reads: the one given, or every brief's in the project's releases/."""
    if given is not None:
        return [given]
    return sorted((project / "releases").glob("*/copies.json"))


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
