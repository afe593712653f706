"""The build: from a loaded project to the files of an output folder.

    jobs     plan: each selected artifact kept (inputs unchanged) or rendered to HTML;
             repairs: editions whose files a killed build left damaged; one job at a time:
    guard    guard_pages: the leak guard over its page or PDF source, if rendered
    decide   keep it if unchanged (reguard it if its guard changed), or make its file from
             its HTML page and stage it (files.py:Staging): the job is then let go
    render   the PDFs, in this process or in workers (workers.py), each guarded and
             staged; then every file of a released version compared with its release
             (released.py)
    write    manifest and index pages staged, then every staged file renamed into place,
             all or nothing (files.py); then prune

Nothing under the output folder changes before every artifact is rendered and checked: a
file is staged under a hidden temporary name, deleted if the build fails (and by the next
build if this one is killed). A build holds no file's bytes, and no edition or page once
its file is staged: its memory does not grow with the catalogue's pages.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from briefgen.build.files import (
    Staging,
    after_rename,
    check_out_dir,
    confine_writes,
    output_lock,
    prune,
    remove_leftovers,
    write_all,
    write_atomic,
)
from briefgen.build.formats import FORMATS, INDEX_FILES, Format, Texts
from briefgen.build.indexes import feed_entry, index_files
from briefgen.build.keys import (
    Previous,
    Reuse,
    guard_fingerprint,
    inputs_key,
    renderer_fingerprint,
    shared_inputs,
)
from briefgen.build.manifest import (
    MANIFEST,
    FeedInfo,
    ManifestEntry,
    manifest_bytes,
    manifest_entry,
    merge_manifests,
    merged_entries,
    read_manifest,
)
from briefgen.build.plan import (
    Artifact,
    Job,
    Kept,
    Rendered,
    Selection,
    select,
    shard,
)
from briefgen.build.released import check_released
from briefgen.build.workers import RECYCLE_AFTER, pdf_guard_surfaces, render_pdfs, warm_up
from briefgen.content.project import Project, unchanged_since
from briefgen.edition import glyphs
from briefgen.edition.resolve import Edition, resolve
from briefgen.errors import BriefError, Problem, Problems, human_size, short_url
from briefgen.publish import archive, embedded, guard
from briefgen.publish.html import render_edition
from briefgen.publish.pdf import PdfResult
from briefgen.publish.pdftext import pdftotext
from briefgen.publish.pdfua import HEURISTIC, Finding
from briefgen.publish.web import Entry, Place, web_view
from briefgen.session import Session
from briefgen.theme import Theme

# The stage's entry points, and what tests and tools reach through this module.
__all__ = ["FORMATS", "MANIFEST", "RECYCLE_AFTER", "BriefError", "Format", "Job", "Kept",
           "Options", "Rendered", "Report", "Selection", "after_rename", "build",
           "guard_pages", "confine_writes", "guard_fingerprint", "human_size", "leak_problems",
           "manifest_entry", "merge_manifests", "pdf_guard_surfaces", "plan", "reguard",
           "remove_leftovers", "warm_up", "write_atomic"]


@dataclass(frozen=True)
class Options:
    """How and where to build a selection."""

    out: Path
    selection: Selection = field(default_factory=Selection)
    jobs: int = 1  # PDF worker processes
    force: bool = False  # keep nothing of the previous build
    strict: bool = False  # warnings fail the build
    shard: tuple[int, int] | None = None  # (k, n), 1-based
    wait: bool = True  # for another build writing to the same folder; else fail at once


@dataclass
class Report:
    built: list[ManifestEntry] = field(default_factory=list)
    skipped: list[ManifestEntry] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    reguarded: list[str] = field(default_factory=list)  # kept, but leak-checked again
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


#: progress(job, total): called once for each artifact, kept or made
Progress = Callable[[Job, int], None]


def _silent(job: Job, total: int) -> None:
    """No progress shown."""


# -- jobs: each selected artifact kept, or rendered to HTML and validated ---------------------


def plan(project: Project, selection: Selection, problems: Problems,
         reuse: Reuse | None = None, fingerprint: str | None = None,
         part: tuple[int, int] | None = None) -> list[Job]:
    """A job for every artifact the selection asks for (the k-th of n shards of them, with
    `part`), rendered to HTML and validated; `reuse(path, inputs)` may return the previous
    manifest entry of an artifact whose inputs are unchanged, which is kept without
    rendering."""
    return list(each_job(project, selected(project, selection, part), problems, reuse,
                         fingerprint))


#: an artifact, and the selection it is built by (its links and inputs depend on it)
Work = tuple[Artifact, Selection]


def selected(project: Project, selection: Selection, part: tuple[int, int] | None = None
             ) -> list[Work]:
    """The artifacts the selection asks for (the k-th of n shards of them, with `part`)."""
    artifacts = select(project, selection)
    return [(a, selection) for a in (shard(artifacts, *part) if part else artifacts)]


def each_job(project: Project, work: Iterable[Work], problems: Problems,
             reuse: Reuse | None = None, fingerprint: str | None = None) -> Iterator[Job]:
    """plan's jobs, made one at a time (a build lets each go once its file is staged)."""
    if fingerprint is None:
        fingerprint = renderer_fingerprint(Theme.of(project.root))
    shared = shared_inputs(project, fingerprint)
    for artifact, selection in work:
        fence = guard_fingerprint(project.audiences[artifact.audience].value)
        inputs = ""
        if reuse is not None:
            inputs = inputs_key(shared, project.sources.briefs.get(artifact.brief, ""),
                                artifact.path, selection)
            if (old := reuse(artifact.path, inputs)) is not None:
                yield Kept(*_names(artifact), old.key, old.title, inputs=inputs, guard=fence,
                           registry=artifact.registry)
                continue
        yield _render(project, artifact, selection, fingerprint, problems, inputs, fence)


