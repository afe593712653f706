"""`briefgen diff`: how two audiences' versions of a brief differ, as text or an HTML report."""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass

from briefgen.commands.explain import edition_for
from briefgen.content.project import Project
from briefgen.edition.resolve import Edition
from briefgen.errors import BriefError


@dataclass
class Change:
    unit: str
    kind: str  # "only in A", "only in B", "differs"
    a: str
    b: str


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
            raise BriefError(f"{a} and {b} share no language for {slug}")
        lang = "en" if "en" in common else common[0]
    elif lang not in common:
        raise BriefError(f"{a} and {b} are not both published in {lang} for {slug}")
    ua = _units(edition_for(project, slug, a, lang))
    ub = _units(edition_for(project, slug, b, lang))
    changes = []
    for unit in list(ua) + [u for u in ub if u not in ua]:
        ta, tb = ua.get(unit), ub.get(unit)
        if ta == tb:
            continue
        if tb is None:
            changes.append(Change(unit, f"only in {a}", ta or "", ""))
        elif ta is None:
            changes.append(Change(unit, f"only in {b}", "", tb))
        else:
            changes.append(Change(unit, "differs", ta, tb))
    return changes, lang


def diff_text(changes: list[Change], a: str, b: str) -> str:
    lines = []
    for c in changes:
        lines.append(f"== {c.unit}: {c.kind}")
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


def _marked(a: str, b: str) -> tuple[str, str]:
    wa, wb = a.split(" "), b.split(" ")
    oa, ob = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb).get_opcodes():
        left, right = html.escape(" ".join(wa[i1:i2])), html.escape(" ".join(wb[j1:j2]))
        if op == "equal":
            oa.append(left)
            ob.append(right)
        else:
            if left:
                oa.append(f"<del>{left}</del>")
            if right:
                ob.append(f"<ins>{right}</ins>")
    return " ".join(oa).replace("\n", "<br>"), " ".join(ob).replace("\n", "<br>")


def diff_html(changes: list[Change], slug: str, a: str, b: str, lang: str) -> str:
    rows = []
    for c in changes:
        left, right = _marked(c.a, c.b) if c.kind == "differs" else (
            f"<del>{html.escape(c.a)}</del>" if c.a else "",
            f"<ins>{html.escape(c.b)}</ins>" if c.b else "")
        rows.append(f"<tr><th scope=\"row\">{html.escape(c.unit)}<br><small>"
                    f"{html.escape(c.kind)}</small></th><td>{left}</td><td>{right}</td></tr>")
    return f"""<!DOCTYPE html>
<html lang="{html.escape(lang)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(slug)}: {html.escape(a)} vs {html.escape(b)}</title>
<style>
body {{ font-family: "Noto Sans", Arial, sans-serif; margin: 1.5rem; color: #1a1a1a; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #c9d3de; padding: 0.5rem; vertical-align: top; text-align: left; }}
td {{ width: 42%; line-height: 1.5; }}
del {{ background: #ffd7d5; color: #5c0000; text-decoration: line-through; }}
ins {{ background: #ccf0d4; color: #003d12; text-decoration: underline; }}
</style></head>
<body><main>
<h1>{html.escape(slug)}: {html.escape(a)} vs {html.escape(b)} ({html.escape(lang)})</h1>
<p>{len(changes)} difference(s). Removed or only in {html.escape(a)}: struck through;
added or only in {html.escape(b)}: underlined.</p>
<table><thead><tr><th scope="col">Unit</th><th scope="col">{html.escape(a)}</th>
<th scope="col">{html.escape(b)}</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</main></body></html>
"""
