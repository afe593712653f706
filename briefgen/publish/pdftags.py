"""WeasyPrint's PDF tag tree, adjusted to PDF/UA-1 (docs/pdfua.md, "Adjustments").

WeasyPrint 70 tags what it draws but leaves defects that no CSS or template can avoid.
`install(weasyprint)` wraps three of its functions, once per process:

- Running heads, markings and page numbers (everything in the page's margin boxes) are
  drawn as `/Artifact <</Type /Pagination>>`, not as `/Span` content no element holds; a
  link there loses its annotation, which no element could hold (01-005, 28-011).
- A footnote (block or inline) is a `Note` with a unique `/ID`, its marker a `Lbl`, moved
  right after its call (after the link the call is in): the call is a `Reference` whose
  `/Ref` names the note (19-001 to 19-004). A footnote that is a list, table, link or
  image is wrapped in the Note rather than renamed.
- A list inside `<nav>` is a `TOC` of `TOCI`s, each item's body a `Reference` (a `P` when
  it holds no link) (09-006).
- A `Link` inside a `Link` (an `a::after` page number, its leader) is folded into it, and a
  link annotation held by another element inside a link moves to that link (09-001,
  28-011). A list split into columns or pages is one list; a nested list goes into the body
  of the item before it; an item without a body (the part that runs on) gets one (09-005).
- An element whose `lang` differs from what it inherits carries `/Lang`, `<body lang>`
  included (11-001).

The wrappers record, per structure element, the box it was made for; `_adjust` rewrites the
finished tree, then rebuilds the parent tree (content and annotations back to elements)
from it. They are written against one WeasyPrint version (`WEASYPRINT`, pinned in
pyproject.toml); any other version is refused rather than tagged wrongly. What they cannot
make right (a theme's odd structure, `opacity` below 1, which WeasyPrint draws untagged) the
build's PDF/UA check refuses (BG410).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from briefgen.errors import BriefError, Problem

WEASYPRINT = "70.0"
VERSION = 2  # of these adjustments: a change rebuilds every PDF (build/keys.py)
# A BCP 47 tag's shape (a language, or a private "x-…" or grandfathered "i-…" tag), or
# empty ("unknown", as HTML says): anything else is not written.
LANG = re.compile(r"|(?:[A-Za-z]{2,8}|[xXiI](?=-))(?:-[A-Za-z0-9]{1,8}){0,15}")
LISTS = ("/L", "/TOC")

# Boxes drawn inside the current page's margin boxes (by id), while that page is drawn.
_margin: ContextVar[frozenset[int]] = ContextVar("briefgen_margin", default=frozenset())
# What each structure element of the document being tagged was made from, by id().
_made: ContextVar[Recording | None] = ContextVar("briefgen_made", default=None)


@dataclass
class Made:
    """The box a structure element was made for."""
    element: Any       # the pydyf dictionary itself (kept alive with its record)
    tag: str | None    # the HTML element's tag, "a::after" for a pseudo-element, None if none
    source: int | None  # id() of the HTML element, shared by its anonymous and pseudo boxes
    lang: str | None   # its lang attribute, when well formed
    call_of: int | None = None  # a footnote call: id() of its footnote's element
    note_of: int | None = None  # a footnote: id() of its element


@dataclass
class Recording:
    """What the structure elements of the document being tagged were made from."""
    made: dict[int, Made] = field(default_factory=dict)  # by id() of the element
    footnotes: set[int] = field(default_factory=set)     # id() of each footnote's box
    body_lang: str | None = None  # <body lang>, which makes no element of its own


def install(weasyprint: ModuleType) -> None:
    """Wrap WeasyPrint's page drawing, marked content and tag tree (idempotent)."""
    from weasyprint import document as wdocument
    from weasyprint import pdf as wpdf
    from weasyprint.pdf import stream as wstream
    from weasyprint.pdf import tags as wtags

    if weasyprint.__version__ != WEASYPRINT:
        raise BriefError([Problem(
            "briefgen", message=f"briefgen's PDF tagging is written for WeasyPrint "
            f"{WEASYPRINT}, and {weasyprint.__version__} is installed",
            hint=f"pip install 'weasyprint=={WEASYPRINT}'; docs/pdfua.md, Adjustments, says why",
            code="BG341")])
    if getattr(wtags, "_briefgen", False):
        return
    from weasyprint.formatting_structure import boxes

    draw_page, build_tree, add_tags = wdocument.draw_page, wtags._build_box_tree, wpdf.add_tags
    marked = wstream.Stream.marked

    def draw_margins_as_artifacts(page: Any, stream: Any) -> Any:
        inside = frozenset(id(box) for margin in page.children
                           if isinstance(margin, boxes.MarginBox)
                           for box in margin.descendants(placeholders=True))
        token = _margin.set(inside)
        try:
            return draw_page(page, stream)
        finally:
            _margin.reset(token)

    @contextmanager
    def marked_or_artifact(self: Any, box: Any, tag: str) -> Iterator[None]:
        if self._tags is None or id(box) not in _margin.get():
            with marked(self, box, tag):
                yield
            return
        self.begin_marked_content("Artifact", _pagination())
        try:
            yield
        finally:
            self.end_marked_content()

    def build_recorded(box: Any, parent: Any, pdf: Any, page_number: int, nums: Any,
                       annotations: Any, tags: Any) -> Iterator[Any]:
        if isinstance(box, boxes.MarginBox):
            return  # drawn as artifacts: nothing of it is in the structure tree
        made = _made.get()
        if made is not None and isinstance(box, boxes.FootnoteAreaBox):
            for note in box.children:  # a block footnote, or a line of inline ones
                made.footnotes.update(map(id, note.children if isinstance(
                    note, boxes.LineBox) else [note]))
        if made is not None and getattr(box, "element_tag", None) == "body":
            made.body_lang = _lang(box.element)
        for element in build_tree(box, parent, pdf, page_number, nums, annotations, tags):
            if made is not None and id(element) not in made.made:
                made.made[id(element)] = _record(element, box, id(box) in made.footnotes)
            yield element

    def add_adjusted_tags(pdf: Any, document: Any, pdf_version: Any, page_streams: Any) -> Any:
        recording = Recording()
        token = _made.set(recording)
        try:
            result = add_tags(pdf, document, pdf_version, page_streams)
        finally:
            _made.reset(token)
        _adjust(pdf, recording)
        return result

    wdocument.draw_page = draw_margins_as_artifacts
    wstream.Stream.marked = marked_or_artifact
    wtags._build_box_tree = build_recorded
    wpdf.add_tags = add_adjusted_tags
    wtags._briefgen = True


