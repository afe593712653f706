"""`briefgen translations`: the units to translate or refresh, with the hash to record."""

from __future__ import annotations

import json

from briefgen.content.project import Project


def translations(project: Project, briefs: tuple[str, ...] = (), langs: tuple[str, ...] = ()
                 ) -> tuple[str, int]:
    """Units to translate or refresh, with their source text and the hash to record."""
    lines: list[str] = []
    todo = 0
    for slug in sorted(project.briefs):
        if briefs and slug not in briefs:
            continue
        src = project.briefs[slug]
        wanted = sorted({lang for aud in project.audiences.values() for lang in aud.value.languages
                         if lang != src.brief.language})
        for lang in wanted:
            if langs and lang not in langs:
                continue
            readers = project.readers(lang)
            units = dict(src.translations[lang].value.units) if lang in src.translations \
                else {}
            where = f"{src.dir.relative_to(project.root).as_posix()}/translations/{lang}.yaml"
            for uid, unit in src.units.items():
                if not unit.audiences & readers:
                    continue
                have = units.get(uid)
                if have is not None and unit.fresh(have.source_hash, readers):
                    continue
                state = "missing" if have is None else "stale"
                todo += 1
                sdoc = unit.doc or src.doc
                line, _ = sdoc.where(unit.loc)
                lines.append(f"{where}: {uid}: {state} (source {sdoc.path}:{line})")
                lines.append(f"  {uid}:")
                lines.append(f'    source_hash: "{unit.hash_for(readers)}"')
                for name, text in unit.fields_for(readers).items():
                    if isinstance(text, list):  # keywords
                        lines.append(f"    {name}: [{', '.join(map(json_str, text))}]")
                        continue
                    body = text.rstrip("\n")
                    if "\n" in body:
                        lines.append(f"    {name}: |")
                        lines.extend(f"      {ln}" if ln else "" for ln in body.split("\n"))
                    else:
                        lines.append(f"    {name}: {json_str(body)}")
    lines.append(f"{todo} unit(s) to translate or refresh")
    return "\n".join(lines) + "\n", todo


def json_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
