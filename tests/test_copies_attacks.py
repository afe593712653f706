"""Numbered copies under attack (docs/editing.md, "Numbered copies"): a PDF a manifest lists
but the content does not make, a planted ledger, a ledger led into the published folder by a
link, a recipients file that never ends, names too long for the footer, a PDF that would
make trace work for minutes, a ledger git would commit, look-alike recipients."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from briefgen.commands import trace as trace_module
from briefgen.commands.ledger import IGNORE_RULE, git_unignored
from briefgen.publish.pdftext import page_text
from briefgen.publish.stamp import MARGIN, Stamp, check_char, new_serial, stamp
from briefgen.publish.stampfont import GlyphSource

from conftest import REPO, VALID, run

EDITION = "demo/public/en/demo-public-en.pdf"
OFFICIALS = "demo/officials/en/demo-officials-en.pdf"
HINT = "(nothing was issued; restore the ledger from its backup)"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/data/valid with its English PDFs built (officials and public)."""
    root = tmp_path_factory.mktemp("built") / "project"
    shutil.copytree(VALID, root)
    result = run("build", "--lang", "en", "--format", "pdf", "-j", "1", "-q", project=root)
    assert result.exit_code == 0, result.stderr
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A copy of the built project, to change."""
    root = tmp_path / "project"
    shutil.copytree(built, root, symlinks=True)
    return root


def recipients(tmp_path: Path, text: str = "name,organisation,email\n"
               "Hong Gil-dong,MOFA,hong@example.org\n") -> Path:
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    return path


def issue(project: Path, csv: Path, *more: str, pdf: str = EDITION) -> object:
    return run("issue", str(project / "build" / pdf) if not pdf.startswith("/") else pdf,
               "--recipients", str(csv), *more, project=project)


# -- M1: the PDF must be the one the content makes, not one a manifest lists -------------------

def test_a_pdf_the_content_does_not_make_is_refused_though_a_manifest_lists_it(
        project: Path, tmp_path: Path) -> None:
    """The attack a08: another tree's officials PDF (its text avoiding public's forbidden
    phrase) beside a manifest listing it as the public edition, with the real entry's key and
    inputs and its own sha256; then the real public PDF, which is issued."""
    other = tmp_path / "other"
    shutil.copytree(VALID, other)
    brief = other / "content" / "briefs" / "demo" / "brief.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace("secret annex",
                                                               "sealed appendix"),
                     encoding="utf-8")
    result = run("build", "--audience", "officials", "--lang", "en", "--format", "pdf", "-j",
                 "1", "-q", project=other)
    assert result.exit_code == 0, result.stderr
    forged = project / "forged" / EDITION
    forged.parent.mkdir(parents=True)
    shutil.copy(other / "build" / OFFICIALS, forged)
    data = forged.read_bytes()
    manifest = json.loads((project / "build" / "manifest.json").read_text(encoding="utf-8"))
    manifest["artifacts"] = [dict(a, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
                             for a in manifest["artifacts"] if a["path"] == EDITION]
    (project / "forged" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    csv = recipients(tmp_path)
    ledger = tmp_path / "ledger.json"
    result = issue(project, csv, "--ledger", str(ledger), pdf=str(forged))
    assert result.exit_code == 1
    real = (project / "build" / EDITION).read_bytes()
    made, given = hashlib.sha256(real).hexdigest()[:12], hashlib.sha256(data).hexdigest()[:12]
    assert result.stderr == (
        f"{forged.as_posix()}: is not the PDF the content makes: rendered afresh, {EDITION} "
        f"has the sha256 {made}…, this file {given}…; nothing was issued (give the PDF that "
        "briefgen build wrote from this content)\nbriefgen: 1 error in 1 file\n")
    assert not ledger.exists()
    assert not (project / "forged" / "copies").exists()
    result = issue(project, csv, "--ledger", str(ledger))
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(ledger.read_text(encoding="utf-8"))["copies"]) == 1


def test_an_edition_is_rendered_once_per_issue_not_once_per_copy(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefgen.publish.pdf import PdfRenderer

    renders = []
    original = PdfRenderer.render

    def counting(self: PdfRenderer, *args: object, **kwargs: object) -> object:
        renders.append(1)
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PdfRenderer, "render", counting)
    csv = recipients(tmp_path, "name,organisation\nA,B\nC,D\nE,F\n")
    result = issue(project, csv, "--ledger", str(tmp_path / "l.json"))
    assert result.exit_code == 0, result.stderr
    assert len(renders) == 1


# -- M4: the ledger is checked whole before it is used -----------------------------------------

def entry(serial: str, name: str, sha: str, edition: str = EDITION) -> dict[str, str]:
    stem = Path(edition).stem
    return {"serial": serial, "name": name, "organisation": "Org", "issued":
            "2026-01-01T00:00:00Z", "edition": edition, "edition_sha256": sha,
            "file": f"copies/{Path(edition).parent.as_posix()}/{stem}-{serial}.pdf",
            "sha256": "0" * 64}


def plant(project: Path, *copies: dict[str, str]) -> Path:
    path = project / "releases" / "demo" / "copies.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"format": 1, "brief": "demo", "copies": list(copies)}),
                    encoding="utf-8")
    return path


VALID_SERIAL = "K7M2-Q9XD-" + check_char("K7M2Q9XD")


@pytest.mark.parametrize(("serial", "problems"), [
    (VALID_SERIAL, [f"copies[1]: serial {VALID_SERIAL} is that of copies[0] too"]),
    ("K7M2-Q9XD-4", ['copies[0]: serial "K7M2-Q9XD-4" is not a copy serial (XXXX-XXXX-C, '
                     "Crockford's base 32 and its check character)",
                     'copies[1]: serial "K7M2-Q9XD-4" is not a copy serial (XXXX-XXXX-C, '
                     "Crockford's base 32 and its check character)",
                     "copies[1]: serial K7M2-Q9XD-4 is that of copies[0] too"]),
    ("not-a-serial", ['copies[0]: serial "not-a-serial" is not a copy serial (XXXX-XXXX-C, '
                      "Crockford's base 32 and its check character)",
                      'copies[1]: serial "not-a-serial" is not a copy serial (XXXX-XXXX-C, '
                      "Crockford's base 32 and its check character)",
                      "copies[1]: serial not-a-serial is that of copies[0] too"]),
])
def test_a_planted_ledger_is_refused_whole_and_nothing_written(
        project: Path, tmp_path: Path, serial: str, problems: list[str]) -> None:
    """The attack a16: two recipients given the same serial (valid, with a wrong check
    character, outside the alphabet): no copy of one overwrites the other's."""
    sha = hashlib.sha256((project / "build" / EDITION).read_bytes()).hexdigest()
    ledger = plant(project, entry(serial, "Alice Victim", sha), entry(serial, "Bob Leaker", sha))
    before = ledger.read_bytes()
    csv = recipients(tmp_path, "name,organisation\nAlice Victim,Org\nBob Leaker,Org\n")
    result = issue(project, csv)
    assert result.exit_code == 1
    assert result.stderr == "".join(f"releases/demo/copies.json: {p} {HINT}\n"
                                    for p in problems) + \
        f"briefgen: {len(problems)} error{'s' * (len(problems) > 1)} in 1 file\n"
    assert ledger.read_bytes() == before
    assert not (project / "build" / "copies").exists()


