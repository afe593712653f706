"""The one Jinja environment: an edition becomes an HTML string. No file I/O beyond templates."""

from __future__ import annotations

import re
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar, cast

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import TemplateModule
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS, do_join, do_replace
from jinja2.nodes import Concat, EvalContext
from jinja2.runtime import BlockReference, LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from briefgen import __version__
from briefgen.edition.resolve import (
    AudienceView,
    AuthorView,
    BriefView,
    Edition,
    EditionView,
    ItemView,
    Labels,
    NoteView,
    SectionView,
    Text,
)
from briefgen.errors import BriefError, Problem
from briefgen.paths import confined
from briefgen.theme import bundled as templates_dir

HANGUL_PAIR = re.compile(r"(?<=[\uac00-\ud7a3])(?=[\uac00-\ud7a3])")
WORD_JOINER = "\u2060"

# -- the sandbox: templates are untrusted (a project's own, in CI from a pull request) --------
# They see only briefgen's view types (audiences.py), strings, numbers, tuples and read-only
# mappings, and reach only the attributes, methods, filters and calls listed here.

MAX_TEXT = 16 * 1024 * 1024  # characters (or items) any one operation may produce
MAX_STEPS = 100_000  # loop iterations and calls in one page (a shipped page takes 50)
_budget = threading.local()  # steps left in the page this thread renders


def _fields(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


ATTRIBUTES: dict[type, frozenset[str]] = {
    **{cls: _fields(cls) for cls in (EditionView, AudienceView, BriefView, AuthorView,
                                     SectionView, ItemView, NoteView, Labels)},
    Text: frozenset({"html", "plain"}),
    LoopContext: frozenset({"index", "index0", "revindex", "revindex0", "first", "last",
                            "length", "depth", "depth0", "previtem", "nextitem", "cycle",
                            "changed"}),
}
STR_METHODS = frozenset({"startswith", "endswith", "lower", "upper", "strip"})
LOOP_METHODS = frozenset({"cycle", "changed"})


def _check_size(n: int) -> None:
    if n > MAX_TEXT:
        raise SecurityError(f"a string or list longer than {MAX_TEXT:,} is not allowed")


T = TypeVar("T")


def _bounded(value: T) -> T:
    if hasattr(value, "__len__"):
        _check_size(len(value))
    return value


def _step() -> None:
    _budget.left = getattr(_budget, "left", MAX_STEPS) - 1
    if _budget.left < 0:
        raise SecurityError(f"more than {MAX_STEPS:,} loop iterations and calls in one page")


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _step()
        yield item


def css_string(value: str) -> Markup:
    """A Python string as a quoted CSS string (safe inside a <style> element)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return _bounded(Markup('"' + escaped.replace("<", "\\3C ") + '"'))


@jinja2.pass_eval_context
def _join(eval_ctx: EvalContext, value: Any, d: str = "") -> str:
    items = [_bounded(v) for v in value]
    _check_size(sum(len(str(v)) + len(d) for v in items))
    return cast(str, do_join(eval_ctx, items, d))


@jinja2.pass_eval_context
def _replace(eval_ctx: EvalContext, s: str, old: str, new: str, count: int | None = None) -> str:
    _check_size(len(s) + (str(s).count(old) + 1) * len(new))
    return do_replace(eval_ctx, s, old, new, count)


FILTERS_ALLOWED: dict[str, Callable[..., Any]] = {
    **{name: FILTERS[name] for name in ("d", "default", "e", "escape", "first", "last",
                                        "length", "count", "lower", "upper", "trim", "safe")},
    "join": _join, "replace": _replace, "css_string": css_string,
}


class _BoundedConcat(CodeGenerator):
    """`a ~ b` checks the length of what it makes (doubling a string in a few `set`s)."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")


class _Template(jinja2.Template):
    def render(self, *args: Any, **kwargs: Any) -> str:
        _budget.left = MAX_STEPS
        return super().render(*args, **kwargs)


