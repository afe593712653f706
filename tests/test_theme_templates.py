"""The theme can be extended, not only copied: base.html.j2's named blocks, the `briefgen/`
prefix that always means briefgen's own templates, and `briefgen new theme`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from briefgen.errors import BriefError
from briefgen.publish.html import render_template
from briefgen.theme import bundled

from conftest import TESTS, run

MASTHEAD = re.compile(r'<header class="masthead[^"]*">.*?</header>', re.S)


def built_html(project: Path) -> dict[str, str]:
    """Every HTML edition `briefgen build --format html` writes, by its path."""
    result = run("build", "--format", "html", project=project)
    assert result.exit_code == 0, result.output
    out = project / "build"
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(out.rglob("*.html")) if p.name != "index.html"}


def test_a_project_template_extends_briefgens_and_replaces_only_the_masthead(
        project: Path, tmp_path: Path) -> None:
    default = built_html(project)
    shutil.rmtree(project / "build")
    shutil.copytree(TESTS / "data/theme-masthead/templates", project / "templates")
    themed = built_html(project)
    assert themed.keys() == default.keys() and len(themed) >= 3
    for name, page in themed.items():
        ours = MASTHEAD.findall(page)
        assert len(ours) == 1 and 'class="masthead house-style"' in ours[0], name
        assert '<p class="house">Our Institute · ' in ours[0], name
        assert 'class="byline"' not in ours[0]  # the block replaced, not appended to
        # everything else byte for byte as briefgen's own build writes it
        assert MASTHEAD.sub("", page) == MASTHEAD.sub("", default[name]), name


def test_a_plain_full_copy_of_base_still_overrides(project: Path) -> None:
    default = built_html(project)
    shutil.rmtree(project / "build")
    (project / "templates").mkdir()
    base = (bundled() / "base.html.j2").read_text(encoding="utf-8")
    (project / "templates/base.html.j2").write_text(
        base.replace('<footer class="colophon">', '<footer class="colophon ours">'),
        encoding="utf-8")
    themed = built_html(project)
    for name, page in themed.items():
        assert page == default[name].replace('<footer class="colophon">',
                                             '<footer class="colophon ours">'), name
        assert 'class="colophon ours"' in page


def test_the_briefgen_prefix_always_means_the_bundled_templates(tmp_path: Path) -> None:
    (tmp_path / "briefgen").mkdir()
    (tmp_path / "briefgen/index.html.j2").write_text("a project file named briefgen/…")
    (tmp_path / "page.html.j2").write_text('{% extends "briefgen/page.html.j2" %}')
    (tmp_path / "t.html.j2").write_text('{% include "briefgen/sections/prose.html.j2" %}')
    with pytest.raises(BriefError) as caught:  # briefgen has no page.html.j2
        render_template("page.html.j2", (tmp_path, bundled()))
    assert str(caught.value.problems[0]) == \
        "templates/page.html.j2:1:1: template error: template not found: briefgen/page.html.j2"
    assert caught.value.problems[0].code == "BG303"
    source = (bundled() / "index.html.j2").read_text(encoding="utf-8")
    from briefgen.publish.sandbox import environment
    env = environment((tmp_path, bundled()))
    assert env.loader is not None
    assert env.loader.get_source(env, "briefgen/index.html.j2")[0] == source


def test_the_briefgen_prefix_is_confined_to_the_bundled_folder(tmp_path: Path) -> None:
    (tmp_path / "t.html.j2").write_text('{% include "briefgen/../README.md" %}')
    with pytest.raises(BriefError) as caught:
        render_template("t.html.j2", (tmp_path,))
    assert "template not found: briefgen/../README.md" in str(caught.value.problems[0])
