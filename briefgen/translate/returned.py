"""A translator's file as it comes back: XLIFF 2 or PO (told apart by content), read within
a size limit, its brief and language from its own metadata, each entry's source and target
rebuilt as Markdown. An XLIFF target's codes are checked against its source's here (lost,
duplicated, invented, unclosed, moved out of a span or block, line structure reordered);
what every format gets checked on the Markdown is in translate/verify.py."""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import polib
from defusedxml import DefusedXmlException

from briefgen.errors import Problems
from briefgen.translate import xliff
from briefgen.translate.po import HASH, LAYOUT
from briefgen.translate.xliff import FROM_MEMORY, NEEDS_REVIEW, q

MAX_BYTES = 20_000_000
MAX_DEPTH = 50  # inline codes inside one another
Code = tuple[str, str, str]  # role (text, ph, open, close, line), id, Markdown
CONFIRMED = ("translated", "reviewed", "final")


@dataclass
class Back:
    """One entry of a returned file."""

    id: str  # UID/FIELD/N, UID/FIELD
    uid: str
    field: str
    n: int  # 0: the whole field; keywords: the keyword's number
    line: int
    source: str
    target: str | None
    confirmed: bool
    hash: str
    layout: tuple[str, ...] = ()
    #: XLIFF: the codes of source and target (role, id, Markdown), checked when it is merged
    codes: tuple[list[Code], list[Code]] | None = None


@dataclass
class Returned:
    path: str  # as shown
    format: str  # xliff or po
    brief: str
    lang: str
    entries: list[Back] = field(default_factory=list)
    line: int = 1  # where the brief and language are said


def read(path: Path, shown: str, problems: Problems) -> Returned | None:
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        problems.error(shown, 0, 0, f"cannot read the file: {exc.strerror}", code="BG620")
        return None
    if len(raw) > MAX_BYTES:
        problems.error(shown, 0, 0, f"the file is larger than {MAX_BYTES:,} bytes",
                       code="BG620")
        return None
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _xliff(raw, shown, problems)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.error(shown, 0, 0, "neither XLIFF nor a UTF-8 PO file", code="BG620")
        return None
    return _po(text, shown, problems)


# -- XLIFF ------------------------------------------------------------------------------------


def _xliff(raw: bytes, shown: str, problems: Problems) -> Returned | None:
    try:
        root, lines = xliff.parse(raw)
    except ParseError as exc:
        line, col = exc.position
        problems.error(shown, line, col + 1, f"not well-formed XML: {exc.msg}", code="BG621")
        return None
    except DefusedXmlException as exc:
        problems.error(shown, 0, 0, f"refused: the XML uses {type(exc).__name__} (DTDs and "
                       "entities are not read)", code="BG621")
        return None
    files = root.findall(q("file"))
    if root.tag != q("xliff") or not str(root.get("version", "")).startswith("2.") or \
            len(files) != 1:
        problems.error(shown, 1, 1, "not an XLIFF 2 file of one brief (briefgen translations "
                       "export writes one <file> per brief)", code="BG621")
        return None
    fnode = files[0]
    out = Returned(shown, "xliff", str(fnode.get("id", "")), str(root.get("trgLang", "")),
                   line=lines.get(id(fnode), 1))
    for unit in fnode.findall(q("unit")):
        _unit(unit, lines, out, problems)
    return out


def _meta(unit: Element) -> dict[str, str]:
    found = {}
    for meta in unit.iter(f"{{{xliff.MDA}}}meta"):
        found[str(meta.get("type"))] = meta.text or ""
    return found


