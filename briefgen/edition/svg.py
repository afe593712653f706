"""SVG images, sanitised to a self-contained drawing and inlined in the edition.

An SVG can carry scripts, event handlers, links to other files or sites, HTML in a
foreignObject, CSS that fetches (url(), @import) and entity bombs. briefgen parses it with
defusedxml (no DTD, no entities, no network), keeps only drawing elements it knows, and
refuses the file, naming what it found, when anything could run, fetch or hide text: it is
never embedded as written. What it keeps is written out again from the parsed tree, inline,
so that the leak guard reads its text (<text>, <title>, <desc>) like any other text of the
page, and WeasyPrint draws it as vectors in the PDF.
"""

from __future__ import annotations

import html
import re
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

#: the drawing elements kept (anything else in the SVG namespace is refused)
ELEMENTS = frozenset("""svg g defs symbol use path rect circle ellipse line polyline polygon
    text tspan title desc linearGradient radialGradient stop clipPath mask pattern
    marker switch filter feBlend feColorMatrix feComponentTransfer feComposite feFlood
    feFuncA feFuncB feFuncG feFuncR feGaussianBlur feMerge feMergeNode feMorphology feOffset
    feTile""".split())
#: elements that run, fetch, animate or embed another document: the file is refused
REFUSED = frozenset("""script foreignObject image feImage iframe embed object a animate set
    animateTransform animateMotion animateColor discard handler listener audio video
    cursor font-face-uri""".split())
#: the attributes kept, without namespace (others, and editors' namespaced ones, are dropped;
#: `class` too, since the page's own classes would style the drawing)
ATTRIBUTES = frozenset("""id style transform viewBox preserveAspectRatio width height x y
    x1 y1 x2 y2 cx cy r rx ry d points dx dy fill fill-opacity
    fill-rule stroke stroke-width stroke-opacity stroke-linecap stroke-linejoin
    stroke-miterlimit stroke-dasharray stroke-dashoffset opacity color display visibility
    font-family font-size font-style font-weight font-variant text-anchor text-decoration
    clip-path clip-rule mask marker-start marker-mid
    marker-end markerWidth markerHeight markerUnits refX refY orient gradientUnits
    gradientTransform spreadMethod offset stop-color stop-opacity fx fy fr patternUnits
    patternContentUnits patternTransform clipPathUnits maskUnits maskContentUnits filter
    filterUnits primitiveUnits in in2 result stdDeviation mode operator k1 k2 k3 k4 values
    type tableValues slope intercept amplitude exponent flood-color flood-opacity radius
    startOffset method spacing href lang xml:lang role aria-label
    aria-hidden vector-effect shape-rendering text-rendering image-rendering
    color-interpolation color-interpolation-filters paint-order overflow
    version""".split())
_URL = re.compile(r"url\s*\(\s*(['\"]?)\s*([^)'\"]*)", re.I)
_DANGER = re.compile(r"javascript:|vbscript:|data:|@import|expression\s*\(|behavior\s*:|"
                     r"-moz-binding", re.I)


class Refused(Exception):
    """Why an SVG is not embedded: the message names what was found."""


