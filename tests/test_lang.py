"""Every `lang` in the HTML is true (issue #16: the PDF's /Lang comes from it): each text
is under the language of its script. Hangul under ko, kana under ja, Han under zh, ja or
ko; in a Korean, Chinese or Japanese passage no Latin word but those listed in NEUTRAL;
so no lang="en" element holds Korean or Chinese text either. Checked on every HTML page of
the shipped briefs and of the test project, on the render goldens and the citation
goldens; and the rule that makes citations true: the reference's parts in its language,
what the edition's locale adds (dates, terms) in the edition's."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from briefgen.content.project import load_project
from briefgen.edition import scripts
from briefgen.edition.resolve import resolve
from briefgen.errors import Problems

from conftest import REPO, TESTS, VALID, run
from tiny import BODY_LINE, make_project

#: Latin words a Korean or Chinese passage holds as its own, each with why it is no
#: English text (a Latin word not listed must be in a `[…]{lang=en}` span, or a reference):
NEUTRAL = {
    # initialisms of file formats on the index pages: read letter by letter in any language
    "HTML": "file format", "PDF": "file format",
    # a unit symbol, like km: the same in every language
    "KB": "unit",
    # the English abbreviation after a Korean or Chinese term, 전시작전통제권(OPCON): the
    # way Korean and Chinese policy writing names these; read as letters (or, INDOPACOM,
    # as a name), never as English words; a span on each would switch a reader's voice
    # for two to nine letters
    "OPCON": "abbreviation", "INSS": "abbreviation", "SMA": "abbreviation",
    "ISR": "abbreviation", "INDOPACOM": "abbreviation",
    # this software's name, a coinage: a proper name of no language
    "briefgen": "name",
}
#: languages whose text is in no Latin script (a Latin word in them is checked)
NOT_LATIN = ("ko", "zh", "ja")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: attributes whose text people read (or hear): checked in their element's language
READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
#: meta elements whose content is text about the page (generator, viewport: not)
READ_META = ("description", "keywords", "author")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b10\.\d{4,}/\S+")


def _scripts(text: str) -> set[str]:
    """The scripts of a text's letters, by their Unicode names (independent of the
    character classes briefgen/edition/scripts.py uses)."""
    out = set()
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("HANGUL"):
            out.add("Hangul")
        elif name.startswith(("HIRAGANA", "KATAKANA")):
            out.add("kana")
        elif name.startswith("CJK"):
            out.add("Han")
        elif name.startswith("LATIN"):
            out.add("Latin")
    return out


def _latin_words(text: str) -> list[str]:
    """The runs of two or more Latin letters in a text."""
    marked = "".join(ch if ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN")
                     else " " for ch in text)
    return [w for w in marked.split() if len(w) >= 2]


def wrong(text: str, lang: str) -> list[str]:
    """What in `text` is not in `lang` by its script."""
    primary = lang.split("-")[0].lower()
    found = _scripts(text)
    out = []
    if "Hangul" in found and primary != "ko":
        out.append("Hangul")
    if "kana" in found and primary != "ja":
        out.append("kana")
    if "Han" in found and primary not in NOT_LATIN:
        out.append("Han")
    if primary in NOT_LATIN:
        words = [w for w in _latin_words(_URL.sub(" ", text)) if w not in NEUTRAL]
        if words:
            out.append("Latin: " + " ".join(words))
    return out


def _lang(el: object) -> str:
    while el is not None:
        for key in ("lang", XML_LANG):
            value = el.get(key)  # type: ignore[attr-defined]
            if value is not None:
                return str(value)
        el = el.getparent()  # type: ignore[attr-defined]
    return ""


def findings(page: str, name: str) -> list[str]:
    """Each text of an HTML page (text, tails, read attributes) not in the language it is
    under, as 'name: <element> [lang]: what: text'."""
    root = lxml_html.fromstring(page)
    out = []

    def check(text: str | None, el: object, where: str) -> None:
        if text and text.strip():
            lang = _lang(el)
            out.extend(f"{name}: <{where}> [{lang}]: {what}: {text.strip()[:70]}"
                       for what in wrong(text, lang))

    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("style", "script"):
            continue
        check(el.text, el, el.tag)
        parent = el.getparent()
        if parent is not None:
            check(el.tail, parent, parent.tag)
        for attr in READ_ATTRIBUTES:
            check(el.get(attr), el, f"{el.tag} {attr}")
        if el.tag == "meta" and el.get("name") in READ_META:
            check(el.get("content"), el, f"meta {el.get('name')}")
    return out


# -- the check, on every page briefgen ships and on the fixtures -------------------------------


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every HTML page of the shipped briefs and the test project (also with a Japanese
    edition, tests/data/fourth-language), the render goldens and the citation goldens (each
    line a note under the edition's language)."""
    out: dict[str, str] = {}
    japanese = tmp_path_factory.mktemp("fourth-language") / "project"
    shutil.copytree(VALID, japanese)
    shutil.copytree(VALID.parent / "fourth-language", japanese, dirs_exist_ok=True)
    for name, project in (("shipped", REPO), ("valid", VALID), ("fourth-language", japanese)):
        folder = tmp_path_factory.mktemp(name) / "build"
        result = run("build", "--format", "html", "--out", str(folder), "-q", project=project)
        assert result.exit_code == 0, result.output
        out.update({f"{name}/{p.relative_to(folder)}": p.read_text(encoding="utf-8")
                    for p in sorted(folder.rglob("*.html"))})
    for golden in sorted((TESTS / "golden").glob("*.html")):
        out[f"golden/{golden.name}"] = golden.read_text(encoding="utf-8")
    for golden in sorted((TESTS / "data" / "citations").glob("golden-*.txt")):
        lang = golden.stem.removeprefix("golden-")
        out[f"citations/{golden.name}"] = f'<html lang="{lang}"><body>' + "".join(
            f"<p>{line.partition(': ')[2]}</p>" for line in
            golden.read_text(encoding="utf-8").splitlines()) + "</body></html>"
    return out