@pytest.mark.parametrize(("change", "problem"), [
    ({"file": "copies/demo/public/en/demo-public-en-0000-0000-0.pdf"},
     'file "copies/demo/public/en/demo-public-en-0000-0000-0.pdf" is not where issue writes '
     f"this copy (copies/demo/public/en/demo-public-en-{VALID_SERIAL}.pdf)"),
    ({"edition": "demo/../../etc/x.pdf"}, 'edition "demo/../../etc/x.pdf" is not the path of '
     "a PDF edition of demo (<brief>/<audience>/<lang>/<file>.pdf)"),
    ({"sha256": "0"}, "sha256 is not a sha256 (64 lower-case hex digits)"),
    ({"issued": "yesterday"}, 'issued "yesterday" is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)'),
    ({"name": "A\u202eB"}, "name holds the character U+202E at position 2"),
    ({"email": "not-an-address"}, "'not-an-address' is not an email address"),
    ({"serial": 7}, None),
])
def test_each_malformed_entry_of_a_ledger_is_named(project: Path, tmp_path: Path,
                                                    change: dict[str, object],
                                                    problem: str | None) -> None:
    sha = hashlib.sha256((project / "build" / EDITION).read_bytes()).hexdigest()
    plant(project, entry(new_serial(), "A", sha), {**entry(VALID_SERIAL, "B", sha), **change})
    result = issue(project, recipients(tmp_path))
    assert result.exit_code == 1
    if problem is None:
        problem = "not a ledger of copies: copies[1].serial: input should be a valid string"
        assert result.stderr.startswith(f"releases/demo/copies.json: {problem} {HINT}\n")
    else:
        assert result.stderr == (f"releases/demo/copies.json: copies[1]: {problem} {HINT}\n"
                                 "briefgen: 1 error in 1 file\n")


