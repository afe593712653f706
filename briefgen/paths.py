"""Where briefgen may read and write: one check, used at every file access.

A project's content, templates and translations are untrusted (in CI they come from a pull
request), and a symbolic link in them can point anywhere (`/proc/self/environ`, another
repository, `content/` from inside `build/`). `confined` resolves a path, symlinks
included, and refuses it unless it lies inside one of the given roots:

    from briefgen.paths import confined, read_roots

    # reads: the project folder, briefgen's package and its own templates
    css = confined(folder / "css" / "screen.css", read_roots(project_root),
                   "templates/css/screen.css")          # raises BriefError if outside
    text = css.read_text(encoding="utf-8")

    # writes: the output folder only
    target = confined(out / rel, (out,), rel, label="output folder")

`refusal` is the same check returning the Problem (or None), for code that collects
problems instead of stopping at the first. Both are cheap (one `Path.resolve`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from briefgen.errors import BriefError, Problem


def read_roots(project: Path) -> tuple[Path, ...]:
    """Every folder briefgen may read from: the project, briefgen's package, its templates."""
    from briefgen.theme import bundled as templates_dir

    return (project.resolve(), Path(__file__).resolve().parent, templates_dir().resolve())


def refusal(path: Path, roots: Iterable[Path], shown: str, line: int = 0, col: int = 0,
            label: str = "project folder") -> Problem | None:
    """None if `path`, resolved with its symlinks, lies inside one of `roots` (each resolved
    here too); else a Problem at `shown`:line:col (which never names the link's target:
    it may be a secret, and a golden file must not depend on it)."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError up to Python 3.12)
        return Problem(shown, line, col, "is a symbolic link that loops", code="BG002",
                       hint="replace the link with the file itself")
    if any(real.is_relative_to(root.resolve()) for root in roots):
        return None
    return Problem(shown, line, col, f"leads outside the {label} through a symbolic link",
                   hint="briefgen reads only the project and its own templates, and writes "
                   "only into the output folder; copy the file instead of linking to it",
                   code="BG001")


def confined(path: Path, roots: Iterable[Path], shown: str, line: int = 0, col: int = 0,
             label: str = "project folder") -> Path:
    """`path` resolved (symlinks included) if it lies inside one of `roots`; otherwise raise
    BriefError with a `shown:line:col` problem. Use the returned path for the access."""
    if (problem := refusal(path, roots, shown, line, col, label)) is not None:
        raise BriefError([problem])
    return path.resolve()
