"""A translation's source is what its language's readers see (briefgen/content/readers.py):
an edit only other audiences see changes no hash of that language; a shared edit does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefgen.content.project import load_project
from briefgen.content.readers import seen_text

from conftest import run

ROOT = Path(__file__).resolve().parent.parent
BRIEF = "content/briefs/rok-us-alliance-modernization/brief.yaml"
ANCHOR = ("adversaries find believable -- while the most politically charged questions are "
          "handled in separate channels.\n")
ROK = frozenset({"rok-public"})


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    for folder in ("content", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder, symlinks=True)
    return tmp_path


def hashes(root: Path) -> dict[tuple[str, str], str]:
    project = load_project(root)
    src = project.briefs["rok-us-alliance-modernization"]
    return {(lang, uid): unit.hash_for(project.readers(lang))
            for lang in ("ko", "zh-Hans") for uid, unit in src.units.items()}


def edit(root: Path, old: str, new: str) -> None:
    path = root / BRIEF
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize("added", [
    # a new block for the one audience that reads no ko or zh-Hans
    "\n      ::: audience us-government\n      Brief the NSC staff before the next SCM.\n"
    "      :::\n",
    # a block that excludes both audiences that read them
    "\n      ::: exclude-audience rok-public beijing-outreach\n      Officials only.\n"
    "      :::\n",
])
def test_an_edit_no_reader_of_a_language_sees_changes_none_of_its_hashes(
        shipped: Path, added: str) -> None:
    before = hashes(shipped)
    edit(shipped, ANCHOR, ANCHOR + added)
    assert hashes(shipped) == before
    result = run("check", "--strict", project=shipped)
    assert result.exit_code == 0, result.stderr
    # and the same block's text edited later: still nothing for ko or zh-Hans
    edit(shipped, added.split("\n")[2].strip(), "Tell the NSC staff first.")
    assert hashes(shipped) == before
    assert run("check", "--strict", project=shipped).exit_code == 0


def test_a_span_only_us_government_sees_can_change_freely(shipped: Path) -> None:
    before = hashes(shipped)
    edit(shipped, "[Negotiating risk]{audience=\"us-government\"}",
         "[Risk in the talks]{audience=\"us-government\"}")
    assert hashes(shipped) == before
    assert run("check", "--strict", project=shipped).exit_code == 0


def test_a_shared_edit_marks_both_languages_stale(shipped: Path) -> None:
    before = hashes(shipped)
    edit(shipped, "handled in separate channels.", "handled through separate channels.")
    after = hashes(shipped)
    assert {k for k in before if before[k] != after[k]} == {
        ("ko", "capability-first"), ("zh-Hans", "capability-first")}
    result = run("check", "--strict", project=shipped)
    assert result.exit_code == 1
    assert result.stderr.count("units.capability-first: warning: stale") == 0  # --strict: error
    assert "ko.yaml:31:3: units.capability-first: stale: the en source changed" in result.stderr
    assert "zh-Hans.yaml:27:3: units.capability-first: stale: the en source changed" \
        in result.stderr


def test_an_edit_only_one_languages_readers_see_stales_only_that_language(
        shipped: Path) -> None:
    before = hashes(shipped)
    # beijing-outreach reads zh-Hans and en; rok-public reads ko and en
    edit(shipped, "[regional strategy]{audience=\"beijing-outreach\"}",
         "[strategy for the region]{audience=\"beijing-outreach\"}")
    after = hashes(shipped)
    changed = {k for k in before if before[k] != after[k]}
    assert changed and {lang for lang, _ in changed} == {"zh-Hans"}


@pytest.mark.parametrize(("text", "seen"), [
    ("A\n\n::: audience us-government\nx\n:::\n", "A\n"),
    ("A\n\n::: audience us-government\nx\n:::\n\nB\n", "A\n\nB\n"),
    ("::: audience us-government\nx\n:::\n\nB", "B"),
    ("A [x]{audience=\"us-government\"} B [y]{audience=\"rok-public\"}",
     "A B [y]{audience=\"rok-public\"}"),
    ("A [x [n]{audience=\"rok-public\"}]{audience=\"us-government\"} B", "A B"),
    ("- a\n- b [x]{exclude-audience=\"rok-public\"}\n", "- a\n- b\n"),
    ("| a | [b]{audience=\"us-government\"} |\n|---|---|\n| c | d |\n",
     "| a | |\n|---|---|\n| c | d |\n"),
    # a block nested in one the reader sees; one around a span the reader sees
    ("::::: audience rok-public\nA\n\n::: audience us-government\nx\n:::\n:::::\n",
     "::::: audience rok-public\nA\n:::::\n"),
    # not markers: code, and text the parser does not take for a span
    ("`[x]{audience=\"us-government\"}` code", "`[x]{audience=\"us-government\"}` code"),
    # a block not set apart by blank lines: cutting it would join two paragraphs, so the
    # whole text is kept (stale when it need not be, never fresh when it is not)
    ("A\n::: audience us-government\nx\n:::\nB\n", "A\n::: audience us-government\nx\n:::\nB\n"),
    # what the reader sees stays, whatever else is around
    ("[x]{audience=\"rok-public us-government\"}", "[x]{audience=\"rok-public us-government\"}"),
])
def test_seen_text_cuts_only_what_no_reader_sees(text: str, seen: str) -> None:
    assert seen_text(text, ROK) == seen
