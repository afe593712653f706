"""PDF/UA-1 checks of briefgen's own: what the Matterhorn Protocol makes machine-checkable
for the PDFs briefgen emits, read with pikepdf (docs/pdfua.md lists what is covered).

`check(pdf_bytes)` returns Findings, each with its Matterhorn checkpoint ("09-005"), a
short message and where it was found. A pure function: no WeasyPrint, no files.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf

STANDARD_TYPES = frozenset(
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H "
    "H1 H2 H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note "
    "Reference BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP Figure Formula Form"
    .split())
BLOCKS = frozenset("P H H1 H2 H3 H4 H5 H6 Lbl LBody TD TH Caption BlockQuote Note TOCI"
                   .split())
# Structure types a parent may hold, per ISO 32000-1 tables 336 and 337.
KIDS = {"L": ({"LI", "Caption"}, "09-005"), "LI": ({"Lbl", "LBody"}, "09-005"),
        "TOC": ({"TOCI", "TOC", "Caption"}, "09-006"),
        "TOCI": ({"Lbl", "Reference", "NonStruct", "P", "TOC"}, "09-006"),
        "Table": ({"TR", "THead", "TBody", "TFoot", "Caption"}, "09-004"),
        "THead": ({"TR"}, "09-004"), "TBody": ({"TR"}, "09-004"), "TFoot": ({"TR"}, "09-004"),
        "TR": ({"TH", "TD"}, "09-004")}
# A label: of a list item, or (ISO 32000-1 table 338 and 14.8.4.3) of a note, a contents
# item or a bibliography entry.
PARENTS = {"LI": ({"L"}, "09-005"), "Lbl": ({"LI", "Note", "TOCI", "BibEntry"}, "09-005"),
           "LBody": ({"LI"}, "09-005"),
           "TOCI": ({"TOC"}, "09-006"), "TR": ({"Table", "THead", "TBody", "TFoot"}, "09-004"),
           "TH": ({"TR"}, "09-004"), "TD": ({"TR"}, "09-004")}
PAINT = frozenset({"Tj", "TJ", "'", '"', "f", "F", "f*", "B", "B*", "b", "b*", "S", "s",
                   "sh", "Do", "BI", "INLINE IMAGE"})
CJK = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
                 r"\uac00-\ud7a3]")
LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")
# An address is in no language: its letters are not a passage to mark.
ADDRESS = re.compile(r"(?:https?|ftp|mailto):\S*|www\.\S+|\S+@\S+\.\w+", re.I)
CJK_LANGS = frozenset({"ko", "zh", "ja"})
MAX_DEPTH = 200
# Checkpoints judged by a heuristic on the text, not proven by the structure.
HEURISTIC = frozenset({"11-001"})


@dataclass(frozen=True)
class Finding:
    checkpoint: str  # the Matterhorn Protocol 1.1 checkpoint, e.g. "14-003"
    message: str     # what is wrong, the same words wherever it is found
    where: str       # a structure path ("Document>L>L") or "page 3"


@dataclass
class Node:
    elem: pikepdf.Dictionary
    type: str
    path: str
    lang: str
    parent: Node | None
    kids: list[Node] = field(default_factory=list)
    text: str = ""  # the text of its own marked content
    mcids: list[tuple[tuple[int, int], int]] = field(default_factory=list)


def check(pdf_bytes: bytes) -> list[Finding]:
    """Every finding in one PDF, in a stable order (document, structure, pages)."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        return _Checker(pdf).run()


