"""Pydantic models of content files. SECTION_TYPES is the one registry of section types (a
project or test extends it: SectionTypes.adding); a language is any the theme has a message
catalog for, passed in pydantic's validation context (Lang); SLUG_PATTERN is what an id is."""

from __future__ import annotations

import datetime as dt
import functools
import re
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from briefgen import urls
from briefgen.textnorm import fold
from briefgen.theme import Theme

#: An id: lowercase letters and digits joined by hyphens. Brief folders, audience files,
#: section and item ids; the one definition (match with SLUG.fullmatch).
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG = re.compile(SLUG_PATTERN)
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
#: A term's key ([[key]]): like an id, but its parts may also be joined by '_'.
TERM_KEY_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
TermKey = Annotated[str, StringConstraints(pattern=TERM_KEY_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1)]
_LANGUAGE = "<language>"  # stands for the theme's languages in the JSON Schema (schema_for)


class Rule(ValueError):
    """A value that breaks a rule of its model; validation.py reports it with its code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def _foldable(phrase: str) -> str:
    if not fold(phrase):
        raise Rule(f"the phrase {phrase!r} is only spaces, dashes, quotes or invisible "
                   "characters, which the guard ignores: there is nothing to look for",
                   code="BG133")
    return phrase


def _url(url: str) -> str:
    if (why := urls.problem(url)) is not None:
        raise Rule(f"'{url}' is not a valid URL: {why}", code="BG135")
    return url


def _base_url(url: str) -> str:
    """Where an output folder is published: an absolute https URL of a folder (it ends with
    '/'), valid by the WHATWG URL standard (briefgen/urls.py), without query or fragment."""
    why = urls.problem(url)
    if why is None and not url.startswith("https://"):
        why = "it does not begin with https://"
    elif why is None and ("?" in url or "#" in url):
        why = "it holds a query or fragment"
    elif why is None and not url.endswith("/"):
        why = f"it does not end with '/' (a folder: {url}/)"
    elif why is None and urls.serialized(url) != url:
        # written as a browser would read it, so every reader of the feed, sitemap and
        # canonical link takes the same host (a '\\' or tab is read differently by others)
        why = f"browsers read it as {urls.serialized(url)}: write that"
    if why is not None:
        raise Rule(f"'{url}' is not a base URL: {why}", code="BG137")
    return url


#: A locale: a language (and script) of the catalogs, and a region (ISO 3166 or UN M.49)
LOCALE_PATTERN = r"^[a-z]{2,3}(-[A-Z][a-z]{3})?-([A-Z]{2}|[0-9]{3})$"


def locale_language(locale: str) -> str:
    """The language a locale is of: 'en-US' -> 'en', 'zh-Hans-CN' -> 'zh-Hans'."""
    return locale.rsplit("-", 1)[0]


#: A forbidden phrase: something must be left once the guard folds it (briefgen.textnorm).
Phrase = Annotated[str, StringConstraints(min_length=1), AfterValidator(_foldable)]

# -- languages ---------------------------------------------------------------------------
# A language is a message catalog in the project's theme (Theme.languages()): adding one is
# adding templates/messages/<language>.yaml. load_project passes the theme's languages in
# pydantic's validation context; a language field holds one of them.


@functools.lru_cache(maxsize=1)
def bundled_languages() -> tuple[str, ...]:
    """The languages of briefgen's own catalogs: for models validated without a project."""
    return Theme.default().languages()


def languages_of(info: ValidationInfo) -> tuple[str, ...]:
    """The languages this validation accepts: the context's, else briefgen's."""
    context = info.context
    if isinstance(context, dict) and "languages" in context:
        return tuple(context["languages"])
    return bundled_languages()


def _language(value: object, info: ValidationInfo) -> str:
    """A language of the theme. Fails exactly as Literal[<the languages>] would, so
    validation.py words it the same way: 'xx' is not one of en, ko, zh-Hans."""
    languages = languages_of(info)
    if isinstance(value, str) and value in languages:
        return value
    *first, last = [repr(lang) for lang in languages] or ["''"]
    expected = f"{', '.join(first)} or {last}" if first else last
    raise PydanticCustomError("literal_error", "Input should be {expected}",
                              {"expected": expected})


