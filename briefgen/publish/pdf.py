"""HTML -> PDF bytes with WeasyPrint. The only module that imports weasyprint, and only when
the first renderer is made: importing this module changes nothing in the process.

Fonts and print assets come from the theme (project's templates/ first, then briefgen's):
fontconfig sees the theme's fonts/fonts.conf (Debian's Noto packages, nothing else on the
machine) and the .ttf/.otf files of every theme folder's fonts/, so a font put in a project's
templates/fonts/ is used; a file a stylesheet names (url(img/seal.png)) is the project's copy
if it has one, else briefgen's. A page loads nothing else (ThemeAssetsFetcher): only
stylesheets, fonts and images of the theme's folders, by name and first bytes (ASSET_TYPES),
never a file of content/ (an edition's images are in its HTML, as data: URLs or inline SVG);
a refused URL is in the result (refused), an error for the caller (BG407). A page that asks
WeasyPrint to embed a file is refused before layout (BG305), and a PDF that embeds one
briefgen did not attach says so (foreign, BG370): publish/embedded.py.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import shutil
import sys
import tempfile
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.sax.saxutils import escape

from briefgen.errors import BriefError, Problem
from briefgen.publish import archive, embedded, pdftags, pdfua, xmp
from briefgen.theme import Theme, bundled


def _weasyprint() -> ModuleType:
    """WeasyPrint, imported on first use, without ctypes' library search.

    WeasyPrint dlopens each library under every platform's name; for each miss cffi asks
    ctypes.util.find_library, which runs ldconfig, gcc and ld (22 times, 0.2 s). The Linux
    sonames it also lists load directly, so the search adds nothing here. On import WeasyPrint
    also loads a font configuration to check there are fonts: the theme's, not the machine's
    (which would scan every font installed).
    """
    if (module := sys.modules.get("weasyprint")) is not None:
        pdftags.install(module)
        return module
    import ctypes.util

    find = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    conf = _write_conf(Theme.default())  # WeasyPrint drops this configuration at once
    try:
        with _fontconfig_file(conf):
            import weasyprint  # noqa: F401
    finally:
        ctypes.util.find_library = find
        shutil.rmtree(conf.parent, ignore_errors=True)
    pdftags.install(sys.modules["weasyprint"])
    return sys.modules["weasyprint"]


def font_folders(theme: Theme) -> list[Path]:
    """The theme's fonts/ folders that hold a font file, project's first."""
    return theme.font_folders()


def fonts_conf(theme: Theme) -> str:
    """The fontconfig file a renderer loads: briefgen's fonts.conf and the theme's fonts
    folders. Always briefgen's own: a project's fonts.conf could <include> or <dir> any file
    or folder of the machine, and fontconfig would read it."""
    conf = Theme((bundled(),)).find("fonts/fonts.conf")
    if conf is None:
        raise BriefError([Problem("templates/fonts/fonts.conf", 0, 0,
                                  "the font configuration is missing", code="BG340")])
    dirs = "".join(f"  <dir>{escape(str(d))}</dir>\n" for d in font_folders(theme))
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
            f"<fontconfig>\n  <include>{escape(str(conf))}</include>\n{dirs}</fontconfig>\n")


def _write_conf(theme: Theme) -> Path:
    """fonts_conf(theme) in a file of a new temporary folder (the caller removes it)."""
    path = Path(tempfile.mkdtemp(prefix="briefgen-fonts-"), "fonts.conf")
    path.write_text(fonts_conf(theme), encoding="utf-8")
    return path


@contextmanager
def _fontconfig_file(path: Path) -> Iterator[None]:
    """FONTCONFIG_FILE names path while the block runs: fontconfig reads the variable
    whenever a configuration is loaded (FcInitLoadConfigAndFonts, which WeasyPrint's
    FontConfiguration() calls). The variable is restored after."""
    before = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(path)
    try:
        yield
    finally:
        if before is None:
            del os.environ["FONTCONFIG_FILE"]
        else:
            os.environ["FONTCONFIG_FILE"] = before


# Every footnote on the page that cites it. These are defaults, of the user origin: a
# project's print.css may override them. WeasyPrint reads footnote-policy from the note
# (layout/block.py); `line` carries a citing line that leaves no room for its note to the next
# page, instead of moving the note there alone. The bottom padding, too thin to see, works
# around WeasyPrint 69-70 asking whether the notes overflow their area by comparing two float
# sums, equal by construction, with a bare ">" (layout/__init__.py, _update_footnote_area):
# when rounding tips it, every note goes to the next page, wherever its call is.
NOTE_DEFAULTS_CSS = ("* { footnote-policy: line } "
                     "@page { @footnote { padding-bottom: 0.1pt } }")
REFLOWS = 3  # layouts after the first, at most, to bring notes back to their calls' pages
NOTDEF = re.compile(r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.*)" '
                    r"\(U\+([0-9A-F]+)\)")


@lru_cache(maxsize=1)
def _note_defaults() -> Any:
    return _weasyprint().CSS(string=NOTE_DEFAULTS_CSS)


def __getattr__(name: str) -> Any:
    """NOTE_DEFAULTS, the footnote defaults as a weasyprint.CSS, made on first use."""
    if name == "NOTE_DEFAULTS":
        return _note_defaults()
    raise AttributeError(name)


#: What a page may load from the theme's folders, by file type: each suffix with the bytes a
#: file of it starts with (None: text, UTF-8). Not in the list, never served: templates,
#: catalogs, fonts.conf, YAML, JSON, CSV, CSL or any other file.
ASSET_TYPES: dict[str, tuple[bytes, ...] | None] = {
    ".css": None, ".svg": None, ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",), ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",), ".ttf": (b"\x00\x01\x00\x00", b"true"), ".otf": (b"OTTO",),
    ".ttc": (b"ttcf",), ".otc": (b"ttcf",), ".woff": (b"wOFF",), ".woff2": (b"wOF2",)}
#: the data: URLs a page may load: images and fonts (an edition's images come as these)
DATA_ASSET = re.compile(r"data:(image/|font/|application/(x-)?font-)", re.IGNORECASE)


def is_asset(path: Path) -> bool:
    """Whether a file is, by its name and first bytes, one ASSET_TYPES lists."""
    suffix = path.suffix.lower()
    if suffix not in ASSET_TYPES:
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    magic = ASSET_TYPES[suffix]
    if suffix == ".webp":  # a RIFF file of the WebP kind (not any RIFF: audio, video)
        return head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    if magic is not None:
        return head.startswith(magic)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a character cut at the 4096th byte is fine
        if exc.start < len(head) - 3:
            return False
    return b"\0" not in head


@lru_cache(maxsize=1)
def _fetcher_classes() -> tuple[type[Any], type[Any]]:
    """ThemeAssetsFetcher and OwnFilesFetcher, subclasses of WeasyPrint's URLFetcher
    (defined once it is imported)."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher, URLFetchingError

    class ThemeAssetsFetcher(URLFetcher):  # type: ignore[misc]
        """What a page may load: the theme's stylesheets, fonts and images (ASSET_TYPES), a
        file of a theme folder the theme's (the project's copy first, then briefgen's), and
        data: URLs of images and fonts. Never the network, never a file of the content
        folder (an edition's images are in its HTML already, as data: URLs or inline SVG),
        never any other file. Each refusal is recorded (refused): an error for the caller."""

        def __init__(self, folders: tuple[Path, ...], content: Path, theme: Theme) -> None:
            super().__init__()
            self.folders = [f.resolve() for f in folders]
            self.content = content.resolve()
            self.theme = theme
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if DATA_ASSET.match(url):
                return super().fetch(url, headers)
            parts = urlsplit(url)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(unquote(parts.path)).resolve()
                for folder in self.folders:
                    if path.is_relative_to(folder) and not path.is_file():
                        path = self.theme.find(path.relative_to(folder).as_posix()) or path
                        break
                url = path.as_uri()
                if any(path.is_relative_to(f) for f in self.folders) \
                        and not path.is_relative_to(self.content) and is_asset(path):
                    return super().fetch(url, headers)
            self.refused.append(url)
            raise URLFetchingError(f"briefgen does not fetch {url[:80]}")

    class OwnFilesFetcher(URLFetcher):  # type: ignore[misc]
        """briefgen's own attachments (data: URLs it makes), nothing else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise URLFetchingError(f"briefgen does not fetch {url[:80]}")

    return ThemeAssetsFetcher, OwnFilesFetcher


@dataclass
class PdfResult:
    data: bytes
    pages: int
    missing_glyphs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # URLs the page may not load
    #: files the PDF embeds that briefgen did not attach ("name (where)"): publish/embedded.py
    foreign: list[str] = field(default_factory=list)
    metadata: list[str] = field(default_factory=list)  # as written to the PDF's Info/XMP
    bookmarks: list[str] = field(default_factory=list)  # the outline, flattened
    text: str = ""  # every piece of text laid out on the pages, a line per line box
    # what briefgen's PDF/UA-1 checker finds, for a PDF that declares PDF/UA-1
    accessibility: list[pdfua.Finding] = field(default_factory=list)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class PdfRenderer:
    """Keeps one FontConfiguration for every document a process renders: the theme's fonts,
    loaded when the renderer is made (a font added later needs a new renderer). Without a
    theme, the theme of the project whose content folder content_root is."""

    def __init__(self, content_root: Path, theme: Theme | None = None) -> None:
        self.theme = theme or Theme.of(content_root.resolve().parent)
        _weasyprint()
        from weasyprint.text.fonts import FontConfiguration

        # The file can go once loaded: a configuration whose file is gone counts as up to
        # date (fontconfig's FcConfigUptoDate), and a pool worker may end without cleaning up.
        conf = _write_conf(self.theme)
        try:
            with _fontconfig_file(conf):
                self.font_config = FontConfiguration()
        finally:
            shutil.rmtree(conf.parent, ignore_errors=True)
        self.content_root = content_root
        weakref.finalize(self, _remove_font_folder, self.font_config)

    def _layout(self, source: Any) -> Any:
        return source.render(font_config=self.font_config, stylesheets=[_note_defaults()])

    def render(self, html: str, variant: str = "pdf/ua-1",
               attachments: tuple[archive.Attachment, ...] = ()) -> PdfResult:
        """The PDF of an HTML page in a variant; an archival one (pdf/a-3u) with its
        attachments as associated files (publish/archive.py)."""
        weasyprint = _weasyprint()
        assets, own = _fetcher_classes()
        fetcher = assets(self.theme.folders, self.content_root, self.theme)
        handler = _Collect()
        logger = logging.getLogger("weasyprint")
        # Capture WeasyPrint's warnings (missing glyphs, ignored CSS) instead of printing them.
        level, propagate = logger.level, logger.propagate
        logger.setLevel(logging.WARNING)
        logger.propagate = False
        logger.addHandler(handler)
        try:
            # relative URLs are the theme's files: the fetcher finds each in its folders
            source = weasyprint.HTML(string=html, base_url=str(self.theme.folders[0]) + "/",
                                     url_fetcher=fetcher)
            if found := embedded.asks(source.etree_element):  # as WeasyPrint parsed the page
                raise BriefError([Problem("templates", 0, 0, "a page may not ask for a file "
                                          f"attachment: {found[0]}", hint=embedded.HINT,
                                          code="BG305")])
            doc = self._layout(source)
            off = notes_off_their_page(doc)
            seen = len(handler.messages), len(fetcher.refused)
            moved: set[Any] = set()
            for _ in range(REFLOWS):
                if not off or not keep_notes_with_calls(doc, off, moved):
                    break
                again = self._layout(source)
                # The same HTML again: keep the first layout's warnings, not their repeats.
                del handler.messages[seen[0]:], fetcher.refused[seen[1]:]
                off_again = notes_off_their_page(again)
                if len(off_again) >= len(off):
                    break  # no better: keep the layout we have
                doc, off = again, off_again
            # A stable file identifier: the same HTML always gives the same bytes.
            ident = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
            files = [weasyprint.Attachment(
                url=f"data:{a.mime};base64,{base64.b64encode(a.data).decode()}",
                url_fetcher=own(), name=a.name, description=a.description,
                created=archive.moment(a.date), modified=archive.moment(a.date),
                relationship="Source") for a in attachments]
            data = doc.write_pdf(pdf_variant=variant, pdf_identifier=ident,
                                 pdf_tags=True, uncompressed_pdf=False, attachments=files)
            data = xmp.describe(data, doc.metadata.lang, doc.metadata.created,
                                doc.metadata.custom)  # dc:language, dc:publisher, PRISM…
            if variant == archive.ARCHIVAL:
                data = archive.conform(data)
            foreign = [f"{f.name or 'a file'} ({f.where})" for f in
                       embedded.foreign(data, [(a.name, a.data) for a in attachments])]
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
        for call, cited, printed in off:
            warnings.append(f"footnote {call} is cited on page {cited} but printed on "
                            + (f"page {printed}" if printed else "no page"))
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
                         foreign, [m for m in metadata if m], bookmarks, laid_out_text(doc),
                         pdfua.check(data) if variant == "pdf/ua-1" else [])


def _remove_font_folder(font_config: Any) -> None:
    """Remove the folder WeasyPrint keeps @font-face fonts in, when the renderer goes or at
    exit. WeasyPrint does it in FontConfiguration.__del__, which may run only once shutdown
    has emptied its module (after a refused @font-face: the error's traceback keeps the
    configuration alive), and then prints "Exception ignored … TypeError"."""
    folder, font_config._folder = font_config._folder, None
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


def laid_out_text(doc: Any) -> str:
    """The text WeasyPrint placed on the pages (body, footnotes, headers and footers, list
    markers, generated content), one line per line box. The guard checks it as well as what
    pdftotext reads from the written bytes (pdftext.pdf_surfaces): this one has every piece
    of text whole, hidden text included (a false alarm at worst), whatever order the text
    layer gives. The text of an inline SVG drawing (a figure's, a chart's) is drawn by
    WeasyPrint's SVG renderer, not laid out in line boxes: each of its <text> elements is a
    line here."""
    from weasyprint.formatting_structure.boxes import LineBox, ReplacedBox, TextBox

    lines: list[str] = []
    for page in doc.pages:
        for box in page._page_box.descendants(placeholders=True):
            if isinstance(box, LineBox):
                lines.append("".join(b.text for b in box.descendants(placeholders=True)
                                     if isinstance(b, TextBox)))
            elif isinstance(box, ReplacedBox) and _local(getattr(box.element, "tag", "")) \
                    == "svg":
                lines += ["".join(el.itertext()) for el in box.element.iter()
                          if _local(el.tag) == "text"]
    return "\n".join(lines)


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def notes_off_their_page(doc: Any) -> list[tuple[str, int, int]]:
    """(call, page of the call, page of the note or 0) for every footnote printed on another
    page than its call; pages count from 1."""
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox, TextBox

    cited: dict[Any, tuple[str, int]] = {}
    printed: dict[Any, int] = {}
    for number, page in enumerate(doc.pages, 1):
        body, *areas = page._page_box.children
        for box in body.descendants():
            if box.footnote is not None:
                call = "".join(b.text for b in box.descendants() if isinstance(b, TextBox))
                cited.setdefault(box.footnote.element, (call, number))
        for area in areas:
            if isinstance(area, FootnoteAreaBox):
                for note in area.children:
                    printed.setdefault(note.element, number)
    return [(call, page, printed.get(note, 0)) for note, (call, page) in cited.items()
            if printed.get(note) != page]


def keep_notes_with_calls(doc: Any, off: list[tuple[str, int, int]], moved: set[Any]) -> bool:
    """Prepare the next layout of a document whose notes `off` (notes_off_their_page) are
    printed after their calls' pages.

    WeasyPrint moves a page's notes to the next page to fit one more line of a paragraph when
    orphans and widows forbid breaking before that line (layout/block.py, _linebox_layout).
    That paragraph is the first one continued on the next page (headings, kept with what
    follows, aside): one more orphan line moves it there whole instead, and the notes stay.
    Changes the HTML tree that WeasyPrint lays out again, each element once (moved); False
    when there is nothing left to change.
    """
    changed = False
    for _call, page, _printed in off:
        if page >= len(doc.pages):
            continue
        block = next((b for b in _line_blocks(doc.pages[page]._page_box.children[0])
                      if b is not None and b.style["break_after"] not in ("avoid", "avoid-page")),
                     None)
        if block is None or block.element is None or block.element in moved:
            continue
        moved.add(block.element)
        style = [block.element.get("style"), f"orphans: {block.style['orphans'] + 1}"]
        block.element.set("style", "; ".join(s for s in style if s))
        changed = True
    return changed


def _line_blocks(box: Any, block: Any = None) -> Iterator[Any]:
    """The block container of each line box under box, in reading order."""
    from weasyprint.formatting_structure.boxes import BlockContainerBox, LineBox, ParentBox

    if isinstance(box, LineBox):
        yield block
    elif isinstance(box, ParentBox):
        for child in box.children:
            yield from _line_blocks(child, box if isinstance(box, BlockContainerBox) else block)