def _names(a: Artifact) -> tuple[str, str, str, Format, str]:
    return a.brief, a.audience, a.language, a.format, a.path


def _render(project: Project, artifact: Artifact, selection: Selection, fingerprint: str,
            problems: Problems, inputs: str, fence: str) -> Rendered:
    """An artifact's edition and HTML page (linking to the edition's file in another format
    if its format says so and the build makes it), which its format makes its bytes from."""
    output = artifact.output
    edition = resolve(project, artifact.brief, artifact.audience, artifact.language,
                      output.mode, problems)
    link = (artifact.file(output.links)
            if output.links is not None and output.links in selection.formats else None)
    variant = (selection.variant or edition.audience.pdf_variant) if output.in_workers else ""
    web = None
    if output.mode == "screen":  # a published page: its language editions in this build
        web = web_view(edition, page_place(project, artifact, link),
                       project.session.theme, project.session.catalogs)
    page = render_edition(edition, link, project.template_folders, project.session, web)
    if output.in_workers:  # a PDF: every character of its page needs a font that has it
        text = guard.visible_html_text(page)  # without the marks around a drawing's text
        text = text.replace(guard.DRAWING_OPEN, "").replace(guard.DRAWING_CLOSE, "")
        for problem in glyphs.problems(edition, text, Theme(project.template_folders),
                                       artifact.path, project.session.catalogs):
            problems.add(problem)
    files = archive.attachments(project, edition) if variant == archive.ARCHIVAL else ()
    return Rendered(*_names(artifact), output.key(page + archive.digest(files), variant,
                                                  fingerprint),
                    edition.title.plain, edition, page, files, variant=variant,
                    inputs=inputs, guard=fence, registry=artifact.registry)


def page_place(project: Project, artifact: Artifact, link: str | None) -> Place:
    """Where an edition's page is, and every language edition of the brief its audience
    reads (built by this build or not: a page is the same whichever languages a build
    selects, so --language and a repair make the page a full build makes)."""
    folder = artifact.path.rsplit("/", 1)[0]
    editions = tuple((lang, Artifact(artifact.brief, aid, lang, artifact.format,
                                     registry=artifact.registry).path)
                     for aid, lang in project.editions(artifact.brief)
                     if aid == artifact.audience)
    return Place(artifact.path, editions, f"{folder}/{link}" if link else None)


def repairs(project: Project, selection: Selection, previous: Previous, chosen: set[str]
            ) -> list[Work]:
    """The artifacts of the editions, outside this build's selection (the paths chosen),
    with a file that no longer matches the manifest: each rebuilt in the formats the
    manifest lists for it."""
    work: list[Work] = []
    for (brief, audience, language), formats in previous.damaged(chosen).items():
        narrowed = Selection((brief,), (audience,), (language,), formats, selection.variant,
                             selection.registry)
        work += [(a, s) for a, s in selected(project, narrowed) if a.path not in chosen]
    return work