class _Checker:
    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.findings: list[Finding] = []
        self.nodes: list[Node] = []
        self.seen: set[tuple[int, int]] = set()
        self.objrs: set[tuple[int, int]] = set()  # annotations a Link element points to
        self.objr_owners: dict[tuple[int, int], Node] = {}  # annotation -> element by OBJR
        self.owners: dict[tuple[tuple[int, int], int], Node] = {}  # (page, MCID) -> node
        self.role_map: dict[str, str] = {}
        self.unmapped: set[str] = set()  # fonts that draw a code their ToUnicode lacks

    def add(self, checkpoint: str, message: str, where: str) -> None:
        self.findings.append(Finding(checkpoint, message, where))

    def run(self) -> list[Finding]:
        self.document()
        root = self.pdf.Root.get("/StructTreeRoot")
        if isinstance(root, pikepdf.Dictionary):
            self.role_map = {str(k).lstrip("/"): str(v) for k, v in
                             dict(root.get("/RoleMap", pikepdf.Dictionary())).items()}
            lang = str(self.pdf.Root.get("/Lang", ""))
            for kid in _array(root.get("/K")):
                if isinstance(kid, pikepdf.Dictionary):
                    self.walk(kid, None, lang, None, 0)
            self.structure()
        else:
            self.add("01-005", "no structure tree: nothing is tagged", "document")
        for number, page in enumerate(self.pdf.pages, 1):
            self.page(number, page)
        self.fonts()
        self.languages()
        return self.findings

    # -- the document ----------------------------------------------------------------
    def document(self) -> None:
        root = self.pdf.Root
        if "/Metadata" not in root:
            self.add("06-001", "no XMP metadata stream", "document")
        else:
            meta = self.pdf.open_metadata()
            if str(meta.get("pdfuaid:part", "")) != "1":
                self.add("06-002", "XMP metadata lacks the PDF/UA identifier (pdfuaid:part 1)",
                         "document")
            if not str(meta.get("dc:title", "")).strip():
                self.add("06-003", "XMP metadata has no dc:title", "document")
        prefs = root.get("/ViewerPreferences")
        if not isinstance(prefs, pikepdf.Dictionary) or "/DisplayDocTitle" not in prefs:
            self.add("07-001", "ViewerPreferences has no DisplayDocTitle", "document")
        elif not bool(prefs.DisplayDocTitle):
            self.add("07-002", "DisplayDocTitle is false: viewers show the file name",
                     "document")
        if not str(root.get("/Lang", "")).strip():
            self.add("11-006", "the catalog has no /Lang", "document")
        mark = root.get("/MarkInfo")
        if isinstance(mark, pikepdf.Dictionary) and bool(mark.get("/Suspects", False)):
            self.add("01-007", "MarkInfo Suspects is true", "document")

    # -- the structure tree ----------------------------------------------------------
    def standard(self, raw: str) -> str:
        name, hops = raw, 0
        while name not in STANDARD_TYPES and name in self.role_map and hops < 10:
            name, hops = self.role_map[name].lstrip("/"), hops + 1
        return name

    def walk(self, elem: pikepdf.Dictionary, parent: Node | None, lang: str,
             page: tuple[int, int] | None, depth: int) -> None:
        key = elem.objgen
        if key in self.seen or depth > MAX_DEPTH:
            return
        if key != (0, 0):
            self.seen.add(key)
        raw = str(elem.get("/S", "/")).lstrip("/")
        kind = self.standard(raw)
        path = f"{parent.path}>{kind}" if parent else kind
        if kind not in STANDARD_TYPES:
            self.add("01-006", f"structure type {raw} maps to no standard type", path)
        own = str(elem.get("/Lang", "")).strip()
        node = Node(elem, kind, path, own or lang, parent)
        if parent:
            parent.kids.append(node)
        self.nodes.append(node)
        pg = elem.get("/Pg")
        page = pg.objgen if isinstance(pg, pikepdf.Dictionary) else page
        for kid in _array(elem.get("/K")):
            if isinstance(kid, int):
                if page is not None:
                    node.mcids.append((page, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary):
                kind_of = str(kid.get("/Type", ""))
                if kind_of == "/OBJR":
                    obj = kid.get("/Obj")
                    if isinstance(obj, pikepdf.Dictionary):
                        self.objr_owners[obj.objgen] = node
                        if kind == "Link":
                            self.objrs.add(obj.objgen)
                elif kind_of == "/MCR":
                    mpg = kid.get("/Pg")
                    where = mpg.objgen if isinstance(mpg, pikepdf.Dictionary) else page
                    if where is not None:
                        node.mcids.append((where, int(kid.get("/MCID", -1))))
                else:
                    self.walk(kid, node, node.lang, page, depth + 1)
        for mcid in node.mcids:
            self.owners[mcid] = node

    def structure(self) -> None:
        headings: list[Node] = []
        ids: dict[str, int] = {}
        referenced: set[tuple[int, int]] = set()
        for node in self.nodes:
            if node.type == "Reference":
                referenced.update(r.objgen for r in _array(node.elem.get("/Ref"))
                                  if isinstance(r, pikepdf.Dictionary))
            if node.type == "Note" and str(node.elem.get("/ID", "")):
                ident = str(node.elem.ID)
                ids[ident] = ids.get(ident, 0) + 1
        for node in self.nodes:
            self.nesting(node)
            if re.fullmatch(r"H[1-6]", node.type):
                headings.append(node)
            if node.type == "Figure" and not (_text(node.elem, "/Alt")
                                              or _text(node.elem, "/ActualText")):
                self.add("13-004", "Figure without /Alt or /ActualText", node.path)
            if node.type == "TH":
                self.header(node)
            if node.type == "Table" and not any(d.type == "TH" for d in _descendants(node)):
                self.add("15-005", "Table without TH: no cell's header can be determined",
                         node.path)
            if node.type == "Link":
                if not any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"
                           for k in _array(node.elem.get("/K"))):
                    self.add("28-011", "Link element without an OBJR to its annotation",
                             node.path)
                if _ancestor(node, "Link"):
                    self.add("09-001", "Link inside a Link", node.path)
            if node.type == "Note":
                ident = _text(node.elem, "/ID")
                if not ident:
                    self.add("19-003", "Note without /ID", node.path)
                elif ids[ident] > 1:
                    self.add("19-004", "Note /ID is not unique", node.path)
                if node.elem.objgen not in referenced:
                    self.add("19-002", "Note that no Reference (its call) points to by /Ref",
                             node.path)
        previous = 0
        for number, node in enumerate(headings):
            level = int(node.type[1])
            if number == 0 and level != 1:
                self.add("14-002", f"the first heading is {node.type}, not H1", node.path)
            elif number and level > previous + 1:
                self.add("14-003", f"heading level skipped: H{previous} to {node.type}",
                         node.path)
            previous = level

    def nesting(self, node: Node) -> None:
        if node.type in KIDS:
            allowed, checkpoint = KIDS[node.type]
            for kid in node.kids:
                if kid.type not in allowed:
                    self.add(checkpoint, f"{kid.type} directly inside {node.type}", kid.path)
            if node.type == "LI" and not any(k.type == "LBody" for k in node.kids):
                self.add("09-005", "LI without LBody", node.path)
        if node.type in PARENTS:
            allowed, checkpoint = PARENTS[node.type]
            parent = node.parent.type if node.parent else "the root"
            if parent not in allowed:
                self.add(checkpoint, f"{node.type} inside {parent}", node.path)

    def header(self, node: Node) -> None:
        """A TH needs a Scope, or an ID that the table's cells name in their Headers."""
        attributes = [a for a in _array(node.elem.get("/A")) if isinstance(a, pikepdf.Dictionary)]
        if any("/Scope" in a for a in attributes):
            return
        ident = _text(node.elem, "/ID")
        table = _ancestor(node, "Table")
        if ident and table and any(
                ident in {str(h) for a in _array(cell.elem.get("/A"))
                          if isinstance(a, pikepdf.Dictionary) for h in _array(a.get("/Headers"))}
                for cell in _descendants(table) if cell.type == "TD"):
            return
        self.add("15-003", "TH without /Scope, and no cell names it in /Headers", node.path)

    # -- page content and annotations -------------------------------------------------
    def page(self, number: int, page: pikepdf.Page) -> None:
        where = f"page {number}"
        state = _PageState()
        _scan(page.obj, pikepdf.parse_content_stream(page), state, 0)
        if state.untagged:
            self.add("01-005", "content neither tagged nor an Artifact", where)
        if state.artifact_in_tagged:
            self.add("01-003", "an Artifact inside tagged content", where)
        if state.tagged_in_artifact:
            self.add("01-004", "tagged content inside an Artifact", where)
        key = page.obj.objgen
        for mcid, text in state.texts.items():
            if (key, mcid) in self.owners:
                self.owners[key, mcid].text += text
        if any((key, mcid) not in self.owners for mcid in state.mcids):
            self.add("01-005", "marked content that no element of the structure tree holds",
                     where)
        self.parent_tree_of_page(page, state.mcids, where)
        self.unmapped.update(state.unmapped)
        annots = [a for a in _array(page.obj.get("/Annots")) if isinstance(a, pikepdf.Dictionary)]
        if annots and str(page.obj.get("/Tabs", "")) != "/S":
            self.add("28-008" if "/Tabs" not in page.obj else "28-009",
                     "a page with annotations whose /Tabs is not /S", where)
        for annot in annots:
            if annot.get("/Subtype") != "/Link":
                continue
            if not _text(annot, "/Contents"):
                self.add("28-012", "link annotation without /Contents", where)
            if annot.objgen not in self.objrs:
                self.add("28-011", "link annotation that no Link element holds by OBJR", where)
            owner = self.objr_owners.get(annot.objgen)
            if owner is not None and not _same(self.parent_tree(annot.get("/StructParent")),
                                               owner.elem):
                self.add("01-005", "an annotation the parent tree maps to another element "
                         "than the one holding its OBJR", where)

    def parent_tree(self, index: object) -> pikepdf.Object | None:
        """The parent tree's value for a StructParent(s) index, or None."""
        if not isinstance(index, int):
            return None
        root = self.pdf.Root.get("/StructTreeRoot")
        tree = root.get("/ParentTree") if isinstance(root, pikepdf.Dictionary) else None
        if not isinstance(tree, pikepdf.Dictionary):
            return None
        try:
            return pikepdf.NumberTree(tree).get(index)
        except (pikepdf.PdfError, TypeError, ValueError):
            return None

    def parent_tree_of_page(self, page: pikepdf.Page, mcids: set[int], where: str) -> None:
        """A reader goes from marked content to its element through the parent tree: it must
        name the element that holds the content."""
        key = page.obj.objgen
        held = sorted(m for m in mcids if (key, m) in self.owners)
        if not held:
            return
        parents = self.parent_tree(page.obj.get("/StructParents"))
        entries = _array(parents)
        if any(m >= len(entries) or not _same(entries[m], self.owners[key, m].elem)
               for m in held):
            self.add("01-005", "marked content the parent tree maps to another element than "
                     "the one holding it", where)

    def fonts(self) -> None:
        for name, font in sorted(_fonts(self.pdf).items()):
            descendant: pikepdf.Object = font
            if font.get("/Subtype") == "/Type0":
                descendant = (_array(font.get("/DescendantFonts")) or [font])[0]
            if font.get("/Subtype") != "/Type3":
                descriptor = descendant.get("/FontDescriptor")
                if not isinstance(descriptor, pikepdf.Dictionary) or not any(
                        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    self.add("31-009", f"font {name} is not embedded", "document")
            if "/ToUnicode" not in font:
                self.add("10-001", f"font {name} has no ToUnicode map", "document")
        for name in sorted(self.unmapped):
            self.add("10-001", f"font {name} draws a character code its ToUnicode does not map",
                     "document")

    # -- languages --------------------------------------------------------------------
    def languages(self) -> None:
        """A passage in another script than its /Lang says: Hangul, Han or Kana under a
        Latin-script language, or under ko, zh or ja a passage of three Latin words or more
        with more Latin letters than CJK characters. Text is judged per block (P, LI's
        LBody, TD, a heading, ...) and language."""
        units: dict[tuple[int, str], tuple[Node, list[str]]] = {}
        for node in self.nodes:
            if node.text:
                unit = _unit(node)
                units.setdefault((id(unit), node.lang), (unit, []))[1].append(node.text)
        for (_, lang), (unit, texts) in units.items():
            text = "".join(texts)
            cjk = len(CJK.findall(text))
            if lang.split("-")[0].lower() not in CJK_LANGS:
                if cjk:
                    self.add("11-001", f"CJK text where /Lang is {lang or 'missing'}",
                             unit.path)
            else:
                words = LATIN_WORD.findall(ADDRESS.sub(" ", text))
                if len(words) >= 3 and sum(map(len, words)) > cjk:
                    self.add("11-001", f"a Latin-script passage where /Lang is {lang}",
                             unit.path)


def _unit(node: Node) -> Node:
    """The block a text belongs to: its nearest block, else its branch of the Document."""
    current: Node | None = node
    while current is not None:
        if current.type in BLOCKS:
            return current
        if current.parent is None or current.parent.parent is None:
            return current
        current = current.parent
    return node


@dataclass
class _PageState:
    stack: list[str] = field(default_factory=list)  # "mcid:<n>", "artifact" or "other"
    untagged: int = 0
    artifact_in_tagged: int = 0
    tagged_in_artifact: int = 0
    texts: dict[int, str] = field(default_factory=dict)  # MCID -> its text
    mcids: set[int] = field(default_factory=set)  # every MCID marked on the page
    unmapped: set[str] = field(default_factory=set)
    font: tuple[str, pikepdf.Dictionary] | None = None
    maps: dict[tuple[int, int], dict[int, str]] = field(default_factory=dict)


Instructions = list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage]


