"""Editor tooling holds in a new project: `briefgen new` leaves the schema files its
`$schema` lines name; the schemas refuse what `check` refuses (term keys, impossible dates)
and describe every field; yaml-language-server, driven over LSP as an editor drives it,
finds nothing wrong in a new project and each planted mistake on its line.

The LSP tests need node and npm (yaml-language-server is installed by tests/lsp.py into a
cache folder on first use). Without them they are skipped, saying why; with
BRIEFGEN_REQUIRE_HTML_CHECKS=1 set (as CI does) they fail instead."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import lsp
import pytest
from pydantic import TypeAdapter, ValidationError
from ruamel.yaml import YAML

from briefgen.commands.schemas import KINDS, schema_bytes
from briefgen.content.models import DATE_PATTERN, Audience, Terms, bundled_languages

from conftest import REPO, run

MODELINE = re.compile(r"# yaml-language-server: \$schema=(\S+)\n")


def _schema(kind: str) -> dict[str, Any]:
    return json.loads(schema_bytes(kind, bundled_languages()))


def _undescribed(node: Any, where: str = "") -> Iterator[str]:
    """Every property of a schema (nested, in $defs, items, anyOf…) without a description."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for name, prop in value.items():
                    if not (isinstance(prop, dict) and prop.get("description")):
                        yield f"{where}.{name}"
                    yield from _undescribed(prop, f"{where}.{name}")
            else:
                yield from _undescribed(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _undescribed(value, f"{where}[{i}]")


def _yaml() -> YAML:
    """YAML as editors read it (1.2: a date is text, as the schema says)."""
    yaml = YAML(typ="safe")
    yaml.constructor.yaml_constructors["tag:yaml.org,2002:timestamp"] = \
        yaml.constructor.yaml_constructors["tag:yaml.org,2002:str"]
    return yaml


def _new_project(root: Path) -> Path:
    root.mkdir(exist_ok=True)
    brief = run("new", "brief", "energy-outlook", project=root)
    assert brief.exit_code == 0, brief.stderr
    audience = run("new", "audience", "press", project=root)
    assert audience.exit_code == 0, audience.stderr
    for result in (brief, audience):
        assert f"wrote the editor's schemas its $schema line names into {root}/schema/ " \
            "(generated files: `new` and `briefgen schema` refresh them)" in result.stderr
    return root


# -- the schemas --------------------------------------------------------------------------

def test_every_field_of_every_schema_has_a_description() -> None:
    assert list(_undescribed({"properties": {"a": {"type": "string"}, "b": {
        "description": "B.", "properties": {"c": {}}}}})) == [".a", ".b.c"]  # the walker
    missing = {kind: list(_undescribed(_schema(kind))) for kind in KINDS}
    assert missing == {kind: [] for kind in KINDS}
    # and there are properties to describe: each kind's own, plus $defs
    assert all('"description"' in schema_bytes(k, bundled_languages()).decode() for k in KINDS)


@pytest.mark.parametrize("key", [
    "plan", "joint-plan", "joint_plan", "a1-b_2", "x", "1", "Plan", "joint plan",
    "joint--plan", "joint__plan", "joint-_plan", "_plan", "plan_", "-plan", "plan-", "jöint",
    "ｐlan", "", "plan.b", "1-2"])
def test_the_terms_schemas_accept_exactly_the_keys_check_accepts(key: str) -> None:
    try:
        TypeAdapter(Terms).validate_python({key: {"en": "x"}})
        by_check = True
    except ValidationError:
        by_check = False
    assert by_check == (key in {"plan", "joint-plan", "joint_plan", "a1-b_2", "x", "1",
                                "1-2"})
    terms = jsonschema.Draft202012Validator(_schema("terms"))
    assert terms.is_valid({key: {"en": "x"}}) == by_check
    audience = jsonschema.Draft202012Validator(_schema("audience"))
    data = {"name": "Press", "languages": ["en"], "marking": {"en": "Public"},
            "terms": {key: {"en": "x"}}}
    Audience.model_validate({**data, "terms": {}})
    assert audience.is_valid(data) == by_check


def test_the_date_pattern_accepts_exactly_the_dates_that_exist() -> None:
    pattern = re.compile(DATE_PATTERN)
    years = [0, 1, 4, 99, 100, 400, 1600, 1700, 1900, 1996, 2000, 2023, 2024, 2025, 2100,
             2400, 9996, 9999]
    for year in years:
        for month in range(15):
            for day in range(34):
                text = f"{year:04d}-{month:02d}-{day:02d}"
                try:
                    dt.date.fromisoformat(text)
                    exists = True
                except ValueError:
                    exists = False
                assert bool(pattern.fullmatch(text)) == exists, text
    for year in range(10_000):  # every leap day, and every 29 February that is not one
        text = f"{year:04d}-02-29"
        assert bool(pattern.fullmatch(text)) == (year > 0 and calendar.isleap(year)), text
    brief = jsonschema.Draft202012Validator(_schema("brief"))
    errors = [e.message for e in brief.iter_errors({"date": "2026-02-30"})
              if list(e.path) == ["date"]]
    assert errors and "does not match" in errors[0]


# -- briefgen new -------------------------------------------------------------------------

def test_new_in_an_empty_folder_leaves_the_schema_of_every_file_it_writes(tmp_path: Path
                                                                          ) -> None:
    root = _new_project(tmp_path / "p")
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert files == [
        ".gitignore",  # the ledgers of numbered copies name recipients: never committed
        "content/audiences/press.yaml",
        "content/briefs/energy-outlook/brief.yaml",
        "content/briefs/energy-outlook/charts/trend.chart.yaml",
        "content/briefs/energy-outlook/references.json",
        "content/terms.yaml",
        *(f"schema/{kind}.schema.json" for kind in sorted(KINDS))]
    for kind in KINDS:
        assert (root / f"schema/{kind}.schema.json").read_bytes() == \
            schema_bytes(kind, bundled_languages())
    kinds = {"press.yaml": "audience", "brief.yaml": "brief", "trend.chart.yaml": "chart",
             "terms.yaml": "terms"}
    for path in root.glob("content/**/*.yaml"):
        text = path.read_text(encoding="utf-8")
        line = MODELINE.match(text)
        assert line, path
        named = (path.parent / line.group(1)).resolve()
        assert named == (root / f"schema/{kinds[path.name]}.schema.json").resolve(), path
        jsonschema.validate(_yaml().load(text), json.loads(named.read_text()))
    # references.json is JSON (no comment line): its schema is there for editors that map
    # it, and it holds
    refs = root / "content/briefs/energy-outlook/references.json"
    jsonschema.validate(json.loads(refs.read_text()),
                        json.loads((root / "schema/references.schema.json").read_text()))
    assert run("check", project=root).exit_code == 0


def test_new_refreshes_the_schemas_and_never_overwrites_a_content_file(tmp_path: Path
                                                                       ) -> None:
    root = _new_project(tmp_path / "p")
    brief = root / "content/briefs/energy-outlook/brief.yaml"
    terms = root / "content/terms.yaml"
    stale = root / "schema/brief.schema.json"
    for path in (brief, terms, stale):
        path.write_text("# mine\n{}\n")
    assert run("new", "audience", "officials", project=root).exit_code == 0
    assert stale.read_bytes() == schema_bytes("brief", bundled_languages())
    stale.write_text("{}\n")
    made = run("new", "brief", "second", project=root)
    assert made.exit_code == 0 and "terms.yaml" not in made.stderr
    assert stale.read_bytes() == schema_bytes("brief", bundled_languages())
    assert terms.read_text() == "# mine\n{}\n"  # there already: not written
    again = run("new", "brief", "energy-outlook", project=root)
    assert again.exit_code == 1
    assert again.stderr == (f"briefgen: {brief} already exists; choose another brief id\n")
    assert brief.read_text() == "# mine\n{}\n"


def test_new_writes_no_schema_through_a_link_out_of_the_project(tmp_path: Path) -> None:
    root, outside = tmp_path / "p", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "schema").symlink_to(outside)
    result = run("new", "audience", "press", project=root)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "schema/brief.schema.json: leads outside the project folder through a symbolic link "
        "(briefgen reads only the project and its own templates, and writes only into the "
        "output folder; copy the file instead of linking to it)")
    assert not list(outside.iterdir()) and not (root / "content").exists()


