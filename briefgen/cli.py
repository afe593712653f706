"""The command line: parse options, call one function, turn errors into exit codes."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from briefgen import __version__, fewer_collections
from briefgen.build.formats import FORMATS
from briefgen.errors import BriefError, printable, printable_lines
from briefgen.output import OUTPUT_FORMAT, fail, setup_logging, show_problems, summary_table

if TYPE_CHECKING:
    from briefgen.build.run import Options
    from briefgen.content.project import Project
    from briefgen.session import Session

CONTENT_ERRORS = 1  # exit code for problems in content; click uses 2 for usage errors


def _common(f: Callable[..., Any]) -> Callable[..., Any]:
    """-v/-q and --project on every command; BriefError becomes exit 1 without traceback."""
    @click.option("-v", "--verbose", count=True, help="Say more (repeat for debug output).")
    @click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
    @click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=".",
                  show_default=True, help="Project folder (holds content/).")
    @click.option("--output-format", type=click.Choice(["text", "json"]), default="text",
                  show_default=True,
                  help="How problems are printed: lines for people, or one JSON object per "
                  "problem (with its code, docs/problems.md) for tools.")
    @functools.wraps(f)
    def wrapper(verbose: int, quiet: bool, project: Path, output_format: str,
                **kwargs: Any) -> Any:
        setup_logging(-1 if quiet else verbose)
        click.get_current_context().find_root().meta[OUTPUT_FORMAT] = output_format
        try:
            return f(project=project, quiet=quiet, **kwargs)
        except BriefError as exc:
            fail(exc, quiet)
            sys.exit(CONTENT_ERRORS)
        except KeyboardInterrupt:
            click.echo("briefgen: interrupted; nothing was written", err=True)
            sys.exit(130)
        except OSError as exc:  # disk full, permissions: the user's to fix, not a traceback
            _os_error(exc)
            sys.exit(CONTENT_ERRORS)
    return wrapper


def _os_error(exc: OSError) -> None:
    where = f" ({exc.filename})" if exc.filename else ""
    click.echo(printable(f"briefgen: {exc.strerror or exc}{where}; nothing was changed"),
               err=True)


def _load(project: Path, session: Session | None = None, lazy: bool = False) -> Project:
    from briefgen.content.project import load_project
    return load_project(project, session=session, lazy=lazy)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefgen")
def main() -> None:
    """Build tailored editions of policy briefs as HTML and PDF."""


@main.command()
@click.option("--brief", "briefs", multiple=True, help="Only this brief (repeatable).")
@click.option("--audience", "audiences", multiple=True, help="Only this audience (repeatable).")
@click.option("--lang", "languages", multiple=True, help="Only this language (repeatable).")
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS),
              help="Only this format (repeatable). Default: both.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder.  [default: build/ in the project]")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="PDF worker processes.  [default: available CPUs]")
@click.option("--force", is_flag=True, help="Rebuild every artifact, changed or not.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--pdf-variant", type=click.Choice(["pdf/ua-1", "pdf/a-3u"]), default=None,
              help="Override each audience's PDF variant.")
@click.option("--shard", default=None, metavar="K/N", help="Build only the K-th of N slices.")
@click.option("--watch", is_flag=True,
              help="Keep running and rebuild what changed on every save (Ctrl-C stops).")
@click.option("--no-wait", is_flag=True,
              help="Fail at once if another build is writing to the output folder.")
@_common
def build(project: Path, quiet: bool, briefs: tuple[str, ...], audiences: tuple[str, ...],
          languages: tuple[str, ...], formats: tuple[str, ...], out: Path | None,
          jobs: int | None, force: bool, strict: bool, pdf_variant: str | None,
          shard: str | None, watch: bool, no_wait: bool) -> None:
    """Build every brief for every audience, language and format into build/."""
    from briefgen.build.plan import Selection
    from briefgen.build.run import Options
    from briefgen.session import Session

    selection = Selection(briefs, audiences, languages,
                          tuple(f for f in FORMATS if f in formats) if formats else FORMATS,
                          pdf_variant)
    opts = Options(out=out or project / "build", selection=selection,
                   jobs=jobs or len(os.sched_getaffinity(0)), force=force, strict=strict,
                   shard=_parse_shard(shard), wait=not no_wait)
    session = Session(project)  # --watch: one for every rebuild
    if not watch:  # a brief held only while it is built (a save meanwhile fails: BG166)
        _build_once(project, opts, quiet, session, lazy=True)
        return
    from briefgen.commands.serve import watch as watch_changes

    def again(first: bool, changed: frozenset[Path] | None) -> None:
        if not first:  # files, labels and fonts may have been edited: templates stay if
            session.reset(changed)  # all the paths saved are under content/
        try:
            proj = _build_once(project, opts if first else replace(opts, force=False), quiet,
                               session, changed_only=not first)
            if first and any(selection.registry[f].in_workers for f in selection.formats):
                from briefgen.build.workers import warm_up
                warm_up(proj, session)
        except BriefError as exc:
            fail(exc, quiet)  # the last good build stays in place
        except OSError as exc:  # e.g. a file caught between an editor's delete and write
            _os_error(exc)
        except Exception as exc:  # noqa: BLE001 - a watch outlives one bad build
            click.echo(printable(f"briefgen: this build failed unexpectedly "
                                 f"({type(exc).__name__}: {exc}); nothing was written"),
                       err=True)
        click.echo("briefgen: watching for changes (Ctrl-C to stop)", err=True)

    watch_changes(project, again)


def _build_once(project: Path, opts: Options, quiet: bool, session: Session,
                changed_only: bool = False, lazy: bool = False) -> Project:
    """Load the project (lazy: load_project's) and build it once; print the warnings and
    the summary. --watch loads it whole: its session keeps the parsed files between builds,
    and a save during a build is its normal case (built by the next one)."""
    from briefgen.build.run import build as run_build
    from briefgen.progress import Progress

    proj = _load(project, session, lazy)
    _known(proj, opts.selection.briefs, opts.selection.audiences)
    with Progress(quiet) as progress:
        report = run_build(proj, opts, progress.step, session)
    show_problems(report.warnings, quiet)
    if not quiet:
        click.echo(summary_table(report.built, [] if changed_only else report.skipped,
                                 report.pruned, report.seconds, len(report.skipped)))
    return proj


def _parse_shard(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        k, n = (int(x) for x in value.split("/"))
    except ValueError:
        raise click.BadParameter("use K/N, e.g. 2/4", param_hint="--shard") from None
    if not 1 <= k <= n:
        raise click.BadParameter("K must be between 1 and N", param_hint="--shard")
    return k, n


def _known(proj: Project, briefs: tuple[str, ...], audiences: tuple[str, ...]) -> None:
    from briefgen.errors import did_you_mean
    for b in briefs:
        if b not in proj.briefs:
            hint = did_you_mean(b, proj.briefs) or "briefs: " + ", ".join(sorted(proj.briefs))
            raise click.BadParameter(f"no brief '{b}' ({hint})", param_hint="--brief")
    for a in audiences:
        if a not in proj.audiences:
            hint = did_you_mean(a, proj.audiences) or "audiences: " + ", ".join(
                sorted(proj.audiences))
            raise click.BadParameter(f"no audience '{a}' ({hint})", param_hint="--audience")


@main.command()
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--changed", is_flag=True,
              help="Fail unless content/ and templates/ are what git's index holds (so the "
                   "check is of the next commit).")
@click.option("--no-cache", is_flag=True,
              help="Neither use nor keep what earlier checks found (kept in the user's "
                   "cache folder, never in the project).")
@_common
def check(project: Path, quiet: bool, strict: bool, changed: bool, no_cache: bool) -> None:
    """Validate all content (no PDF rendering, nothing written).

    Each brief's editions are rendered and leak-checked unless an earlier check did so for
    the same files (a brief's folder, and content/ outside briefs/, templates and briefgen);
    such a brief is not even loaded again. With --changed, first make sure the files are
    what git's index holds, as a plain git pre-commit hook needs."""
    from briefgen.commands.check import check_project

    problems = check_project(project, strict, changed, cache=not no_cache)
    show_problems(problems, quiet)
    if not quiet:
        click.echo("briefgen: content is valid" + (
            f" ({len(problems)} warning{'s' if len(problems) != 1 else ''})" if problems else ""),
            err=True)


@main.command()
@click.option("--audience", "audience", required=True, help="The audience to explain.")
@click.option("--brief", "briefs", multiple=True, help="Only this brief (repeatable).")
@_common
def explain(project: Path, quiet: bool, audience: str, briefs: tuple[str, ...]) -> None:
    """Dry run: which items each brief shows this audience, and why; every resolved term."""
    from briefgen.commands.explain import explain as run_explain

    proj = _load(project)
    _known(proj, briefs, (audience,))
    click.echo(printable_lines(run_explain(proj, audience, briefs)), nl=False)


@main.command()
@click.argument("audience_a")
@click.argument("audience_b")
@click.option("--brief", default=None, help="The brief (default: the only one, or each).")
@click.option("--lang", default=None, help="Compare this language (default: en if shared).")
@click.option("--html", "html_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write a side-by-side HTML report here.")
@_common
def diff(project: Path, quiet: bool, audience_a: str, audience_b: str, brief: str | None,
         lang: str | None, html_out: Path | None) -> None:
    """What two audiences' versions of a brief differ in."""
    from briefgen.build.files import write_atomic
    from briefgen.commands.diff import diff as run_diff
    from briefgen.commands.diff import diff_html, diff_text

    proj = _load(project)
    _known(proj, (brief,) if brief else (), (audience_a, audience_b))
    for slug in [brief] if brief else sorted(proj.briefs):
        changes, used = run_diff(proj, slug, audience_a, audience_b, lang)
        click.echo(f"# {slug} ({used})")
        click.echo(printable_lines(diff_text(changes, audience_a, audience_b)), nl=False)
        if html_out is not None:
            target = html_out if brief or len(proj.briefs) == 1 else \
                html_out.with_name(f"{html_out.stem}-{slug}{html_out.suffix}")
            page = diff_html(changes, slug, audience_a, audience_b, used,
                             proj.template_folders, proj.session)
            write_atomic(target, page.encode())
            click.echo(f"wrote {target}", err=True)


@main.command()
@click.argument("brief")
@click.option("--from", "old", required=True, metavar="VERSION",
              help="The older release (releases/BRIEF.yaml).")
@click.option("--to", "new", default="working", show_default=True, metavar="VERSION",
              help="The newer release, or 'working': the edition the working tree makes.")
@click.option("--audience", default=None, help="Only this audience's editions.")
@click.option("--lang", default=None, help="Only the editions in this language.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the redlines.  [default: build/redlines/BRIEF/FROM-TO/ in the "
              "project]")
@_common
def redline(project: Path, quiet: bool, brief: str, old: str, new: str,
            audience: str | None, lang: str | None, out: Path | None) -> None:
    """An HTML and a PDF redline of each edition between two releases (or a release and
    the working tree): insertions, deletions, moved and unchanged sections."""
    from briefgen.commands.pagediff import summary
    from briefgen.commands.redline import redline as run_redline

    proj = _load(project)
    _known(proj, (brief,), (audience,) if audience else ())
    made_all, warnings = run_redline(proj, brief, old, new, audience, lang, out)
    show_problems(warnings, quiet)
    for stem, made in made_all:
        if not quiet:
            click.echo(printable(f"{made.audience}/{made.lang}: "
                                 f"{summary(made.redline.counts)}"))
        click.echo(f"wrote {stem}.html, {stem}.pdf", err=True)


@main.group(invoke_without_command=True)
@click.option("--brief", "briefs", multiple=True, help="Only this brief (repeatable).")
@click.option("--lang", "langs", multiple=True, help="Only this language (repeatable).")
@click.option("--yaml", "as_yaml", is_flag=True,
              help="Print only YAML: each translation file's units, to paste under its units:.")
@_common
def translations(project: Path, quiet: bool, briefs: tuple[str, ...],
                 langs: tuple[str, ...], as_yaml: bool) -> None:
    """Print the units to translate or refresh, ready to paste into translations/LANG.yaml,
    with what changed in a stale unit's source; what is missing or stale goes to stderr.
    Its commands exchange files with translators' tools."""
    if click.get_current_context().invoked_subcommand:
        return
    from briefgen.content.project import load_project
    from briefgen.translate.report import languages, report

    try:
        proj = load_project(project)
    except BriefError as exc:
        # missing translations (BG141) are errors for check and build, but exactly what this
        # lists
        if not all(p.code == "BG141" for p in exc.problems if p.severity == "error"):
            raise
        proj = load_project(project, allow_incomplete=True)
    _known(proj, briefs, ())
    known = sorted({lang for src in proj.briefs.values() for lang in languages(proj, src)})
    for lang in langs:
        if lang not in known:
            raise click.BadParameter(f"no translation language '{lang}' (languages: "
                                     f"{', '.join(known) or 'none'})", param_hint="--lang")
    found = report(proj, briefs, langs)
    # the report lists stale units itself (BG602): check's warning of each (BG153) would
    # say it twice
    show_problems([p for p in proj.warnings if p.code != "BG153"] + found.problems(), quiet)
    click.echo(found.yaml() if as_yaml else printable_lines(found.text()), nl=False)
    json = click.get_current_context().find_root().meta.get(OUTPUT_FORMAT) == "json"
    if not quiet and not json:
        click.echo(f"{len(found.todos)} unit(s) to translate or refresh", err=True)


@translations.command("glossary")
@click.option("--lang", required=True, help="The target language, e.g. ko.")
@click.option("--format", "formats", type=click.Choice(["tbx", "csv"]), multiple=True,
              help="tbx (TBX-Basic, ISO 30042:2019) or csv.  [default: both]")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder.  [default: build/translations/ in the project]")
@_common
def glossary(project: Path, quiet: bool, lang: str, formats: tuple[str, ...],
             out: Path | None) -> None:
    """The terms as a glossary per language pair (the briefs' language to LANG), one entry
    per audience-specific text, for translators' CAT tools."""
    from briefgen.content.project import load_project
    from briefgen.translate.glossary import FORMATS, write_glossary

    # a glossary is wanted before the translations exist: their absence (BG141) is no error
    proj = load_project(project, allow_incomplete=True)
    for path in write_glossary(proj, lang, tuple(sorted(set(formats))) or FORMATS, out):
        click.echo(f"wrote {path}", err=True)


@translations.command("export")
@click.option("--lang", required=True, help="The language to translate into.")
@click.option("--brief", "briefs", multiple=True, help="Only this brief (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["xliff", "po"]), default="xliff",
              show_default=True, help="XLIFF 2.1 or gettext PO.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the files.  [default: build/translations/ in the project]")
@_common
def translations_export(project: Path, quiet: bool, lang: str, briefs: tuple[str, ...],
                        fmt: str, out: Path | None) -> None:
    """Write BRIEF.LANG.xlf (or .po) for a translator's tool: every unit a reader of LANG
    sees, with its state, the current translation and where it is."""
    from briefgen.translate.export import export_files

    proj = _translations_project(project)
    _known(proj, briefs, ())
    if not proj.readers(lang):
        raise click.BadParameter(f"no audience reads '{lang}'", param_hint="--lang")
    written = export_files(proj, lang, briefs, fmt, out or proj.root / "build" / "translations")
    for path in written:
        click.echo(printable(f"wrote {path}"), err=True)


@translations.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, exists=True, path_type=Path))
@_common
def translations_import(project: Path, quiet: bool, files: tuple[Path, ...]) -> None:
    """Merge returned XLIFF or PO FILES into translations/LANG.yaml, all or nothing: only
    confirmed entries, each checked against its source."""
    from briefgen.translate.merge import run_import

    proj = _translations_project(project)
    done = run_import(proj, list(files))
    for path in done.written:
        click.echo(printable(f"wrote {path}"), err=True)
    if not quiet:
        click.echo(f"imported {done.imported} unit(s); {done.unchanged} unchanged; skipped "
                   f"{done.skipped} unconfirmed entr{'y' if done.skipped == 1 else 'ies'}",
                   err=True)