def _unit(unit: Element, lines: dict[int, int], out: Returned, problems: Problems) -> None:
    line = lines.get(id(unit), 0)
    uid, _, name = str(unit.get("id", "")).rpartition(":")
    meta = _meta(unit)
    try:
        layout = tuple(json.loads(meta["layout"])) if "layout" in meta else ()
    except ValueError:
        layout = ("?",)  # reproduces no source: refused as changed
    data = {str(d.get("id")): d.text or "" for d in unit.iter(q("data"))}
    for seg in unit.findall(q("segment")):
        sline = lines.get(id(seg), line)
        sid = str(seg.get("id", ""))
        n = 0 if sid == "all" else int(sid) if sid.isdigit() else -1
        ident = f"{uid}/{name}" if n == 0 else f"{uid}/{name}/{sid}"
        src_el, tgt_el = seg.find(q("source")), seg.find(q("target"))
        source = _codes(src_el, data, shown=out.path, line=sline, ident=ident,
                        problems=problems) if src_el is not None else []
        target = _codes(tgt_el, data, shown=out.path, line=lines.get(id(tgt_el), sline),
                        ident=ident, problems=problems) if tgt_el is not None else None
        state = str(seg.get("state", "initial"))
        sub = str(seg.get("subState", ""))
        confirmed = state in CONFIRMED and sub not in (NEEDS_REVIEW, FROM_MEMORY) and \
            target is not None and any(c[0] == "text" and c[2].strip() for c in target)
        tline = lines.get(id(tgt_el), sline) if tgt_el is not None else sline
        out.entries.append(Back(
            ident, uid, name, n, tline, "".join(c[2] for c in source),
            "".join(c[2] for c in target) if target is not None else None, confirmed,
            meta.get("source_hash", ""), layout, (source, target or [])))