def _scan(owner: pikepdf.Object, instructions: Instructions, state: _PageState,
          depth: int) -> None:
    resources = owner.get("/Resources", pikepdf.Dictionary())
    for instruction in instructions:
        op = str(instruction.operator)
        operands = list(getattr(instruction, "operands", []))
        if op in ("BMC", "BDC"):
            tag = str(operands[0])
            props = operands[1] if len(operands) > 1 else None
            if isinstance(props, pikepdf.Name):
                props = resources.get("/Properties", pikepdf.Dictionary()).get(props)
            mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
            if tag == "/Artifact":
                if any(s.startswith("mcid") for s in state.stack):
                    state.artifact_in_tagged += 1
                state.stack.append("artifact")
            elif mcid is not None:
                if "artifact" in state.stack:
                    state.tagged_in_artifact += 1
                state.stack.append(f"mcid:{int(mcid)}")
                state.mcids.add(int(mcid))
            else:
                state.stack.append("other")
        elif op == "EMC":
            if state.stack:
                state.stack.pop()
        elif op == "Tf" and operands:
            font = resources.get("/Font", pikepdf.Dictionary()).get(operands[0])
            if isinstance(font, pikepdf.Dictionary):
                state.font = (str(font.get("/BaseFont", operands[0])).lstrip("/"), font)
        if op not in PAINT and not isinstance(instruction, pikepdf.ContentStreamInlineImage):
            continue
        marked = [s for s in state.stack if s != "other"]
        if not marked:
            state.untagged += 1
        if op in ("Tj", "TJ", "'", '"'):
            text = _decode(operands, state)
            mcids = [s for s in marked if s.startswith("mcid")]
            if mcids and "artifact" not in marked:
                number = int(mcids[-1][5:])
                state.texts[number] = state.texts.get(number, "") + text
        if op == "Do" and depth < 10:
            xobject = resources.get("/XObject", pikepdf.Dictionary()).get(operands[0])
            if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Form":
                _scan(xobject, pikepdf.parse_content_stream(xobject), state, depth + 1)