def _translations_project(project: Path) -> Project:
    """The project, with translations still missing (BG141) allowed."""
    from briefgen.content.project import load_project

    try:
        return load_project(project)
    except BriefError as exc:
        if not all(p.code == "BG141" for p in exc.problems if p.severity == "error"):
            raise
        return load_project(project, allow_incomplete=True)



@main.command()
@click.argument("brief")
@click.option("--version", "version", required=True,
              help="The version to release: the brief's version: field must say it.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder of the build.  [default: build/ in the project]")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="PDF worker processes.  [default: available CPUs]")
@_common
def release(project: Path, quiet: bool, brief: str, version: str, out: Path | None,
            jobs: int | None) -> None:
    """Freeze every edition of BRIEF at its version: build it, then record the files'
    sha256 in releases/BRIEF.yaml and keep each page under releases/BRIEF/VERSION/."""
    from briefgen.commands.release import release as run_release

    proj = _load(project)
    if brief not in proj.briefs:
        from briefgen.errors import did_you_mean
        hint = did_you_mean(brief, proj.briefs) or "briefs: " + ", ".join(sorted(proj.briefs))
        raise click.BadParameter(f"no brief '{brief}' ({hint})", param_hint="BRIEF")
    made = run_release(proj, brief, version, out or project / "build", _today(),
                       jobs or len(os.sched_getaffinity(0)))
    if made.release.dirty:
        click.echo("briefgen: warning: content/ or templates/ differs from the last commit "
                   "(or git cannot tell briefgen), so the release records no revision "
                   "(dirty: true)", err=True)
    if not quiet:
        click.echo(f"released {brief} {version}: {len(made.release.editions)} editions; "
                   f"wrote {len(made.files)} files under releases/", err=True)


