"""HTML -> PDF bytes with WeasyPrint. The only module that imports weasyprint."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .i18n import templates_dir

FONTS_CONF = templates_dir() / "fonts" / "fonts.conf"
# Fontconfig reads this once, when WeasyPrint first loads it: set it before the import.
os.environ["FONTCONFIG_FILE"] = str(FONTS_CONF)


def _import_weasyprint() -> None:
    """Import WeasyPrint without ctypes' library search.

    WeasyPrint dlopens each library under every platform's name; for each miss cffi asks
    ctypes.util.find_library, which runs ldconfig, gcc and ld (22 times, 0.2 s). The Linux
    sonames it also lists load directly, so the search adds nothing here.
    """
    import ctypes.util

    find = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint  # noqa: F401
    finally:
        ctypes.util.find_library = find


_import_weasyprint()

import weasyprint  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetchingError  # noqa: E402

NOTDEF = re.compile(r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.*)" '
                    r"\(U\+([0-9A-F]+)\)")


class ProjectOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Fetch nothing from the network; read files only inside the allowed folders."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__()
        self.roots = [r.resolve() for r in roots]
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file://"):
            from urllib.parse import unquote, urlsplit
            path = Path(unquote(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots):
                return super().fetch(url, headers)
        self.refused.append(url)
        raise URLFetchingError(f"briefgen does not fetch {url[:80]}")


@dataclass
class PdfResult:
    data: bytes
    pages: int
    missing_glyphs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    metadata: list[str] = field(default_factory=list)  # as written to the PDF's Info/XMP
    bookmarks: list[str] = field(default_factory=list)  # the outline, flattened


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class PdfRenderer:
    """Keeps one FontConfiguration for every document a process renders."""

    def __init__(self, content_root: Path) -> None:
        self.font_config = FontConfiguration()
        self.roots = [content_root, templates_dir()]

    def render(self, html: str, variant: str = "pdf/ua-1") -> PdfResult:
        fetcher = ProjectOnlyFetcher(self.roots)
        handler = _Collect()
        logger = logging.getLogger("weasyprint")
        # Capture WeasyPrint's warnings (missing glyphs, ignored CSS) instead of printing them.
        level, propagate = logger.level, logger.propagate
        logger.setLevel(logging.WARNING)
        logger.propagate = False
        logger.addHandler(handler)
        try:
            doc = weasyprint.HTML(string=html, base_url=str(templates_dir()) + "/",
                                  url_fetcher=fetcher).render(font_config=self.font_config)
            # A stable file identifier: the same HTML always gives the same bytes.
            ident = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
            data = doc.write_pdf(pdf_variant=variant, pdf_identifier=ident,
                                 pdf_tags=True, uncompressed_pdf=False)
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
        missing = []
        warnings = []
        for message in handler.messages:
            if m := NOTDEF.match(message):
                missing.append(f"U+{m.group(2)} \"{m.group(1)}\"")
            else:
                warnings.append(message)
        meta = doc.metadata
        metadata = [meta.title or "", *meta.authors, meta.description or "",
                    *meta.keywords, meta.generator or ""]
        bookmarks: list[str] = []

        def walk(nodes: list[Any]) -> None:
            for label, _target, children, _state in nodes:
                bookmarks.append(label)
                walk(children)

        walk(doc.make_bookmark_tree())
        return PdfResult(data, len(doc.pages), sorted(set(missing)), warnings, fetcher.refused,
                         [m for m in metadata if m], bookmarks)
