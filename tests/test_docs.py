"""docs/architecture.md stays a true map: every file, definition and test it names exists,
and every module of briefgen is on it. When this fails, fix the page (or the code)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "architecture.md"
TEXT = PAGE.read_text(encoding="utf-8")

# A path starts a word (so tests/data/x/templates/… is not taken for templates/…); `<type>`
# and the like stand for any name. `briefgen/x.py:Name.attr` names a definition in the file.
PY = re.compile(r"(?<![\w/.-])(briefgen/[\w/]+\.py)(?::([A-Za-z_][\w.]*))?")
TEMPLATES = re.compile(r"(?<![\w/.-])(templates/[\w./<>-]*[\w>])")
TESTS = re.compile(r"(?<![\w/.-])(tests/[\w/.-]+\.py)(?:::(\w+))?")


def _exists(rel: str) -> bool:
    """rel exists under the repository; a <placeholder> matches any name."""
    if "<" not in rel:
        return (ROOT / rel).exists()
    return any(ROOT.glob(re.sub(r"<[^>]*>", "*", rel)))


def _defines(path: Path, dotted: str) -> bool:
    """Each part of Name.attr is defined in the file (class, def, or an assignment)."""
    source = path.read_text(encoding="utf-8")
    return all(re.search(rf"^\s*(?:class|def)\s+{re.escape(part)}\b|"
                         rf"^\s*{re.escape(part)}\s*(?::[^=\n]*)?=", source, re.M)
               for part in dotted.split("."))


def test_every_briefgen_path_and_definition_named_exists() -> None:
    named = PY.findall(TEXT)
    assert named, "the page names no module"
    missing = [path for path, _ in named if not (ROOT / path).is_file()]
    assert missing == [], f"docs/architecture.md names modules that do not exist: {missing}"
    undefined = [f"{path}:{name}" for path, name in named
                 if name and not _defines(ROOT / path, name)]
    assert undefined == [], f"docs/architecture.md names undefined things: {undefined}"


def test_every_templates_path_named_exists() -> None:
    named = TEMPLATES.findall(TEXT)
    assert named, "the page names no template"
    missing = [path for path in named if not _exists(path.rstrip("/"))]
    assert missing == [], f"docs/architecture.md names templates that do not exist: {missing}"


def test_every_test_named_exists() -> None:
    named = TESTS.findall(TEXT)
    assert named, "the page points at no test"
    missing = [f"{path}::{name}" if name else path for path, name in named
               if not (ROOT / path).is_file()
               or (name and not re.search(rf"^def {name}\(", (ROOT / path).read_text(
                   encoding="utf-8"), re.M))]
    assert missing == [], f"docs/architecture.md points at tests that do not exist: {missing}"


@pytest.mark.parametrize("module", sorted(
    p.relative_to(ROOT).as_posix() for p in (ROOT / "briefgen").rglob("*.py")
    if p.name not in ("__init__.py", "__main__.py") and "__pycache__" not in p.parts))
def test_every_module_is_on_the_map(module: str) -> None:
    assert re.search(rf"(?<![\w/.-]){re.escape(module)}\b", TEXT), \
        f"{module} is not named in docs/architecture.md: say what it owns there"
