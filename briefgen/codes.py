"""Every problem briefgen reports carries a stable code; this is the list of them.

Codes are grouped by the stage that reports them, each stage listing its own in its
`codes.py` (briefgen/content/codes.py, …):

    BG0xx  files and folders (links out of the project, unreadable files)
    BG1xx  content: YAML, fields, ids, audiences, terms and translations across files
    BG2xx  edition: Markdown, audience syntax, terms and references, images
    BG3xx  publish: templates, PDF rendering, fonts, the leak guard
    BG4xx  build: output folder, manifest, shards, locks
    BG5xx  commands: options and the preview
    BG6xx  translators' files: the report, XLIFF and PO out and in, the glossary

Code decides on codes (`Problems.has("BG141")`), never on the wording of a message, which may
change. `--output-format json` shows them; the text output and GitHub annotations do not.
docs/problems.md lists every code with an example; `python -m briefgen.codes` writes that
page (a test checks it is current).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    title: str  # what is wrong, in a few words
    example: str  # a problem as briefgen prints it


def _table(*rows: tuple[str, str, str]) -> dict[str, Code]:
    return {code: Code(code, title, example) for code, title, example in rows}


#: files and folders, reported by briefgen/paths.py and the commands that read files
GENERAL = _table(
    ("BG001", "a symbolic link leads outside the project",
     "content/briefs/demo/brief.yaml: leads outside the project folder through a symbolic "
     "link (briefgen reads only the project and its own templates, …)"),
    ("BG002", "a symbolic link loops",
     "content/terms.yaml: is a symbolic link that loops (replace the link with the file "
     "itself)"),
    ("BG003", "SOURCE_DATE_EPOCH is set but is not a whole number of seconds (briefgen/clock.py)",
     "briefgen: SOURCE_DATE_EPOCH is 'x', not a whole number of seconds since 1970 (unset it, "
     "or give e.g. 1767225600)"),
)


def all_codes() -> dict[str, Code]:
    """Every code, in order."""
    from briefgen.build import codes as build
    from briefgen.commands import codes as commands
    from briefgen.content import codes as content
    from briefgen.edition import codes as edition
    from briefgen.publish import codes as publish
    from briefgen.translate import codes as translate

    merged: dict[str, Code] = {}
    for table in (GENERAL, content.CODES, edition.CODES, publish.CODES, build.CODES,
                  commands.CODES, translate.CODES):
        for code in table:
            assert code not in merged, f"{code} is listed twice"
        merged.update(table)
    return dict(sorted(merged.items()))


def page() -> str:
    """docs/problems.md."""
    lines = ["# Problem codes", "",
             "Every problem briefgen reports has a stable code. `--output-format json` (an "
             "option of every command) prints each problem as one line of JSON with its "
             "code, and that code is what scripts and editor integrations should match, "
             "never the message text, whose wording may improve. This page is made by "
             "`python -m briefgen.codes > docs/problems.md`.", ""]
    for code in all_codes().values():
        lines += [f"## {code.code}: {code.title}", "", "```text", code.example, "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(page(), end="")
