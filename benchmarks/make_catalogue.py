"""Generate a synthetic briefgen project with N briefs, for the benchmarks.

    /tmp/venv/bin/python benchmarks/make_catalogue.py N OUTDIR

Writes OUTDIR/content/{terms.yaml, audiences/, briefs/<slug>/...}. Every brief is a clone of
the shipped brief content/briefs/rok-us-alliance-modernization (with its translations/), so
each has the realistic length and structure of the shipped one, under the slug
alliance-brief-NNN (N = 1, 2, ...). Its text is its own, so that nothing keyed by text
content (a parse cache, a memo of rendered Markdown or of a check) can be shared between two
briefs, and per-brief figures are honest:

* number and date: "2026-10", "2026-11", ... and a date that changes with N;
* every translated Markdown field, in the source (en) and in each translation (ko, zh-Hans):
  - one-line fields (the titles, short title and subtitle, of the brief, its overrides, its
    sections and items) end in " (N)" ("（N）" in Chinese);
  - in the multi-line fields (summary, credit, author bio, takeaway and correction text,
    section and item body and closing) every line of prose ends in " (Brief N.)",
    " (브리프 N)" or "（简报N）": every paragraph, table caption, figure caption and note,
    footnote, inside and outside audience blocks. Table rows, fences (`:::`) and image lines
    are left as they are, so the Markdown keeps its structure.
* the translations' source_hash values are each unit's per-language hash (what
  SourceUnit.hash_for(Project.readers(lang)) gives for the varied source), so the catalogue
  loads without "stale translation" warnings, exactly like the shipped project.

Shared by design, and copied as they are: the series name, the author's name, honorific and
affiliation, the keywords, references.json (one think tank, one citation style and one
bibliography) and the chart files (charts/*.chart.yaml and their data, and the charts'
translated labels), plus content/audiences and content/terms.yaml.

It is fast: briefgen loads the shipped brief once, with a placeholder where N goes; each
brief's hashes are then the placeholder's JSON with N put in, hashed (1,000 briefs: a few
seconds, mostly writing files).

OUTDIR must be empty or absent, or a folder this script made before (it holds
.briefgen-catalogue); it is then replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SHIPPED = "rok-us-alliance-modernization"
MARKER = ".briefgen-catalogue"
#: where N goes in the template texts (a word that appears nowhere else)
SLOT = "QQBRIEFNQQ"
#: the fields varied, in brief.yaml and in each translation unit (not in chart units)
VARIED = frozenset({"title", "short_title", "subtitle", "summary", "credit", "bio", "text",
                    "body", "closing"})
#: (end of a one-line field, end of a line of prose) by language
SUFFIX = {"en": (f" ({SLOT})", f" (Brief {SLOT}.)"),
          "ko": (f" ({SLOT})", f" (브리프 {SLOT})"),
          "zh-Hans": (f"（{SLOT}）", f"（简报{SLOT}）")}
KEY = re.compile(r"^(?P<indent> *)(?:- )?(?P<key>[A-Za-z_][\w.-]*): ?(?P<value>.*)$")
UNIT = re.compile(r"^  (?P<uid>[^\s#-][^\s:]*):$")
HASH = re.compile(r'^(?P<head>    source_hash: )"[0-9a-f]{12}"$')
HOLE = re.compile("\0([^\0]+)\0")


def _prose(line: str) -> bool:
    """A line of a Markdown field that text can be added to without changing its structure."""
    s = line.strip()
    return bool(s) and not s.startswith((":::", "|", "![", "```", "~~~", "<!--"))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _vary(text: str, lang: str) -> str:
    """The file's text with SLOT put at the end of every varied field and line of prose.
    In a translation, each source_hash becomes a hole, \\0uid\\0, filled in per brief."""
    one_line, prose = SUFFIX[lang]
    out: list[str] = []
    block: int | None = None  # in a block scalar: the indent of its key's line
    vary_block = False  # and whether it is a varied field
    unit = ""  # in a translation: the unit being read
    varied = 0
    for line in text.split("\n"):
        if block is not None:
            if not line.strip() or _indent(line) > block:
                grow = vary_block and _prose(line)
                out.append(line + prose if grow else line)
                varied += grow
                continue
            block = None
        m = KEY.match(line)
        if (u := UNIT.match(line)) and lang != "en":
            unit = u["uid"]
        elif (h := HASH.match(line)) and lang != "en":
            line = f'{h["head"]}"\0{unit}\0"'
        elif m and m["value"] in ("|", "|-", "|+", ">", ">-"):
            block = _indent(line)
            vary_block = m["key"] in VARIED and not unit.startswith("chart.")
        elif m and m["key"] in VARIED and not unit.startswith("chart."):
            value = m["value"]
            if value[:1] in ("'", '"') and value[-1:] == value[:1] and len(value) > 1:
                line = line[:-1] + one_line + value[-1]
                varied += 1
            elif value and not value.startswith(("[", "{", "&", "*", "!")):
                line += one_line
                varied += 1
        out.append(line)
    if not varied:
        raise SystemExit(f"make_catalogue: nothing to vary in the {lang} text "
                         "(the shipped brief changed shape?)")
    return "\n".join(out)


def _sub_once(pattern: str, repl: str, text: str, what: str) -> str:
    new, n = re.subn(pattern, lambda m: m.expand(repl), text, count=1, flags=re.M)
    if n != 1:
        raise SystemExit(f"make_catalogue: could not vary {what} (the shipped brief changed?)")
    return new


def _number_and_date(text: str, i: int) -> str:
    text = _sub_once(r'^number: ".*"$', f'number: "{2026 + i // 90}-{i % 90 + 10:02d}"',
                     text, "the number")
    return _sub_once(r"^date: (\d{4})-(\d\d)-(\d\d)$",
                     f"date: 2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}", text, "the date")


def _hash_templates(source: str, translations: dict[str, str]
                    ) -> dict[str, dict[str, str]]:
    """For each language and unit, the JSON that SourceUnit.hash_for(readers) hashes, with
    SLOT where N goes: the shipped brief with SLOT in it, loaded once by briefgen."""
    from briefgen.content.project import load_project

    content = PROJECT / "content"
    with tempfile.TemporaryDirectory(prefix="bench-template-") as tmp:
        root = Path(tmp)
        shutil.copytree(content / "audiences", root / "content" / "audiences")
        shutil.copy2(content / "terms.yaml", root / "content" / "terms.yaml")
        d = root / "content" / "briefs" / SHIPPED
        shutil.copytree(content / "briefs" / SHIPPED, d)
        (d / "brief.yaml").write_text(source, encoding="utf-8")
        saved = os.environ.get("BRIEFGEN_CACHE_DIR")
        os.environ["BRIEFGEN_CACHE_DIR"] = ""  # nothing of the template in anyone's cache
        try:
            project = load_project(root)
        finally:
            if saved is None:
                del os.environ["BRIEFGEN_CACHE_DIR"]
            else:
                os.environ["BRIEFGEN_CACHE_DIR"] = saved
        src = project.briefs[SHIPPED]
        out: dict[str, dict[str, str]] = {}
        for lang, text in translations.items():
            readers = project.readers(lang)
            uids = HOLE.findall(text)
            missing = [u for u in uids if u not in src.units]
            if missing:
                raise SystemExit(f"make_catalogue: {lang} translates units the source lacks: "
                                 f"{missing}")
            out[lang] = {uid: json.dumps(src.units[uid].fields_for(readers), sort_keys=True,
                                         ensure_ascii=False) for uid in uids}
        return out


def _hash(blob: str, n: str) -> str:
    """content/readers.py:fields_hash of the fields whose JSON, with SLOT, is `blob`."""
    return hashlib.sha256(blob.replace(SLOT, n).encode()).hexdigest()[:12]


def make(n: int, out: Path) -> list[str]:
    if out.exists():
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise SystemExit(f"make_catalogue: {out} is not empty and was not made by this "
                             "script; refusing to replace it")
        shutil.rmtree(out)
    content = PROJECT / "content"
    src_dir = content / "briefs" / SHIPPED
    source = _vary((src_dir / "brief.yaml").read_text(encoding="utf-8"), "en")
    translations = {p.stem: _vary(p.read_text(encoding="utf-8"), p.stem)
                    for p in sorted((src_dir / "translations").glob("*.yaml"))}
    blobs = _hash_templates(source, translations)

    (out / "content" / "briefs").mkdir(parents=True)
    (out / MARKER).write_text("generated by benchmarks/make_catalogue.py\n")
    shutil.copytree(content / "audiences", out / "content" / "audiences")
    shutil.copy2(content / "terms.yaml", out / "content" / "terms.yaml")
    shared = [p for p in sorted(src_dir.iterdir()) if p.name not in ("brief.yaml",
                                                                      "translations")]
    slugs = []
    for i in range(n):
        num = str(i + 1)
        slug = f"alliance-brief-{i + 1:03d}"
        slugs.append(slug)
        d = out / "content" / "briefs" / slug
        (d / "translations").mkdir(parents=True)
        for p in shared:  # references.json and charts/, as they are
            if p.is_dir():
                shutil.copytree(p, d / p.name)
            else:
                shutil.copy2(p, d / p.name)
        (d / "brief.yaml").write_text(_number_and_date(source.replace(SLOT, num), i),
                                      encoding="utf-8")
        for lang, text in translations.items():
            hashes = {uid: _hash(blob, num) for uid, blob in blobs[lang].items()}
            (d / "translations" / f"{lang}.yaml").write_text(
                HOLE.sub(lambda m, h=hashes: h[m[1]], text.replace(SLOT, num)),  # type: ignore[misc]
                encoding="utf-8")
    return slugs


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[0].isdigit() or int(argv[0]) < 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    n, out = int(argv[0]), Path(argv[1])
    make(n, out)
    print(f"make_catalogue: {n} briefs in {out}/content/briefs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
