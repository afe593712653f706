"""Plan artifacts, skip unchanged ones, render PDFs, write atomically, keep the manifest."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefgen import __version__, fewer_collections
from briefgen.content.models import Audience
from briefgen.content.project import Project
from briefgen.edition.i18n import Messages
from briefgen.edition.resolve import Edition, resolve
from briefgen.errors import BriefError, Problem, Problems
from briefgen.paths import confined, refusal
from briefgen.publish import guard
from briefgen.publish.html import render_edition, render_index
from briefgen.publish.pdftext import pdf_surfaces, pdftotext
from briefgen.theme import bundled as templates_dir

MANIFEST = "manifest.json"
FORMATS = ("html", "pdf")
# Workers are replaced after this many PDFs, a safety net against memory growth across
# documents; benchmarks measured peak RSS flat over 200 renders (benchmarks/README.md).
RECYCLE_AFTER = 200


@dataclass
class Job:
    """One artifact to produce: everything needed to render it, and its content key."""

    brief: str
    audience: str
    language: str
    format: str
    path: str  # relative to the output folder
    key: str
    title: str
    edition: Edition | None
    source: str  # the HTML page itself, or the HTML that feeds the PDF
    variant: str = ""
    inputs: str = ""  # hash of the files and options it was made from (the cheap first check)
    reused: bool = False  # inputs unchanged: not even its HTML was rendered
    guard: str = ""  # guard_fingerprint of its audience: what its leak check depends on


@dataclass
class Options:
    out: Path
    briefs: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    formats: tuple[str, ...] = FORMATS
    jobs: int = 1
    force: bool = False
    strict: bool = False
    variant: str | None = None  # overrides each audience's pdf_variant
    shard: tuple[int, int] | None = None  # (k, n), 1-based
    wait: bool = True  # for another build writing to the same folder; else fail at once


@dataclass
class Report:
    built: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    reguarded: list[str] = field(default_factory=list)  # kept, but leak-checked again
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    """What every PDF also depends on besides its HTML: renderer versions and fonts."""
    from importlib.metadata import version

    parts = [__version__, version("weasyprint"), version("pydyf"),
             confined(templates_dir() / "fonts" / "fonts.conf", (templates_dir(),),
                      "templates/fonts/fonts.conf").read_text()]
    return _sha("\0".join(parts).encode())


def guard_fingerprint(audience: Audience) -> str:
    """What the leak check of an audience's artifacts depends on besides their bytes: its
    forbidden phrases and the guard's version. Another audience's phrases are no part of it."""
    return _sha(json.dumps([guard.VERSION, audience.forbidden_phrases]).encode())


# -- planning: everything validated and rendered to HTML before any file is touched -------


Reuse = Callable[[str, str], "dict[str, Any] | None"]


def plan(project: Project, opts: Options, problems: Problems,
         reuse: Reuse | None = None) -> list[Job]:
    """Every artifact to produce, rendered to HTML and validated; `reuse(path, inputs)` may
    return the previous manifest entry of an artifact whose inputs are unchanged."""
    jobs: list[Job] = []
    want = set(opts.formats)
    shared = _sha(f"{_fingerprint()}\0{project.sources.shared}".encode())
    briefs = project.sources.briefs
    for slug in sorted(project.briefs):
        if opts.briefs and slug not in opts.briefs:
            continue
        for aid, lang in project.editions(slug):
            if (opts.audiences and aid not in opts.audiences) or \
                    (opts.languages and lang not in opts.languages):
                continue
            stem = f"{slug}-{aid}-{lang}"
            folder = f"{slug}/{aid}/{lang}"
            fence = guard_fingerprint(project.audiences[aid].value)
            for fmt in ("html", "pdf"):
                if fmt not in want:
                    continue
                path = f"{folder}/{stem}.{fmt}"
                inputs = _sha("\0".join([shared, briefs.get(slug, ""), path, opts.variant or "",
                                         *sorted(want)]).encode()) if reuse else ""
                old = reuse(path, inputs) if reuse else None
                if old is not None:
                    jobs.append(Job(slug, aid, lang, fmt, path, old["key"], old["title"], None,
                                    "", inputs=inputs, reused=True, guard=fence))
                    continue
                edition = resolve(project, slug, aid, lang, _mode(fmt), problems)
                if fmt == "html":
                    page = render_edition(edition, f"{stem}.pdf" if "pdf" in want else None,
                                          project.template_folders)
                    jobs.append(Job(slug, aid, lang, fmt, path, _sha(page.encode()),
                                    edition.title.plain, edition, page, inputs=inputs,
                                    guard=fence))
                else:
                    variant = opts.variant or edition.audience.pdf_variant
                    page = render_edition(edition, None, project.template_folders)
                    key = _sha(f"{_fingerprint()}\0{variant}\0{page}".encode())
                    jobs.append(Job(slug, aid, lang, fmt, path, key, edition.title.plain,
                                    edition, page, variant, inputs=inputs, guard=fence))
    return jobs


def shard(jobs: list[Job], k: int, n: int) -> list[Job]:
    """The k-th of n deterministic slices (by path, round-robin so sizes stay even)."""
    ordered = sorted(jobs, key=lambda j: j.path)
    return [j for i, j in enumerate(ordered) if i % n == k - 1]


def _mode(fmt: str) -> str:
    return "screen" if fmt == "html" else "print"


def check_html(jobs: list[Job], problems: Problems) -> None:
    """Leak guard over every HTML page (published pages and PDF inputs)."""
    for job in jobs:
        if job.edition is None:
            continue  # not rendered: guarded from its file if its guard fingerprint changed
        _guard(job.edition, job.path, problems, {
            "HTML" if job.format == "html" else "PDF source": guard.visible_html_text(job.source),
            "manifest and index entry": job.title})


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
                                     _mode(job.format), problems)
    surfaces = pdf_surfaces(data) if job.format == "pdf" else {
        "HTML": guard.visible_html_text(data.decode("utf-8", errors="replace"))}
    _guard(edition, job.path, problems, {**surfaces, "manifest and index entry": job.title})


# -- manifest --------------------------------------------------------------------------------


def read_manifest(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        artifacts = data["artifacts"]
        assert isinstance(artifacts, list)
        return [a for a in artifacts if isinstance(a, dict) and "path" in a]
    except (OSError, ValueError, KeyError, AssertionError, TypeError):
        return []


def manifest_bytes(artifacts: list[dict[str, Any]], shard: str | None = None) -> bytes:
    doc: dict[str, Any] = {"generator": f"briefgen {__version__}", "format": 1}
    if shard:
        doc["shard"] = shard
    doc["artifacts"] = sorted(artifacts, key=lambda a: a["path"])
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()


def merge_manifests(paths: list[Path]) -> bytes:
    """Join shard manifests into one; the same path twice must agree."""
    merged: dict[str, dict[str, Any]] = {}
    for path in paths:
        if not path.is_file():
            raise BriefError(f"{path}: no such manifest")
        for entry in read_manifest(path):
            old = merged.get(entry["path"])
            if old is not None and old.get("sha256") != entry.get("sha256"):
                raise BriefError([Problem(str(path), 0, 0,
                                          f"{entry['path']} differs from another shard's copy")])
            merged[entry["path"]] = entry
    return manifest_bytes(list(merged.values()))


# -- writing ----------------------------------------------------------------------------------


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
                             "the link)")


def write_all(files: list[tuple[Path, bytes]], inside: Path | None = None) -> None:
    """Stage every file first; rename them into place only once all are safely written.
    With `inside`, every target must resolve into that folder (symlinks included), or
    nothing at all is written."""
    if inside is not None:
        confine_writes([path for path, _ in files], inside)
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            staged.append((_stage(path, data), path))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)
        after_rename(path)


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
                             f"{advice}")
    for protected, name in inner:
        if out.is_relative_to(protected):
            raise BriefError(f"refusing to build into {out}: it is inside {name}; {advice}")
    return out


log = logging.getLogger("briefgen.build")


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
                                     "(--no-wait)") from None
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
    """Delete temporary files a killed build left (`_stage`'s .<name>.<random>.tmp), never
    following a symlink out of the output folder."""
    for folder, _, names in os.walk(out):
        for name in names:
            if name.startswith(".") and name.endswith(".tmp"):
                Path(folder, name).unlink(missing_ok=True)


# -- rendering PDFs ---------------------------------------------------------------------------

_RENDERER: Any = None
_RENDERED = 0  # PDFs the renderer of this process has made


def _worker_init(content_root: str) -> None:
    global _RENDERER
    from briefgen.publish.pdf import PdfRenderer

    _RENDERER = PdfRenderer(Path(content_root))


def warm_up(project: Project) -> None:
    """Do once, while nothing waits, what the first rebuild of a `build --watch` would pay
    for: import WeasyPrint, compile the templates, load the fonts of every language (one
    edition rendered and thrown away, and a line in each language)."""
    from briefgen.publish.html import stylesheet

    if _RENDERER is None:
        _worker_init(str(project.content))
    for slug in sorted(project.briefs)[:1]:
        for aid, lang in project.editions(slug)[:1]:
            edition = resolve(project, slug, aid, lang, "print", Problems([]))
            _RENDERER.render(render_edition(edition, None, project.template_folders))
    css = stylesheet(project.template_folders, "print.css")
    for lang, word in (("en", "Alliance"), ("ko", "동맹"), ("zh-Hans", "同盟")):
        _RENDERER.render(f'<html lang="{lang}"><head><style>{css}</style></head><body><h2>'
                         f'{word}</h2><p>{word} <b>{word}</b> <i>{word}</i></p></body></html>')


def _pool_init(content_root: str) -> None:
    """A PDF worker: Ctrl-C reaches the whole process group, but only the parent acts on it
    (leaving the with-block terminates the pool); an interrupted worker prints a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fewer_collections()  # a process of ours
    _worker_init(content_root)


def pdf_guard_surfaces(result: Any) -> dict[str, str]:
    """Every text of a rendered PDF (a pdf.PdfResult) the guard checks: as WeasyPrint laid it
    out and as a reader gets it from the bytes (pdftext.pdf_surfaces), each under one name."""
    surfaces = pdf_surfaces(result.data)
    for name, texts in (("PDF text", [result.text]), ("PDF metadata", result.metadata),
                        ("PDF bookmarks", result.bookmarks)):
        surfaces[name] = "\n".join([*texts, surfaces[name]])
    return surfaces


def _render_pdf(html: str, variant: str) -> tuple[Any, dict[str, str]]:
    result = _RENDERER.render(html, variant)
    return result, pdf_guard_surfaces(result)


def render_pdfs(jobs: list[Job], content_root: Path, n_jobs: int,
                progress: Callable[[Job], None]) -> Iterator[tuple[Job, Any, dict[str, str]]]:
    """Render PDFs in this process, or in worker processes replaced every RECYCLE_AFTER PDFs.

    multiprocessing.Pool rather than ProcessPoolExecutor: the latter's max_tasks_per_child
    can hang once every worker has retired (CPython gh-115634, still in 3.11).
    """
    if not jobs:
        return
    # One PDF (the usual edit) is quicker here than in a worker that must start Python,
    # import briefgen and WeasyPrint first.
    if (n_jobs <= 1 or len(jobs) == 1) and len(jobs) <= RECYCLE_AFTER:
        global _RENDERED
        for job in jobs:
            if _RENDERER is None or _RENDERED >= RECYCLE_AFTER:  # a long build --watch
                _worker_init(str(content_root))
                _RENDERED = 0
            _RENDERED += 1
            result, surfaces = _render_pdf(job.source, job.variant)
            progress(job)
            yield job, result, surfaces
        return
    import multiprocessing

    # spawn, not fork: the pool forks replacement workers while its own threads run, and a
    # forked child can inherit a held lock and hang (seen with maxtasksperchild).
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(min(n_jobs, len(jobs)), initializer=_pool_init,
                  initargs=(str(content_root),), maxtasksperchild=RECYCLE_AFTER) as pool:
        results = pool.imap(_render_job, [(j.source, j.variant) for j in jobs], chunksize=1)
        for job, (result, surfaces) in zip(jobs, results, strict=True):
            progress(job)
            yield job, result, surfaces


def _render_job(args: tuple[str, str]) -> tuple[Any, dict[str, str]]:
    return _render_pdf(*args)


# -- the build -----------------------------------------------------------------------------------


def build(project: Project, opts: Options,
          progress: Callable[..., None] = lambda job, total=None: None) -> Report:
    """Build every selected artifact; write nothing unless everything succeeded. One build
    at a time per output folder; it first removes what a killed build left behind."""
    out = check_out_dir(opts.out, project)
    with output_lock(out, opts.wait):
        remove_leftovers(out)
        return _build(project, opts, out, progress)


def _build(project: Project, opts: Options, out: Path, progress: Callable[..., None]) -> Report:
    started = time.perf_counter()
    problems = Problems(list(project.warnings))
    manifest_path = out / (MANIFEST if not opts.shard else
                           f"manifest.shard-{opts.shard[0]}-of-{opts.shard[1]}.json")
    previous = {a["path"]: a for a in read_manifest(out / MANIFEST)}
    if opts.shard:
        previous.update({a["path"]: a for a in read_manifest(manifest_path)})

    matches: dict[str, bool] = {}

    def on_disk(path: str) -> bool:
        """Whether the file at path is still what the previous manifest says was written."""
        if path not in matches:
            old, target = previous[path], out / path
            matches[path] = (refusal(target, (out,), "") is None and target.is_file()
                             and target.stat().st_size == old.get("bytes")
                             and _sha(target.read_bytes()) == old.get("sha256"))
        return matches[path]

    def intact(path: str, key_name: str, key: str) -> dict[str, Any] | None:
        """The previous entry, if its key matches and its file is still what was written."""
        old = previous.get(path)
        if opts.force or old is None or old.get(key_name) != key or not on_disk(path):
            return None
        return old

    def reuse(path: str, key: str) -> dict[str, Any] | None:
        return intact(path, "inputs", key)

    jobs = plan(project, opts, problems, reuse)
    if not opts.shard:
        jobs += repairs(project, opts, previous, {j.path for j in jobs}, on_disk, problems,
                        reuse)
    check_html(jobs, problems)
    problems.raise_if_errors(strict=opts.strict)
    confine_writes([out / p for p in [manifest_path.name, "index.html", *(j.path for j in jobs),
                                      *(f"{aid}/index.html" for aid in project.audiences)]],
                   out)  # before any PDF is rendered

    shard_label = None
    if opts.shard:
        k, n = opts.shard
        jobs = shard(jobs, k, n)
        shard_label = f"{k}/{n}"
    total = len(jobs)

    def step(job: Job) -> None:
        progress(job, total)

    # Phase 1 (in memory): decide, render, check. Nothing under out/ changes here.
    report = Report()
    outputs: dict[str, bytes] = {}
    entries: dict[str, dict[str, Any]] = {}
    to_render: list[Job] = []
    for job in jobs:
        old = previous[job.path] if job.reused else intact(job.path, "key", job.key)
        if old is not None:
            # same content as last time (maybe from edited inputs): keep it, note the inputs;
            # checked last time against other phrases or another guard: check its file again
            if old.get("guard") != job.guard:
                reguard(project, job, (out / job.path).read_bytes(), problems)
                report.reguarded.append(job.path)
            entries[job.path] = {**old, "inputs": job.inputs, "guard": job.guard}
            report.skipped.append(old)
            step(job)
            continue
        if job.format == "html":
            data = job.source.encode()
            outputs[job.path] = data
            entries[job.path] = manifest_entry(job, data, None)
            step(job)
        else:
            to_render.append(job)

    if to_render:
        pdftotext()  # missing: say so before rendering, not from a worker
    for job, result, surfaces in render_pdfs(to_render, project.content, opts.jobs, step):
        where = job.path
        if result.missing_glyphs:
            problems.error(where, 0, 0, "no glyph in the PDF fonts for "
                           + ", ".join(result.missing_glyphs),
                           hint="use another character, or add a font to templates/fonts")
        for url in result.refused:
            problems.error(where, 0, 0, f"the PDF tried to load {url[:80]}; briefgen fetches "
                           "nothing outside the project")
        for message in result.warnings:
            problems.warn(where, 0, 0, f"WeasyPrint: {message}")
        assert job.edition is not None  # only rendered jobs reach here
        _guard(job.edition, job.path, problems, surfaces)
        outputs[job.path] = result.data
        entries[job.path] = manifest_entry(job, result.data, result.pages)
    problems.raise_if_errors(strict=opts.strict)
    report.warnings = problems.warnings

    # Phase 2: write. Artifacts first, each atomically; the manifest last.
    selected = {j.path for j in jobs}
    in_scope = _scope(opts, project)
    kept = {p: a for p, a in previous.items()  # a file that no longer matches: pruned
            if p not in selected and not (in_scope(a) and not opts.shard) and on_disk(p)}
    stale = [p for p, a in previous.items() if p not in selected and p not in kept]
    final = {**kept, **entries} if not opts.shard else entries
    files = [(out / path, data) for path, data in sorted(outputs.items())]
    files.append((manifest_path, manifest_bytes(list(final.values()), shard_label)))
    if not opts.shard:
        files.append((out / "index.html", index_page(project, list(final.values())).encode()))
        indexes = audience_indexes(project, list(final.values()))
        check_indexes(project, indexes, problems)
        problems.raise_if_errors(strict=opts.strict)
        files += [(out / path, page.encode()) for path, page in sorted(indexes.items())]
        stale += [f"{a['audience']}/index.html" for a in previous.values()
                  if f"{a['audience']}/index.html" not in indexes]
    write_all(files, inside=out)  # every artifact, the manifest and the indexes, or nothing
    report.built.extend(entries[path] for path in sorted(outputs))
    for path in sorted(set(stale)):
        target = out / path  # the link itself if it is one; never through a linked folder
        if refusal(target.parent, (out,), "") is None and (target.is_file()
                                                           or target.is_symlink()):
            target.unlink()
            report.pruned.append(path)
            _remove_empty_parents(target.parent, out)
    report.seconds = time.perf_counter() - started
    return report


def repairs(project: Project, opts: Options, previous: dict[str, dict[str, Any]],
            selected: set[str], on_disk: Callable[[str], bool], problems: Problems,
            reuse: Reuse) -> list[Job]:
    """Jobs for the editions, outside this build's selection, with a file that no longer
    matches the manifest (a build killed between two renames): each rebuilt in the formats
    the manifest lists for it, so the manifest describes the files on disk again."""
    formats: dict[tuple[str, str, str], set[str]] = {}  # as the manifest lists them
    damaged: set[tuple[str, str, str]] = set()
    for path, entry in previous.items():
        edition = (str(entry.get("brief")), str(entry.get("audience")),
                   str(entry.get("language")))
        formats.setdefault(edition, set()).add(str(entry.get("format")))
        if path not in selected and not on_disk(path):
            damaged.add(edition)
    jobs: list[Job] = []
    for brief, audience, language in sorted(damaged):
        narrowed = replace(opts, briefs=(brief,), audiences=(audience,), languages=(language,),
                           formats=tuple(f for f in FORMATS
                                         if f in formats[brief, audience, language]))
        jobs += [j for j in plan(project, narrowed, problems, reuse) if j.path not in selected]
    return jobs


def _scope(opts: Options, project: Project) -> Callable[[dict[str, Any]], bool]:
    """Whether an old manifest entry falls inside what this build was asked to produce."""
    def inside(entry: dict[str, Any]) -> bool:
        return ((not opts.briefs or entry.get("brief") in opts.briefs)
                and (not opts.audiences or entry.get("audience") in opts.audiences)
                and (not opts.languages or entry.get("language") in opts.languages)
                and entry.get("format") in opts.formats)
    return inside


def _remove_empty_parents(folder: Path, out: Path) -> None:
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def manifest_entry(job: Job, data: bytes, pages: int | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "brief": job.brief, "audience": job.audience, "language": job.language,
        "format": job.format, "path": job.path, "title": job.title,
        "sha256": _sha(data), "bytes": len(data), "key": job.key, "inputs": job.inputs,
        "guard": job.guard}
    if pages is not None:
        entry["pages"] = pages
    return entry


def human_size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def index_page(project: Project, artifacts: list[dict[str, Any]],
               audience: str | None = None) -> str:
    """build/index.html, the editors' catalogue of every artifact; or, given an audience, its
    own catalogue (build/<audience>/index.html), in its first language, linking up to its
    editions."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for a in sorted(artifacts, key=lambda a: (a["brief"], a["audience"], a["language"],
                                              a["format"])):
        key = (a["brief"], a["audience"], a["language"])
        aud = project.audiences.get(a["audience"])
        row = rows.setdefault(key, {
            "title": a.get("title", a["brief"]), "language": a["language"],
            "audience_name": aud.value.name if aud else a["audience"],
            "language_name": Messages(a["language"]).language_name,
            "formats": [], "pages": None, "bytes": 0})
        row["formats"].append({"format": a["format"],
                               "path": f"../{a['path']}" if audience else a["path"]})
        if a["format"] == "pdf":
            row["pages"] = a.get("pages")
        row["bytes"] += a["bytes"]
    for row in rows.values():
        row["size"] = human_size(row.pop("bytes"))
    if audience is None:
        return render_index(list(rows.values()), folders=project.template_folders)
    return render_index(list(rows.values()), project.audiences[audience].value.languages[0],
                        project.template_folders, editors=False)


def audience_indexes(project: Project, artifacts: list[dict[str, Any]]) -> dict[str, str]:
    """`<audience>/index.html` -> the page, for every audience with artifacts: only its own."""
    ids = sorted({a["audience"] for a in artifacts} & set(project.audiences))
    return {f"{aid}/index.html": index_page(project, [a for a in artifacts
                                                      if a["audience"] == aid], aid)
            for aid in ids}


def check_indexes(project: Project, indexes: dict[str, str], problems: Problems) -> None:
    """The leak guard over each audience's index page, for that audience."""
    for path, page in indexes.items():
        aid = path.split("/")[0]
        phrases = project.audiences[aid].value.forbidden_phrases
        for phrase in guard.find(phrases, guard.visible_html_text(page)):
            problems.error(path, 0, 0, f"forbidden phrase '{phrase}' for audience {aid} "
                           f"appears in {path} (index page)",
                           hint="reword the title or label it shows")
