"""What a build produces: the selection a user asks for (of the output formats of a registry,
formats.py), the artifacts it stands for (chosen without rendering anything) and the two
kinds of job made from them."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar

from briefgen.build.formats import FORMATS, Format, OutputFormat, OutputFormats
from briefgen.build.formats import OUTPUT_FORMATS as OUTPUT_FORMATS  # for those who plan
from briefgen.edition import Mode

if TYPE_CHECKING:
    from briefgen.content.project import Project
    from briefgen.edition.resolve import Edition
    from briefgen.publish.archive import Attachment

@dataclass(frozen=True)
class Selection:
    """What to build: narrowed to these briefs, audiences and languages (empty: all), in
    these formats of the registry, the PDFs in this variant (None: each audience's
    pdf_variant)."""

    briefs: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    formats: tuple[Format, ...] = FORMATS
    variant: str | None = None
    #: the output formats a build may make (briefgen's, or those and more: formats.py)
    registry: OutputFormats = field(default=OUTPUT_FORMATS, compare=False, repr=False)

    def wants(self, brief: str, audience: str, language: str, format: str) -> bool:
        return ((not self.briefs or brief in self.briefs)
                and (not self.audiences or audience in self.audiences)
                and (not self.languages or language in self.languages)
                and format in self.formats)


@dataclass(frozen=True)
class Artifact:
    """One file a build produces, named by what it is made of."""

    brief: str
    audience: str
    language: str
    format: Format
    _: KW_ONLY
    registry: OutputFormats = field(default=OUTPUT_FORMATS, compare=False, repr=False)

    @property
    def output(self) -> OutputFormat:
        """Its format's entry in the registry."""
        return self.registry[self.format]

    @property
    def mode(self) -> Mode:
        return self.output.mode

    @property
    def stem(self) -> str:
        return f"{self.brief}-{self.audience}-{self.language}"

    def file(self, format: Format) -> str:
        """The file name of this edition in a format (an HTML page links to its PDF)."""
        return f"{self.stem}.{self.registry[format].suffix}"

    @property
    def path(self) -> str:
        """Relative to the output folder."""
        return f"{self.brief}/{self.audience}/{self.language}/{self.file(self.format)}"


def select(project: Project, selection: Selection) -> list[Artifact]:
    """Every artifact the selection asks for, in build order; nothing is rendered."""
    return [Artifact(slug, aid, lang, fmt, registry=selection.registry)
            for slug in sorted(project.briefs)
            for aid, lang in project.editions(slug)
            for fmt in selection.registry
            if selection.wants(slug, aid, lang, fmt)]


class _Placed(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def brief(self) -> str: ...
    @property
    def audience(self) -> str: ...
    @property
    def language(self) -> str: ...


J = TypeVar("J", bound=_Placed)


def shard(jobs: list[J], k: int, n: int) -> list[J]:
    """The k-th of n deterministic slices: whole editions (page and PDF together), dealt
    round-robin in order, so that each slice has as many PDFs as the next, give or take
    one edition (dealing paths, every PDF went to the even slices)."""
    editions = sorted({(j.brief, j.audience, j.language) for j in jobs})
    mine = {e for i, e in enumerate(editions) if i % n == k - 1}
    return [j for j in sorted(jobs, key=lambda j: j.path)
            if (j.brief, j.audience, j.language) in mine]


@dataclass
class _Job:
    """An artifact with its content key and title, and what it was made from."""

    brief: str
    audience: str
    language: str
    format: Format
    path: str  # relative to the output folder
    key: str  # the hash of its content (keys.py)
    title: str
    _: KW_ONLY
    variant: str = ""  # the PDF variant; "" for HTML
    inputs: str = ""  # hash of the files and options it was made from (the cheap first check)
    guard: str = ""  # guard_fingerprint of its audience: what its leak check depends on
    registry: OutputFormats = field(default=OUTPUT_FORMATS, compare=False, repr=False)

    @property
    def output(self) -> OutputFormat:
        """Its format's entry in the registry: how it is made and guarded."""
        return self.registry[self.format]


@dataclass
class Rendered(_Job):
    """An artifact rendered by this build: its edition and the HTML page itself, or the HTML
    that feeds its PDF."""

    edition: Edition
    source: str
    #: the files an archival PDF carries (publish/archive.py); none for other variants
    attachments: tuple[Attachment, ...] = ()
    reused: ClassVar[bool] = False


@dataclass
class Kept(_Job):
    """An artifact whose inputs are unchanged since the previous build: its file is kept,
    nothing of it was rendered (it has no edition and no source)."""

    edition: ClassVar[None] = None
    source: ClassVar[str] = ""
    reused: ClassVar[bool] = True


#: a job is one of the two
Job = Rendered | Kept
