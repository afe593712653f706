"""`briefgen check`: validate everything a build would, without WeasyPrint or build/.

Each brief's editions are rendered and guarded audience by audience, or taken from what
an earlier check found for the same inputs (commands/checked.py); a brief whose files and
shared files are those an earlier check found valid is not even loaded again. So a check
after a commit that touched one brief renders that brief only, and no brief is ever taken
as valid unless a check rendered it with its current files. With `changed`, the check
first proves that the files are what git's index holds (checked.as_staged)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from briefgen.build.indexes import audience_indexes, check_indexes, feed_entry
from briefgen.build.keys import renderer_fingerprint
from briefgen.build.manifest import ManifestEntry
from briefgen.build.plan import Selection
from briefgen.build.run import guard_pages, plan
from briefgen.commands.checked import Page, Result, Store, as_staged
from briefgen.content.project import Project, load_project, unchanged_since
from briefgen.errors import Problem, Problems
from briefgen.theme import Theme

_EMPTY = hashlib.sha256(b"").hexdigest()


class _Unloaded(Exception):
    """A brief left unloaded has no stored result after all: load everything."""


def check_project(root: Path, strict: bool = False, changed: bool = False,
                  cache: bool = True) -> list[Problem]:
    """Every problem a build would report before rendering PDFs; raises on errors. With
    `changed`, BG588 first unless the files are what git's index holds (what the next
    commit records). `cache=False` neither reads nor writes what earlier checks found."""
    root = root.resolve()
    if changed:
        as_staged(root)
    fingerprint = renderer_fingerprint(Theme.of(root))
    store = Store.open(root, fingerprint) if cache else None
    try:
        return _check(root, strict, store, fingerprint, lazy=True)
    except _Unloaded:  # (a new store: the first one's reads are of no use)
        return _check(root, strict, Store.open(root, fingerprint) if cache else None,
                      fingerprint, lazy=False)


def _check(root: Path, strict: bool, store: Store | None, fingerprint: str, lazy: bool
           ) -> list[Problem]:
    project = load_project(root, skip=store.skip if store is not None and lazy else None)
    problems = Problems(list(project.warnings))
    audiences: dict[str, list[str]] = {
        slug: sorted({aid for aid, _ in project.editions(slug)}) for slug in project.briefs}
    if store is not None:
        store.bind(project)
        for slug in project.unloaded:
            if (stored := store.loaded(slug)) is None:
                raise _Unloaded(slug)
            for problem in stored[0]:
                problems.add(problem)
            audiences[slug] = stored[1]
    briefs = sorted(audiences)
    pages: list[Page] = []
    for slug in briefs:
        for aid in audiences[slug]:
            result = _checked(project, slug, aid, store, fingerprint)
            for problem in result.problems:
                problems.add(problem)
            pages += result.pages
    if store is not None and unchanged_since(project):  # else: read what was not hashed
        for slug in briefs:
            if slug in project.briefs:  # loaded without an error, editions all checked
                src = project.briefs[slug]
                store.put_load(slug, project.brief_warnings.get(slug, []),
                               [s.id for s in src.brief.sections], audiences[slug])
        store.save(briefs)
    # each audience's index page, feed and sitemap, as a build writes them (sizes and page
    # counts aside), over the editions this check rendered
    entries = [ManifestEntry(brief=p.brief, audience=p.audience, language=p.language,
                             format=p.format, path=p.path, title=p.title, sha256=_EMPTY,
                             bytes=0, key=p.key, inputs="", guard=p.guard,
                             pages=None, feed=None) for p in pages]
    known = {p.path: p.feed for p in pages if p.feed is not None}
    check_indexes(project, audience_indexes(project, entries, known), problems,
                  tuple(e.path for e in entries))
    problems.raise_if_errors(strict=strict)
    return problems.items


def _checked(project: Project, slug: str, aid: str, store: Store | None,
             fingerprint: str) -> Result:
    """A brief's editions for one audience rendered and guarded, or as an earlier check
    found them for the same inputs."""
    selection = Selection((slug,), (aid,))
    key = store.key(slug, aid, selection) if store is not None else ""
    if store is not None and (kept := store.get(slug, aid, key)) is not None:
        return kept
    if slug in project.unloaded:
        raise _Unloaded(slug)
    found = Problems()
    jobs = plan(project, selection, found, fingerprint=fingerprint)
    guard_pages(jobs, found)
    result = Result(found.items, [
        Page(job.brief, job.audience, job.language, job.format, job.path, job.title,
             job.key, job.guard,
             feed_entry(job.path, job.title, job.edition)
             if job.format == "html" and job.edition is not None
             and job.edition.mode == "screen" else None)
        for job in jobs])
    if store is not None:
        store.put(slug, aid, key, result)
    return result
