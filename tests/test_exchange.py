"""`briefgen translations export` / `import`: XLIFF 2.1 and PO out, checked and merged back."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from briefgen.content.project import load_project
from briefgen.translate.export import export_files

from conftest import REPO, run

X = "urn:oasis:names:tc:xliff:document:2.0"
NS = {"x": X}
TASK = '''        body: |
          The first task is **hard**[^t1] and [quiet[^t2]]{exclude-audience="officials"} with \
[[plan]].

          - one item
          - two items

          [^t1]: A note.

          [^t2]: Another note.
'''


@pytest.fixture
def xproj(project: Path) -> Path:
    """The test project with an untranslated item full of constructs (task-a)."""
    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text().replace("        body: |\n          The first task.\n",
                                                TASK))
    ko = project / "content/briefs/demo/translations/ko.yaml"
    ko.write_text(re.sub(r"  task-a:\n(    .*\n)+", "", ko.read_text()))
    return project


def export(project: Path, lang: str = "ko", fmt: str = "xliff", *more: str) -> Path:
    out = project / "out"
    result = run("translations", "export", "--lang", lang, "--format", fmt, "--out", str(out),
                 *more, project=project)
    assert result.exit_code == 0, result.output
    return out


def imp(project: Path, *files: Path) -> tuple[int, str]:
    result = run("translations", "import", *map(str, files), project=project)
    return result.exit_code, result.stderr


def tree(path: Path) -> etree._ElementTree:
    return etree.parse(str(path))


def segment(doc: etree._ElementTree, unit: str, seg: str) -> etree._Element:
    found = doc.find(f".//x:unit[@id='{unit}']/x:segment[@id='{seg}']", NS)
    assert found is not None, (unit, seg)
    return found


def set_target(seg: etree._Element, inner: str, state: str = "translated") -> None:
    old = seg.find("x:target", NS)
    if old is not None:
        seg.remove(old)
    seg.append(etree.fromstring(f'<target xmlns="{X}">{inner}</target>'))
    seg.set("state", state)
    seg.attrib.pop("subState", None)


def line_of(path: Path, unit: str, seg: str) -> int:
    lines = path.read_text().split("\n")
    start = next(i for i, ln in enumerate(lines) if f'<unit id="{unit}"' in ln)
    return next(i for i, ln in enumerate(lines[start:], start)
                if f'<segment id="{seg}"' in ln) + 1


def ko_yaml(project: Path) -> Path:
    return project / "content/briefs/demo/translations/ko.yaml"


# -- export ----------------------------------------------------------------------------------


def test_export_is_byte_identical_twice(project: Path) -> None:
    for fmt, suffix in (("xliff", "xlf"), ("po", "po")):
        first = (export(project, "ko", fmt) / f"demo.ko.{suffix}").read_bytes()
        second = (export(project, "ko", fmt) / f"demo.ko.{suffix}").read_bytes()
        assert first == second
        assert b"20" + b"26-" not in first.replace(b"2026-11-26", b"")  # no export date


def test_xliff_is_2_1_with_states_notes_and_codes(xproj: Path) -> None:
    path = export(xproj) / "demo.ko.xlf"
    doc = tree(path)
    root = doc.getroot()
    assert (root.tag, root.get("version"), root.get("srcLang"), root.get("trgLang")) == \
        (f"{{{X}}}xliff", "2.1", "en", "ko")
    assert doc.find("x:file", NS).get("id") == "demo"
    unit = doc.find(".//x:unit[@id='task-a:body']", NS)
    notes = {n.get("category"): n.text for n in unit.iter(f"{{{X}}}note")}
    assert notes["audiences"] == "read by public"
    assert notes["location"] == "content/briefs/demo/brief.yaml:57"
    first = segment(doc, "task-a:body", "1")
    assert first.get("state") == "initial" and first.find("x:target", NS) is None
    ph = {p.get("subType"): p for p in first.iter(f"{{{X}}}ph")}
    assert ph["briefgen:term"].get("disp") == "공동 계획"  # the public audience's ko term
    assert ph["briefgen:term"].get("canDelete") == "no"
    data = {d.get("id"): d.text for d in unit.iter(f"{{{X}}}data")}
    assert data[ph["briefgen:term"].get("dataRef")] == "[[plan]]"
    span = [pc for pc in first.iter(f"{{{X}}}pc") if pc.get("subType") == "briefgen:span"][0]
    assert data[span.get("dataRefEnd")] == ']{exclude-audience="officials"}'
    lines = [p for p in segment(doc, "task-a:body", "2").iter(f"{{{X}}}ph")]
    assert [p.get("canReorder") for p in lines] == ["firstNo", "no", "no"]
    # translated and fresh: state translated with the translation
    title = segment(doc, "background:title", "1")
    assert (title.get("state"), title.find("x:target", NS).text) == ("translated", "배경")
    # nobody reading ko sees the officials-only parts: they are not in the file
    assert "Officials-only" not in path.read_text() and "secret annex" not in path.read_text()


def test_po_entries_and_outside_tools_accept_the_files(xproj: Path) -> None:
    out = export(xproj, "ko", "po")
    export(xproj, "ko", "xliff")
    po = polib.pofile(str(out / "demo.ko.po"))
    assert po.metadata["Language"] == "ko" and po.metadata["X-Briefgen-Brief"] == "demo"
    entry = po.find("task-a/body/1", by="msgctxt")
    assert entry.msgid.startswith("The first task is **hard**[^t1]")
    assert entry.occurrences == [("content/briefs/demo/brief.yaml", "57")]
    assert "read by: public" in entry.comment
    assert 'keep: **…**, [^t1], [^t2], […]{exclude-audience="officials"}, [[plan]]' in \
        entry.comment
    assert "source_hash: f5211f0e3610" in entry.comment
    bindir = Path(sys.executable).parent
    checked = subprocess.run([bindir / "pofilter", out / "demo.ko.po", xproj / "filtered.po"],
                             capture_output=True, text=True)
    assert checked.returncode == 0 and "Traceback" not in checked.stderr, checked.stderr
    # pocount reads PO (its .xlf reader is XLIFF 1.2's); the XLIFF 2 reader reads the .xlf
    counted = subprocess.run([bindir / "pocount", out / "demo.ko.po"],
                             capture_output=True, text=True)
    assert counted.returncode == 0 and "Traceback" not in counted.stderr, counted.stderr
    assert "Total:" in counted.stdout
    from translate.storage import xliff2

    store = xliff2.Xliff2File.parsefile(str(out / "demo.ko.xlf"))
    assert {u.getid() for u in store.units} >= {"background:title::1", "task-a:body::1"}


# -- import: the round trip ------------------------------------------------------------------


def test_import_of_an_untouched_export_changes_nothing(project: Path) -> None:
    before = ko_yaml(project).read_bytes()
    out = export(project, "ko", "xliff")
    export(project, "ko", "po")
    code, err = imp(project, out / "demo.ko.xlf", out / "demo.ko.po")
    assert code == 0, err
    assert "imported 0 unit(s)" in err
    assert ko_yaml(project).read_bytes() == before


def test_placeholders_survive_and_a_new_unit_lands_in_source_order(xproj: Path) -> None:
    path = export(xproj) / "demo.ko.xlf"
    doc = tree(path)
    first = segment(doc, "task-a:body", "1")
    source = first.find("x:source", NS)
    inner = etree.tostring(source, encoding="unicode")
    inner = inner[inner.index(">") + 1:inner.rindex("<")]
    inner = inner.replace("The first task is ", "첫 과제는 ").replace(" and ", " 그리고 ") \
        .replace("quiet", "조용히").replace(" with ", " ").replace("hard", "어렵다")
    set_target(first, inner)
    for n, text in (("2", None), ("3", "주석."), ("4", "다른 주석.")):
        seg = segment(doc, "task-a:body", n)
        src = etree.tostring(seg.find("x:source", NS), encoding="unicode")
        body = src[src.index(">") + 1:src.rindex("<")]
        body = body.replace("one item", "하나").replace("two items", "둘") if text is None \
            else body.replace("A note." if n == "3" else "Another note.", text)
        set_target(seg, body)
    set_target(segment(doc, "task-a:title", "1"), "첫 과제")
    doc.write(str(path), xml_declaration=True, encoding="UTF-8")
    code, err = imp(xproj, path)
    assert code == 0, err
    assert "imported 1 unit(s)" in err
    text = ko_yaml(xproj).read_text()
    assert ('  task-a:\n    source_hash: "f5211f0e3610"\n    title: 첫 과제\n    body: |\n'
            '      첫 과제는 **어렵다**[^t1] 그리고 [조용히[^t2]]{exclude-audience="officials"} '
            '[[plan]].\n\n      - 하나\n      - 둘\n\n      [^t1]: 주석.\n\n'
            '      [^t2]: 다른 주석.\n') in text
    # in source order: after outlook, before issues
    assert text.index("  outlook:") < text.index("  task-a:") < text.index("  issues:")


def test_round_trip_on_the_shipped_project(tmp_path: Path) -> None:
    """ko by XLIFF (translate-toolkit's reader and writer), zh-Hans by PO (polib): both
    imported, built, shown in the editions, and check --strict is clean."""
    from translate.storage import xliff2

    proj = tmp_path / "shipped"
    shutil.copytree(REPO / "content", proj / "content")
    shutil.copytree(REPO / "templates", proj / "templates")
    ko = export(proj, "ko", "xliff") / "rok-us-alliance-modernization.ko.xlf"
    zh = export(proj, "zh-Hans", "po") / "rok-us-alliance-modernization.zh-Hans.po"
    store = xliff2.Xliff2File.parsefile(str(ko))
    unit = next(u for u in store.units if u.getid() == "introduction:title::1")
    unit.target = "두 의제와 하나의 이름"
    unit.marktranslated()
    store.save()
    po = polib.pofile(str(zh))
    entry = po.find("introduction/title/1", by="msgctxt")
    entry.msgstr = "两份议程，同一个名字"
    po.save()
    bindir = Path(sys.executable).parent
    for tool in ("pofilter", "pocount"):
        args = [bindir / tool, zh] + ([tmp_path / "f.po"] if tool == "pofilter" else [])
        done = subprocess.run(args, capture_output=True, text=True)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    code, err = imp(proj, ko, zh)
    assert code == 0, err
    assert "imported 2 unit(s)" in err
    out = tmp_path / "build"
    built = run("build", "--format", "html", "--out", str(out), "-q", project=proj)
    assert built.exit_code == 0, built.output
    slug = "rok-us-alliance-modernization"
    ko_page = out / slug / "rok-public/ko" / f"{slug}-rok-public-ko.html"
    zh_page = out / slug / "beijing-outreach/zh-Hans" / f"{slug}-beijing-outreach-zh-Hans.html"
    assert "두 의제와 하나의 이름" in ko_page.read_text()
    assert "两份议程，同一个名字" in zh_page.read_text()
    checked = run("check", "--strict", project=proj)
    assert checked.exit_code == 0, checked.output


# -- import: refusals ------------------------------------------------------------------------


def _refused(project: Path, path: Path, message: str) -> None:
    before = ko_yaml(project).read_bytes()
    code, err = imp(project, path)
    assert code == 1
    assert message in err, err
    assert ko_yaml(project).read_bytes() == before


def _xliff_case(xproj: Path, inner: str, message_for: str, seg: str = "1") -> None:
    path = export(xproj) / "demo.ko.xlf"
    doc = tree(path)
    set_target(segment(doc, "task-a:body", seg), inner)
    for n in ("1", "2", "3", "4"):
        s = segment(doc, "task-a:body", n)
        if s.find("x:target", NS) is None:
            body = etree.tostring(s.find("x:source", NS), encoding="unicode")
            set_target(s, body[body.index(">") + 1:body.rindex("<")])
    set_target(segment(doc, "task-a:title", "1"), "첫 과제")
    doc.write(str(path), xml_declaration=True, encoding="UTF-8")
    line = line_of(path, "task-a:body", seg)
    _refused(xproj, path, f"out/demo.ko.xlf:{line}:1: task-a/body/{seg}: {message_for}")


HARD = '<pc id="1" dataRefStart="d1" dataRefEnd="d2">어렵다</pc>'
T1 = '<ph id="2" dataRef="d3"/>'
SPAN = '<pc id="3" dataRefStart="d4" dataRefEnd="d5">조용히<ph id="4" dataRef="d6"/></pc>'
PLAN = '<ph id="5" dataRef="d7"/>'


@pytest.mark.parametrize("inner,message", [
    (f"과제는 {HARD} 그리고 {SPAN} {PLAN}.",
     "the placeholder '[^t1]' is missing from the translation"),
    (f"과제는 {HARD}{T1} 그리고 {SPAN} {PLAN} {PLAN}.",
     "the placeholder '[[plan]]' appears 2 times in the translation, once in the source"),
    (f'과제는 {HARD}{T1} 그리고 {SPAN} {PLAN} <ph id="99" dataRef="d7"/>.',
     "the translation has a code the source has not: '[[plan]]' (id 99)"),
    (f'과제는 <sc id="1" dataRef="d1"/>어렵다{T1} 그리고 {SPAN} {PLAN}.',
     "the code '**' is opened but never closed"),
    (f'과제는 <ec startRef="1" dataRef="d2"/>어렵다<sc id="1" dataRef="d1"/>{T1} 그리고 '
     f"{SPAN} {PLAN}.", "the code '**' is closed before it is opened"),
    (f'과제는 {HARD}{T1} 그리고 <pc id="3" dataRefStart="d4" dataRefEnd="d5">조용히</pc>'
     '<ph id="4" dataRef="d6"/> ' f"{PLAN}.",
     "'[^t2]' is reordered illegally: it moved out of or into the audience or lang span or "
     "the ':::' block that encloses it in the source"),
    (f"과제는 {HARD}{T1} 그리고 {SPAN} {PLAN} [[opcon]].",
     "the translation has term [[opcon]], which the source has not (Markdown typed as text "
     "becomes syntax)"),
    (f"과제는 {HARD}{T1} 그리고 {SPAN} {PLAN} **강조**.",
     "strong_open ** appears 2 times in the translation, 1 in the source"),
    (f"과제는 {HARD}{T1} 그리고 {SPAN} {PLAN} [^t3].",
     "the translation's Markdown does not parse as the source's: footnote [^t3] has no "
     "definition"),
])
def test_a_broken_xliff_target_is_refused(xproj: Path, inner: str, message: str) -> None:
    _xliff_case(xproj, inner, message)


def test_reordered_line_structure_is_refused(xproj: Path) -> None:
    _xliff_case(xproj, '<ph id="7" dataRef="d9"/><ph id="6" dataRef="d8"/>하나'
                '<ph id="8" dataRef="d10"/>둘', "the line structure (newlines, list and table "
                "markers, ':::' lines) is reordered illegally", seg="2")


def _po_case(project: Path, edit: str, message: str) -> None:
    path = export(project, "ko", "po") / "demo.ko.po"
    po = polib.pofile(str(path))
    entry = po.find("background/body", by="msgctxt")
    if edit == "skeleton":
        span = '[일반 독자용 구절]{audience="public"}'
        entry.msgstr = entry.msgstr.replace(span, "일반 독자용 구절")
    elif edit == "typed":
        entry.msgstr = entry.msgstr.replace("“따옴표”", "**따옴표**")
    elif edit == "tampered":
        entry.msgid = entry.msgid.replace("Quotes", "Quote")
        entry.msgstr += " "
    elif edit == "ghost":
        entry.msgctxt = "ghost/body"
    elif edit == "language":
        po.metadata["Language"] = "fr"
    elif edit == "brief":
        po.metadata["X-Briefgen-Brief"] = "other-brief"
    po.save()
    ctx = "background/title/1" if edit == "tampered" else entry.msgctxt
    _refused(project, path, message.replace("LINE", str(_po_line(path, ctx))))


def _po_line(path: Path, ctx: str) -> int:
    return polib.pofile(str(path)).find(ctx, by="msgctxt").linenum


@pytest.mark.parametrize("edit,message", [
    ("skeleton", "out/demo.ko.po:LINE:1: background/body: the audience skeleton differs from "
     "the source: the translation lacks the source's '[…]{audience=\"public\"}' span"),
    ("typed", "out/demo.ko.po:LINE:1: background/body: the translation has strong_open **, "
     "which the source has not (Markdown typed as text becomes syntax)"),
    ("tampered", "out/demo.ko.po:LINE:1: background: the file's source text does not give the "
     "source_hash it carries (5872930d37c5): it was changed outside a translator's tool"),
    ("ghost", "out/demo.ko.po:LINE:1: ghost/body: no such unit, field or segment in "
     "content/briefs/demo/brief.yaml for ko"),
    ("language", "out/demo.ko.po:1:1: the file translates into 'fr', which no audience of demo "
     "reads in translation"),
    ("brief", "out/demo.ko.po:1:1: the file is for brief 'other-brief', which this project "
     "does not have"),
])
def test_a_broken_po_file_is_refused(project: Path, edit: str, message: str) -> None:
    _po_case(project, edit, message)


def test_fuzzy_and_unconfirmed_entries_are_skipped(project: Path) -> None:
    path = export(project, "ko", "po") / "demo.ko.po"
    po = polib.pofile(str(path))
    entry = po.find("background/title/1", by="msgctxt")
    entry.msgstr = "새 배경"
    entry.flags.append("fuzzy")
    po.save()
    before = ko_yaml(project).read_bytes()
    code, err = imp(project, path)
    assert code == 0, err
    assert "skipped 1 unconfirmed entry" in err
    assert ko_yaml(project).read_bytes() == before


def test_nothing_is_written_if_one_file_is_refused(project: Path) -> None:
    out = export(project, "ko", "po")
    good = out / "demo.ko.po"
    po = polib.pofile(str(good))
    po.find("background/title/1", by="msgctxt").msgstr = "새 배경"
    po.save()
    bad = out / "bad.po"
    bad.write_text(good.read_text().replace('"X-Briefgen-Brief: demo', '"X-Briefgen-Brief: x'))
    before = ko_yaml(project).read_bytes()
    code, err = imp(project, good, bad)
    assert code == 1 and "BG622" not in err and "is for brief 'x'" in err
    assert ko_yaml(project).read_bytes() == before
    code, err = imp(project, good)
    assert code == 0 and "새 배경" in ko_yaml(project).read_text()


def test_unsafe_or_malformed_xml_is_refused(project: Path) -> None:
    bomb = project / "bomb.xlf"
    bomb.write_text('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n'
                    f'<xliff xmlns="{X}" version="2.1"><file id="demo">&a;</file></xliff>\n')
    code, err = imp(project, bomb)
    assert code == 1 and "bomb.xlf: refused: the XML uses DTDForbidden" in err
    broken = project / "broken.xlf"
    broken.write_text(f'<xliff xmlns="{X}" version="2.1">\n<file id="demo">\n</xliff>\n')
    code, err = imp(project, broken)
    assert code == 1 and "broken.xlf:3:3: not well-formed XML: mismatched tag" in err


def test_a_merged_file_that_fails_the_checks_is_refused(project: Path) -> None:
    """What each entry's checks cannot see, check's checks on the merged file do: here the
    leak guard (the public audience's forbidden phrase)."""
    path = export(project, "ko", "po") / "demo.ko.po"
    po = polib.pofile(str(path))
    po.find("background/title/1", by="msgctxt").msgstr = "배경: the secret annex"
    po.save()
    _refused(project, path, "content/briefs/demo/translations/ko.yaml:29:1: after the import: "
             "forbidden phrase 'secret annex' for audience public appears in "
             "demo/public/ko/demo-public-ko.html (HTML)")


def test_a_file_too_large_is_refused(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = export(project, "ko", "po") / "demo.ko.po"
    monkeypatch.setattr("briefgen.translate.returned.MAX_BYTES", 1000)
    _refused(project, path, "out/demo.ko.po: the file is larger than 1,000 bytes")
    (project / "x.po").write_bytes(b"\xff\xfe")
    _refused(project, project / "x.po", "x.po: neither XLIFF nor a UTF-8 PO file")


# -- translation memory and previous source --------------------------------------------------


def test_memory_offers_another_briefs_translation(project: Path) -> None:
    briefs = project / "content/briefs"
    shutil.copytree(briefs / "demo", briefs / "demo-two")
    ko = briefs / "demo-two/translations/ko.yaml"
    ko.write_text(re.sub(r"  background:\n(    .*\n|\n(?=      ))+", "", ko.read_text()))
    out = export(project, "ko", "xliff", "--brief", "demo-two")
    export(project, "ko", "po", "--brief", "demo-two")
    doc = tree(out / "demo-two.ko.xlf")
    title = segment(doc, "background:title", "1")
    assert (title.get("state"), title.get("subState"), title.find("x:target", NS).text) == \
        ("initial", "briefgen:from-memory", "배경")
    notes = [n.text for n in doc.find(".//x:unit[@id='background:title']", NS).iter(
        f"{{{X}}}note")]
    assert "demo translates this source as: 배경" in notes
    entry = polib.pofile(str(out / "demo-two.ko.po")).find("background/title/1", by="msgctxt")
    assert entry.msgstr == "배경" and "fuzzy" in entry.flags
    assert "translation memory: demo translates this source as: 배경" in entry.comment


def test_a_stale_entry_carries_the_previous_source(project: Path) -> None:
    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text().replace("    title: Background\n",
                                               "    title: Background and context\n"))
    proj = load_project(project, allow_incomplete=True)

    def previous(slug: str):  # what translate/history.py answers from git
        return lambda uid, readers, recorded: {"title": "Background"} \
            if uid == "background" else None

    out = project / "out"
    export_files(proj, "ko", ("demo",), "xliff", out, previous)
    export_files(proj, "ko", ("demo",), "po", out, previous)
    doc = tree(out / "demo.ko.xlf")
    seg = segment(doc, "background:title", "1")
    assert (seg.get("state"), seg.get("subState"), seg.find("x:target", NS).text) == \
        ("initial", "briefgen:needs-review", "배경")
    notes = {n.get("category"): n.text for n in doc.find(
        ".//x:unit[@id='background:title']", NS).iter(f"{{{X}}}note")}
    assert notes["previous-source"] == "the source was: Background"
    entry = polib.pofile(str(out / "demo.ko.po")).find("background/title/1", by="msgctxt")
    assert entry.previous_msgid == "Background" and "fuzzy" in entry.flags
    assert entry.msgid == "Background and context" and entry.msgstr == "배경"


def test_a_po_file_that_names_a_path_is_not_read_as_that_path(project: Path) -> None:
    """polib.pofile reads a string as a file name when such a file exists: the import never
    lets a returned file's content choose what is read."""
    secret = project / "secret.po"
    secret.write_text('msgid ""\nmsgstr ""\n"X-Briefgen-Brief: elsewhere\\n"\n')
    sneaky = project / "sneaky.po"
    sneaky.write_text(str(secret))
    code, err = imp(project, sneaky)
    assert code == 1 and "elsewhere" not in err
    assert "sneaky.po:1:1: not a PO file: Syntax error in po file (line 1)" in err


def test_deeply_nested_codes_are_refused(xproj: Path) -> None:
    inner = "<pc id=\"1\" dataRefStart=\"d1\" dataRefEnd=\"d2\">" * 60 + "x" + "</pc>" * 60
    _xliff_case(xproj, inner, "inline codes nested more than 50 deep")


def test_an_import_from_an_older_export_records_the_hash_it_translated(project: Path) -> None:
    """The source changed after the export: the translation is of the old text, so the
    import records the old hash and the unit stays stale (check warns, BG153)."""
    path = export(project, "ko", "po") / "demo.ko.po"
    po = polib.pofile(str(path))
    po.find("background/title/1", by="msgctxt").msgstr = "새 배경"
    po.save()
    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text().replace("    title: Background\n",
                                               "    title: Background and context\n"))
    code, err = imp(project, path)
    assert code == 0, err
    text = ko_yaml(project).read_text()
    assert '  background:\n    source_hash: "5872930d37c5"\n    title: 새 배경\n' in text
    checked = run("check", project=project)
    assert "ko.yaml:27:3: units.background: warning: stale: the en source changed" in checked.output


@given(st.text(alphabet="ab *_`[]()!{}=\"|:-#>^@\\&;\n 1.", max_size=60))
@settings(max_examples=300, deadline=None)
def test_segments_and_pieces_give_back_the_text_exactly(text: str) -> None:
    from briefgen.translate.segments import pieces, split

    cut = split(text)
    assert cut.join(cut.segments) == text
    for seg in cut.segments:
        assert "".join(p.data for p in pieces(seg)) == seg


def test_a_stale_entry_carries_the_previous_source_from_git(project: Path) -> None:
    """translate/history.py finds the committed version the recorded hash was made from."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(project)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "content"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "first"], check=True)
    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text().replace("    title: Background\n",
                                               "    title: Background and context\n"))
    out = export(project, "ko", "xliff")
    export(project, "ko", "po")
    doc = tree(out / "demo.ko.xlf")
    notes = {n.get("category"): n.text for n in doc.find(
        ".//x:unit[@id='background:title']", NS).iter(f"{{{X}}}note")}
    assert notes["previous-source"] == "the source was: Background"
    assert segment(doc, "background:title", "1").get("subState") == "briefgen:needs-review"
    entry = polib.pofile(str(out / "demo.ko.po")).find("background/title/1", by="msgctxt")
    assert (entry.previous_msgid, entry.msgid, entry.msgstr) == \
        ("Background", "Background and context", "배경")
    assert "fuzzy" in entry.flags


# -- import: what an attack on it found ---------------------------------------------------------


@pytest.fixture
def shipped_po(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the shipped project and its Korean PO file, as exported."""
    proj = tmp_path / "shipped"
    shutil.copytree(REPO / "content", proj / "content")
    shutil.copytree(REPO / "templates", proj / "templates")
    return proj, export(proj, "ko", "po") / "rok-us-alliance-modernization.ko.po"


def _shipped_refused(proj: Path, path: Path, message: str) -> None:
    ko = proj / "content/briefs/rok-us-alliance-modernization/translations/ko.yaml"
    before = ko.read_bytes()
    code, err = imp(proj, path)
    assert code == 1, err
    assert message in err, err
    assert ko.read_bytes() == before


def test_a_field_cut_otherwise_cannot_smuggle_a_link_across_entries(
        shipped_po: tuple[Path, Path]) -> None:
    """Each half of `[text](//evil/login)` is text in its own entry; joined, a link the
    source has not. The cut must be briefgen's, and the joined field is compared too."""
    proj, path = shipped_po
    po = polib.pofile(str(path))
    entry = po.find("conclusion/title/1", by="msgctxt")
    words = entry.msgid
    half = len(words) // 2
    first, second = polib.POEntry(**{k: getattr(entry, k) for k in (
        "msgctxt", "msgid", "msgstr", "comment", "occurrences")}), entry
    first.msgid, first.msgstr = words[:half], "결론 [자세히"
    second.msgctxt, second.msgid, second.msgstr = "conclusion/title/2", words[half:], \
        "](//evil.example/login) 보기"
    for e in (first, second):
        e.comment = re.sub(r"layout: .*", 'layout: ["","",""]', e.comment)
    po.insert(po.index(second), first)
    po.save()
    _shipped_refused(proj, path, "conclusion: the file's source text does not give the "
                                 "source_hash it carries")


def test_keywords_are_plain_words(shipped_po: tuple[Path, Path]) -> None:
    proj, path = shipped_po
    po = polib.pofile(str(path))
    entry = po.find("meta/keywords", by="msgctxt")
    entry.msgstr = entry.msgstr.rstrip("\n") + '\n[비밀]{audience="us-government"}\n'
    po.save()
    _shipped_refused(proj, path, "meta/keywords: the keyword '[비밀]{audience=\"us-government\"}' "
                                 "holds Markdown or a character a keyword cannot")


def test_a_leak_only_the_rendered_page_shows_is_refused(shipped_po: tuple[Path, Path]) -> None:
    """'동맹 현대화' (rok-public must not read it) split across a title and the body that
    follows it: no single value holds it, the page does."""
    proj, path = shipped_po
    po = polib.pofile(str(path))
    title = po.find("conclusion/title/1", by="msgctxt")
    body = po.find("conclusion/body/1", by="msgctxt")
    title.msgstr = "결론 동맹"
    body.msgstr = "현대화 " + body.msgstr
    po.save()
    _shipped_refused(proj, path, "after the import: forbidden phrase '동맹 현대화' for audience "
                                 "rok-public appears in")


def test_a_source_the_translator_never_saw_is_refused_with_its_hash(
        shipped_po: tuple[Path, Path]) -> None:
    """The hash is no secret: a file may carry other text and that text's hash."""
    from briefgen.content.readers import fields_hash

    proj, path = shipped_po
    po = polib.pofile(str(path))
    entry = po.find("conclusion/title/1", by="msgctxt")
    entry.msgid = "Conclusion (never shown to the translator)"
    project = load_project(proj)
    unit = project.briefs["rok-us-alliance-modernization"].units["conclusion"]
    digest = fields_hash({**unit.fields_for(project.readers("ko")), "title": entry.msgid})
    for e in po:
        if e.msgctxt.startswith("conclusion/"):
            e.comment = re.sub(r"source_hash: \w+", f"source_hash: {digest}", e.comment)
    entry.msgstr += " "
    po.save()
    _shipped_refused(proj, path, f"conclusion: the file's source (source_hash {digest}) is not "
                                 "this brief's, now or in any commit of it")


def test_a_file_relabelled_with_another_language_is_refused(shipped_po: tuple[Path, Path]
                                                            ) -> None:
    proj, path = shipped_po
    po = polib.pofile(str(path))
    po.metadata["Language"] = "zh-Hans"
    po.save()
    code, err = imp(proj, path)
    assert code == 1
    assert "the translation holds Hangul letters" in err and "which zh-Hans does not use" in err


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_a_character_yaml_reads_as_a_line_break_is_refused(shipped_po: tuple[Path, Path],
                                                            char: str) -> None:
    proj, path = shipped_po
    po = polib.pofile(str(path))
    entry = po.find("conclusion/body/1", by="msgctxt")
    entry.msgstr = entry.msgstr + char + "  # 주석: 값"
    po.save()
    _shipped_refused(proj, path, f"conclusion/body: the translation holds U+{ord(char):04X}, "
                                 "which YAML reads as a line break or cannot hold")
