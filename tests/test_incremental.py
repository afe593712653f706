"""Incremental, parallel and sharded builds: exactly the affected artifacts are rebuilt."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_hardening import edit

from conftest import run, weasyprint_imported


def manifest(out: Path, name: str = "manifest.json") -> dict[str, dict]:  # type: ignore[type-arg]
    return {a["path"]: a for a in json.loads((out / name).read_text())["artifacts"]}


def files(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def built(result_stdout: str) -> set[str]:
    return {line.split()[0] for line in result_stdout.splitlines() if " built " in line}


def test_noop_rebuild_skips_everything_without_weasyprint(project: Path) -> None:
    assert run("build", "--jobs", "1", project=project).exit_code == 0
    before = files(project / "build")
    # touching a content file without changing it rebuilds nothing
    brief = project / "content/briefs/demo/brief.yaml"
    os.utime(brief, None)
    assert weasyprint_imported("build", "-q", cwd=project) == (0, False)
    assert files(project / "build") == before


def test_edit_seen_by_one_audience_rebuilds_only_its_artifacts(project: Path) -> None:
    assert run("build", "--jobs", "1", project=project).exit_code == 0
    before = manifest(project / "build")
    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text().replace("Officials-only paragraph about the secret annex.",
                                               "Officials-only paragraph, now revised."))
    result = run("build", "--jobs", "1", project=project)
    assert result.exit_code == 0, result.output
    assert built(result.stdout) == {"demo/officials/en/demo-officials-en.html",
                                    "demo/officials/en/demo-officials-en.pdf"}
    assert "2 built, 4 unchanged, 0 pruned" in result.stdout
    after = manifest(project / "build")
    assert set(after) == set(before)
    for path in after:
        changed = path.startswith("demo/officials/")
        assert (after[path]["sha256"] != before[path]["sha256"]) == changed
        data = (project / "build" / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == after[path]["sha256"]


def test_force_rebuilds_all(project: Path) -> None:
    assert run("build", "--jobs", "1", project=project).exit_code == 0
    result = run("build", "--force", "--jobs", "1", project=project)
    assert "6 built, 0 unchanged" in result.stdout


def test_stylesheet_change_rebuilds_every_page(project: Path) -> None:
    from briefgen.theme import bundled as templates_dir
    assert run("build", "--jobs", "1", "--format", "html", project=project).exit_code == 0
    css = project / "templates/css/screen.css"
    css.parent.mkdir(parents=True)
    css.write_text((templates_dir() / "css/screen.css").read_text() + "\nh1 { color: #000; }\n")
    result = run("build", "--jobs", "1", "--format", "html", project=project)
    assert "3 built, 0 unchanged" in result.stdout
    assert "h1 { color: #000; }" in (project / "build/demo/public/en/demo-public-en.html"
                                     ).read_text()


def test_unchanged_inputs_skip_rendering_entirely(project: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import briefgen.build.run as build
    assert run("build", "--jobs", "1", project=project).exit_code == 0
    calls: list[str] = []
    original = build.render_edition
    monkeypatch.setattr(build, "render_edition",
                        lambda e, *a: calls.append(e.audience_id) or original(e, *a))
    assert run("build", "--jobs", "1", project=project).exit_code == 0
    assert calls == []
    # an edit to one brief re-renders that brief's HTML, but rebuilds only what changed
    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text().replace("Officials-only paragraph about",
                                               "Officials-only paragraph, revised, about"))
    result = run("build", "--jobs", "1", project=project)
    assert len(calls) == 6 and "2 built, 4 unchanged" in result.stdout
    calls.clear()
    assert "0 built, 6 unchanged" in run("build", "--jobs", "1", project=project).stdout
    assert calls == []


def test_removed_audience_and_brief_are_pruned(project: Path) -> None:
    press = project / "content/audiences/press.yaml"
    press.write_text("name: Press\nlanguages: [en]\nmarking: {en: Public release}\n")
    assert run("build", "--jobs", "1", project=project).exit_code == 0
    assert (project / "build/demo/press/en/demo-press-en.pdf").is_file()
    press.unlink()
    result = run("build", "--jobs", "1", project=project)
    assert result.exit_code == 0, result.output
    assert re.search(r"^demo/press/en/demo-press-en.pdf +pruned$", result.stdout, re.M)
    assert not (project / "build/demo/press").exists()
    assert all(not p.startswith("demo/press/") for p in manifest(project / "build"))
    # a whole brief removed
    shutil.copytree(project / "content/briefs/demo", project / "content/briefs/other")
    assert run("build", "--jobs", "1", "--format", "html", project=project).exit_code == 0
    assert (project / "build/other").is_dir()
    shutil.rmtree(project / "content/briefs/other")
    assert run("build", "--jobs", "1", project=project).exit_code == 0
    assert not (project / "build/other").exists()
    assert all(not p.startswith("other/") for p in manifest(project / "build"))


def test_narrowed_build_keeps_the_manifest_complete(project: Path) -> None:
    assert run("build", "--jobs", "1", project=project).exit_code == 0
    full = manifest(project / "build")
    assert run("build", "--audience", "public", "--force", "--jobs", "1",
               project=project).exit_code == 0
    assert manifest(project / "build") == full


def test_jobs_do_not_change_output(project: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    assert run("build", "--jobs", "1", "--out", str(one), project=project).exit_code == 0
    assert run("build", "--jobs", "2", "--out", str(two), project=project).exit_code == 0
    assert files(one) == files(two)


def test_shards_partition_and_merge_to_the_full_manifest(project: Path, tmp_path: Path) -> None:
    full = tmp_path / "full"
    assert run("build", "--jobs", "1", "--out", str(full), project=project).exit_code == 0
    parts = []
    seen: set[str] = set()
    for k in (1, 2, 3):
        out = tmp_path / f"shard{k}"
        result = run("build", "--jobs", "1", "--shard", f"{k}/3", "--out", str(out),
                     project=project)
        assert result.exit_code == 0, result.output
        name = f"manifest.shard-{k}-of-3.json"
        doc = json.loads((out / name).read_text())
        assert doc["shard"] == f"{k}/3"
        paths = {a["path"] for a in doc["artifacts"]}
        assert paths and not paths & seen
        seen |= paths
        parts.append(str(out / name))
        assert not (out / "manifest.json").exists()
    merged = tmp_path / "merged.json"
    assert run("manifest", "merge", *parts, "--out", str(merged), project=project).exit_code == 0
    assert json.loads(merged.read_text())["artifacts"] == \
        json.loads((full / "manifest.json").read_text())["artifacts"]
    assert run("build", "--shard", "4/3", project=project).exit_code == 2


def test_recycled_workers_finish_the_build(project: Path) -> None:
    # Every worker retires after one PDF: the pool must replace them, never hang.
    code = ("import briefgen.build.workers as b; b.RECYCLE_AFTER = 1\n"
            "from briefgen.cli import main\n"
            "main(['build', '--jobs', '2', '-q'])")
    proc = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert len(manifest(project / "build")) == 6


# -- the parse cache ------------------------------------------------------------------------


def test_parse_cache_gives_what_parsing_gives(tmp_path: Path) -> None:
    from briefgen.content.yamlread import read_yaml

    from conftest import REPO, VALID

    odd = tmp_path / "odd.yaml"
    odd.write_text("2026: a number key\n'2026': a text key\ntrue: yes\nnull: ~\n"
                   "f: 1.5\nn: .nan\nblock: |\n    text\nlist: [1, '1', {x: [y]}]\n"
                   'lone: "\\ud800 surrogate"\n')
    paths = [odd, *sorted((REPO / "content").rglob("*.yaml")), *sorted(VALID.rglob("*.yaml"))]
    cache = tmp_path / "cache"
    for path in paths:
        fresh = read_yaml(path, "shown")
        stored = read_yaml(path, "shown", cache=cache)
        cached = read_yaml(path, "shown", cache=cache)
        assert repr(cached.data) == repr(fresh.data), path  # repr: keeps 2026 vs '2026'
        assert (cached.positions, cached.block, cached.indent) == \
            (fresh.positions, fresh.block, fresh.indent), path
        assert stored == fresh
    assert len(list((cache / "yaml").glob("*.json"))) == len(paths)
    assert (cache / "yaml/CACHEDIR.TAG").is_file()


def test_parse_cache_follows_edits_and_survives_damage(project: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(tmp_path / "cache"))
    assert run("check", project=project).exit_code == 0
    entries = sorted((tmp_path / "cache/yaml").glob("*.json"))
    assert len(entries) == len(list((project / "content").rglob("*.yaml")))
    assert (tmp_path / "cache/yaml/CACHEDIR.TAG").read_text().startswith(
        "Signature: 8a477f597d28d172789f06886806bc55")
    brief = project / "content/briefs/demo/brief.yaml"
    text = brief.read_text()
    brief.write_text(text.replace("title:", "titel:", 1))  # an error after a good parse
    result = run("check", project=project)
    assert result.exit_code == 1
    assert "content/briefs/demo/brief.yaml:" in result.stderr and "titel" in result.stderr
    brief.write_text(text)
    for entry in entries:  # truncated, garbage, or another format: ignored and rewritten
        entry.write_text('{"digest": ')
    # (--no-cache: else check, having seen these files valid before, would not read them)
    assert run("check", "--no-cache", project=project).exit_code == 0
    assert all(json.loads(e.read_text())["digest"] for e in entries)


@pytest.mark.parametrize("setting", ["", "file"])
def test_cache_off_or_unwritable_is_not_an_error(project: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 setting: str) -> None:
    if setting == "file":  # a file where the cache folder would go
        (tmp_path / "cache").write_text("not a folder")
        setting = str(tmp_path / "cache")
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", setting)
    result = run("check", project=project)
    assert result.exit_code == 0, result.output
    assert result.stderr == "briefgen: content is valid\n"


def test_a_save_during_a_build_is_built_by_the_next_one(project: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """build --watch makes this the normal case: the file changes after it was read."""
    import briefgen.cli as cli

    brief = project / "content/briefs/demo/brief.yaml"
    page = project / "build/demo/public/en/demo-public-en.html"
    real = cli._load

    def load_then_save(root: Path, *options: object) -> object:
        loaded = real(root, *options)  # type: ignore[arg-type]
        brief.write_text(brief.read_text().replace("Two things lie ahead.",
                                                   "Three things lie ahead."))
        return loaded

    monkeypatch.setattr(cli, "_load", load_then_save)
    assert run("build", "--format", "html", project=project).exit_code == 0
    assert "Two things lie ahead." in page.read_text()  # what this build read
    monkeypatch.setattr(cli, "_load", real)
    assert run("build", "--format", "html", project=project).exit_code == 0
    assert "Three things lie ahead." in page.read_text()


# -- the guard is never skipped ------------------------------------------------------------


PUBLIC = "content/audiences/public.yaml"
PHRASES = "forbidden_phrases: [secret annex]"


def header_only_title(project: Path) -> None:
    """A short title that only the PDFs' running header shows."""
    edit(project, "content/briefs/demo/brief.yaml", "short_title: Demonstration Brief",
         "short_title: Quarterly Header Words")