def test_every_text_is_under_the_language_of_its_script(pages: dict[str, str]) -> None:
    """Before the fix, 50 texts: 20 in the shipped ko and zh editions (citations marked
    lang="en" whole, holding 2024년 10월 30일 or 2024年10月30日), 3 in the editors'
    catalogues (an audience's English name inside a ko or zh span), 24 in the citation
    goldens (English references under ko or zh), 3 in the fixtures' ko and ja editions."""
    assert all(any(f"/{lang}/" in name for name in pages) for lang in ("ko", "zh-Hans", "ja"))
    found = [f for name, page in pages.items() for f in findings(page, name)]
    assert not found, "\n".join(found)


def test_the_check_finds_each_kind_of_untrue_language() -> None:
    page = ('<html lang="ko"><body><p>한국어 text here</p><p lang="en">English 2024년</p>'
            '<p lang="en">中文</p><p lang="zh-Hans">中文 and English</p>'
            '<p lang="en">ひらがな</p><img alt="Latin alt" src="x">'
            '<meta name="keywords" content="English keywords">'
            '<p>(OPCON) briefgen https://www.example.org/ 10.1000/xyz123 KB</p>'
            '<p>한국어 <span lang="en">English words</span></p></body></html>')
    assert findings(page, "t") == [
        "t: <p> [ko]: Latin: text here: 한국어 text here",
        "t: <p> [en]: Hangul: English 2024년",
        "t: <p> [en]: Han: 中文",
        "t: <p> [zh-Hans]: Latin: and English: 中文 and English",
        "t: <p> [en]: kana: ひらがな",
        "t: <img alt> [ko]: Latin: Latin alt: Latin alt",
        "t: <meta keywords> [ko]: Latin: English keywords: English keywords"]


# -- citations: each part in its language ------------------------------------------------------

LEE = {"id": "lee-2025", "type": "report", "language": "en",
       "author": [{"family": "Lee", "given": "Minsu"}],
       "title": "policy brief on the future of the alliance",
       "title-glosses": {"ko": "동맹의 미래에 관한 정책 브리프"}, "genre": "Policy brief",
       "publisher": "Institute for National Security Strategy (INSS)",
       "publisher-place": "Seoul", "issued": {"date-parts": [[2025, 3, 8]]},
       "URL": "https://www.inss.re.kr/"}