def _pagination() -> Any:
    import pydyf

    return pydyf.Dictionary({"Type": "/Pagination"})


def _lang(source: Any) -> str | None:
    lang = source.get("lang") if source is not None and hasattr(source, "get") else None
    return lang if isinstance(lang, str) and len(lang) <= 64 and LANG.fullmatch(lang) else None


def _record(element: Any, box: Any, footnote: bool) -> Made:
    box = getattr(box, "_box", box)  # an absolutely positioned box's placeholder
    source = getattr(box, "element", None)
    tag = getattr(box, "element_tag", None) if source is not None else None
    record = Made(element, tag, id(source) if source is not None else None, _lang(source))
    if tag is not None and tag.endswith("::footnote-call"):
        note = getattr(box, "footnote", None)
        if note is not None and note.element is not None:
            record.call_of = id(note.element)
    elif footnote and source is not None:
        record.note_of = id(source)
    return record


class _Tree:
    """The document's structure elements, by object number."""

    def __init__(self, pdf: Any, made: dict[int, Made]) -> None:
        self.pdf = pdf
        self.made = made

    def get(self, ref: Any) -> Any:
        if isinstance(ref, bytes) and ref.endswith(b" R"):
            return self.pdf.objects[int(ref.split()[0])]
        return None

    def info(self, element: Any) -> Made | None:
        return self.made.get(id(element))

    def elements(self, element: Any) -> list[Any]:
        """The structure elements among an element's kids (not MCIDs or OBJRs)."""
        return [obj for obj in map(self.get, element["K"])
                if obj is not None and obj.get("Type") == "/StructElem"]

    def new(self, kind: str, parent: Any, page: Any, kids: list[Any]) -> Any:
        import pydyf

        element = pydyf.Dictionary({"Type": "/StructElem", "S": kind, "K": pydyf.Array(kids),
                                    "Pg": page, "P": parent.reference})
        self.pdf.add_object(element)
        for kid in map(self.get, kids):
            if kid is not None and kid.get("Type") == "/StructElem":
                kid["P"] = element.reference
        return element

    def items(self, kid: Any, into: Any) -> list[Any]:
        """kid's K items as they read inside `into` (an MCID of another page needs an MCR)."""
        import pydyf

        return [pydyf.Dictionary({"Type": "/MCR", "Pg": kid["Pg"], "MCID": item})
                if isinstance(item, int) and kid["Pg"] != into["Pg"] else item
                for item in kid["K"]]

    def dissolve(self, kid: Any, parent: Any) -> None:
        """Put kid's content in its place in parent's K, and drop kid."""
        items = self.items(kid, parent)
        at = list(parent["K"]).index(kid.reference)
        parent["K"][at:at + 1] = items
        self.adopt(parent, items)
        kid.clear()  # written as an empty dictionary: no element a reader could reach

    def absorb(self, kid: Any, parent: Any, into: Any) -> None:
        """Remove kid from parent's K, append its content to into's, and drop kid."""
        parent["K"].remove(kid.reference)
        items = self.items(kid, into)
        into["K"].extend(items)
        self.adopt(into, items)
        kid.clear()

    def adopt(self, parent: Any, items: list[Any]) -> None:
        for obj in map(self.get, items):
            if obj is not None and obj.get("Type") == "/StructElem":
                obj["P"] = parent.reference

    def move(self, kid: Any, parent: Any, into: Any, at: int | None = None) -> None:
        parent["K"].remove(kid.reference)
        if at is None:
            into["K"].append(kid.reference)
        else:
            into["K"].insert(at, kid.reference)
        kid["P"] = into.reference


