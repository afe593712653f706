"""The pipeline users would otherwise script: Markdown -> pandoc -> HTML -> weasyprint CLI -> PDF.

    /tmp/venv/bin/python benchmarks/pipeline.py PROJECT_DIR WORKDIR

For every PDF edition briefgen publishes (brief x audience x language), export one Markdown
file with that edition's text, taken straight from the YAML: brief.yaml for the source
language, translations/<lang>.yaml for the others; sections and items the audience may not
see are dropped, `::: audience` blocks and `[text]{audience=...}` spans are resolved, terms
`[[key]]` are replaced by the audience's wording, footnotes stay pandoc footnotes. Then, one
process per document and one document after another, as a shell loop would:

    pandoc -s -f markdown -t html5 --css style.css EDITION.md -o EDITION.html
    weasyprint --pdf-variant pdf/ua-1 EDITION.html EDITION.pdf

with FONTCONFIG_FILE pointing at briefgen's fonts.conf, so both pipelines use the same Noto
fonts. The stylesheet sets the page size (Letter or A4, per audience) and the fonts.

Prints one JSON object: wall time and CPU time (user+sys of every child) of each step.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

STYLE = """\
@page { size: %(page)s; margin: 22mm 20mm; @bottom-center { content: counter(page); } }
html { font-size: 10.5pt; }
body { font-family: "Noto Serif", serif; line-height: 1.45; text-align: justify;
       hyphens: auto; max-width: none; margin: 0; padding: 0; }
