"""Every glyph of a PDF is set in the faces of its own language, in body text, in passages in
another language (`[…]{lang=ko}`) and in the page's margin boxes (running header, marking,
"Page n of N"): each glyph run of every shipped PDF, and of a fixture with Korean, Chinese
and Japanese passages inside English text, mapped to its font (pdfminer.six).

What is right, per character:
- Hangul in a Korean face (Noto … CJK KR), kana in a Japanese one (… CJK JP);
- Han in the face of the language it is written in: in an edition, that of the edition's
  language (SC in Chinese, KR in Korean: hanja, JP in Japanese), in a passage, the
  passage's (a Han character in an English passage of the Chinese edition, e.g. the date
  of a citation, is Chinese: SC);
- Latin letters in the Latin faces (Noto Serif, Noto Sans), except in an edition whose
  catalog puts its CJK face first (Chinese: its full-width quotes and punctuation stay full
  width), where the CJK face's own Latin is right too;
- in the margins, sans-serif faces only.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTContainer, LTItem

from briefgen.edition.i18n import language
from briefgen.theme import Theme

from conftest import VALID, run
from test_shipped import EDITIONS, artifact

REGION = {"ko": "KR", "zh-Hans": "SC", "ja": "JP"}  # Noto CJK's face of each language
MARGIN = 62  # pt: the pages' top and bottom margins are 22 mm; nothing else is set there

Run = tuple[str, str, str]  # (zone: body or margin, font without subset prefix, text)


def script(char: str) -> str | None:
    code = ord(char) if len(char) == 1 else 0
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "Hangul"
    if 0x3040 <= code <= 0x30FF:
        return "Kana"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
        return "Han"
    if char.isascii() and char.isalpha():
        return "Latin"
    return None


def _chars(item: LTItem) -> Iterator[LTChar]:
    if isinstance(item, LTChar):
        yield item
    elif isinstance(item, LTContainer):
        for child in item:
            yield from _chars(child)


def glyph_runs(path: Path) -> list[Run]:
    """The PDF's text as runs of consecutive characters in one font and one zone."""
    runs: list[Run] = []
    for page in extract_pages(path):
        for char in _chars(page):
            zone = "margin" if char.y0 > page.height - MARGIN or char.y1 < MARGIN else "body"
            font = char.fontname.split("+")[-1]
            if runs and runs[-1][:2] == (zone, font):
                runs[-1] = (zone, font, runs[-1][2] + char.get_text())
            else:
                runs.append((zone, font, char.get_text()))
    return runs


def latin_face(font: str) -> bool:
    return font.startswith(("Noto-Serif", "Noto-Sans")) and "CJK" not in font


def wrong_fonts(runs: list[Run], lang: str, han: dict[str, set[str]] | None = None,
                theme: Theme | None = None) -> list[str]:
    """Each character of an edition in `lang` set in a face not of its language. `han`: the
    languages of Han characters written in passages (character -> languages), where the
    edition's is not theirs."""
    cjk_first = "CJK" in (language(lang, theme).serif or ("",))[0]
    wrong = []
    for zone, font, text in runs:
        for char in text:
            kind = script(char)
            if kind is None:
                continue
            if kind == "Hangul":
                right = "CJK-KR" in font
            elif kind == "Kana":
                right = "CJK-JP" in font
            elif kind == "Han":
                right = any(f"CJK-{REGION.get(one, '?')}" in font
                            for one in (han or {}).get(char, {lang}))
            else:
                right = latin_face(font) or (cjk_first and f"CJK-{REGION[lang]}" in font)
            if zone == "margin" and "Serif" in font:
                right = False
            if not right:
                wrong.append(f"{zone} {kind} {char!r} in {font} ({text!r})")
    return wrong


def faces(runs: list[Run]) -> Counter[tuple[str, str, str]]:
    """Runs per (zone, script, font): the measure the report gives."""
    return Counter((zone, kind, font) for zone, font, text in runs
                   for kind in {script(c) for c in text} - {None})


@pytest.mark.parametrize(("audience", "lang"), EDITIONS)
def test_every_glyph_of_a_shipped_pdf_is_in_a_face_of_its_language(
        shipped_build: Path, audience: str, lang: str) -> None:
    runs = glyph_runs(artifact(shipped_build, audience, lang, "pdf"))
    assert wrong_fonts(runs, lang) == []
    counted = faces(runs)
    # not vacuous: the margins and the body are there, in the edition's script
    own = {"en": "Latin", "ko": "Hangul", "zh-Hans": "Han"}[lang]
    assert any(z == "margin" and s == own for z, s, _ in counted), counted
    assert any(z == "body" and s == own for z, s, _ in counted), counted


def test_chinese_running_header_is_in_the_chinese_face(shipped_build: Path) -> None:
    """The header, marking and page numbers of the Chinese edition (the margins listed
    "Noto Sans CJK KR" first: 参与者 had Korean shapes)."""
    runs = glyph_runs(artifact(shipped_build, "beijing-outreach", "zh-Hans", "pdf"))
    margin = {font for zone, font, text in runs
              if zone == "margin" and any(script(c) == "Han" for c in text)}
    assert margin == {"Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold"}


PASSAGES = {"ko": ("서울", "서울의 동맹"), "zh-Hans": ("北京", "北京的同盟"),
            "ja": ("東京タワー", "東京の同盟")}


def test_passages_in_korean_chinese_and_japanese_have_their_own_faces(project: Path) -> None:
    """tests/data/valid with tests/data/fourth-language (Japanese) over it, and passages in
    each of the three languages in an English heading (sans-serif) and body text (serif)."""
    shutil.copytree(VALID.parent / "fourth-language", project, dirs_exist_ok=True)
    brief = project / "content/briefs/demo/brief.yaml"
    (heading_ko, body_ko), (heading_zh, body_zh), (heading_ja, body_ja) = PASSAGES.values()
    brief.write_text(brief.read_text().replace(
        "    title: Background\n    body: |\n",
        f"    title: Background to [{heading_ko}]{{lang=ko}}, [{heading_zh}]{{lang=zh-Hans}} "
        f"and [{heading_ja}]{{lang=ja}}\n    body: |\n"
        f"      In body text: [{body_ko}]{{lang=ko}}, [{body_zh}]{{lang=zh-Hans}}, "
        f"[{body_ja}]{{lang=ja}}.\n\n", 1))
    assert run("build", "-q", "--audience", "public", project=project).exit_code == 0
    theme = Theme.of(project)
    han: dict[str, set[str]] = {}  # 京 and 同盟 are in two languages' passages: either face
    for lang, words in PASSAGES.items():
        for char in "".join(words):
            han.setdefault(char, set()).add(lang)
    english = glyph_runs(project / "build/demo/public/en/demo-public-en.pdf")
    assert wrong_fonts(english, "en", han, theme) == []
    # each passage whole in its own face: serif in body text, sans-serif in the heading
    for lang, (heading, body) in PASSAGES.items():
        for words, style in ((heading, "Sans"), (body, "Serif")):
            assert any(font.startswith(f"Noto-{style}-CJK-{REGION[lang]}")
                       and text.strip() == words for _, font, text in english), (lang, words)
    japanese = glyph_runs(project / "build/demo/public/ja/demo-public-ja.pdf")
    assert wrong_fonts(japanese, "ja", theme=theme) == []
    assert any(zone == "margin" and "CJK-JP" in font for zone, font, _ in japanese)