def _adjust(pdf: Any, recording: Recording) -> None:
    tree = _Tree(pdf, recording.made)
    root = tree.get(pdf.catalog["StructTreeRoot"])
    document = tree.get(root["K"][0])
    _links(tree, document, inside_link=False)
    _lists(tree, document, in_nav=False)
    _notes(tree, document)
    catalog = str(getattr(pdf.catalog.get("Lang"), "string", "") or "")
    if recording.body_lang is not None and recording.body_lang.lower() != catalog.lower():
        _set_lang(document, recording.body_lang)  # <body lang> makes no element of its own
        catalog = recording.body_lang
    _langs(tree, document, catalog)
    _annotations_to_links(tree, document, None)
    _drop_untagged_links(tree)
    _rebuild_parent_tree(tree, root, document)


def _links(tree: _Tree, element: Any, inside_link: bool) -> None:
    """Fold every Link inside a Link (an a::after, its leader) into its parent; its
    annotations go to the outer Link (_annotations_to_links)."""
    for kid in tree.elements(element):
        is_link = kid["S"] == "/Link"
        _links(tree, kid, inside_link or is_link)
        if is_link and inside_link:
            tree.dissolve(kid, element)


def _lists(tree: _Tree, element: Any, in_nav: bool) -> None:
    info = tree.info(element)
    in_nav = in_nav or (info is not None and info.tag == "nav")
    if element["S"] in LISTS:
        if in_nav:
            element["S"] = "/TOC"
        for kid in tree.elements(element):  # one list, split into columns or pages
            if kid["S"] in LISTS and _same_source(tree, kid, element):
                tree.dissolve(kid, element)
        previous_item = None
        for kid in tree.elements(element):
            if kid["S"] == "/L" and not in_nav:
                if previous_item is None:  # a list that starts with a list: an item of its own
                    at = list(element["K"]).index(kid.reference)
                    previous_item = tree.new("/LI", element, kid["Pg"], [kid.reference])
                    element["K"][at] = previous_item.reference
                    _body(tree, previous_item)
                else:
                    tree.move(kid, element, _body(tree, previous_item))
            elif kid["S"] == "/LI":
                previous_item = kid
    if element["S"] == "/LI":
        parent = tree.get(element["P"])
        if parent is not None and parent.get("S") == "/TOC":
            element["S"] = "/TOCI"
            for kid in tree.elements(element):
                if kid["S"] == "/LBody":
                    kid["S"] = "/Reference" if _holds_link(tree, kid) else "/P"
        else:
            _body(tree, element)
    for kid in tree.elements(element):
        _lists(tree, kid, in_nav)


