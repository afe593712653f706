"""Message catalogs (templates/messages/<lang>.yaml) and locale-aware dates."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from markupsafe import Markup

from briefgen.content.yamlread import read_yaml
from briefgen.errors import BriefError, Problem
from briefgen.theme import bundled as templates_dir

BABEL_LOCALE = {"en": "en_US", "ko": "ko_KR", "zh-Hans": "zh_Hans_CN"}


@cache
def catalog(lang: str, folder: Path | None = None) -> dict[str, Any]:
    base = (folder or templates_dir()).resolve()
    doc = read_yaml(base / "messages" / f"{lang}.yaml", f"templates/messages/{lang}.yaml",
                    roots=(base,))
    english = read_yaml(base / "messages" / "en.yaml", "templates/messages/en.yaml",
                        roots=(base,)).data
    missing = sorted(set(english) - set(doc.data))
    if missing:
        raise BriefError([Problem(doc.path, 1, 1, f"missing labels: {', '.join(missing)}")])
    return dict(doc.data)


class Messages:
    """The labels of one language, for templates: m.key or m('key', n=3)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._data = catalog(lang)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(key) from None

    def __call__(self, key: str, **values: Any) -> str:
        return str(self._data[key]).format(**values)

    def ordinal(self, n: int) -> str:
        ordinals = self._data["ordinals"]
        return str(ordinals[n - 1]) if n <= len(ordinals) else str(n)

    def css_page_of(self) -> Markup:
        """'Page {page} of {pages}' as a CSS content value with page counters."""
        parts = re.split(r"(\{page\}|\{pages\})", self._data["page_of"])
        out = []
        for part in parts:
            if part == "{page}":
                out.append("counter(page)")
            elif part == "{pages}":
                out.append("counter(pages)")
            elif part:
                out.append('"' + part.replace('"', '\\"') + '"')
        return Markup(" ".join(out))


def long_date(date: dt.date, lang: str) -> str:
    return format_date(date, format="long", locale=BABEL_LOCALE[lang])
