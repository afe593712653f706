"""The problem codes this stage reports (see briefgen/codes.py).

BG201–219 are audience syntax (content/syntax.py's Issues, reported while rendering),
BG220–229 terms and cross references, BG230–249 links and images, BG250–259 tables and
figures (edition/markdown.py, edition/svg.py), BG260–269 charts (edition/charts.py),
BG270–279 citations (content/syntax.py, edition/citations.py), BG280–289 headings
(edition/markdown.py), BG290–299 fonts (edition/glyphs.py).
"""

from __future__ import annotations

from briefgen.codes import Code, _table

_AT = "content/briefs/demo/brief.yaml:38:7: sections[background].body: "
_IMG = "content/briefs/demo/brief.yaml:90:16: sections[recommendations].items[rec-a].body: "
_CHART = "content/briefs/demo/charts/sma.chart.yaml"

CODES: dict[str, Code] = _table(
    ("BG201", "a ':::' line that closes no audience block",
     _AT + "':::' closes no audience block and opens none (a block starts with '::: audience "
     "ID' or '::: exclude-audience ID' and ends with ':::')"),
    ("BG202", "a block of an unknown kind",
     _AT + "unknown block '::: audiences': only 'audience' and 'exclude-audience' blocks "
     "exist (did you mean 'audience'?)"),
    ("BG203", "an audience block or span that names no audience",
     _AT + "'audience' needs at least one audience id (e.g. ::: audience officials)"),
    ("BG204", "an unknown audience in a block or span",
     "content/briefs/demo/brief.yaml:38:20: sections[background].body: unknown audience "
     "'oficials' (did you mean 'officials'?)"),
    ("BG205", "an audience block that is never closed",
     _AT + "this audience block is never closed (end it with a line ':::')"),
    ("BG206", "a line that looks like a block marker but is not one",
     _AT + "a block marker needs three colons: this line would print as text (write '::: "
     "audience ID' … ':::'; write &#58; for the first colon to show colons at the start of "
     "a line)"),
    ("BG207", "an audience marker inside code",
     _AT + "an audience marker inside a code block is shown as text, with everything it was "
     "meant to hide (unindent the block (4 spaces make code), close the code fence first, or "
     "write \\::: to show the marker literally)"),
    ("BG208", "an attribute list that is not {key=\"value\"}",
     _AT + "attribute list '{audience=\"pub\" .note}' is not of the form {key=\"value\"} "
     "(write [text]{audience=\"ID\"} (or exclude-audience, lang), with straight quotes)"),
    ("BG209", "an unknown attribute in a span",
     _AT + "unknown attribute 'audiences' in {…}: a span takes only audience, "
     "exclude-audience, lang (did you mean 'audience'?)"),
    ("BG210", "an attribute value in curly quotes",
     _AT + "the value of 'audience' is in curly quotes (write audience=\"ID\" with straight "
     "quotes (your editor may be replacing them))"),
    ("BG211", "span or block syntax that would print as text",
     _AT + "'{…}' is not attached to a [span], so it would print as text (write "
     "[text]{audience=\"ID\"} with no space between ] and {, or &#123; and &#125; for "
     "literal braces)"),
    ("BG212", "a lone bracket beside an audience span",
     _AT + "a bracket without its pair stands beside an audience span, so the span may not "
     "cover what it should (pair every [ with a ]; write &#91; or &#93; for a lone bracket)"),
    ("BG213", "a footnote or link reference defined twice for one audience",
     _AT + "footnote [^a] is defined twice for pub (first on line 3 of this text) (give each "
     "definition its own label, or put them in audience blocks that no audience sees both "
     "of)"),
    ("BG214", "a footnote call without a definition the audience sees",
     _AT + "footnote [^n3] has no definition (define it in the same field as '[^label]: "
     "text', in a part every audience that sees the call also sees)"),
    ("BG215", "a link reference defined only for other audiences",
     _AT + "link reference [report] is defined only in an audience block that pub does not "
     "see (define it where every audience that sees the link also sees it)"),
    ("BG216", "a footnote inside a footnote",
     "content/briefs/demo/brief.yaml:46:38: sections[background].body: footnote [^n2] is "
     "referred to inside another footnote (footnotes cannot contain footnotes; put the text "
     "in the note itself)"),
    ("BG217", "a span's lang that is not a language tag",
     _AT + "lang 'english' is not a language tag (write a BCP 47 tag of a language: en, "
     "en-US, ko, zh-Hans, ja (it becomes the passage's lang, and the PDF's /Lang))"),
    ("BG220", "a term with no text in the edition's language",
     "content/briefs/demo/translations/ko.yaml:25:18: units.t-shared.text: term 'alliance' "
     "has no ko text for audience public (add it under terms: in "
     "content/audiences/public.yaml or content/terms.yaml)"),
    ("BG221", "a cross reference to something not in the edition",
     _AT + "'[[@rec-z]]' refers to 'rec-z', which is not in the pub edition"),
    ("BG230", "a link with a scheme other than http, https or mailto (removed)",
     "content/briefs/demo/brief.yaml:88:43: sections[recommendations].items[rec-a].body: "
     "warning: link to 'javascript:alert(1)' removed: only http, https, mailto and relative "
     "links are allowed"),
    ("BG231", "a remote image",
     _IMG + "remote image 'http://example.org/a.png' is never fetched; save it in the brief's "
     "folder and give its relative path"),
    ("BG232", "an image source that is a URL or an absolute path",
     _IMG + "image source 'file:///etc/passwd' is not allowed; give a path relative to the "
     "brief's folder"),
    ("BG233", "an image outside the content folder",
     _IMG + "image '../../../../etc/passwd' is outside the content folder (copy the image "
     "into the brief's folder)"),
    ("BG234", "an image file that does not exist",
     "content/briefs/demo/brief.yaml:90:31: sections[recommendations].items[rec-a].body: "
     "image 'missing.png' not found (looked for content/briefs/demo/missing.png; paths are "
     "relative to the brief's folder)"),
    ("BG235", "an image file that cannot be read",
     _IMG + "cannot read image 'figure.png': Permission denied (check the file's "
     "permissions)"),
    ("BG236", "an image of a type other than PNG, JPEG, GIF or SVG",
     "content/briefs/demo/brief.yaml:90:22: sections[recommendations].items[rec-a].body: "
     "unsupported image type 'bmp' for 'figure.bmp'; use PNG, JPEG, GIF or SVG"),
    ("BG237", "an image without alt text",
     "content/briefs/demo/brief.yaml:90:15: sections[recommendations].items[rec-a].body: "
     "image 'figure.png' has no alt text; describe it in ![…] for readers who cannot see it"),
    ("BG238", "a damaged image",
     "content/briefs/demo/brief.yaml:90:22: sections[recommendations].items[rec-a].body: "
     "image 'cut.png' is damaged: its header gives no size (save it again from an image "
     "editor)"),
    ("BG239", "an image with too many pixels",
     "content/briefs/demo/brief.yaml:90:27: sections[recommendations].items[rec-a].body: "
     "image 'bomb.png' is 20,000 × 20,000 pixels; images are limited to 40 million pixels "
     "(scale it down: a full page at 300 dpi is about 2,500 × 3,500 pixels)"),
    ("BG240", "an edition whose images are too large together",
     "content/briefs/demo/brief.yaml:100:22: sections[recommendations].items[rec-a].body: "
     "image 'big.png' takes the images of this edition over 20 MB (each use of an image "
     "embeds it again: use fewer or smaller images)"),
    ("BG241", "an image file larger than 5 MB",
     _IMG + "image 'scan.png' is larger than 5 MB"),
    ("BG242", "a link whose target is not a valid URL",
     _AT + "the link to 'https://../' is not a valid URL: its host '..' is not a domain name "
     "(labels of letters, digits and hyphens, separated by single dots) (write the whole "
     "address as a browser shows it, e.g. https://example.org/page)"),
    ("BG243", "link syntax that would print as text",
     _AT + "'](' is not part of a link, so '[the plan](http://exa mple.com)' would print as "
     "text (a link's target has no spaces: write %20 for one, or put the target in <…>; "
     "write &#93; for a literal ])"),
    ("BG244", "an image in another brief's folder",
     _IMG + "image '../other-brief/map.svg' is in another brief's folder (put an image "
     "that briefs share in a folder of content/ outside briefs/, e.g. content/images/)"),
    ("BG250", "a table or figure block whose id is missing or malformed",
     _AT + "'::: table' takes one id, written {#tbl-ID}, and nothing else (e.g. '::: table "
     "{#tbl-agendas}': 'tbl-' then lowercase letters and digits joined by hyphens)"),
    ("BG251", "a table or figure block that does not hold what it should",
     _AT + "'tbl-agendas': a table block holds a caption paragraph, then one pipe table, "
     "and nothing else (separate the parts with blank lines)"),
    ("BG252", "a pipe table outside a table block",
     _AT + "a pipe table must stand in a '::: table {#tbl-ID}' block, after its caption "
     "(write '::: table {#tbl-ID}', a caption line, a blank line, the table, then ':::')"),
    ("BG253", "two tables or figures of an edition with the same id",
     _AT + "'tbl-agendas' is the id of another table or figure of this edition (give each "
     "its own id)"),
    ("BG254", "an SVG image that could run, fetch or embed something",
     _IMG + "SVG image 'map.svg' is refused: it contains a <script> element (scripts, links, "
     "embedded images and documents, animation are not allowed) (briefgen embeds only "
     "self-contained drawings: no scripts, event handlers, links to other files, embedded "
     "images or HTML, CSS url() or @import, DOCTYPE or entities)"),
    ("BG255", "a table or figure outside the text of a section",
     "content/briefs/demo/brief.yaml:12:17: summary: 'tbl-agendas' is not numbered: tables "
     "and figures belong in a section's body, an item's body or a section's closing (move it "
     "into the text of a section)"),
    ("BG256", "a table row with more cells than the table has columns",
     "content/briefs/demo/brief.yaml:44:7: sections[background].body: this table row has 4 "
     "cells but the table has 3 columns: the cells beyond would be dropped (write &#124; for "
     "a '|' inside a cell, or add the column to the header row)"),
    ("BG260", "a chart or data file that is not found, or not in the brief's charts/ folder",
     _CHART + ": chart 'charts/sma.chart.yaml' not found (looked for "
     "content/briefs/demo/charts/sma.chart.yaml; paths are relative to the brief's folder)"),
    ("BG261", "a chart or data file outside the brief's folder, or a symbolic link",
     _CHART + ":5:7: data: data file '../../secret.csv' is outside the brief's folder"),
    ("BG262", "a chart file or spec key that is unknown or not allowed",
     _CHART + ":21:7: spec.data: 'data' is not allowed in a chart spec (spec) (briefgen adds "
     "the data, text and fonts itself; a spec holds marks, encodings, axes, legends and "
     "scales, see docs/editing.md#charts)"),
    ("BG263", "a chart's data that cannot be read: a ragged CSV row, words for a number, "
     "a number over 10^15",
     "content/briefs/demo/charts/sma.csv:4:1: 'n/a' in the column 'amount' is not a number, "
     "and the spec draws it as a quantity"),
    ("BG264", "a chart field, title or category that names nothing in its data or text",
     _CHART + ":24:19: spec.layer.0.encoding.y.field: the field 'amont' is not a column of "
     "the data (did you mean 'amount'?)"),
    ("BG265", "a chart over a limit (rows, bytes, cells, pixels, a number of its spec, "
     "words)",
     _CHART + ":5:7: data: data file 'big.csv' is larger than 256 KB"),
    ("BG266", "a chart the renderer cannot draw",
     _IMG + "chart 'charts/sma.chart.yaml' could not be drawn: Error: Invalid specification "
     "(check its spec against docs/editing.md#charts)"),
    ("BG267", "a chart outside a figure block",
     _IMG + "chart 'charts/sma.chart.yaml' must stand in a '::: figure {#fig-ID}' block, after "
     "its caption (write '::: figure {#fig-ID}', a caption line, a blank line, the chart "
     "![alt](charts/NAME.chart.yaml), then ':::')"),
    ("BG268", "a control, bidi or non-XML character in a chart's data or words",
     "content/briefs/demo/charts/sma.csv:3:1: the cell '1\\x002' of the column 'agreement' "
     "holds a control character (U+0000) (delete it: a chart's data and words are printable "
     "text: a control or bidi character cannot be drawn, or reorders the words drawn)"),
    ("BG270", "a citation that is not well-formed",
     _AT + "'[@lee-2025 p 12]' is not a well-formed citation (write [@key], [@key, p. 12], "
     "[@key, pp. 3-5] or [@a; @b]; write &#64; for a literal @ and &#91; for a literal [)"),
    ("BG271", "a citation of a reference references.json does not hold",
     _AT + "unknown reference '@lee-2024' (did you mean 'lee-2025'?)"),
    ("BG272", "a citation, in text an audience sees, of a reference restricted from it",
     _AT + "reference '@wh-2025' is restricted from rok-public (content/briefs/demo/"
     "references.json:40) but is cited in text rok-public sees (cite it only inside a block "
     "or span for the audiences it is shown to)"),
    ("BG273", "more citations in one edition than briefgen formats",
     "content/briefs/demo/brief.yaml:1038:7: sections[background].body: more than 500 "
     "citations in one edition (cite a reference once per paragraph at most; each citation "
     "is formatted in every edition)"),
    ("BG274", "a citation in the brief's title or short title",
     "content/briefs/demo/brief.yaml:1:8: title: the brief's title holds a note (a citation "
     "or a footnote) (it is also the page's and the PDF's title and the running head, where "
     "a note cannot go: cite in the summary or the text)"),
    ("BG280", "a heading that skips a level",
     "content/briefs/demo/brief.yaml:42:7: sections[background].body: level-3 heading "
     "'Costs' skips a level: it follows a level-1 heading, so it may be level 2 at most "
     "(write '## Costs', or add a level-2 heading above it)"),
    ("BG281", "a heading nested deeper than <h6>",
     "content/briefs/demo/brief.yaml:94:11: sections[recommendations].items[rec-a].body: "
     "level-4 heading 'Annex' would be <h7>: this text sits under an <h3> title, so it has 3 "
     "heading levels (use fewer levels)"),
    ("BG290", "a character no font of the PDF has",
     "content/briefs/demo/brief.yaml:40:27: sections[background].body: no font has U+E000 "
     "<private use>: the PDF would print a blank box (tried Noto Serif, Noto Sans, Noto Color "
     "Emoji, then all 299 fonts of briefgen's fonts.conf and templates/fonts/) (add a font "
     "that has it to templates/fonts/ (any .ttf or .otf file there is used; "
     "docs/editing.md#fonts), or write another character)"),
    ("BG291", "a file in templates/fonts/ that is not a font",
     "templates/fonts/glyph.ttf: not a font fontTools can read (Not a TrueType or OpenType "
     "font (bad sfntVersion)) (remove it, or replace it with a .ttf or .otf file)"),
)