def is_svg(data: bytes, name: str) -> bool:
    """Whether a file is an SVG: by its name, or by its first tag."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return name.lower().endswith((".svg", ".svgz")) or head.startswith((b"<?xml", b"<svg",
                                                                        b"<!doctype svg"))


def sanitised(data: bytes, alt: str, prefix: str) -> str:
    """The SVG as inline markup for an HTML page: its drawing only, ids prefixed (two figures
    may use the same ids), labelled with alt; Refused when it holds anything that could run,
    fetch or embed."""
    if data[:2] == b"\x1f\x8b":
        raise Refused("it is compressed (.svgz); save it as plain SVG")
    if re.search(rb"<\?xml-stylesheet", data, re.I):
        raise Refused("it links a stylesheet (<?xml-stylesheet?>)")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise Refused(f"it has a DOCTYPE or entity declarations ({type(exc).__name__}), "
                      "which briefgen never reads") from None
    except (ParseError, ValueError) as exc:
        raise Refused(f"it is not well-formed XML: {exc}") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise Refused("its root element is not <svg> in the SVG namespace")
    _no_nested_uses(root)
    _text_is_seen_as_read(root)
    out: list[str] = []
    _write(root, prefix, out, top=True, alt=alt)
    return "".join(out)


def _no_nested_uses(root: Element) -> None:
    """A <use> may not copy an element that holds a <use>: uses of uses multiply the
    drawing's size at each level (an SVG "billion laughs"), and a loop never ends. Nor may
    it copy text: the copy is seen where the <use> puts it, which is not where the guard
    reads the text."""
    use, text = f"{{{SVG_NS}}}use", f"{{{SVG_NS}}}text"
    holders = {el.get("id") for el in root.iter() if el.get("id")
               and any(d.tag == use for d in el.iter())}
    texts = {el.get("id") for el in root.iter() if el.get("id")
             and any(d.tag == text for d in el.iter())}
    for el in root.iter(use):
        target = (el.get("href") or el.get(f"{{{XLINK_NS}}}href") or "").strip()
        if target.startswith("#") and target[1:] in holders:
            raise Refused(f"a <use> copies '{target}', which holds a <use> itself (uses of "
                          "uses can multiply without bound)")
        if target.startswith("#") and target[1:] in texts:
            raise Refused(f"a <use> copies '{target}', which holds text (a copy of text is "
                          "seen where the guard does not read it)")


#: elements whose content is not drawn where it stands, or is drawn for some readers only
_ELSEWHERE = frozenset("defs symbol pattern marker clipPath mask switch".split())
#: what may hide, cut or shrink text a reader would then not see, though the guard reads it
_HIDING = frozenset({"clip-path", "mask", "filter"})
#: the style properties text (or what holds it) may set: paint and font, nothing that moves
_TEXT_STYLE = frozenset("fill stroke stroke-width font-family font-weight font-style "
                        "font-size color".split())
_PAINT = frozenset("fill stroke color opacity fill-opacity stroke-opacity".split())
_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_LENGTH = re.compile(rf"\s*{_NUM}\s*(?:px|em)?\s*")
_SIZE = re.compile(rf"\s*({_NUM})\s*(?:px)?\s*")
_SEP = r"(?:\s*,\s*|\s+)"
_ARGS = {"matrix": (6,), "translate": (1, 2), "scale": (1, 2), "rotate": (1, 3),
         "skewX": (1,), "skewY": (1,)}
#: one transform function with the number of arguments SVG allows it (a browser ignores a
#: transform with any other count; WeasyPrint and the guard's reader would not)
_TRANSFORM = re.compile("(?:" + "|".join(
    rf"{name}\s*\(\s*{_NUM}(?:{_SEP}{_NUM}){{{n - 1}}}\s*\)"
    for name, counts in _ARGS.items() for n in counts) + ")")
_TRANSFORMS = re.compile(rf"\s*(?:{_TRANSFORM.pattern}(?:\s*,?\s*{_TRANSFORM.pattern})*)?\s*")
#: a colour text is painted in: opaque, named or written out (no url(), no alpha)
_OPAQUE = re.compile(r"\s*(?:#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[a-zA-Z]+|rgb\(\s*\d{1,3}%?\s*,"
                     r"\s*\d{1,3}%?\s*,\s*\d{1,3}%?\s*\))\s*")
#: the characters that reorder text around them (charts.py refuses them in its words too)
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_BIDI_CONTROLS = re.compile(f"[{BIDI_CONTROLS}]")
#: the smallest text a reader can see (px): smaller text could hide a letter between words
MIN_FONT_SIZE = 4.0


def _text_is_seen_as_read(root: Element) -> None:
    """Refuse what would make a drawing's text seen otherwise than the guard reads it
    (publish/svgread.py reads it by position): text drawn elsewhere than it stands (in a
    pattern, marker, mask, <defs>…) or for some readers only (<switch>), text hidden, cut or
    shrunk (display, visibility, opacity, clip-path, mask, filter, fill none, a tiny font),
    positions in units it cannot place (%), style that moves text, bidi controls, and
    transforms written otherwise than SVG's grammar allows (a browser ignores them)."""
    parents = {child: parent for parent in root.iter() for child in parent}
    holders: set[Element] = set()
    for el in root.iter():
        if "transform" in el.attrib and not _TRANSFORMS.fullmatch(el.attrib["transform"]):
            raise Refused(f"<{_local(str(el.tag))[1]}> has transform=\""
                          f"{el.attrib.get('transform', '')[:40]}\", which is not written as "
                          "SVG's grammar allows (a browser ignores it, the guard would not)")
        if _local(str(el.tag))[1] != "text":
            continue
        holders.update(el.iter())  # the text, its tspans and what they hold
        node: Element | None = el
        while node is not None:
            holders.add(node)
            node = parents.get(node)
    for el in holders:
        name = _local(str(el.tag))[1]
        _text_element_rules(el, name, parents, root)


