"""The index pages of an output folder: build/index.html, the editors' catalogue of every
artifact, and each audience's own build/<audience>/index.html with its Atom feed
(feed.xml) and, when the audience has a base_url, its sitemap (sitemap.xml), each
leak-checked for that audience."""

from __future__ import annotations

from collections.abc import Mapping

from briefgen.build.formats import index_surfaces
from briefgen.build.manifest import ManifestEntry
from briefgen.content.project import Project
from briefgen.edition.i18n import Messages
from briefgen.edition.resolve import Edition, resolve
from briefgen.errors import Problems, human_size
from briefgen.publish import guard, web
from briefgen.publish.html import render_index

FEED, SITEMAP = "feed.xml", "sitemap.xml"


#: Editions listed on one page of a catalogue: a page stays well under 200 KB, whatever
#: the size of the catalogue (a 1,000-brief project has some 5,000 editions).
PAGE_ROWS = 100


def page_name(number: int) -> str:
    """The file of a catalogue's page: index.html, then index-2.html, index-3.html, …"""
    return "index.html" if number == 1 else f"index-{number}.html"


def index_pages(project: Project, artifacts: list[ManifestEntry],
                audience: str | None = None) -> dict[str, str]:
    """build/index.html, the editors' catalogue of every artifact; or, given an audience, its
    own catalogue (build/<audience>/index.html), in its first language, linking up to its
    editions: its pages by file name (PAGE_ROWS editions each, linked to one another)."""
    rows: dict[tuple[str, str, str], dict[str, object]] = {}
    sizes: dict[tuple[str, str, str], int] = {}
    formats: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for a in sorted(artifacts, key=lambda a: (a.brief, a.audience, a.language, a.format)):
        key = (a.brief, a.audience, a.language)
        aud = project.audiences.get(a.audience)
        row = rows.setdefault(key, {
            "title": a.title, "language": a.language,
            "audience_name": aud.value.name if aud else a.audience,
            "language_name": Messages(a.language, project.session.theme,
                                      project.session.catalogs).language_name,
            "formats": formats.setdefault(key, []), "pages": None})
        formats[key].append({"format": a.format,
                             "path": f"../{a.path}" if audience else a.path})
        if a.pages is not None:  # a PDF's
            row["pages"] = a.pages
        sizes[key] = sizes.get(key, 0) + a.bytes
    for key, row in rows.items():
        row["size"] = human_size(sizes[key])
    listed = list(rows.values())
    chunks = [listed[i:i + PAGE_ROWS] for i in range(0, len(listed), PAGE_ROWS)] or [[]]
    out = {}
    for number, chunk in enumerate(chunks, start=1):
        pages = tuple({"number": n, "href": page_name(n), "current": n == number}
                      for n in range(1, len(chunks) + 1)) if len(chunks) > 1 else ()
        if audience is None:
            out[page_name(number)] = render_index(chunk, folders=project.template_folders,
                                                  session=project.session, pages=pages)
        else:
            out[page_name(number)] = render_index(
                chunk, project.audiences[audience].value.languages[0],
                project.template_folders, editors=False, session=project.session, feed=FEED,
                pages=pages)
    return out


def index_page(project: Project, artifacts: list[ManifestEntry],
               audience: str | None = None) -> str:
    """The first page of a catalogue (index_pages)."""
    return index_pages(project, artifacts, audience)["index.html"]


#: the feed entries of pages already resolved (by the build or check that rendered them), by
#: path; any other page is resolved again for its summary and authors
Known = Mapping[str, web.Entry]


def feed_entry(path: str, title: str, edition: Edition) -> web.Entry:
    """An HTML page's edition as its audience's feed and sitemap list it."""
    e = edition.view()
    return web.Entry(path, title, e.summary.plain, tuple(x.name.plain for x in e.authors),
                     e.date, e.lang_tag or e.lang, edition.slug)


def feed_entries(project: Project, artifacts: list[ManifestEntry], known: Known | None = None
                 ) -> list[web.Entry]:
    """The editions of the HTML pages among artifacts (of one audience), as its feed and
    sitemap list them: from `known`, else each resolved again."""
    entries = []
    for a in sorted(artifacts, key=lambda a: a.path):
        if a.format != "html":
            continue
        entry = (known or {}).get(a.path)
        if entry is None and a.feed is not None:  # recorded by the build that made it
            entry = web.Entry(a.path, a.title, a.feed.summary, a.feed.authors, a.feed.date,
                              a.feed.lang, a.brief)
        if entry is None or entry.title != a.title:
            entry = feed_entry(a.path, a.title, resolve(project, a.brief, a.audience,
                                                        a.language, "screen", Problems()))
        entries.append(entry)
    return entries


def index_files(project: Project, artifacts: list[ManifestEntry], problems: Problems,
                known: Known | None = None) -> list[tuple[str, bytes]]:
    """build/index.html, and each audience's index page, feed and sitemap, guarded: the
    pages a full build writes beside its manifest (a shard writes none; merging does)."""
    indexes = audience_indexes(project, artifacts, known)
    check_indexes(project, indexes, problems, tuple(a.path for a in artifacts))
    return [*((path, page.encode()) for path, page in index_pages(project, artifacts).items()),
            *((path, page.encode()) for path, page in sorted(indexes.items()))]


def audience_indexes(project: Project, artifacts: list[ManifestEntry],
                     known: Known | None = None) -> dict[str, str]:
    """`<audience>/index.html` -> the page, for every audience with artifacts: only its own;
    and its `feed.xml`, and `sitemap.xml` when it has a base_url."""
    ids = sorted({a.audience for a in artifacts} & set(project.audiences))
    out: dict[str, str] = {}
    for aid in ids:
        own = [a for a in artifacts if a.audience == aid]
        audience = project.audiences[aid].value
        out |= {f"{aid}/{name}": page for name, page in index_pages(project, own, aid).items()}
        entries, base = feed_entries(project, own, known), audience.base_url
        title = Messages(audience.languages[0], project.session.theme,
                         project.session.catalogs).catalogue_title
        out[f"{aid}/{FEED}"] = web.atom_feed(f"{title}: {audience.name}",
                                             audience.languages[0], entries, base,
                                             f"{aid}/{FEED}")
        if base:
            out[f"{aid}/{SITEMAP}"] = web.sitemap(entries, base, f"{aid}/index.html")
    return out


def check_indexes(project: Project, indexes: dict[str, str], problems: Problems,
                  paths: tuple[str, ...] = ()) -> None:
    """The leak guard over each audience's index page, feed and sitemap, for that audience;
    `paths`, the build's own files, are left out of their addresses (guard.own_paths)."""
    for path, page in indexes.items():
        aid = path.split("/")[0]
        phrases = project.audiences[aid].value.forbidden_phrases
        # this audience's files only: another audience's path in its feed is guarded text
        own = (*(p for p in paths if p.split("/")[1:2] == [aid]),
               *(f"{aid}/{name}" for name in ("index.html", FEED, SITEMAP)))
        for surface, text in index_surfaces(guard.own_paths(page, own), path).items():
            for phrase in guard.find(phrases, text):
                problems.error(path, 0, 0, f"forbidden phrase '{phrase}' for audience {aid} "
                               f"appears in {path} ({surface})",
                               hint="reword the title or label it shows", code="BG409")
