"""WeasyPrint's PDF tag tree, adjusted to PDF/UA-1 (docs/pdfua.md, "Adjustments").

WeasyPrint 70 tags what it draws but leaves five defects that no CSS or template can avoid.
`install(weasyprint)` wraps three of its functions, once per process:

- Running heads, markings and page numbers (the page's margin boxes) are drawn as
  `/Artifact <</Type /Pagination>>` marked content, not as `/Span` content that no structure
  element holds (Matterhorn 01-005).
- A footnote is a `Note` with a unique `/ID`, moved next to its call; the call is a
  `Reference` whose `/Ref` names the note (19-001 to 19-004). WeasyPrint leaves the note in
  a `NonStruct` beside the article, unconnected to its call.
- A list inside `<nav>` is a `TOC` of `TOCI`s, each item's body a `Reference` (09-006), not
  a list of list bodies.
- A `Link` inside a `Link` (an `a::after` page number, its leader) joins its outer link
  (09-001); a list box split into columns is one list, and a nested list goes into the body
  of the item before it, not directly into the list (09-005).
- An element with a `lang` attribute carries `/Lang` when its language differs from what it
  inherits (11-001).

The wrappers record, per structure element, the box it was made for; `_adjust` then rewrites
the finished tree and the parent tree that maps marked content and annotations back to it.
They are written against one WeasyPrint version (`WEASYPRINT`, pinned in pyproject.toml);
any other version is refused rather than tagged wrongly.
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
VERSION = 1  # of these adjustments: a change rebuilds every PDF (build/keys.py)
LANG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,6}")
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
                           for box in margin.descendants())
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
            made.footnotes.update(id(note) for note in box.children)
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
        _adjust(pdf, recording.made)
        return result

    wdocument.draw_page = draw_margins_as_artifacts
    wstream.Stream.marked = marked_or_artifact
    wtags._build_box_tree = build_recorded
    wpdf.add_tags = add_adjusted_tags
    wtags._briefgen = True


def _pagination() -> Any:
    import pydyf

    return pydyf.Dictionary({"Type": "/Pagination"})


def _record(element: Any, box: Any, footnote: bool) -> Made:
    box = getattr(box, "_box", box)  # an absolutely positioned box's placeholder
    source = getattr(box, "element", None)
    tag = getattr(box, "element_tag", None) if source is not None else None
    lang = source.get("lang") if source is not None and hasattr(source, "get") else None
    record = Made(element, tag, id(source) if source is not None else None,
                  lang if isinstance(lang, str) and LANG.fullmatch(lang) else None)
    if tag is not None and tag.endswith("::footnote-call"):
        note = getattr(box, "footnote", None)
        if note is not None and note.element is not None:
            record.call_of = id(note.element)
    elif footnote and source is not None:
        record.note_of = id(source)
    return record


class _Tree:
    """The document's structure elements, by object number, and what to rewrite."""

    def __init__(self, pdf: Any, made: dict[int, Made]) -> None:
        self.pdf = pdf
        self.made = made
        self.merged: dict[bytes, bytes] = {}  # a removed element's reference: its heir's

    def get(self, ref: Any) -> Any:
        if isinstance(ref, bytes) and ref.endswith(b" R"):
            return self.pdf.objects[int(ref.split()[0])]
        return None

    def info(self, element: Any) -> Made | None:
        return self.made.get(id(element))

    def elements(self, element: Any) -> list[Any]:
        """The structure elements among an element's kids (not MCIDs or OBJRs)."""
        out = []
        for kid in element["K"]:
            obj = self.get(kid)
            if obj is not None and obj.get("Type") == "/StructElem":
                out.append(obj)
        return out

    def splice(self, parent: Any, kid: Any, replacement: list[Any]) -> None:
        """Put `replacement` (K items) where `kid` is in parent's K; reparent elements."""
        items = list(parent["K"])
        at = items.index(kid.reference)
        parent["K"][at:at + 1] = replacement
        for item in replacement:
            obj = self.get(item)
            if obj is not None and obj.get("Type") == "/StructElem":
                obj["P"] = parent.reference

    def _items(self, kid: Any, into: Any) -> list[Any]:
        """kid's K items as they read inside `into` (an MCID of another page needs an MCR)."""
        import pydyf

        return [pydyf.Dictionary({"Type": "/MCR", "Pg": kid["Pg"], "MCID": item})
                if isinstance(item, int) and kid["Pg"] != into["Pg"] else item
                for item in kid["K"]]

    def dissolve(self, kid: Any, parent: Any) -> None:
        """Remove `kid` from parent's K, its content taking its place (and its entries in
        the parent tree)."""
        self.splice(parent, kid, self._items(kid, parent))
        self.merged[kid.reference] = parent.reference
        kid.clear()  # written as an empty dictionary: no element a reader could reach

    def absorb(self, kid: Any, parent: Any, into: Any) -> None:
        """Remove `kid` from parent's K and append its content to `into`'s."""
        parent["K"].remove(kid.reference)
        items = self._items(kid, into)
        into["K"].extend(items)
        for item in items:
            obj = self.get(item)
            if obj is not None and obj.get("Type") == "/StructElem":
                obj["P"] = into.reference
        self.merged[kid.reference] = into.reference
        kid.clear()