def _text_element_rules(el: Element, name: str, parents: dict[Element, Element],
                        root: Element) -> None:
    if name in _ELSEWHERE:
        raise Refused(f"it has text inside <{name}>, which is drawn elsewhere than it "
                      "stands, or for some readers only")
    if name == "svg" and el is not root:
        raise Refused("it has text inside a nested <svg>, whose own viewport moves it")
    attrs = {_local(k)[1]: v for k, v in el.attrib.items()}
    style = {k.strip().lower(): v.strip() for k, _, v in (d.partition(":") for d in
             attrs.get("style", "").split(";")) if k.strip()} if el is not root else {}
    # (the root's style is dropped when it is written: the page lays the drawing out)
    for prop in style:
        if prop not in _TEXT_STYLE:
            raise Refused(f"the style of <{name}> sets '{prop}', which could move or hide "
                          "text (text may be styled with paint and font only)")
    props = {**attrs, **style}
    for prop in sorted(_HIDING & props.keys()):
        raise Refused(f"<{name}> holds text and has {prop}, which could hide or cut it")
    if props.get("display", "").strip() == "none" or \
            props.get("visibility", "").strip() in ("hidden", "collapse"):
        raise Refused(f"<{name}> hides the text it holds (display, visibility)")
    for prop in ("opacity", "fill-opacity"):
        value = props.get(prop, "1").strip()
        if not re.fullmatch(r"1(?:\.0*)?|100%", value):
            raise Refused(f"<{name}> holds text and has {prop}=\"{value[:20]}\": text is drawn "
                          "opaque or not at all")
    size = props.get("font-size")
    found = _SIZE.fullmatch(size) if size is not None else None
    if size is not None and (found is None or float(found.group(1)) < MIN_FONT_SIZE):
        raise Refused(f"<{name}> has font-size \"{size[:20]}\": give sizes in px, at least "
                      f"{MIN_FONT_SIZE:g}")
    fill = _inherited(el, "fill", parents) if name in ("text", "tspan") else None
    if fill is not None and (not _OPAQUE.fullmatch(fill) or fill.strip().lower() in (
            "none", "transparent", "currentcolor")):
        raise Refused(f"<{name}> paints its text with fill=\"{fill[:30]}\": text is painted "
                      "in an opaque colour (#rrggbb, rgb() or a name), never none, a "
                      "gradient, a pattern or a colour with alpha")
    if name not in ("text", "tspan"):
        return
    for prop in ("x", "y", "dx", "dy"):
        if prop in attrs and not _LENGTH.fullmatch(attrs[prop]):
            raise Refused(f"<{name}> has {prop}=\"{attrs[prop][:20]}\": give positions as "
                          "numbers, in px or em")
    if name == "tspan" and ("dx" in attrs or "transform" in attrs):
        raise Refused("a <tspan> moves along its line (dx, transform): start a new <text> "
                      "at its own x instead")
    painted = sorted(_PAINT & props.keys())
    if name == "tspan" and painted:
        raise Refused(f"a <tspan> has its own paint ({painted[0]}): a word painted like the "
                      "background would be read but not seen; paint the whole <text>")
    for child in el:
        if _local(str(child.tag))[1] in ("title", "desc"):
            raise Refused(f"<{name}> has a <{_local(str(child.tag))[1]}> inside its text")
    text = "".join(el.itertext())
    if _BIDI_CONTROLS.search(text):
        raise Refused(f"<{name}> has bidi control characters, which reorder its text")


def _inherited(el: Element, prop: str, parents: dict[Element, Element]) -> str | None:
    """A property's value on el: its own (style first), else the nearest ancestor's."""
    node: Element | None = el
    while node is not None:
        style = re.search(rf"(?:^|;)\s*{prop}\s*:\s*([^;]+)", node.get("style", ""), re.I)
        if style or node.get(prop) is not None:
            return style.group(1).strip() if style else node.get(prop)
        node = parents.get(node)
    return None


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


#: how deep elements may nest (a drawing needs a few levels; a crafted file, thousands)
MAX_DEPTH = 64