def _today() -> dt.date:
    """Today in UTC, or SOURCE_DATE_EPOCH's day (reproducible runs)."""
    from briefgen import clock

    return clock.now().date()


@main.group()
def new() -> None:
    """Create a brief or an audience from a commented starter file, or copy the theme."""


@new.command("brief")
@click.argument("slug")
@_common
def new_brief(project: Path, quiet: bool, slug: str) -> None:
    """Create content/briefs/SLUG/brief.yaml (and content/terms.yaml if there is none)."""
    import datetime as dt

    from briefgen import clock
    from briefgen.commands.scaffold import new_brief as make

    date = clock.now().date() if os.environ.get("SOURCE_DATE_EPOCH") else dt.date.today()
    path, *others = make(project / "content", slug, date.isoformat())
    for other in others:
        click.echo(f"created {other}", err=True)
    _created(project, path)


@new.command("audience")
@click.argument("ident", metavar="ID")
@_common
def new_audience(project: Path, quiet: bool, ident: str) -> None:
    """Create content/audiences/ID.yaml."""
    from briefgen.commands.scaffold import new_audience as make

    path = make(project / "content", ident)
    _created(project, path)


def _created(project: Path, path: Path) -> None:
    click.echo(f"created {path}; wrote the editor's schemas its $schema line names into "
               f"{project / 'schema'}/ (generated files: `new` and `briefgen schema` "
               "refresh them); edit it, then run: briefgen check", err=True)


