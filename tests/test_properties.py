"""Property test of issue #12: no text restricted from an audience reaches any of its files.

The generator builds documents from audience blocks (nested, the outer fence longer than
the inner), exclude-blocks, spans and exclude-spans (nested too), footnote calls and
definitions, link references and their definitions, inside and outside blocks; whole briefs
add section- and item-level `audiences:` / `exclude_audiences:` and a Korean translation
that keeps the source's markers (and may leave blocks that no Korean reader sees empty). Every
piece of text carries a unique token that encodes the audiences the generator computed may
see it (`ENT12xop`: English text number 12, seen by officials and pub; `KOT3xn`: Korean text
number 3, seen by nobody). Then for every audience:

- no token it may not see is in anything rendered for it (in-process renders, every file a
  real `check` + `build --format html` writes, and the PDFs of a few builds);
- every token it may see is there (so the test cannot pass by publishing nothing);
- a document the generator made invalid on purpose (a footnote or link label that one
  audience sees defined twice, a call whose definition it does not see) is an error, and
  the build writes nothing; a valid one is not an error.
"""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, event, given, settings
from hypothesis import strategies as st
from mutation_support import examples, fresh_caches  # noqa: F401 (an autouse fixture)
from pypdf import PdfReader

from briefgen.edition.markdown import Context, Origin, Tables, render
from briefgen.errors import Problems

from conftest import run
from tiny import AUDIENCES as TINY_AUDIENCES
from tiny import _yaml_block, make_project

AUDS = ("officials", "press", "pub")
EVERYONE = frozenset(AUDS)
LANGS = {"officials": ("en",), "press": ("en", "ko"), "pub": ("en", "ko")}
KO_READERS = frozenset(a for a in AUDS if "ko" in LANGS[a])
CODE = {"officials": "o", "press": "r", "pub": "p"}
FOOTNOTES = ("a", "b")
REFS = ("r1", "r2")

# -- the documents ---------------------------------------------------------------------------
# Inline: ("text",) | ("call", label) | ("ref", label) | ("span", kind, ids, [inline])
# Block:  ("para", [inline]) | ("fdef", label[, [inline without calls]]) | ("rdef", label)
#         | ("block", kind, ids, drop_in_ko, [block])

specs = st.tuples(st.sampled_from(["audience", "exclude-audience"]),
                  st.lists(st.sampled_from(AUDS), min_size=1, max_size=2, unique=True))
inlines = st.recursive(
    st.one_of(st.just(("text",)), st.just(("text",)),
              st.tuples(st.just("call"), st.sampled_from(FOOTNOTES)),
              st.tuples(st.just("ref"), st.sampled_from(REFS))),
    lambda children: st.builds(lambda spec, kids: ("span", spec[0], spec[1], kids), specs,
                               st.lists(children, min_size=1, max_size=3)),
    max_leaves=6)
# what a footnote may say: text and spans (a call inside a note is an error of its own)
note_texts = st.lists(st.recursive(
    st.just(("text",)),
    lambda children: st.builds(lambda spec, kids: ("span", spec[0], spec[1], kids), specs,
                               st.lists(children, min_size=1, max_size=2)),
    max_leaves=3), min_size=1, max_size=2)
paragraphs = st.builds(lambda kids: ("para", [("text",), *kids]),
                       st.lists(inlines, min_size=0, max_size=4))
blocks = st.recursive(
    st.one_of(paragraphs, paragraphs,
              st.tuples(st.just("fdef"), st.sampled_from(FOOTNOTES)),
              st.tuples(st.just("fdef"), st.sampled_from(FOOTNOTES), note_texts),
              st.tuples(st.just("rdef"), st.sampled_from(REFS))),
    lambda children: st.builds(lambda spec, drop, kids: ("block", spec[0], spec[1], drop, kids),
                               specs, st.booleans(), st.lists(children, min_size=1, max_size=3)),
    max_leaves=10)
documents = st.lists(blocks, min_size=1, max_size=5)


