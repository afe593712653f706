"""The theme can be extended, not only copied: base.html.j2's named blocks, the `briefgen/`
prefix that always means briefgen's own templates, and `briefgen new theme`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from briefgen.errors import BriefError, Problem
from briefgen.publish.html import render_template
from briefgen.theme import bundled

from conftest import TESTS, run

MASTHEAD = re.compile(r'<header class="masthead[^"]*">.*?</header>', re.S)


def built_html(project: Path, catalogues: bool = False) -> dict[str, str]:
    """Every HTML edition `briefgen build --format html` writes (and the catalogues, the
    index.html pages, if asked), by its path."""
    result = run("build", "--format", "html", project=project)
    assert result.exit_code == 0, result.output
    out = project / "build"
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(out.rglob("*.html")) if catalogues or p.name != "index.html"}


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


# -- briefgen's own pages are templates a project can restyle -------------------------------


def test_a_project_restyles_the_preview_error_page_and_escaping_stays(project: Path) -> None:
    from briefgen.commands.serve import Preview

    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text().replace("subtitle: Every", "subtitel: Every"))
    (project / "templates/preview").mkdir(parents=True)
    (project / "templates/preview/error.html.j2").write_text(
        '<html><body><h1 class="ours">{{ count }}</h1><ul>{% include '
        '"preview/problems.html.j2" %}</ul></body></html>', encoding="utf-8")
    status, kind, body = Preview(project).page("/demo/public/en/")
    page = body.decode()
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert page.startswith('<html><body><h1 class="ours">1</h1><ul><li><code>'
                           "content/briefs/demo/brief.yaml:3:1: subtitel: unknown field "
                           "&#x27;subtitel&#x27;"), page
    assert "</code></li></ul><script>\n(function () {" in page  # reloads by itself
    assert page.endswith("</script></body></html>")


def test_a_broken_project_error_page_falls_back_to_briefgens_naming_both(
        project: Path) -> None:
    from briefgen.commands.serve import Preview

    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text().replace("subtitle: Every", "subtitel: Every"))
    (project / "templates/preview").mkdir(parents=True)
    (project / "templates/preview/error.html.j2").write_text("ok\n{{ nothing.here }}")
    page = Preview(project).page("/demo/public/en/")[2].decode()
    assert "<h1>The content has 2 problem(s)</h1>" in page
    assert "<li><code>templates/preview/error.html.j2:2:1: template error: " \
           "&#x27;nothing&#x27; is undefined</code></li>" in page
    assert "unknown field &#x27;subtitel&#x27;" in page


def test_a_project_restyles_the_preview_index(project: Path) -> None:
    from briefgen.commands.serve import Preview

    (project / "templates/preview").mkdir(parents=True)
    (project / "templates/preview/index.html.j2").write_text(
        "<body>{% for x in editions %}[{{ x.slug }}/{{ x.audience }}/{{ x.lang }}]"
        "{% endfor %}</body>", encoding="utf-8")
    body = Preview(project).page("/")[2].decode()
    assert body.startswith("<body>[demo/officials/en][demo/public/en][demo/public/ko]"
                           "<script>"), body


def test_the_diff_report_is_a_template_escaped_by_autoescape(tmp_path: Path) -> None:
    from briefgen.commands.diff import Change, diff_html

    changes = [Change("t<1>", "differs", "keep <b>old</b>\nnext", "keep 'new'\nnext"),
               Change("x", "only in a", "line\none", "")]
    page = diff_html(changes, "s", "a&b", "c", "en")
    assert ("<tr><th scope=\"row\">t&lt;1&gt;<br><small>differs</small></th><td>keep "
            "<del>&lt;b&gt;old&lt;/b&gt;<br>next</del></td><td>keep <ins>&#x27;new&#x27;<br>"
            "next</ins></td></tr>\n<tr><th scope=\"row\">x<br><small>only in a&amp;b</small>"
            "</th><td><del>line\none</del></td><td></td></tr>\n</tbody>") in page
    assert "<title>s: a&amp;b vs c</title>" in page
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports/diff.html.j2").write_text(
        "{% for c in changes %}{{ c.unit }}: {{ c.kind }};{% endfor %}")
    assert diff_html(changes, "s", "a&b", "c", "en", (tmp_path, bundled())) == \
        "t&lt;1&gt;: differs;x: only in a&amp;b;"


# -- briefgen new theme ------------------------------------------------------------------------


def test_new_theme_copies_the_templates_and_builds_the_same_html(project: Path) -> None:
    default = built_html(project, catalogues=True)
    shutil.rmtree(project / "build")
    result = run("new", "theme", project=project)
    assert result.exit_code == 0, result.output
    ours = bundled()
    expected = sorted(p.relative_to(ours).as_posix() for p in ours.rglob("*")
                      if p.is_file() and not p.relative_to(ours).as_posix().startswith("fonts/"))
    assert {"base.html.j2", "index.html.j2", "sections/prose.html.j2", "css/print.css",
            "messages/en.yaml", "preview/error.html.j2", "reports/diff.html.j2"} <= set(expected)
    assert result.stderr.splitlines()[:-1] == [f"created templates/{rel}" for rel in expected]
    copied = project / "templates"
    assert sorted(p.relative_to(copied).as_posix() for p in copied.rglob("*")
                  if p.is_file()) == expected  # fonts.conf stays briefgen's
    for rel in expected:
        assert (copied / rel).read_bytes() == (ours / rel).read_bytes(), rel
    assert built_html(project, catalogues=True) == default


def test_new_theme_overwrites_nothing(project: Path) -> None:
    own = project / "templates/css/screen.css"
    own.parent.mkdir(parents=True)
    own.write_text("body { color: teal; }")
    result = run("new", "theme", project=project)
    assert result.exit_code == 1
    assert "briefgen: templates/css/screen.css already exists; nothing was written (move it " \
           "away to copy briefgen's, or copy the files you want by hand)" in result.stderr
    assert [p for p in (project / "templates").rglob("*") if p.is_file()] == [own]
    assert own.read_text() == "body { color: teal; }"


def test_new_theme_writes_nothing_through_a_linked_templates_folder(project: Path,
                                                                   tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (project / "templates").symlink_to(outside)
    result = run("new", "theme", project=project)
    assert result.exit_code == 1
    assert "templates/base.html.j2: leads outside the project folder" in result.stderr
    assert list(outside.iterdir()) == []


def test_the_catalogue_extends_too(tmp_path: Path) -> None:
    from briefgen.publish.html import render_index

    (tmp_path / "index.html.j2").write_text(
        '{% extends "briefgen/index.html.j2" %}{% block masthead %}<h1>{{ title }}!</h1>'
        "{% endblock %}")
    entries = [{"title": "T", "language": "en", "language_name": "English",
                "audience_name": "Public", "formats": [], "pages": 2, "size": "1 kB"}]
    default = render_index(entries, editors=False)
    ours = render_index(entries, folders=(tmp_path, bundled()), editors=False)
    header = re.compile(r'<header class="masthead">.*?</header>', re.S)
    assert header.sub("<h1>Brief catalogue!</h1>", default) == ours  # `title` is seen


def test_environments_live_in_the_session_and_see_edited_templates(tmp_path: Path) -> None:
    from briefgen.publish.sandbox import environment
    from briefgen.session import Session

    session = Session(tmp_path)
    folders = (tmp_path, bundled())
    env = environment(folders, session)
    assert environment(folders, session) is env and session.environments == {folders: env}
    assert environment(folders) is not env  # no session: a new one, nothing kept
    (tmp_path / "t.html.j2").write_text("one")
    assert render_template("t.html.j2", folders, session) == "one"
    (tmp_path / "t.html.j2").write_text("two, edited")
    assert render_template("t.html.j2", folders, session) == "two, edited"
    session.reset()
    assert session.environments == {}


def test_a_linked_bundled_template_is_refused_through_the_prefix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ours, outside = tmp_path / "ours", tmp_path / "outside.html.j2"
    ours.mkdir()
    outside.write_text("secret")
    (ours / "base.html.j2").symlink_to(outside)
    monkeypatch.setattr("briefgen.publish.sandbox.bundled", lambda: ours)
    project = tmp_path / "project"
    project.mkdir()
    (project / "base.html.j2").write_text('{% extends "briefgen/base.html.j2" %}')
    with pytest.raises(BriefError) as caught:
        render_template("base.html.j2", (project,))
    assert str(caught.value.problems[0]).startswith(
        "templates/base.html.j2: leads outside the templates folder through a symbolic link")


# -- codes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "shown", "code"), [
    ("{{ x | no_such_filter }}", "templates/t.html.j2:1:1: template error: No filter named "
                                 "'no_such_filter'.", "BG301"),
    ("ok\n{{ nothing.here }}", "templates/t.html.j2:2:1: template error: 'nothing' is "
                               "undefined", "BG302"),
    ('{% include "missing.html.j2" %}', "templates/t.html.j2:1:1: template error: template "
                                        "not found: missing.html.j2", "BG303"),
])
def test_template_problems_carry_their_code(source: str, shown: str, code: str,
                                            tmp_path: Path) -> None:
    (tmp_path / "t.html.j2").write_text(source)
    with pytest.raises(BriefError) as caught:
        render_template("t.html.j2", (tmp_path,))
    assert [(str(p), p.code) for p in caught.value.problems] == [(shown, code)]


def test_command_problems_carry_their_code(project: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from briefgen.commands.scaffold import new_audience, new_theme
    from briefgen.commands.serve import Preview
    from briefgen.publish.html import stylesheet

    with pytest.raises(BriefError) as caught:
        stylesheet((tmp_path,), "print.css")
    assert [(str(p), p.code) for p in caught.value.problems] == [
        ("templates/css/print.css: stylesheet not found", "BG304")]
    for ident, code in (("Bad Id", "BG521"), ("public", "BG522")):
        with pytest.raises(BriefError) as caught:
            new_audience(project / "content", ident)
        assert caught.value.problems[0].code == code
    (project / "templates").mkdir()
    (project / "templates/base.html.j2").write_text("mine")
    with pytest.raises(BriefError) as caught:
        new_theme(project)
    assert caught.value.problems[0].code == "BG523"
    (project / "templates/base.html.j2").unlink()
    shown: list[Problem] = []

    def fail(*args: object, **kwargs: object) -> str:
        raise RuntimeError("boom")
    monkeypatch.setattr("briefgen.publish.html.render_edition", fail)
    def page(problems: list[Problem], *args: object) -> str:
        shown.extend(problems)
        return ""
    monkeypatch.setattr("briefgen.commands.serve._error_page", page)
    assert Preview(project).page("/demo/public/en/")[0] == 500
    assert [(str(p), p.code) for p in shown] == [
        ("briefgen: this preview failed: RuntimeError: boom (check the templates; run "
         "briefgen check)", "BG501")]