# -- the leak guard ---------------------------------------------------------------------------


def guard_pages(jobs: list[Job], problems: Problems) -> None:
    """Leak guard over every HTML page rendered (published pages and PDF inputs), by each
    format's surfaces (formats.py), and over the files an archival PDF will carry."""
    for job in jobs:
        if job.edition is None:
            continue  # kept: guarded from its file if its guard fingerprint changed
        _guard(job.edition, job.path, problems,
               job.output.surfaces(Texts(title=job.title, page=job.source)))
        if job.attachments:  # an archival PDF's files, before it is rendered (and `check`)
            _guard(job.edition, job.path, problems, {"PDF attachments": archive.files_text(
                [(a.name, a.description, a.data) for a in job.attachments])})


def leak_problems(edition: Edition, path: str, surfaces: dict[str, str]) -> list[Problem]:
    """The guard's problems with the texts (by surface) of the artifact at path."""
    return guard.problems(edition, guard.scan(edition, surfaces), path)


def _guard(edition: Edition, path: str, problems: Problems, surfaces: dict[str, str]) -> None:
    for p in leak_problems(edition, path, surfaces):
        problems.add(p)


def reguard(project: Project, job: Job, data: bytes, problems: Problems) -> None:
    """Leak-check an artifact kept from an earlier build, from its bytes as written, without
    rendering it (its edition is resolved only to name the content a leak comes from)."""
    edition = job.edition or resolve(project, job.brief, job.audience, job.language,
                                     job.output.mode, problems)
    _guard(edition, job.path, problems, job.output.surfaces(Texts(title=job.title, data=data)))


def pdf_problems(job: Rendered, result: PdfResult, surfaces: dict[str, str],
                 problems: Problems, root: Path | None = None) -> None:
    """What rendering a PDF found (rendering_problems), and the guard's leaks in its texts."""
    rendering_problems(job.path, result, problems, root)
    _guard(job.edition, job.path, problems, surfaces)


def rendering_problems(path: str, result: PdfResult, problems: Problems,
                       root: Path | None = None) -> None:
    """What rendering a PDF found, for every command that renders one (build, redline,
    serve): missing glyphs, URLs the page may not load, files embedded that briefgen did
    not attach, WeasyPrint's warnings, PDF/UA findings. A file URL of the project (root)
    is shown by its path in it."""
    if result.missing_glyphs:
        problems.error(path, 0, 0, "no glyph in the PDF fonts for "
                       + ", ".join(result.missing_glyphs),
                       hint=glyphs.HINT,
                       code="BG406")
    for url in result.refused:
        problems.error(path, 0, 0, f"the PDF tried to load {_shown_url(url, root)}; a page "
                       "loads only the theme's stylesheets, fonts and images (templates/), "
                       "never a content file nor anything outside the project", code="BG407")
    for file in result.foreign:
        problems.error(path, 0, 0, f"the PDF embeds a file briefgen did not attach: {file}",
                       hint=embedded.FOREIGN_HINT, code="BG370")
    for message in result.warnings:
        problems.warn(path, 0, 0, f"WeasyPrint: {message}", code="BG408")
    accessibility_problems(path, result.accessibility, problems)


def _shown_url(url: str, root: Path | None) -> str:
    if root is not None and url.startswith("file://"):
        path = Path(unquote(urlsplit(url).path))
        if path.is_relative_to(root.resolve()):
            return path.relative_to(root.resolve()).as_posix()
    return short_url(url)[:80]


def accessibility_problems(path: str, findings: list[Finding], problems: Problems) -> None:
    """A PDF that declares PDF/UA-1 and fails briefgen's checker of it is not written (the
    structure comes from the theme's templates and CSS); a passage whose language looks
    unmarked (a heuristic on the content) is a warning."""
    places: dict[tuple[str, str], list[str]] = {}
    for finding in findings:
        places.setdefault((finding.checkpoint, finding.message), []).append(finding.where)
    for (checkpoint, message), where in places.items():
        more = f" and {len(where) - 1} more" if len(where) > 1 else ""
        text = f"not PDF/UA-1 (Matterhorn {checkpoint}): {message}, at {where[0]}{more}"
        if checkpoint in HEURISTIC:
            problems.warn(path, 0, 0, text, code="BG411",
                          hint="mark the passage's language in the content: [words]{lang=en}")
        else:
            problems.error(path, 0, 0, text, code="BG410",
                           hint="docs/pdfua.md says what the checkpoint asks; a template or "
                                "stylesheet of the theme made this structure")


