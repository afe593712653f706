"""A translation's source is what its language's readers see (briefgen/content/readers.py):
an edit only other audiences see changes no hash of that language; a shared edit does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# -- the property: an edit changes the text a language's readers see iff they see it -------

AUDIENCES = ("rok-public", "beijing-outreach", "us-government")
WORD = st.sampled_from(["alpha", "bravo", "charlie", "delta", "**echo**", "[[usfk]]", "`x`"])
SPEC = st.tuples(st.sampled_from(["audience", "exclude-audience"]),
                 st.sets(st.sampled_from(AUDIENCES), min_size=1))


def _shows(spec: tuple[str, set[str]], reader: str) -> bool:
    kind, who = spec
    return (reader in who) == (kind == "audience")


@st.composite
def documents(draw: st.DrawFn) -> tuple[list[tuple[str, bool]], frozenset[str]]:
    """Pieces of a Markdown text, each marked whether the readers see it (a piece is a word,
    or the words of a span or block, each a piece of its own)."""
    readers = frozenset(draw(st.sets(st.sampled_from(AUDIENCES[:2]), min_size=1)))
    pieces: list[tuple[str, bool]] = []
    for n in range(draw(st.integers(1, 4))):
        block = draw(st.none() | SPEC)
        seen_block = block is None or any(_shows(block, r) for r in readers)
        if n:
            pieces.append(("\n\n", True))
        if block is not None:
            pieces.append((f"::: {block[0]} {' '.join(sorted(block[1]))}\n", seen_block))
        pieces.append((draw(WORD), seen_block))
        for _ in range(draw(st.integers(0, 3))):
            span = draw(st.none() | SPEC)
            if span is None:
                pieces.append((" " + draw(WORD), seen_block))
                continue
            seen = seen_block and any(_shows(span, r) for r in readers
                                      if block is None or _shows(block, r))
            key = span[0]
            pieces.append((" [", seen))
            pieces.append((draw(WORD), seen))
            pieces.append((f"]{{{key}=\"{' '.join(sorted(span[1]))}\"}}", seen))
        if block is not None:
            pieces.append(("\n:::", seen_block))
    return pieces, readers


@given(documents(), st.data())
@settings(max_examples=150, deadline=None)
def test_an_edit_changes_the_readers_text_exactly_when_a_reader_sees_it(
        doc: tuple[list[tuple[str, bool]], frozenset[str]], data: st.DataObject) -> None:
    pieces, readers = doc
    words = [i for i, (text, _) in enumerate(pieces) if text in WORD_TEXTS]
    i = data.draw(st.sampled_from(words))
    before = "".join(text for text, _ in pieces)
    edited = list(pieces)
    edited[i] = ("zulu", pieces[i][1])
    after = "".join(text for text, _ in edited)
    changed = seen_text(before, readers) != seen_text(after, readers)
    if pieces[i][1]:
        assert changed, (before, after)
    else:
        # hidden from every reader: unchanged, unless the cut could not be proved (then the
        # whole text is kept, so the edit shows: stale, never wrongly fresh)
        assert not changed or seen_text(before, readers) == before, (before, after)


WORD_TEXTS = frozenset(["alpha", "bravo", "charlie", "delta", "**echo**", "[[usfk]]", "`x`"])


def test_hidden_markers_may_be_left_out_only_by_a_translation_made_without_them(
        shipped: Path) -> None:
    """A translation recording the hash of what its readers see was made from that text
    (the report and the export show nothing else): the us-government spans it never saw may
    be left out. One recording the whole text's hash (or none) may have been made from
    brief.yaml itself: it keeps them, empty, or text that lost its markers could pass."""
    ko = shipped / "content/briefs/rok-us-alliance-modernization/translations/ko.yaml"
    text = ko.read_text()
    empty = '| []{audience="us-government"} | []{audience="us-government"} | ' \
            '[]{audience="us-government"} |'
    assert text.count(empty) == 1
    ko.write_text(text.replace(empty, "| | | |"))
    assert run("check", "--strict", project=shipped).exit_code == 0
    project = load_project(shipped)
    tasks = project.briefs["rok-us-alliance-modernization"].units["tasks"]
    seen = tasks.hash_for(project.readers("ko"))
    assert seen != tasks.hash
    ko.write_text(ko.read_text().replace(f'"{seen}"', f'"{tasks.hash}"'))
    result = run("check", project=shipped)
    assert result.exit_code == 1
    assert result.stderr == (
        "content/briefs/rok-us-alliance-modernization/translations/ko.yaml:72:7: "
        "units.tasks.body: the translation lacks the source's '[…]{audience=\"us-government\"}'"
        " span (no reader of this language sees it: keep it with nothing inside)\n"
        "briefgen: 1 error in 1 file\n")


# -- attack report 19, 2 and 5: what looks like a marker inside code, and lone CRs ---------

CODE_AROUND = [
    ("```\n", "\n```"), ("~~~ text\n", "\n~~~"), ("    ", ""),  # fenced, indented
    ("<div>\n", "\n</div>"),  # an HTML block (its text is shown as written)
]


@pytest.mark.parametrize(("before", "after"), CODE_AROUND)
@pytest.mark.parametrize("marker", [
    "[\nTarget: {word}\n]{{audience=us-government}}",
    "[Target: {word}]{{audience=\"us-government\"}}",
    "::: audience us-government\nTarget: {word}\n:::",
])
def test_text_in_code_that_looks_like_a_marker_is_part_of_what_readers_see(
        before: str, after: str, marker: str) -> None:
    """The rok-public readers see a code block's text as written, markers and all: an edit
    of it must change their text (else a ko translation stays "fresh" after it)."""
    def text(word: str) -> str:
        body = marker.format(word=word)
        if before == "    ":
            body = "\n".join("    " + line for line in body.split("\n"))
        else:
            body = before + body + after
        return f"Para one.\n\n{body}\n\nPara two.\n"

    assert seen_text(text("2027"), ROK) != seen_text(text("2031"), ROK)


@pytest.mark.parametrize("text", [
    "Para one.\r\r::: {audience=us-government}\rsecret\r:::\r\rVisible para.",
    "A\r\r::: audience us-government\rx\r:::\n```\nline0\nline1 VISIBLE\n```\n",
    "A [x]{audience=\"us-government\"}\rB\r\rC",
])
def test_lone_carriage_returns_keep_the_whole_text(text: str) -> None:
    """The parser reads a lone CR as a line break, the cut counts only LFs: the text is
    kept whole (a spurious stale at worst, never a wrong fresh nor a traceback)."""
    assert seen_text(text, ROK) == text
