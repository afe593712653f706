"""An edition becomes an HTML string, and so do the catalogue and briefgen's own pages
(preview, diff report): templates rendered in the sandbox (publish/sandbox.py) with the
theme's stylesheets. No file I/O beyond templates and stylesheets."""

from __future__ import annotations

import html
import re
import traceback
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from briefgen import __version__
from briefgen.edition.i18n import language, language_css, page_css
from briefgen.edition.markdown import NOTE_OPEN, note_end, plain
from briefgen.edition.resolve import Edition
from briefgen.edition.views import Labels, WebView
from briefgen.errors import BriefError, Problem
from briefgen.publish import embedded
from briefgen.publish.sandbox import ATTRIBUTES as ATTRIBUTES
from briefgen.publish.sandbox import Folders as Folders
from briefgen.publish.sandbox import Sandbox as Sandbox
from briefgen.publish.sandbox import css_string
from briefgen.publish.sandbox import default_folders as default_folders
from briefgen.publish.sandbox import environment as environment
from briefgen.theme import Theme

if TYPE_CHECKING:
    from briefgen.session import Session

HANGUL_PAIR = re.compile(r"(?<=[\uac00-\ud7a3])(?=[\uac00-\ud7a3])")
WORD_JOINER = "\u2060"


def stylesheet(folders: Folders, name: str) -> str:
    """Read every time (no cache): `serve` and `build --watch` must see an edited file."""
    if (path := Theme(folders).find(f"css/{name}")) is not None:
        return path.read_text(encoding="utf-8")
    raise BriefError([Problem(f"templates/css/{name}", 0, 0, "stylesheet not found",
                              code="BG304")])


KIND_OF_FAILURE = {
    RecursionError: "recursion too deep (a template that includes itself, or a macro that "
                    "calls itself, without end)",
    MemoryError: "out of memory",
}