# -- yaml-language-server, as an editor runs it -------------------------------------------

@pytest.fixture(scope="module")
def yaml_server() -> list[str]:
    try:
        return lsp.server_command()
    except lsp.ToolMissing as exc:
        reason = f"yaml-language-server cannot run: {exc}"
        if os.environ.get("BRIEFGEN_REQUIRE_HTML_CHECKS"):
            pytest.fail(reason)
        pytest.skip(reason)


NO_DAY = ("Not a date that exists: YYYY-MM-DD, with a month 01-12 and a day the month has "
          "(briefgen check says which part is wrong).")
#: (file, text replaced, its replacement, the diagnostic on the replacement's line)
PLANTED = [
    ("content/briefs/energy-outlook/brief.yaml", "subtitle:", "subtitel:",
     "Property subtitel is not allowed."),
    *(("content/briefs/energy-outlook/brief.yaml", "date: ", f"date: {day} #", NO_DAY)
      for day in ("2026-02-30", "2026-13-01", "2026-04-31", "2025-02-29", "26-11-2026")),
    ("content/briefs/energy-outlook/brief.yaml", "    type: prose", "    type: poem",
     "Value must be \"prose\" | \"tasks\" | \"issues\" | \"recommendations\"."),
    ("content/terms.yaml", "joint-plan:", "Joint Plan:", "Property Joint Plan is not allowed."),
    ("content/audiences/press.yaml", "terms: {}", "terms: {joint plan: {en: x}}",
     "Property joint plan is not allowed."),
    ("content/audiences/press.yaml", "page_size: a4", "page_size: legal",
     "Value is not accepted. Valid values: \"letter\", \"a4\"."),
    ("content/briefs/energy-outlook/charts/trend.chart.yaml", "{type: line,",
     "{type: pie,", "Value is not accepted. Valid values: \"bar\", \"line\", \"point\", "
     "\"area\", \"rule\", \"text\", \"tick\", \"circle\", \"square\"."),
]