def narrowed(vis: frozenset[str], kind: str, ids: Iterable[str]) -> frozenset[str]:
    return vis & frozenset(ids) if kind == "audience" else vis - frozenset(ids)


def texts(node: Any) -> list[Any]:
    """The inline parts of a paragraph or a footnote definition."""
    return list(node[1]) if node[0] == "para" else list(node[2]) if node[0] == "fdef" and \
        len(node) > 2 else []


def height(node: Any) -> int:
    """How many audience blocks nest inside a block (0 for none): its fence is longer by
    that many colons than ':::'."""
    if node[0] != "block":
        return -1
    return 1 + max((height(k) for k in node[4]), default=-1)


@dataclass
class Emitted:
    """A Markdown text, and what the generator knows of it."""

    lines: list[str] = field(default_factory=list)
    tokens: dict[str, frozenset[str]] = field(default_factory=dict)  # token -> who sees it
    # label -> [(who sees the definition, its token)]; label -> [who sees each call]
    fdefs: dict[str, list[tuple[frozenset[str], str]]] = field(default_factory=dict)
    rdefs: dict[str, list[tuple[frozenset[str], str]]] = field(default_factory=dict)
    calls: dict[str, list[frozenset[str]]] = field(default_factory=dict)
    uses: dict[str, list[frozenset[str]]] = field(default_factory=dict)
    note_tokens: dict[str, set[str]] = field(default_factory=dict)  # the spans' in a note

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


class Tokens:
    """Unique tokens: a prefix per language, a number, then who may see the text."""

    def __init__(self, prefix: str) -> None:
        self.prefix, self.n = prefix, 0

    def __call__(self, vis: frozenset[str]) -> str:
        self.n += 1
        return f"{self.prefix}{self.n}x" + ("".join(sorted(CODE[a] for a in vis)) or "n")


def emit(doc: list[Any], vis: frozenset[str], tokens: Tokens, lang: str = "en") -> Emitted:
    out = Emitted()

    def tok(v: frozenset[str]) -> str:
        t = tokens(v)
        out.tokens[t] = v
        return t

    def inline(node: Any, v: frozenset[str]) -> str:
        if node[0] == "text":
            return ("본문 " if lang == "ko" else "") + tok(v)
        if node[0] == "call":
            out.calls.setdefault(node[1], []).append(v)
            return f"[^{node[1]}]"
        if node[0] == "ref":
            out.uses.setdefault(node[1], []).append(v)
            return f"[{tok(v)}][{node[1]}]"
        inner = narrowed(v, node[1], node[2])
        return "[" + " ".join(inline(k, inner) for k in node[3]) + \
            f']{{{node[1]}="{" ".join(node[2])}"}}'

    def block(node: Any, v: frozenset[str], hollow: bool = False) -> None:
        """hollow: inside a block the translation leaves empty, where only the markers
        stay (blocks, emptied too, notes, and the paragraphs that carry spans)."""
        # (footnote definitions stay: see test_spans_of_every_footnote_definition_are_markers)
        if hollow and node[0] in ("para", "rdef") and not any(k[0] == "span" for k in texts(node)):
            return
        if out.lines:
            out.lines.append("")
        if node[0] == "para":
            out.lines.append(" ".join(inline(k, v) for k in node[1]) + ".")
        elif node[0] == "fdef":
            t = tok(v)
            out.fdefs.setdefault(node[1], []).append((v, t))
            before = len(out.tokens)
            more = "".join(" " + inline(k, v) for k in (node[2] if len(node) > 2 else []))
            out.note_tokens[t] = set(list(out.tokens)[before:])
            out.lines.append(f"[^{node[1]}]: Note {t}{more}.")
        elif node[0] == "rdef":
            t = tok(v)
            out.rdefs.setdefault(node[1], []).append((v, t))
            out.lines.append(f"[{node[1]}]: https://example.org/{t}")
        else:
            _, kind, ids, drop, kids = node
            fence = ":" * (3 + height(node))
            out.lines.append(f"{fence} {kind} {' '.join(ids)}")
            inner = narrowed(v, kind, ids)
            # a translation may leave a block that none of its readers sees empty
            hollow = hollow or (lang == "ko" and drop and not inner & KO_READERS)
            first = len(out.lines)
            for k in kids:
                block(k, inner, hollow)
            if len(out.lines) > first and out.lines[first] == "":
                del out.lines[first]
            out.lines.append(fence)

    for node in doc:
        block(node, vis)
    if not out.lines:
        out.lines.append(tok(vis))
    return out


