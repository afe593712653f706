"""`briefgen translations glossary` (TBX-Basic and CSV per language pair) and the warning
for a term written out in a translation (BG155)."""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pytest
from lxml import etree

from briefgen.content.project import load_project
from briefgen.content.termwords import written_out
from briefgen.translate.glossary import csv_cell

from conftest import REPO, run

TBX = "{urn:iso:std:iso:30042:ed-2}"
NS = {"t": "urn:iso:std:iso:30042:ed-2"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    dest = tmp_path / "shipped"
    for folder in ("content", "templates"):
        shutil.copytree(REPO / folder, dest / folder, symlinks=True)
    return dest


def _glossary(project: Path, lang: str, fmt: str, out: Path) -> bytes:
    result = run("translations", "glossary", "--lang", lang, "--format", fmt, "--out",
                 str(out), project=project)
    assert result.exit_code == 0, result.stderr
    return (out / f"glossary.en-{lang}.{fmt}").read_bytes()


def _entries(tbx: bytes, target: str) -> list[tuple[str, str | None, list[str], str]]:
    """(source term, target term, audiences, note) of each conceptEntry."""
    root = etree.fromstring(tbx)
    found = []
    for concept in root.iter(f"{TBX}conceptEntry"):
        terms = {sec.get(XML_LANG): sec.findtext(f"{TBX}termSec/{TBX}term")
                 for sec in concept.iter(f"{TBX}langSec")}
        found.append((terms["en"], terms.get(target),
                      [a.text for a in concept.findall(f"{TBX}admin[@type='customerSubset']")],
                      concept.findtext(f"{TBX}note")))
    return found


# -- the entries: one per distinct (source, target) text, naming its audiences -------------


def test_the_shipped_korean_glossary_holds_rok_publics_terms(shipped: Path, tmp_path: Path
                                                              ) -> None:
    entries = _entries(_glossary(shipped, "ko", "tbx", tmp_path / "out"), "ko")
    # rok-public is the only audience reading ko: its overrides, in both languages, are the
    # entries (never the project's "alliance modernization" / "동맹 현대화")
    assert [(s, t, a) for s, t, a, _ in entries] == [
        ("Korea–U.S. alliance", "한미동맹", ["rok-public"]),
        ("defense cost-sharing", "방위비 분담", ["rok-public"]),
        ("upgraded alliance vision", "한미동맹 비전 업그레이드", ["rok-public"]),
        ("wartime operational control (OPCON)", "전시작전통제권(OPCON)", ["rok-public"]),
        ("Korea", "한국", ["rok-public"]),
        ("strategic flexibility", "전략적 유연성", ["rok-public"]),
        ("U.S. Forces Korea (USFK)", "주한미군", ["rok-public"]),
    ]
    assert entries[0][3] == (
        "briefgen term [[alliance]] for rok-public: the translation writes [[alliance]] (or "
        "[[Alliance]] to capitalise), not these words; briefgen prints the term each "
        "audience uses")


def test_an_audience_overriding_a_term_gets_its_own_entry(project: Path, tmp_path: Path
                                                          ) -> None:
    aud = project / "content" / "audiences"
    (aud / "press.yaml").write_text("name: Press\nlanguages: [ko]\nmarking:\n  ko: 보도용\n"
                                    "page_size: a4\nterms:\n  plan:\n    ko: 합동 계획\n"
                                    "forbidden_phrases: []\n")
    (aud / "scholars.yaml").write_text("name: Scholars\nlanguages: [ko]\nmarking:\n"
                                       "  ko: 학자용\npage_size: a4\nforbidden_phrases: []\n")
    entries = _entries(_glossary(project, "ko", "tbx", tmp_path / "out"), "ko")
    assert [(s, t, a) for s, t, a, _ in entries] == [
        ("wartime operational control (OPCON)", "전시작전통제권", ["press", "public", "scholars"]),
        ("the joint plan", "공동 계획", ["public", "scholars"]),
        ("the joint plan", "합동 계획", ["press"]),
    ]


def test_a_term_no_reader_has_a_text_for_is_listed_once_without_a_target(
        project: Path, tmp_path: Path) -> None:
    terms = project / "content" / "terms.yaml"
    terms.write_text(terms.read_text() + "treaty:\n  en: mutual defense treaty\n")
    entries = _entries(_glossary(project, "ko", "tbx", tmp_path / "out"), "ko")
    assert entries[-1] == (
        "mutual defense treaty", None, [],
        "briefgen term [[treaty]]: no audience reading this language has a text for it yet "
        "(add one to content/terms.yaml); the translation writes [[treaty]], not these words")


# -- the TBX: the official schemas, the dialect's rules, the bytes --------------------------


def _official(name: str) -> Path:
    """An official TBX schema file from the folder BRIEFGEN_TBX_SCHEMAS names. No package
    ships them and LTAC's repositories carry no licence, so briefgen cannot vendor them:
    docs/editing.md ("The glossary") says where to get them."""
    folder = os.environ.get("BRIEFGEN_TBX_SCHEMAS")
    if not folder or not (Path(folder) / name).is_file():
        pytest.skip(f"BRIEFGEN_TBX_SCHEMAS does not name a folder holding {name} (LTAC-Global's "
                    "official TBX schemas; see docs/editing.md, The glossary)")
    return Path(folder) / name


def test_the_tbx_validates_against_the_official_core_structure_rng(
        shipped: Path, tmp_path: Path) -> None:
    rng = etree.RelaxNG(etree.parse(str(_official("TBXcoreStructV03.rng"))))
    for lang in ("ko", "zh-Hans"):
        doc = etree.fromstring(_glossary(shipped, lang, "tbx", tmp_path / lang))
        assert rng.validate(doc), rng.error_log
    broken = etree.fromstring(_glossary(shipped, "ko", "tbx", tmp_path / "ko"))
    broken.find(f".//{TBX}termSec").append(etree.Element(f"{TBX}langSec"))
    assert not rng.validate(broken)  # the schema does reject what breaks the structure


SCH = {"s": "http://purl.oclc.org/dsdl/schematron"}


def schematron_failures(schema: Path, doc: etree._Element) -> list[str]:
    """The messages of the asserts of an ISO Schematron schema (queryBinding xslt2, as
    TBX-Basic_DCA.sch is: lxml's Schematron runs XPath 1.0 only) that `doc` fails, each rule's
    context and tests evaluated by elementpath's XPath 2.0. Within a pattern a node is
    checked by the first rule whose context matches it, as Schematron says."""
    from elementpath import XPath2Parser, XPathContext, get_node_tree

    sch = etree.parse(str(schema))
    parser = XPath2Parser(namespaces={n.get("prefix"): n.get("uri")
                                      for n in sch.iterfind("s:ns", SCH)})
    root = get_node_tree(doc)
    failed = []
    for pattern in sch.iterfind("s:pattern", SCH):
        done: set[int] = set()
        for rule in pattern.iterfind("s:rule", SCH):
            nodes = [n for n in parser.parse("//" + rule.get("context", "")).select(
                XPathContext(root)) if id(n) not in done]
            done.update(id(n) for n in nodes)
            for node in nodes:
                for test in rule.iterfind("s:assert", SCH):
                    if not parser.parse(f"boolean({test.get('test')})").evaluate(
                            XPathContext(root, item=node)):
                        failed.append(" ".join((test.text or "").split()))
    return failed


def test_the_tbx_passes_the_official_tbx_basic_dca_schematron(shipped: Path, tmp_path: Path
                                                              ) -> None:
    schema = _official("TBX-Basic_DCA.sch")
    pytest.importorskip("elementpath")
    doc = etree.fromstring(_glossary(shipped, "ko", "tbx", tmp_path / "out"))
    assert schematron_failures(schema, doc) == []
    doc.find(f".//{TBX}admin").set("type", "audience")  # not a TBX-Basic data category
    assert schematron_failures(schema, doc) == [
        "Permitted type value(s): customerSubset, projectSubset, source"]


def test_the_tbx_keeps_the_tbx_basic_dca_dialects_rules(shipped: Path, tmp_path: Path) -> None:
    """The rules of TBX-Basic_DCA.sch a glossary could break, restated in XPath 1.0: this
    runs where the official schemas are absent (see the two tests above)."""
    root = etree.fromstring(_glossary(shipped, "ko", "tbx", tmp_path / "out"))
    assert (root.tag, root.get("type"), root.get("style")) == (f"{TBX}tbx", "TBX-Basic", "dca")
    assert root.get(XML_LANG) == "en"
    assert not root.xpath("//*[namespace-uri() != 'urn:iso:std:iso:30042:ed-2']")
    assert set(root.xpath("//t:admin/@type", namespaces=NS)) == {"customerSubset"}
    assert root.xpath("count(//t:admin[@type='customerSubset'])", namespaces=NS) == 7
    assert not root.xpath("//t:admin[@type='customerSubset'][not(parent::t:conceptEntry or "
                          "parent::t:termSec)]", namespaces=NS)
    assert not root.xpath("//t:*[@type=''] | //t:termNote | //t:descrip", namespaces=NS)
    ids = root.xpath("//t:conceptEntry/@id", namespaces=NS)
    assert len(ids) == len(set(ids)) == 7 and ids[0] == "term-alliance-1"


def test_the_glossary_is_byte_identical_twice(shipped: Path, tmp_path: Path) -> None:
    first = run("translations", "glossary", "--lang", "zh-Hans", "--out", str(tmp_path / "a"),
                project=shipped)
    second = run("translations", "glossary", "--lang", "zh-Hans", "--out", str(tmp_path / "b"),
                 project=shipped)
    assert first.exit_code == second.exit_code == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["glossary.en-zh-Hans.csv", "glossary.en-zh-Hans.tbx"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_the_default_folder_is_build_translations(shipped: Path) -> None:
    result = run("translations", "glossary", "--lang", "ko", project=shipped)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (shipped / "build" / "translations").iterdir()) == [
        "glossary.en-ko.csv", "glossary.en-ko.tbx"]


# -- the CSV: RFC 4180, a CAT tool's columns, no formula -----------------------------------


def test_the_csv_is_rfc4180_and_translate_toolkit_reads_it(project: Path, tmp_path: Path
                                                           ) -> None:
    pytest.importorskip("translate.storage.csvl10n")  # the test extra: translate-toolkit
    from translate.storage import csvl10n

    terms = project / "content" / "terms.yaml"
    terms.write_text(terms.read_text() + 'quote:\n  en: "a \\"quoted\\", comma term"\n'
                     "  ko: 인용, 쉼표\n")
    data = _glossary(project, "ko", "csv", tmp_path / "out")
    assert data.startswith(b"source,target,context,description\r\n")
    assert b'"a ""quoted"", comma term","\xec\x9d\xb8\xec\x9a\xa9, \xec\x89\xbc\xed\x91\x9c",' \
        b"quote (public)," in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[-1][:3] == ['a "quoted", comma term', "인용, 쉼표", "quote (public)"]
    units = csvl10n.csvfile(io.BytesIO(data)).units
    assert [(u.source, u.target, u.getcontext()) for u in units][-1] == (
        'a "quoted", comma term', "인용, 쉼표", "quote (public)")


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+82 2", "-1", "@SUM(A1)",
                                  "\tx", "\rx"])
