"""A numbered copy: a finished edition PDF stamped for one recipient, without laying it out
again (docs/editing.md, "Numbered copies", says what survives what).

Each page keeps its content stream and gains a second one, drawn after it inside
`/Artifact <</Type /Pagination /Subtype /Footer>>`: a footer line "№ SERIAL · name ·
organisation", and the serial once more as a run of zero-width characters drawn invisibly
(text render mode 3) at the top of the page, which pdftotext and copy-paste keep though no
one sees it. The footer line fits the page (fit_footer, measured with the stamp font's
advance widths): smaller, down to MIN_SIZE, then a name or organisation too long for it is
shortened to end with …, never the serial. The structure tree is not touched; the stamp's
font (stampfont.py) is added to each page's resources. The serial and the recipient also
go into the document information dictionary and the XMP packet (dc:rights). The same
edition, recipient and serial give the same bytes.

A serial is 8 characters of Crockford's base 32 (random, from the ledger) and a check
character (weighted sum mod 31), shown as XXXX-XXXX-C: a retyped serial with one wrong
character is refused, not matched to another recipient.
"""

from __future__ import annotations

import io
import math
import re
import secrets
from dataclasses import dataclass

import pikepdf

from briefgen.publish.stampfont import GlyphSource, StampFont, build_font

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
SERIAL = re.compile(r"\b([0-9A-Z]{4})-([0-9A-Z]{4})-([0-9A-Z])\b")
FOOTER = re.compile(r"№\s*([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])")
#: the hidden fingerprint: U+2060 frames 36 symbols, each of U+200B, U+200C, U+200D a trit
FRAME = "\u2060"
TRITS = "\u200b\u200c\u200d"
HIDDEN = re.compile(f"{FRAME}([{TRITS}]{{36}}){FRAME}")
FONT_NAME = pikepdf.Name("/BGStamp")
SIZE = 7.0  # points, the footer line's largest size
MIN_SIZE = 4.0
MARGIN = 36.0  # points kept clear at each side of the footer line
ELLIPSIS = "…"  # ends a name or organisation shortened to fit the footer line
BASELINE = 14.0  # points above the page's bottom edge


def check_char(body: str) -> str:
    """The check character of 8 serial characters."""
    return ALPHABET[sum((i + 1) * ALPHABET.index(c) for i, c in enumerate(body)) % 31]