def test_trace_names_a_bad_ledger_and_still_reads_the_others(project: Path,
                                                             tmp_path: Path) -> None:
    """One malformed releases/*/copies.json: trace names it (not "nothing was issued"),
    and the serial found in a good ledger is still reported."""
    result = issue(project, recipients(tmp_path))
    assert result.exit_code == 0, result.stderr
    copy = json.loads((project / "releases" / "demo" / "copies.json").read_text())["copies"][0]
    bad = project / "releases" / "other" / "copies.json"
    bad.parent.mkdir()
    bad.write_text("{not json", encoding="utf-8")
    result = run("trace", str(project / "build" / copy["file"]), project=project)
    assert result.exit_code == 1
    assert result.output.startswith(f"{copy['serial']}: Hong Gil-dong (MOFA) "
                                    "<hong@example.org>, copy of ")
    assert result.stderr == (
        f"{bad.as_posix()}: not a readable ledger of copies (Expecting property name enclosed "
        "in double quotes: line 1 column 2 (char 1)) (restore the ledger from its backup, or "
        "give another with --ledger)\nbriefgen: 1 error in 1 file\n")


# -- M5: the ledger is never written where a link leads it -------------------------------------

def test_a_releases_folder_linked_into_the_build_is_refused(project: Path,
                                                            tmp_path: Path) -> None:
    """The attack a09: releases/demo -> ../build/public would put every recipient's name and
    email into the audience's published folder."""
    (project / "releases").mkdir()
    (project / "releases" / "demo").symlink_to("../build/public")
    result = issue(project, recipients(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == (
        "releases/demo/copies.json: releases/demo/ is a symbolic link; the ledger is written "
        "only into the project's own releases/ folder (a ledger names every recipient: keep "
        "it in releases/<brief>/ or, with --ledger, in a private place outside the build)\n"
        "briefgen: 1 error in 1 file\n")
    assert not (project / "build" / "public" / "copies.json").exists()
    assert not (project / "build" / "copies").exists()


@pytest.mark.parametrize("where", ["releases", "file", "given-link", "given-build"])
def test_every_other_way_into_the_build_is_refused(project: Path, tmp_path: Path,
                                                   where: str) -> None:
    more: tuple[str, ...] = ()
    if where == "releases":
        (project / "releases").symlink_to("build")
        shown, message = "releases/demo/copies.json", "releases/ is a symbolic link; the " \
            "ledger is written only into the project's own releases/ folder"
    elif where == "file":
        (project / "releases" / "demo").mkdir(parents=True)
        (project / "releases" / "demo" / "copies.json").symlink_to(
            project / "build" / "public" / "x.json")
        shown, message = "releases/demo/copies.json", "is a symbolic link; a ledger is " \
            "written only as a file of its own"
    elif where == "given-link":
        (tmp_path / "l.json").symlink_to(project / "build" / "public" / "x.json")
        more = ("--ledger", str(tmp_path / "l.json"))
        shown, message = (tmp_path / "l.json").as_posix(), "is a symbolic link; a ledger is " \
            "written only as a file of its own"
    else:
        more = ("--ledger", str(project / "build" / "public" / "copies.json"))
        shown, message = (project / "build" / "public" / "copies.json").as_posix(), \
            "is inside the output folder, whose files are published; a ledger names every " \
            "recipient"
    result = issue(project, recipients(tmp_path), *more)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{shown}: {message} (a ledger names every recipient: ")
    assert not list((project / "build").rglob("*.json"))[1:]  # the manifest only
    assert not (project / "build" / "copies").exists()


def test_trace_reads_no_ledger_a_link_leads_to(project: Path, tmp_path: Path) -> None:
    result = issue(project, recipients(tmp_path))
    assert result.exit_code == 0, result.stderr
    copy = json.loads((project / "releases" / "demo" / "copies.json").read_text())["copies"][0]
    (project / "releases" / "y").mkdir()
    (project / "releases" / "y" / "copies.json").symlink_to("/etc/passwd")
    result = run("trace", str(project / "build" / copy["file"]), project=project)
    assert result.exit_code == 1
    assert result.output.startswith(f"{copy['serial']}: Hong Gil-dong (MOFA)")
    assert result.stderr == (
        "releases/y/copies.json: is, or is reached through, a symbolic link; not read (give "
        "the ledger with --ledger)\nbriefgen: 1 error in 1 file\n")


# -- L3: the recipients file is a regular file, read at most 1 MB ------------------------------

@pytest.mark.parametrize("kind", ["device", "fifo", "large"])
def test_a_recipients_file_that_is_no_file_or_too_large_is_refused(
        project: Path, tmp_path: Path, kind: str) -> None:
    if kind == "device":
        path = Path("/dev/zero")
        message = "is not a regular file"
    elif kind == "fifo":
        path = tmp_path / "fifo.csv"
        os.mkfifo(path)
        message = "is not a regular file"
    else:
        path = tmp_path / "big.csv"
        path.write_bytes(b"name,organisation\n" + b"A,B\n" * 300_000)
        message = "is more than 1048576 bytes"
    result = issue(project, path, "--ledger", str(tmp_path / "l.json"))
    assert result.exit_code == 1
    assert result.stderr == (f"{path.as_posix()}: the recipients file {message}; at most "
                             "1048576 bytes of a regular file are read\n"
                             "briefgen: 1 error in 1 file\n")


# -- M6: the footer's serial is always on the page ----------------------------------------------

def glyph_xs(data: bytes) -> list[tuple[str, float, float, float]]:
    """(character, x0, x1, page width) of every glyph pdfminer lays out."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTContainer

    found = []

    def walk(item: object, width: float) -> None:
        if isinstance(item, LTChar):
            found.append((item.get_text(), item.x0, item.x1, width))
        elif isinstance(item, LTContainer):
            for child in item:
                walk(child, width)

    for layout in extract_pages(io.BytesIO(data)):
        walk(layout, layout.width)
    return found


@pytest.mark.parametrize(("name", "organisation"), [
    ("韓" * 80, "國" * 120), ("W" * 80, "M" * 120), ("韓" * 80, "B"), ("A", "國" * 120)])
@pytest.mark.parametrize("size", [(595.0, 842.0), (612.0, 792.0), (420.0, 595.0)])
def test_the_footer_fits_the_page_and_always_shows_its_serial(
        name: str, organisation: str, size: tuple[float, float]) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=size)
    buffer = io.BytesIO()
    pdf.save(buffer)
    serial = new_serial()
    data = stamp(buffer.getvalue(), Stamp(serial, name, organisation), GlyphSource("ko"))
    text = page_text(data)
    assert f"№ {serial} · " in text
    footer = next(line for line in text.splitlines() if "№" in line)
    serial_part, *parts = footer.split(" · ")
    assert serial_part == f"№ {serial}" and len(parts) == 2
    for shown, whole in zip(parts, (name, organisation), strict=True):
        # whole, or a beginning of it ending with …
        assert shown == whole or (shown.endswith("…") and whole.startswith(shown[:-1])
                                  and len(shown) <= len(whole))
    shortened = parts != [name, organisation]
    assert shortened or len(name) + len(organisation) < 200  # the attack's is always shortened
    xs = [(c, x0, x1, w) for c, x0, x1, w in glyph_xs(data) if c.strip() and c != "\u2060"]
    assert len(xs) >= len(footer.replace(" ", ""))
    for char, x0, x1, width in xs:
        assert MARGIN - 0.01 <= x0 and x1 <= width - MARGIN + 0.01, (char, x0, x1, width)
    if shortened:  # no shorter than it must be: the line spans the room between the margins
        assert max(x1 for _, _, x1, _ in xs) > size[0] - MARGIN - 12


def test_a_long_cjk_recipient_is_issued_with_the_serial_on_every_page(
        project: Path, tmp_path: Path) -> None:
    """The attack a24: 80 x 韓 and 120 x 國 (within the file's limits)."""
    csv = recipients(tmp_path, "name,organisation\n" + "韓" * 80 + "," + "國" * 120 + "\n")
    result = issue(project, csv, "--ledger", str(tmp_path / "l.json"))
    assert result.exit_code == 0, result.stderr
    copy = json.loads((tmp_path / "l.json").read_text(encoding="utf-8"))["copies"][0]
    data = (project / "build" / copy["file"]).read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = len(pdf.pages)
    assert page_text(data).count(f"№ {copy['serial']} · 韓") == pages
    for char, x0, x1, width in glyph_xs(data):
        assert 0 <= x0 and x1 <= width, (char, x0, x1)
    result = run("trace", str(project / "build" / copy["file"]), "--ledger",
                 str(tmp_path / "l.json"), project=project)
    assert result.exit_code == 0, result.stderr
    assert "(found in: metadata, footer, hidden mark)" in result.output


# -- L5: trace's work is bounded ---------------------------------------------------------------

def shared_stream_pdf(pages: int, lines: int = 150, contents: int = 1) -> bytes:
    """The attack a20: pages that all draw one stream of text."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    line = b"(" + b"W" * 100 + b") Tj T* "
    stream = pdf.make_stream(b"BT /F1 4 Tf 5 TL 10 780 Td " + line * lines + b"ET")
    for _ in range(pages):
        page = pdf.add_blank_page()
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.obj.Contents = stream if contents == 1 else pikepdf.Array([stream] * contents)
    out = io.BytesIO()
    pdf.save(out, compress_streams=True)
    return out.getvalue()


@pytest.mark.parametrize(("pages", "lines", "contents", "limits", "what"), [
    (5000, 150, 1, {}, "has 5000 pages"),
    (2, 1, 6000, {}, "its pages draw 12000 content streams"),
    (50, 150, 1, {"MAX_TEXT": 100_000}, "its text is more than 100000 bytes"),
])
def test_trace_refuses_a_pdf_beyond_its_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               pages: int, lines: int, contents: int,
                                               limits: dict[str, int], what: str) -> None:
    for name, value in limits.items():
        monkeypatch.setattr(trace_module, name, value)
    path = tmp_path / "bomb.pdf"
    path.write_bytes(shared_stream_pdf(pages, lines, contents))
    result = run("trace", str(path), "--ledger", str(tmp_path / "l.json"), project=tmp_path)
    assert result.exit_code == 1
    text = trace_module.MAX_TEXT
    assert result.stderr == (
        f"{path.as_posix()}: {what}; not traced (no numbered copy of an edition is this large: "
        f"trace reads at most 1000 pages, 10000 content streams and {text} bytes of text)\n"
        "briefgen: 1 error in 1 file\n")


def test_trace_reads_at_most_its_limit_of_text(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted, not timed: pdftotext's output is read up to MAX_TEXT + 1 bytes and no more."""
    reads: list[int] = []
    real = subprocess.Popen

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            stdout = self.stdout

            class Reader:
                def read(self, n: int = -1) -> bytes:
                    reads.append(n)
                    return stdout.read(n)

                def close(self) -> None:
                    stdout.close()

            self.stdout = Reader()

    monkeypatch.setattr(subprocess, "Popen", Counting)
    monkeypatch.setattr(trace_module, "MAX_TEXT", 50_000)
    from briefgen.errors import BriefError

    with pytest.raises(BriefError) as refused:
        trace_module.bounded_page_text(shared_stream_pdf(900), "bomb.pdf")
    assert [(p.code, p.message) for p in refused.value.problems] == [
        ("BG585", "its text is more than 50000 bytes; not traced")]
    assert reads == [50_001]


# -- L9: the ledger stays out of git commits ---------------------------------------------------

def test_new_brief_adds_the_ledger_rule_to_gitignore_without_clobbering(project: Path) -> None:
    gitignore = project / ".gitignore"
    gitignore.write_text("/build/\n*.log", encoding="utf-8")
    assert run("new", "brief", "energy-outlook", project=project).exit_code == 0
    assert gitignore.read_text(encoding="utf-8") == (
        "/build/\n*.log\n# ledgers of numbered copies name their recipients (briefgen issue)\n"
        f"{IGNORE_RULE}\n")
    assert run("new", "brief", "energy-outlook-2", project=project).exit_code == 0
    assert gitignore.read_text(encoding="utf-8").count(IGNORE_RULE) == 1
    gitignore.unlink()
    assert run("new", "brief", "energy-outlook-3", project=project).exit_code == 0
    assert gitignore.read_text(encoding="utf-8").endswith(f"\n{IGNORE_RULE}\n")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), "-c", "core.fsmonitor=false", *args],
                          capture_output=True, text=True, check=True).stdout


def test_issue_warns_when_git_would_commit_the_ledger(project: Path, tmp_path: Path) -> None:
    """The attack a27: a project in a git repository of its own."""
    git(project, "init", "-q")
    result = issue(project, recipients(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(
        "releases/demo/copies.json: warning: is in a git work tree and no .gitignore rule "
        "ignores it: a commit of its folder would publish every recipient's name (add the "
        f"line {IGNORE_RULE} to the project's .gitignore (briefgen new brief does))\n")
    git(project, "add", "releases")
    assert "releases/demo/copies.json" in git(project, "status", "--short", "releases")
    (project / ".gitignore").write_text(IGNORE_RULE + "\n", encoding="utf-8")
    git(project, "rm", "-q", "--cached", "-r", "releases")
    result = issue(project, recipients(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert "BG586" not in result.stderr and "warning" not in result.stderr
    git(project, "add", "releases")
    assert git(project, "status", "--short", "releases") == ""


@pytest.mark.parametrize(("files", "ignored"), [
    ({".gitignore": "/releases/*/copies.json\n"}, True),
    ({".gitignore": "releases/\n"}, True),
    ({".gitignore": "*.json\n!copies.json\n"}, False),
    ({".gitignore": "copies.json\n"}, True),
    ({".gitignore": "/copies.json\n"}, False),
    ({".gitignore": "**/copies.json\n"}, True),
    ({".gitignore": "releases/*\n!releases/demo/\n"}, False),
    ({"releases/.gitignore": "*/copies.json\n"}, True),
    ({"releases/demo/.gitignore": "copies.*\n"}, True),
    ({".git/info/exclude": "copies.json\n"}, True),
    ({".gitignore": "releases/demo/copies.[jk]son\n"}, True),
    ({".gitignore": "# releases/\n\\#x\n"}, False),
    ({}, False),
])
def test_the_ignore_rules_are_read_as_git_reads_them(tmp_path: Path, files: dict[str, str],
                                                     ignored: bool) -> None:
    """git_unignored agrees with git check-ignore (run here on a repository the test made)."""
    root = tmp_path / "repo"
    ledger = root / "releases" / "demo" / "copies.json"
    ledger.parent.mkdir(parents=True)
    ledger.write_text("{}", encoding="utf-8")
    git(root, "init", "-q")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    checked = subprocess.run(["git", "-C", str(root), "-c", "core.fsmonitor=false",
                              "-c", "core.excludesFile=/dev/null", "check-ignore", "-q",
                              "releases/demo/copies.json"], check=False)
    assert (checked.returncode == 0) == ignored
    assert (git_unignored(ledger) is None) == ignored
    assert git_unignored(tmp_path / "elsewhere" / "copies.json") is None


# -- Minor: look-alike recipients; the documented serial traces ---------------------------------

def test_look_alike_recipients_are_one_recipient(project: Path, tmp_path: Path) -> None:
    csv = recipients(tmp_path, "name,organisation\nHong Gil-dong,MOFA\nx,y\n"
                     "\u0397ong Gil-dong,MOFA\n")
    result = issue(project, csv, "--ledger", str(tmp_path / "l.json"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"{csv.as_posix()}:4:1: \u0397ong Gil-dong (MOFA) looks the same as the recipient on "
        "line 2: no one could tell their copies' stamps apart (write each name as the person "
        "writes it, in one script)\nbriefgen: 1 error in 1 file\n")


def test_the_documented_serial_is_valid_and_traces(tmp_path: Path) -> None:
    """docs/editing.md's `echo "№ K7M2-Q9XD-K" | briefgen trace -`: the serial is read (a
    ledger naming it gives exit 0), where an invalid one would say no serial was found."""
    from click.testing import CliRunner

    from briefgen.cli import main

    docs = (REPO / "docs" / "editing.md").read_text(encoding="utf-8")
    command = f'echo "№ {VALID_SERIAL}" | briefgen trace -'
    assert command in docs
    sha = "1" * 64
    ledger = tmp_path / "l.json"
    ledger.write_text(json.dumps({"format": 1, "brief": "demo", "copies": [
        entry(VALID_SERIAL, "Hong Gil-dong", sha)]}), encoding="utf-8")
    result = CliRunner().invoke(main, ["trace", "-", "--ledger", str(ledger), "--project",
                                       str(tmp_path)], input=f"№ {VALID_SERIAL}\n")
    assert result.exit_code == 0, result.stderr
    assert result.output.startswith(f"{VALID_SERIAL}: Hong Gil-dong (Org), copy of {EDITION}")
    assert "K7M2-Q9XD-4" not in docs
