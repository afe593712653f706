"""The shipped brief, built end to end: what a reader and a distributor receive."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

SLUG = "rok-us-alliance-modernization"
EDITIONS = [("us-government", "en"), ("rok-public", "en"), ("rok-public", "ko"),
            ("beijing-outreach", "en"), ("beijing-outreach", "zh-Hans")]


def artifact(build: Path, audience: str, lang: str, fmt: str) -> Path:
    return build / SLUG / audience / lang / f"{SLUG}-{audience}-{lang}.{fmt}"


def pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(path).pages)


def test_manifest_lists_every_edition_with_correct_hashes(shipped_build: Path) -> None:
    manifest = json.loads((shipped_build / "manifest.json").read_text())
    seen = {(a["audience"], a["language"], a["format"]) for a in manifest["artifacts"]}
    assert seen == {(a, lang, f) for a, lang in EDITIONS for f in ("html", "pdf")}
    for a in manifest["artifacts"]:
        data = (shipped_build / a["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == a["sha256"]


@pytest.mark.parametrize(("audience", "lang"), EDITIONS)
def test_pdf_has_title_opcon_and_pages(shipped_build: Path, audience: str, lang: str) -> None:
    path = artifact(shipped_build, audience, lang, "pdf")
    reader = PdfReader(path)
    assert 3 <= len(reader.pages) <= 12
    text = pdf_text(path)
    assert "OPCON" in text
    title = reader.metadata.title
    assert title and title.split()[0][:4] in text


@pytest.mark.parametrize(("audience", "lang"), EDITIONS)
def test_html_is_self_contained_with_lang_and_main(shipped_build: Path, audience: str,
                                                   lang: str) -> None:
    html = artifact(shipped_build, audience, lang, "html").read_text()
    # the shipped audiences' locale is en-US (U.S. spelling and hyphenation)
    assert f'<html lang="{"en-US" if lang == "en" else lang}">' in html
    assert '<main id="main">' in html
    # no external resource: no src/href to another host, no stylesheet link, no script;
    # links that load nothing (canonical, hreflang alternates) and JSON-LD data only
    loads = re.sub(r'<link rel="(canonical|alternate)"[^>]*>|'
                   r'<script type="application/ld\+json">[^<]*</script>', "", html)
    assert not re.search(r'<(link|script|img|iframe)\b[^>]*(src|href)="(https?:)?//', loads)
    assert "<link" not in loads and "<script" not in loads


def test_pdfinfo_reports_tagged_page_size_and_dates(shipped_build: Path) -> None:
    info = subprocess.run(["pdfinfo", artifact(shipped_build, "us-government", "en", "pdf")],
                          capture_output=True, text=True, check=True).stdout
    assert re.search(r"Tagged:\s+yes", info)
    assert "612 x 792 pts (letter)" in info
    assert "Author:          Lee Sung-hoon" in info
    assert "2026" in re.search(r"CreationDate:.*", info).group(0)  # type: ignore[union-attr]
    a4 = subprocess.run(["pdfinfo", artifact(shipped_build, "rok-public", "en", "pdf")],
                        capture_output=True, text=True, check=True).stdout
    assert re.search(r"595\.2\d* x 841\.89 pts \(A4\)", a4)
