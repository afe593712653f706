"""What templates see of an edition: plain, frozen data.

publish/html.py's sandbox allows these classes' fields and no other attribute; the pydantic
models an edition comes from stay on `resolve.Edition`, out of the templates' reach.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from markupsafe import Markup

from briefgen.content.syntax import DefinitionKind
from briefgen.edition import Mode
from briefgen.edition.i18n import Catalogs, Messages
from briefgen.edition.markdown import Origin, Where, plain
from briefgen.theme import Theme

#: What a Decision is about: a part of the brief, or a definition in its Markdown.
DecisionKind = Literal["section", "item", "takeaway", "source", "table", "figure",
                       "reference", "correction"] | DefinitionKind


_ONE_PARAGRAPH = re.compile(r"<p>((?:(?!<p[ >]|</p>).)*)</p>", re.S)


@dataclass(frozen=True)
class Text:
    """A rendered value: HTML for the page, plain text for metadata, and where it came from."""

    html: str
    origin: Origin = field(repr=False)  # repr=False: a template may print a view's repr
    source: str = field(default="", repr=False)  # the Markdown: other audiences' blocks too
    notes: str = field(default="", repr=False)  # HTML of the footnotes its Markdown defines

    @property
    def plain(self) -> str:
        return plain(self.html)

    @property
    def inline(self) -> Markup:
        """The HTML of a one-paragraph text without its <p>: a list item whose text is
        inline gets a PDF list body (LI > Lbl + LBody), one holding a paragraph does not
        (LI > Lbl + P, which PDF/UA refuses). A text of several blocks stays as it is."""
        found = _ONE_PARAGRAPH.fullmatch(self.html.strip())
        return Markup(found[1] if found else self.html)

    def __html__(self) -> str:
        """Jinja's autoescape prints a Text as its HTML: our Markdown renderer made it."""
        return self.html

    def __str__(self) -> str:
        """What a template's string filters (`upper`, `trim`…) see: the plain text, never the
        dataclass repr, whose `source` holds Markdown other audiences' blocks included."""
        return self.plain

    def __bool__(self) -> bool:
        return bool(self.html.strip())


@dataclass(frozen=True)
class ItemView:
    id: str
    title: Text
    body: Text
    number: int
    ordinal: str
    label: str  # what a cross reference prints, e.g. "Recommendation 2"


@dataclass(frozen=True)
class SectionView:
    id: str
    type: str
    title: Text
    body: Text
    items: tuple[ItemView, ...]
    closing: Text


@dataclass(frozen=True)
class CorrectionView:
    """A correction this edition prints in its Corrections box."""

    id: str
    date: str  # ISO 8601
    date_text: str  # in the edition's language
    text: Text


@dataclass(frozen=True)
class AuthorView:
    id: str
    name: Text
    honorific: Text
    affiliation: Text
    bio: Text


@dataclass(frozen=True)
class Decision:
    """For `briefgen explain`: whether something is in this edition, and why."""

    kind: DecisionKind
    id: str
    included: bool
    reason: str
    where: Where | None  # None: no one place (a section all of whose items are out)


@dataclass(frozen=True)
class AudienceView:
    id: str
    name: str
    languages: tuple[str, ...]
    page_size: str
    pdf_variant: str
    locale: str = ""  # e.g. en-US: the tag of its editions in that language

    def tag(self, lang: str) -> str:
        """The language tag of text in lang for this audience: its locale ('en-US') when
        that is of lang, else lang. What lang attributes say, and WeasyPrint hyphenates by."""
        return self.locale if self.locale.rsplit("-", 1)[0] == lang else lang


@dataclass(frozen=True)
class BriefView:
    slug: str
    language: str


@dataclass(frozen=True)
class NoteView:
    number: int
    html: str


@dataclass(frozen=True)
class Labels:
    """A language's fixed labels: m.key, or m('key', n=3) to fill one in."""

    lang: str
    css_page_of: Markup  # 'Page {page} of {pages}' as a CSS content value
    labels: Mapping[str, object]

    @classmethod
    def of(cls, lang: str, theme: Theme | None = None, cache: Catalogs | None = None
           ) -> Labels:
        """The labels of the theme's catalog (briefgen's own when no theme is given)."""
        messages = Messages(lang, theme, cache)  # the catalog, read once
        data = {k: tuple(v) if isinstance(v, list) else v for k, v in messages.all_labels().items()}
        return cls(lang, messages.css_page_of(), MappingProxyType(data))

    def __getattr__(self, key: str) -> object:
        try:
            return self.labels[key]
        except KeyError:
            raise AttributeError(key) from None

    def __call__(self, key: str, **values: object) -> str:
        return str(self.labels[key]).format(**values)  # a catalog's own format string


@dataclass(frozen=True)
class EditionView:
    """The edition as its templates receive it (as `e`)."""

    slug: str
    audience_id: str
    audience: AudienceView
    brief: BriefView
    lang: str
    mode: Mode
    messages: Labels
    title: Text
    short_title: Text
    subtitle: Text
    series: Text
    summary: Text
    credit: Text
    date: str  # ISO 8601
    date_text: str
    number: str
    institute: str
    keywords: tuple[str, ...]
    marking: str
    authors: tuple[AuthorView, ...]
    takeaways: tuple[Text, ...]
    sections: tuple[SectionView, ...]
    sources: tuple[tuple[Text, str | None], ...]
    notes: tuple[NoteView, ...]
    #: what the edition cites ([@key]), as the citation style lists it (edition/citations.py)
    bibliography: tuple[Text, ...] = ()
    #: the lang attribute of the edition and of its sources: the audience's locale (en-US)
    #: for text in that locale's language (AudienceView.tag), else the language
    lang_tag: str = ""
    source_tag: str = ""
    #: the brief's `version:` ("1.1"), None if it has none: for every metadata that
    #: carries it (JSON-LD, PDF XMP prism:versionIdentifier)
    version: str | None = None
    #: what the page prints of it: "Version 1.1, corrected 12 March 2027" ('' if nothing)
    version_text: str = ""
    #: the corrections this edition's audience sees, oldest first
    corrections: tuple[CorrectionView, ...] = ()


#: The view classes templates receive, each a frozen dataclass whose fields are all a template
#: may read (publish/sandbox.py's ATTRIBUTES allows exactly these).
VIEWS: tuple[type, ...] = (EditionView, AudienceView, BriefView, AuthorView, SectionView,
                           ItemView, NoteView, Labels, CorrectionView)
