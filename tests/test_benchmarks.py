"""The benchmarks' own machinery (benchmarks/): the synthetic catalogue loads without a warning
and gives every brief its own text; run.py's generated README block names the commit it
measured. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.content.project import load_project

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
sys.path.insert(0, str(BENCH))

import make_catalogue  # noqa: E402
import run  # noqa: E402

SHARED_FIELDS = {"series", "keywords", "name", "honorific", "affiliation"}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("catalogue") / "cat"
    assert make_catalogue.make(3, out) == [f"alliance-brief-00{i}" for i in (1, 2, 3)]
    return out


def test_a_catalogue_loads_without_a_warning(catalogue: Path) -> None:
    project = load_project(catalogue)
    assert [p.message for p in project.warnings] == []
    assert sorted(project.briefs) == ["alliance-brief-001", "alliance-brief-002",
                                      "alliance-brief-003"]
    shipped = load_project(REPO).briefs[make_catalogue.SHIPPED]
    for src in project.briefs.values():
        assert sorted(src.translations) == sorted(shipped.translations)
        assert sorted(src.units) == sorted(shipped.units)


def test_every_translated_markdown_field_is_the_briefs_own(catalogue: Path) -> None:
    """In the source and in each translation, every field but the shared ones differs from
    the other briefs' (so no memo keyed by text can serve two briefs), and charts and
    references are the shipped brief's."""
    briefs = load_project(catalogue).briefs
    one, two = briefs["alliance-brief-001"], briefs["alliance-brief-002"]
    varied = shared = 0
    for uid, unit in one.units.items():
        for name, value in unit.fields.items():
            same = value == two.units[uid].fields[name]
            if uid.startswith("chart.") or name in SHARED_FIELDS:
                assert same, (uid, name)
                shared += 1
            else:
                assert not same, (uid, name)
                varied += 1
    for lang, tr in one.translations.items():
        theirs = two.translations[lang].value.units
        for uid, unit in tr.value.units.items():
            for name, value in unit.fields().items():
                same = value == theirs[uid].fields()[name]
                assert same == (uid.startswith("chart.") or name in SHARED_FIELDS), \
                    (lang, uid, name)
    assert varied > 50 and shared > 5
    # every paragraph of a body, not only the field: "(Brief 2.)" ends each line of prose
    body = two.units["introduction"].fields["body"]
    assert isinstance(body, str)
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    assert len(paragraphs) == 3
    assert all(p.rstrip().endswith("(Brief 2.)") for p in paragraphs)
    shipped = REPO / "content" / "briefs" / make_catalogue.SHIPPED
    for name in ("references.json", "charts/sma.chart.yaml", "charts/sma.csv"):
        assert (one.dir / name).read_bytes() == (shipped / name).read_bytes()


def test_the_edits_the_benchmarks_make_are_in_every_brief(catalogue: Path) -> None:
    for slug in ("alliance-brief-001", "alliance-brief-003"):
        text = (catalogue / "content" / "briefs" / slug / "brief.yaml").read_text()
        assert text.count(run.EDIT_OLD) == 1
        assert text.count(run.CHECK_OLD) == 1


def test_a_catalogue_replaces_only_its_own_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("someone's file")
    with pytest.raises(SystemExit, match="refusing to replace it"):
        make_catalogue.make(1, tmp_path)
    assert (tmp_path / "keep.txt").exists()


def test_the_readme_block_names_the_commit_measured() -> None:
    results = {"mode": "full", "date": "2026-12-02 10:00:00 +0000", "elapsed_s": 3600.0,
               "git": {"commit": "0123456789abcdef0123", "dirty": True,
                       "changed_files": ["briefgen/cli.py"]},
               "machine": {"nproc": 2, "cpu": "a CPU", "ram_gib": 23.5, "python": "3.11.7",
                           "weasyprint": "70.0"},
               "load_average_before": [0.1, 0, 0], "load_average_after": [1.5, 0, 0],
               "figures": [{"id": "7b", "name": "check", "value": 3950.4, "target": 55,
                            "unit": "ms", "pass": False, "note": "n", "shown": None},
                           {"id": "7d", "name": "changed", "value": None, "target": None,
                            "unit": "x", "pass": None, "note": "",
                            "shown": "not available"}]}
    block = run.readme_block(results)
    lines = block.splitlines()
    assert lines[0].startswith(run.BEGIN) and lines[-1] == run.END
    assert "on commit `0123456789ab` with uncommitted changes (`briefgen/cli.py`)" in block
    assert "| 7b | check | 3950 ms | ≤ 55 ms | **MISS** | n |" in lines
    assert "| 7d | changed | not available | – | info |  |" in lines


def test_the_readme_has_one_generated_block() -> None:
    text = (BENCH / "README.md").read_text()
    assert text.count(run.BEGIN) == 1 and text.count(run.END) == 1
    assert text.index(run.BEGIN) < text.index(run.END)


def test_only_names_a_step(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, str(BENCH / "run.py"), "--only", "html,nope",
                        "--work", "/tmp/bench-never-made"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "--only: no step nope (steps: floor, jobs, html, memory, check, shard, preview, " \
        "pandoc)" in r.stderr
    assert not Path("/tmp/bench-never-made").exists()


def test_from_results_prints_the_block_without_measuring(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"mode": "quick", "figures": [], "git": {}}))
    r = subprocess.run([sys.executable, str(BENCH / "run.py"), "--from-results",
                        str(results)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(run.BEGIN)
    assert "(quick mode) on commit unknown" in r.stdout


def test_readme_writes_the_block_in_place_and_nothing_else(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    readme = tmp_path / "README.md"
    original = (BENCH / "README.md").read_text()
    readme.write_text(original)
    monkeypatch.setattr(run, "README", readme)
    block = run.readme_block({"mode": "full", "figures": [], "git": {"commit": "f" * 40,
                                                                      "dirty": False}})
    run.write_readme(block)
    text = readme.read_text()
    start = original.index("\n" + run.BEGIN) + 1
    end = original.index("\n" + run.END) + 1 + len(run.END)
    assert text == original[:start] + block + original[end:]
    assert "on commit `ffffffffffff`, clean tree" in text


def test_the_old_check_imports_the_old_briefgen(tmp_path: Path) -> None:
    """7e times briefgen as of an old commit, unpacked into a folder and put on PYTHONPATH.
    Run from the repository, `python -m` would import today's briefgen instead (the working
    folder comes first on sys.path): 7e compared today's code with itself until this was
    found. run.py runs the old code from its own folder, and proves the import first."""
    old = tmp_path / "then"
    (old / "briefgen").mkdir(parents=True)
    (old / "briefgen" / "__init__.py").write_text("")
    env = {"PYTHONPATH": str(old), "PATH": "/usr/bin:/bin"}
    assert run.then_imports(old, env) == old / "briefgen"
    assert run.then_imports(REPO, env) == REPO / "briefgen"  # the trap the harness avoids
