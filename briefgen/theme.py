"""The theme: where templates, stylesheets, message catalogs, fonts and print assets come
from. One lookup for all of them: the project's own templates/ folder first (a file there
replaces briefgen's file of the same name), then briefgen's bundled templates.

    theme = Theme.of(project_root)
    theme.find("css/print.css")        # the project's copy if it has one, else briefgen's
    theme.folders                      # (project/templates, bundled) or (bundled,)
    theme.languages()                  # one per messages/<language>.yaml in any folder

A file of the same name replaces briefgen's (templates, stylesheets, fonts/fonts.conf, images a
stylesheet names); a project catalog overrides briefgen's labels one by one
(edition/i18n.py); fonts add up: the PDF sees the .ttf/.otf files of every folder's fonts/
(publish/pdf.py).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import BriefError
from briefgen.paths import confined

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")


def bundled() -> Path:
    """briefgen's own templates: the top-level templates/ of a source checkout, or the copy
    an installed wheel carries inside the package (pyproject's force-include). The only
    place that knows where they live."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "templates", here / "templates"):
        if candidate.is_dir():
            return candidate
    raise BriefError("briefgen's templates folder is missing; reinstall briefgen")


@dataclass(frozen=True)
class Theme:
    """The folders a project's templates and assets are looked up in, in order."""

    folders: tuple[Path, ...]

    @classmethod
    def of(cls, root: Path) -> Theme:
        """The project's own templates/ (overriding single files), then briefgen's."""
        own = root / "templates"
        ours = bundled()
        if own.is_dir() and own.resolve() != ours.resolve():
            return cls((confined(own, (root,), "templates"), ours))
        return cls((ours,))

    @classmethod
    def default(cls) -> Theme:
        return cls((bundled(),))

    def find(self, rel: str) -> Path | None:
        """The first folder's file at rel (a path such as css/print.css), resolved and
        confined to its folder; None if no folder has it."""
        for folder in self.folders:
            if (folder / rel).is_file():
                return confined(folder / rel, (folder,), f"templates/{rel}",
                                label="templates folder")
        return None

    def languages(self) -> tuple[str, ...]:
        """The languages this theme can publish: one per message catalog
        (messages/<language>.yaml) in any of its folders. Adding a language to a project is
        adding its catalog."""
        found = {path.stem for folder in self.folders
                 for path in (folder / "messages").glob("*.yaml")}
        return tuple(sorted(found))

    def font_folders(self) -> list[Path]:
        """The fonts/ folders that hold a font file, project's first, each resolved. Every
        entry must stay in its folder (fontconfig follows links), or nothing is read."""
        found = []
        for folder in self.folders:
            fonts = folder / "fonts"
            if not fonts.is_dir():
                continue
            fonts = confined(fonts, (folder,), "templates/fonts", label="templates folder")
            names = []
            for top, dirs, files in os.walk(fonts):
                for name in [*dirs, *files]:
                    rel = Path(top, name).relative_to(fonts).as_posix()
                    confined(Path(top, name), (fonts,), f"templates/fonts/{rel}",
                             label="templates folder")
                names += files
            if any(Path(n).suffix.lower() in FONT_SUFFIXES for n in names):
                found.append(fonts)
        return found

    def fonts_digest(self) -> str:
        """A hash of every file under fonts/ in each folder (fonts.conf and the project's
        own .ttf/.otf files): what a PDF renderer loaded, so a changed font is seen."""
        h = hashlib.sha256()
        for folder in self.folders:
            for path in sorted(p for p in (folder / "fonts").rglob("*") if p.is_file()):
                rel = path.relative_to(folder).as_posix()
                data = confined(path, (folder,), f"templates/{rel}",
                                label="templates folder").read_bytes()
                h.update(f"{folder}:{rel}\0".encode() + hashlib.sha256(data).digest())
        return h.hexdigest()