def _template_problem(exc: Exception, folders: Folders) -> BriefError:
    """Name the template and line where rendering failed."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return BriefError([Problem(f"templates/{exc.name or exc.filename}", exc.lineno or 0, 0,
                                   f"template error: {exc.message}", code="BG301")])
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.endswith(".j2")]
    where, line = "templates", 0
    if frames:
        frame = frames[-1]
        where = frame.filename
        for folder in folders:
            if Path(frame.filename).resolve().is_relative_to(folder.resolve()):
                where = "templates/" + Path(frame.filename).resolve().relative_to(
                    folder.resolve()).as_posix()
                break
        line = frame.lineno or 0
    if isinstance(exc, jinja2.TemplateNotFound):
        return BriefError([Problem(where, line, 0, f"template error: template not found: "
                                   f"{exc.name}", code="BG303")])
    message = str(exc) if isinstance(exc, jinja2.TemplateError) else \
        KIND_OF_FAILURE.get(type(exc)) or f"{type(exc).__name__}: {exc}"
    return BriefError([Problem(where, line, 0, f"template error: {message}", code="BG302")])


def render_template(name: str, folders: Folders | None = None, session: Session | None = None,
                    **context: Any) -> str:
    """The template `name` of the theme's folders, rendered in the sandbox; any failure is a
    BriefError naming the template and line, and so is a page that asks for a file
    attachment (publish/embedded.py)."""
    folders = folders or default_folders()
    try:
        page = environment(folders, session).get_template(name).render(
            version=__version__, **context)
    except jinja2.TemplateNotFound as exc:
        if exc.name != name:  # an include or import: the line that names it
            raise _template_problem(exc, folders) from None
        raise BriefError([Problem(f"templates/{exc.name}", 0, 0,
                                  "template error: template not found",
                                  code="BG303")]) from None
    except BriefError:
        raise
    except Exception as exc:  # noqa: BLE001 - anything a template does is its own error
        raise _template_problem(exc, folders) from None
    if found := embedded.page_asks(page):  # only briefgen attaches files to a PDF
        raise BriefError([embedded.template_problem(found, name, folders)])
    return page


def frozen(value: Any) -> Any:
    """Data for a template, read-only: dicts become mappings, lists tuples."""
    if isinstance(value, dict):
        return MappingProxyType({k: frozen(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(frozen(v) for v in value)
    return value


def join_korean_words(page: str) -> str:
    """Bind Hangul syllables with word joiners so lines break only between words (eojeol):
    for a language whose catalog says `keep_words: true` (Korean).

    WeasyPrint ignores `word-break: keep-all`; U+2060 renders as nothing and is left out of
    the PDF text layer, so copy-paste and search are unharmed. Only text inside <body>. A
    heading that gets joiners keeps its text, without them, as its bookmark label.
    """
    head, sep, body = page.partition("<body")
    if not sep:
        return page
    body = _HEADING.sub(_label_heading, body)
    parts = re.split(r"(<[^>]*>)", body)
    for i in range(0, len(parts), 2):
        parts[i] = HANGUL_PAIR.sub(WORD_JOINER, parts[i])
    return head.replace("</head>", f"<style>{_BOOKMARK_CSS}</style></head>", 1) + sep + \
        "".join(parts)


# WeasyPrint takes a bookmark's label from the heading's text, joiners and all, and a reader
# navigating the outline would get them (and search it in vain). A heading that gets joiners
# carries its text as it was, and the outline takes that (CSS GCPM bookmark-label).
_HEADING = re.compile(r"<(h[1-6])\b([^>]*)>(.*?)</\1>", re.S)
_BOOKMARK_CSS = "[data-bookmark] { bookmark-label: attr(data-bookmark); }"


def _label_heading(m: re.Match[str]) -> str:
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]*>", "", m[3]))).strip()
    if not HANGUL_PAIR.search(m[3]):
        return m[0]
    return (f'<{m[1]}{m[2]} data-bookmark="{html.escape(text, quote=True)}">{m[3]}'
            f"</{m[1]}>")


# A page footnote's call is an inline box of its own: the line breaker does not see that
# the punctuation after it must not start a line (kinsoku). Put the call after the
# punctuation instead, as Chicago style and Chinese practice both allow.
NOTE_PUNCT = re.compile(r'[，。、；：！？）》」』”’,.;:!?)\]]+')


def bind_note_punctuation(page: str) -> str:
    """Each page footnote's call moved after the punctuation that follows it (a note may
    hold spans of its own: a citation's language, an audience span's lang)."""
    out, at = [], 0
    while (start := page.find(NOTE_OPEN, at)) >= 0:
        end = note_end(page, start)
        punct = NOTE_PUNCT.match(page, end)
        after = punct.end() if punct else end
        out += [page[at:start], page[end:after], page[start:end]]
        at = after
    return "".join(out) + page[at:]


def label_bookmarks(page: str) -> str:
    """A heading that holds a note is bookmarked in the PDF by its text without the note
    (WeasyPrint's label is all the heading's text: "Text2", or the whole footnote)."""
    def label(m: re.Match[str]) -> str:
        if (NOTE_OPEN not in m[3] and 'class="noteref"' not in m[3]) or "style=" in m[2]:
            return m[0]
        css = html.escape(str(css_string(plain(m[3]))))
        return f'<{m[1]}{m[2]} style="bookmark-label: {css}">{m[3]}</{m[1]}>'

    return _HEADING.sub(label, page)


def render_edition(edition: Edition, pdf_href: str | None = None,
                   folders: Folders | None = None, session: Session | None = None,
                   web: WebView | None = None) -> str:
    """The complete HTML page of one edition: 'screen' is published, 'print' feeds the PDF;
    `web`: what a published page says of itself on the web (publish/web.py)."""
    folders = folders or default_folders()
    theme, catalogs = Theme(folders), session.catalogs if session is not None else None
    if edition.mode == "print":  # each language's fonts and rules, from its catalog, first
        css = (language_css(theme, catalogs) + stylesheet(folders, "print.css")
               + page_css(edition.lang, theme, catalogs))
    else:
        css = stylesheet(folders, "screen.css")
    page = render_template("base.html.j2", folders, session, e=edition.view(), css=Markup(css),
                           pdf_href=pdf_href, web=web)
    if edition.mode == "print":
        page = label_bookmarks(bind_note_punctuation(page))
    if edition.mode == "print" and language(edition.lang, theme, catalogs).keep_words:
        page = join_korean_words(page)
    return page


def render_index(entries: list[dict[str, Any]], lang: str = "en",
                 folders: Folders | None = None, editors: bool = True,
                 session: Session | None = None, feed: str | None = None,
                 pages: tuple[dict[str, Any], ...] = ()) -> str:
    """A catalogue of editions with links, page counts and sizes: the editors' one of every
    audience (build/index.html), or one audience's own (no audience column), which links
    its Atom feed (`feed`, relative to the page). `pages`: the catalogue's pages (number,
    href, current), when it has more than one."""
    folders = folders or default_folders()
    return render_template("index.html.j2", folders, session, entries=frozen(entries),
                           m=Labels.of(lang, Theme(folders),
                                       session.catalogs if session is not None else None),
                           editors=editors, feed=feed, pages=frozen(list(pages)),
                           css=Markup(stylesheet(folders, "screen.css")))