def test_a_csv_cell_never_starts_a_formula(text: str) -> None:
    assert csv_cell(text) == "'" + text
    assert csv_cell("plain " + text) == "plain " + text


def test_a_term_that_looks_like_a_formula_is_quoted_in_the_csv(project: Path, tmp_path: Path
                                                              ) -> None:
    terms = project / "content" / "terms.yaml"
    terms.write_text(terms.read_text() + "formula:\n  en: \"=1+1\"\n  ko: \"@계산\"\n")
    rows = list(csv.reader(io.StringIO(
        _glossary(project, "ko", "csv", tmp_path / "out").decode(), newline="")))
    assert rows[1][:2] == ["'=1+1", "'@계산"]
    # the TBX carries the exact words
    entries = _entries(_glossary(project, "ko", "tbx", tmp_path / "out"), "ko")
    assert entries[0][:2] == ("=1+1", "@계산")


# -- the command's errors ------------------------------------------------------------------


def test_a_language_no_audience_reads_is_refused(project: Path, tmp_path: Path) -> None:
    result = run("translations", "glossary", "--lang", "ja", "--out", str(tmp_path / "o"),
                 project=project)
    assert result.exit_code == 1
    assert "briefgen: --lang: no audience reads 'ja', so there is no translation to make a " \
        "glossary for (languages the audiences read: en, ko)" in result.stderr
    assert not (tmp_path / "o").exists()