# -- the build --------------------------------------------------------------------------------


def build(project: Project, opts: Options, progress: Progress = _silent,
          session: Session | None = None) -> Report:
    """Build every selected artifact; write nothing unless everything succeeded. One build
    at a time per output folder; it first removes what a killed build left behind. PDFs
    rendered in this process use the session's renderer (the project's by default)."""
    out = check_out_dir(opts.out, project)
    with output_lock(out, opts.wait):
        remove_leftovers(out)
        return _Build(project, opts, out, progress, session or project.session).run()


class _Build:
    """One build of an output folder, step by step (see the module docstring)."""

    def __init__(self, project: Project, opts: Options, out: Path, progress: Progress,
                 session: Session) -> None:
        self.project, self.opts, self.out, self.session = project, opts, out, session
        self.selection = opts.selection
        self.problems = Problems(list(project.warnings))
        self.report = Report()
        self.manifest = out / (MANIFEST if not opts.shard else
                               f"manifest.shard-{opts.shard[0]}-of-{opts.shard[1]}.json")
        formats = self.selection.registry.names()
        entries = read_manifest(out / MANIFEST, formats)
        if opts.shard:
            entries += read_manifest(self.manifest, formats)
        self.previous = Previous(out, entries, opts.force)
        self.fingerprint = renderer_fingerprint(Theme.of(project.root))
        self.progress = progress
        self.total = 0
        self.staging = Staging(out)  # the files made, staged in the output folder
        self.made_paths: list[str] = []  # their paths
        self.entries: dict[str, ManifestEntry] = {}  # path -> its entry in the new manifest
        self.known: dict[str, Entry] = {}  # the feed entries of the pages it resolved

    def run(self) -> Report:
        started = time.perf_counter()
        try:
            produced, pdfs = self.jobs()
            self.render(pdfs)
            check_released(self.project, self.entries.values(), self.selection,
                           self.problems)
            self.problems.raise_if_errors(strict=self.opts.strict)
            self.report.warnings = self.problems.warnings
            self.write(produced)
        finally:
            self.staging.discard()  # what is still staged: this build failed
        self.report.seconds = time.perf_counter() - started
        return self.report

    def step(self, job: Job) -> None:
        if not self.problems.errors:  # a failing build is done: nothing will be written
            self.progress(job, self.total)

    def jobs(self) -> tuple[set[str], list[Rendered]]:
        """This build's jobs (this shard's, if sharded), one at a time: each guarded, then
        decided; raises on problems, before any PDF is rendered, and on writes through links
        out of the folder. The paths of every job, and the PDFs to render."""
        # a shard renders only its own artifacts: each of n CI machines does 1/n of the work
        work = selected(self.project, self.selection, self.opts.shard)
        if not self.opts.shard:
            work += repairs(self.project, self.selection, self.previous,
                            {a.path for a, _ in work})
        produced = {a.path for a, _ in work}
        confine_writes([self.out / p for p in [
            self.manifest.name, "index.html", *sorted(produced),
            *(f"{aid}/{name}" for aid in self.project.audiences for name in INDEX_FILES)]],
            self.out)
        self.total = len(work)
        pdfs: list[Rendered] = []
        for job in each_job(self.project, work, self.problems, self.previous.reuse,
                            self.fingerprint):
            guard_pages([job], self.problems)
            if job.format == "html" and job.edition is not None \
                    and job.edition.mode == "screen":
                self.known[job.path] = feed_entry(job.path, job.title, job.edition)
            if self.problems.errors:  # this build fails: stage nothing more (a page that
                continue               # failed the guard never reaches the output folder)
            if (pdf := self.decide(job)) is not None:
                pdfs.append(pdf)
        self.problems.raise_if_errors(strict=self.opts.strict)
        return produced, pdfs

    def decide(self, job: Job) -> Rendered | None:
        """Keep a job's file if it has the content it had last time (maybe from edited
        inputs), checking it again if it was checked against other phrases or another
        guard; or stage the file its format makes from its HTML (formats.py); or return it,
        a PDF to render. Nothing visible under the output folder changes."""
        if isinstance(job, Kept):
            self.keep(job, self.previous.entries[job.path])
        elif (old := self.previous.same(job.path, job.key)) is not None:
            self.keep(job, old)
        elif job.output.make is None:
            return job  # rendered by the PDF renderer, maybe in workers
        else:
            self.made(job, job.output.make(job.source), None)
            self.step(job)
        return None

    def keep(self, job: Job, old: ManifestEntry) -> None:
        if old.guard != job.guard:
            reguard(self.project, job, (self.out / job.path).read_bytes(), self.problems)
            self.report.reguarded.append(job.path)
        update: dict[str, object] = {"inputs": job.inputs, "guard": job.guard}
        if (feed := self.known.get(job.path)) is not None:  # rendered: its feed as now
            update["feed"] = _feed_info(feed)
        self.entries[job.path] = old.model_copy(update=update)
        self.report.skipped.append(old)
        self.step(job)

    def made(self, job: Rendered, data: bytes, pages: int | None) -> None:
        self.staging.add(self.out / job.path, data)
        self.made_paths.append(job.path)
        entry = ManifestEntry.of(job, data, pages)
        if (feed := self.known.get(job.path)) is not None:
            entry = entry.model_copy(update={"feed": _feed_info(feed)})
        self.entries[job.path] = entry

    def render(self, pdfs: list[Rendered]) -> None:
        """Render the PDFs and check each."""
        if pdfs:
            pdftotext()  # missing: say so before rendering, not from a worker
        for job, result, surfaces in render_pdfs(pdfs, self.project.content, self.opts.jobs,
                                                 self.step, self.session):
            pdf_problems(job, result, surfaces, self.problems, self.project.root)
            self.made(job, result.data, result.pages)

    def write(self, produced: set[str]) -> None:
        """Every artifact, the manifest and the index pages, or nothing; then delete the
        files of the previous build this one no longer lists."""
        sharded = self.opts.shard is not None
        if not unchanged_since(self.project):  # a file was written while this build read
            # them: its outputs are guarded, but may be made from other bytes than the keys
            # hashed, so the next build makes them again instead of keeping them
            self.entries = {p: e.model_copy(update={"inputs": ""})
                            for p, e in self.entries.items()}
        kept = self.previous.outside(self.selection, produced, sharded)
        # a shard's manifest lists only its own artifacts; it leaves the others' files alone
        final = list((self.entries if sharded else {**kept, **self.entries}).values())
        stale = {p for p in self.previous.entries if p not in produced and p not in kept}
        label = f"{self.opts.shard[0]}/{self.opts.shard[1]}" if self.opts.shard else None
        self.staging.add(self.manifest, manifest_bytes(final, label))  # (its bytes let go)
        if not self.opts.shard:
            pages = index_files(self.project, final, self.problems, self.known)
            self.problems.raise_if_errors(strict=self.opts.strict)
            for path, data in pages:
                self.staging.add(self.out / path, data)
            written = {path for path, _ in pages}
            stale |= {f"{a.audience}/{name}" for a in self.previous.entries.values()
                      for name in INDEX_FILES if f"{a.audience}/{name}" not in written}
            stale |= {path for path in _catalogue_pages(self.out) if path not in written}
        self.staging.commit()
        self.report.built.extend(self.entries[path] for path in sorted(self.made_paths))
        self.report.pruned.extend(prune(self.out, stale))


def _feed_info(entry: Entry) -> FeedInfo:
    return FeedInfo(summary=entry.summary, authors=entry.authors, date=entry.date,
                    lang=entry.lang)


def merge_shards(project: Project | None, parts: list[Path], out: Path) -> None:
    """The manifest of sharded builds, joined, written to `out`; with the project, also the
    index pages, feeds and sitemaps of the whole build beside it (guarded), as a full build
    would write them: the shards' files, gathered in one folder, become that build."""
    entries = merged_entries(parts)
    files = [(out, manifest_bytes(entries))]
    if project is not None:
        problems = Problems()
        files += [(out.parent / path, data) for path, data in
                  index_files(project, entries, problems)]
        problems.raise_if_errors()
    write_all(files, inside=out.parent.resolve() if project is not None else None)


_PAGE = re.compile(r"(?:[^/]+/)?index-[0-9]+\.html")


def _catalogue_pages(out: Path) -> set[str]:
    """The later pages of the catalogues an earlier build wrote (index-2.html, …): a smaller
    catalogue leaves none of them behind."""
    found = [*out.glob("index-*.html"), *out.glob("*/index-*.html")]
    return {rel for p in found if _PAGE.fullmatch(rel := p.relative_to(out).as_posix())}
