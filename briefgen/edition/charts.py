"""Charts drawn from data: a chart file in the brief's charts/ folder, drawn as a figure.

A figure whose image is `charts/NAME.chart.yaml` is a chart. The chart file holds its data
(a CSV file beside it, or inline `values:`), its words (`text:`, each a translation unit
`chart.NAME.KEY` of the brief, so `briefgen translations` lists them and `check` reports
them untranslated like any field), how numbers read (`formats:`) and a Vega-Lite
specification (`spec:`) written from an allowlist: marks, encodings, axes, legends and
scales, with no free text (titles name `text:` keys), no data, no expressions, no URLs. A
spec that names anything else is refused at its line; briefgen then adds the data, the
words and number formats of the edition's language and its font, and vl-convert draws it
to SVG in process (no browser; `allowed_base_urls=[]`, so it fetches nothing). The SVG goes
through the SVG sanitiser (svg.py) and is inlined like an SVG figure; under it, the data
itself as a table for readers who cannot see the chart (and for the leak guard, which
reads every word of both).
"""

from __future__ import annotations

import copy
import csv
import functools
import html
import io
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal

from briefgen.content.yamlread import Document, Loc, read_yaml
from briefgen.edition import svg
from briefgen.errors import BriefError, Problem, did_you_mean

SUFFIX = ".chart.yaml"
NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # charts/NAME.chart.yaml
FOLDER = "charts"
MAX_ROWS = 1000
MAX_DATA_BYTES = 256 * 1024
MAX_TEXT = 200  # characters of one text: entry
MAX_SIDE = 1200  # a spec's width and height, in pixels
MAX_DRAWING = 4000  # the drawing's width and height with its axes, legends and titles
MAX_CELL = 100  # characters of one data cell (a number or a key)
MAX_NUMBER = 1e15  # the largest number (in size) of the data or a spec

#: the keys a chart file holds
FILE_KEYS = ("data", "values", "text", "formats", "spec")
#: how a field's numbers read (axis labels, text marks, the data table)
FORMATS = ("number", "year", "krw")


# -- the allowlist of a spec ------------------------------------------------------------------
# Each rule says what a value may be. A mapping's keys are all listed: any other key is
# refused, whatever it is (url, href, data, transform, params, signals, usermeta, config…).

@dataclass(frozen=True)
class _Enum:
    values: tuple[Any, ...]


@dataclass(frozen=True)
class _Kind:
    name: str  # boolean, color, field, text-key, schema (numbers are _Num)


@dataclass(frozen=True)
class _Num:
    """A number from lo to hi: every number a spec may hold is bounded, since Vega's loops
    and sizes follow them (a tickCount of a million exhausts its memory)."""

    lo: float
    hi: float


@dataclass(frozen=True)
class _List:
    item: Any
    most: int = 50


_BOOL, _COLOR = _Kind("boolean"), _Kind("color")
_FIELD, _TEXT = _Kind("field"), _Kind("text-key")
_FONT_SIZE, _OFFSET, _OPACITY = _Num(4, 72), _Num(-500, 500), _Num(0, 1)
_MARKS = ("bar", "line", "point", "area", "rule", "text", "tick", "circle", "square")
_MARK = {"type": _Enum(_MARKS), "color": _COLOR, "opacity": _OPACITY, "point": _BOOL,
         "strokeWidth": _Num(0, 20), "size": _Num(0, 10_000), "dx": _OFFSET, "dy": _OFFSET,
         "interpolate": _Enum(("linear", "monotone", "step")),
         "align": _Enum(("left", "center", "right")),
         "baseline": _Enum(("top", "middle", "bottom", "alphabetic")),
         "fontSize": _FONT_SIZE, "fontWeight": _Enum(("normal", "bold")),
         "cornerRadiusEnd": _Num(0, 50),
         "orient": _Enum(("vertical", "horizontal")), "filled": _BOOL}
_AXIS = {"title": _TEXT, "labelAngle": _Num(-360, 360), "grid": _BOOL,
         "tickCount": _Num(0, 50),
         "orient": _Enum(("top", "bottom", "left", "right")), "labelLimit": _Num(0, MAX_SIDE),
         "ticks": _BOOL, "domain": _BOOL, "labels": _BOOL, "labelFontSize": _FONT_SIZE,
         "titleFontSize": _FONT_SIZE, "labelPadding": _OFFSET, "titlePadding": _OFFSET}
_LEGEND = {"title": _TEXT, "orient": _Enum(("top", "bottom", "left", "right", "none")),
           "direction": _Enum(("horizontal", "vertical"))}
_SCALE = {"zero": _BOOL, "nice": _BOOL, "domain": _List(_Num(-MAX_NUMBER, MAX_NUMBER), 2),
          "range": _List(_COLOR),
          "type": _Enum(("linear", "log", "sqrt", "band", "point")),
          "scheme": _Enum(("tableau10", "category10", "blues", "greens", "greys",
                           "oranges", "purples", "reds", "dark2", "set2"))}
_CHANNEL = {"field": _FIELD, "title": _TEXT, "axis": (_AXIS, None), "legend": (_LEGEND, None),
            "scale": _SCALE, "value": _Num(-MAX_SIDE, MAX_SIDE),
            "type": _Enum(("quantitative", "nominal", "ordinal", "temporal")),
            "aggregate": _Enum(("sum", "mean", "median", "min", "max", "count")),
            "sort": _Enum(("ascending", "descending", None)),
            "stack": _Enum(("zero", "normalize", "center", None, True, False)),
            "timeUnit": _Enum(("year",)), "bandPosition": _OPACITY}
_SHAPES = ("circle", "square", "cross", "diamond", "triangle", "triangle-up",
           "triangle-down", "triangle-right", "triangle-left", "stroke", "arrow", "wedge")
#: what a channel's constant `value:` may be: words are a key under text: (translated, like
#: every word of a chart), a colour only on colour channels, numbers bounded
_VALUES: dict[str, Any] = {"color": _COLOR, "opacity": _OPACITY, "size": _Num(0, 10_000),
                           "shape": _Enum(_SHAPES), "strokeDash": _List(_Num(0, 100), 8),
                           "text": _TEXT, "tooltip": _TEXT}
_CHANNELS = ("x", "y", "x2", "y2", "color", "opacity", "size", "shape", "strokeDash",
             "text", "tooltip", "xOffset", "yOffset", "order", "detail")