def test_the_briefs_own_language_is_refused(project: Path, tmp_path: Path) -> None:
    result = run("translations", "glossary", "--lang", "en", "--out", str(tmp_path / "o"),
                 project=project)
    assert result.exit_code == 1
    assert "briefgen: --lang: every brief is written in 'en': there is nothing to translate " \
        "into it (give a language the briefs are translated into)" in result.stderr


def test_a_control_character_in_a_term_is_refused_at_its_line(project: Path, tmp_path: Path
                                                                ) -> None:
    # XML cannot carry it: no glossary is written (the file is refused when read, BG114)
    (project / "content" / "audiences" / "public.yaml").write_text(
        (project / "content" / "audiences" / "public.yaml").read_text()
        + 'terms:\n  plan:\n    ko: "계\\x0b획"\n')
    result = run("translations", "glossary", "--lang", "ko", "--out", str(tmp_path / "o"),
                 project=project)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "content/audiences/public.yaml:11:9: character U+000B is not text: no page, feed or "
        "PDF may carry it (remove the escape that writes it)")
    assert not (tmp_path / "o").exists()


# -- BG155: a term's words where the source has [[key]] ------------------------------------


WORDS = {"alliance": {"한미동맹", "ROK–U.S. alliance"},
         "modernization": {"한미동맹 비전 업그레이드", "alliance modernization"},
         "rok": {"한국", "ROK", "Korea"}, "plan": {"the joint plan", "공동 계획"}}