def new_serial() -> str:
    """A fresh serial: 40 random bits, so that serials neither count nor can be guessed."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{body[:4]}-{body[4:]}-{check_char(body)}"


def valid_serial(serial: str) -> bool:
    match = SERIAL.fullmatch(serial)
    return bool(match) and all(c in ALPHABET for c in serial.replace("-", "")) and \
        check_char(serial[:4] + serial[5:9]) == serial[10]


def hidden_mark(serial: str) -> str:
    """The serial as zero-width characters: each of its 9 characters as 4 trits, framed."""
    trits = []
    for char in serial.replace("-", ""):
        value = ALPHABET.index(char)
        trits += [TRITS[value // 27], TRITS[value // 9 % 3], TRITS[value // 3 % 3],
                  TRITS[value % 3]]
    return FRAME + "".join(trits) + FRAME


def read_hidden(text: str) -> list[str]:
    """The valid serials hidden in text (hidden_mark's runs), in order."""
    found = []
    for match in HIDDEN.finditer(text):
        values = [TRITS.index(t) for t in match.group(1)]
        chars = "".join(ALPHABET[a * 27 + b * 9 + c * 3 + d] if a * 27 + b * 9 + c * 3 + d < 32
                        else "?" for a, b, c, d in zip(*[iter(values)] * 4, strict=True))
        serial = f"{chars[:4]}-{chars[4:8]}-{chars[8]}"
        if valid_serial(serial):
            found.append(serial)
    return found


def read_footer(text: str) -> list[str]:
    """The valid serials of visible footer lines ("№ XXXX-XXXX-C") in text, in order."""
    return [s for s in FOOTER.findall(text) if valid_serial(s)]


@dataclass(frozen=True)
class Stamp:
    serial: str
    name: str
    organisation: str

    @property
    def footer(self) -> str:
        return " · ".join(filter(None, (f"№ {self.serial}", self.name, self.organisation)))

    @property
    def recipient(self) -> str:
        return ", ".join(filter(None, (self.name, self.organisation)))

    @property
    def text(self) -> str:
        """Every character the stamp may draw (a shortened footer ends a part with …)."""
        return self.footer + ELLIPSIS + hidden_mark(self.serial)


def fit_footer(font: StampFont, mark: Stamp, width: float) -> tuple[str, float]:
    """The footer line drawn on a page this wide, and its size: the whole line at up to
    SIZE points within the margins; if it does not fit even at MIN_SIZE, the longer (as
    drawn) of name and organisation is shortened, one character at a time, to end with …,
    so that "№ SERIAL" is always on the page, whole. StampError if not even that fits."""
    room = width - 2 * MARGIN
    line = mark.footer
    # rounded down to what the content stream writes (_num): never a hair wider than room
    size = math.floor(min(SIZE, SIZE * room / max(font.width(line, SIZE), 1)) * 1000) / 1000
    if size >= MIN_SIZE:
        return line, size
    kept = [len(mark.name), len(mark.organisation)]
    parts = [mark.name, mark.organisation]

    def shown(i: int) -> str:
        return parts[i] if kept[i] == len(parts[i]) else parts[i][:kept[i]] + ELLIPSIS

    while font.width(line := Stamp(mark.serial, shown(0), shown(1)).footer, MIN_SIZE) > room:
        if kept == [0, 0]:
            raise StampError(f"a page {_num(width)} points wide has no room for the serial "
                             "of the footer line")
        wider = max((0, 1), key=lambda i: (font.width(shown(i), MIN_SIZE) if kept[i] else
                                           -1.0))
        kept[wider] -= 1
    return line, MIN_SIZE


class StampError(Exception):
    """The edition cannot be stamped as it is (say why)."""


def stamp(edition: bytes, mark: Stamp, glyphs: GlyphSource) -> bytes:
    """The edition's bytes stamped for one recipient."""
    font = build_font(glyphs, mark.text)
    with pikepdf.open(io.BytesIO(edition)) as pdf:
        font_obj = _font_object(pdf, font)
        for number, page in enumerate(pdf.pages, 1):
            _balanced(page, number)
            fonts = page.obj.get("/Resources", pikepdf.Dictionary()).get(
                "/Font", pikepdf.Dictionary())
            if FONT_NAME in fonts:
                raise StampError(f"page {number} already has a font named {FONT_NAME}: "
                                 "it is a stamped copy, not an edition")
        for page in pdf.pages:
            page.add_resource(font_obj, pikepdf.Name.Font, FONT_NAME)
            # the page's stream may change the matrix for good (WeasyPrint's first operator
            # flips the y axis): a q before it and a Q after it restore the initial state
            page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
            page.contents_add(pdf.make_stream(b"Q\n" + _drawing(page, font, mark)),
                              prepend=False)
        _metadata(pdf, mark)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)
        return out.getvalue()


def _balanced(page: pikepdf.Page, number: int) -> None:
    """The stamp is drawn in the page's initial graphics state: the page must restore it."""
    depth = 0
    for instruction in pikepdf.parse_content_stream(page, "q Q BT ET"):
        depth += {"q": 1, "Q": -1}.get(str(instruction.operator), 0)
    if depth != 0:
        raise StampError(f"page {number} leaves its graphics state changed (q/Q unbalanced)")