def _body(tree: _Tree, item: Any) -> Any:
    """The item's LBody; made of everything but its Lbl when it has none (the part of an
    item that runs on to the next page or column has neither)."""
    for kid in tree.elements(item):
        if kid["S"] == "/LBody":
            return kid
    labels = [k for k in item["K"] if _is(tree.get(k), "/Lbl")]
    body = tree.new("/LBody", item, item["Pg"], [k for k in item["K"] if k not in labels])
    item["K"][:] = [*labels, body.reference]
    return body


def _is(obj: Any, kind: str) -> bool:
    return obj is not None and obj.get("S") == kind


def _holds_link(tree: _Tree, element: Any) -> bool:
    return any(k["S"] == "/Link" or _holds_link(tree, k) for k in tree.elements(element))


def _same_source(tree: _Tree, a: Any, b: Any) -> bool:
    ia, ib = tree.info(a), tree.info(b)
    return ia is not None and ib is not None and ia.source is not None \
        and ia.source == ib.source


NOTE_AS_IS = ("/P", "/Div", "/Span", "/NonStruct")  # renamed to Note; others are wrapped


def _notes(tree: _Tree, document: Any) -> None:
    """Each footnote becomes a Note placed right after its call (after the link the call is
    in, if any), which becomes a Reference whose /Ref names the note."""
    import pydyf

    calls: dict[int, tuple[Any, Any, Any]] = {}  # note's source: (call, home, after what)
    found: list[tuple[Any, Any, Made]] = []

    def walk(element: Any, link: tuple[Any, Any] | None) -> None:
        for kid in tree.elements(element):
            info = tree.info(kid)
            if info is not None and info.call_of is not None:
                home, after = link if link is not None else (element, kid)
                calls.setdefault(info.call_of, (kid, home, after))
            if info is not None and info.note_of is not None:
                found.append((kid, element, info))
            walk(kid, link if link is not None or kid["S"] != "/Link" else (element, kid))

    walk(document, None)
    notes: dict[int, Any] = {}
    for element, area, info in found:
        assert info.note_of is not None
        first = notes.get(info.note_of)
        if first is not None:  # the rest of a note that runs on to the next page
            tree.absorb(element, area, first)
            _drop_if_empty(tree, area, document)
            continue
        note = _as_note(tree, element, area)
        notes[info.note_of] = note
        note["ID"] = pydyf.String(f"note-{len(notes)}")
        if info.note_of in calls:
            call, home, after = calls[info.note_of]
            call["S"] = "/Reference"
            call["Ref"] = pydyf.Array([note.reference])
            tree.move(note, area, home, list(home["K"]).index(after.reference) + 1)
            _drop_if_empty(tree, area, document)


