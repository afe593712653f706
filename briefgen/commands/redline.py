"""`briefgen redline`: what changed in an edition between two releases, or between a release
and the working tree, as an HTML page and a PDF (the theme's templates/reports/redline.html.j2).

The older side is always a release's snapshot (snapshots.py); the newer one another release's,
or the edition rendered from the working tree as a build would render it. Both pages are
read (pagetext.py) and compared (pagediff.py). A redline is guarded for its audience like
its edition: each snapshot's text, the working tree's page, the redline page and its PDF
(every surface of the build's guard). Deleted text was once in that audience's edition, so
it is shown, but a forbidden phrase anywhere stops the redline. Everything is rendered,
checked (PDF/UA-1 too) and guarded before any file is written, then all at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from briefgen.build.files import check_out_dir, write_all
from briefgen.build.formats import Texts, html_surfaces, pdf_document_surfaces
from briefgen.build.plan import Artifact
from briefgen.build.run import leak_problems, page_place, rendering_problems
from briefgen.build.workers import renderer
from briefgen.commands.pagediff import Redline, UnitChange, compare, redline_text
from briefgen.commands.pagetext import Page, read_page
from briefgen.commands.snapshots import WORKING, editions, snapshot
from briefgen.content.project import Project
from briefgen.edition.i18n import language, language_css, page_css
from briefgen.edition.resolve import Edition, resolve
from briefgen.errors import BriefError, Problem, Problems
from briefgen.publish import guard
from briefgen.publish.html import frozen, join_korean_words, render_edition, render_template
from briefgen.publish.sandbox import Plain
from briefgen.publish.web import web_view
from briefgen.theme import Theme

TEMPLATE = "reports/redline.html.j2"


@dataclass(frozen=True)
class Side:
    """One version of an edition's page: its name (a version, or "working") and bytes."""

    name: str
    shown: str  # the file it was read from, or what it is
    data: bytes
    snapshot: bool
    page: Page | None = None  # data read, if it was already


@dataclass(frozen=True)
class Made:
    """One edition's redline, rendered and guarded, not yet written."""

    audience: str
    lang: str
    redline: Redline
    text: str  # redline_text
    html: str
    source: str  # the HTML the PDF is rendered from
    pdf: bytes


def default_out(project: Project, slug: str, old: str, new: str) -> Path:
    return project.root / "build" / "redlines" / slug / f"{old}-{new}"


def selected(project: Project, slug: str, old: str, audience: str | None,
             lang: str | None) -> list[tuple[str, str]]:
    """The editions to redline: those of the older release the options select."""
    found = [(a, lg) for a, lg in editions(project.root, slug, old)
             if audience in (None, a) and lang in (None, lg)]
    if not found:
        raise BriefError(f"release {old} of {slug} has no edition "
                         f"{audience or '*'}/{lang or '*'}", code="BG544")
    return found


def _current(project: Project, slug: str, audience: str, lang: str, mode: str) -> Edition:
    """The edition as the working tree makes it: what a redline is guarded with."""
    if (audience, lang) not in project.editions(slug):
        raise BriefError(f"{audience}/{lang} is no longer an edition of {slug}: a redline is "
                         "guarded with its audience's rules, so it cannot be made",
                         code="BG548")
    problems = Problems()
    edition = resolve(project, slug, audience, lang, mode, problems)  # type: ignore[arg-type]
    problems.raise_if_errors()
    return edition


def _side(project: Project, slug: str, name: str, audience: str, lang: str,
          edition: Edition) -> Side:
    if name == WORKING:
        artifact = Artifact(slug, audience, lang, "html")
        link = artifact.file("pdf")  # as a build links it, with the same web metadata
        web = web_view(edition, page_place(project, artifact, link), project.session.theme,
                       project.session.catalogs)
        page = render_edition(edition, link, project.template_folders, project.session, web)
        return Side(WORKING, f"{slug}/{audience}/{lang} (working tree)", page.encode(), False)
    snap = snapshot(project.root, slug, name, audience, lang)
    return Side(name, snap.path, snap.data, True, snap.page)


def _input_leaks(edition: Edition, side: Side, problems: Problems) -> None:
    """A snapshot's text checked for the audience's phrases; a leak is named at its file."""
    page = side.data.decode("utf-8", errors="replace")
    if not side.snapshot:  # the working tree's page: traced to its content like a build's
        for p in leak_problems(edition, side.shown, html_surfaces(Texts(page=page))):
            problems.add(p)
        return
    surfaces = {f"release {side.name}": guard.visible_html_text(page)}
    for phrase in sorted({leak.phrase for leak in guard.scan(edition, surfaces)}):
        problems.add(Problem(side.shown, 0, 0, f"forbidden phrase '{phrase}' for audience "
                             f"{edition.audience_id} appears in the page released as "
                             f"{side.name}", hint="a snapshot holds only what the release "
                             "published: restore it from the release's commit",
                             code="BG350"))


