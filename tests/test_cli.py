"""The command line: exit codes, exact messages, outputs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from briefgen import __version__

from conftest import run, run_subprocess, weasyprint_imported


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"briefgen, version {__version__}\n"


def test_check_valid_project(project: Path) -> None:
    result = run("check", project=project)
    assert result.exit_code == 0
    assert result.stderr == "briefgen: content is valid\n"


def test_misspelled_key_exit_1_with_location_and_hint(project: Path) -> None:
    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text().replace("subtitle: Every", "subtitel: Every"))
    result = run("check", project=project)
    assert result.exit_code == 1
    assert result.stderr == (
        "content/briefs/demo/brief.yaml:3:1: subtitel: unknown field 'subtitel' "
        "(did you mean 'subtitle'?)\nbriefgen: 1 error in 1 file\n")


def test_usage_errors_exit_2(project: Path) -> None:
    result = run("build", "--brief", "dmeo", project=project)
    assert result.exit_code == 2
    assert "no brief 'dmeo' (did you mean 'demo'?)" in result.stderr
    assert run("build", "--format", "docx", project=project).exit_code == 2


def test_build_writes_artifacts_and_manifest(project: Path) -> None:
    result = run("build", "--jobs", "1", project=project)
    assert result.exit_code == 0, result.output
    out = project / "build"
    manifest = json.loads((out / "manifest.json").read_text())
    paths = [a["path"] for a in manifest["artifacts"]]
    assert paths == sorted(paths)
    assert {(a["audience"], a["language"], a["format"]) for a in manifest["artifacts"]} == {
        (aud, lang, fmt) for aud, lang in [("officials", "en"), ("public", "en"),
                                           ("public", "ko")] for fmt in ("html", "pdf")}
    for a in manifest["artifacts"]:
        data = (out / a["path"]).read_bytes()
        assert a["sha256"] == hashlib.sha256(data).hexdigest()
        assert a["bytes"] == len(data)
        assert a["path"] == f"demo/{a['audience']}/{a['language']}/demo-{a['audience']}-" \
                            f"{a['language']}.{a['format']}"
        assert ("pages" in a) == (a["format"] == "pdf")
    assert (out / "index.html").is_file()
    assert "3 built" not in result.stdout and "6 built, 0 unchanged" in result.stdout


def test_narrowed_build(project: Path) -> None:
    result = run("build", "--audience", "public", "--format", "html", project=project)
    assert result.exit_code == 0, result.output
    built = sorted(p.name for p in (project / "build").rglob("*.html"))
    assert built == ["demo-public-en.html", "demo-public-ko.html", "index.html", "index.html"]
    assert (project / "build/public/index.html").is_file()  # the audience's own index


def test_no_traceback_from_real_entry_point(project: Path) -> None:
    (project / "content/audiences/public.yaml").write_bytes(b"name: [unclosed\n")
    proc = run_subprocess("check", cwd=project)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("content/audiences/public.yaml:2:1: YAML syntax error")


def test_check_does_not_import_weasyprint(project: Path) -> None:
    assert weasyprint_imported("check", cwd=project) == (0, False)