#: each channel's rule: _CHANNEL, with its own kind of value
_CHANNEL_OF = {name: {**_CHANNEL, "value": _VALUES[name]} if name in _VALUES else _CHANNEL
               for name in _CHANNELS}
_ENCODING = {name: (_CHANNEL_OF[name], _List(_CHANNEL_OF[name], 10)) if name == "tooltip"
             else _CHANNEL_OF[name] for name in _CHANNELS}
_LAYER = {"mark": (_Enum(_MARKS), _MARK), "encoding": _ENCODING}
SPEC: dict[str, Any] = {"mark": (_Enum(_MARKS), _MARK), "encoding": _ENCODING,
                        "layer": _List(_LAYER, 10), "title": _TEXT,
                        "width": _Num(20, MAX_SIDE), "height": _Num(20, MAX_SIDE),
                        "$schema": _Kind("schema")}
_COLOR_RE = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?|[a-z]{3,20}")
_SCHEMA_RE = re.compile(r"https://vega\.github\.io/schema/vega-lite/v5(?:\.[0-9.]+)?\.json")
_SYNTAX = re.compile(r"\[\[|\]\]|\{[^}]*audience|:::|\[\^|\[@")
_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
#: a column's name: a key without '.', which Vega-Lite reads as a path into nested data
_COLUMN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_PRINTABLE = "a chart's data and words are printable text: a control or bidi character " \
    "cannot be drawn, or reorders the words drawn"
#: what a category that is not a key under text: may hold: a number's digits and signs
_NUMBERISH = re.compile(r"[0-9.,%+\-−/:() ]*")
#: characters a chart may not hold: controls (but tab and line feed) and what XML 1.0 does
#: not allow (vl-convert aborts the whole process on them), and bidi controls (they reorder
#: the words drawn)
_BIDI = re.compile(f"[{svg.BIDI_CONTROLS}]")
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
                        f"{svg.BIDI_CONTROLS}]")


class Refused(Exception):
    """A chart that is not drawn: its problems, at the chart file's (or data file's) lines;
    one without a path (the chart file cannot be read) belongs where the chart is named."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Edition:
    """What a chart needs to know of the edition it is drawn for."""

    lang: str  # as in content files: en, ko, zh-Hans
    source_lang: str  # the brief's own language: its text: is the chart file's
    locale: str  # Babel's (ko_KR), for the data table's numbers
    font: str  # the CSS font family list of the chart's text
    #: unit id (chart.NAME.KEY) -> its text in lang, from the brief's translation
    texts: Mapping[str, str] = field(default_factory=dict)
    data_label: str = "Data"  # the summary of the data table (the catalog's chart_data)
    #: unit id -> (file, line) of its translation, for the leak guard's tracing
    where: Mapping[str, tuple[str, int]] = field(default_factory=dict)


@dataclass
class Chart:
    """A chart file read and checked: its rows, words, formats and spec."""

    name: str
    doc: Document
    columns: list[str]
    rows: list[dict[str, Any]]
    text: dict[str, str]
    formats: dict[str, str]
    spec: dict[str, Any]


def is_chart(rel: str) -> bool:
    return rel.lower().endswith(SUFFIX)


def unit_id(name: str, key: str) -> str:
    """The translation unit of a chart's text entry."""
    return f"chart.{name}.{key}"


def chart_name(path: str) -> str:
    return Path(path).name[:-len(SUFFIX)]


# -- reading ---------------------------------------------------------------------------------

def read(ref: str, brief_dir: Path, content_root: Path, documents: Any = None) -> Chart:
    """The chart file `ref` (relative to the brief's folder), read and checked; Refused
    with every problem found."""
    root = content_root.resolve()
    shown_dir = shown_path(brief_dir, content_root)
    path = brief_dir / ref
    shown = f"{shown_dir}/{ref}"
    at = Path(os.path.normpath(brief_dir.resolve() / ref))
    if ".." in Path(ref).parts or Path(ref).is_absolute() or \
            not at.is_relative_to(brief_dir.resolve()):
        raise Refused([Problem("", 0, 0, f"chart '{ref}' is outside the brief's folder",
                               hint=f"keep charts in the brief's {FOLDER}/ folder",
                               code="BG261")])
    if at.parent != brief_dir.resolve() / FOLDER:
        raise Refused([Problem("", 0, 0, f"chart '{ref}' is not in the brief's {FOLDER}/ "
                               "folder", hint=f"write it as {FOLDER}/NAME{SUFFIX}: its name "
                               "names its translation units", code="BG260")])
    if not NAME.fullmatch(chart_name(ref)):
        raise Refused([Problem("", 0, 0, f"chart '{ref}': a chart's name is lowercase "
                               "letters and digits joined by hyphens", hint="it names the "
                               "chart's translation units, chart.NAME.KEY", code="BG260")])
    if path.is_symlink() or not path.resolve().is_relative_to(brief_dir.resolve()):
        raise Refused([Problem("", 0, 0, f"chart '{ref}' is a symbolic link",
                               hint="copy the chart file into the brief's folder",
                               code="BG261")])
    if not path.is_file():
        raise Refused([Problem("", 0, 0, f"chart '{ref}' not found",
                               hint=f"looked for {shown}; paths are relative to the brief's "
                               "folder", code="BG260")])
    try:
        doc = read_yaml(path, shown, roots=(root,), documents=documents)
    except BriefError as exc:
        raise Refused(list(exc.problems)) from None
    return check(doc, chart_name(ref), path.parent, brief_dir)


