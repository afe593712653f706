"""`briefgen check`: validate everything a build would, without WeasyPrint or build/."""

from __future__ import annotations

from pathlib import Path

from briefgen.build.indexes import audience_indexes, check_indexes
from briefgen.build.manifest import ManifestEntry
from briefgen.build.plan import Selection
from briefgen.build.run import guard_pages, plan
from briefgen.content.project import load_project
from briefgen.errors import Problem, Problems


def check_project(root: Path, strict: bool = False) -> list[Problem]:
    """Every problem a build would report before rendering PDFs; raises on errors."""
    project = load_project(root)
    problems = Problems(list(project.warnings))
    jobs = plan(project, Selection(), problems)
    guard_pages(jobs, problems)
    # each audience's index page, feed and sitemap, as a build writes them (sizes and page
    # counts aside)
    entries = [ManifestEntry.of(job, b"", None) for job in jobs]
    check_indexes(project, audience_indexes(project, entries), problems,
                  tuple(e.path for e in entries))
    problems.raise_if_errors(strict=strict)
    return problems.items