def _as_note(tree: _Tree, element: Any, parent: Any) -> Any:
    """The footnote's element as a Note (its marker a Lbl): renamed if it is a paragraph or
    span, else wrapped, so that a list, table, link or figure stays one."""
    marker = next((k for k in tree.elements(element)
                   if (info := tree.info(k)) is not None and info.tag is not None
                   and info.tag.endswith("::footnote-marker")), None)
    if element["S"] in NOTE_AS_IS:
        element["S"] = "/Note"
        note = element
    else:
        at = list(parent["K"]).index(element.reference)
        note = tree.new("/Note", parent, element["Pg"], [element.reference])
        parent["K"][at] = note.reference
        if marker is not None:
            tree.move(marker, element, note, 0)
    if marker is not None:
        marker["S"] = "/Lbl"
    return note


def _drop_if_empty(tree: _Tree, element: Any, document: Any) -> None:
    """Remove an element left with no kids (a page's footnote area once its notes moved)."""
    if not element["K"] and element is not document:
        tree.get(element["P"])["K"].remove(element.reference)
        element.clear()


def _set_lang(element: Any, lang: str) -> None:
    import pydyf

    element["Lang"] = pydyf.String(lang)


def _langs(tree: _Tree, element: Any, inherited: str) -> None:
    info = tree.info(element)
    if info is not None and info.lang is not None and info.lang.lower() != inherited.lower():
        _set_lang(element, info.lang)
        inherited = info.lang
    for kid in tree.elements(element):
        _langs(tree, kid, inherited)


def _annotations_to_links(tree: _Tree, element: Any, link: Any) -> None:
    """A link annotation belongs to a Link element: one held by another element inside a
    Link (a folded a::after, an image or inline block in a link, a footnote call in one)
    moves to the innermost Link around it."""
    items = list(element["K"])
    if link is not None and element["S"] != "/Link":
        for item in items:
            obj = tree.get(item)
            if obj is not None and obj.get("Type") == "/OBJR" \
                    and tree.get(obj["Obj"]).get("Subtype") == "/Link":
                element["K"].remove(item)
                link["K"].append(item)
    for kid in tree.elements(element):
        _annotations_to_links(tree, kid, kid if kid["S"] == "/Link" else link)


def _drop_untagged_links(tree: _Tree) -> None:
    """A link in a margin box (drawn as an artifact) has an annotation no element can hold:
    it is left out of the page (PDF/UA-1 allows no untagged annotation)."""
    for page in map(tree.get, tree.pdf.page_references):
        annots = page.get("Annots")
        if not annots:
            continue
        kept = [a for a in annots if not (tree.get(a).get("Subtype") == "/Link"
                                          and "StructParent" not in tree.get(a))]
        if len(kept) != len(annots):
            annots[:] = kept


def _rebuild_parent_tree(tree: _Tree, root: Any, document: Any) -> None:
    """Point every parent tree entry at the element that now holds the marked content or
    the annotation, read from the finished tree."""
    content: dict[tuple[bytes, int], bytes] = {}
    annotations: dict[int, bytes] = {}
    stack = [document]
    while stack:
        element = stack.pop()
        for item in element["K"]:
            if isinstance(item, int):
                content[element["Pg"], item] = element.reference
                continue
            obj = item if isinstance(item, dict) else tree.get(item)
            if obj is None:
                continue
            if obj.get("Type") == "/MCR":
                content[obj["Pg"], obj["MCID"]] = element.reference
            elif obj.get("Type") == "/OBJR":
                parent_key = tree.get(obj["Obj"]).get("StructParent")
                if isinstance(parent_key, int):
                    annotations[parent_key] = element.reference
            elif obj.get("Type") == "/StructElem":
                stack.append(obj)
    nums = tree.get(root["ParentTree"])["Nums"]
    pages = tree.pdf.page_references
    for at in range(0, len(nums), 2):
        key, value = nums[at], nums[at + 1]
        if isinstance(value, list) and key < len(pages):
            value[:] = [content.get((pages[key], mcid), ref) for mcid, ref in enumerate(value)]
        elif key in annotations:
            nums[at + 1] = annotations[key]
