"""The editor's workflow: serve, new, schema, annotations, pre-commit speed guarantees."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import jsonschema
from ruamel.yaml import YAML

from conftest import REPO, run


def test_new_brief_and_audience_pass_check_and_build(project: Path) -> None:
    assert run("new", "brief", "energy-outlook", project=project).exit_code == 0
    assert run("new", "audience", "press", project=project).exit_code == 0
    assert run("check", project=project).exit_code == 0
    result = run("build", "--brief", "energy-outlook", "--jobs", "1", project=project)
    assert result.exit_code == 0, result.output
    assert (project / "build/energy-outlook/press/en/energy-outlook-press-en.pdf").is_file()
    again = run("new", "brief", "energy-outlook", project=project)
    assert again.exit_code == 1 and "already exists" in again.stderr
    bad = run("new", "brief", "Energy Outlook", project=project)
    assert bad.exit_code == 1 and "is not a valid brief id" in bad.stderr


def test_schema_validates_the_shipped_files(tmp_path: Path) -> None:
    assert run("schema", "--out", str(tmp_path), "-q", project=REPO).exit_code == 0
    yaml = YAML(typ="safe")
    yaml.constructor.yaml_constructors["tag:yaml.org,2002:timestamp"] = \
        yaml.constructor.yaml_constructors["tag:yaml.org,2002:str"]
    checks = [("brief", REPO.glob("content/briefs/*/brief.yaml")),
              ("audience", REPO.glob("content/audiences/*.yaml")),
              ("translation", REPO.glob("content/briefs/*/translations/*.yaml")),
              ("terms", [REPO / "content/terms.yaml"])]
    for kind, files in checks:
        schema = json.loads((tmp_path / f"{kind}.schema.json").read_text())
        files = list(files)
        assert files
        for path in files:
            jsonschema.validate(yaml.load(path.read_text()), schema)
            first = path.read_text().splitlines()[0]
            assert first.startswith("# yaml-language-server: $schema=") and \
                first.endswith(f"schema/{kind}.schema.json")
            assert (path.parent / first.split("=", 1)[1]).resolve() == \
                (REPO / "schema" / f"{kind}.schema.json").resolve()
        bad = {"title": 3}
        assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))


def test_committed_schemas_are_current(tmp_path: Path) -> None:
    run("schema", "--out", str(tmp_path), "-q", project=REPO)
    for path in tmp_path.iterdir():
        assert path.read_text() == (REPO / "schema" / path.name).read_text(), \
            "regenerate with: briefgen schema"


def test_github_annotations(project: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text().replace("subtitle: Every", "subtitel: Every"))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run("check", project=project)
    assert result.exit_code == 1
    assert ("::error file=content/briefs/demo/brief.yaml,line=3,col=1::subtitel: unknown "
            "field 'subtitel' (did you mean 'subtitle'?)") in result.stderr


def test_serve_live_reload_errors_pdf_and_ctrl_c(project: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "serve", "--port", "0"],
                            cwd=project, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()  # type: ignore[union-attr]
        base = line.split("on ")[1].split(" ")[0].rstrip("/")

        def get(path: str) -> str:
            with urllib.request.urlopen(base + path, timeout=30) as r:  # noqa: S310
                return r.read().decode("utf-8", "replace")

        page = get("/demo/public/en/")
        assert "Two things lie ahead." in page and "/__events?since=" in page
        before = get("/__changes")
        brief = project / "content/briefs/demo/brief.yaml"
        brief.write_text(brief.read_text().replace("Two things lie ahead.",
                                                   "Three things lie ahead."))
        deadline = time.monotonic() + 2.0
        while get("/__changes") == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert get("/__changes") != before, "no change seen within two seconds"
        assert "Three things lie ahead." in get("/demo/public/en/")
        brief.write_text(brief.read_text().replace("subtitle: Every", "subtitel: Every"))
        error = get("/demo/public/en/")
        assert "unknown field &#x27;subtitel&#x27;" in error or "unknown field 'subtitel'" in error
        brief.write_text(brief.read_text().replace("subtitel: Every", "subtitle: Every"))
        assert 'src="/demo/public/en/pdf/demo-public-en.pdf?v=' in get("/demo/public/en/pdf/")
        pdf = base + "/demo/public/en/pdf/demo-public-en.pdf"
        with urllib.request.urlopen(pdf, timeout=60) as r:  # noqa: S310
            assert r.read(5) == b"%PDF-"
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "preview stopped" in err and "Traceback" not in err


def test_build_watch_rebuilds_on_save_keeps_good_output_on_errors(project: Path) -> None:
    (project / "templates/css").mkdir(parents=True)  # watched if it exists at the start
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "build", "--watch", "--jobs", "1"],
                            cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stdout],  # type: ignore
                     daemon=True).start()

    log: list[str] = []

    def rebuild(done: Callable[[list[str]], bool]) -> list[str]:
        """The output of the first rebuild that satisfies done (one save may be seen as two
        bursts of events: an extra rebuild that changes nothing is allowed)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            batch: list[str] = []
            try:
                while "watching for changes" not in (line := lines.get(timeout=60)):
                    batch.append(line.rstrip("\n"))
            except queue.Empty:
                break
            log.extend(batch)
            if done(batch):
                return batch
            assert batch[-1].startswith("0 built"), batch  # only a no-op may come between
        raise AssertionError(f"no such rebuild within 60 s; output: {log}")

    def counts(text: str) -> Callable[[list[str]], bool]:
        return lambda batch: batch[-1].startswith(text)

    out = project / "build"
    brief = project / "content/briefs/demo/brief.yaml"
    try:
        rebuild(counts("6 built, 0 unchanged, 0 pruned"))
        brief.write_text(brief.read_text().replace("Two things lie ahead.",
                                                   "Three things lie ahead."))
        second = rebuild(counts("4 built, 2 unchanged, 0 pruned"))  # ko: stale, unchanged
        rows = [ln.split()[:2] for ln in second if ln.startswith("demo/")]
        assert rows == [[f"demo/{a}/en/demo-{a}-en.{f}", "built"]  # unchanged rows omitted
                        for a in ("officials", "public") for f in ("html", "pdf")], second
        assert "Three things lie ahead." in (out / "demo/public/en/demo-public-en.html"
                                             ).read_text()
        good = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
        brief.write_text(brief.read_text().replace("subtitle: Every", "subtitel: Every"))
        rebuild(lambda batch: any(ln.startswith("content/briefs/demo/brief.yaml:")
                                  and "subtitel" in ln for ln in batch))
        assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == good
        brief.write_text(brief.read_text().replace("subtitel: Every", "subtitle: Every"))
        rebuild(counts("0 built, 6 unchanged"))  # the last good output was kept
        # the project's own templates are watched too
        (project / "templates/css/screen.css").write_text(
            (REPO / "templates/css/screen.css").read_text() + "\n.house-style { }\n")
        fourth = rebuild(counts("3 built, 3 unchanged"))
        assert ".house-style" in (out / "demo/public/en/demo-public-en.html").read_text()
        assert [ln.split()[0] for ln in fourth if ln.startswith("demo/")] == [
            "demo/officials/en/demo-officials-en.html", "demo/public/en/demo-public-en.html",
            "demo/public/ko/demo-public-ko.html"], fourth  # screen CSS: HTML only
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    assert proc.returncode == 0
    rest = []
    while not lines.empty():
        rest.append(lines.get())
    assert "briefgen: stopped watching\n" in rest and not any("Traceback" in ln for ln in rest)