def _adjust(pdf: Any, made: dict[int, Made]) -> None:
    tree = _Tree(pdf, made)
    root = tree.get(pdf.catalog["StructTreeRoot"])
    document = tree.get(root["K"][0])
    _links(tree, document, None)
    _lists(tree, document, in_nav=False)
    _notes(tree, document)
    _langs(tree, document, str(getattr(pdf.catalog.get("Lang"), "string", "") or ""))
    if tree.merged:
        _reparent_tree(tree, root)


def _links(tree: _Tree, element: Any, link: Any) -> None:
    """Fold every Link inside a Link into the outermost one (an a::after, a leader)."""
    for kid in tree.elements(element):
        if kid["S"] == "/Link" and link is not None:
            _links(tree, kid, link)
            tree.dissolve(kid, element)
        else:
            _links(tree, kid, kid if kid["S"] == "/Link" and link is None else link)


def _lists(tree: _Tree, element: Any, in_nav: bool) -> None:
    info = tree.info(element)
    in_nav = in_nav or (info is not None and info.tag == "nav")
    kids = tree.elements(element)
    if element["S"] in LISTS:
        if in_nav:
            element["S"] = "/TOC"
        previous_item = None
        for kid in kids:
            if kid["S"] in LISTS and _same_source(tree, kid, element):
                tree.dissolve(kid, element)  # one list, split into columns
                _lists(tree, element, in_nav)
                return
            if kid["S"] == "/L" and previous_item is not None and not in_nav:
                body = next((b for b in tree.elements(previous_item) if b["S"] == "/LBody"),
                            previous_item)
                element["K"].remove(kid.reference)
                body["K"].append(kid.reference)
                kid["P"] = body.reference
            if kid["S"] == "/LI":
                previous_item = kid
    if element["S"] == "/LI" and tree.get(element["P"])["S"] == "/TOC":
        element["S"] = "/TOCI"
        for kid in kids:
            if kid["S"] == "/LBody":
                kid["S"] = "/Reference"
    for kid in tree.elements(element):
        _lists(tree, kid, in_nav)


def _same_source(tree: _Tree, a: Any, b: Any) -> bool:
    ia, ib = tree.info(a), tree.info(b)
    return ia is not None and ib is not None and ia.source is not None \
        and ia.source == ib.source


def _notes(tree: _Tree, document: Any) -> None:
    """Each footnote becomes a Note placed right after its call, which becomes a Reference."""
    import pydyf

    calls: dict[int, tuple[Any, Any]] = {}   # footnote element id: (Reference, its parent)
    notes: dict[int, Any] = {}
    found: list[tuple[Any, Any, Made]] = []

    def walk(element: Any) -> None:
        for kid in tree.elements(element):
            info = tree.info(kid)
            if info is not None and info.call_of is not None:
                calls.setdefault(info.call_of, (kid, element))
            if info is not None and info.note_of is not None:
                found.append((kid, element, info))
            else:
                walk(kid)

    walk(document)
    for note, parent, info in found:
        assert info.note_of is not None
        first = notes.get(info.note_of)
        if first is not None:  # the rest of a note that runs on to the next page
            tree.absorb(note, parent, first)
            _drop_if_empty(tree, parent, document)
            continue
        notes[info.note_of] = note
        note["S"] = "/Note"
        note["ID"] = pydyf.String(f"note-{len(notes)}")
        for kid in tree.elements(note):
            kid_info = tree.info(kid)
            if kid_info is not None and (kid_info.tag or "").endswith("::footnote-marker"):
                kid["S"] = "/Lbl"
        if info.note_of in calls:
            call, home = calls[info.note_of]
            call["S"] = "/Reference"
            call["Ref"] = pydyf.Array([note.reference])
            parent["K"].remove(note.reference)
            at = list(home["K"]).index(call.reference)
            home["K"].insert(at + 1, note.reference)
            note["P"] = home.reference
            _drop_if_empty(tree, parent, document)


def _drop_if_empty(tree: _Tree, element: Any, document: Any) -> None:
    """Remove an element left with no kids (a page's footnote area once its notes moved)."""
    if not element["K"] and element is not document:
        tree.get(element["P"])["K"].remove(element.reference)
        element.clear()


def _langs(tree: _Tree, element: Any, inherited: str) -> None:
    import pydyf

    info = tree.info(element)
    if info is not None and info.lang and info.lang.lower() != inherited.lower():
        element["Lang"] = pydyf.String(info.lang)
        inherited = info.lang
    for kid in tree.elements(element):
        _langs(tree, kid, inherited)


def _reparent_tree(tree: _Tree, root: Any) -> None:
    """Point the parent tree's entries for removed elements at the elements that took over
    their content."""
    def heir(ref: bytes) -> bytes:
        while ref in tree.merged:
            ref = tree.merged[ref]
        return ref

    nums = tree.get(root["ParentTree"])["Nums"]
    for at in range(1, len(nums), 2):
        value = nums[at]
        if isinstance(value, bytes):
            nums[at] = heir(value)
        else:
            value[:] = [heir(ref) if isinstance(ref, bytes) else ref for ref in value]