KIM = {"id": "kim-2024", "type": "book", "language": "ko",
       "author": [{"literal": "김민수"}], "title": "한미동맹의 미래",
       "publisher": "서울대학교출판부", "issued": {"date-parts": [[2024, 11, 4]]}}


def _edition(root: Path, body: str, refs: list[dict[str, object]], lang: str,
             style: str = "") -> object:
    make_project(root, body, body)
    (root / "content/briefs/tiny/references.json").write_text(
        json.dumps(refs, ensure_ascii=False), encoding="utf-8")
    if style:
        brief = root / "content/briefs/tiny/brief.yaml"
        brief.write_text(brief.read_text().replace(
            "language: en\n", f"language: en\ncitation_style: {style}\n", 1))
    problems = Problems()
    e = resolve(load_project(root, allow_incomplete=True), "tiny", "pub", lang, "screen",
                problems)
    assert not problems.errors, problems.items
    return e.view()


def test_a_korean_edition_marks_an_english_reference_s_parts_english(tmp_path: Path) -> None:
    view = _edition(tmp_path, "One [@lee-2025, p. 12].", [LEE], "ko")
    assert [n.html for n in view.notes] == [  # type: ignore[attr-defined]
        '<span lang="en">M. Lee</span>, <i><span lang="en">Policy Brief on the Future of the '
        'Alliance</span> [동맹의 미래에 관한 정책 브리프]</i>, <span lang="en">Policy brief '
        '(Institute for National Security Strategy (INSS)</span>, 2025), 12, '
        '<a href="https://www.inss.re.kr/">https://www.inss.re.kr/</a>.']


def test_an_english_edition_marks_a_korean_reference_s_parts_korean(tmp_path: Path) -> None:
    view = _edition(tmp_path, "One [@kim-2024].", [KIM], "en")
    html = view.notes[0].html  # type: ignore[attr-defined]
    assert html == ('<span lang="ko">김민수</span>, <i><span lang="ko">한미동맹의 미래</span></i> '
                    '(<span lang="ko">서울대학교출판부</span>, 2024).')


def test_initials_and_sorting_do_not_move_the_marks(tmp_path: Path) -> None:
    """A style that initialises given names (APA) and sorts the bibliography: the marks are
    found in citeproc's finished text, so neither changes them."""
    view = _edition(tmp_path, "One [@lee-2025]. Two [@kim-2024].", [LEE, KIM], "ko",
                    style="apa")
    entries = [e.html for e in view.bibliography]  # type: ignore[attr-defined]
    page = '<html lang="ko"><body>' + "".join(f"<p>{e}</p>" for e in entries) + "</body>"
    assert findings(page, "apa") == []
    assert entries == [
        '<span lang="en">Lee, M.</span> (2025). <i><span lang="en">policy brief on the '
        'future of the alliance</span> [동맹의 미래에 관한 정책 브리프]</i> [<span lang="en">'
        'Policy brief</span>]. <span lang="en">Institute for National Security Strategy '
        '(INSS)</span>. <a href="https://www.inss.re.kr/">https://www.inss.re.kr/</a>',
        '김민수. (2024). <i>한미동맹의 미래</i>. 서울대학교출판부.']


def test_a_reference_without_a_language_is_in_the_brief_s(tmp_path: Path) -> None:
    view = _edition(tmp_path, "One [@lee-2025].",
                    [{k: v for k, v in LEE.items() if k != "language"}], "ko")
    assert view.notes[0].html.startswith(  # type: ignore[attr-defined]
        '<span lang="en">M. Lee</span>, ')


def test_a_reference_in_another_language_of_the_same_script_is_marked_whole(
        tmp_path: Path) -> None:
    """A French reference in an English edition: its parts cannot be told from the locale's
    by their script; the citation is marked French, a translated title English."""
    fr = {"id": "fr-2020", "type": "book", "language": "fr", "author": [{"literal": "Dupont"}],
          "title": "L’alliance", "title-translations": {"en": "The alliance"},
          "issued": {"date-parts": [[2020]]}}
    view = _edition(tmp_path, "One [@fr-2020].", [fr], "en")
    assert view.notes[0].html == (  # type: ignore[attr-defined]
        '<span lang="fr">Dupont, <i><span lang="en">The alliance</span></i> (2020).</span>')


