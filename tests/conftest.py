"""Shared fixtures: a copy of the test project, the CLI, and one build of the shipped briefs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from briefgen.cli import main

TESTS = Path(__file__).parent
REPO = TESTS.parent
VALID = TESTS / "data" / "valid"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite tests/golden/ from the current output.")


@pytest.fixture(scope="session", autouse=True)
def parse_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The parse cache stays on, as for users, but in a folder of this test session (the
    variable reaches the commands tests run in subprocesses, too)."""
    folder = tmp_path_factory.mktemp("parse-cache")
    os.environ["BRIEFGEN_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A writable copy of tests/data/valid."""
    dest = tmp_path / "project"
    shutil.copytree(VALID, dest)
    return dest


@pytest.fixture
def preview(project: Path) -> Callable[[str], tuple[int, str, str]]:
    """What serve's request handler answers for a path: status, type, body."""
    from briefgen.commands.serve import Preview

    server = Preview(project)

    def get(path: str) -> tuple[int, str, str]:
        status, kind, body = server.page(path)
        return status, kind, body.decode("utf-8", "replace")
    return get


def run(*args: str, project: Path | None = None) -> Result:
    """Run the CLI in-process; stdout and stderr separate."""
    argv = list(args)
    if project is not None:
        argv += ["--project", str(project)]
    return CliRunner().invoke(main, argv, catch_exceptions=False)


def run_subprocess(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point, as a user would."""
    return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def weasyprint_imported(*args: str, cwd: Path) -> tuple[object, bool]:
    """Run a briefgen command in a fresh interpreter: its exit code, and whether it
    imported WeasyPrint."""
    code = ("import sys; from briefgen.cli import main\n"
            f"try:\n    main({list(args)!r})\nexcept SystemExit as e:\n    code = e.code\n"
            "print(code, any(m.startswith('weasyprint') for m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, check=True)
    exit_code, imported = proc.stdout.split()
    return int(exit_code), imported == "True"


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped briefs built once (every audience, language and format)."""
    out = tmp_path_factory.mktemp("shipped") / "build"
    result = CliRunner().invoke(main, ["build", "--project", str(REPO), "--out", str(out),
                                       "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out