def _write(el: Element, prefix: str, out: list[str], *, top: bool = False, alt: str = "",
           depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise Refused(f"its elements nest more than {MAX_DEPTH} deep")
    ns, name = _local(str(el.tag))
    if ns != SVG_NS:
        if name.lower() in {e.lower() for e in REFUSED} or ns == "http://www.w3.org/1999/xhtml":
            raise Refused(f"it contains a <{name}> element from another namespace")
        return  # an editor's own element (Inkscape's, Illustrator's metadata): dropped
    if name in REFUSED or name.lower() in {e.lower() for e in REFUSED}:
        raise Refused(f"it contains a <{name}> element (scripts, links, embedded images and "
                      "documents, animation are not allowed)")
    if name == "style":  # inline, its rules would apply to the whole page, not the drawing
        raise Refused("it contains a <style> element, whose rules would restyle the whole "
                      "page (export the SVG with presentation attributes instead of CSS)")
    if name == "textPath":
        raise Refused("it contains a <textPath>, whose letters follow a path in an order the "
                      "guard cannot read them in; convert the text to paths")
    if name not in ELEMENTS:
        raise Refused(f"it contains a <{name}> element, which briefgen does not know")
    attrs = _attributes(el, name, prefix)
    if top:  # the page lays the drawing out: no style of its own (position: fixed, …)
        attrs.pop("style", None)
        attrs.pop("role", None)
        attrs.pop("aria-label", None)
        attrs.pop("aria-hidden", None)
        if "viewBox" not in attrs and _number(attrs.get("width")) and _number(attrs.get("height")):
            attrs["viewBox"] = f"0 0 {_number(attrs['width'])} {_number(attrs['height'])}"
        attrs = {"xmlns": SVG_NS, **attrs, "role": "img", "aria-label": alt}
    out.append(f"<{name}" + "".join(f' {k}="{html.escape(v)}"' for k, v in attrs.items())
               + ">")
    if top:  # the alt text is the drawing's title: what a PDF's Figure gives as its /Alt
        out.append(f"<title>{html.escape(alt, quote=False)}</title>")
    if el.text:
        out.append(html.escape(el.text, quote=False))
    for child in el:
        if top and child.tag == f"{{{SVG_NS}}}title":
            if child.tail:
                out.append(html.escape(child.tail, quote=False))
            continue  # replaced by the alt text
        _write(child, prefix, out, depth=depth + 1)
        if child.tail:
            out.append(html.escape(child.tail, quote=False))
    out.append(f"</{name}>")


def _number(value: str | None) -> str:
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(?:px)?\s*", value or "")
    return m.group(1) if m else ""


def _attributes(el: Element, element: str, prefix: str) -> dict[str, str]:
    kept: dict[str, str] = {}
    for raw, value in el.attrib.items():
        ns, name = _local(raw)
        if ns == XLINK_NS and name == "href" or (not ns and name == "href"):
            name = "href"
        elif ns == "http://www.w3.org/XML/1998/namespace":
            name = f"xml:{name}"
        elif ns:
            if name.lower().startswith("on") or "href" in name.lower():
                raise Refused(f"it has a namespaced '{name}' attribute on <{element}>")
            continue  # an editor's own attribute (inkscape:label, sodipodi:…): dropped
        if name.lower().startswith("on"):
            raise Refused(f"it has an event handler '{name}' on <{element}>")
        if name == "href":
            if not re.fullmatch(r"#[A-Za-z_][\w.:-]*", value.strip()):
                raise Refused(f"<{element}> refers to '{value[:60]}': only a #fragment of "
                              "the same drawing is allowed")
            kept["href"] = "#" + prefix + value.strip()[1:]
            continue
        if _DANGER.search(value):
            raise Refused(f"the '{name}' attribute of <{element}> holds "
                          f"'{_DANGER.search(value).group(0)}'")  # type: ignore[union-attr]
        if name in _REORDERING or (name == "style" and _REORDERING_CSS.search(value)):
            raise Refused(f"<{element}> sets the direction of its text ({name}), so it "
                          "would read otherwise than it is written, which the guard reads")
        if name in _PLACED and len(value.replace(",", " ").split()) > 1:
            raise Refused(f"<{element}> places its letters one by one ({name}=\"{value[:30]}\"), "
                          "so they could read in another order than they are written")
        if name == "style":
            _check_css(value, f"the style of <{element}>")
        for m in _URL.finditer(value):
            if not m.group(2).strip().startswith("#"):
                raise Refused(f"the '{name}' attribute of <{element}> refers to "
                              f"'{m.group(2)[:60]}': only url(#id) of the same drawing "
                              "is allowed")
        if name not in ATTRIBUTES:
            continue
        if name == "id":
            value = prefix + value
        kept[name] = _URL.sub(lambda m: f"url({m.group(1)}#{prefix}{m.group(2).strip()[1:]}",
                              value)
    return kept


#: what would make a drawing's text read otherwise than the order the guard reads it in
_REORDERING = frozenset({"direction", "unicode-bidi", "writing-mode"})
_REORDERING_CSS = re.compile(r"\b(?:direction|unicode-bidi|writing-mode)\s*:", re.I)
_PLACED = frozenset({"x", "y", "dx", "dy", "rotate"})


def _check_css(css: str, where: str) -> None:
    danger = _DANGER.search(css)
    if danger:
        raise Refused(f"{where} holds '{danger.group(0)}'")
    for m in _URL.finditer(css):
        if not m.group(2).strip().startswith("#"):
            raise Refused(f"{where} refers to '{m.group(2)[:60]}': only url(#id) is allowed")
    if "\\" in css:
        raise Refused(f"{where} uses CSS escapes, which could hide a url() or @import")