def build_report(project: Path, **options: object) -> object:
    """An in-process build, for its report."""
    from briefgen.build.run import Options, build
    from briefgen.content.project import load_project

    return build(load_project(project), Options(out=project / "build", **options))  # type: ignore[arg-type]


@pytest.mark.parametrize("phrase, where", [
    ("quarterly header words", "content/briefs/demo/brief.yaml:2:1"),  # CSS content: a string
    ("page 1 of 2", "the rendered page (no single content value contains it)"),  # layout only
])
def test_new_phrase_in_an_unchanged_pdf_fails_the_next_build(project: Path, phrase: str,
                                                            where: str) -> None:
    header_only_title(project)
    assert run("build", "--jobs", "1", project=project).exit_code == 0
    before = files(project / "build")
    edit(project, PUBLIC, PHRASES, f"forbidden_phrases: [secret annex, {phrase}]")
    result = run("build", "--jobs", "1", project=project)
    assert result.exit_code == 1, result.output
    assert (f"{where}: forbidden phrase '{phrase}' for audience public appears in "
            "demo/public/en/demo-public-en.pdf (") in result.stderr
    assert "for audience officials" not in result.stderr
    assert files(project / "build") == before


def test_phrase_change_reguards_from_the_files_without_rendering(project: Path) -> None:
    assert run("build", "--jobs", "1", project=project).exit_code == 0
    out = project / "build"
    pdfs = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*.pdf")}
    old = manifest(out)
    edit(project, PUBLIC, PHRASES, "forbidden_phrases: [secret annex, nowhere in the brief]")
    assert weasyprint_imported("build", "--jobs", "1", "-q", cwd=project) == (0, False)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*.pdf")} == pdfs
    new = manifest(out)
    for path, entry in new.items():
        assert (entry["guard"] != old[path]["guard"]) == path.startswith("demo/public/")
        assert {**entry, "guard": "", "inputs": ""} == {**old[path], "guard": "", "inputs": ""}
    report = build_report(project)
    assert report.reguarded == [] and len(report.skipped) == 6  # type: ignore[attr-defined]


