"""Tables (issue #15): pipe tables in a `::: table {#tbl-ID}` block with a caption, numbered
per edition after audience filtering, referenced as [[@tbl-ID]]; rows and cells restricted
with audience spans; header cells scoped; alignment as classes; tagged Table/TR/TH/TD in
the PDF, the header repeated on every page a long table spans; a slip fails closed."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject
from test_syntax import render_for

from briefgen.content.project import load_project
from briefgen.edition.markdown import Context, Origin, Tables, render
from briefgen.edition.resolve import resolve
from briefgen.errors import Problems
from briefgen.publish.pdftext import page_text

from conftest import run
from tiny import BODY_LINE, make_project

BRIEF = "content/briefs/tiny/brief.yaml"
SECRET = "ZQXSECRET"
OFF = 'audience="officials"'

TWO_TABLES = f"""See [[@tbl-second]].

::::: audience officials
::: table {{#tbl-first}}
Officials' table

| a | b |
|---|---|
| 1 | 2 |
:::
:::::

::: table {{#tbl-second}}
Everyone's table

| Left | Centre | Right |
|:-----|:------:|------:|
| l | c | r |
| [{SECRET} row]{{audience="officials"}} | [{SECRET}]{{audience="officials"}} | [x]{{{OFF}}} |
| kept | [{SECRET} cell]{{audience="officials"}} | kept |
:::
"""

KO_TWO_TABLES = """[[@tbl-second]]을 보라.

::::: audience officials
::: table {#tbl-first}
:::
:::::

::: table {#tbl-second}
모두의 표

| 왼쪽 | 가운데 | 오른쪽 |
|:-----|:------:|------:|
| ㄱ | ㄴ | ㄷ |
| []{audience="officials"} | []{audience="officials"} | []{audience="officials"} |
| 유지 | []{audience="officials"} | 유지 |
:::
"""


def built(root: Path, fmt: str = "html") -> dict[str, bytes]:
    result = run("build", "--format", fmt, project=root)
    assert result.exit_code == 0, result.stderr
    out = root / "build" / "tiny"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob(f"*.{fmt}"))}


def table_html(page: str, anchor: str = "tbl-second") -> str:
    start = page.index(f'<figure class="table" id="{anchor}">')
    return page[start:page.index("</figure>", start)]


def test_tables_are_numbered_after_filtering_and_referenced_per_edition(tmp_path: Path) -> None:
    root = make_project(tmp_path, TWO_TABLES, KO_TWO_TABLES)
    pages = {k: v.decode() for k, v in built(root).items()}
    officials = pages["officials/en/tiny-officials-en.html"]
    pub_en, pub_ko = pages["pub/en/tiny-pub-en.html"], pages["pub/ko/tiny-pub-ko.html"]
    assert 'See <a href="#tbl-second">Table 2</a>.' in officials
    assert '<span class="caption-label">Table 1</span> Officials’ table' in officials
    assert '<span class="caption-label">Table 2</span> Everyone’s table' in officials
    assert 'See <a href="#tbl-second">Table 1</a>.' in pub_en
    assert '<a href="#tbl-second">표 1</a>을 보라.' in pub_ko
    assert '<span class="caption-label">표 1</span> 모두의 표' in pub_ko
    for page in (pub_en, pub_ko):
        assert "tbl-first" not in page and SECRET not in page and "Officials" not in page
    assert officials.count(SECRET) == 3


def test_an_empty_table_block_is_allowed_only_where_nobody_sees_it() -> None:
    text = "::: table {#tbl-a}\n:::\n"
    html, problems = render_for("::::: audience officials\n" + text + ":::::\n", "pub")
    assert not problems.items and "figure" not in html
    html, problems = render_for(text, "pub")
    assert [p.message for p in problems.errors] == [
        "'tbl-a' is empty: a table block holds a caption paragraph, then one pipe table, and "
        "nothing else"]
    assert "figure" not in html


def test_a_row_whose_every_cell_is_hidden_goes_and_a_hidden_cell_stays_empty(tmp_path: Path
                                                                           ) -> None:
    root = make_project(tmp_path, TWO_TABLES)
    pages = {k: v.decode() for k, v in built(root).items()}
    pub = table_html(pages["pub/en/tiny-pub-en.html"])
    assert pub.count("<tr>") == 3  # header, "l c r", "kept … kept"
    assert '<td class="align-center"></td>' in pub
    officials = table_html(pages["officials/en/tiny-officials-en.html"])
    assert officials.count("<tr>") == 4


def test_header_cells_are_scoped_alignment_is_a_class_and_the_table_scrolls_in_its_box(
        ) -> None:
    problems = Problems()
    ctx = Context("pub", ["officials", "pub"], "en", Tables(labels={"tbl-second": "Table 1"}),
                  Path("."), Path("."), problems)
    html = render(TWO_TABLES.split(":::::\n\n", 1)[1], ctx, Origin("body.md", 1, 1))
    assert not problems.items, [str(p) for p in problems.items]
    assert re.findall(r"<th [^>]*>", html) == ['<th scope="col" class="align-left">',
                                              '<th scope="col" class="align-center">',
                                              '<th scope="col" class="align-right">']
    assert "style=" not in html
    assert ('<div class="table-scroll" role="region" tabindex="0" '
            'aria-labelledby="tbl-second-caption">') in html
    assert '<figcaption id="tbl-second-caption">' in html


def test_the_shipped_table_is_in_all_five_editions_in_their_language(shipped_build: Path
                                                                    ) -> None:
    labels = {"us-government/en": "Table 1", "rok-public/en": "Table 1",
              "beijing-outreach/en": "Table 1", "rok-public/ko": "표 1",
              "beijing-outreach/zh-Hans": "表1"}
    brief = shipped_build / "rok-us-alliance-modernization"
    for edition, label in labels.items():
        [page] = (brief / edition).glob("*.html")
        text = page.read_text(encoding="utf-8")
        assert f'<span class="caption-label">{label}</span>' in text, edition
        assert f'<a href="#tbl-agendas">{label}</a>' in text, edition
        [pdf] = (brief / edition).glob("*.pdf")
        assert label in page_text(pdf.read_bytes()), edition


RESTRICTED = "reserve of goodwill"  # the shipped table's us-government row


def test_the_shipped_restricted_row_reaches_no_other_edition(shipped_build: Path) -> None:
    brief = shipped_build / "rok-us-alliance-modernization"
    seen = {}
    for path in sorted(brief.rglob("*")):
        if path.suffix == ".html":
            seen[path.name] = " ".join(path.read_text(encoding="utf-8").split())
        elif path.suffix == ".pdf":
            seen[path.name] = " ".join(page_text(path.read_bytes()).split())
    assert len(seen) == 10
    for name, text in seen.items():
        mine = "-us-government-" in name
        assert (RESTRICTED in text) == mine, name
        assert ("Negotiating" in text) == mine, name
    # and a cell span: beijing-outreach's readers never see the China clause of the table
    for name, text in seen.items():
        if "-beijing-outreach-" in name:
            assert "joining in countering" not in text, name


def walk(data: bytes) -> list[DictionaryObject]:
    """The elements of a PDF's tag tree, depth first (read with pypdf)."""
    out: list[DictionaryObject] = []

    def visit(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, ArrayObject):
            for kid in node:
                visit(kid)
        elif isinstance(node, DictionaryObject):
            if "/S" in node:
                out.append(node)
            if "/K" in node:
                visit(node["/K"])

    reader = PdfReader(io.BytesIO(data))
    visit(reader.trailer["/Root"]["/StructTreeRoot"]["/K"])
    return out


def structure(data: bytes) -> list[str]:
    """The structure types of a PDF's tag tree, depth first."""
    return [str(node["/S"]) for node in walk(data)]


def test_the_pdf_tags_the_table_and_repeats_the_header_on_every_page(tmp_path: Path) -> None:
    rows = "".join(f"| Row {n} | value {n} |\n" for n in range(1, 121))
    body = ("::: table {#tbl-long}\nA long table\n\n| HEADONE | HEADTWO |\n|---|--:|\n"
            + rows + ":::\n")
    root = make_project(tmp_path, body)
    pdfs = built(root, "pdf")
    data = pdfs["officials/en/tiny-officials-en.pdf"]
    tags = structure(data)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert {"/Table", "/THead", "/TBody", "/TR", "/TH", "/TD", "/Caption"} <= set(tags)
    # WeasyPrint tags the header again on each page it repeats it on
    assert tags.count("/TD") == 240 and tags.count("/TH") == 2 * pages
    assert pages >= 3
    texts = page_text(data).split("\f")
    spanned = [t for t in texts if "Row " in t]
    assert len(spanned) >= 3
    assert all("HEADONE" in t and "HEADTWO" in t for t in spanned)
    assert "Row 120" in spanned[-1]


@pytest.mark.parametrize("body, at, message", [
    ("::: table {#agendas}\nCaption\n\n| a |\n|---|\n| 1 |\n:::\n", (0, 5),
     "'::: table' takes one id, written {#tbl-ID}, and nothing else (e.g. '::: table "
     "{#tbl-agendas}': 'tbl-' then lowercase letters and digits joined by hyphens)"),
    ("::: figure {#tbl-a}\nCaption\n\n![x](x.png)\n:::\n", (0, 5),
     "'::: figure' takes one id, written {#fig-ID}, and nothing else"),
    ("::: table\nCaption\n\n| a |\n|---|\n| 1 |\n:::\n", (0, 5),
     "'::: table' takes one id"),
    ("::: tabel {#tbl-a}\nCaption\n\n| a |\n|---|\n| 1 |\n:::\n", (0, 5),
     "unknown block '::: tabel': the blocks are 'audience', 'exclude-audience', 'table' and "
     "'figure' (did you mean 'table'?)"),
    ("::: table {#tbl-a}\n| a |\n|---|\n| 1 |\n:::\n", (0, 13),
     "'tbl-a': a table block holds a caption paragraph, then one pipe table, and nothing "
     "else (separate the parts with blank lines)"),
    ("::: table {#tbl-a}\nCaption\n\n| a |\n|---|\n| 1 |\n\nMore text.\n:::\n", (0, 13),
     "'tbl-a': a table block holds a caption paragraph, then one pipe table"),
    ("Text.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", (2, 1),
     "a pipe table must stand in a '::: table {#tbl-ID}' block, after its caption (write "
     "'::: table {#tbl-ID}', a caption line, a blank line, the table, then ':::')"),
    ("::: table {#tbl-a}\nOne\n\n| a |\n|---|\n| 1 |\n:::\n\n::: table {#tbl-a}\nTwo\n\n"
     "| a |\n|---|\n| 2 |\n:::\n", (8, 13),
     "'tbl-a' is the id of another table or figure of this edition (give each its own id)"),
    ("::: table {#tbl-a}\nCaption\n\n| a | b |\n|---|---|\n| 1 | 2 | 3 |\n:::\n", (5, 1),
     "this table row has 3 cells but the table has 2 columns: the cells beyond would be "
     "dropped (write &#124; for a '|' inside a cell, or add the column to the header row)"),
    ("See [[@tbl-gone]].\n", (0, 5),
     "'[[@tbl-gone]]' refers to 'tbl-gone', which is not in the pub edition"),
])
def test_a_wrong_table_is_an_error_at_its_line(tmp_path: Path, body: str,
                                                at: tuple[int, int], message: str) -> None:
    root = make_project(tmp_path, body + f"\n{SECRET}-visible\n")
    result = run("build", "--format", "html", project=root)
    assert result.exit_code == 1
    line, col = BODY_LINE + at[0], 6 + at[1]
    assert f"{BRIEF}:{line}:{col}: sections[main-text].body: {message}" in result.stderr
    assert not (root / "build").exists()


def test_a_table_outside_a_sections_text_is_an_error(tmp_path: Path) -> None:
    root = make_project(tmp_path, "Text.\n")
    brief = root / "content/briefs/tiny/brief.yaml"
    brief.write_text(brief.read_text().replace(
        "summary: A small brief.\n", "summary: |\n  ::: table {#tbl-a}\n  Caption\n\n  | a |\n"
        "  |---|\n  | 1 |\n  :::\n"))
    result = run("check", project=root)
    assert result.exit_code == 1
    assert ("content/briefs/tiny/brief.yaml:6:15: summary: 'tbl-a' is not numbered: tables and "
            "figures belong in a section's body, an item's body or a section's closing (move "
            "it into the text of a section)") in result.stderr


@pytest.mark.parametrize("row", [
    '| [ZQXSECRET]{audience=“officials”} | x |',
    '| [ZQXSECRET]{audiences="officials"} | x |',
    '| [ZQXSECRET] {audience="officials"} | x |',
    '| [ZQXSECRET | y]{audience="officials"} | x |',
    '| ZQXSECRET]{audience="officials"} | x |',
])
def test_a_slip_in_a_restricted_cell_fails_closed(row: str) -> None:
    text = f"::: table {{#tbl-a}}\nCaption\n\n| a | b |\n|---|---|\n{row}\n:::\n"
    problems = Problems()
    ctx = Context("pub", ["officials", "pub"], "en", Tables(labels={"tbl-a": "Table 1"}),
                  Path("."), Path("."), problems)
    render(text, ctx, Origin("body.md", 1, 1))
    codes = {p.code for p in problems.errors}
    assert codes and codes <= {"BG208", "BG209", "BG210", "BG211", "BG212", "BG256"}, (row, codes)
    # an error stops the build, so nothing this edition renders is written


ROW_FIXTURE = ["::: table {#tbl-a}", "Caption", "", "| a | b |", "|---|---|", "| open | cell |",
               f'| [{SECRET} one]{{{OFF}}} | [{SECRET} two]{{{OFF}}} |', ":::"]
#: (line, start, end) of each marker in ROW_FIXTURE that a slip may change
_SPAN = "]{" + OFF + "}"
_FIRST = ROW_FIXTURE[6].index(_SPAN)
_SECOND = ROW_FIXTURE[6].index(_SPAN, _FIRST + 1)
ROW_MARKERS = [(0, 0, 18), (6, _FIRST, _FIRST + len(_SPAN)),
               (6, _SECOND, _SECOND + len(_SPAN)), (7, 0, 3)]


def _render_pub(text: str, audience: str) -> tuple[str, list[int]]:
    problems = Problems()
    ctx = Context(audience, ["officials", "pub"], "en", Tables(labels={"tbl-a": "Table 1"}),
                  Path("."), Path("."), problems)
    html = render(text, ctx, Origin("body.md", 1, 1))
    return html, [p.line - 1 for p in problems.errors]


def test_the_row_fixture_marks_what_it_should() -> None:
    text = "\n".join(ROW_FIXTURE)
    pub, errors = _render_pub(text, "pub")
    officials, _ = _render_pub(text, "officials")
    assert not errors and SECRET not in pub and officials.count(SECRET) == 2
    assert pub.count("<tr>") == 2
    for line, start, end in ROW_MARKERS:
        assert ROW_FIXTURE[line][start:end] in (":::", "::: table {#tbl-a}", "]{" + OFF + "}")


@pytest.mark.parametrize("marker", range(len(ROW_MARKERS)))
def test_every_single_character_slip_in_a_table_fails_at_its_line_or_leaks_nothing(
        marker: int) -> None:
    from test_syntax import mutants

    line, start, end = ROW_MARKERS[marker]
    original = ROW_FIXTURE[line]
    failures, tried = [], 0
    for changed in sorted(mutants(original[start:end])):
        lines = [*ROW_FIXTURE]
        lines[line] = original[:start] + changed + original[end:]
        tried += 1
        pub, errors = _render_pub("\n".join(lines), "pub")
        breaks = changed.count("\n") + changed.count("\r")  # markdown-it reads \r as a break
        if SECRET in pub and not any(e in range(line, line + breaks + 1) for e in errors):
            failures.append(lines[line])
    assert tried > 300
    assert not failures, f"{len(failures)} of {tried} slips leaked silently: {failures[:5]}"


def _table(anchor: str) -> str:
    return f"\n\n::: table {{#{anchor}}}\nCaption {anchor}\n\n| a |\n|---|\n| 1 |\n:::\n"


def test_tables_are_numbered_in_the_order_each_edition_reads_them(project: Path) -> None:
    """Section bodies, item bodies and closings, in the audience's own section order, with
    hidden items left out: officials read background, outlook (task-a, task-b), issues;
    public reads outlook (task-a) first, then background (public's section_order)."""
    brief = project / "content/briefs/demo/brief.yaml"
    text = brief.read_text(encoding="utf-8")
    for anchor, after in (("tbl-bg", "      [^n1]: A footnote on [[opcon]].\n"),
                          ("tbl-task-b", "          The second task.\n"),
                          ("tbl-task-a", "          The first task.\n"),
                          ("tbl-issue", "          Everyone too.\n")):
        pad = " " * (len(after) - len(after.lstrip()))
        block = "".join(pad + line if line else "" for line in _table(anchor).splitlines(True))
        text = text.replace(after, after + block, 1)
    brief.write_text(text, encoding="utf-8")
    (brief.parent / "translations" / "ko.yaml").unlink()  # English editions only
    loaded = load_project(project)
    numbers = {}
    for audience in ("officials", "public"):
        edition = resolve(loaded, "demo", audience, "en", "screen", Problems())
        numbers[audience] = [(d.id, d.reason) for d in edition.decisions if d.kind == "table"]
    assert numbers["officials"] == [("tbl-bg", "Table 1"), ("tbl-task-a", "Table 2"),
                                    ("tbl-task-b", "Table 3"), ("tbl-issue", "Table 4")]
    assert numbers["public"] == [("tbl-task-a", "Table 1"), ("tbl-bg", "Table 2"),
                                 ("tbl-issue", "Table 3")]


def _words_on_page(data: bytes) -> list[tuple[float, float, str]]:
    """(xMin, xMax, word) of every word pdftotext finds in the PDF, and the page width."""
    out = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True,
                         check=True).stdout.decode()
    return [(float(a), float(b), w) for a, b, w in
            re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">'
                       r"([^<]*)</word>", out)]


def test_a_pdf_table_never_breaks_a_short_word_and_never_overflows_the_page(tmp_path: Path
                                                                           ) -> None:
    """Found by looking at the shipped brief: a narrow first column printed "Sta ge",
    "Firs t", "Sec ond" (cells could break anywhere, so the table gave that column less than
    its words). Short words stay whole; a table of long unbreakable words still fits."""
    narrow = ("::: table {#tbl-narrow}\nStages\n\n| Stage | What is settled |\n|---|---|\n"
              + "".join(f"| {w} | {'a long cell of ordinary words that fill the line ' * 3}|\n"
                        for w in ("First", "Second", "Third", "Fourth"))
              + ":::\n")
    wide = "\n::: table {#tbl-wide}\nWide\n\n" + "| " + " | ".join(
        f"Column{n}-without-breaks" for n in range(8)) + " |\n" + "|" + "---|" * 8 + "\n" \
        + "| " + " | ".join(f"cell{n}-withoutanybreakatall" for n in range(8)) + " |\n:::\n"
    root = make_project(tmp_path, narrow + wide)
    data = built(root, "pdf")["officials/en/tiny-officials-en.pdf"]
    words = _words_on_page(data)
    texts = [w for _, _, w in words]
    for word in ("Stage", "First", "Second", "Third", "Fourth"):
        assert word in texts, (word, texts[:40])
    width = float(PdfReader(io.BytesIO(data)).pages[0].mediabox.width)
    assert all(x1 <= width - 30 for _, x1, _ in words), \
        [(w, x1) for _, x1, w in words if x1 > width - 30]


def test_long_words_break_between_letters_never_inside_one() -> None:
    """Places to break go between user-perceived characters: an accent stays on its letter
    and an emoji sequence stays whole (an attack found `👩<wbr>‍👩‍👧‍👦`)."""
    from briefgen.edition.markdown import _pieces
    accented = "e\u0301" * 20
    assert _pieces(accented) == ["e\u0301" * 8, "e\u0301" * 12]
    family = "👩‍👩‍👧‍👦" * 16
    assert _pieces(family) == ["👩‍👩‍👧‍👦" * 8, "👩‍👩‍👧‍👦" * 8]
    assert _pieces("cell5-withoutanybreakatall") == ["cell5-", "withouta", "nybreakatall"]
    assert _pieces("https://www.inss.re.kr/x") == ["https:", "/", "/", "www.", "inss.", "re.",
                                                   "kr/", "x"]
