"""briefgen's own Markdown constructs, parsed strictly so that a slip fails closed.

An audience block (`::: audience ID` … `:::`), an audience span (`[text]{audience="ID"}`) and
the footnote and link-reference definitions inside them are briefgen syntax. Anything that
looks like one but did not parse as one — a misspelt fence, two colons, a marker inside a
code block, an attribute list with an unknown key, curly quotes or a space before it — is an
Issue, never text that would print what it was meant to hide. Definitions belong to the
audience block they sit in: each edition sees only its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.common.utils import normalizeReference
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from briefgen.errors import did_you_mean
from briefgen.recent import Recent

#: The fence names of audience blocks, and the keys an audience span may carry.
CONTAINERS = ("audience", "exclude-audience")
SPAN_KEYS = ("audience", "exclude-audience", "lang")
OPEN, CLOSE = "container_audience_open", "container_audience_close"
#: briefgen's numbered blocks and the prefix their ids take: `::: table {#tbl-ID}` (a caption
#: paragraph, then one pipe table) and `::: figure {#fig-ID}` (caption, image, source line).
NUMBERED = {"table": "tbl", "figure": "fig"}
_NUMBERED_SPEC = re.compile(r"(table|figure)[ \t]+\{#((tbl|fig)-[a-z0-9]+(?:-[a-z0-9]+)*)\}")

# What may stand before a block marker on its line: indentation, blockquote and list markers.
_PREFIX = re.compile(r"[ \t]*(?:>[ \t]*)*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*")
_CLOSING = re.compile(r"[ \t]*(?:>[ \t]*)*:{3,}[ \t]*")
_QUOTES = "“”„‟‘’‚‛«»‹›「」『』＂＇"
_FOOTNOTE_CALL = re.compile(r"\[\^([^\]\s]+)\]")
_ESCAPED = re.compile(r"\\(?=:{2,}|\{)")  # the backslash of an escaped marker in code
_ESCAPES = re.compile(r"\\(?::{2,}|\{)")  # an escaped marker in code, whole
_NAMED = re.compile(r"\W*:\W*(?:exclude\W?)?audiences?\b", re.I)
_ATTRIBUTES = re.compile(r'\{(?:\s*[A-Za-z][\w-]*=(?:"[^"\\\n]*"|[\w:-]+))*\s*\}')
_PAIR = re.compile(r'([A-Za-z][\w-]*)=("[^"]*"|[\w:-]+)')
_LINK_LABEL = re.compile(r"\[([^\]]*)\]")


#: The definitions an audience block scopes.
DefinitionKind = Literal["footnote", "link reference"]


@dataclass(frozen=True)
class Issue:
    """Something that looks like briefgen syntax but is not: an error at line/needle."""

    line: int  # line of the Markdown text, from 0
    needle: str  # the text to point at, searched from the start of that line
    message: str
    hint: str = ""
    code: str = field(kw_only=True)  # one per kind of issue (briefgen/edition/codes.py)


@dataclass(frozen=True)
class Definition:
    """A footnote or link-reference definition, and whether this edition sees it."""

    kind: DefinitionKind
    label: str
    line: int  # line of the Markdown text, from 0
    shown: bool
    scope: tuple[str, ...]  # the audience blocks it sits in, outermost first


# The lru_caches of this module are memos of pure functions: each holds one object built
# the same way every time (a parser, the ICU checker) that keeps no state from one call to
# the next (every parse gets its own env), so no cache here needs resetting.


@lru_cache(maxsize=1)
def _spoof() -> Any:
    import icu  # PyICU: Unicode TS #39 confusables, as the leak guard uses them

    return icu.SpoofChecker()


def lookalike(text: str) -> str:
    """text with compatibility forms and confusable characters replaced by the ASCII they
    look like ('：' and '∶' become ':', '｛' becomes '{'), for spotting disguised markers."""
    if text.isascii():
        return text
    return str(_spoof().getSkeleton(0, unicodedata.normalize("NFKC", text)))


def _after_prefix(line: str) -> str:
    return line[_PREFIX.match(line).end():]  # type: ignore[union-attr]


def is_marker_line(line: str) -> bool:
    """Whether a line starts (after indentation, '>' and list markers) with two colons or
    colon look-alikes among its first four characters, or with a colon and a block's name:
    a block marker, or a slip of one ('::', '!::', ':x:', '\\:::', ': audience')."""
    rest = lookalike(_after_prefix(line)[:40])
    return rest[:4].count(":") >= 2 or bool(_NAMED.match(rest))


def numbered_spec(spec: str) -> tuple[str, str] | None:
    """(kind, id) of a well-formed `table {#tbl-ID}` / `figure {#fig-ID}` spec, else None."""
    m = _NUMBERED_SPEC.fullmatch(spec.strip())
    return (m[1], m[2]) if m and NUMBERED[m[1]] == m[3] else None


def spec_shows(spec: str, audience: str) -> bool:
    """Whether a block's `audience a b` / `exclude-audience a` spec shows it to audience; a
    well-formed table or figure block is shown to the audiences of the blocks around it.
    Anything else (an unknown fence name, no name) shows it to nobody: fail closed."""
    if numbered_spec(spec):
        return True
    words = spec.split()
    if not words or words[0] not in CONTAINERS:
        return False
    inside = audience in words[1:]
    return inside if words[0] == "audience" else not inside


def spec_issues(spec: str, audiences: list[str], line: int) -> list[Issue]:
    """What is wrong with an audience block's or span's spec ('audience a b')."""
    words = spec.split()
    if not words:
        return [Issue(line, ":::", "':::' closes no audience block and opens none",
                      "a block starts with '::: audience ID' or '::: exclude-audience ID' "
                      "and ends with ':::'", code="BG201")]
    kind, ids = words[0], words[1:]
    if kind in NUMBERED:
        if numbered_spec(spec):
            return []
        prefix = NUMBERED[kind]
        return [Issue(line, kind, f"'::: {kind}' takes one id, written {{#{prefix}-ID}}, and "
                      "nothing else", f"e.g. '::: {kind} {{#{prefix}-agendas}}': '{prefix}-' "
                      "then lowercase letters and digits joined by hyphens", code="BG250")]
    if kind not in CONTAINERS:
        guess = did_you_mean(kind.lower().replace("_", "-"), (*CONTAINERS, *NUMBERED))
        if guess and any(f"'{name}'" in guess for name in NUMBERED):
            return [Issue(line, kind, f"unknown block '::: {kind}': the blocks are 'audience', "
                          "'exclude-audience', 'table' and 'figure'", guess, code="BG202")]
        return [Issue(line, kind, f"unknown block '::: {kind}': only 'audience' and "
                      "'exclude-audience' blocks exist",
                      guess or "write '::: audience ID' or '::: exclude-audience ID'",
                      code="BG202")]
    out = []
    if not ids:
        out.append(Issue(line, kind, f"'{kind}' needs at least one audience id",
                         f"e.g. ::: {kind} {audiences[0] if audiences else 'ID'}", code="BG203"))
    for aid in ids:
        if aid not in audiences:
            out.append(Issue(line, aid, f"unknown audience '{aid}'",
                             did_you_mean(aid, audiences) or "audiences: " + ", ".join(audiences),
                             code="BG204"))
    return out


# -- definitions scoped to audience blocks ---------------------------------------------------


def open_blocks(tokens: list[Token]) -> list[str]:
    """The specs of the audience blocks still open at the end of tokens, outermost first."""
    stack: list[str] = []
    for tok in tokens:
        if tok.type == OPEN:
            stack.append(tok.info.strip())
        elif tok.type == CLOSE and stack:
            stack.pop()
    return stack


def _scoped(rule: Callable[..., bool], kind: DefinitionKind) -> Callable[..., bool]:
    """A definition rule whose definitions count only for the editions that see the block
    they sit in; a label an edition sees defined twice is an Issue."""

    def scoped(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if silent:
            return rule(state, start, end, silent)
        env = state.env
        n = len(state.tokens)
        known: dict[str, Any] = env.setdefault("references", {})
        refs: dict[str, int] = env.setdefault("footnotes", {}).setdefault("refs", {})
        had = set(refs)
        env["references"] = {}  # the reference rule keeps the first of two; we decide
        try:
            if not rule(state, start, end, silent):
                return False
            added = env["references"]
        finally:
            env["references"] = known
        if kind == "footnote":
            label = state.tokens[n].meta["label"]
            key = ":" + label
        elif added:
            key = next(iter(added))
            written = _LINK_LABEL.match(state.src, state.bMarks[start] + state.tShift[start])
            label = written.group(1) if written else key
        else:
            return True
        scope = tuple(open_blocks(state.tokens[:n]))
        audience = env.get("audience")
        shown = audience is None or all(spec_shows(s, audience) for s in scope)
        definitions: list[Definition] = env.setdefault("bg_definitions", [])
        first = next((d for d in definitions if d.shown and d.kind == kind
                      and _label_key(d.label) == _label_key(label)), None)
        if shown and first is not None:
            mark = f"[^{label}]" if kind == "footnote" else f"[{label}]"
            env.setdefault("bg_issues", []).append(Issue(
                start, mark, f"{kind} {mark} is defined twice for "
                f"{audience or 'the same audience'} (first on line {first.line + 1} of this "
                "text)", "give each definition its own label, or put them in audience "
                "blocks that no audience sees both of", code="BG213"))
        if shown and kind == "link reference" and first is None:
            known[key] = added[key]
        elif not shown and kind == "footnote":
            del state.tokens[n:]
            if key not in had:
                refs.pop(key, None)
        definitions.append(Definition(kind, label, start, shown, scope))
        return True

    return scoped


def _label_key(label: str) -> str:
    return str(normalizeReference(label))


def keep_raw_attributes(md: MarkdownIt) -> None:
    """Wrap the attrs plugin's span rule to keep each span's attribute list as written
    (token.meta["raw"]): its parser skips what it does not understand (`{%…}` comments,
    `on…` keys), and briefgen must see every character."""
    rule = md.inline.ruler.__rules__[md.inline.ruler.__find__("span")]
    parse = rule.fn

    def span(state: StateInline, silent: bool) -> bool:
        n, start = len(state.tokens), state.pos
        if not parse(state, silent):
            return False
        if not silent:
            label_end = state.md.helpers.parseLinkLabel(state, start, False)
            opening = next(t for t in state.tokens[n:] if t.type == "span_open")
            opening.meta["raw"] = state.src[label_end + 1:state.pos]
        return True

    md.inline.ruler.at("span", span, {"alt": list(rule.alt)})


def scope_definitions(md: MarkdownIt) -> None:
    """Wrap markdown-it's link-reference and the footnote plugin's definition rules."""
    kinds: tuple[tuple[str, DefinitionKind], ...] = (("reference", "link reference"),
                                                    ("footnote_def", "footnote"))
    for name, kind in kinds:
        rule = md.block.ruler.__rules__[md.block.ruler.__find__(name)]
        md.block.ruler.at(name, _scoped(rule.fn, kind), {"alt": list(rule.alt)})


# -- checks ----------------------------------------------------------------------------------


def block_issues(tokens: list[Token], text: str) -> list[Issue]:
    """Marker lines that did not parse as the opening or closing line of an audience block,
    and blocks left open."""
    lines = text.split("\n")
    markers: set[int] = set()
    code: list[range] = []
    issues: list[Issue] = []
    for tok in tokens:
        if tok.type == OPEN and tok.map:
            markers.add(tok.map[0])
            close = tok.map[1]
            if close < len(lines) and _CLOSING.fullmatch(lines[close]):
                markers.add(close)
            elif tok.info.strip():  # a bare ':::' that closes nothing: spec_issues says so
                issues.append(Issue(tok.map[0], tok.markup, "this audience block is never "
                                    "closed", "end it with a line ':::'", code="BG205"))
        elif tok.type in ("fence", "code_block") and tok.map:
            code.append(range(*tok.map))
    for i, line in enumerate(lines):
        if i not in markers and is_marker_line(line):
            issues.extend(_marker_line_issue(i, line, any(i in r for r in code)))
    return issues


def _marker_line_issue(i: int, line: str, in_code: bool) -> list[Issue]:
    needle, rest = line.strip()[:12], _after_prefix(line)
    literal = "write &#58; for the first colon to show colons at the start of a line"
    if in_code and rest.startswith("\\"):
        return []  # escaped on purpose, shown as ':::' (see inline_syntax_rule)
    if in_code:
        return [Issue(i, needle, "an audience marker inside a code block is shown as text, "
                      "with everything it was meant to hide", "unindent the block (4 spaces "
                      "make code), close the code fence first, or write \\::: to show the "
                      "marker literally", code="BG207")]
    if rest.startswith("\\"):
        return [Issue(i, needle, "an escaped block marker prints as text, with everything it "
                      "was meant to hide", literal, code="BG206")]
    if not lookalike(rest).startswith(":::"):
        return [Issue(i, needle, "a block marker needs three colons: this line would print "
                      "as text", "write '::: audience ID' … ':::'; " + literal, code="BG206")]
    return [Issue(i, needle, "this line looks like an audience block marker but is not one",
                  "markers use ASCII colons and stand at the start of a line; " + literal,
                  code="BG206")]


def inline_syntax_rule(state: StateCore) -> None:
    """A core rule (before text_join, so escapes are still told apart): attribute lists
    that did not attach, unknown span keys, curly quotes, stray ':::', brackets that leave a
    span covering less than meant, calls of definitions this edition does not see, and
    escapes in code."""
    issues: list[Issue] = state.env.setdefault("bg_issues", [])
    definitions: list[Definition] = state.env.get("bg_definitions", [])
    shown = {(d.kind, _label_key(d.label)) for d in definitions if d.shown}
    hidden = [d for d in definitions if not d.shown and (d.kind, _label_key(d.label))
              not in shown]
    audience = state.env.get("audience")
    blocks: list[bool] = []  # whether each open audience block is shown to the audience
    for tok in state.tokens:
        if tok.type == OPEN:
            blocks.append(audience is None or spec_shows(tok.info.strip(), audience))
        elif tok.type == CLOSE and blocks:
            blocks.pop()
        elif tok.type in ("fence", "code_block"):
            tok.content = _ESCAPED.sub("", tok.content)
        elif tok.type == "inline" and tok.children:
            line = tok.map[0] if tok.map else 0
            issues.extend(_inline_issues(tok.children, line, hidden, audience, all(blocks),
                                         state.env.get("bg_cite_keys") or ()))


def _inline_issues(children: list[Token], line: int, hidden: list[Definition],
                   audience: str | None, shown: bool, keys: Iterable[str] = ()
                   ) -> Iterable[Issue]:
    """Syntax issues anywhere; calls without a definition only where the audience sees them
    (shown: whether the blocks around these tokens are shown to it)."""
    text = "".join(t.content for t in children if t.type == "text")
    if any(t.type == "span_open" and set(t.attrs) & set(CONTAINERS) for t in children) and \
            _unbalanced(text):
        yield Issue(line, "[", "a bracket without its pair stands beside an audience span, "
                    "so the span may not cover what it should",
                    "pair every [ with a ]; write &#91; or &#93; for a lone bracket", code="BG212")
    spans: list[bool] = []
    for tok in children:
        if tok.type == "span_open":
            yield from _attr_issues(tok, line)
            spans.append(audience is None or all(spec_shows(f"{k} {v}", audience)
                                                 for k, v in tok.attrs.items()
                                                 if k in CONTAINERS))
        elif tok.type == "span_close" and spans:
            spans.pop()
        elif tok.type == "code_inline":
            look = lookalike(_ESCAPES.sub("", tok.content)).casefold()
            if ":::" in look or ("{" in look and "audience" in look):
                yield Issue(line, tok.content[:20], "an audience marker inside `code` is "
                            "shown as text", "write \\{ or \\::: inside the code to show "
                            "the syntax literally", code="BG207")
            tok.content = _ESCAPED.sub("", tok.content)
        elif tok.type == "text_special" and tok.markup == "\\{" and \
                "=" in _text_after(children, tok).partition("}")[0]:
            yield Issue(line, "\\{", "an escaped '{…=…}' prints as text, with the span it "
                        "was meant to hide", "write &#123; for a literal brace", code="BG211")
        elif tok.type == "citation" and _text_before(children, tok).endswith("@"):
            yield Issue(line, "@" + tok.content, f"an @ stands before the citation "
                        f"'{tok.content[:30]}' and would print as text", CITE_FORMS,
                        code="BG270")
        elif tok.type == "citation" and re.match(r"\]\s*[(\[]", _text_after(children, tok)):
            yield Issue(line, tok.content, f"citation '{tok.content[:40]}' stands inside a "
                        "link's text", "put the citation after the link", code="BG270")
        elif tok.type == "citation_bad":
            yield Issue(line, tok.content, tok.meta["message"], CITE_FORMS + "; write &#64; "
                        "for a literal @ and &#91; for a literal [", code="BG270")
        elif tok.type == "text":
            yield from _text_issues(tok.content, line)
            yield from _key_issues(tok.content, line, keys)
            if shown and all(spans):
                yield from _call_issues(tok.content, line, hidden, audience)


def _key_issues(text: str, line: int, keys: Iterable[str]) -> Iterable[Issue]:
    """@key of a reference after a letter or sign (not _STRAY_AT's): a citation whose '['
    slipped ('x@lee-2025, p. 12]'), which an e-mail address never is."""
    known = set(keys)
    for m in re.finditer(rf"(?<=\S)@({CITE_KEY})", text):
        if m[1] in known and not _STRAY_AT.match(text, m.start()):
            yield Issue(line, text[max(m.start() - 1, 0):m.end()], f"'@{m[1]}' names a "
                        "reference outside a citation's brackets", CITE_FORMS + "; write "
                        "&#64; for a literal @", code="BG270")
    for m in re.finditer(rf"(?<![\w@])({CITE_KEY})(?=\]|, (?:p|pp|ch|sec|para)\.)", text):
        if m[1] in known:
            yield Issue(line, m[1], f"'{m[1]}' is what is left of a citation: its '[@' is "
                        "missing", CITE_FORMS, code="BG270")


def _text_before(children: list[Token], tok: Token) -> str:
    """The text that precedes tok in its paragraph (escapes and entities as they print)."""
    before = children[:children.index(tok)]
    return "".join(t.content for t in before if t.type in ("text", "text_special"))


def _text_after(children: list[Token], tok: Token) -> str:
    """The text that follows tok in its paragraph (escapes and entities as they print)."""
    rest = children[children.index(tok) + 1:]
    return "".join(t.content for t in rest if t.type in ("text", "text_special"))


def _unbalanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if depth < 0:
            return True
    return depth != 0


def _attr_issues(tok: Token, line: int) -> Iterable[Issue]:
    raw = str(tok.meta.get("raw", ""))
    if not _ATTRIBUTES.fullmatch(raw):
        yield Issue(line, raw[:12] or "{", f"attribute list '{raw[:40]}' is not of the form "
                    '{key="value"}', 'write [text]{audience="ID"} (or exclude-audience, lang), '
                    "with straight quotes", code="BG208")
        return
    for key, value in _PAIR.findall(raw):  # as written: the plugin drops on… keys
        if key not in SPAN_KEYS:
            yield Issue(line, key, f"unknown attribute '{key}' in {{…}}: a span takes only "
                        + ", ".join(SPAN_KEYS),
                        did_you_mean(key.lower().replace("_", "-"), SPAN_KEYS), code="BG209")
        elif any(q in str(value) for q in _QUOTES):
            yield Issue(line, key, f"the value of '{key}' is in curly quotes",
                        f'write {key}="ID" with straight quotes (your editor may be '
                        "replacing them)", code="BG210")
        elif key == "lang" and not is_language_tag(str(value).strip('"')):
            yield Issue(line, key, f"lang '{str(value).strip(chr(34))}' is not a language "
                        "tag", "write a BCP 47 tag of a language: en, en-US, ko, zh-Hans, "
                        "ja (it becomes the passage's lang, and the PDF's /Lang)",
                        code="BG217")


#: a BCP 47 tag's shape: a language, then subtags (script, region, variant)
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


@lru_cache(maxsize=256)
def is_language_tag(tag: str) -> bool:
    """Whether `tag` is a BCP 47 tag whose language CLDR knows (en, en-US, zh-Hans, ja):
    the lang of a passage, where a slip ('english', 'kr') would be a false language."""
    from babel import Locale

    return bool(LANGUAGE_TAG.fullmatch(tag)) and \
        tag.split("-")[0].lower() in Locale("en").languages


def _text_issues(text: str, line: int) -> Iterable[Issue]:
    look = lookalike(text)
    if "{" in look or "}" in look:
        yield Issue(line, "{" if "{" in text else "}", "'{…}' is not attached to a [span], so "
                    "it would print as text", 'write [text]{audience="ID"} with no space '
                    "between ] and {, or &#123; and &#125; for literal braces", code="BG211")
    for m in _STRAY_AT.finditer(text):
        yield Issue(line, text[m.start():m.start() + 20].split()[0], "an @ before a name "
                    "outside a citation's brackets would print as text",
                    CITE_FORMS + "; write &#64; for a literal @", code="BG270")
    for i, part in enumerate(text.split("\n")):
        # a line that starts with colons is block_issues' to report
        if ":::" in lookalike(part) and not is_marker_line(part):
            yield Issue(line + i, ":::" if ":::" in part else part.strip()[:12],
                        "':::' inside a line is not an audience block",
                        "a block marker stands on a line of its own; write \\::: for "
                        "literal colons", code="BG211")


def _call_issues(text: str, line: int, hidden: list[Definition], audience: str | None
                 ) -> Iterable[Issue]:
    """Footnote calls left as text (no definition), and references to a link defined only
    for other audiences, in text the audience sees."""
    hidden_notes = {_label_key(d.label) for d in hidden if d.kind == "footnote"}
    for m in _FOOTNOTE_CALL.finditer(text):
        where = f" that {audience} sees" if audience and _label_key(m.group(1)) in hidden_notes \
            else ""
        yield Issue(line, m.group(0), f"footnote {m.group(0)} has no definition{where}",
                    "define it in the same field as '[^label]: text', in a part every "
                    "audience that sees the call also sees", code="BG214")
    folded = _label_key(text)
    for d in hidden:
        if d.kind == "link reference" and f"[{_label_key(d.label)}]" in folded:
            at = text.casefold().find(f"[{d.label.casefold()}]")
            yield Issue(line, text[at:at + len(d.label) + 2] if at >= 0 else "[",
                        f"link reference [{d.label}] is defined only in an audience block "
                        f"that {audience} does not see", "define it where every audience "
                        "that sees the link also sees it", code="BG215")


TERM = re.compile(r"\[\[([#@]?[A-Za-z0-9_-]+)\]\]")

# -- citations: [@key], [@key, p. 12], [@key, pp. 3-5], [@a; @b] ------------------------------

#: A reference's id as a citation names it (CSL-JSON ids from Zotero are of this form).
CITE_KEY = r"[A-Za-z0-9](?:[A-Za-z0-9_:.-]*[A-Za-z0-9])?"
#: The locator labels a citation may carry, and the CSL locator each stands for.
LOCATORS = {"p.": "page", "pp.": "page", "ch.": "chapter", "sec.": "section",
            "para.": "paragraph"}
_PAGE = r"(?:[0-9]+|[ivxlcdm]+)"
_CITE_ITEM = re.compile(rf"@({CITE_KEY})(?:, (p\.|ch\.|sec\.|para\.) ({_PAGE})"
                        rf"|, (pp\.) ({_PAGE}[-–]{_PAGE}))?")
_CITATION = re.compile(rf"\[{_CITE_ITEM.pattern}(?:; {_CITE_ITEM.pattern})*\]")
#: What makes a bracket look like a citation: an @ at its start or after a space, ';' or
#: markup (an e-mail address has a letter before its @).
_LOOKS_CITED = re.compile(r"(?:^|[\s;,*_~(\-])@")
#: An @ before a name outside any bracket: a citation that lost its '[' (or was escaped).
_STRAY_AT = re.compile(r"(?<![\w@.+%-])@(?=[A-Za-z0-9])")
CITE_FORMS = "write [@key], [@key, p. 12], [@key, pp. 3-5] or [@a; @b]"


@dataclass(frozen=True)
class Cite:
    """One reference a citation names: its key, and the CSL locator ('page', '12') if any."""

    key: str
    label: str = ""
    locator: str = ""


def parse_citation(text: str) -> list[Cite] | None:
    """The references of a well-formed citation '[@a, p. 3; @b]', else None."""
    if not _CITATION.fullmatch(text):
        return None
    out = []
    for m in _CITE_ITEM.finditer(text):
        label = m[2] or m[4] or ""
        out.append(Cite(m[1], LOCATORS[label] if label else "", m[3] or m[5] or ""))
    return out


def _citation_rule(state: StateInline, silent: bool) -> bool:
    """[@key…] as a citation token; a bracket that looks like one but does not parse (or
    a bracket holding a reference's key without its @) as a citation_bad token, which
    inline_syntax_rule reports and which prints nothing: a slip never prints as text."""
    src, pos = state.src, state.pos
    if src[pos] != "[" or src.startswith("[[", pos):
        return False
    close = src.find("]", pos + 1)
    inner = src[pos + 1:close] if close >= 0 else src[pos + 1:]
    if "[" in inner:
        return False  # an outer bracket (a span or link around a citation): not this one
    keys = state.env.get("bg_cite_keys") or ()
    bare = re.fullmatch(r"\s*(\S+?)\s*(?:[,;].*)?", inner, re.S)
    if not _LOOKS_CITED.search(inner) and not (bare and any(k in bare[1] for k in keys)):
        return False
    end = close + 1 if close >= 0 else len(src)
    written = src[pos:end]
    cites = parse_citation(written)
    problem = ""
    if close < 0:
        problem = f"citation '{written[:30]}' is never closed with ']'"
    elif cites is None and not _LOOKS_CITED.search(inner):
        problem = f"'{written[:40]}' names a reference without its @"
    elif cites is None:
        problem = f"'{written[:40]}' is not a well-formed citation"
    elif src[end:end + 1] in ("(", "[", "{"):
        problem = (f"citation '{written[:40]}' is followed by '{src[end]}': a citation "
                   "cannot be a link, a reference label or a span")
    if not silent:
        token = state.push("citation_bad" if problem else "citation", "", 0)
        token.content = written
        token.meta = {"message": problem} if problem else {"cites": cites}
    state.pos = end
    return True


def _term_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    m = TERM.match(state.src, state.pos)
    if not m:
        return False
    if not silent:
        token = state.push("term", "", 0)
        token.meta = {"key": m.group(1)}
        token.content = m.group(0)
    state.pos = m.end()
    return True


#: what a quote that opens follows: nothing, a space, or an opening bracket, dash or quote
_OPENS_AFTER = frozenset(" \t\n([{“‘—–-/「『（《〈【")
#: the quote marks of every bundled language (en, ko, zh-Hans): open, close
_MARKS = {'"': ("“", "”"), "'": ("‘", "’")}


def _before(children: list[Token], i: int) -> str:
    """The character printed just before children[i]: a term, a citation or an image stands
    for a word (its text is known only when it renders), links and spans are transparent."""
    for tok in reversed(children[:i]):
        if tok.type in ("softbreak", "hardbreak"):
            return " "
        if tok.type in ("term", "citation", "citation_bad", "image"):
            return "a"
        if tok.type in ("text", "code_inline") and tok.content:
            return tok.content[-1]
    return " "


_ANY_QUOTE = re.compile("[\"'\u201c\u201d\u2018\u2019]")


def straight_quotes_left(state: StateCore) -> None:
    """A core rule after markdown-it's smartquotes: the quotes it leaves straight (it cannot
    see past a term, a cross reference or a citation, nor pair a quote before a Korean
    particle, "동맹"의) become typographic too. A quote after nothing, a space or an opening
    bracket opens, and so does one with none of its kind open (but a single one after a
    Latin letter: the apostrophe ’); any other closes. Code keeps its own."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        open_: dict[str, int] = {'"': 0, "'": 0}
        for i, tok in enumerate(block.children):
            if tok.type != "text" or not _ANY_QUOTE.search(tok.content):
                continue  # (a text with no quote of either kind changes nothing here)
            chars = list(tok.content)
            for j, ch in enumerate(chars):
                for mark, (opening, closing) in _MARKS.items():
                    if ch == opening:
                        open_[mark] += 1
                    elif ch == closing and open_[mark]:
                        open_[mark] -= 1
                if ch not in _MARKS:
                    continue
                prev = chars[j - 1] if j else _before(block.children, i)
                opening, closing = _MARKS[ch]
                if prev in _OPENS_AFTER or prev in "“‘" or not open_[ch] and (
                        ch == '"' or unicodedata.east_asian_width(prev) in "WF"):
                    chars[j] = opening  # 他说"同盟": Chinese and Korean need no space before
                    open_[ch] += 1
                else:  # a single one after a Latin letter with none open: an apostrophe
                    chars[j] = closing
                    open_[ch] = max(0, open_[ch] - 1)
            tok.content = "".join(chars)


def parser() -> MarkdownIt:
    """A Markdown parser that knows every briefgen construct: terms, audience blocks and
    spans (strictly), footnotes, scoped definitions. Rendering adds its own rules to its own
    parser (briefgen.edition.markdown)."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": True, "linkify": True})
    md.enable(["replacements", "smartquotes", "table", "linkify"])
    # A bare URL becomes a link (linkify-it-py), checked like a written one (edition/markdown
    # _resolve): only with a scheme a link may have; never www.x.org, x@y.org or //x.org.
    bare = md.linkify
    assert bare is not None  # linkify-it-py is a dependency
    bare.set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
    for schema in ("ftp:", "//"):
        bare.add(schema, None)
    md.options["quotes"] = "“”‘’"
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # checked in _resolve
    md.use(footnote_plugin)
    # Every attribute list and every ::: fence is parsed, whatever its keys or name, so that
    # a misspelt one is an error (syntax.check), never text that shows what it should hide.
    md.use(attrs_plugin, spans=True, after=())
    md.use(container_plugin, "audience", validate=lambda params, *a: True)
    keep_raw_attributes(md)
    scope_definitions(md)
    md.core.ruler.after("smartquotes", "straight_quotes_left", straight_quotes_left)
    md.core.ruler.before("text_join", "briefgen_syntax", inline_syntax_rule)
    md.inline.ruler.before("link", "term", _term_rule)
    md.inline.ruler.after("term", "citation", _citation_rule)
    return md


@dataclass(frozen=True)
class Marker:
    """An audience block or span in a Markdown text (see audience_markers)."""

    kind: str  # "block" or "span"
    path: tuple[str, ...]  # the specs of the blocks and spans around it, then its own
    line: int  # line of the text, from 0

    @property
    def spec(self) -> str:
        return self.path[-1]

    def shown_to(self, audience: str) -> bool:
        return all(spec_shows(s, audience) for s in self.path)

    def __str__(self) -> str:
        return f"'::: {self.spec}' block" if self.kind == "block" else \
            "'[…]{" + self.spec.replace(" ", '="', 1) + '"}\' span'


@lru_cache(maxsize=1)
def _in_place() -> MarkdownIt:
    """A parser that leaves each footnote definition where it is written: the plugin's tail
    keeps one definition per label, and the markers of the others must count too."""
    md = parser()
    md.core.ruler.disable("footnote_tail")
    return md


@lru_cache(maxsize=4096)
def audience_markers(text: str) -> tuple[Marker, ...]:
    """Every audience block and span of a Markdown text, in order, with the specs around it
    (ids sorted: 'audience b a' and 'audience a b' are the same marker). A memo of a pure
    function: a text is checked again at each load of the project (serve, --watch)."""
    env: dict[str, Any] = {}
    tokens = _in_place().parse(text, env)
    out: list[Marker] = []
    blocks: list[str] = []
    for tok in tokens:
        if tok.type == OPEN:
            blocks.append(_canonical(tok.info))
            out.append(Marker("block", tuple(blocks), _block_line(tok)))
        elif tok.type == "container_audience_close" and blocks:
            blocks.pop()
        spans: list[str] = []
        for child in tok.children or []:
            if child.type == "span_open":
                spec = " ".join(f"{k} {v}" for k, v in child.attrs.items() if k in CONTAINERS)
                spans.append(_canonical(spec))
                if spans[-1]:
                    out.append(Marker("span", (*blocks, *filter(None, spans)), _block_line(tok)))
            elif child.type == "span_close" and spans:
                spans.pop()
    return tuple(out)


@lru_cache(maxsize=1)
def _shape_parser() -> MarkdownIt:
    """A pure memo (see _spoof): the parser keeps nothing between parses."""
    return parser()


#: the texts parsed last by tokens(): by text and audience (None: no audience), and by text
#: alone (the last item True) for a parse that is the same for every audience
_TokensKey = tuple[str, str | None, bool]
_TOKENS: Recent[_TokensKey, tuple[Token, ...]] = Recent(1024)


def tokens(text: str, audience: str | None) -> tuple[Token, ...]:
    """A text's tokens as parser() gives them for an audience (None: no audience), for
    readers that change nothing: the checks of a brief read each text for each audience
    (its translations' shapes, what each language's readers see, each edition's tables and
    figures). Remembered, and shared: read them, never change them. A parse that is the
    same for every audience (for_everyone) is made once."""
    everyone: _TokensKey = (text, None, True)
    own: _TokensKey = (text, audience, False)
    found = _TOKENS.get(everyone)
    if found is None:
        found = _TOKENS.get(own)
    if found is None:
        env: dict[str, Any] = {"audience": audience}
        found = tuple(_shape_parser().parse(text, env))
        _TOKENS.put(everyone if for_everyone(found, env.get("bg_issues", ()),
                                             env.get("bg_definitions", ())) else own, found)
    return found


def for_everyone(tokens: Iterable[Token], issues: Iterable[Issue],
                 definitions: Iterable[Definition]) -> bool:
    """Whether a parse (its tokens, and the issues and definitions it found) is the same
    for every audience. The rules above read the audience only where an audience block or
    span stands: whether it shows the definitions inside it (a definition it does not see
    is taken out, with the block's markers when they sat in another definition), and
    what the issues say. So a parse with no issue, no definition inside a block, and no
    block or span left is."""
    if any(True for _ in issues) or any(d.scope for d in definitions):
        return False
    return not any(t.type in (OPEN, CLOSE, "span_open") for t in walk(tokens))


def walk(tokens: Iterable[Token]) -> Iterator[Token]:
    """Every token, and every token among their children."""
    stack = list(tokens)[::-1]
    while stack:
        tok = stack.pop()
        yield tok
        stack += (tok.children or [])[::-1]


def block_shape(text: str, audience: str) -> tuple[str, ...]:
    """The kinds of block (paragraph, list, heading, …) an audience sees of a Markdown text,
    in order: a translation that dropped a block's ':::' lines but kept its text shows that
    audience one block more than its source."""
    return _shapes(text, audience)[0]


@dataclass(frozen=True)
class Numbered:
    """A well-formed table or figure block of a Markdown text, and whether an audience sees
    it (see numbered_blocks)."""

    kind: str  # "table" or "figure"
    id: str
    line: int  # line of the text, from 0
    shown: bool
    scope: tuple[str, ...]  # the audience blocks it sits in, outermost first


def numbered_blocks(text: str, audience: str) -> tuple[Numbered, ...]:
    """Each well-formed table and figure block of a Markdown text, in order, and whether an
    audience sees it: the resolver numbers those it sees before anything renders."""
    return _shapes(text, audience)[1]


@lru_cache(maxsize=4096)
def _shapes(text: str, audience: str) -> tuple[tuple[str, ...], tuple[Numbered, ...]]:
    """block_shape and numbered_blocks from one parse: a pure memo, since a brief's check
    asks both of each text for each audience (its translations' shapes, then each edition's
    numbering), and an edition is resolved once per mode."""
    shown: list[bool] = []
    specs: list[str] = []
    shape: list[str] = []
    numbered: list[Numbered] = []
    for tok in tokens(text, audience):
        if tok.type == OPEN:
            shown.append(spec_shows(tok.info.strip(), audience))
            spec = numbered_spec(tok.info)
            if spec:
                numbered.append(Numbered(*spec, _block_line(tok), all(shown), tuple(specs)))
            specs.append(tok.info.strip())
        elif tok.type == CLOSE and shown:
            shown.pop()
            specs.pop()
        elif all(shown) and tok.nesting >= 0 and tok.level == len(shown) and tok.block:
            shape.append(tok.type.removesuffix("_open"))
    return tuple(shape), tuple(numbered)


def _canonical(spec: str) -> str:
    words = str(spec).split()
    return " ".join(words[:1] + sorted(set(words[1:])))


def _block_line(tok: Token) -> int:
    """The line of the Markdown text a block token starts on (0 when unknown)."""
    return tok.map[0] if tok.map else 0
