"""An audience's locale (#16): `locale: en-US` makes its English editions U.S. English, in
the lang attribute, the PDF's /Lang and the hyphenation dictionary (WeasyPrint hyphenates
by lang: plain "en" gets British rules, "demo-cracy", "crit-ic-al")."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pdfminer.high_level
import pytest
import weasyprint
from pypdf import PdfReader

from briefgen.content.project import load_project
from briefgen.edition.resolve import resolve
from briefgen.errors import BriefError, Problems
from briefgen.publish.html import render_edition

from test_shipped import artifact
from tiny import make_project

#: what makes the edition's paragraphs a narrow column, so that long words break
NARROW = "<style>.section p { width: 3.6em; hyphens: auto; }</style></head>"


def with_locale(root: Path, audience: str, locale: object) -> None:
    path = root / "content" / "audiences" / f"{audience}.yaml"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["locale"] = locale
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def print_page(root: Path, audience: str, lang: str) -> str:
    edition = resolve(load_project(root), "tiny", audience, lang, "print", Problems([]))
    return render_edition(edition)


def lines(page: str) -> list[str]:
    pdf = weasyprint.HTML(string=page.replace("</head>", NARROW, 1)).write_pdf()
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split("\n")


def test_the_locale_sets_the_editions_language_and_its_hyphenation(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Democracy matters.\n", "민주주의.\n")
    plain = print_page(root, "pub", "en")
    assert '<html lang="en">' in plain
    assert "Demo-" in lines(plain)  # British rules
    with_locale(root, "pub", "en-US")
    us = print_page(root, "pub", "en")
    assert '<html lang="en-US">' in us
    assert "Democ-" in lines(us) and "Demo-" not in lines(us)
    assert '<html lang="ko">' in print_page(root, "pub", "ko")  # other languages as they are
    with_locale(root, "pub", "en-GB")
    assert '<html lang="en-GB">' in print_page(root, "pub", "en")


@pytest.mark.parametrize("locale, expected", [
    ("ko-KR", "content/audiences/officials.yaml:9:12: locale: ko-KR is not a locale of a "
     "language the audience reads (en): it is one of them and a region, e.g. en-US "
     "[BG136]"),
    ("en_US", "content/audiences/officials.yaml:9:12: locale: 'en_US' is not a locale: write "
     "a language and a region joined by a hyphen, e.g. en-US [BG136]"),
])
def test_a_locale_of_another_language_or_malformed_is_an_error(tmp_path: Path, locale: str,
                                                                expected: str) -> None:
    root = make_project(tmp_path, "Text.\n")
    with_locale(root, "officials", locale)
    with pytest.raises(BriefError) as exc:
        load_project(root)
    found = [f"{p.path}:{p.line}:{p.col}: {p.field}: {p.message} [{p.code}]"
             for p in exc.value.problems]
    assert len(found) == 1 and found[0].startswith(expected), found


def extracted(pdf: bytes) -> tuple[str, str]:
    """The PDF's text as pdftotext and as pdfminer.six read it."""
    poppler = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                             capture_output=True, check=True).stdout.decode()
    return poppler, pdfminer.high_level.extract_text(io.BytesIO(pdf))


def test_a_hyphenated_word_is_whole_in_the_text_layer(tmp_path: Path) -> None:
    """The hyphen at a line end is U+002D: pdftotext (and viewers' search) join the word
    again; with U+2010, WeasyPrint's default, nothing does ('ef‐\\nfort'). pdfminer.six
    joins no line, whatever ends it: it reads 'Democ-\\nracy', which '-\\n' rejoins."""
    root = make_project(tmp_path, "Democracy matters.\n")
    with_locale(root, "pub", "en-US")
    page = print_page(root, "pub", "en").replace("</head>", NARROW, 1)
    poppler, miner = extracted(weasyprint.HTML(string=page).write_pdf())
    assert "Democracy" in poppler.split() and "\u2010" not in poppler
    assert "Democ-\nracy" in miner and "\u2010" not in miner
    assert "Democracy" in miner.replace("-\n", "").split()


@pytest.mark.parametrize("audience", ["us-government", "rok-public", "beijing-outreach"])
def test_no_shipped_english_pdf_splits_a_word_for_pdftotext(shipped_build: Path,
                                                            audience: str) -> None:
    pdf = artifact(shipped_build, audience, "en", "pdf").read_bytes()
    poppler, miner = extracted(pdf)
    assert "\u2010" not in poppler and "\u2010" not in miner
    # a word pdftotext did not join: a line ending in a hyphen, the next starting lower-case
    lines = poppler.splitlines()
    assert not [(a, b) for a, b in zip(lines, lines[1:], strict=False)
                if re.search(r"[a-z]-$", a) and b[:1].islower()]
    # the hyphenation is there: pdfminer shows the hyphens pdftotext joined
    assert len(re.findall(r"[a-z]-\n[a-z]", miner)) >= 10