@dataclass
class Expect:
    forbidden: set[str]  # tokens that must not appear
    required: set[str]  # tokens that must appear when the text is valid
    error: bool  # the text is invalid for this audience (by design)


def expect(e: Emitted, audience: str) -> Expect:
    """What rendering e for audience must give."""
    forbidden = {t for t, v in e.tokens.items() if audience not in v}
    required = {t for t, v in e.tokens.items() if audience in v}
    error = False
    for defs, calls in ((e.fdefs, e.calls), (e.rdefs, e.uses)):
        for label in set(defs) | set(calls):
            seen = [t for v, t in defs.get(label, []) if audience in v]
            if len(seen) > 1:
                error = True  # defined twice for this audience
            label_calls = calls.get(label, [])
            visible_call = any(audience in v for v in label_calls)
            if not visible_call:
                for _, t in defs.get(label, []):  # a note nobody calls is not printed
                    required -= {t, *e.note_tokens.get(t, ())}
            dangling = not seen and (defs is e.fdefs or label in defs)
            if dangling and visible_call:
                error = True  # a call (or link) whose definition this audience does not see
    return Expect(forbidden, required, error)


def repaired(doc: list[Any], vis: frozenset[str]) -> list[Any]:
    """doc without the footnote and link labels that make it invalid for some audience:
    their calls become text, their definitions go."""
    e = emit(doc, vis, Tokens("ENT"))
    bad = set()
    for audience in sorted(vis):
        for label in [*e.fdefs, *e.calls, *e.rdefs, *e.uses]:
            one = Emitted(tokens=e.tokens, fdefs={k: v for k, v in e.fdefs.items() if k == label},
                          rdefs={k: v for k, v in e.rdefs.items() if k == label},
                          calls={k: v for k, v in e.calls.items() if k == label},
                          uses={k: v for k, v in e.uses.items() if k == label})
            if expect(one, audience).error:
                bad.add(label)

    def strip(node: Any) -> Any:
        if node[0] in ("call", "ref") and node[1] in bad:
            return ("text",)
        if node[0] == "span":
            return (*node[:3], [strip(k) for k in node[3]])
        if node[0] == "para":
            return ("para", [strip(k) for k in node[1]])
        if node[0] == "block":
            return (*node[:4], [strip(k) for k in node[4] if not gone(k)])
        return node

    def gone(node: Any) -> bool:
        return node[0] in ("fdef", "rdef") and node[1] in bad

    return [strip(n) for n in doc if not gone(n)]


def render_for(text: str, audience: str, lang: str = "en") -> tuple[str, Problems]:
    problems = Problems()
    ctx = Context(audience, list(AUDS), lang, Tables(), Path("."), Path("."),
                  problems)
    html = render(text, ctx, Origin("body.md", 1, 1))
    return html + " ".join(n.html for n in ctx.notes), problems


def assert_edition(html: str, problems: Problems, want: Expect, what: str) -> None:
    leaked = sorted(t for t in want.forbidden if t in html)
    assert not leaked, f"{what}: restricted text published: {leaked}"
    if want.error:
        assert problems.errors, f"{what}: an invalid document was accepted"
    else:
        assert not problems.errors, f"{what}: {[str(p) for p in problems.errors]}"
    if not problems.errors:
        missing = sorted(t for t in want.required if t not in html)
        assert not missing, f"{what}: text this audience may read is missing: {missing}"




