"""Rendering PDFs: in this process with the session's renderer (fonts loaded once), or in a
pool of spawned worker processes, each replaced after RECYCLE_AFTER PDFs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import fewer_collections
from briefgen.build.formats import PDF, Surfaces, Texts
from briefgen.build.plan import Rendered
from briefgen.content.project import Project
from briefgen.edition.resolve import resolve
from briefgen.errors import Problems
from briefgen.publish.html import render_edition
from briefgen.session import Session

if TYPE_CHECKING:
    from briefgen.publish.archive import Attachment
    from briefgen.publish.pdf import PdfRenderer, PdfResult

# Workers are replaced after this many PDFs, a safety net against memory growth across
# documents; benchmarks measured peak RSS flat over 200 renders (benchmarks/README.md).
RECYCLE_AFTER = 200

#: what rendering one PDF gives: the result and the texts the guard checks, by surface
Output = tuple["PdfResult", dict[str, str]]


def pdf_guard_surfaces(result: PdfResult, surfaces: Surfaces = PDF.surfaces) -> dict[str, str]:
    """Every text of a rendered PDF the guard checks, by its format's surfaces (formats.py):
    read where it is rendered, so that a worker reads its own PDF back."""
    return surfaces(Texts(pdf=result))


def _render_pdf(renderer: PdfRenderer, html: str, variant: str, surfaces: Surfaces,
                attachments: tuple[Attachment, ...] = ()) -> Output:
    # without attachments, the call every renderer (and a test's stand-in) has always had
    result = (renderer.render(html, variant, attachments) if attachments
              else renderer.render(html, variant))
    return result, pdf_guard_surfaces(result, surfaces)


def renderer(session: Session, content_root: Path) -> PdfRenderer:
    """The session's PDF renderer, made anew after RECYCLE_AFTER PDFs (a long build
    --watch), counting the PDF about to be rendered."""
    from briefgen.publish.pdf import PdfRenderer

    if session.pdf is None or session.pdf_rendered >= RECYCLE_AFTER:
        session.keep_pdf_renderer(PdfRenderer(content_root))
    session.pdf_rendered += 1
    assert session.pdf is not None  # kept just above
    return session.pdf


def render_pdfs(jobs: list[Rendered], content_root: Path, n_jobs: int,
                progress: Callable[[Rendered], None], session: Session
                ) -> Iterator[tuple[Rendered, PdfResult, dict[str, str]]]:
    """Render PDFs in this process, or in worker processes replaced every RECYCLE_AFTER PDFs.

    multiprocessing.Pool rather than ProcessPoolExecutor: the latter's max_tasks_per_child
    can hang once every worker has retired (CPython gh-115634, still in 3.11).
    """
    if not jobs:
        return
    # One PDF (the usual edit) is quicker here than in a worker that must start Python,
    # import briefgen and WeasyPrint first.
    if (n_jobs <= 1 or len(jobs) == 1) and len(jobs) <= RECYCLE_AFTER:
        for job in jobs:
            result, surfaces = _render_pdf(renderer(session, content_root), job.source,
                                           job.variant, job.output.surfaces, job.attachments)
            progress(job)
            yield job, result, surfaces
        return
    import multiprocessing

    # spawn, not fork: the pool forks replacement workers while its own threads run, and a
    # forked child can inherit a held lock and hang (seen with maxtasksperchild).
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(min(n_jobs, len(jobs)), initializer=_pool_init,
                  initargs=(str(content_root),), maxtasksperchild=RECYCLE_AFTER) as pool:
        # a format's surfaces function reaches a worker by name (pickled as a reference)
        results = pool.imap(_render_job, [(j.source, j.variant, j.output.surfaces,
                                           j.attachments) for j in jobs], chunksize=1)
        for job, (result, surfaces) in zip(jobs, results, strict=True):
            progress(job)
            yield job, result, surfaces


# A worker process's renderer. A module variable, the one in briefgen: pool tasks are plain
# functions called in the worker (multiprocessing pickles them by name), so the renderer the
# initializer made can only reach them this way; it lives exactly as long as the worker.
_WORKER: PdfRenderer | None = None


def _pool_init(content_root: str) -> None:
    """A PDF worker: Ctrl-C reaches the whole process group, but only the parent acts on it
    (leaving the with-block terminates the pool); an interrupted worker prints a traceback."""
    import signal

    from briefgen.publish.pdf import PdfRenderer

    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fewer_collections()  # a process of ours
    _WORKER = PdfRenderer(Path(content_root))


def _render_job(args: tuple[str, str, Surfaces, tuple[Attachment, ...]]) -> Output:
    assert _WORKER is not None, "called outside a worker made by _pool_init"
    return _render_pdf(_WORKER, *args)


def warm_up(project: Project, session: Session) -> None:
    """Do once, while nothing waits, what the first rebuild of a `build --watch` would pay
    for: import WeasyPrint, compile the templates, load the fonts of every language (one
    edition rendered and thrown away, and a line in each language)."""
    import html

    from briefgen.edition.i18n import language, language_css
    from briefgen.publish.html import stylesheet
    from briefgen.theme import Theme

    pdf = renderer(session, project.content)
    for slug in sorted(project.briefs)[:1]:
        for aid, lang in project.editions(slug)[:1]:
            edition = resolve(project, slug, aid, lang, "print", Problems([]))
            pdf.render(render_edition(edition, None, project.template_folders, session))
    css = stylesheet(project.template_folders, "print.css")
    theme = Theme(project.template_folders)
    css = language_css(theme, session.catalogs) + css  # as render_edition puts it
    for lang in theme.languages():
        word = html.escape(language(lang, theme, session.catalogs).sample)
        pdf.render(f'<html lang="{lang}"><head><style>{css}</style></head><body><h2>'
                   f'{word}</h2><p>{word} <b>{word}</b> <i>{word}</i></p></body></html>')
