"""Every key a build compares, and the rules for keeping an artifact of the previous build.

An artifact is kept, not rebuilt, when its file is still what the previous manifest says
was written and either its inputs (the files and options it was made from: checked before
anything is rendered) or its content key (its HTML; for a PDF also the variant and the
renderer) are unchanged. Its leak check is redone from its file when its audience's guard
fingerprint changed (run.reguard)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from briefgen import __version__
from briefgen.paths import refusal
from briefgen.publish import guard, pdftags

if TYPE_CHECKING:  # formats.py takes its recipes from here: plan and manifest import it
    from briefgen.build.formats import Format
    from briefgen.build.manifest import ManifestEntry
    from briefgen.build.plan import Selection
    from briefgen.content.models import Audience
    from briefgen.content.project import Project
    from briefgen.theme import Theme


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def renderer_fingerprint(theme: Theme) -> str:
    """What every PDF also depends on besides its HTML: the renderers' versions (the chart
    renderer's too: its drawings are in every artifact's HTML) and the theme's fonts (every
    file under fonts/ in each theme folder, so a font added to a project's templates/fonts
    rebuilds its PDFs), and the version of briefgen's adjustments to WeasyPrint's tags."""
    parts = [__version__, version("weasyprint"), version("pydyf"),
             version("vl-convert-python"), theme.fonts_digest(), f"tags {pdftags.VERSION}"]
    return sha("\0".join(parts).encode())


def shared_inputs(project: Project, fingerprint: str) -> str:
    """What every artifact of the project is made from besides its own brief."""
    return sha(f"{fingerprint}\0{project.sources.shared}".encode())


def inputs_key(shared: str, brief: str, path: str, selection: Selection) -> str:
    """The files (shared and the brief's) and options an artifact at path is made from."""
    return sha("\0".join([shared, brief, path, selection.variant or "",
                          *sorted(selection.formats)]).encode())


def html_key(page: str) -> str:
    return sha(page.encode())


def pdf_key(fingerprint: str, variant: str, page: str) -> str:
    return sha(f"{fingerprint}\0{variant}\0{page}".encode())


def guard_fingerprint(audience: Audience) -> str:
    """What the leak check of an audience's artifacts depends on besides their bytes: its
    forbidden phrases and the guard's version. Another audience's phrases are no part of it."""
    return sha(json.dumps([guard.VERSION, audience.forbidden_phrases]).encode())


class Reusable(Protocol):
    """What a kept job takes from the previous manifest entry."""

    @property
    def key(self) -> str: ...

    @property
    def title(self) -> str: ...


#: reuse(path, inputs): the previous entry of an artifact whose inputs are unchanged, or None
Reuse = Callable[[str, str], Reusable | None]
Edition = tuple[str, str, str]  # brief, audience, language


class Previous:
    """The previous build of an output folder, as its manifest describes it: answers
    whether an artifact may be kept."""

    def __init__(self, out: Path, entries: Iterable[ManifestEntry], force: bool = False):
        self.out = out
        self.entries = {e.path: e for e in entries}
        self.force = force  # keep nothing
        self._on_disk: dict[str, bool] = {}

    def on_disk(self, path: str) -> bool:
        """Whether the file at path is still what the previous manifest says was written."""
        if path not in self._on_disk:
            old, target = self.entries[path], self.out / path
            self._on_disk[path] = (refusal(target, (self.out,), "") is None
                                   and target.is_file() and target.stat().st_size == old.bytes
                                   and sha(target.read_bytes()) == old.sha256)
        return self._on_disk[path]

    def reuse(self, path: str, inputs: str) -> ManifestEntry | None:
        """The previous entry, if the artifact's inputs are unchanged and its file intact."""
        return self._intact(path, lambda old: old.inputs == inputs)

    def same(self, path: str, key: str) -> ManifestEntry | None:
        """The previous entry, if the artifact's content is unchanged and its file intact."""
        return self._intact(path, lambda old: old.key == key)

    def _intact(self, path: str, unchanged: Callable[[ManifestEntry], bool]
                ) -> ManifestEntry | None:
        old = self.entries.get(path)
        if self.force or old is None or not unchanged(old) or not self.on_disk(path):
            return None
        return old

    def outside(self, selection: Selection, produced: set[str],
                sharded: bool) -> dict[str, ManifestEntry]:
        """The entries a build that produced these paths keeps in its manifest: those the
        selection did not ask for (all others, for a shard) whose file is intact. Any other
        file of the previous build is pruned."""
        return {path: old for path, old in self.entries.items()
                if path not in produced and out_of_reach(old, selection, sharded)
                and self.on_disk(path)}

    def damaged(self, selected: set[str]) -> dict[Edition, tuple[Format, ...]]:
        """The editions, outside the selected paths, with a file that no longer matches the
        manifest (a build killed between two renames), each with the formats the manifest
        lists for it: rebuilt, the manifest describes the files on disk again."""
        formats: dict[Edition, set[Format]] = {}
        damaged: set[Edition] = set()
        for path, old in self.entries.items():
            edition = (old.brief, old.audience, old.language)
            formats.setdefault(edition, set()).add(old.format)
            if path not in selected and not self.on_disk(path):
                damaged.add(edition)
        return {e: tuple(sorted(formats[e])) for e in sorted(damaged)}


def out_of_reach(old: ManifestEntry, selection: Selection, sharded: bool) -> bool:
    """Whether a previous entry stays out of reach of this build: a shard leaves every
    other path alone, a build the rest of its selection's artifacts."""
    return sharded or not selection.wants(old.brief, old.audience, old.language, old.format)