def test_a_term_written_out_is_a_warning_at_its_words(project: Path) -> None:
    ko = project / "content" / "briefs" / "demo" / "translations" / "ko.yaml"
    ko.write_text(ko.read_text().replace("text: 모든 독자가 [[plan]]에 관한",
                                         "text: 모든 독자가 공동 계획에 관한"))
    result = run("check", project=project)
    assert result.exit_code == 0
    assert ("content/briefs/demo/translations/ko.yaml:26:18: units.t-shared.text: warning: "
            "writes out '공동 계획' where the source has [[plan]] (write [[plan]]: briefgen "
            "prints the term each audience uses)") in result.stderr
    assert run("check", "--strict", project=project).exit_code == 1
    codes = [p.code for p in load_project(project).warnings]
    assert codes.count("BG155") == 1


def test_the_source_language_words_are_a_hit_too(project: Path) -> None:
    ko = project / "content" / "briefs" / "demo" / "translations" / "ko.yaml"
    ko.write_text(ko.read_text().replace("[[opcon]]을 언급한다.", "Wartime Operational "
                                         "Control (OPCON)을 언급한다."))
    warnings = [str(p) for p in load_project(project).warnings if p.code == "BG155"]
    assert warnings == ["content/briefs/demo/translations/ko.yaml:11:36: units.meta.summary: "
                        "warning: writes out 'Wartime Operational Control (OPCON)' where the "
                        "source has [[opcon]] (write [[opcon]]: briefgen prints the term each "
                        "audience uses)"]


@pytest.mark.parametrize(("source", "translated", "hits"), [
    # the longer term wins where two overlap; each is reported once
    ("[[modernization]] of the [[alliance]]", "한미동맹 비전 업그레이드",
     [("modernization", "한미동맹 비전 업그레이드", 0)]),
    ("[[alliance]]", "the rok–u.s. ALLIANCE", [("alliance", "rok–u.s. ALLIANCE", 4)]),
    # Hangul: at the start of a word, a particle may follow; not inside a longer word
    ("[[rok]]", "한국의 대한민국", [("rok", "한국", 0)]),
    ("[[rok]]", "대한민국", []),
    # Latin: at word boundaries only, also before a Hangul particle
    ("[[rok]]", "KOREAN Korea의", [("rok", "Korea", 7)]),
    # the translation uses [[key]] as often as the source: nothing to report
    ("[[rok]] and Korea", "[[rok]]과 한국", []),
    # a key the source does not use is never searched
    ("Korea", "한국", []),
    # code spans, URLs, link targets, attributes, [[...]] and ::: lines are not text
    ("[[rok]] [[plan]]", "`한국` https://x.kr/한국 [a](https://한국.kr) [[Korea]] "
     "[x]{audience=\"rok\"}", []),
    ("[[rok]]", "::: audience rok\n:::", []),
])
def test_written_out_matches_words_not_markup(source: str, translated: str,
                                              hits: list[tuple[str, str, int]]) -> None:
    assert [(h.key, h.words, h.offset) for h in written_out(source, translated, WORDS)] == hits


def test_the_shipped_brief_writes_no_term_out(shipped: Path) -> None:
    project = load_project(shipped)
    assert [str(p) for p in project.warnings if p.code == "BG155"] == []
    assert run("check", "--strict", project=shipped).exit_code == 0
