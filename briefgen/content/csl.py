"""CSL-JSON items as pydantic models: what one item of a brief's references.json may hold.

`Reference` is CSL 1.0.2's item (its types and variables; names and dates checked, every
other variable text or a number), with briefgen's extensions: `audiences` /
`exclude_audiences` and `title-translations` / `title-glosses` (references.py explains
them). A misspelt variable is an unknown field; references.py words each error at its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, create_model, model_validator

from briefgen import urls
from briefgen.content.models import Lang, Model, Selectable
from briefgen.content.syntax import CITE_KEY

#: CSL 1.0.2's item types.
CSL_TYPES = (
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book",
    "broadcast", "chapter", "classic", "collection", "dataset", "document", "entry",
    "entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic", "hearing",
    "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
    "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical",
    "personal_communication", "post", "post-weblog", "regulation", "report", "review",
    "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage")
#: CSL 1.0.2's name variables (lists of names), date variables, and the others (text).
NAME_VARIABLES = (
    "author", "chair", "collection-editor", "compiler", "composer", "container-author",
    "contributor", "curator", "director", "editor", "editorial-director",
    "executive-producer", "guest", "host", "illustrator", "interviewer", "narrator",
    "organizer", "original-author", "performer", "producer", "recipient", "reviewed-author",
    "script-writer", "series-creator", "translator")
DATE_VARIABLES = ("accessed", "available-date", "event-date", "issued", "original-date",
                  "submitted")
TEXT_VARIABLES = (
    "abstract", "annote", "archive", "archive_collection", "archive_location",
    "archive-place", "authority", "call-number", "chapter-number", "citation-key",
    "citation-label", "collection-number", "collection-title", "container-title",
    "container-title-short", "dimensions", "division", "DOI", "edition", "event",
    "event-title", "event-place", "genre", "ISBN", "ISSN", "issue", "jurisdiction", "keyword",
    "language", "license", "medium", "note", "number", "number-of-pages",
    "number-of-volumes", "original-publisher", "original-publisher-place", "original-title",
    "page", "page-first", "part", "part-title", "PMCID", "PMID", "printing", "publisher",
    "publisher-place", "references", "reviewed-genre", "reviewed-title", "scale", "section",
    "source", "status", "supplement", "title-short", "URL", "version", "volume",
    "volume-title", "volume-title-short", "year-suffix")
#: The name and date variables citeproc-py 0.11 formats (it takes any other as text, and a
#: style that prints it as a name or date then fails): the others are refused.
CITEPROC_NAMES = ("author", "collection-editor", "composer", "container-author", "editor",
                  "editorial-director", "illustrator", "interviewer", "original-author",
                  "recipient", "translator")
CITEPROC_DATES = ("accessed", "event-date", "issued", "original-date", "submitted")
#: briefgen's own keys on an item (never passed to citeproc).
EXTENSIONS = ("audiences", "exclude_audiences", "title-translations", "title-glosses")


class Name(Model):
    """A CSL name: a person (family, given) or an institution or a name kept whole
    (literal: e.g. a Korean name in its own order, "Lee Sung-hoon")."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    family: str | None = None
    given: str | None = None
    literal: str | None = None
    suffix: str | None = None
    dropping_particle: str | None = Field(None, alias="dropping-particle")
    non_dropping_particle: str | None = Field(None, alias="non-dropping-particle")

    @model_validator(mode="after")
    def _named(self) -> Name:
        if not (self.family or self.literal):
            raise ValueError("a name needs 'family' (with 'given') or 'literal'")
        return self


#: a date part citeproc can take: an integer of at most 6 digits (or such a string)
_DATE_PART = re.compile(r"-?[0-9]{1,6}")
#: a BCP 47 language tag (its shape: language, then subtags): it becomes an HTML lang
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def _language(value: str | int | None) -> str | int | None:
    if value is not None and not LANGUAGE_TAG.fullmatch(str(value)):
        raise ValueError(f"'{value}' is not a BCP 47 language tag (e.g. en, ko, zh-Hans)")
    return value


class Date(Model):
    """A CSL date: {"date-parts": [[2024, 11, 4]]} (a range: two lists), or literal text."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    date_parts: list[list[int | str]] | None = Field(None, alias="date-parts", min_length=1,
                                                     max_length=2)
    literal: str | None = None
    raw: str | None = None
    season: int | str | None = None
    circa: bool | int | str | None = None

    @model_validator(mode="after")
    def _dated(self) -> Date:
        if self.date_parts is None and self.literal is None and self.raw is None:
            raise ValueError("a date needs 'date-parts' (e.g. [[2024, 11, 4]]) or 'literal'")
        for part in self.date_parts or []:
            if not 1 <= len(part) <= 3 or not all(_DATE_PART.fullmatch(str(x)) for x in part):
                raise ValueError("each of 'date-parts' is [year], [year, month] or "
                                 "[year, month, day], in numbers of at most 6 digits")
        return self


def _unformattable(name: str, what: str) -> Callable[[Any], Any]:
    def refuse(value: Any) -> Any:
        if value is not None:
            raise ValueError(f"citeproc-py cannot format '{name}' as {what} yet")
        return value

    return refuse


def _fields() -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": (str, Field(pattern=f"^{CITE_KEY}$", description="The key a citation names: "
                          "[@id].")),
        "type": (Literal[CSL_TYPES], Field(description="The CSL item type.")),
        "title": (str, Field(min_length=1, description="The title as published.")),
        "title_translations": (dict[Lang, str], Field({}, alias="title-translations",
                               description="briefgen: the title in an edition's language.")),
        "title_glosses": (dict[Lang, str], Field({}, alias="title-glosses",
                          description="briefgen: a gloss in an edition's language, after "
                          "the original title, in brackets.")),
    }
    for name in NAME_VARIABLES:
        kind: Any = list[Name] | None
        if name not in CITEPROC_NAMES:
            kind = Annotated[kind, AfterValidator(_unformattable(name, "names"))]
        fields[name.replace("-", "_")] = (kind, Field(None, alias=name))
    for name in DATE_VARIABLES:
        kind = Date | None
        if name not in CITEPROC_DATES:
            kind = Annotated[kind, AfterValidator(_unformattable(name, "date"))]
        fields[name.replace("-", "_")] = (kind, Field(None, alias=name))
    for name in TEXT_VARIABLES:
        kind = str | int | None
        extra: dict[str, Any] = {}
        if name == "language":
            kind = Annotated[str | None, AfterValidator(_language)]
            extra = {"pattern": f"^{LANGUAGE_TAG.pattern}$"}
        fields[name.replace("-", "_").lower()] = (kind, Field(None, alias=name,
                                                              json_schema_extra=extra))
    # a citation links its URL (edition/citations.py): it must be one (briefgen/urls.py)
    fields["url"] = (Annotated[str, AfterValidator(_url)] | None, Field(None, alias="URL"))
    return fields


def _url(url: str) -> str:
    if (why := urls.problem(url)) is not None:
        raise ValueError(f"'{url}' is not a valid URL: {why}")
    return url


class _Item(Selectable):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


#: One CSL-JSON item, with briefgen's audience and title extensions.
Reference: type[_Item] = create_model(
    "Reference", __base__=_Item, __doc__="One CSL-JSON item of references.json.",
    **_fields())
ALIASES = ("id", "type", "title", *EXTENSIONS, *NAME_VARIABLES, *DATE_VARIABLES,
           *TEXT_VARIABLES)
