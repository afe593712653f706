"""`briefgen translations export`: one XLIFF 2.1 or PO file per brief and language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from briefgen.build.files import write_all
from briefgen.content.project import Project
from briefgen.content.syntax import TERM
from briefgen.translate import po, xliff
from briefgen.translate.exchange import Export, Previous, build_export

SUFFIX = {"xliff": "xlf", "po": "po"}


def term_words(project: Project, export: Export) -> dict[str, str]:
    """`[[key]]` -> the term's words in the target language (an audience's own term first,
    the first reader audience in name order), shown by CAT tools as the code's disp."""
    out: dict[str, str] = {}
    readers = sorted(project.readers(export.lang))
    shared = project.terms.value if project.terms else {}
    for e in export.entries:
        for m in TERM.finditer(e.source):
            key = m[1]
            if key[0] in "#@" or m[0] in out:
                continue
            words = next((project.audiences[a].value.terms.get(key.lower(), {}).get(export.lang)
                          for a in readers
                          if export.lang in project.audiences[a].value.terms.get(key.lower(),
                                                                                  {})),
                         None) or shared.get(key.lower(), {}).get(export.lang)
            if words:
                out[m[0]] = words[:1].upper() + words[1:] if key[0].isupper() else words
    return out


def history(project: Project) -> Callable[[str], Previous | None]:
    """Each brief's History(project, src).previous (translate/history.py: from git)."""
    from briefgen.translate.history import History

    made: dict[str, History] = {}

    def previous(slug: str) -> Previous | None:
        if slug not in made:
            made[slug] = History(project, project.briefs[slug])
        return made[slug].previous

    return previous


def export_files(project: Project, lang: str, briefs: tuple[str, ...], fmt: str, out: Path,
                 previous: Callable[[str], Previous | None] | None = None) -> list[Path]:
    """Write `<brief>.<lang>.xlf|po` into out for each brief; the paths written.
    `previous(slug)`: that brief's previous-source lookup (default: its git history)."""
    files: list[tuple[Path, bytes]] = []
    lookup = previous or history(project)
    for slug in sorted(briefs or project.briefs):
        export = build_export(project, slug, lang, lookup(slug))
        data = xliff.write(export, term_words(project, export)) if fmt == "xliff" else \
            po.write(export)
        files.append((out / f"{slug}.{lang}.{SUFFIX[fmt]}", data))
    out.mkdir(parents=True, exist_ok=True)
    write_all(files, inside=out)
    return [p for p, _ in files]