#: A language code, one of the theme's (its JSON Schema is an enum of them: schema_for)
Lang = Annotated[str, PlainValidator(_language, json_schema_input_type=Literal[_LANGUAGE])]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Selectable(Model):
    """Anything an editor can show to some audiences only."""

    audiences: list[Slug] | None = Field(
        None, description="Only these audiences see this (audience ids).")
    exclude_audiences: list[Slug] | None = Field(
        None, description="Every audience except these sees this (audience ids).")

    @model_validator(mode="after")
    def _one_kind_of_selection(self) -> Selectable:
        if self.audiences is not None and self.exclude_audiences is not None:
            raise Rule("use either audiences or exclude_audiences, not both", code="BG132")
        return self

    def shown_to(self, audience: str) -> bool:
        if self.audiences is not None:
            return audience in self.audiences
        if self.exclude_audiences is not None:
            return audience not in self.exclude_audiences
        return True


#: what an editor's completion says of every Markdown field: the constructs it may hold,
#: each documented with its errors in docs/editing.md
MARKDOWN = ("Markdown (docs/editing.md): *emphasis*, links, [[term]], [[@id]] references to "
            "sections, items, tables and figures, [[#id]] counts, footnotes [^n], citations "
            "[@key] and [@key, p. 12] (references.json), audience spans "
            "[text]{audience=\"id\"} and blocks '::: audience id', tables "
            "'::: table {#tbl-ID}', figures and charts '::: figure {#fig-ID}'.")


#: what an editor's completion says of an id
ID = ("Its id: lowercase letters and digits joined by hyphens, unique in the brief; "
      "[[@id]] refers to it.")


class Takeaway(Selectable):
    id: Slug = Field(description=ID)
    text: Text = Field(description=f"One or two sentences. {MARKDOWN}")


class Item(Selectable):
    id: Slug = Field(description=ID)
    title: Text = Field(description="The item's heading.")
    body: Text = Field(description=MARKDOWN)


class Source(Selectable):
    id: Slug = Field(description=ID)
    text: Text = Field(description="The citation, Markdown.")
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$"), AfterValidator(_url)] \
        | None = Field(None, description="Where the source is online: an http(s) address.")


class Correction(Selectable):
    """A correction made after publication: printed in a Corrections box of the editions
    it concerns (every audience's unless it says otherwise)."""

    id: Slug = Field(description=ID)
    date: dt.date = Field(description="When the correction was made, YYYY-MM-DD.")
    text: Text = Field(description=f"What was corrected. {MARKDOWN}")


#: A version number: digits separated by dots (1.0, 2.1.3)
VERSION_PATTERN = r"^[0-9]+(\.[0-9]+)*$"


def _version(value: object) -> object:
    if not isinstance(value, str):
        raise Rule(f"the version is the number {value}: write it in quotes, like "
                   "version: \"1.0\" (unquoted, YAML reads 1.10 as the number 1.1)",
                   code="BG180")
    if not re.fullmatch(VERSION_PATTERN, value):
        raise Rule(f"'{value}' is not a version number: digits separated by dots, like "
                   "\"1.0\" or \"2.1.3\"", code="BG180")
    return value


#: A version (briefgen release); validated before pydantic's str, so a number is refused
Version = Annotated[str, BeforeValidator(_version),
                    StringConstraints(pattern=VERSION_PATTERN)]


class SectionBase(Selectable):
    type: str = Field(description="The kind of section: prose, tasks, issues or "
                      "recommendations (each has its own layout).")
    id: Slug = Field(description=ID)
    title: Text = Field(description="The section's heading.")
    body: str = Field("", description=f"Before any items. {MARKDOWN}")


class ProseSection(SectionBase):
    """Running text: introduction, conclusion."""

    type: Literal["prose"] = Field(description="prose: running text, its body only.")
    body: Text = Field(description=MARKDOWN)


class ItemsSection(SectionBase):
    items: list[Item] = Field(min_length=1, description="Its items, each with an id, a "
                              "title and a Markdown body, in order.")
    closing: str = Field("", description=f"After the items. {MARKDOWN}")


class TasksSection(ItemsSection):
    """Titled sub-sections, not numbered."""

    type: Literal["tasks"] = Field(description="tasks: titled sub-sections, not numbered.")


class IssuesSection(ItemsSection):
    """Contentious issues, introduced as First, Second, … after audience filtering."""

    type: Literal["issues"] = Field(description="issues: contentious issues, introduced "
                                    "as First, Second, ….")