class Sandbox(ImmutableSandboxedEnvironment):
    """Only listed attributes and callables; no globals; operators that could make huge
    values (`*`, `**`, `+`, `%`, `~`) bounded, and the steps a page may take (loop
    iterations and calls: nested loops, a macro calling itself twice)."""

    code_generator_class = _BoundedConcat
    template_class = _Template
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    bounded = staticmethod(_bounded)
    counted = staticmethod(_counted)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):  # iterate through `counted`
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("counted"), [loop.iter], [],
                                   None, None, lineno=loop.lineno)
        return tree

    def call(__self, __context: jinja2.runtime.Context, __obj: Any,  # noqa: N805
             *args: Any, **kwargs: Any) -> Any:
        _step()
        if not __self.is_safe_callable(__obj):  # named, not Jinja's repr with an address
            name = getattr(__obj, "__qualname__", type(__obj).__name__)
            raise SecurityError(f"calling {name} is not allowed")
        return super().call(__context, __obj, *args, **kwargs)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        if isinstance(obj, str):
            return attr in STR_METHODS
        return attr in ATTRIBUTES.get(type(obj), ()) or \
            (isinstance(obj, Labels) and attr in obj.labels) or \
            (isinstance(obj, TemplateModule) and attr in vars(obj))  # an imported macro

    def is_safe_callable(self, obj: Any) -> bool:
        if obj is _counted or isinstance(obj, (Macro, BlockReference, Labels,
                                               jinja2.Undefined)):
            return True
        owner, name = getattr(obj, "__self__", None), getattr(obj, "__name__", "")
        return (isinstance(owner, str) and name in STR_METHODS) or \
            (isinstance(owner, LoopContext) and name in LOOP_METHODS)

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                   right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise SecurityError("'%' formatting of strings is not allowed")
        if operator == "**" and isinstance(right, int) and abs(right) > 1024:
            raise SecurityError("an exponent above 1024 is not allowed")
        if operator == "*" and isinstance(left, int) and not isinstance(right, int):
            left, right = right, left
        if operator == "*" and hasattr(left, "__len__") and isinstance(right, int):
            _check_size(len(left) * right)
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, int) and result.bit_length() > 64 * 1024:
            raise SecurityError("a number above 2**65536 is not allowed")
        return _bounded(result)


class ConfinedLoader(jinja2.FileSystemLoader):
    """A template file must lie in its templates folder, symbolic links resolved."""

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        confined(Path(filename), [Path(p) for p in self.searchpath], f"templates/{template}",
                 label="templates folder")
        return source, filename, uptodate


Folders = tuple[Path, ...]


def default_folders() -> Folders:
    return (templates_dir(),)


@lru_cache(maxsize=4)
def environment(folders: Folders) -> Sandbox:
    """Templates are looked up in each folder in turn: a project's own, then briefgen's."""
    env = Sandbox(
        loader=ConfinedLoader([str(f) for f in folders]),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",),
                                            default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters = FILTERS_ALLOWED.copy()
    env.globals.clear()  # range, dict, lipsum, cycler, joiner, namespace
    return env


def stylesheet(folders: Folders, name: str) -> str:
    """Read every time (no cache): `serve` and `build --watch` must see an edited file."""
    for folder in folders:
        if (folder / "css" / name).is_file():
            return confined(folder / "css" / name, (folder,), f"templates/css/{name}",
                            label="templates folder").read_text(encoding="utf-8")
    raise BriefError([Problem(f"templates/css/{name}", 0, 0, "stylesheet not found")])


KIND_OF_FAILURE = {
    RecursionError: "recursion too deep (a template that includes itself, or a macro that "
                    "calls itself, without end)",
    MemoryError: "out of memory",
}


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
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template not found: {exc.name}"
    else:
        message = str(exc) if isinstance(exc, jinja2.TemplateError) else \
            KIND_OF_FAILURE.get(type(exc)) or f"{type(exc).__name__}: {exc}"
    return BriefError([Problem(where, line, 0, f"template error: {message}")])


def render_template(name: str, folders: Folders | None = None, **context: Any) -> str:
    folders = folders or default_folders()
    try:
        return environment(folders).get_template(name).render(version=__version__, **context)
    except jinja2.TemplateNotFound as exc:
        if exc.name != name:  # an include or import: the line that names it
            raise _template_problem(exc, folders) from None
        raise BriefError([Problem(f"templates/{exc.name}", 0, 0,
                                  "template error: template not found")]) from None
    except BriefError:
        raise
    except Exception as exc:  # noqa: BLE001 - anything a template does is its own error
        raise _template_problem(exc, folders) from None


def _frozen(value: Any) -> Any:
    """Index entries as read-only data: dicts become mappings, lists tuples."""
    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


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
    page = render_template("base.html.j2", folders, e=edition.view(), css=Markup(css),
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
    return render_template("index.html.j2", folders, entries=_frozen(entries), m=Labels.of(lang),
                           editors=editors, css=Markup(stylesheet(folders, "screen.css")))
