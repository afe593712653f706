"""Every problem briefgen reports carries a registered code, and docs/problems.md lists them.

Regenerate the page with: python -m briefgen.codes > docs/problems.md
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from briefgen.codes import all_codes, page
from briefgen.errors import printable

from conftest import TESTS, run
from test_invalid import CASES, apply_case

ROOT = TESTS.parent
SUMMARY = re.compile(r"briefgen: (\d+ errors? in \d+ files?|content is valid.*)$")
USED = re.compile(r"""code=["'](BG\d{3})["']""")


def test_the_page_lists_every_code() -> None:
    assert (ROOT / "docs" / "problems.md").read_text(encoding="utf-8") == page(), \
        "regenerate with: python -m briefgen.codes > docs/problems.md"


def test_every_code_used_is_registered_and_every_registered_code_is_used() -> None:
    used: dict[str, list[str]] = {}
    for path in sorted((ROOT / "briefgen").rglob("*.py")):
        if path.name == "codes.py":
            continue
        for code in USED.findall(path.read_text(encoding="utf-8")):
            used.setdefault(code, []).append(path.relative_to(ROOT).as_posix())
    registered = all_codes()
    assert sorted(set(used) - set(registered)) == []
    assert sorted(set(registered) - set(used)) == []


def test_codes_have_stage_prefixes_and_examples() -> None:
    for code in all_codes().values():
        assert re.fullmatch(r"BG[0-6]\d\d", code.code), code
        assert code.title and code.example, code


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_reported_problem_has_a_registered_code(case: Path, project: Path) -> None:
    """The bad-input corpus again, with --output-format json: one JSON object per problem
    the text output prints (tests/data/invalid/<case>/expected.txt), each with a registered
    code, the same place and the same message."""
    spec = apply_case(case, project)
    args = [*spec.get("command", ["check"])]
    if "--out" in args:
        i = args.index("--out")
        args[i + 1] = str(project / args[i + 1])
    result = run(*args, "--output-format", "json", project=project)
    assert result.exit_code == spec.get("exit", 1), result.output
    problems = [json.loads(line) for line in result.stderr.splitlines()
                if line.startswith("{")]
    expected = [line for line in (case / "expected.txt").read_text(encoding="utf-8")
                .replace("<project>", str(project)).splitlines()
                if line and not line.startswith("[") and not SUMMARY.match(line)]
    assert len(problems) == len(expected), result.stderr
    registered = all_codes()
    for problem, line in zip(problems, expected, strict=True):
        assert problem["code"] in registered, (problem, line)
        assert line.startswith(printable(problem["path"])), (problem, line)
        assert printable(problem["message"]) in line, (problem, line)