def bounded(max_examples: int, shrink: bool = True) -> settings:
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])
    return settings(max_examples=examples(max_examples), deadline=None, derandomize=True,
                    database=None, suppress_health_check=list(HealthCheck), phases=phases)


@bounded(600)
@given(documents)
def test_no_audience_renders_text_restricted_from_it(doc: list[Any]) -> None:
    for lang, readers in (("en", EVERYONE), ("ko", KO_READERS)):
        e = emit(doc, EVERYONE, Tokens("ENT" if lang == "en" else "KOT"), lang)
        for audience in sorted(readers):
            html, problems = render_for(e.text, audience, lang)
            want = expect(e, audience)
            event("invalid" if want.error else "valid")
            assert_edition(html, problems, want, f"{lang}/{audience}:\n{e.text}")


def test_the_generator_marks_what_it_places() -> None:
    """The model itself, on a hand-made document: the tokens say who sees what."""
    doc = [("para", [("text",), ("span", "audience", ["pub"], [("text",), ("call", "a")])]),
           ("block", "exclude-audience", ["pub"], False,
            [("block", "audience", ["officials", "press"], False, [("fdef", "a"),
                                                                     ("para", [("text",)])])]),
           ("block", "audience", ["pub"], False, [("fdef", "a")])]
    e = emit(doc, EVERYONE, Tokens("ENT"))
    assert e.text == ('ENT1xopr [ENT2xp [^a]]{audience="pub"}.\n\n'
                      ":::: exclude-audience pub\n::: audience officials press\n"
                      "[^a]: Note ENT3xor.\n\nENT4xor.\n:::\n::::\n\n"
                      "::: audience pub\n[^a]: Note ENT5xp.\n:::\n")
    pub = expect(e, "pub")
    assert pub.forbidden == {"ENT3xor", "ENT4xor"} and not pub.error
    assert pub.required == {"ENT1xopr", "ENT2xp", "ENT5xp"}
    press = expect(e, "press")
    assert press.required == {"ENT1xopr", "ENT4xor"}  # its note is never called for it
    html, problems = render_for(e.text, "pub")
    assert_edition(html, problems, pub, "pub")


def test_a_label_seen_twice_is_refused_by_the_model_and_by_briefgen() -> None:
    doc = [("para", [("text",), ("call", "a")]), ("fdef", "a"),
           ("block", "audience", ["pub", "press"], False, [("fdef", "a")])]
    e = emit(doc, EVERYONE, Tokens("ENT"))
    assert expect(e, "pub").error and not expect(e, "officials").error
    for audience in AUDS:
        html, problems = render_for(e.text, audience)
        assert_edition(html, problems, expect(e, audience), audience)


def test_a_hidden_call_of_a_hidden_definition_is_valid() -> None:
    """An officials-only block with its own footnote and link: the natural use of scoped
    definitions. pub sees neither the call nor the definition, so nothing is wrong for pub."""
    text = ("Shared.\n\n::: audience officials\nSee[^n] and [the cable][r].\n\n"
            "[^n]: Internal note.\n\n[r]: https://example.org/cable\n:::\n")
    html, problems = render_for(text, "pub")
    assert "Internal" not in html and "cable" not in html
    assert not problems.errors, [str(p) for p in problems.errors]


def test_spans_of_every_footnote_definition_are_markers(tmp_path: Path) -> None:
    """Each audience block defines its own [^a]; pub's note has an officials-only span. The
    Korean translation drops that span's markers: the skeleton check must refuse it, or pub's
    Korean edition prints the officials-only text."""
    body = ('Text[^a].\n\n::: audience pub\n[^a]: Note [ZQXSECRET]{audience="officials"}.\n'
            ":::\n\n::: audience officials\n[^a]: Officials note.\n:::\n")
    ko = ("본문[^a].\n\n::: audience pub\n[^a]: 노트 ZQXSECRET.\n:::\n\n"
          "::: audience officials\n:::\n")
    root = make_project(tmp_path, body, ko)
    checked = run("check", project=root)
    built = run("build", "--format", "html", project=root)
    published = [p for p in (root / "build").rglob("*.html") if "ZQXSECRET" in p.read_text()]
    assert [p.relative_to(root / "build").as_posix() for p in published] == [], checked.stderr
    assert checked.exit_code == built.exit_code == 1
    assert "the translation lacks the source's '[…]{audience=\"officials\"}' span" in \
        checked.stderr


