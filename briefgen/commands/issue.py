"""`briefgen issue`: numbered copies of a built edition, one per recipient (`briefgen trace`,
whose copy a file is: trace.py).

The edition is a PDF of a build output folder, found in that folder's manifest.json;
its bytes must be those the manifest lists, and they must be the PDF the content makes now:
the manifest is only a file beside the PDF (anyone may write one, keys and all), so the
edition is planned as the build would (its entry's key names the PDF variant it was built
in; no variant's key: stale), rendered afresh in this process, once per command, guarded
like a build's, and its bytes compared with the given PDF's (briefgen's PDFs are
deterministic); else nothing is issued. Each recipient's copy is the edition stamped
(publish/stamp.py), then guarded like every edition of its audience (the stamp's own words
too: a forbidden phrase in a name is refused at its line of the recipients file, and the
copy's text is guarded again) and checked for PDF/UA. The copies and the ledger (ledger.py,
in a place it confines) are written together, atomically, only when every copy passed. A
recipient already in the ledger for these very edition bytes keeps their serial and gets
the same bytes again; a new recipient gets a new serial.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from briefgen import clock
from briefgen.build.files import check_out_dir, confine_writes, output_lock, write_all
from briefgen.build.manifest import MANIFEST, ManifestEntry, read_manifest
from briefgen.build.plan import Rendered, Selection
from briefgen.commands.ledger import (
    IGNORE_RULE,
    Copy,
    Ledger,
    copy_file,
    git_unignored,
    ledger_bytes,
    ledger_location,
    read_ledger,
)
from briefgen.commands.recipients import Recipient, Unreadable, read_limited, read_recipients
from briefgen.content.project import Project
from briefgen.edition.resolve import Edition
from briefgen.errors import BriefError, Problem, Problems, display_path
from briefgen.publish import guard
from briefgen.publish.pdftext import pdf_surfaces
from briefgen.publish.pdfua import check as pdfua_check
from briefgen.publish.stamp import (
    Stamp,
    StampError,
    new_serial,
    stamp,
)
from briefgen.publish.stampfont import GlyphSource

MAX_PDF = 256 * 1024 * 1024  # an edition's PDF; more is no edition briefgen made
#: the PDF variants an edition may have been built in (None: its audience's)
VARIANTS = (None, "pdf/ua-1", "pdf/a-3u")


def error(path: str, message: str, code: str, hint: str = "") -> BriefError:
    """A problem of a file named whole (no line)."""
    return BriefError([Problem(path, message=message, hint=hint, code=code)])


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
    try:
        data = read_limited(path, MAX_PDF)
    except (OSError, Unreadable) as exc:
        why = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise error(shown, f"cannot be read: {why}", code="BG575") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry.sha256:
        raise error(shown, f"its sha256 is {digest[:12]}…, not the {entry.sha256[:12]}… "
                         "of manifest.json: it changed since it was built; nothing was issued "
                         "(run briefgen build)", code="BG575")
    return Located(folder, entry, data)


def current_edition(project: Project, located: Located) -> Rendered:
    """The edition as the content makes it now, planned (HTML rendered, not the PDF) in the
    PDF variant whose key the manifest entry has (the audience's, or the one `build
    --pdf-variant` asked for); no variant has it: stale."""
    entry = located.entry
    problems = Problems()
    from briefgen.build.run import plan

    for variant in VARIANTS:
        selection = Selection((entry.brief,), (entry.audience,), (entry.language,), ("pdf",),
                              variant)
        job = next((j for j in plan(project, selection, problems) if j.path == entry.path),
                   None)
        problems.raise_if_errors()
        if isinstance(job, Rendered) and job.key == entry.key:
            return job
    raise error(entry.path, "stale: the content or templates changed since this edition was "
                "built; nothing was issued (run briefgen build first)", code="BG575")


def prove(project: Project, job: Rendered, located: Located, shown: str) -> None:
    """The edition rendered afresh here, guarded and checked as a build checks it, must be
    the given PDF byte for byte: a manifest (keys included) proves nothing."""
    from briefgen.build.run import guard_pages, pdf_problems
    from briefgen.build.workers import pdf_guard_surfaces, renderer

    problems = Problems()
    guard_pages([job], problems)
    problems.raise_if_errors()
    result = renderer(project.session, project.content).render(job.source, job.variant,
                                                               job.attachments)
    pdf_problems(job, result, pdf_guard_surfaces(result, job.output.surfaces), problems)
    problems.raise_if_errors()
    if result.data != located.data:
        made, given = (hashlib.sha256(d).hexdigest()[:12] for d in (result.data,
                                                                     located.data))
        raise error(shown, f"is not the PDF the content makes: rendered afresh, "
                    f"{job.path} has the sha256 {made}…, this file {given}…; nothing was "
                    "issued", hint="give the PDF that briefgen build wrote from this "
                    "content", code="BG584")


def now() -> str:
    """The time a copy is issued (UTC), or SOURCE_DATE_EPOCH's."""
    return clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Issued:
    copy: Copy
    reused: bool  # the recipient already had this serial


def issue(project: Project, edition_pdf: Path, recipients_csv: Path,
          ledger_file: Path | None = None, warnings: Problems | None = None) -> list[Issued]:
    """Stamp, guard and check one copy per recipient; write them and the ledger (a ledger
    that git would commit is a warning, added to warnings)."""
    shown = display_path(recipients_csv, project.root)
    recipients = read_recipients(recipients_csv, shown)
    located = locate(edition_pdf)
    out = check_out_dir(located.out, project)
    with output_lock(out):
        located = locate(edition_pdf)  # as it is now that no build writes
        job = current_edition(project, located)
        edition, entry = job.edition, located.entry
        ledger_file = ledger_location(project.root, entry.brief, ledger_file, out)
        ledger = read_ledger(ledger_file, entry.brief, display_path(ledger_file, project.root))
        glyphs = GlyphSource(entry.language)
        _check_stamps(edition, recipients, glyphs, shown)
        prove(project, job, located, edition_pdf.as_posix())
        issued, files = _stamp_all(edition, located, recipients, ledger, glyphs, out)
        for item in issued:
            ledger.record(item.copy)
        confine_writes([path for path, _ in files], out)
        if warnings is not None:
            _warn_if_committed(project, ledger_file, warnings)
        write_all([*files, (ledger_file, ledger_bytes(ledger))])
    return issued


def _warn_if_committed(project: Project, ledger_file: Path, warnings: Problems) -> None:
    """A warning if git would commit the ledger (ledger.py: git_unignored)."""
    if git_unignored(ledger_file) is None:
        return
    in_project = ledger_file.absolute().is_relative_to(project.root.absolute())
    hint = (f"add the line {IGNORE_RULE} to the project's .gitignore (briefgen new brief "
            "does)" if in_project else "add a .gitignore rule for it")
    warnings.warn(display_path(ledger_file, project.root), 0, 0, "is in a git work tree and "
                  "no .gitignore rule ignores it: a commit of its folder would publish every "
                  "recipient's name", hint=hint, code="BG586")


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
        rel = copy_file(entry.path, serial)
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
