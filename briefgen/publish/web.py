"""What a published edition says of itself on the web, and the feed and sitemap of an
audience's index: schema.org JSON-LD, the links between its language editions (hreflang),
its absolute addresses from the audience's base_url, an Atom feed and a sitemap. Pure
functions returning strings; build/ decides the paths and writes the files.

Without a base_url nothing absolute is invented: a page keeps relative links between its
language editions and leaves out canonical, og:url and citation_pdf_url; an index has no
sitemap (a sitemap lists absolute URLs only) and its feed's ids are tag: URIs."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from briefgen.edition.i18n import Catalogs, language
from briefgen.edition.resolve import Edition
from briefgen.edition.views import AlternateView, EditionView, WebView
from briefgen.theme import Theme


@dataclass(frozen=True)
class Place:
    """Where an edition's page is in the output folder, and its audience's other language
    editions of the same brief that this build publishes (language, path), the page's own
    among them; `pdf` is the path of its PDF when the build makes one."""

    path: str
    editions: tuple[tuple[str, str], ...]
    pdf: str | None = None


def absolute(base_url: str | None, path: str) -> str:
    """The address of a file of the output folder, or "" without a base URL."""
    return base_url + path if base_url else ""


def _href(base_url: str | None, page: str, target: str) -> str:
    """From page to target (both paths in the output folder): absolute with a base URL,
    relative without."""
    return absolute(base_url, target) or posixpath.relpath(target, posixpath.dirname(page))


def og_locale(tag: str, babel_locale: str) -> str:
    """OpenGraph's language_TERRITORY: the tag's region (en-US), else the catalog's."""
    parts = tag.split("-")
    if len(parts) > 1 and parts[-1].isupper():
        return f"{parts[0]}_{parts[-1]}"
    babel = babel_locale.split("_")
    return f"{babel[0]}_{babel[-1]}" if len(babel) > 1 else babel[0]


def script_json(data: Any) -> Markup:
    """JSON for a <script> element: '<', '>' and '&' escaped, so no text can close it."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def json_ld(e: EditionView, canonical: str, pdf_url: str) -> dict[str, Any]:
    """schema.org's Report of an edition: https://schema.org/Report."""
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Report", "name": e.title.plain}
    if e.subtitle:
        data["alternativeHeadline"] = e.subtitle.plain
    data["description"] = e.summary.plain
    data["author"] = [{"@type": "Person", "name": a.name.plain,
                       **({"honorificPrefix": a.honorific.plain} if a.honorific else {}),
                       "affiliation": {"@type": "Organization", "name": a.affiliation.plain}}
                      for a in e.authors]
    if e.institute:
        data["publisher"] = {"@type": "Organization", "name": e.institute}
    if e.number:
        data["reportNumber"] = e.number
    data["datePublished"] = e.date
    data["inLanguage"] = e.lang_tag or e.lang
    data["isPartOf"] = {"@type": "CreativeWorkSeries", "name": e.series.plain}
    if e.keywords:
        data["keywords"] = list(e.keywords)
    if e.version:
        data["version"] = e.version
    if canonical:
        data["url"] = canonical
    if pdf_url:
        data["encoding"] = {"@type": "MediaObject", "encodingFormat": "application/pdf",
                            "contentUrl": pdf_url}
    return data


def web_view(edition: Edition, place: Place, theme: Theme | None = None,
             catalogs: Catalogs | None = None) -> WebView:
    """What the page at place says of itself on the web."""
    e, base = edition.view(), edition.audience.base_url
    alternates = tuple(
        AlternateView(e.audience.tag(lang), language(lang, theme, catalogs).name,
                      _href(base, place.path, path), path == place.path)
        for lang, path in place.editions)
    canonical = absolute(base, place.path)
    pdf_url = absolute(base, place.pdf) if place.pdf else ""
    tag = e.lang_tag or e.lang
    first = alternates[0].href if alternates else _href(base, place.path, place.path)
    return WebView(
        canonical=canonical, pdf_url=pdf_url, alternates=alternates, x_default=first,
        og_locale=og_locale(tag, language(e.lang, theme, catalogs).locale),
        og_alternates=tuple(og_locale(a.lang, language(lang, theme, catalogs).locale)
                            for a, (lang, _) in zip(alternates, place.editions, strict=True)
                            if not a.current),
        publication_date=e.date.replace("-", "/"),
        json_ld=script_json(json_ld(e, canonical, pdf_url)))


