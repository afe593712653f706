"""The one Jinja environment: an edition becomes an HTML string. No file I/O beyond templates."""

from __future__ import annotations

import re
import traceback
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from . import __version__
from .audiences import Edition
from .errors import BriefError, Problem
from .i18n import Messages, templates_dir

HANGUL_PAIR = re.compile(r"(?<=[\uac00-\ud7a3])(?=[\uac00-\ud7a3])")
WORD_JOINER = "\u2060"


def css_string(value: str) -> Markup:
    """A Python string as a quoted CSS string (safe inside a <style> element)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return Markup('"' + escaped.replace("<", "\\3C ") + '"')




Folders = tuple[Path, ...]


def default_folders() -> Folders:
    return (templates_dir(),)


@lru_cache(maxsize=4)
def environment(folders: Folders) -> SandboxedEnvironment:
    """Templates are looked up in each folder in turn: a project's own, then briefgen's."""
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",),
                                            default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    return env


def stylesheet(folders: Folders, name: str) -> str:
    """Read every time (no cache): `serve` and `build --watch` must see an edited file."""
    for folder in folders:
        if (folder / "css" / name).is_file():
            return (folder / "css" / name).read_text(encoding="utf-8")
    raise BriefError([Problem(f"templates/css/{name}", 0, 0, "stylesheet not found")])


def _template_problem(exc: Exception, folders: Folders) -> BriefError:
    """Name the template and line where rendering failed."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return BriefError([Problem(f"templates/{exc.name or exc.filename}", exc.lineno or 0, 0,
                                   f"template error: {exc.message}")])
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
    message = str(exc) if isinstance(exc, jinja2.TemplateError) else \
        f"{type(exc).__name__}: {exc}"
    return BriefError([Problem(where, line, 0, f"template error: {message}")])


def render_template(name: str, folders: Folders | None = None, **context: Any) -> str:
    folders = folders or default_folders()
    try:
        return environment(folders).get_template(name).render(version=__version__, **context)
    except jinja2.TemplateNotFound as exc:
        raise BriefError([Problem(f"templates/{exc.name}", 0, 0,
                                  "template error: template not found")]) from None
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError,
            AttributeError) as exc:
        raise _template_problem(exc, folders) from None


def join_korean_words(page: str) -> str:
    """Bind Hangul syllables with word joiners so lines break only between words (eojeol).

    WeasyPrint ignores `word-break: keep-all`; U+2060 renders as nothing and is left out of
    the PDF text layer, so copy-paste and search are unharmed. Only text inside <body>.
    """
    head, sep, body = page.partition("<body")
    if not sep:
        return page
    parts = re.split(r"(<[^>]*>)", body)
    for i in range(0, len(parts), 2):
        parts[i] = HANGUL_PAIR.sub(WORD_JOINER, parts[i])
    return head + sep + "".join(parts)


# A page footnote's call is an inline box of its own: the line breaker does not see that
# the punctuation after it must not start a line (kinsoku). Put the call after the
# punctuation instead, as Chicago style and Chinese practice both allow.
NOTE_PUNCT = re.compile(r'(<span class="footnote">(?:(?!</span>).)*</span>)'
                        r'([，。、；：！？）》」』”’,.;:!?)\]]+)', re.S)


def bind_note_punctuation(page: str) -> str:
    return NOTE_PUNCT.sub(r"\2\1", page)


def render_edition(edition: Edition, pdf_href: str | None = None,
                   folders: Folders | None = None) -> str:
    """The complete HTML page of one edition: 'screen' is published, 'print' feeds the PDF."""
    folders = folders or default_folders()
    css = stylesheet(folders, "print.css" if edition.mode == "print" else "screen.css")
    page = render_template("base.html.j2", folders, e=edition, css=Markup(css),
                           pdf_href=pdf_href)
    if edition.mode == "print":
        page = bind_note_punctuation(page)
    if edition.mode == "print" and edition.lang == "ko":
        page = join_korean_words(page)
    return page


def render_index(entries: list[dict[str, Any]], lang: str = "en",
                 folders: Folders | None = None, editors: bool = True) -> str:
    """A catalogue of editions with links, page counts and sizes: the editors' one of every
    audience (build/index.html), or one audience's own (no audience column)."""
    folders = folders or default_folders()
    return render_template("index.html.j2", folders, entries=entries, m=Messages(lang),
                           editors=editors, css=Markup(stylesheet(folders, "screen.css")))
