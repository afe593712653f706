"""Tests that kill deliberate bugs in the audience-selection, leak-guard and incremental-key
code (issue #12): the hand-made mutants of scripts/hand_mutants.py and the mutants mutmut
made that the rest of the suite let live (docs/mutation.md names each)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from mutation_support import fresh_caches  # noqa: F401 (an autouse fixture)
from pypdf import PdfWriter

from briefgen.build import run as build
from briefgen.build.indexes import check_indexes
from briefgen.build.workers import pdf_guard_surfaces
from briefgen.content.models import Audience
from briefgen.content.project import load_project
from briefgen.content.syntax import audience_markers, block_shape
from briefgen.edition.markdown import Context, Origin, Tables, render
from briefgen.edition.resolve import Edition, resolve
from briefgen.errors import BriefError, Problems
from briefgen.publish import guard
from briefgen.textnorm import fold

from conftest import run
from tiny import BODY_LINE, make_project

# -- translations: the skeleton check reads the whole nesting ------------------------------


def test_a_nested_marker_no_reader_sees_is_named_as_such(tmp_path: Path) -> None:
    """The inner block is for pub, but inside an officials block: no Korean reader sees it,
    and the error says it may stay empty (Marker.shown_to needs every level, not the
    innermost)."""
    source = "Shared.\n\n:::: audience officials\n::: audience pub\nInner.\n:::\n::::\n"
    root = make_project(tmp_path, source, "공유.\n\n:::: audience officials\n::::\n")
    result = run("check", project=root)
    assert result.exit_code == 1
    assert ("the translation lacks the source's '::: audience pub' block (no reader of this "
            "language sees it: keep it with nothing inside)") in result.stderr


# -- translations: the meta unit goes stale like any other -----------------------------------

def _recorded(root: Path) -> str:
    """ko.yaml with the source_hash of every unit that has none, as `check` proposes."""
    ko = root / "content/briefs/tiny/translations/ko.yaml"
    text = ko.read_text(encoding="utf-8")
    result = run("check", project=root)
    for uid, digest in re.findall(r"units\.([\w-]+): warning: no source_hash recorded.*?"
                                  r'add source_hash: "([0-9a-f]{12})"', result.stderr):
        text = re.sub(rf"^  {uid}:\n", f'  {uid}:\n    source_hash: "{digest}"\n', text,
                      flags=re.M)
    ko.write_text(text, encoding="utf-8")
    return text


def test_the_meta_unit_goes_stale_when_title_or_summary_change(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n", "본문.\n")
    assert 'source_hash: "' in _recorded(root).split("  ann:")[0]
    clean = run("check", project=root)
    assert clean.exit_code == 0 and "warning" not in clean.stderr, clean.stderr
    brief = root / "content/briefs/tiny/brief.yaml"
    original = brief.read_text(encoding="utf-8")
    for old, new in (('title: "A tiny brief"', 'title: "A retitled brief"'),
                     ("summary: A small brief.", "summary: A changed summary.")):
        assert old in original
        brief.write_text(original.replace(old, new), encoding="utf-8")
        result = run("check", project=root)
        stale = re.findall(r"units\.([\w-]+): warning: stale", result.stderr)
        assert stale == ["meta"], (old, result.stderr)
    brief.write_text(original.replace("Text.", "Other text."), encoding="utf-8")
    result = run("check", project=root)
    assert re.findall(r"units\.([\w-]+): warning: stale", result.stderr) == ["main-text"]


# -- the guard reads what WeasyPrint laid out, besides the bytes -----------------------------

@dataclass
class _Rendered:
    """A stand-in for pdf.PdfResult: blank PDF bytes, layout texts chosen by the test."""

    data: bytes
    text: str = ""
    metadata: list[str] = field(default_factory=list)
    bookmarks: list[str] = field(default_factory=list)


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_surfaces_join_the_layout_and_the_bytes() -> None:
    result = _Rendered(_blank_pdf(), text="laid out words", metadata=["the layout's title"],
                       bookmarks=["a layout bookmark"])
    surfaces = pdf_guard_surfaces(result)
    assert "laid out words" in surfaces["PDF text"]
    assert "the layout's title" in surfaces["PDF metadata"]
    assert "a layout bookmark" in surfaces["PDF bookmarks"]
    assert set(surfaces) >= {"PDF text", "PDF metadata", "PDF bookmarks", "PDF tags"}


# -- every syntax problem, as the editor reads it ------------------------------------------------
# (name, Markdown, problems for pub, problems for officials or None when the same), each
# problem as file line:column: message (hint), the text starting at line 10, column 7 of its
# file in a block scalar indented 6. Written from the output and read through: each says
# what is wrong, where, and how to fix it.

NOT_ATTACHED = ("'{…}' is not attached to a [span], so it would print as text (write "
                '[text]{audience="ID"} with no space between ] and {, or &#123; and &#125; for '
                "literal braces)")

MESSAGES: list[tuple[str, str, list[str], list[str] | None]] = [
    ('block-needs-an-id', '::: audience\nX\n:::',
     [
         "10:11: 'audience' needs at least one audience id (e.g. ::: audience officials)",
     ],
     None),
    ('exclude-needs-an-id', '::: exclude-audience\nX\n:::',
     [
         "10:11: 'exclude-audience' needs at least one audience id (e.g. ::: exclude-audience "
         'officials)',
     ],
     None),
    ('unknown-audience', '::: audience nobody\nX\n:::',
     [
         "10:20: unknown audience 'nobody' (audiences: officials, pub)",
     ],
     None),
    ('misspelt-audience', '::: audience offcials\nX\n:::',
     [
         "10:20: unknown audience 'offcials' (did you mean 'officials'?)",
     ],
     None),
    ('two-ids-one-unknown', '::: audience pub offcials\nX\n:::',
     [
         "10:24: unknown audience 'offcials' (did you mean 'officials'?)",
     ],
     None),
    ('bare-fence', ':::\nX\n:::',
     [
         "10:7: ':::' closes no audience block and opens none (a block starts with '::: "
         "audience ID' or '::: exclude-audience ID' and ends with ':::')",
     ],
     None),
    ('unknown-block-suggested', '::: Exclude_Audience pub\nX\n:::',
     [
         "10:11: unknown block '::: Exclude_Audience': only 'audience' and 'exclude-audience' "
         "blocks exist (did you mean 'exclude-audience'?)",
     ],
     None),
    ('unknown-block-no-suggestion', '::: zebra pub\nX\n:::',
     [
         "10:11: unknown block '::: zebra': only 'audience' and 'exclude-audience' blocks exist "
         "(write '::: audience ID' or '::: exclude-audience ID')",
     ],
     None),
    ('unclosed', 'Intro.\n\n::: audience officials\nX',
     [
         "12:7: this audience block is never closed (end it with a line ':::')",
     ],
     None),
    ('unclosed-nested', ':::: audience pub\n::: audience officials\nX\n::::',
     [],
     None),
    ('two-colons', 'Intro.\n\n:: audience officials\nX\n::',
     [
         "12:7: a block marker needs three colons: this line would print as text (write '::: "
         "audience ID' … ':::'; write &#58; for the first colon to show colons at the start of "
         'a line)',
         "14:7: a block marker needs three colons: this line would print as text (write '::: "
         "audience ID' … ':::'; write &#58; for the first colon to show colons at the start of "
         'a line)',
     ],
     None),
    ('colon-and-name', ': audience officials\nX',
     [
         "10:7: a block marker needs three colons: this line would print as text (write '::: "
         "audience ID' … ':::'; write &#58; for the first colon to show colons at the start of "
         'a line)',
     ],
     None),
    ('escaped-fence', '\\::: audience officials\nX\n:::',
     [
         '10:7: an escaped block marker prints as text, with everything it was meant to hide '
         '(write &#58; for the first colon to show colons at the start of a line)',
         "12:7: ':::' closes no audience block and opens none (a block starts with '::: "
         "audience ID' or '::: exclude-audience ID' and ends with ':::')",
     ],
     None),
    ('lookalike-fence', '∶∶∶ audience officials\nX\n∶∶∶',
     [
         '10:7: this line looks like an audience block marker but is not one (markers use ASCII '
         'colons and stand at the start of a line; write &#58; for the first colon to show '
         'colons at the start of a line)',
         '12:7: this line looks like an audience block marker but is not one (markers use ASCII '
         'colons and stand at the start of a line; write &#58; for the first colon to show '
         'colons at the start of a line)',
     ],
     None),
    ('fence-in-code', '```\n::: audience officials\n```',
     [
         '11:7: an audience marker inside a code block is shown as text, with everything it was '
         'meant to hide (unindent the block (4 spaces make code), close the code fence first, '
         'or write \\::: to show the marker literally)',
     ],
     None),
    ('escaped-fence-in-code', '```\n\\::: audience officials\n```',
     [],
     None),
    ('indented-fence', 'Intro.\n\n    ::: audience officials\n    X',
     [
         '12:11: an audience marker inside a code block is shown as text, with everything it '
         'was meant to hide (unindent the block (4 spaces make code), close the code fence '
         'first, or write \\::: to show the marker literally)',
     ],
     None),
    ('fence-in-quote-ok', '> ::: audience officials\n> X\n> :::',
     [],
     None),
    ('fence-in-list-ok', '- ::: audience officials\n  X\n  :::',
     [],
     None),
    ('attrs-not-the-form', '[X]{.cls}',
     [
         '10:10: attribute list \'{.cls}\' is not of the form {key="value"} (write '
         '[text]{audience="ID"} (or exclude-audience, lang), with straight quotes)',
     ],
     None),
    ('attrs-id', '[X]{#id}',
     [
         '10:10: attribute list \'{#id}\' is not of the form {key="value"} (write '
         '[text]{audience="ID"} (or exclude-audience, lang), with straight quotes)',
     ],
     None),
    ('unknown-key-suggested', '[X]{audiences="pub"}',
     [
         "10:11: unknown attribute 'audiences' in {…}: a span takes only audience, "
         "exclude-audience, lang (did you mean 'audience'?)",
     ],
     None),
    ('unknown-key-no-suggestion', '[X]{color="red"}',
     [
         "10:11: unknown attribute 'color' in {…}: a span takes only audience, "
         'exclude-audience, lang',
     ],
     None),
    ('curly-value', '[X]{audience="“pub”"}',
     [
         '10:11: the value of \'audience\' is in curly quotes (write audience="ID" with '
         'straight quotes (your editor may be replacing them))',
         "10:21: unknown audience '“pub”' (did you mean 'pub'?)",
     ],
     None),
    ('lang-ok', '[X]{lang=ko}',
     [],
     None),
    ('span-unknown-audience', '[X]{audience="nobody"}',
     [
         "10:21: unknown audience 'nobody' (audiences: officials, pub)",
     ],
     None),
    ('span-two-kinds', '[X]{audience="pub" exclude-audience="officials"}',
     [],
     None),
    ('detached-braces', 'Text {audience="pub"} here.',
     [
         "10:12: '{…}' is not attached to a [span], so it would print as text (write "
         '[text]{audience="ID"} with no space between ] and {, or &#123; and &#125; for literal '
         'braces)',
     ],
     None),
    ('detached-close-brace', 'Text } here.',
     [
         "10:12: '{…}' is not attached to a [span], so it would print as text (write "
         '[text]{audience="ID"} with no space between ] and {, or &#123; and &#125; for literal '
         'braces)',
     ],
     None),
    ('lookalike-braces', 'Text ｛audience=pub｝ here.',
     [
         "10:7: '{…}' is not attached to a [span], so it would print as text (write "
         '[text]{audience="ID"} with no space between ] and {, or &#123; and &#125; for literal '
         'braces)',
     ],
     None),
    ('colons-mid-line', 'Text ::: here.',
     [
         "10:12: ':::' inside a line is not an audience block (a block marker stands on a line "
         'of its own; write \\::: for literal colons)',
     ],
     None),
    ('lookalike-colons-mid-line', 'Text ∶∶∶ here.',
     [
         "10:7: ':::' inside a line is not an audience block (a block marker stands on a line "
         'of its own; write \\::: for literal colons)',
     ],
     None),
    ('footnote-undefined', 'Text[^nope].',
     [
         "10:11: footnote [^nope] has no definition (define it in the same field as '[^label]: "
         "text', in a part every audience that sees the call also sees)",
     ],
     None),
    ('footnote-hidden', 'Text[^n].\n\n::: audience officials\n[^n]: Hidden.\n:::',
     [
         '10:11: footnote [^n] has no definition that pub sees (define it in the same field as '
         "'[^label]: text', in a part every audience that sees the call also sees)",
     ],
     []),
    ('link-hidden', 'A [link][r].\n\n::: audience officials\n[r]: https://example.org/\n:::',
     [
         '10:15: link reference [r] is defined only in an audience block that pub does not see '
         '(define it where every audience that sees the link also sees it)',
     ],
     []),
    ('link-hidden-case', 'A [link][R].\n\n::: audience officials\n[r]: https://example.org/\n:::',
     [
         '10:15: link reference [r] is defined only in an audience block that pub does not see '
         '(define it where every audience that sees the link also sees it)',
     ],
     []),
    ('footnote-twice', 'A[^n].\n\n[^n]: One.\n\n[^n]: Two.',
     [
         '14:7: footnote [^n] is defined twice for pub (first on line 3 of this text) (give '
         'each definition its own label, or put them in audience blocks that no audience sees '
         'both of)',
     ],
     [
         '14:7: footnote [^n] is defined twice for officials (first on line 3 of this text) '
         '(give each definition its own label, or put them in audience blocks that no audience '
         'sees both of)',
     ]),
    ('link-twice', 'A [x][r].\n\n[r]: https://a.example/\n\n[r]: https://b.example/',
     [
         '14:7: link reference [r] is defined twice for pub (first on line 3 of this text) '
         '(give each definition its own label, or put them in audience blocks that no audience '
         'sees both of)',
     ],
     [
         '14:7: link reference [r] is defined twice for officials (first on line 3 of this '
         'text) (give each definition its own label, or put them in audience blocks that no '
         'audience sees both of)',
     ]),
    ('footnote-twice-scoped-ok', 'A[^n].\n\n::: audience pub\n[^n]: One.\n:::\n\n'
      '::: audience officials\n[^n]: Two.\n:::',
     [],
     None),
    ('unbalanced-bracket', 'A [b [X]{audience="pub"} c.',
     [
         '10:9: a bracket without its pair stands beside an audience span, so the span may not '
         'cover what it should (pair every [ with a ]; write &#91; or &#93; for a lone bracket)',
     ],
     None),
    ('unbalanced-close', 'A ] [X]{audience="pub"} c.',
     [
         '10:11: a bracket without its pair stands beside an audience span, so the span may not '
         'cover what it should (pair every [ with a ]; write &#91; or &#93; for a lone bracket)',
     ],
     None),
    ('code-with-fence', 'Use `::: audience pub` here.',
     [
         '10:12: an audience marker inside `code` is shown as text (write \\{ or \\::: inside '
         'the code to show the syntax literally)',
     ],
     None),
    ('code-with-attrs', 'Use `[x]{audience="pub"}` here.',
     [
         '10:12: an audience marker inside `code` is shown as text (write \\{ or \\::: inside '
         'the code to show the syntax literally)',
     ],
     None),
    ('escaped-attrs', 'Text [X]\\{audience="pub"}.',
     [
         "10:15: an escaped '{…=…}' prints as text, with the span it was meant to hide (write "
         '&#123; for a literal brace)',
         "10:31: '{…}' is not attached to a [span], so it would print as text (write "
         '[text]{audience="ID"} with no space between ] and {, or &#123; and &#125; for literal '
         'braces)',
     ],
     None),
    ('escaped-attrs-in-code-ok', '```\n[X]\\{audience="pub"}\n```',
     [],
     None),
    ('nested-note-call', 'A[^a].\n\n[^a]: See[^b].\n\n[^b]: B.',
     [
         '12:16: footnote [^b] is referred to inside another footnote (footnotes cannot contain '
         'footnotes; put the text in the note itself)',
     ],
     None),
    ('multi-line-text', 'First line\nsecond ::: line\nthird.',
     [
         "11:14: ':::' inside a line is not an audience block (a block marker stands on a line "
         'of its own; write \\::: for literal colons)',
     ],
     None),
    ('marker-line-mid-paragraph', 'Para text\n::: audience pub\nX\n:::',
     [],
     None),
    ('escaped-equals', 'Text [X]\\{audience\\="pub"}.',
     [
         "10:15: an escaped '{…=…}' prints as text, with the span it was meant to hide "
         '(write &#123; for a literal brace)',
         "10:32: '{…}' is not attached to a [span], so it would print as text (write "
         '[text]{audience="ID"} with no space between ] and {, or &#123; and &#125; for '
         'literal braces)',
     ],
     None),
    ('second-span-bad', '[a]{audience="pub"} [b]{.cls}',
     [
         "10:30: attribute list '{.cls}' is not of the form {key=\"value\"} (write "
         '[text]{audience="ID"} (or exclude-audience, lang), with straight quotes)',
     ],
     None),
    ('long-attribute-list', '[X]{.a-very-long-class-name-that-goes-on-and-on-and-on}',
     [
         "10:10: attribute list '{.a-very-long-class-name-that-goes-on-an' is not of the "
         'form {key="value"} (write [text]{audience="ID"} (or exclude-audience, lang), with '
         'straight quotes)',
     ],
     None),
    ('indented-definitions-twice', 'A [x][ref a].\n\n  [Ref A]: https://a.example/\n\n'
      '  [Ref A]: https://b.example/',
     [
         '14:9: link reference [Ref A] is defined twice for pub (first on line 3 of this '
         'text) (give each definition its own label, or put them in audience blocks that no '
         'audience sees both of)',
     ],
     [
         '14:9: link reference [Ref A] is defined twice for officials (first on line 3 of '
         'this text) (give each definition its own label, or put them in audience blocks '
         'that no audience sees both of)',
     ]),
    ('escaped-brace-without-equals', 'a = b \\{c}',
     [
         "10:16: '{…}' is not attached to a [span], so it would print as text (write "
         '[text]{audience="ID"} with no space between ] and {, or &#123; and &#125; for '
         'literal braces)',
     ],
     None),
    ('span-error-on-a-later-line', 'nobody here.\n\nText [X]{audience="nobody"}.',
     [
         "12:26: unknown audience 'nobody' (audiences: officials, pub)",
     ],
     None),
    ('hidden-link-used-twice', 'A [x][r] and [y][r].\n\n::: audience officials\n'
      '[r]: https://e.org/\n:::',
     [
         '10:12: link reference [r] is defined only in an audience block that pub does not '
         'see (define it where every audience that sees the link also sees it)',
     ],
     []),
    ('hidden-link-label-spaced', 'A [x][My  Ref].\n\n::: audience officials\n'
      '[my ref]: https://e.org/\n:::',
     [
         '10:9: link reference [my ref] is defined only in an audience block that pub does '
         'not see (define it where every audience that sees the link also sees it)',
     ],
     []),
    ('lone-bracket-beside-a-language-span', 'A [b [X]{lang=ko} c.', [], None),
    ('second-block-unclosed', '::: audience pub\nA\n:::\n\n::: audience officials\nX',
     ["14:7: this audience block is never closed (end it with a line ':::')"], None),
    ('braces-on-two-lines', 'A } b.\n\nText } here.',
     ["10:9: " + NOT_ATTACHED, "12:12: " + NOT_ATTACHED], None),
    ('call-in-a-span', 'Text [see[^nope]]{audience="pub"}.',
     ["10:16: footnote [^nope] has no definition (define it in the same field as "
      "'[^label]: text', in a part every audience that sees the call also sees)"], []),
    ('escaped-brace-equals-later', 'a \\{b} c=d}', ["10:12: " + NOT_ATTACHED], None),
    ('lone-open-brace', 'Text { here.', ["10:12: " + NOT_ATTACHED], None),
    ('colons-in-a-ratio', '12:3: the ratio.', [], None),
]


def problems_for(text: str, audience: str) -> list[str]:
    problems = Problems()
    ctx = Context(audience, ["officials", "pub"], "en", Tables(), Path("."),
                  Path("."), problems)
    render(text, ctx, Origin("body.md", 10, 7, indent=6))
    return [str(p).removeprefix("body.md:") for p in problems.items]


@pytest.mark.parametrize("name, text, pub, officials", MESSAGES, ids=[m[0] for m in MESSAGES])
def test_each_syntax_problem_names_its_place_and_fix(name: str, text: str, pub: list[str],
                                                      officials: list[str] | None) -> None:
    assert problems_for(text, "pub") == pub
    assert problems_for(text, "officials") == (pub if officials is None else officials)


def test_an_escaped_brace_in_inline_code_is_allowed() -> None:
    """docs/editing.md: inside a code block or `code`, \\{ shows as {, and is no error."""
    text = 'Write `[x]\\{audience="pub"}` to mark a span.'
    assert problems_for(text, "pub") == []


# -- the translation skeleton: which blocks each audience sees, which markers there are -------

SHAPE = ("Para.\n\n::: audience pub\n- item\n\n> quote\n:::\n\n# Head\n\n"
         ":::: exclude-audience pub\n::: audience officials pub\nOfficials.\n:::\n\n1. one\n"
         "::::\n\n```\ncode\n```\n\n---\n")


@pytest.mark.parametrize("audience, shape", [
    ("pub", ["paragraph", "bullet_list", "blockquote", "heading", "fence", "hr"]),
    ("officials", ["paragraph", "heading", "paragraph", "ordered_list", "fence", "hr"]),
    ("press", ["paragraph", "heading", "ordered_list", "fence", "hr"]),
])
def test_block_shape_lists_the_top_blocks_an_audience_sees(audience: str,
                                                           shape: list[str]) -> None:
    assert list(block_shape(SHAPE, audience)) == shape


def test_audience_markers_with_their_nesting_lines_and_readers() -> None:
    text = ('::: audience pub officials\n[a [b]{exclude-audience="pub"}]{audience="officials"} '
            '[c]{lang=ko} [d]{audience="pub" lang=ko}\n:::\n\n:::: exclude-audience pub\n'
            '::: audience officials\nX\n:::\n::::\n[e]{exclude-audience="officials"}')

    def shown(audience: str) -> list[bool]:
        return [m.shown_to(audience) for m in audience_markers(text)]

    assert [(m.kind, m.path, m.line, str(m)) for m in audience_markers(text)] == [
        ("block", ("audience officials pub",), 0, "'::: audience officials pub' block"),
        ("span", ("audience officials pub", "audience officials"), 1,
         "'[…]{audience=\"officials\"}' span"),
        ("span", ("audience officials pub", "audience officials", "exclude-audience pub"), 1,
         "'[…]{exclude-audience=\"pub\"}' span"),
        ("span", ("audience officials pub", "audience pub"), 1, "'[…]{audience=\"pub\"}' span"),
        ("block", ("exclude-audience pub",), 4, "'::: exclude-audience pub' block"),
        ("block", ("exclude-audience pub", "audience officials"), 5,
         "'::: audience officials' block"),
        ("span", ("exclude-audience officials",), 9,
         "'[…]{exclude-audience=\"officials\"}' span"),
    ]
    assert shown("pub") == [True, False, False, True, False, False, True]
    assert shown("officials") == [True, True, True, False, True, True, False]


# -- the guard names where a leak comes from ---------------------------------------------------


def _pub_edition(root: Path) -> Edition:
    return resolve(load_project(root), "tiny", "pub", "en", "screen", Problems([]))


def test_a_leak_is_traced_to_the_line_where_the_phrase_begins(tmp_path: Path) -> None:
    edition = _pub_edition(make_project(
        tmp_path, "Intro.\n\nNothing here.\n\nThe *sec*ret\nannex is here.\n"))
    assert guard.sources_of(edition, "secret annex") == \
        [f"content/briefs/tiny/brief.yaml:{BODY_LINE + 4}"]
    assert guard.sources_of(edition, "tiny brief") == ["content/briefs/tiny/brief.yaml:1"]
    assert guard.sources_of(edition, "public release") == \
        ["content/audiences/pub.yaml (marking)"]
    assert guard.sources_of(edition, "nowhere at all") == \
        ["the rendered page (no single content value contains it)"]
    leaks = guard.scan(edition, {"HTML": "x SECRET annex", "PDF text": "secret\nannex",
                                 "other": "no"})
    assert leaks == [guard.Leak("secret annex", "HTML"), guard.Leak("secret annex", "PDF text")]
    found = guard.problems(edition, [*leaks, guard.Leak("public release", "HTML")], "x.html")
    assert [str(p) for p in found] == [
        f"content/briefs/tiny/brief.yaml:{BODY_LINE + 4}:1: forbidden phrase 'secret annex' "
        "for audience pub appears in x.html (HTML, PDF text) (reword it, or hide this text "
        "from the audience)",
        "content/audiences/pub.yaml (marking): forbidden phrase 'public release' for audience "
        "pub appears in x.html (HTML) (reword it, or hide this text from the audience)"]


def test_an_audience_without_phrases_has_no_leaks(tmp_path: Path) -> None:
    root = make_project(tmp_path, "The secret annex.\n")
    officials = resolve(load_project(root), "tiny", "officials", "en", "screen", Problems([]))
    assert guard.scan(officials, {"HTML": "the secret annex"}) == []


@pytest.mark.parametrize("source, line", [
    ("a\nb\nc", 0),  # not there: the text's first line
    ("one\ntwo SEC\nRET annex", 1),  # folded, across lines
    ("x\n\n[sec](https://e.org/a)ret annex", 2),  # the link target left out
    ("x\n*Sec*-ret\n\nannex", 1),  # markup left out
])
def test_the_line_of_a_phrase(source: str, line: int) -> None:
    assert guard._line_of(source, "secret annex") == line


def test_normalize_folds_word_by_word() -> None:
    assert guard.normalize("  Sec-ret \u200b ANNEX  x") == "secret annex x"
    assert guard._unmarked("a*b](x)c") == "abc"


# -- incremental keys and the guard fingerprint (fast: HTML, or plans without rendering) ------


def _phrases(root: Path, audience: str, phrases: list[str]) -> None:
    path = root / "content" / "audiences" / f"{audience}.yaml"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["forbidden_phrases"] = phrases
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _plan(root: Path, **options: Any) -> list[build.Job]:
    asked: list[tuple[str, str]] = []

    def reuse(path: str, inputs: str) -> None:
        asked.append((path, inputs))

    jobs = build.plan(load_project(root), build.Selection(**options), Problems([]),
                      reuse=reuse)
    assert asked == [(j.path, j.inputs) for j in jobs]
    return jobs


PATHS = ["tiny/officials/en/tiny-officials-en.html", "tiny/officials/en/tiny-officials-en.pdf",
         "tiny/pub/en/tiny-pub-en.html", "tiny/pub/en/tiny-pub-en.pdf"]


def test_the_inputs_of_an_artifact_are_its_files_and_options(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    jobs = _plan(root)
    assert [j.path for j in jobs] == PATHS
    inputs = [j.inputs for j in jobs]
    assert all(re.fullmatch("[0-9a-f]{64}", i) for i in inputs) and len(set(inputs)) == 4
    assert [j.inputs for j in _plan(root)] == inputs  # the same files, the same inputs
    for changed in (_plan(root, variant="pdf/a-3u"), _plan(root, formats=("html",))):
        assert not {j.inputs for j in changed} & set(inputs), changed
    assert [j.inputs for j in _plan(root, formats=("pdf", "html"))] == inputs
    brief = root / "content/briefs/tiny/brief.yaml"
    brief.write_text(brief.read_text().replace("Text.", "Other text."))
    assert not {j.inputs for j in _plan(root)} & set(inputs)  # the brief changed
    edited = [j.inputs for j in _plan(root)]
    _phrases(root, "officials", ["nothing"])
    assert not {j.inputs for j in _plan(root)} & set(edited)  # an audience file changed
    plain = build.plan(load_project(root), build.Selection(), Problems([]))
    assert [j.inputs for j in plain] == [""] * 4 and not any(j.reused for j in plain)


def test_the_key_of_an_artifact_is_its_content(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    jobs = _plan(root)
    html, pdf = jobs[2], jobs[3]
    assert (html.format, html.variant, pdf.format, pdf.variant) == ("html", "", "pdf", "pdf/ua-1")
    assert html.key == hashlib.sha256(html.source.encode()).hexdigest()
    assert 'href="tiny-pub-en.pdf"' in html.source  # the page links to its PDF
    assert "tiny-pub-en.pdf" not in _plan(root, formats=("html",))[1].source
    assert pdf.key != html.key and pdf.source != html.source  # the print layout
    assert html.title == pdf.title == "A tiny brief" and html.edition is not None
    archival = _plan(root, variant="pdf/a-3u")
    assert archival[3].variant == "pdf/a-3u" and archival[3].key != pdf.key
    assert archival[2].key == html.key  # the variant is no part of an HTML page
    assert [j.key for j in _plan(root)] == [j.key for j in jobs]


def test_a_reused_artifact_keeps_its_entry_and_is_guarded_by_its_audience(
        tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    _phrases(root, "pub", ["secret annex", "other"])
    project = load_project(root)
    jobs = build.plan(project, build.Selection(), Problems([]),
                      reuse=lambda path, inputs: SimpleNamespace(key="K" + path, title="T"))
    assert all(j.reused and j.edition is None and j.source == "" for j in jobs)
    assert [(j.key, j.title) for j in jobs] == [("K" + p, "T") for p in PATHS]
    fences = [j.guard for j in jobs]
    assert fences[0] == fences[1] == build.guard_fingerprint(project.audiences["officials"].value)
    assert fences[2] == fences[3] == build.guard_fingerprint(project.audiences["pub"].value)
    assert fences[0] != fences[2]


def test_the_guard_fingerprint_is_the_phrases_and_the_guard_version(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def fingerprint(*phrases: str) -> str:
        return build.guard_fingerprint(Audience.model_validate(
            {"name": "A", "languages": ["en"], "marking": {"en": "M"},
             "forbidden_phrases": list(phrases)}))

    one = fingerprint("secret annex")
    assert re.fullmatch("[0-9a-f]{64}", one)
    assert fingerprint("secret annex") == one
    assert len({one, fingerprint(), fingerprint("secret annex", "more"),
                fingerprint("another")}) == 4
    monkeypatch.setattr(guard, "VERSION", guard.VERSION + ".next")
    assert fingerprint("secret annex") != one


def test_check_html_guards_every_page_and_title_it_rendered(tmp_path: Path) -> None:
    root = make_project(tmp_path, "The secret annex.\n")
    problems = Problems([])
    jobs = _plan(root)
    build.guard_pages(jobs, problems)
    assert sorted(str(p) for p in problems.items) == [
        f"content/briefs/tiny/brief.yaml:{BODY_LINE}:1: forbidden phrase 'secret annex' for "
        f"audience pub appears in tiny/pub/en/tiny-pub-en.{fmt} ({surface}) (reword it, or "
        "hide this text from the audience)" for fmt, surface in (("html", "HTML"),
                                                                 ("pdf", "PDF source"))]
    problems = Problems([])
    build.guard_pages([replace(j, edition=None) for j in jobs], problems)
    assert problems.items == []  # kept artifacts are guarded from their files (reguard)
    _phrases(root, "pub", ["tiny brief"])
    problems = Problems([])
    build.guard_pages(_plan(root, formats=("html",)), problems)
    assert [p.message.split(" (")[1] for p in problems.items] == \
        ["HTML, manifest and index entry)"]


def test_reguard_reads_the_file_as_written(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    project = load_project(root)
    [job] = [j for j in _plan(root, formats=("html",)) if j.audience == "pub"]
    for edition in (job.edition, None):
        problems = Problems([])
        build.reguard(project, replace(job, edition=edition, title="the Secret Annex"),
                      b"<p>A <em>sec</em>ret annex</p>", problems)
        assert [p.message.split(" (")[1] for p in problems.items] == \
            ["HTML, manifest and index entry)"]
        assert problems.items[0].path == \
            "the rendered page (no single content value contains it)"
    problems = Problems([])
    build.reguard(project, job, job.source.encode(), problems)
    assert problems.items == []


def test_a_manifest_entry_records_keys_and_fingerprint() -> None:
    job = build.Kept("b", "a", "en", "pdf", "b/a/en/x.pdf", "KEY", "Title", inputs="IN",
                     guard="G")
    assert build.manifest_entry(job, b"data", 3) == {
        "brief": "b", "audience": "a", "language": "en", "format": "pdf",
        "path": "b/a/en/x.pdf", "title": "Title", "sha256": hashlib.sha256(b"data").hexdigest(),
        "bytes": 4, "key": "KEY", "inputs": "IN", "guard": "G", "pages": 3}
    assert "pages" not in build.manifest_entry(job, b"data", None)


def test_each_index_page_is_guarded_for_its_audience(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    _phrases(root, "pub", ["tiny brief"])
    problems = Problems([])
    page = "<html><body><a href='x'>A Tiny <b>Brief</b></a></body></html>"
    check_indexes(load_project(root), {"officials/index.html": page,
                                             "pub/index.html": page}, problems)
    assert [str(p) for p in problems.items] == [
        "pub/index.html: forbidden phrase 'tiny brief' for audience pub appears in "
        "pub/index.html (index page) (reword the title or label it shows)"]


def test_an_html_build_keeps_reguards_and_rebuilds_as_it_should(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    out = root / "build"
    options = {"out": out, "formats": ("html",)}

    def again(**more: Any) -> build.Report:
        chosen: dict[str, Any] = {**options, **more}
        out, force = chosen.pop("out"), chosen.pop("force", False)
        return build.build(load_project(root), build.Options(
            out=out, selection=build.Selection(**chosen), force=force))

    first = again()
    assert sorted(e["path"] for e in first.built) == [PATHS[0], PATHS[2]]
    second = again()
    assert (second.built, second.reguarded, len(second.skipped)) == ([], [], 2)
    page = out / PATHS[2]
    page.write_text(page.read_text().replace("Text.", "Tex!."))  # the same size
    assert [e["path"] for e in again().built] == [PATHS[2]]
    assert "Text." in page.read_text()
    before = json.loads((out / "manifest.json").read_text())["artifacts"]
    archival = again(variant="pdf/a-3u")  # new inputs, the same content: kept
    assert (archival.built, len(archival.skipped)) == ([], 2)
    after = json.loads((out / "manifest.json").read_text())["artifacts"]
    assert [a["inputs"] for a in after] != [a["inputs"] for a in before]
    assert [a["key"] for a in after] == [a["key"] for a in before]
    _phrases(root, "officials", ["nowhere in it"])
    changed = again()
    assert (changed.built, changed.reguarded) == ([], [PATHS[0]])
    assert again().reguarded == []
    assert sorted(e["path"] for e in again(force=True).built) == [PATHS[0], PATHS[2]]
    _phrases(root, "officials", ["nowhere in it", "text"])
    files = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(BriefError) as refused:
        again()
    assert {p.message.split(" appears in ")[1] for p in refused.value.problems} == \
        {f"{PATHS[0]} (HTML)"}  # the section title and the body say "text"
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == files


def test_a_leak_is_traced_to_its_first_line_and_to_terms(tmp_path: Path) -> None:
    assert guard._line_of("x\nthe secret annex\ny\nsecret annex", "secret annex") == 1
    root = make_project(tmp_path, "The [[annex]] is here.\n")
    path = root / "content/audiences/pub.yaml"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["terms"] = {"annex": {"en": "Secret Annex", "ko": "부속서"}}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    edition = _pub_edition(root)
    assert guard.sources_of(edition, "secret annex") == [
        "content/audiences/pub.yaml:1 (term 'annex')",
        f"content/briefs/tiny/brief.yaml:{BODY_LINE}"]
    found = guard.problems(edition, [guard.Leak("secret annex", "HTML")], "x.html")
    assert [f"{p.path}:{p.line}:{p.col}" for p in found] == [
        "content/audiences/pub.yaml:1:1", f"content/briefs/tiny/brief.yaml:{BODY_LINE}:1"]


def test_block_shape_leaves_out_the_notes_an_audience_does_not_see() -> None:
    text = "::: audience officials\nSee[^m].\n\n[^m]: Note.\n:::\n"
    assert block_shape(text, "pub") == ()
    assert block_shape(text, "officials") == ("paragraph",)


def test_a_span_with_both_keys_is_one_marker() -> None:
    [marker] = audience_markers('[x]{audience="pub" exclude-audience="officials"}')
    assert marker.path == ("audience exclude-audience officials pub",)


def _pdf_titled(title: str) -> bytes:
    """A blank page whose document title is title (written as UTF-16 when not ASCII)."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_reguard_reads_a_kept_pdf_and_names_its_source_in_the_print_layout(
        tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text[^n].\n\n[^n]: The secret annex note.\n")
    project = load_project(root)
    [job] = [j for j in _plan(root) if j.path == PATHS[3]]
    data = _pdf_titled("secret annex \u2713")
    assert b"secret annex" not in data  # only a PDF reader finds it
    problems = Problems([])
    build.reguard(project, replace(job, edition=None), data, problems)
    assert [str(p) for p in problems.items] == [
        f"content/briefs/tiny/brief.yaml:{BODY_LINE + 2}:1: forbidden phrase 'secret annex' "
        f"for audience pub appears in {PATHS[3]} (PDF metadata) (reword it, or hide this "
        "text from the audience)"]


def test_reguard_reads_html_that_is_not_utf8_and_reports_what_resolving_found(
        tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text [x](javascript:alert(1)).\n")
    project = load_project(root)
    [job] = [j for j in _plan(root, formats=("html",)) if j.audience == "pub"]
    problems = Problems([])
    build.reguard(project, replace(job, edition=None), b"<p>\xff secret annex</p>", problems)
    assert [str(p) for p in problems.items] == [
        f"content/briefs/tiny/brief.yaml:{BODY_LINE}:16: sections[main-text].body: warning: "
        "link to 'javascript:alert(1)' removed: only http, https, mailto and relative links "
        "are allowed",
        "the rendered page (no single content value contains it): forbidden phrase 'secret "
        f"annex' for audience pub appears in {PATHS[2]} (HTML) (reword it, or hide this text "
        "from the audience)"]


def test_pdf_surfaces_put_the_layout_first_then_the_bytes() -> None:
    data = _pdf_titled("Bytes title")
    surfaces = pdf_guard_surfaces(_Rendered(data, text="laid out", metadata=["one", "two"],
                                            bookmarks=["mark"]))
    assert surfaces["PDF metadata"].startswith("one\ntwo\n")
    assert "Bytes title" in surfaces["PDF metadata"].split("\n")[2:]
    assert surfaces["PDF bookmarks"] == "mark\n"
    assert surfaces["PDF text"].startswith("laid out\n")


def test_a_leak_in_a_footnote_is_traced_to_its_line_in_the_html_edition(
        tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text[^n].\n\n[^n]: The secret annex note.\n")
    assert guard.sources_of(_pub_edition(root), "secret annex") == \
        [f"content/briefs/tiny/brief.yaml:{BODY_LINE + 2}"]


def test_a_footnote_definition_may_end_a_paragraph_and_a_link_definition_may_not() -> None:
    """markdown-it's rules, kept by briefgen's wrappers: a note defined on the line after its
    paragraph is a note; a link reference there is text."""
    problems = Problems()
    ctx = Context("pub", ["officials", "pub"], "en", Tables(), Path("."),
                  Path("."), problems)
    html = render("See[^a].\n[^a]: Note ZQX.", ctx, Origin("body.md", 1, 1))
    assert "Note ZQX" not in html and [n.html for n in ctx.notes] == ["Note ZQX."]
    html = render("Para [x][r].\n[r]: https://example.org/", ctx, Origin("body.md", 1, 1))
    assert html == ('<p>Para [x][r].\n[r]: <a href="https://example.org/">'  # a bare URL
                    "https://example.org/</a></p>\n")
    assert problems.items == []


def test_a_title_or_alt_text_starting_with_data_is_guarded(tmp_path: Path) -> None:
    root = make_project(tmp_path, 'See [the report](https://example.org/r "Data: the secret '
                                  'annex figures").\n')
    checked = run("check", project=root)
    built = run("build", "--format", "html", project=root)
    leaking = [p.name for p in (root / "build").rglob("*.html")
               if "secret annex" in p.read_text()] if built.exit_code == 0 else []
    assert leaking == [], "title='Data: the secret annex figures' published to pub"
    assert checked.exit_code == built.exit_code == 1
    assert "forbidden phrase 'secret annex' for audience pub" in checked.stderr


@pytest.mark.parametrize("page", [
    "<p>secret annex</p><p title='t'>x</p>",  # text before an attribute stays
    '<a title="secret\nannex">x</a>',  # a line break in a value is a space
    '<p>the secret <a title="annex">x</a></p>',  # read on from the text into the title
    '<a title="the secret">annex</a>',  # and from the title into the text
    '<style>p::after { content: leader("secret annex") }</style>',  # strings in functions
    "<script>var a;</script><p>secret annex</p>",  # text after a script
    "<style>p {}</style><p>secret annex</p>",  # and after a style sheet
    "<p>a</style>secret annex</p>",  # a stray end tag
    "<p>&#115;ecret annex</p>",  # a character reference
    "<p style='--x:\"\\73 ecret annex\"'>x</p>",  # a CSS escape in a style attribute
    '<bdo dir="rtl">terces</bdo> annex',  # read on from right-to-left text
])
def test_the_guard_reads_text_around_and_inside_attributes(page: str) -> None:
    assert guard.find(["secret annex"], guard.visible_html_text(page)) == ["secret annex"]


def test_a_relative_image_source_or_a_data_url_is_no_text() -> None:
    """Like a link between the build's own files: a path, not something a reader reads."""
    assert "secret" not in guard.visible_html_text('<img src="secret-annex.png" alt="">')
    assert "secret" not in guard.visible_html_text(
        '<img src=" data:text/plain,secret annex" alt="">')


def test_a_letter_the_skeleton_makes_a_long_dash_is_kept() -> None:
    """U+30FC (katakana prolonged sound mark) is a letter: データ and デタ differ."""
    assert fold("データ") != fold("デタ")


@pytest.mark.parametrize("text, html", [
    ("    \\::: audience officials", "<pre><code>::: audience officials\n</code></pre>\n"),
    ("Use `\\::: audience pub` here.", "<p>Use <code>::: audience pub</code> here.</p>\n"),
])
def test_an_escaped_marker_in_code_shows_without_its_backslash(text: str, html: str) -> None:
    problems = Problems()
    ctx = Context("pub", ["officials", "pub"], "en", Tables(), Path("."),
                  Path("."), problems)
    assert render(text, ctx, Origin("body.md", 1, 1)) == html
    assert problems.items == []


@pytest.mark.parametrize("text", ["::: audiences officials\nZQX\n:::", ":::\nZQX\n:::",
                                  "::: audience\nZQX\n:::"])
def test_a_block_with_a_wrong_spec_shows_nothing(text: str) -> None:
    """The error stops the build; the renderer fails closed all the same."""
    for audience in ("pub", "officials"):
        problems = Problems()
        ctx = Context(audience, ["officials", "pub"], "en", Tables(), Path("."),
                      Path("."), problems)
        assert "ZQX" not in render(text, ctx, Origin("body.md", 1, 1))
        assert problems.errors


def test_plan_narrows_to_what_was_asked(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n", "본문.\n")
    briefs = root / "content/briefs"
    shutil.copytree(briefs / "tiny", briefs / "another")

    def paths(**options: Any) -> list[str]:
        return [j.path.replace("/tiny-", "/").replace("/another-", "/")
                for j in _plan(root, **options)]

    everything = paths()
    assert len(everything) == 12 and everything[:6] == [
        "another/officials/en/officials-en.html", "another/officials/en/officials-en.pdf",
        "another/pub/en/pub-en.html", "another/pub/en/pub-en.pdf",
        "another/pub/ko/pub-ko.html", "another/pub/ko/pub-ko.pdf"]
    assert paths(briefs=("tiny",)) == [p.replace("another/", "tiny/") for p in everything[:6]]
    assert paths(briefs=("another",)) == everything[:6]
    assert paths(audiences=("pub",), briefs=("tiny",)) == [
        "tiny/pub/en/pub-en.html", "tiny/pub/en/pub-en.pdf", "tiny/pub/ko/pub-ko.html",
        "tiny/pub/ko/pub-ko.pdf"]
    assert paths(languages=("ko",), formats=("pdf",)) == [
        "another/pub/ko/pub-ko.pdf", "tiny/pub/ko/pub-ko.pdf"]
    assert paths(audiences=("officials",), languages=("en",), briefs=("tiny",),
                 formats=("html",)) == ["tiny/officials/en/officials-en.html"]


def test_a_reused_job_names_its_artifact_and_check_html_goes_on_past_it(
        tmp_path: Path) -> None:
    root = make_project(tmp_path, "The secret annex.\n")
    project = load_project(root)
    kept = build.plan(project, build.Selection(), Problems([]),
                      reuse=lambda path, inputs: SimpleNamespace(key="K", title="T"))
    assert [(j.brief, j.audience, j.language, j.format) for j in kept] == [
        ("tiny", "officials", "en", "html"), ("tiny", "officials", "en", "pdf"),
        ("tiny", "pub", "en", "html"), ("tiny", "pub", "en", "pdf")]
    problems = Problems([])
    build.guard_pages([kept[0], *_plan(root, formats=("html",))], problems)
    assert [p.message.split(" appears in ")[1] for p in problems.items] == \
        [f"{PATHS[2]} (HTML)"]


@pytest.mark.parametrize("page", [
    '<p dir="rtl">xenna terces</p>',  # Latin in a right-to-left paragraph reads left to right
    '<bdo dir="rtl">x</bdo> xenna terces',  # after a bdo, text reads left to right again
])
def test_text_a_reader_reads_backwards_is_not_the_phrase(page: str) -> None:
    assert guard.find(["secret annex"], guard.visible_html_text(page)) == []


def test_spans_keep_only_their_language_and_hide_what_they_must() -> None:
    def html(text: str) -> str:
        ctx = Context("pub", ["officials", "pub"], "en", Tables(), Path("."),
                      Path("."), Problems())
        return render(text, ctx, Origin("body.md", 1, 1))

    assert html('[서울]{lang=ko} and [x]{audience="pub"} and '
                '[y]{audience="officials" lang=ko}') == \
        '<p><span lang="ko">서울</span> and x and </p>\n'
    for text in ('[ZQX]{audiences="officials"}', '[ZQX]{onclick="x"}'):
        assert html(text) == "<p></p>\n", text  # an error, and hidden all the same


def test_plan_renders_with_the_projects_own_templates(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    css = root / "templates" / "css"
    css.mkdir(parents=True)
    (css / "screen.css").write_text("p::before { content: 'ZQXSCREEN'; }\n")
    (css / "print.css").write_text("p::before { content: 'ZQXPRINT'; }\n")
    jobs = {j.path: j for j in _plan(root)}
    html, pdf = jobs[PATHS[2]], jobs[PATHS[3]]
    assert "ZQXSCREEN" in html.source and 'href="tiny-pub-en.pdf"' in html.source
    assert "ZQXPRINT" in pdf.source and "ZQXSCREEN" not in pdf.source


@pytest.mark.parametrize("body", ["The sec[ret annex](https://example.org/) here.\n",
                                  "The sec[ret annex]{lang=ko} here.\n"])
def test_a_phrase_split_by_an_element_with_attributes_is_caught(tmp_path: Path,
                                                                 body: str) -> None:
    root = make_project(tmp_path, body)
    checked = run("check", project=root)
    built = run("build", "--format", "html", project=root)
    assert checked.exit_code == built.exit_code == 1
    assert "forbidden phrase 'secret annex' for audience pub" in checked.stderr
