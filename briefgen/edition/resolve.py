"""Resolve one brief for one audience and language: selection, order, numbering, terms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, cast

from markupsafe import Markup

from briefgen.content.models import Audience, Brief, ItemsSection, SectionBase
from briefgen.content.project import BriefSource, Project, field_path
from briefgen.content.yamlread import Document, Loc
from briefgen.edition.i18n import Messages, catalog, long_date
from briefgen.edition.markdown import Context, Note, Origin, plain, render
from briefgen.errors import Problems, did_you_mean


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
class AuthorView:
    id: str
    name: Text
    honorific: Text
    affiliation: Text
    bio: Text


@dataclass
class Decision:
    """For `briefgen explain`: whether something is in this edition, and why."""

    kind: str
    id: str
    included: bool
    reason: str
    where: str


# What templates see: plain, frozen data (render.py's sandbox allows these fields and no
# other attribute). The pydantic models stay on Edition, out of the templates' reach.


@dataclass(frozen=True)
class AudienceView:
    id: str
    name: str
    languages: tuple[str, ...]
    page_size: str
    pdf_variant: str


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
    labels: Mapping[str, Any]

    @classmethod
    def of(cls, lang: str) -> Labels:
        data = {k: tuple(v) if isinstance(v, list) else v for k, v in catalog(lang).items()}
        return cls(lang, Messages(lang).css_page_of(), MappingProxyType(data))

    def __getattr__(self, key: str) -> Any:
        try:
            return self.labels[key]
        except KeyError:
            raise AttributeError(key) from None

    def __call__(self, key: str, **values: Any) -> str:
        return str(self.labels[key]).format(**values)  # a catalog's own format string


@dataclass(frozen=True)
class EditionView:
    """The edition as its templates receive it (as `e`)."""

    slug: str
    audience_id: str
    audience: AudienceView
    brief: BriefView
    lang: str
    mode: str
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


@dataclass
class Edition:
    slug: str
    audience_id: str
    audience: Audience
    lang: str
    mode: str
    brief: Brief
    messages: Messages
    title: Text
    short_title: Text
    subtitle: Text
    series: Text
    summary: Text
    credit: Text
    date: dt.date
    date_text: str
    number: str
    institute: str
    keywords: list[str]
    marking: str
    authors: list[AuthorView]
    takeaways: list[Text]
    sections: list[SectionView]
    sources: list[tuple[Text, str | None]]
    notes: list[Note]
    decisions: list[Decision] = field(default_factory=list)
    terms: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (value, defined at)

    @property
    def stem(self) -> str:
        return f"{self.slug}-{self.audience_id}-{self.lang}"

    def view(self) -> EditionView:
        a = self.audience
        return EditionView(
            self.slug, self.audience_id,
            AudienceView(self.audience_id, a.name, tuple(a.languages), a.page_size,
                         a.pdf_variant),
            BriefView(self.slug, self.brief.language), self.lang, self.mode,
            Labels.of(self.lang), self.title, self.short_title, self.subtitle, self.series,
            self.summary, self.credit, self.date.isoformat(), self.date_text, self.number,
            self.institute, tuple(self.keywords), self.marking, tuple(self.authors),
            tuple(self.takeaways), tuple(self.sections), tuple(self.sources),
            tuple(NoteView(n.number, n.html) for n in self.notes))

    def texts(self) -> list[Text]:
        """Every rendered content value, for tracing a leaked phrase back to its source."""
        out = [self.title, self.short_title, self.subtitle, self.series, self.summary,
               self.credit, *self.takeaways]
        for a in self.authors:
            out += [a.name, a.honorific, a.affiliation, a.bio]
        for s in self.sections:
            out += [s.title, s.body, s.closing]
            for it in s.items:
                out += [it.title, it.body]
        out += [t for t, _ in self.sources]
        return out


def _why(obj: Any, audience: str) -> str:
    if obj.audiences is not None:
        return f"audiences: [{', '.join(obj.audiences)}]"
    if obj.exclude_audiences is not None:
        return f"exclude_audiences: [{', '.join(obj.exclude_audiences)}]"
    return "shown to every audience"


class _Resolver:
    def __init__(self, project: Project, src: BriefSource, audience_id: str, lang: str,
                 mode: str, problems: Problems) -> None:
        self.project, self.src, self.aid, self.lang = project, src, audience_id, lang
        self.adoc, self.audience = project.audiences[audience_id].doc, \
            project.audiences[audience_id].value
        self.problems = problems
        self.translated = lang != src.brief.language
        self.tdoc: Document | None = None
        self.units: dict[str, Any] = {}
        if self.translated:
            self.tdoc = src.translations[lang].doc
            self.units = dict(src.translations[lang].value.units)
        self.refs: dict[str, tuple[str, str]] = {}  # id -> (label, anchor)
        self.counts: dict[str, int] = {}
        self.terms: dict[str, tuple[str, str]] = {}
        self.ctx = Context(audience_id, sorted(project.audiences), lang, self.term, src.dir,
                           project.content, problems, mode)

    # -- terms and references --
    def term(self, key: str, origin: Origin) -> str:
        if key.startswith(("#", "@")):
            return self._reference(key, origin)
        k = key.lower()
        value = None
        defined = ""
        if lang_map := self.audience.terms.get(k):
            value = cast(dict[str, str], lang_map).get(self.lang)
            line, col = self.adoc.where(("terms", k, self.lang))
            defined = f"{self.adoc.path}:{line}"
        tdoc, terms = (self.project.terms.doc, self.project.terms.value) if self.project.terms \
            else (None, {})
        if value is None and k in terms and self.lang in terms[k] and tdoc is not None:
            value = cast(dict[str, str], terms[k])[self.lang]
            line, col = tdoc.where((k, self.lang))
            defined = f"{tdoc.path}:{line}"
        if value is None:
            self.problems.error(origin.path, origin.line, origin.col,
                                f"term '{k}' has no {self.lang} text for audience {self.aid}",
                                field=origin.field, hint=f"add it under terms: in "
                                f"content/audiences/{self.aid}.yaml or content/terms.yaml")
            return f"[[{key}]]"
        self.terms[k] = (value, defined)
        if key[0].isupper():
            value = value[0].upper() + value[1:]
        return value

    def _reference(self, key: str, origin: Origin) -> str:
        target = key[1:]
        if key[0] == "#":
            if target in self.counts:
                return str(self.counts[target])
        elif target in self.refs:
            return self.refs[target][0]
        everything = [*self.refs, *self.counts]
        self.problems.error(origin.path, origin.line, origin.col,
                            f"'[[{key}]]' refers to '{target}', which is not in the "
                            f"{self.aid} edition", field=origin.field,
                            hint=did_you_mean(target, everything))
        return ""

    # -- text --
    def _origin(self, loc: Loc, uid: str | None, name: str) -> Origin:
        if self.translated and uid is not None and self.tdoc is not None:
            tloc: Loc = ("units", uid, name)
            line, col = self.tdoc.where(tloc)
            indent = self.tdoc.indent.get(tloc, 0)
            return Origin(self.tdoc.path, self.tdoc.text_line(tloc),
                          indent + 1 if tloc in self.tdoc.block else col,
                          f"units.{uid}.{name}", indent)
        full = (*loc, name)
        line, col = self.src.doc.where(full)
        indent = self.src.doc.indent.get(full, 0)
        return Origin(self.src.doc.path, self.src.doc.text_line(full),
                      indent + 1 if full in self.src.doc.block else col,
                      field_path(self.src.doc, full), indent)

    def text(self, obj: Any, name: str, loc: Loc, uid: str | None, inline: bool) -> Text:
        value = getattr(obj, name, None) or ""
        if self.translated and uid is not None and value:
            unit = self.units.get(uid)
            translated = getattr(unit, name, None) if unit is not None else None
            value = translated or ""  # a missing translation was reported by `check`
        origin = self._origin(loc, uid, name)
        before = len(self.ctx.notes)
        html = render(value, self.ctx, origin, inline=inline) if value else ""
        return Text(html, origin, value, " ".join(n.html for n in self.ctx.notes[before:]))

    def override(self, name: str) -> Text | None:
        ov = self.src.brief.overrides.get(self.aid)
        if ov is None or getattr(ov, name) is None:
            return None
        return self.text(ov, name, ("overrides", self.aid), f"override.{self.aid}",
                         inline=name != "summary")


def _ordered(sections: list[SectionBase], order: list[str]) -> list[SectionBase]:
    rank = {sid: i for i, sid in enumerate(order)}
    listed = sorted((s for s in sections if s.id in rank), key=lambda s: rank[s.id])
    return listed + [s for s in sections if s.id not in rank]


def _definitions(ctx: Context) -> list[Decision]:
    """Footnote and link-reference definitions, each in or out by the block it sits in."""
    out: dict[tuple[str, str, str], Decision] = {}
    for d, origin in ctx.definitions:
        where = f"{origin.path}:{origin.line + d.line}"
        reason = "inside " + " > ".join(f"'::: {s}'" for s in d.scope) if d.scope else \
            "outside any audience block"
        out.setdefault((d.kind, d.label, where), Decision(d.kind, d.label, d.shown, reason,
                                                           where))
    return list(out.values())


def resolve(project: Project, slug: str, audience_id: str, lang: str, mode: str,
            problems: Problems) -> Edition:
    """The brief as this audience reads it in this language; problems go to `problems`."""
    src = project.briefs[slug]
    b = src.brief
    r = _Resolver(project, src, audience_id, lang, mode, problems)
    m = Messages(lang)
    decisions: list[Decision] = []

    def decide(kind: str, obj: Any, loc: Loc) -> bool:
        shown = obj.shown_to(audience_id)
        line, _ = src.doc.where(loc)
        decisions.append(Decision(kind, obj.id, shown, _why(obj, audience_id),
                                  f"{src.doc.path}:{line}"))
        return bool(shown)

    # Pass 1: what is in, in which order, with which numbers (before any text renders,
    # so cross references and counts see the final structure).
    index = {s.id: i for i, s in enumerate(b.sections)}
    visible: list[tuple[SectionBase, list[tuple[int, Any]]]] = []
    for s in _ordered(list(b.sections), r.audience.section_order):
        i = index[s.id]
        if not decide("section", s, ("sections", i)):
            for j, it in enumerate(s.items if isinstance(s, ItemsSection) else []):
                line, _ = src.doc.where(("sections", i, "items", j))
                decisions.append(Decision("item", it.id, False, f"section {s.id} is out",
                                          f"{src.doc.path}:{line}"))
            continue
        items = []
        if isinstance(s, ItemsSection):
            items = [(j, it) for j, it in enumerate(s.items)
                     if decide("item", it, ("sections", i, "items", j))]
            if not items:
                decisions.append(Decision("section", s.id, False, "all its items are out", ""))
                continue
        visible.append((s, items))
        r.counts[s.id] = len(items)
    for s, items in visible:
        for n, (_, it) in enumerate(items, 1):
            label = {"recommendations": m("recommendation_ref", n=n),
                     "issues": m("issue_ref", n=n)}.get(s.type, "")
            r.refs[it.id] = (label, it.id)
    takeaways = [(i, t) for i, t in enumerate(b.takeaways)
                 if decide("takeaway", t, ("takeaways", i))]
    sources = [(i, s) for i, s in enumerate(b.sources) if decide("source", s, ("sources", i))]

    # Pass 2: render every text for this audience and language. Titles first, since a
    # cross reference to a section or unnumbered item prints its title.
    title_of = {}
    for s, items in visible:
        i = index[s.id]
        title_of[s.id] = r.text(s, "title", ("sections", i), s.id, inline=True)
        r.refs[s.id] = (title_of[s.id].plain, s.id)
        for j, it in items:
            if not r.refs[it.id][0]:
                t = r.text(it, "title", ("sections", i, "items", j), it.id, inline=True)
                r.refs[it.id] = (t.plain, it.id)

    sections = []
    for s, items in visible:
        i = index[s.id]
        views = []
        for n, (j, it) in enumerate(items, 1):
            loc = ("sections", i, "items", j)
            views.append(ItemView(it.id, r.text(it, "title", loc, it.id, inline=True),
                                  r.text(it, "body", loc, it.id, inline=False), n,
                                  m.ordinal(n), r.refs[it.id][0]))
        closing = r.text(s, "closing", ("sections", i), s.id, inline=False) \
            if isinstance(s, ItemsSection) else Text("", r._origin(("sections", i), s.id, "x"))
        sections.append(SectionView(
            s.id, s.type, title_of[s.id],
            r.text(s, "body", ("sections", i), s.id, inline=False), tuple(views), closing))

    def meta(name: str, inline: bool = True) -> Text:
        return r.override(name) or r.text(b, name, (), "meta", inline=inline)

    title = meta("title")
    short = r.text(b, "short_title", (), "meta", inline=True) if b.short_title else title
    authors = [AuthorView(a.id, *(r.text(a, f, ("authors", i), a.id, inline=f != "bio")
                                  for f in ("name", "honorific", "affiliation", "bio")))
               for i, a in enumerate(b.authors)]
    edition = Edition(
        slug=slug, audience_id=audience_id, audience=r.audience, lang=lang, mode=mode, brief=b,
        messages=m, title=title, short_title=short, subtitle=meta("subtitle"),
        series=r.text(b, "series", (), "meta", inline=True),
        summary=meta("summary", inline=False),
        credit=r.text(b, "credit", (), "meta", inline=False),
        date=b.date, date_text=long_date(b.date, lang), number=b.number,
        institute=b.institute, keywords=list(b.keywords),
        marking=cast(dict[str, str], r.audience.marking)[lang],
        authors=authors,
        takeaways=[r.text(t, "text", ("takeaways", i), t.id, inline=False)
                   for i, t in takeaways],
        sections=sections,
        sources=[(Text(render(s.text, r.ctx, r._origin(("sources", i), None, "text"),
                              inline=True), r._origin(("sources", i), None, "text")), s.url)
                 for i, s in sources],
        notes=r.ctx.notes,
        decisions=decisions + _definitions(r.ctx),
        terms=r.terms,
    )
    return edition
