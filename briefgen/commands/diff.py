"""`briefgen diff`: how two audiences' versions of a brief differ, as text or an HTML report
(the theme's templates/reports/diff.html.j2, which a project can restyle)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from briefgen.commands.explain import edition_for
from briefgen.content.project import Project
from briefgen.edition.resolve import Edition
from briefgen.errors import BriefError
from briefgen.publish.html import frozen, render_template
from briefgen.publish.sandbox import Folders, Plain

if TYPE_CHECKING:
    from briefgen.session import Session


#: a unit only the first audience gets, only the second, or both in different words
ChangeKind = Literal["only in a", "only in b", "differs"]


@dataclass
class Change:
    unit: str
    kind: ChangeKind
    a: str
    b: str

    def shown(self, a: str, b: str) -> str:
        """The kind as the report prints it, naming the audience: 'only in public'."""
        return {"only in a": f"only in {a}", "only in b": f"only in {b}"}.get(self.kind,
                                                                                self.kind)


def _units(edition: Edition) -> dict[str, str]:
    out = {"title": edition.title.plain, "subtitle": edition.subtitle.plain,
           "summary": edition.summary.plain,
           "takeaways": "\n".join(t.plain for t in edition.takeaways)}
    for s in edition.sections:
        out[s.id] = "\n".join(filter(None, [s.title.plain, s.body.plain, s.closing.plain]))
        for it in s.items:
            out[it.id] = f"{it.label or it.ordinal}: {it.title.plain}\n{it.body.plain}"
    return out


def diff(project: Project, slug: str, a: str, b: str, lang: str | None = None
         ) -> tuple[list[Change], str]:
    """Differences between two audiences' versions of a brief, in a language both get."""
    common = [lang_ for aud, lang_ in project.editions(slug) if aud == a
              and (b, lang_) in project.editions(slug)]
    if lang is None:
        if not common:
            raise BriefError(f"{a} and {b} share no language for {slug}", code="BG511")
        lang = "en" if "en" in common else common[0]
    elif lang not in common:
        raise BriefError(f"{a} and {b} are not both published in {lang} for {slug}",
                         code="BG512")
    ua = _units(edition_for(project, slug, a, lang))
    ub = _units(edition_for(project, slug, b, lang))
    changes = []
    for unit in list(ua) + [u for u in ub if u not in ua]:
        ta, tb = ua.get(unit), ub.get(unit)
        if ta == tb:
            continue
        if tb is None:
            changes.append(Change(unit, "only in a", ta or "", ""))
        elif ta is None:
            changes.append(Change(unit, "only in b", "", tb))
        else:
            changes.append(Change(unit, "differs", ta, tb))
    return changes, lang


def diff_text(changes: list[Change], a: str, b: str) -> str:
    lines = []
    for c in changes:
        lines.append(f"== {c.unit}: {c.shown(a, b)}")
        if c.kind == "differs":
            for line in difflib.unified_diff(c.a.splitlines(), c.b.splitlines(), a, b,
                                             lineterm="", n=0):
                if not line.startswith(("---", "+++", "@@")):
                    lines.append("  " + line)
        else:
            text = c.a or c.b
            lines.extend("  " + ln for ln in text.splitlines()[:3])
            if len(text.splitlines()) > 3:
                lines.append("  …")
    lines.append(f"{len(changes)} difference(s) between {a} and {b}")
    return "\n".join(lines) + "\n"


Segment = dict[str, object]  # op: "del", "ins" or "" (unchanged), lines: its text's lines


def _segment(op: str, text: str, by_line: bool = True) -> Segment:
    lines = text.split("\n") if by_line else [text]
    return {"op": op, "lines": [Plain(line) for line in lines]}


def _marked(a: str, b: str) -> tuple[list[Segment], list[Segment]]:
    """The two texts word by word: what only one side has is marked deleted or inserted."""
    wa, wb = a.split(" "), b.split(" ")
    oa, ob = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb).get_opcodes():
        left, right = " ".join(wa[i1:i2]), " ".join(wb[j1:j2])
        if op == "equal":
            oa.append(_segment("", left))
            ob.append(_segment("", right))
        else:
            if left:
                oa.append(_segment("del", left))
            if right:
                ob.append(_segment("ins", right))
    return oa, ob


def diff_html(changes: list[Change], slug: str, a: str, b: str, lang: str,
              folders: Folders | None = None, session: Session | None = None) -> str:
    """The side-by-side report: a differing unit word by word, a unit only one audience
    gets whole (its line breaks as they are)."""
    rows = []
    for c in changes:
        left, right = _marked(c.a, c.b) if c.kind == "differs" else (
            [_segment("del", c.a, by_line=False)] if c.a else [],
            [_segment("ins", c.b, by_line=False)] if c.b else [])
        rows.append({"unit": Plain(c.unit), "kind": Plain(c.shown(a, b)), "a": left,
                     "b": right})
    return render_template("reports/diff.html.j2", folders, session, changes=frozen(rows),
                           slug=Plain(slug), a=Plain(a), b=Plain(b), lang=Plain(lang))