def check(doc: Document, name: str, folder: Path, brief_dir: Path) -> Chart:
    """A parsed chart file checked against what a chart may hold; Refused otherwise."""
    problems: list[Problem] = []

    def bad(loc: Loc, message: str, hint: str = "", code: str = "") -> None:
        code = code or _UNKNOWN
        line, col = doc.where(loc)
        problems.append(Problem(doc.path, line, col, message, ".".join(map(str, loc)), hint,
                                "error", code))

    data = doc.data
    if not isinstance(data, dict):
        bad((), "a chart file is a mapping: data or values, text, formats, spec")
        raise Refused(problems)
    for key in data:
        if key not in FILE_KEYS:
            bad((key,), f"unknown key '{key}' in a chart file",
                did_you_mean(str(key), FILE_KEYS) or f"a chart file holds {', '.join(FILE_KEYS)}")
    text = _text(data.get("text", {}), bad)
    if ("data" in data) == ("values" in data):
        bad((), "a chart gives its data either as a CSV file (data:) or inline (values:), "
            "and only one of them", code="BG263")
        raise Refused(problems)
    if "data" in data:
        columns, rows = _csv(data["data"], folder, brief_dir, doc, problems)
    else:
        columns, rows = _values(data["values"], bad)
    if problems:  # no data: what names its columns would only repeat it
        raise Refused(problems)
    formats = _formats(data.get("formats", {}), columns, bad)
    spec = data.get("spec")
    if not isinstance(spec, dict):
        bad(("spec",), "a chart needs a spec: a Vega-Lite mark and encoding")
        raise Refused(problems)
    _allowed(spec, SPEC, ("spec",), bad, columns, text)
    if problems:
        raise Refused(problems)
    parts: list[tuple[Loc, Any]] = [(("spec",), spec), *((("spec", "layer", i), part)
                                    for i, part in enumerate(spec.get("layer", [])))]
    for loc, part in parts:
        for channel, d in part.get("encoding", {}).items():
            if isinstance(d, dict) and "aggregate" in d and "field" not in d and \
                    not d.get("title"):
                bad((*loc, "encoding", channel), f"the {channel} channel counts rows but has "
                    "no title: Vega-Lite would title it in English", "give it title: KEY, a "
                    "key under text:", code="BG264")
    for col in columns:
        if col not in text:
            bad(("text",), f"the column '{col}' has no heading under text:",
                f"add '{col}: …' under text: (it titles the axis and the data table, in "
                "every language)", code="BG264")
    kinds = _field_types(spec)
    for col in columns:  # a column the spec does not draw is in the data table all the same
        kind = kinds.get(col, "nominal")
        if kind == "quantitative":
            for i, row in enumerate(rows):
                if not isinstance(row[col], (int, float)) or isinstance(row[col], bool):
                    _row_problem(doc, data, row, i, col, f"'{row[col]}' in the column '{col}' is "
                                 "not a number, and the spec draws it as a quantity", problems)
        else:
            for i, row in enumerate(rows):
                value = row[col]
                if isinstance(value, str) and not _NUMBERISH.fullmatch(value) and \
                        value not in text:
                    _row_problem(doc, data, row, i, col, f"the category '{value}' of the column "
                                 f"'{col}' is not under text:, so it could not be translated",
                                 problems, code="BG264",
                                 hint=f"write a key in the data and its words under text: "
                                 f"(e.g. {_slug(value)}: {value})")
    if problems:
        raise Refused(problems)
    return Chart(name, doc, columns, rows, text, formats, spec)


def _text(value: Any, bad: Callable[..., None]) -> dict[str, str]:
    if not isinstance(value, dict):
        bad(("text",), "text: is a mapping of keys to words (the chart's title, headings, "
            "categories)")
        return {}
    out: dict[str, str] = {}
    for key, words in value.items():
        if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
            bad(("text", key), f"text key '{key}' is not a key: letters, digits, '-', '_', "
                "'.' (it names a translation unit)")
        elif not isinstance(words, str) or not words.strip():
            bad(("text", key), f"text '{key}' is not words")
        elif _unwritable(words):
            bad(("text", key), f"text '{key}' holds {_unwritable(words)}", "delete it: "
                + _PRINTABLE, code="BG268")
        elif _SYNTAX.search(words):
            bad(("text", key), f"text '{key}' holds '{_SYNTAX.search(words).group(0)}': "  # type: ignore[union-attr]
                "a chart's words are plain text (no terms, references or audience markers)",
                "write the words themselves; restrict the whole figure with '::: audience'")
        elif len(words) > MAX_TEXT:
            bad(("text", key), f"text '{key}' is longer than {MAX_TEXT} characters",
                code="BG265")
        else:
            out[key] = words
    return out


def _formats(value: Any, columns: list[str], bad: Callable[..., None]) -> dict[str, str]:
    if not isinstance(value, dict):
        bad(("formats",), "formats: is a mapping of columns to number formats")
        return {}
    out: dict[str, str] = {}
    for col, fmt in value.items():
        if col not in columns:
            bad(("formats", col), f"formats: names '{col}', which is not a column of the data",
                did_you_mean(str(col), columns), code="BG264")
        elif fmt not in FORMATS:
            bad(("formats", col), f"unknown number format '{fmt}'",
                did_you_mean(str(fmt), FORMATS) or f"one of {', '.join(FORMATS)}")
        else:
            out[col] = fmt
    return out


def _values(value: Any, bad: Callable[..., None]) -> tuple[list[str], list[dict[str, Any]]]:
    if not isinstance(value, list) or not value:
        bad(("values",), "values: is a list of rows, each a mapping of column to value",
            code="BG263")
        return [], []
    if len(value) > MAX_ROWS:
        bad(("values",), f"the data has {len(value)} rows; a chart is limited to {MAX_ROWS}",
            code="BG265")
        return [], []
    columns: list[str] = []
    rows = []
    for i, row in enumerate(value):
        if not isinstance(row, dict) or any(
                not isinstance(v, (str, int, float)) or isinstance(v, bool)
                for v in row.values()):
            bad(("values", i), "a row is a mapping of column to a number or words",
                code="BG263")
            continue
        if not columns:
            columns = [str(k) for k in row]
            if not all(_COLUMN_RE.fullmatch(c) for c in columns):
                bad(("values", i), f"the columns are named {', '.join(columns)}: each must "
                    "be a key (letters, digits, '-', '_')", code="BG263")
                return [], []
        wrong = [(k, why) for k, v in row.items() if (why := _bad_cell(str(k), v, v))]
        for k, (message, hint, code) in wrong:
            bad(("values", i, k), message, hint, code=code)
        if wrong:
            continue
        if sorted(map(str, row)) != sorted(columns):
            bad(("values", i), f"this row has the columns {', '.join(map(str, row))}; the first "
                f"row has {', '.join(columns)}", code="BG263")
            continue
        rows.append({str(k): v for k, v in row.items()})
    return columns, rows