def _decode(operands: list[pikepdf.Object], state: _PageState) -> str:
    if state.font is None:
        return ""
    name, font = state.font
    if font.objgen not in state.maps:
        cmap = font.get("/ToUnicode")
        state.maps[font.objgen] = (_to_unicode(bytes(cmap.read_bytes()))
                                   if isinstance(cmap, pikepdf.Stream) else {})
    mapping = state.maps[font.objgen]
    width = 2 if font.get("/Subtype") == "/Type0" else 1
    strings = [o for o in operands if isinstance(o, pikepdf.String)]
    for o in operands:
        if isinstance(o, pikepdf.Array):
            strings += [s for s in o if isinstance(s, pikepdf.String)]
    out = []
    for string in strings:
        data = bytes(string)
        for i in range(0, len(data) - width + 1, width):
            code = int.from_bytes(data[i:i + width], "big")
            if code in mapping:
                out.append(mapping[code])
            else:
                state.unmapped.add(name)
    return "".join(out)


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """A ToUnicode CMap's bfchar and bfrange entries: character code -> text."""
    text = cmap.decode("latin-1")
    mapping: dict[int, str] = {}

    def utf16(hexa: str) -> str:
        return bytes.fromhex(hexa).decode("utf-16-be", errors="replace")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[int(src, 16)] = utf16(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(
                r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block):
            start, end = int(lo, 16), int(hi, 16)
            if end - start > 0xFFFF:
                continue
            if dst.startswith("["):
                for offset, item in enumerate(re.findall(r"<([0-9A-Fa-f]*)>", dst)):
                    mapping[start + offset] = utf16(item)
            else:
                base, digits = int(dst[1:-1], 16), len(dst) - 2
                for offset in range(end - start + 1):
                    mapping[start + offset] = utf16(f"{base + offset:0{digits}X}")
    return mapping


def _fonts(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Dictionary]:
    found: dict[str, pikepdf.Dictionary] = {}

    def visit(resources: pikepdf.Object | None, depth: int) -> None:
        if not isinstance(resources, pikepdf.Dictionary) or depth > 10:
            return
        for key, font in dict(resources.get("/Font", pikepdf.Dictionary())).items():
            if isinstance(font, pikepdf.Dictionary):
                found[str(font.get("/BaseFont", key)).lstrip("/")] = font
        for xobject in dict(resources.get("/XObject", pikepdf.Dictionary())).values():
            if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Form":
                visit(xobject.get("/Resources"), depth + 1)

    for page in pdf.pages:
        visit(page.obj.get("/Resources"), 0)
    return found


def _same(a: object, b: pikepdf.Object) -> bool:
    return isinstance(a, pikepdf.Dictionary) and a.objgen == b.objgen


def _array(value: object) -> list[pikepdf.Object]:
    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return list(value)
    return [value]  # type: ignore[list-item]


def _text(obj: pikepdf.Dictionary, key: str) -> str:
    value = obj.get(key)
    return str(value).strip() if isinstance(value, pikepdf.String) else ""


def _ancestor(node: Node, kind: str) -> Node | None:
    parent = node.parent
    while parent is not None:
        if parent.type == kind:
            return parent
        parent = parent.parent
    return None


def _descendants(node: Node) -> Iterator[Node]:
    for kid in node.kids:
        yield kid
        yield from _descendants(kid)
