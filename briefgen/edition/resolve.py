"""Resolve one brief for one audience and language: selection, order, numbering, terms.

One walk, downward. Pass 1 decides what is in, in which order, with which numbers; the
tables the Markdown renderer looks terms and cross references up in (markdown.Tables) are
made from it; pass 2 renders every text with them. The renderer never calls back here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from briefgen.content.checks import field_path
from briefgen.content.models import Audience, Brief, ItemsSection, SectionBase
from briefgen.content.project import BriefSource, Project
from briefgen.content.syntax import numbered_blocks
from briefgen.content.yamlread import Document, Loc
from briefgen.edition import Mode, charts, citations
from briefgen.edition.i18n import Catalogs, Messages, language, long_date
from briefgen.edition.markdown import Context, Origin, Tables, Term, Where, render
from briefgen.edition.views import (
    AudienceView,
    AuthorView,
    BriefView,
    CorrectionView,
    Decision,
    DecisionKind,
    EditionView,
    ItemView,
    Labels,
    NoteView,
    SectionView,
    Text,
)
from briefgen.errors import Problems
from briefgen.theme import Theme


@dataclass(frozen=True)
class Edition:
    """One brief resolved for one audience and language: what its templates see, and what
    only briefgen uses (the models it came from, why each part is in or out, the terms its
    text used)."""

    for_templates: EditionView
    audience: Audience
    brief: Brief
    decisions: tuple[Decision, ...]
    terms: Mapping[str, Term]  # the terms its text used, by lower-case key
    chart_words: tuple[Term, ...] = ()  # every word of its charts, where it is written
    #: each chart it draws, once: its name and the Vega-Lite spec drawn (JSON), by name
    charts: tuple[tuple[str, str], ...] = ()

    def view(self) -> EditionView:
        """The edition as its templates receive it (as `e`)."""
        return self.for_templates

    # briefgen's own shorthands for the view's fields
    @property
    def slug(self) -> str:
        return self.for_templates.slug

    @property
    def audience_id(self) -> str:
        return self.for_templates.audience_id

    @property
    def lang(self) -> str:
        return self.for_templates.lang

    @property
    def mode(self) -> Mode:
        return self.for_templates.mode

    @property
    def title(self) -> Text:
        return self.for_templates.title

    @property
    def subtitle(self) -> Text:
        return self.for_templates.subtitle

    @property
    def summary(self) -> Text:
        return self.for_templates.summary

    @property
    def takeaways(self) -> tuple[Text, ...]:
        return self.for_templates.takeaways

    @property
    def sections(self) -> tuple[SectionView, ...]:
        return self.for_templates.sections

    @property
    def marking(self) -> str:
        return self.for_templates.marking

    @property
    def stem(self) -> str:
        return f"{self.slug}-{self.audience_id}-{self.lang}"

    def texts(self) -> list[Text]:
        """Every rendered content value, for tracing a leaked phrase back to its source."""
        e = self.for_templates
        out = [e.title, e.short_title, e.subtitle, e.series, e.summary, e.credit,
               *(c.text for c in e.corrections), *e.takeaways]
        for a in e.authors:
            out += [a.name, a.honorific, a.affiliation, a.bio]
        for s in e.sections:
            out += [s.title, s.body, s.closing]
            for it in s.items:
                out += [it.title, it.body]
        out += [t for t, _ in e.sources]
        return out + list(e.bibliography)


def citations_of(ctx: Context, src: BriefSource, decisions: list[Decision]
                 ) -> tuple[Text, ...]:
    """The edition's bibliography: each reference it cited, where references.json lists it;
    a Decision per reference of the brief (for `briefgen explain`)."""
    if ctx.citer is None or src.references is None:
        return ()
    path = src.references.path
    entries = ctx.citer.bibliography()
    cited = {entry.ref.key for entry in entries}
    for key, ref in src.references.refs.items():
        shown = ref.shown_to(ctx.audience)
        why = _why(ref.model, ctx.audience)
        why += ("; cited" if key in cited else "; not cited in this edition") if shown else ""
        decisions.append(Decision("reference", key, shown and key in cited, why,
                                  Where(path, ref.line)))
    return tuple(Text(entry.html, Origin(path, entry.ref.line, 1, f"[{entry.ref.key}]"))
                 for entry in entries)


def _why(obj: Any, audience: str) -> str:
    if obj.audiences is not None:
        return f"audiences: [{', '.join(obj.audiences)}]"
    if obj.exclude_audiences is not None:
        return f"exclude_audiences: [{', '.join(obj.exclude_audiences)}]"
    return "shown to every audience"


def terms_of(project: Project, audience_id: str, lang: str) -> dict[str, Term]:
    """Every term an audience can use in a language: its own (content/audiences/ID.yaml)
    before the project's (content/terms.yaml), with the line each text is defined on."""
    table: dict[str, Term] = {}
    if project.terms is not None:
        doc = project.terms.doc
        for key, texts in project.terms.value.items():
            if lang in texts:
                line, col = doc.where((key, lang))
                table[key] = Term(texts[lang], Where(doc.path, line, col))
    audience = project.audiences[audience_id]
    for key, texts in audience.value.terms.items():
        if (text := texts.get(lang)) is not None:
            line, col = audience.doc.where(("terms", key, lang))
            table[key] = Term(text, Where(audience.doc.path, line, col))
    return table


