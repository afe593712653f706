"""The build stage's seams: the manifest as a typed, schema-checked contract, the two kinds of
job, the output-format registry, the renderer fingerprint and the session's PDF renderer, and
the codes of the problems it reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from briefgen.build.files import check_out_dir
from briefgen.build.indexes import check_indexes
from briefgen.build.keys import Previous, renderer_fingerprint
from briefgen.build.manifest import (
    MANIFEST,
    ManifestEntry,
    merge_manifests,
    read_manifest,
    schema_bytes,
)
from briefgen.build.plan import OUTPUT_FORMATS, Artifact, Kept, Rendered, Selection
from briefgen.build.run import Options, build, plan
from briefgen.content.project import load_project
from briefgen.errors import BriefError, Problems
from briefgen.session import Session
from briefgen.theme import Theme

from conftest import REPO, run
from tiny import brief_yaml, make_project

SCHEMA = REPO / "schema" / "manifest.schema.json"


def test_the_committed_manifest_schema_is_generated_from_the_model() -> None:
    assert SCHEMA.read_bytes() == schema_bytes(), "regenerate with: briefgen schema"


def test_a_real_manifest_validates_against_the_schema(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n", "본문.\n")
    assert run("build", "--jobs", "1", "-q", project=root).exit_code == 0
    doc = json.loads((root / "build" / MANIFEST).read_text())
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    validator.validate(doc)
    assert {a["format"] for a in doc["artifacts"]} == {"html", "pdf"}
    assert all(("pages" in a) == (a["format"] == "pdf") for a in doc["artifacts"])
    # the schema says something: a broken entry or a wrong format number fails it
    for broken in ({**doc, "format": 2},
                   {**doc, "artifacts": [{**doc["artifacts"][0], "sha256": "XYZ"}]},
                   {**doc, "artifacts": [{**doc["artifacts"][0], "format": "epub"}]},
                   {**doc, "artifacts": [{k: v for k, v in doc["artifacts"][0].items()
                                          if k != "bytes"}]}):
        assert not validator.is_valid(broken), broken
    # and the model reads back exactly what was written
    entries = read_manifest(root / "build" / MANIFEST)
    assert [e.as_json() for e in entries] == doc["artifacts"]
    assert all(isinstance(e, ManifestEntry) for e in entries)


def test_unreadable_entries_are_left_out_of_the_previous_manifest(tmp_path: Path) -> None:
    good = {"brief": "b", "audience": "a", "language": "en", "format": "html",
            "path": "b/a/en/b-a-en.html", "title": "T", "sha256": "0" * 64, "bytes": 1,
            "key": "K"}
    path = tmp_path / MANIFEST
    path.write_text(json.dumps({"artifacts": [good, {**good, "bytes": "many"}, 3]}))
    assert [e.path for e in read_manifest(path)] == ["b/a/en/b-a-en.html"]
    assert read_manifest(path)[0].inputs == ""  # written by an older briefgen
    path.write_text("{not json")
    assert read_manifest(path) == []


def test_planning_selects_artifacts_from_the_format_registry(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    artifact = Artifact("tiny", "pub", "en", "pdf")
    assert (artifact.mode, artifact.path) == ("print", "tiny/pub/en/tiny-pub-en.pdf")
    assert {f: (o.mode, o.suffix) for f, o in OUTPUT_FORMATS.items()} == {
        "html": ("screen", "html"), "pdf": ("print", "pdf")}
    assert Selection(audiences=("pub",)).wants("tiny", "pub", "en", "html")
    assert not Selection(formats=("pdf",)).wants("tiny", "pub", "en", "html")
    jobs = plan(load_project(root), Selection(languages=("en",), formats=("html",)),
                Problems([]))
    assert [(type(j), j.path, j.edition.mode if j.edition else None) for j in jobs] == [
        (Rendered, "tiny/officials/en/tiny-officials-en.html", "screen"),
        (Rendered, "tiny/pub/en/tiny-pub-en.html", "screen")]


def test_an_unchanged_artifact_is_a_kept_job_unless_forced(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    out = root / "build"
    html = Selection(formats=("html",))
    build(load_project(root), Options(out=out, selection=html))
    entries = read_manifest(out / MANIFEST)
    for force, kind in ((False, Kept), (True, Rendered)):
        previous = Previous(out, entries, force=force)
        jobs = plan(load_project(root), html, Problems([]), previous.reuse)
        assert [type(j) for j in jobs] == [kind, kind]
    (out / entries[0].path).write_text("edited")  # no longer what was written
    jobs = plan(load_project(root), html, Problems([]), Previous(out, entries).reuse)
    assert [type(j) for j in jobs] == [Rendered, Kept]
    assert Previous(out, entries).damaged(set()) == {("tiny", "officials", "en"): ("html",)}


def test_the_renderer_fingerprint_covers_the_projects_fonts(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    bundled = renderer_fingerprint(Theme.of(root))
    fonts = root / "templates" / "fonts"
    fonts.mkdir(parents=True)
    assert renderer_fingerprint(Theme.of(root)) == bundled  # no font yet
    # small real fonts: check and build read every font of templates/fonts/ (BG291)
    noto = Path("/usr/share/fonts/truetype/noto")
    (fonts / "Extra.ttf").write_bytes((noto / "NotoSansLycian-Regular.ttf").read_bytes())
    with_font = renderer_fingerprint(Theme.of(root))
    assert with_font != bundled and renderer_fingerprint(Theme.of(root)) == with_font
    (fonts / "Extra.ttf").write_bytes((noto / "NotoSansLydian-Regular.ttf").read_bytes())
    assert renderer_fingerprint(Theme.of(root)) not in (bundled, with_font)

    def keys() -> dict[str, str]:
        return {j.format: j.key for j in plan(load_project(root), Selection(
            audiences=("officials",)), Problems([]))}

    before = keys()
    (fonts / "More.ttf").write_bytes((noto / "NotoSansOgham-Regular.ttf").read_bytes())
    after = keys()
    assert after["html"] == before["html"] and after["pdf"] != before["pdf"]


def test_pdfs_rendered_in_process_use_the_sessions_renderer(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    session = Session(root)
    project = load_project(root, session=session)
    pdfs = Selection(formats=("pdf",))
    report = build(project, Options(out=root / "build", selection=pdfs), session=session)
    assert [e.pages for e in report.built] == [1, 1]
    renderer = session.pdf
    assert renderer is not None and session.pdf_rendered == 2
    build(project, Options(out=root / "build", selection=pdfs, force=True), session=session)
    assert session.pdf is renderer and session.pdf_rendered == 4
    session.reset()  # a save: the fonts are unchanged, the renderer (fonts loaded) stays
    assert session.pdf is renderer
    (root / "templates" / "fonts").mkdir(parents=True)
    (root / "templates" / "fonts" / "More.otf").write_bytes(b"a font added")
    session.reset()  # the next renderer loads the theme's fonts again
    assert session.pdf is None and session.pdf_rendered == 0


def test_a_refused_output_folder_has_its_code(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    with pytest.raises(BriefError) as refused:
        check_out_dir(root / "content", load_project(root))
    [problem] = refused.value.problems
    assert problem.code == "BG401"
    assert str(problem) == (f"briefgen: refusing to build into {(root / 'content').resolve()}: "
                            "it is the content folder or contains it; choose a separate "
                            "folder such as build/")
    result = run("build", "--out", str(root / "content"), project=root)
    assert result.exit_code == 1 and str(problem) + "\n" == result.stderr


def test_merging_manifests_reports_missing_and_disagreeing_shards(tmp_path: Path) -> None:
    entry = {"brief": "b", "audience": "a", "language": "en", "format": "html",
             "path": "b/a/en/b-a-en.html", "title": "T", "sha256": "0" * 64, "bytes": 1,
             "key": "K"}
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    one.write_text(json.dumps({"artifacts": [entry]}))
    two.write_text(json.dumps({"artifacts": [{**entry, "sha256": "1" * 64}]}))
    with pytest.raises(BriefError) as missing:
        merge_manifests([one, tmp_path / "three.json"])
    assert [(p.code, p.message) for p in missing.value.problems] == [
        ("BG404", f"{tmp_path / 'three.json'}: no such manifest")]
    with pytest.raises(BriefError) as differs:
        merge_manifests([one, two])
    assert [(p.code, str(p)) for p in differs.value.problems] == [
        ("BG405", f"{two}: b/a/en/b-a-en.html differs from another shard's copy")]
    merged = json.loads(merge_manifests([one, one]))
    assert merged["artifacts"] == [entry | {"inputs": "", "guard": ""}]
    result = run("manifest", "merge", str(one), str(two), "--out", str(tmp_path / "m.json"),
                 project=tmp_path)
    assert result.exit_code == 1 and "differs from another shard's copy" in result.stderr


def test_index_page_leaks_have_a_build_code(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    problems = Problems([])
    check_indexes(load_project(root), {"pub/index.html": "<p>The secret annex</p>",
                                       "officials/index.html": "<p>The secret annex</p>"},
                  problems)
    assert [(p.code, str(p)) for p in problems.items] == [
        ("BG409", "pub/index.html: forbidden phrase 'secret annex' for audience pub appears in "
                  "pub/index.html (index page) (reword the title or label it shows)")]


def test_build_watch_keeps_one_session_and_resets_it_between_builds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import briefgen.cli as cli
    import briefgen.commands.serve as serve

    root = make_project(tmp_path, "Text.\n")
    sessions: list[Session | None] = []
    resets: list[tuple[Session, object, int]] = []
    real_load, real_reset = cli._load, Session.reset
    brief = root / "content/briefs/tiny/brief.yaml"

    def load(project: Path, session: Session | None = None, lazy: bool = False) -> object:
        sessions.append(session)
        return real_load(project, session, lazy)

    def reset(session: Session, changed: object = None) -> None:
        real_reset(session, changed)  # type: ignore[arg-type]
        resets.append((session, changed, len(session.environments)))

    def watch(project: Path, again: Callable[[bool, object], None]) -> None:
        again(True, None)
        brief.write_text(brief_yaml("Other text.\n"))
        again(False, frozenset({brief}))  # the paths the watcher saw saved

    monkeypatch.setattr(cli, "_load", load)
    monkeypatch.setattr(Session, "reset", reset)
    monkeypatch.setattr(serve, "watch", watch)
    result = run("build", "--watch", "--format", "html", project=root)
    assert result.exit_code == 0, result.output
    # a save under content/ keeps the compiled templates (Session.reset)
    assert len(sessions) == 2 and sessions[0] is sessions[1]
    assert resets == [(sessions[0], frozenset({brief}), 1)]
    assert result.stdout.count("2 built, 0 unchanged, 0 pruned") == 2  # the edit rebuilt both
    assert "Other text." in (root / "build/tiny/pub/en/tiny-pub-en.html").read_text()
