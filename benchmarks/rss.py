"""Peak memory over many PDF renders in one process (no worker recycling).

    /tmp/venv/bin/python benchmarks/rss.py PROJECT_DIR N [CHECKPOINT ...]

Renders the project's print HTML (briefgen.build.run.plan, Selection(formats=("pdf",))) N times in
turn through one briefgen.publish.pdf.PdfRenderer (one FontConfiguration, as a build worker does)
and prints one JSON object with, after each checkpoint render count (default 1 10 50 100 N),
the peak RSS (VmHWM from /proc/self/status, also ru_maxrss) and the current RSS (VmRSS), in MiB.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from pathlib import Path


def status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    root = Path(sys.argv[1]).resolve()
    n = int(sys.argv[2])
    checkpoints = sorted({int(x) for x in sys.argv[3:]} or {1, 10, 50, 100, n})
    from briefgen.build.run import Selection, plan
    from briefgen.content.project import load_project
    from briefgen.errors import Problems
    from briefgen.publish.pdf import PdfRenderer

    project = load_project(root)
    jobs = plan(project, Selection(formats=("pdf",)), Problems([]))
    renderer = PdfRenderer(project.content)
    gc.collect()
    points = {"0": {"hwm_mib": status_mib("VmHWM"), "rss_mib": status_mib("VmRSS")}}
    start = time.perf_counter()
    for i in range(1, n + 1):
        job = jobs[(i - 1) % len(jobs)]
        renderer.render(job.source, job.variant)
        if i in checkpoints:
            points[str(i)] = {
                "hwm_mib": status_mib("VmHWM"), "rss_mib": status_mib("VmRSS"),
                "ru_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "elapsed_s": time.perf_counter() - start}
    print(json.dumps({"renders": n, "documents": len(jobs), "points": points}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
