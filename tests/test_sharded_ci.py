"""Sharded CI for real: the sequence of .github/workflows/briefs.yml's sharding example, run
as four CI machines would run it (four processes, four output folders, then one folder that
receives every shard's files and merges the manifests), gives exactly a full build."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
VALID = Path(__file__).parent / "data" / "valid"
SHARDS = 4


def briefgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def workflow_steps() -> list[str]:
    """The commented sharding jobs' `run:` lines, uncommented."""
    text = (REPO / ".github/workflows/briefs.yml").read_text()
    example = text[text.index("# --- Example: sharding"):]
    return [m.group(1).strip() for m in re.finditer(r"#\s+(?:- )?run: (.+)", example)]


def test_the_workflow_example_runs_the_sequence_this_test_runs() -> None:
    steps = workflow_steps()
    assert "briefgen build --strict --shard ${{ matrix.shard }}/4 --out build" in steps
    assert "briefgen manifest merge build/manifest.shard-*.json --out build/manifest.json" \
        in steps
    assert "matrix:\n#        shard: [1, 2, 3, 4]" in (
        REPO / ".github/workflows/briefs.yml").read_text()


@pytest.mark.parametrize("formats", [("html",), ("html", "pdf")], ids=["html", "all"])
def test_four_shards_on_four_machines_merge_to_exactly_a_full_build(
        tmp_path: Path, formats: tuple[str, ...]) -> None:
    project = tmp_path / "project"
    shutil.copytree(VALID, project)
    picked = [arg for f in formats for arg in ("--format", f)]
    briefgen("build", "--strict", "--jobs", "1", *picked, "--out", str(tmp_path / "full"),
             cwd=project)
    full = tree(tmp_path / "full")

    # the shard jobs: each machine checks out the project and builds its shard into build/
    shard_trees = []
    for k in range(1, SHARDS + 1):
        machine = tmp_path / f"machine{k}"
        shutil.copytree(project, machine)
        briefgen("build", "--strict", "--jobs", "1", *picked, "--shard", f"{k}/{SHARDS}",
                 "--out", "build", cwd=machine)
        shard_trees.append(tree(machine / "build"))
    assert all(f"manifest.shard-{k}-of-{SHARDS}.json" in t
               for k, t in enumerate(shard_trees, start=1))
    assert all("manifest.json" not in t for t in shard_trees)

    # the merge job: download-artifact with merge-multiple puts every shard's files in one
    # build/ (a path two shards both wrote must hold the same bytes, or one would be lost)
    merger = tmp_path / "merger"
    shutil.copytree(project, merger)
    received: dict[str, bytes] = {}
    for t in shard_trees:
        for path, data in t.items():
            assert received.setdefault(path, data) == data, f"shards disagree on {path}"
            target = merger / "build" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    briefgen("manifest", "merge", *sorted(f"build/manifest.shard-{k}-of-{SHARDS}.json"
                                          for k in range(1, SHARDS + 1)),
             "--out", "build/manifest.json", cwd=merger)
    merged = {path: data for path, data in tree(merger / "build").items()
              if not path.startswith("manifest.shard-")}
    assert sorted(merged) == sorted(full)
    assert merged == full


def test_shards_deal_whole_editions_so_each_renders_its_share_of_pdfs() -> None:
    """Dealing paths round-robin gave every PDF to the even shards (an edition's page and
    PDF sort side by side): two machines rendered nothing but pages."""
    from briefgen.build.plan import Artifact, shard

    artifacts = [Artifact(f"b{b}", aud, lang, fmt) for b in range(7)
                 for aud, lang in (("pub", "en"), ("pub", "ko"), ("off", "en"))
                 for fmt in ("html", "pdf")]
    parts = [shard(artifacts, k, 4) for k in range(1, 5)]
    assert sorted(a.path for part in parts for a in part) == sorted(a.path for a in artifacts)
    pdfs = [sum(a.format == "pdf" for a in part) for part in parts]
    assert max(pdfs) - min(pdfs) <= 1 and sum(pdfs) == 21
    for part in parts:
        editions = {(a.brief, a.audience, a.language) for a in part}
        assert len(part) == 2 * len(editions)  # page and PDF of each edition together
