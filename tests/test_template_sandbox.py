"""Templates are untrusted: the corpus of known Jinja sandbox escapes and resource attacks in
tests/data/template-attacks/ each end as a clean `templates/<name>:<line>` error, exit 1, with
nothing written and nothing run; legitimate templates see plain, read-only data."""

from __future__ import annotations

import os
import posix
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from briefgen.content.project import load_project
from briefgen.edition.resolve import resolve
from briefgen.edition.views import EditionView
from briefgen.errors import BriefError, Problems
from briefgen.publish.html import render_template
from briefgen.publish.sandbox import ATTRIBUTES, default_folders, environment

from conftest import TESTS, VALID, run

ATTACKS = YAML(typ="safe").load(
    (TESTS / "data/template-attacks/payloads.yaml").read_text(encoding="utf-8"))
PROSE = "templates/sections/prose.html.j2"
# `os` and `posix` both: a pickle names `posix.system`, which patching `os.system` misses.
SPAWNERS = [(subprocess, "Popen"), (os, "popen"), (os, "execvp"),
            *((module, name) for module in (os, posix)
              for name in ("system", "posix_spawn", "posix_spawnp", "fork", "execv", "execve"))]


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*")}


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attempt to start a process, recorded instead of made."""
    calls: list[str] = []
    for module, name in SPAWNERS:
        def record(*args: Any, _name: str = name, **kwargs: Any) -> None:
            calls.append(f"{_name}{args!r}")
            raise OSError("no process may start in this test")
        monkeypatch.setattr(module, name, record)
    return calls


@pytest.mark.parametrize("attack", ATTACKS, ids=[a["name"] for a in ATTACKS])
def test_attack_is_a_clean_template_error(attack: dict[str, str], tmp_path: Path,
                                          project: Path, spawned: list[str]) -> None:
    marker = tmp_path / "pwned.txt"
    payload = attack["template"].replace("{marker}", str(marker))
    (project / "templates/sections").mkdir(parents=True)
    (project / PROSE).write_text(f'<section id="{{{{ s.id }}}}">\n{payload}\n</section>\n',
                                 encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    before = snapshot(tmp_path)
    for args in (["check"], ["build", "--jobs", "1", "--out", str(out)]):
        result = run(*args, project=project)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        first = result.stderr.splitlines()[0]
        assert first.startswith(f"{PROSE}:2:"), first
        assert "template error: " in first and attack["expect"] in first, first
    assert snapshot(tmp_path) == before
    assert not marker.exists()
    assert spawned == []


def test_templates_see_only_plain_frozen_data() -> None:
    problems = Problems()
    edition = resolve(load_project(VALID), "demo", "public", "en", "print", problems)
    view = edition.view()
    assert isinstance(view, EditionView)
    seen: list[object] = []

    def walk(value: object) -> None:
        seen.append(value)
        if isinstance(value, tuple):
            for v in value:
                walk(v)
        elif type(value) in ATTRIBUTES:  # what the sandbox lets a template read
            assert value.__dataclass_params__.frozen, type(value)  # type: ignore[attr-defined]
            for name in ATTRIBUTES[type(value)]:
                walk(getattr(value, name))
    walk(view)
    kinds = {type(v).__name__ for v in seen}
    assert kinds - {"NoneType"} == {
        "EditionView", "AudienceView", "BriefView", "Labels", "Text", "AuthorView",
        "SectionView", "ItemView", "NoteView", "tuple", "str", "Markup", "int",
        "mappingproxy"}, kinds


def test_string_filters_see_plain_text_never_the_source() -> None:
    """A Text's source is the Markdown it came from, other audiences' blocks included: neither
    str() nor the repr of a view (what `{{ e }}` prints) shows it."""
    problems = Problems()
    view = resolve(load_project(VALID), "demo", "public", "en", "screen", problems).view()
    page = environment(default_folders()).from_string(
        "{% for s in e.sections %}{{ s.title | upper }} {{ s.body | lower | trim }}|"
        "{% endfor %}{{ e }}{{ e | lower }}{{ e.sections }}").render(e=view)
    assert "secret annex" not in page.lower() and "origin" not in page.lower(), page
    assert page.startswith(view.sections[0].title.plain.upper())


@pytest.mark.parametrize(("error", "message"), [
    (MemoryError(), "out of memory"),
    (RuntimeError("no"), "RuntimeError: no"),
    (RecursionError(), "recursion too deep"),
])
def test_any_failure_in_a_template_is_a_template_error(error: Exception, message: str,
                                                       tmp_path: Path) -> None:
    class Boom:
        def __html__(self) -> str:
            raise error
    (tmp_path / "t.html.j2").write_text("ok\n{{ boom }}", encoding="utf-8")
    with pytest.raises(BriefError) as caught:
        render_template("t.html.j2", (tmp_path,), boom=Boom())
    problem = str(caught.value.problems[0])
    assert problem.startswith(f"templates/t.html.j2:2:1: template error: {message}"), problem


def test_the_process_recorder_records(spawned: list[str]) -> None:
    with pytest.raises(OSError):
        posix.system("true")
    with pytest.raises(OSError):
        subprocess.run(["true"])
    assert [c.split("(")[0] for c in spawned] == ["system", "Popen"]


def test_ordinary_template_features_still_work(tmp_path: Path) -> None:
    (tmp_path / "macros.j2").write_text("{% macro b(x) %}<b>{{ x }}</b>{% endmacro %}")
    (tmp_path / "page.j2").write_text("{% block t %}T{% endblock %}|{% block u %}U{% endblock %}")
    (tmp_path / "child.j2").write_text('{% extends "page.j2" %}{% import "macros.j2" as m %}'
                                       "{% block u %}{{ super() }}{{ self.t() }}{{ m.b(1) }}"
                                       "{% endblock %}")
    env = environment((tmp_path,))
    assert env.get_template("child.j2").render() == "T|UT<b>1</b>"
    source = ('{% for x in items %}{{ loop.index }}{{ loop.cycle("a", "b") }}'
              '{% if not loop.last %}, {% endif %}{% endfor %} {{ items | join("-") }} '
              '{{ "Ab".lower() }}{{ name | upper }} {{ (name ~ "!") | replace("!", "?") }} '
              '{{ missing | default("d") }} {{ items | length }} {{ "x" * 3 }} {{ 2 ** 10 }}'
              '{% macro f(a) %}[{{ a }}{{ caller() }}]{% endmacro %}'
              '{% call f(1) %}c{% endcall %}')
    assert env.from_string(source).render(items=("p", "q"), name="n") == \
        "1a, 2b p-q abN n? d 2 xxx 1024[1c]"
