"""`briefgen new`: starter files, commented for editors, that pass `briefgen check` at once,
written with the schema files their `$schema` lines name (commands/schemas.py: generated,
so refreshed every time; a content file is never overwritten); and `briefgen new theme`, a
copy of briefgen's templates for a project to own.

`new brief` also makes sure the project's .gitignore has the rule that keeps the ledgers of
numbered copies (they name recipients) out of commits: it creates the file, or appends the
rule to it, never changing a line that is there (ignore_ledgers)."""

from __future__ import annotations

from pathlib import Path

from briefgen.build.files import write_all
from briefgen.commands.ledger import IGNORE_RULE
from briefgen.commands.recipients import Unreadable, read_limited
from briefgen.commands.schemas import schema_writes
from briefgen.content.models import SLUG
from briefgen.errors import BriefError
from briefgen.paths import confined
from briefgen.theme import bundled

BRIEF = """\
# yaml-language-server: $schema=../../../schema/brief.schema.json
# A new brief. Every field is explained in docs/editing.md. Prose is Markdown: write
# "straight quotes" and -- dashes, briefgen makes them typographic.
title: {title}                       # the full title, on the cover and in PDF metadata
short_title: {title}                 # for the running header of each PDF page
subtitle: One sentence on what the brief argues
series: Policy Briefs                # the series it belongs to
number: "{year}-01"                  # its number in the series (quoted: it is text)
date: {date}                         # publication date, YYYY-MM-DD; also the PDF's dates
# version: "1.0"                     # when you publish it: briefgen release (docs/editing.md)
language: en                         # the language this file is written in
summary: |                           # one paragraph; the abstract and the PDF subject
  What the brief is about, in two or three sentences.
keywords: [policy]
institute: Your Institute
authors:
  - id: first-author                 # ids: lowercase-with-hyphens, unique in the brief
    name: First Author
    honorific: ""                    # e.g. Dr.
    affiliation: Research Fellow, Your Institute
    bio: |
      Two or three sentences about the author.
credit: |                            # where the brief comes from
  Written for the Policy Briefs series.
takeaways:                           # the call-out box on page one
  - id: main-point
    text: The single most important point.
    # audiences: [{first}]     # only these audiences see it, or:
    # exclude_audiences: [{first}]
sections:                            # types: prose, tasks, issues, recommendations
  # Tables: a '::: table {{#tbl-ID}}' block, caption, then a pipe table (see Conclusion);
  # figures: '::: figure {{#fig-ID}}', caption, ![alt text](image.svg), source line;
  # charts: a figure whose image is charts/NAME.chart.yaml (see Conclusion).
  - id: introduction
    type: prose
    title: Introduction
    body: |
      The argument, in Markdown. Use a term from content/terms.yaml by writing its
      key in double square brackets. Cite a reference of references.json, in this
      folder, as a note.[@first-source, p. 12]{audience_block}
  - id: recommendations
    type: recommendations            # numbered 1, 2, … after audience filtering
    title: Recommendations
    items:
      - id: first-recommendation
        title: Do the first thing
        body: |
          Why, and how.
  - id: conclusion
    type: prose
    title: Conclusion
    body: |
      The closing paragraph. [[@tbl-options]] sums up the choices.

      ::: table {{#tbl-options}}
      The choices at a glance

      | Option | Cost | Risk |
      |:--|--:|:-:|
      | Act now | High | Low |
      | Wait | Low | High |
      :::

      ::: figure {{#fig-trend}}
      The trend, drawn from the data in charts/trend.chart.yaml

      ![A line chart of the value rising from 10 in 2024 to 14 in 2026](charts/trend.chart.yaml)

      Your source, {year}.
      :::
"""

CHART = """\
# yaml-language-server: $schema=../../../../schema/chart.schema.json
# A chart drawn from data (docs/editing.md#charts). Its words are all under text:, each
# translated as a unit chart.trend.KEY; the spec is Vega-Lite, without data or words.
values:                              # or data: trend.csv, a CSV file beside this one
  - {year: 2024, value: 10}
  - {year: 2025, value: 12}
  - {year: 2026, value: 14}
formats: {year: year, value: number} # number, year, or krw (1조 389억 in Korean)
text:                                # every column's heading, and any category's words
  year: Year
  value: Value
spec:
  width: 400                         # pixels; without it a few points draw very narrow
  height: 200
  mark: {type: line, point: true}
  encoding:
    x: {field: year, type: ordinal, axis: {labelAngle: 0}}
    y: {field: value, type: quantitative}
"""

#: references.json: CSL-JSON, as Zotero exports it (File > Export > CSL JSON); see
#: docs/editing.md, "Citations".
REFERENCES = """\
[
  {{
    "id": "first-source",
    "type": "report",
    "author": [{{"literal": "Your Institute"}}],
    "title": "A report this brief relies on",
    "publisher": "Your Institute",
    "issued": {{"date-parts": [[{year}]]}},
    "URL": "https://example.org/"
  }}
]
"""