# -- the feed and sitemap of an audience's index -------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One edition in an audience's feed and sitemap."""

    path: str  # of its page in the output folder
    title: str
    summary: str
    authors: tuple[str, ...]
    date: str  # ISO 8601, the brief's date
    lang: str  # its BCP 47 tag
    brief: str  # its brief's slug: the editions of one brief are alternates of each other


ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"


def _tag_uri(authority: str, date: str, path: str) -> str:
    """A tag: URI (RFC 4151) naming a file of the output folder when there is no URL."""
    return f"tag:{authority},{date}:{path}"


def atom_feed(title: str, lang: str, entries: Sequence[Entry],
              base_url: str | None, feed_path: str) -> str:
    """An Atom feed (RFC 4287) of an audience's editions, newest first; its `updated` is the
    newest edition's date (no clock: the same editions give the same feed)."""
    ordered = sorted(entries, key=lambda x: (x.date, x.path), reverse=True)
    updated = f"{ordered[0].date}T00:00:00Z" if ordered else "1970-01-01T00:00:00Z"
    first = ordered[-1].date if ordered else "1970-01-01"
    authority = "briefgen.invalid"
    if base_url:
        authority = base_url.split("/")[2].split(":")[0]
    feed_id = absolute(base_url, feed_path) or _tag_uri(authority, first, feed_path)
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<feed xmlns="{ATOM}" xml:lang={quoteattr(lang)}>',
           f"  <id>{escape(feed_id)}</id>",
           f'  <title type="text">{escape(title)}</title>',
           f"  <updated>{updated}</updated>"]
    if base_url:
        out.append(f'  <link rel="self" type="application/atom+xml" '
                   f'href={quoteattr(absolute(base_url, feed_path))}/>')
    index = _href(base_url, feed_path, posixpath.dirname(feed_path) + "/index.html")
    out.append(f'  <link rel="alternate" type="text/html" href={quoteattr(index)}/>')
    for x in ordered:
        link = _href(base_url, feed_path, x.path)
        entry_id = absolute(base_url, x.path) or _tag_uri(authority, x.date, x.path)
        out += ["  <entry>", f"    <id>{escape(entry_id)}</id>",
                f'    <title type="text" xml:lang={quoteattr(x.lang)}>{escape(x.title)}</title>',
                f'    <link rel="alternate" type="text/html" hreflang={quoteattr(x.lang)} '
                f"href={quoteattr(link)}/>",
                f"    <updated>{x.date}T00:00:00Z</updated>",
                f"    <published>{x.date}T00:00:00Z</published>",
                *(f"    <author><name>{escape(name)}</name></author>" for name in x.authors),
                f'    <summary type="text" xml:lang={quoteattr(x.lang)}>{escape(x.summary)}'
                "</summary>",
                "  </entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def sitemap(entries: Sequence[Entry], base_url: str, index_path: str) -> str:
    """A sitemap (sitemaps.org) of an audience's index page and editions, each edition with
    its language editions as xhtml:link hreflang alternates (Google's form)."""
    ordered = sorted(entries, key=lambda x: x.path)
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<urlset xmlns="{SITEMAP}" xmlns:xhtml="{XHTML}">',
           f"  <url><loc>{escape(base_url + index_path)}</loc></url>"]
    for x in ordered:
        siblings = [y for y in ordered if y.brief == x.brief]
        out += ["  <url>", f"    <loc>{escape(base_url + x.path)}</loc>",
                f"    <lastmod>{x.date}</lastmod>"]
        if len(siblings) > 1:
            out += [f'    <xhtml:link rel="alternate" hreflang={quoteattr(y.lang)} '
                    f"href={quoteattr(base_url + y.path)}/>" for y in siblings]
        out.append("  </url>")
    out.append("</urlset>")
    return "\n".join(out) + "\n"