class RecommendationsSection(ItemsSection):
    """Policy recommendations, numbered 1, 2, … after audience filtering."""

    type: Literal["recommendations"] = Field(description="recommendations: numbered 1, "
                                             "2, … after audience filtering.")


# -- the registry of section types -------------------------------------------------------


@dataclass(frozen=True)
class SectionType:
    """One kind of section: its model, and what an edition needs to know of it. It renders
    with templates/sections/<name>.html.j2, which the theme looks up like any template."""

    model: type[SectionBase]  # its `type` field is Literal["<name>"]
    #: the message-catalog key of what a cross reference to one of its items prints
    #: ('recommendation_ref': "Recommendation 2"); '' for a reference that prints the title
    reference_label: str = ""

    @property
    def name(self) -> str:
        tag = self.model.model_fields["type"].annotation
        names = typing.get_args(tag)
        assert typing.get_origin(tag) is Literal and len(names) == 1, \
            f"{self.model.__name__}.type must be Literal['<name>']"
        return str(names[0])


@dataclass(frozen=True)
class SectionTypes:
    """The section types a brief may use: the one place a section type is added. A project
    or a test adds its own without touching briefgen, and without changing this module:

        class TimelineSection(ItemsSection):
            type: Literal["timeline"]

        types = SECTION_TYPES.adding(SectionType(TimelineSection))
        project = load_project(root, sections=types)  # and templates/sections/timeline.html.j2
    """

    types: tuple[SectionType, ...]

    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.types)

    def get(self, name: str) -> SectionType | None:
        return next((t for t in self.types if t.name == name), None)

    def adding(self, *more: SectionType) -> SectionTypes:
        """These types and more (a name already here is replaced)."""
        new = {t.name for t in more}
        return SectionTypes((*(t for t in self.types if t.name not in new), *more))

    def described(self) -> str:
        """'prose, tasks, issues or recommendations'."""
        *first, last = self.names()
        return f"{', '.join(first)} or {last}" if first else last

    @property
    def brief(self) -> type[Brief]:
        """The model of a brief.yaml whose sections are of these types."""
        return _brief_model(self)


def _union(types: SectionTypes) -> Any:
    """A section of any of these types, told apart by its `type` (a discriminated union)."""
    models = tuple(t.model for t in types.types)
    return Annotated[typing.Union[models], Field(discriminator="type")]  # noqa: UP007


#: The section types briefgen ships with: each has templates/sections/<name>.html.j2.
SECTION_TYPES = SectionTypes((
    SectionType(ProseSection),
    SectionType(TasksSection),
    SectionType(IssuesSection, reference_label="issue_ref"),
    SectionType(RecommendationsSection, reference_label="recommendation_ref"),
))

if TYPE_CHECKING:
    Section = SectionBase
else:
    Section = _union(SECTION_TYPES)


class Author(Model):
    id: Slug = Field(description="The author's id: lowercase letters and digits joined by "
                     "hyphens, unique in the brief.")
    name: Text = Field(description="The author's name, as printed.")
    honorific: str = Field("", description="Printed before the name, e.g. Dr.; may be empty.")
    affiliation: Text = Field(description="The author's position and organisation.")
    bio: str = Field("", description="Two or three sentences, Markdown.")


class Override(Model):
    """What one audience sees instead of the brief's own title, subtitle or summary."""

    title: str | None = Field(None, description="This audience's title of the brief.")
    subtitle: str | None = Field(None, description="This audience's subtitle.")
    summary: str | None = Field(None, description="This audience's summary.")


class Brief(Model):
    title: Text = Field(description="The full title, on the cover and in PDF metadata.")
    short_title: str = Field("", description="For the running header; defaults to title.")
    subtitle: str = Field("", description="One sentence under the title.")
    series: Text = Field(description="The series the brief belongs to.")
    number: str = Field("", description="Its number in the series, in quotes (\"2026-01\").")
    date: dt.date = Field(description="Publication date, YYYY-MM-DD.")
    language: Lang = Field(description="The language this file is written in.")
    summary: Text = Field(description="One-paragraph abstract; also the PDF subject.")
    keywords: list[Text] = Field([], description="Keywords of the page and PDF metadata.")
    institute: str = Field("", description="The institute that publishes the brief.")
    authors: list[Author] = Field(min_length=1, description="Its authors, in order.")
    credit: str = Field("", description="Source credit, Markdown.")
    overrides: dict[Slug, Override] = Field({}, description="Per-audience title/subtitle/summary.")
    takeaways: list[Takeaway] = Field([], description="Key points, in the call-out box on "
                                      "page one.")
    sections: list[Section] = Field(min_length=1, description="The body of the brief, in "
                                    "order; each has a type, an id and a title.")
    sources: list[Source] = Field([], description="Deprecated: references.json and [@key] "
                                  "citations replace it (docs/editing.md).")
    citation_style: str = Field("chicago-notes-bibliography", description="A style of the "
                                "CSL styles repository, or a .csl file in the brief's folder.")
    version: Version | None = Field(None, description="The version the editions carry, "
                                    "in quotes (\"1.1\"); `briefgen release` freezes it.")
    corrections: list[Correction] = Field([], description="Corrections made after "
                                          "publication, printed in a Corrections box.")

    #: the section types `sections` accepts (SectionTypes.brief makes a model for others)
    section_types: ClassVar[SectionTypes] = SECTION_TYPES