def _blocks(unit: UnitChange) -> list[dict[str, Any]]:
    """A unit's blocks for the template: its first h1 or h2 is its title (the redline's h2);
    other headings nest below it, h3 and deeper, never skipping a level."""
    out: list[dict[str, Any]] = []
    titled, level = False, 2
    for b in unit.blocks:
        title = not titled and b.kind in ("h1", "h2")
        titled |= title
        tag = "p"
        if b.kind.startswith("h") and not title:
            level = min(max(int(b.kind[1]), 3), level + 1)
            tag = f"h{level}"
        out.append({"tag": tag, "title": title, "status": b.status,
                    "runs": [{"op": r.op, "lang": Plain(r.lang), "text": Plain(r.text)}
                             for r in b.runs]})
    return out


def _context(project: Project, slug: str, edition: Edition, old: Side, new: Side,
             redline: Redline, mode: str) -> dict[str, Any]:
    units = [{"id": Plain(u.id), "title": Plain(u.title), "status": u.status, "moved": u.moved,
              "moved_after": None if u.moved_after is None else Plain(u.moved_after),
              "blocks": _blocks(u)} for u in redline.units]
    css = ""
    if mode == "print":
        theme = Theme(project.template_folders)
        css = language_css(theme, project.session.catalogs) + page_css(
            "en", theme, project.session.catalogs)
    return {"units": frozen(units), "counts": frozen(redline.counts), "mode": mode,
            "slug": Plain(slug), "audience": Plain(edition.audience_id),
            "lang": Plain(redline.lang or edition.lang), "old": Plain(old.name),
            "new": Plain(new.name), "title": Plain(edition.title.plain),
            "date": Plain(str(edition.view().date)),
            "page_size": "letter" if edition.audience.page_size == "letter" else "A4",
            "fonts": Markup(css)}


def make(project: Project, slug: str, old: str, new: str, audience: str, lang: str,
         out_name: str, problems: Problems) -> Made:
    """One edition's redline, rendered and checked: its leaks and PDF/UA findings are added
    to problems (the caller writes nothing if there are any)."""
    edition = _current(project, slug, audience, lang, "screen")
    before = _side(project, slug, old, audience, lang, edition)
    after = _side(project, slug, new, audience, lang, edition)
    for side in (before, after):
        _input_leaks(edition, side, problems)
    redline = compare(before.page or read_page(before.data, before.shown),
                      after.page or read_page(after.data, after.shown))
    folders, session = project.template_folders, project.session
    page = render_template(TEMPLATE, folders, session,
                           **_context(project, slug, edition, before, after, redline, "screen"))
    source = render_template(TEMPLATE, folders, session,
                             **_context(project, slug, edition, before, after, redline, "print"))
    if language(lang, Theme(folders), session.catalogs).keep_words:
        source = join_korean_words(source)
    html_name, pdf_name = f"{out_name}.html", f"{out_name}.pdf"
    for p in leak_problems(edition, html_name, html_surfaces(Texts(page=page))):
        problems.add(p)
    result = renderer(session, project.content).render(source, "pdf/ua-1")
    for p in leak_problems(edition, pdf_name, pdf_document_surfaces(Texts(page=source,
                                                                            pdf=result))):
        problems.add(p)
    rendering_problems(pdf_name, result, problems, project.root)  # glyphs, URLs, files…
    heading = f"Redline of {slug} for {audience} ({lang}): {old} -> {new}"
    return Made(audience, lang, redline, redline_text(redline, heading), page, source,
                result.data)


def redline(project: Project, slug: str, old: str, new: str | None = None,
            audience: str | None = None, lang: str | None = None,
            out: Path | None = None) -> tuple[list[tuple[Path, Made]], list[Problem]]:
    """Every selected edition's redline between two versions, written into out (default
    build/redlines/<brief>/<old>-<new>/) as <audience>-<lang>.html and .pdf; nothing is
    written unless every one is made and guarded. Returns them (by path without suffix)
    and the warnings (a passage's language that looks unmarked in a PDF, BG411)."""
    new = new or WORKING
    if old == WORKING:
        raise BriefError("--from must be a release: the working tree is the newer side",
                         code="BG543")
    target = check_out_dir(out or default_out(project, slug, old, new), project)
    problems = Problems()
    made: list[tuple[Path, Made]] = []
    for aud, lg in selected(project, slug, old, audience, lang):
        made.append((target / f"{aud}-{lg}",
                     make(project, slug, old, new, aud, lg, f"{aud}-{lg}", problems)))
    problems.raise_if_errors()
    files: list[tuple[Path, bytes]] = []
    for stem, m in made:
        files += [(stem.with_suffix(".html"), m.html.encode()),
                  (stem.with_suffix(".pdf"), m.pdf)]
    # -- every redline is made and guarded: only now is anything written ---------------------
    write_all(files, inside=target)
    return made, problems.warnings
