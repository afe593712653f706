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


#: What each variable means (CSL 1.0.2 specification, appendix IV), for an editor's
#: completion: every variable has one.
MEANINGS: dict[str, str] = {
    # names
    "author": "The author.",
    "chair": "The person leading a session, conference or committee.",
    "collection-editor": "The editor of the collection holding the item (a series editor).",
    "compiler": "The person who compiled the item (a database, a collection of laws).",
    "composer": "The composer (of a musical score, a song).",
    "container-author": "The author of the container holding the item (the book's author, "
                        "for a chapter).",
    "contributor": "A minor contributor to the item.",
    "curator": "The curator (of an exhibit).",
    "director": "The director (of a film).",
    "editor": "The editor.",
    "editorial-director": "The managing editor (\"Directeur de la Publication\").",
    "executive-producer": "The executive producer (of a television series).",
    "guest": "A guest (on a television show or podcast).",
    "host": "The host (of a television show or podcast).",
    "illustrator": "The illustrator (of a children's book, a graphic novel).",
    "interviewer": "The interviewer (of an interview).",
    "narrator": "The narrator (of an audio book).",
    "organizer": "The organiser of an event (a conference).",
    "original-author": "The author of the original version (of a translated work).",
    "performer": "A performer (an actor, a musician).",
    "producer": "The producer.",
    "recipient": "The recipient (of a letter).",
    "reviewed-author": "The author of the item this item reviews.",
    "script-writer": "The writer of the script (of a film).",
    "series-creator": "The creator of a series (of a television series).",
    "translator": "The translator.",
    # dates
    "accessed": "When the item was consulted (for an online item).",
    "available-date": "When the item was first available (an online-first article).",
    "event-date": "When the event the item is related to took place.",
    "issued": "When the item was issued or published.",
    "original-date": "When the original version was issued (of a reprint or translation).",
    "submitted": "When the item was submitted for publication (a manuscript, a patent).",
    # the others
    "abstract": "The abstract of the item.",
    "annote": "A reader's notes on the item.",
    "archive": "The archive that holds the item.",
    "archive_collection": "The collection of the archive the item is part of.",
    "archive_location": "Where in the archive the item is (a box and folder number).",
    "archive-place": "Where the archive is.",
    "authority": "The issuing or judicial authority (USPTO, a court).",
    "call-number": "The call number that finds the item in a library.",
    "chapter-number": "The number of a chapter.",
    "citation-key": "A key the item is cited by in other tools (e.g. BibTeX's).",
    "citation-label": "The label of the item in a label style's citations (Ferr78).",
    "collection-number": "The item's number in its collection or series (101, of a book "
                         "series' volume 101).",
    "collection-title": "The title of the collection holding the item (a book's series).",
    "container-title": "The title of the container holding the item (the journal of an "
                       "article, the book of a chapter).",
    "container-title-short": "A short form of container-title (the journal's abbreviation).",
    "dimensions": "The item's physical or temporal dimensions (size, running time).",
    "division": "A minor subdivision of a court of a jurisdiction (of a legal item).",
    "DOI": "The Digital Object Identifier, e.g. 10.1234/abc (no https://doi.org/).",
    "edition": "The edition of the item or its container (3, for the third).",
    "event": "Deprecated: write event-title.",
    "event-title": "The name of the event the item is related to (a conference).",
    "event-place": "Where the event took place.",
    "genre": "The item's kind within its type (\"Doctoral dissertation\", \"Working paper\").",
    "ISBN": "The International Standard Book Number.",
    "ISSN": "The International Standard Serial Number.",
    "issue": "The issue of the container holding the item.",
    "jurisdiction": "Where the item applies (US, of a US patent).",
    "keyword": "Keywords or tags of the item.",
    "language": "The language of the item, a BCP 47 tag (en, ko, zh-Hans).",
    "license": "The licence of the item.",
    "medium": "The item's format or medium (CD, DVD, print).",
    "note": "Notes on the item, printed by some styles.",
    "number": "The item's own number (a report's or a bill's).",
    "number-of-pages": "How many pages the item has.",
    "number-of-volumes": "How many volumes the item has.",
    "original-publisher": "The publisher of the original version.",
    "original-publisher-place": "Where the original version was published.",
    "original-title": "The title of the original version (of a translation).",
    "page": "The pages the item covers in its container (12-34).",
    "page-first": "The first page the item covers in its container.",
    "part": "The number of the part of the item cited (part 2 of an article).",
    "part-title": "The title of the part of the item cited.",
    "PMCID": "The PubMed Central reference number.",
    "PMID": "The PubMed reference number.",
    "printing": "The printing of the item or its container.",
    "publisher": "The publisher.",
    "publisher-place": "Where the item was published.",
    "references": "Resources on a legal case's or law's procedural history.",
    "reviewed-genre": "The kind of the item this item reviews.",
    "reviewed-title": "The title of the item this item reviews.",
    "scale": "The scale (of a map or a model).",
    "section": "The section of the container holding the item (a newspaper's section).",
    "source": "Where the record of the item comes from (a library catalogue, a database).",
    "status": "The publication status (forthcoming, in press).",
    "supplement": "The supplement of the container holding the item.",
    "title-short": "A short form of the title.",
    "URL": "The address of the item online: a link in its citation.",
    "version": "The version of the item (2.0.9, of software).",
    "volume": "The volume of the container holding the item (a journal's).",
    "volume-title": "The title of the volume holding the item.",
    "volume-title-short": "A short form of volume-title.",
    "year-suffix": "The letter that tells apart one author's items of a year (a, in 1999a).",
}