def test_pre_commit_hook_is_declared() -> None:
    hooks = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert any(h["id"] == "briefgen-check" and h["entry"].startswith("briefgen check")
               for h in hooks)
    assert os.path.exists(REPO / ".github/workflows/briefs.yml")


# -- serve after a save: what it forgets ------------------------------------------------------


def test_watcher_knows_the_paths_of_each_change_or_says_it_does_not() -> None:
    from briefgen.commands.serve import BATCHES, Watcher

    watcher = Watcher([])
    for n in range(1, 4):
        watcher.changes = n
        watcher.batches.append((n, frozenset({Path(f"/p/{n}")})))
    assert watcher.touched(0, 3) == {Path("/p/1"), Path("/p/2"), Path("/p/3")}
    assert watcher.touched(1, 2) == {Path("/p/2")}
    assert watcher.touched(3, 3) == frozenset()
    assert watcher.touched(2, 1) is None  # a count from another watcher
    for n in range(4, BATCHES + 5):  # the first batches fall out of memory
        watcher.batches.append((n, frozenset({Path(f"/p/{n}")})))
    assert watcher.touched(0, 5) is None
    assert watcher.touched(10, 12) == {Path("/p/11"), Path("/p/12")}


def test_serve_keeps_templates_across_content_saves_and_rereads_them_otherwise(
        project: Path) -> None:
    from briefgen.commands.serve import Preview

    (project / "templates").mkdir()
    override = project / "templates/base.html.j2"
    touched: dict[int, frozenset[Path] | None] = {}
    preview = Preview(project, lambda since, until: touched[until])
    brief = project / "content/briefs/demo/brief.yaml"

    def page(changes: int) -> str:
        return preview.answer("/demo/public/en/", changes)[2].decode()

    assert "Two things lie ahead." in page(0)
    environments = dict(preview.session.environments)
    assert environments

    brief.write_text(brief.read_text().replace("Two things lie", "Three things lie"))
    touched[1] = frozenset({brief})  # a content file: the compiled templates stay
    assert "Three things lie ahead." in page(1)
    assert preview.session.environments == environments

    override.write_text('{% extends "briefgen/base.html.j2" %}'
                        '{% block marking %}<p>Overridden!</p>{% endblock %}')
    touched[2] = frozenset({override})  # a template: everything is read again
    assert "<p>Overridden!</p>" in page(2)
    assert preview.session.environments != environments

    override.write_text('{% extends "briefgen/base.html.j2" %}'
                        '{% block marking %}<p>Again!</p>{% endblock %}')
    touched[3] = None  # unknown paths (the watcher forgot them): everything is read again
    environments = dict(preview.session.environments)
    assert "<p>Again!</p>" in page(3)
    assert preview.session.environments != environments

    override.write_text('{% extends "briefgen/base.html.j2" %}'
                        '{% block marking %}<p>Both!</p>{% endblock %}')
    touched[4] = frozenset({brief, override})  # content and a template: read again
    environments = dict(preview.session.environments)
    assert "<p>Both!</p>" in page(4)
    assert preview.session.environments != environments

    link = project / "content/linked.html.j2"  # a path in content/ that leads outside it
    link.symlink_to(override)
    override.write_text('{% extends "briefgen/base.html.j2" %}'
                        '{% block marking %}<p>Linked!</p>{% endblock %}')
    touched[5] = frozenset({link})
    environments = dict(preview.session.environments)
    assert "<p>Linked!</p>" in page(5)
    assert preview.session.environments != environments