def test_guard_fingerprint_is_per_audience_and_includes_the_guard_version(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import briefgen.build.run as build

    assert run("build", "--jobs", "1", project=project).exit_code == 0
    edit(project, "content/audiences/officials.yaml", "forbidden_phrases: []",
         "forbidden_phrases: [public-only span]")
    report = build_report(project)
    assert report.reguarded == ["demo/officials/en/demo-officials-en.html",  # type: ignore
                                "demo/officials/en/demo-officials-en.pdf"]
    assert report.built == []  # type: ignore[attr-defined]
    monkeypatch.setattr(build.guard, "VERSION", build.guard.VERSION + ".1")
    report = build_report(project)
    assert sorted(report.reguarded) == sorted(manifest(project / "build"))  # type: ignore


def test_reused_artifact_is_reguarded_at_the_inputs_level(project: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs unchanged (the artifact is reused without rendering its HTML), but the guard
    changed: its file is checked again, and a leak in it fails the build."""
    import briefgen.build.run as build

    header_only_title(project)
    assert run("build", "--jobs", "1", project=project).exit_code == 0
    before = files(project / "build")
    monkeypatch.setattr(build.guard, "VERSION", build.guard.VERSION + ".1")
    from briefgen.content.project import load_project

    loaded = load_project(project)
    loaded.audiences["public"].value.forbidden_phrases.append("quarterly header words")
    with pytest.raises(build.BriefError) as failed:
        build.build(loaded, build.Options(out=project / "build"))
    assert [str(p) for p in failed.value.problems] == [
        "content/briefs/demo/brief.yaml:2:1: forbidden phrase 'quarterly header words' for "
        "audience public appears in demo/public/en/demo-public-en.pdf (PDF text) (reword it, "
        "or hide this text from the audience)"]
    assert files(project / "build") == before


def test_pdf_variant_is_part_of_the_incremental_key(project: Path) -> None:
    from pypdf import PdfReader

    assert run("build", "--jobs", "1", project=project).exit_code == 0
    result = run("build", "--jobs", "1", "--pdf-variant", "pdf/a-3u", project=project)
    assert result.exit_code == 0, result.output
    assert built(result.stdout) == {p for p in manifest(project / "build") if p.endswith(".pdf")}
    reader = PdfReader(project / "build/demo/public/en/demo-public-en.pdf")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp
    # and back: the audience's own variant again
    again = run("build", "--jobs", "1", project=project)
    assert "3 built, 3 unchanged" in again.stdout


def test_artifact_edited_on_disk_at_the_same_size_is_rebuilt(project: Path) -> None:
    assert run("build", "--jobs", "1", project=project).exit_code == 0
    out = project / "build"
    before = files(out)
    html = out / "demo/public/en/demo-public-en.html"
    html.write_text(html.read_text().replace("Two things lie ahead.", "Two things lie aheaD."))
    pdf = out / "demo/public/en/demo-public-en.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 1
    pdf.write_bytes(bytes(data))
    result = run("build", "--jobs", "1", project=project)
    assert result.exit_code == 0, result.output
    assert built(result.stdout) == {"demo/public/en/demo-public-en.html",
                                    "demo/public/en/demo-public-en.pdf"}
    assert files(out) == before