class Name(Model):
    """A CSL name: a person (family, given) or an institution or a name kept whole
    (literal: e.g. a Korean name in its own order, "Lee Sung-hoon")."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    family: str | None = Field(None, description="The family name (surname).")
    given: str | None = Field(None, description="The given names.")
    literal: str | None = Field(None, description="The name kept whole: an institution's, "
                                "or a person's in its own order.")
    suffix: str | None = Field(None, description="A suffix after the name (Jr., III).")
    dropping_particle: str | None = Field(None, alias="dropping-particle", description=(
        "A particle left out when the name is sorted or shortened (\"von\" in Alexander "
        "von Humboldt)."))
    non_dropping_particle: str | None = Field(None, alias="non-dropping-particle", description=(
        "A particle kept with the family name (\"van\" in Vincent van Gogh)."))

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
    date_parts: list[list[int | str]] | None = Field(
        None, alias="date-parts", min_length=1, max_length=2, description="[[year, month, "
        "day]], month and day optional; a range is two such lists.")
    literal: str | None = Field(None, description="The date as text, printed as it is.")
    raw: str | None = Field(None, description="The date as text, for a tool to parse.")
    season: int | str | None = Field(None, description="The season: 1 to 4 (spring to "
                                     "winter), or its name.")
    circa: bool | int | str | None = Field(None, description="True if the date is "
                                           "approximate.")

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


def _meaning(name: str, what: str) -> str:
    """A variable's description: its meaning, and whether briefgen can format it."""
    unformattable = {"names": CITEPROC_NAMES, "date": CITEPROC_DATES}.get(what)
    if unformattable is not None and name not in unformattable:
        return f"{MEANINGS[name]} Refused: citeproc-py cannot format it as {what} yet."
    if what == "names":
        return f"{MEANINGS[name]} A list of names."
    return MEANINGS[name]


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
        fields[name.replace("-", "_")] = (kind, Field(None, alias=name,
                                                      description=_meaning(name, "names")))
    for name in DATE_VARIABLES:
        kind = Date | None
        if name not in CITEPROC_DATES:
            kind = Annotated[kind, AfterValidator(_unformattable(name, "date"))]
        fields[name.replace("-", "_")] = (kind, Field(None, alias=name,
                                                      description=_meaning(name, "date")))
    for name in TEXT_VARIABLES:
        kind = str | int | None
        extra: dict[str, Any] = {}
        if name == "language":
            kind = Annotated[str | None, AfterValidator(_language)]
            extra = {"pattern": f"^{LANGUAGE_TAG.pattern}$"}
        fields[name.replace("-", "_").lower()] = (kind, Field(
            None, alias=name, json_schema_extra=extra, description=_meaning(name, "text")))
    # a citation links its URL (edition/citations.py): it must be one (briefgen/urls.py)
    fields["url"] = (Annotated[str, AfterValidator(_url)] | None,
                     Field(None, alias="URL", description=_meaning("URL", "text")))
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