AUDIENCE = """\
# yaml-language-server: $schema=../../schema/audience.schema.json
# A new audience: every brief is also built for it. See docs/editing.md.
name: {name}                         # shown in the catalogue and by `briefgen explain`
description: Who reads this edition.
languages: [en]                      # editions, in order: en, ko, zh-Hans
marking:                             # distribution marking on every page, per language
  en: Public release
page_size: a4                        # a4 or letter
pdf_variant: pdf/ua-1                # pdf/ua-1 (accessible) or pdf/a-3u (archival)
section_order: []                    # section ids to put first, in this order
terms: {{}}                          # key: {{en: text}} overrides content/terms.yaml
forbidden_phrases: []                # the build fails if any appears in this edition
"""

#: content/terms.yaml, written with a new brief if the project has none (the brief's
#: comments point at it)
TERMS = """\
# yaml-language-server: $schema=../schema/terms.schema.json
# Terms: a brief writes [[key]] and each edition prints the key's words in its language;
# an audience file's terms: replaces them for its editions. A key is lowercase letters and
# digits joined by '-' or '_'. See docs/editing.md.
joint-plan:
  en: the joint plan
"""


def _target(path: Path, what: str, ident: str) -> Path:
    if not SLUG.match(ident):
        raise BriefError(f"'{ident}' is not a valid {what} id: use lowercase letters and "
                         "digits joined by hyphens, like 'energy-security'", code="BG521")
    if path.exists() or path.is_symlink():
        raise BriefError(f"{path} already exists; choose another {what} id", code="BG522")
    # a linked content/, briefs/ or audiences/ must not make us write outside the project
    project = path.parents[3] if what == "brief" else path.parents[2]
    return confined(path, (project,), path.relative_to(project).as_posix())


def new_brief(content: Path, slug: str, today: str) -> list[Path]:
    """Write the brief's starter files, content/terms.yaml if there is none, and the
    schemas; returns the content files created, brief.yaml first."""
    path = _target(content / "briefs" / slug / "brief.yaml", "brief", slug)
    terms = content / "terms.yaml"
    new_terms = not (terms.exists() or terms.is_symlink())
    if new_terms:  # confined like the brief: content/ may be a link
        confined(terms, (content.parent,), "content/terms.yaml")
    title = slug.replace("-", " ").title()
    audiences = sorted(p.stem for p in (content / "audiences").glob("*.yaml"))
    first = audiences[0] if audiences else "audience-id"
    block = (f" Show a paragraph to some audiences only with:\n\n      ::: audience {first}\n"
             f"      This paragraph appears only in the {first} edition.\n      :::"
             if audiences else "")
    write_all([(path, BRIEF.format(title=title, date=today, year=today[:4], first=first,
                                   audience_block=block).encode("utf-8")),
               (path.parent / "charts" / "trend.chart.yaml", CHART.encode("utf-8")),
               (path.parent / "references.json",
                REFERENCES.format(year=today[:4]).encode("utf-8")),
               *([(terms, TERMS.encode("utf-8"))] if new_terms else []),
               *schema_writes(content.parent),
               *ignore_ledgers(content.parent)])
    return [path, *([terms] if new_terms else [])]


def ignore_ledgers(root: Path) -> list[tuple[Path, bytes]]:
    """The project's .gitignore with the ledgers' rule added at its end (the file created if
    there is none); nothing if the rule is there already, or if .gitignore is a link or not
    a file of at most 1 MB (left as it is: `issue` warns if the ledger is not ignored)."""
    path = root / ".gitignore"
    if path.is_symlink():
        return []
    try:
        text = read_limited(path, 1024 * 1024) if path.exists() else b""
    except (OSError, Unreadable):
        return []
    if IGNORE_RULE.encode() in (line.strip() for line in text.splitlines()):
        return []
    end = b"" if not text or text.endswith(b"\n") else b"\n"
    return [(path, text + end + b"# ledgers of numbered copies name their recipients "
             b"(briefgen issue)\n" + IGNORE_RULE.encode() + b"\n")]


def new_audience(content: Path, ident: str) -> Path:
    path = _target(content / "audiences" / f"{ident}.yaml", "audience", ident)
    write_all([(path, AUDIENCE.format(name=ident.replace("-", " ").capitalize())
                .encode("utf-8")), *schema_writes(content.parent)])
    return path


# Not copied: fonts/ holds the font configuration of the PDF renderer (system font folders),
# no part of a look; a project adds its own fonts there without owning briefgen's.
NOT_THEME = ("fonts",)


def new_theme(root: Path) -> list[str]:
    """Copy every bundled template, stylesheet and catalog into the project's templates/ (a
    project that wants to own its whole look). Refuses, writing nothing, if any of those
    files is there already. Returns what it wrote, relative to the project."""
    ours = bundled()
    files = sorted(p.relative_to(ours) for p in ours.rglob("*")
                   if p.is_file() and p.relative_to(ours).parts[0] not in NOT_THEME
                   and "__pycache__" not in p.parts)
    targets = {}
    for rel in files:
        shown = f"templates/{rel.as_posix()}"
        target = root / "templates" / rel
        if target.exists() or target.is_symlink():
            raise BriefError(f"{shown} already exists; nothing was written (move it away to "
                             "copy briefgen's, or copy the files you want by hand)",
                             code="BG523")
        # a linked templates/ must not make us write outside the project
        targets[shown] = (ours / rel, confined(target, (root,), shown))
    # every file, or none (staged beside its target, then renamed into place)
    write_all([(target, source.read_bytes()) for source, target in targets.values()],
              inside=root)
    return list(targets)