def _csv(ref: Any, folder: Path, brief_dir: Path, doc: Document, problems: list[Problem]
         ) -> tuple[list[str], list[dict[str, Any]]]:
    line, col = doc.where(("data",))

    def fail(message: str, hint: str = "", code: str = "BG263") -> tuple[list[str], list[Any]]:
        problems.append(Problem(doc.path, line, col, message, "data", hint, "error", code))
        return [], []

    if not isinstance(ref, str) or not ref.lower().endswith(".csv"):
        return fail("data: names a .csv file beside the chart file")
    path = folder / ref
    at = Path(os.path.normpath(folder.resolve() / ref))
    if Path(ref).is_absolute() or not at.is_relative_to(brief_dir.resolve()):
        return fail(f"data file '{ref}' is outside the brief's folder", code="BG261")
    if path.is_symlink() or not path.resolve().is_relative_to(brief_dir.resolve()):
        return fail(f"data file '{ref}' is a symbolic link", "copy the file into the brief's "
                    "folder", code="BG261")
    if not path.is_file():
        return fail(f"data file '{ref}' not found", "paths are relative to the chart file",
                    code="BG260")
    if path.stat().st_size > MAX_DATA_BYTES:
        return fail(f"data file '{ref}' is larger than {MAX_DATA_BYTES // 1024} KB",
                    code="BG265")
    raw = path.read_bytes()[:MAX_DATA_BYTES + 1]
    shown = f"{doc.path.rsplit('/', 1)[0]}/{ref}"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return fail(f"data file '{ref}' is not UTF-8 text")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        lines = [row for row in reader if row]  # blank lines left out
    except csv.Error as exc:
        shown = f"{doc.path.rsplit('/', 1)[0]}/{ref}"
        problems.append(Problem(shown, reader.line_num, 1, f"this line is not CSV: {exc}",
                                hint="put a cell that holds a comma or a quote in double "
                                "quotes, and double the quotes inside it", code="BG263"))
        return [], []
    if len(lines) < 2:
        return fail(f"data file '{ref}' has no rows under its header line")
    if len(lines) - 1 > MAX_ROWS:
        return fail(f"data file '{ref}' has {len(lines) - 1} rows; a chart is limited to "
                    f"{MAX_ROWS}", code="BG265")
    header = [h.strip() for h in lines[0]]
    numbers = _line_numbers(text)
    for h in header:
        if not h or len(set(header)) != len(header) or not _COLUMN_RE.fullmatch(h):
            problems.append(Problem(shown, 1, 1, f"the header line names the columns "
                                    f"{', '.join(header)}: each must be a key (letters, digits, "
                                    "'-', '_') and appear once", code="BG263"))
            return [], []
    rows = []
    for n, row in enumerate(lines[1:], 1):
        if len(row) != len(header):
            problems.append(Problem(shown, numbers[n], 1, f"this row has {len(row)} cells; the "
                                    f"header line has {len(header)}", code="BG263"))
            continue
        cells = {h: _cell(v) if len(v) <= MAX_CELL else v
                 for h, v in zip(header, row, strict=True)}
        wrong = [why for h, v in zip(header, row, strict=True)
                 if (why := _bad_cell(h, v.strip(), cells[h]))]
        for message, hint, code in wrong:
            problems.append(Problem(shown, numbers[n], 1, message, "", hint, "error", code))
        if not wrong:
            rows.append(cells | {LINE: numbers[n]})
    return header, rows


def _bad_cell(col: str, written: Any, value: Any) -> tuple[str, str, str] | None:
    """Why a data cell (as written, and as read) cannot be drawn: (message, hint, code)."""
    if isinstance(written, str) and _unwritable(written):
        return (f"the cell '{written[:40]}' of the column '{col}' holds "
                f"{_unwritable(written)}", "delete it: " + _PRINTABLE, "BG268")
    if isinstance(written, str) and len(written) > MAX_CELL:
        return (f"a cell of the column '{col}' is {len(written)} characters long; a cell is "
                f"at most {MAX_CELL}", "a cell is a number or a key under text:, whose words "
                "may be longer", "BG265")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not (
            -MAX_NUMBER <= value <= MAX_NUMBER):  # false for nan too
        return (f"'{_shown_number(value) if not isinstance(written, str) else written}' in "
                f"the column '{col}' is not a number a chart can draw: its numbers are "
                "finite and at most 10^15 in size", "", "BG263")
    return None


def _line_numbers(text: str) -> list[int]:
    """The file line each non-blank CSV record starts on (a quoted cell may hold newlines)."""
    out = []
    line = 1
    reader = csv.reader(io.StringIO(text, newline=""))
    for record in reader:
        if record:
            out.append(line)
        line = reader.line_num + 1
    return out


def _cell(value: str) -> str | int | float:
    v = value.strip()
    if re.fullmatch(r"-?[0-9]+", v):
        return int(v)
    if re.fullmatch(r"-?[0-9]*\.[0-9]+(?:[eE][-+]?[0-9]+)?|-?[0-9]+[eE][-+]?[0-9]+", v):
        return float(v)
    return v


def _row_problem(doc: Document, data: dict[str, Any], row: dict[str, Any], i: int, col: str,
                 message: str, problems: list[Problem], code: str = "BG263", hint: str = ""
                 ) -> None:
    """A problem with a data row: at its CSV line, or its line under values:."""
    if "data" in data:
        shown = f"{doc.path.rsplit('/', 1)[0]}/{data['data']}"
        problems.append(Problem(shown, int(row.get(LINE, 0)), 1, message, "", hint, "error",
                                code))
    else:
        line, c = doc.where(("values", i, col))
        problems.append(Problem(doc.path, line, c, message, f"values.{i}.{col}", hint, "error",
                                code))


#: the key under which a CSV row keeps its line number (not a column: keys hold no '#')
LINE = "#line"


