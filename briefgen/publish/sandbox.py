"""The Jinja sandbox every template is rendered in: the project's templates are untrusted
(in CI they may come from a pull request). It owns what a template may reach (ATTRIBUTES,
the filters, no globals), the limits on what a page may make and do (MAX_TEXT, MAX_STEPS),
and the loader that finds templates in the theme's folders without leaving them.

    env = environment(theme.folders, session)   # one per theme, kept in the Session
    env.get_template("base.html.j2")            # the project's copy if it has one
    env.get_template("briefgen/base.html.j2")   # always briefgen's own (to extend it)
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

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

from briefgen.edition.views import VIEWS, Labels, Text
from briefgen.paths import confined
from briefgen.theme import bundled

if TYPE_CHECKING:
    from briefgen.session import Session

# Templates see only briefgen's view types (edition/resolve.py), strings, numbers, tuples
# and read-only mappings, and reach only the attributes, methods, filters and calls listed.

MAX_TEXT = 16 * 1024 * 1024  # characters (or items) any one operation may produce
MAX_STEPS = 100_000  # loop iterations and calls in one page (a shipped page takes 50)
_budget = threading.local()  # steps left in the page this thread renders


def _fields(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


ATTRIBUTES: dict[type, frozenset[str]] = {
    **{cls: _fields(cls) for cls in VIEWS},
    Text: frozenset({"html", "plain", "inline"}),
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


class Plain(str):
    """Text a template writes escaped the way briefgen's reports always have (html.escape:
    `'` as `&#x27;`), by autoescape like any other value. Problems in the preview are Plain."""

    __slots__ = ()

    def __html__(self) -> str:
        return html.escape(self)


class ConfinedLoader(jinja2.FileSystemLoader):
    """A template file must lie in its templates folder, symbolic links resolved."""

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        confined(Path(filename), [Path(p) for p in self.searchpath], f"templates/{template}",
                 label="templates folder")
        return source, filename, uptodate


BUNDLED_PREFIX = "briefgen/"


class ThemeLoader(ConfinedLoader):
    """The theme's folders in turn (a project's own, then briefgen's), except that a name
    starting with `briefgen/` always means briefgen's bundled template: a project's
    base.html.j2 can `{% extends "briefgen/base.html.j2" %}` and replace one block."""

    def __init__(self, folders: Iterable[Path]) -> None:
        super().__init__([str(f) for f in folders])
        self.bundled = ConfinedLoader(str(bundled()))

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        if template.startswith(BUNDLED_PREFIX):
            try:
                return self.bundled.get_source(environment, template[len(BUNDLED_PREFIX):])
            except jinja2.TemplateNotFound:
                raise jinja2.TemplateNotFound(template) from None
        return super().get_source(environment, template)


Folders = tuple[Path, ...]


def default_folders() -> Folders:
    return (bundled(),)


def environment(folders: Folders, session: Session | None = None) -> Sandbox:
    """The sandbox for a theme's folders: the session's if it has one (templates compiled
    once per process), else a new one."""
    if session is not None and folders in session.environments:
        return session.environments[folders]
    env = Sandbox(
        loader=ThemeLoader(folders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",),
                                            default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters = FILTERS_ALLOWED.copy()
    env.globals.clear()  # range, dict, lipsum, cycler, joiner, namespace
    if session is not None:
        session.environments[folders] = env
    return env