# -- a span's lang is a language tag ------------------------------------------------------------


@pytest.mark.parametrize("value", ["korean", '""', '"en-"', "xx", '"en onclick=x"'])
def test_a_span_lang_that_is_not_a_language_tag_is_an_error_at_its_place(
        tmp_path: Path, value: str) -> None:
    make_project(tmp_path, f"In Seoul, [서울]{{lang={value}}} is the capital.")
    problems = Problems()
    resolve(load_project(tmp_path), "tiny", "pub", "en", "screen", problems)
    shown = value.strip('"')
    assert [f"{p.path}:{p.line}:{p.col}: {p.code}: {p.field}: {p.message} ({p.hint})"
            for p in problems.errors] == [
        f"content/briefs/tiny/brief.yaml:{BODY_LINE}:22: BG217: sections[main-text].body: "
        f"lang '{shown}' is not a language tag (write a BCP 47 tag of a language: en, en-US, "
        "ko, zh-Hans, ja (it becomes the passage's lang, and the PDF's /Lang))"]


@pytest.mark.parametrize("value", ["en", "en-US", "ko", "zh-Hans", "zh-Hant-TW", "ja", "fr"])
def test_a_span_lang_that_is_a_language_tag_is_kept(tmp_path: Path, value: str) -> None:
    make_project(tmp_path, f"In Seoul, [서울]{{lang={value}}} is the capital.")
    problems = Problems()
    e = resolve(load_project(tmp_path), "tiny", "pub", "en", "screen", problems)
    assert not problems.items
    assert f'<span lang="{value}">서울</span>' in e.view().sections[0].body.html  # type: ignore[attr-defined]


# -- the runs of a script (briefgen/edition/scripts.py) -----------------------------------------

_STOP = re.compile("[\ue000-\ue0ff]|https?://\\S+")
#: Latin and Hangul letters, Han, kana, digits, spaces, punctuation, brackets, quotes, a tag
#: mark and the start of a link
_PIECES = st.sampled_from(["a", "Z", "é", "한", "국", "中", "か", "1", " ", ".", ",", "(",
                           ")", "[", "]", "“", "”", "《", "》", "’", "-", "\ue010", "\ue011",
                           "https://x.org/", "D.C.", "U.S."])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join),
       st.sampled_from(["Latn", "Hang", "Hani", "Kana"]))
def test_a_run_holds_its_script_s_letters_and_nothing_of_another(text: str, letters: str
                                                                  ) -> None:
    own = re.compile(f"[{scripts.LETTERS[letters]}]")
    blocked = {i for m in _STOP.finditer(text) for i in range(m.start(), m.end())}
    spans = scripts.runs(text, letters, _STOP)
    covered = set()
    for start, end in spans:
        part = text[start:end]
        assert own.match(part[0]), (text, part)  # it starts at a letter of its script
        assert not any(ch.isalpha() and not own.match(ch) for ch in part), (text, part)
        assert not blocked & set(range(start, end)), (text, part)  # no tag, no link
        for opening, closing in (("(", ")"), ("[", "]"), ("“", "”"), ("《", "》")):
            assert part.count(closing) <= part.count(opening), (text, part)
        covered |= set(range(start, end))
    assert sorted(spans) == spans
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    # every letter of the script outside tags and links is in a run
    assert {i for i, ch in enumerate(text) if own.match(ch) and i not in blocked} <= covered


def test_the_script_of_a_language() -> None:
    assert [scripts.script(lang) for lang in
            ("en", "en-US", "fr", "ko", "ko-KR", "zh", "zh-Hans", "zh-Hant", "ja", "ru", "")] \
        == ["Latn", "Latn", "Latn", "Hang", "Hang", "Hani", "Hani", "Hani", "Kana", "", ""]