body:lang(ko) { font-family: "Noto Serif CJK KR", serif; line-height: 1.7; }
body:lang(zh-Hans) { font-family: "Noto Serif CJK SC", serif; line-height: 1.7; }
h1, h2, h3 { font-family: "Noto Sans", "Noto Sans CJK KR", "Noto Sans CJK SC", sans-serif; }
h1 { font-size: 22pt; } h2 { font-size: 14pt; } h3 { font-size: 11.5pt; }
"""

BLOCK = re.compile(r"^[ \t]*::: (audience|exclude-audience) ([\w-]+)[ \t]*\n(.*?)^[ \t]*:::[ \t]*$",
                   re.M | re.S)
SPAN = re.compile(r"\[([^\]]*)\]\{(audience|exclude-audience)=\"([\w-]+)\"\}")
TERM = re.compile(r"\[\[([A-Za-z0-9_-]+)\]\]")
REF = re.compile(r"\[\[[#@][^\]]*\]\]")


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _shown(obj: dict, aid: str) -> bool:
    if obj.get("audiences") is not None:
        return aid in obj["audiences"]
    if obj.get("exclude_audiences") is not None:
        return aid not in obj["exclude_audiences"]
    return True


def editions(root: Path) -> list[tuple[str, str, str]]:
    """(slug, audience, language) of every edition, as briefgen enumerates them."""
    content = root / "content"
    out = []
    for bdir in sorted((content / "briefs").iterdir()):
        if not (bdir / "brief.yaml").is_file():
            continue
        langs = {_load(bdir / "brief.yaml")["language"]} | {
            p.stem for p in (bdir / "translations").glob("*.yaml")}
        for apath in sorted((content / "audiences").glob("*.yaml")):
            for lang in _load(apath)["languages"]:
                if lang in langs:
                    out.append((bdir.name, apath.stem, lang))
    return out


def edition_markdown(root: Path, slug: str, aid: str, lang: str) -> str:
    content = root / "content"
    brief = _load(content / "briefs" / slug / "brief.yaml")
    audience = _load(content / "audiences" / f"{aid}.yaml")
    units = {} if lang == brief["language"] else _load(
        content / "briefs" / slug / "translations" / f"{lang}.yaml").get("units", {})
    terms = {k: dict(v) for k, v in _load(content / "terms.yaml").items()}
    for key, by_lang in (audience.get("terms") or {}).items():
        terms.setdefault(key, {}).update(by_lang)

    def text(uid: str, obj: dict, name: str) -> str:
        value = (units.get(uid) or {}).get(name) or obj.get(name) or ""
        return resolve(str(value))

    def resolve(md: str) -> str:
        md = BLOCK.sub(lambda m: m.group(3) if (m.group(1) == "audience") == (m.group(2) == aid)
                       else "", md)
        md = SPAN.sub(lambda m: m.group(1) if (m.group(2) == "audience") == (m.group(3) == aid)
                      else "", md)
        md = REF.sub("", md)

        def term(m: re.Match[str]) -> str:
            key = m.group(1)
            word = terms.get(key.lower(), {}).get(lang) or terms.get(key.lower(), {}).get(
                "en", key)
            return word[:1].upper() + word[1:] if key[:1].isupper() else word
        return TERM.sub(term, md).strip()

    over = (brief.get("overrides") or {}).get(aid) or {}
    ounit = f"override.{aid}"
    meta = {"title": text(ounit, over, "title") or text("meta", brief, "title"),
            "subtitle": text(ounit, over, "subtitle") or text("meta", brief, "subtitle"),
            "lang": lang}
    parts = [f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n"]
    parts.append(f"**{text('meta', brief, 'series')}** {brief.get('number', '')} · "
                 f"{brief.get('date', '')}\n")
    parts.append(text(ounit, over, "summary") or text("meta", brief, "summary"))
    takeaways = [t for t in brief.get("takeaways", []) if _shown(t, aid)]
    if takeaways:
        parts.append("\n".join("- " + text(t["id"], t, "text").replace("\n", " ")
                               for t in takeaways))
    order = audience.get("section_order") or []
    sections = [s for s in brief.get("sections", []) if _shown(s, aid)]
    sections.sort(key=lambda s: order.index(s["id"]) if s["id"] in order else len(order))
    for s in sections:
        parts.append(f"## {text(s['id'], s, 'title')}")
        parts.append(text(s["id"], s, "body"))
        items = [i for i in s.get("items", []) if _shown(i, aid)]
        for n, item in enumerate(items, 1):
            prefix = f"{n}. " if s.get("type") in ("recommendations", "issues") else ""
            parts.append(f"### {prefix}{text(item['id'], item, 'title')}")
            parts.append(text(item["id"], item, "body"))
        parts.append(text(s["id"], s, "closing"))
    sources = [s for s in brief.get("sources", []) if _shown(s, aid)]
    if sources:
        parts.append("## Sources\n\n" + "\n".join(
            f"- {text(s['id'], s, 'text')} <{s['url']}>" if s.get("url") else
            f"- {text(s['id'], s, 'text')}" for s in sources))
    for a in brief.get("authors", []):
        parts.append(f"## {text(a['id'], a, 'name')}\n\n{text(a['id'], a, 'bio')}")
    parts.append(text("meta", brief, "credit"))
    return "\n\n".join(p for p in parts if p) + "\n"


def export(root: Path, work: Path) -> list[tuple[Path, str]]:
    """Write every edition's Markdown and stylesheet; return (markdown path, page size)."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    out = []
    for slug, aid, lang in editions(root):
        page = _load(root / "content" / "audiences" / f"{aid}.yaml").get("page_size", "a4")
        css = work / f"style-{page}.css"
        if not css.exists():
            css.write_text(STYLE % {"page": "letter" if page == "letter" else "A4"})
        md = work / f"{slug}-{aid}-{lang}.md"
        md.write_text(edition_markdown(root, slug, aid, lang), encoding="utf-8")
        out.append((md, css.name))
    return out


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode:
        raise SystemExit(f"pipeline: {' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return wall, ru.ru_utime + ru.ru_stime


def run(root: Path, work: Path, weasyprint_cli: str) -> dict:
    from briefgen.theme import bundled as templates_dir

    env = dict(os.environ, FONTCONFIG_FILE=str(templates_dir() / "fonts" / "fonts.conf"))
    docs = export(root, work)
    result: dict = {"documents": len(docs), "pandoc_s": 0.0, "weasyprint_s": 0.0,
                    "cpu_s": 0.0, "per_document": {}}
    t0 = time.perf_counter()
    for md, css in docs:
        html, pdf = md.with_suffix(".html"), md.with_suffix(".pdf")
        w1, c1 = _run(["pandoc", "-s", "-f", "markdown", "-t", "html5", "--css", css,
                       str(md), "-o", str(html)], env)
        w2, c2 = _run([weasyprint_cli, "--pdf-variant", "pdf/ua-1", str(html), str(pdf)], env)
        result["pandoc_s"] += w1
        result["weasyprint_s"] += w2
        result["cpu_s"] += c1 + c2
        result["per_document"][pdf.name] = {"pandoc_s": round(w1, 3),
                                            "weasyprint_s": round(w2, 3),
                                            "bytes": pdf.stat().st_size}
    result["wall_s"] = time.perf_counter() - t0
    result["words"] = sum(len(md.read_text(encoding="utf-8").split()) for md, _ in docs)
    return result


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    cli = str(Path(sys.executable).parent / "weasyprint")
    print(json.dumps(run(Path(sys.argv[1]).resolve(), Path(sys.argv[2]), cli), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