class Audience(Model):
    name: Text = Field(description="Shown in the catalogue and by `briefgen explain`.")
    description: str = Field("", description="Who reads this audience's editions.")
    languages: list[Lang] = Field(min_length=1, description="Editions, in this order.")
    marking: dict[Lang, Text] = Field(description="Distribution marking on every page.")
    page_size: Literal["letter", "a4"] = Field("a4", description="The PDF's page size.")
    pdf_variant: Literal["pdf/ua-1", "pdf/a-3u"] = Field(
        "pdf/ua-1", description="pdf/ua-1 (accessible, tagged) or pdf/a-3u (archival).")
    section_order: list[Slug] = Field([], description="Section ids first in this order.")
    terms: dict[TermKey, dict[Lang, Text]] = Field({}, description=(
        "Terms this audience's editions word differently: a key of content/terms.yaml and "
        "its words in each language."))
    forbidden_phrases: list[Phrase] = Field([], description="The build fails if any of "
                                            "these appears in this audience's editions.")
    locale: Annotated[str, StringConstraints(pattern=LOCALE_PATTERN)] | None = Field(
        None, description="The region of the audience's editions in one of its languages, "
        "as a BCP 47 tag (en-US, en-GB): their lang attribute, PDF /Lang and hyphenation "
        "dictionary. Its other languages' editions are unchanged.")

    base_url: Annotated[str, AfterValidator(_base_url)] | None = Field(
        None, description="The https address the output folder is published at, ending in "
        "'/' (https://briefs.example.org/): its pages' canonical URLs, citation_pdf_url, "
        "Atom feed and sitemap. None: no absolute URL is written.")

    @field_validator("locale")
    @classmethod
    def _locale_of_a_language(cls, locale: str | None, info: ValidationInfo) -> str | None:
        languages = info.data.get("languages") or []
        if locale is not None and locale_language(locale) not in languages:
            raise Rule(f"{locale} is not a locale of a language the audience reads "
                       f"({', '.join(languages)}): it is one of them and a region, e.g. "
                       f"{languages[0] if languages else 'en'}-US", code="BG136")
        return locale

    @field_validator("marking")
    @classmethod
    def _marking_per_language(cls, marking: dict[str, str], info: ValidationInfo
                              ) -> dict[str, str]:
        missing = [lang for lang in info.data.get("languages") or [] if lang not in marking]
        if missing:
            raise Rule(f"no text for {', '.join(missing)}, which languages lists "
                       f"(add {missing[0]}: … under marking:)", code="BG134")
        return marking


Terms = dict[TermKey, dict[Lang, Text]]

#: Fields a translation unit may carry, by the kind of source unit.
UNIT_FIELDS: dict[str, tuple[str, ...]] = {
    "meta": ("title", "short_title", "subtitle", "series", "summary", "credit", "keywords"),
    "author": ("name", "honorific", "affiliation", "bio"),
    "override": ("title", "subtitle", "summary"),
    "takeaway": ("text",),
    "section": ("title", "body", "closing"),
    "item": ("title", "body"),
    "correction": ("text",),
    "chart": ("text",),  # one of a chart file's text: entries (edition/charts.py)
}


