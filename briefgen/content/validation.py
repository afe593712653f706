"""Pydantic's validation errors as briefgen's problems: each at the file:line:col of the
value, under a readable field path (sections[tasks].items[a].title), in plain words, with a
'did you mean' where a name was misspelt."""

from __future__ import annotations

import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from briefgen.content.models import (
    LOCALE_PATTERN,
    SECTION_TYPES,
    TERM_KEY_PATTERN,
    Brief,
    Rule,
)
from briefgen.content.yamlread import Document, Loc
from briefgen.errors import Problem, Problems, did_you_mean


def _unwrap(tp: Any, part: str | int) -> Any:
    """The type found one step down `part` from type `tp` (for 'did you mean' lookups)."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        fld = tp.model_fields.get(str(part))
        return fld.annotation if fld else None
    if origin in (list, tuple):
        return typing.get_args(tp)[0]
    if origin is dict:
        return typing.get_args(tp)[1]
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        for arg in typing.get_args(tp):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                tag = arg.model_fields.get("type")
                if tag is not None and part in typing.get_args(tag.annotation):
                    return arg
        for arg in typing.get_args(tp):
            inner = _unwrap(arg, part)
            if inner is not None:
                return inner
    return None


def _model_at(root: type[BaseModel], loc: Loc) -> Any:
    tp: Any = root
    for part in loc:
        nxt = _unwrap(tp, part)
        if nxt is None:
            # discriminator tags appear in pydantic's loc but not in the data: step over
            continue
        tp = nxt
    while typing.get_origin(tp) is typing.Annotated or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if isinstance(a, type) and issubclass(a, BaseModel)]
        if not args:
            break
        tp = args[0]
    return tp


def _data_loc(data: Any, loc: Loc) -> tuple[Loc, str]:
    """Map pydantic's loc onto the data (dropping union tags); also a readable field path."""
    out: list[str | int] = []
    shown = ""
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            out.append(part)
            shown += ("." if shown else "") + str(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            out.append(part)
            item = node[part]
            label = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) \
                else part
            shown += f"[{label}]"
            node = item
        elif isinstance(node, dict) and isinstance(part, str) and node.get("type") == part:
            continue  # a discriminated-union tag
        else:
            out.append(part)
            shown += ("." if shown else "") + str(part)
            node = None
    return tuple(out), shown


_PLAIN = {
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected a mapping of keys to values",
    "model_type": "expected a mapping of fields",
    "model_attributes_type": "expected a mapping of fields",
    "int_type": "expected a whole number",
    "bool_type": "expected true or false",
}


def validation_problems(doc: Document, exc: ValidationError, model: type[BaseModel]
                        ) -> list[Problem]:
    """Each of pydantic's errors as a problem at its value, worded for an editor."""
    return [_problem(doc, err, model) for err in exc.errors(include_url=False)]


def _problem(doc: Document, err: ErrorDetails, model: type[BaseModel]) -> Problem:
    loc, shown = _data_loc(doc.data, tuple(err["loc"]))
    kind = err["type"]
    ctx = err.get("ctx", {})
    line, col = doc.where(loc)

    def problem(message: str, hint: str = "", *, code: str) -> Problem:
        return Problem(doc.path, line, col, message, shown, hint, code=code)

    if kind == "missing":
        return problem("required field is missing", code="BG120")
    if kind == "extra_forbidden":
        line, col = doc.where((*loc, "<key>"))
        parent = _model_at(model, tuple(err["loc"])[:-1])
        allowed = list(getattr(parent, "model_fields", {}))
        return problem(f"unknown field '{loc[-1]}'", did_you_mean(str(loc[-1]), allowed) or (
            "allowed: " + ", ".join(allowed) if allowed else ""), code="BG121")
    if kind == "union_tag_invalid":
        expected = re.findall(r"'([^']+)'", str(ctx.get("expected_tags", "")))
        line, col = doc.where((*loc, "type"))
        shown += ".type"
        return problem(f"unknown section type '{ctx.get('tag')}'; expected one of "
                       + ", ".join(expected), did_you_mean(str(ctx.get("tag")), expected),
                       code="BG122")
    if kind == "union_tag_not_found":
        types = model.section_types if issubclass(model, Brief) else SECTION_TYPES
        return problem(f"section needs a type: {types.described()}", code="BG123")
    if kind == "literal_error":
        expected = re.findall(r"'([^']+)'", str(ctx.get("expected", "")))
        return problem(f"'{err['input']}' is not one of " + ", ".join(expected),
                       did_you_mean(str(err["input"]), expected), code="BG124")
    if kind.startswith("date") or kind.startswith("datetime"):
        reason = str(ctx.get("error", "")).replace("_", " ")
        return problem(f"'{err['input']}' is not a valid date (use YYYY-MM-DD)" + (
            f": {reason}" if reason else ""), code="BG125")
    if kind == "string_pattern_mismatch":
        if "https?" in str(ctx.get("pattern", "")):
            return problem(f"'{err['input']}' is not an http(s) URL", code="BG126")
        if ctx.get("pattern") == LOCALE_PATTERN:
            return problem(f"'{err['input']}' is not a locale: write a language and a region "
                           "joined by a hyphen, e.g. en-US", code="BG136")
        if "source_hash" in shown:
            return problem("must be the 12-character hash `briefgen translations` prints",
                           code="BG128")
        if ctx.get("pattern") == TERM_KEY_PATTERN:
            return problem(f"'{err['input']}' must be lowercase letters and digits joined by "
                           "hyphens or underscores (_), like 'joint-plan' or 'joint_plan'",
                           code="BG127")
        return problem(f"'{err['input']}' must be lowercase letters and digits joined by "
                       "hyphens, like 'policy-recommendations'", code="BG127")
    if kind == "too_short":
        minimum = ctx.get("min_length", 1)
        return problem("must not be empty" if minimum == 1 else
                       f"needs at least {minimum} items", code="BG129")
    if kind == "string_unicode":
        return problem("contains a lone surrogate (an escape such as \\ud800), which is not "
                       "text", "remove the escape, or write the character itself",
                       code="BG130")
    if kind == "value_error" and isinstance(rule := ctx.get("error"), Rule):
        return problem(str(rule), code=rule.code)  # a model's own rule carries its code
    if kind in _PLAIN:
        got = type(err["input"]).__name__
        got = {"str": "text", "int": "a number", "float": "a number", "bool": "true/false",
               "list": "a list", "dict": "a mapping", "NoneType": "nothing"}.get(got, got)
        return problem(f"{_PLAIN[kind]}, got {got}", code="BG131")
    if kind == "value_error":
        return problem(str(err["msg"]).removeprefix("Value error, "), code="BG139")
    return problem(str(err["msg"]), code="BG139")


def _validate(doc: Document, model: type[BaseModel], problems: Problems,
              languages: tuple[str, ...] | None = None) -> Any:
    """The file's data as a `model`, languages being those given (default: briefgen's);
    None, with its problems recorded, when it is not one."""
    if not isinstance(doc.data, dict):
        problems.error(doc.path, 1, 1, "expected a mapping of fields at the top of the file",
                       code="BG131")
        return None
    try:
        context = {"languages": languages} if languages is not None else None
        return model.model_validate(doc.data, context=context)
    except ValidationError as exc:
        for p in validation_problems(doc, exc, model):
            problems.add(p)
        return None

