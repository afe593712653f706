"""The floor: WeasyPrint alone rendering briefgen's exact print HTML, in one warm process.

    /tmp/venv/bin/python benchmarks/floor.py PROJECT_DIR [--breakdown]

Prints one JSON object. The print HTML comes from briefgen's own planner
(briefgen.build.run.plan with Selection(formats=("pdf",))), so WeasyPrint gets byte-for-byte what
`briefgen build` feeds it. Timed separately:

  import_s      importing weasyprint (after FONTCONFIG_FILE is set, as briefgen does)
  plan_s        briefgen loading the project and producing the print HTML (not part of the floor)
  render_s      the floor: weasyprint.HTML(string=...).write_pdf(pdf_variant=..., pdf_tags=True,
                stylesheets=[briefgen.publish.pdf.NOTE_DEFAULTS]) (one layout: the shipped
                briefs need no second one to keep footnotes with their calls)
                once per PDF, in job order, one FontConfiguration, in this already-imported
                process (so the first documents pay font loading, as in a build)
  render_warm_s the same pass again (every font already loaded): the steady-state cost
Each *_s has a *_cpu_s twin (time.process_time) where it is useful.

With --breakdown, also what briefgen's build does per PDF on top of the floor:
  briefgen_render_s  briefgen.publish.pdf.PdfRenderer.render (fetcher, log capture, identifier)
  guard_pdf_s        the leak guard on each PDF: its phrase search over the text WeasyPrint
                     laid out (PdfResult.text, collected inside briefgen_render_s), the
                     metadata and the bookmarks
  check_html_s       briefgen.build.run.guard_pages over the print HTML
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main() -> int:
    root = Path(sys.argv[1]).resolve()
    breakdown = "--breakdown" in sys.argv[2:]
    from briefgen.theme import bundled as templates_dir

    os.environ["FONTCONFIG_FILE"] = str(templates_dir() / "fonts" / "fonts.conf")
    # what briefgen's own processes do (briefgen.fewer_collections, publish/pdf._weasyprint):
    # fewer garbage collections, and no ctypes library search while WeasyPrint is imported;
    # the floor gets both, so the ratio compares the work, not the settings
    from briefgen import fewer_collections

    fewer_collections()
    import ctypes.util

    find, ctypes.util.find_library = ctypes.util.find_library, lambda name: None
    t0 = time.perf_counter()
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    import_s = time.perf_counter() - t0
    ctypes.util.find_library = find

    from briefgen.build.run import Selection, guard_pages, plan
    from briefgen.content.project import load_project
    from briefgen.errors import Problems
    from briefgen.publish.pdf import NOTE_DEFAULTS  # the footnote defaults briefgen lays out with

    t0 = time.perf_counter()
    project = load_project(root)
    problems = Problems(list(project.warnings))
    jobs = plan(project, Selection(formats=("pdf",)), problems)
    plan_s = time.perf_counter() - t0
    base = str(templates_dir()) + "/"
    font_config = FontConfiguration()

    def one_pass() -> tuple[float, float, list[float], list[bytes]]:
        times, pdfs = [], []
        start, cpu = time.perf_counter(), time.process_time()
        for job in jobs:
            t = time.perf_counter()
            data = weasyprint.HTML(string=job.source, base_url=base).write_pdf(
                pdf_variant=job.variant, pdf_tags=True, font_config=font_config,
                stylesheets=[NOTE_DEFAULTS])
            times.append(time.perf_counter() - t)
            pdfs.append(data)
        return time.perf_counter() - start, time.process_time() - cpu, times, pdfs

    render_s, render_cpu_s, per_doc, pdfs = one_pass()
    render_warm_s, render_warm_cpu_s, per_doc_warm, _ = one_pass()
    result = {
        "pdfs": len(jobs), "import_s": import_s, "plan_s": plan_s,
        "render_s": render_s, "render_cpu_s": render_cpu_s,
        "render_warm_s": render_warm_s, "render_warm_cpu_s": render_warm_cpu_s,
        "per_pdf_s": {j.path.rsplit("/", 1)[-1]: [round(a, 3), round(b, 3)]
                      for j, a, b in zip(jobs, per_doc, per_doc_warm, strict=True)},
        "bytes": sum(len(p) for p in pdfs),
    }
    if breakdown:
        from briefgen.publish import guard
        from briefgen.publish.pdf import PdfRenderer

        renderer = PdfRenderer(project.content)
        t0, c0 = time.perf_counter(), time.process_time()
        results = [renderer.render(j.source, j.variant) for j in jobs]
        result["briefgen_render_s"] = time.perf_counter() - t0
        result["briefgen_render_cpu_s"] = time.process_time() - c0
        # What the build runs on each PDF for the leak guard: the phrase search over the
        # laid-out text, the metadata and the bookmarks.
        t0, c0 = time.perf_counter(), time.process_time()
        for job, r in zip(jobs, results, strict=True):
            assert job.edition is not None
            guard.scan(job.edition, {"PDF text": r.text, "PDF metadata": "\n".join(r.metadata),
                                     "PDF bookmarks": "\n".join(r.bookmarks)})
        result["guard_pdf_s"] = time.perf_counter() - t0
        result["guard_pdf_cpu_s"] = time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        guard_pages(jobs, Problems([]))
        result["check_html_s"] = time.perf_counter() - t0
        result["check_html_cpu_s"] = time.process_time() - c0
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
