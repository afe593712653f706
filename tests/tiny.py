"""A tiny project for audience-safety tests: audience `pub` (en, ko) forbids "secret annex";
audience `officials` (en) reads everything meant for it. One brief, one prose section whose
body (and Korean translation) the test chooses."""

from __future__ import annotations

import json
from pathlib import Path

AUDIENCES = {
    "pub": {"name": "Public", "languages": ["en", "ko"],
            "marking": {"en": "Public release", "ko": "공개"},
            "forbidden_phrases": ["secret annex"]},
    "officials": {"name": "Officials", "languages": ["en"],
                  "marking": {"en": "Officials only"}},
}


def _yaml_block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "".join(pad + line if line else "" for line in text.splitlines(True)) \
        + ("\n" if not text.endswith("\n") else "")


def brief_yaml(body: str, title: str = "A tiny brief") -> str:
    return (f"title: {json.dumps(title)}\nseries: Tests\ndate: 2026-11-30\nlanguage: en\n"
            "summary: A small brief.\nauthors:\n  - id: ann\n    name: Ann\n"
            "    affiliation: Test Institute\nsections:\n  - id: main-text\n    type: prose\n"
            "    title: Text\n    body: " + _yaml_block(body, 6))


def translation_yaml(body: str) -> str:
    return ("language: ko\nunits:\n  meta:\n    title: 작은 브리프\n    series: 시험\n"
            "    summary: 작은 브리프.\n  ann:\n    name: 앤\n    affiliation: 시험 연구소\n"
            "  main-text:\n    title: 본문\n    body: " + _yaml_block(body, 6))


def make_project(root: Path, body: str, ko_body: str | None = None) -> Path:
    """Write the project under root; body is the section's Markdown. Returns root."""
    for aid, data in AUDIENCES.items():
        path = root / "content" / "audiences" / f"{aid}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    brief = root / "content" / "briefs" / "tiny"
    brief.mkdir(parents=True, exist_ok=True)
    (brief / "brief.yaml").write_text(brief_yaml(body), encoding="utf-8")
    if ko_body is not None:
        (brief / "translations").mkdir(exist_ok=True)
        (brief / "translations" / "ko.yaml").write_text(translation_yaml(ko_body),
                                                        encoding="utf-8")
    return root


#: The line of brief.yaml on which the section body's first line stands.
BODY_LINE = brief_yaml("x").splitlines().index("      x") + 1
