"""Korean and Chinese editions: completeness, staleness, localized labels, CJK typesetting."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.edition.i18n import catalog

from conftest import run
from test_shipped import artifact, pdf_text

KO = "content/briefs/demo/translations/ko.yaml"


def test_catalogs_have_every_label() -> None:
    english = catalog("en")
    for lang in ("ko", "zh-Hans"):
        assert set(catalog(lang)) == set(english)


def test_deleting_a_translated_item_fails_check_at_the_source_item(project: Path) -> None:
    path = project / KO
    path.write_text(re.sub(r"  issue-c:\n(?:    .*\n|      .*\n)+", "", path.read_text()))
    result = run("check", project=project)
    assert result.exit_code == 1
    assert result.stderr == (
        "content/briefs/demo/brief.yaml:77:9: issue-c: not translated into ko "
        "(content/briefs/demo/translations/ko.yaml) (`briefgen translations` prints it to "
        "translate)\nbriefgen: 1 error in 1 file\n")
    assert run("build", "--format", "html", project=project).exit_code == 1
    listed = run("translations", project=project)
    assert listed.exit_code == 0
    assert "ko.yaml: issue-c: warning: missing (source content/briefs/demo/brief.yaml:77)" \
        in listed.stderr
    assert "    body: |\n      Everyone too.\n" in listed.stdout


def test_changing_the_source_marks_the_translation_stale(project: Path) -> None:
    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text().replace("The first task.", "The very first task."))
    result = run("check", project=project)
    assert result.exit_code == 0
    assert "units.task-a: warning: stale: the en source changed after this was translated" \
        in result.stderr
    assert run("check", "--strict", project=project).exit_code == 1
    listed = run("translations", "--lang", "ko", project=project)
    assert "task-a: warning: stale" in listed.stderr
    assert "    body: |\n      The very first task.\n" in listed.stdout


def test_units_the_language_never_shows_need_no_translation(project: Path) -> None:
    # issue-a is officials-only and officials read only English: ko.yaml rightly lacks it
    assert "issue-a" not in (project / KO).read_text()
    assert run("check", project=project).exit_code == 0


# -- the shipped Korean and Chinese editions ------------------------------------------------

CJK = {"ko": (re.compile(r"[\uac00-\ud7a3]"), "KR"),
       "zh-Hans": (re.compile(r"[\u4e00-\u9fff]"), "SC")}
EDITIONS = [("rok-public", "ko"), ("beijing-outreach", "zh-Hans")]
ENGLISH_LABELS = ["Key takeaways", "KEY TAKEAWAYS", "Contents", "CONTENTS", "Summary",
                  "About the author", "Sources", "Page 1 of", "Public release",
                  "For dialogue participants", "Published", "Notes"]


@pytest.mark.parametrize(("audience", "lang"), EDITIONS)
def test_cjk_pdf_fonts_script_and_labels(shipped_build: Path, audience: str, lang: str) -> None:
    pdf = artifact(shipped_build, audience, lang, "pdf")
    fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, check=True).stdout
    assert f"-CJK-{CJK[lang][1]}" in fonts
    text = pdf_text(pdf)
    letters = [c for c in text if c.isalpha()]
    native = [c for c in letters if CJK[lang][0].match(c)]
    assert len(native) / len(letters) > 0.8
    for label in ENGLISH_LABELS:
        assert label not in text, label
    assert "\u2060" not in text
    html = artifact(shipped_build, audience, lang, "html").read_text()
    assert f'<html lang="{lang}">' in html


def test_korean_lines_break_only_between_words(shipped_build: Path) -> None:
    pdf = artifact(shipped_build, "rok-public", "ko", "pdf")
    lines = subprocess.run(["pdftotext", "-raw", pdf, "-"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    html = artifact(shipped_build, "rok-public", "ko", "html").read_text()
    words = set(re.findall(r"[\uac00-\ud7a3]+", re.sub(r"<[^>]+>", " ", html)))
    hangul = re.compile(r"[\uac00-\ud7a3]+")
    # a table row and a chart's label stand on lines of their own, not broken from the next
    rows = {" ".join(re.sub(r"<[^>]+>", "", cell) for cell in
                     re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row))
            for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)}
    rows |= set(re.findall(r"<text[^>]*>([^<]*)</text>", html))
    checked = 0
    for first, second in zip(lines, lines[1:], strict=False):
        tail, head = hangul.findall(first[-12:]), hangul.findall(second[:12])
        if not tail or not head or not first.rstrip()[-1:].isalpha() or not second[:1].isalpha():
            continue
        if first.strip() in rows:
            continue
        checked += 1
        assert tail[-1] + head[0] not in words, (first, second)
    assert checked > 20


def test_dates_are_localized(shipped_build: Path) -> None:
    assert "2026년 11월 26일" in artifact(shipped_build, "rok-public", "ko", "html").read_text()
    assert "2026年11月26日" in artifact(shipped_build, "beijing-outreach", "zh-Hans",
                                       "html").read_text()


def test_chinese_lines_do_not_start_with_closing_punctuation(shipped_build: Path) -> None:
    pdf = artifact(shipped_build, "beijing-outreach", "zh-Hans", "pdf")
    lines = subprocess.run(["pdftotext", "-raw", pdf, "-"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    han = [ln for ln in lines if re.search(r"[\u4e00-\u9fff]", ln)]
    assert len(han) > 40
    for line in han:
        assert line.lstrip()[:1] not in "，。、；：！？）》」』”", line


def test_untranslated_sources_carry_their_language(shipped_build: Path) -> None:
    html = artifact(shipped_build, "rok-public", "ko", "html").read_text()
    # the bibliography: the reference's parts in its language, its translated title and
    # what the locale adds (the date) in the edition's (tests/test_lang.py: every text)
    assert '<li><span lang="en">Lee Sung-hoon</span>. ' \
        '<i>[한미동맹의 미래에 관한 정책 브리프]</i>. <span lang="en">Policy brief. ' \
        'Institute for National Security Strategy (INSS)</span>, 2025.' in html
    assert '<span lang="en">Ministry of Foreign Affairs, Republic of Korea</span>. ' \
        '“[제10차 한미 방위비분담특별협정 서명 발표]”. 2019년 3월 8일.' in html


def test_keywords_are_translated_with_the_briefs_meta(project: Path) -> None:
    path = project / KO
    text = path.read_text()
    assert "    keywords: [시험, 브리프]\n" in text
    path.write_text(text.replace("    keywords: [시험, 브리프]\n", ""))
    result = run("check", project=project)
    assert result.exit_code == 1
    assert result.stderr == ("content/briefs/demo/translations/ko.yaml:3:3: units.meta: "
                             "keywords is not translated\nbriefgen: 1 error in 1 file\n")
    path.write_text(text)
    brief = project / "content/briefs/demo/brief.yaml"
    brief.write_text(brief.read_text().replace("keywords: [testing, briefs]",
                                               "keywords: [testing, short briefs]"))
    assert "units.meta: warning: stale" in run("check", project=project).stderr
    listed = run("translations", "--lang", "ko", project=project)
    assert '    keywords: ["testing", "short briefs"]\n' in listed.stdout


def test_a_translated_edition_carries_its_own_keywords(project: Path) -> None:
    out = project / "out"
    assert run("build", "--format", "html", "--out", str(out), project=project).exit_code == 0
    ko = (out / "demo" / "public" / "ko" / "demo-public-ko.html").read_text()
    assert '<meta name="keywords" content="시험, 브리프">' in ko
    en = (out / "demo" / "public" / "en" / "demo-public-en.html").read_text()
    assert '<meta name="keywords" content="testing, briefs">' in en


@pytest.mark.parametrize("audience, lang, words", [
    ("rok-public", "ko", ["한미 관계", "전시작전통제권 전환", "주한미군", "방위비 분담",
                          "확장억제"]),
    ("beijing-outreach", "zh-Hans", ["韩美关系", "战时作战指挥权移交", "驻韩美军", "防务费用分担",
                                     "延伸威慑"]),
])
def test_the_shipped_pdfs_keywords_are_in_their_language(shipped_build: Path, audience: str,
                                                         lang: str, words: list[str]) -> None:
    info = PdfReader(artifact(shipped_build, audience, lang, "pdf")).metadata
    assert info is not None
    assert info["/Keywords"] == ", ".join(words)
    html = artifact(shipped_build, audience, lang, "html").read_text(encoding="utf-8")
    assert f'<meta name="keywords" content="{", ".join(words)}">' in html
