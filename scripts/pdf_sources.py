#!/usr/bin/env python3
"""Build a project's HTML editions and, beside each, the HTML its PDF is rendered from.

    python scripts/pdf_sources.py PROJECT OUT
    python scripts/check_html.py OUT

The PDF's HTML (render_edition in "print" mode: print.css and each language's print rules,
WeasyPrint's input) is written as ``<brief>-<audience>-<lang>.pdf.html``, by a third output
format registered for this build only (build/formats.py: OutputFormats.adding), so the
build plans, guards and writes it as it does every artifact. scripts/check_html.py checks
those files with print media only. Each HTML page's "PDF" link points at that file, so the
link is on the page the checks see. Nothing is rendered by WeasyPrint.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from briefgen.build.formats import HTML, OUTPUT_FORMATS, OutputFormat, pdf_document_surfaces
from briefgen.build.keys import html_key
from briefgen.build.plan import Selection
from briefgen.build.run import Options, Report, build
from briefgen.content.project import load_project

#: the PDF's HTML, as a file: check_html.PDF_SOURCE_SUFFIX names the same suffix
PDF_SOURCE = OutputFormat("pdf-source", "print", "pdf.html",
                          key=lambda page, variant, fingerprint: html_key(page),
                          surfaces=pdf_document_surfaces, make=lambda page: page.encode())
#: briefgen's formats and the PDF source; the HTML page links to the PDF source
REGISTRY = OUTPUT_FORMATS.adding(replace(HTML, links=PDF_SOURCE.name), PDF_SOURCE)


def build_with_sources(project: Path, out: Path) -> Report:
    """Every HTML edition of the project and its PDF's HTML, written to out."""
    selection = Selection(formats=(HTML.name, PDF_SOURCE.name), registry=REGISTRY)
    return build(load_project(project), Options(out=out, selection=selection))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    report = build_with_sources(Path(argv[0]), Path(argv[1]))
    print(f"pdf_sources: {len(report.built)} files written to {argv[1]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