def _drawing(page: pikepdf.Page, font: StampFont, mark: Stamp) -> bytes:
    box = [float(v) for v in page.mediabox]
    width = box[2] - box[0]
    footer, size = fit_footer(font, mark, width)
    x = box[0] + (width - font.width(footer, size)) / 2
    hidden = hidden_mark(mark.serial)
    return b"".join([
        b"q /Artifact <</Type /Pagination /Subtype /Footer>> BDC\n",
        b"BT 0 Tc 0 Tw 100 Tz 0 Ts 0 Tr 0.25 g\n",
        f"/BGStamp {_num(size)} Tf 1 0 0 1 {_num(x)} {_num(box[1] + BASELINE)} Tm\n".encode(),
        b"<" + font.encode(footer).hex().upper().encode() + b"> Tj\n",
        b"3 Tr\n",
        f"1 0 0 1 {_num(box[0] + MARGIN)} {_num(box[3] - BASELINE)} Tm\n".encode(),
        b"<" + font.encode(hidden).hex().upper().encode() + b"> Tj\n",
        b"ET EMC Q\n"])


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _font_object(pdf: pikepdf.Pdf, font: StampFont) -> pikepdf.Object:
    """The Type0 font (Identity-H over a CIDFontType2 with the program embedded) and its
    ToUnicode map."""
    program = pdf.make_stream(font.program, Length1=len(font.program))
    descriptor = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/BGSTMP+BriefgenStamp"),
        Flags=4, FontBBox=list(font.bbox), ItalicAngle=0, Ascent=font.ascent,
        Descent=font.descent, CapHeight=font.ascent, StemV=80, FontFile2=program))
    cid = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name("/BGSTMP+BriefgenStamp"),
        CIDSystemInfo=pikepdf.Dictionary(Registry=pikepdf.String("Adobe"),
                                          Ordering=pikepdf.String("Identity"), Supplement=0),
        FontDescriptor=descriptor, DW=0, W=[1, list(font.widths)],
        CIDToGIDMap=pikepdf.Name.Identity))
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0,
        BaseFont=pikepdf.Name("/BGSTMP+BriefgenStamp"), Encoding=pikepdf.Name("/Identity-H"),
        DescendantFonts=[cid], ToUnicode=pdf.make_stream(_to_unicode(font.chars))))


def _to_unicode(chars: str) -> bytes:
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    entries = [f"<{i + 1:04X}> <{c.encode('utf-16-be').hex().upper()}>"
               for i, c in enumerate(chars)]
    for start in range(0, len(entries), 100):
        block = entries[start:start + 100]
        lines += [f"{len(block)} beginbfchar", *block, "endbfchar"]
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return ("\n".join(lines) + "\n").encode()


def _metadata(pdf: pikepdf.Pdf, mark: Stamp) -> None:
    words = f"Numbered copy {mark.serial}, issued to {mark.recipient}"
    pdf.docinfo[pikepdf.Name("/BriefgenCopy")] = mark.serial
    pdf.docinfo[pikepdf.Name("/BriefgenRecipient")] = mark.recipient
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:rights"] = words


@dataclass(frozen=True)
class Marks:
    """What a file or a text says about the copy it is: the serials found, by where."""

    metadata: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()

    @property
    def serials(self) -> list[str]:
        return sorted(set(self.metadata) | set(self.footer) | set(self.hidden))


def marks_in_text(text: str) -> Marks:
    return Marks(footer=tuple(dict.fromkeys(read_footer(text))),
                 hidden=tuple(dict.fromkeys(read_hidden(text))))


def marks_in_pdf(data: bytes, text: str) -> Marks:
    """The marks of a PDF: its metadata, and its page text (pdftotext's, given)."""
    found = marks_in_text(text)
    serials: list[str] = []
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            value = pdf.docinfo.get("/BriefgenCopy")
            if value is not None and valid_serial(str(value)):
                serials.append(str(value))
    except pikepdf.PdfError:
        pass
    return Marks(tuple(serials), found.footer, found.hidden)
