"""Issue #12's deliberate guard bugs, each applied to a throw-away copy of the project and
run against the tests that should kill it.  The work tree is never touched: every mutant
lives in its own copy under a temporary folder (other people edit the tree meanwhile).

    .venv/bin/python scripts/hand_mutants.py            # every mutant
    .venv/bin/python scripts/hand_mutants.py NAME ...   # some of them
    .venv/bin/python scripts/hand_mutants.py --list
    .venv/bin/python scripts/hand_mutants.py --tests=tests/test_properties.py NAME ...

A mutant is killed when pytest exits 1 (a test failed).  Exit 2-5 (collection error, no
tests, ...) means the mutant or the test list is broken, and is reported as such; a
replacement that does not match the source exactly once is an error too (the code moved:
update the mutant).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_CACHES = shutil.ignore_patterns(".venv", ".git", "mutants", ".hypothesis", "__pycache__",
                                 ".mypy_cache", ".ruff_cache", ".pytest_cache")


def IGNORE(folder: str, names: list[str]) -> set[str]:  # noqa: N802 - copytree's ignore
    """What a mutant's copy leaves out: caches, and the output folder build/ (not
    briefgen/build/, the build stage, whose code the mutants change)."""
    top = {"build"} & set(names) if Path(folder) == REPO else set()
    return set(_CACHES(folder, names)) | top


@dataclass
class Mutant:
    name: str
    edits: list[tuple[str, str, str]]  # (file, old, new): old must occur exactly once
    tests: list[str]  # pytest node ids or files that should kill it


MUTANTS = [
    Mutant("two-ids-first-only",
           [("briefgen/content/syntax.py", "inside = audience in words[1:]",
             "inside = audience in words[1:2]")],
           ["tests/test_syntax.py::test_a_block_for_two_audiences_shows_to_each",
            "tests/test_properties.py"]),
    Mutant("two-ids-first-only-canonical",  # the same slip where ids are sorted first
           [("briefgen/content/syntax.py", "inside = audience in words[1:]",
             "inside = audience in sorted(words[1:])[:1]")],
           ["tests/test_syntax.py::test_a_block_for_two_audiences_shows_to_each",
            "tests/test_properties.py"]),
    Mutant("nested-blocks-innermost-only",
           [("briefgen/edition/markdown.py", "        if all(shown):\n            out.append(tok)",
             "        if all(shown[-1:]):\n            out.append(tok)")],
           ["tests/test_syntax.py::test_nested_blocks_and_spans_need_every_level",
            "tests/test_properties.py"]),
    Mutant("nested-spans-innermost-only",
           [("briefgen/edition/markdown.py",
             "        if all(s for s, _ in stack):\n            out.append(tok)\n    return out",
             "        if all(s for s, _ in stack[-1:]):\n            out.append(tok)\n"
             "    return out")],
           ["tests/test_syntax.py::test_nested_blocks_and_spans_need_every_level",
            "tests/test_properties.py"]),
    Mutant("nested-definitions-innermost-only",
           [("briefgen/content/syntax.py",
             "shown = audience is None or all(spec_shows(s, audience) for s in scope)",
             "shown = audience is None or all(spec_shows(s, audience) for s in scope[-1:])")],
           ["tests/test_syntax.py", "tests/test_properties.py"]),
    Mutant("translation-skeleton-innermost-only",
           [("briefgen/content/syntax.py",
             "return all(spec_shows(s, audience) for s in self.path)",
             "return all(spec_shows(s, audience) for s in self.path[-1:])")],
           ["tests/test_syntax.py", "tests/test_mutation_kills.py"]),
    Mutant("guard-ignores-meta-content-and-aria-label",
           [("briefgen/publish/guard.py", '    if name in ("href", "src"):',
             '    if name in ("content", "aria-label"):\n        return False\n'
             '    if name in ("href", "src"):')],
           ["tests/test_guard.py", "tests/test_leak_corpus.py"]),
    Mutant("guard-ignores-meta-content",
           [("briefgen/publish/guard.py", '    if name in ("href", "src"):',
             '    if name == "content":\n        return False\n    if name in ("href", "src"):')],
           ["tests/test_guard.py", "tests/test_leak_corpus.py"]),
    Mutant("guard-ignores-aria-label",
           [("briefgen/publish/guard.py", '    if name in ("href", "src"):',
             '    if name == "aria-label":\n        return False\n'
             '    if name in ("href", "src"):')],
           ["tests/test_guard.py", "tests/test_leak_corpus.py"]),
    Mutant("guard-ignores-pdf-metadata-and-bookmarks",
           [("briefgen/publish/pdftext.py",
             '"PDF metadata": "\\n".join(metadata),\n            '
             '"PDF bookmarks": "\\n".join(bookmarks),',
             '"PDF metadata": "",\n            "PDF bookmarks": "",'),
            ("briefgen/build/formats.py",
             '("PDF metadata", texts.pdf.metadata),\n                               '
             '("PDF bookmarks", texts.pdf.bookmarks)',
             '("PDF metadata", []),\n                               ("PDF bookmarks", [])')],
           ["tests/test_guard_outputs.py", "tests/test_incremental.py",
            "tests/test_mutation_kills.py"]),
    Mutant("guard-ignores-pdf-metadata-and-bookmarks-when-rendering",  # the layout's only
           [("briefgen/build/formats.py",
             '("PDF metadata", texts.pdf.metadata),\n                               '
             '("PDF bookmarks", texts.pdf.bookmarks)',
             '("PDF metadata", []),\n                               ("PDF bookmarks", [])')],
           ["tests/test_guard_outputs.py", "tests/test_mutation_kills.py"]),
    Mutant("guard-ignores-pdf-metadata-and-bookmarks-when-reguarding",  # the bytes' only
           [("briefgen/publish/pdftext.py",
             '"PDF metadata": "\\n".join(metadata),\n            '
             '"PDF bookmarks": "\\n".join(bookmarks),',
             '"PDF metadata": "",\n            "PDF bookmarks": "",')],
           ["tests/test_guard_outputs.py", "tests/test_incremental.py",
            "tests/test_mutation_kills.py"]),
    Mutant("pdf-variant-not-in-incremental-key",
           [("briefgen/build/keys.py", 'path, selection.variant or "",', 'path, "",')],
           ["tests/test_incremental.py::test_pdf_variant_is_part_of_the_incremental_key"]),
    Mutant("same-size-edit-not-rebuilt",
           [("briefgen/build/keys.py",
             "\n                                   and sha(target.read_bytes()) == old.sha256)",
             ")")],
           ["tests/test_incremental.py::"
            "test_artifact_edited_on_disk_at_the_same_size_is_rebuilt"]),
    Mutant("meta-unit-staleness-unchecked",
           [("briefgen/content/checks.py", "elif unit.source_hash != source.hash:",
             'elif uid != "meta" and unit.source_hash != source.hash:')],
           ["tests/test_translations.py", "tests/test_mutation_kills.py"]),
]


def copy_with(mutant: Mutant, into: Path) -> Path:
    dest = into / mutant.name
    shutil.copytree(REPO, dest, ignore=IGNORE, symlinks=True)
    for rel, old, new in mutant.edits:
        path = dest / rel
        text = path.read_text(encoding="utf-8")
        if text.count(old) != 1:
            raise SystemExit(f"{mutant.name}: {rel}: the text to replace occurs "
                             f"{text.count(old)} times, not once: update the mutant")
        path.write_text(text.replace(old, new), encoding="utf-8")
    return dest


def run(mutant: Mutant, into: Path, only: list[str]) -> tuple[str, float, str]:
    dest = copy_with(mutant, into)
    tests = [t for t in only or mutant.tests if (dest / t.split("::")[0]).exists()]
    env = {**os.environ, "PYTHONPATH": str(dest), "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                           "-p", "no:randomly", *tests], cwd=dest, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    failed = [line for line in proc.stdout.splitlines() if line.startswith("FAILED")]
    verdict = {0: "SURVIVED", 1: "killed"}.get(proc.returncode, f"BROKEN (exit {proc.returncode})")
    detail = failed[0][7:] if failed else proc.stdout.strip().splitlines()[-1:][0] \
        if proc.stdout.strip() else proc.stderr[-300:]
    shutil.rmtree(dest, ignore_errors=True)
    return verdict, seconds, detail


def main(argv: list[str]) -> int:
    if "--list" in argv:
        for m in MUTANTS:
            print(m.name)
        return 0
    only = [a.removeprefix("--tests=") for a in argv if a.startswith("--tests=")]
    argv = [a for a in argv if not a.startswith("--tests=")]
    chosen = [m for m in MUTANTS if not argv or m.name in argv]
    if argv and len(chosen) != len(argv):
        raise SystemExit(f"unknown mutant(s): {set(argv) - {m.name for m in MUTANTS}}")
    survivors = 0
    with tempfile.TemporaryDirectory(prefix="briefgen-hand-mutants-") as tmp:
        for mutant in chosen:
            verdict, seconds, detail = run(mutant, Path(tmp), only)
            survivors += verdict != "killed"
            print(f"{mutant.name:58} {verdict:9} {seconds:6.1f}s  {detail}", flush=True)
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