class Unit(Model):
    source_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{12}$")] | None = Field(
        None, description="Hash of the source text this translates; see `briefgen translations`.")
    title: str | None = Field(None, description="The title, translated.")
    short_title: str | None = Field(None, description="The running header's title, translated.")
    subtitle: str | None = Field(None, description="The subtitle, translated.")
    series: str | None = Field(None, description="The series' name, translated.")
    summary: str | None = Field(None, description="The summary, translated.")
    credit: str | None = Field(None, description="The source credit, translated (Markdown).")
    name: str | None = Field(None, description="The author's name, as written in this "
                             "language.")
    honorific: str | None = Field(None, description="The author's honorific, translated.")
    affiliation: str | None = Field(None, description="The author's affiliation, translated.")
    bio: str | None = Field(None, description="The author's bio, translated (Markdown).")
    text: str | None = Field(None, description="A takeaway's, correction's or chart word's "
                             "text, translated.")
    body: str | None = Field(None, description="A section's or item's body, translated "
                             "(Markdown).")
    closing: str | None = Field(None, description="A section's closing text, translated "
                                "(Markdown).")
    keywords: list[Text] | None = Field(None, description="The brief's keywords, in the "
                                        "translation's language (the PDF's and page's).")

    def fields(self) -> dict[str, str | list[str]]:
        return {k: v for k, v in self.model_dump().items()
                if k != "source_hash" and v is not None}


class Translation(Model):
    language: Lang = Field(description="The language of this translation.")
    units: dict[str, Unit] = Field(description="Each unit of the brief, by id (meta, "
                                   "author.ID, section.ID, …): its fields in this language.")


@functools.lru_cache(maxsize=8)
def _brief_model(types: SectionTypes) -> type[Brief]:
    """Brief, with sections of these types (made once per registry, as pydantic builds a
    validator for every model)."""
    if types == SECTION_TYPES:
        return Brief
    sections: Any = list.__class_getitem__(_union(types))  # list[<the union>], built at run time
    model = create_model("Brief", __base__=Brief, sections=(sections, Field(min_length=1)))
    model.section_types = types
    return model


#: A calendar date YYYY-MM-DD that exists, for the JSON Schema (check parses it with
#: datetime.date, which this matches exactly for years 0001-9999): months 01-12; days up to
#: 28 in every month, 29 and 30 in all but February, 31 in the seven long months, and
#: 29 February in leap years (divisible by 4, centuries only by 400).
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
DATE_PATTERN = ("^(?!0000)(?:[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
                "|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
                f"|{_LEAP_YEAR}-02-29)$")
TERM_DESCRIPTION = ("A term: its words in each language, in place of [[key]]. Its key is "
                    "lowercase letters and digits joined by '-' or '_'.")


def schema_for(kind: str, languages: tuple[str, ...] | None = None) -> dict[str, Any]:
    """JSON Schema of one kind of content file; a language is one of `languages` (default:
    those of briefgen's own catalogs)."""
    chosen = languages if languages is not None else bundled_languages()

    class Schema(GenerateJsonSchema):
        def literal_schema(self, schema: core_schema.LiteralSchema) -> JsonSchemaValue:
            if schema["expected"] == [_LANGUAGE]:  # Lang: the enum Literal[*chosen] has
                schema = core_schema.literal_schema(list(chosen))
            return super().literal_schema(schema)

        def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
            value = super().dict_schema(schema)
            if "patternProperties" in value:  # a key the pattern refuses, check refuses too
                value["additionalProperties"] = False
            return value

        def date_schema(self, schema: core_schema.DateSchema) -> JsonSchemaValue:
            # patternErrorMessage: what yaml-language-server (VS Code) says on a mismatch
            return {**super().date_schema(schema), "pattern": DATE_PATTERN,
                    "patternErrorMessage": "Not a date that exists: YYYY-MM-DD, with a month "
                    "01-12 and a day the month has (briefgen check says which part is "
                    "wrong)."}

    if kind == "terms":
        data = TypeAdapter(Terms).json_schema(schema_generator=Schema)
        data["description"] = ("The project's terms: each key, written [[key]] in a brief, "
                               "and its words in each language (an audience's terms: "
                               "replace them for its editions).")
        for term in data["patternProperties"].values():
            term["description"] = TERM_DESCRIPTION
        return data
    if kind == "references":  # references.json, a list of CSL-JSON items
        from briefgen.content.csl import Reference

        return TypeAdapter(list[Reference]).json_schema(  # type: ignore[valid-type]
            schema_generator=Schema, by_alias=True)
    model: Any = {"brief": Brief, "audience": Audience, "translation": Translation}.get(kind)
    assert model is not None, kind
    return dict(model.model_json_schema(schema_generator=Schema))