def _slug(words: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", words.lower()))[:30] or "key"


def _allowed(value: Any, rule: Any, loc: Loc, bad: Callable[..., None], columns: list[str],
             text: Mapping[str, str]) -> None:
    """Whether value is what rule allows; each thing it is not is a problem at its line."""
    if isinstance(rule, tuple):  # one of several
        errors: list[tuple[Loc, str, str, str]] = []
        for option in rule:
            found: list[tuple[Loc, str, str, str]] = []
            _allowed(value, option, loc, functools.partial(_collect, found), columns, text)
            if not found:
                return
            errors = errors or found
            if isinstance(option, dict) and isinstance(value, dict):
                errors = found  # a mapping was meant: its own problems say most
        for e in errors:
            bad(e[0], e[1], e[2], code=e[3])
        return
    where = ".".join(map(str, loc[1:])) or "spec"
    if rule is None:
        if value is not None:
            bad(loc, f"{where} may only be null here")
    elif isinstance(rule, dict):
        if not isinstance(value, dict):
            bad(loc, f"{where} is a mapping")
            return
        for key, v in value.items():
            if key not in rule:
                bad((*loc, key), f"'{key}' is not allowed in a chart spec ({where})",
                    did_you_mean(str(key), rule) or "briefgen adds the data, text and "
                    "fonts itself; a spec holds marks, encodings, axes, legends and scales, "
                    "see docs/editing.md#charts", code="BG262")
            else:
                _allowed(v, rule[key], (*loc, key), bad, columns, text)
    elif isinstance(rule, _List):
        if not isinstance(value, list):
            bad(loc, f"{where} is a list")
        elif len(value) > rule.most:
            bad(loc, f"{where} has more than {rule.most} entries", code="BG265")
        else:
            for i, v in enumerate(value):
                _allowed(v, rule.item, (*loc, i), bad, columns, text)
    elif isinstance(rule, _Enum):
        if value not in rule.values or isinstance(value, bool) != any(
                isinstance(o, bool) and o == value for o in rule.values):
            shown = [json.dumps(o) if not isinstance(o, str) else o for o in rule.values]
            bad(loc, f"{where} is '{value}', which a chart spec does not allow here",
                did_you_mean(str(value), [str(o) for o in rule.values])
                or f"one of {', '.join(shown)}")
    elif isinstance(rule, _Num):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or \
                isinstance(value, float) and not math.isfinite(value):
            bad(loc, f"{where} is a number")
        elif loc[-1] in ("width", "height") and not rule.lo <= value <= rule.hi:
            bad(loc, f"{where} is {_shown_number(value)}; a chart is 20 to {MAX_SIDE} pixels",
                code="BG265")
        elif not rule.lo <= value <= rule.hi:  # exact, however many digits an int has
            bad(loc, f"{where} is {_shown_number(value)}; it is "
                f"{_shown_number(rule.lo)} to {_shown_number(rule.hi)} here", code="BG265")
    elif rule.name == "boolean":
        if not isinstance(value, bool):
            bad(loc, f"{where} is true or false")
    elif rule.name == "color":
        if not isinstance(value, str) or not _COLOR_RE.fullmatch(value):
            bad(loc, f"{where} is a colour: #rgb, #rrggbb or a CSS colour name")
    elif rule.name == "schema":
        if not isinstance(value, str) or not _SCHEMA_RE.fullmatch(value):
            bad(loc, "$schema names Vega-Lite 5's schema, or is left out")
    elif rule.name == "field":
        if not isinstance(value, str) or value not in columns:
            bad(loc, f"the field '{value}' is not a column of the data",
                did_you_mean(str(value), columns) or f"the columns: {', '.join(columns)}",
                code="BG264")
    elif rule.name == "text-key":
        if value is not None and (not isinstance(value, str) or value not in text):
            bad(loc, f"{where} is '{value}', which is not a key under text: (a chart's words "
                "are written under text:, to be translated)",
                did_you_mean(str(value), text) or "add it under text:", code="BG264")


def _shown_number(value: float) -> str:
    """A number as an error shows it: a long one cut short."""
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return shown if len(shown) <= 20 else f"{shown[:12]}… ({len(shown)} digits)"


def _unwritable(text: str) -> str:
    """What text holds that a chart may not (see _FORBIDDEN), named; '' if nothing."""
    found = _FORBIDDEN.search(text)
    if not found:
        return ""
    char = found.group()
    kind = "a bidi control" if _BIDI.fullmatch(char) else \
        "a control character" if unicodedata.category(char) == "Cc" else \
        "a character XML does not allow"
    return f"{kind} (U+{ord(char):04X})"


def _collect(found: list[tuple[Loc, str, str, str]], loc: Loc, message: str, hint: str = "",
             code: str = "") -> None:
    found.append((loc, message, hint, code or _UNKNOWN))


#: the code of what a chart file or spec may not hold (`bad`'s when it names none)
_UNKNOWN = "BG262"


def _channels(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every channel definition of the spec and its layers: (channel, definition)."""
    out = []
    for part in [spec, *spec.get("layer", [])]:
        for name, d in part.get("encoding", {}).items():
            for one in d if isinstance(d, list) else [d]:
                out.append((name, one))
    return out


def _field_types(spec: dict[str, Any]) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for _, d in _channels(spec):
        if "field" in d:
            kind = d.get("type", "quantitative" if "aggregate" in d else "nominal")
            kinds.setdefault(d["field"], kind)
    return kinds


def shown_path(path: Path, content_root: Path) -> str:
    """A path inside the content folder as the editor sees it: content/briefs/…"""
    try:
        return path.relative_to(content_root.parent).as_posix()
    except ValueError:
        return path.as_posix()


# -- drawing ---------------------------------------------------------------------------------

#: d3's number locales vl-convert knows, by the edition's language
_D3_LOCALES = {"ko": "ko-KR", "zh-Hans": "zh-CN", "en": "en-US"}
#: how a KRW amount's axis labels read, by language (a Vega expression briefgen writes; a
#: spec may hold none of its own): 1조 2,000억 / 12,000亿 / 1,200 bn
_KRW_AXIS = {
    "ko": "datum.value == 0 ? '0' : datum.value >= 1e12 ? format(floor(datum.value / 1e12), "
          "',') + '조' + (round((datum.value % 1e12) / 1e8) > 0 ? ' ' + format(round("
          "(datum.value % 1e12) / 1e8), ',') + '억' : '') : format(round(datum.value / 1e8), "
          "',') + '억'",
    "zh-Hans": "datum.value == 0 ? '0' : format(round(datum.value / 1e8), ',') + '亿'",
    "en": "datum.value == 0 ? '0' : format(datum.value / 1e9, ',') + ' bn'",
}


def krw(value: float, lang: str, locale: str) -> str:
    """A KRW amount as a reader of the language writes it: 1조 389억 / 10,389亿 /
    1,038.9 billion (an amount under 억 or a billion: the number itself)."""
    if value < 0:
        return "-" + krw(-value, lang, locale)
    if value < (1e9 if lang not in ("ko", "zh-Hans") else 1e8):  # too small for 억 or bn
        return format_decimal(value, locale=locale)
    if lang == "ko":
        jo, eok = divmod(round(value / 1e8), 10_000)
        parts = [f"{format_decimal(jo, locale=locale)}조"] if jo else []
        parts += [f"{format_decimal(eok, locale=locale)}억"] if eok or not jo else []
        return " ".join(parts)
    if lang == "zh-Hans":
        return f"{format_decimal(round(value / 1e8), locale=locale)}亿"
    return f"{format_decimal(round(value / 1e9, 1), locale=locale)} billion"


def _number(value: Any, fmt: str | None, edition: Edition) -> str:
    if not isinstance(value, (int, float)):
        return str(value)
    if fmt == "krw":
        return krw(value, edition.lang, edition.locale)
    if fmt == "year":
        return str(int(value)) if value == int(value) else str(value)
    return format_decimal(value, locale=edition.locale)


def words(chart: Chart, key: str, edition: Edition) -> str:
    """A text: entry in the edition's language (its translation unit's text; the chart
    file's own when the brief's language, or when a translation is missing, which `check`
    reports as BG141)."""
    if edition.lang != edition.source_lang:
        translated = edition.texts.get(unit_id(chart.name, key))
        if translated:
            return translated
    return chart.text[key]


def words_of(chart: Chart, edition: Edition) -> list[tuple[str, str, int, int]]:
    """Every word of the chart as the edition has it, with the file, line and column it is
    written at (the chart file's text:, or the translation's unit, whose column is not
    kept: 0): where the leak guard traces a phrase found in the drawing or the data table."""
    out = []
    for key in chart.text:
        uid = unit_id(chart.name, key)
        if edition.lang != edition.source_lang and edition.texts.get(uid):
            path, line = edition.where.get(uid, ("", 0))
            out.append((edition.texts[uid], path, line, 0))
        else:
            out.append((chart.text[key], chart.doc.path, *chart.doc.where(("text", key))))
    return out


def localised(chart: Chart, edition: Edition) -> dict[str, Any]:
    """The Vega-Lite spec vl-convert draws: the chart's spec with its data, its words and
    number formats in the edition's language."""
    kinds = _field_types(chart.spec)
    labels = {col: f"{col} (label)" for col, fmt in chart.formats.items()}
    rows = []
    for row in chart.rows:
        out: dict[str, Any] = {}
        for col in chart.columns:
            value = row[col]
            if kinds.get(col) in ("nominal", "ordinal") and isinstance(value, str) and \
                    value in chart.text:
                value = words(chart, value, edition)
            out[col] = value
            if col in labels:
                out[labels[col]] = _number(value, chart.formats[col], edition)
        rows.append(out)
    spec = copy.deepcopy(chart.spec)
    spec.pop("$schema", None)
    if "title" in spec:
        spec["title"] = words(chart, spec["title"], edition)
    for part in [spec, *spec.get("layer", [])]:
        for name, d in part.get("encoding", {}).items():
            for one in d if isinstance(d, list) else [d]:
                _localise_channel(name, one, chart, edition, rows, kinds, labels)
    spec["data"] = {"values": rows}
    return spec


def _localise_channel(name: str, d: dict[str, Any], chart: Chart, edition: Edition,
                      rows: list[dict[str, Any]], kinds: dict[str, str],
                      labels: dict[str, str]) -> None:
    col = d.get("field")
    if col is None:  # a count, or a value: its title, if any, is a key under text:
        if d.get("title"):
            d["title"] = words(chart, d["title"], edition)
        if name in ("text", "tooltip") and isinstance(d.get("value"), str):
            d["value"] = words(chart, d["value"], edition)  # a key under text:
        return
    d["title"] = words(chart, d.get("title") or col, edition)
    fmt = chart.formats.get(col)
    if name in ("text", "tooltip") and col in labels:
        d["field"], d["type"] = labels[col], "nominal"
        return
    if kinds.get(col) in ("nominal", "ordinal") and "sort" not in d:
        order = list(dict.fromkeys(row[col] for row in rows))  # the data's order
        d["sort"] = order
    for key in ("axis", "legend"):
        if isinstance(d.get(key), dict) and d[key].get("title"):
            d[key]["title"] = words(chart, d[key]["title"], edition)
    if fmt and name in ("x", "y") and d.get("axis", {}) is not None:
        axis = d.setdefault("axis", {})
        if fmt == "krw":
            axis["labelExpr"] = _KRW_AXIS.get(edition.lang, _KRW_AXIS["en"])
        else:
            axis["format"] = "d" if fmt == "year" else ","


def draw(chart: Chart, edition: Edition, alt: str, prefix: str) -> str:
    """The chart as inline markup: the sanitised SVG drawing, then its data as a table."""
    _check_translations(chart, edition)
    spec = localised(chart, edition)
    config = {"font": edition.font, "aria": False, "background": "white",
              "view": {"stroke": None}}
    drawing = _svg(json.dumps(spec, sort_keys=True, ensure_ascii=False),
                   json.dumps(config, sort_keys=True, ensure_ascii=False),
                   _D3_LOCALES.get(edition.lang, "en-US"))
    drawing = _ROLES.sub("", drawing)  # the drawing is one image: the page labels it (alt)
    drawing = _HIDDEN.sub("", drawing)
    root = _ROOT.search(drawing)
    sides = dict(_SIDE.findall(root.group(0))) if root else {}
    width, height = (float(sides.get("width", 0)), float(sides.get("height", 0)))
    if not (0 < width <= MAX_DRAWING and 0 < height <= MAX_DRAWING):
        raise Refused([Problem("", 0, 0, f"chart 'charts/{chart.name}{SUFFIX}' is drawn "
                               f"{_shown_number(width)} by {_shown_number(height)} pixels; a "
                               f"chart's drawing is at most {MAX_DRAWING} by {MAX_DRAWING}",
                               hint="make its spec's width, height, paddings, font sizes or "
                               "label limits smaller", code="BG265")])
    return svg.sanitised(drawing.encode(), alt, prefix) + data_table(chart, edition)


#: Vega's ARIA roles and labels of marks (even with aria: false some remain): an img's parts
#: have none of their own, and their English words would not be translated
_ROLES = re.compile(r'\s(?:role|aria-[a-z]+)="[^"]*"')


#: labels Vega hides (opacity 0) where they would overlap (an axis's labelOverlap, on by
#: default): no one sees them, every value is in the data table, and the SVG sanitiser
#: refuses text that is there but not seen, so they are taken out of the drawing
_HIDDEN = re.compile(r'<text\b[^>]*\sopacity="0"[^>]*(?:/>|(?<!/)>.*?</text>)', re.S)
#: the drawing's size, on vl-convert's root <svg>
_ROOT = re.compile(r"<svg\b[^>]*>")  # the drawing's root tag: its width and height, any order
_SIDE = re.compile(r'\s(width|height)="([0-9.]+(?:e\+?[0-9]+)?)"')


def _check_translations(chart: Chart, edition: Edition) -> None:
    """Refused if a translation of the chart's words holds what a chart may not (its text:
    entries are checked when the chart file is read)."""
    problems = []
    for key in chart.text:
        uid = unit_id(chart.name, key)
        translated = edition.texts.get(uid, "") if edition.lang != edition.source_lang else ""
        if _unwritable(translated):
            path, line = edition.where.get(uid, (chart.doc.path, 0))
            problems.append(Problem(path, line, 1, f"the translation of {uid} holds "
                                    f"{_unwritable(translated)}", uid, "delete it: "
                                    + _PRINTABLE, "error", "BG268"))
    if problems:
        raise Refused(problems)


class DrawingFailed(Exception):
    """vl-convert could not draw the spec: its own words, first line."""


@functools.lru_cache(maxsize=64)
def _svg(spec: str, config: str, locale: str) -> str:
    """vl-convert's SVG of a spec (a pure function of its arguments, so remembered: its
    first call in a process starts its JavaScript engine, which takes most of a second)."""
    import vl_convert

    try:
        where: Any = locale  # one of _D3_LOCALES' values, which vl-convert knows
        out: str = vl_convert.vegalite_to_svg(json.loads(spec), config=json.loads(config),
                                              format_locale=where, time_format_locale=where,
                                              allowed_base_urls=[])
    except Exception as exc:  # vl-convert raises ValueError, and may raise others
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        raise DrawingFailed(lines[1] if len(lines) > 1 else lines[0] if lines
                            else type(exc).__name__) from None
    return out


def data_table(chart: Chart, edition: Edition) -> str:
    """The chart's data as a table under it: what a reader who cannot see the chart reads,
    in the edition's words and number formats."""
    kinds = _field_types(chart.spec)
    head = "".join(f'<th scope="col"{_align(col, chart, kinds)}>'
                   f"{html.escape(words(chart, col, edition), quote=False)}</th>"
                   for col in chart.columns)
    body = []
    for row in chart.rows:
        cells = []
        for col in chart.columns:
            value = row[col]
            if isinstance(value, str) and value in chart.text:
                shown = words(chart, value, edition)
            else:
                shown = _number(value, chart.formats.get(col), edition)
            cells.append(f"<td{_align(col, chart, kinds)}>"
                         f"{html.escape(shown, quote=False)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<details class="chart-data"><summary>{html.escape(edition.data_label)}</summary>'
            f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            "</details>")


def _align(col: str, chart: Chart, kinds: dict[str, str]) -> str:
    numeric = all(isinstance(r[col], (int, float)) for r in chart.rows)
    return ' class="align-right"' if numeric and chart.formats.get(col) != "year" else ""


# -- the JSON Schema of a chart file ------------------------------------------------------------

def json_schema() -> dict[str, Any]:
    """The JSON Schema of a chart file (`briefgen schema` writes it to
    schema/chart.schema.json, for editors), made from the allowlist itself, so that what an
    editor's completion offers is exactly what `check` accepts."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "briefgen chart file",
        "description": "A chart drawn from data; see docs/editing.md#charts.",
        "type": "object",
        "properties": {
            "data": {"type": "string", "pattern": r"\.[cC][sS][vV]$",
                     "description": "A CSV file beside the chart file."},
            "values": {"type": "array", "minItems": 1, "maxItems": MAX_ROWS,
                       "items": {"type": "object",
                                 "propertyNames": {"pattern": f"^{_COLUMN_RE.pattern}$"},
                                 "additionalProperties": {"anyOf": [
                                     {"type": "string", "maxLength": MAX_CELL},
                                     {"type": "number", "minimum": -MAX_NUMBER,
                                      "maximum": MAX_NUMBER}]}},
                       "description": "The data, inline: rows of column to value."},
            "text": {"type": "object", "propertyNames": {"pattern": f"^{_KEY_RE.pattern}$"},
                     "additionalProperties": {"type": "string", "minLength": 1,
                                              "maxLength": MAX_TEXT},
                     "description": "Every word of the chart, by key; each is a translation "
                                    "unit chart.NAME.KEY."},
            "formats": {"type": "object", "additionalProperties": {"enum": list(FORMATS)},
                        "description": "How a column's numbers read."},
            "spec": {**_schema_of(SPEC, "", top=True),
                     "description": "The chart, in Vega-Lite 5 (the parts briefgen "
                                    "allows), without data or words."},
        },
        "required": ["spec"],
        "oneOf": [{"required": ["data"]}, {"required": ["values"]}],
        "additionalProperties": False,
        "$defs": {name: _schema_of(rule, "", top=True) for name, rule in _NAMED.items()},
    }


#: the parts of a spec the schema names once and refers to ($defs)
_NAMED: dict[str, dict[str, Any]] = {"mark": _MARK, "axis": _AXIS, "legend": _LEGEND,
                                     "scale": _SCALE, "channel": _CHANNEL,
                                     "encoding": _ENCODING, "layer": _LAYER,
                                     **{f"{name}-channel": _CHANNEL_OF[name]
                                        for name in _VALUES}}


#: what each key of a spec means, by the part of the spec it is in (Vega-Lite's meaning,
#: narrowed to what briefgen allows): an editor's completion shows it
_MEANINGS: dict[str, dict[str, str]] = {
    "spec": {
        "mark": "The mark that draws each row: its type (bar, line, …), or its type and "
                "settings.",
        "encoding": "Which column each visual channel (x, y, color, …) shows.",
        "layer": "Charts drawn on top of each other, each with a mark and an encoding.",
        "title": "The chart's title: a key under text:.",
        "width": "The width of the plot, in pixels.",
        "height": "The height of the plot, in pixels.",
        "$schema": "Vega-Lite 5's schema address; may be left out.",
    },
    "layer": {
        "mark": "This layer's mark: its type, or its type and settings.",
        "encoding": "Which column each visual channel of this layer shows.",
    },
    "mark": {
        "type": "The kind of mark: bar, line, point, area, rule, text, tick, circle or square.",
        "color": "The mark's colour: #rrggbb, #rgb or a CSS colour name.",
        "opacity": "From 0 (transparent) to 1 (opaque).",
        "point": "A line's points are drawn too.",
        "strokeWidth": "The width of lines, in pixels.",
        "size": "The area of a point or the width of a bar, in square pixels / pixels.",
        "dx": "Moves a text mark right (negative: left), in pixels.",
        "dy": "Moves a text mark down (negative: up), in pixels.",
        "interpolate": "How a line runs between points: linear, monotone (smooth) or step.",
        "align": "A text mark's horizontal alignment.",
        "baseline": "A text mark's vertical alignment.",
        "fontSize": "A text mark's font size, in pixels.",
        "fontWeight": "A text mark's weight: normal or bold.",
        "cornerRadiusEnd": "The radius of a bar's rounded end, in pixels.",
        "orient": "Whether bars, areas and ticks stand vertical or lie horizontal.",
        "filled": "The mark is filled, not only outlined.",
    },
    "axis": {
        "title": "The axis title: a key under text: (null: no title).",
        "labelAngle": "The angle of the labels, in degrees (0: level).",
        "grid": "Grid lines across the plot at the ticks.",
        "tickCount": "About how many ticks the axis has.",
        "orient": "Which side of the plot the axis is on.",
        "labelLimit": "The longest a label may be, in pixels, before it is cut short.",
        "ticks": "The axis draws tick marks.",
        "domain": "The axis draws its line.",
        "labels": "The axis draws its labels.",
        "labelFontSize": "The labels' font size, in pixels.",
        "titleFontSize": "The title's font size, in pixels.",
        "labelPadding": "The space between ticks and labels, in pixels.",
        "titlePadding": "The space between labels and title, in pixels.",
    },
    "legend": {
        "title": "The legend title: a key under text: (null: no title).",
        "orient": "Where the legend is, beside or over the plot (none: where it fits).",
        "direction": "Whether the legend's entries run across or down.",
    },
    "scale": {
        "zero": "The scale includes zero.",
        "nice": "The scale's ends are rounded to nice numbers.",
        "domain": "The scale's lowest and highest value, instead of the data's.",
        "range": "The colours a colour scale draws with, in order.",
        "type": "The kind of scale: linear, log, sqrt, band or point.",
        "scheme": "A named colour scheme for a colour scale.",
    },
    "channel": {
        "field": "The column of the data this channel shows.",
        "title": "The channel's title, in its axis or legend: a key under text:.",
        "axis": "The axis of this channel (null: no axis).",
        "legend": "The legend of this channel (null: no legend).",
        "scale": "How values map to positions, sizes or colours.",
        "value": "A constant instead of a column: a number, or what the channel takes.",
        "type": "The column's kind of data: quantitative (numbers), nominal (categories), "
                "ordinal (ordered categories) or temporal (dates).",
        "aggregate": "Rows with the same other values are combined: sum, mean, median, "
                     "min, max or count.",
        "sort": "The order of the channel's values (null: as in the data).",
        "stack": "How marks of one position stack: zero, normalize, center, or not (null, "
                 "false).",
        "timeUnit": "The part of a date shown: year.",
        "bandPosition": "Where in its band a mark is placed, from 0 to 1.",
    },
    "encoding": {
        "x": "The horizontal position.",
        "y": "The vertical position.",
        "x2": "The second horizontal position (the end of a range).",
        "y2": "The second vertical position (the end of a range).",
        "color": "The colour of the marks.",
        "opacity": "The opacity of the marks.",
        "size": "The size of the marks.",
        "shape": "The shape of point marks.",
        "strokeDash": "The dash pattern of lines.",
        "text": "The words of text marks.",
        "tooltip": "The tooltip of the marks, in a browser.",
        "xOffset": "A shift in x within a band (grouped bars).",
        "yOffset": "A shift in y within a band.",
        "order": "The order of stacked marks or of a line's points.",
        "detail": "Groups the rows without a visual channel (one line per group).",
    },
}


def _context(rule: dict[str, Any]) -> str:
    """Which part of a spec a dict rule is, for _MEANINGS."""
    if rule is SPEC:
        return "spec"
    if any(rule is r for r in _CHANNEL_OF.values()):
        return "channel"
    return next(name for name, r in _NAMED.items() if r is rule)


def _schema_of(rule: Any, key: str, top: bool = False) -> dict[str, Any]:
    named = next((name for name, r in _NAMED.items() if r is rule), None)
    if named and not top:
        return {"$ref": f"#/$defs/{named}"}
    if isinstance(rule, tuple):
        return {"anyOf": [_schema_of(option, key) for option in rule]}
    if rule is None:
        return {"type": "null"}
    if isinstance(rule, dict):
        meanings = _MEANINGS[_context(rule)]
        return {"type": "object", "additionalProperties": False,
                "properties": {k: {**_schema_of(v, k), "description": meanings[k]}
                               for k, v in rule.items()}}
    if isinstance(rule, _List):
        return {"type": "array", "maxItems": rule.most, "items": _schema_of(rule.item, key)}
    if isinstance(rule, _Enum):
        return {"enum": list(rule.values)}
    if isinstance(rule, _Num):
        return {"type": "number", "minimum": rule.lo, "maximum": rule.hi}
    kinds: dict[str, dict[str, Any]] = {
        "boolean": {"type": "boolean"},
        "color": {"type": "string", "pattern": f"^(?:{_COLOR_RE.pattern})$"},
        "field": {"type": "string", "description": "A column of the data."},
        "text-key": {"type": ["string", "null"], "description": "A key under text:."},
        "schema": {"type": "string", "pattern": f"^{_SCHEMA_RE.pattern}$"},
    }
    return kinds[rule.name]