class _Resolver:
    """Renders the texts of one edition, each with its place in the files."""

    def __init__(self, src: BriefSource, lang: str, ctx: Context) -> None:
        self.src, self.ctx = src, ctx
        self.translated = lang != src.brief.language
        self.tdoc: Document | None = None
        self.units: dict[str, Any] = {}
        if self.translated:
            self.tdoc = src.translations[lang].doc
            self.units = dict(src.translations[lang].value.units)

    def origin(self, loc: Loc, uid: str | None, name: str) -> Origin:
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

    def value(self, obj: Any, name: str, uid: str | None) -> str:
        """The Markdown of a field in the edition's language."""
        value = getattr(obj, name, None) or ""
        if self.translated and uid is not None and value:
            unit = self.units.get(uid)
            translated = getattr(unit, name, None) if unit is not None else None
            value = translated or ""  # a missing translation was reported by `check`
        return str(value)

    def keywords(self, source: list[str]) -> tuple[str, ...]:
        """The brief's keywords in the edition's language (none where the translation lacks
        them: `check` reported that, and English words do not stand in a Korean PDF)."""
        if not self.translated:
            return tuple(source)
        unit = self.units.get("meta")
        return tuple(getattr(unit, "keywords", None) or ())

    def text(self, obj: Any, name: str, loc: Loc, uid: str | None, inline: bool,
             heading: int = 3) -> Text:
        """A field rendered; its headings start at <h{heading}>, one below its title's."""
        value = self.value(obj, name, uid)
        origin = self.origin(loc, uid, name)
        before = len(self.ctx.notes)
        html = render(value, self.ctx, origin, inline=inline, heading=heading) \
            if value else ""
        return Text(html, origin, value, " ".join(n.html for n in self.ctx.notes[before:]))

    def override(self, name: str) -> Text | None:
        aid = self.ctx.audience
        ov = self.src.brief.overrides.get(aid)
        if ov is None or getattr(ov, name) is None:
            return None
        return self.text(ov, name, ("overrides", aid), f"override.{aid}",
                         inline=name != "summary")


def _noteless(text: Text, name: str, problems: Problems) -> Text:
    """The brief's title: refused if it holds a note (a citation or a footnote), since it is
    also the page's <title>, the PDF's Title, the running head and the manifest's title,
    plain text where a note cannot go."""
    if text.notes:
        problems.error(text.origin.path, text.origin.line, text.origin.col,
                       f"the brief's {name} holds a note (a citation or a footnote)",
                       hint="it is also the page's and the PDF's title and the running head, "
                       "where a note cannot go: cite in the summary or the text",
                       field=name, code="BG274")
    return text


def _ordered(sections: list[SectionBase], order: list[str]) -> list[SectionBase]:
    rank = {sid: i for i, sid in enumerate(order)}
    listed = sorted((s for s in sections if s.id in rank), key=lambda s: rank[s.id])
    return listed + [s for s in sections if s.id not in rank]


def _chart_edition(src: BriefSource, lang: str, m: Messages, spoken: Any) -> charts.Edition:
    """What a chart drawn in this edition needs: its language, font, data table's label and
    the translations of charts' words (units chart.NAME.KEY)."""
    units = src.translations[lang].value.units if lang in src.translations else {}
    texts = {uid: unit.text for uid, unit in units.items()
             if uid.startswith("chart.") and unit.text}
    tdoc = src.translations[lang].doc if lang in src.translations else None
    where = {uid: (tdoc.path, tdoc.text_line(("units", uid, "text"))) for uid in texts
             if tdoc is not None}
    families = dict.fromkeys([*spoken.sans, "Noto Sans"])
    # no space after the commas: WeasyPrint's SVG text reads a family list split at "," and
    # unquoted, but not stripped, so any family after the first would not be found
    font = ",".join([*(f'"{f}"' if " " in f else f for f in families), "sans-serif"])
    return charts.Edition(lang, src.brief.language, spoken.locale, font, texts,
                          str(m.chart_data), where)


def version_text(version: str | None, corrected: dt.date | None, m: Messages, lang: str,
                 theme: Theme | None, catalogs: Catalogs | None) -> str:
    """'Version 1.1', 'Version 1.1, corrected 12 March 2027' (the latest correction this
    edition prints), 'Corrected 12 March 2027' (no version), or ''."""
    date = long_date(corrected, lang, theme, catalogs) if corrected else ""
    if version and date:
        return m("version_corrected", version=version, date=date)
    if version:
        return m("version", version=version)
    return m("corrected", date=date) if date else ""


