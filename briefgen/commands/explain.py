"""`briefgen explain`: what an audience gets of each brief, and why; every resolved term."""

from __future__ import annotations

from briefgen.content.project import Project
from briefgen.edition.resolve import Edition, resolve
from briefgen.errors import Problems, printable


def edition_for(project: Project, slug: str, audience: str, lang: str) -> Edition:
    problems = Problems()
    edition = resolve(project, slug, audience, lang, "screen", problems)
    problems.raise_if_errors()
    return edition


def explain(project: Project, audience: str, briefs: tuple[str, ...] = ()) -> str:
    """Per brief: every item in or out for this audience and why; every resolved term."""
    aud = project.audiences[audience].value
    lines = [f"audience {audience} ({printable(aud.name)}): languages "
             f"{', '.join(aud.languages)}, {aud.page_size}, {aud.pdf_variant}, marking per "
             "language " + "; ".join(f"{k}: {printable(v)}" for k, v in aud.marking.items())]
    if aud.forbidden_phrases:
        lines.append("forbidden phrases: " + ", ".join(f"'{printable(p)}'"
                                                        for p in aud.forbidden_phrases))
    for slug in sorted(project.briefs):
        if briefs and slug not in briefs:
            continue
        langs = [lang for a, lang in project.editions(slug) if a == audience]
        lines.append("")
        if not langs:
            lines.append(f"{slug}: not published for {audience} (no edition in "
                         f"{', '.join(aud.languages)})")
            continue
        first = edition_for(project, slug, audience, langs[0])
        lines.append(f"{slug}: editions {', '.join(langs)}; title "
                     f"\"{printable(first.title.plain)}\"")
        width = max(len(d.id) for d in first.decisions)
        kinds = max(len(d.kind) for d in first.decisions)
        for d in first.decisions:
            mark = "in " if d.included else "OUT"
            lines.append(f"  {mark}  {d.kind:<{kinds}} {d.id:<{width}}  {d.reason}"
                         + (f"  ({d.where.path}:{d.where.line})" if d.where else ""))
        for lang in langs:
            edition = first if lang == langs[0] else edition_for(project, slug, audience, lang)
            lines.append(f"  terms ({lang}):")
            for key, term in sorted(edition.terms.items()):
                lines.append(f"    [[{key}]] = {printable(term.text)}  "
                             f"({term.where.path}:{term.where.line})")
            if not edition.terms:
                lines.append("    (none used)")
    return "\n".join(lines) + "\n"
