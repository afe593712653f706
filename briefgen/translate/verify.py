"""A returned translation's Markdown compared with its source's, construct by construct, as
briefgen's own parser (content/syntax.py) reads both: the blocks in order, and the inline
constructs (terms, citations, footnote calls, spans with their attributes, emphasis, links,
code) with the audience blocks and spans around each. So whatever way syntax gets in (a
placeholder lost or doubled, `[[usfk]]` or `**` typed as text, a footnote call moved out of
its span) the translation differs from its source and is refused."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt

from briefgen.content.syntax import CLOSE, OPEN, parser

Construct = tuple[tuple[str, ...], str]  # (the blocks and spans around it, what it is)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """A pure memo: the parser keeps nothing between parses."""
    return parser()


def _inline(tok: Any) -> str | None:
    t = tok.type
    if t in ("term", "citation", "citation_bad", "code_inline"):
        return f"{t} {tok.content}"
    if t == "footnote_ref":
        return f"footnote [^{tok.meta.get('label', '')}]"
    if t in ("link_open", "image"):
        return f"{t} {tok.attrs.get('href', tok.attrs.get('src', ''))}"
    if t in ("em_open", "strong_open", "s_open", "hardbreak", "html_inline"):
        return f"{t} {tok.markup}"
    return None


def constructs(text: str) -> tuple[list[str], Counter[Construct], list[str]]:
    """The blocks in order, the inline constructs with their context, and the syntax
    issues of a Markdown text."""
    env: dict[str, Any] = {}
    blocks: list[str] = []
    inline: Counter[Construct] = Counter()
    around: list[str] = []
    for tok in _parser().parse(text, env):
        if tok.type == OPEN:
            around.append("::: " + " ".join(tok.info.split()))
            blocks.append(around[-1])
        elif tok.type == CLOSE and around:
            blocks.append("/" + around.pop())
        elif tok.type == "inline":
            spans: list[str] = []
            for child in tok.children or []:
                if child.type == "span_open":
                    spec = "{" + " ".join(f'{k}="{v}"' for k, v in
                                          sorted(child.attrs.items())) + "}"
                    inline[((*around, *spans), "span " + spec)] += 1
                    spans.append(spec)
                elif child.type == "span_close" and spans:
                    spans.pop()
                elif (what := _inline(child)) is not None:
                    inline[((*around, *spans), what)] += 1
        elif tok.block and tok.nesting >= 0 and tok.type not in ("paragraph_open",):
            blocks.append(f"{tok.type} {tok.markup} {tok.info}".strip())
        elif tok.type == "paragraph_open" and not tok.hidden:
            blocks.append("paragraph")
    issues = sorted({i.message for i in env.get("bg_issues", [])})
    return blocks, inline, issues


def _found(*, code: str, message: str) -> tuple[str, str]:
    return code, message


def differences(source: str, target: str) -> list[tuple[str, str]]:
    """(code, message) of each way target's constructs differ from source's; [] if none."""
    sblocks, sinline, sissues = constructs(source)
    tblocks, tinline, tissues = constructs(target)
    out: list[tuple[str, str]] = []
    for issue in tissues:
        if issue not in sissues:
            out.append(_found(code="BG632", message="the translation's Markdown does not "
                              f"parse as the source's: {issue}"))
    if sblocks != tblocks:
        out.append(_found(code="BG631", message="the line structure differs from the "
                          f"source's: {len(tblocks)} block parts ({', '.join(tblocks[:6])}) "
                          f"where the source has {len(sblocks)} ({', '.join(sblocks[:6])})"))
    plain_s = Counter(what for (_, what), n in sinline.items() for _ in range(n))
    plain_t = Counter(what for (_, what), n in tinline.items() for _ in range(n))
    for key in sorted(set(sinline) | set(tinline)):
        have, want = tinline.get(key, 0), sinline.get(key, 0)
        what = key[1]
        if have == want:
            continue
        if plain_s[what] == plain_t[what]:
            out.append(_found(code="BG630", message=f"{what} is reordered illegally: it "
                              "moved out of or into the audience or lang span or ':::' block "
                              "that encloses it in the source"))
        elif have < want and plain_t[what] < plain_s[what]:
            out.append(_found(code="BG626", message=f"{what} is missing from the translation"))
        elif plain_s[what] == 0:
            out.append(_found(code="BG632", message=f"the translation has {what}, which the "
                              "source has not (Markdown typed as text becomes syntax)"))
        elif have > want:
            out.append(_found(code="BG627", message=f"{what} appears {plain_t[what]} times in "
                              f"the translation, {plain_s[what]} in the source"))
    return list(dict.fromkeys(out))