def test_yaml_language_server_finds_nothing_in_a_new_project_and_each_planted_slip(
        tmp_path: Path, yaml_server: list[str]) -> None:
    root = _new_project(tmp_path / "p")
    files = sorted(root.glob("content/**/*.yaml"))
    assert len(files) == 4
    with lsp.Client(yaml_server, root) as client:
        for path in files:
            assert client.check(path) == [], path.relative_to(root)
        for rel, old, new, message in PLANTED:
            path = root / rel
            text = path.read_text(encoding="utf-8")
            assert old in text, (rel, old)
            planted = text.replace(old, new, 1)
            line = planted[:planted.index(new)].count("\n")
            found = [(d["range"]["start"]["line"], d["message"])
                     for d in client.check(path, planted)]
            assert (line, message) in found, (rel, new, found)
            assert all(at == line for at, _ in found), (rel, new, found)
            assert client.check(path, text) == [], (rel, "restored")


def test_yaml_language_server_finds_nothing_in_the_shipped_files_and_a_translation_slip(
        tmp_path: Path, yaml_server: list[str]) -> None:
    root = tmp_path / "shipped"
    for folder in ("content", "schema"):  # the committed schemas, as an editor finds them
        shutil.copytree(REPO / folder, root / folder)
    files = sorted(root.glob("content/**/*.yaml"))
    assert {p.parent.name for p in files} >= {"audiences", "translations", "charts"}
    with lsp.Client(yaml_server, root) as client:
        for path in files:
            assert client.check(path) == [], path.relative_to(root)
        path = next(p for p in files if p.parent.name == "translations")
        text = path.read_text(encoding="utf-8")
        planted = text.replace("    title:", "    titel:", 1)
        line = planted[:planted.index("    titel:")].count("\n")
        assert [(d["range"]["start"]["line"], d["message"])
                for d in client.check(path, planted)] == [
            (line, "Property titel is not allowed.")]