# -- whole briefs, through check and build ------------------------------------------------------

sections = st.lists(
    st.tuples(st.one_of(st.none(), specs), documents,
              st.lists(st.tuples(st.one_of(st.none(), specs), documents), max_size=2)),
    min_size=1, max_size=3)


def selection(spec: tuple[str, list[str]] | None, pad: str) -> str:
    if spec is None:
        return ""
    key = "audiences" if spec[0] == "audience" else "exclude_audiences"
    return f"{pad}{key}: [{', '.join(spec[1])}]\n"


@dataclass
class Brief:
    files: dict[str, str]  # path under content/ -> text
    tokens: dict[str, frozenset[str]]  # every token of every language -> who sees it
    expects: dict[tuple[str, str], list[Expect]]  # (audience, lang) -> each of its fields'


def whole_brief(secs: list[Any], valid: bool = True) -> Brief:
    en, ko = Tokens("ENT"), Tokens("KOT")
    brief = ("title: A generated brief\nseries: Tests\ndate: 2026-11-30\nlanguage: en\n"
             "summary: A small brief.\nauthors:\n  - id: ann\n    name: Ann\n"
             "    affiliation: Test Institute\nsections:\n")
    units = ("language: ko\nunits:\n  meta:\n    title: 생성된 브리프\n    series: 시험\n"
             "    summary: 작은 브리프.\n  ann:\n    name: 앤\n    affiliation: 시험 연구소\n")
    tokens: dict[str, frozenset[str]] = {}
    expects: dict[tuple[str, str], list[Expect]] = {}

    def field_of(doc: list[Any], vis: frozenset[str], lang: str) -> str:
        # text everyone who sees the part sees: a part with nothing in it may be left out
        doc = [("para", [("text",)]), *(repaired(doc, vis) if valid else doc)]
        e = emit(doc, vis, en if lang == "en" else ko, lang)
        tokens.update(e.tokens)
        for audience in sorted(vis):
            if lang in LANGS[audience]:
                expects.setdefault((audience, lang), []).append(expect(e, audience))
        return e.text

    def title(vis: frozenset[str], lang: str) -> str:
        t = (en if lang == "en" else ko)(vis)
        tokens[t] = vis
        for audience in sorted(vis):
            if lang in LANGS[audience]:
                expects.setdefault((audience, lang), []).append(Expect(set(), {t}, False))
        return t

    for i, (spec, body, items) in enumerate(secs):
        vis = narrowed(EVERYONE, *spec) if spec else EVERYONE
        ivis = [narrowed(vis, *ispec) if ispec else vis for ispec, _ in items]
        if items:  # a section whose items are all hidden disappears (docs/editing.md)
            vis = vis & frozenset().union(*ivis)
        kind = "tasks" if items else "prose"
        brief += (f"  - id: s{i}\n    type: {kind}\n    title: Part {title(vis, 'en')}\n"
                  + selection(spec, "    ")
                  + "    body: " + _yaml_block(field_of(body, vis, "en"), 6))
        units += (f"  s{i}:\n    title: 부분 {title(vis, 'ko')}\n"
                  "    body: " + _yaml_block(field_of(body, vis, "ko"), 6))
        if items:
            brief += "    items:\n"
        for j, ((ispec, ibody), iv) in enumerate(zip(items, ivis, strict=True)):
            brief += (f"      - id: s{i}-i{j}\n        title: Item {title(iv, 'en')}\n"
                      + selection(ispec, "        ")
                      + "        body: " + _yaml_block(field_of(ibody, iv, "en"), 10))
            units += (f"  s{i}-i{j}:\n    title: 항목 {title(iv, 'ko')}\n"
                      "    body: " + _yaml_block(field_of(ibody, iv, "ko"), 6))
    files = {"briefs/gen/brief.yaml": brief, "briefs/gen/translations/ko.yaml": units}
    for aid in AUDS:
        data = dict(TINY_AUDIENCES.get(aid) or {"name": "Press", "marking": {}})
        data["languages"] = list(LANGS[aid])
        data["marking"] = {"en": "Marked", "ko": "표시"} if aid == "press" else data["marking"]
        files[f"audiences/{aid}.yaml"] = json.dumps(data, ensure_ascii=False)
    return Brief(files, tokens, expects)


