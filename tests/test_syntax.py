"""Audience syntax fails closed (issue #12): a slip in a marker is an error at its line or
hides more, never text that prints what it was meant to hide; footnote and link-reference
definitions belong to the audience block they sit in; translations keep the source's
audience blocks and spans."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from briefgen.content.syntax import audience_markers
from briefgen.edition.markdown import Context, Origin, Tables, render
from briefgen.errors import Problems

from conftest import run
from tiny import BODY_LINE, make_project

SECRET, PUBONLY = "ZQXSECRET", "ZQXPUBONLY"
AUDIENCES = ["officials", "pub"]


def render_for(text: str, audience: str) -> tuple[str, Problems]:
    problems = Problems()
    ctx = Context(audience, AUDIENCES, "en", Tables(), Path("."), Path("."),
                  problems)
    html = render(text, ctx, Origin("body.md", 1, 1))
    notes = " ".join(n.html for n in ctx.notes)
    return html + notes, problems


def published(root: Path) -> dict[str, str]:
    """Every file a build wrote, by path relative to build/."""
    out = root / "build"
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(out.rglob("*")) if p.is_file()}


def check_and_build(root: Path) -> tuple[int, str, dict[str, str]]:
    checked = run("check", project=root)
    built = run("build", "--format", "html", project=root)
    assert checked.exit_code == built.exit_code, (checked.stderr, built.stderr)
    assert "Traceback" not in checked.output + built.output
    return built.exit_code, checked.stderr, published(root) if (root / "build").exists() \
        else {}


# -- the slips the issue found, end to end ----------------------------------------------------

SLIPS = {
    "plural-block": ("::: audiences officials\nZQXSECRET\n:::",
                     "unknown block '::: audiences': only 'audience' and 'exclude-audience' "
                     "blocks exist (did you mean 'audience'?)"),
    "underscore-block": ("::: exclude_audience pub\nZQXSECRET\n:::",
                         "unknown block '::: exclude_audience'"),
    "capital-block": ("::: Audience officials\nZQXSECRET\n:::", "unknown block '::: Audience'"),
    "two-colons": (":: audience officials\nZQXSECRET\n::", "a block marker needs three colons"),
    "indented-code": ("    ::: audience officials\n    ZQXSECRET\n    :::",
                      "an audience marker inside a code block is shown as text"),
    "fenced-code": ("```\n::: audience officials\nZQXSECRET\n:::\n```",
                    "an audience marker inside a code block"),
    "full-width-colons": ("：：： audience officials\nZQXSECRET\n：：：",
                          "this line looks like an audience block marker but is not one"),
    "escaped-block": ("\\::: audience officials\nZQXSECRET\n:::",
                      "an escaped block marker prints as text"),
    "unclosed-block": ("::: audience officials\nZQXSECRET", "this audience block is never "
                       "closed"),
    "plural-span": ('Text [ZQXSECRET]{audiences="officials"}.',
                    "unknown attribute 'audiences' in {…}: a span takes only audience, "
                    "exclude-audience, lang (did you mean 'audience'?)"),
    "underscore-span": ('Text [ZQXSECRET]{exclude_audience="pub"}.',
                        "unknown attribute 'exclude_audience'"),
    "space-before-span": ('Text [ZQXSECRET] {audience="officials"}.',
                          "'{…}' is not attached to a [span], so it would print as text"),
    "curly-quotes-span": ("Text [ZQXSECRET]{audience=“officials”}.",
                          "'{…}' is not attached to a [span]"),
    "escaped-span": ('Text [ZQXSECRET]\\{audience="officials"}.',
                     "an escaped '{…=…}' prints as text"),
    "id-not-audience": ("Text [ZQXSECRET]{#officials}.", "attribute list '{#officials}' is "
                        'not of the form {key="value"}'),
    "comment-in-span": ('Text [ZQXSECRET]{%audience="officials"}.', "attribute list "
                        "'{%audience=\"officials\"}' is not of the form"),
    "handler-key-span": ('Text [ZQXSECRET]{onaudience="officials"}.',
                         "unknown attribute 'onaudience'"),
    "colons-mid-line": ("Text ::: audience officials ZQXSECRET :::",
                        "':::' inside a line is not an audience block"),
}


@pytest.mark.parametrize("name", SLIPS)
def test_a_slip_in_a_marker_fails_with_its_line(tmp_path: Path, name: str) -> None:
    body, message = SLIPS[name]
    root = make_project(tmp_path, f"Introduction.\n\n{body}\n\nConclusion.\n")
    code, stderr, files = check_and_build(root)
    assert code == 1, stderr
    assert message in stderr
    first = next(i for i, text in enumerate(body.splitlines())
                 if re.search(r"audience|[:：{]", text, re.I))
    assert f"content/briefs/tiny/brief.yaml:{BODY_LINE + 2 + first}:" in stderr
    assert "Traceback" not in stderr
    assert files == {}  # nothing was written


def test_escapes_that_stay_literal_are_allowed(tmp_path: Path) -> None:
    body = ("Braces &#123;like this&#125; and a set {a, b} are text only as entities.\n"
            "\n&#58;:: starts with colons.\n\n```\n\\::: audience officials\n```\n")
    root = make_project(tmp_path, body.replace("{a, b}", "&#123;a, b&#125;"))
    code, stderr, files = check_and_build(root)
    assert code == 0, stderr
    page = files["tiny/pub/en/tiny-pub-en.html"]
    assert "Braces {like this}" in page and "::: starts with colons" in page
    assert "<code>::: audience officials\n</code>" in page


# -- every single-character slip of every marker ----------------------------------------------

FIXTURE = [
    "Introduction.",
    "",
    "::: audience officials",
    f"{SECRET} in a block.",
    ":::",
    "",
    f'Shared text [{SECRET} in a span]{{audience="officials"}} and '
    f'[{PUBONLY} in a span]{{exclude-audience="officials"}}.',
    "",
    "::: exclude-audience officials",
    f"{PUBONLY} in a block.",
    ":::",
    "",
    "Conclusion.",
]
# Characters a slip may bring: every printable ASCII character, white space, and the
# Unicode look-alikes an editor's keyboard or word processor produces.
ALPHABET = string.printable.replace("\x0b", "").replace("\x0c", "") + \
    "：﹕∶꞉\u00a0\u2003\u200b\u2060“”‘’«»｛｝［］＝—–‐"
# (line, start, end) of each marker in FIXTURE: the text that slips may change
MARKERS = [(2, 0, 22), (4, 0, 3), (6, 12, 60), (8, 0, 30), (10, 0, 3)]


def mutants(text: str) -> set[str]:
    out = set()
    for i in range(len(text) + 1):
        out.update(text[:i] + c + text[i:] for c in ALPHABET)
    for i, ch in enumerate(text):
        out.add(text[:i] + text[i + 1:])
        out.update(text[:i] + c + text[i + 1:] for c in ALPHABET)
        out.update(text[:i] + c + text[i + 1:] for c in {ch.upper(), ch.lower()})
    out.discard(text)
    return out


def test_the_fixture_marks_what_it_should() -> None:
    text = "\n".join(FIXTURE)
    pub, problems = render_for(text, "pub")
    officials, _ = render_for(text, "officials")
    assert not problems.items
    assert SECRET not in pub and PUBONLY in pub
    assert SECRET in officials and PUBONLY not in officials
    for line, start, end in MARKERS:
        assert FIXTURE[line][start:end].strip() and (":::" in FIXTURE[line][start:end]
                                                     or "{" in FIXTURE[line][start:end])


@pytest.mark.parametrize("marker", range(len(MARKERS)))
def test_every_single_character_slip_fails_at_its_line_or_leaks_nothing(marker: int) -> None:
    line, start, end = MARKERS[marker]
    original = FIXTURE[line]
    failures = []
    tried = 0
    for changed in sorted(mutants(original[start:end])):
        lines = [*FIXTURE]
        lines[line] = original[:start] + changed + original[end:]
        text = "\n".join(lines)
        tried += 1
        pub, problems = render_for(text, "pub")
        officials, problems_o = render_for(text, "officials")
        errors = [p for p in problems.items + problems_o.items if p.severity == "error"]
        at_line = [p for p in errors if p.line - 1 in range(line, line + changed.count("\n")
                                                            + 1)]
        if not at_line and (SECRET in pub or PUBONLY in officials):
            failures.append(lines[line])
    assert tried > 800
    assert not failures, f"{len(failures)} of {tried} slips leaked silently: {failures[:5]}"


def test_slips_end_to_end_write_nothing_restricted(tmp_path: Path) -> None:
    """A deterministic sample of the slips above through `check` and `build`, asserting on
    every file the build writes."""
    line, start, end = MARKERS[0]
    sample = sorted(mutants(FIXTURE[line][start:end]))[::97]
    assert len(sample) >= 20
    for n, changed in enumerate(sample):
        lines = [*FIXTURE]
        lines[line] = changed
        root = make_project(tmp_path / str(n), "\n".join(lines) + "\n")
        code, stderr, files = check_and_build(root)
        if code == 0:
            for path, text in files.items():
                if "/pub/" in path:
                    assert SECRET not in text, (changed, path)
                if "/officials/" in path:
                    assert PUBONLY not in text, (changed, path)
        else:
            assert f"brief.yaml:{BODY_LINE + line}:" in stderr, (changed, stderr)
            assert files == {}


# -- selection -----------------------------------------------------------------------------


def test_a_block_for_two_audiences_shows_to_each() -> None:
    for spec in ("audience officials pub", "audience pub officials"):
        text = f"::: {spec}\n{SECRET}\n:::\n"
        for audience in AUDIENCES:
            html, problems = render_for(text, audience)
            assert SECRET in html and not problems.items, (spec, audience)
        kind, ids = spec.split(" ", 1)
        html, _ = render_for(f'[{SECRET}]{{{kind}="{ids}"}}', "pub")
        assert SECRET in html, spec


def test_nested_blocks_and_spans_need_every_level() -> None:
    nested = (f":::: audience pub\n::: audience officials\n{SECRET} block\n:::\n::::\n\n"
              f"::: audience officials\n[{SECRET} span]{{audience=\"pub\"}}\n:::\n\n"
              f"[outer [{SECRET} inner]{{audience=\"pub\"}}]{{audience=\"officials\"}}\n")
    for audience in AUDIENCES:
        html, problems = render_for(nested, audience)
        assert SECRET not in html, audience
        assert not problems.errors


# -- definitions belong to their block ----------------------------------------------------------


def test_each_edition_gets_its_own_footnote_and_link_definitions() -> None:
    text = ("See the note[^src] and [the cable][ref].\n\n"
            "::: audience pub\n[^src]: Public statement.\n\n[ref]: https://pub.example/\n:::\n\n"
            "::: audience officials\n[^src]: Internal cable ZQXSECRET, not for release.\n\n"
            "[ref]: https://secret.example/ZQXSECRET\n:::\n")
    pub, problems = render_for(text, "pub")
    officials, problems_o = render_for(text, "officials")
    assert not problems.items and not problems_o.items
    assert "Public statement" in pub and "https://pub.example/" in pub and SECRET not in pub
    assert "Internal cable" in officials and "secret.example" in officials
    assert "Public statement" not in officials


def test_a_label_an_edition_sees_twice_is_an_error() -> None:
    text = "A[^n] B[r]\n\n[^n]: one\n\n[r]: https://a.example\n\n::: audience pub\n" \
           "[^n]: two\n\n[r]: https://b.example\n:::\n"
    _, problems = render_for(text, "pub")
    messages = [str(p) for p in sorted(problems.errors, key=lambda p: p.line)]
    assert messages == [
        "body.md:8:1: footnote [^n] is defined twice for pub (first on line 3 of this text) "
        "(give each definition its own label, or put them in audience blocks that no "
        "audience sees both of)",
        "body.md:10:1: link reference [r] is defined twice for pub (first on line 5 of this "
        "text) (give each definition its own label, or put them in audience blocks that no "
        "audience sees both of)"]
    _, problems = render_for(text, "officials")
    assert not problems.items


def test_a_call_whose_definition_the_edition_does_not_see_is_an_error() -> None:
    text = "See[^src] and [the cable][ref].\n\n::: audience officials\n[^src]: ZQXSECRET\n\n" \
           "[ref]: https://secret.example\n:::\n"
    html, problems = render_for(text, "pub")
    assert [str(p) for p in problems.errors] == [
        "body.md:1:4: footnote [^src] has no definition that pub sees (define it in the same "
        "field as '[^label]: text', in a part every audience that sees the call also sees)",
        "body.md:1:26: link reference [ref] is defined only in an audience block that pub does "
        "not see (define it where every audience that sees the link also sees it)"]
    assert SECRET not in html and "secret.example" not in html


def test_explain_lists_definitions(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Note[^src].\n\n::: audience pub\n[^src]: Public.\n:::\n\n"
                                  "::: audience officials\n[^src]: Cable.\n:::\n")
    result = run("explain", "--audience", "pub", project=root)
    assert result.exit_code == 0, result.output
    assert re.search(r"in   footnote +src +inside '::: audience pub'  \(content/briefs/tiny/"
                     rf"brief.yaml:{BODY_LINE + 3}\)", result.stdout), result.stdout
    assert re.search(r"OUT  footnote +src +inside '::: audience officials'  \(content/briefs/"
                     rf"tiny/brief.yaml:{BODY_LINE + 7}\)", result.stdout), result.stdout


# -- translations keep the skeleton ------------------------------------------------------------

SOURCE = ("Shared.\n\n::: audience officials\nOfficials only.\n:::\n\n"
          "Text [for pub]{audience=\"pub\"}.\n")


def test_markers_are_listed_with_their_nesting() -> None:
    found = [(m.kind, m.path) for m in audience_markers(
        "::: audience b a\n[x]{exclude-audience=\"c\"}\n:::\n[y]{lang=ko}")]
    assert found == [("block", ("audience a b",)),
                     ("span", ("audience a b", "exclude-audience c"))]


@pytest.mark.parametrize("ko_body, message", [
    ("공유.\n\n::: audience officials\n:::\n\n[일반]{audience=\"pub\"}.\n",
     None),  # officials do not read Korean: their block stays, empty
    ("공유.\n\n[일반]{audience=\"pub\"}.\n",
     "the translation lacks the source's '::: audience officials' block (no reader of this "
     "language sees it: keep it with nothing inside)"),
    ("공유.\n\n::: audience officials\n:::\n\n일반.\n",
     "the translation lacks the source's '[…]{audience=\"pub\"}' span (keep every audience "
     "block and span of the source, with the same audiences)"),
    ("공유 [비밀]{exclude-audience=\"officials\"}.\n\n::: audience officials\n:::\n\n"
     "[일반]{audience=\"pub\"}.\n",
     "the translation has a '[…]{exclude-audience=\"officials\"}' span that the source does "
     "not have"),
    ("공유.\n\n::: audience officials\n:::\n\n공무원 전용.\n\n[일반]{audience=\"pub\"}.\n",
     "pub sees 3 blocks (paragraphs, lists, headings) of the translation but 2 of the source"),
])
def test_a_translation_keeps_the_audience_skeleton(tmp_path: Path, ko_body: str,
                                                   message: str | None) -> None:
    root = make_project(tmp_path, SOURCE, ko_body)
    result = run("check", project=root)
    if message is None:
        assert result.exit_code == 0, result.stderr
    else:
        assert result.exit_code == 1
        assert message in result.stderr
        assert "content/briefs/tiny/translations/ko.yaml:" in result.stderr


def test_a_translation_that_drops_a_marker_its_readers_see_is_refused(tmp_path: Path) -> None:
    """The issue's case: a Korean unit without the source's ':::' lines would publish an
    officials-only sentence to pub's Korean edition."""
    source = "Shared.\n\n::: exclude-audience pub\nNot for the public: ZQXSECRET.\n:::\n"
    for ko_body in ("공유.\n\n대중에게는 비공개: ZQXSECRET.\n",
                    "공유 [대중에게는 비공개: ZQXSECRET.]\n"):
        root = make_project(tmp_path / str(len(ko_body)), source, ko_body)
        code, stderr, files = check_and_build(root)
        assert code == 1 and files == {}
        assert "ko.yaml:13:7: units.main-text.body: the translation lacks the source's " \
            "'::: exclude-audience pub' block (no reader of this language sees it: keep it " \
            "with nothing inside)" in stderr
