"""The parse memos (edition/markdown.py:_parsed, content/syntax.py:tokens): a brief's texts
are parsed once per language, not once per artifact, and a text with no audience block or
span once for every audience. A memo that served one audience's parse to another would
publish what that audience may not read, so each case here renders with the memos warm, in
every order of audiences and modes, and compares with a render without them (memo_free)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from briefgen.content import readers, syntax
from briefgen.content.project import load_project
from briefgen.edition import markdown
from briefgen.edition.markdown import Context, Origin, Tables, render
from briefgen.edition.resolve import resolve
from briefgen.errors import Problems
from briefgen.publish.html import render_edition

REPO = Path(__file__).resolve().parent.parent
AUDIENCES = ["officials", "pub"]
SECRET = "ZQXSECRET"


def cold() -> None:
    markdown._PARSES.clear()
    syntax._TOKENS.clear()
    syntax._shapes.cache_clear()
    readers._seen.cache_clear()


@contextmanager
def memo_free() -> Iterator[None]:
    """Every parse made afresh, as before the memos: the baseline."""
    real_tokens, real_parsed = syntax.tokens, markdown._parsed

    def tokens(text: str, audience: str | None) -> tuple[Any, ...]:
        return tuple(syntax._shape_parser().parse(text, {"audience": audience}))

    def parsed(md: Any, text: str, inline: bool, audience: str, keys: tuple[str, ...]
               ) -> tuple[list[Any], list[Any], list[Any]]:
        env: dict[str, Any] = {"audience": audience, "bg_cite_keys": keys}
        toks = md.parseInline(text, env) if inline else md.parse(text, env)
        return toks, list(env.get("bg_issues", [])), list(env.get("bg_definitions", []))

    syntax.tokens = readers.tokens = tokens  # type: ignore[assignment]
    markdown._parsed = parsed  # type: ignore[assignment]
    cold()
    try:
        yield
    finally:
        syntax.tokens = readers.tokens = real_tokens  # type: ignore[assignment]
        markdown._parsed = real_parsed  # type: ignore[assignment]
        cold()


def rendered(text: str, audience: str, mode: str, inline: bool) -> tuple[str, list[str]]:
    problems = Problems()
    ctx = Context(audience, AUDIENCES, "en", Tables(), Path("."), Path("."), problems,
                  mode=mode)  # type: ignore[arg-type]
    html = render(text, ctx, Origin("body.md", 1, 1), inline=inline)
    return html + "|" + "|".join(n.html for n in ctx.notes), [str(p) for p in problems.items]


#: texts whose parse depends on the audience, and texts whose parse does not
TEXTS = {
    "block": f"Open text.\n\n::: audience officials\n{SECRET} in a block.\n:::\n",
    "span": f"Open [{SECRET} span]{{audience=\"officials\"}} and more.",
    "excluded": f"Text [{SECRET}]{{exclude-audience=\"pub\"}}.",
    "definitions": ("See the note[^src] and [the cable][ref].\n\n::: audience pub\n[^src]: "
                    "Public.\n\n[ref]: https://pub.example/\n:::\n\n::: audience officials\n"
                    f"[^src]: {SECRET} cable.\n\n[ref]: https://{SECRET}.example/\n:::\n"),
    "hidden call": (f"See[^src].\n\n::: audience officials\n[^src]: {SECRET}\n:::\n"),
    "twice": ("A[^n]\n\n[^n]: one\n\n::: audience pub\n[^n]: two\n:::\n"),
    "slip": f"Text\n\n::: audiance pub\n{SECRET}\n:::\n",
    "plain": "Plain text with a note[^a] and a [link](https://example.org).\n\n[^a]: A note.",
    "code": f"A `code` span and\n\n```\n::: audience officials\n{SECRET}\n```\n",
    # a definition inside a block inside a footnote no one calls: for pub, the footnote
    # plugin drops the outer note with the block's markers, and no block is left
    "nested definition": (f"[^outer]: See[^in].\n\n    ::: audience officials\n    [^in]: "
                          f"{SECRET}\n    :::\n\nText[^in].\n"),
}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_a_remembered_parse_renders_as_a_fresh_one_for_every_audience_and_mode(name: str
                                                                                ) -> None:
    text = TEXTS[name]
    cases = [(a, m, i) for a in AUDIENCES for m in ("screen", "print") for i in (False, True)]
    with memo_free():
        fresh = {case: rendered(text, *case) for case in cases}
    for order in itertools.permutations(cases[::2]):  # audience x mode, inline or not
        cold()
        for case in order:
            for inline in (False, True):
                c = (case[0], case[1], inline)
                assert rendered(text, *c) == fresh[c], (name, order, c)
    if name in ("block", "span", "excluded", "definitions", "hidden call", "nested definition"):
        assert SECRET not in fresh[("pub", "screen", False)][0]  # the case tests a secret
        assert SECRET in fresh[("officials", "screen", False)][0]


def shapes(text: str, audience: str | None) -> tuple[object, ...]:
    who = audience or "pub"
    return (syntax.block_shape(text, who), syntax.numbered_blocks(text, who),
            readers.seen_text(text, [who]), readers.seen_text(text, AUDIENCES),
            readers._visible(text, who), syntax.tokens(text, audience))


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_the_checks_read_the_same_shapes_from_the_shared_tokens(name: str) -> None:
    text = TEXTS[name]
    with memo_free():
        fresh = {audience: repr(shapes(text, audience)) for audience in [*AUDIENCES, None]}
    for order in itertools.permutations([*AUDIENCES, None]):
        cold()
        for audience in order:
            assert repr(shapes(text, audience)) == fresh[audience], (name, order, audience)
    if name in ("block", "definitions", "hidden call"):  # valid texts (the nested
        assert SECRET not in readers.seen_text(text, ["pub"])  # definition is an error)


def test_only_a_parse_without_blocks_spans_or_issues_is_kept_for_everyone() -> None:
    cold()
    syntax.tokens(TEXTS["plain"], "pub")
    syntax.tokens(TEXTS["block"], "pub")
    syntax.tokens(TEXTS["slip"], "pub")
    syntax.tokens(TEXTS["nested definition"], "pub")
    syntax.tokens(TEXTS["block"], None)
    assert set(syntax._TOKENS.keys()) == {
        (TEXTS["plain"], None, True), (TEXTS["block"], "pub", False),
        (TEXTS["slip"], "pub", False), (TEXTS["nested definition"], "pub", False),
        (TEXTS["block"], None, False)}
    for name in ("plain", "span", "slip"):
        rendered(TEXTS[name], "pub", "screen", False)
    assert {k[0]: k[2] for k in markdown._PARSES.keys()} == {
        TEXTS["plain"]: None, TEXTS["span"]: "pub", TEXTS["slip"]: "pub"}


def test_a_remembered_token_is_a_copy_the_renderer_may_change() -> None:
    cold()
    text = "A [link](https://example.org) and an image ![x](missing.png)."
    first = rendered(text, "pub", "screen", False)
    (kept,) = [markdown._PARSES.get(k) for k in markdown._PARSES.keys()]
    link = next(c for t in kept.tokens for c in t.children or () if c.type == "link_open")
    assert link.attrs == {"href": "https://example.org"}  # untouched by the first render
    assert rendered(text, "pub", "screen", False) == first


def test_the_shipped_editions_render_the_same_from_warm_and_cold_memos() -> None:
    """Every edition of the shipped brief in both modes, in the build's order with the memos
    warm, then each from cold memos in the reverse order: byte-identical pages."""
    project = load_project(REPO)
    slug = next(iter(project.briefs))
    editions = [(aid, lang, mode) for aid, aud in sorted(project.audiences.items())
                for lang in aud.value.languages for mode in ("screen", "print")]
    assert len(editions) >= 10

    def page(aid: str, lang: str, mode: str) -> str:
        problems = Problems()
        html = render_edition(resolve(project, slug, aid, lang, mode, problems),  # type: ignore[arg-type]
                              session=project.session)
        assert not problems.errors
        return html

    cold()
    warm = [page(*e) for e in editions]
    for e, html in reversed(list(zip(editions, warm, strict=True))):
        cold()
        assert page(*e) == html, e


def test_a_remembered_yaml_parse_follows_the_bytes_not_the_path(tmp_path: Path) -> None:
    """read_yaml remembers the files it parsed last by their bytes: an edit is read again
    (serve and --watch read the same path for hours), and two files with the same bytes
    are each reported under their own path."""
    from briefgen.content.yamlread import read_yaml

    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("title: one\n")
    b.write_text("title: one\n")
    assert read_yaml(a, "a.yaml").data == {"title": "one"}
    doc = read_yaml(b, "b.yaml")
    assert (doc.path, doc.data) == ("b.yaml", {"title": "one"})
    assert read_yaml(a, "a.yaml").path == "a.yaml"
    a.write_text("title: two\n")
    assert read_yaml(a, "a.yaml").data == {"title": "two"}


def test_a_caller_that_changes_its_yaml_document_changes_no_other_readers(tmp_path: Path
                                                                         ) -> None:
    """The attack a planted-cache test found: a reader that empties an audience's
    forbidden_phrases in the Document it got must not empty them for the next reader of
    the same bytes (the memo hands out copies)."""
    from briefgen.content.yamlread import read_yaml

    path = tmp_path / "public.yaml"
    path.write_text("forbidden_phrases: [secret annex]\nterms: {plan: {en: a plan}}\n")
    first = read_yaml(path, "public.yaml")
    first.data["forbidden_phrases"].clear()
    first.data["terms"]["plan"]["en"] = "changed"
    first.data["forbidden_phrases"] = []
    first.positions.clear()
    again = read_yaml(path, "public.yaml")
    assert again.data == {"forbidden_phrases": ["secret annex"],
                          "terms": {"plan": {"en": "a plan"}}}
    assert again.positions


def test_recent_drops_the_value_used_longest_ago() -> None:
    from briefgen.recent import Recent

    kept: Recent[str, int] = Recent(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now the newest
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (1, None, 3)
    assert kept.keys() == ["a", "c"]