@new.command("theme")
@_common
def new_theme(project: Path, quiet: bool) -> None:
    """Copy briefgen's templates, stylesheets and catalogs into templates/, to own them all."""
    from briefgen.commands.scaffold import new_theme as make

    for path in make(project):
        click.echo(f"created {path}", err=True)
    click.echo("edit them; delete a file to get briefgen's own back (templates/ files "
               "replace briefgen's one by one)", err=True)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the *.schema.json files.  [default: schema/ in the project]")
@_common
def schema(project: Path, quiet: bool, out: Path | None) -> None:
    """Write JSON Schemas for brief, audience, translation, terms, chart and references
    files, and for the build manifest."""
    from briefgen.commands.schemas import write_schemas

    for target in write_schemas(project, out):
        if not quiet:
            click.echo(f"wrote {target}", err=True)


@main.group()
def manifest() -> None:
    """Work with build manifests."""


@manifest.command("merge")
@click.argument("parts", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the merged manifest.")
@_common
def manifest_merge(project: Path, quiet: bool, parts: tuple[Path, ...], out: Path) -> None:
    """Join the partial manifests of sharded builds into one; in a project, also write the
    index pages, feeds and sitemaps of the whole build beside it."""
    from briefgen.build.run import merge_shards

    proj = _load(project) if (project / "content").is_dir() else None
    merge_shards(proj, list(parts), out)
    if not quiet:
        pages = " and the index pages" if proj is not None else ""
        click.echo(f"wrote {out}{pages} from {len(parts)} manifests", err=True)


@main.command("issue")
@click.argument("edition", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--recipients", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="CSV with the header name,organisation[,email]: one copy per row.")
@click.option("--ledger", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The ledger of copies.  [default: releases/<brief>/copies.json]")
@_common
def issue_copies(project: Path, quiet: bool, edition: Path, recipients: Path,
                 ledger: Path | None) -> None:
    """Numbered copies of a built edition PDF, one per recipient, stamped and recorded."""
    from briefgen.commands.issue import issue
    from briefgen.errors import Problems

    warnings = Problems()
    issued = issue(_load(project), edition, recipients, ledger, warnings)
    show_problems(warnings.warnings, quiet)
    if not quiet:
        for item in issued:
            again = " (issued before: same serial, same bytes)" if item.reused else ""
            click.echo(printable(f"{item.copy.serial} {item.copy.file} "
                                 f"{item.copy.describe()}{again}"))
        click.echo(f"briefgen: {len(issued)} cop{'y' if len(issued) == 1 else 'ies'} "
                   "written and recorded in the ledger", err=True)


@main.command("trace")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--ledger", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The ledger to look in.  [default: every releases/*/copies.json]")
@_common
def trace_copy(project: Path, quiet: bool, file: Path, ledger: Path | None) -> None:
    """Whose numbered copy FILE is: a PDF, or text pasted out of one ('-': standard input)."""
    from briefgen.commands.trace import trace_file

    lines, errors = trace_file(project, file, ledger)
    if lines:
        click.echo(printable_lines(lines))
    if errors:
        raise BriefError(errors)


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@_common
def serve(project: Path, quiet: bool, port: int) -> None:
    """Preview every edition on http://127.0.0.1:PORT with live reload."""
    from briefgen.commands.serve import serve as run_serve

    run_serve(project, port)


def run() -> None:
    """The `briefgen` command (tests call main, in their own process, instead)."""
    fewer_collections()
    try:
        main()
    except SystemExit as exc:
        if exc.code != 130 or "multiprocessing.pool" in sys.modules:
            raise  # a pool's semaphores need the normal shutdown to be released
        # Interrupted, already reported, nothing written. Leave now: about 1 run in 15,
        # CPython's shutdown after a Ctrl-C mid-render still killed the process with SIGINT
        # (exit -2, seen with strace) instead of exiting 130.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
