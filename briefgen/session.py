"""The long-lived state of one briefgen process, in one place.

A command makes a Session, loads the project through it and hands it down; `serve` and
`build --watch` keep theirs across rebuilds and call `reset()` when files change. Nothing
else keeps state between calls: importing a briefgen module changes nothing, and no module
holds a cache of its own (pure functions memoised on their arguments aside).

    session = Session(root)
    project = load_project(root, session=session)   # parsed files are remembered here
    ...
    session.reset()                                 # after a save: read everything again
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.theme import Theme

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from briefgen.content.yamlread import Document
    from briefgen.publish.html import Sandbox
    from briefgen.publish.pdf import PdfRenderer


@dataclass
class Session:
    root: Path
    #: parsed YAML by file of the parse cache: (content hash, document)
    documents: dict[Path, tuple[str, Document]] = field(default_factory=dict)
    #: Markdown parsers, built once per kind
    parsers: dict[str, MarkdownIt] = field(default_factory=dict)
    #: message catalogs by (language, theme folders)
    catalogs: dict[tuple[str, tuple[Path, ...]], dict[str, object]] = field(
        default_factory=dict)
    #: template environments by theme folders
    environments: dict[tuple[Path, ...], Sandbox] = field(default_factory=dict)
    #: the PDF renderer of this process (fonts loaded once), and how many PDFs it made
    pdf: PdfRenderer | None = None
    pdf_rendered: int = 0
    pdf_fonts: str = ""  # Theme.fonts_digest() when the renderer was made

    @property
    def theme(self) -> Theme:
        """Looked up again on every use: a project may gain a templates/ folder."""
        return Theme.of(self.root.resolve())

    def keep_pdf_renderer(self, renderer: PdfRenderer) -> PdfRenderer:
        """Make `renderer` the session's, noting the fonts it loaded."""
        self.pdf, self.pdf_rendered, self.pdf_fonts = renderer, 0, self.theme.fonts_digest()
        return renderer

    def reset(self, changed: Collection[Path] | None = None) -> None:
        """Forget what was read from files (after a save). With the paths that `changed`, all
        of them under the project's content/ and none in a theme folder (a project's
        templates/ may be a link into content/), the templates and catalogs stay; without,
        or with any other path, everything goes (`serve` and `build --watch` pass the
        watcher's paths). The PDF renderer stays, with its fonts loaded, unless the theme's
        fonts changed: then the next one loads them."""
        content = Path(os.path.realpath(self.root / "content"))
        themes = [Path(os.path.realpath(f)) for f in self.theme.folders]
        real = [Path(os.path.realpath(p)) for p in changed or ()]
        if not real or not all(p.is_relative_to(content) and
                                not any(p.is_relative_to(t) for t in themes) for p in real):
            self.documents.clear()
            self.catalogs.clear()
            self.environments.clear()
        if self.pdf is not None and self.theme.fonts_digest() != self.pdf_fonts:
            self.pdf = None
            self.pdf_rendered = 0