def test_a_save_in_a_theme_folder_linked_into_content_forgets_the_templates(
        tmp_path: Path) -> None:
    """A project's templates/ may be a link to a folder under content/. A save there is a
    save under content/ by path, and under the theme by what it changes: the catalogs and
    compiled templates go (kept, a watch rebuilt a page with the old labels and recorded
    it under the new inputs' key, so later builds kept the stale page)."""
    from briefgen.session import Session

    (tmp_path / "content/tpl/messages").mkdir(parents=True)
    (tmp_path / "content/briefs/b").mkdir(parents=True)
    (tmp_path / "templates").symlink_to("content/tpl")
    messages = tmp_path / "content/tpl/messages/en.yaml"
    messages.write_text((REPO / "templates/messages/en.yaml").read_text())
    brief = tmp_path / "content/briefs/b/brief.yaml"
    session = Session(tmp_path)

    def kept_after(*changed: Path) -> bool:
        session.catalogs[("en", ())] = {}
        session.environments[()] = object()  # type: ignore[assignment]
        session.reset(frozenset(changed))
        return bool(session.catalogs) and bool(session.environments)

    assert kept_after(brief)
    assert not kept_after(messages)
    assert not kept_after(brief, messages)
    assert not kept_after(tmp_path / "templates/messages/en.yaml")
    assert not kept_after()  # nothing known