def _definitions(ctx: Context) -> list[Decision]:
    """Footnote and link-reference definitions, each in or out by the block it sits in."""
    out: dict[tuple[str, str, Where], Decision] = {}
    for d, origin in ctx.definitions:
        where = Where(origin.path, origin.line + d.line)
        reason = "inside " + " > ".join(f"'::: {s}'" for s in d.scope) if d.scope else \
            "outside any audience block"
        out.setdefault((d.kind, d.label, where), Decision(d.kind, d.label, d.shown, reason,
                                                           where))
    return list(out.values())


def resolve(project: Project, slug: str, audience_id: str, lang: str, mode: Mode,
            problems: Problems) -> Edition:
    """The brief as this audience reads it in this language; problems go to `problems`."""
    src = project.briefs[slug]
    b = src.brief
    audience = project.audiences[audience_id].value
    theme, catalogs = project.session.theme, project.session.catalogs
    m = Messages(lang, theme, catalogs)
    decisions: list[Decision] = []

    def decide(kind: DecisionKind, obj: Any, loc: Loc) -> bool:
        shown = obj.shown_to(audience_id)
        line, _ = src.doc.where(loc)
        decisions.append(Decision(kind, obj.id, shown, _why(obj, audience_id),
                                  Where(src.doc.path, line)))
        return bool(shown)

    # Pass 1: what is in, in which order, with which numbers (before any text renders,
    # so cross references and counts see the final structure).
    index = {s.id: i for i, s in enumerate(b.sections)}
    visible: list[tuple[SectionBase, list[tuple[int, Any]]]] = []
    counts: dict[str, int] = {}
    for s in _ordered(list(b.sections), audience.section_order):
        i = index[s.id]
        if not decide("section", s, ("sections", i)):
            for j, it in enumerate(s.items if isinstance(s, ItemsSection) else []):
                line, _ = src.doc.where(("sections", i, "items", j))
                decisions.append(Decision("item", it.id, False, f"section {s.id} is out",
                                          Where(src.doc.path, line)))
            continue
        items = []
        if isinstance(s, ItemsSection):
            items = [(j, it) for j, it in enumerate(s.items)
                     if decide("item", it, ("sections", i, "items", j))]
            if not items:
                decisions.append(Decision("section", s.id, False, "all its items are out",
                                          None))
                continue
        visible.append((s, items))
        counts[s.id] = len(items)
    labels: dict[str, str] = {}
    for s, items in visible:
        # the catalog key of what a reference to its items prints, e.g. "Recommendation 2";
        # none: a reference prints the item's title (below)
        kind = b.section_types.get(s.type)
        key = kind.reference_label if kind is not None else ""
        for n, (_, it) in enumerate(items, 1):
            labels[it.id] = m(key, n=n) if key else ""
    takeaways = [(i, t) for i, t in enumerate(b.takeaways)
                 if decide("takeaway", t, ("takeaways", i))]
    corrections = [(i, c) for i, c in enumerate(b.corrections)
                   if decide("correction", c, ("corrections", i))]
    sources = [(i, s) for i, s in enumerate(b.sources) if decide("source", s, ("sources", i))]

    # The tables the renderer looks up; `labels` grows below as section titles render.
    tables = Tables(terms_of(project, audience_id, lang), labels, counts)
    ctx = Context(audience_id, sorted(project.audiences), lang, tables, src.dir,
                  project.content, problems, mode, parsers=project.session.parsers,
                  note_label=str(m.note_label), source_label=str(m.figure_source),
                  chart=_chart_edition(src, lang, m, language(lang, theme, catalogs)),
                  documents=project.session.documents,
                  citer=citations.Citer(src.references, audience_id, lang, problems))
    r = _Resolver(src, lang, ctx)

    # Tables and figures, numbered in the order this edition shows them, after filtering:
    # a section's body, its items' bodies, its closing.
    numbers = {"table": 0, "figure": 0}
    for s, items in visible:
        i = index[s.id]
        texts = [(r.value(s, "body", s.id), ("sections", i), s.id, "body"),
                 *((r.value(it, "body", it.id), ("sections", i, "items", j), it.id, "body")
                   for j, it in items),
                 (r.value(s, "closing", s.id), ("sections", i), s.id, "closing")]
        for text, loc, uid, name in texts:
            for block in numbered_blocks(text, audience_id) if text else []:
                if block.shown and block.id not in labels:
                    numbers[block.kind] += 1
                    labels[block.id] = m(f"{block.kind}_ref", n=numbers[block.kind])
                origin = r.origin(loc, uid, name)
                inside = " inside " + " > ".join(f"'::: {spec}'" for spec in block.scope) \
                    if block.scope else ""
                reason = f"{labels[block.id]}{inside}" if block.shown else inside.strip()
                what: DecisionKind = "table" if block.kind == "table" else "figure"
                decisions.append(Decision(what, block.id, block.shown, reason,
                                          Where(origin.path, origin.line + block.line)))

    # Pass 2: render every text for this audience and language. Titles first, since a
    # cross reference to a section or unnumbered item prints its title.
    # A title as a cross reference prints it: rendered apart, so that its notes and
    # citations are neither counted twice nor printed in the reference.
    apart = _Resolver(src, lang, replace(ctx, problems=Problems(), notes=[], citer=None,
                                         definitions=[], used={}))
    for s, items in visible:
        i = index[s.id]
        labels[s.id] = apart.text(s, "title", ("sections", i), s.id, inline=True).plain
        for j, it in items:
            if not labels[it.id]:
                labels[it.id] = apart.text(it, "title", ("sections", i, "items", j), it.id,
                                           inline=True).plain

    # The masthead, takeaways and summary, then the sections: the order a reader meets
    # them, which numbers notes and makes a reference's first citation the full one.
    def meta(name: str, inline: bool = True) -> Text:
        return r.override(name) or r.text(b, name, (), "meta", inline=inline)

    title = _noteless(meta("title"), "title", problems)
    short = _noteless(r.text(b, "short_title", (), "meta", inline=True), "short_title",
                      problems) if b.short_title else title
    subtitle = meta("subtitle")
    series = r.text(b, "series", (), "meta", inline=True)
    shown_corrections = tuple(
        CorrectionView(c.id, c.date.isoformat(), long_date(c.date, lang, theme, catalogs),
                       r.text(c, "text", ("corrections", i), c.id, inline=False))
        for i, c in sorted(corrections, key=lambda ic: ic[1].date))
    shown_takeaways = tuple(r.text(t, "text", ("takeaways", i), t.id, inline=False)
                            for i, t in takeaways)
    summary = meta("summary", inline=False)

    sections = []
    for s, items in visible:  # each in the order the page shows it
        i = index[s.id]
        heading = r.text(s, "title", ("sections", i), s.id, inline=True)
        body = r.text(s, "body", ("sections", i), s.id, inline=False)
        views = []
        for n, (j, it) in enumerate(items, 1):
            loc = ("sections", i, "items", j)
            views.append(ItemView(it.id, r.text(it, "title", loc, it.id, inline=True),
                                  r.text(it, "body", loc, it.id, inline=False, heading=4), n,
                                  m.ordinal(n), labels[it.id]))
        closing = r.text(s, "closing", ("sections", i), s.id, inline=False) \
            if isinstance(s, ItemsSection) else Text("", r.origin(("sections", i), s.id, "x"))
        sections.append(SectionView(s.id, s.type, heading, body, tuple(views), closing))

    def source(i: int, text: str) -> Text:
        origin = r.origin(("sources", i), None, "text")
        return Text(render(text, ctx, origin, inline=True), origin)

    authors = tuple(AuthorView(a.id, *(r.text(a, f, ("authors", i), a.id, inline=f != "bio")
                                       for f in ("name", "honorific", "affiliation", "bio")))
                    for i, a in enumerate(b.authors))
    credit = r.text(b, "credit", (), "meta", inline=False)
    shown_sources = tuple((source(i, s.text), s.url) for i, s in sources)
    seen_by = AudienceView(audience_id, audience.name, tuple(audience.languages),
                           audience.page_size, audience.pdf_variant, audience.locale or "")
    view = EditionView(
        slug=slug, audience_id=audience_id, audience=seen_by,
        lang_tag=seen_by.tag(lang), source_tag=seen_by.tag(b.language),
        brief=BriefView(slug, b.language), lang=lang, mode=mode,
        messages=Labels.of(lang, theme, catalogs),
        title=title, short_title=short, subtitle=subtitle, series=series, summary=summary,
        credit=credit, date=b.date.isoformat(),
        date_text=long_date(b.date, lang, theme, catalogs),
        number=b.number, institute=b.institute, keywords=r.keywords(b.keywords),
        marking=audience.marking[lang], authors=authors,
        takeaways=shown_takeaways, sections=tuple(sections), sources=shown_sources,
        notes=tuple(NoteView(n.number, n.html) for n in ctx.notes),
        bibliography=citations_of(ctx, src, decisions),
        version=b.version, corrections=shown_corrections,
        version_text=version_text(b.version, max((c.date for _, c in corrections), default=None),
                                  m, lang, theme, catalogs))
    return Edition(view, audience, b, tuple(decisions + _definitions(ctx)), ctx.used,
                   tuple(ctx.chart_words), tuple(dict(ctx.charts).items()))