def write(root: Path, brief: Brief) -> Path:
    for rel, text in brief.files.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def pdf_texts(data: bytes) -> str:
    """What poppler and pypdf read from a PDF: page text, Info values, outline titles."""
    reader = PdfReader(io.BytesIO(data))
    titles: list[str] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            walk(item) if isinstance(item, list) else titles.append(str(item.title))

    walk(reader.outline)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data,
                          capture_output=True, check=True).stdout.decode()
    return "".join("\n".join([text, *map(str, (reader.metadata or {}).values()), *titles]).split())


def audit(root: Path, brief: Brief, formats: tuple[str, ...]) -> None:
    args = ["--format", formats[0]] if len(formats) == 1 else ["--jobs", "1"]
    checked = run("check", project=root)
    built = run("build", *args, project=root)
    assert "Traceback" not in checked.output + built.output
    out = root / "build"
    wants = brief.expects
    invalid = any(w.error for ws in wants.values() for w in ws)
    event("invalid" if invalid else "valid")
    if invalid:
        assert (checked.exit_code, built.exit_code) == (1, 1), (checked.output, built.output)
        assert not out.exists(), "a refused build wrote files"
        return
    assert (checked.exit_code, built.exit_code) == (0, 0), checked.stderr + built.stderr
    written = sorted(p for p in out.rglob("*") if p.is_file())
    seen: dict[tuple[str, str, str], str] = {}
    for path in written:
        rel = path.relative_to(out).parts
        data = path.read_bytes()
        text = pdf_texts(data) if path.suffix == ".pdf" else data.decode("utf-8")
        if len(rel) == 1:  # the editors' catalogue and manifest.json: titles only
            assert not [t for t in brief.tokens if t in text], rel
            continue
        audience = rel[1] if rel[0] == "gen" else rel[0]
        assert audience in AUDS, rel
        leaked = sorted(t for t, v in brief.tokens.items() if audience not in v and t in text)
        assert not leaked, f"{'/'.join(rel)}: restricted text published: {leaked}"
        if rel[0] == "gen":
            seen[(audience, rel[2], path.suffix)] = text
    for (audience, lang), ws in brief.expects.items():
        for fmt in formats:
            text = seen[(audience, lang, f".{fmt}")]
            missing = sorted(t for w in ws for t in w.required if t not in text)
            assert not missing, f"{audience}/{lang}/{fmt}: missing {missing}"


def refused(brief: Brief) -> bool:
    return any(w.error for ws in brief.expects.values() for w in ws)


@bounded(20, shrink=False)
@given(secs=sections, valid=st.sampled_from([True, True, False]))
def test_no_file_of_an_audience_carries_text_restricted_from_it(
        secs: list[Any], valid: bool, tmp_path_factory: pytest.TempPathFactory) -> None:
    brief = whole_brief(secs, valid)  # two valid briefs for one the generator made invalid
    assume(refused(brief) != valid)
    audit(write(tmp_path_factory.mktemp("gen"), brief), brief, ("html",))


@bounded(3, shrink=False)
@given(secs=sections)
def test_no_pdf_of_an_audience_carries_text_restricted_from_it(
        secs: list[Any], tmp_path_factory: pytest.TempPathFactory) -> None:
    brief = whole_brief(secs)
    assume(not refused(brief))
    audit(write(tmp_path_factory.mktemp("gen"), brief), brief, ("html", "pdf"))