def _codes(el: Element, data: dict[str, str], *, shown: str, line: int, ident: str,
           problems: Problems) -> list[Code]:
    out: list[Code] = []

    def ref(child: Element, attr: str) -> str:
        key = child.get(attr)
        if key is None or key not in data:
            return "\0"  # no Markdown known: the checks refuse it as invented
        return data[key]

    def walk(node: Element, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            problems.error(shown, line, 1, f"{ident}: inline codes nested more than "
                           f"{MAX_DEPTH} deep", code="BG621")
            return
        if node.text:
            out.append(("text", "", node.text))
        for child in node:
            tag = child.tag
            cid = str(child.get("id", ""))
            if tag == q("ph"):
                role = "line" if child.get("subType") == "briefgen:line" else "ph"
                out.append((role, cid, ref(child, "dataRef")))
            elif tag == q("pc"):
                out.append(("open", cid, ref(child, "dataRefStart")))
                walk(child, depth + 1)
                out.append(("close", cid, ref(child, "dataRefEnd")))
            elif tag == q("sc"):
                out.append(("open", cid, ref(child, "dataRef")))
            elif tag == q("ec"):
                out.append(("close", str(child.get("startRef", cid)), ref(child, "dataRef")))
            elif tag == q("cp"):
                try:
                    out.append(("text", "", chr(int(str(child.get("hex")), 16))))
                except ValueError:
                    out.append(("text", "", "\0"))
            elif tag == q("mrk"):
                walk(child, depth + 1)  # an annotation (a term, a comment): its text counts
            elif tag not in (q("sm"), q("em")):
                problems.error(shown, line, 1, f"{ident}: unknown inline element "
                               f"<{tag.rpartition('}')[2]}>", code="BG628")
            if child.tail:
                out.append(("text", "", child.tail))

    walk(el)
    return out


def check_codes(source: list[Code], target: list[Code], shown: str, line: int, ident: str,
                problems: Problems) -> None:
    """The target's codes are the source's: each once, pairs closed in order, none moved
    out of or into the span or ':::' block around it, the line structure in order."""
    lines = {i for r, i, _ in source if r == "line"}
    target = [("line" if r == "ph" and i in lines else r, i, d) for r, i, d in target]
    want = {(r, i): d for r, i, d in source if r != "text"}
    for r, i, d in target:
        if r != "text" and ((r, i) not in want or want[(r, i)] != d):
            problems.error(shown, line, 1, f"{ident}: the translation has a code the source "
                           f"has not: {_show(d)} (id {i})", code="BG628")
            return
    opened: list[str] = []
    for r, i, _ in target:
        if r == "open":
            opened.append(i)
        elif r == "close":
            if i not in opened:
                problems.error(shown, line, 1, f"{ident}: the code {_show(want[('open', i)])} "
                               "is closed before it is opened", code="BG629")
                return
            opened.remove(i)
    if opened:
        problems.error(shown, line, 1, f"{ident}: the code {_show(want[('open', opened[0])])} "
                       "is opened but never closed", code="BG629")
        return
    counts: dict[tuple[str, str], int] = {}
    for r, i, _ in target:
        if r != "text":
            counts[(r, i)] = counts.get((r, i), 0) + 1
    for key, d in want.items():
        got = counts.get(key, 0)
        if got == 0:
            problems.error(shown, line, 1, f"{ident}: the placeholder {_show(d)} is missing "
                           "from the translation", code="BG626")
            return
        if got > 1:
            problems.error(shown, line, 1, f"{ident}: the placeholder {_show(d)} appears "
                           f"{got} times in the translation, once in the source", code="BG627")
            return
    if [i for r, i, _ in source if r == "line"] != [i for r, i, _ in target if r == "line"]:
        problems.error(shown, line, 1, f"{ident}: the line structure (newlines, list and "
                       "table markers, ':::' lines) is reordered illegally", code="BG631")
        return
    theirs, ours = _contexts(source), _contexts(target)
    for key, where in ours.items():
        if theirs.get(key) != where:
            problems.error(shown, line, 1, f"{ident}: {_show(want[key])} is reordered "
                           "illegally: it moved out of or into the audience or lang span or "
                           "the ':::' block that encloses it in the source", code="BG630")
            return


def _contexts(codes: list[Code]) -> dict[tuple[str, str], tuple[object, ...]]:
    """Each code's enclosing spans (by id) and the ':::' lines before it."""
    spans: list[str] = []
    blocks = 0
    out: dict[tuple[str, str], tuple[object, ...]] = {}
    span_ids = {i for r, i, d in codes if r == "close" and d.startswith("]{")}
    for r, i, d in codes:
        if r == "text":
            continue
        if r == "close" and i in spans:
            spans.remove(i)
        out.setdefault((r, i), (tuple(spans), blocks))
        if r == "open" and i in span_ids:
            spans.append(i)
        if r == "line" and d.lstrip(" >").startswith(":::"):
            blocks += 1
    return out


def _show(markdown: str) -> str:
    return "'" + markdown.replace("\n", "\\n") + "'"


# -- PO ---------------------------------------------------------------------------------------


def _po(text: str, shown: str, problems: Problems) -> Returned | None:
    # polib.pofile takes a string for a file name when such a file exists: a returned file
    # that holds a path must never make it read that path, so it always reads a file of ours
    with tempfile.TemporaryDirectory(prefix="briefgen-po-") as tmp:
        copy = Path(tmp) / "returned.po"
        copy.write_text(text, encoding="utf-8")
        try:
            po = polib.pofile(str(copy), encoding="utf-8")
        except (OSError, ValueError, UnicodeError) as exc:
            said = str(exc).replace(f" {copy}", "")
            at = re.search(r"\(line (\d+)\)", said)
            problems.error(shown, int(at[1]) if at else 0, 1 if at else 0,
                           f"not a PO file: {said}", code="BG621")
            return None
    brief = po.metadata.get("X-Briefgen-Brief", "")
    out = Returned(shown, "po", brief, po.metadata.get("Language", ""))
    for e in po:
        if e.obsolete:
            continue
        comment = {ln.partition(": ")[0] + ": ": ln.partition(": ")[2]
                   for ln in (e.comment or "").split("\n")}
        try:
            layout = tuple(json.loads(comment[LAYOUT])) if LAYOUT in comment else ()
        except ValueError:
            layout = ("?",)
        ident = e.msgctxt or ""
        parts = ident.split("/")
        n = int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else 0 if \
            len(parts) == 2 else -1
        confirmed = "fuzzy" not in e.flags and bool(e.msgstr.strip())
        out.entries.append(Back(ident, parts[0], parts[1] if len(parts) > 1 else "", n,
                                e.linenum, e.msgid, e.msgstr if e.msgstr else None, confirmed,
                                comment.get(HASH, ""), layout))
    return out
