"""The bad-input corpus: each tests/data/invalid/<case>/ must produce exactly expected.txt.

A case is a case.yaml that edits a copy of tests/data/valid (exact text replacements,
new files, raw bytes) and names the command, plus expected.txt: the exact stderr.
Regenerate expected.txt files with: pytest tests/test_invalid.py --update-golden
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import TESTS, run

CASES = sorted(p for p in (TESTS / "data" / "invalid").iterdir() if p.is_dir())


def apply_case(case: Path, project: Path) -> dict:  # type: ignore[type-arg]
    spec = YAML(typ="safe").load((case / "case.yaml").read_text(encoding="utf-8"))
    for rel, edits in (spec.get("edit") or {}).items():
        path = project / rel
        text = path.read_text(encoding="utf-8")
        for old, new in edits:
            assert old in text, f"{case.name}: {old!r} not found in {rel}"
            text = text.replace(old, new, 1)
        path.write_bytes(text.encode("utf-8"))
    for rel, text in (spec.get("write") or {}).items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_bytes(text.encode("utf-8"))
    for rel, how in (spec.get("write_bytes") or {}).items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = path.read_bytes() if path.exists() else b""
        if "prefix_hex" in how:
            data = bytes.fromhex(how["prefix_hex"]) + data
        if "crlf" in how:
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if "append_hex" in how:
            data = data + bytes.fromhex(how["append_hex"])
        if "pad_mb" in how:
            data = data + b"#" * (how["pad_mb"] * 1_000_000)
        path.write_bytes(data)
    for rel in spec.get("chmod_000") or []:
        (project / rel).chmod(0)
    for rel, target in (spec.get("symlink") or {}).items():
        (project / rel).symlink_to(target)
    return spec


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Path, project: Path, update_golden: bool) -> None:
    spec = apply_case(case, project)
    args = [*spec.get("command", ["check"])]
    if "--out" in args:
        i = args.index("--out")
        args[i + 1] = str(project / args[i + 1])
    result = run(*args, project=project)
    expected = case / "expected.txt"
    stderr = result.stderr.replace(str(project), "<project>")
    if update_golden:
        expected.write_text(stderr, encoding="utf-8")
    assert "Traceback" not in result.output
    assert result.exit_code == spec.get("exit", 1), result.output
    assert stderr == expected.read_text(encoding="utf-8"), \
        f"regenerate with: pytest {__file__} --update-golden"
